/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/hypercall.c — VMCALL and VMMCALL on the software CPU. tandem is the hypervisor
 * here, and it answers with the hypercall ABI a guest sees under KVM (the Linux tree's
 * Documentation/virt/kvm/x86/hypercalls.rst): number in RAX, arguments in RBX, RCX, RDX,
 * RSI, result in RAX; from CPL > 0 the result is -KVM_EPERM. So guests written for KVM
 * (kvm-unit-tests' apic test, Linux's PV IPIs when offered) behave the same under both
 * accelerators.
 * Implemented: KVM_HC_SEND_IPI (IPIs to a bitmap of APIC IDs, through the board's APIC).
 * Every other number returns -KVM_ENOSYS, as KVM does for one it does not know. Not
 * modelled: VMX/SVM themselves (no VMXON, VMRUN; CPUID does not offer them).
 */
#include "cpu/x86/cpu.h"

#define KVM_ENOSYS      1000
#define KVM_EPERM       1
#define KVM_EINVAL      22
#define KVM_HC_SEND_IPI 10

#define ICR_DEST_LOGICAL    (1u << 11)
#define ICR_SHORTHAND       (3u << 18)

/* Send the IPI of icr to every APIC ID min + i for bit i of the bitmap; the count sent. */
static int64_t send_ipi_bitmap(X86CPU *env, uint64_t bitmap, uint64_t min, uint32_t icr,
                               int bits)
{
    int64_t sent = 0;

    for (int i = 0; i < bits; i++) {
        if ((bitmap >> i & 1) && min + i <= UINT32_MAX && x86_apic_hooks.send_ipi &&
            x86_apic_hooks.send_ipi(x86_apic_hooks.opaque, x86_cs(env), (uint32_t)(min + i), icr)) {
            sent++;
        }
    }
    return sent;
}

IR_HELPER(helper_vmcall)
{
    X86CPU *env = env_;
    bool wide = env->hflags & HF_CS64_MASK;
    uint64_t mask = wide ? UINT64_MAX : UINT32_MAX;
    uint64_t nr = env->regs[R_EAX] & mask;
    int64_t ret;

    if ((env->hflags & HF_CPL_MASK) != 0) {
        ret = -KVM_EPERM;
    } else if (nr == KVM_HC_SEND_IPI) {
        uint64_t lo = env->regs[R_EBX] & mask, hi = env->regs[R_ECX] & mask;
        uint64_t min = env->regs[R_EDX] & mask;
        uint32_t icr = (uint32_t)env->regs[R_ESI];
        int bits = wide ? 64 : 32;

        if (icr & (ICR_DEST_LOGICAL | ICR_SHORTHAND)) {
            ret = -KVM_EINVAL;
        } else {
            ret = send_ipi_bitmap(env, lo, min, icr, bits) +
                  send_ipi_bitmap(env, hi, min + bits, icr, bits);
        }
    } else {
        ret = -KVM_ENOSYS;
    }
    env->regs[R_EAX] = wide ? (uint64_t)ret : (uint32_t)ret;
    return 0;
}

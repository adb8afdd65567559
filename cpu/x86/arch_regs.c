/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/arch_regs.c — the x86 registers that accelerators are compared on
 * (CPUClass.arch_regs, used by --compare and --lockstep).
 *
 * From the canonical state (the caller makes it current first: accel_synchronize_state):
 * the 16 general registers, RIP (the offset in CS), RFLAGS with the lazy condition codes
 * computed, the six segment selectors, CR0, CR2, CR3, CR4 and EFER (SDM vol. 1, 3.4;
 * vol. 3A, 2.5 and 2.2.1), in that order.
 *
 * Not included: hidden segment state (bases, limits, rights), descriptor-table registers,
 * LDTR/TR, debug registers, MSRs other than EFER, x87/SSE state, APIC state: what two
 * accelerators may legitimately hold differently or what a guest rarely ends up depending
 * on. An accelerator-specific bit (KVM's forced CR0.ET, say) shows up as a difference.
 */
#include "cpu/x86/cpu.h"

static const char *const gpr_names[16] = {
    "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
    "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15",
};

/* in the order ES CS SS DS FS GS of X86_SEG_* */
static const char *const seg_names[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };

int x86_cpu_arch_regs(CPUState *cs, CPURegValue *out, int max)
{
    X86CPU *env = x86_cpu(cs);
    CPURegValue all[16 + 2 + 6 + 5];
    int n = 0;

    for (int i = 0; i < 16; i++) {
        all[n++] = (CPURegValue){ gpr_names[i], env->regs[i] };
    }
    all[n++] = (CPURegValue){ "RIP", env->eip };
    all[n++] = (CPURegValue){ "RFLAGS", x86_eflags_get(env) };
    for (int i = 0; i < 6; i++) {
        all[n++] = (CPURegValue){ seg_names[i], env->segs[i].selector };
    }
    all[n++] = (CPURegValue){ "CR0", env->cr[0] };
    all[n++] = (CPURegValue){ "CR2", env->cr[2] };
    all[n++] = (CPURegValue){ "CR3", env->cr[3] };
    all[n++] = (CPURegValue){ "CR4", env->cr[4] };
    all[n++] = (CPURegValue){ "EFER", env->efer };
    if (n > max) {
        n = max < 0 ? 0 : max;
    }
    memcpy(out, all, n * sizeof(*out));
    return n;
}

/* SPDX-License-Identifier: MIT */
/*
 * accel/kvm/kvm_x86.c — the x86 side of the KVM accelerator: the canonical X86CPU state
 * to and from KVM (Linux's Documentation/virt/kvm/api.rst, x86 sections), CPUID, and the
 * interrupt controllers.
 *
 * State:   general registers, RIP, RFLAGS (the canonical lazy flags through
 *          x86_eflags_get/x86_eflags_set), segments and descriptor tables (SegmentCache
 *          flags are the descriptor's bits 8-23, mapped field by field to kvm_segment),
 *          CR0/2/3/4/8, EFER, APIC base; the MSRs STAR, LSTAR, CSTAR, FMASK,
 *          KERNEL_GS_BASE, SYSENTER_CS/ESP/EIP, PAT, TSC, TSC_AUX, MISC_ENABLE and the MTRRs
 *          (those this KVM accepts, probed once); x87/SSE state through KVM_GET/SET_XSAVE
 *          (the FXSAVE image of fpu_state.c) and XCR0 (or KVM_GET/SET_FPU); in-flight
 *          events, the interrupt shadow, NMI masking and the SIPI vector (VCPU_EVENTS);
 *          DR0-3/6/7; the MP state (in-kernel irqchip). The TSC goes through the canonical
 *          tsc_offset against x86_rdtsc's clock.
 * CPUID:   tandem's own x86_cpuid(), so that a guest sees the same CPU under tcg and kvm,
 *          with the feature words masked by KVM_GET_SUPPORTED_CPUID, plus, as QEMU does
 *          under KVM, the hypervisor bit and KVM's leaves 0x40000000 ("KVMKVMKVM") and
 *          0x40000001 (no paravirtual features offered: guests keep using the same clocks
 *          and devices as under tcg). With the userspace irqchip x2APIC and the
 *          TSC-deadline timer are hidden (KVM would handle their MSRs without tandem's
 *          APIC).
 * IRQs:    in-kernel irqchip (default): KVM's PIC, IOAPIC and local APICs; the pc board's
 *          GSIs arrive through Machine.accel_set_irq (KVM_IRQ_LINE) with the board's
 *          routing (ISA IRQ n to PIC input n and IOAPIC pin n, IRQ 0 to pin 2; the PIIX3's
 *          PIRQs on GSIs 16-19), and MSIs through Machine.accel_send_msi (KVM_SIGNAL_MSI); at machine
 *          reset they take the state tandem's models were reset to (PIC vector bases and
 *          masks, IOAPIC ID, local APICs as after power-up). Userspace irqchip
 *          (-machine kernel-irqchip=off): tandem's PIC/APIC/IOAPIC; interrupts are
 *          injected with KVM_INTERRUPT when KVM says it is ready (else an interrupt window
 *          is requested), NMIs with KVM_NMI, INIT/SIPI and HLT are tandem's.
 * Not done: AVX and later XSAVE components (tandem's CPUID offers x87/SSE only), PMU
 *          MSRs, machine-check MSRs, nested virtualization state, KVM's paravirtual clock.
 */
#include "accel/kvm/kvm-internal.h"
#include "cpu/x86/cpu.h"
#include "hw/intc/ioapic.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include <sys/ioctl.h>

#define KVM_TSS_ADDR        0xfeffd000ull   /* 3 pages below the BIOS area (VMX real mode) */
#define KVM_IDENTITY_MAP    0xfeffc000ull

#define CPUID_HYPERVISOR    (1u << 31)      /* leaf 1 ECX */
#define CPUID_X2APIC        (1u << 21)
#define CPUID_TSC_DEADLINE  (1u << 24)
#define KVM_CPUID_LEAVES    0x40000000u

/* ---------------------------------------------------------------------------------------
 * VM set-up, irqchip
 * ------------------------------------------------------------------------------------- */

static int kvm_set_gsi_routing(void)
{
    struct {
        struct kvm_irq_routing r;
        struct kvm_irq_routing_entry e[48];
    } rt;
    unsigned n = 0;

    memset(&rt, 0, sizeof(rt));
    /* the pc board's map (hw/x86/pc.c): ISA IRQ n -> 8259 input n and IOAPIC pin n, except
     * IRQ 0 -> pin 2 (the MADT's override); GSI 2 is the cascade and has no device */
    for (unsigned gsi = 0; gsi < 16; gsi++) {
        if (gsi == 2) {
            continue;
        }
        rt.e[n].gsi = gsi;
        rt.e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
        rt.e[n].u.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
        rt.e[n].u.irqchip.pin = gsi & 7;
        n++;
    }
    for (unsigned gsi = 0; gsi < IOAPIC_NUM_PINS; gsi++) {
        if (gsi == 2) {
            continue;
        }
        rt.e[n].gsi = gsi;
        rt.e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
        rt.e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
        rt.e[n].u.irqchip.pin = gsi == 0 ? 2 : gsi;
        n++;
    }
    rt.r.nr = n;
    return kvm_ioctl(kvm.vm_fd, KVM_SET_GSI_ROUTING, &rt);
}

static int kvm_get_supported_cpuid(void)
{
    for (int nent = 64; nent <= 4096; nent *= 2) {
        struct kvm_cpuid2 *c = xzalloc(sizeof(*c) + nent * sizeof(c->entries[0]));
        int r;
        c->nent = (uint32_t)nent;
        r = kvm_ioctl(kvm.fd, KVM_GET_SUPPORTED_CPUID, c);
        if (r == 0) {
            kvm.supported_cpuid = c;
            return 0;
        }
        free(c);
        if (r != -E2BIG) {
            error_report("KVM: KVM_GET_SUPPORTED_CPUID failed: %s", strerror(-r));
            return -1;
        }
    }
    error_report("KVM: KVM_GET_SUPPORTED_CPUID: too many entries");
    return -1;
}

int kvm_arch_init(Machine *m)
{
    uint64_t idmap = KVM_IDENTITY_MAP;
    int r;

    if (ioctl(kvm.fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
        r = kvm_ioctl(kvm.vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
        if (r < 0) {
            error_report("KVM: KVM_SET_IDENTITY_MAP_ADDR failed: %s", strerror(-r));
            return -1;
        }
    }
    r = kvm_ioctl(kvm.vm_fd, KVM_SET_TSS_ADDR, (void *)(uintptr_t)KVM_TSS_ADDR);
    if (r < 0) {
        error_report("KVM: KVM_SET_TSS_ADDR failed: %s", strerror(-r));
        return -1;
    }
    if (kvm.irqchip_in_kernel) {
        r = kvm_ioctl(kvm.vm_fd, KVM_CREATE_IRQCHIP, NULL);
        if (r < 0) {
            if (m->opts.kernel_irqchip == 1) {
                error_report("KVM: -machine kernel-irqchip=on, but KVM_CREATE_IRQCHIP failed: "
                             "%s", strerror(-r));
                return -1;
            }
            error_report("KVM: no in-kernel irqchip (KVM_CREATE_IRQCHIP: %s); using "
                         "tandem's PIC, APIC and IOAPIC", strerror(-r));
            kvm.irqchip_in_kernel = false;
        } else {
            r = kvm_set_gsi_routing();
            if (r < 0) {
                error_report("KVM: KVM_SET_GSI_ROUTING failed: %s", strerror(-r));
                return -1;
            }
            m->accel_set_irq = kvm_arch_set_irq;
            m->accel_send_msi = kvm_arch_send_msi;
        }
    }
    return kvm_get_supported_cpuid();
}

void kvm_arch_send_msi(Machine *m, uint64_t addr, uint32_t data)
{
    struct kvm_msi msi = { 0 };
    int r;

    msi.address_lo = (uint32_t)addr;
    msi.address_hi = (uint32_t)(addr >> 32);
    msi.data = data;
    r = kvm_ioctl(kvm.vm_fd, KVM_SIGNAL_MSI, &msi);
    if (r < 0) {
        error_report("KVM: KVM_SIGNAL_MSI 0x%" PRIx64 "/0x%x failed: %s", addr, data,
                     strerror(-r));
    }
}

void kvm_arch_set_irq(Machine *m, int gsi, int level)
{
    struct kvm_irq_level l;

    l.irq = (uint32_t)gsi;
    l.level = level ? 1 : 0;
    if (gsi >= 0 && gsi < 64) {
        if (level) {
            kvm.gsi_level |= 1ull << gsi;
        } else {
            kvm.gsi_level &= ~(1ull << gsi);
        }
    }
    kvm_ioctl(kvm.vm_fd, KVM_IRQ_LINE, &l);
}

/* The board's interrupt controllers as they are after reset, read through their registers:
 * the 8259 masks and trigger modes (its vector bases are the PC's 0x08 and 0x70, which
 * tandem's PIC resets to and a PC BIOS programs), the IOAPIC's ID. */
void kvm_arch_irqchip_reset(Machine *m)
{
    struct kvm_irqchip chip;
    uint64_t v;

    for (int slave = 0; slave < 2; slave++) {
        struct kvm_pic_state *p = &chip.chip.pic;
        uint8_t imr = 0xff, elcr = 0;
        if (as_ld(&m->io_as, slave ? 0xa1 : 0x21, 1, &v) == MEMTX_OK) {
            imr = (uint8_t)v;
        }
        if (as_ld(&m->io_as, 0x4d0 + slave, 1, &v) == MEMTX_OK) {
            elcr = (uint8_t)v;
        }
        memset(&chip, 0, sizeof(chip));
        chip.chip_id = slave ? KVM_IRQCHIP_PIC_SLAVE : KVM_IRQCHIP_PIC_MASTER;
        p->irq_base = slave ? 0x70 : 0x08;
        p->imr = imr;
        p->elcr = elcr;
        p->elcr_mask = slave ? 0xde : 0xf8;
        p->init4 = 1;
        if (kvm_ioctl(kvm.vm_fd, KVM_SET_IRQCHIP, &chip) < 0) {
            error_report("KVM: cannot reset the in-kernel 8259 %s", slave ? "slave" : "master");
        }
    }
    memset(&chip, 0, sizeof(chip));
    chip.chip_id = KVM_IRQCHIP_IOAPIC;
    if (kvm_ioctl(kvm.vm_fd, KVM_GET_IRQCHIP, &chip) == 0) {
        struct kvm_ioapic_state *io = &chip.chip.ioapic;
        uint32_t id = 0;
        if (as_st(&m->sysmem_as, IOAPIC_DEFAULT_BASE, 4, 0) == MEMTX_OK &&
            as_ld(&m->sysmem_as, IOAPIC_DEFAULT_BASE + 0x10, 4, &v) == MEMTX_OK) {
            id = (uint32_t)(v >> 24) & IOAPIC_ID_MASK;
        }
        io->base_address = IOAPIC_DEFAULT_BASE;
        io->ioregsel = 0;
        io->id = id;
        io->irr = 0;
        for (int i = 0; i < KVM_IOAPIC_NUM_PINS; i++) {
            io->redirtbl[i].bits = 1ull << 16;      /* masked */
        }
        if (kvm_ioctl(kvm.vm_fd, KVM_SET_IRQCHIP, &chip) < 0) {
            error_report("KVM: cannot reset the in-kernel IOAPIC");
        }
    }
}

static void lapic_set(struct kvm_lapic_state *s, unsigned off, uint32_t v)
{
    memcpy(&s->regs[off], &v, 4);
}

/* The local APIC after power-up (SDM vol. 3A 10.4.7.1): everything masked, the BSP's LINT0
 * in ExtINT mode (virtual wire, as tandem's APIC and a PC BIOS leave it). */
void kvm_arch_lapic_reset(KVMCPU *kv)
{
    CPUState *cs = kv->cs;
    X86CPU *env = x86_cpu(cs);
    struct kvm_lapic_state s;
    uint32_t version;

    if (env->apic_base & APIC_BASE_EXTD) {
        return;
    }
    if (kvm_ioctl(kv->fd, KVM_GET_LAPIC, &s) < 0) {
        return;
    }
    memcpy(&version, &s.regs[0x30], 4);
    memset(s.regs, 0, sizeof(s.regs));
    lapic_set(&s, 0x20, (uint32_t)cs->index << 24);
    lapic_set(&s, 0x30, version);
    lapic_set(&s, 0xe0, 0xffffffffu);
    lapic_set(&s, 0xf0, 0xff);
    for (unsigned off = 0x320; off <= 0x370; off += 0x10) {
        lapic_set(&s, off, 1u << 16);
    }
    lapic_set(&s, 0x2f0, 1u << 16);
    if (env->apic_base & APIC_BASE_BSP) {
        lapic_set(&s, 0x350, APIC_DM_EXTINT << 8);
    }
    if (kvm_ioctl(kv->fd, KVM_SET_LAPIC, &s) < 0) {
        error_report("KVM: cannot reset the in-kernel local APIC of CPU %d", cs->index);
    }
}

/* ---------------------------------------------------------------------------------------
 * CPUID
 * ------------------------------------------------------------------------------------- */

static const struct kvm_cpuid_entry2 *supported(uint32_t fn, uint32_t idx)
{
    const struct kvm_cpuid2 *c = kvm.supported_cpuid;

    for (uint32_t i = 0; c && i < c->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == fn &&
            (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == idx)) {
            return e;
        }
    }
    return NULL;
}

static void cpuid_add(struct kvm_cpuid2 *c, X86CPU *env, uint32_t fn, uint32_t idx,
                      bool indexed)
{
    struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];
    const struct kvm_cpuid_entry2 *s = supported(fn, idx);
    static const struct kvm_cpuid_entry2 none;

    memset(e, 0, sizeof(*e));
    e->function = fn;
    e->index = idx;
    e->flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
    x86_cpuid(env, fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
    if (!s) {
        s = &none;
    }
    switch (fn) {
    case 1:
        e->ecx = (e->ecx & s->ecx) | CPUID_HYPERVISOR;
        e->edx &= s->edx;
        if (!kvm.irqchip_in_kernel) {
            e->ecx &= ~(CPUID_X2APIC | CPUID_TSC_DEADLINE);
        }
        break;
    case 7:
        e->ebx &= s->ebx;
        e->ecx &= s->ecx;
        e->edx &= s->edx;
        break;
    case 0xd:
        if (idx == 0) {
            e->eax &= s->eax;
            e->edx &= s->edx;
        } else if (idx == 1) {
            e->eax &= s->eax;
        }
        break;
    case 0x80000001u:
        e->ecx &= s->ecx;
        e->edx &= s->edx;
        break;
    case 0x80000007u:
        e->edx &= s->edx;
        break;
    default:
        break;
    }
}

static int kvm_set_cpuid(KVMCPU *kv)
{
    X86CPU *env = x86_cpu(kv->cs);
    struct kvm_cpuid2 *c;
    uint32_t a, b, cc, d;
    int r;

    c = xzalloc(sizeof(*c) + 128 * sizeof(c->entries[0]));
    x86_cpuid(env, 0, 0, &a, &b, &cc, &d);
    for (uint32_t fn = 0; fn <= a && c->nent < 100; fn++) {
        switch (fn) {
        case 4:
        case 7:
            cpuid_add(c, env, fn, 0, true);
            break;
        case 0xb:
            for (uint32_t i = 0; i < 3; i++) {
                cpuid_add(c, env, fn, i, true);
            }
            break;
        case 0xd:
            for (uint32_t i = 0; i < 2; i++) {
                cpuid_add(c, env, fn, i, true);
            }
            break;
        default:
            cpuid_add(c, env, fn, 0, false);
            break;
        }
    }
    x86_cpuid(env, 0x80000000u, 0, &a, &b, &cc, &d);
    for (uint32_t fn = 0x80000000u; fn <= a && fn < 0x80000020u; fn++) {
        cpuid_add(c, env, fn, 0, false);
    }
    /* KVM's signature, as QEMU reports it under KVM; no paravirtual features */
    {
        struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];
        memset(e, 0, sizeof(*e));
        e->function = KVM_CPUID_LEAVES;
        e->eax = KVM_CPUID_LEAVES + 1;
        memcpy(&e->ebx, "KVMK", 4);
        memcpy(&e->ecx, "VMKV", 4);
        memcpy(&e->edx, "M\0\0\0", 4);
        e = &c->entries[c->nent++];
        memset(e, 0, sizeof(*e));
        e->function = KVM_CPUID_LEAVES + 1;
    }
    r = kvm_ioctl(kv->fd, KVM_SET_CPUID2, c);
    free(c);
    if (r < 0) {
        error_report("KVM: KVM_SET_CPUID2 failed for CPU %d: %s", kv->cs->index, strerror(-r));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * MSRs
 * ------------------------------------------------------------------------------------- */

#define MSR_MTRR_DEF_TYPE 0x2ff

static const uint32_t kvm_msr_candidates[] = {
    MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
    MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_FMASK, MSR_KERNELGSBASE, MSR_TSC_AUX,
    MSR_IA32_PAT, MSR_IA32_MISC_ENABLE, MSR_IA32_TSC, MSR_MTRR_DEF_TYPE,
    0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
    0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207,
    0x208, 0x209, 0x20a, 0x20b, 0x20c, 0x20d, 0x20e, 0x20f,
};

typedef struct KVMMsrs {
    struct kvm_msrs h;
    struct kvm_msr_entry e[64];
} KVMMsrs;

/* The MSRs this KVM lets us read, each tried alone (KVM_GET_MSRS stops at the first it
 * does not know). */
static void kvm_probe_msrs(KVMCPU *kv)
{
    for (size_t i = 0; i < ARRAY_SIZE(kvm_msr_candidates); i++) {
        KVMMsrs m;
        memset(&m, 0, sizeof(m));
        m.h.nmsrs = 1;
        m.e[0].index = kvm_msr_candidates[i];
        if (ioctl(kv->fd, KVM_GET_MSRS, &m) == 1) {
            kvm.msrs[kvm.nmsrs++] = kvm_msr_candidates[i];
        }
    }
    kvm.msrs_probed = true;
}

static int mtrr_fixed_slot(uint32_t msr)
{
    switch (msr) {
    case 0x250: return 0;
    case 0x258: return 1;
    case 0x259: return 2;
    default: return msr >= 0x268 && msr <= 0x26f ? (int)(msr - 0x268) + 3 : -1;
    }
}

/* The canonical field behind an MSR, or NULL (TSC is special). */
static uint64_t *msr_field(X86CPU *env, uint32_t msr)
{
    X86SysState *sys = x86_sys_state(env);
    int f;

    switch (msr) {
    case MSR_IA32_SYSENTER_CS: return &env->sysenter_cs;
    case MSR_IA32_SYSENTER_ESP: return &env->sysenter_esp;
    case MSR_IA32_SYSENTER_EIP: return &env->sysenter_eip;
    case MSR_STAR: return &env->star;
    case MSR_LSTAR: return &env->lstar;
    case MSR_CSTAR: return &env->cstar;
    case MSR_FMASK: return &env->fmask;
    case MSR_KERNELGSBASE: return &env->kernel_gs_base;
    case MSR_TSC_AUX: return &env->tsc_aux;
    case MSR_IA32_PAT: return &env->pat;
    case MSR_IA32_MISC_ENABLE: return &env->misc_enable;
    case MSR_MTRR_DEF_TYPE: return &sys->mtrr_deftype;
    default:
        break;
    }
    if (msr >= 0x200 && msr <= 0x20f) {
        return &sys->mtrr_var[msr - 0x200];
    }
    f = mtrr_fixed_slot(msr);
    return f >= 0 ? &sys->mtrr_fixed[f] : NULL;
}

/* The host's part of the canonical TSC: x86_rdtsc() = host + tsc_offset. */
static uint64_t tsc_host_part(X86CPU *env)
{
    return x86_rdtsc(env) - (uint64_t)env->tsc_offset;
}

static int get_msrs(KVMCPU *kv, X86CPU *env)
{
    KVMMsrs m;
    int r;

    memset(&m, 0, sizeof(m));
    m.h.nmsrs = (uint32_t)kvm.nmsrs;
    for (int i = 0; i < kvm.nmsrs; i++) {
        m.e[i].index = kvm.msrs[i];
    }
    r = kvm_ioctl(kv->fd, KVM_GET_MSRS, &m);
    if (r < 0) {
        return r;
    }
    for (int i = 0; i < r; i++) {
        uint64_t *f = msr_field(env, m.e[i].index);
        if (m.e[i].index == MSR_IA32_TSC) {
            env->tsc_offset = (int64_t)(m.e[i].data - tsc_host_part(env));
        } else if (f) {
            *f = m.e[i].data;
        }
    }
    return 0;
}

static int put_msrs(KVMCPU *kv, X86CPU *env)
{
    KVMMsrs m;
    int r;

    memset(&m, 0, sizeof(m));
    m.h.nmsrs = (uint32_t)kvm.nmsrs;
    for (int i = 0; i < kvm.nmsrs; i++) {
        uint64_t *f = msr_field(env, kvm.msrs[i]);
        m.e[i].index = kvm.msrs[i];
        m.e[i].data = kvm.msrs[i] == MSR_IA32_TSC ? x86_rdtsc(env) : f ? *f : 0;
    }
    r = kvm_ioctl(kv->fd, KVM_SET_MSRS, &m);
    if (r >= 0 && r < kvm.nmsrs) {
        error_report("KVM: CPU %d: KVM refused MSR 0x%x = 0x%" PRIx64, kv->cs->index,
                     m.e[r].index, (uint64_t)m.e[r].data);
        return -EINVAL;
    }
    return r < 0 ? r : 0;
}

/* ---------------------------------------------------------------------------------------
 * Registers
 * ------------------------------------------------------------------------------------- */

static void regs_from_kvm(X86CPU *env, const struct kvm_regs *r)
{
    env->regs[R_EAX] = r->rax;
    env->regs[R_EBX] = r->rbx;
    env->regs[R_ECX] = r->rcx;
    env->regs[R_EDX] = r->rdx;
    env->regs[R_ESI] = r->rsi;
    env->regs[R_EDI] = r->rdi;
    env->regs[R_ESP] = r->rsp;
    env->regs[R_EBP] = r->rbp;
    env->regs[R_R8] = r->r8;
    env->regs[R_R9] = r->r9;
    env->regs[R_R10] = r->r10;
    env->regs[R_R11] = r->r11;
    env->regs[R_R12] = r->r12;
    env->regs[R_R13] = r->r13;
    env->regs[R_R14] = r->r14;
    env->regs[R_R15] = r->r15;
    env->eip = r->rip;
    x86_eflags_set(env, r->rflags, ~0ull);
}

static void regs_to_kvm(X86CPU *env, struct kvm_regs *r)
{
    r->rax = env->regs[R_EAX];
    r->rbx = env->regs[R_EBX];
    r->rcx = env->regs[R_ECX];
    r->rdx = env->regs[R_EDX];
    r->rsi = env->regs[R_ESI];
    r->rdi = env->regs[R_EDI];
    r->rsp = env->regs[R_ESP];
    r->rbp = env->regs[R_EBP];
    r->r8 = env->regs[R_R8];
    r->r9 = env->regs[R_R9];
    r->r10 = env->regs[R_R10];
    r->r11 = env->regs[R_R11];
    r->r12 = env->regs[R_R12];
    r->r13 = env->regs[R_R13];
    r->r14 = env->regs[R_R14];
    r->r15 = env->regs[R_R15];
    r->rip = env->eip;
    r->rflags = x86_eflags_get(env);
}

static void seg_from_kvm(SegmentCache *sc, const struct kvm_segment *s)
{
    sc->selector = s->selector;
    sc->base = s->base;
    sc->limit = s->limit;
    sc->flags = ((uint32_t)s->type << DESC_TYPE_SHIFT) | ((uint32_t)s->s << 12) |
                ((uint32_t)s->dpl << DESC_DPL_SHIFT) | ((uint32_t)s->present << 15) |
                ((uint32_t)s->avl << 20) | ((uint32_t)s->l << 21) | ((uint32_t)s->db << 22) |
                ((uint32_t)s->g << 23);
}

static void seg_to_kvm(struct kvm_segment *s, const SegmentCache *sc, bool vm86)
{
    uint32_t f = sc->flags;

    memset(s, 0, sizeof(*s));
    s->selector = (uint16_t)sc->selector;
    s->base = sc->base;
    s->limit = sc->limit;
    if (vm86) {
        /* what virtual-8086 mode loads, whatever the cache held before */
        s->type = 3;
        s->s = 1;
        s->dpl = 3;
        s->present = 1;
        return;
    }
    s->type = (f >> DESC_TYPE_SHIFT) & 15;
    s->s = (f & DESC_S_MASK) != 0;
    s->dpl = (f >> DESC_DPL_SHIFT) & 3;
    s->present = (f & DESC_P_MASK) != 0;
    s->avl = (f & DESC_AVL_MASK) != 0;
    s->l = (f & DESC_L_MASK) != 0;
    s->db = (f & DESC_B_MASK) != 0;
    s->g = (f & DESC_G_MASK) != 0;
    s->unusable = !s->present;
}

static const int kvm_seg_order[6] = { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS,
                                       X86_SEG_FS, X86_SEG_GS };

static struct kvm_segment *sregs_seg(struct kvm_sregs *s, int seg)
{
    switch (seg) {
    case X86_SEG_ES: return &s->es;
    case X86_SEG_CS: return &s->cs;
    case X86_SEG_SS: return &s->ss;
    case X86_SEG_DS: return &s->ds;
    case X86_SEG_FS: return &s->fs;
    default: return &s->gs;
    }
}

static void sregs_from_kvm(KVMCPU *kv, X86CPU *env, struct kvm_sregs *s)
{
    for (int i = 0; i < 6; i++) {
        seg_from_kvm(&env->segs[kvm_seg_order[i]], sregs_seg(s, kvm_seg_order[i]));
    }
    seg_from_kvm(&env->ldt, &s->ldt);
    seg_from_kvm(&env->tr, &s->tr);
    env->gdt.base = s->gdt.base;
    env->gdt.limit = s->gdt.limit;
    env->idt.base = s->idt.base;
    env->idt.limit = s->idt.limit;
    env->cr[0] = s->cr0;
    env->cr[2] = s->cr2;
    env->cr[3] = s->cr3;
    env->cr[4] = s->cr4;
    env->efer = s->efer;
    env->apic_base = s->apic_base;
    if (kvm.irqchip_in_kernel) {
        kv->cr8 = s->cr8;
    }
}

static void sregs_to_kvm(KVMCPU *kv, X86CPU *env, struct kvm_sregs *s)
{
    bool vm86 = (env->cr[0] & CR0_PE) && (env->eflags & VM_MASK);

    memset(s, 0, sizeof(*s));
    for (int i = 0; i < 6; i++) {
        seg_to_kvm(sregs_seg(s, kvm_seg_order[i]), &env->segs[kvm_seg_order[i]], vm86);
    }
    seg_to_kvm(&s->ldt, &env->ldt, false);
    seg_to_kvm(&s->tr, &env->tr, false);
    s->tr.unusable = 0;
    s->gdt.base = env->gdt.base;
    s->gdt.limit = (uint16_t)env->gdt.limit;
    s->idt.base = env->idt.base;
    s->idt.limit = (uint16_t)env->idt.limit;
    s->cr0 = env->cr[0];
    s->cr2 = env->cr[2];
    s->cr3 = env->cr[3];
    s->cr4 = env->cr[4];
    s->efer = env->efer;
    s->apic_base = env->apic_base;
    if (kvm.irqchip_in_kernel) {
        s->cr8 = kv->after_reset ? 0 : kv->cr8;
    } else {
        s->cr8 = kv->tpr;
    }
}

bool kvm_arch_regs_from_sync(KVMCPU *kv)
{
    X86CPU *env = x86_cpu(kv->cs);

    if (!kv->sync || kv->dirty) {
        return false;
    }
    regs_from_kvm(env, &kv->run->s.regs.regs);
    x86_update_hflags(env);
    return true;
}

/* ---------------------------------------------------------------------------------------
 * x87/SSE
 * ------------------------------------------------------------------------------------- */

#define XSAVE_HDR_OFFSET 512

static int get_fpu(KVMCPU *kv, X86CPU *env)
{
    uint8_t img[512];
    int r;

    if (kvm.xsave) {
        struct kvm_xsave *xs = xmalloc(sizeof(*xs));
        r = kvm_ioctl(kv->fd, KVM_GET_XSAVE, xs);
        if (r == 0) {
            memcpy(img, xs->region, sizeof(img));
        }
        free(xs);
    } else {
        struct kvm_fpu f;
        r = kvm_ioctl(kv->fd, KVM_GET_FPU, &f);
        if (r == 0) {
            memset(img, 0, sizeof(img));
            memcpy(img, &f.fcw, 2);
            memcpy(img + 2, &f.fsw, 2);
            img[4] = f.ftwx;
            memcpy(img + 6, &f.last_opcode, 2);
            memcpy(img + 8, &f.last_ip, 8);
            memcpy(img + 16, &f.last_dp, 8);
            memcpy(img + 24, &f.mxcsr, 4);
            memcpy(img + 32, f.fpr, 128);
            memcpy(img + 160, f.xmm, 256);
        }
    }
    if (r < 0) {
        return r;
    }
    x86_fxrstor_image(env, img, 16);
    if (kvm.xcrs) {
        struct kvm_xcrs x;
        memset(&x, 0, sizeof(x));
        if (kvm_ioctl(kv->fd, KVM_GET_XCRS, &x) == 0) {
            for (uint32_t i = 0; i < x.nr_xcrs; i++) {
                if (x.xcrs[i].xcr == 0) {
                    env->xcr0 = x.xcrs[i].value;
                }
            }
        }
    }
    return 0;
}

static int put_fpu(KVMCPU *kv, X86CPU *env)
{
    uint8_t img[512];
    int r;

    memset(img, 0, sizeof(img));
    x86_fxsave_image(env, img, 16);
    if (kvm.xsave) {
        struct kvm_xsave *xs = xzalloc(sizeof(*xs));
        uint64_t bv = 3;        /* x87 and SSE state present */
        memcpy(xs->region, img, sizeof(img));
        memcpy((uint8_t *)xs->region + XSAVE_HDR_OFFSET, &bv, 8);
        r = kvm_ioctl(kv->fd, KVM_SET_XSAVE, xs);
        free(xs);
    } else {
        struct kvm_fpu f;
        memset(&f, 0, sizeof(f));
        memcpy(&f.fcw, img, 2);
        memcpy(&f.fsw, img + 2, 2);
        f.ftwx = img[4];
        memcpy(&f.mxcsr, img + 24, 4);
        memcpy(f.fpr, img + 32, 128);
        memcpy(f.xmm, img + 160, 256);
        r = kvm_ioctl(kv->fd, KVM_SET_FPU, &f);
    }
    if (r < 0) {
        return r;
    }
    if (kvm.xcrs) {
        struct kvm_xcrs x;
        memset(&x, 0, sizeof(x));
        x.nr_xcrs = 1;
        x.xcrs[0].xcr = 0;
        x.xcrs[0].value = env->xcr0;
        r = kvm_ioctl(kv->fd, KVM_SET_XCRS, &x);
    }
    return r;
}

/* ---------------------------------------------------------------------------------------
 * Events, debug registers, MP state
 * ------------------------------------------------------------------------------------- */

static bool has_error_code(int v)
{
    return v == EXCP08_DBLE || (v >= EXCP0A_TSS && v <= EXCP0E_PAGE) || v == EXCP11_ALGN;
}

static int get_events(KVMCPU *kv, X86CPU *env)
{
    struct kvm_vcpu_events ev;
    X86SysState *sys = x86_sys_state(env);
    int r;

    if (!kvm.vcpu_events) {
        return 0;
    }
    memset(&ev, 0, sizeof(ev));
    r = kvm_ioctl(kv->fd, KVM_GET_VCPU_EVENTS, &ev);
    if (r < 0) {
        return r;
    }
    kv->events = ev;
    kv->have_events = true;
    if (ev.interrupt.shadow) {
        env->hflags |= HF_INHIBIT_IRQ;
    } else {
        env->hflags &= ~(uint32_t)HF_INHIBIT_IRQ;
    }
    sys->nmi_blocked = ev.nmi.masked != 0;
    if (ev.flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR) {
        env->sipi_vector = (int)ev.sipi_vector;
    }
    return 0;
}

static int put_events(KVMCPU *kv, X86CPU *env)
{
    CPUState *cs = kv->cs;
    struct kvm_vcpu_events ev;
    X86SysState *sys = x86_sys_state(env);

    if (!kvm.vcpu_events) {
        return 0;
    }
    if (kv->have_events && !kv->after_reset) {
        ev = kv->events;
    } else {
        memset(&ev, 0, sizeof(ev));
    }
    ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR |
               KVM_VCPUEVENT_VALID_SHADOW;
    ev.exception.pending = 0;
    ev.interrupt.shadow = (env->hflags & HF_INHIBIT_IRQ) ? KVM_X86_SHADOW_INT_MOV_SS : 0;
    ev.nmi.masked = sys->nmi_blocked;
    ev.sipi_vector = (uint32_t)env->sipi_vector & 0xff;
    /* an exception the software CPU raised but has not delivered yet */
    if (cs->exception_index >= 0 && cs->exception_index < 32 && !ev.exception.injected) {
        ev.exception.injected = 1;
        ev.exception.nr = (uint8_t)cs->exception_index;
        ev.exception.has_error_code = has_error_code(cs->exception_index);
        ev.exception.error_code = (uint32_t)env->error_code;
        cs->exception_index = EXCP_NONE;
    }
    kv->have_events = false;
    return kvm_ioctl(kv->fd, KVM_SET_VCPU_EVENTS, &ev);
}

bool kvm_arch_event_in_flight(KVMCPU *kv)
{
    const struct kvm_vcpu_events *e = &kv->events;

    return kv->have_events && (e->exception.injected || e->exception.pending ||
                               e->interrupt.injected || e->nmi.injected || e->nmi.pending);
}

static int get_debugregs(KVMCPU *kv, X86CPU *env)
{
    struct kvm_debugregs d;
    int r;

    if (!kvm.debugregs) {
        return 0;
    }
    r = kvm_ioctl(kv->fd, KVM_GET_DEBUGREGS, &d);
    if (r < 0) {
        return r;
    }
    for (int i = 0; i < 4; i++) {
        env->dr[i] = d.db[i];
    }
    env->dr[6] = d.dr6;
    env->dr[7] = d.dr7;
    return 0;
}

static int put_debugregs(KVMCPU *kv, X86CPU *env)
{
    struct kvm_debugregs d;

    if (!kvm.debugregs) {
        return 0;
    }
    memset(&d, 0, sizeof(d));
    for (int i = 0; i < 4; i++) {
        d.db[i] = env->dr[i];
    }
    d.dr6 = env->dr[6];
    d.dr7 = env->dr[7];
    return kvm_ioctl(kv->fd, KVM_SET_DEBUGREGS, &d);
}

static int get_mp_state(KVMCPU *kv, X86CPU *env)
{
    struct kvm_mp_state mp;
    X86SysState *sys = x86_sys_state(env);
    int r;

    if (!kvm.irqchip_in_kernel) {
        return 0;       /* the canonical halted/wait-for-SIPI state is tandem's */
    }
    r = kvm_ioctl(kv->fd, KVM_GET_MP_STATE, &mp);
    if (r < 0) {
        return r;
    }
    sys->wait_for_sipi = mp.mp_state == KVM_MP_STATE_UNINITIALIZED ||
                         mp.mp_state == KVM_MP_STATE_INIT_RECEIVED;
    kv->halted = sys->wait_for_sipi || mp.mp_state == KVM_MP_STATE_HALTED;
    return 0;
}

static int put_mp_state(KVMCPU *kv, X86CPU *env)
{
    struct kvm_mp_state mp;
    X86SysState *sys = x86_sys_state(env);

    if (!kvm.irqchip_in_kernel) {
        return 0;
    }
    mp.mp_state = sys->wait_for_sipi ? KVM_MP_STATE_INIT_RECEIVED :
                  kv->halted ? KVM_MP_STATE_HALTED : KVM_MP_STATE_RUNNABLE;
    return kvm_ioctl(kv->fd, KVM_SET_MP_STATE, &mp);
}

/* ---------------------------------------------------------------------------------------
 * get/put
 * ------------------------------------------------------------------------------------- */

int kvm_arch_get_state(KVMCPU *kv)
{
    X86CPU *env = x86_cpu(kv->cs);
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    int r;

    if (kv->sync) {
        regs_from_kvm(env, &kv->run->s.regs.regs);
    } else {
        r = kvm_ioctl(kv->fd, KVM_GET_REGS, &regs);
        if (r < 0) {
            goto fail;
        }
        regs_from_kvm(env, &regs);
    }
    r = kvm_ioctl(kv->fd, KVM_GET_SREGS, &sregs);
    if (r < 0) {
        goto fail;
    }
    sregs_from_kvm(kv, env, &sregs);
    if ((r = get_msrs(kv, env)) < 0 || (r = get_fpu(kv, env)) < 0 ||
        (r = get_events(kv, env)) < 0 || (r = get_debugregs(kv, env)) < 0 ||
        (r = get_mp_state(kv, env)) < 0) {
        goto fail;
    }
    x86_update_hflags(env);     /* after DR7 too: it selects breakpoint checks */
    return 0;
fail:
    error_report("KVM: cannot read the state of CPU %d: %s", kv->cs->index, strerror(-r));
    return -1;
}

int kvm_arch_put_state(KVMCPU *kv)
{
    CPUState *cs = kv->cs;
    X86CPU *env = x86_cpu(cs);
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    const char *what;
    int r;

    if (!kvm.irqchip_in_kernel && x86_apic_hooks.get_tpr) {
        kv->tpr = x86_apic_hooks.get_tpr(x86_apic_hooks.opaque, cs);
        kv->run->cr8 = kv->tpr;
    }
    sregs_to_kvm(kv, env, &sregs);
    what = "KVM_SET_SREGS";
    r = kvm_ioctl(kv->fd, KVM_SET_SREGS, &sregs);
    if (r < 0) {
        goto fail;
    }
    memset(&regs, 0, sizeof(regs));
    regs_to_kvm(env, &regs);
    what = "KVM_SET_REGS";
    if ((r = kvm_ioctl(kv->fd, KVM_SET_REGS, &regs)) < 0) {
        goto fail;
    }
    what = "KVM_SET_MSRS";
    if ((r = put_msrs(kv, env)) < 0) {
        goto fail;
    }
    what = "the x87/SSE state";
    if ((r = put_fpu(kv, env)) < 0) {
        goto fail;
    }
    what = "KVM_SET_VCPU_EVENTS";
    if ((r = put_events(kv, env)) < 0) {
        goto fail;
    }
    what = "KVM_SET_DEBUGREGS";
    if ((r = put_debugregs(kv, env)) < 0) {
        goto fail;
    }
    if (kvm.irqchip_in_kernel && kv->after_reset) {
        kvm_arch_lapic_reset(kv);
    }
    what = "KVM_SET_MP_STATE";
    if ((r = put_mp_state(kv, env)) < 0) {
        goto fail;
    }
    kv->after_reset = false;
    return 0;
fail:
    bql_lock();
    if (!strcmp(what, "KVM_SET_SREGS") && kvm.pvm && (env->efer & EFER_LMA)) {
        error_report("KVM: CPU %d: this host's KVM is PVM-based and refuses to load a CPU "
                     "state that is already in long mode (%s: %s); under kvm here a guest "
                     "must switch to long mode itself", cs->index, what, strerror(-r));
    } else {
        error_report("KVM: CPU %d: KVM refused the CPU state (%s: %s)", cs->index, what,
                     strerror(-r));
    }
    cs->cc->dump_state(cs, stderr);
    bql_unlock();
    return -1;
}

bool kvm_arch_long_mode(CPUState *cs)
{
    return (x86_cpu(cs)->efer & EFER_LMA) != 0;
}

uint32_t kvm_arch_code_flags(CPUState *cs)
{
    return x86_cpu(cs)->hflags & HF_TB_KEY_MASK;
}

int kvm_arch_vcpu_init(KVMCPU *kv)
{
    if (kvm_set_cpuid(kv) < 0) {
        return -1;
    }
    if (!kvm.msrs_probed) {
        kvm_probe_msrs(kv);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Userspace irqchip: INIT/SIPI, NMI, interrupt injection, TPR
 * ------------------------------------------------------------------------------------- */

#define KVM_CPU_INIT_REQS (CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI | CPU_INTERRUPT_SMI | \
                           CPU_INTERRUPT_EXITTB)

int kvm_arch_pre_run(KVMCPU *kv)
{
    CPUState *cs = kv->cs;
    X86CPU *env = x86_cpu(cs);
    struct kvm_run *run = kv->run;
    uint32_t req = cs->interrupt_request;

    if (req & KVM_CPU_INIT_REQS) {
        bool state = (req & (CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI)) != 0;
        if (state) {
            kvm_sync_state(cs);        /* INIT keeps MTRRs, PAT, TSC, APIC base */
        }
        bql_lock();
        while ((req = cs->interrupt_request & KVM_CPU_INIT_REQS) != 0) {
            if (req & CPU_INTERRUPT_INIT) {
                kv->after_reset = true;
            }
            cs->cc->exec_interrupt(cs, req);
        }
        bql_unlock();
        if (state) {
            kv->dirty = true;
            kv->valid = false;
        }
    }
    if (x86_sys_state(env)->wait_for_sipi) {
        cs->halted = true;
        return 1;
    }
    if (cs->interrupt_request & CPU_INTERRUPT_NMI) {
        X86SysState *sys = x86_sys_state(env);
        bql_lock();
        if (sys->nmi_pending > 0) {
            sys->nmi_pending--;
        }
        if (!sys->nmi_pending) {
            cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        }
        bql_unlock();
        if (kvm_ioctl(kv->fd, KVM_NMI, NULL) == 0) {
            kv->nmis_injected++;
        }
        cs->halted = false;
    }
    if (cs->interrupt_request & CPU_INTERRUPT_HARD) {
        if (!kv->dirty && run->ready_for_interrupt_injection && run->if_flag) {
            int vec;
            bql_lock();
            cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
            vec = cs->get_interrupt_vector ? cs->get_interrupt_vector(cs->irq_opaque, cs) : -1;
            bql_unlock();
            if (vec >= 0) {
                struct kvm_interrupt irq = { .irq = (uint32_t)vec & 0xff };
                if (kvm_ioctl(kv->fd, KVM_INTERRUPT, &irq) == 0) {
                    kv->irqs_injected++;
                }
                cs->halted = false;
            }
        } else {
            /* HLT ends on a pending interrupt even when it must wait for the window */
            cs->halted = false;
        }
    }
    if (cs->halted) {
        return 1;
    }
    run->request_interrupt_window = (cs->interrupt_request & CPU_INTERRUPT_HARD) ? 1 : 0;
    run->cr8 = kv->tpr;
    return 0;
}

void kvm_arch_post_run(KVMCPU *kv)
{
    uint8_t tpr = (uint8_t)(kv->run->cr8 & 0xf);

    if (tpr != kv->tpr) {
        kv->tpr = tpr;
        if (x86_apic_hooks.set_tpr) {
            x86_apic_hooks.set_tpr(x86_apic_hooks.opaque, kv->cs, tpr);
        }
    }
}

void kvm_arch_mmio_done(KVMCPU *kv, uint64_t addr)
{
    X86CPU *env = x86_cpu(kv->cs);

    if ((addr & ~0xfffull) == (env->apic_base & APIC_BASE_ADDR_MASK) &&
        x86_apic_hooks.get_tpr) {
        kv->tpr = x86_apic_hooks.get_tpr(x86_apic_hooks.opaque, kv->cs);
    }
}

/* ---------------------------------------------------------------------------------------
 * Single-stepping a HLT on PVM
 * ------------------------------------------------------------------------------------- */

bool kvm_arch_step_hlt(KVMCPU *kv)
{
    CPUState *cs = kv->cs;
    X86CPU *env = x86_cpu(cs);
    struct kvm_translation tr;
    const FlatRange *fr;

    kvm_sync_state(cs);     /* cheap when the state is current (lockstep reads it anyway) */
    memset(&tr, 0, sizeof(tr));
    tr.linear_address = env->segs[X86_SEG_CS].base + env->eip;
    if (kvm_ioctl(kv->fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid) {
        return false;
    }
    fr = as_lookup(cs->as, tr.physical_address);
    if (!fr || (fr->mr->type != MR_RAM && fr->mr->type != MR_ROM) || !fr->mr->ram ||
        fr->mr->ram[tr.physical_address - fr->start + fr->offset] != 0xf4) {
        return false;
    }
    env->eip++;
    env->hflags &= ~(uint32_t)HF_INHIBIT_IRQ;
    cs->halted = true;
    kv->dirty = true;
    kv->valid = false;
    return true;
}

/* ---------------------------------------------------------------------------------------
 * Switching accelerators with the in-kernel irqchip: KVM's 8259s, IOAPIC and local APICs
 * to and from tandem's models (hw/intc), through their get/set-state functions.
 * ------------------------------------------------------------------------------------- */

#define MSR_TSC_DEADLINE 0x6e0

static Device *find_device(Machine *m, const DeviceClass *cls)
{
    for (Device *d = m->devices; d; d = d->next) {
        if (d->cls == cls) {
            return d;
        }
    }
    return NULL;
}

bool kvm_arch_irqchip_movable(Machine *m, const char **why)
{
    if (!find_device(m, &i8259_class) || !find_device(m, &ioapic_class)) {
        *why = "this board has no tandem 8259/IOAPIC to take the in-kernel irqchip's state";
        return false;
    }
    for (int i = 0; i < m->ncpus; i++) {
        if (!apic_of_cpu(m->cpus[i])) {
            *why = "a CPU has no tandem local APIC to take the in-kernel APIC's state";
            return false;
        }
    }
    return true;
}

static uint32_t lapic_get(const struct kvm_lapic_state *s, unsigned off)
{
    uint32_t v;

    memcpy(&v, &s->regs[off], 4);
    return v;
}

/* Offsets of ApicCpuState.lvt[] in the register page. */
static const unsigned lapic_lvt_off[APIC_STATE_LVTS] = {
    0x320, 0x330, 0x340, 0x350, 0x360, 0x370, 0x2f0,
};

static int msr_tsc_deadline(KVMCPU *kv, uint64_t *val, bool set)
{
    struct {
        struct kvm_msrs h;
        struct kvm_msr_entry e[1];
    } m;
    int r;

    memset(&m, 0, sizeof(m));
    m.h.nmsrs = 1;
    m.e[0].index = MSR_TSC_DEADLINE;
    m.e[0].data = *val;
    r = kvm_ioctl(kv->fd, set ? KVM_SET_MSRS : KVM_GET_MSRS, &m);
    if (r == 1 && !set) {
        *val = m.e[0].data;
    }
    return r;
}

/* Where GSI gsi arrives at the IOAPIC (the board's routing, as kvm_set_gsi_routing). */
static int gsi_pin(int gsi)
{
    return gsi == 0 ? 2 : gsi;
}

int kvm_arch_irqchip_to_models(Machine *m, const char **why)
{
    struct kvm_irqchip pic[2], io;
    Device *pdev = find_device(m, &i8259_class), *iodev = find_device(m, &ioapic_class);
    I8259ChipState ps[2];
    IoapicStateRegs is;

    if (!kvm.irqchip_in_kernel) {
        return 0;
    }
    if (!kvm_arch_irqchip_movable(m, why)) {
        return -1;
    }
    for (int c = 0; c < 2; c++) {
        memset(&pic[c], 0, sizeof(pic[c]));
        pic[c].chip_id = c ? KVM_IRQCHIP_PIC_SLAVE : KVM_IRQCHIP_PIC_MASTER;
        if (kvm_ioctl(kvm.vm_fd, KVM_GET_IRQCHIP, &pic[c]) < 0) {
            *why = "KVM_GET_IRQCHIP failed for an in-kernel 8259";
            return -1;
        }
    }
    memset(&io, 0, sizeof(io));
    io.chip_id = KVM_IRQCHIP_IOAPIC;
    if (kvm_ioctl(kvm.vm_fd, KVM_GET_IRQCHIP, &io) < 0) {
        *why = "KVM_GET_IRQCHIP failed for the in-kernel IOAPIC";
        return -1;
    }
    for (int i = 0; i < m->ncpus; i++) {
        KVMCPU *kv = kvm_cpu(m->cpus[i]);
        if (!kv || kvm_ioctl(kv->fd, KVM_GET_LAPIC, &kv->lapic) < 0) {
            *why = "KVM_GET_LAPIC failed";
            return -1;
        }
        kv->tsc_deadline = 0;
        msr_tsc_deadline(kv, &kv->tsc_deadline, false);
    }

    /* the local APICs first: the IOAPIC may deliver into them when it is loaded */
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cs = m->cpus[i];
        KVMCPU *kv = kvm_cpu(cs);
        const struct kvm_lapic_state *l = &kv->lapic;
        ApicCpuState a;

        memset(&a, 0, sizeof(a));
        a.apic_base = x86_cpu(cs)->apic_base;
        a.id = lapic_get(l, 0x20) >> 24;
        a.tpr = lapic_get(l, 0x80);
        a.ldr = lapic_get(l, 0xd0);
        a.dfr = lapic_get(l, 0xe0);
        a.svr = lapic_get(l, 0xf0);
        a.esr = lapic_get(l, 0x280);
        for (int w = 0; w < 8; w++) {
            a.isr[w] = lapic_get(l, 0x100 + 0x10 * w);
            a.tmr[w] = lapic_get(l, 0x180 + 0x10 * w);
            a.irr[w] = lapic_get(l, 0x200 + 0x10 * w);
        }
        for (int v = 0; v < APIC_STATE_LVTS; v++) {
            a.lvt[v] = lapic_get(l, lapic_lvt_off[v]);
        }
        a.icr_lo = lapic_get(l, 0x300);
        a.icr_hi = lapic_get(l, 0x310);
        a.timer_initial = lapic_get(l, 0x380);
        a.timer_current = lapic_get(l, 0x390);
        a.timer_dcr = lapic_get(l, 0x3e0);
        a.tsc_deadline = kv->tsc_deadline;
        apic_set_state(apic_of_cpu(cs), &a);
    }

    ioapic_get_state(iodev, &is);
    is.ioregsel = io.chip.ioapic.ioregsel;
    is.id = (uint8_t)io.chip.ioapic.id;
    is.arb = is.id;
    /* pins 16-23 may also be driven directly by the PIIX3 (not through KVM): keep those */
    is.level &= 0xff0000u;
    for (int gsi = 0; gsi < IOAPIC_NUM_PINS; gsi++) {
        if (gsi != 2 && (kvm.gsi_level & (1ull << gsi))) {
            is.level |= 1u << gsi_pin(gsi);
        }
    }
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        is.redir[pin] = io.chip.ioapic.redirtbl[pin].bits;
    }
    ioapic_set_state(iodev, &is);

    for (int c = 0; c < 2; c++) {
        const struct kvm_pic_state *k = &pic[c].chip.pic;
        I8259ChipState *t = &ps[c];
        memset(t, 0, sizeof(*t));
        t->irr = k->irr;
        t->isr = k->isr;
        t->imr = k->imr;
        t->input = (uint8_t)(kvm.gsi_level >> (c * 8));
        t->elcr = k->elcr;
        t->vector_base = k->irq_base;
        t->highest = k->priority_add & 7;
        t->init_step = k->init_state ? (uint8_t)(k->init_state + 1) : 0;
        t->icw1 = I8259_ICW1_INIT | (k->init4 ? I8259_ICW1_IC4 : 0);
        t->icw3 = c ? 2 : 1u << 2;
        t->icw4 = 0x01 | (k->auto_eoi ? I8259_ICW4_AEOI : 0) |
                  (k->special_fully_nested_mode ? I8259_ICW4_SFNM : 0);
        t->rotate_aeoi = k->rotate_on_auto_eoi;
        t->special_mask = k->special_mask;
        t->read_isr = k->read_reg_select;
        t->poll = k->poll;
    }
    i8259_set_state(pdev, ps);

    m->accel_set_irq = NULL;
    m->accel_send_msi = NULL;
    for (int i = 0; i < m->ncpus; i++) {
        KVMCPU *kv = kvm_cpu(m->cpus[i]);
        m->cpus[i]->halted = kv->halted;    /* the MP state read by get_state */
    }
    return 0;
}

static void lapic_put(struct kvm_lapic_state *s, unsigned off, uint32_t v)
{
    memcpy(&s->regs[off], &v, 4);
}

int kvm_arch_irqchip_from_models(Machine *m, const char **why)
{
    struct kvm_irqchip chip;
    Device *pdev = find_device(m, &i8259_class), *iodev = find_device(m, &ioapic_class);
    I8259ChipState ps[2];
    IoapicStateRegs is;
    uint64_t levels = 0;
    uint32_t level_trig = 0;

    if (!kvm.irqchip_in_kernel) {
        return 0;
    }
    if (!kvm_arch_irqchip_movable(m, why)) {
        return -1;
    }
    /* the local APICs first (KVM_SET_LAPIC): the IOAPIC may deliver into them */
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cs = m->cpus[i];
        KVMCPU *kv = kvm_cpu(cs);
        struct kvm_lapic_state *l = &kv->lapic;
        struct {
            struct kvm_msrs h;
            struct kvm_msr_entry e[1];
        } base;
        ApicCpuState a;

        apic_get_state(apic_of_cpu(cs), &a);
        memset(&base, 0, sizeof(base));
        base.h.nmsrs = 1;
        base.e[0].index = MSR_IA32_APICBASE;
        base.e[0].data = a.apic_base;
        if (kvm_ioctl(kv->fd, KVM_SET_MSRS, &base) != 1 ||
            kvm_ioctl(kv->fd, KVM_GET_LAPIC, l) < 0) {
            *why = "KVM refused the local APIC base, or KVM_GET_LAPIC failed";
            return -1;
        }
        lapic_put(l, 0x20, a.id << 24);
        lapic_put(l, 0x80, a.tpr);
        lapic_put(l, 0x90, 0);
        lapic_put(l, 0xa0, 0);
        lapic_put(l, 0xd0, a.ldr);
        lapic_put(l, 0xe0, a.dfr);
        lapic_put(l, 0xf0, a.svr);
        lapic_put(l, 0x280, a.esr);
        for (int w = 0; w < 8; w++) {
            lapic_put(l, 0x100 + 0x10 * w, a.isr[w]);
            lapic_put(l, 0x180 + 0x10 * w, a.tmr[w]);
            lapic_put(l, 0x200 + 0x10 * w, a.irr[w]);
        }
        for (int v = 0; v < APIC_STATE_LVTS; v++) {
            lapic_put(l, lapic_lvt_off[v], a.lvt[v]);
        }
        lapic_put(l, 0x300, a.icr_lo);
        lapic_put(l, 0x310, a.icr_hi);
        lapic_put(l, 0x380, a.timer_initial);
        lapic_put(l, 0x390, a.timer_current);
        lapic_put(l, 0x3e0, a.timer_dcr);
        if (kvm_ioctl(kv->fd, KVM_SET_LAPIC, l) < 0) {
            *why = "KVM_SET_LAPIC refused a local APIC state";
            return -1;
        }
        kv->tsc_deadline = a.tsc_deadline;
        if (a.tsc_deadline) {
            msr_tsc_deadline(kv, &kv->tsc_deadline, true);
        }
        /* what put_state loads next must not undo this: CR8 is the TPR, no APIC reset */
        kv->cr8 = (a.tpr >> 4) & 0xf;
        kv->after_reset = false;
    }

    i8259_get_state(pdev, ps);
    for (int c = 0; c < 2; c++) {
        const I8259ChipState *t = &ps[c];
        struct kvm_pic_state *k = &chip.chip.pic;
        uint8_t lvl = (t->icw1 & I8259_ICW1_LTIM) ? 0xff : t->elcr;
        memset(&chip, 0, sizeof(chip));
        chip.chip_id = c ? KVM_IRQCHIP_PIC_SLAVE : KVM_IRQCHIP_PIC_MASTER;
        k->last_irr = t->input;
        k->irr = (uint8_t)((t->irr & ~lvl) | (t->input & lvl));
        k->imr = t->imr;
        k->isr = t->isr;
        k->priority_add = t->highest;
        k->irq_base = t->vector_base;
        k->read_reg_select = t->read_isr;
        k->poll = t->poll;
        k->special_mask = t->special_mask;
        k->init_state = t->init_step ? (uint8_t)(t->init_step - 1) : 0;
        k->auto_eoi = (t->icw4 & I8259_ICW4_AEOI) != 0;
        k->rotate_on_auto_eoi = t->rotate_aeoi;
        k->special_fully_nested_mode = (t->icw4 & I8259_ICW4_SFNM) != 0;
        k->init4 = (t->icw1 & I8259_ICW1_IC4) != 0;
        k->elcr = lvl;
        k->elcr_mask = c ? 0xde : 0xf8;
        if (kvm_ioctl(kvm.vm_fd, KVM_SET_IRQCHIP, &chip) < 0) {
            *why = "KVM_SET_IRQCHIP refused an 8259 state";
            return -1;
        }
        levels |= (uint64_t)(t->input & (c ? 0xff : 0xfb)) << (c * 8);
        level_trig |= (uint32_t)lvl << (c * 8);
    }

    ioapic_get_state(iodev, &is);
    for (int gsi = 16; gsi < IOAPIC_NUM_PINS; gsi++) {
        if (is.level & (1u << gsi)) {
            levels |= 1ull << gsi;
        }
    }
    memset(&chip, 0, sizeof(chip));
    chip.chip_id = KVM_IRQCHIP_IOAPIC;
    chip.chip.ioapic.base_address = IOAPIC_DEFAULT_BASE;
    chip.chip.ioapic.ioregsel = is.ioregsel;
    chip.chip.ioapic.id = is.id;
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        chip.chip.ioapic.redirtbl[pin].bits = is.redir[pin];
        if (is.redir[pin] & (1ull << 15)) {
            level_trig |= 1u << (pin == 2 ? 0 : pin);
            /* an asserted level pin is pending in KVM's IRR (KVM delivers it if it can) */
            if (is.level & (1u << pin)) {
                chip.chip.ioapic.irr |= 1u << pin;
            }
        }
    }
    if (kvm_ioctl(kvm.vm_fd, KVM_SET_IRQCHIP, &chip) < 0) {
        *why = "KVM_SET_IRQCHIP refused the IOAPIC state";
        return -1;
    }

    /*
     * The lines: KVM keeps their levels itself. A low line is lowered; an asserted
     * level-triggered one is asserted again so that it is not lost; an asserted
     * edge-triggered one is left low there (asserting it would be a new edge at the IOAPIC).
     */
    for (int gsi = 0; gsi < IOAPIC_NUM_PINS; gsi++) {
        bool up = (levels >> gsi) & 1;
        if (gsi == 2) {
            continue;
        }
        kvm_arch_set_irq(m, gsi, up && (level_trig & (1u << gsi)));
    }
    kvm.gsi_level = levels;
    kvm.irqchip_reset_pending = false;
    m->accel_set_irq = kvm_arch_set_irq;
    m->accel_send_msi = kvm_arch_send_msi;
    return 0;
}

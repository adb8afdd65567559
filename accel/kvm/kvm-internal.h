/* SPDX-License-Identifier: MIT */
/*
 * accel/kvm/kvm-internal.h — what the KVM accelerator's generic part (kvm-all.c: the VM,
 * memory slots, the run loop and its exits) and its x86 part (kvm_x86.c: registers,
 * CPUID, MSRs, interrupt controllers) share. Nothing outside accel/kvm includes it.
 */
#ifndef ACCEL_KVM_INTERNAL_H
#define ACCEL_KVM_INTERNAL_H

#include "accel/accel.h"
#include <linux/kvm.h>

/* Exit reasons counted one by one (KVM_EXIT_* below this); the rest share the last slot. */
#define KVM_STAT_EXITS 40

/* Per-vCPU state (cs->kvm_state). */
typedef struct KVMCPU {
    CPUState *cs;
    int fd;                     /* the vCPU's file descriptor */
    struct kvm_run *run;        /* the shared kvm_run page(s) */
    /*
     * The canonical state (X86CPU) and KVM's copy:
     *  dirty   the canonical state was changed from outside (reset, loader, INIT/SIPI in
     *          userspace, monitor, switch): load all of it into KVM before KVM_RUN;
     *  valid   the canonical state holds KVM's current state (get_state ran since the
     *          last KVM_RUN): get_state has nothing to do;
     *  sync    run->s.regs.regs holds the general registers KVM stored at the last exit.
     */
    bool dirty, valid, sync;
    bool io_pending;            /* an I/O or MMIO exit is handled but not yet completed */
    bool after_reset;           /* reset or INIT since the last put: drop in-flight events */
    bool single_step;           /* KVM_GUESTDBG_SINGLESTEP is on */
    bool failed;                /* a fatal exit was reported: never enter the guest again */
    bool halted;                /* in-kernel irqchip: the canonical HLT state to put as MP state */
    uint8_t tpr;                /* userspace irqchip: the TPR (CR8) last exchanged with KVM */
    /* in-flight events from the last get_state, put back unless a reset intervened */
    struct kvm_vcpu_events events;
    bool have_events;
    uint64_t cr8;               /* in-kernel irqchip: CR8 (the in-kernel APIC's TPR) at get */
    struct kvm_lapic_state lapic;   /* in-kernel irqchip: the APIC moved at a switch */
    uint64_t tsc_deadline;      /* and its IA32_TSC_DEADLINE */
    /* statistics */
    uint64_t exits[KVM_STAT_EXITS];
    uint64_t runs, irqs_injected, nmis_injected, state_gets, state_puts;
} KVMCPU;

#define KVM_MAX_SLOTS 64

typedef struct KVMSlot {
    bool used;
    uint64_t gpa, size;
    void *hva;
    uint32_t flags;
} KVMSlot;

/* The VM (one per process). */
typedef struct KVMState {
    int fd;                     /* /dev/kvm (or $TANDEM_KVM_DEVICE) */
    int vm_fd;
    Machine *m;
    size_t run_size;
    bool irqchip_in_kernel;
    bool irqchip_reset_pending; /* machine reset: put the board's PIC/IOAPIC state into KVM */
    uint64_t gsi_level;         /* in-kernel irqchip: GSI n's level (KVM_IRQ_LINE), bit n */
    bool sync_regs, xsave, xcrs, debugregs, vcpu_events, readonly_mem;
    bool pvm;                   /* a PVM-based KVM: instructions emulated in the kernel */
    MemListener listener;
    KVMSlot slots[KVM_MAX_SLOTS];
    uint64_t slot_changes;
    struct kvm_cpuid2 *supported_cpuid;
    uint32_t msrs[64];          /* the MSRs synchronised, as probed on the first vCPU */
    int nmsrs;
    bool msrs_probed;
} KVMState;

extern KVMState kvm;

static inline KVMCPU *kvm_cpu(CPUState *cs)
{
    return cs->kvm_state;
}

/* kvm-all.c: an ioctl retried on EINTR; -errno on failure. */
int kvm_ioctl(int fd, unsigned long req, void *arg);
/* kvm-all.c: AccelOps.get_state (the canonical state made current, if it is not). */
void kvm_sync_state(CPUState *cs);

/* ---- kvm_x86.c ---- */
/* VM-wide set-up after KVM_CREATE_VM: TSS/identity map, the in-kernel irqchip and its GSI
 * routing (when kvm.irqchip_in_kernel). 0 or -1 after error_report(). */
int kvm_arch_init(Machine *m);
/* After KVM_CREATE_VCPU: CPUID, the MSR list. 0 or -1 after error_report(). */
int kvm_arch_vcpu_init(KVMCPU *kv);
/* KVM's state -> canonical (everything: registers, MSRs, FPU, events, MP state). */
int kvm_arch_get_state(KVMCPU *kv);
/* Canonical -> KVM. -1 after error_report() (e.g. PVM refusing a long-mode state). */
int kvm_arch_put_state(KVMCPU *kv);
/* The general registers, RIP and RFLAGS from the last exit's sync area into the canonical
 * state (cheap: no system call; enough for HLT's has_work test); false when the area is
 * not valid. */
bool kvm_arch_regs_from_sync(KVMCPU *kv);
/* Before KVM_RUN with the userspace irqchip: INIT/SIPI, NMI and interrupt injection, TPR.
 * Returns 1 when the vCPU is halted (the caller returns VCPU_EXIT_HALT), 0 to run, -1 on a
 * fatal error (reported). */
int kvm_arch_pre_run(KVMCPU *kv);
/* After KVM_RUN with the userspace irqchip: the TPR back to tandem's APIC. */
void kvm_arch_post_run(KVMCPU *kv);
/* After an MMIO exit with the userspace irqchip: the TPR may have been written. */
void kvm_arch_mmio_done(KVMCPU *kv, uint64_t addr);
/* The in-kernel PIC and IOAPIC take the board's reset state (machine reset). */
void kvm_arch_irqchip_reset(Machine *m);
/* The in-kernel local APIC of kv takes its reset state. */
void kvm_arch_lapic_reset(KVMCPU *kv);
/* Whether the board has tandem's 8259, IOAPIC and a local APIC per CPU to move the
 * in-kernel irqchip's state into; false with *why set when not. */
bool kvm_arch_irqchip_movable(Machine *m, const char **why);
/* Switching off KVM with the in-kernel irqchip: its 8259s, IOAPIC and local APICs (with
 * the GSI levels and the vCPUs' halted state) into tandem's models, and the board's GSIs
 * back to them (Machine.accel_set_irq = NULL). The vCPUs' state must be current
 * (get_state). 0, or -1 with *why set and nothing changed. Big lock held. */
int kvm_arch_irqchip_to_models(Machine *m, const char **why);
/* Switching onto KVM with the in-kernel irqchip: tandem's models into KVM's (local APICs
 * first, then the 8259s and IOAPIC), the asserted level-triggered lines asserted again,
 * and the board's GSIs to KVM. After vcpu_init. 0, or -1 with *why set. Big lock held. */
int kvm_arch_irqchip_from_models(Machine *m, const char **why);
/* Machine.accel_send_msi with the in-kernel irqchip: a message to KVM's local APICs
 * (KVM_SIGNAL_MSI). */
void kvm_arch_send_msi(Machine *m, uint64_t addr, uint32_t data);
/* Machine.accel_set_irq with the in-kernel irqchip: a GSI level (KVM_IRQ_LINE). */
void kvm_arch_set_irq(Machine *m, int gsi, int level);
/* Single-stepping with the userspace irqchip on PVM, which reports a stepped HLT as a
 * debug exit and then halts after the next instruction: when the next instruction is a
 * HLT, do that step here (RIP past it, the vCPU halted) and return true. */
bool kvm_arch_step_hlt(KVMCPU *kv);
/* Whether the vCPU has an interrupt or exception in flight (from the last get_state). */
bool kvm_arch_event_in_flight(KVMCPU *kv);
/* The code-fetch mode of the canonical state, as CPUClass.disas takes it. */
uint32_t kvm_arch_code_flags(CPUState *cs);
/* Whether the canonical state of cs is in long mode (EFER.LMA). */
bool kvm_arch_long_mode(CPUState *cs);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * accel/accel.h — the accelerator seam. One generic vCPU loop (accel/vcpu.c) runs every
 * accelerator through this const ops table; vcpu_run returns why it stopped.
 * Devices never see which accelerator runs them: every port-I/O and MMIO access goes to
 * the machine's address spaces.
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include "cpu/cpu.h"
#include "hw/core/machine.h"

typedef enum VcpuExit {
    VCPU_EXIT_KICK,       /* something asked the vCPU to look up (stop, queued work) */
    VCPU_EXIT_HALT,       /* the guest halted: wait for an interrupt */
    VCPU_EXIT_RESET,      /* the machine must reset (triple fault, reset request) */
    VCPU_EXIT_SHUTDOWN,   /* the machine must stop */
    VCPU_EXIT_DEBUG,      /* breakpoint or single step for the debugger */
} VcpuExit;

/* One counter of an accelerator, for `info accel` and --compare: group names the table
 * ("exits" for KVM exit reasons, "tcg" for the block cache, "cpu0", ...). */
typedef void AccelStatFn(void *opaque, const char *group, const char *name, uint64_t value);

typedef struct AccelOps {
    const char *name;
    /* Can it run here? When not, *why is set to a sentence for the user. */
    bool (*available)(const char **why);
    int (*init)(Machine *m);
    int (*vcpu_init)(CPUState *cs);
    VcpuExit (*vcpu_run)(CPUState *cs);
    void (*vcpu_kick)(CPUState *cs);
    void (*vcpu_fini)(CPUState *cs);
    void (*fini)(Machine *m);
    /* Every counter of the accelerator (info accel, --compare). */
    void (*stats)(Machine *m, AccelStatFn *fn, void *opaque);
    /*
     * Canonical state synchronisation. get_state copies the accelerator's copy of the CPU
     * registers into the canonical state (KVM: KVM_GET_REGS, ...); put_state marks the
     * canonical state as changed from outside (reset, loader, monitor, switch), so that
     * the accelerator loads it before the vCPU runs again. NULL: the accelerator runs on
     * the canonical state itself (tcg). Called with the vCPU stopped or on its thread.
     */
    void (*get_state)(CPUState *cs);
    void (*put_state)(CPUState *cs);
    /* Lockstep: on, every vcpu_run runs at most one guest instruction and returns
     * VCPU_EXIT_DEBUG after it. 0 or -errno. */
    int (*set_single_step)(CPUState *cs, bool on);
    /* Can the running machine be moved off this accelerator, or onto it, now? false with
     * *why set to a sentence when not (NULL: always). */
    bool (*can_switch)(Machine *m, bool onto, const char **why);
    /* Switching, for state an accelerator keeps outside the canonical CPU state (KVM's
     * in-kernel irqchip): leave moves it into tandem's device models once the new
     * accelerator has the vCPUs; enter takes it from them, after vcpu_init and before
     * put_state. 0, or -1 with *why set (nothing changed). NULL: nothing to move. */
    int (*leave)(Machine *m, const char **why);
    int (*enter)(Machine *m, const char **why);
    /* A sentence on how it runs on this host (e.g. "KVM on this host emulates guest
     * instructions in the kernel instead of running them natively"), or NULL. */
    const char *(*host_note)(void);
} AccelOps;

extern const AccelOps tcg_accel_ops;
extern const AccelOps *current_accel;

/* The accelerator called name among those built in (tcg, kvm, ...), or NULL. */
const AccelOps *accel_find(const char *name);
/* Print every counter of the current accelerator, grouped, to f. */
void accel_print_stats(Machine *m, FILE *f);
/* The canonical state of every vCPU made current (get_state), for readers outside the
 * vCPU threads; the vCPUs must be paused. */
void accel_synchronize_state(Machine *m);
/* The canonical state of every vCPU was set from outside (reset, loader): put_state. */
void accel_synchronize_post_reset(Machine *m);

/* Choose from a list ("kvm:tcg"): the first available one. The reasons for refusing the
 * others go to why (and to stderr when a later one was chosen); NULL when none is usable. */
const AccelOps *accel_select(const char *list, char *why, size_t why_size);
/* Start a thread per vCPU running the generic loop. */
int accel_start_vcpus(Machine *m);
/* Pause every vCPU (wait until they acknowledged) / let them run again. */
void accel_pause_vcpus(Machine *m);
void accel_resume_vcpus(Machine *m);
/* Ask the vCPU threads to end and join them. */
void accel_stop_vcpus(Machine *m);

/*
 * Move the running machine onto the accelerator called name (monitor `accel NAME`,
 * accel/switch.c): the vCPUs are paused at an instruction boundary, the old accelerator's
 * state is made canonical (get_state), both accelerators are asked (can_switch), the new
 * one is initialised on first use and given each vCPU (vcpu_init, put_state), and the
 * vCPUs run on (a machine that was stopped stays stopped). Guest memory, devices and the
 * TSC (in the canonical state) carry over: the guest cannot tell. Each accelerator keeps
 * its per-vCPU state and counters, so switching back re-uses them. Main loop thread, big
 * lock held. 0, or -1 with one sentence in err (e.g. "already running on tcg"): the
 * machine then stays on its accelerator as it was.
 */
int accel_switch(Machine *m, const char *name, char *err, size_t errlen);
/* The same with the accelerator's ops (for tests: accelerators outside the table). */
int accel_switch_to(Machine *m, const AccelOps *to, char *err, size_t errlen);
/* The accelerators machine m has run on, the current one first, at most max of them in
 * out; returns their count. */
int accel_used(Machine *m, const AccelOps **out, int max);
/* How many times machine m was moved to another accelerator. */
unsigned accel_switch_count(Machine *m);

#endif

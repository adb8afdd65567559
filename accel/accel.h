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
    /* print the accelerator's statistics (info accel, --compare) */
    void (*print_stats)(Machine *m, FILE *f);
} AccelOps;

extern const AccelOps tcg_accel_ops;
extern const AccelOps *current_accel;

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

#endif

/* SPDX-License-Identifier: MIT */
/*
 * system/lockstep.h — `--lockstep tcg,ACCEL`: the same guest under two accelerators, one
 * instruction at a time, compared after every step (see system/lockstep.c for the design).
 */
#ifndef SYSTEM_LOCKSTEP_H
#define SYSTEM_LOCKSTEP_H

#include "accel/accel.h"

/*
 * Called by the generic vCPU loop (accel/vcpu.c, which defines it) on the vCPU thread with
 * the big lock held, after every vcpu_run, with what it returned. NULL normally; set by a
 * lockstep child.
 */
extern void (*vcpu_step_hook)(CPUState *cs, VcpuExit e);

/*
 * The coordinating process: runs this binary twice (argv without --lockstep, with
 * -accel REF and -accel OTHER) and compares them step by step. accels is "tcg,kvm" or
 * "tcg,tcg" (the reference first: it must be tcg); smp must be 1. Returns the exit status:
 * 0 when both agreed until the guest ended, 1 at the first difference (reported on
 * stderr), 2 when the comparison could not be made (reported).
 */
int lockstep_run(int argc, char **argv, const char *accels, int smp);

/*
 * In a child (--lockstep-child FD,ref|replay): the machine is created and reset and the
 * accelerator initialised; start the vCPUs (instead of accel_start_vcpus) under the
 * parent's control. 0, or -1 after error_report().
 */
int lockstep_child_start(Machine *m, const char *spec);

#endif

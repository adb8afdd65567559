/* SPDX-License-Identifier: MIT */
/*
 * system/compare.h — `tandem --compare ACCEL,ACCEL <machine options>`: the same guest run
 * once under each accelerator, compared side by side.
 *
 * The parent re-executes its own binary once per accelerator with `-accel A`, the user's
 * options, `-serial stdio` (the guest's COM1 output captured to a file, stdin from
 * /dev/null) and the child option `--stats-file FILE`; a run that outlives
 * --compare-timeout is killed. The child writes FILE when its machine ends (isa-debug-exit,
 * power off, -no-reboot, triple fault): the accelerator, the exit status, every counter of
 * AccelOps.stats, the access counts of every I/O region and each vCPU's final
 * architectural registers (CPUClass.arch_regs). The parent prints a table of both runs
 * and agrees (exit 0) when the exit statuses, the serial outputs and the final
 * registers are the same, disagrees (exit 1, naming what differs) otherwise; a usage
 * error, or a run that cannot start, exits 2 after one line.
 *
 * Not compared: timing, counters and device access counts (they differ by design between
 * accelerators: the table shows them), other serial ports, guest memory.
 */
#ifndef SYSTEM_COMPARE_H
#define SYSTEM_COMPARE_H

#include "hw/core/machine.h"

/* The --help lines for --compare, --compare-timeout and --stats-file. */
void compare_usage(FILE *f);

/*
 * Called first by main(). With --compare among the options it runs the comparison and
 * returns true with *status the process's exit status (0 agree, 1 differ, 2 usage error).
 * Otherwise it takes the child option `--stats-file FILE` out of argv (shortening *argc)
 * and returns false: main() goes on with the remaining options.
 */
bool compare_main(int *argc, char **argv, int *status);

/* The child (no-ops without --stats-file): the machine is built and reset, the vCPUs are
 * about to start. Creates the stats file, so that the parent can tell a run that started
 * from one whose options were refused. */
void compare_child_started(Machine *m);

/* The child: the main loop returned `status` (big lock held). Pauses the vCPUs, makes
 * their canonical state current (accel_synchronize_state) and writes the stats file. */
void compare_child_finish(Machine *m, int status);

#endif

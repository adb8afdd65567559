/* SPDX-License-Identifier: MIT */
/*
 * system/monitor.h — the human monitor: a small subset of QEMU's HMP, on a character
 * device's mux (Ctrl-A c on the terminal, or the whole terminal with -monitor stdio).
 *
 * Commands: help, info accel|cpus|registers, stop, cont, system_reset, accel NAME,
 * quit. The monitor runs on the main loop thread with the big lock held; commands that
 * read CPU state pause the vCPUs around the read. Not implemented: QMP, command history,
 * completion, the other info subcommands, memory dumps (x, xp), gdbserver, savevm.
 */
#ifndef SYSTEM_MONITOR_H
#define SYSTEM_MONITOR_H

#include "hw/core/machine.h"
#include "backends/chardev.h"

typedef struct Monitor Monitor;

/* A monitor for machine m on chardev c: attached to c's mux as its monitor front end.
 * It prints its banner and prompt ("(tandem) ") when it first gets the input focus. */
Monitor *monitor_new(Machine *m, Chardev *c);
/* Detach it from its chardev and free it. */
void monitor_free(Monitor *mon);
/* Run one command line as if typed (without its newline); output goes to the chardev. */
void monitor_command(Monitor *mon, const char *line);

#endif

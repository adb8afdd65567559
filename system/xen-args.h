/* SPDX-License-Identifier: MIT */
/*
 * system/xen-args.h — the command-line options that a Xen toolstack (libxl) passes to its
 * device model, beyond those system/main.c parses itself: -xen-domid, -chardev socket,
 * -mon chardev=..,mode=control, -nodefaults, -no-user-config, -name, -vnc, -boot, -net, the
 * -machine properties of QEMU's xenfv machine, and a few more that tandem accepts and
 * ignores, saying so on stderr in one line each (never fatal: libxl sends them all).
 * main.c calls these hooks; they keep main.c free of Xen knowledge.
 */
#ifndef SYSTEM_XEN_ARGS_H
#define SYSTEM_XEN_ARGS_H

#include "hw/core/machine.h"

/* The domain given with -xen-domid (the domain whose device model tandem is), or -1. */
extern int xen_domid;
/* The name given with -name, or NULL. */
extern const char *xen_args_name;
/* -nodefaults was given: no default serial port on the terminal. */
extern bool xen_args_nodefaults;

/*
 * The option argv[*i] (its leading "--" already made "-": a is that spelling), when it
 * is one of these: 1 when consumed (with its argument, *i moved past it), 0 when it is not
 * one of them (the caller reports an unknown option), -1 after one line on stderr for a
 * bad value.
 */
int xen_args_option(const char *a, int argc, char **argv, int *i);
/* A -machine property main.c does not know (e.g. suppress-vmdesc=on): true when it is
 * one that is accepted and ignored (reported on stderr), false when unknown. */
bool xen_args_machine_prop(const char *prop);
/* The accelerator a machine implies when no -accel is given ("xen" for xenfv), or NULL. */
const char *xen_args_default_accel(const char *machine_name);
/* After the machine is created: a QMP server on the socket of each -mon chardev=ID,
 * mode=control. 0, or -1 after one line on stderr. */
int xen_args_start(Machine *m);
/* The --help lines of these options. */
void xen_args_usage(FILE *f);

#endif

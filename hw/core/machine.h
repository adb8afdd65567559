/* SPDX-License-Identifier: MIT */
/*
 * hw/core/machine.h — a machine (board): its memory, CPUs, devices and lifecycle.
 * Boards (hw/x86/pc.c, ...) are MachineClasses listed in hw/machine_list.c (`-M help`).
 * Boards wire devices; they never implement registers.
 */
#ifndef HW_CORE_MACHINE_H
#define HW_CORE_MACHINE_H

#include "util/osdep.h"
#include "hw/core/memory.h"
#include "hw/core/device.h"
#include "cpu/cpu.h"

typedef struct Chardev Chardev;

#define MACHINE_MAX_CPUS 64
#define MACHINE_MAX_SERIAL 4

typedef struct MachineOpts {
    const char *kernel, *initrd, *append;
    const char *bios;             /* raw firmware image (-bios) */
    const char *cpu_model;        /* NULL: the board's default */
    uint64_t ram_size;            /* 0: the board's default */
    int smp;
    bool no_reboot;
    const char *serial[MACHINE_MAX_SERIAL];  /* chardev specs; NULL = none */
    int nr_serial;
    const char *accel;
    int kernel_irqchip;           /* -machine kernel-irqchip=: -1 default (on), 0 off, 1 on */
} MachineOpts;

typedef struct MachineClass MachineClass;
struct Machine {
    const MachineClass *mc;
    MachineOpts opts;
    MemRegion sysmem;             /* the root of system memory */
    MemRegion io;                 /* the root of port I/O (x86) */
    MemRegion ram;
    AddressSpace sysmem_as, io_as;
    CPUState *cpus[MACHINE_MAX_CPUS];
    int ncpus;
    Device *devices;
    Chardev *serial[MACHINE_MAX_SERIAL];
    void *board;                  /* the board's own state */
    /* lifecycle requests (set by devices and CPUs, acted on by the main loop) */
    volatile bool reset_requested, shutdown_requested;
    CPUState *triple_fault_cpu;   /* the CPU whose triple fault asked for the reset */
    int exit_status;
    /* Set by an accelerator whose interrupt controllers live outside tandem (KVM's
     * in-kernel irqchip): the board's GSI lines go there instead of to tandem's PIC and
     * IOAPIC. NULL: tandem's own models are in the path. */
    void (*accel_set_irq)(Machine *m, int gsi, int level);
    /* The same for message-signalled interrupts (hw/pci/msi.c): set where the interrupt
     * controllers that take MSIs live outside tandem (the xenfv board: Xen's). NULL: the
     * message is a 4-byte write of data at addr in sysmem_as (tandem's local APICs). */
    void (*accel_send_msi)(Machine *m, uint64_t addr, uint32_t data);
};

struct MachineClass {
    const char *name;
    const char *desc;
    const CPUClass *cpu_class;
    const char *default_cpu;
    uint64_t default_ram;
    int max_cpus;
    /* build the board: RAM, devices, CPUs (machine_create_cpus), load the kernel */
    int (*init)(Machine *m);
    /* after devices and CPUs were reset: firmware/loader state (kernel entry, registers) */
    void (*reset)(Machine *m);
};

extern const MachineClass *const machine_classes[];
const MachineClass *machine_class_find(const char *name);
void machine_list_print(FILE *f);

/* Create and init a machine; NULL after error_report(). */
Machine *machine_create(const MachineClass *mc, const MachineOpts *opts);
/* Create opts->smp CPUs of the board's class. 0 or -1 after error_report(). */
int machine_create_cpus(Machine *m);
/* Reset devices, CPUs, then the board (called by the main loop, vCPUs stopped). */
void machine_reset(Machine *m);
/* From any thread: ask the main loop to reset or to stop with an exit status. */
void machine_request_reset(Machine *m);
void machine_request_shutdown(Machine *m, int exit_status);
Device *machine_find_device(Machine *m, const char *id);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * hw/misc/isa_debug_exit.c — "isa-debug-exit": a port that stops the emulator with a status.
 *
 * Models QEMU's isa-debug-exit device (a test convenience, no real hardware): a write of
 * value V to any of its iosize ports asks the machine to shut down with exit status
 * (V << 1) | 1, so a guest can never make tandem report success (0) by accident; reads
 * return 0, as QEMU's do. The value is the access as written (a byte write gives a byte).
 * Properties: iobase (default 0x501), iosize (1, 2 or 4; default 2). It maps itself in
 * dev->machine->io at realize.
 *
 * Not modelled: the MMIO/sysbus variant.
 */
#include "util/osdep.h"
#include "hw/core/device.h"
#include "hw/core/machine.h"

extern const DeviceClass isa_debug_exit_class;

typedef struct DebugExitState {
    Device parent;
    MemRegion io;
} DebugExitState;

static uint64_t debug_exit_read(void *opaque, hwaddr addr, unsigned size)
{
    DebugExitState *s = opaque;
    (void)addr;
    (void)size;
    s->parent.stat_reads++;
    return 0;
}

static void debug_exit_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    DebugExitState *s = opaque;
    (void)addr;
    (void)size;
    s->parent.stat_writes++;
    if (s->parent.machine) {
        machine_request_shutdown(s->parent.machine, (int)((val << 1) | 1));
    }
}

static const MemRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

static int debug_exit_realize(Device *dev)
{
    DebugExitState *s = (DebugExitState *)dev;
    uint64_t iobase, iosize;
    if (device_prop_u64(dev, "iobase", 0x501, &iobase) < 0 ||
        device_prop_u64(dev, "iosize", 2, &iosize) < 0) {
        return -EINVAL;
    }
    if (iosize != 1 && iosize != 2 && iosize != 4) {
        error_report("isa-debug-exit: iosize must be 1, 2 or 4 (not %" PRIu64 ")", iosize);
        return -EINVAL;
    }
    if (iobase + iosize > 0x10000) {
        error_report("isa-debug-exit: iobase 0x%" PRIx64 " out of range", iobase);
        return -EINVAL;
    }
    mr_init_io(&s->io, dev->id, &debug_exit_ops, s, iosize);
    device_add_pio(dev, &s->io);
    if (dev->machine) {
        mr_add_subregion(&dev->machine->io, iobase, &s->io, 0);
    }
    return 0;
}

static void debug_exit_unrealize(Device *dev)
{
    DebugExitState *s = (DebugExitState *)dev;
    if (s->io.parent) {
        mr_del_subregion(s->io.parent, &s->io);
    }
    if (s->io.name) {
        mr_destroy(&s->io);
    }
}

static const DeviceProp debug_exit_props[] = {
    { "iobase", "I/O port (default 0x501)" },
    { "iosize", "number of ports: 1, 2 or 4 (default 2)" },
    { NULL, NULL },
};

const DeviceClass isa_debug_exit_class = {
    .name = "isa-debug-exit",
    .desc = "exit with status (value << 1) | 1 on a port write (tests)",
    .bus = "isa",
    .user_creatable = true,
    .state_size = sizeof(DebugExitState),
    .props = debug_exit_props,
    .realize = debug_exit_realize,
    .unrealize = debug_exit_unrealize,
};

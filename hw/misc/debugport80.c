/* SPDX-License-Identifier: MIT */
/*
 * hw/misc/debugport80.c — "port80": the PC's POST diagnostic port at 0x80.
 *
 * On a PC, writes to port 0x80 go to the POST code display of a diagnostic card (or
 * nowhere); Linux uses them as a short I/O delay (outb to 0x80 in native_io_delay and the
 * _p port accessors), so the port must exist and be cheap. Writes are accepted and
 * ignored (the last value is kept for the monitor's `info`); reads return 0. The device
 * maps itself in dev->machine->io at realize (property iobase, default 0x80).
 *
 * Not modelled: the LPC POST-code forwarding of real chipsets, the display.
 */
#include "util/osdep.h"
#include "hw/core/device.h"
#include "hw/core/machine.h"

extern const DeviceClass port80_class;

typedef struct Port80State {
    Device parent;
    MemRegion io;
    uint8_t last;
} Port80State;

static uint64_t port80_read(void *opaque, hwaddr addr, unsigned size)
{
    Port80State *s = opaque;
    s->parent.stat_reads++;
    return 0;
}

static void port80_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Port80State *s = opaque;
    s->parent.stat_writes++;
    s->last = (uint8_t)val;
}

static const MemRegionOps port80_ops = {
    .read = port80_read,
    .write = port80_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

static int port80_realize(Device *dev)
{
    Port80State *s = container_of(dev, Port80State, parent);
    uint64_t iobase;

    if (device_prop_u64(dev, "iobase", 0x80, &iobase) < 0) {
        return -EINVAL;
    }
    if (iobase > 0xffff) {
        error_report("port80: iobase 0x%" PRIx64 " out of range", iobase);
        return -EINVAL;
    }
    mr_init_io(&s->io, "port80", &port80_ops, s, 1);
    device_add_pio(dev, &s->io);
    if (dev->machine) {
        mr_add_subregion(&dev->machine->io, iobase, &s->io, 0);
    }
    return 0;
}

static void port80_unrealize(Device *dev)
{
    Port80State *s = container_of(dev, Port80State, parent);
    if (s->io.parent) {
        mr_del_subregion(s->io.parent, &s->io);
    }
    if (s->io.name) {
        mr_destroy(&s->io);
    }
}

static void port80_info(Device *dev, FILE *f)
{
    Port80State *s = container_of(dev, Port80State, parent);
    fprintf(f, "port80: last POST code 0x%02x, %" PRIu64 " writes\n", s->last,
            dev->stat_writes);
}

static const DeviceProp port80_props[] = {
    { "iobase", "I/O port (default 0x80)" },
    { NULL, NULL },
};

const DeviceClass port80_class = {
    .name = "port80",
    .desc = "POST diagnostic port 0x80 (writes ignored, reads 0; Linux's I/O delay)",
    .bus = "isa",
    .state_size = sizeof(Port80State),
    .props = port80_props,
    .realize = port80_realize,
    .unrealize = port80_unrealize,
    .info = port80_info,
};

/* SPDX-License-Identifier: MIT */
/*
 * hw/misc/port92.c — System Control Port A at 0x92 (PS/2 and later PCs).
 *
 * Models the register as the IBM PS/2 Technical Reference and the Intel PIIX/ICH datasheets
 * describe it ("Port 92h"): bit 1 drives the alternate A20 gate (output line 0), bit 0 is
 * the fast CPU reset (writing 1 requests a machine reset; it reads back as written, and a
 * reset clears it). The other bits are stored and read back.
 *
 * Not modelled: the security lock (bit 3) and the activity light (bits 6-7) have no effect.
 */
#include "util/osdep.h"
#include "hw/misc/port92.h"
#include "hw/core/machine.h"

enum { PORT92_RESET = 0x01, PORT92_A20 = 0x02 };

typedef struct Port92State {
    Device parent;
    MemRegion io;
    uint8_t value;
} Port92State;

static uint64_t port92_read(void *opaque, hwaddr addr, unsigned size)
{
    Port92State *s = opaque;
    (void)addr;
    (void)size;
    s->parent.stat_reads++;
    return s->value;
}

static void port92_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Port92State *s = opaque;
    uint8_t old = s->value;
    (void)addr;
    (void)size;
    s->parent.stat_writes++;
    s->value = (uint8_t)val;
    irq_set(device_irq_out(&s->parent, 0), !!(s->value & PORT92_A20));
    if ((s->value & PORT92_RESET) && !(old & PORT92_RESET) && s->parent.machine) {
        machine_request_reset(s->parent.machine);
    }
}

static const MemRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

bool port92_a20_enabled(Device *dev)
{
    return ((Port92State *)dev)->value & PORT92_A20;
}

static void port92_reset(Device *dev)
{
    Port92State *s = (Port92State *)dev;
    /* the reset bit clears across the reset it caused; the A20 bit is kept (as QEMU does):
     * the CPU's own reset decides its A20 state and firmware sets the gate again */
    s->value &= ~PORT92_RESET;
}

static int port92_realize(Device *dev)
{
    Port92State *s = (Port92State *)dev;
    uint64_t iobase;
    if (device_prop_u64(dev, "iobase", 0x92, &iobase) < 0) {
        return -EINVAL;
    }
    if (iobase > 0xffff) {
        error_report("port92: iobase 0x%" PRIx64 " out of range", iobase);
        return -EINVAL;
    }
    device_init_irq_out(dev, 1);
    mr_init_io(&s->io, dev->id, &port92_ops, s, 1);
    device_add_pio(dev, &s->io);
    if (dev->machine) {
        mr_add_subregion(&dev->machine->io, iobase, &s->io, 0);
    }
    return 0;
}

static void port92_unrealize(Device *dev)
{
    Port92State *s = (Port92State *)dev;
    if (s->io.parent) {
        mr_del_subregion(s->io.parent, &s->io);
    }
    if (s->io.name) {
        mr_destroy(&s->io);
    }
}

static size_t port92_save(Device *dev, uint8_t *buf, size_t size)
{
    if (buf && size >= 1) {
        buf[0] = ((Port92State *)dev)->value;
    }
    return 1;
}

static int port92_load(Device *dev, const uint8_t *buf, size_t size)
{
    Port92State *s = (Port92State *)dev;
    if (size != 1) {
        return -EINVAL;
    }
    s->value = buf[0];
    irq_set(device_irq_out(dev, 0), !!(s->value & PORT92_A20));
    return 0;
}

static const DeviceProp port92_props[] = {
    { "iobase", "I/O port (default 0x92)" },
    { NULL, NULL },
};

const DeviceClass port92_class = {
    .name = "port92",
    .desc = "System Control Port A (fast A20 gate and reset)",
    .bus = "isa",
    .user_creatable = false,
    .state_size = sizeof(Port92State),
    .props = port92_props,
    .realize = port92_realize,
    .reset = port92_reset,
    .unrealize = port92_unrealize,
    .save = port92_save,
    .load = port92_load,
};

/* SPDX-License-Identifier: MIT */
/*
 * hw/misc/pc_testdev.c — "pc-testdev": the x86 test device of kvm-unit-tests.
 *
 * Models QEMU's pc-testdev (no real hardware; the behaviour kvm-unit-tests' x86 tests rely
 * on): the 32-bit scratch register at 0xE0 (accessed at its natural sizes) and at 0xE8
 * (the same register, one byte at a time, to test the splitting of wide port accesses),
 * the "flush page" port 0xE4, the 24 IRQ-line ports at 0x2000 and 64 KiB of scratch MMIO
 * at 0xFF000000. See pc_testdev.h for the map.
 *
 * The flush page port: on KVM, QEMU makes the host page read-only and writable again
 * (mprotect) to force the host to invalidate its mappings of the page. Here the address is
 * not needed: every vCPU's softmmu TLB is flushed (which is all the page's mappings and
 * more), and the other vCPUs are made to leave their current block (cpu_exit), as
 * tb_flush does for theirs. Guest memory is not changed.
 *
 * Not modelled: QEMU's serial, exit and memsize ports of the older "testdev" (tandem has
 * isa-debug-exit and the UARTs for those).
 */
#include "hw/misc/pc_testdev.h"
#include "hw/core/machine.h"
#include "accel/tcg/tcg.h"

typedef struct PCTestdevState {
    Device parent;
    MemRegion io_port, io_flush, io_port_byte, io_irq;
    MemRegion iomem;
    IrqLine pic_line[16];       /* lines 0..15 also go to the 8259 (see realize) */
    uint32_t port_data;
    uint32_t irq_levels;
    uint64_t flushes;
    uint8_t iomem_buf[PC_TESTDEV_IOMEM_SIZE];
} PCTestdevState;

/* ---- scratch register ---- */

static uint64_t testdev_port_read(void *opaque, hwaddr addr, unsigned size)
{
    PCTestdevState *s = opaque;
    unsigned shift = (addr & 3) * 8;
    uint64_t mask = size >= 4 ? 0xFFFFFFFFull : (1ull << (size * 8)) - 1;
    s->parent.stat_reads++;
    return (s->port_data >> shift) & mask;
}

static void testdev_port_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCTestdevState *s = opaque;
    unsigned shift = (addr & 3) * 8;
    uint64_t mask = size >= 4 ? 0xFFFFFFFFull : (1ull << (size * 8)) - 1;
    s->parent.stat_writes++;
    s->port_data = (uint32_t)((s->port_data & ~(mask << shift)) | ((val & mask) << shift));
}

static const MemRegionOps testdev_port_ops = {
    .read = testdev_port_read,
    .write = testdev_port_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

static const MemRegionOps testdev_port_byte_ops = {
    .read = testdev_port_read,
    .write = testdev_port_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

/* ---- flush page ---- */

static uint64_t testdev_flush_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void testdev_flush_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCTestdevState *s = opaque;
    Machine *m = s->parent.machine;

    s->parent.stat_writes++;
    s->flushes++;
    for (int i = 0; m && i < m->ncpus; i++) {
        CPUState *cs = m->cpus[i];
        tlb_flush(cs);
        if (cs != current_cpu) {
            cpu_exit(cs);
        }
    }
}

static const MemRegionOps testdev_flush_ops = {
    .read = testdev_flush_read,
    .write = testdev_flush_write,
    .valid_min = 4, .valid_max = 4,
};

/* ---- IRQ lines ---- */

static uint64_t testdev_irq_read(void *opaque, hwaddr addr, unsigned size)
{
    PCTestdevState *s = opaque;
    s->parent.stat_reads++;
    return (s->irq_levels >> addr) & 1;
}

static void testdev_irq_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCTestdevState *s = opaque;
    int n = (int)addr, level = val != 0;

    s->parent.stat_writes++;
    if (level) {
        s->irq_levels |= 1u << n;
    } else {
        s->irq_levels &= ~(1u << n);
    }
    if (s->parent.machine && s->parent.machine->accel_set_irq) {
        /* the interrupt controllers are an accelerator's (KVM's in-kernel irqchip): the
         * line is GSI n there, as QEMU's pc-testdev drives ISA IRQ n */
        s->parent.machine->accel_set_irq(s->parent.machine, n, level);
        return;
    }
    irq_set(device_irq_out(&s->parent, n), level);
    if (n < 16) {
        irq_set(&s->pic_line[n], level);
    }
}

static const MemRegionOps testdev_irq_ops = {
    .read = testdev_irq_read,
    .write = testdev_irq_write,
    .valid_min = 1, .valid_max = 1,
};

/* ---- scratch MMIO ---- */

static uint64_t testdev_iomem_read(void *opaque, hwaddr addr, unsigned size)
{
    PCTestdevState *s = opaque;
    uint64_t v = 0;
    s->parent.stat_reads++;
    for (unsigned i = 0; i < size && addr + i < PC_TESTDEV_IOMEM_SIZE; i++) {
        v |= (uint64_t)s->iomem_buf[addr + i] << (8 * i);
    }
    return v;
}

static void testdev_iomem_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PCTestdevState *s = opaque;
    s->parent.stat_writes++;
    for (unsigned i = 0; i < size && addr + i < PC_TESTDEV_IOMEM_SIZE; i++) {
        s->iomem_buf[addr + i] = (uint8_t)(val >> (8 * i));
    }
}

static const MemRegionOps testdev_iomem_ops = {
    .read = testdev_iomem_read,
    .write = testdev_iomem_write,
    .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 8,
    .unaligned = true,
};

/* ---- lifecycle ---- */

static void testdev_reset(Device *dev)
{
    PCTestdevState *s = container_of(dev, PCTestdevState, parent);
    for (int n = 0; n < PC_TESTDEV_NUM_IRQS; n++) {
        if (s->irq_levels & (1u << n)) {
            testdev_irq_write(s, n, 0, 1);
        }
    }
    s->port_data = 0;
}

/* Connect the lines to the machine's interrupt controllers (see pc_testdev.h). */
static void testdev_connect_irqs(PCTestdevState *s)
{
    Device *dev = &s->parent;
    Device *ioapic = machine_find_device(dev->machine,
                                         device_prop_str(dev, "ioapic", "ioapic"));
    Device *pic = machine_find_device(dev->machine, device_prop_str(dev, "pic", "pic"));

    if (ioapic && ioapic->nr_irq_in >= PC_TESTDEV_NUM_IRQS) {
        for (int n = 0; n < PC_TESTDEV_NUM_IRQS; n++) {
            irq_connect(device_irq_out(dev, n), device_irq_in(ioapic, n));
        }
    }
    if (pic && pic->nr_irq_in >= 16) {
        for (int n = 0; n < 16; n++) {
            irq_connect(&s->pic_line[n], device_irq_in(pic, n));
        }
    }
}

static int testdev_realize(Device *dev)
{
    PCTestdevState *s = container_of(dev, PCTestdevState, parent);
    Machine *m = dev->machine;

    mr_init_io(&s->io_port, "pc-testdev-ioport", &testdev_port_ops, s, 4);
    mr_init_io(&s->io_flush, "pc-testdev-flush-page", &testdev_flush_ops, s, 4);
    mr_init_io(&s->io_port_byte, "pc-testdev-ioport-byte", &testdev_port_byte_ops, s, 4);
    mr_init_io(&s->io_irq, "pc-testdev-irq-line", &testdev_irq_ops, s, PC_TESTDEV_NUM_IRQS);
    mr_init_io(&s->iomem, "pc-testdev-iomem", &testdev_iomem_ops, s, PC_TESTDEV_IOMEM_SIZE);
    device_add_pio(dev, &s->io_port);
    device_add_pio(dev, &s->io_flush);
    device_add_pio(dev, &s->io_port_byte);
    device_add_pio(dev, &s->io_irq);
    device_add_mmio(dev, &s->iomem);
    device_init_irq_out(dev, PC_TESTDEV_NUM_IRQS);
    if (m) {
        mr_transaction_begin();
        mr_add_subregion(&m->io, PC_TESTDEV_IOPORT, &s->io_port, 0);
        mr_add_subregion(&m->io, PC_TESTDEV_FLUSH_PAGE, &s->io_flush, 0);
        mr_add_subregion(&m->io, PC_TESTDEV_IOPORT_BYTE, &s->io_port_byte, 0);
        mr_add_subregion(&m->io, PC_TESTDEV_IRQ_BASE, &s->io_irq, 0);
        mr_add_subregion(&m->sysmem, PC_TESTDEV_IOMEM_BASE, &s->iomem, 0);
        mr_transaction_commit();
        testdev_connect_irqs(s);
    }
    return 0;
}

static void testdev_unrealize(Device *dev)
{
    PCTestdevState *s = container_of(dev, PCTestdevState, parent);
    MemRegion *regions[] = { &s->io_port, &s->io_flush, &s->io_port_byte, &s->io_irq,
                             &s->iomem };
    for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
        if (regions[i]->parent) {
            mr_del_subregion(regions[i]->parent, regions[i]);
        }
        if (regions[i]->name) {
            mr_destroy(regions[i]);
        }
    }
}

static void testdev_info(Device *dev, FILE *f)
{
    PCTestdevState *s = container_of(dev, PCTestdevState, parent);
    fprintf(f, "pc-testdev: port 0x%08x, irq lines %06x, %" PRIu64 " page flushes\n",
            s->port_data, s->irq_levels, s->flushes);
}

static const DeviceProp testdev_props[] = {
    { "ioapic", "id of the I/O APIC the 24 lines go to (default ioapic)" },
    { "pic", "id of the 8259 pair lines 0..15 also go to (default pic)" },
    { NULL, NULL },
};

const DeviceClass pc_testdev_class = {
    .name = "pc-testdev",
    .desc = "kvm-unit-tests test device (ports 0xE0-0xEB, 0x2000-0x2017; MMIO 0xFF000000)",
    .bus = "isa",
    .user_creatable = true,
    .state_size = sizeof(PCTestdevState),
    .props = testdev_props,
    .realize = testdev_realize,
    .reset = testdev_reset,
    .unrealize = testdev_unrealize,
    .info = testdev_info,
};

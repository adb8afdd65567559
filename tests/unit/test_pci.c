/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_pci.c — the PCI core (hw/pci/pci.c), the i440FX host bridge with
 * configuration mechanism #1 (hw/pci-host/i440fx.c) and the PIIX3 ISA bridge and interrupt
 * router (hw/isa/piix3.c), driven through a real port-I/O and memory address space.
 *
 * A small machine holds the host bridge (00.0), the PIIX3 (01.0) and an example device
 * defined here ("pci-testdev": an I/O BAR, a 32-bit memory BAR, a 64-bit prefetchable
 * memory BAR, INTA#). Covered: ID reads of 00.0 and 01.0 in every access size, the
 * CONFIG_ADDRESS latch (dword only, reserved bits, enable bit, other buses, absent
 * functions), the reset control byte at 0xCF9 next to it, the BAR sizing protocol, BARs
 * mapped into and out of the containers by COMMAND and moved by rewriting them, sizing with
 * decoding on, STATUS write-1-to-clear, INTx through the swizzle to PIRQ lines and, through
 * PIRQRC, to ISA IRQs (wired-OR, disable, reserved values, rerouting), INTX_DISABLE,
 * device addresses (auto, taken, malformed, missing bus), reset and save/load.
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/pci/pci.h"
#include "hw/pci-host/i440fx.h"
#include "hw/isa/piix3.h"
#include "system/main-loop.h"
#include <check.h>

/* ---------------------------------------------------------------------------------------
 * The example device
 */

#define TESTDEV_VENDOR 0x1234
#define TESTDEV_DEVICE 0x5678

typedef struct TestDevState {
    PCIDevice pci;
    MemRegion io, mmio, mmio64;
    uint8_t regs[16];
    uint32_t mem[1024];
    int io_reads, io_writes;
} TestDevState;

static uint64_t testdev_io_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDevState *s = opaque;
    s->io_reads++;
    return s->regs[addr];
}

static void testdev_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestDevState *s = opaque;
    s->io_writes++;
    s->regs[addr] = val;
}

static uint64_t testdev_mem_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDevState *s = opaque;
    return s->mem[addr / 4];
}

static void testdev_mem_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    TestDevState *s = opaque;
    s->mem[addr / 4] = val;
}

static uint64_t testdev_mem64_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0x64000000u | addr;
}

static void testdev_mem64_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
}

static const MemRegionOps testdev_io_ops = {
    .read = testdev_io_read, .write = testdev_io_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 1,
};
static const MemRegionOps testdev_mem_ops = {
    .read = testdev_mem_read, .write = testdev_mem_write,
    .valid_min = 4, .valid_max = 4,
};
static const MemRegionOps testdev_mem64_ops = {
    .read = testdev_mem64_read, .write = testdev_mem64_write,
    .valid_min = 4, .valid_max = 4,
};

static const PCIDeviceInfo testdev_info = {
    .vendor_id = TESTDEV_VENDOR,
    .device_id = TESTDEV_DEVICE,
    .subsystem_vendor_id = 0x1AF4,
    .subsystem_id = 0x1100,
    .class_code = 0x00FF00,
    .revision = 0x07,
    .interrupt_pin = 1,
    .status = PCI_STATUS_DEVSEL_MEDIUM,
    .default_devfn = -1,
};

static int testdev_realize(Device *dev)
{
    TestDevState *s = (TestDevState *)dev;
    uint64_t pin;

    if (pci_device_init(&s->pci, &testdev_info) < 0 ||
        device_prop_u64(dev, "pin", 1, &pin) < 0) {
        return -EINVAL;
    }
    s->pci.config[PCI_INTERRUPT_PIN] = pin;
    mr_init_io(&s->io, "testdev-io", &testdev_io_ops, s, 16);
    mr_init_io(&s->mmio, "testdev-mmio", &testdev_mem_ops, s, 4096);
    mr_init_io(&s->mmio64, "testdev-mmio64", &testdev_mem64_ops, s, MiB);
    pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->io);
    pci_register_bar(&s->pci, 1, PCI_BASE_ADDRESS_MEM_TYPE_32, &s->mmio);
    pci_register_bar(&s->pci, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &s->mmio64);
    return 0;
}

static void testdev_reset(Device *dev)
{
    pci_device_reset(&((TestDevState *)dev)->pci);
}

static void testdev_unrealize(Device *dev)
{
    TestDevState *s = (TestDevState *)dev;
    pci_device_exit(&s->pci);
    if (s->io.name) {
        mr_destroy(&s->io);
        mr_destroy(&s->mmio);
        mr_destroy(&s->mmio64);
    }
}

static size_t testdev_save(Device *dev, uint8_t *buf, size_t size)
{
    return pci_device_save(&((TestDevState *)dev)->pci, buf, size);
}

static int testdev_load(Device *dev, const uint8_t *buf, size_t size)
{
    return pci_device_load(&((TestDevState *)dev)->pci, buf, size);
}

static const DeviceProp testdev_props[] = {
    PCI_DEVICE_PROPS,
    { "pin", "interrupt pin 1-4 (INTA-INTD)" },
    { NULL, NULL },
};

static const DeviceClass testdev_class = {
    .name = "pci-testdev",
    .bus = "pci",
    .state_size = sizeof(TestDevState),
    .props = testdev_props,
    .realize = testdev_realize,
    .reset = testdev_reset,
    .unrealize = testdev_unrealize,
    .save = testdev_save,
    .load = testdev_load,
};

/* ---------------------------------------------------------------------------------------
 * The machine
 */

static Machine m;
static Device *host, *piix3;
static int isa_level[16], isa_edges[16], pirq_level[4];

static void isa_handler(void *opaque, int n, int level)
{
    if (level && !isa_level[n]) {
        isa_edges[n]++;
    }
    isa_level[n] = level;
}

static void pirq_handler(void *opaque, int n, int level)
{
    pirq_level[n] = level;
}

static void setup(void)
{
    static IrqLine isa_in[16], pirq_in[4];
    memset(&m, 0, sizeof(m));
    mr_init_container(&m.io, "io", 0x10000);
    mr_init_container(&m.sysmem, "system", UINT64_MAX);
    as_init(&m.io_as, &m.io, "I/O");
    as_init(&m.sysmem_as, &m.sysmem, "memory");
    host = device_create_class(&m, &i440fx_pcihost_class, "pcihost", NULL);
    ck_assert_ptr_nonnull(host);
    piix3 = device_create_class(&m, &piix3_class, "piix3", NULL);
    ck_assert_ptr_nonnull(piix3);
    memset(isa_level, 0, sizeof(isa_level));
    memset(isa_edges, 0, sizeof(isa_edges));
    memset(pirq_level, 0, sizeof(pirq_level));
    for (int i = 0; i < 16; i++) {
        isa_in[i] = (IrqLine){ isa_handler, NULL, i };
        irq_connect(device_irq_out(piix3, PIIX3_OUT_ISA_IRQ(i)), &isa_in[i]);
    }
    for (int i = 0; i < 4; i++) {
        pirq_in[i] = (IrqLine){ pirq_handler, NULL, i };
        irq_connect(device_irq_out(piix3, PIIX3_OUT_PIRQ(i)), &pirq_in[i]);
    }
}

static void teardown(void)
{
    /* the host bridge goes first: its bus must let the other functions go cleanly */
    while (m.devices) {
        device_destroy(m.devices);
    }
    as_destroy(&m.io_as);
    as_destroy(&m.sysmem_as);
    mr_destroy(&m.io);
    mr_destroy(&m.sysmem);
}

static TestDevState *testdev(const char *id, const char *props)
{
    Device *d = device_create_class(&m, &testdev_class, id, props);
    ck_assert_ptr_nonnull(d);
    return (TestDevState *)d;
}

static uint32_t in(uint16_t port, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m.io_as, port, size, &v), MEMTX_OK);
    return v;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
    ck_assert_int_eq(as_st(&m.io_as, port, size, v), MEMTX_OK);
}

static uint32_t cfg_addr(int devfn, int reg)
{
    return I440FX_CONFIG_ENABLE | devfn << 8 | (reg & 0xFC);
}

/* Config cycles the way a guest makes them: CONFIG_ADDRESS, then CONFIG_DATA + (reg & 3). */
static uint32_t cfg_read(int devfn, int reg, unsigned size)
{
    out(0xCF8, 4, cfg_addr(devfn, reg));
    return in(0xCFC + (reg & 3), size);
}

static void cfg_write(int devfn, int reg, unsigned size, uint32_t v)
{
    out(0xCF8, 4, cfg_addr(devfn, reg));
    out(0xCFC + (reg & 3), size, v);
}

static MemTxResult mem_ld(hwaddr addr, uint64_t *v)
{
    return as_ld(&m.sysmem_as, addr, 4, v);
}

/* ---------------------------------------------------------------------------------------
 * Configuration mechanism #1
 */

START_TEST(test_host_bridge_ids)
{
    ck_assert_uint_eq(cfg_read(0, 0x00, 4), 0x12378086);
    ck_assert_uint_eq(cfg_read(0, 0x00, 2), 0x8086);
    ck_assert_uint_eq(cfg_read(0, 0x02, 2), 0x1237);
    ck_assert_uint_eq(cfg_read(0, 0x01, 1), 0x80);
    ck_assert_uint_eq(cfg_read(0, 0x08, 4) >> 8, 0x060000);     /* class: host bridge */
    ck_assert_uint_eq(cfg_read(0, 0x08, 1), 0x02);              /* revision */
    ck_assert_uint_eq(cfg_read(0, 0x0E, 1), 0x00);              /* header type 0 */
    ck_assert_uint_eq(cfg_read(0, 0x04, 2), 0x0006);            /* PCICMD */
    ck_assert_uint_eq(cfg_read(0, 0x06, 2), 0x0280);            /* PCISTS */
    ck_assert_uint_eq(cfg_read(0, I440FX_SMRAM, 1), I440FX_SMRAM_DEFAULT);
    /* hardwired COMMAND bits stay; PAM registers are stored */
    cfg_write(0, 0x04, 2, 0x0000);
    ck_assert_uint_eq(cfg_read(0, 0x04, 2), 0x0006);
    cfg_write(0, I440FX_PAM0, 1, 0x30);
    cfg_write(0, I440FX_PAM0 + 1, 2, 0x3333);
    ck_assert_uint_eq(cfg_read(0, 0x58, 4), 0x33333000);
    ck_assert_ptr_nonnull(i440fx_bus(host));
    ck_assert_ptr_eq(i440fx_bus(host), pci_bus_find(&m, "pci.0"));
    ck_assert_ptr_null(i440fx_bus(piix3));
}
END_TEST

START_TEST(test_piix3_ids)
{
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x00, 4), 0x70008086);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x0A, 2), 0x0601);  /* ISA bridge */
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x09, 1), 0x00);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x0E, 1), 0x80);    /* multifunction */
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x0C, 4), 0x00800000);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x04, 2), 0x0007);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x3D, 1), 0x00);    /* no interrupt pin */
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x60, 4), 0x80808080);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x4C, 1), 0x4D);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x69, 1), 0x02);
    /* functions 01.1-01.7 and empty slots answer with all ones (master abort) */
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(1, 1), 0x00, 4), 0xFFFFFFFF);
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(7, 0), 0x00, 2), 0xFFFF);
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(31, 7), 0x3C, 1), 0xFF);
}
END_TEST

START_TEST(test_config_address_register)
{
    /* reserved bits 30:24 and 1:0 read as 0 */
    out(0xCF8, 4, 0xFFFFFFFF);
    ck_assert_uint_eq(in(0xCF8, 4), 0x80FFFFFC);
    out(0xCF8, 4, 0x80000808);
    ck_assert_uint_eq(in(0xCF8, 4), 0x80000808);
    /* byte and word accesses pass through: they neither change nor read it */
    out(0xCF8, 1, 0x00);
    out(0xCFA, 2, 0x0000);
    ck_assert_uint_eq(in(0xCF8, 4), 0x80000808);
    ck_assert_uint_eq(in(0xCF8, 2), 0xFFFF);
    ck_assert_uint_eq(in(0xCFB, 1), 0xFF);
    /* data at any offset and size */
    out(0xCF8, 4, cfg_addr(0, 0));
    ck_assert_uint_eq(in(0xCFC, 1), 0x86);
    ck_assert_uint_eq(in(0xCFD, 1), 0x80);
    ck_assert_uint_eq(in(0xCFE, 2), 0x1237);
    ck_assert_uint_eq(in(0xCFF, 1), 0x12);
    /* enable bit clear: no configuration cycle */
    out(0xCF8, 4, 0x00000000);
    ck_assert_uint_eq(in(0xCFC, 4), 0xFFFFFFFF);
    out(0xCF8, 4, cfg_addr(PIIX3_DEVFN, 0x60) & ~I440FX_CONFIG_ENABLE);
    out(0xCFC, 1, 0x05);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x60, 1), 0x80);
    /* bus 1 does not exist */
    out(0xCF8, 4, cfg_addr(0, 0) | 1 << 16);
    ck_assert_uint_eq(in(0xCFC, 4), 0xFFFFFFFF);
    out(0xCF8, 4, cfg_addr(PIIX3_DEVFN, 0x60) | 1 << 16);
    out(0xCFC, 1, 0x05);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x60, 1), 0x80);
    /* read-only IDs */
    cfg_write(0, 0x00, 4, 0);
    ck_assert_uint_eq(cfg_read(0, 0x00, 4), 0x12378086);
}
END_TEST

START_TEST(test_reset_control_cf9)
{
    /* a dword CONFIG_ADDRESS whose second byte has RCPU set is no reset */
    out(0xCF8, 4, 0x80000C00);
    ck_assert(!m.reset_requested);
    ck_assert_uint_eq(in(0xCF9, 1), 0x00);
    out(0xCF9, 1, 0x02);
    ck_assert(!m.reset_requested);
    ck_assert_uint_eq(in(0xCF9, 1), 0x02);
    out(0xCF9, 1, 0x06);
    ck_assert(m.reset_requested);
    ck_assert_uint_eq(in(0xCF8, 4), 0x80000C00);    /* the latch is separate */
    device_reset(host);
    ck_assert_uint_eq(in(0xCF9, 1), 0x00);
    ck_assert_uint_eq(in(0xCF8, 4), 0x00000000);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * BARs
 */

START_TEST(test_bar_sizing)
{
    TestDevState *t = testdev("t0", "addr=03.0");
    int devfn = PCI_DEVFN(3, 0);

    ck_assert_uint_eq(cfg_read(devfn, 0x00, 4), (TESTDEV_DEVICE << 16) | TESTDEV_VENDOR);
    ck_assert_uint_eq(cfg_read(devfn, 0x2C, 4), 0x11001AF4);
    ck_assert_uint_eq(cfg_read(devfn, 0x08, 4), 0x00FF0007);
    ck_assert_uint_eq(cfg_read(devfn, 0x3C, 2), 0x0100);        /* pin INTA, line 0 */
    /* reset values: type bits only */
    ck_assert_uint_eq(cfg_read(devfn, 0x10, 4), 0x00000001);
    ck_assert_uint_eq(cfg_read(devfn, 0x14, 4), 0x00000000);
    ck_assert_uint_eq(cfg_read(devfn, 0x18, 4), 0x0000000C);
    ck_assert_uint_eq(cfg_read(devfn, 0x1C, 4), 0x00000000);
    /* write all ones, read the size mask back */
    for (int reg = 0x10; reg <= 0x30; reg += 4) {
        cfg_write(devfn, reg, 4, 0xFFFFFFFF);
    }
    ck_assert_uint_eq(cfg_read(devfn, 0x10, 4), 0xFFFFFFF1);     /* 16 bytes of I/O */
    ck_assert_uint_eq(cfg_read(devfn, 0x14, 4), 0xFFFFF000);     /* 4 KiB, 32-bit */
    ck_assert_uint_eq(cfg_read(devfn, 0x18, 4), 0xFFF0000C);     /* 1 MiB, 64-bit pref */
    ck_assert_uint_eq(cfg_read(devfn, 0x1C, 4), 0xFFFFFFFF);     /* its upper half */
    ck_assert_uint_eq(cfg_read(devfn, 0x20, 4), 0x00000000);     /* not implemented */
    ck_assert_uint_eq(cfg_read(devfn, 0x24, 4), 0x00000000);
    ck_assert_uint_eq(cfg_read(devfn, 0x30, 4), 0x00000000);     /* no expansion ROM */
    /* a BAR register written bytewise */
    cfg_write(devfn, 0x14, 4, 0);
    cfg_write(devfn, 0x17, 1, 0xFE);
    cfg_write(devfn, 0x15, 1, 0xBF);
    ck_assert_uint_eq(cfg_read(devfn, 0x14, 4), 0xFE00B000);
    ck_assert_uint_eq(t->pci.bars[1].size, 4096);
}
END_TEST

START_TEST(test_bar_mapping)
{
    TestDevState *t = testdev("t0", "addr=03.0");
    int devfn = PCI_DEVFN(3, 0);
    uint64_t v;

    cfg_write(devfn, 0x10, 4, 0xC000);
    cfg_write(devfn, 0x14, 4, 0xFEB00000);
    cfg_write(devfn, 0x18, 4, 0x00000000);
    cfg_write(devfn, 0x1C, 4, 0x00000001);                      /* 4 GiB */
    /* COMMAND has decoding off: nothing is there */
    ck_assert_uint_eq(pci_bar_address(&t->pci, 0), PCI_BAR_UNMAPPED);
    ck_assert_int_eq(as_ld(&m.io_as, 0xC000, 1, &v), MEMTX_UNASSIGNED);
    ck_assert_int_eq(mem_ld(0xFEB00000, &v), MEMTX_UNASSIGNED);

    /* I/O decoding: the port accesses reach the device */
    cfg_write(devfn, 0x04, 2, PCI_COMMAND_IO);
    ck_assert_uint_eq(pci_bar_address(&t->pci, 0), 0xC000);
    ck_assert_uint_eq(pci_bar_address(&t->pci, 1), PCI_BAR_UNMAPPED);
    out(0xC003, 1, 0x5A);
    ck_assert_uint_eq(t->regs[3], 0x5A);
    ck_assert_uint_eq(t->io_writes, 1);
    out(0xC004, 4, 0x44332211);
    ck_assert_uint_eq(in(0xC004, 2), 0x2211);
    ck_assert_uint_eq(in(0xC00F, 1), 0x00);
    ck_assert_int_eq(as_ld(&m.io_as, 0xC010, 1, &v), MEMTX_UNASSIGNED);
    ck_assert_int_eq(mem_ld(0xFEB00000, &v), MEMTX_UNASSIGNED);

    /* memory decoding too */
    cfg_write(devfn, 0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    ck_assert_uint_eq(pci_bar_address(&t->pci, 1), 0xFEB00000);
    ck_assert_uint_eq(pci_bar_address(&t->pci, 2), 0x100000000ull);
    ck_assert_int_eq(as_st(&m.sysmem_as, 0xFEB00010, 4, 0xCAFEF00D), MEMTX_OK);
    ck_assert_uint_eq(t->mem[4], 0xCAFEF00D);
    ck_assert_int_eq(mem_ld(0xFEB00010, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0xCAFEF00D);
    ck_assert_int_eq(mem_ld(0x100000000ull + 0x1234, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x64001234);
    ck_assert_int_eq(mem_ld(0x100100000ull, &v), MEMTX_UNASSIGNED);

    /* moving a BAR while decoding is on */
    cfg_write(devfn, 0x10, 4, 0xC100);
    ck_assert_int_eq(as_ld(&m.io_as, 0xC003, 1, &v), MEMTX_UNASSIGNED);
    ck_assert_uint_eq(in(0xC103, 1), 0x5A);
    cfg_write(devfn, 0x1C, 4, 0);
    cfg_write(devfn, 0x18, 4, 0xE0000000);
    ck_assert_uint_eq(pci_bar_address(&t->pci, 2), 0xE0000000);
    ck_assert_int_eq(mem_ld(0x100001234ull, &v), MEMTX_UNASSIGNED);
    ck_assert_int_eq(mem_ld(0xE0000008, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x64000008);

    /* sizing with decoding on: the all-ones pattern is never mapped */
    cfg_write(devfn, 0x14, 4, 0xFFFFFFFF);
    ck_assert_uint_eq(pci_bar_address(&t->pci, 1), PCI_BAR_UNMAPPED);
    ck_assert_int_eq(mem_ld(0xFEB00010, &v), MEMTX_UNASSIGNED);
    ck_assert_int_eq(mem_ld(0xFFFFF000, &v), MEMTX_UNASSIGNED);
    cfg_write(devfn, 0x10, 4, 0xFFFFFFFF);                      /* past 64 KiB of I/O */
    ck_assert_uint_eq(pci_bar_address(&t->pci, 0), PCI_BAR_UNMAPPED);
    cfg_write(devfn, 0x14, 4, 0xFEB00000);
    cfg_write(devfn, 0x10, 4, 0xC100);
    ck_assert_int_eq(mem_ld(0xFEB00010, &v), MEMTX_OK);
    /* address 0 is "not placed yet" */
    cfg_write(devfn, 0x10, 4, 0);
    ck_assert_uint_eq(pci_bar_address(&t->pci, 0), PCI_BAR_UNMAPPED);
    cfg_write(devfn, 0x10, 4, 0xC100);

    /* decoding off again unmaps everything */
    cfg_write(devfn, 0x04, 2, 0);
    for (int n = 0; n < 3; n++) {
        ck_assert_uint_eq(pci_bar_address(&t->pci, n), PCI_BAR_UNMAPPED);
    }
    ck_assert_int_eq(as_ld(&m.io_as, 0xC103, 1, &v), MEMTX_UNASSIGNED);
    ck_assert_int_eq(mem_ld(0xFEB00010, &v), MEMTX_UNASSIGNED);
    ck_assert_int_eq(mem_ld(0xE0000008, &v), MEMTX_UNASSIGNED);
    /* the registers keep their values */
    ck_assert_uint_eq(cfg_read(devfn, 0x10, 4), 0xC101);
    ck_assert_uint_eq(cfg_read(devfn, 0x14, 4), 0xFEB00000);
}
END_TEST

START_TEST(test_bar_below_ram_priority)
{
    /* a BAR placed over RAM loses to it (bar priority -1), and appears once moved away */
    TestDevState *t = testdev("t0", "addr=04.0");
    MemRegion ram;
    uint64_t v;
    int devfn = PCI_DEVFN(4, 0);

    mr_init_ram(&ram, "ram", 16 * MiB);
    mr_add_subregion(&m.sysmem, 0, &ram, 0);
    ram.ram[0x100000] = 0x11;
    cfg_write(devfn, 0x14, 4, 0x00100000);
    cfg_write(devfn, 0x04, 2, PCI_COMMAND_MEMORY);
    ck_assert_uint_eq(pci_bar_address(&t->pci, 1), 0x00100000);
    ck_assert_int_eq(as_ld(&m.sysmem_as, 0x100000, 1, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x11);
    cfg_write(devfn, 0x14, 4, 0x08000000);
    t->mem[0] = 0x77;
    ck_assert_int_eq(mem_ld(0x08000000, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x77);
    cfg_write(devfn, 0x04, 2, 0);
    mr_del_subregion(&m.sysmem, &ram);
    mr_destroy(&ram);
}
END_TEST

START_TEST(test_status_and_command_bits)
{
    TestDevState *t = testdev("t0", "addr=03.0");
    int devfn = PCI_DEVFN(3, 0);

    ck_assert_uint_eq(cfg_read(devfn, 0x06, 2), PCI_STATUS_DEVSEL_MEDIUM);
    /* error bits are write-1-to-clear; the rest of STATUS is read-only */
    pci_set_word(t->pci.config + PCI_STATUS,
                 PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_REC_MASTER_ABORT |
                 PCI_STATUS_DETECTED_PARITY);
    cfg_write(devfn, 0x06, 2, 0);
    ck_assert_uint_eq(cfg_read(devfn, 0x06, 2), PCI_STATUS_DEVSEL_MEDIUM |
                      PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_DETECTED_PARITY);
    cfg_write(devfn, 0x06, 2, PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_DEVSEL_MEDIUM);
    ck_assert_uint_eq(cfg_read(devfn, 0x06, 2),
                      PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_DETECTED_PARITY);
    /* a dword write to COMMAND with a zero STATUS half clears nothing */
    cfg_write(devfn, 0x04, 4, PCI_COMMAND_MASTER);
    ck_assert_uint_eq(cfg_read(devfn, 0x04, 4),
                      (uint32_t)(PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_DETECTED_PARITY) << 16 |
                      PCI_COMMAND_MASTER);
    /* COMMAND keeps only the implemented bits */
    cfg_write(devfn, 0x04, 2, 0xFFFF);
    ck_assert_uint_eq(cfg_read(devfn, 0x04, 2), 0x0547);
    /* cache line size, latency timer and interrupt line are plain storage */
    cfg_write(devfn, 0x0C, 2, 0x4010);
    cfg_write(devfn, 0x3C, 2, 0xFF0B);
    ck_assert_uint_eq(cfg_read(devfn, 0x0C, 4), 0x00004010);
    ck_assert_uint_eq(cfg_read(devfn, 0x3C, 2), 0x010B);         /* the pin is read-only */
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Interrupts
 */

START_TEST(test_intx_swizzle_and_pirq)
{
    TestDevState *t = testdev("t0", "addr=03.0");               /* INTA -> PIRQC */
    int devfn = PCI_DEVFN(3, 0);
    PCIBus *bus = pci_bus_find(&m, "pci.0");

    ck_assert_int_eq(piix3_pirq_of(3, 0), 2);
    ck_assert_int_eq(piix3_pirq_of(1, 0), 0);
    ck_assert_int_eq(piix3_pirq_of(0, 0), 3);
    ck_assert_int_eq(piix3_pirq_of(2, 3), 0);

    pci_set_irq(&t->pci, 1);
    ck_assert_int_eq(pirq_level[2], 1);
    ck_assert_int_eq(pirq_level[0] + pirq_level[1] + pirq_level[3], 0);
    ck_assert_int_eq(pci_bus_irq_level(bus, 2), 1);
    ck_assert_uint_eq(cfg_read(devfn, 0x06, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
    for (int i = 0; i < 16; i++) {
        ck_assert_int_eq(isa_level[i], 0);                      /* PIRQRC: not routed */
    }
    /* route PIRQC to IRQ 11: the level appears there */
    cfg_write(PIIX3_DEVFN, 0x62, 1, 0x0B);
    ck_assert_int_eq(isa_level[11], 1);
    pci_set_irq(&t->pci, 0);
    ck_assert_int_eq(isa_level[11], 0);
    ck_assert_int_eq(pirq_level[2], 0);
    ck_assert_uint_eq(cfg_read(devfn, 0x06, 2) & PCI_STATUS_INTERRUPT, 0);
    pci_set_irq(&t->pci, 1);
    ck_assert_int_eq(isa_level[11], 1);
    ck_assert_int_eq(isa_edges[11], 2);

    /* INTX_DISABLE masks the pin but not the status bit */
    cfg_write(devfn, 0x04, 2, PCI_COMMAND_INTX_DISABLE);
    ck_assert_int_eq(pirq_level[2], 0);
    ck_assert_int_eq(isa_level[11], 0);
    ck_assert_uint_eq(cfg_read(devfn, 0x06, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
    cfg_write(devfn, 0x04, 2, 0);
    ck_assert_int_eq(pirq_level[2], 1);
    ck_assert_int_eq(isa_level[11], 1);

    /* rerouting while asserted moves the level; disabling drops it */
    cfg_write(PIIX3_DEVFN, 0x62, 1, 0x0A);
    ck_assert_int_eq(isa_level[11], 0);
    ck_assert_int_eq(isa_level[10], 1);
    cfg_write(PIIX3_DEVFN, 0x62, 1, 0x8A);
    ck_assert_int_eq(isa_level[10], 0);
    ck_assert_int_eq(pirq_level[2], 1);                         /* the IOAPIC path stays */
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x62, 1), 0x8A);
    /* IRQ 0, 2, 8 and 13 cannot be routed */
    static const int reserved[] = { 0, 1, 2, 8, 13 };
    for (size_t i = 0; i < ARRAY_SIZE(reserved); i++) {
        cfg_write(PIIX3_DEVFN, 0x62, 1, reserved[i]);
        for (int irq = 0; irq < 16; irq++) {
            ck_assert_int_eq(isa_level[irq], 0);
        }
    }
    /* PIRQRC bits 6:4 are reserved */
    cfg_write(PIIX3_DEVFN, 0x62, 1, 0x7F);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x62, 1), 0x0F);
    ck_assert_int_eq(isa_level[15], 1);
    pci_set_irq(&t->pci, 0);
    ck_assert_int_eq(isa_level[15], 0);
}
END_TEST

START_TEST(test_intx_pins_and_sharing)
{
    TestDevState *a = testdev("a", "addr=05.0");                /* INTA: (5-1)&3 = PIRQA */
    TestDevState *b = testdev("b", "addr=09.0");                /* INTA: (9-1)&3 = PIRQA */
    TestDevState *c = testdev("c", "addr=05.1,pin=2");          /* INTB: PIRQB */
    TestDevState *d = testdev("d", "addr=0x1f.7,pin=4");        /* INTD: (31+3-1)&3 = B */

    cfg_write(PIIX3_DEVFN, 0x60, 4, 0x8080050B);                /* A -> 11, B -> 5 */
    pci_set_irq(&a->pci, 1);
    pci_set_irq(&b->pci, 1);
    ck_assert_int_eq(pirq_level[0], 1);
    ck_assert_int_eq(isa_level[11], 1);
    pci_set_irq(&a->pci, 0);
    ck_assert_int_eq(pirq_level[0], 1);                         /* wired-OR: b still */
    ck_assert_int_eq(isa_level[11], 1);
    pci_set_irq(&b->pci, 0);
    ck_assert_int_eq(pirq_level[0], 0);
    ck_assert_int_eq(isa_level[11], 0);

    pci_set_irq(&c->pci, 1);
    ck_assert_int_eq(pirq_level[1], 1);
    ck_assert_int_eq(isa_level[5], 1);
    pci_set_irq(&d->pci, 1);
    pci_set_irq(&c->pci, 0);
    ck_assert_int_eq(pirq_level[1], 1);
    ck_assert_int_eq(isa_level[5], 1);
    pci_set_irq(&d->pci, 0);
    ck_assert_int_eq(pirq_level[1], 0);
    ck_assert_int_eq(isa_level[5], 0);

    /* two PIRQs on one IRQ are ORed */
    cfg_write(PIIX3_DEVFN, 0x60, 2, 0x0909);
    pci_set_irq(&a->pci, 1);
    pci_set_irq(&c->pci, 1);
    ck_assert_int_eq(isa_level[9], 1);
    pci_set_irq(&a->pci, 0);
    ck_assert_int_eq(isa_level[9], 1);
    pci_set_irq(&c->pci, 0);
    ck_assert_int_eq(isa_level[9], 0);
    ck_assert_int_eq(isa_edges[9], 1);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Addresses, reset, snapshots
 */

START_TEST(test_device_addresses)
{
    TestDevState *t = testdev("auto", NULL);
    ck_assert_uint_eq(t->pci.devfn, PCI_DEVFN(2, 0));            /* 00 and 01 are taken */
    t = testdev("auto2", NULL);
    ck_assert_uint_eq(t->pci.devfn, PCI_DEVFN(3, 0));
    t = testdev("f", "addr=6.3");
    ck_assert_uint_eq(t->pci.devfn, PCI_DEVFN(6, 3));
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(6, 3), 0x00, 2), TESTDEV_VENDOR);
    ck_assert_ptr_null(device_create_class(&m, &testdev_class, "dup", "addr=02.0"));
    ck_assert_ptr_null(device_create_class(&m, &testdev_class, "bad", "addr=zz"));
    ck_assert_ptr_null(device_create_class(&m, &testdev_class, "bad", "addr=20.0"));
    ck_assert_ptr_null(device_create_class(&m, &testdev_class, "bad", "addr=3.8"));
    ck_assert_ptr_null(device_create_class(&m, &testdev_class, "bad", "bus=pci.7"));
    ck_assert_ptr_null(device_create_class(&m, &piix3_class, "router2", "addr=08.0"));
    ck_assert_ptr_null(device_create_class(&m, &i440fx_pcihost_class, "host2", NULL));
    ck_assert_ptr_null(device_create_class(NULL, &testdev_class, "nomachine", NULL));
    /* the failed ones left nothing behind */
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(8, 0), 0x00, 4), 0xFFFFFFFF);
    ck_assert_ptr_eq(machine_find_device(&m, "dup"), NULL);
}
END_TEST

START_TEST(test_reset)
{
    TestDevState *t = testdev("t0", "addr=03.0");
    int devfn = PCI_DEVFN(3, 0);

    cfg_write(devfn, 0x10, 4, 0xC000);
    cfg_write(devfn, 0x3C, 1, 11);
    cfg_write(devfn, 0x04, 2, PCI_COMMAND_IO);
    cfg_write(PIIX3_DEVFN, 0x62, 1, 0x0B);
    pci_set_irq(&t->pci, 1);
    ck_assert_int_eq(isa_level[11], 1);
    out(0xCF8, 4, 0x80001234);
    for (Device *d = m.devices; d; d = d->next) {
        device_reset(d);
    }
    ck_assert_uint_eq(pci_bar_address(&t->pci, 0), PCI_BAR_UNMAPPED);
    ck_assert_int_eq(isa_level[11], 0);
    ck_assert_int_eq(pirq_level[2], 0);
    ck_assert_uint_eq(in(0xCF8, 4), 0);
    ck_assert_uint_eq(cfg_read(devfn, 0x10, 4), 0x00000001);
    ck_assert_uint_eq(cfg_read(devfn, 0x04, 2), 0);
    ck_assert_uint_eq(cfg_read(devfn, 0x3C, 2), 0x0100);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x60, 4), 0x80808080);
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, 0x04, 2), 0x0007);
}
END_TEST

START_TEST(test_save_load)
{
    TestDevState *t = testdev("t0", "addr=03.0");
    int devfn = PCI_DEVFN(3, 0);
    uint8_t tbuf[512], pbuf[512], hbuf[512];
    size_t tn, pn, hn;

    cfg_write(devfn, 0x10, 4, 0xC000);
    cfg_write(devfn, 0x04, 2, PCI_COMMAND_IO);
    cfg_write(PIIX3_DEVFN, 0x62, 1, 0x0B);
    pci_set_irq(&t->pci, 1);
    out(0xCF8, 4, cfg_addr(devfn, 0x10));
    tn = t->pci.parent.cls->save(&t->pci.parent, tbuf, sizeof(tbuf));
    pn = piix3->cls->save(piix3, pbuf, sizeof(pbuf));
    hn = host->cls->save(host, hbuf, sizeof(hbuf));
    ck_assert_uint_le(tn, sizeof(tbuf));

    /* change everything, then restore */
    pci_set_irq(&t->pci, 0);
    cfg_write(devfn, 0x10, 4, 0xD000);
    cfg_write(devfn, 0x04, 2, 0);
    cfg_write(PIIX3_DEVFN, 0x62, 1, 0x80);
    ck_assert_int_eq(isa_level[11], 0);
    ck_assert_int_eq(host->cls->load(host, hbuf, hn), 0);
    ck_assert_int_eq(piix3->cls->load(piix3, pbuf, pn), 0);
    ck_assert_int_eq(t->pci.parent.cls->load(&t->pci.parent, tbuf, tn), 0);
    ck_assert_uint_eq(pci_bar_address(&t->pci, 0), 0xC000);
    ck_assert_int_eq(isa_level[11], 1);
    ck_assert_int_eq(pirq_level[2], 1);
    ck_assert_uint_eq(in(0xCF8, 4), cfg_addr(devfn, 0x10));
    ck_assert_uint_eq(in(0xCFC, 4), 0xC001);
    ck_assert_int_eq(host->cls->load(host, hbuf, hn - 1), -EINVAL);
    ck_assert_int_eq(piix3->cls->load(piix3, pbuf, 3), -EINVAL);
}
END_TEST

START_TEST(test_info)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    testdev("t0", "addr=03.0");
    cfg_write(PCI_DEVFN(3, 0), 0x10, 4, 0xC000);
    cfg_write(PCI_DEVFN(3, 0), 0x04, 2, PCI_COMMAND_IO);
    host->cls->info(host, f);
    piix3->cls->info(piix3, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "00.0 8086:1237 class 060000"));
    ck_assert_ptr_nonnull(strstr(text, "01.0 8086:7000 class 060100"));
    ck_assert_ptr_nonnull(strstr(text, "BAR0 I/O size 0x10 at 0xc000"));
    ck_assert_ptr_nonnull(strstr(text, "PIRQC: level 0, not routed to the PIC, IOAPIC input 18"));
    free(text);
}
END_TEST

static Suite *pci_suite(void)
{
    Suite *s = suite_create("pci");
    TCase *tc = tcase_create("config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_host_bridge_ids);
    tcase_add_test(tc, test_piix3_ids);
    tcase_add_test(tc, test_config_address_register);
    tcase_add_test(tc, test_reset_control_cf9);
    suite_add_tcase(s, tc);

    tc = tcase_create("bars");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bar_sizing);
    tcase_add_test(tc, test_bar_mapping);
    tcase_add_test(tc, test_bar_below_ram_priority);
    tcase_add_test(tc, test_status_and_command_bits);
    suite_add_tcase(s, tc);

    tc = tcase_create("intx");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_intx_swizzle_and_pirq);
    tcase_add_test(tc, test_intx_pins_and_sharing);
    suite_add_tcase(s, tc);

    tc = tcase_create("lifecycle");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_device_addresses);
    tcase_add_test(tc, test_reset);
    tcase_add_test(tc, test_save_load);
    tcase_add_test(tc, test_info);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;
    main_loop_init();
    sr = srunner_create(pci_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_msi.c — PCI capabilities lists (hw/pci/pci.c), the MSI capability
 * (hw/pci/msi.c), the local APIC's MSI window (hw/intc/apic.c) and the edu device
 * (hw/misc/edu.c), on a small machine: RAM at 0, two x86 CPUs with their local APICs at
 * 0xFEE00000, the i440FX host bridge and the PIIX3, and a test function defined here
 * ("msi-testdev": MSI with vectors=, a 64-bit address with is64=, per-vector masking with
 * mask=), all driven through configuration cycles on ports 0xCF8/0xCFC.
 *
 * Covered: capability placement (first free, explicit, overlap, alignment, no room), the
 * list through CAPABILITIES_PTR and STATUS.CAP_LIST (also after reset), read-only ID and
 * next pointer; MSI Message Control (capable/enable fields, clamping, read-only bits), the
 * 32- and 64-bit layouts, address bits 1:0, mask bits of the requested vectors only,
 * read-only pending bits; delivery as a DWORD write to the APICs (physical and logical
 * destinations, the vector in the data's low bits, dest 0 through the reserved register
 * slot), nothing while disabled, without bus mastering or beyond the allocated vectors;
 * masking with pending bits and delivery on unmasking, pending dropped with the vectors;
 * reset; the machine's accel_send_msi hook. edu: registers, factorial, INTx through the
 * PIIX3 and MSI instead of it, DMA to and from RAM with its completion interrupt, bad DMA,
 * save/load.
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/pci/msi.h"
#include "hw/pci-host/i440fx.h"
#include "hw/isa/piix3.h"
#include "hw/intc/apic.h"
#include "hw/misc/edu.h"
#include "cpu/x86/cpu.h"
#include "system/main-loop.h"
#include <check.h>

/* ---------------------------------------------------------------------------------------
 * The test function
 */

typedef struct MsiTestState {
    PCIDevice pci;
} MsiTestState;

static const PCIDeviceInfo msitest_info = {
    .vendor_id = 0x1234,
    .device_id = 0x0505,
    .class_code = 0x00FF00,
    .default_devfn = -1,
};

static int msitest_realize(Device *dev)
{
    MsiTestState *s = (MsiTestState *)dev;
    uint64_t vectors, is64, mask;

    if (device_prop_u64(dev, "vectors", 1, &vectors) < 0 ||
        device_prop_u64(dev, "is64", 0, &is64) < 0 ||
        device_prop_u64(dev, "mask", 0, &mask) < 0 ||
        pci_device_init(&s->pci, &msitest_info) < 0) {
        return -EINVAL;
    }
    if (msi_init(&s->pci, 0, (unsigned)vectors, is64, mask) < 0) {
        pci_device_exit(&s->pci);
        return -EINVAL;
    }
    return 0;
}

static void msitest_reset(Device *dev)
{
    pci_device_reset(&((MsiTestState *)dev)->pci);
}

static void msitest_unrealize(Device *dev)
{
    pci_device_exit(&((MsiTestState *)dev)->pci);
}

static const DeviceProp msitest_props[] = {
    PCI_DEVICE_PROPS,
    { "vectors", "" }, { "is64", "" }, { "mask", "" },
    { NULL, NULL },
};

static const DeviceClass msitest_class = {
    .name = "msi-testdev",
    .bus = "pci",
    .state_size = sizeof(MsiTestState),
    .props = msitest_props,
    .realize = msitest_realize,
    .reset = msitest_reset,
    .unrealize = msitest_unrealize,
};

/* ---------------------------------------------------------------------------------------
 * The machine
 */

#define RAM_SIZE (16 * MiB)

static Machine m;
static CPUState *cpu[2];
static Device *apic[2], *host, *piix3;
static int pirq_level[4];
static int hook_calls;
static uint64_t hook_addr;
static uint32_t hook_data;

static void pirq_handler(void *opaque, int n, int level)
{
    pirq_level[n] = level;
}

static void setup(void)
{
    static IrqLine pirq_in[4];

    memset(&m, 0, sizeof(m));
    mr_init_container(&m.sysmem, "sysmem", 1ULL << 40);
    mr_init_container(&m.io, "io", 0x10000);
    as_init(&m.sysmem_as, &m.sysmem, "memory");
    as_init(&m.io_as, &m.io, "io");
    mr_init_ram(&m.ram, "ram", RAM_SIZE);
    mr_add_subregion(&m.sysmem, 0, &m.ram, 0);
    apic_install_cpu_hooks();
    for (int i = 0; i < 2; i++) {
        char props[16];
        cpu[i] = cpu_create(&x86_cpu_class, NULL, i, &m);
        ck_assert_ptr_nonnull(cpu[i]);
        m.cpus[i] = cpu[i];
        snprintf(props, sizeof(props), "cpu=%d", i);
        apic[i] = device_create_class(&m, &apic_class, i ? "apic1" : "apic0", props);
        ck_assert_ptr_nonnull(apic[i]);
        apic_attach_cpu(apic[i], cpu[i]);
    }
    m.ncpus = 2;
    mr_add_subregion(&m.sysmem, APIC_DEFAULT_BASE, apic_mmio_region(&m), 10);
    host = device_create_class(&m, &i440fx_pcihost_class, "pcihost", NULL);
    piix3 = device_create_class(&m, &piix3_class, "piix3", NULL);
    ck_assert_ptr_nonnull(host);
    ck_assert_ptr_nonnull(piix3);
    memset(pirq_level, 0, sizeof(pirq_level));
    for (int i = 0; i < 4; i++) {
        pirq_in[i] = (IrqLine){ pirq_handler, NULL, i };
        irq_connect(device_irq_out(piix3, PIIX3_OUT_PIRQ(i)), &pirq_in[i]);
    }
    hook_calls = 0;
    current_cpu = cpu[0];
}

static void teardown(void)
{
    current_cpu = NULL;
    while (m.devices) {
        device_destroy(m.devices);
    }
    for (int i = 0; i < 2; i++) {
        free(cpu_arch_state(cpu[i]));
    }
    mr_del_subregion(&m.sysmem, &m.ram);
    mr_destroy(&m.ram);
    as_destroy(&m.sysmem_as);
    as_destroy(&m.io_as);
    mr_destroy(&m.sysmem);
    mr_destroy(&m.io);
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
    ck_assert_int_eq(as_st(&m.io_as, port, size, v), MEMTX_OK);
}

static uint32_t in(uint16_t port, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m.io_as, port, size, &v), MEMTX_OK);
    return v;
}

static uint32_t cfg_read(int devfn, int reg, unsigned size)
{
    out(0xCF8, 4, I440FX_CONFIG_ENABLE | devfn << 8 | (reg & 0xFC));
    return in(0xCFC + (reg & 3), size);
}

static void cfg_write(int devfn, int reg, unsigned size, uint32_t v)
{
    out(0xCF8, 4, I440FX_CONFIG_ENABLE | devfn << 8 | (reg & 0xFC));
    out(0xCFC + (reg & 3), size, v);
}

static PCIDevice *testdev(const char *id, const char *props)
{
    Device *d = device_create_class(&m, &msitest_class, id, props);
    ck_assert_ptr_nonnull(d);
    return (PCIDevice *)d;
}

static uint32_t apic_rd(int c, uint32_t reg)
{
    uint64_t v = 0;
    current_cpu = cpu[c];
    as_ld(&m.sysmem_as, APIC_DEFAULT_BASE + reg, 4, &v);
    current_cpu = cpu[0];
    return v;
}

static void apic_wr(int c, uint32_t reg, uint32_t v)
{
    current_cpu = cpu[c];
    as_st(&m.sysmem_as, APIC_DEFAULT_BASE + reg, 4, v);
    current_cpu = cpu[0];
}

static bool irr(int c, int v)
{
    return apic_rd(c, 0x200 + (v / 32) * 0x10) & (1u << (v % 32));
}

/* Accept and EOI vector v on CPU c (it must be the highest pending one). */
static void take(int c, int v)
{
    ck_assert_int_eq(apic_get_interrupt(apic[c]), v);
    apic_wr(c, 0x0B0, 0);
}

static void enable_apics(void)
{
    apic_wr(0, 0x0F0, 0x1FF);
    apic_wr(1, 0x0F0, 0x1FF);
}

/* Point the function's MSI at APIC address addr with data, allocate 2^mme vectors, enable
 * MSI and bus mastering. */
static void msi_setup(PCIDevice *d, uint32_t addr, uint16_t data, unsigned mme)
{
    int devfn = d->devfn, cap = d->msi_cap;
    bool is64 = cfg_read(devfn, cap + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_64BIT;

    cfg_write(devfn, PCI_COMMAND, 2, cfg_read(devfn, PCI_COMMAND, 2) | PCI_COMMAND_MASTER);
    cfg_write(devfn, cap + PCI_MSI_ADDRESS_LO, 4, addr);
    cfg_write(devfn, cap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), 2, data);
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, mme << 4 | PCI_MSI_FLAGS_ENABLE);
}

/* ---------------------------------------------------------------------------------------
 * Capabilities lists
 */

START_TEST(test_capability_list)
{
    PCIDevice *d = testdev("t", NULL);   /* MSI: 32-bit, no masking: 10 bytes at 0x40 */
    int devfn = d->devfn;

    ck_assert_uint_eq(d->msi_cap, 0x40);
    ck_assert(cfg_read(devfn, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    ck_assert_uint_eq(cfg_read(devfn, PCI_CAPABILITY_LIST, 1), 0x40);
    ck_assert_uint_eq(cfg_read(devfn, 0x40, 2), 0x0005);        /* MSI, end of list */

    /* the next one goes to the first dword-aligned free place, and heads the list */
    ck_assert_int_eq(pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 8), 0x4C);
    ck_assert_uint_eq(cfg_read(devfn, PCI_CAPABILITY_LIST, 1), 0x4C);
    ck_assert_uint_eq(cfg_read(devfn, 0x4C, 2), 0x4009);
    ck_assert_int_eq(pci_add_capability(d, PCI_CAP_ID_PM, 0x80, 8), 0x80);
    ck_assert_uint_eq(pci_find_capability(d, PCI_CAP_ID_MSI), 0x40);
    ck_assert_uint_eq(pci_find_capability(d, PCI_CAP_ID_VNDR), 0x4C);
    ck_assert_uint_eq(pci_find_capability(d, PCI_CAP_ID_PM), 0x80);
    ck_assert_uint_eq(pci_find_capability(d, PCI_CAP_ID_MSIX), 0);

    /* misplaced: overlapping, misaligned, in the header, too small, no room */
    ck_assert_int_eq(pci_add_capability(d, PCI_CAP_ID_PM, 0x84, 8), -EINVAL);
    ck_assert_int_eq(pci_add_capability(d, PCI_CAP_ID_PM, 0x92, 8), -EINVAL);
    ck_assert_int_eq(pci_add_capability(d, PCI_CAP_ID_PM, 0x3C, 8), -EINVAL);
    ck_assert_int_eq(pci_add_capability(d, PCI_CAP_ID_PM, 0xFC, 8), -EINVAL);
    ck_assert_int_eq(pci_add_capability(d, PCI_CAP_ID_PM, 0, 1), -EINVAL);
    ck_assert_int_eq(pci_add_capability(d, PCI_CAP_ID_PM, 0, 0x80), -ENOSPC);
    ck_assert_int_eq(pci_add_capability(d, PCI_CAP_ID_PM, 0, 0x6C), 0x88);

    /* ID and next pointer are read only, so is CAPABILITIES_PTR; reset keeps the list */
    cfg_write(devfn, 0x4C, 2, 0xFFFF);
    cfg_write(devfn, PCI_CAPABILITY_LIST, 1, 0x00);
    ck_assert_uint_eq(cfg_read(devfn, 0x4C, 2), 0x4009);
    ck_assert_uint_eq(cfg_read(devfn, PCI_CAPABILITY_LIST, 1), 0x88);
    device_reset(&d->parent);
    ck_assert(cfg_read(devfn, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    ck_assert_uint_eq(pci_find_capability(d, PCI_CAP_ID_VNDR), 0x4C);

    /* a function without capabilities */
    ck_assert_uint_eq(cfg_read(PIIX3_DEVFN, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
    ck_assert_uint_eq(pci_find_capability((PCIDevice *)piix3, PCI_CAP_ID_MSI), 0);
}
END_TEST

START_TEST(test_msi_bad_vectors)
{
    ck_assert_ptr_null(device_create_class(&m, &msitest_class, "v3", "vectors=3"));
    ck_assert_ptr_null(device_create_class(&m, &msitest_class, "v0", "vectors=0"));
    ck_assert_ptr_null(device_create_class(&m, &msitest_class, "v64", "vectors=64"));
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * MSI configuration space
 */

START_TEST(test_msi_config_32)
{
    PCIDevice *d = testdev("t", "vectors=4");
    int devfn = d->devfn, cap = d->msi_cap;

    ck_assert_uint_eq(msi_cap_size(d), 10);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_FLAGS, 2), 2 << 1);   /* 4 requested */
    /* only Enable and Multiple Message Enable are writable */
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, 0xFFFF);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_FLAGS, 2), 0x0025);  /* MME clamped to 2 */
    ck_assert(msi_enabled(d));
    ck_assert_uint_eq(msi_nr_vectors_allocated(d), 4);
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, 1 << 4);
    ck_assert(!msi_enabled(d));
    ck_assert_uint_eq(msi_nr_vectors_allocated(d), 2);
    /* address bits 1:0 are zero; data is 16 bits; nothing writable after it */
    cfg_write(devfn, cap + PCI_MSI_ADDRESS_LO, 4, 0xFEE01007);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_ADDRESS_LO, 4), 0xFEE01004);
    cfg_write(devfn, cap + PCI_MSI_DATA_32, 4, 0xABCD4321);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_DATA_32, 4), 0x4321);
    ck_assert(!msi_is_masked(d, 0));
    ck_assert(!msi_is_pending(d, 0));
    /* the message of each vector */
    uint64_t addr;
    uint32_t data;
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, 2 << 4);
    cfg_write(devfn, cap + PCI_MSI_DATA_32, 2, 0x4043);
    msi_get_message(d, 2, &addr, &data);
    ck_assert_uint_eq(addr, 0xFEE01004);
    ck_assert_uint_eq(data, 0x4042);      /* the low 2 bits are the vector number */
    /* reset */
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, 2 << 4 | 1);
    device_reset(&d->parent);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_FLAGS, 2), 2 << 1);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_ADDRESS_LO, 4), 0);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_DATA_32, 2), 0);
}
END_TEST

START_TEST(test_msi_config_64_mask)
{
    PCIDevice *d = testdev("t", "vectors=8,is64=1,mask=1");
    int devfn = d->devfn, cap = d->msi_cap;
    uint64_t addr;
    uint32_t data;

    ck_assert_uint_eq(msi_cap_size(d), 24);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_FLAGS, 2),
                      PCI_MSI_FLAGS_MASKBIT | PCI_MSI_FLAGS_64BIT | 3 << 1);
    cfg_write(devfn, cap + PCI_MSI_ADDRESS_LO, 4, 0xFEE00000);
    cfg_write(devfn, cap + PCI_MSI_ADDRESS_HI, 4, 0x12345678);
    cfg_write(devfn, cap + PCI_MSI_DATA_64, 2, 0x0031);
    msi_get_message(d, 0, &addr, &data);
    ck_assert_uint_eq(addr, 0x12345678FEE00000ull);
    ck_assert_uint_eq(data, 0x31);
    /* mask bits exist for the 8 vectors requested; pending bits are read only */
    cfg_write(devfn, cap + PCI_MSI_MASK_64, 4, 0xFFFFFFFF);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_MASK_64, 4), 0xFF);
    ck_assert(msi_is_masked(d, 7));
    cfg_write(devfn, cap + PCI_MSI_PENDING_64, 4, 0xFFFFFFFF);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_PENDING_64, 4), 0);
    device_reset(&d->parent);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_MASK_64, 4), 0);
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_ADDRESS_HI, 4), 0);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Delivery
 */

START_TEST(test_msi_to_apics)
{
    PCIDevice *d = testdev("t", "vectors=4");

    enable_apics();
    /* physical destination 1, 4 vectors from 0x50 */
    msi_setup(d, 0xFEE00000 | 1 << 12, 0x0050, 2);
    msi_notify(d, 2);
    ck_assert(irr(1, 0x52));
    ck_assert(!irr(0, 0x52));
    take(1, 0x52);
    /* destination 0: the address is the reserved register slot 0x000 of the window */
    msi_setup(d, 0xFEE00000, 0x0060, 2);
    msi_notify(d, 3);
    ck_assert(irr(0, 0x63));
    take(0, 0x63);
    /* logical destination (flat model): LDR bit 1 = CPU 1 */
    apic_wr(1, 0x0D0, 0x02000000);
    msi_setup(d, 0xFEE00000 | 0x02 << 12 | 1 << 2, 0x0070, 2);
    msi_notify(d, 0);
    ck_assert(irr(1, 0x70));
    take(1, 0x70);
    /* nothing beyond the vectors allocated, nothing while disabled or not bus master */
    msi_setup(d, 0xFEE00000, 0x0080, 1);
    msi_notify(d, 2);
    ck_assert(!irr(0, 0x82));
    ck_assert(!irr(0, 0x80));
    cfg_write(d->devfn, d->msi_cap + PCI_MSI_FLAGS, 2, 1 << 4);
    msi_notify(d, 0);
    ck_assert(!irr(0, 0x80));
    msi_setup(d, 0xFEE00000, 0x0080, 1);
    cfg_write(d->devfn, PCI_COMMAND, 2, 0);
    msi_notify(d, 0);
    ck_assert(!irr(0, 0x80));
    cfg_write(d->devfn, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
    msi_notify(d, 1);
    ck_assert(irr(0, 0x81));
    take(0, 0x81);
    /* a register write of the CPU is still a register write */
    apic_wr(0, 0x080, 0x20);
    ck_assert_uint_eq(apic_rd(0, 0x080), 0x20);
    /* an MSI in the window from anywhere (here: written by hand), level-triggered */
    ck_assert_int_eq(as_st(&m.sysmem_as, 0xFEE00000 | 1 << 12, 4, 0x8000 | 0x90), MEMTX_OK);
    ck_assert(irr(1, 0x90));
    ck_assert(apic_rd(1, 0x180 + (0x90 / 32) * 0x10) & (1u << (0x90 % 32)));   /* TMR */
}
END_TEST

START_TEST(test_msi_masking)
{
    PCIDevice *d = testdev("t", "vectors=2,mask=1");
    int devfn = d->devfn, cap = d->msi_cap;

    enable_apics();
    msi_setup(d, 0xFEE00000, 0x0040, 1);
    cfg_write(devfn, cap + PCI_MSI_MASK_32, 4, 0x2);
    msi_notify(d, 1);
    ck_assert(!irr(0, 0x41));
    ck_assert(msi_is_pending(d, 1));
    ck_assert_uint_eq(cfg_read(devfn, cap + PCI_MSI_PENDING_32, 4), 0x2);
    msi_notify(d, 0);                   /* vector 0 is not masked */
    ck_assert(irr(0, 0x40));
    take(0, 0x40);
    /* unmasking sends the pending message and clears its bit */
    cfg_write(devfn, cap + PCI_MSI_MASK_32, 4, 0x0);
    ck_assert(irr(0, 0x41));
    ck_assert(!msi_is_pending(d, 1));
    take(0, 0x41);
    /* while MSI is disabled nothing is held pending; pending bits of vectors taken away
     * by Multiple Message Enable are dropped */
    cfg_write(devfn, cap + PCI_MSI_MASK_32, 4, 0x3);
    msi_notify(d, 1);
    ck_assert(msi_is_pending(d, 1));
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);     /* 1 vector */
    ck_assert(!msi_is_pending(d, 1));
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, 0);
    msi_notify(d, 0);
    ck_assert(!msi_is_pending(d, 0));
    /* pending, then unmasked while disabled: held until MSI is enabled again */
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
    msi_notify(d, 0);
    ck_assert(msi_is_pending(d, 0));
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, 0);
    cfg_write(devfn, cap + PCI_MSI_MASK_32, 4, 0);
    ck_assert(!irr(0, 0x40));
    ck_assert(msi_is_pending(d, 0));
    cfg_write(devfn, cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
    ck_assert(irr(0, 0x40));
    ck_assert(!msi_is_pending(d, 0));
    /* reset clears mask and pending bits */
    cfg_write(devfn, cap + PCI_MSI_MASK_32, 4, 0x1);
    msi_notify(d, 0);
    device_reset(&d->parent);
    ck_assert(!msi_is_masked(d, 0));
    ck_assert(!msi_is_pending(d, 0));
}
END_TEST

static void send_msi_hook(Machine *mm, uint64_t addr, uint32_t data)
{
    hook_calls++;
    hook_addr = addr;
    hook_data = data;
}

START_TEST(test_msi_machine_hook)
{
    PCIDevice *d = testdev("t", "vectors=1,is64=1");

    enable_apics();
    m.accel_send_msi = send_msi_hook;
    msi_setup(d, 0xFEE00000, 0x00A5, 0);
    cfg_write(d->devfn, d->msi_cap + PCI_MSI_ADDRESS_HI, 4, 0x1);
    msi_notify(d, 0);
    ck_assert_int_eq(hook_calls, 1);
    ck_assert_uint_eq(hook_addr, 0x1FEE00000ull);
    ck_assert_uint_eq(hook_data, 0xA5);
    ck_assert(!irr(0, 0xA5));
    m.accel_send_msi = NULL;
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * edu
 */

#define EDU_BAR 0xE0000000u

static PCIDevice *edu_dev(void)
{
    Device *dev = device_create_class(&m, &edu_class, "edu", "addr=03.0");
    PCIDevice *d = (PCIDevice *)dev;

    ck_assert_ptr_nonnull(dev);
    cfg_write(d->devfn, PCI_BASE_ADDRESS_0, 4, EDU_BAR);
    cfg_write(d->devfn, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    return d;
}

static uint64_t edu_rd(hwaddr reg, unsigned size)
{
    uint64_t v = 0;
    as_ld(&m.sysmem_as, EDU_BAR + reg, size, &v);
    return v;
}

static void edu_wr(hwaddr reg, unsigned size, uint64_t v)
{
    as_st(&m.sysmem_as, EDU_BAR + reg, size, v);
}

START_TEST(test_edu_registers_intx)
{
    PCIDevice *d = edu_dev();
    int pirq = piix3_pirq_of(3, 0);

    ck_assert_uint_eq(cfg_read(d->devfn, 0, 4), 0x11E81234);
    ck_assert_uint_eq(cfg_read(d->devfn, PCI_INTERRUPT_PIN, 1), 1);
    ck_assert_uint_eq(pci_find_capability(d, PCI_CAP_ID_MSI), d->msi_cap);
    ck_assert_uint_eq(edu_rd(EDU_REG_ID, 4), EDU_ID_VALUE);
    edu_wr(EDU_REG_LIVENESS, 4, 0x0F0F0000);
    ck_assert_uint_eq(edu_rd(EDU_REG_LIVENESS, 4), 0xF0F0FFFF);
    edu_wr(EDU_REG_FACTORIAL, 4, 10);
    ck_assert_uint_eq(edu_rd(EDU_REG_FACTORIAL, 4), 3628800);
    ck_assert_uint_eq(edu_rd(EDU_REG_STATUS, 4), 0);
    /* wrong sizes below 0x80 are ignored, unused offsets read all ones */
    edu_wr(EDU_REG_FACTORIAL, 8, 4);
    ck_assert_uint_eq(edu_rd(EDU_REG_FACTORIAL, 4), 3628800);
    ck_assert_uint_eq(edu_rd(EDU_REG_ID, 8), ~0ull);
    ck_assert_uint_eq(edu_rd(0x30, 4), 0xFFFFFFFF);
    /* INTx: raise, OR, acknowledge in parts */
    edu_wr(EDU_REG_IRQ_RAISE, 4, 0x3);
    ck_assert_int_eq(pirq_level[pirq], 1);
    edu_wr(EDU_REG_IRQ_RAISE, 4, 0x10);
    ck_assert_uint_eq(edu_rd(EDU_REG_IRQ_STATUS, 4), 0x13);
    edu_wr(EDU_REG_IRQ_ACK, 4, 0x3);
    ck_assert_int_eq(pirq_level[pirq], 1);
    edu_wr(EDU_REG_IRQ_ACK, 4, 0x10);
    ck_assert_int_eq(pirq_level[pirq], 0);
    /* the factorial's interrupt */
    edu_wr(EDU_REG_STATUS, 4, 0xFF);
    ck_assert_uint_eq(edu_rd(EDU_REG_STATUS, 4), EDU_STATUS_IRQFACT);
    edu_wr(EDU_REG_FACTORIAL, 4, 3);
    ck_assert_uint_eq(edu_rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_FACT);
    ck_assert_int_eq(pirq_level[pirq], 1);
    /* with MSI enabled the pin goes down and each raise sends a message */
    enable_apics();
    msi_setup(d, 0xFEE00000, 0x0055, 0);
    ck_assert_int_eq(pirq_level[pirq], 0);
    edu_wr(EDU_REG_IRQ_RAISE, 4, 0x4);
    ck_assert(irr(0, 0x55));
    ck_assert_int_eq(pirq_level[pirq], 0);
    take(0, 0x55);
    /* MSI off again: the status not acknowledged yet asserts the pin */
    cfg_write(d->devfn, d->msi_cap + PCI_MSI_FLAGS, 2, 0);
    ck_assert_int_eq(pirq_level[pirq], 1);
}
END_TEST

START_TEST(test_edu_dma)
{
    PCIDevice *d = edu_dev();
    uint8_t *ram = mr_ram_ptr(&m.ram);
    int pirq = piix3_pirq_of(3, 0);

    for (int i = 0; i < EDU_DMA_BUF_SIZE; i++) {
        ram[0x10000 + i] = (uint8_t)(i ^ (i >> 8));
    }
    /* the whole buffer from RAM, with the completion interrupt */
    edu_wr(EDU_REG_DMA_SRC, 8, 0x10000);
    edu_wr(EDU_REG_DMA_DST, 4, EDU_DMA_BUF_ADDR);
    edu_wr(EDU_REG_DMA_COUNT, 4, EDU_DMA_BUF_SIZE);
    edu_wr(EDU_REG_DMA_CMD, 4, EDU_DMA_START | EDU_DMA_IRQ);
    ck_assert_uint_eq(edu_rd(EDU_REG_DMA_CMD, 4), EDU_DMA_IRQ);
    ck_assert_uint_eq(edu_rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_DMA);
    ck_assert_int_eq(pirq_level[pirq], 1);
    edu_wr(EDU_REG_IRQ_ACK, 4, EDU_IRQ_DMA);
    /* back to RAM elsewhere, 100 bytes from offset 0x123 of the buffer */
    edu_wr(EDU_REG_DMA_SRC, 4, EDU_DMA_BUF_ADDR + 0x123);
    edu_wr(EDU_REG_DMA_DST, 4, 0x20000);
    edu_wr(EDU_REG_DMA_COUNT, 4, 100);
    edu_wr(EDU_REG_DMA_CMD, 4, EDU_DMA_START | EDU_DMA_TO_RAM);
    ck_assert_mem_eq(ram + 0x20000, ram + 0x10000 + 0x123, 100);
    ck_assert_uint_eq(ram[0x20000 + 100], 0);
    ck_assert_uint_eq(edu_rd(EDU_REG_IRQ_STATUS, 4), 0);
    ck_assert_uint_eq(edu_rd(EDU_REG_DMA_SRC, 8), EDU_DMA_BUF_ADDR + 0x123);
    /* addresses outside dma_mask (28 bits) are cut down to it */
    edu_wr(EDU_REG_DMA_SRC, 4, EDU_DMA_BUF_ADDR);
    edu_wr(EDU_REG_DMA_DST, 4, 0x40030000);
    edu_wr(EDU_REG_DMA_COUNT, 4, 16);
    edu_wr(EDU_REG_DMA_CMD, 4, EDU_DMA_START | EDU_DMA_TO_RAM);
    ck_assert_mem_eq(ram + 0x30000, ram + 0x10000, 16);
    /* a transfer leaving the buffer, or without bus mastering, moves nothing */
    memset(ram + 0x30000, 0, 16);
    edu_wr(EDU_REG_DMA_SRC, 4, EDU_DMA_BUF_ADDR + 0xFF8);
    edu_wr(EDU_REG_DMA_CMD, 4, EDU_DMA_START | EDU_DMA_TO_RAM | EDU_DMA_IRQ);
    ck_assert_uint_eq(ram[0x30000], 0);
    ck_assert_uint_eq(edu_rd(EDU_REG_IRQ_STATUS, 4), EDU_IRQ_DMA);  /* still completes */
    edu_wr(EDU_REG_IRQ_ACK, 4, EDU_IRQ_DMA);
    cfg_write(d->devfn, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    edu_wr(EDU_REG_DMA_SRC, 4, EDU_DMA_BUF_ADDR);
    edu_wr(EDU_REG_DMA_CMD, 4, EDU_DMA_START | EDU_DMA_TO_RAM);
    ck_assert_uint_eq(ram[0x30000], 0);
    /* save/load keeps the registers and the buffer */
    size_t n = d->parent.cls->save(&d->parent, NULL, 0);
    uint8_t *snap = xmalloc(n);
    ck_assert_uint_eq(d->parent.cls->save(&d->parent, snap, n), n);
    device_reset(&d->parent);
    ck_assert_uint_eq(edu_rd(EDU_REG_DMA_SRC, 4), 0xFFFFFFFF);    /* BAR unmapped */
    ck_assert_int_eq(d->parent.cls->load(&d->parent, snap, n), 0);
    ck_assert_int_eq(d->parent.cls->load(&d->parent, snap, n - 1), -EINVAL);
    free(snap);
    ck_assert_uint_eq(edu_rd(EDU_REG_DMA_SRC, 4), EDU_DMA_BUF_ADDR);
    cfg_write(d->devfn, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    edu_wr(EDU_REG_DMA_DST, 4, 0x30000);
    edu_wr(EDU_REG_DMA_COUNT, 4, EDU_DMA_BUF_SIZE);
    edu_wr(EDU_REG_DMA_CMD, 4, EDU_DMA_START | EDU_DMA_TO_RAM);
    ck_assert_mem_eq(ram + 0x30000, ram + 0x10000, EDU_DMA_BUF_SIZE);
}
END_TEST

static Suite *msi_suite(void)
{
    Suite *s = suite_create("msi");
    TCase *tc = tcase_create("capabilities");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_capability_list);
    tcase_add_test(tc, test_msi_bad_vectors);
    tcase_add_test(tc, test_msi_config_32);
    tcase_add_test(tc, test_msi_config_64_mask);
    suite_add_tcase(s, tc);

    tc = tcase_create("delivery");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_msi_to_apics);
    tcase_add_test(tc, test_msi_masking);
    tcase_add_test(tc, test_msi_machine_hook);
    suite_add_tcase(s, tc);

    tc = tcase_create("edu");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_edu_registers_intx);
    tcase_add_test(tc, test_edu_dma);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;
    main_loop_init();
    sr = srunner_create(msi_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

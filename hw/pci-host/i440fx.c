/* SPDX-License-Identifier: MIT */
/*
 * hw/pci-host/i440fx.c — Intel 440FX PCIset host bridge (82441FX PMC) with PCI
 * configuration mechanism #1.
 *
 * Models: configuration mechanism #1 (PCI Local Bus spec 3.0, §3.2.2.3.2): the 32-bit
 * CONFIG_ADDRESS at 0xCF8 (enable bit 31, bus 23:16, device 15:11, function 10:8, register
 * 7:2; reserved bits 30:24 and 1:0 read 0) latched only by dword accesses, and CONFIG_DATA
 * at 0xCFC-0xCFF reaching register (CONFIG_ADDRESS & 0xFC) + (port & 3) with any size.
 * Only bus 0 exists: a cycle to another bus, or with the enable bit clear, reads all ones
 * and writes nothing. The PMC itself is function 00.0 (82441FX datasheet: VID 8086h, DID
 * 1237h, RID 02h, class 060000h, PCICMD 0006h with those bits hardwired, PCISTS 0280h);
 * its registers 0x40-0xFF (PMCCFG, DRAM control, PAM0-6, DRB0-7, SMRAM ...) are stored and
 * read back. The PIIX3 Reset Control register at 0xCF9 (see i440fx.h for why it is here).
 *
 * Not modelled: PAM shadow-RAM control (our RAM below 1 MiB is always RAM), SMRAM and SMM,
 * DRAM row boundaries, error reporting, the turbo reset control at config 0x93, byte or word
 * accesses to 0xCF8/0xCFA/0xCFB (they "pass through" to an ISA cycle that nothing claims:
 * reads give all ones, writes are dropped).
 */
#include "hw/pci-host/i440fx.h"
#include "hw/core/machine.h"

typedef struct I440FXState {
    PCIDevice pci;          /* function 00.0: the PMC */
    PCIBus *bus;
    MemRegion conf_addr, conf_data;
    struct {
        uint32_t confadd;
        uint8_t rc;
    } r;
} I440FXState;

#define CONFADD_MASK 0x80FFFFFCu

static const PCIDeviceInfo i440fx_info = {
    .vendor_id = I440FX_VENDOR_ID,
    .device_id = I440FX_DEVICE_ID,
    .class_code = 0x060000,             /* host bridge */
    .revision = 0x02,
    .header_type = PCI_HEADER_TYPE_NORMAL,
    .command = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
    .command_ro = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
    .status = PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_FAST_BACK,
    .default_devfn = PCI_DEVFN(0, 0),
};

static I440FXState *i440fx_of(Device *dev)
{
    return container_of(dev, I440FXState, pci.parent);
}

PCIBus *i440fx_bus(Device *host)
{
    if (!host || host->cls != &i440fx_pcihost_class) {
        return NULL;
    }
    return i440fx_of(host)->bus;
}

/* ---- 0xCF8-0xCFB: CONFIG_ADDRESS and the reset control register ---- */

static uint64_t conf_addr_read(void *opaque, hwaddr addr, unsigned size)
{
    I440FXState *s = opaque;
    if (addr == 0 && size == 4) {
        return s->r.confadd;
    }
    if (addr == 1 && size == 1) {
        return s->r.rc;
    }
    return ~0ull;
}

static void conf_addr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    I440FXState *s = opaque;
    if (addr == 0 && size == 4) {
        s->r.confadd = val & CONFADD_MASK;
    } else if (addr == 1 && size == 1) {
        uint8_t old = s->r.rc;
        s->r.rc = val & (I440FX_RC_SRST | I440FX_RC_RCPU);
        if ((s->r.rc & I440FX_RC_RCPU) && !(old & I440FX_RC_RCPU) && s->pci.parent.machine) {
            machine_request_reset(s->pci.parent.machine);
        }
    }
}

static const MemRegionOps conf_addr_ops = {
    .read = conf_addr_read, .write = conf_addr_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 4,
};

/* ---- 0xCFC-0xCFF: CONFIG_DATA ---- */

/* The devfn and register a data access at port offset `off` reaches, or -1. */
static int conf_target(I440FXState *s, hwaddr off, uint32_t *reg)
{
    uint32_t a = s->r.confadd;
    if (!(a & I440FX_CONFIG_ENABLE) || ((a >> 16) & 0xFF) != 0) {
        return -1;
    }
    *reg = (a & 0xFC) | (off & 3);
    return (a >> 8) & 0xFF;
}

static uint64_t conf_data_read(void *opaque, hwaddr addr, unsigned size)
{
    I440FXState *s = opaque;
    uint32_t reg;
    int devfn = conf_target(s, addr, &reg);
    if (devfn < 0) {
        return ~0ull;
    }
    return pci_bus_config_read(s->bus, devfn, reg, size);
}

static void conf_data_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    I440FXState *s = opaque;
    uint32_t reg;
    int devfn = conf_target(s, addr, &reg);
    if (devfn >= 0) {
        pci_bus_config_write(s->bus, devfn, reg, val, size);
    }
}

static const MemRegionOps conf_data_ops = {
    .read = conf_data_read, .write = conf_data_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 4,
};

/* ---- lifecycle ---- */

static void i440fx_reset(Device *dev)
{
    I440FXState *s = i440fx_of(dev);
    pci_device_reset(&s->pci);
    memset(s->pci.config + 0x40, 0, PCI_CONFIG_SPACE_SIZE - 0x40);
    s->pci.config[I440FX_SMRAM] = I440FX_SMRAM_DEFAULT;
    s->r.confadd = 0;
    s->r.rc = 0;
}

static int i440fx_realize(Device *dev)
{
    I440FXState *s = i440fx_of(dev);
    Machine *m = dev->machine;

    if (!m) {
        error_report("i440fx-pcihost needs a machine (its bus maps BARs into its memory)");
        return -EINVAL;
    }
    if (pci_bus_find(m, "pci.0")) {
        error_report("i440fx-pcihost: the machine already has a bus pci.0");
        return -EEXIST;
    }
    s->bus = pci_bus_new(m, "pci.0", &m->sysmem, &m->io, -1);
    if (pci_device_attach(&s->pci, s->bus, PCI_DEVFN(0, 0), &i440fx_info) < 0) {
        return -EINVAL;
    }
    /* the chipset registers are stored as written */
    memset(s->pci.wmask + 0x40, 0xFF, PCI_CONFIG_SPACE_SIZE - 0x40);

    mr_init_io(&s->conf_addr, "pci-conf-addr", &conf_addr_ops, s, 4);
    mr_init_io(&s->conf_data, "pci-conf-data", &conf_data_ops, s, 4);
    device_add_pio(dev, &s->conf_addr);
    device_add_pio(dev, &s->conf_data);
    mr_transaction_begin();
    /* priority 1: the dword at 0xCF8 must not be split by a byte region at 0xCF9 */
    mr_add_subregion(&m->io, I440FX_CONFIG_ADDRESS, &s->conf_addr, 1);
    mr_add_subregion(&m->io, I440FX_CONFIG_DATA, &s->conf_data, 0);
    mr_transaction_commit();
    i440fx_reset(dev);
    return 0;
}

static void i440fx_unrealize(Device *dev)
{
    I440FXState *s = i440fx_of(dev);
    MemRegion *regions[] = { &s->conf_addr, &s->conf_data };

    pci_bus_free(s->bus);       /* detaches every function, this one too */
    s->bus = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
        if (regions[i]->parent) {
            mr_del_subregion(regions[i]->parent, regions[i]);
        }
        if (regions[i]->name) {
            mr_destroy(regions[i]);
        }
    }
}

static size_t i440fx_save(Device *dev, uint8_t *buf, size_t size)
{
    I440FXState *s = i440fx_of(dev);
    size_t pci = pci_device_save(&s->pci, NULL, 0);
    size_t need = pci + sizeof(s->r);
    if (buf && size >= need) {
        pci_device_save(&s->pci, buf, pci);
        memcpy(buf + pci, &s->r, sizeof(s->r));
    }
    return need;
}

static int i440fx_load(Device *dev, const uint8_t *buf, size_t size)
{
    I440FXState *s = i440fx_of(dev);
    size_t pci = pci_device_save(&s->pci, NULL, 0);
    if (size != pci + sizeof(s->r)) {
        return -EINVAL;
    }
    memcpy(&s->r, buf + pci, sizeof(s->r));
    return pci_device_load(&s->pci, buf, pci);
}

static void i440fx_info_print(Device *dev, FILE *f)
{
    I440FXState *s = i440fx_of(dev);
    fprintf(f, "CONFIG_ADDRESS=%08x RC=%02x\n", s->r.confadd, s->r.rc);
    if (!s->bus) {
        return;
    }
    for (int devfn = 0; devfn < 256; devfn++) {
        PCIDevice *d = s->bus->devices[devfn];
        if (!d) {
            continue;
        }
        fprintf(f, "  %02x.%x %04x:%04x class %06x cmd %04x pin %d line %d  %s\n",
                PCI_SLOT(devfn), PCI_FUNC(devfn), pci_get_word(d->config + PCI_VENDOR_ID),
                pci_get_word(d->config + PCI_DEVICE_ID),
                pci_get_long(d->config + PCI_REVISION_ID) >> 8,
                pci_get_word(d->config + PCI_COMMAND), d->config[PCI_INTERRUPT_PIN],
                d->config[PCI_INTERRUPT_LINE], d->parent.id);
        for (int n = 0; n < PCI_NUM_BARS; n++) {
            if (d->bars[n].mr) {
                fprintf(f, "      BAR%d %s size 0x%" PRIx64 " at ", n,
                        (d->bars[n].type & PCI_BASE_ADDRESS_SPACE_IO) ? "I/O" : "mem",
                        d->bars[n].size);
                if (d->bars[n].addr == PCI_BAR_UNMAPPED) {
                    fprintf(f, "(unmapped)\n");
                } else {
                    fprintf(f, "0x%" PRIx64 "\n", d->bars[n].addr);
                }
            }
        }
    }
}

const DeviceClass i440fx_pcihost_class = {
    .name = "i440fx-pcihost",
    .desc = "Intel 440FX host bridge: PCI bus pci.0, config mechanism #1 at 0xCF8/0xCFC",
    .bus = "sysbus",
    .state_size = sizeof(I440FXState),
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .unrealize = i440fx_unrealize,
    .save = i440fx_save,
    .load = i440fx_load,
    .info = i440fx_info_print,
};

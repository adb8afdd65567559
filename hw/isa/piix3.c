/* SPDX-License-Identifier: MIT */
/*
 * hw/isa/piix3.c — Intel 82371SB PIIX3 PCI-to-ISA bridge (function 0) and PCI interrupt
 * router.
 *
 * Models (Intel 82371FB/82371SB PIIX/PIIX3 datasheet, "PCI to ISA bridge configuration
 * registers"): the header (VID 8086h, DID 7000h, class 060100h, multifunction, PCICMD 0007h
 * hardwired, PCISTS 0200h), the PIRQ route control registers PIRQRC[A:D] at 0x60-0x63 (bit
 * 7 IRQROUTEN, bits 3:0 the IRQ; reserved IRQ values route nothing), and the steering of
 * PIRQA#-PIRQD# onto ISA IRQs. PCI INTx pins reach the PIRQs by the board's swizzle and
 * the PIRQs also drive IOAPIC inputs 16-19 (see piix3.h for both choices). A board may
 * install a hook told of each route change (xenfv forwards them to Xen). The other
 * registers (IORT, XBCS, TOM, MSTAT, MBIRQ0/1, MBDMA, PCSC, APICBASE, DLC, the SMI block)
 * are stored with their reset values and read back.
 *
 * Not modelled: the ISA bus itself (ISA devices map their ports into the machine directly),
 * the motherboard IRQ and DMA steering (MBIRQ, MBDMA), positive decode, SMI, the top of
 * memory register's effect on ISA DMA, the IDE and USB functions (01.1, 01.2) and the
 * PIIX4 power management function. The ELCR is part of the 8259 model (hw/intc/i8259.c);
 * the Reset Control register at 0xCF9 is decoded by the host bridge (hw/pci-host/i440fx.h).
 */
#include "hw/isa/piix3.h"
#include "hw/core/machine.h"

typedef struct PIIX3State {
    PCIDevice pci;
    uint8_t pirq_level;     /* bit p: the wired-OR level of PIRQ p from the bus */
    uint16_t isa_level;     /* bit n: the level driven on ISA IRQ output n */
    PIIX3RouteFunc *route_fn;
    void *route_opaque;
    uint8_t route_told[PIIX3_NUM_PIRQS];   /* the routes the hook was last told (0: none) */
} PIIX3State;

/* Registers stored as written, with their reset values (82371SB datasheet). */
static const struct {
    uint8_t reg, len;
    uint32_t reset;
} piix3_regs[] = {
    { 0x4C, 1, 0x4D },          /* IORT: ISA I/O recovery timer */
    { 0x4E, 2, 0x0003 },        /* XBCS: X-bus chip select */
    { 0x60, 4, 0x80808080 },    /* PIRQRC[A:D]: nothing routed */
    { 0x69, 1, 0x02 },          /* TOM: top of memory */
    { 0x6A, 2, 0x0000 },        /* MSTAT: miscellaneous status */
    { 0x70, 2, 0x8080 },        /* MBIRQ0/1: motherboard IRQ routing, disabled */
    { 0x76, 2, 0x0404 },        /* MBDMA0/1: motherboard DMA, disabled */
    { 0x78, 2, 0x0002 },        /* PCSC: programmable chip select */
    { 0x80, 1, 0x00 },          /* APICBASE */
    { 0x82, 1, 0x00 },          /* DLC: deterministic latency control */
    { 0xA0, 1, 0x08 },          /* SMICNTL */
    { 0xA2, 2, 0x0000 },        /* SMIEN */
    { 0xA4, 4, 0x00000000 },    /* SEE: system event enable */
    { 0xA8, 1, 0x0F },          /* FTMR: fast off timer */
    { 0xAA, 2, 0x0000 },        /* SMIREQ */
    { 0xAC, 1, 0x00 },          /* CTLTMR */
    { 0xAE, 1, 0x00 },          /* CTHTMR */
};

static const PCIDeviceInfo piix3_info = {
    .vendor_id = PIIX3_VENDOR_ID,
    .device_id = PIIX3_DEVICE_ID,
    .class_code = 0x060100,             /* ISA bridge */
    .revision = 0x00,
    .header_type = PCI_HEADER_TYPE_MULTI_FUNCTION,
    .command = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
    .command_ro = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
    .status = PCI_STATUS_DEVSEL_MEDIUM,
    .default_devfn = PIIX3_DEVFN,
};

static PIIX3State *piix3_of(Device *dev)
{
    return container_of(dev, PIIX3State, pci.parent);
}

/* The ISA IRQ PIRQ p is routed to, or -1. */
static int piix3_pirq_route(PIIX3State *s, int p)
{
    uint8_t rc = s->pci.config[PIIX3_PIRQRC + p];
    int irq = rc & PIIX3_PIRQRC_IRQ;
    if ((rc & PIIX3_PIRQRC_DISABLE) || !(PIIX3_ROUTABLE_IRQS & (1u << irq))) {
        return -1;
    }
    return irq;
}

/* Drive the ISA IRQ outputs whose ORed PIRQ level changed. */
static void piix3_update_isa(PIIX3State *s)
{
    uint16_t level = 0, changed;

    for (int p = 0; p < PIIX3_NUM_PIRQS; p++) {
        int irq = piix3_pirq_route(s, p);
        if (irq >= 0 && (s->pirq_level & (1 << p))) {
            level |= 1 << irq;
        }
    }
    changed = level ^ s->isa_level;
    s->isa_level = level;
    for (int irq = 0; irq < 16; irq++) {
        if (changed & (1 << irq)) {
            irq_set(device_irq_out(&s->pci.parent, PIIX3_OUT_ISA_IRQ(irq)),
                    (level >> irq) & 1);
        }
    }
}

/* Tell the route hook of the PIRQs whose route changed since it was last told. */
static void piix3_report_routes(PIIX3State *s)
{
    for (int p = 0; p < PIIX3_NUM_PIRQS && s->route_fn; p++) {
        int irq = piix3_pirq_route(s, p);
        uint8_t told = irq < 0 ? 0 : irq;
        if (told != s->route_told[p]) {
            s->route_told[p] = told;
            s->route_fn(s->route_opaque, p, told);
        }
    }
}

void piix3_set_route_hook(Device *dev, PIIX3RouteFunc *fn, void *opaque)
{
    PIIX3State *s = piix3_of(dev);
    s->route_fn = fn;
    s->route_opaque = opaque;
    memset(s->route_told, 0, sizeof(s->route_told));
    piix3_report_routes(s);
}

/* bus hooks */
static int piix3_map_irq(PCIDevice *d, int pin)
{
    return piix3_pirq_of(PCI_SLOT(d->devfn), pin);
}

static void piix3_set_pirq(void *opaque, int pirq, int level)
{
    PIIX3State *s = opaque;
    if (level) {
        s->pirq_level |= 1 << pirq;
    } else {
        s->pirq_level &= ~(1 << pirq);
    }
    irq_set(device_irq_out(&s->pci.parent, PIIX3_OUT_PIRQ(pirq)), level);
    piix3_update_isa(s);
}

static void piix3_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    pci_default_config_write(d, addr, val, len);
    if (addr < PIIX3_PIRQRC + PIIX3_NUM_PIRQS && addr + len > PIIX3_PIRQRC) {
        piix3_update_isa(piix3_of(&d->parent));
        piix3_report_routes(piix3_of(&d->parent));
    }
}

static void piix3_reset(Device *dev)
{
    PIIX3State *s = piix3_of(dev);
    pci_device_reset(&s->pci);
    for (size_t i = 0; i < ARRAY_SIZE(piix3_regs); i++) {
        for (int b = 0; b < piix3_regs[i].len; b++) {
            s->pci.config[piix3_regs[i].reg + b] = piix3_regs[i].reset >> (8 * b);
        }
    }
    piix3_update_isa(s);
    piix3_report_routes(s);
}

static int piix3_realize(Device *dev)
{
    PIIX3State *s = piix3_of(dev);

    s->pci.config_write = piix3_config_write;
    device_init_irq_out(dev, PIIX3_NUM_OUT);
    if (pci_device_init(&s->pci, &piix3_info) < 0) {
        return -EINVAL;
    }
    if (s->pci.bus->map_irq) {
        error_report("piix3: bus %s already has an interrupt router", s->pci.bus->name);
        pci_device_exit(&s->pci);
        return -EBUSY;
    }
    for (size_t i = 0; i < ARRAY_SIZE(piix3_regs); i++) {
        memset(s->pci.wmask + piix3_regs[i].reg, 0xFF, piix3_regs[i].len);
    }
    /* PIRQRC bits 6:4 are reserved (read 0) */
    memset(s->pci.wmask + PIIX3_PIRQRC, PIIX3_PIRQRC_DISABLE | PIIX3_PIRQRC_IRQ,
           PIIX3_NUM_PIRQS);
    piix3_reset(dev);
    pci_bus_set_irq_hooks(s->pci.bus, piix3_map_irq, piix3_set_pirq, s, PIIX3_NUM_PIRQS);
    return 0;
}

static void piix3_unrealize(Device *dev)
{
    PIIX3State *s = piix3_of(dev);
    PCIBus *bus = s->pci.bus;
    if (bus && bus->irq_opaque == s) {
        pci_bus_set_irq_hooks(bus, NULL, NULL, NULL, 0);
    }
    pci_device_exit(&s->pci);
}

static size_t piix3_save(Device *dev, uint8_t *buf, size_t size)
{
    PIIX3State *s = piix3_of(dev);
    size_t pci = pci_device_save(&s->pci, NULL, 0);
    if (buf && size >= pci + 1) {
        pci_device_save(&s->pci, buf, pci);
        buf[pci] = s->pirq_level;
    }
    return pci + 1;
}

static int piix3_load(Device *dev, const uint8_t *buf, size_t size)
{
    PIIX3State *s = piix3_of(dev);
    size_t pci = pci_device_save(&s->pci, NULL, 0);
    int r;
    if (size != pci + 1) {
        return -EINVAL;
    }
    r = pci_device_load(&s->pci, buf, pci);
    s->pirq_level = buf[pci] & 0x0F;
    for (int p = 0; p < PIIX3_NUM_PIRQS; p++) {
        irq_set(device_irq_out(dev, PIIX3_OUT_PIRQ(p)), (s->pirq_level >> p) & 1);
    }
    s->isa_level = 0;
    piix3_update_isa(s);
    piix3_report_routes(s);
    return r;
}

static void piix3_info_print(Device *dev, FILE *f)
{
    PIIX3State *s = piix3_of(dev);
    for (int p = 0; p < PIIX3_NUM_PIRQS; p++) {
        int irq = piix3_pirq_route(s, p);
        fprintf(f, "PIRQ%c: level %d, ", 'A' + p, (s->pirq_level >> p) & 1);
        if (irq < 0) {
            fprintf(f, "not routed to the PIC");
        } else {
            fprintf(f, "ISA IRQ %d", irq);
        }
        fprintf(f, ", IOAPIC input %d\n", PIIX3_PIRQ_GSI_BASE + p);
    }
}

static const DeviceProp piix3_props[] = {
    PCI_DEVICE_PROPS,
    { NULL, NULL },
};

const DeviceClass piix3_class = {
    .name = "piix3",
    .desc = "Intel PIIX3 PCI-to-ISA bridge and PCI interrupt router (PIRQA-D)",
    .bus = "pci",
    .state_size = sizeof(PIIX3State),
    .props = piix3_props,
    .realize = piix3_realize,
    .reset = piix3_reset,
    .unrealize = piix3_unrealize,
    .save = piix3_save,
    .load = piix3_load,
    .info = piix3_info_print,
};

/* SPDX-License-Identifier: MIT */
/*
 * hw/intc/ioapic.c — the I/O APIC: 24 interrupt pins turned into APIC messages.
 *
 * Models the Intel 82093AA datasheet (sections 3.0 "Register Description" and 3.2 "I/O
 * Redirection Table Registers") with the version of later chipsets (0x20, as the Intel
 * ICH's I/O APIC reports): the indirect register window (IOREGSEL/IOWIN), IOAPICID
 * (the 4-bit ID in bits 27:24, read/write; bits 31:28 reserved, as in the 82093AA and the
 * ICH), IOAPICVER (version 0x20, maximum redirection entry 0x17), IOAPICARB (loaded from
 * the ID when the ID is written), 24 redirection entries (vector,
 * delivery mode fixed / lowest priority / SMI / NMI / INIT / ExtINT, physical or logical
 * destination mode, polarity, remote IRR, trigger mode, mask, destination) and the EOI
 * register at offset 0x40 (ICH I/O APIC: write a vector to clear the remote IRR of the
 * entries that use it). Edge-triggered pins deliver on a rising edge of an unmasked pin;
 * level-triggered pins deliver while asserted and their remote IRR is clear, set the remote
 * IRR, and are delivered again after the EOI (local APIC broadcast or the EOI register) if
 * the pin is still asserted. Unmasking an asserted level pin delivers it.
 *
 * Not modelled / simplified:
 *  - The polarity bit is stored, not applied: input lines carry "asserted" (see ioapic.h).
 *  - Delivery is instantaneous: the delivery status bit always reads 0 (idle). An edge on a
 *    masked pin is lost, as the datasheet says ("not delivered or held pending").
 *  - NMI, SMI, INIT and ExtINT are treated as edge-triggered whatever the trigger bit says
 *    (the datasheet requires edge for them); ExtINT messages are passed to apic_deliver,
 *    whose local APIC does not take them (it logs them): the 8259 reaches CPU 0 through
 *    LINT0 instead. Reserved delivery modes (3, 6) are logged and dropped.
 *  - Only bits 63:56 of the upper dword (the destination) are kept; the PRQ register and
 *    the 82093AA's pin assertion register are absent; the I/O APIC bus is not modelled.
 *  - Writing an entry as edge-triggered clears its remote IRR (what Linux's
 *    clear_IO_APIC_pin relies on for stuck level interrupts).
 */
#include "hw/intc/ioapic.h"
#include "hw/intc/apic.h"
#include "hw/core/machine.h"

/* MMIO offsets */
#define IOREGSEL        0x00
#define IOWIN           0x10
#define IOEOI           0x40

/* indirect registers */
#define IOAPICID        0x00
#define IOAPICVER       0x01
#define IOAPICARB       0x02
#define IOREDTBL        0x10

/* redirection entry bits */
#define RTE_VECTOR      0xFFull
#define RTE_DELMOD(e)   (((e) >> 8) & 7)
#define RTE_DESTMOD     (1ull << 11)
#define RTE_DELIVS      (1ull << 12)
#define RTE_INTPOL      (1ull << 13)
#define RTE_REMOTE_IRR  (1ull << 14)
#define RTE_TRIGGER     (1ull << 15)
#define RTE_MASK        (1ull << 16)
#define RTE_DEST_SHIFT  56
/* what the guest may write in the low dword (delivery status and remote IRR are RO) */
#define RTE_LO_WRITABLE 0x0001AFFFull
#define RTE_HI_WRITABLE 0xFF000000ull

typedef struct IoapicRegs {
    uint32_t ioregsel;
    uint8_t id;
    uint8_t arb;
    uint32_t level;                 /* the input pins' levels (1 = asserted) */
    uint64_t redir[IOAPIC_NUM_PINS];
} IoapicRegs;

typedef struct IoapicState {
    Device parent;
    MemRegion mmio;
    uint8_t reset_id;
    bool eoi_registered;            /* this device set the machine's APIC EOI notifier */
    IoapicRegs r;
} IoapicState;

static IoapicState *ioapic_of(Device *dev)
{
    return container_of(dev, IoapicState, parent);
}

/* Level semantics (remote IRR, re-delivery) apply to fixed and lowest-priority entries. */
static bool rte_is_level(uint64_t e)
{
    int mode = RTE_DELMOD(e);
    return (e & RTE_TRIGGER) && (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST);
}

static void ioapic_eoi_broadcast(void *opaque, int vector);

static void ioapic_deliver(IoapicState *s, int pin)
{
    uint64_t *e = &s->r.redir[pin];
    int mode = RTE_DELMOD(*e);
    bool level = rte_is_level(*e);
    Machine *m = s->parent.machine;

    if (mode == 3 || mode == 6) {
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("ioapic: pin %d uses reserved delivery mode %d\n", pin, mode);
        }
        return;
    }
    if (!m) {
        return;
    }
    if (level) {
        *e |= RTE_REMOTE_IRR;
        /* cheap, and makes the device independent of the order the board creates things */
        apic_set_eoi_notifier(m, ioapic_eoi_broadcast, s);
        s->eoi_registered = true;
    }
    apic_deliver(m, (uint32_t)(*e >> RTE_DEST_SHIFT), (*e & RTE_DESTMOD) != 0, mode,
                 (int)(*e & RTE_VECTOR), level);
}

/* Deliver a level-triggered pin if it is asserted, unmasked and not waiting for its EOI. */
static void ioapic_service_level(IoapicState *s, int pin)
{
    uint64_t e = s->r.redir[pin];
    if (rte_is_level(e) && !(e & (RTE_MASK | RTE_REMOTE_IRR)) && (s->r.level & (1u << pin))) {
        ioapic_deliver(s, pin);
    }
}

static void ioapic_set_irq(void *opaque, int pin, int level)
{
    IoapicState *s = ioapic_of(opaque);
    uint32_t bit;
    bool was;
    uint64_t e;

    if (pin < 0 || pin >= IOAPIC_NUM_PINS) {
        return;
    }
    bit = 1u << pin;
    was = s->r.level & bit;
    if (!level) {
        s->r.level &= ~bit;
        return;
    }
    s->r.level |= bit;
    e = s->r.redir[pin];
    if (e & RTE_MASK) {
        return;
    }
    if (rte_is_level(e)) {
        ioapic_service_level(s, pin);
    } else if (!was) {
        ioapic_deliver(s, pin);
    }
}

/* The EOI of `vector`: from a local APIC (level-triggered vector) or the EOI register. */
static void ioapic_eoi(IoapicState *s, int vector)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t *e = &s->r.redir[pin];
        if ((*e & RTE_REMOTE_IRR) && (int)(*e & RTE_VECTOR) == vector) {
            *e &= ~RTE_REMOTE_IRR;
            ioapic_service_level(s, pin);
        }
    }
}

static void ioapic_eoi_broadcast(void *opaque, int vector)
{
    ioapic_eoi(opaque, vector);
}

/* ---- registers ---- */

static uint32_t ioapic_reg_read(IoapicState *s, uint32_t reg)
{
    switch (reg) {
    case IOAPICID:
        return (uint32_t)s->r.id << 24;
    case IOAPICVER:
        return ((IOAPIC_NUM_PINS - 1) << 16) | IOAPIC_VERSION;
    case IOAPICARB:
        return (uint32_t)s->r.arb << 24;
    default:
        if (reg >= IOREDTBL && reg < IOREDTBL + 2 * IOAPIC_NUM_PINS) {
            uint64_t e = s->r.redir[(reg - IOREDTBL) / 2];
            return (reg & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("ioapic: read of undefined register 0x%x\n", reg);
        }
        return 0;
    }
}

static void ioapic_write_entry(IoapicState *s, int pin, bool high, uint32_t val)
{
    uint64_t *e = &s->r.redir[pin];

    if (high) {
        *e = (*e & 0xFFFFFFFFull) | ((uint64_t)(val & RTE_HI_WRITABLE) << 32);
        return;
    }
    *e = (*e & ~RTE_LO_WRITABLE) | (val & RTE_LO_WRITABLE);
    if (!(*e & RTE_TRIGGER)) {
        *e &= ~RTE_REMOTE_IRR;
    }
    /* an asserted level pin that was just unmasked (or made level) is delivered now */
    ioapic_service_level(s, pin);
}

static void ioapic_reg_write(IoapicState *s, uint32_t reg, uint32_t val)
{
    switch (reg) {
    case IOAPICID:
        s->r.id = (uint8_t)(val >> 24) & IOAPIC_ID_MASK;
        s->r.arb = s->r.id;
        break;
    case IOAPICVER:
    case IOAPICARB:
        break;  /* read-only */
    default:
        if (reg >= IOREDTBL && reg < IOREDTBL + 2 * IOAPIC_NUM_PINS) {
            ioapic_write_entry(s, (reg - IOREDTBL) / 2, reg & 1, val);
        } else if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("ioapic: write of undefined register 0x%x\n", reg);
        }
        break;
    }
}

static uint64_t ioapic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IoapicState *s = opaque;
    s->parent.stat_reads++;
    switch (addr) {
    case IOREGSEL:
        return s->r.ioregsel;
    case IOWIN:
        return ioapic_reg_read(s, s->r.ioregsel);
    default:
        return 0;
    }
}

static void ioapic_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    IoapicState *s = opaque;
    s->parent.stat_writes++;
    switch (addr) {
    case IOREGSEL:
        s->r.ioregsel = (uint32_t)val & 0xFF;
        break;
    case IOWIN:
        ioapic_reg_write(s, s->r.ioregsel, (uint32_t)val);
        break;
    case IOEOI:
        ioapic_eoi(s, (int)(val & 0xFF));
        break;
    default:
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("ioapic: write to undefined offset 0x%" PRIx64 "\n", (uint64_t)addr);
        }
        break;
    }
}

static const MemRegionOps ioapic_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 4, .impl_max = 4,
};

uint64_t ioapic_get_redirection(Device *dev, int pin)
{
    if (pin < 0 || pin >= IOAPIC_NUM_PINS) {
        return 0;
    }
    return ioapic_of(dev)->r.redir[pin];
}

/* ---- state hand-over ---- */

void ioapic_get_state(Device *dev, IoapicStateRegs *st)
{
    IoapicState *s = ioapic_of(dev);

    memset(st, 0, sizeof(*st));
    st->ioregsel = s->r.ioregsel;
    st->id = s->r.id;
    st->arb = s->r.arb;
    st->level = s->r.level;
    memcpy(st->redir, s->r.redir, sizeof(st->redir));
}

void ioapic_set_state(Device *dev, const IoapicStateRegs *st)
{
    IoapicState *s = ioapic_of(dev);

    s->r.ioregsel = st->ioregsel & 0xFF;
    s->r.id = st->id & IOAPIC_ID_MASK;
    s->r.arb = st->arb & IOAPIC_ID_MASK;
    s->r.level = st->level & ((1u << IOAPIC_NUM_PINS) - 1);
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        s->r.redir[pin] = st->redir[pin] & ((RTE_HI_WRITABLE << 32) | RTE_LO_WRITABLE |
                                            RTE_REMOTE_IRR);
    }
    if (dev->machine) {
        apic_set_eoi_notifier(dev->machine, ioapic_eoi_broadcast, s);
        s->eoi_registered = true;
    }
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        ioapic_service_level(s, pin);
    }
}

/* ---- lifecycle ---- */

static void ioapic_reset(Device *dev)
{
    IoapicState *s = ioapic_of(dev);
    s->r.ioregsel = 0;
    s->r.id = s->reset_id;
    s->r.arb = s->reset_id;
    /* the datasheet defines only the mask bit after reset; the rest reads as 0 here */
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        s->r.redir[i] = RTE_MASK;
    }
    /* s->r.level follows the devices' lines and survives the reset */
    if (dev->machine) {
        apic_set_eoi_notifier(dev->machine, ioapic_eoi_broadcast, s);
        s->eoi_registered = true;
    }
}

static int ioapic_realize(Device *dev)
{
    IoapicState *s = ioapic_of(dev);
    uint64_t id;

    if (device_prop_u64(dev, "id", IOAPIC_DEFAULT_ID, &id) < 0) {
        return -EINVAL;
    }
    if (id > IOAPIC_ID_MASK) {
        error_report("ioapic: id %" PRIu64 " out of range (0..15)", id);
        return -EINVAL;
    }
    s->reset_id = (uint8_t)id;
    mr_init_io(&s->mmio, "ioapic", &ioapic_ops, s, IOAPIC_MMIO_SIZE);
    device_add_mmio(dev, &s->mmio);
    device_init_irq_in(dev, ioapic_set_irq, IOAPIC_NUM_PINS);
    ioapic_reset(dev);
    return 0;
}

static void ioapic_unrealize(Device *dev)
{
    IoapicState *s = ioapic_of(dev);
    if (dev->machine && s->eoi_registered) {
        apic_set_eoi_notifier(dev->machine, NULL, NULL);
    }
    if (s->mmio.parent) {
        mr_del_subregion(s->mmio.parent, &s->mmio);
    }
    if (s->mmio.name) {
        mr_destroy(&s->mmio);
    }
}

static size_t ioapic_save(Device *dev, uint8_t *buf, size_t size)
{
    IoapicState *s = ioapic_of(dev);
    if (buf && size >= sizeof(s->r)) {
        memcpy(buf, &s->r, sizeof(s->r));
    }
    return sizeof(s->r);
}

static int ioapic_load(Device *dev, const uint8_t *buf, size_t size)
{
    IoapicState *s = ioapic_of(dev);
    if (size != sizeof(s->r)) {
        return -EINVAL;
    }
    memcpy(&s->r, buf, sizeof(s->r));
    return 0;
}

static void ioapic_info(Device *dev, FILE *f)
{
    IoapicState *s = ioapic_of(dev);
    static const char *const modes[8] = { "fixed", "lowest", "smi", "res3",
                                          "nmi", "init", "res6", "extint" };
    fprintf(f, "ioapic: id=%u ioregsel=0x%02x asserted=%06x\n", s->r.id, s->r.ioregsel,
            s->r.level);
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        uint64_t e = s->r.redir[i];
        fprintf(f, "  pin %2d: vec=0x%02x %-6s %s dest=0x%02x %s %s%s%s\n", i,
                (unsigned)(e & RTE_VECTOR), modes[RTE_DELMOD(e)],
                (e & RTE_DESTMOD) ? "logical " : "physical",
                (unsigned)(e >> RTE_DEST_SHIFT), (e & RTE_TRIGGER) ? "level" : "edge ",
                (e & RTE_INTPOL) ? "low " : "high", (e & RTE_MASK) ? " masked" : "",
                (e & RTE_REMOTE_IRR) ? " remote-irr" : "");
    }
}

static const DeviceProp ioapic_props[] = {
    { "id", "I/O APIC ID after reset, 0..15 (default 0)" },
    { NULL, NULL },
};

const DeviceClass ioapic_class = {
    .name = "ioapic",
    .desc = "I/O APIC (82093AA register model, version 0x20, 24 pins)",
    .bus = "sysbus",
    .state_size = sizeof(IoapicState),
    .props = ioapic_props,
    .realize = ioapic_realize,
    .reset = ioapic_reset,
    .unrealize = ioapic_unrealize,
    .save = ioapic_save,
    .load = ioapic_load,
    .info = ioapic_info,
};

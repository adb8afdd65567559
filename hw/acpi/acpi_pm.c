/* SPDX-License-Identifier: MIT */
/*
 * hw/acpi/acpi_pm.c — ACPI fixed hardware registers and the PC reset control register.
 *
 * Models (ACPI 6.x, 4.8 "ACPI Hardware Features": 4.8.3.1 PM1 Event Grouping, 4.8.3.2 PM1
 * Control Grouping, 4.8.3.3 Power Management Timer, 4.8.4.1 General-Purpose Event Register
 * Blocks, 4.8.3.6 Reset Register; Intel ICH/PIIX "Reset Control Register" at 0xCF9):
 *  - PM1_STS (TMR_STS, BM_STS, GBL_STS, PWRBTN_STS, SLPBTN_STS, RTC_STS, WAK_STS: write 1 to
 *    clear) and PM1_EN (TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN);
 *  - PM1_CNT: SCI_EN (set from reset and read-only: hardware without SMI_CMD, the FADT says
 *    SMI_CMD = 0), BM_RLD, GBL_RLS (no effect), SLP_TYP, and SLP_EN: SLP_TYP =
 *    ACPI_PM_SLP_TYP_S5 powers the machine off (machine_request_shutdown(m, 0));
 *  - the PM timer: a 24-bit count at 3.579545 MHz computed from CLOCK_VIRTUAL, TMR_STS set
 *    whenever bit 23 toggles (a CLOCK_VIRTUAL timer while TMR_EN is set, lazily when the
 *    status is read otherwise);
 *  - GPE0_STS/GPE0_EN (16 events each, no event sources: the status stays 0);
 *  - the SCI: (PM1_STS & PM1_EN) or (GPE0_STS & GPE0_EN), as a level on output line 0;
 *  - the Reset Control Register: a write with RST_CPU (bit 2) set resets the machine.
 *
 * Not modelled: sleeping states other than S5 (S1-S4 are logged as unimplemented and the
 * write has no effect), SMI (SCI_EN is always 1), the global lock (GBL_RLS), bus-master
 * status, PM1b and PM2 blocks, the 32-bit timer (TMR_VAL_EXT), wake events, the difference
 * between soft, hard and full resets (all are machine resets).
 */
#include "hw/acpi/acpi_pm.h"
#include "hw/core/machine.h"
#include "system/main-loop.h"

#define NS_PER_SEC 1000000000LL

#define PM1_STS_W1C (ACPI_PM1_TMR_STS | ACPI_PM1_BM_STS | ACPI_PM1_GBL_STS | \
                     ACPI_PM1_PWRBTN_STS | ACPI_PM1_SLPBTN_STS | ACPI_PM1_RTC_STS | \
                     (1u << 14) | ACPI_PM1_WAK_STS)
#define PM1_EN_MASK (ACPI_PM1_TMR_EN | ACPI_PM1_GBL_EN | ACPI_PM1_PWRBTN_EN | \
                     ACPI_PM1_SLPBTN_EN | ACPI_PM1_RTC_EN)
#define PM1_CNT_RW  (0x0006u | (7u << ACPI_PM1_SLP_TYP_SHIFT))  /* BM_RLD, GBL_RLS, SLP_TYP */

/* register offsets inside the block (16-bit registers) */
enum {
    REG_PM1_STS = ACPI_PM1_EVT_OFFSET, REG_PM1_EN = ACPI_PM1_EVT_OFFSET + 2,
    REG_PM1_CNT = ACPI_PM1_CNT_OFFSET, REG_PM_TMR = ACPI_PM_TMR_OFFSET,
    REG_GPE0_STS = ACPI_GPE0_OFFSET, REG_GPE0_EN = ACPI_GPE0_OFFSET + 2,
};

#define RCR_SYS_RST     0x02
#define RCR_RST_CPU     0x04
#define RCR_FULL_RST    0x08

#define TMR_TOGGLE_SHIFT 23

typedef struct AcpiPmRegs {
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint16_t gpe0_sts, gpe0_en;
    uint8_t rcr;
    int64_t tmr_period_seen;    /* timer count >> 23 when TMR_STS was last brought up to date */
} AcpiPmRegs;

typedef struct AcpiPmState {
    Device parent;
    MemRegion io, io_rcr;
    Timer *timer;
    int sci;                    /* level last driven, -1: drive next time */
    AcpiPmRegs r;
} AcpiPmState;

static AcpiPmState *pm_of(Device *dev)
{
    return container_of(dev, AcpiPmState, parent);
}

/* Timer counts since CLOCK_VIRTUAL 0 (the counter shows the low 24 bits). */
static int64_t pm_ticks(int64_t ns)
{
    if (ns <= 0) {
        return 0;
    }
    return (int64_t)((unsigned __int128)ns * ACPI_PM_TIMER_HZ / NS_PER_SEC);
}

/* The first ns at which pm_ticks reaches `ticks`. */
static int64_t pm_ticks_to_ns(int64_t ticks)
{
    return (int64_t)(((unsigned __int128)ticks * NS_PER_SEC + ACPI_PM_TIMER_HZ - 1) /
                     ACPI_PM_TIMER_HZ);
}

static void pm_update_sci(AcpiPmState *s)
{
    int sci = (s->r.pm1_cnt & ACPI_PM1_SCI_EN) &&
              ((s->r.pm1_sts & s->r.pm1_en & PM1_EN_MASK) || (s->r.gpe0_sts & s->r.gpe0_en));
    if (sci != s->sci) {
        s->sci = sci;
        irq_set(device_irq_out(&s->parent, 0), sci);
    }
}

/* Bring TMR_STS up to date: bit 23 of the counter toggled since we last looked. */
static void pm_timer_check(AcpiPmState *s, int64_t now)
{
    int64_t period = pm_ticks(now) >> TMR_TOGGLE_SHIFT;
    if (period != s->r.tmr_period_seen) {
        s->r.tmr_period_seen = period;
        s->r.pm1_sts |= ACPI_PM1_TMR_STS;
    }
}

static void pm_arm_timer(AcpiPmState *s)
{
    if (!(s->r.pm1_en & ACPI_PM1_TMR_EN)) {
        timer_del(s->timer);
        return;
    }
    int64_t next = (s->r.tmr_period_seen + 1) << TMR_TOGGLE_SHIFT;
    timer_mod(s->timer, pm_ticks_to_ns(next));
}

static void pm_timer_cb(void *opaque)
{
    AcpiPmState *s = opaque;
    pm_timer_check(s, clock_get_ns(CLOCK_VIRTUAL_NS));
    pm_update_sci(s);
    pm_arm_timer(s);
}

/* ---- registers ---- */

static uint8_t pm_reg_byte(AcpiPmState *s, hwaddr off, uint32_t tmr)
{
    uint16_t v;

    switch (off & ~1ull) {
    case REG_PM1_STS:
        v = s->r.pm1_sts;
        break;
    case REG_PM1_EN:
        v = s->r.pm1_en;
        break;
    case REG_PM1_CNT:
        v = s->r.pm1_cnt;
        break;
    case REG_PM_TMR:
        v = tmr & 0xFFFF;
        break;
    case REG_PM_TMR + 2:
        v = tmr >> 16;
        break;
    case REG_GPE0_STS:
        v = s->r.gpe0_sts;
        break;
    case REG_GPE0_EN:
        v = s->r.gpe0_en;
        break;
    default:
        return 0;
    }
    return (off & 1) ? v >> 8 : v & 0xFF;
}

static uint64_t pm_io_read(void *opaque, hwaddr addr, unsigned size)
{
    AcpiPmState *s = opaque;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL_NS);
    /* one sample of the counter for the whole access: a dword read never tears */
    uint32_t tmr = (uint32_t)(pm_ticks(now) & 0xFFFFFF);
    uint64_t v = 0;

    s->parent.stat_reads++;
    pm_timer_check(s, now);
    pm_update_sci(s);
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)pm_reg_byte(s, addr + i, tmr) << (8 * i);
    }
    return v;
}

static void pm_sleep(AcpiPmState *s, unsigned slp_typ)
{
    if (slp_typ == ACPI_PM_SLP_TYP_S5) {
        if (s->parent.machine) {
            machine_request_shutdown(s->parent.machine, 0);
        }
    } else if (log_enabled(LOG_UNIMP)) {
        log_printf("acpi-pm: sleep type %u (SLP_EN) not supported, only S5 (%u)\n", slp_typ,
                   ACPI_PM_SLP_TYP_S5);
    }
}

/* A write of the bytes `mask` of the 16-bit register at `reg`. */
static void pm_reg_write16(AcpiPmState *s, hwaddr reg, uint16_t val, uint16_t mask)
{
    switch (reg) {
    case REG_PM1_STS:
        pm_timer_check(s, clock_get_ns(CLOCK_VIRTUAL_NS));
        s->r.pm1_sts &= ~(val & mask & PM1_STS_W1C);
        break;
    case REG_PM1_EN:
        s->r.pm1_en = (s->r.pm1_en & ~mask) | (val & mask & PM1_EN_MASK);
        /* a toggle that happened while TMR_EN was clear is seen before arming */
        pm_timer_check(s, clock_get_ns(CLOCK_VIRTUAL_NS));
        pm_arm_timer(s);
        break;
    case REG_PM1_CNT:
        s->r.pm1_cnt = (s->r.pm1_cnt & ~(mask & PM1_CNT_RW)) | (val & mask & PM1_CNT_RW);
        if ((mask & ACPI_PM1_SLP_EN) && (val & ACPI_PM1_SLP_EN)) {
            pm_sleep(s, (s->r.pm1_cnt >> ACPI_PM1_SLP_TYP_SHIFT) & 7);
        }
        break;
    case REG_GPE0_STS:
        s->r.gpe0_sts &= ~(val & mask);
        break;
    case REG_GPE0_EN:
        s->r.gpe0_en = (s->r.gpe0_en & ~mask) | (val & mask);
        break;
    default:
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("acpi-pm: write to read-only or undefined offset 0x%02" PRIx64 "\n",
                       (uint64_t)reg);
        }
        break;
    }
}

static void pm_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    AcpiPmState *s = opaque;

    s->parent.stat_writes++;
    /* group the bytes of the access by 16-bit register (W1C needs the byte lanes) */
    for (hwaddr reg = addr & ~1ull; reg < addr + size; reg += 2) {
        uint16_t v = 0, mask = 0;
        for (unsigned lane = 0; lane < 2; lane++) {
            hwaddr off = reg + lane;
            if (off >= addr && off < addr + size) {
                mask |= 0xFF << (8 * lane);
                v |= ((val >> (8 * (off - addr))) & 0xFF) << (8 * lane);
            }
        }
        pm_reg_write16(s, reg, v, mask);
    }
    pm_update_sci(s);
}

static const MemRegionOps pm_io_ops = {
    .read = pm_io_read,
    .write = pm_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

void acpi_pm_rcr_write(Device *dev, uint8_t val)
{
    AcpiPmState *s = pm_of(dev);
    s->r.rcr = val & (RCR_SYS_RST | RCR_FULL_RST);
    /* RST_CPU is acted on at once and so never reads back as 1: its 0 -> 1 transition is
     * every write that sets it (Linux writes 0x02 then 0x06; the FADT's RESET_VALUE 0x06) */
    if ((val & RCR_RST_CPU) && dev->machine) {
        machine_request_reset(dev->machine);
    }
}

uint8_t acpi_pm_rcr_read(Device *dev)
{
    return pm_of(dev)->r.rcr;
}

static uint64_t pm_rcr_read(void *opaque, hwaddr addr, unsigned size)
{
    AcpiPmState *s = opaque;
    s->parent.stat_reads++;
    return acpi_pm_rcr_read(&s->parent);
}

static void pm_rcr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    AcpiPmState *s = opaque;
    s->parent.stat_writes++;
    acpi_pm_rcr_write(&s->parent, (uint8_t)val);
}

static const MemRegionOps pm_rcr_ops = {
    .read = pm_rcr_read,
    .write = pm_rcr_write,
    .valid_min = 1, .valid_max = 1,
};

void acpi_pm_power_button(Device *dev)
{
    AcpiPmState *s = pm_of(dev);
    s->r.pm1_sts |= ACPI_PM1_PWRBTN_STS;
    pm_update_sci(s);
}

/* ---- lifecycle ---- */

static void pm_reset(Device *dev)
{
    AcpiPmState *s = pm_of(dev);
    memset(&s->r, 0, sizeof(s->r));
    s->r.pm1_cnt = ACPI_PM1_SCI_EN;
    s->r.tmr_period_seen = pm_ticks(clock_get_ns(CLOCK_VIRTUAL_NS)) >> TMR_TOGGLE_SHIFT;
    s->sci = -1;
    pm_arm_timer(s);
    pm_update_sci(s);
}

static int pm_realize(Device *dev)
{
    AcpiPmState *s = pm_of(dev);
    uint64_t iobase;

    if (device_prop_u64(dev, "iobase", ACPI_PM_IOBASE, &iobase) < 0) {
        return -EINVAL;
    }
    if (iobase + ACPI_PM_IO_SIZE > 0x10000 || (iobase & 3)) {
        error_report("acpi-pm: iobase 0x%" PRIx64 " must be 4-byte aligned and below 0x%x",
                     iobase, 0x10000 - ACPI_PM_IO_SIZE);
        return -EINVAL;
    }
    s->timer = timer_new(CLOCK_VIRTUAL_NS, pm_timer_cb, s);
    mr_init_io(&s->io, "acpi-pm", &pm_io_ops, s, ACPI_PM_IO_SIZE);
    mr_init_io(&s->io_rcr, "reset-control", &pm_rcr_ops, s, 1);
    device_add_pio(dev, &s->io);
    device_add_pio(dev, &s->io_rcr);
    device_init_irq_out(dev, 1);
    if (dev->machine) {
        mr_add_subregion(&dev->machine->io, iobase, &s->io, 0);
    }
    pm_reset(dev);
    return 0;
}

static void pm_unrealize(Device *dev)
{
    AcpiPmState *s = pm_of(dev);
    MemRegion *regions[] = { &s->io, &s->io_rcr };

    timer_free(s->timer);
    s->timer = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
        if (regions[i]->parent) {
            mr_del_subregion(regions[i]->parent, regions[i]);
        }
        if (regions[i]->name) {
            mr_destroy(regions[i]);
        }
    }
}

static size_t pm_save(Device *dev, uint8_t *buf, size_t size)
{
    AcpiPmState *s = pm_of(dev);
    if (buf && size >= sizeof(s->r)) {
        memcpy(buf, &s->r, sizeof(s->r));
    }
    return sizeof(s->r);
}

static int pm_load(Device *dev, const uint8_t *buf, size_t size)
{
    AcpiPmState *s = pm_of(dev);
    if (size != sizeof(s->r)) {
        return -EINVAL;
    }
    memcpy(&s->r, buf, sizeof(s->r));
    s->sci = -1;
    pm_arm_timer(s);
    pm_update_sci(s);
    return 0;
}

static void pm_info(Device *dev, FILE *f)
{
    AcpiPmState *s = pm_of(dev);
    fprintf(f, "acpi-pm: PM1_STS=%04x PM1_EN=%04x PM1_CNT=%04x GPE0_STS=%04x GPE0_EN=%04x "
            "timer=%06" PRIx64 " sci=%d\n",
            s->r.pm1_sts, s->r.pm1_en, s->r.pm1_cnt, s->r.gpe0_sts, s->r.gpe0_en,
            pm_ticks(clock_get_ns(CLOCK_VIRTUAL_NS)) & 0xFFFFFF, s->sci);
}

static const DeviceProp pm_props[] = {
    { "iobase", "I/O base of the PM block (default 0x600)" },
    { NULL, NULL },
};

const DeviceClass acpi_pm_class = {
    .name = "acpi-pm",
    .desc = "ACPI fixed hardware: PM1 event/control, PM timer, GPE0, reset register 0xCF9",
    .bus = "isa",
    .state_size = sizeof(AcpiPmState),
    .props = pm_props,
    .realize = pm_realize,
    .reset = pm_reset,
    .unrealize = pm_unrealize,
    .save = pm_save,
    .load = pm_load,
    .info = pm_info,
};

/* SPDX-License-Identifier: MIT */
/*
 * hw/rtc/mc146818rtc.c — Motorola MC146818A real-time clock with the PC's CMOS memory.
 *
 * Models (MC146818A datasheet, "Address Map", "Time, Calendar and Alarm Locations",
 * "Control Registers", "Interrupts"; PC/AT CMOS conventions): the time and calendar
 * registers in BCD or binary (register B DM) and 12- or 24-hour format, the alarm with
 * "don't care" values (0xC0-0xFF), register A (UIP, divider DV, rate RS), register B (SET,
 * PIE, AIE, UIE, SQWE, DM, 24/12, DSE), register C (IRQF, PF, AF, UF; read-to-clear, which
 * lowers the IRQ), register D (VRT = 1), the periodic interrupt at the RS rate, the alarm
 * and update-ended interrupts once per second, and 114 bytes of CMOS memory.
 *
 * Time is the host's wall clock (CLOCK_HOST, UTC) plus an offset, so the guest's clock
 * keeps running across resets and costs no work per second. The update cycle happens at
 * each whole second of that clock: UIP reads 1 during the 244 us before it (tBUC at
 * 32.768 kHz) and the registers change at once (no 1984 us update window), so a read
 * always sees a consistent time. SET = 1 or a divider reset (DV = 11x) freeze the
 * registers: they are then plain bytes that the guest writes one by one (an impossible
 * intermediate date such as Feb 30 is kept as written) and become the new offset when
 * the clock runs again; an invalid date then carries over (Feb 30 -> Mar 1 or 2). Clearing
 * SET resumes with the divider's sub-second phase; leaving the divider reset starts the
 * next update 500 ms later (datasheet: "the first update cycle begins one-half second
 * later"). SET clears UIE, as the datasheet says. A write to a running clock moves the
 * offset at once (the weekday of a running clock follows the date).
 * UF and AF are set by a 1 Hz CLOCK_HOST timer and, lazily, when register C is read; PF by
 * a CLOCK_VIRTUAL timer while PIE is set and lazily otherwise.
 *
 * Not modelled / simplified:
 *  - The oscillator selection of DV: every DV value other than 11x counts at 32.768 kHz.
 *  - The square-wave output (SQWE is stored), daylight saving (DSE is stored). The
 *    day-of-week register follows the date once the clock runs.
 *  - Switching DM or 24/12 does not convert the alarm bytes (the datasheet leaves that to
 *    software as well); the clock registers are always shown in the current format.
 *  - Periodic interrupts the host was too slow to deliver are coalesced (one per timer
 *    callback); the periodic phase restarts when RS or DV is written.
 *  - An alarm that falls in seconds skipped while the host did not run the timer (the VM
 *    stopped) is lost.
 *  - Port 0x70 is write-only (reads give 0xFF); the NMI-disable bit is stored only.
 */
#include "hw/rtc/mc146818rtc.h"
#include "hw/core/machine.h"
#include "system/main-loop.h"
#include <time.h>

#define NS_PER_SEC      1000000000LL
#define UIP_WINDOW_NS   244000LL        /* tBUC: UIP rises this long before the update */
#define DIV_HALF_SEC_NS 500000000LL
#define RTC_OSC_HZ      32768

/* clock registers */
enum {
    REG_SEC = 0x00, REG_SEC_ALARM = 0x01, REG_MIN = 0x02, REG_MIN_ALARM = 0x03,
    REG_HOUR = 0x04, REG_HOUR_ALARM = 0x05, REG_WDAY = 0x06, REG_MDAY = 0x07,
    REG_MONTH = 0x08, REG_YEAR = 0x09, REG_A = 0x0A, REG_B = 0x0B, REG_C = 0x0C,
    REG_D = 0x0D,
};

#define REGA_UIP        0x80
#define REGA_DV(a)      (((a) >> 4) & 7)
#define REGA_RS(a)      ((a) & 0x0F)
#define REGB_SET        0x80
#define REGB_PIE        0x40
#define REGB_AIE        0x20
#define REGB_UIE        0x10
#define REGB_SQWE       0x08
#define REGB_DM         0x04    /* 1 = binary, 0 = BCD */
#define REGB_24H        0x02
#define REGB_DSE        0x01
#define REGC_IRQF       0x80
#define REGC_PF         0x40
#define REGC_AF         0x20
#define REGC_UF         0x10
#define REGC_FLAGS      (REGC_PF | REGC_AF | REGC_UF)
#define REGD_VRT        0x80

#define CMOS_CHECKSUM_FIRST 0x10
#define CMOS_CHECKSUM_LAST  0x2D
#define CMOS_CHECKSUM_HI    0x2E

/* The clock's fields in binary: month 1-12, weekday 1-7 (Sunday = 1), the full year. */
typedef struct RtcTime {
    uint8_t sec, min, hour, wday, mday, mon;
    uint16_t year;
} RtcTime;

typedef struct RtcRegs {
    uint8_t cmos[128];          /* memory, alarms, A (without UIP), B, C flags */
    uint8_t index;
    uint8_t nmi_disabled;
    int64_t offset_ns;          /* guest time = CLOCK_HOST + offset_ns while running */
    RtcTime frozen;             /* the fields while stopped (SET or divider reset): written
                                 * one by one without normalisation, as the chip stores them */
    int64_t last_update_sec;    /* the guest second whose update cycle was accounted */
    int64_t periodic_base;      /* CLOCK_VIRTUAL ns at which the periodic phase began */
    int64_t periodic_seen;      /* the last periodic event accounted in PF */
} RtcRegs;

typedef struct RtcState {
    Device parent;
    MemRegion io;
    Timer *update_timer;        /* CLOCK_HOST: the next update cycle */
    Timer *periodic_timer;      /* CLOCK_VIRTUAL: the next periodic event (PIE set) */
    int irq_level;
    RtcRegs r;
} RtcState;

static RtcState *rtc_of(Device *dev)
{
    return container_of(dev, RtcState, parent);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t host_now(void)
{
    return clock_get_ns(CLOCK_HOST_NS);
}

static uint8_t to_bcd(int v)
{
    return (uint8_t)(((v / 10) % 10) << 4 | (v % 10));
}

static int from_bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0x0F);
}

static bool rtc_divider_reset(const RtcState *s)
{
    return REGA_DV(s->r.cmos[REG_A]) >= 6;
}

/* The registers count: neither SET nor a divider reset holds them. */
static bool rtc_running(const RtcState *s)
{
    return !(s->r.cmos[REG_B] & REGB_SET) && !rtc_divider_reset(s);
}

/* The guest time in ns; meaningful while the clock runs. */
static int64_t rtc_guest_ns(const RtcState *s)
{
    return host_now() + s->r.offset_ns;
}

static uint8_t rtc_to_reg(const RtcState *s, int v)
{
    return (s->r.cmos[REG_B] & REGB_DM) ? (uint8_t)v : to_bcd(v);
}

static int rtc_from_reg(const RtcState *s, uint8_t v)
{
    return (s->r.cmos[REG_B] & REGB_DM) ? v : from_bcd(v);
}

static uint8_t rtc_encode_hour(const RtcState *s, int h)
{
    if (s->r.cmos[REG_B] & REGB_24H) {
        return rtc_to_reg(s, h);
    }
    return rtc_to_reg(s, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static int rtc_decode_hour(const RtcState *s, uint8_t v)
{
    if (s->r.cmos[REG_B] & REGB_24H) {
        return rtc_from_reg(s, v);
    }
    return rtc_from_reg(s, v & 0x7F) % 12 + ((v & 0x80) ? 12 : 0);
}

static void rtc_time_of_ns(int64_t guest_ns, RtcTime *t)
{
    time_t secs = (time_t)floor_div(guest_ns, NS_PER_SEC);
    struct tm tm;
    gmtime_r(&secs, &tm);
    t->sec = tm.tm_sec;
    t->min = tm.tm_min;
    t->hour = tm.tm_hour;
    t->wday = tm.tm_wday + 1;
    t->mday = tm.tm_mday;
    t->mon = tm.tm_mon + 1;
    t->year = tm.tm_year + 1900;
}

/* Seconds since the epoch; out-of-range fields carry over (Feb 30 is Mar 1 or 2). */
static int64_t rtc_time_secs(const RtcTime *t)
{
    struct tm tm = {
        .tm_sec = t->sec, .tm_min = t->min, .tm_hour = t->hour, .tm_mday = t->mday,
        .tm_mon = t->mon - 1, .tm_year = t->year - 1900, .tm_isdst = 0,
    };
    return (int64_t)timegm(&tm);
}

/* The fields the registers show now. */
static void rtc_now(const RtcState *s, RtcTime *t)
{
    if (rtc_running(s)) {
        rtc_time_of_ns(rtc_guest_ns(s), t);
    } else {
        *t = s->r.frozen;
    }
}

/* ---- interrupt ---- */

static void rtc_update_irq(RtcState *s)
{
    int level = (s->r.cmos[REG_C] & s->r.cmos[REG_B] & REGC_FLAGS) != 0;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(device_irq_out(&s->parent, 0), level);
    }
}

/* ---- update cycle, alarm ---- */

static bool alarm_match(uint8_t alarm, uint8_t now)
{
    return (alarm & 0xC0) == 0xC0 || alarm == now;
}

/* Account the update cycles that happened: UF, and AF if the alarm matches now. */
static void rtc_update_check(RtcState *s)
{
    int64_t ns, sec;
    RtcTime t;

    if (!rtc_running(s)) {
        return;
    }
    ns = rtc_guest_ns(s);
    sec = floor_div(ns, NS_PER_SEC);
    if (sec == s->r.last_update_sec) {
        return;
    }
    s->r.last_update_sec = sec;
    s->r.cmos[REG_C] |= REGC_UF;
    rtc_time_of_ns(ns, &t);
    if (alarm_match(s->r.cmos[REG_SEC_ALARM], rtc_to_reg(s, t.sec)) &&
        alarm_match(s->r.cmos[REG_MIN_ALARM], rtc_to_reg(s, t.min)) &&
        alarm_match(s->r.cmos[REG_HOUR_ALARM], rtc_encode_hour(s, t.hour))) {
        s->r.cmos[REG_C] |= REGC_AF;
    }
}

static void rtc_arm_update(RtcState *s)
{
    if (!rtc_running(s)) {
        timer_del(s->update_timer);
        return;
    }
    int64_t next = (floor_div(rtc_guest_ns(s), NS_PER_SEC) + 1) * NS_PER_SEC;
    timer_mod(s->update_timer, next - s->r.offset_ns);
}

static void rtc_update_timer_cb(void *opaque)
{
    RtcState *s = opaque;
    rtc_update_check(s);
    rtc_update_irq(s);
    rtc_arm_update(s);
}

/* ---- periodic interrupt ---- */

/* The period in 32.768 kHz cycles (0: none); RS 1 and 2 give the rates of 8 and 9. */
static int64_t rtc_period_cycles(const RtcState *s)
{
    int rs = REGA_RS(s->r.cmos[REG_A]);
    if (rs == 0 || rtc_divider_reset(s)) {
        return 0;
    }
    if (rs <= 2) {
        rs += 7;
    }
    return 1LL << (rs - 1);
}

static int64_t rtc_periodic_index(const RtcState *s, int64_t now, int64_t period)
{
    int64_t el = now - s->r.periodic_base;
    if (el <= 0) {
        return 0;
    }
    return (int64_t)((unsigned __int128)el * RTC_OSC_HZ / NS_PER_SEC) / period;
}

static void rtc_periodic_check(RtcState *s, int64_t now)
{
    int64_t period = rtc_period_cycles(s);
    if (period) {
        int64_t idx = rtc_periodic_index(s, now, period);
        if (idx > s->r.periodic_seen) {
            s->r.periodic_seen = idx;
            s->r.cmos[REG_C] |= REGC_PF;
        }
    }
}

static void rtc_arm_periodic(RtcState *s)
{
    int64_t period = rtc_period_cycles(s);
    if (!period || !(s->r.cmos[REG_B] & REGB_PIE)) {
        timer_del(s->periodic_timer);
        return;
    }
    int64_t now = clock_get_ns(CLOCK_VIRTUAL_NS);
    int64_t cycles = (rtc_periodic_index(s, now, period) + 1) * period;
    int64_t at = s->r.periodic_base +
                 (int64_t)(((unsigned __int128)cycles * NS_PER_SEC + RTC_OSC_HZ - 1) / RTC_OSC_HZ);
    timer_mod(s->periodic_timer, at);
}

static void rtc_periodic_restart(RtcState *s)
{
    s->r.periodic_base = clock_get_ns(CLOCK_VIRTUAL_NS);
    s->r.periodic_seen = 0;
}

static void rtc_periodic_timer_cb(void *opaque)
{
    RtcState *s = opaque;
    rtc_periodic_check(s, clock_get_ns(CLOCK_VIRTUAL_NS));
    rtc_update_irq(s);
    rtc_arm_periodic(s);
}

/* ---- clock registers ---- */

/* Registers stopped or started counting (SET, DV): freeze or resume the guest time. */
static void rtc_run_changed(RtcState *s, bool was_running, bool divider_released)
{
    bool running = rtc_running(s);
    int64_t now = host_now();

    if (was_running && !running) {
        rtc_time_of_ns(now + s->r.offset_ns, &s->r.frozen);
    } else if (!was_running && running) {
        int64_t secs = rtc_time_secs(&s->r.frozen) * NS_PER_SEC;
        int64_t phase;
        if (divider_released) {
            phase = DIV_HALF_SEC_NS;
        } else {
            /* the divider chain kept running: the next update comes at its next second */
            int64_t t = now + s->r.offset_ns;
            phase = t - floor_div(t, NS_PER_SEC) * NS_PER_SEC;
        }
        s->r.offset_ns = secs + phase - now;
        s->r.last_update_sec = floor_div(secs, NS_PER_SEC);
    }
    rtc_arm_update(s);
}

static uint8_t rtc_read_time(RtcState *s, int reg)
{
    RtcTime t;
    rtc_now(s, &t);
    switch (reg) {
    case REG_SEC:
        return rtc_to_reg(s, t.sec);
    case REG_MIN:
        return rtc_to_reg(s, t.min);
    case REG_HOUR:
        return rtc_encode_hour(s, t.hour);
    case REG_WDAY:
        return rtc_to_reg(s, t.wday);
    case REG_MDAY:
        return rtc_to_reg(s, t.mday);
    case REG_MONTH:
        return rtc_to_reg(s, t.mon);
    case REG_YEAR:
        return rtc_to_reg(s, t.year % 100);
    default: /* RTC_CENTURY_REG */
        return rtc_to_reg(s, t.year / 100);
    }
}

static void rtc_set_field(const RtcState *s, RtcTime *t, int reg, uint8_t val)
{
    switch (reg) {
    case REG_SEC:
        t->sec = rtc_from_reg(s, val);
        break;
    case REG_MIN:
        t->min = rtc_from_reg(s, val);
        break;
    case REG_HOUR:
        t->hour = rtc_decode_hour(s, val);
        break;
    case REG_WDAY:
        t->wday = rtc_from_reg(s, val);
        break;
    case REG_MDAY:
        t->mday = rtc_from_reg(s, val);
        break;
    case REG_MONTH:
        t->mon = rtc_from_reg(s, val);
        break;
    case REG_YEAR:
        t->year = t->year / 100 * 100 + rtc_from_reg(s, val) % 100;
        break;
    default: /* RTC_CENTURY_REG */
        t->year = rtc_from_reg(s, val) * 100 + t->year % 100;
        break;
    }
}

static void rtc_write_time(RtcState *s, int reg, uint8_t val)
{
    int64_t ns, secs, sub;
    RtcTime t;

    if (!rtc_running(s)) {
        /* the usual case (under SET): store the field as written */
        rtc_set_field(s, &s->r.frozen, reg, val);
        return;
    }
    if (reg == REG_WDAY) {
        return;     /* a running clock derives the weekday from the date */
    }
    /* a running clock takes the new field at once (an impossible date carries over) */
    ns = rtc_guest_ns(s);
    secs = floor_div(ns, NS_PER_SEC);
    sub = ns - secs * NS_PER_SEC;
    rtc_time_of_ns(ns, &t);
    rtc_set_field(s, &t, reg, val);
    secs = rtc_time_secs(&t);
    s->r.offset_ns = secs * NS_PER_SEC + sub - host_now();
    s->r.last_update_sec = secs;    /* setting the clock is not an update cycle */
    rtc_arm_update(s);
}

static uint8_t rtc_read_reg_a(RtcState *s)
{
    uint8_t v = s->r.cmos[REG_A] & ~REGA_UIP;
    if (rtc_running(s)) {
        int64_t ns = rtc_guest_ns(s);
        int64_t phase = ns - floor_div(ns, NS_PER_SEC) * NS_PER_SEC;
        if (phase >= NS_PER_SEC - UIP_WINDOW_NS) {
            v |= REGA_UIP;
        }
    }
    return v;
}

static void rtc_write_reg_a(RtcState *s, uint8_t val)
{
    uint8_t old = s->r.cmos[REG_A];
    bool was_running = rtc_running(s);
    bool div_was_reset = rtc_divider_reset(s);

    /* account PF at the old rate before the phase restarts */
    rtc_periodic_check(s, clock_get_ns(CLOCK_VIRTUAL_NS));
    s->r.cmos[REG_A] = val & ~REGA_UIP;
    rtc_run_changed(s, was_running, div_was_reset && !rtc_divider_reset(s));
    if ((old ^ val) & 0x7F) {
        rtc_periodic_restart(s);
    }
    rtc_update_irq(s);
    rtc_arm_periodic(s);
}

static void rtc_write_reg_b(RtcState *s, uint8_t val)
{
    bool was_running = rtc_running(s);

    /* flags pending at the old settings raise the IRQ if the new enables allow it */
    rtc_update_check(s);
    rtc_periodic_check(s, clock_get_ns(CLOCK_VIRTUAL_NS));
    if (val & REGB_SET) {
        val &= ~REGB_UIE;
    }
    s->r.cmos[REG_B] = val;
    rtc_run_changed(s, was_running, false);
    rtc_update_irq(s);
    rtc_arm_periodic(s);
}

static uint8_t rtc_read_reg_c(RtcState *s)
{
    uint8_t v;

    rtc_update_check(s);
    rtc_periodic_check(s, clock_get_ns(CLOCK_VIRTUAL_NS));
    v = s->r.cmos[REG_C] & REGC_FLAGS;
    if (v & s->r.cmos[REG_B]) {
        v |= REGC_IRQF;
    }
    s->r.cmos[REG_C] = 0;
    rtc_update_irq(s);
    return v;
}

static bool is_time_reg(int reg)
{
    return reg == REG_SEC || reg == REG_MIN || reg == REG_HOUR || reg == REG_WDAY ||
           reg == REG_MDAY || reg == REG_MONTH || reg == REG_YEAR || reg == RTC_CENTURY_REG;
}

static uint8_t rtc_cmos_read(RtcState *s, int reg, bool side_effects)
{
    if (is_time_reg(reg)) {
        return rtc_read_time(s, reg);
    }
    switch (reg) {
    case REG_A:
        return rtc_read_reg_a(s);
    case REG_C:
        if (!side_effects) {
            return s->r.cmos[REG_C] & REGC_FLAGS;
        }
        return rtc_read_reg_c(s);
    case REG_D:
        return REGD_VRT;
    default:
        return s->r.cmos[reg];
    }
}

static void rtc_cmos_write(RtcState *s, int reg, uint8_t val)
{
    if (is_time_reg(reg)) {
        rtc_write_time(s, reg, val);
        return;
    }
    switch (reg) {
    case REG_A:
        rtc_write_reg_a(s, val);
        break;
    case REG_B:
        rtc_write_reg_b(s, val);
        break;
    case REG_C:
    case REG_D:
        break;  /* read-only */
    default:
        s->r.cmos[reg] = val;
        break;
    }
}

/* ---- ports ---- */

static uint64_t rtc_io_read(void *opaque, hwaddr addr, unsigned size)
{
    RtcState *s = opaque;
    s->parent.stat_reads++;
    if (addr == 0) {
        return 0xFF;    /* the index register is write-only */
    }
    return rtc_cmos_read(s, s->r.index, true);
}

static void rtc_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    RtcState *s = opaque;
    s->parent.stat_writes++;
    if (addr == 0) {
        s->r.index = val & 0x7F;
        s->r.nmi_disabled = (val & 0x80) != 0;
    } else {
        rtc_cmos_write(s, s->r.index, (uint8_t)val);
    }
}

static const MemRegionOps rtc_io_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

/* ---- board API ---- */

static void rtc_update_checksum(RtcState *s)
{
    unsigned sum = 0;
    for (int i = CMOS_CHECKSUM_FIRST; i <= CMOS_CHECKSUM_LAST; i++) {
        sum += s->r.cmos[i];
    }
    s->r.cmos[CMOS_CHECKSUM_HI] = (sum >> 8) & 0xFF;
    s->r.cmos[CMOS_CHECKSUM_HI + 1] = sum & 0xFF;
}

void rtc_set_memory(Device *rtc, int addr, uint8_t val)
{
    RtcState *s = rtc_of(rtc);
    if (addr <= REG_D || addr >= 128 || addr == RTC_CENTURY_REG) {
        return;
    }
    s->r.cmos[addr] = val;
    if (addr >= CMOS_CHECKSUM_FIRST && addr <= CMOS_CHECKSUM_LAST) {
        rtc_update_checksum(s);
    }
}

uint8_t rtc_get_memory(Device *rtc, int addr)
{
    if (addr < 0 || addr >= 128) {
        return 0xFF;
    }
    return rtc_cmos_read(rtc_of(rtc), addr, false);
}

void rtc_set_pc_memory(Device *rtc, uint64_t below_4g, uint64_t above_4g, int ncpus)
{
    uint64_t ext = below_4g > MiB ? (below_4g - MiB) / KiB : 0;
    uint64_t m16 = below_4g > 16 * MiB ? (below_4g - 16 * MiB) / (64 * KiB) : 0;
    uint64_t m4g = above_4g / (64 * KiB);

    ext = MIN(ext, 0xFFFF);
    m16 = MIN(m16, 0xFFFF);
    m4g = MIN(m4g, 0xFFFFFF);
    rtc_set_memory(rtc, RTC_REG_EXTMEM_LO, ext & 0xFF);
    rtc_set_memory(rtc, RTC_REG_EXTMEM_LO + 1, ext >> 8);
    rtc_set_memory(rtc, RTC_REG_EXTMEM2_LO, ext & 0xFF);
    rtc_set_memory(rtc, RTC_REG_EXTMEM2_LO + 1, ext >> 8);
    rtc_set_memory(rtc, RTC_REG_MEM16M_LO, m16 & 0xFF);
    rtc_set_memory(rtc, RTC_REG_MEM16M_LO + 1, m16 >> 8);
    rtc_set_memory(rtc, RTC_REG_MEM4G_0, m4g & 0xFF);
    rtc_set_memory(rtc, RTC_REG_MEM4G_0 + 1, (m4g >> 8) & 0xFF);
    rtc_set_memory(rtc, RTC_REG_MEM4G_0 + 2, m4g >> 16);
    rtc_set_memory(rtc, RTC_REG_NB_CPUS, ncpus > 0 ? ncpus - 1 : 0);
}

/* ---- lifecycle ---- */

static void rtc_reset(Device *dev)
{
    RtcState *s = rtc_of(dev);
    /* the RESET pin clears the interrupt enables and flags; time and memory survive */
    s->r.cmos[REG_B] &= ~(REGB_PIE | REGB_AIE | REGB_UIE | REGB_SQWE);
    s->r.cmos[REG_C] = 0;
    s->irq_level = -1;
    rtc_update_irq(s);
    rtc_arm_update(s);
    rtc_arm_periodic(s);
}

static void rtc_power_on(RtcState *s)
{
    memset(&s->r, 0, sizeof(s->r));
    s->r.cmos[REG_A] = 0x26;                /* 32.768 kHz divider, 1024 Hz periodic rate */
    s->r.cmos[REG_B] = REGB_24H;            /* BCD, 24-hour */
    s->r.cmos[RTC_REG_EQUIPMENT] = 0x06;    /* math coprocessor, PS/2 mouse */
    s->r.cmos[RTC_REG_BASEMEM_LO] = 640 & 0xFF;
    s->r.cmos[RTC_REG_BASEMEM_LO + 1] = 640 >> 8;
    s->r.offset_ns = 0;
    s->r.last_update_sec = floor_div(host_now(), NS_PER_SEC);
    rtc_periodic_restart(s);
    rtc_update_checksum(s);
}

static int rtc_realize(Device *dev)
{
    RtcState *s = rtc_of(dev);

    s->update_timer = timer_new(CLOCK_HOST_NS, rtc_update_timer_cb, s);
    s->periodic_timer = timer_new(CLOCK_VIRTUAL_NS, rtc_periodic_timer_cb, s);
    mr_init_io(&s->io, "rtc", &rtc_io_ops, s, 2);
    device_add_pio(dev, &s->io);
    device_init_irq_out(dev, 1);
    if (dev->machine) {
        mr_add_subregion(&dev->machine->io, RTC_IOBASE, &s->io, 0);
    }
    rtc_power_on(s);
    rtc_reset(dev);
    return 0;
}

static void rtc_unrealize(Device *dev)
{
    RtcState *s = rtc_of(dev);
    timer_free(s->update_timer);
    timer_free(s->periodic_timer);
    s->update_timer = s->periodic_timer = NULL;
    if (s->io.parent) {
        mr_del_subregion(s->io.parent, &s->io);
    }
    if (s->io.name) {
        mr_destroy(&s->io);
    }
}

static size_t rtc_save(Device *dev, uint8_t *buf, size_t size)
{
    RtcState *s = rtc_of(dev);
    if (buf && size >= sizeof(s->r)) {
        memcpy(buf, &s->r, sizeof(s->r));
    }
    return sizeof(s->r);
}

static int rtc_load(Device *dev, const uint8_t *buf, size_t size)
{
    RtcState *s = rtc_of(dev);
    if (size != sizeof(s->r)) {
        return -EINVAL;
    }
    memcpy(&s->r, buf, sizeof(s->r));
    s->irq_level = -1;
    rtc_update_irq(s);
    rtc_arm_update(s);
    rtc_arm_periodic(s);
    return 0;
}

static void rtc_info(Device *dev, FILE *f)
{
    RtcState *s = rtc_of(dev);
    RtcTime t;
    rtc_now(s, &t);
    fprintf(f, "rtc: %04u-%02u-%02u %02u:%02u:%02u UTC%s, offset %+" PRId64 " s, "
            "A=%02x B=%02x C=%02x index=%02x%s\n",
            t.year, t.mon, t.mday, t.hour, t.min, t.sec,
            rtc_running(s) ? "" : " (stopped)", floor_div(s->r.offset_ns, NS_PER_SEC),
            s->r.cmos[REG_A], s->r.cmos[REG_B], s->r.cmos[REG_C], s->r.index,
            s->r.nmi_disabled ? " nmi-disabled" : "");
}

const DeviceClass mc146818rtc_class = {
    .name = "mc146818rtc",
    .desc = "MC146818A real-time clock and CMOS memory (ports 0x70/0x71, IRQ 8)",
    .bus = "isa",
    .state_size = sizeof(RtcState),
    .realize = rtc_realize,
    .reset = rtc_reset,
    .unrealize = rtc_unrealize,
    .save = rtc_save,
    .load = rtc_load,
    .info = rtc_info,
};

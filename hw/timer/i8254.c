/* SPDX-License-Identifier: MIT */
/*
 * hw/timer/i8254.c — Intel 8254 (82C54) programmable interval timer and PC port 0x61.
 *
 * Models (Intel 82C54 datasheet): three 16-bit down counters at 1193182 Hz, modes 0-5
 * (6 and 7 alias 2 and 3), binary and BCD counting, the LSB / MSB / LSB-then-MSB access
 * modes, the counter latch command, the read-back command (count and status latches, with
 * the OUT and NULL COUNT bits), GATE (level for modes 0/2/3/4, rising edge for 1/2/3/5),
 * and counter 0's OUT on an output line driven by one Timer at its next edge. Counts are
 * computed from CLOCK_VIRTUAL time, so reading a counter costs no timer work.
 * Port 0x61 (the PC's NMI status and control register) is part of this device because it
 * drives counter 2's GATE and reads its OUT; see i8254.h.
 *
 * Not modelled / simplified:
 *  - The extra load clock: a count written at time t counts from t (OUT of mode 0 rises
 *    N ticks after the write, not N + 1).
 *  - A new count written in mode 3 takes effect at the end of the current period (the part
 *    reloads at the end of the current half-cycle); in modes 1/5 at the next trigger.
 *  - Counter 0's IRQ line gives one edge per Timer callback: periods the host missed are
 *    coalesced, and mode 2/4/5's one-tick low pulse is a lower-then-raise at its end.
 *  - Counter 1 (refresh) runs but its OUT goes nowhere; port 0x61 bit 4 is derived from
 *    the clock, not from counter 1. No speaker sound.
 *  - Reset leaves the PC BIOS state (counter 0 in mode 3 with count 65536 = 18.2 Hz,
 *    counter 1 in mode 2 with count 18, counter 2 in mode 3 without a count), not the
 *    undefined power-up state.
 */
#include "hw/timer/i8254.h"
#include "hw/core/machine.h"
#include "system/main-loop.h"

#define NS_PER_SEC 1000000000LL
#define REFRESH_HALF_PERIOD_NS 15085

/* control word fields */
#define CW_SC(v)    (((v) >> 6) & 3)
#define CW_RW(v)    (((v) >> 4) & 3)
#define CW_MODE(v)  (((v) >> 1) & 7)
#define CW_BCD      0x01
#define RB_NOCOUNT  0x20
#define RB_NOSTATUS 0x10

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };
enum { EV_NONE, EV_RISE, EV_FALL, EV_PULSE };

typedef struct PitChannel {
    uint8_t mode;           /* 0..5 */
    uint8_t bcd;
    uint8_t rw;             /* RW_LSB, RW_MSB, RW_WORD */
    uint8_t gate;
    uint8_t write_msb_next; /* RW_WORD: the next count write is the MSB */
    uint8_t write_lsb;      /* RW_WORD: the LSB waiting for its MSB */
    uint8_t read_msb_next;  /* RW_WORD: the next count read is the MSB */
    uint8_t count_latched;  /* the latch holds a count not read out yet */
    uint8_t status_latched;
    uint8_t status;
    uint8_t loaded;         /* a count was written since the control word */
    uint8_t triggered;      /* modes 1/5: a GATE rising edge started the count */
    uint8_t running;        /* the counting element is decrementing */
    uint8_t null_count;     /* a written count has not reached the counting element */
    uint8_t switch_pending; /* modes 2/3: `reload` replaces `n_ce` at switch_tick */
    uint8_t irq_event;      /* counter 0: the EV_* the Timer is armed for */
    uint16_t latch;
    uint32_t reload;        /* the count register: 1..65536 (or ..10000 BCD) */
    uint32_t n_ce;          /* the count the counting element runs with */
    int64_t switch_tick;
    int64_t run_start;      /* CLOCK_VIRTUAL ns at which the current run started */
    int64_t ticks_base;     /* ticks counted before run_start */
    int64_t load_time;      /* when the count was written (NULL COUNT) */
} PitChannel;

typedef struct PitRegs {
    PitChannel ch[3];
    uint8_t port61;         /* bits 0-3 as written */
} PitRegs;

typedef struct I8254State {
    Device parent;
    MemRegion io, io61;
    Timer *timer;
    PitRegs r;
} I8254State;

static I8254State *pit_of(Device *dev)
{
    return container_of(dev, I8254State, parent);
}

static int64_t pit_now(void)
{
    return clock_get_ns(CLOCK_VIRTUAL_NS);
}

static int64_t ns_to_ticks(int64_t ns)
{
    if (ns <= 0) {
        return 0;
    }
    return (int64_t)((unsigned __int128)ns * I8254_FREQ_HZ / NS_PER_SEC);
}

/* The first ns at which ns_to_ticks reaches `ticks`. */
static int64_t ticks_to_ns(int64_t ticks)
{
    return (int64_t)(((unsigned __int128)ticks * NS_PER_SEC + I8254_FREQ_HZ - 1) /
                     I8254_FREQ_HZ);
}

static uint32_t ch_modulus(const PitChannel *c)
{
    return c->bcd ? 10000 : 65536;
}

static int64_t ch_ticks(const PitChannel *c, int64_t now)
{
    return c->ticks_base + (c->running ? ns_to_ticks(now - c->run_start) : 0);
}

static int64_t ch_tick_time(const PitChannel *c, int64_t tick)
{
    return c->run_start + ticks_to_ns(tick - c->ticks_base);
}

/* Restart counting from tick 0 at `now`. */
static void ch_start(PitChannel *c, int64_t now, bool running)
{
    c->ticks_base = 0;
    c->run_start = now;
    c->running = running;
}

/* Stop or resume the counting element without losing its position. */
static void ch_set_running(PitChannel *c, int64_t now, bool running)
{
    c->ticks_base = ch_ticks(c, now);
    c->run_start = now;
    c->running = running;
}

/* Apply a mode 2/3 count change that reached the end of its period. */
static void ch_sync(PitChannel *c, int64_t now)
{
    if (c->switch_pending && ch_ticks(c, now) >= c->switch_tick) {
        c->ticks_base -= c->switch_tick;
        c->n_ce = c->reload;
        c->switch_pending = 0;
        c->null_count = 0;
    }
}

static uint32_t mode3_count(uint32_t n, int64_t t)
{
    uint32_t hi = (n + 1) / 2, lo = n / 2;
    uint32_t p = t % n;
    if (p < hi) {
        return 2 * (hi - p) - (n & 1);
    }
    return 2 * (lo - (p - hi));
}

/* The counting element's value now (binary). */
static uint32_t ch_count(const PitChannel *c, int64_t now)
{
    uint32_t mod = ch_modulus(c), n = c->n_ce;
    int64_t t = ch_ticks(c, now);

    if (!c->loaded || ((c->mode == 1 || c->mode == 5) && !c->triggered)) {
        return c->reload % mod;
    }
    switch (c->mode) {
    case 2:
        return n - t % n;
    case 3:
        return mode3_count(n, t) % mod;
    default:    /* 0, 1, 4, 5: count down through zero and wrap */
        return (uint32_t)(((int64_t)n - t % mod + mod) % mod);
    }
}

static int ch_out(const PitChannel *c, int64_t now)
{
    uint32_t n = c->n_ce;
    int64_t t;

    if (!c->loaded) {
        return c->mode != 0;
    }
    t = ch_ticks(c, now);
    switch (c->mode) {
    case 0:
        return t >= n;
    case 1:
        return !c->triggered || t >= n;
    case 2:
        return !c->gate || n < 2 || t % n != n - 1;
    case 3:
        return !c->gate || t % n < (n + 1) / 2;
    case 4:
        return t != n;
    default: /* 5 */
        return !c->triggered || t != n;
    }
}

/* The next OUT event after tick t of a running counter: its tick and kind. */
static int ch_next_event(const PitChannel *c, int64_t t, int64_t *tick)
{
    uint32_t n = c->n_ce;

    if (!c->loaded || !c->running) {
        return EV_NONE;
    }
    switch (c->mode) {
    case 0:
    case 1:
        if ((c->mode == 0 || c->triggered) && t < n) {
            *tick = n;
            return EV_RISE;
        }
        return EV_NONE;
    case 2:
        if (n < 2) {
            return EV_NONE;
        }
        *tick = (t / n + 1) * n;
        return EV_PULSE;
    case 3: {
        uint32_t hi = (n + 1) / 2;
        int64_t base = t - t % n;
        if (hi >= n) {
            return EV_NONE;
        }
        if (t % n < hi) {
            *tick = base + hi;
            return EV_FALL;
        }
        *tick = base + n;
        return EV_RISE;
    }
    default: /* 4, 5 */
        if ((c->mode == 4 || c->triggered) && t < (int64_t)n + 1) {
            *tick = n + 1;
            return EV_PULSE;
        }
        return EV_NONE;
    }
}

/* Counter 0: drive IRQ 0 with OUT now and arm the Timer for the next edge. */
static void pit_irq_update(I8254State *s, int64_t now)
{
    PitChannel *c = &s->r.ch[0];
    int64_t tick;
    int ev;

    ch_sync(c, now);
    irq_set(&s->parent.irq_out[0], ch_out(c, now));
    ev = ch_next_event(c, ch_ticks(c, now), &tick);
    c->irq_event = ev;
    if (ev == EV_NONE) {
        timer_del(s->timer);
    } else {
        timer_mod(s->timer, ch_tick_time(c, tick));
    }
}

static void pit_timer_cb(void *opaque)
{
    I8254State *s = opaque;
    PitChannel *c = &s->r.ch[0];
    const IrqLine *irq = &s->parent.irq_out[0];
    int64_t now = pit_now(), tick;
    int ev;

    switch (c->irq_event) {
    case EV_RISE:
        irq_raise(irq);
        break;
    case EV_FALL:
        irq_lower(irq);
        break;
    case EV_PULSE:
        irq_lower(irq);
        irq_raise(irq);
        break;
    default:
        break;
    }
    ch_sync(c, now);
    ev = ch_next_event(c, ch_ticks(c, now), &tick);
    c->irq_event = ev;
    if (ev != EV_NONE) {
        timer_mod(s->timer, ch_tick_time(c, tick));
    }
}

static void pit_changed(I8254State *s, int idx, int64_t now)
{
    if (idx == 0) {
        pit_irq_update(s, now);
    }
}

/* ---- GATE ---- */

static void ch_set_gate(PitChannel *c, int level, int64_t now)
{
    bool rising = level && !c->gate;

    ch_sync(c, now);
    c->gate = level != 0;
    switch (c->mode) {
    case 0:
    case 4:
        ch_set_running(c, now, c->gate && c->loaded);
        break;
    case 1:
    case 5:
        if (rising && c->loaded) {
            c->n_ce = c->reload;
            c->triggered = 1;
            c->null_count = 0;
            ch_start(c, now, true);
        }
        break;
    default: /* 2, 3: low stops counting (OUT high), a rising edge reloads */
        if (rising && c->loaded) {
            c->n_ce = c->reload;
            c->switch_pending = 0;
            c->null_count = 0;
            ch_start(c, now, true);
        } else if (!c->gate) {
            ch_set_running(c, now, false);
        }
        break;
    }
}

void i8254_set_gate(Device *dev, int channel, int level)
{
    I8254State *s = pit_of(dev);
    int64_t now = pit_now();

    assert(channel >= 0 && channel < 3);
    if (s->r.ch[channel].gate == (level != 0)) {
        return;
    }
    ch_set_gate(&s->r.ch[channel], level, now);
    if (channel == 2) {
        s->r.port61 = (s->r.port61 & ~1) | (level != 0);
    }
    pit_changed(s, channel, now);
}

int i8254_get_out(Device *dev, int channel)
{
    I8254State *s = pit_of(dev);
    int64_t now = pit_now();
    assert(channel >= 0 && channel < 3);
    ch_sync(&s->r.ch[channel], now);
    return ch_out(&s->r.ch[channel], now);
}

/* ---- register access ---- */

static uint32_t to_bcd(uint32_t v)
{
    return (v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) | ((v / 1000 % 10) << 12);
}

static uint32_t from_bcd(uint32_t v)
{
    return (v & 0xF) + ((v >> 4) & 0xF) * 10 + ((v >> 8) & 0xF) * 100 +
           ((v >> 12) & 0xF) * 1000;
}

static uint16_t ch_count_register(const PitChannel *c, int64_t now)
{
    uint32_t v = ch_count(c, now);
    if (c->bcd) {
        return to_bcd(v % 10000);
    }
    return v & 0xFFFF;
}

static void ch_latch_count(PitChannel *c, int64_t now)
{
    if (!c->count_latched) {
        c->latch = ch_count_register(c, now);
        c->count_latched = 1;
        c->read_msb_next = 0;
    }
}

static bool ch_null_count(const PitChannel *c, int64_t now)
{
    if (!c->null_count) {
        return false;
    }
    if (!c->loaded || c->switch_pending) {
        return true;
    }
    if (c->mode == 1 || c->mode == 5) {
        return !c->triggered;
    }
    return ns_to_ticks(now - c->load_time) < 1;
}

static void ch_latch_status(PitChannel *c, int64_t now)
{
    if (!c->status_latched) {
        c->status = (ch_out(c, now) << 7) | (ch_null_count(c, now) << 6) | (c->rw << 4) |
                    (c->mode << 1) | c->bcd;
        c->status_latched = 1;
    }
}

static void ch_write_control(PitChannel *c, uint8_t val)
{
    int mode = CW_MODE(val);
    c->rw = CW_RW(val);
    c->mode = mode > 5 ? mode - 4 : mode;
    c->bcd = val & CW_BCD;
    c->loaded = 0;
    c->triggered = 0;
    c->running = 0;
    c->null_count = 1;
    c->switch_pending = 0;
    c->write_msb_next = 0;
    c->read_msb_next = 0;
    c->count_latched = 0;
    c->status_latched = 0;
    c->ticks_base = 0;
}

static void ch_load_count(PitChannel *c, uint32_t raw, int64_t now)
{
    uint32_t mod = ch_modulus(c);
    uint32_t v = c->bcd ? from_bcd(raw) : raw;
    bool was_loaded = c->loaded;

    ch_sync(c, now);
    c->reload = v == 0 ? mod : v;
    c->null_count = 1;
    c->load_time = now;
    c->loaded = 1;
    switch (c->mode) {
    case 0:
    case 4:
        c->n_ce = c->reload;
        ch_start(c, now, c->gate);
        break;
    case 1:
    case 5:
        if (!was_loaded) {
            c->n_ce = c->reload;
        }
        break;
    default: /* 2, 3 */
        if (was_loaded && c->running) {
            int64_t t = ch_ticks(c, now);
            c->switch_tick = (t / c->n_ce + 1) * c->n_ce;
            c->switch_pending = 1;
        } else {
            c->n_ce = c->reload;
            ch_start(c, now, c->gate);
        }
        break;
    }
}

static void pit_write_count(I8254State *s, int idx, uint8_t val, int64_t now)
{
    PitChannel *c = &s->r.ch[idx];

    switch (c->rw) {
    case RW_LSB:
        ch_load_count(c, val, now);
        break;
    case RW_MSB:
        ch_load_count(c, (uint32_t)val << 8, now);
        break;
    default:
        if (!c->write_msb_next) {
            c->write_lsb = val;
            c->write_msb_next = 1;
            if (c->mode == 0) {
                /* the first byte stops counting and sets OUT low */
                ch_set_running(c, now, false);
                c->loaded = 0;
            }
        } else {
            c->write_msb_next = 0;
            ch_load_count(c, c->write_lsb | ((uint32_t)val << 8), now);
        }
        break;
    }
    pit_changed(s, idx, now);
}

static void pit_write_control(I8254State *s, uint8_t val, int64_t now)
{
    int sc = CW_SC(val);

    if (sc == 3) {  /* read-back */
        for (int i = 0; i < 3; i++) {
            if (!(val & (2 << i))) {
                continue;
            }
            ch_sync(&s->r.ch[i], now);
            if (!(val & RB_NOCOUNT)) {
                ch_latch_count(&s->r.ch[i], now);
            }
            if (!(val & RB_NOSTATUS)) {
                ch_latch_status(&s->r.ch[i], now);
            }
        }
        return;
    }
    if (CW_RW(val) == RW_LATCH) {
        ch_sync(&s->r.ch[sc], now);
        ch_latch_count(&s->r.ch[sc], now);
        return;
    }
    ch_write_control(&s->r.ch[sc], val);
    pit_changed(s, sc, now);
}

static uint8_t pit_read_counter(I8254State *s, int idx, int64_t now)
{
    PitChannel *c = &s->r.ch[idx];
    uint16_t v;
    bool msb;

    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    ch_sync(c, now);
    v = c->count_latched ? c->latch : ch_count_register(c, now);
    switch (c->rw) {
    case RW_LSB:
        msb = false;
        c->count_latched = 0;
        break;
    case RW_MSB:
        msb = true;
        c->count_latched = 0;
        break;
    default:
        msb = c->read_msb_next;
        c->read_msb_next = !c->read_msb_next;
        if (msb) {
            c->count_latched = 0;
        }
        break;
    }
    return msb ? v >> 8 : v & 0xFF;
}

static uint64_t pit_read(void *opaque, hwaddr addr, unsigned size)
{
    I8254State *s = opaque;
    if (addr == 3) {
        return 0xFF;     /* the control word register cannot be read */
    }
    return pit_read_counter(s, addr, pit_now());
}

static void pit_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    I8254State *s = opaque;
    int64_t now = pit_now();
    if (addr == 3) {
        pit_write_control(s, val, now);
    } else {
        pit_write_count(s, addr, val, now);
    }
}

static uint64_t port61_read(void *opaque, hwaddr addr, unsigned size)
{
    I8254State *s = opaque;
    int64_t now = pit_now();
    PitChannel *c2 = &s->r.ch[2];
    uint8_t v = s->r.port61 & 0x0F;

    if ((now / REFRESH_HALF_PERIOD_NS) & 1) {
        v |= 0x10;
    }
    ch_sync(c2, now);
    if (ch_out(c2, now)) {
        v |= 0x20;
    }
    return v;
}

static void port61_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    I8254State *s = opaque;
    s->r.port61 = val & 0x0F;
    i8254_set_gate(&s->parent, 2, val & 1);
}

static const MemRegionOps pit_ops = {
    .read = pit_read, .write = pit_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 1,
};
static const MemRegionOps port61_ops = {
    .read = port61_read, .write = port61_write,
    .valid_min = 1, .valid_max = 1, .impl_min = 1, .impl_max = 1,
};

/* ---- lifecycle ---- */

static void pit_reset(Device *dev)
{
    I8254State *s = pit_of(dev);
    int64_t now = pit_now();

    memset(&s->r, 0, sizeof(s->r));
    for (int i = 0; i < 3; i++) {
        s->r.ch[i].gate = i != 2;
    }
    /* what a PC BIOS programs: 18.2 Hz on counter 0, refresh on counter 1 */
    ch_write_control(&s->r.ch[0], 0x36);
    ch_load_count(&s->r.ch[0], 0, now);
    ch_write_control(&s->r.ch[1], 0x54);
    ch_load_count(&s->r.ch[1], 18, now);
    ch_write_control(&s->r.ch[2], 0xB6);
    pit_irq_update(s, now);
}

static int pit_realize(Device *dev)
{
    I8254State *s = pit_of(dev);
    Machine *m = dev->machine;

    mr_init_io(&s->io, "i8254", &pit_ops, s, 4);
    mr_init_io(&s->io61, "port61", &port61_ops, s, 1);
    device_add_pio(dev, &s->io);
    device_add_pio(dev, &s->io61);
    device_init_irq_out(dev, 1);
    s->timer = timer_new(CLOCK_VIRTUAL_NS, pit_timer_cb, s);
    if (m) {
        mr_transaction_begin();
        mr_add_subregion(&m->io, I8254_BASE, &s->io, 0);
        mr_add_subregion(&m->io, I8254_PORT_61, &s->io61, 0);
        mr_transaction_commit();
    }
    pit_reset(dev);
    return 0;
}

static void pit_unrealize(Device *dev)
{
    I8254State *s = pit_of(dev);
    timer_free(s->timer);
    s->timer = NULL;
    if (s->io.parent) {
        mr_del_subregion(s->io.parent, &s->io);
    }
    if (s->io61.parent) {
        mr_del_subregion(s->io61.parent, &s->io61);
    }
    mr_destroy(&s->io);
    mr_destroy(&s->io61);
}

static size_t pit_save(Device *dev, uint8_t *buf, size_t size)
{
    I8254State *s = pit_of(dev);
    if (buf && size >= sizeof(s->r)) {
        memcpy(buf, &s->r, sizeof(s->r));
    }
    return sizeof(s->r);
}

static int pit_load(Device *dev, const uint8_t *buf, size_t size)
{
    I8254State *s = pit_of(dev);
    if (size != sizeof(s->r)) {
        return -EINVAL;
    }
    memcpy(&s->r, buf, sizeof(s->r));
    pit_irq_update(s, pit_now());
    return 0;
}

static void pit_info(Device *dev, FILE *f)
{
    I8254State *s = pit_of(dev);
    int64_t now = pit_now();
    for (int i = 0; i < 3; i++) {
        PitChannel *c = &s->r.ch[i];
        ch_sync(c, now);
        fprintf(f, "counter %d: mode %d%s rw %d gate %d count %u/%u out %d%s\n", i, c->mode,
                c->bcd ? " bcd" : "", c->rw, c->gate, ch_count(c, now), c->n_ce,
                ch_out(c, now), c->loaded ? "" : " (no count)");
    }
}

const DeviceClass i8254_class = {
    .name = "i8254",
    .desc = "Intel 8254 interval timer (ports 0x40-0x43) and port 0x61",
    .bus = "isa",
    .state_size = sizeof(I8254State),
    .realize = pit_realize,
    .reset = pit_reset,
    .unrealize = pit_unrealize,
    .save = pit_save,
    .load = pit_load,
    .info = pit_info,
};

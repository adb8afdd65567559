/* SPDX-License-Identifier: MIT */
/*
 * hw/intc/apic.c — the x86 local APIC, xAPIC and x2APIC modes, one device per CPU.
 *
 * Models (Intel SDM vol. 3A ch. 11 "Advanced Programmable Interrupt Controller"; ch. 10 in
 * older editions): the register set of a version 0x14 APIC with six LVT entries
 * (version register 0x00050014), ID, TPR/APR/PPR, EOI, LDR/DFR (flat and cluster logical
 * destinations), SVR (software enable, spurious vector, LVT masking while disabled),
 * ISR/TMR/IRR, ESR with the error LVT, the LVTs (timer, thermal, performance, LINT0, LINT1,
 * error; no CMCI) with masks and delivery modes, the ICR (fixed, lowest priority delivered
 * to the first match, SMI, NMI, INIT, INIT level de-assert, SIPI; the self / all /
 * all-but-self shorthands; physical and logical destinations) to the other APICs of the
 * machine, the timer (one-shot, periodic, TSC-deadline; switching between one-shot and
 * periodic keeps the count) counting CLOCK_VIRTUAL at APIC_BUS_FREQ_HZ through the divide
 * configuration register, x2APIC mode (MSRs 0x800+, 64-bit ICR, SELF IPI, read-only 32-bit
 * ID and derived LDR; 8-bit destinations of the I/O APIC read as x2APIC ones),
 * IA32_APIC_BASE (relocation, global disable with the initial APIC ID back, the valid
 * xAPIC/x2APIC transitions: the CPU raises #GP for the others) and CR8 as TPR[7:4].
 * MSIs (SDM vol. 3A 11.11): device writes to the 1 MiB window at the APIC base outside the
 * register page (and to the reserved register slot 0x000) are interrupt messages to the
 * APICs they name, with the destination, mode and vector from address and data (apic.h).
 *
 * Not modelled: the APIC bus arbitration and lowest-priority arbitration (the first
 * matching APIC gets the interrupt), remote read (RRD reads 0), the interrupt-input pin
 * polarity (LINT pins are active high), focus processor checking, EOI broadcast
 * suppression, directed EOI, thermal / performance events (their LVTs are plain
 * registers), ExtINT messages from the IOAPIC (logged), the delivery status bit (always
 * idle: delivery is instantaneous). Reset of CPU 0's APIC leaves LINT0 unmasked in ExtINT
 * mode (the virtual-wire mode a PC BIOS sets up) so that the 8259 works without firmware.
 */
#include "hw/intc/apic.h"
#include "hw/core/machine.h"
#include "system/main-loop.h"
#include "cpu/x86/cpu.h"

/* xAPIC register offsets (x2APIC MSR = 0x800 + offset / 16) */
#define APIC_ID         0x020
#define APIC_LVR        0x030
#define APIC_TPR        0x080
#define APIC_APR        0x090
#define APIC_PPR        0x0A0
#define APIC_EOI        0x0B0
#define APIC_RRD        0x0C0
#define APIC_LDR        0x0D0
#define APIC_DFR        0x0E0
#define APIC_SVR        0x0F0
#define APIC_ISR        0x100
#define APIC_TMR        0x180
#define APIC_IRR        0x200
#define APIC_ESR        0x280
#define APIC_LVT_CMCI   0x2F0
#define APIC_ICR_LO     0x300
#define APIC_ICR_HI     0x310
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_ERROR  0x370
#define APIC_TMICT      0x380
#define APIC_TMCCT      0x390
#define APIC_TDCR       0x3E0
#define APIC_SELF_IPI   0x3F0

#define APIC_VERSION    0x00050014u
#define MSR_X2APIC_BASE 0x800
#define MSR_X2APIC_LAST 0x8FF
#define MSR_TSC_DEADLINE 0x6E0

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_CMCI, LVT_NB };

#define LVT_VECTOR      0xFFu
#define LVT_REMOTE_IRR  (1u << 14)
#define LVT_LEVEL       (1u << 15)
#define LVT_MASKED      (1u << 16)
#define LVT_TIMER_MODE(v) (((v) >> 17) & 3)
enum { TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2 };

#define SVR_ENABLE      (1u << 8)
#define ICR_LO_MASK     0x000CCFFFu
#define ICR_LOGICAL     (1u << 11)
#define ICR_ASSERT      (1u << 14)
#define ICR_LEVEL       (1u << 15)

/* ESR bits */
#define ESR_SEND_ILLEGAL_VECTOR 0x20
#define ESR_RECV_ILLEGAL_VECTOR 0x40
#define ESR_ILLEGAL_REGISTER    0x80

typedef struct ApicBus ApicBus;

typedef struct ApicRegs {
    uint64_t apicbase;
    uint32_t id;            /* the APIC ID (not shifted); 32 bits in x2APIC mode */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t esr, esr_pending;
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t lvt[LVT_NB];
    uint32_t icr_lo, icr_hi;
    uint32_t timer_initial, timer_dcr;
    int64_t timer_start;    /* CLOCK_VIRTUAL ns at which the current count (period) began */
    bool timer_stopped;     /* the count stays at 0 until TMICT is written (a one-shot count
                             * that ran out, then the timer was made periodic) */
    uint64_t tsc_deadline;
    uint8_t lint_level[2];
} ApicRegs;

typedef struct ApicState {
    Device parent;
    int index;              /* the CPU index, also the initial APIC ID */
    CPUState *cs;
    ApicBus *bus;
    Timer *timer;
    ApicRegs r;
} ApicState;

/* The APICs of one machine and their shared MMIO window. */
struct ApicBus {
    Machine *m;
    ApicState *apic[MACHINE_MAX_CPUS];
    int count;
    bool mmio_registered;
    MemRegion mmio;
    ApicEoiFunc *eoi_fn;
    void *eoi_opaque;
    ApicBus *next;
};

static ApicBus *apic_buses;
static uint64_t apic_tsc_hz = 1000000000ULL;

static uint64_t apic_default_tsc(CPUState *cs)
{
    return x86_rdtsc(x86_cpu(cs));
}
static uint64_t (*apic_tsc_read)(CPUState *cs) = apic_default_tsc;

static ApicState *apic_of(Device *dev)
{
    return container_of(dev, ApicState, parent);
}

static int64_t apic_now(void)
{
    return clock_get_ns(CLOCK_VIRTUAL_NS);
}

/* ---- 256-bit vector registers ---- */

static void vec_set(uint32_t *r, int v)
{
    r[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(uint32_t *r, int v)
{
    r[v >> 5] &= ~(1u << (v & 31));
}

static bool vec_test(const uint32_t *r, int v)
{
    return r[v >> 5] & (1u << (v & 31));
}

static int vec_highest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--) {
        if (r[i]) {
            return i * 32 + 31 - __builtin_clz(r[i]);
        }
    }
    return -1;
}

/* ---- state predicates ---- */

static bool apic_hw_enabled(const ApicState *s)
{
    return s->r.apicbase & APIC_BASE_ENABLE;
}

static bool apic_x2(const ApicState *s)
{
    return s->r.apicbase & APIC_BASE_EXTD;
}

static bool apic_sw_enabled(const ApicState *s)
{
    return s->r.svr & SVR_ENABLE;
}

static uint32_t x2apic_ldr(uint32_t id)
{
    return ((id >> 4) << 16) | (1u << (id & 0xF));
}

static uint32_t apic_ppr(const ApicState *s)
{
    int isrv = vec_highest(s->r.isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;
    if ((s->r.tpr & 0xF0) >= isr_class) {
        return s->r.tpr & 0xFF;
    }
    return isr_class;
}

static uint32_t apic_apr(const ApicState *s)
{
    int irrv = vec_highest(s->r.irr), isrv = vec_highest(s->r.isr);
    uint32_t tpr = s->r.tpr & 0xF0;
    uint32_t irr_class = irrv < 0 ? 0 : (uint32_t)irrv & 0xF0;
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;
    if (tpr >= irr_class && tpr > isr_class) {
        return s->r.tpr & 0xFF;
    }
    return MAX(tpr, MAX(irr_class, isr_class));
}

/* The vector apic_get_interrupt would take, or -1. */
static int apic_pending_vector(const ApicState *s)
{
    int irrv;
    if (!apic_hw_enabled(s) || !apic_sw_enabled(s)) {
        return -1;
    }
    irrv = vec_highest(s->r.irr);
    if (irrv < 0 || ((uint32_t)irrv & 0xF0) <= (apic_ppr(s) & 0xF0)) {
        return -1;
    }
    return irrv;
}

static bool apic_pic_passthrough(const ApicState *s)
{
    uint32_t lvt = s->r.lvt[LVT_LINT0];
    if (!apic_hw_enabled(s)) {
        return true;
    }
    return !(lvt & LVT_MASKED) && ((lvt >> 8) & 7) == APIC_DM_EXTINT;
}

static void apic_update(ApicState *s)
{
    CPUState *cs = s->cs;
    bool want;
    if (!cs) {
        return;
    }
    want = apic_pending_vector(s) >= 0 || (s->r.lint_level[0] && apic_pic_passthrough(s));
    if (want) {
        if (!(cs->interrupt_request & CPU_INTERRUPT_HARD)) {
            cpu_interrupt(cs, CPU_INTERRUPT_HARD);
        }
    } else if (cs->interrupt_request & CPU_INTERRUPT_HARD) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
    }
}

/* ---- accepting interrupts ---- */

static void apic_error(ApicState *s, uint32_t bits)
{
    uint32_t lvt = s->r.lvt[LVT_ERROR];
    s->r.esr_pending |= bits;
    if (!(lvt & LVT_MASKED) && (lvt & LVT_VECTOR) >= 16) {
        vec_set(s->r.irr, lvt & LVT_VECTOR);
        vec_clear(s->r.tmr, lvt & LVT_VECTOR);
        apic_update(s);
    }
}

static void apic_accept_fixed(ApicState *s, int vector, bool level)
{
    if (vector < 16) {
        apic_error(s, ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    vec_set(s->r.irr, vector);
    if (level) {
        vec_set(s->r.tmr, vector);
    } else {
        vec_clear(s->r.tmr, vector);
    }
    apic_update(s);
}

static void apic_reset_state(ApicState *s, bool power_up);

static void apic_do_init(ApicState *s)
{
    apic_reset_state(s, false);
    if (s->cs) {
        cpu_interrupt(s->cs, CPU_INTERRUPT_INIT);
    }
}

/* An interrupt message (IPI, IOAPIC, MSI, LVT) arriving at APIC s. */
static void apic_accept_message(ApicState *s, int mode, int vector, bool level)
{
    if (!apic_hw_enabled(s)) {
        return;
    }
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        apic_accept_fixed(s, vector, level);
        break;
    case APIC_DM_SMI:
        if (s->cs) {
            cpu_interrupt(s->cs, CPU_INTERRUPT_SMI);
        }
        break;
    case APIC_DM_NMI:
        if (s->cs) {
            x86_cpu_nmi(s->cs);
        }
        break;
    case APIC_DM_INIT:
        apic_do_init(s);
        break;
    case APIC_DM_SIPI:
        if (s->cs) {
            x86_cpu(s->cs)->sipi_vector = vector;
            cpu_interrupt(s->cs, CPU_INTERRUPT_SIPI);
        }
        break;
    default:
        if (log_enabled(LOG_UNIMP)) {
            log_printf("apic%d: delivery mode %d not supported\n", s->index, mode);
        }
        break;
    }
}

/* Deliver the LVT entry idx (timer, thermal, performance, LINT, error, CMCI). */
static void apic_local_deliver(ApicState *s, int idx)
{
    uint32_t lvt = s->r.lvt[idx];
    int mode = (lvt >> 8) & 7;

    if (lvt & LVT_MASKED) {
        return;
    }
    if (idx == LVT_TIMER || idx == LVT_ERROR) {
        mode = APIC_DM_FIXED;
    }
    if (mode == APIC_DM_EXTINT) {
        apic_update(s);     /* LINT0 passes the 8259's INTR through */
        return;
    }
    apic_accept_message(s, mode, lvt & LVT_VECTOR,
                        (idx == LVT_LINT0 || idx == LVT_LINT1) && (lvt & LVT_LEVEL));
}

static void apic_lint(ApicState *s, int n, int level)
{
    int old = s->r.lint_level[n];
    uint32_t *lvt = &s->r.lvt[LVT_LINT0 + n];

    level = level != 0;
    s->r.lint_level[n] = level;
    if (!apic_hw_enabled(s)) {
        /* without an APIC, LINT0 is INTR and LINT1 is NMI */
        if (n == 1 && level && !old && s->cs) {
            x86_cpu_nmi(s->cs);
        }
        apic_update(s);
        return;
    }
    if (!(*lvt & LVT_MASKED)) {
        int mode = (*lvt >> 8) & 7;
        if (mode == APIC_DM_FIXED && (*lvt & LVT_LEVEL)) {
            if (level && !(*lvt & LVT_REMOTE_IRR)) {
                *lvt |= LVT_REMOTE_IRR;
                apic_accept_fixed(s, *lvt & LVT_VECTOR, true);
            }
        } else if (mode != APIC_DM_EXTINT && level && !old) {
            apic_local_deliver(s, LVT_LINT0 + n);
        }
    }
    apic_update(s);
}

static void apic_eoi(ApicState *s)
{
    int v = vec_highest(s->r.isr);
    if (v < 0) {
        return;
    }
    vec_clear(s->r.isr, v);
    if (vec_test(s->r.tmr, v)) {
        for (int n = 0; n < 2; n++) {
            uint32_t *lvt = &s->r.lvt[LVT_LINT0 + n];
            if ((*lvt & LVT_REMOTE_IRR) && (*lvt & LVT_VECTOR) == (uint32_t)v) {
                *lvt &= ~LVT_REMOTE_IRR;
                if (s->r.lint_level[n]) {
                    apic_lint(s, n, 1);     /* still asserted: deliver again */
                }
            }
        }
        if (s->bus->eoi_fn) {
            s->bus->eoi_fn(s->bus->eoi_opaque, v);
        }
    }
    apic_update(s);
}

/* ---- destinations and IPIs ---- */

/*
 * Does APIC d take a message for dest? x2: a 32-bit destination (from an x2APIC's ICR),
 * else an 8-bit one (an xAPIC's ICR, the I/O APIC, MSIs). The receiver's mode decides how
 * a logical destination reads: an APIC in x2APIC mode matches the 8-bit destinations of
 * the I/O APIC against its derived cluster LDR as well (SDM vol. 3A 11.12.10).
 */
static bool apic_match_dest(const ApicState *d, uint32_t dest, bool logical, bool x2)
{
    if (!x2) {
        dest &= 0xFF;
    }
    if (dest == (x2 ? 0xFFFFFFFF : 0xFF)) {
        return true;
    }
    if (apic_x2(d)) {
        uint32_t ldr;
        if (!logical) {
            return dest == d->r.id;
        }
        ldr = x2apic_ldr(d->r.id);
        return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xFFFF);
    }
    if (!logical) {
        return dest == (d->r.id & 0xFF);
    }
    uint32_t lid = d->r.ldr >> 24;
    if ((d->r.dfr >> 28) == 0xF) {          /* flat model: a bit per APIC */
        return (lid & dest) != 0;
    }
    /* cluster model: cluster in bits 7:4, members in bits 3:0 */
    return (lid >> 4) == (dest >> 4) && (lid & dest & 0xF);
}

static void apic_bus_deliver(ApicBus *bus, uint32_t dest, bool logical, bool x2, int mode,
                             int vector, bool level)
{
    for (int i = 0; i < MACHINE_MAX_CPUS; i++) {
        ApicState *d = bus->apic[i];
        if (!d || !apic_hw_enabled(d) || !apic_match_dest(d, dest, logical, x2)) {
            continue;
        }
        apic_accept_message(d, mode, vector, level);
        if (mode == APIC_DM_LOWEST) {
            break;
        }
    }
}

static void apic_send_ipi(ApicState *s)
{
    uint32_t lo = s->r.icr_lo;
    int vector = lo & 0xFF, mode = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
    bool logical = lo & ICR_LOGICAL, level = lo & ICR_LEVEL;
    bool x2 = apic_x2(s);
    uint32_t dest = x2 ? s->r.icr_hi : s->r.icr_hi >> 24;
    ApicBus *bus = s->bus;

    if (mode == APIC_DM_INIT && level && !(lo & ICR_ASSERT)) {
        return;     /* INIT level de-assert: only synchronises arbitration IDs */
    }
    if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16) {
        apic_error(s, ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    /* IPIs are edge triggered except the INIT de-assert handled above */
    level = false;
    switch (shorthand) {
    case 1:     /* self */
        apic_accept_message(s, mode, vector, level);
        break;
    case 2:     /* all including self */
    case 3:     /* all excluding self */
        for (int i = 0; i < MACHINE_MAX_CPUS; i++) {
            ApicState *d = bus->apic[i];
            if (d && (shorthand == 2 || d != s)) {
                apic_accept_message(d, mode, vector, level);
                if (mode == APIC_DM_LOWEST) {
                    break;
                }
            }
        }
        break;
    default:
        apic_bus_deliver(bus, dest, logical, x2, mode, vector, level);
        break;
    }
}

/* ---- timer ---- */

static int apic_div_shift(const ApicState *s)
{
    uint32_t v = (s->r.timer_dcr & 3) | ((s->r.timer_dcr >> 1) & 4);
    return (v + 1) & 7;
}

static int64_t bus_ns(uint64_t cycles)
{
    return (int64_t)(((unsigned __int128)cycles * 1000000000ULL + APIC_BUS_FREQ_HZ - 1) /
                     APIC_BUS_FREQ_HZ);
}

static uint64_t bus_cycles(int64_t ns)
{
    if (ns <= 0) {
        return 0;
    }
    return (uint64_t)((unsigned __int128)ns * APIC_BUS_FREQ_HZ / 1000000000ULL);
}

static int apic_timer_mode(const ApicState *s)
{
    int mode = LVT_TIMER_MODE(s->r.lvt[LVT_TIMER]);
    return mode == 3 ? TIMER_ONESHOT : mode;
}

static int64_t apic_timer_period(const ApicState *s)
{
    return bus_ns((uint64_t)s->r.timer_initial << apic_div_shift(s));
}

/* Counts elapsed since timer_start. */
static uint64_t apic_timer_elapsed(const ApicState *s, int64_t now)
{
    return bus_cycles(now - s->r.timer_start) >> apic_div_shift(s);
}

static uint32_t apic_timer_current(const ApicState *s, int64_t now)
{
    uint64_t e;
    if (apic_timer_mode(s) == TIMER_TSC_DEADLINE || !s->r.timer_initial ||
        s->r.timer_stopped) {
        return 0;
    }
    e = apic_timer_elapsed(s, now);
    if (apic_timer_mode(s) == TIMER_PERIODIC) {
        return s->r.timer_initial - e % s->r.timer_initial;
    }
    return e >= s->r.timer_initial ? 0 : s->r.timer_initial - (uint32_t)e;
}

static uint64_t apic_read_tsc(ApicState *s)
{
    if (!s->cs) {
        return (uint64_t)apic_now();
    }
    return apic_tsc_read(s->cs);
}

static void apic_timer_expired(ApicState *s)
{
    apic_local_deliver(s, LVT_TIMER);
}

static void apic_timer_arm(ApicState *s, int64_t now)
{
    if (apic_timer_mode(s) == TIMER_TSC_DEADLINE) {
        uint64_t tsc, delta;
        if (!s->r.tsc_deadline) {
            timer_del(s->timer);
            return;
        }
        tsc = apic_read_tsc(s);
        if (tsc >= s->r.tsc_deadline) {
            timer_del(s->timer);
            s->r.tsc_deadline = 0;
            apic_timer_expired(s);
            return;
        }
        delta = s->r.tsc_deadline - tsc;
        timer_mod(s->timer, now + MAX(1, (int64_t)((unsigned __int128)delta * 1000000000ULL /
                                                   apic_tsc_hz)));
        return;
    }
    if (!s->r.timer_initial || s->r.timer_stopped) {
        timer_del(s->timer);
        return;
    }
    int64_t period = apic_timer_period(s), elapsed = now - s->r.timer_start;
    if (apic_timer_mode(s) == TIMER_PERIODIC) {
        /* drop whole periods from the start so that the numbers stay small */
        if (elapsed >= period) {
            s->r.timer_start += elapsed / period * period;
            elapsed %= period;
        }
        timer_mod(s->timer, s->r.timer_start + period);
    } else if (elapsed < period) {
        timer_mod(s->timer, s->r.timer_start + period);
    } else {
        timer_del(s->timer);
    }
}

static void apic_timer_cb(void *opaque)
{
    ApicState *s = opaque;
    int64_t now = apic_now();

    if (apic_timer_mode(s) == TIMER_TSC_DEADLINE) {
        apic_timer_arm(s, now);     /* delivers once the TSC has reached the deadline */
        return;
    }
    if (!s->r.timer_initial || s->r.timer_stopped) {
        return;
    }
    apic_timer_expired(s);
    if (apic_timer_mode(s) == TIMER_PERIODIC) {
        apic_timer_arm(s, now);
    }
}

static void apic_write_tsc_deadline(ApicState *s, uint64_t val)
{
    if (apic_timer_mode(s) != TIMER_TSC_DEADLINE) {
        return;     /* ignored in the other timer modes */
    }
    s->r.tsc_deadline = val;
    apic_timer_arm(s, apic_now());
}

/* ---- registers ---- */

static int apic_lvt_index(uint32_t reg)
{
    /* no CMCI register (0x2F0): the version register's max LVT entry is 5, i.e. six LVTs
     * without CMCI (SDM vol. 3A 11.4.8), and software probes it from there */
    if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) {
        return (reg - APIC_LVT_TIMER) >> 4;
    }
    return -1;
}

static const uint32_t lvt_write_mask[LVT_NB] = {
    [LVT_TIMER] = 0x000700FF,
    [LVT_THERMAL] = 0x000107FF,
    [LVT_PERF] = 0x000107FF,
    [LVT_LINT0] = 0x0001A7FF,
    [LVT_LINT1] = 0x0001A7FF,
    [LVT_ERROR] = 0x000100FF,
    [LVT_CMCI] = 0x000107FF,
};

static uint32_t apic_reg_read(ApicState *s, uint32_t reg, bool *valid)
{
    int idx;

    *valid = true;
    switch (reg) {
    case APIC_ID:
        return apic_x2(s) ? s->r.id : s->r.id << 24;
    case APIC_LVR:
        return APIC_VERSION;
    case APIC_TPR:
        return s->r.tpr;
    case APIC_APR:
        return apic_apr(s);
    case APIC_PPR:
        return apic_ppr(s);
    case APIC_EOI:
    case APIC_RRD:
        return 0;
    case APIC_LDR:
        return s->r.ldr;
    case APIC_DFR:
        return s->r.dfr;
    case APIC_SVR:
        return s->r.svr;
    case APIC_ISR ... APIC_ISR + 0x70:
        return s->r.isr[(reg - APIC_ISR) >> 4];
    case APIC_TMR ... APIC_TMR + 0x70:
        return s->r.tmr[(reg - APIC_TMR) >> 4];
    case APIC_IRR ... APIC_IRR + 0x70:
        return s->r.irr[(reg - APIC_IRR) >> 4];
    case APIC_ESR:
        return s->r.esr;
    case APIC_ICR_LO:
        return s->r.icr_lo;
    case APIC_ICR_HI:
        return s->r.icr_hi;
    case APIC_TMICT:
        return s->r.timer_initial;
    case APIC_TMCCT:
        return apic_timer_current(s, apic_now());
    case APIC_TDCR:
        return s->r.timer_dcr;
    default:
        idx = apic_lvt_index(reg);
        if (idx >= 0) {
            return s->r.lvt[idx];
        }
        *valid = false;
        return 0;
    }
}

static void apic_write_svr(ApicState *s, uint32_t val)
{
    s->r.svr = val & 0x3FF;
    if (!apic_sw_enabled(s)) {
        for (int i = 0; i < LVT_NB; i++) {
            s->r.lvt[i] |= LVT_MASKED;
        }
    }
    apic_update(s);
}

/*
 * The LVT timer's mode changes to that of lvt. Entering or leaving TSC-deadline mode
 * disarms the timer (SDM vol. 3A 11.5.4.1). Between one-shot and periodic the count goes
 * on from its current value, as hardware and KVM do; a one-shot count that already ran
 * out stays at 0 in periodic mode until TMICT is written again.
 */
static void apic_timer_mode_change(ApicState *s, uint32_t lvt)
{
    int64_t now = apic_now();
    int old_mode = apic_timer_mode(s);
    int new_mode = LVT_TIMER_MODE(lvt) == 3 ? TIMER_ONESHOT : (int)LVT_TIMER_MODE(lvt);

    if ((old_mode == TIMER_TSC_DEADLINE) != (new_mode == TIMER_TSC_DEADLINE)) {
        s->r.timer_initial = 0;
        s->r.tsc_deadline = 0;
        s->r.timer_stopped = false;
        timer_del(s->timer);
        return;
    }
    if (old_mode == new_mode || !s->r.timer_initial || s->r.timer_stopped) {
        return;
    }
    uint32_t cur = apic_timer_current(s, now);
    if (!cur) {
        s->r.timer_stopped = true;
        timer_del(s->timer);
        return;
    }
    /* restart the count at cur under the new mode: cur counts remain until 0 */
    s->r.timer_start = now - bus_ns((uint64_t)(s->r.timer_initial - cur) << apic_div_shift(s));
    s->r.lvt[LVT_TIMER] = lvt;
    apic_timer_arm(s, now);
}

static void apic_write_lvt(ApicState *s, int idx, uint32_t val)
{
    uint32_t old = s->r.lvt[idx];
    uint32_t v = (val & lvt_write_mask[idx]) | (old & LVT_REMOTE_IRR);

    if (!apic_sw_enabled(s)) {
        v |= LVT_MASKED;
    }
    if (idx == LVT_TIMER && LVT_TIMER_MODE(old) != LVT_TIMER_MODE(v)) {
        apic_timer_mode_change(s, v);
    }
    s->r.lvt[idx] = v;
    if (idx == LVT_LINT0 || idx == LVT_LINT1) {
        apic_update(s);
    }
}

static void apic_write_tdcr(ApicState *s, uint32_t val)
{
    int64_t now = apic_now();
    uint32_t remaining = apic_timer_current(s, now);

    s->r.timer_dcr = val & 0xB;
    if (s->r.timer_initial && apic_timer_mode(s) != TIMER_TSC_DEADLINE && remaining) {
        /* keep the current count; it goes on at the new rate */
        uint32_t done = s->r.timer_initial - remaining;
        s->r.timer_start = now - bus_ns((uint64_t)done << apic_div_shift(s));
        apic_timer_arm(s, now);
    }
}

static void apic_reg_write(ApicState *s, uint32_t reg, uint32_t val, bool *valid)
{
    int idx;

    *valid = true;
    switch (reg) {
    case APIC_ID:
        if (!apic_x2(s)) {
            s->r.id = val >> 24;
        }
        break;
    case APIC_TPR:
        s->r.tpr = val & 0xFF;
        apic_update(s);
        break;
    case APIC_EOI:
        apic_eoi(s);
        break;
    case APIC_LDR:
        if (!apic_x2(s)) {
            s->r.ldr = val & 0xFF000000;
        }
        break;
    case APIC_DFR:
        if (!apic_x2(s)) {
            s->r.dfr = val | 0x0FFFFFFF;
        }
        break;
    case APIC_SVR:
        apic_write_svr(s, val);
        break;
    case APIC_ESR:
        s->r.esr = s->r.esr_pending;
        s->r.esr_pending = 0;
        break;
    case APIC_ICR_LO:
        s->r.icr_lo = val & ICR_LO_MASK;
        apic_send_ipi(s);
        break;
    case APIC_ICR_HI:
        s->r.icr_hi = val & 0xFF000000;
        break;
    case APIC_TMICT:
        if (apic_timer_mode(s) != TIMER_TSC_DEADLINE) {
            int64_t now = apic_now();
            s->r.timer_initial = val;
            s->r.timer_start = now;
            s->r.timer_stopped = false;
            apic_timer_arm(s, now);
        }
        break;
    case APIC_TDCR:
        apic_write_tdcr(s, val);
        break;
    case APIC_LVR:
    case APIC_APR:
    case APIC_PPR:
    case APIC_RRD:
    case APIC_TMCCT:
    case APIC_ISR ... APIC_IRR + 0x70:
        break;      /* read-only */
    default:
        idx = apic_lvt_index(reg);
        if (idx >= 0) {
            apic_write_lvt(s, idx, val);
        } else {
            *valid = false;
        }
        break;
    }
}

/* ---- xAPIC MMIO (one window per machine, routed to the accessing CPU's APIC) ---- */

static ApicState *apic_mmio_target(ApicBus *bus)
{
    CPUState *cs = current_cpu;
    if (cs) {
        if (cs->index >= 0 && cs->index < MACHINE_MAX_CPUS && bus->apic[cs->index] &&
            bus->apic[cs->index]->cs == cs) {
            return bus->apic[cs->index];
        }
        for (int i = 0; i < MACHINE_MAX_CPUS; i++) {
            if (bus->apic[i] && bus->apic[i]->cs == cs) {
                return bus->apic[i];
            }
        }
        return NULL;
    }
    for (int i = 0; i < MACHINE_MAX_CPUS; i++) {
        if (bus->apic[i]) {
            return bus->apic[i];
        }
    }
    return NULL;
}

/* An MSI write: not a register access of the CPU's APIC (see apic.h for the split). */
static bool apic_is_msi(hwaddr addr)
{
    return addr >= APIC_REG_PAGE_SIZE || addr < 0x10;
}

static void apic_msi_write(ApicBus *bus, hwaddr addr, uint32_t data)
{
    uint32_t dest = (addr >> 12) & 0xFF;
    bool logical = addr & (1u << 2);
    int vector = data & 0xFF, mode = (data >> 8) & 7;
    bool level = data & (1u << 15);

    if (log_enabled(LOG_INT)) {
        log_printf("apic: MSI to %s %u, vector 0x%02x, mode %d%s\n",
                   logical ? "logical" : "APIC ID", dest, vector, mode, level ? ", level" : "");
    }
    apic_bus_deliver(bus, dest, logical, false, mode, vector, level);
}

static uint64_t apic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    ApicState *s;
    bool valid;
    uint32_t v;

    if (apic_is_msi(addr)) {
        return 0;
    }
    s = apic_mmio_target(opaque);
    if (!s || !apic_hw_enabled(s) || apic_x2(s)) {
        return 0xFFFFFFFF;
    }
    s->parent.stat_reads++;
    if (addr & 0xF) {
        return 0;           /* the upper 12 bytes of each 16-byte slot */
    }
    v = apic_reg_read(s, addr & 0xFF0, &valid);
    if (!valid || addr == APIC_SELF_IPI) {
        apic_error(s, ESR_ILLEGAL_REGISTER);
        return 0;
    }
    return v;
}

static void apic_mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    ApicState *s;
    bool valid;

    if (apic_is_msi(addr)) {
        apic_msi_write(opaque, addr, (uint32_t)val);
        return;
    }
    s = apic_mmio_target(opaque);
    if (!s || !apic_hw_enabled(s) || apic_x2(s)) {
        return;
    }
    s->parent.stat_writes++;
    if (addr & 0xF) {
        return;
    }
    if (addr == APIC_SELF_IPI) {
        valid = false;
    } else {
        apic_reg_write(s, addr & 0xFF0, val, &valid);
    }
    if (!valid) {
        apic_error(s, ESR_ILLEGAL_REGISTER);
    }
}

static const MemRegionOps apic_mmio_ops = {
    .read = apic_mmio_read, .write = apic_mmio_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 4, .impl_max = 4,
};

/* ---- x2APIC MSRs and the CPU hooks ---- */

static uint64_t apic_msr_read(ApicState *s, uint32_t msr, bool *ok)
{
    uint32_t reg = (msr - MSR_X2APIC_BASE) << 4;

    *ok = true;
    if (msr == MSR_TSC_DEADLINE) {
        return apic_timer_mode(s) == TIMER_TSC_DEADLINE ? s->r.tsc_deadline : 0;
    }
    if (!apic_x2(s) || msr < MSR_X2APIC_BASE || msr > MSR_X2APIC_LAST) {
        *ok = false;
        return 0;
    }
    switch (reg) {
    case APIC_ICR_LO:
        return ((uint64_t)s->r.icr_hi << 32) | s->r.icr_lo;
    case APIC_ICR_HI:
    case APIC_DFR:
    case APIC_APR:
    case APIC_RRD:
    case APIC_EOI:
    case APIC_SELF_IPI:
        *ok = false;        /* not present or write-only in x2APIC mode */
        return 0;
    default:
        return apic_reg_read(s, reg, ok);
    }
}

static void apic_msr_write(ApicState *s, uint32_t msr, uint64_t val, bool *ok)
{
    uint32_t reg = (msr - MSR_X2APIC_BASE) << 4;

    *ok = true;
    if (msr == MSR_TSC_DEADLINE) {
        apic_write_tsc_deadline(s, val);
        return;
    }
    if (!apic_x2(s) || msr < MSR_X2APIC_BASE || msr > MSR_X2APIC_LAST) {
        *ok = false;
        return;
    }
    if (reg != APIC_ICR_LO && (val >> 32)) {
        *ok = false;
        return;
    }
    switch (reg) {
    case APIC_ICR_LO:
        s->r.icr_hi = val >> 32;
        s->r.icr_lo = val & ICR_LO_MASK;
        apic_send_ipi(s);
        break;
    case APIC_SELF_IPI:
        if (val & ~0xFFull) {
            *ok = false;        /* bits 31:8 are reserved (SDM vol. 3A 11.12.11) */
            return;
        }
        apic_accept_fixed(s, val & 0xFF, false);
        break;
    case APIC_EOI:
    case APIC_ESR:
        if (val) {
            *ok = false;
            return;
        }
        apic_reg_write(s, reg, 0, ok);
        break;
    case APIC_ID:
    case APIC_LVR:
    case APIC_PPR:
    case APIC_LDR:
    case APIC_TMCCT:
    case APIC_ICR_HI:
    case APIC_DFR:
    case APIC_APR:
    case APIC_RRD:
    case APIC_ISR ... APIC_IRR + 0x70:
        *ok = false;        /* read-only or not present */
        break;
    default:
        apic_reg_write(s, reg, val, ok);
        break;
    }
}

static void apic_set_base(ApicState *s, uint64_t val)
{
    uint64_t old = s->r.apicbase;
    bool old_en = old & APIC_BASE_ENABLE, old_x2 = old & APIC_BASE_EXTD;
    bool en = val & APIC_BASE_ENABLE, x2 = val & APIC_BASE_EXTD;
    ApicBus *bus = s->bus;

    val = (val & (APIC_BASE_ADDR_MASK | APIC_BASE_ENABLE | APIC_BASE_EXTD)) |
          (old & APIC_BASE_BSP);
    if ((x2 && !en) || (old_x2 && en && !x2) || (!old_en && x2)) {
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("apic%d: invalid IA32_APIC_BASE transition %#" PRIx64 " -> %#" PRIx64
                       "\n", s->index, old, val);
        }
        val = old;
    }
    s->r.apicbase = val;
    if (!en && old_en) {
        /* a disabled APIC loses its state, its ID too: enabled again it has the initial
         * APIC ID, unlike after INIT (SDM vol. 3A 11.4.3, 11.12.5.1) */
        apic_reset_state(s, false);
        s->r.id = s->index;
    } else if (x2 && !old_x2) {
        s->r.id = s->index;
        s->r.ldr = x2apic_ldr(s->r.id);
    }
    if ((val & APIC_BASE_ADDR_MASK) != (old & APIC_BASE_ADDR_MASK) && bus->mmio.parent) {
        mr_set_address(&bus->mmio, val & APIC_BASE_ADDR_MASK);
    }
    if (s->cs) {
        x86_cpu(s->cs)->apic_base = s->r.apicbase;
    }
    apic_update(s);
}

static ApicState *apic_find(CPUState *cs)
{
    if (!cs) {
        return NULL;
    }
    for (ApicBus *b = apic_buses; b; b = b->next) {
        if (b->m == cs->machine && cs->index >= 0 && cs->index < MACHINE_MAX_CPUS &&
            b->apic[cs->index] && b->apic[cs->index]->cs == cs) {
            return b->apic[cs->index];
        }
    }
    for (ApicBus *b = apic_buses; b; b = b->next) {
        for (int i = 0; i < MACHINE_MAX_CPUS; i++) {
            if (b->apic[i] && b->apic[i]->cs == cs) {
                return b->apic[i];
            }
        }
    }
    return NULL;
}

/* The hooks run on vCPU threads: they take the big lock unless the caller holds it. */
static bool hook_lock(void)
{
    if (bql_locked()) {
        return false;
    }
    bql_lock();
    return true;
}

static void hook_unlock(bool taken)
{
    if (taken) {
        bql_unlock();
    }
}

static uint64_t hook_msr_read(void *opaque, CPUState *cs, uint32_t msr, bool *ok)
{
    bool taken = hook_lock();
    ApicState *s = apic_find(cs);
    uint64_t v = 0;
    if (s) {
        v = apic_msr_read(s, msr, ok);
    } else {
        *ok = false;
    }
    hook_unlock(taken);
    return v;
}

static void hook_msr_write(void *opaque, CPUState *cs, uint32_t msr, uint64_t v, bool *ok)
{
    bool taken = hook_lock();
    ApicState *s = apic_find(cs);
    if (s) {
        apic_msr_write(s, msr, v, ok);
    } else {
        *ok = false;
    }
    hook_unlock(taken);
}

static void hook_set_base(void *opaque, CPUState *cs, uint64_t base)
{
    bool taken = hook_lock();
    ApicState *s = apic_find(cs);
    if (s) {
        apic_set_base(s, base);
    }
    hook_unlock(taken);
}

static void hook_set_tpr(void *opaque, CPUState *cs, uint8_t cr8)
{
    bool taken = hook_lock();
    ApicState *s = apic_find(cs);
    if (s) {
        s->r.tpr = (cr8 & 0xF) << 4;
        apic_update(s);
    }
    hook_unlock(taken);
}

static uint8_t hook_get_tpr(void *opaque, CPUState *cs)
{
    bool taken = hook_lock();
    ApicState *s = apic_find(cs);
    uint8_t v = s ? s->r.tpr >> 4 : 0;
    hook_unlock(taken);
    return v;
}

static bool hook_send_ipi(void *opaque, CPUState *cs, uint32_t dest, uint32_t icr_lo)
{
    bool taken = hook_lock(), sent = false;
    ApicState *s = apic_find(cs);

    for (int i = 0; s && i < MACHINE_MAX_CPUS && !sent; i++) {
        ApicState *d = s->bus->apic[i];
        if (d && apic_hw_enabled(d) && d->r.id == dest) {
            apic_accept_message(d, (icr_lo >> 8) & 7, icr_lo & 0xFF, false);
            sent = true;
        }
    }
    hook_unlock(taken);
    return sent;
}

void apic_install_cpu_hooks(void)
{
    x86_apic_hooks.opaque = NULL;
    x86_apic_hooks.msr_read = hook_msr_read;
    x86_apic_hooks.msr_write = hook_msr_write;
    x86_apic_hooks.set_base = hook_set_base;
    x86_apic_hooks.set_tpr = hook_set_tpr;
    x86_apic_hooks.get_tpr = hook_get_tpr;
    x86_apic_hooks.send_ipi = hook_send_ipi;
}

/* ---- public API ---- */

int apic_get_interrupt(Device *dev)
{
    ApicState *s = apic_of(dev);
    int v;

    if (!apic_hw_enabled(s)) {
        return -1;
    }
    v = apic_pending_vector(s);
    if (v < 0) {
        apic_update(s);
        return s->r.svr & 0xFF;
    }
    vec_clear(s->r.irr, v);
    vec_set(s->r.isr, v);
    apic_update(s);
    return v;
}

bool apic_has_interrupt(Device *dev)
{
    return apic_pending_vector(apic_of(dev)) >= 0;
}

void apic_set_irq(Device *dev, int vector, int level_trig)
{
    ApicState *s = apic_of(dev);
    if (apic_hw_enabled(s)) {
        apic_accept_fixed(s, vector & 0xFF, level_trig);
    }
}

bool apic_accept_pic_intr(Device *dev)
{
    return apic_pic_passthrough(apic_of(dev));
}

void apic_update_irq(Device *dev)
{
    apic_update(apic_of(dev));
}

void apic_set_lint(Device *dev, int n, int level)
{
    assert(n == 0 || n == 1);
    apic_lint(apic_of(dev), n, level);
}

static void apic_lint_handler(void *opaque, int n, int level)
{
    apic_lint(apic_of(opaque), n, level);
}

static ApicBus *apic_bus_find(Machine *m)
{
    for (ApicBus *b = apic_buses; b; b = b->next) {
        if (b->m == m) {
            return b;
        }
    }
    return NULL;
}

void apic_deliver(Machine *m, uint32_t dest, bool logical, int delivery_mode, int vector,
                  bool level_trig)
{
    ApicBus *bus = apic_bus_find(m);
    if (bus) {
        apic_bus_deliver(bus, dest, logical, dest > 0xFF, delivery_mode, vector, level_trig);
    }
}

void apic_set_eoi_notifier(Machine *m, ApicEoiFunc *fn, void *opaque)
{
    ApicBus *bus = apic_bus_find(m);
    if (bus) {
        bus->eoi_fn = fn;
        bus->eoi_opaque = opaque;
    }
}

void apic_set_tsc_source(uint64_t (*read)(CPUState *cs), uint64_t hz)
{
    if (read) {
        apic_tsc_read = read;
    }
    if (hz) {
        apic_tsc_hz = hz;
    }
}

void apic_attach_cpu(Device *dev, CPUState *cs)
{
    ApicState *s = apic_of(dev);
    s->cs = cs;
    if (cs) {
        x86_cpu(cs)->apic_base = s->r.apicbase;
        apic_update(s);
    }
}

Device *apic_of_cpu(CPUState *cs)
{
    ApicState *s = apic_find(cs);
    return s ? &s->parent : NULL;
}

MemRegion *apic_mmio_region(Machine *m)
{
    ApicBus *bus = apic_bus_find(m);
    return bus ? &bus->mmio : NULL;
}

/* ---- state hand-over ---- */

_Static_assert(APIC_STATE_LVTS == LVT_NB, "ApicCpuState.lvt has every LVT entry");

void apic_get_state(Device *dev, ApicCpuState *st)
{
    ApicState *s = apic_of(dev);
    int64_t now = apic_now();

    memset(st, 0, sizeof(*st));
    st->apic_base = s->r.apicbase;
    st->id = s->r.id;
    st->tpr = s->r.tpr;
    st->ldr = apic_x2(s) ? x2apic_ldr(s->r.id) : s->r.ldr;
    st->dfr = s->r.dfr;
    st->svr = s->r.svr;
    st->esr = s->r.esr;
    memcpy(st->isr, s->r.isr, sizeof(st->isr));
    memcpy(st->tmr, s->r.tmr, sizeof(st->tmr));
    memcpy(st->irr, s->r.irr, sizeof(st->irr));
    memcpy(st->lvt, s->r.lvt, sizeof(st->lvt));
    st->icr_lo = s->r.icr_lo;
    st->icr_hi = s->r.icr_hi;
    st->timer_initial = s->r.timer_initial;
    st->timer_current = apic_timer_current(s, now);
    st->timer_dcr = s->r.timer_dcr;
    st->tsc_deadline = s->r.tsc_deadline;
}

void apic_set_state(Device *dev, const ApicCpuState *st)
{
    ApicState *s = apic_of(dev);
    ApicBus *bus = s->bus;
    uint64_t old_addr = s->r.apicbase & APIC_BASE_ADDR_MASK;
    int64_t now = apic_now();

    s->r.apicbase = (st->apic_base & (APIC_BASE_ADDR_MASK | APIC_BASE_ENABLE |
                                      APIC_BASE_EXTD)) | (s->r.apicbase & APIC_BASE_BSP);
    s->r.id = st->id;
    s->r.tpr = st->tpr & 0xFF;
    s->r.ldr = apic_x2(s) ? x2apic_ldr(st->id) : (st->ldr & 0xFF000000);
    s->r.dfr = st->dfr | 0x0FFFFFFF;
    s->r.svr = st->svr & 0x3FF;
    s->r.esr = st->esr;
    s->r.esr_pending = 0;
    memcpy(s->r.isr, st->isr, sizeof(s->r.isr));
    memcpy(s->r.tmr, st->tmr, sizeof(s->r.tmr));
    memcpy(s->r.irr, st->irr, sizeof(s->r.irr));
    for (int i = 0; i < LVT_NB; i++) {
        s->r.lvt[i] = st->lvt[i] & (lvt_write_mask[i] | LVT_REMOTE_IRR);
    }
    s->r.icr_lo = st->icr_lo;
    s->r.icr_hi = st->icr_hi;
    s->r.timer_initial = st->timer_initial;
    s->r.timer_dcr = st->timer_dcr & 0xB;
    s->r.tsc_deadline = st->tsc_deadline;
    s->r.timer_stopped = false;
    /* the count that is left: the period started (initial - current) counts ago */
    if (s->r.timer_initial) {
        uint32_t cur = st->timer_current;
        if (cur > s->r.timer_initial || (cur == 0 && apic_timer_mode(s) == TIMER_PERIODIC)) {
            cur = s->r.timer_initial;
        }
        s->r.timer_start = now - bus_ns((uint64_t)(s->r.timer_initial - cur)
                                        << apic_div_shift(s));
        if (cur == 0) {
            s->r.timer_start = now - apic_timer_period(s);
        }
    } else {
        s->r.timer_start = now;
    }
    if ((s->r.apicbase & APIC_BASE_ADDR_MASK) != old_addr && bus && bus->mmio.parent) {
        mr_set_address(&bus->mmio, s->r.apicbase & APIC_BASE_ADDR_MASK);
    }
    if (s->cs) {
        x86_cpu(s->cs)->apic_base = s->r.apicbase;
    }
    apic_timer_arm(s, now);
    apic_update(s);
}

/* ---- lifecycle ---- */

/* Power-up reset (device reset) or INIT / global disable (keeps the ID and the base). */
static void apic_reset_state(ApicState *s, bool power_up)
{
    uint64_t base = s->r.apicbase;
    uint32_t id = s->r.id;
    uint8_t lint0 = s->r.lint_level[0], lint1 = s->r.lint_level[1];

    if (power_up) {
        id = s->index;
        base = APIC_DEFAULT_BASE | APIC_BASE_ENABLE | (s->index == 0 ? APIC_BASE_BSP : 0);
    }
    memset(&s->r, 0, sizeof(s->r));
    s->r.apicbase = base;
    s->r.id = id;
    s->r.lint_level[0] = lint0;
    s->r.lint_level[1] = lint1;
    if (base & APIC_BASE_EXTD) {
        s->r.ldr = x2apic_ldr(id);
    }
    s->r.dfr = 0xFFFFFFFF;
    s->r.svr = 0xFF;
    for (int i = 0; i < LVT_NB; i++) {
        s->r.lvt[i] = LVT_MASKED;
    }
    if (power_up && (base & APIC_BASE_BSP)) {
        s->r.lvt[LVT_LINT0] = APIC_DM_EXTINT << 8;     /* virtual wire, as a BIOS leaves it */
    }
    if (s->timer) {
        timer_del(s->timer);
    }
    if (s->cs) {
        x86_cpu(s->cs)->apic_base = base;
    }
    apic_update(s);
}

static void apic_reset(Device *dev)
{
    ApicState *s = apic_of(dev);
    ApicBus *bus = s->bus;
    apic_reset_state(s, true);
    if (bus->mmio.parent && bus->mmio.addr != APIC_DEFAULT_BASE) {
        mr_set_address(&bus->mmio, APIC_DEFAULT_BASE);
    }
}

static const DeviceProp apic_props[] = {
    { "cpu", "the index of the CPU this APIC belongs to (also its APIC ID)" },
    { NULL, NULL },
};

static int apic_realize(Device *dev)
{
    ApicState *s = apic_of(dev);
    ApicBus *bus;
    uint64_t idx;

    if (device_prop_u64(dev, "cpu", 0, &idx) < 0) {
        return -EINVAL;
    }
    if (idx >= MACHINE_MAX_CPUS) {
        error_report("apic: cpu=%" PRIu64 " is out of range (at most %d CPUs)", idx,
                     MACHINE_MAX_CPUS);
        return -EINVAL;
    }
    bus = apic_bus_find(dev->machine);
    if (bus && bus->apic[idx]) {
        error_report("apic: CPU %" PRIu64 " already has an APIC", idx);
        return -EEXIST;
    }
    if (!bus) {
        bus = xzalloc(sizeof(*bus));
        bus->m = dev->machine;
        mr_init_io(&bus->mmio, "apic", &apic_mmio_ops, bus, APIC_MMIO_SIZE);
        bus->next = apic_buses;
        apic_buses = bus;
    }
    s->index = idx;
    s->bus = bus;
    bus->apic[idx] = s;
    bus->count++;
    if (!bus->mmio_registered) {
        device_add_mmio(dev, &bus->mmio);
        bus->mmio_registered = true;
    }
    device_init_irq_in(dev, apic_lint_handler, 2);
    s->timer = timer_new(CLOCK_VIRTUAL_NS, apic_timer_cb, s);
    apic_reset(dev);
    return 0;
}

static void apic_unrealize(Device *dev)
{
    ApicState *s = apic_of(dev);
    ApicBus *bus = s->bus;

    if (!bus) {
        return;
    }
    timer_free(s->timer);
    s->timer = NULL;
    bus->apic[s->index] = NULL;
    if (--bus->count == 0) {
        if (bus->mmio.parent) {
            mr_del_subregion(bus->mmio.parent, &bus->mmio);
        }
        mr_destroy(&bus->mmio);
        for (ApicBus **pp = &apic_buses; *pp; pp = &(*pp)->next) {
            if (*pp == bus) {
                *pp = bus->next;
                break;
            }
        }
        free(bus);
    }
    s->bus = NULL;
}

static size_t apic_save(Device *dev, uint8_t *buf, size_t size)
{
    ApicState *s = apic_of(dev);
    if (buf && size >= sizeof(s->r)) {
        memcpy(buf, &s->r, sizeof(s->r));
    }
    return sizeof(s->r);
}

static int apic_load(Device *dev, const uint8_t *buf, size_t size)
{
    ApicState *s = apic_of(dev);
    if (size != sizeof(s->r)) {
        return -EINVAL;
    }
    memcpy(&s->r, buf, sizeof(s->r));
    if (s->cs) {
        x86_cpu(s->cs)->apic_base = s->r.apicbase;
    }
    apic_timer_arm(s, apic_now());
    apic_update(s);
    return 0;
}

static void apic_info(Device *dev, FILE *f)
{
    ApicState *s = apic_of(dev);
    fprintf(f, "apic%d: base=%#" PRIx64 "%s id=%#x tpr=%02x ppr=%02x svr=%03x esr=%02x "
            "irr=%d isr=%d\n", s->index, s->r.apicbase, apic_x2(s) ? " x2apic" : "", s->r.id,
            s->r.tpr, apic_ppr(s), s->r.svr, s->r.esr, vec_highest(s->r.irr),
            vec_highest(s->r.isr));
    fprintf(f, "  lvt timer=%05x thermal=%05x perf=%05x lint0=%05x lint1=%05x error=%05x "
            "cmci=%05x\n", s->r.lvt[LVT_TIMER], s->r.lvt[LVT_THERMAL], s->r.lvt[LVT_PERF],
            s->r.lvt[LVT_LINT0], s->r.lvt[LVT_LINT1], s->r.lvt[LVT_ERROR], s->r.lvt[LVT_CMCI]);
    fprintf(f, "  timer initial=%u current=%u dcr=%x deadline=%" PRIu64 "\n",
            s->r.timer_initial, apic_timer_current(s, apic_now()), s->r.timer_dcr,
            s->r.tsc_deadline);
}

const DeviceClass apic_class = {
    .name = "apic",
    .desc = "local APIC (xAPIC/x2APIC), one per CPU",
    .bus = "cpu",
    .state_size = sizeof(ApicState),
    .props = apic_props,
    .realize = apic_realize,
    .reset = apic_reset,
    .unrealize = apic_unrealize,
    .save = apic_save,
    .load = apic_load,
    .info = apic_info,
};

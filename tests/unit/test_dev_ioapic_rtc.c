/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_dev_ioapic_rtc.c — the I/O APIC (hw/intc/ioapic.c) delivering into real
 * local APICs of two x86 CPUs through the system address space, and the MC146818 RTC with
 * its CMOS (hw/rtc/mc146818rtc.c) through ports 0x70/0x71.
 *
 * I/O APIC: register window, ID/version/arbitration, read-only entry bits, edge delivery in
 * physical, logical and broadcast modes, NMI, level-triggered remote IRR with re-delivery
 * after the local APIC's EOI and after the EOI register, masking (edges lost, asserted
 * levels delivered on unmask), the edge switch clearing remote IRR, save/load.
 * RTC: time against the host's gmtime in BCD and binary, setting the clock under SET,
 * 12-hour format, century, register D, register C read-to-clear, the periodic flag and the
 * periodic interrupt's rate against CLOCK_VIRTUAL, update-ended and alarm interrupts with
 * "don't care" bytes across a century rollover, UIP before the update, CMOS memory bytes of
 * the PC convention and their checksum, reset and save/load.
 * Not covered: the host clock stepping, the divider's 500 ms restart (its timing).
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "hw/rtc/mc146818rtc.h"
#include "cpu/x86/cpu.h"
#include "system/main-loop.h"
#include <check.h>
#include <time.h>
#include <unistd.h>

#define IOAPIC IOAPIC_DEFAULT_BASE
#define LAPIC APIC_DEFAULT_BASE

static Machine m;
static CPUState *cpu[2];
static Device *apic[2], *ioapic, *rtc;

/* ---------------------------------------------------------------------------------------
 * Fixtures
 */

static void machine_init_bare(void)
{
    memset(&m, 0, sizeof(m));
    mr_init_container(&m.sysmem, "sysmem", 1ULL << 40);
    mr_init_container(&m.io, "io", 0x10000);
    as_init(&m.sysmem_as, &m.sysmem, "memory");
    as_init(&m.io_as, &m.io, "io");
}

static void machine_fini(void)
{
    clock_virtual_pause(false);
    current_cpu = NULL;
    while (m.devices) {
        device_destroy(m.devices);
    }
    for (int i = 0; i < m.ncpus; i++) {
        free(cpu_arch_state(m.cpus[i]));
    }
    as_destroy(&m.sysmem_as);
    as_destroy(&m.io_as);
    mr_destroy(&m.sysmem);
    mr_destroy(&m.io);
}

static void ioapic_setup(void)
{
    machine_init_bare();
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
    mr_add_subregion(&m.sysmem, LAPIC, apic_mmio_region(&m), 10);
    ioapic = device_create_class(&m, &ioapic_class, "ioapic", "id=2");
    ck_assert_ptr_nonnull(ioapic);
    mr_add_subregion(&m.sysmem, IOAPIC, device_mmio(ioapic, 0), 0);
    current_cpu = cpu[0];
}

/* ---------------------------------------------------------------------------------------
 * I/O APIC helpers
 */

static uint32_t mmio_rd(hwaddr addr)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m.sysmem_as, addr, 4, &v), MEMTX_OK);
    return (uint32_t)v;
}

static void mmio_wr(hwaddr addr, uint32_t v)
{
    ck_assert_int_eq(as_st(&m.sysmem_as, addr, 4, v), MEMTX_OK);
}

static uint32_t io_rd(uint32_t reg)
{
    mmio_wr(IOAPIC + 0x00, reg);
    return mmio_rd(IOAPIC + 0x10);
}

static void io_wr(uint32_t reg, uint32_t v)
{
    mmio_wr(IOAPIC + 0x00, reg);
    mmio_wr(IOAPIC + 0x10, v);
}

static void set_entry(int pin, uint32_t lo, uint8_t dest)
{
    io_wr(0x10 + 2 * pin + 1, (uint32_t)dest << 24);
    io_wr(0x10 + 2 * pin, lo);
}

static uint32_t entry_lo(int pin)
{
    return io_rd(0x10 + 2 * pin);
}

static void pin_set(int pin, int level)
{
    irq_set(device_irq_in(ioapic, pin), level);
}

static uint32_t lapic_rd(int c, uint32_t reg)
{
    current_cpu = cpu[c];
    return mmio_rd(LAPIC + reg);
}

static void lapic_wr(int c, uint32_t reg, uint32_t v)
{
    current_cpu = cpu[c];
    mmio_wr(LAPIC + reg, v);
}

static bool irr_test(int c, int v)
{
    return lapic_rd(c, 0x200 + (v / 32) * 0x10) & (1u << (v % 32));
}

static bool tmr_test(int c, int v)
{
    return lapic_rd(c, 0x180 + (v / 32) * 0x10) & (1u << (v % 32));
}

static void lapic_enable(int c)
{
    lapic_wr(c, 0x0F0, 0x1FF);
}

static void lapic_eoi(int c)
{
    lapic_wr(c, 0x0B0, 0);
}

/* Accept the pending vector on CPU c and EOI it; returns the vector. */
static int ack_eoi(int c)
{
    int v = apic_get_interrupt(apic[c]);
    lapic_eoi(c);
    return v;
}

#define LVL    (1u << 15)
#define MASKED (1u << 16)
#define RIRR   (1u << 14)
#define LOGIC  (1u << 11)

/* ---------------------------------------------------------------------------------------
 * I/O APIC tests
 */

START_TEST(test_ioapic_registers)
{
    uint64_t v;

    ck_assert_uint_eq(io_rd(0x00), 0x02000000);
    ck_assert_uint_eq(io_rd(0x01), 0x00170020);
    ck_assert_uint_eq(io_rd(0x02), 0x02000000);
    io_wr(0x00, 0xFA000000);
    ck_assert_uint_eq(io_rd(0x00), 0x0A000000);       /* a 4-bit ID in bits 27:24 */
    ck_assert_uint_eq(io_rd(0x02), 0x0A000000);       /* arbitration ID follows */
    io_wr(0x01, 0);
    io_wr(0x02, 0);
    ck_assert_uint_eq(io_rd(0x01), 0x00170020);       /* read-only */
    ck_assert_uint_eq(io_rd(0x02), 0x0A000000);
    /* IOREGSEL reads back; byte access works */
    mmio_wr(IOAPIC, 0x13);
    ck_assert_uint_eq(mmio_rd(IOAPIC), 0x13);
    ck_assert_int_eq(as_st(&m.sysmem_as, IOAPIC, 1, 0x01), MEMTX_OK);
    ck_assert_int_eq(as_ld(&m.sysmem_as, IOAPIC + 0x12, 1, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x17);
    /* every entry is masked after reset */
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        ck_assert_uint_eq(entry_lo(pin), MASKED);
        ck_assert_uint_eq(io_rd(0x11 + 2 * pin), 0);
    }
    /* delivery status and remote IRR are read-only; only the destination of the upper dword */
    io_wr(0x10, 0xFFFFFFFF);
    ck_assert_uint_eq(entry_lo(0), 0x0001AFFF);
    io_wr(0x11, 0xFFFFFFFF);
    ck_assert_uint_eq(io_rd(0x11), 0xFF000000);
    ck_assert_uint_eq(ioapic_get_redirection(ioapic, 0), 0xFF0000000001AFFFull);
    ck_assert_uint_eq(io_rd(0x40), 0);                /* beyond the table */
    /* reset */
    device_reset(ioapic);
    ck_assert_uint_eq(io_rd(0x00), 0x02000000);
    ck_assert_uint_eq(entry_lo(0), MASKED);
    /* properties */
    ck_assert_ptr_null(device_create_class(&m, &ioapic_class, "bad", "id=16"));
    ck_assert_ptr_null(device_create_class(&m, &ioapic_class, "bad", "id=x"));
}
END_TEST

START_TEST(test_ioapic_edge_delivery)
{
    lapic_enable(0);
    lapic_enable(1);

    /* fixed, physical destination 1 */
    set_entry(4, 0x41, 1);
    pin_set(4, 1);
    ck_assert(irr_test(1, 0x41));
    ck_assert(!irr_test(0, 0x41));
    ck_assert(!tmr_test(1, 0x41));
    ck_assert_int_eq(ack_eoi(1), 0x41);
    pin_set(4, 1);                      /* still high: no new edge */
    ck_assert(!irr_test(1, 0x41));
    pin_set(4, 0);
    ck_assert(!irr_test(1, 0x41));
    pin_set(4, 1);
    ck_assert(irr_test(1, 0x41));
    ck_assert_int_eq(ack_eoi(1), 0x41);
    pin_set(4, 0);

    /* logical, flat model: CPU 0 has logical ID bit 0 */
    lapic_wr(0, 0x0D0, 0x01000000);
    lapic_wr(1, 0x0D0, 0x02000000);
    set_entry(5, LOGIC | 0x42, 0x01);
    pin_set(5, 1);
    ck_assert(irr_test(0, 0x42));
    ck_assert(!irr_test(1, 0x42));
    ck_assert_int_eq(ack_eoi(0), 0x42);
    pin_set(5, 0);
    set_entry(5, LOGIC | 0x43, 0x03);   /* both */
    pin_set(5, 1);
    ck_assert(irr_test(0, 0x43));
    ck_assert(irr_test(1, 0x43));
    ck_assert_int_eq(ack_eoi(0), 0x43);
    ck_assert_int_eq(ack_eoi(1), 0x43);
    pin_set(5, 0);

    /* physical broadcast */
    set_entry(6, 0x44, 0xFF);
    pin_set(6, 1);
    ck_assert(irr_test(0, 0x44));
    ck_assert(irr_test(1, 0x44));
    ck_assert_int_eq(ack_eoi(0), 0x44);
    ck_assert_int_eq(ack_eoi(1), 0x44);
    pin_set(6, 0);

    /* lowest priority to a set of two: exactly one gets it */
    set_entry(7, (1u << 8) | LOGIC | 0x45, 0x03);
    pin_set(7, 1);
    ck_assert_int_eq(irr_test(0, 0x45) + irr_test(1, 0x45), 1);
    pin_set(7, 0);

    /* NMI (the trigger bit is ignored: NMI is edge) */
    set_entry(8, (4u << 8) | LVL, 1);
    pin_set(8, 1);
    ck_assert(cpu[1]->interrupt_request & CPU_INTERRUPT_NMI);
    ck_assert_uint_eq(entry_lo(8) & RIRR, 0);
    pin_set(8, 0);
}
END_TEST

START_TEST(test_ioapic_level_eoi)
{
    lapic_enable(0);
    set_entry(9, LVL | 0x50, 0);
    pin_set(9, 1);
    ck_assert(irr_test(0, 0x50));
    ck_assert(tmr_test(0, 0x50));
    ck_assert_uint_eq(entry_lo(9) & RIRR, RIRR);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x50);
    ck_assert(!irr_test(0, 0x50));
    pin_set(9, 1);                      /* re-asserting while remote IRR is set: nothing */
    ck_assert(!irr_test(0, 0x50));

    /* EOI while the line is still asserted: delivered again */
    lapic_eoi(0);
    ck_assert(irr_test(0, 0x50));
    ck_assert_uint_eq(entry_lo(9) & RIRR, RIRR);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x50);

    /* the device lowers its line before the EOI: no re-delivery, remote IRR clears */
    pin_set(9, 0);
    lapic_eoi(0);
    ck_assert(!irr_test(0, 0x50));
    ck_assert_uint_eq(entry_lo(9) & RIRR, 0);

    /* the EOI register (version 0x20) clears remote IRR by vector */
    pin_set(9, 1);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x50);
    mmio_wr(IOAPIC + 0x40, 0x51);       /* another vector: no effect */
    ck_assert_uint_eq(entry_lo(9) & RIRR, RIRR);
    ck_assert(!irr_test(0, 0x50));
    mmio_wr(IOAPIC + 0x40, 0x50);
    ck_assert(irr_test(0, 0x50));       /* still asserted: delivered again */
    ck_assert_uint_eq(entry_lo(9) & RIRR, RIRR);

    /* switching the entry to edge clears a stuck remote IRR */
    set_entry(9, 0x50, 0);
    ck_assert_uint_eq(entry_lo(9) & RIRR, 0);
    pin_set(9, 0);
}
END_TEST

START_TEST(test_ioapic_masking)
{
    lapic_enable(0);

    /* an edge on a masked pin is lost */
    set_entry(3, MASKED | 0x60, 0);
    pin_set(3, 1);
    ck_assert(!irr_test(0, 0x60));
    set_entry(3, 0x60, 0);
    ck_assert(!irr_test(0, 0x60));
    pin_set(3, 0);
    pin_set(3, 1);
    ck_assert(irr_test(0, 0x60));
    ck_assert_int_eq(ack_eoi(0), 0x60);
    pin_set(3, 0);

    /* an asserted level pin is delivered when unmasked */
    set_entry(10, MASKED | LVL | 0x61, 0);
    pin_set(10, 1);
    ck_assert(!irr_test(0, 0x61));
    ck_assert_uint_eq(entry_lo(10) & RIRR, 0);
    set_entry(10, LVL | 0x61, 0);
    ck_assert(irr_test(0, 0x61));
    ck_assert_uint_eq(entry_lo(10) & RIRR, RIRR);
    /* masked while in service: the EOI clears remote IRR but nothing is delivered */
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x61);
    set_entry(10, MASKED | LVL | 0x61, 0);
    lapic_eoi(0);
    ck_assert_uint_eq(entry_lo(10) & RIRR, 0);
    ck_assert(!irr_test(0, 0x61));
    set_entry(10, LVL | 0x61, 0);       /* unmasked again, still asserted */
    ck_assert(irr_test(0, 0x61));
    pin_set(10, 0);
}
END_TEST

START_TEST(test_ioapic_save_load)
{
    uint8_t buf[512];
    size_t n;

    lapic_enable(0);
    set_entry(11, LVL | 0x70, 0);
    pin_set(11, 1);
    n = ioapic->cls->save(ioapic, buf, sizeof(buf));
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(n, sizeof(buf));
    set_entry(11, MASKED, 0);
    ck_assert_int_eq(ioapic->cls->load(ioapic, buf, n), 0);
    ck_assert_uint_eq(entry_lo(11), LVL | RIRR | 0x70);
    ck_assert_int_eq(ioapic->cls->load(ioapic, buf, n - 1), -EINVAL);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x70);
    lapic_eoi(0);                       /* the EOI notifier still reaches the I/O APIC */
    ck_assert(irr_test(0, 0x70));
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * RTC helpers
 */

static int rtc_irq_level, rtc_irq_rises;

static void rtc_irq(void *opaque, int n, int level)
{
    if (level && !rtc_irq_level) {
        rtc_irq_rises++;
    }
    rtc_irq_level = level;
}

static const IrqLine rtc_line = { rtc_irq, NULL, 0 };

static void rtc_setup(void)
{
    machine_init_bare();
    rtc = device_create_class(&m, &mc146818rtc_class, "rtc", NULL);
    ck_assert_ptr_nonnull(rtc);
    rtc_irq_level = 0;
    rtc_irq_rises = 0;
    irq_connect(device_irq_out(rtc, 0), &rtc_line);
}

static uint8_t cmos_rd(uint8_t idx)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_st(&m.io_as, 0x70, 1, idx), MEMTX_OK);
    ck_assert_int_eq(as_ld(&m.io_as, 0x71, 1, &v), MEMTX_OK);
    return (uint8_t)v;
}

static void cmos_wr(uint8_t idx, uint8_t val)
{
    ck_assert_int_eq(as_st(&m.io_as, 0x70, 1, idx), MEMTX_OK);
    ck_assert_int_eq(as_st(&m.io_as, 0x71, 1, val), MEMTX_OK);
}

static int bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 15);
}

/* Read the clock as Linux does: wait for UIP to clear, read, and retry if the second moved. */
static time_t rtc_read_time(bool binary, struct tm *out)
{
    struct tm tm;
    uint8_t sec;
    int (*dec)(uint8_t) = binary ? NULL : bcd;

    do {
        while (cmos_rd(0x0A) & 0x80) {
            /* spin: UIP lasts 244 us */
        }
        memset(&tm, 0, sizeof(tm));
        sec = cmos_rd(0x00);
        tm.tm_sec = dec ? dec(sec) : sec;
        tm.tm_min = dec ? dec(cmos_rd(0x02)) : cmos_rd(0x02);
        tm.tm_hour = dec ? dec(cmos_rd(0x04)) : cmos_rd(0x04);
        tm.tm_mday = dec ? dec(cmos_rd(0x07)) : cmos_rd(0x07);
        tm.tm_mon = (dec ? dec(cmos_rd(0x08)) : cmos_rd(0x08)) - 1;
        tm.tm_year = (dec ? dec(cmos_rd(0x09)) : cmos_rd(0x09)) +
                     100 * (dec ? dec(cmos_rd(0x32)) : cmos_rd(0x32)) - 1900;
        tm.tm_wday = (dec ? dec(cmos_rd(0x06)) : cmos_rd(0x06)) - 1;
    } while (cmos_rd(0x00) != sec);
    if (out) {
        *out = tm;
    }
    return timegm(&tm);
}

/* Poll the main loop until the RTC's IRQ is high (false after `ms` of host time). */
static bool wait_rtc_irq(int ms)
{
    int64_t end = clock_get_ns(CLOCK_REALTIME_NS) + (int64_t)ms * 1000000;
    while (!rtc_irq_level) {
        if (clock_get_ns(CLOCK_REALTIME_NS) > end) {
            return false;
        }
        main_loop_poll_once(true);
    }
    return true;
}

/* ---------------------------------------------------------------------------------------
 * RTC tests
 */

START_TEST(test_rtc_host_time)
{
    struct tm tm, host;
    time_t t, now;

    ck_assert_uint_eq(cmos_rd(0x0A) & 0x7F, 0x26);
    ck_assert_uint_eq(cmos_rd(0x0B), 0x02);
    ck_assert_uint_eq(cmos_rd(0x0D), 0x80);

    /* BCD, 24-hour */
    t = rtc_read_time(false, &tm);
    now = time(NULL);
    ck_assert_int_le(llabs((long long)(t - now)), 1);
    gmtime_r(&t, &host);
    ck_assert_int_eq(tm.tm_wday, host.tm_wday);
    ck_assert_uint_eq(cmos_rd(0x32), 0x20);         /* century, BCD */

    /* binary */
    cmos_wr(0x0B, 0x06);
    t = rtc_read_time(true, &tm);
    now = time(NULL);
    ck_assert_int_le(llabs((long long)(t - now)), 1);
    ck_assert_uint_eq(cmos_rd(0x32), 20);
}
END_TEST

START_TEST(test_rtc_set_time_formats)
{
    uint8_t sec;

    /* set 2024-02-29 23:59:30 (BCD, 24 h) the way Linux does: SET, divider reset */
    cmos_wr(0x0B, 0x82);
    cmos_wr(0x0A, 0x76);
    cmos_wr(0x00, 0x30);
    cmos_wr(0x02, 0x59);
    cmos_wr(0x04, 0x23);
    cmos_wr(0x07, 0x29);
    cmos_wr(0x08, 0x02);
    cmos_wr(0x09, 0x24);
    cmos_wr(0x32, 0x20);
    ck_assert_uint_eq(cmos_rd(0x0A) & 0x80, 0);     /* no UIP while stopped */
    usleep(20000);
    ck_assert_uint_eq(cmos_rd(0x00), 0x30);         /* frozen */
    cmos_wr(0x0B, 0x02);
    cmos_wr(0x0A, 0x26);                            /* the next update comes in 500 ms */
    ck_assert_uint_eq(cmos_rd(0x00), 0x30);
    ck_assert_uint_eq(cmos_rd(0x02), 0x59);
    ck_assert_uint_eq(cmos_rd(0x04), 0x23);
    ck_assert_uint_eq(cmos_rd(0x06), 0x05);         /* Thursday */
    ck_assert_uint_eq(cmos_rd(0x07), 0x29);
    ck_assert_uint_eq(cmos_rd(0x08), 0x02);
    ck_assert_uint_eq(cmos_rd(0x09), 0x24);
    ck_assert_uint_eq(cmos_rd(0x32), 0x20);

    /* 12-hour BCD: 23 h is 11 PM */
    cmos_wr(0x0B, 0x00);
    ck_assert_uint_eq(cmos_rd(0x04), 0x91);
    /* 12-hour binary */
    cmos_wr(0x0B, 0x04);
    ck_assert_uint_eq(cmos_rd(0x04), 0x8B);
    ck_assert_uint_eq(cmos_rd(0x07), 29);
    /* write 1 PM in 12-hour binary, read 13 in 24-hour BCD */
    cmos_wr(0x04, 0x81);
    cmos_wr(0x0B, 0x02);
    ck_assert_uint_eq(cmos_rd(0x04), 0x13);
    /* midnight and noon in 12-hour format */
    cmos_wr(0x04, 0x00);
    cmos_wr(0x0B, 0x00);
    ck_assert_uint_eq(cmos_rd(0x04), 0x12);
    cmos_wr(0x04, 0x92);                            /* 12 PM = noon */
    cmos_wr(0x0B, 0x02);
    ck_assert_uint_eq(cmos_rd(0x04), 0x12);

    /* a running clock: writing the seconds keeps it running from there */
    cmos_wr(0x00, 0x10);
    sec = cmos_rd(0x00);
    ck_assert(sec == 0x10 || sec == 0x11);
    /* the year and the century are independent bytes (a date that exists in 1999) */
    cmos_wr(0x07, 0x15);
    cmos_wr(0x09, 0x99);
    cmos_wr(0x32, 0x19);
    ck_assert_uint_eq(cmos_rd(0x09), 0x99);
    ck_assert_uint_eq(cmos_rd(0x32), 0x19);
    ck_assert_uint_eq(cmos_rd(0x08), 0x02);
    ck_assert_uint_eq(cmos_rd(0x07), 0x15);
    ck_assert_uint_eq(cmos_rd(0x06), 0x02);         /* 1999-02-15 was a Monday */
    /* SET clears UIE */
    cmos_wr(0x0B, 0x12);
    ck_assert_uint_eq(cmos_rd(0x0B), 0x12);
    cmos_wr(0x0B, 0x92);
    ck_assert_uint_eq(cmos_rd(0x0B), 0x82);
    cmos_wr(0x0B, 0x02);
}
END_TEST

START_TEST(test_rtc_register_c_periodic_flag)
{
    /* (UF comes once a second whatever the enables say: the checks mask it out) */
    /* PIE off: PF is still set at the periodic rate, without an interrupt */
    clock_virtual_pause(true);
    cmos_wr(0x0A, 0x2A);                            /* 64 Hz: 15.625 ms, restarts the phase */
    cmos_rd(0x0C);
    ck_assert_uint_eq(cmos_rd(0x0C) & 0xC0, 0);     /* no virtual time passed */
    clock_virtual_pause(false);
    usleep(40000);
    clock_virtual_pause(true);
    ck_assert_uint_eq(cmos_rd(0x0C) & 0xE0, 0x40);  /* PF, no IRQF */
    ck_assert_uint_eq(cmos_rd(0x0C) & 0xE0, 0x00);  /* cleared by the read */
    ck_assert_int_eq(rtc_irq_level, 0);
    /* register D and C are read-only */
    cmos_wr(0x0D, 0x00);
    ck_assert_uint_eq(cmos_rd(0x0D), 0x80);
    cmos_wr(0x0C, 0xF0);
    ck_assert_uint_eq(cmos_rd(0x0C) & 0xE0, 0x00);
    /* enabling PIE with PF pending raises the IRQ at once */
    clock_virtual_pause(false);
    usleep(40000);
    clock_virtual_pause(true);
    cmos_wr(0x0B, 0x42);
    ck_assert_int_eq(rtc_irq_level, 1);
    ck_assert_uint_eq(cmos_rd(0x0C) & 0xE0, 0xC0);  /* IRQF | PF; the read lowers the IRQ */
    ck_assert_int_eq(rtc_irq_level, 0);
    /* rate 0 stops the periodic flag */
    cmos_wr(0x0B, 0x02);
    cmos_wr(0x0A, 0x20);
    clock_virtual_pause(false);
    usleep(20000);
    clock_virtual_pause(true);
    ck_assert_uint_eq(cmos_rd(0x0C) & 0x40, 0);
}
END_TEST

START_TEST(test_rtc_periodic_rate)
{
    const int64_t period = 31250000;                /* RS = 0xB: 32 Hz */
    int64_t start, elapsed;
    int count = 0;

    clock_virtual_pause(true);
    cmos_wr(0x0A, 0x2B);                            /* the phase starts now */
    start = clock_get_ns(CLOCK_VIRTUAL_NS);
    cmos_rd(0x0C);
    /* arm the timer with the clock running (the main loop orders timers by their
     * remaining time when they are armed; a paused clock has none) */
    clock_virtual_pause(false);
    cmos_wr(0x0B, 0x42);                            /* PIE */
    do {
        main_loop_poll_once(true);
        if (rtc_irq_level) {
            ck_assert_uint_eq(cmos_rd(0x0C) & 0xC0, 0xC0);
            ck_assert_int_eq(rtc_irq_level, 0);
            count++;
        }
        elapsed = clock_get_ns(CLOCK_VIRTUAL_NS) - start;
    } while (elapsed < 10 * period + period / 2);
    clock_virtual_pause(true);
    elapsed = clock_get_ns(CLOCK_VIRTUAL_NS) - start;
    /* one interrupt per elapsed period (the last one may not have been polled yet) */
    ck_assert_int_ge(count, elapsed / period - 1);
    ck_assert_int_le(count, elapsed / period);
    ck_assert_int_ge(rtc_irq_rises, count);
}
END_TEST

START_TEST(test_rtc_update_alarm_rollover)
{
    uint8_t c;

    /* 2099-12-31 23:59:58, alarm at second 59 of any minute of any hour; no periodic flag */
    cmos_wr(0x0A, 0x20);
    cmos_wr(0x0B, 0x82);
    cmos_wr(0x00, 0x58);
    cmos_wr(0x02, 0x59);
    cmos_wr(0x04, 0x23);
    cmos_wr(0x07, 0x31);
    cmos_wr(0x08, 0x12);
    cmos_wr(0x09, 0x99);
    cmos_wr(0x32, 0x20);
    cmos_wr(0x01, 0x59);
    cmos_wr(0x03, 0xFF);
    cmos_wr(0x05, 0xC0);
    cmos_rd(0x0C);
    cmos_wr(0x0B, 0x32);                            /* run, AIE | UIE, BCD, 24 h */

    ck_assert(wait_rtc_irq(1500));
    c = cmos_rd(0x0C);
    ck_assert_uint_eq(c, 0xB0);                     /* IRQF | AF | UF */
    ck_assert_uint_eq(cmos_rd(0x00), 0x59);
    ck_assert_int_eq(rtc_irq_level, 0);

    ck_assert(wait_rtc_irq(1500));
    c = cmos_rd(0x0C);
    ck_assert_uint_eq(c, 0x90);                     /* IRQF | UF: the alarm wants second 59 */
    ck_assert_uint_eq(cmos_rd(0x00), 0x00);
    ck_assert_uint_eq(cmos_rd(0x02), 0x00);
    ck_assert_uint_eq(cmos_rd(0x04), 0x00);
    ck_assert_uint_eq(cmos_rd(0x07), 0x01);
    ck_assert_uint_eq(cmos_rd(0x08), 0x01);
    ck_assert_uint_eq(cmos_rd(0x09), 0x00);
    ck_assert_uint_eq(cmos_rd(0x32), 0x21);
    ck_assert_uint_eq(cmos_rd(0x06), 0x06);         /* 2100-01-01 is a Friday */
    cmos_wr(0x0B, 0x02);
}
END_TEST

START_TEST(test_rtc_uip)
{
    /* several seconds: a loaded host may preempt us across a whole 244 us window */
    int64_t end = clock_get_ns(CLOCK_REALTIME_NS) + 8000000000LL;
    uint8_t before = 0, after;
    bool seen = false;

    /* UIP rises before each update; the registers change when it falls */
    while (!seen && clock_get_ns(CLOCK_REALTIME_NS) < end) {
        if (cmos_rd(0x0A) & 0x80) {
            before = cmos_rd(0x00);
            /* still inside the window after reading the seconds (else try the next one) */
            seen = cmos_rd(0x0A) & 0x80;
        }
    }
    ck_assert(seen);
    while (cmos_rd(0x0A) & 0x80) {
        ck_assert_int_lt(clock_get_ns(CLOCK_REALTIME_NS), end + 10000000);
    }
    after = cmos_rd(0x00);
    ck_assert_int_eq((bcd(before) + 1) % 60, bcd(after));
    /* no UIP while SET holds the registers */
    cmos_wr(0x0B, 0x82);
    end = clock_get_ns(CLOCK_REALTIME_NS) + 1100000000LL;
    while (clock_get_ns(CLOCK_REALTIME_NS) < end) {
        ck_assert_uint_eq(cmos_rd(0x0A) & 0x80, 0);
        usleep(100);
    }
    cmos_wr(0x0B, 0x02);
}
END_TEST

START_TEST(test_rtc_cmos_memory)
{
    unsigned sum = 0;

    ck_assert_uint_eq(cmos_rd(0x0E), 0);
    ck_assert_uint_eq(cmos_rd(0x0F), 0);
    ck_assert_uint_eq(cmos_rd(0x10), 0);
    ck_assert_uint_eq(cmos_rd(0x14), 0x06);
    ck_assert_uint_eq(cmos_rd(0x15), 0x80);
    ck_assert_uint_eq(cmos_rd(0x16), 0x02);

    /* 3 GiB below 4 GiB, 1 GiB above, 4 CPUs */
    rtc_set_pc_memory(rtc, 3 * GiB, 1 * GiB, 4);
    ck_assert_uint_eq(cmos_rd(0x17), 0xFF);
    ck_assert_uint_eq(cmos_rd(0x18), 0xFF);
    ck_assert_uint_eq(cmos_rd(0x30), 0xFF);
    ck_assert_uint_eq(cmos_rd(0x31), 0xFF);
    ck_assert_uint_eq(cmos_rd(0x34), 0x00);          /* (3 GiB - 16 MiB) / 64 KiB = 0xBF00 */
    ck_assert_uint_eq(cmos_rd(0x35), 0xBF);
    ck_assert_uint_eq(cmos_rd(0x5B), 0x00);          /* 1 GiB / 64 KiB = 0x4000 */
    ck_assert_uint_eq(cmos_rd(0x5C), 0x40);
    ck_assert_uint_eq(cmos_rd(0x5D), 0x00);
    ck_assert_uint_eq(cmos_rd(0x5F), 3);

    /* 32 MiB: 31 MiB of extended memory, 16 MiB above 16 MiB */
    rtc_set_pc_memory(rtc, 32 * MiB, 0, 1);
    ck_assert_uint_eq(cmos_rd(0x17), 0x00);          /* 31744 KiB = 0x7C00 */
    ck_assert_uint_eq(cmos_rd(0x18), 0x7C);
    ck_assert_uint_eq(cmos_rd(0x30), 0x00);
    ck_assert_uint_eq(cmos_rd(0x31), 0x7C);
    ck_assert_uint_eq(cmos_rd(0x34), 0x00);          /* 256 = 0x0100 */
    ck_assert_uint_eq(cmos_rd(0x35), 0x01);
    ck_assert_uint_eq(cmos_rd(0x5B), 0);
    ck_assert_uint_eq(cmos_rd(0x5F), 0);
    ck_assert_uint_eq(rtc_get_memory(rtc, 0x18), 0x7C);

    /* the checksum of 0x10-0x2D, big-endian in 0x2E/0x2F */
    rtc_set_memory(rtc, 0x12, 0xF0);
    for (int i = 0x10; i <= 0x2D; i++) {
        sum += cmos_rd(i);
    }
    ck_assert_uint_eq(cmos_rd(0x2E), (sum >> 8) & 0xFF);
    ck_assert_uint_eq(cmos_rd(0x2F), sum & 0xFF);

    /* the clock registers and the century cannot be set as memory */
    rtc_set_memory(rtc, 0x0B, 0xFF);
    rtc_set_memory(rtc, 0x32, 0x55);
    ck_assert_uint_eq(cmos_rd(0x0B), 0x02);
    ck_assert_uint_eq(cmos_rd(0x32), 0x20);

    /* guest memory bytes; bit 7 of the index is NMI disable, not part of the index */
    cmos_wr(0x40, 0x5A);
    ck_assert_uint_eq(cmos_rd(0x40), 0x5A);
    cmos_wr(0x80 | 0x41, 0xA5);
    ck_assert_uint_eq(cmos_rd(0x41), 0xA5);
    ck_assert_uint_eq(cmos_rd(0x80 | 0x0D), 0x80);
    {
        uint64_t v = 0;
        ck_assert_int_eq(as_ld(&m.io_as, 0x70, 1, &v), MEMTX_OK);
        ck_assert_uint_eq(v, 0xFF);                 /* the index port is write-only */
    }
}
END_TEST

START_TEST(test_rtc_reset_save_load)
{
    uint8_t buf[512];
    size_t n;

    cmos_wr(0x0A, 0x20);                            /* no periodic flag */
    cmos_wr(0x0B, 0x7A);                            /* PIE AIE UIE SQWE, 24 h */
    cmos_wr(0x50, 0x77);
    n = rtc->cls->save(rtc, buf, sizeof(buf));
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(n, sizeof(buf));
    device_reset(rtc);
    ck_assert_uint_eq(cmos_rd(0x0B), 0x02);         /* enables cleared by RESET */
    ck_assert_uint_eq(cmos_rd(0x0C) & 0xE0, 0x00);  /* no IRQF/PF/AF (UF may have come) */
    ck_assert_uint_eq(cmos_rd(0x50), 0x77);         /* memory survives */
    ck_assert_int_eq(rtc->cls->load(rtc, buf, n), 0);
    ck_assert_uint_eq(cmos_rd(0x0B), 0x7A);
    ck_assert_int_eq(rtc->cls->load(rtc, buf, n + 1), -EINVAL);
    cmos_wr(0x0B, 0x02);
}
END_TEST

static Suite *ioapic_rtc_suite(void)
{
    Suite *s = suite_create("ioapic_rtc");
    TCase *tc = tcase_create("ioapic");
    tcase_add_checked_fixture(tc, ioapic_setup, machine_fini);
    tcase_add_test(tc, test_ioapic_registers);
    tcase_add_test(tc, test_ioapic_edge_delivery);
    tcase_add_test(tc, test_ioapic_level_eoi);
    tcase_add_test(tc, test_ioapic_masking);
    tcase_add_test(tc, test_ioapic_save_load);
    suite_add_tcase(s, tc);

    tc = tcase_create("rtc");
    tcase_add_checked_fixture(tc, rtc_setup, machine_fini);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_rtc_host_time);
    tcase_add_test(tc, test_rtc_set_time_formats);
    tcase_add_test(tc, test_rtc_register_c_periodic_flag);
    tcase_add_test(tc, test_rtc_periodic_rate);
    tcase_add_test(tc, test_rtc_update_alarm_rollover);
    tcase_add_test(tc, test_rtc_uip);
    tcase_add_test(tc, test_rtc_cmos_memory);
    tcase_add_test(tc, test_rtc_reset_save_load);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;
    main_loop_init();
    sr = srunner_create(ioapic_rtc_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

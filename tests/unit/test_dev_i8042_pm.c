/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_dev_i8042_pm.c — the i8042 keyboard controller with its PS/2 keyboard
 * and mouse (hw/input/i8042.c), the ACPI PM fixed hardware and reset register
 * (hw/acpi/acpi_pm.c), pc-testdev (hw/misc/pc_testdev.c) and port 0x80
 * (hw/misc/debugport80.c), driven through the port and memory address spaces of a
 * hand-made Machine.
 *
 * i8042: status bits, self-test and interface tests, the command byte, disabling the
 * ports, the output port (A20 line, reset through bit 0 and the 0xFE pulse), keyboard
 * commands (reset, identify with and without translation, echo, LEDs, scancode set,
 * typematic, enable/disable, resend, unknown), key input with set 2 -> set 1 translation
 * and IRQ 1 edges, the mouse (reset, ID, sample rate, status, movement packets, IRQ 12)
 * and aux loopback, save/load.
 * ACPI PM: the PM timer against CLOCK_VIRTUAL (exact count), TMR_STS and the SCI from a
 * bit-23 toggle, PM1_STS write-1-to-clear at every access width, the power button SCI,
 * SCI_EN, SLP_EN with S5 (shutdown, status 0) and S3 (ignored), GPE0, the reset register.
 * pc-testdev: the scratch register (both ports), scratch MMIO of every size, IRQ lines by
 * hand and connected to a PIC found by id, the flush-page port's TLB flush.
 * Not covered: the wiring on the pc board (tests/guests does that).
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/input/i8042.h"
#include "hw/acpi/acpi_pm.h"
#include "hw/misc/pc_testdev.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "accel/tcg/tcg.h"
#include "cpu/x86/cpu.h"
#include "system/main-loop.h"
#include <check.h>
#include <unistd.h>

extern const DeviceClass port80_class;

static Machine *m;
static Device *kbc, *pm, *tdev;

/* A probe per line: level and rising edges. */
typedef struct Probe {
    int level;
    int rises;
} Probe;

static Probe probes[32];

static void probe_handler(void *opaque, int n, int level)
{
    if (level && !probes[n].level) {
        probes[n].rises++;
    }
    probes[n].level = level;
}

static IrqLine probe_line(int n)
{
    IrqLine l = { probe_handler, NULL, n };
    return l;
}

static void connect_probe(Device *dev, int out, int n)
{
    IrqLine l = probe_line(n);
    irq_connect(device_irq_out(dev, out), &l);
}

static void machine_setup(void)
{
    m = xzalloc(sizeof(*m));
    mr_init_container(&m->sysmem, "system", UINT64_MAX);
    mr_init_container(&m->io, "io", 0x10000);
    as_init(&m->sysmem_as, &m->sysmem, "memory");
    as_init(&m->io_as, &m->io, "io");
    memset(probes, 0, sizeof(probes));
}

static void machine_teardown(void)
{
    clock_virtual_pause(false);
    current_cpu = NULL;
    while (m->devices) {
        device_destroy(m->devices);
    }
    for (int i = 0; i < m->ncpus; i++) {
        free(cpu_arch_state(m->cpus[i]));
    }
    as_destroy(&m->sysmem_as);
    as_destroy(&m->io_as);
    mr_destroy(&m->sysmem);
    mr_destroy(&m->io);
    free(m);
    m = NULL;
}

static void outb(uint16_t port, uint8_t v)
{
    ck_assert_int_eq(as_st(&m->io_as, port, 1, v), MEMTX_OK);
}

static uint8_t inb(uint16_t port)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m->io_as, port, 1, &v), MEMTX_OK);
    return (uint8_t)v;
}

static void out_n(uint16_t port, unsigned size, uint64_t v)
{
    ck_assert_int_eq(as_st(&m->io_as, port, size, v), MEMTX_OK);
}

static uint64_t in_n(uint16_t port, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m->io_as, port, size, &v), MEMTX_OK);
    return v;
}

/* ---------------------------------------------------------------------------------------
 * i8042
 */

enum { P_KBD = 0, P_AUX = 1, P_A20 = 2 };

static void kbc_setup(void)
{
    machine_setup();
    kbc = device_create_class(m, &i8042_class, "i8042", NULL);
    ck_assert_ptr_nonnull(kbc);
    connect_probe(kbc, I8042_IRQ_KBD_LINE, P_KBD);
    connect_probe(kbc, I8042_IRQ_AUX_LINE, P_AUX);
    connect_probe(kbc, I8042_A20_LINE, P_A20);
}

static void kbc_cmd(uint8_t cmd)
{
    outb(0x64, cmd);
}

/* The next byte of the output buffer (asserts that there is one). */
static uint8_t kbc_read(void)
{
    ck_assert_uint_eq(inb(0x64) & 0x01, 0x01);
    return inb(0x60);
}

static bool kbc_empty(void)
{
    return !(inb(0x64) & 0x01);
}

static uint8_t kbc_ccb(void)
{
    kbc_cmd(0x20);
    return kbc_read();
}

static void kbc_set_ccb(uint8_t v)
{
    kbc_cmd(0x60);
    outb(0x60, v);
}

START_TEST(test_kbc_controller)
{
    /* after reset: SYS and "not inhibited", nothing to read */
    ck_assert_uint_eq(inb(0x64), 0x14);
    kbc_cmd(0xAA);
    ck_assert_uint_eq(inb(0x64), 0x1D);             /* OBF, SYS, A2 (command), INH */
    ck_assert_uint_eq(inb(0x60), 0x55);
    ck_assert(kbc_empty());
    kbc_cmd(0xAB);
    ck_assert_uint_eq(kbc_read(), 0x00);
    kbc_cmd(0xA9);
    ck_assert_uint_eq(kbc_read(), 0x00);
    kbc_cmd(0xA4);
    ck_assert_uint_eq(kbc_read(), 0xF1);
    kbc_cmd(0xE0);
    ck_assert_uint_eq(kbc_read(), 0x00);

    /* the command byte */
    ck_assert_uint_eq(kbc_ccb(), 0x65);
    kbc_set_ccb(0x47);
    ck_assert_uint_eq(inb(0x64) & 0x08, 0);         /* the last write was data */
    ck_assert_uint_eq(kbc_ccb(), 0x47);
    kbc_set_ccb(0x43);
    ck_assert_uint_eq(inb(0x64) & 0x04, 0);         /* SYS follows the command byte */
    kbc_set_ccb(0x47);
    ck_assert_uint_eq(inb(0x64) & 0x04, 0x04);
    kbc_cmd(0xA7);
    ck_assert_uint_eq(kbc_ccb(), 0x67);
    kbc_cmd(0xA8);
    ck_assert_uint_eq(kbc_ccb(), 0x47);
    kbc_cmd(0xAD);
    ck_assert_uint_eq(kbc_ccb(), 0x57);
    kbc_cmd(0xAE);
    ck_assert_uint_eq(kbc_ccb(), 0x47);
    /* other RAM bytes */
    kbc_cmd(0x65);
    outb(0x60, 0x9C);
    kbc_cmd(0x25);
    ck_assert_uint_eq(kbc_read(), 0x9C);
    /* the input port */
    kbc_cmd(0xC0);
    ck_assert_uint_eq(kbc_read(), 0xA0);
    /* a controller reply raises IRQ 1 when enabled */
    kbc_cmd(0xAB);
    ck_assert_int_eq(probes[P_KBD].level, 1);
    inb(0x60);
    ck_assert_int_eq(probes[P_KBD].level, 0);
}
END_TEST

START_TEST(test_kbc_output_port)
{
    kbc_set_ccb(0x44);                              /* no interrupts */
    kbc_cmd(0xD0);
    ck_assert_uint_eq(kbc_read(), 0xCF);
    /* A20 off, reset bit kept high */
    kbc_cmd(0xD1);
    outb(0x60, 0xCD);
    ck_assert_int_eq(probes[P_A20].level, 0);
    ck_assert(!m->reset_requested);
    kbc_cmd(0xD0);
    ck_assert_uint_eq(kbc_read(), 0xCD);
    kbc_cmd(0xD1);
    outb(0x60, 0xCF);
    ck_assert_int_eq(probes[P_A20].level, 1);
    kbc_cmd(0xDD);
    ck_assert_int_eq(probes[P_A20].level, 0);
    kbc_cmd(0xDF);
    ck_assert_int_eq(probes[P_A20].level, 1);
    ck_assert(!m->reset_requested);
    /* the output port's OBF bits while a byte waits */
    i8042_put_keycode(kbc, 0x1C);
    kbc_cmd(0xD0);
    /* the reply queues behind the keyboard byte already in the buffer */
    ck_assert_uint_eq(kbc_read(), 0x1E);
    ck_assert_uint_eq(kbc_read(), 0xDF);            /* the reply was made while OBF was set */
    /* pulse 0xFF does nothing, 0xFE resets */
    kbc_cmd(0xFF);
    ck_assert(!m->reset_requested);
    kbc_cmd(0xFE);
    ck_assert(m->reset_requested);
    m->reset_requested = false;
    /* the output port's bit 0 written as 0 resets */
    kbc_cmd(0xD1);
    outb(0x60, 0xCE);
    ck_assert(m->reset_requested);
    /* the device reset restores the output port without driving A20 */
    probes[P_A20].rises = 0;
    device_reset(kbc);
    ck_assert_int_eq(probes[P_A20].rises, 0);
    kbc_cmd(0xD0);
    ck_assert_uint_eq(kbc_read(), 0xCF);
}
END_TEST

START_TEST(test_kbd_commands)
{
    kbc_set_ccb(0x05);                              /* keyboard interrupt, no translation */
    outb(0x60, 0xFF);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0xAA);
    ck_assert(kbc_empty());
    outb(0x60, 0xF2);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0xAB);
    ck_assert_uint_eq(kbc_read(), 0x83);
    outb(0x60, 0xEE);
    ck_assert_uint_eq(kbc_read(), 0xEE);
    outb(0x60, 0xED);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    outb(0x60, 0x07);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    outb(0x60, 0xF3);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    outb(0x60, 0x20);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    /* scancode set: read 2, select 1, read 1 */
    outb(0x60, 0xF0);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    outb(0x60, 0x00);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0x02);
    outb(0x60, 0xF0);
    outb(0x60, 0x01);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_int_eq(i8042_keyboard_scancode_set(kbc), 1);
    outb(0x60, 0xF0);
    outb(0x60, 0x00);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0x01);
    /* a command instead of the expected parameter aborts the first command */
    outb(0x60, 0xED);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    outb(0x60, 0xEE);
    ck_assert_uint_eq(kbc_read(), 0xEE);
    /* resend and an unknown command */
    outb(0x60, 0xFE);
    ck_assert_uint_eq(kbc_read(), 0xEE);
    outb(0x60, 0x12);
    ck_assert_uint_eq(kbc_read(), 0xFE);
    /* disable: keys are dropped; enable */
    outb(0x60, 0xF5);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    i8042_put_keycode(kbc, 0x1C);
    ck_assert(kbc_empty());
    outb(0x60, 0xF4);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_int_eq(i8042_keyboard_scancode_set(kbc), 2);   /* F5 restored the defaults */
    i8042_put_keycode(kbc, 0x1C);
    ck_assert_uint_eq(kbc_read(), 0x1C);
    /* with translation the identify bytes are translated too (0x83 -> 0x41) */
    kbc_set_ccb(0x45);
    outb(0x60, 0xF2);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0xAB);
    ck_assert_uint_eq(kbc_read(), 0x41);
    /* writing to the keyboard re-enables a disabled keyboard interface */
    kbc_cmd(0xAD);
    outb(0x60, 0xEE);
    ck_assert_uint_eq(kbc_read(), 0xEE);
    ck_assert_uint_eq(kbc_ccb() & 0x10, 0);
}
END_TEST

START_TEST(test_kbd_keys_irq)
{
    kbc_set_ccb(0x45);                              /* XLATE | SYS | KBDINT */
    ck_assert_int_eq(probes[P_KBD].level, 0);
    i8042_put_keycode(kbc, 0x1C);                   /* set 2 'A' make */
    ck_assert_uint_eq(inb(0x64) & 0x21, 0x01);      /* OBF, not AUXB */
    ck_assert_int_eq(probes[P_KBD].level, 1);
    ck_assert_uint_eq(inb(0x60), 0x1E);             /* set 1 'A' make */
    ck_assert_int_eq(probes[P_KBD].level, 0);
    /* break: F0 1C -> 9E; extended: E0 F0 75 (up arrow) -> E0 C8 */
    i8042_put_keycode(kbc, 0xF0);
    ck_assert(kbc_empty());
    i8042_put_keycode(kbc, 0x1C);
    ck_assert_uint_eq(kbc_read(), 0x9E);
    probes[P_KBD].rises = 0;
    i8042_put_keycode(kbc, 0xE0);
    i8042_put_keycode(kbc, 0xF0);
    i8042_put_keycode(kbc, 0x75);
    ck_assert_uint_eq(kbc_read(), 0xE0);
    ck_assert_uint_eq(kbc_read(), 0xC8);
    ck_assert(kbc_empty());
    ck_assert_int_eq(probes[P_KBD].rises, 2);       /* one edge per byte */
    /* F7 (0x83) and the unused code 0x00 */
    i8042_put_keycode(kbc, 0x83);
    ck_assert_uint_eq(kbc_read(), 0x41);
    /* no translation: bytes pass as sent */
    kbc_set_ccb(0x05);
    i8042_put_keycode(kbc, 0xF0);
    i8042_put_keycode(kbc, 0x1C);
    ck_assert_uint_eq(kbc_read(), 0xF0);
    ck_assert_uint_eq(kbc_read(), 0x1C);
    /* interrupt disabled: OBF without IRQ; enabling it raises the line */
    kbc_set_ccb(0x04);
    i8042_put_keycode(kbc, 0x1C);
    ck_assert_int_eq(probes[P_KBD].level, 0);
    ck_assert_uint_eq(inb(0x64) & 0x01, 0x01);
    kbc_set_ccb(0x05);
    ck_assert_int_eq(probes[P_KBD].level, 1);
    ck_assert_uint_eq(inb(0x60), 0x1C);
    /* keyboard port disabled: the byte waits in the keyboard */
    kbc_cmd(0xAD);
    i8042_put_keycode(kbc, 0x1C);
    ck_assert(kbc_empty());
    kbc_cmd(0xAE);
    ck_assert_uint_eq(kbc_read(), 0x1C);
    /* the 16-byte queue */
    kbc_cmd(0xAD);
    for (int i = 0; i < 20; i++) {
        i8042_put_keycode(kbc, 0x10 + i);
    }
    kbc_cmd(0xAE);
    for (int i = 0; i < 16; i++) {
        ck_assert_uint_eq(kbc_read(), 0x10 + i);
    }
    ck_assert(kbc_empty());
}
END_TEST

START_TEST(test_aux_mouse)
{
    uint8_t buf[1024];
    size_t n;

    kbc_set_ccb(0x07);                              /* both interrupts, aux port enabled */
    kbc_cmd(0xD4);
    outb(0x60, 0xFF);
    ck_assert_uint_eq(inb(0x64) & 0x21, 0x21);      /* OBF | AUXB */
    ck_assert_int_eq(probes[P_AUX].level, 1);
    ck_assert_int_eq(probes[P_KBD].level, 0);
    ck_assert_uint_eq(inb(0x60), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0xAA);
    ck_assert_uint_eq(kbc_read(), 0x00);
    ck_assert_int_eq(probes[P_AUX].level, 0);
    ck_assert_int_eq(probes[P_AUX].rises, 3);
    kbc_cmd(0xD4);
    outb(0x60, 0xF2);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0x00);            /* a standard mouse */
    kbc_cmd(0xD4);
    outb(0x60, 0xF3);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    kbc_cmd(0xD4);
    outb(0x60, 40);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    kbc_cmd(0xD4);
    outb(0x60, 0xE8);
    kbc_cmd(0xD4);
    outb(0x60, 0x03);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    kbc_cmd(0xD4);
    outb(0x60, 0xE9);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    ck_assert_uint_eq(kbc_read(), 0x00);            /* stream, disabled, 1:1, no buttons */
    ck_assert_uint_eq(kbc_read(), 0x03);
    ck_assert_uint_eq(kbc_read(), 40);
    /* movement is reported only once enabled */
    i8042_mouse_event(kbc, 5, -3, 1);
    ck_assert(kbc_empty());
    kbc_cmd(0xD4);
    outb(0x60, 0xF4);
    ck_assert_uint_eq(kbc_read(), 0xFA);
    i8042_mouse_event(kbc, 5, -3, 1);
    ck_assert_uint_eq(kbc_read(), 0x29);            /* Y sign, always-1, left button */
    ck_assert_uint_eq(kbc_read(), 0x05);
    ck_assert_uint_eq(kbc_read(), 0xFD);
    i8042_mouse_event(kbc, 300, 0, 0);
    ck_assert_uint_eq(kbc_read(), 0x48);            /* X overflow */
    ck_assert_uint_eq(kbc_read(), 0xFF);
    ck_assert_uint_eq(kbc_read(), 0x00);
    /* aux loopback (Linux's AUX probe) */
    kbc_cmd(0xD3);
    outb(0x60, 0x5A);
    ck_assert_uint_eq(inb(0x64) & 0x21, 0x21);
    ck_assert_int_eq(probes[P_AUX].level, 1);
    ck_assert_uint_eq(inb(0x60), 0x5A);
    /* keyboard loopback */
    kbc_cmd(0xD2);
    outb(0x60, 0xA5);
    ck_assert_uint_eq(inb(0x64) & 0x21, 0x01);
    ck_assert_int_eq(probes[P_KBD].level, 1);
    ck_assert_uint_eq(inb(0x60), 0xA5);
    /* aux port disabled: mouse data waits */
    kbc_cmd(0xA7);
    i8042_mouse_event(kbc, 1, 1, 0);
    ck_assert(kbc_empty());
    n = kbc->cls->save(kbc, buf, sizeof(buf));
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(n, sizeof(buf));
    kbc_cmd(0xA8);
    ck_assert_uint_eq(kbc_read(), 0x08);
    ck_assert_uint_eq(kbc_read(), 0x01);
    ck_assert_uint_eq(kbc_read(), 0x01);
    /* save/load brings the queued packet back */
    ck_assert_int_eq(kbc->cls->load(kbc, buf, n), 0);
    ck_assert_int_eq(kbc->cls->load(kbc, buf, n - 1), -EINVAL);
    kbc_cmd(0xA8);
    ck_assert_uint_eq(kbc_read(), 0x08);
    /* wrap mode echoes */
    kbc_cmd(0xD4);
    outb(0x60, 0xEE);
    kbc_read();
    kbc_read();
    ck_assert_uint_eq(kbc_read(), 0xFA);
    kbc_cmd(0xD4);
    outb(0x60, 0x33);
    ck_assert_uint_eq(kbc_read(), 0x33);
    kbc_cmd(0xD4);
    outb(0x60, 0xEC);
    ck_assert_uint_eq(kbc_read(), 0xFA);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * ACPI PM
 */

#define PMB ACPI_PM_IOBASE
enum { P_SCI = 0 };

static void pm_setup(void)
{
    machine_setup();
    pm = device_create_class(m, &acpi_pm_class, "acpi-pm", NULL);
    ck_assert_ptr_nonnull(pm);
    connect_probe(pm, 0, P_SCI);
    mr_add_subregion(&m->io, ACPI_PM_RESET_PORT, device_pio(pm, 1), 0);
}

static uint64_t pm_ticks_of(int64_t ns)
{
    return (uint64_t)((unsigned __int128)ns * ACPI_PM_TIMER_HZ / 1000000000ULL);
}

START_TEST(test_pm_timer)
{
    int64_t t0, t1;
    uint32_t c0, c1, hi;

    clock_virtual_pause(true);
    t0 = clock_get_ns(CLOCK_VIRTUAL_NS);
    c0 = (uint32_t)in_n(PMB + 8, 4);
    ck_assert_uint_eq(c0, pm_ticks_of(t0) & 0xFFFFFF);
    ck_assert_uint_eq(c0 >> 24, 0);                 /* 24 bits */
    hi = (uint32_t)in_n(PMB + 10, 2);
    ck_assert_uint_eq(hi, c0 >> 16);
    ck_assert_uint_eq(in_n(PMB + 8, 1), c0 & 0xFF);
    ck_assert_uint_eq(in_n(PMB + 8, 4), c0);        /* frozen clock, frozen counter */
    clock_virtual_pause(false);
    usleep(50000);
    clock_virtual_pause(true);
    t1 = clock_get_ns(CLOCK_VIRTUAL_NS);
    c1 = (uint32_t)in_n(PMB + 8, 4);
    /* exactly 3.579545 counts per microsecond of virtual time */
    ck_assert_uint_eq((c1 - c0) & 0xFFFFFF, (pm_ticks_of(t1) - pm_ticks_of(t0)) & 0xFFFFFF);
    ck_assert_int_ge(t1 - t0, 50000000);
    ck_assert_uint_ge((c1 - c0) & 0xFFFFFF, 178977);
    /* the timer is read-only */
    out_n(PMB + 8, 4, 0);
    ck_assert_uint_eq(in_n(PMB + 8, 4), c1);
}
END_TEST

START_TEST(test_pm_tmr_sts_sci)
{
    int64_t end;

    ck_assert_uint_eq(in_n(PMB + 4, 2), ACPI_PM1_SCI_EN);    /* ACPI mode from reset */
    out_n(PMB + 0, 2, 0xFFFF);                                /* clear everything */
    out_n(PMB + 2, 2, ACPI_PM1_TMR_EN);
    ck_assert_uint_eq(in_n(PMB + 2, 2), ACPI_PM1_TMR_EN);
    /* bit 23 toggles every 2^23 counts = 2.34 s: the SCI comes by then */
    end = clock_get_ns(CLOCK_REALTIME_NS) + 3000000000LL;
    while (!probes[P_SCI].level && clock_get_ns(CLOCK_REALTIME_NS) < end) {
        main_loop_poll_once(true);
    }
    ck_assert_int_eq(probes[P_SCI].level, 1);
    ck_assert_uint_eq(in_n(PMB + 0, 2) & ACPI_PM1_TMR_STS, ACPI_PM1_TMR_STS);
    /* the counter's bit 23 has just toggled: its low 23 bits are small */
    ck_assert_uint_lt(in_n(PMB + 8, 4) & 0x7FFFFF, ACPI_PM_TIMER_HZ / 10);
    out_n(PMB + 0, 2, ACPI_PM1_TMR_STS);
    ck_assert_uint_eq(in_n(PMB + 0, 2) & ACPI_PM1_TMR_STS, 0);
    ck_assert_int_eq(probes[P_SCI].level, 0);
}
END_TEST

START_TEST(test_pm1_status_enable)
{
    out_n(PMB + 0, 2, 0xFFFF);
    acpi_pm_power_button(pm);
    ck_assert_uint_eq(in_n(PMB + 0, 2) & ACPI_PM1_PWRBTN_STS, ACPI_PM1_PWRBTN_STS);
    ck_assert_int_eq(probes[P_SCI].level, 0);       /* PWRBTN_EN clear */
    out_n(PMB + 2, 2, ACPI_PM1_PWRBTN_EN);
    ck_assert_int_eq(probes[P_SCI].level, 1);
    /* writing 0 clears nothing, writing 1 clears */
    out_n(PMB + 0, 2, 0);
    ck_assert_uint_eq(in_n(PMB + 0, 2) & ACPI_PM1_PWRBTN_STS, ACPI_PM1_PWRBTN_STS);
    out_n(PMB + 0, 2, ACPI_PM1_PWRBTN_STS);
    ck_assert_uint_eq(in_n(PMB + 0, 2) & ACPI_PM1_PWRBTN_STS, 0);
    ck_assert_int_eq(probes[P_SCI].level, 0);
    /* a byte write to the high byte of PM1_STS */
    acpi_pm_power_button(pm);
    ck_assert_int_eq(probes[P_SCI].level, 1);
    out_n(PMB + 1, 1, ACPI_PM1_PWRBTN_STS >> 8);
    ck_assert_int_eq(probes[P_SCI].level, 0);
    /* a dword write covers PM1_STS and PM1_EN */
    acpi_pm_power_button(pm);
    out_n(PMB + 0, 4, ACPI_PM1_PWRBTN_STS | ((uint32_t)ACPI_PM1_RTC_EN << 16));
    ck_assert_uint_eq(in_n(PMB + 0, 4) & 0xFFFF7FFE, (uint32_t)ACPI_PM1_RTC_EN << 16);
    ck_assert_int_eq(probes[P_SCI].level, 0);
    /* reserved enable bits are not stored */
    out_n(PMB + 2, 2, 0xFFFF);
    ck_assert_uint_eq(in_n(PMB + 2, 2), 0x0721);
    /* SCI_EN is read-only; the sleep type reads back; SLP_EN reads 0 */
    out_n(PMB + 4, 2, 0x0000);
    ck_assert_uint_eq(in_n(PMB + 4, 2), ACPI_PM1_SCI_EN);
    out_n(PMB + 4, 2, (3u << ACPI_PM1_SLP_TYP_SHIFT) | ACPI_PM1_SCI_EN);
    ck_assert_uint_eq(in_n(PMB + 4, 2), (3u << ACPI_PM1_SLP_TYP_SHIFT) | ACPI_PM1_SCI_EN);
    /* GPE0: no sources, the enables are stored */
    out_n(PMB + 0x22, 2, 0x00F0);
    ck_assert_uint_eq(in_n(PMB + 0x20, 4), 0x00F00000);
    out_n(PMB + 0x20, 2, 0xFFFF);
    ck_assert_uint_eq(in_n(PMB + 0x20, 2), 0);
    /* reset */
    device_reset(pm);
    ck_assert_uint_eq(in_n(PMB + 2, 2), 0);
    ck_assert_uint_eq(in_n(PMB + 4, 2), ACPI_PM1_SCI_EN);
    ck_assert_uint_eq(in_n(PMB + 0x22, 2), 0);
}
END_TEST

START_TEST(test_pm_sleep_states)
{
    /* S3 (SLP_TYP 1) is not supported: nothing happens */
    out_n(PMB + 4, 2, (1u << ACPI_PM1_SLP_TYP_SHIFT) | ACPI_PM1_SLP_EN | ACPI_PM1_SCI_EN);
    ck_assert(!m->shutdown_requested);
    ck_assert_uint_eq(in_n(PMB + 4, 2) & ACPI_PM1_SLP_EN, 0);
    /* SLP_TYP alone does not sleep */
    out_n(PMB + 4, 2, (ACPI_PM_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT) | ACPI_PM1_SCI_EN);
    ck_assert(!m->shutdown_requested);
    /* S5: power off with status 0 (a byte write to the high byte, as AML may do) */
    m->exit_status = 99;
    out_n(PMB + 5, 1, (ACPI_PM_SLP_TYP_S5 << 2) | (ACPI_PM1_SLP_EN >> 8));
    ck_assert(m->shutdown_requested);
    ck_assert_int_eq(m->exit_status, 0);
}
END_TEST

START_TEST(test_pm_reset_register)
{
    outb(ACPI_PM_RESET_PORT, 0x02);
    ck_assert(!m->reset_requested);
    ck_assert_uint_eq(inb(ACPI_PM_RESET_PORT), 0x02);
    outb(ACPI_PM_RESET_PORT, ACPI_PM_RESET_VALUE);
    ck_assert(m->reset_requested);
    ck_assert_uint_eq(inb(ACPI_PM_RESET_PORT), 0x02);    /* RST_CPU reads 0 */
    m->reset_requested = false;
    acpi_pm_rcr_write(pm, 0x0E);
    ck_assert(m->reset_requested);
    ck_assert_uint_eq(acpi_pm_rcr_read(pm), 0x0A);
    device_reset(pm);
    ck_assert_uint_eq(inb(ACPI_PM_RESET_PORT), 0x00);
    /* property checks */
    ck_assert_ptr_null(device_create_class(m, &acpi_pm_class, "bad", "iobase=0xFFF0"));
    ck_assert_ptr_null(device_create_class(m, &acpi_pm_class, "bad", "iobase=0x601"));
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * pc-testdev and port 0x80
 */

static void tdev_setup(void)
{
    machine_setup();
    tdev = device_create_class(m, &pc_testdev_class, "testdev", NULL);
    ck_assert_ptr_nonnull(tdev);
}

static uint64_t mem_ld(hwaddr a, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m->sysmem_as, a, size, &v), MEMTX_OK);
    return v;
}

static void mem_st(hwaddr a, unsigned size, uint64_t v)
{
    ck_assert_int_eq(as_st(&m->sysmem_as, a, size, v), MEMTX_OK);
}

START_TEST(test_testdev_ports)
{
    out_n(0xE0, 4, 0x12345678);
    ck_assert_uint_eq(in_n(0xE0, 4), 0x12345678);
    out_n(0xE2, 1, 0xAB);
    ck_assert_uint_eq(in_n(0xE0, 4), 0x12AB5678);
    ck_assert_uint_eq(in_n(0xE1, 1), 0x56);
    ck_assert_uint_eq(in_n(0xE2, 2), 0x12AB);
    /* the byte-wise port shows the same register */
    ck_assert_uint_eq(in_n(0xE8, 4), 0x12AB5678);
    out_n(0xE8, 4, 0xCAFEF00D);
    ck_assert_uint_eq(in_n(0xE0, 4), 0xCAFEF00D);
    out_n(0xEA, 2, 0xBEEF);
    ck_assert_uint_eq(in_n(0xE0, 4), 0xBEEFF00D);
    /* port 0x80 */
    ck_assert_ptr_nonnull(device_create_class(m, &port80_class, "port80", NULL));
    outb(0x80, 0x42);
    outb(0x80, 0x55);
    ck_assert_uint_eq(inb(0x80), 0);
}
END_TEST

START_TEST(test_testdev_iomem)
{
    const hwaddr b = PC_TESTDEV_IOMEM_BASE;
    uint8_t buf[64], back[64];

    ck_assert_uint_eq(as_lookup(&m->sysmem_as, b)->mr->type, MR_IO);
    mem_st(b + 0x10, 8, 0x0123456789ABCDEFull);
    ck_assert_uint_eq(mem_ld(b + 0x10, 8), 0x0123456789ABCDEFull);
    ck_assert_uint_eq(mem_ld(b + 0x10, 4), 0x89ABCDEF);
    ck_assert_uint_eq(mem_ld(b + 0x14, 2), 0x4567);
    ck_assert_uint_eq(mem_ld(b + 0x17, 1), 0x01);
    ck_assert_uint_eq(mem_ld(b + 0x13, 4), 0x23456789);     /* unaligned */
    mem_st(b + 0x11, 2, 0xBBAA);
    ck_assert_uint_eq(mem_ld(b + 0x10, 8), 0x0123456789BBAAEFull);
    /* the last bytes and a buffer copy */
    mem_st(b + PC_TESTDEV_IOMEM_SIZE - 8, 8, 0x1122334455667788ull);
    ck_assert_uint_eq(mem_ld(b + PC_TESTDEV_IOMEM_SIZE - 1, 1), 0x11);
    for (int i = 0; i < 64; i++) {
        buf[i] = (uint8_t)(i * 7 + 3);
    }
    ck_assert_int_eq(as_write(&m->sysmem_as, b + 0x101, buf, sizeof(buf)), MEMTX_OK);
    ck_assert_int_eq(as_read(&m->sysmem_as, b + 0x101, back, sizeof(back)), MEMTX_OK);
    ck_assert_mem_eq(buf, back, sizeof(buf));
    ck_assert_ptr_eq(device_mmio(tdev, 0), as_lookup(&m->sysmem_as, b)->mr);
}
END_TEST

START_TEST(test_testdev_irq_lines)
{
    for (int n = 0; n < PC_TESTDEV_NUM_IRQS; n++) {
        connect_probe(tdev, n, n);
    }
    outb(0x2005, 1);
    ck_assert_int_eq(probes[5].level, 1);
    ck_assert_uint_eq(inb(0x2005), 1);
    outb(0x2017, 0x80);
    ck_assert_int_eq(probes[23].level, 1);
    outb(0x2005, 0);
    ck_assert_int_eq(probes[5].level, 0);
    ck_assert_uint_eq(inb(0x2005), 0);
    ck_assert_int_eq(probes[5].rises, 1);
    for (int n = 0; n < PC_TESTDEV_NUM_IRQS; n++) {
        if (n != 23) {
            ck_assert_int_eq(probes[n].level, 0);
        }
    }
    /* reset lowers the lines */
    device_reset(tdev);
    ck_assert_int_eq(probes[23].level, 0);
    ck_assert_uint_eq(in_n(0xE0, 4), 0);
}
END_TEST

START_TEST(test_testdev_finds_controllers)
{
    Device *pic, *ioa, *t2;

    /* a machine with the pc board's ids: "pic" and "ioapic" */
    device_destroy(tdev);
    pic = device_create_class(m, &i8259_class, "pic", NULL);
    ioa = device_create_class(m, &ioapic_class, "ioapic", NULL);
    ck_assert_ptr_nonnull(pic);
    ck_assert_ptr_nonnull(ioa);
    t2 = device_create_class(m, &pc_testdev_class, "testdev", NULL);
    ck_assert_ptr_nonnull(t2);
    for (int n = 0; n < PC_TESTDEV_NUM_IRQS; n++) {
        const IrqLine *in = device_irq_in(ioa, n);
        ck_assert_ptr_eq(device_irq_out(t2, n)->handler, in->handler);
        ck_assert_ptr_eq(device_irq_out(t2, n)->opaque, in->opaque);
        ck_assert_int_eq(device_irq_out(t2, n)->n, n);
    }
    /* line 3 reaches the 8259 (IRQ 3 level-triggered through the ELCR, so that its IRR
     * follows the line) */
    outb(0x4D0, 0x08);
    outb(0x20, 0x0A);                               /* OCW3: read IRR */
    outb(0x2003, 1);
    ck_assert_uint_eq(inb(0x20) & 0x08, 0x08);
    outb(0x2003, 0);
    ck_assert_uint_eq(inb(0x20) & 0x08, 0);
    /* the pic property names the 8259 to use: a missing one leaves the lines open */
    device_destroy(t2);
    t2 = device_create_class(m, &pc_testdev_class, "t3", "pic=nopic");
    ck_assert_ptr_nonnull(t2);
    outb(0x2003, 1);
    ck_assert_uint_eq(inb(0x20) & 0x08, 0);
    outb(0x2003, 0);
}
END_TEST

START_TEST(test_testdev_flush_page)
{
    CPUState *cs = cpu_create(&x86_cpu_class, NULL, 0, m);
    uint64_t before;

    ck_assert_ptr_nonnull(cs);
    m->cpus[0] = cs;
    m->ncpus = 1;
    before = tcg_stats.tlb_flushes;
    out_n(0xE4, 4, 0x123000);
    ck_assert_uint_eq(tcg_stats.tlb_flushes, before + 1);
    ck_assert_int_eq(*cs->exit_request, 1);         /* not the current CPU: kicked */
    /* only dword writes are valid */
    ck_assert_int_eq(as_st(&m->io_as, 0xE4, 1, 0), MEMTX_ERROR);
    ck_assert_uint_eq(tcg_stats.tlb_flushes, before + 1);
}
END_TEST

static Suite *i8042_pm_suite(void)
{
    Suite *s = suite_create("i8042_pm");
    TCase *tc = tcase_create("i8042");
    tcase_add_checked_fixture(tc, kbc_setup, machine_teardown);
    tcase_add_test(tc, test_kbc_controller);
    tcase_add_test(tc, test_kbc_output_port);
    tcase_add_test(tc, test_kbd_commands);
    tcase_add_test(tc, test_kbd_keys_irq);
    tcase_add_test(tc, test_aux_mouse);
    suite_add_tcase(s, tc);

    tc = tcase_create("acpi_pm");
    tcase_add_checked_fixture(tc, pm_setup, machine_teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_pm_timer);
    tcase_add_test(tc, test_pm_tmr_sts_sci);
    tcase_add_test(tc, test_pm1_status_enable);
    tcase_add_test(tc, test_pm_sleep_states);
    tcase_add_test(tc, test_pm_reset_register);
    suite_add_tcase(s, tc);

    tc = tcase_create("pc_testdev");
    tcase_add_checked_fixture(tc, tdev_setup, machine_teardown);
    tcase_add_test(tc, test_testdev_ports);
    tcase_add_test(tc, test_testdev_iomem);
    tcase_add_test(tc, test_testdev_irq_lines);
    tcase_add_test(tc, test_testdev_finds_controllers);
    tcase_add_test(tc, test_testdev_flush_page);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;
    main_loop_init();
    sr = srunner_create(i8042_pm_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

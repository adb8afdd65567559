/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_devices_isa.c — the ISA devices driven through the port I/O address
 * space of a hand-made Machine (the tests/dev level of DESIGN.md: no CPU, no accelerator,
 * a ring-buffer chardev): the 16550A UART (hw/char/serial16550.c), isa-debug-exit,
 * port 0x92 and fw_cfg (traditional and DMA interfaces).
 *
 * Not covered: the UART's timeout at real line speeds beyond one divisor, the boards'
 * wiring of these devices (tests/guests does that).
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/char/serial16550.h"
#include "hw/misc/port92.h"
#include "hw/nvram/fw_cfg.h"
#include "backends/chardev.h"
#include "system/main-loop.h"
#include <check.h>

extern const DeviceClass isa_debug_exit_class;

/* ---------------------------------------------------------------------------------------
 * Fixture: a machine with 1 MiB of RAM and a 64 KiB port space; an IRQ probe.
 */

#define COM1 0x3f8
enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

static Machine *m;
static Chardev *chr;

static struct {
    int level;
    int rises;
    int calls;
} probe;

static void probe_irq(void *opaque, int n, int level)
{
    (void)opaque;
    (void)n;
    if (level && !probe.level) {
        probe.rises++;
    }
    probe.level = level;
    probe.calls++;
}

static const IrqLine probe_line = { .handler = probe_irq, .opaque = NULL, .n = 0 };

static void setup(void)
{
    m = xzalloc(sizeof(*m));
    m->opts.smp = 2;
    m->opts.ram_size = 1 * MiB;
    mr_init_container(&m->sysmem, "system", UINT64_MAX);
    mr_init_container(&m->io, "io", 0x10000);
    mr_init_ram(&m->ram, "ram", 1 * MiB);
    mr_add_subregion(&m->sysmem, 0, &m->ram, 0);
    as_init(&m->sysmem_as, &m->sysmem, "memory");
    as_init(&m->io_as, &m->io, "I/O");
    memset(&probe, 0, sizeof(probe));
    chr = NULL;
    main_loop_init();
}

static void teardown(void)
{
    while (m->devices) {
        device_destroy(m->devices);
    }
    if (chr) {
        chr_free(chr);
    }
    as_destroy(&m->sysmem_as);
    as_destroy(&m->io_as);
    mr_del_subregion(&m->sysmem, &m->ram);
    mr_destroy(&m->ram);
    mr_destroy(&m->sysmem);
    mr_destroy(&m->io);
    free(m);
}

static void outb(uint16_t port, uint8_t v)
{
    ck_assert_int_eq(as_st(&m->io_as, port, 1, v), MEMTX_OK);
}

static void outw(uint16_t port, uint16_t v)
{
    ck_assert_int_eq(as_st(&m->io_as, port, 2, v), MEMTX_OK);
}

static void outl(uint16_t port, uint32_t v)
{
    ck_assert_int_eq(as_st(&m->io_as, port, 4, v), MEMTX_OK);
}

static uint8_t inb(uint16_t port)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m->io_as, port, 1, &v), MEMTX_OK);
    return (uint8_t)v;
}

/* A UART at COM1 on a ring buffer, its output wired to the probe. */
static Device *new_uart(void)
{
    Device *d = device_create_class(m, &isa_serial_class, "com1", "iobase=0x3f8,irq=4");
    ck_assert_ptr_nonnull(d);
    chr = chr_new("ringbuf", "serial0");
    serial16550_attach_chardev(d, chr);
    irq_connect(device_irq_out(d, 0), &probe_line);
    return d;
}

static void feed(const char *s, size_t len)
{
    chr_ringbuf_feed(chr, (const uint8_t *)s, len);
}

/* ---------------------------------------------------------------------------------------
 * 16550A
 */

START_TEST(test_uart_reset_values)
{
    Device *d = new_uart();
    ck_assert_int_eq(serial16550_isa_irq(d), 4);
    ck_assert_uint_eq(inb(COM1 + IER), 0x00);
    ck_assert_uint_eq(inb(COM1 + IIR), 0x01);
    ck_assert_uint_eq(inb(COM1 + LCR), 0x00);
    ck_assert_uint_eq(inb(COM1 + MCR), 0x00);
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);        /* THRE | TEMT */
    ck_assert_uint_eq(inb(COM1 + MSR), 0xb0);        /* DCD | DSR | CTS, no deltas */
    ck_assert_uint_eq(inb(COM1 + SCR), 0x00);
    ck_assert_int_eq(probe.level, 0);
}
END_TEST

START_TEST(test_uart_divisor_latch_and_scratch)
{
    Device *d = new_uart();
    outb(COM1 + LCR, 0x80);                           /* DLAB */
    ck_assert_uint_eq(inb(COM1 + DLL), 12);           /* 9600 baud after reset */
    ck_assert_uint_eq(inb(COM1 + DLM), 0);
    outb(COM1 + DLL, 0x01);
    outb(COM1 + DLM, 0x02);
    ck_assert_uint_eq(inb(COM1 + DLL), 0x01);
    ck_assert_uint_eq(inb(COM1 + DLM), 0x02);
    ck_assert_uint_eq(inb(COM1 + LCR), 0x80);
    outb(COM1 + LCR, 0x03);                           /* 8N1, DLAB off */
    ck_assert_uint_eq(inb(COM1 + LCR), 0x03);
    ck_assert_uint_eq(inb(COM1 + IER), 0x00);         /* IER again, not DLM */
    outb(COM1 + IER, 0xff);
    ck_assert_uint_eq(inb(COM1 + IER), 0x0f);         /* bits 4-7 read 0 */
    outb(COM1 + LCR, 0x83);
    ck_assert_uint_eq(inb(COM1 + DLM), 0x02);         /* the latch kept its value */
    outb(COM1 + LCR, 0x03);
    outb(COM1 + SCR, 0x5a);
    ck_assert_uint_eq(inb(COM1 + SCR), 0x5a);
    ck_assert_uint_eq(d->stat_writes, 8);
    ck_assert_uint_eq(d->stat_reads, 10);
}
END_TEST

START_TEST(test_uart_transmit)
{
    uint8_t out[16];
    new_uart();
    outb(COM1 + LCR, 0x03);
    outb(COM1 + THR, 'H');
    outb(COM1 + THR, 'i');
    outb(COM1 + THR, '\r');
    outb(COM1 + THR, '\n');
    ck_assert_uint_eq(chr_ringbuf_read(chr, out, sizeof(out)), 4);
    ck_assert_int_eq(memcmp(out, "Hi\r\n", 4), 0);
    ck_assert_uint_eq(inb(COM1 + LSR) & 0x60, 0x60);  /* instant transmit */
    outb(COM1 + LCR, 0x00);                           /* 5 data bits: the host still */
    outb(COM1 + THR, 0xc1);                           /* gets 8, for unprogrammed UARTs */
    ck_assert_uint_eq(chr_ringbuf_read(chr, out, sizeof(out)), 1);
    ck_assert_uint_eq(out[0], 0xc1);
    outb(COM1 + LCR, 0x83);                           /* DLAB: offset 0 is DLL, not THR */
    outb(COM1 + THR, 0x55);
    ck_assert_uint_eq(chr_ringbuf_read(chr, out, sizeof(out)), 0);
}
END_TEST

START_TEST(test_uart_thre_interrupt_and_out2)
{
    new_uart();
    outb(COM1 + IER, 0x02);                           /* ETBEI with THR empty */
    ck_assert_uint_eq(inb(COM1 + IIR), 0x02);
    ck_assert_int_eq(probe.level, 0);                 /* OUT2 clear: the PC sees nothing */
    outb(COM1 + IER, 0x00);
    outb(COM1 + MCR, 0x08);                           /* OUT2 */
    outb(COM1 + IER, 0x02);
    ck_assert_int_eq(probe.level, 1);
    ck_assert_uint_eq(inb(COM1 + IIR), 0x02);         /* reading IIR acknowledges it */
    ck_assert_int_eq(probe.level, 0);
    ck_assert_uint_eq(inb(COM1 + IIR), 0x01);
    int rises = probe.rises;
    outb(COM1 + THR, 'x');                            /* sent: THR empty again */
    ck_assert_int_eq(probe.level, 1);
    ck_assert_int_eq(probe.rises, rises + 1);
    outb(COM1 + THR, 'y');                            /* one edge per byte */
    ck_assert_int_eq(probe.rises, rises + 2);
    outb(COM1 + IER, 0x00);
    ck_assert_int_eq(probe.level, 0);
    ck_assert_uint_eq(inb(COM1 + IIR), 0x01);
}
END_TEST

START_TEST(test_uart_receive)
{
    Device *d = new_uart();
    outb(COM1 + MCR, 0x0b);                           /* DTR RTS OUT2 */
    outb(COM1 + IER, 0x01);                           /* ERBFI */
    ck_assert_int_eq(probe.level, 0);
    feed("A", 1);
    ck_assert_uint_eq(inb(COM1 + LSR), 0x61);         /* DR */
    ck_assert_int_eq(probe.level, 1);
    ck_assert_uint_eq(inb(COM1 + IIR), 0x04);
    ck_assert_uint_eq(inb(COM1 + RBR), 'A');
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);
    ck_assert_int_eq(probe.level, 0);
    ck_assert_uint_eq(inb(COM1 + IIR), 0x01);
    ck_assert_uint_eq(inb(COM1 + RBR), 'A');          /* empty: the last byte again */
    ck_assert_uint_eq(d->stat_reads, 6);
}
END_TEST

START_TEST(test_uart_receive_flow_control_16450)
{
    new_uart();
    feed("abc", 3);                                   /* one holding register: no overrun */
    ck_assert_uint_eq(inb(COM1 + LSR), 0x61);
    ck_assert_uint_eq(inb(COM1 + RBR), 'a');
    ck_assert_uint_eq(inb(COM1 + LSR), 0x61);
    ck_assert_uint_eq(inb(COM1 + RBR), 'b');
    ck_assert_uint_eq(inb(COM1 + RBR), 'c');
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);         /* no OE ever */
}
END_TEST

START_TEST(test_uart_fifo_trigger_level)
{
    new_uart();
    outb(COM1 + MCR, 0x08);
    outb(COM1 + FCR, 0x81);                           /* FIFO on, trigger 8 */
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc1);
    outb(COM1 + IER, 0x01);
    feed("1234567", 7);
    ck_assert_uint_eq(inb(COM1 + LSR) & 0x01, 0x01);
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc1);         /* below the trigger */
    ck_assert_int_eq(probe.level, 0);
    feed("8", 1);
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc4);
    ck_assert_int_eq(probe.level, 1);
    ck_assert_uint_eq(inb(COM1 + RBR), '1');          /* 7 left: below the trigger again */
    ck_assert_int_eq(probe.level, 0);
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc1);
    outb(COM1 + FCR, 0xc3);                           /* trigger 14 + clear the RX FIFO */
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);
    feed("abcdefghijklmn", 14);
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc4);
    outb(COM1 + FCR, 0x43);                           /* trigger 4 */
    feed("ABCD", 4);
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc4);
    ck_assert_uint_eq(inb(COM1 + RBR), 'A');
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc1);
    outb(COM1 + FCR, 0x00);                           /* FIFO off: cleared, 16450 mode */
    ck_assert_uint_eq(inb(COM1 + IIR), 0x01);
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);
}
END_TEST

START_TEST(test_uart_fifo_holds_16)
{
    char got[32];
    new_uart();
    outb(COM1 + FCR, 0x07);
    feed("ABCDEFGHIJKLMNOPQRST", 20);                 /* 16 fit, 4 wait in the chardev */
    for (int i = 0; i < 20; i++) {
        ck_assert_uint_eq(inb(COM1 + LSR) & 0x03, 0x01);   /* DR, never OE */
        got[i] = (char)inb(COM1 + RBR);
    }
    ck_assert_int_eq(memcmp(got, "ABCDEFGHIJKLMNOPQRST", 20), 0);
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);
}
END_TEST

START_TEST(test_uart_fifo_timeout)
{
    new_uart();
    outb(COM1 + LCR, 0x80);
    outb(COM1 + DLL, 1);                              /* 115200 baud: timeout ~350 us */
    outb(COM1 + LCR, 0x03);
    outb(COM1 + MCR, 0x08);
    outb(COM1 + FCR, 0xc1);                           /* trigger 14 */
    outb(COM1 + IER, 0x01);
    feed("xy", 2);
    ck_assert_int_eq(probe.level, 0);
    for (int i = 0; i < 200 && !probe.level; i++) {
        main_loop_poll_once(true);
    }
    ck_assert_int_eq(probe.level, 1);
    ck_assert_uint_eq(inb(COM1 + IIR), 0xcc);         /* character timeout */
    ck_assert_uint_eq(inb(COM1 + RBR), 'x');          /* reading clears it... */
    ck_assert_int_eq(probe.level, 0);
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc1);
    for (int i = 0; i < 200 && !probe.level; i++) {   /* ...and restarts the timer */
        main_loop_poll_once(true);
    }
    ck_assert_uint_eq(inb(COM1 + IIR), 0xcc);
    ck_assert_uint_eq(inb(COM1 + RBR), 'y');
    for (int i = 0; i < 20; i++) {                    /* empty FIFO: no more timeouts */
        main_loop_poll_once(false);
    }
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc1);
    ck_assert_int_eq(probe.level, 0);
}
END_TEST

START_TEST(test_uart_priorities)
{
    new_uart();
    outb(COM1 + LCR, 0x03);                           /* 8N1 (loopback applies it) */
    outb(COM1 + MCR, 0x08);
    outb(COM1 + IER, 0x0f);                           /* all four sources */
    ck_assert_uint_eq(inb(COM1 + IIR), 0x02);         /* THRE (lowest but one) */
    feed("r", 1);
    ck_assert_uint_eq(inb(COM1 + IIR), 0x04);         /* received data beats THRE */
    /* an overrun (via loopback, the only way to overrun): line status beats all */
    outb(COM1 + MCR, 0x18);
    outb(COM1 + THR, 's');                            /* RBR still holds 'r': OE */
    ck_assert_uint_eq(inb(COM1 + IIR), 0x06);
    ck_assert_int_eq(probe.level, 0);                 /* loopback forces OUT2 inactive */
    ck_assert_uint_eq(inb(COM1 + LSR), 0x63);         /* DR OE THRE TEMT; reading clears OE */
    ck_assert_uint_eq(inb(COM1 + IIR), 0x04);
    ck_assert_uint_eq(inb(COM1 + RBR), 's');          /* 16450 mode: overwritten */
    ck_assert_uint_eq(inb(COM1 + IIR), 0x02);         /* THR empty after the write */
    ck_assert_uint_eq(inb(COM1 + IIR), 0x00);         /* modem status: MSR deltas pending */
    ck_assert_uint_eq(inb(COM1 + MSR), 0x83);         /* DCD=OUT2 stays; CTS, DSR fell */
    ck_assert_uint_eq(inb(COM1 + IIR), 0x01);
}
END_TEST

START_TEST(test_uart_loopback)
{
    uint8_t out[8];
    new_uart();
    outb(COM1 + LCR, 0x03);
    outb(COM1 + MCR, 0x1f);                           /* loop + DTR RTS OUT1 OUT2 */
    ck_assert_uint_eq(inb(COM1 + MSR), 0xf0);         /* CTS=RTS DSR=DTR RI=OUT1 DCD=OUT2;
                                                         RI rising sets no delta */
    outb(COM1 + MCR, 0x10);
    ck_assert_uint_eq(inb(COM1 + MSR), 0x0f);         /* all fell: DCTS DDSR TERI DDCD */
    outb(COM1 + THR, 'L');
    ck_assert_uint_eq(chr_ringbuf_read(chr, out, sizeof(out)), 0);   /* not sent out */
    ck_assert_uint_eq(inb(COM1 + LSR), 0x61);
    ck_assert_uint_eq(inb(COM1 + RBR), 'L');
    feed("h", 1);                                     /* host input waits during loopback */
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);
    outb(COM1 + LCR, 0x43);                           /* set break: we receive it */
    ck_assert_uint_eq(inb(COM1 + LSR), 0x71);         /* DR BI */
    ck_assert_uint_eq(inb(COM1 + LSR), 0x61);         /* BI cleared by the read */
    ck_assert_uint_eq(inb(COM1 + RBR), 0x00);
    outb(COM1 + LCR, 0x03);
    outb(COM1 + FCR, 0x01);                           /* FIFO: 17 bytes overrun by one */
    for (int i = 0; i < 17; i++) {
        outb(COM1 + THR, 'a' + i);
    }
    ck_assert_uint_eq(inb(COM1 + LSR), 0x63);
    for (int i = 0; i < 16; i++) {
        ck_assert_uint_eq(inb(COM1 + RBR), 'a' + i);  /* the 17th was lost */
    }
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);
    outb(COM1 + MCR, 0x00);                           /* leaving loopback: host input flows */
    ck_assert_uint_eq(inb(COM1 + RBR), 'h');
    ck_assert_uint_eq(inb(COM1 + MSR) & 0xf0, 0xb0);
}
END_TEST

START_TEST(test_uart_fifo_break_error_bit)
{
    new_uart();
    outb(COM1 + FCR, 0x01);
    outb(COM1 + MCR, 0x10);
    outb(COM1 + THR, 'a');
    outb(COM1 + LCR, 0x40);                           /* a break behind 'a' in the FIFO */
    ck_assert_uint_eq(inb(COM1 + LSR), 0xe1);         /* FIFO error, no BI yet */
    ck_assert_uint_eq(inb(COM1 + RBR), 'a' & 0x1f);   /* LCR=0x40: 5-bit words */
    ck_assert_uint_eq(inb(COM1 + LSR), 0xf1);         /* the break is on top now */
    ck_assert_uint_eq(inb(COM1 + RBR), 0);
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);
}
END_TEST

START_TEST(test_uart_chardev_property)
{
    uint8_t out[4];
    chr = chr_new("ringbuf", "com2-host");
    Device *d = device_create_class(m, &isa_serial_class, "com2", "iobase=0x2f8,chardev=com2-host");
    ck_assert_ptr_nonnull(d);
    outb(0x2f8, 'Z');
    ck_assert_uint_eq(chr_ringbuf_read(chr, out, sizeof(out)), 1);
    ck_assert_uint_eq(out[0], 'Z');
    ck_assert_ptr_null(device_create_class(m, &isa_serial_class, "com3",
                                           "iobase=0x3e8,chardev=nope"));
    ck_assert_ptr_null(device_create_class(m, &isa_serial_class, "com3", "bogus=1"));
    ck_assert_ptr_null(m->devices->next);
}
END_TEST

START_TEST(test_uart_reset_and_save_load)
{
    Device *d = new_uart();
    uint8_t blob[256];
    size_t n;
    outb(COM1 + LCR, 0x80);
    outb(COM1 + DLL, 3);
    outb(COM1 + LCR, 0x1b);
    outb(COM1 + MCR, 0x0b);
    outb(COM1 + SCR, 0x77);
    outb(COM1 + FCR, 0x81);
    outb(COM1 + IER, 0x01);
    feed("qr", 2);
    n = d->cls->save(d, blob, sizeof(blob));
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(n, sizeof(blob));

    device_reset(d);
    ck_assert_uint_eq(inb(COM1 + LCR), 0);
    ck_assert_uint_eq(inb(COM1 + MCR), 0);
    ck_assert_uint_eq(inb(COM1 + SCR), 0);
    ck_assert_uint_eq(inb(COM1 + IIR), 0x01);
    ck_assert_uint_eq(inb(COM1 + LSR), 0x60);
    ck_assert_int_eq(probe.level, 0);

    ck_assert_int_eq(d->cls->load(d, blob, n), 0);
    ck_assert_uint_eq(inb(COM1 + LCR), 0x1b);
    ck_assert_uint_eq(inb(COM1 + MCR), 0x0b);
    ck_assert_uint_eq(inb(COM1 + SCR), 0x77);
    ck_assert_uint_eq(inb(COM1 + IIR), 0xc1);
    ck_assert_uint_eq(inb(COM1 + RBR), 'q');
    ck_assert_uint_eq(inb(COM1 + RBR), 'r');
    ck_assert_int_eq(d->cls->load(d, blob, n - 1), -EINVAL);
}
END_TEST

START_TEST(test_uart_unmapped_without_machine)
{
    Device *d = device_create_class(NULL, &isa_serial_class, "lone", NULL);
    uint64_t v;
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(as_ld(&m->io_as, COM1 + LSR, 1, &v), MEMTX_UNASSIGNED);
    mr_add_subregion(&m->io, 0x100, device_pio(d, 0), 0);
    ck_assert_uint_eq(inb(0x100 + LSR), 0x60);
    device_destroy(d);                                /* unmaps itself */
    ck_assert_int_eq(as_ld(&m->io_as, 0x100 + LSR, 1, &v), MEMTX_UNASSIGNED);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * isa-debug-exit
 */

START_TEST(test_debug_exit_default)
{
    Device *d = device_create_class(m, &isa_debug_exit_class, "dbg", NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(inb(0x501), 0);
    ck_assert(!m->shutdown_requested);
    outb(0x501, 3);
    ck_assert(m->shutdown_requested);
    ck_assert_int_eq(m->exit_status, 7);
    ck_assert_uint_eq(d->stat_writes, 1);
}
END_TEST

START_TEST(test_debug_exit_iosize4)
{
    uint64_t v;
    ck_assert_ptr_nonnull(device_create_class(m, &isa_debug_exit_class, "dbg",
                                              "iobase=0xf4,iosize=4"));
    ck_assert_int_eq(as_ld(&m->io_as, 0xf4, 4, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0);
    outl(0xf4, 0x10);
    ck_assert(m->shutdown_requested);
    ck_assert_int_eq(m->exit_status, 0x21);
}
END_TEST

START_TEST(test_debug_exit_bad_iosize)
{
    ck_assert_ptr_null(device_create_class(m, &isa_debug_exit_class, "dbg", "iosize=3"));
    ck_assert_ptr_null(m->devices);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * port 0x92
 */

START_TEST(test_port92)
{
    Device *d = device_create_class(m, &port92_class, "port92", NULL);
    ck_assert_ptr_nonnull(d);
    irq_connect(device_irq_out(d, 0), &probe_line);
    ck_assert_uint_eq(inb(0x92), 0x00);
    outb(0x92, 0x02);                                 /* A20 on */
    ck_assert_int_eq(probe.level, 1);
    ck_assert(port92_a20_enabled(d));
    ck_assert_uint_eq(inb(0x92), 0x02);
    ck_assert(!m->reset_requested);
    outb(0x92, 0x03);                                 /* fast reset */
    ck_assert(m->reset_requested);
    ck_assert_uint_eq(inb(0x92), 0x03);
    device_reset(d);
    ck_assert_uint_eq(inb(0x92), 0x02);
    outb(0x92, 0x00);                                 /* A20 off */
    ck_assert_int_eq(probe.level, 0);
    ck_assert(!port92_a20_enabled(d));
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * fw_cfg
 */

static void fw_select(uint16_t key)
{
    outw(0x510, key);
}

static void fw_read(void *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        ((uint8_t *)buf)[i] = inb(0x511);
    }
}

static uint64_t fw_read_le(size_t len)
{
    uint8_t b[8];
    uint64_t v = 0;
    fw_read(b, len);
    for (size_t i = 0; i < len; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    return v;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static Device *new_fw_cfg(const char *props)
{
    Device *d = device_create_class(m, &fw_cfg_io_class, "fw_cfg", props);
    ck_assert_ptr_nonnull(d);
    return d;
}

START_TEST(test_fw_cfg_signature_and_reselect)
{
    char sig[5] = { 0 };
    new_fw_cfg(NULL);
    fw_read(sig, 4);                                  /* key 0 is selected after reset */
    ck_assert_str_eq(sig, "QEMU");
    ck_assert_uint_eq(inb(0x511), 0);                 /* past the end */
    fw_select(FW_CFG_SIGNATURE);                      /* re-select: offset back to 0 */
    ck_assert_uint_eq(inb(0x511), 'Q');
    ck_assert_uint_eq(inb(0x511), 'E');
    fw_select(FW_CFG_SIGNATURE);
    ck_assert_uint_eq(inb(0x510), 'Q');               /* a byte read at the selector too */
    fw_select(FW_CFG_ID);
    ck_assert_uint_eq(fw_read_le(4), 3);              /* traditional + DMA */
    fw_select(FW_CFG_UUID);
    ck_assert_uint_eq(fw_read_le(8), 0);
}
END_TEST

START_TEST(test_fw_cfg_numbers)
{
    Device *d = new_fw_cfg("dma=off");
    fw_select(FW_CFG_ID);
    ck_assert_uint_eq(fw_read_le(4), 1);
    fw_select(FW_CFG_NB_CPUS);                        /* from the machine's options */
    ck_assert_uint_eq(fw_read_le(2), 2);
    fw_select(FW_CFG_RAM_SIZE);
    ck_assert_uint_eq(fw_read_le(8), 1 * MiB);
    ck_assert_int_eq(fw_cfg_add_i16(d, FW_CFG_NB_CPUS, 4), 0);
    fw_select(FW_CFG_NB_CPUS);
    ck_assert_uint_eq(fw_read_le(2), 4);
    ck_assert_uint_eq(inb(0x511), 0);
    fw_cfg_add_i32(d, FW_CFG_KERNEL_SIZE, 0x12345678);
    fw_cfg_add_i64(d, FW_CFG_KERNEL_ADDR, 0x1122334455667788ULL);
    fw_cfg_add_string(d, FW_CFG_KERNEL_CMDLINE, "console=ttyS0");
    fw_select(FW_CFG_KERNEL_SIZE);
    ck_assert_uint_eq(inb(0x511), 0x78);              /* little-endian */
    ck_assert_uint_eq(fw_read_le(3), 0x123456);
    fw_select(FW_CFG_KERNEL_ADDR);
    ck_assert_uint_eq(fw_read_le(8), 0x1122334455667788ULL);
    char cmd[16];
    fw_select(FW_CFG_KERNEL_CMDLINE);
    fw_read(cmd, 14);
    ck_assert_str_eq(cmd, "console=ttyS0");
    fw_select(0x1f);                                  /* unknown keys read 0 */
    ck_assert_uint_eq(fw_read_le(4), 0);
    fw_select(0x7fff);
    ck_assert_uint_eq(fw_read_le(4), 0);
    ck_assert_int_eq(fw_cfg_add_i32(d, 0x8100, 1), -EINVAL);
    uint8_t e820[20] = { 1, 2, 3 };                   /* arch-local keys */
    ck_assert_int_eq(fw_cfg_add_bytes(d, FW_CFG_E820_TABLE, e820, sizeof(e820)), 0);
    fw_select(FW_CFG_E820_TABLE);
    ck_assert_uint_eq(fw_read_le(4), 0x030201);
    fw_select(0x0003);                                /* not the same as generic key 3 */
    ck_assert_uint_eq(fw_read_le(8), 1 * MiB);
    uint64_t v;                                       /* no DMA ports with dma=off */
    ck_assert_int_eq(as_ld(&m->io_as, 0x514, 4, &v), MEMTX_UNASSIGNED);
}
END_TEST

START_TEST(test_fw_cfg_files)
{
    Device *d = new_fw_cfg(NULL);
    uint8_t dir[4 + 3 * 64];
    char name[57];

    fw_select(FW_CFG_FILE_DIR);                       /* empty directory */
    ck_assert_uint_eq(fw_read_le(4), 0);

    ck_assert_int_eq(fw_cfg_add_file(d, "etc/zeta", "zzz", 3), 0x20);
    ck_assert_int_eq(fw_cfg_add_file(d, "etc/alpha", "aaaaa", 5), 0x21);
    ck_assert_int_eq(fw_cfg_add_file(d, "bootorder", "/pci@i0cf8/*\n", 14), 0x22);
    ck_assert_int_eq(fw_cfg_find_file(d, "etc/alpha"), 0x21);
    ck_assert_int_eq(fw_cfg_find_file(d, "nope"), -ENOENT);

    fw_select(FW_CFG_FILE_DIR);
    fw_read(dir, sizeof(dir));
    ck_assert_uint_eq(be32(dir), 3);                  /* big-endian count */
    /* entries sorted by name: bootorder, etc/alpha, etc/zeta */
    static const struct { const char *name; uint32_t size; uint16_t select; } want[3] = {
        { "bootorder", 14, 0x22 }, { "etc/alpha", 5, 0x21 }, { "etc/zeta", 3, 0x20 },
    };
    for (int i = 0; i < 3; i++) {
        const uint8_t *e = dir + 4 + 64 * i;
        ck_assert_uint_eq(be32(e), want[i].size);
        ck_assert_uint_eq((e[4] << 8) | e[5], want[i].select);
        ck_assert_uint_eq(e[6] | e[7], 0);            /* reserved */
        memcpy(name, e + 8, 56);
        name[56] = '\0';
        ck_assert_str_eq(name, want[i].name);
        for (size_t k = strlen(want[i].name); k < 56; k++) {
            ck_assert_uint_eq(e[8 + k], 0);
        }
    }
    ck_assert_uint_eq(inb(0x511), 0);

    fw_select(0x21);
    fw_read(name, 5);
    ck_assert_int_eq(memcmp(name, "aaaaa", 5), 0);
    ck_assert_uint_eq(inb(0x511), 0);

    /* replacing keeps the key and updates the directory */
    ck_assert_int_eq(fw_cfg_add_file(d, "etc/zeta", "zz", 2), 0x20);
    fw_select(FW_CFG_FILE_DIR);
    fw_read(dir, sizeof(dir));
    ck_assert_uint_eq(be32(dir), 3);
    ck_assert_uint_eq(be32(dir + 4 + 128), 2);

    char longname[80];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ck_assert_int_lt(fw_cfg_add_file(d, longname, "x", 1), 0);
    longname[55] = '\0';                              /* 55 bytes + NUL fit */
    ck_assert_int_eq(fw_cfg_add_file(d, longname, "x", 1), 0x23);
    ck_assert_int_lt(fw_cfg_add_file(d, "", "x", 1), 0);
}
END_TEST

/* Write a FWCfgDmaAccess at `at` and start it through the two 32-bit DMA registers. */
static uint32_t fw_dma(hwaddr at, uint32_t control, uint32_t len, uint64_t addr)
{
    uint8_t desc[16];
    for (int i = 0; i < 4; i++) {
        desc[i] = (uint8_t)(control >> (24 - 8 * i));
        desc[4 + i] = (uint8_t)(len >> (24 - 8 * i));
    }
    for (int i = 0; i < 8; i++) {
        desc[8 + i] = (uint8_t)(addr >> (56 - 8 * i));
    }
    ck_assert_int_eq(as_write(&m->sysmem_as, at, desc, sizeof(desc)), MEMTX_OK);
    outl(0x514, __builtin_bswap32((uint32_t)(at >> 32)));
    outl(0x518, __builtin_bswap32((uint32_t)at));
    ck_assert_int_eq(as_read(&m->sysmem_as, at, desc, 4), MEMTX_OK);
    return be32(desc);
}

START_TEST(test_fw_cfg_dma)
{
    Device *d = new_fw_cfg(NULL);
    uint8_t buf[16], sig[8];
    ck_assert_int_eq(as_read(&m->io_as, 0x514, sig, 8), MEMTX_OK);
    ck_assert_int_eq(memcmp(sig, "QEMU CFG", 8), 0);

    /* select + read past the end: zeros after the 4 signature bytes */
    memset(buf, 0xff, sizeof(buf));
    as_write(&m->sysmem_as, 0x2000, buf, sizeof(buf));
    ck_assert_uint_eq(fw_dma(0x1000, (FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_CTL_SELECT |
                             FW_CFG_DMA_CTL_READ, 8, 0x2000), 0);
    as_read(&m->sysmem_as, 0x2000, buf, sizeof(buf));
    ck_assert_int_eq(memcmp(buf, "QEMU\0\0\0\0\xff", 9), 0);

    /* select a file, skip 2, read 3; then the data port continues where DMA stopped */
    fw_cfg_add_file(d, "etc/test", "0123456789", 10);
    ck_assert_uint_eq(fw_dma(0x1000, (0x20u << 16) | FW_CFG_DMA_CTL_SELECT |
                             FW_CFG_DMA_CTL_SKIP, 2, 0), 0);
    ck_assert_uint_eq(fw_dma(0x1000, FW_CFG_DMA_CTL_READ, 3, 0x3000), 0);
    as_read(&m->sysmem_as, 0x3000, buf, 3);
    ck_assert_int_eq(memcmp(buf, "234", 3), 0);
    ck_assert_uint_eq(inb(0x511), '5');

    /* writes are refused with the error bit */
    ck_assert_uint_eq(fw_dma(0x1000, (0x20u << 16) | FW_CFG_DMA_CTL_SELECT |
                             FW_CFG_DMA_CTL_WRITE, 4, 0x3000), FW_CFG_DMA_CTL_ERROR);
    /* a read into unassigned memory is an error too */
    ck_assert_uint_eq(fw_dma(0x1000, (0x20u << 16) | FW_CFG_DMA_CTL_SELECT |
                             FW_CFG_DMA_CTL_READ, 4, 0x40000000), FW_CFG_DMA_CTL_ERROR);
    /* select only */
    ck_assert_uint_eq(fw_dma(0x1000, (FW_CFG_ID << 16) | FW_CFG_DMA_CTL_SELECT, 0, 0), 0);
    ck_assert_uint_eq(fw_read_le(4), 3);
}
END_TEST

START_TEST(test_fw_cfg_reset_and_save)
{
    Device *d = new_fw_cfg(NULL);
    uint8_t blob[32];
    size_t n;
    fw_select(FW_CFG_SIGNATURE);
    inb(0x511);
    inb(0x511);
    n = d->cls->save(d, blob, sizeof(blob));
    device_reset(d);
    ck_assert_uint_eq(inb(0x511), 'Q');
    ck_assert_int_eq(d->cls->load(d, blob, n), 0);
    ck_assert_uint_eq(inb(0x511), 'M');
}
END_TEST

static Suite *devices_suite(void)
{
    Suite *s = suite_create("devices-isa");
    TCase *tc = tcase_create("serial16550");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_uart_reset_values);
    tcase_add_test(tc, test_uart_divisor_latch_and_scratch);
    tcase_add_test(tc, test_uart_transmit);
    tcase_add_test(tc, test_uart_thre_interrupt_and_out2);
    tcase_add_test(tc, test_uart_receive);
    tcase_add_test(tc, test_uart_receive_flow_control_16450);
    tcase_add_test(tc, test_uart_fifo_trigger_level);
    tcase_add_test(tc, test_uart_fifo_holds_16);
    tcase_add_test(tc, test_uart_fifo_timeout);
    tcase_add_test(tc, test_uart_priorities);
    tcase_add_test(tc, test_uart_loopback);
    tcase_add_test(tc, test_uart_fifo_break_error_bit);
    tcase_add_test(tc, test_uart_chardev_property);
    tcase_add_test(tc, test_uart_reset_and_save_load);
    tcase_add_test(tc, test_uart_unmapped_without_machine);
    suite_add_tcase(s, tc);

    tc = tcase_create("isa-debug-exit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_debug_exit_default);
    tcase_add_test(tc, test_debug_exit_iosize4);
    tcase_add_test(tc, test_debug_exit_bad_iosize);
    suite_add_tcase(s, tc);

    tc = tcase_create("port92");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_port92);
    suite_add_tcase(s, tc);

    tc = tcase_create("fw_cfg");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fw_cfg_signature_and_reselect);
    tcase_add_test(tc, test_fw_cfg_numbers);
    tcase_add_test(tc, test_fw_cfg_files);
    tcase_add_test(tc, test_fw_cfg_dma);
    tcase_add_test(tc, test_fw_cfg_reset_and_save);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(devices_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

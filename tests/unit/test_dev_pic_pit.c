/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_dev_pic_pit.c — the 8259 pair (hw/intc/i8259.c) and the 8254 PIT with
 * port 0x61 (hw/timer/i8254.c), driven through a real port-I/O address space.
 *
 * PIC: the Linux/BIOS initialisation sequence, reset state, raise -> INTR, acknowledge,
 * EOI (non-specific, specific), masking, the cascade, priorities and rotation, spurious
 * IRQ 7/15, level mode via the ELCR, poll mode, IRR/ISR reads, auto-EOI, special mask
 * mode, save/load. PIT: counting in modes 0-4 against CLOCK_VIRTUAL, BCD, the latch and
 * read-back commands, the gate of counter 2 through port 0x61 and its OUT in bit 5, IRQ 0
 * edges delivered by the main loop's timers, reset state.
 *
 * Time: CLOCK_VIRTUAL is frozen with clock_virtual_pause(true) while registers are
 * programmed; letting it run for a while and freezing it again gives an exact elapsed time
 * from which the expected counts follow. Not covered: the real-time rate of IRQ 0 under
 * load (only bounds are checked).
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/intc/i8259.h"
#include "hw/timer/i8254.h"
#include "system/main-loop.h"
#include <check.h>
#include <unistd.h>

static Machine m;
static Device *pic, *pit;
static int intr_level, intr_edges;
static int irq0_level, irq0_edges;

static void intr_handler(void *opaque, int n, int level)
{
    if (level && !intr_level) {
        intr_edges++;
    }
    intr_level = level;
}

static void irq0_handler(void *opaque, int n, int level)
{
    if (level && !irq0_level) {
        irq0_edges++;
    }
    irq0_level = level;
}

static const IrqLine intr_line = { intr_handler, NULL, 0 };
static const IrqLine irq0_line = { irq0_handler, NULL, 0 };

static void outb(uint16_t port, uint8_t v)
{
    ck_assert_int_eq(as_st(&m.io_as, port, 1, v), MEMTX_OK);
}

static uint8_t inb(uint16_t port)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m.io_as, port, 1, &v), MEMTX_OK);
    return v;
}

static void raise(int irq)
{
    irq_raise(device_irq_in(pic, irq));
}

static void lower(int irq)
{
    irq_lower(device_irq_in(pic, irq));
}

static void setup(void)
{
    memset(&m, 0, sizeof(m));
    mr_init_container(&m.io, "io", 0x10000);
    mr_init_container(&m.sysmem, "sysmem", 4 * GiB);
    as_init(&m.io_as, &m.io, "io");
    as_init(&m.sysmem_as, &m.sysmem, "memory");
    pic = device_create_class(&m, &i8259_class, "pic", NULL);
    ck_assert_ptr_nonnull(pic);
    irq_connect(device_irq_out(pic, 0), &intr_line);
    intr_level = 0;
    intr_edges = 0;
}

static void teardown(void)
{
    clock_virtual_pause(false);
    while (m.devices) {
        device_destroy(m.devices);
    }
    as_destroy(&m.io_as);
    as_destroy(&m.sysmem_as);
    mr_destroy(&m.io);
    mr_destroy(&m.sysmem);
}

/* What Linux's init_8259A() and a PC BIOS write: edge, cascade, 8086 mode. */
static void pic_init(uint8_t master_base, uint8_t slave_base, uint8_t icw4)
{
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
    outb(0x20, 0x11);           /* ICW1: edge, cascade, ICW4 needed */
    outb(0x21, master_base);    /* ICW2 */
    outb(0x21, 0x04);           /* ICW3: slave on IR2 */
    outb(0x21, icw4);           /* ICW4 */
    outb(0xA0, 0x11);
    outb(0xA1, slave_base);
    outb(0xA1, 0x02);           /* ICW3: slave ID 2 */
    outb(0xA1, icw4);
    outb(0x21, 0x00);
    outb(0xA1, 0x00);
}

static uint8_t read_isr(uint16_t base)
{
    outb(base, 0x0B);
    return inb(base);
}

static uint8_t read_irr(uint16_t base)
{
    outb(base, 0x0A);
    return inb(base);
}

/* ---------------------------------------------------------------------------------------
 * 8259
 */

START_TEST(test_pic_reset_state)
{
    /* the state a PC BIOS leaves: vectors 0x08 / 0x70, all masked but the cascade */
    ck_assert_uint_eq(inb(0x21), 0xFB);
    ck_assert_uint_eq(inb(0xA1), 0xFF);
    ck_assert_uint_eq(inb(0x4D0), 0x00);
    ck_assert_uint_eq(inb(0x4D1), 0x00);
    raise(0);
    ck_assert_int_eq(intr_level, 0);
    ck_assert_uint_eq(read_irr(0x20), 0x01);
    outb(0x21, 0xFA);
    ck_assert_int_eq(intr_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x08);
    outb(0x20, 0x20);
    raise(8);
    outb(0xA1, 0xFE);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x70);
}
END_TEST

START_TEST(test_pic_linux_init_ack_eoi)
{
    pic_init(0x20, 0x28, 0x01);
    ck_assert_uint_eq(inb(0x21), 0x00);
    ck_assert_uint_eq(inb(0xA1), 0x00);
    ck_assert_int_eq(intr_level, 0);
    ck_assert(!i8259_intr_pending(pic));

    raise(1);
    ck_assert_int_eq(intr_level, 1);
    ck_assert(i8259_intr_pending(pic));
    ck_assert_uint_eq(read_irr(0x20), 0x02);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x21);
    ck_assert_int_eq(intr_level, 0);
    ck_assert_uint_eq(read_isr(0x20), 0x02);
    ck_assert_uint_eq(read_irr(0x20), 0x00);     /* the edge request was consumed */
    outb(0x20, 0x20);                            /* non-specific EOI */
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    ck_assert_int_eq(intr_level, 0);             /* the line is still high: no new edge */

    lower(1);
    raise(1);
    ck_assert_int_eq(intr_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x21);
    outb(0x20, 0x61);                            /* specific EOI for IR1 */
    ck_assert_uint_eq(read_isr(0x20), 0x00);
}
END_TEST

START_TEST(test_pic_masking)
{
    pic_init(0x20, 0x28, 0x01);
    outb(0x21, 0x08);                            /* mask IRQ 3 */
    ck_assert_uint_eq(inb(0x21), 0x08);
    raise(3);
    ck_assert_int_eq(intr_level, 0);
    ck_assert_uint_eq(read_irr(0x20), 0x08);     /* requested but masked */
    outb(0x21, 0x00);
    ck_assert_int_eq(intr_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    outb(0x20, 0x20);
    /* masking the cascade hides the slave */
    outb(0x21, 0x04);
    raise(12);
    ck_assert_int_eq(intr_level, 0);
    outb(0x21, 0x00);
    ck_assert_int_eq(intr_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2C);
}
END_TEST

START_TEST(test_pic_cascade)
{
    pic_init(0x20, 0x28, 0x01);
    raise(10);
    ck_assert_int_eq(intr_level, 1);
    ck_assert_uint_eq(read_irr(0xA0), 0x04);
    ck_assert_uint_eq(read_irr(0x20), 0x04);     /* the slave's INT on the master's IR2 */
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2A);
    ck_assert_int_eq(intr_level, 0);
    ck_assert_uint_eq(read_isr(0x20), 0x04);
    ck_assert_uint_eq(read_isr(0xA0), 0x04);

    /* a second slave request waits for both EOIs */
    raise(14);
    ck_assert_int_eq(intr_level, 0);
    outb(0xA0, 0x20);
    ck_assert_int_eq(intr_level, 0);             /* the master's IR2 is still in service */
    outb(0x20, 0x20);
    ck_assert_int_eq(intr_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2E);
    outb(0xA0, 0x20);
    outb(0x20, 0x20);
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    ck_assert_uint_eq(read_isr(0xA0), 0x00);
    ck_assert(!i8259_intr_pending(pic));

    /* a master IRQ of higher priority than IR2 goes first; IRQ 3 is lower */
    raise(9);
    raise(3);
    raise(0);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x20);
    outb(0x20, 0x20);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x29);
    outb(0xA0, 0x20);
    outb(0x20, 0x20);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
}
END_TEST

START_TEST(test_pic_priorities)
{
    pic_init(0x20, 0x28, 0x01);
    raise(5);
    raise(3);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    ck_assert_int_eq(intr_level, 0);             /* IRQ 5 is lower than 3 in service */
    raise(1);
    ck_assert_int_eq(intr_level, 1);             /* IRQ 1 nests */
    ck_assert_int_eq(i8259_acknowledge(pic), 0x21);
    ck_assert_uint_eq(read_isr(0x20), 0x0A);
    outb(0x20, 0x20);                            /* clears the highest: IR1 */
    ck_assert_uint_eq(read_isr(0x20), 0x08);
    ck_assert_int_eq(intr_level, 0);
    outb(0x20, 0x20);
    ck_assert_int_eq(intr_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x25);
    outb(0x20, 0x20);

    /* set priority: IR4 lowest, so IR5 is the highest and IR3 comes after IR6 */
    outb(0x20, 0xC4);
    raise(6);
    lower(3);
    raise(3);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x26);
    outb(0x20, 0x20);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    outb(0x20, 0x20);

    /* rotate on non-specific EOI: the serviced level becomes the lowest */
    outb(0x20, 0xC7);                            /* back to IR0 highest */
    lower(3);
    lower(6);
    raise(3);
    raise(6);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    outb(0x20, 0xA0);                            /* rotate: IR3 lowest, IR4 highest */
    lower(3);
    raise(3);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x26);
    outb(0x20, 0xE6);                            /* rotate on specific EOI: IR6 lowest */
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    outb(0x20, 0x63);
    ck_assert_uint_eq(read_isr(0x20), 0x00);
}
END_TEST

START_TEST(test_pic_spurious)
{
    pic_init(0x20, 0x28, 0x01);
    raise(4);
    ck_assert_int_eq(intr_level, 1);
    outb(0x21, 0x10);                            /* masked before the INTA */
    ck_assert_int_eq(intr_level, 0);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x27);
    ck_assert_uint_eq(read_isr(0x20), 0x00);     /* no ISR bit for a spurious IRQ 7 */
    outb(0x21, 0x00);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x24);
    outb(0x20, 0x20);

    /* a request on the master's IR2 with nothing on the slave: spurious IRQ 15 */
    raise(2);
    ck_assert_int_eq(intr_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2F);
    ck_assert_uint_eq(read_isr(0xA0), 0x00);
    ck_assert_uint_eq(read_isr(0x20), 0x04);     /* the master did take IR2 */
    outb(0x20, 0x20);
    lower(2);

    /* a level request that goes away before the INTA */
    outb(0x4D1, 0x04);                           /* IRQ 10 level triggered */
    raise(10);
    ck_assert_int_eq(intr_level, 1);
    lower(10);
    ck_assert_int_eq(intr_level, 0);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x27);
}
END_TEST

START_TEST(test_pic_level_elcr)
{
    pic_init(0x20, 0x28, 0x01);
    outb(0x4D0, 0xFF);
    ck_assert_uint_eq(inb(0x4D0), 0xF8);         /* IRQ 0-2 are always edge */
    outb(0x4D1, 0xFF);
    ck_assert_uint_eq(inb(0x4D1), 0xDE);         /* IRQ 8 and 13 are always edge */
    outb(0x4D0, 0x20);                           /* IRQ 5 level */
    outb(0x4D1, 0x00);

    raise(5);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x25);
    ck_assert_uint_eq(read_irr(0x20), 0x20);     /* still requested: the line is high */
    outb(0x20, 0x20);
    ck_assert_int_eq(intr_level, 1);             /* ... so it is requested again */
    ck_assert_int_eq(i8259_acknowledge(pic), 0x25);
    lower(5);
    outb(0x20, 0x20);
    ck_assert_int_eq(intr_level, 0);
    ck_assert_uint_eq(read_irr(0x20), 0x00);

    /* the same on an edge input: one interrupt per rising edge */
    raise(6);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x26);
    outb(0x20, 0x20);
    ck_assert_int_eq(intr_level, 0);

    /* ICW1.LTIM puts the whole chip in level mode */
    outb(0x20, 0x19);
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    lower(6);
    raise(6);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x26);
    outb(0x20, 0x20);
    ck_assert_int_eq(intr_level, 1);
}
END_TEST

START_TEST(test_pic_poll_and_reads)
{
    pic_init(0x20, 0x28, 0x01);
    outb(0x20, 0x0C);                            /* poll */
    ck_assert_uint_eq(inb(0x20), 0x00);          /* nothing requested */
    raise(6);
    raise(7);
    ck_assert_uint_eq(read_irr(0x20), 0xC0);
    outb(0x20, 0x0C);
    ck_assert_uint_eq(inb(0x21), 0x86);          /* either port answers the poll */
    ck_assert_uint_eq(read_isr(0x20), 0x40);
    /* the RIS selection sticks; the poll applies to one read */
    outb(0x20, 0x0B);
    ck_assert_uint_eq(inb(0x20), 0x40);
    ck_assert_uint_eq(inb(0x20), 0x40);
    ck_assert_uint_eq(inb(0x21), 0x00);          /* A0=1 reads the IMR */
    outb(0x20, 0x20);
    outb(0x20, 0x0C);
    ck_assert_uint_eq(inb(0x20), 0x87);
    outb(0x20, 0x20);
    /* slave poll */
    raise(11);
    outb(0xA0, 0x0C);
    ck_assert_uint_eq(inb(0xA0), 0x83);
    ck_assert_uint_eq(read_isr(0xA0), 0x08);
    ck_assert_int_eq(intr_level, 0);
    outb(0xA0, 0x20);
}
END_TEST

START_TEST(test_pic_auto_eoi_and_special_mask)
{
    pic_init(0x20, 0x28, 0x03);                  /* ICW4: 8086, auto-EOI */
    raise(3);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    raise(5);
    ck_assert_int_eq(intr_level, 1);             /* nothing in service blocks it */
    ck_assert_int_eq(i8259_acknowledge(pic), 0x25);

    pic_init(0x20, 0x28, 0x01);
    lower(3);
    raise(3);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    lower(5);
    raise(5);
    ck_assert_int_eq(intr_level, 0);
    outb(0x21, 0x08);                            /* mask IR3 ... */
    outb(0x20, 0x68);                            /* ... and set special mask mode */
    ck_assert_int_eq(intr_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x25);
    outb(0x20, 0x65);
    outb(0x20, 0x48);                            /* reset special mask mode */
    outb(0x20, 0x63);
    ck_assert_uint_eq(read_isr(0x20), 0x00);
}
END_TEST

START_TEST(test_pic_save_load)
{
    uint8_t buf[256];
    size_t n;
    pic_init(0x20, 0x28, 0x01);
    raise(3);
    raise(9);
    n = pic->cls->save(pic, buf, sizeof(buf));
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(n, sizeof(buf));
    ck_assert_int_eq(i8259_acknowledge(pic), 0x29);
    ck_assert_int_eq(pic->cls->load(pic, buf, n), 0);
    ck_assert_uint_eq(read_isr(0xA0), 0x00);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x29);
    ck_assert_int_eq(pic->cls->load(pic, buf, n - 1), -EINVAL);
    device_reset(pic);
    ck_assert_uint_eq(inb(0x21), 0xFB);
}
END_TEST

/* get_state/set_state (the hand-over to and from KVM's 8259s): a round trip keeps the
 * behaviour, and a state loaded into a reset pair acts as the one it was taken from. */
START_TEST(test_pic_get_set_state)
{
    I8259ChipState st[2], again[2];
    pic_init(0x20, 0x28, 0x01);
    outb(0x21, 0xF0);                   /* IRQ 0-3 unmasked (2: the cascade) */
    outb(0xA1, 0xFD);                   /* IRQ 9 unmasked */
    raise(3);
    raise(9);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x29);     /* ISR: slave 1, master 2 */
    i8259_get_state(pic, st);
    ck_assert_uint_eq(st[0].vector_base, 0x20);
    ck_assert_uint_eq(st[1].vector_base, 0x28);
    ck_assert_uint_eq(st[0].imr, 0xF0);
    ck_assert_uint_eq(st[1].isr, 0x02);
    ck_assert_uint_eq(st[0].isr, 0x04);
    ck_assert_uint_eq(st[0].irr & 0x08, 0x08);          /* IRQ 3 waits */
    ck_assert(st[1].input & 0x02);
    device_reset(pic);
    ck_assert_uint_eq(inb(0x21), 0xFB);
    i8259_set_state(pic, st);
    i8259_get_state(pic, again);
    ck_assert_mem_eq(&again[1], &st[1], sizeof(st[1]));
    ck_assert_uint_eq(again[0].isr, st[0].isr);
    ck_assert_uint_eq(again[0].imr, st[0].imr);
    ck_assert_uint_eq(inb(0x21), 0xF0);
    ck_assert_uint_eq(read_isr(0xA0), 0x02);
    /* IRQ 3 is below the cascade in service: nothing until the EOIs */
    ck_assert(!intr_level);
    outb(0xA0, 0x20);
    outb(0x20, 0x20);
    ck_assert(intr_level);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    /* out-of-range values are masked */
    st[0].init_step = 9;
    st[0].highest = 12;
    st[0].elcr = 0xFF;
    i8259_set_state(pic, st);
    i8259_get_state(pic, again);
    ck_assert_uint_eq(again[0].init_step, 0);
    ck_assert_uint_eq(again[0].highest, 4);
    ck_assert_uint_eq(again[0].elcr, 0xF8);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * 8254
 */

static int64_t t_frozen;

/* Freeze CLOCK_VIRTUAL; returns the frozen time. */
static int64_t freeze(void)
{
    clock_virtual_pause(true);
    t_frozen = clock_get_ns(CLOCK_VIRTUAL_NS);
    return t_frozen;
}

/* Let CLOCK_VIRTUAL run for about us microseconds, freeze it, return the new time. */
static int64_t run_for_us(int us)
{
    clock_virtual_pause(false);
    usleep(us);
    return freeze();
}

static int64_t ticks_between(int64_t t0, int64_t t1)
{
    return (int64_t)((unsigned __int128)(t1 - t0) * I8254_FREQ_HZ / 1000000000);
}

static void pit_setup(void)
{
    setup();
    pit = device_create_class(&m, &i8254_class, "pit", NULL);
    ck_assert_ptr_nonnull(pit);
    irq_connect(device_irq_out(pit, 0), &irq0_line);
    irq0_level = 0;
    irq0_edges = 0;
}

static uint16_t read_count(int ch)
{
    uint16_t lo = inb(0x40 + ch);
    return lo | (inb(0x40 + ch) << 8);
}

static void write_count(int ch, uint16_t v)
{
    outb(0x40 + ch, v & 0xFF);
    outb(0x40 + ch, v >> 8);
}

START_TEST(test_pit_reset_state)
{
    /* read-back of status of all three counters */
    freeze();
    outb(0x43, 0xEE);
    ck_assert_uint_eq(inb(0x40) & 0x3F, 0x36);   /* mode 3, LSB then MSB, binary */
    ck_assert_uint_eq(inb(0x41) & 0x3F, 0x14);   /* mode 2, LSB only */
    ck_assert_uint_eq(inb(0x42), 0xF6);          /* mode 3, no count yet: OUT 1, NULL 1 */
    ck_assert_uint_eq(inb(0x61) & 0x0F, 0x00);   /* gate 2 off, speaker off */
    ck_assert_uint_eq(inb(0x43), 0xFF);          /* the control register is write-only */
}
END_TEST

START_TEST(test_pit_mode0_and_latch)
{
    int64_t t0, t1;
    uint16_t latched;

    t0 = freeze();
    outb(0x43, 0x30);                            /* counter 0, LSB/MSB, mode 0 */
    ck_assert_int_eq(irq0_level, 0);             /* mode 0 starts with OUT low */
    write_count(0, 60000);
    ck_assert_uint_eq(read_count(0), 60000);     /* time is frozen */
    outb(0x43, 0x00);                            /* latch counter 0 */
    t1 = run_for_us(2000);
    ck_assert_uint_eq(read_count(0), 60000);     /* the latch holds the old value */
    latched = read_count(0);                     /* the live count */
    ck_assert_uint_eq(latched, 60000 - ticks_between(t0, t1));
    ck_assert_uint_lt(latched, 60000 - 2000);    /* at least ~2 ms went by */
    ck_assert_int_eq(irq0_level, 0);
    /* a second latch command before the read does not overwrite the first */
    outb(0x43, 0x00);
    run_for_us(500);
    outb(0x43, 0x00);
    ck_assert_uint_eq(read_count(0), latched);
    ck_assert_uint_lt(read_count(0), latched);   /* released: live again */

    /* short count: OUT rises, the counter wraps through 0xFFFF */
    t0 = freeze();
    write_count(0, 100);
    t1 = run_for_us(1000);
    ck_assert_int_ge(ticks_between(t0, t1), 100);
    ck_assert_uint_eq(read_count(0), (uint16_t)(100 - ticks_between(t0, t1)));
    outb(0x43, 0xE2);                            /* read-back status of counter 0 */
    ck_assert_uint_eq(inb(0x40), 0xB0);          /* OUT 1, mode 0, LSB/MSB */
}
END_TEST

START_TEST(test_pit_mode2_mode3_counting)
{
    int64_t t0, t1, n;
    uint16_t c;

    t0 = freeze();
    outb(0x43, 0x34);                            /* counter 0, mode 2 */
    write_count(0, 1000);
    outb(0x43, 0xC2);                            /* read-back count and status */
    ck_assert_uint_eq(inb(0x40), 0xF4);          /* OUT 1, NULL COUNT 1, LSB/MSB, mode 2 */
    ck_assert_uint_eq(read_count(0), 1000);
    t1 = run_for_us(3000);
    n = ticks_between(t0, t1);
    ck_assert_int_gt(n, 3000);
    c = read_count(0);
    ck_assert_uint_eq(c, 1000 - n % 1000);
    outb(0x43, 0xE2);
    ck_assert_uint_eq(inb(0x40), (n % 1000 == 999 ? 0x00 : 0x80) | 0x34);

    t0 = freeze();
    outb(0x43, 0x36);                            /* counter 0, mode 3 */
    write_count(0, 1000);
    ck_assert_uint_eq(read_count(0), 1000);
    t1 = run_for_us(2500);
    n = ticks_between(t0, t1) % 1000;
    c = read_count(0);
    if (n < 500) {
        ck_assert_uint_eq(c, 1000 - 2 * n);
    } else {
        ck_assert_uint_eq(c, 1000 - 2 * (n - 500));
    }
    ck_assert_int_eq(i8254_get_out(pit, 0), n < 500);

    /* mode 6 aliases mode 2 */
    outb(0x43, 0x3C);
    outb(0x43, 0xE2);
    ck_assert_uint_eq(inb(0x40) & 0x3F, 0x34);
}
END_TEST

START_TEST(test_pit_access_modes_bcd)
{
    freeze();
    outb(0x43, 0x31);                            /* counter 0, LSB/MSB, mode 0, BCD */
    write_count(0, 0x1234);
    ck_assert_uint_eq(read_count(0), 0x1234);
    outb(0x43, 0x10);                            /* LSB only */
    outb(0x40, 0x99);
    ck_assert_uint_eq(inb(0x40), 0x99);
    ck_assert_uint_eq(inb(0x40), 0x99);
    outb(0x43, 0x20);                            /* MSB only */
    outb(0x40, 0x12);
    ck_assert_uint_eq(inb(0x40), 0x12);
    outb(0x43, 0xE2);
    ck_assert_uint_eq(inb(0x40) & 0x3F, 0x20);
    /* read-back latching count and status: status first, then the count */
    outb(0x43, 0xC2);
    ck_assert_uint_eq(inb(0x40) & 0x3F, 0x20);
    ck_assert_uint_eq(inb(0x40), 0x12);
}
END_TEST

START_TEST(test_pit_channel2_gate_port61)
{
    int64_t t0, t1;

    freeze();
    outb(0x61, 0x00);
    outb(0x43, 0xB0);                            /* counter 2, LSB/MSB, mode 0 */
    write_count(2, 100);
    ck_assert_uint_eq(inb(0x61) & 0x20, 0x00);   /* OUT2 low */
    run_for_us(1000);
    ck_assert_uint_eq(read_count(2), 100);       /* gate low: no counting */
    t0 = freeze();
    outb(0x61, 0x01);                            /* gate on (speaker off) */
    ck_assert_uint_eq(inb(0x61) & 0x03, 0x01);
    t1 = run_for_us(1000);
    ck_assert_int_ge(ticks_between(t0, t1), 100);
    ck_assert_uint_eq(inb(0x61) & 0x20, 0x20);   /* terminal count reached */
    outb(0x61, 0x00);

    /* mode 1: one-shot started by the gate's rising edge */
    freeze();
    outb(0x43, 0xB2);
    write_count(2, 50);
    ck_assert_uint_eq(inb(0x61) & 0x20, 0x20);   /* OUT high until triggered */
    t0 = freeze();
    outb(0x61, 0x01);
    ck_assert_uint_eq(inb(0x61) & 0x20, 0x00);
    ck_assert_uint_eq(read_count(2), 50);
    run_for_us(1000);
    ck_assert_uint_eq(inb(0x61) & 0x20, 0x20);

    /* mode 2: gate low stops the count and forces OUT high, the rising edge reloads */
    outb(0x43, 0xB4);
    write_count(2, 5000);
    t0 = freeze();
    outb(0x61, 0x00);
    outb(0x61, 0x01);
    t1 = run_for_us(500);
    outb(0x61, 0x00);
    ck_assert_uint_eq(read_count(2), 5000 - ticks_between(t0, t1));
    run_for_us(500);
    ck_assert_uint_eq(read_count(2), 5000 - ticks_between(t0, t1));
    ck_assert_uint_eq(inb(0x61) & 0x20, 0x20);
    outb(0x61, 0x01);
    ck_assert_uint_eq(read_count(2), 5000);

    /* the refresh bit toggles with time */
    {
        uint8_t first = inb(0x61) & 0x10;
        bool toggled = false;
        clock_virtual_pause(false);
        for (int i = 0; i < 1000 && !toggled; i++) {
            toggled = (inb(0x61) & 0x10) != first;
            usleep(5);
        }
        ck_assert(toggled);
    }
}
END_TEST

START_TEST(test_pit_irq0_edges)
{
    int64_t t0, t1;

    /* mode 2 at ~1 kHz: IRQ 0 rises once per period */
    t0 = freeze();
    outb(0x43, 0x34);
    write_count(0, 1193);
    ck_assert_int_eq(irq0_level, 1);
    irq0_edges = 0;
    clock_virtual_pause(false);
    for (int i = 0; i < 200 && irq0_edges < 20; i++) {
        main_loop_poll_once(true);
    }
    t1 = freeze();
    ck_assert_int_ge(irq0_edges, 20);
    ck_assert_int_le(irq0_edges, ticks_between(t0, t1) / 1193);
    ck_assert_int_eq(irq0_level, 1);

    /* the edges reach the PIC */
    irq_connect(device_irq_out(pit, 0), device_irq_in(pic, 0));
    pic_init(0x20, 0x28, 0x01);
    outb(0x43, 0x30);                            /* mode 0: OUT low */
    write_count(0, 1193);
    ck_assert_int_eq(intr_level, 0);
    clock_virtual_pause(false);
    for (int i = 0; i < 100 && !intr_level; i++) {
        main_loop_poll_once(true);
    }
    ck_assert_int_eq(intr_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x20);
    outb(0x20, 0x20);
    /* one-shot: no second interrupt */
    usleep(3000);
    main_loop_poll_once(false);
    ck_assert_int_eq(intr_level, 0);
}
END_TEST

START_TEST(test_pit_mode2_new_count_at_period_end)
{
    int64_t t0, t1, n;

    t0 = freeze();
    outb(0x43, 0x74);                            /* counter 1, mode 2 */
    write_count(1, 20000);
    t1 = run_for_us(500);
    n = ticks_between(t0, t1);
    ck_assert_int_lt(n, 20000);
    write_count(1, 100);
    ck_assert_uint_eq(read_count(1), 20000 - n); /* the current period goes on */
    outb(0x43, 0xE4);
    ck_assert_uint_eq(inb(0x41) & 0x40, 0x40);   /* NULL COUNT until it is loaded */
    t1 = run_for_us(20000);
    n = ticks_between(t0, t1);
    ck_assert_int_ge(n, 20000);
    ck_assert_uint_eq(read_count(1), 100 - (n - 20000) % 100);
    outb(0x43, 0xE4);
    ck_assert_uint_eq(inb(0x41) & 0x40, 0x00);
}
END_TEST

static Suite *pic_pit_suite(void)
{
    Suite *s = suite_create("pic_pit");
    TCase *tc = tcase_create("i8259");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pic_reset_state);
    tcase_add_test(tc, test_pic_linux_init_ack_eoi);
    tcase_add_test(tc, test_pic_masking);
    tcase_add_test(tc, test_pic_cascade);
    tcase_add_test(tc, test_pic_priorities);
    tcase_add_test(tc, test_pic_spurious);
    tcase_add_test(tc, test_pic_level_elcr);
    tcase_add_test(tc, test_pic_poll_and_reads);
    tcase_add_test(tc, test_pic_auto_eoi_and_special_mask);
    tcase_add_test(tc, test_pic_save_load);
    tcase_add_test(tc, test_pic_get_set_state);
    suite_add_tcase(s, tc);

    tc = tcase_create("i8254");
    tcase_add_checked_fixture(tc, pit_setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_pit_reset_state);
    tcase_add_test(tc, test_pit_mode0_and_latch);
    tcase_add_test(tc, test_pit_mode2_mode3_counting);
    tcase_add_test(tc, test_pit_access_modes_bcd);
    tcase_add_test(tc, test_pit_channel2_gate_port61);
    tcase_add_test(tc, test_pit_irq0_edges);
    tcase_add_test(tc, test_pit_mode2_new_count_at_period_end);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;
    main_loop_init();
    sr = srunner_create(pic_pit_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
/*
 * hw/intc/i8259.c — the PC's master/slave pair of Intel 8259A interrupt controllers.
 *
 * Models (Intel 8259A datasheet, "Programming the 8259A"): ICW1-ICW4 initialisation,
 * OCW1 (IMR), OCW2 (non-specific and specific EOI, rotate on EOI, rotate in auto-EOI,
 * set priority), OCW3 (read IRR/ISR, poll mode, special mask mode), auto-EOI, special fully
 * nested mode on the master, edge and level sensing (ICW1.LTIM or the PIIX ELCR at
 * 0x4D0/0x4D1), the spurious IR7 answer of an acknowledge with nothing pending, priority
 * rotation, and the cascade of the slave on the master's IR2.
 *
 * Not modelled: MCS-80/85 mode (ICW4.uPM = 0 behaves as 8086 mode), buffered mode and
 * ICW1.ADI (no effect on a PC), the 8-clock INTA timing. Deliberate simplifications:
 *  - An edge request stays latched when its input falls before the acknowledge (the real
 *    part would answer IR7); device models may therefore pulse their lines.
 *  - The cascade input (master IR2) follows the slave's INT output as a level, so a slave
 *    request is never lost between the two acknowledges.
 *  - Reset leaves the state a PC BIOS leaves (master vectors 0x08, slave 0x70, cascaded,
 *    8086 mode, everything masked except the cascade) instead of the undefined power-up
 *    state; any guest reinitialises with ICW1..ICW4.
 */
#include "hw/intc/i8259.h"
#include "hw/core/machine.h"

/* ICW1 / OCW bits */
#define ICW1_IC4   0x01
#define ICW1_SNGL  0x02
#define ICW1_LTIM  0x08
#define ICW1_INIT  0x10
#define OCW3_SEL   0x08     /* A0=0 with D4=0: D3 set selects OCW3, clear selects OCW2 */
#define OCW3_RIS   0x01
#define OCW3_RR    0x02
#define OCW3_P     0x04
#define OCW3_SMM   0x20
#define OCW3_ESMM  0x40
#define ICW4_AEOI  0x02
#define ICW4_SFNM  0x10

/* The PIIX ELCR: IRQ 0, 1, 2, 8 and 13 are always edge triggered. */
#define ELCR_MASK_MASTER 0xF8
#define ELCR_MASK_SLAVE  0xDE

typedef struct PicChip {
    uint8_t irr;            /* edge-sense latches (level inputs are read from `input`) */
    uint8_t isr;
    uint8_t imr;
    uint8_t input;          /* current level of each IR input */
    uint8_t elcr;           /* inputs in level mode (ELCR) */
    uint8_t icw3;           /* master: inputs with a slave; slave: its ID */
    uint8_t vector_base;    /* ICW2 & 0xF8 */
    uint8_t highest;        /* the IR level that has the highest priority (rotation) */
    uint8_t init_step;      /* 0: operational, 2/3/4: the next A0=1 write is ICWn */
    uint8_t icw1, icw4;
    uint8_t rotate_aeoi;    /* OCW2 "rotate in auto-EOI mode" */
    uint8_t special_mask;
    uint8_t read_isr;       /* OCW3 RIS: A0=0 reads ISR instead of IRR */
    uint8_t poll;           /* OCW3 P: the next read is a poll */
} PicChip;

typedef struct PicRegs {
    PicChip chip[2];        /* 0 master, 1 slave */
    uint8_t ext_irq2;       /* the level of the device input 2 (ORed into the cascade) */
} PicRegs;

typedef struct I8259State {
    Device parent;
    MemRegion io_master, io_slave, io_elcr;
    int intr;               /* the level last driven on INTR (-1: drive it next time) */
    PicRegs r;
} I8259State;

static I8259State *pic_of(Device *dev)
{
    return container_of(dev, I8259State, parent);
}

static uint8_t chip_level_mask(const PicChip *c)
{
    return (c->icw1 & ICW1_LTIM) ? 0xFF : c->elcr;
}

/* What the IRR shows: edge latches plus the inputs in level mode that are high. */
static uint8_t chip_requests(const PicChip *c)
{
    uint8_t level = chip_level_mask(c);
    return (c->irr & ~level) | (c->input & level);
}

/* The highest-priority IR level set in mask, or -1. */
static int chip_highest(const PicChip *c, uint8_t mask)
{
    for (int p = 0; p < 8; p++) {
        int irq = (c->highest + p) & 7;
        if (mask & (1 << irq)) {
            return irq;
        }
    }
    return -1;
}

static int chip_priority(const PicChip *c, int irq)
{
    return (irq - c->highest) & 7;
}

/* The IR level the chip's INT output asks for, or -1 (the output is low). */
static int chip_irq(const PicChip *c, bool master)
{
    uint8_t req = chip_requests(c) & ~c->imr;
    uint8_t in_service = c->isr;
    int irq, cur;

    if (c->special_mask) {
        /* Only the mask inhibits; a level in service is not requested again. */
        return chip_highest(c, req & ~c->isr);
    }
    irq = chip_highest(c, req);
    if (irq < 0) {
        return -1;
    }
    if (master && (c->icw4 & ICW4_SFNM)) {
        /* a higher-priority request of the slave in service may interrupt it */
        in_service &= ~c->icw3;
    }
    cur = chip_highest(c, in_service);
    if (cur >= 0 && chip_priority(c, cur) <= chip_priority(c, irq)) {
        return -1;
    }
    return irq;
}

static void chip_set_input(PicChip *c, int irq, int level)
{
    uint8_t mask = 1 << irq;
    if (level) {
        if (!(c->input & mask) && !(chip_level_mask(c) & mask)) {
            c->irr |= mask;
        }
        c->input |= mask;
    } else {
        c->input &= ~mask;
    }
}

/* The INTA (or poll) of level irq: ISR or auto-EOI, and the edge latch is consumed. */
static void chip_ack(PicChip *c, int irq)
{
    c->irr &= ~(1 << irq);
    if (c->icw4 & ICW4_AEOI) {
        if (c->rotate_aeoi) {
            c->highest = (irq + 1) & 7;
        }
    } else {
        c->isr |= 1 << irq;
    }
}

static bool master_cascades(const PicChip *m, int irq)
{
    return !(m->icw1 & ICW1_SNGL) && (m->icw3 & (1 << irq));
}

/* Propagate the slave's INT to the master's IR2 and drive INTR. */
static void pic_update(I8259State *s)
{
    PicChip *m = &s->r.chip[0];
    int cascade = chip_irq(&s->r.chip[1], false) >= 0 || s->r.ext_irq2;

    /* IR2 follows the cascade as a level (see the header comment) */
    if (cascade) {
        m->input |= 1 << 2;
        m->irr |= 1 << 2;
    } else {
        m->input &= ~(1 << 2);
        m->irr &= ~(1 << 2);
    }
    int intr = chip_irq(m, true) >= 0;
    if (intr != s->intr) {
        s->intr = intr;
        irq_set(&s->parent.irq_out[0], intr);
    }
}

static void pic_set_irq(void *opaque, int n, int level)
{
    I8259State *s = pic_of(opaque);
    if (n == 2) {
        s->r.ext_irq2 = level != 0;
    } else if (n < 8) {
        chip_set_input(&s->r.chip[0], n, level);
    } else {
        chip_set_input(&s->r.chip[1], n - 8, level);
    }
    pic_update(s);
}

int i8259_acknowledge(Device *dev)
{
    I8259State *s = pic_of(dev);
    PicChip *m = &s->r.chip[0], *sl = &s->r.chip[1];
    int irq = chip_irq(m, true), vec;

    if (irq < 0) {
        vec = m->vector_base + 7;               /* spurious IRQ 7: no ISR bit */
    } else {
        chip_ack(m, irq);
        if (master_cascades(m, irq)) {
            int irq2 = chip_irq(sl, false);
            if (irq2 < 0) {
                vec = sl->vector_base + 7;      /* spurious IRQ 15 */
            } else {
                chip_ack(sl, irq2);
                vec = sl->vector_base + irq2;
            }
        } else {
            vec = m->vector_base + irq;
        }
    }
    pic_update(s);
    return vec;
}

bool i8259_intr_pending(Device *dev)
{
    I8259State *s = pic_of(dev);
    return chip_irq(&s->r.chip[0], true) >= 0;
}

/* ---- port access ---- */

static void chip_write_icw1(PicChip *c, uint8_t val)
{
    uint8_t elcr = c->elcr, input = c->input;
    memset(c, 0, sizeof(*c));      /* IMR, ISR, priority, SMM, RIS, ICW4 bits cleared */
    c->elcr = elcr;
    c->input = input;              /* the edge sense is reset: inputs need a new 0->1 */
    c->icw1 = val;
    c->icw3 = 7;                   /* "the slave mode address is set to 7" */
    c->init_step = 2;
}

static void chip_write_ocw2(PicChip *c, uint8_t val)
{
    int level = val & 7;
    int irq;

    switch (val >> 5) {
    case 0: /* clear rotate in auto-EOI mode */
        c->rotate_aeoi = 0;
        break;
    case 4: /* set rotate in auto-EOI mode */
        c->rotate_aeoi = 1;
        break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        irq = chip_highest(c, c->isr);
        if (irq >= 0) {
            c->isr &= ~(1 << irq);
            if (val & 0x80) {
                c->highest = (irq + 1) & 7;
            }
        }
        break;
    case 3: /* specific EOI */
        c->isr &= ~(1 << level);
        break;
    case 7: /* rotate on specific EOI */
        c->isr &= ~(1 << level);
        c->highest = (level + 1) & 7;
        break;
    case 6: /* set priority: `level` becomes the lowest */
        c->highest = (level + 1) & 7;
        break;
    default: /* 2: no operation */
        break;
    }
}

static void chip_write(I8259State *s, int idx, hwaddr addr, uint8_t val)
{
    PicChip *c = &s->r.chip[idx];

    if (addr == 0) {
        if (val & ICW1_INIT) {
            chip_write_icw1(c, val);
        } else if (val & OCW3_SEL) {
            if (val & OCW3_RR) {
                c->read_isr = val & OCW3_RIS;
            }
            if (val & OCW3_ESMM) {
                c->special_mask = (val & OCW3_SMM) != 0;
            }
            c->poll = (val & OCW3_P) != 0;
        } else {
            chip_write_ocw2(c, val);
        }
    } else {
        switch (c->init_step) {
        case 2:
            c->vector_base = val & 0xF8;
            c->init_step = (c->icw1 & ICW1_SNGL) ? ((c->icw1 & ICW1_IC4) ? 4 : 0) : 3;
            break;
        case 3:
            c->icw3 = val;
            c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
            break;
        case 4:
            c->icw4 = val;
            c->init_step = 0;
            break;
        default:
            c->imr = val;
            break;
        }
    }
    pic_update(s);
}

static uint8_t chip_poll(I8259State *s, int idx)
{
    PicChip *c = &s->r.chip[idx];
    int irq = chip_irq(c, idx == 0);
    uint8_t val = 0;

    c->poll = 0;
    if (irq >= 0) {
        chip_ack(c, irq);
        val = 0x80 | irq;
    }
    pic_update(s);
    return val;
}

static uint8_t chip_read(I8259State *s, int idx, hwaddr addr)
{
    PicChip *c = &s->r.chip[idx];

    if (c->poll) {
        return chip_poll(s, idx);
    }
    if (addr == 0) {
        return c->read_isr ? c->isr : chip_requests(c);
    }
    return c->imr;
}

static uint64_t pic_master_read(void *opaque, hwaddr addr, unsigned size)
{
    return chip_read(opaque, 0, addr);
}

static void pic_master_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    chip_write(opaque, 0, addr, val);
}

static uint64_t pic_slave_read(void *opaque, hwaddr addr, unsigned size)
{
    return chip_read(opaque, 1, addr);
}

static void pic_slave_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    chip_write(opaque, 1, addr, val);
}

static uint64_t pic_elcr_read(void *opaque, hwaddr addr, unsigned size)
{
    I8259State *s = opaque;
    return s->r.chip[addr & 1].elcr;
}

static void pic_elcr_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    I8259State *s = opaque;
    PicChip *c = &s->r.chip[addr & 1];
    uint8_t old = c->elcr;

    c->elcr = val & (addr & 1 ? ELCR_MASK_SLAVE : ELCR_MASK_MASTER);
    /* an input that changes mode drops its latch: edge mode needs a new 0->1 transition */
    c->irr &= ~(old ^ c->elcr);
    pic_update(s);
}

static const MemRegionOps pic_master_ops = {
    .read = pic_master_read, .write = pic_master_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 1,
};
static const MemRegionOps pic_slave_ops = {
    .read = pic_slave_read, .write = pic_slave_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 1,
};
static const MemRegionOps pic_elcr_ops = {
    .read = pic_elcr_read, .write = pic_elcr_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 1,
};

/* ---- state hand-over ---- */

void i8259_get_state(Device *dev, I8259ChipState st[2])
{
    I8259State *s = pic_of(dev);

    for (int i = 0; i < 2; i++) {
        const PicChip *c = &s->r.chip[i];
        st[i] = (I8259ChipState){
            .irr = c->irr, .isr = c->isr, .imr = c->imr, .input = c->input,
            .elcr = c->elcr, .vector_base = c->vector_base, .highest = c->highest,
            .init_step = c->init_step, .icw1 = c->icw1, .icw3 = c->icw3, .icw4 = c->icw4,
            .rotate_aeoi = c->rotate_aeoi != 0, .special_mask = c->special_mask != 0,
            .read_isr = c->read_isr != 0, .poll = c->poll != 0,
        };
    }
}

void i8259_set_state(Device *dev, const I8259ChipState st[2])
{
    I8259State *s = pic_of(dev);

    for (int i = 0; i < 2; i++) {
        PicChip *c = &s->r.chip[i];
        const I8259ChipState *v = &st[i];
        uint8_t step = v->init_step;
        c->irr = v->irr;
        c->isr = v->isr;
        c->imr = v->imr;
        c->input = i == 0 ? (uint8_t)((v->input & ~(1u << 2)) | (c->input & (1u << 2)))
                          : v->input;
        c->elcr = v->elcr & (i ? ELCR_MASK_SLAVE : ELCR_MASK_MASTER);
        c->vector_base = v->vector_base & 0xF8;
        c->highest = v->highest & 7;
        c->init_step = (step >= 2 && step <= 4) ? step : 0;
        c->icw1 = v->icw1;
        c->icw3 = v->icw3;
        c->icw4 = v->icw4;
        c->rotate_aeoi = v->rotate_aeoi;
        c->special_mask = v->special_mask;
        c->read_isr = v->read_isr;
        c->poll = v->poll;
    }
    s->intr = -1;
    pic_update(s);
}

/* ---- lifecycle ---- */

static void pic_chip_reset_bios(PicChip *c, uint8_t base, uint8_t icw3, uint8_t imr)
{
    uint8_t input = c->input;
    memset(c, 0, sizeof(*c));
    c->input = input;
    c->icw1 = ICW1_INIT | ICW1_IC4;
    c->vector_base = base;
    c->icw3 = icw3;
    c->icw4 = 0x01;          /* 8086 mode, normal EOI */
    c->imr = imr;
}

static void pic_reset(Device *dev)
{
    I8259State *s = pic_of(dev);
    pic_chip_reset_bios(&s->r.chip[0], 0x08, 1 << 2, 0xFB);
    pic_chip_reset_bios(&s->r.chip[1], 0x70, 2, 0xFF);
    s->intr = -1;
    pic_update(s);
}

static int pic_realize(Device *dev)
{
    I8259State *s = pic_of(dev);
    Machine *m = dev->machine;

    mr_init_io(&s->io_master, "i8259-master", &pic_master_ops, s, 2);
    mr_init_io(&s->io_slave, "i8259-slave", &pic_slave_ops, s, 2);
    mr_init_io(&s->io_elcr, "i8259-elcr", &pic_elcr_ops, s, 2);
    device_add_pio(dev, &s->io_master);
    device_add_pio(dev, &s->io_slave);
    device_add_pio(dev, &s->io_elcr);
    device_init_irq_in(dev, pic_set_irq, 16);
    device_init_irq_out(dev, 1);
    if (m) {
        mr_transaction_begin();
        mr_add_subregion(&m->io, I8259_MASTER_BASE, &s->io_master, 0);
        mr_add_subregion(&m->io, I8259_SLAVE_BASE, &s->io_slave, 0);
        mr_add_subregion(&m->io, I8259_ELCR_BASE, &s->io_elcr, 0);
        mr_transaction_commit();
    }
    pic_reset(dev);
    return 0;
}

static void pic_unrealize(Device *dev)
{
    I8259State *s = pic_of(dev);
    MemRegion *regions[] = { &s->io_master, &s->io_slave, &s->io_elcr };
    for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
        if (regions[i]->parent) {
            mr_del_subregion(regions[i]->parent, regions[i]);
        }
        mr_destroy(regions[i]);
    }
}

static size_t pic_save(Device *dev, uint8_t *buf, size_t size)
{
    I8259State *s = pic_of(dev);
    if (buf && size >= sizeof(s->r)) {
        memcpy(buf, &s->r, sizeof(s->r));
    }
    return sizeof(s->r);
}

static int pic_load(Device *dev, const uint8_t *buf, size_t size)
{
    I8259State *s = pic_of(dev);
    if (size != sizeof(s->r)) {
        return -EINVAL;
    }
    memcpy(&s->r, buf, sizeof(s->r));
    s->intr = -1;
    pic_update(s);
    return 0;
}

static void pic_info(Device *dev, FILE *f)
{
    I8259State *s = pic_of(dev);
    for (int i = 0; i < 2; i++) {
        const PicChip *c = &s->r.chip[i];
        fprintf(f, "%s: irr=%02x isr=%02x imr=%02x elcr=%02x base=%02x highest=%d%s%s%s\n",
                i ? "slave " : "master", chip_requests(c), c->isr, c->imr, c->elcr,
                c->vector_base, c->highest, (c->icw4 & ICW4_AEOI) ? " aeoi" : "",
                c->special_mask ? " smm" : "", (c->icw4 & ICW4_SFNM) ? " sfnm" : "");
    }
}

const DeviceClass i8259_class = {
    .name = "i8259",
    .desc = "Intel 8259A interrupt controller pair (master 0x20, slave 0xA0, ELCR 0x4D0)",
    .bus = "isa",
    .state_size = sizeof(I8259State),
    .realize = pic_realize,
    .reset = pic_reset,
    .unrealize = pic_unrealize,
    .save = pic_save,
    .load = pic_load,
    .info = pic_info,
};

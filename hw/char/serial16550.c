/* SPDX-License-Identifier: MIT */
/*
 * hw/char/serial16550.c — 16550A UART ("isa-serial", the PC's COM ports).
 *
 * Models the National Semiconductor PC16550D (datasheet, June 1995): RBR/THR, IER,
 * IIR/FCR with the 16-byte receive FIFO and its trigger levels (1, 4, 8, 14), LCR with
 * the divisor latch (DLAB), MCR (loopback, OUT2), LSR (DR, OE, BI, THRE, TEMT, FIFO error),
 * MSR with delta bits, SCR, DLL/DLM; the four interrupt sources with the priorities of
 * Table IV (line status > received data / character timeout > THR empty > modem status);
 * the character timeout after 4 character times of the programmed line speed (virtual
 * clock); loopback (Section 8.6: TX looped to RX, MCR outputs looped to MSR inputs, a
 * break set in LCR received as a 0 with BI); the PC's wiring of INTR through OUT2 (no
 * interrupt unless MCR.OUT2 is set and loopback is off, since loopback forces OUT2 inactive).
 *
 * Transmission is instant: a THR write goes straight to the chardev and the transmitter is
 * empty again at once (THRE and TEMT read 1; the THRE interrupt drops and rises again, one
 * edge per byte as on hardware). Received bytes come from the chardev only as fast as the
 * FIFO has room, so nothing overruns from the host side.
 *
 * Bytes to and from the host carry all 8 bits whatever the word length in LCR (as on QEMU):
 * guests that print without programming the UART (LCR 0 means 5-bit words) still work.
 * In loopback the word length applies.
 *
 * Not modelled: baud-rate timing of transmission and reception, parity/framing errors (the
 * host sends clean bytes), a break from the host, the TX FIFO as separate storage, DMA mode
 * pins (FCR3 is stored only), the scratch-free 8250/16450 variants.
 */
#include "util/osdep.h"
#include "hw/char/serial16550.h"
#include "hw/core/machine.h"
#include "system/main-loop.h"

/* register offsets (DLAB=0 / DLAB=1) */
enum {
    UART_RBR = 0, UART_THR = 0, UART_DLL = 0,
    UART_IER = 1, UART_DLM = 1,
    UART_IIR = 2, UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

enum {
    IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08,
    IIR_NO_INT = 0x01, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_CTI = 0x0c, IIR_THRE = 0x02,
    IIR_MS = 0x00, IIR_FIFO = 0xc0,
    FCR_FE = 0x01, FCR_RFR = 0x02, FCR_TFR = 0x04, FCR_DMS = 0x08, FCR_TRIG = 0xc0,
    LCR_WLS = 0x03, LCR_STB = 0x04, LCR_PEN = 0x08, LCR_SB = 0x40, LCR_DLAB = 0x80,
    MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10,
    LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10,
    LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_FIFOERR = 0x80,
    LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI,
    MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08,
    MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80,
    MSR_DELTAS = 0x0f,
};

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200          /* the PC's crystal: 115200 baud at divisor 1 */
/* The modem inputs of a PC port with a host chardev attached: the "modem" is always there. */
#define UART_HOST_MSR (MSR_CTS | MSR_DSR | MSR_DCD)

/* Everything the guest can see, saved and loaded as one block. */
typedef struct Serial16550Regs {
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    uint8_t dll, dlm;
    uint8_t rbr;                        /* the last byte read (read again when empty) */
    uint8_t rx[UART_FIFO_SIZE];
    uint8_t rx_err[UART_FIFO_SIZE];     /* LSR error bits that came with each byte */
    uint8_t rx_head, rx_count;
    uint8_t thr_ipending;               /* THR-empty interrupt not yet acknowledged */
    uint8_t timeout_ipending;           /* character timeout interrupt */
} Serial16550Regs;

typedef struct Serial16550State {
    Device parent;
    MemRegion io;
    Chardev *chr;
    Timer *timeout;
    int irq_level;
    Serial16550Regs r;
} Serial16550State;

static bool fifo_on(const Serial16550State *s)
{
    return s->r.fcr & FCR_FE;
}

static unsigned rx_capacity(const Serial16550State *s)
{
    return fifo_on(s) ? UART_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const Serial16550State *s)
{
    static const uint8_t levels[4] = { 1, 4, 8, 14 };
    return levels[s->r.fcr >> 6];
}

static uint8_t word_mask(const Serial16550State *s)
{
    return (uint8_t)((1u << (5 + (s->r.lcr & LCR_WLS))) - 1);
}

/* Four character times at the programmed line settings, in nanoseconds. */
static int64_t char_timeout_ns(const Serial16550State *s)
{
    unsigned divisor = s->r.dll | (s->r.dlm << 8);
    unsigned data = 5 + (s->r.lcr & LCR_WLS);
    /* bits per character, doubled so that 1.5 stop bits stay an integer */
    unsigned half_bits = 2 * (1 + data + ((s->r.lcr & LCR_PEN) ? 1 : 0)) +
                         ((s->r.lcr & LCR_STB) ? (data == 5 ? 3 : 4) : 2);
    if (!divisor) {
        divisor = 1;
    }
    return (int64_t)4 * half_bits * divisor * 16 * 1000000000LL / (2 * UART_CLOCK_HZ);
}

static uint8_t serial_iir(const Serial16550State *s)
{
    const Serial16550Regs *r = &s->r;
    if ((r->ier & IER_ELSI) && (r->lsr & LSR_ERRORS)) {
        return IIR_RLS;
    }
    if (r->ier & IER_ERBFI) {
        if (fifo_on(s)) {
            if (r->rx_count >= rx_trigger(s)) {
                return IIR_RDA;
            }
            if (r->timeout_ipending) {
                return IIR_CTI;
            }
        } else if (r->rx_count) {
            return IIR_RDA;
        }
    }
    if ((r->ier & IER_ETBEI) && r->thr_ipending) {
        return IIR_THRE;
    }
    if ((r->ier & IER_EDSSI) && (r->msr & MSR_DELTAS)) {
        return IIR_MS;
    }
    return IIR_NO_INT;
}

static void serial_update_irq(Serial16550State *s)
{
    /* PC wiring: INTR reaches the bus through a buffer enabled by OUT2; loopback forces the
     * OUT2 pin inactive */
    int level = !(serial_iir(s) & IIR_NO_INT) && (s->r.mcr & MCR_OUT2) &&
                !(s->r.mcr & MCR_LOOP);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(device_irq_out(&s->parent, 0), level);
    }
}

/* Recompute the MSR inputs (the host's lines, or the MCR outputs in loopback) and their
 * delta bits. */
static void serial_update_msr(Serial16550State *s)
{
    uint8_t in, old = s->r.msr;
    if (s->r.mcr & MCR_LOOP) {
        in = ((s->r.mcr & MCR_RTS) ? MSR_CTS : 0) | ((s->r.mcr & MCR_DTR) ? MSR_DSR : 0) |
             ((s->r.mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->r.mcr & MCR_OUT2) ? MSR_DCD : 0);
    } else {
        in = UART_HOST_MSR;
    }
    uint8_t delta = old & MSR_DELTAS;
    uint8_t changed = (old ^ in) & 0xf0;
    if (changed & MSR_CTS) {
        delta |= MSR_DCTS;
    }
    if (changed & MSR_DSR) {
        delta |= MSR_DDSR;
    }
    if ((old & MSR_RI) && !(in & MSR_RI)) {
        delta |= MSR_TERI;            /* trailing edge only */
    }
    if (changed & MSR_DCD) {
        delta |= MSR_DDCD;
    }
    s->r.msr = in | delta;
}

static void serial_arm_timeout(Serial16550State *s)
{
    if (!s->timeout) {
        return;
    }
    if (fifo_on(s) && s->r.rx_count) {
        timer_mod(s->timeout, clock_get_ns(CLOCK_VIRTUAL_NS) + char_timeout_ns(s));
    } else {
        timer_del(s->timeout);
    }
}

static void serial_timeout_cb(void *opaque)
{
    Serial16550State *s = opaque;
    if (fifo_on(s) && s->r.rx_count) {
        s->r.timeout_ipending = 1;
        serial_update_irq(s);
    }
}

static void serial_rx_clear(Serial16550State *s)
{
    s->r.rx_head = 0;
    s->r.rx_count = 0;
    s->r.timeout_ipending = 0;
    s->r.lsr &= ~LSR_DR;
    if (s->timeout) {
        timer_del(s->timeout);
    }
}

/* A character arrives in the receiver shift register (from the host or the loopback). */
static void serial_rx_char(Serial16550State *s, uint8_t ch, uint8_t err)
{
    Serial16550Regs *r = &s->r;
    if (r->rx_count >= rx_capacity(s)) {
        r->lsr |= LSR_OE;
        if (!fifo_on(s)) {
            /* 16450 mode: the new character overwrites the holding register */
            r->rx[r->rx_head] = ch;
            r->rx_err[r->rx_head] = err;
            r->lsr |= err;
        }
        /* FIFO mode: the character in the shift register is lost */
    } else {
        unsigned slot = (r->rx_head + r->rx_count) % UART_FIFO_SIZE;
        r->rx[slot] = ch;
        r->rx_err[slot] = err;
        if (r->rx_count++ == 0) {
            r->lsr |= err;            /* errors show when their byte reaches the top */
        }
    }
    r->lsr |= LSR_DR;
    serial_arm_timeout(s);
    serial_update_irq(s);
}

static uint8_t serial_rx_pop(Serial16550State *s)
{
    Serial16550Regs *r = &s->r;
    if (!r->rx_count) {
        return r->rbr;
    }
    r->rbr = r->rx[r->rx_head];
    r->rx_err[r->rx_head] = 0;
    r->rx_head = (r->rx_head + 1) % UART_FIFO_SIZE;
    if (--r->rx_count) {
        r->lsr |= r->rx_err[r->rx_head];
    } else {
        r->lsr &= ~LSR_DR;
    }
    r->timeout_ipending = 0;
    serial_arm_timeout(s);
    serial_update_irq(s);
    return r->rbr;
}

static uint8_t serial_lsr(const Serial16550State *s)
{
    uint8_t v = s->r.lsr;
    if (fifo_on(s)) {
        for (unsigned i = 0; i < s->r.rx_count; i++) {
            if (s->r.rx_err[(s->r.rx_head + i) % UART_FIFO_SIZE]) {
                v |= LSR_FIFOERR;
                break;
            }
        }
    }
    return v;
}

static void serial_tx(Serial16550State *s, uint8_t ch)
{
    Serial16550Regs *r = &s->r;
    /* THR written: THRE and its interrupt drop... */
    r->thr_ipending = 0;
    r->lsr &= ~(LSR_THRE | LSR_TEMT);
    serial_update_irq(s);
    if (r->mcr & MCR_LOOP) {
        serial_rx_char(s, ch & word_mask(s), 0);
    } else if (s->chr) {
        chr_write(s->chr, &ch, 1);
    }
    /* ...and come back at once: the byte has left */
    r->lsr |= LSR_THRE | LSR_TEMT;
    r->thr_ipending = 1;
    serial_update_irq(s);
}

static uint64_t serial_read(void *opaque, hwaddr addr, unsigned size)
{
    Serial16550State *s = opaque;
    Serial16550Regs *r = &s->r;
    uint8_t v = 0;

    (void)size;                       /* impl_max 1: always a byte */
    s->parent.stat_reads++;
    switch (addr & 7) {
    case UART_RBR:
        if (r->lcr & LCR_DLAB) {
            v = r->dll;
        } else {
            v = serial_rx_pop(s);
            if (s->chr && !(r->mcr & MCR_LOOP)) {
                chr_accept_input(s->chr);     /* room for one more */
            }
        }
        break;
    case UART_IER:
        v = (r->lcr & LCR_DLAB) ? r->dlm : r->ier;
        break;
    case UART_IIR:
        v = serial_iir(s);
        if (v == IIR_THRE) {
            r->thr_ipending = 0;            /* reading IIR acknowledges THR empty */
            serial_update_irq(s);
        }
        if (fifo_on(s)) {
            v |= IIR_FIFO;
        }
        break;
    case UART_LCR:
        v = r->lcr;
        break;
    case UART_MCR:
        v = r->mcr;
        break;
    case UART_LSR:
        v = serial_lsr(s);
        r->lsr &= ~LSR_ERRORS;
        serial_update_irq(s);
        break;
    case UART_MSR:
        v = r->msr;
        r->msr &= ~MSR_DELTAS;
        serial_update_irq(s);
        break;
    case UART_SCR:
        v = r->scr;
        break;
    }
    return v;
}

static void serial_write_fcr(Serial16550State *s, uint8_t v)
{
    Serial16550Regs *r = &s->r;
    if ((v ^ r->fcr) & FCR_FE) {
        serial_rx_clear(s);         /* changing FIFO mode clears both FIFOs */
    }
    if (!(v & FCR_FE)) {
        r->fcr = 0;                 /* the other bits are only programmed with FCR0 set */
    } else {
        if (v & FCR_RFR) {
            serial_rx_clear(s);
        }
        /* FCR_TFR: the transmitter is always empty */
        r->fcr = v & (FCR_FE | FCR_DMS | FCR_TRIG);
    }
    serial_update_irq(s);
    if (s->chr && !(r->mcr & MCR_LOOP)) {
        chr_accept_input(s->chr);
    }
}

static void serial_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Serial16550State *s = opaque;
    Serial16550Regs *r = &s->r;
    uint8_t v = (uint8_t)val;

    (void)size;
    s->parent.stat_writes++;
    switch (addr & 7) {
    case UART_THR:
        if (r->lcr & LCR_DLAB) {
            r->dll = v;
        } else {
            serial_tx(s, v);
        }
        break;
    case UART_IER:
        if (r->lcr & LCR_DLAB) {
            r->dlm = v;
        } else {
            uint8_t old = r->ier;
            r->ier = v & 0x0f;
            if ((r->ier & IER_ETBEI) && !(old & IER_ETBEI) && (r->lsr & LSR_THRE)) {
                r->thr_ipending = 1;  /* enabling it with THR empty interrupts at once */
            }
            serial_update_irq(s);
        }
        break;
    case UART_FCR:
        serial_write_fcr(s, v);
        break;
    case UART_LCR: {
        uint8_t old = r->lcr;
        r->lcr = v;
        if ((v & LCR_SB) && !(old & LCR_SB) && (r->mcr & MCR_LOOP)) {
            serial_rx_char(s, 0, LSR_BI);   /* our own break, seen by our receiver */
        }
        break;
    }
    case UART_MCR: {
        uint8_t old = r->mcr;
        r->mcr = v & 0x1f;
        serial_update_msr(s);
        serial_update_irq(s);
        if ((old & MCR_LOOP) && !(r->mcr & MCR_LOOP) && s->chr) {
            chr_accept_input(s->chr);
        }
        break;
    }
    case UART_LSR:
    case UART_MSR:
        /* read-only (factory test writes are not modelled) */
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("%s: write 0x%02x to read-only register %u\n", s->parent.id, v,
                       (unsigned)(addr & 7));
        }
        break;
    case UART_SCR:
        r->scr = v;
        break;
    }
}

static const MemRegionOps serial_ops = {
    .read = serial_read,
    .write = serial_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

/* ----------------------------------------------------------------------------------------
 * Chardev front end
 */

static int serial_can_read(void *opaque)
{
    Serial16550State *s = opaque;
    if (s->r.mcr & MCR_LOOP) {
        return 0;                     /* the receiver listens to our own transmitter */
    }
    return (int)(rx_capacity(s) - s->r.rx_count);
}

static void serial_receive(void *opaque, const uint8_t *buf, int len)
{
    Serial16550State *s = opaque;
    for (int i = 0; i < len; i++) {
        serial_rx_char(s, buf[i], 0);
    }
}

void serial16550_attach_chardev(Device *dev, Chardev *c)
{
    Serial16550State *s = (Serial16550State *)dev;
    if (s->chr) {
        chr_set_front(s->chr, NULL);
    }
    s->chr = c;
    if (c) {
        CharFront fe = { .opaque = s, .can_read = serial_can_read, .read = serial_receive };
        chr_set_front(c, &fe);
    }
}

int serial16550_isa_irq(Device *dev)
{
    uint64_t irq;
    if (device_prop_u64(dev, "irq", 4, &irq) < 0) {
        return 4;
    }
    return (int)irq;
}

/* ----------------------------------------------------------------------------------------
 * Lifecycle
 */

static void serial_reset(Device *dev)
{
    Serial16550State *s = (Serial16550State *)dev;
    Serial16550Regs *r = &s->r;
    memset(r, 0, sizeof(*r));
    r->lsr = LSR_THRE | LSR_TEMT;
    r->msr = UART_HOST_MSR;
    r->dll = 12;                      /* 9600 baud, as a PC BIOS leaves it */
    if (s->timeout) {
        timer_del(s->timeout);
    }
    s->irq_level = -1;                /* force the line to be driven low */
    serial_update_irq(s);
    if (s->chr) {
        chr_accept_input(s->chr);
    }
}

static int serial_realize(Device *dev)
{
    Serial16550State *s = (Serial16550State *)dev;
    uint64_t iobase, irq;
    const char *label;

    if (device_prop_u64(dev, "iobase", 0x3f8, &iobase) < 0 ||
        device_prop_u64(dev, "irq", 4, &irq) < 0) {
        return -EINVAL;
    }
    if (iobase > 0xfff8 || irq > 15) {
        error_report("isa-serial '%s': iobase 0x%" PRIx64 " or irq %" PRIu64 " out of range",
                     dev->id, iobase, irq);
        return -EINVAL;
    }
    device_init_irq_out(dev, 1);
    mr_init_io(&s->io, dev->id, &serial_ops, s, 8);
    device_add_pio(dev, &s->io);
    s->timeout = timer_new(CLOCK_VIRTUAL_NS, serial_timeout_cb, s);
    label = device_prop_str(dev, "chardev", NULL);
    if (label) {
        Chardev *c = chr_find(label);
        if (!c) {
            error_report("isa-serial '%s': no chardev '%s'", dev->id, label);
            return -ENOENT;
        }
        serial16550_attach_chardev(dev, c);
    }
    serial_reset(dev);
    if (dev->machine) {
        mr_add_subregion(&dev->machine->io, iobase, &s->io, 0);
    }
    return 0;
}

static void serial_unrealize(Device *dev)
{
    Serial16550State *s = (Serial16550State *)dev;
    serial16550_attach_chardev(dev, NULL);
    timer_free(s->timeout);
    s->timeout = NULL;
    if (s->io.parent) {
        mr_del_subregion(s->io.parent, &s->io);
    }
    if (s->io.name) {
        mr_destroy(&s->io);
    }
}

static size_t serial_save(Device *dev, uint8_t *buf, size_t size)
{
    Serial16550State *s = (Serial16550State *)dev;
    if (buf && size >= sizeof(s->r)) {
        memcpy(buf, &s->r, sizeof(s->r));
    }
    return sizeof(s->r);
}

static int serial_load(Device *dev, const uint8_t *buf, size_t size)
{
    Serial16550State *s = (Serial16550State *)dev;
    if (size != sizeof(s->r)) {
        return -EINVAL;
    }
    memcpy(&s->r, buf, sizeof(s->r));
    s->r.rx_head %= UART_FIFO_SIZE;
    s->r.rx_count = MIN(s->r.rx_count, rx_capacity(s));
    serial_arm_timeout(s);
    s->irq_level = -1;
    serial_update_irq(s);
    return 0;
}

static void serial_info(Device *dev, FILE *f)
{
    Serial16550State *s = (Serial16550State *)dev;
    const Serial16550Regs *r = &s->r;
    unsigned divisor = r->dll | (r->dlm << 8);
    fprintf(f, "%s: ier=%02x iir=%02x fcr=%02x lcr=%02x mcr=%02x lsr=%02x msr=%02x scr=%02x "
            "divisor=%u (%u baud) rx=%u irq=%d chardev=%s\n",
            dev->id, r->ier, serial_iir(s) | (fifo_on(s) ? IIR_FIFO : 0), r->fcr, r->lcr,
            r->mcr, serial_lsr(s), r->msr, r->scr, divisor,
            divisor ? UART_CLOCK_HZ / 16 / divisor : 0, r->rx_count, s->irq_level,
            s->chr ? chr_label(s->chr) : "-");
}

static const DeviceProp serial_props[] = {
    { "iobase", "I/O port base (default 0x3f8)" },
    { "irq", "ISA IRQ the board wires output 0 to (default 4)" },
    { "chardev", "label of the host chardev" },
    { NULL, NULL },
};

const DeviceClass isa_serial_class = {
    .name = "isa-serial",
    .desc = "16550A UART",
    .bus = "isa",
    .user_creatable = true,
    .state_size = sizeof(Serial16550State),
    .props = serial_props,
    .realize = serial_realize,
    .reset = serial_reset,
    .unrealize = serial_unrealize,
    .save = serial_save,
    .load = serial_load,
    .info = serial_info,
};

int serial16550_create_com(Machine *m, int i, Device **dev)
{
    static const uint16_t ports[MACHINE_MAX_SERIAL] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
    static const int irqs[MACHINE_MAX_SERIAL] = { 4, 3, 4, 3 };
    char id[24], props[48], label[24];

    *dev = NULL;
    if (i >= MACHINE_MAX_SERIAL || !m->opts.serial[i] || !strcmp(m->opts.serial[i], "none")) {
        return 0;
    }
    snprintf(label, sizeof(label), "serial%d", i);
    m->serial[i] = chr_new(m->opts.serial[i], label);
    if (!m->serial[i]) {
        return -1;
    }
    snprintf(id, sizeof(id), "com%d", i + 1);
    snprintf(props, sizeof(props), "iobase=0x%x,irq=%d", ports[i], irqs[i]);
    *dev = device_create(m, "isa-serial", id, props);
    if (!*dev) {
        return -1;
    }
    serial16550_attach_chardev(*dev, m->serial[i]);
    return 0;
}

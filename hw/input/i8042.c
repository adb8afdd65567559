/* SPDX-License-Identifier: MIT */
/*
 * hw/input/i8042.c — the PC/AT keyboard controller (8042) with a PS/2 keyboard and mouse.
 *
 * Models (IBM PC AT Technical Reference, "Keyboard Controller"; IBM PS/2 Hardware Interface
 * Technical Reference, "Keyboard/Auxiliary Device Controller", "Keyboard", "Pointing
 * Device"):
 *  - The controller: the status register (OBF, IBF, SYS, A2, INH, AUXB), the command byte
 *    and the rest of the 32-byte RAM (0x20-0x3F read, 0x60-0x7F write), self-test
 *    (0xAA -> 0x55), interface tests (0xAB, 0xA9 -> 0x00), password test (0xA4 -> 0xF1, none
 *    installed), disable/enable the keyboard (0xAD/0xAE) and the auxiliary port
 *    (0xA7/0xA8), read the input port (0xC0), read/write the output port (0xD0/0xD1: bit 0
 *    = 0 resets the system, bit 1 = A20 on an output line), write the keyboard or aux
 *    output buffer (0xD2/0xD3, loopback), write to the aux device (0xD4), the A20 shortcuts
 *    0xDD/0xDF, read test inputs (0xE0), pulse output port (0xF0-0xFF: bit 0 clear pulses
 *    reset). IRQ 1 / IRQ 12 follow "output buffer full" with keyboard (or controller) / aux
 *    data and the command byte's interrupt enables. Set 2 -> set 1 translation (XLATE).
 *  - The keyboard: reset (0xFF -> 0xFA 0xAA), resend (0xFE), set defaults (0xF6), disable
 *    (0xF5), enable (0xF4), typematic (0xF3 + byte), identify (0xF2 -> 0xFA 0xAB 0x83),
 *    scancode set (0xF0 + 0 to read, 1..3 to select), echo (0xEE -> 0xEE), LEDs (0xED +
 *    byte), the set 3 key-type commands 0xF7-0xFD (acknowledged, no effect); 0xFE for an
 *    unknown command; a 16-byte output queue.
 *  - The mouse: a standard PS/2 mouse (ID 0x00, no wheel): reset (0xFF -> 0xFA 0xAA 0x00),
 *    resend, set defaults, disable/enable data reporting, set sample rate (0xF3 + byte),
 *    get ID (0xF2 -> 0xFA 0x00), remote and stream mode (0xF0, 0xEA), read data (0xEB),
 *    wrap mode (0xEE, left with 0xEC or 0xFF), status request (0xE9), set resolution
 *    (0xE8 + byte), scaling (0xE6, 0xE7); 3-byte movement packets; a 16-byte queue.
 *    The aux port therefore always reports a mouse present (Linux's psmouse finds a
 *    "generic PS/2 mouse" quickly instead of waiting for time-outs).
 *
 * Not modelled / simplified:
 *  - Timing: commands complete at once, IBF is never set, the output buffer is refilled as
 *    soon as it is read (the next byte raises its IRQ again: a new edge).
 *  - Typematic repeat and LEDs (stored only), scancode set 3 make/break behaviour (the
 *    host sends the bytes), mouse scaling 2:1 (stored), the mouse's sample rate (the host
 *    decides when to send), the Intellimouse wheel extension, keyboard overrun codes (a byte
 *    arriving at a full queue is dropped), parity and time-out errors, the password.
 *  - Reset leaves the state firmware leaves after POST: command byte 0x65 (XLATE, SYS,
 *    keyboard interrupt, aux port disabled), SYS set, output port 0xCF (A20 on, not
 *    driven at reset: the CPU's own reset decides the A20 state).
 */
#include "hw/input/i8042.h"
#include "hw/core/machine.h"

/* status register */
#define STAT_OBF        0x01
#define STAT_IBF        0x02
#define STAT_SYS        0x04
#define STAT_A2         0x08    /* the last write was to the command port */
#define STAT_INH        0x10    /* 1 = keyboard not inhibited */
#define STAT_AUXB       0x20    /* the output buffer holds aux data */

/* command byte (RAM byte 0) */
#define CCB_KBDINT      0x01
#define CCB_AUXINT      0x02
#define CCB_SYS         0x04
#define CCB_KBDDIS      0x10
#define CCB_AUXDIS      0x20
#define CCB_XLATE       0x40
#define CCB_RESET       (CCB_XLATE | CCB_AUXDIS | CCB_SYS | CCB_KBDINT)

/* output port */
#define OUT_RESET       0x01    /* 0 = system reset */
#define OUT_A20         0x02
#define OUT_OBF_KBD     0x10
#define OUT_OBF_AUX     0x20
#define OUT_RESET_VALUE 0xCF

#define INPUT_PORT      0xA0    /* keyboard not inhibited, colour display, no jumper */

/* controller commands */
enum {
    CMD_READ_RAM = 0x20, CMD_WRITE_RAM = 0x60, CMD_PASSWORD_TEST = 0xA4,
    CMD_AUX_DISABLE = 0xA7, CMD_AUX_ENABLE = 0xA8, CMD_AUX_TEST = 0xA9,
    CMD_SELF_TEST = 0xAA, CMD_KBD_TEST = 0xAB, CMD_KBD_DISABLE = 0xAD,
    CMD_KBD_ENABLE = 0xAE, CMD_READ_INPUT = 0xC0, CMD_READ_OUTPUT = 0xD0,
    CMD_WRITE_OUTPUT = 0xD1, CMD_WRITE_KBD_OBUF = 0xD2, CMD_WRITE_AUX_OBUF = 0xD3,
    CMD_WRITE_AUX = 0xD4, CMD_A20_OFF = 0xDD, CMD_A20_ON = 0xDF, CMD_READ_TEST = 0xE0,
    CMD_PULSE = 0xF0,
};

/* PS/2 device replies */
#define PS2_ACK         0xFA
#define PS2_RESEND      0xFE
#define PS2_BAT_OK      0xAA
#define KBD_ECHO        0xEE

#define QUEUE_SIZE      16
#define SRC_AUX         0x100   /* controller queue entries: the byte comes "from" the aux */

typedef struct ByteQueue {
    uint16_t data[QUEUE_SIZE];
    uint8_t head, count;
} ByteQueue;

typedef struct Ps2Keyboard {
    ByteQueue q;
    uint8_t scanning;
    uint8_t set;            /* scancode set 1..3 */
    uint8_t param_cmd;      /* a command waiting for its parameter byte, 0 = none */
    uint8_t leds, typematic;
    uint8_t last;           /* the last byte sent, for 0xFE */
} Ps2Keyboard;

typedef struct Ps2Mouse {
    ByteQueue q;
    uint8_t reporting;      /* data reporting enabled (0xF4) */
    uint8_t remote;         /* remote mode (0xF0) instead of stream mode */
    uint8_t wrap;           /* wrap (echo) mode */
    uint8_t scaling21;
    uint8_t rate, resolution;
    uint8_t param_cmd;
    uint8_t last;
    uint8_t buttons;
} Ps2Mouse;

typedef struct I8042Regs {
    uint8_t ram[32];        /* ram[0] is the command byte */
    uint8_t outport;
    uint8_t status;         /* the stored bits: SYS, A2 */
    uint8_t obuf;
    uint8_t obf;
    uint8_t obuf_aux;       /* the output buffer's byte came from the aux port */
    uint8_t pending;        /* a controller command waiting for its data byte, 0 = none */
    uint8_t xlat_break;     /* translation: a 0xF0 break prefix was swallowed */
    ByteQueue ctrl;         /* controller replies and loopback bytes, before device data */
    Ps2Keyboard kbd;
    Ps2Mouse mouse;
} I8042Regs;

typedef struct I8042State {
    Device parent;
    MemRegion io_data, io_cmd;
    int irq_kbd, irq_aux;   /* the levels last driven (-1: drive next time) */
    I8042Regs r;
} I8042State;

/*
 * The 8042's set 2 -> set 1 translation for codes 0x00-0x7F (IBM PS/2 Hardware Interface
 * Technical Reference, keyboard controller "scan code conversion"); 0x83 (F7) and 0x84
 * (Alt+SysRq) are converted as well, other codes >= 0x80 pass unchanged.
 */
static const uint8_t xlat_set2[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

static I8042State *kbc_of(Device *dev)
{
    return container_of(dev, I8042State, parent);
}

/* ---- queues ---- */

static bool q_push(ByteQueue *q, uint16_t v)
{
    if (q->count >= QUEUE_SIZE) {
        return false;
    }
    q->data[(q->head + q->count) % QUEUE_SIZE] = v;
    q->count++;
    return true;
}

static uint16_t q_pop(ByteQueue *q)
{
    uint16_t v = q->data[q->head];
    q->head = (q->head + 1) % QUEUE_SIZE;
    q->count--;
    return v;
}

static void q_clear(ByteQueue *q)
{
    q->head = 0;
    q->count = 0;
}

/* ---- output buffer and interrupts ---- */

static uint8_t kbc_ccb(const I8042State *s)
{
    return s->r.ram[0];
}

static void kbc_update_irq(I8042State *s)
{
    int kbd = s->r.obf && !s->r.obuf_aux && (kbc_ccb(s) & CCB_KBDINT);
    int aux = s->r.obf && s->r.obuf_aux && (kbc_ccb(s) & CCB_AUXINT);

    if (kbd != s->irq_kbd) {
        s->irq_kbd = kbd;
        irq_set(device_irq_out(&s->parent, I8042_IRQ_KBD_LINE), kbd);
    }
    if (aux != s->irq_aux) {
        s->irq_aux = aux;
        irq_set(device_irq_out(&s->parent, I8042_IRQ_AUX_LINE), aux);
    }
}

static void kbc_load_obuf(I8042State *s, uint8_t v, bool aux)
{
    s->r.obuf = v;
    s->r.obf = 1;
    s->r.obuf_aux = aux;
}

/* Keyboard bytes on their way to the output buffer: set 2 -> set 1 while XLATE is set. */
static bool kbc_take_keyboard_byte(I8042State *s, uint8_t *out)
{
    while (s->r.kbd.q.count) {
        uint8_t b = (uint8_t)q_pop(&s->r.kbd.q);
        if (!(kbc_ccb(s) & CCB_XLATE)) {
            *out = b;
            return true;
        }
        if (b == 0xF0) {
            s->r.xlat_break = 1;    /* the break code is the next byte with bit 7 set */
            continue;
        }
        if (b < 0x80) {
            b = xlat_set2[b];
        } else if (b == 0x83) {
            b = 0x41;
        } else if (b == 0x84) {
            b = 0x54;
        }
        if (s->r.xlat_break) {
            s->r.xlat_break = 0;
            b |= 0x80;
        }
        *out = b;
        return true;
    }
    return false;
}

/* Fill an empty output buffer: controller replies first, then keyboard, then aux data. */
static void kbc_service(I8042State *s)
{
    uint8_t b;

    if (!s->r.obf) {
        if (s->r.ctrl.count) {
            uint16_t v = q_pop(&s->r.ctrl);
            kbc_load_obuf(s, (uint8_t)v, v & SRC_AUX);
        } else if (!(kbc_ccb(s) & CCB_KBDDIS) && kbc_take_keyboard_byte(s, &b)) {
            kbc_load_obuf(s, b, false);
        } else if (!(kbc_ccb(s) & CCB_AUXDIS) && s->r.mouse.q.count) {
            kbc_load_obuf(s, (uint8_t)q_pop(&s->r.mouse.q), true);
        }
    }
    kbc_update_irq(s);
}

static void kbc_reply(I8042State *s, uint16_t v)
{
    q_push(&s->r.ctrl, v);
}

/* ---- the keyboard ---- */

static void kbd_send(I8042State *s, uint8_t v)
{
    if (q_push(&s->r.kbd.q, v)) {
        s->r.kbd.last = v;
    }
}

static void kbd_set_defaults(Ps2Keyboard *k)
{
    k->typematic = 0x2B;    /* 10.9 characters/s, 500 ms delay */
    k->leds = 0;
    k->set = 2;
}

static void kbd_command(I8042State *s, uint8_t val)
{
    Ps2Keyboard *k = &s->r.kbd;

    /* a command byte where a parameter was expected aborts the previous command */
    if (k->param_cmd && val < 0xED) {
        uint8_t cmd = k->param_cmd;
        k->param_cmd = 0;
        switch (cmd) {
        case 0xED:
            k->leds = val & 7;
            kbd_send(s, PS2_ACK);
            break;
        case 0xF3:
            k->typematic = val & 0x7F;
            kbd_send(s, PS2_ACK);
            break;
        case 0xF0:
            kbd_send(s, PS2_ACK);
            if (val == 0) {
                kbd_send(s, k->set);
            } else if (val <= 3) {
                k->set = val;
            }
            break;
        }
        return;
    }
    k->param_cmd = 0;
    switch (val) {
    case 0xED: /* set LEDs */
    case 0xF3: /* set typematic rate/delay */
    case 0xF0: /* select scancode set */
        kbd_send(s, PS2_ACK);
        k->param_cmd = val;
        break;
    case 0xEE: /* echo */
        kbd_send(s, KBD_ECHO);
        break;
    case 0xF2: /* identify */
        kbd_send(s, PS2_ACK);
        kbd_send(s, 0xAB);
        kbd_send(s, 0x83);
        break;
    case 0xF4: /* enable */
        q_clear(&k->q);
        kbd_send(s, PS2_ACK);
        k->scanning = 1;
        break;
    case 0xF5: /* default disable */
        q_clear(&k->q);
        kbd_set_defaults(k);
        kbd_send(s, PS2_ACK);
        k->scanning = 0;
        break;
    case 0xF6: /* set default */
        q_clear(&k->q);
        kbd_set_defaults(k);
        kbd_send(s, PS2_ACK);
        break;
    case 0xF7: case 0xF8: case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0xFD:
        kbd_send(s, PS2_ACK);   /* set 3 key types: accepted, no effect */
        break;
    case 0xFE: /* resend */
        q_push(&k->q, k->last);
        break;
    case 0xFF: /* reset and basic assurance test */
        q_clear(&k->q);
        kbd_set_defaults(k);
        kbd_send(s, PS2_ACK);
        kbd_send(s, PS2_BAT_OK);
        k->scanning = 1;
        break;
    default:
        kbd_send(s, PS2_RESEND);
        break;
    }
}

/* ---- the mouse ---- */

static void mouse_send(I8042State *s, uint8_t v)
{
    if (q_push(&s->r.mouse.q, v)) {
        s->r.mouse.last = v;
    }
}

static void mouse_set_defaults(Ps2Mouse *ms)
{
    ms->rate = 100;
    ms->resolution = 2;     /* 4 counts/mm */
    ms->scaling21 = 0;
    ms->reporting = 0;
    ms->remote = 0;
}

static void mouse_packet(I8042State *s, int dx, int dy)
{
    Ps2Mouse *ms = &s->r.mouse;
    uint8_t b0 = 0x08 | (ms->buttons & 7);

    if (dx < -256 || dx > 255) {
        b0 |= 0x40;
        dx = dx < 0 ? -256 : 255;
    }
    if (dy < -256 || dy > 255) {
        b0 |= 0x80;
        dy = dy < 0 ? -256 : 255;
    }
    b0 |= (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0);
    mouse_send(s, b0);
    mouse_send(s, (uint8_t)dx);
    mouse_send(s, (uint8_t)dy);
}

static void mouse_command(I8042State *s, uint8_t val)
{
    Ps2Mouse *ms = &s->r.mouse;

    if (ms->wrap && val != 0xEC && val != 0xFF) {
        mouse_send(s, val);     /* wrap mode echoes everything but its two exits */
        return;
    }
    if (ms->param_cmd) {
        uint8_t cmd = ms->param_cmd;
        ms->param_cmd = 0;
        if (cmd == 0xF3) {
            ms->rate = val;
        } else {
            ms->resolution = val & 3;
        }
        mouse_send(s, PS2_ACK);
        return;
    }
    switch (val) {
    case 0xE6: /* scaling 1:1 */
    case 0xE7: /* scaling 2:1 */
        ms->scaling21 = val == 0xE7;
        mouse_send(s, PS2_ACK);
        break;
    case 0xE8: /* set resolution */
    case 0xF3: /* set sample rate */
        ms->param_cmd = val;
        mouse_send(s, PS2_ACK);
        break;
    case 0xE9: /* status request */
        mouse_send(s, PS2_ACK);
        mouse_send(s, (ms->remote ? 0x40 : 0) | (ms->reporting ? 0x20 : 0) |
                          (ms->scaling21 ? 0x10 : 0) | ((ms->buttons & 1) << 2) |
                          ((ms->buttons & 4) >> 1) | ((ms->buttons & 2) >> 1));
        mouse_send(s, ms->resolution);
        mouse_send(s, ms->rate);
        break;
    case 0xEA: /* stream mode */
        ms->remote = 0;
        mouse_send(s, PS2_ACK);
        break;
    case 0xEB: /* read data */
        mouse_send(s, PS2_ACK);
        mouse_packet(s, 0, 0);
        break;
    case 0xEC: /* reset wrap mode */
        ms->wrap = 0;
        mouse_send(s, PS2_ACK);
        break;
    case 0xEE: /* wrap mode */
        ms->wrap = 1;
        mouse_send(s, PS2_ACK);
        break;
    case 0xF0: /* remote mode */
        ms->remote = 1;
        mouse_send(s, PS2_ACK);
        break;
    case 0xF2: /* get device ID: a standard mouse */
        mouse_send(s, PS2_ACK);
        mouse_send(s, 0x00);
        break;
    case 0xF4: /* enable data reporting */
        ms->reporting = 1;
        mouse_send(s, PS2_ACK);
        break;
    case 0xF5: /* disable data reporting */
        ms->reporting = 0;
        mouse_send(s, PS2_ACK);
        break;
    case 0xF6: /* set defaults */
        mouse_set_defaults(ms);
        mouse_send(s, PS2_ACK);
        break;
    case 0xFE: /* resend */
        q_push(&ms->q, ms->last);
        break;
    case 0xFF: /* reset */
        q_clear(&ms->q);
        mouse_set_defaults(ms);
        ms->wrap = 0;
        mouse_send(s, PS2_ACK);
        mouse_send(s, PS2_BAT_OK);
        mouse_send(s, 0x00);
        break;
    default:
        mouse_send(s, PS2_RESEND);
        break;
    }
}

/* ---- the controller ---- */

static void kbc_write_outport(I8042State *s, uint8_t val)
{
    s->r.outport = val;
    irq_set(device_irq_out(&s->parent, I8042_A20_LINE), (val & OUT_A20) != 0);
    if (!(val & OUT_RESET) && s->parent.machine) {
        machine_request_reset(s->parent.machine);
    }
}

static uint8_t kbc_read_outport(I8042State *s)
{
    uint8_t v = s->r.outport & ~(OUT_OBF_KBD | OUT_OBF_AUX);
    if (s->r.obf) {
        v |= s->r.obuf_aux ? OUT_OBF_AUX : OUT_OBF_KBD;
    }
    return v;
}

static void kbc_set_ccb(I8042State *s, uint8_t val)
{
    s->r.ram[0] = val;
    s->r.status = (s->r.status & ~STAT_SYS) | (val & CCB_SYS);
}

static void kbc_command(I8042State *s, uint8_t cmd)
{
    s->r.pending = 0;
    if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + 0x20) {
        kbc_reply(s, s->r.ram[cmd - CMD_READ_RAM]);
        return;
    }
    if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) {
        s->r.pending = cmd;
        return;
    }
    if (cmd >= CMD_PULSE) {
        /* bits 3:0 clear = pulse that output port bit low; bit 0 is the CPU reset */
        if (!(cmd & OUT_RESET) && s->parent.machine) {
            machine_request_reset(s->parent.machine);
        }
        return;
    }
    switch (cmd) {
    case CMD_PASSWORD_TEST:
        kbc_reply(s, 0xF1);     /* no password installed */
        break;
    case CMD_AUX_DISABLE:
        kbc_set_ccb(s, kbc_ccb(s) | CCB_AUXDIS);
        break;
    case CMD_AUX_ENABLE:
        kbc_set_ccb(s, kbc_ccb(s) & ~CCB_AUXDIS);
        break;
    case CMD_AUX_TEST:
    case CMD_KBD_TEST:
        kbc_reply(s, 0x00);     /* no clock or data line stuck */
        break;
    case CMD_SELF_TEST:
        s->r.status |= STAT_SYS;
        kbc_reply(s, 0x55);
        break;
    case CMD_KBD_DISABLE:
        kbc_set_ccb(s, kbc_ccb(s) | CCB_KBDDIS);
        break;
    case CMD_KBD_ENABLE:
        kbc_set_ccb(s, kbc_ccb(s) & ~CCB_KBDDIS);
        break;
    case CMD_READ_INPUT:
        kbc_reply(s, INPUT_PORT);
        break;
    case CMD_READ_OUTPUT:
        kbc_reply(s, kbc_read_outport(s));
        break;
    case CMD_WRITE_OUTPUT:
    case CMD_WRITE_KBD_OBUF:
    case CMD_WRITE_AUX_OBUF:
    case CMD_WRITE_AUX:
        s->r.pending = cmd;
        break;
    case CMD_A20_OFF:
        kbc_write_outport(s, s->r.outport & ~OUT_A20);
        break;
    case CMD_A20_ON:
        kbc_write_outport(s, s->r.outport | OUT_A20);
        break;
    case CMD_READ_TEST:
        kbc_reply(s, 0x00);
        break;
    default:
        if (log_enabled(LOG_UNIMP)) {
            log_printf("i8042: unimplemented controller command 0x%02x\n", cmd);
        }
        break;
    }
}

static void kbc_write_data(I8042State *s, uint8_t val)
{
    uint8_t cmd = s->r.pending;

    s->r.pending = 0;
    if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) {
        if (cmd == CMD_WRITE_RAM) {
            kbc_set_ccb(s, val);
        } else {
            s->r.ram[cmd - CMD_WRITE_RAM] = val;
        }
        return;
    }
    switch (cmd) {
    case CMD_WRITE_OUTPUT:
        kbc_write_outport(s, val);
        break;
    case CMD_WRITE_KBD_OBUF:
        kbc_reply(s, val);
        break;
    case CMD_WRITE_AUX_OBUF:
        kbc_reply(s, val | SRC_AUX);
        break;
    case CMD_WRITE_AUX:
        mouse_command(s, val);
        break;
    default:
        /* a byte for the keyboard; sending it re-enables the keyboard interface */
        kbc_set_ccb(s, kbc_ccb(s) & ~CCB_KBDDIS);
        kbd_command(s, val);
        break;
    }
}

static uint64_t kbc_data_read(void *opaque, hwaddr addr, unsigned size)
{
    I8042State *s = opaque;
    uint8_t v = s->r.obuf;

    s->parent.stat_reads++;
    if (s->r.obf) {
        s->r.obf = 0;
        kbc_update_irq(s);      /* lower the line so that the next byte is a new edge */
        kbc_service(s);
    }
    return v;
}

static void kbc_data_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    I8042State *s = opaque;
    s->parent.stat_writes++;
    s->r.status &= ~STAT_A2;
    kbc_write_data(s, (uint8_t)val);
    kbc_service(s);
}

static uint64_t kbc_status_read(void *opaque, hwaddr addr, unsigned size)
{
    I8042State *s = opaque;
    uint8_t v = (s->r.status & (STAT_SYS | STAT_A2)) | STAT_INH;

    s->parent.stat_reads++;
    if (s->r.obf) {
        v |= STAT_OBF | (s->r.obuf_aux ? STAT_AUXB : 0);
    }
    return v;
}

static void kbc_cmd_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    I8042State *s = opaque;
    s->parent.stat_writes++;
    s->r.status |= STAT_A2;
    kbc_command(s, (uint8_t)val);
    kbc_service(s);
}

static const MemRegionOps kbc_data_ops = {
    .read = kbc_data_read,
    .write = kbc_data_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

static const MemRegionOps kbc_cmd_ops = {
    .read = kbc_status_read,
    .write = kbc_cmd_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

/* ---- host input ---- */

void i8042_put_keycode(Device *dev, uint8_t scancode)
{
    I8042State *s = kbc_of(dev);
    if (s->r.kbd.scanning) {
        q_push(&s->r.kbd.q, scancode);
        kbc_service(s);
    }
}

int i8042_keyboard_scancode_set(Device *dev)
{
    return kbc_of(dev)->r.kbd.set;
}

void i8042_mouse_event(Device *dev, int dx, int dy, unsigned buttons)
{
    I8042State *s = kbc_of(dev);
    Ps2Mouse *ms = &s->r.mouse;

    ms->buttons = buttons & 7;
    if (!ms->reporting || ms->remote || ms->wrap || ms->q.count > QUEUE_SIZE - 3) {
        return;
    }
    mouse_packet(s, dx, dy);
    kbc_service(s);
}

/* ---- lifecycle ---- */

static void kbc_reset(Device *dev)
{
    I8042State *s = kbc_of(dev);

    memset(&s->r, 0, sizeof(s->r));
    kbc_set_ccb(s, CCB_RESET);
    s->r.outport = OUT_RESET_VALUE;
    kbd_set_defaults(&s->r.kbd);
    s->r.kbd.scanning = 1;
    mouse_set_defaults(&s->r.mouse);
    s->irq_kbd = s->irq_aux = -1;
    kbc_update_irq(s);
}

static int kbc_realize(Device *dev)
{
    I8042State *s = kbc_of(dev);

    mr_init_io(&s->io_data, "i8042-data", &kbc_data_ops, s, 1);
    mr_init_io(&s->io_cmd, "i8042-cmd", &kbc_cmd_ops, s, 1);
    device_add_pio(dev, &s->io_data);
    device_add_pio(dev, &s->io_cmd);
    device_init_irq_out(dev, 3);
    if (dev->machine) {
        mr_transaction_begin();
        mr_add_subregion(&dev->machine->io, I8042_DATA_PORT, &s->io_data, 0);
        mr_add_subregion(&dev->machine->io, I8042_CMD_PORT, &s->io_cmd, 0);
        mr_transaction_commit();
    }
    kbc_reset(dev);
    return 0;
}

static void kbc_unrealize(Device *dev)
{
    I8042State *s = kbc_of(dev);
    MemRegion *regions[] = { &s->io_data, &s->io_cmd };
    for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
        if (regions[i]->parent) {
            mr_del_subregion(regions[i]->parent, regions[i]);
        }
        if (regions[i]->name) {
            mr_destroy(regions[i]);
        }
    }
}

static size_t kbc_save(Device *dev, uint8_t *buf, size_t size)
{
    I8042State *s = kbc_of(dev);
    if (buf && size >= sizeof(s->r)) {
        memcpy(buf, &s->r, sizeof(s->r));
    }
    return sizeof(s->r);
}

static int kbc_load(Device *dev, const uint8_t *buf, size_t size)
{
    I8042State *s = kbc_of(dev);
    if (size != sizeof(s->r)) {
        return -EINVAL;
    }
    memcpy(&s->r, buf, sizeof(s->r));
    s->irq_kbd = s->irq_aux = -1;
    kbc_update_irq(s);
    return 0;
}

static void kbc_info(Device *dev, FILE *f)
{
    I8042State *s = kbc_of(dev);
    fprintf(f, "i8042: ccb=%02x outport=%02x obuf=%02x%s%s pending=%02x queues: ctrl %u, "
            "kbd %u (set %u%s), aux %u%s\n",
            kbc_ccb(s), s->r.outport, s->r.obuf, s->r.obf ? " full" : "",
            s->r.obuf_aux ? " aux" : "", s->r.pending, s->r.ctrl.count, s->r.kbd.q.count,
            s->r.kbd.set, s->r.kbd.scanning ? "" : ", disabled", s->r.mouse.q.count,
            s->r.mouse.reporting ? " (reporting)" : "");
}

const DeviceClass i8042_class = {
    .name = "i8042",
    .desc = "8042 keyboard controller with PS/2 keyboard and mouse (ports 0x60/0x64)",
    .bus = "isa",
    .state_size = sizeof(I8042State),
    .realize = kbc_realize,
    .reset = kbc_reset,
    .unrealize = kbc_unrealize,
    .save = kbc_save,
    .load = kbc_load,
    .info = kbc_info,
};

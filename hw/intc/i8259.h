/* SPDX-License-Identifier: MIT */
/*
 * hw/intc/i8259.h — the PC's pair of Intel 8259A programmable interrupt controllers.
 *
 * One "i8259" device models both chips: the master at ports 0x20-0x21, the slave at
 * 0xA0-0xA1 cascaded on the master's IR2, and the PIIX edge/level control registers (ELCR)
 * at 0x4D0-0x4D1. When the device has a machine, realize maps the four port regions into
 * m->io; otherwise they are device_pio(dev, 0..2) (0: master, 1: slave, 2: ELCR).
 *
 * Lines:
 *   inputs 0..15   ISA IRQ 0-15 (0-7 master IR0-7, 8-15 slave IR0-7). Level 0/1; an input
 *                  in edge mode latches on a 0->1 transition, in level mode (ELCR bit or
 *                  ICW1.LTIM) the request follows the level.
 *                  IRQ 2 is the cascade: the slave's INT output drives it internally; a
 *                  device wired to input 2 is ORed with it.
 *   output 0       INTR: the master's INT pin (to the CPU, or the BSP's APIC LINT0).
 *
 * The CPU side of the INTA cycle is i8259_acknowledge().
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "hw/core/device.h"

extern const DeviceClass i8259_class;

/* Port bases and the ELCR. */
#define I8259_MASTER_BASE 0x20
#define I8259_SLAVE_BASE  0xA0
#define I8259_ELCR_BASE   0x4D0

/*
 * The interrupt-acknowledge cycle: returns the vector (ICW2 base + IR level) of the highest
 * priority unmasked request, sets its ISR bit (unless auto-EOI), clears an edge request,
 * and follows the cascade to the slave for IR2. Nothing pending gives the spurious vector
 * of IR7 (master base + 7, or slave base + 7 when the slave had nothing) without setting
 * an ISR bit. Updates the INTR output. Caller holds the big lock.
 */
int i8259_acknowledge(Device *pic);

/* Whether the master's INT output is asserted (an acknowledge would give a real vector). */
bool i8259_intr_pending(Device *pic);

/* ICW1 and ICW4 bits, as I8259ChipState keeps them. */
#define I8259_ICW1_IC4  0x01    /* an ICW4 follows */
#define I8259_ICW1_SNGL 0x02    /* single chip, no ICW3 */
#define I8259_ICW1_LTIM 0x08    /* every input in level mode */
#define I8259_ICW1_INIT 0x10
#define I8259_ICW4_AEOI 0x02    /* automatic EOI */
#define I8259_ICW4_SFNM 0x10    /* special fully nested mode */

/*
 * The state of one chip, for handing the controllers to another implementation and back
 * (KVM's in-kernel 8259s when the accelerator changes) and for tests. Plain values, no
 * pointers.
 */
typedef struct I8259ChipState {
    uint8_t irr;            /* edge-sense latches (inputs in level mode follow `input`) */
    uint8_t isr;
    uint8_t imr;
    uint8_t input;          /* the level of each IR input; master IR2 is the cascade,
                             * recomputed from the slave (its bit is ignored on set) */
    uint8_t elcr;           /* the PIIX ELCR: inputs in level mode (masked as the ports do) */
    uint8_t vector_base;    /* ICW2 & 0xF8 */
    uint8_t highest;        /* the IR level that has the highest priority (rotation), 0..7 */
    uint8_t init_step;      /* 0: operational; 2, 3 or 4: the next A0=1 write is that ICW */
    uint8_t icw1, icw3, icw4;
    bool rotate_aeoi;       /* OCW2 "rotate in auto-EOI mode" */
    bool special_mask;      /* OCW3 special mask mode */
    bool read_isr;          /* OCW3: A0=0 reads the ISR instead of the IRR */
    bool poll;              /* OCW3: the next read is a poll */
} I8259ChipState;

/* The state of both chips (0: master, 1: slave). */
void i8259_get_state(Device *pic, I8259ChipState st[2]);
/* Load both chips (values out of range are masked) and drive INTR again from the new
 * state. Caller holds the big lock. */
void i8259_set_state(Device *pic, const I8259ChipState st[2]);

#endif

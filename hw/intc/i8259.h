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

#endif

/* SPDX-License-Identifier: MIT */
/*
 * hw/isa/piix3.h — the Intel 82371SB (PIIX3) PCI-to-ISA bridge, function 0 ("piix3"), and
 * the PCI interrupt router.
 *
 * A PCI device (default address 01.0, properties bus= and addr=) that installs itself as
 * its bus's interrupt router. PCI INTx pins reach PIRQA#-PIRQD# by the swizzle of the PC
 * chipsets (and of QEMU's `pc` board, so that tables written for it apply):
 *
 *     PIRQ = (slot + pin - 1) mod 4        pin 0 = INTA# .. 3 = INTD#; PIRQ 0 = A .. 3 = D
 *
 * so slot 1 INTA# is PIRQA, slot 2 INTA# PIRQB, slot 0 INTA# PIRQD. Each PIRQ then goes
 *  - to the 8259 IRQ its PIRQ route control register (config 0x60-0x63) names while bit 7
 *    (IRQROUTEN) is 0 and the IRQ is one the PIIX3 can route (3-7, 9-12, 14, 15), ORed with
 *    the other PIRQs routed there (the default 0x80 routes nothing), and
 *  - always to IOAPIC input 16 + PIRQ. The PIIX3 has no APIC outputs of its own; this is
 *    the wiring QEMU's board gives it (and what later chipsets hardwire), so an APIC-mode
 *    guest needs no interrupt link devices: the DSDT's _PRT names GSI 16 + PIRQ directly
 *    (hw/acpi/tables.c). The IOAPIC should treat these inputs as asserted at level 1
 *    whatever polarity the guest programs (Linux programs _PRT GSIs active-low, as the
 *    wires are on real boards).
 *
 * A board whose interrupt controllers steer the PIRQs themselves (xenfv: Xen's virtual
 * chipset routes INTx, given the link routes) installs a route hook: it is told each
 * change of a PIRQ's effective route, whether the guest wrote PIRQRC or the device was reset
 * or loaded (starting from "all not routed"). Such a board also replaces the bus's INTx
 * hooks with its own (pci_bus_set_irq_hooks) so that pins no longer reach the PIRQ outputs.
 *
 * Output lines (connected by the board):
 *   0..15    ISA IRQ n: to 8259 input n (only routable IRQs are ever driven; an IRQ is
 *            driven only when its level changes, so ISA devices may share the PIC input)
 *   16..19   PIRQA..PIRQD: to IOAPIC inputs 16..19
 */
#ifndef HW_ISA_PIIX3_H
#define HW_ISA_PIIX3_H

#include "hw/pci/pci.h"

extern const DeviceClass piix3_class;

#define PIIX3_VENDOR_ID      0x8086
#define PIIX3_DEVICE_ID      0x7000
#define PIIX3_DEVFN          PCI_DEVFN(1, 0)

/* PCI-to-ISA bridge configuration registers (82371SB datasheet) */
#define PIIX3_PIRQRC         0x60        /* PIRQRC[A:D]: 0x60-0x63 */
#define  PIIX3_PIRQRC_DISABLE 0x80       /* IRQROUTEN: 1 = not routed */
#define  PIIX3_PIRQRC_IRQ     0x0F
#define PIIX3_NUM_PIRQS      4
/* IRQs a PIRQ may be routed to: 3-7, 9-12, 14, 15 */
#define PIIX3_ROUTABLE_IRQS  0xDEF8

/* output line numbers */
#define PIIX3_OUT_ISA_IRQ(n) (n)
#define PIIX3_OUT_PIRQ(p)    (16 + (p))
#define PIIX3_NUM_OUT        20
#define PIIX3_PIRQ_GSI_BASE  16          /* IOAPIC input of PIRQA */

/* A PIRQ route hook: pirq 0..3 (A..D), irq the ISA IRQ it is routed to, 0 when it is not
 * routed (IRQROUTEN set or a reserved IRQ value). */
typedef void PIIX3RouteFunc(void *opaque, int pirq, int irq);
/* Install (fn NULL: remove) the route hook of a "piix3" device. */
void piix3_set_route_hook(Device *piix3, PIIX3RouteFunc *fn, void *opaque);

/* The PIRQ (0 = A .. 3 = D) that INTx pin `pin` (0 = INTA#) of a device in `slot` uses. */
static inline int piix3_pirq_of(int slot, int pin)
{
    return (slot + pin - 1) & 3;
}

#endif

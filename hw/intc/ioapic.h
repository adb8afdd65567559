/* SPDX-License-Identifier: MIT */
/*
 * hw/intc/ioapic.h — the I/O APIC (Intel 82093AA register model, version 0x20), "ioapic".
 *
 * Registers: one MMIO region of IOAPIC_MMIO_SIZE bytes, device_mmio(dev, 0); the board maps
 * it at IOAPIC_DEFAULT_BASE (the address the MADT reports). Inside it: IOREGSEL at 0x00,
 * IOWIN at 0x10 and the EOI register at 0x40 (32-bit accesses; smaller ones work too).
 *
 * Lines: inputs 0..23 are the 24 interrupt pins (device_irq_in(dev, pin)); a level of 1
 * means "asserted" whatever the pin's programmed polarity (the board's lines carry the
 * logical state, as the ISA and PCI interrupt lines of a chipset deliver it). No outputs:
 * interrupts go to the local APICs as messages through apic_deliver(dev->machine, ...).
 *
 * Property: id (the I/O APIC ID after reset, 0..15, default IOAPIC_DEFAULT_ID); the MADT
 * must report the same value (acpi_pc_ioapic_id() on the pc board).
 *
 * Level-triggered pins use the local APICs' EOI broadcast (apic_set_eoi_notifier) to clear
 * their remote IRR; create the "apic" devices before the I/O APIC (the notifier is
 * registered again at reset and at each level-triggered delivery, so the order is only a
 * matter of tidiness). One I/O APIC per machine (the APICs have one notifier slot).
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "hw/core/device.h"

extern const DeviceClass ioapic_class;

#define IOAPIC_DEFAULT_BASE 0xFEC00000ULL
#define IOAPIC_MMIO_SIZE    0x1000
#define IOAPIC_NUM_PINS     24
#define IOAPIC_VERSION      0x20
#define IOAPIC_DEFAULT_ID   0
#define IOAPIC_ID_MASK      0x0F        /* IOAPICID bits 27:24 */

/* The pins' redirection entry, for the monitor and tests (0 for a pin out of range). */
uint64_t ioapic_get_redirection(Device *dev, int pin);

/*
 * The I/O APIC's state, for handing it to another implementation and back (KVM's
 * in-kernel IOAPIC when the accelerator changes) and for tests. The redirection entries
 * are in the register layout (vector 7:0, delivery mode 10:8, destination mode 11,
 * polarity 13, remote IRR 14, trigger 15, mask 16, destination 63:56).
 */
typedef struct IoapicStateRegs {
    uint32_t ioregsel;      /* IOREGSEL */
    uint8_t id;             /* the 4-bit I/O APIC ID */
    uint8_t arb;            /* the arbitration ID */
    uint32_t level;         /* pin n asserted: bit n */
    uint64_t redir[IOAPIC_NUM_PINS];
} IoapicStateRegs;

void ioapic_get_state(Device *dev, IoapicStateRegs *st);
/* Load the state; an asserted, unmasked level-triggered pin whose remote IRR is clear is
 * delivered, as the chip would (load the local APICs first). Big lock held. */
void ioapic_set_state(Device *dev, const IoapicStateRegs *st);

#endif

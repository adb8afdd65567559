/* SPDX-License-Identifier: MIT */
/*
 * accel/xen/xen.h — what boards see of the Xen accelerator: interrupts. Under Xen the
 * hypervisor emulates the PIC, IOAPIC and LAPIC, so a board built for Xen (hw/x86/xenfv.c)
 * connects its devices' interrupt lines to these instead of to its own controllers.
 * Builds without Xen get stubs (accel/xen/xen-stub.c) that do nothing.
 */
#ifndef ACCEL_XEN_XEN_H
#define ACCEL_XEN_XEN_H

#include "util/osdep.h"

/* Set the level of ISA interrupt line irq (0..15) of the served domain. */
void xen_set_isa_irq_level(int irq, int level);
/* Set the level of INTx pin intx (0..3 for A..D) of PCI device dev on bus 0. */
void xen_set_pci_intx_level(int dev, int intx, int level);

#endif

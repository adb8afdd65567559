/* SPDX-License-Identifier: MIT */
/*
 * accel/xen/xen.h — what boards see of the Xen accelerator: interrupts and the guest's
 * memory. Under Xen the hypervisor emulates the PIC, IOAPIC and LAPIC, so a board built for
 * Xen (hw/x86/xenfv.c) connects its devices' interrupt lines to these instead of to its own
 * controllers; and the guest's RAM is the domain's, so the board's RAM region is a window
 * onto it (xen_guest_memory_init) for the devices' DMA.
 * Builds without Xen get stubs (accel/xen/xen-stub.c): nothing to raise, and plain RAM.
 */
#ifndef ACCEL_XEN_XEN_H
#define ACCEL_XEN_XEN_H

#include "util/osdep.h"
#include "hw/core/memory.h"

/* Set the level of ISA interrupt line irq (0..15) of the served domain. */
void xen_set_isa_irq_level(int irq, int level);
/* Set the level of INTx pin intx (0..3 for A..D) of PCI device dev on bus 0. */
void xen_set_pci_intx_level(int dev, int intx, int level);
/* Route PCI interrupt link `link` (0..3, PIRQA..D; Xen's link of a pin is (slot + intx) & 3)
 * to ISA IRQ irq of Xen's virtual PIC; 0 disables the route (the PIIX3's 0x60-0x63 writes). */
void xen_set_pci_link_route(int link, int irq);
/* Send a message-signalled interrupt: the address and data a device's MSI capability holds. */
void xen_inject_msi(uint64_t addr, uint32_t data);

/*
 * Initialise mr (size bytes, to be mapped at guest-physical 0) as the served domain's memory
 * seen by devices: an I/O region whose reads and writes go to the domain's pages through
 * the accelerator's cache of foreign mappings (in 1 MiB buckets, dropped when Xen sends
 * IOREQ_TYPE_INVALIDATE). Pages the domain lacks read as all ones; writes there are dropped.
 * The region is never claimed from Xen: the guest's own accesses to its RAM stay in Xen.
 * Map it below the devices (a lower priority) so that their regions win.
 */
void xen_guest_memory_init(MemRegion *mr, const char *name, uint64_t size);

#endif

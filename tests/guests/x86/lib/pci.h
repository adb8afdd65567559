/* SPDX-License-Identifier: MIT */
/*
 * pci.h - PCI configuration access for the x86 test guests (configuration mechanism #1,
 * ports 0xCF8/0xCFC, bus 0 only) and the edu device checks shared by the bare-metal guest
 * tests/guests/x86/edu.c and the Xen guest tests/xen/tiny.c (lib/pci.c).
 */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include "guest.h"

#define PCI_DEVFN(slot, fn) (((slot) << 3) | (fn))
#define PCI_SLOT(devfn)     ((devfn) >> 3)
#define PIIX3_DEVFN         PCI_DEVFN(1, 0)

static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* Config access of 1, 2 or 4 bytes at reg (naturally aligned) of function devfn. */
uint32_t pci_cfg_read(int devfn, int reg, int size);
void pci_cfg_write(int devfn, int reg, int size, uint32_t v);
/* The devfn of the first function with these IDs on bus 0, or -1. */
int pci_find(uint16_t vendor, uint16_t device);
/* The offset of capability `id` in the function's list, or 0. */
int pci_find_cap(int devfn, uint8_t id);

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/*
 * The edu checks (QEMU's educational device, 1234:11e8): config header and MSI capability,
 * BAR0 sizing and placement, identification, liveness, factorial; an INTx interrupt through
 * the 8259 (the PIIX3's PIRQ route register for the device's link set to isa_irq, level
 * triggered through the ELCR), with COMMAND.INTX_DISABLE holding it back, and the
 * factorial's interrupt; an MSI through the local APIC (software-enabled, LVT0 ExtINT so
 * that the 8259 keeps working); then DMA of a page-crossing 4000-byte block to the device's
 * buffer and back, and of a small block at an offset, each completion signalled by MSI.
 * The guest's 8259s are re-initialised (vectors 0x20/0x28, all masked but the cascade and
 * isa_irq) and interrupts are left disabled at the end.
 */
struct edu_env {
    int devfn;              /* where the device is */
    uint32_t bar0;          /* the address to give BAR0 (1 MiB aligned, free) */
    int link;               /* the PIRQ link (0..3 = A..D) its INTA# is wired to */
    int isa_irq;            /* the 8259 IRQ to route that link to (a PCI-routable one) */
};
void edu_checks(const struct edu_env *env);

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8

#endif

/* SPDX-License-Identifier: MIT */
/*
 * edu.c - QEMU's educational PCI device (edu.opts: -device edu) on the pc board: finds it
 * by its IDs in PCI configuration space, places BAR0 at 0xE0000000 and runs the shared edu
 * checks (lib/pci.c): identification, liveness, factorial, an INTx interrupt through the
 * PIIX3's PIRQ routing and the 8259 (the pc board's swizzle: a device in slot S signals
 * INTA# on PIRQ (S - 1) mod 4), an MSI through the local APIC, and DMA both ways with
 * completion interrupts. The same code runs under Xen in tests/xen/tiny.c.
 */
#include "guest.h"
#include "pci.h"

int main(void)
{
    struct edu_env env = { .bar0 = 0xe0000000u, .isa_irq = 11 };

    env.devfn = pci_find(EDU_VENDOR, EDU_DEVICE);
    if (check(env.devfn >= 0, "an edu device (1234:11e8) on PCI bus 0")) {
        env.link = (PCI_SLOT(env.devfn) - 1) & 3;
        edu_checks(&env);
    }
    finish();
}

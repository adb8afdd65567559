/* SPDX-License-Identifier: MIT */
/*
 * accel/xen/xen-stub.c — the Xen calls of accel/xen/xen.h in builds without libxen
 * (CONFIG_XEN unset): nothing to raise, since no domain can be served, and the guest memory
 * window is plain RAM (the xenfv board refuses to start without -accel xen anyway).
 */
#include "accel/xen/xen.h"

void xen_set_isa_irq_level(int irq, int level)
{
}

void xen_set_pci_intx_level(int dev, int intx, int level)
{
}

void xen_set_pci_link_route(int link, int irq)
{
}

void xen_inject_msi(uint64_t addr, uint32_t data)
{
}

void xen_guest_memory_init(MemRegion *mr, const char *name, uint64_t size)
{
    mr_init_ram(mr, name, size);
}

/* SPDX-License-Identifier: MIT */
/*
 * accel/xen/xen-stub.c — the Xen interrupt calls in builds without libxen (CONFIG_XEN
 * unset): nothing to raise, since no domain can be served.
 */
#include "accel/xen/xen.h"

void xen_set_isa_irq_level(int irq, int level)
{
}

void xen_set_pci_intx_level(int dev, int intx, int level)
{
}

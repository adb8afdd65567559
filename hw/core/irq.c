/* SPDX-License-Identifier: MIT */
/*
 * hw/core/irq.c — allocation of interrupt input lines (the rest is inline in irq.h).
 */
#include "hw/core/irq.h"

IrqLine *irq_alloc_lines(IrqHandler handler, void *opaque, int count)
{
    IrqLine *l = xzalloc(sizeof(*l) * (count > 0 ? count : 1));
    for (int i = 0; i < count; i++) {
        l[i].handler = handler;
        l[i].opaque = opaque;
        l[i].n = i;
    }
    return l;
}

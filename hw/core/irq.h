/* SPDX-License-Identifier: MIT */
/*
 * hw/core/irq.h — interrupt lines between devices.
 * An input line is {handler, opaque, n}; a device's output is a copy of the input it is
 * connected to (an unconnected output does nothing). Levels are 0/1; edge-triggered
 * consumers look at transitions themselves.
 */
#ifndef HW_CORE_IRQ_H
#define HW_CORE_IRQ_H

#include "util/osdep.h"

typedef void (*IrqHandler)(void *opaque, int n, int level);

typedef struct IrqLine {
    IrqHandler handler;
    void *opaque;
    int n;
} IrqLine;

static inline void irq_set(const IrqLine *l, int level)
{
    if (l && l->handler) {
        l->handler(l->opaque, l->n, level);
    }
}
static inline void irq_raise(const IrqLine *l) { irq_set(l, 1); }
static inline void irq_lower(const IrqLine *l) { irq_set(l, 0); }
static inline void irq_pulse(const IrqLine *l) { irq_set(l, 1); irq_set(l, 0); }

/* Make `count` input lines n = 0..count-1 for one handler (freed with free()). */
IrqLine *irq_alloc_lines(IrqHandler handler, void *opaque, int count);
/* Connect an output to an input (copies the input). */
static inline void irq_connect(IrqLine *out, const IrqLine *in) { *out = *in; }

#endif

/* SPDX-License-Identifier: MIT */
/*
 * hw/char/serial16550.h — the 16550A UART ("isa-serial").
 *
 * Properties: iobase (default 0x3f8), irq (default 4; read by the board to wire output
 * line 0, the device itself has one output and does not look at it), chardev (the label
 * of a chardev created earlier, see chr_find; optional). The device maps its 8 ports at
 * iobase in dev->machine->io when it has a machine; otherwise the caller maps
 * device_pio(dev, 0).
 */
#ifndef HW_CHAR_SERIAL16550_H
#define HW_CHAR_SERIAL16550_H

#include "hw/core/device.h"
#include "backends/chardev.h"

extern const DeviceClass isa_serial_class;

/* Connect the UART to a host chardev (NULL disconnects): transmitted bytes go to it,
 * received bytes come from it under FIFO flow control. Replaces the "chardev" property. */
void serial16550_attach_chardev(Device *dev, Chardev *c);

/* The property "irq" as the board should wire it (default 4). */
int serial16550_isa_irq(Device *dev);

#endif

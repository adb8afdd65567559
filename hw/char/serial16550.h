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

/*
 * The PC's COM port i (0..3: 0x3f8/0x2f8/0x3e8/0x2e8, IRQ 4/3/4/3) for the machine's
 * -serial option i: creates its chardev (m->serial[i]) and the UART "com<i+1>" attached
 * to it. *dev is NULL when that option is absent or "none". 0, or -1 after error_report().
 * The board wires the UART's output line 0 to ISA IRQ serial16550_isa_irq(*dev).
 */
int serial16550_create_com(Machine *m, int i, Device **dev);

#endif

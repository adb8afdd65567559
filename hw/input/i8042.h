/* SPDX-License-Identifier: MIT */
/*
 * hw/input/i8042.h — the PC/AT keyboard controller (Intel 8042) with a PS/2 keyboard and a
 * PS/2 mouse behind it, "i8042".
 *
 * Ports: data at 0x60 (device_pio(dev, 0)) and status/command at 0x64 (device_pio(dev, 1));
 * realize maps both in dev->machine->io.
 * Lines (outputs):
 *   0  IRQ 1   keyboard data (or a controller reply) in the output buffer, command byte bit 0
 *   1  IRQ 12  mouse data in the output buffer, command byte bit 1
 *   2  A20     output port bit 1 (1 = A20 enabled): the board connects it like port 0x92's;
 *              it is driven only when the guest writes the output port (0xD1, 0xDD, 0xDF)
 * A write of the output port with bit 0 = 0, or a pulse command 0xF0-0xFE with bit 0 = 0
 * (0xFE), asks the machine to reset (machine_request_reset).
 *
 * Input from the host (the UI): the keyboard sends scancodes in its current set (set 2
 * after reset, as PS/2 keyboards do); the controller translates set 2 to set 1 on the way
 * to port 0x60 while command byte bit 6 (XLATE) is set, as the 8042 does.
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include "hw/core/device.h"

extern const DeviceClass i8042_class;

#define I8042_DATA_PORT     0x60
#define I8042_CMD_PORT      0x64
#define I8042_KBD_IRQ       1
#define I8042_AUX_IRQ       12

enum { I8042_IRQ_KBD_LINE = 0, I8042_IRQ_AUX_LINE = 1, I8042_A20_LINE = 2 };

/*
 * The keyboard sends one byte (a scancode byte of its current set, normally set 2: make
 * codes, 0xE0 prefixes and 0xF0 break prefixes as the keyboard would send them). Dropped
 * when the keyboard is not scanning (after 0xF5, before 0xF4) or its 16-byte queue is full.
 */
void i8042_put_keycode(Device *dev, uint8_t scancode);
/* The scancode set the keyboard is in (1, 2 or 3), i.e. what i8042_put_keycode expects. */
int i8042_keyboard_scancode_set(Device *dev);
/*
 * The mouse reports a movement (dx right, dy up, in counts) and its buttons (bit 0 left,
 * bit 1 right, bit 2 middle): one 3-byte packet in stream mode while reporting is enabled
 * (deltas beyond -256..255 are clamped and flagged as overflow). Dropped otherwise.
 */
void i8042_mouse_event(Device *dev, int dx, int dy, unsigned buttons);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * hw/misc/port92.h — System Control Port A (I/O port 0x92, "fast A20 and reset").
 *
 * Output line 0 is the A20 gate (level 1 = A20 enabled): the board connects it to the
 * CPU's A20 input. Writing bit 0 as 1 asks the machine to reset. The device maps its port
 * in dev->machine->io at realize (property iobase, default 0x92).
 */
#ifndef HW_MISC_PORT92_H
#define HW_MISC_PORT92_H

#include "hw/core/device.h"

extern const DeviceClass port92_class;

/* The A20 state the port drives now (bit 1 of the register). */
bool port92_a20_enabled(Device *dev);

#endif

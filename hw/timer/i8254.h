/* SPDX-License-Identifier: MIT */
/*
 * hw/timer/i8254.h — the PC's Intel 8254 programmable interval timer, and port 0x61.
 *
 * One "i8254" device: the counters at ports 0x40-0x42 and the control word at 0x43
 * (device_pio(dev, 0)), plus the PC's "NMI status and control" port 0x61
 * (device_pio(dev, 1)), which lives here because it drives counter 2's GATE and reads its
 * OUT:
 *   bit 0  R/W  GATE of counter 2 (the speaker timer)
 *   bit 1  R/W  speaker data enable (stored; no sound is produced)
 *   bit 2  R/W  SERR# check enable (stored)      bit 3  R/W  IOCHK# check enable (stored)
 *   bit 4  RO   refresh toggle: flips every 15.085 us of CLOCK_VIRTUAL
 *   bit 5  RO   OUT of counter 2
 *   bit 6/7 RO  IOCHK#/SERR# status (always 0)
 * When the device has a machine, realize maps both regions into m->io.
 *
 * The counters run at 1193182 Hz of CLOCK_VIRTUAL: counts and OUT levels are computed from
 * the elapsed virtual time, never by per-tick timers.
 *
 * Lines: output 0 is OUT of counter 0 (IRQ 0 of the PIC). Counter 0 and 1 gates are tied
 * high; counter 1's OUT (DRAM refresh) is not connected.
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "hw/core/device.h"

extern const DeviceClass i8254_class;

#define I8254_BASE      0x40
#define I8254_PORT_61   0x61
#define I8254_FREQ_HZ   1193182

/* The GATE input of a counter (0..2); counter 2's gate is also bit 0 of port 0x61. */
void i8254_set_gate(Device *pit, int channel, int level);
/* The OUT level of a counter now (0/1). */
int i8254_get_out(Device *pit, int channel);

#endif

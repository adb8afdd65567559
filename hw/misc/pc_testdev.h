/* SPDX-License-Identifier: MIT */
/*
 * hw/misc/pc_testdev.h — "pc-testdev", the test device kvm-unit-tests' x86 tests expect
 * (QEMU's -device pc-testdev, same addresses and behaviour).
 *
 * Regions (realize maps them in dev->machine when it has one; -device pc-testdev works
 * without the board's help):
 *   device_pio(dev, 0)   0xE0-0xE3   a 32-bit scratch register, any access size 1..4 at
 *                                    any byte (reads return the bytes last written)
 *   device_pio(dev, 1)   0xE4-0xE7   "flush page": a 32-bit write of a guest-physical
 *                                    address drops every vCPU's TLB mappings
 *   device_pio(dev, 2)   0xE8-0xEB   the same scratch register, implemented byte-wise (the
 *                                    memory core splits wider accesses)
 *   device_pio(dev, 3)   0x2000-0x2017  IRQ line n = port 0x2000 + n: a byte write sets the
 *                                    line's level (0 lowers it, anything else raises it);
 *                                    reads return the level (an addition: QEMU's has no read)
 *   device_mmio(dev, 0)  0xFF000000, 64 KiB of scratch I/O memory (not RAM: every access
 *                                    goes through the device), accesses of 1..8 bytes
 * Lines: outputs 0..23 are the 24 IRQ lines, as GSIs: at realize the device connects them
 * itself to the inputs 0..23 of the device whose id is property "ioapic" (default
 * "ioapic"), and lines 0..15 also to the inputs of the device named by "pic" (default
 * "pic"), when those devices exist. Line n reaches I/O APIC pin n (no ISA IRQ 0 -> pin 2
 * override). A board may instead connect device_irq_out(dev, n) itself.
 */
#ifndef HW_MISC_PC_TESTDEV_H
#define HW_MISC_PC_TESTDEV_H

#include "hw/core/device.h"

extern const DeviceClass pc_testdev_class;

#define PC_TESTDEV_IOPORT       0xE0
#define PC_TESTDEV_FLUSH_PAGE   0xE4
#define PC_TESTDEV_IOPORT_BYTE  0xE8
#define PC_TESTDEV_IRQ_BASE     0x2000
#define PC_TESTDEV_NUM_IRQS     24
#define PC_TESTDEV_IOMEM_BASE   0xFF000000ULL
#define PC_TESTDEV_IOMEM_SIZE   0x10000

#endif

/* SPDX-License-Identifier: MIT */
/*
 * hw/misc/edu.h — "edu", QEMU's educational PCI device (docs/specs/edu.rst in QEMU's
 * tree): a PCI function with one MMIO BAR, INTx and MSI, and a small DMA engine.
 *
 * PCI: vendor 1234h, device 11E8h, class 00FF00h, revision 10h, INTA#; BAR0 32-bit memory,
 * 1 MiB; an MSI capability (1 vector, 64-bit address, no masking). Properties bus=, addr=
 * (hw/pci/pci.h) and dma_mask= (default 0xFFFFFFF: the device drives 28 address bits, and
 * a DMA address with bits outside the mask is cut down to them, as in QEMU).
 *
 * BAR0 registers (accesses of 4 bytes below 0x80, of 4 or 8 bytes from 0x80; others are
 * ignored and read all ones, as are unused offsets):
 *   0x00 RO  identification 0x010000ED (version 1.0)
 *   0x04 RW  liveness check: reads the inverse of the value written
 *   0x08 RW  factorial: a write stores n and computes n! (modulo 2^32) in its place
 *            (ignored while a computation is running: never, here: it is done at once)
 *   0x20 RW  status: bit 0 computing (RO), bit 7 raise interrupt 0x1 when a factorial
 *            is done
 *   0x24 RO  interrupt status: the bits raised and not yet acknowledged
 *   0x60 WO  interrupt raise: ORs the value into the interrupt status
 *   0x64 WO  interrupt acknowledge: clears the value's bits from it
 *   0x80 RW  DMA source address        0x88 RW  DMA destination address
 *   0x90 RW  DMA transfer count        0x98 RW  DMA command: bit 0 start, bit 1 direction
 *            (0: RAM to the device's buffer, 1: buffer to RAM), bit 2 raise interrupt
 *            0x100 when done
 * The DMA buffer is 4 KiB at device address 0x40000 (only reachable by DMA); the other
 * side is guest-physical memory, reached with as_read/as_write on the machine's system
 * memory (under Xen the board's window onto the domain's RAM).
 *
 * Interrupts: while the interrupt status is not zero the device asserts INTA#, or, with MSI
 * enabled, sends its MSI once for each raise (acknowledging does not send).
 */
#ifndef HW_MISC_EDU_H
#define HW_MISC_EDU_H

#include "hw/pci/pci.h"

extern const DeviceClass edu_class;

#define EDU_VENDOR_ID        0x1234
#define EDU_DEVICE_ID        0x11E8
#define EDU_MMIO_SIZE        0x100000

#define EDU_REG_ID           0x00
#define  EDU_ID_VALUE         0x010000EDu
#define EDU_REG_LIVENESS     0x04
#define EDU_REG_FACTORIAL    0x08
#define EDU_REG_STATUS       0x20
#define  EDU_STATUS_COMPUTING 0x01
#define  EDU_STATUS_IRQFACT   0x80
#define EDU_REG_IRQ_STATUS   0x24
#define EDU_REG_IRQ_RAISE    0x60
#define EDU_REG_IRQ_ACK      0x64
#define EDU_REG_DMA_SRC      0x80
#define EDU_REG_DMA_DST      0x88
#define EDU_REG_DMA_COUNT    0x90
#define EDU_REG_DMA_CMD      0x98
#define  EDU_DMA_START        0x01
#define  EDU_DMA_TO_RAM       0x02
#define  EDU_DMA_IRQ          0x04
#define EDU_IRQ_FACT         0x00000001u
#define EDU_IRQ_DMA          0x00000100u
#define EDU_DMA_BUF_ADDR     0x40000
#define EDU_DMA_BUF_SIZE     0x1000
#define EDU_DMA_MASK_DEFAULT 0x0FFFFFFFull

#endif

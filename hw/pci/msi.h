/* SPDX-License-Identifier: MIT */
/*
 * hw/pci/msi.h — the MSI capability of a PCI function (PCI Local Bus spec 3.0, §6.8.1).
 *
 * A device adds it from realize, after pci_device_init():
 *
 *   if (msi_init(&s->pci, 0, 1, true, false) < 0) return -EINVAL;   // 1 vector, 64-bit
 *
 * and signals an interrupt with msi_notify(&s->pci, vector) while msi_enabled() (else it
 * uses its INTx pin: a function must not use both). The capability's registers are
 * written by the guest through the config space (the PCI core passes the writes on):
 *
 *   +0   ID 05h, next pointer
 *   +2   Message Control: bit 0 MSI Enable (RW), bits 3:1 Multiple Message Capable (RO,
 *        log2 of the vectors requested), bits 6:4 Multiple Message Enable (RW, log2 of the
 *        vectors allocated; a value above the capable one is stored as the capable one),
 *        bit 7 64-bit address capable (RO), bit 8 per-vector masking capable (RO)
 *   +4   Message Address, bits 1:0 zero
 *   +8   Message Upper Address (64-bit capable only)
 *   +8/+C  Message Data (16 bits)
 *   +C/+10 Mask Bits, +10/+14 Pending Bits (RO) — with per-vector masking only
 *
 * Vector v (v < the vectors allocated) is sent as a DWORD write of Message Data with its
 * low log2(allocated) bits replaced by v to Message Address, only while COMMAND.MASTER is
 * set (otherwise the message is lost, as a write the function may not master). A masked vector is not sent:
 * its Pending bit is set instead, and it is sent when a config write unmasks it (while MSI
 * is enabled). Reset clears Enable, Multiple Message Enable, the address, data, mask and
 * pending bits.
 *
 * Delivery (msi_send_message) goes through the machine: Machine.accel_send_msi when an
 * accelerator or board set it (the interrupt controllers live outside tandem: Xen), else
 * a 4-byte write of the data to the address in the machine's system memory, where the pc
 * board's local APICs take messages at 0xFEE00000-0xFEEFFFFF (hw/intc/apic.c).
 *
 * Not modelled: MSI-X, the Extended Message Data of PCI 4.0, Message Data bits 31:16
 * (always 0).
 * Everything here runs under the big lock.
 */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci.h"

/* Register offsets from the capability's start, and Message Control bits. */
#define PCI_MSI_FLAGS            2       /* 16: Message Control */
#define  PCI_MSI_FLAGS_ENABLE     0x0001
#define  PCI_MSI_FLAGS_QMASK      0x000e  /* Multiple Message Capable */
#define  PCI_MSI_FLAGS_QSIZE      0x0070  /* Multiple Message Enable */
#define  PCI_MSI_FLAGS_64BIT      0x0080
#define  PCI_MSI_FLAGS_MASKBIT    0x0100
#define PCI_MSI_ADDRESS_LO       4
#define PCI_MSI_ADDRESS_HI       8       /* 64-bit only */
#define PCI_MSI_DATA_32          8
#define PCI_MSI_DATA_64          12
#define PCI_MSI_MASK_32          12
#define PCI_MSI_MASK_64          16
#define PCI_MSI_PENDING_32       16
#define PCI_MSI_PENDING_64       20

#define MSI_MAX_VECTORS          32

/* Add the capability at `offset` (0: the first free place, see pci_add_capability) with
 * nr_vectors requested (1, 2, 4, 8, 16 or 32), a 64-bit address or not, per-vector masking
 * or not. Returns the offset or -errno after error_report(). */
int msi_init(PCIDevice *d, uint8_t offset, unsigned nr_vectors, bool is_64bit,
             bool per_vector_mask);
/* Back to the reset state (pci_device_reset calls it). */
void msi_reset(PCIDevice *d);
/* The capability's size in bytes (0 without one). */
uint8_t msi_cap_size(PCIDevice *d);

/* MSI Enable is set. */
bool msi_enabled(PCIDevice *d);
/* The vectors allocated by the guest (1 << Multiple Message Enable). */
unsigned msi_nr_vectors_allocated(PCIDevice *d);
/* Vector v's mask and pending bits (false without per-vector masking). */
bool msi_is_masked(PCIDevice *d, unsigned vector);
bool msi_is_pending(PCIDevice *d, unsigned vector);
/* The address and data that vector v is sent with. */
void msi_get_message(PCIDevice *d, unsigned vector, uint64_t *addr, uint32_t *data);

/* Signal vector v: nothing while MSI is disabled or v is not allocated; the pending bit
 * while v is masked; else the message is sent. */
void msi_notify(PCIDevice *d, unsigned vector);
/* Send one message through the function's machine (see above). */
void msi_send_message(PCIDevice *d, uint64_t addr, uint32_t data);

/* From the PCI core: a config write touched bytes [addr, addr + len) of the capability
 * (already stored): clamp Multiple Message Enable, drop pending bits of vectors no longer
 * allocated, send the pending vectors that are no longer masked. */
void msi_config_written(PCIDevice *d, uint32_t addr, unsigned len);

#endif

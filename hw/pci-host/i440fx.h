/* SPDX-License-Identifier: MIT */
/*
 * hw/pci-host/i440fx.h — the Intel 440FX host bridge ("i440fx-pcihost"): PCI bus 0 and
 * configuration mechanism #1.
 *
 * Realize (needs a machine) creates the PCI bus "pci.0" whose BARs map into m->sysmem and
 * m->io at priority -1 (RAM and fixed devices win), puts the 82441FX PMC on it as function
 * 00.0 (8086:1237, class 0600), and maps into m->io:
 *   0xCF8-0xCFB  CONFIG_ADDRESS (dword accesses only) and, at 0xCF9 as a byte, the PIIX3
 *                Reset Control register (see below); mapped at priority 1
 *   0xCFC-0xCFF  CONFIG_DATA (byte, word or dword at any offset)
 *
 * Why 0xCF9 lives here: a dword access to 0xCF8 must reach CONFIG_ADDRESS whole, so one
 * region covers the four ports; the byte at 0xCF9 is the Reset Control register (82371SB
 * datasheet, RC, I/O 0CF9h; the ACPI FADT's RESET_REG). Writing RCPU (bit 2) 0->1 asks the
 * machine for a reset (hard and soft reset are not distinguished: both reset the machine).
 * Another device mapped at 0xCF9 is shadowed by this region.
 *
 * No lines, no properties. PCI devices then attach with bus=pci.0 (the default).
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "hw/pci/pci.h"

extern const DeviceClass i440fx_pcihost_class;

#define I440FX_CONFIG_ADDRESS   0xCF8
#define I440FX_CONFIG_DATA      0xCFC
#define I440FX_RESET_CONTROL    0xCF9
#define  I440FX_RC_SRST          0x02    /* system (hard) reset */
#define  I440FX_RC_RCPU          0x04    /* 0->1: reset */
#define I440FX_CONFIG_ENABLE    0x80000000u

#define I440FX_VENDOR_ID        0x8086
#define I440FX_DEVICE_ID        0x1237

/* 82441FX PMC registers that are stored (not modelled: PAM shadowing, SMRAM, DRAM rows). */
#define I440FX_PAM0             0x59    /* PAM0-PAM6: 0x59-0x5F */
#define I440FX_SMRAM            0x72
#define  I440FX_SMRAM_DEFAULT    0x02

/* The bus the host bridge made (NULL for another device). */
PCIBus *i440fx_bus(Device *host);

#endif

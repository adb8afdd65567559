/* SPDX-License-Identifier: MIT */
/*
 * hw/acpi/acpi_pm.h — ACPI fixed hardware: PM1a event and control blocks, the PM timer,
 * GPE0 and the reset register, "acpi-pm".
 *
 * Regions:
 *   device_pio(dev, 0)  the PM block at property iobase (default ACPI_PM_IOBASE); realize
 *                       maps it in dev->machine->io. Layout (offsets from iobase):
 *                         +0x00 PM1a_EVT_BLK  PM1_STS (2 bytes), PM1_EN (2 bytes)
 *                         +0x04 PM1a_CNT_BLK  PM1_CNT (2 bytes)
 *                         +0x08 PM_TMR_BLK    24-bit timer at 3.579545 MHz (4 bytes)
 *                         +0x20 GPE0_BLK      GPE0_STS (2 bytes), GPE0_EN (2 bytes)
 *   device_pio(dev, 1)  the Reset Control Register (1 byte) for ACPI_PM_RESET_PORT (0xCF9),
 *                       for a board whose host bridge does not decode 0xCF9 itself. On the
 *                       `pc` board the i440fx host bridge owns 0xCF8-0xCFB, RCR included
 *                       (hw/pci-host/i440fx.h), so this region stays unmapped there.
 * Lines: output 0 is the SCI (active high, level; ISA IRQ ACPI_PM_SCI_IRQ).
 *
 * What the FADT must say (the ACPI table builder uses these constants): SMI_CMD = 0
 * (SCI_EN is set from reset: ACPI is always enabled), PM1a_EVT_BLK = iobase, PM1_EVT_LEN 4,
 * PM1a_CNT_BLK = iobase + 4, PM1_CNT_LEN 2, PM_TMR_BLK = iobase + 8, PM_TMR_LEN 4, no
 * TMR_VAL_EXT flag (24-bit timer), GPE0_BLK = iobase + 0x20, GPE0_BLK_LEN 4, SCI_INT 9,
 * RESET_REG = system I/O byte at ACPI_PM_RESET_PORT, RESET_VALUE = ACPI_PM_RESET_VALUE,
 * flag RESET_REG_SUP. The DSDT's \_S5 package must use SLP_TYP ACPI_PM_SLP_TYP_S5 (0) for
 * PM1a and PM1b; no other sleep state is supported (do not declare \_S1..\_S4).
 */
#ifndef HW_ACPI_ACPI_PM_H
#define HW_ACPI_ACPI_PM_H

#include "hw/core/device.h"

extern const DeviceClass acpi_pm_class;

#define ACPI_PM_IOBASE          0x600
#define ACPI_PM_IO_SIZE         0x40
#define ACPI_PM1_EVT_OFFSET     0x00
#define ACPI_PM1_EVT_LEN        4
#define ACPI_PM1_CNT_OFFSET     0x04
#define ACPI_PM1_CNT_LEN        2
#define ACPI_PM_TMR_OFFSET      0x08
#define ACPI_PM_TMR_LEN         4
#define ACPI_GPE0_OFFSET        0x20
#define ACPI_GPE0_LEN           4
#define ACPI_PM_SCI_IRQ         9
#define ACPI_PM_TIMER_HZ        3579545
#define ACPI_PM_SLP_TYP_S5      0
#define ACPI_PM_RESET_PORT      0xCF9
#define ACPI_PM_RESET_VALUE     0x06

/* PM1_STS / PM1_EN bits (ACPI 6.x, 4.8.3.1) */
#define ACPI_PM1_TMR_STS        (1u << 0)
#define ACPI_PM1_BM_STS         (1u << 4)
#define ACPI_PM1_GBL_STS        (1u << 5)
#define ACPI_PM1_PWRBTN_STS     (1u << 8)
#define ACPI_PM1_SLPBTN_STS     (1u << 9)
#define ACPI_PM1_RTC_STS        (1u << 10)
#define ACPI_PM1_WAK_STS        (1u << 15)
#define ACPI_PM1_TMR_EN         (1u << 0)
#define ACPI_PM1_GBL_EN         (1u << 5)
#define ACPI_PM1_PWRBTN_EN      (1u << 8)
#define ACPI_PM1_SLPBTN_EN      (1u << 9)
#define ACPI_PM1_RTC_EN         (1u << 10)
/* PM1_CNT bits (ACPI 6.x, 4.8.3.2) */
#define ACPI_PM1_SCI_EN         (1u << 0)
#define ACPI_PM1_SLP_TYP_SHIFT  10
#define ACPI_PM1_SLP_EN         (1u << 13)

/* The power button was pressed: PWRBTN_STS, and an SCI if PWRBTN_EN is set. */
void acpi_pm_power_button(Device *dev);

/*
 * The Reset Control Register as functions, for a host bridge that owns 0xCF8-0xCFB as one
 * region and wants to forward the byte at 0xCF9 (mapping the 1-byte region above such a
 * host would make the memory core split the dword accesses to CONFIG_ADDRESS). Bit 2
 * (RST_CPU) set in a write requests a machine reset (bits 1 SYS_RST and 3 FULL_RST choose
 * its kind on real hardware; every kind is a full machine reset here). Reads return bits
 * 1 and 3.
 */
void acpi_pm_rcr_write(Device *dev, uint8_t val);
uint8_t acpi_pm_rcr_read(Device *dev);

#endif

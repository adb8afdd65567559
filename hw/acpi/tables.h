/* SPDX-License-Identifier: MIT */
/*
 * hw/acpi/tables.h — the ACPI tables of the `pc` board, built by tandem itself (there is
 * no BIOS when a Linux kernel is booted directly).
 *
 * acpi_build() writes one blob meant to be placed at guest-physical `base`:
 *
 *   offset 0 (ACPI_RSDP_OFFSET)  RSDP, revision 2 (RSDT and XSDT addresses, both checksums)
 *   64                           FACS (64-byte aligned, as ACPI requires)
 *   then, 16-byte aligned        DSDT, FADT, MADT, RSDT, XSDT
 *
 * The RSDP is always first, so when the blob sits at 0xE0000 (in the BIOS area that an OS
 * scans for "RSD PTR " on 16-byte boundaries) the RSDP address is `base` itself; give the
 * same address to Linux in the zero page (boot_params.acpi_rsdp_addr). Every address in
 * the tables is absolute (base + offset), so the blob is only valid at `base`; base must be
 * 16-byte aligned and the blob must lie below 4 GiB (the RSDT and FADT hold 32-bit copies).
 *
 * Contents (ACPI 6.0; see tables.c for the details):
 *   FADT rev 6: SCI, PM1a event/control, PM timer (24-bit), GPE0 blocks as both 32-bit and
 *     X_ fields, reset register (I/O), SMI_CMD 0 (ACPI is always enabled), IAPC_BOOT_ARCH
 *     legacy devices (+ 8042 when present), FACS and DSDT as 32-bit and X_ pointers
 *   MADT rev 4: local APIC address, PCAT_COMPAT, one enabled Processor Local APIC per CPU
 *     (UID = APIC ID = CPU index), the IOAPIC, overrides ISA IRQ 0 -> GSI 2 (edge, high)
 *     and IRQ <sci> -> GSI <sci> (level, high), Local APIC NMI on LINT1 for all processors
 *   DSDT rev 2 (AML written byte by byte here): \_S5 sleep package, \_SB.C000.. processor
 *     devices (ACPI0007), \_SB.PCI0 (PNP0A03, _UID and _BBN 0, no _ADR since §6.1 wants
 *     _HID or _ADR but not both; _CRS windows: bus 0-FF, I/O 0-CF7 and D00-FFFF, memory
 *     A0000-BFFFF and lowmem_end-FEBFFFFF, and the 0xCF8 ports it consumes;
 *     _PRT: every slot's INTA-D -> GSI 16 + PIIX3 PIRQ), and under PCI0.ISA_ the ISA
 *     devices that exist: COM1 (PNP0501), keyboard and mouse (PNP0303, PNP0F13), RTC
 *     (PNP0B00)
 */
#ifndef HW_ACPI_TABLES_H
#define HW_ACPI_TABLES_H

#include "util/osdep.h"

/* The `pc` board's fixed hardware: the numbers the ACPI PM device (hw/acpi/acpi_pm.c), the
 * IOAPIC and the chipset use. acpi_config_pc() fills an AcpiConfig with them. */
#define ACPI_PC_PM1A_EVT_BLK    0x600   /* PM1a_STS (2) + PM1a_EN (2) */
#define ACPI_PC_PM1_EVT_LEN     4
#define ACPI_PC_PM1A_CNT_BLK    0x604   /* PM1a_CNT (2) */
#define ACPI_PC_PM1_CNT_LEN     2
#define ACPI_PC_PM_TMR_BLK      0x608   /* 24-bit PM timer (4) */
#define ACPI_PC_PM_TMR_LEN      4
#define ACPI_PC_GPE0_BLK        0x620   /* GPE0_STS (2) + GPE0_EN (2) */
#define ACPI_PC_GPE0_BLK_LEN    4
#define ACPI_PC_SCI_IRQ         9
#define ACPI_PC_RESET_PORT      0xCF9   /* PIIX3 Reset Control (hw/pci-host/i440fx.h) */
#define ACPI_PC_RESET_VALUE     0x06    /* SRST | RCPU: hard reset */
#define ACPI_PC_SLP_TYP_S5      0       /* PM1_CNT.SLP_TYP value that powers off */
#define ACPI_PC_LAPIC_ADDR      0xFEE00000u
#define ACPI_PC_IOAPIC_ADDR     0xFEC00000u
#define ACPI_PC_RTC_CENTURY     0x32    /* CMOS index of the century byte */
#define ACPI_PC_PCI_HOLE_END    0xFEC00000u   /* the 32-bit PCI window ends below the IOAPIC */

#define ACPI_RSDP_OFFSET        0       /* the RSDP's offset in the blob */
#define ACPI_MAX_CPUS           255     /* APIC IDs 0..254 (no x2APIC entries) */

typedef struct AcpiConfig {
    int ncpus;                  /* Processor Local APIC entries with APIC IDs 0..ncpus-1 */
    uint64_t lowmem_end;        /* end of RAM below 4 GiB: the 32-bit PCI window starts
                                 * here (rounded up to 1 MiB) and ends at 0xFEBFFFFF */
    uint32_t lapic_addr;
    uint32_t ioapic_addr;
    uint8_t ioapic_id;          /* must differ from every local APIC ID: ncpus on the PC */
    uint8_t sci_irq;
    uint16_t pm1a_evt_blk, pm1a_cnt_blk, pm_tmr_blk, gpe0_blk;
    uint8_t gpe0_blk_len;
    uint16_t reset_port;
    uint8_t reset_value;
    uint8_t s5_slp_typ;
    uint8_t rtc_century;        /* 0: no century register */
    /* ISA devices to describe in the DSDT (and, for the 8042, in IAPC_BOOT_ARCH) */
    bool com1, i8042, rtc;
} AcpiConfig;

/* Fill cfg with the `pc` board's values (the ACPI_PC_* numbers above, IOAPIC ID = ncpus,
 * COM1, the 8042 and the RTC present). */
void acpi_config_pc(AcpiConfig *cfg, int ncpus, uint64_t lowmem_end);
/* The pc board's I/O APIC ID (the MADT's and the ID register's after reset): the first
 * number after the local APIC IDs 0..ncpus-1, as PC firmware numbers it, while that fits
 * the register's 4 bits; 0 beyond (distinct IDs matter only on the serial APIC bus). */
static inline int acpi_pc_ioapic_id(int ncpus)
{
    return ncpus < 16 ? ncpus : 0;
}

/*
 * Build the tables into buf[0, max) for guest-physical address `base`. Returns the blob's
 * size (the RSDP is at ACPI_RSDP_OFFSET), or 0 after error_report() when they do not fit
 * in max, the blob would cross 4 GiB, base is not 16-byte aligned, or the configuration is
 * invalid (no CPU, more than ACPI_MAX_CPUS, lowmem_end at or above the PCI hole's end).
 * Bytes of buf past the returned size are left untouched.
 */
size_t acpi_build(const AcpiConfig *cfg, uint8_t *buf, size_t max, hwaddr base);

/* The byte sum of len bytes (a correct ACPI table sums to 0 mod 256). */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

#endif

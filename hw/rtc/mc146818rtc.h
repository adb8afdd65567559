/* SPDX-License-Identifier: MIT */
/*
 * hw/rtc/mc146818rtc.h — the PC's real-time clock and CMOS memory (Motorola MC146818A),
 * "mc146818rtc".
 *
 * Ports: index at 0x70 (bit 7 = NMI disable, stored only) and data at 0x71, one 2-byte
 * region, device_pio(dev, 0), which realize maps in dev->machine->io at RTC_IOBASE.
 * Lines: output 0 is the interrupt (IRQ 8 of the PIC and of the I/O APIC); it stays high
 * from the event until the guest reads register C.
 *
 * Time: the host's wall clock (CLOCK_HOST, UTC) plus an offset the guest sets by writing
 * the clock registers; it keeps running across machine resets (the battery). The periodic
 * interrupt runs on CLOCK_VIRTUAL.
 *
 * CMOS bytes 0x0E-0x7F are memory. Realize fills the PC conventions that do not depend on
 * the board (0x0E diagnostics 0, 0x0F shutdown 0, 0x10 floppy 0, 0x14 equipment 0x06: FPU
 * and PS/2 mouse, 0x15/0x16 base memory 640 KiB); the board fills the memory sizes and CPU
 * count with rtc_set_pc_memory() (or byte by byte with rtc_set_memory()). Byte 0x32 is the
 * century of the clock (BCD or binary as register B says), as Linux and the FADT's CENTURY
 * field expect.
 */
#ifndef HW_RTC_MC146818RTC_H
#define HW_RTC_MC146818RTC_H

#include "hw/core/device.h"

extern const DeviceClass mc146818rtc_class;

#define RTC_IOBASE      0x70
#define RTC_ISA_IRQ     8
#define RTC_CENTURY_REG 0x32    /* for the FADT's CENTURY field */

/* CMOS memory bytes of the PC convention */
#define RTC_REG_DIAG            0x0E
#define RTC_REG_SHUTDOWN        0x0F
#define RTC_REG_FLOPPY          0x10
#define RTC_REG_EQUIPMENT       0x14
#define RTC_REG_BASEMEM_LO      0x15    /* KiB below 1 MiB: 640 */
#define RTC_REG_EXTMEM_LO       0x17    /* KiB above 1 MiB (max 0xFFFF), also 0x30/0x31 */
#define RTC_REG_EXTMEM2_LO      0x30
#define RTC_REG_MEM16M_LO       0x34    /* 64 KiB units between 16 MiB and 4 GiB (max 0xFFFF) */
#define RTC_REG_MEM4G_0         0x5B    /* 64 KiB units above 4 GiB, 3 bytes (0x5B-0x5D) */
#define RTC_REG_NB_CPUS         0x5F    /* CPU count - 1 */

/*
 * Set a CMOS memory byte (addr 0x0E..0x7F; the clock registers 0x00-0x0D and the century
 * byte cannot be set this way and are ignored). Keeps the standard checksum of bytes
 * 0x10-0x2D in 0x2E (high) / 0x2F (low) up to date.
 */
void rtc_set_memory(Device *rtc, int addr, uint8_t val);
/* Read a CMOS byte as the guest would at port 0x71, without side effects on register C. */
uint8_t rtc_get_memory(Device *rtc, int addr);
/*
 * Fill the memory-size and CPU-count bytes: below_4g and above_4g are the RAM bytes below
 * and above 4 GiB (below_4g includes the first MiB).
 */
void rtc_set_pc_memory(Device *rtc, uint64_t below_4g, uint64_t above_4g, int ncpus);

#endif

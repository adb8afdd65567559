/* SPDX-License-Identifier: MIT */
/*
 * hw/nvram/fw_cfg.h — QEMU's firmware configuration device ("fw_cfg_io"): how a board
 * hands firmware (SeaBIOS, OVMF, our loaders) the machine's facts and blobs.
 *
 * Guest interface (QEMU docs/specs/fw_cfg.rst): I/O port iobase (0x510) takes a 16-bit
 * selector write, iobase + 1 (0x511) reads the selected item one byte at a time
 * (auto-increment, 0 past the end, 0 for an unknown key); the DMA interface at iobase + 4
 * (0x514, 8 bytes, big-endian address; reads give the signature "QEMU CFG").
 *
 * Properties: iobase (default 0x510), dma (on/off, default on). Realize adds the signature,
 * ID (bit 0 traditional interface, bit 1 DMA), UUID (zeros), NOGRAPHIC, BOOT_MENU and an
 * empty file directory; when the device has a machine, also NB_CPUS, MAX_CPUS (opts.smp)
 * and RAM_SIZE (opts.ram_size), which the board may replace. Maps itself in
 * dev->machine->io.
 *
 * The board adds items with the functions below (integers little-endian, as QEMU stores
 * them). Adding a key that exists replaces its data. Items are configuration, not device
 * state: reset and snapshots keep them.
 */
#ifndef HW_NVRAM_FW_CFG_H
#define HW_NVRAM_FW_CFG_H

#include "hw/core/device.h"

extern const DeviceClass fw_cfg_io_class;

enum {
    FW_CFG_SIGNATURE = 0x00,
    FW_CFG_ID = 0x01,
    FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04,
    FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MACHINE_ID = 0x06,
    FW_CFG_KERNEL_ADDR = 0x07,
    FW_CFG_KERNEL_SIZE = 0x08,
    FW_CFG_KERNEL_CMDLINE = 0x09,
    FW_CFG_INITRD_ADDR = 0x0a,
    FW_CFG_INITRD_SIZE = 0x0b,
    FW_CFG_BOOT_DEVICE = 0x0c,
    FW_CFG_NUMA = 0x0d,
    FW_CFG_BOOT_MENU = 0x0e,
    FW_CFG_MAX_CPUS = 0x0f,
    FW_CFG_KERNEL_ENTRY = 0x10,
    FW_CFG_KERNEL_DATA = 0x11,
    FW_CFG_INITRD_DATA = 0x12,
    FW_CFG_CMDLINE_ADDR = 0x13,
    FW_CFG_CMDLINE_SIZE = 0x14,
    FW_CFG_CMDLINE_DATA = 0x15,
    FW_CFG_SETUP_ADDR = 0x16,
    FW_CFG_SETUP_SIZE = 0x17,
    FW_CFG_SETUP_DATA = 0x18,
    FW_CFG_FILE_DIR = 0x19,
    FW_CFG_FILE_FIRST = 0x20,
    FW_CFG_WRITE_CHANNEL = 0x4000,  /* selector bit: ignored (no writable items) */
    FW_CFG_ARCH_LOCAL = 0x8000,     /* selector bit: the architecture's own keys */
    /* x86 arch-local keys */
    FW_CFG_ACPI_TABLES = FW_CFG_ARCH_LOCAL + 0,
    FW_CFG_SMBIOS_ENTRIES = FW_CFG_ARCH_LOCAL + 1,
    FW_CFG_IRQ0_OVERRIDE = FW_CFG_ARCH_LOCAL + 2,
    FW_CFG_E820_TABLE = FW_CFG_ARCH_LOCAL + 3,
    FW_CFG_HPET = FW_CFG_ARCH_LOCAL + 4,
};

#define FW_CFG_MAX_FILE_PATH 56     /* name bytes in a directory entry, NUL included */
#define FW_CFG_MAX_FILES 256        /* keys FW_CFG_FILE_FIRST .. + 255 */
#define FW_CFG_ARCH_ENTRIES 32      /* arch-local keys 0x8000 .. 0x801f */

/* DMA control word bits (FWCfgDmaAccess.control, big-endian in guest memory) */
enum {
    FW_CFG_DMA_CTL_ERROR = 0x01,
    FW_CFG_DMA_CTL_READ = 0x02,
    FW_CFG_DMA_CTL_SKIP = 0x04,
    FW_CFG_DMA_CTL_SELECT = 0x08,
    FW_CFG_DMA_CTL_WRITE = 0x10,
};
#define FW_CFG_DMA_SIGNATURE 0x51454d5520434647ULL   /* "QEMU CFG", big-endian */

/* Set item `key` to a copy of data[0, len). Returns 0, or -EINVAL (after error_report)
 * for a key outside the generic and arch-local tables. */
int fw_cfg_add_bytes(Device *dev, uint16_t key, const void *data, size_t len);
/* The string with its terminating NUL (as QEMU stores strings). */
int fw_cfg_add_string(Device *dev, uint16_t key, const char *s);
int fw_cfg_add_i16(Device *dev, uint16_t key, uint16_t v);
int fw_cfg_add_i32(Device *dev, uint16_t key, uint32_t v);
int fw_cfg_add_i64(Device *dev, uint16_t key, uint64_t v);
/* Add (or replace) the named file, listed in FW_CFG_FILE_DIR (sorted by name). Returns
 * its key (stable: FW_CFG_FILE_FIRST + the order of first addition), or -errno after
 * error_report (name empty or longer than 55 bytes, table full). */
int fw_cfg_add_file(Device *dev, const char *name, const void *data, size_t len);
/* The key of a named file, or -ENOENT. */
int fw_cfg_find_file(Device *dev, const char *name);

#endif

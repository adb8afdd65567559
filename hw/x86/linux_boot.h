/* SPDX-License-Identifier: MIT */
/*
 * hw/x86/linux_boot.h — the Linux/x86 boot protocol loader (bzImage, boot protocol 2.06
 * or later: Documentation/arch/x86/boot.rst and zero-page.rst in the kernel tree), for the
 * 32-bit entry that a board performs itself (linux_boot_load) or for the 16-bit entry that
 * a BIOS performs with tandem's option ROM from fw_cfg items (linux_boot_fw_cfg).
 */
#ifndef HW_X86_LINUX_BOOT_H
#define HW_X86_LINUX_BOOT_H

#include "hw/core/machine.h"

/* The selectors the 32-bit boot protocol wants: flat 4 GiB code and data. */
#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18

/* Guest-physical layout of what the loader builds (all below the EBDA at 0x9FC00). */
#define LINUX_GDT_ADDR 0x6000u         /* 4 descriptors: null, unused, __BOOT_CS, __BOOT_DS */
#define LINUX_ZERO_PAGE_ADDR 0x7000u   /* struct boot_params, 4 KiB */
#define LINUX_CMDLINE_ADDR 0x20000u    /* the command line, NUL terminated */
#define LINUX_LOW_END 0x9FC00u

/* Guest-physical layout of the fw_cfg path (boot.rst, "Loading the rest of the kernel":
 * the setup code at X, its stack and heap up to X + heap_end, the command line there). */
#define LINUX_FW_CFG_SETUP_ADDR 0x10000u    /* X: the setup code (real-mode segment 0x1000) */
#define LINUX_FW_CFG_SETUP_MAX 0x8000u      /* the setup code's limit (32 KiB) */
#define LINUX_FW_CFG_HEAP_END 0xe000u       /* the end of its stack and heap, from X */
#define LINUX_FW_CFG_CMDLINE_ADDR (LINUX_FW_CFG_SETUP_ADDR + LINUX_FW_CFG_HEAP_END)
#define LINUX_FW_CFG_KERNEL_ADDR 0x100000u  /* the protected-mode kernel */
/* RAM at the top of low memory left to the firmware's tables (SeaBIOS keeps up to 256 KiB
 * there): the initrd ends below it. */
#define LINUX_FW_CFG_TOP_RESERVE (1 * MiB)

/* e820 types (zero-page.rst, struct boot_e820_entry) */
#define E820_RAM 1
#define E820_RESERVED 2

typedef struct LinuxBoot {
    uint16_t version;      /* boot protocol version, e.g. 0x020f */
    uint32_t entry;        /* EIP at entry: the load address of the protected-mode kernel */
    uint32_t zero_page;    /* ESI at entry: struct boot_params (0 for fw_cfg) */
    uint32_t gdt_base;     /* GDTR: a GDT with LINUX_BOOT_CS and LINUX_BOOT_DS (0 for fw_cfg) */
    uint16_t gdt_limit;
    uint32_t cmdline_addr;
    uint64_t initrd_addr;  /* 0 when there is no initrd */
    uint64_t initrd_size;
} LinuxBoot;

/* Is this image a Linux kernel with a boot protocol header ("HdrS" at 0x202)? */
bool linux_boot_probe(const uint8_t *img, size_t size);

/*
 * Load the bzImage img (read from `path`, named in messages) with its command line (NULL:
 * empty) and initrd file (NULL: none), registering the protected-mode kernel, the zero
 * page, the command line, the GDT and the initrd as reset-time blobs (loader_add_blob).
 * lowmem: RAM bytes from 0 (below 4 GiB); highmem: RAM bytes at 4 GiB. rsdp_addr: the
 * physical address of the ACPI RSDP for boot_params.acpi_rsdp_addr, 0 when there is none
 * (the kernel then scans 0xE0000-0xFFFFF itself).
 * Returns 0 and fills *out, or -1 after one error_report() line naming what is wrong.
 */
int linux_boot_load(Machine *m, const char *path, const uint8_t *img, size_t size,
                    const char *cmdline, const char *initrd_path, uint64_t lowmem,
                    uint64_t highmem, uint64_t rsdp_addr, LinuxBoot *out);

/*
 * Offer the bzImage img (read from `path`, named in messages) to a BIOS through fw_cfg,
 * as the items of QEMU's kernel-loading contract (docs/specs/fw_cfg.rst): FW_CFG_SETUP_ADDR,
 * _SIZE, _DATA (the real-mode setup code with its header patched: type_of_loader 0xff,
 * CAN_USE_HEAP, heap_end_ptr, code32_start, cmd_line_ptr, ramdisk_image/size),
 * FW_CFG_KERNEL_* (the protected-mode kernel, for LINUX_FW_CFG_KERNEL_ADDR),
 * FW_CFG_INITRD_* (initrd_path's contents, or size 0 without one; page aligned at the top
 * of low RAM less LINUX_FW_CFG_TOP_RESERVE, below initrd_addr_max) and FW_CFG_CMDLINE_*
 * (NUL terminated, at LINUX_FW_CFG_CMDLINE_ADDR). lowmem: RAM bytes from 0 (below 4 GiB).
 * The option ROM that uses them is added separately (pc-bios/linuxboot_rom.h).
 * Returns 0 and fills *out (entry: the kernel's load address), or -1 after one
 * error_report() line naming what is wrong (not a bzImage, truncated, protocol too old,
 * setup code too large, command line too long, too little RAM for the kernel, an initrd
 * that cannot be read or does not fit).
 */
int linux_boot_fw_cfg(Device *fw_cfg, const char *path, const uint8_t *img, size_t size,
                      const char *cmdline, const char *initrd_path, uint64_t lowmem,
                      LinuxBoot *out);

#endif

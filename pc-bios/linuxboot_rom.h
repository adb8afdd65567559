/* SPDX-License-Identifier: MIT */
/*
 * pc-bios/linuxboot_rom.h — tandem's Linux boot option ROM (pc-bios/linuxboot.S) as the
 * boards hand it to a BIOS through fw_cfg: the image embedded at build time, signed here
 * (its size byte and checksums), and added as an fw_cfg "genroms/" file with a
 * "bootorder" that makes it the first boot device (what SeaBIOS reads). The ROM copies
 * the fw_cfg kernel items (hw/x86/linux_boot.h, linux_boot_fw_cfg) into guest memory and
 * enters the kernel's real-mode setup code.
 */
#ifndef PC_BIOS_LINUXBOOT_ROM_H
#define PC_BIOS_LINUXBOOT_ROM_H

#include "util/osdep.h"
#include "hw/core/device.h"

/* The fw_cfg file name of the ROM, and the boot device path SeaBIOS gives it. */
#define LINUXBOOT_ROM_FILE "genroms/tandem-linuxboot.bin"
#define LINUXBOOT_ROM_BOOT_PATH "/rom@" LINUXBOOT_ROM_FILE

/* Option ROM header fields (PC option ROM and PnP expansion header). */
#define OPTION_ROM_BLOCK 512
#define OPTION_ROM_SIZE_OFF 2          /* size in 512-byte blocks */
#define OPTION_ROM_PNP_PTR_OFF 0x1a    /* 16-bit offset of the "$PnP" header */
#define PNP_HDR_LEN_OFF 5              /* its length in 16-byte units */
#define PNP_HDR_CSUM_OFF 9             /* its checksum byte */
#define PNP_HDR_BEV_OFF 0x1a           /* its bootstrap entry vector */

/*
 * The ROM ready for a BIOS: a new buffer (free() it) of *len bytes, the embedded image
 * padded with zeros to whole 512-byte blocks (at least one byte of padding, which takes
 * the checksum), the size byte set, the PnP header's checksum and the whole ROM's
 * checksum set so that their bytes sum to 0 mod 256.
 */
uint8_t *linuxboot_rom_image(size_t *len);

/*
 * Add the ROM to fw_cfg as LINUXBOOT_ROM_FILE and the file "bootorder" naming it first
 * (LINUXBOOT_ROM_BOOT_PATH and a newline). 0, or -errno after error_report().
 */
int linuxboot_rom_add(Device *fw_cfg);

#endif

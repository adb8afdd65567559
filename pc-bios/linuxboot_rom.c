/* SPDX-License-Identifier: MIT */
/*
 * pc-bios/linuxboot_rom.c — the Linux boot option ROM inside the tandem binary: the flat
 * image that the build assembles from pc-bios/linuxboot.S is included here byte for byte
 * (.incbin of LINUXBOOT_BIN, a path the Makefile passes), then signed at run time the way
 * a BIOS checks option ROMs (the PC option ROM header's size byte and the byte sum of the
 * whole ROM, the PnP expansion header's own checksum) and handed to fw_cfg.
 * Not done: PCI ROMs (no PCI data structure), ROMs larger than 127 blocks.
 */
#include "pc-bios/linuxboot_rom.h"
#include "hw/nvram/fw_cfg.h"

#ifndef LINUXBOOT_BIN
#error "LINUXBOOT_BIN must name the assembled ROM image (pc-bios/module.mk)"
#endif

extern const uint8_t linuxboot_rom_start[], linuxboot_rom_end[];

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl linuxboot_rom_start\n"
        ".globl linuxboot_rom_end\n"
        "linuxboot_rom_start:\n"
        ".incbin \"" LINUXBOOT_BIN "\"\n"
        "linuxboot_rom_end:\n"
        ".previous\n");

static uint8_t byte_sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--) {
        s += *p++;
    }
    return s;
}

uint8_t *linuxboot_rom_image(size_t *len)
{
    size_t raw = (size_t)(linuxboot_rom_end - linuxboot_rom_start);
    size_t n = (raw / OPTION_ROM_BLOCK + 1) * OPTION_ROM_BLOCK;
    uint8_t *rom = xzalloc(n);
    uint16_t pnp;

    memcpy(rom, linuxboot_rom_start, raw);
    rom[OPTION_ROM_SIZE_OFF] = (uint8_t)(n / OPTION_ROM_BLOCK);
    pnp = (uint16_t)(rom[OPTION_ROM_PNP_PTR_OFF] | rom[OPTION_ROM_PNP_PTR_OFF + 1] << 8);
    if (pnp && pnp + 32u <= raw && !memcmp(rom + pnp, "$PnP", 4)) {
        size_t plen = (size_t)rom[pnp + PNP_HDR_LEN_OFF] * 16;
        rom[pnp + PNP_HDR_CSUM_OFF] = 0;
        rom[pnp + PNP_HDR_CSUM_OFF] = (uint8_t)-byte_sum(rom + pnp, MIN(plen, raw - pnp));
    }
    rom[n - 1] = 0;
    rom[n - 1] = (uint8_t)-byte_sum(rom, n);
    *len = n;
    return rom;
}

int linuxboot_rom_add(Device *fw_cfg)
{
    static const char order[] = LINUXBOOT_ROM_BOOT_PATH "\n";
    size_t len;
    uint8_t *rom = linuxboot_rom_image(&len);
    int r = fw_cfg_add_file(fw_cfg, LINUXBOOT_ROM_FILE, rom, len);

    free(rom);
    if (r < 0) {
        return r;
    }
    r = fw_cfg_add_file(fw_cfg, "bootorder", order, sizeof(order) - 1);
    return r < 0 ? r : 0;
}

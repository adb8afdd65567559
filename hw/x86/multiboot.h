/* SPDX-License-Identifier: MIT */
/*
 * hw/x86/multiboot.h — the Multiboot (v1, spec 0.6.96) loader for x86 PCs.
 */
#ifndef HW_X86_MULTIBOOT_H
#define HW_X86_MULTIBOOT_H

#include "hw/core/machine.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

typedef struct MultibootBoot {
    uint32_t entry;       /* EIP at entry (flat 32-bit protected mode) */
    uint32_t info_addr;   /* EBX: the Multiboot information structure */
} MultibootBoot;

/* Is this image a Multiboot kernel (a valid header in its first 8 KiB)? */
bool multiboot_probe(const uint8_t *img, size_t size);

/*
 * Load kernel `path` (ELF32, or any image with the header's address fields) with its command
 * line and modules ("file args,file args" as QEMU's -initrd for Multiboot), registering the
 * images as reset-time blobs. lowmem: RAM bytes below 4 GiB; highmem: RAM above 4 GiB.
 * Returns 0, or -1 after one error_report() line naming what is wrong.
 */
int multiboot_load(Machine *m, const char *path, const uint8_t *img, size_t size,
                   const char *cmdline, const char *modules, uint64_t lowmem,
                   uint64_t highmem, MultibootBoot *out);

#endif

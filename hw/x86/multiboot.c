/* SPDX-License-Identifier: MIT */
/*
 * hw/x86/multiboot.c — Multiboot v1 loader (Multiboot Specification 0.6.96): finds the
 * header in the first 8 KiB, loads ELF32 PT_LOAD segments at their physical addresses (or,
 * with header flag 16, the image at the header's load addresses), loads modules page
 * aligned after the kernel, and builds the information structure (memory sizes, command
 * line, modules, the BIOS-style memory map, the boot loader name) below 640 KiB, or right
 * after the kernel (before the modules) when the kernel itself is loaded there.
 * Not supported: video mode requests (flag 2 is ignored), ELF section headers for symbols,
 * 64-bit ELF images (convert them with objcopy -O elf32-i386, as QEMU also requires).
 */
#include "hw/x86/multiboot.h"
#include "hw/core/loader.h"
#include <elf.h>

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_SEARCH 8192
#define MB_FLAG_PAGE_ALIGN (1u << 0)
#define MB_FLAG_MEMINFO (1u << 1)
#define MB_FLAG_VIDEO (1u << 2)
#define MB_FLAG_AOUT_KLUDGE (1u << 16)

#define MBI_MEM (1u << 0)
#define MBI_BOOTDEV (1u << 1)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
#define MBI_LOADER_NAME (1u << 9)

/* Guest-physical layout of what the loader builds (below the EBDA at 0x9FC00). */
#define MB_INFO_ADDR 0x9000u
#define MB_INFO_END 0x9FC00u
/* Its size when it must follow a kernel loaded over that area (real-mode tests at 0x8000) */
#define MB_INFO_SIZE_MOVED 0x10000u

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void wr64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static long mb_find_header(const uint8_t *img, size_t size)
{
    for (size_t off = 0; off + 12 <= size && off < MB_SEARCH; off += 4) {
        if (rd32(img + off) == MB_HEADER_MAGIC &&
            (uint32_t)(rd32(img + off) + rd32(img + off + 4) + rd32(img + off + 8)) == 0) {
            return (long)off;
        }
    }
    return -1;
}

bool multiboot_probe(const uint8_t *img, size_t size)
{
    return mb_find_header(img, size) >= 0;
}

static int mb_load_elf(Machine *m, const char *path, const uint8_t *img, size_t size,
                       uint64_t lowmem, uint32_t *entry, uint32_t *start, uint32_t *end)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;
    int loaded = 0;
    if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
        error_report("'%s' is a Multiboot image without load addresses and is not ELF", path);
        return -1;
    }
    if (eh->e_ident[EI_CLASS] == ELFCLASS64) {
        error_report("'%s' is a 64-bit ELF: Multiboot needs a 32-bit one "
                     "(objcopy -O elf32-i386 converts it)", path);
        return -1;
    }
    if (eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        (eh->e_machine != EM_386 && eh->e_machine != EM_X86_64) ||
        eh->e_phentsize != sizeof(Elf32_Phdr) ||
        (uint64_t)eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > size) {
        error_report("'%s' is not a valid little-endian x86 ELF32 image", path);
        return -1;
    }
    *end = 0;
    *start = UINT32_MAX;
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf32_Phdr *ph = (const Elf32_Phdr *)(img + eh->e_phoff) + i;
        if (ph->p_type != PT_LOAD || ph->p_memsz == 0) {
            continue;
        }
        if (ph->p_filesz > ph->p_memsz || (uint64_t)ph->p_offset + ph->p_filesz > size) {
            error_report("'%s': program header %d lies outside the file", path, i);
            return -1;
        }
        if ((uint64_t)ph->p_paddr + ph->p_memsz > lowmem) {
            error_report("'%s': segment at 0x%x-0x%" PRIx64 " does not fit in guest RAM "
                         "(%" PRIu64 " MiB below 4 GiB)", path, ph->p_paddr,
                         (uint64_t)ph->p_paddr + ph->p_memsz, lowmem / MiB);
            return -1;
        }
        loader_add_blob(m, ph->p_paddr, img + ph->p_offset, ph->p_filesz, path);
        if (ph->p_memsz > ph->p_filesz) {
            loader_add_zero(m, ph->p_paddr + ph->p_filesz, ph->p_memsz - ph->p_filesz, "bss");
        }
        *end = MAX(*end, ph->p_paddr + ph->p_memsz);
        *start = MIN(*start, ph->p_paddr);
        loaded++;
    }
    if (!loaded) {
        error_report("'%s' has no loadable segment", path);
        return -1;
    }
    *entry = eh->e_entry;
    return 0;
}

static int mb_load_aout(const char *path, const uint8_t *img, size_t size, long hoff,
                        Machine *m, uint64_t lowmem, uint32_t *entry, uint32_t *start,
                        uint32_t *end)
{
    uint32_t header_addr = rd32(img + hoff + 12), load_addr = rd32(img + hoff + 16);
    uint32_t load_end = rd32(img + hoff + 20), bss_end = rd32(img + hoff + 24);
    uint64_t file_off, len;
    if (size < (size_t)hoff + 32 || header_addr < load_addr || header_addr - load_addr > hoff) {
        error_report("'%s': inconsistent Multiboot load addresses", path);
        return -1;
    }
    file_off = hoff - (header_addr - load_addr);
    len = load_end ? (uint64_t)load_end - load_addr : size - file_off;
    if (load_end && load_end < load_addr) {
        error_report("'%s': Multiboot load_end_addr below load_addr", path);
        return -1;
    }
    if (file_off + len > size) {
        error_report("'%s': Multiboot load range is larger than the file", path);
        return -1;
    }
    *start = load_addr;
    *end = load_addr + len;
    if (bss_end > *end) {
        *end = bss_end;
    }
    if (*end > lowmem) {
        error_report("'%s' (0x%x-0x%x) does not fit in guest RAM", path, load_addr, *end);
        return -1;
    }
    loader_add_blob(m, load_addr, img + file_off, len, path);
    if (bss_end > load_addr + len) {
        loader_add_zero(m, load_addr + len, bss_end - (load_addr + len), "bss");
    }
    *entry = rd32(img + hoff + 28);
    return 0;
}

int multiboot_load(Machine *m, const char *path, const uint8_t *img, size_t size,
                   const char *cmdline, const char *modules, uint64_t lowmem,
                   uint64_t highmem, MultibootBoot *out)
{
    long hoff = mb_find_header(img, size);
    uint32_t flags, entry, start, end;
    uint8_t *info;
    uint32_t info_addr = MB_INFO_ADDR, info_size = MB_INFO_END - MB_INFO_ADDR;
    uint32_t strings, str_off, mods_addr, mmap_addr, next;
    int nmods = 0;
    char *modlist = NULL, *line = NULL;

    if (hoff < 0) {
        error_report("'%s' is not a Multiboot kernel (no header in its first 8 KiB)", path);
        return -1;
    }
    flags = rd32(img + hoff + 4);
    if (flags & 0xfffc) {
        error_report("'%s' asks for Multiboot features this loader lacks (flags 0x%x)", path,
                     flags);
        return -1;
    }
    if (flags & MB_FLAG_AOUT_KLUDGE) {
        if (mb_load_aout(path, img, size, hoff, m, lowmem, &entry, &start, &end) < 0) {
            return -1;
        }
    } else if (mb_load_elf(m, path, img, size, lowmem, &entry, &start, &end) < 0) {
        return -1;
    }
    /* modules go page aligned after the kernel, or after the information area when that
     * has to follow the kernel (QEMU also puts it there) */
    next = (end + 0xFFF) & ~0xFFFu;
    if (start < MB_INFO_END && end > MB_INFO_ADDR) {
        info_addr = next;
        info_size = MB_INFO_SIZE_MOVED;
        if ((uint64_t)info_addr + info_size > lowmem) {
            error_report("'%s' leaves no room for the Multiboot information in guest RAM",
                         path);
            return -1;
        }
        next += info_size;
    }

    /* the information structure, then the memory map, module list and strings */
    info = xzalloc(info_size);
    mmap_addr = info_addr + 0x100;
    mods_addr = info_addr + 0x200;
    strings = info_addr + 0x600;
    str_off = strings - info_addr;
#define PUT_STRING(s) ({ size_t l_ = strlen(s) + 1; uint32_t a_ = info_addr + str_off; \
        if (str_off + l_ > info_size) { \
            error_report("Multiboot command line and module names are too long"); \
            free(info); free(modlist); free(line); return -1; } \
        memcpy(info + str_off, (s), l_); str_off += l_; a_; })

    uint32_t mbflags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME | MBI_BOOTDEV;
    wr32(info + 4, 639);
    wr32(info + 8, (uint32_t)((MIN(lowmem, 0xFFFFFFFFull) - MiB) / KiB));
    wr32(info + 12, 0x8000FFFFu);      /* first BIOS disk, no partition */
    /* the kernel's name, then its arguments: the whole line, as GRUB and QEMU pass it
     * (kernels take argv[0] from it) */
    line = xmalloc(strlen(path) + (cmdline ? strlen(cmdline) : 0) + 2);
    sprintf(line, cmdline && *cmdline ? "%s %s" : "%s", path, cmdline ? cmdline : "");
    wr32(info + 16, PUT_STRING(line));
    free(line);
    line = NULL;
    wr32(info + 64, PUT_STRING("tandem"));

    /* memory map: each entry is size(4) base(8) length(8) type(4) */
    {
        struct { uint64_t base, len; uint32_t type; } map[] = {
            { 0, 0x9FC00, 1 }, { 0x9FC00, 0x400, 2 }, { 0xF0000, 0x10000, 2 },
            { MiB, lowmem - MiB, 1 }, { 0xFFFC0000, 0x40000, 2 }, { 4 * GiB, highmem, 1 },
        };
        uint8_t *p = info + (mmap_addr - info_addr);
        int n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
            if (!map[i].len) {
                continue;
            }
            wr32(p, 20);
            wr64(p + 4, map[i].base);
            wr64(p + 12, map[i].len);
            wr32(p + 20, map[i].type);
            p += 24;
            n++;
        }
        wr32(info + 44, n * 24);
        wr32(info + 48, mmap_addr);
    }

    /* modules, page aligned after the kernel */
    if (modules && *modules) {
        char *save = NULL;
        modlist = xstrdup(modules);
        for (char *tok = strtok_r(modlist, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *file = tok, *sp;
            size_t msize;
            uint8_t *mimg;
            while (*file == ' ') {
                file++;
            }
            sp = strchr(file, ' ');
            char *fname = sp ? strndup(file, sp - file) : xstrdup(file);
            if (nmods == 64) {
                error_report("too many Multiboot modules (at most 64)");
                free(fname); free(info); free(modlist);
                return -1;
            }
            mimg = loader_read_file(fname, &msize, "Multiboot module");
            if (!mimg) {
                free(fname); free(info); free(modlist);
                return -1;
            }
            if ((uint64_t)next + msize > lowmem) {
                error_report("Multiboot module '%s' (%zu bytes) does not fit in guest RAM", fname,
                             msize);
                free(mimg); free(fname); free(info); free(modlist);
                return -1;
            }
            loader_add_blob(m, next, mimg, msize, fname);
            uint8_t *e = info + (mods_addr - info_addr) + nmods * 16;
            wr32(e, next);
            wr32(e + 4, next + (uint32_t)msize);
            wr32(e + 8, PUT_STRING(file));
            wr32(e + 12, 0);
            next = (next + (uint32_t)msize + 0xFFF) & ~0xFFFu;
            nmods++;
            free(mimg);
            free(fname);
        }
        mbflags |= MBI_MODS;
    }
    wr32(info + 20, nmods);
    wr32(info + 24, mods_addr);
    wr32(info + 0, mbflags);
#undef PUT_STRING
    loader_add_blob(m, info_addr, info, info_size, "multiboot-info");
    free(info);
    free(modlist);
    out->entry = entry;
    out->info_addr = info_addr;
    return 0;
}

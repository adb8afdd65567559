/* SPDX-License-Identifier: MIT */
/*
 * hw/x86/linux_boot.c — Linux/x86 boot protocol loader (the kernel's
 * Documentation/arch/x86/boot.rst, "32-bit boot protocol", and zero-page.rst).
 *
 * Two ways in, sharing the header checks, the layout and the initrd placement:
 *
 * linux_boot_load: what a boot loader does for a bzImage (protocol 2.06 or later) when the
 * board enters it through the 32-bit protocol itself (hw/x86/pc.c): reads the setup
 * header at 0x1f1, loads the protected-mode kernel (the file after the setup sectors) at
 * its preferred address when it is relocatable (else at 1 MiB), builds the zero page
 * (struct boot_params: a copy of the setup header with the loader's fields filled in, the
 * e820 memory map, the ACPI RSDP address), the command line, the initrd at the top of low
 * RAM below initrd_addr_max (above 4 GiB when the kernel allows it and low RAM is full),
 * and a GDT with __BOOT_CS/__BOOT_DS for the 32-bit entry that the board performs.
 *
 * linux_boot_fw_cfg: the items of QEMU's fw_cfg kernel-loading contract for a BIOS (the
 * xenfv board, whose guest runs SeaBIOS): the setup code with its header patched as a
 * real-mode boot loader does (boot.rst, "Loading the rest of the kernel"), the
 * protected-mode kernel for 1 MiB, the initrd and the command line, each with the address
 * it goes to. Tandem's option ROM (pc-bios/linuxboot.S) copies them there and enters the
 * 16-bit setup code, which asks the BIOS for the memory map and the rest.
 *
 * Not implemented: the 16-bit entry on boards without a BIOS (linux_boot_load does not
 * load nor run the setup code, so no BIOS calls: the e820 map, video and EDD information
 * come from here), the 64-bit and EFI handover entries, zImages (not loaded high) and
 * protocols before 2.06, setup_data chains, video modes (screen_info stays zero: no VGA
 * text console), initrds above 4 GiB through fw_cfg (the setup header has 32-bit fields).
 */
#include "hw/x86/linux_boot.h"
#include "hw/core/loader.h"
#include "hw/nvram/fw_cfg.h"
#include <sys/stat.h>

/* Setup header fields: offsets in the image, and the same offsets in boot_params. */
#define HDR_START 0x1f1
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_JUMP 0x200          /* a short jump whose displacement byte ends the header */
#define HDR_MAGIC 0x202         /* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_LIMIT 0x290         /* boot_params.edd_mbr_sig_buffer: the header ends before */

/* boot_params fields outside the setup header (zero-page.rst) */
#define BP_ORIG_VIDEO_ISVGA 0x00f   /* screen_info.orig_video_isVGA */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define BP_SIZE 4096

#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80
#define XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define LOADER_TYPE_UNDEFINED 0xff  /* no boot loader ID assigned to tandem */
#define HEAP_END_PTR 0xde00         /* boot.rst: heap_end 0xe000 - 0x200 (unused: no setup) */

#define PAGE_MASK_4K (~(uint64_t)0xfff)

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void wr16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void wr64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

bool linux_boot_probe(const uint8_t *img, size_t size)
{
    return size >= HDR_VERSION + 2 && !memcmp(img + HDR_MAGIC, "HdrS", 4);
}

/* The BIOS-style memory map a PC firmware would report through INT 15h E820h. */
static int linux_build_e820(uint8_t *zp, uint64_t lowmem, uint64_t highmem)
{
    const struct { uint64_t base, len; uint32_t type; } map[] = {
        { 0, LINUX_LOW_END, E820_RAM },
        { LINUX_LOW_END, 0xA0000 - LINUX_LOW_END, E820_RESERVED },   /* EBDA */
        { 0xE0000, 0x20000, E820_RESERVED },             /* BIOS area, ACPI tables */
        { MiB, lowmem > MiB ? lowmem - MiB : 0, E820_RAM },
        { 0xFEC00000, 0x1000, E820_RESERVED },           /* IOAPIC */
        { 0xFEE00000, 0x1000, E820_RESERVED },           /* local APIC */
        { 0xFFFC0000, 0x40000, E820_RESERVED },          /* BIOS ROM below 4 GiB */
        { 4 * GiB, highmem, E820_RAM },
    };
    int n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        uint8_t *e = zp + BP_E820_TABLE + n * 20;
        if (!map[i].len) {
            continue;
        }
        wr64(e, map[i].base);
        wr64(e + 8, map[i].len);
        wr32(e + 16, map[i].type);
        n++;
    }
    zp[BP_E820_ENTRIES] = (uint8_t)n;
    return n;
}

/* Where the kernel will run and how much it needs there (boot.rst, init_size). */
typedef struct LinuxLayout {
    uint64_t load;           /* where the protected-mode kernel is loaded */
    uint64_t pm_size;        /* its size */
    uint64_t runtime_start;  /* where it decompresses itself */
    uint64_t end;            /* the first byte above everything the kernel needs early */
} LinuxLayout;

static int linux_layout(const char *path, const uint8_t *img, uint16_t version,
                        uint64_t pm_size, uint64_t lowmem, uint64_t reserve, bool at_1mib,
                        LinuxLayout *lay)
{
    bool relocatable = version >= 0x205 && img[HDR_RELOCATABLE];
    uint64_t align = version >= 0x205 ? rd32(img + HDR_KERNEL_ALIGNMENT) : 0;
    uint64_t pref = version >= 0x20a ? rd64(img + HDR_PREF_ADDRESS) : 0;
    uint64_t init_size = version >= 0x20a ? rd32(img + HDR_INIT_SIZE) : 0;
    uint64_t load = MiB, runtime;

    if (align & (align - 1)) {
        error_report("'%s': kernel_alignment 0x%" PRIx64 " is not a power of two", path, align);
        return -1;
    }
    if (!align) {
        align = 1;
    }
    /* A relocatable kernel loaded below pref_address moves itself up there before it
     * decompresses: loading it there saves that copy. */
    if (relocatable && pref >= MiB && !at_1mib) {
        uint64_t at = (pref + align - 1) & ~(align - 1);
        if (at + pm_size <= lowmem) {
            load = at;
        }
    }
    if (relocatable) {
        runtime = (MAX(load, pref) + align - 1) & ~(align - 1);
    } else {
        runtime = pref ? pref : load;
    }
    lay->load = load;
    lay->pm_size = pm_size;
    lay->runtime_start = runtime;
    lay->end = MAX(load + pm_size, runtime + MAX(init_size, pm_size));
    if (lay->end + reserve > lowmem) {
        error_report("'%s' needs RAM up to %" PRIu64 " MiB to start (it runs at 0x%" PRIx64
                     " and needs %" PRIu64 " KiB there); the guest has %" PRIu64
                     " MiB below 4 GiB%s", path, (lay->end + MiB - 1) / MiB, runtime,
                     MAX(init_size, pm_size) / KiB, lowmem / MiB,
                     reserve ? ", and its top MiB is kept for the firmware" : "");
        return -1;
    }
    return 0;
}

/* Place the initrd: page aligned at the top of low RAM below initrd_addr_max, above the
 * kernel; else above 4 GiB when the kernel accepts that. */
static int linux_place_initrd(const char *path, uint64_t size, const uint8_t *img,
                              uint16_t version, uint64_t lowmem, uint64_t highmem,
                              uint64_t kernel_end, uint64_t *addr)
{
    uint64_t addr_max = version >= 0x203 ? rd32(img + HDR_INITRD_ADDR_MAX) : 0x37FFFFFF;
    uint16_t xload = version >= 0x20c ? rd16(img + HDR_XLOADFLAGS) : 0;
    uint64_t top = MIN(lowmem, addr_max + 1), room;

    kernel_end = (kernel_end + 0xfff) & PAGE_MASK_4K;
    room = top > kernel_end ? top - kernel_end : 0;
    if (size <= room) {
        *addr = (top - size) & PAGE_MASK_4K;
        return 0;
    }
    if ((xload & XLF_CAN_BE_LOADED_ABOVE_4G) && size <= highmem) {
        *addr = (4 * GiB + highmem - size) & PAGE_MASK_4K;
        return 0;
    }
    error_report("initrd '%s' (%" PRIu64 " bytes) does not fit in guest RAM: %" PRIu64
                 " bytes are free for it between the kernel and 0x%" PRIx64 " (give more -m)",
                 path, size, room, top);
    return -1;
}

/* The bzImage's header checks shared by both entries. */
typedef struct LinuxImage {
    uint16_t version;
    uint64_t setup_size;     /* the real-mode setup code, header included */
    uint64_t pm_size;        /* the protected-mode kernel after it */
} LinuxImage;

static int linux_check_image(const char *path, const uint8_t *img, size_t size,
                             LinuxImage *li)
{
    uint32_t setup_sects;

    if (!linux_boot_probe(img, size)) {
        error_report("'%s' is not a Linux bzImage (no \"HdrS\" boot header at 0x202)", path);
        return -1;
    }
    li->version = rd16(img + HDR_VERSION);
    if (li->version < 0x206) {
        error_report("'%s' is a Linux bzImage with boot protocol %u.%02u: tandem needs "
                     "2.06 or later", path, li->version >> 8, li->version & 0xff);
        return -1;
    }
    /* the setup code (at least 5 sectors) covers the whole header: check it is there
     * before reading fields past the version */
    setup_sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
    li->setup_size = (uint64_t)(setup_sects + 1) * 512;
    if (li->setup_size >= size) {
        error_report("'%s' is truncated: %zu bytes, but its setup code alone has %" PRIu64,
                     path, size, li->setup_size);
        return -1;
    }
    if (!(img[HDR_LOADFLAGS] & LOADED_HIGH)) {
        error_report("'%s' is a zImage (its kernel loads at 64 KiB): tandem boots bzImages "
                     "only", path);
        return -1;
    }
    li->pm_size = (uint64_t)rd32(img + HDR_SYSSIZE) * 16;
    if (!li->pm_size) {
        li->pm_size = size - li->setup_size;
    }
    if (li->setup_size + li->pm_size > size) {
        error_report("'%s' is truncated: its header announces %" PRIu64 " bytes of kernel "
                     "after the setup code, the file has %" PRIu64, path, li->pm_size,
                     (uint64_t)size - li->setup_size);
        return -1;
    }
    return 0;
}

/* The command line against the kernel's limit and the room the loader has for it. */
static int linux_check_cmdline(const uint8_t *img, const char *cmdline, size_t room)
{
    size_t len = strlen(cmdline);
    uint32_t max = rd32(img + HDR_CMDLINE_SIZE);

    if (len > max) {
        error_report("command line is %zu bytes, the kernel accepts at most %u", len, max);
        return -1;
    }
    if (len + 1 > room) {
        error_report("command line is %zu bytes, this loader has room for %zu", len,
                     room - 1);
        return -1;
    }
    return 0;
}

/* Read and place the initrd (size checked before it is read: one too large is refused
 * without reading it). *data: the contents (free() it), NULL when the file is empty. */
static int linux_read_initrd(const char *initrd_path, const uint8_t *img, uint16_t version,
                             uint64_t lowmem, uint64_t highmem, uint64_t kernel_end,
                             uint8_t **data, uint64_t *addr, uint64_t *size)
{
    struct stat st;
    size_t isize;
    uint64_t planned = 0;
    bool placed = false;
    uint8_t *initrd;

    if (stat(initrd_path, &st) == 0 && S_ISREG(st.st_mode)) {
        planned = st.st_size;
        if (linux_place_initrd(initrd_path, planned, img, version, lowmem, highmem,
                               kernel_end, addr) < 0) {
            return -1;
        }
        placed = true;
    }
    initrd = loader_read_file(initrd_path, &isize, "initrd");
    if (!initrd) {
        return -1;
    }
    if ((!placed || isize != planned) &&
        linux_place_initrd(initrd_path, isize, img, version, lowmem, highmem, kernel_end,
                           addr) < 0) {
        free(initrd);
        return -1;
    }
    *size = isize;
    if (!isize) {
        free(initrd);
        initrd = NULL;
        *addr = 0;
    }
    *data = initrd;
    return 0;
}

int linux_boot_load(Machine *m, const char *path, const uint8_t *img, size_t size,
                    const char *cmdline, const char *initrd_path, uint64_t lowmem,
                    uint64_t highmem, uint64_t rsdp_addr, LinuxBoot *out)
{
    /* a GDT for the 32-bit boot protocol: __BOOT_CS (0x10) and __BOOT_DS (0x18), flat */
    static const uint64_t gdt[4] = { 0, 0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull };
    uint16_t version;
    uint64_t setup_size, pm_size, hdr_end, initrd_addr = 0, initrd_size = 0;
    size_t cmdline_len;
    LinuxLayout lay;
    LinuxImage li;
    uint8_t *zp;

    if (linux_check_image(path, img, size, &li) < 0) {
        return -1;
    }
    version = li.version;
    setup_size = li.setup_size;
    pm_size = li.pm_size;
    cmdline = cmdline ? cmdline : "";
    cmdline_len = strlen(cmdline);
    if (linux_check_cmdline(img, cmdline, LINUX_LOW_END - LINUX_CMDLINE_ADDR) < 0) {
        return -1;
    }
    if (linux_layout(path, img, version, pm_size, lowmem, 0, false, &lay) < 0) {
        return -1;
    }
    if (initrd_path) {
        uint8_t *initrd;
        if (linux_read_initrd(initrd_path, img, version, lowmem, highmem, lay.end, &initrd,
                              &initrd_addr, &initrd_size) < 0) {
            return -1;
        }
        if (initrd) {
            loader_add_blob(m, initrd_addr, initrd, initrd_size, initrd_path);
            free(initrd);
        }
    }

    /* the zero page: the setup header as the image has it, then the loader's fields */
    zp = xzalloc(BP_SIZE);
    hdr_end = MIN(MIN((uint64_t)HDR_MAGIC + img[HDR_JUMP + 1], (uint64_t)HDR_LIMIT),
                  (uint64_t)size);
    memcpy(zp + HDR_START, img + HDR_START, hdr_end - HDR_START);
    zp[BP_ORIG_VIDEO_ISVGA] = 0;
    zp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;
    zp[HDR_LOADFLAGS] |= CAN_USE_HEAP;
    wr16(zp + HDR_HEAP_END_PTR, HEAP_END_PTR);
    wr32(zp + HDR_CODE32_START, (uint32_t)lay.load);
    wr32(zp + HDR_CMD_LINE_PTR, LINUX_CMDLINE_ADDR);
    wr32(zp + BP_EXT_CMD_LINE_PTR, 0);
    wr32(zp + HDR_RAMDISK_IMAGE, (uint32_t)initrd_addr);
    wr32(zp + HDR_RAMDISK_SIZE, (uint32_t)initrd_size);
    wr32(zp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_addr >> 32));
    wr32(zp + BP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_size >> 32));
    wr64(zp + BP_ACPI_RSDP_ADDR, rsdp_addr);
    linux_build_e820(zp, lowmem, highmem);

    loader_add_blob(m, lay.load, img + setup_size, pm_size, path);
    loader_add_blob(m, LINUX_ZERO_PAGE_ADDR, zp, BP_SIZE, "linux-boot-params");
    loader_add_blob(m, LINUX_CMDLINE_ADDR, cmdline, cmdline_len + 1, "linux-cmdline");
    loader_add_blob(m, LINUX_GDT_ADDR, gdt, sizeof(gdt), "linux-boot-gdt");
    free(zp);

    out->version = version;
    out->entry = (uint32_t)lay.load;
    out->zero_page = LINUX_ZERO_PAGE_ADDR;
    out->gdt_base = LINUX_GDT_ADDR;
    out->gdt_limit = sizeof(gdt) - 1;
    out->cmdline_addr = LINUX_CMDLINE_ADDR;
    out->initrd_addr = initrd_addr;
    out->initrd_size = initrd_size;
    return 0;
}

int linux_boot_fw_cfg(Device *fw_cfg, const char *path, const uint8_t *img, size_t size,
                      const char *cmdline, const char *initrd_path, uint64_t lowmem,
                      LinuxBoot *out)
{
    uint64_t initrd_addr = 0, initrd_size = 0;
    uint8_t *setup, *initrd = NULL;
    LinuxLayout lay;
    LinuxImage li;
    int r = 0;

    if (linux_check_image(path, img, size, &li) < 0) {
        return -1;
    }
    if (li.setup_size > LINUX_FW_CFG_SETUP_MAX) {
        error_report("'%s' has %" PRIu64 " bytes of real-mode setup code: the boot protocol"
                     " allows %u", path, li.setup_size, LINUX_FW_CFG_SETUP_MAX);
        return -1;
    }
    cmdline = cmdline ? cmdline : "";
    if (linux_check_cmdline(img, cmdline, LINUX_LOW_END - LINUX_FW_CFG_CMDLINE_ADDR) < 0) {
        return -1;
    }
    if (lowmem <= LINUX_FW_CFG_TOP_RESERVE + LINUX_FW_CFG_KERNEL_ADDR) {
        error_report("the guest has %" PRIu64 " KiB of RAM: too little to boot Linux",
                     lowmem / KiB);
        return -1;
    }
    if (linux_layout(path, img, li.version, li.pm_size, lowmem, LINUX_FW_CFG_TOP_RESERVE, true,
                     &lay) < 0) {
        return -1;
    }
    lowmem -= LINUX_FW_CFG_TOP_RESERVE;
    if (initrd_path &&
        linux_read_initrd(initrd_path, img, li.version, lowmem, 0, lay.end, &initrd,
                          &initrd_addr, &initrd_size) < 0) {
        return -1;
    }

    /* the setup code as the image has it, its header patched as a boot loader does */
    setup = xmalloc(li.setup_size);
    memcpy(setup, img, li.setup_size);
    setup[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;
    setup[HDR_LOADFLAGS] |= CAN_USE_HEAP;
    wr16(setup + HDR_HEAP_END_PTR, LINUX_FW_CFG_HEAP_END - 0x200);
    wr32(setup + HDR_CODE32_START, (uint32_t)lay.load);
    wr32(setup + HDR_CMD_LINE_PTR, LINUX_FW_CFG_CMDLINE_ADDR);
    wr32(setup + HDR_RAMDISK_IMAGE, (uint32_t)initrd_addr);
    wr32(setup + HDR_RAMDISK_SIZE, (uint32_t)initrd_size);

    r |= fw_cfg_add_i32(fw_cfg, FW_CFG_SETUP_ADDR, LINUX_FW_CFG_SETUP_ADDR);
    r |= fw_cfg_add_i32(fw_cfg, FW_CFG_SETUP_SIZE, (uint32_t)li.setup_size);
    r |= fw_cfg_add_bytes(fw_cfg, FW_CFG_SETUP_DATA, setup, li.setup_size);
    r |= fw_cfg_add_i32(fw_cfg, FW_CFG_KERNEL_ADDR, (uint32_t)lay.load);
    r |= fw_cfg_add_i32(fw_cfg, FW_CFG_KERNEL_SIZE, (uint32_t)li.pm_size);
    r |= fw_cfg_add_bytes(fw_cfg, FW_CFG_KERNEL_DATA, img + li.setup_size, li.pm_size);
    r |= fw_cfg_add_i32(fw_cfg, FW_CFG_INITRD_ADDR, (uint32_t)initrd_addr);
    r |= fw_cfg_add_i32(fw_cfg, FW_CFG_INITRD_SIZE, (uint32_t)initrd_size);
    r |= fw_cfg_add_bytes(fw_cfg, FW_CFG_INITRD_DATA, initrd, initrd_size);
    r |= fw_cfg_add_i32(fw_cfg, FW_CFG_CMDLINE_ADDR, LINUX_FW_CFG_CMDLINE_ADDR);
    r |= fw_cfg_add_i32(fw_cfg, FW_CFG_CMDLINE_SIZE, (uint32_t)strlen(cmdline) + 1);
    r |= fw_cfg_add_string(fw_cfg, FW_CFG_CMDLINE_DATA, cmdline);
    free(setup);
    free(initrd);
    if (r) {
        return -1;   /* fw_cfg said why */
    }

    memset(out, 0, sizeof(*out));
    out->version = li.version;
    out->entry = (uint32_t)lay.load;
    out->cmdline_addr = LINUX_FW_CFG_CMDLINE_ADDR;
    out->initrd_addr = initrd_addr;
    out->initrd_size = initrd_size;
    return 0;
}

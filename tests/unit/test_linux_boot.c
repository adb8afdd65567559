/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_linux_boot.c — the Linux/x86 boot protocol loader (hw/x86/linux_boot.c)
 * with synthetic bzImages built in memory: a setup header with the fields the loader reads
 * (boot.rst) and a few KiB of "kernel" with a known pattern.
 *
 * The loader runs against a machine with RAM below 4 GiB (and optionally above) in a real
 * system address space; loader_reset() materialises its blobs there and the checks read
 * guest memory back: the protected-mode kernel at its load address, the zero page (the
 * copied setup header, the loader's fields, the e820 map, the RSDP address), the command
 * line, the initrd placement (top of low RAM, below initrd_addr_max, above 4 GiB when the
 * kernel allows it), the boot GDT, reloading at reset, and each error with its one line.
 * Not covered: the CPU entry state (set by the board, hw/x86/pc.c).
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/core/loader.h"
#include "hw/x86/linux_boot.h"
#include <check.h>
#include <unistd.h>
#include "tests/unit/capture.h"

#define KERNEL_BYTES 0x3000u
#define RSDP 0xE0000u

static Machine m;
static MemRegion ram_low, ram_high;
static bool have_high;
static char initrd_path[64];

static void machine_setup(uint64_t lowmem, uint64_t highmem)
{
    memset(&m, 0, sizeof(m));
    mr_init_container(&m.sysmem, "system", UINT64_MAX);
    as_init(&m.sysmem_as, &m.sysmem, "memory");
    mr_init_ram(&m.ram, "ram", lowmem + highmem);
    mr_init_alias(&ram_low, "ram-below-4g", &m.ram, 0, lowmem);
    mr_add_subregion(&m.sysmem, 0, &ram_low, 0);
    have_high = highmem != 0;
    if (have_high) {
        mr_init_alias(&ram_high, "ram-above-4g", &m.ram, lowmem, highmem);
        mr_add_subregion(&m.sysmem, 4 * GiB, &ram_high, 0);
    }
}

static void setup(void)
{
    initrd_path[0] = 0;
}

static void teardown(void)
{
    loader_free(&m);
    as_destroy(&m.sysmem_as);
    mr_del_subregion(&m.sysmem, &ram_low);
    mr_destroy(&ram_low);
    if (have_high) {
        mr_del_subregion(&m.sysmem, &ram_high);
        mr_destroy(&ram_high);
    }
    mr_destroy(&m.ram);
    mr_destroy(&m.sysmem);
    if (initrd_path[0]) {
        unlink(initrd_path);
    }
}

/* ---- synthetic images ---- */

typedef struct BzParams {
    uint16_t version;
    uint8_t setup_sects;
    uint8_t loadflags;
    uint8_t relocatable;
    uint16_t xloadflags;
    uint32_t initrd_addr_max, cmdline_size, init_size;
    uint64_t pref_address;
} BzParams;

static const BzParams bz_default = {
    .version = 0x020f, .setup_sects = 4, .loadflags = 0x01, .relocatable = 1,
    .xloadflags = 0x03, .initrd_addr_max = 0x7fffffff, .cmdline_size = 2047,
    .init_size = 4 * MiB, .pref_address = 16 * MiB,
};

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static uint8_t kernel_byte(uint32_t i)
{
    return (uint8_t)(i * 7 + 3);
}

/* A bzImage: setup sectors with the header (ending at 0x26c, as 6.1's does; a marker
 * after it must not reach the zero page), then KERNEL_BYTES of pattern. */
static uint8_t *make_bz(const BzParams *p, size_t *size)
{
    uint32_t sects = p->setup_sects ? p->setup_sects : 4;
    size_t setup = (sects + 1) * 512;
    uint8_t *img = xzalloc(setup + KERNEL_BYTES);
    img[0x1ef] = 0xff;                      /* the sentinel: a loader must not copy it */
    img[0x1f1] = p->setup_sects;
    put32(img + 0x1f4, KERNEL_BYTES / 16);
    put16(img + 0x1fe, 0xAA55);
    img[0x200] = 0xeb;
    img[0x201] = 0x6a;                      /* header end: 0x202 + 0x6a = 0x26c */
    memcpy(img + 0x202, "HdrS", 4);
    put16(img + 0x206, p->version);
    put16(img + 0x20e, 0x1234);             /* kernel_version (copied verbatim) */
    img[0x211] = p->loadflags;
    put32(img + 0x214, 0x100000);
    put16(img + 0x224, 0x5be0);
    put32(img + 0x22c, p->initrd_addr_max);
    put32(img + 0x230, 2 * MiB);
    img[0x234] = p->relocatable;
    img[0x235] = 21;
    put16(img + 0x236, p->xloadflags);
    put32(img + 0x238, p->cmdline_size);
    put64(img + 0x258, p->pref_address);
    put32(img + 0x260, p->init_size);
    img[0x26c] = 0x5a;                      /* past the header */
    for (uint32_t i = 0; i < KERNEL_BYTES; i++) {
        img[setup + i] = kernel_byte(i);
    }
    *size = setup + KERNEL_BYTES;
    return img;
}

static void make_initrd(size_t size)
{
    uint8_t *buf = xmalloc(size ? size : 1);
    int fd;
    for (size_t i = 0; i < size; i++) {
        buf[i] = (uint8_t)(i ^ (i >> 8) ^ 0xa5);
    }
    strcpy(initrd_path, "/tmp/tandem-test-initrd-XXXXXX");
    fd = mkstemp(initrd_path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, buf, size), (ssize_t)size);
    close(fd);
    free(buf);
}

/* ---- guest memory ---- */

static uint8_t zp[4096];

static void read_guest(hwaddr addr, void *buf, size_t len)
{
    ck_assert_int_eq(as_read(&m.sysmem_as, addr, buf, len), MEMTX_OK);
}

static uint16_t zp16(unsigned off)
{
    uint16_t v;
    memcpy(&v, zp + off, 2);
    return v;
}

static uint32_t zp32(unsigned off)
{
    uint32_t v;
    memcpy(&v, zp + off, 4);
    return v;
}

static uint64_t zp64(unsigned off)
{
    uint64_t v;
    memcpy(&v, zp + off, 8);
    return v;
}

static void check_e820(int i, uint64_t base, uint64_t len, uint32_t type)
{
    const uint8_t *e = zp + 0x2d0 + i * 20;
    uint64_t b, l;
    uint32_t t;
    memcpy(&b, e, 8);
    memcpy(&l, e + 8, 8);
    memcpy(&t, e + 16, 4);
    ck_assert_msg(b == base && l == len && t == type,
                  "e820[%d] = 0x%" PRIx64 "+0x%" PRIx64 " type %u, want 0x%" PRIx64 "+0x%" PRIx64
                  " type %u", i, b, l, t, base, len, type);
}

static void check_kernel_at(hwaddr addr)
{
    uint8_t *buf = xmalloc(KERNEL_BYTES);
    uint32_t bad = KERNEL_BYTES;
    read_guest(addr, buf, KERNEL_BYTES);
    /* one assertion for the whole range: each check assertion costs a message to the
     * parent process */
    for (uint32_t i = 0; i < KERNEL_BYTES && bad == KERNEL_BYTES; i++) {
        if (buf[i] != kernel_byte(i)) {
            bad = i;
        }
    }
    ck_assert_msg(bad == KERNEL_BYTES, "kernel byte %u at 0x%" PRIx64 " differs", bad,
                  (uint64_t)addr);
    free(buf);
}

static void check_initrd_at(hwaddr addr, size_t size)
{
    uint8_t *buf = xmalloc(size);
    size_t bad = size;
    read_guest(addr, buf, size);
    for (size_t i = 0; i < size && bad == size; i++) {
        if (buf[i] != (uint8_t)(i ^ (i >> 8) ^ 0xa5)) {
            bad = i;
        }
    }
    ck_assert_msg(bad == size, "initrd byte %zu differs", bad);
    free(buf);
}

/* Load expecting failure: exactly one line on stderr, containing want. */
static void expect_error(const uint8_t *img, size_t size, const char *cmdline,
                         const char *initrd, uint64_t lowmem, uint64_t highmem,
                         const char *want)
{
    LinuxBoot lb;
    Capture c;
    char *text, *nl;
    int r;
    capture_begin(&c);
    r = linux_boot_load(&m, "bz", img, size, cmdline, initrd, lowmem, highmem, 0, &lb);
    text = capture_end(&c);
    ck_assert_int_eq(r, -1);
    ck_assert_msg(strstr(text, want), "error '%s' does not say '%s'", text, want);
    nl = strchr(text, '\n');
    ck_assert_msg(nl && nl[1] == 0, "not one line: '%s'", text);
}

/* ---- tests ---- */

START_TEST(test_probe)
{
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    uint8_t zeros[4096] = { 0 };
    ck_assert(linux_boot_probe(img, size));
    ck_assert(!linux_boot_probe(img, 0x207));
    ck_assert(!linux_boot_probe(zeros, sizeof(zeros)));
    free(img);
}
END_TEST

START_TEST(test_load_basic)
{
    const char *cmdline = "console=ttyS0 panic=-1 quiet";
    const size_t initrd_size = 10000;
    const uint64_t lowmem = 64 * MiB;
    uint64_t initrd_addr = (lowmem - initrd_size) & ~0xFFFull;
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    char cmd_back[64];
    uint64_t gdt[4];
    LinuxBoot lb;

    machine_setup(lowmem, 0);
    make_initrd(initrd_size);
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, cmdline, initrd_path, lowmem, 0,
                                     RSDP, &lb), 0);
    loader_reset(&m);

    /* relocatable: loaded at pref_address, entered there */
    ck_assert_uint_eq(lb.version, 0x020f);
    ck_assert_uint_eq(lb.entry, 16 * MiB);
    check_kernel_at(16 * MiB);

    ck_assert_uint_eq(lb.zero_page, LINUX_ZERO_PAGE_ADDR);
    read_guest(lb.zero_page, zp, sizeof(zp));
    /* the setup header copied from 0x1f1 to its end (0x26c); the loader's fields set */
    ck_assert_uint_eq(zp[0x1ef], 0);                 /* the sentinel was not copied */
    ck_assert_uint_eq(zp[0x1f1], 4);
    ck_assert_uint_eq(zp32(0x1f4), KERNEL_BYTES / 16);
    ck_assert_uint_eq(zp16(0x1fe), 0xAA55);
    ck_assert(!memcmp(zp + 0x202, "HdrS", 4));
    ck_assert_uint_eq(zp16(0x206), 0x020f);
    ck_assert_uint_eq(zp16(0x20e), 0x1234);
    ck_assert_uint_eq(zp[0x210], 0xff);              /* type_of_loader: undefined */
    ck_assert_uint_eq(zp[0x211], 0x81);              /* LOADED_HIGH | CAN_USE_HEAP */
    ck_assert_uint_eq(zp32(0x214), 16 * MiB);        /* code32_start: the load address */
    ck_assert_uint_eq(zp32(0x218), initrd_addr);
    ck_assert_uint_eq(zp32(0x21c), initrd_size);
    ck_assert_uint_eq(zp16(0x224), 0xde00);
    ck_assert_uint_eq(zp32(0x228), LINUX_CMDLINE_ADDR);
    ck_assert_uint_eq(zp32(0x22c), 0x7fffffff);
    ck_assert_uint_eq(zp32(0x238), 2047);
    ck_assert_uint_eq(zp64(0x258), 16 * MiB);
    ck_assert_uint_eq(zp32(0x260), 4 * MiB);
    ck_assert_uint_eq(zp[0x26c], 0);                 /* past the header: not copied */
    /* outside the header */
    ck_assert_uint_eq(zp[0x00f], 0);                 /* orig_video_isVGA: no VGA */
    ck_assert_uint_eq(zp64(0x070), RSDP);
    ck_assert_uint_eq(zp32(0x0c0), 0);
    ck_assert_uint_eq(zp32(0x0c4), 0);
    ck_assert_uint_eq(zp32(0x0c8), 0);

    /* the command line */
    ck_assert_uint_eq(lb.cmdline_addr, LINUX_CMDLINE_ADDR);
    read_guest(LINUX_CMDLINE_ADDR, cmd_back, strlen(cmdline) + 1);
    ck_assert_str_eq(cmd_back, cmdline);

    /* the initrd: page aligned at the top of RAM */
    ck_assert_uint_eq(lb.initrd_addr, initrd_addr);
    ck_assert_uint_eq(lb.initrd_size, initrd_size);
    check_initrd_at(initrd_addr, initrd_size);

    /* the GDT: __BOOT_CS = 0x10 flat code, __BOOT_DS = 0x18 flat data */
    ck_assert_uint_eq(lb.gdt_base, LINUX_GDT_ADDR);
    ck_assert_uint_eq(lb.gdt_limit, 31);
    read_guest(lb.gdt_base, gdt, sizeof(gdt));
    ck_assert_uint_eq(gdt[LINUX_BOOT_CS / 8], 0x00CF9B000000FFFFull);
    ck_assert_uint_eq(gdt[LINUX_BOOT_DS / 8], 0x00CF93000000FFFFull);
    free(img);
}
END_TEST

START_TEST(test_e820_low_only)
{
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    LinuxBoot lb;
    machine_setup(64 * MiB, 0);
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, NULL, NULL, 64 * MiB, 0, 0, &lb), 0);
    loader_reset(&m);
    read_guest(lb.zero_page, zp, sizeof(zp));
    ck_assert_uint_eq(zp[0x1e8], 7);
    check_e820(0, 0, 0x9FC00, E820_RAM);
    check_e820(1, 0x9FC00, 0x400, E820_RESERVED);
    check_e820(2, 0xE0000, 0x20000, E820_RESERVED);
    check_e820(3, MiB, 63 * MiB, E820_RAM);
    check_e820(4, 0xFEC00000, 0x1000, E820_RESERVED);
    check_e820(5, 0xFEE00000, 0x1000, E820_RESERVED);
    check_e820(6, 0xFFFC0000, 0x40000, E820_RESERVED);
    check_e820(7, 0, 0, 0);                          /* nothing after */
    ck_assert_uint_eq(zp64(0x070), 0);               /* no RSDP given */
    ck_assert_uint_eq(zp32(0x218), 0);               /* no initrd */
    ck_assert_uint_eq(zp32(0x21c), 0);
    ck_assert_uint_eq(lb.initrd_addr, 0);
    /* an absent command line is an empty string */
    ck_assert_uint_eq(zp32(0x228), LINUX_CMDLINE_ADDR);
    uint8_t c = 0xff;
    read_guest(LINUX_CMDLINE_ADDR, &c, 1);
    ck_assert_uint_eq(c, 0);
    free(img);
}
END_TEST

START_TEST(test_e820_high)
{
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    LinuxBoot lb;
    machine_setup(32 * MiB, 16 * MiB);
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, "x", NULL, 32 * MiB, 16 * MiB, 0,
                                     &lb), 0);
    loader_reset(&m);
    read_guest(lb.zero_page, zp, sizeof(zp));
    ck_assert_uint_eq(zp[0x1e8], 8);
    check_e820(3, MiB, 31 * MiB, E820_RAM);
    check_e820(7, 4 * GiB, 16 * MiB, E820_RAM);
    free(img);
}
END_TEST

START_TEST(test_not_relocatable)
{
    BzParams p = bz_default;
    size_t size;
    uint8_t *img;
    LinuxBoot lb;
    p.relocatable = 0;
    img = make_bz(&p, &size);
    machine_setup(64 * MiB, 0);
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, NULL, NULL, 64 * MiB, 0, 0, &lb), 0);
    loader_reset(&m);
    /* loaded and entered at 1 MiB: the kernel moves itself to pref_address */
    ck_assert_uint_eq(lb.entry, MiB);
    check_kernel_at(MiB);
    read_guest(lb.zero_page, zp, sizeof(zp));
    ck_assert_uint_eq(zp32(0x214), MiB);
    free(img);
}
END_TEST

START_TEST(test_setup_sects_zero)
{
    BzParams p = bz_default;
    size_t size;
    uint8_t *img;
    LinuxBoot lb;
    p.setup_sects = 0;                               /* means 4 */
    img = make_bz(&p, &size);
    ck_assert_uint_eq(size, 5 * 512 + KERNEL_BYTES);
    machine_setup(64 * MiB, 0);
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, NULL, NULL, 64 * MiB, 0, 0, &lb), 0);
    loader_reset(&m);
    check_kernel_at(lb.entry);
    free(img);
}
END_TEST

START_TEST(test_initrd_addr_max)
{
    BzParams p = bz_default;
    const size_t initrd_size = 3 * 4096 + 17;
    size_t size;
    uint8_t *img;
    LinuxBoot lb;
    p.initrd_addr_max = 48 * MiB - 1;
    img = make_bz(&p, &size);
    machine_setup(64 * MiB, 0);
    make_initrd(initrd_size);
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, NULL, initrd_path, 64 * MiB, 0, 0,
                                     &lb), 0);
    loader_reset(&m);
    ck_assert_uint_eq(lb.initrd_addr, (48 * MiB - initrd_size) & ~0xFFFull);
    ck_assert_uint_le(lb.initrd_addr + initrd_size - 1, p.initrd_addr_max);
    check_initrd_at(lb.initrd_addr, initrd_size);
    free(img);
}
END_TEST

START_TEST(test_initrd_above_4g)
{
    /* 24 MiB low: the kernel runs at 16 MiB and needs 4 MiB there, leaving 4 MiB for an
     * initrd of 6 MiB: it goes to the top of the 16 MiB above 4 GiB */
    const size_t initrd_size = 6 * MiB;
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    LinuxBoot lb;
    uint64_t want = (4 * GiB + 16 * MiB - initrd_size) & ~0xFFFull;
    machine_setup(24 * MiB, 16 * MiB);
    make_initrd(initrd_size);
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, NULL, initrd_path, 24 * MiB,
                                     16 * MiB, 0, &lb), 0);
    loader_reset(&m);
    ck_assert_uint_eq(lb.initrd_addr, want);
    read_guest(lb.zero_page, zp, sizeof(zp));
    ck_assert_uint_eq(zp32(0x218), (uint32_t)want);
    ck_assert_uint_eq(zp32(0x0c0), (uint32_t)(want >> 32));
    ck_assert_uint_eq(zp32(0x21c), initrd_size);
    ck_assert_uint_eq(zp32(0x0c4), 0);
    check_initrd_at(want, initrd_size);
    free(img);
}
END_TEST

START_TEST(test_initrd_high_not_allowed)
{
    BzParams p = bz_default;
    size_t size;
    uint8_t *img;
    p.xloadflags = 0x01;                             /* no XLF_CAN_BE_LOADED_ABOVE_4G */
    img = make_bz(&p, &size);
    machine_setup(24 * MiB, 16 * MiB);
    make_initrd(6 * MiB);
    expect_error(img, size, NULL, initrd_path, 24 * MiB, 16 * MiB,
                 "(6291456 bytes) does not fit in guest RAM");
    free(img);
}
END_TEST

START_TEST(test_reset_reloads)
{
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    uint8_t junk[KERNEL_BYTES];
    LinuxBoot lb;
    machine_setup(64 * MiB, 0);
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, "a b c", NULL, 64 * MiB, 0, 0,
                                     &lb), 0);
    loader_reset(&m);
    memset(junk, 0xcc, sizeof(junk));
    as_write(&m.sysmem_as, lb.entry, junk, sizeof(junk));
    as_write(&m.sysmem_as, lb.zero_page, junk, 4096);
    loader_reset(&m);
    check_kernel_at(lb.entry);
    read_guest(lb.zero_page, zp, sizeof(zp));
    ck_assert(!memcmp(zp + 0x202, "HdrS", 4));
    ck_assert_uint_eq(zp[0x000], 0);
    free(img);
}
END_TEST

START_TEST(test_err_not_bzimage)
{
    uint8_t zeros[4096] = { 0 };
    machine_setup(64 * MiB, 0);
    expect_error(zeros, sizeof(zeros), NULL, NULL, 64 * MiB, 0, "is not a Linux bzImage");
}
END_TEST

START_TEST(test_err_protocol_too_old)
{
    BzParams p = bz_default;
    size_t size;
    uint8_t *img;
    p.version = 0x0205;
    img = make_bz(&p, &size);
    machine_setup(64 * MiB, 0);
    expect_error(img, size, NULL, NULL, 64 * MiB, 0, "boot protocol 2.05: tandem needs 2.06");
    free(img);
}
END_TEST

START_TEST(test_err_zimage)
{
    BzParams p = bz_default;
    size_t size;
    uint8_t *img;
    p.loadflags = 0;
    img = make_bz(&p, &size);
    machine_setup(64 * MiB, 0);
    expect_error(img, size, NULL, NULL, 64 * MiB, 0, "is a zImage");
    free(img);
}
END_TEST

START_TEST(test_err_cmdline_too_long)
{
    BzParams p = bz_default;
    size_t size;
    uint8_t *img;
    LinuxBoot lb;
    p.cmdline_size = 16;
    img = make_bz(&p, &size);
    machine_setup(64 * MiB, 0);
    expect_error(img, size, "0123456789abcdefg", NULL, 64 * MiB, 0,
                 "command line is 17 bytes, the kernel accepts at most 16");
    /* exactly cmdline_size bytes (without the NUL) is accepted */
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, "0123456789abcdef", NULL, 64 * MiB,
                                     0, 0, &lb), 0);
    free(img);
}
END_TEST

START_TEST(test_err_initrd_too_large)
{
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    machine_setup(64 * MiB, 0);
    /* 64 MiB of RAM, the kernel needs up to 20 MiB: 44 MiB fit, 44 MiB + 1 do not */
    make_initrd(44 * MiB + 1);
    expect_error(img, size, NULL, initrd_path, 64 * MiB, 0,
                 "(46137345 bytes) does not fit in guest RAM");
    free(img);
}
END_TEST

START_TEST(test_initrd_fits_exactly)
{
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    LinuxBoot lb;
    machine_setup(64 * MiB, 0);
    make_initrd(44 * MiB);
    ck_assert_int_eq(linux_boot_load(&m, "bz", img, size, NULL, initrd_path, 64 * MiB, 0, 0,
                                     &lb), 0);
    ck_assert_uint_eq(lb.initrd_addr, 20 * MiB);
    free(img);
}
END_TEST

START_TEST(test_err_initrd_missing)
{
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    machine_setup(64 * MiB, 0);
    expect_error(img, size, NULL, "/nonexistent/initrd", 64 * MiB, 0,
                 "cannot open initrd '/nonexistent/initrd'");
    free(img);
}
END_TEST

START_TEST(test_err_ram_too_small)
{
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    machine_setup(16 * MiB, 0);
    /* runs at 16 MiB and needs init_size (4 MiB) there */
    expect_error(img, size, NULL, NULL, 16 * MiB, 0, "needs RAM up to 20 MiB");
    free(img);
}
END_TEST

START_TEST(test_err_truncated)
{
    size_t size;
    uint8_t *img = make_bz(&bz_default, &size);
    machine_setup(64 * MiB, 0);
    expect_error(img, size - 16, NULL, NULL, 64 * MiB, 0, "is truncated");
    expect_error(img, 0x300, NULL, NULL, 64 * MiB, 0, "is truncated");
    free(img);
}
END_TEST

static Suite *linux_boot_suite(void)
{
    Suite *s = suite_create("linux_boot");
    TCase *tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_load_basic);
    tcase_add_test(tc, test_e820_low_only);
    tcase_add_test(tc, test_e820_high);
    tcase_add_test(tc, test_not_relocatable);
    tcase_add_test(tc, test_setup_sects_zero);
    tcase_add_test(tc, test_initrd_addr_max);
    tcase_add_test(tc, test_initrd_above_4g);
    tcase_add_test(tc, test_initrd_fits_exactly);
    tcase_add_test(tc, test_reset_reloads);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_err_not_bzimage);
    tcase_add_test(tc, test_err_protocol_too_old);
    tcase_add_test(tc, test_err_zimage);
    tcase_add_test(tc, test_err_cmdline_too_long);
    tcase_add_test(tc, test_err_initrd_too_large);
    tcase_add_test(tc, test_err_initrd_missing);
    tcase_add_test(tc, test_err_ram_too_small);
    tcase_add_test(tc, test_err_truncated);
    tcase_add_test(tc, test_initrd_high_not_allowed);
    suite_add_tcase(s, tc);
    tc = tcase_create("probe");
    tcase_add_test(tc, test_probe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(linux_boot_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

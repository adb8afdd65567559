/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_linuxboot_fw_cfg.c — Linux through fw_cfg for a BIOS: the kernel items
 * that hw/x86/linux_boot.c's linux_boot_fw_cfg prepares from a bzImage, and the option ROM
 * that pc-bios/linuxboot_rom.c signs and adds (the board xenfv uses both).
 *
 * The items are read back the way firmware reads them: through the fw_cfg device's
 * selector and data ports (its I/O region, driven directly). Checked: the setup code with
 * the header fields a real-mode boot loader patches (and every other byte as in the
 * image), the addresses (setup at 0x10000, command line at its heap end, kernel at 1 MiB,
 * initrd page aligned below the top of RAM less the firmware's reserve and below
 * initrd_addr_max), the kernel, initrd and command line bytes, no initrd, each error with
 * its one line; the ROM's header (55 AA, size byte, whole-ROM and PnP checksums, the BEV)
 * and the "genroms/" and "bootorder" files.
 * Not covered here: running the ROM (make check-xen boots Debian's kernel with it).
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/x86/linux_boot.h"
#include "pc-bios/linuxboot_rom.h"
#include <check.h>
#include <unistd.h>
#include "tests/unit/capture.h"

#define KERNEL_BYTES 0x3000u
#define SETUP_SECTS 4u
#define SETUP_BYTES ((SETUP_SECTS + 1) * 512)

static Device *fw;
static char initrd_path[64];

static void setup(void)
{
    fw = device_create_class(NULL, &fw_cfg_io_class, "fw_cfg", NULL);
    ck_assert_ptr_nonnull(fw);
    initrd_path[0] = 0;
}

static void teardown(void)
{
    device_destroy(fw);
    if (initrd_path[0]) {
        unlink(initrd_path);
    }
}

/* ---- fw_cfg as firmware sees it ---- */

static void select_key(uint16_t key)
{
    ck_assert_int_eq(mr_dispatch_write(device_pio(fw, 0), 0, 2, key), MEMTX_OK);
}

static void read_data(void *buf, size_t len)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < len; i++) {
        uint64_t v = 0;
        ck_assert_int_eq(mr_dispatch_read(device_pio(fw, 0), 1, 1, &v), MEMTX_OK);
        b[i] = (uint8_t)v;
    }
}

static uint32_t item32(uint16_t key)
{
    uint8_t b[4];
    select_key(key);
    read_data(b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The item's bytes (len of them; the byte after them must read 0: the item has no more). */
static uint8_t *item_bytes(uint16_t key, size_t len)
{
    uint8_t *buf = xmalloc(len + 1);
    select_key(key);
    read_data(buf, len + 1);
    ck_assert_msg(buf[len] == 0, "item 0x%x is longer than %zu bytes", key, len);
    return buf;
}

/* ---- synthetic images ---- */

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint16_t get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint8_t kernel_byte(uint32_t i)
{
    return (uint8_t)(i * 5 + 1);
}

/* A relocatable bzImage of protocol 2.15 (pref_address 16 MiB, init_size 4 MiB) with
 * setup_sects sectors of setup code after the boot sector, then KERNEL_BYTES of pattern. */
static uint8_t *make_bz(uint8_t setup_sects, size_t *size)
{
    size_t setup = ((size_t)setup_sects + 1) * 512;
    uint8_t *img = xzalloc(setup + KERNEL_BYTES);

    img[0x1ef] = 0x77;                      /* before the header: kept as is */
    img[0x1f1] = setup_sects;
    put32(img + 0x1f4, KERNEL_BYTES / 16);
    put16(img + 0x1fe, 0xAA55);
    img[0x200] = 0xeb;
    img[0x201] = 0x6a;
    memcpy(img + 0x202, "HdrS", 4);
    put16(img + 0x206, 0x020f);
    img[0x211] = 0x01;                      /* LOADED_HIGH */
    put32(img + 0x214, 0x100000);
    put32(img + 0x22c, 0x7fffffff);
    put32(img + 0x230, 2 * MiB);
    img[0x234] = 1;
    put16(img + 0x236, 0x7f);
    put32(img + 0x238, 2047);
    put32(img + 0x258, 16 * MiB);
    put32(img + 0x260, 4 * MiB);
    for (size_t i = 0x290; i < setup; i++) {
        img[i] = (uint8_t)(i * 3);          /* the setup code proper */
    }
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
        buf[i] = (uint8_t)(i ^ 0x3c);
    }
    strcpy(initrd_path, "/tmp/tandem-test-initrd-XXXXXX");
    fd = mkstemp(initrd_path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, buf, size), (ssize_t)size);
    close(fd);
    free(buf);
}

static void expect_error(const uint8_t *img, size_t size, const char *cmdline,
                         const char *initrd, uint64_t lowmem, const char *want)
{
    LinuxBoot lb;
    Capture c;
    char *text, *nl;
    int r;
    capture_begin(&c);
    r = linux_boot_fw_cfg(fw, "bz", img, size, cmdline, initrd, lowmem, &lb);
    text = capture_end(&c);
    ck_assert_int_eq(r, -1);
    ck_assert_msg(strstr(text, want), "error '%s' does not say '%s'", text, want);
    nl = strchr(text, '\n');
    ck_assert_msg(nl && nl[1] == 0, "not one line: '%s'", text);
    /* nothing was offered: no kernel for the ROM to boot */
    select_key(FW_CFG_KERNEL_SIZE);
    uint8_t b = 0xff;
    read_data(&b, 1);
    ck_assert_uint_eq(b, 0);
}

/* ---- the kernel items ---- */

START_TEST(test_items)
{
    const char *cmdline = "console=ttyS0 quiet";
    const size_t initrd_size = 10000;
    const uint64_t lowmem = 256 * MiB;
    const uint64_t initrd_addr = (lowmem - LINUX_FW_CFG_TOP_RESERVE - initrd_size) & ~0xfffull;
    size_t size;
    uint8_t *img = make_bz(SETUP_SECTS, &size), *setup, *kernel, *initrd, *cmd;
    uint32_t bad;
    LinuxBoot lb;

    make_initrd(initrd_size);
    ck_assert_int_eq(linux_boot_fw_cfg(fw, "bz", img, size, cmdline, initrd_path, lowmem, &lb),
                     0);
    ck_assert_uint_eq(lb.version, 0x020f);
    ck_assert_uint_eq(lb.entry, 0x100000);
    ck_assert_uint_eq(lb.initrd_addr, initrd_addr);
    ck_assert_uint_eq(lb.initrd_size, initrd_size);

    /* the setup code: at 0x10000, the loader's fields patched, the rest as the image has it */
    ck_assert_uint_eq(item32(FW_CFG_SETUP_ADDR), 0x10000);
    ck_assert_uint_eq(item32(FW_CFG_SETUP_SIZE), SETUP_BYTES);
    setup = item_bytes(FW_CFG_SETUP_DATA, SETUP_BYTES);
    ck_assert_uint_eq(setup[0x210], 0xff);                  /* type_of_loader */
    ck_assert_uint_eq(setup[0x211], 0x81);                  /* LOADED_HIGH | CAN_USE_HEAP */
    ck_assert_uint_eq(get32(setup + 0x214), 0x100000);      /* code32_start */
    ck_assert_uint_eq(get32(setup + 0x218), initrd_addr);   /* ramdisk_image */
    ck_assert_uint_eq(get32(setup + 0x21c), initrd_size);   /* ramdisk_size */
    ck_assert_uint_eq(get16(setup + 0x224), 0xde00);        /* heap_end_ptr: 0xe000 - 0x200 */
    ck_assert_uint_eq(get32(setup + 0x228), 0x1e000);       /* cmd_line_ptr */
    bad = SETUP_BYTES;
    for (uint32_t i = 0; i < SETUP_BYTES && bad == SETUP_BYTES; i++) {
        bool patched = i == 0x210 || i == 0x211 || (i >= 0x214 && i < 0x220) ||
                       (i >= 0x224 && i < 0x22c);
        if (!patched && setup[i] != img[i]) {
            bad = i;
        }
    }
    ck_assert_msg(bad == SETUP_BYTES, "setup byte 0x%x differs from the image", bad);

    /* the protected-mode kernel, for 1 MiB */
    ck_assert_uint_eq(item32(FW_CFG_KERNEL_ADDR), 0x100000);
    ck_assert_uint_eq(item32(FW_CFG_KERNEL_SIZE), KERNEL_BYTES);
    kernel = xmalloc(KERNEL_BYTES);
    select_key(FW_CFG_KERNEL_DATA);
    read_data(kernel, KERNEL_BYTES);
    bad = KERNEL_BYTES;
    for (uint32_t i = 0; i < KERNEL_BYTES && bad == KERNEL_BYTES; i++) {
        if (kernel[i] != kernel_byte(i)) {
            bad = i;
        }
    }
    ck_assert_msg(bad == KERNEL_BYTES, "kernel byte %u differs", bad);

    /* the initrd, page aligned below the firmware's reserve at the top of RAM */
    ck_assert_uint_eq(item32(FW_CFG_INITRD_ADDR), initrd_addr);
    ck_assert_uint_eq(item32(FW_CFG_INITRD_SIZE), initrd_size);
    initrd = xmalloc(initrd_size);
    select_key(FW_CFG_INITRD_DATA);
    read_data(initrd, initrd_size);
    bad = initrd_size;
    for (uint32_t i = 0; i < initrd_size && bad == initrd_size; i++) {
        if (initrd[i] != (uint8_t)(i ^ 0x3c)) {
            bad = i;
        }
    }
    ck_assert_msg(bad == initrd_size, "initrd byte %u differs", bad);

    /* the command line, NUL terminated, at the setup heap's end */
    ck_assert_uint_eq(item32(FW_CFG_CMDLINE_ADDR), 0x1e000);
    ck_assert_uint_eq(item32(FW_CFG_CMDLINE_SIZE), strlen(cmdline) + 1);
    cmd = item_bytes(FW_CFG_CMDLINE_DATA, strlen(cmdline) + 1);
    ck_assert_str_eq((char *)cmd, cmdline);

    free(img);
    free(setup);
    free(kernel);
    free(initrd);
    free(cmd);
}
END_TEST

START_TEST(test_no_initrd_no_cmdline)
{
    size_t size;
    uint8_t *img = make_bz(SETUP_SECTS, &size), *setup, *cmd;
    LinuxBoot lb;

    ck_assert_int_eq(linux_boot_fw_cfg(fw, "bz", img, size, NULL, NULL, 128 * MiB, &lb), 0);
    ck_assert_uint_eq(item32(FW_CFG_INITRD_ADDR), 0);
    ck_assert_uint_eq(item32(FW_CFG_INITRD_SIZE), 0);
    setup = item_bytes(FW_CFG_SETUP_DATA, SETUP_BYTES);
    ck_assert_uint_eq(get32(setup + 0x218), 0);
    ck_assert_uint_eq(get32(setup + 0x21c), 0);
    ck_assert_uint_eq(item32(FW_CFG_CMDLINE_SIZE), 1);
    cmd = item_bytes(FW_CFG_CMDLINE_DATA, 1);
    ck_assert_uint_eq(cmd[0], 0);
    free(img);
    free(setup);
    free(cmd);
}
END_TEST

START_TEST(test_initrd_addr_max)
{
    size_t size;
    uint8_t *img = make_bz(SETUP_SECTS, &size);
    LinuxBoot lb;

    put32(img + 0x22c, 64 * MiB - 1);      /* initrd_addr_max below the top of RAM */
    make_initrd(5000);
    ck_assert_int_eq(linux_boot_fw_cfg(fw, "bz", img, size, "", initrd_path, 256 * MiB, &lb),
                     0);
    ck_assert_uint_eq(item32(FW_CFG_INITRD_ADDR), (64 * MiB - 5000) & ~0xfffull);
    free(img);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_err_not_bzimage)
{
    uint8_t junk[8192] = { 0 };
    expect_error(junk, sizeof(junk), NULL, NULL, 256 * MiB, "is not a Linux bzImage");
}
END_TEST

START_TEST(test_err_setup_too_large)
{
    size_t size;
    uint8_t *img = make_bz(64, &size);     /* 65 sectors: more than 32 KiB */
    expect_error(img, size, NULL, NULL, 256 * MiB, "real-mode setup code");
    free(img);
}
END_TEST

START_TEST(test_err_cmdline_too_long)
{
    size_t size;
    uint8_t *img = make_bz(SETUP_SECTS, &size);
    char *cmd = xmalloc(3000);
    memset(cmd, 'x', 2999);
    cmd[2999] = 0;
    expect_error(img, size, cmd, NULL, 256 * MiB, "the kernel accepts at most 2047");
    free(cmd);
    free(img);
}
END_TEST

START_TEST(test_err_ram_for_kernel)
{
    size_t size;
    uint8_t *img = make_bz(SETUP_SECTS, &size);
    /* it runs at 16 MiB and needs 4 MiB there: 20 MiB, less than 16 MiB - the reserve */
    expect_error(img, size, NULL, NULL, 16 * MiB, "needs RAM up to 20 MiB");
    free(img);
}
END_TEST

START_TEST(test_err_tiny_ram)
{
    size_t size;
    uint8_t *img = make_bz(SETUP_SECTS, &size);
    expect_error(img, size, NULL, NULL, 1 * MiB, "too little to boot Linux");
    free(img);
}
END_TEST

START_TEST(test_err_initrd_too_large)
{
    size_t size;
    uint8_t *img = make_bz(SETUP_SECTS, &size);
    /* 32 MiB of RAM: the kernel needs up to 20 MiB, 11 MiB are left below the reserve */
    make_initrd(12 * MiB);
    expect_error(img, size, NULL, initrd_path, 32 * MiB, "does not fit in guest RAM");
    free(img);
}
END_TEST

START_TEST(test_err_initrd_missing)
{
    size_t size;
    uint8_t *img = make_bz(SETUP_SECTS, &size);
    expect_error(img, size, NULL, "/nonexistent/initrd.cpio", 256 * MiB, "initrd");
    free(img);
}
END_TEST

/* ---- the option ROM ---- */

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--) {
        s += *p++;
    }
    return s;
}

START_TEST(test_rom_image)
{
    size_t len;
    uint8_t *rom = linuxboot_rom_image(&len);
    uint16_t pnp, bev;

    ck_assert_uint_eq(rom[0], 0x55);
    ck_assert_uint_eq(rom[1], 0xaa);
    ck_assert_uint_eq(len % 512, 0);
    ck_assert_uint_eq((size_t)rom[2] * 512, len);
    ck_assert_uint_eq(sum8(rom, len), 0);
    ck_assert_msg(rom[3] == 0xe9 || rom[3] == 0xeb, "no jump at the init entry: 0x%02x", rom[3]);
    pnp = get16(rom + 0x1a);
    ck_assert_uint_ne(pnp, 0);
    ck_assert_uint_le(pnp + 32u, len);
    ck_assert(!memcmp(rom + pnp, "$PnP", 4));
    ck_assert_uint_eq(rom[pnp + 5], 2);                    /* 32 bytes */
    ck_assert_uint_eq(sum8(rom + pnp, 32), 0);
    bev = get16(rom + pnp + 0x1a);
    ck_assert_uint_ne(bev, 0);
    ck_assert_uint_lt(bev, len);
    ck_assert_uint_eq(get16(rom + pnp + 0x16), 0);         /* no BCV: a boot device itself */
    free(rom);
}
END_TEST

START_TEST(test_rom_files)
{
    static const char order[] = "/rom@genroms/tandem-linuxboot.bin\n";
    size_t len;
    uint8_t *rom = linuxboot_rom_image(&len), *back, *ord;
    int key;

    ck_assert_int_eq(linuxboot_rom_add(fw), 0);
    key = fw_cfg_find_file(fw, "genroms/tandem-linuxboot.bin");
    ck_assert_int_ge(key, FW_CFG_FILE_FIRST);
    back = item_bytes((uint16_t)key, len);
    ck_assert(!memcmp(back, rom, len));
    key = fw_cfg_find_file(fw, "bootorder");
    ck_assert_int_ge(key, FW_CFG_FILE_FIRST);
    ord = item_bytes((uint16_t)key, strlen(order));
    ck_assert(!memcmp(ord, order, strlen(order)));
    free(rom);
    free(back);
    free(ord);
}
END_TEST

static Suite *linuxboot_fw_cfg_suite(void)
{
    Suite *s = suite_create("linuxboot_fw_cfg");
    TCase *tc = tcase_create("items");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_items);
    tcase_add_test(tc, test_no_initrd_no_cmdline);
    tcase_add_test(tc, test_initrd_addr_max);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_err_not_bzimage);
    tcase_add_test(tc, test_err_setup_too_large);
    tcase_add_test(tc, test_err_cmdline_too_long);
    tcase_add_test(tc, test_err_ram_for_kernel);
    tcase_add_test(tc, test_err_tiny_ram);
    tcase_add_test(tc, test_err_initrd_too_large);
    tcase_add_test(tc, test_err_initrd_missing);
    suite_add_tcase(s, tc);
    tc = tcase_create("rom");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_rom_image);
    tcase_add_test(tc, test_rom_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(linuxboot_fw_cfg_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_multiboot.c — the Multiboot v1 loader (hw/x86/multiboot.c) with ELF32
 * kernels built in memory, loaded into a machine with RAM; loader_reset() materialises
 * the blobs and the checks read guest memory back.
 *
 * Covers: the information structure below 640 KiB for a kernel at 1 MiB; a kernel loaded
 * over that area (real-mode programs at 0x8000, as kvm-unit-tests' realmode test) gets the
 * structure right after itself, page aligned, with the modules after it; the command line
 * is the kernel's name followed by -append (argv[0] first, as GRUB and QEMU pass it).
 * Not covered: a.out-kludge images, the memory map's contents (the guests read those).
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/core/loader.h"
#include "hw/x86/multiboot.h"
#include <check.h>
#include <elf.h>
#include <unistd.h>

#define LOWMEM (16 * MiB)

static Machine m;
static MemRegion ram_low;
static char mod_path[64];

static void setup(void)
{
    memset(&m, 0, sizeof(m));
    mr_init_container(&m.sysmem, "system", UINT64_MAX);
    as_init(&m.sysmem_as, &m.sysmem, "memory");
    mr_init_ram(&m.ram, "ram", LOWMEM);
    mr_init_alias(&ram_low, "ram-below-4g", &m.ram, 0, LOWMEM);
    mr_add_subregion(&m.sysmem, 0, &ram_low, 0);
    mod_path[0] = 0;
}

static void teardown(void)
{
    loader_free(&m);
    as_destroy(&m.sysmem_as);
    mr_del_subregion(&m.sysmem, &ram_low);
    mr_destroy(&ram_low);
    mr_destroy(&m.ram);
    mr_destroy(&m.sysmem);
    if (mod_path[0]) {
        unlink(mod_path);
    }
}

/* An ELF32 Multiboot kernel: one PT_LOAD of `size` bytes at `paddr` (header inside). */
static uint8_t *make_kernel(uint32_t paddr, uint32_t size, size_t *len)
{
    size_t off = 0x1000;
    uint8_t *img = xzalloc(off + size);
    Elf32_Ehdr *eh = (Elf32_Ehdr *)img;
    Elf32_Phdr *ph = (Elf32_Phdr *)(img + sizeof(*eh));
    uint32_t mb[3] = { 0x1BADB002u, 0, -0x1BADB002u };

    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS32;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_386;
    eh->e_version = EV_CURRENT;
    eh->e_entry = paddr + 0x10;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = 1;
    ph->p_type = PT_LOAD;
    ph->p_offset = off;
    ph->p_vaddr = ph->p_paddr = paddr;
    ph->p_filesz = ph->p_memsz = size;
    ph->p_flags = PF_R | PF_X;
    memcpy(img + off, mb, sizeof(mb));
    memset(img + off + 16, 0x90, size - 16);
    *len = off + size;
    return img;
}

static uint32_t rd32(uint64_t a)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m.sysmem_as, a, 4, &v), MEMTX_OK);
    return (uint32_t)v;
}

static void rd_str(uint64_t a, char *buf, size_t n)
{
    ck_assert_int_eq(as_read(&m.sysmem_as, a, buf, n), MEMTX_OK);
    buf[n - 1] = 0;
}

START_TEST(test_info_low)
{
    size_t len;
    uint8_t *k = make_kernel(0x100000, 0x2000, &len);
    MultibootBoot b;
    char line[64];

    ck_assert_int_eq(multiboot_load(&m, "/boot/k.elf", k, len, "a b", NULL, LOWMEM, 0, &b), 0);
    loader_reset(&m);
    ck_assert_uint_eq(b.entry, 0x100010);
    ck_assert_uint_eq(b.info_addr, 0x9000);
    ck_assert_uint_eq(rd32(0x100000), 0x1BADB002u);
    rd_str(rd32(b.info_addr + 16), line, sizeof(line));
    ck_assert_str_eq(line, "/boot/k.elf a b");
    free(k);
}
END_TEST

START_TEST(test_info_moved)
{
    size_t len;
    uint8_t *k = make_kernel(0x8000, 0x5a30, &len);    /* 0x8000-0xda30 */
    MultibootBoot b;
    char line[64];
    FILE *f;

    snprintf(mod_path, sizeof(mod_path), "/tmp/tandem-mbmod-%d", (int)getpid());
    f = fopen(mod_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("NR_CPUS=1\n", f);
    fclose(f);
    ck_assert_int_eq(multiboot_load(&m, "rm.flat", k, len, NULL, mod_path, LOWMEM, 0, &b), 0);
    loader_reset(&m);
    /* after the kernel, page aligned; the kernel itself is intact */
    ck_assert_uint_eq(b.info_addr, 0xe000);
    ck_assert_uint_eq(rd32(0x8000), 0x1BADB002u);
    ck_assert_uint_eq(rd32(0x9000), 0x90909090u);
    rd_str(rd32(b.info_addr + 16), line, sizeof(line));
    ck_assert_str_eq(line, "rm.flat");
    /* one module, after the information area */
    ck_assert_uint_eq(rd32(b.info_addr + 20), 1);
    uint32_t mods = rd32(b.info_addr + 24);
    ck_assert_uint_ge(rd32(mods), b.info_addr + 0x1000);
    ck_assert_uint_eq(rd32(mods + 4) - rd32(mods), 10);
    rd_str(rd32(mods), line, 10);                      /* without its newline */
    ck_assert_str_eq(line, "NR_CPUS=1");
    free(k);
}
END_TEST

static Suite *multiboot_suite(void)
{
    Suite *s = suite_create("multiboot");
    TCase *tc = tcase_create("load");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_info_low);
    tcase_add_test(tc, test_info_moved);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(multiboot_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

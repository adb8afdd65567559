/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_x86_mmu.c — unit tests of the x86 page walk (cpu/x86/mmu.c,
 * x86_mmu_walk), on page tables built in a RAM region.
 *
 * Covers paging off (identity, A20), 32-bit paging with 4 KiB and 4 MiB pages (PSE on and
 * off), PAE with PDPTEs and 2 MiB pages, 4-level paging with 4 KiB, 2 MiB and 1 GiB pages
 * and the canonical check, NX with and without EFER.NXE, CR0.WP, U/S, SMEP, SMAP (and its
 * override mmu_idx), reserved bits (PSE-36 bits, MAXPHYADDR, PS in a PML4E, PDPTE bits,
 * large-page address bits), the accessed and dirty bits, and the #PF error codes.
 * Not covered: tlb_fill and the exception delivery (they need a running CPU loop).
 */
#include "util/osdep.h"
#include "hw/core/memory.h"
#include "cpu/x86/cpu.h"
#include <check.h>

#define RAM_SIZE (64 * MiB)

#define P   (1ull << 0)
#define RW  (1ull << 1)
#define US  (1ull << 2)
#define A   (1ull << 5)
#define D   (1ull << 6)
#define PS  (1ull << 7)
#define NX  (1ull << 63)

static MemRegion ram;
static AddressSpace as;
static uint8_t *mem;
static X86CPU *env;

static void setup(void)
{
    mr_init_ram(&ram, "ram", RAM_SIZE);
    as_init(&as, &ram, "test-mem");
    mem = mr_ram_ptr(&ram);
    env = xzalloc(sizeof(*env));
    env->parent.as = &as;
    env->parent.index = 0;
    env->a20_mask = ~0ull;
}

static void teardown(void)
{
    as_destroy(&as);
    mr_destroy(&ram);
    free(env);
}

static void w32(uint64_t pa, uint64_t v)
{
    uint32_t x = (uint32_t)v;
    memcpy(mem + pa, &x, 4);
}

static uint32_t r32(uint64_t pa)
{
    uint32_t x;
    memcpy(&x, mem + pa, 4);
    return x;
}

static void w64(uint64_t pa, uint64_t v)
{
    memcpy(mem + pa, &v, 8);
}

static uint64_t r64(uint64_t pa)
{
    uint64_t x;
    memcpy(&x, mem + pa, 8);
    return x;
}

static uint64_t out_pa, out_size;
static int out_prot;

static int walk(uint64_t va, MMUAccessType acc, int mmu_idx)
{
    out_pa = out_size = 0xdead;
    out_prot = -1;
    return x86_mmu_walk(env, va, acc, mmu_idx, &out_pa, &out_prot, &out_size);
}

#define RD MMU_DATA_LOAD
#define WR MMU_DATA_STORE
#define EX MMU_INST_FETCH
#define KS X86_MMU_KSMAP
#define KN X86_MMU_KNOSMAP
#define USR X86_MMU_USER
#define PF(x) (X86_WALK_PF | (x))
#define RWX (PAGE_READ | PAGE_WRITE | PAGE_EXEC)

static void paging32(uint64_t cr4)
{
    env->cr[0] = CR0_PE | CR0_PG | CR0_ET;
    env->cr[3] = 0x10000;
    env->cr[4] = cr4;
    env->efer = 0;
}

static void paging_pae(bool nxe)
{
    env->cr[0] = CR0_PE | CR0_PG | CR0_ET;
    env->cr[3] = 0x20000;
    env->cr[4] = CR4_PAE;
    env->efer = nxe ? EFER_NXE : 0;
}

static void paging64(void)
{
    env->cr[0] = CR0_PE | CR0_PG | CR0_ET;
    env->cr[3] = 0x30000;
    env->cr[4] = CR4_PAE;
    env->efer = EFER_LME | EFER_LMA | EFER_NXE;
}

/* ---- paging off ---- */

START_TEST(test_paging_off)
{
    env->cr[0] = CR0_ET;
    ck_assert_int_eq(walk(0x123456, WR, KS), 0);
    ck_assert_uint_eq(out_pa, 0x123456);
    ck_assert_int_eq(out_prot, RWX);
    ck_assert_uint_eq(out_size, 4096);
    /* A20 off wraps bit 20 */
    env->a20_mask = ~(1ull << 20);
    ck_assert_int_eq(walk(0x123456, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x023456);
    /* 32-bit linear addresses */
    env->a20_mask = ~0ull;
    ck_assert_int_eq(walk(0x1ffff0000ull, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0xffff0000u);
    /* X86_MMU_PHYS is identity even with paging on */
    paging32(0);
    ck_assert_int_eq(walk(0x5678, RD, X86_MMU_PHYS), 0);
    ck_assert_uint_eq(out_pa, 0x5678);
}
END_TEST

/* ---- 32-bit paging ---- */

START_TEST(test_32bit_4k)
{
    paging32(0);
    w32(0x10000 + 0 * 4, 0x11000 | P | RW | US);
    w32(0x11000 + 5 * 4, 0x200000 | P | RW | US);
    ck_assert_int_eq(walk(0x5123, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x200123);
    ck_assert_uint_eq(out_size, 4096);
    /* clean page: no write permission yet */
    ck_assert_int_eq(out_prot, PAGE_READ | PAGE_EXEC);
    ck_assert_uint_eq(r32(0x10000), 0x11000 | P | RW | US | A);
    ck_assert_uint_eq(r32(0x11000 + 5 * 4), 0x200000 | P | RW | US | A);
    /* a write sets D and maps it writable */
    ck_assert_int_eq(walk(0x5123, WR, KS), 0);
    ck_assert_int_eq(out_prot, RWX);
    ck_assert_uint_eq(r32(0x11000 + 5 * 4), 0x200000 | P | RW | US | A | D);
    ck_assert_uint_eq(r32(0x10000), 0x11000 | P | RW | US | A);   /* no D on the PDE */
    /* now a read gets write permission too */
    ck_assert_int_eq(walk(0x5fff, RD, USR), 0);
    ck_assert_uint_eq(out_pa, 0x200fff);
    ck_assert_int_eq(out_prot, RWX);
    /* not present PTE, then not present PDE: error codes */
    ck_assert_int_eq(walk(0x6000, RD, KS), PF(0));
    ck_assert_int_eq(walk(0x6000, WR, USR), PF(X86_PF_W | X86_PF_U));
    ck_assert_int_eq(walk(0x800000, EX, KS), PF(0));    /* I/D only with NXE or SMEP */
}
END_TEST

START_TEST(test_32bit_4m)
{
    paging32(CR4_PSE);
    w32(0x10000 + 1 * 4, 0x01c00000 | P | RW | PS);
    ck_assert_int_eq(walk(0x512345, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x01d12345);
    ck_assert_uint_eq(out_size, 4 * MiB);
    ck_assert_uint_eq(r32(0x10004), 0x01c00000 | P | RW | PS | A);
    /* supervisor page: user access is a protection fault */
    ck_assert_int_eq(walk(0x512345, RD, USR), PF(X86_PF_P | X86_PF_U));
    /* bits 21:13 are reserved without PSE-36 */
    w32(0x10000 + 2 * 4, 0x00800000 | (1u << 13) | P | RW | PS);
    ck_assert_int_eq(walk(0x800000, RD, KS), PF(X86_PF_P | X86_PF_RSVD));
    /* with CR4.PSE clear PS is ignored: the PDE points to a page table (empty here) */
    paging32(0);
    w32(0x10000 + 3 * 4, 0x00400000 | P | RW | PS);
    ck_assert_int_eq(walk(0xc01000, RD, KS), PF(0));
    w32(0x00400000 + 1 * 4, 0x300000 | P);
    ck_assert_int_eq(walk(0xc01000, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x300000);
    ck_assert_uint_eq(out_size, 4096);
}
END_TEST

/* ---- PAE ---- */

START_TEST(test_pae_2m)
{
    paging_pae(false);
    w64(0x20000 + 0 * 8, 0x21000 | P);
    w64(0x21000 + 0 * 8, 0x400000 | P | RW | US | PS);
    ck_assert_int_eq(walk(0x1234, RD, USR), 0);
    ck_assert_uint_eq(out_pa, 0x401234);
    ck_assert_uint_eq(out_size, 2 * MiB);
    ck_assert_int_eq(out_prot, PAGE_READ | PAGE_EXEC);
    ck_assert_uint_eq(r64(0x21000), 0x400000 | P | RW | US | PS | A);
    ck_assert_uint_eq(r64(0x20000), 0x21000 | P);      /* PDPTEs have no A bit */
    /* PDPTE 3 (va 0xc0000000..): not present, then a reserved bit (bit 1) */
    ck_assert_int_eq(walk(0xc0000000u, WR, KS), PF(X86_PF_W));
    w64(0x20000 + 3 * 8, 0x22000 | P | RW);
    ck_assert_int_eq(walk(0xc0000000u, RD, KS), PF(X86_PF_P | X86_PF_RSVD));
    /* 2 MiB page with an address bit below 21 set: reserved */
    w64(0x21000 + 1 * 8, 0x600000 | (1ull << 16) | P | RW | PS);
    ck_assert_int_eq(walk(0x200000, RD, KS), PF(X86_PF_P | X86_PF_RSVD));
    /* bit 12 is PAT, not an address bit */
    w64(0x21000 + 1 * 8, 0x600000 | (1ull << 12) | P | RW | PS);
    ck_assert_int_eq(walk(0x200010, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x600010);
    /* an address bit beyond MAXPHYADDR (40) */
    w64(0x21000 + 2 * 8, (1ull << 41) | 0x800000 | P | RW | PS);
    ck_assert_int_eq(walk(0x400000, RD, KS), PF(X86_PF_P | X86_PF_RSVD));
}
END_TEST

START_TEST(test_pae_nx)
{
    paging_pae(true);
    w64(0x20000, 0x21000 | P);
    w64(0x21000 + 1 * 8, 0x23000 | P | RW | US);
    w64(0x23000 + 0 * 8, 0x600000 | P | RW | US | NX);
    w64(0x23000 + 1 * 8, 0x601000 | P | RW | US);
    ck_assert_int_eq(walk(0x200000, EX, KS), PF(X86_PF_P | X86_PF_I));
    ck_assert_int_eq(walk(0x200000, EX, USR), PF(X86_PF_P | X86_PF_I | X86_PF_U));
    ck_assert_int_eq(walk(0x200000, RD, USR), 0);
    ck_assert_int_eq(out_prot, PAGE_READ);
    ck_assert_int_eq(walk(0x201000, EX, USR), 0);
    ck_assert_uint_eq(out_pa, 0x601000);
    ck_assert_int_eq(out_prot, PAGE_READ | PAGE_EXEC);
    /* XD in a non-leaf entry applies to the whole range */
    w64(0x21000 + 1 * 8, 0x23000 | P | RW | US | NX);
    ck_assert_int_eq(walk(0x201000, EX, KS), PF(X86_PF_P | X86_PF_I));
    /* without EFER.NXE bit 63 is reserved */
    paging_pae(false);
    ck_assert_int_eq(walk(0x201000, EX, KS), PF(X86_PF_P | X86_PF_RSVD));
    ck_assert_int_eq(walk(0x201000, RD, KS), PF(X86_PF_P | X86_PF_RSVD));
}
END_TEST

/* ---- 4-level paging ---- */

/* PML4[0] -> PDPT 0x31000; PDPT[0] -> PD 0x32000; PD[0] -> PT 0x33000 */
static void build_4level(void)
{
    w64(0x30000 + 0 * 8, 0x31000 | P | RW | US);
    w64(0x31000 + 0 * 8, 0x32000 | P | RW | US);
    w64(0x32000 + 0 * 8, 0x33000 | P | RW | US);
    w64(0x33000 + 7 * 8, 0x2345000 | P | RW | US);          /* va 0x7000: user RW */
    w64(0x33000 + 8 * 8, 0x2346000 | P | US);               /* va 0x8000: user RO */
    w64(0x33000 + 9 * 8, 0x2347000 | P | RW);               /* va 0x9000: supervisor RW */
    w64(0x33000 + 10 * 8, 0x2348000 | P);                   /* va 0xa000: supervisor RO */
}

START_TEST(test_4level_4k_ad)
{
    paging64();
    build_4level();
    ck_assert_int_eq(walk(0x7abc, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x2345abc);
    ck_assert_uint_eq(out_size, 4096);
    ck_assert_int_eq(out_prot, PAGE_READ | PAGE_EXEC);
    ck_assert_uint_eq(r64(0x30000), 0x31000 | P | RW | US | A);
    ck_assert_uint_eq(r64(0x31000), 0x32000 | P | RW | US | A);
    ck_assert_uint_eq(r64(0x32000), 0x33000 | P | RW | US | A);
    ck_assert_uint_eq(r64(0x33000 + 7 * 8), 0x2345000 | P | RW | US | A);
    ck_assert_int_eq(walk(0x7abc, WR, USR), 0);
    ck_assert_int_eq(out_prot, RWX);
    ck_assert_uint_eq(r64(0x33000 + 7 * 8), 0x2345000 | P | RW | US | A | D);
    ck_assert_uint_eq(r64(0x32000), 0x33000 | P | RW | US | A);
    /* a failed access sets no bit */
    ck_assert_int_eq(walk(0x8000, WR, USR), PF(X86_PF_P | X86_PF_W | X86_PF_U));
    ck_assert_uint_eq(r64(0x33000 + 8 * 8), 0x2346000 | P | US);
}
END_TEST

START_TEST(test_4level_large)
{
    paging64();
    w64(0x30000 + 0 * 8, 0x31000 | P | RW);
    /* PDPT[1]: a 1 GiB page at 0x80000000 */
    w64(0x31000 + 1 * 8, 0x80000000ull | P | RW | PS);
    ck_assert_int_eq(walk(0x40001234, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x80001234);
    ck_assert_uint_eq(out_size, 1 * GiB);
    ck_assert_uint_eq(r64(0x31008), 0x80000000ull | P | RW | PS | A);
    /* 1 GiB page with bit 13 set: reserved */
    w64(0x31000 + 2 * 8, 0xc0000000ull | (1ull << 13) | P | RW | PS);
    ck_assert_int_eq(walk(0x80000000ull, RD, KS), PF(X86_PF_P | X86_PF_RSVD));
    /* PDPT[3] -> PD with a 2 MiB page */
    w64(0x31000 + 3 * 8, 0x34000 | P | RW);
    w64(0x34000 + 5 * 8, 0x1e00000 | P | RW | PS | D);
    ck_assert_int_eq(walk(0xc0a00042ull, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x1e00042);
    ck_assert_uint_eq(out_size, 2 * MiB);
    ck_assert_int_eq(out_prot, RWX);       /* already dirty */
    /* PS in a PML4E is reserved */
    w64(0x30000 + 1 * 8, 0x35000 | P | RW | PS);
    ck_assert_int_eq(walk(0x8000000000ull, RD, KS), PF(X86_PF_P | X86_PF_RSVD));
    /* address bits 51:40 are reserved */
    w64(0x31000 + 4 * 8, (1ull << 45) | P | RW);
    ck_assert_int_eq(walk(0x100000000ull, RD, KS), PF(X86_PF_P | X86_PF_RSVD));
    /* bits 62:52 are ignored */
    w64(0x31000 + 4 * 8, (1ull << 55) | 0x40000000ull | P | RW | PS);
    ck_assert_int_eq(walk(0x100000010ull, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x40000010);
    /* the upper half: PML4[511] */
    w64(0x30000 + 511 * 8, 0x36000 | P | RW);
    w64(0x36000 + 510 * 8, 0x40000000ull | P | RW | PS);
    ck_assert_int_eq(walk(0xffffffff80001000ull, RD, KS), 0);
    ck_assert_uint_eq(out_pa, 0x40001000);
    /* non-canonical */
    ck_assert_int_eq(walk(0x0000800000000000ull, RD, KS), X86_WALK_NONCANONICAL);
    ck_assert_int_eq(walk(0xfff0000000000000ull, RD, KS), X86_WALK_NONCANONICAL);
}
END_TEST

START_TEST(test_wp_and_us)
{
    paging64();
    build_4level();
    /* supervisor write to a read-only page: allowed with WP = 0 */
    ck_assert_int_eq(walk(0xa000, WR, KS), 0);
    ck_assert_int_eq(out_prot, RWX);
    ck_assert_int_eq(walk(0x8000, WR, KS), 0);
    env->cr[0] |= CR0_WP;
    ck_assert_int_eq(walk(0xa000, WR, KS), PF(X86_PF_P | X86_PF_W));
    ck_assert_int_eq(walk(0x8000, WR, KN), PF(X86_PF_P | X86_PF_W));
    ck_assert_int_eq(walk(0xa000, RD, KS), 0);
    ck_assert_int_eq(out_prot, PAGE_READ | PAGE_EXEC);
    /* user accesses to supervisor pages */
    ck_assert_int_eq(walk(0x9000, RD, USR), PF(X86_PF_P | X86_PF_U));
    ck_assert_int_eq(walk(0x9000, WR, USR), PF(X86_PF_P | X86_PF_W | X86_PF_U));
    ck_assert_int_eq(walk(0x9000, EX, USR), PF(X86_PF_P | X86_PF_U | X86_PF_I));
    /* user read of a read-only user page */
    ck_assert_int_eq(walk(0x8000, RD, USR), 0);
    ck_assert_int_eq(out_prot, PAGE_READ | PAGE_EXEC);
    /* U/S must be set at every level */
    w64(0x32000, 0x33000 | P | RW);
    ck_assert_int_eq(walk(0x7000, RD, USR), PF(X86_PF_P | X86_PF_U));
}
END_TEST

START_TEST(test_smep_smap)
{
    paging64();
    build_4level();
    env->cr[4] |= CR4_SMEP;
    ck_assert_int_eq(walk(0x7000, EX, KS), PF(X86_PF_P | X86_PF_I));
    ck_assert_int_eq(walk(0x7000, EX, USR), 0);
    ck_assert_int_eq(walk(0x7000, RD, KS), 0);
    ck_assert_int_eq(out_prot, PAGE_READ);
    ck_assert_int_eq(walk(0x9000, EX, KS), 0);      /* supervisor page */
    env->cr[4] = CR4_PAE | CR4_SMAP;
    env->efer &= ~(uint64_t)EFER_NXE;
    ck_assert_int_eq(walk(0x7000, RD, KS), PF(X86_PF_P));
    ck_assert_int_eq(walk(0x7000, WR, KS), PF(X86_PF_P | X86_PF_W));
    /* AC set / implicit accesses use the mmu_idx without SMAP */
    ck_assert_int_eq(walk(0x7000, RD, KN), 0);
    ck_assert_int_eq(walk(0x7000, EX, KS), 0);      /* SMAP is not about fetches */
    ck_assert_int_eq(out_prot, PAGE_EXEC);
    ck_assert_int_eq(walk(0x9000, RD, KS), 0);      /* supervisor pages are fine */
    ck_assert_int_eq(walk(0x7000, RD, USR), 0);
}
END_TEST

START_TEST(test_mmu_index)
{
    env->hflags = 3;
    ck_assert_int_eq(x86_mmu_index(env), X86_MMU_USER);
    env->hflags = 0;
    ck_assert_int_eq(x86_mmu_index(env), X86_MMU_KNOSMAP);
    env->hflags = HF_SMAP_MASK;
    ck_assert_int_eq(x86_mmu_index(env), X86_MMU_KSMAP);
    env->hflags = HF_SMAP_MASK | HF_AC_MASK | 1;
    ck_assert_int_eq(x86_mmu_index(env), X86_MMU_KNOSMAP);
    ck_assert_int_eq(x86_tb_mmu_idx(HF_SMAP_MASK | 3), X86_MMU_USER);
}
END_TEST

static Suite *x86_mmu_suite(void)
{
    Suite *s = suite_create("x86_mmu");
    TCase *tc = tcase_create("walk");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_paging_off);
    tcase_add_test(tc, test_32bit_4k);
    tcase_add_test(tc, test_32bit_4m);
    tcase_add_test(tc, test_pae_2m);
    tcase_add_test(tc, test_pae_nx);
    tcase_add_test(tc, test_4level_4k_ad);
    tcase_add_test(tc, test_4level_large);
    tcase_add_test(tc, test_wp_and_us);
    tcase_add_test(tc, test_smep_smap);
    tcase_add_test(tc, test_mmu_index);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x86_mmu_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

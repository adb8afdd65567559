/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_x86_bpt.c — unit tests of the debug-register breakpoints
 * (cpu/x86/bpt_helper.c): the hflags bits DR7 selects (HF_IBP, HF_DBP, and HF_RF from
 * EFLAGS), which pages tlb_fill marks watched, the matching of data and I/O accesses
 * (length, alignment, overlap, read versus write, disabled breakpoints recorded without a
 * trap), the instruction-breakpoint and trap helpers, and MOV DR (aliases, #UD, general
 * detect, reserved bits, #GP in 64-bit mode). Faults are caught by a sigsetjmp on the
 * vCPU's jmp_env.
 * Not covered: the translator and the softmmu slow path (the debugregs guest and
 * kvm-unit-tests' debug test exercise those).
 */
#include "util/osdep.h"
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"
#include <check.h>

static X86CPU *env;

static void setup(void)
{
    env = xzalloc(sizeof(*env));
    env->parent.cc = &x86_cpu_class;
    env->a20_mask = ~0ull;
    env->old_exception = -1;
    env->cr[0] = CR0_PE;
    env->eflags = 2;
    env->dr[6] = DR6_FIXED_1;
    env->dr[7] = DR7_FIXED_1;
    x86_update_hflags(env);
}

static void teardown(void)
{
    free(env);
}

/* DR7 bits of breakpoint i: locally enabled, R/W rw, LEN len */
static uint64_t bp(int i, int rw, int len)
{
    return (1ull << (2 * i)) | ((uint64_t)rw << (16 + 4 * i)) | ((uint64_t)len << (18 + 4 * i));
}

/* Runs call; the vector it raised, or -1. */
#define RAISED(call)                                                                       \
    ({                                                                                     \
        CPUState *cs_ = &env->parent;                                                      \
        volatile int r_ = -1;                                                              \
        cs_->exception_index = -1;                                                         \
        if (sigsetjmp(cs_->jmp_env, 0) == 0) {                                             \
            call;                                                                          \
        } else {                                                                           \
            r_ = cs_->exception_index;                                                     \
        }                                                                                  \
        r_;                                                                                \
    })

START_TEST(test_hflags)
{
    ck_assert_uint_eq(env->hflags & (HF_IBP_MASK | HF_DBP_MASK | HF_RF_MASK), 0);
    env->dr[7] = DR7_FIXED_1 | bp(2, 0, 0);
    x86_update_hflags(env);
    ck_assert_uint_eq(env->hflags & (HF_IBP_MASK | HF_DBP_MASK), HF_IBP_MASK);
    env->dr[7] = DR7_FIXED_1 | bp(1, 1, 3);
    x86_update_hflags(env);
    ck_assert_uint_eq(env->hflags & (HF_IBP_MASK | HF_DBP_MASK), HF_DBP_MASK);
    env->dr[7] = DR7_FIXED_1 | (2ull << 2) | (3ull << 20) | bp(3, 0, 0);  /* G1 R/W, L3 exec */
    x86_update_hflags(env);
    ck_assert_uint_eq(env->hflags & (HF_IBP_MASK | HF_DBP_MASK), HF_IBP_MASK | HF_DBP_MASK);
    /* R/W and LEN without an enable bit select nothing */
    env->dr[7] = DR7_FIXED_1 | 0xffff0000ull;
    x86_update_hflags(env);
    ck_assert_uint_eq(env->hflags & (HF_IBP_MASK | HF_DBP_MASK), 0);
    env->eflags |= RF_MASK;
    x86_update_hflags(env);
    ck_assert_uint_eq(env->hflags & HF_RF_MASK, HF_RF_MASK);
}
END_TEST

START_TEST(test_tlb_prot)
{
    env->dr[0] = 0x12345ffeull;     /* LEN 4: aligned down to 0x12345ffc, same page */
    env->dr[1] = 0x23456000ull;
    env->dr[2] = 0x34567000ull;
    env->dr[7] = DR7_FIXED_1 | bp(0, 1, 3) | bp(1, 3, 0) | bp(2, 0, 0);
    ck_assert_int_eq(x86_bpt_tlb_prot(env, 0x12345000ull), PAGE_WATCH_WRITE);
    ck_assert_int_eq(x86_bpt_tlb_prot(env, 0x12346000ull), 0);
    ck_assert_int_eq(x86_bpt_tlb_prot(env, 0x23456abcull), PAGE_WATCH_WRITE | PAGE_WATCH_READ);
    /* an instruction breakpoint watches no data */
    ck_assert_int_eq(x86_bpt_tlb_prot(env, 0x34567000ull), 0);
    /* a disabled one neither */
    env->dr[7] &= ~3ull;
    ck_assert_int_eq(x86_bpt_tlb_prot(env, 0x12345000ull), 0);
}
END_TEST

static void do_access(uint64_t addr, unsigned size, MMUAccessType acc)
{
    x86_bpt_check_access(&env->parent, addr, size, acc);
}

START_TEST(test_data_match)
{
    env->dr[0] = 0x1000;                        /* LEN 4 write: 0x1000..0x1003 */
    env->dr[1] = 0x2003;                        /* LEN 2 read/write at an odd address: 0x2002..3 */
    env->dr[2] = 0x3000;                        /* LEN 8 write: 0x3000..0x3007 */
    env->dr[7] = DR7_FIXED_1 | bp(0, 1, 3) | bp(1, 3, 1) | bp(2, 1, 2);

    do_access(0x0ffc, 4, MMU_DATA_STORE);
    do_access(0x1004, 4, MMU_DATA_STORE);
    do_access(0x1000, 4, MMU_DATA_LOAD);           /* a read: DR0 is write-only */
    ck_assert_uint_eq(env->dbg_pending, 0);
    do_access(0x0ffe, 4, MMU_DATA_STORE);          /* misaligned, overlaps 2 bytes */
    ck_assert_uint_eq(env->dbg_pending, X86_DBG_TRAP | 1);
    env->dbg_pending = 0;
    do_access(0x2001, 1, MMU_DATA_LOAD);
    ck_assert_uint_eq(env->dbg_pending, 0);
    do_access(0x2002, 1, MMU_DATA_LOAD);           /* the aligned-down word */
    ck_assert_uint_eq(env->dbg_pending, X86_DBG_TRAP | 2);
    do_access(0x3007, 1, MMU_DATA_STORE);
    ck_assert_uint_eq(env->dbg_pending, X86_DBG_TRAP | 6);
    do_access(0x3008, 8, MMU_DATA_STORE);
    ck_assert_uint_eq(env->dbg_pending, X86_DBG_TRAP | 6);

    /* a disabled breakpoint is recorded, but no trap is due */
    env->dbg_pending = 0;
    env->dr[7] &= ~3ull;
    do_access(0x1000, 1, MMU_DATA_STORE);
    ck_assert_uint_eq(env->dbg_pending, 1);
    ck_assert_int_eq(RAISED(helper_bpt_trap(env, 0x42, 0, 0, 0)), -1);
    ck_assert_uint_eq(env->dbg_pending, 0);
}
END_TEST

START_TEST(test_io_match)
{
    env->dr[3] = 0x3f8;
    env->dr[7] = DR7_FIXED_1 | bp(3, 2, 3);     /* I/O, LEN 4: ports 0x3f8..0x3fb */
    x86_bpt_check_io(env, 0x3f8, 1);
    ck_assert_uint_eq(env->dbg_pending, 0);     /* CR4.DE clear: R/W 10 is undefined */
    env->cr[4] |= CR4_DE;
    x86_bpt_check_io(env, 0x3fc, 2);
    ck_assert_uint_eq(env->dbg_pending, 0);
    x86_bpt_check_io(env, 0x3fa, 2);
    ck_assert_uint_eq(env->dbg_pending, X86_DBG_TRAP | 8);
}
END_TEST

START_TEST(test_traps)
{
    env->eip = 0x100;
    env->insn_pc = 0x100;
    env->dr[6] = DR6_FIXED_1 | DR6_BS | 2;      /* BS and B1 left from before */
    env->dbg_pending = X86_DBG_TRAP | 1;
    ck_assert_int_eq(RAISED(helper_bpt_trap(env, 0x105, 0, 0, 0)), EXCP01_DB);
    ck_assert_uint_eq(env->eip, 0x105);         /* a trap: after the instruction */
    ck_assert_uint_eq(env->dr[6], DR6_FIXED_1 | DR6_BS | 1);
    ck_assert_uint_eq(env->dbg_pending, 0);

    /* a REP instruction with iterations left: on the instruction, RF set */
    env->dbg_pending = X86_DBG_TRAP | 4;
    ck_assert_int_eq(RAISED(helper_bpt_trap_rep(env, 0x100, 0, 0, 0)), EXCP01_DB);
    ck_assert_uint_eq(env->eip, 0x100);
    ck_assert_uint_eq(env->eflags & RF_MASK, RF_MASK);
    ck_assert_uint_eq(env->dr[6], DR6_FIXED_1 | DR6_BS | 4);
}
END_TEST

START_TEST(test_insn)
{
    env->dr[0] = 0x401000;
    env->dr[1] = 0x401000;
    env->dr[7] = DR7_FIXED_1 | bp(0, 0, 0);
    env->insn_pc = 0x401000;
    env->eip = 0x401003;
    ck_assert_int_eq(RAISED(helper_bpt_insn(env, 0x400fff, 0, 0, 0)), -1);
    ck_assert_int_eq(RAISED(helper_bpt_insn(env, 0x401000, 0, 0, 0)), EXCP01_DB);
    ck_assert_uint_eq(env->eip, 0x401000);      /* a fault: on the instruction */
    ck_assert_uint_eq(env->eflags & RF_MASK, 0);
    /* DR1 matched too (disabled, with the same condition): B0 and B1 */
    ck_assert_uint_eq(env->dr[6], DR6_FIXED_1 | 3);
    /* a data breakpoint at that address is no instruction breakpoint */
    env->dr[7] = DR7_FIXED_1 | bp(0, 3, 0);
    ck_assert_int_eq(RAISED(helper_bpt_insn(env, 0x401000, 0, 0, 0)), -1);
}
END_TEST

START_TEST(test_mov_dr)
{
    /* DR4/DR5 alias DR6/DR7 while CR4.DE is clear */
    x86_bpt_write_dr(env, 4, 0);
    ck_assert_uint_eq(env->dr[6], DR6_FIXED_1);
    x86_bpt_write_dr(env, 5, 0xffffffffull & ~(uint64_t)DR7_GD);
    ck_assert_uint_eq(x86_bpt_read_dr(env, 7), 0xffffdfffull & ~0xd800ull);
    ck_assert_uint_eq(env->hflags & (HF_IBP_MASK | HF_DBP_MASK), HF_DBP_MASK);  /* all R/W 11 */
    x86_bpt_write_dr(env, 7, 0);
    ck_assert_uint_eq(env->dr[7], DR7_FIXED_1);
    ck_assert_uint_eq(env->hflags & (HF_IBP_MASK | HF_DBP_MASK), 0);
    x86_bpt_write_dr(env, 6, 0xffffffffull);
    ck_assert_uint_eq(env->dr[6], 0xffffefffull);
    env->cr[4] |= CR4_DE;
    ck_assert_int_eq(RAISED(x86_bpt_read_dr(env, 4)), EXCP06_ILLOP);
    ck_assert_int_eq(RAISED(x86_bpt_write_dr(env, 5, 0)), EXCP06_ILLOP);
    /* bits 63:32 of DR6/DR7: #GP(0); DR0-DR3 hold 64-bit addresses */
    ck_assert_int_eq(RAISED(x86_bpt_write_dr(env, 7, 1ull << 32)), EXCP0D_GPF);
    ck_assert_int_eq(RAISED(x86_bpt_write_dr(env, 6, 1ull << 63)), EXCP0D_GPF);
    x86_bpt_write_dr(env, 2, 0xffff800000001234ull);
    ck_assert_uint_eq(x86_bpt_read_dr(env, 2), 0xffff800000001234ull);

    /* general detect: #DB fault, BD set, GD cleared, RF for the pushed image */
    env->dr[7] = DR7_FIXED_1 | DR7_GD;
    env->dr[6] = DR6_FIXED_1 | 1;
    env->insn_pc = 0x200;
    env->eip = 0x203;
    ck_assert_int_eq(RAISED(x86_bpt_read_dr(env, 0)), EXCP01_DB);
    ck_assert_uint_eq(env->eip, 0x200);
    ck_assert_uint_eq(env->dr[6], DR6_FIXED_1 | DR6_BD);
    ck_assert_uint_eq(env->dr[7], DR7_FIXED_1);
    ck_assert_uint_eq(env->eflags & RF_MASK, RF_MASK);
    ck_assert_uint_eq(x86_bpt_read_dr(env, 0), 0);
}
END_TEST

static Suite *x86_bpt_suite(void)
{
    Suite *s = suite_create("x86_bpt");
    TCase *tc = tcase_create("breakpoints");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_hflags);
    tcase_add_test(tc, test_tlb_prot);
    tcase_add_test(tc, test_data_match);
    tcase_add_test(tc, test_io_match);
    tcase_add_test(tc, test_traps);
    tcase_add_test(tc, test_insn);
    tcase_add_test(tc, test_mov_dr);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x86_bpt_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

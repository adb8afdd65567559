/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_x86_seg.c — unit tests of the segment checks of data accesses and branch
 * targets: the HF_SEGCHK bits that x86_update_hflags derives from the segment caches
 * (cpu/x86/cpu.c), and helper_check_seg / helper_check_eip (cpu/x86/seg_helper.c), whose
 * faults are caught by a sigsetjmp on the vCPU's jmp_env.
 *
 * Covers flat and non-flat segments in real, virtual-8086, protected and 64-bit modes,
 * expand-up and expand-down limits (B bit), null selectors, read-only data, code segments
 * (writes, execute-only reads), #SS for SS, offsets recovered from linear addresses with a
 * non-zero base, and the fault eip of branch and sequential CS limit violations.
 * Not covered: the translator's choice of accesses (the guests exercise that).
 */
#include "util/osdep.h"
#include "cpu/x86/cpu.h"
#include <check.h>

#define DATA_RW (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | DESC_B_MASK)
#define CODE_R  (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_B_MASK)

static X86CPU *env;

static void setup(void)
{
    env = xzalloc(sizeof(*env));
    env->parent.cc = &x86_cpu_class;
    env->a20_mask = ~0ull;
    env->old_exception = -1;    /* not delivering anything: no double fault */
}

static void teardown(void)
{
    free(env);
}

static void set_seg(int seg, uint32_t sel, uint64_t base, uint32_t limit, uint32_t flags)
{
    env->segs[seg] = (SegmentCache){ sel, limit, base, flags };
}

/* Flat 32-bit protected mode, as the Multiboot loader leaves it. */
static void flat_prot(void)
{
    env->cr[0] = CR0_PE;
    env->efer = 0;
    env->eflags = 2;
    for (int seg = 0; seg < 6; seg++) {
        set_seg(seg, 0x10, 0, 0xffffffffu, DATA_RW | DESC_G_MASK);
    }
    set_seg(X86_SEG_CS, 0x08, 0, 0xffffffffu, CODE_R | DESC_G_MASK);
    x86_update_hflags(env);
}

static unsigned segchk(void)
{
    x86_update_hflags(env);
    return (env->hflags & HF_SEGCHK_MASK) >> HF_SEGCHK_SHIFT;
}

/* Runs the check; returns the vector raised, or -1. */
static int check_seg(int seg, uint64_t lin, unsigned size, bool write)
{
    CPUState *cs = &env->parent;

    cs->exception_index = -1;
    if (sigsetjmp(cs->jmp_env, 0) == 0) {
        helper_check_seg(env, seg, lin, size, write);
        return -1;
    }
    ck_assert_int_eq(env->error_code, 0);
    return cs->exception_index;
}

static int check_eip(uint64_t eip, unsigned how, uint64_t ecx)
{
    CPUState *cs = &env->parent;

    cs->exception_index = -1;
    if (sigsetjmp(cs->jmp_env, 0) == 0) {
        helper_check_eip(env, eip, how, ecx, 0);
        return -1;
    }
    return cs->exception_index;
}

START_TEST(test_bits_flat)
{
    flat_prot();
    ck_assert_uint_eq(segchk(), 0);
    /* any base is still flat (HF_ADDSEG covers the base) */
    env->segs[X86_SEG_DS].base = 0x1000;
    ck_assert_uint_eq(segchk(), 0);
}
END_TEST

START_TEST(test_bits_prot)
{
    flat_prot();
    set_seg(X86_SEG_DS, 0, 0, 0, 0);                                        /* null */
    ck_assert_uint_eq(segchk(), 1u << X86_SEG_DS);
    flat_prot();
    set_seg(X86_SEG_ES, 0x50, 0, 0xffffffffu, DATA_RW & ~DESC_W_MASK);      /* read-only */
    set_seg(X86_SEG_FS, 0x58, 0, 0xfff, DATA_RW);                           /* small */
    set_seg(X86_SEG_SS, 0x60, 0, 0xffffffffu, DATA_RW | DESC_E_MASK);       /* expand-down */
    ck_assert_uint_eq(segchk(), (1u << X86_SEG_ES) | (1u << X86_SEG_FS) | (1u << X86_SEG_SS));
    flat_prot();
    set_seg(X86_SEG_CS, 0x68, 0, 0xffffffffu, CODE_R & ~DESC_R_MASK);       /* execute-only */
    set_seg(X86_SEG_GS, 0x70, 0, 0xffffffffu, CODE_R);                      /* code as data */
    ck_assert_uint_eq(segchk(), (1u << X86_SEG_CS) | (1u << X86_SEG_GS));
    flat_prot();
    set_seg(X86_SEG_CS, 0x68, 0, 0xfffff, CODE_R);                          /* CS limit */
    ck_assert_uint_eq(segchk(), 1u << X86_SEG_CS);
}
END_TEST

START_TEST(test_bits_other_modes)
{
    /* real mode after reset: 64 KiB limits everywhere; unreal FS is flat */
    env->cr[0] = 0;
    env->eflags = 2;
    for (int seg = 0; seg < 6; seg++) {
        set_seg(seg, 0, 0, 0xffff, DATA_RW);
    }
    ck_assert_uint_eq(segchk(), 0x3f);
    env->segs[X86_SEG_FS].limit = 0xffffffffu;
    env->segs[X86_SEG_FS].flags = DESC_P_MASK | DESC_S_MASK;   /* attributes do not count */
    ck_assert_uint_eq(segchk(), 0x3f & ~(1u << X86_SEG_FS));

    /* virtual-8086 mode */
    flat_prot();
    env->eflags = 2 | VM_MASK;
    for (int seg = 0; seg < 6; seg++) {
        set_seg(seg, 0x1234, 0x12340, 0xffff, DATA_RW | (3 << DESC_DPL_SHIFT));
    }
    ck_assert_uint_eq(segchk(), 0x3f);

    /* 64-bit code: nothing is checked, null selectors included; compatibility mode is */
    flat_prot();
    env->efer = EFER_LME | EFER_LMA;
    set_seg(X86_SEG_DS, 0, 0, 0, 0);
    set_seg(X86_SEG_CS, 0x08, 0, 0xffffffffu, CODE_R | DESC_L_MASK);
    env->segs[X86_SEG_CS].flags &= ~DESC_B_MASK;
    ck_assert_uint_eq(segchk(), 0);
    env->segs[X86_SEG_CS].flags = CODE_R;
    ck_assert_uint_eq(segchk(), 1u << X86_SEG_DS);
}
END_TEST

START_TEST(test_check_expand_up)
{
    flat_prot();
    set_seg(X86_SEG_FS, 0x58, 0x300000, 0xfff, DATA_RW);
    x86_update_hflags(env);
    ck_assert_int_eq(check_seg(X86_SEG_FS, 0x300ffc, 4, false), -1);
    ck_assert_int_eq(check_seg(X86_SEG_FS, 0x300ffc, 4, true), -1);
    ck_assert_int_eq(check_seg(X86_SEG_FS, 0x300ffd, 4, false), EXCP0D_GPF);
    ck_assert_int_eq(check_seg(X86_SEG_FS, 0x301000, 1, false), EXCP0D_GPF);
    /* offset 0xffffffff: the linear address wraps below the base */
    ck_assert_int_eq(check_seg(X86_SEG_FS, 0x2fffff, 1, false), EXCP0D_GPF);
    /* the same limit on SS gives #SS */
    set_seg(X86_SEG_SS, 0x60, 0x300000, 0xfff, DATA_RW);
    x86_update_hflags(env);
    ck_assert_int_eq(check_seg(X86_SEG_SS, 0x300ffe, 4, true), EXCP0C_STACK);
    ck_assert_int_eq(check_seg(X86_SEG_SS, 0x300ff8, 4, true), -1);
}
END_TEST

START_TEST(test_check_expand_down)
{
    flat_prot();
    set_seg(X86_SEG_GS, 0x58, 0, 0xfff, DATA_RW | DESC_E_MASK);             /* B=1 */
    set_seg(X86_SEG_ES, 0x60, 0x10000, 0xfff, (DATA_RW | DESC_E_MASK) & ~DESC_B_MASK);
    x86_update_hflags(env);
    ck_assert_int_eq(check_seg(X86_SEG_GS, 0xfff, 1, false), EXCP0D_GPF);
    ck_assert_int_eq(check_seg(X86_SEG_GS, 0xffe, 4, false), EXCP0D_GPF);
    ck_assert_int_eq(check_seg(X86_SEG_GS, 0x1000, 4, true), -1);
    ck_assert_int_eq(check_seg(X86_SEG_GS, 0xfffffffc, 4, false), -1);
    ck_assert_int_eq(check_seg(X86_SEG_GS, 0xfffffffe, 4, false), EXCP0D_GPF);
    ck_assert_int_eq(check_seg(X86_SEG_ES, 0x10000 + 0xfffc, 4, false), -1);
    ck_assert_int_eq(check_seg(X86_SEG_ES, 0x10000 + 0xfffe, 4, false), EXCP0D_GPF);
    ck_assert_int_eq(check_seg(X86_SEG_ES, 0x10000 + 0x10000, 1, false), EXCP0D_GPF);
}
END_TEST

START_TEST(test_check_rights)
{
    flat_prot();
    set_seg(X86_SEG_DS, 0, 0, 0, 0);
    set_seg(X86_SEG_ES, 0x50, 0, 0xffffffffu, DATA_RW & ~DESC_W_MASK);
    set_seg(X86_SEG_FS, 0x58, 0, 0xffffffffu, CODE_R);
    set_seg(X86_SEG_CS, 0x68, 0, 0xffffffffu, CODE_R & ~DESC_R_MASK);
    x86_update_hflags(env);
    ck_assert_int_eq(check_seg(X86_SEG_DS, 0x1000, 1, false), EXCP0D_GPF);
    ck_assert_int_eq(check_seg(X86_SEG_ES, 0x1000, 4, false), -1);
    ck_assert_int_eq(check_seg(X86_SEG_ES, 0x1000, 4, true), EXCP0D_GPF);
    ck_assert_int_eq(check_seg(X86_SEG_FS, 0x1000, 4, false), -1);
    ck_assert_int_eq(check_seg(X86_SEG_FS, 0x1000, 4, true), EXCP0D_GPF);
    ck_assert_int_eq(check_seg(X86_SEG_CS, 0x1000, 4, false), EXCP0D_GPF);
    /* writes through a readable flat CS are checked too (the translator always asks) */
    set_seg(X86_SEG_CS, 0x08, 0, 0xffffffffu, CODE_R);
    x86_update_hflags(env);
    ck_assert_int_eq(check_seg(X86_SEG_CS, 0x1000, 4, true), EXCP0D_GPF);
}
END_TEST

START_TEST(test_check_real)
{
    env->cr[0] = 0;
    env->eflags = 2;
    for (int seg = 0; seg < 6; seg++) {
        set_seg(seg, 0x1000, 0x10000, 0xffff, DESC_P_MASK | DESC_S_MASK);   /* read-only */
    }
    x86_update_hflags(env);
    /* attributes are ignored, the limit counts: a word at 0xffff straddles it */
    ck_assert_int_eq(check_seg(X86_SEG_DS, 0x10000 + 0xfffe, 2, true), -1);
    ck_assert_int_eq(check_seg(X86_SEG_DS, 0x10000 + 0xffff, 2, true), EXCP0D_GPF);
    ck_assert_int_eq(check_seg(X86_SEG_SS, 0x10000 + 0xffff, 2, false), EXCP0C_STACK);
    ck_assert_int_eq(check_seg(X86_SEG_ES, 0x10000 + 0x10000, 1, false), EXCP0D_GPF);
}
END_TEST

START_TEST(test_check_eip)
{
    flat_prot();
    set_seg(X86_SEG_CS, 0x68, 0, 0xfff, CODE_R);
    x86_update_hflags(env);
    env->eip = 0x500;
    env->insn_pc = 0x100;
    ck_assert_int_eq(check_eip(0xfff, X86_EIPCHK_BRANCH, 0), -1);
    ck_assert_int_eq(env->eip, 0x500);
    /* a branch faults at the branch */
    ck_assert_int_eq(check_eip(0x1000, X86_EIPCHK_BRANCH, 0), EXCP0D_GPF);
    ck_assert_int_eq(env->eip, 0x100);
    /* sequential flow faults at the new eip */
    env->insn_pc = 0xffe;
    ck_assert_int_eq(check_eip(0x1000, X86_EIPCHK_SEQ, 0), EXCP0D_GPF);
    ck_assert_int_eq(env->eip, 0x1000);
    /* LOOP gets its ECX back */
    env->insn_pc = 0x200;
    env->regs[R_ECX] = 4;
    ck_assert_int_eq(check_eip(0x2000, X86_EIPCHK_BRANCH | X86_EIPCHK_ECX, 5), EXCP0D_GPF);
    ck_assert_int_eq(env->regs[R_ECX], 5);
    ck_assert_int_eq(env->eip, 0x200);
}
END_TEST

static Suite *x86_seg_suite(void)
{
    Suite *s = suite_create("x86_seg");
    TCase *tc = tcase_create("checks");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bits_flat);
    tcase_add_test(tc, test_bits_prot);
    tcase_add_test(tc, test_bits_other_modes);
    tcase_add_test(tc, test_check_expand_up);
    tcase_add_test(tc, test_check_expand_down);
    tcase_add_test(tc, test_check_rights);
    tcase_add_test(tc, test_check_real);
    tcase_add_test(tc, test_check_eip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x86_seg_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

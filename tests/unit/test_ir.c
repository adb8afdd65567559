/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_ir.c — tcg-lite IR: builder, interpreter and optimiser.
 *
 * Blocks are built with the builder and run by the interpreter on a fake env (globals,
 * a temp frame, an exit_request flag and a softmmu TLB whose entries point into a host
 * buffer that plays guest RAM; the slow paths record their calls). Every op is checked
 * against hand-computed values; random blocks are run unoptimised, optimised and on a
 * naive reference interpreter over the IROp list, and must agree.
 * Not covered here: accel/tcg's TB cache and the x86 front end.
 */
#include "tcg-lite/ir-internal.h"
#include "tcg-lite/softmmu.h"
#include <check.h>
#include <setjmp.h>
#include <unistd.h>

#define NB_REGS 16
#define RAM_BASE 0x10000ull
#define RAM_PAGES 16
#define RAM_SIZE (RAM_PAGES * 4096)
#define PAGE_RO 12          /* readable, writes take the slow path */
#define PAGE_FIRST_UNMAPPED 13

typedef struct FakeEnv {
    uint64_t regs[NB_REGS];
    uint64_t insn_pc;
    int32_t exit_request;
    int32_t pad;
    uint8_t bytes[64];
    TLBEntry tlb[IR_NB_MMU_MODES][IR_TLB_SIZE];
    uint64_t frame[IR_MAX_TEMPS];
} FakeEnv;

static IRVal G[NB_REGS];
static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static FakeEnv *env;
static IRBuilder *b;

/* Slow-path bookkeeping. */
static int ld_slow_calls, st_slow_calls;
static uint64_t slow_addr, slow_val, slow_pc;
static unsigned slow_memop, slow_mmu;
static jmp_buf fault_jmp;

/* ---- fake guest RAM and softmmu ---- */

static bool ram_range(uint64_t addr, unsigned size, size_t *off)
{
    if (addr < RAM_BASE || addr - RAM_BASE > RAM_SIZE - size) {
        return false;
    }
    *off = addr - RAM_BASE;
    return true;
}

static uint64_t ram_read(uint64_t addr, unsigned size)
{
    size_t off;
    uint64_t v = 0;

    if (ram_range(addr, size, &off)) {
        memcpy(&v, &ram[off], size);
    }
    return v;
}

static void ram_write(uint64_t addr, uint64_t v, unsigned size)
{
    size_t off;

    if (ram_range(addr, size, &off)) {
        memcpy(&ram[off], &v, size);
    }
}

static uint64_t fake_ld_slow(void *e, uint64_t addr, unsigned memop, unsigned mmu_idx)
{
    ld_slow_calls++;
    slow_addr = addr;
    slow_memop = memop;
    slow_mmu = mmu_idx;
    slow_pc = ((FakeEnv *)e)->insn_pc;
    /* Raw little-endian bytes, zero-extended: the backend applies the memop's sign. */
    return ram_read(addr, memop_size(memop));
}

static void fake_st_slow(void *e, uint64_t addr, uint64_t val, unsigned memop, unsigned mmu_idx)
{
    st_slow_calls++;
    slow_addr = addr;
    slow_val = val;
    slow_memop = memop;
    slow_mmu = mmu_idx;
    slow_pc = ((FakeEnv *)e)->insn_pc;
    ram_write(addr, val, memop_size(memop));
}

static uint64_t faulting_ld_slow(void *e, uint64_t addr, unsigned memop, unsigned mmu_idx)
{
    ld_slow_calls++;
    slow_addr = addr;
    longjmp(fault_jmp, 1);
}

static void tlb_setup(FakeEnv *e)
{
    unsigned p;

    memset(e->tlb, 0xff, sizeof(e->tlb));
    for (p = 0; p < PAGE_FIRST_UNMAPPED; p++) {
        uint64_t va = RAM_BASE + (uint64_t)p * 4096;
        TLBEntry *te = &e->tlb[0][tlb_index(va)];
        te->addr_read = va;
        te->addr_write = p == PAGE_RO ? (va | TLB_CODE) : va;
        te->addr_code = va;
        te->addend = (uintptr_t)&ram[p * 4096] - va;
    }
}

static void setup(void)
{
    env = calloc(1, sizeof(*env));
    tlb_setup(env);
    memset(ram, 0, sizeof(ram));
    ld_slow_calls = st_slow_calls = 0;
    b = ir_builder_new();
}

static void teardown(void)
{
    ir_builder_free(b);
    free(env);
    env = NULL;
}

/* Compile the builder's block (optionally optimised), run it, return the exit value. */
static unsigned run_block(bool opt)
{
    IRCode *code;
    uintptr_t r;

    if (opt) {
        ir_optimize(b);
    }
    code = ir_compile(b, NULL);
    r = ir_exec(env, code);
    ck_assert_ptr_eq(IR_EXIT_CODE(r), code);
    ir_code_free(code);
    return IR_EXIT_VALUE(r);
}

/* ---- single ops ---- */

typedef struct BinCase {
    IROpcode opc;
    uint64_t a, b, r;
} BinCase;

static const BinCase bin_cases[] = {
    { IR_add, 5, 7, 12 },
    { IR_add, ~0ull, 2, 1 },
    { IR_sub, 3, 5, 0xfffffffffffffffeull },
    { IR_sub, 0x8000000000000000ull, 1, 0x7fffffffffffffffull },
    { IR_mul, 0x100000001ull, 3, 0x300000003ull },
    { IR_mul, 0x8000000000000000ull, 2, 0 },
    { IR_mul, ~0ull, ~0ull, 1 },
    { IR_and, 0xff0full, 0x0ff0ull, 0x0f00ull },
    { IR_or, 0xff00ull, 0x00f0ull, 0xfff0ull },
    { IR_xor, 0xff0full, 0x0ff0ull, 0xf0ffull },
    { IR_andc, 0xff0full, 0x0ff0ull, 0xf00full },
    { IR_shl, 1, 63, 0x8000000000000000ull },
    { IR_shl, 0x1234, 0, 0x1234 },
    { IR_shl, 1, 64, 1 },                       /* count modulo 64 */
    { IR_shl, 3, 65, 6 },
    { IR_shr, 0x8000000000000000ull, 63, 1 },
    { IR_shr, 0x8000000000000000ull, 0, 0x8000000000000000ull },
    { IR_shr, 0x10, 68, 1 },
    { IR_sar, 0x8000000000000000ull, 63, ~0ull },
    { IR_sar, 0x8000000000000000ull, 0, 0x8000000000000000ull },
    { IR_sar, 0x8000000000000000ull, 4, 0xf800000000000000ull },
    { IR_sar, 0x4000000000000000ull, 62, 1 },
    { IR_sar, 0xf0, 64 + 4, 0xf },
    { IR_rotl, 0x8000000000000001ull, 1, 3 },
    { IR_rotl, 0x123, 0, 0x123 },
    { IR_rotl, 0x123, 64, 0x123 },
    { IR_rotl, 0x123, 63, 0x8000000000000091ull },
    { IR_rotl, 0x0123456789abcdefull, 8, 0x23456789abcdef01ull },
    { IR_rotr, 1, 1, 0x8000000000000000ull },
    { IR_rotr, 1, 63, 2 },
    { IR_rotr, 0x123, 0, 0x123 },
    { IR_rotr, 0x0123456789abcdefull, 8, 0xef0123456789abcdull },
};

START_TEST(test_binary_ops)
{
    unsigned i, form;
    int opt;

    for (i = 0; i < ARRAY_SIZE(bin_cases); i++) {
        const BinCase *c = &bin_cases[i];
        for (form = 0; form < 4; form++) {
            for (opt = 0; opt < 2; opt++) {
                IRVal x, y, t = 0;
                ir_begin(b);
                env->regs[0] = c->a;
                env->regs[1] = c->b;
                env->regs[2] = 0xdead;
                x = (form & 1) ? ir_const(b, c->a) : G[0];
                y = (form & 2) ? ir_const(b, c->b) : G[1];
                if (opt) {
                    /* through a temp, so that there is something to optimise */
                    t = ir_temp(b);
                    ir_op3(b, c->opc, t, x, y);
                    ir_mov(b, G[2], t);
                } else {
                    ir_op3(b, c->opc, G[2], x, y);
                }
                ir_exit_tb(b, IR_EXIT_NOCHAIN);
                ck_assert_uint_eq(run_block(opt), IR_EXIT_NOCHAIN);
                if (env->regs[2] != c->r) {
                    ck_abort_msg("%s(%#" PRIx64 ", %#" PRIx64 ") form %u opt %d = %#" PRIx64
                                 ", want %#" PRIx64, ir_op_defs[c->opc].name, c->a, c->b,
                                 form, opt, env->regs[2], c->r);
                }
                ck_assert_uint_eq(env->regs[0], c->a);
                ck_assert_uint_eq(env->regs[1], c->b);
                ck_assert_uint_eq(ir_eval_int(c->opc, c->a, c->b), c->r);
            }
        }
    }
}
END_TEST

START_TEST(test_binary_same_operand)
{
    /* d = a op a, with d also the input. */
    env->regs[0] = 0x1234;
    env->regs[1] = 0x1234;
    env->regs[2] = 0x1234;
    env->regs[3] = 0x1234;
    ir_sub(b, G[0], G[0], G[0]);
    ir_xor(b, G[1], G[1], G[1]);
    ir_add(b, G[2], G[2], G[2]);
    ir_op3(b, IR_andc, G[3], G[3], G[3]);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(_i);
    ck_assert_uint_eq(env->regs[0], 0);
    ck_assert_uint_eq(env->regs[1], 0);
    ck_assert_uint_eq(env->regs[2], 0x2468);
    ck_assert_uint_eq(env->regs[3], 0);
}
END_TEST

typedef struct UnCase {
    IROpcode opc;
    uint64_t a, r;
} UnCase;

static const UnCase un_cases[] = {
    { IR_not, 0, ~0ull },
    { IR_not, 0x00ff00ff00ff00ffull, 0xff00ff00ff00ff00ull },
    { IR_neg, 0, 0 },
    { IR_neg, 1, ~0ull },
    { IR_neg, 0x8000000000000000ull, 0x8000000000000000ull },
    { IR_ext8s, 0x80, 0xffffffffffffff80ull },
    { IR_ext8s, 0x17f, 0x7f },
    { IR_ext8u, 0xffffffffffffffffull, 0xff },
    { IR_ext16s, 0x8000, 0xffffffffffff8000ull },
    { IR_ext16s, 0x12347fff, 0x7fff },
    { IR_ext16u, 0xffffffff8001ull, 0x8001 },
    { IR_ext32s, 0x80000000ull, 0xffffffff80000000ull },
    { IR_ext32s, 0xffffffff7fffffffull, 0x7fffffff },
    { IR_ext32u, 0xffffffff12345678ull, 0x12345678 },
    { IR_bswap16, 0xffff1234ull, 0x3412 },
    { IR_bswap32, 0xff12345678ull, 0x78563412 },
    { IR_bswap64, 0x0102030405060708ull, 0x0807060504030201ull },
};

START_TEST(test_unary_ops)
{
    unsigned i;
    int form;

    for (i = 0; i < ARRAY_SIZE(un_cases); i++) {
        const UnCase *c = &un_cases[i];
        for (form = 0; form < 3; form++) {
            ir_begin(b);
            env->regs[0] = c->a;
            env->regs[1] = 0xdead;
            ir_op2(b, c->opc, G[1], form == 1 ? ir_const(b, c->a) : G[0]);
            ir_exit_tb(b, IR_EXIT_NOCHAIN);
            run_block(form == 2);
            if (env->regs[1] != c->r) {
                ck_abort_msg("%s(%#" PRIx64 ") form %d = %#" PRIx64 ", want %#" PRIx64,
                             ir_op_defs[c->opc].name, c->a, form, env->regs[1], c->r);
            }
        }
    }
}
END_TEST

START_TEST(test_mov_movi)
{
    IRVal t = ir_temp(b);

    env->regs[0] = 0x1111;
    ir_movi(b, G[1], 0xfedcba9876543210ull);
    ir_mov(b, t, G[0]);
    ir_mov(b, G[2], t);
    ir_mov(b, G[3], ir_const(b, 0x77));     /* constant input to mov */
    ir_mov(b, G[4], G[4]);                  /* self move */
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    env->regs[4] = 0x4444;
    run_block(_i);
    ck_assert_uint_eq(env->regs[1], 0xfedcba9876543210ull);
    ck_assert_uint_eq(env->regs[2], 0x1111);
    ck_assert_uint_eq(env->regs[3], 0x77);
    ck_assert_uint_eq(env->regs[4], 0x4444);
}
END_TEST

/* Operand pairs and the expected result of every condition on them. */
static const uint64_t cond_pairs[][2] = {
    { 1, 2 }, { 2, 1 }, { 2, 2 }, { ~0ull, 1 }, { 0xf0, 0x0f },
};
static const uint8_t cond_expect[14][5] = {
    [IR_COND_NEVER] = { 0, 0, 0, 0, 0 },
    [IR_COND_ALWAYS] = { 1, 1, 1, 1, 1 },
    [IR_COND_EQ] = { 0, 0, 1, 0, 0 },
    [IR_COND_NE] = { 1, 1, 0, 1, 1 },
    [IR_COND_LT] = { 1, 0, 0, 1, 0 },
    [IR_COND_GE] = { 0, 1, 1, 0, 1 },
    [IR_COND_LE] = { 1, 0, 1, 1, 0 },
    [IR_COND_GT] = { 0, 1, 0, 0, 1 },
    [IR_COND_LTU] = { 1, 0, 0, 0, 0 },
    [IR_COND_GEU] = { 0, 1, 1, 1, 1 },
    [IR_COND_LEU] = { 1, 0, 1, 0, 0 },
    [IR_COND_GTU] = { 0, 1, 0, 1, 1 },
    [IR_COND_TSTEQ] = { 1, 1, 0, 0, 1 },
    [IR_COND_TSTNE] = { 0, 0, 1, 1, 0 },
};

START_TEST(test_cond_eval)
{
    int c;
    unsigned p;

    for (c = IR_COND_NEVER; c <= IR_COND_TSTNE; c++) {
        for (p = 0; p < ARRAY_SIZE(cond_pairs); p++) {
            uint64_t x = cond_pairs[p][0], y = cond_pairs[p][1];
            ck_assert_int_eq(ir_cond_eval(c, x, y), cond_expect[c][p]);
            ck_assert_int_eq(ir_cond_eval(ir_cond_invert(c), x, y), !cond_expect[c][p]);
            ck_assert_int_eq(ir_cond_eval(ir_cond_swap(c), y, x), cond_expect[c][p]);
        }
        ck_assert_int_eq(ir_cond_invert(ir_cond_invert(c)), c);
    }
}
END_TEST

START_TEST(test_setcond_all)
{
    int c, form, opt;
    unsigned p;

    for (c = IR_COND_NEVER; c <= IR_COND_TSTNE; c++) {
        for (p = 0; p < ARRAY_SIZE(cond_pairs); p++) {
            for (form = 0; form < 4; form++) {
                for (opt = 0; opt < 2; opt++) {
                    uint64_t x = cond_pairs[p][0], y = cond_pairs[p][1];
                    ir_begin(b);
                    env->regs[0] = x;
                    env->regs[1] = y;
                    env->regs[2] = 0xdead;
                    ir_setcond(b, c, G[2], (form & 1) ? ir_const(b, x) : G[0],
                               (form & 2) ? ir_const(b, y) : G[1]);
                    ir_exit_tb(b, IR_EXIT_NOCHAIN);
                    run_block(opt);
                    if (env->regs[2] != cond_expect[c][p]) {
                        ck_abort_msg("setcond %d (%#" PRIx64 ", %#" PRIx64 ") form %d = %" PRIu64,
                                     c, x, y, form, env->regs[2]);
                    }
                }
            }
        }
    }
}
END_TEST

START_TEST(test_brcond_all)
{
    int c, form, opt;
    unsigned p;

    for (c = IR_COND_NEVER; c <= IR_COND_TSTNE; c++) {
        for (p = 0; p < ARRAY_SIZE(cond_pairs) + 1; p++) {
            for (form = 0; form < 4; form++) {
                for (opt = 0; opt < 2; opt++) {
                    /* The extra pair has a constant that does not fit 32 bits. */
                    uint64_t x = p < ARRAY_SIZE(cond_pairs) ? cond_pairs[p][0] : 0x100000000ull;
                    uint64_t y = p < ARRAY_SIZE(cond_pairs) ? cond_pairs[p][1] : 0x100000001ull;
                    bool want = ir_cond_eval(c, x, y);
                    IRLabel l1, l2;

                    if (p < ARRAY_SIZE(cond_pairs)) {
                        ck_assert_int_eq(want, cond_expect[c][p]);
                    }
                    ir_begin(b);
                    l1 = ir_new_label(b);
                    l2 = ir_new_label(b);
                    env->regs[0] = x;
                    env->regs[1] = y;
                    env->regs[2] = 0;
                    ir_brcond(b, c, (form & 1) ? ir_const(b, x) : G[0],
                              (form & 2) ? ir_const(b, y) : G[1], l1);
                    ir_movi(b, G[2], 7);
                    ir_br(b, l2);
                    ir_set_label(b, l1);
                    ir_movi(b, G[2], 9);
                    ir_set_label(b, l2);
                    ir_exit_tb(b, 5);
                    ck_assert_uint_eq(run_block(opt), 5);
                    if (env->regs[2] != (want ? 9u : 7u)) {
                        ck_abort_msg("brcond %d (%#" PRIx64 ", %#" PRIx64 ") form %d opt %d: %"
                                     PRIu64, c, x, y, form, opt, env->regs[2]);
                    }
                }
            }
        }
    }
}
END_TEST

START_TEST(test_movcond_all)
{
    int c, form;
    unsigned p;

    for (c = IR_COND_NEVER; c <= IR_COND_TSTNE; c++) {
        for (p = 0; p < ARRAY_SIZE(cond_pairs); p++) {
            for (form = 0; form < 4; form++) {
                uint64_t x = cond_pairs[p][0], y = cond_pairs[p][1];
                ir_begin(b);
                env->regs[0] = x;
                env->regs[1] = y;
                env->regs[2] = 0x1111111111111111ull;
                env->regs[3] = 0x2222222222222222ull;
                env->regs[4] = 0xdead;
                ir_movcond(b, c, G[4], (form & 1) ? ir_const(b, x) : G[0], G[1],
                           (form & 2) ? ir_const(b, 0x1111111111111111ull) : G[2],
                           (form & 2) ? ir_const(b, 0x2222222222222222ull) : G[3]);
                ir_exit_tb(b, IR_EXIT_NOCHAIN);
                run_block(form == 3);
                ck_assert_uint_eq(env->regs[4], cond_expect[c][p] ? 0x1111111111111111ull
                                                                  : 0x2222222222222222ull);
            }
        }
    }
}
END_TEST

START_TEST(test_mul2)
{
    static const struct {
        IROpcode opc;
        uint64_t a, b, lo, hi;
    } cases[] = {
        { IR_mulu2, ~0ull, ~0ull, 1, 0xfffffffffffffffeull },
        { IR_muls2, ~0ull, ~0ull, 1, 0 },
        { IR_muls2, (uint64_t)-2, 3, (uint64_t)-6, ~0ull },
        { IR_mulu2, (uint64_t)-2, 3, (uint64_t)-6, 2 },
        { IR_muls2, 0x8000000000000000ull, 0x8000000000000000ull, 0, 0x4000000000000000ull },
        { IR_mulu2, 0x8000000000000000ull, 0x8000000000000000ull, 0, 0x4000000000000000ull },
        { IR_muls2, 0x7fffffffffffffffull, (uint64_t)-1, 0x8000000000000001ull, ~0ull },
        { IR_mulu2, 0x100000000ull, 0x100000000ull, 0, 1 },
        { IR_muls2, 12345, 0, 0, 0 },
    };
    unsigned i;
    int form;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        for (form = 0; form < 4; form++) {
            IRVal lo, hi;
            ir_begin(b);
            lo = ir_temp(b);
            hi = ir_temp(b);
            env->regs[0] = cases[i].a;
            env->regs[1] = cases[i].b;
            ir_mul2(b, cases[i].opc, lo, hi, (form & 1) ? ir_const(b, cases[i].a) : G[0],
                    (form & 2) ? ir_const(b, cases[i].b) : G[1]);
            ir_mov(b, G[2], lo);
            ir_mov(b, G[3], hi);
            ir_exit_tb(b, IR_EXIT_NOCHAIN);
            run_block(form == 1);
            ck_assert_uint_eq(env->regs[2], cases[i].lo);
            ck_assert_uint_eq(env->regs[3], cases[i].hi);
        }
    }
}
END_TEST

/* ---- control flow ---- */

START_TEST(test_loop_sum)
{
    /* r0 = sum 1..100 with temps for the counter and the accumulator. */
    IRVal i = ir_temp(b), acc = ir_temp(b);
    IRLabel top = ir_new_label(b);

    ir_movi(b, i, 100);
    ir_movi(b, acc, 0);
    ir_set_label(b, top);
    ir_add(b, acc, acc, i);
    ir_sub(b, i, i, ir_const(b, 1));
    ir_brcond(b, IR_COND_NE, i, ir_const(b, 0), top);
    ir_mov(b, G[0], acc);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(_i);
    ck_assert_uint_eq(env->regs[0], 5050);
}
END_TEST

START_TEST(test_loop_temp_lifetimes)
{
    /*
     * A temp set before a loop and read only early in the loop body must survive the
     * back edge even though later temps in the body are short-lived (slot sharing).
     */
    IRVal k = ir_temp(b), n = ir_temp(b), acc = ir_temp(b);
    IRLabel top = ir_new_label(b);
    int j;

    ir_movi(b, k, 3);
    ir_movi(b, n, 10);
    ir_movi(b, acc, 0);
    ir_set_label(b, top);
    ir_add(b, acc, acc, k);              /* last textual use of k */
    for (j = 0; j < 20; j++) {           /* short-lived temps after it */
        IRVal t = ir_temp(b);
        ir_movi(b, t, 1000 + j);
        ir_add(b, G[1], G[1], t);
    }
    ir_sub(b, n, n, ir_const(b, 1));
    ir_brcond(b, IR_COND_NE, n, ir_const(b, 0), top);
    ir_mov(b, G[0], acc);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    env->regs[1] = 0;
    run_block(_i);
    ck_assert_uint_eq(env->regs[0], 30);
    ck_assert_uint_eq(env->regs[1], 10 * (20 * 1000 + 190));
}
END_TEST

START_TEST(test_nested_loops)
{
    IRVal i = ir_temp(b), j = ir_temp(b);
    IRLabel outer = ir_new_label(b), inner = ir_new_label(b), skip = ir_new_label(b);

    /* for i in 0..9: for j in 0..i-1: r0 += j; if (i & 1) r1++ */
    ir_movi(b, i, 0);
    ir_set_label(b, outer);
    ir_movi(b, j, 0);
    ir_brcond(b, IR_COND_GEU, j, i, skip);
    ir_set_label(b, inner);
    ir_add(b, G[0], G[0], j);
    ir_add(b, j, j, ir_const(b, 1));
    ir_brcond(b, IR_COND_LTU, j, i, inner);
    ir_set_label(b, skip);
    {
        IRVal t = ir_temp(b);
        ir_and(b, t, i, ir_const(b, 1));
        ir_add(b, G[1], G[1], t);
    }
    ir_add(b, i, i, ir_const(b, 1));
    ir_brcond(b, IR_COND_LT, i, ir_const(b, 10), outer);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(_i);
    /* sum over i of i(i-1)/2 = 0+0+1+3+6+10+15+21+28+36 */
    ck_assert_uint_eq(env->regs[0], 120);
    ck_assert_uint_eq(env->regs[1], 5);
}
END_TEST

START_TEST(test_early_exit)
{
    IRLabel l = ir_new_label(b);

    env->regs[0] = _i;
    ir_brcond(b, IR_COND_EQ, G[0], ir_const(b, 0), l);
    ir_movi(b, G[1], 1);
    ir_exit_tb(b, 4);
    ir_set_label(b, l);
    ir_movi(b, G[1], 2);
    ir_exit_tb(b, 6);
    ck_assert_uint_eq(run_block(false), _i ? 4 : 6);
    ck_assert_uint_eq(env->regs[1], _i ? 1 : 2);
}
END_TEST

START_TEST(test_fall_off_end)
{
    /* A block without a final exit leaves like exit_tb(IR_EXIT_NOCHAIN); a label at
     * the very end is a valid target. */
    IRLabel l = ir_new_label(b);

    ir_movi(b, G[0], 5);
    ir_br(b, l);
    ir_movi(b, G[0], 6);
    ir_set_label(b, l);
    ck_assert_uint_eq(run_block(false), IR_EXIT_NOCHAIN);
    ck_assert_uint_eq(env->regs[0], 5);
}
END_TEST

START_TEST(test_exit_values)
{
    unsigned v;

    for (v = 0; v < 8; v++) {
        IRCode *code;
        uintptr_t r;
        int cookie;

        ir_begin(b);
        ir_movi(b, G[0], v);
        ir_exit_tb(b, v);
        code = ir_compile(b, &cookie);
        ck_assert_ptr_eq(ir_code_opaque(code), &cookie);
        ck_assert_uint_eq((uintptr_t)code & 7, 0);
        ck_assert_uint_ge(ir_code_size(code), 32);
        r = ir_exec(env, code);
        ck_assert_ptr_eq(IR_EXIT_CODE(r), code);
        ck_assert_uint_eq(IR_EXIT_VALUE(r), v);
        ck_assert_uint_eq(env->regs[0], v);
        ir_code_free(code);
    }
}
END_TEST

START_TEST(test_insn_start)
{
    ir_insn_start(b, 0x401000);
    ir_movi(b, G[0], 1);
    ir_insn_start(b, 0xffffffff80001234ull);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(false);
    ck_assert_uint_eq(env->insn_pc, 0xffffffff80001234ull);
}
END_TEST

/* ---- env access ---- */

START_TEST(test_ld_st_env)
{
    ptrdiff_t o = offsetof(FakeEnv, bytes);
    int opt = _i;

    env->regs[0] = 0x8182838485868788ull;
    ir_st_env(b, G[0], o + 0, MO_64);
    ir_st_env(b, G[0], o + 8, MO_32);
    ir_st_env(b, G[0], o + 16, MO_16);
    ir_st_env(b, G[0], o + 24, MO_8);
    ir_st_env(b, ir_const(b, 0x55aa), o + 32, MO_16);   /* constant value */
    ir_ld_env(b, G[1], o + 0, MO_64);
    ir_ld_env(b, G[2], o + 8, MO_32);
    ir_ld_env(b, G[3], o + 8, MO_SL);
    ir_ld_env(b, G[4], o + 16, MO_16);
    ir_ld_env(b, G[5], o + 16, MO_SW);
    ir_ld_env(b, G[6], o + 24, MO_8);
    ir_ld_env(b, G[7], o + 24, MO_SB);
    ir_ld_env(b, G[8], o + 1, MO_16);                   /* unaligned */
    ir_ld_env(b, G[9], o + 32, MO_SW);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    memset(env->bytes, 0xcc, sizeof(env->bytes));
    run_block(opt);
    ck_assert_uint_eq(env->regs[1], 0x8182838485868788ull);
    ck_assert_uint_eq(env->regs[2], 0x85868788ull);
    ck_assert_uint_eq(env->regs[3], 0xffffffff85868788ull);
    ck_assert_uint_eq(env->regs[4], 0x8788);
    ck_assert_uint_eq(env->regs[5], 0xffffffffffff8788ull);
    ck_assert_uint_eq(env->regs[6], 0x88);
    ck_assert_uint_eq(env->regs[7], 0xffffffffffffff88ull);
    ck_assert_uint_eq(env->regs[8], 0x8687);
    ck_assert_uint_eq(env->regs[9], 0x55aa);
    ck_assert_uint_eq(env->bytes[12], 0xcc);           /* MO_32 wrote 4 bytes only */
    ck_assert_uint_eq(env->bytes[18], 0xcc);
    ck_assert_uint_eq(env->bytes[25], 0xcc);
}
END_TEST

/* ---- calls ---- */

static uint64_t call_args[5];
static int call_count;

static IR_HELPER(helper_record)
{
    call_count++;
    call_args[0] = a0;
    call_args[1] = a1;
    call_args[2] = a2;
    call_args[3] = a3;
    ck_assert_ptr_eq(env_, env);
    return a0 * 1000 + a1 * 100 + a2 * 10 + a3 + 1;
}

static IR_HELPER(helper_set_r0)
{
    FakeEnv *e = env_;
    /* globals are current when a helper runs */
    call_args[4] = e->regs[5];
    e->regs[0] = 42;
    return 0;
}

START_TEST(test_call_args)
{
    int n;

    for (n = 0; n <= 4; n++) {
        IRVal args[4] = { IR_NONE, IR_NONE, IR_NONE, IR_NONE };
        int k;

        ir_begin(b);
        for (k = 0; k < n; k++) {
            /* alternate globals and constants */
            args[k] = (k & 1) ? ir_const(b, k + 1) : G[k];
            env->regs[k] = k + 1;
        }
        call_count = 0;
        memset(call_args, 0xee, sizeof(call_args));
        ir_call(b, G[8], helper_record, 0, args[0], args[1], args[2], args[3]);
        ir_call(b, IR_NONE, helper_record, 0, args[0], args[1], args[2], args[3]);
        ir_exit_tb(b, IR_EXIT_NOCHAIN);
        env->regs[8] = 0xdead;
        run_block(n & 1);
        ck_assert_int_eq(call_count, 2);
        for (k = 0; k < 4; k++) {
            ck_assert_uint_eq(call_args[k], k < n ? (uint64_t)k + 1 : 0);
        }
        {
            uint64_t want = 1;
            static const uint64_t scale[4] = { 1000, 100, 10, 1 };
            for (k = 0; k < n; k++) {
                want += (k + 1) * scale[k];
            }
            ck_assert_uint_eq(env->regs[8], want);
        }
    }
}
END_TEST

START_TEST(test_call_sees_and_changes_globals)
{
    IRVal t = ir_temp(b);

    ir_movi(b, G[0], 5);
    ir_movi(b, G[5], 77);               /* must be in env when the helper runs */
    ir_call(b, IR_NONE, helper_set_r0, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_add(b, t, G[0], ir_const(b, 1)); /* must see the helper's r0 */
    ir_mov(b, G[1], t);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(_i);
    ck_assert_uint_eq(call_args[4], 77);
    ck_assert_uint_eq(env->regs[0], 42);
    ck_assert_uint_eq(env->regs[1], 43);
}
END_TEST

/* ---- guest memory ---- */

START_TEST(test_guest_fast_path)
{
    IRVal addr = ir_temp(b);
    uint64_t base = RAM_BASE + 0x2100;
    int opt = _i;

    env->regs[0] = 0x8182838485868788ull;
    ir_movi(b, addr, base);
    ir_guest_st(b, G[0], addr, MO_64, 0);
    ir_add(b, addr, addr, ir_const(b, 8));
    ir_guest_st(b, G[0], addr, MO_32, 0);
    ir_add(b, addr, addr, ir_const(b, 8));
    ir_guest_st(b, G[0], addr, MO_16, 0);
    ir_add(b, addr, addr, ir_const(b, 8));
    ir_guest_st(b, G[0], addr, MO_8, 0);
    ir_guest_st(b, ir_const(b, 0x1234), ir_const(b, base + 40), MO_16, 0);  /* consts */
    ir_movi(b, addr, base);
    ir_guest_ld(b, G[1], addr, MO_64, 0);
    ir_guest_ld(b, G[2], ir_const(b, base + 8), MO_32, 0);
    ir_guest_ld(b, G[3], ir_const(b, base + 8), MO_SL, 0);
    ir_guest_ld(b, G[4], ir_const(b, base + 16), MO_16, 0);
    ir_guest_ld(b, G[5], ir_const(b, base + 16), MO_SW, 0);
    ir_guest_ld(b, G[6], ir_const(b, base + 24), MO_8, 0);
    ir_guest_ld(b, G[7], ir_const(b, base + 24), MO_SB, 0);
    ir_guest_ld(b, G[8], ir_const(b, base + 3), MO_32, 0);   /* unaligned, same page */
    ir_guest_ld(b, G[9], ir_const(b, base + 40), MO_16, 0);
    ir_guest_ld(b, G[10], ir_const(b, RAM_BASE + 0x2ff8), MO_64, 0); /* last 8 bytes */
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    memcpy(&ram[0x2ff8], "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    run_block(opt);
    ck_assert_int_eq(ld_slow_calls, 0);
    ck_assert_int_eq(st_slow_calls, 0);
    ck_assert_uint_eq(env->regs[1], 0x8182838485868788ull);
    ck_assert_uint_eq(env->regs[2], 0x85868788ull);
    ck_assert_uint_eq(env->regs[3], 0xffffffff85868788ull);
    ck_assert_uint_eq(env->regs[4], 0x8788);
    ck_assert_uint_eq(env->regs[5], 0xffffffffffff8788ull);
    ck_assert_uint_eq(env->regs[6], 0x88);
    ck_assert_uint_eq(env->regs[7], 0xffffffffffffff88ull);
    ck_assert_uint_eq(env->regs[8], 0x8182838485868788ull >> 24 & 0xffffffff);
    ck_assert_uint_eq(env->regs[9], 0x1234);
    ck_assert_uint_eq(env->regs[10], 0x0807060504030201ull);
    ck_assert_uint_eq(ram[0x2100], 0x88);
    ck_assert_uint_eq(ram[0x2107], 0x81);
    ck_assert_uint_eq(ram[0x210c], 0);       /* MO_32 stored 4 bytes */
    ck_assert_uint_eq(ram[0x2112], 0);
    ck_assert_uint_eq(ram[0x2118], 0x88);
    ck_assert_uint_eq(ram[0x2119], 0);
}
END_TEST

START_TEST(test_guest_slow_path)
{
    uint64_t unmapped = RAM_BASE + PAGE_FIRST_UNMAPPED * 4096 + 0x10;
    uint64_t ro = RAM_BASE + PAGE_RO * 4096 + 0x20;
    uint64_t cross = RAM_BASE + 0x3ffe;
    int opt = _i;

    ram[PAGE_FIRST_UNMAPPED * 4096 + 0x10] = 0xfe;
    ram[PAGE_RO * 4096 + 0x20] = 0x11;
    memcpy(&ram[0x3ffe], "\xaa\xbb\xcc\xdd", 4);

    /* TLB miss on a load: slow path with the memop and mmu index, result sign-extended. */
    ir_insn_start(b, 0x1000);
    ir_guest_ld(b, G[0], ir_const(b, unmapped), MO_SB, 0);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(opt);
    ck_assert_int_eq(ld_slow_calls, 1);
    ck_assert_uint_eq(slow_addr, unmapped);
    ck_assert_uint_eq(slow_memop, MO_SB);
    ck_assert_uint_eq(slow_mmu, 0);
    ck_assert_uint_eq(slow_pc, 0x1000);
    ck_assert_uint_eq(env->regs[0], 0xfffffffffffffffeull);

    /* Read-only page: loads are fast, stores take the slow path. */
    ir_begin(b);
    ir_insn_start(b, 0x2000);
    ir_guest_ld(b, G[1], ir_const(b, ro), MO_8, 0);
    ir_insn_start(b, 0x2004);
    ir_guest_st(b, ir_const(b, 0x99), ir_const(b, ro), MO_8, 0);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(opt);
    ck_assert_int_eq(ld_slow_calls, 1);
    ck_assert_int_eq(st_slow_calls, 1);
    ck_assert_uint_eq(env->regs[1], 0x11);
    ck_assert_uint_eq(slow_addr, ro);
    ck_assert_uint_eq(slow_val, 0x99);
    ck_assert_uint_eq(slow_memop, MO_8);
    ck_assert_uint_eq(slow_pc, 0x2004);

    /* Page-crossing accesses, both pages mapped: slow path. */
    ir_begin(b);
    env->regs[3] = cross;
    ir_guest_ld(b, G[2], G[3], MO_SL, 0);
    ir_guest_st(b, ir_const(b, 0x01020304), G[3], MO_32, 0);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(opt);
    ck_assert_int_eq(ld_slow_calls, 2);
    ck_assert_int_eq(st_slow_calls, 2);
    ck_assert_uint_eq(env->regs[2], 0xffffffffddccbbaaull);
    ck_assert_uint_eq(ram[0x3ffe], 0x04);
    ck_assert_uint_eq(ram[0x4001], 0x01);

    /* 2 bytes at offset 0xffe fit; 0xfff does not. */
    ir_begin(b);
    ir_guest_ld(b, G[4], ir_const(b, RAM_BASE + 0x3ffe), MO_16, 0);
    ir_guest_ld(b, G[5], ir_const(b, RAM_BASE + 0x3fff), MO_16, 0);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(opt);
    ck_assert_int_eq(ld_slow_calls, 3);
    ck_assert_uint_eq(env->regs[4], 0x0304);
    ck_assert_uint_eq(env->regs[5], 0x0203);

    /* Another mmu index has an empty TLB. */
    ir_begin(b);
    ir_guest_ld(b, G[6], ir_const(b, RAM_BASE + 0x3ffe), MO_16, 2);
    ir_guest_st(b, ir_const(b, 0xabcd), ir_const(b, RAM_BASE + 0x100), MO_16, 3);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(opt);
    ck_assert_int_eq(ld_slow_calls, 4);
    ck_assert_int_eq(st_slow_calls, 3);
    ck_assert_uint_eq(slow_mmu, 3);
    ck_assert_uint_eq(env->regs[6], 0x0304);
    ck_assert_uint_eq(ram[0x100], 0xcd);
}
END_TEST

START_TEST(test_slow_path_longjmp)
{
    /* A faulting slow path abandons the block; the interpreter must run again after. */
    IRCode *code;
    volatile int faulted = 0;
    uint64_t (*saved)(void *, uint64_t, unsigned, unsigned) = ir_runtime.ld_slow;

    ir_insn_start(b, 0x7000);
    ir_movi(b, G[0], 1);
    ir_guest_ld(b, G[1], ir_const(b, RAM_BASE + PAGE_FIRST_UNMAPPED * 4096), MO_64, 0);
    ir_movi(b, G[0], 2);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    code = ir_compile(b, NULL);
    ir_runtime.ld_slow = faulting_ld_slow;
    if (setjmp(fault_jmp) == 0) {
        ir_exec(env, code);
        ck_abort_msg("slow path did not fault");
    } else {
        faulted = 1;
    }
    ir_runtime.ld_slow = saved;
    ck_assert_int_eq(faulted, 1);
    ck_assert_uint_eq(env->regs[0], 1);
    ck_assert_uint_eq(env->insn_pc, 0x7000);
    ck_assert_uint_eq(IR_EXIT_VALUE(ir_exec(env, code)), IR_EXIT_NOCHAIN);
    ck_assert_uint_eq(env->regs[0], 2);
    ir_code_free(code);
}
END_TEST

/* ---- exit request and chaining ---- */

static int exit_after;

static IR_HELPER(helper_count_and_request)
{
    FakeEnv *e = env_;
    e->regs[7]++;
    if (e->regs[7] >= (uint64_t)exit_after) {
        e->exit_request = 1;
    }
    return 0;
}

START_TEST(test_exit_request)
{
    IRCode *code;
    uintptr_t r;

    ir_movi(b, G[0], 1);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    code = ir_compile(b, NULL);
    env->exit_request = 1;
    r = ir_exec(env, code);
    ck_assert_ptr_eq(IR_EXIT_CODE(r), code);
    ck_assert_uint_eq(IR_EXIT_VALUE(r), IR_EXIT_REQUESTED);
    ck_assert_uint_eq(env->regs[0], 0);
    env->exit_request = 0;
    r = ir_exec(env, code);
    ck_assert_uint_eq(IR_EXIT_VALUE(r), IR_EXIT_NOCHAIN);
    ck_assert_uint_eq(env->regs[0], 1);
    ir_code_free(code);
}
END_TEST

START_TEST(test_chain_two_blocks)
{
    IRCode *a, *c;
    uintptr_t r;

    /* A: r0 += 1; goto_tb 0.  C: r1 = r0 * 2; exit_tb 5 */
    ir_add(b, G[0], G[0], ir_const(b, 1));
    ir_goto_tb(b, 0);
    ir_exit_tb(b, 0);
    a = ir_compile(b, NULL);
    ir_begin(b);
    ir_op3(b, IR_mul, G[1], G[0], ir_const(b, 2));
    ir_goto_tb(b, 1);
    ir_exit_tb(b, 1);
    c = ir_compile(b, NULL);

    env->regs[0] = 10;
    r = ir_exec(env, a);                 /* not chained: returns slot 0 */
    ck_assert_ptr_eq(IR_EXIT_CODE(r), a);
    ck_assert_uint_eq(IR_EXIT_VALUE(r), 0);
    ck_assert_uint_eq(env->regs[0], 11);
    ck_assert_uint_eq(env->regs[1], 0);

    ir_code_set_chain(a, 0, c);
    r = ir_exec(env, a);                 /* A then C; C's slot 1 is empty */
    ck_assert_ptr_eq(IR_EXIT_CODE(r), c);
    ck_assert_uint_eq(IR_EXIT_VALUE(r), 1);
    ck_assert_uint_eq(env->regs[0], 12);
    ck_assert_uint_eq(env->regs[1], 24);

    /* C chained back to A: a loop that only exit_request ends, checked at each entry. */
    ir_code_set_chain(c, 1, a);
    ir_begin(b);
    exit_after = 1000;
    env->regs[7] = 0;
    ir_code_free(c);
    ir_call(b, IR_NONE, helper_count_and_request, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_goto_tb(b, 1);
    ir_exit_tb(b, 1);
    c = ir_compile(b, NULL);
    ir_code_set_chain(a, 0, c);
    ir_code_set_chain(c, 1, a);
    env->regs[0] = 0;
    r = ir_exec(env, a);
    /* C requested the exit on its 1000th run; A's next entry returned without running. */
    ck_assert_ptr_eq(IR_EXIT_CODE(r), a);
    ck_assert_uint_eq(IR_EXIT_VALUE(r), IR_EXIT_REQUESTED);
    ck_assert_uint_eq(env->regs[7], 1000);
    ck_assert_uint_eq(env->regs[0], 1000);

    /* Exit requested while entering a chained block: that block does not run. */
    env->exit_request = 0;
    env->regs[7] = 0;
    exit_after = 1;
    r = ir_exec(env, c);
    ck_assert_ptr_eq(IR_EXIT_CODE(r), a);
    ck_assert_uint_eq(IR_EXIT_VALUE(r), IR_EXIT_REQUESTED);
    ck_assert_uint_eq(env->regs[0], 1000);

    /* Unchain: back to returning the slot. */
    env->exit_request = 0;
    ir_code_set_chain(a, 0, NULL);
    r = ir_exec(env, a);
    ck_assert_ptr_eq(IR_EXIT_CODE(r), a);
    ck_assert_uint_eq(IR_EXIT_VALUE(r), 0);
    ck_assert_uint_eq(env->regs[0], 1001);

    ir_code_free(a);
    ir_code_free(c);
}
END_TEST

/* ---- builder, values, dump ---- */

START_TEST(test_values)
{
    IRVal c1 = ir_const(b, 0x1234), c2 = ir_const(b, 0x1234), c3 = ir_const(b, 0);
    IRVal t = ir_temp(b);
    int i;

    ck_assert_uint_eq(c1, c2);
    ck_assert_uint_ne(c1, c3);
    ck_assert(ir_is_const(b, c1));
    ck_assert(!ir_is_const(b, t));
    ck_assert(!ir_is_const(b, G[0]));
    ck_assert(!ir_is_global(t));
    ck_assert(!ir_is_global(c1));
    ck_assert(!ir_is_global(IR_NONE));
    ck_assert(ir_is_global(G[3]));
    ck_assert_uint_eq(ir_const_value(b, c1), 0x1234);
    ck_assert_uint_eq(ir_const_value(b, c3), 0);
    ck_assert_int_eq(ir_global_offset(G[3]), offsetof(FakeEnv, regs[3]));
    ck_assert_str_eq(ir_global_name(G[3]), "r3");
    /* Registering a field again returns the same global. */
    ck_assert_uint_eq(ir_global(offsetof(FakeEnv, regs[3]), "r3"), G[3]);
    /* Many constants: deduplicated and stable across hash growth. */
    for (i = 0; i < 5000; i++) {
        IRVal v = ir_const(b, (uint64_t)i * 0x10001);
        ck_assert_uint_eq(ir_const_value(b, v), (uint64_t)i * 0x10001);
    }
    for (i = 0; i < 5000; i++) {
        IRVal v = ir_const(b, (uint64_t)i * 0x10001);
        ck_assert_uint_eq(ir_const(b, (uint64_t)i * 0x10001), v);
    }
    ck_assert_uint_eq(ir_const(b, 0x1234), c1);
    /* ir_begin drops constants and temps. */
    ir_begin(b);
    ck_assert(!ir_is_const(b, c1));
    ck_assert_uint_eq(ir_temp(b), t);
    ck_assert_int_eq(ir_nb_ops(b), 0);
}
END_TEST

START_TEST(test_temp_free_reuse)
{
    IRVal t1 = ir_temp(b), t2 = ir_temp(b), t3;

    ir_temp_free(b, t1);
    ir_temp_free(b, t1);               /* double free is ignored */
    t3 = ir_temp(b);
    ck_assert_uint_eq(t3, t1);
    ck_assert_uint_ne(ir_temp(b), t1);
    ck_assert_uint_ne(t2, t1);
}
END_TEST

START_TEST(test_full)
{
    int i;

    ck_assert(!ir_full(b));
    for (i = 0; i < 3600; i++) {
        ir_movi(b, G[0], i);
    }
    ck_assert(ir_full(b));
    ck_assert_int_eq(ir_nb_ops(b), 3600);
    ck_assert_uint_eq(ir_ops(b)[3599].opc, IR_movi);
    ck_assert_uint_eq(ir_ops(b)[3599].args[1], 3599);
    ir_begin(b);
    ck_assert(!ir_full(b));
    for (i = 0; i < IR_MAX_TEMPS - 63; i++) {
        ir_temp(b);
    }
    ck_assert(ir_full(b));
}
END_TEST

START_TEST(test_many_temps_frame)
{
    /* 900 temps live at once fit the frame; 3000 short-lived temps share few slots. */
    IRVal t[900];
    IRCode *code;
    uint64_t want = 0;
    int i;

    for (i = 0; i < 900; i++) {
        t[i] = ir_temp(b);
        ir_movi(b, t[i], i * 3 + 1);
        want += i * 3 + 1;
    }
    ir_movi(b, G[0], 0);
    for (i = 0; i < 900; i++) {
        ir_add(b, G[0], G[0], t[i]);
    }
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(false);
    ck_assert_uint_eq(env->regs[0], want);

    ir_begin(b);
    want = 0;
    ir_movi(b, G[1], 0);
    for (i = 0; i < 3000; i++) {
        IRVal x = ir_temp(b), y = ir_temp(b);
        ir_movi(b, x, i);
        ir_add(b, y, x, G[1]);
        ir_mov(b, G[1], y);
    }
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    code = ir_compile(b, NULL);
    ck_assert_uint_le(ir_interp_frame_slots(code), 8);
    ir_exec(env, code);
    ir_code_free(code);
    ck_assert_uint_eq(env->regs[1], 2999ull * 3000 / 2);
}
END_TEST

static char *dump_to_string(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    ir_dump(b, f);
    fclose(f);
    return buf;
}

START_TEST(test_dump)
{
    IRVal t = ir_temp(b);
    IRLabel l = ir_new_label(b);
    char *s;

    ir_insn_start(b, 0x401000);
    ir_add(b, t, G[0], ir_const(b, 0x10));
    ir_brcond(b, IR_COND_LTU, t, G[1], l);
    ir_guest_ld(b, G[2], t, MO_SL, 1);
    ir_set_label(b, l);
    ir_setcond(b, IR_COND_EQ, G[3], t, ir_const(b, 0));
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    s = dump_to_string();
    ck_assert_msg(strstr(s, "insn_start 0x401000\n") != NULL, "%s", s);
    ck_assert_msg(strstr(s, "add        tmp0, r0, $0x10\n") != NULL, "%s", s);
    ck_assert_msg(strstr(s, "brcond     tmp0, r1, ltu, L0\n") != NULL, "%s", s);
    ck_assert_msg(strstr(s, "guest_ld   r2, tmp0, sl, mmu1\n") != NULL, "%s", s);
    ck_assert_msg(strstr(s, "L0:\n") != NULL, "%s", s);
    ck_assert_msg(strstr(s, "setcond    r3, tmp0, $0x0, eq\n") != NULL, "%s", s);
    ck_assert_msg(strstr(s, "exit_tb    $0x2\n") != NULL, "%s", s);
    free(s);
}
END_TEST

START_TEST(test_dump_to_log)
{
    char path[] = "/tmp/test_ir_logXXXXXX";
    int fd = mkstemp(path);
    char buf[256] = { 0 };
    FILE *f;

    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(log_set_file(path), 0);
    ir_movi(b, G[1], 0x42);
    ir_dump(b, NULL);
    log_flush();
    log_set_file(NULL);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
    fclose(f);
    unlink(path);
    ck_assert_str_eq(buf, " movi       r1, $0x42\n");
}
END_TEST

/* ---- optimiser: targeted ---- */

START_TEST(test_opt_folds_constants)
{
    IRVal t1 = ir_temp(b), t2 = ir_temp(b), t3 = ir_temp(b);
    const IROp *ops;

    ir_movi(b, t1, 5);
    ir_add(b, t2, t1, ir_const(b, 3));
    ir_shl(b, t3, t2, ir_const(b, 4));
    ir_mov(b, G[0], t3);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    ir_optimize(b);
    ops = ir_ops(b);
    ck_assert_int_eq(ir_nb_ops(b), 2);
    ck_assert_uint_eq(ops[0].opc, IR_movi);
    ck_assert_uint_eq(ops[0].args[0], G[0]);
    ck_assert_uint_eq(ops[0].args[1], 128);
    ck_assert_uint_eq(ops[1].opc, IR_exit_tb);
    run_block(false);
    ck_assert_uint_eq(env->regs[0], 128);
}
END_TEST

START_TEST(test_opt_copy_propagation)
{
    IRVal t1 = ir_temp(b), t2 = ir_temp(b);
    const IROp *ops;

    /* t1 = r1; t2 = t1 + 1; r2 = t2  ->  add r2, r1, $1 */
    ir_mov(b, t1, G[1]);
    ir_add(b, t2, t1, ir_const(b, 1));
    ir_mov(b, G[2], t2);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    ir_optimize(b);
    ops = ir_ops(b);
    ck_assert_int_eq(ir_nb_ops(b), 2);
    ck_assert_uint_eq(ops[0].opc, IR_add);
    ck_assert_uint_eq(ops[0].args[0], G[2]);
    ck_assert_uint_eq(ops[0].args[1], G[1]);
    ck_assert(ir_is_const(b, (IRVal)ops[0].args[2]));
    env->regs[1] = 41;
    run_block(false);
    ck_assert_uint_eq(env->regs[2], 42);
}
END_TEST

START_TEST(test_opt_known_zero_extension)
{
    IRVal t1 = ir_temp(b), t2 = ir_temp(b), t3 = ir_temp(b);
    const IROp *ops;
    int ext = 0;

    /* t1 = r1 & 0xffff; r2 = ext32u(t1) is a copy; t2 = ext32u(r1) is not (r1 is
     * unknown); t3 = t2 >> 4; r3 = ext32u(t3) is a copy; r4 = ext32s(t3) stays */
    ir_and(b, t1, G[1], ir_const(b, 0xffff));
    ir_op2(b, IR_ext32u, G[2], t1);
    ir_op2(b, IR_ext32u, t2, G[1]);
    ir_shr(b, t3, t2, ir_const(b, 4));
    ir_op2(b, IR_ext32u, G[3], t3);
    ir_op2(b, IR_ext32s, G[4], t3);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    ir_optimize(b);
    ops = ir_ops(b);
    for (int i = 0; i < ir_nb_ops(b); i++) {
        ext += ops[i].opc == IR_ext32u;
    }
    ck_assert_int_eq(ext, 1);
    env->regs[1] = 0xfedcba98f7654321ull;
    run_block(false);
    ck_assert_uint_eq(env->regs[2], 0x4321);
    ck_assert_uint_eq(env->regs[3], 0x0f765432);
    ck_assert_uint_eq(env->regs[4], 0x0f765432);
}
END_TEST

START_TEST(test_opt_dead_global_writes)
{
    IRVal t = ir_temp(b);
    const IROp *ops;
    int n;

    /* r1 = 5 is overwritten unread: removed. r2 = 7 is read by the add: kept. r3 = 9 is
     * followed by a guest load (its slow path may see env): kept. */
    ir_movi(b, G[1], 5);
    ir_movi(b, G[2], 7);
    ir_add(b, G[2], G[2], ir_const(b, 1));
    ir_movi(b, G[1], 6);
    ir_movi(b, G[3], 9);
    ir_movi(b, t, RAM_BASE);
    ir_guest_ld(b, G[4], t, MO_8, 0);
    ir_movi(b, G[3], 10);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    ir_optimize(b);
    ops = ir_ops(b);
    n = 0;
    for (int i = 0; i < ir_nb_ops(b); i++) {
        if (ops[i].opc == IR_movi && ops[i].args[0] == G[1]) {
            n++;
            ck_assert_uint_eq(ops[i].args[1], 6);
        }
    }
    ck_assert_int_eq(n, 1);
    run_block(false);
    ck_assert_uint_eq(env->regs[1], 6);
    ck_assert_uint_eq(env->regs[2], 8);
    ck_assert_uint_eq(env->regs[3], 10);
    n = 0;
    for (int i = 0; i < ir_nb_ops(b); i++) {
        n += ops[i].opc == IR_movi && ops[i].args[0] == G[3];
    }
    ck_assert_int_eq(n, 2);
}
END_TEST

START_TEST(test_opt_retarget_output)
{
    /* "guest_ld t; mov r0, t" and "call t; mov r1, t" write the globals directly. */
    IRVal t = ir_temp(b), u = ir_temp(b);

    ram[0x40] = 0x9c;
    ir_guest_ld(b, t, ir_const(b, RAM_BASE + 0x40), MO_SB, 0);
    ir_mov(b, G[0], t);
    ir_call(b, u, helper_record, 0, ir_const(b, 2), IR_NONE, IR_NONE, IR_NONE);
    ir_mov(b, G[1], u);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    ir_optimize(b);
    ck_assert_int_eq(ir_nb_ops(b), 3);
    ck_assert_uint_eq(ir_ops(b)[0].opc, IR_guest_ld);
    ck_assert_uint_eq(ir_ops(b)[0].args[0], G[0]);
    ck_assert_uint_eq(ir_ops(b)[1].opc, IR_call);
    ck_assert_uint_eq(ir_ops(b)[1].args[0], G[1]);
    run_block(false);
    ck_assert_uint_eq(env->regs[0], 0xffffffffffffff9cull);
    ck_assert_uint_eq(env->regs[1], 2001);
}
END_TEST

START_TEST(test_opt_branch_folding)
{
    IRVal t = ir_temp(b);
    IRLabel l = ir_new_label(b), m = ir_new_label(b);
    int i;

    /* A branch on constants becomes br or disappears; code after br is dropped. */
    ir_movi(b, t, 3);
    ir_brcond(b, IR_COND_GTU, t, ir_const(b, 2), l);
    ir_movi(b, G[0], 1);              /* unreachable */
    ir_set_label(b, l);
    ir_brcond(b, IR_COND_EQ, t, ir_const(b, 2), m);  /* never taken */
    ir_movi(b, G[1], 2);
    ir_set_label(b, m);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    ir_optimize(b);
    for (i = 0; i < ir_nb_ops(b); i++) {
        ck_assert_uint_ne(ir_ops(b)[i].opc, IR_brcond);
        ck_assert(!(ir_ops(b)[i].opc == IR_movi && ir_ops(b)[i].args[0] == G[0]));
    }
    env->regs[0] = 99;
    run_block(false);
    ck_assert_uint_eq(env->regs[0], 99);
    ck_assert_uint_eq(env->regs[1], 2);
}
END_TEST

START_TEST(test_opt_dead_temps)
{
    IRVal t1 = ir_temp(b), t2 = ir_temp(b), t3 = ir_temp(b);

    ir_add(b, t1, G[0], G[1]);        /* dead */
    ir_op2(b, IR_not, t2, t1);        /* dead */
    ir_ld_env(b, t3, offsetof(FakeEnv, regs[4]), MO_64); /* dead */
    ir_call(b, t3, helper_record, IR_CALL_NO_SIDE_EFFECTS | IR_CALL_NO_WRITE_GLOBALS,
            G[0], IR_NONE, IR_NONE, IR_NONE);  /* dead pure helper */
    ir_call(b, t3, helper_record, 0, G[0], IR_NONE, IR_NONE, IR_NONE);  /* kept */
    ir_guest_ld(b, t2, ir_const(b, RAM_BASE), MO_8, 0);   /* kept: may fault */
    ir_movi(b, G[2], 7);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    ir_optimize(b);
    ck_assert_int_eq(ir_nb_ops(b), 4);
    ck_assert_uint_eq(ir_ops(b)[0].opc, IR_call);
    ck_assert_uint_eq(ir_ops(b)[1].opc, IR_guest_ld);
    call_count = 0;
    run_block(false);
    ck_assert_int_eq(call_count, 1);
    ck_assert_uint_eq(env->regs[2], 7);
}
END_TEST

START_TEST(test_opt_temps_live_across_labels)
{
    /* A temp set before a branch and read after the label must be kept. */
    IRVal t = ir_temp(b);
    IRLabel l = ir_new_label(b);

    env->regs[0] = _i;
    ir_movi(b, t, 0x55);
    ir_brcond(b, IR_COND_EQ, G[0], ir_const(b, 0), l);
    ir_movi(b, t, 0x66);
    ir_set_label(b, l);
    ir_mov(b, G[1], t);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(true);
    ck_assert_uint_eq(env->regs[1], _i ? 0x66 : 0x55);
}
END_TEST

START_TEST(test_opt_globals_invalidated)
{
    IRVal t = ir_temp(b);

    /* st_env over a global, and a helper that writes it, break known values. */
    ir_movi(b, G[0], 1);
    ir_st_env(b, ir_const(b, 9), offsetof(FakeEnv, regs[0]), MO_64);
    ir_add(b, G[1], G[0], ir_const(b, 0));
    ir_mov(b, t, G[0]);                     /* t is a copy of r0 ... */
    ir_call(b, IR_NONE, helper_set_r0, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_mov(b, G[2], t);                     /* ... from before the call */
    ir_mov(b, G[3], G[0]);
    ir_movi(b, G[4], 3);
    ir_call(b, IR_NONE, helper_record, IR_CALL_NO_WRITE_GLOBALS, G[4], IR_NONE, IR_NONE,
            IR_NONE);
    ir_add(b, G[5], G[4], ir_const(b, 1));
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    run_block(true);
    ck_assert_uint_eq(env->regs[1], 9);
    ck_assert_uint_eq(env->regs[2], 9);
    ck_assert_uint_eq(env->regs[3], 42);
    ck_assert_uint_eq(call_args[0], 3);
    ck_assert_uint_eq(env->regs[5], 4);
}
END_TEST

/* ---- optimiser and interpreter against a reference: random blocks ---- */

#define NB_RAND_REGS 8
#define NB_RAND_TEMPS 10

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned rndn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static IR_HELPER(helper_mix)
{
    return a0 * 3 + (a1 ^ a2) - (a3 << 1);
}

static IR_HELPER(helper_clobber)
{
    FakeEnv *e = env_;
    e->regs[2] += a0;
    e->regs[5] ^= a1;
    return e->regs[2] + e->regs[1];
}

static IR_HELPER(helper_read)
{
    FakeEnv *e = env_;
    return e->regs[1] * 7 + e->regs[6] + a0;
}

typedef struct Gen {
    IRVal temps[NB_RAND_TEMPS];
    int depth;
    int nlabels_open;
} Gen;

static uint64_t rand_constant(void)
{
    static const uint64_t special[] = {
        0, 1, 2, 3, 7, 8, 31, 32, 63, 64, 65, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
        0x7fffffff, 0x80000000ull, 0xffffffffull, 0x100000000ull, 0x7fffffffffffffffull,
        0x8000000000000000ull, ~0ull, (uint64_t)-2,
    };
    if (rndn(3) == 0) {
        return rnd();
    }
    return special[rndn(ARRAY_SIZE(special))];
}

static IRVal rand_src(Gen *g)
{
    unsigned k = rndn(10);

    if (k < 4) {
        return G[rndn(NB_RAND_REGS)];
    }
    if (k < 8) {
        return g->temps[rndn(NB_RAND_TEMPS)];
    }
    return ir_const(b, rand_constant());
}

static IRVal rand_dst(Gen *g)
{
    return rndn(2) ? G[rndn(NB_RAND_REGS)] : g->temps[rndn(NB_RAND_TEMPS)];
}

static IRVal rand_addr(Gen *g, int *mmu)
{
    IRVal a = ir_temp(b);

    /* RAM_BASE + (x & 0xffff): mapped, read-only, unmapped pages and page ends. */
    ir_and(b, a, rand_src(g), ir_const(b, rndn(4) ? 0xffff : 0xfff8));
    if (rndn(3) == 0) {
        ir_or(b, a, a, ir_const(b, 0xffe + rndn(2)));
    }
    ir_add(b, a, a, ir_const(b, RAM_BASE));
    *mmu = rndn(8) == 0 ? 1 : 0;
    return a;
}

static void gen_ops(Gen *g, int n, bool in_loop);

static void gen_one(Gen *g, bool in_loop)
{
    static const IROpcode bin[] = { IR_add, IR_sub, IR_mul, IR_and, IR_or, IR_xor, IR_andc,
                                    IR_shl, IR_shr, IR_sar, IR_rotl, IR_rotr };
    static const IROpcode un[] = { IR_not, IR_neg, IR_ext8s, IR_ext8u, IR_ext16s, IR_ext16u,
                                   IR_ext32s, IR_ext32u, IR_bswap16, IR_bswap32, IR_bswap64 };
    unsigned k = rndn(100);
    int mmu;

    if (k < 30) {
        IRVal x = rand_src(g), y = rndn(4) == 0 ? x : rand_src(g);
        ir_op3(b, bin[rndn(ARRAY_SIZE(bin))], rand_dst(g), x, y);
    } else if (k < 38) {
        ir_op2(b, un[rndn(ARRAY_SIZE(un))], rand_dst(g), rand_src(g));
    } else if (k < 46) {
        ir_mov(b, rand_dst(g), rand_src(g));
    } else if (k < 50) {
        ir_movi(b, rand_dst(g), rand_constant());
    } else if (k < 55) {
        IRVal x = rand_src(g);
        ir_setcond(b, rndn(14), rand_dst(g), x, rndn(4) == 0 ? x : rand_src(g));
    } else if (k < 59) {
        ir_movcond(b, rndn(14), rand_dst(g), rand_src(g), rand_src(g), rand_src(g),
                   rand_src(g));
    } else if (k < 62) {
        IRVal lo = rand_dst(g), hi;
        do {
            hi = rand_dst(g);
        } while (hi == lo);
        ir_mul2(b, rndn(2) ? IR_mulu2 : IR_muls2, lo, hi, rand_src(g), rand_src(g));
    } else if (k < 66) {
        /* env bytes, and now and then a global's own field */
        ptrdiff_t off = rndn(4) == 0 ? (ptrdiff_t)offsetof(FakeEnv, regs[rndn(NB_RAND_REGS)])
                                     : (ptrdiff_t)offsetof(FakeEnv, bytes) + rndn(56);
        ir_ld_env(b, rand_dst(g), off, rndn(7));
    } else if (k < 70) {
        ptrdiff_t off = rndn(4) == 0 ? (ptrdiff_t)offsetof(FakeEnv, regs[rndn(NB_RAND_REGS)])
                                     : (ptrdiff_t)offsetof(FakeEnv, bytes) + rndn(56);
        ir_st_env(b, rand_src(g), off, rndn(4));
    } else if (k < 75) {
        IRVal a = rand_addr(g, &mmu);
        ir_guest_ld(b, rand_dst(g), a, rndn(7), mmu);
    } else if (k < 80) {
        IRVal a = rand_addr(g, &mmu);
        ir_guest_st(b, rand_src(g), a, rndn(4), mmu);
    } else if (k < 84) {
        switch (rndn(3)) {
        case 0:
            ir_call(b, rndn(4) ? rand_dst(g) : IR_NONE, helper_mix,
                    IR_CALL_NO_SIDE_EFFECTS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_NO_READ_GLOBALS,
                    rand_src(g), rand_src(g), rand_src(g), rand_src(g));
            break;
        case 1:
            ir_call(b, rndn(2) ? rand_dst(g) : IR_NONE, helper_clobber, 0,
                    rand_src(g), rand_src(g), IR_NONE, IR_NONE);
            break;
        default:
            ir_call(b, rand_dst(g), helper_read, IR_CALL_NO_WRITE_GLOBALS | IR_CALL_NO_SIDE_EFFECTS,
                    rand_src(g), IR_NONE, IR_NONE, IR_NONE);
            break;
        }
    } else if (k < 86) {
        ir_insn_start(b, rnd());
    } else if (k < 88) {
        /* free a temp and take a fresh one, set before any use */
        unsigned i = rndn(NB_RAND_TEMPS);
        ir_temp_free(b, g->temps[i]);
        g->temps[i] = ir_temp(b);
        ir_movi(b, g->temps[i], rand_constant());
    } else if (g->depth < 3 && k < 94) {
        /* forward branch over a few ops */
        IRLabel l = ir_new_label(b);
        IRVal x = rand_src(g);
        ir_brcond(b, rndn(14), x, rndn(4) == 0 ? x : rand_src(g), l);
        g->depth++;
        gen_ops(g, 1 + rndn(6), in_loop);
        g->depth--;
        ir_set_label(b, l);
    } else if (g->depth < 3 && k < 96) {
        /* if/else with br */
        IRLabel le = ir_new_label(b), lend = ir_new_label(b);
        ir_brcond(b, rndn(14), rand_src(g), rand_src(g), le);
        g->depth++;
        gen_ops(g, 1 + rndn(4), in_loop);
        ir_br(b, lend);
        ir_set_label(b, le);
        gen_ops(g, 1 + rndn(4), in_loop);
        g->depth--;
        ir_set_label(b, lend);
    } else if (k < 98) {
        /* early exit */
        IRLabel l = ir_new_label(b);
        ir_brcond(b, rndn(14), rand_src(g), rand_src(g), l);
        if (rndn(2)) {
            ir_exit_tb(b, rndn(8));
        } else {
            ir_goto_tb(b, rndn(2));
        }
        if (rndn(2)) {
            gen_one(g, in_loop);            /* unreachable code */
        }
        ir_set_label(b, l);
    } else if (!in_loop && g->depth < 2) {
        /* a counted loop; the counter is out of reach of the body */
        IRVal cnt = ir_temp(b);
        IRLabel top = ir_new_label(b);
        ir_movi(b, cnt, 1 + rndn(4));
        ir_set_label(b, top);
        g->depth++;
        gen_ops(g, 2 + rndn(8), true);
        g->depth--;
        ir_sub(b, cnt, cnt, ir_const(b, 1));
        ir_brcond(b, IR_COND_NE, cnt, ir_const(b, 0), top);
    } else {
        ir_mov(b, rand_dst(g), rand_src(g));
    }
}

static void gen_ops(Gen *g, int n, bool in_loop)
{
    int i;

    for (i = 0; i < n; i++) {
        gen_one(g, in_loop);
    }
}

static void gen_block(int nops)
{
    Gen g;
    int i;

    memset(&g, 0, sizeof(g));
    ir_begin(b);
    for (i = 0; i < NB_RAND_TEMPS; i++) {
        g.temps[i] = ir_temp(b);
        ir_movi(b, g.temps[i], rand_constant());
    }
    gen_ops(&g, nops, false);
    switch (rndn(3)) {
    case 0:
        ir_exit_tb(b, IR_EXIT_NOCHAIN);
        break;
    case 1:
        ir_goto_tb(b, rndn(2));
        break;
    default:
        break;                             /* fall off the end */
    }
}

/* A deliberately naive interpreter over the IROp list: the oracle. */
static uint64_t ref_temps[IR_TEMP_LIMIT / 256];

static uint64_t *ref_loc(FakeEnv *e, IRVal v)
{
    if (ir_is_global(v)) {
        return (uint64_t *)((char *)e + ir_global_offset(v));
    }
    ck_assert(ir_is_temp(v) && ir_temp_index(v) < ARRAY_SIZE(ref_temps));
    return &ref_temps[ir_temp_index(v)];
}

static uint64_t ref_get(FakeEnv *e, IRVal v)
{
    if (v == IR_NONE) {
        return 0;
    }
    if (ir_is_const(b, v)) {
        return ir_const_value(b, v);
    }
    return *ref_loc(e, v);
}

static uint64_t ref_ext(uint64_t v, unsigned mo)
{
    unsigned bits = 8 * memop_size(mo);

    if (bits == 64) {
        return v;
    }
    v &= (1ull << bits) - 1;
    if ((mo & MO_SIGN) && (v >> (bits - 1))) {
        v |= ~0ull << bits;
    }
    return v;
}

static uint64_t ref_alu(IROpcode opc, uint64_t x, uint64_t y)
{
    unsigned s = y % 64;

    switch (opc) {
    case IR_add: return x + y;
    case IR_sub: return x - y;
    case IR_mul: return x * y;
    case IR_and: return x & y;
    case IR_or: return x | y;
    case IR_xor: return x ^ y;
    case IR_andc: return x & ~y;
    case IR_shl: return x << s;
    case IR_shr: return x >> s;
    case IR_sar: return s ? (x >> s) | ((x >> 63) ? ~0ull << (64 - s) : 0) : x;
    case IR_rotl: return s ? (x << s) | (x >> (64 - s)) : x;
    case IR_rotr: return s ? (x >> s) | (x << (64 - s)) : x;
    case IR_not: return ~x;
    case IR_neg: return 0 - x;
    case IR_ext8s: return ref_ext(x, MO_SB);
    case IR_ext8u: return ref_ext(x, MO_8);
    case IR_ext16s: return ref_ext(x, MO_SW);
    case IR_ext16u: return ref_ext(x, MO_16);
    case IR_ext32s: return ref_ext(x, MO_SL);
    case IR_ext32u: return ref_ext(x, MO_32);
    case IR_bswap16: {
        uint64_t r = 0;
        int i;
        for (i = 0; i < 2; i++) {
            r |= ((x >> (8 * i)) & 0xff) << (8 * (1 - i));
        }
        return r;
    }
    case IR_bswap32: {
        uint64_t r = 0;
        int i;
        for (i = 0; i < 4; i++) {
            r |= ((x >> (8 * i)) & 0xff) << (8 * (3 - i));
        }
        return r;
    }
    case IR_bswap64: {
        uint64_t r = 0;
        int i;
        for (i = 0; i < 8; i++) {
            r |= ((x >> (8 * i)) & 0xff) << (8 * (7 - i));
        }
        return r;
    }
    default:
        ck_abort_msg("ref_alu: %s", ir_op_defs[opc].name);
        return 0;
    }
}

static unsigned ref_run(FakeEnv *e)
{
    const IROp *ops = ir_ops(b);
    int n = ir_nb_ops(b), pc = 0, i, steps = 0;
    static int label_at[4096];

    for (i = 0; i < 4096; i++) {
        label_at[i] = -1;
    }
    for (i = 0; i < n; i++) {
        if (ops[i].opc == IR_set_label) {
            ck_assert_uint_lt(ops[i].args[0], 4096);
            label_at[ops[i].args[0]] = i;
        }
    }
    while (pc < n) {
        const IROp *op = &ops[pc++];
        const uint64_t *a = op->args;

        ck_assert_int_lt(++steps, 1000000);
        switch (op->opc) {
        case IR_mov:
            *ref_loc(e, a[0]) = ref_get(e, a[1]);
            break;
        case IR_movi:
            *ref_loc(e, a[0]) = a[1];
            break;
        case IR_mulu2: case IR_muls2: {
            uint64_t x = ref_get(e, a[2]), y = ref_get(e, a[3]);
            /* schoolbook 64x64 -> 128 */
            uint64_t xl = (uint32_t)x, xh = x >> 32, yl = (uint32_t)y, yh = y >> 32;
            uint64_t ll = xl * yl, lh = xl * yh, hl = xh * yl, hh = xh * yh;
            uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
            uint64_t lo = (mid << 32) | (uint32_t)ll;
            uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
            if (op->opc == IR_muls2) {
                if ((int64_t)x < 0) {
                    hi -= y;
                }
                if ((int64_t)y < 0) {
                    hi -= x;
                }
            }
            *ref_loc(e, a[0]) = lo;
            *ref_loc(e, a[1]) = hi;
            break;
        }
        case IR_setcond:
            *ref_loc(e, a[0]) = ir_cond_eval(a[3], ref_get(e, a[1]), ref_get(e, a[2]));
            break;
        case IR_movcond:
            *ref_loc(e, a[0]) = ir_cond_eval(a[5], ref_get(e, a[1]), ref_get(e, a[2]))
                                ? ref_get(e, a[3]) : ref_get(e, a[4]);
            break;
        case IR_brcond:
            if (ir_cond_eval(a[2], ref_get(e, a[0]), ref_get(e, a[1]))) {
                pc = label_at[a[3]];
                ck_assert_int_ge(pc, 0);
            }
            break;
        case IR_br:
            pc = label_at[a[0]];
            ck_assert_int_ge(pc, 0);
            break;
        case IR_set_label:
            break;
        case IR_ld_env: {
            uint64_t v = 0;
            memcpy(&v, (char *)e + a[1], memop_size(a[2]));
            *ref_loc(e, a[0]) = ref_ext(v, a[2]);
            break;
        }
        case IR_st_env: {
            uint64_t v = ref_get(e, a[0]);
            memcpy((char *)e + a[1], &v, memop_size(a[2]));
            break;
        }
        case IR_guest_ld: {
            uint64_t addr = ref_get(e, a[1]);
            *ref_loc(e, a[0]) = ref_ext(ram_read(addr, memop_size(a[2])), a[2]);
            break;
        }
        case IR_guest_st:
            ram_write(ref_get(e, a[1]), ref_get(e, a[0]), memop_size(a[2]));
            break;
        case IR_call: {
            uint64_t r = ((IRHelper)(uintptr_t)a[5])(e, ref_get(e, a[1]), ref_get(e, a[2]),
                                                     ref_get(e, a[3]), ref_get(e, a[4]));
            if ((IRVal)a[0] != IR_NONE) {
                *ref_loc(e, a[0]) = r;
            }
            break;
        }
        case IR_insn_start:
            e->insn_pc = a[0];
            break;
        case IR_goto_tb:
        case IR_exit_tb:
            return (unsigned)a[0];
        default:
            *ref_loc(e, a[0]) = ref_alu(op->opc, ref_get(e, a[1]),
                                        ir_op_defs[op->opc].nb_ins > 1 ? ref_get(e, a[2]) : 0);
            break;
        }
    }
    return IR_EXIT_NOCHAIN;
}

typedef struct Snapshot {
    uint64_t regs[NB_REGS];
    uint64_t insn_pc;
    uint8_t bytes[64];
    uint8_t ram[RAM_SIZE];
    unsigned exit;
} Snapshot;

static void snap(Snapshot *s, unsigned exitv)
{
    memcpy(s->regs, env->regs, sizeof(s->regs));
    s->insn_pc = env->insn_pc;
    memcpy(s->bytes, env->bytes, sizeof(s->bytes));
    memcpy(s->ram, ram, sizeof(ram));
    s->exit = exitv;
}

static void restore_initial(const FakeEnv *init_env, const uint8_t *init_ram)
{
    memcpy(env, init_env, sizeof(*env));
    memcpy(ram, init_ram, sizeof(ram));
}

static void compare_snap(const Snapshot *want, const Snapshot *got, const char *what,
                         uint64_t seed, const char *dump_before)
{
    int i;
    char *dump;

    if (memcmp(want->regs, got->regs, sizeof(want->regs)) == 0 && want->exit == got->exit &&
        want->insn_pc == got->insn_pc && memcmp(want->bytes, got->bytes, sizeof(want->bytes)) == 0 &&
        memcmp(want->ram, got->ram, sizeof(want->ram)) == 0) {
        return;
    }
    dump = dump_to_string();
    fprintf(stderr, "seed %#" PRIx64 ": %s differs from the reference\n--- block\n%s--- now\n%s",
            seed, what, dump_before, dump);
    for (i = 0; i < NB_REGS; i++) {
        if (want->regs[i] != got->regs[i]) {
            fprintf(stderr, "r%d: want %#" PRIx64 " got %#" PRIx64 "\n", i, want->regs[i],
                    got->regs[i]);
        }
    }
    fprintf(stderr, "exit want %u got %u; pc want %#" PRIx64 " got %#" PRIx64 "\n",
            want->exit, got->exit, want->insn_pc, got->insn_pc);
    free(dump);
    ck_abort_msg("seed %#" PRIx64 ": %s differs", seed, what);
}

START_TEST(test_random_blocks_vs_reference)
{
    static Snapshot ref, got;
    static uint8_t init_ram[RAM_SIZE];
    FakeEnv *init_env = malloc(sizeof(*init_env));
    long iter, iters = getenv("TEST_IR_ITERS") ? atol(getenv("TEST_IR_ITERS")) : 3000;
    long total_before = 0, total_after = 0;
    int i;

    for (iter = 0; iter < iters; iter++) {
        uint64_t seed = 0x9e3779b97f4a7c15ull * (iter + 1) + (uint64_t)_i * 0x1234567;
        IRCode *code;
        uintptr_t r;
        char *before;

        rng_state = seed | 1;
        /* initial state */
        for (i = 0; i < NB_REGS; i++) {
            env->regs[i] = rand_constant();
        }
        for (i = 0; i < 64; i++) {
            env->bytes[i] = rnd();
        }
        for (i = 0; i < RAM_SIZE; i += 8) {
            uint64_t v = rnd();
            memcpy(&ram[i], &v, 8);
        }
        env->insn_pc = 0;
        env->exit_request = 0;
        memcpy(init_env, env, sizeof(*env));
        memcpy(init_ram, ram, sizeof(ram));

        gen_block(5 + rndn(40));
        before = dump_to_string();
        total_before += ir_nb_ops(b);

        /* reference */
        ref.exit = ref_run(env);
        snap(&ref, ref.exit);

        /* interpreter, unoptimised; the frame starts dirty */
        restore_initial(init_env, init_ram);
        memset(env->frame, 0xa5, sizeof(env->frame));
        code = ir_compile(b, NULL);
        r = ir_exec(env, code);
        ir_code_free(code);
        snap(&got, IR_EXIT_VALUE(r));
        compare_snap(&ref, &got, "interp", seed, before);

        /* optimised, on the interpreter and on the reference */
        ir_optimize(b);
        total_after += ir_nb_ops(b);
        restore_initial(init_env, init_ram);
        code = ir_compile(b, NULL);
        r = ir_exec(env, code);
        ir_code_free(code);
        snap(&got, IR_EXIT_VALUE(r));
        compare_snap(&ref, &got, "optimised interp", seed, before);

        restore_initial(init_env, init_ram);
        got.exit = ref_run(env);
        snap(&got, got.exit);
        compare_snap(&ref, &got, "optimised reference", seed, before);
        free(before);
    }
    /* The optimiser must actually do something on these blocks. */
    if (getenv("TEST_IR_VERBOSE")) {
        fprintf(stderr, "random blocks: %ld ops before, %ld after optimisation\n",
                total_before, total_after);
    }
    ck_assert_int_lt(total_after, total_before * 9 / 10);
    free(init_env);
}
END_TEST

static Suite *ir_suite(void)
{
    Suite *s = suite_create("tcg-lite-ir");
    TCase *tc;

    tc = tcase_create("ops");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_binary_ops);
    tcase_add_loop_test(tc, test_binary_same_operand, 0, 2);
    tcase_add_test(tc, test_unary_ops);
    tcase_add_loop_test(tc, test_mov_movi, 0, 2);
    tcase_add_test(tc, test_cond_eval);
    tcase_add_test(tc, test_setcond_all);
    tcase_add_test(tc, test_brcond_all);
    tcase_add_test(tc, test_movcond_all);
    tcase_add_test(tc, test_mul2);
    suite_add_tcase(s, tc);

    tc = tcase_create("control");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_loop_sum, 0, 2);
    tcase_add_loop_test(tc, test_loop_temp_lifetimes, 0, 2);
    tcase_add_loop_test(tc, test_nested_loops, 0, 2);
    tcase_add_loop_test(tc, test_early_exit, 0, 2);
    tcase_add_test(tc, test_fall_off_end);
    tcase_add_test(tc, test_exit_values);
    tcase_add_test(tc, test_insn_start);
    tcase_add_test(tc, test_exit_request);
    tcase_add_test(tc, test_chain_two_blocks);
    suite_add_tcase(s, tc);

    tc = tcase_create("memory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_ld_st_env, 0, 2);
    tcase_add_loop_test(tc, test_guest_fast_path, 0, 2);
    tcase_add_loop_test(tc, test_guest_slow_path, 0, 2);
    tcase_add_test(tc, test_slow_path_longjmp);
    suite_add_tcase(s, tc);

    tc = tcase_create("calls");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_call_args);
    tcase_add_loop_test(tc, test_call_sees_and_changes_globals, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("builder");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_values);
    tcase_add_test(tc, test_temp_free_reuse);
    tcase_add_test(tc, test_full);
    tcase_add_test(tc, test_many_temps_frame);
    tcase_add_test(tc, test_dump);
    tcase_add_test(tc, test_dump_to_log);
    suite_add_tcase(s, tc);

    tc = tcase_create("optimizer");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_opt_folds_constants);
    tcase_add_test(tc, test_opt_copy_propagation);
    tcase_add_test(tc, test_opt_retarget_output);
    tcase_add_test(tc, test_opt_branch_folding);
    tcase_add_test(tc, test_opt_dead_temps);
    tcase_add_loop_test(tc, test_opt_temps_live_across_labels, 0, 2);
    tcase_add_test(tc, test_opt_globals_invalidated);
    tcase_add_test(tc, test_opt_known_zero_extension);
    tcase_add_test(tc, test_opt_dead_global_writes);
    tcase_add_loop_test(tc, test_random_blocks_vs_reference, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed, i;

    for (i = 0; i < NB_REGS; i++) {
        char name[16];
        snprintf(name, sizeof(name), "r%d", i);
        G[i] = ir_global(offsetof(FakeEnv, regs[i]), name);
    }
    ir_runtime.tlb_offset = offsetof(FakeEnv, tlb);
    ir_runtime.insn_pc_offset = offsetof(FakeEnv, insn_pc);
    ir_runtime.exit_request_offset = offsetof(FakeEnv, exit_request);
    ir_runtime.frame_offset = offsetof(FakeEnv, frame);
    ir_runtime.ld_slow = fake_ld_slow;
    ir_runtime.st_slow = fake_st_slow;

    sr = srunner_create(ir_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

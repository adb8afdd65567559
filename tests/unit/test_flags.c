/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_flags.c — x86 lazy condition codes (cpu/x86/cc_helper.c) against the
 * host CPU: each of ADD ADC SUB SBB AND OR XOR INC DEC NEG SHL SHR SAR MUL IMUL (one-,
 * two-operand) at every operand size is executed natively with inline assembly (flags in
 * through POPF, out through PUSHF), and the same operation is recorded into
 * env->cc_op/cc_dst/cc_src/cc_src2 the way the translator records it; x86_eflags_get()
 * must give the native flags for every flag the SDM defines for that instruction.
 * Also: x86_eflags_set/get round trips, x86_cc_compute_c, and the RCL/RCR and DIV/IDIV
 * helpers of int_helper.c (non-faulting cases) against the host.
 * Needs an x86-64 host. Not covered: the translator's inline conditions (guest tests).
 */
#include "cpu/x86/translate.h"
#include <check.h>

#if !defined(__x86_64__)
#error "test_flags needs an x86-64 host (native oracle)"
#endif

static X86CPU env_storage;
static X86CPU *env = &env_storage;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

static const uint64_t edge[] = {
    0, 1, 2, 3, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x100, 0x7fff, 0x8000, 0x8001,
    0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
    0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
    0xfffffffffffffffeull, 0xffffffffffffffffull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull,
};
#define NEDGE ((int)ARRAY_SIZE(edge))

static uint64_t mask_of(int ot)
{
    return ot == 3 ? ~0ull : (1ull << (8 << ot)) - 1;
}

static uint64_t sext(uint64_t v, int ot)
{
    switch (ot) {
    case 0:
        return (uint64_t)(int64_t)(int8_t)v;
    case 1:
        return (uint64_t)(int64_t)(int16_t)v;
    case 2:
        return (uint64_t)(int64_t)(int32_t)v;
    default:
        return v;
    }
}

/* ---- native execution ---- */

/* The asm moves rsp below the red zone before pushing. */
#define PRE "lea -128(%%rsp), %%rsp\n\tpush %[fin]\n\tpopfq\n\t"
#define POST "\n\tpushfq\n\tpop %[fl]\n\tlea 128(%%rsp), %%rsp"

typedef uint64_t (*NatFn)(uint64_t a, uint64_t b, uint64_t fin, uint64_t *r, uint64_t *r2);

#define BIN1(name, insn, T)                                                              \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t fin, uint64_t *r, uint64_t *r2) \
    {                                                                                    \
        T x = (T)a, y = (T)b;                                                            \
        uint64_t fl;                                                                     \
        asm volatile(PRE insn " %[y], %[x]" POST                                         \
                     : [x] "+r"(x), [fl] "=&r"(fl)                                       \
                     : [y] "r"(y), [fin] "r"(fin)                                        \
                     : "cc", "memory");                                                  \
        *r = x;                                                                          \
        *r2 = 0;                                                                         \
        return fl;                                                                       \
    }
#define BIN(op)                                \
    BIN1(nat_##op##_0, #op "b", uint8_t)       \
    BIN1(nat_##op##_1, #op "w", uint16_t)      \
    BIN1(nat_##op##_2, #op "l", uint32_t)      \
    BIN1(nat_##op##_3, #op "q", uint64_t)

BIN(add)
BIN(adc)
BIN(sub)
BIN(sbb)
BIN(and)
BIN(or)
BIN(xor)

#define UN1(name, insn, T)                                                               \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t fin, uint64_t *r, uint64_t *r2) \
    {                                                                                    \
        T x = (T)a;                                                                      \
        uint64_t fl;                                                                     \
        (void)b;                                                                         \
        asm volatile(PRE insn " %[x]" POST                                               \
                     : [x] "+r"(x), [fl] "=&r"(fl)                                       \
                     : [fin] "r"(fin)                                                    \
                     : "cc", "memory");                                                  \
        *r = x;                                                                          \
        *r2 = 0;                                                                         \
        return fl;                                                                       \
    }
#define UN(op)                                 \
    UN1(nat_##op##_0, #op "b", uint8_t)        \
    UN1(nat_##op##_1, #op "w", uint16_t)       \
    UN1(nat_##op##_2, #op "l", uint32_t)       \
    UN1(nat_##op##_3, #op "q", uint64_t)

UN(inc)
UN(dec)
UN(neg)

#define SH1(name, insn, T)                                                               \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t fin, uint64_t *r, uint64_t *r2) \
    {                                                                                    \
        T x = (T)a;                                                                      \
        uint8_t c = (uint8_t)b;                                                          \
        uint64_t fl;                                                                     \
        asm volatile(PRE insn " %%cl, %[x]" POST                                         \
                     : [x] "+r"(x), [fl] "=&r"(fl)                                       \
                     : "c"(c), [fin] "r"(fin)                                            \
                     : "cc", "memory");                                                  \
        *r = x;                                                                          \
        *r2 = 0;                                                                         \
        return fl;                                                                       \
    }
#define SH(op)                                 \
    SH1(nat_##op##_0, #op "b", uint8_t)        \
    SH1(nat_##op##_1, #op "w", uint16_t)       \
    SH1(nat_##op##_2, #op "l", uint32_t)       \
    SH1(nat_##op##_3, #op "q", uint64_t)

SH(shl)
SH(shr)
SH(sar)
SH(rcl)
SH(rcr)

/* one-operand MUL/IMUL: rAX (AL) times y into rDX:rAX (AX) */
#define MUL8(name, insn)                                                                 \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t fin, uint64_t *r, uint64_t *r2) \
    {                                                                                    \
        uint16_t ax = (uint8_t)a;                                                        \
        uint8_t y = (uint8_t)b;                                                          \
        uint64_t fl;                                                                     \
        asm volatile(PRE insn " %[y]" POST                                               \
                     : "+a"(ax), [fl] "=&r"(fl)                                          \
                     : [y] "q"(y), [fin] "r"(fin)                                        \
                     : "cc", "memory");                                                  \
        *r = ax & 0xff;                                                                  \
        *r2 = ax >> 8;                                                                   \
        return fl;                                                                       \
    }
#define MULN(name, insn, T)                                                              \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t fin, uint64_t *r, uint64_t *r2) \
    {                                                                                    \
        T ax = (T)a, dx, y = (T)b;                                                       \
        uint64_t fl;                                                                     \
        asm volatile(PRE insn " %[y]" POST                                               \
                     : "+a"(ax), "=d"(dx), [fl] "=&r"(fl)                                \
                     : [y] "r"(y), [fin] "r"(fin)                                        \
                     : "cc", "memory");                                                  \
        *r = ax;                                                                         \
        *r2 = dx;                                                                        \
        return fl;                                                                       \
    }
MUL8(nat_mul_0, "mulb")
MULN(nat_mul_1, "mulw", uint16_t)
MULN(nat_mul_2, "mull", uint32_t)
MULN(nat_mul_3, "mulq", uint64_t)
MUL8(nat_imul1_0, "imulb")
MULN(nat_imul1_1, "imulw", uint16_t)
MULN(nat_imul1_2, "imull", uint32_t)
MULN(nat_imul1_3, "imulq", uint64_t)

/* two-operand IMUL (no byte form) */
BIN1(nat_imul2_1, "imulw", uint16_t)
BIN1(nat_imul2_2, "imull", uint32_t)
BIN1(nat_imul2_3, "imulq", uint64_t)

static NatFn nat_table[][4] = {
#define ROW(op) { nat_##op##_0, nat_##op##_1, nat_##op##_2, nat_##op##_3 }
    ROW(add), ROW(adc), ROW(sub), ROW(sbb), ROW(and), ROW(or), ROW(xor),
    ROW(inc), ROW(dec), ROW(neg), ROW(shl), ROW(shr), ROW(sar), ROW(mul), ROW(imul1),
    { NULL, nat_imul2_1, nat_imul2_2, nat_imul2_3 },
    ROW(rcl), ROW(rcr),
#undef ROW
};

enum { T_ADD, T_ADC, T_SUB, T_SBB, T_AND, T_OR, T_XOR, T_INC, T_DEC, T_NEG, T_SHL, T_SHR,
       T_SAR, T_MUL, T_IMUL1, T_IMUL2, T_RCL, T_RCR, T_COUNT };
static const char *const op_names[T_COUNT] = {
    "add", "adc", "sub", "sbb", "and", "or", "xor", "inc", "dec", "neg", "shl", "shr", "sar",
    "mul", "imul1", "imul2", "rcl", "rcr",
};

/* ---- the translator's recording, computed independently of cc_helper.c ---- */

static void set_state(int op, uint64_t dst, uint64_t src, uint64_t src2)
{
    env->cc_op = op;
    env->cc_dst = dst;
    env->cc_src = src;
    env->cc_src2 = src2;
}

/* Records the lazy state for (op, ot, a, b, flags in); returns the flags the SDM defines
 * for this case, and the expected result in *res / *res2. */
static uint64_t model(int t, int ot, uint64_t a, uint64_t b, uint64_t fin, uint64_t *res,
                      uint64_t *res2)
{
    uint64_t m = mask_of(ot), cin = fin & 1, r;
    int n = 8 << ot;
    unsigned c;

    a &= m;
    b &= m;
    *res2 = 0;
    switch (t) {
    case T_ADD:
        r = (a + b) & m;
        set_state(CC_OP_ADDB + ot, r, b, 0);
        *res = r;
        return CC_MASK;
    case T_ADC:
        r = (a + b + cin) & m;
        set_state(CC_OP_ADCB + ot, r, b, cin);
        *res = r;
        return CC_MASK;
    case T_SUB:
        r = (a - b) & m;
        set_state(CC_OP_SUBB + ot, r, b, 0);
        *res = r;
        return CC_MASK;
    case T_SBB:
        r = (a - b - cin) & m;
        set_state(CC_OP_SBBB + ot, r, b, cin);
        *res = r;
        return CC_MASK;
    case T_AND:
    case T_OR:
    case T_XOR:
        r = t == T_AND ? a & b : t == T_OR ? a | b : a ^ b;
        set_state(CC_OP_LOGICB + ot, r, 0, 0);
        *res = r;
        return CC_MASK & ~CC_A;
    case T_INC:
    case T_DEC:
        r = (t == T_INC ? a + 1 : a - 1) & m;
        set_state((t == T_INC ? CC_OP_INCB : CC_OP_DECB) + ot, r, cin, 0);
        *res = r;
        return CC_MASK;
    case T_NEG:
        r = (0 - a) & m;
        set_state(CC_OP_SUBB + ot, r, a, 0);
        *res = r;
        return CC_MASK;
    case T_SHL:
    case T_SHR:
    case T_SAR:
        c = (unsigned)b & (ot == 3 ? 63 : 31);
        if (c == 0) {
            set_state(CC_OP_EFLAGS, 0, fin & CC_MASK, 0);
            *res = a;
            return CC_MASK;
        }
        if (t == T_SHL) {
            r = c >= 64 ? 0 : (a << c) & m;
            set_state(CC_OP_SHLB + ot, r, (a << (c - 1)) & m, 0);
        } else if (t == T_SHR) {
            r = a >> c;
            set_state(CC_OP_SARB + ot, r, a >> (c - 1), 0);
        } else {
            int64_t sv = (int64_t)sext(a, ot);
            r = (uint64_t)(sv >> c) & m;
            set_state(CC_OP_SARB + ot, r, (uint64_t)(sv >> (c - 1)) & m, 0);
        }
        *res = r;
        /* AF undefined; OF only for a count of 1; CF undefined for counts >= size */
        return (CC_MASK & ~CC_A & ~(c == 1 ? 0 : CC_O) & ~((int)c >= n ? CC_C : 0));
    case T_MUL: {
        unsigned __int128 p = (unsigned __int128)a * b;
        uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> n) & m;
        set_state(CC_OP_MULB + ot, lo, hi, 0);
        *res = lo;
        *res2 = hi;
        return CC_C | CC_O;
    }
    case T_IMUL1:
    case T_IMUL2: {
        __int128 p = (__int128)(int64_t)sext(a, ot) * (__int128)(int64_t)sext(b, ot);
        uint64_t lo = (uint64_t)p & m;
        bool ovf = p != (__int128)(int64_t)sext(lo, ot);
        set_state(CC_OP_MULB + ot, lo, ovf ? 1 : 0, 0);
        *res = lo;
        *res2 = (uint64_t)(p >> n) & m;
        if (t == T_IMUL2) {
            *res2 = 0;
        }
        return CC_C | CC_O;
    }
    default:
        return 0;
    }
}

static void check_one(int t, int ot, uint64_t a, uint64_t b, uint64_t fin)
{
    uint64_t r, r2, er, er2, nf, ef, def;
    NatFn fn = nat_table[t][ot];

    fin = (fin & CC_MASK) | 2;
    nf = fn(a, b, fin, &r, &r2) & CC_MASK;
    memset(env, 0, offsetof(X86CPU, segs));
    env->df = 1;
    env->eflags = 2;
    def = model(t, ot, a, b, fin, &er, &er2);
    ef = x86_eflags_get(env);
    ck_assert_msg((ef & def) == (nf & def),
                  "%s size %d a=%#" PRIx64 " b=%#" PRIx64 " fin=%#" PRIx64
                  ": flags %#" PRIx64 " expected %#" PRIx64 " (defined %#" PRIx64 ")",
                  op_names[t], 1 << ot, a & mask_of(ot), b & mask_of(ot), fin, ef & CC_MASK,
                  nf, def);
    ck_assert_msg(r == er && r2 == er2,
                  "%s size %d a=%#" PRIx64 " b=%#" PRIx64 ": result %#" PRIx64 ":%#" PRIx64
                  " model %#" PRIx64 ":%#" PRIx64, op_names[t], 1 << ot, a, b, r2, r, er2, er);
    if (def & CC_C) {
        ck_assert_msg(x86_cc_compute_c(env) == ((nf & CC_C) ? 1 : 0),
                      "%s size %d: compute_c", op_names[t], 1 << ot);
    }
    ck_assert_msg((ef & ~(uint64_t)CC_MASK) == 2, "%s: non-CC bits %#" PRIx64, op_names[t], ef);
}

static void run_op(int t, int ot, bool shift)
{
    int i, j, k;

    for (i = 0; i < NEDGE; i++) {
        for (j = 0; j < NEDGE; j++) {
            for (k = 0; k < 4; k++) {
                uint64_t fin = k == 0 ? 0 : k == 1 ? CC_MASK : (k == 2 ? CC_C : CC_A | CC_Z);
                uint64_t b = shift ? (uint64_t)(j % 34) : edge[j];
                if (shift && j >= 34) {
                    continue;
                }
                check_one(t, ot, edge[i], b, fin);
            }
        }
    }
    for (i = 0; i < 20000; i++) {
        uint64_t a = rnd(), b = rnd(), fin = rnd();
        if (shift) {
            b &= 0x7f;
        }
        check_one(t, ot, a, b, fin);
    }
}

#define OP_TEST(name, t, shift)                        \
    START_TEST(test_##name)                            \
    {                                                  \
        for (int ot = 0; ot < 4; ot++) {               \
            run_op(t, ot, shift);                      \
        }                                              \
    }                                                  \
    END_TEST

OP_TEST(add, T_ADD, false)
OP_TEST(adc, T_ADC, false)
OP_TEST(sub, T_SUB, false)
OP_TEST(sbb, T_SBB, false)
OP_TEST(and, T_AND, false)
OP_TEST(or, T_OR, false)
OP_TEST(xor, T_XOR, false)
OP_TEST(inc, T_INC, false)
OP_TEST(dec, T_DEC, false)
OP_TEST(neg, T_NEG, false)
OP_TEST(shl, T_SHL, true)
OP_TEST(shr, T_SHR, true)
OP_TEST(sar, T_SAR, true)
OP_TEST(mul, T_MUL, false)
OP_TEST(imul1, T_IMUL1, false)

START_TEST(test_imul2)
{
    for (int ot = 1; ot < 4; ot++) {
        run_op(T_IMUL2, ot, false);
    }
}
END_TEST

/* CC_OP_CLR (xor r,r) and CC_OP_EFLAGS */
START_TEST(test_clr_eflags)
{
    memset(env, 0, offsetof(X86CPU, segs));
    env->df = 1;
    env->eflags = 2;
    env->cc_op = CC_OP_CLR;
    ck_assert_uint_eq(x86_eflags_get(env), 2 | CC_Z | CC_P);
    ck_assert_uint_eq(x86_cc_compute_c(env), 0);
    for (int i = 0; i < 1000; i++) {
        uint64_t f = rnd() & CC_MASK;
        env->cc_op = CC_OP_EFLAGS;
        env->cc_src = f;
        ck_assert_uint_eq(x86_eflags_get(env), 2 | f);
        ck_assert_uint_eq(x86_cc_compute_c(env), f & 1);
    }
}
END_TEST

START_TEST(test_eflags_set_get)
{
    for (int i = 0; i < 5000; i++) {
        uint64_t v = rnd() & 0x3f7fd7, mask = rnd() & 0x3f7fd7, before, after, want;

        memset(env, 0, offsetof(X86CPU, segs));
        env->eflags = (rnd() & 0x3f7fd7 & ~(uint64_t)(CC_MASK | DF_MASK)) | 2;
        env->df = (rnd() & 1) ? (uint64_t)-1 : 1;
        env->cc_op = CC_OP_ADDB + (rnd() & 3);
        env->cc_dst = rnd();
        env->cc_src = rnd();
        before = x86_eflags_get(env);
        x86_eflags_set(env, v, mask);
        after = x86_eflags_get(env);
        want = ((before & ~mask) | (v & mask)) | 2;
        ck_assert_msg(after == want, "set %#" PRIx64 " mask %#" PRIx64 ": %#" PRIx64
                      " want %#" PRIx64, v, mask, after, want);
        ck_assert((env->eflags & (CC_MASK | DF_MASK)) == 0);
    }
}
END_TEST

/* RCL/RCR through helper_rotc (int_helper.c), as the translator calls it */
static void check_rot(int t, int ot, uint64_t a, uint64_t cnt, uint64_t fin)
{
    uint64_t r, r2, nf, mode, res, fl, def;
    unsigned c = (unsigned)cnt & (ot == 3 ? 63 : 31);

    fin = (fin & CC_MASK) | 2;
    nf = nat_table[t][ot](a, cnt, fin, &r, &r2) & CC_MASK;
    mode = ot | (t == T_RCR ? 4 : 0);
    res = helper_rotc(env, a & mask_of(ot), c, mode, fin & CC_MASK);
    fl = helper_rotc(env, a & mask_of(ot), c, mode | 8, fin & CC_MASK);
    def = CC_C | (c == 1 ? CC_O : 0);
    ck_assert_msg(res == r, "%s size %d a=%#" PRIx64 " c=%u: %#" PRIx64 " want %#" PRIx64,
                  op_names[t], 1 << ot, a, c, res, r);
    ck_assert_msg((fl & def) == (nf & def), "%s size %d a=%#" PRIx64 " c=%u fin=%#" PRIx64
                  ": flags %#" PRIx64 " want %#" PRIx64, op_names[t], 1 << ot, a, c, fin,
                  fl, nf);
    /* SF ZF AF PF are kept */
    ck_assert((fl & (CC_S | CC_Z | CC_A | CC_P)) == (fin & (CC_S | CC_Z | CC_A | CC_P)));
}

START_TEST(test_rcl_rcr)
{
    for (int ot = 0; ot < 4; ot++) {
        for (int i = 0; i < 20000; i++) {
            uint64_t a = rnd(), cnt = rnd() & 0x7f, fin = rnd();
            check_rot(T_RCL, ot, a, cnt, fin);
            check_rot(T_RCR, ot, a, cnt, fin);
        }
    }
}
END_TEST

/* DIV/IDIV helpers on inputs that do not fault */
START_TEST(test_div)
{
    for (int ot = 0; ot < 4; ot++) {
        for (int i = 0; i < 20000; i++) {
            uint64_t m = mask_of(ot), d = rnd() & m, ax = rnd(), dx = rnd();
            bool sgn = i & 1;
            uint64_t eq, er;

            if (ot == 3) {
                /* keep the quotient in range: high part below the divisor */
                if (d == 0) {
                    d = 1;
                }
                if (sgn) {
                    dx = (int64_t)ax < 0 ? ~0ull : 0;
                    if (d == ~0ull && ax == 1ull << 63) {
                        continue;
                    }
                } else {
                    dx %= d;
                }
                memset(env, 0, offsetof(X86CPU, segs));
                env->regs[R_EAX] = ax;
                env->regs[R_EDX] = dx;
                if (sgn) {
                    asm("idivq %[d]" : "=a"(eq), "=d"(er) : "a"(ax), "d"(dx), [d] "r"(d) : "cc");
                    helper_idiv(env, d, 3, 0, 0);
                } else {
                    asm("divq %[d]" : "=a"(eq), "=d"(er) : "a"(ax), "d"(dx), [d] "r"(d) : "cc");
                    helper_div(env, d, 3, 0, 0);
                }
                ck_assert(env->regs[R_EAX] == eq && env->regs[R_EDX] == er);
                continue;
            }
            {
                int n = 8 << ot;
                uint64_t num = ot == 0 ? (ax & 0xffff) : (((dx & m) << n) | (ax & m));
                uint64_t q, rem;
                if (d == 0) {
                    d = 1;
                }
                if (sgn) {
                    int64_t sn = ot == 0 ? (int16_t)num : ot == 1 ? (int32_t)num : (int64_t)num;
                    int64_t sd = (int64_t)sext(d, ot), sq;
                    sq = sn / sd;
                    if (sq != (int64_t)sext((uint64_t)sq, ot)) {
                        continue;
                    }
                    q = (uint64_t)sq & m;
                    rem = (uint64_t)(sn % sd) & m;
                } else {
                    if (num / d > m) {
                        continue;
                    }
                    q = num / d;
                    rem = num % d;
                }
                memset(env, 0, offsetof(X86CPU, segs));
                env->regs[R_EAX] = ax;
                env->regs[R_EDX] = dx;
                (sgn ? helper_idiv : helper_div)(env, d, ot, 0, 0);
                if (ot == 0) {
                    ck_assert((env->regs[R_EAX] & 0xffff) == (q | (rem << 8)));
                    ck_assert((env->regs[R_EAX] >> 16) == (ax >> 16));
                } else {
                    ck_assert((env->regs[R_EAX] & m) == q);
                    ck_assert((env->regs[R_EDX] & m) == rem);
                }
            }
        }
    }
}
END_TEST

static Suite *flags_suite(void)
{
    Suite *s = suite_create("x86 flags");
    TCase *tc = tcase_create("lazy flags vs host");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_add);
    tcase_add_test(tc, test_adc);
    tcase_add_test(tc, test_sub);
    tcase_add_test(tc, test_sbb);
    tcase_add_test(tc, test_and);
    tcase_add_test(tc, test_or);
    tcase_add_test(tc, test_xor);
    tcase_add_test(tc, test_inc);
    tcase_add_test(tc, test_dec);
    tcase_add_test(tc, test_neg);
    tcase_add_test(tc, test_shl);
    tcase_add_test(tc, test_shr);
    tcase_add_test(tc, test_sar);
    tcase_add_test(tc, test_mul);
    tcase_add_test(tc, test_imul1);
    tcase_add_test(tc, test_imul2);
    tcase_add_test(tc, test_clr_eflags);
    tcase_add_test(tc, test_eflags_set_get);
    tcase_add_test(tc, test_rcl_rcr);
    tcase_add_test(tc, test_div);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(flags_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

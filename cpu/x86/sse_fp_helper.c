/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/sse_fp_helper.c — the floating-point IR helpers of SSE, SSE2, SSE3 and SSE4.1
 * (Intel SDM vol. 1 ch. 10-11, vol. 2 instruction pages): packed and scalar add, sub, mul,
 * div, sqrt, min, max, reciprocal approximations, compares (CMPccPS.. predicates 0-7,
 * COMISS/UCOMISS/COMISD/UCOMISD), horizontal and alternating add/sub, dot products, ROUND*,
 * and every CVT* between int32/int64/float/double, with MXCSR rounding, DAZ, FTZ, the six
 * exception flags and their masks.
 *
 * How: add, sub, mul, div, sqrt and the conversions to floating point are host C float and
 * double operations (the project's hosts are x86-64, where C floats are SSE scalars): the
 * host MXCSR is loaded with the guest's rounding control, DAZ and FTZ and every exception
 * masked, the operation runs, and the host's flags become the guest's. So results,
 * rounding, overflow/underflow, denormal and precision flags are those of the hardware.
 * What the C operators cannot express is done in software here: the SSE rule that a NaN
 * result is the first NaN source quieted (C may swap commutative operands), min/max,
 * compares, the conversions to integers (indefinite 0x80000000.., truncation) and ROUND*
 * (both by exact integer manipulation of the encodings), RCP/RSQRT (exact 1/x and
 * 1/sqrt(x) rounded to single precision, which is within the SDM's 1.5 * 2^-12 relative
 * error; no flags, denormal inputs read as zero, denormal results flushed to zero).
 * On a host other than x86 the rounding and flags come from <fenv.h>: DAZ, FTZ and the
 * denormal flag are then not modelled.
 *
 * Exceptions: the flags of all elements are or-ed into MXCSR; if one of them is unmasked
 * the destination is left unchanged and #XM is raised (#UD while CR4.OSXMMEXCPT is 0).
 * Not modelled: that hardware skips the post-computation flags (OE UE PE) of an
 * instruction whose pre-computation exception (IE DE ZE) is unmasked.
 */
#include "cpu/x86/sse_helper.h"
#include <math.h>

#if defined(__x86_64__) || defined(__i386__)
#define HOST_MXCSR 1
/* Makes the compiler compute x here (in an SSE register) and not drop or move the op. */
#define FORCE(x) __asm__ volatile("" : "+x"(x))
#else
#define HOST_MXCSR 0
#include <fenv.h>
#define FORCE(x) __asm__ volatile("" : "+m"(x))
#endif

static inline X86XMMReg reg_copy(void *env, uint64_t off)
{
    X86XMMReg r;

    memcpy(&r, (char *)env + off, sizeof(r));
    return r;
}

static inline void reg_put(void *env, uint64_t off, const void *r, unsigned nb)
{
    memcpy((char *)env + off, r, nb);
}

static inline float f32(uint32_t v)
{
    float f;

    memcpy(&f, &v, 4);
    return f;
}

static inline uint32_t b32(float f)
{
    uint32_t v;

    memcpy(&v, &f, 4);
    return v;
}

static inline double f64(uint64_t v)
{
    double d;

    memcpy(&d, &v, 8);
    return d;
}

static inline uint64_t b64(double d)
{
    uint64_t v;

    memcpy(&v, &d, 8);
    return v;
}

#define S32 0x80000000u
#define Q32 0x00400000u                 /* quiet bit */
#define S64 0x8000000000000000ull
#define Q64 0x0008000000000000ull

static inline bool nan32(uint32_t a)
{
    return (a & ~S32) > 0x7f800000u;
}

static inline bool snan32(uint32_t a)
{
    return nan32(a) && !(a & Q32);
}

static inline bool den32(uint32_t a)
{
    return (a & 0x7f800000u) == 0 && (a & 0x007fffffu) != 0;
}

static inline bool nan64(uint64_t a)
{
    return (a & ~S64) > 0x7ff0000000000000ull;
}

static inline bool snan64(uint64_t a)
{
    return nan64(a) && !(a & Q64);
}

static inline bool den64(uint64_t a)
{
    return (a & 0x7ff0000000000000ull) == 0 && (a & 0x000fffffffffffffull) != 0;
}

/* ---- the floating-point environment of one instruction ---- */

typedef struct FpCtx {
    X86CPU *env;
    uint32_t host;          /* the host's MXCSR (or rounding mode) to restore */
    uint32_t soft;          /* flags found in software */
    bool daz;
} FpCtx;

/* Before reading the operands: the guest's rounding, DAZ and FTZ, no flags, all masked. */
static inline void fp_begin(X86CPU *env, FpCtx *c)
{
    c->env = env;
    c->soft = 0;
    c->daz = (env->mxcsr & MXCSR_DAZ) != 0;
#if HOST_MXCSR
    uint32_t csr = (env->mxcsr & (MXCSR_RC | MXCSR_DAZ | MXCSR_FTZ)) | MXCSR_MASKS;

    __asm__ volatile("stmxcsr %0" : "=m"(c->host));
    __asm__ volatile("ldmxcsr %0" : : "m"(csr) : "memory");
#else
    static const int modes[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };

    c->host = (uint32_t)fegetround();
    fesetround(modes[(env->mxcsr >> MXCSR_RC_SHIFT) & 3]);
    feclearexcept(FE_ALL_EXCEPT);
#endif
}

/* A context for helpers that compute everything in software (no host state touched). */
static inline void fp_soft(X86CPU *env, FpCtx *c)
{
    c->env = env;
    c->soft = 0;
    c->daz = (env->mxcsr & MXCSR_DAZ) != 0;
    c->host = 0;
}

/* The flags raised since fp_begin; the host state restored. `res` (the result, in memory)
 * is complete when this runs. */
static inline uint32_t fp_host_end(FpCtx *c, const X86XMMReg *res)
{
#if HOST_MXCSR
    uint32_t csr;

    __asm__ volatile("stmxcsr %0" : "=m"(csr) : "m"(*res) : "memory");
    __asm__ volatile("ldmxcsr %0" : : "m"(c->host) : "memory");
    return csr & MXCSR_FLAGS;
#else
    int e;
    uint32_t fl = 0;

    __asm__ volatile("" : : "m"(*res) : "memory");
    e = fetestexcept(FE_ALL_EXCEPT);
    fesetround((int)c->host);
    fl |= (e & FE_INVALID) ? MXCSR_IE : 0;
    fl |= (e & FE_DIVBYZERO) ? MXCSR_ZE : 0;
    fl |= (e & FE_OVERFLOW) ? MXCSR_OE : 0;
    fl |= (e & FE_UNDERFLOW) ? MXCSR_UE : 0;
    fl |= (e & FE_INEXACT) ? MXCSR_PE : 0;
    return fl;
#endif
}

int x86_sse_fp_exception(X86CPU *env, uint32_t flags)
{
    if (!(flags & ~(env->mxcsr >> 7) & MXCSR_FLAGS)) {
        return 0;
    }
    return (env->cr[4] & CR4_OSXMMEXCPT) ? EXCP13_XF : EXCP06_ILLOP;
}

/* Records the flags; raises the exception of an unmasked one (the result is then dropped). */
static void fp_commit(X86CPU *env, uint32_t flags)
{
    int vec;

    env->mxcsr |= flags;
    vec = x86_sse_fp_exception(env, flags);
    if (vec) {
        x86_raise_exception(env, vec);
    }
}

static inline void fp_end(FpCtx *c, const X86XMMReg *res)
{
    uint32_t fl = fp_host_end(c, res);

    fp_commit(c->env, fl | c->soft);
}

static inline void fp_soft_end(FpCtx *c)
{
    fp_commit(c->env, c->soft);
}

/* ---- arithmetic on the host, with the SSE NaN rules ---- */

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT };

/* The square root instruction itself: sqrtf() may call libm for negative inputs (errno),
 * whose extra arithmetic raises flags of its own. */
static inline float host_sqrtf(float x)
{
#if HOST_MXCSR
    float r;

    __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
    return r;
#else
    return __builtin_sqrtf(x);
#endif
}

static inline double host_sqrt(double x)
{
#if HOST_MXCSR
    double r;

    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
    return r;
#else
    return __builtin_sqrt(x);
#endif
}

static inline uint32_t f32_arith(int op, uint32_t a, uint32_t b)
{
    float x = f32(a), y = f32(b), r;

    switch (op) {
    case OP_ADD:
        r = x + y;
        break;
    case OP_SUB:
        r = x - y;
        break;
    case OP_MUL:
        r = x * y;
        break;
    case OP_DIV:
        r = x / y;
        break;
    default:
        r = host_sqrtf(y);
        break;
    }
    FORCE(r);
    /* a NaN result is the first NaN source, quieted (SDM vol. 1, table 4-7) */
    if (op != OP_SQRT && nan32(a)) {
        return a | Q32;
    }
    if (nan32(b)) {
        return b | Q32;
    }
    return b32(r);
}

static inline uint64_t f64_arith(int op, uint64_t a, uint64_t b)
{
    double x = f64(a), y = f64(b), r;

    switch (op) {
    case OP_ADD:
        r = x + y;
        break;
    case OP_SUB:
        r = x - y;
        break;
    case OP_MUL:
        r = x * y;
        break;
    case OP_DIV:
        r = x / y;
        break;
    default:
        r = host_sqrt(y);
        break;
    }
    FORCE(r);
    if (op != OP_SQRT && nan64(a)) {
        return a | Q64;
    }
    if (nan64(b)) {
        return b | Q64;
    }
    return b64(r);
}

#define FP_ARITH(name, op)                                                                  \
    IR_HELPER(helper_##name##ps)                                                            \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg d, s, r;                                                                  \
        fp_begin(env_, &c);                                                                 \
        d = reg_copy(env_, a0);                                                             \
        s = reg_copy(env_, a1);                                                             \
        for (int i = 0; i < 4; i++) {                                                       \
            r.l[i] = f32_arith(op, d.l[i], s.l[i]);                                         \
        }                                                                                   \
        fp_end(&c, &r);                                                                     \
        reg_put(env_, a0, &r, 16);                                                          \
        return 0;                                                                           \
    }                                                                                       \
    IR_HELPER(helper_##name##pd)                                                            \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg d, s, r;                                                                  \
        fp_begin(env_, &c);                                                                 \
        d = reg_copy(env_, a0);                                                             \
        s = reg_copy(env_, a1);                                                             \
        for (int i = 0; i < 2; i++) {                                                       \
            r.q[i] = f64_arith(op, d.q[i], s.q[i]);                                         \
        }                                                                                   \
        fp_end(&c, &r);                                                                     \
        reg_put(env_, a0, &r, 16);                                                          \
        return 0;                                                                           \
    }                                                                                       \
    IR_HELPER(helper_##name##ss)                                                            \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg d, s, r;                                                                  \
        fp_begin(env_, &c);                                                                 \
        d = reg_copy(env_, a0);                                                             \
        s = reg_copy(env_, a1);                                                             \
        r.l[0] = f32_arith(op, d.l[0], s.l[0]);                                             \
        fp_end(&c, &r);                                                                     \
        reg_put(env_, a0, &r, 4);                                                           \
        return 0;                                                                           \
    }                                                                                       \
    IR_HELPER(helper_##name##sd)                                                            \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg d, s, r;                                                                  \
        fp_begin(env_, &c);                                                                 \
        d = reg_copy(env_, a0);                                                             \
        s = reg_copy(env_, a1);                                                             \
        r.q[0] = f64_arith(op, d.q[0], s.q[0]);                                             \
        fp_end(&c, &r);                                                                     \
        reg_put(env_, a0, &r, 8);                                                           \
        return 0;                                                                           \
    }
FP_ARITH(add, OP_ADD)
FP_ARITH(sub, OP_SUB)
FP_ARITH(mul, OP_MUL)
FP_ARITH(div, OP_DIV)
FP_ARITH(sqrt, OP_SQRT)

/* ---- horizontal and alternating add/sub (SSE3), dot products (SSE4.1) ---- */

IR_HELPER(helper_haddps)
{
    FpCtx c;
    X86XMMReg d, s, r;

    fp_begin(env_, &c);
    d = reg_copy(env_, a0);
    s = reg_copy(env_, a1);
    r.l[0] = f32_arith(OP_ADD, d.l[0], d.l[1]);
    r.l[1] = f32_arith(OP_ADD, d.l[2], d.l[3]);
    r.l[2] = f32_arith(OP_ADD, s.l[0], s.l[1]);
    r.l[3] = f32_arith(OP_ADD, s.l[2], s.l[3]);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_hsubps)
{
    FpCtx c;
    X86XMMReg d, s, r;

    fp_begin(env_, &c);
    d = reg_copy(env_, a0);
    s = reg_copy(env_, a1);
    r.l[0] = f32_arith(OP_SUB, d.l[0], d.l[1]);
    r.l[1] = f32_arith(OP_SUB, d.l[2], d.l[3]);
    r.l[2] = f32_arith(OP_SUB, s.l[0], s.l[1]);
    r.l[3] = f32_arith(OP_SUB, s.l[2], s.l[3]);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_haddpd)
{
    FpCtx c;
    X86XMMReg d, s, r;

    fp_begin(env_, &c);
    d = reg_copy(env_, a0);
    s = reg_copy(env_, a1);
    r.q[0] = f64_arith(OP_ADD, d.q[0], d.q[1]);
    r.q[1] = f64_arith(OP_ADD, s.q[0], s.q[1]);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_hsubpd)
{
    FpCtx c;
    X86XMMReg d, s, r;

    fp_begin(env_, &c);
    d = reg_copy(env_, a0);
    s = reg_copy(env_, a1);
    r.q[0] = f64_arith(OP_SUB, d.q[0], d.q[1]);
    r.q[1] = f64_arith(OP_SUB, s.q[0], s.q[1]);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_addsubps)
{
    FpCtx c;
    X86XMMReg d, s, r;

    fp_begin(env_, &c);
    d = reg_copy(env_, a0);
    s = reg_copy(env_, a1);
    for (int i = 0; i < 4; i++) {
        r.l[i] = f32_arith((i & 1) ? OP_ADD : OP_SUB, d.l[i], s.l[i]);
    }
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_addsubpd)
{
    FpCtx c;
    X86XMMReg d, s, r;

    fp_begin(env_, &c);
    d = reg_copy(env_, a0);
    s = reg_copy(env_, a1);
    r.q[0] = f64_arith(OP_SUB, d.q[0], s.q[0]);
    r.q[1] = f64_arith(OP_ADD, d.q[1], s.q[1]);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

/* DPPS: the products selected by imm[7:4] (others +0), summed pairwise ((0+1) + (2+3)), to
 * the elements selected by imm[3:0] (others +0); every step rounded. */
IR_HELPER(helper_dpps)
{
    FpCtx c;
    X86XMMReg d, s, r;
    uint32_t t[4], sum;

    fp_begin(env_, &c);
    d = reg_copy(env_, a0);
    s = reg_copy(env_, a1);
    for (int i = 0; i < 4; i++) {
        t[i] = ((a2 >> (4 + i)) & 1) ? f32_arith(OP_MUL, d.l[i], s.l[i]) : 0;
    }
    sum = f32_arith(OP_ADD, f32_arith(OP_ADD, t[0], t[1]), f32_arith(OP_ADD, t[2], t[3]));
    for (int i = 0; i < 4; i++) {
        r.l[i] = ((a2 >> i) & 1) ? sum : 0;
    }
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_dppd)
{
    FpCtx c;
    X86XMMReg d, s, r;
    uint64_t t[2], sum;

    fp_begin(env_, &c);
    d = reg_copy(env_, a0);
    s = reg_copy(env_, a1);
    for (int i = 0; i < 2; i++) {
        t[i] = ((a2 >> (4 + i)) & 1) ? f64_arith(OP_MUL, d.q[i], s.q[i]) : 0;
    }
    sum = f64_arith(OP_ADD, t[0], t[1]);
    for (int i = 0; i < 2; i++) {
        r.q[i] = ((a2 >> i) & 1) ? sum : 0;
    }
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

/* ---- compares, min, max (software) ---- */

/* DAZ: a denormal source reads as a zero of its sign; without DAZ it raises DE. */
static inline uint32_t src32(FpCtx *c, uint32_t a)
{
    if (den32(a)) {
        if (c->daz) {
            return a & S32;
        }
        c->soft |= MXCSR_DE;
    }
    return a;
}

static inline uint64_t src64(FpCtx *c, uint64_t a)
{
    if (den64(a)) {
        if (c->daz) {
            return a & S64;
        }
        c->soft |= MXCSR_DE;
    }
    return a;
}

/* Keys that order non-NaN values as numbers (-0 == +0). */
static inline int64_t key32(uint32_t a)
{
    return (a & S32) ? -(int64_t)(a & ~S32) : (int64_t)a;
}

static inline int64_t key64(uint64_t a)
{
    return (a & S64) ? -(int64_t)(a & ~S64) : (int64_t)a;
}

/* -1 less, 0 equal, 1 greater, 2 unordered; signaling: IE on a QNaN too */
static int cmp32(FpCtx *c, uint32_t a, uint32_t b, bool signaling)
{
    int64_t ka, kb;

    if (nan32(a) || nan32(b)) {                 /* no DE then */
        if (signaling || snan32(a) || snan32(b)) {
            c->soft |= MXCSR_IE;
        }
        return 2;
    }
    a = src32(c, a);
    b = src32(c, b);
    ka = key32(a);
    kb = key32(b);
    return ka < kb ? -1 : ka > kb;
}

static int cmp64(FpCtx *c, uint64_t a, uint64_t b, bool signaling)
{
    int64_t ka, kb;

    if (nan64(a) || nan64(b)) {                 /* no DE then */
        if (signaling || snan64(a) || snan64(b)) {
            c->soft |= MXCSR_IE;
        }
        return 2;
    }
    a = src64(c, a);
    b = src64(c, b);
    ka = key64(a);
    kb = key64(b);
    return ka < kb ? -1 : ka > kb;
}

/* CMPPS predicates 0-7: EQ LT LE UNORD NEQ NLT NLE ORD; LT LE NLT NLE signal on QNaNs */
static bool cmp_pred(int rel, unsigned pred)
{
    switch (pred & 7) {
    case 0:
        return rel == 0;
    case 1:
        return rel == -1;
    case 2:
        return rel == -1 || rel == 0;
    case 3:
        return rel == 2;
    case 4:
        return rel != 0;
    case 5:
        return rel != -1;
    case 6:
        return rel != -1 && rel != 0;
    default:
        return rel != 2;
    }
}

static inline bool pred_signals(unsigned pred)
{
    pred &= 3;
    return pred == 1 || pred == 2;
}

IR_HELPER(helper_cmpps)
{
    FpCtx c;
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;

    fp_soft(env_, &c);
    for (int i = 0; i < 4; i++) {
        int rel = cmp32(&c, d.l[i], s.l[i], pred_signals((unsigned)a2));
        r.l[i] = cmp_pred(rel, (unsigned)a2) ? 0xffffffffu : 0;
    }
    fp_soft_end(&c);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_cmppd)
{
    FpCtx c;
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;

    fp_soft(env_, &c);
    for (int i = 0; i < 2; i++) {
        int rel = cmp64(&c, d.q[i], s.q[i], pred_signals((unsigned)a2));
        r.q[i] = cmp_pred(rel, (unsigned)a2) ? ~0ull : 0;
    }
    fp_soft_end(&c);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_cmpss)
{
    FpCtx c;
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1);
    uint32_t v;

    fp_soft(env_, &c);
    v = cmp_pred(cmp32(&c, d.l[0], s.l[0], pred_signals((unsigned)a2)), (unsigned)a2)
        ? 0xffffffffu : 0;
    fp_soft_end(&c);
    reg_put(env_, a0, &v, 4);
    return 0;
}

IR_HELPER(helper_cmpsd)
{
    FpCtx c;
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1);
    uint64_t v;

    fp_soft(env_, &c);
    v = cmp_pred(cmp64(&c, d.q[0], s.q[0], pred_signals((unsigned)a2)), (unsigned)a2)
        ? ~0ull : 0;
    fp_soft_end(&c);
    reg_put(env_, a0, &v, 8);
    return 0;
}

/* COMIS*: ZF PF CF = 111 unordered, 000 greater, 001 less, 100 equal; OF SF AF cleared. */
static uint64_t comi_flags(int rel)
{
    switch (rel) {
    case -1:
        return CC_C;
    case 0:
        return CC_Z;
    case 1:
        return 0;
    default:
        return CC_Z | CC_P | CC_C;
    }
}

#define COMIS(name, W, cmp, signaling)                                                      \
    IR_HELPER(helper_##name)                                                                \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1);                           \
        int rel;                                                                            \
        fp_soft(env_, &c);                                                                  \
        rel = cmp(&c, d.W[0], s.W[0], signaling);                                           \
        fp_soft_end(&c);                                                                    \
        return comi_flags(rel);                                                             \
    }
COMIS(comiss, l, cmp32, true)
COMIS(ucomiss, l, cmp32, false)
COMIS(comisd, q, cmp64, true)
COMIS(ucomisd, q, cmp64, false)

/* MIN: src1 < src2 ? src1 : src2; MAX: src1 > src2 ? src1 : src2. A NaN on either side, or
 * two zeros, give src2 (as it is, a SNaN too); any NaN raises IE. */
static uint32_t minmax32(FpCtx *c, uint32_t a, uint32_t b, bool max)
{
    int rel;

    if (c->daz) {                               /* a flushed src2 is what is returned */
        a = den32(a) ? a & S32 : a;
        b = den32(b) ? b & S32 : b;
    }
    if (nan32(a) || nan32(b)) {
        c->soft |= MXCSR_IE;
        return b;
    }
    a = src32(c, a);
    b = src32(c, b);
    rel = cmp32(c, a, b, true);
    return (max ? rel == 1 : rel == -1) ? a : b;
}

static uint64_t minmax64(FpCtx *c, uint64_t a, uint64_t b, bool max)
{
    int rel;

    if (c->daz) {                               /* a flushed src2 is what is returned */
        a = den64(a) ? a & S64 : a;
        b = den64(b) ? b & S64 : b;
    }
    if (nan64(a) || nan64(b)) {
        c->soft |= MXCSR_IE;
        return b;
    }
    a = src64(c, a);
    b = src64(c, b);
    rel = cmp64(c, a, b, true);
    return (max ? rel == 1 : rel == -1) ? a : b;
}

#define MINMAX(name, max)                                                                   \
    IR_HELPER(helper_##name##ps)                                                            \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;                        \
        fp_soft(env_, &c);                                                                  \
        for (int i = 0; i < 4; i++) {                                                       \
            r.l[i] = minmax32(&c, d.l[i], s.l[i], max);                                     \
        }                                                                                   \
        fp_soft_end(&c);                                                                    \
        reg_put(env_, a0, &r, 16);                                                          \
        return 0;                                                                           \
    }                                                                                       \
    IR_HELPER(helper_##name##pd)                                                            \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;                        \
        fp_soft(env_, &c);                                                                  \
        for (int i = 0; i < 2; i++) {                                                       \
            r.q[i] = minmax64(&c, d.q[i], s.q[i], max);                                     \
        }                                                                                   \
        fp_soft_end(&c);                                                                    \
        reg_put(env_, a0, &r, 16);                                                          \
        return 0;                                                                           \
    }                                                                                       \
    IR_HELPER(helper_##name##ss)                                                            \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;                        \
        fp_soft(env_, &c);                                                                  \
        r.l[0] = minmax32(&c, d.l[0], s.l[0], max);                                         \
        fp_soft_end(&c);                                                                    \
        reg_put(env_, a0, &r, 4);                                                           \
        return 0;                                                                           \
    }                                                                                       \
    IR_HELPER(helper_##name##sd)                                                            \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;                        \
        fp_soft(env_, &c);                                                                  \
        r.q[0] = minmax64(&c, d.q[0], s.q[0], max);                                         \
        fp_soft_end(&c);                                                                    \
        reg_put(env_, a0, &r, 8);                                                           \
        return 0;                                                                           \
    }
MINMAX(min, false)
MINMAX(max, true)

/* ---- reciprocal approximations: exact values rounded to single (no flags) ---- */

static uint32_t rcp32(uint32_t a)
{
    uint32_t sign = a & S32;
    double q;

    if (nan32(a)) {
        return a | Q32;
    }
    if ((a & 0x7f800000u) == 0) {
        return sign | 0x7f800000u;              /* zeros and denormals: infinity */
    }
    q = 1.0 / (double)f32(a & ~S32);
    if (q < 0x1p-126) {
        return sign;                            /* a denormal result is flushed */
    }
    return sign | b32((float)q);
}

static uint32_t rsqrt32(uint32_t a)
{
    uint32_t sign = a & S32;

    if (nan32(a)) {
        return a | Q32;
    }
    if ((a & 0x7f800000u) == 0) {
        return sign | 0x7f800000u;              /* +-0 and denormals: +-infinity */
    }
    if (sign) {
        return 0xffc00000u;                     /* negative: the QNaN indefinite */
    }
    return b32((float)(1.0 / sqrt((double)f32(a))));
}

IR_HELPER(helper_rcpps)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    for (int i = 0; i < 4; i++) {
        r.l[i] = rcp32(s.l[i]);
    }
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_rcpss)
{
    X86XMMReg s = reg_copy(env_, a1);
    uint32_t v = rcp32(s.l[0]);

    reg_put(env_, a0, &v, 4);
    return 0;
}

IR_HELPER(helper_rsqrtps)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    for (int i = 0; i < 4; i++) {
        r.l[i] = rsqrt32(s.l[i]);
    }
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_rsqrtss)
{
    X86XMMReg s = reg_copy(env_, a1);
    uint32_t v = rsqrt32(s.l[0]);

    reg_put(env_, a0, &v, 4);
    return 0;
}

/* ---- rounding to integral values (software, on the encodings) ---- */

enum { RC_NEAREST, RC_DOWN, RC_UP, RC_ZERO };

/* x (not a NaN) rounded to an integral double with rc; *inexact when it changed. */
static uint64_t round_int64(uint64_t u, int rc, bool *inexact)
{
    int e = (int)((u >> 52) & 0x7ff) - 1023;
    bool neg = (u >> 63) != 0, up;
    unsigned fb;
    uint64_t m, rem, t;

    *inexact = false;
    if (e >= 52) {
        return u;                               /* integral already (or an infinity) */
    }
    if (e < 0) {
        if ((u << 1) == 0) {
            return u;                           /* +-0 */
        }
        *inexact = true;
        switch (rc) {
        case RC_NEAREST:                        /* above one half: 1; one half: 0 (even) */
            up = e == -1 && (u & 0x000fffffffffffffull) != 0;
            break;
        case RC_DOWN:
            up = neg;
            break;
        case RC_UP:
            up = !neg;
            break;
        default:
            up = false;
            break;
        }
        return (u & S64) | (up ? 0x3ff0000000000000ull : 0);
    }
    fb = 52 - (unsigned)e;                      /* fraction bits below the units */
    m = (1ull << fb) - 1;
    rem = u & m;
    if (rem == 0) {
        return u;
    }
    *inexact = true;
    t = u & ~m;
    switch (rc) {
    case RC_NEAREST:
        up = rem > (1ull << (fb - 1)) || (rem == (1ull << (fb - 1)) && ((t >> fb) & 1));
        break;
    case RC_DOWN:
        up = neg;
        break;
    case RC_UP:
        up = !neg;
        break;
    default:
        up = false;
        break;
    }
    return up ? t + (1ull << fb) : t;           /* a carry moves into the exponent */
}

static inline int mxcsr_rc(X86CPU *env)
{
    return (env->mxcsr >> MXCSR_RC_SHIFT) & 3;
}

/* ROUND*: imm[1:0] the mode unless imm[2] (then MXCSR.RC); imm[3] suppresses PE. */
static uint32_t round32(FpCtx *c, uint32_t a, unsigned imm)
{
    int rc = (imm & 4) ? mxcsr_rc(c->env) : (int)(imm & 3);
    bool inexact;
    uint64_t r;

    if (nan32(a)) {
        if (snan32(a)) {
            c->soft |= MXCSR_IE;
        }
        return a | Q32;
    }
    if (c->daz && den32(a)) {
        a &= S32;
    }
    r = round_int64(b64((double)f32(a)), rc, &inexact);
    if (inexact && !(imm & 8)) {
        c->soft |= MXCSR_PE;
    }
    return b32((float)f64(r));                  /* exact: an integral float */
}

static uint64_t round64(FpCtx *c, uint64_t a, unsigned imm)
{
    int rc = (imm & 4) ? mxcsr_rc(c->env) : (int)(imm & 3);
    bool inexact;
    uint64_t r;

    if (nan64(a)) {
        if (snan64(a)) {
            c->soft |= MXCSR_IE;
        }
        return a | Q64;
    }
    if (c->daz && den64(a)) {
        a &= S64;
    }
    r = round_int64(a, rc, &inexact);
    if (inexact && !(imm & 8)) {
        c->soft |= MXCSR_PE;
    }
    return r;
}

IR_HELPER(helper_roundps)
{
    FpCtx c;
    X86XMMReg s = reg_copy(env_, a1), r;

    fp_soft(env_, &c);
    for (int i = 0; i < 4; i++) {
        r.l[i] = round32(&c, s.l[i], (unsigned)a2);
    }
    fp_soft_end(&c);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_roundpd)
{
    FpCtx c;
    X86XMMReg s = reg_copy(env_, a1), r;

    fp_soft(env_, &c);
    for (int i = 0; i < 2; i++) {
        r.q[i] = round64(&c, s.q[i], (unsigned)a2);
    }
    fp_soft_end(&c);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_roundss)
{
    FpCtx c;
    X86XMMReg s = reg_copy(env_, a1);
    uint32_t v;

    fp_soft(env_, &c);
    v = round32(&c, s.l[0], (unsigned)a2);
    fp_soft_end(&c);
    reg_put(env_, a0, &v, 4);
    return 0;
}

IR_HELPER(helper_roundsd)
{
    FpCtx c;
    X86XMMReg s = reg_copy(env_, a1);
    uint64_t v;

    fp_soft(env_, &c);
    v = round64(&c, s.q[0], (unsigned)a2);
    fp_soft_end(&c);
    reg_put(env_, a0, &v, 8);
    return 0;
}

/* ---- conversions to integers (software): the integer indefinite for NaNs and results
 * out of range (IE), PE when inexact ---- */

static uint64_t to_int(FpCtx *c, uint64_t u, int rc, bool wide)
{
    bool inexact;
    double r;

    if (nan64(u)) {
        c->soft |= MXCSR_IE;
        return wide ? S64 : S32;
    }
    r = f64(round_int64(u, rc, &inexact));
    if (wide ? (r < -0x1p63 || r >= 0x1p63) : (r < -0x1p31 || r >= 0x1p31)) {
        c->soft |= MXCSR_IE;
        return wide ? S64 : S32;
    }
    if (inexact) {
        c->soft |= MXCSR_PE;
    }
    return wide ? (uint64_t)(int64_t)r : (uint32_t)(int32_t)r;
}

/* A float source widened exactly (after DAZ). */
static inline uint64_t f32_src_wide(FpCtx *c, uint32_t a)
{
    if (c->daz && den32(a)) {
        a &= S32;
    }
    if (nan32(a)) {
        return S64 | 0x7ff8000000000000ull;     /* any NaN: to_int only tests for one */
    }
    return b64((double)f32(a));
}

static inline uint64_t f64_src(FpCtx *c, uint64_t a)
{
    return (c->daz && den64(a)) ? a & S64 : a;
}

/* n elements to int32; XMM destinations (width 16) get zeros above them, MMX ones are 8 */
#define CVT_P2I(name, n, W, srcfn, trunc, width)                                            \
    IR_HELPER(helper_##name)                                                                \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg s = reg_copy(env_, a1), r;                                                \
        int rc;                                                                             \
        fp_soft(env_, &c);                                                                  \
        rc = (trunc) ? RC_ZERO : mxcsr_rc(env_);                                            \
        memset(&r, 0, sizeof(r));                                                           \
        for (int i = 0; i < (n); i++) {                                                     \
            r.l[i] = (uint32_t)to_int(&c, srcfn(&c, s.W[i]), rc, false);                    \
        }                                                                                   \
        fp_soft_end(&c);                                                                    \
        reg_put(env_, a0, &r, width);                                                       \
        return 0;                                                                           \
    }
CVT_P2I(cvtps2dq, 4, l, f32_src_wide, false, 16)
CVT_P2I(cvttps2dq, 4, l, f32_src_wide, true, 16)
CVT_P2I(cvtpd2dq, 2, q, f64_src, false, 16)
CVT_P2I(cvttpd2dq, 2, q, f64_src, true, 16)
CVT_P2I(cvtps2pi, 2, l, f32_src_wide, false, 8)
CVT_P2I(cvttps2pi, 2, l, f32_src_wide, true, 8)
CVT_P2I(cvtpd2pi, 2, q, f64_src, false, 8)
CVT_P2I(cvttpd2pi, 2, q, f64_src, true, 8)

#define CVT_S2I(name, W, srcfn, trunc)                                                      \
    IR_HELPER(helper_##name)                                                                \
    {                                                                                       \
        FpCtx c;                                                                            \
        X86XMMReg s = reg_copy(env_, a1);                                                   \
        uint64_t v;                                                                         \
        fp_soft(env_, &c);                                                                  \
        v = to_int(&c, srcfn(&c, s.W[0]), (trunc) ? RC_ZERO : mxcsr_rc(env_), a2 == 8);     \
        fp_soft_end(&c);                                                                    \
        return v;                                                                           \
    }
CVT_S2I(cvtss2si, l, f32_src_wide, false)
CVT_S2I(cvttss2si, l, f32_src_wide, true)
CVT_S2I(cvtsd2si, q, f64_src, false)
CVT_S2I(cvttsd2si, q, f64_src, true)

/* ---- conversions to floating point (host) ---- */

IR_HELPER(helper_cvtdq2ps)
{
    FpCtx c;
    X86XMMReg s, r;

    fp_begin(env_, &c);
    s = reg_copy(env_, a1);
    for (int i = 0; i < 4; i++) {
        float f = (float)(int32_t)s.l[i];
        FORCE(f);
        r.l[i] = b32(f);
    }
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

/* CVTPI2PS: the two low elements; the high two are unchanged */
IR_HELPER(helper_cvtpi2ps)
{
    FpCtx c;
    X86XMMReg s, r;

    fp_begin(env_, &c);
    s = reg_copy(env_, a1);
    for (int i = 0; i < 2; i++) {
        float f = (float)(int32_t)s.l[i];
        FORCE(f);
        r.l[i] = b32(f);
    }
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 8);
    return 0;
}

static uint64_t int32_to_f64(uint32_t v)
{
    return b64((double)(int32_t)v);             /* exact */
}

IR_HELPER(helper_cvtdq2pd)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    r.q[0] = int32_to_f64(s.l[0]);
    r.q[1] = int32_to_f64(s.l[1]);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_cvtpi2pd)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    r.q[0] = int32_to_f64(s.l[0]);
    r.q[1] = int32_to_f64(s.l[1]);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_cvtsi2ss)
{
    FpCtx c;
    X86XMMReg r;
    float f;

    fp_begin(env_, &c);
    f = a2 == 8 ? (float)(int64_t)a1 : (float)(int32_t)a1;
    FORCE(f);
    r.l[0] = b32(f);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 4);
    return 0;
}

IR_HELPER(helper_cvtsi2sd)
{
    FpCtx c;
    X86XMMReg r;
    double f;

    fp_begin(env_, &c);
    f = a2 == 8 ? (double)(int64_t)a1 : (double)(int32_t)a1;
    FORCE(f);
    r.q[0] = b64(f);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 8);
    return 0;
}

/* float <-> double: the host conversion quiets SNaNs (IE), keeps NaN payloads, rounds,
 * and raises DE/OE/UE/PE, all as the guest instruction does */
static inline uint64_t f32_to_f64(uint32_t a)
{
    double d = (double)f32(a);

    FORCE(d);
    return b64(d);
}

static inline uint32_t f64_to_f32(uint64_t a)
{
    float f = (float)f64(a);

    FORCE(f);
    return b32(f);
}

IR_HELPER(helper_cvtps2pd)
{
    FpCtx c;
    X86XMMReg s, r;

    fp_begin(env_, &c);
    s = reg_copy(env_, a1);
    r.q[0] = f32_to_f64(s.l[0]);
    r.q[1] = f32_to_f64(s.l[1]);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_cvtpd2ps)
{
    FpCtx c;
    X86XMMReg s, r;

    fp_begin(env_, &c);
    s = reg_copy(env_, a1);
    r.l[0] = f64_to_f32(s.q[0]);
    r.l[1] = f64_to_f32(s.q[1]);
    r.q[1] = 0;
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_cvtss2sd)
{
    FpCtx c;
    X86XMMReg s, r;

    fp_begin(env_, &c);
    s = reg_copy(env_, a1);
    r.q[0] = f32_to_f64(s.l[0]);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 8);
    return 0;
}

IR_HELPER(helper_cvtsd2ss)
{
    FpCtx c;
    X86XMMReg s, r;

    fp_begin(env_, &c);
    s = reg_copy(env_, a1);
    r.l[0] = f64_to_f32(s.q[0]);
    fp_end(&c, &r);
    reg_put(env_, a0, &r, 4);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/fpu_helper.c — the x87 FPU: arithmetic, comparisons, conversions, the register
 * stack and its exceptions (the IR helpers that translate-fpu.c calls).
 *
 * Models (Intel SDM vol. 1 ch. 4.8-4.9 and 8; vol. 2 instruction pages): the eight-register
 * stack with TOP and the tag word, stack overflow and underflow (IE + SF, C1 = 1/0) with
 * their masked response (the QNaN indefinite), every instruction of D8-DF (loads and stores
 * in all memory formats with FBLD/FBSTP, FISTTP, arithmetic, comparisons with C0-C3 or ZF/PF/CF,
 * FCMOVcc, FXAM, FPREM/FPREM1 with their partial remainders, transcendental instructions,
 * constants rounded by RC), the six exception flags with ES/B, the masked responses, and the
 * pending-exception check of the waiting instructions: #MF when CR0.NE is set.
 *
 * Arithmetic runs on the host's 80-bit long double (an x86 host: LDBL_MANT_DIG == 64, checked
 * below) in the guest's rounding mode (fesetround; the rest of tandem runs in round-to-nearest),
 * and the host's exception flags (fetestexcept) give IE ZE OE UE PE; DE is computed here from
 * the operands. The transcendental instructions and FSCALE run the host's own x87 instruction
 * (inline assembly), so they match hardware bit for bit; other hosts get a libm approximation.
 * A portable softfloat path (any host, bit-exact) is future work.
 *
 * Not modelled: precision control (FCW.PC: results are always rounded to 64 bits), C1 as the
 * round-up indicator (C1 is 0 after arithmetic), the exponent bias adjustment of unmasked
 * overflow/underflow results written to a register (the masked result is written), the last
 * instruction and data pointers and opcode (FIP/FCS/FDP/FDS/FOP: stored as 0). With CR0.NE
 * clear a pending unmasked exception is ignored (no FERR#/IRQ 13; the instruction goes on).
 */
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"
#include <fenv.h>
#include <float.h>
#include <math.h>

_Static_assert(LDBL_MANT_DIG == 64 && LDBL_MAX_EXP == 16384,
               "the x87 helpers need the host's 80-bit long double (an x86 host)");
_Static_assert(offsetof(X86FPReg, mant) == 0 && offsetof(X86FPReg, exp) == 8,
               "X86FPReg must have the memory layout of the 80-bit format");

#define FSW_IE  X86_FSW_IE
#define FSW_DE  X86_FSW_DE
#define FSW_ZE  X86_FSW_ZE
#define FSW_OE  X86_FSW_OE
#define FSW_UE  X86_FSW_UE
#define FSW_PE  X86_FSW_PE
#define FSW_SF  X86_FSW_SF
#define FSW_ES  X86_FSW_ES
#define FSW_C0  X86_FSW_C0
#define FSW_C1  X86_FSW_C1
#define FSW_C2  X86_FSW_C2
#define FSW_C3  X86_FSW_C3
#define FSW_B   X86_FSW_B
#define FSW_CC  (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FCW_EXC 0x3f
#define FCW_IM  0x01
#define FCW_UM  0x10

const X86FPReg x86_fp_indefinite = { 0xc000000000000000ull, 0xffff };

/* ---------------------------------------------------------------------------------------
 * Registers, tags, classes
 * ------------------------------------------------------------------------------------- */

static inline unsigned st_phys(const X86CPU *env, int i)
{
    return (env->fpstt + (unsigned)i) & 7;
}

static inline bool phys_empty(const X86CPU *env, unsigned p)
{
    return ((env->fptag >> (2 * p)) & 3) == 3;
}

static inline bool st_empty(const X86CPU *env, int i)
{
    return phys_empty(env, st_phys(env, i));
}

static inline void phys_set_tag(X86CPU *env, unsigned p, unsigned tag)
{
    env->fptag = (uint16_t)((env->fptag & ~(3u << (2 * p))) | (tag << (2 * p)));
}

static inline X86FPReg *st_reg(X86CPU *env, int i)
{
    return &env->fpregs[st_phys(env, i)];
}

static inline void st_write(X86CPU *env, int i, const X86FPReg *v)
{
    unsigned p = st_phys(env, i);

    env->fpregs[p].mant = v->mant;
    env->fpregs[p].exp = v->exp;
    phys_set_tag(env, p, 0);
}

static inline long double reg_ld(const X86FPReg *r)
{
    long double v = 0;

    memcpy(&v, r, 10);
    return v;
}

static inline X86FPReg ld_reg(long double v)
{
    X86FPReg r = { 0, 0 };

    memcpy(&r, &v, 10);
    return r;
}

enum { FC_ZERO, FC_NORMAL, FC_DENORMAL, FC_INF, FC_QNAN, FC_SNAN, FC_UNSUPPORTED };

/* The class of an 80-bit value (SDM vol. 1, 8.2.2: unnormals, pseudo-NaNs and
 * pseudo-infinities are unsupported; pseudo-denormals count as denormals). */
static int fp_class(const X86FPReg *r)
{
    unsigned e = r->exp & 0x7fff;
    bool j = r->mant >> 63;

    if (e == 0) {
        return r->mant ? FC_DENORMAL : FC_ZERO;
    }
    if (!j) {
        return FC_UNSUPPORTED;
    }
    if (e == 0x7fff) {
        if ((r->mant << 1) == 0) {
            return FC_INF;
        }
        return (r->mant >> 62) & 1 ? FC_QNAN : FC_SNAN;
    }
    return FC_NORMAL;
}

static inline bool class_nan(int c)
{
    return c == FC_QNAN || c == FC_SNAN;
}

/* The tag that FNSTENV/FNSAVE report for a non-empty register: valid, zero or special. */
static unsigned tag_of(const X86FPReg *r)
{
    switch (fp_class(r)) {
    case FC_NORMAL:
        return 0;
    case FC_ZERO:
        return 1;
    default:
        return 2;
    }
}

uint16_t x86_fpu_fsw(X86CPU *env)
{
    return (uint16_t)((env->fpus & ~0x3800u) | ((env->fpstt & 7) << 11));
}

uint16_t x86_fpu_ftw(X86CPU *env)
{
    uint16_t tw = 0;

    for (unsigned p = 0; p < 8; p++) {
        tw |= (uint16_t)((phys_empty(env, p) ? 3 : tag_of(&env->fpregs[p])) << (2 * p));
    }
    return tw;
}

void x86_fpu_set_fsw(X86CPU *env, uint16_t sw)
{
    env->fpstt = (sw >> 11) & 7;
    env->fpus = sw & ~0x3800u;
    x86_fpu_update_es(env);
}

/* Bits 6 (reads as 1), 7 and 13-15 of the control word are reserved. */
void x86_fpu_set_fcw(X86CPU *env, uint16_t cw)
{
    env->fpuc = (cw & 0x1f3f) | 0x0040;
    x86_fpu_update_es(env);
}

void x86_fpu_update_es(X86CPU *env)
{
    if (env->fpus & ~env->fpuc & FCW_EXC) {
        env->fpus |= FSW_ES | FSW_B;
    } else {
        env->fpus &= ~(FSW_ES | FSW_B);
    }
}

void x86_fpu_init(X86CPU *env)
{
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fpstt = 0;
    env->fptag = 0xffff;
}

void x86_fpu_pop(X86CPU *env)
{
    phys_set_tag(env, env->fpstt & 7, 3);
    env->fpstt = (env->fpstt + 1) & 7;
}

/* ---------------------------------------------------------------------------------------
 * Exceptions
 * ------------------------------------------------------------------------------------- */

/* A waiting instruction with an unmasked exception pending: #MF, or nothing while CR0.NE
 * is clear (the PC's FERR#/IRQ 13 route is not modelled). */
static void fpu_prepare(X86CPU *env)
{
    if ((env->fpus & FSW_ES) && (env->cr[0] & CR0_NE)) {
        x86_raise_exception(env, EXCP10_COPR);
    }
}

static void fpu_raise(X86CPU *env, unsigned exc)
{
    env->fpus |= exc & (FCW_EXC | FSW_SF);
    if (env->fpus & ~env->fpuc & FCW_EXC) {
        env->fpus |= FSW_ES | FSW_B;
    }
}

static inline void set_cc(X86CPU *env, unsigned mask, unsigned val)
{
    env->fpus = (uint16_t)((env->fpus & ~mask) | (val & mask));
}

/* Stack overflow (C1 = 1) or underflow (C1 = 0). Returns true when the invalid-operation
 * exception is unmasked: the instruction then changes nothing more. */
static bool stack_fault(X86CPU *env, bool overflow)
{
    set_cc(env, FSW_C1, overflow ? FSW_C1 : 0);
    fpu_raise(env, FSW_IE | FSW_SF);
    return !(env->fpuc & FCW_IM);
}

/*
 * Report the exceptions exc of an operation. Returns whether its result may be written:
 * not after an unmasked IE, DE or ZE (they are detected before the operation), nor, for a
 * store to memory, after an unmasked OE or UE (SDM vol. 1, 4.9.1.4-4.9.1.5).
 */
static bool fpu_signal(X86CPU *env, unsigned exc, bool to_mem)
{
    unsigned unmasked, block = FSW_IE | FSW_DE | FSW_ZE | (to_mem ? FSW_OE | FSW_UE : 0);

    if (exc & (FSW_IE | FSW_ZE)) {
        exc &= ~FSW_DE;     /* IE, then ZE, take priority over DE */
    }
    unmasked = exc & ~env->fpuc & FCW_EXC;

    if (unmasked & block) {
        fpu_raise(env, exc & (block | FSW_SF));
        return false;
    }
    fpu_raise(env, exc);
    return true;
}

/* DE of an arithmetic operation: a denormal operand, unless an operand is a NaN or has an
 * unsupported encoding (IE and QNaN operands take priority). */
static unsigned denormal_exc(const X86FPReg *a, const X86FPReg *b)
{
    int ca = fp_class(a), cb = b ? fp_class(b) : FC_ZERO;

    if (class_nan(ca) || class_nan(cb) || ca == FC_UNSUPPORTED || cb == FC_UNSUPPORTED) {
        return 0;
    }
    return (ca == FC_DENORMAL || cb == FC_DENORMAL) ? FSW_DE : 0;
}

/* ---------------------------------------------------------------------------------------
 * The host's floating-point environment around one operation
 * ------------------------------------------------------------------------------------- */

/* Keeps the compiler from moving a computation across fesetround/fetestexcept: the value
 * goes through memory at this point of the program. */
#define FPB(x) __asm__ volatile("" : "+m"(x))

typedef struct HostFP {
    int rc;
} HostFP;

static void hfp_begin(X86CPU *env, HostFP *h)
{
    static const int host_round[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };

    if (fetestexcept(FE_ALL_EXCEPT)) {
        feclearexcept(FE_ALL_EXCEPT);
    }
    h->rc = (env->fpuc >> 10) & 3;
    if (h->rc) {
        fesetround(host_round[h->rc]);
    }
}

static unsigned hfp_end(HostFP *h)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    unsigned r = 0;

    if (h->rc) {
        fesetround(FE_TONEAREST);
    }
    r |= (e & FE_INVALID) ? FSW_IE : 0;
    r |= (e & FE_DIVBYZERO) ? FSW_ZE : 0;
    r |= (e & FE_OVERFLOW) ? FSW_OE : 0;
    r |= (e & FE_UNDERFLOW) ? FSW_UE : 0;
    r |= (e & FE_INEXACT) ? FSW_PE : 0;
    return r;
}

/* ---------------------------------------------------------------------------------------
 * The host's x87 instructions (bit-exact); libm elsewhere
 * ------------------------------------------------------------------------------------- */

#if defined(__x86_64__) || defined(__i386__)
static long double host_fsin(long double x)
{
    __asm__ volatile("fsin" : "+t"(x));
    return x;
}
static long double host_fcos(long double x)
{
    __asm__ volatile("fcos" : "+t"(x));
    return x;
}
static long double host_f2xm1(long double x)
{
    __asm__ volatile("f2xm1" : "+t"(x));
    return x;
}
/* ST0 <- x, then FSINCOS/FPTAN: *hi = new ST0, *lo = new ST1 (only for |x| < 2^63) */
static void host_fsincos(long double x, long double *s, long double *c)
{
    long double st0, st1;

    __asm__ volatile("fsincos" : "=t"(st0), "=u"(st1) : "0"(x));
    *c = st0;
    *s = st1;
}
static void host_fptan(long double x, long double *t, long double *one)
{
    long double st0, st1;

    __asm__ volatile("fptan" : "=t"(st0), "=u"(st1) : "0"(x));
    *one = st0;
    *t = st1;
}
/* ST1 = y, ST0 = x, the instruction pops: the result */
static long double host_fpatan(long double y, long double x)
{
    long double r;

    __asm__ volatile("fpatan" : "=t"(r) : "0"(x), "u"(y) : "st(1)");
    return r;
}
static long double host_fyl2x(long double y, long double x)
{
    long double r;

    __asm__ volatile("fyl2x" : "=t"(r) : "0"(x), "u"(y) : "st(1)");
    return r;
}
static long double host_fyl2xp1(long double y, long double x)
{
    long double r;

    __asm__ volatile("fyl2xp1" : "=t"(r) : "0"(x), "u"(y) : "st(1)");
    return r;
}
static long double host_fscale(long double x, long double s)
{
    __asm__ volatile("fscale" : "+t"(x) : "u"(s));
    return x;
}
#else
static long double host_fsin(long double x) { return sinl(x); }
static long double host_fcos(long double x) { return cosl(x); }
static long double host_f2xm1(long double x) { return expm1l(x * 0.69314718055994530942L); }
static void host_fsincos(long double x, long double *s, long double *c)
{
    *s = sinl(x);
    *c = cosl(x);
}
static void host_fptan(long double x, long double *t, long double *one)
{
    *t = tanl(x);
    *one = isnan(x) || isinf(x) ? *t : 1.0L;
}
static long double host_fpatan(long double y, long double x) { return atan2l(y, x); }
static long double host_fyl2x(long double y, long double x) { return y * log2l(x); }
static long double host_fyl2xp1(long double y, long double x)
{
    return y * log1pl(x) / 0.69314718055994530942L;
}
static long double host_fscale(long double x, long double s)
{
    long double t = truncl(s);

    if (isnan(t)) {
        return x + s;
    }
    return scalblnl(x, t > 1e6L ? 1000000L : t < -1e6L ? -1000000L : (long)t);
}
#endif

/* ---------------------------------------------------------------------------------------
 * Conversions
 * ------------------------------------------------------------------------------------- */

static bool f32_denormal(uint32_t b)
{
    return (b & 0x7f800000u) == 0 && (b & 0x7fffffu) != 0;
}

static bool f64_denormal(uint64_t b)
{
    return (b & 0x7ff0000000000000ull) == 0 && (b & 0xfffffffffffffull) != 0;
}

/* Packed BCD (18 digits, sign in bit 79) to the register format: exact (digits above 9
 * are taken at face value, as the result is undefined anyway). */
static X86FPReg bcd_to_reg(uint64_t lo, uint16_t hi)
{
    uint64_t v = ((hi >> 4) & 15) * 10 + (hi & 15);
    long double r;

    for (int i = 7; i >= 0; i--) {
        unsigned b = (lo >> (8 * i)) & 0xff;
        v = v * 100 + (b >> 4) * 10 + (b & 15);
    }
    r = (long double)v;
    if (hi & 0x8000) {
        r = -r;
    }
    return ld_reg(r);
}

/* An IEEE single or double (frac_bits 23 or 52, exp_bits 8 or 11) in the register format,
 * exactly: signalling NaNs stay signalling (the operation that uses them decides). */
static X86FPReg ieee_to_reg(uint64_t bits, int frac_bits, int exp_bits)
{
    uint64_t frac = bits & ((1ull << frac_bits) - 1);
    unsigned e = (bits >> frac_bits) & ((1u << exp_bits) - 1);
    int bias = (1 << (exp_bits - 1)) - 1;
    X86FPReg r = { 0, (bits >> (frac_bits + exp_bits)) & 1 ? 0x8000 : 0 };

    if (e == (1u << exp_bits) - 1) {
        r.mant = (1ull << 63) | (frac << (63 - frac_bits));
        r.exp |= 0x7fff;
    } else if (e != 0) {
        r.mant = (1ull << 63) | (frac << (63 - frac_bits));
        r.exp |= (uint16_t)(e - bias + 16383);
    } else if (frac != 0) {
        int sh = __builtin_clzll(frac);
        r.mant = frac << sh;
        /* frac * 2^(1 - bias - frac_bits) with the top bit at 63 */
        r.exp |= (uint16_t)(16383 + 63 - sh + 1 - bias - frac_bits);
    }
    return r;
}

/* A memory operand (X86_FM_* other than m80/BCD) in the register format; *den is set for
 * a denormal single or double (DE when the operation uses it). */
static X86FPReg mem_to_reg(uint64_t bits, unsigned kind, bool *den)
{
    switch (kind) {
    case X86_FM_F32:
        *den = f32_denormal((uint32_t)bits);
        return ieee_to_reg((uint32_t)bits, 23, 8);
    case X86_FM_F64:
        *den = f64_denormal(bits);
        return ieee_to_reg(bits, 52, 11);
    case X86_FM_I16:
        return ld_reg((long double)(int16_t)bits);
    case X86_FM_I32:
        return ld_reg((long double)(int32_t)bits);
    default:
        return ld_reg((long double)(int64_t)bits);
    }
}

/* Integer conversion of FIST/FISTP (rounded by RC) and FISTTP (truncated). Out of range,
 * NaN, infinity or an unsupported encoding: IE and the integer indefinite. */
static uint64_t reg_to_int(X86CPU *env, const X86FPReg *a, int bits, bool trunc, unsigned *exc)
{
    uint64_t indef = 1ull << (bits - 1);
    long double lim = ldexpl(1.0L, bits - 1);
    long double v, r;
    int c = fp_class(a);
    HostFP h;

    if (class_nan(c) || c == FC_INF || c == FC_UNSUPPORTED) {
        *exc |= FSW_IE;
        return indef;
    }
    v = reg_ld(a);
    hfp_begin(env, &h);
    FPB(v);
    r = trunc ? truncl(v) : rintl(v);
    FPB(r);
    hfp_end(&h);
    if (!(r >= -lim && r < lim)) {
        *exc |= FSW_IE;
        return indef;
    }
    if (r != v) {
        *exc |= FSW_PE;
    }
    return (uint64_t)(int64_t)r;
}

/* FBSTP: ST0 rounded by RC to 18 BCD digits; out of range: IE and the BCD indefinite. */
static void reg_to_bcd(X86CPU *env, const X86FPReg *a, uint64_t *lo, uint16_t *hi,
                       unsigned *exc)
{
    long double v, r;
    uint64_t n, out = 0;
    int c = fp_class(a);
    HostFP h;

    *lo = 0;
    *hi = 0;
    if (class_nan(c) || c == FC_INF || c == FC_UNSUPPORTED) {
        goto invalid;
    }
    v = reg_ld(a);
    hfp_begin(env, &h);
    FPB(v);
    r = rintl(v);
    FPB(r);
    hfp_end(&h);
    if (!(fabsl(r) < 1e18L)) {
        goto invalid;
    }
    if (r != v) {
        *exc |= FSW_PE;
    }
    n = (uint64_t)fabsl(r);
    for (int i = 0; i < 16; i++, n /= 10) {
        out |= (n % 10) << (4 * i);
    }
    *lo = out;
    *hi = (uint16_t)((n % 10) | ((n / 10 % 10) << 4) | (signbit(r) ? 0x8000 : 0));
    return;
invalid:
    *exc |= FSW_IE;
    *lo = 0xc000000000000000ull;
    *hi = 0xffff;
}

/*
 * The value FST/FSTP/FIST/FISTP/FISTTP/FBSTP store from ST0 in format kind (X86_FM_*):
 * *lo the low 8 bytes, *hi bytes 8-9 (m80 and BCD). Stack underflow gives the format's
 * indefinite when masked. Returns false when nothing must be stored (an unmasked
 * exception); the caller pops only after a store.
 */
bool x86_fpu_st_value(X86CPU *env, unsigned kind, bool trunc, uint64_t *lo, uint16_t *hi)
{
    const X86FPReg *a = st_reg(env, 0);
    unsigned exc = 0;
    HostFP h;

    *hi = 0;
    set_cc(env, FSW_C1, 0);
    if (st_empty(env, 0)) {
        if (stack_fault(env, false)) {
            return false;
        }
        a = &x86_fp_indefinite;
    }
    switch (kind) {
    case X86_FM_F80:
        *lo = a->mant;
        *hi = a->exp;
        return true;
    case X86_FM_F32: {
        long double v = reg_ld(a);
        float f;
        uint32_t b;

        hfp_begin(env, &h);
        FPB(v);
        f = (float)v;
        FPB(f);
        exc = hfp_end(&h);
        memcpy(&b, &f, 4);
        *lo = b;
        break;
    }
    case X86_FM_F64: {
        long double v = reg_ld(a);
        double d;

        hfp_begin(env, &h);
        FPB(v);
        d = (double)v;
        FPB(d);
        exc = hfp_end(&h);
        memcpy(lo, &d, 8);
        break;
    }
    case X86_FM_I16:
        *lo = reg_to_int(env, a, 16, trunc, &exc) & 0xffff;
        break;
    case X86_FM_I32:
        *lo = reg_to_int(env, a, 32, trunc, &exc) & 0xffffffffu;
        break;
    case X86_FM_I64:
        *lo = reg_to_int(env, a, 64, trunc, &exc);
        break;
    default:
        reg_to_bcd(env, a, lo, hi, &exc);
        break;
    }
    return fpu_signal(env, exc, true);
}

/* ---------------------------------------------------------------------------------------
 * Loads and stores
 * ------------------------------------------------------------------------------------- */

/* Push v (stack overflow: the indefinite when masked, nothing when unmasked). */
static void fpu_push(X86CPU *env, const X86FPReg *v)
{
    unsigned p = (env->fpstt - 1) & 7;
    X86FPReg r = *v;

    if (!phys_empty(env, p)) {
        if (stack_fault(env, true)) {
            return;
        }
        r = x86_fp_indefinite;
    }
    env->fpstt = p;
    env->fpregs[p].mant = r.mant;
    env->fpregs[p].exp = r.exp;
    phys_set_tag(env, p, 0);
}

static inline bool push_overflows(X86CPU *env)
{
    return !phys_empty(env, (env->fpstt - 1) & 7);
}

/* a0 bits (m80/BCD: bytes 0-7), a1 m80/BCD: bytes 8-9, a2 X86_FM_*: FLD FILD FBLD */
IR_HELPER(helper_fld_mem)
{
    X86CPU *env = env_;
    unsigned exc = 0;
    X86FPReg r;

    fpu_prepare(env);
    set_cc(env, FSW_C1, 0);
    if (push_overflows(env)) {
        fpu_push(env, &x86_fp_indefinite);
        return 0;
    }
    if (a2 == X86_FM_F80) {
        r.mant = a0;
        r.exp = (uint16_t)a1;
    } else if (a2 == X86_FM_BCD) {
        r = bcd_to_reg(a0, (uint16_t)a1);
    } else {
        bool den = false;

        r = mem_to_reg(a0, (unsigned)a2, &den);
        if (fp_class(&r) == FC_SNAN) {
            exc = FSW_IE;
            r.mant |= 1ull << 62;
        }
        /* a denormal single/double is loaded even when DE is unmasked */
        fpu_raise(env, den ? FSW_DE : 0);
    }
    if (fpu_signal(env, exc, false)) {
        fpu_push(env, &r);
    }
    return 0;
}

static void st_mem(X86CPU *env, uint64_t addr, uint64_t off, uint64_t v, unsigned memop,
                   int mmu_idx)
{
    addr += off;
    if (!(env->hflags & HF_CS64_MASK)) {
        addr = (uint32_t)addr;
    }
    cpu_st_mmu(x86_cs(env), addr, v, memop, mmu_idx);
}

/* a0 linear address, a1 X86_FM_* | X86_FST_POP | X86_FST_TRUNC, a2 mmu_idx */
IR_HELPER(helper_fst_mem)
{
    X86CPU *env = env_;
    unsigned kind = a1 & X86_FST_KIND;
    uint16_t old_fpus, new_fpus, hi;
    uint64_t lo;

    fpu_prepare(env);
    old_fpus = env->fpus;
    if (!x86_fpu_st_value(env, kind, (a1 & X86_FST_TRUNC) != 0, &lo, &hi)) {
        return 0;
    }
    /* a fault on the store must leave the status word as it was */
    new_fpus = env->fpus;
    env->fpus = old_fpus;
    switch (kind) {
    case X86_FM_F32:
    case X86_FM_I32:
        st_mem(env, a0, 0, lo, MO_32, (int)a2);
        break;
    case X86_FM_I16:
        st_mem(env, a0, 0, lo, MO_16, (int)a2);
        break;
    case X86_FM_F64:
    case X86_FM_I64:
        st_mem(env, a0, 0, lo, MO_64, (int)a2);
        break;
    default:
        /* bytes 8-9 first: a fault on either page then leaves memory as it was */
        st_mem(env, a0, 8, hi, MO_16, (int)a2);
        st_mem(env, a0, 0, lo, MO_64, (int)a2);
        break;
    }
    env->fpus = new_fpus;
    if (a1 & X86_FST_POP) {
        x86_fpu_pop(env);
    }
    return 0;
}

/* a0 i: FLD ST(i) */
IR_HELPER(helper_fld_st)
{
    X86CPU *env = env_;
    X86FPReg r = *st_reg(env, (int)a0);

    fpu_prepare(env);
    set_cc(env, FSW_C1, 0);
    if (st_empty(env, (int)a0)) {
        if (stack_fault(env, false)) {
            return 0;
        }
        r = x86_fp_indefinite;
    }
    fpu_push(env, &r);
    return 0;
}

/* a0 i, a1 pop: FST/FSTP ST(i) */
IR_HELPER(helper_fst_st)
{
    X86CPU *env = env_;
    X86FPReg r = *st_reg(env, 0);

    fpu_prepare(env);
    set_cc(env, FSW_C1, 0);
    if (st_empty(env, 0)) {
        if (stack_fault(env, false)) {
            return 0;
        }
        r = x86_fp_indefinite;
    }
    st_write(env, (int)a0, &r);
    if (a1) {
        x86_fpu_pop(env);
    }
    return 0;
}

/* a0 i: FXCH ST(i) (an empty register reads as the indefinite when underflow is masked) */
IR_HELPER(helper_fxch)
{
    X86CPU *env = env_;
    int i = (int)a0;
    X86FPReg t;

    fpu_prepare(env);
    set_cc(env, FSW_C1, 0);
    if (st_empty(env, 0) || st_empty(env, i)) {
        if (stack_fault(env, false)) {
            return 0;
        }
        if (st_empty(env, 0)) {
            st_write(env, 0, &x86_fp_indefinite);
        }
        if (st_empty(env, i)) {
            st_write(env, i, &x86_fp_indefinite);
        }
    }
    t = *st_reg(env, 0);
    st_write(env, 0, st_reg(env, i));
    st_write(env, i, &t);
    return 0;
}

/* a0 i, a1 condition: FCMOVcc (an empty operand underflows whatever the condition) */
IR_HELPER(helper_fcmov)
{
    X86CPU *env = env_;
    int i = (int)a0;

    fpu_prepare(env);
    set_cc(env, FSW_C1, 0);
    if (st_empty(env, 0) || st_empty(env, i)) {
        if (!stack_fault(env, false)) {
            st_write(env, 0, &x86_fp_indefinite);
        }
        return 0;
    }
    if (a1) {
        X86FPReg t = *st_reg(env, i);
        st_write(env, 0, &t);
    }
    return 0;
}

/* a0 i, a1 pop: FFREE / FFREEP */
IR_HELPER(helper_ffree)
{
    X86CPU *env = env_;

    fpu_prepare(env);
    phys_set_tag(env, st_phys(env, (int)a0), 3);
    if (a1) {
        x86_fpu_pop(env);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Arithmetic
 * ------------------------------------------------------------------------------------- */

static long double fp_arith(int op, long double a, long double b)
{
    long double r;

    FPB(a);
    FPB(b);
    switch (op) {
    case X86_FOP_ADD: r = a + b; break;
    case X86_FOP_MUL: r = a * b; break;
    case X86_FOP_SUB: r = a - b; break;
    case X86_FOP_SUBR: r = b - a; break;
    case X86_FOP_DIV: r = a / b; break;
    default: r = b / a; break;
    }
    FPB(r);
    return r;
}

/* ST(d) = a op b; exc0: exceptions of converting a memory operand. Returns whether the
 * result was written. */
static bool fpu_arith(X86CPU *env, int op, int d, X86FPReg a, X86FPReg b, unsigned exc0)
{
    HostFP h;
    long double r;
    unsigned exc;
    X86FPReg res;

    hfp_begin(env, &h);
    r = fp_arith(op, reg_ld(&a), reg_ld(&b));
    exc = hfp_end(&h) | exc0 | denormal_exc(&a, &b);
    if (!fpu_signal(env, exc, false)) {
        return false;
    }
    res = ld_reg(r);
    st_write(env, d, &res);
    return true;
}

/* a0 X86_FOP_*, a1 i, a2 X86_FA_*: ST0 = ST0 op ST(i), or ST(i) = ST(i) op ST0 (+ pop) */
IR_HELPER(helper_farith)
{
    X86CPU *env = env_;
    int i = (int)a1;
    int d = (a2 & X86_FA_STI) ? i : 0;
    int src = (a2 & X86_FA_STI) ? 0 : i;

    fpu_prepare(env);
    set_cc(env, FSW_C1, 0);
    if (st_empty(env, 0) || st_empty(env, i)) {
        if (stack_fault(env, false)) {
            return 0;
        }
        st_write(env, d, &x86_fp_indefinite);
    } else if (!fpu_arith(env, (int)a0, d, *st_reg(env, d), *st_reg(env, src), 0)) {
        return 0;
    }
    if (a2 & X86_FA_POP) {
        x86_fpu_pop(env);
    }
    return 0;
}

/* a0 X86_FOP_*, a1 bits, a2 X86_FM_*: ST0 = ST0 op m32fp/m64fp/m16int/m32int */
IR_HELPER(helper_farith_mem)
{
    X86CPU *env = env_;
    unsigned exc = 0;
    X86FPReg a, b;
    bool den = false;

    fpu_prepare(env);
    set_cc(env, FSW_C1, 0);
    if (st_empty(env, 0)) {
        if (!stack_fault(env, false)) {
            st_write(env, 0, &x86_fp_indefinite);
        }
        return 0;
    }
    b = mem_to_reg(a1, (unsigned)a2, &den);
    a = *st_reg(env, 0);
    if (den && !class_nan(fp_class(&a)) && fp_class(&a) != FC_UNSUPPORTED) {
        exc = FSW_DE;
    }
    fpu_arith(env, (int)a0, 0, a, b, exc);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Comparisons
 * ------------------------------------------------------------------------------------- */

enum { CMP_GT, CMP_LT, CMP_EQ, CMP_UN };

static int fp_compare(const X86FPReg *a, const X86FPReg *b, bool quiet, unsigned *exc)
{
    int ca = fp_class(a), cb = fp_class(b);
    long double x, y;

    if (ca == FC_UNSUPPORTED || cb == FC_UNSUPPORTED) {
        *exc |= FSW_IE;
        return CMP_UN;
    }
    if (class_nan(ca) || class_nan(cb)) {
        if (!quiet || ca == FC_SNAN || cb == FC_SNAN) {
            *exc |= FSW_IE;
        }
        return CMP_UN;
    }
    if (ca == FC_DENORMAL || cb == FC_DENORMAL) {
        *exc |= FSW_DE;
    }
    x = reg_ld(a);
    y = reg_ld(b);
    return x < y ? CMP_LT : x > y ? CMP_GT : CMP_EQ;
}

/* Set C3 C2 C0, or ZF PF CF, from a comparison (C1 = 0). */
static void set_cmp_result(X86CPU *env, int res, bool eflags)
{
    if (eflags) {
        static const uint64_t fl[4] = { 0, CC_C, CC_Z, CC_Z | CC_P | CC_C };
        set_cc(env, FSW_C1, 0);
        x86_eflags_set(env, fl[res], CC_MASK);
    } else {
        static const unsigned cc[4] = { 0, FSW_C0, FSW_C3, FSW_C3 | FSW_C2 | FSW_C0 };
        set_cc(env, FSW_CC, cc[res]);
    }
}

/* ST0 against *b (NULL: an empty operand), then the pops of flags. */
static void fpu_compare(X86CPU *env, const X86FPReg *b, unsigned flags, unsigned exc)
{
    int res;

    if (!b || st_empty(env, 0)) {
        if (stack_fault(env, false)) {
            set_cmp_result(env, CMP_UN, (flags & X86_FC_EFLAGS) != 0);
            return;
        }
        res = CMP_UN;
    } else {
        res = fp_compare(st_reg(env, 0), b, (flags & X86_FC_QUIET) != 0, &exc);
        /* a comparison has no destination: the condition codes are set even when the
         * exception is unmasked */
        if (!fpu_signal(env, exc, false)) {
            set_cmp_result(env, res, (flags & X86_FC_EFLAGS) != 0);
            return;
        }
    }
    set_cmp_result(env, res, (flags & X86_FC_EFLAGS) != 0);
    if (flags & (X86_FC_POP | X86_FC_POP2)) {
        x86_fpu_pop(env);
    }
    if (flags & X86_FC_POP2) {
        x86_fpu_pop(env);
    }
}

/* a0 i, a1 X86_FC_*: FCOM FCOMP FCOMPP FUCOM* FCOMI FUCOMI (+P) with ST(i) */
IR_HELPER(helper_fcom)
{
    X86CPU *env = env_;
    int i = (int)a0;

    fpu_prepare(env);
    fpu_compare(env, st_empty(env, i) ? NULL : st_reg(env, i), (unsigned)a1, 0);
    return 0;
}

/* a0 bits, a1 X86_FM_*, a2 X86_FC_*: FCOM/FCOMP m32fp/m64fp, FICOM/FICOMP m16int/m32int */
IR_HELPER(helper_fcom_mem)
{
    X86CPU *env = env_;
    unsigned exc = 0;
    X86FPReg a, b;
    bool den = false;

    fpu_prepare(env);
    if (st_empty(env, 0)) {
        fpu_compare(env, NULL, (unsigned)a2, 0);
        return 0;
    }
    b = mem_to_reg(a0, (unsigned)a1, &den);
    a = *st_reg(env, 0);
    if (den && !class_nan(fp_class(&a)) && fp_class(&a) != FC_UNSUPPORTED) {
        exc = FSW_DE;
    }
    fpu_compare(env, &b, (unsigned)a2, exc);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * The D9 E0-FF group
 * ------------------------------------------------------------------------------------- */

/* FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2: the round-to-nearest values and whether they were
 * rounded up (RC down/zero then give one ulp less) or down (RC up gives one more). */
static const struct {
    uint64_t mant;
    uint16_t exp;
    bool rounded_up;
} fp_consts[5] = {
    { 0xd49a784bcd1b8afeull, 0x4000, false },   /* log2(10) */
    { 0xb8aa3b295c17f0bcull, 0x3fff, true },    /* log2(e) */
    { 0xc90fdaa22168c235ull, 0x4000, true },    /* pi */
    { 0x9a209a84fbcff799ull, 0x3ffd, true },    /* log10(2) */
    { 0xb17217f7d1cf79acull, 0x3ffe, true },    /* ln(2) */
};

static void fpu_ld_const(X86CPU *env, unsigned op)
{
    X86FPReg r = { 0, 0 };
    unsigned rc = (env->fpuc >> 10) & 3;

    set_cc(env, FSW_C1, 0);
    if (op == 0xe8) {
        r = (X86FPReg){ 0x8000000000000000ull, 0x3fff };
    } else if (op >= 0xe9 && op <= 0xed) {
        r.mant = fp_consts[op - 0xe9].mant;
        r.exp = fp_consts[op - 0xe9].exp;
        if (fp_consts[op - 0xe9].rounded_up && (rc == 1 || rc == 3)) {
            r.mant--;
        } else if (!fp_consts[op - 0xe9].rounded_up && rc == 2) {
            r.mant++;
        }
    }
    fpu_push(env, &r);
}

/* Unary operations on ST0 (FSQRT FRNDINT F2XM1 FSIN FCOS). */
static void fpu_unary(X86CPU *env, unsigned op)
{
    X86FPReg a = *st_reg(env, 0), res;
    long double x = reg_ld(&a), r;
    unsigned exc;
    HostFP h;
    int c = fp_class(&a);

    set_cc(env, FSW_C1 | FSW_C2, 0);
    if (st_empty(env, 0)) {
        if (!stack_fault(env, false)) {
            st_write(env, 0, &x86_fp_indefinite);
        }
        return;
    }
    if ((op == 0xfe || op == 0xff) && c == FC_NORMAL && (a.exp & 0x7fff) >= 0x3fff + 63) {
        set_cc(env, FSW_C2, FSW_C2);      /* |x| >= 2^63: out of range, ST0 unchanged */
        return;
    }
    hfp_begin(env, &h);
    FPB(x);
    switch (op) {
    case 0xf0:
        r = host_f2xm1(x);
        break;
    case 0xfa:
        r = sqrtl(x);
        break;
    case 0xfc:
        r = rintl(x);
        break;
    case 0xfe:
        r = host_fsin(x);
        break;
    default:
        r = host_fcos(x);
        break;
    }
    FPB(r);
    exc = hfp_end(&h) | denormal_exc(&a, NULL);
    if (fpu_signal(env, exc, false)) {
        res = ld_reg(r);
        st_write(env, 0, &res);
    }
}

/* FYL2X FYL2XP1 FPATAN (ST1 = f(ST1, ST0), pop) and FSCALE (ST0 = f(ST0, ST1)). */
static void fpu_binary(X86CPU *env, unsigned op)
{
    X86FPReg a = *st_reg(env, 0), b = *st_reg(env, 1), res;
    long double x = reg_ld(&a), y = reg_ld(&b), r;
    int d = op == 0xfd ? 0 : 1;
    unsigned exc;
    HostFP h;

    set_cc(env, FSW_C1, 0);
    if (st_empty(env, 0) || st_empty(env, 1)) {
        if (stack_fault(env, false)) {
            return;
        }
        st_write(env, d, &x86_fp_indefinite);
    } else {
        hfp_begin(env, &h);
        FPB(x);
        FPB(y);
        switch (op) {
        case 0xf1:
            r = host_fyl2x(y, x);
            break;
        case 0xf3:
            r = host_fpatan(y, x);
            break;
        case 0xf9:
            r = host_fyl2xp1(y, x);
            break;
        default:
            r = host_fscale(x, y);
            break;
        }
        FPB(r);
        exc = hfp_end(&h) | denormal_exc(&a, &b);
        if (!fpu_signal(env, exc, false)) {
            return;
        }
        res = ld_reg(r);
        st_write(env, d, &res);
    }
    if (d) {
        x86_fpu_pop(env);
    }
}

/* The stack checks of FPTAN, FSINCOS and FXTRACT (ST0 is replaced and one value pushed):
 * on underflow or overflow both become the indefinite when masked. True: nothing more to do. */
static bool two_results_fault(X86CPU *env)
{
    if (!st_empty(env, 0) && !push_overflows(env)) {
        return false;
    }
    if (!stack_fault(env, !st_empty(env, 0))) {
        st_write(env, 0, &x86_fp_indefinite);
        env->fpstt = (env->fpstt - 1) & 7;
        st_write(env, 0, &x86_fp_indefinite);
    }
    return true;
}

/* FPTAN (ST0 = tan, push 1.0) and FSINCOS (ST0 = sin, push cos). */
static void fpu_two_results(X86CPU *env, unsigned op)
{
    X86FPReg a = *st_reg(env, 0), r0, r1;
    long double x = reg_ld(&a), lo, hi;
    unsigned exc;
    HostFP h;

    set_cc(env, FSW_C1 | FSW_C2, 0);
    if (two_results_fault(env)) {
        return;
    }
    if (fp_class(&a) == FC_NORMAL && (a.exp & 0x7fff) >= 0x3fff + 63) {
        set_cc(env, FSW_C2, FSW_C2);
        return;
    }
    hfp_begin(env, &h);
    FPB(x);
    if (op == 0xf2) {
        host_fptan(x, &lo, &hi);
    } else {
        host_fsincos(x, &lo, &hi);
    }
    FPB(lo);
    FPB(hi);
    exc = hfp_end(&h) | denormal_exc(&a, NULL);
    if (!fpu_signal(env, exc, false)) {
        return;
    }
    r0 = ld_reg(lo);
    r1 = ld_reg(hi);
    st_write(env, 0, &r0);
    fpu_push(env, &r1);
}

/* Normalised significand (top bit set) and unbiased exponent of a finite non-zero value:
 * value = m * 2^(e - 63). */
static void fp_unpack(const X86FPReg *a, uint64_t *m, int *e)
{
    int sh = __builtin_clzll(a->mant);

    *m = a->mant << sh;
    *e = ((a->exp & 0x7fff) ? (int)(a->exp & 0x7fff) : 1) - 16383 - sh;
}

/* The register holding r * 2^unit (exact: the caller guarantees it is representable). */
static X86FPReg fp_pack(uint64_t r, int unit, bool neg)
{
    X86FPReg out = { 0, neg ? 0x8000 : 0 };
    int sh, be;

    if (r == 0) {
        return out;
    }
    sh = __builtin_clzll(r);
    be = unit + 63 - sh + 16383;
    out.mant = r << sh;
    if (be <= 0) {
        out.mant = 1 - be < 64 ? out.mant >> (1 - be) : 0;
        be = 0;
    }
    out.exp |= (uint16_t)be;
    return out;
}

/* A pseudo-denormal in its normal encoding (as the arithmetic writes it back). */
static X86FPReg fp_canon(X86FPReg a)
{
    if ((a.exp & 0x7fff) == 0 && (a.mant >> 63)) {
        a.exp |= 1;
    }
    return a;
}

/* FXTRACT: ST0 = the exponent, then push the significand. */
static void fpu_fxtract(X86CPU *env)
{
    X86FPReg a = *st_reg(env, 0), sig, ex;
    int c = fp_class(&a);
    unsigned exc = 0;

    set_cc(env, FSW_C1, 0);
    if (two_results_fault(env)) {
        return;
    }
    switch (c) {
    case FC_ZERO:
        exc = FSW_ZE;
        ex = (X86FPReg){ 0x8000000000000000ull, 0xffff };   /* -inf */
        sig = a;
        break;
    case FC_INF:
        ex = (X86FPReg){ 0x8000000000000000ull, 0x7fff };   /* +inf */
        sig = a;
        break;
    case FC_SNAN:
        exc = FSW_IE;
        /* fall through */
    case FC_QNAN:
        ex = a;
        ex.mant |= 1ull << 62;
        sig = ex;
        break;
    case FC_UNSUPPORTED:
        exc = FSW_IE;
        ex = sig = x86_fp_indefinite;
        break;
    default: {
        uint64_t m;
        int e;

        exc = c == FC_DENORMAL ? FSW_DE : 0;
        fp_unpack(&a, &m, &e);
        ex = ld_reg((long double)e);
        sig.mant = m;
        sig.exp = (uint16_t)((a.exp & 0x8000) | 0x3fff);
        break;
    }
    }
    if (!fpu_signal(env, exc, false)) {
        return;
    }
    st_write(env, 0, &ex);
    fpu_push(env, &sig);
}

/*
 * FPREM (truncated quotient) and FPREM1 (quotient rounded to nearest even): exact, on the
 * integer significands. When the exponents differ by 64 or more, one step reduces the
 * difference to a multiple of 32 (N = 32 + D mod 32 quotient bits, what the SDM leaves to
 * the implementation; this matches the hardware we compared with) and sets C2.
 */
static void fpu_fprem(X86CPU *env, bool ieee)
{
    X86FPReg a = *st_reg(env, 0), b = *st_reg(env, 1), res;
    int ca = fp_class(&a), cb = fp_class(&b);
    unsigned exc = 0, cc = 0;
    uint64_t ma, mb, q, r;
    unsigned __int128 num, den;
    int ea, eb, d, unit;
    bool neg = a.exp >> 15;

    set_cc(env, FSW_CC, 0);
    if (st_empty(env, 0) || st_empty(env, 1)) {
        if (!stack_fault(env, false)) {
            st_write(env, 0, &x86_fp_indefinite);
        }
        return;
    }
    if (ca == FC_UNSUPPORTED || cb == FC_UNSUPPORTED) {
        exc = FSW_IE;
        res = x86_fp_indefinite;
    } else if (class_nan(ca) || class_nan(cb)) {
        HostFP h;
        long double x = reg_ld(&a), y = reg_ld(&b), z;

        hfp_begin(env, &h);
        FPB(x);
        FPB(y);
        z = x + y;          /* the x87's NaN propagation */
        FPB(z);
        exc = hfp_end(&h) & FSW_IE;
        res = ld_reg(z);
    } else if (ca == FC_INF || cb == FC_ZERO) {
        exc = FSW_IE;
        res = x86_fp_indefinite;
    } else if (ca == FC_ZERO || cb == FC_INF) {
        exc = denormal_exc(&a, &b);
        res = fp_canon(a);
    } else {
        exc = denormal_exc(&a, &b);
        fp_unpack(&a, &ma, &ea);
        fp_unpack(&b, &mb, &eb);
        d = ea - eb;
        if (d >= 64) {
            int n = 32 + (d & 31);

            num = (unsigned __int128)ma << n;
            r = (uint64_t)(num % mb);
            unit = ea - 63 - n;
            cc = FSW_C2;
            res = fp_pack(r, unit, neg);
        } else if (d < 0 && !(ieee && d == -1)) {
            res = fp_canon(a);  /* |a| < |b| (FPREM1: |a| < |b| / 2): quotient 0 */
        } else {
            if (d >= 0) {
                num = (unsigned __int128)ma << d;
                den = mb;
                unit = eb - 63;
            } else {
                num = ma;
                den = (unsigned __int128)mb << 1;
                unit = eb - 64;
            }
            q = (uint64_t)(num / den);
            r = (uint64_t)(num % den);
            if (ieee && ((unsigned __int128)r * 2 > den ||
                         ((unsigned __int128)r * 2 == den && (q & 1)))) {
                r = (uint64_t)(den - r);
                q++;
                neg = !neg;
            }
            cc = ((q & 4) ? FSW_C0 : 0) | ((q & 2) ? FSW_C3 : 0) | ((q & 1) ? FSW_C1 : 0);
            res = fp_pack(r, unit, r ? neg : (a.exp >> 15) != 0);
        }
        if ((res.exp & 0x7fff) == 0 && res.mant && !(env->fpuc & FCW_UM)) {
            exc |= FSW_UE;  /* a tiny (exact) result: UE only when unmasked */
        }
    }
    if (!fpu_signal(env, exc, false)) {
        return;
    }
    set_cc(env, FSW_CC, cc);
    st_write(env, 0, &res);
}

static void fpu_fxam(X86CPU *env)
{
    /* C3 C2 C0 by class (FC_*): zero, normal, denormal, infinity, NaN, NaN, unsupported */
    static const uint16_t cls[] = {
        FSW_C3, FSW_C2, FSW_C3 | FSW_C2, FSW_C2 | FSW_C0, FSW_C0, FSW_C0, 0,
    };
    const X86FPReg *a = st_reg(env, 0);
    unsigned cc = (a->exp & 0x8000) ? FSW_C1 : 0;

    cc |= st_empty(env, 0) ? FSW_C3 | FSW_C0 : cls[fp_class(a)];
    set_cc(env, FSW_CC, cc);
}

/* a0 the ModRM byte of D9 E0-FF: FCHS FABS FTST FXAM, constants, F2XM1 .. FCOS */
IR_HELPER(helper_fop)
{
    X86CPU *env = env_;
    unsigned op = (unsigned)a0 & 0xff;
    static const X86FPReg zero = { 0, 0 };

    fpu_prepare(env);
    switch (op) {
    case 0xe0: /* FCHS */
    case 0xe1: /* FABS */
        set_cc(env, FSW_C1, 0);
        if (st_empty(env, 0)) {
            if (!stack_fault(env, false)) {
                st_write(env, 0, &x86_fp_indefinite);
            }
        } else if (op == 0xe0) {
            st_reg(env, 0)->exp ^= 0x8000;
        } else {
            st_reg(env, 0)->exp &= 0x7fff;
        }
        break;
    case 0xe4: /* FTST */
        fpu_compare(env, &zero, 0, 0);
        break;
    case 0xe5:
        fpu_fxam(env);
        break;
    case 0xe8 ... 0xee:
        fpu_ld_const(env, op);
        break;
    case 0xf0: case 0xfa: case 0xfc: case 0xfe: case 0xff:
        fpu_unary(env, op);
        break;
    case 0xf1: case 0xf3: case 0xf9: case 0xfd:
        fpu_binary(env, op);
        break;
    case 0xf2: case 0xfb:
        fpu_two_results(env, op);
        break;
    case 0xf4:
        fpu_fxtract(env);
        break;
    case 0xf5:
    case 0xf8:
        fpu_fprem(env, op == 0xf5);
        break;
    case 0xf6: /* FDECSTP */
        set_cc(env, FSW_C1, 0);
        env->fpstt = (env->fpstt - 1) & 7;
        break;
    case 0xf7: /* FINCSTP */
        set_cc(env, FSW_C1, 0);
        env->fpstt = (env->fpstt + 1) & 7;
        break;
    default:   /* FNOP and the undefined encodings (the decoder makes those #UD) */
        break;
    }
    return 0;
}

/* FWAIT, FNOP */
IR_HELPER(helper_fwait)
{
    fpu_prepare(env_);
    return 0;
}

/* a0 control word: FLDCW (a flag unmasked by it becomes pending) */
IR_HELPER(helper_fldcw)
{
    X86CPU *env = env_;

    fpu_prepare(env);
    x86_fpu_set_fcw(env, (uint16_t)a0);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_fpu.c — unit tests of the x87 helpers (cpu/x86/fpu_helper.c) and of the
 * state images (cpu/x86/fpu_state.c), against the host's own x87 as the oracle.
 *
 * Each x87 instruction under test is assembled into a small buffer of host code
 *     mov %r8d,%eax; sahf; frstor (%rsi); <the instruction, memory operand at (%rdi)>;
 *     lahf; mov %ah,(%rcx); fnsave (%rdx); ret
 * and run natively; the same state goes through the helpers, driven the way translate-fpu.c
 * drives them, and the two FNSAVE images (control, status and tag words, the non-empty
 * registers), the memory operand and for FCOMI/FUCOMI the flags are compared. The inputs
 * cover special values (zeros, denormals, pseudo-denormals, infinities, NaNs, unsupported
 * encodings, boundaries of each format) and random ones, the four rounding modes, masked
 * and unmasked exceptions, and stack fill patterns that cause overflow and underflow.
 *
 * Not compared: C1 of an inexact result (the round-up indicator is not modelled), C0-C3
 * of a partial remainder, the instruction/data pointers of FNSTENV/FNSAVE/FXSAVE, MXCSR_MASK.
 */
#include "util/osdep.h"
#include "cpu/x86/cpu.h"
#include <check.h>
#include <math.h>
#include <sys/mman.h>

#define ENV_SIZE 28
#define IMG_SIZE 108

typedef struct Img {
    uint8_t b[IMG_SIZE];
} Img;

static X86CPU *env;
static bool cur_is_prem;    /* FPREM/FPREM1: C0 C1 C3 of a partial remainder not compared */
static uint8_t *code;   /* the host code buffer (RWX) */
static int nfail;
static int fail_print_limit = 40;   /* FPU_TEST_PRINT=n in the environment: print n */

typedef void (*HostFn)(void *mem, const void *in, void *out, uint8_t *flags_out,
                       uint64_t flags_in);

static void setup(void)
{
    env = xzalloc(sizeof(*env));
    env->parent.cc = &x86_cpu_class;
    env->a20_mask = ~0ull;
    env->old_exception = -1;
    env->mxcsr = 0x1f80;
    env->xcr0 = 1;
    env->cc_op = CC_OP_EFLAGS;
    env->eflags = 2;
    env->df = 1;
    x86_fpu_init(env);
    nfail = 0;
    if (getenv("FPU_TEST_PRINT")) {
        fail_print_limit = atoi(getenv("FPU_TEST_PRINT"));
    }
    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    ck_assert_ptr_ne(code, MAP_FAILED);
}

static void teardown(void)
{
    munmap(code, 4096);
    free(env);
}

/* ---------------------------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------------------------- */

#define R(m, e) { (uint64_t)(m), (uint16_t)(e) }
static const X86FPReg specials[] = {
    R(0, 0), R(0, 0x8000),                                          /* +0 -0 */
    R(1ull << 63, 0x3fff), R(1ull << 63, 0xbfff),                   /* 1 -1 */
    R(0xc000000000000000ull, 0x3fff), R(0xc90fdaa22168c235ull, 0x4000),   /* 1.5 pi */
    R(0xaaaaaaaaaaaaaaabull, 0x3ffd), R(0xaaaaaaaaaaaaaaabull, 0xbffd),   /* +-1/3 */
    R(0xffffffffffffffffull, 0x7ffe), R(1ull << 63, 0x0001),        /* max, min normal */
    R(0x1234, 0), R(0x8000000000000001ull, 0),                      /* denormal, pseudo */
    R(0x4000000000000000ull, 0x8000),                               /* -denormal */
    R(1ull << 63, 0x7fff), R(1ull << 63, 0xffff),                   /* +inf -inf */
    R(0xc000000000000001ull, 0x7fff), R(0xe000000000000000ull, 0xffff),   /* QNaNs */
    R(0x8000000000000001ull, 0x7fff), R(0xa000000000000000ull, 0xffff),   /* SNaNs */
    R(0xc000000000000000ull, 0xffff),                               /* indefinite */
    R(0x4000000000000000ull, 0x4000), R(0, 0x7fff),                 /* unnormal, pseudo-inf */
    R(0x4000000000000001ull, 0x7fff),                               /* pseudo-NaN */
    R(0xfffe000000000000ull, 0x400d), R(0x8001000000000000ull, 0xc00e),   /* 32767.5 -32768.5 */
    R(1ull << 63, 0x403e), R(0xfffffffffffffffcull, 0x403d),        /* 2^63, just below */
    R(0xde0b6b3a76400000ull, 0x403a), R(0xde0b6b3a763ffff0ull, 0xc03a),   /* 1e18, -(1e18-1) */
    R(1ull << 63, 0x3ffe), R(0xa000000000000000ull, 0x4000),        /* 0.5 2.5 */
    R(0xa000000000000000ull, 0xc000), R(0xffffff8000000000ull, 0x407e),   /* -2.5 FLT_MAX+ */
    R(0xfffffffffffff800ull, 0x43fe), R(0x8000000000000400ull, 0x3c00),   /* DBL_MAX+, tiny */
    R(0x8000000000000001ull, 0x3f80), R(0xc000000000000000ull, 0x3c01),   /* f32/f64 denormal */
    R(1ull << 63, 0x3fff + 70), R(0xb504f333f9de6484ull, 0x3fff),   /* 2^70, sqrt 2 */
};
#undef R

/* A few random values of moderate exponent (a fixed sequence) */
static X86FPReg rnd_val(uint64_t *seed)
{
    X86FPReg r;

    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    r.mant = (*seed >> 1) | (1ull << 63);
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    r.exp = (uint16_t)(0x3fff - 40 + (*seed >> 40) % 80) | ((*seed >> 20) & 1 ? 0x8000 : 0);
    return r;
}

#define NVALS (ARRAY_SIZE(specials) + 8)
static X86FPReg vals[NVALS];

static void init_vals(void)
{
    uint64_t seed = 12345;

    memcpy(vals, specials, sizeof(specials));
    for (size_t i = ARRAY_SIZE(specials); i < NVALS; i++) {
        vals[i] = rnd_val(&seed);
    }
}

/* Control words: the four rounding modes (all masked), IE/DE/ZE unmasked, PE unmasked */
static const uint16_t cws[] = { 0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x0378, 0x035f };

/* ---------------------------------------------------------------------------------------
 * Images and the two executions
 * ------------------------------------------------------------------------------------- */

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

static unsigned tag_for(const X86FPReg *r)
{
    unsigned e = r->exp & 0x7fff;

    if (e == 0) {
        return r->mant ? 2 : 1;
    }
    return (e == 0x7fff || !(r->mant >> 63)) ? 2 : 0;
}

/* A FRSTOR image: control word cw, TOP = top, ST(i) = v[i] for i < n (the others empty
 * and zero); full (correct) tags. */
static void mk_img(Img *im, uint16_t cw, int top, int n, const X86FPReg *v)
{
    uint16_t tw = 0xffff;

    memset(im, 0, sizeof(*im));
    put32(im->b, 0xffff0000u | cw);
    put32(im->b + 4, 0xffff0000u | (uint32_t)(top << 11));
    for (int i = 0; i < 8; i++) {
        unsigned p = (top + i) & 7;
        if (i < n) {
            tw = (uint16_t)((tw & ~(3u << (2 * p))) | (tag_for(&v[i]) << (2 * p)));
            memcpy(im->b + ENV_SIZE + 10 * i, &v[i].mant, 8);
            memcpy(im->b + ENV_SIZE + 10 * i + 8, &v[i].exp, 2);
        }
    }
    put32(im->b + 8, 0xffff0000u | tw);
    put32(im->b + 24, 0xffff0000u);
}

static void emu_load(const Img *im)
{
    x86_fpu_ldenv(env, im->b, true);
    for (int i = 0; i < 8; i++) {
        X86FPReg *r = &env->fpregs[(env->fpstt + i) & 7];
        memcpy(&r->mant, im->b + ENV_SIZE + 10 * i, 8);
        memcpy(&r->exp, im->b + ENV_SIZE + 10 * i + 8, 2);
    }
}

static void emu_save(Img *im)
{
    memset(im, 0, sizeof(*im));
    x86_fpu_stenv(env, im->b, true);
    for (int i = 0; i < 8; i++) {
        X86FPReg *r = &env->fpregs[(env->fpstt + i) & 7];
        memcpy(im->b + ENV_SIZE + 10 * i, &r->mant, 8);
        memcpy(im->b + ENV_SIZE + 10 * i + 8, &r->exp, 2);
    }
}

/* Run the instruction bytes natively: memory operand at mem, flags in/out through AH. */
static void host_run(const uint8_t *insn, int len, void *mem, const Img *in, Img *out,
                     uint8_t *flags_out, uint8_t flags_in)
{
    static const uint8_t pre[] = { 0x44, 0x89, 0xc0, 0x9e, 0xdd, 0x26 };
    static const uint8_t post[] = { 0x9f, 0x88, 0x21, 0xdd, 0x32, 0xc3 };
    HostFn fn = (HostFn)(uintptr_t)code;

    memcpy(code, pre, sizeof(pre));
    memcpy(code + sizeof(pre), insn, len);
    memcpy(code + sizeof(pre) + len, post, sizeof(post));
    __builtin___clear_cache((char *)code, (char *)code + 64);
    fn(mem, in, out, flags_out, (uint64_t)(flags_in | 2) << 8);     /* sahf takes AH */
}

static const uint8_t fm_bytes[] = {
    [X86_FM_F32] = 4, [X86_FM_F64] = 8, [X86_FM_F80] = 10, [X86_FM_I16] = 2,
    [X86_FM_I32] = 4, [X86_FM_I64] = 8, [X86_FM_BCD] = 10,
};

static uint64_t ld_bits(const uint8_t *mem, unsigned kind)
{
    uint64_t v = 0;

    memcpy(&v, mem, fm_bytes[kind] > 8 ? 8 : fm_bytes[kind]);
    return v;
}

/* helper_fst_mem without the memory access */
static void emu_st(uint8_t *mem, unsigned kind, unsigned flags)
{
    uint64_t lo;
    uint16_t hi;

    if (x86_fpu_st_value(env, kind, (flags & X86_FST_TRUNC) != 0, &lo, &hi)) {
        memcpy(mem, &lo, fm_bytes[kind] > 8 ? 8 : fm_bytes[kind]);
        if (fm_bytes[kind] == 10) {
            memcpy(mem + 8, &hi, 2);
        }
        if (flags & X86_FST_POP) {
            x86_fpu_pop(env);
        }
    }
}

/* The helpers called as translate-fpu.c calls them for esc (D8 + esc) and modrm (rm = 7,
 * mod = 0 for a memory operand at mem). */
static void emu_exec(unsigned esc, unsigned modrm, uint8_t *mem, uint8_t flags)
{
    static const uint8_t arith_kind[4] = { X86_FM_F32, X86_FM_I32, X86_FM_F64, X86_FM_I16 };
    static const uint8_t fcmov_cc[4] = { CC_C, CC_Z, CC_C | CC_Z, CC_P };
    int op = (modrm >> 3) & 7, i = modrm & 7;
    unsigned ik = esc == 3 ? X86_FM_I32 : esc == 5 ? X86_FM_I64 : X86_FM_I16;

    x86_eflags_set(env, flags, CC_MASK);
    if (modrm < 0xc0) {
        if (!(esc & 1)) {
            unsigned k = arith_kind[esc >> 1];
            if (op == 2 || op == 3) {
                helper_fcom_mem(env, ld_bits(mem, k), k, op == 3 ? X86_FC_POP : 0, 0);
            } else {
                helper_farith_mem(env, op, ld_bits(mem, k), k, 0);
            }
            return;
        }
        if (op == 1) {
            emu_st(mem, ik, X86_FST_POP | X86_FST_TRUNC);
            return;
        }
        switch (esc * 8 + op) {
        case 8 + 0: helper_fld_mem(env, ld_bits(mem, X86_FM_F32), 0, X86_FM_F32, 0); break;
        case 8 + 2: emu_st(mem, X86_FM_F32, 0); break;
        case 8 + 3: emu_st(mem, X86_FM_F32, X86_FST_POP); break;
        case 8 + 5: helper_fldcw(env, get16(mem), 0, 0, 0); break;
        case 8 + 7: memcpy(mem, &env->fpuc, 2); break;
        case 24 + 0: helper_fld_mem(env, ld_bits(mem, X86_FM_I32), 0, X86_FM_I32, 0); break;
        case 24 + 2: emu_st(mem, X86_FM_I32, 0); break;
        case 24 + 3: emu_st(mem, X86_FM_I32, X86_FST_POP); break;
        case 24 + 5: helper_fld_mem(env, ld_bits(mem, X86_FM_F80), get16(mem + 8), X86_FM_F80, 0);
            break;
        case 24 + 7: emu_st(mem, X86_FM_F80, X86_FST_POP); break;
        case 40 + 0: helper_fld_mem(env, ld_bits(mem, X86_FM_F64), 0, X86_FM_F64, 0); break;
        case 40 + 2: emu_st(mem, X86_FM_F64, 0); break;
        case 40 + 3: emu_st(mem, X86_FM_F64, X86_FST_POP); break;
        case 40 + 7: {
            uint16_t sw = x86_fpu_fsw(env);
            memcpy(mem, &sw, 2);
            break;
        }
        case 56 + 0: helper_fld_mem(env, ld_bits(mem, X86_FM_I16), 0, X86_FM_I16, 0); break;
        case 56 + 2: emu_st(mem, X86_FM_I16, 0); break;
        case 56 + 3: emu_st(mem, X86_FM_I16, X86_FST_POP); break;
        case 56 + 4: helper_fld_mem(env, ld_bits(mem, X86_FM_BCD), get16(mem + 8), X86_FM_BCD, 0);
            break;
        case 56 + 5: helper_fld_mem(env, ld_bits(mem, X86_FM_I64), 0, X86_FM_I64, 0); break;
        case 56 + 6: emu_st(mem, X86_FM_BCD, X86_FST_POP); break;
        case 56 + 7: emu_st(mem, X86_FM_I64, X86_FST_POP); break;
        default: ck_abort_msg("no emulation for %02x %02x", 0xd8 + esc, modrm);
        }
        return;
    }
    switch (esc) {
    case 0:
        if (op == 2 || op == 3) {
            helper_fcom(env, i, op == 3 ? X86_FC_POP : 0, 0, 0);
        } else {
            helper_farith(env, op, i, 0, 0);
        }
        return;
    case 1:
        switch (op) {
        case 0: helper_fld_st(env, i, 0, 0, 0); return;
        case 1: helper_fxch(env, i, 0, 0, 0); return;
        case 2: helper_fwait(env, 0, 0, 0, 0); return;
        case 3: helper_fst_st(env, i, 1, 0, 0); return;
        default: helper_fop(env, modrm, 0, 0, 0); return;
        }
    case 2:
    case 3:
        if (op < 4) {
            bool c = (flags & fcmov_cc[op]) != 0;
            helper_fcmov(env, i, esc == 2 ? c : !c, 0, 0);
        } else if (esc == 2) {
            helper_fcom(env, 1, X86_FC_QUIET | X86_FC_POP2, 0, 0);
        } else if (op == 4) {
            if (modrm == 0xe2) {
                env->fpus &= 0x7f00;                /* FNCLEX */
            } else if (modrm == 0xe3) {
                x86_fpu_init(env);
            }
        } else {
            helper_fcom(env, i, X86_FC_EFLAGS | (op == 5 ? X86_FC_QUIET : 0), 0, 0);
        }
        return;
    case 4:
    case 6:
        if (op == 2 || op == 3) {
            if (esc == 6 && op == 3) {
                helper_fcom(env, 1, X86_FC_POP2, 0, 0);
            } else {
                helper_fcom(env, i, (op == 3 || esc == 6) ? X86_FC_POP : 0, 0, 0);
            }
        } else {
            helper_farith(env, op >= 4 ? op ^ 1 : op, i,
                          X86_FA_STI | (esc == 6 ? X86_FA_POP : 0), 0);
        }
        return;
    case 5:
        switch (op) {
        case 0: helper_ffree(env, i, 0, 0, 0); return;
        case 1: helper_fxch(env, i, 0, 0, 0); return;
        case 2: case 3: helper_fst_st(env, i, op == 3, 0, 0); return;
        default: helper_fcom(env, i, X86_FC_QUIET | (op == 5 ? X86_FC_POP : 0), 0, 0); return;
        }
    default:
        switch (op) {
        case 0: helper_ffree(env, i, 1, 0, 0); return;
        case 1: helper_fxch(env, i, 0, 0, 0); return;
        case 2: case 3: helper_fst_st(env, i, 1, 0, 0); return;
        case 4: env->regs[R_EAX] = x86_fpu_fsw(env); return;
        default:
            helper_fcom(env, i, X86_FC_EFLAGS | X86_FC_POP | (op == 5 ? X86_FC_QUIET : 0), 0, 0);
            return;
        }
    }
}

static bool is_fcomi(unsigned esc, unsigned modrm)
{
    return modrm >= 0xe8 && modrm < 0xf8 && (esc == 3 || esc == 7);
}

/* Compare the two executions; returns false (and reports) on a difference. */
static bool compare(const char *what, const Img *in, const Img *e, const Img *h,
                    const uint8_t *em, const uint8_t *hm, int memlen, uint16_t swmask)
{
    uint16_t esw = get16(e->b + 4), hsw = get16(h->b + 4);
    uint16_t etw = get16(e->b + 8), htw = get16(h->b + 8);
    bool ok = true;
    char buf[512];
    int n = 0;

    if (hsw & X86_FSW_PE) {
        swmask &= ~X86_FSW_C1;
    }
    if (cur_is_prem && (hsw & X86_FSW_C2)) {
        swmask &= ~(X86_FSW_C0 | X86_FSW_C1 | X86_FSW_C3);     /* a partial remainder */
    }
    ok = get16(e->b) == get16(h->b) && (esw & swmask) == (hsw & swmask) && etw == htw;
    for (int i = 0; ok && i < 8; i++) {
        unsigned p = ((hsw >> 11) + i) & 7;
        if (((htw >> (2 * p)) & 3) != 3 && memcmp(e->b + ENV_SIZE + 10 * i,
                                                  h->b + ENV_SIZE + 10 * i, 10)) {
            ok = false;
        }
    }
    if (ok && memlen && memcmp(em, hm, memlen)) {
        ok = false;
    }
    if (ok) {
        return true;
    }
    if (nfail++ < fail_print_limit) {
        n += snprintf(buf + n, sizeof(buf) - n, "%s: in cw %04x sw %04x st0 %04x:%016" PRIx64
                      " st1 %04x:%016" PRIx64 "\n", what, get16(in->b), get16(in->b + 4),
                      get16(in->b + ENV_SIZE + 8), *(const uint64_t *)(in->b + ENV_SIZE),
                      get16(in->b + ENV_SIZE + 18), *(const uint64_t *)(in->b + ENV_SIZE + 10));
        for (int k = 0; k < 2; k++) {
            const Img *x = k ? h : e;
            n += snprintf(buf + n, sizeof(buf) - n, "  %s: cw %04x sw %04x tw %04x st0 %04x:%016"
                          PRIx64 " st1 %04x:%016" PRIx64, k ? "host" : "emu ", get16(x->b),
                          get16(x->b + 4), get16(x->b + 8), get16(x->b + ENV_SIZE + 8),
                          *(const uint64_t *)(x->b + ENV_SIZE), get16(x->b + ENV_SIZE + 18),
                          *(const uint64_t *)(x->b + ENV_SIZE + 10));
            if (memlen) {
                n += snprintf(buf + n, sizeof(buf) - n, " mem");
                for (int j = memlen - 1; j >= 0; j--) {
                    n += snprintf(buf + n, sizeof(buf) - n, "%02x", (k ? hm : em)[j]);
                }
            }
            n += snprintf(buf + n, sizeof(buf) - n, "\n");
        }
        fputs(buf, stderr);
    }
    return false;
}

/* One instruction (esc, modrm) on state `in` with memory operand mem (memlen bytes). */
static void run_one(unsigned esc, unsigned modrm, const Img *in, const uint8_t *mem, int memlen,
                    uint8_t flags, uint16_t swmask)
{
    uint8_t insn[2] = { (uint8_t)(0xd8 + esc), (uint8_t)modrm };
    uint8_t hm[16] = { 0 }, em[16] = { 0 }, hfl = 0;
    Img h, e;
    char what[32];

    memcpy(hm, mem, memlen);
    memcpy(em, mem, memlen);
    host_run(insn, 2, hm, in, &h, &hfl, flags);
    emu_load(in);
    emu_exec(esc, modrm, em, flags);
    emu_save(&e);
    snprintf(what, sizeof(what), "%02x %02x", 0xd8 + esc, modrm);
    if (compare(what, in, &e, &h, em, hm, memlen, swmask) && is_fcomi(esc, modrm)) {
        uint8_t ef = (uint8_t)x86_eflags_get(env) & (CC_Z | CC_P | CC_C);
        if (ef != (hfl & (CC_Z | CC_P | CC_C)) && nfail++ < 40) {
            fprintf(stderr, "%s: flags emu %02x host %02x\n", what, ef, hfl);
        }
    }
}

/* Stack shapes: ST0 = a, ST1 = b; with the rest empty, all full, or ST0/ST1 empty. */
enum { SHAPE_TWO, SHAPE_FULL, SHAPE_ST0_EMPTY, SHAPE_ST1_EMPTY, SHAPE_EMPTY, SHAPE_N };

static void mk_shape(Img *im, uint16_t cw, int shape, const X86FPReg *a, const X86FPReg *b)
{
    X86FPReg v[8];
    static const X86FPReg one = { 1ull << 63, 0x3fff };

    for (int i = 0; i < 8; i++) {
        v[i] = one;
    }
    v[0] = *a;
    v[1] = *b;
    switch (shape) {
    case SHAPE_TWO:
        mk_img(im, cw, 3, 2, v);
        break;
    case SHAPE_FULL:
        mk_img(im, cw, 5, 8, v);
        break;
    case SHAPE_ST0_EMPTY:
        mk_img(im, cw, 6, 0, v);
        /* ST1 = b only: TOP 6, register ST1 (physical 7) valid */
        memcpy(im->b + ENV_SIZE + 10, &b->mant, 8);
        memcpy(im->b + ENV_SIZE + 18, &b->exp, 2);
        put32(im->b + 8, 0xffff0000u | 0x3fff | (tag_for(b) << 14));
        break;
    case SHAPE_ST1_EMPTY:
        mk_img(im, cw, 0, 1, v);
        break;
    default:
        mk_img(im, cw, 2, 0, v);
        break;
    }
}

/* ---------------------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------------------- */

static const uint8_t no_mem[16];

/* The register forms of D8, DC, DE (arithmetic, FCOM*), with every pair of values. */
START_TEST(test_arith_reg)
{
    static const uint8_t forms[][2] = {
        { 0, 0xc1 }, { 0, 0xc9 }, { 0, 0xd1 }, { 0, 0xd9 }, { 0, 0xe1 }, { 0, 0xe9 },
        { 0, 0xf1 }, { 0, 0xf9 }, { 4, 0xc1 }, { 4, 0xc9 }, { 4, 0xe1 }, { 4, 0xe9 },
        { 4, 0xf1 }, { 4, 0xf9 }, { 6, 0xc1 }, { 6, 0xc9 }, { 6, 0xe1 }, { 6, 0xe9 },
        { 6, 0xf1 }, { 6, 0xf9 }, { 6, 0xd9 }, { 4, 0xd1 }, { 6, 0xd1 }, { 0, 0xc0 },
    };
    Img in;

    init_vals();
    for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
        for (size_t c = 0; c < ARRAY_SIZE(cws); c++) {
            for (size_t a = 0; a < NVALS; a++) {
                for (size_t b = 0; b < NVALS; b++) {
                    mk_shape(&in, cws[c], SHAPE_TWO, &vals[a], &vals[b]);
                    run_one(forms[f][0], forms[f][1], &in, no_mem, 0, 0, 0xffff);
                }
            }
            for (int sh = SHAPE_ST0_EMPTY; sh < SHAPE_N; sh++) {
                mk_shape(&in, cws[c], sh, &vals[2], &vals[5]);
                run_one(forms[f][0], forms[f][1], &in, no_mem, 0, 0, 0xffff);
            }
        }
    }
    ck_assert_int_eq(nfail, 0);
}
END_TEST

/* Memory operands of every format, as values near the specials. */
static const uint32_t f32s[] = {
    0, 0x80000000u, 0x3f800000u, 0xbfc00000u, 0x00000001u, 0x807fffffu, 0x7f7fffffu,
    0x7f800000u, 0xff800000u, 0x7fc00001u, 0x7f800001u, 0x3dcccccdu, 0x4b000001u,
};
static const uint64_t f64s[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0x0000000000000001ull,
    0x7fefffffffffffffull, 0x7ff0000000000000ull, 0xfff8000000000000ull,
    0x7ff0000000000001ull, 0x3fb999999999999aull, 0xc340000000000001ull,
};
static const uint64_t ints[] = {
    0, 1, (uint64_t)-1, 0x7fff, 0x8000, 0x7fffffff, 0x80000000u, 12345,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0x123456789abcdefull,
};

static void for_mem_operands(unsigned kind, void (*fn)(const uint8_t *mem, int len))
{
    uint8_t m[16];

    memset(m, 0, sizeof(m));
    switch (kind) {
    case X86_FM_F32:
        for (size_t i = 0; i < ARRAY_SIZE(f32s); i++) {
            memcpy(m, &f32s[i], 4);
            fn(m, 4);
        }
        break;
    case X86_FM_F64:
        for (size_t i = 0; i < ARRAY_SIZE(f64s); i++) {
            memcpy(m, &f64s[i], 8);
            fn(m, 8);
        }
        break;
    case X86_FM_F80:
        for (size_t i = 0; i < NVALS; i++) {
            memcpy(m, &vals[i].mant, 8);
            memcpy(m + 8, &vals[i].exp, 2);
            fn(m, 10);
        }
        break;
    case X86_FM_BCD: {
        static const uint8_t bcds[][10] = {
            { 0 }, { 0x01 }, { 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x00 },
            { 0x21, 0x43, 0x65, 0x87, 0x09, 0, 0, 0, 0, 0x80 }, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80 },
            { 0x5a, 0xff, 0, 0, 0, 0, 0, 0, 0x1f, 0x7f },
        };
        for (size_t i = 0; i < ARRAY_SIZE(bcds); i++) {
            memcpy(m, bcds[i], 10);
            fn(m, 10);
        }
        break;
    }
    default:
        for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
            memcpy(m, &ints[i], 8);
            fn(m, kind == X86_FM_I16 ? 2 : kind == X86_FM_I32 ? 4 : 8);
        }
        break;
    }
}

static unsigned cur_esc, cur_modrm;
static const Img *cur_in;

static void run_mem_cb(const uint8_t *mem, int len)
{
    run_one(cur_esc, cur_modrm, cur_in, mem, len, 0, 0xffff);
}

/* Arithmetic and comparisons with memory operands (D8 DA DC DE /0-/7). */
START_TEST(test_arith_mem)
{
    static const uint8_t kinds[4] = { X86_FM_F32, X86_FM_I32, X86_FM_F64, X86_FM_I16 };
    Img in;

    init_vals();
    for (unsigned esc = 0; esc < 8; esc += 2) {
        for (unsigned op = 0; op < 8; op++) {
            for (size_t c = 0; c < ARRAY_SIZE(cws); c++) {
                for (size_t a = 0; a < NVALS; a++) {
                    mk_shape(&in, cws[c], SHAPE_TWO, &vals[a], &vals[0]);
                    cur_esc = esc;
                    cur_modrm = op << 3 | 7;
                    cur_in = &in;
                    for_mem_operands(kinds[esc >> 1], run_mem_cb);
                }
                mk_shape(&in, cws[c], SHAPE_ST0_EMPTY, &vals[0], &vals[0]);
                for_mem_operands(kinds[esc >> 1], run_mem_cb);
            }
        }
    }
    ck_assert_int_eq(nfail, 0);
}
END_TEST

/* FLD FILD FBLD from memory, also onto a full stack. */
START_TEST(test_loads)
{
    static const uint8_t forms[][3] = {     /* esc, reg, kind */
        { 1, 0, X86_FM_F32 }, { 5, 0, X86_FM_F64 }, { 3, 5, X86_FM_F80 }, { 7, 0, X86_FM_I16 },
        { 3, 0, X86_FM_I32 }, { 7, 5, X86_FM_I64 }, { 7, 4, X86_FM_BCD },
    };
    Img in;

    init_vals();
    for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
        for (size_t c = 0; c < ARRAY_SIZE(cws); c++) {
            for (int sh = 0; sh < SHAPE_N; sh++) {
                mk_shape(&in, cws[c], sh, &vals[2], &vals[3]);
                cur_esc = forms[f][0];
                cur_modrm = forms[f][1] << 3 | 7;
                cur_in = &in;
                for_mem_operands(forms[f][2], run_mem_cb);
            }
        }
    }
    ck_assert_int_eq(nfail, 0);
}
END_TEST

/* FST FSTP FIST FISTP FISTTP FBSTP to memory, every value, every rounding mode. */
START_TEST(test_stores)
{
    static const uint8_t forms[][3] = {     /* esc, reg, bytes */
        { 1, 2, 4 }, { 1, 3, 4 }, { 5, 2, 8 }, { 5, 3, 8 }, { 3, 7, 10 }, { 7, 2, 2 },
        { 7, 3, 2 }, { 3, 2, 4 }, { 3, 3, 4 }, { 7, 7, 8 }, { 7, 1, 2 }, { 3, 1, 4 },
        { 5, 1, 8 }, { 7, 6, 10 }, { 1, 7, 2 }, { 5, 7, 2 },
    };
    static const uint8_t junk[16] = { 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
                                      0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a };
    Img in;

    init_vals();
    for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
        for (size_t c = 0; c < ARRAY_SIZE(cws); c++) {
            for (size_t a = 0; a < NVALS; a++) {
                mk_shape(&in, cws[c], SHAPE_TWO, &vals[a], &vals[2]);
                run_one(forms[f][0], forms[f][1] << 3 | 7, &in, junk, forms[f][2], 0, 0xffff);
            }
            mk_shape(&in, cws[c], SHAPE_EMPTY, &vals[0], &vals[0]);
            run_one(forms[f][0], forms[f][1] << 3 | 7, &in, junk, forms[f][2], 0, 0xffff);
        }
    }
    ck_assert_int_eq(nfail, 0);
}
END_TEST

/* D9 E0-FF (FCHS .. FCOS), with every value in ST0 and in ST1. */
START_TEST(test_d9_group)
{
    static const uint8_t ops[] = {
        0xe0, 0xe1, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xf0, 0xf1, 0xf2,
        0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
    };
    Img in;

    init_vals();
    for (size_t o = 0; o < ARRAY_SIZE(ops); o++) {
        cur_is_prem = ops[o] == 0xf5 || ops[o] == 0xf8;
        for (size_t c = 0; c < ARRAY_SIZE(cws); c++) {
            for (size_t a = 0; a < NVALS; a++) {
                for (size_t b = 0; b < NVALS; b++) {
                    mk_shape(&in, cws[c], SHAPE_TWO, &vals[a], &vals[b]);
                    run_one(1, ops[o], &in, no_mem, 0, 0, 0xffff);
                }
            }
            for (int sh = SHAPE_FULL; sh < SHAPE_N; sh++) {
                mk_shape(&in, cws[c], sh, &vals[4], &vals[5]);
                run_one(1, ops[o], &in, no_mem, 0, 0, 0xffff);
            }
        }
    }
    ck_assert_int_eq(nfail, 0);
}
END_TEST

/* The register moves: FLD/FST/FSTP/FXCH/FFREE/FCMOVcc/FUCOMI.. with ST(i), all shapes. */
START_TEST(test_reg_moves)
{
    static const uint8_t forms[][2] = {
        { 1, 0xc0 }, { 1, 0xc1 }, { 1, 0xc3 }, { 1, 0xc9 }, { 1, 0xcb }, { 1, 0xd0 },
        { 1, 0xd9 }, { 5, 0xc1 }, { 5, 0xd1 }, { 5, 0xd8 }, { 5, 0xd9 }, { 5, 0xc9 },
        { 7, 0xc1 }, { 7, 0xc9 }, { 7, 0xd1 }, { 7, 0xd9 }, { 5, 0xe1 }, { 5, 0xe9 },
        { 2, 0xe9 }, { 3, 0xe9 }, { 3, 0xf1 }, { 7, 0xe9 }, { 7, 0xf1 }, { 3, 0xe2 },
        { 2, 0xc1 }, { 2, 0xc9 }, { 2, 0xd1 }, { 2, 0xd9 }, { 3, 0xc1 }, { 3, 0xc9 },
        { 3, 0xd1 }, { 3, 0xd9 }, { 7, 0xe0 }, { 3, 0xe0 }, { 3, 0xe4 },
    };
    static const uint8_t flag_sets[] = { 0, CC_C, CC_Z, CC_P, CC_Z | CC_P | CC_C };
    Img in;

    init_vals();
    for (size_t f = 0; f < ARRAY_SIZE(forms); f++) {
        for (size_t c = 0; c < ARRAY_SIZE(cws); c += 4) {
            for (size_t fl = 0; fl < ARRAY_SIZE(flag_sets); fl++) {
                for (int sh = 0; sh < SHAPE_N; sh++) {
                    /* D9 D8+i (FSTP1, undocumented) with an empty ST0: no stack fault on
                     * AMD processors; modelled as FSTP (the documented alias) */
                    if (forms[f][0] == 1 && forms[f][1] >= 0xd8 &&
                        (sh == SHAPE_ST0_EMPTY || sh == SHAPE_EMPTY)) {
                        continue;
                    }
                    for (size_t a = 0; a < NVALS; a += (sh == SHAPE_TWO ? 1 : 7)) {
                        mk_shape(&in, cws[c], sh, &vals[a], &vals[(a * 7 + 3) % NVALS]);
                        run_one(forms[f][0], forms[f][1], &in, no_mem, 0, flag_sets[fl], 0xffff);
                    }
                }
            }
        }
    }
    ck_assert_int_eq(nfail, 0);
}
END_TEST

/* FPREM/FPREM1 with exponents far apart: each partial step sets C2 and matches the host's
 * remainder; iterating until C2 = 0 gives the complete remainder and its quotient bits. */
START_TEST(test_fprem_partial)
{
    uint64_t seed = 777;
    Img in, h, e;
    uint8_t fl;

    cur_is_prem = true;
    for (int k = 0; k < 400; k++) {
        X86FPReg a = rnd_val(&seed), b = rnd_val(&seed);
        unsigned op = (k & 1) ? 0xf5 : 0xf8;
        uint8_t insn[2] = { 0xd9, (uint8_t)op };

        a.exp = (uint16_t)((a.exp & 0x8000) | (0x3fff + 60 + k * 37 % 2000));
        mk_shape(&in, 0x037f, SHAPE_TWO, &a, &b);
        emu_load(&in);
        for (int step = 0; step < 200; step++) {
            host_run(insn, 2, NULL, &in, &h, &fl, 0);
            emu_exec(1, op, NULL, 0);
            emu_save(&e);
            ck_assert_msg(compare("fprem step", &in, &e, &h, NULL, NULL, 0, 0xffff),
                          "fprem step %d", step);
            if (!(get16(h.b + 4) & X86_FSW_C2)) {
                break;
            }
            in = h;
            put32(in.b + 4, 0xffff0000u | (get16(h.b + 4) & 0x3800));
            emu_load(&in);
        }
    }
}
END_TEST

/* FNSTENV FLDENV FNSAVE FRSTOR: the images the host writes and how it reads them. */
START_TEST(test_env_images)
{
    Img in, h;
    uint8_t hm[128], em[128], fl;
    static const uint8_t fnstenv[] = { 0xd9, 0x37 }, fnsave[] = { 0xdd, 0x37 },
                         fnstenv16[] = { 0x66, 0xd9, 0x37 }, fldenv[] = { 0xd9, 0x27 };

    init_vals();
    for (size_t a = 0; a < NVALS; a++) {
        for (int sh = 0; sh < SHAPE_N; sh++) {
            mk_shape(&in, cws[a % ARRAY_SIZE(cws)], sh, &vals[a], &vals[(a + 5) % NVALS]);
            /* FNSTENV: control, status, tag words (the pointers are not modelled) */
            memset(hm, 0x5a, sizeof(hm));
            memset(em, 0x5a, sizeof(em));
            host_run(fnstenv, 2, hm, &in, &h, &fl, 0);
            emu_load(&in);
            x86_fpu_stenv(env, em, true);
            env->fpuc |= 0x3f;
            x86_fpu_update_es(env);
            ck_assert_mem_eq(em, hm, 12);
            ck_assert_mem_eq(em + 26, hm + 26, 2);
            ck_assert_uint_eq(get16(h.b), env->fpuc);
            ck_assert_uint_eq(get16(h.b + 4), x86_fpu_fsw(env));
            host_run(fnstenv16, 3, hm, &in, &h, &fl, 0);
            emu_load(&in);
            x86_fpu_stenv(env, em, false);
            ck_assert_mem_eq(em, hm, 6);
            /* FNSAVE: the registers too, then FNINIT */
            host_run(fnsave, 2, hm, &in, &h, &fl, 0);
            emu_load(&in);
            x86_fpu_stenv(env, em, true);
            for (int i = 0; i < 8; i++) {
                const X86FPReg *r = &env->fpregs[(env->fpstt + i) & 7];
                memcpy(em + 28 + 10 * i, &r->mant, 8);
                memcpy(em + 36 + 10 * i, &r->exp, 2);
            }
            ck_assert_mem_eq(em, hm, 12);
            ck_assert_mem_eq(em + 28, hm + 28, 80);
        }
    }
    /* FLDENV: tags of zeros marked valid, ES with and without unmasked flags, reserved
     * control bits */
    static const uint32_t envs[][3] = {
        { 0xffff037f, 0xffff0081, 0xffff0000 }, { 0xffff037e, 0xffff0001, 0xffffff00 },
        { 0xffff0000, 0xffff3800, 0xffff5555 }, { 0xffff1f3f, 0xffff7f7f, 0xffffaaaa },
        { 0x1234037f, 0x5678c700, 0x9abc0f0f }, { 0xffff0040, 0xffff0020, 0xffffffff },
    };
    for (size_t k = 0; k < ARRAY_SIZE(envs); k++) {
        Img e;
        mk_shape(&in, 0x037f, SHAPE_FULL, &vals[0], &vals[10]);
        memset(hm, 0, sizeof(hm));
        memcpy(hm, envs[k], 12);
        memcpy(em, hm, 28);
        host_run(fldenv, 2, hm, &in, &h, &fl, 0);
        emu_load(&in);
        x86_fpu_ldenv(env, em, true);
        emu_save(&e);
        ck_assert_msg(compare("fldenv", &in, &e, &h, NULL, NULL, 0, 0xffff), "fldenv %zu", k);
    }
}
END_TEST

/* FXSAVE: the image bytes against the host's fxsave of the same x87, XMM and MXCSR state;
 * FXRSTOR of the host's image gives the host's state back. */
START_TEST(test_fxsave)
{
    uint8_t hbuf[512] __attribute__((aligned(16)));
    uint8_t ebuf[512] __attribute__((aligned(16)));
    uint64_t seed = 99;
    Img in, h, e;
    uint8_t fl;

    init_vals();
    for (int k = 0; k < 60; k++) {
        uint32_t mx = 0x1f80 | (k & 0x3f) | ((k & 3) << 13);

        mk_shape(&in, cws[k % ARRAY_SIZE(cws)], k % SHAPE_N, &vals[k % NVALS],
                 &vals[(k * 3) % NVALS]);
        emu_load(&in);
        for (int i = 0; i < 16; i++) {
            X86FPReg r = rnd_val(&seed);
            memcpy(env->xmm[i].b, &r, 8);
            r = rnd_val(&seed);
            memcpy(env->xmm[i].b + 8, &r, 8);
        }
        env->mxcsr = mx;
        memset(hbuf, 0xcc, sizeof(hbuf));
        memset(ebuf, 0xcc, sizeof(ebuf));
        {
            uint32_t host_mx;
            __asm__ volatile("stmxcsr %[hmx]\n\t"
                             "movdqu 0(%[x]), %%xmm0\n\t movdqu 16(%[x]), %%xmm1\n\t"
                             "movdqu 32(%[x]), %%xmm2\n\t movdqu 48(%[x]), %%xmm3\n\t"
                             "movdqu 64(%[x]), %%xmm4\n\t movdqu 80(%[x]), %%xmm5\n\t"
                             "movdqu 96(%[x]), %%xmm6\n\t movdqu 112(%[x]), %%xmm7\n\t"
                             "movdqu 128(%[x]), %%xmm8\n\t movdqu 144(%[x]), %%xmm9\n\t"
                             "movdqu 160(%[x]), %%xmm10\n\t movdqu 176(%[x]), %%xmm11\n\t"
                             "movdqu 192(%[x]), %%xmm12\n\t movdqu 208(%[x]), %%xmm13\n\t"
                             "movdqu 224(%[x]), %%xmm14\n\t movdqu 240(%[x]), %%xmm15\n\t"
                             "ldmxcsr %[mx]\n\t frstor %[in]\n\t fxsave %[out]\n\t"
                             "fninit\n\t ldmxcsr %[hmx]"
                             : [out] "=m"(hbuf), [hmx] "=m"(host_mx)
                             : [x] "r"(env->xmm), [mx] "m"(mx), [in] "m"(in), "m"(env->xmm)
                             : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                               "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                               "xmm15", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)",
                               "st(6)", "st(7)", "memory");
        }
        x86_fxsave_image(env, ebuf, 16);
        ck_assert_mem_eq(ebuf, hbuf, 6);             /* FCW FSW FTW, reserved byte */
        ck_assert_mem_eq(ebuf + 24, hbuf + 24, 4);   /* MXCSR */
        ck_assert_mem_eq(ebuf + 32, hbuf + 32, 128); /* ST0-ST7 with their zero padding */
        ck_assert_mem_eq(ebuf + 160, hbuf + 160, 256);
        ck_assert_mem_eq(ebuf + 416, hbuf + 416, 96);   /* untouched */
        /* FXRSTOR of the host's image; a host FXRSTOR/FNSAVE of it is the reference */
        memset(env, 0, offsetof(X86CPU, xcr0));
        ck_assert(x86_fxrstor_image(env, hbuf, 16));
        ck_assert_mem_eq(env->xmm, hbuf + 160, 256);
        ck_assert_uint_eq(env->mxcsr, mx);
        {
            uint32_t host_mx;
            __asm__ volatile("stmxcsr %[hmx]\n\t fxrstor %[buf]\n\t fnsave %[out]\n\t"
                             "ldmxcsr %[hmx]"
                             : [out] "=m"(h), [hmx] "=m"(host_mx) : [buf] "m"(hbuf)
                             : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                               "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                               "xmm15", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)",
                               "st(6)", "st(7)", "memory");
        }
        emu_save(&e);
        ck_assert_msg(compare("fxrstor", &in, &e, &h, NULL, NULL, 0, 0xffff), "fxrstor %d", k);
        (void)fl;
    }
    /* reserved MXCSR bits: refused, nothing loaded */
    memset(ebuf, 0, sizeof(ebuf));
    put32(ebuf + 24, 0x10000);
    env->fpuc = 0x1234;
    ck_assert(!x86_fxrstor_image(env, ebuf, 8));
    ck_assert_uint_eq(env->fpuc, 0x1234);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Exceptions raised by the helpers (#MF, #GP, #UD), caught on the vCPU's jmp_env
 * ------------------------------------------------------------------------------------- */

static int call_helper(IRHelper fn, uint64_t a0)
{
    CPUState *cs = &env->parent;

    cs->exception_index = -1;
    if (sigsetjmp(cs->jmp_env, 0) == 0) {
        fn(env, a0, 0, 0, 0);
        return -1;
    }
    return cs->exception_index;
}

START_TEST(test_pending_mf)
{
    static const X86FPReg zero = { 0, 0 };

    /* 1/0 with ZE unmasked: ES pending, the result not written */
    env->fpuc = 0x037b;
    helper_fop(env, 0xe8, 0, 0, 0);                 /* FLD1 */
    helper_fld_mem(env, 0, 0, X86_FM_I32, 0);       /* FILD 0 */
    helper_farith(env, X86_FOP_DIVR, 1, 0, 0);      /* ST0 = ST1 / ST0 = 1 / 0 */
    ck_assert_uint_eq(x86_fpu_fsw(env) & 0x80ff, 0x8084);
    ck_assert_uint_eq(env->fpregs[env->fpstt].exp, zero.exp);
    /* CR0.NE clear: ignored; set: #MF on the next waiting instruction, not on FNSTENV */
    ck_assert_int_eq(call_helper(helper_fwait, 0), -1);
    env->cr[0] = CR0_NE | CR0_PE;
    ck_assert_int_eq(call_helper(helper_fwait, 0), EXCP10_COPR);
    ck_assert_int_eq(call_helper(helper_fop, 0xe8), EXCP10_COPR);
    /* FLDCW masking it clears ES; unmasking a set flag makes it pending */
    env->fpuc = 0x037f;
    x86_fpu_update_es(env);
    ck_assert_int_eq(call_helper(helper_fwait, 0), -1);
    ck_assert_int_eq(call_helper(helper_fldcw, 0x037b), -1);
    ck_assert_uint_eq(x86_fpu_fsw(env) & 0x8080, 0x8080);
    ck_assert_int_eq(call_helper(helper_fwait, 0), EXCP10_COPR);
}
END_TEST

START_TEST(test_xcr_mxcsr)
{
    env->cr[0] = CR0_PE | CR0_NE;
    /* without CR4.OSXSAVE: #UD */
    ck_assert_int_eq(call_helper(helper_xgetbv, 0), EXCP06_ILLOP);
    ck_assert_int_eq(call_helper(helper_xsetbv, 0), EXCP06_ILLOP);
    env->cr[4] = CR4_OSXSAVE | CR4_OSFXSR;
    env->regs[R_ECX] = 0;
    ck_assert_int_eq(call_helper(helper_xgetbv, 0), -1);
    ck_assert_uint_eq(env->regs[R_EAX], 1);
    ck_assert_uint_eq(env->regs[R_EDX], 0);
    env->regs[R_EAX] = 3;
    ck_assert_int_eq(call_helper(helper_xsetbv, 0), -1);
    ck_assert_uint_eq(env->xcr0, 3);
    /* x87 must stay on; no other component; ECX 0 only; CPL 0 only */
    env->regs[R_EAX] = 2;
    ck_assert_int_eq(call_helper(helper_xsetbv, 0), EXCP0D_GPF);
    env->regs[R_EAX] = 7;
    ck_assert_int_eq(call_helper(helper_xsetbv, 0), EXCP0D_GPF);
    env->regs[R_EAX] = 1;
    env->regs[R_EDX] = 1;
    ck_assert_int_eq(call_helper(helper_xsetbv, 0), EXCP0D_GPF);
    env->regs[R_EDX] = 0;
    env->regs[R_ECX] = 1;
    ck_assert_int_eq(call_helper(helper_xsetbv, 0), EXCP0D_GPF);
    ck_assert_int_eq(call_helper(helper_xgetbv, 0), EXCP0D_GPF);
    env->regs[R_ECX] = 0;
    env->hflags |= 3;
    ck_assert_int_eq(call_helper(helper_xsetbv, 0), EXCP0D_GPF);
    ck_assert_int_eq(call_helper(helper_xgetbv, 0), -1);
    ck_assert_uint_eq(env->xcr0, 3);
    /* LDMXCSR */
    ck_assert_int_eq(call_helper(helper_ldmxcsr, 0x9fc0), -1);
    ck_assert_uint_eq(env->mxcsr, 0x9fc0);
    ck_assert_int_eq(call_helper(helper_ldmxcsr, 0x10000), EXCP0D_GPF);
    ck_assert_uint_eq(env->mxcsr, 0x9fc0);
}
END_TEST

/* The helpers against plain C on a few hand-checked cases (independent of the host x87's
 * encoding tricks): constants, FXAM classes, FIST rounding, BCD. */
START_TEST(test_known_values)
{
    uint64_t lo;
    uint16_t hi;
    long double v;

    helper_fop(env, 0xeb, 0, 0, 0);                 /* FLDPI */
    memcpy(&v, &env->fpregs[env->fpstt], 10);
    ck_assert(fabsl(v - 3.14159265358979323846264L) < 1e-18L);
    helper_fop(env, 0xe5, 0, 0, 0);                 /* FXAM: normal */
    ck_assert_uint_eq(env->fpus & 0x4700, X86_FSW_C2);
    helper_fld_mem(env, 0x1234567890ull, 0x8000, X86_FM_BCD, 0);  /* -1234567890 */
    memcpy(&v, &env->fpregs[env->fpstt], 10);
    ck_assert(v == -1234567890.0L);
    env->fpuc = 0x077f;                             /* round down */
    helper_fld_mem(env, 0xc0100000u, 0, X86_FM_F32, 0);   /* -2.25 */
    ck_assert(x86_fpu_st_value(env, X86_FM_I16, false, &lo, &hi));
    ck_assert_uint_eq(lo, 0xfffd);                  /* -3 */
    ck_assert(x86_fpu_st_value(env, X86_FM_I16, true, &lo, &hi));
    ck_assert_uint_eq(lo, 0xfffe);                  /* FISTTP: -2 */
    ck_assert(x86_fpu_st_value(env, X86_FM_BCD, false, &lo, &hi));
    ck_assert_uint_eq(lo, 3);
    ck_assert_uint_eq(hi, 0x8000);
    ck_assert_uint_eq(env->fpus & X86_FSW_PE, X86_FSW_PE);
    x86_fpu_pop(env);
    x86_fpu_pop(env);
    x86_fpu_pop(env);
    helper_fop(env, 0xe5, 0, 0, 0);                 /* FXAM: empty */
    ck_assert_uint_eq(env->fpus & 0x4500, X86_FSW_C3 | X86_FSW_C0);
    ck_assert_uint_eq(x86_fpu_ftw(env), 0xffff);
}
END_TEST

static Suite *fpu_suite(void)
{
    Suite *s = suite_create("x86_fpu");
    TCase *tc = tcase_create("x87");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_arith_reg);
    tcase_add_test(tc, test_arith_mem);
    tcase_add_test(tc, test_loads);
    tcase_add_test(tc, test_stores);
    tcase_add_test(tc, test_d9_group);
    tcase_add_test(tc, test_reg_moves);
    tcase_add_test(tc, test_fprem_partial);
    tcase_add_test(tc, test_env_images);
    tcase_add_test(tc, test_fxsave);
    tcase_add_test(tc, test_pending_mf);
    tcase_add_test(tc, test_xcr_mxcsr);
    tcase_add_test(tc, test_known_values);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fpu_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

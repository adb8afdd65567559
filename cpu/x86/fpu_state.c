/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/fpu_state.c — saving and restoring the x87/SSE state: FNSTENV/FLDENV and
 * FNSAVE/FRSTOR, FXSAVE/FXRSTOR, XSAVE/XRSTOR/XSAVEOPT, LDMXCSR, XGETBV/XSETBV.
 *
 * Models (Intel SDM vol. 1 8.1.10 and figures 8-9..8-12 (the 14- and 28-byte environment,
 * the 94- and 108-byte save area; real- and protected-mode layouts differ only in the
 * pointer fields, which are 0 here), 10.5.1 (the 512-byte FXSAVE area: abridged tag word,
 * MXCSR and MXCSR_MASK, XMM0-7, XMM8-15 in 64-bit mode, REX.W form, 16-byte alignment),
 * ch. 13 (XSAVE feature set for state components 0 (x87) and 1 (SSE): XCR0, the XSAVE
 * header's XSTATE_BV, standard-form XRSTOR with init of components whose XSTATE_BV bit is
 * clear, MXCSR loaded whenever RFBM[1] or RFBM[2] is set, 64-byte alignment); vol. 2:
 * LDMXCSR (reserved bits: #GP), XGETBV, XSETBV (XCR0 bit 0 must be set, bit 1 may be, others
 * #GP)).
 *
 * The images are built in a byte buffer (pure functions, unit-tested), then copied to guest
 * memory; every read happens before any state changes, and a store area that crosses a page
 * is probed on both pages first, so a fault leaves the CPU state and memory as they were.
 * Not modelled: the compacted form (XSAVEC/XSAVES, XCOMP_BV: #GP), the init and modified
 * optimizations (XINUSE is all ones: XSAVE/XSAVEOPT set XSTATE_BV[i] for each requested i),
 * XGETBV with ECX = 1, FXSAVE's "fast" form (EFER.FFXSR), the instruction and data
 * pointers (stored as 0).
 */
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"

/* ---------------------------------------------------------------------------------------
 * Byte images
 * ------------------------------------------------------------------------------------- */

static inline void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t get32(const uint8_t *p)
{
    return get16(p) | ((uint32_t)get16(p + 2) << 16);
}

static inline const X86FPReg *st_reg(X86CPU *env, int i)
{
    return &env->fpregs[(env->fpstt + (unsigned)i) & 7];
}

static void put_reg(uint8_t *p, const X86FPReg *r)
{
    memcpy(p, &r->mant, 8);
    put16(p + 8, r->exp);
}

static void get_reg(X86FPReg *r, const uint8_t *p)
{
    memcpy(&r->mant, p, 8);
    r->exp = get16(p + 8);
}

/* The environment: 28 bytes (32-bit operand size), else 14. Reserved upper halves of the
 * 32-bit layout read as ones, as the hardware stores them. */
void x86_fpu_stenv(X86CPU *env, uint8_t *buf, bool size32)
{
    uint16_t cw = env->fpuc, sw = x86_fpu_fsw(env), tw = x86_fpu_ftw(env);

    if (size32) {
        memset(buf, 0, 28);
        put32(buf, 0xffff0000u | cw);
        put32(buf + 4, 0xffff0000u | sw);
        put32(buf + 8, 0xffff0000u | tw);
        put32(buf + 24, 0xffff0000u);       /* FDS 0 */
    } else {
        memset(buf, 0, 14);
        put16(buf, cw);
        put16(buf + 2, sw);
        put16(buf + 4, tw);
    }
}

/* Tags from an environment or FXSAVE image: only "empty" is kept (see cpu.h). */
static void set_tags(X86CPU *env, uint16_t tw)
{
    uint16_t t = 0;

    for (unsigned p = 0; p < 8; p++) {
        if (((tw >> (2 * p)) & 3) == 3) {
            t |= (uint16_t)(3u << (2 * p));
        }
    }
    env->fptag = t;
}

void x86_fpu_ldenv(X86CPU *env, const uint8_t *buf, bool size32)
{
    unsigned step = size32 ? 4 : 2;

    x86_fpu_set_fcw(env, get16(buf));
    x86_fpu_set_fsw(env, get16(buf + step));
    set_tags(env, get16(buf + 2 * step));
}

void x86_fxsave_image(X86CPU *env, uint8_t *buf, int nxmm)
{
    uint8_t ftw = 0;

    memset(buf, 0, 160);
    for (unsigned p = 0; p < 8; p++) {
        if (((env->fptag >> (2 * p)) & 3) != 3) {
            ftw |= (uint8_t)(1u << p);
        }
    }
    put16(buf, env->fpuc);
    put16(buf + 2, x86_fpu_fsw(env));
    buf[4] = ftw;
    put32(buf + 24, env->mxcsr);
    put32(buf + 28, MXCSR_WRITABLE);
    for (int i = 0; i < 8; i++) {
        put_reg(buf + 32 + 16 * i, st_reg(env, i));
    }
    for (int i = 0; i < nxmm; i++) {
        memcpy(buf + 160 + 16 * i, env->xmm[i].b, 16);
    }
}

/* The x87 part of an FXSAVE image (bytes 0-23 and 32-159). */
static void fxrstor_x87(X86CPU *env, const uint8_t *buf)
{
    uint16_t tw = 0;
    uint8_t ftw = buf[4];

    x86_fpu_set_fcw(env, get16(buf));
    x86_fpu_set_fsw(env, get16(buf + 2));
    for (int i = 0; i < 8; i++) {
        get_reg(&env->fpregs[(env->fpstt + i) & 7], buf + 32 + 16 * i);
    }
    for (unsigned p = 0; p < 8; p++) {
        if (!(ftw & (1u << p))) {
            tw |= (uint16_t)(3u << (2 * p));
        }
    }
    env->fptag = tw;
}

bool x86_fxrstor_image(X86CPU *env, const uint8_t *buf, int nxmm)
{
    uint32_t mxcsr = get32(buf + 24);

    if (mxcsr & ~MXCSR_WRITABLE) {
        return false;
    }
    fxrstor_x87(env, buf);
    env->mxcsr = mxcsr;
    for (int i = 0; i < nxmm; i++) {
        memcpy(env->xmm[i].b, buf + 160 + 16 * i, 16);
    }
    return true;
}

/* ---------------------------------------------------------------------------------------
 * Guest memory
 * ------------------------------------------------------------------------------------- */

typedef struct GuestArea {
    X86CPU *env;
    uint64_t base;
    int mmu_idx;
} GuestArea;

static uint64_t area_addr(const GuestArea *g, unsigned off)
{
    uint64_t a = g->base + off;

    return (g->env->hflags & HF_CS64_MASK) ? a : (uint32_t)a;
}

static void area_read(const GuestArea *g, uint8_t *buf, unsigned off, unsigned len)
{
    CPUState *cs = x86_cs(g->env);

    for (unsigned i = 0; i < len;) {
        if (len - i >= 8) {
            uint64_t v = cpu_ld_mmu(cs, area_addr(g, off + i), MO_64, g->mmu_idx);
            memcpy(buf + off + i, &v, 8);
            i += 8;
        } else {
            buf[off + i] = (uint8_t)cpu_ld_mmu(cs, area_addr(g, off + i), MO_8, g->mmu_idx);
            i++;
        }
    }
}

static void area_write(const GuestArea *g, const uint8_t *buf, unsigned off, unsigned len)
{
    CPUState *cs = x86_cs(g->env);

    for (unsigned i = 0; i < len;) {
        if (len - i >= 8) {
            uint64_t v;
            memcpy(&v, buf + off + i, 8);
            cpu_st_mmu(cs, area_addr(g, off + i), v, MO_64, g->mmu_idx);
            i += 8;
        } else {
            cpu_st_mmu(cs, area_addr(g, off + i), buf[off + i], MO_8, g->mmu_idx);
            i++;
        }
    }
}

/* Fault now, before anything is stored, if bytes [0, len) cannot all be written: the first
 * and the last byte are written back with their own values. */
static void area_probe_write(const GuestArea *g, unsigned len)
{
    CPUState *cs = x86_cs(g->env);
    uint64_t first = area_addr(g, 0), last = area_addr(g, len - 1);
    uint64_t v;

    v = cpu_ld_mmu(cs, last, MO_8, g->mmu_idx);
    cpu_st_mmu(cs, last, v, MO_8, g->mmu_idx);
    v = cpu_ld_mmu(cs, first, MO_8, g->mmu_idx);
    cpu_st_mmu(cs, first, v, MO_8, g->mmu_idx);
}

static GuestArea area_of(X86CPU *env, uint64_t addr, uint64_t mmu_idx)
{
    return (GuestArea){ env, addr, (int)mmu_idx };
}

static NORETURN void gp0(X86CPU *env)
{
    x86_raise_exception_err(env, EXCP0D_GPF, 0);
}

static int nb_xmm(X86CPU *env)
{
    return (env->hflags & HF_CS64_MASK) ? 16 : 8;
}

/* The waiting FLDENV/FRSTOR check a pending unmasked exception first (#MF with CR0.NE). */
static void fpu_wait(X86CPU *env)
{
    if ((env->fpus & X86_FSW_ES) && (env->cr[0] & CR0_NE)) {
        x86_raise_exception(env, EXCP10_COPR);
    }
}

/* ---------------------------------------------------------------------------------------
 * FNSTENV FLDENV FNSAVE FRSTOR: a0 linear address, a1 operand size, a2 mmu_idx
 * ------------------------------------------------------------------------------------- */

IR_HELPER(helper_fnstenv)
{
    X86CPU *env = env_;
    GuestArea g = area_of(env, a0, a2);
    bool size32 = a1 != 2;
    uint8_t buf[28];

    x86_fpu_stenv(env, buf, size32);
    area_probe_write(&g, size32 ? 28 : 14);
    area_write(&g, buf, 0, size32 ? 28 : 14);
    env->fpuc |= 0x3f;                  /* then every exception is masked */
    x86_fpu_update_es(env);
    return 0;
}

IR_HELPER(helper_fldenv)
{
    X86CPU *env = env_;
    GuestArea g = area_of(env, a0, a2);
    bool size32 = a1 != 2;
    uint8_t buf[28];

    fpu_wait(env);
    area_read(&g, buf, 0, size32 ? 28 : 14);
    x86_fpu_ldenv(env, buf, size32);
    return 0;
}

IR_HELPER(helper_fnsave)
{
    X86CPU *env = env_;
    GuestArea g = area_of(env, a0, a2);
    unsigned envsz = a1 != 2 ? 28 : 14;
    uint8_t buf[108];

    x86_fpu_stenv(env, buf, a1 != 2);
    for (int i = 0; i < 8; i++) {
        put_reg(buf + envsz + 10 * i, st_reg(env, i));
    }
    area_probe_write(&g, envsz + 80);
    area_write(&g, buf, 0, envsz + 80);
    x86_fpu_init(env);
    return 0;
}

IR_HELPER(helper_frstor)
{
    X86CPU *env = env_;
    GuestArea g = area_of(env, a0, a2);
    unsigned envsz = a1 != 2 ? 28 : 14;
    uint8_t buf[108];

    fpu_wait(env);
    area_read(&g, buf, 0, envsz + 80);
    x86_fpu_ldenv(env, buf, a1 != 2);
    for (int i = 0; i < 8; i++) {
        get_reg(&env->fpregs[(env->fpstt + i) & 7], buf + envsz + 10 * i);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * FXSAVE FXRSTOR: a0 linear address, a1 REX.W, a2 mmu_idx (#NM/#UD checked by the
 * translator)
 * ------------------------------------------------------------------------------------- */

IR_HELPER(helper_fxsave)
{
    X86CPU *env = env_;
    GuestArea g = area_of(env, a0, a2);
    int n = nb_xmm(env);
    uint8_t buf[512];

    if (a0 & 15) {
        gp0(env);
    }
    x86_fxsave_image(env, buf, n);
    area_probe_write(&g, 160 + 16 * n);
    area_write(&g, buf, 0, 160 + 16 * n);
    return 0;
}

IR_HELPER(helper_fxrstor)
{
    X86CPU *env = env_;
    GuestArea g = area_of(env, a0, a2);
    int n = nb_xmm(env);
    uint8_t buf[512];

    if (a0 & 15) {
        gp0(env);
    }
    area_read(&g, buf, 0, 160 + 16 * n);
    if (!x86_fxrstor_image(env, buf, n)) {
        gp0(env);
    }
    return 0;
}

/* a0 value: LDMXCSR */
IR_HELPER(helper_ldmxcsr)
{
    X86CPU *env = env_;

    if (a0 & ~(uint64_t)MXCSR_WRITABLE) {
        gp0(env);
    }
    env->mxcsr = (uint32_t)a0;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * XSAVE XSAVEOPT XRSTOR: a0 linear address, a1 REX.W, a2 mmu_idx; EDX:EAX the mask
 * ------------------------------------------------------------------------------------- */

/* #UD without CR4.OSXSAVE, then #NM with CR0.TS, #GP(0) unless 64-byte aligned. */
static uint64_t xsave_checks(X86CPU *env, uint64_t addr)
{
    if (!(env->cr[4] & CR4_OSXSAVE)) {
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    if (env->cr[0] & CR0_TS) {
        x86_raise_exception(env, EXCP07_PREX);
    }
    if (addr & 63) {
        gp0(env);
    }
    return (((env->regs[R_EDX] & 0xffffffffu) << 32) | (env->regs[R_EAX] & 0xffffffffu)) &
           env->xcr0;
}

IR_HELPER(helper_xsave)
{
    X86CPU *env = env_;
    GuestArea g = area_of(env, a0, a2);
    uint64_t rfbm = xsave_checks(env, a0), bv;
    int n = nb_xmm(env);
    uint8_t buf[X86_XSAVE_SIZE];

    area_read(&g, buf, 512, 8);
    memcpy(&bv, buf + 512, 8);
    bv = (bv & ~rfbm) | rfbm;           /* XINUSE: every component counts as in use */
    memcpy(buf + 512, &bv, 8);
    x86_fxsave_image(env, buf, n);
    area_probe_write(&g, X86_XSAVE_SIZE);
    if (rfbm & 1) {
        area_write(&g, buf, 0, 24);
        area_write(&g, buf, 32, 128);
    }
    if (rfbm & 6) {
        area_write(&g, buf, 24, 8);     /* MXCSR, MXCSR_MASK */
    }
    if (rfbm & 2) {
        area_write(&g, buf, 160, 16 * n);
    }
    area_write(&g, buf, 512, 8);
    return 0;
}

IR_HELPER(helper_xrstor)
{
    X86CPU *env = env_;
    GuestArea g = area_of(env, a0, a2);
    uint64_t rfbm = xsave_checks(env, a0), bv, comp, rsvd;
    int n = nb_xmm(env);
    uint8_t buf[X86_XSAVE_SIZE];
    uint32_t mxcsr = env->mxcsr;

    area_read(&g, buf, 512, 24);
    memcpy(&bv, buf + 512, 8);
    memcpy(&comp, buf + 520, 8);
    memcpy(&rsvd, buf + 528, 8);
    /* no compacted form (XCOMP_BV must be 0) and header bytes 8-23 must be zero */
    if ((bv & ~env->xcr0) || comp || rsvd) {
        gp0(env);
    }
    if ((rfbm & 1) && (bv & 1)) {
        area_read(&g, buf, 0, 160);
    }
    if (rfbm & 6) {
        area_read(&g, buf, 24, 8);
        mxcsr = get32(buf + 24);
        if (mxcsr & ~MXCSR_WRITABLE) {
            gp0(env);
        }
    }
    if ((rfbm & 2) && (bv & 2)) {
        area_read(&g, buf, 160, 16 * n);
    }
    if (rfbm & 1) {
        if (bv & 1) {
            fxrstor_x87(env, buf);
        } else {
            x86_fpu_init(env);
            memset(env->fpregs, 0, sizeof(env->fpregs));
        }
    }
    if (rfbm & 2) {
        for (int i = 0; i < n; i++) {
            if (bv & 2) {
                memcpy(env->xmm[i].b, buf + 160 + 16 * i, 16);
            } else {
                memset(env->xmm[i].b, 0, 16);
            }
        }
    }
    env->mxcsr = mxcsr;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * XGETBV XSETBV
 * ------------------------------------------------------------------------------------- */

IR_HELPER(helper_xgetbv)
{
    X86CPU *env = env_;

    if (!(env->cr[4] & CR4_OSXSAVE)) {
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    if ((uint32_t)env->regs[R_ECX] != 0) {
        gp0(env);
    }
    env->regs[R_EAX] = (uint32_t)env->xcr0;
    env->regs[R_EDX] = (uint32_t)(env->xcr0 >> 32);
    return 0;
}

IR_HELPER(helper_xsetbv)
{
    X86CPU *env = env_;
    uint64_t v = ((env->regs[R_EDX] & 0xffffffffu) << 32) | (env->regs[R_EAX] & 0xffffffffu);

    if (!(env->cr[4] & CR4_OSXSAVE)) {
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    if ((env->hflags & HF_CPL_MASK) != 0 || (uint32_t)env->regs[R_ECX] != 0 ||
        (v & ~(uint64_t)X86_XCR0_SUPPORTED) || !(v & 1)) {
        gp0(env);
    }
    env->xcr0 = v;
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/int_helper.c — integer instructions that the translator leaves to C (Intel SDM
 * vol. 2): DIV/IDIV at every size (#DE on a zero divisor or a quotient that does not fit),
 * DAA/DAS/AAA/AAS/AAM/AAD, BSF/BSR/POPCNT kernels, RCL/RCR, CMPXCHG8B/CMPXCHG16B, the
 * nesting part of ENTER, the POPF flag-merge rules (CPL, IOPL, virtual-8086 mode), INT1,
 * CLAC/STAC and FNINIT.
 *
 * Flags that the SDM leaves undefined: the BCD adjustments set SF/ZF/PF from AL and clear
 * OF (and AF/CF where undefined). Not modelled: POPF with CR4.VME/PVI (VIF handling) — the
 * translator raises #GP(0) for PUSHF/POPF in virtual-8086 mode with IOPL < 3.
 */
#include "cpu/x86/translate.h"

static inline uint64_t zsp8(uint8_t v)
{
    uint64_t f = (__builtin_popcount(v) & 1) ? 0 : CC_P;

    if (v == 0) {
        f |= CC_Z;
    }
    if (v & 0x80) {
        f |= CC_S;
    }
    return f;
}

static inline void set_cc(X86CPU *env, uint64_t flags)
{
    env->cc_src = flags & CC_MASK;
    env->cc_op = CC_OP_EFLAGS;
}

static inline void set_low(X86CPU *env, int reg, uint64_t v, uint64_t mask)
{
    env->regs[reg] = (env->regs[reg] & ~mask) | (v & mask);
}

/* ---- DIV / IDIV ---- */

IR_HELPER(helper_div)
{
    X86CPU *env = env_;
    int ot = (int)a1;
    uint64_t d = a0, q, r;

    switch (ot) {
    case MO_8: {
        uint64_t n = env->regs[R_EAX] & 0xffff;
        d &= 0xff;
        if (d == 0 || n / d > 0xff) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        q = n / d;
        r = n % d;
        set_low(env, R_EAX, q | (r << 8), 0xffff);
        break;
    }
    case MO_16: {
        uint64_t n = ((env->regs[R_EDX] & 0xffff) << 16) | (env->regs[R_EAX] & 0xffff);
        d &= 0xffff;
        if (d == 0 || n / d > 0xffff) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        set_low(env, R_EAX, n / d, 0xffff);
        set_low(env, R_EDX, n % d, 0xffff);
        break;
    }
    case MO_32: {
        uint64_t n = ((env->regs[R_EDX] & 0xffffffff) << 32) | (env->regs[R_EAX] & 0xffffffff);
        d &= 0xffffffff;
        if (d == 0 || n / d > 0xffffffff) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        env->regs[R_EAX] = n / d;
        env->regs[R_EDX] = n % d;
        break;
    }
    default: {
        unsigned __int128 n = ((unsigned __int128)env->regs[R_EDX] << 64) | env->regs[R_EAX];
        unsigned __int128 q128;
        if (d == 0) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        q128 = n / d;
        if (q128 >> 64) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        env->regs[R_EAX] = (uint64_t)q128;
        env->regs[R_EDX] = (uint64_t)(n % d);
        break;
    }
    }
    return 0;
}

IR_HELPER(helper_idiv)
{
    X86CPU *env = env_;
    int ot = (int)a1;

    switch (ot) {
    case MO_8: {
        int64_t n = (int16_t)env->regs[R_EAX], d = (int8_t)a0, q, r;
        if (d == 0) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        q = n / d;
        r = n % d;
        if (q != (int8_t)q) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        set_low(env, R_EAX, ((uint64_t)q & 0xff) | (((uint64_t)r & 0xff) << 8), 0xffff);
        break;
    }
    case MO_16: {
        int64_t n = (int32_t)(((env->regs[R_EDX] & 0xffff) << 16) | (env->regs[R_EAX] & 0xffff));
        int64_t d = (int16_t)a0, q, r;
        if (d == 0) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        q = n / d;
        r = n % d;
        if (q != (int16_t)q) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        set_low(env, R_EAX, (uint64_t)q, 0xffff);
        set_low(env, R_EDX, (uint64_t)r, 0xffff);
        break;
    }
    case MO_32: {
        __int128 n = (int64_t)(((env->regs[R_EDX] & 0xffffffff) << 32) |
                               (env->regs[R_EAX] & 0xffffffff));
        __int128 d = (int32_t)a0, q, r;
        if (d == 0) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        q = n / d;
        r = n % d;
        if (q != (int32_t)q) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        env->regs[R_EAX] = (uint32_t)q;
        env->regs[R_EDX] = (uint32_t)r;
        break;
    }
    default: {
        __int128 n = (__int128)(((unsigned __int128)env->regs[R_EDX] << 64) | env->regs[R_EAX]);
        int64_t d = (int64_t)a0;
        __int128 q, r;
        if (d == 0) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        if (d == -1) {
            /* n / -1 overflows C for the most negative n: that is a #DE anyway */
            if ((unsigned __int128)n == (unsigned __int128)1 << 127) {
                x86_raise_exception(env, EXCP00_DIVZ);
            }
            q = -n;
            r = 0;
        } else {
            q = n / d;
            r = n % d;
        }
        if (q != (int64_t)q) {
            x86_raise_exception(env, EXCP00_DIVZ);
        }
        env->regs[R_EAX] = (uint64_t)(int64_t)q;
        env->regs[R_EDX] = (uint64_t)(int64_t)r;
        break;
    }
    }
    return 0;
}

/* ---- BCD adjustments ---- */

IR_HELPER(helper_daa)
{
    X86CPU *env = env_;
    uint64_t f = x86_cc_compute_all(env);
    uint8_t al = env->regs[R_EAX] & 0xff, old_al = al;
    bool old_cf = f & CC_C, cf = false, af = false;

    if ((al & 0xf) > 9 || (f & CC_A)) {
        cf = old_cf || al > 0xff - 6;
        al += 6;
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al += 0x60;
        cf = true;
    }
    set_low(env, R_EAX, al, 0xff);
    set_cc(env, zsp8(al) | (cf ? CC_C : 0) | (af ? CC_A : 0));
    return 0;
}

IR_HELPER(helper_das)
{
    X86CPU *env = env_;
    uint64_t f = x86_cc_compute_all(env);
    uint8_t al = env->regs[R_EAX] & 0xff, old_al = al;
    bool old_cf = f & CC_C, cf = false, af = false;

    if ((al & 0xf) > 9 || (f & CC_A)) {
        cf = old_cf || al < 6;
        al -= 6;
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al -= 0x60;
        cf = true;
    }
    set_low(env, R_EAX, al, 0xff);
    set_cc(env, zsp8(al) | (cf ? CC_C : 0) | (af ? CC_A : 0));
    return 0;
}

IR_HELPER(helper_aaa)
{
    X86CPU *env = env_;
    uint64_t f = x86_cc_compute_all(env);
    uint64_t ax = env->regs[R_EAX] & 0xffff;
    bool adj = (ax & 0xf) > 9 || (f & CC_A);

    if (adj) {
        ax = (ax + 0x106) & 0xffff;
    }
    ax &= 0xff0f;
    set_low(env, R_EAX, ax, 0xffff);
    set_cc(env, zsp8(ax & 0xff) | (adj ? CC_A | CC_C : 0));
    return 0;
}

IR_HELPER(helper_aas)
{
    X86CPU *env = env_;
    uint64_t f = x86_cc_compute_all(env);
    uint64_t ax = env->regs[R_EAX] & 0xffff;
    bool adj = (ax & 0xf) > 9 || (f & CC_A);

    if (adj) {
        /* AX = AX - 6 (a borrow out of AL reaches AH), then AH = AH - 1 */
        ax = (ax - 6) & 0xffff;
        ax = (ax - 0x100) & 0xffff;
    }
    ax &= 0xff0f;
    set_low(env, R_EAX, ax, 0xffff);
    set_cc(env, zsp8(ax & 0xff) | (adj ? CC_A | CC_C : 0));
    return 0;
}

IR_HELPER(helper_aam)
{
    X86CPU *env = env_;
    uint8_t base = (uint8_t)a0, al = env->regs[R_EAX] & 0xff;
    uint8_t q, r;

    if (base == 0) {
        x86_raise_exception(env, EXCP00_DIVZ);
    }
    q = al / base;
    r = al % base;
    set_low(env, R_EAX, ((uint64_t)q << 8) | r, 0xffff);
    set_cc(env, zsp8(r));
    return 0;
}

IR_HELPER(helper_aad)
{
    X86CPU *env = env_;
    uint8_t base = (uint8_t)a0;
    uint8_t al = env->regs[R_EAX] & 0xff, ah = (env->regs[R_EAX] >> 8) & 0xff;
    uint8_t r = (uint8_t)(al + ah * base);

    set_low(env, R_EAX, r, 0xffff);
    set_cc(env, zsp8(r));
    return 0;
}

/* ---- bit scans ---- */

IR_HELPER(helper_bsf)
{
    return a0 ? (uint64_t)__builtin_ctzll(a0) : 0;
}

IR_HELPER(helper_bsr)
{
    return a0 ? (uint64_t)(63 - __builtin_clzll(a0)) : 0;
}

IR_HELPER(helper_popcnt)
{
    return (uint64_t)__builtin_popcountll(a0);
}

/*
 * RCL/RCR through CF. a0 value (zero-extended), a1 count (already masked to 5 or 6 bits),
 * a2 = ot | right << 2 | want_flags << 3, a3 the CC flags before. Returns the result, or
 * with want_flags the CC flags after (CF and OF replaced; unchanged for a zero count).
 * Pure: the translator calls it twice so that a faulting store changes no flags.
 */
IR_HELPER(helper_rotc)
{
    int ot = (int)(a2 & 3);
    bool right = (a2 >> 2) & 1, want = (a2 >> 3) & 1;
    unsigned n = 8u << ot;
    uint64_t mask = ot == MO_64 ? ~0ull : (1ull << n) - 1;
    uint64_t v = a0 & mask, cf = a3 & CC_C, of = 0;
    unsigned cnt = (unsigned)a1;

    if (n == 8) {
        cnt %= 9;
    } else if (n == 16) {
        cnt %= 17;
    }
    if (cnt == 0) {
        return want ? a3 : v;
    }
    if (right) {
        of = ((v >> (n - 1)) ^ cf) & 1;     /* defined for a count of 1 */
        for (unsigned i = 0; i < cnt; i++) {
            uint64_t ncf = v & 1;
            v = (v >> 1) | (cf << (n - 1));
            cf = ncf;
        }
    } else {
        for (unsigned i = 0; i < cnt; i++) {
            uint64_t ncf = (v >> (n - 1)) & 1;
            v = ((v << 1) | cf) & mask;
            cf = ncf;
        }
        of = ((v >> (n - 1)) ^ cf) & 1;
    }
    if (!want) {
        return v;
    }
    return (a3 & ~(uint64_t)(CC_C | CC_O)) | cf | (of ? CC_O : 0);
}

/* ---- CMPXCHG8B / CMPXCHG16B ---- */

static void set_zf(X86CPU *env, bool zf)
{
    uint64_t f = x86_cc_compute_all(env);

    set_cc(env, (f & ~(uint64_t)CC_Z) | (zf ? CC_Z : 0));
}

/* ---- locked read-modify-writes ---- */

/*
 * Another vCPU wrote the operand between this locked instruction's load and its store:
 * run the instruction again from its start. Nothing architectural has changed yet (the
 * memory write-back comes before flags and registers are written).
 */
static NORETURN void lock_retry(X86CPU *env)
{
    CPUState *cs = x86_cs(env);

    cs->exception_index = EXCP_NONE;
    cpu_loop_exit_restore(cs);
}

IR_HELPER(helper_lock_st)
{
    X86CPU *env = env_;

    if (!cpu_cmpxchg_mmu(x86_cs(env), a0, a1, a2, (unsigned)a3 & 0xff, (int)(a3 >> 8))) {
        lock_retry(env);
    }
    return 0;
}

IR_HELPER(helper_cmpxchg8b)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);
    int mmu = (int)a1;
    uint64_t old = cpu_ld_mmu(cs, a0, MO_64, mmu);
    uint64_t cmp = ((env->regs[R_EDX] & 0xffffffff) << 32) | (env->regs[R_EAX] & 0xffffffff);
    uint64_t nv = ((env->regs[R_ECX] & 0xffffffff) << 32) | (env->regs[R_EBX] & 0xffffffff);

    /* the locked cycle always writes: the old value back on a mismatch */
    if (!cpu_cmpxchg_mmu(cs, a0, old, old == cmp ? nv : old, MO_64, mmu)) {
        lock_retry(env);
    }
    if (old == cmp) {
        set_zf(env, true);
    } else {
        env->regs[R_EAX] = (uint32_t)old;
        env->regs[R_EDX] = old >> 32;
        set_zf(env, false);
    }
    return 0;
}

IR_HELPER(helper_cmpxchg16b)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);
    int mmu = (int)a1;
    uint64_t lo, hi;

    if (a0 & 15) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0);
    }
    lo = cpu_ld_mmu(cs, a0, MO_64, mmu);
    hi = cpu_ld_mmu(cs, a0 + 8, MO_64, mmu);
    bool eq = lo == env->regs[R_EAX] && hi == env->regs[R_EDX];
    const uint64_t old[2] = { lo, hi };
    const uint64_t nv[2] = { eq ? env->regs[R_EBX] : lo, eq ? env->regs[R_ECX] : hi };
    if (!cpu_cmpxchg16_mmu(cs, a0, old, nv, mmu)) {
        lock_retry(env);
    }
    if (eq) {
        set_zf(env, true);
    } else {
        env->regs[R_EAX] = lo;
        env->regs[R_EDX] = hi;
        set_zf(env, false);
    }
    return 0;
}

/* ---- ENTER with a nesting level ---- */

static uint64_t stack_linear(X86CPU *env, uint64_t off)
{
    if (env->hflags & HF_CS64_MASK) {
        return off;
    }
    if (!(env->hflags & HF_SS32_MASK)) {
        off &= 0xffff;
    } else {
        off &= 0xffffffff;
    }
    return (uint32_t)(env->segs[X86_SEG_SS].base + off);
}

/* a0 level (1..31), a1 ot, a2 rSP after BP was pushed (the frame pointer), a3 mmu_idx.
 * Copies level-1 outer frame pointers from [rBP - i*size], then pushes the frame pointer.
 * Only memory is written; the translator updates rBP and rSP. */
IR_HELPER(helper_enter_level)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);
    unsigned level = (unsigned)a0, sz = 1u << a1, ot = (unsigned)a1;
    int mmu = (int)a3;
    uint64_t bp = env->regs[R_EBP], sp = a2;

    for (unsigned i = 1; i < level; i++) {
        uint64_t v;
        bp -= sz;
        sp -= sz;
        v = cpu_ld_mmu(cs, stack_linear(env, bp), ot, mmu);
        cpu_st_mmu(cs, stack_linear(env, sp), v, ot, mmu);
    }
    sp -= sz;
    cpu_st_mmu(cs, stack_linear(env, sp), a2, ot, mmu);
    return 0;
}

/* ---- POPF ---- */

/* a0 the popped value, a1 ot. Which bits POPF may change (SDM POPF/POPFD/POPFQ):
 * always CF PF AF ZF SF TF DF OF NT (and AC ID with 32/64-bit operands); IF when
 * CPL <= IOPL (or real mode, or vm86 with IOPL 3); IOPL only at CPL 0 outside vm86.
 * VM, VIF, VIP are kept; RF is cleared by 32/64-bit forms. */
IR_HELPER(helper_popf)
{
    X86CPU *env = env_;
    int ot = (int)a1;
    int cpl = env->hflags & HF_CPL_MASK;
    int iopl = (env->eflags >> IOPL_SHIFT) & 3;
    uint64_t mask = CC_MASK | TF_MASK | DF_MASK | NT_MASK;

    if (ot >= MO_32) {
        mask |= AC_MASK | ID_MASK;
    }
    if (env->hflags & HF_VM_MASK) {
        mask |= IF_MASK;
    } else if (!(env->hflags & HF_PE_MASK) || cpl == 0) {
        mask |= IF_MASK | IOPL_MASK;
    } else if (cpl <= iopl) {
        mask |= IF_MASK;
    }
    if (ot == MO_16) {
        mask &= 0xffff;
    } else {
        env->eflags &= ~(uint64_t)RF_MASK;
    }
    x86_eflags_set(env, a0, mask);
    x86_update_hflags(env);
    return 0;
}

/* ---- misc ---- */

/* INT1 leaves DR6 as it is; a data breakpoint still due from a MOV SS shadow is reported
 * with it, as one #DB (SDM vol. 3A 6.8.3). */
IR_HELPER(helper_icebp)
{
    X86CPU *env = env_;

    if (env->dbg_pending & X86_DBG_TRAP) {
        x86_bpt_dr6_event(env, 0);
    }
    env->dbg_pending = 0;
    x86_raise_interrupt(env, EXCP01_DB, 0, 0, a0);
}

IR_HELPER(helper_set_ac)
{
    X86CPU *env = env_;

    if (a0) {
        env->eflags |= AC_MASK;
    } else {
        env->eflags &= ~(uint64_t)AC_MASK;
    }
    x86_update_hflags(env);
    return 0;
}

/* FNINIT: control word 037F, status 0, stack top 0, every register empty. fptag is kept
 * as the full x87 tag word (2 bits per register, 11b = empty). */
IR_HELPER(helper_fninit)
{
    X86CPU *env = env_;

    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fpstt = 0;
    env->fptag = 0xffff;
    return 0;
}

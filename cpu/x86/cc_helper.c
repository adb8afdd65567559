/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/cc_helper.c — lazy condition codes of the x86 CPU (Intel SDM vol. 1, 3.4.3 and
 * appendix A "EFLAGS cross-reference").
 *
 * The translator records the last flag-setting operation as (cc_op, cc_dst, cc_src,
 * cc_src2) — see CCOp in cpu.h for what each operation keeps — and the arithmetic flags
 * CF PF AF ZF SF OF are computed from it only when something reads them. Values in cc_dst
 * and cc_src may carry garbage above the operand size: every computation here truncates.
 * Flags that the SDM leaves undefined get a fixed, documented choice (AF = 0 after shifts,
 * logic and multiplies; OF after multi-bit shifts from the last single-bit step).
 *
 * Not here: the non-arithmetic EFLAGS bits' side effects (x86_update_hflags, system side).
 * This file is self-contained (no calls outside it) so the unit test can link it alone.
 */
#include "cpu/x86/translate.h"

static inline uint64_t parity_flag(uint64_t v)
{
    return (__builtin_popcount((unsigned)(v & 0xff)) & 1) ? 0 : CC_P;
}

static inline uint64_t size_mask(int ot)
{
    return ot == 3 ? ~0ull : (1ull << (8 << ot)) - 1;
}

static inline uint64_t sign_bit(int ot)
{
    return 1ull << ((8 << ot) - 1);
}

/* ZF, SF and PF of a result */
static inline uint64_t zsp(uint64_t dst, int ot)
{
    uint64_t m = size_mask(ot);
    uint64_t f = parity_flag(dst);

    if ((dst & m) == 0) {
        f |= CC_Z;
    }
    if (dst & sign_bit(ot)) {
        f |= CC_S;
    }
    return f;
}

static uint64_t compute_all(int op, uint64_t dst, uint64_t src, uint64_t src2)
{
    int ot;
    uint64_t m, sb, src1, f, cf;

    if (op == CC_OP_EFLAGS) {
        return src & CC_MASK;
    }
    if (op == CC_OP_CLR) {
        return CC_Z | CC_P;
    }
    if (op < CC_OP_ADDB || op >= CC_OP_CLR) {
        return 0;   /* not reached with a consistent state */
    }
    ot = (op - CC_OP_ADDB) & 3;
    op = op - ot;
    m = size_mask(ot);
    sb = sign_bit(ot);
    dst &= m;
    f = zsp(dst, ot);

    switch (op) {
    case CC_OP_ADDB:
        src &= m;
        src1 = (dst - src) & m;
        cf = dst < src1;
        f |= cf ? CC_C : 0;
        f |= (dst ^ src ^ src1) & CC_A;
        f |= ((~(src1 ^ src) & (src1 ^ dst)) & sb) ? CC_O : 0;
        return f;
    case CC_OP_ADCB:
        src &= m;
        src2 &= 1;
        src1 = (dst - src - src2) & m;
        cf = src2 ? dst <= src1 : dst < src1;
        f |= cf ? CC_C : 0;
        f |= (dst ^ src ^ src1) & CC_A;
        f |= ((~(src1 ^ src) & (src1 ^ dst)) & sb) ? CC_O : 0;
        return f;
    case CC_OP_SUBB:
        src &= m;
        src1 = (dst + src) & m;
        f |= src1 < src ? CC_C : 0;
        f |= (dst ^ src ^ src1) & CC_A;
        f |= (((src1 ^ src) & (src1 ^ dst)) & sb) ? CC_O : 0;
        return f;
    case CC_OP_SBBB:
        src &= m;
        src2 &= 1;
        src1 = (dst + src + src2) & m;
        cf = src2 ? src1 <= src : src1 < src;
        f |= cf ? CC_C : 0;
        f |= (dst ^ src ^ src1) & CC_A;
        f |= (((src1 ^ src) & (src1 ^ dst)) & sb) ? CC_O : 0;
        return f;
    case CC_OP_LOGICB:
        return f;
    case CC_OP_INCB:
        src1 = (dst - 1) & m;
        f |= src & 1 ? CC_C : 0;
        f |= (dst ^ src1 ^ 1) & CC_A;
        f |= dst == sb ? CC_O : 0;
        return f;
    case CC_OP_DECB:
        src1 = (dst + 1) & m;
        f |= src & 1 ? CC_C : 0;
        f |= (dst ^ src1 ^ 1) & CC_A;
        f |= dst == sb - 1 ? CC_O : 0;
        return f;
    case CC_OP_SHLB:
        f |= src & sb ? CC_C : 0;
        f |= ((src ^ dst) & sb) ? CC_O : 0;
        return f;
    case CC_OP_SARB:
        f |= src & 1 ? CC_C : 0;
        f |= ((src ^ dst) & sb) ? CC_O : 0;
        return f;
    case CC_OP_MULB:
        f |= src ? (CC_C | CC_O) : 0;
        return f;
    case CC_OP_BMILGB:
        f |= (src & m) == 0 ? CC_C : 0;
        return f;
    }
    return 0;
}

uint64_t x86_cc_compute_all(X86CPU *env)
{
    return compute_all((int)env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}

uint64_t x86_cc_compute_c(X86CPU *env)
{
    int op = (int)env->cc_op;
    int ot;
    uint64_t m, dst, src;

    if (op == CC_OP_EFLAGS) {
        return env->cc_src & CC_C;
    }
    if (op < CC_OP_ADDB || op >= CC_OP_CLR) {
        return 0;
    }
    ot = (op - CC_OP_ADDB) & 3;
    m = size_mask(ot);
    dst = env->cc_dst & m;
    src = env->cc_src & m;
    switch (op - ot) {
    case CC_OP_ADDB:
        return dst < src;
    case CC_OP_SUBB:
        return ((dst + src) & m) < src;
    case CC_OP_LOGICB:
        return 0;
    case CC_OP_INCB:
    case CC_OP_DECB:
        return env->cc_src & 1;
    case CC_OP_SHLB:
        return (src & sign_bit(ot)) != 0;
    case CC_OP_SARB:
        return src & 1;
    case CC_OP_MULB:
        return env->cc_src != 0;
    default:
        return compute_all(op, env->cc_dst, env->cc_src, env->cc_src2) & CC_C;
    }
}

uint64_t x86_eflags_get(X86CPU *env)
{
    uint64_t f = (env->eflags & ~(uint64_t)(CC_MASK | DF_MASK)) | 2;

    f |= x86_cc_compute_all(env);
    if ((int64_t)env->df < 0) {
        f |= DF_MASK;
    }
    return f;
}

void x86_eflags_set(X86CPU *env, uint64_t val, uint64_t mask)
{
    uint64_t ccm = mask & CC_MASK;
    uint64_t other = mask & ~(uint64_t)(CC_MASK | DF_MASK);

    if (ccm) {
        uint64_t cur = ccm == CC_MASK ? 0 : x86_cc_compute_all(env);
        env->cc_src = (cur & ~ccm) | (val & ccm);
        env->cc_op = CC_OP_EFLAGS;
    }
    if (mask & DF_MASK) {
        env->df = (val & DF_MASK) ? (uint64_t)-1 : 1;
    }
    env->eflags = ((env->eflags & ~other) | (val & other) | 2) &
                  ~(uint64_t)(CC_MASK | DF_MASK);
}

IR_HELPER(helper_cc_compute_all)
{
    return x86_cc_compute_all(env_);
}

IR_HELPER(helper_cc_compute_c)
{
    return x86_cc_compute_c(env_);
}

IR_HELPER(helper_read_eflags)
{
    return x86_eflags_get(env_) & ~(uint64_t)(VM_MASK | RF_MASK);
}

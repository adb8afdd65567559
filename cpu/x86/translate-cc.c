/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate-cc.c — the x86 front end's lazy condition codes (Intel SDM vol. 1,
 * 3.4.3; vol. 2 "Jcc" for the conditions): which CC op is live, storing env->cc_op when it
 * changes, CF and the whole flags word on demand, and the conditions of Jcc/SETcc/CMOVcc.
 *
 * When the CC op is known at translation time the common conditions become one direct
 * comparison: after CMP/SUB (the first operand is kept in a block temp, cc_srcT) every
 * unsigned and signed order and equality, after TEST/AND/OR/XOR the zero and sign tests,
 * after ADD/INC/DEC/shifts/MUL the carry and zero tests. Everything else (OF, PF, unknown
 * CC op) goes through helper_cc_compute_all. The representation itself is in cpu.h and
 * cc_helper.c.
 */
#include "cpu/x86/translate.h"

#define CALL_READ (IR_CALL_NO_WRITE_GLOBALS | IR_CALL_NO_SIDE_EFFECTS)

/* ---- the lazy flags ---- */

void x86_set_cc_op(DisasContext *s, int op)
{
    if (s->cc_op != op) {
        ir_movi(s->b, x86_cpu_cc_op, op);
        s->cc_op = op;
    }
}

void x86_force_cc_op(DisasContext *s, int op)
{
    ir_movi(s->b, x86_cpu_cc_op, op);
    s->cc_op = op;
}

static int cc_base(int op, int *ot)
{
    if (op >= CC_OP_ADDB && op < CC_OP_CLR) {
        *ot = (op - CC_OP_ADDB) & 3;
        return op - *ot;
    }
    *ot = MO_64;
    return op;
}

void x86_gen_compute_eflags(DisasContext *s, IRVal d)
{
    switch (s->cc_op) {
    case CC_OP_EFLAGS:
        ir_mov(s->b, d, x86_cpu_cc_src);
        break;
    case CC_OP_CLR:
        ir_movi(s->b, d, CC_Z | CC_P);
        break;
    default:
        ir_call(s->b, d, helper_cc_compute_all, CALL_READ, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        break;
    }
}

void x86_gen_compute_c(DisasContext *s, IRVal d)
{
    int ot, base = cc_base(s->cc_op, &ot);

    switch (base) {
    case CC_OP_ADDB:
        ir_setcond(s->b, IR_COND_LTU, d, x86_cpu_cc_dst, x86_cpu_cc_src);
        return;
    case CC_OP_SUBB:
        ir_setcond(s->b, IR_COND_LTU, d, s->cc_srcT, x86_cpu_cc_src);
        return;
    case CC_OP_LOGICB:
    case CC_OP_CLR:
        ir_movi(s->b, d, 0);
        return;
    case CC_OP_INCB:
    case CC_OP_DECB:
        ir_mov(s->b, d, x86_cpu_cc_src);
        return;
    case CC_OP_SHLB:
        ir_shr(s->b, d, x86_cpu_cc_src, x86_const(s, (8 << ot) - 1));
        ir_and(s->b, d, d, x86_const(s, 1));
        return;
    case CC_OP_SARB:
    case CC_OP_EFLAGS:
        ir_and(s->b, d, x86_cpu_cc_src, x86_const(s, 1));
        return;
    case CC_OP_MULB:
        ir_setcond(s->b, IR_COND_NE, d, x86_cpu_cc_src, x86_const(s, 0));
        return;
    default:
        ir_call(s->b, d, helper_cc_compute_c, CALL_READ, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        return;
    }
}

void x86_gen_set_eflags_cc(DisasContext *s, IRVal v)
{
    ir_mov(s->b, x86_cpu_cc_src, v);
    x86_set_cc_op(s, CC_OP_EFLAGS);
}

static X86CC mkcc(IRCond c, IRVal a, IRVal b)
{
    X86CC r = { c, a, b };
    return r;
}

/* A condition from an EFLAGS image f (CC bits only). */
static X86CC cc_from_flags(DisasContext *s, int cond, IRVal f)
{
    IRVal t;

    switch (cond) {
    case 0:
        return mkcc(IR_COND_TSTNE, f, x86_const(s, CC_O));
    case 1:
        return mkcc(IR_COND_TSTNE, f, x86_const(s, CC_C));
    case 2:
        return mkcc(IR_COND_TSTNE, f, x86_const(s, CC_Z));
    case 3:
        return mkcc(IR_COND_TSTNE, f, x86_const(s, CC_C | CC_Z));
    case 4:
        return mkcc(IR_COND_TSTNE, f, x86_const(s, CC_S));
    case 5:
        return mkcc(IR_COND_TSTNE, f, x86_const(s, CC_P));
    default:
        /* bit 7 of (f >> 4) ^ f is OF ^ SF; bit 6 is ZF (bit 10 of f is never set) */
        t = x86_tmp(s);
        ir_shr(s->b, t, f, x86_const(s, 4));
        ir_xor(s->b, t, t, f);
        return mkcc(IR_COND_TSTNE, t, x86_const(s, cond == 6 ? CC_S : CC_S | CC_Z));
    }
}

static IRVal sext_val(DisasContext *s, int ot, IRVal v)
{
    IRVal t;

    if (ot == MO_64) {
        return v;
    }
    t = x86_tmp(s);
    x86_gen_ext(s, ot, true, t, v);
    return t;
}

X86CC x86_gen_prepare_cc(DisasContext *s, int jcc)
{
    int cond = (jcc >> 1) & 7;
    int ot, base = cc_base(s->cc_op, &ot);
    IRVal zero = x86_const(s, 0);
    IRVal sign = x86_const(s, 1ull << ((8 << ot) - 1));
    X86CC r;
    IRVal f;

    r.cond = IR_COND_NEVER;
    switch (base) {
    case CC_OP_EFLAGS:
        r = cc_from_flags(s, cond, x86_cpu_cc_src);
        goto done;
    case CC_OP_CLR: {
        /* ZF = PF = 1, the others 0 */
        static const bool val[8] = { false, false, true, true, false, true, false, true };
        r = mkcc(val[cond] ? IR_COND_ALWAYS : IR_COND_NEVER, zero, zero);
        goto done;
    }
    default:
        break;
    }
    if (s->cc_op != CC_OP_DYNAMIC && base >= CC_OP_ADDB && base < CC_OP_CLR) {
        switch (cond) {
        case 2: /* Z */
            r = mkcc(IR_COND_EQ, x86_cpu_cc_dst, zero);
            goto done;
        case 4: /* S */
            r = mkcc(IR_COND_TSTNE, x86_cpu_cc_dst, sign);
            goto done;
        default:
            break;
        }
        switch (base) {
        case CC_OP_SUBB:
            switch (cond) {
            case 1:
                r = mkcc(IR_COND_LTU, s->cc_srcT, x86_cpu_cc_src);
                goto done;
            case 3:
                r = mkcc(IR_COND_LEU, s->cc_srcT, x86_cpu_cc_src);
                goto done;
            case 6:
                r = mkcc(IR_COND_LT, sext_val(s, ot, s->cc_srcT), sext_val(s, ot, x86_cpu_cc_src));
                goto done;
            case 7:
                r = mkcc(IR_COND_LE, sext_val(s, ot, s->cc_srcT), sext_val(s, ot, x86_cpu_cc_src));
                goto done;
            }
            break;
        case CC_OP_LOGICB:
            switch (cond) {
            case 0:
            case 1:
                r = mkcc(IR_COND_NEVER, zero, zero);
                goto done;
            case 3:
                r = mkcc(IR_COND_EQ, x86_cpu_cc_dst, zero);
                goto done;
            case 6:
                r = mkcc(IR_COND_TSTNE, x86_cpu_cc_dst, sign);
                goto done;
            case 7:
                r = mkcc(IR_COND_LE, sext_val(s, ot, x86_cpu_cc_dst), zero);
                goto done;
            }
            break;
        case CC_OP_ADDB:
            if (cond == 1) {
                r = mkcc(IR_COND_LTU, x86_cpu_cc_dst, x86_cpu_cc_src);
                goto done;
            }
            break;
        case CC_OP_INCB:
        case CC_OP_DECB:
            if (cond == 1) {
                r = mkcc(IR_COND_NE, x86_cpu_cc_src, zero);
                goto done;
            }
            break;
        case CC_OP_SHLB:
            if (cond == 1) {
                r = mkcc(IR_COND_TSTNE, x86_cpu_cc_src, sign);
                goto done;
            }
            break;
        case CC_OP_SARB:
            if (cond == 1) {
                r = mkcc(IR_COND_TSTNE, x86_cpu_cc_src, x86_const(s, 1));
                goto done;
            }
            break;
        case CC_OP_MULB:
            if (cond == 0 || cond == 1) {
                r = mkcc(IR_COND_NE, x86_cpu_cc_src, zero);
                goto done;
            }
            break;
        }
    }
    f = x86_tmp(s);
    x86_gen_compute_eflags(s, f);
    r = cc_from_flags(s, cond, f);
done:
    if (jcc & 1) {
        r.cond = ir_cond_invert(r.cond);
    }
    return r;
}

void x86_gen_setcc(DisasContext *s, int jcc, IRVal d)
{
    X86CC c = x86_gen_prepare_cc(s, jcc);

    ir_setcond(s->b, c.cond, d, c.a, c.b);
}

void x86_gen_brcond_cc(DisasContext *s, int jcc, IRLabel l)
{
    X86CC c = x86_gen_prepare_cc(s, jcc);

    ir_brcond(s->b, c.cond, c.a, c.b, l);
}

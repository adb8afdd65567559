/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate-alu.c — x86 integer data instructions to IR (Intel SDM vol. 2):
 * ADD..CMP, TEST, INC/DEC, NOT/NEG, MUL/IMUL/DIV/IDIV, shifts and rotates, SHLD/SHRD,
 * BT*, BSF/BSR/TZCNT/LZCNT, POPCNT,
 * BSWAP, MOVBE, MOV/MOVZX/MOVSX/MOVSXD/LEA/XCHG/XADD/CMPXCHG/CMPXCHG8B/16B, CBW..CQO,
 * the flag instructions (CLC STC CMC CLD STD LAHF SAHF SALC) and the BCD adjustments.
 *
 * Conventions: values of size ot live zero-extended in 64-bit temps; cc_dst and cc_src get
 * zero-extended values too, so fast conditions compare them directly. A write-back to
 * memory comes before the flags are updated and the flags before register write-backs, so
 * a faulting store leaves the architectural state untouched. LOCK is accepted where the
 * decoder allows it; the store of a locked read-modify-write (and of XCHG with memory) is a
 * compare-and-swap against the value loaded (x86_gen_st, helper_lock_st), so that it is
 * atomic across vCPU threads: when another CPU wrote in between, the instruction runs again.
 */
#include "cpu/x86/translate.h"

#define CALL_PURE (IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_NO_SIDE_EFFECTS)

enum { OP_ADD, OP_OR, OP_ADC, OP_SBB, OP_AND, OP_SUB, OP_XOR, OP_CMP };

/* ---- ALU ---- */

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

void x86_gen_alu(DisasContext *s, int op, int ot, const X86Opnd *d, IRVal src)
{
    IRBuilder *b = s->b;
    IRVal t0 = x86_tmp(s), r = x86_tmp(s), cin = IR_NONE;

    x86_gen_ld_opnd(s, ot, t0, d);
    switch (op) {
    case OP_ADD:
        ir_add(b, r, t0, src);
        break;
    case OP_OR:
        ir_or(b, r, t0, src);
        break;
    case OP_AND:
        ir_and(b, r, t0, src);
        break;
    case OP_XOR:
        ir_xor(b, r, t0, src);
        break;
    case OP_ADC:
        cin = x86_tmp(s);
        x86_gen_compute_c(s, cin);
        ir_add(b, r, t0, src);
        ir_add(b, r, r, cin);
        break;
    case OP_SBB:
        cin = x86_tmp(s);
        x86_gen_compute_c(s, cin);
        ir_sub(b, r, t0, src);
        ir_sub(b, r, r, cin);
        break;
    default:
        ir_sub(b, r, t0, src);
        break;
    }
    if (ot != MO_64) {
        x86_gen_ext(s, ot, false, r, r);
    }
    if (d->is_mem && op != OP_CMP) {
        x86_gen_st(s, ot, r, d->addr);
    }
    switch (op) {
    case OP_ADD:
    case OP_ADC:
    case OP_SBB:
    case OP_SUB:
    case OP_CMP:
        if (op == OP_SUB || op == OP_CMP) {
            ir_mov(b, s->cc_srcT, t0);
        }
        if (cin != IR_NONE) {
            ir_mov(b, x86_cpu_cc_src2, cin);
        }
        ir_mov(b, x86_cpu_cc_src, src);
        ir_mov(b, x86_cpu_cc_dst, r);
        x86_set_cc_op(s, (op == OP_ADD ? CC_OP_ADDB : op == OP_ADC ? CC_OP_ADCB :
                          op == OP_SBB ? CC_OP_SBBB : CC_OP_SUBB) + ot);
        break;
    default:
        ir_mov(b, x86_cpu_cc_dst, r);
        x86_set_cc_op(s, CC_OP_LOGICB + ot);
        break;
    }
    if (!d->is_mem && op != OP_CMP) {
        x86_gen_st_reg(s, ot, d->reg, r);
    }
}

static void gen_test(DisasContext *s, int ot, const X86Opnd *d, IRVal src)
{
    IRVal t0 = x86_tmp(s);

    x86_gen_ld_opnd(s, ot, t0, d);
    ir_and(s->b, x86_cpu_cc_dst, t0, src);
    x86_set_cc_op(s, CC_OP_LOGICB + ot);
}

void x86_gen_incdec(DisasContext *s, int ot, const X86Opnd *d, bool dec)
{
    IRVal t0 = x86_tmp(s), r = x86_tmp(s), cf = x86_tmp(s);

    x86_gen_ld_opnd(s, ot, t0, d);
    x86_gen_compute_c(s, cf);
    ir_op3(s->b, dec ? IR_sub : IR_add, r, t0, x86_const(s, 1));
    x86_gen_ext(s, ot, false, r, r);
    if (d->is_mem) {
        x86_gen_st(s, ot, r, d->addr);
    }
    ir_mov(s->b, x86_cpu_cc_src, cf);
    ir_mov(s->b, x86_cpu_cc_dst, r);
    x86_set_cc_op(s, (dec ? CC_OP_DECB : CC_OP_INCB) + ot);
    if (!d->is_mem) {
        x86_gen_st_reg(s, ot, d->reg, r);
    }
}

/* Store r to d: memory first, and registers after the flags (the caller's order). */
static void store_result(DisasContext *s, int ot, const X86Opnd *d, IRVal r)
{
    x86_gen_st_opnd(s, ot, d, r);
}

/* ---- shifts and rotates ---- */

/* Flags of a shift whose count may be zero at run time: only written when cnt != 0. */
static void set_shift_flags(DisasContext *s, int ccop, IRVal cnt, IRVal dst, IRVal src)
{
    IRLabel skip = IR_NONE;

    if (!ir_is_const(s->b, cnt)) {
        skip = ir_new_label(s->b);
        ir_brcond(s->b, IR_COND_EQ, cnt, x86_const(s, 0), skip);
    } else if (ir_const_value(s->b, cnt) == 0) {
        return;
    }
    if (src != IR_NONE) {
        ir_mov(s->b, x86_cpu_cc_src, src);
    }
    if (dst != IR_NONE) {
        ir_mov(s->b, x86_cpu_cc_dst, dst);
    }
    if (skip != IR_NONE) {
        x86_force_cc_op(s, ccop);
        ir_set_label(s->b, skip);
        s->cc_op = CC_OP_DYNAMIC;
    } else {
        x86_set_cc_op(s, ccop);
    }
}

/* Rotate v (zero-extended, size ot) left (or right) by cnt in 0..63 (modulo the size). */
static void gen_rot(DisasContext *s, int ot, bool right, IRVal r, IRVal v, IRVal cnt)
{
    IRBuilder *b = s->b;
    int n = 8 << ot;
    IRVal c, t, u;

    if (ot == MO_64) {
        ir_op3(b, right ? IR_rotr : IR_rotl, r, v, cnt);
        return;
    }
    c = x86_tmp(s);
    t = x86_tmp(s);
    u = x86_tmp(s);
    ir_and(b, c, cnt, x86_const(s, n - 1));
    ir_sub(b, u, x86_const(s, n), c);
    if (right) {
        ir_shr(b, t, v, c);
        ir_shl(b, u, v, u);
    } else {
        ir_shl(b, t, v, c);
        ir_shr(b, u, v, u);
    }
    ir_or(b, r, t, u);
    x86_gen_ext(s, ot, false, r, r);
}

void x86_gen_shift(DisasContext *s, int op, int ot, const X86Opnd *d, IRVal count, int imm)
{
    IRBuilder *b = s->b;
    int n = 8 << ot;
    uint64_t mask = ot == MO_64 ? 63 : 31;
    IRVal t0 = x86_tmp(s), r = x86_tmp(s), cnt, cm1, cs;

    op &= 7;
    if (op == 6) {
        op = 4;     /* SAL is SHL */
    }
    x86_gen_ld_opnd(s, ot, t0, d);
    if (count == IR_NONE) {
        cnt = x86_const(s, (uint64_t)imm & mask);
        if (((uint64_t)imm & mask) == 0) {
            /* no operation; a 32-bit register is still written (upper half cleared) */
            if (!d->is_mem && ot == MO_32) {
                x86_gen_st_reg(s, ot, d->reg, t0);
            }
            return;
        }
    } else {
        cnt = x86_tmp(s);
        ir_and(b, cnt, count, x86_const(s, mask));
    }
    cm1 = x86_tmp(s);
    cs = x86_tmp(s);
    ir_sub(b, cm1, cnt, x86_const(s, 1));

    switch (op) {
    case 4: /* SHL */
        ir_shl(b, r, t0, cnt);
        ir_shl(b, cs, t0, cm1);
        x86_gen_ext(s, ot, false, r, r);
        x86_gen_ext(s, ot, false, cs, cs);
        if (d->is_mem) {
            store_result(s, ot, d, r);
        }
        set_shift_flags(s, CC_OP_SHLB + ot, cnt, r, cs);
        if (!d->is_mem) {
            store_result(s, ot, d, r);
        }
        return;
    case 5: /* SHR */
    case 7: /* SAR */
        if (op == 7) {
            IRVal sv = sext_val(s, ot, t0);
            ir_sar(b, r, sv, cnt);
            ir_sar(b, cs, sv, cm1);
        } else {
            ir_shr(b, r, t0, cnt);
            ir_shr(b, cs, t0, cm1);
        }
        x86_gen_ext(s, ot, false, r, r);
        x86_gen_ext(s, ot, false, cs, cs);
        if (d->is_mem) {
            store_result(s, ot, d, r);
        }
        set_shift_flags(s, CC_OP_SARB + ot, cnt, r, cs);
        if (!d->is_mem) {
            store_result(s, ot, d, r);
        }
        return;
    case 0: /* ROL */
    case 1: /* ROR */ {
        IRVal f = x86_tmp(s), msb = x86_tmp(s), o = x86_tmp(s);
        IRLabel skip = IR_NONE;

        gen_rot(s, ot, op == 1, r, t0, cnt);
        if (d->is_mem) {
            store_result(s, ot, d, r);
        }
        if (!ir_is_const(b, cnt)) {
            skip = ir_new_label(b);
            ir_brcond(b, IR_COND_EQ, cnt, x86_const(s, 0), skip);
        }
        x86_gen_compute_eflags(s, f);
        ir_op3(b, IR_andc, f, f, x86_const(s, CC_C | CC_O));
        ir_shr(b, msb, r, x86_const(s, n - 1));
        if (op == 0) {
            /* CF = bit 0, OF = MSB ^ CF */
            ir_and(b, o, r, x86_const(s, 1));
            ir_or(b, f, f, o);
            ir_xor(b, o, o, msb);
        } else {
            /* CF = MSB, OF = MSB ^ (MSB - 1) */
            ir_or(b, f, f, msb);
            ir_shr(b, o, r, x86_const(s, n - 2));
            ir_xor(b, o, o, msb);
            ir_and(b, o, o, x86_const(s, 1));
        }
        ir_shl(b, o, o, x86_const(s, 11));
        ir_or(b, f, f, o);
        ir_mov(b, x86_cpu_cc_src, f);
        if (skip != IR_NONE) {
            x86_force_cc_op(s, CC_OP_EFLAGS);
            ir_set_label(b, skip);
            s->cc_op = CC_OP_DYNAMIC;
        } else {
            x86_set_cc_op(s, CC_OP_EFLAGS);
        }
        if (!d->is_mem) {
            store_result(s, ot, d, r);
        }
        return;
    }
    default: { /* RCL, RCR */
        IRVal f = x86_tmp(s), nf = x86_tmp(s);
        IRVal mode = x86_const(s, ot | ((op == 3) << 2));

        x86_gen_compute_eflags(s, f);
        ir_call(b, r, helper_rotc, CALL_PURE, t0, cnt, mode, f);
        if (d->is_mem) {
            store_result(s, ot, d, r);
        }
        ir_call(b, nf, helper_rotc, CALL_PURE, t0, cnt, x86_const(s, ot | ((op == 3) << 2) | 8), f);
        x86_gen_set_eflags_cc(s, nf);
        if (!d->is_mem) {
            store_result(s, ot, d, r);
        }
        return;
    }
    }
}

void x86_gen_shiftd(DisasContext *s, int ot, const X86Opnd *d, int reg, IRVal count, int imm,
                    bool right)
{
    IRBuilder *b = s->b;
    uint64_t mask = ot == MO_64 ? 63 : 31;
    IRVal t0 = x86_tmp(s), src = x86_tmp(s), r = x86_tmp(s), cs = x86_tmp(s);
    IRVal cnt, cm1 = x86_tmp(s), w = x86_tmp(s), u = x86_tmp(s);

    x86_gen_ld_opnd(s, ot, t0, d);
    x86_gen_ld_reg(s, ot, src, reg);
    if (count == IR_NONE) {
        if (((uint64_t)imm & mask) == 0) {
            if (!d->is_mem && ot == MO_32) {
                x86_gen_st_reg(s, ot, d->reg, t0);
            }
            return;
        }
        cnt = x86_const(s, (uint64_t)imm & mask);
    } else {
        cnt = x86_tmp(s);
        ir_and(b, cnt, count, x86_const(s, mask));
    }
    ir_sub(b, cm1, cnt, x86_const(s, 1));

    if (ot == MO_64) {
        if (right) {
            /* (t0 >> c) | (src << (64 - c)), written so that c = 0 gives t0 */
            ir_shr(b, r, t0, cnt);
            ir_shl(b, u, src, x86_const(s, 1));
            ir_sub(b, w, x86_const(s, 63), cnt);
            ir_shl(b, u, u, w);
            ir_or(b, r, r, u);
            ir_shr(b, cs, t0, cm1);
        } else {
            ir_shl(b, r, t0, cnt);
            ir_shr(b, u, src, x86_const(s, 1));
            ir_sub(b, w, x86_const(s, 63), cnt);
            ir_shr(b, u, u, w);
            ir_or(b, r, r, u);
            ir_shl(b, cs, t0, cm1);
        }
    } else if (ot == MO_32) {
        if (right) {
            ir_shl(b, w, src, x86_const(s, 32));
            ir_or(b, w, w, t0);
            ir_shr(b, r, w, cnt);
            ir_shr(b, cs, w, cm1);
        } else {
            ir_shl(b, w, t0, x86_const(s, 32));
            ir_or(b, w, w, src);
            ir_shl(b, r, w, cnt);
            ir_shl(b, cs, w, cm1);
            ir_shr(b, r, r, x86_const(s, 32));
            ir_shr(b, cs, cs, x86_const(s, 32));
        }
        ir_op2(b, IR_ext32u, r, r);
        ir_op2(b, IR_ext32u, cs, cs);
    } else {
        /* 16-bit: counts above 16 take bits from the destination again (dst:src:dst) */
        if (right) {
            ir_shl(b, w, t0, x86_const(s, 32));
            ir_shl(b, u, src, x86_const(s, 16));
            ir_or(b, w, w, u);
            ir_or(b, w, w, t0);
            ir_shr(b, r, w, cnt);
            ir_shr(b, cs, w, cm1);
        } else {
            ir_shl(b, w, t0, x86_const(s, 48));
            ir_shl(b, u, src, x86_const(s, 32));
            ir_or(b, w, w, u);
            ir_shl(b, u, t0, x86_const(s, 16));
            ir_or(b, w, w, u);
            ir_shl(b, r, w, cnt);
            ir_shl(b, cs, w, cm1);
            ir_shr(b, r, r, x86_const(s, 48));
            ir_shr(b, cs, cs, x86_const(s, 48));
        }
        ir_op2(b, IR_ext16u, r, r);
        ir_op2(b, IR_ext16u, cs, cs);
    }
    if (d->is_mem) {
        store_result(s, ot, d, r);
    }
    set_shift_flags(s, (right ? CC_OP_SARB : CC_OP_SHLB) + ot, cnt, r, cs);
    if (!d->is_mem) {
        store_result(s, ot, d, r);
    }
}

/* ---- multiply and divide ---- */

static void gen_mul1(DisasContext *s, int ot, IRVal v, bool sign)
{
    IRBuilder *b = s->b;
    IRVal a = x86_tmp(s), p = x86_tmp(s), lo = x86_tmp(s), hi = x86_tmp(s);

    if (ot == MO_64) {
        ir_mul2(b, sign ? IR_muls2 : IR_mulu2, lo, hi, x86_cpu_regs[R_EAX], v);
        ir_mov(b, x86_cpu_cc_dst, lo);
        if (sign) {
            IRVal t = x86_tmp(s);
            ir_sar(b, t, lo, x86_const(s, 63));
            ir_sub(b, x86_cpu_cc_src, hi, t);
        } else {
            ir_mov(b, x86_cpu_cc_src, hi);
        }
        ir_mov(b, x86_cpu_regs[R_EAX], lo);
        ir_mov(b, x86_cpu_regs[R_EDX], hi);
        x86_set_cc_op(s, CC_OP_MULQ);
        return;
    }
    x86_gen_ld_reg(s, ot, a, R_EAX);
    if (sign) {
        IRVal sv = x86_tmp(s);
        x86_gen_ext(s, ot, true, a, a);
        x86_gen_ext(s, ot, true, sv, v);
        ir_op3(b, IR_mul, p, a, sv);
        x86_gen_ext(s, ot, true, hi, p);
        ir_sub(b, x86_cpu_cc_src, p, hi);
    } else {
        ir_op3(b, IR_mul, p, a, v);
        ir_shr(b, x86_cpu_cc_src, p, x86_const(s, 8 << ot));
    }
    x86_gen_ext(s, ot, false, x86_cpu_cc_dst, p);
    x86_set_cc_op(s, CC_OP_MULB + ot);
    switch (ot) {
    case MO_8:
        x86_gen_st_reg(s, MO_16, R_EAX, p);
        break;
    default:
        ir_shr(b, hi, p, x86_const(s, 8 << ot));
        x86_gen_st_reg(s, ot, R_EAX, p);
        x86_gen_st_reg(s, ot, R_EDX, hi);
        break;
    }
}

void x86_gen_imul3(DisasContext *s, int ot, int dreg, const X86Opnd *src, IRVal imm)
{
    IRBuilder *b = s->b;
    IRVal a = x86_tmp(s), c = x86_tmp(s), r = x86_tmp(s), t = x86_tmp(s);

    x86_gen_ld_opnd(s, ot, a, src);
    if (imm != IR_NONE) {
        ir_mov(b, c, imm);
    } else {
        x86_gen_ld_reg(s, ot, c, dreg);
    }
    if (ot == MO_64) {
        IRVal hi = x86_tmp(s);
        ir_mul2(b, IR_muls2, r, hi, a, c);
        ir_sar(b, t, r, x86_const(s, 63));
        ir_sub(b, x86_cpu_cc_src, hi, t);
    } else {
        IRVal p = x86_tmp(s);
        x86_gen_ext(s, ot, true, a, a);
        x86_gen_ext(s, ot, true, c, c);
        ir_op3(b, IR_mul, p, a, c);
        x86_gen_ext(s, ot, true, t, p);
        ir_sub(b, x86_cpu_cc_src, p, t);
        x86_gen_ext(s, ot, false, r, p);
    }
    ir_mov(b, x86_cpu_cc_dst, r);
    x86_set_cc_op(s, CC_OP_MULB + ot);
    x86_gen_st_reg(s, ot, dreg, r);
}

void x86_gen_grp3(DisasContext *s, int ot)
{
    IRBuilder *b = s->b;
    int op = s->insn.reg & 7;
    X86Opnd o;
    IRVal v = x86_tmp(s), r;

    x86_gen_opnd_rm(s, &o);
    switch (op) {
    case 0:
    case 1: /* TEST (F6/F7 /1 is an alias) */
        gen_test(s, ot, &o, x86_const(s, x86_imm_s(s) & x86_opmask(ot)));
        return;
    case 2: /* NOT */
        x86_gen_ld_opnd(s, ot, v, &o);
        ir_op2(b, IR_not, v, v);
        x86_gen_st_opnd(s, ot, &o, v);
        return;
    case 3: /* NEG */
        r = x86_tmp(s);
        x86_gen_ld_opnd(s, ot, v, &o);
        ir_op2(b, IR_neg, r, v);
        x86_gen_ext(s, ot, false, r, r);
        if (o.is_mem) {
            x86_gen_st(s, ot, r, o.addr);
        }
        ir_movi(b, s->cc_srcT, 0);
        ir_mov(b, x86_cpu_cc_src, v);
        ir_mov(b, x86_cpu_cc_dst, r);
        x86_set_cc_op(s, CC_OP_SUBB + ot);
        if (!o.is_mem) {
            x86_gen_st_reg(s, ot, o.reg, r);
        }
        return;
    case 4: /* MUL */
    case 5: /* IMUL */
        x86_gen_ld_opnd(s, ot, v, &o);
        gen_mul1(s, ot, v, op == 5);
        return;
    default: /* DIV, IDIV: the helpers raise #DE; the flags are undefined (unchanged) */
        x86_gen_ld_opnd(s, ot, v, &o);
        ir_call(b, IR_NONE, op == 6 ? helper_div : helper_idiv, 0, v, x86_const(s, ot),
                IR_NONE, IR_NONE);
        return;
    }
}

/* ---- bit instructions ---- */

void x86_gen_bt(DisasContext *s, int op, int ot, const X86Opnd *d, IRVal off, bool imm)
{
    IRBuilder *b = s->b;
    int n = 8 << ot;
    X86Opnd o = *d;
    IRVal bitoff = x86_tmp(s), t0 = x86_tmp(s), bit = x86_tmp(s), m = x86_tmp(s);
    IRVal r = x86_tmp(s), f = x86_tmp(s);

    if (!imm && o.is_mem) {
        /* the bit offset is a signed displacement from the operand in units of ot */
        IRVal disp = x86_tmp(s), a = x86_tmp(s);
        x86_gen_ext(s, ot, true, disp, off);
        ir_sar(b, disp, disp, x86_const(s, 3 + ot));
        ir_shl(b, disp, disp, x86_const(s, ot));
        ir_add(b, a, o.addr, disp);
        if (!s->code64) {
            ir_op2(b, IR_ext32u, a, a);
        }
        x86_gen_seg_alias(s, a, o.addr);
        o.addr = a;
    }
    ir_and(b, bitoff, off, x86_const(s, n - 1));
    x86_gen_ld_opnd(s, ot, t0, &o);
    ir_shr(b, bit, t0, bitoff);
    ir_and(b, bit, bit, x86_const(s, 1));
    if (op != 0) {
        ir_shl(b, m, x86_const(s, 1), bitoff);
        switch (op) {
        case 1:
            ir_or(b, r, t0, m);
            break;
        case 2:
            ir_op3(b, IR_andc, r, t0, m);
            break;
        default:
            ir_xor(b, r, t0, m);
            break;
        }
        if (o.is_mem) {
            x86_gen_st(s, ot, r, o.addr);
        }
    }
    /* CF = the bit; ZF unchanged; OF SF AF PF undefined (kept) */
    x86_gen_compute_eflags(s, f);
    ir_op3(b, IR_andc, f, f, x86_const(s, CC_C));
    ir_or(b, f, f, bit);
    x86_gen_set_eflags_cc(s, f);
    if (op != 0 && !o.is_mem) {
        x86_gen_st_reg(s, ot, o.reg, r);
    }
}

void x86_gen_bsf_bsr(DisasContext *s, int ot, bool rev, bool cnt)
{
    IRBuilder *b = s->b;
    int n = 8 << ot;
    X86Opnd o;
    IRVal src = x86_tmp(s), idx = x86_tmp(s), r = x86_tmp(s), old;

    x86_gen_opnd_rm(s, &o);
    x86_gen_ld_opnd(s, ot, src, &o);
    ir_call(b, idx, rev ? helper_bsr : helper_bsf, CALL_PURE, src, x86_const(s, ot), IR_NONE,
            IR_NONE);
    if (cnt) {
        /* TZCNT/LZCNT: the operand size for 0; CF = (src == 0), ZF = (result == 0) */
        IRVal f = x86_tmp(s), z = x86_tmp(s);
        if (rev) {
            ir_sub(b, idx, x86_const(s, n - 1), idx);
        }
        ir_movcond(b, IR_COND_EQ, r, src, x86_const(s, 0), x86_const(s, n), idx);
        ir_setcond(b, IR_COND_EQ, f, src, x86_const(s, 0));
        ir_setcond(b, IR_COND_EQ, z, r, x86_const(s, 0));
        ir_shl(b, z, z, x86_const(s, 6));
        ir_or(b, f, f, z);
        x86_gen_set_eflags_cc(s, f);
        x86_gen_st_reg(s, ot, s->insn.reg, r);
        return;
    }
    /* BSF/BSR: a zero source sets ZF and leaves the destination as it was */
    old = x86_cpu_regs[s->insn.reg];
    ir_mov(b, x86_cpu_cc_dst, src);
    x86_set_cc_op(s, CC_OP_LOGICB + ot);
    if (ot == MO_32) {
        ir_movcond(b, IR_COND_EQ, old, src, x86_const(s, 0), old, idx);
    } else {
        IRVal cur = x86_tmp(s);
        x86_gen_ld_reg(s, ot, cur, s->insn.reg);
        ir_movcond(b, IR_COND_EQ, r, src, x86_const(s, 0), cur, idx);
        x86_gen_st_reg(s, ot, s->insn.reg, r);
    }
}

void x86_gen_popcnt(DisasContext *s, int ot)
{
    IRBuilder *b = s->b;
    X86Opnd o;
    IRVal src = x86_tmp(s), r = x86_tmp(s), f = x86_tmp(s);

    x86_gen_opnd_rm(s, &o);
    x86_gen_ld_opnd(s, ot, src, &o);
    ir_call(b, r, helper_popcnt, CALL_PURE, src, IR_NONE, IR_NONE, IR_NONE);
    ir_setcond(b, IR_COND_EQ, f, src, x86_const(s, 0));
    ir_shl(b, f, f, x86_const(s, 6));
    x86_gen_set_eflags_cc(s, f);
    x86_gen_st_reg(s, ot, s->insn.reg, r);
}

/* ---- exchange and compare ---- */

void x86_gen_cmpxchg(DisasContext *s, int ot)
{
    IRBuilder *b = s->b;
    X86Opnd o;
    IRVal acc = x86_tmp(s), src = x86_tmp(s), t0 = x86_tmp(s), nv = x86_tmp(s);
    IRVal r = x86_tmp(s);
    IRLabel eq = ir_new_label(b), done = ir_new_label(b);

    x86_gen_opnd_rm(s, &o);
    x86_gen_ld_reg(s, ot, acc, R_EAX);
    x86_gen_ld_reg(s, ot, src, s->insn.reg);
    x86_gen_ld_opnd(s, ot, t0, &o);
    ir_movcond(b, IR_COND_EQ, nv, t0, acc, src, t0);
    ir_sub(b, r, acc, t0);
    x86_gen_ext(s, ot, false, r, r);
    if (o.is_mem) {
        /* the destination is always written (the locked cycle writes back on failure) */
        x86_gen_st(s, ot, nv, o.addr);
    }
    ir_mov(b, s->cc_srcT, acc);
    ir_mov(b, x86_cpu_cc_src, t0);
    ir_mov(b, x86_cpu_cc_dst, r);
    x86_set_cc_op(s, CC_OP_SUBB + ot);
    /* A register destination is written only on success and the accumulator only on
     * failure (hardware: a failed cmpxchg r32 leaves the upper half of the register). */
    ir_brcond(b, IR_COND_EQ, t0, acc, eq);
    x86_gen_st_reg(s, ot, R_EAX, t0);
    ir_br(b, done);
    ir_set_label(b, eq);
    if (!o.is_mem) {
        x86_gen_st_reg(s, ot, o.reg, src);
    }
    ir_set_label(b, done);
}

void x86_gen_xadd(DisasContext *s, int ot)
{
    IRBuilder *b = s->b;
    X86Opnd o;
    IRVal t0 = x86_tmp(s), src = x86_tmp(s), r = x86_tmp(s);

    x86_gen_opnd_rm(s, &o);
    x86_gen_ld_reg(s, ot, src, s->insn.reg);
    x86_gen_ld_opnd(s, ot, t0, &o);
    ir_add(b, r, t0, src);
    x86_gen_ext(s, ot, false, r, r);
    if (o.is_mem) {
        x86_gen_st(s, ot, r, o.addr);
    }
    ir_mov(b, x86_cpu_cc_src, src);
    ir_mov(b, x86_cpu_cc_dst, r);
    x86_set_cc_op(s, CC_OP_ADDB + ot);
    x86_gen_st_reg(s, ot, s->insn.reg, t0);
    if (!o.is_mem) {
        x86_gen_st_reg(s, ot, o.reg, r);
    }
}

static void gen_cmpxchg8b(DisasContext *s)
{
    IRVal a;
    bool q = s->insn.opsize == 8;

    if (s->insn.mod == 3) {
        x86_gen_illegal(s);
        return;
    }
    if (q && !s->has_cx16) {
        x86_gen_illegal(s);
        return;
    }
    a = x86_gen_modrm_addr(s);
    x86_gen_seg_check(s, a, q ? 16 : 8, true);
    ir_call(s->b, IR_NONE, q ? helper_cmpxchg16b : helper_cmpxchg8b, 0, a,
            x86_const(s, s->mem_idx), IR_NONE, IR_NONE);
    x86_force_cc_op(s, CC_OP_EFLAGS);
}

/* ---- BCD and flag instructions ---- */

void x86_gen_bcd(DisasContext *s, int opc)
{
    IRHelper fn;

    if (s->code64) {
        x86_gen_illegal(s);
        return;
    }
    switch (opc) {
    case 0x27:
        fn = helper_daa;
        break;
    case 0x2f:
        fn = helper_das;
        break;
    case 0x37:
        fn = helper_aaa;
        break;
    case 0x3f:
        fn = helper_aas;
        break;
    case 0xd4:
        fn = helper_aam;
        break;
    default:
        fn = helper_aad;
        break;
    }
    ir_call(s->b, IR_NONE, fn, 0, x86_const(s, x86_imm_u(s) & 0xff), IR_NONE, IR_NONE, IR_NONE);
    x86_force_cc_op(s, CC_OP_EFLAGS);
}

static void gen_flag_op(DisasContext *s, int opc)
{
    IRBuilder *b = s->b;
    IRVal f = x86_tmp(s), t;

    switch (opc) {
    case 0xfc: /* CLD */
        ir_movi(b, x86_cpu_df, 1);
        return;
    case 0xfd: /* STD */
        ir_movi(b, x86_cpu_df, (uint64_t)-1);
        return;
    case 0xd6: /* SALC */
        x86_gen_compute_c(s, f);
        ir_op2(b, IR_neg, f, f);
        x86_gen_st_reg(s, MO_8, R_EAX, f);
        return;
    case 0x9f: /* LAHF: AH = SF ZF 0 AF 0 PF 1 CF */
        x86_gen_compute_eflags(s, f);
        ir_and(b, f, f, x86_const(s, 0xd5));
        ir_or(b, f, f, x86_const(s, 2));
        ir_shl(b, f, f, x86_const(s, 8));
        ir_op3(b, IR_andc, x86_cpu_regs[R_EAX], x86_cpu_regs[R_EAX], x86_const(s, 0xff00));
        ir_or(b, x86_cpu_regs[R_EAX], x86_cpu_regs[R_EAX], f);
        return;
    case 0x9e: /* SAHF */
        t = x86_tmp(s);
        ir_shr(b, t, x86_cpu_regs[R_EAX], x86_const(s, 8));
        ir_and(b, t, t, x86_const(s, CC_S | CC_Z | CC_A | CC_P | CC_C));
        x86_gen_compute_eflags(s, f);
        ir_and(b, f, f, x86_const(s, CC_O));
        ir_or(b, f, f, t);
        x86_gen_set_eflags_cc(s, f);
        return;
    default:
        x86_gen_compute_eflags(s, f);
        if (opc == 0xf5) {          /* CMC */
            ir_xor(b, f, f, x86_const(s, CC_C));
        } else if (opc == 0xf8) {   /* CLC */
            ir_op3(b, IR_andc, f, f, x86_const(s, CC_C));
        } else {                    /* STC */
            ir_or(b, f, f, x86_const(s, CC_C));
        }
        x86_gen_set_eflags_cc(s, f);
        return;
    }
}

/* ---- data movement ---- */

static void gen_mov_rm_reg(DisasContext *s, int ot, bool to_reg)
{
    X86Opnd o;
    IRVal t = x86_tmp(s);

    x86_gen_opnd_rm(s, &o);
    if (to_reg) {
        x86_gen_ld_opnd(s, ot, t, &o);
        x86_gen_st_reg(s, ot, s->insn.reg, t);
    } else {
        if (o.is_mem) {
            x86_gen_st(s, ot, x86_reg_val(s, ot, s->insn.reg), o.addr);
        } else {
            x86_gen_ld_reg(s, ot, t, s->insn.reg);
            x86_gen_st_reg(s, ot, o.reg, t);
        }
    }
}

static void gen_movx(DisasContext *s, int sot, bool sign)
{
    X86Opnd o;
    IRVal t = x86_tmp(s);
    int ot = x86_ot_of_size(s->insn.opsize);

    x86_gen_opnd_rm(s, &o);
    if (o.is_mem) {
        x86_gen_ld(s, sot | (sign ? MO_SIGN : 0), t, o.addr);
    } else {
        x86_gen_ld_reg(s, sot, t, o.reg);
        if (sign) {
            x86_gen_ext(s, sot, true, t, t);
        }
    }
    x86_gen_st_reg(s, ot, s->insn.reg, t);
}

static void gen_xchg(DisasContext *s, int ot, X86Opnd *o, int reg)
{
    IRVal t0 = x86_tmp(s), t1 = x86_tmp(s);

    x86_gen_ld_opnd(s, ot, t0, o);
    x86_gen_ld_reg(s, ot, t1, reg);
    x86_gen_st_opnd(s, ot, o, t1);
    x86_gen_st_reg(s, ot, reg, t0);
}

static void gen_moffs(DisasContext *s, int ot, bool load)
{
    int aot = x86_ot_of_size(s->insn.addrsize);
    int seg = s->insn.seg != X86_SEG_NONE ? s->insn.seg : X86_SEG_DS;
    IRVal a = x86_gen_seg_addr(s, seg, x86_const(s, (uint64_t)s->insn.disp & x86_opmask(aot)));
    IRVal t = x86_tmp(s);

    if (load) {
        x86_gen_ld(s, ot, t, a);
        x86_gen_st_reg(s, ot, R_EAX, t);
    } else {
        x86_gen_st(s, ot, x86_reg_val(s, ot, R_EAX), a);
    }
}

static void gen_xlat(DisasContext *s)
{
    int aot = x86_ot_of_size(s->insn.addrsize);
    int seg = s->insn.seg != X86_SEG_NONE ? s->insn.seg : X86_SEG_DS;
    IRVal off = x86_tmp(s), t = x86_tmp(s);

    ir_op2(s->b, IR_ext8u, t, x86_cpu_regs[R_EAX]);
    ir_add(s->b, off, x86_cpu_regs[R_EBX], t);
    x86_gen_ext(s, aot, false, off, off);
    x86_gen_ld(s, MO_8, t, x86_gen_seg_addr(s, seg, off));
    x86_gen_st_reg(s, MO_8, R_EAX, t);
}

static void gen_cbw_cwd(DisasContext *s, bool cwd)
{
    int ot = x86_ot_of_size(s->insn.opsize);
    IRVal t = x86_tmp(s);

    if (!cwd) {
        /* CBW / CWDE / CDQE: extend the lower half of the accumulator */
        x86_gen_ext(s, ot - 1, true, t, x86_cpu_regs[R_EAX]);
        x86_gen_st_reg(s, ot, R_EAX, t);
    } else {
        /* CWD / CDQ / CQO: rDX = the sign of rAX */
        x86_gen_ext(s, ot, true, t, x86_cpu_regs[R_EAX]);
        ir_sar(s->b, t, t, x86_const(s, 63));
        x86_gen_st_reg(s, ot, R_EDX, t);
    }
}

static void gen_bswap(DisasContext *s)
{
    int reg = s->insn.opreg;
    IRVal t = x86_tmp(s);

    switch (s->insn.opsize) {
    case 8:
        ir_op2(s->b, IR_bswap64, x86_cpu_regs[reg], x86_cpu_regs[reg]);
        break;
    case 4:
        ir_op2(s->b, IR_bswap32, t, x86_cpu_regs[reg]);
        x86_gen_st_reg(s, MO_32, reg, t);
        break;
    default:
        /* undefined by the SDM; processors clear the low word */
        x86_gen_st_reg(s, MO_16, reg, x86_const(s, 0));
        break;
    }
}

static void gen_movbe(DisasContext *s, bool store)
{
    int ot = x86_ot_of_size(s->insn.opsize);
    static const IROpcode sw[] = { IR_bswap16, IR_bswap16, IR_bswap32, IR_bswap64 };
    IRVal a, t = x86_tmp(s);

    if (!s->has_movbe || s->insn.mod == 3 ||
        (s->insn.prefixes & (X86_PFX_REPZ | X86_PFX_REPNZ))) {
        x86_gen_illegal(s);
        return;
    }
    a = x86_gen_modrm_addr(s);
    if (store) {
        x86_gen_ld_reg(s, ot, t, s->insn.reg);
        ir_op2(s->b, sw[ot], t, t);
        x86_gen_st(s, ot, t, a);
    } else {
        x86_gen_ld(s, ot, t, a);
        ir_op2(s->b, sw[ot], t, t);
        x86_gen_st_reg(s, ot, s->insn.reg, t);
    }
}

static void gen_cmov(DisasContext *s, int jcc)
{
    int ot = x86_ot_of_size(s->insn.opsize);
    X86Opnd o;
    IRVal src = x86_tmp(s), old = x86_tmp(s), r = x86_tmp(s);
    X86CC c;

    x86_gen_opnd_rm(s, &o);
    x86_gen_ld_opnd(s, ot, src, &o);
    x86_gen_ld_reg(s, ot, old, s->insn.reg);
    c = x86_gen_prepare_cc(s, jcc);
    ir_movcond(s->b, c.cond, r, c.a, c.b, src, old);
    /* written even when false: a 32-bit destination is zero-extended */
    x86_gen_st_reg(s, ot, s->insn.reg, r);
}

/* ---- dispatch ---- */

static bool disas_alu_1b(DisasContext *s, unsigned op)
{
    const X86Insn *in = &s->insn;
    int ot = x86_ot_of_size(in->opsize);
    X86Opnd o;
    IRVal t;

    if (op < 0x40 && (op & 7) < 6) {
        int aop = (op >> 3) & 7;
        if ((op & 1) == 0) {
            ot = MO_8;
        }
        switch (op & 7) {
        case 0:
        case 1:
            if (in->mod == 3 && in->rm == in->reg && (aop == OP_XOR || aop == OP_SUB)) {
                /* xor r,r / sub r,r: zero with known flags */
                x86_set_cc_op(s, CC_OP_CLR);
                x86_gen_st_reg(s, ot, in->rm, x86_const(s, 0));
                return true;
            }
            x86_gen_opnd_rm(s, &o);
            t = x86_tmp(s);
            x86_gen_ld_reg(s, ot, t, in->reg);
            x86_gen_alu(s, aop, ot, &o, t);
            return true;
        case 2:
        case 3: {
            X86Opnd src;
            if (in->mod == 3 && in->rm == in->reg && (aop == OP_XOR || aop == OP_SUB)) {
                x86_set_cc_op(s, CC_OP_CLR);
                x86_gen_st_reg(s, ot, in->reg, x86_const(s, 0));
                return true;
            }
            x86_gen_opnd_rm(s, &src);
            t = x86_tmp(s);
            x86_gen_ld_opnd(s, ot, t, &src);
            o.is_mem = false;
            o.reg = in->reg;
            o.addr = IR_NONE;
            x86_gen_alu(s, aop, ot, &o, t);
            return true;
        }
        default:
            o.is_mem = false;
            o.reg = R_EAX;
            o.addr = IR_NONE;
            x86_gen_alu(s, aop, ot, &o, x86_const(s, x86_imm_s(s) & x86_opmask(ot)));
            return true;
        }
    }
    switch (op) {
    case 0x27: case 0x2f: case 0x37: case 0x3f: case 0xd4: case 0xd5:
        x86_gen_bcd(s, op);
        return true;
    case 0x40 ... 0x4f: /* INC/DEC r (REX prefixes in 64-bit mode) */
        if (s->code64) {
            x86_gen_illegal(s);
            return true;
        }
        o.is_mem = false;
        o.reg = op & 7;
        o.addr = IR_NONE;
        x86_gen_incdec(s, ot, &o, op >= 0x48);
        return true;
    case 0x63: /* MOVSXD (64-bit mode; ARPL elsewhere is in translate-system.c) */
        if (!s->code64) {
            return false;
        }
        x86_gen_opnd_rm(s, &o);
        t = x86_tmp(s);
        if (ot == MO_64) {
            if (o.is_mem) {
                x86_gen_ld(s, MO_SL, t, o.addr);
            } else {
                ir_op2(s->b, IR_ext32s, t, x86_cpu_regs[o.reg]);
            }
        } else {
            x86_gen_ld_opnd(s, ot, t, &o);
        }
        x86_gen_st_reg(s, ot, in->reg, t);
        return true;
    case 0x69: /* IMUL Gv, Ev, Iz */
    case 0x6b: /* IMUL Gv, Ev, Ib */
        x86_gen_opnd_rm(s, &o);
        x86_gen_imul3(s, ot, in->reg, &o, x86_const(s, x86_imm_s(s) & x86_opmask(ot)));
        return true;
    case 0x80: case 0x81: case 0x82: case 0x83:
        if (op == 0x82 && s->code64) {
            x86_gen_illegal(s);
            return true;
        }
        if (op != 0x81 && op != 0x83) {
            ot = MO_8;
        }
        x86_gen_opnd_rm(s, &o);
        x86_gen_alu(s, in->reg & 7, ot, &o, x86_const(s, x86_imm_s(s) & x86_opmask(ot)));
        return true;
    case 0x84: case 0x85:
        if (op == 0x84) {
            ot = MO_8;
        }
        x86_gen_opnd_rm(s, &o);
        gen_test(s, ot, &o, x86_reg_val(s, ot, in->reg));
        return true;
    case 0x86: case 0x87:
        if (op == 0x86) {
            ot = MO_8;
        }
        x86_gen_opnd_rm(s, &o);
        gen_xchg(s, ot, &o, in->reg);
        return true;
    case 0x88: case 0x89: case 0x8a: case 0x8b:
        gen_mov_rm_reg(s, (op & 1) ? ot : MO_8, (op & 2) != 0);
        return true;
    case 0x8d: /* LEA */
        if (in->mod == 3 || !in->has_mem) {
            x86_gen_illegal(s);
            return true;
        }
        x86_gen_st_reg(s, ot, in->reg, x86_gen_lea(s));
        return true;
    case 0x90 ... 0x97:
        if (in->opreg == R_EAX) {
            /* NOP (xchg eax, eax does not clear the upper half); F3 90 is PAUSE */
            if (in->prefixes & X86_PFX_REPZ) {
                ir_call(s->b, IR_NONE, helper_pause, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
            }
            return true;
        }
        o.is_mem = false;
        o.reg = in->opreg;
        o.addr = IR_NONE;
        gen_xchg(s, ot, &o, R_EAX);
        return true;
    case 0x98:
        gen_cbw_cwd(s, false);
        return true;
    case 0x99:
        gen_cbw_cwd(s, true);
        return true;
    case 0x9e: case 0x9f: case 0xf5: case 0xf8: case 0xf9: case 0xfc: case 0xfd:
        gen_flag_op(s, op);
        return true;
    case 0xd6:
        if (s->code64) {
            x86_gen_illegal(s);
            return true;
        }
        gen_flag_op(s, op);
        return true;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3:
        gen_moffs(s, (op & 1) ? ot : MO_8, (op & 2) == 0);
        return true;
    case 0xa8: case 0xa9:
        if (op == 0xa8) {
            ot = MO_8;
        }
        o.is_mem = false;
        o.reg = R_EAX;
        o.addr = IR_NONE;
        gen_test(s, ot, &o, x86_const(s, x86_imm_s(s) & x86_opmask(ot)));
        return true;
    case 0xb0 ... 0xb7:
        x86_gen_st_reg(s, MO_8, in->opreg, x86_const(s, x86_imm_u(s) & 0xff));
        return true;
    case 0xb8 ... 0xbf:
        x86_gen_st_reg(s, ot, in->opreg, x86_const(s, x86_imm_s(s) & x86_opmask(ot)));
        return true;
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
        if ((op & 1) == 0) {
            ot = MO_8;
        }
        x86_gen_opnd_rm(s, &o);
        if (op <= 0xc1) {
            x86_gen_shift(s, in->reg & 7, ot, &o, IR_NONE, (int)(x86_imm_u(s) & 0xff));
        } else if (op <= 0xd1) {
            x86_gen_shift(s, in->reg & 7, ot, &o, IR_NONE, 1);
        } else {
            x86_gen_shift(s, in->reg & 7, ot, &o, x86_cpu_regs[R_ECX], 0);
        }
        return true;
    case 0xc6: case 0xc7:
        if ((in->reg & 7) != 0) {
            x86_gen_illegal(s);     /* XABORT/XBEGIN (no RTM) */
            return true;
        }
        if (op == 0xc6) {
            ot = MO_8;
        }
        x86_gen_opnd_rm(s, &o);
        x86_gen_st_opnd(s, ot, &o, x86_const(s, x86_imm_s(s) & x86_opmask(ot)));
        return true;
    case 0xd7:
        gen_xlat(s);
        return true;
    case 0xf6: case 0xf7:
        x86_gen_grp3(s, op == 0xf6 ? MO_8 : ot);
        return true;
    case 0xfe:
        if ((in->reg & 7) > 1) {
            x86_gen_illegal(s);
            return true;
        }
        x86_gen_opnd_rm(s, &o);
        x86_gen_incdec(s, MO_8, &o, (in->reg & 7) == 1);
        return true;
    case 0xff:
        if ((in->reg & 7) > 1) {
            return false;
        }
        x86_gen_opnd_rm(s, &o);
        x86_gen_incdec(s, ot, &o, (in->reg & 7) == 1);
        return true;
    default:
        return false;
    }
}

static bool disas_alu_0f(DisasContext *s, unsigned op)
{
    const X86Insn *in = &s->insn;
    int ot = x86_ot_of_size(in->opsize);
    bool rep = (in->prefixes & X86_PFX_REPZ) != 0;
    X86Opnd o;
    IRVal t;

    switch (op) {
    case 0x40 ... 0x4f:
        gen_cmov(s, op & 15);
        return true;
    case 0x90 ... 0x9f:
        x86_gen_opnd_rm(s, &o);
        t = x86_tmp(s);
        x86_gen_setcc(s, op & 15, t);
        x86_gen_st_opnd(s, MO_8, &o, t);
        return true;
    case 0xa3: case 0xab: case 0xb3: case 0xbb:
        x86_gen_opnd_rm(s, &o);
        t = x86_tmp(s);
        x86_gen_ld_reg(s, ot, t, in->reg);
        x86_gen_bt(s, (op >> 3) & 3, ot, &o, t, false);
        return true;
    case 0xba:
        if ((in->reg & 7) < 4) {
            x86_gen_illegal(s);
            return true;
        }
        x86_gen_opnd_rm(s, &o);
        x86_gen_bt(s, in->reg & 3, ot, &o, x86_const(s, x86_imm_u(s) & 0xff), true);
        return true;
    case 0xa4: case 0xa5: case 0xac: case 0xad:
        x86_gen_opnd_rm(s, &o);
        if (op & 1) {
            x86_gen_shiftd(s, ot, &o, in->reg, x86_cpu_regs[R_ECX], 0, op >= 0xac);
        } else {
            x86_gen_shiftd(s, ot, &o, in->reg, IR_NONE, (int)(x86_imm_u(s) & 0xff), op >= 0xac);
        }
        return true;
    case 0xaf:
        x86_gen_opnd_rm(s, &o);
        x86_gen_imul3(s, ot, in->reg, &o, IR_NONE);
        return true;
    case 0xb0: case 0xb1:
        x86_gen_cmpxchg(s, op == 0xb0 ? MO_8 : ot);
        return true;
    case 0xb6: case 0xb7: case 0xbe: case 0xbf:
        gen_movx(s, (op & 1) ? MO_16 : MO_8, op >= 0xbe);
        return true;
    case 0xb8:
        if (!rep || !s->has_popcnt) {
            x86_gen_illegal(s);
            return true;
        }
        x86_gen_popcnt(s, ot);
        return true;
    case 0xbc:
        x86_gen_bsf_bsr(s, ot, false, rep && s->has_bmi1);
        return true;
    case 0xbd:
        x86_gen_bsf_bsr(s, ot, true, rep && s->has_lzcnt);
        return true;
    case 0xc0: case 0xc1:
        x86_gen_xadd(s, op == 0xc0 ? MO_8 : ot);
        return true;
    case 0xc7:
        if ((in->reg & 7) == 1 && in->mod != 3) {
            gen_cmpxchg8b(s);
            return true;
        }
        return false;
    case 0xc8 ... 0xcf:
        gen_bswap(s);
        return true;
    default:
        return false;
    }
}

bool x86_disas_alu(DisasContext *s)
{
    unsigned opc = s->insn.opc;

    switch (opc & 0xf00) {
    case X86_MAP_1B:
        return disas_alu_1b(s, opc & 0xff);
    case X86_MAP_0F:
        return disas_alu_0f(s, opc & 0xff);
    case X86_MAP_0F38:
        if ((opc & 0xff) == 0xf0 || (opc & 0xff) == 0xf1) {
            gen_movbe(s, (opc & 0xff) == 0xf1);
            return true;
        }
        return false;
    default:
        return false;
    }
}

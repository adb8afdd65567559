/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate-fpu.c — the x87 escape opcodes D8-DF, FWAIT, and the state
 * instructions of the 0F AE and 0F 01 groups (FXSAVE FXRSTOR LDMXCSR STMXCSR XSAVE XRSTOR
 * XSAVEOPT CLWB, XGETBV XSETBV) to IR.
 *
 * Models (Intel SDM vol. 2, the instruction pages; vol. 3 2.5 and table 2-2 for CR0.EM/TS/MP):
 * the decoding of every x87 form (memory operands of each size, register forms, the aliases
 * FCOM2/FCOMP3/FCOMP5/FXCH4/FXCH7/FSTP1/FSTP8/FSTP9 and FFREEP, the 8087/287 no-ops FNENI
 * FNDISI FNSETPM); #NM for every escape opcode while CR0.EM or CR0.TS is set and for FWAIT
 * while CR0.MP and CR0.TS are; #NM/#UD for the state instructions (CR0.EM/TS, CR4.OSFXSR,
 * CPUID); the segment checks of the memory operands. The work is done by the helpers of
 * fpu_helper.c and fpu_state.c: one call per instruction, memory operands of up to 8 bytes
 * loaded here (m80 and BCD in two loads), stores done by the helper after the conversion.
 * FISTTP is #UD unless CPUID reports SSE3, XSAVEOPT unless CPUID.(0DH,1).EAX[0].
 * Not modelled: PTWRITE (F3 0F AE /4: #UD), XSAVEC/XSAVES/XRSTORS (#UD: their CPUID bits
 * are 0).
 */
#include "cpu/x86/translate.h"

static void call3(DisasContext *s, IRHelper fn, IRVal a0, IRVal a1, IRVal a2)
{
    ir_call(s->b, IR_NONE, fn, 0, a0, a1, a2, IR_NONE);
}

static IRVal cst(DisasContext *s, uint64_t v)
{
    return x86_const(s, v);
}

static bool cpuid_bit(DisasContext *s, uint32_t leaf, uint32_t sub, int reg, int bit)
{
    uint32_t r[4];

    if (leaf > s->env->cpuid_level) {
        return false;
    }
    x86_cpuid(s->env, leaf, sub, &r[0], &r[1], &r[2], &r[3]);
    return (r[reg] >> bit) & 1;
}

/* ---- memory operands ---- */

static const uint8_t fm_size[] = {
    [X86_FM_F32] = 4, [X86_FM_F64] = 8, [X86_FM_F80] = 10, [X86_FM_I16] = 2,
    [X86_FM_I32] = 4, [X86_FM_I64] = 8, [X86_FM_BCD] = 10,
};

static int fm_memop(unsigned kind)
{
    return x86_ot_of_size(fm_size[kind]);
}

/* The memory operand of format kind: bits in lo (bytes 0-7) and, for m80/BCD, hi. */
static void gen_ld_fm(DisasContext *s, unsigned kind, IRVal *lo, IRVal *hi)
{
    IRVal a = x86_gen_modrm_addr(s);

    *lo = x86_tmp(s);
    *hi = cst(s, 0);
    if (fm_size[kind] == 10) {
        IRVal a2 = x86_tmp(s);

        *hi = x86_tmp(s);
        ir_add(s->b, a2, a, cst(s, 8));
        if (!s->code64) {
            ir_op2(s->b, IR_ext32u, a2, a2);
        }
        x86_gen_seg_check(s, a, 10, false);
        ir_guest_ld(s->b, *lo, a, MO_64, s->mem_idx);
        ir_guest_ld(s->b, *hi, a2, MO_16, s->mem_idx);
    } else {
        x86_gen_ld(s, fm_memop(kind), *lo, a);
    }
}

static void gen_fld_mem(DisasContext *s, unsigned kind)
{
    IRVal lo, hi;

    gen_ld_fm(s, kind, &lo, &hi);
    call3(s, helper_fld_mem, lo, hi, cst(s, kind));
}

/* FST FSTP FIST FISTP FISTTP FBSTP to memory (flags: X86_FST_POP, X86_FST_TRUNC) */
static void gen_fst_mem(DisasContext *s, unsigned kind, unsigned flags)
{
    IRVal a = x86_gen_modrm_addr(s);

    x86_gen_seg_check(s, a, fm_size[kind], true);
    call3(s, helper_fst_mem, a, cst(s, kind | flags), cst(s, s->mem_idx));
}

/* FLDENV FNSTENV FRSTOR FNSAVE: a helper on the whole area */
static void gen_fenv(DisasContext *s, IRHelper fn, bool save, int size16, int size32)
{
    IRVal a = x86_gen_modrm_addr(s);

    x86_gen_seg_check(s, a, s->insn.opsize == 2 ? size16 : size32, save);
    call3(s, fn, a, cst(s, s->insn.opsize), cst(s, s->mem_idx));
}

static void gen_fnstsw(DisasContext *s, bool to_ax)
{
    IRBuilder *b = s->b;
    IRVal t = x86_tmp(s), u = x86_tmp(s);

    ir_ld_env(b, t, offsetof(X86CPU, fpus), MO_16);
    ir_op3(b, IR_andc, t, t, cst(s, 0x3800));
    ir_ld_env(b, u, offsetof(X86CPU, fpstt), MO_32);
    ir_and(b, u, u, cst(s, 7));
    ir_shl(b, u, u, cst(s, 11));
    ir_or(b, t, t, u);
    if (to_ax) {
        x86_gen_st_reg(s, MO_16, R_EAX, t);
    } else {
        x86_gen_st(s, MO_16, t, x86_gen_modrm_addr(s));
    }
}

/* D8 DA DC DE with a memory operand: the arithmetic group on m32fp m32int m64fp m16int */
static void gen_arith_mem(DisasContext *s, unsigned kind, int op)
{
    IRVal lo, hi;

    gen_ld_fm(s, kind, &lo, &hi);
    if (op == X86_FOP_COM || op == X86_FOP_COMP) {
        call3(s, helper_fcom_mem, lo, cst(s, kind), cst(s, op == X86_FOP_COMP ? X86_FC_POP : 0));
    } else {
        call3(s, helper_farith_mem, cst(s, op), lo, cst(s, kind));
    }
}

static void gen_x87_mem(DisasContext *s, unsigned esc, int op)
{
    static const uint8_t arith_kind[4] = { X86_FM_F32, X86_FM_I32, X86_FM_F64, X86_FM_I16 };
    /* the integer formats of DB (m32int), DD (m64int for FISTTP only), DF (m16int) */
    unsigned ikind = esc == 3 ? X86_FM_I32 : esc == 5 ? X86_FM_I64 : X86_FM_I16;
    IRVal t;

    if (!(esc & 1)) {
        gen_arith_mem(s, arith_kind[esc >> 1], op);
        return;
    }
    if (op == 1) {                                  /* FISTTP m32int / m64int / m16int */
        if (!cpuid_bit(s, 1, 0, 2, 0)) {
            x86_gen_illegal(s);
            return;
        }
        gen_fst_mem(s, ikind, X86_FST_POP | X86_FST_TRUNC);
        return;
    }
    switch (esc) {
    case 1:     /* D9 */
        switch (op) {
        case 0:
            gen_fld_mem(s, X86_FM_F32);
            return;
        case 2:
        case 3:
            gen_fst_mem(s, X86_FM_F32, op == 3 ? X86_FST_POP : 0);
            return;
        case 4:
            gen_fenv(s, helper_fldenv, false, 14, 28);
            return;
        case 5:                                     /* FLDCW */
            t = x86_tmp(s);
            x86_gen_ld(s, MO_16, t, x86_gen_modrm_addr(s));
            ir_call(s->b, IR_NONE, helper_fldcw, 0, t, IR_NONE, IR_NONE, IR_NONE);
            return;
        case 6:
            gen_fenv(s, helper_fnstenv, true, 14, 28);
            return;
        case 7:                                     /* FNSTCW */
            t = x86_tmp(s);
            ir_ld_env(s->b, t, offsetof(X86CPU, fpuc), MO_16);
            x86_gen_st(s, MO_16, t, x86_gen_modrm_addr(s));
            return;
        }
        break;
    case 3:     /* DB */
        switch (op) {
        case 0:
            gen_fld_mem(s, X86_FM_I32);
            return;
        case 2:
        case 3:
            gen_fst_mem(s, X86_FM_I32, op == 3 ? X86_FST_POP : 0);
            return;
        case 5:
            gen_fld_mem(s, X86_FM_F80);
            return;
        case 7:
            gen_fst_mem(s, X86_FM_F80, X86_FST_POP);
            return;
        }
        break;
    case 5:     /* DD */
        switch (op) {
        case 0:
            gen_fld_mem(s, X86_FM_F64);
            return;
        case 2:
        case 3:
            gen_fst_mem(s, X86_FM_F64, op == 3 ? X86_FST_POP : 0);
            return;
        case 4:
            gen_fenv(s, helper_frstor, false, 94, 108);
            return;
        case 6:
            gen_fenv(s, helper_fnsave, true, 94, 108);
            return;
        case 7:
            gen_fnstsw(s, false);
            return;
        }
        break;
    default:    /* DF */
        switch (op) {
        case 0:
            gen_fld_mem(s, X86_FM_I16);
            return;
        case 2:
        case 3:
            gen_fst_mem(s, X86_FM_I16, op == 3 ? X86_FST_POP : 0);
            return;
        case 4:
            gen_fld_mem(s, X86_FM_BCD);
            return;
        case 5:
            gen_fld_mem(s, X86_FM_I64);
            return;
        case 6:
            gen_fst_mem(s, X86_FM_BCD, X86_FST_POP);
            return;
        case 7:
            gen_fst_mem(s, X86_FM_I64, X86_FST_POP);
            return;
        }
        break;
    }
    x86_gen_illegal(s);     /* the decoder marks these invalid already */
}

/* ---- register forms ---- */

static void gen_fcom_st(DisasContext *s, int i, unsigned flags)
{
    ir_call(s->b, IR_NONE, helper_fcom, 0, cst(s, i), cst(s, flags), IR_NONE, IR_NONE);
    if (flags & X86_FC_EFLAGS) {
        x86_force_cc_op(s, CC_OP_EFLAGS);
    }
}

static void gen_farith(DisasContext *s, int op, int i, unsigned flags)
{
    call3(s, helper_farith, cst(s, op), cst(s, i), cst(s, flags));
}

static void gen_fcmov(DisasContext *s, int i, int jcc)
{
    IRVal c = x86_tmp(s);

    x86_gen_setcc(s, jcc, c);
    ir_call(s->b, IR_NONE, helper_fcmov, 0, cst(s, i), c, IR_NONE, IR_NONE);
}

static void gen_1(DisasContext *s, IRHelper fn, uint64_t a0)
{
    ir_call(s->b, IR_NONE, fn, 0, cst(s, a0), IR_NONE, IR_NONE, IR_NONE);
}

static void gen_2(DisasContext *s, IRHelper fn, uint64_t a0, uint64_t a1)
{
    ir_call(s->b, IR_NONE, fn, 0, cst(s, a0), cst(s, a1), IR_NONE, IR_NONE);
}

static void gen_x87_reg(DisasContext *s, unsigned esc, int op, int i)
{
    /* FCMOVB FCMOVE FCMOVBE FCMOVU: Jcc numbers B E BE P (DB: their negations) */
    static const uint8_t fcmov_cc[4] = { 2, 4, 6, 10 };
    unsigned modrm = s->insn.modrm;

    switch (esc) {
    case 0:     /* D8: ST0 = ST0 op ST(i) */
        if (op == X86_FOP_COM || op == X86_FOP_COMP) {
            gen_fcom_st(s, i, op == X86_FOP_COMP ? X86_FC_POP : 0);
        } else {
            gen_farith(s, op, i, 0);
        }
        return;
    case 1:     /* D9 */
        switch (op) {
        case 0:
            gen_1(s, helper_fld_st, i);
            return;
        case 1:
            gen_1(s, helper_fxch, i);
            return;
        case 2:                                     /* FNOP (a waiting instruction) */
            gen_1(s, helper_fwait, 0);
            return;
        case 3:                                     /* FSTP1 */
            gen_2(s, helper_fst_st, i, 1);
            return;
        default:                                    /* E0-FF */
            gen_1(s, helper_fop, modrm);
            return;
        }
    case 2:     /* DA */
        if (op < 4) {
            gen_fcmov(s, i, fcmov_cc[op]);
        } else {                                    /* FUCOMPP (DA E9) */
            gen_fcom_st(s, 1, X86_FC_QUIET | X86_FC_POP2);
        }
        return;
    case 3:     /* DB */
        if (op < 4) {
            gen_fcmov(s, i, fcmov_cc[op] + 1);
        } else if (op == 4) {
            if (modrm == 0xe2) {                    /* FNCLEX */
                IRVal t = x86_tmp(s);
                ir_ld_env(s->b, t, offsetof(X86CPU, fpus), MO_16);
                ir_and(s->b, t, t, cst(s, 0x7f00));
                ir_st_env(s->b, t, offsetof(X86CPU, fpus), MO_16);
            } else if (modrm == 0xe3) {             /* FNINIT */
                ir_call(s->b, IR_NONE, helper_fninit, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
            }
            /* E0 E1 E4: FNENI FNDISI FNSETPM, no-ops since the 387 */
        } else {                                    /* FUCOMI, FCOMI */
            gen_fcom_st(s, i, X86_FC_EFLAGS | (op == 5 ? X86_FC_QUIET : 0));
        }
        return;
    case 4:     /* DC: ST(i) = ST(i) op ST0 (SUB/SUBR and DIV/DIVR swap their encodings) */
        if (op == X86_FOP_COM || op == X86_FOP_COMP) {
            gen_fcom_st(s, i, op == X86_FOP_COMP ? X86_FC_POP : 0);
        } else {
            gen_farith(s, op >= 4 ? op ^ 1 : op, i, X86_FA_STI);
        }
        return;
    case 5:     /* DD */
        switch (op) {
        case 0:
            gen_2(s, helper_ffree, i, 0);
            return;
        case 1:
            gen_1(s, helper_fxch, i);
            return;
        case 2:
        case 3:
            gen_2(s, helper_fst_st, i, op == 3);
            return;
        case 4:
        case 5:
            gen_fcom_st(s, i, X86_FC_QUIET | (op == 5 ? X86_FC_POP : 0));
            return;
        }
        break;
    case 6:     /* DE: as DC, then pop */
        if (op == X86_FOP_COM) {                    /* FCOMP5 */
            gen_fcom_st(s, i, X86_FC_POP);
        } else if (op == X86_FOP_COMP) {            /* FCOMPP (DE D9) */
            gen_fcom_st(s, 1, X86_FC_POP2);
        } else {
            gen_farith(s, op >= 4 ? op ^ 1 : op, i, X86_FA_STI | X86_FA_POP);
        }
        return;
    default:    /* DF */
        switch (op) {
        case 0:
            gen_2(s, helper_ffree, i, 1);
            return;
        case 1:
            gen_1(s, helper_fxch, i);
            return;
        case 2:
        case 3:
            gen_2(s, helper_fst_st, i, 1);
            return;
        case 4:
            gen_fnstsw(s, true);
            return;
        case 5:
        case 6:
            gen_fcom_st(s, i, X86_FC_EFLAGS | X86_FC_POP | (op == 5 ? X86_FC_QUIET : 0));
            return;
        }
        break;
    }
    x86_gen_illegal(s);     /* the decoder marks these invalid already */
}

void x86_gen_fpu(DisasContext *s)
{
    unsigned esc = s->insn.opc & 7;
    int op = (s->insn.modrm >> 3) & 7;      /* x87 ignores REX.R and REX.B */

    if (s->flags & (HF_EM_MASK | HF_TS_MASK)) {
        x86_gen_exception(s, EXCP07_PREX, -1);
        return;
    }
    if (s->insn.mod != 3) {
        gen_x87_mem(s, esc, op);
    } else {
        gen_x87_reg(s, esc, op, s->insn.modrm & 7);
    }
}

void x86_gen_fwait(DisasContext *s)
{
    if ((s->flags & (HF_MP_MASK | HF_TS_MASK)) == (HF_MP_MASK | HF_TS_MASK)) {
        x86_gen_exception(s, EXCP07_PREX, -1);
        return;
    }
    ir_call(s->b, IR_NONE, helper_fwait, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

/* ---- 0F AE with a memory operand, /0 to /6 ---- */

static void gen_state_area(DisasContext *s, IRHelper fn, int size, bool write)
{
    IRVal a = x86_gen_modrm_addr(s);

    x86_gen_seg_check(s, a, size, write);
    call3(s, fn, a, cst(s, (s->insn.rex >> 3) & 1), cst(s, s->mem_idx));
}

void x86_gen_fpu_state(DisasContext *s)
{
    unsigned mnem = s->insn.mnem;
    IRVal t;

    if (mnem == X86_M_CLWB) {
        (void)x86_gen_modrm_addr(s);        /* no caches to write back */
        return;
    }
    if (s->insn.prefixes & (X86_PFX_OPSZ | X86_PFX_REPZ | X86_PFX_REPNZ)) {
        x86_gen_illegal(s);
        return;
    }
    switch (mnem) {
    case X86_M_FXSAVE:
    case X86_M_FXRSTOR:
        if (!cpuid_bit(s, 1, 0, 3, 24)) {
            x86_gen_illegal(s);
        } else if (s->flags & (HF_EM_MASK | HF_TS_MASK)) {
            x86_gen_exception(s, EXCP07_PREX, -1);
        } else if (mnem == X86_M_FXSAVE) {
            gen_state_area(s, helper_fxsave, 512, true);
        } else {
            gen_state_area(s, helper_fxrstor, 512, false);
        }
        return;
    case X86_M_LDMXCSR:
    case X86_M_STMXCSR:
        if ((s->flags & HF_EM_MASK) || !(s->flags & HF_OSFXSR_MASK)) {
            x86_gen_illegal(s);
        } else if (s->flags & HF_TS_MASK) {
            x86_gen_exception(s, EXCP07_PREX, -1);
        } else if (mnem == X86_M_LDMXCSR) {
            t = x86_tmp(s);
            x86_gen_ld(s, MO_32, t, x86_gen_modrm_addr(s));
            ir_call(s->b, IR_NONE, helper_ldmxcsr, 0, t, IR_NONE, IR_NONE, IR_NONE);
        } else {
            t = x86_tmp(s);
            ir_ld_env(s->b, t, offsetof(X86CPU, mxcsr), MO_32);
            x86_gen_st(s, MO_32, t, x86_gen_modrm_addr(s));
        }
        return;
    case X86_M_XSAVE:
    case X86_M_XSAVEOPT:
    case X86_M_XRSTOR:
        /* CR4.OSXSAVE and CR0.TS are checked by the helper (#UD before #NM) */
        if (!cpuid_bit(s, 1, 0, 2, 26) ||
            (mnem == X86_M_XSAVEOPT && !cpuid_bit(s, 0xd, 1, 0, 0))) {
            x86_gen_illegal(s);
        } else if (mnem == X86_M_XRSTOR) {
            gen_state_area(s, helper_xrstor, X86_XSAVE_SIZE, false);
        } else {
            gen_state_area(s, helper_xsave, X86_XSAVE_SIZE, true);
        }
        return;
    default:
        x86_log_unimp(s, "unimplemented");
        x86_gen_illegal(s);
        return;
    }
}

/* 0F 01 D0 / D1 */
void x86_gen_xcr(DisasContext *s, bool set)
{
    if (!cpuid_bit(s, 1, 0, 2, 26)) {
        x86_gen_illegal(s);
        return;
    }
    ir_call(s->b, IR_NONE, set ? helper_xsetbv : helper_xgetbv, 0, IR_NONE, IR_NONE, IR_NONE,
            IR_NONE);
}

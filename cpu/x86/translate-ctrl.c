/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate-ctrl.c — x86 near control transfers and the stack to IR (Intel SDM
 * vol. 2): Jcc, JMP/CALL/RET near (relative and indirect), LOOP/LOOPE/LOOPNE/JCXZ..JRCXZ,
 * PUSH/POP (registers, immediates, memory), PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE, BOUND.
 *
 * Direct branches to the block's own page chain with goto_tb (slot 0 taken, 1 not taken);
 * everything else stores eip and leaves through the CPU loop. Near branches in 64-bit mode
 * use a 64-bit operand size whatever the 66 prefix says (Intel behaviour). While CS is not
 * flat (HF_SEGCHK) targets are checked against its limit before any register or memory
 * changes, and in 64-bit mode for canonical form (#GP(0) at the branch, x86_gen_check_eip).
 */
#include "cpu/x86/translate.h"

static int branch_ot(DisasContext *s)
{
    return s->code64 ? MO_64 : s->insn.opsize == 4 ? MO_32 : MO_16;
}

static uint64_t rel_target(DisasContext *s)
{
    return x86_mask_eip(s, branch_ot(s), s->pc + x86_imm_s(s));
}

/* Raise an exception on one path only (the block goes on after the label that follows). */
static void gen_exception_here(DisasContext *s, int vector, int err)
{
    ir_call(s->b, IR_NONE, helper_raise_exception, 0, x86_const(s, vector),
            x86_const(s, (uint64_t)(int64_t)err), IR_NONE, IR_NONE);
    ir_exit_tb(s->b, IR_EXIT_NOCHAIN);
}

static void gen_jcc(DisasContext *s, int jcc, uint64_t target)
{
    IRLabel taken = ir_new_label(s->b);

    x86_gen_brcond_cc(s, jcc, taken);
    x86_gen_jmp_tb(s, s->pc, 1);
    ir_set_label(s->b, taken);
    x86_gen_jmp_tb(s, target, 0);
    s->is_jmp = DISAS_NORETURN;
}

static void gen_loop(DisasContext *s, unsigned op)
{
    IRBuilder *b = s->b;
    IRLabel taken = ir_new_label(b), not_taken = ir_new_label(b);
    uint64_t target = rel_target(s);
    IRVal cnt, old_ecx = IR_NONE;

    if (op != 0xe3 && ((s->segchk >> X86_SEG_CS) & 1)) {
        /* a target beyond the CS limit faults with ECX as it was */
        old_ecx = x86_tmp(s);
        ir_mov(b, old_ecx, x86_cpu_regs[R_ECX]);
    }
    if (op == 0xe3) {
        cnt = x86_addr_reg(s, R_ECX);
        ir_brcond(b, IR_COND_EQ, cnt, x86_const(s, 0), taken);
    } else {
        x86_gen_add_addr_reg(s, R_ECX, x86_const(s, (uint64_t)-1));
        cnt = x86_addr_reg(s, R_ECX);
        if (op == 0xe2) {
            ir_brcond(b, IR_COND_NE, cnt, x86_const(s, 0), taken);
        } else {
            ir_brcond(b, IR_COND_EQ, cnt, x86_const(s, 0), not_taken);
            /* LOOPE (E1) goes on while ZF = 1, LOOPNE (E0) while ZF = 0 */
            x86_gen_brcond_cc(s, op == 0xe1 ? 4 : 5, taken);
        }
    }
    ir_set_label(b, not_taken);
    x86_gen_jmp_tb(s, s->pc, 1);
    ir_set_label(b, taken);
    if (old_ecx != IR_NONE) {
        x86_gen_check_eip(s, x86_const(s, target), X86_EIPCHK_BRANCH | X86_EIPCHK_ECX,
                          old_ecx);
        s->eip_checked = true;
    }
    x86_gen_jmp_tb(s, target, 0);
    s->is_jmp = DISAS_NORETURN;
}

static void gen_pop_reg(DisasContext *s, int reg)
{
    int ot = x86_stack_ot(s);
    IRVal t = x86_tmp(s), nsp;

    nsp = x86_gen_pop_ld(s, ot, t);
    x86_gen_set_sp(s, nsp);
    x86_gen_st_reg(s, ot, reg, t);     /* POP rSP: the popped value wins */
}

static void gen_pop_ev(DisasContext *s)
{
    int ot = x86_stack_ot(s);
    IRVal t = x86_tmp(s), nsp;

    nsp = x86_gen_pop_ld(s, ot, t);
    if (s->insn.mod == 3) {
        x86_gen_set_sp(s, nsp);
        x86_gen_st_reg(s, ot, s->insn.rm, t);
        return;
    }
    /* an rSP-based destination address uses rSP after the pop */
    s->rsp_adjust = 1 << ot;
    x86_gen_st(s, ot, t, x86_gen_modrm_addr(s));
    s->rsp_adjust = 0;
    x86_gen_set_sp(s, nsp);
}

/* Address of stack slot rSP + delta (at the stack address width) */
static IRVal stack_slot(DisasContext *s, int64_t delta)
{
    int spot = x86_sp_ot(s);
    IRVal t = x86_tmp(s);

    ir_add(s->b, t, x86_cpu_regs[R_ESP], x86_const(s, (uint64_t)delta));
    x86_gen_ext(s, spot, false, t, t);
    return x86_gen_stack_addr(s, t);
}

static void gen_pusha(DisasContext *s)
{
    int ot = s->insn.opsize == 4 ? MO_32 : MO_16;
    int sz = 1 << ot;
    IRVal nsp = x86_tmp(s);
    int i;

    /* order pushed: AX CX DX BX SP(original) BP SI DI */
    for (i = 0; i < 8; i++) {
        IRVal v = x86_tmp(s);
        x86_gen_ld_reg(s, ot, v, i);
        x86_gen_st(s, ot, v, stack_slot(s, -(int64_t)sz * (i + 1)));
    }
    ir_sub(s->b, nsp, x86_cpu_regs[R_ESP], x86_const(s, 8 * sz));
    x86_gen_set_sp(s, nsp);
}

static void gen_popa(DisasContext *s)
{
    int ot = s->insn.opsize == 4 ? MO_32 : MO_16;
    int sz = 1 << ot;
    IRVal v[8], nsp = x86_tmp(s);
    int i;

    /* the stack holds DI SI BP (SP) BX DX CX AX from the top; SP is skipped */
    for (i = 0; i < 8; i++) {
        int reg = 7 - i;
        if (reg == R_ESP) {
            continue;
        }
        v[reg] = x86_tmp(s);
        x86_gen_ld(s, ot, v[reg], stack_slot(s, (int64_t)sz * i));
    }
    ir_add(s->b, nsp, x86_cpu_regs[R_ESP], x86_const(s, 8 * sz));
    x86_gen_set_sp(s, nsp);
    for (i = 0; i < 8; i++) {
        if (i != R_ESP) {
            x86_gen_st_reg(s, ot, i, v[i]);
        }
    }
}

static void gen_enter(DisasContext *s)
{
    IRBuilder *b = s->b;
    int ot = x86_stack_ot(s);
    int spot = x86_sp_ot(s);
    int sz = 1 << ot;
    uint64_t size = (uint64_t)s->insn.imm & 0xffff;
    int level = (int)(s->insn.imm2 & 31);
    IRVal sp1 = x86_tmp(s), a = x86_tmp(s), bp = x86_tmp(s), nsp = x86_tmp(s);

    x86_gen_ld_reg(s, ot, bp, R_EBP);
    ir_sub(b, sp1, x86_cpu_regs[R_ESP], x86_const(s, sz));
    x86_gen_ext(s, spot, false, a, sp1);
    x86_gen_st(s, ot, bp, x86_gen_stack_addr(s, a));
    if (level > 0) {
        /* copies level-1 frame pointers from [rBP] downwards, then pushes the frame
         * pointer (sp1), below sp1 */
        ir_call(b, IR_NONE, helper_enter_level, 0, x86_const(s, level), x86_const(s, ot), sp1,
                x86_const(s, s->mem_idx));
    }
    ir_sub(b, nsp, sp1, x86_const(s, (uint64_t)level * sz + size));
    x86_gen_st_reg(s, ot, R_EBP, sp1);
    x86_gen_set_sp(s, nsp);
}

static void gen_leave(DisasContext *s)
{
    int ot = x86_stack_ot(s);
    int spot = x86_sp_ot(s);
    IRVal bp = x86_reg_val(s, spot, R_EBP), t = x86_tmp(s), nsp = x86_tmp(s);

    x86_gen_ld(s, ot, t, x86_gen_stack_addr(s, bp));
    ir_add(s->b, nsp, bp, x86_const(s, 1u << ot));
    x86_gen_set_sp(s, nsp);
    x86_gen_st_reg(s, ot, R_EBP, t);
}

static void gen_bound(DisasContext *s)
{
    IRBuilder *b = s->b;
    int ot = s->insn.opsize == 4 ? MO_32 : MO_16;
    IRVal a, a2 = x86_tmp(s), lo = x86_tmp(s), hi = x86_tmp(s), idx = x86_tmp(s);
    IRLabel fail = ir_new_label(b), ok = ir_new_label(b);

    if (s->code64 || s->insn.mod == 3) {
        x86_gen_illegal(s);
        return;
    }
    a = x86_gen_modrm_addr(s);
    x86_gen_seg_check(s, a, 2 << ot, false);    /* both bounds (a2 is not tracked) */
    ir_add(b, a2, a, x86_const(s, 1u << ot));
    ir_op2(b, IR_ext32u, a2, a2);
    ir_guest_ld(b, lo, a, ot | MO_SIGN, s->mem_idx);
    ir_guest_ld(b, hi, a2, ot | MO_SIGN, s->mem_idx);
    x86_gen_ld_reg(s, ot, idx, s->insn.reg);
    x86_gen_ext(s, ot, true, idx, idx);
    ir_brcond(b, IR_COND_LT, idx, lo, fail);
    ir_brcond(b, IR_COND_GT, idx, hi, fail);
    ir_br(b, ok);
    ir_set_label(b, fail);
    gen_exception_here(s, EXCP05_BOUND, -1);
    ir_set_label(b, ok);
}

static void gen_pushf(DisasContext *s)
{
    IRVal t = x86_tmp(s);

    if (s->vm86 && s->iopl != 3) {
        x86_gen_exception(s, EXCP0D_GPF, 0);
        return;
    }
    ir_call(s->b, t, helper_read_eflags, IR_CALL_NO_WRITE_GLOBALS | IR_CALL_NO_SIDE_EFFECTS,
            IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    x86_gen_push(s, x86_stack_ot(s), t);
}

static void gen_popf(DisasContext *s)
{
    int ot = x86_stack_ot(s);
    IRVal t = x86_tmp(s), nsp;

    if (s->vm86 && s->iopl != 3) {
        x86_gen_exception(s, EXCP0D_GPF, 0);
        return;
    }
    nsp = x86_gen_pop_ld(s, ot, t);
    ir_call(s->b, IR_NONE, helper_popf, 0, t, x86_const(s, ot), IR_NONE, IR_NONE);
    x86_force_cc_op(s, CC_OP_EFLAGS);
    x86_gen_set_sp(s, nsp);
    /* IF, TF, IOPL, AC may have changed */
    s->is_jmp = DISAS_EOB_NEXT;
}

static void gen_ret(DisasContext *s, uint64_t extra)
{
    int ot = branch_ot(s);
    IRVal t = x86_tmp(s), nsp;

    nsp = x86_gen_pop_ld(s, ot, t);
    x86_gen_check_eip(s, t, X86_EIPCHK_BRANCH, IR_NONE);
    if (extra) {
        ir_add(s->b, nsp, nsp, x86_const(s, extra));
    }
    x86_gen_set_sp(s, nsp);
    x86_gen_jmp_reg(s, t);
}

static bool disas_ctrl_1b(DisasContext *s, unsigned op)
{
    const X86Insn *in = &s->insn;
    X86Opnd o;
    IRVal t;
    int ot;

    switch (op) {
    case 0x50 ... 0x57:
        ot = x86_stack_ot(s);
        t = x86_tmp(s);
        x86_gen_ld_reg(s, ot, t, in->opreg);
        x86_gen_push(s, ot, t);
        return true;
    case 0x58 ... 0x5f:
        gen_pop_reg(s, in->opreg);
        return true;
    case 0x60:
    case 0x61:
        if (s->code64) {
            x86_gen_illegal(s);
        } else if (op == 0x60) {
            gen_pusha(s);
        } else {
            gen_popa(s);
        }
        return true;
    case 0x62:
        gen_bound(s);
        return true;
    case 0x68:
    case 0x6a:
        ot = x86_stack_ot(s);
        x86_gen_push(s, ot, x86_const(s, x86_imm_s(s) & x86_opmask(ot)));
        return true;
    case 0x70 ... 0x7f:
        gen_jcc(s, op & 15, rel_target(s));
        return true;
    case 0x8f:
        if ((in->reg & 7) != 0) {
            x86_gen_illegal(s);     /* XOP */
            return true;
        }
        gen_pop_ev(s);
        return true;
    case 0x9c:
        gen_pushf(s);
        return true;
    case 0x9d:
        gen_popf(s);
        return true;
    case 0xc2:
        gen_ret(s, x86_imm_u(s) & 0xffff);
        return true;
    case 0xc3:
        gen_ret(s, 0);
        return true;
    case 0xc8:
        gen_enter(s);
        return true;
    case 0xc9:
        gen_leave(s);
        return true;
    case 0xe0 ... 0xe3:
        gen_loop(s, op);
        return true;
    case 0xe8: {
        uint64_t target = rel_target(s);
        ot = branch_ot(s);
        x86_gen_check_eip(s, x86_const(s, target), X86_EIPCHK_BRANCH, IR_NONE);
        s->eip_checked = true;
        x86_gen_push(s, ot, x86_const(s, s->pc & x86_opmask(ot)));
        x86_gen_jmp_tb(s, target, 0);
        return true;
    }
    case 0xe9:
    case 0xeb:
        x86_gen_jmp_tb(s, rel_target(s), 0);
        return true;
    case 0xff:
        switch (in->reg & 7) {
        case 2: /* CALL near indirect */
            ot = branch_ot(s);
            t = x86_tmp(s);
            x86_gen_opnd_rm(s, &o);
            x86_gen_ld_opnd(s, ot, t, &o);
            x86_gen_check_eip(s, t, X86_EIPCHK_BRANCH, IR_NONE);
            x86_gen_push(s, ot, x86_const(s, s->pc & x86_opmask(ot)));
            x86_gen_jmp_reg(s, t);
            return true;
        case 4: /* JMP near indirect */
            ot = branch_ot(s);
            t = x86_tmp(s);
            x86_gen_opnd_rm(s, &o);
            x86_gen_ld_opnd(s, ot, t, &o);
            x86_gen_check_eip(s, t, X86_EIPCHK_BRANCH, IR_NONE);
            x86_gen_jmp_reg(s, t);
            return true;
        case 6: /* PUSH Ev */
            ot = x86_stack_ot(s);
            t = x86_tmp(s);
            x86_gen_opnd_rm(s, &o);
            x86_gen_ld_opnd(s, ot, t, &o);
            x86_gen_push(s, ot, t);
            return true;
        case 7:
            x86_gen_illegal(s);
            return true;
        default:
            return false;
        }
    default:
        return false;
    }
}

bool x86_disas_ctrl(DisasContext *s)
{
    unsigned opc = s->insn.opc;

    if ((opc & 0xf00) == X86_MAP_1B) {
        return disas_ctrl_1b(s, opc & 0xff);
    }
    if ((opc & 0xf00) == X86_MAP_0F && (opc & 0xf0) == 0x80) {
        gen_jcc(s, opc & 15, rel_target(s));
        return true;
    }
    return false;
}

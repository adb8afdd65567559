/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate-string.c — x86 string instructions and port I/O to IR (Intel SDM
 * vol. 2; vol. 1 ch. 19 for I/O protection): MOVS CMPS STOS LODS SCAS INS OUTS at every
 * size with REP/REPE/REPNE, and IN/OUT with immediate and DX ports.
 *
 * The address size selects SI/DI/CX (16, 32 or 64 bits); DF (env->df = +1/-1) the
 * direction. A REP instruction is a loop inside the block: every iteration updates the
 * registers, so a fault in the middle restarts it precisely (eip stays on the instruction),
 * and the loop leaves the block with eip on the instruction when an exit is requested, so
 * interrupts are taken between iterations (with RF set in the image they push). Under
 * single-step (TF) one iteration runs per execution. With data breakpoints (HF_DBP) the
 * loop traps after the iteration that matched one. Port I/O ends the block so that device
 * effects are seen at once.
 */
#include "cpu/x86/translate.h"

enum { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };

void x86_gen_io_check(DisasContext *s, IRVal port, int size)
{
    if (s->pe && (s->cpl > s->iopl || s->vm86)) {
        ir_call(s->b, IR_NONE, helper_check_io, 0, port, x86_const(s, size), IR_NONE, IR_NONE);
    }
}

static int src_seg(DisasContext *s)
{
    return s->insn.seg != X86_SEG_NONE ? s->insn.seg : X86_SEG_DS;
}

static void gen_cmp_flags(DisasContext *s, int ot, IRVal a, IRVal b)
{
    IRVal r = x86_tmp(s);

    ir_sub(s->b, r, a, b);
    x86_gen_ext(s, ot, false, r, r);
    ir_mov(s->b, s->cc_srcT, a);
    ir_mov(s->b, x86_cpu_cc_src, b);
    ir_mov(s->b, x86_cpu_cc_dst, r);
    x86_set_cc_op(s, CC_OP_SUBB + ot);
}

/* One iteration of a string instruction. */
static void gen_string_iter(DisasContext *s, int kind, int ot, IRVal port)
{
    IRBuilder *b = s->b;
    IRVal step = x86_tmp(s), v = x86_tmp(s), w;

    ir_shl(b, step, x86_cpu_df, x86_const(s, ot));
    switch (kind) {
    case STR_MOVS:
        x86_gen_ld(s, ot, v, x86_gen_seg_addr(s, src_seg(s), x86_addr_reg(s, R_ESI)));
        x86_gen_st(s, ot, v, x86_gen_seg_addr(s, X86_SEG_ES, x86_addr_reg(s, R_EDI)));
        x86_gen_add_addr_reg(s, R_ESI, step);
        x86_gen_add_addr_reg(s, R_EDI, step);
        break;
    case STR_CMPS:
        w = x86_tmp(s);
        x86_gen_ld(s, ot, v, x86_gen_seg_addr(s, src_seg(s), x86_addr_reg(s, R_ESI)));
        x86_gen_ld(s, ot, w, x86_gen_seg_addr(s, X86_SEG_ES, x86_addr_reg(s, R_EDI)));
        gen_cmp_flags(s, ot, v, w);
        x86_gen_add_addr_reg(s, R_ESI, step);
        x86_gen_add_addr_reg(s, R_EDI, step);
        break;
    case STR_STOS:
        x86_gen_st(s, ot, x86_reg_val(s, ot, R_EAX),
                   x86_gen_seg_addr(s, X86_SEG_ES, x86_addr_reg(s, R_EDI)));
        x86_gen_add_addr_reg(s, R_EDI, step);
        break;
    case STR_LODS:
        x86_gen_ld(s, ot, v, x86_gen_seg_addr(s, src_seg(s), x86_addr_reg(s, R_ESI)));
        x86_gen_st_reg(s, ot, R_EAX, v);
        x86_gen_add_addr_reg(s, R_ESI, step);
        break;
    case STR_SCAS:
        w = x86_tmp(s);
        x86_gen_ld_reg(s, ot, v, R_EAX);
        x86_gen_ld(s, ot, w, x86_gen_seg_addr(s, X86_SEG_ES, x86_addr_reg(s, R_EDI)));
        gen_cmp_flags(s, ot, v, w);
        x86_gen_add_addr_reg(s, R_EDI, step);
        break;
    case STR_INS:
        /* the ES check comes before the port read and its side effects */
        w = x86_gen_seg_addr(s, X86_SEG_ES, x86_addr_reg(s, R_EDI));
        x86_gen_seg_check(s, w, 1 << ot, true);
        ir_call(b, v, helper_in, 0, port, x86_const(s, 1u << ot), IR_NONE, IR_NONE);
        ir_guest_st(b, v, w, ot, s->mem_idx);
        x86_gen_add_addr_reg(s, R_EDI, step);
        break;
    case STR_OUTS:
        x86_gen_ld(s, ot, v, x86_gen_seg_addr(s, src_seg(s), x86_addr_reg(s, R_ESI)));
        ir_call(b, IR_NONE, helper_out, 0, port, v, x86_const(s, 1u << ot), IR_NONE);
        x86_gen_add_addr_reg(s, R_ESI, step);
        break;
    }
}

static void gen_string(DisasContext *s, int kind, int ot)
{
    IRBuilder *b = s->b;
    bool rep = (s->insn.prefixes & (X86_PFX_REPZ | X86_PFX_REPNZ)) != 0;
    bool cond = kind == STR_CMPS || kind == STR_SCAS;
    bool io = kind == STR_INS || kind == STR_OUTS;
    /* REPE (F3) stops when ZF = 0, REPNE (F2) when ZF = 1: the Jcc numbers of the stop test */
    int stop_jcc = (s->insn.prefixes & X86_PFX_REPNZ) ? 4 : 5;
    IRVal port = IR_NONE, cnt, req;
    IRLabel top, done, leave;

    if (io) {
        port = x86_tmp(s);
        ir_op2(b, IR_ext16u, port, x86_cpu_regs[R_EDX]);
        x86_gen_io_check(s, port, 1 << ot);
    }
    if (!rep) {
        gen_string_iter(s, kind, ot, port);
        if (io) {
            s->is_jmp = DISAS_EOB_NEXT;
        }
        return;
    }
    top = ir_new_label(b);
    done = ir_new_label(b);
    leave = ir_new_label(b);
    if (s->tf || (s->tb->cflags & CF_SINGLE_STEP)) {
        /* one iteration per execution */
        cnt = x86_addr_reg(s, R_ECX);
        ir_brcond(b, IR_COND_EQ, cnt, x86_const(s, 0), done);
        gen_string_iter(s, kind, ot, port);
        x86_gen_add_addr_reg(s, R_ECX, x86_const(s, (uint64_t)-1));
        if (cond) {
            x86_gen_brcond_cc(s, stop_jcc, done);
        }
        cnt = x86_addr_reg(s, R_ECX);
        ir_brcond(b, IR_COND_EQ, cnt, x86_const(s, 0), done);
        /* the trap after an iteration but the last pushes RF = 1 (SDM 18.3.1.1) */
        ir_call(b, IR_NONE, helper_set_rf, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        ir_movi(b, x86_cpu_eip, s->pc_start);
        x86_gen_eob(s);
        ir_set_label(b, done);
        s->cc_op = cond ? CC_OP_DYNAMIC : s->cc_op;
        ir_movi(b, x86_cpu_eip, s->pc);
        x86_gen_eob(s);
        s->is_jmp = DISAS_NORETURN;
        return;
    }
    ir_set_label(b, top);
    cnt = x86_addr_reg(s, R_ECX);
    ir_brcond(b, IR_COND_EQ, cnt, x86_const(s, 0), done);
    gen_string_iter(s, kind, ot, port);
    x86_gen_add_addr_reg(s, R_ECX, x86_const(s, (uint64_t)-1));
    if (cond) {
        x86_gen_brcond_cc(s, stop_jcc, done);
    }
    if (s->dbp) {
        /* a data breakpoint traps after the iteration that matched: on the instruction
         * itself while iterations remain (the last one traps after it, at `done`) */
        IRLabel none = ir_new_label(b);
        IRVal t = x86_tmp(s);

        ir_ld_env(b, t, offsetof(X86CPU, dbg_pending), MO_32);
        ir_brcond(b, IR_COND_EQ, t, x86_const(s, 0), none);
        cnt = x86_addr_reg(s, R_ECX);
        ir_brcond(b, IR_COND_EQ, cnt, x86_const(s, 0), done);
        ir_call(b, IR_NONE, helper_bpt_trap_rep, 0, x86_const(s, s->pc_start), IR_NONE,
                IR_NONE, IR_NONE);
        ir_set_label(b, none);
    }
    req = x86_tmp(s);
    ir_ld_env(b, req, offsetof(X86CPU, exit_request), MO_32);
    ir_brcond(b, IR_COND_NE, req, x86_const(s, 0), leave);
    ir_br(b, top);
    ir_set_label(b, leave);
    /* an exit was requested: resume this instruction later; an interrupt taken now
     * pushes RF = 1 (SDM 18.3.1.1) */
    ir_call(b, IR_NONE, helper_set_rf, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    ir_movi(b, x86_cpu_eip, s->pc_start);
    x86_gen_eob(s);
    s->is_jmp = DISAS_NEXT;
    ir_set_label(b, done);
    if (cond) {
        s->cc_op = CC_OP_DYNAMIC;
    }
    if (io) {
        s->is_jmp = DISAS_EOB_NEXT;
    }
}

static void gen_in_out(DisasContext *s, unsigned op)
{
    IRBuilder *b = s->b;
    int ot = (op & 1) == 0 ? MO_8 : s->insn.opsize == 2 ? MO_16 : MO_32;
    IRVal port, v;

    if (op & 8) {
        port = x86_tmp(s);
        ir_op2(b, IR_ext16u, port, x86_cpu_regs[R_EDX]);
    } else {
        port = x86_const(s, x86_imm_u(s) & 0xff);
    }
    x86_gen_io_check(s, port, 1 << ot);
    if (op & 2) {
        ir_call(b, IR_NONE, helper_out, 0, port, x86_reg_val(s, ot, R_EAX),
                x86_const(s, 1u << ot), IR_NONE);
    } else {
        v = x86_tmp(s);
        ir_call(b, v, helper_in, 0, port, x86_const(s, 1u << ot), IR_NONE, IR_NONE);
        x86_gen_st_reg(s, ot, R_EAX, v);
    }
    s->is_jmp = DISAS_EOB_NEXT;
}

bool x86_disas_string(DisasContext *s)
{
    unsigned opc = s->insn.opc;
    unsigned op = opc & 0xff;
    int ot = (op & 1) == 0 ? MO_8 : x86_ot_of_size(s->insn.opsize);

    if ((opc & 0xf00) != X86_MAP_1B) {
        return false;
    }
    switch (op) {
    case 0xa4: case 0xa5:
        gen_string(s, STR_MOVS, ot);
        return true;
    case 0xa6: case 0xa7:
        gen_string(s, STR_CMPS, ot);
        return true;
    case 0xaa: case 0xab:
        gen_string(s, STR_STOS, ot);
        return true;
    case 0xac: case 0xad:
        gen_string(s, STR_LODS, ot);
        return true;
    case 0xae: case 0xaf:
        gen_string(s, STR_SCAS, ot);
        return true;
    case 0x6c: case 0x6d:
        gen_string(s, STR_INS, (op & 1) == 0 ? MO_8 : s->insn.opsize == 2 ? MO_16 : MO_32);
        return true;
    case 0x6e: case 0x6f:
        gen_string(s, STR_OUTS, (op & 1) == 0 ? MO_8 : s->insn.opsize == 2 ? MO_16 : MO_32);
        return true;
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
    case 0xec: case 0xed: case 0xee: case 0xef:
        gen_in_out(s, op);
        return true;
    default:
        return false;
    }
}

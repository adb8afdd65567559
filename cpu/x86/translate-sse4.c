/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate-sse4.c — the special forms of the 0F 38 and 0F 3A maps (SSE4.1, SSE4.2;
 * Intel SDM vol. 2) to IR: PTEST, MOVNTDQA, the element extracts and inserts (PEXTRB/W/D/Q,
 * EXTRACTPS, PINSRB/D/Q, INSERTPS), the string compares PCMPESTRI/PCMPESTRM/PCMPISTRI/
 * PCMPISTRM, and CRC32. The table-driven forms of these maps are in translate-sse.c, the
 * helpers in sse_helper.c. Element moves are inline IR; the rest are helper calls.
 */
#include "cpu/x86/translate-sse.h"

/* 0F 38 17: PTEST xmm, xmm/m128 -> ZF CF */
static void gen_ptest(DisasContext *s, SseCtx *c)
{
    ptrdiff_t src = sse_src_xmm(s, c, 16, false);
    IRVal r = x86_tmp(s);

    ir_call(s->b, r, helper_ptest, SSE_CALL_PURE, x86_const(s, (uint64_t)sse_xmm_off(s->insn.reg)),
            x86_const(s, (uint64_t)src), IR_NONE, IR_NONE);
    x86_gen_set_eflags_cc(s, r);
}

void sse_gen_0f38(DisasContext *s, SseCtx *c)
{
    switch (c->op) {
    case 0x17:
        gen_ptest(s, c);
        break;
    case 0x2a: /* MOVNTDQA xmm, m128 (aligned) */
        sse_gen_ld_env(s, c, sse_xmm_off(s->insn.reg), 16, true);
        break;
    default:
        x86_log_unimp(s, "unimplemented SSE");
        x86_gen_illegal(s);
        break;
    }
}

/* 0F 3A 14-17: PEXTRB/PEXTRW/PEXTRD/PEXTRQ/EXTRACTPS r/m, xmm, imm8 (a register destination
 * is zero-extended) */
static void gen_pextr(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    unsigned imm = (unsigned)x86_imm_u(s);
    int ot;
    IRVal t = x86_tmp(s);

    switch (c->op) {
    case 0x14:
        ot = MO_8;
        break;
    case 0x15:
        ot = MO_16;
        break;
    case 0x16:
        ot = (in->rex & 8) ? MO_64 : MO_32;
        break;
    default:
        ot = MO_32;
        break;
    }
    imm &= (16u >> ot) - 1;
    ir_ld_env(s->b, t, sse_xmm_off(in->reg) + (ptrdiff_t)(imm << ot), (unsigned)ot);
    if (c->mem) {
        x86_gen_st(s, ot, t, sse_addr(s, c));
    } else {
        x86_gen_st_reg(s, ot == MO_64 ? MO_64 : MO_32, in->rm, t);
    }
}

/* 0F 3A 20/22: PINSRB xmm, r32/m8, imm8; PINSRD/PINSRQ xmm, r/m32/64, imm8 */
static void gen_pinsr(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    unsigned imm = (unsigned)x86_imm_u(s);
    int ot = c->op == 0x20 ? MO_8 : (in->rex & 8) ? MO_64 : MO_32;
    IRVal t = x86_tmp(s);

    if (c->mem) {
        x86_gen_ld(s, ot, t, sse_addr(s, c));
    } else {
        /* the low byte of r32 (never AH..BH) */
        x86_gen_ld_reg(s, ot == MO_8 ? MO_32 : ot, t, in->rm);
    }
    imm &= (16u >> ot) - 1;
    ir_st_env(s->b, t, sse_xmm_off(in->reg) + (ptrdiff_t)(imm << ot), (unsigned)ot);
}

/* 0F 3A 21: INSERTPS xmm, xmm/m32, imm8 */
static void gen_insertps(DisasContext *s, SseCtx *c)
{
    ptrdiff_t src = sse_src_xmm(s, c, 4, false);

    sse_gen_call(s, helper_insertps, SSE_CALL_VEC, sse_xmm_off(s->insn.reg), src,
                 x86_imm_u(s) & 0xff, c->mem);
}

/* 0F 3A 60-63: PCMPESTRM PCMPESTRI PCMPISTRM PCMPISTRI xmm1, xmm2/m128 (unaligned), imm8 */
static void gen_pcmpstr(DisasContext *s, SseCtx *c)
{
    static IRHelper const fns[4] = {
        helper_pcmpestrm, helper_pcmpestri, helper_pcmpistrm, helper_pcmpistri,
    };
    ptrdiff_t src = sse_src_xmm(s, c, 16, true);
    IRVal r = x86_tmp(s);

    /* the explicit forms read RAX and RDX */
    ir_call(s->b, r, fns[c->op - 0x60], IR_CALL_NO_WRITE_GLOBALS,
            x86_const(s, (uint64_t)sse_xmm_off(s->insn.reg)), x86_const(s, (uint64_t)src),
            x86_const(s, x86_imm_u(s) & 0xff), x86_const(s, (s->insn.rex & 8) ? 1 : 0));
    if (c->op & 1) {
        IRVal f = x86_tmp(s);

        ir_shr(s->b, f, r, x86_const(s, 32));
        x86_gen_st_reg(s, MO_32, R_ECX, r);
        x86_gen_set_eflags_cc(s, f);
    } else {
        x86_gen_set_eflags_cc(s, r);
    }
}

void sse_gen_0f3a(DisasContext *s, SseCtx *c)
{
    switch (c->op) {
    case 0x14: case 0x15: case 0x16: case 0x17:
        gen_pextr(s, c);
        break;
    case 0x20: case 0x22:
        gen_pinsr(s, c);
        break;
    case 0x21:
        gen_insertps(s, c);
        break;
    case 0x60: case 0x61: case 0x62: case 0x63:
        gen_pcmpstr(s, c);
        break;
    default:
        x86_log_unimp(s, "unimplemented SSE");
        x86_gen_illegal(s);
        break;
    }
}

/* F2 0F 38 F0/F1: CRC32 r32/64, r/m8/16/32/64 (CRC-32C; the upper half of a 64-bit
 * destination is zeroed) */
void sse_gen_crc32(DisasContext *s)
{
    const X86Insn *in = &s->insn;
    int size = (in->opc & 0xff) == 0xf0 ? 1 : in->opsize;
    X86Opnd o;
    IRVal data = x86_tmp(s), crc = x86_tmp(s), r = x86_tmp(s);

    if (!sse_has_feature(s, FEAT_SSE42)) {
        x86_gen_illegal(s);
        return;
    }
    x86_gen_opnd_rm(s, &o);
    x86_gen_ld_opnd(s, x86_ot_of_size(size), data, &o);
    x86_gen_ld_reg(s, MO_32, crc, in->reg);
    ir_call(s->b, r, helper_crc32, SSE_CALL_PURE, crc, data, x86_const(s, (uint64_t)size),
            IR_NONE);
    x86_gen_st_reg(s, (in->rex & 8) ? MO_64 : MO_32, in->reg, r);
}

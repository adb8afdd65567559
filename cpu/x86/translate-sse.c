/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate-sse.c — MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 to IR (Intel
 * SDM vol. 2 instruction pages; vol. 1 ch. 9-12 for the state and its exceptions). This
 * file holds the dispatch tables of the three opcode maps, the operand utilities, and the
 * 0F map's moves, conversions, shifts, masks and MMX state changes; translate-sse4.c the
 * special forms of the 0F 38 and 0F 3A maps; sse_helper.c and sse_fp_helper.c the helpers.
 *
 * Speed: moves, the logical ops (PAND PANDN POR PXOR and the PS/PD forms), PADD/PSUB of
 * every element size, PCMPEQB/W/D, PMOVMSKB, MOVMSKPS/PD, the quadword and byte shifts by
 * an immediate, MASKMOV*, PINSRW/PEXTRW and the element inserts and extracts are IR on the
 * two 64-bit halves of a register (SWAR for the packed byte/word/dword arithmetic); the
 * rest calls a helper with env offsets of its operands, a memory operand first loaded
 * into env->xmm_tmp. The string functions of glibc (PCMPEQB + PMOVMSKB loops) stay inline.
 *
 * Exceptions: SSE forms (any XMM operand) raise #UD while CR0.EM is set or CR4.OSFXSR is
 * clear, then #NM while CR0.TS is set; MMX forms #UD only with CR0.EM. Forms whose CPUID
 * feature bit the CPU model lacks are #UD. Legacy SSE 16-byte memory operands must be
 * 16-byte aligned (#GP(0)) except for MOVUPS/MOVUPD/MOVDQU/LDDQU and PCMPxSTRx; MMX and
 * smaller operands have no alignment requirement (EFLAGS.AC is not modelled).
 * MMX instructions make every x87 register valid (tag word 0) with TOP = 0 and set the
 * exponent of the MMX register they write to all ones; EMMS empties the tag word.
 * MOVNTI and CRC32 are general-purpose instructions: no CR0/CR4 checks.
 * Not modelled: #MF for an x87 exception pending at an MMX instruction; non-temporal
 * hints (plain accesses; PREFETCH* stay NOPs in translate-system.c); a 16-byte access
 * that crosses a page is two 8-byte accesses (a fault on the second leaves the first
 * stored); VEX/AVX (the decoder does not accept VEX).
 */
#include "cpu/x86/translate-sse.h"

/* Table entry kinds */
enum {
    E_NONE,     /* not an instruction of this table (#UD, or another translator's) */
    E_BIN,      /* d = fn(d, s [, imm]) */
    E_INL,      /* inline IR on 64-bit halves (inl: IN_*) */
    E_SPEC,     /* handled by the map's special translator */
};
/* Which registers the form uses (for the CR0/CR4 checks and the MMX state) */
enum { RG_XMM, RG_MMX, RG_MIX };
#define EF_FP   1   /* the helper may raise #XM */
#define EF_UNAL 2   /* a 16-byte memory operand may be misaligned */
#define EF_IMM  4   /* the instruction has an imm8 */

/* Inline ops */
enum {
    IN_AND, IN_ANDN, IN_OR, IN_XOR,
    IN_ADDB, IN_ADDW, IN_ADDD, IN_ADDQ,
    IN_SUBB, IN_SUBW, IN_SUBD, IN_SUBQ,
    IN_EQB, IN_EQW, IN_EQD,
};

typedef struct SseEnt {
    IRHelper fn;
    uint8_t kind;       /* E_* */
    uint8_t arg;        /* E_BIN: bytes of a memory source (0: the whole register); E_INL: IN_* */
    uint8_t feat;       /* FEAT_* */
    uint8_t regs;       /* RG_* */
    uint8_t fl;         /* EF_* */
} SseEnt;

#define NO              { NULL, E_NONE, 0, 0, 0, 0 }
#define X_(fn, ft)      { helper_##fn, E_BIN, 0, FEAT_##ft, RG_XMM, 0 }
#define XS(fn, n, ft)   { helper_##fn, E_BIN, n, FEAT_##ft, RG_XMM, 0 }
#define XF(fn, ft)      { helper_##fn, E_BIN, 0, FEAT_##ft, RG_XMM, EF_FP }
#define XFS(fn, n, ft)  { helper_##fn, E_BIN, n, FEAT_##ft, RG_XMM, EF_FP }
#define M_(fn, ft)      { helper_##fn, E_BIN, 0, FEAT_##ft, RG_MMX, 0 }
#define MS(fn, n, ft)   { helper_##fn, E_BIN, n, FEAT_##ft, RG_MMX, 0 }
#define IX(op, ft)      { NULL, E_INL, IN_##op, FEAT_##ft, RG_XMM, 0 }
#define IM(op, ft)      { NULL, E_INL, IN_##op, FEAT_##ft, RG_MMX, 0 }
#define SX(ft)          { NULL, E_SPEC, 0, FEAT_##ft, RG_XMM, 0 }
#define SM(ft)          { NULL, E_SPEC, 0, FEAT_##ft, RG_MMX, 0 }
#define SMX(ft)         { NULL, E_SPEC, 0, FEAT_##ft, RG_MIX, 0 }
#define SXU(ft)         { NULL, E_SPEC, 0, FEAT_##ft, RG_XMM, EF_UNAL }
/* MMX form (feature mft) and SSE2 form */
#define INT2(fn, mft)   { M_(fn, mft), X_(fn, SSE2), NO, NO }
#define INL2(op, mft)   { IM(op, mft), IX(op, SSE2), NO, NO }
/* PS PD SS SD */
#define FP4(p)          { XF(p##ps, SSE), XF(p##pd, SSE2), XFS(p##ss, 4, SSE), XFS(p##sd, 8, SSE2) }
/* 66-only SSE4 forms */
#define X66(fn, ft)     { NO, X_(fn, ft), NO, NO }
#define X66S(fn, n, ft) { NO, XS(fn, n, ft), NO, NO }
#define X66F(fn, ft)    { NO, XF(fn, ft), NO, NO }

/* The 0F map, by opcode and mandatory prefix (none, 66, F3, F2) */
static const SseEnt sse_0f[256][4] = {
    [0x10] = { SXU(SSE), SXU(SSE2), SX(SSE), SX(SSE2) },
    [0x11] = { SXU(SSE), SXU(SSE2), SX(SSE), SX(SSE2) },
    [0x12] = { SX(SSE), SX(SSE2), X_(movsldup, SSE3), XS(movddup, 8, SSE3) },
    [0x13] = { SX(SSE), SX(SSE2), NO, NO },
    [0x14] = { X_(punpckldq, SSE), X_(punpcklqdq, SSE2), NO, NO },
    [0x15] = { X_(punpckhdq, SSE), X_(punpckhqdq, SSE2), NO, NO },
    [0x16] = { SX(SSE), SX(SSE2), X_(movshdup, SSE3), NO },
    [0x17] = { SX(SSE), SX(SSE2), NO, NO },
    [0x28] = { SX(SSE), SX(SSE2), NO, NO },
    [0x29] = { SX(SSE), SX(SSE2), NO, NO },
    [0x2a] = { SMX(SSE), SMX(SSE2), SX(SSE), SX(SSE2) },
    [0x2b] = { SX(SSE), SX(SSE2), NO, NO },
    [0x2c] = { SMX(SSE), SMX(SSE2), SX(SSE), SX(SSE2) },
    [0x2d] = { SMX(SSE), SMX(SSE2), SX(SSE), SX(SSE2) },
    [0x2e] = { SX(SSE), SX(SSE2), NO, NO },
    [0x2f] = { SX(SSE), SX(SSE2), NO, NO },
    [0x50] = { SX(SSE), SX(SSE2), NO, NO },
    [0x51] = FP4(sqrt),
    [0x52] = { XF(rsqrtps, SSE), NO, XFS(rsqrtss, 4, SSE), NO },
    [0x53] = { XF(rcpps, SSE), NO, XFS(rcpss, 4, SSE), NO },
    [0x54] = { IX(AND, SSE), IX(AND, SSE2), NO, NO },
    [0x55] = { IX(ANDN, SSE), IX(ANDN, SSE2), NO, NO },
    [0x56] = { IX(OR, SSE), IX(OR, SSE2), NO, NO },
    [0x57] = { IX(XOR, SSE), IX(XOR, SSE2), NO, NO },
    [0x58] = FP4(add),
    [0x59] = FP4(mul),
    [0x5a] = { XFS(cvtps2pd, 8, SSE2), XF(cvtpd2ps, SSE2), XFS(cvtss2sd, 4, SSE2),
               XFS(cvtsd2ss, 8, SSE2) },
    [0x5b] = { XF(cvtdq2ps, SSE2), XF(cvtps2dq, SSE2), XF(cvttps2dq, SSE2), NO },
    [0x5c] = FP4(sub),
    [0x5d] = FP4(min),
    [0x5e] = FP4(div),
    [0x5f] = FP4(max),
    [0x60] = { MS(punpcklbw, 4, MMX), X_(punpcklbw, SSE2), NO, NO },
    [0x61] = { MS(punpcklwd, 4, MMX), X_(punpcklwd, SSE2), NO, NO },
    [0x62] = { MS(punpckldq, 4, MMX), X_(punpckldq, SSE2), NO, NO },
    [0x63] = INT2(packsswb, MMX),
    [0x64] = INT2(pcmpgtb, MMX),
    [0x65] = INT2(pcmpgtw, MMX),
    [0x66] = INT2(pcmpgtd, MMX),
    [0x67] = INT2(packuswb, MMX),
    [0x68] = INT2(punpckhbw, MMX),
    [0x69] = INT2(punpckhwd, MMX),
    [0x6a] = INT2(punpckhdq, MMX),
    [0x6b] = INT2(packssdw, MMX),
    [0x6c] = X66(punpcklqdq, SSE2),
    [0x6d] = X66(punpckhqdq, SSE2),
    [0x6e] = { SM(MMX), SX(SSE2), NO, NO },
    [0x6f] = { SM(MMX), SX(SSE2), SXU(SSE2), NO },
    [0x70] = { M_(pshufw, SSE), X_(pshufd, SSE2), X_(pshufhw, SSE2), X_(pshuflw, SSE2) },
    [0x71] = { SM(MMX), SX(SSE2), NO, NO },
    [0x72] = { SM(MMX), SX(SSE2), NO, NO },
    [0x73] = { SM(MMX), SX(SSE2), NO, NO },
    [0x74] = INL2(EQB, MMX),
    [0x75] = INL2(EQW, MMX),
    [0x76] = INL2(EQD, MMX),
    [0x77] = { SM(MMX), SM(MMX), SM(MMX), SM(MMX) },
    [0x7c] = { NO, XF(haddpd, SSE3), NO, XF(haddps, SSE3) },
    [0x7d] = { NO, XF(hsubpd, SSE3), NO, XF(hsubps, SSE3) },
    [0x7e] = { SM(MMX), SX(SSE2), SX(SSE2), NO },
    [0x7f] = { SM(MMX), SX(SSE2), SXU(SSE2), NO },
    [0xc2] = { XF(cmpps, SSE), XF(cmppd, SSE2), XFS(cmpss, 4, SSE), XFS(cmpsd, 8, SSE2) },
    [0xc4] = { SM(SSE), SX(SSE2), NO, NO },
    [0xc5] = { SM(SSE), SX(SSE2), NO, NO },
    [0xc6] = { X_(shufps, SSE), X_(shufpd, SSE2), NO, NO },
    [0xd0] = { NO, XF(addsubpd, SSE3), NO, XF(addsubps, SSE3) },
    [0xd1] = { SM(MMX), SX(SSE2), NO, NO },
    [0xd2] = { SM(MMX), SX(SSE2), NO, NO },
    [0xd3] = { SM(MMX), SX(SSE2), NO, NO },
    [0xd4] = INL2(ADDQ, SSE2),
    [0xd5] = INT2(pmullw, MMX),
    [0xd6] = { NO, SX(SSE2), SMX(SSE2), SMX(SSE2) },
    [0xd7] = { SM(SSE), SX(SSE2), NO, NO },
    [0xd8] = INT2(psubusb, MMX),
    [0xd9] = INT2(psubusw, MMX),
    [0xda] = INT2(pminub, SSE),
    [0xdb] = INL2(AND, MMX),
    [0xdc] = INT2(paddusb, MMX),
    [0xdd] = INT2(paddusw, MMX),
    [0xde] = INT2(pmaxub, SSE),
    [0xdf] = INL2(ANDN, MMX),
    [0xe0] = INT2(pavgb, SSE),
    [0xe1] = { SM(MMX), SX(SSE2), NO, NO },
    [0xe2] = { SM(MMX), SX(SSE2), NO, NO },
    [0xe3] = INT2(pavgw, SSE),
    [0xe4] = INT2(pmulhuw, SSE),
    [0xe5] = INT2(pmulhw, MMX),
    [0xe6] = { NO, XF(cvttpd2dq, SSE2), XS(cvtdq2pd, 8, SSE2), XF(cvtpd2dq, SSE2) },
    [0xe7] = { SM(SSE), SX(SSE2), NO, NO },
    [0xe8] = INT2(psubsb, MMX),
    [0xe9] = INT2(psubsw, MMX),
    [0xea] = INT2(pminsw, SSE),
    [0xeb] = INL2(OR, MMX),
    [0xec] = INT2(paddsb, MMX),
    [0xed] = INT2(paddsw, MMX),
    [0xee] = INT2(pmaxsw, SSE),
    [0xef] = INL2(XOR, MMX),
    [0xf0] = { NO, NO, NO, SXU(SSE3) },
    [0xf1] = { SM(MMX), SX(SSE2), NO, NO },
    [0xf2] = { SM(MMX), SX(SSE2), NO, NO },
    [0xf3] = { SM(MMX), SX(SSE2), NO, NO },
    [0xf4] = INT2(pmuludq, SSE2),
    [0xf5] = INT2(pmaddwd, MMX),
    [0xf6] = INT2(psadbw, SSE),
    [0xf7] = { SM(SSE), SX(SSE2), NO, NO },
    [0xf8] = INL2(SUBB, MMX),
    [0xf9] = INL2(SUBW, MMX),
    [0xfa] = INL2(SUBD, MMX),
    [0xfb] = INL2(SUBQ, SSE2),
    [0xfc] = INL2(ADDB, MMX),
    [0xfd] = INL2(ADDW, MMX),
    [0xfe] = INL2(ADDD, MMX),
};

/* The 0F 38 map */
static const SseEnt sse_0f38[256][4] = {
    [0x00] = INT2(pshufb, SSSE3),
    [0x01] = INT2(phaddw, SSSE3),
    [0x02] = INT2(phaddd, SSSE3),
    [0x03] = INT2(phaddsw, SSSE3),
    [0x04] = INT2(pmaddubsw, SSSE3),
    [0x05] = INT2(phsubw, SSSE3),
    [0x06] = INT2(phsubd, SSSE3),
    [0x07] = INT2(phsubsw, SSSE3),
    [0x08] = INT2(psignb, SSSE3),
    [0x09] = INT2(psignw, SSSE3),
    [0x0a] = INT2(psignd, SSSE3),
    [0x0b] = INT2(pmulhrsw, SSSE3),
    [0x10] = X66(pblendvb, SSE41),
    [0x14] = X66(blendvps, SSE41),
    [0x15] = X66(blendvpd, SSE41),
    [0x17] = { NO, SX(SSE41), NO, NO },
    [0x1c] = INT2(pabsb, SSSE3),
    [0x1d] = INT2(pabsw, SSSE3),
    [0x1e] = INT2(pabsd, SSSE3),
    [0x20] = X66S(pmovsxbw, 8, SSE41),
    [0x21] = X66S(pmovsxbd, 4, SSE41),
    [0x22] = X66S(pmovsxbq, 2, SSE41),
    [0x23] = X66S(pmovsxwd, 8, SSE41),
    [0x24] = X66S(pmovsxwq, 4, SSE41),
    [0x25] = X66S(pmovsxdq, 8, SSE41),
    [0x28] = X66(pmuldq, SSE41),
    [0x29] = X66(pcmpeqq, SSE41),
    [0x2a] = { NO, SX(SSE41), NO, NO },
    [0x2b] = X66(packusdw, SSE41),
    [0x30] = X66S(pmovzxbw, 8, SSE41),
    [0x31] = X66S(pmovzxbd, 4, SSE41),
    [0x32] = X66S(pmovzxbq, 2, SSE41),
    [0x33] = X66S(pmovzxwd, 8, SSE41),
    [0x34] = X66S(pmovzxwq, 4, SSE41),
    [0x35] = X66S(pmovzxdq, 8, SSE41),
    [0x37] = X66(pcmpgtq, SSE42),
    [0x38] = X66(pminsb, SSE41),
    [0x39] = X66(pminsd, SSE41),
    [0x3a] = X66(pminuw, SSE41),
    [0x3b] = X66(pminud, SSE41),
    [0x3c] = X66(pmaxsb, SSE41),
    [0x3d] = X66(pmaxsd, SSE41),
    [0x3e] = X66(pmaxuw, SSE41),
    [0x3f] = X66(pmaxud, SSE41),
    [0x40] = X66(pmulld, SSE41),
    [0x41] = X66(phminposuw, SSE41),
};

/* The 0F 3A map (every form has an imm8) */
static const SseEnt sse_0f3a[256][4] = {
    [0x08] = X66F(roundps, SSE41),
    [0x09] = X66F(roundpd, SSE41),
    [0x0a] = { NO, XFS(roundss, 4, SSE41), NO, NO },
    [0x0b] = { NO, XFS(roundsd, 8, SSE41), NO, NO },
    [0x0c] = X66(blendps, SSE41),
    [0x0d] = X66(blendpd, SSE41),
    [0x0e] = X66(pblendw, SSE41),
    [0x0f] = INT2(palignr, SSSE3),
    [0x14] = { NO, SX(SSE41), NO, NO },
    [0x15] = { NO, SX(SSE41), NO, NO },
    [0x16] = { NO, SX(SSE41), NO, NO },
    [0x17] = { NO, SX(SSE41), NO, NO },
    [0x20] = { NO, SX(SSE41), NO, NO },
    [0x21] = { NO, SX(SSE41), NO, NO },
    [0x22] = { NO, SX(SSE41), NO, NO },
    [0x40] = X66F(dpps, SSE41),
    [0x41] = X66F(dppd, SSE41),
    [0x42] = X66(mpsadbw, SSE41),
    [0x60] = { NO, SXU(SSE42), NO, NO },
    [0x61] = { NO, SXU(SSE42), NO, NO },
    [0x62] = { NO, SXU(SSE42), NO, NO },
    [0x63] = { NO, SXU(SSE42), NO, NO },
};

/* ---- operand utilities ---- */

IRVal sse_addr(DisasContext *s, SseCtx *c)
{
    if (!c->addr_done) {
        c->addr = x86_gen_modrm_addr(s);
        c->addr_done = true;
    }
    return c->addr;
}

IRVal sse_addr_plus(DisasContext *s, IRVal a, int k)
{
    IRVal t = x86_tmp(s);

    ir_add(s->b, t, a, x86_const(s, (uint64_t)k));
    if (!s->code64) {
        ir_op2(s->b, IR_ext32u, t, t);
    }
    return t;
}

static void gen_align16(DisasContext *s, IRVal a)
{
    IRLabel ok = ir_new_label(s->b);

    ir_brcond(s->b, IR_COND_TSTEQ, a, x86_const(s, 15), ok);
    ir_call(s->b, IR_NONE, helper_raise_exception, 0, x86_const(s, EXCP0D_GPF), x86_const(s, 0),
            IR_NONE, IR_NONE);
    ir_set_label(s->b, ok);
}

/* The checks of an access of n bytes at the memory operand, before any of its side effects */
static IRVal gen_access(DisasContext *s, SseCtx *c, unsigned n, bool write, bool aligned)
{
    IRVal a = sse_addr(s, c);

    if (s->nsegaddr) {
        x86_gen_seg_check(s, a, (int)n, write);
    }
    if (aligned && n == 16) {
        gen_align16(s, a);
    }
    return a;
}

/* Loads the memory operand (8 or 16 bytes) into temps v[0], v[1] */
static void gen_ld_halves(DisasContext *s, SseCtx *c, unsigned n, bool aligned, IRVal *v)
{
    IRVal a = gen_access(s, c, n, false, aligned);

    v[0] = x86_tmp(s);
    ir_guest_ld(s->b, v[0], a, MO_64, s->mem_idx);
    if (n == 16) {
        v[1] = x86_tmp(s);
        ir_guest_ld(s->b, v[1], sse_addr_plus(s, a, 8), MO_64, s->mem_idx);
    }
}

void sse_gen_ld_env(DisasContext *s, SseCtx *c, ptrdiff_t off, unsigned n, bool aligned)
{
    IRVal v[2];

    if (n >= 8) {
        gen_ld_halves(s, c, n, aligned, v);
        ir_st_env(s->b, v[0], off, MO_64);
        if (n == 16) {
            ir_st_env(s->b, v[1], off + 8, MO_64);
        }
    } else {
        IRVal a = gen_access(s, c, n, false, false), t = x86_tmp(s);
        unsigned mo = (unsigned)x86_ot_of_size((int)n);

        ir_guest_ld(s->b, t, a, mo, s->mem_idx);
        ir_st_env(s->b, t, off, mo);
    }
}

void sse_gen_st_env(DisasContext *s, SseCtx *c, ptrdiff_t off, unsigned n, bool aligned)
{
    IRVal a = gen_access(s, c, n, true, aligned);
    IRVal lo = x86_tmp(s), hi;
    unsigned mo = (unsigned)x86_ot_of_size(n > 8 ? 8 : (int)n);

    ir_ld_env(s->b, lo, off, mo);
    if (n == 16) {
        hi = x86_tmp(s);
        ir_ld_env(s->b, hi, off + 8, MO_64);
        ir_guest_st(s->b, lo, a, MO_64, s->mem_idx);
        ir_guest_st(s->b, hi, sse_addr_plus(s, a, 8), MO_64, s->mem_idx);
    } else {
        ir_guest_st(s->b, lo, a, mo, s->mem_idx);
    }
}

ptrdiff_t sse_src_xmm(DisasContext *s, SseCtx *c, unsigned n, bool unaligned)
{
    if (!c->mem) {
        return sse_xmm_off(s->insn.rm);
    }
    sse_gen_ld_env(s, c, SSE_TMP_OFF, n, !unaligned);
    return SSE_TMP_OFF;
}

/* The env offset of an MMX source: register rm & 7, or n bytes of memory in xmm_tmp */
static ptrdiff_t src_mmx(DisasContext *s, SseCtx *c, unsigned n)
{
    if (!c->mem) {
        return sse_mmx_off(s->insn.rm);
    }
    sse_gen_ld_env(s, c, SSE_TMP_OFF, n, false);
    return SSE_TMP_OFF;
}

void sse_gpr_opnd(DisasContext *s, SseCtx *c, X86Opnd *o)
{
    o->is_mem = c->mem;
    o->reg = c->mem ? -1 : s->insn.rm;
    o->addr = c->mem ? sse_addr(s, c) : IR_NONE;
}

void sse_gen_call(DisasContext *s, IRHelper fn, unsigned flags, ptrdiff_t d, ptrdiff_t src,
                  uint64_t imm, unsigned width)
{
    ir_call(s->b, IR_NONE, fn, flags, x86_const(s, (uint64_t)d), x86_const(s, (uint64_t)src),
            x86_const(s, imm), x86_const(s, width));
}

/* env[to] = env[from], one or two quadwords */
static void gen_copy(DisasContext *s, ptrdiff_t to, ptrdiff_t from, unsigned n)
{
    for (unsigned i = 0; i < n; i += 8) {
        IRVal t = x86_tmp(s);

        ir_ld_env(s->b, t, from + i, MO_64);
        ir_st_env(s->b, t, to + i, MO_64);
    }
}

static void gen_zero_q(DisasContext *s, ptrdiff_t off)
{
    ir_st_env(s->b, x86_const(s, 0), off, MO_64);
}

/* ---- MMX state (SDM vol. 1, 9.5.1 "MMX Instructions and the x87 FPU Tag Word"): TOP = 0
 * and all tags valid; a written register's exponent is all ones ---- */

static void gen_mmx_enter(DisasContext *s)
{
    ir_st_env(s->b, x86_const(s, 0), offsetof(X86CPU, fpstt), MO_32);
    ir_st_env(s->b, x86_const(s, 0), offsetof(X86CPU, fptag), MO_16);
}

static void gen_mmx_written(DisasContext *s, int r)
{
    ir_st_env(s->b, x86_const(s, 0xffff),
              (ptrdiff_t)(offsetof(X86CPU, fpregs) + (unsigned)(r & 7) * sizeof(X86FPReg) +
                          offsetof(X86FPReg, exp)), MO_16);
}

/* ---- checks ---- */

bool sse_has_feature(DisasContext *s, int f)
{
    uint32_t a, b, c, d;

    x86_cpuid(s->env, 1, 0, &a, &b, &c, &d);
    switch (f) {
    case FEAT_MMX:
        return (d >> 23) & 1;
    case FEAT_SSE:
        return (d >> 25) & 1;
    case FEAT_SSE2:
        return (d >> 26) & 1;
    case FEAT_SSE3:
        return c & 1;
    case FEAT_SSSE3:
        return (c >> 9) & 1;
    case FEAT_SSE41:
        return (c >> 19) & 1;
    default:
        return (c >> 20) & 1;
    }
}

/* CR0.EM, CR4.OSFXSR, CR0.TS; false when an exception was emitted */
static bool gen_check_state(DisasContext *s, int regs)
{
    if ((s->flags & HF_EM_MASK) || (regs != RG_MMX && !(s->flags & HF_OSFXSR_MASK))) {
        x86_gen_illegal(s);
        return false;
    }
    if (s->flags & HF_TS_MASK) {
        x86_gen_exception(s, EXCP07_PREX, -1);
        return false;
    }
    return true;
}

/* ---- E_BIN: d = fn(d, s) ---- */

static void gen_bin(DisasContext *s, SseCtx *c, const SseEnt *e)
{
    const X86Insn *in = &s->insn;
    unsigned width = c->mmx ? 8 : 16;
    ptrdiff_t d, src;

    if (c->mmx) {
        d = sse_mmx_off(in->reg);
        src = src_mmx(s, c, e->arg ? e->arg : 8);
        gen_mmx_enter(s);
    } else {
        d = sse_xmm_off(in->reg);
        src = sse_src_xmm(s, c, e->arg ? e->arg : 16, (e->fl & EF_UNAL) != 0);
    }
    sse_gen_call(s, e->fn, (e->fl & EF_FP) ? SSE_CALL_FP : SSE_CALL_VEC, d, src,
                 x86_imm_u(s) & 0xff, width);
    if (c->mmx) {
        gen_mmx_written(s, in->reg);
    }
}

/* ---- E_INL: logic, add, sub, compare for equality on 64-bit halves ---- */

static const uint64_t high_bits[3] = {
    0x8080808080808080ull, 0x8000800080008000ull, 0x8000000080000000ull,
};
static const uint64_t elem_ones[3] = { 0xff, 0xffff, 0xffffffffull };

static IRVal gen_inl_half(DisasContext *s, int op, IRVal a, IRVal b)
{
    IRBuilder *bl = s->b;
    IRVal r = x86_tmp(s), t1, t2, t3, h, l;
    int k;

    switch (op) {
    case IN_AND:
        ir_and(bl, r, a, b);
        return r;
    case IN_ANDN:
        ir_op3(bl, IR_andc, r, b, a);
        return r;
    case IN_OR:
        ir_or(bl, r, a, b);
        return r;
    case IN_XOR:
        ir_xor(bl, r, a, b);
        return r;
    case IN_ADDQ:
        ir_add(bl, r, a, b);
        return r;
    case IN_SUBQ:
        ir_sub(bl, r, a, b);
        return r;
    default:
        break;
    }
    t1 = x86_tmp(s);
    t2 = x86_tmp(s);
    t3 = x86_tmp(s);
    if (op <= IN_ADDD) {
        /* ((a & L) + (b & L)) ^ ((a ^ b) & H): no carry crosses an element */
        k = op - IN_ADDB;
        h = x86_const(s, high_bits[k]);
        l = x86_const(s, ~high_bits[k]);
        ir_and(bl, t1, a, l);
        ir_and(bl, t2, b, l);
        ir_add(bl, t1, t1, t2);
        ir_xor(bl, t3, a, b);
        ir_and(bl, t3, t3, h);
        ir_xor(bl, r, t1, t3);
    } else if (op <= IN_SUBD) {
        /* ((a | H) - (b & L)) ^ (~(a ^ b) & H): no borrow crosses an element */
        k = op - IN_SUBB;
        h = x86_const(s, high_bits[k]);
        l = x86_const(s, ~high_bits[k]);
        ir_or(bl, t1, a, h);
        ir_and(bl, t2, b, l);
        ir_sub(bl, t1, t1, t2);
        ir_xor(bl, t3, a, b);
        ir_op3(bl, IR_andc, t3, h, t3);
        ir_xor(bl, r, t1, t3);
    } else {
        /* x = a ^ b; the top bit of ((x & L) + L) | x tells a non-zero element; spread the
         * zero elements' bits over their elements */
        k = op - IN_EQB;
        h = x86_const(s, high_bits[k]);
        l = x86_const(s, ~high_bits[k]);
        ir_xor(bl, t1, a, b);
        ir_and(bl, t2, t1, l);
        ir_add(bl, t2, t2, l);
        ir_or(bl, t2, t2, t1);
        ir_op3(bl, IR_andc, t3, h, t2);
        ir_shr(bl, t3, t3, x86_const(s, (8u << k) - 1));
        ir_op3(bl, IR_mul, r, t3, x86_const(s, elem_ones[k]));
    }
    return r;
}

static void gen_inline(DisasContext *s, SseCtx *c, const SseEnt *e)
{
    const X86Insn *in = &s->insn;
    unsigned n = c->mmx ? 1 : 2;
    ptrdiff_t d = c->mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
    IRVal a[2], b[2], r[2];
    int op = e->arg;

    if (c->mmx) {
        gen_mmx_enter(s);
    }
    if (!c->mem && (c->mmx ? (in->reg & 7) == (in->rm & 7) : in->reg == in->rm) &&
        (op == IN_XOR || op == IN_ANDN || (op >= IN_SUBB && op <= IN_SUBQ) || op >= IN_EQB)) {
        /* one register twice: the zeroing and all-ones idioms */
        for (unsigned i = 0; i < n; i++) {
            ir_st_env(s->b, x86_const(s, op >= IN_EQB ? ~0ull : 0), d + 8 * i, MO_64);
        }
        if (c->mmx) {
            gen_mmx_written(s, in->reg);
        }
        return;
    }
    if (c->mem) {
        gen_ld_halves(s, c, 8 * n, !c->mmx, b);
    } else {
        ptrdiff_t so = c->mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
        for (unsigned i = 0; i < n; i++) {
            b[i] = x86_tmp(s);
            ir_ld_env(s->b, b[i], so + 8 * i, MO_64);
        }
    }
    for (unsigned i = 0; i < n; i++) {
        a[i] = x86_tmp(s);
        ir_ld_env(s->b, a[i], d + 8 * i, MO_64);
        r[i] = gen_inl_half(s, op, a[i], b[i]);
    }
    for (unsigned i = 0; i < n; i++) {
        ir_st_env(s->b, r[i], d + 8 * i, MO_64);
    }
    if (c->mmx) {
        gen_mmx_written(s, in->reg);
    }
}

/* ---- moves ---- */

/* The whole-register moves: MOVUPS MOVAPS MOVDQA MOVDQU MOVQ mm LDDQU MOVNT* MOVNTDQA */
static void gen_mov_full(DisasContext *s, SseCtx *c, bool store, bool aligned)
{
    const X86Insn *in = &s->insn;
    unsigned n = c->mmx ? 8 : 16;
    ptrdiff_t r = c->mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
    ptrdiff_t m = c->mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);

    if (c->mmx) {
        gen_mmx_enter(s);
    }
    if (!c->mem) {
        gen_copy(s, store ? m : r, store ? r : m, n);
    } else if (store) {
        sse_gen_st_env(s, c, r, n, aligned);
    } else {
        sse_gen_ld_env(s, c, r, n, aligned);
    }
    if (c->mmx && (!store || !c->mem)) {
        gen_mmx_written(s, store ? in->rm : in->reg);
    }
}

/* 0F 10/11 with F3/F2: MOVSS/MOVSD (n = 4/8). A memory load zeroes the rest. */
static void gen_mov_scalar(DisasContext *s, SseCtx *c, unsigned n, bool store)
{
    const X86Insn *in = &s->insn;
    ptrdiff_t r = sse_xmm_off(in->reg), m = sse_xmm_off(in->rm);
    unsigned mo = n == 4 ? MO_32 : MO_64;
    IRVal t = x86_tmp(s);

    if (!c->mem) {
        ir_ld_env(s->b, t, store ? r : m, mo);
        ir_st_env(s->b, t, store ? m : r, mo);
    } else if (store) {
        ir_ld_env(s->b, t, r, mo);
        x86_gen_st(s, (int)mo, t, sse_addr(s, c));
    } else {
        x86_gen_ld(s, (int)mo, t, sse_addr(s, c));
        ir_st_env(s->b, t, r, MO_64);       /* zero-extended: l[1] = 0 for MOVSS */
        gen_zero_q(s, r + 8);
    }
}

/* env[off] (8 bytes) = the 64-bit memory operand, or the store */
static void gen_mov_q_mem(DisasContext *s, SseCtx *c, ptrdiff_t off, bool store)
{
    IRVal t = x86_tmp(s);

    if (store) {
        ir_ld_env(s->b, t, off, MO_64);
        x86_gen_st(s, MO_64, t, sse_addr(s, c));
    } else {
        x86_gen_ld(s, MO_64, t, sse_addr(s, c));
        ir_st_env(s->b, t, off, MO_64);
    }
}

/* 0F 12/13/16/17: MOVLPS MOVHLPS MOVLPD MOVHPS MOVLHPS MOVHPD */
static void gen_mov_half(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    ptrdiff_t r = sse_xmm_off(in->reg), m = sse_xmm_off(in->rm);
    bool high = c->op >= 0x16;

    if (c->op & 1) {                            /* 13, 17: stores (memory only) */
        gen_mov_q_mem(s, c, r + (high ? 8 : 0), true);
    } else if (c->mem) {
        gen_mov_q_mem(s, c, r + (high ? 8 : 0), false);
    } else {                                    /* MOVHLPS, MOVLHPS */
        gen_copy(s, r + (high ? 8 : 0), m + (high ? 0 : 8), 8);
    }
}

/* 0F 6E: MOVD/MOVQ mm or xmm <- r/m32/64, zero-extended */
static void gen_movd_load(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    int ot = (in->rex & 8) ? MO_64 : MO_32;
    X86Opnd o;
    IRVal t = x86_tmp(s);

    sse_gpr_opnd(s, c, &o);
    x86_gen_ld_opnd(s, ot, t, &o);
    if (c->mmx) {
        gen_mmx_enter(s);
        ir_st_env(s->b, t, sse_mmx_off(in->reg), MO_64);
        gen_mmx_written(s, in->reg);
    } else {
        ir_st_env(s->b, t, sse_xmm_off(in->reg), MO_64);
        gen_zero_q(s, sse_xmm_off(in->reg) + 8);
    }
}

/* 0F 7E: MOVD/MOVQ r/m32/64 <- mm or xmm; F3: MOVQ xmm <- xmm/m64 */
static void gen_movd_store(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    int ot = (in->rex & 8) ? MO_64 : MO_32;
    X86Opnd o;
    IRVal t = x86_tmp(s);

    if (c->pfx == 2) {
        ptrdiff_t r = sse_xmm_off(in->reg);
        if (c->mem) {
            gen_mov_q_mem(s, c, r, false);
        } else {
            gen_copy(s, r, sse_xmm_off(in->rm), 8);
        }
        gen_zero_q(s, r + 8);
        return;
    }
    if (c->mmx) {
        gen_mmx_enter(s);
    }
    ir_ld_env(s->b, t, c->mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg), MO_64);
    sse_gpr_opnd(s, c, &o);
    x86_gen_st_opnd(s, ot, &o, t);
}

/* 0F D6: 66 MOVQ xmm/m64 <- xmm; F3 MOVQ2DQ xmm <- mm; F2 MOVDQ2Q mm <- xmm */
static void gen_movq_d6(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;

    switch (c->pfx) {
    case 1:
        if (c->mem) {
            gen_mov_q_mem(s, c, sse_xmm_off(in->reg), true);
        } else {
            gen_copy(s, sse_xmm_off(in->rm), sse_xmm_off(in->reg), 8);
            gen_zero_q(s, sse_xmm_off(in->rm) + 8);
        }
        break;
    case 2:
        gen_mmx_enter(s);
        gen_copy(s, sse_xmm_off(in->reg), sse_mmx_off(in->rm), 8);
        gen_zero_q(s, sse_xmm_off(in->reg) + 8);
        break;
    default:
        gen_mmx_enter(s);
        gen_copy(s, sse_mmx_off(in->reg), sse_xmm_off(in->rm), 8);
        gen_mmx_written(s, in->reg);
        break;
    }
}

/* 0F C3: MOVNTI m32/64, r32/64 (a general-purpose store) */
static void gen_movnti(DisasContext *s)
{
    int ot = s->insn.opsize == 8 ? MO_64 : MO_32;
    IRVal t = x86_tmp(s);

    if (!sse_has_feature(s, FEAT_SSE2) || s->insn.mod == 3) {
        x86_gen_illegal(s);
        return;
    }
    x86_gen_ld_reg(s, ot, t, s->insn.reg);
    x86_gen_st(s, ot, t, x86_gen_modrm_addr(s));
}

/* ---- conversions with MMX or general-purpose operands, COMIS ---- */

/* 0F 2A: CVTPI2PS, CVTPI2PD (xmm <- mm/m64), CVTSI2SS, CVTSI2SD (xmm <- r/m32/64) */
static void gen_cvt_2a(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    ptrdiff_t d = sse_xmm_off(in->reg), src;

    if (c->pfx >= 2) {
        int ot = (in->rex & 8) ? MO_64 : MO_32;
        X86Opnd o;
        IRVal v = x86_tmp(s);

        sse_gpr_opnd(s, c, &o);
        x86_gen_ld_opnd(s, ot, v, &o);
        ir_call(s->b, IR_NONE, c->pfx == 2 ? helper_cvtsi2ss : helper_cvtsi2sd, SSE_CALL_FP,
                x86_const(s, (uint64_t)d), v, x86_const(s, 1u << ot), IR_NONE);
        return;
    }
    if (c->mem) {
        sse_gen_ld_env(s, c, SSE_TMP_OFF, 8, false);
        src = SSE_TMP_OFF;
    } else {
        gen_mmx_enter(s);
        src = sse_mmx_off(in->rm);
    }
    sse_gen_call(s, c->pfx ? helper_cvtpi2pd : helper_cvtpi2ps, SSE_CALL_FP, d, src, 0, 16);
}

/* 0F 2C/2D: CVT(T)PS2PI, CVT(T)PD2PI (mm <- xmm), CVT(T)SS2SI, CVT(T)SD2SI (r <- xmm) */
static void gen_cvt_2c(DisasContext *s, SseCtx *c)
{
    static IRHelper const fns[2][4] = {
        { helper_cvttps2pi, helper_cvttpd2pi, helper_cvttss2si, helper_cvttsd2si },
        { helper_cvtps2pi, helper_cvtpd2pi, helper_cvtss2si, helper_cvtsd2si },
    };
    static const uint8_t msize[4] = { 8, 16, 4, 8 };
    const X86Insn *in = &s->insn;
    IRHelper fn = fns[c->op & 1][c->pfx];
    ptrdiff_t src = sse_src_xmm(s, c, msize[c->pfx], false);

    if (c->pfx >= 2) {
        int ot = (in->rex & 8) ? MO_64 : MO_32;
        IRVal r = x86_tmp(s);

        ir_call(s->b, r, fn, SSE_CALL_FP, IR_NONE, x86_const(s, (uint64_t)src),
                x86_const(s, 1u << ot), IR_NONE);
        x86_gen_st_reg(s, ot, in->reg, r);
        return;
    }
    gen_mmx_enter(s);
    sse_gen_call(s, fn, SSE_CALL_FP, sse_mmx_off(in->reg), src, 0, 8);
    gen_mmx_written(s, in->reg);
}

/* 0F 2E/2F: UCOMISS COMISS UCOMISD COMISD -> ZF PF CF */
static void gen_comis(DisasContext *s, SseCtx *c)
{
    static IRHelper const fns[2][2] = {
        { helper_ucomiss, helper_ucomisd }, { helper_comiss, helper_comisd },
    };
    ptrdiff_t src = sse_src_xmm(s, c, c->pfx ? 8 : 4, false);
    IRVal r = x86_tmp(s);

    ir_call(s->b, r, fns[c->op & 1][c->pfx], SSE_CALL_FP,
            x86_const(s, (uint64_t)sse_xmm_off(s->insn.reg)), x86_const(s, (uint64_t)src),
            IR_NONE, IR_NONE);
    x86_gen_set_eflags_cc(s, r);
}

/* ---- masks ---- */

/* 0F 50: MOVMSKPS/MOVMSKPD r32 <- xmm (register form only) */
static void gen_movmsk(DisasContext *s, SseCtx *c)
{
    ptrdiff_t m = sse_xmm_off(s->insn.rm);
    IRVal lo = x86_tmp(s), hi = x86_tmp(s), r = x86_tmp(s), t = x86_tmp(s);

    ir_ld_env(s->b, lo, m, MO_64);
    ir_ld_env(s->b, hi, m + 8, MO_64);
    if (c->pfx) {                               /* PD: bits 63 and 127 */
        ir_shr(s->b, r, lo, x86_const(s, 63));
        ir_shr(s->b, t, hi, x86_const(s, 62));
        ir_and(s->b, t, t, x86_const(s, 2));
        ir_or(s->b, r, r, t);
    } else {                                    /* PS: bits 31, 63, 95, 127 */
        ir_shr(s->b, r, lo, x86_const(s, 31));
        ir_and(s->b, r, r, x86_const(s, 1));
        ir_shr(s->b, t, lo, x86_const(s, 62));
        ir_and(s->b, t, t, x86_const(s, 2));
        ir_or(s->b, r, r, t);
        ir_shr(s->b, t, hi, x86_const(s, 29));
        ir_and(s->b, t, t, x86_const(s, 4));
        ir_or(s->b, r, r, t);
        ir_shr(s->b, t, hi, x86_const(s, 60));
        ir_and(s->b, t, t, x86_const(s, 8));
        ir_or(s->b, r, r, t);
    }
    x86_gen_st_reg(s, MO_32, s->insn.reg, r);
}

/* 0F D7: PMOVMSKB r32 <- mm/xmm: the byte sign bits gathered by one multiply per half */
static void gen_pmovmskb(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    unsigned n = c->mmx ? 1 : 2;
    ptrdiff_t m = c->mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
    IRVal r = IR_NONE;

    if (c->mmx) {
        gen_mmx_enter(s);
    }
    for (unsigned i = 0; i < n; i++) {
        IRVal t = x86_tmp(s);

        ir_ld_env(s->b, t, m + 8 * i, MO_64);
        ir_and(s->b, t, t, x86_const(s, 0x8080808080808080ull));
        ir_op3(s->b, IR_mul, t, t, x86_const(s, 0x0002040810204081ull));
        ir_shr(s->b, t, t, x86_const(s, 56));
        if (i) {
            ir_shl(s->b, t, t, x86_const(s, 8));
            ir_or(s->b, r, r, t);
        } else {
            r = t;
        }
    }
    x86_gen_st_reg(s, MO_32, in->reg, r);
}

/* 0F F7: MASKMOVQ/MASKMOVDQU: the bytes of reg whose mask byte (rm) has its top bit set,
 * to DS:rDI (segment overridable) */
static void gen_maskmov(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    unsigned n = c->mmx ? 8 : 16;
    ptrdiff_t v = c->mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
    ptrdiff_t m = c->mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
    IRVal a = x86_gen_seg_addr(s, in->seg != X86_SEG_NONE ? in->seg : X86_SEG_DS,
                               x86_addr_reg(s, R_EDI));

    if (c->mmx) {
        gen_mmx_enter(s);
    }
    if (s->nsegaddr) {
        x86_gen_seg_check(s, a, (int)n, true);
    }
    for (unsigned i = 0; i < n; i++) {
        IRLabel skip = ir_new_label(s->b);
        IRVal t = x86_tmp(s);

        ir_ld_env(s->b, t, m + i, MO_8);
        ir_brcond(s->b, IR_COND_TSTEQ, t, x86_const(s, 0x80), skip);
        ir_ld_env(s->b, t, v + i, MO_8);
        ir_guest_st(s->b, t, i ? sse_addr_plus(s, a, (int)i) : a, MO_8, s->mem_idx);
        ir_set_label(s->b, skip);
    }
}

/* ---- shifts ---- */

/* PSRLQ/PSLLQ/PSRLDQ/PSLLDQ by an immediate, inline on the halves of register r */
static void gen_shift_q_imm(DisasContext *s, ptrdiff_t r, unsigned n, int op, unsigned cnt)
{
    IRBuilder *b = s->b;
    IRVal lo = x86_tmp(s), hi = x86_tmp(s), t = x86_tmp(s);
    bool left = op >= 6;

    ir_ld_env(b, lo, r, MO_64);
    if (n == 16) {
        ir_ld_env(b, hi, r + 8, MO_64);
    }
    if (op == 3 || op == 7) {                   /* by bytes, across the halves */
        unsigned bits = cnt >= 16 ? 128 : cnt * 8;
        IRVal nlo = x86_tmp(s), nhi = x86_tmp(s);

        if (bits >= 128) {
            ir_movi(b, nlo, 0);
            ir_movi(b, nhi, 0);
        } else if (bits >= 64) {
            ir_op3(b, left ? IR_shl : IR_shr, left ? nhi : nlo, left ? lo : hi,
                   x86_const(s, bits - 64));
            ir_movi(b, left ? nlo : nhi, 0);
        } else if (bits == 0) {
            return;
        } else if (left) {
            ir_shl(b, nhi, hi, x86_const(s, bits));
            ir_shr(b, t, lo, x86_const(s, 64 - bits));
            ir_or(b, nhi, nhi, t);
            ir_shl(b, nlo, lo, x86_const(s, bits));
        } else {
            ir_shr(b, nlo, lo, x86_const(s, bits));
            ir_shl(b, t, hi, x86_const(s, 64 - bits));
            ir_or(b, nlo, nlo, t);
            ir_shr(b, nhi, hi, x86_const(s, bits));
        }
        ir_st_env(b, nlo, r, MO_64);
        ir_st_env(b, nhi, r + 8, MO_64);
        return;
    }
    for (unsigned i = 0; i < n / 8; i++) {
        IRVal v = i ? hi : lo;
        if (cnt > 63) {
            ir_movi(b, v, 0);
        } else if (left) {
            ir_shl(b, v, v, x86_const(s, cnt));
        } else {
            ir_shr(b, v, v, x86_const(s, cnt));
        }
        ir_st_env(b, v, r + 8 * i, MO_64);
    }
}

/* 0F 71-73: shifts of register rm by imm8 (group op in ModRM.reg) */
static void gen_shift_imm(DisasContext *s, SseCtx *c)
{
    static IRHelper const fns[3][8] = {
        { NULL, NULL, helper_psrlw, NULL, helper_psraw, NULL, helper_psllw, NULL },
        { NULL, NULL, helper_psrld, NULL, helper_psrad, NULL, helper_pslld, NULL },
        { NULL, NULL, helper_psrlq, helper_psrldq, NULL, NULL, helper_psllq, helper_pslldq },
    };
    const X86Insn *in = &s->insn;
    int op = in->reg & 7;
    unsigned n = c->mmx ? 8 : 16, cnt = (unsigned)x86_imm_u(s) & 0xff;
    ptrdiff_t r = c->mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
    IRHelper fn = fns[c->op - 0x71][op];

    if (!fn) {
        x86_gen_illegal(s);
        return;
    }
    if (c->mmx) {
        gen_mmx_enter(s);
    }
    if (c->op == 0x73) {
        gen_shift_q_imm(s, r, n, op, cnt);
    } else {
        sse_gen_call(s, fn, SSE_CALL_VEC, r, 0, cnt, n);
    }
    if (c->mmx) {
        gen_mmx_written(s, in->rm);
    }
}

/* 0F D1-D3 E1 E2 F1-F3: shifts of register reg by the low quadword of mm/xmm/m64/m128 */
static void gen_shift_reg(DisasContext *s, SseCtx *c)
{
    IRHelper fn;
    const X86Insn *in = &s->insn;
    unsigned n = c->mmx ? 8 : 16;
    ptrdiff_t r = c->mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
    IRVal cnt = x86_tmp(s);

    switch (c->op) {
    case 0xd1: fn = helper_psrlw; break;
    case 0xd2: fn = helper_psrld; break;
    case 0xd3: fn = helper_psrlq; break;
    case 0xe1: fn = helper_psraw; break;
    case 0xe2: fn = helper_psrad; break;
    case 0xf1: fn = helper_psllw; break;
    case 0xf2: fn = helper_pslld; break;
    default: fn = helper_psllq; break;
    }
    if (c->mem) {
        IRVal v[2];
        gen_ld_halves(s, c, n, !c->mmx, v);
        cnt = v[0];
    } else {
        ir_ld_env(s->b, cnt, c->mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm), MO_64);
    }
    if (c->mmx) {
        gen_mmx_enter(s);
    }
    ir_call(s->b, IR_NONE, fn, SSE_CALL_VEC, x86_const(s, (uint64_t)r), x86_const(s, 0), cnt,
            x86_const(s, n));
    if (c->mmx) {
        gen_mmx_written(s, in->reg);
    }
}

/* ---- words in and out ---- */

/* 0F C4: PINSRW mm/xmm, r32/m16, imm8 */
static void gen_pinsrw(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    unsigned idx = (unsigned)x86_imm_u(s) & (c->mmx ? 3 : 7);
    ptrdiff_t r = c->mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
    X86Opnd o;
    IRVal t = x86_tmp(s);

    sse_gpr_opnd(s, c, &o);
    x86_gen_ld_opnd(s, MO_16, t, &o);
    if (c->mmx) {
        gen_mmx_enter(s);
    }
    ir_st_env(s->b, t, r + 2 * idx, MO_16);
    if (c->mmx) {
        gen_mmx_written(s, in->reg);
    }
}

/* 0F C5: PEXTRW r32, mm/xmm, imm8 */
static void gen_pextrw(DisasContext *s, SseCtx *c)
{
    const X86Insn *in = &s->insn;
    unsigned idx = (unsigned)x86_imm_u(s) & (c->mmx ? 3 : 7);
    ptrdiff_t m = c->mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
    IRVal t = x86_tmp(s);

    if (c->mmx) {
        gen_mmx_enter(s);
    }
    ir_ld_env(s->b, t, m + 2 * idx, MO_16);
    x86_gen_st_reg(s, MO_32, in->reg, t);
}

/* ---- the 0F map's special forms ---- */

static void gen_0f(DisasContext *s, SseCtx *c)
{
    switch (c->op) {
    case 0x10:
    case 0x11:
        if (c->pfx >= 2) {
            gen_mov_scalar(s, c, c->pfx == 2 ? 4 : 8, c->op == 0x11);
        } else {
            gen_mov_full(s, c, c->op == 0x11, false);
        }
        break;
    case 0x12: case 0x13: case 0x16: case 0x17:
        gen_mov_half(s, c);
        break;
    case 0x28: case 0x29: case 0x2b:
        gen_mov_full(s, c, c->op != 0x28, true);
        break;
    case 0x2a:
        gen_cvt_2a(s, c);
        break;
    case 0x2c: case 0x2d:
        gen_cvt_2c(s, c);
        break;
    case 0x2e: case 0x2f:
        gen_comis(s, c);
        break;
    case 0x50:
        gen_movmsk(s, c);
        break;
    case 0x6e:
        gen_movd_load(s, c);
        break;
    case 0x6f: case 0x7f:
        gen_mov_full(s, c, c->op == 0x7f, c->pfx == 1);
        break;
    case 0x71: case 0x72: case 0x73:
        gen_shift_imm(s, c);
        break;
    case 0x77: /* EMMS: every x87 register empty */
        ir_st_env(s->b, x86_const(s, 0xffff), offsetof(X86CPU, fptag), MO_16);
        break;
    case 0x7e:
        gen_movd_store(s, c);
        break;
    case 0xc4:
        gen_pinsrw(s, c);
        break;
    case 0xc5:
        gen_pextrw(s, c);
        break;
    case 0xd1: case 0xd2: case 0xd3: case 0xe1: case 0xe2: case 0xf1: case 0xf2: case 0xf3:
        gen_shift_reg(s, c);
        break;
    case 0xd6:
        gen_movq_d6(s, c);
        break;
    case 0xd7:
        gen_pmovmskb(s, c);
        break;
    case 0xe7:
        gen_mov_full(s, c, true, true);
        break;
    case 0xf0: /* LDDQU */
        gen_mov_full(s, c, false, false);
        break;
    case 0xf7:
        gen_maskmov(s, c);
        break;
    default:
        x86_log_unimp(s, "unimplemented SSE");
        x86_gen_illegal(s);
        break;
    }
}

/* ---- dispatch ---- */

static bool in_0f_range(unsigned op)
{
    return (op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) ||
           (op >= 0x50 && op <= 0x77) || (op >= 0x7c && op <= 0x7f) ||
           (op >= 0xc2 && op <= 0xc6) || (op >= 0xd0 && op <= 0xfe);
}

bool x86_disas_sse(DisasContext *s)
{
    const X86Insn *in = &s->insn;
    unsigned map = in->opc & 0xf00, op = in->opc & 0xff;
    SseCtx c = { 0 };
    const SseEnt *e;

    c.op = op;
    c.map = map;
    c.pfx = in->mandatory == 0x66 ? 1 : in->mandatory == 0xf3 ? 2 : in->mandatory == 0xf2 ? 3 : 0;
    c.mem = in->has_modrm && in->mod != 3;
    switch (map) {
    case X86_MAP_0F:
        if (op == 0xc3) {
            gen_movnti(s);
            return true;
        }
        if (!in_0f_range(op)) {
            return false;
        }
        e = &sse_0f[op][c.pfx];
        break;
    case X86_MAP_0F38:
        if (op == 0xf0 || op == 0xf1) {
            if (c.pfx != 3) {
                return false;               /* MOVBE */
            }
            sse_gen_crc32(s);
            return true;
        }
        e = &sse_0f38[op][c.pfx];
        if (e->kind == E_NONE) {
            return false;
        }
        break;
    case X86_MAP_0F3A:
        e = &sse_0f3a[op][c.pfx];
        if (e->kind == E_NONE) {
            return false;
        }
        break;
    default:
        return false;
    }
    if (e->kind == E_NONE || !sse_has_feature(s, e->feat)) {
        x86_log_unimp(s, "SSE form not available on this CPU");
        x86_gen_illegal(s);
        return true;
    }
    if (!gen_check_state(s, e->regs)) {
        return true;
    }
    c.mmx = e->regs == RG_MMX;
    switch (e->kind) {
    case E_BIN:
        gen_bin(s, &c, e);
        break;
    case E_INL:
        gen_inline(s, &c, e);
        break;
    default:
        if (map == X86_MAP_0F) {
            gen_0f(s, &c);
        } else if (map == X86_MAP_0F38) {
            sse_gen_0f38(s, &c);
        } else {
            sse_gen_0f3a(s, &c);
        }
        break;
    }
    return true;
}

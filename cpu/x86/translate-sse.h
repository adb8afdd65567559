/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate-sse.h — private interface between translate-sse.c (the dispatch table,
 * operand utilities, the 0F map) and translate-sse4.c (the 0F 38 and 0F 3A maps).
 */
#ifndef CPU_X86_TRANSLATE_SSE_H
#define CPU_X86_TRANSLATE_SSE_H

#include "cpu/x86/translate.h"
#include "cpu/x86/sse_helper.h"

/* helpers that write vector registers in env only */
#define SSE_CALL_VEC (IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS)
/* helpers that only compute a value from env */
#define SSE_CALL_PURE (IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | \
                       IR_CALL_NO_SIDE_EFFECTS)
/* floating-point helpers: may raise #XM (they read the state an exception saves) */
#define SSE_CALL_FP IR_CALL_NO_WRITE_GLOBALS

/* CPUID leaf 1 features */
enum { FEAT_MMX, FEAT_SSE, FEAT_SSE2, FEAT_SSE3, FEAT_SSSE3, FEAT_SSE41, FEAT_SSE42 };
bool sse_has_feature(DisasContext *s, int f);

/* The instruction being translated. */
typedef struct SseCtx {
    unsigned op;            /* opcode byte */
    unsigned map;           /* X86_MAP_0F, X86_MAP_0F38, X86_MAP_0F3A */
    int pfx;                /* mandatory prefix: 0 none, 1 66, 2 F3, 3 F2 */
    bool mmx;               /* the table form works on MMX registers */
    bool mem;               /* the ModRM.rm operand is in memory */
    IRVal addr;             /* its linear address (sse_addr) */
    bool addr_done;
} SseCtx;

static inline ptrdiff_t sse_xmm_off(int r)
{
    return (ptrdiff_t)(offsetof(X86CPU, xmm) + (unsigned)r * sizeof(X86XMMReg));
}

static inline ptrdiff_t sse_mmx_off(int r)
{
    return (ptrdiff_t)(offsetof(X86CPU, fpregs) + (unsigned)(r & 7) * sizeof(X86FPReg) +
                       offsetof(X86FPReg, mant));
}

#define SSE_TMP_OFF ((ptrdiff_t)offsetof(X86CPU, xmm_tmp))

/* The linear address of the memory operand (computed once per instruction). */
IRVal sse_addr(DisasContext *s, SseCtx *c);
/* n bytes (1 2 4 8 16) of the memory operand into env at off; a 16-byte operand is checked
 * for 16-byte alignment (#GP(0)) when `aligned`. */
void sse_gen_ld_env(DisasContext *s, SseCtx *c, ptrdiff_t off, unsigned n, bool aligned);
/* n bytes (4 8 16) of env at off into the memory operand */
void sse_gen_st_env(DisasContext *s, SseCtx *c, ptrdiff_t off, unsigned n, bool aligned);
/* The env offset of an XMM source: register rm, or the memory operand (n bytes, 16-byte
 * ones aligned unless `unaligned`) loaded into xmm_tmp. */
ptrdiff_t sse_src_xmm(DisasContext *s, SseCtx *c, unsigned n, bool unaligned);
/* The ModRM.rm operand as a general-purpose operand (register or memory). */
void sse_gpr_opnd(DisasContext *s, SseCtx *c, X86Opnd *o);
/* v = a + k as a linear address (32-bit outside 64-bit code) */
IRVal sse_addr_plus(DisasContext *s, IRVal a, int k);
/* d = helper(a0 = d register, a1 = source, a2 = imm, a3 = width) */
void sse_gen_call(DisasContext *s, IRHelper fn, unsigned flags, ptrdiff_t d, ptrdiff_t src,
                  uint64_t imm, unsigned width);

/* translate-sse4.c: the specially handled opcodes of the 0F 38 and 0F 3A maps */
void sse_gen_0f38(DisasContext *s, SseCtx *c);
void sse_gen_0f3a(DisasContext *s, SseCtx *c);
/* CRC32 (F2 0F 38 F0/F1): a general-purpose instruction, no SSE state checks */
void sse_gen_crc32(DisasContext *s);

#endif

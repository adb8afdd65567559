/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/sse_helper.h — the IR helpers of MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2
 * (sse_helper.c: integer, shuffles, strings, CRC32; sse_fp_helper.c: floating point), called
 * by translate-sse*.c (tests/unit/test_sse.c runs them through the translator). Private
 * to those files.
 *
 * Operand conventions of the vector helpers (IR_HELPER: env, a0..a3):
 *   a0  env offset of the destination, which is also the first source: xmm[n], or
 *       fpregs[n].mant for an MMX register (only its 8 bytes are touched)
 *   a1  env offset of the second source: a register, or xmm_tmp holding a memory operand
 *       (the translator loads only the bytes the instruction reads)
 *   a2  the imm8 of the instructions that have one
 *   a3  the operand width in bytes, 8 (MMX) or 16 (XMM), for instructions with both forms
 * Exceptions to this are noted per helper. Helpers that return nothing return 0.
 * Floating-point helpers read env->mxcsr (rounding, DAZ, FTZ, masks), or their flags into
 * it and raise #XM (CR4.OSXMMEXCPT) or #UD for an unmasked exception, leaving the
 * destination unchanged; the integer helpers never fault.
 */
#ifndef CPU_X86_SSE_HELPER_H
#define CPU_X86_SSE_HELPER_H

#include "cpu/x86/cpu.h"

/* Integer ops that the translator does not emit inline, MMX and XMM (a0 d, a1 s, a3 width;
 * the SSE4.1 and later ones are XMM only). UNPCKLPS/UNPCKHPS/UNPCKLPD/UNPCKHPD
 * are PUNPCKLDQ/PUNPCKHDQ/PUNPCKLQDQ/PUNPCKHQDQ; PBLENDVB/BLENDVPS/BLENDVPD read their mask
 * from XMM0. */
#define SSE_INT_BINOPS(X)                                                                     \
    X(paddsb) X(paddsw) X(paddusb) X(paddusw) X(psubsb) X(psubsw) X(psubusb) X(psubusw)      \
    X(pcmpeqq) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd) X(pcmpgtq)                                   \
    X(pmullw) X(pmulhw) X(pmulhuw) X(pmuludq) X(pmaddwd) X(psadbw) X(pavgb) X(pavgw)         \
    X(pminub) X(pmaxub) X(pminsw) X(pmaxsw) X(pminsb) X(pmaxsb) X(pminuw) X(pmaxuw)          \
    X(pminsd) X(pmaxsd) X(pminud) X(pmaxud)                                                  \
    X(punpcklbw) X(punpcklwd) X(punpckldq) X(punpcklqdq)                                     \
    X(punpckhbw) X(punpckhwd) X(punpckhdq) X(punpckhqdq)                                     \
    X(packsswb) X(packssdw) X(packuswb) X(packusdw)                                          \
    X(pshufb) X(phaddw) X(phaddd) X(phaddsw) X(phsubw) X(phsubd) X(phsubsw)                  \
    X(pmaddubsw) X(pmulhrsw) X(psignb) X(psignw) X(psignd) X(pabsb) X(pabsw) X(pabsd)        \
    X(pmuldq) X(pmulld) X(phminposuw)                                                        \
    X(pmovsxbw) X(pmovsxbd) X(pmovsxbq) X(pmovsxwd) X(pmovsxwq) X(pmovsxdq)                  \
    X(pmovzxbw) X(pmovzxbd) X(pmovzxbq) X(pmovzxwd) X(pmovzxwq) X(pmovzxdq)                  \
    X(pblendvb) X(blendvps) X(blendvpd) X(movsldup) X(movshdup) X(movddup)

/* Shifts: a2 = the count (imm8, or the low quadword of the source operand). */
#define SSE_SHIFT_OPS(X)                                                                      \
    X(psrlw) X(psrld) X(psrlq) X(psraw) X(psrad) X(psllw) X(pslld) X(psllq)                  \
    X(psrldq) X(pslldq)

/* Ops with an imm8 in a2 (INSERTPS: a3 is 1 for a memory source, a dword at xmm_tmp). */
#define SSE_IMM_OPS(X)                                                                        \
    X(pshufw) X(pshufd) X(pshufhw) X(pshuflw) X(palignr) X(pblendw) X(blendps) X(blendpd)    \
    X(mpsadbw) X(insertps) X(shufps) X(shufpd)

#define SSE_DECLARE(name) IR_HELPER(helper_##name);
SSE_INT_BINOPS(SSE_DECLARE)
SSE_SHIFT_OPS(SSE_DECLARE)
SSE_IMM_OPS(SSE_DECLARE)

/* ---- other integer helpers (sse_helper.c) ---- */
IR_HELPER(helper_ptest);        /* a0 d, a1 s -> EFLAGS image (ZF, CF) */
/* PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM: a0 d (xmm1), a1 s (xmm2/m128), a2 the control
 * byte, a3 1 for 64-bit lengths (REX.W, explicit forms). The explicit forms read RAX/RDX.
 * STRI returns the index (ECX) | EFLAGS image << 32; STRM writes XMM0 and returns EFLAGS. */
IR_HELPER(helper_pcmpestri);
IR_HELPER(helper_pcmpestrm);
IR_HELPER(helper_pcmpistri);
IR_HELPER(helper_pcmpistrm);
IR_HELPER(helper_crc32);        /* a0 crc, a1 data, a2 data bytes (1 2 4 8) -> new crc */

/* ---- floating point (sse_fp_helper.c) ---- */
/* Arithmetic, element-wise (PS/PD) or on element 0 (SS/SD, the rest of d unchanged). */
#define SSE_FP_BINOPS(X)                                                                      \
    X(addps) X(addpd) X(addss) X(addsd) X(subps) X(subpd) X(subss) X(subsd)                  \
    X(mulps) X(mulpd) X(mulss) X(mulsd) X(divps) X(divpd) X(divss) X(divsd)                  \
    X(minps) X(minpd) X(minss) X(minsd) X(maxps) X(maxpd) X(maxss) X(maxsd)                  \
    X(sqrtps) X(sqrtpd) X(sqrtss) X(sqrtsd) X(rcpps) X(rcpss) X(rsqrtps) X(rsqrtss)          \
    X(haddps) X(haddpd) X(hsubps) X(hsubpd) X(addsubps) X(addsubpd)                          \
    X(cvtps2pd) X(cvtpd2ps) X(cvtss2sd) X(cvtsd2ss) X(cvtdq2ps) X(cvtps2dq) X(cvttps2dq)     \
    X(cvtdq2pd) X(cvtpd2dq) X(cvttpd2dq)                                                     \
    X(cvtpi2ps) X(cvtpi2pd) X(cvtps2pi) X(cvttps2pi) X(cvtpd2pi) X(cvttpd2pi)
/* a2 = imm8: CMPccPS.. predicate (0-7), ROUND* control, DPPS/DPPD mask. */
#define SSE_FP_IMM_OPS(X)                                                                     \
    X(cmpps) X(cmppd) X(cmpss) X(cmpsd) X(roundps) X(roundpd) X(roundss) X(roundsd)          \
    X(dpps) X(dppd)
SSE_FP_BINOPS(SSE_DECLARE)
SSE_FP_IMM_OPS(SSE_DECLARE)
/* COMISS/UCOMISS/COMISD/UCOMISD: a0 d, a1 s -> EFLAGS image (ZF PF CF) */
IR_HELPER(helper_comiss);
IR_HELPER(helper_ucomiss);
IR_HELPER(helper_comisd);
IR_HELPER(helper_ucomisd);
/* CVTSI2SS/CVTSI2SD: a0 d, a1 the integer, a2 its size in bytes (4 or 8) */
IR_HELPER(helper_cvtsi2ss);
IR_HELPER(helper_cvtsi2sd);
/* CVT(T)SS2SI/CVT(T)SD2SI: a1 s, a2 result size in bytes (4 or 8) -> the integer */
IR_HELPER(helper_cvtss2si);
IR_HELPER(helper_cvttss2si);
IR_HELPER(helper_cvtsd2si);
IR_HELPER(helper_cvttsd2si);

/* The exception an SSE floating-point operation that raised `flags` (MXCSR_IE..PE) takes
 * under env->mxcsr and CR4: 0 (none: every one masked), EXCP13_XF or EXCP06_ILLOP. */
int x86_sse_fp_exception(X86CPU *env, uint32_t flags);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * sse-ops.h - the instruction list of the sse guest, shared by the guest (32-bit protected
 * mode) and by its oracle gen-sse-expect (a 64-bit host program). Both run the very same
 * instruction text through SSE_RUN on the same inputs (sse_input, a deterministic
 * generator): XMM0-XMM2, a 16-byte aligned memory operand %[m], EAX ECX EDX, the
 * arithmetic flags and MXCSR in; the same out. MMX instructions load MM1/MM2 from the low
 * halves of XMM1/XMM2 and store MM1 back into XMM1's low half, then EMMS.
 *
 * The instructions are ones that behave identically in 32-bit protected mode and in 64-bit
 * mode with these operands. Each entry: X(name, gen, "instruction text"); gen picks the
 * input values (G_*).
 */
#ifndef SSE_OPS_H
#define SSE_OPS_H

#include <stdint.h>

enum {
    G_I,        /* integers: random bytes and words with saturation edges */
    G_F,        /* single precision: zeros, denormals, infinities, NaNs, ties, limits */
    G_D,        /* double precision */
    G_C,        /* integers, with a shift count (0..70) in XMM2's low quadword */
    G_S,        /* strings for PCMPxSTRx: a small alphabet with NULs; EAX/EDX lengths */
    G_N,        /* 32-bit integers for conversions (limits, rounding cases) */
};

struct sse_state {
    uint32_t x0[4], x1[4], x2[4];
    uint32_t m[4];                      /* the memory operand: 16-byte aligned */
    uint32_t eax, ecx, edx, fl, mxcsr;
    uint32_t pad[3];
} __attribute__((aligned(16)));

#define SSE_NVEC 12                     /* input vectors per instruction */

#ifdef __x86_64__
#define SSE_CLOBBERS "xmm0", "xmm1", "xmm2", "mm1", "mm2", "cc", "memory"
typedef uint64_t sse_ulong;
#else
#define SSE_CLOBBERS "cc", "memory"    /* the guest is built with -mgeneral-regs-only */
typedef uint32_t sse_ulong;
#endif

#define SSE_RUN(insn, st)                                                                \
    do {                                                                                 \
        sse_ulong fl_ = (st)->fl;                                                        \
        __asm__ volatile("movdqu %[x0], %%xmm0\n\t"                                      \
                         "movdqu %[x1], %%xmm1\n\t"                                      \
                         "movdqu %[x2], %%xmm2\n\t"                                      \
                         "ldmxcsr %[csr]\n\t"                                            \
                         "push %[fl]\n\t"                                                \
                         "popf\n\t" insn "\n\t"                                          \
                         "pushf\n\t"                                                     \
                         "pop %[fl]\n\t"                                                 \
                         "stmxcsr %[csr]\n\t"                                            \
                         "movdqu %%xmm0, %[x0]\n\t"                                      \
                         "movdqu %%xmm1, %[x1]\n\t"                                      \
                         "movdqu %%xmm2, %[x2]"                                          \
                         : [x0] "+m"((st)->x0), [x1] "+m"((st)->x1), [x2] "+m"((st)->x2), \
                           [m] "+m"((st)->m), [csr] "+m"((st)->mxcsr), "+a"((st)->eax),  \
                           "+c"((st)->ecx), "+d"((st)->edx), [fl] "+r"(fl_)              \
                         :                                                               \
                         : SSE_CLOBBERS);                                                \
        (st)->fl = (uint32_t)fl_ & 0x8d5u;                                               \
    } while (0)

/* an MMX instruction on MM1, MM2 (the low halves of XMM1, XMM2) */
#define MMX2(op) "movdq2q %%xmm1, %%mm1\n\tmovdq2q %%xmm2, %%mm2\n\t" op "\n\t" \
                 "movq2dq %%mm1, %%xmm1\n\temms"

#define SSE_OPS(X)                                                                       \
    /* moves */                                                                          \
    X(movdqa_ld, G_I, "movdqa %[m], %%xmm1")                                             \
    X(movdqu_st, G_I, "movdqu %%xmm1, %[m]")                                             \
    X(movaps_rr, G_F, "movaps %%xmm2, %%xmm1")                                           \
    X(movntdq, G_I, "movntdq %%xmm2, %[m]")                                              \
    X(movss_ld, G_F, "movss %[m], %%xmm1")                                               \
    X(movss_rr, G_F, "movss %%xmm2, %%xmm1")                                             \
    X(movsd_st, G_D, "movsd %%xmm1, %[m]")                                               \
    X(movhlps, G_F, "movhlps %%xmm2, %%xmm1")                                            \
    X(movlhps, G_F, "movlhps %%xmm2, %%xmm1")                                            \
    X(movhps_ld, G_F, "movhps %[m], %%xmm1")                                             \
    X(movlpd_st, G_D, "movlpd %%xmm1, %[m]")                                             \
    X(movd_ld, G_I, "movd %%ecx, %%xmm1")                                                \
    X(movd_st, G_I, "movd %%xmm2, %%eax")                                                \
    X(movq_ld, G_I, "movq %[m], %%xmm1")                                                 \
    X(movq_st, G_I, "movq %%xmm1, %[m]")                                                 \
    X(movq_mm, G_I, MMX2("movq %%mm2, %%mm1"))                                           \
    X(movd_mm, G_I, MMX2("movd %%ecx, %%mm1\n\tmovd %%mm2, %%eax"))                      \
    X(movq2dq, G_I, "movdq2q %%xmm2, %%mm2\n\tmovq2dq %%mm2, %%xmm1\n\temms")               \
    X(lddqu, G_I, "lddqu %[m], %%xmm1")                                                  \
    X(movntdqa, G_I, "movntdqa %[m], %%xmm1")                                            \
    X(movddup, G_D, "movddup %%xmm2, %%xmm1")                                            \
    X(movshdup, G_F, "movshdup %[m], %%xmm1")                                            \
    X(pinsrw, G_I, "pinsrw $5, %%ecx, %%xmm1")                                           \
    X(pextrw, G_I, "pextrw $6, %%xmm2, %%eax")                                           \
    X(pinsrb, G_I, "pinsrb $13, %%ecx, %%xmm1")                                          \
    X(pinsrd_m, G_I, "pinsrd $2, %[m], %%xmm1")                                          \
    X(pextrb, G_I, "pextrb $9, %%xmm2, %%eax")                                           \
    X(pextrd_m, G_I, "pextrd $3, %%xmm2, %[m]")                                          \
    X(extractps, G_F, "extractps $1, %%xmm2, %%eax")                                     \
    X(insertps, G_F, "insertps $0x9a, %%xmm2, %%xmm1")                                   \
    X(insertps_m, G_F, "insertps $0x31, %[m], %%xmm1")                                   \
    X(pmovmskb, G_I, "pmovmskb %%xmm2, %%eax")                                           \
    X(pmovmskb_mm, G_I, "movdq2q %%xmm2, %%mm2\n\tpmovmskb %%mm2, %%eax\n\temms")           \
    X(movmskps, G_F, "movmskps %%xmm2, %%eax")                                           \
    X(movmskpd, G_D, "movmskpd %%xmm2, %%ecx")                                           \
    /* logic, add, sub, compare */                                                       \
    X(pand, G_I, "pand %%xmm2, %%xmm1")                                                  \
    X(pandn_m, G_I, "pandn %[m], %%xmm1")                                                \
    X(por, G_I, "por %%xmm2, %%xmm1")                                                    \
    X(pxor_same, G_I, "pxor %%xmm1, %%xmm1")                                             \
    X(xorps, G_F, "xorps %%xmm2, %%xmm1")                                                \
    X(andnpd, G_D, "andnpd %%xmm2, %%xmm1")                                              \
    X(paddb, G_I, "paddb %%xmm2, %%xmm1")                                                \
    X(paddw_m, G_I, "paddw %[m], %%xmm1")                                                \
    X(paddd, G_I, "paddd %%xmm2, %%xmm1")                                                \
    X(paddq, G_I, "paddq %%xmm2, %%xmm1")                                                \
    X(psubb, G_I, "psubb %%xmm2, %%xmm1")                                                \
    X(psubw, G_I, "psubw %%xmm2, %%xmm1")                                                \
    X(psubd_m, G_I, "psubd %[m], %%xmm1")                                                \
    X(psubq, G_I, "psubq %%xmm2, %%xmm1")                                                \
    X(pcmpeqb, G_I, "pcmpeqb %%xmm2, %%xmm1")                                            \
    X(pcmpeqw_m, G_I, "pcmpeqw %[m], %%xmm1")                                            \
    X(pcmpeqd, G_I, "pcmpeqd %%xmm2, %%xmm1")                                            \
    X(pcmpeqb_same, G_I, "pcmpeqb %%xmm1, %%xmm1")                                       \
    X(pcmpgtb, G_I, "pcmpgtb %%xmm2, %%xmm1")                                            \
    X(pcmpgtq, G_I, "pcmpgtq %%xmm2, %%xmm1")                                            \
    X(pcmpeqq, G_I, "pcmpeqq %%xmm2, %%xmm1")                                            \
    X(paddb_mm, G_I, MMX2("paddb %%mm2, %%mm1"))                                         \
    X(psubw_mm, G_I, MMX2("psubw %%mm2, %%mm1"))                                         \
    X(pcmpeqd_mm, G_I, MMX2("pcmpeqd %%mm2, %%mm1"))                                     \
    X(pxor_mm, G_I, MMX2("pxor %%mm2, %%mm1"))                                           \
    /* saturating, multiply, average, min/max, sums */                                   \
    X(paddsb, G_I, "paddsb %%xmm2, %%xmm1")                                              \
    X(paddusw, G_I, "paddusw %%xmm2, %%xmm1")                                            \
    X(psubsw, G_I, "psubsw %%xmm2, %%xmm1")                                              \
    X(psubusb, G_I, "psubusb %%xmm2, %%xmm1")                                            \
    X(pmullw, G_I, "pmullw %%xmm2, %%xmm1")                                              \
    X(pmulhw, G_I, "pmulhw %%xmm2, %%xmm1")                                              \
    X(pmulhuw, G_I, "pmulhuw %%xmm2, %%xmm1")                                            \
    X(pmuludq, G_I, "pmuludq %%xmm2, %%xmm1")                                            \
    X(pmaddwd, G_I, "pmaddwd %%xmm2, %%xmm1")                                            \
    X(psadbw, G_I, "psadbw %%xmm2, %%xmm1")                                              \
    X(pavgb, G_I, "pavgb %%xmm2, %%xmm1")                                                \
    X(pminub, G_I, "pminub %%xmm2, %%xmm1")                                              \
    X(pmaxsw, G_I, "pmaxsw %%xmm2, %%xmm1")                                              \
    X(pminsd, G_I, "pminsd %%xmm2, %%xmm1")                                              \
    X(pmaxuw, G_I, "pmaxuw %%xmm2, %%xmm1")                                              \
    X(pmulld, G_I, "pmulld %%xmm2, %%xmm1")                                              \
    X(pmuldq, G_I, "pmuldq %%xmm2, %%xmm1")                                              \
    X(pmaddwd_mm, G_I, MMX2("pmaddwd %%mm2, %%mm1"))                                     \
    X(psadbw_mm, G_I, MMX2("psadbw %%mm2, %%mm1"))                                       \
    X(pmulhuw_mm, G_I, MMX2("pmulhuw %%mm2, %%mm1"))                                     \
    /* pack, unpack, shuffle */                                                          \
    X(packsswb, G_I, "packsswb %%xmm2, %%xmm1")                                          \
    X(packuswb, G_I, "packuswb %%xmm2, %%xmm1")                                          \
    X(packssdw, G_I, "packssdw %%xmm2, %%xmm1")                                          \
    X(packusdw, G_I, "packusdw %%xmm2, %%xmm1")                                          \
    X(punpcklbw, G_I, "punpcklbw %%xmm2, %%xmm1")                                        \
    X(punpckhdq, G_I, "punpckhdq %%xmm2, %%xmm1")                                        \
    X(punpcklqdq, G_I, "punpcklqdq %%xmm2, %%xmm1")                                      \
    X(punpckhwd_mm, G_I, MMX2("punpckhwd %%mm2, %%mm1"))                                 \
    X(punpcklbw_mm_m, G_I, MMX2("punpcklbw %[m], %%mm1"))                                \
    X(pshufd, G_I, "pshufd $0x1b, %%xmm2, %%xmm1")                                       \
    X(pshuflw, G_I, "pshuflw $0x9c, %%xmm2, %%xmm1")                                     \
    X(pshufhw_m, G_I, "pshufhw $0x4e, %[m], %%xmm1")                                     \
    X(pshufw, G_I, MMX2("pshufw $0xe4, %%mm2, %%mm1"))                                   \
    X(pshufb, G_I, "pshufb %%xmm2, %%xmm1")                                              \
    X(palignr, G_I, "palignr $5, %%xmm2, %%xmm1")                                        \
    X(palignr_mm, G_I, MMX2("palignr $11, %%mm2, %%mm1"))                                \
    X(shufps, G_F, "shufps $0x4e, %%xmm2, %%xmm1")                                       \
    X(shufpd, G_D, "shufpd $1, %%xmm2, %%xmm1")                                          \
    X(unpcklps, G_F, "unpcklps %%xmm2, %%xmm1")                                          \
    X(unpckhpd, G_D, "unpckhpd %%xmm2, %%xmm1")                                          \
    /* shifts */                                                                         \
    X(psllw_i, G_I, "psllw $3, %%xmm1")                                                  \
    X(psrlw_i, G_I, "psrlw $15, %%xmm1")                                                 \
    X(psraw_i, G_I, "psraw $20, %%xmm1")                                                 \
    X(pslld_r, G_C, "pslld %%xmm2, %%xmm1")                                              \
    X(psrad_r, G_C, "psrad %%xmm2, %%xmm1")                                              \
    X(psllq_i, G_I, "psllq $33, %%xmm1")                                                 \
    X(psrlq_r, G_C, "psrlq %%xmm2, %%xmm1")                                              \
    X(psrldq, G_I, "psrldq $3, %%xmm1")                                                  \
    X(pslldq, G_I, "pslldq $9, %%xmm1")                                                  \
    X(psrlq_mm, G_C, MMX2("psrlq %%mm2, %%mm1"))                                         \
    X(psllw_mm_i, G_I, MMX2("psllw $7, %%mm1"))                                          \
    /* SSSE3 */                                                                          \
    X(phaddw, G_I, "phaddw %%xmm2, %%xmm1")                                              \
    X(phsubsw, G_I, "phsubsw %%xmm2, %%xmm1")                                            \
    X(phaddd_mm, G_I, MMX2("phaddd %%mm2, %%mm1"))                                       \
    X(pmaddubsw, G_I, "pmaddubsw %%xmm2, %%xmm1")                                        \
    X(pmulhrsw, G_I, "pmulhrsw %%xmm2, %%xmm1")                                          \
    X(psignb, G_I, "psignb %%xmm2, %%xmm1")                                              \
    X(pabsd, G_I, "pabsd %%xmm2, %%xmm1")                                                \
    /* SSE4.1 */                                                                         \
    X(pblendvb, G_I, "pblendvb %%xmm0, %%xmm2, %%xmm1")                                  \
    X(blendvps, G_F, "blendvps %%xmm0, %%xmm2, %%xmm1")                                  \
    X(blendps, G_F, "blendps $5, %%xmm2, %%xmm1")                                        \
    X(pblendw, G_I, "pblendw $0xa5, %%xmm2, %%xmm1")                                     \
    X(ptest, G_I, "ptest %%xmm2, %%xmm1")                                                \
    X(pmovsxbw, G_I, "pmovsxbw %%xmm2, %%xmm1")                                          \
    X(pmovzxwd_m, G_I, "pmovzxwd %[m], %%xmm1")                                          \
    X(pmovsxdq, G_I, "pmovsxdq %%xmm2, %%xmm1")                                          \
    X(phminposuw, G_I, "phminposuw %%xmm2, %%xmm1")                                      \
    X(mpsadbw, G_I, "mpsadbw $5, %%xmm2, %%xmm1")                                        \
    X(roundps_n, G_F, "roundps $0, %%xmm2, %%xmm1")                                      \
    X(roundps_d, G_F, "roundps $1, %%xmm2, %%xmm1")                                      \
    X(roundpd_u, G_D, "roundpd $2, %%xmm2, %%xmm1")                                      \
    X(roundss_z, G_F, "roundss $0xb, %%xmm2, %%xmm1")                                    \
    X(roundsd_mx, G_D, "roundsd $4, %%xmm2, %%xmm1")                                     \
    X(dpps, G_F, "dpps $0xf1, %%xmm2, %%xmm1")                                           \
    X(dppd, G_D, "dppd $0x32, %%xmm2, %%xmm1")                                           \
    /* SSE4.2 */                                                                         \
    X(pcmpestri_sub, G_S, "pcmpestri $0x0c, %%xmm2, %%xmm1")                             \
    X(pcmpestrm_rng, G_S, "pcmpestrm $0x44, %%xmm2, %%xmm1")                             \
    X(pcmpistri_any, G_S, "pcmpistri $0x00, %%xmm2, %%xmm1")                             \
    X(pcmpistri_each, G_S, "pcmpistri $0x18, %[m], %%xmm1")                              \
    X(pcmpistrm_neg, G_S, "pcmpistrm $0x70, %%xmm2, %%xmm1")                             \
    X(pcmpestri_w, G_S, "pcmpestri $0x4d, %%xmm2, %%xmm1")                               \
    X(crc32b, G_I, "crc32b %%cl, %%eax")                                                 \
    X(crc32w, G_I, "crc32w %%cx, %%eax")                                                 \
    X(crc32l_m, G_I, "crc32l %[m], %%eax")                                               \
    /* floating point */                                                                 \
    X(addps, G_F, "addps %%xmm2, %%xmm1")                                                \
    X(addsd_m, G_D, "addsd %[m], %%xmm1")                                                \
    X(subpd, G_D, "subpd %%xmm2, %%xmm1")                                                \
    X(mulss, G_F, "mulss %%xmm2, %%xmm1")                                                \
    X(mulpd, G_D, "mulpd %%xmm2, %%xmm1")                                                \
    X(divps_m, G_F, "divps %[m], %%xmm1")                                                \
    X(divsd, G_D, "divsd %%xmm2, %%xmm1")                                                \
    X(sqrtps, G_F, "sqrtps %%xmm2, %%xmm1")                                              \
    X(sqrtsd, G_D, "sqrtsd %%xmm2, %%xmm1")                                              \
    X(minps, G_F, "minps %%xmm2, %%xmm1")                                                \
    X(maxsd, G_D, "maxsd %%xmm2, %%xmm1")                                                \
    X(cmpltps, G_F, "cmpltps %%xmm2, %%xmm1")                                            \
    X(cmpneqpd, G_D, "cmpneqpd %%xmm2, %%xmm1")                                          \
    X(cmpunordss, G_F, "cmpunordss %%xmm2, %%xmm1")                                      \
    X(comiss, G_F, "comiss %%xmm2, %%xmm1")                                              \
    X(ucomisd_m, G_D, "ucomisd %[m], %%xmm1")                                            \
    X(haddps, G_F, "haddps %%xmm2, %%xmm1")                                              \
    X(hsubpd, G_D, "hsubpd %%xmm2, %%xmm1")                                              \
    X(addsubps, G_F, "addsubps %%xmm2, %%xmm1")                                          \
    /* conversions */                                                                    \
    X(cvtps2pd, G_F, "cvtps2pd %%xmm2, %%xmm1")                                          \
    X(cvtpd2ps, G_D, "cvtpd2ps %%xmm2, %%xmm1")                                          \
    X(cvtss2sd, G_F, "cvtss2sd %%xmm2, %%xmm1")                                          \
    X(cvtsd2ss_m, G_D, "cvtsd2ss %[m], %%xmm1")                                          \
    X(cvtdq2ps, G_N, "cvtdq2ps %%xmm2, %%xmm1")                                          \
    X(cvtps2dq, G_F, "cvtps2dq %%xmm2, %%xmm1")                                          \
    X(cvttps2dq, G_F, "cvttps2dq %%xmm2, %%xmm1")                                        \
    X(cvtdq2pd, G_N, "cvtdq2pd %%xmm2, %%xmm1")                                          \
    X(cvtpd2dq, G_D, "cvtpd2dq %%xmm2, %%xmm1")                                          \
    X(cvttpd2dq, G_D, "cvttpd2dq %%xmm2, %%xmm1")                                        \
    X(cvtsi2ss, G_N, "cvtsi2ss %%ecx, %%xmm1")                                           \
    X(cvtsi2sd_m, G_N, "cvtsi2sdl %[m], %%xmm1")                                         \
    X(cvtss2si, G_F, "cvtss2si %%xmm2, %%eax")                                           \
    X(cvttsd2si, G_D, "cvttsd2si %%xmm2, %%eax")                                         \
    X(cvtsd2si_m, G_D, "cvtsd2si %[m], %%ecx")                                           \
    X(cvtpi2ps, G_N, "movdq2q %%xmm2, %%mm2\n\tcvtpi2ps %%mm2, %%xmm1\n\temms")             \
    X(cvtps2pi, G_F, "cvtps2pi %%xmm2, %%mm1\n\tmovq2dq %%mm1, %%xmm1\n\temms")             \
    X(cvttpd2pi, G_D, "cvttpd2pi %%xmm2, %%mm1\n\tmovq2dq %%mm1, %%xmm1\n\temms")

#define SSE_DEFINE_FN(name, gen, insn) \
    static void sse_op_##name(struct sse_state *st) { SSE_RUN(insn, st); }
#define SSE_NAME(name, gen, insn) #name,
#define SSE_GEN(name, gen, insn) gen,
#define SSE_FN_PTR(name, gen, insn) sse_op_##name,

/* ---- the inputs (the same on the host and in the guest) ---- */

static const uint32_t sse_f32_edge[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0xc0200000,
    0x3f000000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7f800001, 0xff812345, 0x4f000000, 0xcf000000, 0x4effffff,
    0x4b000001, 0x33800000, 0x40490fdb,
};
static const uint32_t sse_f64_edge_hi[] = {   /* high words; the low word is random or 0 */
    0x00000000, 0x80000000, 0x3ff00000, 0xbff00000, 0x3ff80000, 0x40040000, 0xc0040000,
    0x3fe00000, 0x00000001, 0x800fffff, 0x00100000, 0x7fefffff, 0x7ff00000, 0xfff00000,
    0x7ff80000, 0xfff80000, 0x7ff00000, 0x41e00000, 0xc1e00000, 0x41dfffff, 0x43300000,
    0x36a00000, 0x47efffff, 0x400921fb,
};
static const uint16_t sse_int_edge[] = {
    0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xffff, 0x00ff, 0xff00,
};
static const uint8_t sse_alpha[] = { 0, 'a', 'b', 'c', 'z', 'a', 'b', 0x80 };

static inline uint32_t sse_rng(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

#define SSE_N(a) (sizeof(a) / sizeof((a)[0]))

static inline uint32_t sse_word(uint32_t *s, int gen, unsigned i)
{
    uint32_t r = sse_rng(s), v;

    switch (gen) {
    case G_F:
        return (r & 1) ? sse_f32_edge[(r >> 1) % SSE_N(sse_f32_edge)]
                       : (r & 0x807fffffu) | ((100 + (r >> 8) % 54) << 23);
    case G_D:       /* i even: the low word */
        if (i & 1) {
            return (r & 1) ? sse_f64_edge_hi[(r >> 1) % SSE_N(sse_f64_edge_hi)]
                           : (r & 0x800fffffu) | ((1000 + (r >> 8) % 46) << 20);
        }
        return (r & 6) ? 0 : sse_rng(s);
    case G_N:
        switch (r & 7) {
        case 0: return 0x80000000u;
        case 1: return 0x7fffffffu;
        case 2: return 16777217;
        case 3: return 0xfeffffffu;
        default: return sse_rng(s) >> (r & 24);
        }
    case G_S:
        v = 0;
        for (int k = 0; k < 4; k++) {
            v |= (uint32_t)sse_alpha[(sse_rng(s) >> 3) % ((r & 3) ? 5 : SSE_N(sse_alpha))]
                 << (8 * k);
        }
        return (r & 0x30) == 0x30 ? v | 0x01010101u : v;
    default:
        if (r & 1) {
            return sse_rng(s);
        }
        return sse_int_edge[(r >> 1) % SSE_N(sse_int_edge)] |
               (uint32_t)sse_int_edge[(r >> 9) % SSE_N(sse_int_edge)] << 16;
    }
}

/* Input vector v of operation op. */
static inline void sse_input(struct sse_state *st, unsigned op, unsigned v, int gen)
{
    uint32_t s = 0x9e3779b9u ^ (op * 0x85ebca6bu) ^ (v * 0xc2b2ae35u);
    uint32_t *w[4] = { st->x0, st->x1, st->x2, st->m };

    if (s == 0) {
        s = 1;
    }
    for (int r = 0; r < 4; r++) {
        for (unsigned i = 0; i < 4; i++) {
            w[r][i] = sse_word(&s, gen, i);
        }
    }
    st->eax = sse_rng(&s);
    st->ecx = sse_rng(&s);
    st->edx = sse_rng(&s);
    if (gen == G_S) {
        st->eax = (uint32_t)((int)(sse_rng(&s) % 41) - 20);
        st->edx = (uint32_t)((int)(sse_rng(&s) % 41) - 20);
    }
    if (gen == G_C) {
        st->x2[0] = v < 10 ? v * 7 : sse_rng(&s) % 80;
        st->x2[1] = v == 11 ? 1 : 0;
    }
    st->fl = 0x2 | (sse_rng(&s) & 0x8d5u);
    st->mxcsr = 0x1f80;
    if (gen == G_F || gen == G_D || gen == G_N) {
        st->mxcsr |= (v & 3) << 13;                 /* every rounding mode */
        st->mxcsr |= (v & 4) ? 0x40 : 0;            /* DAZ */
        st->mxcsr |= (v & 8) ? 0x8000 : 0;          /* FTZ */
    }
    st->pad[0] = st->pad[1] = st->pad[2] = 0;
}

#endif

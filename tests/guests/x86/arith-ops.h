/* SPDX-License-Identifier: MIT */
/*
 * arith-ops.h - the instruction list of the arith guest, shared by the guest (32-bit,
 * protected mode) and by its oracle gen-arith-expect (64-bit host program). Both run the
 * very same instruction text through ARITH_RUN: inputs in EAX EBX ECX EDX, EFLAGS and a
 * 64-bit memory operand; outputs are the same registers, EFLAGS and memory.
 *
 * The instructions are ones that behave identically in 32-bit protected mode and in
 * 64-bit mode when their operands are 8/16/32-bit registers (no stack, no 64-bit-invalid
 * opcodes). Each entry: X(name, gen, fcls, width, arg, "instruction text")
 *   gen    how gen-arith-expect picks input vectors (G_*)
 *   fcls   which flags are architecturally defined afterwards (F_*, see arith_masks)
 *   width  operand size in bits; arg: the immediate count of immediate shift forms
 */
#ifndef ARITH_OPS_H
#define ARITH_OPS_H

#include <stdint.h>

/* input generators */
enum {
    G_BIN,      /* a, b from the value set; one input-flags value per vector */
    G_BINC,     /* same, each with input flags all-clear and all-set (carry consumers) */
    G_UN,       /* a from the value set (b, c, d fixed) */
    G_UNC,      /* same with both input flag values */
    G_CNT,      /* a from the shift set, c = count from the count set, both flag inputs */
    G_CNTIMM,   /* a from the shift set, c = arg (the immediate), both flag inputs */
    G_SHD,      /* a, b from the shift set, c = count */
    G_DIV,      /* d:a dividend, b divisor; vectors that would raise #DE are dropped */
    G_BIT,      /* a from the value set, b = bit offset */
    G_BSF,      /* b from the value set, a preloaded */
    G_CX,       /* cmpxchg: a accumulator, b new value, c destination (equal or not) */
    G_CXM,      /* cmpxchg with m as destination */
    G_CX8,      /* cmpxchg8b: d:a compare, c:b new, m destination */
    G_BINM,     /* m, b from the value set */
    G_FL,       /* input flags over all combinations of CF PF ZF SF OF (AF alternating) */
    G_SAHF,     /* AH over all 256 values */
};

/* flag classes */
enum {
    F_ALL,      /* CF PF AF ZF SF OF all defined (or unchanged) */
    F_LOGIC,    /* AF undefined */
    F_MUL,      /* only CF and OF defined */
    F_NONE,     /* all undefined (DIV, IDIV) */
    F_SHIFT,    /* count 0: unchanged; AF undefined; OF only for count 1; CF not for count >= width */
    F_ROT,      /* count 0: unchanged; OF only for count 1 */
    F_SHD,      /* count 0: unchanged; AF undefined; OF only for count 1 */
    F_BT,       /* only CF (Intel: ZF unchanged; AMD: ZF undefined) */
    F_BSF,      /* only ZF; destination undefined when the source is 0 */
};

#define ARITH_OPS(X)                                                          \
    /* add/adc/sub/sbb/cmp */                                                 \
    X(add8, G_BIN, F_ALL, 8, 0, "addb %%bl, %%al")                            \
    X(add16, G_BIN, F_ALL, 16, 0, "addw %%bx, %%ax")                          \
    X(add32, G_BIN, F_ALL, 32, 0, "addl %%ebx, %%eax")                        \
    X(add8_hi, G_BIN, F_ALL, 8, 0, "addb %%ah, %%bh")                         \
    X(add32_imm8, G_BIN, F_ALL, 32, 0, "addl $-128, %%eax")                   \
    X(add16_imm, G_BIN, F_ALL, 16, 0, "addw $0x7fff, %%ax")                   \
    X(adc8, G_BINC, F_ALL, 8, 0, "adcb %%bl, %%al")                           \
    X(adc16, G_BINC, F_ALL, 16, 0, "adcw %%bx, %%ax")                         \
    X(adc32, G_BINC, F_ALL, 32, 0, "adcl %%ebx, %%eax")                       \
    X(adc32_imm, G_BINC, F_ALL, 32, 0, "adcl $0, %%eax")                      \
    X(sub8, G_BIN, F_ALL, 8, 0, "subb %%bl, %%al")                            \
    X(sub16, G_BIN, F_ALL, 16, 0, "subw %%bx, %%ax")                          \
    X(sub32, G_BIN, F_ALL, 32, 0, "subl %%ebx, %%eax")                        \
    X(sub8_hi, G_BIN, F_ALL, 8, 0, "subb %%bh, %%ch")                         \
    X(sub32_imm, G_BIN, F_ALL, 32, 0, "subl $0x80000000, %%eax")              \
    X(sbb8, G_BINC, F_ALL, 8, 0, "sbbb %%bl, %%al")                           \
    X(sbb16, G_BINC, F_ALL, 16, 0, "sbbw %%bx, %%ax")                         \
    X(sbb32, G_BINC, F_ALL, 32, 0, "sbbl %%ebx, %%eax")                       \
    X(sbb8_imm, G_BINC, F_ALL, 8, 0, "sbbb $1, %%al")                         \
    X(cmp8, G_BIN, F_ALL, 8, 0, "cmpb %%bl, %%al")                            \
    X(cmp16, G_BIN, F_ALL, 16, 0, "cmpw %%bx, %%ax")                          \
    X(cmp32, G_BIN, F_ALL, 32, 0, "cmpl %%ebx, %%eax")                        \
    X(cmp8_imm, G_BIN, F_ALL, 8, 0, "cmpb $0x80, %%al")                       \
    /* inc/dec/neg/not */                                                     \
    X(inc8, G_UNC, F_ALL, 8, 0, "incb %%al")                                  \
    X(inc16, G_UNC, F_ALL, 16, 0, "incw %%ax")                                \
    X(inc32, G_UNC, F_ALL, 32, 0, "incl %%eax")                               \
    X(dec8, G_UNC, F_ALL, 8, 0, "decb %%al")                                  \
    X(dec16, G_UNC, F_ALL, 16, 0, "decw %%ax")                                \
    X(dec32, G_UNC, F_ALL, 32, 0, "decl %%eax")                               \
    X(neg8, G_UN, F_ALL, 8, 0, "negb %%al")                                   \
    X(neg16, G_UN, F_ALL, 16, 0, "negw %%ax")                                 \
    X(neg32, G_UN, F_ALL, 32, 0, "negl %%eax")                                \
    X(not8, G_UNC, F_ALL, 8, 0, "notb %%al")                                  \
    X(not16, G_UN, F_ALL, 16, 0, "notw %%ax")                                 \
    X(not32, G_UNC, F_ALL, 32, 0, "notl %%eax")                               \
    /* logic */                                                               \
    X(and8, G_BIN, F_LOGIC, 8, 0, "andb %%bl, %%al")                          \
    X(and16, G_BIN, F_LOGIC, 16, 0, "andw %%bx, %%ax")                        \
    X(and32, G_BIN, F_LOGIC, 32, 0, "andl %%ebx, %%eax")                      \
    X(and8_imm, G_BIN, F_LOGIC, 8, 0, "andb $0x0f, %%al")                     \
    X(or8, G_BIN, F_LOGIC, 8, 0, "orb %%bl, %%al")                            \
    X(or16, G_BIN, F_LOGIC, 16, 0, "orw %%bx, %%ax")                          \
    X(or32, G_BIN, F_LOGIC, 32, 0, "orl %%ebx, %%eax")                        \
    X(or32_imm, G_BIN, F_LOGIC, 32, 0, "orl $0x80000000, %%eax")              \
    X(xor8, G_BIN, F_LOGIC, 8, 0, "xorb %%bl, %%al")                          \
    X(xor16, G_BIN, F_LOGIC, 16, 0, "xorw %%bx, %%ax")                        \
    X(xor32, G_BIN, F_LOGIC, 32, 0, "xorl %%ebx, %%eax")                      \
    X(xor32_imm8, G_BIN, F_LOGIC, 32, 0, "xorl $-1, %%eax")                   \
    X(test8, G_BIN, F_LOGIC, 8, 0, "testb %%bl, %%al")                        \
    X(test16, G_BIN, F_LOGIC, 16, 0, "testw %%bx, %%ax")                      \
    X(test32, G_BIN, F_LOGIC, 32, 0, "testl %%ebx, %%eax")                    \
    X(test8_hi, G_BIN, F_LOGIC, 8, 0, "testb %%ah, %%bh")                     \
    /* multiply */                                                            \
    X(mul8, G_BIN, F_MUL, 8, 0, "mulb %%bl")                                  \
    X(mul16, G_BIN, F_MUL, 16, 0, "mulw %%bx")                                \
    X(mul32, G_BIN, F_MUL, 32, 0, "mull %%ebx")                               \
    X(imul8, G_BIN, F_MUL, 8, 0, "imulb %%bl")                                \
    X(imul16, G_BIN, F_MUL, 16, 0, "imulw %%bx")                              \
    X(imul32, G_BIN, F_MUL, 32, 0, "imull %%ebx")                             \
    X(imul2_16, G_BIN, F_MUL, 16, 0, "imulw %%bx, %%ax")                      \
    X(imul2_32, G_BIN, F_MUL, 32, 0, "imull %%ebx, %%eax")                    \
    X(imul3_16, G_BIN, F_MUL, 16, 0, "imulw $-300, %%bx, %%ax")               \
    X(imul3_16i8, G_BIN, F_MUL, 16, 0, "imulw $7, %%bx, %%cx")                \
    X(imul3_32, G_BIN, F_MUL, 32, 0, "imull $0x12345, %%ebx, %%eax")          \
    X(imul3_32i8, G_BIN, F_MUL, 32, 0, "imull $-3, %%ebx, %%eax")             \
    /* divide */                                                              \
    X(div8, G_DIV, F_NONE, 8, 0, "divb %%bl")                                 \
    X(div16, G_DIV, F_NONE, 16, 0, "divw %%bx")                               \
    X(div32, G_DIV, F_NONE, 32, 0, "divl %%ebx")                              \
    X(idiv8, G_DIV, F_NONE, 8, 1, "idivb %%bl")                               \
    X(idiv16, G_DIV, F_NONE, 16, 1, "idivw %%bx")                             \
    X(idiv32, G_DIV, F_NONE, 32, 1, "idivl %%ebx")                            \
    /* shifts */                                                              \
    X(shl8, G_CNT, F_SHIFT, 8, 0, "shlb %%cl, %%al")                          \
    X(shl16, G_CNT, F_SHIFT, 16, 0, "shlw %%cl, %%ax")                        \
    X(shl32, G_CNT, F_SHIFT, 32, 0, "shll %%cl, %%eax")                       \
    X(shr8, G_CNT, F_SHIFT, 8, 0, "shrb %%cl, %%al")                          \
    X(shr16, G_CNT, F_SHIFT, 16, 0, "shrw %%cl, %%ax")                        \
    X(shr32, G_CNT, F_SHIFT, 32, 0, "shrl %%cl, %%eax")                       \
    X(sar8, G_CNT, F_SHIFT, 8, 0, "sarb %%cl, %%al")                          \
    X(sar16, G_CNT, F_SHIFT, 16, 0, "sarw %%cl, %%ax")                        \
    X(sar32, G_CNT, F_SHIFT, 32, 0, "sarl %%cl, %%eax")                       \
    X(shl32_1, G_CNTIMM, F_SHIFT, 32, 1, "shll $1, %%eax")                    \
    X(shr8_1, G_CNTIMM, F_SHIFT, 8, 1, "shrb $1, %%al")                       \
    X(sar16_1, G_CNTIMM, F_SHIFT, 16, 1, "sarw $1, %%ax")                     \
    X(sar8_3, G_CNTIMM, F_SHIFT, 8, 3, "sarb $3, %%al")                       \
    X(shr16_15, G_CNTIMM, F_SHIFT, 16, 15, "shrw $15, %%ax")                  \
    X(shl32_31, G_CNTIMM, F_SHIFT, 32, 31, "shll $31, %%eax")                 \
    X(shl32_32, G_CNTIMM, F_SHIFT, 32, 32, "shll $32, %%eax")                 \
    /* rotates */                                                             \
    X(rol8, G_CNT, F_ROT, 8, 0, "rolb %%cl, %%al")                            \
    X(rol16, G_CNT, F_ROT, 16, 0, "rolw %%cl, %%ax")                          \
    X(rol32, G_CNT, F_ROT, 32, 0, "roll %%cl, %%eax")                         \
    X(ror8, G_CNT, F_ROT, 8, 0, "rorb %%cl, %%al")                            \
    X(ror16, G_CNT, F_ROT, 16, 0, "rorw %%cl, %%ax")                          \
    X(ror32, G_CNT, F_ROT, 32, 0, "rorl %%cl, %%eax")                         \
    X(rcl8, G_CNT, F_ROT, 8, 0, "rclb %%cl, %%al")                            \
    X(rcl16, G_CNT, F_ROT, 16, 0, "rclw %%cl, %%ax")                          \
    X(rcl32, G_CNT, F_ROT, 32, 0, "rcll %%cl, %%eax")                         \
    X(rcr8, G_CNT, F_ROT, 8, 0, "rcrb %%cl, %%al")                            \
    X(rcr16, G_CNT, F_ROT, 16, 0, "rcrw %%cl, %%ax")                          \
    X(rcr32, G_CNT, F_ROT, 32, 0, "rcrl %%cl, %%eax")                         \
    X(rol32_1, G_CNTIMM, F_ROT, 32, 1, "roll $1, %%eax")                      \
    X(ror8_4, G_CNTIMM, F_ROT, 8, 4, "rorb $4, %%al")                         \
    X(rcl16_1, G_CNTIMM, F_ROT, 16, 1, "rclw $1, %%ax")                       \
    X(rcr8_1, G_CNTIMM, F_ROT, 8, 1, "rcrb $1, %%al")                         \
    X(rcr32_7, G_CNTIMM, F_ROT, 32, 7, "rcrl $7, %%eax")                      \
    /* double shifts */                                                       \
    X(shld16, G_SHD, F_SHD, 16, 0, "shldw %%cl, %%bx, %%ax")                  \
    X(shld32, G_SHD, F_SHD, 32, 0, "shldl %%cl, %%ebx, %%eax")                \
    X(shrd16, G_SHD, F_SHD, 16, 0, "shrdw %%cl, %%bx, %%ax")                  \
    X(shrd32, G_SHD, F_SHD, 32, 0, "shrdl %%cl, %%ebx, %%eax")                \
    X(shld32_4, G_CNTIMM, F_SHD, 32, 4, "shldl $4, %%ebx, %%eax")             \
    X(shrd32_1, G_CNTIMM, F_SHD, 32, 1, "shrdl $1, %%ebx, %%eax")             \
    X(shrd16_12, G_CNTIMM, F_SHD, 16, 12, "shrdw $12, %%bx, %%ax")            \
    /* bit tests and scans */                                                 \
    X(bt16, G_BIT, F_BT, 16, 0, "btw %%bx, %%ax")                             \
    X(bt32, G_BIT, F_BT, 32, 0, "btl %%ebx, %%eax")                           \
    X(bts16, G_BIT, F_BT, 16, 0, "btsw %%bx, %%ax")                           \
    X(bts32, G_BIT, F_BT, 32, 0, "btsl %%ebx, %%eax")                         \
    X(btr16, G_BIT, F_BT, 16, 0, "btrw %%bx, %%ax")                           \
    X(btr32, G_BIT, F_BT, 32, 0, "btrl %%ebx, %%eax")                         \
    X(btc16, G_BIT, F_BT, 16, 0, "btcw %%bx, %%ax")                           \
    X(btc32, G_BIT, F_BT, 32, 0, "btcl %%ebx, %%eax")                         \
    X(bt32_imm, G_UN, F_BT, 32, 0, "btl $31, %%eax")                          \
    X(bts32_imm, G_UN, F_BT, 32, 0, "btsl $33, %%eax")                        \
    X(btr16_imm, G_UN, F_BT, 16, 0, "btrw $17, %%ax")                         \
    X(btc32_imm, G_UN, F_BT, 32, 0, "btcl $5, %%eax")                         \
    X(bsf16, G_BSF, F_BSF, 16, 0, "bsfw %%bx, %%ax")                          \
    X(bsf32, G_BSF, F_BSF, 32, 0, "bsfl %%ebx, %%eax")                        \
    X(bsr16, G_BSF, F_BSF, 16, 0, "bsrw %%bx, %%ax")                          \
    X(bsr32, G_BSF, F_BSF, 32, 0, "bsrl %%ebx, %%eax")                        \
    X(bswap32, G_UN, F_ALL, 32, 0, "bswapl %%eax")                            \
    X(bswap32_ebx, G_BIN, F_ALL, 32, 0, "bswapl %%ebx")                       \
    /* exchange and compare */                                                \
    X(xadd8, G_BIN, F_ALL, 8, 0, "xaddb %%bl, %%al")                          \
    X(xadd16, G_BIN, F_ALL, 16, 0, "xaddw %%bx, %%ax")                        \
    X(xadd32, G_BIN, F_ALL, 32, 0, "xaddl %%ebx, %%eax")                      \
    X(xadd32_mem, G_BINM, F_ALL, 32, 0, "xaddl %%ebx, %[m]")                  \
    X(lock_xadd32_mem, G_BINM, F_ALL, 32, 0, "lock xaddl %%ebx, %[m]")        \
    X(cmpxchg8, G_CX, F_ALL, 8, 0, "cmpxchgb %%bl, %%cl")                     \
    X(cmpxchg16, G_CX, F_ALL, 16, 0, "cmpxchgw %%bx, %%cx")                   \
    X(cmpxchg32, G_CX, F_ALL, 32, 0, "cmpxchgl %%ebx, %%ecx")                 \
    X(cmpxchg32_mem, G_CXM, F_ALL, 32, 0, "lock cmpxchgl %%ebx, %[m]")        \
    X(cmpxchg8b, G_CX8, F_ALL, 64, 0, "cmpxchg8b %[m]")                       \
    X(lock_cmpxchg8b, G_CX8, F_ALL, 64, 0, "lock cmpxchg8b %[m]")             \
    X(xchg32, G_BIN, F_ALL, 32, 0, "xchgl %%ebx, %%eax")                      \
    X(xchg8_hi, G_BIN, F_ALL, 8, 0, "xchgb %%ah, %%al")                       \
    X(xchg16_mem, G_BINM, F_ALL, 16, 0, "xchgw %%bx, %[m]")                   \
    /* flags */                                                               \
    X(lahf, G_FL, F_ALL, 8, 0, "lahf")                                        \
    X(sahf, G_SAHF, F_ALL, 8, 0, "sahf")                                      \
    X(cmc, G_FL, F_ALL, 0, 0, "cmc")                                          \
    X(clc, G_FL, F_ALL, 0, 0, "clc")                                          \
    X(stc, G_FL, F_ALL, 0, 0, "stc")                                          \
    X(seto, G_FL, F_ALL, 8, 0, "seto %%al")                                   \
    X(setno, G_FL, F_ALL, 8, 0, "setno %%al")                                 \
    X(setb, G_FL, F_ALL, 8, 0, "setb %%al")                                   \
    X(setae, G_FL, F_ALL, 8, 0, "setae %%bl")                                 \
    X(sete, G_FL, F_ALL, 8, 0, "sete %%al")                                   \
    X(setne, G_FL, F_ALL, 8, 0, "setne %%ah")                                 \
    X(setbe, G_FL, F_ALL, 8, 0, "setbe %%al")                                 \
    X(seta, G_FL, F_ALL, 8, 0, "seta %%al")                                   \
    X(sets, G_FL, F_ALL, 8, 0, "sets %%al")                                   \
    X(setns, G_FL, F_ALL, 8, 0, "setns %%cl")                                 \
    X(setp, G_FL, F_ALL, 8, 0, "setp %%al")                                   \
    X(setnp, G_FL, F_ALL, 8, 0, "setnp %%al")                                 \
    X(setl, G_FL, F_ALL, 8, 0, "setl %%al")                                   \
    X(setge, G_FL, F_ALL, 8, 0, "setge %%dh")                                 \
    X(setle, G_FL, F_ALL, 8, 0, "setle %%al")                                 \
    X(setg, G_FL, F_ALL, 8, 0, "setg %%al")                                   \
    X(cmovo, G_FL, F_ALL, 32, 0, "cmovol %%ebx, %%eax")                       \
    X(cmovno, G_FL, F_ALL, 32, 0, "cmovnol %%ebx, %%eax")                     \
    X(cmovb, G_FL, F_ALL, 32, 0, "cmovbl %%ebx, %%eax")                       \
    X(cmovae, G_FL, F_ALL, 32, 0, "cmovael %%ebx, %%eax")                     \
    X(cmove, G_FL, F_ALL, 32, 0, "cmovel %%ebx, %%eax")                       \
    X(cmovne, G_FL, F_ALL, 32, 0, "cmovnel %%ebx, %%eax")                     \
    X(cmovbe, G_FL, F_ALL, 32, 0, "cmovbel %%ebx, %%eax")                     \
    X(cmova, G_FL, F_ALL, 32, 0, "cmoval %%ebx, %%eax")                       \
    X(cmovs, G_FL, F_ALL, 32, 0, "cmovsl %%ebx, %%eax")                       \
    X(cmovns, G_FL, F_ALL, 32, 0, "cmovnsl %%ebx, %%eax")                     \
    X(cmovp, G_FL, F_ALL, 32, 0, "cmovpl %%ebx, %%eax")                       \
    X(cmovnp, G_FL, F_ALL, 32, 0, "cmovnpl %%ebx, %%eax")                     \
    X(cmovl, G_FL, F_ALL, 32, 0, "cmovll %%ebx, %%eax")                       \
    X(cmovge, G_FL, F_ALL, 32, 0, "cmovgel %%ebx, %%eax")                     \
    X(cmovle, G_FL, F_ALL, 32, 0, "cmovlel %%ebx, %%eax")                     \
    X(cmovg, G_FL, F_ALL, 32, 0, "cmovgl %%ebx, %%eax")                       \
    X(cmove16, G_FL, F_ALL, 16, 0, "cmovew %%bx, %%ax")                       \
    X(cmovl16_mem, G_FL, F_ALL, 16, 0, "cmovlw %[m], %%cx")                   \
    /* moves and extensions */                                                \
    X(movzbl, G_BIN, F_ALL, 32, 0, "movzbl %%bl, %%eax")                      \
    X(movzbw, G_BIN, F_ALL, 16, 0, "movzbw %%bh, %%ax")                       \
    X(movzwl, G_BIN, F_ALL, 32, 0, "movzwl %%bx, %%eax")                      \
    X(movsbl, G_BIN, F_ALL, 32, 0, "movsbl %%bl, %%eax")                      \
    X(movsbw, G_BIN, F_ALL, 16, 0, "movsbw %%bl, %%ax")                       \
    X(movswl, G_BIN, F_ALL, 32, 0, "movswl %%bx, %%eax")                      \
    X(movsbl_hi, G_BIN, F_ALL, 32, 0, "movsbl %%ah, %%ecx")                   \
    X(cbw, G_UN, F_ALL, 16, 0, "cbtw")                                        \
    X(cwde, G_UN, F_ALL, 32, 0, "cwtl")                                       \
    X(cwd, G_UN, F_ALL, 16, 0, "cwtd")                                        \
    X(cdq, G_UN, F_ALL, 32, 0, "cltd")                                        \
    X(lea32, G_BIN, F_ALL, 32, 0, "leal 0x12345678(%%ebx,%%ecx,4), %%eax")    \
    X(lea16, G_BIN, F_ALL, 16, 0, "leaw -8(%%ebx,%%ebx,2), %%ax")

/* One machine state: the inputs or outputs of a vector. */
struct arith_state {
    uint32_t a, b, c, d, fl, mlo, mhi;
};

/* rmask bits: which outputs are compared */
#define R_A 1u
#define R_B 2u
#define R_C 4u
#define R_D 8u
#define R_M 16u
#define R_ALL 31u

#define FL_ARITH 0x8d5u     /* CF PF AF ZF SF OF */

struct arith_vec {
    uint16_t op, fmask;
    uint32_t rmask;
    struct arith_state in, out;
};

/* The memory operand: a global, so that no operand is addressed relative to ESP/RSP
 * (the flags are moved through the stack inside the asm). */
extern uint64_t arith_mem;

#ifdef __x86_64__
#define ARITH_FL_IN  "pushq %q[fl]\n\tpopfq\n\t"
#define ARITH_FL_OUT "\n\tpushfq\n\tpopq %q[fl]"
typedef unsigned long arith_flags_t;
#else
#define ARITH_FL_IN  "pushl %[fl]\n\tpopfl\n\t"
#define ARITH_FL_OUT "\n\tpushfl\n\tpopl %[fl]"
typedef uint32_t arith_flags_t;
#endif

/* Runs one instruction on st (in place). */
#define ARITH_RUN(insn, st)                                                           \
    do {                                                                              \
        uint32_t a_ = (st)->a, b_ = (st)->b, c_ = (st)->c, d_ = (st)->d;              \
        arith_flags_t fl_ = 0x2 | ((st)->fl & FL_ARITH);                              \
        arith_mem = ((uint64_t)(st)->mhi << 32) | (st)->mlo;                          \
        __asm__ volatile(ARITH_FL_IN insn ARITH_FL_OUT                                \
                         : "+a"(a_), "+b"(b_), "+c"(c_), "+d"(d_), [fl] "+S"(fl_),    \
                           [m] "+m"(arith_mem)                                        \
                         :                                                            \
                         : "cc");                                                     \
        (st)->a = a_;                                                                 \
        (st)->b = b_;                                                                 \
        (st)->c = c_;                                                                 \
        (st)->d = d_;                                                                 \
        (st)->fl = (uint32_t)fl_;                                                     \
        (st)->mlo = (uint32_t)arith_mem;                                              \
        (st)->mhi = (uint32_t)(arith_mem >> 32);                                      \
    } while (0)

#define ARITH_DEFINE_FN(name, gen, fcls, width, arg, insn)                            \
    static void arith_op_##name(struct arith_state *st) { ARITH_RUN(insn, st); }
#define ARITH_NAME(name, gen, fcls, width, arg, insn) #name,
#define ARITH_FN_PTR(name, gen, fcls, width, arg, insn) arith_op_##name,

#endif /* ARITH_OPS_H */

/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/decode.c — the x86 instruction decoder: prefixes, REX, the one-byte, 0F, 0F38 and
 * 0F3A opcode maps, ModRM/SIB/displacement in 16/32/64-bit addressing, immediates, and the
 * #UD rules that depend on the encoding alone (Intel SDM vol. 2, appendix A; chapter 2 for
 * prefixes and REX). Table-driven: a row per opcode, group rows per ModRM.reg (and per
 * ModRM.rm for the mod=3 forms that need it), and a row of four mnemonics (none/66/F3/F2) for
 * the opcodes with mandatory prefixes.
 *
 * Not modelled: VEX/EVEX/XOP (C4/C5/62/8F forms that are not LES/LDS/BOUND/POP decode as
 * invalid), 3DNow! (0F 0F), the AMD-only SSE4a forms, and #UD that depends on CPU features
 * or on the register an operand names (CR1, DR with REX.R): the translator checks those.
 */
#include "cpu/x86/decode.h"

#include <string.h>

/* ---------------------------------------------------------------------------------------
 * Table formats
 */

/* Immediate kinds */
enum {
    IMM_NONE,
    IMM_B,      /* Ib, zero-extended */
    IMM_BS,     /* Ib, sign-extended (83, 6A, 6B) */
    IMM_W,      /* Iw, zero-extended */
    IMM_Z,      /* Iz: 2 or 4 bytes by opsize, sign-extended */
    IMM_V,      /* Iv: opsize bytes (B8+r), zero-extended */
    IMM_JB,     /* Jb: sign-extended rel8 */
    IMM_JZ,     /* Jz: rel16/rel32 by opsize, sign-extended */
    IMM_AP,     /* Ap: offset (2 or 4 by opsize) then selector */
    IMM_MOFFS,  /* Ob/Ov: an address-size offset, into disp */
    IMM_ENTER,  /* Iw, Ib */
};

/* Row kinds */
enum { K_PLAIN, K_GROUP, K_SSE };

/* Row flags (opcode rows and group rows share them; a group row's flags are or-ed in) */
#define F_M     0x0001  /* has ModRM */
#define F_B     0x0002  /* byte operand size */
#define F_D64   0x0004  /* 64-bit mode: default opsize 8, 66 gives 2 */
#define F_F64   0x0008  /* 64-bit mode: opsize forced to 8 */
#define F_I64   0x0010  /* invalid in 64-bit mode */
#define F_O64   0x0020  /* valid only in 64-bit mode */
#define F_L     0x0040  /* LOCK allowed (with a memory operand) */
#define F_MEM   0x0080  /* ModRM.mod must not be 3 */
#define F_REG   0x0100  /* ModRM.mod must be 3 */
#define F_CR    0x0200  /* MOV CR/DR: mod ignored, always the register form */
#define F_FIX   0x0400  /* the mnemonic or validity needs fixup() */
#define F_RM    0x0800  /* group row: m indexes byrm[], selected by ModRM.rm */
#define F_OSZ   0x1000  /* mnemonic is m, m+1, m+2 for opsize 2, 4, 8 */
#define F_OSZ2  0x2000  /* with F_OSZ: no 64-bit name (opsize 8 uses m+1) */
#define F_ASZ   0x4000  /* mnemonic is m, m+1, m+2 for addrsize 2, 4, 8 */

typedef struct OpRow {
    uint16_t m;         /* mnemonic; group number for K_GROUP; unused for K_SSE */
    uint16_t f;
    uint8_t imm;
    uint8_t kind;
} OpRow;

typedef struct GrpRow {
    uint16_t m;         /* mnemonic, or byrm[] index with F_RM */
    uint16_t f;
    uint8_t imm;        /* overrides the opcode row's immediate if not IMM_NONE */
} GrpRow;

typedef struct Group {
    GrpRow mem[8];      /* mod != 3, by ModRM.reg */
    GrpRow reg[8];      /* mod == 3 */
} Group;

/* Mandatory-prefix variants: index 0 none, 1 66, 2 F3, 3 F2 */
#define V0   0x1
#define V66  0x2
#define VF3  0x4
#define VF2  0x8
typedef struct SseRow {
    uint16_t m[4];
    uint8_t memonly;    /* V* bits: variants that need mod != 3 */
    uint8_t regonly;    /* variants that need mod == 3 */
} SseRow;

/* Spelling helpers for the tables */
#define X86_M__ X86_M_INVALID
#define O(mn, im, fl)       { X86_M_##mn, (fl), IMM_##im, K_PLAIN }
#define GR(g, im, fl)       { GRP_##g, (fl) | F_M, IMM_##im, K_GROUP }
#define SS(im, fl)          { 0, (fl) | F_M, IMM_##im, K_SSE }
#define XX                  { 0, 0, IMM_NONE, K_PLAIN }
#define E(mn)               { X86_M_##mn, 0, IMM_NONE }
#define EF(mn, fl)          { X86_M_##mn, (fl), IMM_NONE }
#define EI(mn, im)          { X86_M_##mn, 0, IMM_##im }
#define BR(idx)             { BR_##idx, F_RM, IMM_NONE }
#define E_                  { 0, 0, IMM_NONE }
#define S(a, b, c, d, mo, ro) { { X86_M_##a, X86_M_##b, X86_M_##c, X86_M_##d }, (mo), (ro) }
#define S2(a)               S(a, a, _, _, 0, 0)          /* MMX and SSE2 integer: none/66 */
#define S66(a)              S(_, a, _, _, 0, 0)
#define SNP(a)              S(a, _, _, _, 0, 0)
#define SPS(p)              S(p##PS, p##PD, p##SS, p##SD, 0, 0)  /* ADDPS/PD/SS/SD... */

/* ---------------------------------------------------------------------------------------
 * Groups
 */

enum {
    GRP_1, GRP_1A, GRP_2, GRP_3B, GRP_3V, GRP_4, GRP_5, GRP_11B, GRP_11V,
    GRP_6, GRP_7, GRP_8, GRP_9, GRP_12, GRP_13, GRP_14, GRP_15, GRP_16, GRP_P,
    GRP_D8, GRP_D9, GRP_DA, GRP_DB, GRP_DC, GRP_DD, GRP_DE, GRP_DF,
};

enum {
    BR_0F01_0, BR_0F01_1, BR_0F01_2, BR_0F01_3, BR_0F01_5, BR_0F01_7,
    BR_C6_7, BR_C7_7,
    BR_D9_2, BR_D9_4, BR_D9_5, BR_D9_6, BR_D9_7, BR_DA_5, BR_DB_4, BR_DE_3, BR_DF_4,
};

/* Mod=3 rows selected by ModRM.rm */
static const GrpRow byrm[][8] = {
    [BR_0F01_0] = { E_, E(VMCALL), E(VMLAUNCH), E(VMRESUME), E(VMXOFF), E_, E_, E_ },
    [BR_0F01_1] = { E(MONITOR), E(MWAIT), E(CLAC), E(STAC), E_, E_, E_, E(ENCLS) },
    [BR_0F01_2] = { E(XGETBV), E(XSETBV), E_, E_, E(VMFUNC), E(XEND), E(XTEST), E(ENCLU) },
    [BR_0F01_3] = { E(VMRUN), E(VMMCALL), E(VMLOAD), E(VMSAVE), E(STGI), E(CLGI), E(SKINIT),
                    E(INVLPGA) },
    [BR_0F01_5] = { E_, E_, E_, E_, E_, E_, E(RDPKRU), E(WRPKRU) },
    [BR_0F01_7] = { EF(SWAPGS, F_O64), E(RDTSCP), E(MONITORX), E(MWAITX), E(CLZERO), E(RDPRU),
                    E_, E_ },
    [BR_C6_7]   = { E(XABORT), E_, E_, E_, E_, E_, E_, E_ },
    [BR_C7_7]   = { E(XBEGIN), E_, E_, E_, E_, E_, E_, E_ },
    [BR_D9_2]   = { E(FNOP), E_, E_, E_, E_, E_, E_, E_ },
    [BR_D9_4]   = { E(FCHS), E(FABS), E_, E_, E(FTST), E(FXAM), E_, E_ },
    [BR_D9_5]   = { E(FLD1), E(FLDL2T), E(FLDL2E), E(FLDPI), E(FLDLG2), E(FLDLN2), E(FLDZ), E_ },
    [BR_D9_6]   = { E(F2XM1), E(FYL2X), E(FPTAN), E(FPATAN), E(FXTRACT), E(FPREM1),
                    E(FDECSTP), E(FINCSTP) },
    [BR_D9_7]   = { E(FPREM), E(FYL2XP1), E(FSQRT), E(FSINCOS), E(FRNDINT), E(FSCALE), E(FSIN),
                    E(FCOS) },
    [BR_DA_5]   = { E_, E(FUCOMPP), E_, E_, E_, E_, E_, E_ },
    /* DB E0/E1/E4 (8087 FENI/FDISI, 287 FSETPM) execute as no-ops since the 387 */
    [BR_DB_4]   = { E(FNOP), E(FNOP), E(FNCLEX), E(FNINIT), E(FNOP), E_, E_, E_ },
    [BR_DE_3]   = { E_, E(FCOMPP), E_, E_, E_, E_, E_, E_ },
    [BR_DF_4]   = { E(FNSTSW), E_, E_, E_, E_, E_, E_, E_ },
};

#define G8(a, b, c, d, e, f, g, h) { a, b, c, d, e, f, g, h }
#define GRP1_ROW  G8(EF(ADD, F_L), EF(OR, F_L), EF(ADC, F_L), EF(SBB, F_L), \
                     EF(AND, F_L), EF(SUB, F_L), EF(XOR, F_L), E(CMP))
#define GRP2_ROW  G8(E(ROL), E(ROR), E(RCL), E(RCR), E(SHL), E(SHR), E(SHL), E(SAR))
#define GRP3_ROW(im) G8(EI(TEST, im), EI(TEST, im), EF(NOT, F_L), EF(NEG, F_L), \
                        E(MUL), E(IMUL), E(DIV), E(IDIV))
#define GRP6_ROW  G8(E(SLDT), E(STR), E(LLDT), E(LTR), E(VERR), E(VERW), E_, E_)
#define NOP8      G8(E(NOP), E(NOP), E(NOP), E(NOP), E(NOP), E(NOP), E(NOP), E(NOP))
#define NONE8     G8(E_, E_, E_, E_, E_, E_, E_, E_)

static const Group groups[] = {
    [GRP_1]   = { GRP1_ROW, GRP1_ROW },
    [GRP_1A]  = { G8(EF(POP, F_D64), E_, E_, E_, E_, E_, E_, E_),
                  G8(EF(POP, F_D64), E_, E_, E_, E_, E_, E_, E_) },
    [GRP_2]   = { GRP2_ROW, GRP2_ROW },
    [GRP_3B]  = { GRP3_ROW(B), GRP3_ROW(B) },
    [GRP_3V]  = { GRP3_ROW(Z), GRP3_ROW(Z) },
    [GRP_4]   = { G8(EF(INC, F_L), EF(DEC, F_L), E_, E_, E_, E_, E_, E_),
                  G8(E(INC), E(DEC), E_, E_, E_, E_, E_, E_) },
    [GRP_5]   = { G8(EF(INC, F_L), EF(DEC, F_L), EF(CALL, F_F64), E(CALLF), EF(JMP, F_F64),
                     E(JMPF), EF(PUSH, F_D64), E_),
                  G8(E(INC), E(DEC), EF(CALL, F_F64), E_, EF(JMP, F_F64), E_,
                     EF(PUSH, F_D64), E_) },
    [GRP_11B] = { G8(E(MOV), E_, E_, E_, E_, E_, E_, E_),
                  G8(E(MOV), E_, E_, E_, E_, E_, E_, BR(C6_7)) },
    [GRP_11V] = { G8(E(MOV), E_, E_, E_, E_, E_, E_, E_),
                  G8(E(MOV), E_, E_, E_, E_, E_, E_, BR(C7_7)) },
    [GRP_6]   = { GRP6_ROW, GRP6_ROW },
    [GRP_7]   = { G8(E(SGDT), E(SIDT), E(LGDT), E(LIDT), E(SMSW), E_, E(LMSW), E(INVLPG)),
                  G8(BR(0F01_0), BR(0F01_1), BR(0F01_2), BR(0F01_3), E(SMSW), BR(0F01_5),
                     E(LMSW), BR(0F01_7)) },
    [GRP_8]   = { G8(E_, E_, E_, E_, E(BT), EF(BTS, F_L), EF(BTR, F_L), EF(BTC, F_L)),
                  G8(E_, E_, E_, E_, E(BT), E(BTS), E(BTR), E(BTC)) },
    [GRP_9]   = { G8(E_, EF(CMPXCHG8B, F_L | F_FIX), E_, E(XRSTORS), E(XSAVEC), E(XSAVES),
                     EF(VMPTRLD, F_FIX), E(VMPTRST)),
                  G8(E_, E_, E_, E_, E_, E_, E(RDRAND), EF(RDSEED, F_FIX)) },
    [GRP_12]  = { NONE8, G8(E_, E_, EF(PSRLW, F_FIX), E_, EF(PSRAW, F_FIX), E_,
                            EF(PSLLW, F_FIX), E_) },
    [GRP_13]  = { NONE8, G8(E_, E_, EF(PSRLD, F_FIX), E_, EF(PSRAD, F_FIX), E_,
                            EF(PSLLD, F_FIX), E_) },
    [GRP_14]  = { NONE8, G8(E_, E_, EF(PSRLQ, F_FIX), EF(PSRLDQ, F_FIX), E_, E_,
                            EF(PSLLQ, F_FIX), EF(PSLLDQ, F_FIX)) },
    [GRP_15]  = { G8(E(FXSAVE), E(FXRSTOR), E(LDMXCSR), E(STMXCSR), E(XSAVE), E(XRSTOR),
                     EF(XSAVEOPT, F_FIX), EF(CLFLUSH, F_FIX)),
                  G8(EF(INVALID, F_FIX), EF(INVALID, F_FIX), EF(INVALID, F_FIX),
                     EF(INVALID, F_FIX), E_, EF(LFENCE, F_FIX), EF(MFENCE, F_FIX),
                     EF(SFENCE, F_FIX)) },
    [GRP_16]  = { G8(E(PREFETCHNTA), E(PREFETCHT0), E(PREFETCHT1), E(PREFETCHT2),
                     E(NOP), E(NOP), E(NOP), E(NOP)),
                  NOP8 },
    [GRP_P]   = { G8(E(PREFETCH), E(PREFETCHW), E(PREFETCHWT1), E(PREFETCH), E(PREFETCH),
                     E(PREFETCH), E(PREFETCH), E(PREFETCH)),
                  NONE8 },
    [GRP_D8]  = { G8(E(FADD), E(FMUL), E(FCOM), E(FCOMP), E(FSUB), E(FSUBR), E(FDIV), E(FDIVR)),
                  G8(E(FADD), E(FMUL), E(FCOM), E(FCOMP), E(FSUB), E(FSUBR), E(FDIV),
                     E(FDIVR)) },
    [GRP_D9]  = { G8(E(FLD), E_, E(FST), E(FSTP), E(FLDENV), E(FLDCW), E(FNSTENV), E(FNSTCW)),
                  G8(E(FLD), E(FXCH), BR(D9_2), E(FSTP), BR(D9_4), BR(D9_5), BR(D9_6),
                     BR(D9_7)) },
    [GRP_DA]  = { G8(E(FIADD), E(FIMUL), E(FICOM), E(FICOMP), E(FISUB), E(FISUBR), E(FIDIV),
                     E(FIDIVR)),
                  G8(E(FCMOVB), E(FCMOVE), E(FCMOVBE), E(FCMOVU), E_, BR(DA_5), E_, E_) },
    [GRP_DB]  = { G8(E(FILD), E(FISTTP), E(FIST), E(FISTP), E_, E(FLD), E_, E(FSTP)),
                  G8(E(FCMOVNB), E(FCMOVNE), E(FCMOVNBE), E(FCMOVNU), BR(DB_4), E(FUCOMI),
                     E(FCOMI), E_) },
    /* DC/DE register forms swap SUB/SUBR and DIV/DIVR (SDM: DC E0+i is FSUBR ST(i), ST0) */
    [GRP_DC]  = { G8(E(FADD), E(FMUL), E(FCOM), E(FCOMP), E(FSUB), E(FSUBR), E(FDIV), E(FDIVR)),
                  G8(E(FADD), E(FMUL), E(FCOM), E(FCOMP), E(FSUBR), E(FSUB), E(FDIVR),
                     E(FDIV)) },
    [GRP_DD]  = { G8(E(FLD), E(FISTTP), E(FST), E(FSTP), E(FRSTOR), E_, E(FNSAVE), E(FNSTSW)),
                  G8(E(FFREE), E(FXCH), E(FST), E(FSTP), E(FUCOM), E(FUCOMP), E_, E_) },
    [GRP_DE]  = { G8(E(FIADD), E(FIMUL), E(FICOM), E(FICOMP), E(FISUB), E(FISUBR), E(FIDIV),
                     E(FIDIVR)),
                  G8(E(FADDP), E(FMULP), E(FCOMP), BR(DE_3), E(FSUBRP), E(FSUBP), E(FDIVRP),
                     E(FDIVP)) },
    [GRP_DF]  = { G8(E(FILD), E(FISTTP), E(FIST), E(FISTP), E(FBLD), E(FILD), E(FBSTP),
                     E(FISTP)),
                  G8(E(FFREEP), E(FXCH), E(FSTP), E(FSTP), BR(DF_4), E(FUCOMIP), E(FCOMIP),
                     E_) },
};

/* ---------------------------------------------------------------------------------------
 * The one-byte map (SDM table A-2). Prefix bytes never reach it: their rows are unused.
 */

#define ALU(mn, l) O(mn, NONE, F_M | F_B | (l)), O(mn, NONE, F_M | (l)), O(mn, NONE, F_M | F_B), \
                   O(mn, NONE, F_M), O(mn, B, F_B), O(mn, Z, 0)
#define R8(mn, im, fl) O(mn, im, fl), O(mn, im, fl), O(mn, im, fl), O(mn, im, fl), \
                       O(mn, im, fl), O(mn, im, fl), O(mn, im, fl), O(mn, im, fl)
#define STR_OP(b, v) O(b, NONE, F_B), O(v, NONE, F_OSZ)

static const OpRow map1b[256] = {
    /* 00 */ ALU(ADD, F_L), O(PUSH, NONE, F_I64), O(POP, NONE, F_I64),
    /* 08 */ ALU(OR, F_L), O(PUSH, NONE, F_I64), XX,
    /* 10 */ ALU(ADC, F_L), O(PUSH, NONE, F_I64), O(POP, NONE, F_I64),
    /* 18 */ ALU(SBB, F_L), O(PUSH, NONE, F_I64), O(POP, NONE, F_I64),
    /* 20 */ ALU(AND, F_L), XX, O(DAA, NONE, F_I64),
    /* 28 */ ALU(SUB, F_L), XX, O(DAS, NONE, F_I64),
    /* 30 */ ALU(XOR, F_L), XX, O(AAA, NONE, F_I64),
    /* 38 */ ALU(CMP, 0), XX, O(AAS, NONE, F_I64),
    /* 40 */ R8(INC, NONE, 0),
    /* 48 */ R8(DEC, NONE, 0),
    /* 50 */ R8(PUSH, NONE, F_D64),
    /* 58 */ R8(POP, NONE, F_D64),
    /* 60 */ O(PUSHA, NONE, F_I64 | F_OSZ | F_OSZ2), O(POPA, NONE, F_I64 | F_OSZ | F_OSZ2),
             O(BOUND, NONE, F_M | F_MEM | F_I64), O(ARPL, NONE, F_M | F_FIX), XX, XX, XX, XX,
    /* 68 */ O(PUSH, Z, F_D64), O(IMUL, Z, F_M), O(PUSH, BS, F_D64), O(IMUL, BS, F_M),
             O(INSB, NONE, F_B), O(INSW, NONE, F_OSZ | F_OSZ2),
             O(OUTSB, NONE, F_B), O(OUTSW, NONE, F_OSZ | F_OSZ2),
    /* 70 */ O(JO, JB, F_F64), O(JNO, JB, F_F64), O(JB, JB, F_F64), O(JAE, JB, F_F64),
             O(JE, JB, F_F64), O(JNE, JB, F_F64), O(JBE, JB, F_F64), O(JA, JB, F_F64),
    /* 78 */ O(JS, JB, F_F64), O(JNS, JB, F_F64), O(JP, JB, F_F64), O(JNP, JB, F_F64),
             O(JL, JB, F_F64), O(JGE, JB, F_F64), O(JLE, JB, F_F64), O(JG, JB, F_F64),
    /* 80 */ GR(1, B, F_B), GR(1, Z, 0), GR(1, B, F_B | F_I64), GR(1, BS, 0),
             O(TEST, NONE, F_M | F_B), O(TEST, NONE, F_M),
             O(XCHG, NONE, F_M | F_B | F_L), O(XCHG, NONE, F_M | F_L),
    /* 88 */ O(MOV, NONE, F_M | F_B), O(MOV, NONE, F_M), O(MOV, NONE, F_M | F_B), O(MOV, NONE, F_M),
             O(MOV, NONE, F_M | F_FIX), O(LEA, NONE, F_M | F_MEM), O(MOV, NONE, F_M | F_FIX),
             GR(1A, NONE, 0),
    /* 90 */ O(NOP, NONE, F_FIX), O(XCHG, NONE, 0), O(XCHG, NONE, 0), O(XCHG, NONE, 0),
             O(XCHG, NONE, 0), O(XCHG, NONE, 0), O(XCHG, NONE, 0), O(XCHG, NONE, 0),
    /* 98 */ O(CBW, NONE, F_OSZ), O(CWD, NONE, F_OSZ), O(CALLF, AP, F_I64), O(FWAIT, NONE, 0),
             O(PUSHF, NONE, F_D64 | F_OSZ), O(POPF, NONE, F_D64 | F_OSZ), O(SAHF, NONE, 0),
             O(LAHF, NONE, 0),
    /* A0 */ O(MOV, MOFFS, F_B), O(MOV, MOFFS, 0), O(MOV, MOFFS, F_B), O(MOV, MOFFS, 0),
             STR_OP(MOVSB, MOVSW), STR_OP(CMPSB, CMPSW),
    /* A8 */ O(TEST, B, F_B), O(TEST, Z, 0), STR_OP(STOSB, STOSW), STR_OP(LODSB, LODSW),
             STR_OP(SCASB, SCASW),
    /* B0 */ R8(MOV, B, F_B),
    /* B8 */ R8(MOV, V, 0),
    /* C0 */ GR(2, B, F_B), GR(2, B, 0), O(RET, W, F_F64), O(RET, NONE, F_F64),
             O(LES, NONE, F_M | F_MEM | F_I64), O(LDS, NONE, F_M | F_MEM | F_I64),
             GR(11B, B, F_B), GR(11V, Z, 0),
    /* C8 */ O(ENTER, ENTER, F_D64), O(LEAVE, NONE, F_D64), O(RETF, W, 0), O(RETF, NONE, 0),
             O(INT3, NONE, 0), O(INT, B, 0), O(INTO, NONE, F_I64), O(IRET, NONE, F_OSZ),
    /* D0 */ GR(2, NONE, F_B), GR(2, NONE, 0), GR(2, NONE, F_B), GR(2, NONE, 0),
             O(AAM, B, F_I64), O(AAD, B, F_I64), O(SALC, NONE, F_I64), O(XLAT, NONE, 0),
    /* D8 */ GR(D8, NONE, 0), GR(D9, NONE, 0), GR(DA, NONE, 0), GR(DB, NONE, 0),
             GR(DC, NONE, 0), GR(DD, NONE, 0), GR(DE, NONE, 0), GR(DF, NONE, 0),
    /* E0 */ O(LOOPNE, JB, F_F64), O(LOOPE, JB, F_F64), O(LOOP, JB, F_F64),
             O(JCXZ, JB, F_F64 | F_ASZ),
             O(IN, B, F_B), O(IN, B, 0), O(OUT, B, F_B), O(OUT, B, 0),
    /* E8 */ O(CALL, JZ, F_F64), O(JMP, JZ, F_F64), O(JMPF, AP, F_I64), O(JMP, JB, F_F64),
             O(IN, NONE, F_B), O(IN, NONE, 0), O(OUT, NONE, F_B), O(OUT, NONE, 0),
    /* F0 */ XX, O(INT1, NONE, 0), XX, XX, O(HLT, NONE, 0), O(CMC, NONE, 0),
             GR(3B, NONE, F_B), GR(3V, NONE, 0),
    /* F8 */ O(CLC, NONE, 0), O(STC, NONE, 0), O(CLI, NONE, 0), O(STI, NONE, 0),
             O(CLD, NONE, 0), O(STD, NONE, 0), GR(4, NONE, F_B), GR(5, NONE, 0),
};

/* ---------------------------------------------------------------------------------------
 * The 0F map (SDM table A-3)
 */

#define JCC(cc)  O(J##cc, JZ, F_F64)
#define CMOV(cc) O(CMOV##cc, NONE, F_M)
#define SET(cc)  O(SET##cc, NONE, F_M | F_B)
#define SS8      SS(NONE, 0), SS(NONE, 0), SS(NONE, 0), SS(NONE, 0), \
                 SS(NONE, 0), SS(NONE, 0), SS(NONE, 0), SS(NONE, 0)

static const OpRow map0f[256] = {
    /* 00 */ GR(6, NONE, 0), GR(7, NONE, 0), O(LAR, NONE, F_M), O(LSL, NONE, F_M),
             XX, O(SYSCALL, NONE, 0), O(CLTS, NONE, 0), O(SYSRET, NONE, 0),
    /* 08 */ O(INVD, NONE, 0), O(WBINVD, NONE, 0), XX, O(UD2, NONE, 0),
             XX, GR(P, NONE, 0), XX, XX,
    /* 10 */ SS8,
    /* 18 */ GR(16, NONE, 0), O(NOP, NONE, F_M), O(NOP, NONE, F_M), O(NOP, NONE, F_M),
             O(NOP, NONE, F_M), O(NOP, NONE, F_M), O(NOP, NONE, F_M | F_FIX), O(NOP, NONE, F_M),
    /* 20 */ O(MOV, NONE, F_M | F_CR | F_F64), O(MOV, NONE, F_M | F_CR | F_F64),
             O(MOV, NONE, F_M | F_CR | F_F64), O(MOV, NONE, F_M | F_CR | F_F64), XX, XX, XX, XX,
    /* 28 */ SS8,
    /* 30 */ O(WRMSR, NONE, 0), O(RDTSC, NONE, 0), O(RDMSR, NONE, 0), O(RDPMC, NONE, 0),
             O(SYSENTER, NONE, 0), O(SYSEXIT, NONE, 0), XX, O(GETSEC, NONE, 0),
    /* 38 */ XX, XX, XX, XX, XX, XX, XX, XX,  /* 38 and 3A are escapes, handled in code */
    /* 40 */ CMOV(O), CMOV(NO), CMOV(B), CMOV(AE), CMOV(E), CMOV(NE), CMOV(BE), CMOV(A),
    /* 48 */ CMOV(S), CMOV(NS), CMOV(P), CMOV(NP), CMOV(L), CMOV(GE), CMOV(LE), CMOV(G),
    /* 50 */ SS8,
    /* 58 */ SS8,
    /* 60 */ SS8,
    /* 68 */ SS(NONE, 0), SS(NONE, 0), SS(NONE, 0), SS(NONE, 0),
             SS(NONE, 0), SS(NONE, 0), SS(NONE, F_FIX), SS(NONE, 0),
    /* 70 */ SS(B, 0), GR(12, B, 0), GR(13, B, 0), GR(14, B, 0),
             SS(NONE, 0), SS(NONE, 0), SS(NONE, 0), O(EMMS, NONE, 0),
    /* 78 */ SS(NONE, F_F64), SS(NONE, F_F64), XX, XX,
             SS(NONE, 0), SS(NONE, 0), SS(NONE, F_FIX), SS(NONE, 0),
    /* 80 */ JCC(O), JCC(NO), JCC(B), JCC(AE), JCC(E), JCC(NE), JCC(BE), JCC(A),
    /* 88 */ JCC(S), JCC(NS), JCC(P), JCC(NP), JCC(L), JCC(GE), JCC(LE), JCC(G),
    /* 90 */ SET(O), SET(NO), SET(B), SET(AE), SET(E), SET(NE), SET(BE), SET(A),
    /* 98 */ SET(S), SET(NS), SET(P), SET(NP), SET(L), SET(GE), SET(LE), SET(G),
    /* A0 */ O(PUSH, NONE, F_D64), O(POP, NONE, F_D64), O(CPUID, NONE, 0), O(BT, NONE, F_M),
             O(SHLD, B, F_M), O(SHLD, NONE, F_M), XX, XX,
    /* A8 */ O(PUSH, NONE, F_D64), O(POP, NONE, F_D64), O(RSM, NONE, 0), O(BTS, NONE, F_M | F_L),
             O(SHRD, B, F_M), O(SHRD, NONE, F_M), GR(15, NONE, 0), O(IMUL, NONE, F_M),
    /* B0 */ O(CMPXCHG, NONE, F_M | F_B | F_L), O(CMPXCHG, NONE, F_M | F_L),
             O(LSS, NONE, F_M | F_MEM), O(BTR, NONE, F_M | F_L),
             O(LFS, NONE, F_M | F_MEM), O(LGS, NONE, F_M | F_MEM),
             O(MOVZX, NONE, F_M), O(MOVZX, NONE, F_M),
    /* B8 */ SS(NONE, 0), O(UD1, NONE, F_M), GR(8, B, 0), O(BTC, NONE, F_M | F_L),
             SS(NONE, 0), SS(NONE, 0), O(MOVSX, NONE, F_M), O(MOVSX, NONE, F_M),
    /* C0 */ O(XADD, NONE, F_M | F_B | F_L), O(XADD, NONE, F_M | F_L), SS(B, 0),
             O(MOVNTI, NONE, F_M | F_MEM), SS(B, 0), SS(B, 0), SS(B, 0), GR(9, NONE, 0),
    /* C8 */ R8(BSWAP, NONE, 0),
    /* D0 */ SS8,
    /* D8 */ SS8,
    /* E0 */ SS8,
    /* E8 */ SS8,
    /* F0 */ SS8,
    /* F8 */ SS(NONE, 0), SS(NONE, 0), SS(NONE, 0), SS(NONE, 0),
             SS(NONE, 0), SS(NONE, 0), SS(NONE, 0), O(UD0, NONE, F_M),
};

/* Mandatory-prefix rows of the 0F map; rows not listed are undefined */
static const SseRow sse0f[256] = {
    [0x10] = S(MOVUPS, MOVUPD, MOVSS, MOVSD, 0, 0),
    [0x11] = S(MOVUPS, MOVUPD, MOVSS, MOVSD, 0, 0),
    [0x12] = S(MOVLPS, MOVLPD, MOVSLDUP, MOVDDUP, V66, 0),   /* none, mod=3: MOVHLPS */
    [0x13] = S(MOVLPS, MOVLPD, _, _, V0 | V66, 0),
    [0x14] = S(UNPCKLPS, UNPCKLPD, _, _, 0, 0), [0x15] = S(UNPCKHPS, UNPCKHPD, _, _, 0, 0),
    [0x16] = S(MOVHPS, MOVHPD, MOVSHDUP, _, V66, 0),         /* none, mod=3: MOVLHPS */
    [0x17] = S(MOVHPS, MOVHPD, _, _, V0 | V66, 0),
    [0x28] = S(MOVAPS, MOVAPD, _, _, 0, 0), [0x29] = S(MOVAPS, MOVAPD, _, _, 0, 0),
    [0x2A] = S(CVTPI2PS, CVTPI2PD, CVTSI2SS, CVTSI2SD, 0, 0),
    [0x2B] = S(MOVNTPS, MOVNTPD, _, _, V0 | V66, 0),
    [0x2C] = S(CVTTPS2PI, CVTTPD2PI, CVTTSS2SI, CVTTSD2SI, 0, 0),
    [0x2D] = S(CVTPS2PI, CVTPD2PI, CVTSS2SI, CVTSD2SI, 0, 0),
    [0x2E] = S(UCOMISS, UCOMISD, _, _, 0, 0), [0x2F] = S(COMISS, COMISD, _, _, 0, 0),
    [0x50] = S(MOVMSKPS, MOVMSKPD, _, _, 0, V0 | V66),
    [0x51] = SPS(SQRT),
    [0x52] = S(RSQRTPS, _, RSQRTSS, _, 0, 0), [0x53] = S(RCPPS, _, RCPSS, _, 0, 0),
    [0x54] = S(ANDPS, ANDPD, _, _, 0, 0), [0x55] = S(ANDNPS, ANDNPD, _, _, 0, 0),
    [0x56] = S(ORPS, ORPD, _, _, 0, 0), [0x57] = S(XORPS, XORPD, _, _, 0, 0),
    [0x58] = SPS(ADD), [0x59] = SPS(MUL),
    [0x5A] = S(CVTPS2PD, CVTPD2PS, CVTSS2SD, CVTSD2SS, 0, 0),
    [0x5B] = S(CVTDQ2PS, CVTPS2DQ, CVTTPS2DQ, _, 0, 0),
    [0x5C] = SPS(SUB), [0x5D] = SPS(MIN), [0x5E] = SPS(DIV), [0x5F] = SPS(MAX),
    [0x60] = S2(PUNPCKLBW), [0x61] = S2(PUNPCKLWD), [0x62] = S2(PUNPCKLDQ),
    [0x63] = S2(PACKSSWB), [0x64] = S2(PCMPGTB), [0x65] = S2(PCMPGTW), [0x66] = S2(PCMPGTD),
    [0x67] = S2(PACKUSWB), [0x68] = S2(PUNPCKHBW), [0x69] = S2(PUNPCKHWD),
    [0x6A] = S2(PUNPCKHDQ), [0x6B] = S2(PACKSSDW),
    [0x6C] = S66(PUNPCKLQDQ), [0x6D] = S66(PUNPCKHQDQ),
    [0x6E] = S(MOVD, MOVD, _, _, 0, 0),                      /* REX.W: MOVQ */
    [0x6F] = S(MOVQ, MOVDQA, MOVDQU, _, 0, 0),
    [0x70] = S(PSHUFW, PSHUFD, PSHUFHW, PSHUFLW, 0, 0),
    [0x74] = S2(PCMPEQB), [0x75] = S2(PCMPEQW), [0x76] = S2(PCMPEQD),
    [0x78] = SNP(VMREAD), [0x79] = SNP(VMWRITE),
    [0x7C] = S(_, HADDPD, _, HADDPS, 0, 0), [0x7D] = S(_, HSUBPD, _, HSUBPS, 0, 0),
    [0x7E] = S(MOVD, MOVD, MOVQ, _, 0, 0),                   /* REX.W: MOVQ */
    [0x7F] = S(MOVQ, MOVDQA, MOVDQU, _, 0, 0),
    [0xB8] = S(_, _, POPCNT, _, 0, 0),
    [0xBC] = S(BSF, BSF, TZCNT, BSF, 0, 0), [0xBD] = S(BSR, BSR, LZCNT, BSR, 0, 0),
    [0xC2] = S(CMPPS, CMPPD, CMPSS, CMPSD, 0, 0),
    [0xC4] = S2(PINSRW), [0xC5] = S(PEXTRW, PEXTRW, _, _, 0, V0 | V66),
    [0xC6] = S(SHUFPS, SHUFPD, _, _, 0, 0),
    [0xD0] = S(_, ADDSUBPD, _, ADDSUBPS, 0, 0),
    [0xD1] = S2(PSRLW), [0xD2] = S2(PSRLD), [0xD3] = S2(PSRLQ), [0xD4] = S2(PADDQ),
    [0xD5] = S2(PMULLW), [0xD6] = S(_, MOVQ, MOVQ2DQ, MOVDQ2Q, 0, VF3 | VF2),
    [0xD7] = S(PMOVMSKB, PMOVMSKB, _, _, 0, V0 | V66),
    [0xD8] = S2(PSUBUSB), [0xD9] = S2(PSUBUSW), [0xDA] = S2(PMINUB), [0xDB] = S2(PAND),
    [0xDC] = S2(PADDUSB), [0xDD] = S2(PADDUSW), [0xDE] = S2(PMAXUB), [0xDF] = S2(PANDN),
    [0xE0] = S2(PAVGB), [0xE1] = S2(PSRAW), [0xE2] = S2(PSRAD), [0xE3] = S2(PAVGW),
    [0xE4] = S2(PMULHUW), [0xE5] = S2(PMULHW),
    [0xE6] = S(_, CVTTPD2DQ, CVTDQ2PD, CVTPD2DQ, 0, 0),
    [0xE7] = S(MOVNTQ, MOVNTDQ, _, _, V0 | V66, 0),
    [0xE8] = S2(PSUBSB), [0xE9] = S2(PSUBSW), [0xEA] = S2(PMINSW), [0xEB] = S2(POR),
    [0xEC] = S2(PADDSB), [0xED] = S2(PADDSW), [0xEE] = S2(PMAXSW), [0xEF] = S2(PXOR),
    [0xF0] = S(_, _, _, LDDQU, VF2, 0),
    [0xF1] = S2(PSLLW), [0xF2] = S2(PSLLD), [0xF3] = S2(PSLLQ), [0xF4] = S2(PMULUDQ),
    [0xF5] = S2(PMADDWD), [0xF6] = S2(PSADBW),
    [0xF7] = S(MASKMOVQ, MASKMOVDQU, _, _, 0, V0 | V66),
    [0xF8] = S2(PSUBB), [0xF9] = S2(PSUBW), [0xFA] = S2(PSUBD), [0xFB] = S2(PSUBQ),
    [0xFC] = S2(PADDB), [0xFD] = S2(PADDW), [0xFE] = S2(PADDD),
};

/* The 0F38 map (SDM table A-4): every opcode has ModRM, no immediate */
static const SseRow sse38[256] = {
    [0x00] = S2(PSHUFB), [0x01] = S2(PHADDW), [0x02] = S2(PHADDD), [0x03] = S2(PHADDSW),
    [0x04] = S2(PMADDUBSW), [0x05] = S2(PHSUBW), [0x06] = S2(PHSUBD), [0x07] = S2(PHSUBSW),
    [0x08] = S2(PSIGNB), [0x09] = S2(PSIGNW), [0x0A] = S2(PSIGND), [0x0B] = S2(PMULHRSW),
    [0x10] = S66(PBLENDVB), [0x14] = S66(BLENDVPS), [0x15] = S66(BLENDVPD),
    [0x17] = S66(PTEST),
    [0x1C] = S2(PABSB), [0x1D] = S2(PABSW), [0x1E] = S2(PABSD),
    [0x20] = S66(PMOVSXBW), [0x21] = S66(PMOVSXBD), [0x22] = S66(PMOVSXBQ),
    [0x23] = S66(PMOVSXWD), [0x24] = S66(PMOVSXWQ), [0x25] = S66(PMOVSXDQ),
    [0x28] = S66(PMULDQ), [0x29] = S66(PCMPEQQ), [0x2A] = S(_, MOVNTDQA, _, _, V66, 0),
    [0x2B] = S66(PACKUSDW),
    [0x30] = S66(PMOVZXBW), [0x31] = S66(PMOVZXBD), [0x32] = S66(PMOVZXBQ),
    [0x33] = S66(PMOVZXWD), [0x34] = S66(PMOVZXWQ), [0x35] = S66(PMOVZXDQ),
    [0x37] = S66(PCMPGTQ),
    [0x38] = S66(PMINSB), [0x39] = S66(PMINSD), [0x3A] = S66(PMINUW), [0x3B] = S66(PMINUD),
    [0x3C] = S66(PMAXSB), [0x3D] = S66(PMAXSD), [0x3E] = S66(PMAXUW), [0x3F] = S66(PMAXUD),
    [0x40] = S66(PMULLD), [0x41] = S66(PHMINPOSUW),
    [0x80] = S(_, INVEPT, _, _, V66, 0), [0x81] = S(_, INVVPID, _, _, V66, 0),
    [0x82] = S(_, INVPCID, _, _, V66, 0),
    [0xC8] = SNP(SHA1NEXTE), [0xC9] = SNP(SHA1MSG1), [0xCA] = SNP(SHA1MSG2),
    [0xCB] = SNP(SHA256RNDS2), [0xCC] = SNP(SHA256MSG1), [0xCD] = SNP(SHA256MSG2),
    [0xDB] = S66(AESIMC), [0xDC] = S66(AESENC), [0xDD] = S66(AESENCLAST),
    [0xDE] = S66(AESDEC), [0xDF] = S66(AESDECLAST),
    [0xF0] = S(MOVBE, MOVBE, _, CRC32, V0 | V66, 0),
    [0xF1] = S(MOVBE, MOVBE, _, CRC32, V0 | V66, 0),
    [0xF6] = S(_, ADCX, ADOX, _, 0, 0),
};

/* The 0F3A map (SDM table A-5): every opcode has ModRM and Ib */
static const SseRow sse3a[256] = {
    [0x08] = S66(ROUNDPS), [0x09] = S66(ROUNDPD), [0x0A] = S66(ROUNDSS), [0x0B] = S66(ROUNDSD),
    [0x0C] = S66(BLENDPS), [0x0D] = S66(BLENDPD), [0x0E] = S66(PBLENDW), [0x0F] = S2(PALIGNR),
    [0x14] = S66(PEXTRB), [0x15] = S66(PEXTRW), [0x16] = S66(PEXTRD),   /* REX.W: PEXTRQ */
    [0x17] = S66(EXTRACTPS),
    [0x20] = S66(PINSRB), [0x21] = S66(INSERTPS), [0x22] = S66(PINSRD),  /* REX.W: PINSRQ */
    [0x40] = S66(DPPS), [0x41] = S66(DPPD), [0x42] = S66(MPSADBW), [0x44] = S66(PCLMULQDQ),
    [0x60] = S66(PCMPESTRM), [0x61] = S66(PCMPESTRI), [0x62] = S66(PCMPISTRM),
    [0x63] = S66(PCMPISTRI),
    [0xCC] = SNP(SHA1RNDS4), [0xDF] = S66(AESKEYGENASSIST),
};

static const OpRow row38 = SS(NONE, 0);
static const OpRow row3a = SS(B, 0);

/* The mnemonic arithmetic of F_OSZ/F_ASZ relies on the .def order */
_Static_assert(X86_M_CWDE == X86_M_CBW + 1 && X86_M_CDQE == X86_M_CBW + 2, "CBW order");
_Static_assert(X86_M_CQO == X86_M_CWD + 2 && X86_M_IRETQ == X86_M_IRET + 2, "CWD order");
_Static_assert(X86_M_INSD == X86_M_INSW + 1 && X86_M_OUTSD == X86_M_OUTSW + 1, "INS order");
_Static_assert(X86_M_PUSHAD == X86_M_PUSHA + 1 && X86_M_POPAD == X86_M_POPA + 1, "PUSHA");
_Static_assert(X86_M_PUSHFQ == X86_M_PUSHF + 2 && X86_M_POPFQ == X86_M_POPF + 2, "PUSHF");
_Static_assert(X86_M_MOVSQ == X86_M_MOVSW + 2 && X86_M_CMPSQ == X86_M_CMPSW + 2, "MOVS");
_Static_assert(X86_M_STOSQ == X86_M_STOSW + 2 && X86_M_LODSQ == X86_M_LODSW + 2, "STOS");
_Static_assert(X86_M_SCASQ == X86_M_SCASW + 2 && X86_M_JRCXZ == X86_M_JCXZ + 2, "SCAS");
_Static_assert(X86_M_WRGSBASE == X86_M_RDFSBASE + 3, "FSBASE order");

/* ---------------------------------------------------------------------------------------
 * Mnemonic names
 */

static const char *const mnem_names[X86_M_COUNT] = {
#define X86_MNEM(m) #m,
#include "cpu/x86/x86-mnem.def"
#undef X86_MNEM
};

const char *x86_mnem_name(unsigned mnem)
{
    return mnem < X86_M_COUNT ? mnem_names[mnem] : "?";
}

int x86_mnem_from_name(const char *name)
{
    /* Cold path (tests, monitor): a linear scan is fine */
    for (unsigned i = 0; i < X86_M_COUNT; i++) {
        if (strcmp(mnem_names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

bool x86_insn_is_byte_op(const X86Insn *insn)
{
    unsigned map = insn->opc & 0xf00, op = insn->opc & 0xff;

    if (map == X86_MAP_1B) {
        return (map1b[op].f & F_B) != 0;
    }
    if (map == X86_MAP_0F) {
        return (map0f[op].f & F_B) != 0;
    }
    return false;
}

/* ---------------------------------------------------------------------------------------
 * The decoder
 */

typedef struct Dec {
    X86FetchFn fetch;
    void *opaque;
    unsigned pos;
} Dec;

/* Bytes past the 15th are not fetched: the instruction is too long whatever they hold */
static inline uint8_t next_byte(Dec *d)
{
    unsigned p = d->pos++;

    return p < 15 ? d->fetch(d->opaque, p) : 0;
}

static inline uint64_t next_le(Dec *d, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)next_byte(d) << (8 * i);
    }
    return v;
}

static inline int64_t next_sx(Dec *d, unsigned n)
{
    uint64_t v = next_le(d, n);
    unsigned sh = 64 - 8 * n;

    return (int64_t)(v << sh) >> sh;
}

/* 16-bit addressing: ModRM.rm -> base, index (SDM table 2-1) */
static const int8_t rm16_base[8]  = { 3, 3, 5, 5, 6, 7, 5, 3 };
static const int8_t rm16_index[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };

static void decode_mem(Dec *d, X86Insn *in, int mode)
{
    unsigned rm = in->modrm & 7;

    in->has_mem = true;
    if (in->addrsize == 2) {
        if (in->mod == 0 && rm == 6) {
            in->disp = next_sx(d, 2);
            return;
        }
        in->base = rm16_base[rm];
        in->index = rm16_index[rm];
        if (in->mod == 1) {
            in->disp = next_sx(d, 1);
        } else if (in->mod == 2) {
            in->disp = next_sx(d, 2);
        }
        return;
    }
    if (rm == 4) {
        uint8_t sib = next_byte(d);
        unsigned idx = ((sib >> 3) & 7) | ((in->rex & 2) << 2);

        in->scale = sib >> 6;
        in->index = idx == 4 ? -1 : (int8_t)idx;
        if ((sib & 7) == 5 && in->mod == 0) {
            in->disp = next_sx(d, 4);
            return;
        }
        in->base = (int8_t)((sib & 7) | ((in->rex & 1) << 3));
    } else if (rm == 5 && in->mod == 0) {
        in->rip_rel = mode == 64;
        in->disp = next_sx(d, 4);
        return;
    } else {
        in->base = (int8_t)in->rm;
    }
    if (in->mod == 1) {
        in->disp = next_sx(d, 1);
    } else if (in->mod == 2) {
        in->disp = next_sx(d, 4);
    }
}

/* Prefix bytes */
enum {
    PK_NONE, PK_REX, PK_LOCK, PK_REPNZ, PK_REPZ, PK_OPSZ, PK_ADSZ, PK_SEG_FS, PK_SEG_GS,
    PK_SEG_ES, PK_SEG_CS, PK_SEG_SS, PK_SEG_DS,     /* in X86_SEG_* order */
};
static const uint8_t pfx_kind[256] = {
    [0x40 ... 0x4F] = PK_REX,
    [0xF0] = PK_LOCK, [0xF2] = PK_REPNZ, [0xF3] = PK_REPZ, [0x66] = PK_OPSZ, [0x67] = PK_ADSZ,
    [0x26] = PK_SEG_ES, [0x2E] = PK_SEG_CS, [0x36] = PK_SEG_SS, [0x3E] = PK_SEG_DS,
    [0x64] = PK_SEG_FS, [0x65] = PK_SEG_GS,
};
_Static_assert(X86_SEG_CS == X86_SEG_ES + 1 && X86_SEG_SS == X86_SEG_ES + 2 &&
               X86_SEG_DS == X86_SEG_ES + 3, "segment order");

/* Mnemonic and validity rules too irregular for the tables (rows with F_FIX) */
static unsigned fixup(X86Insn *in, int mode, unsigned m, uint16_t *f)
{
    unsigned r3 = (in->modrm >> 3) & 7;

    switch (in->opc) {
    case 0x063:
        return mode == 64 ? X86_M_MOVSXD : m;
    case 0x08C:                                 /* MOV Ev, Sw: ES..GS only */
        return r3 > 5 ? X86_M_INVALID : m;
    case 0x08E:                                 /* MOV Sw, Ew: not CS */
        return r3 == 1 || r3 > 5 ? X86_M_INVALID : m;
    case 0x090:
        if (in->rex & 1) {
            return X86_M_XCHG;                  /* 41 90: xchg r8, rax */
        }
        return in->mandatory == 0xF3 ? X86_M_PAUSE : m;
    case 0x11E:
        if (in->mandatory == 0xF3 && in->modrm == 0xFA) {
            return X86_M_ENDBR64;
        }
        if (in->mandatory == 0xF3 && in->modrm == 0xFB) {
            return X86_M_ENDBR32;
        }
        return m;
    case 0x16E: case 0x17E:
        return (in->rex & 8) && m == X86_M_MOVD ? X86_M_MOVQ : m;
    case 0x171: case 0x172: case 0x173:         /* MMX or 66 only; 73 /3 and /7 need 66 */
        if (in->mandatory == 0xF3 || in->mandatory == 0xF2) {
            return X86_M_INVALID;
        }
        if (in->opc == 0x173 && (r3 == 3 || r3 == 7) && in->mandatory != 0x66) {
            return X86_M_INVALID;
        }
        return m;
    case 0x1AE:
        if (in->mod != 3) {
            if (in->mandatory == 0x66 && r3 == 6) {
                return X86_M_CLWB;
            }
            if (in->mandatory == 0x66 && r3 == 7) {
                return X86_M_CLFLUSHOPT;
            }
            return m;
        }
        if (in->mandatory == 0xF3) {
            if (r3 < 4) {
                *f |= F_O64;
                return X86_M_RDFSBASE + r3;
            }
            return X86_M_INVALID;
        }
        return in->mandatory == 0xF2 ? X86_M_INVALID : m;
    case 0x1C7:
        if (in->mod != 3 && r3 == 1) {
            return (in->rex & 8) ? X86_M_CMPXCHG16B : m;
        }
        if (in->mod != 3 && r3 == 6) {
            return in->mandatory == 0x66 ? X86_M_VMCLEAR
                 : in->mandatory == 0xF3 ? X86_M_VMXON : m;
        }
        if (in->mod == 3 && r3 == 7 && in->mandatory == 0xF3) {
            return X86_M_RDPID;
        }
        return m;
    default:
        return m;
    }
}

int x86_decode(X86Insn *in, int mode, X86FetchFn fetch, void *opaque)
{
    Dec d = { fetch, opaque, 0 };
    unsigned pfx = 0, rex = 0, rep = 0, m, imm, op;
    int seg = X86_SEG_NONE;
    const OpRow *row;
    const SseRow *sset = sse0f;
    uint16_t f;
    uint8_t b;
    bool inval = false;

    memset(in, 0, sizeof(*in));
    in->base = -1;
    in->index = -1;

    /* Legacy prefixes in any order; a REX counts only when the opcode follows it */
    for (;;) {
        unsigned k;

        b = next_byte(&d);
        k = pfx_kind[b];
        if (k == PK_NONE) {
            break;
        }
        if (k == PK_REX) {
            if (mode != 64) {
                break;
            }
            rex = b;
            continue;
        }
        rex = 0;    /* a legacy prefix after a REX cancels it */
        switch (k) {
        case PK_LOCK: pfx |= X86_PFX_LOCK; break;
        case PK_REPNZ: pfx |= X86_PFX_REPNZ; rep = 0xF2; break;
        case PK_REPZ: pfx |= X86_PFX_REPZ; rep = 0xF3; break;
        case PK_OPSZ: pfx |= X86_PFX_OPSZ; break;
        case PK_ADSZ: pfx |= X86_PFX_ADSZ; break;
        case PK_SEG_FS: seg = X86_SEG_FS; break;
        case PK_SEG_GS: seg = X86_SEG_GS; break;
        default:                                /* ES/CS/SS/DS: ignored in 64-bit mode */
            if (mode != 64) {
                seg = k - PK_SEG_ES + X86_SEG_ES;
            }
            break;
        }
    }

    in->seg = (int8_t)seg;
    in->rex = (uint8_t)rex;
    if (rex) {
        pfx |= X86_PFX_REX;
    }
    in->prefixes = (uint8_t)pfx;
    in->mandatory = (uint8_t)(rep ? rep : (pfx & X86_PFX_OPSZ) ? 0x66 : 0);
    if (mode == 16) {
        in->opsize = (pfx & X86_PFX_OPSZ) ? 4 : 2;
        in->addrsize = (pfx & X86_PFX_ADSZ) ? 4 : 2;
    } else {
        in->opsize = (pfx & X86_PFX_OPSZ) ? 2 : 4;
        in->addrsize = mode == 64 ? ((pfx & X86_PFX_ADSZ) ? 4 : 8)
                                  : ((pfx & X86_PFX_ADSZ) ? 2 : 4);
    }
    if (rex & 8) {
        in->opsize = 8;
    }
    if (b != 0x0F) {
        op = b;
        row = &map1b[b];
    } else {
        b = next_byte(&d);
        if (b == 0x38) {
            b = next_byte(&d);
            op = X86_MAP_0F38 | b;
            row = &row38;
            sset = sse38;
        } else if (b == 0x3A) {
            b = next_byte(&d);
            op = X86_MAP_0F3A | b;
            row = &row3a;
            sset = sse3a;
        } else {
            op = X86_MAP_0F | b;
            row = &map0f[b];
        }
    }
    in->opc = (uint16_t)op;
    in->opreg = (uint8_t)((b & 7) | ((rex & 1) << 3));
    m = row->m;
    f = row->f;
    imm = row->imm;

    if (f & F_M) {
        uint8_t modrm = next_byte(&d);

        in->has_modrm = true;
        in->modrm = modrm;
        in->mod = modrm >> 6;
        in->reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
        in->rm = (modrm & 7) | ((rex & 1) << 3);
        if (row->kind == K_GROUP) {
            const Group *g = &groups[m];
            const GrpRow *gr = in->mod == 3 ? &g->reg[(modrm >> 3) & 7]
                                            : &g->mem[(modrm >> 3) & 7];
            if (gr->f & F_RM) {
                gr = &byrm[gr->m][modrm & 7];
            }
            m = gr->m;
            f |= gr->f;
            if (gr->imm != IMM_NONE) {
                imm = gr->imm;
            }
        } else if (row->kind == K_SSE) {
            const SseRow *s = &sset[b];
            unsigned v = rep == 0xF3 ? 2 : rep == 0xF2 ? 3 : (pfx & X86_PFX_OPSZ) ? 1 : 0;
            unsigned vb = 1u << v;

            m = s->m[v];
            if (s->memonly & vb) {
                f |= F_MEM;
            }
            if (s->regonly & vb) {
                f |= F_REG;
            }
            if (op == (X86_MAP_0F | 0x12) && v == 0 && in->mod == 3) {
                m = X86_M_MOVHLPS;
            } else if (op == (X86_MAP_0F | 0x16) && v == 0 && in->mod == 3) {
                m = X86_M_MOVLHPS;
            } else if ((rex & 8) && m == X86_M_PEXTRD) {
                m = X86_M_PEXTRQ;
            } else if ((rex & 8) && m == X86_M_PINSRD) {
                m = X86_M_PINSRQ;
            }
        }
        if (f & F_CR) {
            in->mod = 3;
        }
    }
    if (f & F_FIX) {
        m = fixup(in, mode, m, &f);
    }

    if (mode == 64) {
        if (f & F_I64) {
            inval = true;
        }
        if (f & F_F64) {
            in->opsize = 8;
        } else if ((f & F_D64) && !(rex & 8)) {
            in->opsize = (pfx & X86_PFX_OPSZ) ? 2 : 8;
        }
    } else if (f & F_O64) {
        inval = true;
    }
    if (f & (F_OSZ | F_ASZ)) {
        unsigned sz = (f & F_ASZ) ? in->addrsize : in->opsize;

        m += sz == 4 ? 1 : sz == 8 ? ((f & F_OSZ2) ? 1 : 2) : 0;
    }
    in->mnem = (uint16_t)m;
    if (m == X86_M_INVALID) {
        inval = true;
    }
    if (in->has_modrm) {
        if ((f & F_MEM) && in->mod == 3) {
            inval = true;
        }
        if ((f & F_REG) && in->mod != 3) {
            inval = true;
        }
    }
    if ((pfx & X86_PFX_LOCK) && (!(f & F_L) || !in->has_modrm || in->mod == 3)) {
        inval = true;
    }
    if (inval) {
        /* The operand bytes are still decoded: an instruction fetch fault on them takes
         * priority over #UD (SDM vol. 3, table 6-2), and logs want the length */
        in->flags |= X86_DF_INVALID;
    }

    if (in->has_modrm && in->mod != 3) {
        decode_mem(&d, in, mode);
    }

    switch (imm) {
    case IMM_NONE:
        break;
    case IMM_B:
        in->imm_size = 1;
        in->imm = next_byte(&d);
        break;
    case IMM_BS:
    case IMM_JB:
        in->imm_size = 1;
        in->imm = next_sx(&d, 1);
        break;
    case IMM_W:
        in->imm_size = 2;
        in->imm = (int64_t)next_le(&d, 2);
        break;
    case IMM_Z:
    case IMM_JZ:
        in->imm_size = in->opsize == 2 ? 2 : 4;
        in->imm = next_sx(&d, in->imm_size);
        break;
    case IMM_V:
        in->imm_size = in->opsize;
        in->imm = (int64_t)next_le(&d, in->opsize);
        break;
    case IMM_AP:
        in->imm_size = in->opsize == 2 ? 2 : 4;
        in->imm = (int64_t)next_le(&d, in->imm_size);
        in->imm2 = (int64_t)next_le(&d, 2);
        break;
    case IMM_MOFFS:
        in->has_mem = true;
        in->disp = (int64_t)next_le(&d, in->addrsize);
        break;
    case IMM_ENTER:
        in->imm_size = 2;
        in->imm = (int64_t)next_le(&d, 2);
        in->imm2 = next_byte(&d);
        break;
    }

    if (d.pos > 15) {
        in->flags |= X86_DF_TOO_LONG;
        in->len = 15;
    } else {
        in->len = (uint8_t)d.pos;
    }
    return in->len;
}

typedef struct BufSrc {
    const uint8_t *buf;
    unsigned avail;
} BufSrc;

static uint8_t buf_fetch(void *opaque, unsigned off)
{
    const BufSrc *s = opaque;

    return off < s->avail ? s->buf[off] : 0;
}

int x86_decode_buf(X86Insn *insn, int mode, const uint8_t *buf, unsigned avail)
{
    BufSrc s = { buf, avail };

    return x86_decode(insn, mode, buf_fetch, &s);
}

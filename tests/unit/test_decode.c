/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_decode.c — unit tests of the x86 decoder (cpu/x86/decode.c).
 *
 * The opcode sweep decodes every opcode of the one-byte, 0F, 0F38 and 0F3A maps in 16-, 32- and
 * 64-bit mode, under a set of prefix combinations, with ModRM memory and register forms (every
 * ModRM.reg of groups, every ModRM.rm where a group selects by it), and checks the mnemonic,
 * length, validity, operand size and byte-op flag against expectation tables written here from
 * the operand notation of the Intel SDM vol. 2 appendix A (not from the decoder's tables). It also
 * checks that the decoder fetched exactly the bytes of the instruction. Hand-written cases cover
 * prefixes, REX, 16/32/64-bit addressing, RIP-relative, moffs, far pointers, ENTER, immediates,
 * invalid opcodes per mode, LOCK, the 15-byte limit and the mnemonic names.
 * Not covered: VEX/EVEX (unsupported), timing.
 */
#include "cpu/x86/decode.h"
#include <check.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------------------------
 * Expectation tables (SDM notation)
 *
 * An entry is "NAMES OPERANDS FLAGS...":
 *  NAMES     one name, or four by mandatory prefix "none/66/F3/F2"; "-" is undefined;
 *            "A|B|C" picks by operand size 16/32/64 (the last one repeats), "@A|B|C" by
 *            address size; "A~B" is A for memory and B for register operands; a ":m" (":r")
 *            suffix means memory (register) operands only; "#id" refers to a group below.
 *  OPERANDS  SDM operand codes ("Ev,Gv", "rax,Iz"; upper case = addressing method), "-" if none.
 *  FLAGS     L (LOCK allowed), i64 (invalid in 64-bit mode), o64 (64-bit mode only),
 *            d64/f64 (SDM superscripts), x (ModRM.mod ignored: MOV CR/DR).
 * NULL marks prefixes and escapes (not swept).
 */

#define ALU_ROW(n) n " Eb,Gb L", n " Ev,Gv L", n " Gb,Eb", n " Gv,Ev", n " al,Ib", n " rax,Iz"
#define JCC_ROW(sz, f) \
    "JO " sz f, "JNO " sz f, "JB " sz f, "JAE " sz f, "JE " sz f, "JNE " sz f, "JBE " sz f, \
    "JA " sz f, "JS " sz f, "JNS " sz f, "JP " sz f, "JNP " sz f, "JL " sz f, "JGE " sz f, \
    "JLE " sz f, "JG " sz f
#define X7(s) s, s, s, s, s, s, s
#define X8(s) X7(s), s

static const char *const t1b[256] = {
    /* 00 */ ALU_ROW("ADD"), "PUSH es i64", "POP es i64",
    /* 08 */ ALU_ROW("OR"), "PUSH cs i64", NULL,
    /* 10 */ ALU_ROW("ADC"), "PUSH ss i64", "POP ss i64",
    /* 18 */ ALU_ROW("SBB"), "PUSH ds i64", "POP ds i64",
    /* 20 */ ALU_ROW("AND"), NULL, "DAA - i64",
    /* 28 */ ALU_ROW("SUB"), NULL, "DAS - i64",
    /* 30 */ ALU_ROW("XOR"), NULL, "AAA - i64",
    /* 38 */ "CMP Eb,Gb", "CMP Ev,Gv", "CMP Gb,Eb", "CMP Gv,Ev", "CMP al,Ib", "CMP rax,Iz", NULL,
             "AAS - i64",
    /* 40 */ X8("INC rv"), X8("DEC rv"),
    /* 50 */ X8("PUSH rv d64"), X8("POP rv d64"),
    /* 60 */ "PUSHA|PUSHAD - i64", "POPA|POPAD - i64", "BOUND:m Gv,Ma i64", "ARPL Ew,Gw",
             NULL, NULL, NULL, NULL,
    /* 68 */ "PUSH Iz d64", "IMUL Gv,Ev,Iz", "PUSH Ib d64", "IMUL Gv,Ev,Ib", "INSB Yb,dx",
             "INSW|INSD Yz,dx", "OUTSB dx,Xb", "OUTSW|OUTSD dx,Xz",
    /* 70 */ JCC_ROW("Jb", " f64"),
    /* 80 */ "#1 Eb,Ib", "#1 Ev,Iz", "#1 Eb,Ib i64", "#1 Ev,Ib", "TEST Eb,Gb", "TEST Ev,Gv",
             "XCHG Eb,Gb L", "XCHG Ev,Gv L",
    /* 88 */ "MOV Eb,Gb", "MOV Ev,Gv", "MOV Gb,Eb", "MOV Gv,Ev", "MOV Ev,Sw", "LEA:m Gv,M",
             "MOV Sw,Ew", "#1A Ev",
    /* 90 */ "NOP/NOP/PAUSE/NOP", X7("XCHG rv,rax"),
    /* 98 */ "CBW|CWDE|CDQE", "CWD|CDQ|CQO", "CALLF Ap i64", "FWAIT",
             "PUSHF|PUSHFD|PUSHFQ - d64", "POPF|POPFD|POPFQ - d64", "SAHF", "LAHF",
    /* A0 */ "MOV al,Ob", "MOV rax,Ov", "MOV Ob,al", "MOV Ov,rax", "MOVSB Yb,Xb",
             "MOVSW|MOVSD|MOVSQ Yv,Xv", "CMPSB Xb,Yb", "CMPSW|CMPSD|CMPSQ Xv,Yv",
    /* A8 */ "TEST al,Ib", "TEST rax,Iz", "STOSB Yb,al", "STOSW|STOSD|STOSQ Yv,rax",
             "LODSB al,Xb", "LODSW|LODSD|LODSQ rax,Xv", "SCASB al,Yb", "SCASW|SCASD|SCASQ rax,Yv",
    /* B0 */ X8("MOV rb,Ib"), X8("MOV rv,Iv"),
    /* C0 */ "#2 Eb,Ib", "#2 Ev,Ib", "RET Iw f64", "RET - f64", "LES:m Gz,Mp i64",
             "LDS:m Gz,Mp i64", "#11b Eb,Ib", "#11v Ev,Iz",
    /* C8 */ "ENTER Iw,Ib d64", "LEAVE - d64", "RETF Iw", "RETF", "INT3", "INT Ib", "INTO - i64",
             "IRET|IRETD|IRETQ",
    /* D0 */ "#2 Eb,1", "#2 Ev,1", "#2 Eb,cl", "#2 Ev,cl", "AAM Ib i64", "AAD Ib i64",
             "SALC - i64", "XLAT",
    /* D8 */ "#D8 Ex", "#D9 Ex", "#DA Ex", "#DB Ex", "#DC Ex", "#DD Ex", "#DE Ex", "#DF Ex",
    /* E0 */ "LOOPNE Jb f64", "LOOPE Jb f64", "LOOP Jb f64", "@JCXZ|JECXZ|JRCXZ Jb f64",
             "IN al,Ib", "IN eax,Ib", "OUT Ib,al", "OUT Ib,eax",
    /* E8 */ "CALL Jz f64", "JMP Jz f64", "JMPF Ap i64", "JMP Jb f64", "IN al,dx", "IN eax,dx",
             "OUT dx,al", "OUT dx,eax",
    /* F0 */ NULL, "INT1", NULL, NULL, "HLT", "CMC", "#3b Eb", "#3v Ev",
    /* F8 */ "CLC", "STC", "CLI", "STI", "CLD", "STD", "#4 Eb", "#5 Ev",
};

/* 64-bit mode replacements */
static const struct { uint8_t op; const char *spec; } t1b_64[] = {
    { 0x63, "MOVSXD Gv,Ed" },
};

#define SSE4(a, b, c, d, ops) a "/" b "/" c "/" d " " ops
#define PSX(n) SSE4(n "PS", n "PD", n "SS", n "SD", "Vx,Wx")
#define MMX(n) SSE4(n, n, "-", "-", "Pq,Qq")

static const char *const t0f[256] = {
    /* 00 */ "#6 Ew", "#7 Ew", "LAR Gv,Ew", "LSL Gv,Ew", "-", "SYSCALL", "CLTS", "SYSRET",
    /* 08 */ "INVD", "WBINVD", "-", "UD2", "-", "#P Ev", "-", "-",
    /* 10 */ SSE4("MOVUPS", "MOVUPD", "MOVSS", "MOVSD", "Vx,Wx"),
             SSE4("MOVUPS", "MOVUPD", "MOVSS", "MOVSD", "Wx,Vx"),
             SSE4("MOVLPS~MOVHLPS", "MOVLPD:m", "MOVSLDUP", "MOVDDUP", "Vx,Wx"),
             SSE4("MOVLPS:m", "MOVLPD:m", "-", "-", "Mq,Vq"),
             SSE4("UNPCKLPS", "UNPCKLPD", "-", "-", "Vx,Wx"),
             SSE4("UNPCKHPS", "UNPCKHPD", "-", "-", "Vx,Wx"),
             SSE4("MOVHPS~MOVLHPS", "MOVHPD:m", "MOVSHDUP", "-", "Vx,Wx"),
             SSE4("MOVHPS:m", "MOVHPD:m", "-", "-", "Mq,Vq"),
    /* 18 */ "#16 Ev", X7("NOP Ev"),
    /* 20 */ "MOV Rd,Cd x f64", "MOV Rd,Dd x f64", "MOV Cd,Rd x f64", "MOV Dd,Rd x f64",
             "-", "-", "-", "-",
    /* 28 */ SSE4("MOVAPS", "MOVAPD", "-", "-", "Vx,Wx"),
             SSE4("MOVAPS", "MOVAPD", "-", "-", "Wx,Vx"),
             SSE4("CVTPI2PS", "CVTPI2PD", "CVTSI2SS", "CVTSI2SD", "Vx,Ey"),
             SSE4("MOVNTPS:m", "MOVNTPD:m", "-", "-", "Mx,Vx"),
             SSE4("CVTTPS2PI", "CVTTPD2PI", "CVTTSS2SI", "CVTTSD2SI", "Pq,Wx"),
             SSE4("CVTPS2PI", "CVTPD2PI", "CVTSS2SI", "CVTSD2SI", "Pq,Wx"),
             SSE4("UCOMISS", "UCOMISD", "-", "-", "Vx,Wx"),
             SSE4("COMISS", "COMISD", "-", "-", "Vx,Wx"),
    /* 30 */ "WRMSR", "RDTSC", "RDMSR", "RDPMC", "SYSENTER", "SYSEXIT", "-", "GETSEC",
    /* 38 */ NULL, "-", NULL, "-", "-", "-", "-", "-",
    /* 40 */ "CMOVO Gv,Ev", "CMOVNO Gv,Ev", "CMOVB Gv,Ev", "CMOVAE Gv,Ev", "CMOVE Gv,Ev",
             "CMOVNE Gv,Ev", "CMOVBE Gv,Ev", "CMOVA Gv,Ev", "CMOVS Gv,Ev", "CMOVNS Gv,Ev",
             "CMOVP Gv,Ev", "CMOVNP Gv,Ev", "CMOVL Gv,Ev", "CMOVGE Gv,Ev", "CMOVLE Gv,Ev",
             "CMOVG Gv,Ev",
    /* 50 */ SSE4("MOVMSKPS:r", "MOVMSKPD:r", "-", "-", "Gd,Ux"), PSX("SQRT"),
             SSE4("RSQRTPS", "-", "RSQRTSS", "-", "Vx,Wx"),
             SSE4("RCPPS", "-", "RCPSS", "-", "Vx,Wx"),
             SSE4("ANDPS", "ANDPD", "-", "-", "Vx,Wx"), SSE4("ANDNPS", "ANDNPD", "-", "-", "Vx,Wx"),
             SSE4("ORPS", "ORPD", "-", "-", "Vx,Wx"), SSE4("XORPS", "XORPD", "-", "-", "Vx,Wx"),
    /* 58 */ PSX("ADD"), PSX("MUL"), SSE4("CVTPS2PD", "CVTPD2PS", "CVTSS2SD", "CVTSD2SS", "Vx,Wx"),
             SSE4("CVTDQ2PS", "CVTPS2DQ", "CVTTPS2DQ", "-", "Vx,Wx"),
             PSX("SUB"), PSX("MIN"), PSX("DIV"), PSX("MAX"),
    /* 60 */ MMX("PUNPCKLBW"), MMX("PUNPCKLWD"), MMX("PUNPCKLDQ"), MMX("PACKSSWB"),
             MMX("PCMPGTB"), MMX("PCMPGTW"), MMX("PCMPGTD"), MMX("PACKUSWB"),
    /* 68 */ MMX("PUNPCKHBW"), MMX("PUNPCKHWD"), MMX("PUNPCKHDQ"), MMX("PACKSSDW"),
             SSE4("-", "PUNPCKLQDQ", "-", "-", "Vx,Wx"), SSE4("-", "PUNPCKHQDQ", "-", "-", "Vx,Wx"),
             SSE4("MOVD|MOVD|MOVQ", "MOVD|MOVD|MOVQ", "-", "-", "Pd,Ey"),
             SSE4("MOVQ", "MOVDQA", "MOVDQU", "-", "Pq,Qq"),
    /* 70 */ SSE4("PSHUFW", "PSHUFD", "PSHUFHW", "PSHUFLW", "Pq,Qq,Ib"), "#12 Nq,Ib", "#13 Nq,Ib",
             "#14 Nq,Ib", MMX("PCMPEQB"), MMX("PCMPEQW"), MMX("PCMPEQD"), "EMMS",
    /* 78 */ SSE4("VMREAD", "-", "-", "-", "Ey,Gy f64"),
             SSE4("VMWRITE", "-", "-", "-", "Gy,Ey f64"),
             "-", "-", SSE4("-", "HADDPD", "-", "HADDPS", "Vx,Wx"),
             SSE4("-", "HSUBPD", "-", "HSUBPS", "Vx,Wx"),
             SSE4("MOVD|MOVD|MOVQ", "MOVD|MOVD|MOVQ", "MOVQ", "-", "Ey,Pd"),
             SSE4("MOVQ", "MOVDQA", "MOVDQU", "-", "Qq,Pq"),
    /* 80 */ JCC_ROW("Jz", " f64"),
    /* 90 */ "SETO Eb", "SETNO Eb", "SETB Eb", "SETAE Eb", "SETE Eb", "SETNE Eb", "SETBE Eb",
             "SETA Eb", "SETS Eb", "SETNS Eb", "SETP Eb", "SETNP Eb", "SETL Eb", "SETGE Eb",
             "SETLE Eb", "SETG Eb",
    /* A0 */ "PUSH fs d64", "POP fs d64", "CPUID", "BT Ev,Gv", "SHLD Ev,Gv,Ib", "SHLD Ev,Gv,cl",
             "-", "-",
    /* A8 */ "PUSH gs d64", "POP gs d64", "RSM", "BTS Ev,Gv L", "SHRD Ev,Gv,Ib", "SHRD Ev,Gv,cl",
             "#15 Ev", "IMUL Gv,Ev",
    /* B0 */ "CMPXCHG Eb,Gb L", "CMPXCHG Ev,Gv L", "LSS:m Gv,Mp", "BTR Ev,Gv L", "LFS:m Gv,Mp",
             "LGS:m Gv,Mp", "MOVZX Gv,Eb", "MOVZX Gv,Ew",
    /* B8 */ SSE4("-", "-", "POPCNT", "-", "Gv,Ev"), "UD1 Gv,Ev", "#8 Ev,Ib", "BTC Ev,Gv L",
             SSE4("BSF", "BSF", "TZCNT", "BSF", "Gv,Ev"),
             SSE4("BSR", "BSR", "LZCNT", "BSR", "Gv,Ev"),
             "MOVSX Gv,Eb", "MOVSX Gv,Ew",
    /* C0 */ "XADD Eb,Gb L", "XADD Ev,Gv L", SSE4("CMPPS", "CMPPD", "CMPSS", "CMPSD", "Vx,Wx,Ib"),
             "MOVNTI:m My,Gy", SSE4("PINSRW", "PINSRW", "-", "-", "Pq,Ey,Ib"),
             SSE4("PEXTRW:r", "PEXTRW:r", "-", "-", "Gd,Nq,Ib"),
             SSE4("SHUFPS", "SHUFPD", "-", "-", "Vx,Wx,Ib"), "#9 Eq",
    /* C8 */ X8("BSWAP rv"),
    /* D0 */ SSE4("-", "ADDSUBPD", "-", "ADDSUBPS", "Vx,Wx"), MMX("PSRLW"), MMX("PSRLD"),
             MMX("PSRLQ"), MMX("PADDQ"), MMX("PMULLW"),
             SSE4("-", "MOVQ", "MOVQ2DQ:r", "MOVDQ2Q:r", "Wq,Vq"),
             SSE4("PMOVMSKB:r", "PMOVMSKB:r", "-", "-", "Gd,Nq"),
    /* D8 */ MMX("PSUBUSB"), MMX("PSUBUSW"), MMX("PMINUB"), MMX("PAND"), MMX("PADDUSB"),
             MMX("PADDUSW"), MMX("PMAXUB"), MMX("PANDN"),
    /* E0 */ MMX("PAVGB"), MMX("PSRAW"), MMX("PSRAD"), MMX("PAVGW"), MMX("PMULHUW"), MMX("PMULHW"),
             SSE4("-", "CVTTPD2DQ", "CVTDQ2PD", "CVTPD2DQ", "Vx,Wx"),
             SSE4("MOVNTQ:m", "MOVNTDQ:m", "-", "-", "Mq,Pq"),
    /* E8 */ MMX("PSUBSB"), MMX("PSUBSW"), MMX("PMINSW"), MMX("POR"), MMX("PADDSB"), MMX("PADDSW"),
             MMX("PMAXSW"), MMX("PXOR"),
    /* F0 */ SSE4("-", "-", "-", "LDDQU:m", "Vx,Mx"), MMX("PSLLW"), MMX("PSLLD"), MMX("PSLLQ"),
             MMX("PMULUDQ"), MMX("PMADDWD"), MMX("PSADBW"),
             SSE4("MASKMOVQ:r", "MASKMOVDQU:r", "-", "-", "Pq,Nq"),
    /* F8 */ MMX("PSUBB"), MMX("PSUBW"), MMX("PSUBD"), MMX("PSUBQ"), MMX("PADDB"), MMX("PADDW"),
             MMX("PADDD"), "UD0 Gv,Ev",
};

/* 0F38 (operands Vx,Wx) and 0F3A (Vx,Wx,Ib): names only; unlisted opcodes are undefined */
#define N66(n)  "-/" n "/-/-"
#define NMX(n)  n "/" n "/-/-"
static const char *const t38[256] = {
    [0x00] = NMX("PSHUFB"), [0x01] = NMX("PHADDW"), [0x02] = NMX("PHADDD"),
    [0x03] = NMX("PHADDSW"), [0x04] = NMX("PMADDUBSW"), [0x05] = NMX("PHSUBW"),
    [0x06] = NMX("PHSUBD"), [0x07] = NMX("PHSUBSW"), [0x08] = NMX("PSIGNB"),
    [0x09] = NMX("PSIGNW"), [0x0A] = NMX("PSIGND"), [0x0B] = NMX("PMULHRSW"),
    [0x10] = N66("PBLENDVB"), [0x14] = N66("BLENDVPS"), [0x15] = N66("BLENDVPD"),
    [0x17] = N66("PTEST"), [0x1C] = NMX("PABSB"), [0x1D] = NMX("PABSW"), [0x1E] = NMX("PABSD"),
    [0x20] = N66("PMOVSXBW"), [0x21] = N66("PMOVSXBD"), [0x22] = N66("PMOVSXBQ"),
    [0x23] = N66("PMOVSXWD"), [0x24] = N66("PMOVSXWQ"), [0x25] = N66("PMOVSXDQ"),
    [0x28] = N66("PMULDQ"), [0x29] = N66("PCMPEQQ"), [0x2A] = N66("MOVNTDQA:m"),
    [0x2B] = N66("PACKUSDW"),
    [0x30] = N66("PMOVZXBW"), [0x31] = N66("PMOVZXBD"), [0x32] = N66("PMOVZXBQ"),
    [0x33] = N66("PMOVZXWD"), [0x34] = N66("PMOVZXWQ"), [0x35] = N66("PMOVZXDQ"),
    [0x37] = N66("PCMPGTQ"), [0x38] = N66("PMINSB"), [0x39] = N66("PMINSD"),
    [0x3A] = N66("PMINUW"), [0x3B] = N66("PMINUD"), [0x3C] = N66("PMAXSB"),
    [0x3D] = N66("PMAXSD"), [0x3E] = N66("PMAXUW"), [0x3F] = N66("PMAXUD"),
    [0x40] = N66("PMULLD"), [0x41] = N66("PHMINPOSUW"),
    [0x80] = N66("INVEPT:m"), [0x81] = N66("INVVPID:m"), [0x82] = N66("INVPCID:m"),
    [0xC8] = "SHA1NEXTE/-/-/-", [0xC9] = "SHA1MSG1/-/-/-", [0xCA] = "SHA1MSG2/-/-/-",
    [0xCB] = "SHA256RNDS2/-/-/-", [0xCC] = "SHA256MSG1/-/-/-", [0xCD] = "SHA256MSG2/-/-/-",
    [0xDB] = N66("AESIMC"), [0xDC] = N66("AESENC"), [0xDD] = N66("AESENCLAST"),
    [0xDE] = N66("AESDEC"), [0xDF] = N66("AESDECLAST"),
    [0xF0] = "MOVBE:m/MOVBE:m/-/CRC32", [0xF1] = "MOVBE:m/MOVBE:m/-/CRC32",
    [0xF6] = "-/ADCX/ADOX/-",
};

static const char *const t3a[256] = {
    [0x08] = N66("ROUNDPS"), [0x09] = N66("ROUNDPD"), [0x0A] = N66("ROUNDSS"),
    [0x0B] = N66("ROUNDSD"), [0x0C] = N66("BLENDPS"), [0x0D] = N66("BLENDPD"),
    [0x0E] = N66("PBLENDW"), [0x0F] = NMX("PALIGNR"),
    [0x14] = N66("PEXTRB"), [0x15] = N66("PEXTRW"), [0x16] = N66("PEXTRD|PEXTRD|PEXTRQ"),
    [0x17] = N66("EXTRACTPS"), [0x20] = N66("PINSRB"), [0x21] = N66("INSERTPS"),
    [0x22] = N66("PINSRD|PINSRD|PINSRQ"),
    [0x40] = N66("DPPS"), [0x41] = N66("DPPD"), [0x42] = N66("MPSADBW"),
    [0x44] = N66("PCLMULQDQ"), [0x60] = N66("PCMPESTRM"), [0x61] = N66("PCMPESTRI"),
    [0x62] = N66("PCMPISTRM"), [0x63] = N66("PCMPISTRI"),
    [0xCC] = "SHA1RNDS4/-/-/-", [0xDF] = N66("AESKEYGENASSIST"),
};

/* Groups: entries "NAMES [OPERANDS [FLAGS]]", operands appended to the opcode's */
typedef struct TGrp {
    const char *id;
    const char *mem[8];
    const char *reg[8];             /* all NULL: as mem */
    const char *const *rm[8];       /* mod=3 entries selected by ModRM.rm */
} TGrp;

#define NONE8 { "-", "-", "-", "-", "-", "-", "-", "-" }
static const char *const r0f01_0[8] = { "-", "VMCALL", "VMLAUNCH", "VMRESUME", "VMXOFF", "-", "-",
                                        "-" };
static const char *const r0f01_1[8] = { "MONITOR", "MWAIT", "CLAC", "STAC", "-", "-", "-",
                                        "ENCLS" };
static const char *const r0f01_2[8] = { "XGETBV", "XSETBV", "-", "-", "VMFUNC", "XEND", "XTEST",
                                        "ENCLU" };
static const char *const r0f01_3[8] = { "VMRUN", "VMMCALL", "VMLOAD", "VMSAVE", "STGI", "CLGI",
                                        "SKINIT", "INVLPGA" };
static const char *const r0f01_5[8] = { "-", "-", "-", "-", "-", "-", "RDPKRU", "WRPKRU" };
static const char *const r0f01_7[8] = { "SWAPGS - o64", "RDTSCP", "MONITORX", "MWAITX", "CLZERO",
                                        "RDPRU", "-", "-" };
static const char *const rc6_7[8] = { "XABORT", "-", "-", "-", "-", "-", "-", "-" };
static const char *const rc7_7[8] = { "XBEGIN", "-", "-", "-", "-", "-", "-", "-" };
static const char *const rd9_2[8] = { "FNOP", "-", "-", "-", "-", "-", "-", "-" };
static const char *const rd9_4[8] = { "FCHS", "FABS", "-", "-", "FTST", "FXAM", "-", "-" };
static const char *const rd9_5[8] = { "FLD1", "FLDL2T", "FLDL2E", "FLDPI", "FLDLG2", "FLDLN2",
                                      "FLDZ", "-" };
static const char *const rd9_6[8] = { "F2XM1", "FYL2X", "FPTAN", "FPATAN", "FXTRACT", "FPREM1",
                                      "FDECSTP", "FINCSTP" };
static const char *const rd9_7[8] = { "FPREM", "FYL2XP1", "FSQRT", "FSINCOS", "FRNDINT", "FSCALE",
                                      "FSIN", "FCOS" };
static const char *const rda_5[8] = { "-", "FUCOMPP", "-", "-", "-", "-", "-", "-" };
static const char *const rdb_4[8] = { "FNOP", "FNOP", "FNCLEX", "FNINIT", "FNOP", "-", "-", "-" };
static const char *const rde_3[8] = { "-", "FCOMPP", "-", "-", "-", "-", "-", "-" };
static const char *const rdf_4[8] = { "FNSTSW", "-", "-", "-", "-", "-", "-", "-" };

static const TGrp tgrps[] = {
    { "1", .mem = { "ADD - L", "OR - L", "ADC - L", "SBB - L", "AND - L", "SUB - L", "XOR - L",
                    "CMP" } },
    { "1A", .mem = { "POP - d64", "-", "-", "-", "-", "-", "-", "-" } },
    { "2", .mem = { "ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "SHL", "SAR" } },
    { "3b", .mem = { "TEST Ib", "TEST Ib", "NOT - L", "NEG - L", "MUL", "IMUL", "DIV", "IDIV" } },
    { "3v", .mem = { "TEST Iz", "TEST Iz", "NOT - L", "NEG - L", "MUL", "IMUL", "DIV", "IDIV" } },
    { "4", .mem = { "INC - L", "DEC - L", "-", "-", "-", "-", "-", "-" } },
    { "5", .mem = { "INC - L", "DEC - L", "CALL - f64", "CALLF:m", "JMP - f64", "JMPF:m",
                    "PUSH - d64", "-" } },
    { "11b", .mem = { "MOV", "-", "-", "-", "-", "-", "-", "-" },
             .reg = { "MOV", "-", "-", "-", "-", "-", "-", "-" }, .rm = { [7] = rc6_7 } },
    { "11v", .mem = { "MOV", "-", "-", "-", "-", "-", "-", "-" },
             .reg = { "MOV", "-", "-", "-", "-", "-", "-", "-" }, .rm = { [7] = rc7_7 } },
    { "6", .mem = { "SLDT", "STR", "LLDT", "LTR", "VERR", "VERW", "-", "-" } },
    { "7", .mem = { "SGDT", "SIDT", "LGDT", "LIDT", "SMSW", "-", "LMSW", "INVLPG" },
           .reg = { "", "", "", "", "SMSW", "", "LMSW", "" },
           .rm = { r0f01_0, r0f01_1, r0f01_2, r0f01_3, NULL, r0f01_5, NULL, r0f01_7 } },
    { "8", .mem = { "-", "-", "-", "-", "BT", "BTS - L", "BTR - L", "BTC - L" } },
    { "9", .mem = { "-", "CMPXCHG8B|CMPXCHG8B|CMPXCHG16B - L", "-", "XRSTORS", "XSAVEC", "XSAVES",
                    "VMPTRLD/VMCLEAR/VMXON/VMPTRLD", "VMPTRST" },
           .reg = { "-", "-", "-", "-", "-", "-", "RDRAND", "RDSEED/RDSEED/RDPID/RDSEED" } },
    { "12", .mem = NONE8,
            .reg = { "-", "-", "PSRLW/PSRLW/-/-", "-", "PSRAW/PSRAW/-/-", "-", "PSLLW/PSLLW/-/-",
                     "-" } },
    { "13", .mem = NONE8,
            .reg = { "-", "-", "PSRLD/PSRLD/-/-", "-", "PSRAD/PSRAD/-/-", "-", "PSLLD/PSLLD/-/-",
                     "-" } },
    { "14", .mem = NONE8,
            .reg = { "-", "-", "PSRLQ/PSRLQ/-/-", "-/PSRLDQ/-/-", "-", "-", "PSLLQ/PSLLQ/-/-",
                     "-/PSLLDQ/-/-" } },
    { "15", .mem = { "FXSAVE", "FXRSTOR", "LDMXCSR", "STMXCSR", "XSAVE", "XRSTOR",
                     "XSAVEOPT/CLWB/XSAVEOPT/XSAVEOPT", "CLFLUSH/CLFLUSHOPT/CLFLUSH/CLFLUSH" },
            .reg = { "-/-/RDFSBASE/- - o64", "-/-/RDGSBASE/- - o64", "-/-/WRFSBASE/- - o64",
                     "-/-/WRGSBASE/- - o64", "-", "LFENCE/LFENCE/-/-", "MFENCE/MFENCE/-/-",
                     "SFENCE/SFENCE/-/-" } },
    { "16", .mem = { "PREFETCHNTA", "PREFETCHT0", "PREFETCHT1", "PREFETCHT2", "NOP", "NOP", "NOP",
                     "NOP" },
            .reg = { "NOP", "NOP", "NOP", "NOP", "NOP", "NOP", "NOP", "NOP" } },
    { "P", .mem = { "PREFETCH", "PREFETCHW", "PREFETCHWT1", "PREFETCH", "PREFETCH", "PREFETCH",
                    "PREFETCH", "PREFETCH" },
           .reg = NONE8 },
    { "D8", .mem = { "FADD", "FMUL", "FCOM", "FCOMP", "FSUB", "FSUBR", "FDIV", "FDIVR" } },
    { "D9", .mem = { "FLD", "-", "FST", "FSTP", "FLDENV", "FLDCW", "FNSTENV", "FNSTCW" },
            .reg = { "FLD", "FXCH", "", "FSTP", "", "", "", "" },
            .rm = { NULL, NULL, rd9_2, NULL, rd9_4, rd9_5, rd9_6, rd9_7 } },
    { "DA", .mem = { "FIADD", "FIMUL", "FICOM", "FICOMP", "FISUB", "FISUBR", "FIDIV", "FIDIVR" },
            .reg = { "FCMOVB", "FCMOVE", "FCMOVBE", "FCMOVU", "-", "", "-", "-" },
            .rm = { [5] = rda_5 } },
    { "DB", .mem = { "FILD", "FISTTP", "FIST", "FISTP", "-", "FLD", "-", "FSTP" },
            .reg = { "FCMOVNB", "FCMOVNE", "FCMOVNBE", "FCMOVNU", "", "FUCOMI", "FCOMI", "-" },
            .rm = { [4] = rdb_4 } },
    /* register forms: DC E0+i is FSUBR ST(i),ST(0), DC E8+i FSUB, F0+i FDIVR, F8+i FDIV */
    { "DC", .mem = { "FADD", "FMUL", "FCOM", "FCOMP", "FSUB", "FSUBR", "FDIV", "FDIVR" },
            .reg = { "FADD", "FMUL", "FCOM", "FCOMP", "FSUBR", "FSUB", "FDIVR", "FDIV" } },
    { "DD", .mem = { "FLD", "FISTTP", "FST", "FSTP", "FRSTOR", "-", "FNSAVE", "FNSTSW" },
            .reg = { "FFREE", "FXCH", "FST", "FSTP", "FUCOM", "FUCOMP", "-", "-" } },
    { "DE", .mem = { "FIADD", "FIMUL", "FICOM", "FICOMP", "FISUB", "FISUBR", "FIDIV", "FIDIVR" },
            .reg = { "FADDP", "FMULP", "FCOMP", "", "FSUBRP", "FSUBP", "FDIVRP", "FDIVP" },
            .rm = { [3] = rde_3 } },
    { "DF", .mem = { "FILD", "FISTTP", "FIST", "FISTP", "FBLD", "FILD", "FBSTP", "FISTP" },
            .reg = { "FFREEP", "FXCH", "FSTP", "FSTP", "", "FUCOMIP", "FCOMIP", "-" },
            .rm = { [4] = rdf_4 } },
};

static const TGrp *find_group(const char *id)
{
    for (unsigned i = 0; i < ARRAY_LEN(tgrps); i++) {
        if (strcmp(tgrps[i].id, id) == 0) {
            return &tgrps[i];
        }
    }
    ck_abort_msg("no test group %s", id);
    return NULL;
}

/* ---------------------------------------------------------------------------------------
 * Expectation engine
 */

typedef struct Ctx {
    int mode;
    int variant;        /* mandatory prefix: 0 none, 1 66, 2 F3, 3 F2 */
    bool p66, p67, lock, rexw, rexb;
    int opsize;         /* before d64/f64 */
    int addrsize;
} Ctx;

typedef struct Expect {
    bool valid;
    char name[32];
    int len;            /* bytes after the prefixes */
    int opsize;
    bool modrm;
    bool byte_op;
} Expect;

/* Splits `s` (modified in place) at `sep`; returns the field count */
static int split(char *s, char sep, char **out, int max)
{
    int n = 0;

    out[n++] = s;
    for (; *s; s++) {
        if (*s == sep && n < max) {
            *s = 0;
            out[n++] = s + 1;
        }
    }
    return n;
}

static int size_index(int sz)
{
    return sz == 2 ? 0 : sz == 4 ? 1 : 2;
}

/* Picks the name for the context; false when undefined there */
static bool pick_name(const char *names, const Ctx *c, int mod, int opsize, char *out)
{
    char buf[160], *f[4], *alt[3];
    char *n;
    size_t l;
    int cnt, by;

    snprintf(buf, sizeof(buf), "%s", names);
    n = buf;
    if (strchr(n, '/')) {
        ck_assert_int_eq(split(n, '/', f, 4), 4);
        n = f[c->variant];
    }
    if (strcmp(n, "-") == 0) {
        return false;
    }
    l = strlen(n);
    if (l > 2 && n[l - 2] == ':') {
        if ((n[l - 1] == 'm' && mod == 3) || (n[l - 1] == 'r' && mod != 3)) {
            return false;
        }
        n[l - 2] = 0;
    }
    if (strchr(n, '~')) {
        split(n, '~', alt, 2);
        n = alt[mod == 3];
    }
    by = opsize;
    if (n[0] == '@') {
        by = c->addrsize;
        n++;
    }
    cnt = split(n, '|', alt, 3);
    n = alt[size_index(by) < cnt ? size_index(by) : cnt - 1];
    snprintf(out, 32, "%s", n);
    return true;
}

static bool has_flag(char **tok, int ntok, const char *flag)
{
    for (int i = 2; i < ntok; i++) {
        if (strcmp(tok[i], flag) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Expected result for opcode entry `spec` (and group entry `gspec`, or NULL) in context `c`,
 * with a ModRM of the given mod (1 with rm=4, or 3) if the instruction has one.
 * `oplen` is the number of opcode bytes.
 */
static void expect(const char *spec, const char *gspec, const Ctx *c, int mod, int oplen,
                   Expect *e)
{
    char sbuf[160], gbuf[160], ops[160], *tok[8], *gtok[8], *otok[8];
    int ntok, ngtok = 0, notok, imm = 0, iz;
    bool lockable, x, bytecand = false, wide = false;
    const char *names;

    snprintf(sbuf, sizeof(sbuf), "%s", spec);
    ntok = split(sbuf, ' ', tok, 8);
    names = tok[0];
    snprintf(ops, sizeof(ops), "%s", ntok > 1 ? tok[1] : "-");
    if (gspec) {
        snprintf(gbuf, sizeof(gbuf), "%s", gspec);
        ngtok = split(gbuf, ' ', gtok, 8);
        names = gtok[0];
        if (ngtok > 1 && strcmp(gtok[1], "-") != 0) {
            size_t l = strlen(ops);
            snprintf(ops + l, sizeof(ops) - l, ",%s", gtok[1]);
        }
    }
#define FLAG(f) (has_flag(tok, ntok, f) || (gspec && has_flag(gtok, ngtok, f)))
    e->opsize = c->opsize;
    if (c->mode == 64 && FLAG("f64")) {
        e->opsize = 8;
    } else if (c->mode == 64 && FLAG("d64") && !c->rexw) {
        e->opsize = c->p66 ? 2 : 8;
    }
    e->valid = pick_name(names, c, mod, e->opsize, e->name);
    if ((c->mode == 64 && FLAG("i64")) || (c->mode != 64 && FLAG("o64"))) {
        e->valid = false;
    }
    lockable = FLAG("L");
    x = FLAG("x");
#undef FLAG

    iz = e->opsize == 2 ? 2 : 4;
    e->modrm = false;
    notok = strcmp(ops, "-") == 0 ? 0 : split(ops, ',', otok, 8);
    for (int i = 0; i < notok; i++) {
        const char *o = otok[i];

        if (strcmp(o, "al") == 0 || strcmp(o, "rb") == 0) {
            bytecand = true;
        }
        if (o[0] < 'A' || o[0] > 'Z') {
            continue;
        }
        if (strchr("CDEGMNPQRSUVW", o[0])) {
            e->modrm = true;
        }
        if (strchr("EGOXY", o[0]) && strcmp(o + 1, "b") == 0) {
            bytecand = true;
        }
        if (strchr("EG", o[0]) && strcmp(o + 1, "b") != 0) {
            wide = true;
        }
        if (o[0] == 'I') {
            imm += o[1] == 'b' ? 1 : o[1] == 'w' ? 2 : o[1] == 'z' ? iz : e->opsize;
        } else if (o[0] == 'J') {
            imm += o[1] == 'b' ? 1 : iz;
        } else if (o[0] == 'A') {
            imm += iz + 2;
        } else if (o[0] == 'O') {
            imm += c->addrsize;
        }
    }
    e->byte_op = bytecand && !wide;
    e->len = oplen + imm;
    if (e->modrm) {
        e->len += 1;
        if (mod != 3 && !x) {
            e->len += c->addrsize == 2 ? 1 : 2;     /* disp8, or SIB + disp8 (rm=4) */
        }
    }
    if (c->lock && (!lockable || !e->modrm || mod == 3 || x)) {
        e->valid = false;
    }
}

/* A fetch callback that checks the decoder reads bytes in range and records the extent */
typedef struct Src {
    const uint8_t *buf;
    unsigned n;
    unsigned maxoff;
    unsigned fetches;
} Src;

static uint8_t src_fetch(void *opaque, unsigned off)
{
    Src *s = opaque;

    ck_assert_uint_lt(off, 15);
    if (off + 1 > s->maxoff) {
        s->maxoff = off + 1;
    }
    s->fetches++;
    return off < s->n ? s->buf[off] : 0;
}

static int sweep_failures;
static long sweep_checks;

static void report(const uint8_t *b, int n, int mode, const char *what, const X86Insn *in,
                   const Expect *e)
{
    char hex[64] = "";

    for (int i = 0; i < n && i < 15; i++) {
        snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", b[i]);
    }
    if (sweep_failures++ < 30) {
        fprintf(stderr, "mode %d: %s: %s-> got %s len %d opsize %d%s, want %s len %d opsize %d%s\n",
                mode, what, hex, x86_mnem_name(in->mnem), in->len, in->opsize,
                (in->flags & X86_DF_INVALID) ? " INVALID" : "", e->name, e->len, e->opsize,
                e->valid ? "" : " INVALID");
    }
}

static void check_one(const Ctx *c, const uint8_t *pfx, int npfx, const uint8_t *opc, int oplen,
                      int modrm, const char *spec, const char *gspec)
{
    uint8_t b[32];
    int n = 0, mod = modrm >= 0 ? modrm >> 6 : 1;
    X86Insn in;
    Expect e;
    Src s;

    memcpy(b, pfx, npfx);
    n = npfx;
    memcpy(b + n, opc, oplen);
    n += oplen;
    if (modrm >= 0) {
        b[n++] = (uint8_t)modrm;
    }
    /* SIB (scale 1, index 1, base 0) or disp, then immediate bytes */
    b[n++] = 0x48;
    for (int i = 0; i < 10; i++) {
        b[n++] = (uint8_t)(0x11 * (i + 1));
    }
    expect(spec, gspec, c, mod, oplen, &e);
    if ((modrm >= 0) != e.modrm) {
        return;     /* each row is checked with or without ModRM, as it defines */
    }
    s = (Src){ b, (unsigned)n, 0, 0 };
    x86_decode(&in, c->mode, src_fetch, &s);
    sweep_checks++;

    if (((in.flags & X86_DF_INVALID) == 0) != e.valid) {
        report(b, n, c->mode, "validity", &in, &e);
        return;
    }
    if (in.len != npfx + e.len) {
        report(b, n, c->mode, "length", &in, &e);
        return;
    }
    if (s.maxoff != in.len || s.fetches != in.len) {
        report(b, n, c->mode, "fetched bytes", &in, &e);
        return;
    }
    if (in.has_modrm != e.modrm) {
        report(b, n, c->mode, "has_modrm", &in, &e);
        return;
    }
    if (!e.valid) {
        return;
    }
    if (strcmp(x86_mnem_name(in.mnem), e.name) != 0) {
        report(b, n, c->mode, "mnemonic", &in, &e);
        return;
    }
    if (in.opsize != e.opsize) {
        report(b, n, c->mode, "opsize", &in, &e);
        return;
    }
    if (oplen <= 2 && x86_insn_is_byte_op(&in) != e.byte_op) {
        report(b, n, c->mode, "byte op", &in, &e);
    }
}

/* Sweeps one opcode in context c: plain rows with memory and register ModRM, groups per
 * ModRM.reg (and ModRM.rm for register forms) */
static void sweep_opcode(const Ctx *c, const uint8_t *pfx, int npfx, const uint8_t *opc, int oplen,
                         const char *spec)
{
    if (spec[0] == '#') {
        char id[8];
        const TGrp *g;

        sscanf(spec + 1, "%7s", id);
        g = find_group(id);
        for (int r = 0; r < 8; r++) {
            check_one(c, pfx, npfx, opc, oplen, 0x44 | (r << 3), spec, g->mem[r]);
            for (int rm = 0; rm < 8; rm++) {
                const char *gs = g->rm[r] ? g->rm[r][rm] : g->reg[0] ? g->reg[r] : g->mem[r];
                check_one(c, pfx, npfx, opc, oplen, 0xC0 | (r << 3) | rm, spec, gs);
            }
        }
        return;
    }
    check_one(c, pfx, npfx, opc, oplen, -1, spec, NULL);
    check_one(c, pfx, npfx, opc, oplen, 0x44 | (2 << 3), spec, NULL);
    check_one(c, pfx, npfx, opc, oplen, 0xC0 | (2 << 3) | 1, spec, NULL);
}

static const struct { uint8_t b[2]; int n; bool only64; } psets[] = {
    { { 0 }, 0, false }, { { 0x66 }, 1, false }, { { 0xF3 }, 1, false }, { { 0xF2 }, 1, false },
    { { 0xF0 }, 1, false }, { { 0x67 }, 1, false }, { { 0x66, 0xF2 }, 2, false },
    { { 0x66, 0xF3 }, 2, false },
    { { 0x48 }, 1, true }, { { 0x41 }, 1, true }, { { 0x66, 0x48 }, 2, true },
    { { 0xF0, 0x48 }, 2, true },
};

static void make_ctx(Ctx *c, int mode, const uint8_t *p, int n)
{
    memset(c, 0, sizeof(*c));
    c->mode = mode;
    for (int i = 0; i < n; i++) {
        switch (p[i]) {
        case 0x66: c->p66 = true; break;
        case 0x67: c->p67 = true; break;
        case 0xF0: c->lock = true; break;
        case 0xF3: c->variant = 2; break;
        case 0xF2: c->variant = 3; break;
        default:
            c->rexw = (p[i] & 8) != 0;
            c->rexb = (p[i] & 1) != 0;
            break;
        }
    }
    if (c->variant == 0 && c->p66) {
        c->variant = 1;
    }
    if (mode == 16) {
        c->opsize = c->p66 ? 4 : 2;
        c->addrsize = c->p67 ? 4 : 2;
    } else {
        c->opsize = c->p66 ? 2 : 4;
        c->addrsize = mode == 64 ? (c->p67 ? 4 : 8) : (c->p67 ? 2 : 4);
    }
    if (c->rexw) {
        c->opsize = 8;
    }
}

static void sweep_map(int map)
{
    static const int modes[] = { 16, 32, 64 };

    sweep_failures = 0;
    sweep_checks = 0;
    for (unsigned mi = 0; mi < ARRAY_LEN(modes); mi++) {
        int mode = modes[mi];

        for (unsigned pi = 0; pi < ARRAY_LEN(psets); pi++) {
            Ctx c;

            if (psets[pi].only64 && mode != 64) {
                continue;
            }
            make_ctx(&c, mode, psets[pi].b, psets[pi].n);
            for (int op = 0; op < 256; op++) {
                uint8_t opc[3];
                int oplen = 0;
                const char *spec;
                char sbuf[64];

                if (map == 0) {
                    spec = t1b[op];
                    if (mode == 64 && op >= 0x40 && op <= 0x4F) {
                        continue;   /* REX */
                    }
                    if (mode == 64) {
                        for (unsigned k = 0; k < ARRAY_LEN(t1b_64); k++) {
                            if (t1b_64[k].op == op) {
                                spec = t1b_64[k].spec;
                            }
                        }
                    }
                    if (op == 0x90 && c.rexb) {
                        spec = "XCHG rv,rax";
                    }
                } else if (map == 1) {
                    opc[oplen++] = 0x0F;
                    spec = t0f[op];
                } else {
                    const char *n = map == 2 ? t38[op] : t3a[op];

                    opc[oplen++] = 0x0F;
                    opc[oplen++] = map == 2 ? 0x38 : 0x3A;
                    snprintf(sbuf, sizeof(sbuf), "%s %s", n ? n : "-",
                             map == 2 ? "Vx,Wx" : "Vx,Wx,Ib");
                    spec = sbuf;
                }
                if (!spec) {
                    continue;
                }
                opc[oplen++] = (uint8_t)op;
                sweep_opcode(&c, psets[pi].b, psets[pi].n, opc, oplen, spec);
            }
        }
    }
    ck_assert_msg(sweep_failures == 0, "%d mismatches (first ones on stderr)", sweep_failures);
    ck_assert_int_gt(sweep_checks, 10000);
}

START_TEST(test_sweep_1byte)
{
    sweep_map(0);
}
END_TEST

START_TEST(test_sweep_0f)
{
    sweep_map(1);
}
END_TEST

START_TEST(test_sweep_0f38_0f3a)
{
    sweep_map(2);
    sweep_map(3);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Hand-written cases
 */

/* Decodes a hex string ("66 0f 38 00 c1"); bytes past it read as 0 */
static X86Insn dec(int mode, const char *hex)
{
    uint8_t b[32];
    unsigned n = 0, v;
    int used, ret;
    X86Insn in;
    Src s;

    while (sscanf(hex, " %x%n", &v, &used) == 1) {
        ck_assert_uint_lt(n, sizeof(b));
        b[n++] = (uint8_t)v;
        hex += used;
    }
    s = (Src){ b, n, 0, 0 };
    ret = x86_decode(&in, mode, src_fetch, &s);
    ck_assert_int_eq(ret, in.len);
    if (!(in.flags & X86_DF_TOO_LONG)) {
        ck_assert_uint_eq(s.maxoff, in.len);    /* fetched exactly the instruction */
    }
    return in;
}

static bool invalid(const X86Insn *in)
{
    return (in->flags & X86_DF_INVALID) != 0;
}

/* Decodes and checks the mnemonic, the length and that it is valid */
static X86Insn dec_ok(int mode, const char *hex, const char *mn, int len)
{
    X86Insn in = dec(mode, hex);

    ck_assert_msg(!invalid(&in), "%s: unexpected #UD", hex);
    ck_assert_str_eq(x86_mnem_name(in.mnem), mn);
    ck_assert_int_eq(in.len, len);
    return in;
}

START_TEST(test_prefixes)
{
    X86Insn in;

    in = dec_ok(32, "66 f3 2e a5", "MOVSW", 4);      /* rep movsw cs: */
    ck_assert_uint_eq(in.prefixes, X86_PFX_REPZ | X86_PFX_OPSZ);
    ck_assert_int_eq(in.seg, X86_SEG_CS);
    ck_assert_int_eq(in.opsize, 2);
    ck_assert_uint_eq(in.mandatory, 0xF3);

    in = dec_ok(32, "66 66 66 89 c0", "MOV", 5);     /* repeated prefixes */
    ck_assert_int_eq(in.opsize, 2);
    ck_assert_int_eq(in.seg, X86_SEG_NONE);

    in = dec_ok(32, "26 64 8b 00", "MOV", 4);        /* the last segment prefix counts */
    ck_assert_int_eq(in.seg, X86_SEG_FS);

    in = dec_ok(16, "66 67 8b 04 24", "MOV", 5);     /* 16-bit mode: 66/67 select 32 */
    ck_assert_int_eq(in.opsize, 4);
    ck_assert_int_eq(in.addrsize, 4);
    ck_assert_int_eq(in.base, 4);

    in = dec_ok(32, "f2 f3 a6", "CMPSB", 3);         /* both reps: the last one wins */
    ck_assert_uint_eq(in.prefixes, X86_PFX_REPZ | X86_PFX_REPNZ);
    ck_assert_uint_eq(in.mandatory, 0xF3);
    in = dec_ok(32, "66 f2 0f 10 c1", "MOVSD", 5);   /* F2 beats 66 for the SSE form */

    /* 64-bit mode: CS/SS/DS/ES overrides are ignored, FS/GS count */
    in = dec_ok(64, "2e 8b 00", "MOV", 3);
    ck_assert_int_eq(in.seg, X86_SEG_NONE);
    in = dec(64, "64 3e 8b 00");
    ck_assert_int_eq(in.seg, X86_SEG_FS);
    in = dec_ok(64, "65 48 8b 04 25 28 00 00 00", "MOV", 9); /* mov rax, gs:[0x28] */
    ck_assert_int_eq(in.seg, X86_SEG_GS);
    ck_assert_int_eq(in.opsize, 8);
    ck_assert_int_eq(in.base, -1);
    ck_assert_int_eq(in.index, -1);
    ck_assert_int_eq(in.disp, 0x28);
    ck_assert(!in.rip_rel);
}
END_TEST

START_TEST(test_rex)
{
    X86Insn in;

    in = dec_ok(64, "4f 8b 04 c8", "MOV", 4);        /* mov r8, [r8 + r9*8] */
    ck_assert_uint_eq(in.rex, 0x4F);
    ck_assert(in.prefixes & X86_PFX_REX);
    ck_assert_int_eq(in.opsize, 8);
    ck_assert_int_eq(in.reg, 8);
    ck_assert_int_eq(in.base, 8);
    ck_assert_int_eq(in.index, 9);
    ck_assert_int_eq(in.scale, 3);

    in = dec_ok(64, "48 66 89 c0", "MOV", 4);        /* a legacy prefix after REX drops it */
    ck_assert_uint_eq(in.rex, 0);
    ck_assert(!(in.prefixes & X86_PFX_REX));
    ck_assert_int_eq(in.opsize, 2);

    in = dec(64, "66 48 89 c0");                     /* REX.W beats 66 */
    ck_assert_int_eq(in.opsize, 8);

    in = dec_ok(64, "48 41 89 c0", "MOV", 4);        /* the last REX counts */
    ck_assert_uint_eq(in.rex, 0x41);
    ck_assert_int_eq(in.opsize, 4);
    ck_assert_int_eq(in.rm, 8);

    in = dec(64, "44 89 c8");                        /* REX.R: mov eax, r9d */
    ck_assert_int_eq(in.reg, 9);
    ck_assert_int_eq(in.rm, 0);

    in = dec_ok(32, "48 89 c0", "DEC", 1);           /* 32-bit mode: 48 is DEC eax */
    ck_assert_int_eq(in.opreg, 0);

    in = dec_ok(64, "41 5f", "POP", 2);              /* pop r15 */
    ck_assert_int_eq(in.opreg, 15);
    ck_assert_int_eq(in.opsize, 8);
    in = dec(64, "66 41 50");                        /* push r8w */
    ck_assert_int_eq(in.opsize, 2);
    ck_assert_int_eq(in.opreg, 8);
    in = dec_ok(64, "49 0f c8", "BSWAP", 3);         /* bswap r8 */
    ck_assert_int_eq(in.opreg, 8);
    in = dec(64, "0f c9");
    ck_assert_int_eq(in.opreg, 1);
    in = dec_ok(64, "41 b0 01", "MOV", 3);           /* mov r8b, 1 */
    ck_assert_int_eq(in.opreg, 8);
    ck_assert(x86_insn_is_byte_op(&in));
    in = dec(64, "40 88 f0");                        /* mov al, sil: REX without bits */
    ck_assert(in.prefixes & X86_PFX_REX);
    ck_assert_uint_eq(in.rex, 0x40);

    in = dec_ok(64, "41 90", "XCHG", 2);             /* xchg r8d, eax, not nop */
    in = dec_ok(64, "90", "NOP", 1);
    in = dec_ok(64, "f3 90", "PAUSE", 2);
}
END_TEST

START_TEST(test_modrm_32_64)
{
    X86Insn in;

    in = dec_ok(32, "8b 04 20", "MOV", 3);           /* index 4 = none */
    ck_assert(in.has_mem);
    ck_assert_int_eq(in.base, 0);
    ck_assert_int_eq(in.index, -1);
    in = dec(64, "4a 8b 04 20");                     /* with REX.X index 4 is r12 */
    ck_assert_int_eq(in.index, 12);
    ck_assert_int_eq(in.base, 0);

    in = dec_ok(32, "8b 04 25 78 56 34 12", "MOV", 7); /* SIB base 5, mod 0: disp32, no base */
    ck_assert_int_eq(in.base, -1);
    ck_assert_int_eq(in.index, -1);
    ck_assert_int_eq(in.disp, 0x12345678);
    in = dec_ok(64, "41 8b 04 25 78 56 34 12", "MOV", 8); /* ... also with REX.B */
    ck_assert_int_eq(in.base, -1);
    in = dec(32, "8b 04 8d 00 10 00 00");            /* [ecx*4 + 0x1000] */
    ck_assert_int_eq(in.base, -1);
    ck_assert_int_eq(in.index, 1);
    ck_assert_int_eq(in.scale, 2);
    ck_assert_int_eq(in.disp, 0x1000);
    in = dec_ok(32, "8b 44 25 10", "MOV", 4);        /* SIB base 5, mod 1: ebp + disp8 */
    ck_assert_int_eq(in.base, 5);
    ck_assert_int_eq(in.disp, 0x10);
    in = dec_ok(64, "41 8b 44 24 f8", "MOV", 5);     /* [r12 - 8] */
    ck_assert_int_eq(in.base, 12);
    ck_assert_int_eq(in.disp, -8);
    in = dec(64, "41 8b 45 00");                     /* [r13 + 0]: rm 5 + REX.B, mod 1 */
    ck_assert_int_eq(in.base, 13);
    ck_assert(!in.rip_rel);
    in = dec_ok(32, "8b 80 00 00 00 80", "MOV", 6);  /* disp32 sign-extended */
    ck_assert_int_eq(in.disp, -0x80000000LL);

    /* mod 0, rm 5: RIP-relative in 64-bit mode, absolute disp32 otherwise */
    in = dec_ok(64, "8b 05 10 00 00 00", "MOV", 6);
    ck_assert(in.rip_rel);
    ck_assert_int_eq(in.base, -1);
    ck_assert_int_eq(in.disp, 0x10);
    in = dec(64, "41 8b 05 f0 ff ff ff");
    ck_assert(in.rip_rel);
    ck_assert_int_eq(in.disp, -0x10);
    in = dec(64, "67 8b 05 10 00 00 00");            /* EIP-relative */
    ck_assert(in.rip_rel);
    ck_assert_int_eq(in.addrsize, 4);
    in = dec_ok(32, "8b 05 10 00 00 00", "MOV", 6);
    ck_assert(!in.rip_rel);
    ck_assert_int_eq(in.base, -1);
    /* RIP-relative then an immediate */
    in = dec_ok(64, "c7 05 10 00 00 00 01 00 00 00", "MOV", 10);
    ck_assert(in.rip_rel);
    ck_assert_int_eq(in.imm, 1);

    in = dec(32, "89 d8");                           /* register form */
    ck_assert(!in.has_mem);
    ck_assert_int_eq(in.mod, 3);
    ck_assert_int_eq(in.rm, 0);
    ck_assert_int_eq(in.reg, 3);
}
END_TEST

START_TEST(test_modrm_16)
{
    static const int base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
    static const int index[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };
    X86Insn in;
    char hex[32];

    for (int rm = 0; rm < 8; rm++) {
        for (int mod = 0; mod < 3; mod++) {
            snprintf(hex, sizeof(hex), "8b %02x fe ff", (mod << 6) | rm);
            in = dec(16, hex);
            ck_assert_int_eq(in.addrsize, 2);
            ck_assert(in.has_mem);
            if (mod == 0 && rm == 6) {               /* [disp16] */
                ck_assert_int_eq(in.len, 4);
                ck_assert_int_eq(in.base, -1);
                ck_assert_int_eq(in.index, -1);
                ck_assert_int_eq(in.disp, -2);
                continue;
            }
            ck_assert_int_eq(in.len, 2 + mod);
            ck_assert_int_eq(in.base, base[rm]);
            ck_assert_int_eq(in.index, index[rm]);
            ck_assert_int_eq(in.scale, 0);
            ck_assert_int_eq(in.disp, mod == 0 ? 0 : -2);
        }
    }
    in = dec_ok(16, "8b 46 fe", "MOV", 3);           /* [bp - 2] */
    ck_assert_int_eq(in.base, 5);
    ck_assert_int_eq(in.disp, -2);
    in = dec_ok(16, "8b 81 00 01", "MOV", 4);        /* [bx + di + 0x100] */
    ck_assert_int_eq(in.disp, 0x100);
    in = dec_ok(32, "67 8b 00", "MOV", 3);           /* 67 in 32-bit mode: [bx + si] */
    ck_assert_int_eq(in.addrsize, 2);
    ck_assert_int_eq(in.base, 3);
    ck_assert_int_eq(in.index, 6);
    in = dec_ok(16, "c7 06 34 12 78 56", "MOV", 6);  /* mov word [0x1234], 0x5678 */
    ck_assert_int_eq(in.disp, 0x1234);
    ck_assert_int_eq(in.imm, 0x5678);
    ck_assert_int_eq(in.imm_size, 2);
}
END_TEST

START_TEST(test_moffs)
{
    X86Insn in;

    in = dec_ok(16, "a1 34 12", "MOV", 3);
    ck_assert(in.has_mem);
    ck_assert(!in.has_modrm);
    ck_assert_int_eq(in.base, -1);
    ck_assert_int_eq(in.index, -1);
    ck_assert_int_eq(in.disp, 0x1234);
    ck_assert_int_eq(in.imm_size, 0);
    in = dec_ok(16, "67 a0 78 56 34 12", "MOV", 6);
    ck_assert_int_eq(in.disp, 0x12345678);
    in = dec_ok(32, "a3 78 56 34 92", "MOV", 5);
    ck_assert_int_eq(in.disp, 0x92345678);           /* an address: zero-extended */
    in = dec_ok(32, "67 a1 34 12", "MOV", 4);
    ck_assert_int_eq(in.disp, 0x1234);
    in = dec_ok(64, "48 a1 88 77 66 55 44 33 22 11", "MOV", 10);
    ck_assert_int_eq(in.disp, 0x1122334455667788LL);
    ck_assert_int_eq(in.opsize, 8);
    in = dec_ok(64, "a2 08 07 06 05 04 03 02 01", "MOV", 9);
    ck_assert(x86_insn_is_byte_op(&in));
    in = dec_ok(64, "67 a0 78 56 34 12", "MOV", 6);
    ck_assert_int_eq(in.addrsize, 4);
}
END_TEST

START_TEST(test_far_and_branches)
{
    X86Insn in;

    in = dec_ok(32, "ea 78 56 34 12 08 00", "JMPF", 7);
    ck_assert_int_eq(in.imm, 0x12345678);
    ck_assert_int_eq(in.imm2, 8);
    ck_assert_int_eq(in.imm_size, 4);
    in = dec_ok(16, "ea 34 12 00 f0", "JMPF", 5);
    ck_assert_int_eq(in.imm, 0x1234);
    ck_assert_int_eq(in.imm2, 0xF000);
    in = dec_ok(32, "66 9a 34 12 08 00", "CALLF", 6);
    in = dec_ok(16, "66 ea 78 56 34 12 08 00", "JMPF", 8);
    in = dec(64, "ea 78 56 34 12 08 00");
    ck_assert(invalid(&in));
    in = dec(64, "9a 78 56 34 12 08 00");
    ck_assert(invalid(&in));
    in = dec_ok(32, "ff 28", "JMPF", 2);             /* jmp far [eax] */
    in = dec(32, "ff e8");                           /* ... needs memory */
    ck_assert(invalid(&in));
    in = dec_ok(64, "48 ff 18", "CALLF", 3);         /* call far m16:64 */

    in = dec_ok(32, "eb fe", "JMP", 2);
    ck_assert_int_eq(in.imm, -2);
    in = dec_ok(32, "e8 fb ff ff ff", "CALL", 5);
    ck_assert_int_eq(in.imm, -5);
    in = dec_ok(16, "e8 fd ff", "CALL", 3);
    ck_assert_int_eq(in.imm, -3);
    in = dec_ok(16, "0f 84 00 80", "JE", 4);
    ck_assert_int_eq(in.imm, -0x8000);
    in = dec_ok(32, "0f 8f 00 01 00 00", "JG", 6);
    in = dec_ok(64, "66 e9 00 01 00 00", "JMP", 6);  /* Intel: 66 ignored, rel32 */
    ck_assert_int_eq(in.opsize, 8);
    in = dec_ok(64, "ff d0", "CALL", 2);             /* call rax */
    ck_assert_int_eq(in.opsize, 8);
    in = dec(64, "c3");
    ck_assert_int_eq(in.opsize, 8);
    in = dec_ok(32, "c2 08 00", "RET", 3);
    ck_assert_int_eq(in.imm, 8);
    in = dec_ok(32, "ca 04 80", "RETF", 3);
    ck_assert_int_eq(in.imm, 0x8004);
    in = dec_ok(32, "e3 10", "JECXZ", 2);
    in = dec_ok(32, "67 e3 10", "JCXZ", 3);
    in = dec_ok(64, "e3 10", "JRCXZ", 2);
    in = dec_ok(64, "e2 f0", "LOOP", 2);
    ck_assert_int_eq(in.imm, -16);
    in = dec_ok(64, "c7 f8 00 01 00 00", "XBEGIN", 6); /* xbegin rel32 */
    in = dec_ok(64, "c6 f8 ff", "XABORT", 3);
}
END_TEST

START_TEST(test_immediates)
{
    X86Insn in;

    in = dec_ok(32, "c8 10 00 01", "ENTER", 4);      /* enter 16, 1 */
    ck_assert_int_eq(in.imm, 16);
    ck_assert_int_eq(in.imm2, 1);
    ck_assert_int_eq(in.imm_size, 2);
    in = dec_ok(64, "c8 00 80 ff", "ENTER", 4);
    ck_assert_int_eq(in.imm, 0x8000);
    ck_assert_int_eq(in.imm2, 0xFF);
    ck_assert_int_eq(in.opsize, 8);

    /* F6/F7 /0 and /1 take an immediate, the other /r do not */
    in = dec_ok(32, "f6 c0 12", "TEST", 3);
    ck_assert_int_eq(in.imm, 0x12);
    ck_assert(x86_insn_is_byte_op(&in));
    in = dec_ok(32, "f6 c8 12", "TEST", 3);
    in = dec_ok(32, "f6 d0", "NOT", 2);
    in = dec_ok(32, "f6 20", "MUL", 2);
    in = dec_ok(32, "f7 c0 78 56 34 12", "TEST", 6);
    ck_assert_int_eq(in.imm, 0x12345678);
    in = dec_ok(32, "66 f7 c0 34 12", "TEST", 5);
    in = dec_ok(32, "f7 05 00 10 00 00 01 00 00 00", "TEST", 10); /* test [0x1000], 1 */
    in = dec_ok(32, "f7 d8", "NEG", 2);
    in = dec_ok(32, "f7 38", "IDIV", 2);
    in = dec_ok(64, "48 f7 c0 ff ff ff ff", "TEST", 7); /* Iz sign-extended to 64 */
    ck_assert_int_eq(in.imm, -1);

    in = dec_ok(64, "48 b8 88 77 66 55 44 33 22 11", "MOV", 10); /* mov rax, imm64 */
    ck_assert_int_eq(in.imm, 0x1122334455667788LL);
    ck_assert_int_eq(in.imm_size, 8);
    in = dec_ok(64, "b8 ff ff ff ff", "MOV", 5);     /* Iv zero-extended */
    ck_assert_int_eq(in.imm, 0xFFFFFFFFLL);
    in = dec_ok(32, "66 b8 34 12", "MOV", 4);
    ck_assert_int_eq(in.imm, 0x1234);
    in = dec_ok(64, "48 c7 c0 ff ff ff ff", "MOV", 7);
    ck_assert_int_eq(in.imm, -1);
    ck_assert_int_eq(in.imm_size, 4);
    in = dec_ok(32, "83 c0 ff", "ADD", 3);           /* sign-extended Ib */
    ck_assert_int_eq(in.imm, -1);
    in = dec_ok(32, "6b c0 80", "IMUL", 3);
    ck_assert_int_eq(in.imm, -128);
    in = dec_ok(64, "6a ff", "PUSH", 2);
    ck_assert_int_eq(in.imm, -1);
    ck_assert_int_eq(in.opsize, 8);
    in = dec_ok(64, "68 00 00 00 80", "PUSH", 5);
    ck_assert_int_eq(in.imm, -0x80000000LL);
    in = dec_ok(64, "66 68 34 12", "PUSH", 4);
    ck_assert_int_eq(in.opsize, 2);
    in = dec_ok(32, "04 ff", "ADD", 2);              /* plain Ib zero-extended */
    ck_assert_int_eq(in.imm, 0xFF);
    in = dec(32, "80 c0 ff");
    ck_assert_int_eq(in.imm, 0xFF);
    in = dec_ok(32, "cd 80", "INT", 2);
    ck_assert_int_eq(in.imm, 0x80);
    in = dec_ok(32, "e4 60", "IN", 2);
    in = dec_ok(32, "c1 e0 04", "SHL", 3);
    in = dec_ok(32, "d1 e0", "SHL", 2);
    in = dec_ok(32, "0f a4 c1 04", "SHLD", 4);
    in = dec_ok(32, "0f ba e0 1f", "BT", 4);
    ck_assert_int_eq(in.imm, 31);
    in = dec_ok(32, "66 0f 73 d8 04", "PSRLDQ", 5);  /* psrldq xmm0, 4 */
    in = dec(32, "0f 73 d8 04");                     /* ... has no MMX form */
    ck_assert(invalid(&in));
    in = dec_ok(32, "0f c2 c1 01", "CMPPS", 4);
    in = dec_ok(32, "66 0f c4 c0 07", "PINSRW", 5);
    in = dec_ok(32, "0f c6 c1 1b", "SHUFPS", 4);
    in = dec_ok(32, "66 0f 70 c1 1b", "PSHUFD", 5);
}
END_TEST

START_TEST(test_three_byte_maps)
{
    X86Insn in;

    in = dec_ok(32, "66 0f 38 00 c1", "PSHUFB", 5);
    ck_assert_uint_eq(in.opc, X86_MAP_0F38 | 0x00);
    in = dec_ok(32, "0f 38 00 c1", "PSHUFB", 4);     /* MMX form */
    in = dec_ok(32, "66 0f 3a 0f c1 08", "PALIGNR", 6);
    ck_assert_uint_eq(in.opc, X86_MAP_0F3A | 0x0F);
    ck_assert_int_eq(in.imm, 8);
    in = dec_ok(32, "0f 38 f0 06", "MOVBE", 4);
    in = dec(32, "0f 38 f0 c0");
    ck_assert(invalid(&in));
    in = dec_ok(32, "f2 0f 38 f1 c1", "CRC32", 5);
    in = dec_ok(64, "66 48 0f 3a 16 c0 01", "PEXTRQ", 7);
    in = dec_ok(64, "66 0f 3a 16 c0 01", "PEXTRD", 6);
    in = dec_ok(64, "66 0f 3a 44 44 24 08 11", "PCLMULQDQ", 8); /* pclmulqdq xmm0, [rsp+8], 0x11 */
    in = dec(64, "0f 38 ff 05 00 00 00 00");         /* undefined, length still decoded */
    ck_assert(invalid(&in));
    ck_assert_int_eq(in.len, 8);
    in = dec(64, "0f 3a ff c0 00");
    ck_assert(invalid(&in));
    ck_assert_int_eq(in.len, 5);
}
END_TEST

START_TEST(test_system_forms)
{
    X86Insn in;

    in = dec_ok(64, "0f 01 f8", "SWAPGS", 3);
    in = dec(32, "0f 01 f8");
    ck_assert(invalid(&in));
    in = dec_ok(32, "0f 01 f9", "RDTSCP", 3);
    in = dec_ok(32, "0f 01 c8", "MONITOR", 3);
    in = dec_ok(32, "0f 01 c9", "MWAIT", 3);
    in = dec_ok(32, "0f 01 d0", "XGETBV", 3);
    in = dec_ok(32, "0f 01 ca", "CLAC", 3);
    in = dec_ok(32, "0f 01 10", "LGDT", 3);
    in = dec_ok(32, "0f 01 38", "INVLPG", 3);
    in = dec_ok(32, "0f 01 e0", "SMSW", 3);
    in = dec_ok(32, "0f 00 d8", "LTR", 3);

    in = dec_ok(64, "0f 20 c0", "MOV", 3);           /* mov rax, cr0 */
    ck_assert_int_eq(in.mod, 3);
    ck_assert_int_eq(in.opsize, 8);
    in = dec_ok(32, "0f 22 18", "MOV", 3);           /* mod ignored: mov cr3, eax */
    ck_assert(!in.has_mem);
    ck_assert_int_eq(in.mod, 3);
    ck_assert_int_eq(in.reg, 3);
    ck_assert_int_eq(in.rm, 0);
    in = dec(64, "44 0f 20 c0");                     /* mov rax, cr8 */
    ck_assert_int_eq(in.reg, 8);

    in = dec_ok(64, "f3 0f 1e fa", "ENDBR64", 4);
    in = dec_ok(32, "f3 0f 1e fb", "ENDBR32", 4);
    in = dec_ok(64, "f3 48 0f ae c0", "RDFSBASE", 5);
    in = dec(32, "f3 0f ae c0");
    ck_assert(invalid(&in));
    in = dec_ok(32, "0f ae e8", "LFENCE", 3);
    in = dec_ok(32, "0f ae 38", "CLFLUSH", 3);
    in = dec_ok(64, "48 0f c7 08", "CMPXCHG16B", 4);
    in = dec_ok(32, "0f c7 f0", "RDRAND", 3);
    in = dec_ok(32, "0f 0b", "UD2", 2);
    in = dec(32, "0f 04");
    ck_assert(invalid(&in));
    ck_assert_int_eq(in.len, 2);
    in = dec_ok(32, "0f 05", "SYSCALL", 2);

    in = dec_ok(32, "8c d8", "MOV", 2);              /* mov eax, ds */
    in = dec(32, "8c f8");                           /* no segment register 7 */
    ck_assert(invalid(&in));
    in = dec(32, "8e c8");                           /* mov cs, ax */
    ck_assert(invalid(&in));
    in = dec_ok(32, "8e d0", "MOV", 2);
}
END_TEST

START_TEST(test_x87)
{
    X86Insn in;

    in = dec_ok(32, "d9 e8", "FLD1", 2);
    in = dec_ok(32, "dd 1c 24", "FSTP", 3);          /* fstp qword [esp] */
    in = dec_ok(32, "df e0", "FNSTSW", 2);
    in = dec_ok(32, "d9 c9", "FXCH", 2);
    in = dec_ok(32, "de f9", "FDIVP", 2);
    in = dec_ok(32, "dc e9", "FSUB", 2);
    in = dec_ok(32, "db e3", "FNINIT", 2);
    in = dec_ok(32, "d8 05 00 10 00 00", "FADD", 6);
    in = dec(32, "d9 08");                           /* D9 /1 memory: undefined */
    ck_assert(invalid(&in));
}
END_TEST

START_TEST(test_invalid_64)
{
    /* one-byte opcodes that are invalid in 64-bit mode, with a tail making them complete */
    static const char *const ops[] = {
        "06", "07", "0e", "16", "17", "1e", "1f", "27", "2f", "37", "3f", "60", "61",
        "62 00", "82 c0 01", "9a 00 00 00 00 00 00", "c4 00", "c5 00", "ce", "d4 0a", "d5 0a",
        "d6", "ea 00 00 00 00 00 00",
    };
    X86Insn in;

    for (unsigned i = 0; i < ARRAY_LEN(ops); i++) {
        in = dec(64, ops[i]);
        ck_assert_msg(invalid(&in), "%s valid in 64-bit mode", ops[i]);
        in = dec(32, ops[i]);
        ck_assert_msg(!invalid(&in), "%s invalid in 32-bit mode", ops[i]);
        in = dec(16, ops[i]);
        ck_assert_msg(!invalid(&in), "%s invalid in 16-bit mode", ops[i]);
    }
    in = dec_ok(64, "48 63 c1", "MOVSXD", 3);
    in = dec_ok(32, "63 c1", "ARPL", 2);
    in = dec_ok(32, "d6", "SALC", 1);
    in = dec(32, "62 c0");                           /* BOUND needs memory (EVEX otherwise) */
    ck_assert(invalid(&in));
    in = dec(32, "c4 c0");                           /* LES reg: VEX, unsupported */
    ck_assert(invalid(&in));
    in = dec(32, "8d c0");                           /* LEA reg */
    ck_assert(invalid(&in));
    in = dec(32, "8f c8");                           /* 8F /1: XOP */
    ck_assert(invalid(&in));
    in = dec_ok(64, "8f c0", "POP", 2);
    ck_assert_int_eq(in.opsize, 8);
}
END_TEST

START_TEST(test_lock)
{
    static const struct { const char *hex; bool ok; } cases[] = {
        { "f0 01 00", true },           /* add [eax], eax */
        { "f0 01 c0", false },          /* register destination */
        { "f0 03 00", false },          /* memory source only */
        { "f0 8b 00", false },          /* mov */
        { "f0 80 00 01", true },        /* add byte [eax], 1 */
        { "f0 80 38 01", false },       /* cmp */
        { "f0 83 08 01", true },        /* or */
        { "f0 87 00", true },           /* xchg */
        { "f0 86 c0", false },
        { "f0 0f c7 08", true },        /* cmpxchg8b */
        { "f0 0f b1 0a", true },        /* cmpxchg */
        { "f0 0f c1 0a", true },        /* xadd */
        { "f0 0f ab 08", true },        /* bts */
        { "f0 0f a3 08", false },       /* bt */
        { "f0 0f ba 28 01", true },     /* bts imm */
        { "f0 0f ba 20 01", false },    /* bt imm */
        { "f0 0f bb 08", true },        /* btc */
        { "f0 0f b3 08", true },        /* btr */
        { "f0 f6 10", true },           /* not */
        { "f0 f7 18", true },           /* neg */
        { "f0 f6 00 01", false },       /* test */
        { "f0 f7 20", false },          /* mul */
        { "f0 fe 00", true },           /* inc */
        { "f0 ff 08", true },           /* dec */
        { "f0 ff 30", false },          /* push */
        { "f0 40", false },             /* inc eax (register) */
        { "f0 90", false },
        { "f0 0f 22 c0", false },       /* mov cr0 */
        { "f0 f3 ab", false },          /* rep stosd */
        { "66 f0 29 08", true },        /* sub word [eax], cx */
    };
    X86Insn in;

    for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
        in = dec(32, cases[i].hex);
        ck_assert_msg(invalid(&in) != cases[i].ok, "%s", cases[i].hex);
        ck_assert(in.prefixes & X86_PFX_LOCK);
    }
    in = dec_ok(64, "f0 48 0f c7 0e", "CMPXCHG16B", 5); /* lock cmpxchg16b [rsi] */
    in = dec_ok(64, "f0 48 01 00", "ADD", 4);
}
END_TEST

START_TEST(test_too_long)
{
    char hex[128];
    X86Insn in;
    size_t l;

    /* 14 prefixes + nop = 15 bytes: fine; one more prefix: too long */
    for (int n = 13; n <= 16; n++) {
        l = 0;
        for (int i = 0; i < n; i++) {
            l += (size_t)snprintf(hex + l, sizeof(hex) - l, "66 ");
        }
        snprintf(hex + l, sizeof(hex) - l, "90");
        if (n + 1 <= 15) {
            in = dec_ok(32, hex, "NOP", n + 1);
            ck_assert(!(in.flags & X86_DF_TOO_LONG));
        } else {
            in = dec(32, hex);
            ck_assert(in.flags & X86_DF_TOO_LONG);
            ck_assert_int_eq(in.len, 15);
        }
    }
    /* 11 prefixes + add ax, imm16 with a ModRM = 15; with 12 prefixes: 16 */
    in = dec_ok(32, "66 66 66 66 66 66 66 66 66 66 66 81 c0 34 12", "ADD", 15);
    in = dec(32, "66 66 66 66 66 66 66 66 66 66 66 66 81 c0 34 12");
    ck_assert(in.flags & X86_DF_TOO_LONG);
    ck_assert_int_eq(in.len, 15);
    /* 64-bit: a long but legal encoding */
    in = dec_ok(64, "2e 67 f0 48 81 84 88 78 56 34 12 01 00 00 00", "ADD", 15);
    in = dec(64, "2e 66 67 f0 48 81 84 88 78 56 34 12 01 00 00 00");
    ck_assert(in.flags & X86_DF_TOO_LONG);
    in = dec_ok(64, "64 67 48 c7 84 88 78 56 34 12 01 02 03 04", "MOV", 14);
    in = dec_ok(64, "64 64 67 48 c7 84 88 78 56 34 12 01 02 03 04", "MOV", 15);
    in = dec(64, "64 64 64 67 48 c7 84 88 78 56 34 12 01 02 03 04");
    ck_assert(in.flags & X86_DF_TOO_LONG);
    /* a buffer decode with bytes missing reads zeros */
    in = (X86Insn){ 0 };
    ck_assert_int_eq(x86_decode_buf(&in, 32, (const uint8_t *)"\x05", 1), 5);
    ck_assert_uint_eq(in.mnem, X86_M_ADD);
    ck_assert_int_eq(in.imm, 0);
}
END_TEST

START_TEST(test_byte_op)
{
    static const struct { const char *hex; bool byte; } cases[] = {
        { "00 00", true }, { "01 00", false }, { "04 01", true }, { "0f 94 c0", true },
        { "0f b6 c0", false }, { "0f b0 08", true }, { "a4", true }, { "a5", false },
        { "b0 01", true }, { "b8 01 00 00 00", false }, { "fe c0", true }, { "ff c0", false },
        { "86 00", true }, { "c6 00 01", true }, { "ec", true }, { "ed", false }, { "d2 e0", true },
    };
    X86Insn in;

    for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
        in = dec(32, cases[i].hex);
        ck_assert_msg(x86_insn_is_byte_op(&in) == cases[i].byte, "%s", cases[i].hex);
        ck_assert_int_eq(in.opsize, 4);              /* still the v-size */
    }
}
END_TEST

START_TEST(test_mnem_names)
{
    for (unsigned i = 0; i < X86_M_COUNT; i++) {
        const char *n = x86_mnem_name(i);

        ck_assert_ptr_nonnull(n);
        ck_assert_uint_gt(strlen(n), 1);
        ck_assert_int_eq(x86_mnem_from_name(n), (int)i);    /* also: names are unique */
    }
    ck_assert_str_eq(x86_mnem_name(X86_M_INVALID), "INVALID");
    ck_assert_int_eq(X86_M_INVALID, 0);
    ck_assert_str_eq(x86_mnem_name(X86_M_CMPXCHG8B), "CMPXCHG8B");
    ck_assert_ptr_nonnull(x86_mnem_name(X86_M_COUNT));
    ck_assert_ptr_nonnull(x86_mnem_name(0xFFFF));
    ck_assert_int_eq(x86_mnem_from_name("NOSUCHOP"), -1);
    ck_assert_int_eq(x86_mnem_from_name("MOV"), X86_M_MOV);
}
END_TEST

static Suite *decode_suite(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("sweep");

    tcase_add_test(tc, test_sweep_1byte);
    tcase_add_test(tc, test_sweep_0f);
    tcase_add_test(tc, test_sweep_0f38_0f3a);
    suite_add_tcase(s, tc);

    tc = tcase_create("cases");
    tcase_add_test(tc, test_prefixes);
    tcase_add_test(tc, test_rex);
    tcase_add_test(tc, test_modrm_32_64);
    tcase_add_test(tc, test_modrm_16);
    tcase_add_test(tc, test_moffs);
    tcase_add_test(tc, test_far_and_branches);
    tcase_add_test(tc, test_immediates);
    tcase_add_test(tc, test_three_byte_maps);
    tcase_add_test(tc, test_system_forms);
    tcase_add_test(tc, test_x87);
    tcase_add_test(tc, test_invalid_64);
    tcase_add_test(tc, test_lock);
    tcase_add_test(tc, test_too_long);
    tcase_add_test(tc, test_byte_op);
    tcase_add_test(tc, test_mnem_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(decode_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

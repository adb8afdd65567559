/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/decode.h — the x86 instruction decoder (pure: no CPU state, no memory access but
 * through the fetch callback). Table-driven: one table row per opcode of the one-byte map,
 * the 0F map, and the 0F38/0F3A maps, giving the mnemonic (per ModRM.reg for groups), the
 * operand forms and the immediate size. The translator (translate.c) switches on `opc`
 * (and `reg` for groups); the mnemonic is for logs, -d unimp and the unit tests.
 */
#ifndef CPU_X86_DECODE_H
#define CPU_X86_DECODE_H

#include <stdint.h>
#include <stdbool.h>

/* Opcode maps: opc = map base + opcode byte */
#define X86_MAP_1B   0x000
#define X86_MAP_0F   0x100
#define X86_MAP_0F38 0x200
#define X86_MAP_0F3A 0x300

/* Prefix bits */
#define X86_PFX_LOCK  (1u << 0)
#define X86_PFX_REPZ  (1u << 1)   /* F3 */
#define X86_PFX_REPNZ (1u << 2)   /* F2 */
#define X86_PFX_OPSZ  (1u << 3)   /* 66 */
#define X86_PFX_ADSZ  (1u << 4)   /* 67 */
#define X86_PFX_REX   (1u << 5)   /* a REX prefix was present (byte registers SPL..DIL) */

/* Segment register numbers (also the order in the CPU state) */
enum { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS, X86_SEG_NONE = -1 };

/* Decoder result flags */
#define X86_DF_INVALID   (1u << 0)  /* #UD: undefined opcode, invalid in this mode, bad LOCK */
#define X86_DF_TOO_LONG  (1u << 1)  /* more than 15 bytes: #GP(0) */

typedef struct X86Insn {
    uint16_t opc;          /* map base | opcode byte */
    uint16_t mnem;         /* X86Mnem, from the table (for groups: selected by reg) */
    uint8_t len;           /* total length in bytes including prefixes */
    uint8_t prefixes;      /* X86_PFX_* */
    int8_t seg;            /* segment override, X86_SEG_NONE if none */
    uint8_t rex;           /* the REX byte (0x40..0x4f) or 0 */
    uint8_t opsize;        /* effective operand size for v-sized operands: 2, 4 or 8 */
    uint8_t addrsize;      /* effective address size: 2, 4 or 8 */
    uint8_t flags;         /* X86_DF_* */
    bool has_modrm;
    uint8_t modrm;         /* the raw ModRM byte */
    uint8_t mod;           /* ModRM.mod */
    uint8_t reg;           /* ModRM.reg extended by REX.R (0..15) */
    uint8_t rm;            /* ModRM.rm extended by REX.B (0..15), for mod == 3 */
    /* opcode-embedded register (50+r, B8+r, 90+r, C8+r BSWAP...): low 3 bits + REX.B */
    uint8_t opreg;
    /* memory operand (has_modrm && mod != 3, or moffs forms A0-A3) */
    bool has_mem;
    int8_t base;           /* 0..15 or -1 */
    int8_t index;          /* 0..15 or -1 (SIB index 4 without REX.X means none) */
    uint8_t scale;         /* 0..3 (shift) */
    bool rip_rel;          /* 64-bit mode mod=0 rm=5: address = next rip + disp */
    int64_t disp;          /* sign-extended displacement (moffs: the full offset) */
    /* immediates, sign- or zero-extended as the instruction defines (see the table) */
    uint8_t imm_size;      /* bytes of the first immediate in the encoding (0 if none) */
    int64_t imm;           /* first immediate (for far ptr16:32 forms: the offset) */
    int64_t imm2;          /* second immediate: ENTER's nesting level, far ptr selector */
    /* 16-bit addressing (addrsize 2): base/index are the ModRM combos (BX+SI etc.): base
     * and index hold the GPR numbers (3=BX, 5=BP, 6=SI, 7=DI), scale 0. */
    /* The prefix that selects an SSE form (66/F3/F2 0F xx): the last of F3/F2 if any (it
     * wins over 66), else 0x66 if 66 was present, else 0. Also tells REP from REPNE when both
     * are present (the last one counts). */
    uint8_t mandatory;
} X86Insn;
/*
 * Conventions of the decoded fields:
 *  - opsize is the v-size even for byte-operand opcodes (see x86_insn_is_byte_op).
 *  - imm: Ib zero-extended, except the sign-extended forms (83, 6A, 6B) and Jb; Iw and Iv
 *    zero-extended (Iv is 8 bytes with opsize 8); Iz and Jz sign-extended from 2 or 4 bytes;
 *    far pointers (9A, EA): imm = offset (zero-extended, imm_size 2 or 4), imm2 = selector;
 *    ENTER: imm = Iw, imm2 = Ib. Jb/Jz hold the displacement relative to the next rip.
 *  - moffs (A0-A3): has_mem, base = index = -1, disp = the zero-extended offset (addrsize
 *    bytes), imm_size 0.
 *  - MOV to/from CR/DR (0F 20-23): mod is reported as 3 (the CPU ignores ModRM.mod).
 *  - X86_DF_INVALID instructions are decoded in full by their row's format (ModRM, SIB,
 *    displacement, immediate); an opcode with no defined format ends at the opcode byte.
 *  - X86_DF_TOO_LONG: no byte at offset 15 or beyond is fetched, and len is 15.
 *  - mnem follows the operand size for CBW/CWD, PUSHF/POPF, IRET, PUSHA/POPA and the string
 *    ops (MOVSW/MOVSD/MOVSQ...), the address size for JCXZ/JECXZ/JRCXZ, REX.W for MOVD/MOVQ,
 *    PEXTRD/Q, PINSRD/Q and CMPXCHG8B/16B; 90 is NOP, PAUSE (F3) or XCHG (REX.B); C0-D3 /6
 *    is SHL like /4, F6/F7 /1 TEST like /0. Prefix forms of the 0F map (66/F3/F2) have
 *    their own mnemonics (MOVUPS/MOVUPD/MOVSS/MOVSD); x87 mnemonics are per form (FADD...).
 */
/* True for byte-sized operations (even opcodes of the ALU rows, 80/82/C0/C6/D0/D2/F6/FE,
 * 84/86/88/8A, MOV AL moffs, byte string ops, B0-B7, IN/OUT AL, 0F B0/C0, SETcc). */
bool x86_insn_is_byte_op(const X86Insn *insn);

/* Mnemonics (X-macro list in cpu/x86/x86-mnem.def) */
typedef enum X86Mnem {
#define X86_MNEM(m) X86_M_##m,
#include "cpu/x86/x86-mnem.def"
#undef X86_MNEM
    X86_M_COUNT
} X86Mnem;
const char *x86_mnem_name(unsigned mnem);
/* The mnemonic whose name is `name` (upper case, as x86_mnem_name returns it), or -1. */
int x86_mnem_from_name(const char *name);

/* Reads guest code byte `off` (0..14) of the instruction; may not return (a page fault). */
typedef uint8_t (*X86FetchFn)(void *opaque, unsigned off);

/*
 * Decode one instruction in a mode of 16, 32 (code segment default size) or 64 (long mode
 * 64-bit code). Returns the length; on an undefined opcode the length of what was decoded
 * with X86_DF_INVALID set (the translator raises #UD). Never returns < 1.
 */
int x86_decode(X86Insn *insn, int mode, X86FetchFn fetch, void *opaque);
/* Convenience for tests and logs: decode from a byte buffer (bytes past `avail` read as 0). */
int x86_decode_buf(X86Insn *insn, int mode, const uint8_t *buf, unsigned avail);

#endif

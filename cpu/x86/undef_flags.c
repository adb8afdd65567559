/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/undef_flags.c — which EFLAGS bits an instruction leaves undefined (Intel SDM
 * vol. 2, "Flags Affected" of each instruction), from the decoded instruction.
 *
 * Covered: MUL/IMUL (SF ZF AF PF), DIV/IDIV (all six), AND/OR/XOR/TEST (AF), shifts (AF when
 * the count is not 0, OF when it is above 1, CF for SHL/SHR by the operand width or more),
 * rotates (OF when the count is above 1), SHLD/SHRD (AF, OF above 1, all six when the
 * count exceeds the operand size), BT/BTS/BTR/BTC (OF SF AF PF), BSF/BSR (CF OF SF AF PF),
 * LZCNT/TZCNT (OF SF AF PF), AAA/AAS (OF SF ZF PF), DAA/DAS (OF), AAM/AAD (OF AF CF).
 * Counts are masked as the CPU masks them (5 bits, 6 with a 64-bit operand); a count of 0
 * changes no flag. Not covered: the x87 condition codes and the registers some
 * instructions leave undefined (SHLD/SHRD's destination for counts above the operand size,
 * BSF/BSR's for a zero source); VEX-encoded instructions (BMI), which the decoder lacks.
 */
#include "cpu/x86/undef_flags.h"

enum {
    F_SHIFT_OF = X86_UNDEF_OF,
    F_MUL = X86_UNDEF_SF | X86_UNDEF_ZF | X86_UNDEF_AF | X86_UNDEF_PF,
    F_BT = X86_UNDEF_OF | X86_UNDEF_SF | X86_UNDEF_AF | X86_UNDEF_PF,
    F_BSF = X86_UNDEF_CF | X86_UNDEF_OF | X86_UNDEF_SF | X86_UNDEF_AF | X86_UNDEF_PF,
};

/* The shift or rotate count of a group-2 instruction or of SHLD/SHRD, before masking. */
static unsigned raw_count(const X86Insn *insn, uint64_t rcx)
{
    switch (insn->opc) {
    case X86_MAP_1B | 0xd0:
    case X86_MAP_1B | 0xd1:
        return 1;
    case X86_MAP_1B | 0xd2:
    case X86_MAP_1B | 0xd3:
    case X86_MAP_0F | 0xa5:
    case X86_MAP_0F | 0xad:
        return (unsigned)(rcx & 0xff);
    default:            /* C0, C1, 0F A4, 0F AC: the immediate */
        return (unsigned)(insn->imm & 0xff);
    }
}

uint32_t x86_undef_flags(const X86Insn *insn, uint64_t rcx)
{
    unsigned width = x86_insn_is_byte_op(insn) ? 8 : insn->opsize * 8u;
    unsigned count = raw_count(insn, rcx) & (insn->opsize == 8 ? 0x3f : 0x1f);

    if (insn->flags & X86_DF_INVALID) {
        return 0;
    }
    switch (insn->mnem) {
    case X86_M_MUL:
    case X86_M_IMUL:
        return F_MUL;
    case X86_M_DIV:
    case X86_M_IDIV:
        return X86_UNDEF_ALL6;
    case X86_M_AND:
    case X86_M_OR:
    case X86_M_XOR:
    case X86_M_TEST:
        return X86_UNDEF_AF;
    case X86_M_ROL:
    case X86_M_ROR:
    case X86_M_RCL:
    case X86_M_RCR:
        return count > 1 ? F_SHIFT_OF : 0;
    case X86_M_SHL:
    case X86_M_SHR:
    case X86_M_SAR: {
        uint32_t u;

        if (count == 0) {
            return 0;
        }
        u = X86_UNDEF_AF;
        if (count > 1) {
            u |= X86_UNDEF_OF;
        }
        if (insn->mnem != X86_M_SAR && count >= width) {
            u |= X86_UNDEF_CF;
        }
        return u;
    }
    case X86_M_SHLD:
    case X86_M_SHRD:
        if (count == 0) {
            return 0;
        }
        if (count > width) {
            return X86_UNDEF_ALL6;
        }
        return X86_UNDEF_AF | (count > 1 ? X86_UNDEF_OF : 0);
    case X86_M_BT:
    case X86_M_BTS:
    case X86_M_BTR:
    case X86_M_BTC:
        return F_BT;
    case X86_M_BSF:
    case X86_M_BSR:
        return F_BSF;
    case X86_M_LZCNT:
    case X86_M_TZCNT:
        return F_BT;
    case X86_M_AAA:
    case X86_M_AAS:
        return X86_UNDEF_OF | X86_UNDEF_SF | X86_UNDEF_ZF | X86_UNDEF_PF;
    case X86_M_DAA:
    case X86_M_DAS:
        return X86_UNDEF_OF;
    case X86_M_AAM:
    case X86_M_AAD:
        return X86_UNDEF_OF | X86_UNDEF_AF | X86_UNDEF_CF;
    default:
        return 0;
    }
}

uint32_t x86_undef_flags_code(const uint8_t *code, unsigned len, int mode, uint64_t rcx)
{
    X86Insn insn;

    x86_decode_buf(&insn, mode, code, len);
    return x86_undef_flags(&insn, rcx);
}

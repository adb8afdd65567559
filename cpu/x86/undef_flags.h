/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/undef_flags.h — the EFLAGS bits that the Intel SDM (vol. 2, each instruction's
 * "Flags Affected") leaves undefined after an instruction, so that two implementations
 * of the architecture (tcg and KVM in --lockstep) are compared only on what is defined.
 */
#ifndef CPU_X86_UNDEF_FLAGS_H
#define CPU_X86_UNDEF_FLAGS_H

#include "cpu/x86/decode.h"

/* EFLAGS bits (the same values as cpu/x86/cpu.h's CC_*) */
#define X86_UNDEF_CF 0x0001u
#define X86_UNDEF_PF 0x0004u
#define X86_UNDEF_AF 0x0010u
#define X86_UNDEF_ZF 0x0040u
#define X86_UNDEF_SF 0x0080u
#define X86_UNDEF_OF 0x0800u
#define X86_UNDEF_ALL6 (X86_UNDEF_CF | X86_UNDEF_PF | X86_UNDEF_AF | X86_UNDEF_ZF | \
                        X86_UNDEF_SF | X86_UNDEF_OF)

/*
 * The EFLAGS bits left undefined by the decoded instruction insn when it completes. rcx is
 * the value of RCX before it ran (shift and rotate counts in CL decide what is undefined);
 * 0 for an instruction that does not depend on it. An instruction whose flags are all
 * defined (or that does not touch them) gives 0.
 */
uint32_t x86_undef_flags(const X86Insn *insn, uint64_t rcx);

/* The same for the instruction at the start of code (len bytes, mode 16, 32 or 64). */
uint32_t x86_undef_flags_code(const uint8_t *code, unsigned len, int mode, uint64_t rcx);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/lockstep.h — the x86 side of --lockstep (system/lockstep.c): writing back the
 * registers the reference dictates (undefined flags, RDTSC), the bytes and mode of the
 * next instruction, and which instructions are nondeterministic.
 */
#ifndef CPU_X86_LOCKSTEP_H
#define CPU_X86_LOCKSTEP_H

#include "cpu/cpu.h"

/* Write register `name` (a general register, "rflags": its six arithmetic flags only) of
 * the canonical state; false for a name it does not know. */
bool x86_lockstep_set_reg(CPUState *cs, const char *name, uint64_t val);
/* Whether x86_lockstep_set_reg writes register `name`. */
bool x86_lockstep_settable(const char *name);
/* Up to 15 bytes of the instruction at the current pc (through the TCG TLB: a vCPU of
 * the tcg accelerator only), its linear pc and mode (16, 32, 64). Returns the count read. */
unsigned x86_lockstep_code(CPUState *cs, uint8_t *buf, uint64_t *pc, int *mode);
/* Whether the instruction's results come from outside the architecture (RDTSC, RDTSCP,
 * RDRAND, RDSEED, RDPMC): the replay takes the reference's register values. */
bool x86_lockstep_nondeterministic(const uint8_t *code, unsigned len, int mode);
/* Whether the instruction is a string instruction with a REP/REPE/REPNE prefix: an
 * accelerator may stop it between iterations, with RIP still on it. */
bool x86_lockstep_rep_string(const uint8_t *code, unsigned len, int mode);
/* The length of the instruction when it opens an interrupt shadow (STI, MOV SS, POP SS),
 * else 0: tcg runs the next instruction in the same block, so its step runs both. */
unsigned x86_lockstep_shadow(const uint8_t *code, unsigned len, int mode);
/* The register of the interrupt-enable flag state: true if RFLAGS.IF is set in value. */
bool x86_lockstep_if_set(uint64_t rflags);

#endif

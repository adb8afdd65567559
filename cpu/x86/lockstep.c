/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/lockstep.c — the x86 side of --lockstep (system/lockstep.c): writing back the
 * registers the reference dictates, reading the next instruction's bytes, and naming the
 * instructions whose results are nondeterministic. Not here: the registers compared
 * (arch_regs.c), the undefined flags (undef_flags.c), the disassembly (disas.c).
 */
#include "cpu/x86/lockstep.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/decode.h"
#include <strings.h>

static const char *const gpr_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

bool x86_lockstep_set_reg(CPUState *cs, const char *name, uint64_t val)
{
    X86CPU *env = x86_cpu(cs);

    for (int i = 0; i < 16; i++) {
        if (!strcasecmp(name, gpr_names[i])) {
            env->regs[i] = val;
            return true;
        }
    }
    if (!strcasecmp(name, "rflags") || !strcasecmp(name, "eflags")) {
        x86_eflags_set(env, val, CC_MASK);
        return true;
    }
    return false;
}

bool x86_lockstep_settable(const char *name)
{
    for (int i = 0; i < 16; i++) {
        if (!strcasecmp(name, gpr_names[i])) {
            return true;
        }
    }
    return !strcasecmp(name, "rflags") || !strcasecmp(name, "eflags");
}

unsigned x86_lockstep_code(CPUState *cs, uint8_t *buf, uint64_t *pc, int *mode)
{
    X86CPU *env = x86_cpu(cs);
    unsigned n, in_page;
    X86Insn insn;

    *pc = env->segs[X86_SEG_CS].base + env->eip;
    *mode = (env->hflags & HF_CS64_MASK) ? 64 : (env->hflags & HF_CS32_MASK) ? 32 : 16;
    if (!(env->hflags & HF_CS64_MASK)) {
        *pc = (uint32_t)*pc;
    }
    /* The next page is read only when the instruction crosses into it: reading it walks
     * the page tables (accessed bits) as the instruction's own fetch will, no earlier. */
    in_page = 4096 - (unsigned)(*pc & 4095);
    n = (unsigned)x86_read_code(cs, *pc, env->hflags, buf, in_page < 15 ? in_page : 15);
    if (n == in_page && n < 15) {
        x86_decode_buf(&insn, *mode, buf, n);
        if (insn.len > n) {
            n += (unsigned)x86_read_code(cs, *pc + n, env->hflags, buf + n, 15 - n);
        }
    }
    return n;
}

bool x86_lockstep_nondeterministic(const uint8_t *code, unsigned len, int mode)
{
    X86Insn insn;

    x86_decode_buf(&insn, mode, code, len);
    switch (insn.mnem) {
    case X86_M_RDTSC:
    case X86_M_RDTSCP:
    case X86_M_RDRAND:
    case X86_M_RDSEED:
    case X86_M_RDPMC:
        return !(insn.flags & X86_DF_INVALID);
    default:
        return false;
    }
}

bool x86_lockstep_rep_string(const uint8_t *code, unsigned len, int mode)
{
    X86Insn insn;
    unsigned op;

    x86_decode_buf(&insn, mode, code, len);
    op = insn.opc & 0xff;
    if ((insn.opc & 0xf00) != X86_MAP_1B || (insn.flags & X86_DF_INVALID) ||
        !(insn.prefixes & (X86_PFX_REPZ | X86_PFX_REPNZ))) {
        return false;
    }
    return (op >= 0x6c && op <= 0x6f) || (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf);
}

unsigned x86_lockstep_shadow(const uint8_t *code, unsigned len, int mode)
{
    X86Insn insn;

    x86_decode_buf(&insn, mode, code, len);
    if (insn.flags & X86_DF_INVALID) {
        return 0;
    }
    if (insn.opc == (X86_MAP_1B | 0x17) || insn.opc == (X86_MAP_1B | 0xfb) ||
        (insn.opc == (X86_MAP_1B | 0x8e) && (insn.reg & 7) == X86_SEG_SS)) {
        return insn.len;
    }
    return 0;
}

bool x86_lockstep_if_set(uint64_t rflags)
{
    return (rflags & IF_MASK) != 0;
}

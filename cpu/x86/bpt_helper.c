/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/bpt_helper.c — the debug registers DR0-DR7 and their breakpoints (Intel SDM
 * vol. 3B ch. 18.2-18.3, vol. 3A 6.8.3; AMD APM vol. 2 ch. 13.1).
 *
 * Models: MOV from/to DRn with the DR4/DR5 aliases of DR6/DR7 (CR4.DE clear) or #UD
 * (CR4.DE set), DR7.GD general detect (a #DB fault before the MOV with DR6.BD set and GD
 * cleared, pushing RF = 1 like any fault), the reserved bits of DR6/DR7 (fixed to their
 * values; ones in bits 63:32 are #GP(0) in 64-bit mode). DR0-DR3 breakpoints enabled by
 * DR7 L0-L3/G0-G3 with R/W and LEN (1, 2, 8 or 4 bytes; the address is aligned down to the
 * length):
 *  - R/W 00, instruction execution: a #DB fault before the instruction (the saved RIP is
 *    the instruction's), unless EFLAGS.RF is set. The address is compared whole (LEN
 *    should be 00: other lengths are undefined).
 *  - R/W 01 data writes, 11 data reads or writes: a #DB trap after the instruction whose
 *    access overlapped the range, misaligned and page-crossing accesses included; for a
 *    REP string instruction after the iteration that matched, with RIP on the instruction
 *    and RF = 1 in the image when iterations remain. Implicit accesses (the stack pushes of
 *    an event delivery, descriptor tables) count too; page walks do not.
 *  - R/W 10 with CR4.DE set: I/O reads and writes (IN, OUT, INS, OUTS), a trap like data
 *    breakpoints. With CR4.DE clear R/W 10 is undefined: such a breakpoint never matches.
 * DR6: every #DB raised for a debug condition (breakpoints, single step, task switch,
 * general detect) sets B0-B3 to the breakpoints whose condition this instruction met
 * (enabled or not, as far as they were seen: see below) and clears the others, as
 * hardware and KVM do ("certain debug exceptions may clear bits 0-3"); BD, BS and BT are
 * only ever set, never cleared. INT1/ICEBP leaves DR6 alone. A data breakpoint matched by
 * MOV SS/POP SS waits one instruction (6.8.3): it is reported with that instruction's #DB
 * (single step, ICEBP), or after INT n/INT3 deliver their event, before the handler runs.
 * EFLAGS.RF: cleared as the instruction after it starts (after the instruction-breakpoint
 * check it suppresses); set in the image of faults (excp_helper.c), of a REP instruction
 * left unfinished for an interrupt or a breakpoint trap; loaded by IRET and task switches;
 * cleared by POPF (int_helper.c).
 *
 * Cost (the design): nothing is paid while DR7 enables nothing.
 *  - Instruction breakpoints: hflags HF_IBP (part of the block key) is set while DR7
 *    enables one; only blocks translated with it call helper_bpt_insn before each
 *    instruction. HF_RF marks a block entered with EFLAGS.RF set: its first instruction
 *    skips the check and clears RF.
 *  - Data breakpoints: tlb_fill adds PAGE_WATCH_READ/WRITE for a page that holds an
 *    enabled one; the softmmu then gives that page's entry TLB_WATCH, so its accesses miss
 *    the inline fast path and the slow path calls x86_bpt_check_access before each. Other
 *    pages keep the fast path. Matches are recorded in env->dbg_pending; blocks
 *    translated with HF_DBP (some data or I/O breakpoint enabled) test it after
 *    every instruction and raise the trap. Because only pages of enabled breakpoints are
 *    watched, a disabled breakpoint is seen only on such a page (the SDM lets B0-B3 of
 *    disabled breakpoints be set or not).
 *  - A write to DR7 recomputes hflags (the MOV ends its block, so the next lookup uses the
 *    new key) and flushes the TLB when the set of enabled data breakpoints changed, as
 *    does a write to DR0-DR3 of an enabled data breakpoint; task switches (clearing
 *    L0-L3) go through x86_bpt_dr7_changed.
 *
 * Intel and AMD differ on one point modelled: an instruction breakpoint on the instruction
 * in a MOV SS / POP SS shadow is inhibited on Intel and taken on AMD (-cpu ...,vendor=).
 *
 * Choices where the SDM is silent: data breakpoints hit by the stack pushes of a #DB
 * delivery itself are dropped (reporting them would deliver #DB through the same stack
 * again and again); those of an instruction that faults are dropped with it.
 *
 * Not modelled: the RTM and bus-lock bits of DR6/DR7 (read as their fixed values), DR7.LE
 * and GE (no effect on modern processors).
 */
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"

enum { BP_EXEC = 0, BP_WRITE = 1, BP_IO = 2, BP_RW = 3 };

static inline int bp_type(uint64_t dr7, int i)
{
    return (int)(dr7 >> (16 + 4 * i)) & 3;
}

static inline bool bp_enabled(uint64_t dr7, int i)
{
    return (dr7 >> (2 * i)) & 3;
}

/* LEN 00 1 byte, 01 2 bytes, 10 8 bytes (SDM: "if supported"; AMD: long mode), 11 4 bytes */
static inline uint64_t bp_len(uint64_t dr7, int i)
{
    static const uint8_t len[4] = { 1, 2, 8, 4 };

    return len[(dr7 >> (18 + 4 * i)) & 3];
}

/* Does the breakpoint's range (DRi aligned down to its length) overlap [addr, addr+size)? */
static inline bool bp_overlaps(X86CPU *env, uint64_t dr7, int i, uint64_t addr, unsigned size)
{
    uint64_t len = bp_len(dr7, i);
    uint64_t start = env->dr[i] & ~(len - 1);

    return addr < start + len && start < addr + size;
}

static inline bool bp_is_data(uint64_t dr7, int i)
{
    int t = bp_type(dr7, i);

    return t == BP_WRITE || t == BP_RW;
}

/* Which enabled data breakpoints the TLB watches: a change means a TLB flush. */
static uint32_t watch_key(uint64_t dr7)
{
    uint32_t key = 0;

    for (int i = 0; i < 4; i++) {
        if (bp_enabled(dr7, i) && bp_is_data(dr7, i)) {
            key |= (0x10u | ((uint32_t)(dr7 >> (16 + 4 * i)) & 0xf)) << (8 * i);
        }
    }
    return key;
}

void x86_bpt_dr6_event(X86CPU *env, uint32_t bits)
{
    env->dr[6] = (env->dr[6] & ~0xfull) | (env->dbg_pending & X86_DBG_HITS) | bits;
    env->dbg_pending = 0;
}

/* ---------------------------------------------------------------------------------------
 * MOV DR
 * ------------------------------------------------------------------------------------- */

/* The register MOV DR names after the DR4/DR5 alias, or the #UD / general-detect #DB. */
static int dr_access(X86CPU *env, int n)
{
    if (n == 4 || n == 5) {
        if (env->cr[4] & CR4_DE) {
            x86_raise_exception(env, EXCP06_ILLOP);
        }
        n += 2;
    }
    if (n < 0 || n > 7) {
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    if (env->dr[7] & DR7_GD) {
        env->dr[7] &= ~(uint64_t)DR7_GD;
        x86_bpt_dr6_event(env, DR6_BD);
        env->eflags |= RF_MASK;         /* a fault: the image pushed has RF set */
        x86_raise_exception(env, EXCP01_DB);
    }
    return n;
}

uint64_t x86_bpt_read_dr(X86CPU *env, int n)
{
    return env->dr[dr_access(env, n)];
}

void x86_bpt_write_dr(X86CPU *env, int n, uint64_t val)
{
    uint64_t old;

    n = dr_access(env, n);
    if (n < 4) {
        old = env->dr[n];
        env->dr[n] = val;
        if (old != val && bp_enabled(env->dr[7], n) && bp_is_data(env->dr[7], n)) {
            tlb_flush(x86_cs(env));
        }
        return;
    }
    if (val >> 32) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0);
    }
    if (n == 6) {
        env->dr[6] = (val & 0xe00f) | DR6_FIXED_1;  /* B0-B3, BD, BS, BT */
        return;
    }
    old = env->dr[7];
    env->dr[7] = (val & ~0xd800ull) | DR7_FIXED_1;  /* bits 11, 12, 14, 15 read as 0 */
    x86_bpt_dr7_changed(env, old);
}

void x86_bpt_dr7_changed(X86CPU *env, uint64_t old_dr7)
{
    x86_update_hflags(env);
    if (watch_key(old_dr7) != watch_key(env->dr[7])) {
        tlb_flush(x86_cs(env));
    }
}

/* ---------------------------------------------------------------------------------------
 * Data and I/O breakpoints
 * ------------------------------------------------------------------------------------- */

int x86_bpt_tlb_prot(X86CPU *env, uint64_t va)
{
    uint64_t dr7 = env->dr[7], page = va & TARGET_PAGE_MASK;
    int prot = 0;

    for (int i = 0; i < 4; i++) {
        if (!bp_enabled(dr7, i) || !bp_is_data(dr7, i)) {
            continue;
        }
        /* aligned to its length (at most 8): the range lies in one page */
        if (((env->dr[i] & ~(bp_len(dr7, i) - 1)) & TARGET_PAGE_MASK) == page) {
            prot |= PAGE_WATCH_WRITE;
            if (bp_type(dr7, i) == BP_RW) {
                prot |= PAGE_WATCH_READ;
            }
        }
    }
    return prot;
}

void x86_bpt_check_access(CPUState *cs, vaddr addr, unsigned size, MMUAccessType access)
{
    X86CPU *env = x86_cpu(cs);
    uint64_t dr7 = env->dr[7];

    for (int i = 0; i < 4; i++) {
        int t = bp_type(dr7, i);

        if (t == BP_EXEC || t == BP_IO || (access != MMU_DATA_STORE && t != BP_RW)) {
            continue;
        }
        if (bp_overlaps(env, dr7, i, addr, size)) {
            env->dbg_pending |= (1u << i) | (bp_enabled(dr7, i) ? X86_DBG_TRAP : 0);
        }
    }
}

void x86_bpt_check_io(X86CPU *env, uint32_t port, unsigned size)
{
    uint64_t dr7 = env->dr[7];

    if (!(env->cr[4] & CR4_DE)) {
        return;
    }
    for (int i = 0; i < 4; i++) {
        if (bp_type(dr7, i) == BP_IO && bp_overlaps(env, dr7, i, port, size)) {
            env->dbg_pending |= (1u << i) | (bp_enabled(dr7, i) ? X86_DBG_TRAP : 0);
        }
    }
}

void x86_bpt_after_event(X86CPU *env, int vector, bool is_int, bool is_hw)
{
    if ((vector == EXCP01_DB && !is_int && !is_hw) || !(env->dbg_pending & X86_DBG_TRAP)) {
        /* the pushes of a #DB delivery are not reported: a #DB for them would go
         * through the same stack again and again */
        env->dbg_pending = 0;
        return;
    }
    x86_bpt_dr6_event(env, 0);
    x86_do_interrupt(env, EXCP01_DB, 0, 0, env->eip, 0);
}

/* ---------------------------------------------------------------------------------------
 * IR helpers
 * ------------------------------------------------------------------------------------- */

/* a0 linear address of the instruction about to run (blocks with HF_IBP) */
IR_HELPER(helper_bpt_insn)
{
    X86CPU *env = env_;
    uint64_t dr7 = env->dr[7];
    uint32_t hits = 0;
    bool enabled = false;

    for (int i = 0; i < 4; i++) {
        if (bp_type(dr7, i) == BP_EXEC && env->dr[i] == a0) {
            hits |= 1u << i;
            enabled |= bp_enabled(dr7, i);
        }
    }
    if (!enabled) {
        return 0;
    }
    /* a fault: eip back on the instruction; RF is pushed as it is (clear) */
    env->dbg_pending |= hits;
    x86_bpt_dr6_event(env, 0);
    x86_raise_exception(env, EXCP01_DB);
}

/* a0 next_eip; called when dbg_pending is non-zero after an instruction (blocks with
 * HF_DBP) */
IR_HELPER(helper_bpt_trap)
{
    X86CPU *env = env_;

    if (!(env->dbg_pending & X86_DBG_TRAP)) {
        env->dbg_pending = 0;   /* only disabled breakpoints matched */
        return 0;
    }
    x86_bpt_dr6_event(env, 0);
    x86_raise_interrupt(env, EXCP01_DB, 0, 0, a0);
}

/* a0 eip of a REP string instruction with iterations left (SDM 18.3.1.1: RF = 1 pushed) */
IR_HELPER(helper_bpt_trap_rep)
{
    X86CPU *env = env_;

    if (!(env->dbg_pending & X86_DBG_TRAP)) {
        env->dbg_pending = 0;
        return 0;
    }
    env->eflags |= RF_MASK;
    x86_bpt_dr6_event(env, 0);
    x86_raise_interrupt(env, EXCP01_DB, 0, 0, a0);
}

IR_HELPER(helper_clear_rf)
{
    X86CPU *env = env_;

    env->eflags &= ~(uint64_t)RF_MASK;
    env->hflags &= ~HF_RF_MASK;
    return 0;
}

/* An interrupt taken between two iterations of a REP instruction pushes RF = 1, so that
 * an instruction breakpoint on it does not fire again when it resumes (18.3.1.1). */
IR_HELPER(helper_set_rf)
{
    X86CPU *env = env_;

    env->eflags |= RF_MASK;
    env->hflags |= HF_RF_MASK;
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * accel/tcg/tcg.h — the TCG accelerator's API for the CPU front ends and helpers:
 * translation blocks, the softmmu TLB (fill, flush, loads and stores from helpers) and
 * code fetch for translators.
 */
#ifndef ACCEL_TCG_TCG_H
#define ACCEL_TCG_TCG_H

#include "cpu/cpu.h"
#include "tcg-lite/ir.h"
#include "tcg-lite/softmmu.h"

/* cflags */
#define CF_COUNT_MASK 0x1ff       /* max guest instructions in the block, 0 = no limit */
#define CF_SINGLE_STEP 0x200      /* one instruction, then return to the loop */

#define TB_MAX_INSNS 256

struct TranslationBlock {
    uint64_t pc;              /* linear address of the first instruction */
    uint64_t cs_base;
    uint32_t flags;           /* the CPU's mode bits the code was translated for */
    uint32_t cflags;
    uint32_t size;            /* guest bytes (set by the translator) */
    uint32_t icount;          /* guest instructions (set by the translator) */
    hwaddr page_addr[2];      /* physical pages the code lies on; -1 when unused */
    IRCode *code;
    TranslationBlock *hash_next;
    TranslationBlock *page_next[2];   /* TBs on the same physical page */
    uint64_t exec_count;
};

/*
 * Fetch guest code for the translator at linear address pc (mmu_idx of the code's
 * privilege): records the physical page(s) in tb->page_addr and marks them as holding
 * code. A fault is raised as the guest exception (the block is abandoned).
 */
uint64_t translator_ld(CPUState *cs, TranslationBlock *tb, vaddr pc, unsigned size, int mmu_idx);

/* TLB. va and pa name the 4 KiB page that contains the access (pa already includes the
 * offset inside a large page); size is the guest page size (4 KiB, 2/4 MiB, 1 GiB).
 * prot is PAGE_READ/WRITE/EXEC, plus PAGE_WATCH_READ/WRITE for a page that holds a data
 * breakpoint: its loads (stores) then take the slow path (TLB_WATCH), which calls
 * CPUClass.check_watchpoint before each. Pages without them keep the fast path. */
#define PAGE_WATCH_READ  0x100
#define PAGE_WATCH_WRITE 0x200
void tlb_set_page(CPUState *cs, vaddr va, hwaddr pa, int prot, int mmu_idx, uint64_t size);
void tlb_flush(CPUState *cs);
void tlb_flush_page(CPUState *cs, vaddr va);
/* Loads and stores from helpers (memop from ir.h); a fault raises the guest exception
 * with the pc restored to the current instruction. */
uint64_t cpu_ld_mmu(CPUState *cs, vaddr addr, unsigned memop, int mmu_idx);
void cpu_st_mmu(CPUState *cs, vaddr addr, uint64_t val, unsigned memop, int mmu_idx);
/*
 * The store half of a locked read-modify-write: write new_val (size from memop) at addr
 * only if it still holds expected, atomically against the other vCPU threads. The TLB is
 * filled for a store (a fault raises the guest exception). False when another vCPU changed
 * the value since the caller read it: nothing was written.
 */
bool cpu_cmpxchg_mmu(CPUState *cs, vaddr addr, uint64_t expected, uint64_t new_val,
                     unsigned memop, int mmu_idx);
/* The same for 16 bytes at a 16-byte aligned addr (CMPXCHG16B): exp and val are lo, hi. */
bool cpu_cmpxchg16_mmu(CPUState *cs, vaddr addr, const uint64_t exp[2], const uint64_t val[2],
                       int mmu_idx);
/* Physical accesses of the CPU (page walks, descriptor tables are virtual: use cpu_ld_mmu). */
uint64_t cpu_ld_phys(CPUState *cs, hwaddr addr, unsigned size);
void cpu_st_phys(CPUState *cs, hwaddr addr, uint64_t val, unsigned size);

/* Drop every translation (and every chain). */
void tb_flush(CPUState *cs);

/* Statistics table of the TCG accelerator (TBs, TLB, exceptions). */
typedef struct TCGStats {
    uint64_t tbs_translated, tbs_flushed, tb_lookups, tb_chained;
    uint64_t tlb_fills, tlb_flushes, code_invalidations;
    uint64_t guest_insns_translated;
} TCGStats;
extern TCGStats tcg_stats;

#endif

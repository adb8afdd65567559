/* SPDX-License-Identifier: MIT */
/*
 * accel/tcg/tcg-internal.h — state shared by the TCG accelerator's files.
 */
#ifndef ACCEL_TCG_INTERNAL_H
#define ACCEL_TCG_INTERNAL_H

#include "accel/tcg/tcg.h"

#define TB_JMP_CACHE_BITS 12
#define TB_JMP_CACHE_SIZE (1 << TB_JMP_CACHE_BITS)

/* Per-vCPU TCG state (cs->tcg_state). */
typedef struct TCGCPU {
    /* physical page address (and the region) behind each TLB entry, for I/O and code */
    hwaddr iotlb[IR_NB_MMU_MODES][IR_TLB_SIZE];
    /* a large page was mapped: INVLPG flushes everything */
    bool large_page_seen;
    /* mmu modes filled since the last flush: a flush clears only those tables */
    unsigned used_modes;
    /* another thread asked for a full flush: done by this vCPU at its next block boundary,
     * since a TLB entry cannot be rewritten under a running vCPU */
    volatile bool flush_pending;
    /* the block-cache flush generation this vCPU saw at its last loop top (it holds no
     * block dropped later); all ones while it is outside the TCG loop */
    uint64_t seen_gen;
    TranslationBlock *jmp_cache[TB_JMP_CACHE_SIZE];
    IRBuilder *builder;
} TCGCPU;

static inline TCGCPU *tcg_cpu(CPUState *cs)
{
    return cs->tcg_state;
}

static inline TLBEntry *cpu_tlb(CPUState *cs)
{
    return (TLBEntry *)((char *)cpu_arch_state(cs) + cs->cc->tlb_offset);
}

void tcg_tlb_init(void);
/* The physical page of linear pc for code (fills the TLB; may raise the guest fault). */
hwaddr get_page_addr_code(CPUState *cs, vaddr pc, int mmu_idx, uint8_t **host);
/* Mark RAM page pa as holding code (write-protects it in every vCPU's TLB). */
void tb_mark_code_page(CPUState *cs, hwaddr pa);
/* A guest write hit a code page: drop translations (deferred freeing). */
void tb_invalidate_phys_page(CPUState *cs, hwaddr pa);
void tb_jmp_cache_clear(CPUState *cs);

#endif

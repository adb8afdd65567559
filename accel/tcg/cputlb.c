/* SPDX-License-Identifier: MIT */
/*
 * accel/tcg/cputlb.c — the softmmu: TLB fill/flush, the slow paths of guest loads and
 * stores (TLB misses, I/O, page-crossing accesses, writes to pages holding code), loads and
 * stores for helpers, physical accesses, and code fetch for the translators.
 * Not modelled: per-entry large-page tracking (a mapped large page makes INVLPG flush the
 * whole TLB, which is always allowed).
 */
#include "accel/tcg/tcg-internal.h"
#include "hw/core/machine.h"

TCGStats tcg_stats;

static inline CPUState *env_cpu(void *env)
{
    (void)env;
    return current_cpu;
}

void tlb_flush(CPUState *cs)
{
    TCGCPU *t = tcg_cpu(cs);
    if (t && current_cpu && cs != current_cpu) {
        t->flush_pending = true;
        cpu_exit(cs);
        return;
    }
    if (!t) {
        memset(cpu_tlb(cs), 0xff, sizeof(TLBEntry) * IR_NB_MMU_MODES * IR_TLB_SIZE);
    } else {
        for (int mmu = 0; mmu < IR_NB_MMU_MODES; mmu++) {
            if (t->used_modes & (1u << mmu)) {
                memset(cpu_tlb(cs) + mmu * IR_TLB_SIZE, 0xff, sizeof(TLBEntry) * IR_TLB_SIZE);
            }
        }
        t->used_modes = 0;
        t->flush_pending = false;
        t->large_page_seen = false;
        tb_jmp_cache_clear(cs);
    }
    tcg_stats.tlb_flushes++;
}

void tlb_flush_page(CPUState *cs, vaddr va)
{
    TCGCPU *t = tcg_cpu(cs);
    TLBEntry *tlb = cpu_tlb(cs);
    uint64_t page = va & TARGET_PAGE_MASK;
    if (!t || t->large_page_seen) {
        tlb_flush(cs);
        return;
    }
    for (int mmu = 0; mmu < IR_NB_MMU_MODES; mmu++) {
        TLBEntry *e = &tlb[mmu * IR_TLB_SIZE + tlb_index(va)];
        if ((e->addr_read & TARGET_PAGE_MASK) == page || (e->addr_write & TARGET_PAGE_MASK) == page ||
            (e->addr_code & TARGET_PAGE_MASK) == page) {
            memset(e, 0xff, sizeof(*e));
        }
    }
    tb_jmp_cache_clear(cs);
}

void tlb_set_page(CPUState *cs, vaddr va, hwaddr pa, int prot, int mmu_idx, uint64_t size)
{
    TCGCPU *t = tcg_cpu(cs);
    uint64_t page = va & TARGET_PAGE_MASK;
    unsigned idx = tlb_index(va);
    TLBEntry *e = &cpu_tlb(cs)[mmu_idx * IR_TLB_SIZE + idx];
    const FlatRange *fr;
    uint64_t flags = 0;

    if (size > TARGET_PAGE_SIZE) {
        t->large_page_seen = true;
    }
    pa &= TARGET_PAGE_MASK;
    t->used_modes |= 1u << mmu_idx;
    tcg_stats.tlb_fills++;
    fr = as_lookup(cs->as, pa);
    t->iotlb[mmu_idx][idx] = pa;
    if (fr && (fr->mr->type == MR_RAM || fr->mr->type == MR_ROM) &&
        fr->start + fr->size >= pa + TARGET_PAGE_SIZE && fr->start <= pa) {
        hwaddr off = pa - fr->start + fr->offset;
        uint8_t *host = fr->mr->ram + off;
        e->addend = (uintptr_t)host - page;
        e->addr_read = (prot & PAGE_READ) ? page : (uint64_t)-1;
        e->addr_code = (prot & PAGE_EXEC) ? page : (uint64_t)-1;
        if (!(prot & PAGE_WRITE)) {
            e->addr_write = (uint64_t)-1;
        } else {
            if (fr->readonly) {
                flags |= TLB_MMIO;          /* dropped by the address space */
            }
            if (fr->mr->code_pages[off >> TARGET_PAGE_BITS]) {
                flags |= TLB_CODE;
            }
            e->addr_write = page | flags;
        }
    } else {
        /* I/O, unassigned, or RAM smaller than a page: everything through the address space */
        e->addend = 0;
        e->addr_read = (prot & PAGE_READ) ? page | TLB_MMIO : (uint64_t)-1;
        e->addr_write = (prot & PAGE_WRITE) ? page | TLB_MMIO : (uint64_t)-1;
        e->addr_code = (prot & PAGE_EXEC) ? page | TLB_MMIO : (uint64_t)-1;
    }
}

/* The entry for addr after filling it if needed; raises the guest fault on failure. */
static TLBEntry *tlb_entry_fill(CPUState *cs, vaddr addr, int size, MMUAccessType acc,
                                int mmu_idx)
{
    TLBEntry *e = &cpu_tlb(cs)[mmu_idx * IR_TLB_SIZE + tlb_index(addr)];
    uint64_t page = addr & TARGET_PAGE_MASK;
    uint64_t cmp = acc == MMU_DATA_LOAD ? e->addr_read :
                   acc == MMU_DATA_STORE ? e->addr_write : e->addr_code;
    if (!(cmp & TLB_INVALID) && (cmp & TARGET_PAGE_MASK) == page) {
        return e;
    }
    cs->cc->tlb_fill(cs, addr, size, acc, mmu_idx, false);
    return e;
}

static inline uint64_t ld_host(const void *p, unsigned memop)
{
    switch (memop & MO_SIZE) {
    case MO_8: { uint8_t v; memcpy(&v, p, 1); return memop & MO_SIGN ? (uint64_t)(int8_t)v : v; }
    case MO_16: { uint16_t v; memcpy(&v, p, 2); return memop & MO_SIGN ? (uint64_t)(int16_t)v : v; }
    case MO_32: { uint32_t v; memcpy(&v, p, 4); return memop & MO_SIGN ? (uint64_t)(int32_t)v : v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static inline uint64_t sign_extend(uint64_t v, unsigned memop)
{
    switch (memop) {
    case MO_SB: return (uint64_t)(int8_t)v;
    case MO_SW: return (uint64_t)(int16_t)v;
    case MO_SL: return (uint64_t)(int32_t)v;
    default: return v;
    }
}

static uint64_t ld_slow(CPUState *cs, vaddr addr, unsigned memop, int mmu_idx)
{
    unsigned size = memop_size(memop);
    TLBEntry *e;
    uint64_t v;

    if (((addr & ~TARGET_PAGE_MASK) + size) > TARGET_PAGE_SIZE) {
        /* crosses a page: byte by byte, both pages checked before any side effect */
        v = 0;
        tlb_entry_fill(cs, addr, 1, MMU_DATA_LOAD, mmu_idx);
        tlb_entry_fill(cs, (addr + size - 1) & TARGET_PAGE_MASK, 1, MMU_DATA_LOAD, mmu_idx);
        for (unsigned i = 0; i < size; i++) {
            v |= ld_slow(cs, addr + i, MO_8, mmu_idx) << (8 * i);
        }
        return sign_extend(v, memop);
    }
    e = tlb_entry_fill(cs, addr, size, MMU_DATA_LOAD, mmu_idx);
    if (e->addr_read & TLB_MMIO) {
        hwaddr pa = tcg_cpu(cs)->iotlb[mmu_idx][tlb_index(addr)] | (addr & ~TARGET_PAGE_MASK);
        v = cpu_io_ld(cs, cs->as, pa, size);
        return sign_extend(v, memop);
    }
    return ld_host((void *)(uintptr_t)(addr + e->addend), memop);
}

static void st_slow(CPUState *cs, vaddr addr, uint64_t val, unsigned memop, int mmu_idx)
{
    unsigned size = memop_size(memop);
    TLBEntry *e;

    if (((addr & ~TARGET_PAGE_MASK) + size) > TARGET_PAGE_SIZE) {
        tlb_entry_fill(cs, addr, 1, MMU_DATA_STORE, mmu_idx);
        tlb_entry_fill(cs, (addr + size - 1) & TARGET_PAGE_MASK, 1, MMU_DATA_STORE, mmu_idx);
        for (unsigned i = 0; i < size; i++) {
            st_slow(cs, addr + i, val >> (8 * i), MO_8, mmu_idx);
        }
        return;
    }
    e = tlb_entry_fill(cs, addr, size, MMU_DATA_STORE, mmu_idx);
    hwaddr pa = tcg_cpu(cs)->iotlb[mmu_idx][tlb_index(addr)] | (addr & ~TARGET_PAGE_MASK);
    if (e->addr_write & TLB_CODE) {
        tb_invalidate_phys_page(cs, pa);
        e = tlb_entry_fill(cs, addr, size, MMU_DATA_STORE, mmu_idx);
    }
    if (e->addr_write & TLB_MMIO) {
        cpu_io_st(cs, cs->as, pa, val, size);
        return;
    }
    memcpy((void *)(uintptr_t)(addr + e->addend), &val, size);
}

static uint64_t ir_ld_slow(void *env, uint64_t addr, unsigned memop, unsigned mmu_idx)
{
    return ld_slow(env_cpu(env), addr, memop, mmu_idx);
}

static void ir_st_slow(void *env, uint64_t addr, uint64_t val, unsigned memop, unsigned mmu_idx)
{
    st_slow(env_cpu(env), addr, val, memop, mmu_idx);
}

uint64_t cpu_ld_mmu(CPUState *cs, vaddr addr, unsigned memop, int mmu_idx)
{
    unsigned size = memop_size(memop);
    TLBEntry *e = &cpu_tlb(cs)[mmu_idx * IR_TLB_SIZE + tlb_index(addr)];
    if (likely(e->addr_read == (addr & TARGET_PAGE_MASK) &&
               (addr & ~TARGET_PAGE_MASK) + size <= TARGET_PAGE_SIZE)) {
        return ld_host((void *)(uintptr_t)(addr + e->addend), memop);
    }
    return ld_slow(cs, addr, memop, mmu_idx);
}

void cpu_st_mmu(CPUState *cs, vaddr addr, uint64_t val, unsigned memop, int mmu_idx)
{
    unsigned size = memop_size(memop);
    TLBEntry *e = &cpu_tlb(cs)[mmu_idx * IR_TLB_SIZE + tlb_index(addr)];
    if (likely(e->addr_write == (addr & TARGET_PAGE_MASK) &&
               (addr & ~TARGET_PAGE_MASK) + size <= TARGET_PAGE_SIZE)) {
        memcpy((void *)(uintptr_t)(addr + e->addend), &val, size);
        return;
    }
    st_slow(cs, addr, val, memop, mmu_idx);
}

uint64_t cpu_ld_phys(CPUState *cs, hwaddr addr, unsigned size)
{
    const FlatRange *fr = as_lookup(cs->as, addr);
    if (likely(fr && fr->mr->ram && addr + size <= fr->start + fr->size)) {
        uint64_t v = 0;
        memcpy(&v, fr->mr->ram + (addr - fr->start + fr->offset), size);
        return v;
    }
    return cpu_io_ld(cs, cs->as, addr, size);
}

void cpu_st_phys(CPUState *cs, hwaddr addr, uint64_t val, unsigned size)
{
    const FlatRange *fr = as_lookup(cs->as, addr);
    if (fr && fr->mr->ram && !fr->readonly && addr + size <= fr->start + fr->size) {
        hwaddr off = addr - fr->start + fr->offset;
        if (fr->mr->code_pages[off >> TARGET_PAGE_BITS]) {
            tb_invalidate_phys_page(cs, addr);
        }
        memcpy(fr->mr->ram + off, &val, size);
        return;
    }
    cpu_io_st(cs, cs->as, addr, val, size);
}

hwaddr get_page_addr_code(CPUState *cs, vaddr pc, int mmu_idx, uint8_t **host)
{
    TLBEntry *e = tlb_entry_fill(cs, pc, 1, MMU_INST_FETCH, mmu_idx);
    hwaddr pa = tcg_cpu(cs)->iotlb[mmu_idx][tlb_index(pc)];
    if (e->addr_code & TLB_MMIO) {
        if (host) {
            *host = NULL;
        }
        return pa;
    }
    if (host) {
        *host = (uint8_t *)(uintptr_t)((pc & TARGET_PAGE_MASK) + e->addend);
    }
    return pa;
}

uint64_t translator_ld(CPUState *cs, TranslationBlock *tb, vaddr pc, unsigned size, int mmu_idx)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        vaddr a = pc + i;
        uint8_t *host;
        hwaddr pa = get_page_addr_code(cs, a, mmu_idx, &host);
        if (tb->page_addr[0] == (hwaddr)-1) {
            tb->page_addr[0] = pa;
        } else if (tb->page_addr[0] != pa && tb->page_addr[1] == (hwaddr)-1) {
            tb->page_addr[1] = pa;
        }
        if (!host) {
            fatal("CPU %d executes code from I/O memory at physical address 0x%" PRIx64
                  " (linear 0x%" PRIx64 "): not supported", cs->index, pa, a);
        }
        tb_mark_code_page(cs, pa);
        v |= (uint64_t)host[a & ~TARGET_PAGE_MASK] << (8 * i);
    }
    return v;
}

void tcg_tlb_init(void)
{
    ir_runtime.ld_slow = ir_ld_slow;
    ir_runtime.st_slow = ir_st_slow;
}

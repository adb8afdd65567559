/* SPDX-License-Identifier: MIT */
/*
 * accel/tcg/cputlb.c — the softmmu: TLB fill/flush, the slow paths of guest loads and
 * stores (TLB misses, I/O, page-crossing accesses, writes to pages holding code), loads and
 * stores for helpers, physical accesses, and code fetch for the translators.
 * Data breakpoints: the CPU's tlb_fill marks a page that holds one (PAGE_WATCH_*); its
 * entry then carries TLB_WATCH for that access kind, so those accesses miss the fast path
 * and the slow path calls CPUClass.check_watchpoint before doing them. Pages without a
 * breakpoint keep the fast path untouched.
 * Not modelled: per-entry large-page tracking (a mapped large page makes INVLPG flush the
 * whole TLB, which is always allowed).
 */
#include "accel/tcg/tcg-internal.h"
#include "hw/core/machine.h"

TCGStats tcg_stats;

/*
 * Lockstep's store recording (cpu_ram_write_hook): RAM write entries carry this bit, which
 * no fast path matches, so that every store reaches st_slow and is reported. A bit of the
 * page offset that softmmu.h's flags leave free.
 */
#define TLB_RECORD_STORE (1u << 5)

static inline void record_ram_store(CPUState *cs, hwaddr pa, unsigned size)
{
    if (unlikely(cpu_ram_write_hook)) {
        cpu_ram_write_hook(cs, pa, size);
    }
}

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
    uint64_t watch_r = (prot & PAGE_WATCH_READ) ? TLB_WATCH : 0;
    uint64_t watch_w = (prot & PAGE_WATCH_WRITE) ? TLB_WATCH : 0;

    pa &= TARGET_PAGE_MASK;
    /* t is NULL for a vCPU run by another accelerator (a probing fill for disassembly) */
    if (t) {
        t->large_page_seen |= size > TARGET_PAGE_SIZE;
        t->used_modes |= 1u << mmu_idx;
        t->iotlb[mmu_idx][idx] = pa;
    }
    tcg_stats.tlb_fills++;
    fr = as_lookup(cs->as, pa);
    if (fr && (fr->mr->type == MR_RAM || fr->mr->type == MR_ROM) &&
        fr->start + fr->size >= pa + TARGET_PAGE_SIZE && fr->start <= pa) {
        hwaddr off = pa - fr->start + fr->offset;
        uint8_t *host = fr->mr->ram + off;
        e->addend = (uintptr_t)host - page;
        e->addr_read = (prot & PAGE_READ) ? page | watch_r : (uint64_t)-1;
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
            if (cpu_ram_write_hook) {
                flags |= TLB_RECORD_STORE;
            }
            e->addr_write = page | flags | watch_w;
        }
    } else {
        /* I/O, unassigned, or RAM smaller than a page: everything through the address space */
        e->addend = 0;
        e->addr_read = (prot & PAGE_READ) ? page | TLB_MMIO | watch_r : (uint64_t)-1;
        e->addr_write = (prot & PAGE_WRITE) ? page | TLB_MMIO | watch_w : (uint64_t)-1;
        e->addr_code = (prot & PAGE_EXEC) ? page | TLB_MMIO : (uint64_t)-1;
    }
}

/* A watched page (TLB_WATCH): the CPU checks the access against its data breakpoints. */
static inline void tlb_check_watch(CPUState *cs, uint64_t tlb_addr, vaddr addr, unsigned size,
                                   MMUAccessType acc)
{
    if (unlikely(tlb_addr & TLB_WATCH) && cs->cc->check_watchpoint) {
        cs->cc->check_watchpoint(cs, addr, size, acc);
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
    tlb_check_watch(cs, e->addr_read, addr, size, MMU_DATA_LOAD);
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
    tlb_check_watch(cs, e->addr_write, addr, size, MMU_DATA_STORE);
    if (e->addr_write & TLB_MMIO) {
        cpu_io_st(cs, cs->as, pa, val, size);
        return;
    }
    record_ram_store(cs, pa, size);
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

/*
 * Locked read-modify-writes. RAM takes a host compare-and-swap, so that a store of another
 * vCPU between the guest's load and its store is never lost (a spinlock's release racing
 * another CPU's XCHG). The host must allow misaligned atomics for misaligned guest
 * operands (x86 hosts do: a split lock); elsewhere those, I/O and page-crossing operands
 * take a load-compare-store, atomic only against this vCPU.
 */
static void *cas_host_ptr(CPUState *cs, vaddr addr, unsigned size, int mmu_idx)
{
    TLBEntry *e;

    if (((addr & ~TARGET_PAGE_MASK) + size) > TARGET_PAGE_SIZE || cpu_ram_write_hook) {
        return NULL;        /* recording stores: take st_slow, which reports them */
    }
#if !defined(__x86_64__) && !defined(__i386__)
    if (addr & (size - 1)) {
        return NULL;
    }
#endif
    e = tlb_entry_fill(cs, addr, size, MMU_DATA_STORE, mmu_idx);
    if (e->addr_write & TLB_CODE) {
        /* data next to code (a lock word on a page that also holds translated code):
         * drop the translations first, as any store there does */
        hwaddr pa = tcg_cpu(cs)->iotlb[mmu_idx][tlb_index(addr)] | (addr & ~TARGET_PAGE_MASK);
        tb_invalidate_phys_page(cs, pa);
        e = tlb_entry_fill(cs, addr, size, MMU_DATA_STORE, mmu_idx);
    }
    if (e->addr_write & (TLB_MMIO | TLB_CODE)) {
        return NULL;
    }
    /* a locked read-modify-write always writes (the old value back when a compare fails) */
    tlb_check_watch(cs, e->addr_write, addr, size, MMU_DATA_STORE);
    return (void *)(uintptr_t)(addr + e->addend);
}

bool cpu_cmpxchg_mmu(CPUState *cs, vaddr addr, uint64_t expected, uint64_t new_val,
                     unsigned memop, int mmu_idx)
{
    unsigned size = memop_size(memop);
    void *p = cas_host_ptr(cs, addr, size, mmu_idx);

    if (p) {
        switch (size) {
        case 1: {
            uint8_t exp = (uint8_t)expected;
            return __atomic_compare_exchange_n((uint8_t *)p, &exp, (uint8_t)new_val, false,
                                               __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        }
        case 2: {
            uint16_t exp = (uint16_t)expected;
            return __atomic_compare_exchange_n((uint16_t *)p, &exp, (uint16_t)new_val, false,
                                               __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        }
        case 4: {
            uint32_t exp = (uint32_t)expected;
            return __atomic_compare_exchange_n((uint32_t *)p, &exp, (uint32_t)new_val, false,
                                               __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        }
        default: {
            uint64_t exp = expected;
            return __atomic_compare_exchange_n((uint64_t *)p, &exp, new_val, false,
                                               __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        }
        }
    }
    uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
    if ((ld_slow(cs, addr, memop & MO_SIZE, mmu_idx) & mask) != (expected & mask)) {
        return false;
    }
    st_slow(cs, addr, new_val, memop & MO_SIZE, mmu_idx);
    return true;
}

bool cpu_cmpxchg16_mmu(CPUState *cs, vaddr addr, const uint64_t exp[2], const uint64_t val[2],
                       int mmu_idx)
{
#if defined(__x86_64__)
    void *p = cas_host_ptr(cs, addr, 16, mmu_idx);

    if (p) {
        uint64_t lo = exp[0], hi = exp[1];
        bool ok;
        __asm__ volatile("lock cmpxchg16b %1"
                         : "=@ccz"(ok), "+m"(*(volatile uint64_t(*)[2])p), "+a"(lo), "+d"(hi)
                         : "b"(val[0]), "c"(val[1])
                         : "memory");
        return ok;
    }
#endif
    if (ld_slow(cs, addr, MO_64, mmu_idx) != exp[0] ||
        ld_slow(cs, addr + 8, MO_64, mmu_idx) != exp[1]) {
        return false;
    }
    st_slow(cs, addr, val[0], MO_64, mmu_idx);
    st_slow(cs, addr + 8, val[1], MO_64, mmu_idx);
    return true;
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
        record_ram_store(cs, addr, size);
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

/* SPDX-License-Identifier: MIT */
/*
 * accel/tcg/cpu-exec.c — the TCG accelerator: the translation-block cache (a hash table
 * keyed by physical pc, pc, cs_base and flags, plus a per-vCPU jump cache by linear pc),
 * chaining, invalidation when guest code is written, and the execution loop that delivers
 * interrupts and exceptions between blocks.
 * Invalidation drops every translation (simple and always correct). Translations are shared
 * by the vCPU threads, so a dropped block may still be running on any of them (the writing
 * vCPU included): dropped blocks go to a grave tagged with the flush generation, and are
 * freed once every vCPU has been back at the top of its loop since (epoch-based reclamation:
 * a vCPU at its loop top holds no block, and one outside the TCG loop holds none either).
 * The other vCPUs drop their jump caches and TLBs themselves at their next loop top
 * (flush_pending), since those are only ever written by their owner while it runs.
 */
#include "accel/tcg/tcg-internal.h"
#include "accel/accel.h"
#include <pthread.h>

#define TB_HASH_BITS 16
#define TB_HASH_SIZE (1 << TB_HASH_BITS)

static TranslationBlock *tb_hash[TB_HASH_SIZE];
static TranslationBlock **tb_all;          /* every live TB (for flush) */
static size_t tb_all_n, tb_all_cap;
typedef struct GraveEntry {
    TranslationBlock *tb;
    uint64_t gen;                           /* the flush that dropped it */
} GraveEntry;
static GraveEntry *tb_grave;               /* dropped, freed when no vCPU can hold them */
static size_t tb_grave_n, tb_grave_cap;
static uint64_t flush_gen;                 /* flushes so far (atomic) */
#define GEN_QUIESCENT UINT64_MAX           /* TCGCPU.seen_gen of a vCPU outside the loop */
static pthread_mutex_t tb_lock = PTHREAD_MUTEX_INITIALIZER;
static Machine *tcg_machine;
/* code pages to clear on flush */
typedef struct CodePage { MemRegion *mr; uint64_t index; } CodePage;
static CodePage *code_pages;
static size_t code_pages_n, code_pages_cap;

static inline unsigned tb_hash_fn(hwaddr phys, uint64_t pc, uint32_t flags)
{
    uint64_t h = phys * 0x9E3779B97F4A7C15ull ^ pc * 0xC2B2AE3D27D4EB4Full ^ flags;
    return (unsigned)(h >> (64 - TB_HASH_BITS));
}

static inline unsigned jmp_cache_index(uint64_t pc)
{
    return (unsigned)((pc ^ (pc >> TB_JMP_CACHE_BITS)) & (TB_JMP_CACHE_SIZE - 1));
}

void tb_jmp_cache_clear(CPUState *cs)
{
    TCGCPU *t = tcg_cpu(cs);
    if (t) {
        memset(t->jmp_cache, 0, sizeof(t->jmp_cache));
    }
}

void tb_mark_code_page(CPUState *cs, hwaddr pa)
{
    const FlatRange *fr = as_lookup(cs->as, pa);
    uint64_t index, page = pa & TARGET_PAGE_MASK;
    if (!fr || !fr->mr->code_pages) {
        return;
    }
    index = (pa - fr->start + fr->offset) >> TARGET_PAGE_BITS;
    if (fr->mr->code_pages[index]) {
        return;
    }
    fr->mr->code_pages[index] = 1;
    if (code_pages_n == code_pages_cap) {
        code_pages_cap = code_pages_cap ? code_pages_cap * 2 : 256;
        code_pages = realloc(code_pages, code_pages_cap * sizeof(*code_pages));
        if (!code_pages) {
            fatal("out of memory");
        }
    }
    code_pages[code_pages_n++] = (CodePage){ fr->mr, index };
    /* write-protect the page in every vCPU's TLB */
    for (int c = 0; tcg_machine && c < tcg_machine->ncpus; c++) {
        CPUState *o = tcg_machine->cpus[c];
        TCGCPU *t = tcg_cpu(o);
        TLBEntry *tlb = cpu_tlb(o);
        if (!t) {
            continue;
        }
        for (int mmu = 0; mmu < IR_NB_MMU_MODES; mmu++) {
            for (int i = 0; i < IR_TLB_SIZE; i++) {
                TLBEntry *e = &tlb[mmu * IR_TLB_SIZE + i];
                if (!(e->addr_write & TLB_INVALID) && t->iotlb[mmu][i] == page) {
                    e->addr_write |= TLB_CODE;
                }
            }
        }
    }
}

/* Free the dropped blocks that no vCPU can hold any more; called with tb_lock held. */
static void tb_free_grave(void)
{
    uint64_t oldest = GEN_QUIESCENT;
    size_t kept = 0;

    for (int c = 0; tcg_machine && c < tcg_machine->ncpus; c++) {
        TCGCPU *t = tcg_cpu(tcg_machine->cpus[c]);
        uint64_t seen = t ? __atomic_load_n(&t->seen_gen, __ATOMIC_SEQ_CST) : GEN_QUIESCENT;
        oldest = seen < oldest ? seen : oldest;
    }
    for (size_t i = 0; i < tb_grave_n; i++) {
        if (tb_grave[i].gen <= oldest) {
            ir_code_free(tb_grave[i].tb->code);
            free(tb_grave[i].tb);
        } else {
            tb_grave[kept++] = tb_grave[i];
        }
    }
    tb_grave_n = kept;
}

/* Drop every translation; called with tb_lock held. */
static void tb_flush_locked(void)
{
    uint64_t gen;

    if (tb_grave_n + tb_all_n > tb_grave_cap) {
        tb_grave_cap = (tb_grave_n + tb_all_n) * 2 + 64;
        tb_grave = realloc(tb_grave, tb_grave_cap * sizeof(*tb_grave));
        if (!tb_grave) {
            fatal("out of memory");
        }
    }
    /* the others are told before the generation moves on: one that reads the new
     * generation at its loop top then also sees its flush_pending (see tcg_cpu_exec) */
    for (int c = 0; tcg_machine && c < tcg_machine->ncpus; c++) {
        CPUState *o = tcg_machine->cpus[c];
        if (tcg_cpu(o)) {
            tlb_flush(o);
            cpu_exit(o);
        }
    }
    gen = __atomic_add_fetch(&flush_gen, 1, __ATOMIC_SEQ_CST);
    for (size_t i = 0; i < tb_all_n; i++) {
        tb_grave[tb_grave_n++] = (GraveEntry){ tb_all[i], gen };
    }
    tb_all_n = 0;
    memset(tb_hash, 0, sizeof(tb_hash));
    for (size_t i = 0; i < code_pages_n; i++) {
        code_pages[i].mr->code_pages[code_pages[i].index] = 0;
    }
    code_pages_n = 0;
    tcg_stats.tbs_flushed++;
}

void tb_flush(CPUState *cs)
{
    pthread_mutex_lock(&tb_lock);
    tb_flush_locked();
    pthread_mutex_unlock(&tb_lock);
}

void tb_invalidate_phys_page(CPUState *cs, hwaddr pa)
{
    tcg_stats.code_invalidations++;
    tb_flush(cs);
}

static TranslationBlock *tb_gen_code(CPUState *cs, uint64_t pc, uint64_t cs_base, uint32_t flags,
                                     uint32_t cflags, hwaddr phys)
{
    TCGCPU *t = tcg_cpu(cs);
    TranslationBlock *tb = xzalloc(sizeof(*tb));
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->flags = flags;
    tb->cflags = cflags;
    tb->page_addr[0] = tb->page_addr[1] = (hwaddr)-1;
    ir_begin(t->builder);
    cs->cc->translate(cs, tb, t->builder);
    if (log_enabled(LOG_OP)) {
        log_printf("OP: block at 0x%" PRIx64 " (%u guest bytes, %u instructions)\n", pc,
                   tb->size, tb->icount);
        ir_dump(t->builder, NULL);
    }
    ir_optimize(t->builder);
    tb->code = ir_compile(t->builder, tb);
    tcg_stats.tbs_translated++;
    tcg_stats.guest_insns_translated += tb->icount;
    if (tb->page_addr[0] == (hwaddr)-1) {
        tb->page_addr[0] = phys;
    }
    return tb;
}

static TranslationBlock *tb_lookup(CPUState *cs, uint64_t pc, uint64_t cs_base, uint32_t flags,
                                   uint32_t cflags)
{
    TCGCPU *t = tcg_cpu(cs);
    unsigned j = jmp_cache_index(pc);
    TranslationBlock *tb = t->jmp_cache[j];
    hwaddr phys;
    unsigned h;
    int mmu_idx;

    if (tb && tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags && tb->cflags == cflags) {
        return tb;
    }
    tcg_stats.tb_lookups++;
    mmu_idx = cs->cc->tb_mmu_idx ? cs->cc->tb_mmu_idx(flags) : 0;
    phys = get_page_addr_code(cs, pc, mmu_idx, NULL) | (pc & ~TARGET_PAGE_MASK);
    h = tb_hash_fn(phys, pc, flags);
    pthread_mutex_lock(&tb_lock);
    for (tb = tb_hash[h]; tb; tb = tb->hash_next) {
        if (tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags && tb->cflags == cflags &&
            (tb->page_addr[0] | (pc & ~TARGET_PAGE_MASK)) == phys) {
            break;
        }
    }
    if (!tb) {
        tb = tb_gen_code(cs, pc, cs_base, flags, cflags, phys & TARGET_PAGE_MASK);
        /* a flush during translation (self-modifying code) left tb_all empty: fine */
        tb->hash_next = tb_hash[h];
        tb_hash[h] = tb;
        if (tb_all_n == tb_all_cap) {
            tb_all_cap = tb_all_cap ? tb_all_cap * 2 : 1024;
            tb_all = realloc(tb_all, tb_all_cap * sizeof(*tb_all));
            if (!tb_all) {
                fatal("out of memory");
            }
        }
        tb_all[tb_all_n++] = tb;
    }
    pthread_mutex_unlock(&tb_lock);
    t->jmp_cache[j] = tb;
    return tb;
}

/*
 * Lockstep single-stepping (AccelOps.set_single_step), one bit per vCPU index: each
 * tcg_cpu_exec runs blocks of one instruction and returns EXCP_DEBUG after one step, which
 * is one instruction that completed; or an exception delivered (the vCPU then stands on
 * the handler's first instruction); or an interrupt delivered and the handler's first
 * instruction, as a (PVM-based) KVM single-steps it.
 */
static uint64_t single_step_cpus;

static int tcg_set_single_step(CPUState *cs, bool on)
{
    if (cs->index >= 64) {
        return -EINVAL;
    }
    if (on) {
        __atomic_fetch_or(&single_step_cpus, 1ull << cs->index, __ATOMIC_SEQ_CST);
    } else {
        __atomic_fetch_and(&single_step_cpus, ~(1ull << cs->index), __ATOMIC_SEQ_CST);
    }
    return 0;
}

/* Run blocks until something needs the outer loop. Returns an EXCP_* value. */
static int tcg_cpu_exec(CPUState *cs)
{
    void *env = cpu_arch_state(cs);
    const CPUClass *cc = cs->cc;
    TranslationBlock *volatile last = NULL;   /* volatile: kept across siglongjmp */
    volatile unsigned last_slot = 0;
    /* volatile: kept across siglongjmp */
    volatile bool step = (__atomic_load_n(&single_step_cpus, __ATOMIC_RELAXED) >> cs->index) & 1;
    volatile bool stepped = false;            /* single-step: this call made its step */
    volatile bool single = step || log_enabled(LOG_EXEC | LOG_CPU);

    if (sigsetjmp(cs->jmp_env, 0) != 0) {
        /* back from a guest exception or cpu_loop_exit inside a block or a helper */
        current_cpu = cs;
        if (bql_locked()) {
            bql_unlock();
        }
        last = NULL;
    }
    for (;;) {
        uint32_t flags, cflags = single ? 1 : 0;
        uint64_t pc, cs_base;
        TranslationBlock *tb;
        uintptr_t r;

        /* no block is held here: announce it, then look at a pending flush (the order
         * matters, see tb_flush_locked) */
        __atomic_store_n(&tcg_cpu(cs)->seen_gen, __atomic_load_n(&flush_gen, __ATOMIC_SEQ_CST),
                         __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&tb_grave_n, __ATOMIC_RELAXED)) {
            pthread_mutex_lock(&tb_lock);
            tb_free_grave();
            pthread_mutex_unlock(&tb_lock);
        }
        /* exceptions and special exits first */
        if (cs->exception_index >= 0) {
            int e = cs->exception_index;
            if (e >= EXCP_INTERRUPT) {
                cs->exception_index = EXCP_NONE;
                if (e != EXCP_INTERRUPT) {
                    return e;
                }
            } else {
                cs->stat_exceptions++;
                cc->do_interrupt(cs);
                cs->exception_index = EXCP_NONE;
                last = NULL;
                stepped = true;
            }
        }
        if (step && stepped) {
            return EXCP_DEBUG;
        }
        __atomic_store_n(cs->exit_request, 0, __ATOMIC_SEQ_CST);
        if (tcg_cpu(cs)->flush_pending) {
            tlb_flush(cs);
            last = NULL;
        }
        if (cs->stop || cs->quit) {
            return EXCP_INTERRUPT;
        }
        if (cs->interrupt_request) {
            bool done;
            bql_lock();
            done = cc->exec_interrupt(cs, cs->interrupt_request);
            bql_unlock();
            if (done) {
                cs->stat_interrupts++;
                last = NULL;
            }
            if (cs->exception_index >= 0) {
                continue;
            }
        }
        if (cs->halted) {
            return EXCP_HLT;
        }
        cc->get_tb_cpu_state(cs, &pc, &cs_base, &flags);
        tb = tb_lookup(cs, pc, cs_base, flags, cflags);
        if (last && !single) {
            pthread_mutex_lock(&tb_lock);
            ir_code_set_chain(last->code, last_slot, tb->code);
            tcg_stats.tb_chained++;
            pthread_mutex_unlock(&tb_lock);
        }
        if (single) {
            if (log_enabled(LOG_CPU)) {
                cc->dump_state(cs, log_get_file());
            }
            if (log_enabled(LOG_EXEC)) {
                log_printf("Trace %d: [%016" PRIx64 "/%08x]\n", cs->index, pc, flags);
            }
        }
        cpu_record_pc(cs, pc, tb->size, tb->flags);
        cs->stat_tbs_executed++;
        stepped = true;
        r = ir_exec(env, tb->code);
        {
            IRCode *code = IR_EXIT_CODE(r);
            unsigned v = IR_EXIT_VALUE(r);
            TranslationBlock *ran = ir_code_opaque(code);
            last = NULL;
            if (v < 2 && !cs->exit_request[0]) {
                last = ran;
                last_slot = v;
            }
            if (ran != tb) {
                cpu_record_pc(cs, ran->pc, ran->size, ran->flags);
            }
        }
        if (step) {
            if (IR_EXIT_VALUE(r) == IR_EXIT_REQUESTED && IR_EXIT_CODE(r) == tb->code) {
                stepped = false;    /* it left at its entry: nothing ran */
                continue;
            }
            return EXCP_DEBUG;
        }
    }
}

static bool tcg_available(const char **why)
{
    return true;
}

static int tcg_init(Machine *m)
{
    const CPUClass *cc = m->mc->cpu_class;
    tcg_machine = m;
    ir_runtime.tlb_offset = cc->tlb_offset;
    ir_runtime.insn_pc_offset = cc->insn_pc_offset;
    ir_runtime.exit_request_offset = cc->exit_request_offset;
    ir_runtime.frame_offset = cc->ir_frame_offset;
    tcg_tlb_init();
    if (cc->tcg_init) {
        cc->tcg_init();
    }
    return 0;
}

static int tcg_vcpu_init(CPUState *cs)
{
    TCGCPU *t;

    cs->accel_kick = NULL;
    if (tcg_cpu(cs)) {
        return 0;       /* back from another accelerator: the TLB is flushed by put_state */
    }
    t = xzalloc(sizeof(*t));
    t->builder = ir_builder_new();
    cs->tcg_state = t;
    t->used_modes = (1u << IR_NB_MMU_MODES) - 1;
    t->seen_gen = GEN_QUIESCENT;
    tlb_flush(cs);
    return 0;
}

/* The canonical state was changed from outside: nothing translated or cached for the old
 * mappings may be used. */
static void tcg_put_state(CPUState *cs)
{
    if (tcg_cpu(cs)) {
        tlb_flush(cs);
        tb_jmp_cache_clear(cs);
    }
}

static VcpuExit tcg_vcpu_run(CPUState *cs)
{
    int e = tcg_cpu_exec(cs);

    __atomic_store_n(&tcg_cpu(cs)->seen_gen, GEN_QUIESCENT, __ATOMIC_SEQ_CST);
    switch (e) {
    case EXCP_HLT:
    case EXCP_HALTED:
        return VCPU_EXIT_HALT;
    case EXCP_RESET:
        return VCPU_EXIT_RESET;
    case EXCP_SHUTDOWN:
        return VCPU_EXIT_SHUTDOWN;
    case EXCP_DEBUG:
        return VCPU_EXIT_DEBUG;
    default:
        return VCPU_EXIT_KICK;
    }
}

static void tcg_stats_fn(Machine *m, AccelStatFn *fn, void *opaque)
{
    static const char *const cpu_groups[] = { "cpu0", "cpu1", "cpu2", "cpu3", "cpu4", "cpu5",
                                              "cpu6", "cpu7" };

    fn(opaque, "tcg", "blocks translated", tcg_stats.tbs_translated);
    fn(opaque, "tcg", "guest insns translated", tcg_stats.guest_insns_translated);
    fn(opaque, "tcg", "block cache flushes", tcg_stats.tbs_flushed);
    fn(opaque, "tcg", "code-page writes", tcg_stats.code_invalidations);
    fn(opaque, "tcg", "block lookups (hash)", tcg_stats.tb_lookups);
    fn(opaque, "tcg", "chains made", tcg_stats.tb_chained);
    fn(opaque, "tcg", "TLB fills", tcg_stats.tlb_fills);
    fn(opaque, "tcg", "TLB flushes", tcg_stats.tlb_flushes);
    for (int i = 0; i < m->ncpus && i < (int)ARRAY_SIZE(cpu_groups); i++) {
        CPUState *cs = m->cpus[i];
        fn(opaque, cpu_groups[i], "blocks run", cs->stat_tbs_executed);
        fn(opaque, cpu_groups[i], "exceptions", cs->stat_exceptions);
        fn(opaque, cpu_groups[i], "interrupts", cs->stat_interrupts);
    }
}

const AccelOps tcg_accel_ops = {
    .name = "tcg",
    .available = tcg_available,
    .init = tcg_init,
    .vcpu_init = tcg_vcpu_init,
    .vcpu_run = tcg_vcpu_run,
    .stats = tcg_stats_fn,
    .put_state = tcg_put_state,
    .set_single_step = tcg_set_single_step,
};

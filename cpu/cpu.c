/* SPDX-License-Identifier: MIT */
/*
 * cpu/cpu.c — generic vCPU services: creation, interrupt requests and kicks, leaving a
 * block (longjmp back to the CPU loop), device access with the big lock, the history of the
 * last blocks run and its crash-report dump.
 */
#include "cpu/cpu.h"
#include "hw/core/machine.h"
#include <pthread.h>
#include <sched.h>

__thread CPUState *current_cpu;

static pthread_mutex_t bql = PTHREAD_MUTEX_INITIALIZER;
static __thread bool bql_held;
pthread_cond_t cpu_work_cond = PTHREAD_COND_INITIALIZER;

void bql_lock(void)
{
    assert(!bql_held);
    pthread_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    assert(bql_held);
    bql_held = false;
    pthread_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

/* Wait on the vCPU condition with the big lock (held by the caller). */
void cpu_wait_for_work(void);
void cpu_wait_for_work(void)
{
    bql_held = false;
    pthread_cond_wait(&cpu_work_cond, &bql);
    bql_held = true;
}

/* Wake every vCPU waiting for work (halted or stopped). */
void cpu_wake_all(void);
void cpu_wake_all(void)
{
    pthread_cond_broadcast(&cpu_work_cond);
}

CPUState *cpu_create(const CPUClass *cc, const char *model, int index, Machine *m)
{
    void *arch = xzalloc(cc->state_size);
    CPUState *cs = (CPUState *)((char *)arch + cc->cpu_state_offset);
    cs->cc = cc;
    cs->index = index;
    cs->machine = m;
    cs->exit_request = (volatile int32_t *)((char *)arch + cc->exit_request_offset);
    cs->exception_index = EXCP_NONE;
    if (cc->realize && cc->realize(cs, model) < 0) {
        free(arch);
        return NULL;
    }
    cc->reset(cs);
    return cs;
}

/*
 * A spin-wait loop only ends when another vCPU moves, and that vCPU's thread may be waiting
 * for this host CPU (more vCPUs than free host CPUs): yield it, as KVM's pause-loop exiting
 * does. With a single vCPU there is no one to wait for.
 */
void cpu_spin_pause(CPUState *cs)
{
    if (cs->machine && cs->machine->ncpus > 1) {
        sched_yield();
    }
}

void cpu_exit(CPUState *cs)
{
    __atomic_store_n(cs->exit_request, 1, __ATOMIC_SEQ_CST);
    if (cs->accel_kick) {
        cs->accel_kick(cs);
    }
}

void cpu_interrupt(CPUState *cs, uint32_t mask)
{
    __atomic_fetch_or(&cs->interrupt_request, mask, __ATOMIC_SEQ_CST);
    cpu_exit(cs);
    cpu_wake_all();
}

void cpu_reset_interrupt(CPUState *cs, uint32_t mask)
{
    __atomic_fetch_and(&cs->interrupt_request, ~mask, __ATOMIC_SEQ_CST);
}

void cpu_loop_exit(CPUState *cs)
{
    if (bql_held) {
        bql_unlock();
    }
    siglongjmp(cs->jmp_env, 1);
}

void cpu_loop_exit_restore(CPUState *cs)
{
    uint64_t pc = *(uint64_t *)((char *)cpu_arch_state(cs) + cs->cc->insn_pc_offset);
    cs->cc->restore_state(cs, pc);
    cpu_loop_exit(cs);
}

uint64_t (*cpu_io_hook)(CPUState *cs, AddressSpace *as, hwaddr addr, unsigned size,
                        bool is_write, uint64_t val);
void (*cpu_ram_write_hook)(CPUState *cs, hwaddr pa, unsigned size);

uint64_t cpu_io_dispatch(CPUState *cs, AddressSpace *as, hwaddr addr, unsigned size,
                         bool is_write, uint64_t val)
{
    uint64_t v = 0;
    bool locked = bql_held;
    if (!locked) {
        bql_lock();
    }
    if (is_write) {
        as_st(as, addr, size, val);
    } else {
        as_ld(as, addr, size, &v);
    }
    if (!locked) {
        bql_unlock();
    }
    return v;
}

uint64_t cpu_io_ld(CPUState *cs, AddressSpace *as, hwaddr addr, unsigned size)
{
    if (unlikely(cpu_io_hook)) {
        return cpu_io_hook(cs, as, addr, size, false, 0);
    }
    return cpu_io_dispatch(cs, as, addr, size, false, 0);
}

void cpu_io_st(CPUState *cs, AddressSpace *as, hwaddr addr, uint64_t val, unsigned size)
{
    if (unlikely(cpu_io_hook)) {
        cpu_io_hook(cs, as, addr, size, true, val);
        return;
    }
    cpu_io_dispatch(cs, as, addr, size, true, val);
}

/* How many of the last blocks cpu_dump_history disassembles. */
#define CPU_HISTORY_DISAS 8

/* The i-th of the last n entries of the history ring, oldest first. */
static const CPUHistoryEntry *history_at(const CPUState *cs, unsigned n, unsigned i)
{
    return &cs->pc_history[(cs->pc_history_pos - n + i) % CPU_PC_HISTORY];
}

void cpu_dump_history(CPUState *cs, FILE *f)
{
    unsigned n = cs->pc_history_pos < CPU_PC_HISTORY ? cs->pc_history_pos : CPU_PC_HISTORY;
    unsigned first_disas = n > CPU_HISTORY_DISAS ? n - CPU_HISTORY_DISAS : 0;
    const CPUHistoryEntry *prev = NULL;

    /* The CPU loop sees the block it enters and the one that returns to it; the blocks
     * chained in between run inside the backend and are not recorded. */
    fprintf(f, "Last %u blocks entered from the CPU loop or returning to it on CPU %d "
            "(oldest first; blocks chained to in between are not listed):\n", n, cs->index);
    for (unsigned i = 0; i < n; i++) {
        const CPUHistoryEntry *e = history_at(cs, n, i);

        fprintf(f, "  %016" PRIx64 "  %4u bytes  flags %08x\n", e->pc, e->size, e->flags);
    }
    if (!cs->cc->disas || n == 0) {
        return;
    }
    fprintf(f, "Instructions of the last %u (a block that faulted ran only up to the faulting "
            "instruction):\n", n - first_disas);
    for (unsigned i = first_disas; i < n; i++) {
        const CPUHistoryEntry *e = history_at(cs, n, i);

        if (prev && prev->pc == e->pc && prev->size == e->size && prev->flags == e->flags) {
            fprintf(f, "block %016" PRIx64 " again\n", e->pc);
            continue;
        }
        fprintf(f, "block %016" PRIx64 " (%u bytes):\n", e->pc, e->size);
        cs->cc->disas(cs, e->pc, e->size, e->flags, f);
        prev = e;
    }
}

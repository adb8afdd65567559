/* SPDX-License-Identifier: MIT */
/*
 * cpu/cpu.h — the generic vCPU: what every accelerator and the machine see of a CPU.
 *
 * Each architecture provides a CPUClass (its reset, interrupt entry, MMU fill, translator,
 * state dump) and keeps its canonical register state in its own struct (cpu/x86/cpu.h),
 * which embeds a CPUState. Every accelerator reads and writes that one canonical state.
 */
#ifndef CPU_CPU_H
#define CPU_CPU_H

#include "util/osdep.h"
#include <setjmp.h>
#include <pthread.h>
#include "hw/core/memory.h"

typedef struct CPUState CPUState;
typedef struct CPUClass CPUClass;
typedef struct Machine Machine;
typedef struct TranslationBlock TranslationBlock;
typedef struct IRBuilder IRBuilder;

/* interrupt_request bits (set from any thread with cpu_interrupt(), then the CPU is kicked) */
enum {
    CPU_INTERRUPT_HARD  = 1 << 0,   /* the interrupt controller has a maskable interrupt */
    CPU_INTERRUPT_NMI   = 1 << 1,
    CPU_INTERRUPT_INIT  = 1 << 2,
    CPU_INTERRUPT_SIPI  = 1 << 3,
    CPU_INTERRUPT_EXITTB = 1 << 4,  /* leave the current block (e.g. after a mode change) */
    CPU_INTERRUPT_SMI   = 1 << 5,
};

/* exception_index values above the architecture's vectors */
enum {
    EXCP_NONE = -1,
    EXCP_INTERRUPT = 0x10000,  /* an interrupt_request needs looking at */
    EXCP_HLT = 0x10001,        /* the CPU halted */
    EXCP_DEBUG = 0x10002,      /* breakpoint/single-step for the debugger */
    EXCP_HALTED = 0x10003,
    EXCP_RESET = 0x10004,      /* the machine must reset (triple fault, reset register) */
    EXCP_SHUTDOWN = 0x10005,   /* the machine must stop (debug-exit, power off) */
    EXCP_YIELD = 0x10006,
};

typedef enum MMUAccessType { MMU_DATA_LOAD = 0, MMU_DATA_STORE = 1, MMU_INST_FETCH = 2 } MMUAccessType;

/* Page protection bits for tlb_set_page */
enum { PAGE_READ = 1, PAGE_WRITE = 2, PAGE_EXEC = 4 };

/* A per-CPU ring of the last blocks executed (for crash reports). */
#define CPU_PC_HISTORY 32
typedef struct CPUHistoryEntry {
    uint64_t pc;            /* linear pc of the block */
    uint32_t size;          /* guest code bytes */
    uint32_t flags;         /* the block's flags: the mode to disassemble it in */
} CPUHistoryEntry;

struct CPUState {
    const CPUClass *cc;
    int index;                 /* 0..smp-1 */
    Machine *machine;
    AddressSpace *as;          /* the CPU's view of physical memory */
    AddressSpace *io_as;       /* port I/O (x86) or NULL */
    pthread_t thread;
    bool thread_started;
    /* set from other threads; checked by the running CPU */
    volatile int32_t *exit_request;   /* points into the arch state (IRRuntime offset) */
    volatile uint32_t interrupt_request;
    volatile bool stop;              /* the vCPU loop must pause (machine stop/reset) */
    volatile bool stopped;           /* the vCPU thread has paused (acknowledges stop) */
    volatile bool quit;              /* the vCPU thread must end */
    bool halted;
    int exception_index;
    int exit_status;                 /* for EXCP_SHUTDOWN: the process exit status */
    jmp_buf jmp_env;                 /* cpu_loop_exit() longjmps here */
    bool can_do_io;
    CPUHistoryEntry pc_history[CPU_PC_HISTORY];
    unsigned pc_history_pos;
    /* each accelerator's per-vCPU state: a machine can move between accelerators while it
     * runs (monitor `accel`), and each keeps its own (NULL until that one is first used) */
    void *tcg_state, *kvm_state, *xen_state;
    /* set by an accelerator that must be interrupted by more than exit_request (KVM:
     * a signal that ends KVM_RUN); called by cpu_exit() from any thread */
    void (*accel_kick)(CPUState *cs);
    /* interrupt acknowledge: the board sets it (PIC/APIC); returns a vector or -1 */
    int (*get_interrupt_vector)(void *opaque, CPUState *cs);
    void *irq_opaque;
    /* statistics */
    uint64_t stat_tbs_executed, stat_exceptions, stat_interrupts;
};

/* One architectural register by name, as accelerators are compared (--compare, --lockstep). */
typedef struct CPURegValue {
    const char *name;
    uint64_t value;
} CPURegValue;

struct CPUClass {
    const char *arch;                        /* "x86_64" */
    size_t state_size;                       /* size of the arch state that embeds CPUState */
    ptrdiff_t cpu_state_offset;              /* offsetof(arch state, CPUState member) */
    /* model names (-cpu help); `model` is validated by realize */
    const char *const *models;
    int (*realize)(CPUState *cs, const char *model);  /* 0 or -errno, error reported */
    /* check a -cpu argument (model and options) before anything is built: 0, or -errno
     * after error_report(); NULL: realize checks it */
    int (*check_model)(const char *model);
    void (*reset)(CPUState *cs);
    void (*dump_state)(CPUState *cs, FILE *f);
    uint64_t (*get_pc)(CPUState *cs);        /* linear pc, for logs and history */
    bool (*has_work)(CPUState *cs);          /* an interrupt that ends HLT is pending */
    /* TCG hooks */
    void (*tcg_init)(void);                  /* register IR globals once */
    void (*get_tb_cpu_state)(CPUState *cs, uint64_t *pc, uint64_t *cs_base, uint32_t *flags);
    /* the mmu_idx that fetches code in the mode described by tb flags (NULL: 0) */
    int (*tb_mmu_idx)(uint32_t flags);
    /* translate the block starting at tb->pc into b; sets tb->size and tb->icount */
    void (*translate)(CPUState *cs, TranslationBlock *tb, IRBuilder *b);
    /* a pending interrupt_request: deliver it if allowed; true if something was delivered */
    bool (*exec_interrupt)(CPUState *cs, uint32_t request);
    /* deliver cs->exception_index (vector, error code kept in the arch state) */
    void (*do_interrupt)(CPUState *cs);
    /* fill the TLB for addr or raise the guest fault (longjmp) unless probe; true on success */
    bool (*tlb_fill)(CPUState *cs, vaddr addr, int size, MMUAccessType access, int mmu_idx,
                     bool probe);
    /* an access of size bytes at linear addr to a page that tlb_fill marked with
     * PAGE_WATCH_READ/WRITE (accel/tcg/tcg.h), made before the access itself: the CPU
     * checks its data breakpoints (NULL: none) */
    void (*check_watchpoint)(CPUState *cs, vaddr addr, unsigned size, MMUAccessType access);
    /* restore the guest pc from the last insn_start value after a fault inside a block */
    void (*restore_state)(CPUState *cs, uint64_t insn_pc);
    /* where tcg-lite finds the run-time fields in the arch state (IRRuntime) */
    ptrdiff_t exit_request_offset, insn_pc_offset, tlb_offset, ir_frame_offset;
    /* disassemble for -d in_asm (capstone); returns bytes consumed */
    void (*disas_log)(CPUState *cs, uint64_t pc, uint64_t size, uint32_t flags);
    /* print the instructions of a block that ran (its pc, size and flags) to f, reading
     * guest memory without faulting and without touching devices: what cannot be read is
     * skipped (crash reports; NULL: cpu_dump_history prints the pcs only) */
    void (*disas)(CPUState *cs, uint64_t pc, uint64_t size, uint32_t flags, FILE *f);
    /* The architectural registers compared between accelerators (general registers, pc,
     * flags, segment selectors, control registers, EFER), from the canonical state: fills
     * out (at most max) and returns the count. */
    int (*arch_regs)(CPUState *cs, CPURegValue *out, int max);
};

static inline void *cpu_arch_state(CPUState *cs)
{
    return (char *)cs - cs->cc->cpu_state_offset;
}

/* The vCPU running on this thread (NULL on the main loop thread). */
extern __thread CPUState *current_cpu;

/* Create (allocate + realize) a CPU of class cc. Returns NULL after reporting an error. */
CPUState *cpu_create(const CPUClass *cc, const char *model, int index, Machine *m);
/* Raise bits of interrupt_request and kick the CPU (any thread). */
void cpu_interrupt(CPUState *cs, uint32_t mask);
void cpu_reset_interrupt(CPUState *cs, uint32_t mask);
/* Make the running CPU leave its current block soon (any thread). */
void cpu_exit(CPUState *cs);
/* The guest spins waiting for another CPU (x86 PAUSE): on its own thread, with the big lock
 * not held. Gives the host CPU to another thread when the machine has more than one vCPU. */
void cpu_spin_pause(CPUState *cs);
/* Leave the current block now, back to the CPU loop (on the CPU's own thread). */
NORETURN void cpu_loop_exit(CPUState *cs);
/* The same after restoring the guest pc to the faulting instruction (from insn_start). */
NORETURN void cpu_loop_exit_restore(CPUState *cs);
/* Record a block run from the CPU loop (pc, size in bytes, flags) in the history ring. */
static inline void cpu_record_pc(CPUState *cs, uint64_t pc, uint32_t size, uint32_t flags)
{
    CPUHistoryEntry *e = &cs->pc_history[cs->pc_history_pos++ % CPU_PC_HISTORY];

    e->pc = pc;
    e->size = size;
    e->flags = flags;
}
/* Print the blocks of the history ring (oldest first), and the instructions of the last
 * few through CPUClass.disas. Only blocks entered from the CPU loop (and the block that
 * left to it) are in the ring: those reached through chaining in between are not. */
void cpu_dump_history(CPUState *cs, FILE *f);

/* Device access from a CPU (port I/O or MMIO): takes the big lock around the dispatch. */
uint64_t cpu_io_ld(CPUState *cs, AddressSpace *as, hwaddr addr, unsigned size);
void cpu_io_st(CPUState *cs, AddressSpace *as, hwaddr addr, uint64_t val, unsigned size);
/* The dispatch itself (big lock taken if not held), without cpu_io_hook. */
uint64_t cpu_io_dispatch(CPUState *cs, AddressSpace *as, hwaddr addr, unsigned size,
                         bool is_write, uint64_t val);
/*
 * Lockstep (system/lockstep.c) sees every device access of the CPUs: when set, cpu_io_ld
 * and cpu_io_st call it instead of dispatching. It performs the access with
 * cpu_io_dispatch (recording it) or not (replaying a recorded one), and returns the value
 * read (ignored for writes). NULL (the default): accesses go straight to the devices.
 */
extern uint64_t (*cpu_io_hook)(CPUState *cs, AddressSpace *as, hwaddr addr, unsigned size,
                               bool is_write, uint64_t val);
/*
 * Lockstep: when set, the TCG softmmu calls it for every store of a CPU to RAM (guest
 * stores, locked read-modify-writes, the page walker's accessed/dirty bits) with the
 * physical address and size, and sends every store through its slow path to see them.
 * Set it before the CPU runs (the TLB must not hold fast-path write entries).
 */
extern void (*cpu_ram_write_hook)(CPUState *cs, hwaddr pa, unsigned size);

/* The big lock that serialises device emulation (main loop and vCPU threads). */
void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);

/* The architectures, by name ("x86_64"). */
extern const CPUClass x86_cpu_class;

#endif

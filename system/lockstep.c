/* SPDX-License-Identifier: MIT */
/*
 * system/lockstep.c — `--lockstep tcg,ACCEL`: one guest under two accelerators, side by
 * side, one step at a time, stopping at the first step after which their architectural
 * state differs.
 *
 * Design. Two accelerators cannot share one process's machine (each owns the vCPU and
 * writes guest RAM), so the parent re-executes its own binary (/proc/self/exe) twice:
 * the reference (`-accel tcg`) and the other run (`-accel ACCEL`, with
 * `-machine kernel-irqchip=off` for kvm, so that the interrupt controllers are tandem's),
 * each with `--lockstep-child FD,ROLE` and one end of a socketpair. Each child runs its
 * vCPU single-stepped (AccelOps.set_single_step) and, after every step, sends the parent
 * a report: the compared registers (CPUClass.arch_regs: general registers, RIP, RFLAGS,
 * segment selectors, control registers, EFER), how the step ended, the RAM pages the CPU
 * wrote with a hash of each, and, from the reference, the bytes of the next instruction.
 * Then it waits for "go". The parent runs the reference's step first, then the other's,
 * and compares; the children's RAM stays separate, so pages are compared by hash, and on
 * a mismatch the parent fetches both pages to show the bytes.
 *
 * Devices answer once: the reference is recorded, the other replays. Every device access
 * of the reference's CPU (port I/O and MMIO, all through cpu_io_ld/cpu_io_st, where
 * cpu_io_hook catches them) goes into its step report; the parent hands that list to the
 * other run with its "go", and the other run's accesses take their read values from it,
 * in order, without reaching its devices (so output is not doubled and device state is
 * not disturbed). An access that differs (port, address, size, direction, or value
 * written), one too many or one missing is itself a difference. Interrupts: the
 * reference's are recorded where they are taken (its get_interrupt_vector is wrapped);
 * the other run is given the same vector for the same step (CPU_INTERRUPT_HARD and a
 * wrapped get_interrupt_vector that returns it once) and its own devices' interrupts are
 * ignored. Instructions whose results come from outside the architecture (RDTSC, RDTSCP,
 * RDRAND, RDSEED, RDPMC) are not compared: the other run takes the reference's registers.
 *
 * A step is one instruction that completed; an exception delivered (the vCPU then stands
 * on the handler's first instruction); or an interrupt delivered and the handler's first
 * instruction (as KVM steps it). Where the accelerators cut differently, the parent lets
 * the run that stopped early go on within the same step: a REP string instruction is one
 * step (KVM stops between chunks of iterations), and so is STI, MOV SS or POP SS with the
 * next instruction (tcg runs the shadowed instruction in the same block); KVM reporting a
 * HLT as a debug exit rather than a halt is no difference (RIP is compared); RF is not
 * compared (KVM sets it on an unfinished REP). RFLAGS bits that the SDM leaves
 * undefined after the instruction (cpu/x86/undef_flags.c) are not compared; the other run
 * then takes the reference's value, so that they do not differ later. Memory written:
 * under tcg every store to RAM is seen (cpu_ram_write_hook); an accelerator without such
 * tracking reports no pages, and the parent compares the pages the reference wrote by
 * asking it for their hashes (writes it makes elsewhere are not seen until they change
 * something that is compared).
 *
 * The guest ends when the reference's machine asks to stop (debug-exit, power off, a
 * triple fault with -no-reboot) or halts with interrupts disabled; the parent then prints
 * how many instructions were compared and exits 0. Not supported: more than one vCPU (one
 * clear error), NMIs and SMIs from devices, DMA by devices (their RAM writes are not
 * compared), an accelerator other than tcg as the reference, an interrupt that tcg takes
 * in the middle of a REP instruction, reads of host time that are not device accesses
 * (RDMSR of the TSC or of the x2APIC timer: they differ and are reported). The undefined
 * flags of a handler's first instruction after an interrupt are compared.
 */
#include "system/lockstep.h"
#include "cpu/x86/lockstep.h"
#include "cpu/x86/undef_flags.h"
#include "cpu/x86/cpu.h"
#include "system/main-loop.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------
 * Wire format: a header and a payload, in host byte order (both ends are this binary).
 */
enum {
    MSG_HELLO = 1,   /* child: uint32 nregs, then the register names, NUL-terminated */
    MSG_STATE,       /* child: StepReport, uint64 regs[nregs], IoRec[nio], PageHash[npages] */
    MSG_GO,          /* parent: GoMsg, IoRec[nio], Fixup[nfix] */
    MSG_HASH_REQ,    /* parent: uint64 pa[] */
    MSG_HASHES,      /* child: PageHash[] */
    MSG_PAGE_REQ,    /* parent: uint64 pa */
    MSG_PAGE,        /* child: the page's bytes (empty when it is not RAM) */
    MSG_QUIT,        /* parent: stop */
};

typedef struct MsgHdr {
    uint32_t type, len;
} MsgHdr;

#define LS_MAX_REGS 64
#define LS_RFLAGS_RF 0x10000u
#define LS_PAGE 4096u

enum { SPACE_IO, SPACE_MEM };

typedef struct IoRec {
    uint64_t addr, value;
    uint8_t size, is_write, space, pad[5];
} IoRec;

typedef struct PageHash {
    uint64_t pa, hash;
} PageHash;

typedef struct Fixup {
    uint32_t reg, pad;
    uint64_t value;
} Fixup;

/* How a step ended */
enum { LS_STEP, LS_HALT, LS_RESET };

typedef struct StepReport {
    uint64_t step;
    int32_t exit;          /* LS_* */
    int32_t intr;          /* the interrupt vector delivered in this step, or -1 */
    int32_t ended;         /* the machine asked to stop: end_status is its exit status */
    int32_t end_status;
    uint32_t nregs, nio, npages;
    uint32_t code_len;     /* the next instruction (reference only) */
    int32_t mode;
    uint64_t code_pc;
    uint8_t code[16];
    char note[256];        /* the other run: the first device access that did not match */
} StepReport;

typedef struct GoMsg {
    uint64_t step;
    int32_t inject;        /* interrupt vector to take in this step, or -1 */
    uint32_t nio, nfix;
    uint32_t cont;         /* go on with the same step (a REP instruction left unfinished):
                            * keep its device accesses and pages; nio, nfix, inject unused */
} GoMsg;

/* Move all len bytes to (is_write) or from fd, through EINTR; false on error or EOF. */
static bool transfer_all(int fd, void *buf, size_t len, bool is_write)
{
    char *p = buf;

    while (len) {
        ssize_t r = is_write ? write(fd, p, len) : read(fd, p, len);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        p += r;
        len -= (size_t)r;
    }
    return true;
}

static bool write_all(int fd, const void *buf, size_t len)
{
    return transfer_all(fd, (void *)buf, len, true);
}

static bool read_all(int fd, void *buf, size_t len)
{
    return transfer_all(fd, buf, len, false);
}

/* A message being built or received. */
typedef struct Buf {
    uint8_t *data;
    size_t len, cap;
} Buf;

static void buf_add(Buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 256;
        b->data = realloc(b->data, b->cap);
        if (!b->data) {
            fatal("out of memory");
        }
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static bool msg_send(int fd, uint32_t type, const void *payload, size_t len)
{
    MsgHdr h = { type, (uint32_t)len };

    return write_all(fd, &h, sizeof(h)) && (len == 0 || write_all(fd, payload, len));
}

/* Receive one message into b (replacing its contents); false at end of file. */
static bool msg_recv(int fd, uint32_t *type, Buf *b)
{
    MsgHdr h;

    if (!read_all(fd, &h, sizeof(h))) {
        return false;
    }
    b->len = 0;
    if (h.len > b->cap) {
        b->cap = h.len;
        b->data = realloc(b->data, b->cap);
        if (!b->data) {
            fatal("out of memory");
        }
    }
    if (h.len && !read_all(fd, b->data, h.len)) {
        return false;
    }
    b->len = h.len;
    *type = h.type;
    return true;
}

/* ---------------------------------------------------------------------------------------
 * The child: one run under one accelerator, stepped by the parent.
 */
static struct {
    int fd;
    bool ref;                   /* the reference (records) or the other run (replays) */
    Machine *m;
    CPUState *cs;
    uint64_t step;
    IoRec *io;                  /* ref: this step's accesses; other: the recorded ones */
    size_t nio, io_cap, io_pos;
    uint64_t *pages;            /* RAM pages written in this step */
    size_t npages, pages_cap;
    bool record_stores;         /* off while lockstep itself reads guest code */
    int intr;                   /* ref: vector taken in this step */
    int inject;                 /* other: vector to give the CPU in this step */
    bool was_halted;
    bool shutdown;              /* the accelerator stopped the machine in this step */
    bool done;                  /* told to stop (or the parent went away) */
    char note[256];
    int (*orig_get_vector)(void *opaque, CPUState *cs);
    const char *names[LS_MAX_REGS];
    int nregs;
    Buf in, out;
} ls;

static const char *space_name(int space)
{
    return space == SPACE_IO ? "port" : "MMIO";
}

static void describe_io(char *buf, size_t n, const IoRec *r)
{
    if (r->is_write) {
        snprintf(buf, n, "%s write 0x%" PRIx64 " <- 0x%" PRIx64 " (%u byte%s)",
                 space_name(r->space), r->addr, r->value, r->size, r->size == 1 ? "" : "s");
    } else {
        snprintf(buf, n, "%s read 0x%" PRIx64 " (%u byte%s)", space_name(r->space), r->addr,
                 r->size, r->size == 1 ? "" : "s");
    }
}

static uint64_t child_io_hook(CPUState *cs, AddressSpace *as, hwaddr addr, unsigned size,
                              bool is_write, uint64_t val)
{
    IoRec r = { .addr = addr, .value = val, .size = (uint8_t)size, .is_write = is_write,
                .space = as == cs->io_as ? SPACE_IO : SPACE_MEM };

    if (ls.ref) {
        r.value = cpu_io_dispatch(cs, as, addr, size, is_write, val);
        if (is_write) {
            r.value = val;
        }
        if (ls.nio == ls.io_cap) {
            ls.io_cap = ls.io_cap ? ls.io_cap * 2 : 64;
            ls.io = realloc(ls.io, ls.io_cap * sizeof(*ls.io));
            if (!ls.io) {
                fatal("out of memory");
            }
        }
        ls.io[ls.nio++] = r;
        return r.value;
    }
    if (ls.io_pos < ls.nio) {
        const IoRec *e = &ls.io[ls.io_pos];
        uint64_t mask = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;

        if (e->addr == r.addr && e->size == r.size && e->is_write == r.is_write &&
            e->space == r.space && (!is_write || ((e->value ^ val) & mask) == 0)) {
            ls.io_pos++;
            return is_write ? 0 : e->value;
        }
        if (!ls.note[0]) {
            char mine[96], theirs[96];
            describe_io(mine, sizeof(mine), &r);
            describe_io(theirs, sizeof(theirs), e);
            snprintf(ls.note, sizeof(ls.note), "device access %zu of the step: this run made "
                     "a %s, the reference a %s", ls.io_pos + 1, mine, theirs);
        }
        ls.io_pos = ls.nio;
    } else if (!ls.note[0]) {
        char mine[96];
        describe_io(mine, sizeof(mine), &r);
        snprintf(ls.note, sizeof(ls.note), "this run made a %s that the reference did not "
                 "make", mine);
    }
    return is_write ? 0 : ~0ull >> (64 - 8 * (size > 8 ? 8 : size));
}

static void note_page(uint64_t page)
{
    if (ls.npages && ls.pages[ls.npages - 1] == page) {
        return;
    }
    for (size_t i = 0; i < ls.npages; i++) {
        if (ls.pages[i] == page) {
            return;
        }
    }
    if (ls.npages == ls.pages_cap) {
        ls.pages_cap = ls.pages_cap ? ls.pages_cap * 2 : 16;
        ls.pages = realloc(ls.pages, ls.pages_cap * sizeof(*ls.pages));
        if (!ls.pages) {
            fatal("out of memory");
        }
    }
    ls.pages[ls.npages++] = page;
}

static void child_ram_write(CPUState *cs, hwaddr pa, unsigned size)
{
    if (!ls.record_stores) {
        return;
    }
    note_page(pa & ~(uint64_t)(LS_PAGE - 1));
    if (((pa + size - 1) ^ pa) & ~(uint64_t)(LS_PAGE - 1)) {
        note_page((pa + size - 1) & ~(uint64_t)(LS_PAGE - 1));
    }
}

static int ref_get_vector(void *opaque, CPUState *cs)
{
    int v = ls.orig_get_vector ? ls.orig_get_vector(opaque, cs) : -1;

    if (v >= 0) {
        ls.intr = v;
    }
    return v;
}

static int replay_get_vector(void *opaque, CPUState *cs)
{
    int v = ls.inject;

    ls.inject = -1;
    return v;
}

/* The host bytes of RAM page pa (n of them, up to a page), or NULL when it is not RAM. */
static const uint8_t *ram_page(uint64_t pa, size_t *n)
{
    const FlatRange *fr = as_lookup(ls.cs->as, pa);
    uint64_t avail;

    if (!fr || !fr->mr->ram) {
        return NULL;
    }
    avail = fr->start + fr->size - pa;
    *n = avail < LS_PAGE ? (size_t)avail : LS_PAGE;
    return fr->mr->ram + (pa - fr->start + fr->offset);
}

static uint64_t page_hash(uint64_t pa)
{
    size_t n = 0;
    const uint8_t *p = ram_page(pa, &n);
    uint64_t h = 0xcbf29ce484222325ull;

    if (!p) {
        return 0;
    }
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (size_t i = n & ~(size_t)7; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ull;
    }
    return h;
}

static void child_send_report(int exit_kind)
{
    StepReport r = { .step = ls.step, .exit = exit_kind, .intr = ls.intr };
    CPURegValue regs[LS_MAX_REGS];
    int n;

    if (ls.step > 0 && current_accel->get_state) {
        current_accel->get_state(ls.cs);
    }
    n = ls.cs->cc->arch_regs(ls.cs, regs, LS_MAX_REGS);
    r.ended = ls.m->shutdown_requested || ls.shutdown ||
              (exit_kind == LS_RESET && ls.m->opts.no_reboot);
    r.end_status = ls.m->shutdown_requested ? ls.m->exit_status :
                   ls.shutdown ? ls.cs->exit_status : 1;
    if (ls.ref) {
        ls.record_stores = false;
        r.code_len = x86_lockstep_code(ls.cs, r.code, &r.code_pc, &r.mode);
        ls.record_stores = true;
    } else if (ls.io_pos < ls.nio && !ls.note[0]) {
        char theirs[96];
        describe_io(theirs, sizeof(theirs), &ls.io[ls.io_pos]);
        snprintf(ls.note, sizeof(ls.note), "this run did not make the reference's %s "
                 "(device access %zu of the step, of %zu)", theirs, ls.io_pos + 1, ls.nio);
    }
    memcpy(r.note, ls.note, sizeof(r.note));
    r.nregs = (uint32_t)n;
    r.nio = ls.ref ? (uint32_t)ls.nio : 0;
    r.npages = (uint32_t)ls.npages;
    ls.out.len = 0;
    buf_add(&ls.out, &r, sizeof(r));
    for (int i = 0; i < n; i++) {
        buf_add(&ls.out, &regs[i].value, 8);
    }
    if (ls.ref) {
        buf_add(&ls.out, ls.io, ls.nio * sizeof(*ls.io));
    }
    for (size_t i = 0; i < ls.npages; i++) {
        PageHash ph = { ls.pages[i], page_hash(ls.pages[i]) };
        buf_add(&ls.out, &ph, sizeof(ph));
    }
    if (!msg_send(ls.fd, MSG_STATE, ls.out.data, ls.out.len)) {
        ls.done = true;
    }
}

/* Apply a "go": the step's device accesses and interrupt (other run), register fixups. */
static void child_apply_go(const Buf *b)
{
    GoMsg g;
    const uint8_t *p = b->data + sizeof(g);

    memcpy(&g, b->data, sizeof(g));
    ls.step = g.step - 1;       /* the step about to run is g.step */
    if (g.cont) {
        return;
    }
    ls.npages = 0;
    ls.intr = -1;
    ls.note[0] = 0;
    ls.io_pos = 0;
    ls.nio = 0;
    if (!ls.ref && g.nio) {
        if (g.nio > ls.io_cap) {
            ls.io_cap = g.nio;
            ls.io = realloc(ls.io, ls.io_cap * sizeof(*ls.io));
            if (!ls.io) {
                fatal("out of memory");
            }
        }
        memcpy(ls.io, p, g.nio * sizeof(*ls.io));
        ls.nio = g.nio;
    }
    p += g.nio * sizeof(IoRec);
    if (g.nfix) {
        for (uint32_t i = 0; i < g.nfix; i++) {
            Fixup f;
            memcpy(&f, p + i * sizeof(f), sizeof(f));
            if (f.reg < (uint32_t)ls.nregs) {
                x86_lockstep_set_reg(ls.cs, ls.names[f.reg], f.value);
            }
        }
        if (current_accel->put_state) {
            current_accel->put_state(ls.cs);
        }
    }
    if (!ls.ref && g.inject >= 0) {
        ls.inject = g.inject;
        cpu_interrupt(ls.cs, CPU_INTERRUPT_HARD);
    }
}

/* Serve the parent until it says "go" (true) or "quit" / goes away (false). */
static bool child_wait_go(void)
{
    uint32_t type;

    while (msg_recv(ls.fd, &type, &ls.in)) {
        switch (type) {
        case MSG_GO:
            if (ls.in.len < sizeof(GoMsg)) {
                return false;
            }
            child_apply_go(&ls.in);
            return true;
        case MSG_HASH_REQ: {
            size_t n = ls.in.len / 8;
            ls.out.len = 0;
            for (size_t i = 0; i < n; i++) {
                PageHash ph;
                memcpy(&ph.pa, ls.in.data + i * 8, 8);
                ph.hash = page_hash(ph.pa);
                buf_add(&ls.out, &ph, sizeof(ph));
            }
            if (!msg_send(ls.fd, MSG_HASHES, ls.out.data, ls.out.len)) {
                return false;
            }
            break;
        }
        case MSG_PAGE_REQ: {
            uint64_t pa = 0;
            size_t n = 0;
            const uint8_t *p;
            memcpy(&pa, ls.in.data, ls.in.len >= 8 ? 8 : 0);
            p = ram_page(pa, &n);
            if (!msg_send(ls.fd, MSG_PAGE, p, p ? n : 0)) {
                return false;
            }
            break;
        }
        default:
            return false;
        }
    }
    return false;
}

static void child_quit(void)
{
    ls.done = true;
    if (current_accel->set_single_step) {
        current_accel->set_single_step(ls.cs, false);
    }
    machine_request_shutdown(ls.m, ls.m->shutdown_requested ? ls.m->exit_status : 0);
}

static void child_step_hook(CPUState *cs, VcpuExit e)
{
    int kind;
    bool go;

    if (ls.done || e == VCPU_EXIT_KICK || (e == VCPU_EXIT_HALT && ls.was_halted)) {
        return;     /* nothing ran */
    }
    kind = e == VCPU_EXIT_HALT ? LS_HALT : e == VCPU_EXIT_RESET ? LS_RESET : LS_STEP;
    ls.step++;
    ls.was_halted = cs->halted;
    ls.shutdown = e == VCPU_EXIT_SHUTDOWN;
    child_send_report(kind);
    bql_unlock();
    go = !ls.done && child_wait_go();
    bql_lock();
    if (!go) {
        child_quit();
    }
}

int lockstep_child_start(Machine *m, const char *spec)
{
    char *end;
    long fd = strtol(spec, &end, 10);
    CPUState *cs;
    CPURegValue regs[LS_MAX_REGS];
    Buf hello = { 0 };
    uint32_t n;

    if (end == spec || fd < 0 || *end != ',' || (strcmp(end + 1, "ref") &&
                                                 strcmp(end + 1, "replay"))) {
        error_report("--lockstep-child %s: expected FD,ref or FD,replay", spec);
        return -1;
    }
    if (!m->cpus[0]->cc->arch_regs) {
        error_report("--lockstep: this CPU has no register list to compare");
        return -1;
    }
    if (m->ncpus != 1) {
        error_report("--lockstep runs one vCPU: -smp %d is not supported", m->ncpus);
        return -1;
    }
    if (!current_accel->set_single_step) {
        error_report("--lockstep: the %s accelerator cannot single-step", current_accel->name);
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    cs = m->cpus[0];
    ls.fd = (int)fd;
    ls.ref = !strcmp(end + 1, "ref");
    ls.m = m;
    ls.cs = cs;
    ls.intr = ls.inject = -1;
    ls.record_stores = true;
    ls.nregs = cs->cc->arch_regs(cs, regs, LS_MAX_REGS);
    for (int i = 0; i < ls.nregs; i++) {
        ls.names[i] = regs[i].name;
    }
    cpu_io_hook = child_io_hook;
    if (!strcmp(current_accel->name, "tcg")) {
        cpu_ram_write_hook = child_ram_write;
    }
    ls.orig_get_vector = cs->get_interrupt_vector;
    cs->get_interrupt_vector = ls.ref ? ref_get_vector : replay_get_vector;
    vcpu_step_hook = child_step_hook;

    /* the vCPU thread starts stopped: single-stepping is switched on once the
     * accelerator's vCPU exists, and the first step waits for the parent's "go" */
    cs->stop = true;
    if (accel_start_vcpus(m) < 0) {
        return -1;
    }
    if (current_accel->set_single_step(cs, true) < 0) {
        error_report("--lockstep: the %s accelerator could not single-step the vCPU",
                     current_accel->name);
        return -1;
    }
    n = (uint32_t)ls.nregs;
    buf_add(&hello, &n, sizeof(n));
    for (int i = 0; i < ls.nregs; i++) {
        buf_add(&hello, ls.names[i], strlen(ls.names[i]) + 1);
    }
    if (!msg_send(ls.fd, MSG_HELLO, hello.data, hello.len)) {
        error_report("--lockstep-child: the parent is gone");
        return -1;
    }
    free(hello.data);
    ls.was_halted = cs->halted;
    child_send_report(LS_STEP);
    bql_unlock();
    if (!child_wait_go()) {
        bql_lock();
        child_quit();
    } else {
        bql_lock();
    }
    accel_resume_vcpus(m);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * The parent: starts both runs and compares them.
 */
typedef struct Child {
    const char *accel;
    const char *label;          /* for messages: the accelerator's name, or "tcg #2" */
    pid_t pid;
    int fd;
    bool exited;
    int status;
    Buf in;
    /* the last report */
    StepReport rep;
    uint64_t regs[LS_MAX_REGS];
    IoRec *io;
    size_t nio, io_cap;
    PageHash *pages;
    size_t npages, pages_cap;
} Child;

static char *reg_names[LS_MAX_REGS];
static int nregs;

static pid_t spawn_child(Child *c, int argc, char **argv, int child_fd, const char *role)
{
    char **args = xzalloc(sizeof(char *) * (size_t)(argc + 8));
    char spec[32];
    int n = 0;
    pid_t pid;

    snprintf(spec, sizeof(spec), "%d,%s", child_fd, role);
    args[n++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--lockstep") || !strcmp(a, "-lockstep")) {
            i++;
            continue;
        }
        args[n++] = argv[i];
    }
    args[n++] = (char *)"-accel";
    args[n++] = (char *)c->accel;
    if (!strcmp(c->accel, "kvm")) {
        args[n++] = (char *)"-machine";
        args[n++] = (char *)"kernel-irqchip=off";
    }
    args[n++] = (char *)"--lockstep-child";
    args[n++] = spec;
    args[n] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        fcntl(child_fd, F_SETFD, 0);
        if (strcmp(role, "ref")) {
            /* the other run's devices are never reached: it has no terminal */
            int null = open("/dev/null", O_RDWR);
            if (null >= 0) {
                dup2(null, 0);
                dup2(null, 1);
            }
        }
        execv("/proc/self/exe", args);
        fprintf(stderr, "tandem: --lockstep: cannot run /proc/self/exe: %s\n", strerror(errno));
        _exit(127);
    }
    free(args);
    return pid;
}

/* Wait for a child to end (up to about 5 s, then kill it). */
static void reap_child(Child *c)
{
    for (int i = 0; i < 500 && !c->exited; i++) {
        int st;
        pid_t r = waitpid(c->pid, &st, WNOHANG);
        if (r == c->pid) {
            c->exited = true;
            c->status = st;
            break;
        }
        if (r < 0) {
            c->exited = true;
            break;
        }
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    if (!c->exited) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &c->status, 0);
        c->exited = true;
    }
}

static void stop_children(Child *c, int n)
{
    for (int i = 0; i < n; i++) {
        msg_send(c[i].fd, MSG_QUIT, NULL, 0);
    }
    for (int i = 0; i < n; i++) {
        reap_child(&c[i]);
        close(c[i].fd);
    }
}

static void describe_exit(const Child *c, char *buf, size_t n)
{
    if (WIFEXITED(c->status)) {
        snprintf(buf, n, "exit status %d", WEXITSTATUS(c->status));
    } else if (WIFSIGNALED(c->status)) {
        snprintf(buf, n, "killed by signal %d", WTERMSIG(c->status));
    } else {
        snprintf(buf, n, "status 0x%x", c->status);
    }
}

/* A child stopped talking: say so and end. */
static int child_lost(Child *all, int nchild, Child *c, uint64_t step)
{
    char how[64];

    reap_child(c);
    describe_exit(c, how, sizeof(how));
    error_report("--lockstep: the %s run stopped %s step %" PRIu64 " (%s)", c->label,
                 step ? "at" : "before", step, how);
    stop_children(all, nchild);
    return 2;
}

static bool recv_hello(Child *c)
{
    uint32_t type, n;
    const char *p, *end;

    if (!msg_recv(c->fd, &type, &c->in) || type != MSG_HELLO || c->in.len < 4) {
        return false;
    }
    memcpy(&n, c->in.data, 4);
    p = (const char *)c->in.data + 4;
    end = (const char *)c->in.data + c->in.len;
    if (n > LS_MAX_REGS) {
        return false;
    }
    if (nregs == 0) {
        nregs = (int)n;
        for (uint32_t i = 0; i < n; i++) {
            size_t l = strnlen(p, (size_t)(end - p));
            if (p + l >= end) {
                return false;
            }
            reg_names[i] = xstrdup(p);
            p += l + 1;
        }
    } else if ((int)n != nregs) {
        return false;
    }
    return true;
}

static bool recv_state(Child *c)
{
    uint32_t type;
    const uint8_t *p;
    StepReport *r = &c->rep;

    if (!msg_recv(c->fd, &type, &c->in) || type != MSG_STATE || c->in.len < sizeof(*r)) {
        return false;
    }
    memcpy(r, c->in.data, sizeof(*r));
    r->note[sizeof(r->note) - 1] = 0;
    if (r->nregs != (uint32_t)nregs ||
        c->in.len != sizeof(*r) + r->nregs * 8ull + r->nio * sizeof(IoRec) +
                     r->npages * sizeof(PageHash)) {
        return false;
    }
    p = c->in.data + sizeof(*r);
    memcpy(c->regs, p, r->nregs * 8ull);
    p += r->nregs * 8ull;
    if (r->nio > c->io_cap) {
        c->io_cap = r->nio * 2;
        c->io = realloc(c->io, c->io_cap * sizeof(*c->io));
    }
    if (r->nio) {
        memcpy(c->io, p, r->nio * sizeof(IoRec));
    }
    c->nio = r->nio;
    p += r->nio * sizeof(IoRec);
    if (r->npages > c->pages_cap) {
        c->pages_cap = r->npages * 2;
        c->pages = realloc(c->pages, c->pages_cap * sizeof(*c->pages));
    }
    if (r->npages) {
        memcpy(c->pages, p, r->npages * sizeof(PageHash));
    }
    c->npages = r->npages;
    if ((r->nio && !c->io) || (r->npages && !c->pages)) {
        fatal("out of memory");
    }
    return true;
}

static bool send_go(Child *c, uint64_t step, int inject, const IoRec *io, size_t nio,
                    const Fixup *fix, size_t nfix, bool cont)
{
    Buf b = { 0 };
    GoMsg g = { .step = step, .inject = inject, .nio = (uint32_t)nio, .nfix = (uint32_t)nfix,
                .cont = cont };
    bool ok;

    buf_add(&b, &g, sizeof(g));
    if (nio) {
        buf_add(&b, io, nio * sizeof(*io));
    }
    if (nfix) {
        buf_add(&b, fix, nfix * sizeof(*fix));
    }
    ok = msg_send(c->fd, MSG_GO, b.data, b.len);
    free(b.data);
    return ok;
}

/* The hash of page pa in child c: from its report, or asked for. */
static bool child_page_hash(Child *c, uint64_t pa, uint64_t *hash)
{
    uint32_t type;

    for (size_t i = 0; i < c->npages; i++) {
        if (c->pages[i].pa == pa) {
            *hash = c->pages[i].hash;
            return true;
        }
    }
    if (!msg_send(c->fd, MSG_HASH_REQ, &pa, 8) || !msg_recv(c->fd, &type, &c->in) ||
        type != MSG_HASHES || c->in.len != sizeof(PageHash)) {
        return false;
    }
    memcpy(hash, c->in.data + 8, 8);
    return true;
}

static bool child_page(Child *c, uint64_t pa, uint8_t *buf, size_t *n)
{
    uint32_t type;

    if (!msg_send(c->fd, MSG_PAGE_REQ, &pa, 8) || !msg_recv(c->fd, &type, &c->in) ||
        type != MSG_PAGE || c->in.len > LS_PAGE) {
        return false;
    }
    memcpy(buf, c->in.data, c->in.len);
    *n = c->in.len;
    return true;
}

static int rcx = -1, rip = -1;

static int find_reg(const char *name)
{
    for (int i = 0; i < nregs; i++) {
        if (!strcasecmp(reg_names[i], name)) {
            return i;
        }
    }
    return -1;
}

/*
 * A REP string instruction is one step on both sides, however its accelerator splits it
 * (KVM single-steps it in chunks of iterations, tcg leaves it when asked to stop): while
 * c's vCPU still stands on it, let it go on, keeping the step's device accesses (KVM
 * also stops once with RCX at 0 before it moves RIP on). A run that neither moves RIP nor
 * RCX is left where it is (the comparison then reports it).
 */
static bool finish_rep(Child *c, uint64_t step, const StepReport *prev, uint64_t pre_rip)
{
    uint64_t last_rcx = rcx >= 0 ? c->regs[rcx] : 0;

    if (step == 0 || rip < 0 || rcx < 0 || !prev->code_len ||
        !x86_lockstep_rep_string(prev->code, prev->code_len, prev->mode)) {
        return true;
    }
    while (c->rep.exit == LS_STEP && c->rep.intr < 0 && c->regs[rip] == pre_rip) {
        if (!send_go(c, step, -1, NULL, 0, NULL, 0, true) || !recv_state(c)) {
            return false;
        }
        if (c->regs[rip] == pre_rip && c->regs[rcx] == last_rcx) {
            break;
        }
        last_rcx = c->regs[rcx];
    }
    return true;
}

/*
 * STI, MOV SS and POP SS open an interrupt shadow over the next instruction, and tcg runs
 * that instruction in the same step (its block must not end inside the shadow); KVM
 * (PVM-based) stops after the first. A run that stopped right after one of them runs the
 * next instruction as part of the same step. *second gets the bytes of that instruction
 * (from the reference) for its undefined flags.
 */
static bool finish_shadow(Child *c, uint64_t step, const StepReport *prev,
                             uint64_t pre_rip, StepReport *second)
{
    unsigned len;

    if (step == 0 || rip < 0 || !prev->code_len || c->rep.exit != LS_STEP ||
        c->rep.intr >= 0) {
        return true;
    }
    len = x86_lockstep_shadow(prev->code, prev->code_len, prev->mode);
    if (!len || c->regs[rip] != pre_rip + len) {
        return true;
    }
    if (second && c->rep.code_len) {
        *second = c->rep;
    }
    return send_go(c, step, -1, NULL, 0, NULL, 0, true) && recv_state(c);
}

static const char *exit_name(int kind)
{
    return kind == LS_HALT ? "halted" : kind == LS_RESET ? "triple fault (reset)" : "stepped";
}

/* What step `step` ran, from the reference's previous report (pc, bytes, mode). */
static void print_step_what(const StepReport *prev, const StepReport *now, uint64_t insn_no)
{
    if (now->intr >= 0) {
        fprintf(stderr, "  interrupt vector 0x%02x taken, then the handler's first instruction "
                "ran (step %" PRIu64 "); the CPU was at\n", now->intr, insn_no);
    } else {
        fprintf(stderr, "  instruction %" PRIu64 ":\n", insn_no);
    }
    if (prev->code_len) {
        fprintf(stderr, "  ");
        x86_disas_bytes(stderr, prev->code_pc, prev->code, prev->code_len, prev->mode);
    } else {
        fprintf(stderr, "  0x%" PRIx64 ":  <code not readable>\n", prev->code_pc);
    }
}

static void print_regs(const Child *a, const Child *b, const uint64_t *mask_ignored,
                       uint32_t undef_flags, int rflags)
{
    fprintf(stderr, "  %-8s %-20s %-20s\n", "", a->label, b->label);
    for (int i = 0; i < nregs; i++) {
        uint64_t d = a->regs[i] ^ b->regs[i];
        const char *mark = "";

        if (d & ~mask_ignored[i]) {
            mark = "   <- differs";
        } else if (d) {
            mark = i == rflags ? "   (only in RF or flags the SDM leaves undefined)" :
                                 "   (nondeterministic: not compared)";
        }
        fprintf(stderr, "  %-8s 0x%016" PRIx64 "   0x%016" PRIx64 "%s\n", reg_names[i],
                a->regs[i], b->regs[i], mark);
    }
    fprintf(stderr, "difference:");
    for (int i = 0, any = 0; i < nregs || !any; i++) {
        if (i == nregs) {
            fprintf(stderr, " none in the registers");
            break;
        }
        if ((a->regs[i] ^ b->regs[i]) & ~mask_ignored[i]) {
            fprintf(stderr, " %s", reg_names[i]);
            any = 1;
        }
    }
    fprintf(stderr, "\n");
    if (undef_flags && rflags >= 0) {
        fprintf(stderr, "  (rflags bits 0x%x are undefined after this instruction and were not "
                "compared)\n", undef_flags);
    }
}

static void print_page_diff(Child *a, Child *b, uint64_t pa)
{
    static uint8_t pa_buf[LS_PAGE], pb_buf[LS_PAGE];
    size_t na = 0, nb = 0, ndiff = 0, first = 0;

    if (!child_page(a, pa, pa_buf, &na) || !child_page(b, pa, pb_buf, &nb)) {
        return;
    }
    for (size_t i = 0; i < na && i < nb; i++) {
        if (pa_buf[i] != pb_buf[i]) {
            if (!ndiff++) {
                first = i;
            }
        }
    }
    if (!ndiff) {
        return;
    }
    fprintf(stderr, "  %zu byte%s of the page differ%s; from 0x%" PRIx64 ":\n", ndiff,
            ndiff == 1 ? "" : "s", ndiff == 1 ? "s" : "", pa + first);
    for (int row = 0; row < 2; row++) {
        const uint8_t *p = row ? pb_buf : pa_buf;
        size_t n = row ? nb : na;
        fprintf(stderr, "  %-8s", row ? b->label : a->label);
        for (size_t i = first; i < first + 16 && i < n; i++) {
            fprintf(stderr, " %02x", p[i]);
        }
        fprintf(stderr, "\n");
    }
}

/* A command line lockstep cannot run: one line, exit status 2. */
static int usage_error(const char *fmt, ...) PRINTF_FMT(1, 2);
static int usage_error(const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    error_report("%s", msg);
    return 2;
}

int lockstep_run(int argc, char **argv, const char *accels, int smp)
{
    char *list = xstrdup(accels);
    char *comma = strchr(list, ',');
    Child c[2] = { 0 };
    int sv[2][2];
    StepReport prev_ref = { 0 }, second = { 0 };
    uint64_t prev_rcx = 0, prev_rip = 0, step = 0, insns = 0, intrs = 0;
    Fixup fix[LS_MAX_REGS];
    size_t nfix = 0;
    int rflags, status = 2;
    const char *why = NULL;

    if (!comma || strchr(comma + 1, ',') || !comma[1]) {
        return usage_error("--lockstep %s: expected two accelerators, the reference first: "
                           "tcg,kvm or tcg,tcg", accels);
    }
    *comma = 0;
    c[0].accel = list;
    c[1].accel = comma + 1;
    if (strcmp(c[0].accel, "tcg")) {
        return usage_error("--lockstep %s: the reference (the first accelerator) must be tcg",
                           accels);
    }
    if (smp != 1) {
        return usage_error("--lockstep runs one vCPU: -smp %d is not supported", smp);
    }
    const AccelOps *other = accel_find(c[1].accel);
    if (!other) {
        return usage_error("--lockstep %s: accelerator '%s' is not built into this tandem",
                           accels, c[1].accel);
    }
    if (other->available && !other->available(&why)) {
        return usage_error("--lockstep %s: accelerator '%s' cannot run here: %s", accels,
                           c[1].accel, why ? why : "unavailable");
    }
    if (!other->set_single_step) {
        return usage_error("--lockstep %s: accelerator '%s' cannot single-step", accels,
                           c[1].accel);
    }
    c[0].label = "tcg";
    c[1].label = strcmp(c[1].accel, "tcg") ? c[1].accel : "tcg#2";
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < 2; i++) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv[i]) < 0) {
            fatal("--lockstep: socketpair: %s", strerror(errno));
        }
    }
    for (int i = 0; i < 2; i++) {
        c[i].fd = sv[i][0];
        c[i].pid = spawn_child(&c[i], argc, argv, sv[i][1], i == 0 ? "ref" : "replay");
        if (c[i].pid < 0) {
            fatal("--lockstep: fork: %s", strerror(errno));
        }
        close(sv[i][1]);
    }
    rflags = -1;
    for (int i = 0; i < 2; i++) {
        if (!recv_hello(&c[i]) || !recv_state(&c[i])) {
            return child_lost(c, 2, &c[i], 0);
        }
    }
    rflags = find_reg("rflags");
    if (rflags < 0) {
        rflags = find_reg("eflags");
    }
    rcx = find_reg("rcx");
    rip = find_reg("rip");

    for (;;) {
        uint64_t ignored[LS_MAX_REGS] = { 0 };
        uint32_t undef = 0;
        bool differs = false, nondet = false;
        static const char exit_what[] = "the step ended differently";
        const char *what = NULL;
        char mem_note[160] = "";
        uint64_t bad_page = 0;
        bool mem_differs = false;

        /* compare the reports of this step (step 0: the state before the first one) */
        if (step > 0 && c[0].rep.intr < 0 && prev_ref.code_len) {
            undef = x86_undef_flags_code(prev_ref.code, prev_ref.code_len, prev_ref.mode,
                                         prev_rcx);
            if (second.code_len) {      /* the instruction after a MOV SS, in the same step */
                undef |= x86_undef_flags_code(second.code, second.code_len, second.mode,
                                              prev_rcx);
            }
            nondet = x86_lockstep_nondeterministic(prev_ref.code, prev_ref.code_len,
                                                   prev_ref.mode);
        }
        if (rflags >= 0) {
            /* RF is the debug machinery's: KVM sets it when it single-steps an instruction
             * it has not finished (a REP in chunks) */
            ignored[rflags] = undef | LS_RFLAGS_RF;
        }
        nfix = 0;
        if (c[0].rep.exit != c[1].rep.exit &&
            !(c[0].rep.exit != LS_RESET && c[1].rep.exit != LS_RESET)) {
            /* halted against stepped is no difference by itself: KVM may end the step of
             * a HLT with its debug exit instead of the halt (RIP is compared below) */
            differs = true;
            what = exit_what;
        } else if (c[1].rep.note[0]) {
            differs = true;
            what = "device accesses differ";
        } else if (c[1].rep.ended && !c[0].rep.ended) {
            differs = true;
            what = "the other run's machine stopped (see its message above)";
        } else if (c[0].rep.exit != LS_RESET) {
            for (int i = 0; i < nregs; i++) {
                uint64_t d = c[0].regs[i] ^ c[1].regs[i];

                if (nondet && d && x86_lockstep_settable(reg_names[i])) {
                    ignored[i] = ~0ull;
                }
                if (d & ~ignored[i]) {
                    differs = true;
                    what = "registers differ";
                } else if (d) {
                    fix[nfix++] = (Fixup){ .reg = (uint32_t)i, .value = c[0].regs[i] };
                }
            }
        }
        if (!differs) {
            /* memory written in this step by either run */
            for (int side = 0; side < 2 && !mem_differs; side++) {
                for (size_t i = 0; i < c[side].npages && !mem_differs; i++) {
                    uint64_t pa = c[side].pages[i].pa, h0, h1;
                    if (!child_page_hash(&c[0], pa, &h0)) {
                        return child_lost(c, 2, &c[0], step);
                    }
                    if (!child_page_hash(&c[1], pa, &h1)) {
                        return child_lost(c, 2, &c[1], step);
                    }
                    if (h0 != h1) {
                        mem_differs = true;
                        bad_page = pa;
                        snprintf(mem_note, sizeof(mem_note), "memory written differs: RAM page "
                                 "0x%" PRIx64 " (written by %s)", pa,
                                 side == 0 ? "the reference" : c[1].label);
                    }
                }
            }
            if (mem_differs) {
                differs = true;
                what = mem_note;
            }
        }
        if (differs) {
            if (step == 0) {
                fprintf(stderr, "lockstep: %s and %s differ before the first instruction: %s\n",
                        c[0].label, c[1].label, what);
            } else {
                fprintf(stderr, "lockstep: %s and %s differ after step %" PRIu64 ": %s\n",
                        c[0].label, c[1].label, step, what);
                print_step_what(&prev_ref, &c[0].rep, insns + 1);
            }
            if (c[0].rep.exit != c[1].rep.exit && what == exit_what) {
                fprintf(stderr, "  %s: %s; %s: %s\n", c[0].label, exit_name(c[0].rep.exit),
                        c[1].label, exit_name(c[1].rep.exit));
            }
            if (c[1].rep.note[0]) {
                fprintf(stderr, "  %s: %s\n", c[1].label, c[1].rep.note);
            }
            fprintf(stderr, "registers after the step:\n");
            print_regs(&c[0], &c[1], ignored, undef, rflags);
            if (mem_differs) {
                fprintf(stderr, "  %s\n", mem_note);
                print_page_diff(&c[0], &c[1], bad_page);
            }
            if (step > 0) {
                fprintf(stderr, "lockstep: %" PRIu64 " instructions agreed before this one\n",
                        insns);
            }
            status = 1;
            break;
        }
        if (step > 0) {
            insns++;
            intrs += c[0].rep.intr >= 0;
        }
        if (c[0].rep.ended || (c[0].rep.exit == LS_HALT && rflags >= 0 &&
                               !x86_lockstep_if_set(c[0].regs[rflags]))) {
            if (c[0].rep.ended) {
                fprintf(stderr, "lockstep: %s and %s agree on all %" PRIu64 " instructions "
                        "(%" PRIu64 " interrupts); the guest ended with exit status %d\n",
                        c[0].label, c[1].label, insns, intrs, c[0].rep.end_status);
            } else {
                fprintf(stderr, "lockstep: %s and %s agree on all %" PRIu64 " instructions "
                        "(%" PRIu64 " interrupts); the guest halted with interrupts disabled\n",
                        c[0].label, c[1].label, insns, intrs);
            }
            status = 0;
            break;
        }

        /* the next step: the reference first, then the other run with its record */
        prev_ref = c[0].rep;
        prev_rcx = rcx >= 0 ? c[0].regs[rcx] : 0;   /* what the next instruction starts with */
        prev_rip = rip >= 0 ? c[0].regs[rip] : 0;
        step++;
        second.code_len = 0;
        if (!send_go(&c[0], step, -1, NULL, 0, NULL, 0, false) || !recv_state(&c[0]) ||
            !finish_rep(&c[0], step, &prev_ref, prev_rip) ||
            !finish_shadow(&c[0], step, &prev_ref, prev_rip, &second)) {
            return child_lost(c, 2, &c[0], step);
        }
        if (!send_go(&c[1], step, c[0].rep.intr, c[0].io, c[0].nio, fix, nfix, false) ||
            !recv_state(&c[1]) || !finish_rep(&c[1], step, &prev_ref, prev_rip) ||
            !finish_shadow(&c[1], step, &prev_ref, prev_rip, NULL)) {
            return child_lost(c, 2, &c[1], step);
        }
    }
    stop_children(c, 2);
    return status;
}

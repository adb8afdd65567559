/* SPDX-License-Identifier: MIT */
/*
 * accel/kvm/kvm-all.c — the KVM accelerator (Linux's Documentation/virt/kvm/api.rst): the
 * VM, memory slots mirrored from the machine's system memory, a vCPU per tandem CPU, the
 * run loop and its exits. Registers, CPUID, MSRs and interrupt controllers are the x86
 * part's (kvm_x86.c).
 *
 * Device:  /dev/kvm; the environment variable TANDEM_KVM_DEVICE names another path (tests
 *          use it to check the messages for a missing or unusable device).
 * Memory:  a listener on the machine's system address space turns every RAM and ROM range
 *          of the flat view into a memory slot (ROM and read-only RAM as KVM_MEM_READONLY,
 *          so that writes exit as MMIO and are dropped by the ROM); slots follow topology
 *          changes at run time. Everything else (devices) exits as MMIO.
 * Exits:   port I/O (string I/O with a count too) and MMIO go to cpu_io_ld/cpu_io_st on the
 *          CPU's address spaces, as the TCG slow path does; HLT (userspace irqchip); a
 *          triple fault (KVM_EXIT_SHUTDOWN) resets the machine, as under tcg; internal
 *          errors and failed entries are reported once with the CPU state and end tandem
 *          with status 1; single-step debug exits return VCPU_EXIT_DEBUG.
 * Kick:    a signal to the vCPU thread whose handler sets kvm_run.immediate_exit: a kick
 *          that comes just before KVM_RUN makes it return at once, so none is lost.
 * State:   lazy: get_state reads KVM's registers only when someone needs the canonical
 *          state (the exits themselves read kvm_run's sync area); put_state marks the
 *          canonical state for loading before the next KVM_RUN.
 * Hosts:   a PVM-based KVM (kvm_pvm module, no VT-x/AMD-V) emulates guest instructions in
 *          the kernel; it is noted at start (host_note) and its refusal of long-mode state
 *          is reported as such.
 * Switch:  with the in-kernel irqchip, leaving KVM moves its 8259s, IOAPIC and local
 *          APICs into tandem's models and entering takes them back (kvm_x86.c).
 * Not done: dirty logging (no migration yet), KVM's PIT (tandem's stays in userspace),
 *          PCI INTx routing into the in-kernel irqchip.
 */
#include "accel/kvm/kvm-internal.h"
#include "system/main-loop.h"
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KVM_KICK_SIGNAL SIGUSR1

KVMState kvm = { .fd = -1, .vm_fd = -1 };

static char kvm_why[256];
static __thread struct kvm_run *kvm_thread_run;
static __thread bool kvm_thread_ready;

static const char kvm_pvm_note[] =
    "KVM on this host is PVM-based: with no VT-x/AMD-V in this CPU, KVM emulates guest "
    "instructions in the kernel instead of running them natively (slower; a CPU state "
    "already in long mode cannot be loaded, guests must enter long mode themselves)";

int kvm_ioctl(int fd, unsigned long req, void *arg)
{
    int r;

    do {
        r = ioctl(fd, req, arg);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

/* ---------------------------------------------------------------------------------------
 * Availability
 * ------------------------------------------------------------------------------------- */

static bool cpu_flag(const char *flags, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = flags; (p = strstr(p, name)) != NULL; p += n) {
        if ((p == flags || p[-1] == ' ' || p[-1] == '\t') &&
            (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')) {
            return true;
        }
    }
    return false;
}

/* PVM: the kvm_pvm module is loaded and the CPU has no hardware virtualization. */
static bool kvm_host_is_pvm(void)
{
    FILE *f;
    char line[8192];
    bool hw = false;

    if (access("/sys/module/kvm_pvm", F_OK) != 0) {
        return false;
    }
    f = fopen("/proc/cpuinfo", "r");
    if (!f) {
        return true;
    }
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "flags", 5)) {
            hw = cpu_flag(line, "vmx") || cpu_flag(line, "svm");
            break;
        }
    }
    fclose(f);
    return !hw;
}

static const struct {
    int cap;
    const char *name;
} kvm_required_caps[] = {
    { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
    { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
    { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
    { KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
    { KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
    { KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM" },
    { KVM_CAP_SET_GUEST_DEBUG, "KVM_CAP_SET_GUEST_DEBUG" },
};

static bool kvm_available(const char **why)
{
    const char *path = getenv("TANDEM_KVM_DEVICE");
    int fd, v;

    if (kvm.fd >= 0) {
        return true;
    }
    if (!path || !*path) {
        path = "/dev/kvm";
    }
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) {
            snprintf(kvm_why, sizeof(kvm_why), "no %s (the kvm module is not loaded, or the "
                     "CPU has no virtualization support)", path);
        } else if (e == EACCES || e == EPERM) {
            snprintf(kvm_why, sizeof(kvm_why), "permission denied opening %s (add your user "
                     "to the group that owns it, usually 'kvm')", path);
        } else {
            snprintf(kvm_why, sizeof(kvm_why), "cannot open %s: %s", path, strerror(e));
        }
        *why = kvm_why;
        return false;
    }
    v = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (v < 0) {
        snprintf(kvm_why, sizeof(kvm_why), "%s is not a KVM device (KVM_GET_API_VERSION: %s)",
                 path, strerror(errno));
        close(fd);
        *why = kvm_why;
        return false;
    }
    if (v != KVM_API_VERSION) {
        snprintf(kvm_why, sizeof(kvm_why), "%s has KVM API version %d; tandem needs %d", path,
                 v, KVM_API_VERSION);
        close(fd);
        *why = kvm_why;
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(kvm_required_caps); i++) {
        if (ioctl(fd, KVM_CHECK_EXTENSION, kvm_required_caps[i].cap) <= 0) {
            snprintf(kvm_why, sizeof(kvm_why), "the KVM of this host lacks %s",
                     kvm_required_caps[i].name);
            close(fd);
            *why = kvm_why;
            return false;
        }
    }
    kvm.fd = fd;
    kvm.pvm = kvm_host_is_pvm();
    return true;
}

static const char *kvm_host_note(void)
{
    return kvm.pvm ? kvm_pvm_note : NULL;
}

/* ---------------------------------------------------------------------------------------
 * Memory slots
 * ------------------------------------------------------------------------------------- */

/* The page-aligned part of a RAM/ROM range (KVM maps whole pages; the rest exits as MMIO). */
static bool slot_range(const FlatRange *fr, uint64_t *gpa, uint64_t *size, void **hva)
{
    uint64_t start = (fr->start + TARGET_PAGE_SIZE - 1) & TARGET_PAGE_MASK;
    uint64_t end = (fr->start + fr->size) & TARGET_PAGE_MASK;
    uint8_t *host;

    if ((fr->mr->type != MR_RAM && fr->mr->type != MR_ROM) || !fr->mr->ram || end <= start) {
        return false;
    }
    host = fr->mr->ram + fr->offset + (start - fr->start);
    if ((uintptr_t)host & (TARGET_PAGE_SIZE - 1)) {
        return false;       /* the host memory is not page aligned here: MMIO */
    }
    *gpa = start;
    *size = end - start;
    *hva = host;
    return true;
}

static void slot_set(int id, const KVMSlot *s, uint64_t size)
{
    struct kvm_userspace_memory_region r = {
        .slot = (uint32_t)id,
        .flags = s->flags,
        .guest_phys_addr = s->gpa,
        .memory_size = size,
        .userspace_addr = (uintptr_t)s->hva,
    };
    int e = kvm_ioctl(kvm.vm_fd, KVM_SET_USER_MEMORY_REGION, &r);

    if (e < 0) {
        fatal("KVM: cannot %s memory slot %d at 0x%" PRIx64 " (%" PRIu64 " KiB%s): %s",
              size ? "map" : "unmap", id, s->gpa, s->size / KiB,
              (s->flags & KVM_MEM_READONLY) ? ", read-only" : "", strerror(-e));
    }
    kvm.slot_changes++;
}

static void kvm_region_add(MemListener *l, const FlatRange *fr)
{
    KVMSlot n = { .used = true };
    int id;

    if (!slot_range(fr, &n.gpa, &n.size, &n.hva)) {
        return;
    }
    n.flags = fr->readonly ? KVM_MEM_READONLY : 0;
    for (id = 0; id < KVM_MAX_SLOTS && kvm.slots[id].used; id++) {
    }
    if (id == KVM_MAX_SLOTS) {
        fatal("KVM: more than %d RAM/ROM ranges in the memory map", KVM_MAX_SLOTS);
    }
    kvm.slots[id] = n;
    slot_set(id, &n, n.size);
}

static void kvm_region_del(MemListener *l, const FlatRange *fr)
{
    uint64_t gpa, size;
    void *hva;

    if (!slot_range(fr, &gpa, &size, &hva)) {
        return;
    }
    for (int id = 0; id < KVM_MAX_SLOTS; id++) {
        KVMSlot *s = &kvm.slots[id];
        if (s->used && s->gpa == gpa && s->size == size && s->hva == hva) {
            slot_set(id, s, 0);
            s->used = false;
            return;
        }
    }
}

/* ---------------------------------------------------------------------------------------
 * The machine-reset watcher: a device of the accelerator, so that a machine reset reaches
 * the in-kernel irqchip and the vCPUs' in-flight events.
 * ------------------------------------------------------------------------------------- */

static void kvm_watch_reset(Device *dev)
{
    Machine *m = dev->machine;

    kvm.irqchip_reset_pending = kvm.irqchip_in_kernel;
    for (int i = 0; i < m->ncpus; i++) {
        KVMCPU *kv = kvm_cpu(m->cpus[i]);
        if (kv) {
            kv->after_reset = true;
        }
    }
}

static const DeviceClass kvm_watch_class = {
    .name = "kvm-accel",
    .desc = "the KVM accelerator's view of machine resets (not a guest device)",
    .bus = "none",
    .state_size = sizeof(Device),
    .reset = kvm_watch_reset,
};

/* ---------------------------------------------------------------------------------------
 * VM and vCPUs
 * ------------------------------------------------------------------------------------- */

static void kvm_kick_handler(int sig)
{
    struct kvm_run *run = kvm_thread_run;

    if (run) {
        run->immediate_exit = 1;
    }
}

static int kvm_init(Machine *m)
{
    struct sigaction sa;
    int r;
    const char *why = NULL;

    if (kvm.vm_fd >= 0) {
        return 0;           /* back from another accelerator: the VM is still there */
    }
    if (!kvm_available(&why)) {
        error_report("KVM: %s", why);
        return -1;
    }
    kvm.m = m;
    do {
        r = ioctl(kvm.fd, KVM_CREATE_VM, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        error_report("KVM: KVM_CREATE_VM failed: %s", strerror(errno));
        return -1;
    }
    kvm.vm_fd = r;
    r = ioctl(kvm.fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (r < (int)sizeof(struct kvm_run)) {
        error_report("KVM: KVM_GET_VCPU_MMAP_SIZE failed");
        return -1;
    }
    kvm.run_size = (size_t)r;
    kvm.sync_regs = ioctl(kvm.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) > 0;
    kvm.xsave = ioctl(kvm.fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0;
    kvm.xcrs = ioctl(kvm.fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
    kvm.debugregs = ioctl(kvm.fd, KVM_CHECK_EXTENSION, KVM_CAP_DEBUGREGS) > 0;
    kvm.vcpu_events = ioctl(kvm.fd, KVM_CHECK_EXTENSION, KVM_CAP_VCPU_EVENTS) > 0;
    kvm.readonly_mem = true;
    kvm.irqchip_in_kernel = m->opts.kernel_irqchip != 0;
    if (kvm_arch_init(m) < 0) {
        return -1;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kvm_kick_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(KVM_KICK_SIGNAL, &sa, NULL);

    kvm.listener.region_add = kvm_region_add;
    kvm.listener.region_del = kvm_region_del;
    as_add_listener(&m->sysmem_as, &kvm.listener);
    if (!device_create_class(m, &kvm_watch_class, "kvm-accel", NULL)) {
        return -1;
    }
    kvm.irqchip_reset_pending = kvm.irqchip_in_kernel;
    if (kvm.pvm) {
        error_report("note: %s", kvm_pvm_note);
    }
    return 0;
}

static void kvm_kick(CPUState *cs)
{
    /* on its own thread the vCPU looks at its requests before it enters the guest again */
    if (cs == current_cpu || !cs->thread_started) {
        return;
    }
    pthread_kill(cs->thread, KVM_KICK_SIGNAL);
}

static int kvm_vcpu_init(CPUState *cs)
{
    KVMCPU *kv = kvm_cpu(cs);
    int fd;

    cs->accel_kick = kvm_kick;
    if (kv) {
        kv->dirty = true;   /* back from another accelerator */
        kv->valid = false;
        return 0;
    }
    fd = kvm_ioctl(kvm.vm_fd, KVM_CREATE_VCPU, (void *)(uintptr_t)cs->index);
    if (fd < 0) {
        error_report("KVM: cannot create vCPU %d: %s", cs->index, strerror(-fd));
        return -1;
    }
    kv = xzalloc(sizeof(*kv));
    kv->cs = cs;
    kv->fd = fd;
    kv->run = mmap(NULL, kvm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (kv->run == MAP_FAILED) {
        error_report("KVM: cannot map the kvm_run area of vCPU %d: %s", cs->index,
                     strerror(errno));
        close(fd);
        free(kv);
        return -1;
    }
    if (kvm.sync_regs) {
        /* the general registers only: KVM copies them at every exit, which is cheap;
         * the segment registers are read when the state is needed */
        kv->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
    }
    kv->dirty = true;       /* start from the canonical state */
    kv->after_reset = true;
    kv->halted = cs->halted;
    cs->kvm_state = kv;
    if (kvm.irqchip_in_kernel) {
        cs->halted = false;     /* the kernel halts the vCPU (MP state) */
    }
    if (kvm_arch_vcpu_init(kv) < 0) {
        return -1;
    }
    return 0;
}

static void kvm_handle_io(KVMCPU *kv);
static void kvm_handle_mmio(KVMCPU *kv);

/*
 * An I/O or MMIO exit is complete (and the guest state consistent) only once KVM_RUN is
 * entered again: enter it with immediate_exit set, which finishes the instruction and
 * returns without running the guest. Done before the vCPU leaves its run loop after such
 * an exit, so that nobody outside it sees a half-done instruction.
 */
static void kvm_complete_io(KVMCPU *kv)
{
    struct kvm_run *run = kv->run;

    while (kv->io_pending) {
        int r;
        run->immediate_exit = 1;
        r = ioctl(kv->fd, KVM_RUN, 0);
        run->immediate_exit = 0;
        kv->io_pending = false;
        kv->sync = kvm.sync_regs;
        kv->valid = false;
        /* finishing a string instruction may need more I/O */
        if (r == 0 && run->exit_reason == KVM_EXIT_IO) {
            kv->exits[KVM_EXIT_IO]++;
            kvm_handle_io(kv);
            kv->io_pending = true;
        } else if (r == 0 && run->exit_reason == KVM_EXIT_MMIO) {
            kv->exits[KVM_EXIT_MMIO]++;
            kvm_handle_mmio(kv);
            kv->io_pending = true;
        }
    }
}

void kvm_sync_state(CPUState *cs)
{
    KVMCPU *kv = kvm_cpu(cs);

    if (!kv) {
        return;
    }
    kvm_complete_io(kv);
    if (kv->valid || kv->dirty) {
        return;     /* nothing run since, or the canonical state is newer */
    }
    if (kvm_arch_get_state(kv) == 0) {
        kv->valid = true;
        kv->state_gets++;
    }
}

static void kvm_put_state(CPUState *cs)
{
    KVMCPU *kv = kvm_cpu(cs);

    if (kvm.irqchip_reset_pending && kvm.vm_fd >= 0) {
        kvm_arch_irqchip_reset(cs->machine);
        kvm.irqchip_reset_pending = false;
    }
    if (kvm.irqchip_in_kernel) {
        if (kv) {
            kv->halted = cs->halted;
        }
        cs->halted = false;
    }
    if (kv) {
        kv->dirty = true;
        kv->valid = false;
    }
}

static int kvm_set_single_step(CPUState *cs, bool on)
{
    KVMCPU *kv = kvm_cpu(cs);
    struct kvm_guest_debug dbg;
    int r;

    if (!kv) {
        return -ENODEV;
    }
    memset(&dbg, 0, sizeof(dbg));
    if (on) {
        dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
    }
    r = kvm_ioctl(kv->fd, KVM_SET_GUEST_DEBUG, &dbg);
    if (r == 0) {
        kv->single_step = on;
    }
    return r < 0 ? r : 0;
}

/* ---------------------------------------------------------------------------------------
 * The run loop
 * ------------------------------------------------------------------------------------- */

static void kvm_handle_io(KVMCPU *kv)
{
    struct kvm_run *run = kv->run;
    uint8_t *p = (uint8_t *)run + run->io.data_offset;
    unsigned size = run->io.size;

    for (uint32_t i = 0; i < run->io.count; i++, p += size) {
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            uint64_t v = 0;
            memcpy(&v, p, size);
            cpu_io_st(kv->cs, kv->cs->io_as, run->io.port, v, size);
        } else {
            uint64_t v = cpu_io_ld(kv->cs, kv->cs->io_as, run->io.port, size);
            memcpy(p, &v, size);
        }
    }
}

static void kvm_handle_mmio(KVMCPU *kv)
{
    struct kvm_run *run = kv->run;
    uint64_t addr = run->mmio.phys_addr;
    unsigned len = run->mmio.len;
    bool pow2 = len == 1 || len == 2 || len == 4 || len == 8;

    /* an access of another length (KVM splits at 8 bytes) goes byte by byte */
    for (unsigned off = 0; off < len; off += pow2 ? len : 1) {
        unsigned size = pow2 ? len : 1;
        if (run->mmio.is_write) {
            uint64_t v = 0;
            memcpy(&v, run->mmio.data + off, size);
            cpu_io_st(kv->cs, kv->cs->as, addr + off, v, size);
        } else {
            uint64_t v = cpu_io_ld(kv->cs, kv->cs->as, addr + off, size);
            memcpy(run->mmio.data + off, &v, size);
        }
    }
    if (!kvm.irqchip_in_kernel) {
        kvm_arch_mmio_done(kv, addr);
    }
}

static const char *const kvm_internal_suberrors[] = {
    [KVM_INTERNAL_ERROR_EMULATION] = "the in-kernel emulator could not emulate an instruction",
    [KVM_INTERNAL_ERROR_SIMUL_EX] = "an exception was raised while another was being delivered",
    [KVM_INTERNAL_ERROR_DELIVERY_EV] = "an exit happened while an event was being delivered",
    [KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "the hardware gave an exit reason KVM does "
                                                   "not handle",
};

/* Record where the vCPU was for the crash report's history. */
static void kvm_record_pc(KVMCPU *kv)
{
    CPUState *cs = kv->cs;

    cpu_record_pc(cs, cs->cc->get_pc(cs), 15, kvm_arch_code_flags(cs));
}

/* A fatal exit: one report with the reason and the CPU state, then exit status 1. */
static VcpuExit kvm_fatal(KVMCPU *kv, const char *fmt, ...) PRINTF_FMT(2, 3);
static VcpuExit kvm_fatal(KVMCPU *kv, const char *fmt, ...)
{
    CPUState *cs = kv->cs;
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kv->valid = false;
    kvm_sync_state(cs);
    bql_lock();
    error_report("KVM: %s on CPU %d; stopping%s", msg, cs->index,
                 kvm.pvm ? " (this host's KVM is PVM-based: the guest's code runs in its "
                           "in-kernel emulator, see the note at start)" : "");
    cs->cc->dump_state(cs, stderr);
    if (cs->cc->disas) {
        fprintf(stderr, "Instructions at the vCPU's pc:\n");
        cs->cc->disas(cs, cs->cc->get_pc(cs), 15, kvm_arch_code_flags(cs), stderr);
    }
    fflush(stderr);
    bql_unlock();
    kv->failed = true;
    cs->exit_status = 1;
    return VCPU_EXIT_SHUTDOWN;
}

static VcpuExit kvm_vcpu_run(CPUState *cs)
{
    KVMCPU *kv = kvm_cpu(cs);
    struct kvm_run *run = kv->run;

    if (!kvm_thread_ready) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, KVM_KICK_SIGNAL);
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        kvm_thread_ready = true;
    }
    kvm_thread_run = run;
    if (kv->failed) {
        cs->halted = true;
        cpu_reset_interrupt(cs, ~0u);
        return VCPU_EXIT_HALT;
    }
    for (;;) {
        int r;

        __atomic_store_n(cs->exit_request, 0, __ATOMIC_SEQ_CST);
        if (cs->stop || cs->quit) {
            kvm_complete_io(kv);
            return VCPU_EXIT_KICK;
        }
        if (kv->single_step && kvm.pvm && !kvm.irqchip_in_kernel && !cs->halted &&
            kvm_arch_step_hlt(kv)) {
            return VCPU_EXIT_DEBUG;
        }
        if (!kvm.irqchip_in_kernel) {
            r = kvm_arch_pre_run(kv);
            if (r < 0) {
                return kvm_fatal(kv, "cannot deliver an INIT or start-up IPI");
            }
            if (r > 0) {
                return VCPU_EXIT_HALT;
            }
        }
        if (kv->dirty) {
            if (kvm_arch_put_state(kv) < 0) {
                kv->failed = true;
                cs->exit_status = 1;
                return VCPU_EXIT_SHUTDOWN;
            }
            kv->dirty = false;
            kv->sync = false;
            kv->state_puts++;
        }
        kv->valid = false;
        r = ioctl(kv->fd, KVM_RUN, 0);
        run->immediate_exit = 0;
        kv->io_pending = false;
        kv->runs++;
        if (r < 0) {
            int e = errno;
            if (e == EINTR || e == EAGAIN) {
                kv->exits[KVM_EXIT_INTR]++;
                kv->sync = kvm.sync_regs;
                return VCPU_EXIT_KICK;
            }
            kv->sync = false;
            if (e == EFAULT) {
                return kvm_fatal(kv, "KVM_RUN failed: %s (guest memory that is not mapped?)",
                                 strerror(e));
            }
            return kvm_fatal(kv, "KVM_RUN failed: %s", strerror(e));
        }
        kv->sync = kvm.sync_regs;
        kv->exits[run->exit_reason < KVM_STAT_EXITS ? run->exit_reason : KVM_STAT_EXITS - 1]++;
        if (!kvm.irqchip_in_kernel) {
            kvm_arch_post_run(kv);
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
        case KVM_EXIT_MMIO:
            if (run->exit_reason == KVM_EXIT_IO) {
                kvm_handle_io(kv);
            } else {
                kvm_handle_mmio(kv);
            }
            kv->io_pending = true;
            if (kv->single_step) {
                /* the instruction ends when the access completes: that is the step (not
                 * every KVM reports a debug exit after it, PVM does not) */
                kvm_complete_io(kv);
                return VCPU_EXIT_DEBUG;
            }
            break;
        case KVM_EXIT_IRQ_WINDOW_OPEN:
        case KVM_EXIT_SET_TPR:
            break;
        case KVM_EXIT_INTR:
            return VCPU_EXIT_KICK;
        case KVM_EXIT_HLT:
            /* userspace irqchip: tandem's loop waits until an interrupt can end the HLT */
            kvm_arch_regs_from_sync(kv);
            cs->halted = true;
            return VCPU_EXIT_HALT;
        case KVM_EXIT_DEBUG:
            kvm_arch_regs_from_sync(kv);
            return VCPU_EXIT_DEBUG;
        case KVM_EXIT_SHUTDOWN:
            /* a triple fault: the state for the crash report, then a reset as under tcg */
            kvm_sync_state(cs);
            kvm_record_pc(kv);
            if (log_enabled(LOG_INT)) {
                log_printf("KVM: CPU %d triple fault (KVM_EXIT_SHUTDOWN)\n", cs->index);
            }
            return VCPU_EXIT_RESET;
        case KVM_EXIT_SYSTEM_EVENT:
            if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
                kvm_sync_state(cs);
                return VCPU_EXIT_RESET;
            }
            if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
                cs->exit_status = 0;
                return VCPU_EXIT_SHUTDOWN;
            }
            return kvm_fatal(kv, "unexpected system event %u", run->system_event.type);
        case KVM_EXIT_INTERNAL_ERROR: {
            uint32_t sub = run->internal.suberror;
            char data[160] = "";
            size_t used = 0;
            for (uint32_t i = 0; i < run->internal.ndata && i < 4; i++) {
                used += (size_t)snprintf(data + used, sizeof(data) - used, " 0x%llx",
                                         (unsigned long long)run->internal.data[i]);
            }
            return kvm_fatal(kv, "internal error, suberror %u (%s)%s%s", sub,
                             sub < ARRAY_SIZE(kvm_internal_suberrors) &&
                             kvm_internal_suberrors[sub] ? kvm_internal_suberrors[sub]
                                                         : "unknown",
                             used ? "; data" : "", data);
        }
        case KVM_EXIT_FAIL_ENTRY:
            return kvm_fatal(kv, "the hardware refused to enter the guest (entry failure "
                             "reason 0x%llx on host CPU %u)",
                             (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
                             run->fail_entry.cpu);
        default:
            return kvm_fatal(kv, "unhandled exit reason %u", run->exit_reason);
        }
    }
}

static void kvm_vcpu_fini(CPUState *cs)
{
    cs->accel_kick = NULL;
}

/* ---------------------------------------------------------------------------------------
 * Statistics, switching
 * ------------------------------------------------------------------------------------- */

static const char *const kvm_exit_names[KVM_STAT_EXITS] = {
    [KVM_EXIT_UNKNOWN] = "unknown",
    [KVM_EXIT_EXCEPTION] = "exception",
    [KVM_EXIT_IO] = "io",
    [KVM_EXIT_HYPERCALL] = "hypercall",
    [KVM_EXIT_DEBUG] = "debug",
    [KVM_EXIT_HLT] = "hlt",
    [KVM_EXIT_MMIO] = "mmio",
    [KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
    [KVM_EXIT_SHUTDOWN] = "shutdown",
    [KVM_EXIT_FAIL_ENTRY] = "fail_entry",
    [KVM_EXIT_INTR] = "intr (kick)",
    [KVM_EXIT_SET_TPR] = "set_tpr",
    [KVM_EXIT_INTERNAL_ERROR] = "internal_error",
    [KVM_EXIT_SYSTEM_EVENT] = "system_event",
    [KVM_STAT_EXITS - 1] = "other",
};

static void kvm_stats(Machine *m, AccelStatFn *fn, void *opaque)
{
    static const char *const cpu_groups[] = { "cpu0", "cpu1", "cpu2", "cpu3", "cpu4", "cpu5",
                                              "cpu6", "cpu7" };
    uint64_t by_reason[KVM_STAT_EXITS] = { 0 };
    uint64_t total = 0, runs = 0, irqs = 0, nmis = 0, gets = 0, puts = 0;

    for (int i = 0; i < m->ncpus; i++) {
        KVMCPU *kv = kvm_cpu(m->cpus[i]);
        if (!kv) {
            continue;
        }
        for (int r = 0; r < KVM_STAT_EXITS; r++) {
            by_reason[r] += kv->exits[r];
            total += kv->exits[r];
        }
        runs += kv->runs;
        irqs += kv->irqs_injected;
        nmis += kv->nmis_injected;
        gets += kv->state_gets;
        puts += kv->state_puts;
    }
    fn(opaque, "kvm", "irqchip", kvm.irqchip_in_kernel ? 1 : 0);
    fn(opaque, "kvm", "KVM_RUN calls", runs);
    fn(opaque, "kvm", "exits", total);
    fn(opaque, "kvm", "interrupts injected", irqs);
    fn(opaque, "kvm", "NMIs injected", nmis);
    fn(opaque, "kvm", "state gets", gets);
    fn(opaque, "kvm", "state puts", puts);
    fn(opaque, "kvm", "memory slot changes", kvm.slot_changes);
    for (int r = 0; r < KVM_STAT_EXITS; r++) {
        if (by_reason[r]) {
            fn(opaque, "exits", kvm_exit_names[r] ? kvm_exit_names[r] : "other", by_reason[r]);
        }
    }
    for (int i = 0; i < m->ncpus && i < (int)ARRAY_SIZE(cpu_groups); i++) {
        KVMCPU *kv = kvm_cpu(m->cpus[i]);
        uint64_t n = 0;
        if (!kv) {
            continue;
        }
        for (int r = 0; r < KVM_STAT_EXITS; r++) {
            n += kv->exits[r];
        }
        fn(opaque, cpu_groups[i], "exits", n);
        fn(opaque, cpu_groups[i], "io", kv->exits[KVM_EXIT_IO]);
        fn(opaque, cpu_groups[i], "mmio", kv->exits[KVM_EXIT_MMIO]);
        fn(opaque, cpu_groups[i], "hlt", kv->exits[KVM_EXIT_HLT]);
        fn(opaque, cpu_groups[i], "intr (kick)", kv->exits[KVM_EXIT_INTR]);
        fn(opaque, cpu_groups[i], "interrupts injected", kv->irqs_injected);
    }
}

static bool kvm_can_switch(Machine *m, bool onto, const char **why)
{
    if (onto) {
        if (!kvm_available(why)) {
            return false;
        }
        if (m->opts.kernel_irqchip != 0 && !kvm_arch_irqchip_movable(m, why)) {
            return false;
        }
        for (int i = 0; kvm.pvm && i < m->ncpus; i++) {
            if (kvm_arch_long_mode(m->cpus[i])) {
                *why = "KVM on this host is PVM-based and refuses a CPU state that is already "
                       "in long mode (a guest must switch to long mode itself under kvm)";
                return false;
            }
        }
        return true;
    }
    if (kvm.irqchip_in_kernel && !kvm_arch_irqchip_movable(m, why)) {
        return false;
    }
    for (int i = 0; i < m->ncpus; i++) {
        KVMCPU *kv = kvm_cpu(m->cpus[i]);
        if (kv && kvm_arch_event_in_flight(kv)) {
            *why = "a vCPU is in the middle of delivering an interrupt or exception under "
                   "KVM; try again";
            return false;
        }
    }
    return true;
}

/* Off KVM: the in-kernel irqchip's state goes to tandem's models. */
static int kvm_leave(Machine *m, const char **why)
{
    return kvm_arch_irqchip_to_models(m, why);
}

/* Onto KVM: the in-kernel irqchip takes tandem's models' state. */
static int kvm_enter(Machine *m, const char **why)
{
    int r = kvm_arch_irqchip_from_models(m, why);

    if (r < 0 && kvm.irqchip_in_kernel) {
        m->accel_set_irq = NULL;    /* the board's lines stay with tandem's models */
        m->accel_send_msi = NULL;
    }
    return r;
}

const AccelOps kvm_accel_ops = {
    .name = "kvm",
    .available = kvm_available,
    .init = kvm_init,
    .vcpu_init = kvm_vcpu_init,
    .vcpu_run = kvm_vcpu_run,
    .vcpu_fini = kvm_vcpu_fini,
    .stats = kvm_stats,
    .get_state = kvm_sync_state,
    .put_state = kvm_put_state,
    .set_single_step = kvm_set_single_step,
    .can_switch = kvm_can_switch,
    .leave = kvm_leave,
    .enter = kvm_enter,
    .host_note = kvm_host_note,
};

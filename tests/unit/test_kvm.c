/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_kvm.c — the KVM accelerator (accel/kvm) driven directly, without a
 * board: the reasons available() gives for a missing or wrong device (TANDEM_KVM_DEVICE),
 * and, on /dev/kvm, a real-mode vCPU running a small program from RAM that reads ROM
 * (a read-only slot: its write exits as MMIO and is dropped), does port I/O, and halts;
 * the canonical state read back (get_state) and changed (put_state); single-stepping
 * (one instruction per vcpu_run, VCPU_EXIT_DEBUG, the pc at each step); memory slots following the flat view at run
 * time (the ROM removed, the RAM made read-only); the exit counters.
 * Skipped, saying why, when this tandem was built without KVM or /dev/kvm is unusable.
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "accel/accel.h"
#include "cpu/x86/cpu.h"
#include <check.h>

#ifdef CONFIG_KVM
#include "accel/kvm/kvm-internal.h"

extern const AccelOps kvm_accel_ops;

static Machine m;
static MemRegion ram, rom, port;
static uint8_t outs[64];
static int nouts;

static uint64_t port_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0x5a;
}

static void port_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    if (nouts < (int)sizeof(outs)) {
        outs[nouts++] = (uint8_t)val;
    }
}

static const MemRegionOps port_ops = {
    .read = port_read, .write = port_write, .valid_min = 1, .valid_max = 1,
};

#define CODE     0x1000u
#define ROM_BASE 0x20000u

/* 16-bit real mode, CS = 0, DS = 0x2000 (the ROM): read, write and read again byte 0,
 * port I/O on 0x10, HLT. 7 instructions before the HLT. */
static const uint8_t program[] = {
    0xa0, 0x00, 0x00,               /* mov al, [0] */
    0xe6, 0x10,                     /* out 0x10, al */
    0xc6, 0x06, 0x00, 0x00, 0x55,   /* mov byte [0], 0x55 */
    0xa0, 0x00, 0x00,               /* mov al, [0] */
    0xe6, 0x10,                     /* out 0x10, al */
    0xe4, 0x10,                     /* in al, 0x10 */
    0xe6, 0x10,                     /* out 0x10, al */
    0xf4,                           /* hlt */
};

/* where each instruction before the HLT ends */
static const uint64_t step_ends[] = {
    CODE + 3, CODE + 5, CODE + 10, CODE + 13, CODE + 15, CODE + 17, CODE + 19,
};

static bool kvm_usable(void)
{
    const char *why = NULL;

    if (!kvm_accel_ops.available(&why)) {
        fprintf(stderr, "test_kvm: skipped, KVM is not usable here: %s\n", why);
        return false;
    }
    return true;
}

static CPUState *setup(void)
{
    CPUState *cs;
    X86CPU *env;

    memset(&m, 0, sizeof(m));
    mr_init_container(&m.sysmem, "system", UINT64_MAX);
    mr_init_container(&m.io, "io", 0x10000);
    as_init(&m.sysmem_as, &m.sysmem, "memory");
    as_init(&m.io_as, &m.io, "I/O");
    mr_init_ram(&ram, "ram", 2 * MiB);
    mr_add_subregion(&m.sysmem, 0, &ram, 0);
    mr_init_rom(&rom, "rom", 64 * KiB);
    rom.ram[0] = 0xa5;
    mr_add_subregion(&m.sysmem, ROM_BASE, &rom, 1);
    mr_init_io(&port, "port", &port_ops, NULL, 1);
    mr_add_subregion(&m.io, 0x10, &port, 0);
    memcpy(ram.ram + CODE, program, sizeof(program));
    m.opts.kernel_irqchip = 0;
    m.opts.smp = 1;
    ck_assert_int_eq(kvm_accel_ops.init(&m), 0);

    cs = cpu_create(&x86_cpu_class, "qemu64", 0, &m);
    ck_assert_ptr_nonnull(cs);
    cs->as = &m.sysmem_as;
    cs->io_as = &m.io_as;
    m.cpus[m.ncpus++] = cs;
    env = x86_cpu(cs);
    x86_load_seg_real(env, X86_SEG_CS, 0);
    x86_load_seg_real(env, X86_SEG_DS, ROM_BASE >> 4);
    x86_load_seg_real(env, X86_SEG_SS, 0);
    env->eip = CODE;
    env->regs[R_ESP] = 0x8000;
    x86_update_hflags(env);
    current_cpu = cs;
    ck_assert_int_eq(kvm_accel_ops.vcpu_init(cs), 0);
    return cs;
}

/* Runs until HLT; returns how many VCPU_EXIT_DEBUG came before it. */
static int run_to_hlt(CPUState *cs)
{
    int debug = 0;

    for (int i = 0; i < 1000; i++) {
        VcpuExit e = kvm_accel_ops.vcpu_run(cs);
        if (e == VCPU_EXIT_HALT) {
            return debug;
        }
        ck_assert_msg(e == VCPU_EXIT_DEBUG || e == VCPU_EXIT_KICK, "vcpu_run returned %d", e);
        debug += e == VCPU_EXIT_DEBUG;
    }
    ck_abort_msg("the program did not reach its HLT");
    return -1;
}

static void restart(CPUState *cs)
{
    X86CPU *env = x86_cpu(cs);

    kvm_accel_ops.get_state(cs);
    env->eip = CODE;
    env->regs[R_EAX] = 0;
    cs->halted = false;
    kvm_accel_ops.put_state(cs);
    nouts = 0;
}

static int count_slots(uint32_t flags, uint64_t gpa, uint64_t size)
{
    int n = 0;

    for (int i = 0; i < KVM_MAX_SLOTS; i++) {
        const KVMSlot *s = &kvm.slots[i];
        n += s->used && s->flags == flags && s->gpa == gpa && s->size == size;
    }
    return n;
}

static void sum_exits(void *opaque, const char *group, const char *name, uint64_t value)
{
    if (!strcmp(group, "cpu0") && !strcmp(name, "io")) {
        *(uint64_t *)opaque = value;
    }
}

START_TEST(test_unavailable)
{
    const char *why = NULL;

    setenv("TANDEM_KVM_DEVICE", "/nonexistent/kvm", 1);
    ck_assert(!kvm_accel_ops.available(&why));
    ck_assert_ptr_nonnull(strstr(why, "no /nonexistent/kvm"));
    setenv("TANDEM_KVM_DEVICE", "/dev/null", 1);
    ck_assert(!kvm_accel_ops.available(&why));
    ck_assert_ptr_nonnull(strstr(why, "/dev/null is not a KVM device"));
    unsetenv("TANDEM_KVM_DEVICE");
}
END_TEST

START_TEST(test_run)
{
    CPUState *cs;
    X86CPU *env;
    uint64_t io = 0;

    if (!kvm_usable()) {
        return;
    }
    cs = setup();
    env = x86_cpu(cs);
    /* the flat view as slots: RAM around the ROM, the ROM read-only */
    ck_assert_int_eq(count_slots(0, 0, ROM_BASE), 1);
    ck_assert_int_eq(count_slots(KVM_MEM_READONLY, ROM_BASE, 64 * KiB), 1);
    ck_assert_int_eq(count_slots(0, ROM_BASE + 64 * KiB, 2 * MiB - ROM_BASE - 64 * KiB), 1);

    ck_assert_int_eq(run_to_hlt(cs), 0);
    ck_assert_int_eq(nouts, 3);
    ck_assert_uint_eq(outs[0], 0xa5);
    ck_assert_uint_eq(outs[1], 0xa5);       /* the write to ROM was dropped */
    ck_assert_uint_eq(outs[2], 0x5a);
    ck_assert_uint_eq(rom.ram[0], 0xa5);
    kvm_accel_ops.get_state(cs);
    ck_assert_uint_eq(env->eip, CODE + sizeof(program));
    ck_assert_uint_eq(env->regs[R_EAX] & 0xff, 0x5a);
    ck_assert_uint_eq(env->segs[X86_SEG_DS].base, ROM_BASE);
    ck_assert_uint_eq(env->regs[R_ESP], 0x8000);

    /* single step: each vcpu_run runs one instruction (those doing I/O or MMIO too) */
    restart(cs);
    ck_assert_int_eq(kvm_accel_ops.set_single_step(cs, true), 0);
    for (size_t i = 0; i < ARRAY_SIZE(step_ends); i++) {
        ck_assert_int_eq(kvm_accel_ops.vcpu_run(cs), VCPU_EXIT_DEBUG);
        kvm_accel_ops.get_state(cs);
        ck_assert_uint_eq(env->eip, step_ends[i]);
    }
    ck_assert_int_eq(nouts, 3);
    ck_assert_uint_eq(outs[2], 0x5a);
    /* the HLT: one step that halts (VCPU_EXIT_HALT, or VCPU_EXIT_DEBUG with the vCPU
     * halted) */
    {
        VcpuExit e = kvm_accel_ops.vcpu_run(cs);
        ck_assert(e == VCPU_EXIT_HALT || (e == VCPU_EXIT_DEBUG && cs->halted));
    }
    kvm_accel_ops.get_state(cs);
    ck_assert_uint_eq(env->eip, CODE + sizeof(program));
    ck_assert_int_eq(kvm_accel_ops.set_single_step(cs, false), 0);

    /* the ROM goes away at run time: the RAM under it is mapped, writable */
    ram.ram[ROM_BASE] = 0x77;
    mr_del_subregion(&m.sysmem, &rom);
    ck_assert_int_eq(count_slots(KVM_MEM_READONLY, ROM_BASE, 64 * KiB), 0);
    restart(cs);
    ck_assert_int_eq(run_to_hlt(cs), 0);
    ck_assert_int_eq(nouts, 3);
    ck_assert_uint_eq(outs[0], 0x77);
    ck_assert_uint_eq(outs[1], 0x55);
    ck_assert_uint_eq(ram.ram[ROM_BASE], 0x55);

    /* the RAM made read-only at run time: the guest's write is dropped */
    ram.ram[ROM_BASE] = 0x77;
    mr_set_readonly(&ram, true);
    ck_assert_int_eq(count_slots(0, 0, 2 * MiB), 0);
    restart(cs);
    ck_assert_int_eq(run_to_hlt(cs), 0);
    ck_assert_int_eq(nouts, 3);
    ck_assert_uint_eq(outs[0], 0x77);
    ck_assert_uint_eq(outs[1], 0x77);
    ck_assert_uint_eq(ram.ram[ROM_BASE], 0x77);

    kvm_accel_ops.stats(&m, sum_exits, &io);
    ck_assert_uint_ge(io, 12);
}
END_TEST

static Suite *kvm_suite(void)
{
    Suite *s = suite_create("kvm");
    TCase *tc = tcase_create("kvm");

    tcase_add_test(tc, test_unavailable);
    tcase_add_test(tc, test_run);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(kvm_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#else

int main(void)
{
    printf("test_kvm: skipped, this tandem was built without KVM (no <linux/kvm.h>)\n");
    return 0;
}

#endif

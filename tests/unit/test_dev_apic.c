/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_dev_apic.c — the local APIC (hw/intc/apic.c) with two x86 CPUs, driven
 * through the xAPIC MMIO window in a real system address space and through the CPU hooks
 * (x2APIC MSRs, IA32_APIC_BASE, CR8, IA32_TSC_DEADLINE).
 *
 * Covers: reset values, software enable, TPR/PPR/APR, self IPIs, acceptance into the ISR,
 * EOI, priority ordering and nesting, the spurious vector, illegal vectors and the ESR,
 * the timer (one-shot count against CLOCK_VIRTUAL, divide configuration, expiry through
 * the main loop, periodic reloads, TSC-deadline), x2APIC mode (MSR access, 64-bit ICR,
 * SELF IPI, read-only ID/LDR, invalid transitions), global disable and relocation,
 * INIT / INIT de-assert / SIPI / NMI IPIs to the other CPU, physical, flat and cluster
 * logical destinations, shorthands, lowest priority, LINT0 in ExtINT mode (the 8259 path)
 * and LINT1 as NMI, level-triggered EOI notification, save/load.
 * Not covered: more than two CPUs, vCPU threads (current_cpu is set by hand here).
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/intc/apic.h"
#include "cpu/x86/cpu.h"
#include "system/main-loop.h"
#include <check.h>
#include <unistd.h>

#define BASE APIC_DEFAULT_BASE

static Machine m;
static CPUState *cpu[2];
static Device *apic[2];

static void setup(void)
{
    memset(&m, 0, sizeof(m));
    mr_init_container(&m.sysmem, "sysmem", 1ULL << 40);
    mr_init_container(&m.io, "io", 0x10000);
    as_init(&m.sysmem_as, &m.sysmem, "memory");
    as_init(&m.io_as, &m.io, "io");
    apic_install_cpu_hooks();
    for (int i = 0; i < 2; i++) {
        char props[16];
        cpu[i] = cpu_create(&x86_cpu_class, NULL, i, &m);
        ck_assert_ptr_nonnull(cpu[i]);
        m.cpus[i] = cpu[i];
        snprintf(props, sizeof(props), "cpu=%d", i);
        apic[i] = device_create_class(&m, &apic_class, i ? "apic1" : "apic0", props);
        ck_assert_ptr_nonnull(apic[i]);
        apic_attach_cpu(apic[i], cpu[i]);
    }
    m.ncpus = 2;
    ck_assert_ptr_eq(device_mmio(apic[0], 0), apic_mmio_region(&m));
    mr_add_subregion(&m.sysmem, BASE, apic_mmio_region(&m), 10);
    current_cpu = cpu[0];
}

static void teardown(void)
{
    clock_virtual_pause(false);
    current_cpu = NULL;
    while (m.devices) {
        device_destroy(m.devices);
    }
    for (int i = 0; i < 2; i++) {
        free(cpu_arch_state(cpu[i]));
    }
    as_destroy(&m.sysmem_as);
    as_destroy(&m.io_as);
    mr_destroy(&m.sysmem);
    mr_destroy(&m.io);
}

static uint32_t rd(int c, uint32_t reg)
{
    uint64_t v = 0;
    current_cpu = cpu[c];
    as_ld(&m.sysmem_as, BASE + reg, 4, &v);
    return v;
}

static void wr(int c, uint32_t reg, uint32_t v)
{
    current_cpu = cpu[c];
    ck_assert_int_eq(as_st(&m.sysmem_as, BASE + reg, 4, v), MEMTX_OK);
}

static uint64_t msr_rd(int c, uint32_t msr, bool *ok)
{
    *ok = true;
    return x86_apic_hooks.msr_read(x86_apic_hooks.opaque, cpu[c], msr, ok);
}

static bool msr_wr(int c, uint32_t msr, uint64_t v)
{
    bool ok = true;
    x86_apic_hooks.msr_write(x86_apic_hooks.opaque, cpu[c], msr, v, &ok);
    return ok;
}

static void set_base(int c, uint64_t v)
{
    x86_apic_hooks.set_base(x86_apic_hooks.opaque, cpu[c], v);
}

static bool hard(int c)
{
    return cpu[c]->interrupt_request & CPU_INTERRUPT_HARD;
}

static bool irr_test(int c, int v)
{
    return rd(c, 0x200 + (v / 32) * 0x10) & (1u << (v % 32));
}

static bool isr_test(int c, int v)
{
    return rd(c, 0x100 + (v / 32) * 0x10) & (1u << (v % 32));
}

static void enable(int c)
{
    wr(c, 0x0F0, 0x1FF);
}

static void self_ipi(int c, int vector)
{
    wr(c, 0x300, 0x40000 | vector);
}

/* ---------------------------------------------------------------------------------------
 * Registers
 */

START_TEST(test_reset_values)
{
    ck_assert_uint_eq(rd(0, 0x020), 0x00000000);
    ck_assert_uint_eq(rd(1, 0x020), 0x01000000);
    ck_assert_uint_eq(rd(0, 0x030), 0x00050014);
    ck_assert_uint_eq(rd(0, 0x080), 0);
    ck_assert_uint_eq(rd(0, 0x0A0), 0);
    ck_assert_uint_eq(rd(0, 0x0D0), 0);
    ck_assert_uint_eq(rd(0, 0x0E0), 0xFFFFFFFF);
    ck_assert_uint_eq(rd(0, 0x0F0), 0xFF);
    ck_assert_uint_eq(rd(0, 0x320), 0x10000);
    ck_assert_uint_eq(rd(0, 0x350), 0x700);      /* CPU 0: virtual wire */
    ck_assert_uint_eq(rd(1, 0x350), 0x10000);
    ck_assert_uint_eq(rd(0, 0x360), 0x10000);
    ck_assert_uint_eq(rd(0, 0x370), 0x10000);
    ck_assert_uint_eq(rd(0, 0x380), 0);
    ck_assert_uint_eq(rd(0, 0x390), 0);
    ck_assert_uint_eq(rd(0, 0x3E0), 0);
    for (int i = 0; i < 8; i++) {
        ck_assert_uint_eq(rd(0, 0x100 + i * 0x10), 0);
        ck_assert_uint_eq(rd(0, 0x200 + i * 0x10), 0);
    }
    ck_assert_uint_eq(x86_cpu(cpu[0])->apic_base, 0xFEE00900);
    ck_assert_uint_eq(x86_cpu(cpu[1])->apic_base, 0xFEE00800);
    ck_assert(apic_accept_pic_intr(apic[0]));
    ck_assert(!apic_accept_pic_intr(apic[1]));
    ck_assert_ptr_eq(apic_of_cpu(cpu[1]), apic[1]);
    /* while software-disabled the LVT mask bits cannot be cleared */
    wr(0, 0x320, 0x30);
    ck_assert_uint_eq(rd(0, 0x320), 0x10030);
    enable(0);
    wr(0, 0x320, 0x30);
    ck_assert_uint_eq(rd(0, 0x320), 0x30);
    wr(0, 0x0F0, 0xFF);                          /* disabling masks every LVT */
    ck_assert_uint_eq(rd(0, 0x320), 0x10030);
    ck_assert_uint_eq(rd(0, 0x350), 0x10700);
    /* writable bits */
    wr(0, 0x020, 0xFFFFFFFF);
    ck_assert_uint_eq(rd(0, 0x020), 0xFF000000);
    wr(0, 0x020, 0);
    wr(0, 0x0D0, 0xFFFFFFFF);
    ck_assert_uint_eq(rd(0, 0x0D0), 0xFF000000);
    wr(0, 0x0E0, 0);
    ck_assert_uint_eq(rd(0, 0x0E0), 0x0FFFFFFF);
    wr(0, 0x3E0, 0xFF);
    ck_assert_uint_eq(rd(0, 0x3E0), 0x0B);
}
END_TEST

START_TEST(test_self_ipi_accept_eoi)
{
    enable(0);
    ck_assert(!hard(0));
    self_ipi(0, 0x41);
    ck_assert(irr_test(0, 0x41));
    ck_assert_uint_eq(rd(0, 0x220), 0x2);
    ck_assert(hard(0));
    ck_assert(apic_has_interrupt(apic[0]));
    ck_assert(!apic_has_interrupt(apic[1]));
    ck_assert_uint_eq(rd(0, 0x300), 0x40041);    /* delivery status idle */

    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x41);
    ck_assert(!irr_test(0, 0x41));
    ck_assert(isr_test(0, 0x41));
    ck_assert_uint_eq(rd(0, 0x0A0), 0x40);       /* PPR = ISRV class */
    ck_assert(!hard(0));
    wr(0, 0x0B0, 0);
    ck_assert(!isr_test(0, 0x41));
    ck_assert_uint_eq(rd(0, 0x0A0), 0x00);
    /* nothing pending: the spurious vector, no ISR bit */
    wr(0, 0x0F0, 0x1EF);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0xEF);
    ck_assert_uint_eq(rd(0, 0x100 + 7 * 0x10), 0);

    /* software-disabled: the IRR is held, nothing is delivered */
    wr(0, 0x0F0, 0x0FF);
    self_ipi(0, 0x42);
    ck_assert(irr_test(0, 0x42));
    ck_assert(!apic_has_interrupt(apic[0]));
    ck_assert(!hard(0));
    enable(0);
    ck_assert(hard(0));
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x42);
}
END_TEST

START_TEST(test_tpr_ppr)
{
    enable(0);
    wr(0, 0x080, 0x50);
    ck_assert_uint_eq(rd(0, 0x080), 0x50);
    ck_assert_uint_eq(rd(0, 0x0A0), 0x50);
    self_ipi(0, 0x45);                           /* class 4 <= TPR class 5 */
    ck_assert(!apic_has_interrupt(apic[0]));
    ck_assert(!hard(0));
    ck_assert_uint_eq(rd(0, 0x090), 0x50);       /* APR = TPR */
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0xFF);    /* spurious */
    ck_assert(irr_test(0, 0x45));
    wr(0, 0x080, 0x30);
    ck_assert(hard(0));
    ck_assert_uint_eq(rd(0, 0x090), 0x40);       /* APR = IRRV class */
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x45);
    ck_assert_uint_eq(rd(0, 0x0A0), 0x40);
    wr(0, 0x080, 0x72);
    ck_assert_uint_eq(rd(0, 0x0A0), 0x72);
    wr(0, 0x0B0, 0);

    /* CR8 is TPR[7:4] */
    ck_assert_uint_eq(x86_apic_hooks.get_tpr(NULL, cpu[0]), 7);
    x86_apic_hooks.set_tpr(NULL, cpu[0], 6);
    ck_assert_uint_eq(rd(0, 0x080), 0x60);
    self_ipi(0, 0x65);
    ck_assert(!hard(0));
    x86_apic_hooks.set_tpr(NULL, cpu[0], 0);
    ck_assert(hard(0));
}
END_TEST

START_TEST(test_priority_ordering)
{
    enable(0);
    self_ipi(0, 0x31);
    self_ipi(0, 0x85);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x85);
    ck_assert(!apic_has_interrupt(apic[0]));     /* 0x31 is below PPR 0x80 */
    ck_assert(!hard(0));
    self_ipi(0, 0x90);                           /* a higher class nests */
    ck_assert(hard(0));
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x90);
    ck_assert_uint_eq(rd(0, 0x0A0), 0x90);
    wr(0, 0x0B0, 0);                             /* EOI retires the highest: 0x90 */
    ck_assert(!isr_test(0, 0x90));
    ck_assert(isr_test(0, 0x85));
    ck_assert(!apic_has_interrupt(apic[0]));
    wr(0, 0x0B0, 0);
    ck_assert(apic_has_interrupt(apic[0]));
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x31);
    wr(0, 0x0B0, 0);
    /* same class: a vector in service blocks the lower one of its class */
    self_ipi(0, 0x52);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x52);
    self_ipi(0, 0x51);
    self_ipi(0, 0x5F);
    ck_assert(!apic_has_interrupt(apic[0]));
    wr(0, 0x0B0, 0);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x5F);
}
END_TEST

START_TEST(test_illegal_vectors_esr)
{
    enable(0);
    wr(0, 0x370, 0xE0);                          /* error LVT, vector 0xE0 */
    self_ipi(0, 0x05);
    ck_assert_uint_eq(rd(0, 0x280), 0);          /* latched only on an ESR write */
    wr(0, 0x280, 0);
    ck_assert_uint_eq(rd(0, 0x280), 0x20);       /* send illegal vector */
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0xE0);
    wr(0, 0x0B0, 0);
    apic_set_irq(apic[0], 3, 0);
    wr(0, 0x280, 0);
    ck_assert_uint_eq(rd(0, 0x280), 0x40);       /* receive illegal vector */
    rd(0, 0x3A0);                                /* reserved register */
    wr(0, 0x280, 0);
    ck_assert_uint_eq(rd(0, 0x280), 0x80);
    wr(0, 0x280, 0);
    ck_assert_uint_eq(rd(0, 0x280), 0);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Timer
 */

static int64_t freeze(void)
{
    clock_virtual_pause(true);
    return clock_get_ns(CLOCK_VIRTUAL_NS);
}

static int64_t run_for_us(int us)
{
    clock_virtual_pause(false);
    usleep(us);
    return freeze();
}

/* Run the main loop until CPU c has a deliverable interrupt (or about a second). */
static bool wait_interrupt(int c)
{
    clock_virtual_pause(false);
    for (int i = 0; i < 1000 && !apic_has_interrupt(apic[c]); i++) {
        main_loop_poll_once(true);
    }
    return apic_has_interrupt(apic[c]);
}

/* get_state/set_state (the hand-over to and from KVM's local APICs): registers round-trip
 * and the timer goes on with the count that was left. */
START_TEST(test_get_set_state)
{
    ApicCpuState st, again;

    enable(0);
    wr(0, 0x80, 0x20);                          /* TPR */
    self_ipi(0, 0x51);
    wr(0, 0x3E0, 0xB);                          /* divide by 1 */
    wr(0, 0x320, 0x42);                         /* one-shot, vector 0x42 */
    freeze();
    wr(0, 0x380, 2000000);                      /* 2 ms */
    apic_get_state(apic[0], &st);
    ck_assert_uint_eq(st.tpr, 0x20);
    ck_assert(st.irr[0x51 / 32] & (1u << (0x51 % 32)));
    ck_assert_uint_eq(st.lvt[0], 0x42);
    ck_assert_uint_eq(st.timer_initial, 2000000);
    ck_assert_uint_eq(st.timer_current, 2000000);
    ck_assert_uint_eq(st.timer_dcr, 0xB);
    /* as if half of the count were gone: loaded into the APIC after a reset, the timer
     * starts again with 1 ms left */
    st.timer_current = 1000000;
    device_reset(apic[0]);
    ck_assert_uint_eq(rd(0, 0x80), 0);
    apic_set_state(apic[0], &st);
    apic_get_state(apic[0], &again);
    ck_assert_uint_eq(again.timer_current, 1000000);
    st.timer_current = again.timer_current;
    ck_assert_mem_eq(&again, &st, sizeof(st));
    ck_assert_uint_eq(rd(0, 0x80), 0x20);
    ck_assert(irr_test(0, 0x51));
    ck_assert(hard(0));
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x51);
    wr(0, 0xB0, 0);
    ck_assert(wait_interrupt(0));
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x42);
    wr(0, 0xB0, 0);
    ck_assert_uint_eq(rd(0, 0x390), 0);
}
END_TEST

START_TEST(test_timer_oneshot)
{
    int64_t t0, t1;
    uint32_t cur;

    enable(0);
    wr(0, 0x3E0, 0x0B);                          /* divide by 1 */
    wr(0, 0x320, 0x30);                          /* one-shot, vector 0x30 */
    t0 = freeze();
    wr(0, 0x380, 100000000);                     /* 100 ms at 1 GHz */
    ck_assert_uint_eq(rd(0, 0x380), 100000000);
    ck_assert_uint_eq(rd(0, 0x390), 100000000);
    t1 = run_for_us(300);
    ck_assert_uint_eq(rd(0, 0x390), 100000000 - (t1 - t0));
    /* divide by 16: the count goes on from where it is at 1/16 of the rate */
    wr(0, 0x3E0, 0x03);
    cur = rd(0, 0x390);
    ck_assert_uint_eq(cur, 100000000 - (t1 - t0));
    t0 = t1;
    t1 = run_for_us(3000);
    ck_assert_int_le((int64_t)cur - (t1 - t0) / 16 - rd(0, 0x390), 1);
    ck_assert_int_ge((int64_t)cur - (t1 - t0) / 16 - rd(0, 0x390), 0);

    /* a short count expires through the main loop */
    wr(0, 0x3E0, 0x0B);
    freeze();
    wr(0, 0x380, 2000000);                       /* 2 ms */
    ck_assert(!irr_test(0, 0x30));
    ck_assert(wait_interrupt(0));
    t1 = freeze();
    ck_assert_int_ge(t1 - t0, 2000000);
    ck_assert_uint_eq(rd(0, 0x390), 0);
    ck_assert_uint_eq(rd(0, 0x380), 2000000);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x30);
    wr(0, 0x0B0, 0);
    /* one-shot: no reload */
    clock_virtual_pause(false);
    usleep(5000);
    main_loop_poll_once(false);
    ck_assert(!irr_test(0, 0x30));

    /* masked: the count still runs out, nothing is delivered */
    wr(0, 0x320, 0x10030);
    wr(0, 0x380, 1000);
    usleep(2000);
    main_loop_poll_once(false);
    ck_assert_uint_eq(rd(0, 0x390), 0);
    ck_assert(!irr_test(0, 0x30));
    /* writing 0 stops the timer */
    wr(0, 0x320, 0x30);
    wr(0, 0x380, 1000000);
    wr(0, 0x380, 0);
    usleep(2000);
    main_loop_poll_once(false);
    ck_assert(!irr_test(0, 0x30));
}
END_TEST

START_TEST(test_timer_periodic)
{
    int64_t t0, t1;
    int fired = 0;
    uint32_t cur;

    enable(1);
    wr(1, 0x3E0, 0x0B);
    wr(1, 0x320, 0x20031);                       /* periodic, vector 0x31 */
    ck_assert_uint_eq(rd(1, 0x320), 0x20031);
    t0 = freeze();
    wr(1, 0x380, 2000000);                       /* every 2 ms */
    while (fired < 3 && wait_interrupt(1)) {
        ck_assert_int_eq(apic_get_interrupt(apic[1]), 0x31);
        wr(1, 0x0B0, 0);
        fired++;
    }
    t1 = freeze();
    ck_assert_int_eq(fired, 3);
    ck_assert_int_ge(t1 - t0, 3 * 2000000);
    cur = rd(1, 0x390);
    ck_assert_uint_eq(cur, 2000000 - (t1 - t0) % 2000000);
    ck_assert(!irr_test(0, 0x31));               /* the other CPU saw nothing */

    /* periodic -> one-shot: the count goes on from where it is */
    freeze();
    cur = rd(1, 0x390);
    wr(1, 0x320, 0x31);
    ck_assert_uint_eq(rd(1, 0x380), 2000000);
    ck_assert_uint_eq(rd(1, 0x390), cur);
    ck_assert(wait_interrupt(1));
    ck_assert_int_eq(apic_get_interrupt(apic[1]), 0x31);
    wr(1, 0x0B0, 0);
    ck_assert_uint_eq(rd(1, 0x390), 0);
    /* a one-shot count that ran out stays at 0 when the timer is made periodic */
    wr(1, 0x320, 0x20031);
    ck_assert_uint_eq(rd(1, 0x380), 2000000);
    ck_assert_uint_eq(rd(1, 0x390), 0);
    run_for_us(5000);
    main_loop_poll_once(false);
    ck_assert(!irr_test(1, 0x31));
    ck_assert_uint_eq(rd(1, 0x390), 0);
    /* until TMICT is written */
    freeze();
    wr(1, 0x380, 3000000);
    ck_assert_uint_eq(rd(1, 0x390), 3000000);
    /* entering TSC-deadline mode disarms the timer */
    wr(1, 0x320, 0x40031);
    ck_assert_uint_eq(rd(1, 0x380), 0);
    ck_assert_uint_eq(rd(1, 0x390), 0);
}
END_TEST

static uint64_t fake_tsc;
static uint64_t read_fake_tsc(CPUState *cs)
{
    return fake_tsc;
}

START_TEST(test_timer_tsc_deadline)
{
    bool ok;
    uint64_t tsc, v;

    /* IA32_TSC_DEADLINE exists for the CPU only when CPUID reports the timer mode */
    ck_assert(!x86_rdmsr(x86_cpu(cpu[0]), 0x6E0, &v));
    ck_assert_int_eq(x86_cpu_set_features(x86_cpu(cpu[0]), "qemu64", "+tsc-deadline"), 0);
    ck_assert(x86_rdmsr(x86_cpu(cpu[0]), 0x6E0, &v));
    ck_assert(x86_wrmsr(x86_cpu(cpu[0]), 0x6E0, 0));

    enable(0);
    /* ignored outside TSC-deadline mode */
    ck_assert(msr_wr(0, 0x6E0, 12345));
    ck_assert_uint_eq(msr_rd(0, 0x6E0, &ok), 0);
    ck_assert(ok);

    wr(0, 0x320, 0x40032);                       /* TSC-deadline, vector 0x32 */
    wr(0, 0x380, 1000);                          /* initial count is ignored */
    ck_assert_uint_eq(rd(0, 0x380), 0);
    tsc = x86_rdtsc(x86_cpu(cpu[0]));
    ck_assert(msr_wr(0, 0x6E0, tsc + 3000000));  /* 3 ms at 1 GHz */
    ck_assert_uint_eq(msr_rd(0, 0x6E0, &ok), tsc + 3000000);
    ck_assert(!irr_test(0, 0x32));
    ck_assert(wait_interrupt(0));
    ck_assert_uint_ge(x86_rdtsc(x86_cpu(cpu[0])), tsc + 3000000);
    ck_assert_uint_eq(msr_rd(0, 0x6E0, &ok), 0); /* disarmed after firing */
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x32);
    wr(0, 0x0B0, 0);

    /* a deadline already passed fires at once; 0 disarms */
    apic_set_tsc_source(read_fake_tsc, 0);
    fake_tsc = 1000000;
    ck_assert(msr_wr(0, 0x6E0, 999999));
    ck_assert(irr_test(0, 0x32));
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x32);
    wr(0, 0x0B0, 0);
    ck_assert(msr_wr(0, 0x6E0, 1000500));
    ck_assert(!irr_test(0, 0x32));
    /* the expiry comes (500 ns of virtual time) but the TSC has not moved: re-armed */
    clock_virtual_pause(false);
    usleep(2000);
    main_loop_poll_once(false);
    ck_assert(!irr_test(0, 0x32));
    ck_assert_uint_eq(msr_rd(0, 0x6E0, &ok), 1000500);
    fake_tsc = 1000500;
    for (int i = 0; i < 100 && !irr_test(0, 0x32); i++) {
        main_loop_poll_once(true);
    }
    ck_assert(irr_test(0, 0x32));
    ck_assert(msr_wr(0, 0x6E0, 2000000));
    ck_assert(msr_wr(0, 0x6E0, 0));
    ck_assert_uint_eq(msr_rd(0, 0x6E0, &ok), 0);
    apic_set_tsc_source(NULL, 0);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * x2APIC, IA32_APIC_BASE
 */

START_TEST(test_x2apic)
{
    bool ok;

    /* xAPIC mode: the x2APIC MSRs fault */
    msr_rd(0, 0x802, &ok);
    ck_assert(!ok);
    ck_assert(!msr_wr(0, 0x808, 0));

    set_base(0, 0xFEE00D00);
    set_base(1, 0xFEE00C00);
    ck_assert_uint_eq(x86_cpu(cpu[0])->apic_base, 0xFEE00D00);
    ck_assert_uint_eq(msr_rd(0, 0x802, &ok), 0);
    ck_assert(ok);
    ck_assert_uint_eq(msr_rd(1, 0x802, &ok), 1);
    ck_assert_uint_eq(msr_rd(0, 0x803, &ok), 0x50014);
    ck_assert_uint_eq(msr_rd(1, 0x80D, &ok), 0x00000002);   /* cluster 0, bit 1 */
    ck_assert(!msr_wr(1, 0x802, 5));             /* ID is read-only */
    ck_assert(!msr_wr(1, 0x80D, 5));             /* so is LDR */
    msr_rd(0, 0x80E, &ok);                       /* no DFR in x2APIC mode */
    ck_assert(!ok);
    msr_rd(0, 0x80B, &ok);                       /* EOI is write-only */
    ck_assert(!ok);
    ck_assert(!msr_wr(0, 0x808, 1ULL << 32));    /* 32-bit registers */
    /* the MMIO window is gone */
    ck_assert_uint_eq(rd(0, 0x030), 0xFFFFFFFF);

    ck_assert(msr_wr(0, 0x80F, 0x1FF));
    ck_assert(msr_wr(1, 0x80F, 0x1FF));
    ck_assert_uint_eq(msr_rd(0, 0x80F, &ok), 0x1FF);
    ck_assert(msr_wr(0, 0x808, 0x20));
    ck_assert_uint_eq(msr_rd(0, 0x808, &ok), 0x20);
    ck_assert_uint_eq(msr_rd(0, 0x80A, &ok), 0x20);
    ck_assert(msr_wr(0, 0x808, 0));

    /* SELF IPI: bits 31:8 are reserved */
    ck_assert(!msr_wr(0, 0x83F, 0x155));
    ck_assert(!msr_wr(0, 0x83F, 0xFF000055));
    ck_assert_uint_eq(msr_rd(0, 0x822, &ok), 0);
    ck_assert(msr_wr(0, 0x83F, 0x55));
    ck_assert_uint_eq(msr_rd(0, 0x822, &ok), 1u << (0x55 - 0x40));   /* IRR[95:64] */
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x55);
    ck_assert_uint_eq(msr_rd(0, 0x80A, &ok), 0x50);
    ck_assert(!msr_wr(0, 0x80B, 1));             /* EOI must be written with 0 */
    ck_assert(msr_wr(0, 0x80B, 0));
    ck_assert_uint_eq(msr_rd(0, 0x80A, &ok), 0x00);

    /* the 64-bit ICR: 32-bit destination in the high half */
    ck_assert(msr_wr(0, 0x830, (1ULL << 32) | 0x59));
    ck_assert_uint_eq(msr_rd(0, 0x830, &ok), (1ULL << 32) | 0x59);
    ck_assert(apic_has_interrupt(apic[1]));
    ck_assert(hard(1));
    ck_assert_int_eq(apic_get_interrupt(apic[1]), 0x59);
    ck_assert(msr_wr(1, 0x80B, 0));
    /* logical x2APIC: cluster 0, bits 0|1 reach both */
    ck_assert(msr_wr(0, 0x830, (3ULL << 32) | 0x800 | 0x66));
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x66);
    ck_assert_int_eq(apic_get_interrupt(apic[1]), 0x66);
    ck_assert(msr_wr(0, 0x80B, 0));
    ck_assert(msr_wr(1, 0x80B, 0));
    /* an 8-bit logical destination (I/O APIC, MSI) reads as x2APIC cluster 0 as well */
    apic_deliver(&m, 0x02, true, APIC_DM_FIXED, 0x67, false);
    ck_assert(!apic_has_interrupt(apic[0]));
    ck_assert_int_eq(apic_get_interrupt(apic[1]), 0x67);
    ck_assert(msr_wr(1, 0x80B, 0));
    apic_deliver(&m, 0x01, false, APIC_DM_FIXED, 0x68, false);      /* physical ID 1 */
    ck_assert(!apic_has_interrupt(apic[0]));
    ck_assert_int_eq(apic_get_interrupt(apic[1]), 0x68);
    ck_assert(msr_wr(1, 0x80B, 0));
    /* no CMCI LVT (the version register says six LVTs) */
    msr_rd(0, 0x82F, &ok);
    ck_assert(!ok);

    /* x2APIC -> xAPIC is not allowed: the base stays */
    set_base(0, 0xFEE00900);
    ck_assert_uint_eq(x86_cpu(cpu[0])->apic_base, 0xFEE00D00);
    /* x2APIC -> disabled -> xAPIC: back to the reset state */
    set_base(0, 0xFEE00100);
    ck_assert_uint_eq(x86_cpu(cpu[0])->apic_base, 0xFEE00100);
    msr_rd(0, 0x802, &ok);
    ck_assert(!ok);
    set_base(0, 0xFEE00900);
    ck_assert_uint_eq(rd(0, 0x0F0), 0xFF);
    ck_assert_uint_eq(rd(0, 0x100 + 3 * 0x10), 0);   /* the ISR was cleared */
    /* disabled -> x2APIC directly is not allowed either */
    set_base(1, 0xFEE00000);
    set_base(1, 0xFEE00C00);
    ck_assert_uint_eq(x86_cpu(cpu[1])->apic_base, 0xFEE00000);
}
END_TEST

START_TEST(test_disable_and_relocate)
{
    uint64_t v;

    enable(0);
    set_base(0, 0xFEE00100);                     /* globally disabled */
    ck_assert_uint_eq(rd(0, 0x030), 0xFFFFFFFF);
    ck_assert(apic_accept_pic_intr(apic[0]));
    ck_assert_int_eq(apic_get_interrupt(apic[0]), -1);
    apic_set_irq(apic[0], 0x40, 0);              /* ignored */
    ck_assert(!apic_has_interrupt(apic[0]));
    /* the other CPU's APIC still answers through the same window */
    ck_assert_uint_eq(rd(1, 0x030), 0x50014);
    /* IPIs to a disabled APIC are lost */
    enable(1);
    wr(1, 0x310, 0);
    wr(1, 0x300, 0x4041);
    set_base(0, 0xFEE00900);
    ck_assert(!irr_test(0, 0x41));

    /* relocation moves the shared window */
    set_base(0, 0xFED00900);
    ck_assert_int_eq(as_ld(&m.sysmem_as, 0xFED00030, 4, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x50014);
    ck_assert_int_eq(as_ld(&m.sysmem_as, BASE + 0x30, 4, &v), MEMTX_UNASSIGNED);
    device_reset(apic[0]);
    ck_assert_uint_eq(x86_cpu(cpu[0])->apic_base, 0xFEE00900);
    ck_assert_uint_eq(rd(0, 0x030), 0x50014);

    /* a global disable also brings back the initial APIC ID, which INIT keeps */
    wr(1, 0x020, 0x05000000);
    ck_assert_uint_eq(rd(1, 0x020), 0x05000000);
    set_base(1, 0xFEE00000);
    set_base(1, 0xFEE00800);
    ck_assert_uint_eq(rd(1, 0x020), 0x01000000);
    /* the CMCI LVT does not exist: an illegal register */
    enable(1);
    ck_assert_uint_eq(rd(1, 0x2F0), 0);
    wr(1, 0x280, 0);
    ck_assert_uint_eq(rd(1, 0x280) & 0x80, 0x80);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * IPIs between CPUs
 */

START_TEST(test_init_sipi_nmi)
{
    enable(0);
    cpu[1]->interrupt_request = 0;
    /* what Linux's wakeup_secondary_cpu_via_init sends */
    wr(0, 0x310, 0x01000000);
    wr(0, 0x300, 0xC500);                        /* INIT, level, assert */
    ck_assert_uint_eq(cpu[1]->interrupt_request & CPU_INTERRUPT_INIT, CPU_INTERRUPT_INIT);
    ck_assert_uint_eq(cpu[0]->interrupt_request & CPU_INTERRUPT_INIT, 0);
    cpu[1]->interrupt_request = 0;
    wr(0, 0x300, 0x8500);                        /* INIT de-assert: no effect */
    ck_assert_uint_eq(cpu[1]->interrupt_request, 0);
    wr(0, 0x300, 0x0608);                        /* start-up at 0x8000 */
    ck_assert_uint_eq(cpu[1]->interrupt_request & CPU_INTERRUPT_SIPI, CPU_INTERRUPT_SIPI);
    ck_assert_int_eq(x86_cpu(cpu[1])->sipi_vector, 0x08);
    cpu[1]->interrupt_request = 0;
    wr(0, 0x300, 0x0400);                        /* NMI */
    ck_assert_uint_eq(cpu[1]->interrupt_request, CPU_INTERRUPT_NMI);
    cpu[1]->interrupt_request = 0;
    wr(0, 0x300, 0x0200);                        /* SMI */
    ck_assert_uint_eq(cpu[1]->interrupt_request, CPU_INTERRUPT_SMI);
    cpu[1]->interrupt_request = 0;

    /* INIT resets the target APIC (it keeps its ID) */
    enable(1);
    wr(1, 0x080, 0x40);
    wr(0, 0x300, 0xC4500);                       /* all excluding self */
    ck_assert_uint_eq(cpu[1]->interrupt_request & CPU_INTERRUPT_INIT, CPU_INTERRUPT_INIT);
    ck_assert_uint_eq(cpu[0]->interrupt_request & CPU_INTERRUPT_INIT, 0);
    ck_assert_uint_eq(rd(1, 0x0F0), 0xFF);
    ck_assert_uint_eq(rd(1, 0x080), 0);
    ck_assert_uint_eq(rd(1, 0x020), 0x01000000);
    ck_assert_uint_eq(rd(0, 0x0F0), 0x1FF);
}
END_TEST

START_TEST(test_destinations)
{
    enable(0);
    enable(1);
    /* physical */
    wr(0, 0x310, 0x01000000);
    wr(0, 0x300, 0x61);
    ck_assert(irr_test(1, 0x61));
    ck_assert(!irr_test(0, 0x61));
    wr(0, 0x310, 0xFF000000);                    /* broadcast */
    wr(0, 0x300, 0x62);
    ck_assert(irr_test(0, 0x62) && irr_test(1, 0x62));
    wr(0, 0x310, 0x05000000);                    /* nobody */
    wr(0, 0x300, 0x63);
    ck_assert(!irr_test(0, 0x63) && !irr_test(1, 0x63));
    /* shorthands */
    wr(1, 0x300, 0x80064);                       /* all including self */
    ck_assert(irr_test(0, 0x64) && irr_test(1, 0x64));
    wr(1, 0x300, 0xC0065);                       /* all excluding self */
    ck_assert(irr_test(0, 0x65) && !irr_test(1, 0x65));

    /* logical, flat model */
    wr(0, 0x0D0, 0x01000000);
    wr(1, 0x0D0, 0x02000000);
    wr(0, 0x310, 0x02000000);
    wr(0, 0x300, 0x800 | 0x71);
    ck_assert(irr_test(1, 0x71) && !irr_test(0, 0x71));
    wr(0, 0x310, 0x03000000);
    wr(0, 0x300, 0x800 | 0x72);
    ck_assert(irr_test(1, 0x72) && irr_test(0, 0x72));
    wr(0, 0x300, 0x900 | 0x73);                  /* lowest priority: one of them */
    ck_assert(irr_test(0, 0x73) != irr_test(1, 0x73));

    /* logical, cluster model */
    wr(0, 0x0E0, 0x0FFFFFFF);
    wr(1, 0x0E0, 0x0FFFFFFF);
    wr(0, 0x0D0, 0x11000000);                    /* cluster 1, member bit 0 */
    wr(1, 0x0D0, 0x22000000);                    /* cluster 2, member bit 1 */
    wr(0, 0x310, 0x22000000);
    wr(0, 0x300, 0x800 | 0x81);
    ck_assert(irr_test(1, 0x81) && !irr_test(0, 0x81));
    wr(0, 0x310, 0x21000000);                    /* cluster 2, member bit 0: nobody */
    wr(0, 0x300, 0x800 | 0x82);
    ck_assert(!irr_test(1, 0x82) && !irr_test(0, 0x82));
    wr(0, 0x310, 0x13000000);
    wr(0, 0x300, 0x800 | 0x83);
    ck_assert(!irr_test(1, 0x83) && irr_test(0, 0x83));

    /* the IOAPIC/MSI entry point */
    apic_deliver(&m, 1, false, APIC_DM_FIXED, 0x91, false);
    ck_assert(irr_test(1, 0x91) && !irr_test(0, 0x91));
    apic_deliver(&m, 0x11, true, APIC_DM_FIXED, 0x92, true);
    ck_assert(irr_test(0, 0x92) && !irr_test(1, 0x92));
    ck_assert(rd(0, 0x180 + 4 * 0x10) & (1u << (0x92 - 0x80)));     /* TMR */
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * LINT pins, level EOI, save/load
 */

START_TEST(test_lint_pins)
{
    const IrqLine *lint0 = device_irq_in(apic[0], 0);
    const IrqLine *lint1 = device_irq_in(apic[0], 1);

    /* reset: CPU 0's LINT0 passes the 8259's INTR (virtual wire), even software-disabled */
    ck_assert(!hard(0));
    irq_raise(lint0);
    ck_assert(hard(0));
    ck_assert(!apic_has_interrupt(apic[0]));
    irq_lower(lint0);
    ck_assert(!hard(0));
    irq_raise(lint0);
    /* an APIC interrupt taken while INTR is high keeps HARD up */
    enable(0);
    self_ipi(0, 0x40);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x40);
    ck_assert(hard(0));
    /* masking LINT0 takes INTR away */
    wr(0, 0x350, 0x10700);
    ck_assert(!apic_accept_pic_intr(apic[0]));
    ck_assert(!hard(0));
    wr(0, 0x350, 0x00700);
    ck_assert(hard(0));
    irq_lower(lint0);
    ck_assert(!hard(0));

    /* LINT1 as NMI on the rising edge */
    wr(0, 0x360, 0x400);
    cpu[0]->interrupt_request = 0;
    irq_raise(lint1);
    ck_assert_uint_eq(cpu[0]->interrupt_request, CPU_INTERRUPT_NMI);
    cpu[0]->interrupt_request = 0;
    irq_raise(lint1);
    ck_assert_uint_eq(cpu[0]->interrupt_request, 0);
    irq_lower(lint1);

    /* LINT0 fixed, level triggered: remote IRR until the EOI, then again if still high */
    wr(0, 0x350, 0x8000 | 0x57);
    apic_set_lint(apic[0], 0, 1);
    ck_assert(irr_test(0, 0x57));
    ck_assert_uint_eq(rd(0, 0x350), 0xC057);     /* remote IRR */
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x57);
    wr(0, 0x0B0, 0);
    ck_assert(irr_test(0, 0x57));                /* still asserted */
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x57);
    apic_set_lint(apic[0], 0, 0);
    wr(0, 0x0B0, 0);
    ck_assert_uint_eq(rd(0, 0x350), 0x8057);
    ck_assert(!irr_test(0, 0x57));

    /* disabled APIC: LINT0 is INTR, LINT1 is NMI */
    set_base(0, 0xFEE00100);
    cpu[0]->interrupt_request = 0;
    irq_raise(lint0);
    ck_assert(hard(0));
    irq_raise(lint1);
    ck_assert(cpu[0]->interrupt_request & CPU_INTERRUPT_NMI);
}
END_TEST

static int eoi_vector = -1, eoi_calls;
static void eoi_cb(void *opaque, int vector)
{
    ck_assert_ptr_eq(opaque, &m);
    eoi_vector = vector;
    eoi_calls++;
}

START_TEST(test_level_eoi_and_save_load)
{
    uint8_t buf[1024];
    size_t n;

    enable(0);
    apic_set_eoi_notifier(&m, eoi_cb, &m);
    apic_set_irq(apic[0], 0x70, 1);
    apic_set_irq(apic[0], 0x60, 0);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x70);
    n = apic[0]->cls->save(apic[0], buf, sizeof(buf));
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(n, sizeof(buf));
    wr(0, 0x0B0, 0);
    ck_assert_int_eq(eoi_calls, 1);
    ck_assert_int_eq(eoi_vector, 0x70);
    ck_assert_int_eq(apic_get_interrupt(apic[0]), 0x60);
    wr(0, 0x0B0, 0);
    ck_assert_int_eq(eoi_calls, 1);              /* edge: no notification */

    ck_assert_int_eq(apic[0]->cls->load(apic[0], buf, n), 0);
    ck_assert(isr_test(0, 0x70));
    ck_assert(irr_test(0, 0x60));
    ck_assert_uint_eq(rd(0, 0x0A0), 0x70);
    ck_assert_int_eq(apic[0]->cls->load(apic[0], buf, n + 1), -EINVAL);
    wr(0, 0x0B0, 0);
    ck_assert_int_eq(eoi_calls, 2);
}
END_TEST

START_TEST(test_bad_props)
{
    ck_assert_ptr_null(device_create_class(&m, &apic_class, "dup", "cpu=1"));
    ck_assert_ptr_null(device_create_class(&m, &apic_class, "big", "cpu=64"));
    ck_assert_ptr_null(device_create_class(&m, &apic_class, "bad", "cpu=x"));
}
END_TEST

static Suite *apic_suite(void)
{
    Suite *s = suite_create("apic");
    TCase *tc = tcase_create("registers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_reset_values);
    tcase_add_test(tc, test_self_ipi_accept_eoi);
    tcase_add_test(tc, test_tpr_ppr);
    tcase_add_test(tc, test_priority_ordering);
    tcase_add_test(tc, test_illegal_vectors_esr);
    tcase_add_test(tc, test_bad_props);
    suite_add_tcase(s, tc);

    tc = tcase_create("timer");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_timer_oneshot);
    tcase_add_test(tc, test_get_set_state);
    tcase_add_test(tc, test_timer_periodic);
    tcase_add_test(tc, test_timer_tsc_deadline);
    suite_add_tcase(s, tc);

    tc = tcase_create("modes_ipis");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_x2apic);
    tcase_add_test(tc, test_disable_and_relocate);
    tcase_add_test(tc, test_init_sipi_nmi);
    tcase_add_test(tc, test_destinations);
    tcase_add_test(tc, test_lint_pins);
    tcase_add_test(tc, test_level_eoi_and_save_load);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;
    main_loop_init();
    sr = srunner_create(apic_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

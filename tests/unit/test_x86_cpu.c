/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_x86_cpu.c — unit tests of the x86 CPU model: the -cpu option tail
 * (cpu/x86/cpu_features.c: +feat, -feat, feat=on|off, vendor=, aliases, features tandem
 * does not implement, unknown names), the CPUID leaves that depend on state (leaf 1
 * APIC bit and IA32_APIC_BASE.EN, leaf 0xB topology), IA32_APIC_BASE mode transitions,
 * the machine-check MSRs, AMD's legacy performance-counter MSRs, NMI latching, a start-up
 * IPI arriving right behind an INIT, and the
 * vendor rules of SYSCALL/SYSRET and their single-step trap (helpers called directly,
 * faults caught by a sigsetjmp on the vCPU's jmp_env).
 * Not covered: the local APIC behind the MSR hooks (test_dev_apic.c).
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "cpu/x86/cpu.h"
#include <check.h>

static Machine m;

static X86CPU *make(const char *model)
{
    CPUState *cs = cpu_create(&x86_cpu_class, model, 0, &m);
    return cs ? x86_cpu(cs) : NULL;
}

static void destroy(X86CPU *env)
{
    free(cpu_arch_state(x86_cs(env)));
}

static uint32_t cpuid_reg(X86CPU *env, uint32_t leaf, uint32_t sub, int reg)
{
    uint32_t r[4];
    x86_cpuid(env, leaf, sub, &r[0], &r[1], &r[2], &r[3]);
    return r[reg];
}
enum { EAX, EBX, ECX, EDX };

#define F1C_X2APIC          (1u << 21)
#define F1C_TSC_DEADLINE    (1u << 24)
#define F1C_VMX             (1u << 5)
#define F1C_SSE41           (1u << 19)
#define F1D_APIC            (1u << 9)
#define F1D_MCA             (1u << 14)
#define E1C_SVM             (1u << 2)
#define E1D_RDTSCP          (1u << 27)

/* Runs fn(env, a0); returns the vector it raised, or -1. */
static int run_helper(X86CPU *env, uint64_t (*fn)(void *, uint64_t, uint64_t, uint64_t,
                                                   uint64_t), uint64_t a0)
{
    CPUState *cs = x86_cs(env);

    cs->exception_index = -1;
    if (sigsetjmp(cs->jmp_env, 0) == 0) {
        fn(env, a0, 0, 0, 0);
        return -1;
    }
    return cs->exception_index;
}

START_TEST(test_features)
{
    X86CPU *env;

    env = make("qemu64");
    ck_assert_ptr_nonnull(env);
    ck_assert_uint_eq(cpuid_reg(env, 1, 0, ECX) & (F1C_X2APIC | F1C_TSC_DEADLINE), 0);
    ck_assert_uint_ne(cpuid_reg(env, 1, 0, ECX) & F1C_SSE41, 0);
    destroy(env);

    env = make("qemu64,+x2apic,+tsc-deadline");
    ck_assert_ptr_nonnull(env);
    ck_assert_uint_eq(cpuid_reg(env, 1, 0, ECX) & (F1C_X2APIC | F1C_TSC_DEADLINE),
                      F1C_X2APIC | F1C_TSC_DEADLINE);
    destroy(env);

    /* QEMU's spellings: feat=on|off and '_' or '.' for '-' */
    env = make("max,-x2apic,sse4_1=off,rdtscp=off");
    ck_assert_ptr_nonnull(env);
    ck_assert_uint_eq(cpuid_reg(env, 1, 0, ECX) & (F1C_X2APIC | F1C_SSE41), 0);
    ck_assert_uint_eq(cpuid_reg(env, 0x80000001, 0, EDX) & E1D_RDTSCP, 0);
    destroy(env);
    env = make("qemu64,x2apic=on");
    ck_assert_uint_ne(cpuid_reg(env, 1, 0, ECX) & F1C_X2APIC, 0);
    destroy(env);

    /* known but not implemented: a warning, and the bit stays clear */
    env = make("qemu64,+vmx,+svm,-npt,+vmx-mbec");
    ck_assert_ptr_nonnull(env);
    ck_assert_uint_eq(cpuid_reg(env, 1, 0, ECX) & F1C_VMX, 0);
    ck_assert_uint_eq(cpuid_reg(env, 0x80000001, 0, ECX) & E1C_SVM, 0);
    destroy(env);

    /* errors */
    ck_assert_ptr_null(make("qemu64,+no-such-feature"));
    ck_assert_ptr_null(make("qemu64,x2apic=maybe"));
    ck_assert_ptr_null(make("qemu64,vendor=Short"));
    ck_assert_ptr_null(make("qemu64,level=13"));
    ck_assert_ptr_null(make("qemu64x"));
}
END_TEST

START_TEST(test_vendor)
{
    X86CPU *env = make("qemu64");
    char v[13] = { 0 };

    memcpy(v, (uint32_t[]){ cpuid_reg(env, 0, 0, EBX), cpuid_reg(env, 0, 0, EDX),
                            cpuid_reg(env, 0, 0, ECX) }, 12);
    ck_assert_str_eq(v, "GenuineIntel");
    ck_assert(!x86_vendor_amd(env));
    destroy(env);
    env = make("qemu64,vendor=AuthenticAMD");
    memcpy(v, (uint32_t[]){ cpuid_reg(env, 0, 0, EBX), cpuid_reg(env, 0, 0, EDX),
                            cpuid_reg(env, 0, 0, ECX) }, 12);
    ck_assert_str_eq(v, "AuthenticAMD");
    ck_assert(x86_vendor_amd(env));
    destroy(env);
}
END_TEST

START_TEST(test_cpuid_state)
{
    X86CPU *env = make("max");

    /* leaf 1 reports the APIC only while IA32_APIC_BASE.EN is set */
    ck_assert_uint_ne(cpuid_reg(env, 1, 0, EDX) & F1D_APIC, 0);
    ck_assert(x86_wrmsr(env, MSR_IA32_APICBASE, env->apic_base & ~(uint64_t)X86_APICBASE_EN));
    ck_assert_uint_eq(cpuid_reg(env, 1, 0, EDX) & F1D_APIC, 0);
    ck_assert(x86_wrmsr(env, MSR_IA32_APICBASE, env->apic_base | X86_APICBASE_EN));
    ck_assert_uint_ne(cpuid_reg(env, 1, 0, EDX) & F1D_APIC, 0);

    /* leaf 0xB: one thread, one core per package; EDX the x2APIC ID at every level */
    ck_assert_uint_eq(cpuid_reg(env, 0xb, 0, EBX), 1);
    ck_assert_uint_eq(cpuid_reg(env, 0xb, 0, ECX), 0x100);
    ck_assert_uint_eq(cpuid_reg(env, 0xb, 1, EBX), 1);
    ck_assert_uint_eq(cpuid_reg(env, 0xb, 1, ECX), 0x201);
    ck_assert_uint_eq(cpuid_reg(env, 0xb, 2, EBX), 0);
    ck_assert_uint_eq(cpuid_reg(env, 0xb, 2, ECX), 2);
    ck_assert_uint_eq(cpuid_reg(env, 0xb, 0, EDX), 0);
    destroy(env);
}
END_TEST

START_TEST(test_apic_base_transitions)
{
    X86CPU *env = make("max");
    uint64_t base = env->apic_base & ~(uint64_t)(X86_APICBASE_EN | X86_APICBASE_EXTD);
    const uint64_t en = X86_APICBASE_EN, x2 = X86_APICBASE_EN | X86_APICBASE_EXTD;

    ck_assert(x86_wrmsr(env, MSR_IA32_APICBASE, base | x2));           /* xAPIC -> x2APIC */
    ck_assert(!x86_wrmsr(env, MSR_IA32_APICBASE, base | en));          /* x2APIC -> xAPIC */
    ck_assert(!x86_wrmsr(env, MSR_IA32_APICBASE, base | X86_APICBASE_EXTD)); /* invalid */
    ck_assert_uint_eq(env->apic_base, base | x2);
    ck_assert(x86_wrmsr(env, MSR_IA32_APICBASE, base));                /* -> disabled */
    ck_assert(!x86_wrmsr(env, MSR_IA32_APICBASE, base | x2));          /* disabled -> x2APIC */
    ck_assert(!x86_wrmsr(env, MSR_IA32_APICBASE, base | X86_APICBASE_EXTD));
    ck_assert(x86_wrmsr(env, MSR_IA32_APICBASE, base | en));           /* disabled -> xAPIC */
    destroy(env);

    /* without x2APIC in CPUID, EXTD is a reserved bit */
    env = make("qemu64");
    ck_assert(!x86_wrmsr(env, MSR_IA32_APICBASE, env->apic_base | X86_APICBASE_EXTD));
    destroy(env);
}
END_TEST

START_TEST(test_mca)
{
    X86CPU *env = make("qemu64");
    uint64_t v;

    ck_assert_uint_ne(cpuid_reg(env, 1, 0, EDX) & F1D_MCA, 0);
    ck_assert(x86_rdmsr(env, 0x179, &v));                     /* IA32_MCG_CAP */
    ck_assert_uint_eq(v, 0x100 | X86_MCE_BANKS);              /* MCG_CTL_P, the banks */
    ck_assert(!x86_wrmsr(env, 0x179, 0));                     /* read-only */
    ck_assert(x86_wrmsr(env, 0x17b, 0x5));                    /* IA32_MCG_CTL */
    ck_assert(x86_rdmsr(env, 0x17b, &v));
    ck_assert_uint_eq(v, 0x5);
    /* MCi_CTL: all 0s or all 1s */
    ck_assert(x86_wrmsr(env, 0x400, ~0ull));
    ck_assert(x86_rdmsr(env, 0x400, &v));
    ck_assert_uint_eq(v, ~0ull);
    ck_assert(x86_wrmsr(env, 0x400, 0));
    ck_assert(!x86_wrmsr(env, 0x400, 0xaaaaaaaaaaaaaaaaull));
    /* MCi_STATUS: only 0 */
    ck_assert(x86_wrmsr(env, 0x401, 0));
    ck_assert(!x86_wrmsr(env, 0x401, 1));
    /* MCi_ADDR and MCi_MISC: anything, in the last bank too */
    ck_assert(x86_wrmsr(env, 0x400 + 4 * (X86_MCE_BANKS - 1) + 3, 0x123456789ull));
    ck_assert(x86_rdmsr(env, 0x400 + 4 * (X86_MCE_BANKS - 1) + 3, &v));
    ck_assert_uint_eq(v, 0x123456789ull);
    /* past the last bank */
    ck_assert(!x86_rdmsr(env, 0x400 + 4 * X86_MCE_BANKS, &v));
    ck_assert(!x86_wrmsr(env, 0x400 + 4 * X86_MCE_BANKS, 0));
    destroy(env);

    /* a model without MCA has none of them */
    env = make("qemu64,-mca");
    ck_assert(!x86_rdmsr(env, 0x179, &v));
    ck_assert(!x86_wrmsr(env, 0x400, 0));
    destroy(env);
}
END_TEST

START_TEST(test_amd_perf_msrs)
{
    X86CPU *env = make("qemu64");
    uint64_t v;

    ck_assert(!x86_rdmsr(env, 0xc0010000, &v));               /* Intel: no such MSR */
    ck_assert(!x86_wrmsr(env, 0xc0010004, 0));
    destroy(env);
    env = make("qemu64,vendor=AuthenticAMD");
    ck_assert(x86_wrmsr(env, 0xc0010000, 0x430076));          /* PerfEvtSel0 */
    ck_assert(x86_rdmsr(env, 0xc0010000, &v));
    ck_assert_uint_eq(v, 0x430076);
    ck_assert(x86_wrmsr(env, 0xc0010007, ~0ull));             /* PerfCtr3: 48 bits */
    ck_assert(x86_rdmsr(env, 0xc0010007, &v));
    ck_assert_uint_eq(v, (1ull << 48) - 1);
    ck_assert(!x86_rdmsr(env, 0xc0010008, &v));
    destroy(env);
}
END_TEST

START_TEST(test_tsc_deadline_msr)
{
    X86CPU *env = make("qemu64");
    uint64_t v;

    /* not reported in CPUID: #GP whatever the APIC can do */
    ck_assert(!x86_rdmsr(env, 0x6e0, &v));
    ck_assert(!x86_wrmsr(env, 0x6e0, 1));
    destroy(env);
}
END_TEST

START_TEST(test_nmi_latch)
{
    X86CPU *env = make("qemu64");
    CPUState *cs = x86_cs(env);
    X86SysState *sys = x86_sys_state(env);

    /* two NMIs before the CPU takes one: one delivered, one latched; a third is lost */
    x86_cpu_nmi(cs);
    x86_cpu_nmi(cs);
    x86_cpu_nmi(cs);
    ck_assert_int_eq(sys->nmi_pending, 2);
    ck_assert(cs->interrupt_request & CPU_INTERRUPT_NMI);
    /* while a handler runs only one more can be latched */
    sys->nmi_pending = 0;
    sys->nmi_blocked = true;
    x86_cpu_nmi(cs);
    x86_cpu_nmi(cs);
    ck_assert_int_eq(sys->nmi_pending, 1);
    /* INIT drops them */
    cs->cc->reset(cs);
    ck_assert_int_eq(sys->nmi_pending, 0);
    ck_assert(!sys->nmi_blocked);
    destroy(env);
}
END_TEST

START_TEST(test_init_then_sipi)
{
    CPUState *cs = cpu_create(&x86_cpu_class, "qemu64", 1, &m);    /* an AP */
    X86CPU *env = x86_cpu(cs);

    ck_assert(cs->halted);
    /* INIT and a start-up IPI both arrive before the AP looks: the SIPI keeps its vector */
    env->sipi_vector = 0x07;
    cpu_interrupt(cs, CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI);
    ck_assert(cs->cc->exec_interrupt(cs, cs->interrupt_request));       /* INIT */
    ck_assert(cs->cc->exec_interrupt(cs, cs->interrupt_request));       /* SIPI */
    ck_assert(!cs->halted);
    ck_assert_uint_eq(env->segs[X86_SEG_CS].selector, 0x0700);
    ck_assert_uint_eq(env->segs[X86_SEG_CS].base, 0x7000);
    ck_assert_uint_eq(env->eip, 0);
    destroy(env);
}
END_TEST

/* 64-bit or compatibility mode (long mode active), CPL 0, SYSCALL enabled, flat code. */
static void long_mode(X86CPU *env, bool code64)
{
    const uint32_t code = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK |
                          (code64 ? DESC_L_MASK : DESC_B_MASK);

    env->cr[0] = CR0_PE | CR0_PG;
    env->cr[4] = CR4_PAE;
    env->efer = EFER_LME | EFER_LMA | EFER_SCE;
    x86_load_seg_cache(env, X86_SEG_CS, 0x08, 0, 0xffffffffu, code);
    x86_load_seg_cache(env, X86_SEG_SS, 0x10, 0, 0xffffffffu,
                       DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_B_MASK);
    env->star = (0x1bull << 48) | (0x08ull << 32);
    env->lstar = 0x1000;
    env->cstar = 0x2000;
    env->fmask = TF_MASK;
    env->eflags = 2;
    x86_update_hflags(env);
}

START_TEST(test_syscall_vendor)
{
    X86CPU *env = make("qemu64");

    /* Intel: SYSCALL and SYSRET only in 64-bit mode */
    long_mode(env, false);
    env->insn_pc = env->eip = 0x500;
    ck_assert_int_eq(run_helper(env, helper_syscall, 0x502), EXCP06_ILLOP);
    ck_assert_int_eq(run_helper(env, helper_sysret, 4), EXCP06_ILLOP);
    long_mode(env, true);
    ck_assert_int_eq(run_helper(env, helper_syscall, 0x502), -1);
    ck_assert_uint_eq(env->eip, 0x1000);
    destroy(env);

    /* AMD: also from compatibility mode (through CSTAR) */
    env = make("qemu64,vendor=AuthenticAMD");
    long_mode(env, false);
    env->insn_pc = env->eip = 0x500;
    ck_assert_int_eq(run_helper(env, helper_syscall, 0x502), -1);
    ck_assert_uint_eq(env->eip, 0x2000);
    ck_assert_uint_eq(env->regs[R_ECX], 0x502);
    destroy(env);
}
END_TEST

START_TEST(test_syscall_single_step)
{
    X86CPU *env = make("qemu64");

    /* SYSCALL with TF masked by IA32_FMASK: no trap in the kernel */
    long_mode(env, true);
    env->eflags |= TF_MASK;
    x86_update_hflags(env);
    ck_assert_int_eq(run_helper(env, helper_syscall, 0x502), -1);
    ck_assert_uint_eq(env->eflags & TF_MASK, 0);
    ck_assert_int_eq(run_helper(env, helper_single_step_new_tf, 0), -1);
    /* SYSRET loading TF = 1 from R11 traps at once, at the instruction it returns to */
    env->regs[R_R11] = 2 | TF_MASK;
    env->regs[R_ECX] = 0x4000;
    ck_assert_int_eq(run_helper(env, helper_sysret, 8), -1);
    ck_assert_uint_eq(env->eip, 0x4000);
    ck_assert_int_eq(run_helper(env, helper_single_step_new_tf, 0), EXCP01_DB);
    ck_assert_uint_eq(env->exception_next_eip, 0x4000);
    ck_assert_uint_ne(env->dr[6] & (1u << 14), 0);              /* DR6.BS */
    destroy(env);
}
END_TEST

/* The board's side of KVM_HC_SEND_IPI, recorded: APIC IDs 0..7 exist. */
static uint32_t ipi_dest[16], ipi_icr[16];
static int ipi_n;

static bool record_ipi(void *opaque, CPUState *cs, uint32_t dest, uint32_t icr_lo)
{
    if (dest > 7) {
        return false;
    }
    ipi_dest[ipi_n] = dest;
    ipi_icr[ipi_n++] = icr_lo;
    return true;
}

static uint64_t hypercall(X86CPU *env, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                          uint64_t a3)
{
    env->regs[R_EAX] = nr;
    env->regs[R_EBX] = a0;
    env->regs[R_ECX] = a1;
    env->regs[R_EDX] = a2;
    env->regs[R_ESI] = a3;
    ck_assert_int_eq(run_helper(env, helper_vmcall, 0), -1);
    return env->regs[R_EAX];
}

START_TEST(test_kvm_hypercall)
{
    X86CPU *env = make(NULL);
    X86APICHooks saved = x86_apic_hooks;

    x86_apic_hooks.send_ipi = record_ipi;
    ipi_n = 0;
    /* 32-bit CPL 0: bits 0 and 2 of the low bitmap from APIC ID 3 -> IDs 3 and 5; bit 1 of
     * the high bitmap -> 3 + 32 + 1 = 36, which does not exist (not counted) */
    ck_assert_uint_eq(hypercall(env, 10, 0x5, 0x2, 3, 0x40), 2);
    ck_assert_int_eq(ipi_n, 2);
    ck_assert_uint_eq(ipi_dest[0], 3);
    ck_assert_uint_eq(ipi_dest[1], 5);
    ck_assert_uint_eq(ipi_icr[0], 0x40);
    /* kvm-unit-tests' apic test: a minimum APIC ID past every APIC sends nothing, returns 0 */
    ck_assert_uint_eq(hypercall(env, 10, 0xffffffff, 0, 0xffffffff, 0), 0);
    ck_assert_int_eq(ipi_n, 2);
    /* a logical destination or a shorthand is refused: -KVM_EINVAL, as 32 bits */
    ck_assert_uint_eq(hypercall(env, 10, 1, 0, 0, 0x840), (uint32_t)-22);
    ck_assert_uint_eq(hypercall(env, 10, 1, 0, 0, 0xc0040), (uint32_t)-22);
    /* an unknown hypercall: -KVM_ENOSYS */
    ck_assert_uint_eq(hypercall(env, 99, 0, 0, 0, 0), (uint32_t)-1000);
    /* from CPL 3: -KVM_EPERM, nothing sent */
    env->hflags |= 3;
    ck_assert_uint_eq(hypercall(env, 10, 1, 0, 0, 0x40), (uint32_t)-1);
    ck_assert_int_eq(ipi_n, 2);
    x86_apic_hooks = saved;
    destroy(env);
}
END_TEST

static Suite *x86_cpu_suite(void)
{
    Suite *s = suite_create("x86_cpu");
    TCase *tc = tcase_create("cpu");

    tcase_add_test(tc, test_features);
    tcase_add_test(tc, test_vendor);
    tcase_add_test(tc, test_cpuid_state);
    tcase_add_test(tc, test_apic_base_transitions);
    tcase_add_test(tc, test_mca);
    tcase_add_test(tc, test_amd_perf_msrs);
    tcase_add_test(tc, test_tsc_deadline_msr);
    tcase_add_test(tc, test_nmi_latch);
    tcase_add_test(tc, test_init_then_sipi);
    tcase_add_test(tc, test_syscall_vendor);
    tcase_add_test(tc, test_syscall_single_step);
    tcase_add_test(tc, test_kvm_hypercall);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x86_cpu_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

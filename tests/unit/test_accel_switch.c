/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_accel_switch.c — unit tests of moving a running machine between
 * accelerators (accel/switch.c), with two fake accelerators that count what the switch
 * asks of them while two vCPU threads run the generic vCPU loop (accel/vcpu.c).
 *
 * Covers: the order of the hand-over (get_state of the old one, both can_switch, init
 * once per machine, vcpu_init and put_state of each vCPU), the old accelerator no longer
 * running afterwards and the new one running, switching back re-using the first one
 * without initialising anything again, refusals by either side and a failed vcpu_init
 * (one sentence, the machine stays and keeps running on the old one), "already running",
 * unknown names, a stopped machine staying stopped, accel_used and accel_switch_count.
 * Not covered: real accelerators (tests/integration/accel-switch.sh runs tcg <-> kvm).
 */
#include "util/osdep.h"
#include "accel/accel.h"
#include "cpu/x86/cpu.h"
#include <check.h>
#include <unistd.h>

typedef struct FakeCounts {
    int init, vcpu_init, get_state, put_state, leave_asked, onto_asked;
    volatile int runs;
    bool refuse_leave, refuse_onto, fail_vcpu_init;
} FakeCounts;

static FakeCounts fa, fb;

#define FAKE_OPS(X, cnt)                                                                   \
    static int X##_init(Machine *m) { cnt.init++; return 0; }                              \
    static int X##_vcpu_init(CPUState *cs)                                                 \
    {                                                                                      \
        cnt.vcpu_init++;                                                                   \
        return cnt.fail_vcpu_init && cs->index == 1 ? -1 : 0;                              \
    }                                                                                      \
    static VcpuExit X##_run(CPUState *cs)                                                  \
    {                                                                                      \
        __atomic_add_fetch(&cnt.runs, 1, __ATOMIC_SEQ_CST);                                \
        usleep(200);                                                                       \
        return VCPU_EXIT_KICK;                                                             \
    }                                                                                      \
    static void X##_get(CPUState *cs) { cnt.get_state++; }                                 \
    static void X##_put(CPUState *cs) { cnt.put_state++; }                                 \
    static bool X##_can_switch(Machine *m, bool onto, const char **why)                   \
    {                                                                                      \
        if (onto) {                                                                        \
            cnt.onto_asked++;                                                              \
            *why = "the fake says no";                                                     \
            return !cnt.refuse_onto;                                                       \
        }                                                                                  \
        cnt.leave_asked++;                                                                 \
        *why = "the fake cannot let go";                                                   \
        return !cnt.refuse_leave;                                                          \
    }                                                                                      \
    static const AccelOps X##_ops = {                                                      \
        .name = #X, .init = X##_init, .vcpu_init = X##_vcpu_init, .vcpu_run = X##_run,      \
        .get_state = X##_get, .put_state = X##_put, .can_switch = X##_can_switch,          \
    };

FAKE_OPS(fakea, fa)
FAKE_OPS(fakeb, fb)

/* A fresh machine per test (never freed: accel/switch.c remembers machines by address). */
static Machine *machp;
#define mach (*machp)

static int runs_of(FakeCounts *c)
{
    return __atomic_load_n(&c->runs, __ATOMIC_SEQ_CST);
}

/* Wait (big lock released) until c has run at least n more times; false after 5 s. */
static bool runs_grow(FakeCounts *c, int n)
{
    int start = runs_of(c);
    bool ok = false;

    bql_unlock();
    for (int i = 0; i < 5000 && !ok; i++) {
        ok = runs_of(c) - start >= n;
        usleep(1000);
    }
    bql_lock();
    return ok;
}

static void setup(void)
{
    memset(&fa, 0, sizeof(fa));
    memset(&fb, 0, sizeof(fb));
    machp = xzalloc(sizeof(Machine));
    for (int i = 0; i < 2; i++) {
        CPUState *cs = cpu_create(&x86_cpu_class, "qemu64", i, &mach);
        ck_assert_ptr_nonnull(cs);
        cs->halted = false;
        mach.cpus[mach.ncpus++] = cs;
    }
    current_accel = &fakea_ops;
    bql_lock();
    ck_assert_int_eq(accel_start_vcpus(&mach), 0);
    ck_assert(runs_grow(&fa, 10));
}

static void teardown(void)
{
    accel_stop_vcpus(&mach);
    bql_unlock();
    for (int i = 0; i < mach.ncpus; i++) {
        free(cpu_arch_state(mach.cpus[i]));
    }
}

START_TEST(test_switch_and_back)
{
    char err[256];
    const AccelOps *used[4];
    int vcpu_init_a = fa.vcpu_init;

    ck_assert_int_eq(accel_switch_to(&mach, &fakeb_ops, err, sizeof(err)), 0);
    ck_assert_ptr_eq(current_accel, &fakeb_ops);
    ck_assert_int_ge(fa.get_state, 2);
    ck_assert_int_eq(fa.leave_asked, 1);
    ck_assert_int_eq(fb.onto_asked, 1);
    ck_assert_int_eq(fb.init, 1);
    ck_assert_int_eq(fb.vcpu_init, 2);
    ck_assert_int_eq(fb.put_state, 2);
    ck_assert(runs_grow(&fb, 20));
    {
        int a = runs_of(&fa);
        ck_assert(runs_grow(&fb, 20));
        ck_assert_int_eq(runs_of(&fa), a);      /* the old one no longer runs */
    }
    ck_assert_uint_eq(accel_switch_count(&mach), 1);
    ck_assert_int_eq(accel_used(&mach, used, 4), 2);
    ck_assert_ptr_eq(used[0], &fakeb_ops);
    ck_assert_ptr_eq(used[1], &fakea_ops);

    /* back: the first one was initialised by its starter, never again here */
    ck_assert_int_eq(accel_switch_to(&mach, &fakea_ops, err, sizeof(err)), 0);
    ck_assert_int_eq(fa.init, 0);
    ck_assert_int_eq(fa.vcpu_init, vcpu_init_a + 2);
    ck_assert_int_eq(fa.put_state, 2);
    ck_assert(runs_grow(&fa, 20));
    /* and there again: no second init */
    ck_assert_int_eq(accel_switch_to(&mach, &fakeb_ops, err, sizeof(err)), 0);
    ck_assert_int_eq(fb.init, 1);
    ck_assert_int_eq(fb.vcpu_init, 4);
    ck_assert(runs_grow(&fb, 20));
    ck_assert_uint_eq(accel_switch_count(&mach), 3);
    ck_assert_int_eq(accel_used(&mach, used, 4), 2);
}
END_TEST

START_TEST(test_refusals)
{
    char err[256];

    ck_assert_int_eq(accel_switch_to(&mach, &fakea_ops, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "already running on fakea");

    fb.refuse_onto = true;
    ck_assert_int_eq(accel_switch_to(&mach, &fakeb_ops, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "cannot move onto fakeb: the fake says no");
    ck_assert_ptr_eq(current_accel, &fakea_ops);
    ck_assert_int_eq(fb.init, 0);
    ck_assert(runs_grow(&fa, 20));             /* still running on the old one */

    fb.refuse_onto = false;
    fa.refuse_leave = true;
    ck_assert_int_eq(accel_switch_to(&mach, &fakeb_ops, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "cannot leave fakea now: the fake cannot let go");
    ck_assert_int_eq(fb.onto_asked, 1);        /* asked only after the old one agreed */
    ck_assert(runs_grow(&fa, 20));

    fa.refuse_leave = false;
    fb.fail_vcpu_init = true;
    ck_assert_int_eq(accel_switch_to(&mach, &fakeb_ops, err, sizeof(err)), -1);
    ck_assert(strstr(err, "fakeb could not take vCPU 1") != NULL);
    ck_assert(strstr(err, "still on fakea") != NULL);
    ck_assert_ptr_eq(current_accel, &fakea_ops);
    ck_assert_int_eq(fa.put_state, 2);         /* the vCPUs were given back */
    ck_assert(runs_grow(&fa, 20));
    ck_assert_uint_eq(accel_switch_count(&mach), 0);

    ck_assert_int_eq(accel_switch(&mach, "nonesuch", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "unknown accelerator 'nonesuch' (try tcg or kvm)");
    ck_assert_int_eq(accel_switch(&mach, "xen", err, sizeof(err)), -1);
#ifdef CONFIG_XEN
    /* outside dom0 xen is unusable; in dom0 it refuses to take a running machine */
    ck_assert_msg(strstr(err, "xen is not usable here: no /dev/xen/privcmd") ||
                  strstr(err, "cannot move to or from another accelerator"), "%s", err);
#else
    ck_assert_str_eq(err, "xen is not built into this tandem");
#endif
}
END_TEST

START_TEST(test_stopped_stays_stopped)
{
    char err[256];
    int b;

    accel_pause_vcpus(&mach);
    ck_assert_int_eq(accel_switch_to(&mach, &fakeb_ops, err, sizeof(err)), 0);
    b = runs_of(&fb);
    bql_unlock();
    usleep(50000);
    bql_lock();
    ck_assert_int_eq(runs_of(&fb), b);
    accel_resume_vcpus(&mach);
    ck_assert(runs_grow(&fb, 20));
}
END_TEST

static Suite *switch_suite(void)
{
    Suite *s = suite_create("accel-switch");
    TCase *tc = tcase_create("switch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_switch_and_back);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_stopped_stays_stopped);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(switch_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

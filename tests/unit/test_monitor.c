/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_monitor.c — unit tests of the human monitor (system/monitor.c) on the
 * chardev mux: typed through chr_stdio_input_for_test on a ring-buffer chardev, read back
 * with chr_ringbuf_read.
 *
 * Covers: the banner and prompt when Ctrl-A c gives it the focus (and at once when it is
 * the chardev's only front end), echo, line editing (backspace, Ctrl-U, arrow keys
 * dropped, "\r\n" as one line end), help, info accel/cpus/registers, an unknown command,
 * an unknown info item, an argument to a command that takes none, a line too long, stop
 * and cont, `accel` refusals (already running, unknown accelerator), quit (shutdown with
 * status 0, later input ignored). The machine has one x86 CPU and no vCPU thread.
 * Not covered: switching for real (test_accel_switch.c, tests/integration/accel-switch.sh).
 */
#include "util/osdep.h"
#include "system/monitor.h"
#include "accel/accel.h"
#include <check.h>

static Machine *mach;

static void setup(void)
{
    mach = xzalloc(sizeof(*mach));
    mach->cpus[0] = cpu_create(&x86_cpu_class, "qemu64", 0, mach);
    ck_assert_ptr_nonnull(mach->cpus[0]);
    mach->ncpus = 1;
    current_accel = &tcg_accel_ops;
    bql_lock();
}

static void teardown(void)
{
    bql_unlock();
    free(cpu_arch_state(mach->cpus[0]));
    free(mach);
}

static char out[65536];

/* Everything written to c since the last call, with '\r' dropped. */
static const char *output(Chardev *c)
{
    size_t n = chr_ringbuf_read(c, (uint8_t *)out, sizeof(out) - 1), j = 0;

    for (size_t i = 0; i < n; i++) {
        if (out[i] != '\r') {
            out[j++] = out[i];
        }
    }
    out[j] = '\0';
    return out;
}

static void type(Chardev *c, const char *s)
{
    chr_stdio_input_for_test(c, (const uint8_t *)s, strlen(s));
}

static int guest_n;
static char guest_got[256];

static int guest_can_read(void *opaque)
{
    return (int)sizeof(guest_got) - guest_n;
}

static void guest_read(void *opaque, const uint8_t *buf, int len)
{
    memcpy(guest_got + guest_n, buf, len);
    guest_n += len;
}

/* A ring-buffer chardev with a guest front end and the monitor on its mux. */
static Chardev *mux_with_monitor(Monitor **mon)
{
    Chardev *c = chr_new("ringbuf", "serial0");
    CharFront fe = { .can_read = guest_can_read, .read = guest_read };

    guest_n = 0;
    chr_set_front(c, &fe);
    *mon = monitor_new(mach, c);
    return c;
}

START_TEST(test_focus_banner_prompt)
{
    Monitor *mon;
    Chardev *c = mux_with_monitor(&mon);

    type(c, "ls\n");
    ck_assert_int_eq(guest_n, 3);
    ck_assert_str_eq(output(c), "");             /* nothing from the monitor yet */
    type(c, "\x01" "c");
    ck_assert(chr_mux_monitor_focused(c));
    ck_assert_str_eq(output(c), "\ntandem " TANDEM_VERSION
                     " monitor - type 'help' for more information\n(tandem) ");
    type(c, "\x01" "cx");                        /* back to the guest: input goes there */
    ck_assert_int_eq(guest_n, 4);
    output(c);
    type(c, "\x01" "c");                         /* no second banner */
    ck_assert_str_eq(output(c), "\n(tandem) ");
    monitor_free(mon);
    chr_free(c);
}
END_TEST

START_TEST(test_monitor_alone_has_focus)
{
    Chardev *c = chr_new("ringbuf", "monitor");
    Monitor *mon = monitor_new(mach, c);

    ck_assert(chr_mux_monitor_focused(c));
    ck_assert(strstr(output(c), "(tandem) ") != NULL);
    type(c, "\x01" "c");                         /* nothing to switch to */
    ck_assert(chr_mux_monitor_focused(c));
    monitor_free(mon);
    chr_free(c);
}
END_TEST

START_TEST(test_commands)
{
    Monitor *mon;
    Chardev *c = mux_with_monitor(&mon);
    const char *o;

    type(c, "\x01" "c");
    output(c);
    type(c, "help\r\n");
    o = output(c);
    ck_assert(strncmp(o, "help\n", 5) == 0);     /* echoed; "\r\n" is one line end */
    ck_assert(strstr(o, "info [accel|cpus|registers]") != NULL);
    ck_assert(strstr(o, "system_reset") != NULL);
    ck_assert(strstr(o, "\n(tandem) (tandem) ") == NULL);

    type(c, "bogus 1 2\n");
    ck_assert_str_eq(output(c), "bogus 1 2\nunknown command: 'bogus' (try 'help')\n(tandem) ");
    type(c, "info nothing\n");
    ck_assert(strstr(output(c), "info: unknown item 'nothing'") != NULL);
    type(c, "stop now\n");
    ck_assert(strstr(output(c), "stop: takes no argument (got 'now')") != NULL);

    type(c, "infx\x7f" "o\x1b[A accel\n");       /* backspace; the up arrow is dropped */
    o = output(c);
    ck_assert(strstr(o, "accelerator: tcg\n") != NULL);
    ck_assert(strstr(o, "blocks translated") != NULL);
    type(c, "garbage\x15" "info cpus\n");        /* Ctrl-U erased "garbage" */
    ck_assert(strstr(output(c), "* CPU #0: pc=0x00000000fffffff0") != NULL);
    type(c, "info registers\n");
    o = output(c);
    ck_assert(strstr(o, "CPU#0\n") != NULL);
    ck_assert(strstr(o, "EIP=0000fff0") != NULL);

    for (int i = 0; i < 600; i++) {
        type(c, "x");
    }
    type(c, "\n");
    ck_assert(strstr(output(c), "line too long (at most 511 characters): ignored") != NULL);

    type(c, "accel tcg\n");
    ck_assert(strstr(output(c), "accel: already running on tcg\n") != NULL);
    type(c, "accel warp\n");
    ck_assert(strstr(output(c), "accel: unknown accelerator 'warp' (try tcg or kvm)\n") != NULL);
    ck_assert_ptr_eq(current_accel, &tcg_accel_ops);

    type(c, "stop\n");
    ck_assert(mach->cpus[0]->stop);
    type(c, "c\n");
    ck_assert(!mach->cpus[0]->stop);

    ck_assert_int_eq(guest_n, 0);                /* the guest saw none of it */
    type(c, "q\ninfo accel\n");
    ck_assert(mach->shutdown_requested);
    ck_assert_int_eq(mach->exit_status, 0);
    ck_assert(strstr(output(c), "accelerator:") == NULL);   /* after quit: ignored */
    monitor_free(mon);
    chr_free(c);
}
END_TEST

static Suite *monitor_suite(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("hmp");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_focus_banner_prompt);
    tcase_add_test(tc, test_monitor_alone_has_focus);
    tcase_add_test(tc, test_commands);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(monitor_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

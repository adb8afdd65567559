/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_chardev.c — unit tests of the chardev back ends (backends/chardev.c).
 *
 * Covers the ring buffer (output draining, input queued until a front end exists, flow
 * control through can_read and chr_accept_input), the file back end (created, truncated,
 * unopenable), null, unknown specs, labels, the stdio mux escape (Ctrl-A h/x/a/c, C-a C-a,
 * pass-through, an escape split across reads) and the stdio back end on pipes (input read
 * on the main loop, output written through, only one stdio). Not covered: the terminal's
 * raw mode and the signal handlers (they need a real tty).
 */
#include "util/osdep.h"
#include "backends/chardev.h"
#include "system/main-loop.h"
#include <check.h>
#include <fcntl.h>
#include <unistd.h>

/* A front end that takes at most `budget` bytes until the test gives it more. */
typedef struct TestFront {
    uint8_t got[4096];
    int n;
    int budget;          /* < 0: unlimited */
    int reads;
} TestFront;

static int tf_can_read(void *opaque)
{
    TestFront *t = opaque;
    int room = (int)sizeof(t->got) - t->n;
    return t->budget < 0 ? room : MIN(room, t->budget);
}

static void tf_read(void *opaque, const uint8_t *buf, int len)
{
    TestFront *t = opaque;
    ck_assert_int_le(len, tf_can_read(t));
    memcpy(t->got + t->n, buf, len);
    t->n += len;
    t->reads++;
    if (t->budget >= 0) {
        t->budget -= len;
    }
}

static void tf_attach(Chardev *c, TestFront *t, int budget)
{
    CharFront fe = { .opaque = t, .can_read = tf_can_read, .read = tf_read };
    memset(t, 0, sizeof(*t));
    t->budget = budget;
    chr_set_front(c, &fe);
}

static size_t drain(Chardev *c, char *buf, size_t max)
{
    size_t n = chr_ringbuf_read(c, (uint8_t *)buf, max - 1);
    buf[n] = '\0';
    return n;
}

/* ---------------------------------------------------------------------------------------- */

START_TEST(test_ringbuf_write_read)
{
    Chardev *c = chr_new("ringbuf", "rb0");
    uint8_t buf[16];
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(chr_label(c), "rb0");
    ck_assert_int_eq(chr_write(c, (const uint8_t *)"hello", 5), 5);
    ck_assert_int_eq(chr_write(c, (const uint8_t *)" world", 6), 6);
    ck_assert_uint_eq(chr_ringbuf_read(c, buf, 3), 3);
    ck_assert_int_eq(memcmp(buf, "hel", 3), 0);
    ck_assert_uint_eq(chr_ringbuf_read(c, buf, sizeof(buf)), 8);
    ck_assert_int_eq(memcmp(buf, "lo world", 8), 0);
    ck_assert_uint_eq(chr_ringbuf_read(c, buf, sizeof(buf)), 0);
    chr_free(c);
}
END_TEST

START_TEST(test_ringbuf_grows)
{
    Chardev *c = chr_new("ringbuf", NULL);
    static uint8_t big[100000], back[100000];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 7);
    }
    ck_assert_str_eq(chr_label(c), "ringbuf");
    for (size_t off = 0; off < sizeof(big); off += 1000) {
        ck_assert_int_eq(chr_write(c, big + off, 1000), 1000);
    }
    ck_assert_uint_eq(chr_ringbuf_read(c, back, sizeof(back)), sizeof(big));
    ck_assert_int_eq(memcmp(big, back, sizeof(big)), 0);
    chr_free(c);
}
END_TEST

START_TEST(test_ringbuf_feed_queues_without_front)
{
    Chardev *c = chr_new("ringbuf", "rb");
    TestFront t;
    chr_ringbuf_feed(c, (const uint8_t *)"abc", 3);
    tf_attach(c, &t, -1);           /* pending input arrives when a front end appears */
    ck_assert_int_eq(t.n, 3);
    ck_assert_int_eq(memcmp(t.got, "abc", 3), 0);
    chr_ringbuf_feed(c, (const uint8_t *)"de", 2);   /* delivered at once */
    ck_assert_int_eq(t.n, 5);
    ck_assert_int_eq(memcmp(t.got, "abcde", 5), 0);
    chr_free(c);
}
END_TEST

START_TEST(test_ringbuf_flow_control)
{
    Chardev *c = chr_new("ringbuf", "rb");
    TestFront t;
    const char *msg = "The quick brown fox";
    int len = (int)strlen(msg), rounds = 0;

    tf_attach(c, &t, 2);
    chr_ringbuf_feed(c, (const uint8_t *)msg, len);
    ck_assert_int_eq(t.n, 2);                  /* only what can_read allowed */
    ck_assert_int_eq(memcmp(t.got, "Th", 2), 0);
    chr_accept_input(c);                        /* no room: nothing moves */
    ck_assert_int_eq(t.n, 2);
    while (t.n < len) {
        t.budget = 2;
        chr_accept_input(c);
        rounds++;
        ck_assert_int_le(rounds, len);
    }
    ck_assert_int_eq(rounds, (len - 2 + 1) / 2);
    ck_assert_int_eq(t.n, len);
    ck_assert_int_eq(memcmp(t.got, msg, len), 0);
    chr_free(c);
}
END_TEST

START_TEST(test_file_backend)
{
    char path[] = "/tmp/tandem-chr-XXXXXX";
    int fd = mkstemp(path);
    char spec[64], buf[64];
    ssize_t n;
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "old contents that must go", 25), 25);
    close(fd);

    snprintf(spec, sizeof(spec), "file:%s", path);
    Chardev *c = chr_new(spec, "log");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(chr_write(c, (const uint8_t *)"line 1\r\n", 8), 8);
    ck_assert_int_eq(chr_write(c, (const uint8_t *)"line 2\r\n", 8), 8);
    chr_free(c);

    fd = open(path, O_RDONLY);
    n = read(fd, buf, sizeof(buf));
    close(fd);
    unlink(path);
    ck_assert_int_eq(n, 16);
    ck_assert_int_eq(memcmp(buf, "line 1\r\nline 2\r\n", 16), 0);
}
END_TEST

START_TEST(test_file_unopenable)
{
    ck_assert_ptr_null(chr_new("file:/nonexistent-dir-tandem/x/y", "f"));
}
END_TEST

START_TEST(test_null_and_unknown)
{
    Chardev *c = chr_new("null", "n");
    uint8_t buf[4];
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(chr_write(c, (const uint8_t *)"abc", 3), 3);
    ck_assert_uint_eq(chr_ringbuf_read(c, buf, sizeof(buf)), 0);
    chr_free(c);
    ck_assert_ptr_null(chr_new("bogus", "b"));
    ck_assert_ptr_null(chr_new("tcp:localhost:1", "b"));
    ck_assert_ptr_null(chr_new(NULL, "b"));
}
END_TEST

START_TEST(test_find_by_label)
{
    Chardev *a = chr_new("ringbuf", "serial0");
    Chardev *b = chr_new("null", "serial1");
    ck_assert_ptr_eq(chr_find("serial0"), a);
    ck_assert_ptr_eq(chr_find("serial1"), b);
    ck_assert_ptr_null(chr_find("serial2"));
    chr_free(a);
    ck_assert_ptr_null(chr_find("serial0"));
    ck_assert_ptr_eq(chr_find("serial1"), b);
    chr_free(b);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* The mux escape, driven through a ring buffer (its messages show in the output) */

static int quit_calls;

static void test_quit(void)
{
    quit_calls++;
}

static void mux_in(Chardev *c, const char *s, size_t len)
{
    chr_stdio_input_for_test(c, (const uint8_t *)s, len);
}

START_TEST(test_mux_help)
{
    Chardev *c = chr_new("ringbuf", "mux");
    TestFront t;
    char out[1024];
    tf_attach(c, &t, -1);
    mux_in(c, "\x01h", 2);
    ck_assert_uint_gt(drain(c, out, sizeof(out)), 0);
    ck_assert_ptr_nonnull(strstr(out, "C-a h"));
    ck_assert_ptr_nonnull(strstr(out, "C-a x"));
    ck_assert_ptr_nonnull(strstr(out, "C-a c"));
    ck_assert_ptr_nonnull(strstr(out, "C-a a"));
    ck_assert_int_eq(t.n, 0);          /* the guest saw nothing */
    chr_free(c);
}
END_TEST

START_TEST(test_mux_quit)
{
    Chardev *c = chr_new("ringbuf", "mux");
    TestFront t;
    char out[256];
    tf_attach(c, &t, -1);
    quit_calls = 0;
    chr_quit_hook = test_quit;
    mux_in(c, "ab\x01x", 4);
    ck_assert_int_eq(quit_calls, 1);
    drain(c, out, sizeof(out));
    ck_assert_ptr_nonnull(strstr(out, "tandem: terminated"));
    ck_assert_int_eq(t.n, 2);
    ck_assert_int_eq(memcmp(t.got, "ab", 2), 0);
    chr_quit_hook = NULL;
    chr_free(c);
}
END_TEST

START_TEST(test_mux_send_ctrl_a)
{
    Chardev *c = chr_new("ringbuf", "mux");
    TestFront t;
    uint8_t out[16];
    tf_attach(c, &t, -1);
    mux_in(c, "\x01" "a", 2);
    ck_assert_int_eq(t.n, 1);
    ck_assert_uint_eq(t.got[0], 0x01);
    mux_in(c, "\x01\x01", 2);            /* C-a C-a too */
    ck_assert_int_eq(t.n, 2);
    ck_assert_uint_eq(t.got[1], 0x01);
    ck_assert_uint_eq(chr_ringbuf_read(c, out, sizeof(out)), 0);
    chr_free(c);
}
END_TEST

START_TEST(test_mux_passthrough_and_split)
{
    Chardev *c = chr_new("ringbuf", "mux");
    TestFront t;
    tf_attach(c, &t, -1);
    mux_in(c, "x\x01zy", 4);              /* not an escape: both bytes go through */
    ck_assert_int_eq(t.n, 4);
    ck_assert_int_eq(memcmp(t.got, "x\x01zy", 4), 0);
    mux_in(c, "q\x01", 2);                /* an escape split across two reads */
    ck_assert_int_eq(t.n, 5);
    mux_in(c, "a!", 2);
    ck_assert_int_eq(t.n, 7);
    ck_assert_int_eq(memcmp(t.got + 4, "q\x01!", 3), 0);
    chr_free(c);
}
END_TEST

START_TEST(test_mux_monitor_switch)
{
    Chardev *c = chr_new("ringbuf", "mux");
    TestFront guest, mon;
    CharFront monfe = { .opaque = &mon, .can_read = tf_can_read, .read = tf_read };
    tf_attach(c, &guest, -1);

    mux_in(c, "\x01" "c1", 3);            /* no monitor: C-a c does nothing */
    ck_assert(!chr_mux_monitor_focused(c));
    ck_assert_int_eq(guest.n, 1);
    ck_assert_uint_eq(guest.got[0], '1');

    memset(&mon, 0, sizeof(mon));
    mon.budget = -1;
    chr_mux_set_monitor(c, &monfe);
    mux_in(c, "\x01" "cinfo", 6);
    ck_assert(chr_mux_monitor_focused(c));
    ck_assert_int_eq(mon.n, 4);
    ck_assert_int_eq(memcmp(mon.got, "info", 4), 0);
    ck_assert_int_eq(guest.n, 1);
    mux_in(c, "\x01" "c2", 3);
    ck_assert(!chr_mux_monitor_focused(c));
    ck_assert_int_eq(guest.n, 2);
    ck_assert_uint_eq(guest.got[1], '2');
    ck_assert_int_eq(mon.n, 4);

    mux_in(c, "\x01" "c", 2);             /* removing the monitor returns to the guest */
    chr_mux_set_monitor(c, NULL);
    ck_assert(!chr_mux_monitor_focused(c));
    mux_in(c, "3", 1);
    ck_assert_int_eq(guest.n, 3);
    chr_free(c);
}
END_TEST

START_TEST(test_mux_respects_flow_control)
{
    Chardev *c = chr_new("ringbuf", "mux");
    TestFront t;
    quit_calls = 0;
    chr_quit_hook = test_quit;
    tf_attach(c, &t, 1);
    mux_in(c, "abc\x01x", 5);            /* C-a x works though the guest reads slowly */
    ck_assert_int_eq(quit_calls, 1);
    ck_assert_int_eq(t.n, 1);
    t.budget = 10;
    chr_accept_input(c);
    ck_assert_int_eq(t.n, 3);
    ck_assert_int_eq(memcmp(t.got, "abc", 3), 0);
    chr_quit_hook = NULL;
    chr_free(c);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* The stdio back end on pipes (check forks each test, so fds 0 and 1 are ours to replace) */

START_TEST(test_stdio_pipes)
{
    int in[2], out[2];
    TestFront t;
    char buf[64];
    ssize_t n;
    ck_assert_int_eq(pipe(in), 0);
    ck_assert_int_eq(pipe(out), 0);
    ck_assert_int_ge(dup2(in[0], STDIN_FILENO), 0);
    ck_assert_int_ge(dup2(out[1], STDOUT_FILENO), 0);

    main_loop_init();
    Chardev *c = chr_new("mon:stdio", "serial0");
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_null(chr_new("stdio", "other"));   /* one stdio only */
    tf_attach(c, &t, -1);

    ck_assert_int_eq(write(in[1], "hi\x01" "a", 4), 4);
    for (int i = 0; i < 100 && t.n < 3; i++) {
        main_loop_poll_once(true);
    }
    ck_assert_int_eq(t.n, 3);
    ck_assert_int_eq(memcmp(t.got, "hi\x01", 3), 0);

    ck_assert_int_eq(chr_write(c, (const uint8_t *)"out\n", 4), 4);
    n = read(out[0], buf, sizeof(buf));
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(memcmp(buf, "out\n", 4), 0);   /* no translation */

    /* EOF on stdin stops the watch without disturbing output */
    close(in[1]);
    for (int i = 0; i < 5; i++) {
        main_loop_poll_once(false);
    }
    chr_free(c);
    chr_stdio_restore();
    chr_stdio_restore();
    c = chr_new("stdio", "again");                   /* free released stdio */
    ck_assert_ptr_nonnull(c);
    chr_free(c);
}
END_TEST

static Suite *chardev_suite(void)
{
    Suite *s = suite_create("chardev");
    TCase *tc = tcase_create("ringbuf");
    tcase_add_test(tc, test_ringbuf_write_read);
    tcase_add_test(tc, test_ringbuf_grows);
    tcase_add_test(tc, test_ringbuf_feed_queues_without_front);
    tcase_add_test(tc, test_ringbuf_flow_control);
    suite_add_tcase(s, tc);

    tc = tcase_create("backends");
    tcase_add_test(tc, test_file_backend);
    tcase_add_test(tc, test_file_unopenable);
    tcase_add_test(tc, test_null_and_unknown);
    tcase_add_test(tc, test_find_by_label);
    suite_add_tcase(s, tc);

    tc = tcase_create("mux");
    tcase_add_test(tc, test_mux_help);
    tcase_add_test(tc, test_mux_quit);
    tcase_add_test(tc, test_mux_send_ctrl_a);
    tcase_add_test(tc, test_mux_passthrough_and_split);
    tcase_add_test(tc, test_mux_monitor_switch);
    tcase_add_test(tc, test_mux_respects_flow_control);
    suite_add_tcase(s, tc);

    tc = tcase_create("stdio");
    tcase_add_test(tc, test_stdio_pipes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(chardev_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

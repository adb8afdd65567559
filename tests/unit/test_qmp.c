/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_qmp.c — unit tests of the QMP server (system/qmp.c): a client in the
 * same process connects to its unix socket; the main loop is run by hand between writes.
 *
 * Covers: the greeting, commands refused before qmp_capabilities, negotiation (twice),
 * query-chardev, query-status around stop and cont (the vCPUs' stop flag), "id" echoed as
 * any JSON value, a request split over two writes, two requests in one write, an unknown
 * command, a request without "execute", junk between requests, quit (shutdown requested,
 * status 0), a second client beside the first, a stale socket file replaced.
 * The machine has one x86 CPU and no vCPU thread.
 */
#include "util/osdep.h"
#include "system/qmp.h"
#include "system/main-loop.h"
#include "accel/accel.h"
#include <check.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static Machine *mach;
static QmpServer *srv;
static char sock_path[64];

static void setup(void)
{
    char err[128];

    mach = xzalloc(sizeof(*mach));
    mach->cpus[0] = cpu_create(&x86_cpu_class, "qemu64", 0, mach);
    ck_assert_ptr_nonnull(mach->cpus[0]);
    mach->ncpus = 1;
    current_accel = &tcg_accel_ops;
    main_loop_init();
    bql_lock();
    snprintf(sock_path, sizeof(sock_path), "/tmp/tandem-test-qmp-%d", (int)getpid());
    srv = qmp_server_new(mach, sock_path, err, sizeof(err));
    ck_assert_msg(srv != NULL, "%s", err);
}

static void teardown(void)
{
    qmp_server_free(srv);
    ck_assert_int_ne(access(sock_path, F_OK), 0);
    bql_unlock();
    free(cpu_arch_state(mach->cpus[0]));
    free(mach);
}

static int client(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    strcpy(sa.sun_path, sock_path);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

/* The next line the server sent to fd (without "\r\n"), running the main loop meanwhile. */
static const char *next_line(int fd)
{
    static char line[4096];
    size_t n = 0;

    for (int tries = 0; tries < 2000; tries++) {
        char ch;
        ssize_t r = recv(fd, &ch, 1, MSG_DONTWAIT);
        if (r == 1) {
            if (ch == '\n') {
                if (n && line[n - 1] == '\r') {
                    n--;
                }
                line[n] = '\0';
                return line;
            }
            ck_assert_uint_lt(n, sizeof(line) - 1);
            line[n++] = ch;
            tries = 0;
            continue;
        }
        ck_assert_msg(r < 0, "the server closed the connection");
        main_loop_poll_once(false);
        usleep(500);
    }
    ck_abort_msg("no reply from the QMP server");
    return NULL;
}

static void send_str(int fd, const char *s)
{
    ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void xchg(int fd, const char *req, const char *want)
{
    send_str(fd, req);
    ck_assert_str_eq(next_line(fd), want);
}

static int negotiated_client(void)
{
    int fd = client();

    ck_assert_ptr_nonnull(strstr(next_line(fd), "\"QMP\": {\"version\""));
    xchg(fd, "{\"execute\": \"qmp_capabilities\"}\r\n", "{\"return\": {}}");
    return fd;
}

START_TEST(greeting_and_negotiation)
{
    int fd = client();
    const char *g = next_line(fd);

    ck_assert_ptr_nonnull(strstr(g, "{\"QMP\": {\"version\": {\"qemu\": "));
    ck_assert_ptr_nonnull(strstr(g, "\"capabilities\": []}}"));
    xchg(fd, "{\"execute\": \"query-chardev\", \"id\": 1}",
         "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities "
         "negotiation with 'qmp_capabilities'\"}, \"id\": 1}");
    xchg(fd, "{\"execute\": \"qmp_capabilities\", \"id\": 2}\n", "{\"return\": {}, \"id\": 2}");
    xchg(fd, "{\"execute\": \"query-chardev\", \"id\": \"libxl-3\"}", "{\"return\": [], \"id\": \"libxl-3\"}");
    xchg(fd, "{ \"id\" : {\"a\": [1, \"}\"]}, \"execute\" : \"qmp_capabilities\" }",
         "{\"return\": {}, \"id\": {\"a\": [1, \"}\"]}}");
    close(fd);
}
END_TEST

START_TEST(stop_cont_status)
{
    int fd = negotiated_client();

    xchg(fd, "{\"execute\": \"query-status\"}",
         "{\"return\": {\"running\": true, \"singlestep\": false, \"status\": \"running\"}}");
    xchg(fd, "{\"execute\": \"stop\", \"id\": 5}", "{\"return\": {}, \"id\": 5}");
    ck_assert(mach->cpus[0]->stop);
    ck_assert(qmp_server_stopped(srv));
    xchg(fd, "{\"execute\": \"query-status\"}",
         "{\"return\": {\"running\": false, \"singlestep\": false, \"status\": \"paused\"}}");
    xchg(fd, "{\"execute\": \"cont\", \"id\": 6}", "{\"return\": {}, \"id\": 6}");
    ck_assert(!mach->cpus[0]->stop);
    ck_assert(!qmp_server_stopped(srv));
    close(fd);
}
END_TEST

START_TEST(framing)
{
    int fd = negotiated_client();

    send_str(fd, "{\"execute\": \"query-ch");
    main_loop_poll_once(false);
    xchg(fd, "ardev\", \"id\": 7}", "{\"return\": [], \"id\": 7}");
    send_str(fd, "{\"execute\": \"cont\", \"id\": 8}{\"execute\": \"query-chardev\", \"id\": 9}\r\n");
    ck_assert_str_eq(next_line(fd), "{\"return\": {}, \"id\": 8}");
    ck_assert_str_eq(next_line(fd), "{\"return\": [], \"id\": 9}");
    close(fd);
}
END_TEST

START_TEST(errors)
{
    int fd = negotiated_client();

    xchg(fd, "{\"execute\": \"frobnicate\", \"id\": 10}",
         "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command frobnicate has "
         "not been found\"}, \"id\": 10}");
    xchg(fd, "{\"id\": 11}",
         "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input lacks member "
         "'execute'\"}, \"id\": 11}");
    xchg(fd, "{\"execute\": 12}",
         "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error: expected "
         "one object\"}}");
    xchg(fd, "junk {\"execute\": \"query-chardev\"}",
         "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error: expected an "
         "object\"}}");
    ck_assert_str_eq(next_line(fd), "{\"return\": []}");
    close(fd);
}
END_TEST

START_TEST(two_clients_and_quit)
{
    int a = negotiated_client(), b = client();

    ck_assert_ptr_nonnull(strstr(next_line(b), "\"QMP\""));
    xchg(b, "{\"execute\": \"cont\"}",
         "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities "
         "negotiation with 'qmp_capabilities'\"}}");
    ck_assert(!mach->shutdown_requested);
    xchg(a, "{\"execute\": \"quit\", \"id\": \"q\"}", "{\"return\": {}, \"id\": \"q\"}");
    ck_assert(mach->shutdown_requested);
    ck_assert_int_eq(mach->exit_status, 0);
    close(a);
    close(b);
}
END_TEST

START_TEST(stale_socket_replaced)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char err[128];
    int fd;

    /* the file a server leaves behind when it dies must not block the next one */
    qmp_server_free(srv);
    strcpy(sa.sun_path, sock_path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
    ck_assert_int_eq(access(sock_path, F_OK), 0);
    srv = qmp_server_new(mach, sock_path, err, sizeof(err));
    ck_assert_msg(srv != NULL, "%s", err);
    close(negotiated_client());
}
END_TEST

static Suite *qmp_suite(void)
{
    Suite *s = suite_create("qmp");
    TCase *tc = tcase_create("server");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, greeting_and_negotiation);
    tcase_add_test(tc, stop_cont_status);
    tcase_add_test(tc, framing);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, two_clients_and_quit);
    tcase_add_test(tc, stale_socket_replaced);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(qmp_suite());
    int failed;

    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}

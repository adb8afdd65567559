/* SPDX-License-Identifier: MIT */
/*
 * test_main_loop.c — the main loop's timers (system/main-loop.c): timers on clocks that
 * run apart (the virtual clock pauses) fire in the order of their deadlines, whenever
 * they were armed, and a paused virtual clock holds its timers back.
 */
#include "util/osdep.h"
#include "system/main-loop.h"
#include <check.h>

static int order[4], nfired;

static void fired(void *opaque)
{
    order[nfired++] = (int)(intptr_t)opaque;
}

/* Poll until n timers fired or ms milliseconds passed; the milliseconds taken. */
static int64_t poll_until(int n, int64_t ms)
{
    int64_t start = clock_get_ns(CLOCK_REALTIME_NS);

    while (nfired < n && clock_get_ns(CLOCK_REALTIME_NS) - start < ms * 1000000) {
        main_loop_poll_once(true);
    }
    return (clock_get_ns(CLOCK_REALTIME_NS) - start) / 1000000;
}

START_TEST(test_timer_armed_while_paused)
{
    Timer *v, *r;

    main_loop_init();
    nfired = 0;
    v = timer_new(CLOCK_VIRTUAL_NS, fired, (void *)1);
    r = timer_new(CLOCK_REALTIME_NS, fired, (void *)2);
    /* armed while the virtual clock is paused: it has no remaining time yet */
    clock_virtual_pause(true);
    timer_mod(v, clock_get_ns(CLOCK_VIRTUAL_NS) + 2000000);        /* 2 ms of guest time */
    timer_mod(r, clock_get_ns(CLOCK_REALTIME_NS) + 3000000000LL);  /* 3 s */
    poll_until(1, 20);
    ck_assert_int_eq(nfired, 0);            /* held back while paused */
    clock_virtual_pause(false);
    poll_until(1, 2500);
    ck_assert_int_eq(nfired, 1);
    ck_assert_int_eq(order[0], 1);          /* the virtual timer, long before the 3 s one */
    ck_assert(timer_pending(r));
    timer_free(v);
    timer_free(r);
}
END_TEST

START_TEST(test_timers_fire_by_deadline)
{
    Timer *t[3];

    main_loop_init();
    nfired = 0;
    for (int i = 0; i < 3; i++) {
        t[i] = timer_new(i == 1 ? CLOCK_REALTIME_NS : CLOCK_VIRTUAL_NS, fired,
                         (void *)(intptr_t)(i + 1));
    }
    /* armed in another order than their deadlines: 30 ms, 10 ms, 20 ms */
    timer_mod(t[0], clock_get_ns(CLOCK_VIRTUAL_NS) + 30000000);
    timer_mod(t[1], clock_get_ns(CLOCK_REALTIME_NS) + 10000000);
    timer_mod(t[2], clock_get_ns(CLOCK_VIRTUAL_NS) + 20000000);
    poll_until(3, 2000);
    ck_assert_int_eq(nfired, 3);
    ck_assert_int_eq(order[0], 2);
    ck_assert_int_eq(order[1], 3);
    ck_assert_int_eq(order[2], 1);
    /* a deleted timer never fires: the one armed after it, later, comes first */
    nfired = 0;
    timer_mod(t[0], clock_get_ns(CLOCK_VIRTUAL_NS) + 1000000);
    timer_mod(t[1], clock_get_ns(CLOCK_REALTIME_NS) + 20000000);
    timer_del(t[0]);
    poll_until(1, 2000);
    ck_assert_int_eq(nfired, 1);
    ck_assert_int_eq(order[0], 2);
    for (int i = 0; i < 3; i++) {
        timer_free(t[i]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("main_loop");
    TCase *tc = tcase_create("timers");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_timer_armed_while_paused);
    tcase_add_test(tc, test_timers_fire_by_deadline);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

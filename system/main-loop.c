/* SPDX-License-Identifier: MIT */
/*
 * system/main-loop.c — clocks, timers and the main loop on glib's default GMainContext.
 * The main thread holds the big lock except while it polls; timer callbacks and fd
 * handlers therefore run with the lock held. Timer expiry has millisecond-or-better
 * resolution (the poll timeout is rounded up to whole milliseconds).
 */
#include "system/main-loop.h"
#include "cpu/cpu.h"
#include <glib.h>
#include <glib-unix.h>
#include <time.h>

struct Timer {
    ClockType type;
    TimerCb cb;
    void *opaque;
    int64_t expire;
    bool pending;
    Timer *next;
};

/* The armed timers, unordered: the clocks run apart (the virtual clock pauses), so an
 * order fixed when a timer is armed does not hold; there are only a few, and each pass
 * looks at all of them. */
static Timer *active_timers;
static int64_t virtual_offset;      /* CLOCK_VIRTUAL = monotonic - virtual_offset */
static int64_t virtual_paused_at = -1;
static volatile bool loop_quit;
static int loop_status;
void (*main_loop_request_hook)(void);

static int64_t host_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t clock_get_ns(ClockType type)
{
    switch (type) {
    case CLOCK_VIRTUAL_NS:
        if (virtual_paused_at >= 0) {
            return virtual_paused_at - virtual_offset;
        }
        return host_clock(CLOCK_MONOTONIC) - virtual_offset;
    case CLOCK_HOST_NS:
        return host_clock(CLOCK_REALTIME);
    case CLOCK_REALTIME_NS:
    default:
        return host_clock(CLOCK_MONOTONIC);
    }
}

void clock_virtual_pause(bool paused)
{
    int64_t now = host_clock(CLOCK_MONOTONIC);
    if (paused && virtual_paused_at < 0) {
        virtual_paused_at = now;
    } else if (!paused && virtual_paused_at >= 0) {
        virtual_offset += now - virtual_paused_at;
        virtual_paused_at = -1;
    }
}

/* Nanoseconds of host monotonic time until t fires (virtual time paused: never). */
static int64_t timer_remaining(const Timer *t)
{
    if (t->type == CLOCK_VIRTUAL_NS && virtual_paused_at >= 0) {
        return INT64_MAX;
    }
    return t->expire - clock_get_ns(t->type);
}

Timer *timer_new(ClockType type, TimerCb cb, void *opaque)
{
    Timer *t = xzalloc(sizeof(*t));
    t->type = type;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

void timer_del(Timer *t)
{
    for (Timer **pp = &active_timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->pending = false;
}

void timer_free(Timer *t)
{
    if (t) {
        timer_del(t);
        free(t);
    }
}

void timer_mod(Timer *t, int64_t expire_ns)
{
    timer_del(t);
    t->expire = expire_ns;
    t->pending = true;
    t->next = active_timers;
    active_timers = t;
    main_loop_wakeup();
}

/* The armed timer that fires first, or NULL; its remaining time in *rem. */
static Timer *timer_first(int64_t *rem)
{
    Timer *first = NULL;

    *rem = INT64_MAX;
    for (Timer *t = active_timers; t; t = t->next) {
        int64_t r = timer_remaining(t);
        if (!first || r < *rem) {
            first = t;
            *rem = r;
        }
    }
    return first;
}

bool timer_pending(const Timer *t)
{
    return t->pending;
}

int64_t timer_expire_time(const Timer *t)
{
    return t->expire;
}

static void run_timers(void)
{
    int64_t rem;
    Timer *t;

    /* a callback may re-arm itself; bound the passes to avoid a tight spin */
    for (int n = 0; n < 1000 && (t = timer_first(&rem)) && rem <= 0; n++) {
        timer_del(t);
        t->cb(t->opaque);
    }
}

static int next_timeout_ms(void)
{
    int64_t rem;

    if (!timer_first(&rem) || rem == INT64_MAX) {
        return -1;
    }
    if (rem <= 0) {
        return 0;
    }
    return (int)MIN((rem + 999999) / 1000000, 1000);
}

typedef struct FdWatch {
    FdReadCb cb;
    void *opaque;
} FdWatch;

static gboolean fd_dispatch(gint fd, GIOCondition cond, gpointer data)
{
    FdWatch *w = data;
    w->cb(w->opaque);
    return G_SOURCE_CONTINUE;
}

unsigned main_loop_add_fd(int fd, FdReadCb cb, void *opaque)
{
    FdWatch *w = xzalloc(sizeof(*w));
    w->cb = cb;
    w->opaque = opaque;
    return g_unix_fd_add_full(G_PRIORITY_DEFAULT, fd, G_IO_IN | G_IO_HUP | G_IO_ERR, fd_dispatch,
                              w, free);
}

void main_loop_remove_fd(unsigned handle)
{
    g_source_remove(handle);
}

void main_loop_init(void)
{
    virtual_offset = host_clock(CLOCK_MONOTONIC);
}

void main_loop_wakeup(void)
{
    g_main_context_wakeup(g_main_context_default());
}

void main_loop_poll_once(bool may_block)
{
    GMainContext *ctx = g_main_context_default();
    GPollFD fds[64];
    gint prio, tmo, nfds;
    bool had_lock = bql_locked();
    if (!had_lock) {
        bql_lock();
    }
    g_main_context_acquire(ctx);
    g_main_context_prepare(ctx, &prio);
    nfds = g_main_context_query(ctx, prio, &tmo, fds, ARRAY_SIZE(fds));
    int t = next_timeout_ms();
    if (!may_block) {
        t = 0;
    } else if (tmo >= 0 && (t < 0 || tmo < t)) {
        t = tmo;
    }
    bql_unlock();
    g_poll(fds, nfds, t);
    bql_lock();
    if (g_main_context_check(ctx, prio, fds, nfds)) {
        g_main_context_dispatch(ctx);
    }
    g_main_context_release(ctx);
    run_timers();
    if (main_loop_request_hook) {
        main_loop_request_hook();
    }
    if (!had_lock) {
        bql_unlock();
    }
}

int main_loop_run(void)
{
    loop_quit = false;
    while (!loop_quit) {
        main_loop_poll_once(true);
    }
    return loop_status;
}

void main_loop_quit(int status)
{
    loop_status = status;
    loop_quit = true;
    main_loop_wakeup();
}

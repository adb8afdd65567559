/* SPDX-License-Identifier: MIT */
/*
 * system/main-loop.h — clocks, timers and the main loop (a glib GMainContext).
 * Timer callbacks and fd handlers run on the main loop thread with the big lock held.
 * CLOCK_VIRTUAL follows the host's monotonic clock but stops while the VM is stopped;
 * CLOCK_HOST is the host's wall-clock time (for RTCs); CLOCK_REALTIME is host monotonic.
 */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include "util/osdep.h"

typedef enum ClockType { CLOCK_VIRTUAL_NS, CLOCK_HOST_NS, CLOCK_REALTIME_NS } ClockType;

int64_t clock_get_ns(ClockType type);
/* Stop/restart CLOCK_VIRTUAL (VM stop/cont). */
void clock_virtual_pause(bool paused);

typedef struct Timer Timer;
typedef void (*TimerCb)(void *opaque);
Timer *timer_new(ClockType type, TimerCb cb, void *opaque);
void timer_free(Timer *t);
/* Fire at the absolute time `expire_ns` of the timer's clock (re-arms if pending). */
void timer_mod(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(const Timer *t);
int64_t timer_expire_time(const Timer *t);

/* Watch a host fd for input: cb runs on the main loop (big lock held) when readable;
 * returns a handle for main_loop_remove_fd. */
typedef void (*FdReadCb)(void *opaque);
unsigned main_loop_add_fd(int fd, FdReadCb cb, void *opaque);
void main_loop_remove_fd(unsigned handle);

void main_loop_init(void);
/* Run until main_loop_quit(); returns the status passed to it. */
int main_loop_run(void);
void main_loop_quit(int status);
/* Wake the main loop from another thread (it then checks machine requests). */
void main_loop_wakeup(void);
/* Run pending timers/fds once without blocking (tests). */
void main_loop_poll_once(bool may_block);
/* Called by the main loop after every wake-up (set by system/vl.c): handles requests. */
extern void (*main_loop_request_hook)(void);

#endif

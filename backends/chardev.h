/* SPDX-License-Identifier: MIT */
/*
 * backends/chardev.h — character devices: the host ends of UARTs and consoles.
 *
 * Back ends, chosen by a spec string (QEMU's -serial syntax):
 *   "stdio"     the terminal, in raw mode while tandem runs (restored on every exit path),
 *               with the Ctrl-A escape: Ctrl-A x quits, Ctrl-A h prints help, Ctrl-A a
 *               sends a Ctrl-A, Ctrl-A c switches between the guest and the monitor
 *               (when a monitor front end is attached);
 *   "mon:stdio" the same; system/main.c attaches the monitor to it by default;
 *   "file:PATH" output written to PATH (created, or truncated if it exists), no input;
 *   "pipe:PATH" input read from PATH.in, output written to PATH.out (FIFOs the user made,
 *               or files), or both through PATH when neither exists (QEMU's pipe
 *               back end); no Ctrl-A escape;
 *   "ringbuf"   output kept in memory for tests (chr_ringbuf_read), input injected with
 *               chr_ringbuf_feed;
 *   "null"      output dropped, no input.
 * Input is delivered on the main loop thread with the big lock held, only as much as the
 * front end's can_read() allows; the rest waits until the front end calls chr_accept_input().
 */
#ifndef BACKENDS_CHARDEV_H
#define BACKENDS_CHARDEV_H

#include "util/osdep.h"

typedef struct Chardev Chardev;

typedef struct CharFront {
    void *opaque;
    int (*can_read)(void *opaque);                          /* bytes it can take now */
    void (*read)(void *opaque, const uint8_t *buf, int len);
    /* The stdio mux gave (true) or took (false) the input focus (monitor front ends only;
     * may be NULL): the monitor prints its prompt when it gets the terminal. */
    void (*focus)(void *opaque, bool focused);
} CharFront;

/* Create from a spec; NULL after error_report() for an unknown or unusable spec. */
Chardev *chr_new(const char *spec, const char *label);
void chr_free(Chardev *c);
const char *chr_label(const Chardev *c);
void chr_set_front(Chardev *c, const CharFront *fe);
/* Write all bytes (blocking for files and terminals). Returns len or -errno. */
int chr_write(Chardev *c, const uint8_t *buf, int len);
/* The front end can take more input now (re-polls pending input). */
void chr_accept_input(Chardev *c);

/* ring buffer back end (tests) */
size_t chr_ringbuf_read(Chardev *c, uint8_t *buf, size_t max);   /* drains */
void chr_ringbuf_feed(Chardev *c, const uint8_t *buf, size_t len); /* as if typed */

/* The monitor front end on the stdio mux (Ctrl-A c); NULL disables switching. On a
 * chardev that has no other front end (QEMU's -monitor stdio beside -serial file:..) the
 * monitor has the input from the start and Ctrl-A c leaves it there. */
void chr_mux_set_monitor(Chardev *c, const CharFront *monitor);
/* Restore the terminal (called at exit; safe to call more than once). */
void chr_stdio_restore(void);
/* Called when the user asks to quit (Ctrl-A x); set by system/main.c. When NULL, Ctrl-A x
 * calls exit(0) (atexit restores the terminal). */
extern void (*chr_quit_hook)(void);

/* The chardev created with this label, or NULL (for -device ...,chardev=LABEL). */
Chardev *chr_find(const char *label);
/* Whether Ctrl-A c has switched the mux input to the monitor. */
bool chr_mux_monitor_focused(const Chardev *c);
/* Run bytes through the stdio mux (the Ctrl-A escape) as if typed on the terminal: the
 * stdio back end does this with what it reads. For tests it works on any back end (a
 * "ringbuf" shows the mux's messages in chr_ringbuf_read). */
void chr_stdio_input_for_test(Chardev *c, const uint8_t *buf, size_t len);

#endif

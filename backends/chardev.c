/* SPDX-License-Identifier: MIT */
/*
 * backends/chardev.c — character device back ends: stdio (with the Ctrl-A mux), file,
 * pipe, ring buffer and null.
 *
 * Models the host side of a serial line the way QEMU's -serial/-chardev does: output is
 * written through at once (blocking), input is queued per front end and handed over only
 * as fast as the front end's can_read() allows, so a UART whose FIFO is full never loses
 * a byte; the front end calls chr_accept_input() when it has room again.
 *
 * The stdio back end puts the terminal into raw mode (no echo, no line editing, no signal
 * keys, no output translation: the guest sends its own "\r\n") and restores it on exit,
 * on the fatal signals and from chr_stdio_restore(). Ctrl-A starts an escape (see
 * chr_mux_help). When stdin is not a terminal nothing is changed and input is read as it
 * comes (EOF stops reading).
 *
 * The pipe back end is QEMU's "pipe:PATH": input is read from PATH.in and output written
 * to PATH.out, both opened read-write so that opening a FIFO never waits for its other end
 * and a writer that closes the FIFO is no end of file; when neither exists, PATH itself
 * serves both directions. Input is read as it comes, without the Ctrl-A escape.
 *
 * Not implemented: sockets, pty, serial break from the host (Ctrl-A b), log timestamps
 * (Ctrl-A t), more than one stdio chardev at a time.
 */
#include "util/osdep.h"
#include "backends/chardev.h"
#include "system/main-loop.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#define CHR_CTRL_A 0x01
/* Stop reading the terminal (or a pipe) while this much input waits for a slow front end. */
#define CHR_INPUT_HIGH (64 * 1024)

typedef enum ChrKind {
    CHR_KIND_STDIO,
    CHR_KIND_FILE,
    CHR_KIND_PIPE,
    CHR_KIND_RINGBUF,
    CHR_KIND_NULL,
} ChrKind;

/* A growable FIFO of bytes: data lives in buf[start, start + len). */
typedef struct ChrQueue {
    uint8_t *buf;
    size_t start, len, cap;
} ChrQueue;

struct Chardev {
    ChrKind kind;
    char *label;
    CharFront fe;
    bool has_fe;
    CharFront mon;               /* the monitor on the mux (Ctrl-A c) */
    bool has_mon;
    bool focus_mon;              /* input goes to the monitor */
    ChrQueue in_fe, in_mon;      /* input waiting for each front end */
    ChrQueue out;                /* ringbuf: output kept for chr_ringbuf_read */
    int in_fd, out_fd;           /* -1 when absent */
    unsigned watch;              /* main loop handle of in_fd, 0 = not watched */
    bool in_eof;
    bool escape;                 /* the previous input byte was Ctrl-A */
    bool delivering;             /* guards chr_deliver against re-entry from a front end */
    Chardev *next;
};

void (*chr_quit_hook)(void);

static Chardev *chr_list;
static Chardev *stdio_chr;

/* Terminal state, read by the signal handlers. */
static struct termios stdio_saved_tio;
static volatile sig_atomic_t stdio_tio_saved;
static bool stdio_handlers_installed;

static const char chr_mux_help[] =
    "\r\n"
    "C-a h    print this help\r\n"
    "C-a x    exit tandem\r\n"
    "C-a c    switch between the console and the monitor\r\n"
    "C-a a    send C-a to the guest\r\n"
    "C-a C-a  send C-a to the guest\r\n";

/* ----------------------------------------------------------------------------------------
 * Byte queues
 */

static void chrq_push(ChrQueue *q, const uint8_t *data, size_t len)
{
    if (!len) {
        return;
    }
    if (q->start + q->len + len > q->cap) {
        if (q->start) {
            memmove(q->buf, q->buf + q->start, q->len);
            q->start = 0;
        }
        if (q->len + len > q->cap) {
            size_t cap = q->cap ? q->cap : 256;
            while (cap < q->len + len) {
                cap *= 2;
            }
            uint8_t *nb = xmalloc(cap);
            if (q->len) {
                memcpy(nb, q->buf, q->len);
            }
            free(q->buf);
            q->buf = nb;
            q->cap = cap;
        }
    }
    memcpy(q->buf + q->start + q->len, data, len);
    q->len += len;
}

static size_t chrq_pop(ChrQueue *q, uint8_t *data, size_t max)
{
    size_t n = MIN(max, q->len);
    if (n) {
        memcpy(data, q->buf + q->start, n);
        q->start += n;
        q->len -= n;
    }
    if (!q->len) {
        q->start = 0;
    }
    return n;
}

static void chrq_free(ChrQueue *q)
{
    free(q->buf);
    memset(q, 0, sizeof(*q));
}

/* ----------------------------------------------------------------------------------------
 * Output
 */

static int chr_write_fd(int fd, const uint8_t *buf, int len)
{
    int done = 0;
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                /* someone made the fd non-blocking: wait until it drains */
                struct pollfd p = { .fd = fd, .events = POLLOUT };
                poll(&p, 1, -1);
                continue;
            }
            return -errno;
        }
        done += (int)n;
    }
    return len;
}

int chr_write(Chardev *c, const uint8_t *buf, int len)
{
    if (!c || len <= 0) {
        return len < 0 ? -EINVAL : 0;
    }
    switch (c->kind) {
    case CHR_KIND_STDIO:
    case CHR_KIND_FILE:
    case CHR_KIND_PIPE:
        return chr_write_fd(c->out_fd, buf, len);
    case CHR_KIND_RINGBUF:
        chrq_push(&c->out, buf, (size_t)len);
        return len;
    case CHR_KIND_NULL:
    default:
        return len;
    }
}

static void chr_print(Chardev *c, const char *s)
{
    chr_write(c, (const uint8_t *)s, (int)strlen(s));
}

size_t chr_ringbuf_read(Chardev *c, uint8_t *buf, size_t max)
{
    if (!c || c->kind != CHR_KIND_RINGBUF) {
        return 0;
    }
    return chrq_pop(&c->out, buf, max);
}

/* ----------------------------------------------------------------------------------------
 * Input: queues per front end, delivered under flow control
 */

static void chr_in_watch(Chardev *c, bool on);

static void chr_deliver_queue(ChrQueue *q, const CharFront *fe)
{
    uint8_t tmp[256];
    while (q->len) {
        int room = fe->can_read ? fe->can_read(fe->opaque) : (int)sizeof(tmp);
        if (room <= 0) {
            break;
        }
        /* pop before calling read: the front end may feed more input from its callback */
        size_t n = chrq_pop(q, tmp, MIN((size_t)room, sizeof(tmp)));
        fe->read(fe->opaque, tmp, (int)n);
    }
}

static void chr_deliver(Chardev *c)
{
    if (c->delivering) {
        return;   /* the outer loop re-polls can_read after every read */
    }
    c->delivering = true;
    if (c->has_fe) {
        chr_deliver_queue(&c->in_fe, &c->fe);
    }
    if (c->has_mon) {
        chr_deliver_queue(&c->in_mon, &c->mon);
    }
    c->delivering = false;
    if (c->in_fd >= 0 && c->in_fe.len + c->in_mon.len < CHR_INPUT_HIGH) {
        chr_in_watch(c, true);
    }
}

/* Input for whichever front end has the focus. */
static void chr_queue_input(Chardev *c, const uint8_t *buf, size_t len)
{
    chrq_push(c->focus_mon ? &c->in_mon : &c->in_fe, buf, len);
}

void chr_accept_input(Chardev *c)
{
    if (c) {
        chr_deliver(c);
    }
}

void chr_ringbuf_feed(Chardev *c, const uint8_t *buf, size_t len)
{
    if (!c) {
        return;
    }
    chrq_push(&c->in_fe, buf, len);
    chr_deliver(c);
}

static void chr_mux_set_focus(Chardev *c, bool monitor)
{
    c->focus_mon = monitor;
    if (c->has_mon && c->mon.focus) {
        c->mon.focus(c->mon.opaque, monitor);
    }
}

/* The Ctrl-A escape of the stdio mux. */
static void chr_mux_input(Chardev *c, const uint8_t *buf, size_t len)
{
    static const uint8_t ctrl_a = CHR_CTRL_A;
    size_t run = 0;     /* start of the current run of plain bytes */

    for (size_t i = 0; i < len; i++) {
        uint8_t ch = buf[i];
        if (!c->escape) {
            if (ch == CHR_CTRL_A) {
                chr_queue_input(c, buf + run, i - run);
                c->escape = true;
                run = i + 1;
            }
            continue;
        }
        c->escape = false;
        run = i + 1;
        switch (ch) {
        case 'x':
            chr_print(c, "\r\ntandem: terminated\r\n");
            if (chr_quit_hook) {
                chr_quit_hook();
            } else {
                exit(0);
            }
            break;
        case 'h':
        case '?':
            chr_print(c, chr_mux_help);
            break;
        case 'a':
        case CHR_CTRL_A:
            chr_queue_input(c, &ctrl_a, 1);
            break;
        case 'c':
            if (c->has_mon && c->has_fe) {
                /* what was typed before the escape goes to the side that had the focus */
                chr_deliver(c);
                chr_mux_set_focus(c, !c->focus_mon);
            }
            break;
        default:
            /* not an escape: the guest gets both bytes */
            chr_queue_input(c, &ctrl_a, 1);
            chr_queue_input(c, &ch, 1);
            break;
        }
    }
    chr_queue_input(c, buf + run, len - run);
    chr_deliver(c);
}

void chr_stdio_input_for_test(Chardev *c, const uint8_t *buf, size_t len)
{
    chr_mux_input(c, buf, len);
}

void chr_mux_set_monitor(Chardev *c, const CharFront *monitor)
{
    if (!c) {
        return;
    }
    if (monitor) {
        c->mon = *monitor;
        c->has_mon = true;
        if (!c->has_fe) {
            chr_mux_set_focus(c, true);
        }
        chr_deliver(c);
    } else {
        c->has_mon = false;
        c->focus_mon = false;
        chrq_free(&c->in_mon);
    }
}

bool chr_mux_monitor_focused(const Chardev *c)
{
    return c && c->focus_mon;
}

void chr_set_front(Chardev *c, const CharFront *fe)
{
    if (!c) {
        return;
    }
    if (fe) {
        c->fe = *fe;
        c->has_fe = true;
        chr_deliver(c);
    } else {
        c->has_fe = false;
    }
}

/* ----------------------------------------------------------------------------------------
 * stdio: terminal mode, signals, reading
 */

void chr_stdio_restore(void)
{
    /* async-signal-safe: only tcsetattr */
    if (stdio_tio_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved_tio);
    }
}

static void chr_stdio_signal(int sig)
{
    chr_stdio_restore();
    /* SA_RESETHAND made the action the default again: this re-raise ends the process
     * the way the signal would have without us (it is delivered when we return). */
    raise(sig);
}

static void chr_stdio_install_handlers(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT };
    if (stdio_handlers_installed) {
        return;
    }
    stdio_handlers_installed = true;
    atexit(chr_stdio_restore);
    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
        struct sigaction old, sa;
        /* leave ignored signals ignored and handlers someone else installed alone (their
         * exit path runs atexit, which restores the terminal) */
        if (sigaction(sigs[i], NULL, &old) < 0 || old.sa_handler != SIG_DFL ||
            (old.sa_flags & SA_SIGINFO)) {
            continue;
        }
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = chr_stdio_signal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

static void chr_stdio_raw(void)
{
    struct termios tio;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &tio) < 0) {
        return;
    }
    stdio_saved_tio = tio;
    stdio_tio_saved = 1;
    chr_stdio_install_handlers();
    tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tio.c_oflag &= ~OPOST;
    tio.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    tio.c_cflag &= ~(CSIZE | PARENB);
    tio.c_cflag |= CS8;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &tio);
}

/* Input from the terminal (through the Ctrl-A mux) or a pipe (as it is). */
static void chr_fd_readable(void *opaque)
{
    Chardev *c = opaque;
    uint8_t buf[4096];
    ssize_t n = read(c->in_fd, buf, sizeof(buf));
    if (n > 0) {
        if (c->kind == CHR_KIND_STDIO) {
            chr_mux_input(c, buf, (size_t)n);
        } else {
            chr_queue_input(c, buf, (size_t)n);
            chr_deliver(c);
        }
        if (c->in_fe.len + c->in_mon.len >= CHR_INPUT_HIGH) {
            chr_in_watch(c, false);   /* resumed by chr_deliver once drained */
        }
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        c->in_eof = true;
        chr_in_watch(c, false);
    }
}

static void chr_in_watch(Chardev *c, bool on)
{
    if (on && !c->watch && c->in_fd >= 0 && !c->in_eof) {
        c->watch = main_loop_add_fd(c->in_fd, chr_fd_readable, c);
    } else if (!on && c->watch) {
        main_loop_remove_fd(c->watch);
        c->watch = 0;
    }
}

/* ----------------------------------------------------------------------------------------
 * Creation
 */

/* pipe:PATH: PATH.in and PATH.out, or PATH for both when neither exists. */
static int chr_open_pipe(Chardev *c, const char *path, const char *name)
{
    size_t len = strlen(path) + 5;
    char *in = xmalloc(len), *out = xmalloc(len);
    int r = 0, in_err, out_err;

    if (!*path) {
        error_report("chardev '%s': pipe: needs a path (pipe:PATH opens PATH.in and PATH.out)",
                     name);
        free(in);
        free(out);
        return -1;
    }
    snprintf(in, len, "%s.in", path);
    snprintf(out, len, "%s.out", path);
    c->in_fd = open(in, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    in_err = errno;
    c->out_fd = open(out, O_RDWR | O_CLOEXEC);
    out_err = errno;
    if (c->in_fd < 0 && c->out_fd < 0 && in_err == ENOENT && out_err == ENOENT) {
        c->in_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (c->in_fd < 0) {
            error_report("chardev '%s': cannot open '%s' (nor '%s' and '%s'): %s", name, path,
                         in, out, strerror(errno));
            r = -1;
        } else {
            c->out_fd = c->in_fd;
        }
    } else if (c->in_fd < 0 || c->out_fd < 0) {
        error_report("chardev '%s': cannot open '%s': %s", name, c->in_fd < 0 ? in : out,
                     strerror(c->in_fd < 0 ? in_err : out_err));
        r = -1;
    }
    if (r < 0) {
        if (c->in_fd >= 0) {
            close(c->in_fd);
        }
        if (c->out_fd >= 0 && c->out_fd != c->in_fd) {
            close(c->out_fd);
        }
        c->in_fd = c->out_fd = -1;
    }
    free(in);
    free(out);
    return r;
}

Chardev *chr_new(const char *spec, const char *label)
{
    Chardev *c;
    if (!spec) {
        error_report("chardev: no back end given");
        return NULL;
    }
    c = xzalloc(sizeof(*c));
    c->in_fd = -1;
    c->out_fd = -1;
    if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio")) {
        if (stdio_chr) {
            error_report("chardev '%s': stdio is already used by chardev '%s'",
                         label ? label : spec, stdio_chr->label);
            free(c);
            return NULL;
        }
        c->kind = CHR_KIND_STDIO;
        c->in_fd = STDIN_FILENO;
        c->out_fd = STDOUT_FILENO;
        chr_stdio_raw();
        stdio_chr = c;
        chr_in_watch(c, true);
    } else if (!strncmp(spec, "pipe:", 5)) {
        c->kind = CHR_KIND_PIPE;
        if (chr_open_pipe(c, spec + 5, label ? label : spec) < 0) {
            free(c);
            return NULL;
        }
        chr_in_watch(c, true);
    } else if (!strncmp(spec, "file:", 5)) {
        const char *path = spec + 5;
        c->kind = CHR_KIND_FILE;
        c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (c->out_fd < 0) {
            error_report("chardev '%s': cannot open '%s': %s", label ? label : spec, path,
                         strerror(errno));
            free(c);
            return NULL;
        }
    } else if (!strcmp(spec, "ringbuf")) {
        c->kind = CHR_KIND_RINGBUF;
    } else if (!strcmp(spec, "null")) {
        c->kind = CHR_KIND_NULL;
    } else {
        error_report("unknown chardev '%s'", spec);
        free(c);
        return NULL;
    }
    c->label = xstrdup(label ? label : spec);
    c->next = chr_list;
    chr_list = c;
    return c;
}

void chr_free(Chardev *c)
{
    if (!c) {
        return;
    }
    for (Chardev **pp = &chr_list; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    if (c->kind == CHR_KIND_STDIO) {
        chr_in_watch(c, false);
        chr_stdio_restore();
        stdio_chr = NULL;
    } else if (c->kind == CHR_KIND_FILE && c->out_fd >= 0) {
        close(c->out_fd);
    } else if (c->kind == CHR_KIND_PIPE) {
        chr_in_watch(c, false);
        if (c->out_fd >= 0 && c->out_fd != c->in_fd) {
            close(c->out_fd);
        }
        if (c->in_fd >= 0) {
            close(c->in_fd);
        }
    }
    chrq_free(&c->in_fe);
    chrq_free(&c->in_mon);
    chrq_free(&c->out);
    free(c->label);
    free(c);
}

const char *chr_label(const Chardev *c)
{
    return c ? c->label : NULL;
}

Chardev *chr_find(const char *label)
{
    for (Chardev *c = chr_list; c; c = c->next) {
        if (label && !strcmp(c->label, label)) {
            return c;
        }
    }
    return NULL;
}

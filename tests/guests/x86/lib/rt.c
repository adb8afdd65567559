/* SPDX-License-Identifier: MIT */
/*
 * rt.c - C runtime of the x86 test guests: COM1 (16550 at 0x3f8) output, printf-lite,
 * memset/memcpy/strlen for the compiler, PASS/FAIL checks, and exit through isa-debug-exit (port
 * 0xf4: a 32-bit write of V ends the emulator with status (V << 1) | 1).
 * Built as 32-bit code; it also runs in long mode's compatibility mode.
 */
#include <stdarg.h>
#include "guest.h"

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4

unsigned checks_passed, checks_failed;
static bool serial_ready;

static void serial_init(void)
{
    outb(COM1 + 1, 0x00);       /* IER: no interrupts */
    outb(COM1 + 3, 0x80);       /* LCR: DLAB */
    outb(COM1 + 0, 0x01);       /* DLL: 115200 baud */
    outb(COM1 + 1, 0x00);       /* DLM */
    outb(COM1 + 3, 0x03);       /* LCR: 8N1 */
    outb(COM1 + 2, 0xc7);       /* FCR: FIFO on, cleared */
    outb(COM1 + 4, 0x03);       /* MCR: DTR, RTS */
    serial_ready = true;
}

void serial_putc(char c)
{
    if (!serial_ready) {
        serial_init();
    }
    /* Poll LSR.THRE (bit 5); bounded so that a broken LSR garbles output instead of hanging. */
    for (int i = 0; i < 1000000; i++) {
        if (inb(COM1 + 5) & 0x20) {
            break;
        }
    }
    outb(COM1, (uint8_t)c);
}

void puts_raw(const char *s)
{
    while (*s) {
        if (*s == '\n') {
            serial_putc('\r');
        }
        serial_putc(*s++);
    }
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--) {
        *p++ = (uint8_t)c;
    }
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) {
        *p++ = *q++;
    }
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    if (p < q) {
        while (n--) {
            *p++ = *q++;
        }
    } else {
        while (n--) {
            p[n] = q[n];
        }
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != q[i]) {
            return p[i] < q[i] ? -1 : 1;
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

/* ---- printf-lite: output goes to a sink (serial or a buffer) ---- */
struct sink {
    char *buf;
    size_t len, cap;
};

static void sink_put(struct sink *s, char c)
{
    if (s->buf) {
        if (s->len + 1 < s->cap) {
            s->buf[s->len++] = c;
            s->buf[s->len] = 0;
        }
    } else {
        if (c == '\n') {
            serial_putc('\r');
        }
        serial_putc(c);
    }
}

/* 64-bit division by a small constant without libgcc: shift-subtract. */
static uint64_t divmod64(uint64_t n, uint32_t d, uint32_t *rem)
{
    uint64_t q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= 1ULL << i;
        }
    }
    *rem = (uint32_t)r;
    return q;
}

static void put_num(struct sink *s, uint64_t v, unsigned base, bool neg, int width, bool zero,
                    bool upper)
{
    char tmp[24];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        uint32_t r;
        if (base == 16) {
            r = v & 15;
            v >>= 4;
        } else {
            v = divmod64(v, base, &r);
        }
        tmp[n++] = digits[r];
    } while (v);
    int len = n + (neg ? 1 : 0);
    if (neg && zero) {
        sink_put(s, '-');
    }
    for (; len < width; len++) {
        sink_put(s, zero ? '0' : ' ');
    }
    if (neg && !zero) {
        sink_put(s, '-');
    }
    while (n) {
        sink_put(s, tmp[--n]);
    }
}

static void vformat(struct sink *s, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            sink_put(s, *fmt);
            continue;
        }
        fmt++;
        bool zero = false;
        int width = 0, lng = 0;
        if (*fmt == '0') {
            zero = true;
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            int64_t v = lng >= 2 ? va_arg(ap, int64_t) : (int64_t)va_arg(ap, int32_t);
            put_num(s, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, zero, false);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng >= 2 ? va_arg(ap, uint64_t) : (uint64_t)va_arg(ap, uint32_t);
            put_num(s, v, *fmt == 'u' ? 10 : 16, false, width, zero, *fmt == 'X');
            break;
        }
        case 'p':
            sink_put(s, '0');
            sink_put(s, 'x');
            put_num(s, (uintptr_t)va_arg(ap, void *), 16, false, 8, true, false);
            break;
        case 's': {
            const char *p = va_arg(ap, const char *);
            if (!p) {
                p = "(null)";
            }
            int len = (int)strlen(p);
            for (; len < width; len++) {
                sink_put(s, ' ');
            }
            while (*p) {
                sink_put(s, *p++);
            }
            break;
        }
        case 'c':
            sink_put(s, (char)va_arg(ap, int));
            break;
        case '%':
            sink_put(s, '%');
            break;
        case 0:
            return;
        default:
            sink_put(s, '%');
            sink_put(s, *fmt);
            break;
        }
    }
}

int printf(const char *fmt, ...)
{
    struct sink s = { 0 };
    va_list ap;
    va_start(ap, fmt);
    vformat(&s, fmt, ap);
    va_end(ap);
    return 0;
}

const char *fmt_name(const char *fmt, ...)
{
    static char buf[160];
    struct sink s = { buf, 0, sizeof(buf) };
    buf[0] = 0;
    va_list ap;
    va_start(ap, fmt);
    vformat(&s, fmt, ap);
    va_end(ap);
    return buf;
}

/* ---- checks ---- */
unsigned checks_xfailed;
static const char *deviation;
static int tcg_state = -1;

bool under_qemu_tcg(void)
{
    if (tcg_state < 0) {
        uint32_t a, b, c, d;
        cpuid(1, 0, &a, &b, &c, &d);
        tcg_state = 0;
        if (c & (1u << 31)) {       /* hypervisor present: read its signature */
            cpuid(0x40000000, 0, &a, &b, &c, &d);
            tcg_state = b == 0x54474354 && c == 0x43544743 && d == 0x47435447; /* TCGTCGTCGTCG */
        }
    }
    return tcg_state;
}

void qemu_deviation(const char *why)
{
    deviation = why;
}

void check_failf(const char *fmt, ...)
{
    struct sink s = { 0 };
    va_list ap;
    va_start(ap, fmt);
    if (deviation && under_qemu_tcg()) {
        checks_xfailed++;
        puts_raw("XFAIL: ");
        vformat(&s, fmt, ap);
        printf(" [known QEMU TCG deviation: %s]\n", deviation);
    } else {
        checks_failed++;
        puts_raw("FAIL: ");
        vformat(&s, fmt, ap);
        puts_raw("\n");
    }
    va_end(ap);
}

void pass(const char *what)
{
    checks_passed++;
    printf("PASS: %s\n", what);
}

void fail(const char *what, uint32_t got, uint32_t expected)
{
    check_failf("%s (got 0x%x, expected 0x%x)", what, got, expected);
}

bool check(bool ok, const char *what)
{
    if (ok) {
        pass(what);
    } else {
        check_failf("%s (got false, expected true)", what);
    }
    return ok;
}

bool check_eq(const char *what, uint32_t got, uint32_t expected)
{
    if (got == expected) {
        pass(what);
        return true;
    }
    fail(what, got, expected);
    return false;
}

bool check_eq64(const char *what, uint64_t got, uint64_t expected)
{
    if (got == expected) {
        pass(what);
        return true;
    }
    check_failf("%s (got 0x%llx, expected 0x%llx)", what, (unsigned long long)got,
                (unsigned long long)expected);
    return false;
}

void exit(int v)
{
    printf("EXIT: %d\n", v);
    outl(DEBUG_EXIT_PORT, (uint32_t)v);
    /* No isa-debug-exit device: stop here; the harness's timeout reports it. */
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

void finish(void)
{
    printf("DONE: %u checks, %u passed, %u failed, %u known QEMU deviations\n",
           checks_passed + checks_failed + checks_xfailed, checks_passed, checks_failed,
           checks_xfailed);
    exit(checks_failed ? 1 : 0);
}

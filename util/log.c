/* SPDX-License-Identifier: MIT */
/*
 * util/log.c — error reporting, allocation helpers and the -d/-D log.
 */
#include "util/osdep.h"
#include <stdarg.h>
#include <pthread.h>

int log_mask;
static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct { const char *name; int mask; const char *help; } log_names[] = {
    { "in_asm", LOG_IN_ASM, "show guest code as it is translated (capstone)" },
    { "op", LOG_OP, "show the tcg-lite IR of each translation block" },
    { "exec", LOG_EXEC, "show each translation block as it runs" },
    { "cpu", LOG_CPU, "show the CPU state before each block" },
    { "int", LOG_INT, "show interrupts and exceptions" },
    { "unimp", LOG_UNIMP, "show unimplemented instructions and device features" },
    { "guest_errors", LOG_GUEST_ERROR, "show guest misuse of devices" },
};

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tandem: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tandem: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fatal("out of memory allocating %zu bytes", n);
    }
    return p;
}

void *xzalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fatal("out of memory allocating %zu bytes", n);
    }
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        fatal("out of memory");
    }
    return p;
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&log_lock);
    vfprintf(log_file ? log_file : stderr, fmt, ap);
    pthread_mutex_unlock(&log_lock);
    va_end(ap);
}

FILE *log_get_file(void)
{
    return log_file ? log_file : stderr;
}

void log_flush(void)
{
    fflush(log_file ? log_file : stderr);
}

int log_parse_mask(const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    int mask = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < ARRAY_SIZE(log_names); i++) {
            if (!strcmp(tok, log_names[i].name)) {
                mask |= log_names[i].mask;
                break;
            }
        }
        if (i == ARRAY_SIZE(log_names)) {
            free(copy);
            return -EINVAL;
        }
    }
    free(copy);
    log_mask |= mask;
    return 0;
}

int log_set_file(const char *path)
{
    FILE *f;
    if (!path) {
        log_file = NULL;
        return 0;
    }
    f = fopen(path, "w");
    if (!f) {
        return -errno;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    log_file = f;
    return 0;
}

void log_print_help(FILE *f)
{
    fprintf(f, "Log items (comma separated) for -d:\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_names); i++) {
        fprintf(f, "  %-13s %s\n", log_names[i].name, log_names[i].help);
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * util/osdep.h — the one header every tandem file includes first.
 * Standard headers, address types, small helpers, error reporting and the -d log.
 */
#ifndef UTIL_OSDEP_H
#define UTIL_OSDEP_H

#include "config.h"
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <inttypes.h>
#include <assert.h>

typedef uint64_t hwaddr;   /* guest-physical address */
typedef uint64_t vaddr;    /* guest-virtual (linear) address */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define NORETURN __attribute__((noreturn))
#define PRINTF_FMT(a, b) __attribute__((format(printf, a, b)))

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)
#define GiB ((uint64_t)1 << 30)

/* User-facing error: "tandem: <message>\n" on stderr. */
void error_report(const char *fmt, ...) PRINTF_FMT(1, 2);
/* error_report() then exit(1). */
NORETURN void fatal(const char *fmt, ...) PRINTF_FMT(1, 2);
/* Allocation that never returns NULL (aborts with a message). */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
char *xstrdup(const char *s);

/* -d log categories (bit mask). */
enum {
    LOG_IN_ASM = 1 << 0,  /* guest code disassembled (capstone) when translated */
    LOG_OP     = 1 << 1,  /* tcg-lite IR of each translation block */
    LOG_EXEC   = 1 << 2,  /* each translation block executed */
    LOG_CPU    = 1 << 3,  /* CPU state before each block */
    LOG_INT    = 1 << 4,  /* interrupts and exceptions */
    LOG_UNIMP  = 1 << 5,  /* unimplemented instructions and device registers */
    LOG_GUEST_ERROR = 1 << 6, /* guest misuse of devices */
};
extern int log_mask;
static inline bool log_enabled(int mask) { return unlikely(log_mask & mask); }
/* Print to the log file (-D, default stderr). */
void log_printf(const char *fmt, ...) PRINTF_FMT(1, 2);
void log_flush(void);
/* The log's stream (the -D file, or stderr), for dumps that print to a FILE. */
FILE *log_get_file(void);
/* Parse a -d list ("in_asm,op,int"); "help" lists the names. Returns 0 or -EINVAL. */
int log_parse_mask(const char *list);
/* Set the log file (-D); NULL means stderr. Returns 0 or -errno. */
int log_set_file(const char *path);
void log_print_help(FILE *f);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/capture.h — capturing what the code under test writes to stderr, for the unit
 * suites that check error messages (one clear line per bad input):
 *
 *   Capture c;
 *   capture_begin(&c);             // stderr (fd 2) now goes to a temporary file
 *   ... code that calls error_report() ...
 *   const char *text = capture_end(&c);   // stderr restored; what was written, NUL-ended
 *
 * capture_end returns a static buffer (the first 4095 bytes), valid until the next call.
 * Header-only (static functions): each suite is its own program. Not nestable.
 */
#ifndef TESTS_UNIT_CAPTURE_H
#define TESTS_UNIT_CAPTURE_H

#include <check.h>
#include <stdio.h>
#include <unistd.h>

typedef struct Capture {
    int saved;
    FILE *tmp;
} Capture;

static inline void capture_begin(Capture *c)
{
    fflush(stderr);
    c->tmp = tmpfile();
    ck_assert_ptr_nonnull(c->tmp);
    c->saved = dup(2);
    dup2(fileno(c->tmp), 2);
}

static inline char *capture_end(Capture *c)
{
    static char text[4096];
    size_t n;
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    rewind(c->tmp);
    n = fread(text, 1, sizeof(text) - 1, c->tmp);
    text[n] = 0;
    fclose(c->tmp);
    return text;
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * count.c - a long-running guest for the monitor and accelerator-switch tests: prints
 * "count 1" .. "count 200" on COM1, one line every 15 million TSC ticks (15 ms on tandem's
 * 1 GHz TSC under tcg; a few seconds in all), and ends with "checksum XXXXXXXX" and
 * isa-debug-exit.
 *
 * Each line also runs a fixed computation whose result is folded into the checksum:
 * 64 rounds of xorshift32 seeded from the running hash, then FNV-1a of the line number and
 * that result (tests/integration/accel-switch.sh recomputes it in the shell). A machine
 * moved between accelerators in the middle of the run must finish with the same checksum,
 * every number exactly once and in order. The guest checks itself the sums of the numbers
 * and of their squares (closed forms) and that the TSC never went backwards nor jumped by
 * more than 2^34 ticks between two reads.
 * With "long" on the Multiboot command line (-append long) it counts in IA-32e mode
 * (compatibility mode, identity-mapped with 4-level paging), to see a switch refused by a
 * KVM that cannot load a long-mode state.
 * Not covered: interrupts (the guest polls), 64-bit code.
 */
#include "guest.h"

#define COUNT_N 200
#define COUNT_DELAY_TICKS 15000000ull
#define TSC_MAX_STEP (1ull << 34)

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

/* Whether the Multiboot command line has the word w. */
static bool cmdline_has(const char *w)
{
    const uint32_t *info = (const uint32_t *)mb_info;
    const char *p;
    size_t n = strlen(w);

    if (!info || !(info[0] & (1u << 2)) || !info[4]) {
        return false;
    }
    for (p = (const char *)info[4]; *p; p++) {
        if ((p == (const char *)info[4] || p[-1] == ' ') && !memcmp(p, w, n) &&
            (p[n] == ' ' || p[n] == '\0')) {
            return true;
        }
    }
    return false;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static uint32_t line_work(uint32_t seed)
{
    uint32_t x = seed | 1;
    for (int r = 0; r < 64; r++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
    }
    return x;
}

int main(void)
{
    uint32_t h = 2166136261u;
    uint64_t sum = 0, sumsq = 0;
    uint64_t prev;
    bool long_mode = cmdline_has("long");

    if (long_mode) {
        build_identity_4level(pml4, pdpt, pd);
        long_enter((uint32_t)pml4);
        printf("counting in long mode (compatibility mode)\n");
    }
    prev = rdtsc();
    unsigned backwards = 0, jumps = 0, bad_line = 0;
    uint64_t bad_from = 0, bad_to = 0;

    for (uint32_t i = 1; i <= COUNT_N; i++) {
        uint64_t start;

        h = (h ^ i) * 16777619u;
        h = (h ^ line_work(h)) * 16777619u;
        sum += i;
        sumsq += (uint64_t)i * i;
        printf("count %u\n", i);
        start = rdtsc();
        for (;;) {
            uint64_t now = rdtsc();
            if (now < prev || now - prev > TSC_MAX_STEP) {
                if (!backwards && !jumps) {
                    bad_line = i;
                    bad_from = prev;
                    bad_to = now;
                }
                if (now < prev) {
                    backwards++;
                } else {
                    jumps++;
                }
            }
            prev = now;
            if (now < start || now - start >= COUNT_DELAY_TICKS) {
                break;
            }
        }
    }
    if (long_mode) {
        long_exit();
    }
    printf("checksum %08x\n", h);
    if (bad_line) {
        printf("first bad TSC step after line %u: %llx -> %llx\n", bad_line,
               (unsigned long long)bad_from, (unsigned long long)bad_to);
    }
    check_eq64("sum of 1..200", sum, (uint64_t)COUNT_N * (COUNT_N + 1) / 2);
    check_eq64("sum of squares of 1..200", sumsq,
               (uint64_t)COUNT_N * (COUNT_N + 1) * (2 * COUNT_N + 1) / 6);
    check_eq("TSC reads that went backwards", backwards, 0);
    check_eq("TSC steps over 2^34 ticks", jumps, 0);
    finish();
}

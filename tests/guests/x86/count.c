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
 * Not covered: interrupts (the guest polls), long mode.
 */
#include "guest.h"

#define COUNT_N 200
#define COUNT_DELAY_TICKS 15000000ull
#define TSC_MAX_STEP (1ull << 34)

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
    uint64_t prev = rdtsc();
    unsigned backwards = 0, jumps = 0;

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
            if (now < prev) {
                backwards++;
            } else if (now - prev > TSC_MAX_STEP) {
                jumps++;
            }
            prev = now;
            if (now < start || now - start >= COUNT_DELAY_TICKS) {
                break;
            }
        }
    }
    printf("checksum %08x\n", h);
    check_eq64("sum of 1..200", sum, (uint64_t)COUNT_N * (COUNT_N + 1) / 2);
    check_eq64("sum of squares of 1..200", sumsq,
               (uint64_t)COUNT_N * (COUNT_N + 1) * (2 * COUNT_N + 1) / 6);
    check_eq("TSC reads that went backwards", backwards, 0);
    check_eq("TSC steps over 2^34 ticks", jumps, 0);
    finish();
}

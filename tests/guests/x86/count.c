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
 * With "irq" on the command line it waits for timer interrupts instead of polling the
 * TSC: the PIT (channel 0, 1 kHz, through the 8259 at vector 0x20) and the BSP's local
 * APIC timer (periodic, 1 ms at tandem's and KVM's 1 GHz APIC bus, vector 0x40) both
 * interrupt, and each line waits with STI; HLT until both have ticked 15 more times; at the
 * end the guest checks that both kept ticking at rates within 2x of each other. The
 * handlers return without IRET (EFLAGS and EIP are moved on the stack, then POPF; RET):
 * a PVM-based KVM emulates protected-mode guests in the kernel and fails on a
 * protected-mode IRET.
 * Not covered: 64-bit code.
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

#define IRQ_TICKS_PER_LINE 15
#define LAPIC_BASE 0xfee00000u

volatile uint32_t pit_ticks, apic_ticks;

/* Interrupt return without IRET: the frame EIP, CS, EFLAGS becomes -, EFLAGS, EIP. */
ASM_FN(isr_return,
       "push %eax\n"
       "mov 4(%esp), %eax\n"
       "xchg %eax, 12(%esp)\n"
       "mov %eax, 8(%esp)\n"
       "pop %eax\n"
       "add $4, %esp\n"
       "popfl\n"
       "ret\n");
ASM_FN(pit_isr,
       "push %eax\n"
       "incl pit_ticks\n"
       "movb $0x20, %al\n"
       "outb %al, $0x20\n"
       "pop %eax\n"
       "jmp isr_return\n");
ASM_FN(lapic_isr,
       "incl apic_ticks\n"
       "movl $0, 0xfee000b0\n"
       "jmp isr_return\n");

static void lapic_write(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

/* The 8259 at vectors 0x20/0x28 with only IRQ 0 unmasked, the PIT at 1 kHz, the local APIC
 * timer periodic every 1 ms. */
static void timers_start(void)
{
    idt_set(0x20, (uint32_t)pit_isr, SEL_KCODE, GATE_INT32, 0, true);
    idt_set(0x40, (uint32_t)lapic_isr, SEL_KCODE, GATE_INT32, 0, true);
    idt_load32();
    outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xa0, 0x11); outb(0xa1, 0x28); outb(0xa1, 0x02); outb(0xa1, 0x01);
    outb(0x21, 0xfe); outb(0xa1, 0xff);
    outb(0x43, 0x34); outb(0x40, 1193 & 0xff); outb(0x40, 1193 >> 8);
    lapic_write(0xf0, 0x1ff);               /* enabled, spurious vector 0xff */
    lapic_write(0x3e0, 0xb);                /* divide by 1 */
    lapic_write(0x320, 0x40 | (1u << 17));  /* periodic, vector 0x40 */
    lapic_write(0x380, 1000000);
}

/* The TSC seen so far: steps backwards, jumps over TSC_MAX_STEP, and the first bad step. */
typedef struct TscWatch {
    uint64_t prev, bad_from, bad_to;
    unsigned backwards, jumps, bad_line;
} TscWatch;

/* Read the TSC on line `line`, account for its step since the last read, return it. */
static uint64_t tsc_step(TscWatch *w, unsigned line)
{
    uint64_t now = rdtsc();

    if (now < w->prev || now - w->prev > TSC_MAX_STEP) {
        if (!w->backwards && !w->jumps) {
            w->bad_line = line;
            w->bad_from = w->prev;
            w->bad_to = now;
        }
        if (now < w->prev) {
            w->backwards++;
        } else {
            w->jumps++;
        }
    }
    w->prev = now;
    return now;
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
    bool long_mode = cmdline_has("long");
    bool irq_mode = cmdline_has("irq");

    if (long_mode) {
        build_identity_4level(pml4, pdpt, pd);
        long_enter((uint32_t)pml4);
        printf("counting in long mode (compatibility mode)\n");
    }
    if (irq_mode) {
        timers_start();
        printf("counting with timer interrupts\n");
    }
    TscWatch ts = { .prev = rdtsc() };

    for (uint32_t i = 1; i <= COUNT_N; i++) {
        uint64_t start;

        h = (h ^ i) * 16777619u;
        h = (h ^ line_work(h)) * 16777619u;
        sum += i;
        sumsq += (uint64_t)i * i;
        printf("count %u\n", i);
        start = rdtsc();
        while (irq_mode && (pit_ticks < i * IRQ_TICKS_PER_LINE ||
                            apic_ticks < i * IRQ_TICKS_PER_LINE)) {
            __asm__ volatile("sti; hlt; cli" ::: "memory");
            tsc_step(&ts, i);
        }
        for (; !irq_mode;) {
            uint64_t now = tsc_step(&ts, i);
            if (now < start || now - start >= COUNT_DELAY_TICKS) {
                break;
            }
        }
    }
    if (long_mode) {
        long_exit();
    }
    if (irq_mode) {
        uint32_t p = pit_ticks, a = apic_ticks;
        printf("timer interrupts: PIT %u, local APIC %u\n", p, a);
        check(p >= COUNT_N * IRQ_TICKS_PER_LINE, "PIT interrupts taken all along");
        check(a >= COUNT_N * IRQ_TICKS_PER_LINE, "local APIC timer interrupts taken all along");
        check(a <= 2 * p + 100 && p <= 2 * a + 100, "the two timers ticked at rates within 2x");
    }
    printf("checksum %08x\n", h);
    if (ts.bad_line) {
        printf("first bad TSC step after line %u: %llx -> %llx\n", ts.bad_line,
               (unsigned long long)ts.bad_from, (unsigned long long)ts.bad_to);
    }
    check_eq64("sum of 1..200", sum, (uint64_t)COUNT_N * (COUNT_N + 1) / 2);
    check_eq64("sum of squares of 1..200", sumsq,
               (uint64_t)COUNT_N * (COUNT_N + 1) * (2 * COUNT_N + 1) / 6);
    check_eq("TSC reads that went backwards", ts.backwards, 0);
    check_eq("TSC steps over 2^34 ticks", ts.jumps, 0);
    finish();
}

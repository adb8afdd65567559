/* SPDX-License-Identifier: MIT */
/*
 * smp.c - two CPUs (run with -smp 2, see smp.opts): the BSP starts the AP with INIT and
 * a start-up IPI through its local APIC (Intel SDM vol. 3A 9.4, 10.6), then both CPUs
 * hammer shared memory at the same time with locked read-modify-writes (LOCK INC, XADD,
 * CMPXCHG, CMPXCHG8B, OR/AND, and an XCHG spinlock around a plain increment). A locked
 * instruction is atomic against the other processors (SDM vol. 3A 8.1.2): no update may
 * be lost, and the spinlock must never be left taken.
 * Then both CPUs rewrite and call their own code stub, the two stubs sharing one page, at the
 * same time: each CPU must always run the code it just wrote (SDM vol. 3A 8.1.3), while the
 * other keeps modifying (for an emulator: dropping translations) next to it.
 */
#include "guest.h"

#define APIC_BASE       0xfee00000u
#define APIC_SVR        0x0f0
#define APIC_ICR_LO     0x300
#define APIC_ICR_HI     0x310
#define TRAMP           0x7000u     /* start-up IPI vector 0x07 */
#define ROUNDS          100000u
#define WAIT_LOOPS      200000000u
#define SMC_ROUNDS      3000u

extern char ap_tramp[], ap_tramp_gdt[], ap_tramp_entry[], ap_tramp_end[], ap_entry32[];
void ap_main(void);

static volatile uint32_t ap_alive, go, ap_finished;
static volatile uint32_t cnt_inc, cnt_xadd, cnt_cmpxchg, cnt_plain, lock_word, bits;
static volatile uint64_t cnt_cx8;
static volatile uint32_t smc_go, smc_done[2], smc_wrong[2];
/* two code stubs ("mov eax, imm32; ret") on one page */
static uint8_t stubs[2][64] __attribute__((aligned(128)));

static void apic_wr(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(APIC_BASE + reg) = v;
}

static inline void pause(void)
{
    __asm__ volatile("pause" ::: "memory");
}

static void spin_lock(volatile uint32_t *l)
{
    uint32_t v;
    do {
        v = 1;
        __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(*l) :: "memory");
    } while (v);
}

static void spin_unlock(volatile uint32_t *l)
{
    __asm__ volatile("" ::: "memory");
    *l = 0;
}

/* The same loop on both CPUs; each owns bit `me` of `bits` for the OR/AND part. */
static void work(unsigned me)
{
    for (uint32_t i = 0; i < ROUNDS; i++) {
        __asm__ volatile("lock incl %0" : "+m"(cnt_inc) :: "memory");
        uint32_t one = 1;
        __asm__ volatile("lock xaddl %0, %1" : "+r"(one), "+m"(cnt_xadd) :: "memory");
        uint32_t old = cnt_cmpxchg;
        for (;;) {
            uint8_t ok;
            __asm__ volatile("lock cmpxchgl %3, %1; sete %2"
                             : "+a"(old), "+m"(cnt_cmpxchg), "=q"(ok)
                             : "r"(old + 1) : "memory", "cc");
            if (ok) {
                break;
            }
        }
        uint64_t o8 = cnt_cx8;
        for (;;) {
            uint64_t n8 = o8 + 1;
            uint8_t ok;
            __asm__ volatile("lock cmpxchg8b %1; sete %2"
                             : "+A"(o8), "+m"(cnt_cx8), "=q"(ok)
                             : "b"((uint32_t)n8), "c"((uint32_t)(n8 >> 32)) : "memory", "cc");
            if (ok) {
                break;
            }
        }
        __asm__ volatile("lock orl %1, %0" : "+m"(bits) : "ri"(1u << me) : "memory");
        __asm__ volatile("lock andl %1, %0" : "+m"(bits) : "ri"(~(1u << me)) : "memory");
        __asm__ volatile("lock orl %1, %0" : "+m"(bits) : "ri"(0x100u << me) : "memory");
        spin_lock(&lock_word);
        cnt_plain = cnt_plain + 1;
        spin_unlock(&lock_word);
    }
}

/* Rewrite this CPU's stub with a new immediate and call it, SMC_ROUNDS times. */
static void smc(unsigned me)
{
    volatile uint8_t *p = stubs[me];

    while (!smc_go) {
        pause();
    }
    for (uint32_t i = 0; i < SMC_ROUNDS; i++) {
        uint32_t want = (i << 1) | me, got;
        p[0] = 0xb8;
        p[1] = (uint8_t)want;
        p[2] = (uint8_t)(want >> 8);
        p[3] = (uint8_t)(want >> 16);
        p[4] = (uint8_t)(want >> 24);
        p[5] = 0xc3;
        __asm__ volatile("call *%1" : "=a"(got) : "r"(p) : "memory", "ecx", "edx", "cc");
        if (got != want) {
            smc_wrong[me]++;
        }
    }
    smc_done[me] = 1;
}

void ap_main(void)
{
    ap_alive = 1;
    while (!go) {
        pause();
    }
    work(1);
    ap_finished = 1;
    smc(1);
}

static bool wait_for(volatile uint32_t *flag)
{
    for (uint32_t i = 0; i < WAIT_LOOPS && !*flag; i++) {
        pause();
    }
    return *flag != 0;
}

int main(void)
{
    uint16_t *gdtr = (uint16_t *)(TRAMP + (ap_tramp_gdt - ap_tramp));
    uint32_t *entry = (uint32_t *)(TRAMP + (ap_tramp_entry - ap_tramp));

    memcpy((void *)TRAMP, ap_tramp, ap_tramp_end - ap_tramp);
    gdtr[0] = sizeof(gdt) - 1;
    *(uint32_t *)(gdtr + 1) = (uint32_t)gdt;
    *entry = (uint32_t)ap_entry32;

    apic_wr(APIC_SVR, 0x1ff);
    apic_wr(APIC_ICR_HI, 1u << 24);                     /* APIC ID 1 */
    apic_wr(APIC_ICR_LO, 0x4500);                       /* INIT, assert */
    apic_wr(APIC_ICR_HI, 1u << 24);
    apic_wr(APIC_ICR_LO, 0x4600 | (TRAMP >> 12));       /* start-up at 0x0700:0000 */
    if (!check(wait_for(&ap_alive), "the AP starts after INIT and a start-up IPI")) {
        finish();
    }
    go = 1;
    work(0);
    if (!check(wait_for(&ap_finished), "the AP finishes its loop")) {
        finish();
    }
    check_eq("LOCK INC from both CPUs", cnt_inc, 2 * ROUNDS);
    check_eq("LOCK XADD from both CPUs", cnt_xadd, 2 * ROUNDS);
    check_eq("LOCK CMPXCHG loop from both CPUs", cnt_cmpxchg, 2 * ROUNDS);
    check_eq64("LOCK CMPXCHG8B loop from both CPUs", cnt_cx8, 2 * ROUNDS);
    check_eq("LOCK OR / LOCK AND on one word", bits, 0x300);
    check_eq("XCHG spinlock around a plain increment", cnt_plain, 2 * ROUNDS);
    check_eq("the spinlock is free at the end", lock_word, 0);
    smc_go = 1;
    smc(0);
    if (check(wait_for(&smc_done[1]), "the AP finishes rewriting its code")) {
        check_eq("the BSP always ran the code it had just written", smc_wrong[0], 0);
        check_eq("the AP always ran the code it had just written", smc_wrong[1], 0);
    }
    finish();
}

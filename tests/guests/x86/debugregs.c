/* SPDX-License-Identifier: MIT */
/*
 * debugregs.c - tests the debug registers and their breakpoints (Intel SDM vol. 3B ch.
 * 18.2-18.3, vol. 3A 6.8.3) in 32-bit protected mode, plus the 64-bit reserved-bit rules:
 * MOV DR (DR4/DR5 aliases, #UD with CR4.DE, #GP at CPL 3, DR6/DR7 fixed bits, #GP for bits
 * 63:32 in 64-bit mode), DR7.GD general detect (fault, BD, GD cleared, RF pushed),
 * instruction breakpoints (fault before the instruction, L and G enables, RF suppressing
 * them for one instruction, ring 3, with INT3, after MOV SS on Intel and on AMD), data
 * breakpoints (write-only and read/write, LEN 1/2/4/8 with the address aligned down,
 * misaligned and page-crossing accesses that overlap, the return address pushed by CALL,
 * REP MOVS after the iteration that hit with EIP on the instruction and RF pushed, the
 * last iteration of REP STOS, LOCK CMPXCHG, the pushes of an interrupt delivery, a MOV SS
 * shadow holding the trap, single step in the same instruction), I/O breakpoints (CR4.DE
 * set), and DR6's B0-B3 rewritten by every breakpoint #DB while BS/BD stay set. Every
 * expected value is worked out from the SDM by hand (see each check).
 */
#include "guest.h"

#define DR6_INIT    0xffff0ff0u     /* DR6 after writing 0: the fixed ones */
#define DR6_BD      0x2000u
#define DR6_BS      0x4000u
#define DR7_GD      0x2000u
#define CR4_DE      0x8u
enum { RW_EXEC = 0, RW_WRITE = 1, RW_IO = 2, RW_RW = 3 };
enum { LEN1 = 0, LEN2 = 1, LEN8 = 2, LEN4 = 3 };

/* DR7 bits of breakpoint i: enabled (locally, or globally when g), R/W and LEN */
static uint32_t bp(int i, int rw, int len, bool g)
{
    return (g ? 2u : 1u) << (2 * i) | (uint32_t)rw << (16 + 4 * i) | (uint32_t)len << (18 + 4 * i);
}

#define DEF_DR(n)                                                                          \
    static inline void write_dr##n(uint32_t v) { __asm__ volatile("mov %0, %%dr" #n :: "r"(v) : "memory"); } \
    static inline uint32_t read_dr##n(void) { uint32_t v; __asm__ volatile("mov %%dr" #n ", %0" : "=r"(v)); return v; }
DEF_DR(0)
DEF_DR(1)
DEF_DR(2)
DEF_DR(3)
DEF_DR(6)
DEF_DR(7)

/* ---------------- the #DB hook: records each #DB and resumes with RF set ---------------- */
#define DB_MAX 8
static volatile unsigned db_count;
static volatile uint32_t db_eip[DB_MAX], db_efl[DB_MAX], db_dr6[DB_MAX], db_dr7[DB_MAX];
static volatile uint32_t db_ecx[DB_MAX];

static bool db_hook(struct trap_frame *f)
{
    unsigned n = db_count++;

    if (n < DB_MAX) {
        db_eip[n] = f->eip;
        db_efl[n] = f->eflags;
        db_dr6[n] = read_dr6();
        db_dr7[n] = read_dr7();
        db_ecx[n] = f->ecx;
    }
    if (n >= DB_MAX - 1) {
        write_dr7(0);           /* a runaway: stop the breakpoints */
    }
    /* an instruction breakpoint is a fault: RF lets the instruction run when resumed
     * (harmless after a trap) */
    f->eflags |= EFL_RF;
    return true;
}

/* Sets up DR0-DR3 and DR7 (DR6 = 0), runs fn(arg) with the hook, and turns DR7 off
 * again. Returns catch_call's result (1: an exception other than a hooked #DB). */
static int run_bp(void (*fn)(uint32_t), uint32_t arg, const uint32_t dr[4], uint32_t dr7)
{
    int r;

    write_dr7(0);
    write_dr0(dr[0]);
    write_dr1(dr[1]);
    write_dr2(dr[2]);
    write_dr3(dr[3]);
    write_dr6(0);
    db_count = 0;
    trap_set_hook(1, db_hook);
    write_dr7(dr7);
    r = catch_call(fn, arg);
    write_dr7(0);
    trap_set_hook(1, NULL);
    return r;
}

static bool check_db(const char *what, unsigned count, uint32_t eip0, uint32_t dr6_0)
{
    char name[160];
    bool ok;

    /* `what` may be fmt_name's buffer, which the calls below reuse */
    size_t n = strlen(what) < sizeof(name) - 1 ? strlen(what) : sizeof(name) - 1;
    memcpy(name, what, n);
    name[n] = 0;
    ok = check_eq(fmt_name("%s: #DB count", name), db_count, count);
    if (count && db_count) {
        ok &= check_eq(fmt_name("%s: saved EIP", name), db_eip[0], eip0);
        ok &= check_eq(fmt_name("%s: DR6", name), db_dr6[0], dr6_0);
    }
    return ok;
}

/* ---------------- code under test ---------------- */
static volatile uint32_t exec_runs;
ASM_LABEL(ex_at); ASM_LABEL(ex_next);
ASM_FN(t_exec, "nop\n ex_at: incl exec_runs\n ex_next: nop\n ret");
ASM_LABEL(ex3_at); ASM_LABEL(ex3_after);
ASM_FN(t_exec_int3, "ex3_at: int3\n ex3_after: ret");
ASM_LABEL(mss_at);
ASM_FN(t_movss_exec, "mov %ss, %eax\n mov %eax, %ss\n mss_at: incl exec_runs\n ret");
ASM_LABEL(u_ex_at);
ASM_FN(u_exec, "nop\n u_ex_at: nop\n int $" STR(USER_EXIT_VEC));

static uint32_t wvar[4] __attribute__((aligned(16), used));
/* a dword, word and byte write and a dword read at the address in the argument */
ASM_LABEL(wr32_after); ASM_LABEL(wr16_after); ASM_LABEL(wr8_after); ASM_LABEL(rd32_after);
ASM_FN(t_wr32, "mov 4(%esp), %ecx\n movl $0x11223344, (%ecx)\n wr32_after: ret");
ASM_FN(t_wr16, "mov 4(%esp), %ecx\n movw $0x5566, (%ecx)\n wr16_after: ret");
ASM_FN(t_wr8, "mov 4(%esp), %ecx\n movb $0x77, (%ecx)\n wr8_after: ret");
ASM_FN(t_rd32, "mov 4(%esp), %ecx\n mov (%ecx), %eax\n rd32_after: ret");
ASM_LABEL(cx_after);
ASM_FN(t_cmpxchg, "mov 4(%esp), %ecx\n xor %eax, %eax\n mov $5, %edx\n"
                  "lock cmpxchg %edx, (%ecx)\n cx_after: ret");

/* CALL pushing its return address on a small private stack */
static uint8_t cstack[1024] __attribute__((aligned(16), used));
static uint32_t saved_esp __attribute__((used));
ASM_LABEL(cp_target);
ASM_FN(t_call_push, "mov %esp, saved_esp\n mov $cstack + 1024, %esp\n call cp_target\n"
                    "cp_target: mov saved_esp, %esp\n ret");
/* INT3 on that stack: its EIP goes to cstack + 1024 - 12 */
ASM_FN(t_int3_stack, "mov %esp, saved_esp\n mov $cstack + 1024, %esp\n int3\n"
                     "mov saved_esp, %esp\n ret");

/* a page-aligned pair of pages for a write across the boundary */
static uint8_t pg[8192] __attribute__((aligned(4096), used));

/* REP MOVSL of 16 dwords and REP STOSL of 16 dwords */
static uint32_t rsrc[16] __attribute__((used)), rdst[16] __attribute__((used));
static volatile uint32_t rep_ecx_end;
ASM_LABEL(movs_at); ASM_LABEL(movs_after); ASM_LABEL(stos_at); ASM_LABEL(stos_after);
ASM_FN(t_rep_movs, "push %esi\n push %edi\n mov $rsrc, %esi\n mov $rdst, %edi\n mov $16, %ecx\n"
                   "cld\n movs_at: rep movsl\n movs_after: mov %ecx, rep_ecx_end\n"
                   "pop %edi\n pop %esi\n ret");
ASM_FN(t_rep_stos, "push %edi\n mov $rdst, %edi\n mov $16, %ecx\n mov $0xabcd, %eax\n"
                   "cld\n stos_at: rep stosl\n stos_after: mov %ecx, rep_ecx_end\n"
                   "pop %edi\n ret");

/* single step over a watched write: one #DB with BS and B0 */
ASM_LABEL(tfw_after);
ASM_FN(t_tf_write, "mov 4(%esp), %ecx\n pushf\n orl $0x100, (%esp)\n popf\n"
                   "movl $1, (%ecx)\n tfw_after: pushf\n andl $~0x100, (%esp)\n popf\n ret");

/* MOV SS from a watched variable: the trap waits for the next instruction */
ASM_LABEL(ss_next); ASM_LABEL(ss_after);
ASM_FN(t_movss, "mov 4(%esp), %ecx\n mov (%ecx), %ss\n ss_next: nop\n ss_after: ret");

/* port I/O */
ASM_LABEL(out80_after); ASM_LABEL(in80_after);
ASM_FN(t_out80, "mov $0x42, %al\n outb %al, $0x80\n out80_after: ret");
ASM_FN(t_in80, "inb $0x80, %al\n in80_after: ret");

/* MOV DR in the ways that fault */
ASM_LABEL(gd_rd_at); ASM_LABEL(gd_wr_at); ASM_LABEL(dr4_at); ASM_LABEL(dr5_at);
ASM_FN(t_gd_read, "gd_rd_at: mov %dr7, %eax\n ret");
ASM_FN(t_gd_write, "mov $0x1234, %eax\n gd_wr_at: mov %eax, %dr0\n ret");
ASM_FN(t_dr4_read, "dr4_at: mov %dr4, %eax\n ret");
ASM_FN(t_dr5_write, "mov $0x400, %eax\n dr5_at: mov %eax, %dr5\n ret");
ASM_LABEL(u_dr_at);
ASM_FN(u_dr7_read, "u_dr_at: mov %dr7, %eax\n int $" STR(USER_EXIT_VEC));

/* 64-bit mode (reached through call64) */
ASM_LABEL(s64_dr7_at); ASM_LABEL(s64_dr6_at);
ASM_FN(s64_dr7_high, ".code64\n mov $0x100000400, %rax\n s64_dr7_at: mov %rax, %dr7\n ret\n .code32");
ASM_FN(s64_dr6_high, ".code64\n mov $0x8000000000000000, %rax\n s64_dr6_at: mov %rax, %dr6\n"
                     " ret\n .code32");
ASM_FN(s64_dr0_rw, ".code64\n mov $0xffff8000deadbee8, %rax\n mov %rax, %dr0\n mov %dr0, %rax\n"
                   " ret\n .code32");

static const uint32_t no_dr[4];

/* ---------------- MOV DR ---------------- */
static void test_mov_dr(void)
{
    uint32_t cr4 = read_cr4();

    write_cr4(cr4 & ~CR4_DE);
    write_dr6(0);
    check_eq("DR6 written with 0 reads 0xffff0ff0 (fixed bits)", read_dr6(), DR6_INIT);
    qemu_deviation("QEMU TCG keeps ones written to reserved bits of DR6 and DR7");
    write_dr6(0xffffffffu);
    check_eq("DR6 written with ones keeps bit 12 clear", read_dr6(), 0xffffefffu);
    write_dr7(0xd000);      /* (bit 11 is RTM's where a CPU has it) */
    check_eq("DR7 bits 12, 14, 15 read as 0", read_dr7(), 0x400);
    qemu_deviation(NULL);
    write_dr6(0x400f);
    check_eq("DR6: B0-B3 and BS are writable", read_dr6(), DR6_INIT | 0x400f);
    write_dr7(0);
    check_eq("DR7 written with 0 reads 0x400", read_dr7(), 0x400);
    uint32_t v;
    __asm__ volatile("mov %1, %%dr4\n mov %%dr6, %0" : "=r"(v) : "r"(0x4001u));
    check_eq("CR4.DE=0: MOV to DR4 writes DR6", v, DR6_INIT | 0x4001);
    write_dr7(0x400 | bp(1, RW_WRITE, LEN4, false));
    __asm__ volatile("mov %%dr5, %0" : "=r"(v));
    write_dr7(0);
    check_eq("CR4.DE=0: MOV from DR5 reads DR7", v, 0x400 | bp(1, RW_WRITE, LEN4, false));
    write_cr4(cr4 | CR4_DE);
    expect_trap("CR4.DE=1: MOV from DR4 is #UD", t_dr4_read, 0, 6, NO_TRAP, LBL(dr4_at),
                SEL_KCODE);
    expect_trap("CR4.DE=1: MOV to DR5 is #UD", t_dr5_write, 0, 6, NO_TRAP, LBL(dr5_at),
                SEL_KCODE);
    write_cr4(cr4);
    expect_user_trap("MOV from DR7 at CPL 3 is #GP(0)", u_dr7_read, 13, 0, LBL(u_dr_at));

    /* DR7.GD: the next MOV DR is a #DB fault with BD set, GD cleared, RF pushed (fault) */
    qemu_deviation("QEMU TCG does not implement DR7.GD (general detect)");
    run_bp(t_gd_read, 0, no_dr, DR7_GD);
    check_db("DR7.GD: MOV from DR7", 1, LBL(gd_rd_at), DR6_INIT | DR6_BD);
    if (db_count) {
        check_eq("DR7.GD: GD is clear in the handler", db_dr7[0] & DR7_GD, 0);
        check_eq("DR7.GD: the #DB fault pushes RF=1", db_efl[0] & EFL_RF, EFL_RF);
    }
    write_dr0(0x5678);
    run_bp(t_gd_write, 0, (const uint32_t[4]){ 0x5678, 0, 0, 0 }, DR7_GD);
    check_db("DR7.GD: MOV to DR0", 1, LBL(gd_wr_at), DR6_INIT | DR6_BD);
    qemu_deviation(NULL);
    check_eq("DR7.GD: the MOV to DR0 ran once resumed", read_dr0(), 0x1234);
}

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

static void run64(uint32_t fn)
{
    call64((void *)fn, 0);
}

static void test_long_mode(void)
{
    build_identity_4level(pml4, pdpt, pd);
    long_enter((uint32_t)pml4);
    expect_trap("64-bit mode: MOV to DR7 with bit 32 set is #GP(0)", run64,
                (uint32_t)s64_dr7_high, 13, 0, LBL(s64_dr7_at), SEL_CODE64);
    expect_trap("64-bit mode: MOV to DR6 with bit 63 set is #GP(0)", run64,
                (uint32_t)s64_dr6_high, 13, 0, LBL(s64_dr6_at), SEL_CODE64);
    check_eq64("64-bit mode: DR0 holds a 64-bit address", call64(s64_dr0_rw, 0),
               0xffff8000deadbee8ull);
    long_exit();
    check_eq("64-bit mode: DR7 kept its value after the #GP", read_dr7(), 0x400);
}

/* ---------------- instruction breakpoints ---------------- */
static void test_exec(void)
{
    uint32_t dr[4] = { LBL(ex_at), LBL(ex_next), 0, 0 };

    exec_runs = 0;
    run_bp(t_exec, 0, dr, bp(0, RW_EXEC, LEN1, false));
    check_db("exec L0: #DB fault before the instruction", 1, LBL(ex_at), DR6_INIT | 1);
    check_eq("exec L0: the #DB pushes RF as it was (0)", db_efl[0] & EFL_RF, 0);
    check_eq("exec L0: RF=1 from IRET lets the instruction run once", exec_runs, 1);

    run_bp(t_exec, 0, dr, bp(0, RW_EXEC, LEN1, true));
    check_db("exec G0: #DB fault", 1, LBL(ex_at), DR6_INIT | 1);

    run_bp(t_exec, 0, dr, bp(0, RW_EXEC, LEN1, false) & ~3u);
    check_eq("exec: R/W and LEN without L0/G0 do nothing", db_count, 0);

    /* RF covers one instruction: the breakpoint on the next one still hits, and DR6
     * shows B1 alone (the breakpoint #DB rewrites B0-B3) */
    exec_runs = 0;
    run_bp(t_exec, 0, dr, bp(0, RW_EXEC, LEN1, false) | bp(1, RW_EXEC, LEN1, false));
    check_eq("exec: RF covers only the instruction it resumes (two #DBs)", db_count, 2);
    check_eq("exec: second #DB at the next instruction", db_eip[1], LBL(ex_next));
    check_eq("exec: second #DB's DR6 has B1 only", db_dr6[1], DR6_INIT | 2);
    check_eq("exec: the instruction ran once", exec_runs, 1);

    /* BS set by software stays set; B0-B3 follow the match (DR0 and DR1 cleared: a
     * disabled breakpoint's condition may or may not show) */
    write_dr7(0);
    write_dr0(0);
    write_dr1(0);
    write_dr2(LBL(ex_at));
    write_dr7(bp(2, RW_EXEC, LEN1, false));
    write_dr6(DR6_BS | 1);
    db_count = 0;
    trap_set_hook(1, db_hook);
    catch_call(t_exec, 0);
    write_dr7(0);
    trap_set_hook(1, NULL);
    check_db("exec DR2: BS kept, B0 cleared, B2 set", 1, LBL(ex_at), DR6_INIT | DR6_BS | 4);

    /* in a MOV SS shadow: inhibited on Intel (SDM vol. 3A 6.8.3), taken on AMD */
    uint32_t a, b, c, d;
    cpuid(0, 0, &a, &b, &c, &d);
    bool amd = b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u;   /* AuthenticAMD */
    exec_runs = 0;
    run_bp(t_movss_exec, 0, (const uint32_t[4]){ LBL(mss_at), 0, 0, 0 },
           bp(0, RW_EXEC, LEN1, false));
    check_eq(amd ? "exec after MOV SS: taken (AMD)" : "exec after MOV SS: inhibited (Intel)",
             db_count, amd ? 1 : 0);
    check_eq("exec after MOV SS: the instruction ran once", exec_runs, 1);

    /* at CPL 3: the #DB goes to ring 0 with the user EIP */
    write_dr0(LBL(u_ex_at));
    write_dr6(0);
    db_count = 0;
    trap_set_hook(1, db_hook);
    write_dr7(bp(0, RW_EXEC, LEN1, false));
    uint32_t v = run_user(u_exec, (uint32_t)user_stack_top, 0x2);
    write_dr7(0);
    trap_set_hook(1, NULL);
    check_eq("exec at CPL 3: the user code ran to its end", v, USER_EXIT_VEC);
    check_db("exec at CPL 3", 1, LBL(u_ex_at), DR6_INIT | 1);

    /* on INT3: the breakpoint fault first, then #BP (a trap) once resumed */
    uint32_t d3[4] = { LBL(ex3_at), 0, 0, 0 };
    run_bp(t_exec_int3, 0, d3, bp(0, RW_EXEC, LEN1, false));
    check_db("exec on INT3: #DB before the INT3", 1, LBL(ex3_at), DR6_INIT | 1);
    check_eq("exec on INT3: then #BP", trap_last.vector, 3);
    check_eq("exec on INT3: #BP's saved EIP is after it", trap_last.eip, LBL(ex3_after));
}

/* ---------------- data breakpoints ---------------- */
struct data_case {
    const char *what;
    void (*fn)(uint32_t);
    uint32_t arg;           /* address accessed */
    uint32_t dr0;
    int rw, len;
    uint32_t after;         /* expected EIP of the trap, 0: no #DB */
};

static void test_data(void)
{
    const uint32_t w = (uint32_t)&wvar[1];     /* 16-byte aligned + 4 */
    const struct data_case cases[] = {
        { "W4: dword write on it", t_wr32, w, w, RW_WRITE, LEN4, LBL(wr32_after) },
        { "W4: dword write just below", t_wr32, w - 4, w, RW_WRITE, LEN4, 0 },
        { "W4: dword write just above", t_wr32, w + 4, w, RW_WRITE, LEN4, 0 },
        { "W4: misaligned dword write overlapping 2 bytes", t_wr32, w - 2, w, RW_WRITE,
          LEN4, LBL(wr32_after) },
        { "W4: misaligned dword write overlapping 1 byte", t_wr32, w + 3, w, RW_WRITE, LEN4,
          LBL(wr32_after) },
        { "W4: byte write to its last byte", t_wr8, w + 3, w, RW_WRITE, LEN4, LBL(wr8_after) },
        { "W4: a read does not hit a write breakpoint", t_rd32, w, w, RW_WRITE, LEN4, 0 },
        { "RW4: a read hits", t_rd32, w, w, RW_RW, LEN4, LBL(rd32_after) },
        { "RW4: a misaligned read overlapping it hits", t_rd32, w + 2, w, RW_RW, LEN4,
          LBL(rd32_after) },
        { "W1: byte write next to it", t_wr8, w + 1, w + 2, RW_WRITE, LEN1, 0 },
        { "W1: byte write on it", t_wr8, w + 2, w + 2, RW_WRITE, LEN1, LBL(wr8_after) },
        { "W1: word write covering it", t_wr16, w + 1, w + 2, RW_WRITE, LEN1, LBL(wr16_after) },
        { "W2: word write on it", t_wr16, w + 2, w + 2, RW_WRITE, LEN2, LBL(wr16_after) },
        { "W2: byte write to its second byte", t_wr8, w + 3, w + 2, RW_WRITE, LEN2,
          LBL(wr8_after) },
        { "W2: byte write below it", t_wr8, w + 1, w + 2, RW_WRITE, LEN2, 0 },
        { "W8: byte write to its last byte", t_wr8, (uint32_t)&wvar[0] + 7,
          (uint32_t)&wvar[0], RW_WRITE, LEN8, LBL(wr8_after) },
        { "W8: byte write just above", t_wr8, (uint32_t)&wvar[0] + 8, (uint32_t)&wvar[0],
          RW_WRITE, LEN8, 0 },
        { "W4: dword write across a page boundary onto it", t_wr32, (uint32_t)pg + 4094,
          (uint32_t)pg + 4096, RW_WRITE, LEN4, LBL(wr32_after) },
        { "W4: dword write ending below it", t_wr32, (uint32_t)pg + 4092,
          (uint32_t)pg + 4096, RW_WRITE, LEN4, 0 },
        { "W4: LOCK CMPXCHG writes (compare succeeds)", t_cmpxchg, w, w, RW_WRITE, LEN4,
          LBL(cx_after) },
    };

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct data_case *c = &cases[i];
        uint32_t dr[4] = { c->dr0, 0, 0, 0 };

        memset(wvar, 0, sizeof(wvar));
        run_bp(c->fn, c->arg, dr, bp(0, c->rw, c->len, false));
        if (c->after) {
            check_db(fmt_name("data %s", c->what), 1, c->after, DR6_INIT | 1);
            check_eq(fmt_name("data %s: a trap pushes RF=0", c->what), db_efl[0] & EFL_RF, 0);
        } else {
            check_eq(fmt_name("data %s: no #DB", c->what), db_count, 0);
        }
    }
    memset(wvar, 0, sizeof(wvar));
    run_bp(t_wr32, w, (const uint32_t[4]){ 0, 0, 0, w }, bp(3, RW_WRITE, LEN4, true));
    check_db("data G3: write traps with B3", 1, LBL(wr32_after), DR6_INIT | 8);
    check_eq("data: the write was done before the trap", wvar[1], 0x11223344);

    /* the address is aligned down to the length (SDM 18.2.5: LEN masks the low bits) */
    qemu_deviation("QEMU TCG uses a misaligned DRn address as it is");
    run_bp(t_wr8, w, (const uint32_t[4]){ w + 1, 0, 0, 0 }, bp(0, RW_WRITE, LEN2, false));
    check_db("data W2 at an odd address covers the aligned word", 1, LBL(wr8_after),
             DR6_INIT | 1);
    run_bp(t_wr8, w, (const uint32_t[4]){ w + 3, 0, 0, 0 }, bp(0, RW_WRITE, LEN4, false));
    check_db("data W4 at address+3 covers the aligned dword", 1, LBL(wr8_after),
             DR6_INIT | 1);
    qemu_deviation(NULL);

    /* two breakpoints matched by one access: both B bits */
    qemu_deviation("QEMU TCG reports only the first data breakpoint an access matches");
    run_bp(t_wr32, w, (const uint32_t[4]){ w, w + 2, 0, 0 },
           bp(0, RW_WRITE, LEN2, false) | bp(1, RW_WRITE, LEN1, false));
    check_db("data: one write matching DR0 and DR1", 1, LBL(wr32_after), DR6_INIT | 3);
    qemu_deviation(NULL);

    /* CALL's push of the return address */
    uint32_t slot = (uint32_t)cstack + 1024 - 4;
    run_bp(t_call_push, 0, (const uint32_t[4]){ slot, 0, 0, 0 }, bp(0, RW_WRITE, LEN4, false));
    check_db("data: CALL pushing onto it traps at the call target", 1, LBL(cp_target),
             DR6_INIT | 1);

    /* REP MOVSL: trap after the 6th iteration (rdst[5]), RIP on the instruction, ECX = 10,
     * RF pushed; resumed, it finishes */
    for (int i = 0; i < 16; i++) {
        rsrc[i] = 0x100 + i;
        rdst[i] = 0;
    }
    rep_ecx_end = 0xffffffffu;
    run_bp(t_rep_movs, 0, (const uint32_t[4]){ (uint32_t)&rdst[5], 0, 0, 0 },
           bp(0, RW_WRITE, LEN4, false));
    check_db("data REP MOVSL: trap on the instruction", 1, LBL(movs_at), DR6_INIT | 1);
    check_eq("data REP MOVSL: after the iteration that hit (ECX)", db_ecx[0], 10);
    qemu_deviation("QEMU TCG does not set RF in the image of a trap between REP iterations");
    check_eq("data REP MOVSL: RF pushed (iterations remain)", db_efl[0] & EFL_RF, EFL_RF);
    qemu_deviation(NULL);
    check_eq("data REP MOVSL: resumed to the end (ECX)", rep_ecx_end, 0);
    check_eq("data REP MOVSL: all copied", memcmp(rsrc, rdst, sizeof(rsrc)), 0);
    run_bp(t_rep_stos, 0, (const uint32_t[4]){ (uint32_t)&rdst[15], 0, 0, 0 },
           bp(0, RW_WRITE, LEN4, false));
    qemu_deviation("QEMU TCG reports the trap of a REP instruction's last iteration on the "
                   "instruction (ECX = 0)");
    check_db("data REP STOSL: the last iteration traps after the instruction", 1,
             LBL(stos_after), DR6_INIT | 1);
    qemu_deviation(NULL);
    check_eq("data REP STOSL: RF=0 after the last iteration", db_efl[0] & EFL_RF, 0);
    check_eq("data REP STOSL: ECX", db_ecx[0], 0);

    /* single step and a data breakpoint in one instruction: one #DB with BS and B0, then
     * single steps with B0 cleared */
    qemu_deviation("QEMU TCG reports a data breakpoint and a single step separately");
    run_bp(t_tf_write, w, (const uint32_t[4]){ w, 0, 0, 0 }, bp(0, RW_WRITE, LEN4, false));
    check_db("data + single step", 4, LBL(tfw_after), DR6_INIT | DR6_BS | 1);
    check_eq("data + single step: the next step's DR6", db_dr6[1], DR6_INIT | DR6_BS);
    qemu_deviation(NULL);

    /* MOV SS: the data breakpoint's trap waits until after the next instruction */
    wvar[1] = SEL_KDATA;
    qemu_deviation("QEMU TCG does not hold a data breakpoint of MOV SS for one instruction");
    run_bp(t_movss, w, (const uint32_t[4]){ w, 0, 0, 0 }, bp(0, RW_RW, LEN4, false));
    check_db("data: MOV SS read, trap after the next instruction", 1, LBL(ss_after),
             DR6_INIT | 1);
    qemu_deviation(NULL);

    /* the pushes of an INT3 delivery: #BP is delivered, then the #DB before its handler */
    uint32_t eip_slot = (uint32_t)cstack + 1024 - 12;
    qemu_deviation("QEMU 7.2 TCG aborts (a lock assertion) on a data breakpoint hit by an "
                   "event delivery");
    if (under_qemu_tcg()) {
        check_failf("data: INT3 pushing onto it: not run");
    } else {
        run_bp(t_int3_stack, 0, (const uint32_t[4]){ eip_slot, 0, 0, 0 },
               bp(0, RW_WRITE, LEN4, false));
        check_db("data: INT3 pushing onto it, #DB at the #BP handler", 1, idt_stub(3),
                 DR6_INIT | 1);
        check_eq("data: INT3 pushing onto it, then #BP", trap_last.vector, 3);
    }
    qemu_deviation(NULL);
}

/* ---------------- I/O breakpoints ---------------- */
static void test_io(void)
{
    uint32_t cr4 = read_cr4();
    const uint32_t d[4] = { 0x80, 0, 0, 0 };

    /* (with CR4.DE clear R/W 10 is undefined: not tested) */
    write_cr4(cr4 | CR4_DE);
    run_bp(t_out80, 0, d, bp(0, RW_IO, LEN1, false));
    check_db("I/O (CR4.DE=1): OUT to port 0x80 traps after it", 1, LBL(out80_after),
             DR6_INIT | 1);
    run_bp(t_in80, 0, d, bp(0, RW_IO, LEN1, false));
    check_db("I/O (CR4.DE=1): IN from port 0x80 traps after it", 1, LBL(in80_after),
             DR6_INIT | 1);
    run_bp(t_out80, 0, (const uint32_t[4]){ 0x81, 0, 0, 0 }, bp(0, RW_IO, LEN1, false));
    check_eq("I/O (CR4.DE=1): port 0x81 breakpoint, OUT to 0x80: no #DB", db_count, 0);
    qemu_deviation("QEMU TCG uses a misaligned DRn address as it is");
    run_bp(t_out80, 0, (const uint32_t[4]){ 0x81, 0, 0, 0 }, bp(0, RW_IO, LEN2, false));
    check_db("I/O (CR4.DE=1): LEN 2 at port 0x81 covers 0x80", 1, LBL(out80_after),
             DR6_INIT | 1);
    qemu_deviation(NULL);
    write_cr4(cr4);
}

int main(void)
{
    test_mov_dr();
    test_exec();
    test_data();
    test_io();
    test_long_mode();
    finish();
}

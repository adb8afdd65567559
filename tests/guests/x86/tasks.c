/* SPDX-License-Identifier: MIT */
/*
 * tasks.c - tests hardware task switching (Intel SDM vol. 3A chapter 7, and the vol. 2
 * pages of JMP, CALL, IRET and INT n): task gates in the GDT, the LDT and the IDT (INT n,
 * and an exception whose error code lands on the new task's stack), CALL from ring 3
 * through a DPL 3 task gate, a 16-bit TSS, a TSS that starts a virtual-8086 task, CR3
 * loading with paging on, the T (debug trap) bit, busy bits, back links and NT (table
 * 7-2), the checks made before the commit point (the old task keeps running: #TS, #NP,
 * #GP with the TSS or gate selector) and the faults after it, which belong to the new
 * task (#TS through a task gate, #NP and the EIP limit #GP through interrupt gates).
 */
#include "guest.h"

#define SEL_TA      (SEL_TEST + 0x00)   /* 32-bit TSS of task A, the worker */
#define SEL_TC      (SEL_TEST + 0x08)   /* 32-bit TSS of task C, the #TS handler task */
#define SEL_T16     (SEL_TEST + 0x10)   /* 16-bit TSS */
#define SEL_TV86    (SEL_TEST + 0x18)   /* 32-bit TSS of a virtual-8086 task */
#define SEL_TX      (SEL_TEST + 0x20)   /* TSS for the error cases */
#define SEL_GATE_A  (SEL_TEST + 0x28)   /* task gate -> A, DPL 0 */
#define SEL_GATE_A3 (SEL_TEST + 0x30)   /* task gate -> A, DPL 3 */
#define SEL_GATE_X  (SEL_TEST + 0x38)   /* task gate for the error cases */
#define SEL_LDT     (SEL_TEST + 0x40)   /* the LDT below */
#define SEL_CODE16T (SEL_TEST + 0x48)   /* 16-bit code with base task16_entry */
#define SEL_STACK16 (SEL_TEST + 0x50)   /* 16-bit stack with base stack16 */
#define SEL_SMALL   (SEL_TEST + 0x58)   /* 32-bit code, limit 0xfff */
#define SEL_DATA_NP (SEL_TEST + 0x60)   /* data, not present */
#define LDT_GATE_A  0x04                /* LDT entry 0: task gate -> A */
#define LDT_TSS_A   0x0c                /* LDT entry 1: a TSS descriptor (GDT only, really) */

#define SYS_TSS16_AVAIL 0x1
#define VEC_INT_TASK 0x90               /* INT n -> task gate to A */
#define VEC_V86_BACK 0x91               /* INT n from the vm86 task -> task gate to main */
#define V86_SEG      0x3000             /* the vm86 task's segments (linear 0x30000) */
#define EFL_VM       0x20000u
#define TSS_EAX      0x28               /* offset of EAX in a 32-bit TSS */

struct tss16 {
    uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2, ip, flags, ax, cx, dx, bx, sp, bp, si, di;
    uint16_t es, cs, ss, ds, ldt;
} __attribute__((packed));
_Static_assert(sizeof(struct tss16) == 44, "16-bit TSS size");

struct tss32 tss_a __attribute__((aligned(128)));
struct tss32 tss_c __attribute__((aligned(128)));
struct tss32 tss_v86 __attribute__((aligned(128)));
struct tss32 tss_x __attribute__((aligned(128)));
struct tss16 tss16 __attribute__((aligned(64)));
static uint8_t stack_a[2048] __attribute__((aligned(16)));
static uint8_t stack_c[2048] __attribute__((aligned(16)));
static uint8_t stack_x[2048] __attribute__((aligned(16)));
static uint8_t stack16[1024] __attribute__((aligned(16)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t pd_a[1024] __attribute__((aligned(4096)));
static uint32_t pd_b[1024] __attribute__((aligned(4096)));
/* the stacks' tops leave room above them: task A reads its top word even when empty */
#define TOP(s) ((uint32_t)((s) + sizeof(s) - 16))

/* ---- task A: records its view, then goes back by IRET (nested) or JMP ---- */
volatile uint32_t a_runs, a_tr, a_eflags, a_cr3, a_link, a_esp, a_tos, a_main_type, fix_eax;
ASM_FN(task_a_entry, "1: incl a_runs\n"
                     "str %eax\n movzwl %ax, %eax\n mov %eax, a_tr\n"
                     "pushf\n pop %eax\n mov %eax, a_eflags\n"
                     "mov %cr3, %eax\n mov %eax, a_cr3\n"
                     "movzwl tss_a, %eax\n mov %eax, a_link\n"
                     "mov %esp, a_esp\n mov (%esp), %eax\n mov %eax, a_tos\n"
                     "movzbl gdt + " STR(SEL_TSS) " + 5, %eax\n and $0xf, %eax\n"
                     "mov %eax, a_main_type\n"
                     /* an exception handler task may fix the interrupted task's EAX */
                     "mov fix_eax, %eax\n test %eax, %eax\n jz 3f\n"
                     "mov %eax, tss + " STR(TSS_EAX) "\n"
                     "3: testl $0x4000, a_eflags\n jnz 2f\n"
                     "ljmp $" STR(SEL_TSS) ", $0\n jmp 1b\n"
                     "2: iret\n jmp 1b");

/* ---- task C: the #TS handler task; back to the main task by JMP ---- */
volatile uint32_t c_err, c_tr, c_link, c_esp;
ASM_FN(task_c_entry, "pop %eax\n mov %eax, c_err\n mov %esp, c_esp\n"
                     "str %eax\n movzwl %ax, %eax\n mov %eax, c_tr\n"
                     "movzwl tss_c, %eax\n mov %eax, c_link\n"
                     "ljmp $" STR(SEL_TSS) ", $0\n 1: jmp 1b");

/* ---- a 16-bit task (CS base = task16_entry, so IP 0 is its first instruction) ---- */
volatile uint16_t t16_runs, t16_flags;
ASM_LABEL(task16_resume);
ASM_FN(task16_entry, ".code16\n"
                     "1: movl $t16_runs, %ebx\n incw (%ebx)\n"
                     "pushf\n pop %ax\n movl $t16_flags, %ebx\n mov %ax, (%ebx)\n"
                     "mov $0x1616, %ax\n"
                     "iret\n"
                     "task16_resume: jmp 1b\n"
                     ".code32");

/* ---- the vm86 task's code, copied to V86_SEG:0 ---- */
ASM_LABEL(v86_code_end);
ASM_LABEL(v86_after_int);
ASM_FN(v86_code, ".code16\n"
                 "mov $0x5678, %ax\n mov %ax, 0x10\n"
                 "int $" STR(VEC_V86_BACK) "\n"
                 "v86_after_int: jmp v86_after_int\n"
                 "v86_code_end:\n"
                 ".code32");

/* ---- the main task's side ---- */
volatile uint32_t main_fl_after;
ASM_LABEL(jmp_a_after);
ASM_FN(t_jmp_a, "ljmp $" STR(SEL_TA) ", $0\n jmp_a_after: ret");
ASM_FN(t_call_a, "lcall $" STR(SEL_TA) ", $0\n ret");
ASM_FN(t_call_gate_a, "lcall $" STR(SEL_GATE_A) ", $0\n ret");
ASM_FN(t_jmp_gate_a, "ljmp $" STR(SEL_GATE_A) ", $0\n ret");
ASM_FN(t_call_ldt_gate, "lcall $" STR(LDT_GATE_A) ", $0\n ret");
ASM_LABEL(int_task_after);
ASM_FN(t_int_task, "int $" STR(VEC_INT_TASK) "\n int_task_after: ret");
ASM_LABEL(gp_task_at);
ASM_FN(t_gp_task, "mov $" STR(SEL_LDT) ", %eax\n"
                  "gp_task_at: mov %eax, %ds\n"         /* #GP(SEL_LDT) -> task A */
                  "mov %ds, %eax\n mov %eax, main_fl_after\n"
                  "mov $" STR(SEL_KDATA) ", %eax\n mov %eax, %ds\n ret");
ASM_FN(t_call_16, "lcall $" STR(SEL_T16) ", $0\n ret");
ASM_FN(t_v86, "ljmp $" STR(SEL_TV86) ", $0\n"
              "pushf\n pop %eax\n mov %eax, main_fl_after\n"
              "and $~0x4000, %eax\n push %eax\n popf\n ret");
ASM_FN(t_jmp_nt, "pushf\n orl $0x4000, (%esp)\n popf\n"
                 "ljmp $" STR(SEL_TA) ", $0\n"
                 "pushf\n pop %eax\n mov %eax, main_fl_after\n"
                 "and $~0x4000, %eax\n push %eax\n popf\n ret");
ASM_LABEL(jmp_x_at);
ASM_FN(t_jmp_x, "jmp_x_at: ljmp $" STR(SEL_TX) ", $0\n ret");
ASM_LABEL(jmp_gate_x_at);
ASM_FN(t_jmp_gate_x, "jmp_gate_x_at: ljmp $" STR(SEL_GATE_X) ", $0\n ret");
ASM_LABEL(jmp_ldt_tss_at);
ASM_FN(t_jmp_ldt_tss, "jmp_ldt_tss_at: ljmp $" STR(LDT_TSS_A) ", $0\n ret");
ASM_LABEL(jmp_busy_at);
ASM_FN(t_jmp_busy, "jmp_busy_at: ljmp $" STR(SEL_TSS) ", $0\n ret");

/* ring 3 */
volatile uint32_t u_cs_after;
ASM_LABEL(u_jmp_x_at);
ASM_FN(u_jmp_x, "u_jmp_x_at: ljmp $(" STR(SEL_TX) " | 3), $0\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_call_gate0_at);
ASM_FN(u_call_gate0, "u_call_gate0_at: lcall $(" STR(SEL_GATE_A) " | 3), $0\n"
                     "int $" STR(USER_EXIT_VEC));
ASM_FN(u_call_gate3, "lcall $(" STR(SEL_GATE_A3) " | 3), $0\n"
                     "mov %cs, %eax\n mov %eax, u_cs_after\n int $" STR(USER_EXIT_VEC));

/* entry points of the error-case task X */
volatile uint32_t x_ds;
ASM_FN(x_back, "ljmp $" STR(SEL_TSS) ", $0\n 1: jmp 1b");
ASM_FN(x_np_entry, "mov %ds, %eax\n mov %eax, x_ds\n ljmp $" STR(SEL_TSS) ", $0\n 1: jmp 1b");

static void tss_init(struct tss32 *t, void (*entry)(uint32_t), uint32_t esp)
{
    memset(t, 0, sizeof(*t));
    t->eip = (uint32_t)entry;
    t->esp = esp;
    t->eflags = 0x2;
    t->cs = SEL_KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = SEL_KDATA;
    t->cr3 = read_cr3();
    t->iomap = sizeof(*t);
}

static void tss_desc(unsigned sel, void *t, uint32_t limit, unsigned type, int dpl, bool p)
{
    gdt_set(sel, (uint32_t)t, limit, (p ? ACC_P : 0) | ACC_DPL(dpl) | type, 0);
}

static unsigned gdt_type(unsigned sel)
{
    return (unsigned)(gdt[sel / 8] >> 40) & 0xf;
}

static uint64_t task_gate_raw(uint16_t tss_sel, int dpl)
{
    return ((uint64_t)(0x8000u | ((uint32_t)dpl << 13) | (GATE_TASK << 8)) << 32) |
           ((uint32_t)tss_sel << 16);
}

static void reset_a(void)
{
    tss_init(&tss_a, task_a_entry, TOP(stack_a));
    tss_desc(SEL_TA, &tss_a, sizeof(tss_a) - 1, SYS_TSS32_AVAIL, 0, true);
    a_runs = a_tr = a_eflags = a_cr3 = a_link = a_esp = a_tos = a_main_type = fix_eax = 0;
}

static void setup(void)
{
    gdt_set_gate(SEL_GATE_A, SEL_TA, 0, GATE_TASK, 0, 0, true);
    gdt_set_gate(SEL_GATE_A3, SEL_TA, 0, GATE_TASK, 3, 0, true);
    gdt_set(SEL_LDT, (uint32_t)ldt, sizeof(ldt) - 1, ACC_P | SYS_LDT, 0);
    gdt_set(SEL_CODE16T, (uint32_t)task16_entry, 0xffff, ACC_P | ACC_CODE | ACC_R, 0);
    gdt_set(SEL_STACK16, (uint32_t)stack16, 0xffff, ACC_P | ACC_DATA | ACC_W, 0);
    gdt_set(SEL_SMALL, 0, 0xfff, ACC_P | ACC_CODE | ACC_R, FL_DB);
    gdt_set(SEL_DATA_NP, 0, 0xfffff, ACC_DATA | ACC_W, FL_G | FL_DB);
    ldt[0] = task_gate_raw(SEL_TA, 0);
    ldt[1] = seg_desc((uint32_t)&tss_a, sizeof(tss_a) - 1, ACC_P | SYS_TSS32_AVAIL, 0);
    reset_a();
}

/* After a failed check: back to the main TSS, so that the tests that follow can run. */
static void recover_tr(void)
{
    if (read_tr() != SEL_TSS) {
        gdt[SEL_TSS / 8] &= ~(2ull << 40);
        __asm__ volatile("ltr %w0" :: "r"(SEL_TSS));
    }
}

static void test_jmp_call(void)
{
    reset_a();
    expect_no_trap("JMP to a TSS", t_jmp_a, 0);
    check_eq("JMP: the task ran", a_runs, 1);
    check_eq("JMP: TR in the new task", a_tr, SEL_TA);
    check_eq("JMP: NT clear in the new task", a_eflags & EFL_NT, 0);
    check_eq("JMP: the old TSS is available while the new task runs", a_main_type,
             SYS_TSS32_AVAIL);
    check_eq("JMP: the back link is left alone", a_link, 0);
    check_eq("back by JMP: TR", read_tr(), SEL_TSS);
    check_eq("back by JMP: the TSS left is available", gdt_type(SEL_TA), SYS_TSS32_AVAIL);
    check_eq("back by JMP: the main TSS is busy", gdt_type(SEL_TSS), SYS_TSS32_BUSY);
    check_eq("JMP: the EIP saved is the next instruction's", tss.eip, LBL(jmp_a_after));
    __asm__ volatile("clts");

    reset_a();
    expect_no_trap("CALL through a task gate in the GDT", t_call_gate_a, 0);
    check_eq("CALL gate: the task ran", a_runs, 1);
    check_eq("CALL gate: NT set in the new task", a_eflags & EFL_NT, EFL_NT);
    check_eq("CALL gate: back link", a_link, SEL_TSS);
    check_eq("CALL gate: the caller's TSS stays busy", a_main_type, SYS_TSS32_BUSY);
    check_eq("back by IRET: TR", read_tr(), SEL_TSS);
    check_eq("back by IRET: the nested task's TSS is available", gdt_type(SEL_TA),
             SYS_TSS32_AVAIL);
    check_eq("back by IRET: NT clear in the caller", read_eflags() & EFL_NT, 0);
    check_eq("back by IRET: NT clear in the EFLAGS saved for the nested task",
             tss_a.eflags & EFL_NT, 0);

    reset_a();
    expect_no_trap("JMP through a task gate", t_jmp_gate_a, 0);
    check_eq("JMP gate: the task ran, not nested", a_runs == 1 && !(a_eflags & EFL_NT), 1);

    reset_a();
    expect_no_trap("JMP with NT set", t_jmp_nt, 0);
    check_eq("JMP leaves NT in the old task's saved EFLAGS (table 7-2)",
             main_fl_after & EFL_NT, EFL_NT);
    __asm__ volatile("clts");
}

static void test_ldt_gate(void)
{
    reset_a();
    tss.ldt = SEL_LDT;          /* the main task's LDT, reloaded when it is resumed */
    __asm__ volatile("lldt %w0" :: "r"(SEL_LDT));
    expect_no_trap("CALL through a task gate in the LDT", t_call_ldt_gate, 0);
    check_eq("LDT gate: the task ran nested", a_runs == 1 && (a_eflags & EFL_NT), 1);
    uint16_t ldtr;
    __asm__ volatile("sldt %0" : "=r"(ldtr));
    check_eq("back by IRET: LDTR from the caller's TSS", ldtr, SEL_LDT);
    qemu_deviation("QEMU raises #TS for a TSS descriptor in the LDT");
    expect_trap("#GP: JMP to a TSS descriptor in the LDT", t_jmp_ldt_tss, 0, 13, LDT_TSS_A & ~3,
                LBL(jmp_ldt_tss_at), SEL_KCODE);
    qemu_deviation(NULL);
    recover_tr();
    tss.ldt = 0;
    __asm__ volatile("lldt %w0" :: "r"(0));
    __asm__ volatile("clts");
}

static void test_idt_gates(void)
{
    reset_a();
    idt_set(VEC_INT_TASK, 0, SEL_TA, GATE_TASK, 0, true);
    expect_no_trap("INT n through a task gate", t_int_task, 0);
    check_eq("INT task gate: the task ran nested", a_runs == 1 && (a_eflags & EFL_NT), 1);
    check_eq("INT task gate: back link", a_link, SEL_TSS);
    check_eq("INT task gate: nothing pushed on the new stack", a_esp, TOP(stack_a));
    check_eq("INT task gate: the EIP saved is the next instruction's", tss.eip,
             LBL(int_task_after));
    idt_set_default(VEC_INT_TASK);

    /* #GP(selector) through a task gate: the error code is on the handler task's stack;
     * the handler fixes the selector in the interrupted task's EAX and IRETs */
    reset_a();
    fix_eax = SEL_KDATA;
    idt_set(13, 0, SEL_TA, GATE_TASK, 0, true);
    main_fl_after = 0;
    expect_no_trap("#GP through a task gate, retried after the handler task", t_gp_task, 0);
    idt_set_default(13);
    check_eq("#GP task gate: the handler task ran once", a_runs, 1);
    check_eq("#GP task gate: error code pushed on the new task's stack", a_tos, SEL_LDT);
    check_eq("#GP task gate: one dword pushed", a_esp, TOP(stack_a) - 4);
    check_eq("#GP task gate: the EIP saved is the faulting instruction's", tss.eip,
             LBL(gp_task_at));
    check_eq("#GP task gate: the retried instruction loaded the fixed selector",
             main_fl_after, SEL_KDATA);
    fix_eax = 0;
    __asm__ volatile("clts");
}

static void test_user_gate(void)
{
    reset_a();
    u_cs_after = 0;
    uint32_t v = run_user(u_call_gate3, (uint32_t)user_stack_top, 0x2);
    check_eq("ring 3 CALL through a DPL 3 task gate: back in ring 3 and out", v,
             USER_EXIT_VEC);
    check_eq("ring 3 task gate: the task ran nested", a_runs == 1 && (a_eflags & EFL_NT), 1);
    check_eq("ring 3 task gate: IRET resumed the ring 3 caller", u_cs_after, SEL_UCODE | 3);
    check_eq("ring 3 task gate: TR", read_tr(), SEL_TSS);

    reset_a();
    expect_user_trap("#GP: ring 3 CALL through a DPL 0 task gate", u_call_gate0, 13,
                     SEL_GATE_A, LBL(u_call_gate0_at));
    tss_init(&tss_x, x_back, TOP(stack_x));
    tss_desc(SEL_TX, &tss_x, sizeof(tss_x) - 1, SYS_TSS32_AVAIL, 0, true);
    expect_user_trap("#GP: ring 3 JMP to a DPL 0 TSS", u_jmp_x, 13, SEL_TX, LBL(u_jmp_x_at));
    check_eq("no task ran", a_runs, 0);
    __asm__ volatile("clts");
}

static void test_tss16(void)
{
    memset(&tss16, 0, sizeof(tss16));
    tss16.ip = 0;
    tss16.flags = 0x2;
    tss16.cs = SEL_CODE16T;
    tss16.ss = SEL_STACK16;
    tss16.sp = sizeof(stack16);
    tss16.ds = tss16.es = SEL_KDATA;
    tss_desc(SEL_T16, &tss16, sizeof(tss16) - 1, SYS_TSS16_AVAIL, 0, true);
    t16_runs = 0;
    expect_no_trap("CALL to a 16-bit TSS, back by IRET", t_call_16, 0);
    check_eq("16-bit task: ran", t16_runs, 1);
    check_eq("16-bit task: NT set", t16_flags & EFL_NT, EFL_NT);
    check_eq("16-bit task: back link", tss16.link, SEL_TSS);
    check_eq("16-bit task: AX saved in its TSS", tss16.ax, 0x1616);
    check_eq("16-bit task: IP saved after its IRET", tss16.ip,
             LBL(task16_resume) - (uint32_t)task16_entry);
    check_eq("16-bit task: available again", gdt_type(SEL_T16), SYS_TSS16_AVAIL);
    check_eq("16-bit task: TR back", read_tr(), SEL_TSS);

    /* a 16-bit TSS needs a limit of at least 0x2b */
    tss_desc(SEL_T16, &tss16, 0x2a, SYS_TSS16_AVAIL, 0, true);
    gdt_set(SEL_TX, (uint32_t)&tss16, 0x2a, ACC_P | SYS_TSS16_AVAIL, 0);
    expect_trap("#TS: 16-bit TSS with limit 0x2a", t_jmp_x, 0, 10, SEL_TX, LBL(jmp_x_at),
                SEL_KCODE);
    __asm__ volatile("clts");
}

static void test_v86(void)
{
    uint32_t len = LBL(v86_code_end) - (uint32_t)v86_code;
    memcpy((void *)(V86_SEG << 4), (void *)v86_code, len);
    *(volatile uint16_t *)((V86_SEG << 4) + 0x10) = 0;
    memset(&tss_v86, 0, sizeof(tss_v86));
    tss_v86.eflags = EFL_VM | 0x3000 | 0x2;     /* IOPL 3: INT n allowed */
    tss_v86.eip = 0;
    tss_v86.esp = 0xfff0;
    tss_v86.cs = tss_v86.ss = tss_v86.ds = tss_v86.es = tss_v86.fs = tss_v86.gs = V86_SEG;
    tss_v86.cr3 = read_cr3();
    tss_v86.iomap = sizeof(tss_v86);
    tss_desc(SEL_TV86, &tss_v86, sizeof(tss_v86) - 1, SYS_TSS32_AVAIL, 0, true);
    idt_set(VEC_V86_BACK, 0, SEL_TSS, GATE_TASK, 3, true);
    main_fl_after = 0;
    expect_no_trap("JMP to a virtual-8086 task, back by INT n through a task gate", t_v86, 0);
    idt_set_default(VEC_V86_BACK);
    check_eq("vm86 task: wrote through DS = segment << 4",
             *(volatile uint16_t *)((V86_SEG << 4) + 0x10), 0x5678);
    check_eq("vm86 task: EFLAGS.VM in its saved state", tss_v86.eflags & EFL_VM, EFL_VM);
    check_eq("vm86 task: CS saved", tss_v86.cs, V86_SEG);
    check_eq("vm86 task: EIP saved after INT n", tss_v86.eip,
             LBL(v86_after_int) - (uint32_t)v86_code);
    check_eq("main task resumed by the interrupt: nested (NT)", main_fl_after & EFL_NT,
             EFL_NT);
    check_eq("main task resumed by the interrupt: back link to the vm86 task", tss.link,
             SEL_TV86);
    check_eq("the interrupted vm86 task stays busy", gdt_type(SEL_TV86), SYS_TSS32_BUSY);
    check_eq("vm86 task: TR back", read_tr(), SEL_TSS);
    tss.link = 0;
    __asm__ volatile("clts");
}

static void test_cr3(void)
{
    for (int i = 0; i < 1024; i++) {
        pd_a[i] = pd_b[i] = ((uint32_t)i << 22) | 0x83;     /* 4 MiB identity pages */
    }
    write_cr3((uint32_t)pd_a);
    write_cr4(read_cr4() | CR4_PSE);
    write_cr0(read_cr0() | CR0_PG);
    reset_a();
    tss_a.cr3 = (uint32_t)pd_b;
    tss.cr3 = (uint32_t)pd_a;
    expect_no_trap("JMP to a task with another CR3 (paging on)", t_jmp_a, 0);
    check_eq("the new task runs with its TSS's CR3", a_cr3, (uint32_t)pd_b);
    check_eq("back by JMP: CR3 from the main TSS", read_cr3(), (uint32_t)pd_a);
    write_cr0(read_cr0() & ~CR0_PG);
    write_cr4(read_cr4() & ~CR4_PSE);
    write_cr3(0);
    tss.cr3 = 0;
    __asm__ volatile("clts");
}

static volatile uint32_t db_count, db_eip, db_dr6, db_tr;
static bool db_hook(struct trap_frame *f)
{
    uint32_t dr6;
    __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
    db_count++;
    db_eip = f->eip;
    db_dr6 = dr6;
    db_tr = read_tr();
    return true;
}

static void test_trap_bit(void)
{
    reset_a();
    tss_a.trap = 1;
    __asm__ volatile("mov %0, %%dr6" :: "r"(0xffff0ff0u));
    trap_set_hook(1, db_hook);
    db_count = 0;
    qemu_deviation("QEMU ignores the T bit of a TSS");
    expect_no_trap("JMP to a task whose TSS has the T bit", t_jmp_a, 0);
    check_eq("T bit: one #DB", db_count, 1);
    check_eq("T bit: #DB before the first instruction of the new task", db_eip,
             (uint32_t)task_a_entry);
    check_eq("T bit: in the new task", db_tr, SEL_TA);
    check_eq("T bit: DR6.BT", db_dr6 & 0x8000, 0x8000);
    qemu_deviation(NULL);
    trap_set_hook(1, NULL);
    check_eq("T bit: the task ran", a_runs, 1);
    __asm__ volatile("clts");
}

static void test_precommit_faults(void)
{
    reset_a();
    tss_init(&tss_x, x_back, TOP(stack_x));
    tss_desc(SEL_TX, &tss_x, 0x66, SYS_TSS32_AVAIL, 0, true);
    expect_trap("#TS: TSS limit 0x66", t_jmp_x, 0, 10, SEL_TX, LBL(jmp_x_at), SEL_KCODE);
    check_eq("#TS before the commit: TR unchanged", read_tr(), SEL_TSS);
    check_eq("#TS before the commit: the TSS stays available", gdt_type(SEL_TX),
             SYS_TSS32_AVAIL);
    check_eq("#TS before the commit: the main TSS stays busy", gdt_type(SEL_TSS),
             SYS_TSS32_BUSY);

    tss_desc(SEL_TX, &tss_x, sizeof(tss_x) - 1, SYS_TSS32_AVAIL, 0, false);
    expect_trap("#NP: TSS not present", t_jmp_x, 0, 11, SEL_TX, LBL(jmp_x_at), SEL_KCODE);
    expect_trap("#GP: JMP to the busy TSS of the running task", t_jmp_busy, 0, 13, SEL_TSS,
                LBL(jmp_busy_at), SEL_KCODE);

    gdt_set_gate(SEL_GATE_X, SEL_TA, 0, GATE_TASK, 0, 0, false);
    expect_trap("#NP: task gate not present", t_jmp_gate_x, 0, 11, SEL_GATE_X,
                LBL(jmp_gate_x_at), SEL_KCODE);
    gdt_set_gate(SEL_GATE_X, SEL_TSS, 0, GATE_TASK, 0, 0, true);
    expect_trap("#GP: task gate to a busy TSS", t_jmp_gate_x, 0, 13, SEL_TSS,
                LBL(jmp_gate_x_at), SEL_KCODE);
    gdt_set_gate(SEL_GATE_X, SEL_KDATA, 0, GATE_TASK, 0, 0, true);
    expect_trap("#GP: task gate to a data segment", t_jmp_gate_x, 0, 13, SEL_KDATA,
                LBL(jmp_gate_x_at), SEL_KCODE);
    gdt_set_gate(SEL_GATE_X, LDT_TSS_A, 0, GATE_TASK, 0, 0, true);
    qemu_deviation("QEMU raises #TS for a task gate whose TSS selector points to the LDT");
    expect_trap("#GP: task gate with an LDT TSS selector", t_jmp_gate_x, 0, 13,
                LDT_TSS_A & ~3, LBL(jmp_gate_x_at), SEL_KCODE);
    qemu_deviation(NULL);
    check_eq("no task ran", a_runs, 0);
    check_eq("TR unchanged", read_tr(), SEL_TSS);
}

/* faults after the commit point belong to the new task */
static volatile uint32_t h_count, h_err, h_eip, h_cs, h_tr;
static bool np_hook(struct trap_frame *f)
{
    h_count++;
    h_err = f->error;
    h_eip = f->eip;
    h_cs = f->cs & 0xffff;
    h_tr = read_tr();
    f->ds = SEL_KDATA;          /* finish the switch: the task resumes with a usable DS */
    return true;
}

static bool gp_hook(struct trap_frame *f)
{
    h_count++;
    h_err = f->error;
    h_eip = f->eip;
    h_cs = f->cs & 0xffff;
    h_tr = read_tr();
    f->cs = SEL_KCODE;          /* resume the task where it can go home */
    f->eip = (uint32_t)x_back;
    return true;
}

static void test_postcommit_faults(void)
{
    qemu_deviation("QEMU raises faults found after the commit point of a task switch at the "
                   "instruction that started it");
    /* SS with DPL 3 for a ring 0 task: #TS(SS), handled by a task (C) */
    tss_init(&tss_x, x_back, TOP(stack_x));
    tss_x.ss = SEL_UDATA | 3;
    tss_desc(SEL_TX, &tss_x, sizeof(tss_x) - 1, SYS_TSS32_AVAIL, 0, true);
    tss_init(&tss_c, task_c_entry, TOP(stack_c));
    tss_desc(SEL_TC, &tss_c, sizeof(tss_c) - 1, SYS_TSS32_AVAIL, 0, true);
    idt_set(10, 0, SEL_TC, GATE_TASK, 0, true);
    c_err = c_tr = c_link = 0;
    expect_no_trap("#TS after the commit point, through a task gate", t_jmp_x, 0);
    idt_set_default(10);
    check_eq("#TS(SS) after the commit: error code", c_err, SEL_UDATA);
    check_eq("#TS after the commit: one dword pushed", c_esp, TOP(stack_c));
    check_eq("#TS after the commit: handler task", c_tr, SEL_TC);
    check_eq("#TS after the commit: raised in the new task (the handler's back link)",
             c_link, SEL_TX);
    check_eq("#TS after the commit: the new task's first EIP saved", tss_x.eip,
             (uint32_t)x_back);
    check_eq("#TS after the commit: the new task's selectors were loaded", tss_x.ss,
             SEL_UDATA | 3);
    check_eq("handler task JMPed home: TR", read_tr(), SEL_TSS);
    recover_tr();

    /* DS not present: #NP(DS) in the new task, handled through an interrupt gate */
    tss_init(&tss_x, x_np_entry, TOP(stack_x));
    tss_x.ds = SEL_DATA_NP;
    tss_desc(SEL_TX, &tss_x, sizeof(tss_x) - 1, SYS_TSS32_AVAIL, 0, true);
    trap_set_hook(11, np_hook);
    h_count = 0;
    x_ds = 0;
    expect_no_trap("#NP(DS) after the commit point, through an interrupt gate", t_jmp_x, 0);
    trap_set_hook(11, NULL);
    check_eq("#NP after the commit: one fault", h_count, 1);
    check_eq("#NP after the commit: error code", h_err, SEL_DATA_NP);
    check_eq("#NP after the commit: saved EIP is the new task's first", h_eip,
             (uint32_t)x_np_entry);
    check_eq("#NP after the commit: saved CS is the new task's", h_cs, SEL_KCODE);
    check_eq("#NP after the commit: in the new task", h_tr, SEL_TX);
    check_eq("#NP after the commit: the task resumed with the fixed DS", x_ds, SEL_KDATA);
    check_eq("back home: TR", read_tr(), SEL_TSS);
    recover_tr();

    /* EIP beyond the new CS limit: #GP(0) in the new task */
    tss_init(&tss_x, x_back, TOP(stack_x));
    tss_x.cs = SEL_SMALL;
    tss_x.eip = 0x2000;
    tss_desc(SEL_TX, &tss_x, sizeof(tss_x) - 1, SYS_TSS32_AVAIL, 0, true);
    trap_set_hook(13, gp_hook);
    h_count = 0;
    expect_no_trap("EIP beyond the new task's CS limit: #GP in the new task", t_jmp_x, 0);
    trap_set_hook(13, NULL);
    check_eq("CS limit #GP: one fault", h_count, 1);
    check_eq("CS limit #GP: error code 0", h_err, 0);
    check_eq("CS limit #GP: saved CS:EIP of the new task", h_cs == SEL_SMALL && h_eip == 0x2000,
             1);
    check_eq("CS limit #GP: in the new task", h_tr, SEL_TX);
    check_eq("back home: TR", read_tr(), SEL_TSS);
    recover_tr();
    qemu_deviation(NULL);
    __asm__ volatile("clts");
}

int main(void)
{
    setup();
    test_jmp_call();
    test_ldt_gate();
    test_idt_gates();
    test_user_gate();
    test_tss16();
    test_v86();
    test_cr3();
    test_trap_bit();
    test_precommit_faults();
    test_postcommit_faults();
    finish();
}

/* SPDX-License-Identifier: MIT */
/*
 * farcalls.c - tests control transfers through descriptors (Intel SDM vol. 3A, 5.8 and
 * chapter 7): far JMP/CALL/RET through the GDT (also to a segment with a non-zero base,
 * indirect m16:32 forms, RET imm16), call gates (same privilege, and ring 3 -> ring 0 with
 * parameter copy and the stack switch from the TSS), conforming code called from ring 3,
 * IRET and far RET to an outer privilege level (data segment registers nulled), interrupts
 * from ring 3 returning with IRET, LTR/STR (busy bit, the TSS actually used), LAR/LSL/
 * VERR/VERW at CPL 0 and CPL 3, and hardware task switches by far JMP and CALL/IRET.
 */
#include "guest.h"

#define SEL_CODE_B    (SEL_TEST + 0x00)   /* second flat code segment */
#define SEL_CODE_OFF  (SEL_TEST + 0x08)   /* code segment with base 0x1000 */
#define SEL_GATE3     (SEL_TEST + 0x10)   /* call gate, DPL 3, 2 parameters -> gate_fn */
#define SEL_TSS2      (SEL_TEST + 0x18)   /* second TSS */
#define SEL_XO        (SEL_TEST + 0x20)   /* execute-only code */
#define SEL_RO        (SEL_TEST + 0x28)   /* read-only data */
#define SEL_LIM       (SEL_TEST + 0x30)   /* data, byte-granular limit 0x1234 */
#define SEL_GATE0     (SEL_TEST + 0x38)   /* call gate, DPL 0 */
#define SEL_LDT       (SEL_TEST + 0x40)   /* an LDT descriptor */
#define SEL_TSS3      (SEL_TEST + 0x48)   /* task for the task-switch tests */
#define SEL_GATE_NP   (SEL_TEST + 0x50)   /* call gate, not present */
#define CODE_OFF_BASE 0x1000u

#define UX "int $" STR(USER_EXIT_VEC)

volatile uint32_t r[32];                 /* results written by the snippets */

/* ---- far JMP / CALL / RET at CPL 0 ---- */
ASM_FN(t_ljmp, "ljmp $" STR(SEL_CODE_B) ", $1f\n"
               "1: mov %cs, %eax\n mov %eax, r\n"
               "ljmp $" STR(SEL_KCODE) ", $2f\n"
               "2: mov %cs, %eax\n mov %eax, r+4\n ret");
ASM_LABEL(off_here);
ASM_FN(t_ljmp_base, "ljmp $" STR(SEL_CODE_OFF) ", $(1f - " STR(CODE_OFF_BASE) ")\n"
                    "1: mov %cs, %eax\n mov %eax, r\n"
                    "call off_here\n"
                    "off_here: pop %eax\n mov %eax, r+4\n"
                    "ljmp $" STR(SEL_KCODE) ", $2f\n"
                    "2: ret");
ASM_FN(far_fn, "mov (%esp), %eax\n mov %eax, r+8\n"
               "mov 4(%esp), %eax\n mov %eax, r+12\n"
               "mov %cs, %eax\n mov %eax, r+16\n lret");
ASM_LABEL(lcall_ret);
ASM_FN(t_lcall, "mov %esp, r+20\n"
                "lcall $" STR(SEL_CODE_B) ", $far_fn\n"
                "lcall_ret: mov %esp, r+24\n mov %cs, %eax\n mov %eax, r+28\n ret");
ASM_FN(far_fn_params, "mov 8(%esp), %eax\n mov %eax, r+32\n mov 12(%esp), %eax\n"
                      "mov %eax, r+36\n lret $8");
ASM_FN(t_lret_imm, "mov %esp, r+40\n push $0x1111\n push $0x2222\n"
                   "lcall $" STR(SEL_CODE_B) ", $far_fn_params\n"
                   "mov %esp, r+44\n ret");
struct __attribute__((packed)) farptr {
    uint32_t off;
    uint16_t sel;
};
struct farptr fp_call = { 0, SEL_CODE_B }, fp_jmp = { 0, SEL_CODE_B };
ASM_LABEL(ind_ret);
ASM_FN(t_lcall_ind, "lcall *fp_call\n ind_ret: ret");
ASM_LABEL(ind_jmp_target);
ASM_FN(t_ljmp_ind, "ljmp *fp_jmp\n"
                   "ind_jmp_target: mov %cs, %eax\n mov %eax, r+48\n"
                   "ljmp $" STR(SEL_KCODE) ", $1f\n 1: ret");

/* ---- call gates ---- */
ASM_FN(gate_fn, "mov (%esp), %eax\n mov %eax, r+0\n"     /* EIP */
                "mov 4(%esp), %eax\n mov %eax, r+4\n"    /* CS */
                "mov 8(%esp), %eax\n mov %eax, r+8\n"    /* param (last pushed) */
                "mov 12(%esp), %eax\n mov %eax, r+12\n"  /* param (first pushed) */
                "mov 16(%esp), %eax\n mov %eax, r+16\n"  /* caller ESP */
                "mov 20(%esp), %eax\n mov %eax, r+20\n"  /* caller SS */
                "mov %cs, %eax\n mov %eax, r+24\n"
                "mov %ss, %eax\n mov %eax, r+28\n"
                "lea 24(%esp), %eax\n mov %eax, r+32\n"  /* top of the new stack */
                "lret $8");
ASM_LABEL(u_gate_ret);
ASM_FN(u_gate, "push $0x1111\n push $0x2222\n"
               "lcall $(" STR(SEL_GATE3) " | 3), $0\n"
               "u_gate_ret: mov %esp, r+36\n mov %cs, %eax\n mov %eax, r+40\n"
               "mov %ss, %eax\n mov %eax, r+44\n" UX);
ASM_FN(t_gate_same, "mov %esp, r+48\n push $0x3333\n push $0x4444\n"
                    "lcall $" STR(SEL_GATE3) ", $0\n"
                    "mov %esp, r+52\n ret");
ASM_LABEL(u_gate0_at);
ASM_FN(u_gate0, "u_gate0_at: lcall $(" STR(SEL_GATE0) " | 3), $0\n" UX);
ASM_LABEL(u_gate_np_at);
ASM_FN(u_gate_np, "u_gate_np_at: lcall $(" STR(SEL_GATE_NP) " | 3), $0\n" UX);
ASM_LABEL(u_kcode_at);
ASM_FN(u_kcode, "u_kcode_at: lcall $" STR(SEL_KCODE) ", $far_fn\n" UX);

/* conforming code: runs at the caller's CPL */
ASM_FN(conf_fn, "mov %cs, %eax\n mov %eax, r+56\n lret");
ASM_FN(u_conf, "lcall $" STR(SEL_CONF) ", $conf_fn\n mov %cs, %eax\n mov %eax, r+60\n" UX);

/* ---- privilege changes by IRET / far RET / interrupts ---- */
ASM_FN(u_segs, "mov %ds, %eax\n mov %eax, %ss:r+0\n mov %es, %eax\n mov %eax, %ss:r+4\n"
               "mov %fs, %eax\n mov %eax, %ss:r+8\n mov %gs, %eax\n mov %eax, %ss:r+12\n"
               "mov %cs, %eax\n mov %eax, %ss:r+16\n" UX);
/* IRET to ring 3 with DS/ES = kernel data (DPL 0): they become null; FS/GS = user data stay */
ASM_FN(t_iret_nulls, "mov $" STR(SEL_KDATA) ", %eax\n mov %eax, %ds\n mov %eax, %es\n"
                     "mov $(" STR(SEL_UDATA) " | 3), %eax\n mov %eax, %fs\n mov %eax, %gs\n"
                     "push $(" STR(SEL_UDATA) " | 3)\n push $user_stack_top\n push $0x2\n"
                     "push $(" STR(SEL_UCODE) " | 3)\n push $u_segs\n iret");
/* far RET to ring 3 */
ASM_FN(t_lret_out, "mov $(" STR(SEL_UDATA) " | 3), %eax\n mov %eax, %ds\n mov %eax, %es\n"
                   "mov $" STR(SEL_KDATA) ", %eax\n mov %eax, %fs\n mov %eax, %gs\n"
                   "push $(" STR(SEL_UDATA) " | 3)\n push $user_stack_top\n"
                   "push $(" STR(SEL_UCODE) " | 3)\n push $u_segs\n lret");
/* interrupt from ring 3 whose handler returns with IRET to ring 3 */
ASM_FN(u_int_roundtrip, "mov %esp, r+20\n int $0x82\n int $0x82\n mov %esp, r+24\n"
                        "mov %ss, %eax\n mov %eax, r+28\n mov %cs, %eax\n mov %eax, r+32\n" UX);
static unsigned int82_count;
static uint32_t int82_cs, int82_ss;
static bool int82_hook(struct trap_frame *f)
{
    int82_count++;
    int82_cs = f->cs;
    int82_ss = f->ss;
    return true;
}
static uint32_t exit_frame;
static bool exit_hook(struct trap_frame *f)
{
    exit_frame = (uint32_t)f;
    return false;
}

/* ---- LTR/STR, LAR/LSL/VERR/VERW ---- */
static struct tss32 tss2 __attribute__((aligned(128)));
static struct tss32 tss3 __attribute__((aligned(128)));
static uint8_t tss2_stack[2048] __attribute__((aligned(16)));
static uint8_t task_stack[2048] __attribute__((aligned(16)));

ASM_LABEL(ltr_at);
ASM_FN(t_ltr, "mov 4(%esp), %eax\n ltr_at: ltr %ax\n ret");
ASM_LABEL(u_ltr_at);
ASM_FN(u_ltr, "mov $" STR(SEL_TSS) ", %eax\n u_ltr_at: ltr %ax\n" UX);

static bool lar(uint32_t sel, uint32_t *v)
{
    uint32_t res = 0xdeadbeef;
    uint8_t z;
    __asm__ volatile("lar %2, %0\n\tsetz %1" : "+r"(res), "=q"(z) : "r"(sel) : "cc");
    *v = res;
    return z;
}

static bool lsl(uint32_t sel, uint32_t *v)
{
    uint32_t res = 0xdeadbeef;
    uint8_t z;
    __asm__ volatile("lsl %2, %0\n\tsetz %1" : "+r"(res), "=q"(z) : "r"(sel) : "cc");
    *v = res;
    return z;
}

static bool verr(uint32_t sel)
{
    uint8_t z;
    __asm__ volatile("verr %w1\n\tsetz %0" : "=q"(z) : "r"(sel) : "cc");
    return z;
}

static bool verw(uint32_t sel)
{
    uint8_t z;
    __asm__ volatile("verw %w1\n\tsetz %0" : "=q"(z) : "r"(sel) : "cc");
    return z;
}

/* At CPL 3: ZF of LAR/LSL/VERR/VERW for a few selectors, into r[0..11] */
#define ZF_TO(n) "setz %al\n movzbl %al, %eax\n mov %eax, r+" #n "\n"
ASM_FN(u_access, "mov $" STR(SEL_KDATA) ", %ecx\n lar %ecx, %edx\n" ZF_TO(0)
                 "mov $(" STR(SEL_UDATA) "|3), %ecx\n lar %ecx, %edx\n" ZF_TO(4)
                 "mov %edx, r+8\n"
                 "mov $(" STR(SEL_CONF) "|3), %ecx\n lar %ecx, %edx\n" ZF_TO(12)
                 "mov $(" STR(SEL_GATE3) "|3), %ecx\n lar %ecx, %edx\n" ZF_TO(16)
                 "mov $(" STR(SEL_KDATA) "), %ecx\n lsl %ecx, %edx\n" ZF_TO(20)
                 "mov $(" STR(SEL_UDATA) "|3), %ecx\n lsl %ecx, %edx\n" ZF_TO(24)
                 "mov %edx, r+28\n"
                 "mov $" STR(SEL_KDATA) ", %ecx\n verr %cx\n" ZF_TO(32)
                 "mov $(" STR(SEL_UDATA) "|3), %ecx\n verw %cx\n" ZF_TO(36)
                 "mov $(" STR(SEL_CONF) "|3), %ecx\n verr %cx\n" ZF_TO(40)
                 "mov $(" STR(SEL_UCODE) "|3), %ecx\n verw %cx\n" ZF_TO(44)
                 UX);

/* ---- task switch ---- */
volatile uint32_t task_runs, task_tr, task_eflags, task_link;
ASM_FN(task_entry, "1: incl task_runs\n"
                   "str %eax\n movzwl %ax, %eax\n mov %eax, task_tr\n"
                   "pushf\n pop %eax\n mov %eax, task_eflags\n"
                   "movzwl tss3, %eax\n mov %eax, task_link\n"
                   "testl $0x4000, task_eflags\n jnz 2f\n"
                   "ljmp $" STR(SEL_TSS) ", $0\n jmp 1b\n"   /* resumed here by the next JMP */
                   "2: iret\n jmp 1b");                     /* CALLed: back through the link */
ASM_FN(t_task_jmp, "ljmp $" STR(SEL_TSS3) ", $0\n ret");
ASM_FN(t_task_call, "lcall $" STR(SEL_TSS3) ", $0\n ret");

static void setup_gdt(void)
{
    gdt_set(SEL_CODE_B, 0, 0xfffff, ACC_P | ACC_CODE | ACC_R, FL_G | FL_DB);
    gdt_set(SEL_CODE_OFF, CODE_OFF_BASE, 0xfffff, ACC_P | ACC_CODE | ACC_R, FL_G | FL_DB);
    gdt_set_gate(SEL_GATE3, SEL_KCODE, (uint32_t)gate_fn, GATE_CALL32, 3, 2, true);
    gdt_set_gate(SEL_GATE0, SEL_KCODE, (uint32_t)gate_fn, GATE_CALL32, 0, 2, true);
    gdt_set_gate(SEL_GATE_NP, SEL_KCODE, (uint32_t)gate_fn, GATE_CALL32, 3, 2, false);
    gdt_set(SEL_XO, 0, 0xfffff, ACC_P | ACC_CODE, FL_G | FL_DB);
    gdt_set(SEL_RO, 0, 0xfffff, ACC_P | ACC_DATA, FL_G | FL_DB);
    gdt_set(SEL_LIM, 0x40000, 0x1234, ACC_P | ACC_DATA | ACC_W, FL_DB);
    gdt_set(SEL_LDT, 0x50000, 0xff, ACC_P | SYS_LDT, 0);
    gdt_set(SEL_TSS2, (uint32_t)&tss2, sizeof(tss2) - 1, ACC_P | SYS_TSS32_AVAIL, 0);
    gdt_set(SEL_TSS3, (uint32_t)&tss3, sizeof(tss3) - 1, ACC_P | SYS_TSS32_AVAIL, 0);
}

static void test_far_transfers(void)
{
    memset((void *)r, 0, sizeof(r));
    expect_no_trap("far JMP to another code segment and back", t_ljmp, 0);
    check_eq("far JMP: CS loaded from the selector", r[0], SEL_CODE_B);
    check_eq("far JMP back: CS", r[1], SEL_KCODE);

    expect_no_trap("far JMP to a code segment with base 0x1000", t_ljmp_base, 0);
    check_eq("far JMP (base 0x1000): CS", r[0], SEL_CODE_OFF);
    check_eq("far JMP (base 0x1000): EIP is an offset from the base", r[1],
             LBL(off_here) - CODE_OFF_BASE);

    expect_no_trap("far CALL / far RET", t_lcall, 0);
    check_eq("far CALL: pushed EIP", r[2], LBL(lcall_ret));
    check_eq("far CALL: pushed CS", r[3], SEL_KCODE);
    check_eq("far CALL: callee CS", r[4], SEL_CODE_B);
    check_eq("far RET: ESP restored", r[6], r[5]);
    check_eq("far RET: CS restored", r[7], SEL_KCODE);

    expect_no_trap("far CALL with parameters, RET 8", t_lret_imm, 0);
    check(r[8] == 0x2222 && r[9] == 0x1111, "far CALL: parameters above CS:EIP");
    check_eq("RET imm16 releases the parameters", r[11], r[10]);

    fp_call.off = (uint32_t)far_fn;
    expect_no_trap("indirect far CALL m16:32", t_lcall_ind, 0);
    check_eq("indirect far CALL: callee CS", r[4], SEL_CODE_B);
    check_eq("indirect far CALL: pushed EIP", r[2], LBL(ind_ret));
    fp_jmp.off = LBL(ind_jmp_target);
    expect_no_trap("indirect far JMP m16:32", t_ljmp_ind, 0);
    check_eq("indirect far JMP: CS", r[12], SEL_CODE_B);
}

static void test_gates(void)
{
    memset((void *)r, 0, sizeof(r));
    uint32_t v = run_user(u_gate, (uint32_t)user_stack_top, 0x2);
    check_eq("call gate from ring 3: back in ring 3 and out", v, USER_EXIT_VEC);
    check_eq("call gate: pushed EIP", r[0], LBL(u_gate_ret));
    check_eq("call gate: pushed CS (RPL 3)", r[1], SEL_UCODE | 3);
    check_eq("call gate: parameter copied (last pushed)", r[2], 0x2222);
    check_eq("call gate: parameter copied (first pushed)", r[3], 0x1111);
    check_eq("call gate: caller ESP pushed", r[4], (uint32_t)user_stack_top - 8);
    check_eq("call gate: caller SS pushed", r[5], SEL_UDATA | 3);
    check_eq("call gate: runs at CPL 0 (CS)", r[6], SEL_KCODE);
    check_eq("call gate: SS from TSS.SS0", r[7], SEL_KDATA);
    check_eq("call gate: stack from TSS.ESP0", r[8], (uint32_t)trap_stack_top);
    check_eq("RET 8 to ring 3: caller ESP with parameters released", r[9],
             (uint32_t)user_stack_top);
    check_eq("RET to ring 3: CS", r[10], SEL_UCODE | 3);
    check_eq("RET to ring 3: SS", r[11], SEL_UDATA | 3);

    expect_no_trap("call gate at the same privilege level", t_gate_same, 0);
    check_eq("same-privilege call gate: CS pushed is the caller's", r[1], SEL_KCODE);
    check_eq("same-privilege call gate: no stack switch (params in place)", r[2], 0x4444);
    check_eq("same-privilege call gate: RET 8 restores ESP", r[13], r[12]);

    expect_user_trap("#GP: ring 3 through a DPL 0 call gate", u_gate0, 13, SEL_GATE0,
                     LBL(u_gate0_at));
    expect_user_trap("#NP: not-present call gate", u_gate_np, 11, SEL_GATE_NP,
                     LBL(u_gate_np_at));
    expect_user_trap("#GP: ring 3 far CALL to non-conforming ring-0 code", u_kcode, 13,
                     SEL_KCODE, LBL(u_kcode_at));

    r[14] = r[15] = 0;
    v = run_user(u_conf, (uint32_t)user_stack_top, 0x2);
    check_eq("conforming code called from ring 3", v, USER_EXIT_VEC);
    check_eq("conforming code: CS.RPL = CPL 3", r[14], SEL_CONF | 3);
    check_eq("conforming code: back in the caller's segment", r[15], SEL_UCODE | 3);
}

static void test_privilege(void)
{
    memset((void *)r, 0xff, sizeof(r));
    expect_trap("IRET to ring 3 and back", t_iret_nulls, 0, USER_EXIT_VEC, NO_TRAP, NO_TRAP,
                SEL_UCODE | 3);
    check_eq("IRET to ring 3: DS with DPL 0 becomes null", r[0], 0);
    check_eq("IRET to ring 3: ES with DPL 0 becomes null", r[1], 0);
    check_eq("IRET to ring 3: FS with DPL 3 kept", r[2], SEL_UDATA | 3);
    check_eq("IRET to ring 3: GS with DPL 3 kept", r[3], SEL_UDATA | 3);
    check_eq("IRET to ring 3: CS", r[4], SEL_UCODE | 3);

    memset((void *)r, 0xff, sizeof(r));
    expect_trap("far RET to ring 3 and back", t_lret_out, 0, USER_EXIT_VEC, NO_TRAP, NO_TRAP,
                SEL_UCODE | 3);
    check_eq("far RET to ring 3: DS with DPL 3 kept", r[0], SEL_UDATA | 3);
    check_eq("far RET to ring 3: FS with DPL 0 becomes null", r[2], 0);
    check_eq("far RET to ring 3: GS with DPL 0 becomes null", r[3], 0);
    check_eq("far RET to ring 3: CS", r[4], SEL_UCODE | 3);

    idt_set(0x82, idt_stub(0x82), SEL_KCODE, GATE_INT32, 3, true);
    trap_set_hook(0x82, int82_hook);
    int82_count = 0;
    uint32_t v = run_user(u_int_roundtrip, (uint32_t)user_stack_top, 0x2);
    trap_set_hook(0x82, NULL);
    idt_set_default(0x82);
    check_eq("ring 3 INT, handler IRETs back to ring 3 (twice)", int82_count, 2);
    check_eq("ring 3 INT: interrupted CS", int82_cs, SEL_UCODE | 3);
    check_eq("ring 3 INT: interrupted SS on the ring-0 stack", int82_ss, SEL_UDATA | 3);
    check_eq("IRET to ring 3: ESP restored", r[6], r[5]);
    check_eq("IRET to ring 3: SS restored", r[7], SEL_UDATA | 3);
    check_eq("IRET to ring 3: CS restored", r[8], SEL_UCODE | 3);
    check_eq("ring 3 code finished", v, USER_EXIT_VEC);
}

static void test_tr(void)
{
    check_eq("STR: the runtime's TSS", read_tr(), SEL_TSS);
    memset(&tss2, 0, sizeof(tss2));
    tss2.esp0 = (uint32_t)(tss2_stack + sizeof(tss2_stack));
    tss2.ss0 = SEL_KDATA;
    tss2.iomap = sizeof(tss2);
    expect_no_trap("LTR of an available TSS", t_ltr, SEL_TSS2);
    check_eq("STR after LTR", read_tr(), SEL_TSS2);
    check_eq("LTR marks the TSS descriptor busy", (uint32_t)(gdt[SEL_TSS2 / 8] >> 40) & 0xf,
             SYS_TSS32_BUSY);
    expect_trap("#GP: LTR of a busy TSS", t_ltr, SEL_TSS2, 13, SEL_TSS2, LBL(ltr_at), SEL_KCODE);
    expect_trap("#GP: LTR of a data segment", t_ltr, SEL_KDATA, 13, SEL_KDATA, LBL(ltr_at),
                SEL_KCODE);
    qemu_deviation("QEMU loads a null TR instead of raising #GP(0)");
    if (!expect_trap("#GP: LTR of a null selector", t_ltr, 0, 13, 0, LBL(ltr_at), SEL_KCODE) &&
        read_tr() != SEL_TSS2) {
        gdt[SEL_TSS2 / 8] &= ~(2ull << 40);     /* recover: TR must stay usable */
        __asm__ volatile("ltr %w0" :: "r"(SEL_TSS2));
    }
    qemu_deviation(NULL);
    expect_user_trap("#GP: LTR at CPL 3", u_ltr, 13, 0, LBL(u_ltr_at));
    trap_set_hook(USER_EXIT_VEC, exit_hook);
    exit_frame = 0;
    run_user(u_access, (uint32_t)user_stack_top, 0x2);     /* any ring-3 code */
    trap_set_hook(USER_EXIT_VEC, NULL);
    check(exit_frame >= (uint32_t)tss2_stack &&
              exit_frame < (uint32_t)tss2_stack + sizeof(tss2_stack),
          "ring 3 -> ring 0 switches to the new TR's ESP0");
    /* back to the runtime's TSS: it is still marked busy */
    gdt[SEL_TSS / 8] &= ~(2ull << 40);
    expect_no_trap("LTR back to the runtime's TSS", t_ltr, SEL_TSS);
    check_eq("STR: the runtime's TSS again", read_tr(), SEL_TSS);
}

static void test_access_rights(void)
{
    uint32_t v;
    check(lar(SEL_KCODE, &v), "LAR code segment: ZF=1");
    check_eq("LAR code segment: access rights", v & 0x00f0fe00, 0x00c09a00);
    check(lar(SEL_UDATA | 3, &v), "LAR DPL 3 data: ZF=1");
    check_eq("LAR DPL 3 data: access rights", v & 0x00f0fe00, 0x00c0f200);
    check(lar(SEL_TSS, &v), "LAR busy TSS: ZF=1");
    check_eq("LAR busy TSS: type 0xb", v & 0x00f0ff00, 0x00008b00);
    check(lar(SEL_GATE3, &v), "LAR call gate: ZF=1");
    check_eq("LAR call gate: type 0xc, DPL 3", v & 0x0000ff00, 0x0000ec00);
    check(lar(SEL_LDT, &v), "LAR LDT: ZF=1");
    check(!lar(0, &v), "LAR null selector: ZF=0");
    check_eq("LAR with ZF=0 leaves the destination", v, 0xdeadbeef);
    check(!lar(GDT_ENTRIES * 8, &v), "LAR beyond the GDT limit: ZF=0");

    check(lsl(SEL_KDATA, &v), "LSL flat data: ZF=1");
    check_eq("LSL G=1: limit in bytes", v, 0xffffffff);
    check(lsl(SEL_LIM, &v), "LSL byte-granular: ZF=1");
    check_eq("LSL byte-granular limit", v, 0x1234);
    check(lsl(SEL_TSS, &v), "LSL TSS: ZF=1");
    check_eq("LSL TSS limit", v, sizeof(struct tss32) - 1);
    check(!lsl(SEL_GATE3, &v), "LSL call gate: ZF=0");
    check(!lsl(0, &v), "LSL null: ZF=0");

    check(verr(SEL_KCODE), "VERR readable code: ZF=1");
    check(!verr(SEL_XO), "VERR execute-only code: ZF=0");
    check(verr(SEL_RO), "VERR read-only data: ZF=1");
    check(verw(SEL_KDATA), "VERW writable data: ZF=1");
    check(!verw(SEL_RO), "VERW read-only data: ZF=0");
    check(!verw(SEL_KCODE), "VERW code: ZF=0");
    check(!verr(0) && !verw(0), "VERR/VERW null: ZF=0");
    check(!verr(SEL_TSS), "VERR system segment: ZF=0");

    memset((void *)r, 0xff, sizeof(r));
    uint32_t vec = run_user(u_access, (uint32_t)user_stack_top, 0x2);
    check_eq("CPL 3 access-rights checks ran", vec, USER_EXIT_VEC);
    check_eq("CPL 3: LAR of DPL 0 data fails (ZF=0)", r[0], 0);
    check_eq("CPL 3: LAR of DPL 3 data succeeds", r[1], 1);
    check_eq("CPL 3: LAR DPL 3 data value", r[2] & 0x00f0fe00, 0x00c0f200);
    check_eq("CPL 3: LAR of conforming DPL 0 code succeeds", r[3], 1);
    check_eq("CPL 3: LAR of a DPL 3 call gate succeeds", r[4], 1);
    check_eq("CPL 3: LSL of DPL 0 data fails", r[5], 0);
    check_eq("CPL 3: LSL of DPL 3 data succeeds", r[6], 1);
    check_eq("CPL 3: LSL value", r[7], 0xffffffff);
    check_eq("CPL 3: VERR of DPL 0 data fails", r[8], 0);
    check_eq("CPL 3: VERW of DPL 3 data succeeds", r[9], 1);
    check_eq("CPL 3: VERR of conforming readable code succeeds", r[10], 1);
    check_eq("CPL 3: VERW of code fails", r[11], 0);
}

static void test_task_switch(void)
{
    memset(&tss3, 0, sizeof(tss3));
    tss3.eip = (uint32_t)task_entry;
    tss3.esp = (uint32_t)(task_stack + sizeof(task_stack));
    tss3.eflags = 0x2;
    tss3.cs = SEL_KCODE;
    tss3.ss = tss3.ds = tss3.es = tss3.fs = tss3.gs = SEL_KDATA;
    tss3.cr3 = read_cr3();
    tss3.iomap = sizeof(tss3);
    task_runs = 0;

    expect_no_trap("task switch by far JMP to a TSS and back", t_task_jmp, 0);
    check_eq("JMP task switch: the task ran", task_runs, 1);
    check_eq("JMP task switch: TR was the new TSS", task_tr, SEL_TSS3);
    check_eq("JMP task switch: NT clear in the new task", task_eflags & EFL_NT, 0);
    check_eq("back by JMP: TR", read_tr(), SEL_TSS);
    check_eq("task switch sets CR0.TS", read_cr0() & CR0_TS, CR0_TS);
    __asm__ volatile("clts");
    check_eq("JMP away: old TSS no longer busy",
             (uint32_t)(gdt[SEL_TSS3 / 8] >> 40) & 0xf, SYS_TSS32_AVAIL);

    expect_no_trap("task switch by far CALL, back by IRET", t_task_call, 0);
    check_eq("CALL task switch: the task ran again (resumed after its JMP)", task_runs, 2);
    check_eq("CALL task switch: NT set in the new task", task_eflags & EFL_NT, EFL_NT);
    check_eq("CALL task switch: back link is the caller's TSS", task_link, SEL_TSS);
    check_eq("back by IRET: TR", read_tr(), SEL_TSS);
    check_eq("back by IRET: caller's NT clear", read_eflags() & EFL_NT, 0);
    __asm__ volatile("clts");
}

int main(void)
{
    setup_gdt();
    test_far_transfers();
    test_gates();
    test_privilege();
    test_tr();
    test_access_rights();
    test_task_switch();
    finish();
}

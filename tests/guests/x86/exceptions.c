/* SPDX-License-Identifier: MIT */
/*
 * exceptions.c - tests exception delivery in 32-bit protected mode (Intel SDM vol. 3A,
 * chapter 6): #DE #DB (TF single step, ICEBP, INT 1) #BP #OF #BR #UD #NM #DF #TS #NP
 * #SS #GP #PF, each checking the vector, the error code and the saved CS:EIP (fault:
 * the faulting instruction; trap: the next one). Includes a ring-3 part (IRET to CPL 3,
 * TSS.SS0:ESP0 for the way back) and the contributory-exception rule that yields #DF.
 */
#include "guest.h"

#define SEL_NP_DATA  (SEL_TEST + 0x00)  /* data, not present */
#define SEL_RO_DATA  (SEL_TEST + 0x08)  /* read-only data */
#define SEL_XO_CODE  (SEL_TEST + 0x10)  /* execute-only code */
#define SEL_SMALL    (SEL_TEST + 0x18)  /* data, limit 0xfff, byte granular */
#define SEL_NP_CODE  (SEL_TEST + 0x20)  /* code, not present */
#define SEL_TSS_AV   (SEL_TEST + 0x28)  /* an available (not busy) TSS */
#define SEL_NP_DATA3 (SEL_TEST + 0x30)  /* data, DPL 3, not present */
#define SEL_BEYOND   (GDT_ENTRIES * 8)  /* first selector past the GDT limit */

/* ---------------- #DE ---------------- */
ASM_LABEL(de_div_at);
ASM_FN(t_div0, "xor %ecx, %ecx\n mov $1, %eax\n xor %edx, %edx\n"
               "de_div_at: div %ecx\n ret");
ASM_LABEL(de_idiv_at);
ASM_FN(t_idiv_ovf, "mov $0x80000000, %eax\n cdq\n mov $-1, %ecx\n"
                   "de_idiv_at: idiv %ecx\n ret");
ASM_LABEL(de_div8_at);
ASM_FN(t_div8_ovf, "mov $0x1000, %eax\n mov $0x10, %bl\n de_div8_at: div %bl\n ret");

/* ---------------- #DB ---------------- */
ASM_LABEL(db_tf_after);
ASM_FN(t_tf, "pushf\n orl $0x100, (%esp)\n popf\n"
             "nop\n"                    /* runs with TF=1; #DB after it */
             "db_tf_after: nop\n"
             "pushf\n andl $~0x100, (%esp)\n popf\n ret");
ASM_LABEL(st_1); ASM_LABEL(st_2); ASM_LABEL(st_3); ASM_LABEL(st_4); ASM_LABEL(st_5);
ASM_LABEL(st_6); ASM_LABEL(st_7);
ASM_FN(t_steps, "pushf\n orl $0x100, (%esp)\n popf\n"
                "st_1: nop\n"
                "st_2: mov $1, %eax\n"
                "st_3: add %eax, %eax\n"
                "st_4: pushf\n"
                "st_5: andl $~0x100, (%esp)\n"
                "st_6: popf\n"
                "st_7: ret");
ASM_LABEL(db_icebp_after);
ASM_FN(t_icebp, ".byte 0xf1\n db_icebp_after: ret");
ASM_LABEL(db_int1_after);
ASM_FN(t_int1, ".byte 0xcd, 0x01\n db_int1_after: ret");

static uint32_t step_eips[16];
static unsigned step_count;

static bool step_hook(struct trap_frame *f)
{
    if (step_count < 16) {
        step_eips[step_count] = f->eip;
    }
    step_count++;
    return true;
}

/* ---------------- #BP #OF #BR ---------------- */
ASM_LABEL(bp_after);
ASM_FN(t_int3, "int3\n bp_after: ret");
ASM_LABEL(bp_cd03_after);
ASM_FN(t_int_3, ".byte 0xcd, 0x03\n bp_cd03_after: ret");
ASM_LABEL(of_after);
ASM_FN(t_into, "mov $0x7fffffff, %eax\n add $1, %eax\n into\n of_after: ret");
ASM_FN(t_into_no, "mov $1, %eax\n add $1, %eax\n into\n ret");
static int32_t bounds[2] __attribute__((used)) = { 10, 20 };
ASM_LABEL(br_at);
ASM_FN(t_bound, "mov 4(%esp), %eax\n br_at: bound %eax, bounds\n ret");

/* ---------------- #UD #NM ---------------- */
ASM_LABEL(ud2_at);
ASM_FN(t_ud2, "ud2_at: ud2\n ret");
ASM_LABEL(ud_movcs_at);
ASM_FN(t_mov_cs, "ud_movcs_at: .byte 0x8e, 0xc8\n ret");          /* mov %eax, %cs */
ASM_LABEL(ud_lockreg_at);
ASM_FN(t_lock_reg, "ud_lockreg_at: .byte 0xf0, 0x01, 0xc3\n ret"); /* lock add %eax, %ebx */
ASM_LABEL(nm_at);
ASM_FN(t_fld1, "nm_at: .byte 0xd9, 0xe8\n ret");                  /* fld1 */
ASM_LABEL(nm_wait_at);
ASM_FN(t_fwait, "nm_wait_at: .byte 0x9b\n ret");                  /* fwait */

/* ---------------- segment loads: #NP #SS #GP ---------------- */
ASM_LABEL(ld_ds_at);
ASM_FN(t_load_ds, "mov 4(%esp), %eax\n ld_ds_at: mov %eax, %ds\n"
                  "mov $" STR(SEL_KDATA) ", %eax\n mov %eax, %ds\n ret");
ASM_LABEL(ld_ss_at);
ASM_FN(t_load_ss, "mov 4(%esp), %eax\n ld_ss_at: mov %eax, %ss\n ret");
ASM_LABEL(es_write_at);
ASM_FN(t_es_write, "mov 4(%esp), %eax\n mov %eax, %es\n"
                   "es_write_at: movl $0, %es:0x300000\n ret");
ASM_LABEL(small_at);
ASM_FN(t_small_read, "mov $" STR(SEL_SMALL) ", %eax\n mov %eax, %fs\n mov 4(%esp), %ecx\n"
                     "small_at: mov %fs:(%ecx), %eax\n ret");
ASM_LABEL(null_at);
ASM_FN(t_null_read, "xor %eax, %eax\n mov %eax, %fs\n"
                    "null_at: mov %fs:0x100000, %eax\n ret");
ASM_LABEL(cs_write_at);
ASM_FN(t_cs_write, "cs_write_at: movl $0, %cs:0x300000\n ret");
ASM_LABEL(lcall_np_at);
ASM_FN(t_lcall_np, "lcall_np_at: lcall $" STR(SEL_NP_CODE) ", $0\n ret");
ASM_LABEL(int50_at);
ASM_FN(t_int50, "int50_at: int $0x50\n ret");
ASM_LABEL(int90_at);
ASM_FN(t_int90, "int90_at: int $0x90\n ret");
ASM_LABEL(int3_np_at);
ASM_FN(t_int3_np, "int3_np_at: int3\n ret");

/* ---------------- #DF ---------------- */
ASM_FN(t_gp_beyond, "mov $" STR(SEL_BEYOND) ", %eax\n mov %eax, %ds\n ret");

/* ---------------- #TS ---------------- */
ASM_LABEL(iret_nt_at);
ASM_FN(t_iret_nt, "pushf\n orl $0x4000, (%esp)\n popf\n"   /* NT=1 */
                  "pushf\n push %cs\n push $1f\n"
                  "iret_nt_at: iret\n"
                  "1: pushf\n andl $~0x4000, (%esp)\n popf\n ret");

/* Ring 3 code: ends with int $USER_EXIT_VEC. */
ASM_LABEL(u_int80_at);
ASM_FN(u_int80, "u_int80_at: int $0x80\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_cli_at);
ASM_FN(u_cli, "u_cli_at: cli\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_hlt_at);
ASM_FN(u_hlt, "u_hlt_at: hlt\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_cr0_at);
ASM_FN(u_cr0, "u_cr0_at: mov %cr0, %eax\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_in_at);
ASM_FN(u_in, "u_in_at: inb $0x80, %al\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_int40_at);
ASM_FN(u_int40, "u_int40_at: int $0x40\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_lgdt_at);
ASM_FN(u_lgdt, "u_lgdt_at: lgdt gdt_desc\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_wrmsr_at);
ASM_FN(u_wrmsr, "u_wrmsr_at: wrmsr\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_kds_at);
ASM_FN(u_kds, "mov $" STR(SEL_KDATA) ", %eax\n u_kds_at: mov %eax, %ds\n int $" STR(USER_EXIT_VEC));
ASM_FN(u_nothing, "int $" STR(USER_EXIT_VEC));
/* SMSW is not privileged (only CR4.UMIP would make it #GP at CPL 3) */
ASM_FN(u_smsw, "smsw %ax\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_pf_read_at);
ASM_FN(u_pf_read, "mov 0x401000, %eax\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_pf_write_at);
ASM_FN(u_pf_write, "u_pf_write_at: movl $1, 0x402000\n int $" STR(USER_EXIT_VEC));
ASM_FN(u_pf_write_ro, "movl $1, 0x403000\n int $" STR(USER_EXIT_VEC));
ASM_FN(u_pf_np, "mov 0x400000, %eax\n int $" STR(USER_EXIT_VEC));
ASM_FN(u_user_read, "mov 0x403000, %eax\n int $" STR(USER_EXIT_VEC));

/*
 * The #TS handler of the ring-3 case: reached through a gate to the conforming
 * SEL_CONF segment, so it runs at CPL 3 on the user stack (no stack switch: SDM 6.12.1).
 * It records the frame, repairs TSS.SS0 (paging is off and the user data segment is
 * flat, so CPL 3 can write the TSS) and returns to the kernel through int $USER_EXIT_VEC.
 */
volatile uint32_t ts_seen, ts_err, ts_eip, ts_cs, ts_handler_cs;
ASM_FN(ts_conf_handler, "popl ts_err\n"
                        "movl (%esp), %eax\n movl %eax, ts_eip\n"
                        "movl 4(%esp), %eax\n movl %eax, ts_cs\n"
                        "mov %cs, %eax\n movl %eax, ts_handler_cs\n"
                        "movl $1, ts_seen\n"
                        "movw $" STR(SEL_KDATA) ", tss + 8\n"
                        "int $" STR(USER_EXIT_VEC));

/* ---------------- #PF ---------------- */
static uint32_t pf_pd[1024] __attribute__((aligned(4096)));
static uint32_t pf_pt0[1024] __attribute__((aligned(4096)));
static uint32_t pf_pt1[1024] __attribute__((aligned(4096)));
ASM_LABEL(pf_read_at);
ASM_FN(t_pf_read, "mov 4(%esp), %ecx\n pf_read_at: mov (%ecx), %eax\n ret");
ASM_LABEL(pf_write_at);
ASM_FN(t_pf_write, "mov 4(%esp), %ecx\n pf_write_at: movl $0x5a5a5a5a, (%ecx)\n ret");
ASM_FN(t_call_addr, "mov 4(%esp), %ecx\n call *%ecx\n ret");

static void set_cr0_bits(uint32_t set, uint32_t clear)
{
    write_cr0((read_cr0() | set) & ~clear);
}

static void test_de_db_bp(void)
{
    expect_trap("#DE: DIV by zero", t_div0, 0, 0, NO_TRAP, LBL(de_div_at), SEL_KCODE);
    expect_trap("#DE: IDIV 0x80000000 / -1 overflow", t_idiv_ovf, 0, 0, NO_TRAP,
                LBL(de_idiv_at), SEL_KCODE);
    expect_trap("#DE: 8-bit DIV quotient overflow", t_div8_ovf, 0, 0, NO_TRAP, LBL(de_div8_at),
                SEL_KCODE);

    __asm__ volatile("mov %0, %%dr6" :: "r"(0xffff0ff0u));
    expect_trap("#DB: TF single step traps after the next instruction", t_tf, 0, 1, NO_TRAP,
                LBL(db_tf_after), SEL_KCODE);
    uint32_t dr6;
    __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
    check_eq("#DB: DR6.BS set by single step", dr6 & 0x4000, 0x4000);
    check_eq("#DB: saved EFLAGS has TF", trap_last.eflags & EFL_TF, EFL_TF);

    step_count = 0;
    trap_set_hook(1, step_hook);
    expect_no_trap("#DB: single-step run resumes with IRET", t_steps, 0);
    trap_set_hook(1, NULL);
    check_eq("#DB: one trap per instruction while TF=1 (POPF clearing TF still traps)",
             step_count, 6);
    const uint32_t want[6] = { LBL(st_2), LBL(st_3), LBL(st_4), LBL(st_5), LBL(st_6), LBL(st_7) };
    for (unsigned i = 0; i < 6 && i < step_count; i++) {
        check_eq(fmt_name("#DB: single step %u EIP", i + 1), step_eips[i], want[i]);
    }

    qemu_deviation("QEMU 7.2 decodes ICEBP (F1) as an invalid opcode");
    expect_trap("#DB: ICEBP (F1) is a trap", t_icebp, 0, 1, NO_TRAP, LBL(db_icebp_after),
                SEL_KCODE);
    qemu_deviation(NULL);
    expect_trap("#DB: INT 1 (CD 01)", t_int1, 0, 1, NO_TRAP, LBL(db_int1_after), SEL_KCODE);
    expect_trap("#BP: INT3 pushes the EIP after it", t_int3, 0, 3, NO_TRAP, LBL(bp_after),
                SEL_KCODE);
    expect_trap("#BP: INT 3 (CD 03)", t_int_3, 0, 3, NO_TRAP, LBL(bp_cd03_after), SEL_KCODE);
    expect_trap("#OF: INTO with OF=1", t_into, 0, 4, NO_TRAP, LBL(of_after), SEL_KCODE);
    expect_no_trap("#OF: INTO with OF=0 does nothing", t_into_no, 0);
    expect_trap("#BR: BOUND above the upper bound", t_bound, 21, 5, NO_TRAP, LBL(br_at),
                SEL_KCODE);
    expect_trap("#BR: BOUND below the lower bound", t_bound, 9, 5, NO_TRAP, LBL(br_at),
                SEL_KCODE);
    expect_trap("#BR: BOUND is signed (-1 < 10)", t_bound, 0xffffffff, 5, NO_TRAP, LBL(br_at),
                SEL_KCODE);
    expect_no_trap("#BR: BOUND within bounds (10)", t_bound, 10);
    expect_no_trap("#BR: BOUND within bounds (20)", t_bound, 20);
}

static void test_ud_nm(void)
{
    expect_trap("#UD: UD2", t_ud2, 0, 6, NO_TRAP, LBL(ud2_at), SEL_KCODE);
    /* a fault pushes EFLAGS with RF set (SDM vol. 3A 18.3.1.1), a trap does not */
    qemu_deviation("QEMU TCG does not set RF in the EFLAGS image of a fault");
    check_eq("#UD: saved EFLAGS has RF (fault)", trap_last.eflags & EFL_RF, EFL_RF);
    qemu_deviation(NULL);
    expect_trap("#BP: INT3 (for its saved RF)", t_int3, 0, 3, NO_TRAP, LBL(bp_after), SEL_KCODE);
    check_eq("#BP: saved EFLAGS has no RF (trap)", trap_last.eflags & EFL_RF, 0);
    expect_trap("#UD: MOV to CS", t_mov_cs, 0, 6, NO_TRAP, LBL(ud_movcs_at), SEL_KCODE);
    expect_trap("#UD: LOCK with a register destination", t_lock_reg, 0, 6, NO_TRAP,
                LBL(ud_lockreg_at), SEL_KCODE);

    set_cr0_bits(CR0_EM, CR0_TS);
    expect_trap("#NM: x87 FLD1 with CR0.EM=1", t_fld1, 0, 7, NO_TRAP, LBL(nm_at), SEL_KCODE);
    set_cr0_bits(CR0_TS | CR0_MP, CR0_EM);
    expect_trap("#NM: x87 FLD1 with CR0.TS=1", t_fld1, 0, 7, NO_TRAP, LBL(nm_at), SEL_KCODE);
    expect_trap("#NM: FWAIT with CR0.TS=1 and CR0.MP=1", t_fwait, 0, 7, NO_TRAP,
                LBL(nm_wait_at), SEL_KCODE);
    set_cr0_bits(0, CR0_TS | CR0_EM);
}

static void test_segments(void)
{
    gdt_set(SEL_NP_DATA, 0, 0xfffff, ACC_DATA | ACC_W, FL_G | FL_DB);   /* P=0 */
    gdt_set(SEL_RO_DATA, 0, 0xfffff, ACC_P | ACC_DATA, FL_G | FL_DB);
    gdt_set(SEL_XO_CODE, 0, 0xfffff, ACC_P | ACC_CODE, FL_G | FL_DB);
    gdt_set(SEL_SMALL, 0x200000, 0xfff, ACC_P | ACC_DATA | ACC_W, FL_DB);
    gdt_set(SEL_NP_CODE, 0, 0xfffff, ACC_CODE | ACC_R, FL_G | FL_DB);   /* P=0 */
    gdt_set(SEL_NP_DATA3, 0, 0xfffff, ACC_DPL(3) | ACC_DATA | ACC_W, FL_G | FL_DB);

    expect_trap("#NP: load DS with a not-present descriptor", t_load_ds, SEL_NP_DATA, 11,
                SEL_NP_DATA, LBL(ld_ds_at), SEL_KCODE);
    expect_trap("#NP: error code drops the RPL", t_load_ds, SEL_NP_DATA3 | 3, 11, SEL_NP_DATA3,
                LBL(ld_ds_at), SEL_KCODE);
    expect_trap("#GP comes before #NP: RPL > DPL on a not-present segment", t_load_ds,
                SEL_NP_DATA | 3, 13, SEL_NP_DATA, LBL(ld_ds_at), SEL_KCODE);
    expect_trap("#NP: far CALL to a not-present code segment", t_lcall_np, 0, 11, SEL_NP_CODE,
                LBL(lcall_np_at), SEL_KCODE);
    idt_set(0x50, idt_stub(0x50), SEL_KCODE, GATE_INT32, 0, false);
    expect_trap("#NP: INT 0x50 through a not-present gate (error = vec*8+2)", t_int50, 0, 11,
                0x50 * 8 + 2, LBL(int50_at), SEL_KCODE);
    idt_set_default(0x50);
    /* #NP while delivering INT3 (benign) is simply delivered: no #DF. */
    idt_set(3, idt_stub(3), SEL_KCODE, GATE_INT32, 0, false);
    expect_trap("#NP: INT3 through a not-present gate (benign first: no #DF)", t_int3_np, 0,
                11, 3 * 8 + 2, LBL(int3_np_at), SEL_KCODE);
    idt_set_default(3);

    expect_trap("#SS: load SS with a not-present descriptor", t_load_ss, SEL_NP_DATA, 12,
                SEL_NP_DATA, LBL(ld_ss_at), SEL_KCODE);
    expect_trap("#GP: load SS with a read-only data segment", t_load_ss, SEL_RO_DATA, 13,
                SEL_RO_DATA, LBL(ld_ss_at), SEL_KCODE);
    expect_trap("#GP: load SS with a DPL3 segment at CPL0", t_load_ss, SEL_UDATA, 13,
                SEL_UDATA, LBL(ld_ss_at), SEL_KCODE);
    expect_trap("#GP: load SS with a null selector", t_load_ss, 0, 13, 0, LBL(ld_ss_at),
                SEL_KCODE);
    expect_trap("#GP: selector beyond the GDT limit", t_load_ds, SEL_BEYOND, 13, SEL_BEYOND,
                LBL(ld_ds_at), SEL_KCODE);
    expect_trap("#GP: load DS with an execute-only code segment", t_load_ds, SEL_XO_CODE, 13,
                SEL_XO_CODE, LBL(ld_ds_at), SEL_KCODE);
    expect_trap("#GP: load DS with the TSS descriptor", t_load_ds, SEL_TSS, 13, SEL_TSS,
                LBL(ld_ds_at), SEL_KCODE);
    expect_no_trap("load DS with a null selector is allowed", t_load_ds, 0);
    qemu_deviation("QEMU TCG does not check segment limits, rights or null selectors on "
                   "memory accesses");
    expect_trap("#GP: write to a read-only data segment", t_es_write, SEL_RO_DATA, 13, 0,
                LBL(es_write_at), SEL_KCODE);
    expect_trap("#GP: write through CS (code segment)", t_cs_write, 0, 13, 0, LBL(cs_write_at),
                SEL_KCODE);
    expect_trap("#GP: read past a byte-granular limit", t_small_read, 0x1000, 13, 0,
                LBL(small_at), SEL_KCODE);
    expect_trap("#GP: dword read straddling the limit", t_small_read, 0xffe, 13, 0,
                LBL(small_at), SEL_KCODE);
    expect_no_trap("read of the last dword inside the limit", t_small_read, 0xffc);
    expect_trap("#GP: memory access through a null DS/FS", t_null_read, 0, 13, 0,
                LBL(null_at), SEL_KCODE);
    qemu_deviation(NULL);

    /* Vector beyond the IDT limit: #GP(vec*8+2) */
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr;
    __asm__ volatile("sidt %0" : "=m"(idtr));
    uint16_t old_limit = idtr.limit;
    idtr.limit = 0x80 * 8 - 1;
    __asm__ volatile("lidt %0" :: "m"(idtr));
    expect_trap("#GP: INT 0x90 beyond the IDT limit (error = vec*8+2)", t_int90, 0, 13,
                0x90 * 8 + 2, LBL(int90_at), SEL_KCODE);
    idtr.limit = old_limit;
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

/* #DF pushes error code 0; its saved CS:EIP are undefined (SDM 6.15, interrupt 8). */
static void test_df(void)
{
    /* #DE (contributory) whose gate is not present -> #NP (contributory) -> #DF(0). */
    idt_set(0, idt_stub(0), SEL_KCODE, GATE_INT32, 0, false);
    expect_trap("#DF: #DE through a not-present gate", t_div0, 0, 8, 0, NO_TRAP, 0);
    idt_set_default(0);
    /* #GP whose gate is not present -> #NP -> #DF(0). */
    idt_set(13, idt_stub(13), SEL_KCODE, GATE_INT32, 0, false);
    expect_trap("#DF: #GP through a not-present gate", t_gp_beyond, 0, 8, 0, NO_TRAP, 0);
    idt_set_default(13);
    /* #GP whose gate is invalid is a #GP while delivering #GP -> #DF. */
    uint32_t lo = idt_raw_lo(13), hi = idt_raw_hi(13);
    idt_set_raw(13, 0, 0);      /* a null gate (type 0) is invalid: #GP(13*8+2) on delivery */
    expect_trap("#DF: #GP through an invalid (type 0) gate", t_gp_beyond, 0, 8, 0, NO_TRAP, 0);
    idt_set_raw(13, lo, hi);
}

static void test_ts(void)
{
    /* IRET with NT=1 returns to the task in TSS.link: checks on that selector give #TS. */
    tss.link = SEL_KCODE;
    expect_trap("#TS: IRET with NT=1, back link is a code segment", t_iret_nt, 0, 10,
                SEL_KCODE, LBL(iret_nt_at), SEL_KCODE);
    tss.link = 0x0c | 3;
    expect_trap("#TS: IRET with NT=1, back link has TI=1", t_iret_nt, 0, 10, 0x0c,
                LBL(iret_nt_at), SEL_KCODE);
    gdt_set(SEL_TSS_AV, (uint32_t)&tss, sizeof(tss) - 1, ACC_P | SYS_TSS32_AVAIL, 0);
    tss.link = SEL_TSS_AV;
    expect_trap("#TS: IRET with NT=1, back link TSS is not busy", t_iret_nt, 0, 10, SEL_TSS_AV,
                LBL(iret_nt_at), SEL_KCODE);
    tss.link = 0;

    /* INT 0x80 from ring 3 through a DPL3 gate to ring 0: the stack switch reads a bad
     * TSS.SS0. The #TS goes to the conforming handler at CPL 3 (see ts_conf_handler). */
    static const struct {
        const char *what;
        uint16_t ss0, err;
    } cases[] = {
        { "#TS: ring-3 INT with TSS.SS0 null", 0, 0 },
        { "#TS: ring-3 INT with TSS.SS0 RPL != 0", SEL_KDATA | 1, SEL_KDATA },
        { "#TS: ring-3 INT with TSS.SS0 DPL 3", SEL_UDATA, SEL_UDATA },
    };
    uint32_t lo10 = idt_raw_lo(10), hi10 = idt_raw_hi(10);
    idt_set(0x80, idt_stub(0x80), SEL_KCODE, GATE_INT32, 3, true);
    idt_set(10, (uint32_t)ts_conf_handler, SEL_CONF, GATE_INT32, 0, true);
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ts_seen = 0;
        ts_err = ts_eip = ts_cs = ts_handler_cs = 0xdead;
        tss.ss0 = cases[i].ss0;
        uint32_t v = run_user(u_int80, (uint32_t)user_stack_top, 0x2);
        tss.ss0 = SEL_KDATA;
        if (!check_eq(fmt_name("%s: back through int $0x81", cases[i].what), v, USER_EXIT_VEC)) {
            continue;
        }
        check_eq(fmt_name("%s: handler ran", cases[i].what), ts_seen, 1);
        check_eq(fmt_name("%s: error code", cases[i].what), ts_err, cases[i].err);
        check_eq(fmt_name("%s: saved EIP is the INT", cases[i].what), ts_eip, LBL(u_int80_at));
        check_eq(fmt_name("%s: saved CS", cases[i].what), ts_cs, SEL_UCODE | 3);
        check_eq(fmt_name("%s: conforming handler keeps CPL 3", cases[i].what), ts_handler_cs,
                 SEL_CONF | 3);
    }
    idt_set_raw(10, lo10, hi10);
    idt_set_default(0x80);
}

static void test_ring3(void)
{
    uint32_t v = run_user(u_nothing, (uint32_t)user_stack_top, 0x2);
    check_eq("ring 3: IRET to CPL 3 and back through a DPL3 gate", v, USER_EXIT_VEC);
    check_eq("ring 3: interrupted CS has RPL 3", trap_last.cs, SEL_UCODE | 3);
    check_eq("ring 3: user SS pushed on the ring-0 stack", trap_last.ss, SEL_UDATA | 3);
    check_eq("ring 3: user ESP pushed on the ring-0 stack", trap_last.esp,
             (uint32_t)user_stack_top);

    expect_user_trap("#GP: CLI at CPL 3 with IOPL 0", u_cli, 13, 0, LBL(u_cli_at));
    expect_user_trap("#GP: HLT at CPL 3", u_hlt, 13, 0, LBL(u_hlt_at));
    expect_user_trap("#GP: MOV from CR0 at CPL 3", u_cr0, 13, 0, LBL(u_cr0_at));
    expect_user_trap("#GP: LGDT at CPL 3", u_lgdt, 13, 0, LBL(u_lgdt_at));
    expect_user_trap("#GP: WRMSR at CPL 3", u_wrmsr, 13, 0, LBL(u_wrmsr_at));
    expect_user_trap("#GP: IN at CPL 3 without I/O permission", u_in, 13, 0, LBL(u_in_at));
    expect_user_trap("#GP: INT 0x40 through a DPL0 gate (error = vec*8+2)", u_int40, 13,
                     0x40 * 8 + 2, LBL(u_int40_at));
    check_eq("#GP from ring 3: user SS on the ring-0 stack", trap_last.ss, SEL_UDATA | 3);
    expect_user_trap("#GP: load DS with a DPL0 segment at CPL 3", u_kds, 13, SEL_KDATA,
                     LBL(u_kds_at));
    check_eq("CLI allowed at CPL 3 with IOPL 3",
             run_user(u_cli, (uint32_t)user_stack_top, 0x3002), USER_EXIT_VEC);
    check_eq("SMSW allowed at CPL 3", run_user(u_smsw, (uint32_t)user_stack_top, 0x2),
             USER_EXIT_VEC);
}

static void test_pf(void)
{
    for (int i = 0; i < 1024; i++) {
        pf_pt0[i] = (i << 12) | 0x7;                        /* P RW U: first 4 MiB */
        pf_pt1[i] = 0;
    }
    pf_pt1[1] = 0x401000 | 0x1;                             /* supervisor, read-only */
    pf_pt1[2] = 0x402000 | 0x3;                             /* supervisor, writable */
    pf_pt1[3] = 0x403000 | 0x5;                             /* user, read-only */
    pf_pt1[4] = 0x404000 | 0x3;                             /* supervisor, writable */
    memset(pf_pd, 0, sizeof(pf_pd));
    pf_pd[0] = (uint32_t)pf_pt0 | 0x7;
    pf_pd[1] = (uint32_t)pf_pt1 | 0x7;
    write_cr3((uint32_t)pf_pd);
    set_cr0_bits(CR0_PG, CR0_WP);
    check((read_cr0() & CR0_PG) != 0, "paging enabled (2-level, 4 KiB pages)");

    expect_trap("#PF: read of a not-present page", t_pf_read, 0x400010, 14, 0x0,
                LBL(pf_read_at), SEL_KCODE);
    check_eq("#PF: CR2 = faulting address (read)", (uint32_t)trap_last.cr2, 0x400010);
    expect_trap("#PF: write to a not-present page", t_pf_write, 0x400ffc, 14, 0x2,
                LBL(pf_write_at), SEL_KCODE);
    check_eq("#PF: CR2 = faulting address (write)", (uint32_t)trap_last.cr2, 0x400ffc);
    expect_trap("#PF: read straddling into a not-present page", t_pf_read, 0x404ffe, 14, 0x0,
                LBL(pf_read_at), SEL_KCODE);
    check_eq("#PF: CR2 = first byte in the not-present page", (uint32_t)trap_last.cr2,
             0x405000);
    expect_trap("#PF: fetch from a not-present page (no I/D bit without NXE)", t_call_addr,
                0x405000, 14, 0x0, 0x405000, SEL_KCODE);
    check_eq("#PF: CR2 = fetch address", (uint32_t)trap_last.cr2, 0x405000);

    expect_no_trap("CR0.WP=0: supervisor write to a read-only page succeeds", t_pf_write,
                   0x401000);
    set_cr0_bits(CR0_WP, 0);
    expect_trap("#PF: supervisor write to a read-only page with CR0.WP=1", t_pf_write,
                0x401004, 14, 0x3, LBL(pf_write_at), SEL_KCODE);
    check_eq("#PF: CR2 (WP)", (uint32_t)trap_last.cr2, 0x401004);

    expect_user_trap("#PF: user read of a supervisor page", u_pf_read, 14, 0x5, NO_TRAP);
    check_eq("#PF: CR2 (user read)", (uint32_t)trap_last.cr2, 0x401000);
    expect_user_trap("#PF: user write to a supervisor page", u_pf_write, 14, 0x7,
                     LBL(u_pf_write_at));
    check_eq("#PF: CR2 (user write)", (uint32_t)trap_last.cr2, 0x402000);
    expect_user_trap("#PF: user write to a user read-only page", u_pf_write_ro, 14, 0x7,
                     NO_TRAP);
    expect_user_trap("#PF: user read of a not-present page", u_pf_np, 14, 0x4, NO_TRAP);
    check_eq("user read of a user page",
             run_user(u_user_read, (uint32_t)user_stack_top, 0x2), USER_EXIT_VEC);

    set_cr0_bits(0, CR0_PG | CR0_WP);
}

int main(void)
{
    test_de_db_bp();
    test_ud_nm();
    test_segments();
    test_df();
    test_ts();
    test_ring3();
    test_pf();
    finish();
}

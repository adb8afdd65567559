/* SPDX-License-Identifier: MIT */
/*
 * segments.c - tests segment limit and rights checks on data accesses and the CS limit on
 * near branch targets in 32-bit protected mode (Intel SDM vol. 3A 5.3-5.4, 3.4.5.1; vol. 2
 * "Protected Mode Exceptions" of MOV, JMP, CALL, RET, LOOP): expand-up limits (byte
 * granular, straddling accesses, huge offsets), expand-down limits with B=1 and B=0, a
 * readable code segment in ES, reads through a flat and an execute-only CS, a null GS, a
 * read-only ES under REP STOS and INS, REP MOVS stopping at the limit with ECX/ESI of the
 * faulting iteration, LES and BTS past the limit, a 16-bit data segment with a 32-bit
 * offset; JMP/Jcc/CALL/RET/LOOP beyond a CS limit (the fault at the branch, nothing pushed,
 * ECX kept) and sequential flow past it; #SS(0) for PUSH and [EBP] accesses at CPL 3.
 * QEMU 7.2's TCG checks none of these (qemu_deviation).
 */
#include "guest.h"

#define SEL_SMALL   (SEL_TEST + 0x00)   /* data RW, base 0x300000, limit 0xfff, B=1 */
#define SEL_EXPD    (SEL_TEST + 0x08)   /* data RW expand-down, base 0x300000, limit 0xfff, B=1 */
#define SEL_EXPD16  (SEL_TEST + 0x10)   /* data RW expand-down, B=0, limit 0xfff */
#define SEL_RCODE   (SEL_TEST + 0x18)   /* readable code as data */
#define SEL_XO      (SEL_TEST + 0x20)   /* execute-only code, flat 4G */
#define SEL_CSLIM   (SEL_TEST + 0x28)   /* readable code, base 0, limit 2 MiB - 1 */
#define SEL_USMALL  (SEL_TEST + 0x30)   /* DPL3 data RW, base 0x300000, limit 0xfff */
#define SEL_UEXPD   (SEL_TEST + 0x38)   /* DPL3 data RW expand-down, limit 0xfff */
#define SEL_RO      (SEL_TEST + 0x40)   /* read-only data, flat */
#define SEL_CSLOOP  (SEL_TEST + 0x48)   /* code whose limit ends with t_cl_loop's LOOP */
#define KCODE SEL_KCODE   /* the CS the data tests fault in */

ASM_LABEL(fs_rd_at);
ASM_FN(t_fs_read, "mov $" STR(SEL_SMALL) ", %eax\n mov %eax, %fs\n mov 4(%esp), %ecx\n"
                  "fs_rd_at: mov %fs:(%ecx), %eax\n ret");
ASM_LABEL(fs_rdw_at);
ASM_FN(t_fs_readw, "mov $" STR(SEL_SMALL) ", %eax\n mov %eax, %fs\n mov 4(%esp), %ecx\n"
                   "fs_rdw_at: movzwl %fs:(%ecx), %eax\n ret");
ASM_LABEL(ed_rd_at);
ASM_FN(t_ed_read, "mov $" STR(SEL_EXPD) ", %eax\n mov %eax, %gs\n mov 4(%esp), %ecx\n"
                  "ed_rd_at: mov %gs:(%ecx), %eax\n ret");
ASM_LABEL(ed16_rd_at);
ASM_FN(t_ed16_read, "mov $" STR(SEL_EXPD16) ", %eax\n mov %eax, %gs\n mov 4(%esp), %ecx\n"
                    "ed16_rd_at: mov %gs:(%ecx), %eax\n ret");
ASM_LABEL(rc_wr_at);
ASM_FN(t_rcode_rw, "mov $" STR(SEL_RCODE) ", %eax\n mov %eax, %es\n mov %es:0x100000, %eax\n"
                   "rc_wr_at: mov %eax, %es:0x300000\n ret");
ASM_LABEL(rc_rd_at);
ASM_FN(t_rcode_rd, "mov $" STR(SEL_RCODE) ", %eax\n mov %eax, %es\n"
                   "rc_rd_at: mov %es:0x100000, %eax\n ret");
ASM_LABEL(cs_rd_at);
ASM_FN(t_cs_read, "cs_rd_at: mov %cs:0x100000, %eax\n ret");
/* execute-only CS: far jump into it, read through CS, far jump back */
ASM_LABEL(xo_rd_at);
ASM_FN(t_xo_read, "ljmp $" STR(SEL_XO) ", $1f\n 1:\n"
                  "xo_rd_at: mov %cs:0x100000, %eax\n ljmp $" STR(SEL_KCODE) ", $2f\n 2: ret");
ASM_LABEL(gs_null_at);
ASM_FN(t_gs_null_write, "xor %eax, %eax\n mov %eax, %gs\n"
                        "gs_null_at: mov %eax, %gs:0x300000\n ret");
ASM_LABEL(ro_stos_at);
ASM_FN(t_ro_stos, "push %edi\n mov $" STR(SEL_RO) ", %eax\n mov %eax, %es\n mov $0x300000, %edi\n"
                  "mov $4, %ecx\n ro_stos_at: rep stosb\n pop %edi\n ret");
/* rep movsb from FS (limit 0xfff) starting at 0xff0, 0x20 bytes: faults with 0x10 left */
ASM_LABEL(movs_at);
ASM_FN(t_rep_movs, "push %esi\n push %edi\n mov $" STR(SEL_SMALL) ", %eax\n mov %eax, %fs\n"
                   "mov $0xff0, %esi\n mov $0x310000, %edi\n mov $0x20, %ecx\n cld\n"
                   "movs_at: rep movsb %fs:(%esi), %es:(%edi)\n pop %edi\n pop %esi\n ret");
ASM_LABEL(les_at);
ASM_FN(t_les, "push %ebx\n mov $" STR(SEL_SMALL) ", %eax\n mov %eax, %fs\n mov 8(%esp), %ecx\n"
              "les_at: les %fs:(%ecx), %ebx\n mov $" STR(SEL_KDATA) ", %eax\n mov %eax, %es\n"
              "pop %ebx\n ret");
ASM_LABEL(bt_at);
ASM_FN(t_bt, "mov $" STR(SEL_SMALL) ", %eax\n mov %eax, %fs\n mov 4(%esp), %ecx\n"
             "bt_at: btsl %ecx, %fs:0\n ret");
ASM_LABEL(d16_at);
ASM_FN(t_data16, "mov $" STR(SEL_DATA16) ", %eax\n mov %eax, %fs\n mov 4(%esp), %ecx\n"
                 "d16_at: mov %fs:(%ecx), %eax\n ret");
ASM_LABEL(ins_at);
ASM_FN(t_ins_ro, "push %edi\n mov $" STR(SEL_RO) ", %eax\n mov %eax, %es\n mov $0x300000, %edi\n"
                 "mov $0x80, %dx\n ins_at: insb\n pop %edi\n ret");

/* CS with a 2 MiB limit: branches beyond it fault at the branch */
ASM_LABEL(cl_jmp_at); ASM_LABEL(cl_call_at); ASM_LABEL(cl_ret_at); ASM_LABEL(cl_jcc_at);
ASM_LABEL(cl_loop_at); ASM_LABEL(cl_jd_at); ASM_LABEL(cl_calli_at);
ASM_FN(t_cl_jmp, "mov 4(%esp), %eax\n ljmp $" STR(SEL_CSLIM) ", $1f\n 1:\n"
                 "cl_jmp_at: jmp *%eax");
ASM_FN(t_cl_calli, "mov 4(%esp), %eax\n ljmp $" STR(SEL_CSLIM) ", $1f\n 1:\n"
                   "cl_calli_at: call *%eax");
ASM_FN(t_cl_call, "ljmp $" STR(SEL_CSLIM) ", $1f\n 1:\n cl_call_at: call 0x300000");
ASM_FN(t_cl_jd, "ljmp $" STR(SEL_CSLIM) ", $1f\n 1:\n cl_jd_at: jmp 0x300000");
ASM_FN(t_cl_ret, "ljmp $" STR(SEL_CSLIM) ", $1f\n 1:\n push $0x300000\n cl_ret_at: ret");
ASM_FN(t_cl_jcc, "ljmp $" STR(SEL_CSLIM) ", $1f\n 1:\n xor %eax, %eax\n cl_jcc_at: jz 0x300000");
/* CS whose limit ends with the LOOP: the taken target and the next instruction are beyond
 * (UD2s, for emulators that do not check) */
struct __attribute__((packed)) { uint32_t off; uint16_t sel; } loop_fp;
ASM_LABEL(cl_loop_next);
ASM_FN(t_cl_loop, "mov 4(%esp), %ecx\n ljmp *loop_fp\n"
                  "cl_loop_at: loop 1f\n cl_loop_next: ud2\n 1: ud2");
/* within the limit: a branch and back to flat CS */
ASM_FN(t_cl_ok, "ljmp $" STR(SEL_CSLIM) ", $1f\n 1:\n mov $3, %ecx\n 2: loop 2b\n call 3f\n"
                "ljmp $" STR(SEL_KCODE) ", $4f\n 3: ret\n 4: ret");

/* ring 3 stack checks (the #SS goes to the ring-0 stack) */
ASM_LABEL(u_push_at);
ASM_FN(u_push_small, "mov $" STR(SEL_USMALL) "|3, %eax\n mov %eax, %ss\n mov $0x1002, %esp\n"
                     "u_push_at: push %eax\n int $" STR(USER_EXIT_VEC));
ASM_FN(u_push_ok, "mov $" STR(SEL_USMALL) "|3, %eax\n mov %eax, %ss\n mov $0x1000, %esp\n"
                  "push %eax\n pop %eax\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_epush_at);
ASM_FN(u_push_expd, "mov $" STR(SEL_UEXPD) "|3, %eax\n mov %eax, %ss\n mov $0x1002, %esp\n"
                    "u_epush_at: push %eax\n int $" STR(USER_EXIT_VEC));
ASM_FN(u_push_expd_ok, "mov $" STR(SEL_UEXPD) "|3, %eax\n mov %eax, %ss\n mov $0x2000, %esp\n"
                       "push %eax\n pop %eax\n int $" STR(USER_EXIT_VEC));
ASM_LABEL(u_ebp_at);
ASM_FN(u_ebp_small, "mov $" STR(SEL_USMALL) "|3, %eax\n mov %eax, %ss\n mov $0x800, %esp\n"
                    "mov $0x1000, %ebp\n u_ebp_at: mov (%ebp), %eax\n int $" STR(USER_EXIT_VEC));

/* The trap frame of the last #GP (through trap_set_hook). */
static uint32_t hook_ecx, hook_esi, hook_esp;
static bool rec_hook(struct trap_frame *f)
{
    hook_ecx = f->ecx;
    hook_esi = f->esi;
    hook_esp = f->esp_pusha;
    return false;
}

static void test_data(void)
{
    qemu_deviation("QEMU TCG does not check segment limits, rights or null selectors on "
                   "memory accesses");
    expect_no_trap("expand-up: last dword", t_fs_read, 0xffc);
    expect_trap("expand-up: dword at 0xffd", t_fs_read, 0xffd, 13, 0, LBL(fs_rd_at), KCODE);
    expect_no_trap("expand-up: word at 0xffe", t_fs_readw, 0xffe);
    expect_trap("expand-up: word at 0xfff", t_fs_readw, 0xfff, 13, 0, LBL(fs_rdw_at), KCODE);
    expect_trap("expand-up: huge offset", t_fs_read, 0xfffffffe, 13, 0, LBL(fs_rd_at), KCODE);
    expect_trap("expand-down: at the limit", t_ed_read, 0xfff, 13, 0, LBL(ed_rd_at), KCODE);
    expect_trap("expand-down: straddling the limit", t_ed_read, 0xffe, 13, 0, LBL(ed_rd_at),
                KCODE);
    expect_no_trap("expand-down: just above the limit", t_ed_read, 0x1000);
    expect_no_trap("expand-down: top dword (B=1)", t_ed_read, 0xfffffffc);
    expect_trap("expand-down: wrap past 4G (B=1)", t_ed_read, 0xfffffffe, 13, 0,
                LBL(ed_rd_at), KCODE);
    expect_no_trap("expand-down 16: top dword", t_ed16_read, 0xfffc);
    expect_trap("expand-down 16: past 0xffff", t_ed16_read, 0xfffe, 13, 0, LBL(ed16_rd_at), KCODE);
    expect_trap("expand-down 16: far past", t_ed16_read, 0x10000, 13, 0, LBL(ed16_rd_at), KCODE);
    expect_no_trap("readable code in ES: read", t_rcode_rd, 0);
    expect_trap("readable code in ES: write", t_rcode_rw, 0, 13, 0, LBL(rc_wr_at), KCODE);
    expect_no_trap("read through a flat readable CS", t_cs_read, 0);
    expect_trap("read through an execute-only CS", t_xo_read, 0, 13, 0, LBL(xo_rd_at), SEL_XO);
    expect_trap("write through a null GS", t_gs_null_write, 0, 13, 0, LBL(gs_null_at), KCODE);
    expect_trap("rep stos to read-only ES", t_ro_stos, 0, 13, 0, LBL(ro_stos_at), KCODE);
    expect_trap("ins to read-only ES", t_ins_ro, 0, 13, 0, LBL(ins_at), KCODE);
    trap_set_hook(13, rec_hook);
    expect_trap("rep movs past the FS limit", t_rep_movs, 0, 13, 0, LBL(movs_at), KCODE);
    check_eq("rep movs: ECX at the fault", hook_ecx, 0x10);
    check_eq("rep movs: ESI at the fault", hook_esi, 0x1000);
    trap_set_hook(13, NULL);
    expect_no_trap("les: far pointer at the end", t_les, 0xffa);
    expect_trap("les: far pointer straddling", t_les, 0xffb, 13, 0, LBL(les_at), KCODE);
    expect_no_trap("bts: bit inside the limit", t_bt, 0xfff * 8);
    expect_trap("bts: bit offset past the limit", t_bt, 0x1000 * 8, 13, 0, LBL(bt_at), KCODE);
    expect_no_trap("16-bit data: last dword", t_data16, 0xfffc);
    expect_trap("16-bit data: 32-bit offset past 64K", t_data16, 0x10000, 13, 0, LBL(d16_at),
                KCODE);
    qemu_deviation(NULL);
}

static void test_cs_limit(void)
{
    uint32_t lbase = LBL(cl_loop_at) & ~0xfffu, esp_ref;

    gdt_set(SEL_CSLOOP, lbase, LBL(cl_loop_at) + 1 - lbase, ACC_P | ACC_CODE | ACC_R, FL_DB);
    loop_fp.off = LBL(cl_loop_at) - lbase;
    loop_fp.sel = SEL_CSLOOP;
    /* a UD2 where the branches beyond the limit land in an emulator that does not check */
    *(volatile uint16_t *)0x300000 = 0x0b0f;

    qemu_deviation("QEMU TCG does not check near branch targets against the CS limit");
    expect_no_trap("CS limit: branches inside", t_cl_ok, 0);
    expect_trap("CS limit: JMP indirect beyond", t_cl_jmp, 0x300000, 13, 0, LBL(cl_jmp_at),
                SEL_CSLIM);
    expect_trap("CS limit: JMP rel beyond", t_cl_jd, 0, 13, 0, LBL(cl_jd_at), SEL_CSLIM);
    expect_trap("CS limit: Jcc beyond", t_cl_jcc, 0, 13, 0, LBL(cl_jcc_at), SEL_CSLIM);
    expect_trap("CS limit: RET beyond", t_cl_ret, 0, 13, 0, LBL(cl_ret_at), SEL_CSLIM);
    trap_set_hook(13, rec_hook);
    /* a JMP pushes nothing: the ESP of its fault is the reference for the CALLs' */
    expect_trap("CS limit: JMP indirect (ESP reference)", t_cl_jmp, 0x300000, 13, 0,
                LBL(cl_jmp_at), SEL_CSLIM);
    esp_ref = hook_esp;
    expect_trap("CS limit: CALL rel beyond", t_cl_call, 0, 13, 0, LBL(cl_call_at), SEL_CSLIM);
    check_eq("CS limit: CALL rel pushed nothing", hook_esp, esp_ref);
    expect_trap("CS limit: CALL indirect beyond", t_cl_calli, 0x300000, 13, 0,
                LBL(cl_calli_at), SEL_CSLIM);
    check_eq("CS limit: CALL indirect pushed nothing", hook_esp, esp_ref);
    expect_trap("CS limit: LOOP beyond", t_cl_loop, 5, 13, 0, LBL(cl_loop_at) - lbase,
                SEL_CSLOOP);
    check_eq("CS limit: LOOP keeps ECX", hook_ecx, 5);
    expect_trap("CS limit: falling through past the limit", t_cl_loop, 1, 13, 0,
                LBL(cl_loop_next) - lbase, SEL_CSLOOP);
    check_eq("CS limit: fall-through after LOOP decremented ECX", hook_ecx, 0);
    trap_set_hook(13, NULL);
    qemu_deviation(NULL);
}

static void test_stack(void)
{
    uint32_t top = (uint32_t)user_stack_top;

    qemu_deviation("QEMU TCG does not check the SS limit on stack accesses");
    expect_user_trap("#SS: push past the SS limit", u_push_small, 12, 0, LBL(u_push_at));
    check_eq("push inside the SS limit", run_user(u_push_ok, top, 0x2), USER_EXIT_VEC);
    expect_user_trap("#SS: push into the expand-down limit", u_push_expd, 12, 0,
                     LBL(u_epush_at));
    check_eq("push above the expand-down limit", run_user(u_push_expd_ok, top, 0x2),
             USER_EXIT_VEC);
    expect_user_trap("#SS: [EBP] past the SS limit", u_ebp_small, 12, 0, LBL(u_ebp_at));
    qemu_deviation(NULL);
}

int main(void)
{
    gdt_set(SEL_SMALL, 0x300000, 0xfff, ACC_P | ACC_DATA | ACC_W, FL_DB);
    gdt_set(SEL_EXPD, 0x300000, 0xfff, ACC_P | ACC_DATA | ACC_W | ACC_E, FL_DB);
    gdt_set(SEL_EXPD16, 0x300000, 0xfff, ACC_P | ACC_DATA | ACC_W | ACC_E, 0);
    gdt_set(SEL_RCODE, 0, 0xfffff, ACC_P | ACC_CODE | ACC_R, FL_G | FL_DB);
    gdt_set(SEL_XO, 0, 0xfffff, ACC_P | ACC_CODE, FL_G | FL_DB);
    gdt_set(SEL_CSLIM, 0, 0x1ff, ACC_P | ACC_CODE | ACC_R, FL_G | FL_DB);
    gdt_set(SEL_USMALL, 0x300000, 0xfff, ACC_P | ACC_DPL(3) | ACC_DATA | ACC_W, FL_DB);
    gdt_set(SEL_UEXPD, 0x300000, 0xfff, ACC_P | ACC_DPL(3) | ACC_DATA | ACC_W | ACC_E, FL_DB);
    gdt_set(SEL_RO, 0, 0xfffff, ACC_P | ACC_DATA, FL_G | FL_DB);

    test_data();
    test_cs_limit();
    test_stack();
    finish();
}

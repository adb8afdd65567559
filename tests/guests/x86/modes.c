/* SPDX-License-Identifier: MIT */
/*
 * modes.c - tests the processor modes and the switches between them: from Multiboot's
 * 32-bit protected mode down to real mode (16-bit code segment, CR0.PE=0, far jump) and
 * back, then into IA-32e mode (PAE, 4-level paging, EFER.LME, CR0.PG, far call to a
 * 64-bit code segment). Real mode: segment arithmetic and aliasing, INT through the IVT
 * and through an IVT moved by LIDT, far CALL, every 16-bit addressing form (SS default
 * for BP, segment overrides, 64 KiB wrap), 32-bit operands, unreal FS. 64-bit mode: REX
 * registers, RIP-relative addressing (also from a high canonical alias), 64-bit
 * arithmetic, zero extension by 32-bit ops, sign extension, #UD/#GP only 64-bit mode has.
 * Exits with isa-debug-exit from 64-bit mode. Assembly in modes_asm.S.
 */
#include "guest.h"
#include "modes.h"

extern char rm_start[], rm_end[], rm_res[], rm_int42_ret[];
void rm_enter(void);

extern uint64_t res64[];
extern char s64_basic[], s64_cs[], s64_regs[], s64_riprel[], s64_high[], s64_arith[];
extern char s64_zext[], s64_sext[], s64_exit[], q_data[];
extern char s64_daa[], s64_daa_at[], s64_pushcs[], s64_pushcs_at[], s64_noncanon[];
extern char s64_noncanon_at[];
extern char s64_noncanon_rsp[], s64_noncanon_rsp_at[], s64_noncanon_rbp[], s64_noncanon_rbp_at[];
extern char s64_noncanon_jmp[], s64_noncanon_jmp_at[], s64_noncanon_ret[], s64_noncanon_ret_at[];

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

static uint16_t rm_word(int n)
{
    return *(volatile uint16_t *)(RM_BASE + (rm_res - rm_start) + 2 * n);
}

static uint32_t rm_dword(int n)
{
    return rm_word(n) | ((uint32_t)rm_word(n + 1) << 16);
}

struct addr_form {
    const char *what;
    bool ss;
    uint16_t off;
};

static const struct addr_form forms[RM_NADDR] = {
    { "[bx+si]", false, 0x0120 },
    { "[bx+di]", false, 0x0140 },
    { "[bp+si] defaults to SS", true, 0x0220 },
    { "[bp+di] defaults to SS", true, 0x0240 },
    { "[si]", false, 0x0020 },
    { "[di]", false, 0x0040 },
    { "[disp16]", false, 0x0456 },
    { "[bx]", false, 0x0100 },
    { "[bp+disp8] defaults to SS", true, 0x0208 },
    { "[bx+si+disp8]", false, 0x0130 },
    { "[bp+si+disp16] defaults to SS", true, 0x1454 },
    { "[bp+di-2] defaults to SS", true, 0x023e },
    { "[bx+di+disp16]", false, 0x2140 },
    { "DS:[bp+si] override", false, 0x0220 },
    { "SS:[bx] override", true, 0x0100 },
    { "[bp+si+0xff00] wraps at 64 KiB", true, 0x0120 },
    { "[bp] (mod 01, disp 0) defaults to SS", true, 0x0200 },
    { "[bx+si] with bx=0xfff0 wraps at 64 KiB", false, 0x0010 },
};

static void test_real_mode(void)
{
    uint32_t size = rm_end - rm_start;
    if (!check(size < 0x7000, "real-mode blob fits below 64 KiB")) {
        return;
    }
    for (uint32_t o = 0; o < 0x10000; o += 2) {
        *(volatile uint16_t *)(RM_DS_SEG * 16 + o) = o ^ 0x1111;
        *(volatile uint16_t *)(RM_SS_SEG * 16 + o) = o ^ 0x2222;
    }
    *(volatile uint32_t *)RM_UNREAL_PHYS = 0xc0ffee42;
    *(volatile uint16_t *)RM_SEG_PHYS = 0;
    *(volatile uint16_t *)RM_ALIAS_PHYS = 0;
    memcpy((void *)RM_BASE, rm_start, size);

    rm_enter();

    check_eq("back in protected mode: CR0.PE=1", read_cr0() & CR0_PE, CR0_PE);
    check_eq("back in protected mode: CS", read_cs(), SEL_KCODE);
    check_eq("real mode: CR0.PE=0", rm_word(RW_CR0) & 1, 0);
    check_eq("real mode: ES reads back 0x4234", rm_word(RW_ES), 0x4234);
    check_eq("real mode: 0x4234:0x5678 is physical 0x479b8", *(volatile uint16_t *)RM_SEG_PHYS,
             0xbeef);
    check_eq("real mode: 0x3001:0x0000 aliases 0x3000:0x0010", rm_word(RW_ALIAS), 0x1111);
    check_eq("real mode INT: pushed IP is after the INT", rm_word(RW_INT_IP),
             RM_BASE + (rm_int42_ret - rm_start));
    check_eq("real mode INT: pushed CS", rm_word(RW_INT_CS), 0);
    check_eq("real mode INT: pushed FLAGS has CF", rm_word(RW_INT_FLAGS) & EFL_CF, EFL_CF);
    check_eq("real mode INT: handler runs with IF=TF=0", rm_word(RW_INT_FL_IN) & (EFL_IF | EFL_TF),
             0);
    check_eq("real mode INT: handler's result in CX", rm_word(RW_INT_CX), 0x3333);
    check_eq("real mode IRET: SP restored", rm_word(RW_SP_AFTER), rm_word(RW_SP_BEFORE));
    check_eq("real mode IRET: FLAGS restored (CF)", rm_word(RW_FL_AFTER) & EFL_CF, EFL_CF);
    check_eq("real mode LIDT: INT through the moved IVT", rm_word(RW_IVT2_MARK), 0x4242);
    check_eq("real mode LIDT: handler CS from the IVT entry", rm_word(RW_IVT2_CS), 0x0800);
    check_eq("real mode far CALL: CS", rm_word(RW_FAR_CS), 0x0800);
    check_eq("real mode far CALL/RET", rm_word(RW_FAR_MARK), 0x600d);
    check_eq("real mode 32-bit operands (66 prefix)", rm_dword(RW_OPS32), 0x34567890);
    check_eq("real mode INC DX keeps EDX[31:16]", rm_dword(RW_EDX_INC), 0xffff0000);
    check_eq("unreal mode: FS keeps its protected-mode limit (read above 1 MiB)",
             rm_dword(RW_UNREAL), 0xc0ffee42);
    for (int i = 0; i < RM_NADDR; i++) {
        uint16_t want = forms[i].off ^ (forms[i].ss ? 0x2222 : 0x1111);
        check_eq(fmt_name("real mode addressing %s", forms[i].what), rm_word(RW_ADDR + i), want);
    }
}

static void run64(uint32_t fn)
{
    call64((void *)fn, 0);
}

struct q_expect {
    int idx;
    const char *what;
    uint64_t want;
};

static void test_long_mode(void)
{
    build_identity_4level(pml4, pdpt, pd);
    pml4[511] = pml4[0];        /* 0xffffff8000000000 aliases the first GiB */
    long_enter((uint32_t)pml4);

    check_eq("long mode: EFER.LMA=1", (uint32_t)rdmsr(MSR_EFER) & EFER_LMA, EFER_LMA);
    check_eq("long mode: CR0.PG=1", read_cr0() & CR0_PG, CR0_PG);
    check_eq("long mode: CR4.PAE=1", read_cr4() & CR4_PAE, CR4_PAE);
    check_eq("compatibility mode: CS is the 32-bit segment", read_cs(), SEL_KCODE);
    check_eq64("64-bit mode: 64-bit result through a far call/return",
               call64(s64_basic, 0), 0x123456789abcdef0ull);
    check_eq("64-bit mode: CS is the L=1 segment", (uint32_t)call64(s64_cs, 0), SEL_CODE64);

    call64(s64_regs, 0);
    call64(s64_riprel, 0);
    call64(s64_high, 0);
    call64(s64_arith, 0);
    call64(s64_zext, 0);
    call64(s64_sext, 0);
    const uint64_t hi = 0xffffff8000000000ull;
    const struct q_expect q[] = {
        { 0, "LEA with R8/R9 (REX.B/REX.X)", 0x5555555555555555ull },
        { 1, "MOV to R11B keeps R11[63:8]", 0xffffffffffffff5aull },
        { 2, "MOV to SIL (REX byte register)", 0xffffffffffffff77ull },
        { 3, "IMUL/ADD/SHL on R12-R15", 0x10c0000000000ull },
        { 4, "MOV to R9D zero-extends", 7 },
        { 5, "MOV to R8W keeps R8[63:16]", 0xffffffffffff1234ull },
        { 6, "LEA RIP-relative", (uint32_t)q_data },
        { 7, "MOV RIP-relative load", 0x1122334455667788ull },
        { 8, "LEA RIP-relative at the high alias", hi + (uint32_t)q_data },
        { 9, "MOV RIP-relative load at the high alias", 0x1122334455667788ull },
        { 10, "indirect JMP back to the low mapping", (uint32_t)s64_high },
        { 11, "ADD carries into bit 32", 0x100000000ull },
        { 12, "IMUL r64, r/m64, imm8", 0x1234567890ull },
        { 13, "MUL r64: low half", 0xfffffffffffffffeull },
        { 14, "MUL r64: high half (RDX)", 1 },
        { 15, "DIV r64: 128/64 quotient", 0x1000000000000000ull },
        { 16, "DIV r64: remainder", 0 },
        { 17, "SHL r64 by CL=65 (count masked to 6 bits)", 2 },
        { 18, "SHL r64 by 63", 0x8000000000000000ull },
        { 19, "SAR r64 by 63", 0xffffffffffffffffull },
        { 20, "IDIV r64: -7/2 quotient", 0xfffffffffffffffdull },
        { 21, "IDIV r64: -7/2 remainder", 0xffffffffffffffffull },
        { 22, "BSWAP r64", 0x0807060504030201ull },
        { 23, "ADC r64 carries out (result 0, CF=1)", 0x100000000ull },
        { 24, "MOV r32, imm32 zero-extends", 0x12345678 },
        { 25, "ADD r32 zero-extends", 0xffffffff },
        { 26, "MOV r16 keeps bits 63:16", 0xffffffffffff0000ull },
        { 27, "MOV r8 (AL) keeps bits 63:8", 0xffffffffffffff00ull },
        { 28, "NOP (90) does not zero-extend RAX", 0xffffffffffffffffull },
        { 29, "XCHG EAX,EAX (87 C0) zero-extends", 0xffffffff },
        { 30, "CMOVcc r32 with a false condition still zero-extends", 0xffffffff },
        { 31, "MOV AH keeps the rest", 0xffffffffffff00ffull },
        { 32, "MOVSXD", 0xffffffff80000000ull },
        { 33, "CDQE", 0xffffffff80000000ull },
        { 34, "CQO", 0xffffffffffffffffull },
        { 35, "ADD r64, imm32 sign-extends the immediate", 0xffffffff80000000ull },
        { 36, "PUSH imm8 sign-extends to 64 bits", 0xfffffffffffffffeull },
        { 37, "PUSH moves RSP by 8", 8 },
        { 38, "MOVSX r64, r8", 0xffffffffffffff80ull },
        { 39, "MOVSXD of 0xffffffff", 0xffffffffffffffffull },
    };
    for (unsigned i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
        check_eq64(fmt_name("64-bit mode: %s", q[i].what), res64[q[i].idx], q[i].want);
    }

    expect_trap("64-bit mode: DAA is #UD", run64, (uint32_t)s64_daa, 6, NO_TRAP,
                (uint32_t)s64_daa_at, SEL_CODE64);
    check_eq("64-bit mode: #UD handled through the 64-bit IDT (RIP[63:32])",
             (uint32_t)(trap_last.rip >> 32), 0);
    expect_trap("64-bit mode: PUSH CS is #UD", run64, (uint32_t)s64_pushcs, 6, NO_TRAP,
                (uint32_t)s64_pushcs_at, SEL_CODE64);
    expect_trap("64-bit mode: non-canonical address is #GP(0)", run64, (uint32_t)s64_noncanon,
                13, 0, (uint32_t)s64_noncanon_at, SEL_CODE64);
    qemu_deviation("QEMU TCG raises #GP for non-canonical stack (SS) references");
    expect_trap("64-bit mode: non-canonical RSP-based address is #SS(0)", run64,
                (uint32_t)s64_noncanon_rsp, 12, 0, (uint32_t)s64_noncanon_rsp_at, SEL_CODE64);
    expect_trap("64-bit mode: non-canonical RBP-based address is #SS(0)", run64,
                (uint32_t)s64_noncanon_rbp, 12, 0, (uint32_t)s64_noncanon_rbp_at, SEL_CODE64);
    qemu_deviation("QEMU TCG jumps to a non-canonical target and faults there");
    expect_trap("64-bit mode: JMP to a non-canonical address is #GP(0) at the JMP", run64,
                (uint32_t)s64_noncanon_jmp, 13, 0, (uint32_t)s64_noncanon_jmp_at, SEL_CODE64);
    expect_trap("64-bit mode: RET to a non-canonical address is #GP(0) at the RET", run64,
                (uint32_t)s64_noncanon_ret, 13, 0, (uint32_t)s64_noncanon_ret_at, SEL_CODE64);
    qemu_deviation(NULL);
    check_eq64("64-bit mode: still running after the exceptions", call64(s64_basic, 0),
               0x123456789abcdef0ull);
}

int main(void)
{
    test_real_mode();
    test_long_mode();
    printf("DONE: %u checks, %u passed, %u failed, %u known QEMU deviations\n",
           checks_passed + checks_failed + checks_xfailed, checks_passed, checks_failed,
           checks_xfailed);
    printf("EXIT: %d (from 64-bit mode)\n", checks_failed ? 1 : 0);
    call64(s64_exit, checks_failed ? 1 : 0);
    finish();   /* no isa-debug-exit device: report from compatibility mode */
}

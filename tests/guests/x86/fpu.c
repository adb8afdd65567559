/* SPDX-License-Identifier: MIT */
/*
 * fpu.c - tests the x87 FPU and the FPU/SSE state instructions in 32-bit protected mode
 * (Intel SDM vol. 1 ch. 8, 10.5 and 13; vol. 2): CPUID FPU/FXSR/XSAVE/OSXSAVE and leaf 0xD,
 * loads and stores in every memory format, arithmetic, FPREM, FCOM/FCOMI flags, FXAM,
 * rounding control, FBLD/FBSTP, stack overflow and underflow, FNSTENV (32- and 16-bit),
 * FNSAVE/FRSTOR, FXSAVE/FXRSTOR layout, LDMXCSR/STMXCSR, XGETBV/XSETBV, XSAVE/XRSTOR
 * (XSTATE_BV, init of a component), #MF with CR0.NE, #NM (CR0.TS/EM), #UD and #GP of the
 * state instructions. Expected values are exact facts of the formats (3.0, 42, pi's
 * 64-bit significand, ...), so the same checks hold on any x87.
 * XSAVE checks are skipped, with a note, when CPUID does not report XSAVE (QEMU's default
 * CPU model); under tandem they are required.
 */
#include "guest.h"

#define CR0_NE  0x00000020u
#define CR4_OSFXSR  (1u << 9)
#define CR4_OSXSAVE (1u << 18)

static uint8_t fx[512 + 64] __attribute__((aligned(64)));
static uint8_t xs[1024] __attribute__((aligned(64)));
static uint8_t env_buf[128];

static void set_cr0_bits(uint32_t set, uint32_t clear)
{
    write_cr0((read_cr0() | set) & ~clear);
}

static void set_cr4_bits(uint32_t set, uint32_t clear)
{
    write_cr4((read_cr4() | set) & ~clear);
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | ((uint32_t)rd16(p + 2) << 16);
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

struct f80 {
    uint64_t mant;
    uint16_t exp;
} __attribute__((packed));

static uint16_t fnstsw(void)
{
    uint16_t v;
    __asm__ volatile("fnstsw %0" : "=m"(v));
    return v;
}

/* ---------------- CPUID ---------------- */

static bool has_xsave;

static void test_cpuid(void)
{
    uint32_t a, b, c, d;

    cpuid(1, 0, &a, &b, &c, &d);
    check_eq("CPUID.1:EDX.FPU", d & 1, 1);
    check_eq("CPUID.1:EDX.FXSR", (d >> 24) & 1, 1);
    has_xsave = (c >> 26) & 1;
    if (!has_xsave) {
        if (under_qemu_tcg()) {
            printf("note: no XSAVE in this CPU model: XSAVE checks skipped\n");
        } else {
            check_eq("CPUID.1:ECX.XSAVE", 0, 1);
        }
        return;
    }
    check_eq("CPUID.1:ECX.OSXSAVE clear while CR4.OSXSAVE is", (c >> 27) & 1, 0);
    cpuid(0, 0, &a, &b, &c, &d);
    check(a >= 0xd, "CPUID max leaf reaches 0xD");
    cpuid(0xd, 0, &a, &b, &c, &d);
    check_eq("CPUID.D.0:EAX bits 0,1 (x87, SSE)", a & 3, 3);
    check_eq("CPUID.D.0:EBX (x87 only in XCR0): 576", b, 576);
    check(c >= 576, "CPUID.D.0:ECX >= 576");
}

/* ---------------- arithmetic, loads and stores ---------------- */

static const uint32_t f32_two = 0x40000000u;                /* 2.0f */
static const uint16_t i16_three = 3, i16_seven = 7;
static const uint32_t i32_six = 6;
static const uint64_t f64_m2_5 = 0xc004000000000000ull;     /* -2.5 */
static const uint64_t f64_1234_5 = 0x40934a0000000000ull;   /* 1234.5 */
static const int32_t i32_m98765 = -98765, i32_two = 2, i32_five = 5, i32_17 = 17;

static void test_arith(void)
{
    uint64_t q;
    uint32_t l;
    struct f80 t;
    uint16_t sw, cw;

    __asm__ volatile("fninit; fld1; fadds %1; fstpl %0" : "=m"(q) : "m"(f32_two));
    check_eq64("FLD1; FADD m32 2.0; FSTP m64 = 3.0", q, 0x4008000000000000ull);
    __asm__ volatile("filds %1; fimull %2; fistpl %0" : "=m"(l) : "m"(i16_seven), "m"(i32_six));
    check_eq("FILD m16 7; FIMUL m32 6; FISTP m32 = 42", l, 42);
    __asm__ volatile("fldpi; fstpt %0" : "=m"(t));
    check_eq64("FLDPI significand", t.mant, 0xc90fdaa22168c235ull);
    check_eq("FLDPI exponent", t.exp, 0x4000);
    __asm__ volatile("fld1; fidivs %1; fstps %0" : "=m"(l) : "m"(i16_three));
    check_eq("1 / 3 as FSTP m32", l, 0x3eaaaaabu);
    check_eq("inexact: PE", fnstsw() & 0x3f, 0x20);
    __asm__ volatile("fninit; fildl %1; fsqrt; fstpl %0" : "=m"(q) : "m"(i32_two));
    check_eq64("FSQRT 2", q, 0x3ff6a09e667f3bcdull);
    /* FPREM 17 / 5: remainder 2, quotient 3 -> C3 (Q1) = 1, C1 (Q0) = 1, C0 (Q2) = 0 */
    __asm__ volatile("fninit; fildl %2; fildl %3; fprem; fnstsw %1; fistpl %0; fstp %%st(0)"
                     : "=m"(l), "=m"(sw) : "m"(i32_five), "m"(i32_17));
    check_eq("FPREM 17, 5: remainder", l, 2);
    check_eq("FPREM 17, 5: C3 C2 C1 C0", sw & 0x4700, 0x4200);
    /* rounding control on FIST of -2.5 */
    static const struct {
        uint16_t cw;
        int32_t r;
        const char *name;
    } rc[] = {
        { 0x037f, -2, "nearest" }, { 0x077f, -3, "down" }, { 0x0b7f, -2, "up" },
        { 0x0f7f, -2, "toward zero" },
    };
    for (unsigned i = 0; i < 4; i++) {
        __asm__ volatile("fninit; fldcw %2; fldl %3; fistpl %0; fnstcw %1"
                         : "=m"(l), "=m"(cw) : "m"(rc[i].cw), "m"(f64_m2_5));
        check_eq(fmt_name("FIST -2.5, rounding %s", rc[i].name), l, (uint32_t)rc[i].r);
        check_eq(fmt_name("FNSTCW after FLDCW (%s)", rc[i].name), cw, rc[i].cw);
    }
    /* FBSTP / FBLD */
    memset(env_buf, 0xee, 10);
    __asm__ volatile("fninit; fldl %1; fbstp %0" : "=m"(*(uint8_t (*)[10])env_buf)
                     : "m"(f64_1234_5));
    check_eq64("FBSTP 1234.5 (nearest even): digits", rd64(env_buf), 0x1234);
    check_eq("FBSTP 1234.5: sign byte", rd16(env_buf + 8), 0);
    __asm__ volatile("fildl %1; fbstp %0" : "=m"(*(uint8_t (*)[10])env_buf)
                     : "m"(i32_m98765));
    check_eq64("FBSTP -98765: digits", rd64(env_buf), 0x98765);
    check_eq("FBSTP -98765: sign byte", rd16(env_buf + 8), 0x8000);
    __asm__ volatile("fbld %1; fistpl %0" : "=m"(l) : "m"(*(uint8_t (*)[10])env_buf));
    check_eq("FBLD -98765", l, (uint32_t)-98765);
}

/* ---------------- comparisons ---------------- */

static void test_compare(void)
{
    uint32_t fl;
    uint16_t sw;
    static const uint32_t qnan = 0x7fc00000u;

    __asm__ volatile("fninit; fildl %1; fld1; fcomi %%st(1), %%st; pushfl; popl %0"
                     : "=r"(fl) : "m"(i32_two));
    check_eq("FCOMI 1 < 2: ZF PF CF", fl & 0x45, 0x01);
    __asm__ volatile("fld1; fld1; fucomip %%st(1), %%st; pushfl; popl %0" : "=r"(fl));
    check_eq("FUCOMIP 1 = 1: ZF PF CF", fl & 0x45, 0x40);
    __asm__ volatile("fninit; flds %1; fld1; fucomi %%st(1), %%st; pushfl; popl %0"
                     : "=r"(fl) : "m"(qnan));
    check_eq("FUCOMI 1, QNaN: unordered", fl & 0x45, 0x45);
    check_eq("FUCOMI QNaN: no IE", fnstsw() & 1, 0);
    __asm__ volatile("fcomi %%st(1), %%st; pushfl; popl %0" : "=r"(fl));
    check_eq("FCOMI QNaN: IE", fnstsw() & 1, 1);
    /* FCOM + FNSTSW AX + SAHF, the classic pattern */
    __asm__ volatile("fninit; fildl %1; fld1; fcompp; fnstsw %%ax; sahf; pushfl; popl %0"
                     : "=r"(fl) : "m"(i32_two) : "eax");
    check_eq("FCOMPP 1 < 2; FNSTSW AX; SAHF: CF (C0)", fl & 0x45, 0x01);
    check_eq("FCOMPP pops twice", (fnstsw() >> 11) & 7, 0);
    /* FXAM */
    __asm__ volatile("fninit; fxam; fnstsw %0" : "=m"(sw));
    check_eq("FXAM empty: C3 C0", sw & 0x4500, 0x4100);
    __asm__ volatile("fldz; fxam; fnstsw %0" : "=m"(sw));
    check_eq("FXAM +0: C3", sw & 0x4700, 0x4000);
    __asm__ volatile("fchs; fxam; fnstsw %0" : "=m"(sw));
    check_eq("FXAM -0: C3 C1", sw & 0x4700, 0x4200);
    __asm__ volatile("flds %1; fxam; fnstsw %0" : "=m"(sw) : "m"(qnan));
    check_eq("FXAM NaN: C0", sw & 0x4700, 0x0100);
    /* FCMOV */
    __asm__ volatile("fninit; fldz; fld1; stc; fcmovb %%st(1), %%st; fxam; fnstsw %0"
                     : "=m"(sw) :: "cc");
    check_eq("FCMOVB with CF: ST0 = 0", sw & 0x4700, 0x4000);
}

/* ---------------- stack faults ---------------- */

static void test_stack(void)
{
    uint16_t sw;
    struct f80 t;

    qemu_deviation("x87 stack overflow and underflow are not modelled");
    __asm__ volatile("fninit; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1;"
                     "fnstsw %0; fstpt %1" : "=m"(sw), "=m"(t));
    check_eq("9 pushes: overflow (TOP 7, C1, SF, IE)", sw, 0x3a41);
    check_eq64("overflow: the indefinite, significand", t.mant, 0xc000000000000000ull);
    check_eq("overflow: the indefinite, exponent", t.exp, 0xffff);
    __asm__ volatile("fninit; fld1; fadd %%st(3), %%st; fnstsw %0" : "=m"(sw));
    check_eq("FADD with an empty ST(3): underflow (C1 = 0, SF, IE)", sw, 0x3841);
    qemu_deviation(NULL);
    __asm__ volatile("fninit; fld1; ffree %%st(0); fincstp; fxam; fnstsw %0" : "=m"(sw));
    check_eq("FFREE; FINCSTP: empty again", sw & 0x7d00, 0x4100);
}

/* ---------------- environment and save areas ---------------- */

static void test_env(void)
{
    struct f80 a, b;
    uint16_t sw;

    memset(env_buf, 0, sizeof(env_buf));
    __asm__ volatile("fninit; fld1; fnstenv %0" : "=m"(*(uint8_t (*)[28])env_buf));
    check_eq("FNSTENV: control word", rd16(env_buf), 0x037f);
    check_eq("FNSTENV: status word (TOP 7)", rd16(env_buf + 4), 0x3800);
    check_eq("FNSTENV: tag word (R7 valid)", rd16(env_buf + 8), 0x3fff);
    __asm__ volatile("fldz; data16 fnstenv %0" : "=m"(*(uint8_t (*)[14])env_buf));
    check_eq("FNSTENV 16-bit: tag word (R6 zero, R7 valid)", rd16(env_buf + 4), 0x1fff);
    check_eq("FNSTENV 16-bit: status word (TOP 6)", rd16(env_buf + 2), 0x3000);
    /* FLDENV of a modified environment: rounding down */
    env_buf[1] = 0x07;
    __asm__ volatile("data16 fldenv %0" :: "m"(*(uint8_t (*)[14])env_buf));
    __asm__ volatile("fnstcw %0" : "=m"(sw));
    check_eq("FLDENV 16-bit: control word", sw, 0x077f);
    /* FNSAVE / FRSTOR */
    __asm__ volatile("fninit; fldpi; fld1; fnsave %0; fnstsw %1"
                     : "=m"(*(uint8_t (*)[108])env_buf), "=m"(sw));
    check_eq("FNSAVE then FNINIT: status word", sw, 0);
    check_eq64("FNSAVE: ST0 = 1.0", rd64(env_buf + 28), 0x8000000000000000ull);
    check_eq64("FNSAVE: ST1 = pi", rd64(env_buf + 38), 0xc90fdaa22168c235ull);
    __asm__ volatile("frstor %2; fstpt %0; fstpt %1" : "=m"(a), "=m"(b)
                     : "m"(*(uint8_t (*)[108])env_buf));
    check(a.mant == 0x8000000000000000ull && a.exp == 0x3fff, "FRSTOR: ST0 = 1.0");
    check(b.mant == 0xc90fdaa22168c235ull && b.exp == 0x4000, "FRSTOR: ST1 = pi");
}

ASM_LABEL(fxsave_mis_at);
ASM_FN(t_fxsave_mis, "mov 4(%esp), %eax\n fxsave_mis_at: fxsave (%eax)\n ret");
ASM_LABEL(fxsave_nm_at);
ASM_FN(t_fxsave_nm, "mov 4(%esp), %eax\n fxsave_nm_at: fxsave (%eax)\n ret");
ASM_LABEL(ldmxcsr_at);
ASM_FN(t_ldmxcsr, "ldmxcsr_at: ldmxcsr 4(%esp)\n ret");

static void test_fxsave(void)
{
    struct f80 t;
    uint32_t mx;

    set_cr4_bits(CR4_OSFXSR, 0);
    memset(fx, 0xcc, sizeof(fx));
    __asm__ volatile("fninit; fld1; fxsave %0; fninit" : "=m"(*(uint8_t (*)[512])fx));
    check_eq("FXSAVE: FCW", rd16(fx), 0x037f);
    check_eq("FXSAVE: FSW", rd16(fx + 2), 0x3800);
    check_eq("FXSAVE: abridged FTW (R7)", fx[4], 0x80);
    check_eq("FXSAVE: MXCSR", rd32(fx + 24), 0x1f80);
    check(rd32(fx + 28) & 0xffbf, "FXSAVE: MXCSR_MASK");
    check_eq64("FXSAVE: ST0 significand", rd64(fx + 32), 0x8000000000000000ull);
    qemu_deviation("FXSAVE leaves the reserved bytes of the ST slots unwritten");
    check_eq("FXSAVE: ST0 exponent and padding", rd32(fx + 40), 0x3fff);
    qemu_deviation(NULL);
    check_eq("FXSAVE: bytes 464-511 untouched", rd32(fx + 464), 0xcccccccc);
    fx[32 + 8] = 0x00;
    fx[32 + 9] = 0x40;                          /* ST0 = 2.0 */
    __asm__ volatile("fxrstor %1; fstpt %0" : "=m"(t) : "m"(*(uint8_t (*)[512])fx));
    check(t.mant == 0x8000000000000000ull && t.exp == 0x4000, "FXRSTOR: ST0 = 2.0");
    check_eq("FXRSTOR: stack empty after the pop", (fnstsw() >> 11) & 7, 0);
    expect_trap("#GP: FXSAVE to an address not 16-byte aligned", t_fxsave_mis,
                (uint32_t)fx + 8, 13, 0, LBL(fxsave_mis_at), SEL_KCODE);

    mx = 0x1fa0;
    __asm__ volatile("ldmxcsr %1; stmxcsr %0" : "=m"(mx) : "m"(mx));
    check_eq("LDMXCSR; STMXCSR", mx, 0x1fa0);
    qemu_deviation("LDMXCSR accepts reserved MXCSR bits");
    expect_trap("#GP: LDMXCSR with a reserved bit", t_ldmxcsr, 0x10000, 13, 0,
                LBL(ldmxcsr_at), SEL_KCODE);
    qemu_deviation(NULL);
    expect_no_trap("LDMXCSR 0x1f80", t_ldmxcsr, 0x1f80);

    set_cr0_bits(CR0_TS, 0);
    expect_trap("#NM: FXSAVE with CR0.TS", t_fxsave_nm, (uint32_t)fx, 7, NO_TRAP,
                LBL(fxsave_nm_at), SEL_KCODE);
    expect_trap("#NM: LDMXCSR with CR0.TS", t_ldmxcsr, 0x1f80, 7, NO_TRAP, LBL(ldmxcsr_at),
                SEL_KCODE);
    set_cr0_bits(CR0_EM, CR0_TS);
    expect_trap("#NM: FXSAVE with CR0.EM", t_fxsave_nm, (uint32_t)fx, 7, NO_TRAP,
                LBL(fxsave_nm_at), SEL_KCODE);
    expect_trap("#UD: LDMXCSR with CR0.EM", t_ldmxcsr, 0x1f80, 6, NO_TRAP, LBL(ldmxcsr_at),
                SEL_KCODE);
    set_cr0_bits(0, CR0_EM);
    set_cr4_bits(0, CR4_OSFXSR);
    expect_trap("#UD: LDMXCSR with CR4.OSFXSR clear", t_ldmxcsr, 0x1f80, 6, NO_TRAP,
                LBL(ldmxcsr_at), SEL_KCODE);
    set_cr4_bits(CR4_OSFXSR, 0);
}

/* ---------------- XSAVE ---------------- */

ASM_LABEL(xgetbv_at);
ASM_FN(t_xgetbv, "xor %ecx, %ecx\n xgetbv_at: xgetbv\n ret");
ASM_LABEL(xsetbv_at);
ASM_FN(t_xsetbv, "mov 4(%esp), %eax\n xor %edx, %edx\n xor %ecx, %ecx\n"
                 "xsetbv_at: xsetbv\n ret");
ASM_LABEL(xsave_at);
ASM_FN(t_xsave, "mov 4(%esp), %ecx\n mov $3, %eax\n xor %edx, %edx\n"
                "xsave_at: xsave (%ecx)\n ret");
ASM_LABEL(xrstor_at);
ASM_FN(t_xrstor, "mov 4(%esp), %ecx\n mov $3, %eax\n xor %edx, %edx\n"
                 "xrstor_at: xrstor (%ecx)\n ret");

static uint32_t xgetbv0(void)
{
    uint32_t a, d;
    __asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
    return a;
}

static void test_xsave(void)
{
    uint32_t a, b, c, d;
    struct f80 t;
    uint16_t sw;

    if (!has_xsave) {
        return;
    }
    expect_trap("#UD: XGETBV with CR4.OSXSAVE clear", t_xgetbv, 0, 6, NO_TRAP,
                LBL(xgetbv_at), SEL_KCODE);
    expect_trap("#UD: XSAVE with CR4.OSXSAVE clear", t_xsave, (uint32_t)xs, 6, NO_TRAP,
                LBL(xsave_at), SEL_KCODE);
    set_cr4_bits(CR4_OSXSAVE | CR4_OSFXSR, 0);
    cpuid(1, 0, &a, &b, &c, &d);
    check_eq("CPUID.1:ECX.OSXSAVE mirrors CR4.OSXSAVE", (c >> 27) & 1, 1);
    check_eq("XGETBV: XCR0 = x87", xgetbv0(), 1);
    expect_no_trap("XSETBV x87|SSE", t_xsetbv, 3);
    check_eq("XGETBV: XCR0 = x87|SSE", xgetbv0(), 3);
    cpuid(0xd, 0, &a, &b, &c, &d);
    check_eq("CPUID.D.0:EBX with x87|SSE: 576", b, 576);
    expect_trap("#GP: XSETBV without x87", t_xsetbv, 2, 13, 0, LBL(xsetbv_at), SEL_KCODE);
    expect_trap("#GP: XSETBV of an unsupported component", t_xsetbv, 0x80000003u, 13, 0,
                LBL(xsetbv_at), SEL_KCODE);

    memset(xs, 0, sizeof(xs));
    __asm__ volatile("fninit; fldpi" ::: "memory");
    expect_no_trap("XSAVE x87|SSE", t_xsave, (uint32_t)xs);
    /* x87 is in use; SSE may count as in its initial state */
    check_eq64("XSAVE: XSTATE_BV", rd64(xs + 512) & ~2ull, 1);
    check_eq("XSAVE: FCW", rd16(xs), 0x037f);
    check_eq64("XSAVE: ST0 = pi", rd64(xs + 32), 0xc90fdaa22168c235ull);
    check_eq("XSAVE: MXCSR", rd32(xs + 24), 0x1f80);
    expect_trap("#GP: XSAVE to an address not 64-byte aligned", t_xsave, (uint32_t)xs + 16,
                13, 0, LBL(xsave_at), SEL_KCODE);
    __asm__ volatile("fninit; fld1; fld1" ::: "memory");
    expect_no_trap("XRSTOR x87|SSE", t_xrstor, (uint32_t)xs);
    __asm__ volatile("fstpt %0; fnstsw %1" : "=m"(t), "=m"(sw));
    check(t.mant == 0xc90fdaa22168c235ull && t.exp == 0x4000, "XRSTOR: ST0 = pi");
    check_eq("XRSTOR: one register was in use", (sw >> 11) & 7, 0);
    /* XSTATE_BV[0] clear: the x87 state is initialised */
    xs[512] = 2;
    __asm__ volatile("fninit; fld1; fldcw %0" :: "m"(*(const uint16_t[]){ 0x0f7f }));
    expect_no_trap("XRSTOR with XSTATE_BV = SSE only", t_xrstor, (uint32_t)xs);
    __asm__ volatile("fnstenv %0" : "=m"(*(uint8_t (*)[28])env_buf));
    check_eq("XRSTOR init: FCW", rd16(env_buf), 0x037f);
    check_eq("XRSTOR init: FTW all empty", rd16(env_buf + 8), 0xffff);
    xs[520] = 1;                                /* XCOMP_BV: no compacted form here */
    expect_trap("#GP: XRSTOR with XCOMP_BV set", t_xrstor, (uint32_t)xs, 13, 0,
                LBL(xrstor_at), SEL_KCODE);
    xs[520] = 0;
    xs[512] = 7;                                /* a component not in XCR0 */
    expect_trap("#GP: XRSTOR with XSTATE_BV beyond XCR0", t_xrstor, (uint32_t)xs, 13, 0,
                LBL(xrstor_at), SEL_KCODE);
    set_cr0_bits(CR0_TS, 0);
    qemu_deviation("no #NM for XSAVE with CR0.TS");
    expect_trap("#NM: XSAVE with CR0.TS", t_xsave, (uint32_t)xs, 7, NO_TRAP, LBL(xsave_at),
                SEL_KCODE);
    qemu_deviation(NULL);
    set_cr0_bits(0, CR0_TS);
    set_cr4_bits(0, CR4_OSXSAVE);
}

/* ---------------- #MF ---------------- */

ASM_LABEL(mf_at);
ASM_FN(t_pending_wait, "fninit\n fldcw 4(%esp)\n fld1\n fldz\n"
                       ".byte 0xde, 0xf9\n"         /* FDIVP ST(1), ST(0): 1 / 0 */
                       "mf_at: fwait\n ret");
ASM_LABEL(mf_fld_at);
ASM_FN(t_pending_fld, "fninit\n fldcw 4(%esp)\n fld1\n fldz\n .byte 0xde, 0xf9\n"
                      "fnstsw %ax\n fnclex\n fld1\n"
                      ".byte 0xde, 0xf9\n"          /* 1 / 1: fine */
                      "fld1\n fldz\n .byte 0xde, 0xf9\n"
                      "fnstenv -32(%esp)\n"         /* no-wait: no #MF, masks all */
                      "fld1\n ret");
ASM_LABEL(mf_arith_at);
ASM_FN(t_pending_arith, "fninit\n fldcw 4(%esp)\n fld1\n fldz\n .byte 0xde, 0xf9\n"
                        "mf_arith_at: fadd %st(0), %st\n ret");

static void test_mf(void)
{
    uint16_t sw;

    set_cr0_bits(CR0_NE, 0);
    expect_trap("#MF: FWAIT after an unmasked divide-by-zero", t_pending_wait, 0x037b, 16,
                NO_TRAP, LBL(mf_at), SEL_KCODE);
    sw = fnstsw();
    check_eq("#MF: ZE, ES and B pending", sw & 0x80ff, 0x8084);
    qemu_deviation("a pending x87 exception raises #MF only at FWAIT");
    expect_trap("#MF: the next x87 arithmetic", t_pending_arith, 0x037b, 16, NO_TRAP,
                LBL(mf_arith_at), SEL_KCODE);
    qemu_deviation(NULL);
    expect_no_trap("FNCLEX/FNSTSW/FNSTENV do not wait", t_pending_fld, 0x037b);
    expect_no_trap("masked divide-by-zero: no #MF", t_pending_wait, 0x037f);
    check_eq("masked divide-by-zero: ZE without ES", fnstsw() & 0x80ff, 0x0004);
    __asm__ volatile("fninit");
    set_cr0_bits(0, CR0_NE);
}

int main(void)
{
    set_cr0_bits(CR0_MP, CR0_EM | CR0_TS);
    test_cpuid();
    test_arith();
    test_compare();
    test_stack();
    test_env();
    test_fxsave();
    test_xsave();
    test_mf();
    finish();
}

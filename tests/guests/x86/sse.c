/* SPDX-License-Identifier: MIT */
/*
 * sse.c - tests MMX and SSE..SSE4.2 in 32-bit protected mode: ~180 instructions (moves,
 * integer, shuffles, shifts, SSSE3, SSE4.1, the SSE4.2 string compares and CRC32, floating
 * point in every MXCSR rounding mode with DAZ/FTZ, conversions), register and memory
 * forms, compared with sse-expect.h, generated at build time by gen-sse-expect.c, which
 * runs the same instruction text natively on the build host (see sse-ops.h). Then, checked
 * by hand: the CPUID bits; #UD before CR4.OSFXSR is set (MMX unaffected), with CR0.EM;
 * #NM with CR0.TS; #GP(0) for a misaligned MOVAPS/PADDB m128 (not MOVUPS) and for a
 * 16-byte access past a segment limit; #XM for an unmasked exception (#UD while
 * CR4.OSXMMEXCPT is clear) with the destination unchanged and the flag set; MASKMOVDQU;
 * the x87 TOP and tag word after an MMX instruction and after EMMS.
 */
#include "guest.h"
#include "sse-ops.h"
#include "sse-expect.h"

#define CR4_OSFXSR     (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define SEL_SMALL      (SEL_TEST + 0x00)    /* data, base sse_seg, limit 0xfff */
#define MXCSR_DE_BIT   0x0002u

SSE_OPS(SSE_DEFINE_FN)

static const char *const op_names[] = { SSE_OPS(SSE_NAME) };
static const int op_gens[] = { SSE_OPS(SSE_GEN) };
static void (*const op_fns[])(struct sse_state *) = { SSE_OPS(SSE_FN_PTR) };
#define NOPS (sizeof(op_fns) / sizeof(op_fns[0]))

#define MAX_REPORTS_PER_OP 3

static void print_state(const char *tag, const struct sse_state *s)
{
    printf("      %s: x0=%08x%08x%08x%08x x1=%08x%08x%08x%08x x2=%08x%08x%08x%08x\n", tag,
           s->x0[3], s->x0[2], s->x0[1], s->x0[0], s->x1[3], s->x1[2], s->x1[1], s->x1[0],
           s->x2[3], s->x2[2], s->x2[1], s->x2[0]);
    printf("                m=%08x%08x%08x%08x eax=%08x ecx=%08x edx=%08x fl=%03x mxcsr=%04x\n",
           s->m[3], s->m[2], s->m[1], s->m[0], s->eax, s->ecx, s->edx, s->fl, s->mxcsr);
}

static void run_generated(void)
{
    bool names_ok = SSE_EXPECT_NOPS == NOPS;

    for (unsigned i = 0; names_ok && i < NOPS; i++) {
        const char *p = op_names[i], *q = sse_expect_names[i];
        while (*p && *p == *q) {
            p++;
            q++;
        }
        names_ok = *p == *q;
    }
    if (!check(names_ok, "sse-expect.h was generated from this sse-ops.h")) {
        return;
    }
    for (unsigned op = 0; op < NOPS; op++) {
        unsigned bad = 0, bad_de = 0;
        for (unsigned v = 0; v < SSE_NVEC; v++) {
            static struct sse_state st, in;
            const struct sse_state *want = &sse_expect[op][v];
            sse_input(&in, op, v, op_gens[op]);
            st = in;
            op_fns[op](&st);
            if (memcmp(&st, want, offsetof(struct sse_state, pad)) == 0) {
                continue;
            }
            /* QEMU's softfloat never sets the denormal flag: tell that apart */
            st.mxcsr ^= MXCSR_DE_BIT;
            if (memcmp(&st, want, offsetof(struct sse_state, pad)) == 0) {
                bad_de++;
                continue;
            }
            st.mxcsr ^= MXCSR_DE_BIT;
            if (bad++ < MAX_REPORTS_PER_OP) {
                check_failf("%s vector %u: mismatch", op_names[op], v);
                print_state("input   ", &in);
                print_state("got     ", &st);
                print_state("expected", want);
            }
        }
        if (bad) {
            check_failf("%s: %u of %u vectors wrong", op_names[op], bad, SSE_NVEC);
        } else if (bad_de) {
            qemu_deviation("QEMU 7.2 does not set MXCSR.DE (denormal operand)");
            check_failf("%s: MXCSR.DE wrong in %u of %u vectors", op_names[op], bad_de,
                        SSE_NVEC);
            qemu_deviation(NULL);
        } else {
            pass(fmt_name("%s (%u vectors)", op_names[op], SSE_NVEC));
        }
    }
}

/* ---- CPUID ---- */

static void test_cpuid(void)
{
    uint32_t a, b, c, d;

    cpuid(1, 0, &a, &b, &c, &d);
    check((d >> 23) & 1, "CPUID.1:EDX.MMX");
    check((d >> 25) & 1, "CPUID.1:EDX.SSE");
    check((d >> 26) & 1, "CPUID.1:EDX.SSE2");
    check((d >> 24) & 1, "CPUID.1:EDX.FXSR");
    check(c & 1, "CPUID.1:ECX.SSE3");
    check((c >> 9) & 1, "CPUID.1:ECX.SSSE3");
    check((c >> 19) & 1, "CPUID.1:ECX.SSE4.1");
    check((c >> 20) & 1, "CPUID.1:ECX.SSE4.2");
}

/* ---- exceptions ---- */

uint8_t sse_buf[64] __attribute__((aligned(16)));
uint8_t sse_seg[4096] __attribute__((aligned(4096)));

ASM_LABEL(ud_addps_at);
ASM_FN(t_addps, "ud_addps_at: addps %xmm1, %xmm0\n ret");
ASM_LABEL(ud_paddb_mm_at);
ASM_FN(t_paddb_mm, "ud_paddb_mm_at: paddb %mm1, %mm0\n emms\n ret");
ASM_LABEL(gp_movaps_at);
ASM_FN(t_movaps, "mov 4(%esp), %eax\n gp_movaps_at: movaps (%eax), %xmm0\n ret");
ASM_LABEL(gp_paddb_at);
ASM_FN(t_paddb_m, "mov 4(%esp), %eax\n gp_paddb_at: paddb (%eax), %xmm0\n ret");
ASM_FN(t_movups, "mov 4(%esp), %eax\n movups (%eax), %xmm0\n movdqu %xmm0, (%eax)\n ret");
ASM_LABEL(gp_seg_at);
ASM_FN(t_seg_load, "mov 4(%esp), %ecx\n mov $" STR(SEL_SMALL) ", %eax\n mov %eax, %es\n"
                   "gp_seg_at: movdqu %es:(%ecx), %xmm0\n"
                   "mov $" STR(SEL_KDATA) ", %eax\n mov %eax, %es\n ret");
ASM_LABEL(xm_at);
ASM_FN(t_divss, "xm_at: divss %xmm1, %xmm0\n ret");

static void set_cr0_bits(uint32_t set, uint32_t clear)
{
    write_cr0((read_cr0() | set) & ~clear);
}

static uint32_t xmm0_low(void)
{
    uint32_t v;

    __asm__ volatile("movd %%xmm0, %0" : "=r"(v));
    return v;
}

static uint32_t get_mxcsr(void)
{
    uint32_t v;

    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}

static void set_mxcsr(uint32_t v)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static void test_enable(void)
{
    write_cr4(read_cr4() & ~(CR4_OSFXSR | CR4_OSXMMEXCPT));
    set_cr0_bits(CR0_MP, CR0_EM | CR0_TS);
    expect_trap("#UD: ADDPS while CR4.OSFXSR=0", t_addps, 0, 6, NO_TRAP, LBL(ud_addps_at),
                SEL_KCODE);
    expect_no_trap("MMX PADDB while CR4.OSFXSR=0", t_paddb_mm, 0);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    check((read_cr4() & (CR4_OSFXSR | CR4_OSXMMEXCPT)) == (CR4_OSFXSR | CR4_OSXMMEXCPT),
          "CR4.OSFXSR and CR4.OSXMMEXCPT can be set");
    expect_no_trap("ADDPS with CR4.OSFXSR=1", t_addps, 0);

    set_cr0_bits(CR0_TS, 0);
    expect_trap("#NM: ADDPS with CR0.TS=1", t_addps, 0, 7, NO_TRAP, LBL(ud_addps_at),
                SEL_KCODE);
    expect_trap("#NM: MMX PADDB with CR0.TS=1", t_paddb_mm, 0, 7, NO_TRAP,
                LBL(ud_paddb_mm_at), SEL_KCODE);
    set_cr0_bits(CR0_EM, 0);
    qemu_deviation("QEMU 7.2 raises #NM, not #UD, for SSE/MMX with CR0.EM=1 and CR0.TS=1");
    expect_trap("#UD: ADDPS with CR0.EM=1 and CR0.TS=1", t_addps, 0, 6, NO_TRAP,
                LBL(ud_addps_at), SEL_KCODE);
    expect_trap("#UD: MMX PADDB with CR0.EM=1 and CR0.TS=1", t_paddb_mm, 0, 6, NO_TRAP,
                LBL(ud_paddb_mm_at), SEL_KCODE);
    qemu_deviation(NULL);
    set_cr0_bits(0, CR0_TS);
    expect_trap("#UD: ADDPS with CR0.EM=1", t_addps, 0, 6, NO_TRAP, LBL(ud_addps_at),
                SEL_KCODE);
    expect_trap("#UD: MMX PADDB with CR0.EM=1", t_paddb_mm, 0, 6, NO_TRAP,
                LBL(ud_paddb_mm_at), SEL_KCODE);
    set_cr0_bits(0, CR0_EM | CR0_TS);
}

static void test_alignment(void)
{
    uint32_t lim_base = (uint32_t)sse_seg;

    expect_trap("#GP(0): MOVAPS with a misaligned operand", t_movaps, (uint32_t)sse_buf + 8,
                13, 0, LBL(gp_movaps_at), SEL_KCODE);
    expect_trap("#GP(0): PADDB xmm, m128 with a misaligned operand", t_paddb_m,
                (uint32_t)sse_buf + 4, 13, 0, LBL(gp_paddb_at), SEL_KCODE);
    expect_no_trap("MOVAPS with an aligned operand", t_movaps, (uint32_t)sse_buf + 16);
    expect_no_trap("MOVUPS/MOVDQU with a misaligned operand", t_movups, (uint32_t)sse_buf + 3);

    gdt_set(SEL_SMALL, lim_base, 0xfff, ACC_P | ACC_DATA | ACC_W, FL_DB);
    expect_no_trap("MOVDQU ending at the segment limit", t_seg_load, 0xff0);
    qemu_deviation("no segment limit checks on memory accesses");
    expect_trap("#GP(0): MOVDQU crossing the segment limit", t_seg_load, 0xff8, 13, 0,
                LBL(gp_seg_at), SEL_KCODE);
    qemu_deviation(NULL);
}

static void test_xm(void)
{
    uint32_t one = 0x3f800000, zero = 0;

    __asm__ volatile("movd %0, %%xmm0\n movd %1, %%xmm1" : : "r"(one), "r"(zero));
    set_mxcsr(0x1f80 & ~0x200u);        /* divide-by-zero unmasked */
    qemu_deviation("QEMU 7.2 does not raise SIMD floating-point exceptions");
    expect_trap("#XM: DIVSS by zero with ZM=0", t_divss, 0, 19, NO_TRAP, LBL(xm_at),
                SEL_KCODE);
    if (xmm0_low() != one) {
        check_failf("#XM: the destination is unchanged (got 0x%x)", xmm0_low());
    } else {
        pass("#XM: the destination is unchanged");
    }
    check_eq("#XM: MXCSR.ZE is set", get_mxcsr(), (0x1f80 & ~0x200u) | 4);
    write_cr4(read_cr4() & ~CR4_OSXMMEXCPT);
    set_mxcsr(0x1f80 & ~0x200u);
    __asm__ volatile("movd %0, %%xmm0" : : "r"(one));
    expect_trap("#UD: an unmasked SIMD exception while CR4.OSXMMEXCPT=0", t_divss, 0, 6,
                NO_TRAP, LBL(xm_at), SEL_KCODE);
    qemu_deviation(NULL);
    write_cr4(read_cr4() | CR4_OSXMMEXCPT);
    set_mxcsr(0x1f80);
    __asm__ volatile("movd %0, %%xmm0" : : "r"(one));
    expect_no_trap("DIVSS by zero with ZM=1", t_divss, 0);
    check_eq("DIVSS by zero with ZM=1: +infinity", xmm0_low(), 0x7f800000);
    check_eq("DIVSS by zero with ZM=1: MXCSR.ZE", get_mxcsr(), 0x1f84);
    set_mxcsr(0x1f80);
}

static void test_maskmov(void)
{
    static const uint8_t data[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    static const uint8_t mask[16] = { 0x80, 0, 0xff, 0x7f, 0, 0, 0x81, 0, 0, 0, 0, 0, 0, 0,
                                      0, 0xc0 };
    bool ok = true;

    memset(sse_buf, 0xee, sizeof(sse_buf));
    __asm__ volatile("movdqu %0, %%xmm0\n movdqu %1, %%xmm1\n maskmovdqu %%xmm1, %%xmm0"
                     : : "m"(data), "m"(mask), "D"(sse_buf + 1) : "memory");
    for (int i = 0; i < 16; i++) {
        uint8_t want = (mask[i] & 0x80) ? data[i] : 0xee;
        ok &= sse_buf[1 + i] == want;
    }
    check(ok && sse_buf[0] == 0xee && sse_buf[17] == 0xee,
          "MASKMOVDQU stores the selected bytes at DS:EDI");
}

static void test_mmx_x87(void)
{
    uint16_t sw_mmx, sw_after;
    uint32_t env_mmx[7], env_emms[7];
    bool none_empty = true;

    __asm__ volatile("fninit\n fld1\n fld1\n"
                     "movq %%mm0, %%mm1\n"
                     "fnstsw %0\n fnstenv %2\n"
                     "emms\n"
                     "fnstsw %1\n fnstenv %3\n fninit"
                     : "=m"(sw_mmx), "=m"(sw_after), "=m"(env_mmx), "=m"(env_emms));
    check_eq("MMX: x87 TOP = 0", (sw_mmx >> 11) & 7, 0);
    for (int i = 0; i < 8; i++) {
        none_empty &= ((env_mmx[2] >> (2 * i)) & 3) != 3;
    }
    check(none_empty, "MMX: no x87 register is tagged empty");
    check_eq("EMMS: every x87 register empty", env_emms[2] & 0xffff, 0xffff);
    check_eq("EMMS: TOP stays 0", (sw_after >> 11) & 7, 0);
}

int main(void)
{
    test_cpuid();
    test_enable();
    set_mxcsr(0x1f80);
    run_generated();
    test_alignment();
    test_xm();
    test_maskmov();
    test_mmx_x87();
    finish();
}

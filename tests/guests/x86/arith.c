/* SPDX-License-Identifier: MIT */
/*
 * arith.c - tests the integer instructions and their flags: ALU ops, ADC/SBB, MUL/IMUL
 * (all forms), DIV/IDIV, shifts and rotates (RCL/RCR, count 0, masked counts), SHLD/SHRD,
 * BT*, BSF/BSR, BSWAP, XADD, CMPXCHG, CMPXCHG8B, SETcc/CMOVcc, LAHF/SAHF, MOVSX/MOVZX,
 * CBW/CWDE/CWD/CDQ, LEA. Results and the architecturally defined flags are compared with
 * arith-expect.h, generated at build time by gen-arith-expect.c, which executes the same
 * instruction text natively on the build host (see arith-ops.h).
 *
 * BCD instructions (DAA DAS AAA AAS AAM AAD) are invalid in 64-bit mode, so the host
 * cannot run them: their expected values below are HAND-COMPUTED from the SDM pseudo-code.
 */
#include "guest.h"
#include "arith-ops.h"
#include "arith-expect.h"

uint64_t arith_mem;

ARITH_OPS(ARITH_DEFINE_FN)

static const char *const op_names[] = { ARITH_OPS(ARITH_NAME) };
static void (*const op_fns[])(struct arith_state *) = { ARITH_OPS(ARITH_FN_PTR) };
#define NOPS (sizeof(op_fns) / sizeof(op_fns[0]))

#define MAX_REPORTS_PER_OP 4

static void print_state(const char *tag, const struct arith_state *s)
{
    printf("      %s: eax=%08x ebx=%08x ecx=%08x edx=%08x fl=%03x m=%08x:%08x\n", tag, s->a, s->b,
           s->c, s->d, s->fl, s->mhi, s->mlo);
}

/* Returns a bit set of mismatching fields (0 = match). */
static uint32_t compare(const struct arith_vec *v, const struct arith_state *got)
{
    uint32_t bad = 0;
    if ((v->rmask & R_A) && got->a != v->out.a) {
        bad |= R_A;
    }
    if ((v->rmask & R_B) && got->b != v->out.b) {
        bad |= R_B;
    }
    if ((v->rmask & R_C) && got->c != v->out.c) {
        bad |= R_C;
    }
    if ((v->rmask & R_D) && got->d != v->out.d) {
        bad |= R_D;
    }
    if ((v->rmask & R_M) && (got->mlo != v->out.mlo || got->mhi != v->out.mhi)) {
        bad |= R_M;
    }
    if ((got->fl ^ v->out.fl) & v->fmask) {
        bad |= 0x100;
    }
    return bad;
}

static void run_generated(void)
{
    static unsigned nvec[NOPS], nbad[NOPS];
    bool names_ok = ARITH_EXPECT_NOPS == NOPS;
    for (unsigned i = 0; names_ok && i < NOPS; i++) {
        const char *p = op_names[i], *q = arith_expect_names[i];
        while (*p && *p == *q) {
            p++;
            q++;
        }
        names_ok = *p == *q;
    }
    if (!check(names_ok, "arith-expect.h was generated from this arith-ops.h")) {
        return;
    }

    for (unsigned i = 0; i < ARITH_EXPECT_NVECS; i++) {
        const struct arith_vec *v = &arith_vecs[i];
        struct arith_state st = v->in;
        op_fns[v->op](&st);
        st.fl &= FL_ARITH;
        nvec[v->op]++;
        uint32_t bad = compare(v, &st);
        if (bad) {
            if (nbad[v->op]++ < MAX_REPORTS_PER_OP) {
                check_failf("%s vector %u: mismatch in%s%s%s%s%s%s (flags compared: %03x)",
                            op_names[v->op], i, bad & R_A ? " eax" : "", bad & R_B ? " ebx" : "",
                            bad & R_C ? " ecx" : "", bad & R_D ? " edx" : "",
                            bad & R_M ? " mem" : "", bad & 0x100 ? " flags" : "", v->fmask);
                print_state("input   ", &v->in);
                print_state("got     ", &st);
                print_state("expected", &v->out);
            }
        }
    }
    for (unsigned op = 0; op < NOPS; op++) {
        if (nvec[op] == 0) {
            check_failf("%s: no vectors", op_names[op]);
        } else if (nbad[op] == 0) {
            pass(fmt_name("%s (%u vectors)", op_names[op], nvec[op]));
        } else {
            check_failf("%s: %u of %u vectors wrong", op_names[op], nbad[op], nvec[op]);
        }
    }
}

/* ---- BCD: hand-computed from the SDM pseudo-code (not runnable on the 64-bit host) ---- */
#define BCD_OPS(X)                               \
    X(daa, 0, F_ALL, 8, 0, "daa")                \
    X(das, 0, F_ALL, 8, 0, "das")                \
    X(aaa, 0, F_ALL, 8, 0, "aaa")                \
    X(aas, 0, F_ALL, 8, 0, "aas")                \
    X(aam10, 0, F_ALL, 8, 0, "aam")              \
    X(aam16, 0, F_ALL, 8, 0, "aam $16")          \
    X(aam12, 0, F_ALL, 8, 0, "aam $12")          \
    X(aad10, 0, F_ALL, 8, 0, "aad")              \
    X(aad26, 0, F_ALL, 8, 0, "aad $26")          \
    X(aad16, 0, F_ALL, 8, 0, "aad $16")
BCD_OPS(ARITH_DEFINE_FN)
#define BCD_ENUM_(name, gen, fcls, width, arg, insn) B_##name,
enum { BCD_OPS(BCD_ENUM_) BCD_N };
static void (*const bcd_fns[])(struct arith_state *) = { BCD_OPS(ARITH_FN_PTR) };

#define CF EFL_CF
#define PF EFL_PF
#define AF EFL_AF
#define ZF EFL_ZF
#define SF EFL_SF
#define OF EFL_OF

struct bcd_case {
    int op;
    uint16_t ax_in;
    uint16_t fl_in;
    uint16_t ax_out;
    uint16_t fl_out;
    uint16_t fmask;     /* DAA/DAS: OF undefined; AAA/AAS: only AF CF; AAM/AAD: only SF ZF PF */
    const char *why;
};

#define M_DAA (CF | PF | AF | ZF | SF)
#define M_AAA (CF | AF)
#define M_AAM (SF | ZF | PF)

static const struct bcd_case bcd_cases[] = {
    /* DAA: if (AL&0xf)>9 or AF: AL+=6, AF=1; if old AL>0x99 or old CF: AL+=0x60, CF=1 else CF=0 */
    { B_daa, 0x00ae, 0, 0x0014, CF | AF | PF, M_DAA, "0x79+0x35 = 0xae -> BCD 14, carry" },
    { B_daa, 0x0012, 0, 0x0012, PF, M_DAA, "valid BCD: unchanged" },
    { B_daa, 0x000a, 0, 0x0010, AF, M_DAA, "low nibble 0xa" },
    { B_daa, 0x009a, 0, 0x0000, CF | AF | ZF | PF, M_DAA, "0x9a -> 0x00 with carry" },
    { B_daa, 0x0000, CF | AF, 0x0066, CF | AF | PF, M_DAA, "AF and CF in" },
    { B_daa, 0x00ff, 0, 0x0065, CF | AF | PF, M_DAA, "0xff" },
    { B_daa, 0x0080, 0, 0x0080, SF, M_DAA, "0x80 unchanged, SF" },
    /* DAS: if (AL&0xf)>9 or AF: AL-=6, CF=oldCF|borrow, AF=1; if old AL>0x99 or old CF: AL-=0x60, CF=1 */
    { B_das, 0x00ee, CF | AF, 0x0088, CF | AF | SF | PF, M_DAA, "0x35-0x47 = 0xee -> BCD 88" },
    { B_das, 0x0003, AF, 0x00fd, CF | AF | SF, M_DAA, "borrow from AL-6 sets CF" },
    { B_das, 0x0045, 0, 0x0045, 0, M_DAA, "valid BCD: unchanged" },
    { B_das, 0x009a, 0, 0x0034, CF | AF, M_DAA, "0x9a" },
    { B_das, 0x0060, CF, 0x0000, CF | ZF | PF, M_DAA, "CF in: -0x60" },
    /* AAA (current SDM): if (AL&0xf)>9 or AF: AX+=0x106, AF=CF=1 else AF=CF=0; AL&=0xf */
    { B_aaa, 0x000f, 0, 0x0105, CF | AF, M_AAA, "0x0f" },
    { B_aaa, 0x0105, 0, 0x0105, 0, M_AAA, "no adjust" },
    { B_aaa, 0x0008, AF, 0x010e, CF | AF, M_AAA, "AF in" },
    { B_aaa, 0x00fa, 0, 0x0200, CF | AF, M_AAA, "AL+6 carries into AH (AX+0x106)" },
    { B_aaa, 0xff09, 0, 0xff09, 0, M_AAA, "9: no adjust" },
    { B_aaa, 0xff0a, 0, 0x0000, CF | AF, M_AAA, "AH wraps" },
    /* AAS (current SDM): if (AL&0xf)>9 or AF: AX-=6, AH-=1, AF=CF=1 else AF=CF=0; AL&=0xf */
    { B_aas, 0x020f, 0, 0x0109, CF | AF, M_AAA, "0x0f" },
    { B_aas, 0x0205, 0, 0x0205, 0, M_AAA, "no adjust" },
    { B_aas, 0x0203, AF, 0x000d, CF | AF, M_AAA, "AL-6 borrows from AH (AX-6)" },
    { B_aas, 0x0000, AF, 0xfe0a, CF | AF, M_AAA, "AH wraps" },
    /* AAM imm8: AH = AL / imm8, AL = AL mod imm8; SF ZF PF from AL */
    { B_aam10, 0x003f, 0, 0x0603, PF, M_AAM, "63 -> 6,3" },
    { B_aam10, 0x7700, 0, 0x0000, ZF | PF, M_AAM, "0" },
    { B_aam10, 0x0064, 0, 0x0a00, ZF | PF, M_AAM, "100 -> 10,0" },
    { B_aam16, 0x00ff, 0, 0x0f0f, PF, M_AAM, "base 16" },
    { B_aam12, 0x0085, 0, 0x0b01, 0, M_AAM, "base 12: 133 -> 11,1" },
    /* AAD imm8: AL = (AL + AH * imm8) & 0xff, AH = 0; SF ZF PF from AL */
    { B_aad10, 0x0603, 0, 0x003f, PF, M_AAM, "6,3 -> 63" },
    { B_aad10, 0x0909, 0, 0x0063, PF, M_AAM, "9,9 -> 99" },
    { B_aad10, 0xffff, 0, 0x00f5, SF | PF, M_AAM, "0xff,0xff -> 2805 & 0xff" },
    { B_aad26, 0x0a00, 0, 0x0004, 0, M_AAM, "base 26: 260 & 0xff" },
    { B_aad16, 0x1000, 0, 0x0000, ZF | PF, M_AAM, "base 16: 256 & 0xff" },
};

static const char *const bcd_names[] = { BCD_OPS(ARITH_NAME) };

ASM_LABEL(aam0_at);
ASM_FN(t_aam0, "mov $0x1234, %eax\n aam0_at: .byte 0xd4, 0x00\n ret");

static void run_bcd(void)
{
    for (unsigned i = 0; i < sizeof(bcd_cases) / sizeof(bcd_cases[0]); i++) {
        const struct bcd_case *c = &bcd_cases[i];
        struct arith_state st = { 0xabcd0000u | c->ax_in, 0x22222222, 0x33333333, 0x44444444,
                                  c->fl_in, 0, 0 };
        bcd_fns[c->op](&st);
        const char *name = fmt_name("%s AX=%04x fl=%03x (%s)", bcd_names[c->op], c->ax_in,
                                    c->fl_in, c->why);
        uint32_t want_a = 0xabcd0000u | c->ax_out;
        if (st.a != want_a) {
            check_failf("%s: EAX (got 0x%x, expected 0x%x)", name, st.a, want_a);
        } else if ((st.fl ^ c->fl_out) & c->fmask) {
            check_failf("%s: flags (got 0x%x, expected 0x%x, compared 0x%x)", name,
                        st.fl & c->fmask, c->fl_out & c->fmask, c->fmask);
        } else if (st.b != 0x22222222 || st.c != 0x33333333 || st.d != 0x44444444) {
            check_failf("%s: other registers changed", name);
        } else {
            pass(name);
        }
    }
    expect_trap("AAM 0 raises #DE", t_aam0, 0, 0, NO_TRAP, LBL(aam0_at), SEL_KCODE);
}

int main(void)
{
    run_generated();
    run_bcd();
    finish();
}

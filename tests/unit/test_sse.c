/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_sse.c — MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 (translate-sse*.c,
 * sse_helper.c, sse_fp_helper.c) against the host CPU.
 *
 * Each case is one instruction's bytes. The oracle runs them natively: they are copied into
 * an executable buffer between a prologue that loads XMM0-2, MM1-2, RAX RCX RDX RSI, the
 * arithmetic flags and MXCSR from a state block and an epilogue that stores them back. The
 * emulator decodes the same bytes, translates them with x86_disas_sse into tcg-lite IR,
 * optimises, compiles and runs the block with the interpreter on an X86CPU holding the same
 * state (a memory operand [rsi] is a page that the softmmu TLB maps to a host buffer).
 * Registers, flags, MXCSR and memory must agree bit for bit (RCPPS/RSQRTPS: within the
 * SDM's relative error). Inputs: random and edge values (zeros of both signs, denormals,
 * infinities, QNaNs and SNaNs with payloads, integer limits, rounding ties, saturation
 * bounds), every MXCSR rounding mode with DAZ and FTZ on and off, every imm8 of the
 * instructions that take one (all 256 control bytes of PCMPxSTRx), register and memory
 * forms. Also checked without an oracle: #UD/#NM from CR0.EM/TS and CR4.OSFXSR, #GP on
 * misaligned 16-byte operands, #XM/#UD for unmasked exceptions with the destination left
 * unchanged, the x87 tag word and TOP after MMX instructions and EMMS, the CPUID bits.
 * Needs an x86-64 host; instructions the host lacks (CPUID) are skipped.
 */
#include "cpu/x86/translate.h"
#include "cpu/x86/sse_helper.h"
#include <check.h>
#include <cpuid.h>
#include <math.h>
#include <setjmp.h>
#include <sys/mman.h>

#if !defined(__x86_64__)
#error "test_sse needs an x86-64 host (native oracle)"
#endif

/* ---- the state both sides run on ---- */

typedef struct St {
    X86XMMReg x[3];             /* 0x00 xmm0, 0x10 xmm1, 0x20 xmm2 */
    uint64_t mm[2];             /* 0x30 mm1, 0x38 mm2 */
    uint64_t rax, rcx, rdx, rsi;    /* 0x40 0x48 0x50 0x58 */
    uint64_t rflags;            /* 0x60 */
    uint32_t hostcsr;           /* 0x68: the host's MXCSR, saved by the prologue */
    uint32_t mxcsr;             /* 0x6c */
} St;
_Static_assert(offsetof(St, rflags) == 0x60 && offsetof(St, mxcsr) == 0x6c, "St layout");

/* The prologue and epilogue around the instruction, copied into the buffer from here. */
__asm__(".pushsection .text\n"
        ".globl sse_nat_pro\n"
        "sse_nat_pro:\n"
        "movdqu (%rdi), %xmm0\n"
        "movdqu 0x10(%rdi), %xmm1\n"
        "movdqu 0x20(%rdi), %xmm2\n"
        "movq 0x30(%rdi), %mm1\n"
        "movq 0x38(%rdi), %mm2\n"
        "mov 0x40(%rdi), %rax\n"
        "mov 0x48(%rdi), %rcx\n"
        "mov 0x50(%rdi), %rdx\n"
        "mov 0x58(%rdi), %rsi\n"
        "pushq 0x60(%rdi)\n"
        "popfq\n"
        "stmxcsr 0x68(%rdi)\n"
        "ldmxcsr 0x6c(%rdi)\n"
        ".globl sse_nat_pro_end\n"
        "sse_nat_pro_end:\n"
        ".globl sse_nat_epi\n"
        "sse_nat_epi:\n"
        "stmxcsr 0x6c(%rdi)\n"
        "ldmxcsr 0x68(%rdi)\n"
        "pushfq\n"
        "popq 0x60(%rdi)\n"
        "movdqu %xmm0, (%rdi)\n"
        "movdqu %xmm1, 0x10(%rdi)\n"
        "movdqu %xmm2, 0x20(%rdi)\n"
        "movq %mm1, 0x30(%rdi)\n"
        "movq %mm2, 0x38(%rdi)\n"
        "mov %rax, 0x40(%rdi)\n"
        "mov %rcx, 0x48(%rdi)\n"
        "mov %rdx, 0x50(%rdi)\n"
        "mov %rsi, 0x58(%rdi)\n"
        "emms\n"
        "ret\n"
        ".globl sse_nat_epi_end\n"
        "sse_nat_epi_end:\n"
        ".popsection\n");
extern const uint8_t sse_nat_pro[], sse_nat_pro_end[], sse_nat_epi[], sse_nat_epi_end[];

#define GUEST_PAGE 0x200000ull
#define HF_TEST (HF_OSFXSR_MASK | HF_CS64_MASK | HF_LMA_MASK | HF_PE_MASK)

static uint8_t *nat_code;
static uint8_t nat_mem[4096] __attribute__((aligned(4096)));
static uint8_t emu_mem[4096] __attribute__((aligned(4096)));
static X86CPU cpu;
static IRBuilder *bld;
static uint32_t host_ecx, host_edx;

/* xchg %rsi, %rdi: MASKMOVQ/MASKMOVDQU store to [rdi], which the runner needs */
static const uint8_t xchg_si_di[3] = { 0x48, 0x87, 0xf7 };

static void nat_run(const uint8_t *insn, unsigned len, St *st, unsigned memoff, bool rdi_mem)
{
    size_t pl = (size_t)(sse_nat_pro_end - sse_nat_pro);
    size_t el = (size_t)(sse_nat_epi_end - sse_nat_epi);
    uint8_t *p = nat_code;

    memcpy(p, sse_nat_pro, pl);
    p += pl;
    if (rdi_mem) {
        memcpy(p, xchg_si_di, 3);
        p += 3;
    }
    memcpy(p, insn, len);
    p += len;
    if (rdi_mem) {
        memcpy(p, xchg_si_di, 3);
        p += 3;
    }
    memcpy(p, sse_nat_epi, el);
    st->rsi = (uint64_t)(uintptr_t)nat_mem + memoff;
    ((void (*)(St *))(void *)nat_code)(st);
}

static uint64_t fail_ld_slow(void *e, uint64_t addr, unsigned memop, unsigned mmu_idx)
{
    ck_abort_msg("unexpected slow-path load at 0x%" PRIx64, addr);
    return 0;
}

static void fail_st_slow(void *e, uint64_t addr, uint64_t val, unsigned memop, unsigned mmu_idx)
{
    ck_abort_msg("unexpected slow-path store at 0x%" PRIx64, addr);
}

static void setup(void)
{
    static bool done;
    TLBEntry *te;
    unsigned a = 0, b = 0, c = 0, d = 0;

    if (done) {
        return;
    }
    done = true;
    nat_code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                    -1, 0);
    ck_assert(nat_code != MAP_FAILED);
    __get_cpuid(1, &a, &b, &c, &d);
    host_ecx = c;
    host_edx = d;

    x86_tcg_init();
    bld = ir_builder_new();
    ir_runtime.tlb_offset = offsetof(X86CPU, tlb);
    ir_runtime.insn_pc_offset = offsetof(X86CPU, insn_pc);
    ir_runtime.exit_request_offset = offsetof(X86CPU, exit_request);
    ir_runtime.frame_offset = offsetof(X86CPU, ir_frame);
    ir_runtime.ld_slow = fail_ld_slow;
    ir_runtime.st_slow = fail_st_slow;

    memset(cpu.tlb, 0xff, sizeof(cpu.tlb));
    te = &cpu.tlb[0][tlb_index(GUEST_PAGE)];
    te->addr_read = te->addr_write = GUEST_PAGE;
    te->addend = (uintptr_t)emu_mem - GUEST_PAGE;
    cpu.parent.cc = &x86_cpu_class;
    cpu.model = "max";
    cpu.cpuid_level = 0xd;
    cpu.cpuid_xlevel = 0x80000008u;
    cpu.cr[4] = CR4_OSFXSR | CR4_OSXMMEXCPT;
    cpu.cr[0] = CR0_PE | CR0_ET | CR0_NE;
    cpu.old_exception = -1;
    cpu.df = 1;
    cpu.eflags = 2;
}

/* Runs one instruction through the translator and the interpreter. Returns the exception
 * vector it raised, or -1. */
static int emu_run(const uint8_t *insn, unsigned len, St *st, unsigned memoff, bool rdi_mem,
                   uint32_t hflags)
{
    X86CPU *env = &cpu;
    CPUState *cs = x86_cs(env);
    DisasContext ctx, *s = &ctx;
    IRCode *code;
    volatile int excp = -1;

    for (int i = 0; i < 3; i++) {
        env->xmm[i] = st->x[i];
    }
    env->fpregs[1].mant = st->mm[0];
    env->fpregs[2].mant = st->mm[1];
    env->fpregs[1].exp = env->fpregs[2].exp = 0x1234;
    env->fptag = 0xffff;
    env->fpstt = 5;
    env->regs[R_EAX] = st->rax;
    env->regs[R_ECX] = st->rcx;
    env->regs[R_EDX] = st->rdx;
    env->regs[R_ESI] = GUEST_PAGE + memoff;
    env->regs[R_EDI] = rdi_mem ? GUEST_PAGE + memoff : 0;
    env->mxcsr = st->mxcsr;
    x86_eflags_set(env, st->rflags, CC_MASK);

    memset(s, 0, sizeof(*s));
    x86_decode_buf(&s->insn, 64, insn, len);
    ck_assert_msg(!(s->insn.flags & X86_DF_INVALID), "decoder rejects the test instruction");
    ck_assert_int_eq(s->insn.len, len);
    s->cs = cs;
    s->env = env;
    s->b = bld;
    s->flags = hflags;
    s->code64 = true;
    s->code_mode = 64;
    s->lma = s->pe = true;
    s->mem_idx = 0;
    s->cc_op = CC_OP_DYNAMIC;
    s->pc = len;
    ir_begin(bld);
    s->cc_srcT = ir_temp(bld);
    ir_insn_start(bld, 0);
    ck_assert_msg(x86_disas_sse(s), "not translated by x86_disas_sse");
    if (s->is_jmp != DISAS_NORETURN) {
        ir_exit_tb(bld, IR_EXIT_NOCHAIN);
    }
    ir_optimize(bld);
    code = ir_compile(bld, NULL);
    if (setjmp(cs->jmp_env) == 0) {
        ir_exec(env, code);
    } else {
        excp = cs->exception_index;
    }
    ir_code_free(code);

    for (int i = 0; i < 3; i++) {
        st->x[i] = env->xmm[i];
    }
    st->mm[0] = env->fpregs[1].mant;
    st->mm[1] = env->fpregs[2].mant;
    st->rax = env->regs[R_EAX];
    st->rcx = env->regs[R_ECX];
    st->rdx = env->regs[R_EDX];
    st->mxcsr = env->mxcsr;
    st->rflags = (st->rflags & ~(uint64_t)CC_MASK) | (x86_eflags_get(env) & CC_MASK);
    return excp;
}

/* ---- inputs ---- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned rndn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static const uint32_t f32_edge[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0xc0200000,
    0x3f000000, 0xbf000000, 0x3f400000, 0x3effffff, 0x00000001, 0x807fffff, 0x00400000,
    0x00800000, 0x80800000, 0x00ffffff, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7fc12345, 0x7f800001, 0xff812345, 0x7fbfffff, 0x4f000000,
    0xcf000000, 0x4effffff, 0xcf000001, 0x5f000000, 0xdf000000, 0x5effffff, 0x4b000000,
    0x4b7fffff, 0x4affffff, 0x4b000001, 0x33800000, 0x0c000000, 0x1f800000, 0x40490fdb,
};
static const uint64_t f64_edge[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull,
    0x3fe0000000000000ull, 0xbfe0000000000000ull, 0x3fdfffffffffffffull, 1,
    0x800fffffffffffffull, 0x0008000000000000ull, 0x0010000000000000ull,
    0x8010000000000000ull, 0x7fefffffffffffffull, 0xffefffffffffffffull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
    0xfff8000000000000ull, 0x7ff8000000012345ull, 0x7ff0000000000001ull,
    0xfff0000000054321ull, 0x7ff7ffffffffffffull, 0x41e0000000000000ull,
    0xc1e0000000000000ull, 0x41dfffffffffffffull, 0xc1e0000000200000ull,
    0x41dfffffffe00000ull, 0x41dfffffffd00000ull, 0x43e0000000000000ull,
    0xc3e0000000000000ull, 0x43dfffffffffffffull, 0x4330000000000000ull,
    0x432fffffffffffffull, 0x3ca0000000000000ull, 0x36a0000000000000ull,
    0x3810000000000000ull, 0x47efffffe0000000ull, 0x47f0000000000000ull,
    0x400921fb54442d18ull, 0x3690000000000000ull,
};
static const uint16_t int_edge[] = {
    0, 1, 2, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xffff, 0xfffe, 0x00ff,
    0xff00, 0x7f80, 0x807f,
};

static uint32_t f32_val(void)
{
    switch (rndn(4)) {
    case 0:
    case 1:
        return f32_edge[rndn(ARRAY_SIZE(f32_edge))];
    case 2:
        return (uint32_t)rnd();
    default: /* moderate magnitudes */
        return (uint32_t)(rnd() & 0x807fffff) | ((100 + rndn(54)) << 23);
    }
}

static uint64_t f64_val(void)
{
    switch (rndn(4)) {
    case 0:
    case 1:
        return f64_edge[rndn(ARRAY_SIZE(f64_edge))];
    case 2:
        return rnd();
    default:
        return (rnd() & 0x800fffffffffffffull) | ((uint64_t)(1000 + rndn(46)) << 52);
    }
}

static uint32_t i32_val(void)
{
    static const uint32_t e[] = { 0, 1, 0xffffffffu, 0x80000000u, 0x7fffffffu, 16777217,
                                  0xfeffffffu, 0x01000001, 3, 0x7fffff80u };
    return rndn(2) ? e[rndn(ARRAY_SIZE(e))] : (uint32_t)rnd();
}

static uint64_t int_val(void)
{
    uint64_t v = 0;

    if (rndn(2)) {
        return rnd();
    }
    for (int i = 0; i < 4; i++) {
        v |= (uint64_t)(rndn(3) ? int_edge[rndn(ARRAY_SIZE(int_edge))] : (uint16_t)rnd())
             << (16 * i);
    }
    return v;
}

static uint64_t gpr_val(void)
{
    static const uint64_t e[] = { 0, 1, ~0ull, 0x80000000u, 0x7fffffffu, 0xffffffffu,
                                  0x8000000000000000ull, 0x7fffffffffffffffull, 16777217,
                                  0x20000000000001ull, 0xfffffffffeffffffull };
    return rndn(2) ? e[rndn(ARRAY_SIZE(e))] : rnd();
}

/* Strings for PCMPxSTRx: a small alphabet with NULs, so that matches and ends happen. */
static uint64_t str_val(void)
{
    static const uint8_t alpha[] = { 0, 'a', 'b', 'c', 'z', 0x80, 0xff, 'a', 'b', 0x7f };
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        v |= (uint64_t)alpha[rndn(rndn(4) ? 5 : ARRAY_SIZE(alpha))] << (8 * i);
    }
    if (rndn(4) == 0) {
        v |= 0x0101010101010101ull;     /* no NUL bytes */
    }
    return v;
}

static uint64_t len_val(void)
{
    static const uint64_t e[] = { 0x80000000u, 0x8000000000000000ull, 0xffffffff00000003ull,
                                  0x100000004ull, 100, 17, 16, 9, 8 };
    return rndn(4) ? (uint64_t)(int64_t)((int)rndn(41) - 20) : e[rndn(ARRAY_SIZE(e))];
}

enum { G_INT, G_F32, G_F64, G_I32, G_SHIFT, G_STR, G_GPR };

static uint64_t val64(int gen)
{
    switch (gen) {
    case G_F32:
        return f32_val() | (uint64_t)f32_val() << 32;
    case G_F64:
        return f64_val();
    case G_I32:
        return i32_val() | (uint64_t)i32_val() << 32;
    case G_STR:
        return str_val();
    default:
        return int_val();
    }
}

static void fill_mem(int gen)
{
    for (unsigned i = 0; i < 64; i += 8) {
        uint64_t v = val64(gen);
        memcpy(nat_mem + i, &v, 8);
    }
    memcpy(emu_mem, nat_mem, 64);
}

static uint32_t mxcsr_val(int gen)
{
    if (gen != G_F32 && gen != G_F64 && gen != G_I32) {
        return 0x1f80;
    }
    return 0x1f80 | (rndn(4) << MXCSR_RC_SHIFT) | (rndn(3) == 0 ? MXCSR_DAZ : 0) |
           (rndn(3) == 0 ? MXCSR_FTZ : 0) | (rndn(8) == 0 ? (uint32_t)rnd() & MXCSR_FLAGS : 0);
}

static void gen_state(St *st, int gen)
{
    memset(st, 0, sizeof(*st));
    for (int i = 0; i < 3; i++) {
        st->x[i].q[0] = val64(gen);
        st->x[i].q[1] = val64(gen);
    }
    st->mm[0] = val64(gen);
    st->mm[1] = val64(gen);
    if (gen == G_SHIFT) {
        static const uint64_t big[] = { 64, 255, 0x100000000ull, ~0ull, 0x8000000000000001ull };
        uint64_t cnt = rndn(4) ? rndn(70) : big[rndn(ARRAY_SIZE(big))];
        st->x[2].q[0] = cnt;
        st->mm[1] = cnt;
    }
    st->rax = gpr_val();
    st->rcx = gpr_val();
    st->rdx = gpr_val();
    if (gen == G_STR) {
        st->rax = len_val();
        st->rdx = len_val();
    }
    st->rflags = 0x202 | (rnd() & CC_MASK);
    st->mxcsr = mxcsr_val(gen);
    fill_mem(gen);
}

/* ---- the instructions ---- */

#define T_MEM    0x01   /* also the form with a memory operand [rsi] (ModRM.rm = 6, mod = 0) */
#define T_APPROX 0x02   /* RCP/RSQRT: xmm1 within the SDM's relative error */
#define T_RDI    0x04   /* MASKMOV: stores to [rdi] */
#define T_IMM    0x08   /* every imm8 0..255 */
#define T_IMM8   0x10   /* imm8 0..7 (predicates; CMPPS/CMPSD try all: bits 7:3 ignored) */
#define T_IMM16  0x20   /* imm8 0..15 (ROUND*, element indexes) */

/* host features (CPUID.1:ECX bits; 0: SSE2 baseline) */
#define H_SSE3  (1u << 0)
#define H_SSSE3 (1u << 9)
#define H_SSE41 (1u << 19)
#define H_SSE42 (1u << 20)

typedef struct TI {
    const char *name;
    const char *enc;        /* the instruction up to and including ModRM */
    unsigned len;
    int gen;
    unsigned fl;
    uint32_t host;
} TI;

#define I(n, e, g, f, h) { n, e, sizeof(e) - 1, g, f, h }

static const TI table[] = {
    /* moves */
    I("movups", "\x0f\x10\xca", G_F32, T_MEM, 0),
    I("movupd", "\x66\x0f\x10\xca", G_F64, T_MEM, 0),
    I("movss", "\xf3\x0f\x10\xca", G_F32, T_MEM, 0),
    I("movsd", "\xf2\x0f\x10\xca", G_F64, T_MEM, 0),
    I("movups st", "\x0f\x11\xca", G_F32, T_MEM, 0),
    I("movss st", "\xf3\x0f\x11\xca", G_F32, T_MEM, 0),
    I("movsd st", "\xf2\x0f\x11\xca", G_F64, T_MEM, 0),
    I("movhlps/movlps", "\x0f\x12\xca", G_F32, T_MEM, 0),
    I("movlpd", "\x66\x0f\x12\x0e", G_F64, 0, 0),
    I("movlps st", "\x0f\x13\x0e", G_F32, 0, 0),
    I("movlpd st", "\x66\x0f\x13\x0e", G_F64, 0, 0),
    I("movlhps/movhps", "\x0f\x16\xca", G_F32, T_MEM, 0),
    I("movhpd", "\x66\x0f\x16\x0e", G_F64, 0, 0),
    I("movhps st", "\x0f\x17\x0e", G_F32, 0, 0),
    I("movhpd st", "\x66\x0f\x17\x0e", G_F64, 0, 0),
    I("movaps", "\x0f\x28\xca", G_F32, T_MEM, 0),
    I("movapd", "\x66\x0f\x28\xca", G_F64, T_MEM, 0),
    I("movaps st", "\x0f\x29\xca", G_F32, T_MEM, 0),
    I("movntps", "\x0f\x2b\x0e", G_F32, 0, 0),
    I("movntpd", "\x66\x0f\x2b\x0e", G_F64, 0, 0),
    I("movd mm,r32", "\x0f\x6e\xc8", G_INT, T_MEM, 0),
    I("movq mm,r64", "\x48\x0f\x6e\xc8", G_INT, T_MEM, 0),
    I("movd xmm,r32", "\x66\x0f\x6e\xc8", G_INT, T_MEM, 0),
    I("movq xmm,r64", "\x66\x48\x0f\x6e\xc8", G_INT, T_MEM, 0),
    I("movd r32,mm", "\x0f\x7e\xc8", G_INT, T_MEM, 0),
    I("movq r64,mm", "\x48\x0f\x7e\xc8", G_INT, T_MEM, 0),
    I("movd r32,xmm", "\x66\x0f\x7e\xc8", G_INT, T_MEM, 0),
    I("movq r64,xmm", "\x66\x48\x0f\x7e\xc8", G_INT, T_MEM, 0),
    I("movq xmm,xmm/m64", "\xf3\x0f\x7e\xca", G_INT, T_MEM, 0),
    I("movq mm,mm", "\x0f\x6f\xca", G_INT, T_MEM, 0),
    I("movq mm st", "\x0f\x7f\xca", G_INT, T_MEM, 0),
    I("movdqa", "\x66\x0f\x6f\xca", G_INT, T_MEM, 0),
    I("movdqu", "\xf3\x0f\x6f\xca", G_INT, T_MEM, 0),
    I("movdqa st", "\x66\x0f\x7f\xca", G_INT, T_MEM, 0),
    I("movdqu st", "\xf3\x0f\x7f\xca", G_INT, T_MEM, 0),
    I("movq xmm/m64 st", "\x66\x0f\xd6\xca", G_INT, T_MEM, 0),
    I("movq2dq", "\xf3\x0f\xd6\xca", G_INT, 0, 0),
    I("movdq2q", "\xf2\x0f\xd6\xca", G_INT, 0, 0),
    I("movntq", "\x0f\xe7\x0e", G_INT, 0, 0),
    I("movntdq", "\x66\x0f\xe7\x0e", G_INT, 0, 0),
    I("lddqu", "\xf2\x0f\xf0\x0e", G_INT, 0, H_SSE3),
    I("movntdqa", "\x66\x0f\x38\x2a\x0e", G_INT, 0, H_SSE41),
    I("movnti", "\x0f\xc3\x0e", G_INT, 0, 0),
    I("movnti64", "\x48\x0f\xc3\x0e", G_INT, 0, 0),
    I("movsldup", "\xf3\x0f\x12\xca", G_F32, T_MEM, H_SSE3),
    I("movshdup", "\xf3\x0f\x16\xca", G_F32, T_MEM, H_SSE3),
    I("movddup", "\xf2\x0f\x12\xca", G_F64, T_MEM, H_SSE3),
    I("maskmovq", "\x0f\xf7\xca", G_INT, T_RDI, 0),
    I("maskmovdqu", "\x66\x0f\xf7\xca", G_INT, T_RDI, 0),
    I("pmovmskb mm", "\x0f\xd7\xc2", G_INT, 0, 0),
    I("pmovmskb xmm", "\x66\x0f\xd7\xc2", G_INT, 0, 0),
    I("movmskps", "\x0f\x50\xc2", G_F32, 0, 0),
    I("movmskpd", "\x66\x0f\x50\xc2", G_F64, 0, 0),
    I("pinsrw mm", "\x0f\xc4\xc8", G_INT, T_MEM | T_IMM16, 0),
    I("pinsrw xmm", "\x66\x0f\xc4\xc8", G_INT, T_MEM | T_IMM16, 0),
    I("pextrw mm", "\x0f\xc5\xc2", G_INT, T_IMM16, 0),
    I("pextrw xmm", "\x66\x0f\xc5\xc2", G_INT, T_IMM16, 0),
    I("pextrb", "\x66\x0f\x3a\x14\xc8", G_INT, T_MEM | T_IMM16, H_SSE41),
    I("pextrw 3a", "\x66\x0f\x3a\x15\xc8", G_INT, T_MEM | T_IMM16, H_SSE41),
    I("pextrd", "\x66\x0f\x3a\x16\xc8", G_INT, T_MEM | T_IMM16, H_SSE41),
    I("pextrq", "\x66\x48\x0f\x3a\x16\xc8", G_INT, T_MEM | T_IMM16, H_SSE41),
    I("extractps", "\x66\x0f\x3a\x17\xc8", G_F32, T_MEM | T_IMM16, H_SSE41),
    I("pinsrb", "\x66\x0f\x3a\x20\xc8", G_INT, T_MEM | T_IMM16, H_SSE41),
    I("pinsrd", "\x66\x0f\x3a\x22\xc8", G_INT, T_MEM | T_IMM16, H_SSE41),
    I("pinsrq", "\x66\x48\x0f\x3a\x22\xc8", G_INT, T_MEM | T_IMM16, H_SSE41),
    I("insertps", "\x66\x0f\x3a\x21\xca", G_F32, T_MEM | T_IMM, H_SSE41),
    /* idioms: one register twice */
    I("pxor mm same", "\x0f\xef\xc9", G_INT, 0, 0),
    I("pxor same", "\x66\x0f\xef\xc9", G_INT, 0, 0),
    I("xorps same", "\x0f\x57\xc9", G_F32, 0, 0),
    I("pcmpeqb same", "\x66\x0f\x74\xc9", G_INT, 0, 0),
    I("psubd same", "\x66\x0f\xfa\xc9", G_INT, 0, 0),
    I("paddb same", "\x66\x0f\xfc\xc9", G_INT, 0, 0),
    I("pand same", "\x66\x0f\xdb\xc9", G_INT, 0, 0),
    I("pandn same", "\x66\x0f\xdf\xc9", G_INT, 0, 0),
    /* floating point */
    I("addps", "\x0f\x58\xca", G_F32, T_MEM, 0),
    I("addpd", "\x66\x0f\x58\xca", G_F64, T_MEM, 0),
    I("addss", "\xf3\x0f\x58\xca", G_F32, T_MEM, 0),
    I("addsd", "\xf2\x0f\x58\xca", G_F64, T_MEM, 0),
    I("mulps", "\x0f\x59\xca", G_F32, T_MEM, 0),
    I("mulpd", "\x66\x0f\x59\xca", G_F64, T_MEM, 0),
    I("mulss", "\xf3\x0f\x59\xca", G_F32, T_MEM, 0),
    I("mulsd", "\xf2\x0f\x59\xca", G_F64, T_MEM, 0),
    I("subps", "\x0f\x5c\xca", G_F32, T_MEM, 0),
    I("subpd", "\x66\x0f\x5c\xca", G_F64, T_MEM, 0),
    I("subss", "\xf3\x0f\x5c\xca", G_F32, T_MEM, 0),
    I("subsd", "\xf2\x0f\x5c\xca", G_F64, T_MEM, 0),
    I("divps", "\x0f\x5e\xca", G_F32, T_MEM, 0),
    I("divpd", "\x66\x0f\x5e\xca", G_F64, T_MEM, 0),
    I("divss", "\xf3\x0f\x5e\xca", G_F32, T_MEM, 0),
    I("divsd", "\xf2\x0f\x5e\xca", G_F64, T_MEM, 0),
    I("minps", "\x0f\x5d\xca", G_F32, T_MEM, 0),
    I("minpd", "\x66\x0f\x5d\xca", G_F64, T_MEM, 0),
    I("minss", "\xf3\x0f\x5d\xca", G_F32, T_MEM, 0),
    I("minsd", "\xf2\x0f\x5d\xca", G_F64, T_MEM, 0),
    I("maxps", "\x0f\x5f\xca", G_F32, T_MEM, 0),
    I("maxpd", "\x66\x0f\x5f\xca", G_F64, T_MEM, 0),
    I("maxss", "\xf3\x0f\x5f\xca", G_F32, T_MEM, 0),
    I("maxsd", "\xf2\x0f\x5f\xca", G_F64, T_MEM, 0),
    I("sqrtps", "\x0f\x51\xca", G_F32, T_MEM, 0),
    I("sqrtpd", "\x66\x0f\x51\xca", G_F64, T_MEM, 0),
    I("sqrtss", "\xf3\x0f\x51\xca", G_F32, T_MEM, 0),
    I("sqrtsd", "\xf2\x0f\x51\xca", G_F64, T_MEM, 0),
    I("rsqrtps", "\x0f\x52\xca", G_F32, T_MEM | T_APPROX, 0),
    I("rsqrtss", "\xf3\x0f\x52\xca", G_F32, T_MEM | T_APPROX, 0),
    I("rcpps", "\x0f\x53\xca", G_F32, T_MEM | T_APPROX, 0),
    I("rcpss", "\xf3\x0f\x53\xca", G_F32, T_MEM | T_APPROX, 0),
    I("andps", "\x0f\x54\xca", G_F32, T_MEM, 0),
    I("andpd", "\x66\x0f\x54\xca", G_F64, T_MEM, 0),
    I("andnps", "\x0f\x55\xca", G_F32, T_MEM, 0),
    I("andnpd", "\x66\x0f\x55\xca", G_F64, T_MEM, 0),
    I("orps", "\x0f\x56\xca", G_F32, T_MEM, 0),
    I("orpd", "\x66\x0f\x56\xca", G_F64, T_MEM, 0),
    I("xorps", "\x0f\x57\xca", G_F32, T_MEM, 0),
    I("xorpd", "\x66\x0f\x57\xca", G_F64, T_MEM, 0),
    I("unpcklps", "\x0f\x14\xca", G_F32, T_MEM, 0),
    I("unpcklpd", "\x66\x0f\x14\xca", G_F64, T_MEM, 0),
    I("unpckhps", "\x0f\x15\xca", G_F32, T_MEM, 0),
    I("unpckhpd", "\x66\x0f\x15\xca", G_F64, T_MEM, 0),
    I("shufps", "\x0f\xc6\xca", G_F32, T_MEM | T_IMM, 0),
    I("shufpd", "\x66\x0f\xc6\xca", G_F64, T_MEM | T_IMM, 0),
    I("cmpps", "\x0f\xc2\xca", G_F32, T_MEM | T_IMM, 0),
    I("cmppd", "\x66\x0f\xc2\xca", G_F64, T_MEM | T_IMM8, 0),
    I("cmpss", "\xf3\x0f\xc2\xca", G_F32, T_MEM | T_IMM8, 0),
    I("cmpsd", "\xf2\x0f\xc2\xca", G_F64, T_MEM | T_IMM, 0),
    I("ucomiss", "\x0f\x2e\xca", G_F32, T_MEM, 0),
    I("comiss", "\x0f\x2f\xca", G_F32, T_MEM, 0),
    I("ucomisd", "\x66\x0f\x2e\xca", G_F64, T_MEM, 0),
    I("comisd", "\x66\x0f\x2f\xca", G_F64, T_MEM, 0),
    I("haddps", "\xf2\x0f\x7c\xca", G_F32, T_MEM, H_SSE3),
    I("haddpd", "\x66\x0f\x7c\xca", G_F64, T_MEM, H_SSE3),
    I("hsubps", "\xf2\x0f\x7d\xca", G_F32, T_MEM, H_SSE3),
    I("hsubpd", "\x66\x0f\x7d\xca", G_F64, T_MEM, H_SSE3),
    I("addsubps", "\xf2\x0f\xd0\xca", G_F32, T_MEM, H_SSE3),
    I("addsubpd", "\x66\x0f\xd0\xca", G_F64, T_MEM, H_SSE3),
    I("dpps", "\x66\x0f\x3a\x40\xca", G_F32, T_MEM | T_IMM, H_SSE41),
    I("dppd", "\x66\x0f\x3a\x41\xca", G_F64, T_MEM | T_IMM, H_SSE41),
    I("roundps", "\x66\x0f\x3a\x08\xca", G_F32, T_MEM | T_IMM16, H_SSE41),
    I("roundpd", "\x66\x0f\x3a\x09\xca", G_F64, T_MEM | T_IMM16, H_SSE41),
    I("roundss", "\x66\x0f\x3a\x0a\xca", G_F32, T_MEM | T_IMM16, H_SSE41),
    I("roundsd", "\x66\x0f\x3a\x0b\xca", G_F64, T_MEM | T_IMM16, H_SSE41),
    I("blendps", "\x66\x0f\x3a\x0c\xca", G_F32, T_MEM | T_IMM, H_SSE41),
    I("blendpd", "\x66\x0f\x3a\x0d\xca", G_F64, T_MEM | T_IMM, H_SSE41),
    I("blendvps", "\x66\x0f\x38\x14\xca", G_F32, T_MEM, H_SSE41),
    I("blendvpd", "\x66\x0f\x38\x15\xca", G_F64, T_MEM, H_SSE41),
    /* conversions */
    I("cvtps2pd", "\x0f\x5a\xca", G_F32, T_MEM, 0),
    I("cvtpd2ps", "\x66\x0f\x5a\xca", G_F64, T_MEM, 0),
    I("cvtss2sd", "\xf3\x0f\x5a\xca", G_F32, T_MEM, 0),
    I("cvtsd2ss", "\xf2\x0f\x5a\xca", G_F64, T_MEM, 0),
    I("cvtdq2ps", "\x0f\x5b\xca", G_I32, T_MEM, 0),
    I("cvtps2dq", "\x66\x0f\x5b\xca", G_F32, T_MEM, 0),
    I("cvttps2dq", "\xf3\x0f\x5b\xca", G_F32, T_MEM, 0),
    I("cvttpd2dq", "\x66\x0f\xe6\xca", G_F64, T_MEM, 0),
    I("cvtdq2pd", "\xf3\x0f\xe6\xca", G_I32, T_MEM, 0),
    I("cvtpd2dq", "\xf2\x0f\xe6\xca", G_F64, T_MEM, 0),
    I("cvtpi2ps", "\x0f\x2a\xca", G_I32, T_MEM, 0),
    I("cvtpi2pd", "\x66\x0f\x2a\xca", G_I32, T_MEM, 0),
    I("cvtsi2ss r32", "\xf3\x0f\x2a\xc8", G_I32, T_MEM, 0),
    I("cvtsi2ss r64", "\xf3\x48\x0f\x2a\xc8", G_I32, T_MEM, 0),
    I("cvtsi2sd r32", "\xf2\x0f\x2a\xc8", G_I32, T_MEM, 0),
    I("cvtsi2sd r64", "\xf2\x48\x0f\x2a\xc8", G_I32, T_MEM, 0),
    I("cvttps2pi", "\x0f\x2c\xca", G_F32, T_MEM, 0),
    I("cvtps2pi", "\x0f\x2d\xca", G_F32, T_MEM, 0),
    I("cvttpd2pi", "\x66\x0f\x2c\xca", G_F64, T_MEM, 0),
    I("cvtpd2pi", "\x66\x0f\x2d\xca", G_F64, T_MEM, 0),
    I("cvttss2si", "\xf3\x0f\x2c\xc2", G_F32, T_MEM, 0),
    I("cvtss2si", "\xf3\x0f\x2d\xc2", G_F32, T_MEM, 0),
    I("cvttss2si r64", "\xf3\x48\x0f\x2c\xc2", G_F32, T_MEM, 0),
    I("cvtss2si r64", "\xf3\x48\x0f\x2d\xc2", G_F32, T_MEM, 0),
    I("cvttsd2si", "\xf2\x0f\x2c\xc2", G_F64, T_MEM, 0),
    I("cvtsd2si", "\xf2\x0f\x2d\xc2", G_F64, T_MEM, 0),
    I("cvttsd2si r64", "\xf2\x48\x0f\x2c\xc2", G_F64, T_MEM, 0),
    I("cvtsd2si r64", "\xf2\x48\x0f\x2d\xc2", G_F64, T_MEM, 0),
    /* integer: shifts by immediate (ModRM.reg = the operation, rm = register 1) */
    I("psrlw mm imm", "\x0f\x71\xd1", G_INT, T_IMM, 0),
    I("psraw mm imm", "\x0f\x71\xe1", G_INT, T_IMM, 0),
    I("psllw mm imm", "\x0f\x71\xf1", G_INT, T_IMM, 0),
    I("psrld mm imm", "\x0f\x72\xd1", G_INT, T_IMM, 0),
    I("psrad mm imm", "\x0f\x72\xe1", G_INT, T_IMM, 0),
    I("pslld mm imm", "\x0f\x72\xf1", G_INT, T_IMM, 0),
    I("psrlq mm imm", "\x0f\x73\xd1", G_INT, T_IMM, 0),
    I("psllq mm imm", "\x0f\x73\xf1", G_INT, T_IMM, 0),
    I("psrlw imm", "\x66\x0f\x71\xd1", G_INT, T_IMM, 0),
    I("psraw imm", "\x66\x0f\x71\xe1", G_INT, T_IMM, 0),
    I("psllw imm", "\x66\x0f\x71\xf1", G_INT, T_IMM, 0),
    I("psrld imm", "\x66\x0f\x72\xd1", G_INT, T_IMM, 0),
    I("psrad imm", "\x66\x0f\x72\xe1", G_INT, T_IMM, 0),
    I("pslld imm", "\x66\x0f\x72\xf1", G_INT, T_IMM, 0),
    I("psrlq imm", "\x66\x0f\x73\xd1", G_INT, T_IMM, 0),
    I("psrldq imm", "\x66\x0f\x73\xd9", G_INT, T_IMM, 0),
    I("psllq imm", "\x66\x0f\x73\xf1", G_INT, T_IMM, 0),
    I("pslldq imm", "\x66\x0f\x73\xf9", G_INT, T_IMM, 0),
    /* SSE4.1 / SSE4.2 66-only */
    I("pblendvb", "\x66\x0f\x38\x10\xca", G_INT, T_MEM, H_SSE41),
    I("ptest", "\x66\x0f\x38\x17\xca", G_INT, T_MEM, H_SSE41),
    I("pmovsxbw", "\x66\x0f\x38\x20\xca", G_INT, T_MEM, H_SSE41),
    I("pmovsxbd", "\x66\x0f\x38\x21\xca", G_INT, T_MEM, H_SSE41),
    I("pmovsxbq", "\x66\x0f\x38\x22\xca", G_INT, T_MEM, H_SSE41),
    I("pmovsxwd", "\x66\x0f\x38\x23\xca", G_INT, T_MEM, H_SSE41),
    I("pmovsxwq", "\x66\x0f\x38\x24\xca", G_INT, T_MEM, H_SSE41),
    I("pmovsxdq", "\x66\x0f\x38\x25\xca", G_INT, T_MEM, H_SSE41),
    I("pmuldq", "\x66\x0f\x38\x28\xca", G_INT, T_MEM, H_SSE41),
    I("pcmpeqq", "\x66\x0f\x38\x29\xca", G_INT, T_MEM, H_SSE41),
    I("packusdw", "\x66\x0f\x38\x2b\xca", G_INT, T_MEM, H_SSE41),
    I("pmovzxbw", "\x66\x0f\x38\x30\xca", G_INT, T_MEM, H_SSE41),
    I("pmovzxbd", "\x66\x0f\x38\x31\xca", G_INT, T_MEM, H_SSE41),
    I("pmovzxbq", "\x66\x0f\x38\x32\xca", G_INT, T_MEM, H_SSE41),
    I("pmovzxwd", "\x66\x0f\x38\x33\xca", G_INT, T_MEM, H_SSE41),
    I("pmovzxwq", "\x66\x0f\x38\x34\xca", G_INT, T_MEM, H_SSE41),
    I("pmovzxdq", "\x66\x0f\x38\x35\xca", G_INT, T_MEM, H_SSE41),
    I("pcmpgtq", "\x66\x0f\x38\x37\xca", G_INT, T_MEM, H_SSE42),
    I("pminsb", "\x66\x0f\x38\x38\xca", G_INT, T_MEM, H_SSE41),
    I("pminsd", "\x66\x0f\x38\x39\xca", G_INT, T_MEM, H_SSE41),
    I("pminuw", "\x66\x0f\x38\x3a\xca", G_INT, T_MEM, H_SSE41),
    I("pminud", "\x66\x0f\x38\x3b\xca", G_INT, T_MEM, H_SSE41),
    I("pmaxsb", "\x66\x0f\x38\x3c\xca", G_INT, T_MEM, H_SSE41),
    I("pmaxsd", "\x66\x0f\x38\x3d\xca", G_INT, T_MEM, H_SSE41),
    I("pmaxuw", "\x66\x0f\x38\x3e\xca", G_INT, T_MEM, H_SSE41),
    I("pmaxud", "\x66\x0f\x38\x3f\xca", G_INT, T_MEM, H_SSE41),
    I("pmulld", "\x66\x0f\x38\x40\xca", G_INT, T_MEM, H_SSE41),
    I("phminposuw", "\x66\x0f\x38\x41\xca", G_INT, T_MEM, H_SSE41),
    I("pblendw", "\x66\x0f\x3a\x0e\xca", G_INT, T_MEM | T_IMM, H_SSE41),
    I("mpsadbw", "\x66\x0f\x3a\x42\xca", G_INT, T_MEM | T_IMM, H_SSE41),
    I("pshufd", "\x66\x0f\x70\xca", G_INT, T_MEM | T_IMM, 0),
    I("pshufhw", "\xf3\x0f\x70\xca", G_INT, T_MEM | T_IMM, 0),
    I("pshuflw", "\xf2\x0f\x70\xca", G_INT, T_MEM | T_IMM, 0),
    I("pshufw", "\x0f\x70\xca", G_INT, T_MEM | T_IMM, 0),
    I("punpcklqdq", "\x66\x0f\x6c\xca", G_INT, T_MEM, 0),
    I("punpckhqdq", "\x66\x0f\x6d\xca", G_INT, T_MEM, 0),
    /* CRC32 (general-purpose registers; c4: AH) */
    I("crc32 r32,r/m8", "\xf2\x0f\x38\xf0\xc1", G_GPR, T_MEM, H_SSE42),
    I("crc32 r32,ah", "\xf2\x0f\x38\xf0\xc4", G_GPR, 0, H_SSE42),
    I("crc32 r32,r/m16", "\x66\xf2\x0f\x38\xf1\xc1", G_GPR, T_MEM, H_SSE42),
    I("crc32 r32,r/m32", "\xf2\x0f\x38\xf1\xc1", G_GPR, T_MEM, H_SSE42),
    I("crc32 r64,r/m8", "\xf2\x48\x0f\x38\xf0\xc1", G_GPR, T_MEM, H_SSE42),
    I("crc32 r64,r/m64", "\xf2\x48\x0f\x38\xf1\xc1", G_GPR, T_MEM, H_SSE42),
    /* string compares: every control byte */
    I("pcmpestrm", "\x66\x0f\x3a\x60\xca", G_STR, T_MEM | T_IMM, H_SSE42),
    I("pcmpestri", "\x66\x0f\x3a\x61\xca", G_STR, T_MEM | T_IMM, H_SSE42),
    I("pcmpestrm64", "\x66\x48\x0f\x3a\x60\xca", G_STR, T_IMM, H_SSE42),
    I("pcmpestri64", "\x66\x48\x0f\x3a\x61\xca", G_STR, T_IMM, H_SSE42),
    I("pcmpistrm", "\x66\x0f\x3a\x62\xca", G_STR, T_MEM | T_IMM, H_SSE42),
    I("pcmpistri", "\x66\x0f\x3a\x63\xca", G_STR, T_MEM | T_IMM, H_SSE42),
};

/* The integer ops with MMX (none) and SSE2 (66) forms in the 0F and 0F 38 maps */
typedef struct IntOp {
    unsigned map;       /* 0: 0F, 0x38: 0F 38, 0x3a: 0F 3A (imm8) */
    uint8_t op;
    bool mmx;
    int gen;
    uint32_t host;
} IntOp;

static const IntOp int_ops[] = {
    { 0, 0x60, 1, G_INT, 0 }, { 0, 0x61, 1, G_INT, 0 }, { 0, 0x62, 1, G_INT, 0 },
    { 0, 0x63, 1, G_INT, 0 }, { 0, 0x64, 1, G_INT, 0 }, { 0, 0x65, 1, G_INT, 0 },
    { 0, 0x66, 1, G_INT, 0 }, { 0, 0x67, 1, G_INT, 0 }, { 0, 0x68, 1, G_INT, 0 },
    { 0, 0x69, 1, G_INT, 0 }, { 0, 0x6a, 1, G_INT, 0 }, { 0, 0x6b, 1, G_INT, 0 },
    { 0, 0x74, 1, G_INT, 0 }, { 0, 0x75, 1, G_INT, 0 }, { 0, 0x76, 1, G_INT, 0 },
    { 0, 0xd1, 1, G_SHIFT, 0 }, { 0, 0xd2, 1, G_SHIFT, 0 }, { 0, 0xd3, 1, G_SHIFT, 0 },
    { 0, 0xd4, 1, G_INT, 0 }, { 0, 0xd5, 1, G_INT, 0 }, { 0, 0xd8, 1, G_INT, 0 },
    { 0, 0xd9, 1, G_INT, 0 }, { 0, 0xda, 1, G_INT, 0 }, { 0, 0xdb, 1, G_INT, 0 },
    { 0, 0xdc, 1, G_INT, 0 }, { 0, 0xdd, 1, G_INT, 0 }, { 0, 0xde, 1, G_INT, 0 },
    { 0, 0xdf, 1, G_INT, 0 }, { 0, 0xe0, 1, G_INT, 0 }, { 0, 0xe1, 1, G_SHIFT, 0 },
    { 0, 0xe2, 1, G_SHIFT, 0 }, { 0, 0xe3, 1, G_INT, 0 }, { 0, 0xe4, 1, G_INT, 0 },
    { 0, 0xe5, 1, G_INT, 0 }, { 0, 0xe8, 1, G_INT, 0 }, { 0, 0xe9, 1, G_INT, 0 },
    { 0, 0xea, 1, G_INT, 0 }, { 0, 0xeb, 1, G_INT, 0 }, { 0, 0xec, 1, G_INT, 0 },
    { 0, 0xed, 1, G_INT, 0 }, { 0, 0xee, 1, G_INT, 0 }, { 0, 0xef, 1, G_INT, 0 },
    { 0, 0xf1, 1, G_SHIFT, 0 }, { 0, 0xf2, 1, G_SHIFT, 0 }, { 0, 0xf3, 1, G_SHIFT, 0 },
    { 0, 0xf4, 1, G_INT, 0 }, { 0, 0xf5, 1, G_INT, 0 }, { 0, 0xf6, 1, G_INT, 0 },
    { 0, 0xf8, 1, G_INT, 0 }, { 0, 0xf9, 1, G_INT, 0 }, { 0, 0xfa, 1, G_INT, 0 },
    { 0, 0xfb, 1, G_INT, 0 }, { 0, 0xfc, 1, G_INT, 0 }, { 0, 0xfd, 1, G_INT, 0 },
    { 0, 0xfe, 1, G_INT, 0 },
    { 0x38, 0x00, 1, G_INT, H_SSSE3 }, { 0x38, 0x01, 1, G_INT, H_SSSE3 },
    { 0x38, 0x02, 1, G_INT, H_SSSE3 }, { 0x38, 0x03, 1, G_INT, H_SSSE3 },
    { 0x38, 0x04, 1, G_INT, H_SSSE3 }, { 0x38, 0x05, 1, G_INT, H_SSSE3 },
    { 0x38, 0x06, 1, G_INT, H_SSSE3 }, { 0x38, 0x07, 1, G_INT, H_SSSE3 },
    { 0x38, 0x08, 1, G_INT, H_SSSE3 }, { 0x38, 0x09, 1, G_INT, H_SSSE3 },
    { 0x38, 0x0a, 1, G_INT, H_SSSE3 }, { 0x38, 0x0b, 1, G_INT, H_SSSE3 },
    { 0x38, 0x1c, 1, G_INT, H_SSSE3 }, { 0x38, 0x1d, 1, G_INT, H_SSSE3 },
    { 0x38, 0x1e, 1, G_INT, H_SSSE3 },
    { 0x3a, 0x0f, 1, G_INT, H_SSSE3 },
};

/* ---- running and comparing ---- */

static bool approx_ok(uint32_t got, uint32_t want)
{
    float g, w;

    if (got == want) {
        return true;
    }
    memcpy(&g, &got, 4);
    memcpy(&w, &want, 4);
    if (!isfinite(w) || w == 0 || !isfinite(g) || g == 0 || (got ^ want) >> 31) {
        return false;
    }
    return fabs((double)g - (double)w) <= fabs((double)w) * 0x1p-11;
}

static void dump_state(char *buf, size_t n, const char *tag, const St *st)
{
    snprintf(buf, n,
             "  %s: xmm0=%016" PRIx64 ":%016" PRIx64 " xmm1=%016" PRIx64 ":%016" PRIx64
             " xmm2=%016" PRIx64 ":%016" PRIx64 " mm1=%016" PRIx64 " mm2=%016" PRIx64
             " rax=%" PRIx64 " rcx=%" PRIx64 " rdx=%" PRIx64 " fl=%03" PRIx64 " mxcsr=%04x\n",
             tag, st->x[0].q[1], st->x[0].q[0], st->x[1].q[1], st->x[1].q[0], st->x[2].q[1],
             st->x[2].q[0], st->mm[0], st->mm[1], st->rax, st->rcx, st->rdx,
             st->rflags & CC_MASK, st->mxcsr);
}

static unsigned ncases;

/* One instruction on one input state, both ways. */
static void run_case(const char *name, const uint8_t *insn, unsigned len, const St *in,
                     unsigned fl)
{
    St nat = *in, emu = *in;
    bool ok = true, rdi = (fl & T_RDI) != 0;
    int excp;

    nat_run(insn, len, &nat, 0, rdi);
    excp = emu_run(insn, len, &emu, 0, rdi, HF_TEST);
    ncases++;
    if (excp >= 0) {
        ok = false;
    }
    for (int i = 0; i < 3 && ok; i++) {
        if (i == 1 && (fl & T_APPROX)) {
            for (int k = 0; k < 4; k++) {
                ok &= approx_ok(emu.x[1].l[k], nat.x[1].l[k]);
            }
        } else {
            ok &= memcmp(&nat.x[i], &emu.x[i], 16) == 0;
        }
    }
    ok &= nat.mm[0] == emu.mm[0] && nat.mm[1] == emu.mm[1];
    ok &= nat.rax == emu.rax && nat.rcx == emu.rcx && nat.rdx == emu.rdx;
    ok &= ((nat.rflags ^ emu.rflags) & CC_MASK) == 0;
    ok &= nat.mxcsr == emu.mxcsr;
    ok &= memcmp(nat_mem, emu_mem, 64) == 0;
    if (!ok) {
        char a[512], b[512], c[512], hex[64] = "";
        for (unsigned i = 0; i < len; i++) {
            snprintf(hex + 3 * i, 4, "%02x ", insn[i]);
        }
        dump_state(a, sizeof(a), "input   ", in);
        dump_state(b, sizeof(b), "host    ", &nat);
        dump_state(c, sizeof(c), "emulated", &emu);
        ck_abort_msg("%s [%s]: mismatch (exception %d, memory %s)\n%s%s%s", name, hex, excp,
                     memcmp(nat_mem, emu_mem, 64) ? "differs" : "same", a, b, c);
    }
}

/* All the inputs of one instruction: register form, memory form, its imm8 values. */
static void run_insn(const char *name, const uint8_t *enc, unsigned len, int gen, unsigned fl,
                     int iters)
{
    uint8_t insn[16];
    unsigned nimm = (fl & T_IMM) ? 256 : (fl & T_IMM16) ? 16 : (fl & T_IMM8) ? 8 : 1;
    int per = nimm > 1 ? (iters * 4 / (int)nimm > 4 ? iters * 4 / (int)nimm : 4) : iters;

    for (int form = 0; form < ((fl & T_MEM) ? 2 : 1); form++) {
        memcpy(insn, enc, len);
        if (form) {
            insn[len - 1] = (uint8_t)((insn[len - 1] & 0x38) | 0x06);     /* [rsi] */
        }
        for (unsigned imm = 0; imm < nimm; imm++) {
            unsigned n = len;
            if (nimm > 1) {
                insn[n++] = (uint8_t)imm;
            }
            for (int k = 0; k < per; k++) {
                St st;
                gen_state(&st, gen);
                run_case(name, insn, n, &st, fl);
            }
        }
    }
}

static bool host_has(uint32_t bits)
{
    return (host_ecx & bits) == bits;
}

START_TEST(test_table)
{
    setup();
    for (unsigned i = 0; i < ARRAY_SIZE(table); i++) {
        const TI *t = &table[i];
        if (!host_has(t->host)) {
            continue;
        }
        run_insn(t->name, (const uint8_t *)t->enc, t->len, t->gen, t->fl,
                 t->gen == G_F32 || t->gen == G_F64 ? 600 : 150);
    }
    printf("test_sse: %u table cases\n", ncases);
}
END_TEST

START_TEST(test_integer)
{
    setup();
    for (unsigned i = 0; i < ARRAY_SIZE(int_ops); i++) {
        const IntOp *o = &int_ops[i];
        uint8_t enc[8];
        unsigned n = 0, fl = T_MEM | (o->map == 0x3a ? T_IMM : 0);
        char name[32];

        if (!host_has(o->host)) {
            continue;
        }
        for (int sse = 0; sse < 2; sse++) {
            n = 0;
            if (sse) {
                enc[n++] = 0x66;
            }
            enc[n++] = 0x0f;
            if (o->map) {
                enc[n++] = (uint8_t)o->map;
            }
            enc[n++] = o->op;
            enc[n++] = 0xca;
            snprintf(name, sizeof(name), "%s %s%02x", sse ? "xmm" : "mm",
                     o->map == 0x38 ? "38 " : o->map == 0x3a ? "3a " : "", o->op);
            run_insn(name, enc, n, o->gen, fl, 200);
        }
    }
}
END_TEST

/* ---- without an oracle: exceptions and state ---- */

static int emu_only(const char *enc, unsigned len, St *st, unsigned memoff, uint32_t hflags)
{
    return emu_run((const uint8_t *)enc, len, st, memoff, false, hflags);
}

#define EMU(e, st, off, hf) emu_only(e, sizeof(e) - 1, st, off, hf)

START_TEST(test_alignment)
{
    St st;

    setup();
    gen_state(&st, G_INT);
    ck_assert_int_eq(EMU("\x0f\x28\x0e", &st, 8, HF_TEST), EXCP0D_GPF);        /* movaps */
    ck_assert_int_eq(EMU("\x66\x0f\x7f\x0e", &st, 4, HF_TEST), EXCP0D_GPF);    /* movdqa st */
    ck_assert_int_eq(EMU("\x66\x0f\xfc\x0e", &st, 1, HF_TEST), EXCP0D_GPF);    /* paddb */
    ck_assert_int_eq(EMU("\x0f\x58\x0e", &st, 8, HF_TEST), EXCP0D_GPF);        /* addps */
    ck_assert_int_eq(EMU("\x66\x0f\x38\x2a\x0e", &st, 8, HF_TEST), EXCP0D_GPF); /* movntdqa */
    ck_assert_int_eq(EMU("\x0f\x10\x0e", &st, 8, HF_TEST), -1);                /* movups */
    ck_assert_int_eq(EMU("\xf3\x0f\x6f\x0e", &st, 3, HF_TEST), -1);            /* movdqu */
    ck_assert_int_eq(EMU("\xf2\x0f\xf0\x0e", &st, 7, HF_TEST), -1);            /* lddqu */
    ck_assert_int_eq(EMU("\x0f\xfc\x0e", &st, 1, HF_TEST), -1);                /* paddb mm */
    ck_assert_int_eq(EMU("\xf3\x0f\x58\x0e", &st, 1, HF_TEST), -1);            /* addss m32 */
    ck_assert_int_eq(EMU("\x66\x0f\x3a\x63\x0e\x0c", &st, 5, HF_TEST), -1);    /* pcmpistri */
}
END_TEST

START_TEST(test_cr_checks)
{
    St st;
    uint32_t base = HF_CS64_MASK | HF_LMA_MASK | HF_PE_MASK;

    setup();
    gen_state(&st, G_INT);
    /* SSE: #UD without OSFXSR or with EM (even with TS), #NM with TS */
    ck_assert_int_eq(EMU("\x66\x0f\xfc\xca", &st, 0, base), EXCP06_ILLOP);
    ck_assert_int_eq(EMU("\x0f\x58\xca", &st, 0, base), EXCP06_ILLOP);
    ck_assert_int_eq(EMU("\x66\x0f\xfc\xca", &st, 0, HF_TEST | HF_EM_MASK | HF_TS_MASK),
                     EXCP06_ILLOP);
    ck_assert_int_eq(EMU("\x66\x0f\xfc\xca", &st, 0, HF_TEST | HF_TS_MASK), EXCP07_PREX);
    ck_assert_int_eq(EMU("\x66\x0f\x3a\x63\xca\x00", &st, 0, HF_TEST | HF_TS_MASK),
                     EXCP07_PREX);
    /* MMX: OSFXSR does not matter; EM #UD, TS #NM */
    ck_assert_int_eq(EMU("\x0f\xfc\xca", &st, 0, base), -1);
    ck_assert_int_eq(EMU("\x0f\xfc\xca", &st, 0, base | HF_EM_MASK), EXCP06_ILLOP);
    ck_assert_int_eq(EMU("\x0f\xfc\xca", &st, 0, base | HF_TS_MASK), EXCP07_PREX);
    ck_assert_int_eq(EMU("\x0f\x77", &st, 0, base | HF_TS_MASK), EXCP07_PREX);
    /* mixed MMX/XMM forms need OSFXSR */
    ck_assert_int_eq(EMU("\xf3\x0f\xd6\xca", &st, 0, base), EXCP06_ILLOP);
    /* CRC32 and MOVNTI are general-purpose: no checks */
    ck_assert_int_eq(EMU("\xf2\x0f\x38\xf1\xc1", &st, 0, base | HF_EM_MASK | HF_TS_MASK), -1);
    ck_assert_int_eq(EMU("\x0f\xc3\x0e", &st, 0, base | HF_EM_MASK | HF_TS_MASK), -1);
}
END_TEST

START_TEST(test_unmasked)
{
    St st, before;

    setup();
    memset(&st, 0, sizeof(st));
    st.x[1].l[0] = 0x3f800000;                  /* 1 / 0 */
    st.x[2].l[0] = 0;
    st.x[2].l[1] = st.x[2].l[2] = st.x[2].l[3] = 0x3f800000;
    st.mxcsr = 0x1f80 & ~0x200u;                /* ZM clear */
    before = st;
    cpu.cr[4] |= CR4_OSXMMEXCPT;
    ck_assert_int_eq(EMU("\x0f\x5e\xca", &st, 0, HF_TEST), EXCP13_XF);
    ck_assert(memcmp(&st.x[1], &before.x[1], 16) == 0);    /* destination unchanged */
    ck_assert_uint_eq(st.mxcsr, before.mxcsr | MXCSR_ZE);
    st = before;
    cpu.cr[4] &= ~(uint64_t)CR4_OSXMMEXCPT;
    ck_assert_int_eq(EMU("\xf3\x0f\x5e\xca", &st, 0, HF_TEST), EXCP06_ILLOP);
    ck_assert(memcmp(&st.x[1], &before.x[1], 16) == 0);
    cpu.cr[4] |= CR4_OSXMMEXCPT;
    /* masked: the result, the flag, no exception */
    st = before;
    st.mxcsr = 0x1f80;
    ck_assert_int_eq(EMU("\xf3\x0f\x5e\xca", &st, 0, HF_TEST), -1);
    ck_assert_uint_eq(st.x[1].l[0], 0x7f800000);
    ck_assert_uint_eq(st.mxcsr, 0x1f80 | MXCSR_ZE);
    /* an unmasked invalid operation from a compare: no flags written to EFLAGS */
    st = before;
    st.x[1].l[0] = 0x7fc00000;
    st.mxcsr = 0x1f80 & ~0x80u;
    st.rflags = 0x202 | CC_O | CC_S;
    ck_assert_int_eq(EMU("\x0f\x2f\xca", &st, 0, HF_TEST), EXCP13_XF);      /* comiss */
    ck_assert_uint_eq(st.rflags & CC_MASK, CC_O | CC_S);
    /* the exception choice on its own */
    cpu.mxcsr = 0x1f80;
    ck_assert_int_eq(x86_sse_fp_exception(&cpu, MXCSR_PE | MXCSR_IE), 0);
    cpu.mxcsr = 0x1f80 & ~0x1000u;
    ck_assert_int_eq(x86_sse_fp_exception(&cpu, MXCSR_PE), EXCP13_XF);
    ck_assert_int_eq(x86_sse_fp_exception(&cpu, MXCSR_IE), 0);
}
END_TEST

START_TEST(test_mmx_state)
{
    St st;

    setup();
    gen_state(&st, G_INT);
    ck_assert_int_eq(EMU("\x0f\xfc\xca", &st, 0, HF_TEST), -1);     /* paddb mm1, mm2 */
    ck_assert_uint_eq(cpu.fptag, 0);
    ck_assert_uint_eq(cpu.fpstt, 0);
    ck_assert_uint_eq(cpu.fpregs[1].exp, 0xffff);
    ck_assert_uint_eq(cpu.fpregs[2].exp, 0x1234);                   /* only read */
    ck_assert_int_eq(EMU("\x0f\x7e\xc8", &st, 0, HF_TEST), -1);     /* movd eax, mm1 */
    ck_assert_uint_eq(cpu.fptag, 0);
    ck_assert_uint_eq(cpu.fpregs[1].exp, 0x1234);
    ck_assert_int_eq(EMU("\x0f\x77", &st, 0, HF_TEST), -1);         /* emms */
    ck_assert_uint_eq(cpu.fptag, 0xffff);
    ck_assert_int_eq(EMU("\x66\x0f\xfc\xca", &st, 0, HF_TEST), -1); /* SSE: no MMX state */
    ck_assert_uint_eq(cpu.fptag, 0xffff);
    ck_assert_uint_eq(cpu.fpstt, 5);
}
END_TEST

START_TEST(test_cpuid)
{
    uint32_t a, b, c, d;

    setup();
    x86_cpuid(&cpu, 1, 0, &a, &b, &c, &d);
    ck_assert_uint_eq(d & ((1u << 19) | (1u << 23) | (1u << 25) | (1u << 26)),
                      (1u << 19) | (1u << 23) | (1u << 25) | (1u << 26));
    ck_assert_uint_eq(c & (1u | (1u << 9) | (1u << 19) | (1u << 20) | (1u << 23)),
                      1u | (1u << 9) | (1u << 19) | (1u << 20) | (1u << 23));
    ck_assert_uint_eq((b >> 8) & 0xff, 8);      /* CLFLUSH line: 64 bytes */
}
END_TEST

static Suite *sse_suite(void)
{
    Suite *s = suite_create("sse");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_cpuid);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_integer);
    tcase_add_test(tc, test_alignment);
    tcase_add_test(tc, test_cr_checks);
    tcase_add_test(tc, test_unmasked);
    tcase_add_test(tc, test_mmx_state);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sse_suite());
    int nf;

    srunner_run_all(sr, CK_NORMAL);
    nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf == 0 ? 0 : 1;
}

/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate-system.c — x86 segment, far-transfer, interrupt and system
 * instructions to IR (Intel SDM vol. 2 and vol. 3): MOV/PUSH/POP Sreg, LDS..LGS, far JMP,
 * CALL and RET, IRET, INT n/INT3/INTO/INT1, HLT, CLI/STI, the 0F 00 and 0F 01 groups
 * (SLDT..VERW, SGDT..INVLPG, SWAPGS, RDTSCP, CLAC/STAC), LAR/LSL/ARPL, MOV CRn/DRn,
 * CLTS, RDMSR/WRMSR/RDTSC/RDPMC/CPUID, SYSCALL/SYSRET/SYSENTER/SYSEXIT, INVD/WBINVD,
 * hint NOPs and fences, RDFSBASE..WRGSBASE, RDPID. x87 (D8-DF, FWAIT), the FXSAVE/XSAVE
 * family of 0F AE and XGETBV/XSETBV are routed to translate-fpu.c.
 *
 * The work is done by the system-side helpers; this file checks what the translator can
 * know (CPL 0, mode, UMIP) and ends the block after anything that changes the mode bits.
 * Not modelled: SSE/AVX, RDRAND/RDSEED, MONITOR/MWAIT, VMX/SVM, CET (ENDBR are NOPs).
 * SSE/MMX raise #NM while CR0.TS is set and #UD otherwise.
 */
#include "cpu/x86/translate.h"

/* ---- segment registers ---- */

static IRVal ld_selector(DisasContext *s, int seg)
{
    IRVal t = x86_tmp(s);

    ir_ld_env(s->b, t, offsetof(X86CPU, segs) + seg * sizeof(SegmentCache) +
              offsetof(SegmentCache, selector), MO_32);
    ir_op2(s->b, IR_ext16u, t, t);
    return t;
}

void x86_gen_load_seg(DisasContext *s, int seg, IRVal sel)
{
    ir_call(s->b, IR_NONE, helper_load_seg, 0, x86_const(s, seg), sel, IR_NONE, IR_NONE);
}

/* After a segment load: what the rest of the block may assume. */
static void after_seg_load(DisasContext *s, int seg, bool shadow)
{
    if (seg == X86_SEG_SS) {
        if (shadow) {
            ir_call(s->b, IR_NONE, helper_set_inhibit_irq, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
            if (s->shadow == SHADOW_NONE) {
                /* one more instruction, then the block ends (main loop) */
                s->shadow = SHADOW_ARMED;
                s->ss_shadow = true;
                s->addseg = true;   /* the SS base may be non-zero now */
                if (!s->code64) {
                    s->segchk |= 1u << X86_SEG_SS;  /* and SS no longer flat */
                }
                return;
            }
        }
        s->is_jmp = DISAS_EOB_NEXT;
        return;
    }
    /* Outside 64-bit code in protected mode, HF_SEGCHK follows every segment's type and
     * limit (and in 32-bit code HF_ADDSEG the DS/ES bases): the block must end without
     * chaining (a chain would keep the old key). Real and vm86 mode loads keep the limits. */
    if (s->pe && !s->vm86 && !s->code64) {
        s->is_jmp = DISAS_EOB_NEXT;
    }
}

static void gen_mov_sreg(DisasContext *s, bool to_sreg)
{
    int seg = s->insn.reg & 7;
    X86Opnd o;
    IRVal t;

    if (seg > X86_SEG_GS || (to_sreg && seg == X86_SEG_CS)) {
        x86_gen_illegal(s);
        return;
    }
    x86_gen_opnd_rm(s, &o);
    if (to_sreg) {
        t = x86_tmp(s);
        x86_gen_ld_opnd(s, MO_16, t, &o);
        x86_gen_load_seg(s, seg, t);
        after_seg_load(s, seg, true);
        return;
    }
    t = ld_selector(s, seg);
    if (o.is_mem) {
        x86_gen_st(s, MO_16, t, o.addr);
    } else {
        x86_gen_st_reg(s, x86_ot_of_size(s->insn.opsize), o.reg, t);
    }
}

static void gen_push_sreg(DisasContext *s, int seg)
{
    x86_gen_push(s, x86_stack_ot(s), ld_selector(s, seg));
}

static void gen_pop_sreg(DisasContext *s, int seg)
{
    int ot = x86_stack_ot(s);
    IRVal t = x86_tmp(s), nsp;

    nsp = x86_gen_pop_ld(s, ot, t);
    ir_op2(s->b, IR_ext16u, t, t);
    x86_gen_load_seg(s, seg, t);
    x86_gen_set_sp(s, nsp);
    after_seg_load(s, seg, true);
}

/* Load a far pointer m16:16/32/64 (offset, then selector) from the ModRM memory operand;
 * false after raising #UD for a register operand. */
static bool gen_ld_far_ptr(DisasContext *s, int ot, IRVal off, IRVal sel)
{
    IRVal a, a2 = x86_tmp(s);

    if (s->insn.mod == 3 || !s->insn.has_mem) {
        x86_gen_illegal(s);
        return false;
    }
    a = x86_gen_modrm_addr(s);
    ir_add(s->b, a2, a, x86_const(s, 1u << ot));
    if (!s->code64) {
        ir_op2(s->b, IR_ext32u, a2, a2);
    }
    /* the whole far pointer is checked at once (a2 is not a tracked address) */
    x86_gen_seg_check(s, a, (1 << ot) + 2, false);
    ir_guest_ld(s->b, off, a, ot, s->mem_idx);
    ir_guest_ld(s->b, sel, a2, MO_16, s->mem_idx);
    return true;
}

/* LDS LES LSS LFS LGS: offset then selector from memory */
static void gen_lxs(DisasContext *s, int seg)
{
    int ot = x86_ot_of_size(s->insn.opsize);
    IRVal off = x86_tmp(s), sel = x86_tmp(s);

    if (!gen_ld_far_ptr(s, ot, off, sel)) {
        return;
    }
    x86_gen_load_seg(s, seg, sel);
    x86_gen_st_reg(s, ot, s->insn.reg, off);
    after_seg_load(s, seg, false);
}

/* ---- far transfers ---- */

static void gen_far_mem(DisasContext *s, bool call)
{
    int ot = x86_ot_of_size(s->insn.opsize);
    IRVal off = x86_tmp(s), sel = x86_tmp(s);

    if (!gen_ld_far_ptr(s, ot, off, sel)) {
        return;
    }
    if (call) {
        ir_call(s->b, IR_NONE, helper_lcall, 0, sel, off, x86_const(s, 1u << ot),
                x86_const(s, s->pc));
    } else {
        ir_call(s->b, IR_NONE, helper_ljmp, 0, sel, off, x86_const(s, s->pc), IR_NONE);
    }
    s->is_jmp = DISAS_EOB_ONLY;
}

static void gen_far_ptr(DisasContext *s, bool call)
{
    int ot = x86_ot_of_size(s->insn.opsize);
    IRVal sel = x86_const(s, (uint64_t)s->insn.imm2 & 0xffff);
    IRVal off = x86_const(s, (uint64_t)s->insn.imm & x86_opmask(ot));

    if (s->code64) {
        x86_gen_illegal(s);
        return;
    }
    if (call) {
        ir_call(s->b, IR_NONE, helper_lcall, 0, sel, off, x86_const(s, 1u << ot),
                x86_const(s, s->pc));
    } else {
        ir_call(s->b, IR_NONE, helper_ljmp, 0, sel, off, x86_const(s, s->pc), IR_NONE);
    }
    s->is_jmp = DISAS_EOB_ONLY;
}

/* ---- helpers with fixed shapes ---- */

static void call0(DisasContext *s, IRHelper fn)
{
    ir_call(s->b, IR_NONE, fn, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
}

static void call1(DisasContext *s, IRHelper fn, IRVal a0)
{
    ir_call(s->b, IR_NONE, fn, 0, a0, IR_NONE, IR_NONE, IR_NONE);
}

static bool check_umip(DisasContext *s)
{
    if ((s->flags & HF_UMIP_MASK) && s->cpl > 0) {
        x86_gen_exception(s, EXCP0D_GPF, 0);
        return true;
    }
    return false;
}

/* store a 16-bit selector-like value: memory 16 bits, register at operand size */
static void st_rm_word(DisasContext *s, IRVal v)
{
    X86Opnd o;

    x86_gen_opnd_rm(s, &o);
    if (o.is_mem) {
        x86_gen_st(s, MO_16, v, o.addr);
    } else {
        x86_gen_st_reg(s, x86_ot_of_size(s->insn.opsize), o.reg, v);
    }
}

static IRVal ld_rm_word(DisasContext *s)
{
    X86Opnd o;
    IRVal t = x86_tmp(s);

    x86_gen_opnd_rm(s, &o);
    x86_gen_ld_opnd(s, MO_16, t, &o);
    return t;
}

static void gen_grp6(DisasContext *s)
{
    int op = s->insn.reg & 7;
    IRVal t;

    if (!s->pe || s->vm86) {
        x86_gen_illegal(s);
        return;
    }
    switch (op) {
    case 0: /* SLDT */
    case 1: /* STR */
        if (check_umip(s)) {
            return;
        }
        t = x86_tmp(s);
        ir_ld_env(s->b, t, op == 0 ? offsetof(X86CPU, ldt.selector) :
                  offsetof(X86CPU, tr.selector), MO_32);
        ir_op2(s->b, IR_ext16u, t, t);
        st_rm_word(s, t);
        return;
    case 2: /* LLDT */
    case 3: /* LTR */
        if (x86_check_cpl0(s)) {
            return;
        }
        t = ld_rm_word(s);
        call1(s, op == 2 ? helper_lldt : helper_ltr, t);
        s->is_jmp = DISAS_EOB_NEXT;
        return;
    case 4: /* VERR */
    case 5: /* VERW */
        t = ld_rm_word(s);
        call1(s, op == 4 ? helper_verr : helper_verw, t);
        x86_force_cc_op(s, CC_OP_EFLAGS);
        return;
    default:
        x86_gen_illegal(s);
        return;
    }
}

static void gen_lar_lsl(DisasContext *s, bool lsl)
{
    IRBuilder *b = s->b;
    IRVal sel, r = x86_tmp(s), z = x86_tmp(s);
    IRLabel skip = ir_new_label(b);

    if (!s->pe || s->vm86) {
        x86_gen_illegal(s);
        return;
    }
    sel = ld_rm_word(s);
    ir_call(b, r, lsl ? helper_lsl : helper_lar, 0, sel, IR_NONE, IR_NONE, IR_NONE);
    x86_force_cc_op(s, CC_OP_EFLAGS);
    ir_and(b, z, x86_cpu_cc_src, x86_const(s, CC_Z));
    ir_brcond(b, IR_COND_EQ, z, x86_const(s, 0), skip);
    x86_gen_st_reg(s, x86_ot_of_size(s->insn.opsize), s->insn.reg, r);
    ir_set_label(b, skip);
}

static void gen_arpl(DisasContext *s)
{
    X86Opnd o;
    IRVal d = x86_tmp(s), src = x86_tmp(s), r = x86_tmp(s);

    if (!s->pe || s->vm86) {
        x86_gen_illegal(s);
        return;
    }
    x86_gen_opnd_rm(s, &o);
    x86_gen_ld_opnd(s, MO_16, d, &o);
    x86_gen_ld_reg(s, MO_16, src, s->insn.reg);
    ir_call(s->b, r, helper_arpl, 0, d, src, IR_NONE, IR_NONE);
    x86_gen_st_opnd(s, MO_16, &o, r);
    x86_force_cc_op(s, CC_OP_EFLAGS);
}

static void gen_grp7_mem(DisasContext *s)
{
    int op = s->insn.reg & 7;
    IRVal a, t;

    switch (op) {
    case 0: /* SGDT */
    case 1: /* SIDT */
        if (check_umip(s)) {
            return;
        }
        a = x86_gen_modrm_addr(s);
        x86_gen_seg_check(s, a, 6, true);
        ir_call(s->b, IR_NONE, helper_sgdt_sidt, 0, a, x86_const(s, op), IR_NONE, IR_NONE);
        return;
    case 2: /* LGDT */
    case 3: /* LIDT */
        if (x86_check_cpl0(s)) {
            return;
        }
        a = x86_gen_modrm_addr(s);
        x86_gen_seg_check(s, a, 6, false);
        ir_call(s->b, IR_NONE, helper_lgdt_lidt, 0, a, x86_const(s, op - 2), IR_NONE, IR_NONE);
        s->is_jmp = DISAS_EOB_NEXT;
        return;
    case 4: /* SMSW m16 */
        if (check_umip(s)) {
            return;
        }
        /* not privileged (only UMIP restricts it): CR0 straight from the state */
        t = x86_tmp(s);
        ir_ld_env(s->b, t, offsetof(X86CPU, cr[0]), MO_64);
        st_rm_word(s, t);
        return;
    case 6: /* LMSW m16 */
        if (x86_check_cpl0(s)) {
            return;
        }
        call1(s, helper_lmsw, ld_rm_word(s));
        s->is_jmp = DISAS_EOB_NEXT;
        return;
    case 7: /* INVLPG */
        if (x86_check_cpl0(s)) {
            return;
        }
        call1(s, helper_invlpg, x86_gen_modrm_addr(s));
        s->is_jmp = DISAS_EOB_NEXT;
        return;
    default:
        x86_log_unimp(s, "unimplemented");
        x86_gen_illegal(s);
        return;
    }
}

static void gen_grp7(DisasContext *s)
{
    unsigned modrm = s->insn.modrm;
    IRVal t;

    if (s->insn.mod != 3) {
        gen_grp7_mem(s);
        return;
    }
    switch (modrm) {
    case 0xca: /* CLAC */
    case 0xcb: /* STAC */
        if (!s->has_smap || s->cpl != 0) {
            x86_gen_illegal(s);
            return;
        }
        call1(s, helper_set_ac, x86_const(s, modrm == 0xcb));
        s->is_jmp = DISAS_EOB_NEXT;
        return;
    case 0xf8: /* SWAPGS */
        if (!s->code64) {
            x86_gen_illegal(s);
            return;
        }
        if (x86_check_cpl0(s)) {
            return;
        }
        call0(s, helper_swapgs);
        s->is_jmp = DISAS_EOB_NEXT;
        return;
    case 0xd0: /* XGETBV */
    case 0xd1: /* XSETBV */
        x86_gen_xcr(s, modrm == 0xd1);
        return;
    case 0xc1: /* VMCALL */
    case 0xd9: /* VMMCALL */
        call0(s, helper_vmcall);
        return;
    case 0xf9: /* RDTSCP */
        if (!s->has_rdtscp) {
            x86_gen_illegal(s);
            return;
        }
        call0(s, helper_rdtscp);
        return;
    default:
        break;
    }
    switch (s->insn.reg & 7) {
    case 4: /* SMSW r */
        if (check_umip(s)) {
            return;
        }
        /* not privileged (only UMIP restricts it): CR0 straight from the state */
        t = x86_tmp(s);
        ir_ld_env(s->b, t, offsetof(X86CPU, cr[0]), MO_64);
        st_rm_word(s, t);
        return;
    case 6: /* LMSW r */
        if (x86_check_cpl0(s)) {
            return;
        }
        call1(s, helper_lmsw, ld_rm_word(s));
        s->is_jmp = DISAS_EOB_NEXT;
        return;
    default:
        x86_log_unimp(s, "unimplemented");
        x86_gen_illegal(s);
        return;
    }
}

static void gen_mov_crdr(DisasContext *s, unsigned op)
{
    int n = s->insn.reg;
    int rm = (s->insn.modrm & 7) | ((s->insn.rex & 1) << 3);
    int ot = s->code64 ? MO_64 : MO_32;
    bool cr = op == 0x20 || op == 0x22;
    bool write = op == 0x22 || op == 0x23;
    IRVal t;

    if (x86_check_cpl0(s)) {
        return;
    }
    if (cr ? !(n == 0 || n == 2 || n == 3 || n == 4 || n == 8) : n > 7) {
        x86_gen_illegal(s);
        return;
    }
    if (write) {
        t = x86_tmp(s);
        x86_gen_ld_reg(s, ot, t, rm);
        ir_call(s->b, IR_NONE, cr ? helper_write_crN : helper_write_drN, 0, x86_const(s, n), t,
                IR_NONE, IR_NONE);
        s->is_jmp = DISAS_EOB_NEXT;
    } else {
        t = x86_tmp(s);
        ir_call(s->b, t, cr ? helper_read_crN : helper_read_drN, 0, x86_const(s, n), IR_NONE,
                IR_NONE, IR_NONE);
        x86_gen_st_reg(s, ot, rm, t);
    }
}

/* RDFSBASE RDGSBASE WRFSBASE WRGSBASE (F3 0F AE /0../3, 64-bit mode, CR4.FSGSBASE) */
static void gen_fsgsbase(DisasContext *s)
{
    IRBuilder *b = s->b;
    int op = s->insn.reg & 7;
    int seg = (op & 1) ? X86_SEG_GS : X86_SEG_FS;
    int ot = s->insn.opsize == 8 ? MO_64 : MO_32;
    IRVal t = x86_tmp(s);
    IRLabel ok = ir_new_label(b);

    ir_ld_env(b, t, offsetof(X86CPU, cr[4]), MO_64);
    ir_brcond(b, IR_COND_TSTNE, t, x86_const(s, CR4_FSGSBASE), ok);
    ir_call(b, IR_NONE, helper_raise_exception, 0, x86_const(s, EXCP06_ILLOP),
            x86_const(s, (uint64_t)-1), IR_NONE, IR_NONE);
    ir_exit_tb(b, IR_EXIT_NOCHAIN);
    ir_set_label(b, ok);
    if (op < 2) {
        x86_gen_st_reg(s, ot, s->insn.rm, x86_cpu_seg_base[seg]);
    } else {
        /* a non-canonical base is a #GP on hardware; not checked */
        x86_gen_ext(s, ot, false, x86_cpu_seg_base[seg], x86_cpu_regs[s->insn.rm]);
    }
}

static void gen_grp15(DisasContext *s)
{
    int op = s->insn.reg & 7;

    if (s->insn.mod == 3) {
        if (s->insn.prefixes & X86_PFX_REPZ) {
            if (op < 4 && s->code64 && s->has_fsgsbase) {
                gen_fsgsbase(s);
                return;
            }
            x86_gen_illegal(s);
            return;
        }
        if (op >= 5) {
            return;     /* LFENCE MFENCE SFENCE */
        }
        x86_gen_illegal(s);
        return;
    }
    if (op == 7) {
        (void)x86_gen_modrm_addr(s);   /* CLFLUSH/CLFLUSHOPT: no caches to flush */
        return;
    }
    x86_gen_fpu_state(s);       /* FXSAVE .. XSAVEOPT, CLWB (translate-fpu.c) */
}

static bool is_sse_or_mmx(unsigned op)
{
    return (op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) ||
           (op >= 0x50 && op <= 0x7f) || (op >= 0xc2 && op <= 0xc6) || op >= 0xd0;
}

static bool disas_system_0f(DisasContext *s, unsigned op)
{
    IRVal t;

    switch (op) {
    case 0x00:
        gen_grp6(s);
        return true;
    case 0x01:
        gen_grp7(s);
        return true;
    case 0x02:
    case 0x03:
        gen_lar_lsl(s, op == 0x03);
        return true;
    case 0x05: /* SYSCALL */
        call1(s, helper_syscall, x86_const(s, s->pc));
        call0(s, helper_single_step_new_tf);
        s->tf = false;      /* the single-step trap is the one above: the block ends here */
        s->is_jmp = DISAS_EOB_ONLY;
        return true;
    case 0x06: /* CLTS */
        if (x86_check_cpl0(s)) {
            return true;
        }
        call0(s, helper_clts);
        s->is_jmp = DISAS_EOB_NEXT;
        return true;
    case 0x07: /* SYSRET */
        if (x86_check_cpl0(s)) {
            return true;
        }
        call1(s, helper_sysret, x86_const(s, s->insn.opsize));
        call0(s, helper_single_step_new_tf);
        s->tf = false;      /* as for SYSCALL */
        s->is_jmp = DISAS_EOB_ONLY;
        return true;
    case 0x08: /* INVD */
    case 0x09: /* WBINVD */
        if (x86_check_cpl0(s)) {
            return true;
        }
        call0(s, helper_wbinvd);
        return true;
    case 0x0b: /* UD2 */
    case 0xb9: /* UD1 */
    case 0xff: /* UD0 */
        x86_gen_illegal(s);
        return true;
    case 0x0d: /* PREFETCH/PREFETCHW */
    case 0x18 ... 0x1f: /* hint NOPs, prefetches, ENDBR */
        return true;
    case 0x20 ... 0x23:
        gen_mov_crdr(s, op);
        return true;
    case 0x30: /* WRMSR */
        if (x86_check_cpl0(s)) {
            return true;
        }
        call0(s, helper_wrmsr);
        s->is_jmp = DISAS_EOB_NEXT;
        return true;
    case 0x31:
        call0(s, helper_rdtsc);
        return true;
    case 0x32: /* RDMSR */
        if (x86_check_cpl0(s)) {
            return true;
        }
        call0(s, helper_rdmsr);
        return true;
    case 0x33:
        call0(s, helper_rdpmc);
        return true;
    case 0x34: /* SYSENTER */
        call0(s, helper_sysenter);
        s->is_jmp = DISAS_EOB_ONLY;
        return true;
    case 0x35: /* SYSEXIT */
        if (x86_check_cpl0(s)) {
            return true;
        }
        call1(s, helper_sysexit, x86_const(s, s->insn.opsize));
        s->is_jmp = DISAS_EOB_ONLY;
        return true;
    case 0xa0:
    case 0xa8:
        gen_push_sreg(s, op == 0xa0 ? X86_SEG_FS : X86_SEG_GS);
        return true;
    case 0xa1:
    case 0xa9:
        gen_pop_sreg(s, op == 0xa1 ? X86_SEG_FS : X86_SEG_GS);
        return true;
    case 0xa2:
        call0(s, helper_cpuid);
        return true;
    case 0xae:
        gen_grp15(s);
        return true;
    case 0xb2:
        gen_lxs(s, X86_SEG_SS);
        return true;
    case 0xb4:
        gen_lxs(s, X86_SEG_FS);
        return true;
    case 0xb5:
        gen_lxs(s, X86_SEG_GS);
        return true;
    case 0xc7:
        if (s->insn.mod == 3 && (s->insn.reg & 7) == 7 && (s->insn.prefixes & X86_PFX_REPZ) &&
            s->has_rdpid) {
            /* RDPID: TSC_AUX into a 64-bit (32-bit outside long mode) register */
            t = x86_tmp(s);
            ir_ld_env(s->b, t, offsetof(X86CPU, tsc_aux), MO_32);
            x86_gen_st_reg(s, s->code64 ? MO_64 : MO_32, s->insn.rm, t);
            return true;
        }
        x86_log_unimp(s, "unimplemented");
        x86_gen_illegal(s);
        return true;
    default:
        if (is_sse_or_mmx(op)) {
            if (s->flags & HF_TS_MASK) {
                x86_gen_exception(s, EXCP07_PREX, -1);
            } else {
                x86_log_unimp(s, "unimplemented SSE/MMX");
                x86_gen_illegal(s);
            }
            return true;
        }
        return false;
    }
}

static bool disas_system_1b(DisasContext *s, unsigned op)
{
    const X86Insn *in = &s->insn;

    switch (op) {
    case 0x06: case 0x0e: case 0x16: case 0x1e:
        if (s->code64) {
            x86_gen_illegal(s);
            return true;
        }
        gen_push_sreg(s, op >> 3);
        return true;
    case 0x07: case 0x17: case 0x1f:
        if (s->code64) {
            x86_gen_illegal(s);
            return true;
        }
        gen_pop_sreg(s, op >> 3);
        return true;
    case 0x63: /* ARPL (MOVSXD in 64-bit mode is in translate-alu.c) */
        gen_arpl(s);
        return true;
    case 0x8c:
    case 0x8e:
        gen_mov_sreg(s, op == 0x8e);
        return true;
    case 0x9a:
        gen_far_ptr(s, true);
        return true;
    case 0xea:
        gen_far_ptr(s, false);
        return true;
    case 0xc4:
    case 0xc5:
        if (s->code64) {
            x86_gen_illegal(s);
            return true;
        }
        gen_lxs(s, op == 0xc4 ? X86_SEG_ES : X86_SEG_DS);
        return true;
    case 0xca:
    case 0xcb:
        ir_call(s->b, IR_NONE, helper_lret, 0, x86_const(s, in->opsize),
                x86_const(s, op == 0xca ? (x86_imm_u(s) & 0xffff) : 0), IR_NONE, IR_NONE);
        s->is_jmp = DISAS_EOB_ONLY;
        return true;
    case 0xcc:
        call1(s, helper_int3, x86_const(s, s->pc));
        ir_exit_tb(s->b, IR_EXIT_NOCHAIN);
        s->is_jmp = DISAS_NORETURN;
        return true;
    case 0xcd:
        ir_call(s->b, IR_NONE, helper_raise_interrupt, 0, x86_const(s, x86_imm_u(s) & 0xff),
                x86_const(s, s->pc), IR_NONE, IR_NONE);
        ir_exit_tb(s->b, IR_EXIT_NOCHAIN);
        s->is_jmp = DISAS_NORETURN;
        return true;
    case 0xce:
        if (s->code64) {
            x86_gen_illegal(s);
            return true;
        }
        call1(s, helper_into, x86_const(s, s->pc));
        return true;
    case 0xcf:
        ir_call(s->b, IR_NONE, helper_iret, 0, x86_const(s, in->opsize), x86_const(s, s->pc),
                IR_NONE, IR_NONE);
        s->is_jmp = DISAS_EOB_ONLY;
        return true;
    case 0xf1:
        call1(s, helper_icebp, x86_const(s, s->pc));
        ir_exit_tb(s->b, IR_EXIT_NOCHAIN);
        s->is_jmp = DISAS_NORETURN;
        return true;
    case 0xf4: /* HLT */
        if (x86_check_cpl0(s)) {
            return true;
        }
        if (s->tf) {
            /* the single-step #DB due after HLT is delivered at once, so the CPU does
             * not stay halted (as with any pending event) */
            ir_movi(s->b, x86_cpu_eip, s->pc);
            x86_gen_eob(s);
            return true;
        }
        if (s->shadow == SHADOW_ACTIVE) {
            call0(s, helper_clear_inhibit_irq);
        }
        call1(s, helper_hlt, x86_const(s, s->pc));
        ir_exit_tb(s->b, IR_EXIT_NOCHAIN);
        s->is_jmp = DISAS_NORETURN;
        return true;
    case 0xfa: /* CLI */
        call0(s, helper_cli);
        s->is_jmp = DISAS_EOB_NEXT;
        return true;
    case 0xfb: /* STI */
        call0(s, helper_sti);
        if (s->shadow == SHADOW_NONE) {
            s->shadow = SHADOW_ARMED;
        } else {
            s->is_jmp = DISAS_EOB_NEXT;
        }
        return true;
    case 0x9b: /* FWAIT */
        x86_gen_fwait(s);
        return true;
    case 0xd8 ... 0xdf: /* x87 (translate-fpu.c) */
        x86_gen_fpu(s);
        return true;
    case 0xff:
        if ((in->reg & 7) == 3 || (in->reg & 7) == 5) {
            gen_far_mem(s, (in->reg & 7) == 3);
            return true;
        }
        return false;
    default:
        return false;
    }
}

bool x86_disas_system(DisasContext *s)
{
    unsigned opc = s->insn.opc;

    switch (opc & 0xf00) {
    case X86_MAP_1B:
        return disas_system_1b(s, opc & 0xff);
    case X86_MAP_0F:
        return disas_system_0f(s, opc & 0xff);
    case X86_MAP_0F38:
    case X86_MAP_0F3A:
        if (s->flags & HF_TS_MASK) {
            x86_gen_exception(s, EXCP07_PREX, -1);
        } else {
            x86_log_unimp(s, "unimplemented SSE");
            x86_gen_illegal(s);
        }
        return true;
    default:
        return false;
    }
}

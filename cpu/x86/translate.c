/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate.c — the x86 front end: guest code of one translation block to tcg-lite
 * IR (Intel SDM vol. 1-3). This file holds the IR globals, the block loop (instruction
 * limits, page limits, interrupt shadow, single-step, block ends and chaining), code fetch,
 * and the operand utilities (registers, effective addresses, segments, the stack) that the
 * instruction groups in translate-alu.c, translate-ctrl.c, translate-string.c and
 * translate-system.c share.
 *
 * Models: 16/32/64-bit code, operand and address sizes, segment bases (only FS/GS in 64-bit
 * mode), 16-bit address wrap, 32-bit linear addresses outside long mode, high byte
 * registers, segment limit and rights checks of data accesses and the CS limit of branch
 * targets, emitted only for the segments that hflags mark as not flat (HF_SEGCHK), so the
 * flat model most code runs in pays nothing for them. Not modelled: CS limit checks of
 * instructions that run past the limit inside a block, alignment checks (EFLAGS.AC with
 * CR0.AM), AVX (#UD). x87 and the FXSAVE/XSAVE family are in translate-fpu.c, MMX and
 * SSE..SSE4.2 in translate-sse.c and translate-sse4.c.
 */
#include "cpu/x86/translate.h"

IRVal x86_cpu_regs[16];
IRVal x86_cpu_eip, x86_cpu_cc_dst, x86_cpu_cc_src, x86_cpu_cc_src2, x86_cpu_cc_op;
IRVal x86_cpu_df, x86_cpu_eflags;
IRVal x86_cpu_seg_base[6];

/* The guest bytes of the last block translated by this thread (for -d in_asm). */
static __thread uint8_t tb_bytes[X86_TB_BYTES_MAX];
static __thread uint64_t tb_bytes_pc;
static __thread uint32_t tb_bytes_len;

void x86_tcg_init(void)
{
    static const char *const reg_names[16] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    static const char *const seg_names[6] = {
        "es_base", "cs_base", "ss_base", "ds_base", "fs_base", "gs_base",
    };
    int i;

    for (i = 0; i < 16; i++) {
        x86_cpu_regs[i] = ir_global(offsetof(X86CPU, regs[i]), reg_names[i]);
    }
    x86_cpu_eip = ir_global(offsetof(X86CPU, eip), "eip");
    x86_cpu_cc_dst = ir_global(offsetof(X86CPU, cc_dst), "cc_dst");
    x86_cpu_cc_src = ir_global(offsetof(X86CPU, cc_src), "cc_src");
    x86_cpu_cc_src2 = ir_global(offsetof(X86CPU, cc_src2), "cc_src2");
    x86_cpu_cc_op = ir_global(offsetof(X86CPU, cc_op), "cc_op");
    x86_cpu_df = ir_global(offsetof(X86CPU, df), "df");
    x86_cpu_eflags = ir_global(offsetof(X86CPU, eflags), "eflags");
    for (i = 0; i < 6; i++) {
        x86_cpu_seg_base[i] = ir_global(offsetof(X86CPU, segs[i].base), seg_names[i]);
    }
}

bool x86_tb_bytes_get(uint64_t pc, uint64_t size, const uint8_t **p)
{
    if (tb_bytes_pc == pc && tb_bytes_len == size && size <= sizeof(tb_bytes)) {
        *p = tb_bytes;
        return true;
    }
    return false;
}

/* ---- small utilities ---- */

IRVal x86_tmp(DisasContext *s)
{
    IRVal t = ir_temp(s->b);

    if (s->ntemps < (int)ARRAY_SIZE(s->temps)) {
        s->temps[s->ntemps++] = t;
    }
    return t;
}

IRVal x86_const(DisasContext *s, uint64_t v)
{
    return ir_const(s->b, v);
}

uint64_t x86_sext(uint64_t v, int bytes)
{
    switch (bytes) {
    case 1:
        return (uint64_t)(int64_t)(int8_t)v;
    case 2:
        return (uint64_t)(int64_t)(int16_t)v;
    case 4:
        return (uint64_t)(int64_t)(int32_t)v;
    default:
        return v;
    }
}

uint64_t x86_opmask(int ot)
{
    return ot >= MO_64 ? ~0ull : (1ull << (8 << ot)) - 1;
}

int x86_ot_of_size(int bytes)
{
    return bytes == 8 ? MO_64 : bytes == 4 ? MO_32 : bytes == 2 ? MO_16 : MO_8;
}

uint64_t x86_imm_s(DisasContext *s)
{
    return x86_sext((uint64_t)s->insn.imm, s->insn.imm_size);
}

uint64_t x86_imm_u(DisasContext *s)
{
    int n = s->insn.imm_size;

    return n >= 8 ? (uint64_t)s->insn.imm : (uint64_t)s->insn.imm & ((1ull << (8 * n)) - 1);
}

void x86_gen_ext(DisasContext *s, int ot, bool sign, IRVal d, IRVal v)
{
    static const IROpcode zx[] = { IR_ext8u, IR_ext16u, IR_ext32u };
    static const IROpcode sx[] = { IR_ext8s, IR_ext16s, IR_ext32s };

    if (ot >= MO_64) {
        if (d != v) {
            ir_mov(s->b, d, v);
        }
        return;
    }
    ir_op2(s->b, sign ? sx[ot] : zx[ot], d, v);
}

void x86_gen_exception(DisasContext *s, int vector, int error_code)
{
    ir_call(s->b, IR_NONE, helper_raise_exception, 0, x86_const(s, vector),
            x86_const(s, (uint64_t)(int64_t)error_code), IR_NONE, IR_NONE);
    ir_exit_tb(s->b, IR_EXIT_NOCHAIN);
    s->is_jmp = DISAS_NORETURN;
}

void x86_log_unimp(DisasContext *s, const char *what)
{
    char hex[3 * 16 + 1];
    unsigned i, n = s->insn.len;

    if (!log_enabled(LOG_UNIMP)) {
        return;
    }
    if (n > s->insn_fetched) {
        n = s->insn_fetched;
    }
    hex[0] = 0;
    for (i = 0; i < n && i < 16; i++) {
        snprintf(hex + 3 * i, 4, "%02x ", s->insn_bytes[i]);
    }
    log_printf("x86: %s instruction at %04x:%08" PRIx64 " (linear 0x%" PRIx64 "): %s"
               "[opc %03x /%d %s]\n", what, s->env->segs[X86_SEG_CS].selector & 0xffff,
               s->pc_start, s->cs_base + s->pc_start, hex, s->insn.opc, (s->insn.reg & 7),
               x86_mnem_name(s->insn.mnem));
}

void x86_gen_illegal(DisasContext *s)
{
    x86_gen_exception(s, EXCP06_ILLOP, -1);
}

bool x86_check_cpl0(DisasContext *s)
{
    if (s->cpl != 0) {
        x86_gen_exception(s, EXCP0D_GPF, 0);
        return true;
    }
    return false;
}

/* ---- registers ---- */

static bool is_high_byte_reg(DisasContext *s, int reg)
{
    return reg >= 4 && reg < 8 && !(s->insn.prefixes & X86_PFX_REX);
}

void x86_gen_ld_reg(DisasContext *s, int ot, IRVal d, int reg)
{
    if (ot == MO_8 && is_high_byte_reg(s, reg)) {
        ir_shr(s->b, d, x86_cpu_regs[reg - 4], x86_const(s, 8));
        ir_op2(s->b, IR_ext8u, d, d);
        return;
    }
    x86_gen_ext(s, ot, false, d, x86_cpu_regs[reg]);
}

IRVal x86_reg_val(DisasContext *s, int ot, int reg)
{
    IRVal t;

    if (ot == MO_64) {
        return x86_cpu_regs[reg];
    }
    t = x86_tmp(s);
    x86_gen_ld_reg(s, ot, t, reg);
    return t;
}

void x86_gen_st_reg(DisasContext *s, int ot, int reg, IRVal v)
{
    IRVal t, r;

    switch (ot) {
    case MO_8:
        t = x86_tmp(s);
        ir_op2(s->b, IR_ext8u, t, v);
        if (is_high_byte_reg(s, reg)) {
            r = x86_cpu_regs[reg - 4];
            ir_shl(s->b, t, t, x86_const(s, 8));
            ir_op3(s->b, IR_andc, r, r, x86_const(s, 0xff00));
        } else {
            r = x86_cpu_regs[reg];
            ir_op3(s->b, IR_andc, r, r, x86_const(s, 0xff));
        }
        ir_or(s->b, r, r, t);
        break;
    case MO_16:
        t = x86_tmp(s);
        r = x86_cpu_regs[reg];
        ir_op2(s->b, IR_ext16u, t, v);
        ir_op3(s->b, IR_andc, r, r, x86_const(s, 0xffff));
        ir_or(s->b, r, r, t);
        break;
    case MO_32:
        ir_op2(s->b, IR_ext32u, x86_cpu_regs[reg], v);
        break;
    default:
        if (x86_cpu_regs[reg] != v) {
            ir_mov(s->b, x86_cpu_regs[reg], v);
        }
        break;
    }
}

/* ---- effective addresses ---- */

static int addr_ot(DisasContext *s)
{
    return x86_ot_of_size(s->insn.addrsize);
}

IRVal x86_gen_lea(DisasContext *s)
{
    const X86Insn *in = &s->insn;
    int aot = addr_ot(s);
    IRVal acc = IR_NONE, t;

    if (in->rip_rel) {
        return x86_const(s, (s->pc + in->disp) & x86_opmask(aot));
    }
    if (in->base >= 0) {
        acc = x86_cpu_regs[in->base];
        if (in->base == R_ESP && s->rsp_adjust) {
            t = x86_tmp(s);
            ir_add(s->b, t, acc, x86_const(s, s->rsp_adjust));
            acc = t;
        }
    }
    if (in->index >= 0) {
        t = x86_tmp(s);
        if (in->scale) {
            ir_shl(s->b, t, x86_cpu_regs[in->index], x86_const(s, in->scale));
        } else {
            ir_mov(s->b, t, x86_cpu_regs[in->index]);
        }
        if (acc != IR_NONE) {
            ir_add(s->b, t, t, acc);
        }
        acc = t;
    }
    if (acc == IR_NONE) {
        return x86_const(s, (uint64_t)in->disp & x86_opmask(aot));
    }
    if (in->disp) {
        t = x86_tmp(s);
        ir_add(s->b, t, acc, x86_const(s, (uint64_t)in->disp));
        acc = t;
    }
    if (aot != MO_64) {
        t = x86_tmp(s);
        x86_gen_ext(s, aot, false, t, acc);
        acc = t;
    }
    return acc;
}

int x86_default_seg(DisasContext *s)
{
    const X86Insn *in = &s->insn;

    if (in->seg != X86_SEG_NONE) {
        return in->seg;
    }
    if (!in->rip_rel && (in->base == R_ESP || in->base == R_EBP)) {
        return X86_SEG_SS;
    }
    return X86_SEG_DS;
}

/* Accesses through seg need a check (the helper decides at run time whether they pass). */
static bool seg_checked(DisasContext *s, int seg)
{
    if (s->code64) {
        return false;
    }
    /* writes through CS fault in protected mode, whatever CS is */
    return ((s->segchk >> seg) & 1) || (seg == X86_SEG_CS && s->pe && !s->vm86);
}

IRVal x86_gen_seg_addr(DisasContext *s, int seg, IRVal off)
{
    IRVal t;

    if (seg_checked(s, seg)) {
        /* always a fresh temp (even with a zero base) so that the access finds it */
        t = x86_tmp(s);
        ir_add(s->b, t, off, x86_cpu_seg_base[seg]);
        ir_op2(s->b, IR_ext32u, t, t);
        assert(s->nsegaddr < (int)ARRAY_SIZE(s->segaddr));
        s->segaddr[s->nsegaddr].addr = t;
        s->segaddr[s->nsegaddr].seg = seg;
        s->nsegaddr++;
        return t;
    }
    if (s->code64) {
        if (seg == X86_SEG_FS || seg == X86_SEG_GS) {
            t = x86_tmp(s);
            ir_add(s->b, t, off, x86_cpu_seg_base[seg]);
            return t;
        }
        return off;
    }
    if (!s->addseg && (seg == X86_SEG_DS || seg == X86_SEG_ES || seg == X86_SEG_SS)) {
        return off;
    }
    t = x86_tmp(s);
    ir_add(s->b, t, off, x86_cpu_seg_base[seg]);
    ir_op2(s->b, IR_ext32u, t, t);
    return t;
}

IRVal x86_gen_modrm_addr(DisasContext *s)
{
    return x86_gen_seg_addr(s, x86_default_seg(s), x86_gen_lea(s));
}

void x86_gen_opnd_rm(DisasContext *s, X86Opnd *o)
{
    if (s->insn.mod == 3 || !s->insn.has_mem) {
        o->is_mem = false;
        o->reg = s->insn.rm;
        o->addr = IR_NONE;
    } else {
        o->is_mem = true;
        o->reg = -1;
        o->addr = x86_gen_modrm_addr(s);
    }
}

void x86_gen_seg_check(DisasContext *s, IRVal addr, int size, bool write)
{
    for (int i = 0; i < s->nsegaddr; i++) {
        int seg = s->segaddr[i].seg;

        if (s->segaddr[i].addr != addr) {
            continue;
        }
        if (!((s->segchk >> seg) & 1) && !write) {
            return;     /* a read through a flat readable CS */
        }
        ir_call(s->b, IR_NONE, helper_check_seg, 0, x86_const(s, seg), addr,
                x86_const(s, size), x86_const(s, write));
        return;
    }
}

void x86_gen_seg_alias(DisasContext *s, IRVal addr, IRVal from)
{
    for (int i = 0; i < s->nsegaddr; i++) {
        if (s->segaddr[i].addr == from) {
            assert(s->nsegaddr < (int)ARRAY_SIZE(s->segaddr));
            s->segaddr[s->nsegaddr].addr = addr;
            s->segaddr[s->nsegaddr].seg = s->segaddr[i].seg;
            s->nsegaddr++;
            return;
        }
    }
}

void x86_gen_ld(DisasContext *s, int ot, IRVal d, IRVal addr)
{
    if (s->nsegaddr) {
        x86_gen_seg_check(s, addr, memop_size(ot), false);
    }
    ir_guest_ld(s->b, d, addr, ot, s->mem_idx);
    if (s->lock_rmw && s->lock_addr == IR_NONE) {
        s->lock_addr = addr;
        s->lock_old = x86_tmp(s);
        ir_mov(s->b, s->lock_old, d);
    }
}

void x86_gen_st(DisasContext *s, int ot, IRVal v, IRVal addr)
{
    if (s->nsegaddr) {
        x86_gen_seg_check(s, addr, memop_size(ot), true);
    }
    if (s->lock_rmw && addr == s->lock_addr) {
        ir_call(s->b, IR_NONE, helper_lock_st, 0, addr, s->lock_old, v,
                x86_const(s, (uint64_t)ot | ((uint64_t)s->mem_idx << 8)));
        return;
    }
    ir_guest_st(s->b, v, addr, ot, s->mem_idx);
}

void x86_gen_ld_opnd(DisasContext *s, int ot, IRVal d, const X86Opnd *o)
{
    if (o->is_mem) {
        x86_gen_ld(s, ot, d, o->addr);
    } else {
        x86_gen_ld_reg(s, ot, d, o->reg);
    }
}

void x86_gen_st_opnd(DisasContext *s, int ot, const X86Opnd *o, IRVal v)
{
    if (o->is_mem) {
        x86_gen_st(s, ot, v, o->addr);
    } else {
        x86_gen_st_reg(s, ot, o->reg, v);
    }
}

IRVal x86_addr_reg(DisasContext *s, int reg)
{
    return x86_reg_val(s, addr_ot(s), reg);
}

void x86_gen_add_addr_reg(DisasContext *s, int reg, IRVal delta)
{
    int aot = addr_ot(s);

    if (aot == MO_64) {
        ir_add(s->b, x86_cpu_regs[reg], x86_cpu_regs[reg], delta);
    } else {
        IRVal t = x86_tmp(s);
        ir_add(s->b, t, x86_cpu_regs[reg], delta);
        x86_gen_st_reg(s, aot, reg, t);
    }
}

/* ---- stack ---- */

int x86_stack_ot(DisasContext *s)
{
    if (s->code64) {
        return (s->insn.prefixes & X86_PFX_OPSZ) ? MO_16 : MO_64;
    }
    return s->insn.opsize == 4 ? MO_32 : MO_16;
}

int x86_sp_ot(DisasContext *s)
{
    return s->code64 ? MO_64 : s->ss32 ? MO_32 : MO_16;
}

IRVal x86_gen_stack_addr(DisasContext *s, IRVal sp_off)
{
    return x86_gen_seg_addr(s, X86_SEG_SS, sp_off);
}

void x86_gen_push(DisasContext *s, int ot, IRVal v)
{
    int spot = x86_sp_ot(s);
    IRVal nsp = x86_tmp(s), a;

    ir_sub(s->b, nsp, x86_cpu_regs[R_ESP], x86_const(s, 1u << ot));
    if (spot != MO_64) {
        a = x86_tmp(s);
        x86_gen_ext(s, spot, false, a, nsp);
    } else {
        a = nsp;
    }
    x86_gen_st(s, ot, v, x86_gen_stack_addr(s, a));
    x86_gen_set_sp(s, nsp);
}

IRVal x86_gen_pop_ld(DisasContext *s, int ot, IRVal d)
{
    int spot = x86_sp_ot(s);
    IRVal nsp = x86_tmp(s);

    x86_gen_ld(s, ot, d, x86_gen_stack_addr(s, x86_reg_val(s, spot, R_ESP)));
    ir_add(s->b, nsp, x86_cpu_regs[R_ESP], x86_const(s, 1u << ot));
    return nsp;
}

void x86_gen_set_sp(DisasContext *s, IRVal newsp)
{
    x86_gen_st_reg(s, x86_sp_ot(s), R_ESP, newsp);
}

/* ---- block ends ---- */

uint64_t x86_mask_eip(DisasContext *s, int ot, uint64_t eip)
{
    return eip & x86_opmask(ot);
}

static uint64_t linear_of(DisasContext *s, uint64_t eip)
{
    uint64_t lin = s->cs_base + eip;

    return s->code64 ? lin : (uint32_t)lin;
}

static bool use_goto_tb(DisasContext *s, uint64_t eip)
{
    if (s->tf || (s->tb->cflags & CF_SINGLE_STEP) || s->shadow == SHADOW_ACTIVE) {
        return false;
    }
    return (linear_of(s, eip) >> IR_PAGE_BITS) == (s->tb->pc >> IR_PAGE_BITS);
}

void x86_gen_bpt_check(DisasContext *s, IRVal next_eip)
{
    IRBuilder *b = s->b;
    IRLabel none = ir_new_label(b);
    IRVal t = x86_tmp(s);

    ir_ld_env(b, t, offsetof(X86CPU, dbg_pending), MO_32);
    ir_brcond(b, IR_COND_EQ, t, x86_const(s, 0), none);
    ir_call(b, IR_NONE, helper_bpt_trap, 0, next_eip, IR_NONE, IR_NONE, IR_NONE);
    ir_set_label(b, none);
}

void x86_gen_eob(DisasContext *s)
{
    if (s->shadow == SHADOW_ACTIVE) {
        ir_call(s->b, IR_NONE, helper_clear_inhibit_irq, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
    }
    if (s->tf) {
        /* with the data breakpoints the instruction matched, if any */
        ir_call(s->b, IR_NONE, helper_single_step, 0, x86_cpu_eip, IR_NONE, IR_NONE, IR_NONE);
    } else if (s->dbp && !s->bpt_checked) {
        x86_gen_bpt_check(s, x86_cpu_eip);
    }
    ir_exit_tb(s->b, IR_EXIT_NOCHAIN);
    s->is_jmp = DISAS_NORETURN;
}

/*
 * In 64-bit mode a branch to a non-canonical address faults with #GP(0) at the branch,
 * before it changes anything (SDM vol. 2A JMP, CALL, RET): no block starts there. Constant
 * targets are checked here, the others at run time.
 */
static void gen_check_canonical(DisasContext *s, IRVal eip)
{
    IRBuilder *b = s->b;
    IRLabel ok;
    IRVal t;

    if (ir_is_const(b, eip)) {
        uint64_t v = ir_const_value(b, eip);
        if ((uint64_t)((int64_t)(v << 16) >> 16) != v) {
            /* the helper does not return: what the caller emits next is dead code */
            ir_call(b, IR_NONE, helper_raise_exception, 0, x86_const(s, EXCP0D_GPF),
                    x86_const(s, 0), IR_NONE, IR_NONE);
        }
        return;
    }
    ok = ir_new_label(b);
    t = x86_tmp(s);
    ir_shl(b, t, eip, x86_const(s, 16));
    ir_sar(b, t, t, x86_const(s, 16));
    ir_brcond(b, IR_COND_EQ, t, eip, ok);
    ir_call(b, IR_NONE, helper_raise_exception, 0, x86_const(s, EXCP0D_GPF), x86_const(s, 0),
            IR_NONE, IR_NONE);
    ir_set_label(b, ok);
}

void x86_gen_check_eip(DisasContext *s, IRVal eip, unsigned how, IRVal ecx)
{
    if (s->code64) {
        if (!(how & X86_EIPCHK_SEQ)) {
            gen_check_canonical(s, eip);
        }
        return;
    }
    if (!((s->segchk >> X86_SEG_CS) & 1)) {
        return;
    }
    ir_call(s->b, IR_NONE, helper_check_eip, 0, eip, x86_const(s, how),
            ecx != IR_NONE ? ecx : x86_const(s, 0), IR_NONE);
}

/* Slot 1 is the fall-through (the next instruction), slot 0 a branch target. */
void x86_gen_jmp_tb(DisasContext *s, uint64_t eip, int slot)
{
    if (!s->eip_checked) {
        x86_gen_check_eip(s, x86_const(s, eip), slot == 1 ? X86_EIPCHK_SEQ : X86_EIPCHK_BRANCH,
                          IR_NONE);
    }
    ir_movi(s->b, x86_cpu_eip, eip);
    if (use_goto_tb(s, eip)) {
        if (s->dbp && !s->bpt_checked) {
            x86_gen_bpt_check(s, x86_cpu_eip);
        }
        ir_goto_tb(s->b, slot);
        s->is_jmp = DISAS_NORETURN;
    } else {
        x86_gen_eob(s);
    }
}

void x86_gen_jmp_reg(DisasContext *s, IRVal eip)
{
    ir_mov(s->b, x86_cpu_eip, eip);
    x86_gen_eob(s);
}

/* ---- code fetch ---- */

static uint8_t x86_fetch(void *opaque, unsigned off)
{
    DisasContext *s = opaque;

    if (off >= sizeof(s->insn_bytes)) {
        return 0;
    }
    while (s->insn_fetched <= off) {
        unsigned i = s->insn_fetched;
        uint64_t eip = s->pc_start + i;
        uint64_t lin;

        if (s->code_mode == 16) {
            eip &= 0xffff;
        } else if (!s->code64) {
            eip &= 0xffffffff;
        }
        lin = linear_of(s, eip);
        if (s->fetch_limit) {
            uint64_t rel = lin - (s->tb->pc & ~(uint64_t)((1 << IR_PAGE_BITS) - 1));
            if (!s->code64) {
                rel = (uint32_t)rel;
            }
            if (rel >= s->fetch_limit) {
                s->fetch_stopped = true;
                return 0;
            }
        }
        s->insn_bytes[i] = (uint8_t)translator_ld(s->cs, s->tb, lin, 1, s->code_mmu_idx);
        s->insn_fetched++;
    }
    return s->insn_bytes[off];
}

/* ---- the block loop ---- */

static void disas_insn(DisasContext *s)
{
    const X86Insn *in = &s->insn;

    if (in->flags & X86_DF_TOO_LONG) {
        x86_gen_exception(s, EXCP0D_GPF, 0);
        return;
    }
    if (in->flags & X86_DF_INVALID) {
        x86_log_unimp(s, "undefined");
        x86_gen_illegal(s);
        return;
    }
    s->lock_rmw = (in->prefixes & X86_PFX_LOCK) ||
                  ((in->opc == 0x86 || in->opc == 0x87) && in->has_mem && in->mod != 3);
    s->lock_addr = IR_NONE;
    if (x86_disas_sse(s) || x86_disas_alu(s) || x86_disas_ctrl(s) || x86_disas_string(s) ||
        x86_disas_system(s)) {
        return;
    }
    x86_log_unimp(s, "unimplemented");
    x86_gen_illegal(s);
}

static void init_features(DisasContext *s)
{
    X86CPU *env = s->env;
    uint32_t a, b, c, d;

    x86_cpuid(env, 1, 0, &a, &b, &c, &d);
    s->has_movbe = (c >> 22) & 1;
    s->has_popcnt = (c >> 23) & 1;
    s->has_cx16 = (c >> 13) & 1;
    if (env->cpuid_level >= 7) {
        x86_cpuid(env, 7, 0, &a, &b, &c, &d);
        s->has_bmi1 = (b >> 3) & 1;
        s->has_smap = (b >> 20) & 1;
        s->has_fsgsbase = b & 1;
        s->has_rdpid = (c >> 22) & 1;
    }
    if (env->cpuid_xlevel >= 0x80000001) {
        x86_cpuid(env, 0x80000001, 0, &a, &b, &c, &d);
        s->has_lzcnt = (c >> 5) & 1;
        s->has_rdtscp = (d >> 27) & 1;
    }
}

void x86_translate(CPUState *cs, TranslationBlock *tb, IRBuilder *b)
{
    DisasContext ctx;
    DisasContext *s = &ctx;
    uint32_t flags = tb->flags;
    int max_insns;
    uint64_t page_base = tb->pc & ~(uint64_t)((1 << IR_PAGE_BITS) - 1);

    memset(s, 0, sizeof(*s));
    s->cs = cs;
    s->env = x86_cpu(cs);
    s->tb = tb;
    s->b = b;
    s->flags = flags;
    s->cs_base = tb->cs_base;
    s->code64 = (flags & HF_CS64_MASK) != 0;
    s->code_mode = s->code64 ? 64 : (flags & HF_CS32_MASK) ? 32 : 16;
    s->lma = (flags & HF_LMA_MASK) != 0;
    s->pe = (flags & HF_PE_MASK) != 0;
    s->vm86 = (flags & HF_VM_MASK) != 0;
    s->ss32 = (flags & HF_SS32_MASK) != 0;
    s->addseg = (flags & HF_ADDSEG_MASK) != 0;
    s->segchk = (flags & HF_SEGCHK_MASK) >> HF_SEGCHK_SHIFT;
    s->tf = (flags & HF_TF_MASK) != 0;
    s->rf = (flags & HF_RF_MASK) != 0;
    s->ibp = (flags & HF_IBP_MASK) != 0;
    s->dbp = (flags & HF_DBP_MASK) != 0;
    s->cpl = flags & HF_CPL_MASK;
    s->iopl = (flags & HF_IOPL_MASK) >> HF_IOPL_SHIFT;
    /* USER at CPL 3; KSMAP while CR4.SMAP applies (EFLAGS.AC clear), else KNOSMAP. Code
     * is fetched with the index the CPU loop looked the block up with. */
    s->mem_idx = x86_tb_mmu_idx(flags);
    s->code_mmu_idx = x86_tb_mmu_idx(flags);
    s->cc_op = CC_OP_DYNAMIC;
    s->cc_srcT = ir_temp(b);
    init_features(s);

    max_insns = tb->cflags & CF_COUNT_MASK;
    if (max_insns == 0) {
        max_insns = TB_MAX_INSNS;
    }
    if (max_insns > TB_MAX_INSNS) {
        max_insns = TB_MAX_INSNS;
    }
    if ((tb->cflags & CF_SINGLE_STEP) || s->tf) {
        max_insns = 1;
    }

    s->pc = tb->pc - tb->cs_base;
    if (!s->code64) {
        s->pc = (uint32_t)s->pc;
    }
    tb_bytes_pc = tb->pc;
    tb_bytes_len = 0;

    for (;;) {
        int len;
        bool end;

        s->pc_start = s->pc;
        s->insn_fetched = 0;
        s->fetch_stopped = false;
        s->is_jmp = DISAS_NEXT;
        s->rsp_adjust = 0;
        s->ntemps = 0;
        s->nsegaddr = 0;
        s->eip_checked = false;
        s->bpt_checked = false;
        if (s->shadow == SHADOW_ARMED) {
            s->shadow = SHADOW_ACTIVE;
            s->in_ss_shadow = s->ss_shadow;
            s->fetch_limit = 2 << IR_PAGE_BITS;
        } else {
            s->shadow = SHADOW_NONE;
            s->in_ss_shadow = false;
            s->fetch_limit = s->icount == 0 ? 0 : 1 << IR_PAGE_BITS;
        }
        s->ss_shadow = false;

        len = x86_decode(&s->insn, s->code_mode, x86_fetch, s);
        if (s->fetch_stopped) {
            /* Would cross into a page the block may not cover: leave it for the next
             * block (a fetch fault there is then raised at the right instruction). The
             * interrupt shadow, if any, stays set in env->hflags. */
            s->shadow = SHADOW_NONE;
            x86_gen_check_eip(s, x86_const(s, s->pc_start), X86_EIPCHK_SEQ, IR_NONE);
            ir_movi(b, x86_cpu_eip, s->pc_start);
            x86_gen_eob(s);
            break;
        }
        if (len < 1) {
            len = 1;
        }
        if (tb_bytes_len + len <= sizeof(tb_bytes)) {
            memcpy(tb_bytes + tb_bytes_len, s->insn_bytes, MIN((unsigned)len, s->insn_fetched));
        }
        tb_bytes_len += len;
        s->pc = s->pc_start + len;
        if (s->code_mode == 16) {
            s->pc &= 0xffff;
        } else if (!s->code64) {
            s->pc = (uint32_t)s->pc;
        }

        ir_insn_start(b, s->pc_start);
        if (s->rf && s->icount == 0) {
            /* EFLAGS.RF exempts this instruction from instruction breakpoints and is
             * cleared as it starts (SDM vol. 3B 18.3.1.1) */
            ir_call(b, IR_NONE, helper_clear_rf, 0, IR_NONE, IR_NONE, IR_NONE, IR_NONE);
        } else if (s->ibp && !(s->in_ss_shadow && !x86_vendor_amd(s->env))) {
            /* Intel inhibits instruction breakpoints in a MOV SS / POP SS shadow, AMD
             * does not */
            ir_call(b, IR_NONE, helper_bpt_insn, 0, x86_const(s, linear_of(s, s->pc_start)),
                    IR_NONE, IR_NONE, IR_NONE);
        }
        disas_insn(s);
        if (s->dbp && !s->tf && s->is_jmp == DISAS_NEXT && s->shadow != SHADOW_ARMED) {
            /* a MOV SS shadow holds the trap until after the next instruction */
            x86_gen_bpt_check(s, x86_const(s, s->pc));
            s->bpt_checked = true;
        }
        for (int i = 0; i < s->ntemps; i++) {
            ir_temp_free(b, s->temps[i]);
        }
        s->ntemps = 0;
        s->icount++;
        s->tb_len += len;

        switch (s->is_jmp) {
        case DISAS_NEXT:
            break;
        case DISAS_EOB_NEXT:
            x86_gen_check_eip(s, x86_const(s, s->pc), X86_EIPCHK_SEQ, IR_NONE);
            ir_movi(b, x86_cpu_eip, s->pc);
            x86_gen_eob(s);
            break;
        case DISAS_EOB_ONLY:
            x86_gen_eob(s);
            break;
        default:
            break;
        }
        if (s->is_jmp != DISAS_NEXT) {
            break;
        }
        if (s->shadow == SHADOW_ACTIVE) {
            x86_gen_check_eip(s, x86_const(s, s->pc), X86_EIPCHK_SEQ, IR_NONE);
            ir_movi(b, x86_cpu_eip, s->pc);
            x86_gen_eob(s);
            break;
        }
        if (s->shadow == SHADOW_ARMED && (!s->tf || s->ss_shadow)) {
            /* The shadowed instruction joins this block whatever the limits (also past
             * a count limit of 1 or CF_SINGLE_STEP): a block must not end with the shadow
             * still open, since HF_INHIBIT_IRQ is not part of the block key. Under TF
             * after STI the #DB delivery after this instruction closes it; MOV SS and
             * POP SS also hold the single-step #DB until after the next instruction
             * (SDM vol. 3A 6.8.3), so the single step covers both. */
            continue;
        }
        end = s->icount >= max_insns || ir_full(b) ||
              ((linear_of(s, s->pc) - page_base) & (s->code64 ? ~0ull : 0xffffffffull)) >=
              (1u << IR_PAGE_BITS);
        if (end) {
            s->shadow = SHADOW_NONE;
            x86_gen_jmp_tb(s, s->pc, 1);
            break;
        }
    }
    tb->size = s->tb_len;
    tb->icount = s->icount;
    if (tb_bytes_len > sizeof(tb_bytes)) {
        tb_bytes_len = 0;
        tb_bytes_pc = ~0ull;
    }
    if (log_enabled(LOG_IN_ASM)) {
        x86_disas_log(cs, tb->pc, tb->size, tb->flags);
    }
}

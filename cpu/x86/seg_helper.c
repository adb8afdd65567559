/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/seg_helper.c — segmentation and privilege transfers of the x86 CPU.
 *
 * Models (Intel SDM vol. 3A): ch. 3.4-3.5 (selectors, descriptors, GDT/LDT, loading
 * segment registers with the null-selector, limit, type, DPL/RPL/CPL and present checks,
 * the accessed bit), ch. 5.6-5.8 (privilege checks, conforming code, call gates, far calls
 * and returns between privilege levels with the stack switch through the TSS, 64-bit call
 * gates), ch. 5.8.7-5.8.8 (SYSENTER/SYSEXIT, SYSCALL/SYSRET), ch. 7.2 (TSS stack fields,
 * the busy bit of LTR), ch. 20.2 (IRET in and back to virtual-8086 mode), ch. 5.3-5.4 (limit
 * and type checks of data accesses through non-flat segments, and of near branch targets
 * against the CS limit: the helpers that translated code calls for those), and the vol. 2
 * pages of JMP, CALL, RET, IRET, LLDT, LTR, LGDT/LIDT, SGDT/SIDT, LAR, LSL, VERR/VERW, ARPL
 * and SWAPGS.
 *
 * Task switches (TSS descriptors and task gates as JMP/CALL targets, IRET with NT set once
 * its back link passed the checks) are task_switch.c's.
 *
 * Not modelled: segment limit checks of the stack pushes made by these helpers;
 * CR4.VME/PVI virtual interrupt flags.
 */
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"

#define SEL_MASK 0xfffc
#define DPL_OF(e2) (((e2) >> DESC_DPL_SHIFT) & 3)
#define SYS_TYPE(e2) (((e2) >> DESC_TYPE_SHIFT) & 0xf)

/* EFLAGS bits that IRET/SYSRET may write (the others are reserved) */
#define EFLAGS_ALL (CC_MASK | TF_MASK | IF_MASK | DF_MASK | IOPL_MASK | NT_MASK | RF_MASK | \
                    VM_MASK | AC_MASK | VIF_MASK | VIP_MASK | ID_MASK)

static inline int cpl_of(X86CPU *env)
{
    return env->hflags & HF_CPL_MASK;
}

static inline bool lma(X86CPU *env)
{
    return env->hflags & HF_LMA_MASK;
}

static NORETURN void gp(X86CPU *env, uint32_t err)
{
    x86_raise_exception_err(env, EXCP0D_GPF, err);
}

static NORETURN void np(X86CPU *env, uint32_t err)
{
    x86_raise_exception_err(env, EXCP0B_NOSEG, err);
}

static NORETURN void ss_fault(X86CPU *env, uint32_t err)
{
    x86_raise_exception_err(env, EXCP0C_STACK, err);
}

static NORETURN void ts_fault(X86CPU *env, uint32_t err)
{
    x86_raise_exception_err(env, EXCP0A_TSS, err);
}

static inline bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* ---------------------------------------------------------------------------------------
 * System-structure accesses, descriptors and segment caches
 * ------------------------------------------------------------------------------------- */

uint64_t x86_ld_kernel(X86CPU *env, uint64_t addr, unsigned memop)
{
    if (!lma(env)) {
        addr = (uint32_t)addr;
    }
    return cpu_ld_mmu(x86_cs(env), addr, memop, X86_MMU_KNOSMAP);
}

void x86_st_kernel(X86CPU *env, uint64_t addr, uint64_t val, unsigned memop)
{
    if (!lma(env)) {
        addr = (uint32_t)addr;
    }
    cpu_st_mmu(x86_cs(env), addr, val, memop, X86_MMU_KNOSMAP);
}

bool x86_desc_addr(X86CPU *env, uint32_t sel, unsigned size, uint64_t *addr)
{
    uint64_t base;
    uint32_t limit, index = sel & ~7u;

    if (sel & 4) {
        if ((env->ldt.selector & SEL_MASK) == 0) {
            return false;
        }
        base = env->ldt.base;
        limit = env->ldt.limit;
    } else {
        base = env->gdt.base;
        limit = env->gdt.limit;
    }
    if ((uint64_t)index + size - 1 > limit) {
        return false;
    }
    *addr = base + index;
    return true;
}

bool x86_load_desc(X86CPU *env, uint32_t sel, uint32_t *e1, uint32_t *e2)
{
    uint64_t a, v;

    if (!x86_desc_addr(env, sel, 8, &a)) {
        return false;
    }
    v = x86_ld_kernel(env, a, MO_64);
    *e1 = (uint32_t)v;
    *e2 = (uint32_t)(v >> 32);
    return true;
}

/* The high 8 bytes of a 16-byte system descriptor (long mode); #GP(sel) beyond the limit. */
static uint64_t load_desc_high(X86CPU *env, uint32_t sel)
{
    uint64_t a;

    if (!x86_desc_addr(env, sel, 16, &a)) {
        gp(env, sel & SEL_MASK);
    }
    return x86_ld_kernel(env, a + 8, MO_64);
}

void x86_desc_set_accessed(X86CPU *env, uint32_t sel, uint32_t *e2)
{
    uint64_t a;

    if (!(*e2 & DESC_A_MASK) && x86_desc_addr(env, sel, 8, &a)) {
        *e2 |= DESC_A_MASK;
        x86_st_kernel(env, a + 4, *e2, MO_32);
    }
}

void x86_load_seg_desc(X86CPU *env, int seg, uint32_t sel, uint32_t e1, uint32_t e2)
{
    x86_load_seg_cache(env, seg, sel, x86_desc_base(e1, e2), x86_desc_limit(e1, e2),
                       e2 & 0x00ffff00u);
}

void x86_load_seg_cache(X86CPU *env, int seg, uint32_t selector, uint64_t base,
                        uint32_t limit, uint32_t flags)
{
    SegmentCache *sc = &env->segs[seg];

    sc->selector = selector;
    sc->base = base;
    sc->limit = limit;
    sc->flags = flags;
    x86_update_hflags(env);
}

/*
 * Real mode changes only the selector and the base (the limit and attributes stay, which
 * is what "unreal mode" relies on); virtual-8086 mode gives every segment a 64 KiB
 * read/write data segment at DPL 3 (SDM 20.1.1).
 */
void x86_load_seg_real(X86CPU *env, int seg, uint32_t selector)
{
    selector &= 0xffff;
    if (env->eflags & VM_MASK) {
        x86_load_seg_cache(env, seg, selector, (uint64_t)selector << 4, 0xffff,
                           DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                           (3 << DESC_DPL_SHIFT));
    } else {
        env->segs[seg].selector = selector;
        env->segs[seg].base = (uint64_t)selector << 4;
        x86_update_hflags(env);
    }
}

/* A null SS (64-bit mode only): unusable, with the DPL that keeps the CPL. */
static void load_null_ss(X86CPU *env, uint32_t sel, int dpl)
{
    x86_load_seg_cache(env, X86_SEG_SS, sel, 0, 0, (uint32_t)dpl << DESC_DPL_SHIFT);
}

/* ---------------------------------------------------------------------------------------
 * Stacks
 * ------------------------------------------------------------------------------------- */

static inline int stack_mmu_idx(int cpl)
{
    return cpl == 3 ? X86_MMU_USER : X86_MMU_KNOSMAP;
}

void x86_stack_cur(X86CPU *env, X86Stack *st)
{
    if (env->hflags & HF_CS64_MASK) {
        st->base = 0;
        st->mask = ~0ull;
        st->lin64 = true;
    } else {
        st->base = env->segs[X86_SEG_SS].base;
        st->mask = (env->segs[X86_SEG_SS].flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
        st->lin64 = false;
    }
    st->sp = env->regs[R_ESP];
    st->mmu_idx = stack_mmu_idx(cpl_of(env));
}

void x86_stack_new(X86CPU *env, X86Stack *st, uint64_t base, uint64_t sp, uint32_t ss_flags,
                   bool is64, int cpl)
{
    if (is64) {
        st->base = 0;
        st->mask = ~0ull;
        st->lin64 = true;
    } else {
        st->base = base;
        st->mask = (ss_flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
        st->lin64 = false;
    }
    st->sp = sp;
    st->mmu_idx = stack_mmu_idx(cpl);
}

static inline uint64_t stack_addr(const X86Stack *st)
{
    uint64_t a = st->base + (st->sp & st->mask);
    return st->lin64 ? a : (uint32_t)a;
}

static inline unsigned size_memop(unsigned size)
{
    return size == 8 ? MO_64 : size == 4 ? MO_32 : size == 2 ? MO_16 : MO_8;
}

void x86_stack_push(X86CPU *env, X86Stack *st, uint64_t val, unsigned size)
{
    st->sp = (st->sp & ~st->mask) | ((st->sp - size) & st->mask);
    cpu_st_mmu(x86_cs(env), stack_addr(st), val, size_memop(size), st->mmu_idx);
}

uint64_t x86_stack_pop(X86CPU *env, X86Stack *st, unsigned size)
{
    uint64_t v = cpu_ld_mmu(x86_cs(env), stack_addr(st), size_memop(size), st->mmu_idx);
    st->sp = (st->sp & ~st->mask) | ((st->sp + size) & st->mask);
    return v;
}

void x86_set_sp(X86CPU *env, uint64_t sp, uint64_t mask)
{
    if (mask == 0xffff) {
        env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff);
    } else if (mask == 0xffffffffu) {
        env->regs[R_ESP] = (uint32_t)sp;
    } else {
        env->regs[R_ESP] = sp;
    }
}

void x86_stack_commit(X86CPU *env, const X86Stack *st)
{
    if (st->mask == 0xffff) {
        /* the upper bits are those of the stack pointer the stack started from */
        env->regs[R_ESP] = st->sp;
    } else {
        x86_set_sp(env, st->sp, st->mask);
    }
}

static inline void stack_skip(X86Stack *st, uint64_t bytes)
{
    st->sp = (st->sp & ~st->mask) | ((st->sp + bytes) & st->mask);
}

/* ---------------------------------------------------------------------------------------
 * TSS stack pointers (SDM 7.2.1, 7.7)
 * ------------------------------------------------------------------------------------- */

void x86_tss_stack(X86CPU *env, int dpl, uint32_t *ss, uint32_t *esp, int ext)
{
    int type = SYS_TYPE(env->tr.flags);
    int shift = (type & 8) ? 1 : 0;         /* 32-bit TSS: 4-byte ESP, else 2-byte SP */
    uint32_t off = (uint32_t)(dpl * 4 + 2) << shift;

    if (!(env->tr.flags & DESC_P_MASK)) {
        ts_fault(env, (env->tr.selector & SEL_MASK) | ext);
    }
    if (off + (4u << shift) - 1 > env->tr.limit) {
        ts_fault(env, (env->tr.selector & SEL_MASK) | ext);
    }
    if (shift) {
        *esp = (uint32_t)x86_ld_kernel(env, env->tr.base + off, MO_32);
        *ss = (uint32_t)x86_ld_kernel(env, env->tr.base + off + 4, MO_16);
    } else {
        *esp = (uint32_t)x86_ld_kernel(env, env->tr.base + off, MO_16);
        *ss = (uint32_t)x86_ld_kernel(env, env->tr.base + off + 2, MO_16);
    }
}

uint64_t x86_tss_rsp64(X86CPU *env, int level, int ext)
{
    uint32_t off = 8 * level + 4;

    if (!(env->tr.flags & DESC_P_MASK) || off + 7 > env->tr.limit) {
        ts_fault(env, (env->tr.selector & SEL_MASK) | ext);
    }
    return x86_ld_kernel(env, env->tr.base + off, MO_64);
}

/* ---------------------------------------------------------------------------------------
 * MOV/POP to segment registers (SDM vol. 2 MOV, 3A 5.7)
 * ------------------------------------------------------------------------------------- */

static void load_seg_prot(X86CPU *env, int seg, uint32_t sel)
{
    int cpl = cpl_of(env), rpl = sel & 3, dpl;
    uint32_t e1, e2;

    if ((sel & SEL_MASK) == 0) {
        if (seg == X86_SEG_SS) {
            /* allowed only in 64-bit mode at CPL 0..2 with RPL = CPL */
            if (!(env->hflags & HF_CS64_MASK) || cpl == 3 || rpl != cpl) {
                gp(env, 0);
            }
            load_null_ss(env, sel, cpl);
        } else {
            x86_load_seg_cache(env, seg, sel, 0, 0, 0);
        }
        return;
    }
    if (!x86_load_desc(env, sel, &e1, &e2)) {
        gp(env, sel & SEL_MASK);
    }
    if (!(e2 & DESC_S_MASK)) {
        gp(env, sel & SEL_MASK);
    }
    dpl = DPL_OF(e2);
    if (seg == X86_SEG_SS) {
        if (rpl != cpl || (e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK) || dpl != cpl) {
            gp(env, sel & SEL_MASK);
        }
        if (!(e2 & DESC_P_MASK)) {
            ss_fault(env, sel & SEL_MASK);
        }
    } else {
        if ((e2 & DESC_CS_MASK) && !(e2 & DESC_R_MASK)) {
            gp(env, sel & SEL_MASK);
        }
        /* data and non-conforming code: the DPL must allow both CPL and RPL */
        if (!(e2 & DESC_CS_MASK) || !(e2 & DESC_C_MASK)) {
            if (dpl < cpl || dpl < rpl) {
                gp(env, sel & SEL_MASK);
            }
        }
        if (!(e2 & DESC_P_MASK)) {
            np(env, sel & SEL_MASK);
        }
    }
    x86_desc_set_accessed(env, sel, &e2);
    x86_load_seg_desc(env, seg, sel, e1, e2);
}

IR_HELPER(helper_load_seg)
{
    X86CPU *env = env_;
    int seg = (int)a0;
    uint32_t sel = (uint32_t)a1 & 0xffff;

    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_VM_MASK)) {
        x86_load_seg_real(env, seg, sel);
    } else {
        load_seg_prot(env, seg, sel);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Limit and rights checks of data accesses and branch targets (SDM 3A 5.3, 5.4, 3.4.5.1)
 * ------------------------------------------------------------------------------------- */

/*
 * Whether an access of `size` bytes at offset `off` through segment cache sc is allowed.
 * Real and virtual-8086 mode check the limit only; protected mode also the null selector
 * (P clear in its cache), the type (no writes to read-only data or code, no reads of
 * execute-only code) and expand-down limits, whose valid offsets are (limit, 0xffff] or
 * (limit, 0xffffffff] after the B bit.
 */
static bool seg_access_ok(X86CPU *env, const SegmentCache *sc, uint64_t off, unsigned size,
                          bool write)
{
    uint64_t last = off + size - 1;
    uint32_t f = sc->flags;

    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_VM_MASK)) {
        return last <= sc->limit;
    }
    if (!(f & DESC_P_MASK)) {
        return false;
    }
    if (f & DESC_CS_MASK) {
        return !write && (f & DESC_R_MASK) && last <= sc->limit;
    }
    if (write && !(f & DESC_W_MASK)) {
        return false;
    }
    if (f & DESC_E_MASK) {
        return off > sc->limit && last <= ((f & DESC_B_MASK) ? 0xffffffffu : 0xffffu);
    }
    return last <= sc->limit;
}

/*
 * Called by translated code only for segments with their HF_SEGCHK bit set (and for writes
 * through CS), so flat segments never get here. The offset is recovered from the linear
 * address: outside 64-bit code both are 32-bit and linear = base + offset modulo 2^32.
 */
IR_HELPER(helper_check_seg)
{
    X86CPU *env = env_;
    int seg = (int)a0;
    const SegmentCache *sc = &env->segs[seg];

    if (!seg_access_ok(env, sc, (uint32_t)(a1 - sc->base), (unsigned)a2, a3 != 0)) {
        if (seg == X86_SEG_SS) {
            ss_fault(env, 0);
        }
        gp(env, 0);
    }
    return 0;
}

/*
 * A near branch target or the next sequential eip against the CS limit (called only while
 * CS has its HF_SEGCHK bit). A branch faults at the branch instruction with the registers it
 * changed restored (LOOP's ECX, in a2); sequential flow faults at the new eip.
 */
IR_HELPER(helper_check_eip)
{
    X86CPU *env = env_;

    if ((env->hflags & HF_CS64_MASK) || a0 <= env->segs[X86_SEG_CS].limit) {
        return 0;
    }
    if (a1 & X86_EIPCHK_ECX) {
        env->regs[R_ECX] = a2;
    }
    if (a1 & X86_EIPCHK_SEQ) {
        env->insn_pc = a0;
    }
    gp(env, 0);
}

/* After a return to an outer level: data segments the new CPL may not use become null
 * (SDM RET/IRET: only the selector is cleared; the cache becomes unusable but keeps its
 * base, which 64-bit mode still adds for FS and GS). Null selectors are left alone. */
static void validate_seg(X86CPU *env, int seg, int cpl)
{
    SegmentCache *sc = &env->segs[seg];
    uint32_t f = sc->flags;

    if ((sc->selector & SEL_MASK) == 0) {
        return;
    }
    if ((!(f & DESC_CS_MASK) || !(f & DESC_C_MASK)) && (int)DPL_OF(f) < cpl) {
        x86_load_seg_cache(env, seg, 0, sc->base, 0, 0);
    }
}

static void validate_data_segs(X86CPU *env, int cpl)
{
    validate_seg(env, X86_SEG_ES, cpl);
    validate_seg(env, X86_SEG_DS, cpl);
    validate_seg(env, X86_SEG_FS, cpl);
    validate_seg(env, X86_SEG_GS, cpl);
}

/* ---------------------------------------------------------------------------------------
 * Far JMP and CALL (SDM vol. 2 JMP, CALL; 3A 5.8)
 * ------------------------------------------------------------------------------------- */

/* Checks of a code segment reached directly by JMP/CALL (not through a gate). */
static void check_direct_code(X86CPU *env, uint32_t sel, uint32_t e2, int cpl)
{
    int dpl = DPL_OF(e2), rpl = sel & 3;

    if (!(e2 & DESC_CS_MASK)) {
        gp(env, sel & SEL_MASK);
    }
    if (e2 & DESC_C_MASK) {
        if (dpl > cpl) {
            gp(env, sel & SEL_MASK);
        }
    } else if (rpl > cpl || dpl != cpl) {
        gp(env, sel & SEL_MASK);
    }
    if (!(e2 & DESC_P_MASK)) {
        np(env, sel & SEL_MASK);
    }
    if (lma(env) && (e2 & DESC_L_MASK) && (e2 & DESC_B_MASK)) {
        gp(env, sel & SEL_MASK);
    }
}

static inline bool is_code64(X86CPU *env, uint32_t e2)
{
    return lma(env) && (e2 & DESC_L_MASK);
}

/* A call gate's target: offset, selector and the target code descriptor (checked). */
typedef struct GateTarget {
    uint32_t sel, e1, e2;
    uint64_t offset;
    unsigned size;          /* 2 (16-bit gate), 4 (32-bit) or 8 (64-bit) */
    int param_count;
} GateTarget;

static void read_call_gate(X86CPU *env, uint32_t sel, uint32_t e1, uint32_t e2, int cpl,
                           GateTarget *g)
{
    int type = SYS_TYPE(e2), dpl = DPL_OF(e2), rpl = sel & 3, cdpl;

    if (dpl < cpl || dpl < rpl) {
        gp(env, sel & SEL_MASK);
    }
    if (!(e2 & DESC_P_MASK)) {
        np(env, sel & SEL_MASK);
    }
    g->sel = e1 >> 16;
    g->offset = (e2 & 0xffff0000u) | (e1 & 0xffff);
    g->param_count = e2 & 0x1f;
    if (lma(env)) {
        uint64_t hi = load_desc_high(env, sel);
        if (((hi >> 40) & 0x1f) != 0) {
            gp(env, sel & SEL_MASK);
        }
        g->offset |= (hi & 0xffffffffu) << 32;
        g->size = 8;
        g->param_count = 0;
    } else {
        g->size = type == 12 ? 4 : 2;
        if (type == 4) {
            g->offset &= 0xffff;
        }
    }
    if ((g->sel & SEL_MASK) == 0) {
        gp(env, 0);
    }
    if (!x86_load_desc(env, g->sel, &g->e1, &g->e2)) {
        gp(env, g->sel & SEL_MASK);
    }
    if (!(g->e2 & DESC_S_MASK) || !(g->e2 & DESC_CS_MASK)) {
        gp(env, g->sel & SEL_MASK);
    }
    cdpl = DPL_OF(g->e2);
    if (cdpl > cpl) {
        gp(env, g->sel & SEL_MASK);
    }
    if (!(g->e2 & DESC_P_MASK)) {
        np(env, g->sel & SEL_MASK);
    }
    if (lma(env) && (!(g->e2 & DESC_L_MASK) || (g->e2 & DESC_B_MASK))) {
        gp(env, g->sel & SEL_MASK);
    }
}

IR_HELPER(helper_ljmp)
{
    X86CPU *env = env_;
    uint32_t sel = (uint32_t)a0 & 0xffff, e1, e2;
    uint64_t off = a1;
    int cpl = cpl_of(env);

    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_VM_MASK)) {
        x86_load_seg_real(env, X86_SEG_CS, sel);
        env->eip = off;
        return 0;
    }
    if ((sel & SEL_MASK) == 0) {
        gp(env, 0);
    }
    if (!x86_load_desc(env, sel, &e1, &e2)) {
        gp(env, sel & SEL_MASK);
    }
    if (e2 & DESC_S_MASK) {
        check_direct_code(env, sel, e2, cpl);
        if (!is_code64(env, e2) && off > x86_desc_limit(e1, e2)) {
            gp(env, 0);
        }
        x86_desc_set_accessed(env, sel, &e2);
        x86_load_seg_desc(env, X86_SEG_CS, (sel & SEL_MASK) | cpl, e1, e2);
        env->eip = off;
        return 0;
    }
    switch (SYS_TYPE(e2)) {
    case 1: case 5: case 9:
        x86_task_jmp_call(env, sel, e1, e2, false, a2);     /* task_switch.c */
        return 0;
    case 4:
        if (lma(env)) {
            gp(env, sel & SEL_MASK);
        }
        /* fall through */
    case 12: {
        GateTarget g;
        read_call_gate(env, sel, e1, e2, cpl, &g);
        if (!(g.e2 & DESC_C_MASK) && DPL_OF(g.e2) != (unsigned)cpl) {
            gp(env, g.sel & SEL_MASK);
        }
        if (!is_code64(env, g.e2) && g.offset > x86_desc_limit(g.e1, g.e2)) {
            gp(env, 0);
        }
        x86_desc_set_accessed(env, g.sel, &g.e2);
        x86_load_seg_desc(env, X86_SEG_CS, (g.sel & SEL_MASK) | cpl, g.e1, g.e2);
        env->eip = g.offset;
        return 0;
    }
    default:
        gp(env, sel & SEL_MASK);
    }
}

/* CALL through a call gate to a more privileged non-conforming segment (SDM 5.8.5). */
static void call_gate_inner(X86CPU *env, const GateTarget *g, uint64_t next_eip)
{
    int dpl = DPL_OF(g->e2);
    unsigned sz = g->size;
    uint32_t old_ss = env->segs[X86_SEG_SS].selector;
    uint64_t old_sp = env->regs[R_ESP];
    uint32_t old_cs = env->segs[X86_SEG_CS].selector;
    X86Stack st;

    if (lma(env)) {
        uint64_t rsp = x86_tss_rsp64(env, dpl, 0);
        x86_stack_new(env, &st, 0, rsp, 0, true, dpl);
        x86_stack_push(env, &st, old_ss, 8);
        x86_stack_push(env, &st, old_sp, 8);
        x86_stack_push(env, &st, old_cs, 8);
        x86_stack_push(env, &st, next_eip, 8);
        load_null_ss(env, (uint32_t)dpl, dpl);
    } else {
        uint32_t ss, esp, se1, se2;
        X86Stack old;
        x86_tss_stack(env, dpl, &ss, &esp, 0);
        if ((ss & SEL_MASK) == 0) {
            ts_fault(env, 0);
        }
        if ((int)(ss & 3) != dpl || !x86_load_desc(env, ss, &se1, &se2)) {
            ts_fault(env, ss & SEL_MASK);
        }
        if ((int)DPL_OF(se2) != dpl || !(se2 & DESC_S_MASK) || (se2 & DESC_CS_MASK) ||
            !(se2 & DESC_W_MASK)) {
            ts_fault(env, ss & SEL_MASK);
        }
        if (!(se2 & DESC_P_MASK)) {
            ss_fault(env, ss & SEL_MASK);
        }
        x86_stack_cur(env, &old);
        x86_stack_new(env, &st, x86_desc_base(se1, se2), esp, se2, false, dpl);
        x86_stack_push(env, &st, old_ss, sz);
        x86_stack_push(env, &st, old_sp, sz);
        /* parameters keep their order: the deepest one is copied first */
        for (int i = g->param_count - 1; i >= 0; i--) {
            X86Stack p = old;
            stack_skip(&p, (uint64_t)i * sz);
            x86_stack_push(env, &st, x86_stack_pop(env, &p, sz), sz);
        }
        x86_stack_push(env, &st, old_cs, sz);
        x86_stack_push(env, &st, next_eip, sz);
        x86_desc_set_accessed(env, ss, &se2);
        x86_load_seg_desc(env, X86_SEG_SS, ss, se1, se2);
    }
    x86_stack_commit(env, &st);
}

IR_HELPER(helper_lcall)
{
    X86CPU *env = env_;
    uint32_t sel = (uint32_t)a0 & 0xffff, e1, e2;
    uint64_t off = a1, next_eip = a3;
    unsigned opsize = (unsigned)a2;
    int cpl = cpl_of(env);
    X86Stack st;

    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_VM_MASK)) {
        x86_stack_cur(env, &st);
        x86_stack_push(env, &st, env->segs[X86_SEG_CS].selector, opsize);
        x86_stack_push(env, &st, next_eip, opsize);
        x86_stack_commit(env, &st);
        x86_load_seg_real(env, X86_SEG_CS, sel);
        env->eip = off;
        return 0;
    }
    if ((sel & SEL_MASK) == 0) {
        gp(env, 0);
    }
    if (!x86_load_desc(env, sel, &e1, &e2)) {
        gp(env, sel & SEL_MASK);
    }
    if (e2 & DESC_S_MASK) {
        check_direct_code(env, sel, e2, cpl);
        if (!is_code64(env, e2) && off > x86_desc_limit(e1, e2)) {
            gp(env, 0);
        }
        x86_stack_cur(env, &st);
        x86_stack_push(env, &st, env->segs[X86_SEG_CS].selector, opsize);
        x86_stack_push(env, &st, next_eip, opsize);
        x86_desc_set_accessed(env, sel, &e2);
        x86_stack_commit(env, &st);
        x86_load_seg_desc(env, X86_SEG_CS, (sel & SEL_MASK) | cpl, e1, e2);
        env->eip = off;
        return 0;
    }
    switch (SYS_TYPE(e2)) {
    case 1: case 5: case 9:
        x86_task_jmp_call(env, sel, e1, e2, true, next_eip);    /* task_switch.c */
        return 0;
    case 4:
        if (lma(env)) {
            gp(env, sel & SEL_MASK);
        }
        /* fall through */
    case 12: {
        GateTarget g;
        int dpl;
        read_call_gate(env, sel, e1, e2, cpl, &g);
        dpl = DPL_OF(g.e2);
        if (!is_code64(env, g.e2) && g.offset > x86_desc_limit(g.e1, g.e2)) {
            gp(env, 0);
        }
        x86_desc_set_accessed(env, g.sel, &g.e2);
        if (!(g.e2 & DESC_C_MASK) && dpl < cpl) {
            call_gate_inner(env, &g, next_eip);
        } else {
            x86_stack_cur(env, &st);
            x86_stack_push(env, &st, env->segs[X86_SEG_CS].selector, g.size);
            x86_stack_push(env, &st, next_eip, g.size);
            x86_stack_commit(env, &st);
            dpl = cpl;
        }
        x86_load_seg_desc(env, X86_SEG_CS, (g.sel & SEL_MASK) | dpl, g.e1, g.e2);
        env->eip = g.offset;
        return 0;
    }
    default:
        gp(env, sel & SEL_MASK);
    }
}

/* ---------------------------------------------------------------------------------------
 * RET far and IRET (SDM vol. 2 RET, IRET; 3A 5.8.6, 6.14.3, 20.3)
 * ------------------------------------------------------------------------------------- */

/* Checks of the code segment a RET/IRET returns to; loads its descriptor. */
static void check_return_cs(X86CPU *env, uint32_t cs, int cpl, uint32_t *e1, uint32_t *e2)
{
    int rpl = cs & 3, dpl;

    if ((cs & SEL_MASK) == 0) {
        gp(env, 0);
    }
    if (rpl < cpl) {
        gp(env, cs & SEL_MASK);
    }
    if (!x86_load_desc(env, cs, e1, e2)) {
        gp(env, cs & SEL_MASK);
    }
    if (!(*e2 & DESC_S_MASK) || !(*e2 & DESC_CS_MASK)) {
        gp(env, cs & SEL_MASK);
    }
    dpl = DPL_OF(*e2);
    if (*e2 & DESC_C_MASK) {
        if (dpl > rpl) {
            gp(env, cs & SEL_MASK);
        }
    } else if (dpl != rpl) {
        gp(env, cs & SEL_MASK);
    }
    if (!(*e2 & DESC_P_MASK)) {
        np(env, cs & SEL_MASK);
    }
    if (lma(env) && (*e2 & DESC_L_MASK) && (*e2 & DESC_B_MASK)) {
        gp(env, cs & SEL_MASK);
    }
}

/* Checks of the stack segment a RET/IRET to an outer level returns to; loads SS. */
static void load_return_ss(X86CPU *env, uint32_t ss, int rpl, uint32_t cs_e2)
{
    uint32_t e1, e2;

    if ((ss & SEL_MASK) == 0) {
        /* 64-bit mode may return to a 64-bit code segment at CPL 0..2 with a null SS */
        if (lma(env) && (cs_e2 & DESC_L_MASK) && rpl != 3) {
            load_null_ss(env, ss, rpl);
            return;
        }
        gp(env, 0);
    }
    if ((int)(ss & 3) != rpl || !x86_load_desc(env, ss, &e1, &e2)) {
        gp(env, ss & SEL_MASK);
    }
    if (!(e2 & DESC_S_MASK) || (e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK) ||
        (int)DPL_OF(e2) != rpl) {
        gp(env, ss & SEL_MASK);
    }
    if (!(e2 & DESC_P_MASK)) {
        ss_fault(env, ss & SEL_MASK);
    }
    x86_desc_set_accessed(env, ss, &e2);
    x86_load_seg_desc(env, X86_SEG_SS, ss, e1, e2);
}

/* The mask of the stack pointer after a return: from the new CS and SS. */
static uint64_t new_sp_mask(X86CPU *env, uint32_t cs_e2)
{
    if (is_code64(env, cs_e2)) {
        return ~0ull;
    }
    return (env->segs[X86_SEG_SS].flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
}

IR_HELPER(helper_lret)
{
    X86CPU *env = env_;
    unsigned opsize = (unsigned)a0;
    uint64_t addend = a1, new_eip, new_sp;
    uint32_t new_cs, new_ss, e1, e2;
    int cpl = cpl_of(env), rpl;
    X86Stack st;

    x86_stack_cur(env, &st);
    new_eip = x86_stack_pop(env, &st, opsize);
    new_cs = (uint32_t)x86_stack_pop(env, &st, opsize) & 0xffff;
    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_VM_MASK)) {
        stack_skip(&st, addend);
        x86_stack_commit(env, &st);
        x86_load_seg_real(env, X86_SEG_CS, new_cs);
        env->eip = new_eip;
        return 0;
    }
    check_return_cs(env, new_cs, cpl, &e1, &e2);
    if (is_code64(env, e2) && !canonical(new_eip)) {
        gp(env, 0);
    }
    rpl = new_cs & 3;
    stack_skip(&st, addend);
    if (rpl == cpl) {
        x86_desc_set_accessed(env, new_cs, &e2);
        x86_stack_commit(env, &st);
        x86_load_seg_desc(env, X86_SEG_CS, new_cs, e1, e2);
        env->eip = new_eip;
        return 0;
    }
    /* return to an outer privilege level: the caller's SS:ESP follow */
    new_sp = x86_stack_pop(env, &st, opsize);
    new_ss = (uint32_t)x86_stack_pop(env, &st, opsize) & 0xffff;
    x86_desc_set_accessed(env, new_cs, &e2);
    load_return_ss(env, new_ss, rpl, e2);
    x86_load_seg_desc(env, X86_SEG_CS, new_cs, e1, e2);
    x86_set_sp(env, new_sp + addend, new_sp_mask(env, e2));
    env->eip = new_eip;
    validate_data_segs(env, rpl);
    return 0;
}

static void iret_real(X86CPU *env, unsigned opsize)
{
    uint64_t new_eip, fl, mask;
    uint32_t new_cs;
    X86Stack st;

    x86_stack_cur(env, &st);
    new_eip = x86_stack_pop(env, &st, opsize);
    new_cs = (uint32_t)x86_stack_pop(env, &st, opsize) & 0xffff;
    fl = x86_stack_pop(env, &st, opsize);
    x86_stack_commit(env, &st);
    x86_load_seg_real(env, X86_SEG_CS, new_cs);
    env->eip = new_eip;
    mask = CC_MASK | DF_MASK | TF_MASK | IF_MASK | NT_MASK | RF_MASK | AC_MASK | ID_MASK;
    if (!(env->eflags & VM_MASK)) {
        mask |= IOPL_MASK;      /* virtual-8086 mode keeps IOPL */
    }
    if (opsize == 2) {
        mask &= 0xffff;
    }
    x86_eflags_set(env, fl, mask);
    x86_update_hflags(env);
}

/* IRET from protected mode (CPL 0) back to virtual-8086 mode (SDM 20.3.1). */
static void iret_to_vm86(X86CPU *env, X86Stack *st, uint64_t new_eip, uint32_t new_cs,
                         uint64_t fl)
{
    uint32_t new_esp = (uint32_t)x86_stack_pop(env, st, 4);
    uint32_t new_ss = (uint32_t)x86_stack_pop(env, st, 4);
    uint32_t es = (uint32_t)x86_stack_pop(env, st, 4);
    uint32_t ds = (uint32_t)x86_stack_pop(env, st, 4);
    uint32_t fs = (uint32_t)x86_stack_pop(env, st, 4);
    uint32_t gs = (uint32_t)x86_stack_pop(env, st, 4);

    x86_eflags_set(env, fl, EFLAGS_ALL);
    x86_load_seg_real(env, X86_SEG_CS, new_cs);
    x86_load_seg_real(env, X86_SEG_SS, new_ss);
    x86_load_seg_real(env, X86_SEG_ES, es);
    x86_load_seg_real(env, X86_SEG_DS, ds);
    x86_load_seg_real(env, X86_SEG_FS, fs);
    x86_load_seg_real(env, X86_SEG_GS, gs);
    env->regs[R_ESP] = new_esp;
    env->eip = new_eip & 0xffff;
    x86_update_hflags(env);
}

/* IRET with NT set: the checks of the back link (SDM IRET, TASK-RETURN), then the task
 * switch (task_switch.c). */
static void iret_task_return(X86CPU *env, uint64_t next_eip)
{
    uint32_t link = (uint32_t)x86_ld_kernel(env, env->tr.base, MO_16), e1, e2;
    int type;

    if ((link & 4) || !x86_load_desc(env, link, &e1, &e2)) {
        ts_fault(env, link & SEL_MASK);
    }
    type = SYS_TYPE(e2);
    if ((e2 & DESC_S_MASK) || (type != 3 && type != 11)) {
        ts_fault(env, link & SEL_MASK);
    }
    if (!(e2 & DESC_P_MASK)) {
        np(env, link & SEL_MASK);
    }
    x86_task_iret(env, link, e1, e2, next_eip);
}

static void iret_prot(X86CPU *env, unsigned opsize, uint64_t next_eip)
{
    int cpl = cpl_of(env), iopl = (env->eflags >> IOPL_SHIFT) & 3, rpl;
    uint64_t new_eip, fl, mask, new_sp;
    uint32_t new_cs, new_ss, e1, e2;
    bool pop_ss;
    X86Stack st;

    if (env->eflags & NT_MASK) {
        if (lma(env)) {
            gp(env, 0);
        }
        iret_task_return(env, next_eip);
        return;
    }
    x86_stack_cur(env, &st);
    new_eip = x86_stack_pop(env, &st, opsize);
    new_cs = (uint32_t)x86_stack_pop(env, &st, opsize) & 0xffff;
    fl = x86_stack_pop(env, &st, opsize);
    if (opsize == 4 && !lma(env) && (fl & VM_MASK) && cpl == 0) {
        iret_to_vm86(env, &st, new_eip, new_cs, fl);
        return;
    }
    check_return_cs(env, new_cs, cpl, &e1, &e2);
    if (is_code64(env, e2) && !canonical(new_eip)) {
        gp(env, 0);
    }
    rpl = new_cs & 3;

    /* what the old CPL allows IRET to change */
    mask = CC_MASK | DF_MASK | TF_MASK | NT_MASK | RF_MASK | AC_MASK | ID_MASK;
    if (cpl <= iopl) {
        mask |= IF_MASK;
    }
    if (cpl == 0) {
        mask |= IOPL_MASK | VIF_MASK | VIP_MASK;
    }
    if (opsize == 2) {
        mask &= 0xffff;
    }

    /* 64-bit mode always pops SS:RSP; otherwise only on a return to an outer level */
    pop_ss = (env->hflags & HF_CS64_MASK) || rpl != cpl;
    if (!pop_ss) {
        x86_desc_set_accessed(env, new_cs, &e2);
        x86_stack_commit(env, &st);
        x86_load_seg_desc(env, X86_SEG_CS, new_cs, e1, e2);
        env->eip = new_eip;
    } else {
        new_sp = x86_stack_pop(env, &st, opsize);
        new_ss = (uint32_t)x86_stack_pop(env, &st, opsize) & 0xffff;
        x86_desc_set_accessed(env, new_cs, &e2);
        load_return_ss(env, new_ss, rpl, e2);
        x86_load_seg_desc(env, X86_SEG_CS, new_cs, e1, e2);
        x86_set_sp(env, new_sp, new_sp_mask(env, e2));
        env->eip = new_eip;
    }
    x86_eflags_set(env, fl, mask);
    if (rpl > cpl) {
        validate_data_segs(env, rpl);
    }
    x86_update_hflags(env);
}

IR_HELPER(helper_iret)
{
    X86CPU *env = env_;
    unsigned opsize = (unsigned)a0;

    if (!(env->hflags & HF_PE_MASK)) {
        iret_real(env, opsize);
    } else if (env->hflags & HF_VM_MASK) {
        if (((env->eflags >> IOPL_SHIFT) & 3) != 3) {
            gp(env, 0);
        }
        iret_real(env, opsize);
    } else {
        iret_prot(env, opsize, a1);
    }
    /* IRET ends the NMI handler's blocking (SDM 6.7.1) */
    x86_sys_state(env)->nmi_blocked = false;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * LLDT, LTR, LGDT/LIDT, SGDT/SIDT
 * ------------------------------------------------------------------------------------- */

static void check_system_insn(X86CPU *env)
{
    if (!(env->hflags & HF_PE_MASK) || (env->hflags & HF_VM_MASK)) {
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    if (cpl_of(env) != 0) {
        gp(env, 0);
    }
}

/* Read a system descriptor (LDT or TSS) of the GDT for LLDT/LTR. */
static uint64_t load_system_desc(X86CPU *env, uint32_t sel, uint32_t *e1, uint32_t *e2,
                                 uint64_t *addr)
{
    unsigned size = lma(env) ? 16 : 8;
    uint64_t base, v;

    if (sel & 4) {
        gp(env, sel & SEL_MASK);
    }
    if (!x86_desc_addr(env, sel, size, addr)) {
        gp(env, sel & SEL_MASK);
    }
    v = x86_ld_kernel(env, *addr, MO_64);
    *e1 = (uint32_t)v;
    *e2 = (uint32_t)(v >> 32);
    base = x86_desc_base(*e1, *e2);
    if (lma(env)) {
        uint64_t hi = x86_ld_kernel(env, *addr + 8, MO_64);
        if (((hi >> 40) & 0x1f) != 0) {
            gp(env, sel & SEL_MASK);
        }
        base |= (hi & 0xffffffffu) << 32;
        if (!canonical(base)) {
            gp(env, sel & SEL_MASK);
        }
    }
    return base;
}

IR_HELPER(helper_lldt)
{
    X86CPU *env = env_;
    uint32_t sel = (uint32_t)a0 & 0xffff, e1, e2;
    uint64_t base, addr;

    check_system_insn(env);
    if ((sel & SEL_MASK) == 0) {
        env->ldt.selector = sel;
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
        return 0;
    }
    base = load_system_desc(env, sel, &e1, &e2, &addr);
    if ((e2 & DESC_S_MASK) || SYS_TYPE(e2) != 2) {
        gp(env, sel & SEL_MASK);
    }
    if (!(e2 & DESC_P_MASK)) {
        np(env, sel & SEL_MASK);
    }
    env->ldt.selector = sel;
    env->ldt.base = base;
    env->ldt.limit = x86_desc_limit(e1, e2);
    env->ldt.flags = e2 & 0x00ffff00u;
    return 0;
}

IR_HELPER(helper_ltr)
{
    X86CPU *env = env_;
    uint32_t sel = (uint32_t)a0 & 0xffff, e1, e2;
    uint64_t base, addr;
    int type;

    check_system_insn(env);
    if ((sel & SEL_MASK) == 0) {
        gp(env, 0);
    }
    base = load_system_desc(env, sel, &e1, &e2, &addr);
    type = SYS_TYPE(e2);
    if ((e2 & DESC_S_MASK) || (type != 1 && type != 9) || (lma(env) && type != 9)) {
        gp(env, sel & SEL_MASK);
    }
    if (!(e2 & DESC_P_MASK)) {
        np(env, sel & SEL_MASK);
    }
    e2 |= 2 << DESC_TYPE_SHIFT;     /* busy */
    x86_st_kernel(env, addr + 4, e2, MO_32);
    env->tr.selector = sel;
    env->tr.base = base;
    env->tr.limit = x86_desc_limit(e1, e2);
    env->tr.flags = e2 & 0x00ffff00u;
    return 0;
}

/* a0 linear address, a1 0=GDT 1=IDT, a2 operand size (2/4/8; 0: 8 in 64-bit mode, else 4) */
IR_HELPER(helper_lgdt_lidt)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);
    TableReg *t = a1 ? &env->idt : &env->gdt;
    unsigned opsize = a2 ? (unsigned)a2 : (env->hflags & HF_CS64_MASK) ? 8 : 4;
    int idx = x86_mmu_index(env);
    uint64_t base;
    uint32_t limit;

    if ((env->hflags & HF_PE_MASK) && cpl_of(env) != 0) {
        gp(env, 0);
    }
    limit = (uint32_t)cpu_ld_mmu(cs, a0, MO_16, idx);
    if (env->hflags & HF_CS64_MASK) {
        base = cpu_ld_mmu(cs, a0 + 2, MO_64, idx);
        if (!canonical(base)) {
            gp(env, 0);
        }
    } else {
        base = cpu_ld_mmu(cs, (uint32_t)(a0 + 2), MO_32, idx);
        if (opsize == 2) {
            base &= 0xffffff;
        }
    }
    t->base = base;
    t->limit = limit;
    return 0;
}

/* a0 linear address, a1 0=GDT 1=IDT, a2 operand size as for helper_lgdt_lidt */
IR_HELPER(helper_sgdt_sidt)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);
    TableReg *t = a1 ? &env->idt : &env->gdt;
    unsigned opsize = a2 ? (unsigned)a2 : (env->hflags & HF_CS64_MASK) ? 8 : 4;
    int idx = x86_mmu_index(env);

    if ((env->cr[4] & CR4_UMIP) && cpl_of(env) > 0) {
        gp(env, 0);
    }
    cpu_st_mmu(cs, a0, t->limit & 0xffff, MO_16, idx);
    if (env->hflags & HF_CS64_MASK) {
        cpu_st_mmu(cs, a0 + 2, t->base, MO_64, idx);
    } else {
        uint64_t base = opsize == 2 ? t->base & 0xffffff : (uint32_t)t->base;
        cpu_st_mmu(cs, (uint32_t)(a0 + 2), base, MO_32, idx);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * LAR, LSL, VERR, VERW, ARPL: ZF reports the result
 * ------------------------------------------------------------------------------------- */

static void set_zf(X86CPU *env, bool zf)
{
    x86_eflags_set(env, zf ? CC_Z : 0, CC_Z);
}

/* The descriptor is visible to LAR (is_lsl false) or LSL at the current CPL and RPL. */
static bool lar_lsl_ok(X86CPU *env, uint32_t sel, bool is_lsl, uint32_t *e1, uint32_t *e2)
{
    int cpl = cpl_of(env), rpl = sel & 3, dpl;

    if ((sel & SEL_MASK) == 0 || !x86_load_desc(env, sel, e1, e2)) {
        return false;
    }
    dpl = DPL_OF(*e2);
    if (*e2 & DESC_S_MASK) {
        if ((*e2 & DESC_CS_MASK) && (*e2 & DESC_C_MASK)) {
            return true;
        }
    } else {
        /* valid system types: LAR 1,2,3,4,5,9,11,12 (long mode 2,9,11,12); LSL 1,2,3,9,11
         * (long mode 2,9,11) */
        static const uint16_t lar_legacy = 0x1a3e, lar_long = 0x1a04;
        static const uint16_t lsl_legacy = 0x0a0e, lsl_long = 0x0a04;
        uint16_t ok = is_lsl ? (lma(env) ? lsl_long : lsl_legacy)
                             : (lma(env) ? lar_long : lar_legacy);
        if (!(ok & (1u << SYS_TYPE(*e2)))) {
            return false;
        }
    }
    return dpl >= cpl && dpl >= rpl;
}

/* Returns the access rights (e2 & 0x00f0ff00) with ZF=1, or 0 with ZF=0 (the destination
 * must then be left unchanged by the translator). */
IR_HELPER(helper_lar)
{
    X86CPU *env = env_;
    uint32_t e1, e2;
    bool ok = lar_lsl_ok(env, (uint32_t)a0 & 0xffff, false, &e1, &e2);

    set_zf(env, ok);
    return ok ? (e2 & 0x00f0ff00u) : 0;
}

IR_HELPER(helper_lsl)
{
    X86CPU *env = env_;
    uint32_t e1, e2;
    bool ok = lar_lsl_ok(env, (uint32_t)a0 & 0xffff, true, &e1, &e2);

    set_zf(env, ok);
    return ok ? x86_desc_limit(e1, e2) : 0;
}

static bool verr_verw_ok(X86CPU *env, uint32_t sel, bool write)
{
    int cpl = cpl_of(env), rpl = sel & 3, dpl;
    uint32_t e1, e2;

    if ((sel & SEL_MASK) == 0 || !x86_load_desc(env, sel, &e1, &e2) || !(e2 & DESC_S_MASK)) {
        return false;
    }
    dpl = DPL_OF(e2);
    if (e2 & DESC_CS_MASK) {
        if (write || !(e2 & DESC_R_MASK)) {
            return false;
        }
        if (e2 & DESC_C_MASK) {
            return true;
        }
    } else if (write && !(e2 & DESC_W_MASK)) {
        return false;
    }
    return dpl >= cpl && dpl >= rpl;
}

IR_HELPER(helper_verr)
{
    X86CPU *env = env_;

    set_zf(env, verr_verw_ok(env, (uint32_t)a0 & 0xffff, false));
    return 0;
}

IR_HELPER(helper_verw)
{
    X86CPU *env = env_;

    set_zf(env, verr_verw_ok(env, (uint32_t)a0 & 0xffff, true));
    return 0;
}

IR_HELPER(helper_arpl)
{
    X86CPU *env = env_;
    uint64_t dest = a0;

    if ((dest & 3) < (a1 & 3)) {
        dest = (dest & ~3ull) | (a1 & 3);
        set_zf(env, true);
    } else {
        set_zf(env, false);
    }
    return dest;
}

/* ---------------------------------------------------------------------------------------
 * SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS (SDM 5.8.7, 5.8.8 and vol. 2)
 * ------------------------------------------------------------------------------------- */

#define FLAT_CODE (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK | \
                   DESC_G_MASK)
#define FLAT_DATA (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | DESC_G_MASK | \
                   DESC_B_MASK)

static void load_flat_code(X86CPU *env, uint32_t sel, int dpl, bool is64)
{
    x86_load_seg_cache(env, X86_SEG_CS, sel, 0, 0xffffffffu,
                       FLAT_CODE | ((uint32_t)dpl << DESC_DPL_SHIFT) |
                       (is64 ? DESC_L_MASK : DESC_B_MASK));
}

static void load_flat_stack(X86CPU *env, uint32_t sel, int dpl)
{
    x86_load_seg_cache(env, X86_SEG_SS, sel, 0, 0xffffffffu,
                       FLAT_DATA | ((uint32_t)dpl << DESC_DPL_SHIFT));
}

IR_HELPER(helper_syscall)
{
    X86CPU *env = env_;
    uint64_t next_eip = a0;
    uint32_t sel = (uint32_t)(env->star >> 32) & 0xffff;

    /* Intel: only in 64-bit mode (SDM vol. 2B); AMD: also legacy and compatibility mode */
    if (!(env->efer & EFER_SCE) ||
        (!x86_vendor_amd(env) && !(env->hflags & HF_CS64_MASK))) {
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    if (lma(env)) {
        bool from64 = env->hflags & HF_CS64_MASK;
        uint64_t fl = x86_eflags_get(env);
        env->regs[R_ECX] = next_eip;
        env->regs[R_R11] = fl;
        x86_eflags_set(env, fl & ~(env->fmask | RF_MASK), EFLAGS_ALL);
        load_flat_code(env, sel & SEL_MASK, 0, true);
        load_flat_stack(env, (sel + 8) & SEL_MASK, 0);
        env->eip = from64 ? env->lstar : env->cstar;
    } else {
        env->regs[R_ECX] = (uint32_t)next_eip;
        env->eflags &= ~(uint64_t)(IF_MASK | RF_MASK | VM_MASK);
        load_flat_code(env, sel & SEL_MASK, 0, false);
        load_flat_stack(env, (sel + 8) & SEL_MASK, 0);
        env->eip = (uint32_t)env->star;
    }
    x86_update_hflags(env);
    return 0;
}

IR_HELPER(helper_sysret)
{
    X86CPU *env = env_;
    unsigned opsize = (unsigned)a0;
    uint32_t sel = (uint32_t)(env->star >> 48) & 0xffff;

    if (!(env->efer & EFER_SCE) ||
        (!x86_vendor_amd(env) && !(env->hflags & HF_CS64_MASK))) {
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    if (!(env->hflags & HF_PE_MASK) || cpl_of(env) != 0) {
        gp(env, 0);
    }
    if (lma(env)) {
        uint64_t rip = env->regs[R_ECX];
        if (opsize == 8) {
            if (!canonical(rip)) {
                gp(env, 0);
            }
        } else {
            rip = (uint32_t)rip;
        }
        x86_eflags_set(env, (env->regs[R_R11] & ~(uint64_t)(RF_MASK | VM_MASK)) | 2,
                       EFLAGS_ALL);
        if (opsize == 8) {
            load_flat_code(env, (sel + 16) | 3, 3, true);
        } else {
            load_flat_code(env, sel | 3, 3, false);
        }
        load_flat_stack(env, (sel + 8) | 3, 3);
        env->eip = rip;
    } else {
        env->eflags |= IF_MASK;
        load_flat_code(env, sel | 3, 3, false);
        load_flat_stack(env, (sel + 8) | 3, 3);
        env->eip = (uint32_t)env->regs[R_ECX];
    }
    x86_update_hflags(env);
    return 0;
}

IR_HELPER(helper_sysenter)
{
    X86CPU *env = env_;
    uint32_t sel = (uint32_t)env->sysenter_cs & 0xffff;

    if (x86_vendor_amd(env) && lma(env)) {
        x86_raise_exception(env, EXCP06_ILLOP);     /* AMD: invalid in long mode */
    }
    if (!(env->hflags & HF_PE_MASK) || (sel & SEL_MASK) == 0) {
        gp(env, 0);
    }
    env->eflags &= ~(uint64_t)(VM_MASK | IF_MASK | RF_MASK);
    if (lma(env)) {
        load_flat_code(env, sel & SEL_MASK, 0, true);
        load_flat_stack(env, (sel + 8) & SEL_MASK, 0);
        env->regs[R_ESP] = env->sysenter_esp;
        env->eip = env->sysenter_eip;
    } else {
        load_flat_code(env, sel & SEL_MASK, 0, false);
        load_flat_stack(env, (sel + 8) & SEL_MASK, 0);
        env->regs[R_ESP] = (uint32_t)env->sysenter_esp;
        env->eip = (uint32_t)env->sysenter_eip;
    }
    x86_update_hflags(env);
    return 0;
}

IR_HELPER(helper_sysexit)
{
    X86CPU *env = env_;
    unsigned opsize = (unsigned)a0;
    uint32_t sel = (uint32_t)env->sysenter_cs & 0xffff;

    if (x86_vendor_amd(env) && lma(env)) {
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    if (!(env->hflags & HF_PE_MASK) || cpl_of(env) != 0 || (sel & SEL_MASK) == 0) {
        gp(env, 0);
    }
    if (opsize == 8) {
        load_flat_code(env, ((sel + 32) & SEL_MASK) | 3, 3, true);
        load_flat_stack(env, ((sel + 40) & SEL_MASK) | 3, 3);
        env->regs[R_ESP] = env->regs[R_ECX];
        env->eip = env->regs[R_EDX];
    } else {
        load_flat_code(env, ((sel + 16) & SEL_MASK) | 3, 3, false);
        load_flat_stack(env, ((sel + 24) & SEL_MASK) | 3, 3);
        env->regs[R_ESP] = (uint32_t)env->regs[R_ECX];
        env->eip = (uint32_t)env->regs[R_EDX];
    }
    x86_update_hflags(env);
    return 0;
}

IR_HELPER(helper_swapgs)
{
    X86CPU *env = env_;
    uint64_t t;

    if (!(env->hflags & HF_CS64_MASK)) {
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    if (cpl_of(env) != 0) {
        gp(env, 0);
    }
    t = env->segs[X86_SEG_GS].base;
    env->segs[X86_SEG_GS].base = env->kernel_gs_base;
    env->kernel_gs_base = t;
    return 0;
}

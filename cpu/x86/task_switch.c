/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/task_switch.c — hardware task switching of the x86 CPU.
 *
 * Models (Intel SDM vol. 3A ch. 7 "Task Management", and the vol. 2 pages of JMP, CALL,
 * IRET and INT n): task switches to 32-bit (type 9/11) and 16-bit (type 1/3) TSSs by JMP
 * or CALL to a TSS descriptor or to a task gate in the GDT or LDT, by IRET with EFLAGS.NT
 * set (through the previous task link), and by interrupts and exceptions through a task
 * gate in the IDT (the error code, if any, pushed on the new task's stack). The checks
 * before the commit point fault in the old task's context; after it, the new task's state
 * is in place and the segment checks of table 7-1 (in its P6 order) fault in the new
 * task's context. Busy bits, the back link and NT follow table 7-2; every switch sets
 * CR0.TS and clears the local breakpoint enables of DR7 (17.2.4); a 32-bit TSS loads CR3
 * while paging is on, and its T bit raises a #DB trap before the new task's first
 * instruction. A TSS with EFLAGS.VM set starts the new task in virtual-8086 mode with its
 * segments loaded the real-mode way.
 *
 * Where the SDM leaves it open: a 16-bit TSS leaves the upper halves of the general
 * registers as they were and gives FS and GS null selectors; after a fault past the commit
 * point the segment registers not yet checked hold their new selectors with unusable (not
 * present) caches, SS with the new CPL as its DPL.
 *
 * Not modelled: task switches in IA-32e mode (there are none: #GP, as the SDM says); the
 * PAE PDPTEs are not loaded at the CR3 load (the page walk reads them, see mmu.c); the
 * segment limit check of the error-code push; a page fault on a descriptor store before
 * the commit point may leave the old task's busy bit already cleared.
 */
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"

#define SEL_MASK 0xfffc
#define DPL_OF(e2) (((e2) >> DESC_DPL_SHIFT) & 3)
#define SYS_TYPE(e2) (((e2) >> DESC_TYPE_SHIFT) & 0xf)
/* type bit 1 of a TSS descriptor: busy (3/11) versus available (1/9) */
#define TSS_BUSY_MASK (2u << DESC_TYPE_SHIFT)

/* EFLAGS bits a 32-bit TSS loads (the others are reserved) */
#define TASK_EFLAGS (CC_MASK | TF_MASK | IF_MASK | DF_MASK | IOPL_MASK | NT_MASK | RF_MASK | \
                     VM_MASK | AC_MASK | VIF_MASK | VIP_MASK | ID_MASK)

typedef enum TaskSource {
    TASK_JMP,
    TASK_CALL,
    TASK_IRET,
    TASK_INT,       /* interrupt or exception */
} TaskSource;

/* Where a TSS keeps the dynamic state (SDM figures 7-2 and 7-11). */
typedef struct TssLayout {
    unsigned eip, eflags, regs, segs, ldt, trap;
    unsigned width;         /* bytes per register and per selector slot */
    unsigned nsegs;         /* ES CS SS DS (FS GS), in X86_SEG_* order */
    uint32_t min_limit;     /* the smallest limit a new TSS may have */
    uint32_t save_end;      /* the last byte written when the task is suspended */
} TssLayout;

static const TssLayout tss32_layout = {
    .eip = 0x20, .eflags = 0x24, .regs = 0x28, .segs = 0x48, .ldt = 0x60, .trap = 0x64,
    .width = 4, .nsegs = 6, .min_limit = 0x67, .save_end = 0x5f,
};
static const TssLayout tss16_layout = {
    .eip = 0x0e, .eflags = 0x10, .regs = 0x12, .segs = 0x22, .ldt = 0x2a, .trap = 0,
    .width = 2, .nsegs = 4, .min_limit = 0x2b, .save_end = 0x29,
};

/* The new task's state, read whole before anything is written. */
typedef struct TaskState {
    uint32_t cr3, eip, eflags, regs[8], segs[6], ldt;
    bool trap;
} TaskState;

static inline int cpl_of(X86CPU *env)
{
    return env->hflags & HF_CPL_MASK;
}

static inline const TssLayout *tss_layout(uint32_t flags)
{
    return (SYS_TYPE(flags) & 8) ? &tss32_layout : &tss16_layout;
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

static inline unsigned width_memop(unsigned width)
{
    return width == 4 ? MO_32 : MO_16;
}

static void read_task_state(X86CPU *env, uint64_t base, const TssLayout *l, TaskState *ns)
{
    unsigned mo = width_memop(l->width);

    ns->cr3 = l->width == 4 ? (uint32_t)x86_ld_kernel(env, base + 0x1c, MO_32) : 0;
    ns->eip = (uint32_t)x86_ld_kernel(env, base + l->eip, mo);
    ns->eflags = (uint32_t)x86_ld_kernel(env, base + l->eflags, mo);
    for (int i = 0; i < 8; i++) {
        ns->regs[i] = (uint32_t)x86_ld_kernel(env, base + l->regs + i * l->width, mo);
    }
    for (int i = 0; i < 6; i++) {
        ns->segs[i] = i < (int)l->nsegs
                      ? (uint32_t)x86_ld_kernel(env, base + l->segs + i * l->width, MO_16)
                      : 0;
    }
    ns->ldt = (uint32_t)x86_ld_kernel(env, base + l->ldt, MO_16);
    ns->trap = l->trap && (x86_ld_kernel(env, base + l->trap, MO_16) & 1);
}

/* Suspend the current task into its TSS (the dynamic fields only: 7.2.1). */
static void save_task_state(X86CPU *env, const TssLayout *l, uint64_t eip, uint64_t eflags)
{
    uint64_t base = env->tr.base;
    unsigned mo = width_memop(l->width);

    x86_st_kernel(env, base + l->eip, eip, mo);
    x86_st_kernel(env, base + l->eflags, eflags, mo);
    for (int i = 0; i < 8; i++) {
        x86_st_kernel(env, base + l->regs + i * l->width, env->regs[i], mo);
    }
    for (int i = 0; i < (int)l->nsegs; i++) {
        x86_st_kernel(env, base + l->segs + i * l->width, env->segs[i].selector, MO_16);
    }
}

/* Set or clear the busy bit of the TSS descriptor sel in the GDT. */
static void set_tss_busy(X86CPU *env, uint32_t sel, bool busy)
{
    uint64_t a;
    uint32_t e2;

    if (!x86_desc_addr(env, sel & ~4u, 8, &a)) {
        return;
    }
    e2 = (uint32_t)x86_ld_kernel(env, a + 4, MO_32);
    e2 = busy ? (e2 | TSS_BUSY_MASK) : (e2 & ~TSS_BUSY_MASK);
    x86_st_kernel(env, a + 4, e2, MO_32);
}

/* A descriptor for sel in the GDT or LDT (no null selector); false when it cannot be read. */
static bool read_seg_desc(X86CPU *env, uint32_t sel, uint32_t *e1, uint32_t *e2)
{
    return (sel & SEL_MASK) != 0 && x86_load_desc(env, sel, e1, e2);
}

/*
 * The LDT of the new task: its selector was loaded with the rest of the state; a valid one
 * (in the GDT, an LDT descriptor) gives the LDTR its base and limit now, so that the
 * segment descriptors can be read, while its P bit is checked later (table 7-1 order).
 */
static void load_task_ldt(X86CPU *env, uint32_t sel, int ext, uint32_t *e2_out)
{
    uint32_t e1, e2;

    *e2_out = DESC_P_MASK;
    if ((sel & SEL_MASK) == 0) {
        return;     /* a null LDT is valid: only LDT references fault, later */
    }
    if ((sel & 4) || !x86_load_desc(env, sel, &e1, &e2) || (e2 & DESC_S_MASK) ||
        SYS_TYPE(e2) != 2) {
        ts_fault(env, (sel & SEL_MASK) | ext);
    }
    env->ldt.base = x86_desc_base(e1, e2);
    env->ldt.limit = x86_desc_limit(e1, e2);
    env->ldt.flags = e2 & 0x00ffff00u;
    *e2_out = e2;
}

static void check_task_ldt_present(X86CPU *env, uint32_t e2, int ext)
{
    if (!(e2 & DESC_P_MASK)) {
        uint32_t sel = env->ldt.selector;
        /* an LDT that is not present must not serve later descriptor loads */
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
        ts_fault(env, (sel & SEL_MASK) | ext);
    }
}

/* CS and SS of a protected-mode task (table 7-1 rows 5 to 12, with the LDT present check
 * between them), each loaded as soon as its descriptor passed. */
static void load_task_cs_ss(X86CPU *env, const TaskState *ns, int cpl, uint32_t ldt_e2,
                            int ext)
{
    uint32_t cs = ns->segs[X86_SEG_CS], ss = ns->segs[X86_SEG_SS];
    uint32_t ce1 = 0, ce2 = 0, se1 = 0, se2 = 0;
    bool cs_ok = read_seg_desc(env, cs, &ce1, &ce2) && (ce2 & DESC_S_MASK) &&
                 (ce2 & DESC_CS_MASK);
    int cdpl = DPL_OF(ce2);

    /* the code segment's DPL against its selector's RPL, i.e. the new CPL */
    if (cs_ok && ((ce2 & DESC_C_MASK) ? cdpl > cpl : cdpl != cpl)) {
        ts_fault(env, (cs & SEL_MASK) | ext);
    }
    if (!read_seg_desc(env, ss, &se1, &se2) || !(se2 & DESC_S_MASK) ||
        (se2 & DESC_CS_MASK) || !(se2 & DESC_W_MASK)) {
        ts_fault(env, (ss & SEL_MASK) | ext);
    }
    if (!(se2 & DESC_P_MASK)) {
        ss_fault(env, (ss & SEL_MASK) | ext);
    }
    if ((int)DPL_OF(se2) != cpl) {
        ts_fault(env, (ss & SEL_MASK) | ext);
    }
    /* a usable stack from here on, for handlers of the faults that follow (#NP(CS)) */
    x86_desc_set_accessed(env, ss, &se2);
    x86_load_seg_desc(env, X86_SEG_SS, ss, se1, se2);
    check_task_ldt_present(env, ldt_e2, ext);
    if (!cs_ok) {
        ts_fault(env, (cs & SEL_MASK) | ext);
    }
    if (!(ce2 & DESC_P_MASK)) {
        np(env, (cs & SEL_MASK) | ext);
    }
    x86_desc_set_accessed(env, cs, &ce2);
    x86_load_seg_desc(env, X86_SEG_CS, cs, ce1, ce2);
    if ((int)(ss & 3) != cpl) {
        ts_fault(env, (ss & SEL_MASK) | ext);
    }
}

/* DS, ES, FS, GS (table 7-1 rows 13 to 16): each check is made for all four before the
 * next one; null selectors stay null. */
static void load_task_data_segs(X86CPU *env, const TaskState *ns, int cpl, int ext)
{
    static const int order[4] = { X86_SEG_DS, X86_SEG_ES, X86_SEG_FS, X86_SEG_GS };
    uint32_t e1[4] = { 0 }, e2[4] = { 0 }, sel[4];

    for (int i = 0; i < 4; i++) {
        sel[i] = ns->segs[order[i]];
        if ((sel[i] & SEL_MASK) != 0 &&
            (!x86_load_desc(env, sel[i], &e1[i], &e2[i]) || !(e2[i] & DESC_S_MASK))) {
            ts_fault(env, (sel[i] & SEL_MASK) | ext);
        }
    }
    for (int i = 0; i < 4; i++) {
        if ((sel[i] & SEL_MASK) != 0 && (e2[i] & DESC_CS_MASK) && !(e2[i] & DESC_R_MASK)) {
            ts_fault(env, (sel[i] & SEL_MASK) | ext);
        }
    }
    for (int i = 0; i < 4; i++) {
        if ((sel[i] & SEL_MASK) != 0 && !(e2[i] & DESC_P_MASK)) {
            np(env, (sel[i] & SEL_MASK) | ext);
        }
    }
    for (int i = 0; i < 4; i++) {
        int dpl = DPL_OF(e2[i]);
        bool conforming = (e2[i] & DESC_CS_MASK) && (e2[i] & DESC_C_MASK);
        if ((sel[i] & SEL_MASK) != 0 && !conforming &&
            (dpl < cpl || dpl < (int)(sel[i] & 3))) {
            ts_fault(env, (sel[i] & SEL_MASK) | ext);
        }
    }
    for (int i = 0; i < 4; i++) {
        if ((sel[i] & SEL_MASK) != 0) {
            x86_desc_set_accessed(env, sel[i], &e2[i]);
            x86_load_seg_desc(env, order[i], sel[i], e1[i], e2[i]);
        }
    }
}

/*
 * The switch proper (7.3 steps 3 to 13) to the TSS sel whose descriptor e1/e2 passed the
 * caller's selector, privilege, type and present checks. next_eip: the old task's EIP.
 * Returns with the new task's state loaded; *trap tells whether its T bit was set.
 */
static void task_switch(X86CPU *env, uint32_t sel, uint32_t e1, uint32_t e2, TaskSource src,
                        uint64_t next_eip, int ext, bool *trap)
{
    const TssLayout *nl = tss_layout(e2), *ol = tss_layout(env->tr.flags);
    uint64_t base = x86_desc_base(e1, e2), old_fl;
    uint32_t limit = x86_desc_limit(e1, e2), old_sel = env->tr.selector, ldt_e2;
    TaskState ns;
    bool vm86;
    int cpl;

    if (log_enabled(LOG_INT)) {
        static const char *const names[] = { "JMP", "CALL", "IRET", "interrupt" };
        log_printf("x86: CPU %d task switch (%s) from TSS 0x%04x to 0x%04x\n",
                   x86_cs(env)->index, names[src], old_sel, sel);
    }
    if (limit < nl->min_limit) {
        ts_fault(env, (sel & SEL_MASK) | ext);
    }
    /* the old TSS must hold what is saved in it (a fault on those stores: #TS) */
    if (env->tr.limit < ol->save_end) {
        ts_fault(env, (old_sel & SEL_MASK) | ext);
    }

    /*
     * Before the commit point every access that can fault is made while nothing of the
     * CPU state has changed yet: a page fault returns to the old task, which can simply
     * retry. The new state is read first: the stores below may overlap it.
     */
    read_task_state(env, base, nl, &ns);
    old_fl = x86_eflags_get(env);
    if (src == TASK_IRET) {
        old_fl &= ~(uint64_t)NT_MASK;       /* the old task is no longer nested */
    }
    save_task_state(env, ol, next_eip, old_fl);
    if (src == TASK_JMP || src == TASK_IRET) {
        set_tss_busy(env, old_sel, false);
    }
    if (src != TASK_IRET) {
        set_tss_busy(env, sel, true);
        e2 |= TSS_BUSY_MASK;
    }
    if (src == TASK_CALL || src == TASK_INT) {
        x86_st_kernel(env, base, old_sel, MO_16);   /* the back link for IRET */
        ns.eflags |= NT_MASK;
    }

    /* ---- commit: TR, CR0.TS, DR7, CR3, EFLAGS, EIP, general registers, selectors ---- */
    env->tr.selector = sel;
    env->tr.base = base;
    env->tr.limit = limit;
    env->tr.flags = e2 & 0x00ffff00u;
    env->cr[0] |= CR0_TS;
    {
        uint64_t old_dr7 = env->dr[7];
        /* L0..L3: breakpoints local to the task that set them */
        env->dr[7] &= ~(uint64_t)DR7_LOCAL_ENABLES;
        x86_bpt_dr7_changed(env, old_dr7);
    }
    if (nl->width == 4 && (env->cr[0] & CR0_PG)) {
        x86_write_cr3(env, ns.cr3);
    }
    if (nl->width == 4) {
        x86_eflags_set(env, ns.eflags, TASK_EFLAGS);
        env->eip = ns.eip;
        for (int i = 0; i < 8; i++) {
            env->regs[i] = ns.regs[i];
        }
    } else {
        /* a 16-bit TSS has no upper EFLAGS half: VM, RF, AC etc. come out clear */
        x86_eflags_set(env, ns.eflags & 0xffff, TASK_EFLAGS);
        env->eip = ns.eip & 0xffff;
        for (int i = 0; i < 8; i++) {
            env->regs[i] = (env->regs[i] & ~0xffffull) | (ns.regs[i] & 0xffff);
        }
    }
    vm86 = env->eflags & VM_MASK;
    cpl = vm86 ? 3 : (int)(ns.segs[X86_SEG_CS] & 3);

    /*
     * From here on faults belong to the new task (7.3 step 13): their return address is
     * its first instruction. Every selector is in place before any descriptor is checked,
     * as the SDM describes for a fault after the commit point; the caches stay unusable
     * (not present) until their checks pass, except that SS already carries the new CPL.
     */
    env->insn_pc = env->eip;
    for (int i = 0; i < 6; i++) {
        env->segs[i] = (SegmentCache){ .selector = ns.segs[i] };
    }
    env->segs[X86_SEG_SS].flags = (uint32_t)cpl << DESC_DPL_SHIFT;
    env->ldt = (SegmentCache){ .selector = ns.ldt };
    if (vm86) {
        for (int i = 0; i < 6; i++) {
            x86_load_seg_real(env, i, ns.segs[i]);
        }
    }
    x86_update_hflags(env);

    load_task_ldt(env, ns.ldt, ext, &ldt_e2);
    if (vm86) {
        check_task_ldt_present(env, ldt_e2, ext);
    } else {
        load_task_cs_ss(env, &ns, cpl, ldt_e2, ext);
        load_task_data_segs(env, &ns, cpl, ext);
    }
    x86_update_hflags(env);
    *trap = ns.trap;
}

/* The checks made after the switch: EIP within the new CS limit, then the T-bit #DB trap. */
static void task_switch_done(X86CPU *env, bool trap, int ext)
{
    if (env->eip > env->segs[X86_SEG_CS].limit) {
        gp(env, ext);
    }
    if (trap) {
        x86_bpt_dr6_event(env, DR6_BT);
        x86_raise_interrupt(env, EXCP01_DB, 0, 0, env->eip);
    }
}

void x86_task_jmp_call(X86CPU *env, uint32_t sel, uint32_t e1, uint32_t e2, bool is_call,
                       uint64_t next_eip)
{
    int cpl = cpl_of(env), dpl = DPL_OF(e2);
    uint32_t tss_sel = sel;
    bool trap;

    /* IA-32e mode has no task switching: its TSS descriptors are not targets (7.2.3) */
    if (env->hflags & HF_LMA_MASK) {
        gp(env, sel & SEL_MASK);
    }
    if (dpl < cpl || dpl < (int)(sel & 3)) {
        gp(env, sel & SEL_MASK);
    }
    if (SYS_TYPE(e2) == 5) {
        /* a task gate: its own P bit, then the TSS it names, which must be in the GDT */
        if (!(e2 & DESC_P_MASK)) {
            np(env, sel & SEL_MASK);
        }
        tss_sel = e1 >> 16;
        if ((tss_sel & 4) || !x86_load_desc(env, tss_sel, &e1, &e2)) {
            gp(env, tss_sel & SEL_MASK);
        }
    } else if (sel & 4) {
        gp(env, sel & SEL_MASK);    /* TSS descriptors are valid in the GDT only (7.2.2) */
    }
    /* an available TSS: a busy one is the running task or one of its callers */
    if ((e2 & DESC_S_MASK) || (SYS_TYPE(e2) & 7) != 1) {
        gp(env, tss_sel & SEL_MASK);
    }
    if (!(e2 & DESC_P_MASK)) {
        np(env, tss_sel & SEL_MASK);
    }
    task_switch(env, tss_sel, e1, e2, is_call ? TASK_CALL : TASK_JMP, next_eip, 0, &trap);
    task_switch_done(env, trap, 0);
}

void x86_task_iret(X86CPU *env, uint32_t link, uint32_t e1, uint32_t e2, uint64_t next_eip)
{
    bool trap;

    task_switch(env, link, e1, e2, TASK_IRET, next_eip, 0, &trap);
    task_switch_done(env, trap, 0);
}

void x86_task_gate_int(X86CPU *env, uint32_t gate_e1, int ext, bool has_err,
                       uint32_t error_code, uint64_t ret_eip)
{
    uint32_t sel = gate_e1 >> 16, e1, e2;
    bool trap;

    if ((sel & 4) || !x86_load_desc(env, sel, &e1, &e2)) {
        gp(env, (sel & SEL_MASK) | ext);
    }
    if ((e2 & DESC_S_MASK) || (SYS_TYPE(e2) & 7) != 1) {
        gp(env, (sel & SEL_MASK) | ext);
    }
    if (!(e2 & DESC_P_MASK)) {
        np(env, (sel & SEL_MASK) | ext);
    }
    task_switch(env, sel, e1, e2, TASK_INT, ret_eip, ext, &trap);
    if (has_err) {
        /* on the new task's stack, as wide as its TSS */
        X86Stack st;
        x86_stack_cur(env, &st);
        x86_stack_push(env, &st, error_code, (SYS_TYPE(e2) & 8) ? 4 : 2);
        x86_stack_commit(env, &st);
    }
    task_switch_done(env, trap, ext);
}

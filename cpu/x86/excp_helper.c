/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/excp_helper.c — raising and delivering exceptions and interrupts on the x86 CPU.
 *
 * Models (Intel SDM vol. 3A): ch. 6.3-6.5 (sources, fault/trap return addresses), 6.13
 * (error codes, pushed for #DF, #TS, #NP, #SS, #GP, #PF, #AC), 6.15 table 6-5 (double fault:
 * contributory after contributory, contributory or #PF after #PF; any of those during #DF
 * delivery is a triple fault, i.e. a machine reset), 6.10-6.12 (IDT, interrupt and trap
 * gates of 16 and 32 bits, privilege checks, the stack switch through the TSS, IF/TF/NT/RF/VM
 * clearing), 6.14 (64-bit IDT gates, IST, 16-byte stack alignment, SS = NULL on a privilege
 * change), 20.1.4/20.3 (interrupts from virtual-8086 mode to ring 0 with the data segments
 * pushed and cleared), and real-address mode delivery through the IVT (vol. 3A 21.1.4).
 * Software interrupts (INT n, INT3, INTO) check the gate's DPL against the CPL (#GP with
 * vector*8+2) and, in virtual-8086 mode, IOPL (#GP(0)); they never push an error code.
 *
 * Task gates in the IDT hand the event to task_switch.c.
 *
 * Faults push EFLAGS with RF set (18.3.1.1).
 *
 * Debug exceptions: single step here, the debug-register breakpoints in bpt_helper.c; a
 * data breakpoint still due after an event was delivered (a MOV SS shadow before INT n,
 * or the delivery's own pushes) is delivered before the handler's first instruction.
 *
 * Not modelled: CR4.VME interrupt redirection, the stack-limit checks of pushes, and SMIs.
 */
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"

#define SEL_MASK 0xfffc
#define DPL_OF(e2) (((e2) >> DESC_DPL_SHIFT) & 3)

static inline bool is_contributory(int v)
{
    return v == EXCP00_DIVZ || (v >= EXCP0A_TSS && v <= EXCP0D_GPF);
}

static inline bool has_error_code(int v)
{
    return v == EXCP08_DBLE || (v >= EXCP0A_TSS && v <= EXCP0E_PAGE) || v == EXCP11_ALGN;
}

/* ---------------------------------------------------------------------------------------
 * Raising
 * ------------------------------------------------------------------------------------- */

void x86_raise_exception_err(X86CPU *env, int vector, int error_code)
{
    CPUState *cs = x86_cs(env);
    int first = env->old_exception;

    /* old_exception is the vector being delivered when this one was raised (table 6-5) */
    if (first == EXCP08_DBLE && (is_contributory(vector) || vector == EXCP0E_PAGE)) {
        if (log_enabled(LOG_INT | LOG_GUEST_ERROR)) {
            log_printf("x86: CPU %d triple fault (vector 0x%02x while delivering #DF): "
                       "machine reset\n", cs->index, vector);
        }
        env->old_exception = -1;
        cs->exception_index = EXCP_RESET;
        cpu_loop_exit(cs);
    }
    if ((is_contributory(first) && is_contributory(vector)) ||
        (first == EXCP0E_PAGE && (is_contributory(vector) || vector == EXCP0E_PAGE))) {
        vector = EXCP08_DBLE;
        error_code = 0;
    }
    cs->exception_index = vector;
    env->error_code = error_code;
    env->exception_is_int = 0;
    env->exception_next_eip = 0;
    cpu_loop_exit_restore(cs);
}

void x86_raise_exception(X86CPU *env, int vector)
{
    x86_raise_exception_err(env, vector, 0);
}

/*
 * Software interrupts return to next_eip and fault at the instruction itself, so eip is
 * set to the instruction start; trap-like exceptions raised with this call (the
 * single-step #DB) return to next_eip, which is where eip is left.
 */
void x86_raise_interrupt(X86CPU *env, int vector, int is_int, int error_code,
                         uint64_t next_eip)
{
    CPUState *cs = x86_cs(env);

    cs->exception_index = vector;
    env->error_code = error_code;
    env->exception_is_int = is_int;
    env->exception_next_eip = next_eip;
    env->eip = is_int ? env->insn_pc : next_eip;
    cpu_loop_exit(cs);
}

/* a0 vector, a1 error code or -1 (none) */
IR_HELPER(helper_raise_exception)
{
    X86CPU *env = env_;

    if ((int64_t)a1 == -1 || a1 == 0xffffffffu) {
        x86_raise_exception(env, (int)a0);
    }
    x86_raise_exception_err(env, (int)a0, (int)a1);
}

/* a0 vector, a1 next_eip: INT n */
IR_HELPER(helper_raise_interrupt)
{
    x86_raise_interrupt(env_, (int)a0 & 0xff, 1, 0, a1);
}

IR_HELPER(helper_int3)
{
    x86_raise_interrupt(env_, EXCP03_INT3, 1, 0, a0);
}

IR_HELPER(helper_into)
{
    X86CPU *env = env_;

    if (x86_cc_compute_all(env) & CC_O) {
        x86_raise_interrupt(env, EXCP04_INTO, 1, 0, a0);
    }
    return 0;
}

IR_HELPER(helper_single_step)
{
    X86CPU *env = env_;

    x86_bpt_dr6_event(env, DR6_BS);     /* with the data breakpoints it matched */
    x86_raise_interrupt(env, EXCP01_DB, 0, 0, a0);
}

/*
 * SYSCALL and SYSRET trap on the TF they leave, not on the one they found: SYSCALL with TF
 * masked by IA32_FMASK does not trap in the kernel, and a SYSRET that loads TF = 1 from R11
 * traps at once, before the first instruction it returns to (SDM vol. 2B SYSRET: unlike
 * IRET; Linux's entry code relies on both).
 */
IR_HELPER(helper_single_step_new_tf)
{
    X86CPU *env = env_;

    if (env->eflags & TF_MASK) {
        x86_bpt_dr6_event(env, DR6_BS);
        x86_raise_interrupt(env, EXCP01_DB, 0, 0, env->eip);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Delivery
 * ------------------------------------------------------------------------------------- */

/* Everything about the event that the three delivery paths need. */
typedef struct Event {
    int vector;
    bool is_int;            /* INT n, INT3, INTO */
    bool has_err;
    int error_code;
    uint64_t ret_eip;       /* the eip pushed */
    uint64_t eflags;        /* the EFLAGS pushed */
    int ext;                /* EXT bit of error codes caused by this delivery */
} Event;

/* Fault-class exceptions push EFLAGS with RF set, so that the IRET back to the faulting
 * instruction does not hit an instruction breakpoint there again (SDM vol. 3B 18.3.1.1).
 * #DB is not listed: an instruction-breakpoint #DB pushes RF as it is (the handler sets
 * it), and the general-detect #DB sets EFLAGS.RF itself before it is raised. */
static bool is_fault(int vector)
{
    switch (vector) {
    case EXCP00_DIVZ: case EXCP05_BOUND: case EXCP06_ILLOP: case EXCP07_PREX:
    case EXCP0A_TSS: case EXCP0B_NOSEG: case EXCP0C_STACK: case EXCP0D_GPF:
    case EXCP0E_PAGE: case EXCP10_COPR: case EXCP11_ALGN: case EXCP13_XF:
        return true;
    default:
        return false;
    }
}

static NORETURN void deliver_fault(X86CPU *env, int vector, uint32_t err)
{
    x86_raise_exception_err(env, vector, (int)err);
}

static void do_interrupt_real(X86CPU *env, const Event *ev)
{
    uint32_t off, sel;
    X86Stack st;

    if ((uint32_t)ev->vector * 4 + 3 > env->idt.limit) {
        deliver_fault(env, EXCP0D_GPF, ev->vector * 8 + 2 + ev->ext);
    }
    off = (uint32_t)x86_ld_kernel(env, env->idt.base + ev->vector * 4, MO_16);
    sel = (uint32_t)x86_ld_kernel(env, env->idt.base + ev->vector * 4 + 2, MO_16);
    x86_stack_cur(env, &st);
    x86_stack_push(env, &st, ev->eflags, 2);
    x86_stack_push(env, &st, env->segs[X86_SEG_CS].selector, 2);
    x86_stack_push(env, &st, ev->ret_eip, 2);
    x86_stack_commit(env, &st);
    env->eflags &= ~(uint64_t)(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    x86_load_seg_real(env, X86_SEG_CS, sel);
    env->eip = off;
    x86_update_hflags(env);
}

/* The gate's target code segment: checks common to 32- and 64-bit IDTs. */
static void check_gate_code(X86CPU *env, const Event *ev, uint32_t sel, uint32_t *e1,
                            uint32_t *e2, int cpl)
{
    if ((sel & SEL_MASK) == 0) {
        deliver_fault(env, EXCP0D_GPF, ev->ext);
    }
    if (!x86_load_desc(env, sel, e1, e2)) {
        deliver_fault(env, EXCP0D_GPF, (sel & SEL_MASK) | ev->ext);
    }
    if (!(*e2 & DESC_S_MASK) || !(*e2 & DESC_CS_MASK) || (int)DPL_OF(*e2) > cpl) {
        deliver_fault(env, EXCP0D_GPF, (sel & SEL_MASK) | ev->ext);
    }
    if (!(*e2 & DESC_P_MASK)) {
        deliver_fault(env, EXCP0B_NOSEG, (sel & SEL_MASK) | ev->ext);
    }
}

/* Protected mode, 16- and 32-bit gates (SDM 6.12.1), from protected or virtual-8086 mode. */
static void do_interrupt_prot(X86CPU *env, const Event *ev)
{
    int cpl = env->hflags & HF_CPL_MASK, type, dpl, cdpl;
    uint32_t idt_err = ev->vector * 8 + 2 + ev->ext;
    uint32_t e1, e2, ce1, ce2, sel, ss = 0, se1 = 0, se2 = 0;
    uint64_t v, offset;
    bool vm86 = env->eflags & VM_MASK, new_stack, gate32;
    unsigned sz;
    X86Stack st;

    if ((uint32_t)ev->vector * 8 + 7 > env->idt.limit) {
        deliver_fault(env, EXCP0D_GPF, idt_err);
    }
    v = x86_ld_kernel(env, env->idt.base + ev->vector * 8, MO_64);
    e1 = (uint32_t)v;
    e2 = (uint32_t)(v >> 32);
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;     /* with the S bit: gates have S = 0 */
    switch (type) {
    case 5: case 6: case 7: case 14: case 15:
        break;
    default:
        deliver_fault(env, EXCP0D_GPF, idt_err);
    }
    dpl = DPL_OF(e2);
    if (ev->is_int && dpl < cpl) {
        deliver_fault(env, EXCP0D_GPF, ev->vector * 8 + 2);
    }
    if (!(e2 & DESC_P_MASK)) {
        deliver_fault(env, EXCP0B_NOSEG, idt_err);
    }
    if (type == 5) {
        x86_task_gate_int(env, e1, ev->ext, ev->has_err, (uint32_t)ev->error_code,
                          ev->ret_eip);     /* task_switch.c */
        return;
    }
    gate32 = type & 8;
    sel = e1 >> 16;
    offset = (e2 & 0xffff0000u) | (e1 & 0xffff);
    if (!gate32) {
        offset &= 0xffff;
    }
    check_gate_code(env, ev, sel, &ce1, &ce2, cpl);
    cdpl = DPL_OF(ce2);

    if (!(ce2 & DESC_C_MASK) && cdpl < cpl) {
        uint32_t esp;
        if (vm86 && cdpl != 0) {
            deliver_fault(env, EXCP0D_GPF, (sel & SEL_MASK) | ev->ext);
        }
        x86_tss_stack(env, cdpl, &ss, &esp, ev->ext);
        if ((ss & SEL_MASK) == 0) {
            deliver_fault(env, EXCP0A_TSS, ev->ext);
        }
        if ((int)(ss & 3) != cdpl || !x86_load_desc(env, ss, &se1, &se2) ||
            (int)DPL_OF(se2) != cdpl || !(se2 & DESC_S_MASK) || (se2 & DESC_CS_MASK) ||
            !(se2 & DESC_W_MASK)) {
            deliver_fault(env, EXCP0A_TSS, (ss & SEL_MASK) | ev->ext);
        }
        if (!(se2 & DESC_P_MASK)) {
            deliver_fault(env, EXCP0C_STACK, (ss & SEL_MASK) | ev->ext);
        }
        new_stack = true;
        x86_stack_new(env, &st, x86_desc_base(se1, se2), esp, se2, false, cdpl);
    } else {
        /* conforming, or the same level */
        if (vm86) {
            deliver_fault(env, EXCP0D_GPF, (sel & SEL_MASK) | ev->ext);
        }
        new_stack = false;
        cdpl = cpl;
        x86_stack_cur(env, &st);
    }

    sz = gate32 ? 4 : 2;
    if (new_stack) {
        if (vm86) {
            x86_stack_push(env, &st, env->segs[X86_SEG_GS].selector, sz);
            x86_stack_push(env, &st, env->segs[X86_SEG_FS].selector, sz);
            x86_stack_push(env, &st, env->segs[X86_SEG_DS].selector, sz);
            x86_stack_push(env, &st, env->segs[X86_SEG_ES].selector, sz);
        }
        x86_stack_push(env, &st, env->segs[X86_SEG_SS].selector, sz);
        x86_stack_push(env, &st, env->regs[R_ESP], sz);
    }
    x86_stack_push(env, &st, ev->eflags, sz);
    x86_stack_push(env, &st, env->segs[X86_SEG_CS].selector, sz);
    x86_stack_push(env, &st, ev->ret_eip, sz);
    if (ev->has_err) {
        x86_stack_push(env, &st, (uint32_t)ev->error_code, sz);
    }

    /* every access is done: commit */
    x86_desc_set_accessed(env, sel, &ce2);
    if (new_stack) {
        x86_desc_set_accessed(env, ss, &se2);
    }
    env->eflags &= ~(uint64_t)(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~(uint64_t)IF_MASK;
    }
    if (new_stack) {
        if (vm86) {
            for (int seg = X86_SEG_ES; seg <= X86_SEG_GS; seg++) {
                if (seg != X86_SEG_CS && seg != X86_SEG_SS) {
                    x86_load_seg_cache(env, seg, 0, 0, 0, 0);
                }
            }
        }
        x86_load_seg_desc(env, X86_SEG_SS, ss, se1, se2);
    }
    x86_stack_commit(env, &st);
    x86_load_seg_desc(env, X86_SEG_CS, (sel & SEL_MASK) | cdpl, ce1, ce2);
    env->eip = offset;
    x86_update_hflags(env);
}

/* IA-32e mode: 16-byte gates, 64-bit pushes (SDM 6.14). */
static void do_interrupt64(X86CPU *env, const Event *ev)
{
    int cpl = env->hflags & HF_CPL_MASK, type, dpl, cdpl, ist;
    uint32_t idt_err = ev->vector * 8 + 2 + ev->ext;
    uint32_t e1, e2, e3, ce1, ce2, sel;
    uint64_t lo, hi, offset, rsp;
    bool priv_change;
    X86Stack st;

    if ((uint32_t)ev->vector * 16 + 15 > env->idt.limit) {
        deliver_fault(env, EXCP0D_GPF, idt_err);
    }
    lo = x86_ld_kernel(env, env->idt.base + ev->vector * 16, MO_64);
    hi = x86_ld_kernel(env, env->idt.base + ev->vector * 16 + 8, MO_64);
    e1 = (uint32_t)lo;
    e2 = (uint32_t)(lo >> 32);
    e3 = (uint32_t)hi;
    type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;
    if (type != 14 && type != 15) {
        deliver_fault(env, EXCP0D_GPF, idt_err);
    }
    dpl = DPL_OF(e2);
    if (ev->is_int && dpl < cpl) {
        deliver_fault(env, EXCP0D_GPF, ev->vector * 8 + 2);
    }
    if (!(e2 & DESC_P_MASK)) {
        deliver_fault(env, EXCP0B_NOSEG, idt_err);
    }
    sel = e1 >> 16;
    offset = (e2 & 0xffff0000u) | (e1 & 0xffff) | ((uint64_t)e3 << 32);
    ist = e2 & 7;
    check_gate_code(env, ev, sel, &ce1, &ce2, cpl);
    if (!(ce2 & DESC_L_MASK) || (ce2 & DESC_B_MASK)) {
        deliver_fault(env, EXCP0D_GPF, (sel & SEL_MASK) | ev->ext);
    }
    cdpl = DPL_OF(ce2);
    priv_change = !(ce2 & DESC_C_MASK) && cdpl < cpl;
    if (!priv_change) {
        cdpl = cpl;
    }
    if (ist) {
        rsp = x86_tss_rsp64(env, ist + 3, ev->ext);
    } else if (priv_change) {
        rsp = x86_tss_rsp64(env, cdpl, ev->ext);
    } else {
        rsp = env->regs[R_ESP];
    }
    rsp &= ~0xfull;

    x86_stack_new(env, &st, 0, rsp, 0, true, cdpl);
    x86_stack_push(env, &st, env->segs[X86_SEG_SS].selector, 8);
    x86_stack_push(env, &st, env->regs[R_ESP], 8);
    x86_stack_push(env, &st, ev->eflags, 8);
    x86_stack_push(env, &st, env->segs[X86_SEG_CS].selector, 8);
    x86_stack_push(env, &st, ev->ret_eip, 8);
    if (ev->has_err) {
        x86_stack_push(env, &st, (uint32_t)ev->error_code, 8);
    }

    x86_desc_set_accessed(env, sel, &ce2);
    env->eflags &= ~(uint64_t)(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
    if (!(type & 1)) {
        env->eflags &= ~(uint64_t)IF_MASK;
    }
    if (priv_change) {
        /* SS becomes a null selector whose RPL is the new CPL */
        x86_load_seg_cache(env, X86_SEG_SS, (uint32_t)cdpl, 0, 0,
                           (uint32_t)cdpl << DESC_DPL_SHIFT);
    }
    x86_stack_commit(env, &st);
    x86_load_seg_desc(env, X86_SEG_CS, (sel & SEL_MASK) | cdpl, ce1, ce2);
    env->eip = offset;
    x86_update_hflags(env);
}

static void log_interrupt(X86CPU *env, const Event *ev, int is_hw)
{
    CPUState *cs = x86_cs(env);

    log_printf("x86: CPU %d %s v=%02x e=%04x i=%d cpl=%d IP=%04x:%016" PRIx64
               " pc=%016" PRIx64 " SP=%04x:%016" PRIx64,
               cs->index, is_hw ? "irq" : ev->is_int ? "int" : "exception", ev->vector,
               ev->has_err ? (unsigned)ev->error_code : 0, ev->is_int,
               env->hflags & HF_CPL_MASK, env->segs[X86_SEG_CS].selector, env->eip,
               env->segs[X86_SEG_CS].base + env->eip, env->segs[X86_SEG_SS].selector,
               env->regs[R_ESP]);
    if (ev->vector == EXCP0E_PAGE && !ev->is_int && !is_hw) {
        log_printf(" CR2=%016" PRIx64, env->cr[2]);
    }
    log_printf("\n");
}

void x86_do_interrupt(X86CPU *env, int vector, int is_int, int error_code,
                      uint64_t next_eip, int is_hw)
{
    Event ev;

    ev.vector = vector & 0xff;
    ev.is_int = is_int;
    ev.has_err = !is_int && !is_hw && has_error_code(ev.vector);
    ev.error_code = error_code;
    ev.ret_eip = is_int ? next_eip : env->eip;
    ev.eflags = x86_eflags_get(env);
    if (!is_int && !is_hw && is_fault(ev.vector)) {
        ev.eflags |= RF_MASK;
    }
    ev.ext = is_int ? 0 : 1;
    if (log_enabled(LOG_INT)) {
        log_interrupt(env, &ev, is_hw);
    }

    /* An exception other than #DB means the instruction did not complete: data
     * breakpoints it matched do not count (software interrupts complete theirs). */
    if (!is_int && !is_hw && ev.vector != EXCP01_DB) {
        env->dbg_pending = 0;
    }

    /* A fault while delivering: double-fault detection (exceptions only), and eip
     * restored to where it is now (cpu_loop_exit_restore reads insn_pc). */
    env->old_exception = (is_int || is_hw) ? -1 : ev.vector;
    env->insn_pc = env->eip;

    if (is_int && (env->hflags & HF_VM_MASK) && ((env->eflags >> IOPL_SHIFT) & 3) != 3) {
        x86_raise_exception_err(env, EXCP0D_GPF, 0);
    }
    if (env->hflags & HF_LMA_MASK) {
        do_interrupt64(env, &ev);
    } else if (env->hflags & HF_PE_MASK) {
        do_interrupt_prot(env, &ev);
    } else {
        do_interrupt_real(env, &ev);
    }
    env->old_exception = -1;
    env->hflags &= ~HF_INHIBIT_IRQ;
    if (unlikely(env->dbg_pending)) {
        x86_bpt_after_event(env, ev.vector, is_int, is_hw);
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/cpu.c — the x86-64 CPU class: models, power-on reset, INIT/SIPI, interrupt
 * acceptance, the mode bits (hflags) and the register dump.
 *
 * Models (Intel SDM vol. 3A): ch. 9.1 (processor state after RESET and INIT, table 9-1),
 * 8.4 and 10.6 (INIT and start-up IPIs: application processors wait for a SIPI and start in
 * real mode at vector << 12), 6.7-6.8 (NMI blocking until IRET with one more NMI latched,
 * IF, the interrupt shadow of STI and MOV/POP SS).
 *
 * Not modelled: SMM and SMIs (CPU_INTERRUPT_SMI is ignored), the BIST result in EAX,
 * CPU-internal caches. Per-vCPU state with no field in X86CPU lives in X86SysState.
 */
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"

static const char *const x86_models[] = { "qemu64", "max", "base", NULL };

static X86SysState x86_sys_states[X86_MAX_CPUS];

X86SysState *x86_sys_state(X86CPU *env)
{
    int i = x86_cs(env)->index;

    assert(i >= 0 && i < X86_MAX_CPUS);
    return &x86_sys_states[i];
}

/* ---------------------------------------------------------------------------------------
 * Mode bits
 * ------------------------------------------------------------------------------------- */

/*
 * HF_SEGCHK bits (see cpu.h): which segments need checks on data accesses. Protected
 * mode: any segment but a present, writable (CS: readable), expand-up one with a 4 GiB
 * limit (a null selector's cache has P clear); real and virtual-8086 mode: only the limit
 * counts. 64-bit code has no segment checks at all.
 */
static uint32_t seg_check_bits(const X86CPU *env, uint32_t hf)
{
    const uint32_t data = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_W_MASK | DESC_E_MASK;
    const uint32_t code = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK;
    bool prot = (hf & HF_PE_MASK) && !(hf & HF_VM_MASK);
    uint32_t bits = 0;

    if (hf & HF_CS64_MASK) {
        return 0;
    }
    for (int seg = 0; seg < 6; seg++) {
        const SegmentCache *sc = &env->segs[seg];
        bool flat = sc->limit == 0xffffffffu;

        if (prot && seg == X86_SEG_CS) {
            flat = flat && (sc->flags & code) == code;
        } else if (prot) {
            flat = flat && (sc->flags & data) == (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK);
        }
        if (!flat) {
            bits |= HF_SEGCHK(seg);
        }
    }
    return bits;
}

/*
 * The CPL is SS.DPL in protected mode (SDM 5.5: they are equal except transiently, and a
 * null SS in 64-bit mode keeps the CPL in its cached DPL), 3 in virtual-8086 mode and 0 in
 * real mode. In 64-bit code CS32 and SS32 are set too (the translator tests CS64 first).
 */
void x86_update_hflags(X86CPU *env)
{
    const uint64_t cr0 = env->cr[0], cr4 = env->cr[4], fl = env->eflags;
    const SegmentCache *segs = env->segs;
    uint32_t hf = env->hflags & HF_INHIBIT_IRQ;

    if (cr0 & CR0_PE) {
        hf |= HF_PE_MASK;
        if (fl & VM_MASK) {
            hf |= HF_VM_MASK | 3;
        } else {
            hf |= (segs[X86_SEG_SS].flags >> DESC_DPL_SHIFT) & 3;
        }
    }
    if (env->efer & EFER_LMA) {
        hf |= HF_LMA_MASK;
    }
    if ((hf & HF_LMA_MASK) && (segs[X86_SEG_CS].flags & DESC_L_MASK)) {
        hf |= HF_CS64_MASK | HF_CS32_MASK | HF_SS32_MASK;
    } else {
        if (segs[X86_SEG_CS].flags & DESC_B_MASK) {
            hf |= HF_CS32_MASK;
        }
        if (segs[X86_SEG_SS].flags & DESC_B_MASK) {
            hf |= HF_SS32_MASK;
        }
        if (!(hf & HF_PE_MASK) || (hf & HF_VM_MASK) || !(hf & HF_CS32_MASK) ||
            (segs[X86_SEG_DS].base | segs[X86_SEG_ES].base | segs[X86_SEG_SS].base) != 0) {
            hf |= HF_ADDSEG_MASK;
        }
    }
    if (fl & TF_MASK) {
        hf |= HF_TF_MASK;
    }
    hf |= ((fl & RF_MASK) ? HF_RF_MASK : 0) | x86_bpt_hflags(env);
    hf |= ((fl >> IOPL_SHIFT) & 3) << HF_IOPL_SHIFT;
    if (fl & AC_MASK) {
        hf |= HF_AC_MASK;
    }
    if (cr4 & CR4_SMAP) {
        hf |= HF_SMAP_MASK;
    }
    if (cr0 & CR0_MP) {
        hf |= HF_MP_MASK;
    }
    if (cr0 & CR0_EM) {
        hf |= HF_EM_MASK;
    }
    if (cr0 & CR0_TS) {
        hf |= HF_TS_MASK;
    }
    if (cr4 & CR4_OSFXSR) {
        hf |= HF_OSFXSR_MASK;
    }
    if (cr4 & CR4_UMIP) {
        hf |= HF_UMIP_MASK;
    }
    hf |= seg_check_bits(env, hf);
    env->hflags = hf;
}

/* ---------------------------------------------------------------------------------------
 * Reset, INIT, SIPI
 * ------------------------------------------------------------------------------------- */

#define REAL_DATA (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK)
#define REAL_CODE (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK)

/* The state after RESET or INIT (SDM table 9-1). */
static void x86_cpu_reset_state(X86CPU *env)
{
    CPUState *cs = x86_cs(env);
    X86SysState *sys = x86_sys_state(env);

    memset(env->regs, 0, sizeof(env->regs));
    env->regs[R_EDX] = x86_cpuid_signature(env);
    env->eip = 0xfff0;
    env->cc_op = CC_OP_EFLAGS;
    env->cc_src = env->cc_dst = env->cc_src2 = 0;
    env->df = 1;
    env->eflags = 2;
    env->hflags = 0;

    env->cr[0] = CR0_ET | CR0_NW | CR0_CD;      /* 0x60000010 */
    env->cr[1] = env->cr[2] = env->cr[3] = env->cr[4] = 0;
    env->efer = 0;
    for (int seg = 0; seg < 6; seg++) {
        env->segs[seg] = (SegmentCache){ 0, 0xffff, 0, REAL_DATA };
    }
    env->segs[X86_SEG_CS] = (SegmentCache){ 0xf000, 0xffff, 0xffff0000u, REAL_CODE };
    env->ldt = (SegmentCache){ 0, 0xffff, 0, DESC_P_MASK | (2 << DESC_TYPE_SHIFT) };
    env->tr = (SegmentCache){ 0, 0xffff, 0, DESC_P_MASK | (11 << DESC_TYPE_SHIFT) };
    env->gdt = (TableReg){ 0, 0xffff };
    env->idt = (TableReg){ 0, 0xffff };

    env->star = env->lstar = env->cstar = env->fmask = env->kernel_gs_base = 0;
    env->sysenter_cs = env->sysenter_esp = env->sysenter_eip = 0;
    env->tsc_aux = 0;
    memset(env->dr, 0, sizeof(env->dr));
    env->dr[6] = 0xffff0ff0u;
    env->dr[7] = 0x400;
    env->dbg_pending = 0;

    /* x87/SSE: the FNINIT state, MXCSR default, XCR0 = x87 */
    memset(env->fpregs, 0, sizeof(env->fpregs));
    memset(env->xmm, 0, sizeof(env->xmm));
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fptag = 0xffff;
    env->fpstt = 0;
    env->mxcsr = 0x1f80;
    env->xcr0 = 1;

    env->error_code = 0;
    env->exception_is_int = 0;
    env->exception_next_eip = 0;
    env->old_exception = -1;
    /* sipi_vector is not touched: a start-up IPI that arrived right behind the INIT
     * (before this CPU got to the INIT) must keep its vector */
    env->insn_pc = env->eip;
    sys->nmi_blocked = false;
    sys->nmi_pending = 0;

    cs->exception_index = EXCP_NONE;
    /* the BSP runs; an AP waits for a start-up IPI */
    sys->wait_for_sipi = !(env->apic_base & 0x100);
    cs->halted = sys->wait_for_sipi;
    x86_update_hflags(env);
    tlb_flush(cs);
}

static void x86_cpu_reset(CPUState *cs)
{
    X86CPU *env = x86_cpu(cs);
    X86SysState *sys = x86_sys_state(env);

    env->a20_mask = ~0ull;
    env->apic_base = 0xfee00000u | 0x800 | (cs->index == 0 ? 0x100 : 0);
    env->pat = 0x0007040600070406ull;
    env->misc_enable = 1;       /* fast strings */
    env->tsc_offset = 0;
    env->tsc_offset = -(int64_t)x86_rdtsc(env);
    env->sipi_vector = 0;
    sys->mtrr_deftype = 0;
    memset(sys->mtrr_fixed, 0, sizeof(sys->mtrr_fixed));
    memset(sys->mtrr_var, 0, sizeof(sys->mtrr_var));
    sys->mcg_status = sys->mcg_ctl = 0;
    memset(sys->mc_banks, 0, sizeof(sys->mc_banks));
    memset(sys->amd_perf, 0, sizeof(sys->amd_perf));
    x86_cpu_reset_state(env);
}

/* INIT keeps the APIC base, the MTRRs, PAT, the TSC and A20 (SDM table 9-1). */
static void x86_cpu_do_init(X86CPU *env)
{
    x86_cpu_reset_state(env);
}

static void x86_cpu_do_sipi(X86CPU *env)
{
    CPUState *cs = x86_cs(env);
    X86SysState *sys = x86_sys_state(env);
    uint32_t v = (uint32_t)env->sipi_vector & 0xff;

    if (!sys->wait_for_sipi) {
        return;
    }
    sys->wait_for_sipi = false;
    x86_load_seg_cache(env, X86_SEG_CS, v << 8, (uint64_t)v << 12, 0xffff, REAL_CODE);
    env->eip = 0;
    cs->halted = false;
}

static int x86_cpu_realize(CPUState *cs, const char *model)
{
    X86CPU *env = x86_cpu(cs);
    const char *comma;
    size_t len;
    int i;

    if (!model) {
        model = x86_models[0];
    }
    /* MODEL[,+feat,-feat,feat=on|off,vendor=...]: the tail is cpu_features.c's */
    comma = strchr(model, ',');
    len = comma ? (size_t)(comma - model) : strlen(model);
    for (i = 0; x86_models[i]; i++) {
        if (strlen(x86_models[i]) == len && !strncmp(model, x86_models[i], len)) {
            break;
        }
    }
    if (!x86_models[i]) {
        error_report("unknown x86 CPU model '%.*s' (known: qemu64, max, base)", (int)len,
                     model);
        return -EINVAL;
    }
    if (cs->index < 0 || cs->index >= X86_MAX_CPUS) {
        error_report("x86: CPU index %d out of range (at most %d CPUs)", cs->index,
                     X86_MAX_CPUS);
        return -EINVAL;
    }
    env->model = x86_models[i];
    if (x86_cpu_set_features(env, env->model, comma ? comma + 1 : NULL) < 0) {
        return -EINVAL;
    }
    env->cpuid_level = 0xd;      /* up to the XSAVE leaf */
    env->cpuid_xlevel = 0x80000008u;
    memset(env->tlb, 0xff, sizeof(env->tlb));
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Interrupt acceptance
 * ------------------------------------------------------------------------------------- */

/* -cpu MODEL[,options], checked by main before the machine is built */
static int x86_cpu_check_model(const char *model)
{
    size_t len = strcspn(model, ",");
    char *name = strndup(model, len);
    int r = x86_cpu_check_features(name, model[len] ? model + len + 1 : NULL);

    free(name);
    return r;
}

static bool x86_cpu_has_work(CPUState *cs)
{
    X86CPU *env = x86_cpu(cs);
    uint32_t req = cs->interrupt_request;

    if (req & (CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI)) {
        return true;
    }
    if (x86_sys_state(env)->wait_for_sipi) {
        return false;
    }
    return ((req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK)) ||
           ((req & CPU_INTERRUPT_NMI) && !x86_sys_state(env)->nmi_blocked);
}

/*
 * Called between blocks with the big lock held. The HARD request is dropped before the
 * interrupt controller is asked for the vector: it raises it again while more are pending.
 */
static bool x86_cpu_exec_interrupt(CPUState *cs, uint32_t req)
{
    X86CPU *env = x86_cpu(cs);
    X86SysState *sys = x86_sys_state(env);
    bool shadow = env->hflags & HF_INHIBIT_IRQ;

    /* we are between blocks already: nothing more to do for EXITTB */
    if (req & CPU_INTERRUPT_EXITTB) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_EXITTB);
    }
    if (req & CPU_INTERRUPT_SMI) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_SMI);
        if (log_enabled(LOG_UNIMP)) {
            log_printf("x86: CPU %d SMI ignored (no SMM)\n", cs->index);
        }
    }
    if (req & CPU_INTERRUPT_INIT) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_INIT);
        if (log_enabled(LOG_INT)) {
            log_printf("x86: CPU %d INIT\n", cs->index);
        }
        x86_cpu_do_init(env);
        return true;
    }
    if (req & CPU_INTERRUPT_SIPI) {
        bool waiting = sys->wait_for_sipi;
        cpu_reset_interrupt(cs, CPU_INTERRUPT_SIPI);
        if (log_enabled(LOG_INT)) {
            log_printf("x86: CPU %d SIPI vector 0x%02x%s\n", cs->index,
                       env->sipi_vector & 0xff, waiting ? "" : " (ignored: not waiting)");
        }
        x86_cpu_do_sipi(env);
        return waiting;
    }
    if (sys->wait_for_sipi) {
        return false;
    }
    if ((req & CPU_INTERRUPT_NMI) && !sys->nmi_blocked && !shadow) {
        /* a second NMI that arrived with this one stays latched (x86_cpu_nmi) */
        if (sys->nmi_pending > 0) {
            sys->nmi_pending--;
        }
        if (!sys->nmi_pending) {
            cpu_reset_interrupt(cs, CPU_INTERRUPT_NMI);
        }
        sys->nmi_blocked = true;
        cs->halted = false;
        x86_do_interrupt(env, EXCP02_NMI, 0, 0, 0, 1);
        return true;
    }
    if ((req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK) && !shadow) {
        int vector;
        cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
        vector = cs->get_interrupt_vector ? cs->get_interrupt_vector(cs->irq_opaque, cs) : -1;
        if (vector < 0) {
            return false;
        }
        cs->halted = false;
        x86_do_interrupt(env, vector & 0xff, 0, 0, 0, 1);
        return true;
    }
    return false;
}

/*
 * An NMI arrives (APIC, LINT1; big lock held). The CPU latches one NMI while another is
 * being handled (SDM vol. 3A 6.7.1) and delivers it after the handler's IRET; NMIs that
 * arrive while one is already latched are lost. Two that arrive before the CPU reached an
 * instruction boundary are one delivered at once and one latched, as hardware would have
 * taken the first before the second came.
 */
void x86_cpu_nmi(CPUState *cs)
{
    X86SysState *sys = x86_sys_state(x86_cpu(cs));
    int limit = sys->nmi_blocked ? 1 : 2;

    if (sys->nmi_pending < limit) {
        sys->nmi_pending++;
    }
    cpu_interrupt(cs, CPU_INTERRUPT_NMI);
}

static void x86_cpu_do_interrupt_cb(CPUState *cs)
{
    X86CPU *env = x86_cpu(cs);

    if (cs->exception_index < 0 || cs->exception_index > 0xff) {
        return;
    }
    x86_do_interrupt(env, cs->exception_index, env->exception_is_int, env->error_code,
                     env->exception_next_eip, 0);
}

/* ---------------------------------------------------------------------------------------
 * TCG hooks
 * ------------------------------------------------------------------------------------- */

static uint64_t x86_cpu_get_pc(CPUState *cs)
{
    X86CPU *env = x86_cpu(cs);

    return env->segs[X86_SEG_CS].base + env->eip;
}

static void x86_cpu_get_tb_cpu_state(CPUState *cs, uint64_t *pc, uint64_t *cs_base,
                                     uint32_t *flags)
{
    X86CPU *env = x86_cpu(cs);

    *cs_base = env->segs[X86_SEG_CS].base;
    *pc = *cs_base + env->eip;
    if (!(env->hflags & HF_CS64_MASK)) {
        *pc = (uint32_t)*pc;
    }
    *flags = env->hflags & HF_TB_KEY_MASK;
}

static void x86_cpu_restore_state(CPUState *cs, uint64_t insn_pc)
{
    x86_cpu(cs)->eip = insn_pc;
}

/* ---------------------------------------------------------------------------------------
 * State dump ("-d cpu", monitor "info registers"), in QEMU's layout
 * ------------------------------------------------------------------------------------- */

static const char *const seg_names[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };

static void dump_seg(FILE *f, X86CPU *env, const char *name, const SegmentCache *sc)
{
    uint32_t fl = sc->flags;

    fprintf(f, "%-3s=%04x %016" PRIx64 " %08x %08x", name, sc->selector & 0xffff, sc->base,
            sc->limit, fl);
    if (!(env->cr[0] & CR0_PE) || !(fl & DESC_P_MASK)) {
        fputc('\n', f);
        return;
    }
    fprintf(f, " DPL=%u ", (fl >> DESC_DPL_SHIFT) & 3);
    if (fl & DESC_S_MASK) {
        if (fl & DESC_CS_MASK) {
            const char *sz = (fl & DESC_L_MASK) && (env->efer & EFER_LMA) ? "CS64"
                             : (fl & DESC_B_MASK) ? "CS32" : "CS16";
            fprintf(f, "%s [%c%c%c]\n", sz, (fl & DESC_C_MASK) ? 'C' : '-',
                    (fl & DESC_R_MASK) ? 'R' : '-', (fl & DESC_A_MASK) ? 'A' : '-');
        } else {
            fprintf(f, "%s [%c%c%c]\n", (fl & DESC_B_MASK) ? "DS  " : "DS16",
                    (fl & DESC_E_MASK) ? 'E' : '-', (fl & DESC_W_MASK) ? 'W' : '-',
                    (fl & DESC_A_MASK) ? 'A' : '-');
        }
    } else {
        static const char *const sys_names[16] = {
            "Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate",
            "IntGate16", "TrapGate16", "Reserved", "TSS32-avl", "Reserved", "TSS32-busy",
            "CallGate32", "Reserved", "IntGate32", "TrapGate32",
        };
        const char *n = sys_names[(fl >> DESC_TYPE_SHIFT) & 15];
        if (env->efer & EFER_LMA) {
            n = ((fl >> DESC_TYPE_SHIFT) & 15) == 9 ? "TSS64-avl"
                : ((fl >> DESC_TYPE_SHIFT) & 15) == 11 ? "TSS64-busy" : n;
        }
        fprintf(f, "%s\n", n);
    }
}

static void x86_cpu_dump_state(CPUState *cs, FILE *f)
{
    static const char *const reg_names[16] = {
        "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
        "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
    };
    static const int order[16] = { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP,
                                    8, 9, 10, 11, 12, 13, 14, 15 };
    X86CPU *env = x86_cpu(cs);
    uint64_t fl = x86_eflags_get(env);
    bool lma = env->efer & EFER_LMA;

    if (lma) {
        for (int i = 0; i < 16; i++) {
            int r = order[i];
            fprintf(f, "%s=%016" PRIx64 "%c", reg_names[r], env->regs[r],
                    (i & 3) == 3 ? '\n' : ' ');
        }
        fprintf(f, "RIP=%016" PRIx64 " RFL=%08x", env->eip, (uint32_t)fl);
    } else {
        for (int i = 0; i < 8; i++) {
            int r = order[i];
            fprintf(f, "E%c%c=%08x%c", reg_names[r][1], reg_names[r][2],
                    (uint32_t)env->regs[r], (i & 3) == 3 ? '\n' : ' ');
        }
        fprintf(f, "EIP=%08x EFL=%08x", (uint32_t)env->eip, (uint32_t)fl);
    }
    fprintf(f, " [%c%c%c%c%c%c%c] CPL=%d II=%d A20=%d SMM=0 HLT=%d\n",
            (fl & DF_MASK) ? 'D' : '-', (fl & CC_O) ? 'O' : '-', (fl & CC_S) ? 'S' : '-',
            (fl & CC_Z) ? 'Z' : '-', (fl & CC_A) ? 'A' : '-', (fl & CC_P) ? 'P' : '-',
            (fl & CC_C) ? 'C' : '-', env->hflags & HF_CPL_MASK,
            (env->hflags & HF_INHIBIT_IRQ) ? 1 : 0, (int)((env->a20_mask >> 20) & 1), cs->halted);
    for (int i = 0; i < 6; i++) {
        dump_seg(f, env, seg_names[i], &env->segs[i]);
    }
    dump_seg(f, env, "LDT", &env->ldt);
    dump_seg(f, env, "TR", &env->tr);
    fprintf(f, "GDT=     %016" PRIx64 " %08x\n", env->gdt.base, env->gdt.limit);
    fprintf(f, "IDT=     %016" PRIx64 " %08x\n", env->idt.base, env->idt.limit);
    fprintf(f, "CR0=%08x CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08x\n",
            (uint32_t)env->cr[0], env->cr[2], env->cr[3], (uint32_t)env->cr[4]);
    for (int i = 0; i < 4; i++) {
        fprintf(f, "DR%d=%016" PRIx64 " ", i, env->dr[i]);
    }
    fprintf(f, "\nDR6=%016" PRIx64 " DR7=%016" PRIx64 "\n", env->dr[6], env->dr[7]);
    fprintf(f, "EFER=%016" PRIx64 " APIC_BASE=%016" PRIx64 "\n", env->efer, env->apic_base);
}

const CPUClass x86_cpu_class = {
    .arch = "x86_64",
    .state_size = sizeof(X86CPU),
    .cpu_state_offset = offsetof(X86CPU, parent),
    .models = x86_models,
    .realize = x86_cpu_realize,
    .check_model = x86_cpu_check_model,
    .reset = x86_cpu_reset,
    .dump_state = x86_cpu_dump_state,
    .get_pc = x86_cpu_get_pc,
    .has_work = x86_cpu_has_work,
    .tcg_init = x86_tcg_init,
    .get_tb_cpu_state = x86_cpu_get_tb_cpu_state,
    .tb_mmu_idx = x86_tb_mmu_idx,
    .translate = x86_translate,
    .exec_interrupt = x86_cpu_exec_interrupt,
    .do_interrupt = x86_cpu_do_interrupt_cb,
    .tlb_fill = x86_cpu_tlb_fill,
    .check_watchpoint = x86_bpt_check_access,
    .restore_state = x86_cpu_restore_state,
    .exit_request_offset = offsetof(X86CPU, exit_request),
    .insn_pc_offset = offsetof(X86CPU, insn_pc),
    .tlb_offset = offsetof(X86CPU, tlb),
    .ir_frame_offset = offsetof(X86CPU, ir_frame),
    .disas_log = x86_disas_log,
    .disas = x86_disas_block,
    .arch_regs = x86_cpu_arch_regs,
};

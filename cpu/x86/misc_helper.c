/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/misc_helper.c — control and debug registers, MSRs, CPUID, the TSC, port I/O and
 * the other privileged instructions of the x86 CPU.
 *
 * Models (Intel SDM vol. 3A): ch. 2.5 (CR0, CR3, CR4, CR8 with their reserved bits and the
 * mode changes they cause: paging on/off, IA-32e mode activation through EFER.LME + CR0.PG,
 * TLB flushes), 2.2.1 (EFER), MOV DR (through bpt_helper.c),
 * 11.11-11.12 (MTRR and PAT MSRs: stored and read back), 10.4.4/10.12 (IA32_APIC_BASE and
 * the x2APIC MSR range, passed to the local APIC through x86_apic_hooks, as is
 * IA32_TSC_DEADLINE when CPUID reports it), 17.17 (TSC, IA32_TSC_AUX), vol. 3B 16.3 (the
 * machine-check registers, stored), CPUID per model with -cpu's feature changes; vol. 1
 * ch. 19.5 (I/O privilege: IOPL and the TSS I/O permission bitmap); vol. 2: CPUID, RDTSC,
 * RDTSCP, RDMSR, WRMSR, HLT, IN, OUT, CLI, STI, LMSW, CLTS, INVLPG, RDPMC, WBINVD, PAUSE.
 *
 * Not modelled: performance counters (RDPMC always #GP; AMD's legacy counter MSRs are stored),
 * MTRR/PAT memory types (stored, no effect), machine-check errors, CR4.VME/PVI, PCIDs.
 * Unknown MSRs give #GP(0) and a "-d unimp" line.
 */
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"
#include <time.h>

X86APICHooks x86_apic_hooks;

static inline int cpl_of(X86CPU *env)
{
    return env->hflags & HF_CPL_MASK;
}

static NORETURN void gp0(X86CPU *env)
{
    x86_raise_exception_err(env, EXCP0D_GPF, 0);
}

static void check_cpl0(X86CPU *env)
{
    if (cpl_of(env) != 0) {
        gp0(env);
    }
}

static inline bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* ---------------------------------------------------------------------------------------
 * CPUID: the one table of what each model reports (SDM vol. 2A, CPUID)
 * ------------------------------------------------------------------------------------- */

/* leaf 1 EDX */
#define F1D_FPU     (1u << 0)
#define F1D_DE      (1u << 2)
#define F1D_PSE     (1u << 3)
#define F1D_TSC     (1u << 4)
#define F1D_MSR     (1u << 5)
#define F1D_PAE     (1u << 6)
#define F1D_MCE     (1u << 7)
#define F1D_MCA     (1u << 14)
#define F1D_CX8     (1u << 8)
#define F1D_APIC    (1u << 9)
#define F1D_SEP     (1u << 11)
#define F1D_MTRR    (1u << 12)
#define F1D_PGE     (1u << 13)
#define F1D_CMOV    (1u << 15)
#define F1D_PAT     (1u << 16)
#define F1D_CLFSH   (1u << 19)
#define F1D_MMX     (1u << 23)
#define F1D_FXSR    (1u << 24)
#define F1D_SSE     (1u << 25)
#define F1D_SSE2    (1u << 26)
/* leaf 1 ECX */
#define F1C_SSE3    (1u << 0)
#define F1C_SSSE3   (1u << 9)
#define F1C_CX16    (1u << 13)
#define F1C_SSE41   (1u << 19)
#define F1C_SSE42   (1u << 20)
#define F1C_X2APIC  (1u << 21)
#define F1C_MOVBE   (1u << 22)
#define F1C_POPCNT  (1u << 23)
#define F1C_TSC_DEADLINE (1u << 24) /* the local APIC's TSC-deadline timer mode */
#define F1C_XSAVE   (1u << 26)
#define F1C_OSXSAVE (1u << 27)      /* mirrors CR4.OSXSAVE */
/* leaf 7 EBX / ECX */
#define F7B_FSGSBASE (1u << 0)
#define F7B_SMEP    (1u << 7)
#define F7B_SMAP    (1u << 20)
#define F7C_UMIP    (1u << 2)
/* leaf 0x80000001 EDX / ECX */
#define E1D_SYSCALL (1u << 11)
#define E1D_NX      (1u << 20)
#define E1D_PDPE1GB (1u << 26)
#define E1D_RDTSCP  (1u << 27)
#define E1D_LM      (1u << 29)
#define E1C_ABM     (1u << 5)       /* LZCNT */
/* leaf 0x80000007 EDX */
#define E7D_INVTSC  (1u << 8)

/*
 * Instruction-set extensions the translator implements (translate*.c): this is where a new
 * instruction group is switched on for the models below. Reported now: CMPXCHG8B, CMOVcc,
 * CMPXCHG16B, MOVBE, POPCNT, LZCNT, RDTSCP, SYSENTER/SYSEXIT, SYSCALL/SYSRET, and (X87_*)
 * the x87 FPU, FXSAVE/FXRSTOR and XSAVE/XRSTOR/XSAVEOPT for x87 and SSE state
 * (translate-fpu.c); BMI1 stays 0 because of its instructions only TZCNT exists.
 */
#define X87_F1_EDX (F1D_FPU | F1D_FXSR)
#define X87_F1_ECX F1C_XSAVE
/* MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1, SSE4.2 (translate-sse*.c, sse_helper.c,
 * sse_fp_helper.c), and CLFLUSH (a NOP: no caches; line size 64 in leaf 1 EBX) */
#define SSE_F1_EDX (F1D_MMX | F1D_SSE | F1D_SSE2 | F1D_CLFSH)
#define SSE_F1_ECX (F1C_SSE3 | F1C_SSSE3 | F1C_SSE41 | F1C_SSE42)
#define ISA_F1_EDX (F1D_CX8 | F1D_CMOV | F1D_SEP | X87_F1_EDX | SSE_F1_EDX)
#define ISA_F1_ECX (F1C_CX16 | F1C_MOVBE | F1C_POPCNT | X87_F1_ECX | SSE_F1_ECX)
#define ISA_F7_EBX 0u
#define ISA_E1_EDX (E1D_SYSCALL | E1D_RDTSCP)
#define ISA_E1_ECX E1C_ABM

/* System features implemented by the system side (this file, mmu.c, seg_helper.c ...). */
#define SYS_F1_EDX (F1D_DE | F1D_PSE | F1D_TSC | F1D_MSR | F1D_PAE | F1D_MCE | F1D_APIC | \
                    F1D_MTRR | F1D_PGE | F1D_MCA | F1D_PAT)
#define SYS_E1_EDX (E1D_NX | E1D_PDPE1GB | E1D_LM)

typedef struct X86Model {
    const char *name;
    uint32_t f1_edx, f1_ecx, f7_ebx, f7_ecx, e1_edx, e1_ecx, e7_edx;
} X86Model;

static const X86Model x86_model_table[] = {
    { "qemu64", SYS_F1_EDX | ISA_F1_EDX, ISA_F1_ECX, ISA_F7_EBX, 0,
      SYS_E1_EDX | ISA_E1_EDX, ISA_E1_ECX, E7D_INVTSC },
    /* every feature tandem implements: -cpu MODEL,+feat may add only these */
    { "max", SYS_F1_EDX | ISA_F1_EDX, ISA_F1_ECX | F1C_X2APIC | F1C_TSC_DEADLINE,
      ISA_F7_EBX | F7B_SMEP | F7B_SMAP, F7C_UMIP,
      SYS_E1_EDX | ISA_E1_EDX, ISA_E1_ECX, E7D_INVTSC },
    /* no optional feature at all (CPUID leaves exist, every feature bit is 0) */
    { "base", 0, 0, 0, 0, 0, 0, 0 },
};

static const X86Model *model_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(x86_model_table); i++) {
        if (!strcmp(name, x86_model_table[i].name)) {
            return &x86_model_table[i];
        }
    }
    return NULL;
}

static X86Features model_features(const X86Model *m)
{
    return (X86Features){ m->f1_edx, m->f1_ecx, m->f7_ebx, m->f7_ecx, m->e1_edx, m->e1_ecx,
                          m->e7_edx };
}

int x86_cpu_set_features(X86CPU *env, const char *name, const char *opts)
{
    const X86Model *m = model_find(name);

    if (!m) {
        error_report("unknown x86 CPU model '%s' (-cpu help lists them)", name);
        return -EINVAL;
    }
    env->features = model_features(m);
    memcpy(env->vendor, "GenuineIntel", 13);
    if (!opts) {
        return 0;
    }
    X86Features impl = model_features(model_find("max"));
    /* every vCPU parses the same options: warn once */
    return x86_features_apply(&env->features, &impl, env->vendor, opts,
                              x86_cs(env)->index == 0);
}

int x86_cpu_check_features(const char *name, const char *opts)
{
    const X86Model *m = model_find(name);
    char vendor[13];

    if (!m) {
        error_report("unknown x86 CPU model '%s' (-cpu help lists them)", name);
        return -EINVAL;
    }
    X86Features f = model_features(m), impl = model_features(model_find("max"));
    return opts ? x86_features_apply(&f, &impl, vendor, opts, false) : 0;
}

/* The features this vCPU reports (its model's, changed by -cpu options). A CPU built by
 * hand (unit tests set only env->model) gets its model's features on first use. */
static const X86Features *model_of(X86CPU *env)
{
    if (unlikely(!env->vendor[0])) {
        x86_cpu_set_features(env, env->model && model_find(env->model) ? env->model : "qemu64",
                             NULL);
    }
    return &env->features;
}

/* Family 15, model 107, stepping 1 (the numbers QEMU's qemu64 reports). */
uint32_t x86_cpuid_signature(X86CPU *env)
{
    return 0x00060fb1;
}

static void brand_string(uint32_t leaf, uint32_t *r)
{
    static const char brand[48] = "Tandem Virtual CPU";
    memcpy(r, brand + (leaf - 0x80000002) * 16, 16);
}

void x86_cpuid(X86CPU *env, uint32_t leaf, uint32_t subleaf,
               uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
    const X86Features *m = model_of(env);
    uint32_t r[4] = { 0, 0, 0, 0 };

    if (leaf >= 0x80000000u ? leaf > env->cpuid_xlevel : leaf > env->cpuid_level) {
        leaf = 0xffffffffu;     /* out of range: all zero */
    }
    switch (leaf) {
    case 0:
        r[0] = env->cpuid_level;
        memcpy(&r[1], env->vendor, 4);
        memcpy(&r[3], env->vendor + 4, 4);
        memcpy(&r[2], env->vendor + 8, 4);
        break;
    case 1:
        r[0] = x86_cpuid_signature(env);
        /* initial APIC id, one logical processor, CLFLUSH line size 64 bytes */
        r[1] = ((uint32_t)x86_cs(env)->index << 24) | (1u << 16) | (8u << 8);
        r[2] = m->f1_ecx;
        r[3] = m->f1_edx;
        if ((m->f1_ecx & F1C_XSAVE) && (env->cr[4] & CR4_OSXSAVE)) {
            r[2] |= F1C_OSXSAVE;
        }
        /* a globally disabled local APIC (IA32_APIC_BASE.EN = 0) is not reported
         * (SDM vol. 3A 11.4.3) */
        if (!(env->apic_base & X86_APICBASE_EN)) {
            r[3] &= ~F1D_APIC;
        }
        break;
    case 0xb:
        /* x2APIC topology: as for QEMU's default -smp N, every CPU is a package of its
         * own (one core, one thread), matching leaf 1's one logical processor. Levels:
         * sub-leaf 0 SMT, 1 core, then invalid; EDX is the x2APIC ID at every level. */
        if (subleaf <= 1) {
            r[1] = 1;
            r[2] = ((subleaf + 1) << 8) | subleaf;
        } else {
            r[2] = subleaf & 0xff;
        }
        r[3] = (uint32_t)x86_cs(env)->index;
        break;
    case 7:
        if (subleaf == 0) {
            r[1] = m->f7_ebx;
            r[2] = m->f7_ecx;
        }
        break;
    case 0xd:
        /* XSAVE: components x87 and SSE, both in the legacy area; only XSAVEOPT of the
         * optional instructions (sub-leaf 1) */
        if (!(m->f1_ecx & F1C_XSAVE)) {
            break;
        }
        if (subleaf == 0) {
            r[0] = X86_XCR0_SUPPORTED;  /* EDX:EAX: the XCR0 bits that may be set */
            r[1] = X86_XSAVE_SIZE;      /* the area size for the components enabled in XCR0 */
            r[2] = X86_XSAVE_SIZE;      /* ... for every supported component */
        } else if (subleaf == 1) {
            r[0] = 1;                   /* XSAVEOPT */
        }
        break;
    case 0x80000000u:
        r[0] = env->cpuid_xlevel;
        break;
    case 0x80000001u:
        r[2] = m->e1_ecx;
        r[3] = m->e1_edx;
        break;
    case 0x80000002u: case 0x80000003u: case 0x80000004u:
        brand_string(leaf, r);
        break;
    case 0x80000007u:
        r[3] = m->e7_edx;
        break;
    case 0x80000008u:
        r[0] = (48u << 8) | X86_PHYS_ADDR_BITS;     /* linear and physical address bits */
        break;
    default:
        break;
    }
    *eax = r[0];
    *ebx = r[1];
    *ecx = r[2];
    *edx = r[3];
}

IR_HELPER(helper_cpuid)
{
    X86CPU *env = env_;
    uint32_t a, b, c, d;

    x86_cpuid(env, (uint32_t)env->regs[R_EAX], (uint32_t)env->regs[R_ECX], &a, &b, &c, &d);
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Control registers, EFER, A20
 * ------------------------------------------------------------------------------------- */

#define CR0_VALID (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
                   CR0_NW | CR0_CD | CR0_PG)

void x86_write_cr0(X86CPU *env, uint64_t val)
{
    uint64_t old = env->cr[0];

    val |= CR0_ET;
    if (!(old & CR0_PG) && (val & CR0_PG) && (env->efer & EFER_LME) &&
        (env->cr[4] & CR4_PAE)) {
        env->efer |= EFER_LMA;      /* IA-32e mode activation (SDM 9.8.5) */
    }
    if ((old & CR0_PG) && !(val & CR0_PG) && (env->efer & EFER_LMA)) {
        env->efer &= ~(uint64_t)EFER_LMA;
    }
    if ((old ^ val) & (CR0_PG | CR0_PE | CR0_WP)) {
        tlb_flush(x86_cs(env));
    }
    env->cr[0] = val;
    x86_update_hflags(env);
}

void x86_write_cr3(X86CPU *env, uint64_t val)
{
    env->cr[3] = val;
    tlb_flush(x86_cs(env));
}

void x86_write_cr4(X86CPU *env, uint64_t val)
{
    uint64_t old = env->cr[4];

    if ((old ^ val) & (CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP | CR4_SMAP)) {
        tlb_flush(x86_cs(env));
    }
    env->cr[4] = val;
    x86_update_hflags(env);
}

void x86_write_efer(X86CPU *env, uint64_t val)
{
    uint64_t old = env->efer;

    env->efer = val;
    if ((old ^ val) & (EFER_NXE | EFER_LMA)) {
        tlb_flush(x86_cs(env));
    }
    x86_update_hflags(env);
}

void x86_cpu_set_a20(X86CPU *env, bool enabled)
{
    uint64_t mask = enabled ? ~0ull : ~(1ull << 20);

    if (mask != env->a20_mask) {
        env->a20_mask = mask;
        tlb_flush(x86_cs(env));
    }
}

/* CR4 bits of the features this model reports; the others are reserved (#GP). */
static uint64_t cr4_valid(X86CPU *env)
{
    const X86Features *m = model_of(env);
    uint64_t v = CR4_PCE;

    v |= (m->f1_edx & F1D_TSC) ? CR4_TSD : 0;
    v |= (m->f1_edx & F1D_DE) ? CR4_DE : 0;
    v |= (m->f1_edx & F1D_PSE) ? CR4_PSE : 0;
    v |= (m->f1_edx & F1D_PAE) ? CR4_PAE : 0;
    v |= (m->f1_edx & F1D_MCE) ? CR4_MCE : 0;
    v |= (m->f1_edx & F1D_PGE) ? CR4_PGE : 0;
    v |= (m->f1_edx & F1D_FXSR) ? CR4_OSFXSR : 0;
    v |= (m->f1_edx & (F1D_SSE | F1D_FXSR)) ? CR4_OSXMMEXCPT : 0;
    v |= (m->f1_ecx & F1C_XSAVE) ? CR4_OSXSAVE : 0;
    v |= (m->f7_ecx & F7C_UMIP) ? CR4_UMIP : 0;
    v |= (m->f7_ebx & F7B_FSGSBASE) ? CR4_FSGSBASE : 0;
    v |= (m->f7_ebx & F7B_SMEP) ? CR4_SMEP : 0;
    v |= (m->f7_ebx & F7B_SMAP) ? CR4_SMAP : 0;
    return v;
}

IR_HELPER(helper_read_crN)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);

    check_cpl0(env);
    switch (a0) {
    case 0: case 2: case 3: case 4:
        return env->cr[a0];
    case 8:
        return x86_apic_hooks.get_tpr ? x86_apic_hooks.get_tpr(x86_apic_hooks.opaque, cs) & 15
                                      : 0;
    default:
        x86_raise_exception(env, EXCP06_ILLOP);
    }
}

IR_HELPER(helper_write_crN)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);
    uint64_t val = a1;
    bool lma = env->efer & EFER_LMA;

    check_cpl0(env);
    switch (a0) {
    case 0:
        if (val >> 32) {
            gp0(env);
        }
        val &= CR0_VALID;
        if (((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD))) {
            gp0(env);
        }
        if ((val & CR0_PG) && !(env->cr[0] & CR0_PG) && (env->efer & EFER_LME) &&
            !(env->cr[4] & CR4_PAE)) {
            gp0(env);
        }
        if (!(val & CR0_PG) && (env->hflags & HF_CS64_MASK)) {
            gp0(env);
        }
        x86_write_cr0(env, val);
        break;
    case 2:
        env->cr[2] = val;
        break;
    case 3:
        if (lma) {
            if (val & ~((1ull << X86_PHYS_ADDR_BITS) - 1) & ~(1ull << 63)) {
                gp0(env);
            }
            val &= ~(1ull << 63);       /* the PCID no-flush bit (no PCIDs here) */
        } else {
            val = (uint32_t)val;
        }
        x86_write_cr3(env, val);
        break;
    case 4:
        if ((val & ~cr4_valid(env)) || (lma && !(val & CR4_PAE))) {
            gp0(env);
        }
        x86_write_cr4(env, val);
        break;
    case 8:
        if (val & ~15ull) {
            gp0(env);
        }
        if (x86_apic_hooks.set_tpr) {
            x86_apic_hooks.set_tpr(x86_apic_hooks.opaque, cs, (uint8_t)val);
        }
        break;
    default:
        x86_raise_exception(env, EXCP06_ILLOP);
    }
    return 0;
}

IR_HELPER(helper_lmsw)
{
    X86CPU *env = env_;
    uint64_t cr0 = env->cr[0];

    check_cpl0(env);
    /* only PE, MP, EM and TS; PE can be set but not cleared */
    cr0 = (cr0 & ~0xeull) | (a0 & 0xf) | (cr0 & CR0_PE);
    x86_write_cr0(env, cr0);
    return 0;
}

IR_HELPER(helper_clts)
{
    X86CPU *env = env_;

    check_cpl0(env);
    env->cr[0] &= ~(uint64_t)CR0_TS;
    x86_update_hflags(env);
    return 0;
}

IR_HELPER(helper_invlpg)
{
    X86CPU *env = env_;

    check_cpl0(env);
    tlb_flush_page(x86_cs(env), a0);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Debug registers (the checks and breakpoints themselves are bpt_helper.c's)
 * ------------------------------------------------------------------------------------- */

IR_HELPER(helper_read_drN)
{
    X86CPU *env = env_;

    check_cpl0(env);
    return x86_bpt_read_dr(env, (int)a0);
}

IR_HELPER(helper_write_drN)
{
    X86CPU *env = env_;

    check_cpl0(env);
    x86_bpt_write_dr(env, (int)a0, a1);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * TSC
 * ------------------------------------------------------------------------------------- */

/* The host's monotonic clock in nanoseconds: the TSC runs at a fixed 1 GHz. */
static uint64_t host_cycles(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t x86_rdtsc(X86CPU *env)
{
    return host_cycles() + (uint64_t)env->tsc_offset;
}

static void check_tsd(X86CPU *env)
{
    if ((env->cr[4] & CR4_TSD) && cpl_of(env) != 0) {
        gp0(env);
    }
}

IR_HELPER(helper_rdtsc)
{
    X86CPU *env = env_;
    uint64_t t;

    check_tsd(env);
    t = x86_rdtsc(env);
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
    return 0;
}

IR_HELPER(helper_rdtscp)
{
    X86CPU *env = env_;

    helper_rdtsc(env_, 0, 0, 0, 0);
    env->regs[R_ECX] = (uint32_t)env->tsc_aux;
    return 0;
}

IR_HELPER(helper_rdpmc)
{
    gp0(env_);
}

/* ---------------------------------------------------------------------------------------
 * MSRs
 * ------------------------------------------------------------------------------------- */

#define MSR_IA32_UCODE_REV      0x8b
#define MSR_MTRRCAP             0xfe
#define MSR_MTRR_DEF_TYPE       0x2ff
#define MSR_MTRR_PHYSBASE0      0x200
#define MSR_X2APIC_FIRST        0x800
#define MSR_X2APIC_LAST         0x8ff
#define MSR_IA32_TSC_DEADLINE   0x6e0
#define MSR_IA32_MCG_CAP        0x179
#define MSR_IA32_MCG_STATUS     0x17a
#define MSR_IA32_MCG_CTL        0x17b
#define MSR_IA32_MC0_CTL        0x400   /* bank i: CTL, STATUS, ADDR, MISC at 0x400 + 4i */
#define MCG_CTL_P               (1ull << 8)
#define MSR_K7_EVNTSEL0         0xc0010000  /* AMD: PerfEvtSel0-3, then PerfCtr0-3 */
#define MTRRCAP_VALUE           0x508   /* 8 variable ranges, fixed ranges, WC */

typedef enum { MSR_OK, MSR_UNKNOWN, MSR_INVALID } MsrStatus;

static int mtrr_fixed_index(uint32_t msr)
{
    if (msr == 0x250) {
        return 0;
    }
    if (msr == 0x258 || msr == 0x259) {
        return 1 + (int)(msr - 0x258);
    }
    if (msr >= 0x268 && msr <= 0x26f) {
        return 3 + (int)(msr - 0x268);
    }
    return -1;
}

/* Memory types valid in the PAT and the MTRRs: UC WC WT WP WB (and UC- for the PAT). */
static bool mem_type_ok(unsigned t, bool pat)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || (pat && t == 7);
}

static bool mem_types_ok(uint64_t v, bool pat)
{
    for (int i = 0; i < 8; i++) {
        if (!mem_type_ok((v >> (8 * i)) & 0xff, pat)) {
            return false;
        }
    }
    return true;
}

/*
 * The machine-check architecture's registers (SDM vol. 3B ch. 16.3): IA32_MCG_CAP with
 * X86_MCE_BANKS banks and IA32_MCG_CTL, IA32_MCG_STATUS, and per bank CTL, STATUS, ADDR
 * and MISC. Nothing ever logs an error, so they hold what software writes, with the write
 * rules of 16.3.2: MCi_CTL takes only all 0s or all 1s (as P6 and later processors
 * allow), MCi_STATUS only 0. MSR_UNKNOWN for an MSR outside the architecture.
 */
static MsrStatus mca_msr(X86CPU *env, uint32_t msr, uint64_t *val, bool write)
{
    X86SysState *sys = x86_sys_state(env);
    uint64_t *reg;

    if (!(model_of(env)->f1_edx & F1D_MCA)) {
        return MSR_UNKNOWN;
    }
    if (msr == MSR_IA32_MCG_CAP) {
        if (write) {
            return MSR_INVALID;
        }
        *val = MCG_CTL_P | X86_MCE_BANKS;
        return MSR_OK;
    }
    if (msr == MSR_IA32_MCG_STATUS || msr == MSR_IA32_MCG_CTL) {
        reg = msr == MSR_IA32_MCG_STATUS ? &sys->mcg_status : &sys->mcg_ctl;
    } else if (msr >= MSR_IA32_MC0_CTL && msr < MSR_IA32_MC0_CTL + 4 * X86_MCE_BANKS) {
        unsigned bank = (msr - MSR_IA32_MC0_CTL) / 4, r = (msr - MSR_IA32_MC0_CTL) % 4;
        reg = &sys->mc_banks[bank][r];
        if (write && r == 0 && *val != 0 && *val != ~0ull) {
            return MSR_INVALID;
        }
        if (write && r == 1 && *val != 0) {
            return MSR_INVALID;
        }
    } else {
        return MSR_UNKNOWN;
    }
    if (write) {
        *reg = *val;
    } else {
        *val = *reg;
    }
    return MSR_OK;
}

/*
 * AMD's legacy performance counters (AMD APM vol. 2 13.2.1), which every AMD64 processor
 * has whatever CPUID says: the event selects and counters hold what is written; nothing
 * counts (performance monitoring is not modelled).
 */
static MsrStatus amd_perf_msr(X86CPU *env, uint32_t msr, uint64_t *val, bool write)
{
    uint64_t *reg = &x86_sys_state(env)->amd_perf[msr - MSR_K7_EVNTSEL0];

    if (!x86_vendor_amd(env)) {
        return MSR_UNKNOWN;
    }
    if (write) {
        *reg = msr >= MSR_K7_EVNTSEL0 + 4 ? *val & ((1ull << 48) - 1) : *val;
    } else {
        *val = *reg;
    }
    return MSR_OK;
}

/* IA32_TSC_DEADLINE belongs to the local APIC's timer; it exists when CPUID reports it. */
static MsrStatus tsc_deadline_msr(X86CPU *env, uint64_t *val, bool write)
{
    bool ok = true;

    if (!(model_of(env)->f1_ecx & F1C_TSC_DEADLINE) || !x86_apic_hooks.msr_read) {
        return MSR_UNKNOWN;
    }
    if (write) {
        x86_apic_hooks.msr_write(x86_apic_hooks.opaque, x86_cs(env), MSR_IA32_TSC_DEADLINE,
                                 *val, &ok);
    } else {
        *val = x86_apic_hooks.msr_read(x86_apic_hooks.opaque, x86_cs(env),
                                       MSR_IA32_TSC_DEADLINE, &ok);
    }
    return ok ? MSR_OK : MSR_INVALID;
}

static MsrStatus msr_read(X86CPU *env, uint32_t msr, uint64_t *val)
{
    X86SysState *sys = x86_sys_state(env);
    int i;

    switch (msr) {
    case MSR_IA32_TSC: *val = x86_rdtsc(env); return MSR_OK;
    case MSR_IA32_UCODE_REV: *val = 1ull << 32; return MSR_OK;
    case MSR_IA32_APICBASE: *val = env->apic_base; return MSR_OK;
    case MSR_IA32_SYSENTER_CS: *val = env->sysenter_cs; return MSR_OK;
    case MSR_IA32_SYSENTER_ESP: *val = env->sysenter_esp; return MSR_OK;
    case MSR_IA32_SYSENTER_EIP: *val = env->sysenter_eip; return MSR_OK;
    case MSR_IA32_MISC_ENABLE: *val = env->misc_enable; return MSR_OK;
    case MSR_IA32_PAT: *val = env->pat; return MSR_OK;
    case MSR_MTRRCAP: *val = MTRRCAP_VALUE; return MSR_OK;
    case MSR_MTRR_DEF_TYPE: *val = sys->mtrr_deftype; return MSR_OK;
    case MSR_EFER: *val = env->efer; return MSR_OK;
    case MSR_STAR: *val = env->star; return MSR_OK;
    case MSR_LSTAR: *val = env->lstar; return MSR_OK;
    case MSR_CSTAR: *val = env->cstar; return MSR_OK;
    case MSR_FMASK: *val = env->fmask; return MSR_OK;
    case MSR_FSBASE: *val = env->segs[X86_SEG_FS].base; return MSR_OK;
    case MSR_GSBASE: *val = env->segs[X86_SEG_GS].base; return MSR_OK;
    case MSR_KERNELGSBASE: *val = env->kernel_gs_base; return MSR_OK;
    case MSR_TSC_AUX: *val = env->tsc_aux; return MSR_OK;
    case MSR_IA32_TSC_DEADLINE: return tsc_deadline_msr(env, val, false);
    case MSR_IA32_MCG_CAP ... MSR_IA32_MCG_CTL:
    case MSR_IA32_MC0_CTL ... MSR_IA32_MC0_CTL + 4 * X86_MCE_BANKS - 1:
        return mca_msr(env, msr, val, false);
    case MSR_K7_EVNTSEL0 ... MSR_K7_EVNTSEL0 + 7:
        return amd_perf_msr(env, msr, val, false);
    default:
        break;
    }
    if ((i = mtrr_fixed_index(msr)) >= 0) {
        *val = sys->mtrr_fixed[i];
        return MSR_OK;
    }
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 16) {
        *val = sys->mtrr_var[msr - MSR_MTRR_PHYSBASE0];
        return MSR_OK;
    }
    if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST && x86_apic_hooks.msr_read) {
        bool ok = true;
        *val = x86_apic_hooks.msr_read(x86_apic_hooks.opaque, x86_cs(env), msr, &ok);
        return ok ? MSR_OK : MSR_INVALID;
    }
    return MSR_UNKNOWN;
}

static MsrStatus write_efer_msr(X86CPU *env, uint64_t val)
{
    const X86Features *m = model_of(env);
    uint64_t valid = 0;

    valid |= (m->e1_edx & E1D_SYSCALL) ? EFER_SCE : 0;
    valid |= (m->e1_edx & E1D_LM) ? (EFER_LME | EFER_LMA) : 0;
    valid |= (m->e1_edx & E1D_NX) ? EFER_NXE : 0;
    if (val & ~valid) {
        return MSR_INVALID;
    }
    if (((val ^ env->efer) & EFER_LME) && (env->cr[0] & CR0_PG)) {
        return MSR_INVALID;
    }
    /* LMA is read-only: it follows CR0.PG */
    x86_write_efer(env, (val & ~(uint64_t)EFER_LMA) | (env->efer & EFER_LMA));
    return MSR_OK;
}

static MsrStatus write_apic_base(X86CPU *env, uint64_t val)
{
    uint64_t valid = 0x100 | 0x800 | (((1ull << X86_PHYS_ADDR_BITS) - 1) & ~0xfffull);

    if (model_of(env)->f1_ecx & F1C_X2APIC) {
        valid |= 0x400;
    }
    if (val & ~valid) {
        return MSR_INVALID;
    }
    /* the mode transitions that #GP (SDM vol. 3A 11.12.5, figure 11-27): EXTD without EN,
     * x2APIC straight to xAPIC, and disabled straight to x2APIC */
    bool en = val & X86_APICBASE_EN, extd = val & X86_APICBASE_EXTD;
    bool old_en = env->apic_base & X86_APICBASE_EN;
    bool old_extd = env->apic_base & X86_APICBASE_EXTD;
    if ((extd && !en) || (old_extd && en && !extd) || (!old_en && extd)) {
        return MSR_INVALID;
    }
    env->apic_base = val;
    if (x86_apic_hooks.set_base) {
        x86_apic_hooks.set_base(x86_apic_hooks.opaque, x86_cs(env), val);
    }
    return MSR_OK;
}

static MsrStatus msr_write(X86CPU *env, uint32_t msr, uint64_t val)
{
    X86SysState *sys = x86_sys_state(env);
    uint64_t phys_hi = ~((1ull << X86_PHYS_ADDR_BITS) - 1);
    int i;

    switch (msr) {
    case MSR_IA32_TSC:
        env->tsc_offset = (int64_t)(val - host_cycles());
        return MSR_OK;
    case MSR_IA32_UCODE_REV:
        return MSR_OK;      /* writing 0 before CPUID is how the revision is read */
    case MSR_IA32_APICBASE:
        return write_apic_base(env, val);
    case MSR_IA32_SYSENTER_CS:
        env->sysenter_cs = val & 0xffff;
        return MSR_OK;
    case MSR_IA32_SYSENTER_ESP:
    case MSR_IA32_SYSENTER_EIP:
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_KERNELGSBASE:
    case MSR_FSBASE:
    case MSR_GSBASE:
        if (!canonical(val)) {
            return MSR_INVALID;
        }
        if (msr == MSR_IA32_SYSENTER_ESP) {
            env->sysenter_esp = val;
        } else if (msr == MSR_IA32_SYSENTER_EIP) {
            env->sysenter_eip = val;
        } else if (msr == MSR_LSTAR) {
            env->lstar = val;
        } else if (msr == MSR_CSTAR) {
            env->cstar = val;
        } else if (msr == MSR_KERNELGSBASE) {
            env->kernel_gs_base = val;
        } else if (msr == MSR_FSBASE) {
            env->segs[X86_SEG_FS].base = val;
        } else {
            env->segs[X86_SEG_GS].base = val;
        }
        return MSR_OK;
    case MSR_IA32_MISC_ENABLE:
        env->misc_enable = val;
        return MSR_OK;
    case MSR_IA32_PAT:
        if (!mem_types_ok(val, true)) {
            return MSR_INVALID;
        }
        env->pat = val;
        return MSR_OK;
    case MSR_MTRRCAP:
        return MSR_INVALID;
    case MSR_MTRR_DEF_TYPE:
        if ((val & ~0xcffull) || !mem_type_ok(val & 0xff, false)) {
            return MSR_INVALID;
        }
        sys->mtrr_deftype = val;
        return MSR_OK;
    case MSR_EFER:
        return write_efer_msr(env, val);
    case MSR_STAR:
        env->star = val;
        return MSR_OK;
    case MSR_FMASK:
        env->fmask = (uint32_t)val;
        return MSR_OK;
    case MSR_TSC_AUX:
        if (val >> 32) {
            return MSR_INVALID;
        }
        env->tsc_aux = val;
        return MSR_OK;
    case MSR_IA32_TSC_DEADLINE:
        return tsc_deadline_msr(env, &val, true);
    case MSR_IA32_MCG_CAP ... MSR_IA32_MCG_CTL:
    case MSR_IA32_MC0_CTL ... MSR_IA32_MC0_CTL + 4 * X86_MCE_BANKS - 1:
        return mca_msr(env, msr, &val, true);
    case MSR_K7_EVNTSEL0 ... MSR_K7_EVNTSEL0 + 7:
        return amd_perf_msr(env, msr, &val, true);
    default:
        break;
    }
    if ((i = mtrr_fixed_index(msr)) >= 0) {
        if (!mem_types_ok(val, false)) {
            return MSR_INVALID;
        }
        sys->mtrr_fixed[i] = val;
        return MSR_OK;
    }
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 16) {
        bool is_mask = (msr - MSR_MTRR_PHYSBASE0) & 1;
        if (is_mask ? (val & (phys_hi | 0x7ff)) :
                      ((val & (phys_hi | 0xf00)) || !mem_type_ok(val & 0xff, false))) {
            return MSR_INVALID;
        }
        sys->mtrr_var[msr - MSR_MTRR_PHYSBASE0] = val;
        return MSR_OK;
    }
    if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST && x86_apic_hooks.msr_write) {
        bool ok = true;
        x86_apic_hooks.msr_write(x86_apic_hooks.opaque, x86_cs(env), msr, val, &ok);
        return ok ? MSR_OK : MSR_INVALID;
    }
    return MSR_UNKNOWN;
}

bool x86_rdmsr(X86CPU *env, uint32_t msr, uint64_t *val)
{
    return msr_read(env, msr, val) == MSR_OK;
}

bool x86_wrmsr(X86CPU *env, uint32_t msr, uint64_t val)
{
    return msr_write(env, msr, val) == MSR_OK;
}

IR_HELPER(helper_rdmsr)
{
    X86CPU *env = env_;
    uint32_t msr = (uint32_t)env->regs[R_ECX];
    uint64_t val = 0;
    MsrStatus st;

    check_cpl0(env);
    st = msr_read(env, msr, &val);
    if (st != MSR_OK) {
        if (st == MSR_UNKNOWN && log_enabled(LOG_UNIMP)) {
            log_printf("x86: rdmsr 0x%08x: unknown MSR, #GP\n", msr);
        }
        gp0(env);
    }
    env->regs[R_EAX] = (uint32_t)val;
    env->regs[R_EDX] = val >> 32;
    return 0;
}

IR_HELPER(helper_wrmsr)
{
    X86CPU *env = env_;
    uint32_t msr = (uint32_t)env->regs[R_ECX];
    uint64_t val = (uint32_t)env->regs[R_EAX] | (env->regs[R_EDX] << 32);
    MsrStatus st;

    check_cpl0(env);
    st = msr_write(env, msr, val);
    if (st != MSR_OK) {
        if (st == MSR_UNKNOWN && log_enabled(LOG_UNIMP)) {
            log_printf("x86: wrmsr 0x%08x = 0x%016" PRIx64 ": unknown MSR, #GP\n", msr, val);
        }
        gp0(env);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * HLT, port I/O, interrupt flag
 * ------------------------------------------------------------------------------------- */

IR_HELPER(helper_hlt)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);

    check_cpl0(env);
    env->hflags &= ~HF_INHIBIT_IRQ;
    env->eip = a0;
    cs->halted = true;
    cs->exception_index = EXCP_HLT;
    cpu_loop_exit(cs);
}

/* a0 port, a1 size in bytes: #GP(0) unless IOPL or the TSS I/O bitmap allows the access */
IR_HELPER(helper_check_io)
{
    X86CPU *env = env_;
    uint32_t port = (uint32_t)a0 & 0xffff, size = (uint32_t)a1;
    uint32_t type = (env->tr.flags >> DESC_TYPE_SHIFT) & 0xf, io_base, off, bits;
    int iopl = (env->eflags >> IOPL_SHIFT) & 3;

    if (!(env->hflags & HF_PE_MASK)) {
        return 0;
    }
    if (!(env->hflags & HF_VM_MASK) && cpl_of(env) <= iopl) {
        return 0;
    }
    /* only a 32-bit (or 64-bit) TSS has the bitmap */
    if (!(env->tr.flags & DESC_P_MASK) || (type & 0xd) != 9 || env->tr.limit < 0x67) {
        gp0(env);
    }
    io_base = (uint32_t)x86_ld_kernel(env, env->tr.base + 0x66, MO_16);
    off = io_base + (port >> 3);
    if (off + 1 > env->tr.limit) {
        gp0(env);
    }
    bits = (uint32_t)x86_ld_kernel(env, env->tr.base + off, MO_16);
    if ((bits >> (port & 7)) & ((1u << size) - 1)) {
        gp0(env);
    }
    return 0;
}

static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* a0 port, a1 size in bytes (1, 2, 4) */
IR_HELPER(helper_in)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);
    unsigned size = (unsigned)a1;

    if (unlikely(env->hflags & HF_DBP_MASK)) {
        x86_bpt_check_io(env, a0 & 0xffff, size);
    }
    if (!cs->io_as) {
        return size_mask(size);
    }
    return cpu_io_ld(cs, cs->io_as, a0 & 0xffff, size) & size_mask(size);
}

/* a0 port, a1 value, a2 size in bytes (1, 2, 4) */
IR_HELPER(helper_out)
{
    X86CPU *env = env_;
    CPUState *cs = x86_cs(env);
    unsigned size = (unsigned)a2;

    if (unlikely(env->hflags & HF_DBP_MASK)) {
        x86_bpt_check_io(env, a0 & 0xffff, size);
    }
    if (cs->io_as) {
        cpu_io_st(cs, cs->io_as, a0 & 0xffff, a1 & size_mask(size), size);
    }
    return 0;
}

/* CLI/STI: IOPL-sensitive in protected and virtual-8086 mode (no VME/PVI) */
static void check_if_change(X86CPU *env)
{
    int iopl = (env->eflags >> IOPL_SHIFT) & 3;

    if (!(env->hflags & HF_PE_MASK)) {
        return;
    }
    if ((env->hflags & HF_VM_MASK) ? iopl != 3 : cpl_of(env) > iopl) {
        gp0(env);
    }
}

IR_HELPER(helper_cli)
{
    X86CPU *env = env_;

    check_if_change(env);
    env->eflags &= ~(uint64_t)IF_MASK;
    return 0;
}

IR_HELPER(helper_sti)
{
    X86CPU *env = env_;

    check_if_change(env);
    if (!(env->eflags & IF_MASK)) {
        env->eflags |= IF_MASK;
        env->hflags |= HF_INHIBIT_IRQ;     /* interrupts wait one more instruction */
    }
    return 0;
}

IR_HELPER(helper_set_inhibit_irq)
{
    X86CPU *env = env_;

    env->hflags |= HF_INHIBIT_IRQ;
    return 0;
}

IR_HELPER(helper_pause)
{
    cpu_spin_pause(x86_cs((X86CPU *)env_));
    return 0;
}

IR_HELPER(helper_clear_inhibit_irq)
{
    X86CPU *env = env_;

    env->hflags &= ~HF_INHIBIT_IRQ;
    return 0;
}

IR_HELPER(helper_wbinvd)
{
    X86CPU *env = env_;

    check_cpl0(env);
    return 0;
}

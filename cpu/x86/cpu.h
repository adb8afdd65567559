/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/cpu.h — the x86-64 CPU: canonical architectural state and the interfaces between
 * the translator (translate*.c, cc_helper.c, int_helper.c), the system helpers (seg_helper.c,
 * excp_helper.c, mmu.c, misc_helper.c, cpu.c) and the accelerators.
 *
 * Flags are lazy: CF/PF/AF/ZF/SF/OF live in (cc_op, cc_dst, cc_src, cc_src2) and are
 * computed on demand by x86_eflags_get(); the other EFLAGS bits live in `eflags`, and DF in
 * `df` as +1/-1. env->cc_op in memory is always current at any point where a helper or
 * fault may run (the translator stores it whenever it changes).
 */
#ifndef CPU_X86_CPU_H
#define CPU_X86_CPU_H

#include "cpu/cpu.h"
#include "tcg-lite/ir.h"
#include "tcg-lite/softmmu.h"
#include "cpu/x86/decode.h"

/* GPR numbers */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
/* segment numbers: X86_SEG_* in decode.h (ES CS SS DS FS GS) */

/* EFLAGS bits */
#define CC_C    0x0001
#define CC_P    0x0004
#define CC_A    0x0010
#define CC_Z    0x0040
#define CC_S    0x0080
#define CC_O    0x0800
#define CC_MASK (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)
#define TF_MASK   0x00000100
#define IF_MASK   0x00000200
#define DF_MASK   0x00000400
#define IOPL_MASK 0x00003000
#define IOPL_SHIFT 12
#define NT_MASK   0x00004000
#define RF_MASK   0x00010000
#define VM_MASK   0x00020000
#define AC_MASK   0x00040000
#define VIF_MASK  0x00080000
#define VIP_MASK  0x00100000
#define ID_MASK   0x00200000

/* Lazy condition-code operations. B/W/L/Q = operand size 1/2/4/8 (in that order). */
typedef enum CCOp {
    CC_OP_EFLAGS = 0,   /* cc_src holds the flags (CC_MASK bits) */
#define CCOP4(n) CC_OP_##n##B, CC_OP_##n##W, CC_OP_##n##L, CC_OP_##n##Q
    CCOP4(ADD),     /* cc_dst = result, cc_src = src2 */
    CCOP4(ADC),     /* cc_dst = result, cc_src = src2, cc_src2 = carry in */
    CCOP4(SUB),     /* cc_dst = result, cc_src = src2 (cmp too) */
    CCOP4(SBB),     /* cc_dst = result, cc_src = src2, cc_src2 = borrow in */
    CCOP4(LOGIC),   /* cc_dst = result */
    CCOP4(INC),     /* cc_dst = result, cc_src = CF before (0/1) */
    CCOP4(DEC),     /* cc_dst = result, cc_src = CF before (0/1) */
    CCOP4(SHL),     /* cc_dst = result, cc_src = value shifted by count-1 (CF = top bit) */
    CCOP4(SAR),     /* cc_dst = result, cc_src = value shifted by count-1 (CF = bit 0); SHR too */
    CCOP4(MUL),     /* cc_dst = result (low), cc_src = non-zero when CF=OF=1 */
    CCOP4(BMILG),   /* cc_dst = result, cc_src = src (BLSI etc; reserved) */
#undef CCOP4
    CC_OP_CLR,      /* all flags cleared except ZF and PF set (xor r,r) */
    CC_OP_NB
} CCOp;

/* Segment descriptor cache. flags = descriptor high dword bits 8..23 (type, S, DPL, P, AVL,
 * L, D/B, G) kept in place, as in the descriptor (so DESC_P_MASK etc. apply directly). */
typedef struct SegmentCache {
    uint32_t selector;
    uint32_t limit;         /* byte granular (G already applied) */
    uint64_t base;
    uint32_t flags;
} SegmentCache;

#define DESC_TYPE_SHIFT 8
#define DESC_TYPE_MASK  (15 << DESC_TYPE_SHIFT)
#define DESC_A_MASK     (1 << 8)
#define DESC_W_MASK     (1 << 9)    /* data: writable */
#define DESC_R_MASK     (1 << 9)    /* code: readable */
#define DESC_E_MASK     (1 << 10)   /* data: expand down */
#define DESC_C_MASK     (1 << 10)   /* code: conforming */
#define DESC_CS_MASK    (1 << 11)   /* code segment */
#define DESC_S_MASK     (1 << 12)   /* not a system descriptor */
#define DESC_DPL_SHIFT  13
#define DESC_DPL_MASK   (3 << DESC_DPL_SHIFT)
#define DESC_P_MASK     (1 << 15)
#define DESC_AVL_MASK   (1 << 20)
#define DESC_L_MASK     (1 << 21)
#define DESC_B_MASK     (1 << 22)
#define DESC_G_MASK     (1 << 23)

typedef struct TableReg {
    uint64_t base;
    uint32_t limit;
} TableReg;

/* hflags: the mode bits that translated code depends on (part of the TB key). */
#define HF_CPL_MASK     0x0003      /* current privilege level */
#define HF_PE_MASK      (1 << 2)    /* CR0.PE */
#define HF_CS32_MASK    (1 << 3)    /* 32-bit code segment */
#define HF_SS32_MASK    (1 << 4)    /* 32-bit stack segment */
#define HF_LMA_MASK     (1 << 5)    /* long mode active */
#define HF_CS64_MASK    (1 << 6)    /* 64-bit code segment */
#define HF_VM_MASK      (1 << 7)    /* virtual-8086 mode */
#define HF_TF_MASK      (1 << 8)    /* EFLAGS.TF: single-step trap after each instruction */
#define HF_IOPL_SHIFT   9
#define HF_IOPL_MASK    (3 << HF_IOPL_SHIFT)   /* EFLAGS.IOPL */
#define HF_ADDSEG_MASK  (1 << 11)   /* DS/ES/SS may have a non-zero base (else flat) */
#define HF_INHIBIT_IRQ  (1 << 12)   /* interrupt shadow after MOV SS/POP SS/STI (not in the key) */
#define HF_SMAP_MASK    (1 << 13)   /* CR4.SMAP */
#define HF_AC_MASK      (1 << 14)   /* EFLAGS.AC (SMAP override) */
#define HF_MP_MASK      (1 << 15)   /* CR0.MP */
#define HF_EM_MASK      (1 << 16)   /* CR0.EM */
#define HF_TS_MASK      (1 << 17)   /* CR0.TS */
#define HF_OSFXSR_MASK  (1 << 18)   /* CR4.OSFXSR */
#define HF_UMIP_MASK    (1 << 19)   /* CR4.UMIP */
/*
 * One bit per segment register (bit HF_SEGCHK_SHIFT + X86_SEG_*): accesses through it need
 * the limit and rights checks of helper_check_seg, and for CS, branch targets the CS limit
 * check of helper_check_eip. Set outside 64-bit code for every segment that is not flat:
 * in protected mode not a present, writable (CS: readable), expand-up segment with a 4 GiB
 * limit, null selectors included; in real and virtual-8086 mode (where only the limit
 * counts) a limit other than 4 GiB, so plain real mode (64 KiB limits) is checked and
 * unreal mode is not. Flat segments thus cost nothing in translated code. Writes through
 * CS in protected mode always fault: the translator checks those whatever this bit says.
 */
#define HF_SEGCHK_SHIFT 20
#define HF_SEGCHK_MASK  (0x3f << HF_SEGCHK_SHIFT)
#define HF_SEGCHK(seg)  (1u << (HF_SEGCHK_SHIFT + (seg)))
/*
 * Debug-register breakpoints (bpt_helper.c). Each is set only while it matters, so blocks
 * translated without them pay nothing: HF_RF while EFLAGS.RF is set (the block's first
 * instruction is exempt from instruction breakpoints and clears RF), HF_IBP while DR7
 * enables an instruction breakpoint (every instruction calls helper_bpt_insn first),
 * HF_DBP while DR7 enables a data or I/O breakpoint (every instruction ends with a test
 * of env->dbg_pending).
 */
#define HF_RF_MASK      (1u << 26)
#define HF_IBP_MASK     (1u << 27)
#define HF_DBP_MASK     (1u << 28)
#define HF_TB_KEY_MASK  (~(uint32_t)HF_INHIBIT_IRQ)

/* MMU indexes for the softmmu TLB (IR_NB_MMU_MODES = 4) */
enum {
    X86_MMU_KSMAP = 0,   /* supervisor access, SMAP applies to user pages */
    X86_MMU_USER = 1,    /* CPL 3 access */
    X86_MMU_KNOSMAP = 2, /* supervisor access, SMAP overridden (EFLAGS.AC, implicit) */
    X86_MMU_PHYS = 3,    /* paging off or physical (not used by translated code) */
};

/* Exception vectors */
enum {
    EXCP00_DIVZ = 0, EXCP01_DB = 1, EXCP02_NMI = 2, EXCP03_INT3 = 3, EXCP04_INTO = 4,
    EXCP05_BOUND = 5, EXCP06_ILLOP = 6, EXCP07_PREX = 7, EXCP08_DBLE = 8, EXCP09_XERR = 9,
    EXCP0A_TSS = 10, EXCP0B_NOSEG = 11, EXCP0C_STACK = 12, EXCP0D_GPF = 13, EXCP0E_PAGE = 14,
    EXCP10_COPR = 16, EXCP11_ALGN = 17, EXCP12_MCHK = 18, EXCP13_XF = 19,
};

/* CR bits */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE  (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_FSGSBASE (1u << 16)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* MSRs */
#define MSR_IA32_TSC            0x10
#define MSR_IA32_APICBASE       0x1b
#define X86_APICBASE_EXTD       0x400   /* x2APIC mode */
#define X86_APICBASE_EN         0x800   /* the local APIC is globally enabled */
#define MSR_IA32_SYSENTER_CS    0x174
#define MSR_IA32_SYSENTER_ESP   0x175
#define MSR_IA32_SYSENTER_EIP   0x176
#define MSR_IA32_MISC_ENABLE    0x1a0
#define MSR_IA32_PAT            0x277
#define MSR_EFER                0xc0000080
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_FMASK               0xc0000084
#define MSR_FSBASE              0xc0000100
#define MSR_GSBASE              0xc0000101
#define MSR_KERNELGSBASE        0xc0000102
#define MSR_TSC_AUX             0xc0000103

typedef struct X86FPReg {
    uint64_t mant;
    uint16_t exp;
} X86FPReg;

typedef union X86XMMReg {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t l[4];
    uint64_t q[2];
} X86XMMReg;

/*
 * The CPUID feature words this vCPU reports (leaf 1 EDX/ECX, leaf 7.0 EBX/ECX, 0x80000001
 * EDX/ECX, 0x80000007 EDX): its model's, with the -cpu MODEL,+feat,-feat changes applied.
 * Everything that depends on a feature being present (CR4/EFER reserved bits, MSRs, the
 * translator's #UD checks) reads these, through CPUID.
 */
typedef struct X86Features {
    uint32_t f1_edx, f1_ecx, f7_ebx, f7_ecx, e1_edx, e1_ecx, e7_edx;
} X86Features;

typedef struct X86CPU {
    /* ---- registered as tcg-lite globals: keep these uint64_t ---- */
    uint64_t regs[16];
    uint64_t eip;           /* offset in CS (rip) */
    uint64_t cc_dst, cc_src, cc_src2, cc_op;
    uint64_t df;            /* +1 or -1 */
    uint64_t eflags;        /* EFLAGS without CC_MASK and DF (bit 1 set) */

    /* ---- the rest of the architectural state ---- */
    SegmentCache segs[6];
    SegmentCache ldt, tr;
    TableReg gdt, idt;
    uint64_t cr[5];         /* cr0, (cr1 unused), cr2, cr3, cr4 */
    uint64_t efer;
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pat, tsc_aux, misc_enable;
    uint64_t apic_base;
    int64_t tsc_offset;     /* TSC = host-derived cycles + tsc_offset */
    uint64_t dr[8];
    uint32_t hflags;
    /* data and I/O breakpoint matches of the current instruction (bpt_helper.c): the
     * DR6.B0-B3 bits of every breakpoint whose condition an access met, and X86_DBG_TRAP
     * once an enabled one matched (a #DB is due after the instruction); cleared when the
     * #DB is raised or the instruction faults. In the padding after hflags: the layout
     * of the fields the translated code uses stays as it was. */
    uint32_t dbg_pending;
    uint64_t a20_mask;      /* ~(1 << 20) while A20 is off, else all ones */

    /* x87 / SSE (used from issue 3 on; FXSAVE layout order) */
    X86FPReg fpregs[8];
    uint16_t fpuc, fpus, fptag;
    unsigned fpstt;
    uint32_t mxcsr;
    X86XMMReg xmm[16];
    X86XMMReg xmm_tmp;      /* SSE scratch: a memory operand loaded for a helper (not
                             * architectural, not saved) */
    uint64_t xcr0;

    /* exceptions */
    int error_code;
    int exception_is_int;       /* INT n / INT3 / INTO: software interrupt */
    uint64_t exception_next_eip; /* eip after a software interrupt instruction */
    int old_exception;          /* for double fault detection, -1 when none */

    /* SIPI */
    int sipi_vector;

    /* ---- runtime (tcg-lite IRRuntime offsets point here) ---- */
    int32_t exit_request;
    uint64_t insn_pc;       /* eip of the current instruction (insn_start) */
    TLBEntry tlb[IR_NB_MMU_MODES][IR_TLB_SIZE];
    uint64_t ir_frame[IR_MAX_TEMPS];

    const char *model;
    X86Features features;
    char vendor[13];        /* CPUID leaf 0 vendor string (-cpu ...,vendor=) */
    uint32_t cpuid_level, cpuid_xlevel;
    CPUState parent;        /* the generic vCPU */
} X86CPU;

static inline X86CPU *x86_cpu(CPUState *cs)
{
    return container_of(cs, X86CPU, parent);
}
static inline CPUState *x86_cs(X86CPU *env)
{
    return &env->parent;
}

/* ---- implemented by cc_helper.c (translator side) ---- */
/* Full EFLAGS: lazy flags computed, DF folded in. */
uint64_t x86_eflags_get(X86CPU *env);
/* Set the EFLAGS bits in `mask` to `val` (CC bits go to cc_src with CC_OP_EFLAGS, DF to df;
 * does not recompute hflags: call x86_update_hflags when IF/TF/IOPL/VM/AC may change). */
void x86_eflags_set(X86CPU *env, uint64_t val, uint64_t mask);
/* Only CF..OF from the lazy state. */
uint64_t x86_cc_compute_all(X86CPU *env);

/* ---- implemented by the system side (cpu.c, seg_helper.c, excp_helper.c, mmu.c) ---- */
/* Recompute hflags from CR0/CR4/EFER/segments/EFLAGS (after any of them changed). */
void x86_update_hflags(X86CPU *env);
/* Load a segment register's cache in real or vm86 mode (base = sel << 4). */
void x86_load_seg_real(X86CPU *env, int seg, uint32_t selector);
/* Load a segment cache directly (loader, reset, SYSCALL, accelerators). */
void x86_load_seg_cache(X86CPU *env, int seg, uint32_t selector, uint64_t base,
                        uint32_t limit, uint32_t flags);
/* Raise an exception at the current instruction (eip restored from insn_start). */
NORETURN void x86_raise_exception(X86CPU *env, int vector);
NORETURN void x86_raise_exception_err(X86CPU *env, int vector, int error_code);
/* Raise a trap-like exception/interrupt whose return address is next_eip (INT n, INT3,
 * INTO, single-step #DB). is_int: a software interrupt (INT n, INT3, INTO). */
NORETURN void x86_raise_interrupt(X86CPU *env, int vector, int is_int, int error_code,
                                  uint64_t next_eip);
/* Deliver an interrupt or exception now (do_interrupt's body). */
void x86_do_interrupt(X86CPU *env, int vector, int is_int, int error_code,
                      uint64_t next_eip, int is_hw);
/* The mmu_idx for data accesses at the current CPL */
int x86_mmu_index(X86CPU *env);
void x86_cpu_set_a20(X86CPU *env, bool enabled);
/* CR writes with their side effects (TLB flushes, mode changes, hflags). */
void x86_write_cr0(X86CPU *env, uint64_t val);
void x86_write_cr3(X86CPU *env, uint64_t val);
void x86_write_cr4(X86CPU *env, uint64_t val);
void x86_write_efer(X86CPU *env, uint64_t val);
/* MSR access; false for an unknown MSR (#GP by the caller). */
bool x86_rdmsr(X86CPU *env, uint32_t msr, uint64_t *val);
bool x86_wrmsr(X86CPU *env, uint32_t msr, uint64_t val);
void x86_cpuid(X86CPU *env, uint32_t leaf, uint32_t subleaf,
               uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx);
uint64_t x86_rdtsc(X86CPU *env);

/* The PC board's hooks into the CPU (set by hw/x86/pc.c): the local APIC. */
typedef struct X86APICHooks {
    void *opaque;
    uint64_t (*msr_read)(void *opaque, CPUState *cs, uint32_t msr, bool *ok);   /* x2APIC */
    void (*msr_write)(void *opaque, CPUState *cs, uint32_t msr, uint64_t v, bool *ok);
    void (*set_base)(void *opaque, CPUState *cs, uint64_t apic_base);
    void (*set_tpr)(void *opaque, CPUState *cs, uint8_t cr8);
    uint8_t (*get_tpr)(void *opaque, CPUState *cs);
    /* a fixed or NMI IPI (vector and delivery mode from icr_lo) from cs's APIC to the APIC
     * whose ID is dest; false when no enabled APIC has that ID (KVM's PV-IPI hypercall) */
    bool (*send_ipi)(void *opaque, CPUState *cs, uint32_t dest, uint32_t icr_lo);
} X86APICHooks;
extern X86APICHooks x86_apic_hooks;

/* ---- implemented by the translator side (translate*.c, disas.c) ---- */
void x86_tcg_init(void);                 /* registers the IR globals (regs, eip, cc_*, ...) */
void x86_translate(CPUState *cs, TranslationBlock *tb, IRBuilder *b);
void x86_disas_log(CPUState *cs, uint64_t pc, uint64_t size, uint32_t flags);
/* CPUClass.disas: the instructions of a block that ran, to f (crash reports). */
void x86_disas_block(CPUState *cs, uint64_t pc, uint64_t size, uint32_t flags, FILE *f);
/* Read up to len code bytes at linear pc as a block of mode `flags` would fetch them,
 * without faulting (disas.c); returns how many could be read. */
size_t x86_read_code(CPUState *cs, uint64_t pc, uint32_t flags, uint8_t *buf, size_t len);
/* Name of the instruction at a linear pc for -d unimp / crash reports (capstone). */
void x86_disas_one(CPUState *cs, uint64_t pc, int mode, FILE *f);
/* The first instruction of buf (len bytes of code at linear pc, mode 16/32/64), to f. */
void x86_disas_bytes(FILE *f, uint64_t pc, const uint8_t *buf, size_t len, int mode);

/* ---- IR helpers called by translated code (IR_HELPER signature, env_ is X86CPU *) ---- */
/* system side (seg_helper.c, excp_helper.c, misc_helper.c) */
IR_HELPER(helper_raise_exception);      /* a0 vector, a1 error code or -1 (none) */
IR_HELPER(helper_raise_interrupt);      /* a0 vector, a1 next_eip: INT n */
IR_HELPER(helper_int3);                 /* a0 next_eip */
IR_HELPER(helper_into);                 /* a0 next_eip: raises #OF if OF set */
IR_HELPER(helper_single_step);          /* a0 next_eip: #DB trap after a TF instruction */
IR_HELPER(helper_single_step_new_tf);   /* #DB trap at env->eip if the new EFLAGS.TF is set */
IR_HELPER(helper_load_seg);             /* a0 seg, a1 selector: MOV/POP sreg, LDS.. */
IR_HELPER(helper_check_seg);            /* a0 seg, a1 linear address, a2 size, a3 1 = write:
                                         * limit/rights #GP(0) or #SS(0) (HF_SEGCHK) */
IR_HELPER(helper_check_eip);            /* a0 eip, a1 X86_EIPCHK_*, a2 ECX to restore:
                                         * #GP(0) when eip is beyond the CS limit */
IR_HELPER(helper_ljmp);                 /* a0 selector, a1 offset, a2 next_eip: JMP far */
IR_HELPER(helper_lcall);                /* a0 selector, a1 offset, a2 opsize(2/4/8), a3 next_eip */
IR_HELPER(helper_lret);                 /* a0 opsize, a1 bytes to pop after (RET far imm16) */
IR_HELPER(helper_iret);                 /* a0 opsize, a1 next_eip */
IR_HELPER(helper_lldt);                 /* a0 selector */
IR_HELPER(helper_ltr);                  /* a0 selector */
IR_HELPER(helper_lgdt_lidt);            /* a0 linear address, a1 0=GDT 1=IDT */
IR_HELPER(helper_sgdt_sidt);            /* a0 linear address, a1 0=GDT 1=IDT */
IR_HELPER(helper_lar);                  /* a0 selector: returns value, sets ZF via cc */
IR_HELPER(helper_lsl);                  /* a0 selector: returns limit, sets ZF */
IR_HELPER(helper_verr);                 /* a0 selector: sets ZF */
IR_HELPER(helper_verw);                 /* a0 selector: sets ZF */
IR_HELPER(helper_arpl);                 /* a0 dest selector, a1 src: returns new dest, sets ZF */
IR_HELPER(helper_read_crN);             /* a0 n: returns CRn (CR8 through the APIC) */
IR_HELPER(helper_write_crN);            /* a0 n, a1 value (#GP on reserved bits) */
IR_HELPER(helper_read_drN);             /* a0 n */
IR_HELPER(helper_write_drN);            /* a0 n, a1 value */
IR_HELPER(helper_lmsw);                 /* a0 value */
IR_HELPER(helper_clts);
IR_HELPER(helper_invlpg);               /* a0 linear address */
IR_HELPER(helper_rdmsr);                /* ECX -> EDX:EAX, #GP if unknown */
IR_HELPER(helper_wrmsr);                /* EDX:EAX -> MSR ECX */
IR_HELPER(helper_cpuid);                /* EAX, ECX -> EAX, EBX, ECX, EDX */
IR_HELPER(helper_rdtsc);                /* -> EDX:EAX (CR4.TSD checked) */
IR_HELPER(helper_rdtscp);
IR_HELPER(helper_vmcall);               /* VMCALL/VMMCALL: KVM's hypercall ABI (hypercall.c) */               /* -> EDX:EAX, ECX = TSC_AUX */
IR_HELPER(helper_rdpmc);
IR_HELPER(helper_hlt);                  /* a0 next_eip: halts (leaves the block) */
IR_HELPER(helper_check_io);             /* a0 port, a1 size: IOPL / TSS bitmap #GP */
IR_HELPER(helper_in);                   /* a0 port, a1 size -> value */
IR_HELPER(helper_out);                  /* a0 port, a1 value, a2 size */
IR_HELPER(helper_cli);                  /* IOPL checked */
IR_HELPER(helper_sti);                  /* IOPL checked, interrupt shadow */
IR_HELPER(helper_set_inhibit_irq);      /* MOV SS / POP SS shadow */
IR_HELPER(helper_clear_inhibit_irq);    /* end of the shadow (after the next instruction) */
IR_HELPER(helper_syscall);              /* a0 next_eip */
IR_HELPER(helper_sysret);               /* a0 opsize */
IR_HELPER(helper_sysenter);
IR_HELPER(helper_sysexit);              /* a0 opsize */
IR_HELPER(helper_swapgs);
IR_HELPER(helper_wbinvd);
IR_HELPER(helper_pause);                /* spin-wait hint: lets other vCPUs run */

/* debug-register breakpoints (bpt_helper.c) */
IR_HELPER(helper_bpt_insn);             /* a0 linear pc: #DB fault on an instruction breakpoint */
IR_HELPER(helper_bpt_trap);             /* a0 next_eip: the #DB trap of data/I/O breakpoints */
IR_HELPER(helper_bpt_trap_rep);         /* a0 eip of a REP string instruction not finished */
IR_HELPER(helper_clear_rf);             /* EFLAGS.RF = 0 (the instruction RF exempted began) */
IR_HELPER(helper_set_rf);               /* EFLAGS.RF = 1 (a REP instruction is left unfinished) */

/* helper_check_eip's a1: how a new eip was reached */
#define X86_EIPCHK_BRANCH   0   /* a jump, call or return: the fault is at that instruction */
#define X86_EIPCHK_SEQ      1   /* sequential flow: the fault is at the new eip itself */
#define X86_EIPCHK_ECX      2   /* LOOP: also restore ECX (a2), decremented before the check */

/* ==== system side: declarations added by the system helpers (cpu.c, seg_helper.c,
 * excp_helper.c, mmu.c, misc_helper.c); shared between those files and their tests ==== */

/* Physical address width reported by CPUID 0x80000008 and enforced by the page walk. */
#define X86_PHYS_ADDR_BITS 40

/*
 * Per-vCPU system state that X86CPU has no field for (yet): kept in a table indexed by
 * cs->index, so X86CPU's layout stays as the accelerators and the translator know it.
 */
#define X86_MAX_CPUS 256
#define X86_MCE_BANKS 10           /* machine-check banks in IA32_MCG_CAP */

typedef struct X86SysState {
    bool wait_for_sipi;         /* an AP after reset/INIT: only INIT and SIPI act on it */
    bool nmi_blocked;           /* from NMI delivery to the next IRET */
    int nmi_pending;            /* NMIs received, not yet delivered (at most 2; x86_cpu_nmi) */
    uint64_t mtrr_deftype;      /* IA32_MTRR_DEF_TYPE */
    uint64_t mtrr_fixed[11];    /* MSRs 0x250, 0x258, 0x259, 0x268..0x26f */
    uint64_t mtrr_var[16];      /* MSRs 0x200..0x20f: PHYSBASE0, PHYSMASK0, ... */
    uint64_t mcg_status, mcg_ctl;   /* machine-check global registers */
    uint64_t mc_banks[X86_MCE_BANKS][4];    /* MCi_CTL, MCi_STATUS, MCi_ADDR, MCi_MISC */
    uint64_t amd_perf[8];       /* AMD PerfEvtSel0-3, PerfCtr0-3 (MSRs 0xc0010000-7) */
} X86SysState;
X86SysState *x86_sys_state(X86CPU *env);
/* The CPU follows AMD's rules where Intel's and AMD's differ (-cpu ...,vendor=AuthenticAMD):
 * SYSCALL/SYSRET outside 64-bit mode, SYSENTER/SYSEXIT in long mode, the legacy
 * performance-counter MSRs. */
static inline bool x86_vendor_amd(const X86CPU *env)
{
    return !memcmp(env->vendor, "AuthenticAMD", 12);
}
/* An NMI for cs (interrupt controllers, big lock held): latched as the SDM says. */
void x86_cpu_nmi(CPUState *cs);

/*
 * Set env's CPUID features from model `name` and a -cpu option tail `opts` (NULL, or
 * "+feat,-feat,feat=on|off,vendor=STRING" in QEMU's syntax). 0, or -EINVAL after an
 * error_report() for an unknown model, feature or property. A feature tandem knows but does
 * not implement is reported with a warning and stays clear, as QEMU's TCG does.
 */
int x86_cpu_set_features(X86CPU *env, const char *name, const char *opts);
/* The same checks without a CPU (and without warnings): 0 or -EINVAL, error reported. */
int x86_cpu_check_features(const char *name, const char *opts);
/* cpu_features.c: apply the option tail `opts` to *f; a feature can be set only if impl has
 * it; vendor= writes the 12-character vendor string; warnings only when `warn`. */
int x86_features_apply(X86Features *f, const X86Features *impl, char vendor[13],
                       const char *opts, bool warn);
/* The CPUID leaf 1 EAX signature (family/model/stepping); also EDX after reset. */
uint32_t x86_cpuid_signature(X86CPU *env);
/* mmu_idx of code fetches for TB flags (CPUClass.tb_mmu_idx). */
int x86_tb_mmu_idx(uint32_t flags);
/* CPUClass.arch_regs (arch_regs.c): GPRs, RIP, RFLAGS, selectors, CR0/2/3/4, EFER. */
int x86_cpu_arch_regs(CPUState *cs, CPURegValue *out, int max);

/* #PF error code bits */
#define X86_PF_P    (1 << 0)    /* 0: not present; 1: protection or reserved bit */
#define X86_PF_W    (1 << 1)    /* the access was a write */
#define X86_PF_U    (1 << 2)    /* the access was a user-mode (CPL 3) access */
#define X86_PF_RSVD (1 << 3)    /* a reserved bit was set in a paging-structure entry */
#define X86_PF_I    (1 << 4)    /* instruction fetch (only with NXE+PAE or SMEP) */
/* x86_mmu_walk's results other than 0: a page fault (X86_WALK_PF | the #PF error code,
 * which may itself be 0), or a non-canonical address in long mode (#GP, not #PF) */
#define X86_WALK_PF 0x10000
#define X86_WALK_NONCANONICAL (-1)
/*
 * Translate linear address va for an access of type acc with mmu_idx's privilege (mmu.c).
 * Pure apart from setting accessed/dirty bits in the page tables (cpu_ld_phys/cpu_st_phys
 * on cs->as). Returns 0 with *pa (the full physical address of va, A20 applied), *prot
 * (PAGE_* allowed for this mmu_idx; PAGE_WRITE only once the dirty bit is set) and
 * *page_size; or X86_WALK_PF | error code (X86_PF_*); or X86_WALK_NONCANONICAL.
 */
int x86_mmu_walk(X86CPU *env, uint64_t va, MMUAccessType acc, int mmu_idx, uint64_t *pa,
                 int *prot, uint64_t *page_size);
/* CPUClass.tlb_fill */
bool x86_cpu_tlb_fill(CPUState *cs, vaddr addr, int size, MMUAccessType access, int mmu_idx,
                      bool probe);

/* Implicit supervisor accesses to system structures (GDT, LDT, IDT, TSS): linear address
 * truncated to 32 bits outside long mode, mmu_idx X86_MMU_KNOSMAP (seg_helper.c). */
uint64_t x86_ld_kernel(X86CPU *env, uint64_t addr, unsigned memop);
void x86_st_kernel(X86CPU *env, uint64_t addr, uint64_t val, unsigned memop);

/* Descriptors (seg_helper.c). e1/e2: the low and high dwords of a descriptor. */
static inline uint64_t x86_desc_base(uint32_t e1, uint32_t e2)
{
    return (e1 >> 16) | ((e2 & 0xff) << 16) | (e2 & 0xff000000u);
}
static inline uint32_t x86_desc_limit(uint32_t e1, uint32_t e2)
{
    uint32_t limit = (e1 & 0xffff) | (e2 & 0x000f0000u);
    return (e2 & DESC_G_MASK) ? (limit << 12) | 0xfff : limit;
}
/* Linear address of the `size`-byte descriptor for selector sel in the GDT or LDT; false
 * when it lies beyond the table limit (or the LDT is null). */
bool x86_desc_addr(X86CPU *env, uint32_t sel, unsigned size, uint64_t *addr);
/* Read the 8-byte descriptor for sel; false when beyond the limit. */
bool x86_load_desc(X86CPU *env, uint32_t sel, uint32_t *e1, uint32_t *e2);
/* Set the accessed bit of a code/data descriptor in memory (and in *e2). */
void x86_desc_set_accessed(X86CPU *env, uint32_t sel, uint32_t *e2);
/* Load segment register seg from a checked descriptor. */
void x86_load_seg_desc(X86CPU *env, int seg, uint32_t sel, uint32_t e1, uint32_t e2);
/* The legacy TSS stack for privilege level dpl (#TS on a TSS too short). */
void x86_tss_stack(X86CPU *env, int dpl, uint32_t *ss, uint32_t *esp, int ext);
/* The 64-bit TSS stack pointer RSP0..2 (level 0..2) or IST1..7 (level 4..10). */
uint64_t x86_tss_rsp64(X86CPU *env, int level, int ext);

/* A stack being pushed or popped by a helper; nothing is committed to ESP until
 * x86_stack_commit, so a fault midway leaves the registers as they were. */
typedef struct X86Stack {
    uint64_t base;          /* SS base (0 for a 64-bit stack) */
    uint64_t sp;            /* the full stack pointer; only the bits in mask change */
    uint64_t mask;          /* 0xffff, 0xffffffff or all ones */
    bool lin64;             /* linear addresses are 64-bit (else truncated to 32) */
    int mmu_idx;
} X86Stack;
/* The current stack (SS:ESP, or RSP in 64-bit mode) with the current CPL's mmu_idx. */
void x86_stack_cur(X86CPU *env, X86Stack *st);
/* A new stack: ss_flags gives the size (B bit) unless is64; accesses at privilege cpl. */
void x86_stack_new(X86CPU *env, X86Stack *st, uint64_t base, uint64_t sp, uint32_t ss_flags,
                   bool is64, int cpl);
void x86_stack_push(X86CPU *env, X86Stack *st, uint64_t val, unsigned size);
uint64_t x86_stack_pop(X86CPU *env, X86Stack *st, unsigned size);
void x86_stack_commit(X86CPU *env, const X86Stack *st);
/* Write the stack pointer with the width given by mask (16: low bits only; 32: zero-extended). */
void x86_set_sp(X86CPU *env, uint64_t sp, uint64_t mask);
/* ==== end of the system side block ==== */

/* ==== debug registers and breakpoints (bpt_helper.c; SDM vol. 3B ch. 18) ==== */
#define DR6_BD          (1u << 13)  /* debug register access detected (DR7.GD) */
#define DR6_BS          (1u << 14)  /* single step */
#define DR6_BT          (1u << 15)  /* task switch to a TSS with the T bit */
#define DR6_FIXED_1     0xffff0ff0u /* reads as 1 (RTM and bus-lock bits: not supported) */
#define DR7_FIXED_1     0x400u
#define DR7_GD          (1u << 13)
#define DR7_LOCAL_ENABLES 0x55u     /* L0-L3 (cleared by a task switch) */
#define X86_DBG_HITS    0xfu        /* env->dbg_pending: B0-B3 of the breakpoints matched */
#define X86_DBG_TRAP    0x100u      /* env->dbg_pending: an enabled one among them */
/* HF_IBP_MASK / HF_DBP_MASK for the breakpoints DR7 enables now. */
static inline uint32_t x86_bpt_hflags(const X86CPU *env)
{
    uint32_t dr7 = (uint32_t)env->dr[7], hf = 0;

    if (!(dr7 & 0xff)) {
        return 0;
    }
    for (int i = 0; i < 4; i++) {
        if ((dr7 >> (2 * i)) & 3) {
            hf |= ((dr7 >> (16 + 4 * i)) & 3) ? HF_DBP_MASK : HF_IBP_MASK;
        }
    }
    return hf;
}
/* MOV from/to DRn (after the CPL check): #UD, the DR7.GD #DB, reserved bits. */
uint64_t x86_bpt_read_dr(X86CPU *env, int n);
void x86_bpt_write_dr(X86CPU *env, int n, uint64_t val);
/* DR7 changed from old_dr7 without MOV DR (task switch): hflags and the TLB follow. */
void x86_bpt_dr7_changed(X86CPU *env, uint64_t old_dr7);
/* The PAGE_WATCH_* bits that tlb_fill adds for the page of linear address va. */
int x86_bpt_tlb_prot(X86CPU *env, uint64_t va);
/* CPUClass.check_watchpoint: an access to a watched page (records matches). */
void x86_bpt_check_access(CPUState *cs, vaddr addr, unsigned size, MMUAccessType access);
/* An IN/OUT of size bytes at port (while HF_DBP): records I/O breakpoint matches. */
void x86_bpt_check_io(X86CPU *env, uint32_t port, unsigned size);
/* Fold the DR6 bits of a #DB being raised now: B0-B3 become the breakpoints matched by
 * this instruction (none: cleared), and `bits` (BS, BT, BD) are set; the pending matches
 * are consumed. */
void x86_bpt_dr6_event(X86CPU *env, uint32_t bits);
/* After an event was delivered (excp_helper.c): a #DB still due (a data breakpoint hit in
 * a MOV SS shadow before INT n/INT3, or by the delivery's own stack pushes) is delivered
 * now, before the handler's first instruction. */
void x86_bpt_after_event(X86CPU *env, int vector, bool is_int, bool is_hw);
/* ==== end of the debug registers block ==== */

/* ==== task switching (task_switch.c, SDM vol. 3A ch. 7); these return with the new task
 * running, or raise the exception in the old task's context (before the commit point) or
 * in the new task's (after it) ==== */
/* JMP (is_call false) or CALL to the TSS descriptor or task gate sel, whose descriptor
 * e1/e2 the caller read: the DPL/RPL, type and present checks of vol. 2 JMP/CALL, then the
 * switch; next_eip is the EIP saved in the old task's TSS. #GP(sel) in IA-32e mode. */
void x86_task_jmp_call(X86CPU *env, uint32_t sel, uint32_t e1, uint32_t e2, bool is_call,
                       uint64_t next_eip);
/* IRET with EFLAGS.NT set (outside IA-32e mode): back to the task of the current TSS's back
 * link `link`, whose descriptor e1/e2 the caller checked (a present, busy TSS in the GDT). */
void x86_task_iret(X86CPU *env, uint32_t link, uint32_t e1, uint32_t e2, uint64_t next_eip);
/* An interrupt or exception through an IDT task gate (low dword gate_e1) whose DPL and P
 * the caller checked; ext = the EXT bit of error codes, error_code is pushed on the new
 * task's stack when has_err; ret_eip is the EIP saved in the old task's TSS. */
void x86_task_gate_int(X86CPU *env, uint32_t gate_e1, int ext, bool has_err,
                       uint32_t error_code, uint64_t ret_eip);
/* ==== end of task switching ==== */

/* ==== SSE (sse_helper.c, sse_fp_helper.c, translate-sse*.c; the IR helpers themselves are
 * declared in cpu/x86/sse_helper.h) ==== */
/* MXCSR (SDM vol. 1, 10.2.3) */
#define MXCSR_IE        (1u << 0)   /* exception flags: invalid operation */
#define MXCSR_DE        (1u << 1)   /* denormal operand */
#define MXCSR_ZE        (1u << 2)   /* divide by zero */
#define MXCSR_OE        (1u << 3)   /* overflow */
#define MXCSR_UE        (1u << 4)   /* underflow */
#define MXCSR_PE        (1u << 5)   /* precision */
#define MXCSR_FLAGS     0x003fu
#define MXCSR_DAZ       (1u << 6)   /* denormals are zeros */
#define MXCSR_MASKS     0x1f80u     /* IM DM ZM OM UM PM: flag bit n is masked by bit n + 7 */
#define MXCSR_RC_SHIFT  13
#define MXCSR_RC        (3u << MXCSR_RC_SHIFT)  /* rounding: nearest, down, up, toward zero */
#define MXCSR_FTZ       (1u << 15)  /* flush to zero */
/* The MXCSR bits that may be set (FXSAVE's MXCSR_MASK; LDMXCSR/FXRSTOR #GP on others). */
#define MXCSR_WRITABLE  0xffffu
/* ==== end of the SSE block ==== */

/* ==== x87 (fpu_helper.c, fpu_state.c, translate-fpu.c) ====
 * fpregs[] are the physical registers R0..R7 in the 80-bit format (mant with its explicit
 * integer bit, exp with the sign in bit 15); ST(i) is fpregs[(fpstt + i) & 7]. fpus is the
 * status word without TOP (fpstt holds TOP). fptag has 2 bits per physical register of which
 * only 11b (empty) counts: FNSTENV/FNSAVE derive valid/zero/special from the contents.
 * MMX register i is fpregs[i].mant (an MMX write sets fpregs[i].exp to 0xffff; MMX
 * instructions set fpstt = 0 and fptag = 0, EMMS sets fptag = 0xffff); FNSAVE and FXSAVE
 * store the registers as they are. */
#define X86_FSW_IE  0x0001      /* invalid operation */
#define X86_FSW_DE  0x0002      /* denormal operand */
#define X86_FSW_ZE  0x0004      /* divide by zero */
#define X86_FSW_OE  0x0008      /* overflow */
#define X86_FSW_UE  0x0010      /* underflow */
#define X86_FSW_PE  0x0020      /* precision */
#define X86_FSW_SF  0x0040      /* stack fault */
#define X86_FSW_ES  0x0080      /* an unmasked exception is pending */
#define X86_FSW_C0  0x0100
#define X86_FSW_C1  0x0200
#define X86_FSW_C2  0x0400
#define X86_FSW_C3  0x4000
#define X86_FSW_B   0x8000      /* busy: a copy of ES */
#define X86_XCR0_SUPPORTED 3u   /* XCR0 bits: x87 (0) and SSE (1) state */
#define X86_XSAVE_SIZE  576u    /* the legacy area (512 bytes) and the XSAVE header (64) */
extern const X86FPReg x86_fp_indefinite;   /* the QNaN "real indefinite" */

/* The memory formats of x87 loads and stores */
enum { X86_FM_F32, X86_FM_F64, X86_FM_F80, X86_FM_I16, X86_FM_I32, X86_FM_I64, X86_FM_BCD };
#define X86_FST_KIND   0x0f     /* helper_fst_mem's a1: the format, and */
#define X86_FST_POP    0x10     /* pop after the store */
#define X86_FST_TRUNC  0x20     /* FISTTP: round toward zero */
/* Arithmetic operations, numbered as ModRM.reg of D8 (DC/DE register forms swap SUB/SUBR
 * and DIV/DIVR: the translator passes the operation done) */
enum { X86_FOP_ADD, X86_FOP_MUL, X86_FOP_COM, X86_FOP_COMP, X86_FOP_SUB, X86_FOP_SUBR,
       X86_FOP_DIV, X86_FOP_DIVR };
#define X86_FA_STI     1        /* helper_farith's a2: the destination is ST(i), not ST0 */
#define X86_FA_POP     2        /* pop afterwards */
#define X86_FC_QUIET   1        /* comparisons: FUCOM* (IE only for signalling NaNs) */
#define X86_FC_POP     2        /* pop once */
#define X86_FC_POP2    4        /* pop twice (FCOMPP, FUCOMPP) */
#define X86_FC_EFLAGS  8        /* FCOMI/FUCOMI: ZF PF CF instead of C3 C2 C0 */

uint16_t x86_fpu_fsw(X86CPU *env);                  /* the status word with TOP */
uint16_t x86_fpu_ftw(X86CPU *env);                  /* the full tag word, from the contents */
void x86_fpu_set_fcw(X86CPU *env, uint16_t cw);     /* reserved bits fixed; ES/B updated */
void x86_fpu_set_fsw(X86CPU *env, uint16_t sw);     /* TOP too; ES/B follow flags and masks */
void x86_fpu_update_es(X86CPU *env);                /* ES/B after a flag or mask change */
void x86_fpu_init(X86CPU *env);                     /* FNINIT */
void x86_fpu_pop(X86CPU *env);
/* What FST/FIST/FISTTP/FBSTP store from ST0 in format kind: bytes 0-7 in *lo, 8-9 in *hi;
 * flags updated; false when nothing may be stored (an unmasked exception). */
bool x86_fpu_st_value(X86CPU *env, unsigned kind, bool trunc, uint64_t *lo, uint16_t *hi);
/* Memory images (fpu_state.c): FNSTENV/FLDENV (28 bytes, or 14 when !size32), FXSAVE/FXRSTOR
 * (512 bytes, of which 160 + 16 * nxmm are used; false: reserved MXCSR bits, #GP) */
void x86_fpu_stenv(X86CPU *env, uint8_t *buf, bool size32);
void x86_fpu_ldenv(X86CPU *env, const uint8_t *buf, bool size32);
void x86_fxsave_image(X86CPU *env, uint8_t *buf, int nxmm);
bool x86_fxrstor_image(X86CPU *env, const uint8_t *buf, int nxmm);

/* IR helpers; the waiting ones raise #MF first for a pending unmasked exception (CR0.NE) */
IR_HELPER(helper_fwait);        /* FWAIT, FNOP */
IR_HELPER(helper_fld_mem);      /* a0 bytes 0-7, a1 bytes 8-9 (m80, BCD), a2 X86_FM_*: push */
IR_HELPER(helper_fst_mem);      /* a0 linear address, a1 X86_FM_* | X86_FST_*, a2 mmu_idx */
IR_HELPER(helper_fld_st);       /* a0 i: push ST(i) */
IR_HELPER(helper_fst_st);       /* a0 i, a1 pop: ST(i) = ST0 */
IR_HELPER(helper_fxch);         /* a0 i */
IR_HELPER(helper_fcmov);        /* a0 i, a1 the condition (0/1) */
IR_HELPER(helper_ffree);        /* a0 i, a1 pop (FFREEP) */
IR_HELPER(helper_farith);       /* a0 X86_FOP_*, a1 i, a2 X86_FA_* */
IR_HELPER(helper_farith_mem);   /* a0 X86_FOP_*, a1 the operand's bits, a2 X86_FM_* */
IR_HELPER(helper_fcom);         /* a0 i, a1 X86_FC_* */
IR_HELPER(helper_fcom_mem);     /* a0 the operand's bits, a1 X86_FM_*, a2 X86_FC_* */
IR_HELPER(helper_fop);          /* a0 the ModRM byte of D9 E0..FF (FCHS .. FCOS) */
IR_HELPER(helper_fldcw);        /* a0 the control word */
/* a0 linear address, a1 operand size (2: the 16-bit layouts), a2 mmu_idx */
IR_HELPER(helper_fldenv);
IR_HELPER(helper_fnstenv);
IR_HELPER(helper_frstor);
IR_HELPER(helper_fnsave);
/* a0 linear address, a1 REX.W, a2 mmu_idx; XSAVE/XRSTOR take their mask from EDX:EAX */
IR_HELPER(helper_fxsave);
IR_HELPER(helper_fxrstor);
IR_HELPER(helper_xsave);        /* XSAVE and XSAVEOPT */
IR_HELPER(helper_xrstor);
IR_HELPER(helper_ldmxcsr);      /* a0 the value (#GP on bits outside MXCSR_WRITABLE) */
IR_HELPER(helper_xgetbv);       /* XCR[ECX] -> EDX:EAX */
IR_HELPER(helper_xsetbv);       /* EDX:EAX -> XCR[ECX] */
/* ==== end of the x87 block ==== */

#endif

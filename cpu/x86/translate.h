/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/translate.h — private interface of the x86 front end (translate*.c) and of the
 * helpers it calls (cc_helper.c, int_helper.c): the per-block translation context, the IR
 * globals, the operand and flag utilities shared between translate-*.c, and the
 * translator-side IR helpers. Nothing outside cpu/x86/translate*.c, cc_helper.c,
 * int_helper.c, disas.c and tests/unit/test_flags.c should include it.
 */
#ifndef CPU_X86_TRANSLATE_H
#define CPU_X86_TRANSLATE_H

#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"

/* The static cc op is not known at translation time: env->cc_op holds it. */
#define CC_OP_DYNAMIC (-1)

/* Size of a CCOp group entry: CC_OP_ADDB + ot. */
static inline int cc_op_sized(int base_b, int ot)
{
    return base_b + ot;
}

/* How the translation of one instruction ended. */
enum {
    DISAS_NEXT = 0,     /* go on with the next instruction */
    DISAS_EOB_NEXT,     /* end the block after this instruction (eip = next) */
    DISAS_EOB_ONLY,     /* end the block; eip already stored (helper or jump code) */
    DISAS_NORETURN,     /* the block end was emitted (goto_tb/exit_tb, or an exception) */
};

/* Interrupt shadow state (STI, MOV SS, POP SS). */
enum {
    SHADOW_NONE = 0,
    SHADOW_ARMED,       /* the instruction just translated starts a shadow */
    SHADOW_ACTIVE,      /* the instruction being translated is in the shadow */
};

#define X86_TB_BYTES_MAX (TB_MAX_INSNS * 16 + 32)

typedef struct DisasContext {
    CPUState *cs;
    X86CPU *env;
    TranslationBlock *tb;
    IRBuilder *b;
    X86Insn insn;

    /* mode of the block (from tb->flags) */
    uint32_t flags;
    uint64_t cs_base;
    int code_mode;          /* 16, 32 or 64 */
    bool code64;            /* 64-bit code segment */
    bool lma;               /* long mode active (64-bit or compatibility) */
    bool pe, vm86, ss32, addseg, tf;
    bool rf, ibp, dbp;      /* HF_RF, HF_IBP, HF_DBP: see cpu.h and bpt_helper.c */
    int cpl, iopl;
    unsigned segchk;        /* segments needing checks: bit X86_SEG_* (from HF_SEGCHK) */
    int mem_idx;            /* mmu_idx of data accesses */
    int code_mmu_idx;

    /* CPUID features that change decoding */
    bool has_movbe, has_popcnt, has_bmi1, has_lzcnt, has_cx16, has_rdtscp, has_smap;
    bool has_fsgsbase, has_rdpid;

    /* current instruction */
    uint64_t pc_start;      /* eip of the instruction */
    uint64_t pc;            /* eip of the next instruction */
    int is_jmp;             /* DISAS_* */
    int shadow;             /* SHADOW_* */
    bool ss_shadow;         /* the shadow armed is MOV SS / POP SS's (it also holds #DB) */
    bool in_ss_shadow;      /* this instruction is in a MOV SS / POP SS shadow */
    bool bpt_checked;       /* the data-breakpoint test after the instruction is emitted */
    int64_t rsp_adjust;     /* POP Ev with an ESP based address: computed after the pop */
    /* linear addresses computed by this instruction through segments whose accesses are
     * checked: x86_gen_ld/st find their segment here (see x86_gen_seg_check) */
    struct {
        IRVal addr;
        int seg;
    } segaddr[16];
    int nsegaddr;
    bool eip_checked;       /* the branch target was checked already (CALL, LOOP) */
    /* a locked read-modify-write (LOCK prefix, XCHG with memory): its first memory load
     * (lock_addr, the value read in lock_old) makes the store to that address a
     * compare-and-swap (helper_lock_st), atomic against the other vCPU threads */
    bool lock_rmw;
    IRVal lock_addr, lock_old;

    /* lazy flags known at translation time */
    int cc_op;              /* CCOp or CC_OP_DYNAMIC */
    IRVal cc_srcT;          /* SUB*: the first operand (valid while cc_op is a static SUB) */

    /* temps freed at the end of each instruction */
    IRVal temps[128];
    int ntemps;

    /* code fetch */
    uint64_t fetch_limit;   /* linear address where fetching must stop (0: none) */
    bool fetch_stopped;     /* the decoder asked for a byte past fetch_limit */
    uint8_t insn_bytes[16];
    unsigned insn_fetched;
    int icount;
    uint32_t tb_len;        /* bytes of the block so far */
} DisasContext;

/* ---- IR globals (translate.c) ---- */
extern IRVal x86_cpu_regs[16];
extern IRVal x86_cpu_eip, x86_cpu_cc_dst, x86_cpu_cc_src, x86_cpu_cc_src2, x86_cpu_cc_op;
extern IRVal x86_cpu_df, x86_cpu_eflags;
extern IRVal x86_cpu_seg_base[6];

/* ---- small utilities (translate.c) ---- */
IRVal x86_tmp(DisasContext *s);
IRVal x86_const(DisasContext *s, uint64_t v);
uint64_t x86_sext(uint64_t v, int bytes);
uint64_t x86_opmask(int ot);
int x86_ot_of_size(int bytes);
/* The immediate sign-extended from its encoded size (then used at any operand size). */
uint64_t x86_imm_s(DisasContext *s);
/* The immediate zero-extended from its encoded size. */
uint64_t x86_imm_u(DisasContext *s);
/* Zero- (sign = false) or sign-extend v from ot into d. */
void x86_gen_ext(DisasContext *s, int ot, bool sign, IRVal d, IRVal v);
void x86_gen_exception(DisasContext *s, int vector, int error_code);
void x86_gen_illegal(DisasContext *s);
/* #GP(0) unless CPL 0; returns true when the fault was emitted. */
bool x86_check_cpl0(DisasContext *s);
void x86_log_unimp(DisasContext *s, const char *what);

/* ---- registers ---- */
/* d = register `reg` at size ot (zero-extended); byte registers honour AH..BH. */
void x86_gen_ld_reg(DisasContext *s, int ot, IRVal d, int reg);
/* register `reg` at size ot = v (32-bit writes zero-extend, 8/16-bit merge). */
void x86_gen_st_reg(DisasContext *s, int ot, int reg, IRVal v);
/* The register global when ot is 64-bit or a zero-extended temp otherwise. */
IRVal x86_reg_val(DisasContext *s, int ot, int reg);

/* ---- memory operands ---- */
typedef struct X86Opnd {
    bool is_mem;
    int reg;                /* when !is_mem */
    IRVal addr;             /* linear address when is_mem */
} X86Opnd;

/* Effective offset (not the linear address) of the ModRM memory operand, address-sized. */
IRVal x86_gen_lea(DisasContext *s);
/* Linear address of segment `seg` offset `off` (truncated as the mode requires). */
IRVal x86_gen_seg_addr(DisasContext *s, int seg, IRVal off);
/* Linear address of the ModRM memory operand (with its segment). */
IRVal x86_gen_modrm_addr(DisasContext *s);
int x86_default_seg(DisasContext *s);
void x86_gen_opnd_rm(DisasContext *s, X86Opnd *o);
/*
 * The segment limit/rights check of an access of `size` bytes at `addr`, a linear address
 * returned by x86_gen_seg_addr (or x86_gen_modrm_addr, x86_gen_stack_addr) for this
 * instruction. Emits nothing unless that segment is checked (HF_SEGCHK, or a write through
 * CS in protected mode). x86_gen_ld/st call it; accesses made otherwise (helpers, derived
 * addresses) call it themselves, before any side effect of the instruction.
 */
void x86_gen_seg_check(DisasContext *s, IRVal addr, int size, bool write);
/* addr, a linear address derived from `from` (a tracked one), is in the same segment. */
void x86_gen_seg_alias(DisasContext *s, IRVal addr, IRVal from);
/* d = guest memory at addr (memop ot: size and sign), and the store */
void x86_gen_ld(DisasContext *s, int ot, IRVal d, IRVal addr);
void x86_gen_st(DisasContext *s, int ot, IRVal v, IRVal addr);
void x86_gen_ld_opnd(DisasContext *s, int ot, IRVal d, const X86Opnd *o);
void x86_gen_st_opnd(DisasContext *s, int ot, const X86Opnd *o, IRVal v);
/* Address-size register value (CX/ECX/RCX ...), zero-extended */
IRVal x86_addr_reg(DisasContext *s, int reg);
/* reg = reg + delta at address size (SI/DI/CX updates) */
void x86_gen_add_addr_reg(DisasContext *s, int reg, IRVal delta);

/* ---- stack ---- */
int x86_stack_ot(DisasContext *s);      /* operand size of PUSH/POP (d64 in long mode) */
int x86_sp_ot(DisasContext *s);         /* width of the stack pointer */
IRVal x86_gen_stack_addr(DisasContext *s, IRVal sp_off);
/* Push v (ot); the stack pointer is written last. */
void x86_gen_push(DisasContext *s, int ot, IRVal v);
/* Load the top of stack (ot) into d without changing SP; returns the new SP value (temp). */
IRVal x86_gen_pop_ld(DisasContext *s, int ot, IRVal d);
void x86_gen_set_sp(DisasContext *s, IRVal newsp);

/* ---- block ends ---- */
uint64_t x86_mask_eip(DisasContext *s, int ot, uint64_t eip);
void x86_gen_jmp_tb(DisasContext *s, uint64_t eip, int slot);
/* eip global already stored: end the block (shadow, TF and exit). */
void x86_gen_eob(DisasContext *s);
/* With HF_DBP: the #DB trap of data/I/O breakpoints the instruction matched, returning
 * to next_eip (helper_bpt_trap), tested inline on env->dbg_pending. */
void x86_gen_bpt_check(DisasContext *s, IRVal next_eip);
/* Jump to eip (address-size masked value); the caller has checked it (x86_gen_check_eip). */
void x86_gen_jmp_reg(DisasContext *s, IRVal eip);
/* The CS limit check of a new eip while CS is not flat (how: X86_EIPCHK_*; ecx: the ECX to
 * restore with X86_EIPCHK_ECX, else IR_NONE). Branches check before changing any state. */
void x86_gen_check_eip(DisasContext *s, IRVal eip, unsigned how, IRVal ecx);
/* The guest bytes of the block just translated by this thread, if (pc, size) match. */
bool x86_tb_bytes_get(uint64_t pc, uint64_t size, const uint8_t **p);

/* ---- flags (translate-alu.c) ---- */
void x86_set_cc_op(DisasContext *s, int op);
/* A helper has written env->cc_op = op: record and store it again (harmless). */
void x86_force_cc_op(DisasContext *s, int op);
void x86_gen_compute_eflags(DisasContext *s, IRVal d);     /* CF..OF into d */
void x86_gen_compute_c(DisasContext *s, IRVal d);          /* CF (0/1) into d */
/* Flags become CC_OP_EFLAGS with cc_src = v (CC bits only). */
void x86_gen_set_eflags_cc(DisasContext *s, IRVal v);
typedef struct X86CC {
    IRCond cond;
    IRVal a, b;
} X86CC;
/* The condition of Jcc/SETcc/CMOVcc number `b` (0..15). */
X86CC x86_gen_prepare_cc(DisasContext *s, int b);
void x86_gen_setcc(DisasContext *s, int b, IRVal d);
void x86_gen_brcond_cc(DisasContext *s, int b, IRLabel l);

/* ---- instruction groups (translate-alu.c) ---- */
/* op: 0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP; src zero-extended at ot */
void x86_gen_alu(DisasContext *s, int op, int ot, const X86Opnd *d, IRVal src);
void x86_gen_incdec(DisasContext *s, int ot, const X86Opnd *d, bool dec);
void x86_gen_shift(DisasContext *s, int op, int ot, const X86Opnd *d, IRVal count, int imm);
void x86_gen_shiftd(DisasContext *s, int ot, const X86Opnd *d, int reg, IRVal count, int imm,
                    bool right);
void x86_gen_grp3(DisasContext *s, int ot);
void x86_gen_imul3(DisasContext *s, int ot, int dreg, const X86Opnd *src, IRVal imm);
void x86_gen_bt(DisasContext *s, int op, int ot, const X86Opnd *d, IRVal off, bool imm);
void x86_gen_bsf_bsr(DisasContext *s, int ot, bool rev, bool cnt);
void x86_gen_popcnt(DisasContext *s, int ot);
void x86_gen_cmpxchg(DisasContext *s, int ot);
void x86_gen_xadd(DisasContext *s, int ot);
void x86_gen_bcd(DisasContext *s, int opc);
/* the 1-byte and 0F opcodes that are pure integer ALU work; false when not handled */
bool x86_disas_alu(DisasContext *s);

/* ---- translate-string.c ---- */
bool x86_disas_string(DisasContext *s);
void x86_gen_io_check(DisasContext *s, IRVal port, int size);

/* ---- translate-system.c ---- */
bool x86_disas_system(DisasContext *s);
void x86_gen_load_seg(DisasContext *s, int seg, IRVal sel);

/* ---- translate-ctrl.c ---- */
bool x86_disas_ctrl(DisasContext *s);

/* ---- translate-sse.c: MMX and SSE..SSE4.2 (0F 10-17 28-2F 50-7F C2-C6 D0-FE, 0F 38, 0F 3A,
 * MOVNTI, CRC32); false for the opcodes that are not its own ---- */
bool x86_disas_sse(DisasContext *s);

/* ---- translate-fpu.c ---- */
void x86_gen_fpu(DisasContext *s);          /* D8-DF */
void x86_gen_fwait(DisasContext *s);        /* 9B */
void x86_gen_fpu_state(DisasContext *s);    /* 0F AE /0-/6 with a memory operand */
void x86_gen_xcr(DisasContext *s, bool set);    /* 0F 01 D0 XGETBV, D1 XSETBV */

/* ---- IR helpers of the translator side ---- */
/* cc_helper.c */
IR_HELPER(helper_cc_compute_all);       /* -> CF..OF of the lazy state */
IR_HELPER(helper_cc_compute_c);         /* -> CF (0/1) */
IR_HELPER(helper_read_eflags);          /* -> EFLAGS image for PUSHF (VM, RF clear) */
/* int_helper.c */
IR_HELPER(helper_div);                  /* a0 divisor, a1 ot: unsigned, #DE */
IR_HELPER(helper_idiv);                 /* a0 divisor, a1 ot: signed, #DE */
IR_HELPER(helper_daa);
IR_HELPER(helper_das);
IR_HELPER(helper_aaa);
IR_HELPER(helper_aas);
IR_HELPER(helper_aam);                  /* a0 base */
IR_HELPER(helper_aad);                  /* a0 base */
IR_HELPER(helper_bsf);                  /* a0 src, a1 ot -> index (src != 0) */
IR_HELPER(helper_bsr);                  /* a0 src, a1 ot -> index (src != 0) */
IR_HELPER(helper_popcnt);               /* a0 src -> bits set */
IR_HELPER(helper_rotc);                 /* RCL/RCR, see int_helper.c */
IR_HELPER(helper_cmpxchg8b);            /* a0 linear address, a1 mmu_idx */
IR_HELPER(helper_cmpxchg16b);           /* a0 linear address, a1 mmu_idx */
IR_HELPER(helper_lock_st);              /* a0 address, a1 old, a2 new, a3 memop | mmu << 8 */
IR_HELPER(helper_enter_level);          /* a0 level, a1 ot, a2 sp after pushing BP, a3 mmu */
IR_HELPER(helper_popf);                 /* a0 value, a1 ot */
IR_HELPER(helper_icebp);                /* a0 next_eip */
IR_HELPER(helper_set_ac);               /* a0 0/1: CLAC/STAC */
IR_HELPER(helper_fninit);

/* cc_helper.c: the flag computation shared with tests (size = 1 << ot bytes) */
uint64_t x86_cc_compute_c(X86CPU *env);

#endif

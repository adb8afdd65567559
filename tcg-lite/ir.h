/* SPDX-License-Identifier: MIT */
/*
 * tcg-lite/ir.h — the tcg-lite intermediate representation and its builder.
 *
 * A front end (cpu/<arch>/translate.c) turns one translation block of guest code into a
 * list of IR ops through this builder, then asks a backend to compile it into an IRCode
 * (tcg-lite/interp: a pre-decoded op array; later the x86-64 JIT). tcg-lite knows nothing
 * about guest CPUs: it reaches the CPU state ("env") only through byte offsets that the
 * front end registers (globals) and through the IRRuntime table that accel/tcg fills.
 *
 * Values (IRVal) are 64 bits wide and are one of
 *   - globals: a uint64_t field of env at a fixed offset (guest registers, lazy flags);
 *     ops read and write them in place, so helpers see them current at any call;
 *   - temps: scratch values local to one block (they keep their value across labels);
 *   - constants: made with ir_const(); they may be used wherever an input value is.
 * Helpers may read and write env freely, and may leave the block by raising a guest
 * exception with ir_exit_to_loop()-style longjmp in the CPU code; the guest pc of the
 * faulting instruction is the last insn_start value (see IRRuntime.insn_pc_offset).
 */
#ifndef TCG_LITE_IR_H
#define TCG_LITE_IR_H

#include "util/osdep.h"

enum IRFlags {
    IRF_INT = 1 << 0,
    IRF_BB_END = 1 << 1,
    IRF_BB_START = 1 << 2,
    IRF_SIDE_EFFECTS = 1 << 3,
};

typedef enum IROpcode {
#define IR_OP(name, outs, ins, consts, flags) IR_##name,
#include "tcg-lite/ir-ops.def"
#undef IR_OP
    IR_NB_OPS
} IROpcode;

typedef struct IROpDef {
    const char *name;
    uint8_t nb_outs, nb_ins, nb_consts;
    uint8_t flags;
} IROpDef;
extern const IROpDef ir_op_defs[IR_NB_OPS];

/* Conditions for setcond/movcond/brcond (signed: LT..GT; unsigned: LTU..GTU). */
typedef enum IRCond {
    IR_COND_NEVER, IR_COND_ALWAYS,
    IR_COND_EQ, IR_COND_NE,
    IR_COND_LT, IR_COND_GE, IR_COND_LE, IR_COND_GT,
    IR_COND_LTU, IR_COND_GEU, IR_COND_LEU, IR_COND_GTU,
    IR_COND_TSTEQ, IR_COND_TSTNE,   /* (a & b) == 0, (a & b) != 0 */
} IRCond;
/* Evaluate a condition (the reference semantics of every backend). */
bool ir_cond_eval(IRCond c, uint64_t a, uint64_t b);
IRCond ir_cond_invert(IRCond c);

/* Memory operation: size and signedness of a load or store (guest memory is little-endian). */
enum MemOp {
    MO_8 = 0, MO_16 = 1, MO_32 = 2, MO_64 = 3, MO_SIZE = 3,
    MO_SIGN = 4,
    MO_SB = MO_8 | MO_SIGN, MO_SW = MO_16 | MO_SIGN, MO_SL = MO_32 | MO_SIGN,
};
static inline unsigned memop_size(unsigned mo) { return 1u << (mo & MO_SIZE); }

/* exit_tb values: returned to the CPU loop (see ir_exec). 0 and 1 are the goto_tb slots. */
enum {
    IR_EXIT_NOCHAIN = 2,     /* block ended; the CPU loop looks up the next pc */
    IR_EXIT_REQUESTED = 3,   /* exit_request was set at the entry of the returned block,
                                which did not run */
};

/* Call flags (for optimisers and the JIT; the interpreter ignores them). */
enum {
    IR_CALL_NO_READ_GLOBALS = 1 << 0,
    IR_CALL_NO_WRITE_GLOBALS = 1 << 1,
    IR_CALL_NO_SIDE_EFFECTS = 1 << 2,
};

/* A helper: always called with env and four arguments (unused ones are 0). */
typedef uint64_t (*IRHelper)(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
#define IR_HELPER(name) \
    uint64_t name(void *env_, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)

typedef uint32_t IRVal;
#define IR_NONE ((IRVal)0xffffffffu)
typedef uint32_t IRLabel;

typedef struct IROp {
    uint16_t opc;
    uint16_t nargs;
    uint64_t args[8];    /* IRVal for value operands, raw numbers for constants */
} IROp;

/*
 * How tcg-lite reaches the CPU state; filled once by accel/tcg (cputlb.c) before any block
 * runs. All offsets are from the env pointer given to ir_exec().
 */
typedef struct IRRuntime {
    ptrdiff_t tlb_offset;           /* TLBEntry [IR_NB_MMU_MODES][IR_TLB_SIZE], see softmmu.h */
    ptrdiff_t insn_pc_offset;       /* uint64_t: insn_start stores its pc here */
    ptrdiff_t exit_request_offset;  /* int32_t: non-zero makes every block entry return */
    ptrdiff_t frame_offset;         /* uint64_t[IR_MAX_TEMPS]: the temps' storage */
    /* Slow paths of guest_ld/guest_st (TLB miss, I/O, page crossing, code pages).
     * They may longjmp out on a guest fault. */
    uint64_t (*ld_slow)(void *env, uint64_t addr, unsigned memop, unsigned mmu_idx);
    void (*st_slow)(void *env, uint64_t addr, uint64_t val, unsigned memop, unsigned mmu_idx);
} IRRuntime;
extern IRRuntime ir_runtime;

#define IR_MAX_TEMPS 1024
#define IR_MAX_GLOBALS 256

/* Globals are registered once, before any block is built (they persist across blocks). */
IRVal ir_global(ptrdiff_t env_offset, const char *name);

typedef struct IRBuilder IRBuilder;
IRBuilder *ir_builder_new(void);
void ir_builder_free(IRBuilder *b);
/* Start a new block: drops the previous block's ops, temps, labels and constants. */
void ir_begin(IRBuilder *b);
/* True when the block is close to the builder's limits: the front end should end it. */
bool ir_full(const IRBuilder *b);
int ir_nb_ops(const IRBuilder *b);
const IROp *ir_ops(const IRBuilder *b);

IRVal ir_temp(IRBuilder *b);
/* A temp the front end no longer needs (its slot may be reused). Optional. */
void ir_temp_free(IRBuilder *b, IRVal t);
IRVal ir_const(IRBuilder *b, uint64_t v);
IRLabel ir_new_label(IRBuilder *b);

/* Kind of a value, for backends and dumps. */
bool ir_is_const(const IRBuilder *b, IRVal v);
bool ir_is_global(IRVal v);
uint64_t ir_const_value(const IRBuilder *b, IRVal v);
ptrdiff_t ir_global_offset(IRVal v);
const char *ir_global_name(IRVal v);

/* Append an op; args as in ir-ops.def order (outs, ins, consts). */
void ir_emit(IRBuilder *b, IROpcode opc, int nargs, const uint64_t *args);

/* Typed emitters. */
void ir_mov(IRBuilder *b, IRVal d, IRVal a);
void ir_movi(IRBuilder *b, IRVal d, uint64_t v);
void ir_op2(IRBuilder *b, IROpcode opc, IRVal d, IRVal a);            /* not, neg, ext*, bswap* */
void ir_op3(IRBuilder *b, IROpcode opc, IRVal d, IRVal a, IRVal c);   /* add ... rotr */
void ir_mul2(IRBuilder *b, IROpcode opc, IRVal lo, IRVal hi, IRVal a, IRVal c); /* mulu2/muls2 */
void ir_setcond(IRBuilder *b, IRCond cond, IRVal d, IRVal a, IRVal c);
void ir_movcond(IRBuilder *b, IRCond cond, IRVal d, IRVal a, IRVal c, IRVal vtrue, IRVal vfalse);
void ir_brcond(IRBuilder *b, IRCond cond, IRVal a, IRVal c, IRLabel l);
void ir_br(IRBuilder *b, IRLabel l);
void ir_set_label(IRBuilder *b, IRLabel l);
void ir_ld_env(IRBuilder *b, IRVal d, ptrdiff_t off, unsigned memop);
void ir_st_env(IRBuilder *b, IRVal a, ptrdiff_t off, unsigned memop);
void ir_guest_ld(IRBuilder *b, IRVal d, IRVal addr, unsigned memop, unsigned mmu_idx);
void ir_guest_st(IRBuilder *b, IRVal val, IRVal addr, unsigned memop, unsigned mmu_idx);
/* ret may be IR_NONE; unused args IR_NONE. */
void ir_call(IRBuilder *b, IRVal ret, IRHelper fn, unsigned callflags,
             IRVal a0, IRVal a1, IRVal a2, IRVal a3);
void ir_insn_start(IRBuilder *b, uint64_t pc);
void ir_goto_tb(IRBuilder *b, unsigned slot);
void ir_exit_tb(IRBuilder *b, unsigned value);

/* Convenience wrappers */
static inline void ir_add(IRBuilder *b, IRVal d, IRVal x, IRVal y) { ir_op3(b, IR_add, d, x, y); }
static inline void ir_sub(IRBuilder *b, IRVal d, IRVal x, IRVal y) { ir_op3(b, IR_sub, d, x, y); }
static inline void ir_and(IRBuilder *b, IRVal d, IRVal x, IRVal y) { ir_op3(b, IR_and, d, x, y); }
static inline void ir_or(IRBuilder *b, IRVal d, IRVal x, IRVal y) { ir_op3(b, IR_or, d, x, y); }
static inline void ir_xor(IRBuilder *b, IRVal d, IRVal x, IRVal y) { ir_op3(b, IR_xor, d, x, y); }
static inline void ir_shl(IRBuilder *b, IRVal d, IRVal x, IRVal y) { ir_op3(b, IR_shl, d, x, y); }
static inline void ir_shr(IRBuilder *b, IRVal d, IRVal x, IRVal y) { ir_op3(b, IR_shr, d, x, y); }
static inline void ir_sar(IRBuilder *b, IRVal d, IRVal x, IRVal y) { ir_op3(b, IR_sar, d, x, y); }

/* Optimiser: constant folding, copy propagation and dead-code removal inside each
 * extended basic block. Safe to skip; backends accept unoptimised IR. */
void ir_optimize(IRBuilder *b);

/* Print the block's ops ("-d op"); f == NULL prints to the -d log (log_printf). */
void ir_dump(const IRBuilder *b, FILE *f);

/* ---- backends ---- */
typedef struct IRCode IRCode;
/* Compile the builder's block for the interpreter. `opaque` is stored for the caller
 * (accel/tcg keeps its TranslationBlock there). Never fails (aborts on internal limits). */
IRCode *ir_compile(IRBuilder *b, void *opaque);
void ir_code_free(IRCode *c);
void *ir_code_opaque(const IRCode *c);
/* Chain slot `slot` (0/1) of `from` to `to` (NULL unchains): goto_tb then enters `to`
 * directly without returning to the CPU loop. */
void ir_code_set_chain(IRCode *from, unsigned slot, IRCode *to);
/* Size in bytes of the compiled form (statistics). */
size_t ir_code_size(const IRCode *c);

/*
 * Run a compiled block (and any blocks chained to it). Returns the last block that ran,
 * or-ed with the exit value (an exit_tb value, a goto_tb slot whose chain was empty, or
 * IR_EXIT_REQUESTED). IRCode pointers are 8-byte aligned.
 */
uintptr_t ir_exec(void *env, IRCode *code);
#define IR_EXIT_CODE(r) ((IRCode *)((r) & ~(uintptr_t)7))
#define IR_EXIT_VALUE(r) ((unsigned)((r) & 7))

#endif

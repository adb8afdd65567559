/* SPDX-License-Identifier: MIT */
/*
 * tcg-lite/ir-internal.h — what the builder, the optimiser and the backends share
 * inside tcg-lite: the IRVal encoding, the builder's layout and the reference
 * evaluation of the pure integer ops. Front ends use tcg-lite/ir.h only.
 */
#ifndef TCG_LITE_IR_INTERNAL_H
#define TCG_LITE_IR_INTERNAL_H

#include "tcg-lite/ir.h"

/*
 * IRVal encoding:
 *   0 .. IR_MAX_GLOBALS-1                       globals (process-wide table)
 *   IR_MAX_GLOBALS .. IR_MAX_GLOBALS+IR_TEMP_LIMIT-1   temps of the current block
 *   IR_CONST_TAG | index                        constants (index into the block's pool)
 *   IR_NONE                                     no value
 */
#define IR_CONST_TAG 0x80000000u
#define IR_TEMP_BASE ((IRVal)IR_MAX_GLOBALS)
/* Hard limit on temp numbers in one block; the frame limit is enforced by ir_compile
 * after slot allocation (see ir_full() for the front end's early warning). */
#define IR_TEMP_LIMIT (1u << 20)

/* Front ends should stop a block at these sizes (ir_full). */
#define IR_FULL_OPS 3500
#define IR_FULL_TEMPS (IR_MAX_TEMPS - 64)

typedef struct IRConstSlot {
    uint32_t gen;
    uint32_t idx;
} IRConstSlot;

struct IRBuilder {
    IROp *ops;
    int nb_ops, cap_ops;

    uint64_t *consts;
    uint32_t nb_consts, cap_consts;
    IRConstSlot *chash;         /* open addressing, valid when gen matches */
    uint32_t chash_cap, gen;

    uint32_t nb_temps;          /* temp numbers handed out in this block */
    uint32_t *free_temps;       /* ir_temp_free()d temps, reused LIFO */
    uint32_t nb_free, cap_free;
    uint8_t *temp_free_flag;    /* guards against double frees */
    uint32_t cap_temp_flags;

    uint32_t nb_labels;
};

static inline bool ir_is_temp(IRVal v)
{
    return v >= IR_TEMP_BASE && v < IR_TEMP_BASE + IR_TEMP_LIMIT;
}

static inline uint32_t ir_temp_index(IRVal v)
{
    return v - IR_TEMP_BASE;
}

static inline bool ir_val_is_const(IRVal v)
{
    return v != IR_NONE && (v & IR_CONST_TAG);
}

/* Number of globals registered so far. */
unsigned ir_nb_globals(void);

/* Is `opc` a pure integer op that ir_eval_int() can compute (one output, 1-2 inputs)? */
bool ir_op_is_foldable(IROpcode opc);
/* The reference result of a foldable op (b ignored for unary ops). */
uint64_t ir_eval_int(IROpcode opc, uint64_t a, uint64_t b);

/* Condition with its operands swapped: cond(a, b) == ir_cond_swap(cond)(b, a). */
IRCond ir_cond_swap(IRCond c);

/* Sign/zero extension of a loaded value per memop (the low memop_size bytes of v). */
static inline uint64_t ir_memop_extend(uint64_t v, unsigned mo)
{
    switch (mo & (MO_SIZE | MO_SIGN)) {
    case MO_8:
        return (uint8_t)v;
    case MO_16:
        return (uint16_t)v;
    case MO_32:
        return (uint32_t)v;
    case MO_SB:
        return (uint64_t)(int64_t)(int8_t)v;
    case MO_SW:
        return (uint64_t)(int64_t)(int16_t)v;
    case MO_SL:
        return (uint64_t)(int64_t)(int32_t)v;
    default:
        return v;
    }
}

/* Frame slots (uint64_t) a compiled block uses, scratch included (tests, statistics). */
uint32_t ir_interp_frame_slots(const IRCode *c);

#endif

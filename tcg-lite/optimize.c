/* SPDX-License-Identifier: MIT */
/*
 * tcg-lite/optimize.c — ir_optimize(): a forward pass of constant folding, constant
 * and copy propagation and a few algebraic identities inside each extended basic
 * block (facts are dropped at every label that is a branch target), removal of
 * unreachable code and unused labels, then a backward pass of dead temp elimination
 * driven by liveness over the block's control-flow graph (temps keep their values
 * across labels), which also folds "op t, ...; mov x, t" into "op x, ..." when t dies.
 *
 * It also tracks which values have their upper 32 bits known to be zero (results of the
 * zero-extending ops and loads, masks, logical right shifts by 32 or more) and turns an
 * ext32u of such a value into a mov: 32-bit code zero-extends every result, and the x86
 * translator often extends a value that already is.
 *
 * Writes to globals are kept wherever something may read env: helpers, the slow paths of
 * guest loads and stores (a fault delivers an exception from env), ld_env/st_env and the
 * block's exits. Between two such points a write that the same global's next write
 * overwrites unread is dead and removed (the x86 translator sets cc_op, cc_src and
 * cc_dst for every flag-setting instruction; only the last of a run of them matters).
 *
 * Not done, on purpose: delaying writes to globals, common subexpression elimination,
 * or anything across blocks. Facts about globals are dropped at calls that may write them,
 * st_env and guest_ld/guest_st (their slow paths run arbitrary code).
 */
#include "tcg-lite/ir-internal.h"

/* ---- forward pass: folding and propagation ---- */

enum { FACT_NONE, FACT_CONST, FACT_COPY };

typedef struct Fact {
    uint32_t stamp;     /* valid when equal to OptState.gen */
    uint8_t kind;
    bool zx32;          /* bits 63..32 are known to be zero */
    uint64_t v;         /* the constant, or the IRVal this value is a copy of */
} Fact;

typedef struct OptState {
    IRBuilder *b;
    Fact *facts;        /* indexed by IRVal (globals, then temps) */
    uint32_t nvals;
    uint32_t gen;
    uint32_t *copies;   /* values that may hold a FACT_COPY (stale entries allowed) */
    uint32_t nb_copies, cap_copies;
} OptState;

static inline Fact *fact(OptState *s, IRVal v)
{
    Fact *f;

    if (v >= s->nvals) {
        return NULL;
    }
    f = &s->facts[v];
    if (f->stamp != s->gen) {
        f->stamp = s->gen;
        f->kind = FACT_NONE;
        f->zx32 = false;
    }
    return f;
}

static void facts_reset(OptState *s)
{
    s->gen++;
    s->nb_copies = 0;
}

/* The value v now changes: forget what we knew about it and every copy of it. */
static void invalidate(OptState *s, IRVal v)
{
    Fact *f = fact(s, v);
    uint32_t i, j;

    if (!f) {
        return;
    }
    f->kind = FACT_NONE;
    f->zx32 = false;
    for (i = j = 0; i < s->nb_copies; i++) {
        IRVal w = s->copies[i];
        Fact *fw = fact(s, w);
        if (fw->kind != FACT_COPY) {
            continue;
        }
        if (fw->v == v) {
            fw->kind = FACT_NONE;
            continue;
        }
        s->copies[j++] = w;
    }
    s->nb_copies = j;
}

/* Something may have written any global. */
static void invalidate_globals(OptState *s)
{
    unsigned g, n = ir_nb_globals();
    uint32_t i, j;

    for (g = 0; g < n; g++) {
        fact(s, g)->kind = FACT_NONE;
        fact(s, g)->zx32 = false;
    }
    for (i = j = 0; i < s->nb_copies; i++) {
        IRVal w = s->copies[i];
        Fact *fw = fact(s, w);
        if (fw->kind != FACT_COPY) {
            continue;
        }
        if (ir_is_global((IRVal)fw->v)) {
            fw->kind = FACT_NONE;
            continue;
        }
        s->copies[j++] = w;
    }
    s->nb_copies = j;
}

static void set_const(OptState *s, IRVal d, uint64_t k)
{
    Fact *f;

    invalidate(s, d);
    f = fact(s, d);
    if (f) {
        f->kind = FACT_CONST;
        f->v = k;
    }
}

static void set_copy(OptState *s, IRVal d, IRVal src)
{
    Fact *f;

    invalidate(s, d);
    f = fact(s, d);
    if (!f || src >= s->nvals) {
        return;
    }
    f->kind = FACT_COPY;
    f->v = src;
    if (s->nb_copies == s->cap_copies) {
        s->cap_copies = s->cap_copies ? s->cap_copies * 2 : 64;
        s->copies = realloc(s->copies, sizeof(uint32_t) * s->cap_copies);
        if (!s->copies) {
            fatal("tcg-lite: out of memory");
        }
    }
    s->copies[s->nb_copies++] = d;
}

/* The best stand-in for an input: its constant, or the value it copies. */
static IRVal resolve(OptState *s, IRVal v)
{
    Fact *f;

    if (v == IR_NONE || ir_val_is_const(v)) {
        return v;
    }
    f = fact(s, v);
    if (!f) {
        return v;
    }
    if (f->kind == FACT_CONST) {
        return ir_const(s->b, f->v);
    }
    if (f->kind == FACT_COPY) {
        return (IRVal)f->v;
    }
    return v;
}

static bool cval(OptState *s, IRVal v, uint64_t *k);

/* Are bits 63..32 of v known to be zero? */
static bool known_zx32(OptState *s, IRVal v)
{
    uint64_t k;
    Fact *f;

    if (v == IR_NONE) {
        return false;
    }
    if (cval(s, v, &k)) {
        return k <= UINT32_MAX;
    }
    f = fact(s, v);
    return f && f->zx32;
}

/* After op was recorded: does its single output have bits 63..32 zero? */
static bool result_zx32(OptState *s, const IROp *op)
{
    uint64_t k;

    switch (op->opc) {
    case IR_ext8u: case IR_ext16u: case IR_ext32u: case IR_bswap16: case IR_bswap32:
    case IR_setcond:
        return true;
    case IR_mov:
        return known_zx32(s, (IRVal)op->args[1]);
    case IR_and:
        return known_zx32(s, (IRVal)op->args[1]) || known_zx32(s, (IRVal)op->args[2]);
    case IR_or: case IR_xor:
        return known_zx32(s, (IRVal)op->args[1]) && known_zx32(s, (IRVal)op->args[2]);
    case IR_shr:
        return (cval(s, (IRVal)op->args[2], &k) && (k & 63) >= 32) ||
               (known_zx32(s, (IRVal)op->args[1]) && cval(s, (IRVal)op->args[2], &k));
    case IR_guest_ld:
        return !(op->args[2] & MO_SIGN) && (op->args[2] & MO_SIZE) <= MO_32;
    case IR_ld_env:
        return !(op->args[2] & MO_SIGN) && (op->args[2] & MO_SIZE) <= MO_32;
    default:
        return false;
    }
}

static bool cval(OptState *s, IRVal v, uint64_t *k)
{
    if (ir_val_is_const(v)) {
        *k = ir_const_value(s->b, v);
        return true;
    }
    return false;
}

static void rewrite_movi(IROp *op, IRVal d, uint64_t k)
{
    op->opc = IR_movi;
    op->nargs = 2;
    op->args[0] = d;
    op->args[1] = k;
}

static void rewrite_mov(IROp *op, IRVal d, IRVal a)
{
    op->opc = IR_mov;
    op->nargs = 2;
    op->args[0] = d;
    op->args[1] = a;
}

/* Algebraic identities on a binary op whose inputs are resolved. Rewrites op into
 * mov/movi when one applies. */
static void simplify_binary(OptState *s, IROp *op)
{
    IRVal d = op->args[0], x = op->args[1], y = op->args[2];
    uint64_t kx = 0, ky = 0;
    bool cx = cval(s, x, &kx), cy = cval(s, y, &ky);

    if (cx && cy) {
        rewrite_movi(op, d, ir_eval_int(op->opc, kx, ky));
        return;
    }
    switch (op->opc) {
    case IR_add: case IR_or: case IR_xor:
        if (cy && ky == 0) {
            rewrite_mov(op, d, x);
        } else if (cx && kx == 0) {
            rewrite_mov(op, d, y);
        } else if (op->opc != IR_add && x == y) {
            if (op->opc == IR_or) {
                rewrite_mov(op, d, x);
            } else {
                rewrite_movi(op, d, 0);
            }
        }
        break;
    case IR_sub:
        if (cy && ky == 0) {
            rewrite_mov(op, d, x);
        } else if (x == y) {
            rewrite_movi(op, d, 0);
        }
        break;
    case IR_and:
        if ((cy && ky == 0) || (cx && kx == 0)) {
            rewrite_movi(op, d, 0);
        } else if (cy && ky == ~0ull) {
            rewrite_mov(op, d, x);
        } else if (cx && kx == ~0ull) {
            rewrite_mov(op, d, y);
        } else if (x == y) {
            rewrite_mov(op, d, x);
        }
        break;
    case IR_andc:
        if ((cy && ky == 0)) {
            rewrite_mov(op, d, x);
        } else if ((cx && kx == 0) || (cy && ky == ~0ull) || x == y) {
            rewrite_movi(op, d, 0);
        }
        break;
    case IR_mul:
        if ((cy && ky == 0) || (cx && kx == 0)) {
            rewrite_movi(op, d, 0);
        } else if (cy && ky == 1) {
            rewrite_mov(op, d, x);
        } else if (cx && kx == 1) {
            rewrite_mov(op, d, y);
        }
        break;
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
        if (cy && (ky & 63) == 0) {
            rewrite_mov(op, d, x);
        } else if (cx && kx == 0) {
            rewrite_movi(op, d, 0);
        }
        break;
    default:
        break;
    }
}

/* cond(x, x) when it does not depend on x; -1 otherwise. */
static int cond_same(IRCond c)
{
    switch (c) {
    case IR_COND_EQ: case IR_COND_GE: case IR_COND_LE: case IR_COND_GEU: case IR_COND_LEU:
    case IR_COND_ALWAYS:
        return 1;
    case IR_COND_NE: case IR_COND_LT: case IR_COND_GT: case IR_COND_LTU: case IR_COND_GTU:
    case IR_COND_NEVER:
        return 0;
    default:
        return -1;
    }
}

/* Is cond(x, y) known at translation? Returns 0/1, or -1. */
static int cond_known(OptState *s, IRCond c, IRVal x, IRVal y)
{
    uint64_t kx, ky;

    if (c == IR_COND_NEVER) {
        return 0;
    }
    if (c == IR_COND_ALWAYS) {
        return 1;
    }
    if (cval(s, x, &kx) && cval(s, y, &ky)) {
        return ir_cond_eval(c, kx, ky);
    }
    if (x == y) {
        return cond_same(c);
    }
    return -1;
}

static uint64_t branch_label(const IROp *op)
{
    return op->opc == IR_brcond ? op->args[3] : op->args[0];
}

static bool is_branch(const IROp *op)
{
    return op->opc == IR_brcond || op->opc == IR_br;
}

static void forward_pass(OptState *s, bool *dead)
{
    IRBuilder *b = s->b;
    uint32_t *refs = xzalloc(sizeof(uint32_t) * (b->nb_labels + 1));
    bool unreachable = false;
    int i, pending_br = -1;

    for (i = 0; i < b->nb_ops; i++) {
        if (is_branch(&b->ops[i]) && branch_label(&b->ops[i]) < b->nb_labels) {
            refs[branch_label(&b->ops[i])]++;
        }
    }

    for (i = 0; i < b->nb_ops; i++) {
        IROp *op = &b->ops[i];
        const IROpDef *def = &ir_op_defs[op->opc];
        int k, nouts = def->nb_outs, nins = def->nb_ins;
        bool zx;

        if (op->opc == IR_set_label) {
            if (unreachable && pending_br >= 0 && b->ops[pending_br].args[0] == op->args[0]) {
                /* "br L" straight to L (only dead code between): drop the jump. */
                dead[pending_br] = true;
                refs[op->args[0]]--;
                unreachable = false;
            }
            pending_br = -1;
            if (op->args[0] < b->nb_labels && refs[op->args[0]] == 0) {
                /* Only fall-through reaches it: the extended block goes on. */
                dead[i] = true;
                continue;
            }
            unreachable = false;
            facts_reset(s);
            continue;
        }
        if (unreachable) {
            if (is_branch(op) && branch_label(op) < b->nb_labels) {
                refs[branch_label(op)]--;
            }
            dead[i] = true;
            continue;
        }

        for (k = nouts; k < nouts + nins; k++) {
            op->args[k] = resolve(s, (IRVal)op->args[k]);
        }

        switch (op->opc) {
        case IR_add: case IR_sub: case IR_mul: case IR_and: case IR_or: case IR_xor:
        case IR_andc: case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
            simplify_binary(s, op);
            break;
        case IR_not: case IR_neg: case IR_ext8s: case IR_ext8u: case IR_ext16s:
        case IR_ext16u: case IR_ext32s: case IR_ext32u: case IR_bswap16: case IR_bswap32:
        case IR_bswap64: {
            uint64_t ka;
            if (cval(s, (IRVal)op->args[1], &ka)) {
                rewrite_movi(op, (IRVal)op->args[0], ir_eval_int(op->opc, ka, 0));
            } else if (op->opc == IR_ext32u && known_zx32(s, (IRVal)op->args[1])) {
                rewrite_mov(op, (IRVal)op->args[0], (IRVal)op->args[1]);
            }
            break;
        }
        case IR_setcond: {
            int r = cond_known(s, (IRCond)op->args[3], (IRVal)op->args[1], (IRVal)op->args[2]);
            if (r >= 0) {
                rewrite_movi(op, (IRVal)op->args[0], (uint64_t)r);
            }
            break;
        }
        case IR_movcond: {
            int r = cond_known(s, (IRCond)op->args[5], (IRVal)op->args[1], (IRVal)op->args[2]);
            if (r >= 0) {
                rewrite_mov(op, (IRVal)op->args[0], (IRVal)op->args[r ? 3 : 4]);
            } else if (op->args[3] == op->args[4]) {
                rewrite_mov(op, (IRVal)op->args[0], (IRVal)op->args[3]);
            }
            break;
        }
        case IR_brcond: {
            int r = cond_known(s, (IRCond)op->args[2], (IRVal)op->args[0], (IRVal)op->args[1]);
            if (r == 0) {
                if (op->args[3] < b->nb_labels) {
                    refs[op->args[3]]--;
                }
                dead[i] = true;
                continue;
            }
            if (r == 1) {
                uint64_t l = op->args[3];
                op->opc = IR_br;
                op->nargs = 1;
                op->args[0] = l;
            }
            break;
        }
        default:
            break;
        }

        /* Record what the (possibly rewritten) op leaves behind. */
        zx = ir_op_defs[op->opc].nb_outs == 1 && result_zx32(s, op);
        switch (op->opc) {
        case IR_movi:
            set_const(s, (IRVal)op->args[0], op->args[1]);
            break;
        case IR_mov: {
            IRVal d = (IRVal)op->args[0], a = (IRVal)op->args[1];
            uint64_t ka;
            if (cval(s, a, &ka)) {
                rewrite_movi(op, d, ka);
                set_const(s, d, ka);
            } else if (d == a) {
                dead[i] = true;
            } else {
                set_copy(s, d, a);
            }
            break;
        }
        case IR_br:
            pending_br = i;
            unreachable = true;
            break;
        case IR_exit_tb:
        case IR_goto_tb:
            pending_br = -1;
            unreachable = true;
            break;
        case IR_call:
            if (!(op->args[7] & IR_CALL_NO_WRITE_GLOBALS)) {
                invalidate_globals(s);
            }
            if ((IRVal)op->args[0] != IR_NONE) {
                invalidate(s, (IRVal)op->args[0]);
            }
            break;
        case IR_st_env:
            invalidate_globals(s);
            break;
        case IR_guest_ld:
            invalidate_globals(s);
            invalidate(s, (IRVal)op->args[0]);
            break;
        case IR_guest_st:
            invalidate_globals(s);
            break;
        default:
            for (k = 0; k < ir_op_defs[op->opc].nb_outs; k++) {
                invalidate(s, (IRVal)op->args[k]);
            }
            break;
        }
        if (zx && !dead[i] && (IRVal)op->args[0] != IR_NONE) {
            Fact *f = fact(s, (IRVal)op->args[0]);
            if (f) {
                f->zx32 = true;
            }
        }
    }
    free(refs);
}

static void compact(IRBuilder *b, bool *dead)
{
    int i, j;

    for (i = j = 0; i < b->nb_ops; i++) {
        if (!dead[i]) {
            if (i != j) {
                b->ops[j] = b->ops[i];
            }
            j++;
        }
        dead[i] = false;
    }
    b->nb_ops = j;
}

/* ---- backward pass: liveness of temps and dead code ---- */

typedef uint64_t Word;
#define WBITS 64

static inline bool bit_get(const Word *w, uint32_t i)
{
    return (w[i / WBITS] >> (i % WBITS)) & 1;
}

static inline void bit_set(Word *w, uint32_t i)
{
    w[i / WBITS] |= (Word)1 << (i % WBITS);
}

static inline void bit_clear(Word *w, uint32_t i)
{
    w[i / WBITS] &= ~((Word)1 << (i % WBITS));
}

static bool temp_of(const IRBuilder *b, uint64_t arg, uint32_t *t)
{
    IRVal v = (IRVal)arg;

    if (ir_is_temp(v) && ir_temp_index(v) < b->nb_temps) {
        *t = ir_temp_index(v);
        return true;
    }
    return false;
}

/* May the op be dropped when none of its outputs is needed? */
static bool removable(const IROp *op)
{
    if (op->opc == IR_call) {
        unsigned fl = (unsigned)op->args[7];
        return (fl & IR_CALL_NO_SIDE_EFFECTS) && (fl & IR_CALL_NO_WRITE_GLOBALS);
    }
    return (ir_op_defs[op->opc].flags & IRF_INT) != 0;
}

/* An op with exactly one output that may be retargeted to another variable: it reads
 * all its inputs before it writes, and a fault (guest_ld, call) leaves both unwritten. */
static bool single_output(const IROp *op)
{
    return ir_op_defs[op->opc].nb_outs == 1;
}

/* One round of liveness + dead code removal; returns true when it removed something. */
static bool dce_pass(IRBuilder *b, bool *dead)
{
    int nops = b->nb_ops, i;
    uint32_t nt = b->nb_temps, W = (nt + WBITS - 1) / WBITS + 1;
    int *bb_first = xmalloc(sizeof(int) * (nops + 1));
    int *label_bb = xmalloc(sizeof(int) * (b->nb_labels + 1));
    int (*succ)[2];
    Word *use, *def, *in, *out, *live;
    int nbb = 0, bb;
    bool changed, removed = false;

    for (i = 0; i < (int)b->nb_labels; i++) {
        label_bb[i] = -1;
    }
    for (i = 0; i < nops; i++) {
        const IROp *op = &b->ops[i];
        bool starts = i == 0 || op->opc == IR_set_label ||
                      (ir_op_defs[b->ops[i - 1].opc].flags & IRF_BB_END);
        if (starts) {
            bb_first[nbb++] = i;
        }
        if (op->opc == IR_set_label && op->args[0] < b->nb_labels) {
            label_bb[op->args[0]] = nbb - 1;
        }
    }
    bb_first[nbb] = nops;

    succ = xmalloc(sizeof(*succ) * (nbb + 1));
    use = xzalloc(sizeof(Word) * W * (nbb + 1));
    def = xzalloc(sizeof(Word) * W * (nbb + 1));
    in = xzalloc(sizeof(Word) * W * (nbb + 1));
    out = xzalloc(sizeof(Word) * W * (nbb + 1));
    live = xzalloc(sizeof(Word) * W);

    for (bb = 0; bb < nbb; bb++) {
        const IROp *last = &b->ops[bb_first[bb + 1] - 1];
        int fall = bb + 1 < nbb ? bb + 1 : -1;
        uint64_t l;

        succ[bb][0] = succ[bb][1] = -1;
        switch (last->opc) {
        case IR_brcond:
            l = last->args[3];
            succ[bb][0] = l < b->nb_labels ? label_bb[l] : -1;
            succ[bb][1] = fall;
            break;
        case IR_br:
            l = last->args[0];
            succ[bb][0] = l < b->nb_labels ? label_bb[l] : -1;
            break;
        case IR_exit_tb:
        case IR_goto_tb:
            break;
        default:
            succ[bb][0] = fall;
            break;
        }
        for (i = bb_first[bb]; i < bb_first[bb + 1]; i++) {
            const IROp *op = &b->ops[i];
            const IROpDef *d = &ir_op_defs[op->opc];
            int k;
            uint32_t t;

            for (k = d->nb_outs; k < d->nb_outs + d->nb_ins; k++) {
                if (temp_of(b, op->args[k], &t) && !bit_get(&def[bb * W], t)) {
                    bit_set(&use[bb * W], t);
                }
            }
            for (k = 0; k < d->nb_outs; k++) {
                if (temp_of(b, op->args[k], &t)) {
                    bit_set(&def[bb * W], t);
                }
            }
        }
    }

    do {
        changed = false;
        for (bb = nbb - 1; bb >= 0; bb--) {
            Word *o = &out[bb * W], *n = &in[bb * W];
            uint32_t w;
            int k;

            for (w = 0; w < W; w++) {
                Word x = 0, y;
                for (k = 0; k < 2; k++) {
                    if (succ[bb][k] >= 0) {
                        x |= in[succ[bb][k] * W + w];
                    }
                }
                o[w] = x;
                y = use[bb * W + w] | (x & ~def[bb * W + w]);
                if (y != n[w]) {
                    n[w] = y;
                    changed = true;
                }
            }
        }
    } while (changed);

    for (bb = 0; bb < nbb; bb++) {
        memcpy(live, &out[bb * W], sizeof(Word) * W);
        for (i = bb_first[bb + 1] - 1; i >= bb_first[bb]; i--) {
            IROp *op = &b->ops[i];
            const IROpDef *d = &ir_op_defs[op->opc];
            int k;
            uint32_t t;
            bool needed = false;

            if (removable(op)) {
                for (k = 0; k < d->nb_outs; k++) {
                    IRVal v = (IRVal)op->args[k];
                    if (v == IR_NONE) {
                        continue;
                    }
                    if (!temp_of(b, v, &t) || bit_get(live, t)) {
                        needed = true;
                    }
                }
                if (!needed) {
                    dead[i] = true;
                    removed = true;
                    continue;
                }
            }
            /* "op t, ...; mov x, t" with t dead afterwards: let op write x directly. */
            if (op->opc == IR_mov && temp_of(b, op->args[1], &t) && !bit_get(live, t) &&
                i > bb_first[bb] && !dead[i - 1] && single_output(&b->ops[i - 1]) &&
                b->ops[i - 1].args[0] == op->args[1]) {
                b->ops[i - 1].args[0] = op->args[0];
                dead[i] = true;
                removed = true;
                continue;
            }
            for (k = 0; k < d->nb_outs; k++) {
                if (temp_of(b, op->args[k], &t)) {
                    bit_clear(live, t);
                }
            }
            for (k = d->nb_outs; k < d->nb_outs + d->nb_ins; k++) {
                if (temp_of(b, op->args[k], &t)) {
                    bit_set(live, t);
                }
            }
        }
    }

    free(bb_first);
    free(label_bb);
    free(succ);
    free(use);
    free(def);
    free(in);
    free(out);
    free(live);
    return removed;
}

/* Does op let the outside see env (so every global must hold its value there)? */
static bool observes_env(const IROp *op)
{
    switch (op->opc) {
    case IR_call: case IR_guest_ld: case IR_guest_st: case IR_ld_env: case IR_st_env:
    case IR_set_label:
        return true;
    default:
        return (ir_op_defs[op->opc].flags & IRF_BB_END) != 0;
    }
}

/* Remove writes to globals that are overwritten before anything reads them (see the
 * header); a backward scan. Returns true when it removed something. */
static bool dse_globals(IRBuilder *b, bool *dead)
{
    unsigned ng = ir_nb_globals();
    Word *later = xzalloc(sizeof(Word) * ((ng + WBITS - 1) / WBITS + 1));
    size_t bytes = sizeof(Word) * ((ng + WBITS - 1) / WBITS + 1);
    bool removed = false;

    for (int i = b->nb_ops - 1; i >= 0; i--) {
        const IROp *op = &b->ops[i];
        const IROpDef *d = &ir_op_defs[op->opc];
        int k;

        if (observes_env(op)) {
            memset(later, 0, bytes);
            continue;
        }
        if (removable(op) && d->nb_outs == 1 && (IRVal)op->args[0] < ng &&
            bit_get(later, (uint32_t)op->args[0])) {
            dead[i] = true;
            removed = true;
            continue;
        }
        /* before the op: what it writes is overwritten, unless it also reads it */
        for (k = 0; k < d->nb_outs; k++) {
            IRVal v = (IRVal)op->args[k];
            if (v != IR_NONE && v < ng) {
                bit_set(later, v);
            }
        }
        for (k = d->nb_outs; k < d->nb_outs + d->nb_ins; k++) {
            IRVal v = (IRVal)op->args[k];
            if (v != IR_NONE && !ir_val_is_const(v) && v < ng) {
                bit_clear(later, v);
            }
        }
    }
    free(later);
    return removed;
}

static void dce_rounds(IRBuilder *b, bool *dead)
{
    for (int round = 0; round < 8; round++) {
        bool removed = dce_pass(b, dead);
        compact(b, dead);
        if (!removed) {
            break;
        }
    }
}

void ir_optimize(IRBuilder *b)
{
    OptState s;
    bool *dead;

    if (b->nb_ops == 0) {
        return;
    }
    memset(&s, 0, sizeof(s));
    s.b = b;
    s.nvals = IR_TEMP_BASE + b->nb_temps;
    s.facts = xzalloc(sizeof(Fact) * s.nvals);
    s.gen = 1;
    dead = xzalloc(sizeof(bool) * b->nb_ops);

    forward_pass(&s, dead);
    compact(b, dead);
    dce_rounds(b, dead);
    if (dse_globals(b, dead)) {
        compact(b, dead);
        dce_rounds(b, dead);
    }

    free(dead);
    free(s.facts);
    free(s.copies);
}

/* SPDX-License-Identifier: MIT */
/*
 * tcg-lite/ir.c — the IR op table, the process-wide globals, the block builder,
 * condition evaluation, the reference semantics of the pure integer ops, and the
 * "-d op" dump.
 *
 * Not here: optimisation (optimize.c) and execution (interp/interp.c). The builder
 * checks operand counts but not operand kinds beyond what it needs to store them.
 */
#include "tcg-lite/ir-internal.h"
#include <pthread.h>

const IROpDef ir_op_defs[IR_NB_OPS] = {
#define IR_OP(name_, outs_, ins_, consts_, flags_) \
    [IR_##name_] = { .name = #name_, .nb_outs = outs_, .nb_ins = ins_, \
                     .nb_consts = consts_, .flags = flags_ },
#include "tcg-lite/ir-ops.def"
#undef IR_OP
};

IRRuntime ir_runtime;

/* ---- globals ---- */

typedef struct IRGlobal {
    ptrdiff_t offset;
    char *name;
} IRGlobal;

static IRGlobal ir_globals[IR_MAX_GLOBALS];
static unsigned ir_globals_count;
static pthread_mutex_t ir_globals_lock = PTHREAD_MUTEX_INITIALIZER;

IRVal ir_global(ptrdiff_t env_offset, const char *name)
{
    IRVal v;
    unsigned i;

    pthread_mutex_lock(&ir_globals_lock);
    /* Registering the same field twice (several CPUs, several test cases) returns
     * the first registration: a global is identified by its env offset. */
    for (i = 0; i < ir_globals_count; i++) {
        if (ir_globals[i].offset == env_offset) {
            pthread_mutex_unlock(&ir_globals_lock);
            return i;
        }
    }
    if (ir_globals_count >= IR_MAX_GLOBALS) {
        fatal("tcg-lite: more than %d IR globals", IR_MAX_GLOBALS);
    }
    v = ir_globals_count;
    ir_globals[v].offset = env_offset;
    ir_globals[v].name = xstrdup(name ? name : "global");
    /* Publish the entry before the count, for readers that do not take the lock. */
    __atomic_store_n(&ir_globals_count, v + 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&ir_globals_lock);
    return v;
}

unsigned ir_nb_globals(void)
{
    return __atomic_load_n(&ir_globals_count, __ATOMIC_ACQUIRE);
}

bool ir_is_global(IRVal v)
{
    return v < IR_MAX_GLOBALS;
}

ptrdiff_t ir_global_offset(IRVal v)
{
    assert(v < ir_nb_globals());
    return ir_globals[v].offset;
}

const char *ir_global_name(IRVal v)
{
    if (v >= ir_nb_globals()) {
        return "?global";
    }
    return ir_globals[v].name;
}

/* ---- conditions ---- */

bool ir_cond_eval(IRCond c, uint64_t a, uint64_t b)
{
    switch (c) {
    case IR_COND_NEVER:
        return false;
    case IR_COND_ALWAYS:
        return true;
    case IR_COND_EQ:
        return a == b;
    case IR_COND_NE:
        return a != b;
    case IR_COND_LT:
        return (int64_t)a < (int64_t)b;
    case IR_COND_GE:
        return (int64_t)a >= (int64_t)b;
    case IR_COND_LE:
        return (int64_t)a <= (int64_t)b;
    case IR_COND_GT:
        return (int64_t)a > (int64_t)b;
    case IR_COND_LTU:
        return a < b;
    case IR_COND_GEU:
        return a >= b;
    case IR_COND_LEU:
        return a <= b;
    case IR_COND_GTU:
        return a > b;
    case IR_COND_TSTEQ:
        return (a & b) == 0;
    case IR_COND_TSTNE:
        return (a & b) != 0;
    }
    fatal("tcg-lite: bad condition %d", (int)c);
}

IRCond ir_cond_invert(IRCond c)
{
    static const IRCond inv[] = {
        [IR_COND_NEVER] = IR_COND_ALWAYS, [IR_COND_ALWAYS] = IR_COND_NEVER,
        [IR_COND_EQ] = IR_COND_NE, [IR_COND_NE] = IR_COND_EQ,
        [IR_COND_LT] = IR_COND_GE, [IR_COND_GE] = IR_COND_LT,
        [IR_COND_LE] = IR_COND_GT, [IR_COND_GT] = IR_COND_LE,
        [IR_COND_LTU] = IR_COND_GEU, [IR_COND_GEU] = IR_COND_LTU,
        [IR_COND_LEU] = IR_COND_GTU, [IR_COND_GTU] = IR_COND_LEU,
        [IR_COND_TSTEQ] = IR_COND_TSTNE, [IR_COND_TSTNE] = IR_COND_TSTEQ,
    };
    assert((unsigned)c < ARRAY_SIZE(inv));
    return inv[c];
}

IRCond ir_cond_swap(IRCond c)
{
    switch (c) {
    case IR_COND_LT:
        return IR_COND_GT;
    case IR_COND_GT:
        return IR_COND_LT;
    case IR_COND_LE:
        return IR_COND_GE;
    case IR_COND_GE:
        return IR_COND_LE;
    case IR_COND_LTU:
        return IR_COND_GTU;
    case IR_COND_GTU:
        return IR_COND_LTU;
    case IR_COND_LEU:
        return IR_COND_GEU;
    case IR_COND_GEU:
        return IR_COND_LEU;
    default:
        return c;   /* symmetric: never, always, eq, ne, tsteq, tstne */
    }
}

/* ---- reference semantics of the pure ops (used by the optimiser's folding) ---- */

bool ir_op_is_foldable(IROpcode opc)
{
    switch (opc) {
    case IR_add: case IR_sub: case IR_mul: case IR_and: case IR_or: case IR_xor:
    case IR_andc: case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
    case IR_not: case IR_neg: case IR_ext8s: case IR_ext8u: case IR_ext16s:
    case IR_ext16u: case IR_ext32s: case IR_ext32u: case IR_bswap16: case IR_bswap32:
    case IR_bswap64:
        return true;
    default:
        return false;
    }
}

uint64_t ir_eval_int(IROpcode opc, uint64_t a, uint64_t b)
{
    unsigned s = b & 63;

    switch (opc) {
    case IR_add:
        return a + b;
    case IR_sub:
        return a - b;
    case IR_mul:
        return a * b;
    case IR_and:
        return a & b;
    case IR_or:
        return a | b;
    case IR_xor:
        return a ^ b;
    case IR_andc:
        return a & ~b;
    case IR_shl:
        return a << s;
    case IR_shr:
        return a >> s;
    case IR_sar:
        return (uint64_t)((int64_t)a >> s);
    case IR_rotl:
        return (a << s) | (a >> ((64 - s) & 63));
    case IR_rotr:
        return (a >> s) | (a << ((64 - s) & 63));
    case IR_not:
        return ~a;
    case IR_neg:
        return -a;
    case IR_ext8s:
        return (uint64_t)(int64_t)(int8_t)a;
    case IR_ext8u:
        return (uint8_t)a;
    case IR_ext16s:
        return (uint64_t)(int64_t)(int16_t)a;
    case IR_ext16u:
        return (uint16_t)a;
    case IR_ext32s:
        return (uint64_t)(int64_t)(int32_t)a;
    case IR_ext32u:
        return (uint32_t)a;
    case IR_bswap16:
        return __builtin_bswap16((uint16_t)a);
    case IR_bswap32:
        return __builtin_bswap32((uint32_t)a);
    case IR_bswap64:
        return __builtin_bswap64(a);
    default:
        fatal("tcg-lite: ir_eval_int on %s", ir_op_defs[opc].name);
    }
}

/* ---- builder ---- */

static void *ir_grow(void *p, uint32_t *cap, uint32_t need, size_t elem)
{
    uint32_t n = *cap ? *cap : 64;

    while (n < need) {
        n *= 2;
    }
    if (n != *cap) {
        p = realloc(p, (size_t)n * elem);
        if (!p) {
            fatal("tcg-lite: out of memory");
        }
        *cap = n;
    }
    return p;
}

IRBuilder *ir_builder_new(void)
{
    IRBuilder *b = xzalloc(sizeof(*b));

    b->gen = 1;
    ir_begin(b);
    return b;
}

void ir_builder_free(IRBuilder *b)
{
    if (!b) {
        return;
    }
    free(b->ops);
    free(b->consts);
    free(b->chash);
    free(b->free_temps);
    free(b->temp_free_flag);
    free(b);
}

void ir_begin(IRBuilder *b)
{
    b->nb_ops = 0;
    b->nb_consts = 0;
    b->nb_temps = 0;
    b->nb_free = 0;
    b->nb_labels = 0;
    /* Invalidate the constant hash without touching it. */
    b->gen++;
    if (b->gen == 0) {
        b->gen = 1;
        if (b->chash) {
            memset(b->chash, 0, sizeof(*b->chash) * b->chash_cap);
        }
    }
}

bool ir_full(const IRBuilder *b)
{
    return b->nb_ops > IR_FULL_OPS || b->nb_temps > IR_FULL_TEMPS ||
           b->nb_consts > (1u << 20);
}

int ir_nb_ops(const IRBuilder *b)
{
    return b->nb_ops;
}

const IROp *ir_ops(const IRBuilder *b)
{
    return b->ops;
}

IRVal ir_temp(IRBuilder *b)
{
    uint32_t t;

    if (b->nb_free) {
        t = b->free_temps[--b->nb_free];
        b->temp_free_flag[t] = 0;
        return IR_TEMP_BASE + t;
    }
    if (b->nb_temps >= IR_TEMP_LIMIT) {
        fatal("tcg-lite: more than %u temps in one block", IR_TEMP_LIMIT);
    }
    t = b->nb_temps++;
    b->temp_free_flag = ir_grow(b->temp_free_flag, &b->cap_temp_flags, b->nb_temps, 1);
    b->temp_free_flag[t] = 0;
    return IR_TEMP_BASE + t;
}

void ir_temp_free(IRBuilder *b, IRVal v)
{
    uint32_t t;

    if (!ir_is_temp(v)) {
        return;
    }
    t = ir_temp_index(v);
    assert(t < b->nb_temps);
    if (b->temp_free_flag[t]) {
        return;
    }
    b->temp_free_flag[t] = 1;
    b->free_temps = ir_grow(b->free_temps, &b->cap_free, b->nb_free + 1, sizeof(uint32_t));
    b->free_temps[b->nb_free++] = t;
}

static inline uint32_t ir_const_hash(uint64_t v, uint32_t cap)
{
    return (uint32_t)((v * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static void ir_const_rehash(IRBuilder *b)
{
    uint32_t cap = b->chash_cap ? b->chash_cap * 2 : 256;
    uint32_t i;

    free(b->chash);
    b->chash = xzalloc(sizeof(*b->chash) * cap);
    b->chash_cap = cap;
    for (i = 0; i < b->nb_consts; i++) {
        uint32_t h = ir_const_hash(b->consts[i], cap);
        while (b->chash[h].gen == b->gen) {
            h = (h + 1) & (cap - 1);
        }
        b->chash[h].gen = b->gen;
        b->chash[h].idx = i;
    }
}

IRVal ir_const(IRBuilder *b, uint64_t v)
{
    uint32_t h, idx;

    if ((b->nb_consts + 1) * 2 > b->chash_cap) {
        ir_const_rehash(b);
    }
    h = ir_const_hash(v, b->chash_cap);
    while (b->chash[h].gen == b->gen) {
        if (b->consts[b->chash[h].idx] == v) {
            return IR_CONST_TAG | b->chash[h].idx;
        }
        h = (h + 1) & (b->chash_cap - 1);
    }
    idx = b->nb_consts++;
    b->consts = ir_grow(b->consts, &b->cap_consts, b->nb_consts, sizeof(uint64_t));
    b->consts[idx] = v;
    b->chash[h].gen = b->gen;
    b->chash[h].idx = idx;
    return IR_CONST_TAG | idx;
}

IRLabel ir_new_label(IRBuilder *b)
{
    return b->nb_labels++;
}

bool ir_is_const(const IRBuilder *b, IRVal v)
{
    return ir_val_is_const(v) && (v & ~IR_CONST_TAG) < b->nb_consts;
}

uint64_t ir_const_value(const IRBuilder *b, IRVal v)
{
    assert(ir_is_const(b, v));
    return b->consts[v & ~IR_CONST_TAG];
}

void ir_emit(IRBuilder *b, IROpcode opc, int nargs, const uint64_t *args)
{
    const IROpDef *def;
    IROp *op;
    uint32_t cap;

    assert((unsigned)opc < IR_NB_OPS);
    def = &ir_op_defs[opc];
    if (nargs != def->nb_outs + def->nb_ins + def->nb_consts || nargs > 8) {
        fatal("tcg-lite: %s emitted with %d args", def->name, nargs);
    }
    cap = b->cap_ops;
    b->ops = ir_grow(b->ops, &cap, b->nb_ops + 1, sizeof(IROp));
    b->cap_ops = cap;
    op = &b->ops[b->nb_ops++];
    memset(op, 0, sizeof(*op));
    op->opc = opc;
    op->nargs = nargs;
    memcpy(op->args, args, sizeof(uint64_t) * nargs);
}

void ir_mov(IRBuilder *b, IRVal d, IRVal a)
{
    uint64_t args[] = { d, a };
    ir_emit(b, IR_mov, 2, args);
}

void ir_movi(IRBuilder *b, IRVal d, uint64_t v)
{
    uint64_t args[] = { d, v };
    ir_emit(b, IR_movi, 2, args);
}

void ir_op2(IRBuilder *b, IROpcode opc, IRVal d, IRVal a)
{
    uint64_t args[] = { d, a };
    ir_emit(b, opc, 2, args);
}

void ir_op3(IRBuilder *b, IROpcode opc, IRVal d, IRVal a, IRVal c)
{
    uint64_t args[] = { d, a, c };
    ir_emit(b, opc, 3, args);
}

void ir_mul2(IRBuilder *b, IROpcode opc, IRVal lo, IRVal hi, IRVal a, IRVal c)
{
    uint64_t args[] = { lo, hi, a, c };
    ir_emit(b, opc, 4, args);
}

void ir_setcond(IRBuilder *b, IRCond cond, IRVal d, IRVal a, IRVal c)
{
    uint64_t args[] = { d, a, c, cond };
    ir_emit(b, IR_setcond, 4, args);
}

void ir_movcond(IRBuilder *b, IRCond cond, IRVal d, IRVal a, IRVal c, IRVal vtrue, IRVal vfalse)
{
    uint64_t args[] = { d, a, c, vtrue, vfalse, cond };
    ir_emit(b, IR_movcond, 6, args);
}

void ir_brcond(IRBuilder *b, IRCond cond, IRVal a, IRVal c, IRLabel l)
{
    uint64_t args[] = { a, c, cond, l };
    assert(l < b->nb_labels);
    ir_emit(b, IR_brcond, 4, args);
}

void ir_br(IRBuilder *b, IRLabel l)
{
    uint64_t args[] = { l };
    assert(l < b->nb_labels);
    ir_emit(b, IR_br, 1, args);
}

void ir_set_label(IRBuilder *b, IRLabel l)
{
    uint64_t args[] = { l };
    assert(l < b->nb_labels);
    ir_emit(b, IR_set_label, 1, args);
}

void ir_ld_env(IRBuilder *b, IRVal d, ptrdiff_t off, unsigned memop)
{
    uint64_t args[] = { d, (uint64_t)off, memop };
    ir_emit(b, IR_ld_env, 3, args);
}

void ir_st_env(IRBuilder *b, IRVal a, ptrdiff_t off, unsigned memop)
{
    uint64_t args[] = { a, (uint64_t)off, memop };
    ir_emit(b, IR_st_env, 3, args);
}

void ir_guest_ld(IRBuilder *b, IRVal d, IRVal addr, unsigned memop, unsigned mmu_idx)
{
    uint64_t args[] = { d, addr, memop, mmu_idx };
    assert(mmu_idx < 4);
    ir_emit(b, IR_guest_ld, 4, args);
}

void ir_guest_st(IRBuilder *b, IRVal val, IRVal addr, unsigned memop, unsigned mmu_idx)
{
    uint64_t args[] = { val, addr, memop, mmu_idx };
    assert(mmu_idx < 4);
    ir_emit(b, IR_guest_st, 4, args);
}

void ir_call(IRBuilder *b, IRVal ret, IRHelper fn, unsigned callflags,
             IRVal a0, IRVal a1, IRVal a2, IRVal a3)
{
    unsigned n = a3 != IR_NONE ? 4 : a2 != IR_NONE ? 3 : a1 != IR_NONE ? 2 : a0 != IR_NONE ? 1 : 0;
    uint64_t args[] = { ret, a0, a1, a2, a3, (uint64_t)(uintptr_t)fn, n, callflags };
    ir_emit(b, IR_call, 8, args);
}

void ir_insn_start(IRBuilder *b, uint64_t pc)
{
    uint64_t args[] = { pc };
    ir_emit(b, IR_insn_start, 1, args);
}

void ir_goto_tb(IRBuilder *b, unsigned slot)
{
    uint64_t args[] = { slot };
    assert(slot < 2);
    ir_emit(b, IR_goto_tb, 1, args);
}

void ir_exit_tb(IRBuilder *b, unsigned value)
{
    uint64_t args[] = { value };
    assert(value < 8);
    ir_emit(b, IR_exit_tb, 1, args);
}

/* ---- dump ---- */

static const char *const ir_cond_names[] = {
    [IR_COND_NEVER] = "never", [IR_COND_ALWAYS] = "always",
    [IR_COND_EQ] = "eq", [IR_COND_NE] = "ne",
    [IR_COND_LT] = "lt", [IR_COND_GE] = "ge", [IR_COND_LE] = "le", [IR_COND_GT] = "gt",
    [IR_COND_LTU] = "ltu", [IR_COND_GEU] = "geu", [IR_COND_LEU] = "leu", [IR_COND_GTU] = "gtu",
    [IR_COND_TSTEQ] = "tsteq", [IR_COND_TSTNE] = "tstne",
};

static const char *ir_cond_name(uint64_t c)
{
    return c < ARRAY_SIZE(ir_cond_names) ? ir_cond_names[c] : "?cond";
}

static const char *ir_memop_name(uint64_t mo)
{
    static const char *const names[] = { "ub", "uw", "ul", "uq", "sb", "sw", "sl", "sq" };
    return names[mo & 7];
}

static void ir_dump_val(const IRBuilder *b, FILE *f, IRVal v)
{
    if (v == IR_NONE) {
        fputs("_", f);
    } else if (ir_is_global(v)) {
        fputs(ir_global_name(v), f);
    } else if (ir_is_const(b, v)) {
        fprintf(f, "$0x%" PRIx64, ir_const_value(b, v));
    } else if (ir_is_temp(v)) {
        fprintf(f, "tmp%u", ir_temp_index(v));
    } else {
        fprintf(f, "?val%#x", v);
    }
}

static void ir_dump_file(const IRBuilder *b, FILE *f);

void ir_dump(const IRBuilder *b, FILE *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m;

    if (f) {
        ir_dump_file(b, f);
        return;
    }
    /* NULL: the -d log, in one piece so that other threads' lines do not interleave. */
    m = open_memstream(&buf, &len);
    if (!m) {
        ir_dump_file(b, stderr);
        return;
    }
    ir_dump_file(b, m);
    fclose(m);
    log_printf("%s", buf);
    free(buf);
}

static void ir_dump_file(const IRBuilder *b, FILE *f)
{
    int i;

    for (i = 0; i < b->nb_ops; i++) {
        const IROp *op = &b->ops[i];
        const IROpDef *def = &ir_op_defs[op->opc];
        int nv = def->nb_outs + def->nb_ins;
        const uint64_t *c = &op->args[nv];
        int k;
        bool first = true;

        if (op->opc == IR_set_label) {
            fprintf(f, "L%" PRIu64 ":\n", c[0]);
            continue;
        }
        if (op->opc == IR_insn_start) {
            fprintf(f, " ---- insn_start 0x%" PRIx64 "\n", c[0]);
            continue;
        }
        fprintf(f, " %-10s ", def->name);
        for (k = 0; k < nv; k++) {
            if (op->opc == IR_call && k > 0 && (uint64_t)(k - 1) >= c[1] &&
                op->args[k] == IR_NONE) {
                continue;
            }
            if (!first) {
                fputs(", ", f);
            }
            first = false;
            ir_dump_val(b, f, (IRVal)op->args[k]);
        }
#define SEP() do { if (!first) { fputs(", ", f); } first = false; } while (0)
        switch (op->opc) {
        case IR_movi:
            SEP();
            fprintf(f, "$0x%" PRIx64, c[0]);
            break;
        case IR_setcond:
        case IR_movcond:
            SEP();
            fputs(ir_cond_name(c[0]), f);
            break;
        case IR_brcond:
            SEP();
            fprintf(f, "%s, L%" PRIu64, ir_cond_name(c[0]), c[1]);
            break;
        case IR_br:
            SEP();
            fprintf(f, "L%" PRIu64, c[0]);
            break;
        case IR_ld_env:
        case IR_st_env:
            SEP();
            fprintf(f, "env+0x%" PRIx64 ", %s", c[0], ir_memop_name(c[1]));
            break;
        case IR_guest_ld:
        case IR_guest_st:
            SEP();
            fprintf(f, "%s, mmu%" PRIu64, ir_memop_name(c[0]), c[1]);
            break;
        case IR_call:
            SEP();
            fprintf(f, "fn=%p, nargs=%" PRIu64 ", flags=%#" PRIx64,
                    (void *)(uintptr_t)c[0], c[1], c[2]);
            break;
        default:
            for (k = 0; k < def->nb_consts; k++) {
                SEP();
                fprintf(f, "$0x%" PRIx64, c[k]);
            }
            break;
        }
#undef SEP
        fputc('\n', f);
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * tcg-lite/interp/interp.c — the IR interpreter backend: ir_compile() turns a block
 * into a pre-decoded array of 32-byte instructions, ir_exec() runs it (and the blocks
 * chained to it) with a computed-goto dispatch loop.
 *
 * Decoding happens once, at compile: every value operand becomes a byte offset from
 * env (globals in place, temps in the frame at ir_runtime.frame_offset, after slot
 * allocation so that temps with disjoint lifetimes share a slot), constant second
 * operands select "reg-imm" variants, conditions and memops select specialised
 * handlers, labels become instruction pointers. The guest_ld/guest_st handlers carry
 * the softmmu TLB fast path inline.
 *
 * Not here: any optimisation of the IR (optimize.c), statistics, or code caching
 * (accel/tcg owns IRCode lifetimes and must not free a block while it runs).
 * The loop keeps no state outside its locals, so a helper or slow path may longjmp
 * out of ir_exec() at any point.
 */
#include "tcg-lite/ir-internal.h"
#include "tcg-lite/softmmu.h"
#include <pthread.h>

/* One pre-decoded instruction. Calls take two (the second holds the four args). */
typedef union Insn {
    struct {
        const void *h;        /* handler (label address in interp_loop) */
        int32_t d, a, b, c;   /* env offsets, or small operands (see each kind) */
        uint64_t imm;         /* immediate, env offset, target Insn *, fn ... */
    };
    uint64_t w[4];
} Insn;

_Static_assert(sizeof(Insn) == 32, "Insn layout");

struct IRCode {
    IRCode *chain[2];         /* goto_tb targets, accessed atomically */
    void *opaque;
    uint32_t nb_insns;
    uint32_t frame_slots;
    Insn insns[];
};

/* ---- the instruction kinds ---- */

#define BIN_OPS(X) X(add) X(sub) X(mul) X(and) X(or) X(xor) X(andc) \
                   X(shl) X(shr) X(sar) X(rotl) X(rotr)
#define UN_OPS(X) X(not) X(neg) X(ext8s) X(ext8u) X(ext16s) X(ext16u) X(ext32s) \
                  X(ext32u) X(bswap16) X(bswap32) X(bswap64)
/* In IRCond order, starting at IR_COND_EQ. */
#define CONDS(X) X(eq) X(ne) X(lt) X(ge) X(le) X(gt) X(ltu) X(geu) X(leu) X(gtu) \
                 X(tsteq) X(tstne)
/* In memop order (MO_8 .. MO_SL). */
#define LD_OPS(X) X(ub) X(uw) X(ul) X(uq) X(sb) X(sw) X(sl)
#define ST_OPS(X) X(b) X(w) X(l) X(q)

enum {
    K_movi, K_mov, K_mulu2, K_muls2, K_br, K_call, K_insn_start, K_goto_tb, K_exit_tb,
#define X(n) K_##n##_rr, K_##n##_ri,
    BIN_OPS(X)
#undef X
#define X(n) K_##n,
    UN_OPS(X)
#undef X
#define X(c) K_setcond_rr_##c, K_setcond_ri_##c, K_brcond_rr_##c, K_brcond_ri_##c, K_movcond_##c,
    CONDS(X)
#undef X
#define X(m) K_ldenv_##m, K_gld_##m,
    LD_OPS(X)
#undef X
#define X(s) K_stenv_##s, K_gst_##s,
    ST_OPS(X)
#undef X
    K_NB
};

#define K_COND_STRIDE (K_setcond_rr_ne - K_setcond_rr_eq)
#define K_LD_STRIDE (K_ldenv_uw - K_ldenv_ub)
#define K_ST_STRIDE (K_stenv_w - K_stenv_b)

/* Operation bodies, shared by the rr and ri variants. */
#define B_add(x, y) ((x) + (y))
#define B_sub(x, y) ((x) - (y))
#define B_mul(x, y) ((x) * (y))
#define B_and(x, y) ((x) & (y))
#define B_or(x, y) ((x) | (y))
#define B_xor(x, y) ((x) ^ (y))
#define B_andc(x, y) ((x) & ~(y))
#define B_shl(x, y) ((x) << ((y) & 63))
#define B_shr(x, y) ((x) >> ((y) & 63))
#define B_sar(x, y) ((uint64_t)((int64_t)(x) >> ((y) & 63)))
#define B_rotl(x, y) (((x) << ((y) & 63)) | ((x) >> ((64 - ((y) & 63)) & 63)))
#define B_rotr(x, y) (((x) >> ((y) & 63)) | ((x) << ((64 - ((y) & 63)) & 63)))

#define U_not(x) (~(x))
#define U_neg(x) (-(x))
#define U_ext8s(x) ((uint64_t)(int64_t)(int8_t)(x))
#define U_ext8u(x) ((uint64_t)(uint8_t)(x))
#define U_ext16s(x) ((uint64_t)(int64_t)(int16_t)(x))
#define U_ext16u(x) ((uint64_t)(uint16_t)(x))
#define U_ext32s(x) ((uint64_t)(int64_t)(int32_t)(x))
#define U_ext32u(x) ((uint64_t)(uint32_t)(x))
#define U_bswap16(x) ((uint64_t)__builtin_bswap16((uint16_t)(x)))
#define U_bswap32(x) ((uint64_t)__builtin_bswap32((uint32_t)(x)))
#define U_bswap64(x) (__builtin_bswap64(x))

#define C_eq(x, y) ((x) == (y))
#define C_ne(x, y) ((x) != (y))
#define C_lt(x, y) ((int64_t)(x) < (int64_t)(y))
#define C_ge(x, y) ((int64_t)(x) >= (int64_t)(y))
#define C_le(x, y) ((int64_t)(x) <= (int64_t)(y))
#define C_gt(x, y) ((int64_t)(x) > (int64_t)(y))
#define C_ltu(x, y) ((x) < (y))
#define C_geu(x, y) ((x) >= (y))
#define C_leu(x, y) ((x) <= (y))
#define C_gtu(x, y) ((x) > (y))
#define C_tsteq(x, y) (((x) & (y)) == 0)
#define C_tstne(x, y) (((x) & (y)) != 0)

/* Sized memory accesses on a little-endian host. */
#define M_ub(p) ((uint64_t)*(const uint8_t *)(p))
#define M_uw(p) ({ uint16_t m_; memcpy(&m_, (p), 2); (uint64_t)m_; })
#define M_ul(p) ({ uint32_t m_; memcpy(&m_, (p), 4); (uint64_t)m_; })
#define M_uq(p) ({ uint64_t m_; memcpy(&m_, (p), 8); m_; })
#define M_sb(p) ((uint64_t)(int64_t)*(const int8_t *)(p))
#define M_sw(p) ({ int16_t m_; memcpy(&m_, (p), 2); (uint64_t)(int64_t)m_; })
#define M_sl(p) ({ int32_t m_; memcpy(&m_, (p), 4); (uint64_t)(int64_t)m_; })
#define X_ub(v) ((uint64_t)(uint8_t)(v))
#define X_uw(v) ((uint64_t)(uint16_t)(v))
#define X_ul(v) ((uint64_t)(uint32_t)(v))
#define X_uq(v) (v)
#define X_sb(v) ((uint64_t)(int64_t)(int8_t)(v))
#define X_sw(v) ((uint64_t)(int64_t)(int16_t)(v))
#define X_sl(v) ((uint64_t)(int64_t)(int32_t)(v))
#define SZ_ub 1
#define SZ_uw 2
#define SZ_ul 4
#define SZ_uq 8
#define SZ_sb 1
#define SZ_sw 2
#define SZ_sl 4
#define S_b(p, v) do { uint8_t s_ = (v); memcpy((p), &s_, 1); } while (0)
#define S_w(p, v) do { uint16_t s_ = (v); memcpy((p), &s_, 2); } while (0)
#define S_l(p, v) do { uint32_t s_ = (v); memcpy((p), &s_, 4); } while (0)
#define S_q(p, v) do { uint64_t s_ = (v); memcpy((p), &s_, 8); } while (0)
#define SZ_b 1
#define SZ_w 2
#define SZ_l 4
#define SZ_q 8

#define PAGE_SIZE_ ((uint64_t)1 << IR_PAGE_BITS)
#define PAGE_MASK_ (~(PAGE_SIZE_ - 1))

typedef uint64_t __attribute__((may_alias)) u64_alias;

/*
 * The dispatch loop. Called once with `export` set to publish the handler table
 * (label addresses exist only inside this function); it must never be inlined or
 * cloned, or the published addresses would belong to another copy.
 */
#ifdef __clang__
#define INTERP_NOINLINE __attribute__((noinline))
#else
#define INTERP_NOINLINE __attribute__((noinline, noclone))
#endif

static INTERP_NOINLINE
uintptr_t interp_loop(void *env, IRCode *code, const void *const **export)
{
    static const void *const tab[K_NB] = {
        [K_movi] = &&L_movi, [K_mov] = &&L_mov,
        [K_mulu2] = &&L_mulu2, [K_muls2] = &&L_muls2,
        [K_br] = &&L_br, [K_call] = &&L_call, [K_insn_start] = &&L_insn_start,
        [K_goto_tb] = &&L_goto_tb, [K_exit_tb] = &&L_exit_tb,
#define X(n) [K_##n##_rr] = &&L_##n##_rr, [K_##n##_ri] = &&L_##n##_ri,
        BIN_OPS(X)
#undef X
#define X(n) [K_##n] = &&L_##n,
        UN_OPS(X)
#undef X
#define X(c) [K_setcond_rr_##c] = &&L_setcond_rr_##c, [K_setcond_ri_##c] = &&L_setcond_ri_##c, \
             [K_brcond_rr_##c] = &&L_brcond_rr_##c, [K_brcond_ri_##c] = &&L_brcond_ri_##c, \
             [K_movcond_##c] = &&L_movcond_##c,
        CONDS(X)
#undef X
#define X(m) [K_ldenv_##m] = &&L_ldenv_##m, [K_gld_##m] = &&L_gld_##m,
        LD_OPS(X)
#undef X
#define X(s) [K_stenv_##s] = &&L_stenv_##s, [K_gst_##s] = &&L_gst_##s,
        ST_OPS(X)
#undef X
    };
    char *const e = env;
    const int32_t *exit_req;
    u64_alias *insn_pc;
    const char *tlb;
    IRCode *cur = code;
    const Insn *ip;

    if (unlikely(export != NULL)) {
        *export = tab;
        return 0;
    }
    exit_req = (const int32_t *)(e + ir_runtime.exit_request_offset);
    insn_pc = (u64_alias *)(e + ir_runtime.insn_pc_offset);
    tlb = e + ir_runtime.tlb_offset;

#define R(off) (*(u64_alias *)(e + (ptrdiff_t)(off)))
#define DISPATCH() goto *ip->h
#define NEXT() do { ip++; DISPATCH(); } while (0)

enter:
    if (unlikely(__atomic_load_n(exit_req, __ATOMIC_RELAXED) != 0)) {
        return (uintptr_t)cur | IR_EXIT_REQUESTED;
    }
    ip = cur->insns;
    DISPATCH();

L_movi:
    R(ip->d) = ip->imm;
    NEXT();
L_mov:
    R(ip->d) = R(ip->a);
    NEXT();

#define X(n) \
L_##n##_rr: { \
        uint64_t x_ = R(ip->a), y_ = R(ip->b); \
        R(ip->d) = B_##n(x_, y_); \
        NEXT(); \
    } \
L_##n##_ri: { \
        uint64_t x_ = R(ip->a), y_ = ip->imm; \
        R(ip->d) = B_##n(x_, y_); \
        NEXT(); \
    }
    BIN_OPS(X)
#undef X

#define X(n) \
L_##n: { \
        uint64_t x_ = R(ip->a); \
        R(ip->d) = U_##n(x_); \
        NEXT(); \
    }
    UN_OPS(X)
#undef X

L_mulu2: {
        unsigned __int128 p = (unsigned __int128)R(ip->a) * R(ip->b);
        R(ip->d) = (uint64_t)p;
        R(ip->c) = (uint64_t)(p >> 64);
        NEXT();
    }
L_muls2: {
        __int128 p = (__int128)(int64_t)R(ip->a) * (int64_t)R(ip->b);
        R(ip->d) = (uint64_t)p;
        R(ip->c) = (uint64_t)((unsigned __int128)p >> 64);
        NEXT();
    }

#define X(cc) \
L_setcond_rr_##cc: { \
        uint64_t x_ = R(ip->a), y_ = R(ip->b); \
        R(ip->d) = C_##cc(x_, y_); \
        NEXT(); \
    } \
L_setcond_ri_##cc: { \
        uint64_t x_ = R(ip->a), y_ = ip->imm; \
        R(ip->d) = C_##cc(x_, y_); \
        NEXT(); \
    } \
L_brcond_rr_##cc: { \
        uint64_t x_ = R(ip->a), y_ = R(ip->b); \
        if (C_##cc(x_, y_)) { \
            ip = (const Insn *)(uintptr_t)ip->imm; \
            DISPATCH(); \
        } \
        NEXT(); \
    } \
L_brcond_ri_##cc: { \
        uint64_t x_ = R(ip->a), y_ = (uint64_t)(int64_t)ip->b; \
        if (C_##cc(x_, y_)) { \
            ip = (const Insn *)(uintptr_t)ip->imm; \
            DISPATCH(); \
        } \
        NEXT(); \
    } \
L_movcond_##cc: { \
        uint64_t x_ = R(ip->a), y_ = R(ip->b); \
        R(ip->d) = C_##cc(x_, y_) ? R(ip->c) : R((int64_t)ip->imm); \
        NEXT(); \
    }
    CONDS(X)
#undef X

L_br:
    ip = (const Insn *)(uintptr_t)ip->imm;
    DISPATCH();

    /* ld_env: d = *(env + imm). st_env: *(env + imm) = a. */
#define X(m) \
L_ldenv_##m: \
    R(ip->d) = M_##m(e + (int64_t)ip->imm); \
    NEXT(); \
L_gld_##m: { \
        uint64_t addr_ = R(ip->a), v_; \
        const TLBEntry *te_ = (const TLBEntry *)(tlb + ip->b) + tlb_index(addr_); \
        if (likely(te_->addr_read == (addr_ & PAGE_MASK_) && \
                   (addr_ & ~PAGE_MASK_) <= PAGE_SIZE_ - SZ_##m)) { \
            v_ = M_##m((const void *)(uintptr_t)(addr_ + te_->addend)); \
        } else { \
            v_ = X_##m(ir_runtime.ld_slow(env, addr_, (unsigned)ip->c, (unsigned)ip->imm)); \
        } \
        R(ip->d) = v_; \
        NEXT(); \
    }
    LD_OPS(X)
#undef X

    /* guest_st: a = value, b = address, c = TLB table offset, d = memop, imm = mmu_idx. */
#define X(s) \
L_stenv_##s: \
    S_##s(e + (int64_t)ip->imm, R(ip->a)); \
    NEXT(); \
L_gst_##s: { \
        uint64_t val_ = R(ip->a), addr_ = R(ip->b); \
        const TLBEntry *te_ = (const TLBEntry *)(tlb + ip->c) + tlb_index(addr_); \
        if (likely(te_->addr_write == (addr_ & PAGE_MASK_) && \
                   (addr_ & ~PAGE_MASK_) <= PAGE_SIZE_ - SZ_##s)) { \
            S_##s((void *)(uintptr_t)(addr_ + te_->addend), val_); \
        } else { \
            ir_runtime.st_slow(env, addr_, val_, (unsigned)ip->d, (unsigned)ip->imm); \
        } \
        NEXT(); \
    }
    ST_OPS(X)
#undef X

    /* call: a = mask of constant args, c = has a result, d = result offset,
     * imm = fn; the next Insn's words are the args (constant or env offset). */
L_call: {
        const Insn *args = ip + 1;
        unsigned m = ip->a;
        uint64_t a0 = (m & 1) ? args->w[0] : R(args->w[0]);
        uint64_t a1 = (m & 2) ? args->w[1] : R(args->w[1]);
        uint64_t a2 = (m & 4) ? args->w[2] : R(args->w[2]);
        uint64_t a3 = (m & 8) ? args->w[3] : R(args->w[3]);
        uint64_t r = ((IRHelper)(uintptr_t)ip->imm)(env, a0, a1, a2, a3);
        if (ip->c) {
            R(ip->d) = r;
        }
        ip += 2;
        DISPATCH();
    }

L_insn_start:
    *insn_pc = ip->imm;
    NEXT();

L_goto_tb: {
        IRCode *next = __atomic_load_n(&cur->chain[ip->imm], __ATOMIC_ACQUIRE);
        if (next == NULL) {
            return (uintptr_t)cur | (uintptr_t)ip->imm;
        }
        cur = next;
        goto enter;
    }

L_exit_tb:
    return (uintptr_t)cur | (uintptr_t)ip->imm;

#undef R
#undef DISPATCH
#undef NEXT
}

static const void *const *interp_tab;
static pthread_once_t interp_once = PTHREAD_ONCE_INIT;

static void interp_init(void)
{
    const void *const *t = NULL;
    unsigned i;

    interp_loop(NULL, NULL, &t);
    for (i = 0; i < K_NB; i++) {
        if (t[i] == NULL) {
            fatal("tcg-lite: interpreter handler %u missing", i);
        }
    }
    interp_tab = t;
}

uintptr_t ir_exec(void *env, IRCode *code)
{
    return interp_loop(env, code, NULL);
}

/* ---- temp slot allocation ---- */

/*
 * Give each temp a frame slot; temps whose lifetimes do not overlap share one.
 * A lifetime is the span from the first to the last op that names the temp, widened
 * to cover every loop (backward branch .. its label) it overlaps, because a value may
 * flow around the loop. Returns the number of slots; slot[t] = -1 for unused temps.
 */
static uint32_t alloc_slots(const IRBuilder *b, int32_t *slot)
{
    uint32_t nt = b->nb_temps, nops = b->nb_ops;
    int32_t *start = xmalloc(sizeof(int32_t) * (nt + 1));
    int32_t *end = xmalloc(sizeof(int32_t) * (nt + 1));
    int32_t *label_at = xmalloc(sizeof(int32_t) * (b->nb_labels + 1));
    int32_t *next_s = xmalloc(sizeof(int32_t) * (nt + 1));
    int32_t *next_e = xmalloc(sizeof(int32_t) * (nt + 1));
    int32_t *head_s = xmalloc(sizeof(int32_t) * (nops + 1));
    int32_t *head_e = xmalloc(sizeof(int32_t) * (nops + 1));
    int32_t *free_slots = xmalloc(sizeof(int32_t) * (nt + 1));
    int32_t (*loops)[2] = NULL;
    uint32_t nloops = 0, cap_loops = 0, nfree = 0, nslots = 0, i, t;
    bool changed;

    for (t = 0; t < nt; t++) {
        start[t] = end[t] = -1;
        slot[t] = -1;
    }
    for (i = 0; i < b->nb_labels; i++) {
        label_at[i] = -1;
    }
    for (i = 0; i < nops; i++) {
        const IROp *op = &b->ops[i];
        const IROpDef *def = &ir_op_defs[op->opc];
        int k, nv = def->nb_outs + def->nb_ins;

        for (k = 0; k < nv; k++) {
            IRVal v = (IRVal)op->args[k];
            if (ir_is_temp(v)) {
                t = ir_temp_index(v);
                assert(t < nt);
                if (start[t] < 0) {
                    start[t] = i;
                }
                end[t] = i;
            }
        }
        if (op->opc == IR_set_label) {
            label_at[op->args[0]] = i;
        }
    }
    for (i = 0; i < nops; i++) {
        const IROp *op = &b->ops[i];
        uint64_t l;

        if (op->opc == IR_br) {
            l = op->args[0];
        } else if (op->opc == IR_brcond) {
            l = op->args[3];
        } else {
            continue;
        }
        if (l < b->nb_labels && label_at[l] >= 0 && (uint32_t)label_at[l] <= i) {
            if (nloops == cap_loops) {
                cap_loops = cap_loops ? cap_loops * 2 : 8;
                loops = realloc(loops, sizeof(*loops) * cap_loops);
                if (!loops) {
                    fatal("tcg-lite: out of memory");
                }
            }
            loops[nloops][0] = label_at[l];
            loops[nloops][1] = i;
            nloops++;
        }
    }
    do {
        changed = false;
        for (i = 0; i < nloops; i++) {
            int32_t s = loops[i][0], q = loops[i][1];
            for (t = 0; t < nt; t++) {
                if (start[t] < 0 || start[t] > q || end[t] < s) {
                    continue;
                }
                if (start[t] > s || end[t] < q) {
                    start[t] = MIN(start[t], s);
                    end[t] = MAX(end[t], q);
                    changed = true;
                }
            }
        }
    } while (changed);

    for (i = 0; i < nops; i++) {
        head_s[i] = head_e[i] = -1;
    }
    for (t = nt; t-- > 0;) {
        if (start[t] >= 0) {
            next_s[t] = head_s[start[t]];
            head_s[start[t]] = t;
            next_e[t] = head_e[end[t]];
            head_e[end[t]] = t;
        }
    }
    for (i = 0; i < nops; i++) {
        int32_t u;
        for (u = head_s[i]; u >= 0; u = next_s[u]) {
            slot[u] = nfree ? free_slots[--nfree] : (int32_t)nslots++;
        }
        for (u = head_e[i]; u >= 0; u = next_e[u]) {
            free_slots[nfree++] = slot[u];
        }
    }

    free(start);
    free(end);
    free(label_at);
    free(next_s);
    free(next_e);
    free(head_s);
    free(head_e);
    free(free_slots);
    free(loops);
    return nslots;
}

/* ---- compilation ---- */

#define NB_SCRATCH 4

typedef struct Compiler {
    const IRBuilder *b;
    const void *const *tab;
    Insn *insns;
    uint32_t n, cap;
    int32_t *slot_off;          /* per temp: env offset of its slot */
    int32_t scratch_off[NB_SCRATCH];
    int nscratch;               /* scratch slots used by the current op */
    int32_t *label_pos;         /* per label: Insn index, -1 until placed */
    uint32_t (*fix)[2];         /* branch Insn index, label */
    uint32_t nfix, cap_fix;
} Compiler;

static int32_t env_offset32(ptrdiff_t off)
{
    if (off < INT32_MIN || off > INT32_MAX) {
        fatal("tcg-lite: env offset %td out of range", off);
    }
    return (int32_t)off;
}

static Insn *emit(Compiler *c, unsigned kind)
{
    Insn *in;

    if (c->n + 1 > c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->insns = realloc(c->insns, sizeof(Insn) * c->cap);
        if (!c->insns) {
            fatal("tcg-lite: out of memory");
        }
    }
    in = &c->insns[c->n++];
    memset(in, 0, sizeof(*in));
    in->h = c->tab[kind];
    return in;
}

static bool val_const(const Compiler *c, IRVal v, uint64_t *out)
{
    if (ir_val_is_const(v)) {
        *out = ir_const_value(c->b, v);
        return true;
    }
    return false;
}

/* Env offset of a global or temp (not a constant). */
static int32_t val_off(const Compiler *c, IRVal v)
{
    if (ir_is_global(v)) {
        return env_offset32(ir_global_offset(v));
    }
    if (ir_is_temp(v) && ir_temp_index(v) < c->b->nb_temps) {
        return c->slot_off[ir_temp_index(v)];
    }
    fatal("tcg-lite: bad IR value %#x where a variable is needed", v);
}

/* An input that must live in env: constants are first stored to a scratch slot. */
static int32_t val_in(Compiler *c, IRVal v)
{
    uint64_t k;

    if (val_const(c, v, &k)) {
        Insn *in;
        int32_t off;

        assert(c->nscratch < NB_SCRATCH);
        off = c->scratch_off[c->nscratch++];
        in = emit(c, K_movi);
        in->d = off;
        in->imm = k;
        return off;
    }
    return val_off(c, v);
}

static void emit_movi(Compiler *c, int32_t d, uint64_t k)
{
    Insn *in = emit(c, K_movi);
    in->d = d;
    in->imm = k;
}

static void emit_mov_val(Compiler *c, int32_t d, IRVal a)
{
    uint64_t k;

    if (val_const(c, a, &k)) {
        emit_movi(c, d, k);
    } else {
        int32_t s = val_off(c, a);
        if (s != d) {
            Insn *in = emit(c, K_mov);
            in->d = d;
            in->a = s;
        }
    }
}

static void add_fixup(Compiler *c, uint64_t label)
{
    if (label >= c->b->nb_labels) {
        fatal("tcg-lite: branch to unknown label %" PRIu64, label);
    }
    if (c->nfix == c->cap_fix) {
        c->cap_fix = c->cap_fix ? c->cap_fix * 2 : 16;
        c->fix = realloc(c->fix, sizeof(*c->fix) * c->cap_fix);
        if (!c->fix) {
            fatal("tcg-lite: out of memory");
        }
    }
    c->fix[c->nfix][0] = c->n - 1;
    c->fix[c->nfix][1] = (uint32_t)label;
    c->nfix++;
}

static bool commutative(IROpcode opc)
{
    return opc == IR_add || opc == IR_mul || opc == IR_and || opc == IR_or || opc == IR_xor;
}

static unsigned bin_kind(IROpcode opc, bool ri)
{
    unsigned k;

    switch (opc) {
#define X(n) case IR_##n: k = K_##n##_rr; break;
    BIN_OPS(X)
#undef X
    default:
        abort();
    }
    return k + (ri ? 1 : 0);
}

static unsigned un_kind(IROpcode opc)
{
    switch (opc) {
#define X(n) case IR_##n: return K_##n;
    UN_OPS(X)
#undef X
    default:
        abort();
    }
}

static unsigned cond_kind(unsigned base, IRCond cond)
{
    assert(cond >= IR_COND_EQ && cond <= IR_COND_TSTNE);
    return base + (cond - IR_COND_EQ) * K_COND_STRIDE;
}

static void compile_op(Compiler *c, const IROp *op)
{
    const uint64_t *a = op->args;
    uint64_t k1, k2;
    Insn *in;

    c->nscratch = 0;
    switch ((IROpcode)op->opc) {
    case IR_mov:
        emit_mov_val(c, val_off(c, a[0]), a[1]);
        break;
    case IR_movi:
        emit_movi(c, val_off(c, a[0]), a[1]);
        break;
    case IR_add: case IR_sub: case IR_mul: case IR_and: case IR_or: case IR_xor:
    case IR_andc: case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr: {
        int32_t d = val_off(c, a[0]);
        bool c1 = val_const(c, a[1], &k1), c2 = val_const(c, a[2], &k2);
        int32_t s;

        if (c1 && c2) {
            emit_movi(c, d, ir_eval_int(op->opc, k1, k2));
        } else if (c2) {
            s = val_off(c, a[1]);
            in = emit(c, bin_kind(op->opc, true));
            in->d = d;
            in->a = s;
            in->imm = k2;
        } else if (c1 && commutative(op->opc)) {
            s = val_off(c, a[2]);
            in = emit(c, bin_kind(op->opc, true));
            in->d = d;
            in->a = s;
            in->imm = k1;
        } else {
            int32_t x = val_in(c, a[1]), y = val_off(c, a[2]);
            in = emit(c, bin_kind(op->opc, false));
            in->d = d;
            in->a = x;
            in->b = y;
        }
        break;
    }
    case IR_not: case IR_neg: case IR_ext8s: case IR_ext8u: case IR_ext16s:
    case IR_ext16u: case IR_ext32s: case IR_ext32u: case IR_bswap16: case IR_bswap32:
    case IR_bswap64: {
        int32_t d = val_off(c, a[0]);
        if (val_const(c, a[1], &k1)) {
            emit_movi(c, d, ir_eval_int(op->opc, k1, 0));
        } else {
            int32_t x = val_off(c, a[1]);
            in = emit(c, un_kind(op->opc));
            in->d = d;
            in->a = x;
        }
        break;
    }
    case IR_mulu2:
    case IR_muls2: {
        int32_t lo = val_off(c, a[0]), hi = val_off(c, a[1]);
        int32_t x = val_in(c, a[2]), y = val_in(c, a[3]);
        in = emit(c, op->opc == IR_mulu2 ? K_mulu2 : K_muls2);
        in->d = lo;
        in->c = hi;
        in->a = x;
        in->b = y;
        break;
    }
    case IR_setcond: {
        int32_t d = val_off(c, a[0]);
        IRCond cond = (IRCond)a[3];
        bool c1 = val_const(c, a[1], &k1), c2 = val_const(c, a[2], &k2);

        if (cond == IR_COND_NEVER || cond == IR_COND_ALWAYS || (c1 && c2)) {
            emit_movi(c, d, ir_cond_eval(cond, c1 ? k1 : 0, c2 ? k2 : 0));
        } else if (c2 || c1) {
            IRVal r = c2 ? a[1] : a[2];
            int32_t x = val_off(c, r);
            in = emit(c, cond_kind(K_setcond_ri_eq, c2 ? cond : ir_cond_swap(cond)));
            in->d = d;
            in->a = x;
            in->imm = c2 ? k2 : k1;
        } else {
            int32_t x = val_off(c, a[1]), y = val_off(c, a[2]);
            in = emit(c, cond_kind(K_setcond_rr_eq, cond));
            in->d = d;
            in->a = x;
            in->b = y;
        }
        break;
    }
    case IR_movcond: {
        int32_t d = val_off(c, a[0]);
        IRCond cond = (IRCond)a[5];
        bool c1 = val_const(c, a[1], &k1), c2 = val_const(c, a[2], &k2);

        if (cond == IR_COND_NEVER || cond == IR_COND_ALWAYS || (c1 && c2)) {
            bool t = ir_cond_eval(cond, c1 ? k1 : 0, c2 ? k2 : 0);
            emit_mov_val(c, d, t ? a[3] : a[4]);
        } else {
            int32_t x = val_in(c, a[1]), y = val_in(c, a[2]);
            int32_t vt = val_in(c, a[3]), vf = val_in(c, a[4]);
            in = emit(c, cond_kind(K_movcond_eq, cond));
            in->d = d;
            in->a = x;
            in->b = y;
            in->c = vt;
            in->imm = (uint64_t)(int64_t)vf;
        }
        break;
    }
    case IR_brcond: {
        IRCond cond = (IRCond)a[2];
        bool c1 = val_const(c, a[0], &k1), c2 = val_const(c, a[1], &k2);

        if (cond == IR_COND_NEVER || cond == IR_COND_ALWAYS || (c1 && c2)) {
            if (ir_cond_eval(cond, c1 ? k1 : 0, c2 ? k2 : 0)) {
                emit(c, K_br);
                add_fixup(c, a[3]);
            }
        } else if ((c2 && (int64_t)k2 == (int32_t)k2) || (c1 && !c2 && (int64_t)k1 == (int32_t)k1)) {
            /* The immediate rides in b (sign-extended): imm holds the target. */
            IRVal r = c2 ? a[0] : a[1];
            int32_t x = val_off(c, r);
            in = emit(c, cond_kind(K_brcond_ri_eq, c2 ? cond : ir_cond_swap(cond)));
            in->a = x;
            in->b = (int32_t)(c2 ? k2 : k1);
            add_fixup(c, a[3]);
        } else {
            int32_t x = val_in(c, a[0]), y = val_in(c, a[1]);
            in = emit(c, cond_kind(K_brcond_rr_eq, cond));
            in->a = x;
            in->b = y;
            add_fixup(c, a[3]);
        }
        break;
    }
    case IR_br:
        emit(c, K_br);
        add_fixup(c, a[0]);
        break;
    case IR_set_label:
        if (a[0] >= c->b->nb_labels || c->label_pos[a[0]] >= 0) {
            fatal("tcg-lite: label %" PRIu64 " bad or set twice", a[0]);
        }
        c->label_pos[a[0]] = c->n;
        break;
    case IR_ld_env: {
        int32_t d = val_off(c, a[0]);
        unsigned mo = a[2] & 7;
        in = emit(c, K_ldenv_ub + (mo == 7 ? 3 : mo) * K_LD_STRIDE);
        in->d = d;
        in->imm = a[1];
        break;
    }
    case IR_st_env: {
        int32_t x = val_in(c, a[0]);
        in = emit(c, K_stenv_b + (a[2] & MO_SIZE) * K_ST_STRIDE);
        in->a = x;
        in->imm = a[1];
        break;
    }
    case IR_guest_ld: {
        int32_t d = val_off(c, a[0]);
        int32_t x = val_in(c, a[1]);
        unsigned mo = a[2] & 7;
        if (a[3] >= IR_NB_MMU_MODES) {
            fatal("tcg-lite: bad mmu_idx %" PRIu64, a[3]);
        }
        in = emit(c, K_gld_ub + (mo == 7 ? 3 : mo) * K_LD_STRIDE);
        in->d = d;
        in->a = x;
        in->b = (int32_t)(a[3] * IR_TLB_SIZE * sizeof(TLBEntry));
        in->c = (int32_t)mo;
        in->imm = a[3];
        break;
    }
    case IR_guest_st: {
        int32_t x = val_in(c, a[0]), y = val_in(c, a[1]);
        if (a[3] >= IR_NB_MMU_MODES) {
            fatal("tcg-lite: bad mmu_idx %" PRIu64, a[3]);
        }
        in = emit(c, K_gst_b + (a[2] & MO_SIZE) * K_ST_STRIDE);
        in->a = x;
        in->b = y;
        in->c = (int32_t)(a[3] * IR_TLB_SIZE * sizeof(TLBEntry));
        in->d = (int32_t)(a[2] & 7);
        in->imm = a[3];
        break;
    }
    case IR_call: {
        int32_t d = a[0] != IR_NONE ? val_off(c, a[0]) : 0;
        uint64_t w[4];
        unsigned mask = 0, i;

        for (i = 0; i < 4; i++) {
            IRVal v = (IRVal)a[1 + i];
            if (v == IR_NONE) {
                w[i] = 0;
                mask |= 1u << i;
            } else if (val_const(c, v, &k1)) {
                w[i] = k1;
                mask |= 1u << i;
            } else {
                w[i] = (uint64_t)(int64_t)val_off(c, v);
            }
        }
        in = emit(c, K_call);
        in->d = d;
        in->c = a[0] != IR_NONE;
        in->a = (int32_t)mask;
        in->imm = a[5];
        in = emit(c, K_call);   /* argument words; never dispatched */
        memcpy(in->w, w, sizeof(w));
        break;
    }
    case IR_insn_start:
        in = emit(c, K_insn_start);
        in->imm = a[0];
        break;
    case IR_goto_tb:
        if (a[0] > 1) {
            fatal("tcg-lite: goto_tb slot %" PRIu64, a[0]);
        }
        in = emit(c, K_goto_tb);
        in->imm = a[0];
        break;
    case IR_exit_tb:
        if (a[0] > 7) {
            fatal("tcg-lite: exit_tb value %" PRIu64, a[0]);
        }
        in = emit(c, K_exit_tb);
        in->imm = a[0];
        break;
    default:
        fatal("tcg-lite: interpreter cannot compile op %u", op->opc);
    }
}

IRCode *ir_compile(IRBuilder *b, void *opaque)
{
    Compiler cc;
    Compiler *c = &cc;
    IRCode *code;
    int32_t *slot;
    uint32_t nslots, i;
    ptrdiff_t frame = ir_runtime.frame_offset;
    void *mem;

    pthread_once(&interp_once, interp_init);
    memset(c, 0, sizeof(*c));
    c->b = b;
    c->tab = interp_tab;

    slot = xmalloc(sizeof(int32_t) * (b->nb_temps + 1));
    nslots = alloc_slots(b, slot);
    if (nslots + NB_SCRATCH > IR_MAX_TEMPS) {
        fatal("tcg-lite: block needs %u temp slots (max %d)", nslots + NB_SCRATCH, IR_MAX_TEMPS);
    }
    c->slot_off = slot;
    for (i = 0; i < b->nb_temps; i++) {
        /* Temps that are never used get an offset anyway: harmless, never accessed. */
        slot[i] = env_offset32(frame + 8 * (ptrdiff_t)(slot[i] < 0 ? 0 : slot[i]));
    }
    for (i = 0; i < NB_SCRATCH; i++) {
        c->scratch_off[i] = env_offset32(frame + 8 * (ptrdiff_t)(nslots + i));
    }
    c->label_pos = xmalloc(sizeof(int32_t) * (b->nb_labels + 1));
    for (i = 0; i < b->nb_labels; i++) {
        c->label_pos[i] = -1;
    }

    for (i = 0; i < (uint32_t)b->nb_ops; i++) {
        compile_op(c, &b->ops[i]);
    }
    /* Falling off the end leaves like exit_tb(IR_EXIT_NOCHAIN); also gives labels
     * at the very end an instruction to land on. */
    emit(c, K_exit_tb)->imm = IR_EXIT_NOCHAIN;

    if (posix_memalign(&mem, 64, sizeof(IRCode) + sizeof(Insn) * c->n) != 0) {
        fatal("tcg-lite: out of memory");
    }
    code = mem;
    code->chain[0] = code->chain[1] = NULL;
    code->opaque = opaque;
    code->nb_insns = c->n;
    code->frame_slots = nslots + NB_SCRATCH;
    memcpy(code->insns, c->insns, sizeof(Insn) * c->n);
    for (i = 0; i < c->nfix; i++) {
        int32_t pos = c->label_pos[c->fix[i][1]];
        if (pos < 0) {
            fatal("tcg-lite: branch to label L%u that is never set", c->fix[i][1]);
        }
        code->insns[c->fix[i][0]].imm = (uint64_t)(uintptr_t)&code->insns[pos];
    }

    free(c->insns);
    free(c->fix);
    free(c->label_pos);
    free(slot);
    return code;
}

void ir_code_free(IRCode *c)
{
    free(c);
}

void *ir_code_opaque(const IRCode *c)
{
    return c->opaque;
}

void ir_code_set_chain(IRCode *from, unsigned slot, IRCode *to)
{
    assert(slot < 2);
    __atomic_store_n(&from->chain[slot], to, __ATOMIC_RELEASE);
}

size_t ir_code_size(const IRCode *c)
{
    return sizeof(IRCode) + sizeof(Insn) * c->nb_insns;
}

uint32_t ir_interp_frame_slots(const IRCode *c)
{
    return c->frame_slots;
}

/* SPDX-License-Identifier: MIT */
/*
 * gen-arith-expect.c - the oracle of the arith guest. A host program (x86-64 only) that
 * runs every instruction of arith-ops.h natively on this machine, for a table of input
 * vectors, and prints a C header (arith-expect.h) with the inputs, the outputs and, per
 * vector, which flags and registers are architecturally defined (Intel SDM vol. 2
 * "Flags Affected" of each instruction). The guest runs the same instruction text on the
 * emulated CPU and compares under those masks.
 *
 * Built and run at build time by tests/guests/x86/module.mk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arith-ops.h"

#ifndef __x86_64__
#error "gen-arith-expect runs the instructions natively: it needs an x86-64 build host"
#endif

uint64_t arith_mem;

ARITH_OPS(ARITH_DEFINE_FN)

struct op_desc {
    const char *name;
    int gen, fcls, width, arg;
    void (*fn)(struct arith_state *);
};

#define OP_DESC(name, gen, fcls, width, arg, insn) { #name, gen, fcls, width, arg, arith_op_##name },
static const struct op_desc ops[] = { ARITH_OPS(OP_DESC) };
#define NOPS (sizeof(ops) / sizeof(ops[0]))

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u

static const uint32_t vals[] = {
    0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
    0xffffffff, 0x12345678, 0xedcba987, 0x5a5a5a5a, 0xa5a5a5a5,
};
static const uint32_t shvals[] = {
    0, 1, 0x80, 0x81, 0x8000, 0x80000000, 0x7fffffff, 0xffffffff, 0x12345678, 0x87654321,
};
static const uint32_t shsrc[] = { 0, 0xffffffff, 0x12345678, 0x80000001 };
static const uint32_t counts[] = { 0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63 };
static const uint32_t shdcounts[] = { 0, 1, 4, 8, 15, 16, 17, 31, 32 };
static const uint32_t divhi[] = { 0, 1, 0x1234, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe };
static const uint32_t bitoffs[] = { 0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 0x80000000, 0xffffffff };

#define N(x) (sizeof(x) / sizeof((x)[0]))

static unsigned nvecs;

static struct arith_state base_state(void)
{
    struct arith_state s = { 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0,
                             0x5555aaaa, 0x12345678 };
    return s;
}

/* Flags defined after op ran on input in (SDM "Flags Affected"). */
static uint32_t flag_mask(const struct op_desc *op, const struct arith_state *in)
{
    const uint32_t all = FL_ARITH;
    uint32_t cnt = in->c & 0x1f;
    switch (op->fcls) {
    case F_ALL:
        return all;
    case F_LOGIC:
        return all & ~AF;
    case F_MUL:
        return CF | OF;
    case F_NONE:
        return 0;
    case F_SHIFT:
        if (cnt == 0) {
            return all;
        }
        return all & ~AF & (cnt == 1 ? all : ~OF) & (cnt >= (uint32_t)op->width ? ~CF : all);
    case F_ROT:
        if (cnt == 0) {
            return all;
        }
        return cnt == 1 ? all : all & ~OF;
    case F_SHD:
        if (cnt == 0) {
            return all;
        }
        return all & ~AF & (cnt == 1 ? all : ~OF);
    case F_BT:
        return CF;
    case F_BSF:
        return ZF;
    }
    abort();
}

static uint32_t reg_mask(const struct op_desc *op, const struct arith_state *in)
{
    if (op->fcls == F_BSF) {
        uint32_t src = op->width == 16 ? (in->b & 0xffff) : in->b;
        if (src == 0) {
            return R_ALL & ~R_A;    /* destination undefined */
        }
    }
    return R_ALL;
}

/* Would this DIV/IDIV raise #DE? (Then the vector is dropped: it would kill us.) */
static int div_faults(const struct op_desc *op, const struct arith_state *in)
{
    int sgn = op->arg;
    switch (op->width) {
    case 8: {
        uint8_t dv = in->b & 0xff;
        if (!dv) {
            return 1;
        }
        if (sgn) {
            int32_t q = (int32_t)(int16_t)(in->a & 0xffff) / (int8_t)dv;
            return q < -128 || q > 127;
        }
        return (in->a & 0xffff) / dv > 0xff;
    }
    case 16: {
        uint16_t dv = in->b & 0xffff;
        uint32_t n = ((in->d & 0xffff) << 16) | (in->a & 0xffff);
        if (!dv) {
            return 1;
        }
        if (sgn) {
            int64_t q = (int64_t)(int32_t)n / (int16_t)dv;
            return q < -32768 || q > 32767;
        }
        return n / dv > 0xffff;
    }
    default: {
        uint32_t dv = in->b;
        uint64_t n = ((uint64_t)in->d << 32) | in->a;
        if (!dv) {
            return 1;
        }
        if (sgn) {
            if ((int64_t)n == INT64_MIN) {
                return 1;
            }
            __int128 q = (__int128)(int64_t)n / (int32_t)dv;
            return q < INT32_MIN || q > INT32_MAX;
        }
        return n / dv > 0xffffffffu;
    }
    }
}

static void emit(unsigned opi, struct arith_state in)
{
    const struct op_desc *op = &ops[opi];
    if (op->gen == G_DIV && div_faults(op, &in)) {
        return;
    }
    if (op->fcls == F_SHD && op->width == 16 && (in.c & 0x1f) > 15) {
        return;     /* 16-bit SHLD/SHRD: result and flags undefined for counts > 15 */
    }
    in.fl &= FL_ARITH;
    struct arith_state out = in;
    op->fn(&out);
    out.fl &= FL_ARITH;
    printf("    { %u, 0x%x, 0x%x, { 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x },"
           " { 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x } },\n",
           opi, flag_mask(op, &in), reg_mask(op, &in), in.a, in.b, in.c, in.d, in.fl, in.mlo,
           in.mhi, out.a, out.b, out.c, out.d, out.fl, out.mlo, out.mhi);
    nvecs++;
}

static void gen_op(unsigned opi)
{
    const struct op_desc *op = &ops[opi];
    struct arith_state s = base_state();
    unsigned k = 0;

    switch (op->gen) {
    case G_BIN:
    case G_BINC:
    case G_BINM:
        for (unsigned i = 0; i < N(vals); i++) {
            for (unsigned j = 0; j < N(vals); j++, k++) {
                if (op->gen == G_BINM) {
                    s.mlo = vals[i];
                } else {
                    s.a = vals[i];
                }
                s.b = vals[j];
                if (op->gen == G_BINC) {
                    s.fl = 0;
                    emit(opi, s);
                    s.fl = FL_ARITH;
                    emit(opi, s);
                } else {
                    s.fl = (k & 1) ? FL_ARITH : 0;
                    emit(opi, s);
                }
            }
        }
        break;
    case G_UN:
    case G_UNC:
        for (unsigned i = 0; i < N(vals); i++) {
            s.a = vals[i];
            if (op->gen == G_UNC) {
                s.fl = 0;
                emit(opi, s);
                s.fl = FL_ARITH;
                emit(opi, s);
            } else {
                s.fl = (i & 1) ? FL_ARITH : 0;
                emit(opi, s);
            }
        }
        break;
    case G_CNT:
    case G_CNTIMM:
        for (unsigned i = 0; i < N(shvals); i++) {
            for (unsigned j = 0; j < (op->gen == G_CNT ? N(counts) : 1); j++) {
                s.a = shvals[i];
                s.b = shsrc[(i + j) % N(shsrc)];
                s.c = op->gen == G_CNT ? counts[j] : (uint32_t)op->arg;
                s.fl = 0;
                emit(opi, s);
                s.fl = FL_ARITH;
                emit(opi, s);
            }
        }
        break;
    case G_SHD:
        for (unsigned i = 0; i < N(shvals); i++) {
            for (unsigned j = 0; j < N(shsrc); j++) {
                for (unsigned c = 0; c < N(shdcounts); c++, k++) {
                    s.a = shvals[i];
                    s.b = shsrc[j];
                    s.c = shdcounts[c];
                    s.fl = (k & 1) ? FL_ARITH : 0;
                    emit(opi, s);
                }
            }
        }
        break;
    case G_DIV:
        for (unsigned h = 0; h < N(divhi); h++) {
            for (unsigned i = 0; i < N(vals); i++) {
                for (unsigned j = 0; j < N(vals); j++, k++) {
                    s.d = divhi[h];
                    s.a = op->width == 8 ? (vals[i] & 0xffff0000u) | (divhi[h] & 0xff00) |
                                               (vals[i] & 0xff)
                                         : vals[i];
                    s.b = vals[j];
                    s.fl = (k & 1) ? FL_ARITH : 0;
                    emit(opi, s);
                }
            }
        }
        break;
    case G_BIT:
        for (unsigned i = 0; i < N(vals); i++) {
            for (unsigned j = 0; j < N(bitoffs); j++, k++) {
                s.a = vals[i];
                s.b = bitoffs[j];
                s.fl = (k & 1) ? FL_ARITH : 0;
                emit(opi, s);
            }
        }
        break;
    case G_BSF:
        for (unsigned i = 0; i < N(vals); i++) {
            s.a = 0xaaaaaaaa;
            s.b = vals[i];
            s.fl = (i & 1) ? FL_ARITH : 0;
            emit(opi, s);
            s.b = vals[i] << 4;
            s.fl ^= FL_ARITH;
            emit(opi, s);
        }
        break;
    case G_CX:
    case G_CXM:
        for (unsigned i = 0; i < N(vals); i++) {
            for (unsigned j = 0; j < N(vals) + 2; j++, k++) {
                uint32_t dst = j == 0 ? vals[i] : j == 1 ? vals[i] ^ 0x100 : vals[j - 2];
                s.a = vals[i];
                s.b = 0x0badf00d;
                if (op->gen == G_CXM) {
                    s.mlo = dst;
                } else {
                    s.c = dst;
                }
                s.fl = (k & 1) ? FL_ARITH : 0;
                emit(opi, s);
            }
        }
        break;
    case G_CX8:
        for (unsigned i = 0; i < N(vals); i++) {
            for (unsigned j = 0; j < 4; j++, k++) {
                s.a = vals[i];
                s.d = vals[(i + 3) % N(vals)];
                s.b = 0xcafef00d;
                s.c = 0x600dd00d;
                s.mlo = s.a ^ (j == 1 ? 1 : 0);
                s.mhi = s.d ^ (j == 2 ? 0x80000000 : 0);
                if (j == 3) {
                    s.mlo = vals[(i + 5) % N(vals)];
                }
                s.fl = (k & 1) ? FL_ARITH : 0;
                emit(opi, s);
            }
        }
        break;
    case G_FL:
        for (unsigned f = 0; f < 64; f++) {
            s.fl = ((f & 1) ? CF : 0) | ((f & 2) ? PF : 0) | ((f & 4) ? AF : 0) |
                   ((f & 8) ? ZF : 0) | ((f & 16) ? SF : 0) | ((f & 32) ? OF : 0);
            emit(opi, s);
        }
        break;
    case G_SAHF:
        for (unsigned v = 0; v < 256; v++) {
            s.a = 0x11110011 | (v << 8);
            s.fl = (v & 1) ? OF : 0;
            emit(opi, s);
        }
        break;
    default:
        abort();
    }
}

int main(void)
{
    printf("/* Generated by gen-arith-expect.c: expected results measured on the build host's\n"
           " * CPU. Do not edit. */\n");
    printf("#define ARITH_EXPECT_NOPS %u\n", (unsigned)NOPS);
    printf("static const char *const arith_expect_names[] = {\n");
    for (unsigned i = 0; i < NOPS; i++) {
        printf("    \"%s\",\n", ops[i].name);
    }
    printf("};\n");
    printf("static const struct arith_vec arith_vecs[] = {\n");
    for (unsigned i = 0; i < NOPS; i++) {
        gen_op(i);
    }
    printf("};\n");
    printf("#define ARITH_EXPECT_NVECS %u\n", nvecs);
    return 0;
}

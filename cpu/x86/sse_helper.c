/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/sse_helper.c — the integer IR helpers of MMX, SSE, SSE2, SSSE3, SSE4.1 and SSE4.2
 * (Intel SDM vol. 2, the instruction pages): packed arithmetic with wrap-around and
 * saturation, compares, min/max, multiplies, averages, sums of absolute differences,
 * shifts, unpacks, packs, shuffles (PSHUF*, PALIGNR, SHUFPS/PD), blends, sign extension
 * (PMOVSX/ZX), PTEST, PHMINPOSUW, MPSADBW, INSERTPS, element insert/extract, the SSE4.2
 * string compares PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (every control byte mode: data
 * format, aggregation, polarity, output selection; SDM vol. 2, 4.1) and
 * CRC32 (CRC-32C, polynomial 0x11EDC6F41, bit-reflected, no pre/post inversion).
 *
 * Operands are env offsets (see sse_helper.h); every helper reads both sources before it
 * writes, so a destination may also be the source. MMX helpers touch only the 8 bytes of
 * the register's mantissa; the x87 tag word and exponent are the translator's business.
 * These helpers never fault. Not here: what the translator emits inline (moves, logic,
 * PADD/PSUB, PCMPEQB/W/D, PMOVMSKB, MOVMSKPS/PD, element inserts and extracts).
 */
#include "cpu/x86/sse_helper.h"
#include <pthread.h>

static inline X86XMMReg *reg_at(void *env, uint64_t off)
{
    return (X86XMMReg *)((char *)env + off);
}

/* A source copied out first: for the ops whose result elements read other elements. */
static inline X86XMMReg reg_copy(void *env, uint64_t off)
{
    X86XMMReg r;

    memcpy(&r, (char *)env + off, sizeof(r));
    return r;
}

/* The operand width a helper's a3 gives: 8 (MMX) or 16 (XMM). */
static inline unsigned width_of(uint64_t a3)
{
    return a3 == 8 ? 8 : 16;
}

/* Writes the first nb bytes of r to the operand at env offset off. */
static inline void reg_put(void *env, uint64_t off, const X86XMMReg *r, unsigned nb)
{
    memcpy((char *)env + off, r, nb);
}

static inline int sat_s8(int v)
{
    return v < -128 ? -128 : v > 127 ? 127 : v;
}

static inline int sat_u8(int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

static inline int sat_s16(int v)
{
    return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

static inline int sat_u16(int v)
{
    return v < 0 ? 0 : v > 65535 ? 65535 : v;
}

/* ---- element-wise ops ---- */

/* d.F[i] = expr(a = d.F[i], b = s.F[i]) as type T, for the elements of the a3-byte width */
#define ELEMWISE(name, F, T, expr)                                                          \
    IR_HELPER(helper_##name)                                                                \
    {                                                                                       \
        X86XMMReg *d = reg_at(env_, a0);                                                    \
        const X86XMMReg *s = reg_at(env_, a1);                                              \
        unsigned n = width_of(a3) / sizeof(d->F[0]);                                        \
        for (unsigned i = 0; i < n; i++) {                                                  \
            T a = (T)d->F[i], b = (T)s->F[i];                                               \
            (void)a;                                                                        \
            (void)b;                                                                        \
            d->F[i] = (expr);                                                               \
        }                                                                                   \
        return 0;                                                                           \
    }

ELEMWISE(paddsb, b, int8_t, sat_s8(a + b))
ELEMWISE(paddsw, w, int16_t, sat_s16(a + b))
ELEMWISE(paddusb, b, uint8_t, sat_u8(a + b))
ELEMWISE(paddusw, w, uint16_t, sat_u16(a + b))
ELEMWISE(psubsb, b, int8_t, sat_s8(a - b))
ELEMWISE(psubsw, w, int16_t, sat_s16(a - b))
ELEMWISE(psubusb, b, uint8_t, sat_u8(a - b))
ELEMWISE(psubusw, w, uint16_t, sat_u16(a - b))
ELEMWISE(pcmpeqq, q, uint64_t, a == b ? ~0ull : 0)
ELEMWISE(pcmpgtb, b, int8_t, a > b ? 0xff : 0)
ELEMWISE(pcmpgtw, w, int16_t, a > b ? 0xffff : 0)
ELEMWISE(pcmpgtd, l, int32_t, a > b ? 0xffffffffu : 0)
ELEMWISE(pcmpgtq, q, int64_t, a > b ? ~0ull : 0)
ELEMWISE(pmullw, w, int16_t, (uint16_t)((int32_t)a * b))
ELEMWISE(pmulhw, w, int16_t, (uint16_t)(((int32_t)a * b) >> 16))
ELEMWISE(pmulhuw, w, uint16_t, (uint16_t)(((uint32_t)a * b) >> 16))
ELEMWISE(pmuludq, q, uint64_t, (a & 0xffffffffu) * (b & 0xffffffffu))
ELEMWISE(pmuldq, q, uint64_t, (uint64_t)((int64_t)(int32_t)a * (int32_t)b))
ELEMWISE(pmulld, l, uint32_t, a * b)
ELEMWISE(pmulhrsw, w, int16_t, (uint16_t)(((((int32_t)a * b) >> 14) + 1) >> 1))
ELEMWISE(pavgb, b, uint8_t, (a + b + 1) >> 1)
ELEMWISE(pavgw, w, uint16_t, (a + b + 1) >> 1)
ELEMWISE(pminub, b, uint8_t, a < b ? a : b)
ELEMWISE(pmaxub, b, uint8_t, a > b ? a : b)
ELEMWISE(pminsw, w, int16_t, a < b ? a : b)
ELEMWISE(pmaxsw, w, int16_t, a > b ? a : b)
ELEMWISE(pminsb, b, int8_t, a < b ? a : b)
ELEMWISE(pmaxsb, b, int8_t, a > b ? a : b)
ELEMWISE(pminuw, w, uint16_t, a < b ? a : b)
ELEMWISE(pmaxuw, w, uint16_t, a > b ? a : b)
ELEMWISE(pminsd, l, int32_t, a < b ? a : b)
ELEMWISE(pmaxsd, l, int32_t, a > b ? a : b)
ELEMWISE(pminud, l, uint32_t, a < b ? a : b)
ELEMWISE(pmaxud, l, uint32_t, a > b ? a : b)
ELEMWISE(psignb, b, int8_t, b < 0 ? -a : b == 0 ? 0 : a)
ELEMWISE(psignw, w, int16_t, b < 0 ? -a : b == 0 ? 0 : a)
ELEMWISE(psignd, l, int32_t, b < 0 ? -(uint32_t)a : b == 0 ? 0 : (uint32_t)a)
ELEMWISE(pabsb, b, int8_t, b < 0 ? -b : b)
ELEMWISE(pabsw, w, int16_t, b < 0 ? -b : b)
ELEMWISE(pabsd, l, int32_t, b < 0 ? -(uint32_t)b : (uint32_t)b)

IR_HELPER(helper_pmaddwd)
{
    X86XMMReg *d = reg_at(env_, a0);
    const X86XMMReg *s = reg_at(env_, a1);

    for (unsigned i = 0; i < width_of(a3) / 4; i++) {
        int32_t lo = (int32_t)(int16_t)d->w[2 * i] * (int16_t)s->w[2 * i];
        int32_t hi = (int32_t)(int16_t)d->w[2 * i + 1] * (int16_t)s->w[2 * i + 1];
        d->l[i] = (uint32_t)lo + (uint32_t)hi;     /* wraps only for 4 * 0x8000 * 0x8000 */
    }
    return 0;
}

IR_HELPER(helper_pmaddubsw)
{
    X86XMMReg *d = reg_at(env_, a0);
    const X86XMMReg *s = reg_at(env_, a1);

    for (unsigned i = 0; i < width_of(a3) / 2; i++) {
        int v = d->b[2 * i] * (int8_t)s->b[2 * i] + d->b[2 * i + 1] * (int8_t)s->b[2 * i + 1];
        d->w[i] = (uint16_t)sat_s16(v);
    }
    return 0;
}

IR_HELPER(helper_psadbw)
{
    X86XMMReg *d = reg_at(env_, a0);
    const X86XMMReg *s = reg_at(env_, a1);

    for (unsigned q = 0; q < width_of(a3) / 8; q++) {
        unsigned sum = 0;
        for (unsigned i = 0; i < 8; i++) {
            int diff = d->b[8 * q + i] - s->b[8 * q + i];
            sum += diff < 0 ? -diff : diff;
        }
        d->q[q] = sum;
    }
    return 0;
}

/* ---- unpacks and packs ---- */

/* Interleave elements of `bytes` from the low (high = false) or high halves of d and s. */
static void unpack(void *env, uint64_t doff, uint64_t soff, unsigned nb, unsigned bytes,
                   bool high)
{
    X86XMMReg d = reg_copy(env, doff), s = reg_copy(env, soff), r;
    unsigned n = nb / bytes / 2, base = high ? nb / 2 : 0;

    for (unsigned i = 0; i < n; i++) {
        memcpy(&r.b[2 * i * bytes], &d.b[base + i * bytes], bytes);
        memcpy(&r.b[(2 * i + 1) * bytes], &s.b[base + i * bytes], bytes);
    }
    reg_put(env, doff, &r, nb);
}

#define UNPACK(name, bytes, high)                                                           \
    IR_HELPER(helper_##name)                                                                \
    {                                                                                       \
        unpack(env_, a0, a1, width_of(a3), bytes, high);                                    \
        return 0;                                                                           \
    }
UNPACK(punpcklbw, 1, false)
UNPACK(punpcklwd, 2, false)
UNPACK(punpckldq, 4, false)
UNPACK(punpcklqdq, 8, false)
UNPACK(punpckhbw, 1, true)
UNPACK(punpckhwd, 2, true)
UNPACK(punpckhdq, 4, true)
UNPACK(punpckhqdq, 8, true)

IR_HELPER(helper_packsswb)
{
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;
    unsigned n = width_of(a3) / 2;

    for (unsigned i = 0; i < n; i++) {
        r.b[i] = (uint8_t)sat_s8((int16_t)d.w[i]);
        r.b[n + i] = (uint8_t)sat_s8((int16_t)s.w[i]);
    }
    reg_put(env_, a0, &r, width_of(a3));
    return 0;
}

IR_HELPER(helper_packuswb)
{
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;
    unsigned n = width_of(a3) / 2;

    for (unsigned i = 0; i < n; i++) {
        r.b[i] = (uint8_t)sat_u8((int16_t)d.w[i]);
        r.b[n + i] = (uint8_t)sat_u8((int16_t)s.w[i]);
    }
    reg_put(env_, a0, &r, width_of(a3));
    return 0;
}

IR_HELPER(helper_packssdw)
{
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;
    unsigned n = width_of(a3) / 4;

    for (unsigned i = 0; i < n; i++) {
        int32_t x = (int32_t)d.l[i], y = (int32_t)s.l[i];
        r.w[i] = (uint16_t)(x < -32768 ? -32768 : x > 32767 ? 32767 : x);
        r.w[n + i] = (uint16_t)(y < -32768 ? -32768 : y > 32767 ? 32767 : y);
    }
    reg_put(env_, a0, &r, width_of(a3));
    return 0;
}

IR_HELPER(helper_packusdw)
{
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;

    for (unsigned i = 0; i < 4; i++) {
        int32_t x = (int32_t)d.l[i], y = (int32_t)s.l[i];
        r.w[i] = (uint16_t)(x < 0 ? 0 : x > 65535 ? 65535 : x);
        r.w[4 + i] = (uint16_t)(y < 0 ? 0 : y > 65535 ? 65535 : y);
    }
    reg_put(env_, a0, &r, 16);
    return 0;
}

/* ---- SSSE3 horizontal ops, PSHUFB ---- */

/* r = [op(d[0], d[1]), op(d[2], d[3]) ..., op(s[0], s[1]) ...] for words or dwords */
#define HORIZ(name, F, T, expr)                                                             \
    IR_HELPER(helper_##name)                                                                \
    {                                                                                       \
        X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;                        \
        unsigned n = width_of(a3) / sizeof(r.F[0]) / 2;                                     \
        for (unsigned i = 0; i < n; i++) {                                                  \
            T a = (T)d.F[2 * i], b = (T)d.F[2 * i + 1];                                     \
            r.F[i] = (expr);                                                                \
            a = (T)s.F[2 * i];                                                              \
            b = (T)s.F[2 * i + 1];                                                          \
            r.F[n + i] = (expr);                                                            \
        }                                                                                   \
        reg_put(env_, a0, &r, width_of(a3));                                                \
        return 0;                                                                           \
    }
HORIZ(phaddw, w, uint16_t, (uint16_t)(a + b))
HORIZ(phaddd, l, uint32_t, a + b)
HORIZ(phaddsw, w, int16_t, (uint16_t)sat_s16(a + b))
HORIZ(phsubw, w, uint16_t, (uint16_t)(a - b))
HORIZ(phsubd, l, uint32_t, a - b)
HORIZ(phsubsw, w, int16_t, (uint16_t)sat_s16(a - b))

IR_HELPER(helper_pshufb)
{
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;
    unsigned nb = width_of(a3);

    for (unsigned i = 0; i < nb; i++) {
        r.b[i] = (s.b[i] & 0x80) ? 0 : d.b[s.b[i] & (nb - 1)];
    }
    reg_put(env_, a0, &r, nb);
    return 0;
}

IR_HELPER(helper_palignr)
{
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;
    unsigned nb = width_of(a3), sh = (unsigned)a2 & 0xff;
    uint8_t cat[32];

    memcpy(cat, s.b, nb);           /* the source is the low half of the concatenation */
    memcpy(cat + nb, d.b, nb);
    for (unsigned i = 0; i < nb; i++) {
        r.b[i] = sh + i < 2 * nb ? cat[sh + i] : 0;
    }
    reg_put(env_, a0, &r, nb);
    return 0;
}

/* ---- shifts ---- */

/* Logical shifts by a count that may exceed the element width (then the result is 0);
 * arithmetic right shifts then fill with the sign. */
#define SHIFT(name, F, T, bits, expr)                                                       \
    IR_HELPER(helper_##name)                                                                \
    {                                                                                       \
        X86XMMReg *d = reg_at(env_, a0);                                                    \
        unsigned n = width_of(a3) / sizeof(d->F[0]);                                        \
        uint64_t c = a2;                                                                    \
        for (unsigned i = 0; i < n; i++) {                                                  \
            T a = (T)d->F[i];                                                               \
            d->F[i] = (expr);                                                               \
        }                                                                                   \
        return 0;                                                                           \
    }
SHIFT(psrlw, w, uint16_t, 16, c > 15 ? 0 : a >> c)
SHIFT(psrld, l, uint32_t, 32, c > 31 ? 0 : a >> c)
SHIFT(psrlq, q, uint64_t, 64, c > 63 ? 0 : a >> c)
SHIFT(psllw, w, uint16_t, 16, c > 15 ? 0 : (uint16_t)(a << c))
SHIFT(pslld, l, uint32_t, 32, c > 31 ? 0 : a << c)
SHIFT(psllq, q, uint64_t, 64, c > 63 ? 0 : a << c)
SHIFT(psraw, w, int16_t, 16, (uint16_t)(a >> (c > 15 ? 15 : c)))
SHIFT(psrad, l, int32_t, 32, (uint32_t)(a >> (c > 31 ? 31 : c)))

IR_HELPER(helper_psrldq)
{
    X86XMMReg d = reg_copy(env_, a0), r;
    unsigned c = a2 > 16 ? 16 : (unsigned)a2;

    memset(&r, 0, sizeof(r));
    memcpy(r.b, d.b + c, 16 - c);
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_pslldq)
{
    X86XMMReg d = reg_copy(env_, a0), r;
    unsigned c = a2 > 16 ? 16 : (unsigned)a2;

    memset(&r, 0, sizeof(r));
    memcpy(r.b + c, d.b, 16 - c);
    reg_put(env_, a0, &r, 16);
    return 0;
}

/* ---- shuffles with an immediate ---- */

IR_HELPER(helper_pshufw)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    for (unsigned i = 0; i < 4; i++) {
        r.w[i] = s.w[(a2 >> (2 * i)) & 3];
    }
    reg_put(env_, a0, &r, 8);
    return 0;
}

IR_HELPER(helper_pshufd)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    for (unsigned i = 0; i < 4; i++) {
        r.l[i] = s.l[(a2 >> (2 * i)) & 3];
    }
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_pshufhw)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    r.q[0] = s.q[0];
    for (unsigned i = 0; i < 4; i++) {
        r.w[4 + i] = s.w[4 + ((a2 >> (2 * i)) & 3)];
    }
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_pshuflw)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    for (unsigned i = 0; i < 4; i++) {
        r.w[i] = s.w[(a2 >> (2 * i)) & 3];
    }
    r.q[1] = s.q[1];
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_shufps)
{
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;

    r.l[0] = d.l[a2 & 3];
    r.l[1] = d.l[(a2 >> 2) & 3];
    r.l[2] = s.l[(a2 >> 4) & 3];
    r.l[3] = s.l[(a2 >> 6) & 3];
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_shufpd)
{
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;

    r.q[0] = d.q[a2 & 1];
    r.q[1] = s.q[(a2 >> 1) & 1];
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_movsldup)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    r.l[0] = r.l[1] = s.l[0];
    r.l[2] = r.l[3] = s.l[2];
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_movshdup)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    r.l[0] = r.l[1] = s.l[1];
    r.l[2] = r.l[3] = s.l[3];
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_movddup)
{
    X86XMMReg s = reg_copy(env_, a1), r;

    r.q[0] = r.q[1] = s.q[0];
    reg_put(env_, a0, &r, 16);
    return 0;
}

/* ---- SSE4.1 blends, sign/zero extension, PTEST, PHMINPOSUW, MPSADBW, INSERTPS ---- */

IR_HELPER(helper_pblendw)
{
    X86XMMReg *d = reg_at(env_, a0);
    const X86XMMReg *s = reg_at(env_, a1);

    for (unsigned i = 0; i < 8; i++) {
        if ((a2 >> i) & 1) {
            d->w[i] = s->w[i];
        }
    }
    return 0;
}

IR_HELPER(helper_blendps)
{
    X86XMMReg *d = reg_at(env_, a0);
    const X86XMMReg *s = reg_at(env_, a1);

    for (unsigned i = 0; i < 4; i++) {
        if ((a2 >> i) & 1) {
            d->l[i] = s->l[i];
        }
    }
    return 0;
}

IR_HELPER(helper_blendpd)
{
    X86XMMReg *d = reg_at(env_, a0);
    const X86XMMReg *s = reg_at(env_, a1);

    for (unsigned i = 0; i < 2; i++) {
        if ((a2 >> i) & 1) {
            d->q[i] = s->q[i];
        }
    }
    return 0;
}

IR_HELPER(helper_pblendvb)
{
    X86CPU *env = env_;
    X86XMMReg *d = reg_at(env_, a0), m = env->xmm[0];
    const X86XMMReg *s = reg_at(env_, a1);

    for (unsigned i = 0; i < 16; i++) {
        if (m.b[i] & 0x80) {
            d->b[i] = s->b[i];
        }
    }
    return 0;
}

IR_HELPER(helper_blendvps)
{
    X86CPU *env = env_;
    X86XMMReg *d = reg_at(env_, a0), m = env->xmm[0];
    const X86XMMReg *s = reg_at(env_, a1);

    for (unsigned i = 0; i < 4; i++) {
        if (m.l[i] >> 31) {
            d->l[i] = s->l[i];
        }
    }
    return 0;
}

IR_HELPER(helper_blendvpd)
{
    X86CPU *env = env_;
    X86XMMReg *d = reg_at(env_, a0), m = env->xmm[0];
    const X86XMMReg *s = reg_at(env_, a1);

    for (unsigned i = 0; i < 2; i++) {
        if (m.q[i] >> 63) {
            d->q[i] = s->q[i];
        }
    }
    return 0;
}

/* PMOVSX/PMOVZX: the low 16/from_bytes... elements of s, widened into d */
#define PMOVX(name, from, to, FT, TT)                                                       \
    IR_HELPER(helper_##name)                                                                \
    {                                                                                       \
        X86XMMReg s = reg_copy(env_, a1), r;                                                \
        for (unsigned i = 0; i < 16 / (to); i++) {                                          \
            FT v;                                                                           \
            TT w;                                                                           \
            memcpy(&v, &s.b[i * (from)], sizeof(v));                                        \
            w = (TT)v;                                                                      \
            memcpy(&r.b[i * (to)], &w, sizeof(w));                                          \
        }                                                                                   \
        reg_put(env_, a0, &r, 16);                                                          \
        return 0;                                                                           \
    }
PMOVX(pmovsxbw, 1, 2, int8_t, int16_t)
PMOVX(pmovsxbd, 1, 4, int8_t, int32_t)
PMOVX(pmovsxbq, 1, 8, int8_t, int64_t)
PMOVX(pmovsxwd, 2, 4, int16_t, int32_t)
PMOVX(pmovsxwq, 2, 8, int16_t, int64_t)
PMOVX(pmovsxdq, 4, 8, int32_t, int64_t)
PMOVX(pmovzxbw, 1, 2, uint8_t, uint16_t)
PMOVX(pmovzxbd, 1, 4, uint8_t, uint32_t)
PMOVX(pmovzxbq, 1, 8, uint8_t, uint64_t)
PMOVX(pmovzxwd, 2, 4, uint16_t, uint32_t)
PMOVX(pmovzxwq, 2, 8, uint16_t, uint64_t)
PMOVX(pmovzxdq, 4, 8, uint32_t, uint64_t)

IR_HELPER(helper_ptest)
{
    const X86XMMReg *d = reg_at(env_, a0), *s = reg_at(env_, a1);
    uint64_t fl = 0;

    if (((d->q[0] & s->q[0]) | (d->q[1] & s->q[1])) == 0) {
        fl |= CC_Z;
    }
    if (((~d->q[0] & s->q[0]) | (~d->q[1] & s->q[1])) == 0) {
        fl |= CC_C;
    }
    return fl;
}

IR_HELPER(helper_phminposuw)
{
    X86XMMReg s = reg_copy(env_, a1), r;
    unsigned idx = 0;

    for (unsigned i = 1; i < 8; i++) {
        if (s.w[i] < s.w[idx]) {
            idx = i;
        }
    }
    memset(&r, 0, sizeof(r));
    r.w[0] = s.w[idx];
    r.w[1] = (uint16_t)idx;
    reg_put(env_, a0, &r, 16);
    return 0;
}

IR_HELPER(helper_mpsadbw)
{
    X86XMMReg d = reg_copy(env_, a0), s = reg_copy(env_, a1), r;
    unsigned doff = ((a2 >> 2) & 1) * 4, soff = (a2 & 3) * 4;

    for (unsigned i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (unsigned k = 0; k < 4; k++) {
            int diff = d.b[doff + i + k] - s.b[soff + k];
            sum += diff < 0 ? -diff : diff;
        }
        r.w[i] = (uint16_t)sum;
    }
    reg_put(env_, a0, &r, 16);
    return 0;
}

/* INSERTPS: a3 is 1 for a memory source (a single dword at s.l[0], imm[7:6] ignored). */
IR_HELPER(helper_insertps)
{
    X86XMMReg *d = reg_at(env_, a0);
    const X86XMMReg *s = reg_at(env_, a1);
    uint32_t v = a3 ? s->l[0] : s->l[(a2 >> 6) & 3];

    d->l[(a2 >> 4) & 3] = v;
    for (unsigned i = 0; i < 4; i++) {
        if ((a2 >> i) & 1) {
            d->l[i] = 0;
        }
    }
    return 0;
}

/* ---- SSE4.2 string compares (SDM vol. 2, 4.1 "Imm8 control byte operation for PCMPESTRI /
 * PCMPESTRM / PCMPISTRI / PCMPISTRM") ---- */

/* Element i of r in the control byte's data format: unsigned/signed bytes/words. */
static int str_elem(const X86XMMReg *r, unsigned ctl, unsigned i)
{
    switch (ctl & 3) {
    case 0:
        return r->b[i];
    case 1:
        return r->w[i];
    case 2:
        return (int8_t)r->b[i];
    default:
        return (int16_t)r->w[i];
    }
}

static unsigned implicit_len(const X86XMMReg *r, unsigned ctl, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (str_elem(r, ctl, i) == 0) {
            return i;
        }
    }
    return n;
}

/* |v| saturated to n (lengths in RAX/RDX with REX.W, else EAX/EDX) */
static unsigned explicit_len(uint64_t v, bool wide, unsigned n)
{
    int64_t x = wide ? (int64_t)v : (int64_t)(int32_t)v;
    uint64_t m = x < 0 ? -(uint64_t)x : (uint64_t)x;

    return m > n ? n : (unsigned)m;
}

/*
 * The compare and aggregation of string a (xmm1, la valid elements) with string b (xmm2 or
 * m128, lb valid elements), then the polarity: IntRes2. *flags gets CF ZF SF OF.
 */
static unsigned pcmpstr(const X86XMMReg *a, const X86XMMReg *b, unsigned ctl, unsigned la,
                        unsigned lb, uint64_t *flags)
{
    unsigned n = (ctl & 1) ? 8 : 16, mask = (1u << n) - 1, res1 = 0, res2;

    switch ((ctl >> 2) & 3) {
    case 0: /* equal any: b[j] is one of a[0..la) */
        for (unsigned j = 0; j < lb; j++) {
            int bj = str_elem(b, ctl, j);
            for (unsigned i = 0; i < la; i++) {
                if (str_elem(a, ctl, i) == bj) {
                    res1 |= 1u << j;
                    break;
                }
            }
        }
        break;
    case 1: /* ranges: a[i] <= b[j] <= a[i+1] for an even i with both bounds valid */
        for (unsigned j = 0; j < lb; j++) {
            int bj = str_elem(b, ctl, j);
            for (unsigned i = 0; i + 1 < la; i += 2) {
                if (str_elem(a, ctl, i) <= bj && bj <= str_elem(a, ctl, i + 1)) {
                    res1 |= 1u << j;
                    break;
                }
            }
        }
        break;
    case 2: /* equal each: both invalid compare true, one invalid false */
        for (unsigned i = 0; i < n; i++) {
            bool va = i < la, vb = i < lb;
            if ((!va && !vb) || (va && vb && str_elem(a, ctl, i) == str_elem(b, ctl, i))) {
                res1 |= 1u << i;
            }
        }
        break;
    default: /* equal ordered: a (the needle, invalid elements match) occurs at b[j] */
        for (unsigned j = 0; j < n; j++) {
            bool match = true;
            for (unsigned k = 0; j + k < n && match; k++) {
                if (k >= la) {
                    break;                  /* the needle ended: true from here on */
                }
                if (j + k >= lb || str_elem(a, ctl, k) != str_elem(b, ctl, j + k)) {
                    match = false;
                }
            }
            if (match) {
                res1 |= 1u << j;
            }
        }
        break;
    }
    switch ((ctl >> 4) & 3) {
    case 1:
        res2 = ~res1 & mask;
        break;
    case 3:
        res2 = res1 ^ ((1u << lb) - 1);     /* negate only the valid elements of b */
        break;
    default:
        res2 = res1;
        break;
    }
    *flags = (res2 ? CC_C : 0) | (lb < n ? CC_Z : 0) | (la < n ? CC_S : 0) |
             ((res2 & 1) ? CC_O : 0);
    return res2;
}

static uint64_t str_index(unsigned res2, unsigned ctl)
{
    unsigned n = (ctl & 1) ? 8 : 16;

    if (res2 == 0) {
        return n;
    }
    return (ctl & 0x40) ? 31 - __builtin_clz(res2) : __builtin_ctz(res2);
}

static void str_mask(X86CPU *env, unsigned res2, unsigned ctl)
{
    X86XMMReg r;

    memset(&r, 0, sizeof(r));
    if (!(ctl & 0x40)) {
        r.w[0] = (uint16_t)res2;
    } else if (ctl & 1) {
        for (unsigned i = 0; i < 8; i++) {
            r.w[i] = ((res2 >> i) & 1) ? 0xffff : 0;
        }
    } else {
        for (unsigned i = 0; i < 16; i++) {
            r.b[i] = ((res2 >> i) & 1) ? 0xff : 0;
        }
    }
    env->xmm[0] = r;
}

static unsigned pcmpestr(X86CPU *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t *flags)
{
    X86XMMReg a = reg_copy(env, a0), b = reg_copy(env, a1);
    unsigned ctl = (unsigned)a2, n = (ctl & 1) ? 8 : 16;

    return pcmpstr(&a, &b, ctl, explicit_len(env->regs[R_EAX], a3 != 0, n),
                   explicit_len(env->regs[R_EDX], a3 != 0, n), flags);
}

static unsigned pcmpistr(X86CPU *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t *flags)
{
    X86XMMReg a = reg_copy(env, a0), b = reg_copy(env, a1);
    unsigned ctl = (unsigned)a2, n = (ctl & 1) ? 8 : 16;

    return pcmpstr(&a, &b, ctl, implicit_len(&a, ctl, n), implicit_len(&b, ctl, n), flags);
}

IR_HELPER(helper_pcmpestri)
{
    uint64_t fl;
    unsigned res2 = pcmpestr(env_, a0, a1, a2, a3, &fl);

    return str_index(res2, (unsigned)a2) | (fl << 32);
}

IR_HELPER(helper_pcmpestrm)
{
    uint64_t fl;
    unsigned res2 = pcmpestr(env_, a0, a1, a2, a3, &fl);

    str_mask(env_, res2, (unsigned)a2);
    return fl;
}

IR_HELPER(helper_pcmpistri)
{
    uint64_t fl;
    unsigned res2 = pcmpistr(env_, a0, a1, a2, &fl);

    return str_index(res2, (unsigned)a2) | (fl << 32);
}

IR_HELPER(helper_pcmpistrm)
{
    uint64_t fl;
    unsigned res2 = pcmpistr(env_, a0, a1, a2, &fl);

    str_mask(env_, res2, (unsigned)a2);
    return fl;
}

/* ---- CRC32 ---- */

static uint32_t crc32c_table[256];

static void crc32c_init(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);    /* 0x1EDC6F41 bit-reflected */
        }
        crc32c_table[i] = c;
    }
}

IR_HELPER(helper_crc32)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    uint32_t crc = (uint32_t)a0;

    pthread_once(&once, crc32c_init);
    for (unsigned i = 0; i < a2; i++) {
        crc = (crc >> 8) ^ crc32c_table[(crc ^ (a1 >> (8 * i))) & 0xff];
    }
    return crc;
}

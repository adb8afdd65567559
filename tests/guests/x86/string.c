/* SPDX-License-Identifier: MIT */
/*
 * string.c - tests the string instructions: MOVS STOS LODS CMPS SCAS at byte, word and
 * dword sizes (and MOVSQ/STOSQ in 64-bit mode), with REP, REPE and REPNE, DF=0 and DF=1,
 * counts 0, 1 and many; final ESI/EDI/ECX and flags; overlapping REP MOVSB; 16-bit
 * address size (67 prefix) with SI/DI wrapping inside the segment while the upper halves
 * of ESI/EDI/ECX are kept; 32-bit address size in 64-bit mode; a segment override on the
 * source; OUTS/INS through the 16550 scratch register (port 0x3ff).
 */
#include "guest.h"

#define SEL_SEG16   (SEL_TEST + 0x00)   /* data, base 0x20000, limit 0xffff */
#define SEL_FSALT   (SEL_TEST + 0x08)   /* data, base = alt - src (4 GiB limit) */
#define SEG16_BASE  0x20000u

struct sregs {
    uint32_t esi, edi, ecx, eax, fl;
};

/* Runs insn with ESI EDI ECX EAX and EFLAGS (arithmetic flags and DF) from st; the
 * caller's EFLAGS are restored afterwards. */
#define STRING_OP(insn, st)                                                              \
    __asm__ volatile("pushfl\n\tpushl %%edx\n\tpopfl\n\t" insn                           \
                     "\n\tpushfl\n\tpopl %%edx\n\tpopfl"                                 \
                     : "+S"((st).esi), "+D"((st).edi), "+c"((st).ecx), "+a"((st).eax),   \
                       "+d"((st).fl)                                                     \
                     :                                                                   \
                     : "memory", "cc")

/* global: the 64-bit snippets address them by name */
uint8_t src[512] __attribute__((aligned(16)));
uint8_t dst[512] __attribute__((aligned(16)));
uint8_t alt[512] __attribute__((aligned(16)));

static void fill(void)
{
    for (int i = 0; i < 512; i++) {
        src[i] = (uint8_t)(i * 7 + 1);
        alt[i] = (uint8_t)(0xa0 ^ i);
        dst[i] = 0xee;
    }
}

static bool range_is(const uint8_t *p, const uint8_t *want, int n)
{
    return memcmp(p, want, n) == 0;
}

static bool range_all(const uint8_t *p, uint8_t v, int n)
{
    for (int i = 0; i < n; i++) {
        if (p[i] != v) {
            return false;
        }
    }
    return true;
}

#define U(p) ((uint32_t)(p))

static void test_movs(void)
{
    struct sregs s;

    fill();
    s = (struct sregs){ U(src), U(dst), 37, 0, 0 };
    STRING_OP("rep movsb", s);
    check(range_is(dst, src, 37) && dst[37] == 0xee, "REP MOVSB: 37 bytes copied, no more");
    check_eq("REP MOVSB: ESI advanced", s.esi, U(src) + 37);
    check_eq("REP MOVSB: EDI advanced", s.edi, U(dst) + 37);
    check_eq("REP MOVSB: ECX = 0", s.ecx, 0);

    fill();
    s = (struct sregs){ U(src), U(dst), 0, 0, EFL_ZF | EFL_CF };
    STRING_OP("rep movsb", s);
    check(dst[0] == 0xee, "REP MOVSB count 0: nothing copied");
    check(s.esi == U(src) && s.edi == U(dst), "REP MOVSB count 0: ESI/EDI unchanged");
    check_eq("REP MOVSB count 0: flags unchanged", s.fl & (EFL_ZF | EFL_CF), EFL_ZF | EFL_CF);

    fill();
    s = (struct sregs){ U(src), U(dst), 1, 0, 0 };
    STRING_OP("rep movsw", s);
    check(range_is(dst, src, 2) && dst[2] == 0xee, "REP MOVSW count 1: one word");
    check_eq("REP MOVSW count 1: EDI += 2", s.edi, U(dst) + 2);

    fill();
    s = (struct sregs){ U(src), U(dst), 50, 0, 0 };
    STRING_OP("rep movsl", s);
    check(range_is(dst, src, 200) && dst[200] == 0xee, "REP MOVSD: 50 dwords");
    check_eq("REP MOVSD: ESI += 200", s.esi, U(src) + 200);

    fill();
    s = (struct sregs){ U(src), U(dst), 0, 0, 0 };
    STRING_OP("movsl", s);
    check(range_is(dst, src, 4) && dst[4] == 0xee, "MOVSD without REP: one dword");
    check_eq("MOVSD without REP: ECX untouched", s.ecx, 0);

    /* DF=1: from the last element down */
    fill();
    s = (struct sregs){ U(src) + 99, U(dst) + 99, 100, 0, EFL_DF };
    STRING_OP("rep movsb", s);
    check(range_is(dst, src, 100) && dst[100] == 0xee, "REP MOVSB DF=1: 100 bytes");
    check_eq("REP MOVSB DF=1: ESI decremented", s.esi, U(src) - 1);
    check_eq("REP MOVSB DF=1: EDI decremented", s.edi, U(dst) - 1);
    check_eq("REP MOVSB DF=1: DF still set", s.fl & EFL_DF, EFL_DF);

    fill();
    s = (struct sregs){ U(src) + 36, U(dst) + 36, 10, 0, EFL_DF };
    STRING_OP("rep movsl", s);
    check(range_is(dst, src, 40) && dst[40] == 0xee && dst[0] == src[0],
          "REP MOVSD DF=1: 10 dwords");
    check_eq("REP MOVSD DF=1: EDI -= 40", s.edi, U(dst) - 4);

    fill();
    s = (struct sregs){ U(src) + 18, U(dst) + 18, 10, 0, EFL_DF };
    STRING_OP("rep movsw", s);
    check(range_is(dst, src, 20), "REP MOVSW DF=1: 10 words");

    /* overlapping: element by element, so dst = src + 1 propagates the first byte */
    fill();
    s = (struct sregs){ U(src), U(src) + 1, 16, 0, 0 };
    uint8_t first = src[0];
    STRING_OP("rep movsb", s);
    check(range_all(src, first, 17) && src[17] == (uint8_t)(17 * 7 + 1),
          "REP MOVSB overlapping forward copy propagates byte by byte");
}

static void test_stos_lods(void)
{
    struct sregs s;

    fill();
    s = (struct sregs){ 0, U(dst), 33, 0x5a, 0 };
    STRING_OP("rep stosb", s);
    check(range_all(dst, 0x5a, 33) && dst[33] == 0xee, "REP STOSB: 33 bytes");
    check_eq("REP STOSB: EDI advanced", s.edi, U(dst) + 33);
    fill();
    s = (struct sregs){ 0, U(dst), 8, 0x12345678, 0 };
    STRING_OP("rep stosl", s);
    const uint32_t *d32 = (const uint32_t *)dst;
    check(d32[0] == 0x12345678 && d32[7] == 0x12345678 && d32[8] == 0xeeeeeeee,
          "REP STOSD: 8 dwords");
    fill();
    s = (struct sregs){ 0, U(dst) + 14, 8, 0xbeef, EFL_DF };
    STRING_OP("rep stosw", s);
    const uint16_t *d16 = (const uint16_t *)dst;
    check(d16[0] == 0xbeef && d16[7] == 0xbeef && d16[8] == 0xeeee, "REP STOSW DF=1: 8 words");
    check_eq("REP STOSW DF=1: EDI -= 16", s.edi, U(dst) - 2);
    fill();
    s = (struct sregs){ 0, U(dst), 0, 0x77, 0 };
    STRING_OP("rep stosb", s);
    check(dst[0] == 0xee && s.edi == U(dst), "REP STOSB count 0: nothing stored");

    fill();
    s = (struct sregs){ U(src), 0, 0, 0xffffffff, 0 };
    STRING_OP("lodsb", s);
    check_eq("LODSB: AL loaded, rest of EAX kept", s.eax, 0xffffff00u | src[0]);
    check_eq("LODSB: ESI += 1", s.esi, U(src) + 1);
    s = (struct sregs){ U(src) + 4, 0, 0, 0, 0 };
    STRING_OP("lodsl", s);
    check_eq("LODSD: EAX", s.eax, *(uint32_t *)(src + 4));
    s = (struct sregs){ U(src) + 10, 0, 0, 0xffff0000, EFL_DF };
    STRING_OP("lodsw", s);
    check_eq("LODSW DF=1: AX loaded", s.eax, 0xffff0000u | *(uint16_t *)(src + 10));
    check_eq("LODSW DF=1: ESI -= 2", s.esi, U(src) + 8);
    s = (struct sregs){ U(src), 0, 5, 0, 0 };
    STRING_OP("rep lodsb", s);
    check_eq("REP LODSB: AL holds the last byte", s.eax & 0xff, src[4]);
    check_eq("REP LODSB: ECX = 0", s.ecx, 0);
}

static void test_cmps_scas(void)
{
    struct sregs s;

    fill();
    memcpy(dst, src, 64);
    dst[10] = (uint8_t)(src[10] + 1);       /* first difference at index 10: src < dst */
    s = (struct sregs){ U(src), U(dst), 20, 0, 0 };
    STRING_OP("repe cmpsb", s);
    check_eq("REPE CMPSB: stops after the first difference (ECX)", s.ecx, 20 - 11);
    check_eq("REPE CMPSB: ESI after the difference", s.esi, U(src) + 11);
    check_eq("REPE CMPSB: ZF=0", s.fl & EFL_ZF, 0);
    check_eq("REPE CMPSB: CF=1 (src < dst)", s.fl & EFL_CF, EFL_CF);

    s = (struct sregs){ U(src), U(dst), 8, 0, 0 };
    STRING_OP("repe cmpsb", s);
    check_eq("REPE CMPSB all equal: ECX = 0", s.ecx, 0);
    check_eq("REPE CMPSB all equal: ZF=1", s.fl & EFL_ZF, EFL_ZF);

    s = (struct sregs){ U(src), U(dst), 0, 0, EFL_CF };
    STRING_OP("repe cmpsb", s);
    check_eq("REPE CMPSB count 0: flags unchanged (ZF=0 CF=1)", s.fl & (EFL_ZF | EFL_CF),
             EFL_CF);
    check(s.esi == U(src) && s.edi == U(dst), "REPE CMPSB count 0: ESI/EDI unchanged");

    memset(dst, 0, 64);
    dst[5] = src[5];
    s = (struct sregs){ U(src), U(dst), 20, 0, 0 };
    STRING_OP("repne cmpsb", s);
    check_eq("REPNE CMPSB: stops at the first equal byte", s.ecx, 20 - 6);
    check_eq("REPNE CMPSB: ZF=1", s.fl & EFL_ZF, EFL_ZF);

    memcpy(dst, src, 64);
    ((uint32_t *)dst)[3] ^= 0x80000000;
    s = (struct sregs){ U(src), U(dst), 10, 0, 0 };
    STRING_OP("repe cmpsl", s);
    check_eq("REPE CMPSD: stops after dword 3", s.ecx, 10 - 4);
    check_eq("REPE CMPSD: EDI", s.edi, U(dst) + 16);

    memcpy(dst, src, 64);
    s = (struct sregs){ U(src) + 30, U(dst) + 30, 16, 0, EFL_DF };
    STRING_OP("repe cmpsw", s);
    check_eq("REPE CMPSW DF=1 all equal: ECX", s.ecx, 0);
    check_eq("REPE CMPSW DF=1: ESI", s.esi, U(src) - 2);

    /* SCAS */
    memset(dst, 'a', 64);
    dst[23] = 0;
    s = (struct sregs){ 0, U(dst), 0xffffffff, 0, 0 };
    STRING_OP("repne scasb", s);
    check_eq("REPNE SCASB finds the NUL: EDI after it", s.edi, U(dst) + 24);
    check_eq("REPNE SCASB: ECX = -1 - 24", s.ecx, 0xffffffffu - 24);
    check_eq("REPNE SCASB: ZF=1", s.fl & EFL_ZF, EFL_ZF);
    s = (struct sregs){ 0, U(dst), 10, 'z', 0 };
    STRING_OP("repne scasb", s);
    check_eq("REPNE SCASB not found: ECX = 0", s.ecx, 0);
    check_eq("REPNE SCASB not found: ZF=0", s.fl & EFL_ZF, 0);
    s = (struct sregs){ 0, U(dst), 64, 'a', 0 };
    STRING_OP("repe scasb", s);
    check_eq("REPE SCASB skips the run of 'a'", s.edi, U(dst) + 24);
    check_eq("REPE SCASB: CF from 'a' - 0 (no borrow)", s.fl & (EFL_CF | EFL_ZF), 0);
    ((uint32_t *)dst)[0] = 0x11111111;
    ((uint32_t *)dst)[1] = 0x22222222;
    ((uint32_t *)dst)[2] = 0x33333333;
    s = (struct sregs){ 0, U(dst), 3, 0x33333333, 0 };
    STRING_OP("repne scasl", s);
    check(s.ecx == 0 && (s.fl & EFL_ZF) && s.edi == U(dst) + 12, "REPNE SCASD finds dword 2");
    s = (struct sregs){ 0, U(dst) + 4, 3, 0x2222, EFL_DF };
    STRING_OP("repne scasw", s);
    check(s.ecx == 2 && (s.fl & EFL_ZF) && s.edi == U(dst) + 2, "REPNE SCASW DF=1");
}

static uint32_t seg16_esi, seg16_edi, seg16_ecx;

static void test_addr16_and_override(void)
{
    /* 67 prefix: SI/DI/CX are used and wrap at 64 KiB; upper halves are kept */
    gdt_set(SEL_SEG16, SEG16_BASE, 0xffff, ACC_P | ACC_DATA | ACC_W, FL_DB);
    volatile uint8_t *seg = (volatile uint8_t *)SEG16_BASE;
    seg[0xfffe] = 'a';
    seg[0xffff] = 'b';
    seg[0x0000] = 'c';
    seg[0x0001] = 'd';
    for (int i = 0; i < 8; i++) {
        seg[0x100 + i] = 0;
    }
    __asm__ volatile("push %%ds\n\tpush %%es\n\t"
                     "mov %w3, %%ds\n\tmov %w3, %%es\n\t"
                     "addr16 rep movsb\n\t"
                     "pop %%es\n\tpop %%ds"
                     : "=S"(seg16_esi), "=D"(seg16_edi), "=c"(seg16_ecx)
                     : "r"(SEL_SEG16), "0"(0x5555fffeu), "1"(0x66660100u), "2"(0x77770004u)
                     : "memory");
    check(seg[0x100] == 'a' && seg[0x101] == 'b' && seg[0x102] == 'c' && seg[0x103] == 'd' &&
              seg[0x104] == 0,
          "16-bit address size: REP MOVSB source SI wraps from 0xffff to 0");
    check_eq("16-bit address size: ESI[31:16] kept, SI wrapped", seg16_esi, 0x55550002);
    check_eq("16-bit address size: EDI[31:16] kept", seg16_edi, 0x66660104);
    check_eq("16-bit address size: CX counted, ECX[31:16] kept", seg16_ecx, 0x77770000);

    seg[0xfffe] = seg[0xffff] = seg[0] = seg[1] = 0;
    __asm__ volatile("push %%es\n\tmov %w2, %%es\n\t"
                     "addr16 rep stosw\n\t"
                     "pop %%es"
                     : "=D"(seg16_edi), "=c"(seg16_ecx)
                     : "r"(SEL_SEG16), "0"(0x1234fffeu), "1"(2), "a"(0x4241)
                     : "memory");
    check(seg[0xfffe] == 'A' && seg[0xffff] == 'B' && seg[0] == 'A' && seg[1] == 'B',
          "16-bit address size: REP STOSW destination DI wraps");
    check_eq("16-bit address size: DI after the wrap", seg16_edi, 0x12340002);

    /* FS override on the source: FS:src is alt */
    fill();
    gdt_set(SEL_FSALT, U(alt) - U(src), 0xfffff, ACC_P | ACC_DATA | ACC_W, FL_G | FL_DB);
    struct sregs s = { U(src), U(dst), 16, 0, 0 };
    __asm__ volatile("push %%fs\n\tmov %w5, %%fs\n\t"
                     "rep movsb %%fs:(%%esi), %%es:(%%edi)\n\t"
                     "pop %%fs"
                     : "+S"(s.esi), "+D"(s.edi), "+c"(s.ecx), "+a"(s.eax), "+d"(s.fl)
                     : "r"(SEL_FSALT)
                     : "memory");
    check(range_is(dst, alt, 16) && dst[16] == 0xee, "REP MOVSB with FS override reads FS:ESI");
    check_eq("REP MOVSB with FS override: ESI is an offset", s.esi, U(src) + 16);
    uint32_t v;
    __asm__ volatile("push %%fs\n\tmov %w2, %%fs\n\t"
                     "lodsl %%fs:(%%esi), %%eax\n\t"
                     "pop %%fs"
                     : "=a"(v), "+S"(s.esi)
                     : "r"(SEL_FSALT)
                     : "memory");
    check_eq("LODSD with FS override", v, *(uint32_t *)(alt + 16));
    memcpy(dst, alt, 32);
    s = (struct sregs){ U(src), U(dst), 32, 0, 0 };
    __asm__ volatile("push %%fs\n\tmov %w5, %%fs\n\t"
                     "repe cmpsb %%es:(%%edi), %%fs:(%%esi)\n\t"
                     "pop %%fs"
                     : "+S"(s.esi), "+D"(s.edi), "+c"(s.ecx), "+a"(s.eax), "+d"(s.fl)
                     : "r"(SEL_FSALT)
                     : "memory", "cc");
    check_eq("REPE CMPSB with FS override: all equal", s.ecx, 0);
}

static void test_ports(void)
{
    /* 16550 scratch register: whatever was written last is read back */
    static const uint8_t out[3] = { 'x', 'y', 'z' };
    uint8_t in[4] = { 0, 0, 0, 0 };
    uint32_t esi = U(out), edi = U(in), ecx = 3;
    __asm__ volatile("rep outsb" : "+S"(esi), "+c"(ecx) : "d"(0x3ff) : "memory");
    check_eq("REP OUTSB: ESI advanced", esi, U(out) + 3);
    check_eq("REP OUTSB: last byte is in the scratch register", inb(0x3ff), 'z');
    ecx = 2;
    __asm__ volatile("rep insb" : "+D"(edi), "+c"(ecx) : "d"(0x3ff) : "memory");
    check(in[0] == 'z' && in[1] == 'z' && in[2] == 0, "REP INSB: two bytes from the port");
    check_eq("REP INSB: EDI advanced", edi, U(in) + 2);
}

/* ---- 64-bit: MOVSQ, STOSQ, 32-bit address size ---- */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));
uint64_t str64_res[4];

ASM_FN(s64_movsq, ".code64\n"
                  "lea src(%rip), %rsi\n lea dst(%rip), %rdi\n mov $7, %ecx\n"
                  "rep movsq\n"
                  "lea src(%rip), %rax\n sub %rax, %rsi\n mov %rsi, str64_res(%rip)\n"
                  "mov %rcx, str64_res+8(%rip)\n ret\n .code32");
ASM_FN(s64_stosq, ".code64\n"
                  "lea dst+8*9(%rip), %rdi\n mov $4, %ecx\n movabs $0x0123456789abcdef, %rax\n"
                  "std\n rep stosq\n cld\n"
                  "lea dst(%rip), %rax\n mov %rdi, %rdx\n sub %rax, %rdx\n"
                  "mov %rdx, str64_res(%rip)\n ret\n .code32");
ASM_FN(s64_addr32, ".code64\n"
                   "lea src(%rip), %rsi\n lea dst(%rip), %rdi\n"
                   "movabs $0xdead000000000000, %rax\n or %rax, %rsi\n or %rax, %rdi\n"
                   "mov $5, %ecx\n"
                   "addr32 rep movsb\n"
                   "mov %rsi, str64_res(%rip)\n mov %rdi, str64_res+8(%rip)\n ret\n .code32");

static void test_64bit(void)
{
    build_identity_4level(pml4, pdpt, pd);
    long_enter(U(pml4));
    fill();
    call64((void *)s64_movsq, 0);
    check(range_is(dst, src, 56) && dst[56] == 0xee, "64-bit REP MOVSQ: 7 qwords");
    check_eq64("64-bit REP MOVSQ: RSI += 56", str64_res[0], 56);
    check_eq64("64-bit REP MOVSQ: RCX = 0", str64_res[1], 0);
    fill();
    call64((void *)s64_stosq, 0);
    const uint64_t *d64 = (const uint64_t *)dst;
    check(d64[9] == 0x0123456789abcdefull && d64[6] == 0x0123456789abcdefull &&
              d64[5] == 0xeeeeeeeeeeeeeeeeull && d64[10] == 0xeeeeeeeeeeeeeeeeull,
          "64-bit REP STOSQ DF=1: 4 qwords");
    check_eq64("64-bit REP STOSQ DF=1: RDI", str64_res[0], 8 * 5);
    fill();
    call64((void *)s64_addr32, 0);
    check(range_is(dst, src, 5) && dst[5] == 0xee,
          "64-bit mode, 32-bit address size: ESI/EDI address, upper bits ignored");
    check_eq64("64-bit mode, 32-bit address size: RSI zero-extended", str64_res[0], U(src) + 5);
    check_eq64("64-bit mode, 32-bit address size: RDI zero-extended", str64_res[1], U(dst) + 5);
    long_exit();
}

int main(void)
{
    test_movs();
    test_stos_lods();
    test_cmps_scas();
    test_addr16_and_override();
    test_ports();
    test_64bit();
    finish();
}

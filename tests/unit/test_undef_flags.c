/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_undef_flags.c — unit tests of cpu/x86/undef_flags.c: the EFLAGS bits
 * each instruction leaves undefined, per the "Flags Affected" sections of the Intel SDM
 * vol. 2, for encodings in 16-, 32- and 64-bit mode, with shift counts from immediates,
 * from CL (masked to 5 or 6 bits) and of 1. Expected values are written from the SDM text.
 */
#include "cpu/x86/undef_flags.h"
#include <check.h>
#include <stdio.h>

#define CF X86_UNDEF_CF
#define PF X86_UNDEF_PF
#define AF X86_UNDEF_AF
#define ZF X86_UNDEF_ZF
#define SF X86_UNDEF_SF
#define OF X86_UNDEF_OF
#define ALL X86_UNDEF_ALL6

typedef struct Case {
    const char *what;
    int mode;
    uint8_t code[15];
    unsigned len;
    uint64_t rcx;
    uint32_t expect;
} Case;

static void run_cases(const Case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t got = x86_undef_flags_code(c[i].code, c[i].len, c[i].mode, c[i].rcx);
        ck_assert_msg(got == c[i].expect, "%s (mode %d, rcx %#llx): undefined %#x, expected %#x",
                      c[i].what, c[i].mode, (unsigned long long)c[i].rcx, got, c[i].expect);
    }
}

START_TEST(test_arith)
{
    static const Case c[] = {
        { "mul ecx", 32, { 0xf7, 0xe1 }, 2, 0, SF | ZF | AF | PF },
        { "mul cl", 32, { 0xf6, 0xe1 }, 2, 0, SF | ZF | AF | PF },
        { "imul eax, ecx", 32, { 0x0f, 0xaf, 0xc1 }, 3, 0, SF | ZF | AF | PF },
        { "imul eax, ecx, 7", 32, { 0x6b, 0xc1, 0x07 }, 3, 0, SF | ZF | AF | PF },
        { "imul rcx (one operand)", 64, { 0x48, 0xf7, 0xe9 }, 3, 0, SF | ZF | AF | PF },
        { "div ecx", 32, { 0xf7, 0xf1 }, 2, 0, ALL },
        { "idiv byte [bx]", 16, { 0xf6, 0x3f }, 2, 0, ALL },
        { "and eax, ecx", 32, { 0x21, 0xc8 }, 2, 0, AF },
        { "or al, 1", 32, { 0x0c, 0x01 }, 2, 0, AF },
        { "xor r8, r9", 64, { 0x4d, 0x31, 0xc8 }, 3, 0, AF },
        { "test eax, 4 (A9)", 32, { 0xa9, 4, 0, 0, 0 }, 5, 0, AF },
        { "test cl, 1 (F6 /0)", 32, { 0xf6, 0xc1, 0x01 }, 3, 0, AF },
        { "and dword [eax], 5 (83 /4)", 32, { 0x83, 0x20, 0x05 }, 3, 0, AF },
        { "add eax, ecx: all defined", 32, { 0x01, 0xc8 }, 2, 0, 0 },
        { "sub al, 1: all defined", 32, { 0x2c, 0x01 }, 2, 0, 0 },
        { "inc eax: all defined", 32, { 0x40 }, 1, 0, 0 },
        { "neg ecx: all defined", 32, { 0xf7, 0xd9 }, 2, 0, 0 },
        { "cmp eax, ecx: all defined", 32, { 0x39, 0xc8 }, 2, 0, 0 },
        { "mov eax, ecx: none", 32, { 0x89, 0xc8 }, 2, 0, 0 },
        { "popcnt eax, ecx: all defined", 32, { 0xf3, 0x0f, 0xb8, 0xc1 }, 4, 0, 0 },
        { "cpuid", 32, { 0x0f, 0xa2 }, 2, 0, 0 },
    };
    run_cases(c, sizeof(c) / sizeof(c[0]));
}
END_TEST

START_TEST(test_shifts)
{
    static const Case c[] = {
        { "shl eax, 1 (D1)", 32, { 0xd1, 0xe0 }, 2, 0, AF },
        { "shr eax, 1 (C1 imm 1)", 32, { 0xc1, 0xe8, 0x01 }, 3, 0, AF },
        { "sar eax, 5", 32, { 0xc1, 0xf8, 0x05 }, 3, 0, AF | OF },
        { "shl eax, 0: nothing changes", 32, { 0xc1, 0xe0, 0x00 }, 3, 0, 0 },
        { "shl eax, 32: count masked to 0", 32, { 0xc1, 0xe0, 0x20 }, 3, 0, 0 },
        { "shl eax, cl (cl=0)", 32, { 0xd3, 0xe0 }, 2, 0x100, 0 },
        { "shl eax, cl (cl=1)", 32, { 0xd3, 0xe0 }, 2, 0xff01, AF },
        { "shl eax, cl (cl=3)", 32, { 0xd3, 0xe0 }, 2, 3, AF | OF },
        { "shl eax, cl (cl=33: masked to 1)", 32, { 0xd3, 0xe0 }, 2, 33, AF },
        { "shl rax, cl (cl=33: 6-bit mask)", 64, { 0x48, 0xd3, 0xe0 }, 3, 33, AF | OF },
        { "shl rax, cl (cl=64: masked to 0)", 64, { 0x48, 0xd3, 0xe0 }, 3, 64, 0 },
        { "shl al, cl (cl=8: CF undefined)", 32, { 0xd2, 0xe0 }, 2, 8, AF | OF | CF },
        { "shr ax, 16 (CF undefined)", 32, { 0x66, 0xc1, 0xe8, 0x10 }, 4, 0, AF | OF | CF },
        { "shr ax, 15", 32, { 0x66, 0xc1, 0xe8, 0x0f }, 4, 0, AF | OF },
        { "sar al, 9 (CF defined for SAR)", 32, { 0xc0, 0xf8, 0x09 }, 3, 0, AF | OF },
        { "shl ax, 4 in 16-bit code", 16, { 0xc1, 0xe0, 0x04 }, 3, 0, AF | OF },
        { "rol eax, 1", 32, { 0xd1, 0xc0 }, 2, 0, 0 },
        { "rol eax, 4", 32, { 0xc1, 0xc0, 0x04 }, 3, 0, OF },
        { "ror al, cl (cl=0)", 32, { 0xd2, 0xc8 }, 2, 0, 0 },
        { "rcl bl, cl (cl=9)", 32, { 0xd2, 0xd3 }, 2, 9, OF },
        { "rcr ecx, 1", 32, { 0xd1, 0xd9 }, 2, 0, 0 },
        { "shld eax, ecx, 1", 32, { 0x0f, 0xa4, 0xc8, 0x01 }, 4, 0, AF },
        { "shld eax, ecx, 4", 32, { 0x0f, 0xa4, 0xc8, 0x04 }, 4, 0, AF | OF },
        { "shrd eax, ecx, cl (cl=0)", 32, { 0x0f, 0xad, 0xc8 }, 3, 0, 0 },
        { "shrd ax, cx, cl (cl=17 > 16: all)", 32, { 0x66, 0x0f, 0xad, 0xc8 }, 4, 17, ALL },
        { "shrd ax, cx, 16", 32, { 0x66, 0x0f, 0xac, 0xc8, 0x10 }, 5, 0, AF | OF },
        { "shld rax, rcx, 40", 64, { 0x48, 0x0f, 0xa4, 0xc8, 40 }, 5, 0, AF | OF },
    };
    run_cases(c, sizeof(c) / sizeof(c[0]));
}
END_TEST

START_TEST(test_bits_and_bcd)
{
    static const Case c[] = {
        { "bt eax, ecx", 32, { 0x0f, 0xa3, 0xc8 }, 3, 0, OF | SF | AF | PF },
        { "bts eax, 3", 32, { 0x0f, 0xba, 0xe8, 0x03 }, 4, 0, OF | SF | AF | PF },
        { "btr [eax], ecx", 32, { 0x0f, 0xb3, 0x08 }, 3, 0, OF | SF | AF | PF },
        { "btc eax, ecx", 32, { 0x0f, 0xbb, 0xc8 }, 3, 0, OF | SF | AF | PF },
        { "bsf eax, ecx", 32, { 0x0f, 0xbc, 0xc1 }, 3, 0, CF | OF | SF | AF | PF },
        { "bsr eax, ecx", 32, { 0x0f, 0xbd, 0xc1 }, 3, 0, CF | OF | SF | AF | PF },
        { "tzcnt eax, ecx", 32, { 0xf3, 0x0f, 0xbc, 0xc1 }, 4, 0, OF | SF | AF | PF },
        { "lzcnt eax, ecx", 32, { 0xf3, 0x0f, 0xbd, 0xc1 }, 4, 0, OF | SF | AF | PF },
        { "aaa", 32, { 0x37 }, 1, 0, OF | SF | ZF | PF },
        { "aas", 16, { 0x3f }, 1, 0, OF | SF | ZF | PF },
        { "daa", 32, { 0x27 }, 1, 0, OF },
        { "das", 32, { 0x2f }, 1, 0, OF },
        { "aam", 32, { 0xd4, 0x0a }, 2, 0, OF | AF | CF },
        { "aad", 32, { 0xd5, 0x0a }, 2, 0, OF | AF | CF },
        { "daa is invalid in 64-bit mode: #UD changes nothing", 64, { 0x27 }, 1, 0, 0 },
    };
    run_cases(c, sizeof(c) / sizeof(c[0]));
}
END_TEST

static Suite *undef_flags_suite(void)
{
    Suite *s = suite_create("undef_flags");
    TCase *tc = tcase_create("sdm");

    tcase_add_test(tc, test_arith);
    tcase_add_test(tc, test_shifts);
    tcase_add_test(tc, test_bits_and_bcd);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(undef_flags_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

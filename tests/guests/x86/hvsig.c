/* SPDX-License-Identifier: MIT */
/*
 * hvsig.c - prints what CPUID tells a guest about the processor and the hypervisor: the
 * leaf 0 vendor string, the hypervisor-present bit (CPUID.1:ECX[31]) and, when that bit is
 * set, the hypervisor leaf 0x40000000 (its highest leaf in EAX, its signature in
 * EBX:ECX:EDX), then exits through isa-debug-exit.
 *
 * Its output legitimately differs between accelerators (tandem's tcg claims no hypervisor;
 * KVM exposes its KVMKVMKVM leaves; QEMU's TCG says TCGTCGTCGTCG): `tandem --compare
 * tcg,kvm` must report that difference, and hvsig.kvmdiff keeps it out of the guests that
 * must print the same under every accelerator. The checks are the ones every CPU (real or
 * virtual) must pass: a printable vendor, a basic leaf 1, and hypervisor leaves that
 * start at 0x40000000 when the bit claims a hypervisor (the bit and the leaf range as
 * Intel's SDM vol. 2A, CPUID, and the kernel's Documentation/virt/kvm/x86/cpuid.rst say).
 *
 * Not covered: the hypervisor's other leaves (0x40000001 features), vendor-specific ones.
 */
#include "guest.h"

static void put_sig(char out[13], uint32_t r0, uint32_t r1, uint32_t r2)
{
    const uint32_t r[3] = { r0, r1, r2 };

    for (int i = 0; i < 12; i++) {
        char ch = (char)(r[i / 4] >> (8 * (i % 4)));
        out[i] = (ch >= 0x20 && ch < 0x7f) ? ch : '.';
    }
    out[12] = '\0';
}

static bool printable12(uint32_t r0, uint32_t r1, uint32_t r2)
{
    const uint32_t r[3] = { r0, r1, r2 };

    for (int i = 0; i < 12; i++) {
        char ch = (char)(r[i / 4] >> (8 * (i % 4)));
        if (ch < 0x20 || ch >= 0x7f) {
            return false;
        }
    }
    return true;
}

int main(void)
{
    uint32_t a, b, c, d, max_basic;
    char sig[13];
    bool hv;

    cpuid(0, 0, &a, &b, &c, &d);
    max_basic = a;
    put_sig(sig, b, d, c);      /* the vendor is EBX, EDX, ECX */
    printf("hvsig: CPUID leaf 0: highest basic leaf 0x%x, vendor \"%s\"\n", max_basic, sig);
    check(printable12(b, d, c), "the vendor string is 12 printable characters");
    check(max_basic >= 1, "CPUID has leaf 1");

    cpuid(1, 0, &a, &b, &c, &d);
    hv = (c >> 31) & 1;
    printf("hvsig: CPUID.1:ECX.hypervisor = %d\n", hv);
    if (hv) {
        cpuid(0x40000000, 0, &a, &b, &c, &d);
        put_sig(sig, b, c, d);  /* the signature is EBX, ECX, EDX */
        printf("hvsig: CPUID leaf 0x40000000: highest hypervisor leaf 0x%x, signature \"%s\"\n",
               a, sig);
        check(a >= 0x40000000 && a < 0x40010000,
              "the highest hypervisor leaf is in the 0x400000xx range");
    } else {
        printf("hvsig: CPUID leaf 0x40000000: not read (no hypervisor claimed)\n");
        pass("no hypervisor claimed: its leaves are not part of the interface");
    }
    finish();
}

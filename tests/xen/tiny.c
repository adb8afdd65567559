/* SPDX-License-Identifier: MIT */
/*
 * tiny.c - the smallest Xen HVM guest of the Xen tests: loaded by xl as `firmware=` in
 * place of hvmloader (an ELF32 at 1 MiB, entered in flat 32-bit protected mode, paging
 * off), it prints on COM1, which the device model emulates, checks that it runs in a Xen
 * HVM domain (CPUID's hypervisor leaves), reads and writes the scratch MMIO of pc-testdev
 * at 0xFF000000 that tandem's xenfv board has (1, 2 and 4-byte accesses, and rep movsl in
 * both directions, which Xen hands over with the data in guest RAM), and ends with the
 * runtime's DONE line. A device model without that device (Debian's qemu-xen) fails the
 * first probe: the MMIO checks are then skipped with an "XEN-TINY: SKIP" line. It does not
 * use PCI, interrupts, 8-byte MMIO or the Xen platform device. Built with tests/guests/x86/lib;
 * the Multiboot magic is not checked: Xen does not enter firmware through Multiboot.
 */
#include "guest.h"

#define SCRATCH 0xFF000000u

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }
static uint16_t rd16(uint32_t a) { return *(volatile uint16_t *)a; }
static uint8_t rd8(uint32_t a) { return *(volatile uint8_t *)a; }
static void wr32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static void wr16(uint32_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static void wr8(uint32_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

static void rep_movsl(void *dst, const void *src, uint32_t n)
{
    __asm__ volatile("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void mmio_checks(void)
{
    static uint32_t out[4] = { 0x01234567, 0x89abcdef, 0xfeedface, 0x0badf00d }, in[4];

    wr32(SCRATCH + 0x10, 0xa5c3f00d);
    uint32_t probe = rd32(SCRATCH + 0x10);
    if (probe != 0xa5c3f00d) {
        printf("XEN-TINY: SKIP: no scratch MMIO at 0x%x (read back 0x%x): the device model"
               " has no pc-testdev\n", SCRATCH, probe);
        return;
    }
    printf("XEN-TINY: scratch MMIO at 0x%x present\n", SCRATCH);
    for (uint32_t i = 0; i < 4; i++) {
        wr8(SCRATCH + i, (uint8_t)(0x11 * (i + 1)));
    }
    check_eq("MMIO 4 byte writes, dword read", rd32(SCRATCH), 0x44332211);
    wr16(SCRATCH + 2, 0xbeef);
    check_eq("MMIO word write, dword read", rd32(SCRATCH), 0xbeef2211);
    check_eq("MMIO word read", rd16(SCRATCH), 0x2211);
    check_eq("MMIO byte read", rd8(SCRATCH + 3), 0xbe);
    wr32(SCRATCH + 0x1000, 0x5a5aa5a5);
    check_eq("MMIO dword at +0x1000", rd32(SCRATCH + 0x1000), 0x5a5aa5a5);
    rep_movsl((void *)(SCRATCH + 0x100), out, 4);
    for (uint32_t i = 0; i < 4; i++) {
        check_eq(fmt_name("MMIO rep movsl to the device, dword %u", i), rd32(SCRATCH + 0x100 + 4 * i),
                 out[i]);
    }
    wr32(SCRATCH + 0x108, 0x600df00d);
    rep_movsl(in, (const void *)(SCRATCH + 0x100), 4);
    check_eq("MMIO rep movsl from the device, dword 0", in[0], out[0]);
    check_eq("MMIO rep movsl from the device, dword 2", in[2], 0x600df00d);
    check_eq("MMIO rep movsl from the device, dword 3", in[3], out[3]);
}

int main(void)
{
    uint32_t r[4];

    printf("XEN-TINY: hello from an HVM guest, over the device model's COM1\n");
    check((read_cr0() & CR0_PE) != 0, "protected mode (CR0.PE=1)");
    check((read_cr0() & CR0_PG) == 0, "paging off at entry (CR0.PG=0)");
    cpuid(1, 0, &r[0], &r[1], &r[2], &r[3]);
    check((r[2] >> 31) & 1, "CPUID.1:ECX.hypervisor set");
    /* Xen's leaves start at 0x40000000, or at 0x40000100 when Viridian is on */
    int found = 0;
    for (uint32_t base = 0x40000000; base < 0x40010000 && !found; base += 0x100) {
        cpuid(base, 0, &r[0], &r[1], &r[2], &r[3]);
        found = r[1] == 0x566e6558 && r[2] == 0x65584d4d && r[3] == 0x4d4d566e; /* XenVMMXenVMM */
    }
    check(found, "CPUID hypervisor signature XenVMMXenVMM");
    mmio_checks();
    finish();
}

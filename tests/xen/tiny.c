/* SPDX-License-Identifier: MIT */
/*
 * tiny.c - the smallest Xen HVM guest of the Xen tests: loaded by xl as `firmware=` in
 * place of hvmloader (an ELF32 at 1 MiB, entered in flat 32-bit protected mode, paging
 * off), it prints on COM1, which the device model emulates, checks that it runs in a Xen
 * HVM domain (CPUID's hypervisor leaves) and ends with the runtime's DONE line. It does
 * not use PCI, interrupts or the Xen platform device. Built with tests/guests/x86/lib;
 * the Multiboot magic is not checked: Xen does not enter firmware through Multiboot.
 */
#include "guest.h"

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
    finish();
}

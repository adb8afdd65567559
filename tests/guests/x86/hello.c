/* SPDX-License-Identifier: MIT */
/*
 * hello.c - smoke test: the guest was entered through Multiboot with the state a BIOS
 * leaves, prints a line on COM1 and exits with 0 through isa-debug-exit.
 */
#include "guest.h"

/* The real-mode IVT entry (offset, segment) of vector v, at physical address 4 * v */
static uint32_t ivt_entry(uint32_t v)
{
    uint32_t e;
    __asm__ volatile("movl (%1), %0" : "=r"(e) : "r"(v * 4) : "memory");
    return e;
}

int main(void)
{
    printf("hello from the tandem x86 test guest\n");
    check_eq("multiboot magic in EAX", mb_magic, 0x2badb002);
    check((read_cr0() & CR0_PE) != 0, "protected mode (CR0.PE=1)");
    check((read_cr0() & CR0_PG) == 0, "paging off at entry (CR0.PG=0)");
    check_eq("CS is the runtime's flat code segment", read_cs(), SEL_KCODE);
    check_eq("TR holds the runtime's TSS", read_tr(), SEL_TSS);

    /* What a PC BIOS leaves for the kernel: the timer IRQ 0 and the cascade unmasked at
     * the 8259 pair (vector bases 0x08 and 0x70), and a real-mode IVT whose IRQ vectors
     * point into the BIOS segment F000 (real-mode code may STI; HLT until the tick) */
    check_eq("BIOS state: PIC IRQ 0 and 2 unmasked", inb(0x21) & 0x05, 0);
    check_eq("BIOS state: IVT vector 0x08 (IRQ 0) in segment F000", ivt_entry(0x08) >> 16,
             0xf000);
    check_eq("BIOS state: IVT vector 0x70 (IRQ 8) in segment F000", ivt_entry(0x70) >> 16,
             0xf000);
    finish();
}

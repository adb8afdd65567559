/* SPDX-License-Identifier: MIT */
/*
 * hello.c - smoke test: the guest was entered through Multiboot, prints a line on
 * COM1 and exits with 0 through isa-debug-exit.
 */
#include "guest.h"

int main(void)
{
    printf("hello from the tandem x86 test guest\n");
    check_eq("multiboot magic in EAX", mb_magic, 0x2badb002);
    check((read_cr0() & CR0_PE) != 0, "protected mode (CR0.PE=1)");
    check((read_cr0() & CR0_PG) == 0, "paging off at entry (CR0.PG=0)");
    check_eq("CS is the runtime's flat code segment", read_cs(), SEL_KCODE);
    check_eq("TR holds the runtime's TSS", read_tr(), SEL_TSS);
    finish();
}

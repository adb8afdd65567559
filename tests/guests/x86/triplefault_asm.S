/* SPDX-License-Identifier: MIT */
/*
 * triplefault_asm.S - the 64-bit part of triplefault.c: an IDT limit of 0, then INT3.
 */
#include "guest.h"

    .text
    .code64
    .globl tf64_crash
tf64_crash:
    lidt tf_idt_none(%rip)
    int3
1:  hlt
    jmp 1b

    .data
    .balign 16
tf_idt_none:
    .word 0
    .long 0, 0

/* SPDX-License-Identifier: MIT */
/*
 * smp_asm.S - the application processor's way in for the smp guest: a real-mode
 * trampoline that the BSP copies below 1 MiB and names in its start-up IPI (Intel SDM
 * vol. 3A 9.4.4 "MP Initialization Example", 10.6 "INIT and SIPI"), and the 32-bit entry
 * it jumps to once in protected mode. The BSP fills in the trampoline's GDT pointer and
 * far jump target before it sends the SIPI.
 */
#include "guest.h"

    .text
    .code16
    .globl ap_tramp, ap_tramp_gdt, ap_tramp_entry, ap_tramp_end
ap_tramp:                               /* runs at CS:IP = vector << 8 : 0 */
    cli
    mov %cs, %ax
    mov %ax, %ds
    lgdtl ap_tramp_gdt - ap_tramp
    mov %cr0, %eax
    or $1, %al                          /* CR0.PE */
    mov %eax, %cr0
    ljmpl *(ap_tramp_entry - ap_tramp)
    .align 4
ap_tramp_gdt:                           /* limit, base: the runtime's GDT */
    .word 0
    .long 0
    .align 4
ap_tramp_entry:                         /* offset, selector: ap_entry32 in SEL_KCODE */
    .long 0
    .word SEL_KCODE
ap_tramp_end:

    .code32
    .globl ap_entry32
ap_entry32:
    mov $SEL_KDATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $ap_stack_top, %esp
    call ap_main
1:  cli
    hlt
    jmp 1b

    .bss
    .align 16
    .skip 8192
ap_stack_top:

    .section .note.GNU-stack, "", @progbits

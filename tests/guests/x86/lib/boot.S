/* SPDX-License-Identifier: MIT */
/*
 * boot.S - Multiboot v1 header and 32-bit entry of the test guests, the 32-bit
 * exception stubs, the exception catcher (catch_call / catch_resume) and ring-3 entry.
 *
 * The loader enters _start in 32-bit protected mode with flat segments, paging off,
 * EAX=0x2BADB002 and EBX=the Multiboot information (Multiboot spec 0.6.96, 3.2).
 * AT&T syntax throughout.
 */
#include "guest.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000002             /* ask for the memory fields; no a.out kludge */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .bss
    .align 16
boot_stack:
    .skip 16384
    .globl boot_stack_top
boot_stack_top:
    .skip 16
    .align 16
    .skip 8192
    .globl trap_stack_top
trap_stack_top:                         /* TSS.ESP0: where ring-3 traps land */
    .skip 16
    .align 16
    .skip 8192
    .globl user_stack_top
user_stack_top:
    .skip 16

    .section .data
    .globl mb_magic, mb_info
mb_magic: .long 0
mb_info:  .long 0
    .globl catch_esp, catch_armed
catch_esp:   .long 0
catch_armed: .long 0
user_fn:     .long 0
user_esp:    .long 0
user_eflags: .long 0

    .text
    .globl _start
_start:
    cli
    cld
    mov %eax, mb_magic
    mov %ebx, mb_info
    /* Zero .bss ourselves: not every loader is trusted to do it. */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    lgdt gdt_desc
    ljmp $SEL_KCODE, $1f
1:  mov $SEL_KDATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    mov %eax, %ss
    mov $boot_stack_top, %esp
    xor %ebp, %ebp
    call lib_init
    call main
    push %eax
    call exit
2:  hlt
    jmp 2b

/*
 * 32-bit exception stubs, 16 bytes apart: stub(vec) = isr_stubs + vec * 16. Vectors
 * for which the CPU pushes an error code (8, 10-14, 17, 21, 29, 30) skip the dummy push.
 */
    .align 16
    .globl isr_stubs
isr_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    push $0
    .endif
    push $vec
    jmp isr_common
    .set vec, vec + 1
    .endr

isr_common:
    pushal
    push %ds
    push %es
    push %fs
    push %gs
    mov $SEL_KDATA, %eax
    mov %eax, %ds
    mov %eax, %es
    cld
    push %esp
    call trap_dispatch32
    add $4, %esp
    pop %gs
    pop %fs
    pop %es
    pop %ds
    popal
    add $8, %esp
    iret

/* int catch_call(void (*fn)(uint32_t), uint32_t arg) */
    .globl catch_call
catch_call:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, catch_esp
    movl $1, catch_armed
    mov 20(%esp), %eax              /* fn */
    pushl 24(%esp)                  /* arg */
    call *%eax
    add $4, %esp
    movl $0, catch_armed
    xor %eax, %eax
    jmp 1f
/* Entered by the trap dispatcher (32-bit) or by an IRET from the 64-bit stubs. */
    .globl catch_resume
catch_resume:
    mov $SEL_KDATA, %eax
    mov %eax, %ss
    mov catch_esp, %esp
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    pushl $0x2
    popfl
    movl $0, catch_armed
    mov $1, %eax
1:  pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* uint32_t run_user(void (*fn)(void), uint32_t ustack_top, uint32_t eflags) */
    .globl run_user
run_user:
    mov 4(%esp), %eax
    mov %eax, user_fn
    mov 8(%esp), %eax
    mov %eax, user_esp
    mov 12(%esp), %eax
    mov %eax, user_eflags
    pushl $0
    pushl $user_tramp
    call catch_call
    add $8, %esp
    test %eax, %eax
    jz 2f
    mov trap_last + TI_VECTOR, %eax
    ret
2:  mov $0xffffffff, %eax           /* cannot happen: user_tramp never returns */
    ret

user_tramp:
    mov $(SEL_UDATA | 3), %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    pushl $(SEL_UDATA | 3)
    pushl user_esp
    pushl user_eflags
    pushl $(SEL_UCODE | 3)
    pushl user_fn
    iret

    .section .note.GNU-stack, "", @progbits

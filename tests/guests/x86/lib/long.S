/* SPDX-License-Identifier: MIT */
/*
 * long.S - IA-32e (long mode) support of the x86 test guests: entry and exit
 * (Intel SDM vol. 3A, 10.8.5 "Initializing IA-32e Mode" and 10.8.5.4 "Switching Out
 * of IA-32e Mode"), call64 (far call from compatibility mode into a 64-bit function),
 * and the 64-bit exception stubs that hand exceptions to catch_resume.
 *
 * The guests' C code keeps running in compatibility mode (CS=SEL_KCODE, L=0) while
 * IA-32e mode is active; 64-bit code is assembly reached through call64.
 * All 64-bit memory references are RIP-relative or 32-bit immediates (ELF32 image).
 */
#include "guest.h"

#define CR0_PG  0x80000000
#define CR4_PAE 0x20
#define EFER    0xc0000080
#define LME     0x100

    .text
    .code32
/* void long_enter(uint32_t pml4) */
    .globl long_enter
long_enter:
    mov 4(%esp), %edx
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov %edx, %cr3
    mov $EFER, %ecx
    rdmsr
    or $LME, %eax
    wrmsr
    mov %cr0, %eax
    or $CR0_PG, %eax
    mov %eax, %cr0                  /* EFER.LMA=1: compatibility mode from here */
    jmp 1f
1:  lidt idt64_desc
    ret

/* void long_exit(void): must be called in compatibility mode */
    .globl long_exit
long_exit:
    mov %cr0, %eax
    and $~CR0_PG, %eax
    mov %eax, %cr0                  /* leaves IA-32e mode: EFER.LMA=0 */
    jmp 1f
1:  mov $EFER, %ecx
    rdmsr
    and $~LME, %eax
    wrmsr
    mov %cr4, %eax
    and $~CR4_PAE, %eax
    mov %eax, %cr4
    jmp idt_load32                  /* tail call */

/* uint64_t call64(void *fn, uint64_t arg) */
    .globl call64
call64:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov 20(%esp), %eax
    mov 24(%esp), %edi
    mov 28(%esp), %esi
    lcall $SEL_CODE64, $thunk64
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

    .code64
thunk64:
    mov %esp, %esp                  /* a 32-bit write zero-extends RSP */
    mov %eax, %eax
    mov %edi, %edi
    shl $32, %rsi
    or %rsi, %rdi
    mov %rsp, %rbp
    and $-16, %rsp
    call *%rax                      /* SysV: callee keeps rbx, rbp, r12-r15 */
    mov %rbp, %rsp
    mov %rax, %rdx
    shr $32, %rdx
    lretl                           /* 32-bit far return to compatibility mode */

/* 64-bit exception stubs, 16 bytes apart; the same error-code vectors as boot.S. */
    .align 16
    .globl isr64_stubs
isr64_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq $0
    .endif
    pushq $vec
    jmp isr64_common
    .set vec, vec + 1
    .endr

/*
 * Records the exception in trap_last, then IRETQs into compatibility mode: at
 * catch_resume when a catch_call is armed, else at trap_unexpected64 on the trap stack.
 */
isr64_common:
    push %rax
    push %rdx
    /* 0:rdx 8:rax 16:vector 24:error 32:rip 40:cs 48:rflags 56:rsp 64:ss */
    mov 16(%rsp), %eax
    mov %eax, trap_last + TI_VECTOR(%rip)
    mov 24(%rsp), %eax
    mov %eax, trap_last + TI_ERROR(%rip)
    mov 32(%rsp), %rax
    mov %rax, trap_last + TI_RIP(%rip)
    mov %eax, trap_last + TI_EIP(%rip)
    mov 40(%rsp), %eax
    mov %eax, trap_last + TI_CS(%rip)
    mov 48(%rsp), %eax
    mov %eax, trap_last + TI_EFLAGS(%rip)
    mov %cr2, %rax
    mov %rax, trap_last + TI_CR2(%rip)
    movl $0, trap_last + TI_ESP(%rip)
    movl $0, trap_last + TI_SS(%rip)
    incl trap_last + TI_COUNT(%rip)
    cmpl $0, catch_armed(%rip)
    je 1f
    mov $catch_resume, %eax
    mov catch_esp(%rip), %edx
    jmp 2f
1:  mov $trap_unexpected64, %eax
    mov $trap_stack_top, %edx
    sub $16, %edx
2:  mov %rax, 32(%rsp)
    movq $SEL_KCODE, 40(%rsp)
    movq $2, 48(%rsp)
    mov %rdx, 56(%rsp)
    movq $SEL_KDATA, 64(%rsp)
    pop %rdx
    pop %rax
    add $16, %rsp
    iretq

    .code32
    .section .note.GNU-stack, "", @progbits

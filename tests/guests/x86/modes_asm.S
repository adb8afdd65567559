/* SPDX-License-Identifier: MIT */
/*
 * modes_asm.S - the assembly parts of the modes guest:
 *  - a real-mode blob (copied to RM_BASE, runs with CS=0) entered from 32-bit protected
 *    mode through a 16-bit protected-mode segment and CR0.PE=0 (SDM vol. 3A, 10.9.2
 *    "Switching Back to Real-Address Mode"); it does segment arithmetic, INT through the
 *    IVT (and through an IVT moved with LIDT), far CALL, 16-bit addressing forms, 32-bit
 *    operands, "unreal" FS, and returns to protected mode (10.9.1);
 *  - 64-bit snippets called through call64 from compatibility mode: REX registers,
 *    RIP-relative addressing (also from a high canonical alias), 64-bit arithmetic,
 *    zero extension of 32-bit results, sign extension, and ones that must fault.
 * Results go to result tables that modes.c checks.
 */
#include "guest.h"
#include "modes.h"

#define R(x) ((x) - rm_start + RM_BASE)
#define RES(n) R(rm_res + 2 * (n))

    .data
saved_esp:  .long 0
saved_idtr: .word 0
            .long 0

    .text
    .code32
/* void rm_enter(void): runs the blob (already copied to RM_BASE) and comes back. */
    .globl rm_enter
rm_enter:
    pushal
    mov %esp, saved_esp
    sidt saved_idtr
    ljmp $SEL_CODE16, $R(rm_pm16)

rm_back32:
    mov $SEL_KDATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    mov %eax, %ss
    mov saved_esp, %esp
    lidt saved_idtr
    popal
    ret

    .code16
    .globl rm_start, rm_end, rm_res
rm_start:
rm_pm16:
    /* 16-bit protected mode: give the data segments real-mode-like 64 KiB limits, but
     * load FS with the flat 4 GiB segment: real mode keeps its cached descriptor. */
    mov $SEL_DATA16, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %gs
    mov %ax, %ss
    mov $SEL_KDATA, %ax
    mov %ax, %fs
    mov %cr0, %eax
    and $~1, %eax
    mov %eax, %cr0
    ljmp $0, $R(rm_real)

rm_real:
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %gs
    mov %ax, %ss
    mov $RM_STACK, %sp
    lidt R(rm_ivt0_desc)

    mov %cr0, %eax
    mov %ax, RES(RW_CR0)

    /* segment arithmetic: 0x4234:0x5678 = 0x479b8 */
    mov $0x4234, %ax
    mov %ax, %es
    movw $0xbeef, %es:0x5678
    mov %es, %ax
    mov %ax, RES(RW_ES)
    /* two segment:offset pairs for one physical address */
    mov $0x3000, %ax
    mov %ax, %es
    movw $0x1111, %es:0x0010
    mov $0x3001, %ax
    mov %ax, %gs
    mov %gs:0x0000, %ax
    mov %ax, RES(RW_ALIAS)
    xor %ax, %ax
    mov %ax, %es
    mov %ax, %gs

    /* INT through the IVT at 0 */
    movw $R(rm_h42), 0x42 * 4
    movw $0, 0x42 * 4 + 2
    mov %sp, RES(RW_SP_BEFORE)
    mov $0x2222, %cx
    stc
    int $0x42
    .globl rm_int42_ret
rm_int42_ret:
    pushf
    pop %ax
    mov %ax, RES(RW_FL_AFTER)
    mov %sp, RES(RW_SP_AFTER)
    mov %cx, RES(RW_INT_CX)

    /* INT through an IVT moved with LIDT; its handler runs with CS=0x0800 */
    movw $(R(rm_h42b) - RM_BASE), RM_IVT2 + 0x42 * 4
    movw $(RM_BASE >> 4), RM_IVT2 + 0x42 * 4 + 2
    lidt R(rm_ivt2_desc)
    int $0x42
    lidt R(rm_ivt0_desc)

    /* far CALL to CS=0x0800 */
    lcall $(RM_BASE >> 4), $(R(rm_farfn) - RM_BASE)

    /* 32-bit operands (66 prefix) in real mode */
    mov $0x11111111, %eax
    addl $0x12345678, %eax
    shl $4, %eax
    mov %eax, RES(RW_OPS32)
    mov $0xffffffff, %edx
    inc %dx
    mov %edx, RES(RW_EDX_INC)

    /* unreal FS: 32-bit address above 1 MiB */
    mov $RM_UNREAL_PHYS, %ebx
    mov %fs:(%ebx), %eax
    mov %eax, RES(RW_UNREAL)

    /* 16-bit addressing forms: DS=RM_DS_SEG, SS=RM_SS_SEG; results stored through ES=0 */
    mov $RM_DS_SEG, %ax
    mov %ax, %ds
    mov $RM_SS_SEG, %ax
    mov %ax, %ss
    mov $0x0100, %bx
    mov $0x0020, %si
    mov $0x0040, %di
    mov $0x0200, %bp
    mov (%bx,%si), %ax
    mov %ax, %es:RES(RW_ADDR + 0)
    mov (%bx,%di), %ax
    mov %ax, %es:RES(RW_ADDR + 1)
    mov (%bp,%si), %ax
    mov %ax, %es:RES(RW_ADDR + 2)
    mov (%bp,%di), %ax
    mov %ax, %es:RES(RW_ADDR + 3)
    mov (%si), %ax
    mov %ax, %es:RES(RW_ADDR + 4)
    mov (%di), %ax
    mov %ax, %es:RES(RW_ADDR + 5)
    mov 0x0456, %ax
    mov %ax, %es:RES(RW_ADDR + 6)
    mov (%bx), %ax
    mov %ax, %es:RES(RW_ADDR + 7)
    mov 8(%bp), %ax
    mov %ax, %es:RES(RW_ADDR + 8)
    mov 0x10(%bx,%si), %ax
    mov %ax, %es:RES(RW_ADDR + 9)
    mov 0x1234(%bp,%si), %ax
    mov %ax, %es:RES(RW_ADDR + 10)
    mov -2(%bp,%di), %ax
    mov %ax, %es:RES(RW_ADDR + 11)
    mov 0x2000(%bx,%di), %ax
    mov %ax, %es:RES(RW_ADDR + 12)
    mov %ds:(%bp,%si), %ax
    mov %ax, %es:RES(RW_ADDR + 13)
    mov %ss:(%bx), %ax
    mov %ax, %es:RES(RW_ADDR + 14)
    mov 0xff00(%bp,%si), %ax        /* 0x10120 wraps to 0x0120 */
    mov %ax, %es:RES(RW_ADDR + 15)
    mov (%bp), %ax
    mov %ax, %es:RES(RW_ADDR + 16)
    mov $0xfff0, %bx
    mov (%bx,%si), %ax              /* 0x10010 wraps to 0x0010 */
    mov %ax, %es:RES(RW_ADDR + 17)
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    mov $RM_STACK, %sp

    /* back to protected mode */
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $SEL_KCODE, $rm_back32

rm_h42:
    mov %sp, %bp
    mov (%bp), %ax
    mov %ax, RES(RW_INT_IP)
    mov 2(%bp), %ax
    mov %ax, RES(RW_INT_CS)
    mov 4(%bp), %ax
    mov %ax, RES(RW_INT_FLAGS)
    pushf
    pop %ax
    mov %ax, RES(RW_INT_FL_IN)
    add $0x1111, %cx                /* changes CF: IRET must restore it */
    iret

rm_h42b:
    mov %cs, %ax
    mov %ax, RES(RW_IVT2_CS)
    movw $0x4242, RES(RW_IVT2_MARK)
    iret

rm_farfn:
    mov %cs, %ax
    mov %ax, RES(RW_FAR_CS)
    movw $0x600d, RES(RW_FAR_MARK)
    lret

    .align 4
rm_ivt0_desc:
    .word 0x3ff
    .long 0
rm_ivt2_desc:
    .word 0x3ff
    .long RM_IVT2
    .align 4
rm_res:
    .skip 2 * RW_COUNT
rm_end:

/* ------------------------------------------------------------------------------------ */
/* 64-bit snippets: SysV convention (arg in RDI, result in RAX; keep RBX RBP R12-R15). */
    .code64
#define Q(n) (res64 + 8 * (n))(%rip)

    .globl s64_basic
s64_basic:
    movabs $0x123456789abcdef0, %rax
    ret

    .globl s64_cs
s64_cs:
    xor %eax, %eax
    mov %cs, %ax
    ret

    .globl s64_regs
s64_regs:
    push %r12
    push %r13
    push %r14
    push %r15
    movabs $0x1111111111111111, %r8
    movabs $0x2222222222222222, %r9
    lea (%r8,%r9,2), %r10
    mov %r10, Q(0)
    mov $-1, %r11
    movb $0x5a, %r11b
    mov %r11, Q(1)
    mov $-1, %rsi
    movb $0x77, %sil
    mov %rsi, Q(2)
    mov $3, %r12
    mov $4, %r13
    imul %r13, %r12
    mov $0x100, %r14
    add %r12, %r14
    mov %r14, %r15
    shl $40, %r15
    mov %r15, Q(3)
    mov $-1, %r9
    mov $7, %r9d                    /* 32-bit write to R9D zero-extends */
    mov %r9, Q(4)
    mov $-1, %r8
    movw $0x1234, %r8w              /* 16-bit write keeps the rest */
    mov %r8, Q(5)
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    ret

q_data:
    .quad 0x1122334455667788

    .globl s64_riprel, q_data
s64_riprel:
    lea q_data(%rip), %rax
    mov %rax, Q(6)
    mov q_data(%rip), %rax
    mov %rax, Q(7)
    ret

/* Runs a few instructions from the alias of the first GiB at 0xffffff8000000000 (PML4[511]). */
    .globl s64_high
s64_high:
    movabs $0xffffff8000000000, %rdx
    lea 1f(%rip), %rax
    add %rdx, %rax
    jmp *%rax
1:  lea q_data(%rip), %rax          /* RIP-relative from the high alias */
    mov %rax, Q(8)
    mov q_data(%rip), %rax
    mov %rax, Q(9)
    lea 2f(%rip), %rax
    sub %rdx, %rax
    jmp *%rax
2:  lea s64_high(%rip), %rax       /* back in the low mapping */
    mov %rax, Q(10)
    ret

    .globl s64_arith
s64_arith:
    mov $0xffffffff, %eax
    add $1, %rax
    mov %rax, Q(11)
    movabs $0x123456789, %rax
    imul $0x10, %rax, %rax
    mov %rax, Q(12)
    mov $-1, %rax
    mov $2, %ecx
    mul %rcx
    mov %rax, Q(13)
    mov %rdx, Q(14)
    mov $1, %edx
    xor %eax, %eax
    mov $0x10, %ecx
    div %rcx
    mov %rax, Q(15)
    mov %rdx, Q(16)
    mov $65, %ecx
    mov $1, %eax
    shl %cl, %rax                   /* 64-bit counts are masked to 6 bits */
    mov %rax, Q(17)
    mov $1, %eax
    shl $63, %rax
    mov %rax, Q(18)
    sar $63, %rax
    mov %rax, Q(19)
    mov $-7, %rax
    cqto
    mov $2, %ecx
    idiv %rcx
    mov %rax, Q(20)
    mov %rdx, Q(21)
    movabs $0x0102030405060708, %rax
    bswap %rax
    mov %rax, Q(22)
    stc
    mov $-1, %rax
    adc $0, %rax
    setc %cl
    movzbl %cl, %ecx
    shl $32, %rcx
    or %rcx, %rax
    mov %rax, Q(23)                 /* 0 with CF=1: 0x100000000 */
    ret

    .globl s64_zext
s64_zext:
    mov $-1, %rax
    mov $0x12345678, %eax
    mov %rax, Q(24)
    mov $-1, %rax
    add $0, %eax
    mov %rax, Q(25)
    mov $-1, %rax
    mov $0, %ax
    mov %rax, Q(26)
    mov $-1, %rax
    movb $0, %al
    mov %rax, Q(27)
    mov $-1, %rax
    .byte 0x90                      /* NOP (xchg eax,eax short form) does not zero-extend */
    mov %rax, Q(28)
    mov $-1, %rax
    .byte 0x87, 0xc0                /* xchg %eax, %eax (87 /r) zero-extends */
    mov %rax, Q(29)
    mov $-1, %rax
    xor %ecx, %ecx
    cmovnz %ecx, %eax               /* condition false: still writes EAX, zero-extends */
    mov %rax, Q(30)
    mov $-1, %rax
    movb $0, %ah
    mov %rax, Q(31)
    ret

    .globl s64_sext
s64_sext:
    mov $0x80000000, %eax
    movslq %eax, %rax
    mov %rax, Q(32)
    mov $0x80000000, %eax
    cltq
    mov %rax, Q(33)
    mov $-5, %rax
    cqto
    mov %rdx, Q(34)
    xor %eax, %eax
    add $-0x80000000, %rax          /* imm32 sign-extended to 64 bits */
    mov %rax, Q(35)
    push $-2
    pop %rax
    mov %rax, Q(36)
    mov %rsp, %rcx
    push %rax
    mov %rsp, %rdx
    pop %rax
    sub %rdx, %rcx
    mov %rcx, Q(37)                 /* PUSH moves RSP by 8 */
    mov $0x80, %ecx
    movsbq %cl, %rax
    mov %rax, Q(38)
    mov $0xffffffff, %ecx
    movslq %ecx, %rax
    mov %rax, Q(39)
    ret

/* void s64_exit(status): isa-debug-exit from 64-bit mode */
    .globl s64_exit
s64_exit:
    mov %edi, %eax
    mov $0xf4, %dx
    out %eax, %dx
    ret

    .globl s64_daa, s64_daa_at, s64_pushcs, s64_pushcs_at, s64_noncanon, s64_noncanon_at
s64_daa:
s64_daa_at:
    .byte 0x27                      /* DAA: invalid in 64-bit mode */
    ret
s64_pushcs:
s64_pushcs_at:
    .byte 0x0e                      /* PUSH CS: invalid in 64-bit mode */
    ret
s64_noncanon:
    movabs $0x0000800000000000, %rax
s64_noncanon_at:
    mov (%rax), %rax                /* non-canonical: #GP(0) */
    ret

    .globl s64_noncanon_rsp, s64_noncanon_rsp_at, s64_noncanon_rbp, s64_noncanon_rbp_at
    .globl s64_noncanon_jmp, s64_noncanon_jmp_at, s64_noncanon_ret, s64_noncanon_ret_at
s64_noncanon_rsp:
    movabs $0x0000800000000000, %rax
s64_noncanon_rsp_at:
    mov (%rsp,%rax), %rax           /* through SS (RSP base): #SS(0) */
    ret
s64_noncanon_rbp:
    push %rbp
    movabs $0x0000800000000000, %rax
s64_noncanon_rbp_at:
    mov 8(%rbp,%rax), %rax          /* through SS (RBP base): #SS(0) */
    pop %rbp
    ret
s64_noncanon_jmp:
    movabs $0xaaaaaaaaaaaaaaaa, %rax
s64_noncanon_jmp_at:
    jmp *%rax                       /* #GP(0) at the JMP, not at the target */
s64_noncanon_ret:
    movabs $0x0000800000000000, %rax
    push %rax
s64_noncanon_ret_at:
    ret                             /* #GP(0) at the RET, RSP not popped */

    .bss
    .align 8
    .globl res64
res64:
    .skip 8 * Q_COUNT

    .section .note.GNU-stack, "", @progbits

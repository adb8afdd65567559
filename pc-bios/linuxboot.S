/* SPDX-License-Identifier: MIT */
/*
 * pc-bios/linuxboot.S — tandem's Linux boot option ROM: a BIOS (SeaBIOS) boots a Linux
 * bzImage that the device model offers in fw_cfg, through the kernel's 16-bit real-mode
 * entry. 16-bit real-mode code for any x86 from the 486 on (BSWAP); assembled with GNU as
 * and linked at offset 0 (pc-bios/linuxboot.ld) into a flat image that tandem embeds.
 *
 * What it is:
 * - A PnP option ROM (the PC option ROM header: 55 AA, size, init entry at offset 3, the
 *   PnP expansion header pointer at 0x1a; PnP BIOS specification 1.0A, "Option ROM
 *   header" and "Expansion header for Plug and Play") whose expansion header names a
 *   Bootstrap Entry Vector (BEV). The BIOS runs the init entry at POST (it does nothing
 *   and returns) and lists the BEV as a boot device; SeaBIOS runs the ROMs of the fw_cfg
 *   files "genroms/..." and orders boot devices by the fw_cfg file "bootorder".
 *   The size byte (offset 2) and both checksums are left zero here: tandem pads the image
 *   to 512-byte blocks and fills them in (pc-bios/linuxboot_rom.c).
 * - The BEV copies the fw_cfg items of QEMU's kernel-loading contract (QEMU's
 *   docs/specs/fw_cfg.rst; keys in hw/nvram/fw_cfg.h) to the guest-physical addresses
 *   the device model chose: SETUP_DATA (the real-mode setup code with its header already
 *   patched: loader type, heap, command line and initrd pointers) to SETUP_ADDR,
 *   KERNEL_DATA to KERNEL_ADDR, INITRD_DATA to INITRD_ADDR, CMDLINE_DATA to CMDLINE_ADDR
 *   (the *_SIZE items give the lengths; a zero size skips the item). Every copy is one
 *   fw_cfg DMA transfer (an FWCfgDmaAccess on this code's stack; the address is written
 *   big-endian to ports 0x514/0x518), so the device writes guest memory directly, above
 *   1 MiB too, without leaving real mode.
 * - Then it enters the kernel as the Linux/x86 boot protocol says for the real-mode entry
 *   (Documentation/arch/x86/boot.rst, "Running the kernel"): interrupts off, DS = ES =
 *   FS = GS = SS = the setup segment (SETUP_ADDR / 16), SP at the end of the setup heap
 *   (the header's heap_end_ptr + 0x200), a far jump to the setup segment + 0x20, offset 0.
 *
 * On failure (no fw_cfg, no DMA interface, no kernel in fw_cfg, a DMA error) it says why on
 * the debug port 0xe9 (Xen's and QEMU's debug console) and through INT 10h, and returns to
 * the BIOS, which tries its next boot device.
 *
 * Not done: the traditional fw_cfg data port for the copies (a device model without the
 * DMA interface is refused), zImages and kernels loaded below 1 MiB (the device model
 * refuses them), a PCI data structure (this is no PCI device's ROM), setup_data chains.
 */

#define FW_CFG_PORT_SEL     0x510
#define FW_CFG_PORT_DATA    0x511
#define FW_CFG_PORT_DMA_HI  0x514
#define FW_CFG_PORT_DMA_LO  0x518
#define DEBUG_PORT          0xe9

#define FW_CFG_SIGNATURE    0x00
#define FW_CFG_ID           0x01
#define FW_CFG_KERNEL_ADDR  0x07
#define FW_CFG_KERNEL_SIZE  0x08
#define FW_CFG_INITRD_ADDR  0x0a
#define FW_CFG_INITRD_SIZE  0x0b
#define FW_CFG_KERNEL_DATA  0x11
#define FW_CFG_INITRD_DATA  0x12
#define FW_CFG_CMDLINE_ADDR 0x13
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_SETUP_ADDR   0x16
#define FW_CFG_SETUP_SIZE   0x17
#define FW_CFG_SETUP_DATA   0x18

#define FW_CFG_ID_DMA       0x02        /* FW_CFG_ID bit: the DMA interface exists */
#define DMA_CTL_ERROR       0x01
#define DMA_CTL_READ        0x02
#define DMA_CTL_SELECT      0x08

#define HDR_HEAP_END_PTR    0x224       /* boot.rst: the setup header's heap_end_ptr */
#define SETUP_ENTRY_PARAS   0x20        /* the entry is 0x200 bytes into the setup code */

    .code16
    .text
    .globl _start
_start:

/* ---- the option ROM header ---- */
    .byte 0x55, 0xaa
    .byte 0                     /* size in 512-byte blocks: set by tandem */
    jmp init                    /* the init entry at offset 3 */
    .org 0x18
    .word 0                     /* no PCI data structure */
    .word pnp_header            /* the PnP expansion header */

    .balign 16
pnp_header:
    .ascii "$PnP"
    .byte 1                     /* structure revision */
    .byte 2                     /* length in 16-byte units */
    .word 0                     /* no further header */
    .byte 0                     /* reserved */
    .byte 0                     /* checksum of the 32 bytes: set by tandem */
    .long 0                     /* device identifier */
    .word manufacturer          /* manufacturer string */
    .word product               /* product name string */
    .byte 0, 0, 0               /* device type code */
    .byte 0                     /* device indicators */
    .word 0                     /* boot connection vector: none */
    .word 0                     /* disconnect vector: none */
    .word boot                  /* bootstrap entry vector */
    .word 0                     /* reserved */
    .word 0                     /* static resource information vector: none */

manufacturer:
    .asciz "tandem"
product:
    .asciz "Linux (fw_cfg)"

signature:
    .asciz "QEMU"
msg_no_fwcfg:
    .asciz "tandem linuxboot: no fw_cfg with the DMA interface\r\n"
msg_dma_error:
    .asciz "tandem linuxboot: fw_cfg DMA error\r\n"
msg_no_kernel:
    .asciz "tandem linuxboot: fw_cfg has no kernel\r\n"
msg_start:
    .asciz "tandem linuxboot: starting Linux\r\n"

/* ---- init: called at POST; nothing to set up ---- */
init:
    lret

/*
 * print: the NUL-terminated string at CS:SI to the debug port and through INT 10h
 * (teletype). Clobbers AX, BX, SI.
 */
print:
    movb %cs:(%si), %al
    incw %si
    testb %al, %al
    jz 1f
    outb %al, $DEBUG_PORT
    movb $0x0e, %ah
    movw $0x0007, %bx
    int $0x10
    jmp print
1:
    ret

/*
 * dma_read: fw_cfg item AX (selected), ECX bytes to guest-physical EDI, one DMA transfer.
 * Returns CF set on a DMA error. Clobbers EAX, EDX.
 */
dma_read:
    pushw %bp
    subw $16, %sp
    movw %sp, %bp
    /* FWCfgDmaAccess, big-endian: control, length, address (high, low) */
    movzwl %ax, %eax
    shll $16, %eax
    orl $(DMA_CTL_SELECT | DMA_CTL_READ), %eax
    bswapl %eax
    movl %eax, 0(%bp)
    movl %ecx, %eax
    bswapl %eax
    movl %eax, 4(%bp)
    movl $0, 8(%bp)
    movl %edi, %eax
    bswapl %eax
    movl %eax, 12(%bp)
    /* its guest-physical address: SS * 16 + BP, written high half first */
    xorl %eax, %eax
    movw $FW_CFG_PORT_DMA_HI, %dx
    outl %eax, %dx
    movw %ss, %ax
    shll $4, %eax
    movzwl %bp, %edx
    addl %edx, %eax
    bswapl %eax
    movw $FW_CFG_PORT_DMA_LO, %dx
    outl %eax, %dx
    /* done when the device has cleared every control bit but ERROR */
2:
    movl 0(%bp), %eax
    bswapl %eax
    testl $~DMA_CTL_ERROR, %eax
    jz 3f
    pause
    jmp 2b
3:
    addw $16, %sp
    popw %bp
    testb $DMA_CTL_ERROR, %al
    jz 4f
    stc
    ret
4:
    clc
    ret

/* read32: the 32-bit little-endian fw_cfg item AX into EAX. CF set on a DMA error.
 * Clobbers EDX. */
read32:
    pushl %ecx
    pushl %edi
    pushl $0                    /* the destination */
    movl $4, %ecx
    xorl %edi, %edi
    movw %ss, %di
    shll $4, %edi
    movzwl %sp, %edx
    addl %edx, %edi
    call dma_read
    popl %eax                   /* keeps CF */
    popl %edi
    popl %ecx
    ret

/*
 * copy_item: the item with keys ADDR (BX), SIZE (CX) and DATA (DX, low half) copied to
 * its address. Returns the address in EDI, CF set on a DMA error. Clobbers EAX, ECX, EDX.
 */
copy_item:
    pushw %dx
    pushw %cx
    movw %bx, %ax
    call read32
    jc 5f
    movl %eax, %edi
    popw %ax
    call read32
    jc 6f
    movl %eax, %ecx
    popw %ax
    testl %ecx, %ecx
    jz 7f                       /* nothing to copy (CF clear) */
    jmp dma_read
5:
    popw %cx
6:
    popw %dx
    stc
7:
    ret

/* ---- the bootstrap entry vector ---- */
boot:
    pushw %ds
    pushw %es
    pushal
    cld

    /* fw_cfg present ("QEMU" in the signature item) and with the DMA interface */
    movw $FW_CFG_PORT_SEL, %dx
    movw $FW_CFG_SIGNATURE, %ax
    outw %ax, %dx
    movw $FW_CFG_PORT_DATA, %dx
    movw $signature, %si
8:
    movb %cs:(%si), %ah
    testb %ah, %ah
    jz 9f
    inb %dx, %al
    cmpb %ah, %al
    jne no_fwcfg
    incw %si
    jmp 8b
9:
    movw $FW_CFG_PORT_SEL, %dx
    movw $FW_CFG_ID, %ax
    outw %ax, %dx
    movw $FW_CFG_PORT_DATA, %dx
    inb %dx, %al
    testb $FW_CFG_ID_DMA, %al
    jz no_fwcfg

    /* a kernel to boot? */
    movw $FW_CFG_KERNEL_SIZE, %ax
    call read32
    jc dma_error
    testl %eax, %eax
    jz no_kernel

    movw $msg_start, %si
    call print

    /* the command line, the initrd and the kernel first: the setup code's copy is last,
     * and its address is the one kept */
    movw $FW_CFG_CMDLINE_ADDR, %bx
    movw $FW_CFG_CMDLINE_SIZE, %cx
    movw $FW_CFG_CMDLINE_DATA, %dx
    call copy_item
    jc dma_error
    movw $FW_CFG_INITRD_ADDR, %bx
    movw $FW_CFG_INITRD_SIZE, %cx
    movw $FW_CFG_INITRD_DATA, %dx
    call copy_item
    jc dma_error
    movw $FW_CFG_KERNEL_ADDR, %bx
    movw $FW_CFG_KERNEL_SIZE, %cx
    movw $FW_CFG_KERNEL_DATA, %dx
    call copy_item
    jc dma_error
    movw $FW_CFG_SETUP_ADDR, %bx
    movw $FW_CFG_SETUP_SIZE, %cx
    movw $FW_CFG_SETUP_DATA, %dx
    call copy_item
    jc dma_error

    /* enter the real-mode kernel: segments at the setup code, SP at its heap's end */
    cli
    shrl $4, %edi
    movw %di, %ds
    movw %di, %es
    movw %di, %fs
    movw %di, %gs
    movw HDR_HEAP_END_PTR, %ax
    addw $0x200, %ax
    movw %di, %ss
    movw %ax, %sp
    addw $SETUP_ENTRY_PARAS, %di
    pushw %di
    pushw $0
    lret

no_fwcfg:
    movw $msg_no_fwcfg, %si
    jmp fail
no_kernel:
    movw $msg_no_kernel, %si
    jmp fail
dma_error:
    movw $msg_dma_error, %si
fail:
    call print
    popal
    popw %es
    popw %ds
    lret

/* SPDX-License-Identifier: MIT */
/* modes.h - layout shared by modes.c and modes_asm.S: where the real-mode blob runs and the
 * indexes of its 16-bit result words. */
#ifndef MODES_H
#define MODES_H

#define RM_BASE         0x8000      /* the real-mode blob is copied here and runs with CS=0 */
#define RM_STACK        0x7000
#define RM_IVT2         0x3000      /* a second IVT, for LIDT in real mode */
#define RM_DS_SEG       0x1000      /* addressing tests: DS */
#define RM_SS_SEG       0x2000      /* addressing tests: SS */
#define RM_ALIAS_PHYS   0x30010     /* 0x3000:0x0010 == 0x3001:0x0000 */
#define RM_SEG_PHYS     0x479b8     /* 0x4234:0x5678 */
#define RM_UNREAL_PHYS  0x200000    /* above 1 MiB: reached through FS kept from protected mode */

/* result words */
#define RW_CR0          0
#define RW_ES           1
#define RW_ALIAS        2
#define RW_INT_IP       3
#define RW_INT_CS       4
#define RW_INT_FLAGS    5
#define RW_INT_FL_IN    6
#define RW_INT_CX       7
#define RW_SP_BEFORE    8
#define RW_SP_AFTER     9
#define RW_IVT2_CS      10
#define RW_IVT2_MARK    11
#define RW_FAR_CS       12
#define RW_FAR_MARK     13
#define RW_OPS32        14          /* two words */
#define RW_UNREAL       16          /* two words */
#define RW_FL_AFTER     18
#define RW_EDX_INC      20          /* two words */
#define RW_ADDR         24          /* RM_NADDR words */
#define RM_NADDR        18
#define RW_COUNT        (RW_ADDR + RM_NADDR)

/* 64-bit results (quadwords) written by the snippets of modes_asm.S */
#define Q_COUNT         40

#endif

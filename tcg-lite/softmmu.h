/* SPDX-License-Identifier: MIT */
/*
 * tcg-lite/softmmu.h — the software TLB that guest loads and stores consult.
 *
 * Each vCPU has IR_NB_MMU_MODES direct-mapped tables of IR_TLB_SIZE entries, indexed by
 * the virtual page number. An entry maps one target page: addr_read/addr_write/addr_code
 * hold the page-aligned guest virtual address when that access is allowed by the fast path,
 * or the address with TLB_* flag bits in the page-offset bits (or -1) when it must take the
 * slow path. addend turns a guest virtual address into a host pointer for RAM.
 * The fast path (in every backend): entry.addr_X == (addr & page mask) and the access does
 * not cross the page → host pointer = addr + addend. Everything else calls the slow path.
 */
#ifndef TCG_LITE_SOFTMMU_H
#define TCG_LITE_SOFTMMU_H

#include <stdint.h>

#define IR_TLB_BITS 10
#define IR_TLB_SIZE (1 << IR_TLB_BITS)
#define IR_NB_MMU_MODES 4
#define IR_PAGE_BITS 12

#define TLB_INVALID (1u << 11)   /* no valid translation (the whole entry is -1) */
#define TLB_MMIO    (1u << 10)   /* I/O: go through the address space */
#define TLB_CODE    (1u << 9)    /* write to a page holding translated code */
#define TLB_WATCH   (1u << 8)    /* the page holds a data breakpoint: the CPU checks each
                                  * access of this kind (addr_read/addr_write only) */

typedef struct TLBEntry {
    uint64_t addr_read;
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;
} TLBEntry;

static inline unsigned tlb_index(uint64_t addr)
{
    return (addr >> IR_PAGE_BITS) & (IR_TLB_SIZE - 1);
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/mmu.c — the x86 MMU: linear-to-physical translation for the softmmu TLB.
 *
 * Models (Intel SDM vol. 3A ch. 4): paging off (identity, with the A20 mask); 32-bit paging
 * (4.3) with 4 MiB pages when CR4.PSE is set; PAE paging (4.4) through the four PDPTEs,
 * with 2 MiB pages; 4-level paging (4.5) with 2 MiB and 1 GiB pages and the canonical
 * address check (#GP, or #SS for a reference through SS: vol. 3A 6.15); access rights
 * (4.6): U/S, R/W with CR0.WP, execute-disable (EFER.NXE), SMEP and SMAP (CR4; EFLAGS.AC
 * and implicit accesses through the mmu_idx); the accessed and dirty flags (4.8); reserved
 * bits (MAXPHYADDR = X86_PHYS_ADDR_BITS, PS in a PML4E, large-page address bits, XD without
 * NXE) giving #PF with RSVD; #PF error codes (4.7) and CR2.
 *
 * Not modelled: PSE-36 (bits 20:13 of a 4 MiB PDE are reserved), 5-level paging, PCIDs,
 * protection keys, memory types (PAT, PCD/PWT, MTRRs: all RAM is write-back), loading the
 * PDPTEs at MOV CR3 (they are read at each walk, so a reserved bit there gives #PF instead
 * of #GP), global pages surviving CR3 writes (every CR3 write flushes the TLB).
 */
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg.h"

#define PG_P    (1ull << 0)
#define PG_RW   (1ull << 1)
#define PG_US   (1ull << 2)
#define PG_A    (1ull << 5)
#define PG_D    (1ull << 6)
#define PG_PS   (1ull << 7)
#define PG_NX   (1ull << 63)

#define PHYS_MASK   (((1ull << X86_PHYS_ADDR_BITS) - 1) & ~0xfffull)
/* address bits beyond MAXPHYADDR: 51:M in 4-level entries, 62:M in PAE entries */
#define RSVD_4LEVEL (((1ull << 52) - 1) & ~((1ull << X86_PHYS_ADDR_BITS) - 1))
#define RSVD_PAE    (((1ull << 63) - 1) & ~((1ull << X86_PHYS_ADDR_BITS) - 1))
/* PAE PDPTE: bits 2:1 and 8:5 are reserved, and everything above MAXPHYADDR */
#define RSVD_PDPTE  (~((1ull << X86_PHYS_ADDR_BITS) - 1) | 0x1e6ull)

typedef struct Walk {
    CPUState *cs;
    uint64_t a20;
    unsigned esize;             /* bytes per entry: 4 or 8 */
    unsigned n;                 /* entries used (for the accessed/dirty update) */
    uint64_t addr[4], val[4];
    bool rw, us, nx;            /* rights combined over every level */
} Walk;

enum { WALK_OK, WALK_NOT_PRESENT, WALK_RSVD };

static uint64_t walk_read(Walk *w, uint64_t addr)
{
    uint64_t v;

    addr &= w->a20;
    v = cpu_ld_phys(w->cs, addr, w->esize);
    w->addr[w->n] = addr;
    w->val[w->n] = v;
    w->n++;
    return v;
}

static void walk_use(Walk *w, uint64_t e, bool nxe)
{
    w->rw = w->rw && (e & PG_RW);
    w->us = w->us && (e & PG_US);
    if (nxe && (e & PG_NX)) {
        w->nx = true;
    }
}

/* The 64-bit-entry levels from `top` (4: PML4, 2: page directory) down to the page. */
static int walk_levels(Walk *w, uint64_t table, int top, uint64_t va, uint64_t rsvd, bool nxe,
                       uint64_t *base, uint64_t *psize)
{
    for (int level = top; level >= 1; level--) {
        int shift = 12 + 9 * (level - 1);
        uint64_t e = walk_read(w, table + ((va >> shift) & 511) * 8);

        if (!(e & PG_P)) {
            return WALK_NOT_PRESENT;
        }
        if ((e & rsvd) || (level == 4 && (e & PG_PS))) {
            return WALK_RSVD;
        }
        walk_use(w, e, nxe);
        if (level == 1 || (level <= 3 && (e & PG_PS))) {
            uint64_t size = 1ull << shift;
            /* large pages: bit 12 is PAT, bits shift-1..13 must be zero */
            if (level > 1 && (e & (size - 1) & ~0x1fffull)) {
                return WALK_RSVD;
            }
            *base = e & PHYS_MASK & ~(size - 1);
            *psize = size;
            return WALK_OK;
        }
        table = e & PHYS_MASK;
    }
    return WALK_NOT_PRESENT;    /* not reached */
}

static inline bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

int x86_mmu_walk(X86CPU *env, uint64_t va, MMUAccessType acc, int mmu_idx, uint64_t *pa,
                 int *prot, uint64_t *page_size)
{
    const bool is_write = acc == MMU_DATA_STORE, is_fetch = acc == MMU_INST_FETCH;
    const bool is_user = mmu_idx == X86_MMU_USER;
    const uint64_t cr0 = env->cr[0], cr4 = env->cr[4];
    const bool nxe = env->efer & EFER_NXE, lma = env->efer & EFER_LMA;
    Walk w = { .cs = x86_cs(env), .a20 = env->a20_mask, .rw = true, .us = true };
    uint64_t base = 0, psize = 0;
    int r, err, p, need;

    if (!(cr0 & CR0_PG) || mmu_idx == X86_MMU_PHYS) {
        if (!lma) {
            va = (uint32_t)va;
        }
        *pa = va & env->a20_mask;
        *prot = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        *page_size = TARGET_PAGE_SIZE;
        return 0;
    }

    err = (is_write ? X86_PF_W : 0) | (is_user ? X86_PF_U : 0);
    if (is_fetch && ((cr4 & CR4_SMEP) || ((cr4 & CR4_PAE) && nxe))) {
        err |= X86_PF_I;
    }

    if (cr4 & CR4_PAE) {
        w.esize = 8;
        if (lma) {
            if (!canonical(va)) {
                return X86_WALK_NONCANONICAL;
            }
            r = walk_levels(&w, env->cr[3] & PHYS_MASK, 4, va,
                            RSVD_4LEVEL | (nxe ? 0 : PG_NX), nxe, &base, &psize);
        } else {
            uint64_t pdpte;
            va = (uint32_t)va;
            pdpte = cpu_ld_phys(w.cs, ((env->cr[3] & 0xffffffe0u) + ((va >> 30) & 3) * 8) &
                                w.a20, 8);
            if (!(pdpte & PG_P)) {
                r = WALK_NOT_PRESENT;
            } else if (pdpte & RSVD_PDPTE) {
                r = WALK_RSVD;
            } else {
                r = walk_levels(&w, pdpte & PHYS_MASK, 2, va, RSVD_PAE | (nxe ? 0 : PG_NX),
                                nxe, &base, &psize);
            }
        }
    } else {
        uint64_t e;
        w.esize = 4;
        va = (uint32_t)va;
        e = walk_read(&w, (env->cr[3] & 0xfffff000u) + ((va >> 22) & 0x3ff) * 4);
        if (!(e & PG_P)) {
            r = WALK_NOT_PRESENT;
        } else if ((e & PG_PS) && (cr4 & CR4_PSE)) {
            walk_use(&w, e, false);
            /* bits 21:13 hold physical address bits 39:32 with PSE-36, which we lack */
            r = (e & 0x003fe000u) ? WALK_RSVD : WALK_OK;
            base = e & 0xffc00000u;
            psize = 4 * MiB;
        } else {
            walk_use(&w, e, false);
            e = walk_read(&w, (e & 0xfffff000u) + ((va >> 12) & 0x3ff) * 4);
            r = (e & PG_P) ? WALK_OK : WALK_NOT_PRESENT;
            walk_use(&w, e, false);
            base = e & 0xfffff000u;
            psize = 4 * KiB;
        }
    }
    if (r == WALK_NOT_PRESENT) {
        return X86_WALK_PF | err;
    }
    if (r == WALK_RSVD) {
        return X86_WALK_PF | err | X86_PF_P | X86_PF_RSVD;
    }

    /* access rights (SDM 4.6) */
    if (is_user) {
        p = w.us ? PAGE_READ | (w.rw ? PAGE_WRITE : 0) | (w.nx ? 0 : PAGE_EXEC) : 0;
    } else {
        p = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
        if (!w.rw && (cr0 & CR0_WP)) {
            p &= ~PAGE_WRITE;
        }
        if (w.nx) {
            p &= ~PAGE_EXEC;
        }
        if (w.us) {
            if (cr4 & CR4_SMEP) {
                p &= ~PAGE_EXEC;
            }
            if ((cr4 & CR4_SMAP) && mmu_idx == X86_MMU_KSMAP) {
                p &= ~(PAGE_READ | PAGE_WRITE);
            }
        }
    }
    need = is_fetch ? PAGE_EXEC : is_write ? PAGE_WRITE : PAGE_READ;
    if (!(p & need)) {
        return X86_WALK_PF | err | X86_PF_P;
    }

    /* accessed on every entry used, dirty on the page's entry for a write (SDM 4.8) */
    for (unsigned i = 0; i < w.n; i++) {
        uint64_t nv = w.val[i] | PG_A;
        if (i == w.n - 1 && is_write) {
            nv |= PG_D;
        }
        if (nv != w.val[i]) {
            cpu_st_phys(w.cs, w.addr[i], nv, w.esize);
        }
    }
    /* a clean page is mapped read-only until the first write sets its dirty bit */
    if (!is_write && !(w.val[w.n - 1] & PG_D)) {
        p &= ~PAGE_WRITE;
    }
    *pa = (base | (va & (psize - 1))) & w.a20;
    *prot = p;
    *page_size = psize;
    return 0;
}

/*
 * A non-canonical address faults with #SS(0) when the access goes through SS and with
 * #GP(0) otherwise (SDM vol. 3A 6.15, interrupts 12 and 13). The walk does not know the
 * segment, so the rare fault decodes the instruction again: a ModRM (or moffs) operand that
 * holds the address names its segment (an override, else SS for an rSP or rBP base); any
 * other access there is implicit, and a stack one (PUSH, POP, CALL, RET, ENTER, LEAVE,
 * IRET...) when it lies within 64 KiB of rSP.
 */
static bool noncanonical_is_stack(X86CPU *env, uint64_t addr)
{
    uint8_t buf[15];
    X86Insn in;
    size_t n;

    if (!(env->hflags & HF_CS64_MASK)) {
        return false;
    }
    n = x86_read_code(x86_cs(env), env->insn_pc, env->hflags, buf, sizeof(buf));
    if (n == 0) {
        return false;
    }
    x86_decode_buf(&in, 64, buf, (unsigned)n);
    if (in.has_mem && !(in.flags & X86_DF_INVALID)) {
        int seg = in.seg;
        uint64_t ea = (uint64_t)in.disp;

        if (in.rip_rel) {
            ea += env->insn_pc + in.len;
        }
        if (in.base >= 0) {
            ea += env->regs[in.base];
        }
        if (in.index >= 0) {
            ea += env->regs[in.index] << in.scale;
        }
        if (in.addrsize == 4) {
            ea = (uint32_t)ea;
        }
        if (seg == X86_SEG_NONE) {
            seg = (in.base == R_ESP || in.base == R_EBP) ? X86_SEG_SS : X86_SEG_DS;
        }
        if (seg == X86_SEG_FS || seg == X86_SEG_GS) {
            ea += env->segs[seg].base;
        }
        if (addr - ea < 4096) {     /* inside the operand (XSAVE areas are the largest) */
            return seg == X86_SEG_SS;
        }
    }
    return addr - env->regs[R_ESP] + 0x10000 < 0x20000;
}

bool x86_cpu_tlb_fill(CPUState *cs, vaddr addr, int size, MMUAccessType access, int mmu_idx,
                      bool probe)
{
    X86CPU *env = x86_cpu(cs);
    uint64_t pa, psize;
    int prot, r;

    r = x86_mmu_walk(env, addr, access, mmu_idx, &pa, &prot, &psize);
    if (r == 0) {
        if (unlikely(env->hflags & HF_DBP_MASK)) {
            prot |= x86_bpt_tlb_prot(env, addr);
        }
        tlb_set_page(cs, addr & TARGET_PAGE_MASK, pa & TARGET_PAGE_MASK, prot, mmu_idx, psize);
        return true;
    }
    if (probe) {
        return false;
    }
    if (access == MMU_INST_FETCH) {
        /* code is fetched while translating, between blocks: eip is the faulting
         * instruction (insn_pc still holds the last one executed) */
        env->insn_pc = env->eip;
    }
    if (r == X86_WALK_NONCANONICAL) {
        x86_raise_exception_err(env, access != MMU_INST_FETCH &&
                                noncanonical_is_stack(env, addr) ? EXCP0C_STACK : EXCP0D_GPF,
                                0);
    }
    env->cr[2] = addr;
    x86_raise_exception_err(env, EXCP0E_PAGE, r & 0xffff);
}

int x86_mmu_index(X86CPU *env)
{
    return x86_tb_mmu_idx(env->hflags);
}

int x86_tb_mmu_idx(uint32_t flags)
{
    if ((flags & HF_CPL_MASK) == 3) {
        return X86_MMU_USER;
    }
    if ((flags & HF_SMAP_MASK) && !(flags & HF_AC_MASK)) {
        return X86_MMU_KSMAP;
    }
    return X86_MMU_KNOSMAP;
}

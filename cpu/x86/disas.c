/* SPDX-License-Identifier: MIT */
/*
 * cpu/x86/disas.c — x86 guest disassembly with capstone, for "-d in_asm" logs, -d unimp
 * and crash reports (never for execution: the translator has its own decoder).
 *
 * The bytes of the block just translated come from the translator's copy (no second guest
 * access); other code is read from RAM or ROM through the TLB entry of a probing fill, so an
 * unmapped page prints as such instead of faulting, and a page of I/O is never read (device
 * reads have side effects). Intel syntax, linear addresses.
 */
#include "cpu/x86/translate.h"
#include <capstone/capstone.h>

static __thread csh cs_handles[3];
static __thread bool cs_opened[3];

static bool get_handle(int mode, csh *h)
{
    int i = mode == 64 ? 2 : mode == 32 ? 1 : 0;
    cs_mode m = mode == 64 ? CS_MODE_64 : mode == 32 ? CS_MODE_32 : CS_MODE_16;

    if (!cs_opened[i]) {
        if (cs_open(CS_ARCH_X86, m, &cs_handles[i]) != CS_ERR_OK) {
            return false;
        }
        cs_opened[i] = true;
    }
    *h = cs_handles[i];
    return true;
}

static int mode_of_flags(uint32_t flags)
{
    return (flags & HF_CS64_MASK) ? 64 : (flags & HF_CS32_MASK) ? 32 : 16;
}

/*
 * Read up to len guest code bytes at linear pc as code of mode `flags` (tb flags) would be
 * fetched; returns how many could be read. Never faults: a page is read only when a
 * probing fill maps it to RAM or ROM, straight from the host copy.
 */
size_t x86_read_code(CPUState *cs, uint64_t pc, uint32_t flags, uint8_t *buf, size_t len)
{
    X86CPU *env = x86_cpu(cs);
    int mmu_idx = x86_tb_mmu_idx(flags);
    const uint64_t page_mask = ~(uint64_t)((1 << IR_PAGE_BITS) - 1);
    const TLBEntry *e = NULL;
    size_t i;

    for (i = 0; i < len; i++) {
        uint64_t a = pc + i;

        if (!(flags & HF_CS64_MASK)) {
            a = (uint32_t)a;
        }
        if (!e || (a & page_mask) != e->addr_code) {
            if (!cs->cc || !cs->cc->tlb_fill ||
                !cs->cc->tlb_fill(cs, a, 1, MMU_INST_FETCH, mmu_idx, true)) {
                break;
            }
            e = &env->tlb[mmu_idx][tlb_index(a)];
            if (e->addr_code != (a & page_mask)) {
                break;      /* I/O (or not executable): not read */
            }
        }
        buf[i] = *(const uint8_t *)(uintptr_t)(a + e->addend);
    }
    return i;
}

static void format_bytes(char *out, size_t outlen, const uint8_t *p, size_t n)
{
    size_t i, pos = 0;

    out[0] = 0;
    for (i = 0; i < n && pos + 4 < outlen; i++) {
        pos += (size_t)snprintf(out + pos, outlen - pos, "%02x ", p[i]);
    }
}

static void disas_buf(FILE *f, uint64_t pc, const uint8_t *buf, size_t len, int mode,
                      size_t max_insns)
{
    csh h;
    cs_insn *insn = NULL;
    size_t n = 0, off = 0, i;
    char hex[64];
    int w = mode == 64 ? 16 : 8;

    if (get_handle(mode, &h)) {
        n = cs_disasm(h, buf, len, pc, max_insns, &insn);
    }
    for (i = 0; i < n; i++) {
        format_bytes(hex, sizeof(hex), insn[i].bytes, insn[i].size);
        if (f) {
            fprintf(f, "0x%0*" PRIx64 ":  %-30s %s %s\n", w, insn[i].address, hex,
                    insn[i].mnemonic, insn[i].op_str);
        } else {
            log_printf("0x%0*" PRIx64 ":  %-30s %s %s\n", w, insn[i].address, hex,
                       insn[i].mnemonic, insn[i].op_str);
        }
        off += insn[i].size;
    }
    if (insn) {
        cs_free(insn, n);
    }
    if (off < len && (max_insns == 0 || n < max_insns)) {
        /* capstone does not know it: show the bytes */
        format_bytes(hex, sizeof(hex), buf + off, MIN(len - off, (size_t)15));
        if (f) {
            fprintf(f, "0x%0*" PRIx64 ":  %-30s (bad)\n", w, pc + off, hex);
        } else {
            log_printf("0x%0*" PRIx64 ":  %-30s (bad)\n", w, pc + off, hex);
        }
    }
}

void x86_disas_log(CPUState *cs, uint64_t pc, uint64_t size, uint32_t flags)
{
    const uint8_t *p;
    uint8_t *tmp = NULL;
    int mode = mode_of_flags(flags);

    if (size == 0) {
        return;
    }
    if (!x86_tb_bytes_get(pc, size, &p)) {
        size_t got;
        tmp = xmalloc(size);
        got = x86_read_code(cs, pc, flags, tmp, size);
        size = got;
        p = tmp;
    }
    log_printf("IN: [%d-bit]\n", mode);
    disas_buf(NULL, pc, p, size, mode, 0);
    log_printf("\n");
    free(tmp);
}

/* CPUClass.disas: a block of the history ring, for crash reports. */
void x86_disas_block(CPUState *cs, uint64_t pc, uint64_t size, uint32_t flags, FILE *f)
{
    uint8_t *buf;
    size_t got;

    if (size == 0) {
        return;
    }
    size = MIN(size, (uint64_t)X86_TB_BYTES_MAX);
    buf = xmalloc(size);
    got = x86_read_code(cs, pc, flags, buf, size);
    if (got > 0) {
        disas_buf(f, pc, buf, got, mode_of_flags(flags), 0);
    }
    if (got < size) {
        fprintf(f, "0x%" PRIx64 ":  <%" PRIu64 " bytes not readable>\n", pc + got,
                size - got);
    }
    free(buf);
}

void x86_disas_bytes(FILE *f, uint64_t pc, const uint8_t *buf, size_t len, int mode)
{
    disas_buf(f, pc, buf, len, mode, 1);
}

void x86_disas_one(CPUState *cs, uint64_t pc, int mode, FILE *f)
{
    X86CPU *env = x86_cpu(cs);
    uint8_t buf[15];
    size_t n = x86_read_code(cs, pc, env->hflags, buf, sizeof(buf));

    if (n == 0) {
        fprintf(f, "0x%" PRIx64 ":  <not mapped>\n", pc);
        return;
    }
    disas_buf(f, pc, buf, n, mode, 1);
}

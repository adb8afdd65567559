/* SPDX-License-Identifier: MIT */
/*
 * guest.h - the tiny runtime shared by the bare-metal x86 test guests.
 *
 * Provides: COM1 output and a printf-lite (%x %X %d %u %s %c %p, width/zero pad, l/ll),
 * the check/report helpers (PASS:/FAIL: lines, exit through isa-debug-exit at port 0xf4),
 * the fixed GDT layout, IDT/TSS helpers, an exception catcher that records
 * vector, error code, CR2 and the faulting EIP/CS and resumes at a recovery point,
 * ring-3 entry, and long-mode (IA-32e) entry/exit with a compatibility-mode C runtime.
 */
#ifndef GUEST_H
#define GUEST_H

/* Selectors of the GDT that the runtime installs (lib/desc.c). Shared with assembly. */
#define SEL_KCODE   0x08    /* 32-bit code, DPL0, base 0, 4 GiB */
#define SEL_KDATA   0x10    /* 32-bit data, DPL0, base 0, 4 GiB */
#define SEL_UCODE   0x18    /* 32-bit code, DPL3 (use with RPL 3: 0x1b) */
#define SEL_UDATA   0x20    /* 32-bit data, DPL3 (0x23) */
#define SEL_TSS     0x28    /* 32-bit available TSS (loaded into TR by lib_init) */
#define SEL_CODE16  0x30    /* 16-bit code, base 0, limit 0xffff */
#define SEL_DATA16  0x38    /* 16-bit data, base 0, limit 0xffff */
#define SEL_CODE64  0x40    /* 64-bit code (L=1), DPL0 */
#define SEL_CONF    0x48    /* 32-bit conforming code, DPL0, base 0 */
#define SEL_TEST    0x50    /* first of the slots free for the tests (GDT_TEST_SLOTS of them) */
#define GDT_ENTRIES 32
#define GDT_TEST_SLOTS ((GDT_ENTRIES * 8 - SEL_TEST) / 8)

#define USER_EXIT_VEC 0x81  /* DPL3 gate: ring-3 code ends with `int $0x81` */

/* Offsets inside struct trap_info (used by lib/long.S). */
#define TI_VECTOR   0
#define TI_ERROR    4
#define TI_EIP      8
#define TI_CS       12
#define TI_EFLAGS   16
#define TI_COUNT    20
#define TI_CR2      24
#define TI_RIP      32
#define TI_ESP      40
#define TI_SS       44

#define XSTR(x) #x
#define STR(x) XSTR(x)

#ifndef __ASSEMBLER__

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Defines a global assembly function `name` (AT&T syntax, 32-bit unless the body switches)
 * and declares it as void name(uint32_t). Bodies are string literals; labels inside them
 * (e.g. the faulting instruction) can be declared with ASM_LABEL and compared with saved EIPs.
 */
#define ASM_FN(name, body)                                                             \
    void name(uint32_t);                                                               \
    __asm__(".pushsection .text\n.globl " #name "\n.type " #name ", @function\n" #name \
            ":\n" body "\n.popsection\n")
#define ASM_LABEL(name) extern char name[]
#define LBL(name) ((uint32_t)(name))

/* ---- runtime (lib/rt.c) ---- */
void serial_putc(char c);
void puts_raw(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
__attribute__((noreturn)) void exit(int v);

extern uint32_t mb_magic, mb_info;

/* Checks: each prints "PASS: what" or "FAIL: what (got X, expected Y)". Return true on pass. */
bool check(bool ok, const char *what);
bool check_eq(const char *what, uint32_t got, uint32_t expected);
bool check_eq64(const char *what, uint64_t got, uint64_t expected);
void pass(const char *what);
void fail(const char *what, uint32_t got, uint32_t expected);
/* Prints the summary and exits through isa-debug-exit: 0 if no check failed, else 1. */
__attribute__((noreturn)) void finish(void);
extern unsigned checks_passed, checks_failed, checks_xfailed;
/* Prints "FAIL: <formatted>" and counts a failure, or "XFAIL: ..." (not a failure) while a
 * qemu_deviation() is set and the guest runs under QEMU TCG. */
void check_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Marks the following checks (until qemu_deviation(NULL)) as ones that QEMU's TCG is
 * known to get wrong, with the reason: under QEMU TCG (CPUID 0x40000000 signature
 * "TCGTCGTCGTCG") their failures print XFAIL instead of FAIL; elsewhere they stay strict.
 */
void qemu_deviation(const char *why);
bool under_qemu_tcg(void);
/* Builds a check name in a static buffer (valid until the next call). */
const char *fmt_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- descriptors (lib/desc.c) ---- */
/* access byte */
#define ACC_P       0x80
#define ACC_DPL(n)  ((n) << 5)
#define ACC_S       0x10
#define ACC_CODE    0x18    /* S + executable */
#define ACC_DATA    0x10
#define ACC_R       0x02    /* code: readable */
#define ACC_W       0x02    /* data: writable */
#define ACC_C       0x04    /* code: conforming */
#define ACC_E       0x04    /* data: expand-down */
#define ACC_A       0x01
/* flags nibble */
#define FL_G        0x8
#define FL_DB       0x4
#define FL_L        0x2
/* system descriptor / gate types */
#define SYS_TSS32_AVAIL 0x9
#define SYS_TSS32_BUSY  0xb
#define SYS_LDT         0x2
#define GATE_CALL32     0xc
#define GATE_INT32      0xe
#define GATE_TRAP32     0xf
#define GATE_TASK       0x5

struct tss32 {
    uint16_t link, r0;
    uint32_t esp0;
    uint16_t ss0, r1;
    uint32_t esp1;
    uint16_t ss1, r2;
    uint32_t esp2;
    uint16_t ss2, r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
    uint16_t trap, iomap;
} __attribute__((packed));

extern uint64_t gdt[GDT_ENTRIES];
extern struct tss32 tss;
extern uint8_t trap_stack_top[];

uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);
void gdt_set(unsigned sel, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);
void gdt_set_raw(unsigned sel, uint64_t desc);
void gdt_set_gate(unsigned sel, uint16_t target_sel, uint32_t offset, uint8_t type, int dpl,
                  int params, bool present);
void idt_set(int vec, uint32_t handler, uint16_t sel, uint8_t type, int dpl, bool present);
void idt_set_default(int vec);          /* the runtime's stub, interrupt gate, DPL0 */
uint32_t idt_stub(int vec);             /* address of the runtime's 32-bit stub for vec */
void idt_load32(void);                  /* (re)load the 32-bit IDT */
uint32_t idt_raw_lo(int vec);
void idt_set_raw(int vec, uint32_t lo, uint32_t hi);
uint32_t idt_raw_hi(int vec);

/* ---- exceptions ---- */
struct trap_frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;           /* pushed only on a privilege change */
};

struct trap_info {
    uint32_t vector, error, eip, cs, eflags, count;
    uint64_t cr2, rip;
    uint32_t esp, ss;           /* the interrupted stack when it changed privilege, else 0 */
};
extern volatile struct trap_info trap_last;

/* A hook sees the frame first; returning true resumes the interrupted code with IRET
 * (the frame may be edited), false goes on to the catcher. */
typedef bool (*trap_hook_fn)(struct trap_frame *f);
void trap_set_hook(int vec, trap_hook_fn fn);

/* Calls fn(arg). Returns 0 when fn returns, or 1 when an exception (or int $USER_EXIT_VEC)
 * arrived meanwhile: trap_last describes it, and the stack, callee-saved registers,
 * DS/ES/FS/GS/SS (flat kernel data) and EFLAGS (0x2) are restored. Works from protected
 * mode and from long mode's compatibility mode; fn may switch to ring 3. */
int catch_call(void (*fn)(uint32_t), uint32_t arg);
#define NO_TRAP 0xffffffffu

/* Runs fn at CPL 3 (flat user code/data, user stack below ustack_top, EFLAGS=eflags)
 * under catch_call. fn must end with `int $USER_EXIT_VEC`; returns the vector that
 * brought control back (USER_EXIT_VEC when fn finished). */
uint32_t run_user(void (*fn)(uint32_t), uint32_t ustack_top, uint32_t eflags);
extern uint8_t user_stack_top[];

/*
 * Expects fn(arg) to raise vector vec with error code err (NO_TRAP: don't check) at
 * eip (NO_TRAP: don't check) with saved CS cs (0: don't check). Prints one PASS/FAIL
 * line per field. Returns true when all matched.
 */
bool expect_trap(const char *what, void (*fn)(uint32_t), uint32_t arg, uint32_t vec,
                 uint32_t err, uint32_t eip, uint32_t cs);
/* Same, when fn runs at CPL 3 (through run_user). */
bool expect_user_trap(const char *what, void (*fn)(uint32_t), uint32_t vec, uint32_t err,
                      uint32_t eip);
/* Expects fn(arg) to return without any exception. */
bool expect_no_trap(const char *what, void (*fn)(uint32_t), uint32_t arg);

/* ---- control registers, MSRs, ports ---- */
static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline uint32_t read_eflags(void) { uint32_t v; __asm__ volatile("pushfl; popl %0" : "=r"(v)); return v; }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
static inline uint16_t read_cs(void) { uint16_t v; __asm__ volatile("mov %%cs, %0" : "=r"(v)); return v; }
static inline uint16_t read_ds(void) { uint16_t v; __asm__ volatile("mov %%ds, %0" : "=r"(v)); return v; }
static inline uint16_t read_ss(void) { uint16_t v; __asm__ volatile("mov %%ss, %0" : "=r"(v)); return v; }
static inline uint16_t read_tr(void) { uint16_t v; __asm__ volatile("str %0" : "=r"(v)); return v; }

#define CR0_PE  0x00000001u
#define CR0_MP  0x00000002u
#define CR0_EM  0x00000004u
#define CR0_TS  0x00000008u
#define CR0_WP  0x00010000u
#define CR0_AM  0x00040000u
#define CR0_PG  0x80000000u
#define CR4_PSE 0x00000010u
#define CR4_PAE 0x00000020u
#define MSR_EFER 0xc0000080u
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)
#define EFL_CF  0x0001u
#define EFL_PF  0x0004u
#define EFL_AF  0x0010u
#define EFL_ZF  0x0040u
#define EFL_SF  0x0080u
#define EFL_TF  0x0100u
#define EFL_IF  0x0200u
#define EFL_DF  0x0400u
#define EFL_OF  0x0800u
#define EFL_NT  0x4000u
#define EFL_RF  0x10000u

/* ---- long mode (lib/long.S) ---- */
/* Enters IA-32e mode with CR3=pml4 (CR4.PAE, EFER.LME, CR0.PG): returns in compatibility
 * mode (CS=SEL_KCODE), with the 64-bit IDT loaded. EFER.NXE is left as it was. */
void long_enter(uint32_t pml4);
/* Leaves IA-32e mode back to 32-bit protected mode with paging off and the 32-bit IDT. */
void long_exit(void);
/* From compatibility mode: far-calls the 64-bit function fn (SysV: arg in RDI, result in
 * RAX) in the 64-bit code segment and returns its result. */
uint64_t call64(void *fn, uint64_t arg);

/* Identity-maps the first 1 GiB with 2 MiB pages into the given 4-level tables (each 4 KiB,
 * aligned): pml4[0] -> pdpt[0] -> pd. */
void build_identity_4level(uint64_t *pml4, uint64_t *pdpt, uint64_t *pd);

#endif /* __ASSEMBLER__ */
#endif /* GUEST_H */

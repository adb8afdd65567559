/* SPDX-License-Identifier: MIT */
/*
 * desc.c - descriptor tables of the x86 test guests: the fixed GDT (see guest.h),
 * the 32-bit IDT (all 256 vectors go to the runtime's stubs) and the 64-bit IDT,
 * the TSS, the trap dispatcher behind catch_call, and the expect_* helpers.
 * Formats: Intel SDM vol. 3A, 3.4.5 (segment descriptors), 6.11 (IDT), 7.2 (TSS).
 */
#include "guest.h"

#define SEGD(base, limit, access, flags)                                           \
    ((((uint64_t)(base) & 0xff000000ull) << 32) | ((uint64_t)((flags) & 0xf) << 52) | \
     (((uint64_t)(limit) & 0xf0000ull) << 32) | ((uint64_t)(access) << 40) |        \
     (((uint64_t)(base) & 0xffffffull) << 16) | ((uint64_t)(limit) & 0xffffull))

uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16))) = {
    [SEL_KCODE / 8] = SEGD(0, 0xfffff, ACC_P | ACC_CODE | ACC_R, FL_G | FL_DB),
    [SEL_KDATA / 8] = SEGD(0, 0xfffff, ACC_P | ACC_DATA | ACC_W, FL_G | FL_DB),
    [SEL_UCODE / 8] = SEGD(0, 0xfffff, ACC_P | ACC_DPL(3) | ACC_CODE | ACC_R, FL_G | FL_DB),
    [SEL_UDATA / 8] = SEGD(0, 0xfffff, ACC_P | ACC_DPL(3) | ACC_DATA | ACC_W, FL_G | FL_DB),
    [SEL_CODE16 / 8] = SEGD(0, 0xffff, ACC_P | ACC_CODE | ACC_R, 0),
    [SEL_DATA16 / 8] = SEGD(0, 0xffff, ACC_P | ACC_DATA | ACC_W, 0),
    [SEL_CODE64 / 8] = SEGD(0, 0xfffff, ACC_P | ACC_CODE | ACC_R, FL_G | FL_L),
    [SEL_CONF / 8] = SEGD(0, 0xfffff, ACC_P | ACC_CODE | ACC_R | ACC_C, FL_G | FL_DB),
};

struct __attribute__((packed)) pseudo_desc {
    uint16_t limit;
    uint32_t base;
};

struct pseudo_desc gdt_desc = { sizeof(gdt) - 1, (uint32_t)gdt };

static uint64_t idt32[256] __attribute__((aligned(16)));
static struct pseudo_desc idt32_desc = { sizeof(idt32) - 1, (uint32_t)idt32 };
uint64_t idt64[512] __attribute__((aligned(16)));     /* 16-byte gates; used by long.S */
struct pseudo_desc idt64_desc = { sizeof(idt64) - 1, (uint32_t)idt64 };

struct tss32 tss __attribute__((aligned(128)));
volatile struct trap_info trap_last;
static trap_hook_fn trap_hooks[256];

extern uint8_t isr_stubs[], isr64_stubs[];
extern uint32_t catch_armed;
void catch_resume(void) __attribute__((noreturn));
void trap_dispatch32(struct trap_frame *f);
void lib_init(void);

/* long.S writes trap_info fields at these offsets */
_Static_assert(offsetof(struct trap_info, vector) == TI_VECTOR, "TI_VECTOR");
_Static_assert(offsetof(struct trap_info, error) == TI_ERROR, "TI_ERROR");
_Static_assert(offsetof(struct trap_info, eip) == TI_EIP, "TI_EIP");
_Static_assert(offsetof(struct trap_info, cs) == TI_CS, "TI_CS");
_Static_assert(offsetof(struct trap_info, eflags) == TI_EFLAGS, "TI_EFLAGS");
_Static_assert(offsetof(struct trap_info, count) == TI_COUNT, "TI_COUNT");
_Static_assert(offsetof(struct trap_info, cr2) == TI_CR2, "TI_CR2");
_Static_assert(offsetof(struct trap_info, rip) == TI_RIP, "TI_RIP");
_Static_assert(offsetof(struct trap_info, esp) == TI_ESP, "TI_ESP");
_Static_assert(offsetof(struct trap_info, ss) == TI_SS, "TI_SS");
_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS size");

uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return SEGD(base, limit, access, flags);
}

void gdt_set_raw(unsigned sel, uint64_t desc)
{
    gdt[(sel & 0xfff8) / 8] = desc;
}

void gdt_set(unsigned sel, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    gdt_set_raw(sel, SEGD(base, limit, access, flags));
}

void gdt_set_gate(unsigned sel, uint16_t target_sel, uint32_t offset, uint8_t type, int dpl,
                  int params, bool present)
{
    uint32_t lo = (offset & 0xffff) | ((uint32_t)target_sel << 16);
    uint32_t hi = (offset & 0xffff0000u) | (present ? 0x8000u : 0) | ((uint32_t)dpl << 13) |
                  ((uint32_t)type << 8) | (params & 0x1f);
    gdt_set_raw(sel, ((uint64_t)hi << 32) | lo);
}

uint32_t idt_stub(int vec)
{
    return (uint32_t)isr_stubs + vec * 16;
}

void idt_set(int vec, uint32_t handler, uint16_t sel, uint8_t type, int dpl, bool present)
{
    uint32_t lo = (handler & 0xffff) | ((uint32_t)sel << 16);
    uint32_t hi = (handler & 0xffff0000u) | (present ? 0x8000u : 0) | ((uint32_t)dpl << 13) |
                  ((uint32_t)type << 8);
    idt32[vec] = ((uint64_t)hi << 32) | lo;
}

void idt_set_default(int vec)
{
    idt_set(vec, idt_stub(vec), SEL_KCODE, GATE_INT32, vec == USER_EXIT_VEC ? 3 : 0, true);
}

uint32_t idt_raw_lo(int vec)
{
    return (uint32_t)idt32[vec];
}

uint32_t idt_raw_hi(int vec)
{
    return (uint32_t)(idt32[vec] >> 32);
}

void idt_set_raw(int vec, uint32_t lo, uint32_t hi)
{
    idt32[vec] = ((uint64_t)hi << 32) | lo;
}

void idt_load32(void)
{
    __asm__ volatile("lidt %0" :: "m"(idt32_desc));
}

void trap_set_hook(int vec, trap_hook_fn fn)
{
    trap_hooks[vec] = fn;
}

void lib_init(void)
{
    for (int v = 0; v < 256; v++) {
        idt_set_default(v);
        /* 64-bit interrupt gate: offset 15:0, selector, type 0xe P=1, offset 31:16, 63:32 = 0 */
        uint32_t h = (uint32_t)isr64_stubs + v * 16;
        uint32_t dpl = v == USER_EXIT_VEC ? 3 : 0;
        idt64[2 * v] = ((uint64_t)((h & 0xffff0000u) | 0x8e00u | (dpl << 13)) << 32) |
                       (h & 0xffff) | ((uint32_t)SEL_CODE64 << 16);
        idt64[2 * v + 1] = 0;
    }
    idt_load32();

    memset(&tss, 0, sizeof(tss));
    tss.esp0 = (uint32_t)trap_stack_top;
    tss.ss0 = SEL_KDATA;
    tss.iomap = sizeof(tss);    /* no I/O bitmap: ring 3 has no port access */
    gdt_set(SEL_TSS, (uint32_t)&tss, sizeof(tss) - 1, ACC_P | SYS_TSS32_AVAIL, 0);
    __asm__ volatile("ltr %w0" :: "r"(SEL_TSS));
}

void trap_dispatch32(struct trap_frame *f)
{
    trap_last.vector = f->vector;
    trap_last.error = f->error;
    trap_last.eip = f->eip;
    trap_last.rip = f->eip;
    trap_last.cs = f->cs & 0xffff;
    trap_last.eflags = f->eflags;
    trap_last.cr2 = read_cr2();
    if ((f->cs & 3) != (read_cs() & 3)) {
        trap_last.esp = f->esp;
        trap_last.ss = f->ss & 0xffff;
    } else {
        trap_last.esp = 0;
        trap_last.ss = 0;
    }
    trap_last.count++;
    if (trap_hooks[f->vector & 0xff] && trap_hooks[f->vector & 0xff](f)) {
        return;
    }
    if (catch_armed) {
        catch_resume();
    }
    qemu_deviation(NULL);
    check_failf("unexpected exception %u error 0x%x at %x:%x eflags 0x%x cr2 0x%x",
                f->vector, f->error, f->cs, f->eip, f->eflags, (uint32_t)trap_last.cr2);
    finish();
}

/* Entered (in compatibility mode, on the trap stack) when a 64-bit stub saw no catcher. */
void trap_unexpected64(void);
void trap_unexpected64(void)
{
    qemu_deviation(NULL);
    check_failf("unexpected exception in long mode: vector %u error 0x%x at %x:%llx cr2 0x%llx",
                trap_last.vector, trap_last.error, trap_last.cs, (unsigned long long)trap_last.rip,
                (unsigned long long)trap_last.cr2);
    finish();
}

static bool report_trap(const char *what, uint32_t vec, uint32_t err, uint32_t eip, uint32_t cs)
{
    bool ok = check_eq(fmt_name("%s: vector", what), trap_last.vector, vec);
    if (err != NO_TRAP) {
        ok &= check_eq(fmt_name("%s: error code", what), trap_last.error, err);
    }
    if (eip != NO_TRAP) {
        ok &= check_eq(fmt_name("%s: saved EIP", what), trap_last.eip, eip);
    }
    if (cs) {
        ok &= check_eq(fmt_name("%s: saved CS", what), trap_last.cs, cs);
    }
    return ok;
}

bool expect_trap(const char *what, void (*fn)(uint32_t), uint32_t arg, uint32_t vec,
                 uint32_t err, uint32_t eip, uint32_t cs)
{
    trap_last.vector = NO_TRAP;
    if (!catch_call(fn, arg)) {
        check_failf("%s (got no exception, expected vector %u)", what, vec);
        return false;
    }
    return report_trap(what, vec, err, eip, cs);
}

bool expect_user_trap(const char *what, void (*fn)(uint32_t), uint32_t vec, uint32_t err,
                      uint32_t eip)
{
    trap_last.vector = NO_TRAP;
    uint32_t got = run_user(fn, (uint32_t)user_stack_top, 0x2);
    if (got == USER_EXIT_VEC && vec != USER_EXIT_VEC) {
        check_failf("%s (got no exception, expected vector %u)", what, vec);
        return false;
    }
    return report_trap(what, vec, err, eip, SEL_UCODE | 3);
}

bool expect_no_trap(const char *what, void (*fn)(uint32_t), uint32_t arg)
{
    trap_last.vector = NO_TRAP;
    if (catch_call(fn, arg)) {
        check_failf("%s (got exception %u error 0x%x at 0x%x, expected none)", what,
                    trap_last.vector, trap_last.error, trap_last.eip);
        return false;
    }
    pass(what);
    return true;
}

void build_identity_4level(uint64_t *pml4, uint64_t *pdpt, uint64_t *pd)
{
    memset(pml4, 0, 4096);
    memset(pdpt, 0, 4096);
    for (int i = 0; i < 512; i++) {
        pd[i] = ((uint64_t)i << 21) | 0x83;     /* P | RW | PS */
    }
    pdpt[0] = (uint32_t)pd | 0x3;
    pml4[0] = (uint32_t)pdpt | 0x3;
}

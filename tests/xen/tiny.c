/* SPDX-License-Identifier: MIT */
/*
 * tiny.c - the smallest Xen HVM guest of the Xen tests: loaded by xl as `firmware=` in
 * place of hvmloader (an ELF32 at 1 MiB, entered in flat 32-bit protected mode, paging
 * off), it prints on COM1, which the device model emulates, checks that it runs in a Xen
 * HVM domain (CPUID's hypervisor leaves), reads and writes the scratch MMIO of pc-testdev
 * at 0xFF000000 that tandem's xenfv board has (1, 2 and 4-byte accesses, and rep movsl in
 * both directions, which Xen hands over with the data in guest RAM), and ends with the
 * runtime's DONE line. A device model without that device (Debian's qemu-xen) fails the
 * first probe: the MMIO checks are then skipped with an "XEN-TINY: SKIP" line.
 * PCI (no hvmloader ran: the guest sets up what it uses itself): the Xen platform device
 * at 02.0 (IDs, class, the unplug protocol's magic and version at ports 0x10/0x12), and
 * QEMU's edu device where the device model was given one (-device edu,addr=05.0 in the
 * domain's device_model_args_hvm): the shared edu checks of tests/guests/x86/lib/pci.c with
 * BAR0 at 0xE0000000 (in the MMIO hole, not one of Xen's ranges), INTx through Xen's
 * virtual 8259 after routing the device's link in the PIIX3 (Xen's link of a pin is
 * (slot + pin) & 3, not the PC swizzle), an MSI through Xen's virtual local APIC, and DMA
 * both ways, which the device model makes through its mappings of the guest's RAM.
 * Without an edu device that part prints "XEN-TINY: SKIP: no edu".
 * Last, it sets the RTC's year one forward (the RTC is Xen's, which then sends every device
 * model the domain's new time offset as a buffered request: the harness checks tandem's log).
 * Not used: 8-byte MMIO, the unplug writes (which would unplug qemu-xen's disks). Built
 * with tests/guests/x86/lib; the Multiboot magic is not checked: Xen does not enter
 * firmware through Multiboot.
 */
#include "guest.h"
#include "pci.h"

#define SCRATCH 0xFF000000u

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }
static uint16_t rd16(uint32_t a) { return *(volatile uint16_t *)a; }
static uint8_t rd8(uint32_t a) { return *(volatile uint8_t *)a; }
static void wr32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static void wr16(uint32_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static void wr8(uint32_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

static void rep_movsl(void *dst, const void *src, uint32_t n)
{
    __asm__ volatile("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void mmio_checks(void)
{
    static uint32_t out[4] = { 0x01234567, 0x89abcdef, 0xfeedface, 0x0badf00d }, in[4];

    wr32(SCRATCH + 0x10, 0xa5c3f00d);
    uint32_t probe = rd32(SCRATCH + 0x10);
    if (probe != 0xa5c3f00d) {
        printf("XEN-TINY: SKIP: no scratch MMIO at 0x%x (read back 0x%x): the device model"
               " has no pc-testdev\n", SCRATCH, probe);
        return;
    }
    printf("XEN-TINY: scratch MMIO at 0x%x present\n", SCRATCH);
    for (uint32_t i = 0; i < 4; i++) {
        wr8(SCRATCH + i, (uint8_t)(0x11 * (i + 1)));
    }
    check_eq("MMIO 4 byte writes, dword read", rd32(SCRATCH), 0x44332211);
    wr16(SCRATCH + 2, 0xbeef);
    check_eq("MMIO word write, dword read", rd32(SCRATCH), 0xbeef2211);
    check_eq("MMIO word read", rd16(SCRATCH), 0x2211);
    check_eq("MMIO byte read", rd8(SCRATCH + 3), 0xbe);
    wr32(SCRATCH + 0x1000, 0x5a5aa5a5);
    check_eq("MMIO dword at +0x1000", rd32(SCRATCH + 0x1000), 0x5a5aa5a5);
    rep_movsl((void *)(SCRATCH + 0x100), out, 4);
    for (uint32_t i = 0; i < 4; i++) {
        check_eq(fmt_name("MMIO rep movsl to the device, dword %u", i), rd32(SCRATCH + 0x100 + 4 * i),
                 out[i]);
    }
    wr32(SCRATCH + 0x108, 0x600df00d);
    rep_movsl(in, (const void *)(SCRATCH + 0x100), 4);
    check_eq("MMIO rep movsl from the device, dword 0", in[0], out[0]);
    check_eq("MMIO rep movsl from the device, dword 2", in[2], 0x600df00d);
    check_eq("MMIO rep movsl from the device, dword 3", in[3], out[3]);
}

#define XEN_PLATFORM_DEVFN PCI_DEVFN(2, 0)
#define EDU_BAR0 0xe0000000u
#define EDU_IRQ 10

static void platform_checks(void)
{
    uint32_t id = pci_cfg_read(XEN_PLATFORM_DEVFN, 0, 4);

    if (id == 0xffffffff) {
        printf("XEN-TINY: SKIP: no Xen platform device at 02.0\n");
        return;
    }
    check_eq("Xen platform device 5853:0001 at 02.0", id, 0x00015853);
    check_eq("Xen platform device: class ff80, revision 1",
             pci_cfg_read(XEN_PLATFORM_DEVFN, 0x08, 4), 0xff800001);
    check_eq("Xen platform device: subsystem 5853:0001",
             pci_cfg_read(XEN_PLATFORM_DEVFN, 0x2c, 4), 0x00015853);
    pci_cfg_write(XEN_PLATFORM_DEVFN, 0x14, 4, 0xffffffff);
    check_eq("Xen platform device: BAR1 sizing, 16 MiB prefetchable",
             pci_cfg_read(XEN_PLATFORM_DEVFN, 0x14, 4), 0xff000008);
    pci_cfg_write(XEN_PLATFORM_DEVFN, 0x14, 4, 0);
    check_eq("unplug protocol: magic at port 0x10", inw(0x10), 0x49d2);
    check_eq("unplug protocol: version at port 0x12", inb(0x12), 1);
}

static void edu_xen_checks(void)
{
    struct edu_env env = { .bar0 = EDU_BAR0, .isa_irq = EDU_IRQ };

    env.devfn = pci_find(EDU_VENDOR, EDU_DEVICE);
    if (env.devfn < 0) {
        printf("XEN-TINY: SKIP: no edu device on PCI bus 0 (device_model_args_hvm)\n");
        return;
    }
    env.link = PCI_SLOT(env.devfn) & 3;     /* Xen's link of INTA#: (slot + 0) & 3 */
    printf("XEN-TINY: edu device present\n");
    edu_checks(&env);
}

/* The RTC is Xen's: setting it moves the domain's time offset, which Xen reports to every
 * device model as a buffered IOREQ_TYPE_TIMEOFFSET request (8 bytes: two slots of the
 * buffered ring). Set the year one forward (BCD or binary, as register B says) with the SET
 * bit held, as an OS setting the clock does; the harness checks the device model's log for
 * the offset (about 365 days). */
#define RTC_SECONDS 0x00
#define RTC_YEAR 0x09
#define RTC_REG_B 0x0b
#define  RTC_B_SET 0x80
#define  RTC_B_BINARY 0x04

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
    outb(0x70, reg);
    outb(0x71, v);
}

static void rtc_year_forward(void)
{
    uint8_t b = cmos_read(RTC_REG_B), y = cmos_read(RTC_YEAR), ny;
    int bin = (b & RTC_B_BINARY) != 0;
    unsigned year = bin ? y : (unsigned)((y >> 4) * 10 + (y & 15));

    year = (year + 1) % 100;
    ny = bin ? (uint8_t)year : (uint8_t)(((year / 10) << 4) | (year % 10));
    cmos_write(RTC_REG_B, b | RTC_B_SET);
    cmos_write(RTC_YEAR, ny);
    cmos_write(RTC_REG_B, b & (uint8_t)~RTC_B_SET);
    check(cmos_read(RTC_YEAR) == ny, "RTC (Xen's) year set one forward");
    printf("XEN-TINY: RTC year %02x -> %02x (register B 0x%02x)\n", y, ny, b);
}

int main(void)
{
    uint32_t r[4];

    printf("XEN-TINY: hello from an HVM guest, over the device model's COM1\n");
    check((read_cr0() & CR0_PE) != 0, "protected mode (CR0.PE=1)");
    check((read_cr0() & CR0_PG) == 0, "paging off at entry (CR0.PG=0)");
    cpuid(1, 0, &r[0], &r[1], &r[2], &r[3]);
    check((r[2] >> 31) & 1, "CPUID.1:ECX.hypervisor set");
    /* Xen's leaves start at 0x40000000, or at 0x40000100 when Viridian is on */
    int found = 0;
    for (uint32_t base = 0x40000000; base < 0x40010000 && !found; base += 0x100) {
        cpuid(base, 0, &r[0], &r[1], &r[2], &r[3]);
        found = r[1] == 0x566e6558 && r[2] == 0x65584d4d && r[3] == 0x4d4d566e; /* XenVMMXenVMM */
    }
    check(found, "CPUID hypervisor signature XenVMMXenVMM");
    mmio_checks();
    platform_checks();
    edu_xen_checks();
    rtc_year_forward();
    finish();
}

/* SPDX-License-Identifier: MIT */
/*
 * pci.c - PCI configuration access (mechanism #1) and the edu device checks of the x86
 * test guests (see pci.h). The edu register map is QEMU's docs/specs/edu.rst; the MSI
 * capability's layout is the PCI Local Bus spec 3.0, section 6.8.1; the 8259, ELCR and local
 * APIC programming is what a PC's firmware and OS do (Intel SDM vol. 3A ch. 11).
 */
#include "pci.h"

#define CONFIG_ADDRESS  0xcf8
#define CONFIG_DATA     0xcfc

#define PCI_COMMAND     0x04
#define  CMD_MEMORY     0x0002
#define  CMD_MASTER     0x0004
#define  CMD_INTX_OFF   0x0400
#define PCI_STATUS      0x06
#define  STATUS_INTX    0x0008
#define  STATUS_CAPS    0x0010
#define PCI_BAR0        0x10
#define PCI_CAP_PTR     0x34
#define PCI_INT_PIN     0x3d
#define PCI_CAP_MSI     0x05
#define PIIX3_PIRQRC    0x60

#define EDU_ID          0x00
#define EDU_LIVENESS    0x04
#define EDU_FACTORIAL   0x08
#define EDU_STATUS      0x20
#define EDU_IRQ_STATUS  0x24
#define EDU_IRQ_RAISE   0x60
#define EDU_IRQ_ACK     0x64
#define EDU_DMA_SRC     0x80
#define EDU_DMA_DST     0x88
#define EDU_DMA_COUNT   0x90
#define EDU_DMA_CMD     0x98
#define EDU_BUF         0x40000u
#define DMA_LEN         4000u

#define LAPIC           0xfee00000u
#define LAPIC_ID        0x020
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_LVT0      0x350
#define LAPIC_LVT1      0x360

#define PIC_BASE        0x20        /* master vectors 0x20-0x27, slave 0x28-0x2f */
#define MSI_VECTOR      0x41
#define SPURIOUS_VECTOR 0xff
#define WAIT_TICKS      3000000000ull   /* at most ~1-3 s for an interrupt that must come */
#define QUIET_TICKS     30000000ull     /* how long to see that none comes */

/* ---- configuration mechanism #1 ---- */

static void cfg_select(int devfn, int reg)
{
    outl(CONFIG_ADDRESS, 0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfc));
}

uint32_t pci_cfg_read(int devfn, int reg, int size)
{
    cfg_select(devfn, reg);
    if (size == 1) {
        return inb(CONFIG_DATA + (reg & 3));
    }
    if (size == 2) {
        return inw(CONFIG_DATA + (reg & 2));
    }
    return inl(CONFIG_DATA);
}

void pci_cfg_write(int devfn, int reg, int size, uint32_t v)
{
    cfg_select(devfn, reg);
    if (size == 1) {
        outb(CONFIG_DATA + (reg & 3), (uint8_t)v);
    } else if (size == 2) {
        outw(CONFIG_DATA + (reg & 2), (uint16_t)v);
    } else {
        outl(CONFIG_DATA, v);
    }
}

int pci_find(uint16_t vendor, uint16_t device)
{
    for (int devfn = 0; devfn < 256; devfn++) {
        if (pci_cfg_read(devfn, 0, 4) == ((uint32_t)device << 16 | vendor)) {
            return devfn;
        }
    }
    return -1;
}

int pci_find_cap(int devfn, uint8_t id)
{
    int hops = 0;

    if (!(pci_cfg_read(devfn, PCI_STATUS, 2) & STATUS_CAPS)) {
        return 0;
    }
    for (int off = pci_cfg_read(devfn, PCI_CAP_PTR, 1) & 0xfc; off >= 0x40 && hops < 48;
         hops++) {
        if (pci_cfg_read(devfn, off, 1) == id) {
            return off;
        }
        off = pci_cfg_read(devfn, off + 1, 1) & 0xfc;
    }
    return 0;
}

/* ---- the edu checks ---- */

static uint32_t bar;
static int intx_irq;
static volatile uint32_t intx_count, intx_vector, intx_status;
static volatile uint32_t msi_count, msi_status, spurious;

static uint32_t edu_rd(uint32_t reg)
{
    return *(volatile uint32_t *)(bar + reg);
}

static void edu_wr(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(bar + reg) = v;
}

static void lapic_wr(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(LAPIC + reg) = v;
}

static uint32_t lapic_rd(uint32_t reg)
{
    return *(volatile uint32_t *)(LAPIC + reg);
}

static bool on_intx(struct trap_frame *f)
{
    uint32_t st = edu_rd(EDU_IRQ_STATUS);

    intx_count++;
    intx_vector = f->vector;
    intx_status |= st;
    edu_wr(EDU_IRQ_ACK, st);          /* lowers INTx before the EOI (level triggered) */
    if (intx_irq >= 8) {
        outb(0xa0, 0x20);
    }
    outb(0x20, 0x20);
    return true;
}

static bool on_msi(struct trap_frame *f)
{
    uint32_t st = edu_rd(EDU_IRQ_STATUS);

    msi_count++;
    msi_status |= st;
    edu_wr(EDU_IRQ_ACK, st);
    lapic_wr(LAPIC_EOI, 0);
    return true;
}

static bool on_spurious(struct trap_frame *f)
{
    spurious++;
    return true;
}

/* With interrupts enabled, wait until *count reaches want or `ticks` TSC ticks pass. */
static bool wait_count(volatile uint32_t *count, uint32_t want, uint64_t ticks)
{
    uint64_t end = rdtsc() + ticks;

    __asm__ volatile("sti" ::: "memory");
    while (*count < want && rdtsc() < end) {
        __asm__ volatile("pause" ::: "memory");
    }
    __asm__ volatile("cli" ::: "memory");
    return *count >= want;
}

/* Wait for the DMA engine to finish (bit 0 of the command register). */
static bool wait_dma(void)
{
    uint64_t end = rdtsc() + WAIT_TICKS;
    while ((edu_rd(EDU_DMA_CMD) & 1) && rdtsc() < end) {
        __asm__ volatile("pause" ::: "memory");
    }
    return !(edu_rd(EDU_DMA_CMD) & 1);
}

static void pic_setup(int irq)
{
    uint8_t master = 0xff & ~(1u << 2), slave = 0xff;
    uint16_t elcr = 0x4d0 + irq / 8;

    outb(0x20, 0x11); outb(0x21, PIC_BASE);     outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xa0, 0x11); outb(0xa1, PIC_BASE + 8); outb(0xa1, 0x02); outb(0xa1, 0x01);
    if (irq < 8) {
        master &= ~(1u << irq);
    } else {
        slave &= ~(1u << (irq - 8));
    }
    outb(0x21, master);
    outb(0xa1, slave);
    outb(elcr, inb(elcr) | (1u << (irq % 8)));   /* PCI interrupts are level triggered */
}

static void dma(uint32_t src, uint32_t dst, uint32_t count, uint32_t cmd)
{
    edu_wr(EDU_DMA_SRC, src);
    edu_wr(EDU_DMA_DST, dst);
    edu_wr(EDU_DMA_COUNT, count);
    edu_wr(EDU_DMA_CMD, cmd);
}

static uint8_t dma_out[8192] __attribute__((aligned(4096)));
static uint8_t dma_in[8192] __attribute__((aligned(4096)));

static void dma_checks(void)
{
    /* both cross a page; DMA_LEN, not the whole 4 KiB buffer: QEMU 7.2's edu (qemu-xen's,
     * the oracle of the Xen test) stops with a hardware error on a transfer that reaches
     * the buffer's last byte */
    uint8_t *src = dma_out + 0xf00, *dst = dma_in + 0x80;
    static const uint8_t small[16] = { 0xa5, 0x5a, 0x01, 0x02, 0x03, 0x04, 0xfe, 0xed,
                                       0xfa, 0xce, 0xca, 0xfe, 0x10, 0x20, 0x30, 0x40 };
    uint32_t bad = 0, n = msi_count;

    for (uint32_t i = 0; i < DMA_LEN + 1; i++) {
        src[i] = (uint8_t)(i * 7 + 3 + (i >> 8));
        dst[i] = 0;
    }
    msi_status = 0;
    dma((uint32_t)src, EDU_BUF, DMA_LEN, 1 | 4);
    check(wait_dma(), "edu DMA of 4000 bytes from RAM to the device: done");
    check(wait_count(&msi_count, n + 1, WAIT_TICKS), "edu DMA to the device: MSI on completion");
    check_eq("edu DMA to the device: interrupt status 0x100", msi_status, 0x100);

    msi_status = 0;
    dma(EDU_BUF, (uint32_t)dst, DMA_LEN, 1 | 2 | 4);
    check(wait_dma(), "edu DMA of 4000 bytes from the device to RAM: done");
    check(wait_count(&msi_count, n + 2, WAIT_TICKS), "edu DMA to RAM: MSI on completion");
    check_eq("edu DMA to RAM: interrupt status 0x100", msi_status, 0x100);
    for (uint32_t i = 0; i < DMA_LEN; i++) {
        bad += dst[i] != src[i];
    }
    check_eq("edu DMA round trip of 4000 bytes: bytes that differ", bad, 0);
    check_eq("edu DMA: the byte after the block untouched", dst[DMA_LEN], 0);

    /* 16 bytes into the middle of the buffer, then 32 back around them */
    memcpy(dma_out, small, sizeof(small));
    dma((uint32_t)dma_out, EDU_BUF + 0x800, 16, 1 | 4);
    wait_dma();
    check(wait_count(&msi_count, n + 3, WAIT_TICKS), "edu DMA of 16 bytes to the device: MSI");
    dma(EDU_BUF + 0x7f8, (uint32_t)dma_in, 32, 1 | 2 | 4);
    wait_dma();
    check(wait_count(&msi_count, n + 4, WAIT_TICKS), "edu DMA of 32 bytes to RAM: MSI");
    bad = memcmp(dma_in, src + 0x7f8, 8) != 0;
    bad += memcmp(dma_in + 8, small, 16) != 0;
    bad += memcmp(dma_in + 24, src + 0x810, 8) != 0;
    check_eq("edu DMA of 16 bytes at buffer offset 0x800: the 32 bytes around it", bad, 0);
}

static void msi_checks(int devfn, int cap)
{
    uint16_t ctl = pci_cfg_read(devfn, cap + 2, 2);
    bool is64 = ctl & 0x80;
    uint32_t apic_id = lapic_rd(LAPIC_ID) >> 24;
    uint32_t n_intx = intx_count;

    check_eq("edu MSI: 64-bit address capable, 1 vector, disabled", ctl & 0x1ff, 0x80);
    pci_cfg_write(devfn, cap + 4, 4, LAPIC | apic_id << 12);
    if (is64) {
        pci_cfg_write(devfn, cap + 8, 4, 0);
    }
    pci_cfg_write(devfn, cap + (is64 ? 12 : 8), 2, MSI_VECTOR);
    pci_cfg_write(devfn, cap + 2, 2, ctl | 1);
    check_eq("edu MSI: enabled", pci_cfg_read(devfn, cap + 2, 2) & 1, 1);
    check_eq("edu MSI: address", pci_cfg_read(devfn, cap + 4, 4), LAPIC | apic_id << 12);

    msi_status = 0;
    edu_wr(EDU_IRQ_RAISE, 0x8);
    check(wait_count(&msi_count, 1, WAIT_TICKS), "edu MSI through the local APIC");
    check_eq("edu MSI: interrupt status seen by the handler", msi_status, 0x8);
    check_eq("edu MSI: no INTx meanwhile", intx_count, n_intx);
    check_eq("edu MSI: STATUS.INTERRUPT stays clear",
             pci_cfg_read(devfn, PCI_STATUS, 2) & STATUS_INTX, 0);
    check_eq("edu MSI: interrupt status after the ack", edu_rd(EDU_IRQ_STATUS), 0);

    dma_checks();

    pci_cfg_write(devfn, cap + 2, 2, ctl & ~1u);
}

static void intx_checks(const struct edu_env *env)
{
    int devfn = env->devfn;
    uint16_t cmd = pci_cfg_read(devfn, PCI_COMMAND, 2);

    intx_irq = env->isa_irq;
    pci_cfg_write(PIIX3_DEVFN, PIIX3_PIRQRC + env->link, 1, env->isa_irq);
    check_eq(fmt_name("PIIX3 PIRQ%c routed to IRQ %d", 'A' + env->link, env->isa_irq),
             pci_cfg_read(PIIX3_DEVFN, PIIX3_PIRQRC + env->link, 1), env->isa_irq);
    pic_setup(env->isa_irq);

    intx_status = 0;
    edu_wr(EDU_IRQ_RAISE, 0x5);
    check(wait_count(&intx_count, 1, WAIT_TICKS), "edu INTx through the 8259");
    check_eq("edu INTx: vector", intx_vector, PIC_BASE + env->isa_irq);
    check_eq("edu INTx: interrupt status seen by the handler", intx_status, 0x5);
    check_eq("edu INTx: interrupt status after the ack", edu_rd(EDU_IRQ_STATUS), 0);
    check_eq("edu INTx: STATUS.INTERRUPT clear after the ack",
             pci_cfg_read(devfn, PCI_STATUS, 2) & STATUS_INTX, 0);

    /* COMMAND.INTX_DISABLE holds the pin back; STATUS.INTERRUPT still shows it */
    pci_cfg_write(devfn, PCI_COMMAND, 2, cmd | CMD_INTX_OFF);
    edu_wr(EDU_IRQ_RAISE, 0x2);
    check(!wait_count(&intx_count, 2, QUIET_TICKS), "edu INTx: none with INTX_DISABLE set");
    check_eq("edu INTx: STATUS.INTERRUPT set while disabled",
             pci_cfg_read(devfn, PCI_STATUS, 2) & STATUS_INTX, STATUS_INTX);
    pci_cfg_write(devfn, PCI_COMMAND, 2, cmd);
    check(wait_count(&intx_count, 2, WAIT_TICKS), "edu INTx: arrives once INTX_DISABLE is cleared");

    /* the factorial's completion interrupt */
    intx_status = 0;
    edu_wr(EDU_STATUS, 0x80);
    edu_wr(EDU_FACTORIAL, 6);
    check(wait_count(&intx_count, 3, WAIT_TICKS), "edu INTx after a factorial (status bit 7)");
    check_eq("edu factorial interrupt: status 0x1", intx_status, 0x1);
    check_eq("edu factorial 6! = 720", edu_rd(EDU_FACTORIAL), 720);
    edu_wr(EDU_STATUS, 0);
    check_eq("edu INTx: no spurious interrupts", spurious, 0);
}

static uint32_t factorial(uint32_t n)
{
    uint64_t end = rdtsc() + WAIT_TICKS;
    edu_wr(EDU_FACTORIAL, n);
    while ((edu_rd(EDU_STATUS) & 1) && rdtsc() < end) {
        __asm__ volatile("pause" ::: "memory");
    }
    return edu_rd(EDU_FACTORIAL);
}

void edu_checks(const struct edu_env *env)
{
    int devfn = env->devfn;
    int cap;

    printf("edu at %02x.%x\n", PCI_SLOT(devfn), devfn & 7);
    check_eq("edu class code", pci_cfg_read(devfn, 0x08, 4) >> 8, 0x00ff00);
    check_eq("edu interrupt pin INTA#", pci_cfg_read(devfn, PCI_INT_PIN, 1), 1);
    cap = pci_find_cap(devfn, PCI_CAP_MSI);
    check(cap != 0, "edu has an MSI capability");

    pci_cfg_write(devfn, PCI_BAR0, 4, 0xffffffff);
    check_eq("edu BAR0 sizing: 1 MiB of 32-bit memory", pci_cfg_read(devfn, PCI_BAR0, 4),
             0xfff00000);
    pci_cfg_write(devfn, PCI_BAR0, 4, env->bar0);
    check_eq("edu BAR0 placed", pci_cfg_read(devfn, PCI_BAR0, 4), env->bar0);
    pci_cfg_write(devfn, PCI_COMMAND, 2,
                  (pci_cfg_read(devfn, PCI_COMMAND, 2) | CMD_MEMORY | CMD_MASTER) & ~CMD_INTX_OFF);
    bar = env->bar0;

    check_eq("edu identification", edu_rd(EDU_ID), 0x010000ed);
    edu_wr(EDU_LIVENESS, 0x12345678);
    check_eq("edu liveness check (inverted)", edu_rd(EDU_LIVENESS), 0xedcba987);
    check_eq("edu factorial 5! = 120", factorial(5), 120);
    check_eq("edu factorial 12! = 479001600", factorial(12), 479001600);
    check_eq("edu factorial 13! mod 2^32", factorial(13), 1932053504);
    check_eq("edu unused register reads all ones", edu_rd(0x40), 0xffffffff);

    /* the local APIC in virtual-wire mode: MSIs need it software-enabled, and the 8259's
     * INTR reaches the CPU through LINT0 in ExtINT mode */
    lapic_wr(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
    lapic_wr(LAPIC_LVT0, 0x700);
    lapic_wr(LAPIC_LVT1, 0x400);
    trap_set_hook(PIC_BASE + env->isa_irq, on_intx);
    trap_set_hook(MSI_VECTOR, on_msi);
    trap_set_hook(SPURIOUS_VECTOR, on_spurious);
    trap_set_hook(PIC_BASE + 7, on_spurious);
    trap_set_hook(PIC_BASE + 15, on_spurious);

    intx_checks(env);
    if (cap) {
        msi_checks(devfn, cap);
    }
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

/* SPDX-License-Identifier: MIT */
/*
 * edupoll.c - the edu device's interrupts seen without taking them (edupoll.opts: -device
 * edu): with interrupts disabled throughout, the guest asserts edu's INTx and reads the
 * 8259's request register (OCW3 "read IRR") to see the level arrive at IRQ 11 through the
 * PIIX3's PIRQ routing and leave again on the device's acknowledge; then it enables MSI and
 * reads the local APIC's IRR for the message's vector. No handler runs and no IRET is
 * executed, so the same guest runs under every accelerator and interrupt-controller mode
 * (a PVM-based KVM cannot run edu.c's handlers): it checks that the board's PCI interrupts
 * reach whichever PIC and APIC are in charge (tandem's, or KVM's in-kernel ones through
 * KVM_IRQ_LINE and KVM_SIGNAL_MSI). edu.c checks the interrupts as taken.
 */
#include "guest.h"
#include "pci.h"

#define EDU_BAR0        0xe0000000u
#define EDU_ID          0x00
#define EDU_IRQ_STATUS  0x24
#define EDU_IRQ_RAISE   0x60
#define EDU_IRQ_ACK     0x64
#define PCI_COMMAND     0x04
#define PCI_BAR0        0x10
#define PCI_CAP_MSI     0x05
#define PIIX3_PIRQRC    0x60
#define ISA_IRQ         11
#define LAPIC           0xfee00000u
#define LAPIC_ID        0x020
#define LAPIC_SVR       0x0f0
#define LAPIC_IRR       0x200
#define MSI_VECTOR      0x52

static uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }
static void wr32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

/* The 8259 pair's request register, IRQ 0-15 (OCW3: read IRR on the next read). */
static uint16_t pic_irr(void)
{
    outb(0x20, 0x0a);
    outb(0xa0, 0x0a);
    return (uint16_t)(inb(0x20) | inb(0xa0) << 8);
}

static bool lapic_irr(int vector)
{
    return (rd32(LAPIC + LAPIC_IRR + (vector / 32) * 0x10) >> (vector % 32)) & 1;
}

int main(void)
{
    int devfn, cap, link;
    uint32_t apic_id;

    __asm__ volatile("cli" ::: "memory");
    devfn = pci_find(EDU_VENDOR, EDU_DEVICE);
    if (!check(devfn >= 0, "an edu device (1234:11e8) on PCI bus 0")) {
        finish();
    }
    pci_cfg_write(devfn, PCI_BAR0, 4, EDU_BAR0);
    pci_cfg_write(devfn, PCI_COMMAND, 2, 0x0006);            /* memory space, bus master */
    check_eq("edu identification", rd32(EDU_BAR0 + EDU_ID), 0x010000ed);

    /* INTx: the pc board's swizzle puts slot S's INTA# on PIRQ (S - 1) mod 4 */
    link = (PCI_SLOT(devfn) - 1) & 3;
    pci_cfg_write(PIIX3_DEVFN, PIIX3_PIRQRC + link, 1, ISA_IRQ);
    outb(0x4d0 + ISA_IRQ / 8, inb(0x4d0 + ISA_IRQ / 8) | 1u << (ISA_IRQ % 8));   /* level */
    check_eq("IRQ 11 idle before the device asserts INTx", (pic_irr() >> ISA_IRQ) & 1, 0);
    wr32(EDU_BAR0 + EDU_IRQ_RAISE, 0x1);
    check_eq("edu INTx: IRQ 11 requested at the 8259", (pic_irr() >> ISA_IRQ) & 1, 1);
    wr32(EDU_BAR0 + EDU_IRQ_ACK, 0x1);
    check_eq("edu INTx: IRQ 11 withdrawn after the device's acknowledge",
             (pic_irr() >> ISA_IRQ) & 1, 0);

    /* MSI to this CPU's local APIC, software-enabled, the vector left pending */
    cap = pci_find_cap(devfn, PCI_CAP_MSI);
    if (!check(cap != 0, "edu has an MSI capability")) {
        finish();
    }
    wr32(LAPIC + LAPIC_SVR, 0x1ff);
    apic_id = rd32(LAPIC + LAPIC_ID) >> 24;
    pci_cfg_write(devfn, cap + 4, 4, LAPIC | apic_id << 12);
    pci_cfg_write(devfn, cap + 8, 4, 0);                     /* edu's MSI is 64-bit */
    pci_cfg_write(devfn, cap + 12, 2, MSI_VECTOR);
    pci_cfg_write(devfn, cap + 2, 2, pci_cfg_read(devfn, cap + 2, 2) | 1);
    check_eq("vector 0x52 not pending before the MSI", lapic_irr(MSI_VECTOR), 0);
    wr32(EDU_BAR0 + EDU_IRQ_RAISE, 0x2);
    check_eq("edu MSI: vector 0x52 pending in the local APIC", lapic_irr(MSI_VECTOR), 1);
    check_eq("edu MSI: no INTx meanwhile", (pic_irr() >> ISA_IRQ) & 1, 0);
    wr32(EDU_BAR0 + EDU_IRQ_ACK, 0x2);
    check_eq("edu: interrupt status clear after the acknowledge",
             rd32(EDU_BAR0 + EDU_IRQ_STATUS), 0);
    finish();
}

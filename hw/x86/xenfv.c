/* SPDX-License-Identifier: MIT */
/*
 * hw/x86/xenfv.c — the `xenfv` board: the devices of a Xen HVM domain that Xen leaves to
 * its device model (QEMU's machine of that name). Xen itself emulates the LAPIC, IOAPIC,
 * PIC, PIT, HPET, RTC and ACPI PM timer, so this board has none of them: it wires
 * COM1..COM4 16550 UARTs, whose interrupts go to Xen's virtual PIC/IOAPIC through
 * xendevicemodel (accel/xen/xen.h), the i440FX host bridge (config ports 0xCF8/0xCFC), the
 * PIIX3 ISA bridge at 01.0 and the Xen platform device at 02.0 (hw/xen/xen_platform.h, where
 * qemu-xen puts it without VGA), so that hvmloader and PV-on-HVM drivers find the PCI
 * configuration they expect, and pc-testdev (hw/misc/pc_testdev.h)
 * for its scratch MMIO at 0xFF000000 (above Xen's special pages, which end there, and
 * above hvmloader's PCI hole and reserved area below 0xFC000000+; its ports 0xE0-0xEB
 * include 0xE9, which Xen serves itself before any device model): tests/xen/tiny.c uses it
 * to prove the MMIO ioreq path.
 * Guest RAM and the CPUs belong to Xen: the board's RAM region is a window onto the
 * domain's memory (xen_guest_memory_init: devices' DMA reaches the guest through the
 * accelerator's foreign-mapping cache), the CPUs are never run by tandem, and Xen loads the
 * firmware (no -bios). Runs only under -accel xen.
 * PCI interrupts go to Xen, which routes INTx itself: the bus's INTx hooks report each
 * device pin's level (xen_set_pci_intx_level, not through the PIIX3's swizzle: Xen's link of
 * a pin is (slot + pin) & 3), the PIIX3's route hook forwards the guest's PIRQRC writes
 * (xen_set_pci_link_route), and MSIs (Machine.accel_send_msi) go to xen_inject_msi.
 * User PCI devices (-device edu,addr=05.0) land on the same bus.
 * Not yet: VGA, disks, NICs (the platform device's unplug requests are only logged).
 * Tested against a real Xen by make check-xen (tests/xen).
 */
#include "hw/core/machine.h"
#include "hw/char/serial16550.h"
#include "hw/isa/piix3.h"
#include "hw/xen/xen_platform.h"
#include "accel/accel.h"
#include "accel/xen/xen.h"
#include "backends/chardev.h"
#include "cpu/x86/cpu.h"

#define XENFV_GUEST_MEMORY_SIZE (1ull << 40)
#define XENFV_GUEST_MEMORY_PRIORITY -10   /* below the PCI BARs (-1) and fixed devices (0) */

typedef struct XenFVBoard {
    Device *serial[MACHINE_MAX_SERIAL];
    Device *pcihost, *piix3, *platform, *testdev;
    IrqLine *isa;                 /* ISA IRQ 0..15, raised in Xen's interrupt controllers */
} XenFVBoard;


static void xenfv_isa_irq(void *opaque, int n, int level)
{
    xen_set_isa_irq_level(n, level);
}

/* PCI INTx: bus line slot * 4 + pin, reported to Xen as that device's pin level. */
static int xenfv_pci_map_irq(PCIDevice *d, int pin)
{
    return PCI_SLOT(d->devfn) * PCI_NUM_PINS + pin;
}

static void xenfv_pci_set_irq(void *opaque, int line, int level)
{
    xen_set_pci_intx_level(line / PCI_NUM_PINS, line % PCI_NUM_PINS, level);
}

static void xenfv_pirq_route(void *opaque, int pirq, int irq)
{
    xen_set_pci_link_route(pirq, irq);
}

static void xenfv_send_msi(Machine *m, uint64_t addr, uint32_t data)
{
    xen_inject_msi(addr, data);
}

static int xenfv_init(Machine *m)
{
    XenFVBoard *b = xzalloc(sizeof(*b));

    m->board = b;
    if (!current_accel || strcmp(current_accel->name, "xen")) {
        error_report("the xenfv machine runs only under -accel xen (Xen runs its CPUs and"
                     " loads its firmware)");
        return -1;
    }
    if (m->opts.kernel || m->opts.bios || m->opts.initrd || m->opts.append) {
        error_report("the xenfv machine takes no -kernel, -bios, -initrd or -append: Xen loads"
                     " the domain's firmware (firmware=, kernel= in the domain's config)");
        return -1;
    }
    /* The whole guest-physical space below 1 TiB as the domain's p2m shows it: device DMA
     * reaches whatever RAM the domain has there, wherever hvmloader put it. */
    xen_guest_memory_init(&m->ram, "xen.guest-memory", XENFV_GUEST_MEMORY_SIZE);
    mr_add_subregion(&m->sysmem, 0, &m->ram, XENFV_GUEST_MEMORY_PRIORITY);
    if (machine_create_cpus(m) < 0) {
        return -1;
    }
    b->isa = irq_alloc_lines(xenfv_isa_irq, m, 16);

    for (int i = 0; i < m->opts.nr_serial; i++) {
        if (serial16550_create_com(m, i, &b->serial[i]) < 0) {
            return -1;
        }
        if (b->serial[i]) {
            irq_connect(device_irq_out(b->serial[i], 0),
                        &b->isa[serial16550_isa_irq(b->serial[i])]);
        }
    }

    b->pcihost = device_create(m, "i440fx-pcihost", "pcihost", NULL);
    if (!b->pcihost) {
        return -1;
    }
    b->piix3 = device_create(m, "piix3", "piix3", "addr=01.0");
    if (!b->piix3) {
        return -1;
    }
    /* Xen steers the PIRQs: the PIIX3 only tells it the routes, and the pins bypass it */
    piix3_set_route_hook(b->piix3, xenfv_pirq_route, b);
    pci_bus_set_irq_hooks(pci_bus_find(m, "pci.0"), xenfv_pci_map_irq, xenfv_pci_set_irq, b,
                          32 * PCI_NUM_PINS);
    m->accel_send_msi = xenfv_send_msi;
    b->platform = device_create(m, "xen-platform", "xen-platform", "addr=02.0");
    if (!b->platform) {
        return -1;
    }
    b->testdev = device_create(m, "pc-testdev", "testdev", NULL);
    if (!b->testdev) {
        return -1;
    }
    return 0;
}

static void xenfv_reset(Machine *m)
{
}

const MachineClass xenfv_machine_class = {
    .name = "xenfv",
    .desc = "Xen HVM domain's device model (-accel xen, in dom0)",
    .cpu_class = &x86_cpu_class,
    .default_cpu = "qemu64",
    .default_ram = 128 * MiB,
    .max_cpus = 64,
    .init = xenfv_init,
    .reset = xenfv_reset,
};

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
 * Direct kernel boot (libxl's -kernel/-initrd/-append for kernel=, ramdisk=, extra= in an
 * HVM domain's config), as qemu-xen does it: only then the board creates fw_cfg (ports
 * 0x510/0x511, DMA at 0x514) with a Linux bzImage's items (hw/x86/linux_boot.h,
 * linux_boot_fw_cfg; low RAM is -m, below Xen's 0xF0000000 hole), tandem's option ROM
 * (pc-bios/linuxboot_rom.h), a "bootorder" naming it and an "etc/e820" with the low RAM
 * (which keeps SeaBIOS from reading a size of RAM above 4 GiB from CMOS bytes Xen's RTC
 * lacks, and leaves hvmloader's memory map in charge): hvmloader runs SeaBIOS, SeaBIOS
 * runs the ROM from fw_cfg, the ROM copies the kernel by fw_cfg DMA (which writes the
 * guest's RAM through the window above) and enters its real-mode setup code. Multiboot
 * kernels are refused.
 * Not yet: VGA, disks, NICs (the platform device's unplug requests are only logged).
 * Tested against a real Xen by make check-xen (tests/xen).
 */
#include "hw/core/machine.h"
#include "hw/char/serial16550.h"
#include "hw/isa/piix3.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/core/loader.h"
#include "hw/x86/linux_boot.h"
#include "pc-bios/linuxboot_rom.h"
#include "hw/xen/xen_platform.h"
#include "accel/accel.h"
#include "accel/xen/xen.h"
#include "backends/chardev.h"
#include "cpu/x86/cpu.h"

#define XENFV_GUEST_MEMORY_SIZE (1ull << 40)
#define XENFV_GUEST_MEMORY_PRIORITY -10   /* below the PCI BARs (-1) and fixed devices (0) */
/* Where Xen's HVM guests' RAM below 4 GiB ends at most (HVM_BELOW_4G_RAM_END in Xen's
 * public xen/hvm/e820.h): above it hvmloader keeps the PCI hole, and RAM moves above 4 GiB. */
#define XENFV_BELOW_4G_RAM_END 0xF0000000ull
#define XENFV_E820_ENTRY 20        /* fw_cfg "etc/e820": {le64 address, le64 length, le32 type} */

typedef struct XenFVBoard {
    Device *serial[MACHINE_MAX_SERIAL];
    Device *pcihost, *piix3, *platform, *testdev;
    Device *fw_cfg;               /* only with -kernel */
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

/* -kernel: fw_cfg with the bzImage's items, the option ROM that boots them, bootorder. */
static int xenfv_kernel(Machine *m, XenFVBoard *b)
{
    uint64_t lowmem = MIN(m->opts.ram_size, XENFV_BELOW_4G_RAM_END);
    uint8_t e820[XENFV_E820_ENTRY] = { 0 };
    LinuxBoot lb;
    size_t size;
    uint8_t *img;
    int r;

    b->fw_cfg = device_create(m, "fw_cfg_io", "fw_cfg", NULL);
    if (!b->fw_cfg) {
        return -1;
    }
    img = loader_read_file(m->opts.kernel, &size, "kernel");
    if (!img) {
        return -1;
    }
    if (!linux_boot_probe(img, size)) {
        error_report("'%s' is not a Linux bzImage (no \"HdrS\" at 0x202): the xenfv machine"
                     " boots Linux kernels only", m->opts.kernel);
        free(img);
        return -1;
    }
    r = linux_boot_fw_cfg(b->fw_cfg, m->opts.kernel, img, size, m->opts.append,
                          m->opts.initrd, lowmem, &lb);
    free(img);
    if (r < 0 || linuxboot_rom_add(b->fw_cfg) < 0) {
        return -1;
    }
    /* "etc/e820" with the low RAM only: SeaBIOS skips entries below the RAM size it has
     * from hvmloader, and with this file present it no longer reads the size of RAM above
     * 4 GiB from CMOS, whose bytes Xen's RTC does not have (0xff: a phantom 1 TiB). */
    for (int i = 0; i < 8; i++) {
        e820[8 + i] = (uint8_t)(lowmem >> (8 * i));
    }
    e820[16] = E820_RAM;
    return fw_cfg_add_file(b->fw_cfg, "etc/e820", e820, sizeof(e820)) < 0 ? -1 : 0;
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
    if (m->opts.bios) {
        error_report("the xenfv machine takes no -bios: Xen loads the domain's firmware"
                     " (firmware= in the domain's config)");
        return -1;
    }
    if (!m->opts.kernel && (m->opts.initrd || m->opts.append)) {
        error_report("-initrd and -append need -kernel");
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
    if (m->opts.kernel && xenfv_kernel(m, b) < 0) {
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

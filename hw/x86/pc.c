/* SPDX-License-Identifier: MIT */
/*
 * hw/x86/pc.c — the `pc` board: an x86-64 PC. It wires devices; it implements no registers.
 *   RAM at 0 (up to 3 GiB below 4 GiB when larger than 3.5 GiB, the rest at 4 GiB),
 *   the 8259 pair, the 8254 PIT (IRQ 0), COM1..COM4 16550 UARTs (IRQ 4/3), fw_cfg at
 *   0x510, port 0x92 (A20, fast reset), a local APIC per CPU at 0xFEE00000,
 *   user ISA devices from -device (isa-debug-exit).
 * Boot: -kernel with a Multiboot image (entered as the spec says, after the interrupt
 * controllers and the PIT were set up as a PC BIOS leaves them, A20 on), or -bios with a
 * raw firmware image run from the reset vector.
 * Not yet: PCI, ACPI, the IOAPIC, RTC, i8042, Linux's boot protocol (later issues).
 */
#include "hw/core/machine.h"
#include "hw/core/loader.h"
#include "hw/x86/multiboot.h"
#include "hw/x86/linux_boot.h"
#include "hw/char/serial16550.h"
#include "hw/intc/i8259.h"
#include "hw/intc/apic.h"
#include "hw/timer/i8254.h"
#include "hw/misc/port92.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/intc/ioapic.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/input/i8042.h"
#include "hw/acpi/acpi_pm.h"
#include "hw/acpi/tables.h"
#include "hw/pci-host/i440fx.h"
#include "hw/isa/piix3.h"
#include "backends/chardev.h"
#include "cpu/x86/cpu.h"

#define PC_APIC_BASE 0xFEE00000ull

typedef struct PCBoard {
    Device *pic, *pit, *fw_cfg, *port92;
    Device *ioapic, *rtc, *kbd, *pm, *port80, *pcihost, *piix3;
    uint8_t a20_sources;          /* bit 0: port 0x92, bit 1: the 8042 output port */
    IrqLine *gsi;                 /* GSI 0..23: ISA IRQs fan out to the PIC and the IOAPIC */
    Device *serial[MACHINE_MAX_SERIAL];
    Device *apic[MACHINE_MAX_CPUS];
    MemRegion ram_below_4g, ram_above_4g, bios, bios_low;
    uint64_t lowmem, highmem;
    bool have_kernel;
    MultibootBoot boot;
    bool linux_boot;              /* -kernel is a Linux bzImage: enter it as boot.rst says */
    LinuxBoot lboot;
    uint64_t acpi_rsdp;           /* RSDP address for the zero page (0: none, or let the
                                   * kernel scan 0xE0000-0xFFFFF): set before pc_load_kernel */
} PCBoard;


static int pc_get_interrupt_vector(void *opaque, CPUState *cs)
{
    Machine *m = opaque;
    PCBoard *pc = m->board;
    Device *apic = pc->apic[cs->index];
    int vec = -1;
    if (apic_has_interrupt(apic)) {
        vec = apic_get_interrupt(apic);
    } else if (cs->index == 0 && apic_accept_pic_intr(apic) && i8259_intr_pending(pc->pic)) {
        vec = i8259_acknowledge(pc->pic);
        apic_update_irq(apic);
    }
    return vec;
}

/* A20 is on while port 0x92 bit 1 OR the 8042's output port bit 1 says so. */
static void pc_a20(void *opaque, int n, int level)
{
    Machine *m = opaque;
    PCBoard *pc = m->board;
    pc->a20_sources = level ? (pc->a20_sources | (1u << n)) : (pc->a20_sources & ~(1u << n));
    for (int i = 0; i < m->ncpus; i++) {
        x86_cpu_set_a20(x86_cpu(m->cpus[i]), pc->a20_sources != 0);
    }
}

static int pc_load_bios(Machine *m, PCBoard *pc)
{
    size_t size;
    uint8_t *img = loader_read_file(m->opts.bios, &size, "BIOS image");
    uint64_t low;
    if (!img) {
        return -1;
    }
    if (size == 0 || size > 16 * MiB || (size & 0xFFF)) {
        error_report("BIOS image '%s' must be a multiple of 4 KiB and at most 16 MiB (it has "
                     "%zu bytes)", m->opts.bios, size);
        free(img);
        return -1;
    }
    mr_init_rom(&pc->bios, "pc.bios", size);
    memcpy(pc->bios.ram, img, size);
    mr_add_subregion(&m->sysmem, 4 * GiB - size, &pc->bios, 1);
    /* the last 128 KiB (or less) also appear just below 1 MiB */
    low = MIN(size, 128 * KiB);
    mr_init_alias(&pc->bios_low, "pc.bios-low", &pc->bios, size - low, low);
    mr_add_subregion(&m->sysmem, MiB - low, &pc->bios_low, 1);
    free(img);
    return 0;
}

static int pc_load_kernel(Machine *m, PCBoard *pc)
{
    size_t size;
    uint8_t *img = loader_read_file(m->opts.kernel, &size, "kernel");
    int r;
    if (!img) {
        return -1;
    }
    if (multiboot_probe(img, size)) {
        r = multiboot_load(m, m->opts.kernel, img, size, m->opts.append, m->opts.initrd,
                           pc->lowmem, pc->highmem, &pc->boot);
    } else if (linux_boot_probe(img, size)) {
        r = linux_boot_load(m, m->opts.kernel, img, size, m->opts.append, m->opts.initrd,
                            pc->lowmem, pc->highmem, pc->acpi_rsdp, &pc->lboot);
        pc->linux_boot = r == 0;
    } else {
        error_report("'%s' is not a Multiboot kernel (no Multiboot header in its first 8 KiB) "
                     "nor a Linux bzImage (no \"HdrS\" at 0x202)", m->opts.kernel);
        r = -1;
    }
    free(img);
    pc->have_kernel = r == 0;
    return r;
}

#define PC_ACPI_BASE 0xE0000u           /* the BIOS area an OS scans for "RSD PTR " */
#define PC_ACPI_MAX  (128 * KiB)

/* ACPI tables in the BIOS area (without a BIOS, tandem is the firmware that builds them). */
static int pc_build_acpi(Machine *m, PCBoard *pc)
{
    AcpiConfig acfg;
    uint8_t *blob = xzalloc(PC_ACPI_MAX);
    size_t n;
    acpi_config_pc(&acfg, m->opts.smp, pc->lowmem);
    n = acpi_build(&acfg, blob, PC_ACPI_MAX, PC_ACPI_BASE);
    if (n) {
        loader_add_blob(m, PC_ACPI_BASE, blob, n, "acpi-tables");
        pc->acpi_rsdp = PC_ACPI_BASE + ACPI_RSDP_OFFSET;
    }
    free(blob);
    return n ? 0 : -1;
}

/* A GSI: ISA IRQs 0-15 reach the 8259 input of the same number and the IOAPIC pin of the
 * MADT's overrides (IRQ 0 -> pin 2); GSIs 16-23 reach only the IOAPIC. With an
 * accelerator's interrupt controllers (KVM's in-kernel irqchip) the GSI goes there. */
static void pc_gsi_set(void *opaque, int n, int level)
{
    Machine *m = opaque;
    PCBoard *pc = m->board;
    if (m->accel_set_irq) {
        m->accel_set_irq(m, n, level);
        return;
    }
    if (n < 16) {
        irq_set(device_irq_in(pc->pic, n), level);
    }
    irq_set(device_irq_in(pc->ioapic, n == 0 ? 2 : n), level);
}

static int pc_init(Machine *m)
{
    PCBoard *pc = xzalloc(sizeof(*pc));
    uint64_t ram = m->opts.ram_size;
    m->board = pc;

    pc->lowmem = ram >= 0xE0000000ull ? 0xC0000000ull : ram;
    pc->highmem = ram - pc->lowmem;
    mr_init_ram(&m->ram, "pc.ram", ram);
    mr_init_alias(&pc->ram_below_4g, "ram-below-4g", &m->ram, 0, pc->lowmem);
    mr_add_subregion(&m->sysmem, 0, &pc->ram_below_4g, 0);
    if (pc->highmem) {
        mr_init_alias(&pc->ram_above_4g, "ram-above-4g", &m->ram, pc->lowmem, pc->highmem);
        mr_add_subregion(&m->sysmem, 4 * GiB, &pc->ram_above_4g, 0);
    }

    if (!m->opts.kernel && !m->opts.bios) {
        error_report("nothing to boot: give -kernel FILE (Linux bzImage or Multiboot) or -bios FILE");
        return -1;
    }
    if (!m->opts.bios && pc_build_acpi(m, pc) < 0) {
        return -1;
    }
    if (m->opts.bios && pc_load_bios(m, pc) < 0) {
        return -1;
    }
    if (m->opts.kernel && pc_load_kernel(m, pc) < 0) {
        return -1;
    }
    if (!m->opts.kernel && (m->opts.initrd || m->opts.append)) {
        error_report("-initrd and -append need -kernel");
        return -1;
    }

    if (machine_create_cpus(m) < 0) {
        return -1;
    }

    /* interrupt controllers and timers */
    pc->pic = device_create(m, "i8259", "pic", NULL);
    if (!pc->pic) {
        return -1;
    }
    apic_install_cpu_hooks();
    for (int i = 0; i < m->ncpus; i++) {
        char id[16], props[32];
        snprintf(id, sizeof(id), "apic%d", i);
        snprintf(props, sizeof(props), "cpu=%d", i);
        pc->apic[i] = device_create(m, "apic", id, props);
        if (!pc->apic[i]) {
            return -1;
        }
        apic_attach_cpu(pc->apic[i], m->cpus[i]);
        m->cpus[i]->get_interrupt_vector = pc_get_interrupt_vector;
        m->cpus[i]->irq_opaque = m;
    }
    mr_add_subregion(&m->sysmem, PC_APIC_BASE, device_mmio(pc->apic[0], 0), 10);
    char ioprops[16];
    snprintf(ioprops, sizeof(ioprops), "id=%d", acpi_pc_ioapic_id(m->ncpus));  /* the MADT's */
    pc->ioapic = device_create(m, "ioapic", "ioapic", ioprops);
    if (!pc->ioapic) {
        return -1;
    }
    mr_add_subregion(&m->sysmem, IOAPIC_DEFAULT_BASE, device_mmio(pc->ioapic, 0), 10);
    pc->gsi = irq_alloc_lines(pc_gsi_set, m, IOAPIC_NUM_PINS);
    /* the PIC's INTR reaches CPU 0 through its APIC's LINT0 (virtual wire) */
    irq_connect(device_irq_out(pc->pic, 0), device_irq_in(pc->apic[0], 0));
    pc->pit = device_create(m, "i8254", "pit", NULL);
    if (!pc->pit) {
        return -1;
    }
    irq_connect(device_irq_out(pc->pit, 0), &pc->gsi[0]);
    pc->rtc = device_create(m, "mc146818rtc", "rtc", NULL);
    if (!pc->rtc) {
        return -1;
    }
    irq_connect(device_irq_out(pc->rtc, 0), &pc->gsi[RTC_ISA_IRQ]);
    rtc_set_pc_memory(pc->rtc, pc->lowmem, pc->highmem, m->ncpus);

    /* serial ports */
    for (int i = 0; i < m->opts.nr_serial; i++) {
        if (serial16550_create_com(m, i, &pc->serial[i]) < 0) {
            return -1;
        }
        if (pc->serial[i]) {
            irq_connect(device_irq_out(pc->serial[i], 0),
                        &pc->gsi[serial16550_isa_irq(pc->serial[i])]);
        }
    }

    /* firmware configuration and system control */
    pc->fw_cfg = device_create(m, "fw_cfg_io", "fw_cfg", NULL);
    if (!pc->fw_cfg) {
        return -1;
    }
    fw_cfg_add_i16(pc->fw_cfg, FW_CFG_NB_CPUS, m->ncpus);
    fw_cfg_add_i16(pc->fw_cfg, FW_CFG_MAX_CPUS, m->mc->max_cpus);
    fw_cfg_add_i64(pc->fw_cfg, FW_CFG_RAM_SIZE, ram);
    fw_cfg_add_i16(pc->fw_cfg, FW_CFG_NOGRAPHIC, 1);
    pc->port92 = device_create(m, "port92", "port92", NULL);
    if (!pc->port92) {
        return -1;
    }
    IrqLine *a20 = irq_alloc_lines(pc_a20, m, 2);
    irq_connect(device_irq_out(pc->port92, 0), &a20[0]);

    /* keyboard controller (its output port drives A20 too), POST port, ACPI PM */
    pc->kbd = device_create(m, "i8042", "i8042", NULL);
    pc->port80 = device_create(m, "port80", "port80", NULL);
    pc->pm = device_create(m, "acpi-pm", "acpi-pm", NULL);
    if (!pc->kbd || !pc->port80 || !pc->pm) {
        return -1;
    }
    irq_connect(device_irq_out(pc->kbd, 0), &pc->gsi[I8042_KBD_IRQ]);
    irq_connect(device_irq_out(pc->kbd, 1), &pc->gsi[I8042_AUX_IRQ]);
    irq_connect(device_irq_out(pc->kbd, I8042_A20_LINE), &a20[1]);
    irq_connect(device_irq_out(pc->pm, 0), &pc->gsi[ACPI_PM_SCI_IRQ]);

    /* PCI: the i440FX host bridge (00.0, config ports 0xCF8/0xCFC, reset at 0xCF9) and the
     * PIIX3 ISA bridge (01.0) whose PIRQ router drives the PIC and IOAPIC pins 16-19 */
    pc->pcihost = device_create(m, "i440fx-pcihost", "pcihost", NULL);
    if (!pc->pcihost) {
        return -1;
    }
    pc->piix3 = device_create(m, "piix3", "piix3", "addr=01.0");
    if (!pc->piix3) {
        return -1;
    }
    /* through the GSIs, so that under KVM's in-kernel irqchip PCI INTx reaches KVM's PIC
     * and IOAPIC as every other interrupt of the board does */
    for (int irq = 0; irq < 16; irq++) {
        if (PIIX3_ROUTABLE_IRQS & (1u << irq)) {
            irq_connect(device_irq_out(pc->piix3, PIIX3_OUT_ISA_IRQ(irq)), &pc->gsi[irq]);
        }
    }
    for (int p = 0; p < PIIX3_NUM_PIRQS; p++) {
        irq_connect(device_irq_out(pc->piix3, PIIX3_OUT_PIRQ(p)),
                    &pc->gsi[PIIX3_PIRQ_GSI_BASE + p]);
    }
    return 0;
}

/* Real-mode interrupt handlers of the BIOS stand-in, in the reserved BIOS area: an IRET
 * for every vector, and an EOI to the master (vectors 0x08-0x0F) or to both PICs (vectors
 * 0x70-0x77) before it for the hardware IRQs. */
#define PC_BIOS_STUBS   0xFF000u    /* F000:F000 */
static const uint8_t pc_bios_stubs[] = {
    0xCF,                                           /* +0: iret */
    0x50, 0xB0, 0x20, 0xE6, 0x20, 0x58, 0xCF,       /* +1: push ax; mov al,20h; out 20h,al */
    0x50, 0xB0, 0x20, 0xE6, 0xA0, 0xE6, 0x20, 0x58, 0xCF,  /* +8: ... out A0h,al; out 20h */
};

/* What a PC BIOS leaves behind before it boots a kernel: the PICs initialised with vector
 * bases 0x08 and 0x70, the timer IRQ 0 (and the cascade) unmasked and the others masked,
 * the PIT running its 18.2 Hz tick on channel 0 in mode 3, A20 enabled (done through the
 * ports, as the BIOS does); and a real-mode interrupt vector table whose IRQ handlers
 * acknowledge the PICs, so that real-mode code may HLT until the next timer tick (as
 * kvm-unit-tests' realmode test does, which QEMU runs with SeaBIOS's handlers). */
static void pc_bios_like_setup(Machine *m)
{
    static const struct { uint16_t port; uint8_t val; } seq[] = {
        { 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 },
        { 0xA0, 0x11 }, { 0xA1, 0x70 }, { 0xA1, 0x02 }, { 0xA1, 0x01 },
        { 0x21, 0xFA }, { 0xA1, 0xFF },
        { 0x43, 0x36 }, { 0x40, 0x00 }, { 0x40, 0x00 },
        { 0x92, 0x02 },
    };
    uint32_t ivt[256];

    as_write(&m->sysmem_as, PC_BIOS_STUBS, pc_bios_stubs, sizeof(pc_bios_stubs));
    for (int v = 0; v < 256; v++) {
        uint32_t off = (PC_BIOS_STUBS & 0xFFFF) +
                       (v >= 0x08 && v <= 0x0F ? 1 : v >= 0x70 && v <= 0x77 ? 8 : 0);
        ivt[v] = (0xF000u << 16) | off;
    }
    as_write(&m->sysmem_as, 0, ivt, sizeof(ivt));
    for (size_t i = 0; i < ARRAY_SIZE(seq); i++) {
        as_st(&m->io_as, seq[i].port, 1, seq[i].val);
    }
}

static void pc_reset(Machine *m)
{
    PCBoard *pc = m->board;
    loader_reset(m);
    if (pc->have_kernel && pc->linux_boot) {
        /* boot.rst, 32-bit boot protocol: flat __BOOT_CS/__BOOT_DS from the loader's GDT,
         * protected mode without paging, interrupts off, ESI = the zero page, EBP, EDI and
         * EBX zero. The BIOS-like setup matters for A20: the kernel loads at 16 MiB. */
        X86CPU *env = x86_cpu(m->cpus[0]);
        const uint32_t code = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK |
                              DESC_A_MASK | DESC_B_MASK | DESC_G_MASK;
        const uint32_t data = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                              DESC_B_MASK | DESC_G_MASK;
        pc_bios_like_setup(m);
        env->gdt.base = pc->lboot.gdt_base;
        env->gdt.limit = pc->lboot.gdt_limit;
        env->idt.base = 0;
        env->idt.limit = 0x3FF;
        x86_load_seg_cache(env, X86_SEG_CS, LINUX_BOOT_CS, 0, 0xFFFFFFFF, code);
        for (int s = 0; s < 6; s++) {
            if (s != X86_SEG_CS) {
                x86_load_seg_cache(env, s, LINUX_BOOT_DS, 0, 0xFFFFFFFF, data);
            }
        }
        env->cr[0] = CR0_PE | CR0_ET;
        env->regs[R_ESI] = pc->lboot.zero_page;
        env->regs[R_EBP] = 0;
        env->regs[R_EDI] = 0;
        env->regs[R_EBX] = 0;
        env->eip = pc->lboot.entry;
        x86_eflags_set(env, 0x2, ~0ull);
        x86_update_hflags(env);
        x86_cpu_set_a20(env, true);
    } else if (pc->have_kernel) {
        X86CPU *env = x86_cpu(m->cpus[0]);
        const uint32_t code = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK |
                              DESC_A_MASK | DESC_B_MASK | DESC_G_MASK;
        const uint32_t data = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK |
                              DESC_B_MASK | DESC_G_MASK;
        /* a flat GDT for guests that reload segments before installing their own */
        static const uint64_t gdt[3] = { 0, 0x00CF9B000000FFFFull, 0x00CF93000000FFFFull };
        as_write(&m->sysmem_as, 0x500, gdt, sizeof(gdt));
        pc_bios_like_setup(m);
        env->gdt.base = 0x500;
        env->gdt.limit = sizeof(gdt) - 1;
        env->idt.base = 0;
        env->idt.limit = 0x3FF;
        x86_load_seg_cache(env, X86_SEG_CS, 0x08, 0, 0xFFFFFFFF, code);
        for (int s = 0; s < 6; s++) {
            if (s != X86_SEG_CS) {
                x86_load_seg_cache(env, s, 0x10, 0, 0xFFFFFFFF, data);
            }
        }
        env->cr[0] = CR0_PE | CR0_ET;
        env->regs[R_EAX] = MULTIBOOT_BOOTLOADER_MAGIC;
        env->regs[R_EBX] = pc->boot.info_addr;
        env->eip = pc->boot.entry;
        x86_eflags_set(env, 0x2, ~0ull);
        x86_update_hflags(env);
        x86_cpu_set_a20(env, true);
    }
}

const MachineClass pc_machine_class = {
    .name = "pc",
    .desc = "Standard PC (x86-64, Multiboot or -bios boot)",
    .cpu_class = &x86_cpu_class,
    .default_cpu = "qemu64",
    .default_ram = 128 * MiB,
    .max_cpus = 64,
    .init = pc_init,
    .reset = pc_reset,
};

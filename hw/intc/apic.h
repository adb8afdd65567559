/* SPDX-License-Identifier: MIT */
/*
 * hw/intc/apic.h — the x86 local APIC (xAPIC and x2APIC), one "apic" device per CPU.
 *
 * The board creates one device per CPU with the property "cpu=<index>" and calls
 * apic_attach_cpu(). All the APICs of a machine share ONE 1 MiB MMIO region, which is
 * device_mmio(first APIC created, 0) and apic_mmio_region(m): the board maps it at
 * APIC_DEFAULT_BASE. Its first 4 KiB are the register page: an access is dispatched to the
 * APIC of the CPU making it (`current_cpu`; CPU 0's APIC when there is none, e.g. from the
 * main loop). Relocating the base through IA32_APIC_BASE moves that shared region
 * (machine-wide, the last write wins).
 * MSIs (SDM vol. 3A 11.11): a 4-byte write anywhere in the region outside the registers,
 * that is at an offset of 4 KiB or more or in the reserved slot 0x000-0x00F, is an
 * interrupt message (as the PCI side sends them, hw/pci/msi.c): address bits 19:12 the
 * destination ID, bit 2 logical destination mode; data bits 7:0 the vector, 10:8 the
 * delivery mode, bit 15 level trigger. It goes to the APICs it names like an IOAPIC
 * message. Reads there give 0.
 *
 * Lines:
 *   inputs 0, 1   LINT0, LINT1 (active high). The board wires the 8259's INTR to CPU 0's
 *                 LINT0; LINT1 is the NMI pin.
 *
 * The CPU's interrupt line (CPU_INTERRUPT_HARD) — the combination rule:
 *   HARD = apic_has_interrupt(apic) || (LINT0 level && apic_accept_pic_intr(apic))
 * The APIC applies it itself whenever its state or LINT0 changes (apic_update_irq), so the
 * PIC's INTR must reach it through the LINT0 input (irq_set(device_irq_in(apic, 0), level)).
 * The board's CPUState.get_interrupt_vector then does:
 *   if (apic_has_interrupt(apic)) return apic_get_interrupt(apic);
 *   if (apic_accept_pic_intr(apic) && i8259_intr_pending(pic)) {
 *       vec = i8259_acknowledge(pic);
 *       apic_update_irq(apic);    (HARD again if the 8259 still asserts INTR)
 *       return vec;
 *   }
 *   return -1;
 * (apic_get_interrupt re-evaluates HARD itself.) With the board wired this way it needs no
 * PIC-level bookkeeping of its own.
 *
 * The CPU side reaches the APIC through x86_apic_hooks (apic_install_cpu_hooks): the
 * x2APIC MSRs 0x800-0x8FF, IA32_TSC_DEADLINE (0x6E0), IA32_APIC_BASE writes and CR8.
 * After set_base the APIC has stored the value it accepted in x86_cpu(cs)->apic_base
 * (an invalid mode transition keeps the old value); the CPU reads that for RDMSR 0x1B.
 *
 * All functions here are called with the big lock held; the hooks take it themselves.
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include "hw/core/device.h"
#include "cpu/cpu.h"

extern const DeviceClass apic_class;

#define APIC_DEFAULT_BASE   0xFEE00000ULL
#define APIC_MMIO_SIZE      0x100000    /* registers (4 KiB) and the MSI window */
#define APIC_REG_PAGE_SIZE  0x1000
/* The timer's input clock before the divider: 1 GHz, i.e. one count per ns at divide 1. */
#define APIC_BUS_FREQ_HZ    1000000000ULL

/* IA32_APIC_BASE bits */
#define APIC_BASE_BSP       (1ULL << 8)
#define APIC_BASE_EXTD      (1ULL << 10)    /* x2APIC mode */
#define APIC_BASE_ENABLE    (1ULL << 11)
#define APIC_BASE_ADDR_MASK 0x000FFFFFFFFFF000ULL

/* Delivery modes (ICR, LVT, MSI/IOAPIC) */
enum {
    APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
    APIC_DM_INIT = 5, APIC_DM_SIPI = 6, APIC_DM_EXTINT = 7,
};

/* Bind the APIC to its CPU (sets its apic_base from the APIC's reset state). */
void apic_attach_cpu(Device *apic, CPUState *cs);
/* The APIC of a CPU, or NULL. */
Device *apic_of_cpu(CPUState *cs);
/* The shared xAPIC MMIO region of a machine's APICs (NULL before the first APIC). */
MemRegion *apic_mmio_region(Machine *m);

/* Fill x86_apic_hooks (idempotent). */
void apic_install_cpu_hooks(void);

/* Interrupt acceptance (the INTA of the CPU): the highest IRR vector above the PPR moves to
 * the ISR and is returned; nothing deliverable gives the spurious vector (SVR[7:0]); a
 * hardware-disabled APIC gives -1. Updates the CPU's line. */
int apic_get_interrupt(Device *apic);
/* An IRR vector is above the PPR (and the APIC is hardware- and software-enabled). */
bool apic_has_interrupt(Device *apic);
/* A fixed interrupt arrives (IOAPIC, MSI): sets the IRR bit, TMR = level_trig. */
void apic_set_irq(Device *apic, int vector, int level_trig);
/* Whether the 8259's INTR reaches the CPU through this APIC: the APIC is hardware-disabled
 * (LINT0 is then the plain INTR pin) or LVT LINT0 is unmasked in ExtINT mode. */
bool apic_accept_pic_intr(Device *apic);
/* Recompute CPU_INTERRUPT_HARD with the rule above. */
void apic_update_irq(Device *apic);
/* Set a LINT pin (n = 0 or 1); the same as irq_set(device_irq_in(apic, n), level). */
void apic_set_lint(Device *apic, int n, int level);

/*
 * Deliver an interrupt message to the machine's APICs (for the IOAPIC and MSIs): physical
 * (dest = APIC ID, 0xFF broadcast) or logical (flat/cluster per each DFR) destination,
 * delivery mode APIC_DM_*, vector, trigger. Lowest priority goes to the first match.
 */
void apic_deliver(Machine *m, uint32_t dest, bool logical, int delivery_mode, int vector,
                  bool level_trig);

/* Called on the EOI of a level-triggered vector (TMR set), for the IOAPIC's remote IRR. */
typedef void ApicEoiFunc(void *opaque, int vector);
void apic_set_eoi_notifier(Machine *m, ApicEoiFunc *fn, void *opaque);

/*
 * The TSC used for TSC-deadline mode: `read` (default: x86_rdtsc of the APIC's CPU) and its
 * frequency `hz` (default 1 GHz), used to turn a deadline into a CLOCK_VIRTUAL expiry. If
 * the expiry comes before the TSC reaches the deadline the timer is re-armed, so a too
 * high `hz` only costs extra wake-ups; a too low one fires late. NULL read keeps the
 * current reader; hz 0 keeps the current frequency.
 */
void apic_set_tsc_source(uint64_t (*read)(CPUState *cs), uint64_t hz);

/* The local vector table entries of ApicCpuState.lvt, in this order: timer, thermal,
 * performance counters, LINT0, LINT1, error, CMCI. */
#define APIC_STATE_LVTS 7

/*
 * One local APIC's architectural state, for handing it to another implementation and
 * back (KVM's in-kernel local APIC when the accelerator changes) and for tests. Register
 * values as the guest reads them (xAPIC layout; the ID not shifted). The timer is given
 * by its current count: loading it re-arms tandem's timer with the time that is left
 * (a periodic timer then goes on with its initial count); in TSC-deadline mode by the
 * deadline (guest TSC).
 */
typedef struct ApicCpuState {
    uint64_t apic_base;     /* IA32_APIC_BASE: address, enable, x2APIC (EXTD), BSP */
    uint32_t id;            /* the APIC ID */
    uint32_t tpr, ldr, dfr, svr, esr;
    uint32_t isr[8], tmr[8], irr[8];        /* bit v of word v/32: vector v */
    uint32_t lvt[APIC_STATE_LVTS];
    uint32_t icr_lo, icr_hi;
    uint32_t timer_initial;  /* TMICT */
    uint32_t timer_current;  /* TMCCT */
    uint32_t timer_dcr;      /* TDCR */
    uint64_t tsc_deadline;   /* IA32_TSC_DEADLINE (0: disarmed) */
} ApicCpuState;

void apic_get_state(Device *apic, ApicCpuState *st);
/* Load the state (the APIC's CPU gets the APIC base, the shared MMIO window follows a
 * relocated base) and update the CPU's interrupt line. Big lock held. */
void apic_set_state(Device *apic, const ApicCpuState *st);

#endif

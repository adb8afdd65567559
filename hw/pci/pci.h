/* SPDX-License-Identifier: MIT */
/*
 * hw/pci/pci.h — the PCI core: buses, functions with a 256-byte configuration space, BARs
 * mapped into the machine's memory and I/O containers, and INTx routing.
 *
 * A bus (PCIBus) is created by a host bridge (hw/pci-host/i440fx.c) and registered under a
 * name ("pci.0") per machine so that PCI devices created later find it. A PCI function is a
 * Device whose state struct starts with a PCIDevice (which starts with Device):
 *
 *   typedef struct MyState { PCIDevice pci; MemRegion bar0; ... } MyState;
 *   static int my_realize(Device *dev) {
 *       MyState *s = (MyState *)dev;
 *       if (pci_device_init(&s->pci, &my_info) < 0) return -EINVAL;  // bus=, addr= props
 *       mr_init_io(&s->bar0, "my-io", &my_ops, s, 16);
 *       pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->bar0);
 *       return 0;
 *   }
 *   reset:     pci_device_reset(&s->pci) then the device's own registers
 *   unrealize: pci_device_exit(&s->pci) then mr_destroy() of the BAR regions
 *   props:     include PCI_DEVICE_PROPS ("bus", "addr")
 *
 * Configuration space (PCI Local Bus spec 3.0, §6.1-6.2): the type 0 header with IDs,
 * COMMAND/STATUS, class code, header type, six BARs, subsystem IDs, interrupt line/pin.
 * Writes go through a per-byte writable mask (wmask) and a write-1-to-clear mask (w1cmask)
 * that devices may extend for their own registers (0x40-0xFF). A device may override the
 * config read/write callbacks and call pci_default_config_read/write for the common part.
 *
 * BARs (§6.2.5.1): a BAR is a region whose size is a power of two; writing all ones and
 * reading back gives ~(size - 1) | type bits (the sizing protocol). A BAR is mapped into the
 * bus's memory or I/O container at the address it holds while COMMAND enables that space,
 * unless the address is 0, the range does not fit the container, or (memory) it reaches the
 * last byte of its 32- or 64-bit space (the all-ones sizing pattern: no firmware puts a BAR
 * there). BARs are added with priority bus->bar_priority (-1 on the PC: RAM, the APICs and
 * other fixed devices win over a misplaced BAR, as the chipset's decoders would).
 *
 * INTx (§2.2.6, §6.2.4): pci_set_irq() drives the function's pin (INTERRUPT_PIN 1-4 =
 * INTA#-INTD#); COMMAND.INTX_DISABLE masks it and STATUS.INTERRUPT shows the device's
 * level. The bus ORs the pins that its map_irq hook sends to the same line (wired-OR, level
 * triggered) and calls set_irq on each 0<->1 change of a line. The interrupt router
 * (hw/isa/piix3.c) installs the hooks with pci_bus_set_irq_hooks().
 *
 * Capabilities (§6.7): pci_add_capability() links a capability into the list that
 * CAPABILITIES_PTR (0x34) heads and sets STATUS.CAP_LIST; pci_find_capability() walks it.
 * The device fills the capability's registers and their wmask. MSI (§6.8) is hw/pci/msi.h,
 * built on this; the function's config writes reach it through pci_default_config_write.
 *
 * Not implemented: PCI-to-PCI bridges and type 1 headers (bus 0 only), expansion ROM BARs
 * (0x30 reads as 0), PCI Express extended configuration space (4 KiB) and extended
 * capabilities, MSI-X, bus mastering checks on DMA, parity/SERR signalling.
 * All of this runs under the big lock.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "hw/core/device.h"

/* Type 0 configuration header (PCI Local Bus spec 3.0, figure 6-1). */
#define PCI_VENDOR_ID            0x00    /* 16 */
#define PCI_DEVICE_ID            0x02    /* 16 */
#define PCI_COMMAND              0x04    /* 16 */
#define  PCI_COMMAND_IO           0x0001
#define  PCI_COMMAND_MEMORY       0x0002
#define  PCI_COMMAND_MASTER       0x0004
#define  PCI_COMMAND_SPECIAL      0x0008
#define  PCI_COMMAND_INVALIDATE   0x0010
#define  PCI_COMMAND_VGA_PALETTE  0x0020
#define  PCI_COMMAND_PARITY       0x0040
#define  PCI_COMMAND_SERR         0x0100
#define  PCI_COMMAND_FAST_BACK    0x0200
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS               0x06    /* 16 */
#define  PCI_STATUS_INTERRUPT     0x0008
#define  PCI_STATUS_CAP_LIST      0x0010
#define  PCI_STATUS_66MHZ         0x0020
#define  PCI_STATUS_FAST_BACK     0x0080
#define  PCI_STATUS_PARITY        0x0100
#define  PCI_STATUS_DEVSEL_MEDIUM 0x0200
#define  PCI_STATUS_SIG_TARGET_ABORT 0x0800
#define  PCI_STATUS_REC_TARGET_ABORT 0x1000
#define  PCI_STATUS_REC_MASTER_ABORT 0x2000
#define  PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define  PCI_STATUS_DETECTED_PARITY  0x8000
#define PCI_REVISION_ID          0x08
#define PCI_CLASS_PROG           0x09
#define PCI_CLASS_DEVICE         0x0a    /* 16: base class << 8 | sub-class */
#define PCI_CACHE_LINE_SIZE      0x0c
#define PCI_LATENCY_TIMER        0x0d
#define PCI_HEADER_TYPE          0x0e
#define  PCI_HEADER_TYPE_NORMAL   0x00
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BIST                 0x0f
#define PCI_BASE_ADDRESS_0       0x10    /* 32 each, six of them */
#define  PCI_BASE_ADDRESS_SPACE_IO     0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_32  0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_64  0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define  PCI_BASE_ADDRESS_MEM_MASK     (~0x0fu)
#define  PCI_BASE_ADDRESS_IO_MASK      (~0x03u)
#define PCI_CARDBUS_CIS          0x28
#define PCI_SUBSYSTEM_VENDOR_ID  0x2c
#define PCI_SUBSYSTEM_ID         0x2e
#define PCI_ROM_ADDRESS          0x30
#define PCI_CAPABILITY_LIST      0x34
#define PCI_INTERRUPT_LINE       0x3c
#define PCI_INTERRUPT_PIN        0x3d
#define PCI_MIN_GNT              0x3e
#define PCI_MAX_LAT              0x3f

#define PCI_CONFIG_SPACE_SIZE    256
#define PCI_NUM_BARS             6
#define PCI_NUM_PINS             4       /* INTA# .. INTD# */
#define PCI_BAR_UNMAPPED         (~(hwaddr)0)

/* devfn: device (slot) number in bits 7:3, function in bits 2:0 */
#define PCI_DEVFN(slot, fn)      ((((slot) & 0x1f) << 3) | ((fn) & 0x07))
#define PCI_SLOT(devfn)          (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)          ((devfn) & 0x07)

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/* Config space access of len 1, 2 or 4 bytes at addr (addr + len <= 256), little-endian. */
typedef uint32_t (*PCIConfigReadFunc)(PCIDevice *d, uint32_t addr, unsigned len);
typedef void (*PCIConfigWriteFunc)(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len);

/* The interrupt router's hooks: map_irq gives the bus line (0 .. nirq-1) of d's pin
 * (0 = INTA# .. 3 = INTD#); set_irq is told each change of a line's wired-OR level. */
typedef int (*PCIMapIrqFunc)(PCIDevice *d, int pin);
typedef void (*PCISetIrqFunc)(void *opaque, int line, int level);

typedef struct PCIBar {
    MemRegion *mr;          /* NULL: this BAR is not implemented (reads 0) */
    uint8_t type;           /* the low bits: PCI_BASE_ADDRESS_SPACE_IO or MEM_TYPE/PREFETCH */
    uint64_t size;
    hwaddr addr;            /* where it is mapped now, or PCI_BAR_UNMAPPED */
} PCIBar;

/* What a function reports in its header; filled in by pci_device_init(). */
typedef struct PCIDeviceInfo {
    uint16_t vendor_id, device_id;
    uint16_t subsystem_vendor_id, subsystem_id;
    uint32_t class_code;    /* base class << 16 | sub-class << 8 | programming interface */
    uint8_t revision;
    uint8_t header_type;    /* PCI_HEADER_TYPE_NORMAL, | PCI_HEADER_TYPE_MULTI_FUNCTION */
    uint8_t interrupt_pin;  /* 0: none, 1..4: INTA#..INTD# */
    uint16_t command;       /* COMMAND after reset (0 for most devices; bits it forces on) */
    uint16_t command_ro;    /* COMMAND bits the guest cannot change (hardwired) */
    uint16_t status;        /* STATUS after reset (DEVSEL timing, 66 MHz, fast back-to-back) */
    int default_devfn;      /* the address when no addr= property is given; -1: first free
                             * slot (function 0) */
} PCIDeviceInfo;

struct PCIDevice {
    Device parent;
    PCIBus *bus;            /* NULL once the bus has gone */
    uint8_t devfn;
    const PCIDeviceInfo *info;
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];    /* bits the guest may write */
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE];  /* bits a guest write of 1 clears */
    PCIBar bars[PCI_NUM_BARS];
    PCIConfigReadFunc config_read;           /* default: pci_default_config_read */
    PCIConfigWriteFunc config_write;         /* default: pci_default_config_write */
    int irq_level;          /* the level the device drives on its pin (0/1) */
    int irq_line;           /* the bus line it currently asserts, or -1 */
    uint32_t cap_used[PCI_CONFIG_SPACE_SIZE / 32];   /* bit per byte: taken by a capability */
    uint8_t msi_cap;        /* offset of the MSI capability (hw/pci/msi.h), 0: none */
};

struct PCIBus {
    char *name;
    Machine *machine;
    MemRegion *mem_space, *io_space;         /* where BARs are mapped */
    int bar_priority;
    PCIDevice *devices[256];                 /* by devfn */
    PCIMapIrqFunc map_irq;
    PCISetIrqFunc set_irq;
    void *irq_opaque;
    int nirq;
    int *irq_count;                          /* per line: how many pins assert it */
    PCIBus *next;                            /* the registry of every bus */
};

/* "bus" (the PCI bus by name, default "pci.0") and "addr" ("SLOT" or "SLOT.FN", hex as
 * QEMU writes it: addr=01.0, addr=3, addr=0x1f.7). */
#define PCI_DEVICE_PROPS \
    { "bus", "PCI bus (default pci.0)" }, \
    { "addr", "slot[.function] on the bus, hex (default: first free slot)" }

/* ---- buses (for host bridges) ---- */

/* A bus named `name` of machine m whose BARs go to mem/io (m's sysmem/io on a PC). The
 * name must be unique within the machine. */
PCIBus *pci_bus_new(Machine *m, const char *name, MemRegion *mem, MemRegion *io,
                    int bar_priority);
/* Unmap every BAR, detach the functions still on it (their bus becomes NULL), free it. */
void pci_bus_free(PCIBus *bus);
PCIBus *pci_bus_find(Machine *m, const char *name);
/* Install the interrupt router: nirq lines. Replaces earlier hooks; levels start at 0. */
void pci_bus_set_irq_hooks(PCIBus *bus, PCIMapIrqFunc map_irq, PCISetIrqFunc set_irq,
                           void *opaque, int nirq);
/* Configuration access from a host bridge. No function at devfn: reads all ones (a master
 * abort), writes are dropped. addr + len must stay within 256 bytes. */
uint32_t pci_bus_config_read(PCIBus *bus, uint8_t devfn, uint32_t addr, unsigned len);
void pci_bus_config_write(PCIBus *bus, uint8_t devfn, uint32_t addr, uint32_t val,
                          unsigned len);
/* The wired-OR level of a bus line (tests, monitor). */
int pci_bus_irq_level(PCIBus *bus, int line);

/* ---- functions ---- */

/* From a PCI device's realize: parse bus=/addr=, attach, fill the header from info, set the
 * standard writable bits. 0 or -errno after error_report() (no bus, slot taken, bad addr). */
int pci_device_init(PCIDevice *d, const PCIDeviceInfo *info);
/* The same on a given bus and devfn (host bridges put themselves at 00.0). */
int pci_device_attach(PCIDevice *d, PCIBus *bus, int devfn, const PCIDeviceInfo *info);
/* From unrealize: drop INTx, unmap the BARs and leave the bus. */
void pci_device_exit(PCIDevice *d);
/* Reset the standard header: COMMAND and STATUS to the info's values, BARs to 0 (unmapped),
 * interrupt line, cache line size and latency timer to 0, INTx deasserted. */
void pci_device_reset(PCIDevice *d);

/* Declare BAR n (0-5; a 64-bit BAR also takes n + 1). type: PCI_BASE_ADDRESS_SPACE_IO, or
 * PCI_BASE_ADDRESS_MEM_TYPE_32/64 | optional PCI_BASE_ADDRESS_MEM_PREFETCH. mr->size must be
 * a power of two, at least 4 (I/O) or 16 (memory) bytes; I/O BARs at most 256 bytes. */
void pci_register_bar(PCIDevice *d, int n, uint8_t type, MemRegion *mr);
/* Where BAR n is mapped now, or PCI_BAR_UNMAPPED. */
hwaddr pci_bar_address(PCIDevice *d, int n);

/* Capability IDs (PCI Local Bus spec 3.0, appendix H) */
#define PCI_CAP_ID_PM            0x01
#define PCI_CAP_ID_MSI           0x05
#define PCI_CAP_ID_VNDR          0x09
#define PCI_CAP_ID_MSIX          0x11
#define PCI_CAP_LIST_ID          0       /* in each capability: its ID */
#define PCI_CAP_LIST_NEXT        1       /* the next capability's offset, 0 at the end */
#define PCI_CAP_FIRST            0x40    /* the device-specific part of the header */

/* Add a capability of `size` bytes (at least 2: ID and next pointer) with ID `cap_id` to
 * the function's list: at `offset` (dword aligned, in 0x40-0xFF), or, with offset 0, at the
 * first dword-aligned place from 0x40 up that no capability added before overlaps. The new one goes to the head of the list
 * (CAPABILITIES_PTR points to it); STATUS.CAP_LIST is set. The ID and next pointer are read
 * only; the body is zero and read only until the caller sets its wmask bits. Returns the
 * offset, or -ENOSPC (no room) / -EINVAL (bad offset or size, overlap with a capability
 * added before) after error_report(). From realize, before the guest runs. */
int pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset, uint8_t size);
/* The offset of the first capability with this ID in the list, or 0. */
uint8_t pci_find_capability(PCIDevice *d, uint8_t cap_id);

/* Drive the function's interrupt pin (level triggered: 1 asserted). */
void pci_set_irq(PCIDevice *d, int level);
/* INTERRUPT_PIN - 1 (0 = INTA#), or -1 when the function has no pin. */
int pci_intx_pin(PCIDevice *d);

/* Config access as the host bridge makes it (through the overridable callbacks). */
uint32_t pci_config_read(PCIDevice *d, uint32_t addr, unsigned len);
void pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len);
/* The common behaviour: read the bytes; write through wmask/w1cmask, then remap BARs when a
 * BAR or COMMAND changed, re-evaluate INTx when COMMAND changed, and tell the MSI
 * capability (msi_config_written) of writes that touch it. */
uint32_t pci_default_config_read(PCIDevice *d, uint32_t addr, unsigned len);
void pci_default_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len);

/* Snapshot of the function's PCI state (config space, INTx level); the device's own save
 * appends its state. pci_device_save with buf NULL returns the size. */
size_t pci_device_save(PCIDevice *d, uint8_t *buf, size_t size);
int pci_device_load(PCIDevice *d, const uint8_t *buf, size_t size);

/* Little-endian accessors of the config array. */
static inline uint16_t pci_get_word(const uint8_t *p) { return p[0] | (p[1] << 8); }
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void pci_set_byte(uint8_t *p, uint8_t v) { p[0] = v; }
static inline void pci_set_word(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

#endif

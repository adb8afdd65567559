/* SPDX-License-Identifier: MIT */
/*
 * hw/pci/pci.c — the PCI core: buses, configuration space, BAR mapping, INTx.
 *
 * Models (PCI Local Bus Specification 3.0): the type 0 configuration header (§6.1, §6.2:
 * IDs, COMMAND with I/O, memory, bus master and interrupt disable, STATUS with its
 * write-1-to-clear error bits and the interrupt status, class code, header type, cache line
 * size, latency timer, subsystem IDs, interrupt line and pin), base address registers with
 * the sizing protocol and 32-bit, 64-bit, prefetchable memory and I/O types (§6.2.5.1),
 * decoding gated by COMMAND, and INTA#-INTD# as level-triggered wired-OR lines (§2.2.6).
 * A read of a function that does not exist ends in a master abort: all ones (§6.1).
 *
 * Capabilities lists (§6.7): the list headed by CAPABILITIES_PTR with STATUS.CAP_LIST;
 * writes into the MSI capability are passed to hw/pci/msi.c.
 *
 * Not modelled: bridges (bus 0 only), expansion ROMs (the ROM BAR reads 0), PCI Express
 * extended config space, MSI-X, parity and SERR#, the BIST, bus master gating of DMA. See
 * pci.h for the API.
 */
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/core/machine.h"

static PCIBus *pci_buses;

/* STATUS bits that a write of 1 clears (§6.2.3). */
#define PCI_STATUS_W1C (PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
                        PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT | \
                        PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)
/* COMMAND bits a function implements unless its info hardwires them. */
#define PCI_COMMAND_WRITABLE (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
                              PCI_COMMAND_PARITY | PCI_COMMAND_SERR | \
                              PCI_COMMAND_INTX_DISABLE)

static uint32_t ones(unsigned len)
{
    return len >= 4 ? 0xFFFFFFFFu : (1u << (8 * len)) - 1;
}

static bool ranges_touch(uint32_t addr, unsigned len, uint32_t start, uint32_t end)
{
    return addr < end && addr + len > start;
}

/* ---------------------------------------------------------------------------------------
 * Buses
 */

PCIBus *pci_bus_new(Machine *m, const char *name, MemRegion *mem, MemRegion *io,
                    int bar_priority)
{
    PCIBus *bus = xzalloc(sizeof(*bus));
    bus->name = xstrdup(name);
    bus->machine = m;
    bus->mem_space = mem;
    bus->io_space = io;
    bus->bar_priority = bar_priority;
    bus->next = pci_buses;
    pci_buses = bus;
    return bus;
}

PCIBus *pci_bus_find(Machine *m, const char *name)
{
    for (PCIBus *b = pci_buses; b; b = b->next) {
        if (b->machine == m && !strcmp(b->name, name)) {
            return b;
        }
    }
    return NULL;
}

void pci_bus_free(PCIBus *bus)
{
    if (!bus) {
        return;
    }
    mr_transaction_begin();
    for (int i = 0; i < 256; i++) {
        if (bus->devices[i]) {
            pci_device_exit(bus->devices[i]);
        }
    }
    mr_transaction_commit();
    for (PCIBus **pp = &pci_buses; *pp; pp = &(*pp)->next) {
        if (*pp == bus) {
            *pp = bus->next;
            break;
        }
    }
    free(bus->irq_count);
    free(bus->name);
    free(bus);
}

static void pci_bus_change_line(PCIBus *bus, int line, int delta)
{
    int before = bus->irq_count[line];
    bus->irq_count[line] += delta;
    assert(bus->irq_count[line] >= 0);
    if ((before == 0) != (bus->irq_count[line] == 0) && bus->set_irq) {
        bus->set_irq(bus->irq_opaque, line, bus->irq_count[line] != 0);
    }
}

int pci_bus_irq_level(PCIBus *bus, int line)
{
    return line >= 0 && line < bus->nirq && bus->irq_count[line] != 0;
}

/* ---------------------------------------------------------------------------------------
 * INTx
 */

int pci_intx_pin(PCIDevice *d)
{
    uint8_t pin = d->config[PCI_INTERRUPT_PIN];
    return pin >= 1 && pin <= PCI_NUM_PINS ? pin - 1 : -1;
}

/* Make the bus line this function asserts agree with its level, pin and INTX_DISABLE. */
static void pci_update_irq(PCIDevice *d)
{
    PCIBus *bus = d->bus;
    int pin = pci_intx_pin(d);
    int want = -1;

    if (d->irq_level) {
        pci_set_word(d->config + PCI_STATUS,
                     pci_get_word(d->config + PCI_STATUS) | PCI_STATUS_INTERRUPT);
    } else {
        pci_set_word(d->config + PCI_STATUS,
                     pci_get_word(d->config + PCI_STATUS) & ~PCI_STATUS_INTERRUPT);
    }
    if (d->irq_level && pin >= 0 && bus && bus->map_irq &&
        !(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE)) {
        want = bus->map_irq(d, pin);
        if (want >= bus->nirq) {
            want = -1;
        }
    }
    if (want == d->irq_line) {
        return;
    }
    if (d->irq_line >= 0 && bus) {
        pci_bus_change_line(bus, d->irq_line, -1);
    }
    d->irq_line = want;
    if (want >= 0) {
        pci_bus_change_line(bus, want, +1);
    }
}

void pci_set_irq(PCIDevice *d, int level)
{
    d->irq_level = level != 0;
    pci_update_irq(d);
}

void pci_bus_set_irq_hooks(PCIBus *bus, PCIMapIrqFunc map_irq, PCISetIrqFunc set_irq,
                           void *opaque, int nirq)
{
    /* forget what the functions asserted under the old router, then re-route them */
    for (int i = 0; i < 256; i++) {
        if (bus->devices[i]) {
            bus->devices[i]->irq_line = -1;
        }
    }
    free(bus->irq_count);
    bus->irq_count = nirq > 0 ? xzalloc(nirq * sizeof(*bus->irq_count)) : NULL;
    bus->nirq = nirq > 0 ? nirq : 0;
    bus->map_irq = map_irq;
    bus->set_irq = set_irq;
    bus->irq_opaque = opaque;
    for (int i = 0; i < 256; i++) {
        if (bus->devices[i]) {
            pci_update_irq(bus->devices[i]);
        }
    }
}

/* ---------------------------------------------------------------------------------------
 * BARs
 */

static uint32_t bar_reg(int n)
{
    return PCI_BASE_ADDRESS_0 + 4 * n;
}

/* Where BAR n should be mapped given its register and COMMAND (see pci.h for the rules). */
static hwaddr pci_bar_decode(PCIDevice *d, int n)
{
    PCIBar *bar = &d->bars[n];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint32_t lo = pci_get_long(d->config + bar_reg(n));
    MemRegion *space;
    hwaddr addr, last, top;

    if (!d->bus) {
        return PCI_BAR_UNMAPPED;
    }
    if (bar->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        space = d->bus->io_space;
        addr = lo & PCI_BASE_ADDRESS_IO_MASK;
        top = ~(hwaddr)0;
    } else {
        if (!(cmd & PCI_COMMAND_MEMORY)) {
            return PCI_BAR_UNMAPPED;
        }
        space = d->bus->mem_space;
        addr = lo & PCI_BASE_ADDRESS_MEM_MASK;
        top = 0xFFFFFFFFull;
        if (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            addr |= (hwaddr)pci_get_long(d->config + bar_reg(n + 1)) << 32;
            top = ~(hwaddr)0;
        }
    }
    last = addr + bar->size - 1;
    if (!space || addr == 0 || last < addr || last == top ||
        (space->size != UINT64_MAX && last >= space->size)) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

static MemRegion *pci_bar_space(PCIDevice *d, int n)
{
    return (d->bars[n].type & PCI_BASE_ADDRESS_SPACE_IO) ? d->bus->io_space
                                                         : d->bus->mem_space;
}

static void pci_bar_unmap(PCIDevice *d, int n)
{
    PCIBar *bar = &d->bars[n];
    if (bar->addr != PCI_BAR_UNMAPPED) {
        if (bar->mr->parent) {
            mr_del_subregion(bar->mr->parent, bar->mr);
        }
        bar->addr = PCI_BAR_UNMAPPED;
    }
}

static void pci_update_mappings(PCIDevice *d)
{
    mr_transaction_begin();
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        PCIBar *bar = &d->bars[n];
        hwaddr addr;
        if (!bar->mr) {
            continue;
        }
        addr = pci_bar_decode(d, n);
        if (addr == bar->addr) {
            continue;
        }
        pci_bar_unmap(d, n);
        if (addr != PCI_BAR_UNMAPPED) {
            mr_add_subregion(pci_bar_space(d, n), addr, bar->mr, d->bus->bar_priority);
            bar->addr = addr;
        }
    }
    mr_transaction_commit();
}

void pci_register_bar(PCIDevice *d, int n, uint8_t type, MemRegion *mr)
{
    PCIBar *bar = &d->bars[n];
    bool io = type & PCI_BASE_ADDRESS_SPACE_IO;
    bool is64 = !io && (type & PCI_BASE_ADDRESS_MEM_TYPE_64);
    uint64_t size = mr->size;
    uint64_t mask;

    assert(n >= 0 && n < PCI_NUM_BARS && !bar->mr);
    assert(size && !(size & (size - 1)));
    assert(io ? (size >= 4 && size <= 256) : size >= 16);
    assert(!is64 || (n + 1 < PCI_NUM_BARS && !d->bars[n + 1].mr));
    assert(is64 || size <= 0x80000000ull);

    bar->mr = mr;
    bar->type = io ? PCI_BASE_ADDRESS_SPACE_IO
                   : type & (PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
    bar->size = size;
    bar->addr = PCI_BAR_UNMAPPED;
    /* address bits below the size are hardwired 0: that is what sizing reads back */
    mask = ~(size - 1);
    pci_set_long(d->config + bar_reg(n), bar->type);
    pci_set_long(d->wmask + bar_reg(n),
                 (uint32_t)mask & (io ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK));
    if (is64) {
        pci_set_long(d->config + bar_reg(n + 1), 0);
        pci_set_long(d->wmask + bar_reg(n + 1), (uint32_t)(mask >> 32));
    }
}

hwaddr pci_bar_address(PCIDevice *d, int n)
{
    return d->bars[n].mr ? d->bars[n].addr : PCI_BAR_UNMAPPED;
}

/* ---------------------------------------------------------------------------------------
 * Configuration space
 */

uint32_t pci_default_config_read(PCIDevice *d, uint32_t addr, unsigned len)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < len; i++) {
        v |= (uint32_t)d->config[addr + i] << (8 * i);
    }
    return v;
}

void pci_default_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    for (unsigned i = 0; i < len; i++) {
        uint8_t b = val >> (8 * i);
        uint8_t wm = d->wmask[addr + i], w1c = d->w1cmask[addr + i];
        uint8_t *c = &d->config[addr + i];
        *c = (*c & ~wm) | (b & wm);
        *c &= ~(b & w1c);
    }
    if (ranges_touch(addr, len, PCI_COMMAND, PCI_COMMAND + 2) ||
        ranges_touch(addr, len, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS)) {
        pci_update_mappings(d);
    }
    if (ranges_touch(addr, len, PCI_COMMAND, PCI_COMMAND + 2)) {
        pci_update_irq(d);
    }
    if (d->msi_cap && ranges_touch(addr, len, d->msi_cap, d->msi_cap + msi_cap_size(d))) {
        msi_config_written(d, addr, len);
    }
}

/* ---------------------------------------------------------------------------------------
 * Capabilities
 */

static bool cap_byte_used(PCIDevice *d, unsigned off)
{
    return (d->cap_used[off / 32] >> (off % 32)) & 1;
}

static bool cap_range_free(PCIDevice *d, unsigned off, unsigned size)
{
    if (off < PCI_CAP_FIRST || off + size > PCI_CONFIG_SPACE_SIZE) {
        return false;
    }
    for (unsigned i = 0; i < size; i++) {
        if (cap_byte_used(d, off + i)) {
            return false;
        }
    }
    return true;
}

int pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset, uint8_t size)
{
    const char *id = d->parent.id ? d->parent.id : d->parent.cls->name;
    unsigned off = offset;

    if (size < 2) {
        error_report("device '%s': a PCI capability needs at least 2 bytes", id);
        return -EINVAL;
    }
    if (off == 0) {
        for (off = PCI_CAP_FIRST; off < PCI_CONFIG_SPACE_SIZE; off += 4) {
            if (cap_range_free(d, off, size)) {
                break;
            }
        }
        if (off >= PCI_CONFIG_SPACE_SIZE) {
            error_report("device '%s': no room for a %u-byte PCI capability", id, size);
            return -ENOSPC;
        }
    } else if ((off & 3) || !cap_range_free(d, off, size)) {
        error_report("device '%s': PCI capability 0x%02x at 0x%02x (%u bytes) is misplaced"
                     " (dword aligned, in 0x40-0xff, not over another)", id, cap_id, off, size);
        return -EINVAL;
    }
    for (unsigned i = 0; i < size; i++) {
        d->cap_used[(off + i) / 32] |= 1u << ((off + i) % 32);
        d->config[off + i] = 0;
        d->wmask[off + i] = 0;
        d->w1cmask[off + i] = 0;
    }
    d->config[off + PCI_CAP_LIST_ID] = cap_id;
    d->config[off + PCI_CAP_LIST_NEXT] = d->config[PCI_CAPABILITY_LIST];
    d->config[PCI_CAPABILITY_LIST] = off;
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    return off;
}

uint8_t pci_find_capability(PCIDevice *d, uint8_t cap_id)
{
    uint8_t off = d->config[PCI_CAPABILITY_LIST];
    int hops = 0;

    if (!(pci_get_word(d->config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    /* a list can hold at most 48 dword-aligned entries: stop at a loop */
    while (off >= PCI_CAP_FIRST && hops++ < 48) {
        if (d->config[off + PCI_CAP_LIST_ID] == cap_id) {
            return off;
        }
        off = d->config[off + PCI_CAP_LIST_NEXT] & ~3u;
    }
    return 0;
}

uint32_t pci_config_read(PCIDevice *d, uint32_t addr, unsigned len)
{
    if (len < 1 || len > 4 || addr + len > PCI_CONFIG_SPACE_SIZE) {
        return ones(len);
    }
    d->parent.stat_reads++;
    return d->config_read(d, addr, len);
}

void pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    if (len < 1 || len > 4 || addr + len > PCI_CONFIG_SPACE_SIZE) {
        return;
    }
    d->parent.stat_writes++;
    d->config_write(d, addr, val & ones(len), len);
}

uint32_t pci_bus_config_read(PCIBus *bus, uint8_t devfn, uint32_t addr, unsigned len)
{
    PCIDevice *d = bus->devices[devfn];
    if (!d) {
        return ones(len);    /* master abort */
    }
    return pci_config_read(d, addr, len);
}

void pci_bus_config_write(PCIBus *bus, uint8_t devfn, uint32_t addr, uint32_t val,
                          unsigned len)
{
    PCIDevice *d = bus->devices[devfn];
    if (d) {
        pci_config_write(d, addr, val, len);
    }
}

/* ---------------------------------------------------------------------------------------
 * Functions: attach, reset, detach
 */

static int pci_parse_addr(Device *dev, const char *s, int *devfn)
{
    char *end;
    unsigned long slot, fn = 0;

    errno = 0;
    slot = strtoul(s, &end, 16);
    if (errno || end == s || slot > 31) {
        goto bad;
    }
    if (*end == '.') {
        const char *f = end + 1;
        fn = strtoul(f, &end, 16);
        if (end == f || fn > 7) {
            goto bad;
        }
    }
    if (*end) {
        goto bad;
    }
    *devfn = PCI_DEVFN(slot, fn);
    return 0;
bad:
    error_report("device '%s': addr=%s is not a PCI address (slot[.function], slot 0-1f, "
                 "function 0-7)", dev->cls->name, s);
    return -EINVAL;
}

int pci_device_attach(PCIDevice *d, PCIBus *bus, int devfn, const PCIDeviceInfo *info)
{
    Device *dev = &d->parent;
    uint16_t cmd_wmask = PCI_COMMAND_WRITABLE & ~info->command_ro;

    if (devfn < 0) {
        for (int slot = 0; slot < 32 && devfn < 0; slot++) {
            bool free_slot = true;
            for (int fn = 0; fn < 8; fn++) {
                free_slot = free_slot && !bus->devices[PCI_DEVFN(slot, fn)];
            }
            if (free_slot) {
                devfn = PCI_DEVFN(slot, 0);
            }
        }
        if (devfn < 0) {
            error_report("device '%s': no free slot on PCI bus %s", dev->id, bus->name);
            return -ENOSPC;
        }
    }
    if (devfn > 255) {
        return -EINVAL;
    }
    if (bus->devices[devfn]) {
        error_report("device '%s': PCI address %02x.%x on bus %s is taken by '%s'", dev->id,
                     PCI_SLOT(devfn), PCI_FUNC(devfn), bus->name,
                     bus->devices[devfn]->parent.id);
        return -EBUSY;
    }
    d->bus = bus;
    d->devfn = devfn;
    d->info = info;
    d->irq_line = -1;
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        d->bars[n].addr = PCI_BAR_UNMAPPED;
    }
    if (!d->config_read) {
        d->config_read = pci_default_config_read;
    }
    if (!d->config_write) {
        d->config_write = pci_default_config_write;
    }

    pci_set_word(d->config + PCI_VENDOR_ID, info->vendor_id);
    pci_set_word(d->config + PCI_DEVICE_ID, info->device_id);
    d->config[PCI_REVISION_ID] = info->revision;
    d->config[PCI_CLASS_PROG] = info->class_code & 0xFF;
    pci_set_word(d->config + PCI_CLASS_DEVICE, info->class_code >> 8);
    d->config[PCI_HEADER_TYPE] = info->header_type;
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, info->subsystem_vendor_id);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, info->subsystem_id);
    d->config[PCI_INTERRUPT_PIN] = info->interrupt_pin;

    pci_set_word(d->wmask + PCI_COMMAND, cmd_wmask);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xFF;
    d->wmask[PCI_LATENCY_TIMER] = 0xFF;
    d->wmask[PCI_INTERRUPT_LINE] = 0xFF;

    bus->devices[devfn] = d;
    pci_device_reset(d);
    return 0;
}

int pci_device_init(PCIDevice *d, const PCIDeviceInfo *info)
{
    Device *dev = &d->parent;
    const char *busname = device_prop_str(dev, "bus", "pci.0");
    const char *addr = device_prop_str(dev, "addr", NULL);
    PCIBus *bus = dev->machine ? pci_bus_find(dev->machine, busname) : NULL;
    int devfn = info->default_devfn;

    if (!bus) {
        error_report("device '%s': no PCI bus '%s' on this machine", dev->id, busname);
        return -ENODEV;
    }
    if (addr && pci_parse_addr(dev, addr, &devfn) < 0) {
        return -EINVAL;
    }
    return pci_device_attach(d, bus, devfn, info);
}

void pci_device_reset(PCIDevice *d)
{
    const PCIDeviceInfo *info = d->info;

    if (!info) {
        return;
    }
    pci_set_word(d->config + PCI_COMMAND, info->command);
    pci_set_word(d->config + PCI_STATUS, info->status |
                 (d->config[PCI_CAPABILITY_LIST] ? PCI_STATUS_CAP_LIST : 0));
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_LATENCY_TIMER] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        if (d->bars[n].mr) {
            pci_set_long(d->config + bar_reg(n), d->bars[n].type);
            if (d->bars[n].type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
                pci_set_long(d->config + bar_reg(n + 1), 0);
            }
        }
    }
    if (d->msi_cap) {
        msi_reset(d);
    }
    d->irq_level = 0;
    if (d->bus) {
        pci_update_mappings(d);
    }
    pci_update_irq(d);
}

void pci_device_exit(PCIDevice *d)
{
    PCIBus *bus = d->bus;

    if (!bus) {
        return;
    }
    d->irq_level = 0;
    pci_update_irq(d);
    mr_transaction_begin();
    for (int n = 0; n < PCI_NUM_BARS; n++) {
        if (d->bars[n].mr) {
            pci_bar_unmap(d, n);
        }
    }
    mr_transaction_commit();
    bus->devices[d->devfn] = NULL;
    d->bus = NULL;
}

/* ---------------------------------------------------------------------------------------
 * Snapshots
 */

size_t pci_device_save(PCIDevice *d, uint8_t *buf, size_t size)
{
    size_t need = PCI_CONFIG_SPACE_SIZE + 1;
    if (buf && size >= need) {
        memcpy(buf, d->config, PCI_CONFIG_SPACE_SIZE);
        buf[PCI_CONFIG_SPACE_SIZE] = d->irq_level;
    }
    return need;
}

int pci_device_load(PCIDevice *d, const uint8_t *buf, size_t size)
{
    if (size < PCI_CONFIG_SPACE_SIZE + 1) {
        return -EINVAL;
    }
    memcpy(d->config, buf, PCI_CONFIG_SPACE_SIZE);
    d->irq_level = buf[PCI_CONFIG_SPACE_SIZE] != 0;
    if (d->bus) {
        pci_update_mappings(d);
    }
    pci_update_irq(d);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * hw/xen/xen_platform.c — the Xen platform PCI device (5853:0001) and the PV-on-HVM
 * emulated-device unplug protocol of its fixed ports 0x10-0x13 (Xen's
 * docs/misc/hvm-emulated-unplug.pandoc; the guest side in Linux's
 * arch/x86/xen/platform-pci-unplug.c). See xen_platform.h for the registers.
 *
 * Models: the PCI header, BAR0's flags/unplug/log bytes, BAR1 as 16 MiB of address space
 * the device model leaves to Xen, the magic number, protocol version 1, the product and
 * build numbers, the unplug mask, the platform flags (stored) and the log port.
 * Not modelled: the driver blacklist (/mh/driver-blacklist in xenstore: the magic always
 * reads 0x49D2), the ROM lock's effect on the BIOS area, the log's rate limiter, and the
 * unplugging itself (xenfv has no emulated disks or NICs: requests are recorded and logged).
 */
#include "hw/xen/xen_platform.h"
#include "hw/core/machine.h"

#define PFFLAG_ROM_LOCK 0x01

typedef struct XenPlatformState {
    PCIDevice pci;
    MemRegion fixed, bar0, bar1;
    XenPlatformStatus st;
    char line[XEN_PLATFORM_LOG_MAX + 1];
    unsigned line_len;
} XenPlatformState;

static const PCIDeviceInfo xen_platform_info = {
    .vendor_id = XEN_PLATFORM_VENDOR_ID,
    .device_id = XEN_PLATFORM_DEVICE_ID,
    .subsystem_vendor_id = XEN_PLATFORM_VENDOR_ID,
    .subsystem_id = XEN_PLATFORM_DEVICE_ID,
    .class_code = 0xFF8000,
    .revision = 1,
    .interrupt_pin = 1,
    .default_devfn = -1,
};

static XenPlatformState *xen_platform_of(Device *dev)
{
    return container_of(dev, XenPlatformState, pci.parent);
}

static const char *xen_platform_id(XenPlatformState *s)
{
    return s->pci.parent.id ? s->pci.parent.id : "xen-platform";
}

static void xen_platform_log_char(XenPlatformState *s, uint8_t c)
{
    if (c == '\n' || s->line_len == XEN_PLATFORM_LOG_MAX) {
        s->line[s->line_len] = '\0';
        fprintf(stderr, "%s: guest log: %s\n", xen_platform_id(s), s->line);
        memcpy(s->st.last_log, s->line, s->line_len + 1);
        s->st.log_lines++;
        s->line_len = 0;
        if (c == '\n') {
            return;
        }
    }
    if (c >= 0x20 && c < 0x7F) {
        s->line[s->line_len++] = (char)c;
    }
}

static void xen_platform_unplug(XenPlatformState *s, uint16_t mask, const char *how)
{
    s->st.unplug_mask |= mask;
    s->st.unplug_requests++;
    fprintf(stderr, "%s: the guest asks to unplug (%s, mask 0x%x):%s%s%s%s%s; xenfv has no"
            " emulated disks or NICs: nothing to do\n", xen_platform_id(s), how, mask,
            mask & XEN_UNPLUG_ALL_IDE_DISKS ? " all IDE/SCSI disks" : "",
            mask & XEN_UNPLUG_ALL_NICS ? " all NICs" : "",
            mask & XEN_UNPLUG_AUX_IDE_DISKS ? " IDE disks but the primary master" : "",
            mask & XEN_UNPLUG_NVME_DISKS ? " NVMe disks" : "",
            mask & ~0xF ? " (unknown bits)" : mask ? "" : " nothing");
}

/* ---- ports 0x10-0x13 ---- */

static uint64_t xen_platform_fixed_read(void *opaque, hwaddr addr, unsigned size)
{
    XenPlatformState *s = opaque;

    s->pci.parent.stat_reads++;
    if (addr == 0 && size == 2) {
        return XEN_PLATFORM_MAGIC;
    }
    if (addr == 0 && size == 1) {
        return s->st.flags;
    }
    if (addr == 2 && size == 1) {
        return XEN_PLATFORM_PROTOCOL;
    }
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static void xen_platform_fixed_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    XenPlatformState *s = opaque;

    s->pci.parent.stat_writes++;
    switch (addr << 4 | size) {
    case 0x01:
        s->st.flags = val & PFFLAG_ROM_LOCK;
        break;
    case 0x02:
        xen_platform_unplug(s, (uint16_t)val, "port 0x10");
        break;
    case 0x04:
        s->st.build = (uint32_t)val;
        fprintf(stderr, "%s: PV driver build number %u\n", xen_platform_id(s), s->st.build);
        break;
    case 0x21:
        xen_platform_log_char(s, (uint8_t)val);
        break;
    case 0x22:
        s->st.product = (uint16_t)val;
        fprintf(stderr, "%s: PV driver product number %u%s\n", xen_platform_id(s),
                s->st.product, s->st.product == 3 ? " (Linux)" : "");
        break;
    default:
        break;
    }
}

static const MemRegionOps xen_platform_fixed_ops = {
    .read = xen_platform_fixed_read,
    .write = xen_platform_fixed_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* ---- BAR0 ---- */

static uint64_t xen_platform_bar0_read(void *opaque, hwaddr addr, unsigned size)
{
    XenPlatformState *s = opaque;

    s->pci.parent.stat_reads++;
    return addr == 0 ? s->st.flags : 0xFF;
}

static void xen_platform_bar0_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    XenPlatformState *s = opaque;

    s->pci.parent.stat_writes++;
    switch (addr) {
    case 0:
        s->st.flags = val & PFFLAG_ROM_LOCK;
        break;
    case 4:
        if (val == 1) {
            xen_platform_unplug(s, XEN_UNPLUG_ALL_IDE_DISKS | XEN_UNPLUG_ALL_NICS,
                                "old SUSE protocol, BAR0 + 4");
        }
        break;
    case 8:
        xen_platform_log_char(s, (uint8_t)val);
        break;
    default:
        break;
    }
}

static const MemRegionOps xen_platform_bar0_ops = {
    .read = xen_platform_bar0_read,
    .write = xen_platform_bar0_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

/* ---- the device ---- */

void xen_platform_get_status(Device *dev, XenPlatformStatus *st)
{
    *st = xen_platform_of(dev)->st;
}

static void xen_platform_reset(Device *dev)
{
    XenPlatformState *s = xen_platform_of(dev);

    pci_device_reset(&s->pci);
    s->st.flags = 0;
    s->line_len = 0;
}

static int xen_platform_realize(Device *dev)
{
    XenPlatformState *s = xen_platform_of(dev);

    if (pci_device_init(&s->pci, &xen_platform_info) < 0) {
        return -EINVAL;
    }
    mr_init_io(&s->fixed, "xen-platform-fixed", &xen_platform_fixed_ops, s,
               XEN_PLATFORM_IOPORT_SIZE);
    mr_init_io(&s->bar0, "xen-platform-io", &xen_platform_bar0_ops, s, XEN_PLATFORM_BAR0_SIZE);
    mr_init_container(&s->bar1, "xen-platform-mmio", XEN_PLATFORM_BAR1_SIZE);
    pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->bar0);
    pci_register_bar(&s->pci, 1, PCI_BASE_ADDRESS_MEM_TYPE_32 | PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &s->bar1);
    device_add_pio(dev, &s->fixed);
    if (dev->machine) {
        mr_add_subregion(&dev->machine->io, XEN_PLATFORM_IOPORT, &s->fixed, 0);
    }
    xen_platform_reset(dev);
    return 0;
}

static void xen_platform_unrealize(Device *dev)
{
    XenPlatformState *s = xen_platform_of(dev);

    pci_device_exit(&s->pci);
    if (s->fixed.name) {
        if (s->fixed.parent) {
            mr_del_subregion(s->fixed.parent, &s->fixed);
        }
        mr_destroy(&s->fixed);
        mr_destroy(&s->bar0);
        mr_destroy(&s->bar1);
    }
}

static size_t xen_platform_save(Device *dev, uint8_t *buf, size_t size)
{
    XenPlatformState *s = xen_platform_of(dev);
    size_t pci = pci_device_save(&s->pci, NULL, 0);

    if (buf && size >= pci + 1) {
        pci_device_save(&s->pci, buf, pci);
        buf[pci] = s->st.flags;
    }
    return pci + 1;
}

static int xen_platform_load(Device *dev, const uint8_t *buf, size_t size)
{
    XenPlatformState *s = xen_platform_of(dev);
    size_t pci = pci_device_save(&s->pci, NULL, 0);

    if (size != pci + 1) {
        return -EINVAL;
    }
    s->st.flags = buf[pci] & PFFLAG_ROM_LOCK;
    return pci_device_load(&s->pci, buf, pci);
}

static void xen_platform_info_print(Device *dev, FILE *f)
{
    XenPlatformState *s = xen_platform_of(dev);
    fprintf(f, "flags 0x%x, unplug requests %u (mask 0x%x), product %u, build %u, %u log lines\n",
            s->st.flags, s->st.unplug_requests, s->st.unplug_mask, s->st.product, s->st.build,
            s->st.log_lines);
}

static const DeviceProp xen_platform_props[] = {
    PCI_DEVICE_PROPS,
    { NULL, NULL },
};

const DeviceClass xen_platform_class = {
    .name = "xen-platform",
    .desc = "Xen platform PCI device (5853:0001) with the PV-on-HVM unplug ports 0x10-0x13",
    .bus = "pci",
    .state_size = sizeof(XenPlatformState),
    .props = xen_platform_props,
    .realize = xen_platform_realize,
    .reset = xen_platform_reset,
    .unrealize = xen_platform_unrealize,
    .save = xen_platform_save,
    .load = xen_platform_load,
    .info = xen_platform_info_print,
};

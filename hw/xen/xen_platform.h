/* SPDX-License-Identifier: MIT */
/*
 * hw/xen/xen_platform.h — "xen-platform", the Xen platform PCI device of an HVM domain
 * (QEMU's device of that name; Xen's docs/misc/hvm-emulated-unplug.pandoc; Linux's
 * drivers/xen/platform-pci.c and arch/x86/xen/platform-pci-unplug.c are its guest side).
 *
 * PCI: vendor 5853h (XenSource), device 0001h, subsystem 5853h:0001h, class FF80h (prog-if
 * 0), revision 1, INTA#. Properties bus= and addr= (hw/pci/pci.h); the xenfv board puts it
 * at 02.0, where qemu-xen puts it on a domain without VGA.
 *   BAR0  I/O, 256 bytes: byte 0 the platform flags (as port 0x10), a write of 1 to byte 4
 *         the old SUSE/Novell "unplug everything" request, byte 8 the log port (as 0x12).
 *   BAR1  prefetchable memory, 16 MiB, with nothing behind it: the guest asks Xen to map
 *         its grant table (and shared info) frames there, so the device model must not
 *         claim the range (the BAR is an empty container: no I/O leaf to claim).
 * Fixed ports 0x10-0x13 (device_pio(dev, 0)), mapped by realize in the machine's port
 * space when it has one — the PV-on-HVM unplug protocol:
 *   0x10 read 16    magic 0x49D2 (never 0xD249: no driver is blacklisted)
 *   0x10 read 8     the platform flags          0x12 read 8    the protocol version, 1
 *   0x10 write 8    the platform flags (bit 0: ROM lock, stored only)
 *   0x10 write 16   unplug mask: bit 0 all IDE/SCSI disks, 1 all NICs, 2 the IDE disks
 *                   but the primary master, 3 NVMe disks
 *   0x10 write 32   the driver's build number   0x12 write 16  its product number
 *   0x12 write 8    a character of a log line (the line goes out at '\n')
 *   other accesses: reads all ones, writes ignored.
 * xenfv has no emulated disks or NICs yet: unplug requests are recorded (ORed together)
 * and reported on stderr ("xen-platform: ..."), as are the product/build numbers and each
 * log line (printable characters only, at most XEN_PLATFORM_LOG_MAX per line).
 */
#ifndef HW_XEN_XEN_PLATFORM_H
#define HW_XEN_XEN_PLATFORM_H

#include "hw/pci/pci.h"

extern const DeviceClass xen_platform_class;

#define XEN_PLATFORM_VENDOR_ID   0x5853
#define XEN_PLATFORM_DEVICE_ID   0x0001
#define XEN_PLATFORM_DEVFN       PCI_DEVFN(2, 0)
#define XEN_PLATFORM_IOPORT      0x10
#define XEN_PLATFORM_IOPORT_SIZE 4
#define XEN_PLATFORM_MAGIC       0x49D2
#define XEN_PLATFORM_PROTOCOL    1
#define XEN_PLATFORM_BAR0_SIZE   0x100
#define XEN_PLATFORM_BAR1_SIZE   0x1000000
#define XEN_PLATFORM_LOG_MAX     120

/* unplug mask bits */
#define XEN_UNPLUG_ALL_IDE_DISKS 0x01
#define XEN_UNPLUG_ALL_NICS      0x02
#define XEN_UNPLUG_AUX_IDE_DISKS 0x04
#define XEN_UNPLUG_NVME_DISKS    0x08

/* What the guest's drivers told the device (tests, the monitor's info). */
typedef struct XenPlatformStatus {
    uint16_t unplug_mask;        /* every unplug request, ORed */
    unsigned unplug_requests;
    uint16_t product;            /* the last product number written (0: none) */
    uint32_t build;              /* the last build number written */
    uint8_t flags;               /* platform flags */
    unsigned log_lines;          /* log lines received */
    char last_log[XEN_PLATFORM_LOG_MAX + 1];
} XenPlatformStatus;

void xen_platform_get_status(Device *dev, XenPlatformStatus *st);

#endif

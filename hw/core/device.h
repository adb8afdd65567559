/* SPDX-License-Identifier: MIT */
/*
 * hw/core/device.h — devices: a static DeviceClass per model, listed in hw/device_list.c
 * (which drives `-device help`), and Device instances created with string properties.
 *
 * A device owns its regions and lines: it exposes MMIO/port regions (device_mmio,
 * device_pio), output lines (device_irq_out, connected by the board) and input lines
 * (device_irq_in). Boards wire devices; devices never know the board. ISA devices that a
 * user can add with -device map their ports themselves at realize (bus "isa").
 * Reset and save/load are lifecycle hooks (snapshots and migration use them later).
 */
#ifndef HW_CORE_DEVICE_H
#define HW_CORE_DEVICE_H

#include "util/osdep.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"

typedef struct Machine Machine;
typedef struct Device Device;

#define DEVICE_MAX_REGIONS 4
#define DEVICE_MAX_IRQS 32
#define DEVICE_MAX_PROPS 16

typedef struct DeviceProp {
    const char *name;
    const char *help;
} DeviceProp;

typedef struct DeviceClass {
    const char *name;
    const char *desc;
    const char *bus;             /* "isa", "sysbus", "cpu" ... for -device help */
    bool user_creatable;         /* may be added with -device */
    size_t state_size;           /* the device's state struct, which starts with Device */
    const DeviceProp *props;     /* accepted properties, NULL-name terminated */
    /* Build regions and lines from the properties; 0 or -errno after error_report(). */
    int (*realize)(Device *dev);
    void (*reset)(Device *dev);
    void (*unrealize)(Device *dev);
    /* Device state as bytes (snapshot/migration); optional until then. */
    size_t (*save)(Device *dev, uint8_t *buf, size_t size);
    int (*load)(Device *dev, const uint8_t *buf, size_t size);
    void (*info)(Device *dev, FILE *f);
} DeviceClass;

struct Device {
    const DeviceClass *cls;
    char *id;
    Machine *machine;
    int nr_props;
    char *prop_names[DEVICE_MAX_PROPS];
    char *prop_values[DEVICE_MAX_PROPS];
    MemRegion *mmio[DEVICE_MAX_REGIONS];
    int nr_mmio;
    MemRegion *pio[DEVICE_MAX_REGIONS];
    int nr_pio;
    IrqLine irq_out[DEVICE_MAX_IRQS];
    int nr_irq_out;
    IrqLine *irq_in;
    int nr_irq_in;
    Device *next;                 /* in the machine's device list */
    uint64_t stat_reads, stat_writes;   /* guest accesses, for statistics tables */
};

/* The device table (hw/device_list.c). */
const DeviceClass *device_class_find(const char *name);
void device_list_print(FILE *f);
extern const DeviceClass *const device_classes[];

/* Create a device of class cls: allocate state_size, set properties ("k=v,k=v" string, may
 * be NULL), validate property names against cls->props, realize, add to m's device list
 * (m may be NULL in unit tests). NULL after error_report(). (hw/core/device.c) */
Device *device_create_class(Machine *m, const DeviceClass *cls, const char *id,
                            const char *props);
/* Validate "k=v,..." against cls->props without creating anything (0 or -EINVAL after
 * error_report()). */
int device_check_props(const DeviceClass *cls, const char *props);
/* The same by type name through the device table (hw/device_list.c). */
Device *device_create(Machine *m, const char *type, const char *id, const char *props);
void device_reset(Device *dev);
void device_destroy(Device *dev);

/* Property access (for realize): returns the default when unset. */
const char *device_prop_str(Device *dev, const char *name, const char *def);
/* Parses decimal/0x hex with optional K/M/G suffix; -EINVAL with error_report on junk. */
int device_prop_u64(Device *dev, const char *name, uint64_t def, uint64_t *out);
bool device_prop_set(Device *dev, const char *name);

/* Registration of what a device exposes (called by realize). */
void device_add_mmio(Device *dev, MemRegion *mr);
void device_add_pio(Device *dev, MemRegion *mr);
void device_init_irq_out(Device *dev, int count);
void device_init_irq_in(Device *dev, IrqHandler handler, int count);
MemRegion *device_mmio(Device *dev, int n);
MemRegion *device_pio(Device *dev, int n);
IrqLine *device_irq_out(Device *dev, int n);
const IrqLine *device_irq_in(Device *dev, int n);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * hw/device_list.c — the table of every device model (drives `-device help`) and creation
 * by type name.
 */
#include "hw/core/device.h"

extern const DeviceClass isa_serial_class, isa_debug_exit_class, port92_class, fw_cfg_io_class;
extern const DeviceClass i8259_class, i8254_class, apic_class;
extern const DeviceClass ioapic_class, mc146818rtc_class, i8042_class, port80_class;
extern const DeviceClass acpi_pm_class, pc_testdev_class, i440fx_pcihost_class, piix3_class;
extern const DeviceClass edu_class, xen_platform_class;

const DeviceClass *const device_classes[] = {
    &isa_serial_class,
    &isa_debug_exit_class,
    &port92_class,
    &fw_cfg_io_class,
    &i8259_class,
    &i8254_class,
    &apic_class,
    &ioapic_class,
    &mc146818rtc_class,
    &i8042_class,
    &port80_class,
    &acpi_pm_class,
    &pc_testdev_class,
    &i440fx_pcihost_class,
    &piix3_class,
    &edu_class,
    &xen_platform_class,
    NULL,
};

const DeviceClass *device_class_find(const char *name)
{
    for (int i = 0; device_classes[i]; i++) {
        if (!strcmp(device_classes[i]->name, name)) {
            return device_classes[i];
        }
    }
    return NULL;
}

void device_list_print(FILE *f)
{
    fprintf(f, "Devices (bus, name, description; [-device] = may be added with -device):\n");
    for (int i = 0; device_classes[i]; i++) {
        const DeviceClass *c = device_classes[i];
        fprintf(f, "  %-6s %-16s %s%s\n", c->bus ? c->bus : "-", c->name, c->desc ? c->desc : "",
                c->user_creatable ? " [-device]" : "");
        for (const DeviceProp *p = c->props; p && p->name; p++) {
            fprintf(f, "           %s=  %s\n", p->name, p->help ? p->help : "");
        }
    }
}

Device *device_create(Machine *m, const char *type, const char *id, const char *props)
{
    const DeviceClass *c = device_class_find(type);
    if (!c) {
        error_report("unknown device '%s' (see -device help)", type);
        return NULL;
    }
    return device_create_class(m, c, id, props);
}

/* SPDX-License-Identifier: MIT */
/*
 * hw/machine_list.c — the table of boards (drives `-M help`).
 */
#include "hw/core/machine.h"

extern const MachineClass pc_machine_class;
extern const MachineClass xenfv_machine_class;

const MachineClass *const machine_classes[] = {
    &pc_machine_class,
    &xenfv_machine_class,
    NULL,
};

const MachineClass *machine_class_find(const char *name)
{
    for (int i = 0; machine_classes[i]; i++) {
        if (!strcmp(machine_classes[i]->name, name)) {
            return machine_classes[i];
        }
    }
    return NULL;
}

void machine_list_print(FILE *f)
{
    fprintf(f, "Supported machines are:\n");
    for (int i = 0; machine_classes[i]; i++) {
        fprintf(f, "  %-10s %s%s\n", machine_classes[i]->name, machine_classes[i]->desc,
                i == 0 ? " (default)" : "");
    }
}

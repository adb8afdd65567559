/* SPDX-License-Identifier: MIT */
/*
 * accel/accel.c — the table of accelerators and -accel list parsing.
 */
#include "accel/accel.h"

static const AccelOps *const accels[] = {
    &tcg_accel_ops,
    NULL,
};

const AccelOps *current_accel;

static const AccelOps *accel_find(const char *name)
{
    for (int i = 0; accels[i]; i++) {
        if (!strcmp(accels[i]->name, name)) {
            return accels[i];
        }
    }
    return NULL;
}

const AccelOps *accel_select(const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    const AccelOps *chosen = NULL;
    for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        const AccelOps *a;
        const char *why = NULL;
        char *comma = strchr(tok, ',');
        if (comma) {
            *comma = '\0';   /* accelerator options are not used yet */
        }
        a = accel_find(tok);
        if (!a) {
            if (!strcmp(tok, "kvm") || !strcmp(tok, "xen")) {
                error_report("accelerator '%s' is not built into this tandem", tok);
            } else {
                error_report("unknown accelerator '%s' (try tcg)", tok);
            }
            continue;
        }
        if (a->available && !a->available(&why)) {
            error_report("accelerator '%s' cannot be used: %s", tok, why ? why : "unavailable");
            continue;
        }
        chosen = a;
        break;
    }
    free(copy);
    return chosen;
}

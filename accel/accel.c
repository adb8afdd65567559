/* SPDX-License-Identifier: MIT */
/*
 * accel/accel.c — the table of accelerators (tcg; kvm and xen when built with CONFIG_KVM,
 * CONFIG_XEN) and
 * -accel list parsing.
 */
#include "accel/accel.h"

#ifdef CONFIG_KVM
extern const AccelOps kvm_accel_ops;
#endif
#ifdef CONFIG_XEN
extern const AccelOps xen_accel_ops;
#endif

static const AccelOps *const accels[] = {
    &tcg_accel_ops,
#ifdef CONFIG_KVM
    &kvm_accel_ops,
#endif
#ifdef CONFIG_XEN
    &xen_accel_ops,
#endif
    NULL,
};

const AccelOps *current_accel;

const AccelOps *accel_find(const char *name)
{
    for (int i = 0; accels[i]; i++) {
        if (!strcmp(accels[i]->name, name)) {
            return accels[i];
        }
    }
    return NULL;
}

const AccelOps *accel_select(const char *list, char *why, size_t why_size)
{
    char *copy = xstrdup(list), *save = NULL;
    const AccelOps *chosen = NULL;
    why[0] = '\0';
    for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        const AccelOps *a;
        const char *reason = NULL;
        char *comma = strchr(tok, ',');
        size_t used = strlen(why);
        if (comma) {
            *comma = '\0';   /* accelerator options are not used yet */
        }
        a = accel_find(tok);
        if (!a) {
            reason = (!strcmp(tok, "kvm") || !strcmp(tok, "xen")) ?
                     "not built into this tandem" : "unknown accelerator (try tcg)";
        } else if (a->available && !a->available(&reason)) {
            reason = reason ? reason : "unavailable";
        } else {
            chosen = a;
            break;
        }
        snprintf(why + used, why_size - used, "%s%s: %s", used ? "; " : "", tok, reason);
    }
    free(copy);
    if (chosen && why[0]) {
        error_report("using accelerator '%s' (%s)", chosen->name, why);
    }
    return chosen;
}

static void print_stat(void *opaque, const char *group, const char *name, uint64_t value)
{
    FILE *f = ((void **)opaque)[0];
    const char **last = (const char **)&((void **)opaque)[1];

    if (!*last || strcmp(*last, group)) {
        fprintf(f, "  %s:\n", group);
        *last = group;
    }
    fprintf(f, "    %-28s %" PRIu64 "\n", name, value);
}

void accel_print_stats(Machine *m, FILE *f)
{
    void *ctx[2] = { f, NULL };
    const char *note = current_accel->host_note ? current_accel->host_note() : NULL;

    fprintf(f, "accelerator: %s\n", current_accel->name);
    if (note) {
        fprintf(f, "  note: %s\n", note);
    }
    if (current_accel->stats) {
        current_accel->stats(m, print_stat, ctx);
    }
}

void accel_synchronize_state(Machine *m)
{
    for (int i = 0; current_accel->get_state && i < m->ncpus; i++) {
        current_accel->get_state(m->cpus[i]);
    }
}

void accel_synchronize_post_reset(Machine *m)
{
    for (int i = 0; current_accel->put_state && i < m->ncpus; i++) {
        current_accel->put_state(m->cpus[i]);
    }
}

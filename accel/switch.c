/* SPDX-License-Identifier: MIT */
/*
 * accel/switch.c — moving a running machine from one accelerator to another (the
 * monitor's `accel NAME`), through the canonical CPU state.
 *
 * Every accelerator can hand its copy of the registers to the canonical state
 * (get_state) and take it back (put_state); guest RAM and the devices are shared by all
 * of them. So a switch is: pause the vCPUs (they stop between instructions), make the
 * canonical state current, let both accelerators veto, give each vCPU to the new one
 * (initialised once per machine; its per-vCPU state in CPUState.tcg_state/kvm_state is
 * created on first use and kept afterwards), mark the canonical state as changed for it,
 * and resume. The TSC lives in the canonical state (tsc_offset), so guest time goes on
 * without a jump. Counters are the accelerators' own and are never reset here.
 *
 * Interrupt controllers that live inside an accelerator (KVM's in-kernel irqchip) move
 * through its leave and enter hooks: into tandem's PIC/IOAPIC/APIC models when it is
 * left, out of them when it is entered.
 *
 * Not done: switching with a vCPU in the middle of an instruction that an accelerator
 * emulates in pieces (each accelerator's can_switch says when it cannot hand over).
 */
#include "accel/accel.h"
#include "accel/tcg/tcg.h"

#define ACCEL_MAX_USED 8

/* What this file remembers of a machine: the accelerators it has initialised. */
typedef struct AccelHistory {
    Machine *m;
    const AccelOps *used[ACCEL_MAX_USED];   /* in order of first use */
    int nused;
    unsigned switches;
    struct AccelHistory *next;
} AccelHistory;

static AccelHistory *histories;

static AccelHistory *history_of(Machine *m, bool create)
{
    AccelHistory *h;

    for (h = histories; h; h = h->next) {
        if (h->m == m) {
            return h;
        }
    }
    if (!create) {
        return NULL;
    }
    h = xzalloc(sizeof(*h));
    h->m = m;
    h->used[h->nused++] = current_accel;    /* main.c initialised the first one */
    h->next = histories;
    histories = h;
    return h;
}

static bool history_has(const AccelHistory *h, const AccelOps *a)
{
    for (int i = 0; i < h->nused; i++) {
        if (h->used[i] == a) {
            return true;
        }
    }
    return false;
}

/* All vCPUs were already asked to stop (monitor `stop`, a pending reset or shutdown). */
static bool vcpus_stopped(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        if (!m->cpus[i]->stop) {
            return false;
        }
    }
    return m->ncpus > 0;
}

/* Give every vCPU back to accelerator a (after a failed attempt to leave it). */
static void give_back(Machine *m, const AccelOps *a)
{
    for (int i = 0; i < m->ncpus; i++) {
        if (a->vcpu_init) {
            a->vcpu_init(m->cpus[i]);
        }
        if (a->put_state) {
            a->put_state(m->cpus[i]);
        }
    }
}

/* Everything between pause and resume; 0 or -1 with err set. */
static int switch_paused(Machine *m, const AccelOps *from, const AccelOps *to, char *err,
                         size_t errlen)
{
    AccelHistory *h = history_of(m, true);
    const char *why = NULL;
    int i;

    accel_synchronize_state(m);
    if (from->can_switch && !from->can_switch(m, false, &why)) {
        snprintf(err, errlen, "cannot leave %s now: %s", from->name,
                 why ? why : "it refused");
        return -1;
    }
    why = NULL;
    if (to->can_switch && !to->can_switch(m, true, &why)) {
        snprintf(err, errlen, "cannot move onto %s: %s", to->name, why ? why : "it refused");
        return -1;
    }
    if (!history_has(h, to)) {
        if (h->nused == ACCEL_MAX_USED) {
            snprintf(err, errlen, "this machine has run on too many accelerators");
            return -1;
        }
        if (to->init && to->init(m) < 0) {
            snprintf(err, errlen, "%s could not be started (see the error above); "
                     "still on %s", to->name, from->name);
            return -1;
        }
        h->used[h->nused++] = to;
    }
    for (i = 0; i < m->ncpus; i++) {
        if (to->vcpu_init && to->vcpu_init(m->cpus[i]) < 0) {
            snprintf(err, errlen, "%s could not take vCPU %d (see the error above); "
                     "still on %s", to->name, i, from->name);
            give_back(m, from);
            return -1;
        }
    }
    why = NULL;
    if (from->leave && from->leave(m, &why) < 0) {
        snprintf(err, errlen, "cannot leave %s now: %s", from->name, why ? why : "it refused");
        give_back(m, from);
        return -1;
    }
    why = NULL;
    if (to->enter && to->enter(m, &why) < 0) {
        const char *ignored = NULL;
        snprintf(err, errlen, "cannot move onto %s: %s; still on %s", to->name,
                 why ? why : "it refused", from->name);
        if (from->enter) {
            from->enter(m, &ignored);
        }
        give_back(m, from);
        return -1;
    }
    /*
     * Another accelerator wrote guest memory behind the softmmu's back (KVM runs on the
     * RAM directly): no translation made before may be trusted.
     */
    if (to == &tcg_accel_ops && m->ncpus) {
        tb_flush(m->cpus[0]);
    }
    for (i = 0; i < m->ncpus; i++) {
        if (to->put_state) {
            to->put_state(m->cpus[i]);
        }
    }
    current_accel = to;
    h->switches++;
    return 0;
}

int accel_switch_to(Machine *m, const AccelOps *to, char *err, size_t errlen)
{
    const AccelOps *from = current_accel;
    const char *why = NULL;
    bool was_stopped;
    int r;

    if (to == from) {
        snprintf(err, errlen, "already running on %s", to->name);
        return -1;
    }
    if (to->available && !to->available(&why)) {
        snprintf(err, errlen, "%s is not usable here: %s", to->name,
                 why ? why : "unavailable");
        return -1;
    }
    was_stopped = vcpus_stopped(m);
    accel_pause_vcpus(m);
    r = switch_paused(m, from, to, err, errlen);
    if (!was_stopped) {
        accel_resume_vcpus(m);
    }
    return r;
}

int accel_switch(Machine *m, const char *name, char *err, size_t errlen)
{
    const AccelOps *to = accel_find(name);

    if (!to) {
        if (!strcmp(name, "kvm") || !strcmp(name, "xen")) {
            snprintf(err, errlen, "%s is not built into this tandem", name);
        } else {
            snprintf(err, errlen, "unknown accelerator '%s' (try tcg or kvm)", name);
        }
        return -1;
    }
    return accel_switch_to(m, to, err, errlen);
}

int accel_used(Machine *m, const AccelOps **out, int max)
{
    AccelHistory *h = history_of(m, false);
    int n = 0;

    if (max > 0) {
        out[n++] = current_accel;
    }
    for (int i = 0; h && i < h->nused && n < max; i++) {
        if (h->used[i] != current_accel) {
            out[n++] = h->used[i];
        }
    }
    return n;
}

unsigned accel_switch_count(Machine *m)
{
    AccelHistory *h = history_of(m, false);

    return h ? h->switches : 0;
}

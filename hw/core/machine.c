/* SPDX-License-Identifier: MIT */
/*
 * hw/core/machine.c — machine creation, CPU creation, reset and lifecycle requests.
 * The machine table is in hw/machine_list.c.
 */
#include "hw/core/machine.h"
#include "system/main-loop.h"

Machine *machine_create(const MachineClass *mc, const MachineOpts *opts)
{
    Machine *m = xzalloc(sizeof(*m));
    m->mc = mc;
    m->opts = *opts;
    if (!m->opts.ram_size) {
        m->opts.ram_size = mc->default_ram;
    }
    if (m->opts.smp <= 0) {
        m->opts.smp = 1;
    }
    if (m->opts.smp > mc->max_cpus) {
        error_report("machine '%s' supports at most %d CPUs (-smp %d)", mc->name, mc->max_cpus,
                     m->opts.smp);
        free(m);
        return NULL;
    }
    if (!m->opts.cpu_model) {
        m->opts.cpu_model = mc->default_cpu;
    }
    mr_init_container(&m->sysmem, "system", UINT64_MAX);
    mr_init_container(&m->io, "io", 0x10000);
    as_init(&m->sysmem_as, &m->sysmem, "memory");
    as_init(&m->io_as, &m->io, "I/O");
    if (mc->init(m) < 0) {
        return NULL;
    }
    return m;
}

int machine_create_cpus(Machine *m)
{
    for (int i = 0; i < m->opts.smp; i++) {
        CPUState *cs = cpu_create(m->mc->cpu_class, m->opts.cpu_model, i, m);
        if (!cs) {
            return -1;
        }
        cs->as = &m->sysmem_as;
        cs->io_as = &m->io_as;
        m->cpus[m->ncpus++] = cs;
    }
    return 0;
}

void machine_reset(Machine *m)
{
    for (Device *d = m->devices; d; d = d->next) {
        device_reset(d);
    }
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cs = m->cpus[i];
        cs->cc->reset(cs);
    }
    if (m->mc->reset) {
        m->mc->reset(m);
    }
    m->reset_requested = false;
}

static void machine_stop_cpus(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        m->cpus[i]->stop = true;
        cpu_exit(m->cpus[i]);
    }
}

void machine_request_reset(Machine *m)
{
    m->reset_requested = true;
    machine_stop_cpus(m);
    main_loop_wakeup();
}

void machine_request_shutdown(Machine *m, int exit_status)
{
    if (!m->shutdown_requested) {
        m->exit_status = exit_status;
        m->shutdown_requested = true;
    }
    machine_stop_cpus(m);
    main_loop_wakeup();
}

Device *machine_find_device(Machine *m, const char *id)
{
    for (Device *d = m->devices; d; d = d->next) {
        if (!strcmp(d->id, id)) {
            return d;
        }
    }
    return NULL;
}

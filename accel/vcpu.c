/* SPDX-License-Identifier: MIT */
/*
 * accel/vcpu.c — the one vCPU loop shared by every accelerator, a host thread per vCPU,
 * and pausing/resuming the vCPUs (machine reset, stop, shutdown).
 */
#include "accel/accel.h"
#include "system/main-loop.h"
#include "system/lockstep.h"

void cpu_wait_for_work(void);
void cpu_wake_all(void);

void (*vcpu_step_hook)(CPUState *cs, VcpuExit e);

static void vcpu_wait_while_stopped(CPUState *cs)
{
    while (cs->stop && !cs->quit) {
        cs->stopped = true;
        cpu_wake_all();
        main_loop_wakeup();
        cpu_wait_for_work();
    }
    cs->stopped = false;
}

static void *vcpu_thread(void *arg)
{
    CPUState *cs = arg;
    Machine *m = cs->machine;
    current_cpu = cs;
    bql_lock();
    while (!cs->quit) {
        vcpu_wait_while_stopped(cs);
        if (cs->quit) {
            break;
        }
        if (cs->halted && !cs->cc->has_work(cs)) {
            cpu_wait_for_work();
            continue;
        }
        bql_unlock();
        VcpuExit e = current_accel->vcpu_run(cs);
        bql_lock();
        if (vcpu_step_hook) {
            vcpu_step_hook(cs, e);
        }
        switch (e) {
        case VCPU_EXIT_KICK:
        case VCPU_EXIT_DEBUG:
            break;
        case VCPU_EXIT_HALT:
            break;      /* the loop top waits until has_work */
        case VCPU_EXIT_RESET:
            m->triple_fault_cpu = cs;
            machine_request_reset(m);
            break;
        case VCPU_EXIT_SHUTDOWN:
            machine_request_shutdown(m, cs->exit_status);
            break;
        }
    }
    cs->stopped = true;
    cpu_wake_all();
    bql_unlock();
    return NULL;
}

int accel_start_vcpus(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cs = m->cpus[i];
        if (current_accel->vcpu_init && current_accel->vcpu_init(cs) < 0) {
            return -1;
        }
        if (pthread_create(&cs->thread, NULL, vcpu_thread, cs) != 0) {
            error_report("cannot create a thread for vCPU %d", i);
            return -1;
        }
        cs->thread_started = true;
    }
    return 0;
}

static bool all_stopped(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        if (m->cpus[i]->thread_started && !m->cpus[i]->stopped) {
            return false;
        }
    }
    return true;
}

/* Called with the big lock held (main loop). */
void accel_pause_vcpus(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        m->cpus[i]->stop = true;
        cpu_exit(m->cpus[i]);
        if (current_accel->vcpu_kick) {
            current_accel->vcpu_kick(m->cpus[i]);
        }
    }
    cpu_wake_all();
    while (!all_stopped(m)) {
        cpu_wait_for_work();
    }
}

void accel_resume_vcpus(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        m->cpus[i]->stop = false;
    }
    cpu_wake_all();
}

void accel_stop_vcpus(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        m->cpus[i]->quit = true;
        cpu_exit(m->cpus[i]);
        if (current_accel && current_accel->vcpu_kick) {
            current_accel->vcpu_kick(m->cpus[i]);
        }
    }
    cpu_wake_all();
    for (int i = 0; i < m->ncpus; i++) {
        if (m->cpus[i]->thread_started) {
            bool locked = bql_locked();
            if (locked) {
                bql_unlock();
            }
            pthread_join(m->cpus[i]->thread, NULL);
            if (locked) {
                bql_lock();
            }
            m->cpus[i]->thread_started = false;
        }
    }
}

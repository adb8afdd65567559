/* SPDX-License-Identifier: MIT */
/*
 * system/main.c — tandem's command line (QEMU's conventions), VM start-up and the
 * lifecycle around the main loop.
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "accel/accel.h"
#include "backends/chardev.h"
#include "system/main-loop.h"
#include "system/monitor.h"
#include "system/lockstep.h"
#include "system/compare.h"
#include "system/xen-args.h"
#include <unistd.h>

static Machine *the_machine;

static void usage(FILE *f)
{
    fprintf(f,
"usage: tandem [options]\n"
"tandem " TANDEM_VERSION ", a full-system emulator: x86-64 PCs on tcg-lite (interpreter)\n"
"\n"
"Standard options:\n"
"  -h, --help            print this help and exit\n"
"  --version             print the version and exit\n"
"  -M, -machine NAME     the board (-M help lists them); default pc\n"
"  -cpu MODEL[,+F,-F,F=on|off,vendor=V]  the CPU model (-cpu help lists them) and\n"
"                        CPUID features added (only implemented ones) or removed\n"
"  -m SIZE               guest RAM, in MiB or with a K/M/G suffix (default per board)\n"
"  -smp N                number of CPUs (N, or cpus=N)\n"
"  -accel NAME[:NAME..]  accelerator, with fallbacks in order: tcg (default), kvm, xen\n"
"                        (e.g. -accel kvm:tcg uses tcg when KVM cannot run, saying why)\n"
"  -enable-kvm           the same as -accel kvm\n"
"  -machine kernel-irqchip=on|off  under kvm: KVM's in-kernel interrupt controllers\n"
"                        (default) or tandem's PIC, APIC and IOAPIC\n"
"  --lockstep tcg,ACCEL  run the guest under tcg and ACCEL (kvm, or tcg) side by side,\n"
"                        one instruction at a time; stop at the first difference (exit 1)\n"
"\n"
"Boot:\n"
"  -kernel FILE          a Multiboot (v1) kernel: ELF32, or any image with a load-address header\n"
"  -append CMDLINE       the kernel command line\n"
"  -initrd 'FILE [ARGS],FILE..'  Multiboot modules\n"
"  -bios FILE            a raw firmware image mapped below 4 GiB and run from the reset vector\n"
"  -no-reboot            exit instead of resetting (a triple fault exits with status 1)\n"
"\n"
"Devices and I/O:\n"
"  -device TYPE[,PROP=VALUE,...]  add a device (-device help lists them), e.g.\n"
"                        -device isa-debug-exit,iobase=0xf4,iosize=0x4\n"
"  -serial SPEC          COM1..COM4 back ends: stdio, mon:stdio, file:PATH, pipe:PATH, null\n"
"  -nographic            no display; serial and monitor on the terminal (Ctrl-A h for\n"
"                        help, Ctrl-A c switches between them)\n"
"  -monitor stdio|none   the monitor on the terminal (muxed with a serial port on stdio)\n"
"                        or none; default: on the terminal when a serial is mon:stdio\n"
"  -display none         accepted (no display yet)\n"
"\n"
"Debugging:\n"
"  -d ITEM[,ITEM..]      log items (-d help lists them): in_asm, op, exec, cpu, int, unimp\n"
"  -D FILE               write the log to FILE instead of stderr\n");
    xen_args_usage(f);
    compare_usage(f);
}

static bool parse_size_mib(const char *s, uint64_t *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || v < 0) {
        return false;
    }
    switch (*end) {
    case '\0': case 'm': case 'M': v *= MiB; break;
    case 'k': case 'K': v *= KiB; break;
    case 'g': case 'G': v *= GiB; break;
    case 't': case 'T': v *= (double)GiB * 1024; break;
    case 'b': case 'B': break;
    default: return false;
    }
    if (*end && end[1] && !(end[1] == 'B' || end[1] == 'b' || end[1] == 'i')) {
        return false;
    }
    if (v >= 1.8e19) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static void request_hook(void)
{
    Machine *m = the_machine;
    if (!m) {
        return;
    }
    if (m->shutdown_requested) {
        main_loop_quit(m->exit_status);
        return;
    }
    if (m->reset_requested) {
        accel_pause_vcpus(m);
        if (m->triple_fault_cpu && m->opts.no_reboot) {
            CPUState *cs = m->triple_fault_cpu;
            error_report("guest triple fault on CPU %d; -no-reboot given, stopping", cs->index);
            cs->cc->dump_state(cs, stderr);
            cpu_dump_history(cs, stderr);
            m->exit_status = 1;
            m->shutdown_requested = true;
            main_loop_quit(1);
            return;
        }
        if (m->opts.no_reboot) {
            m->shutdown_requested = true;
            main_loop_quit(0);
            return;
        }
        m->triple_fault_cpu = NULL;
        machine_reset(m);
        accel_synchronize_post_reset(m);
        accel_resume_vcpus(m);
    }
}

static void quit_hook(void)
{
    if (the_machine) {
        machine_request_shutdown(the_machine, 0);
    } else {
        exit(0);
    }
}

/*
 * The monitor goes on the stdio mux: by default when a serial port is "mon:stdio" (as with
 * -nographic), with -monitor stdio also beside a plain "stdio" serial port or, when no
 * serial port is on the terminal, alone on it. 0, or -1 after error_report().
 */
static int create_monitor(Machine *m, const char *spec)
{
    Chardev *c = NULL;

    if (spec && !strcmp(spec, "none")) {
        return 0;
    }
    for (int i = 0; i < m->opts.nr_serial && !c; i++) {
        const char *s = m->opts.serial[i];
        if (s && m->serial[i] && (!strcmp(s, "mon:stdio") || (spec && !strcmp(s, "stdio")))) {
            c = m->serial[i];
        }
    }
    if (!c && spec) {
        c = chr_new("stdio", "monitor");
        if (!c) {
            return -1;
        }
    }
    if (c) {
        monitor_new(m, c);
    }
    return 0;
}

static const char *need_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fatal("option %s needs an argument (see --help)", argv[*i]);
    }
    return argv[++*i];
}

int main(int argc, char **argv)
{
    MachineOpts opts = { 0 };
    const char *machine_name = "pc", *accel_list = "tcg";
    const char *devices[32];
    int nr_devices = 0;
    bool nographic = false, cpu_help = false;
    const char *bios = NULL, *monitor_spec = NULL;
    const char *lockstep = NULL, *lockstep_child = NULL;
    bool accel_given = false;
    int compare_status;

    opts.smp = 1;
    opts.kernel_irqchip = -1;
    if (compare_main(&argc, argv, &compare_status)) {
        return compare_status;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            a++;    /* --option is the same as -option */
        }
        if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-version")) {
            printf("tandem version " TANDEM_VERSION "\n");
            return 0;
        } else if (!strcmp(a, "-M") || !strcmp(a, "-machine")) {
            char *v = xstrdup(need_arg(argc, argv, &i)), *save = NULL;
            for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (!strncmp(tok, "kernel-irqchip=", 15) || !strncmp(tok, "kernel_irqchip=", 15)) {
                    const char *k = tok + 15;
                    if (!strcmp(k, "on") || !strcmp(k, "split")) {
                        opts.kernel_irqchip = 1;
                    } else if (!strcmp(k, "off")) {
                        opts.kernel_irqchip = 0;
                    } else {
                        fatal("-machine kernel-irqchip=%s: expected on, off or split", k);
                    }
                } else if (!strncmp(tok, "accel=", 6)) {
                    accel_list = tok + 6;
                    accel_given = true;
                } else if (!strncmp(tok, "type=", 5)) {
                    machine_name = tok + 5;
                } else if (!strchr(tok, '=') && tok == v) {
                    machine_name = tok;
                } else if (xen_args_machine_prop(tok)) {
                    continue;
                } else {
                    fatal("-machine: unknown property '%s' (known: type, accel, kernel-irqchip)", tok);
                }
            }
        } else if (!strcmp(a, "-m")) {
            const char *v = need_arg(argc, argv, &i);
            if (!strncmp(v, "size=", 5)) {
                v += 5;
            }
            if (!parse_size_mib(v, &opts.ram_size)) {
                fatal("invalid -m size '%s' (examples: 128, 512M, 2G)", v);
            }
            if (opts.ram_size < MiB) {
                fatal("-m %s: guest RAM must be at least 1 MiB", v);
            }
            uint64_t host = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
            if (opts.ram_size > host) {
                fatal("-m %s: %" PRIu64 " MiB of guest RAM is more than this host has (%" PRIu64
                      " MiB)", v, opts.ram_size / MiB, host / MiB);
            }
        } else if (!strcmp(a, "-smp")) {
            const char *v = need_arg(argc, argv, &i);
            char *end;
            if (!strncmp(v, "cpus=", 5)) {
                v += 5;
            }
            long n = strtol(v, &end, 10);
            if (end == v || (*end && *end != ',') || n < 1) {
                fatal("invalid -smp '%s'", v);
            }
            opts.smp = (int)n;
        } else if (!strcmp(a, "-cpu")) {
            opts.cpu_model = need_arg(argc, argv, &i);
            if (!strcmp(opts.cpu_model, "help")) {
                cpu_help = true;
            }
        } else if (!strcmp(a, "-accel")) {
            const char *v = need_arg(argc, argv, &i);
            accel_list = !strncmp(v, "accel=", 6) ? v + 6 : v;
            accel_given = true;
        } else if (!strcmp(a, "-enable-kvm")) {
            accel_list = "kvm";
            accel_given = true;
        } else if (!strcmp(a, "-lockstep")) {
            lockstep = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-lockstep-child")) {
            lockstep_child = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-kernel")) {
            opts.kernel = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-append")) {
            opts.append = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-initrd")) {
            opts.initrd = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-bios")) {
            bios = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-no-reboot")) {
            opts.no_reboot = true;
        } else if (!strcmp(a, "-nographic")) {
            nographic = true;
        } else if (!strcmp(a, "-display")) {
            const char *v = need_arg(argc, argv, &i);
            if (strcmp(v, "none")) {
                fatal("-display %s: only 'none' is available in this build", v);
            }
        } else if (!strcmp(a, "-serial")) {
            const char *v = need_arg(argc, argv, &i);
            if (opts.nr_serial == MACHINE_MAX_SERIAL) {
                fatal("at most %d -serial options", MACHINE_MAX_SERIAL);
            }
            opts.serial[opts.nr_serial++] = v;
        } else if (!strcmp(a, "-monitor")) {
            monitor_spec = need_arg(argc, argv, &i);
            if (strcmp(monitor_spec, "stdio") && strcmp(monitor_spec, "mon:stdio") &&
                strcmp(monitor_spec, "none")) {
                fatal("-monitor %s: only stdio and none are available", monitor_spec);
            }
        } else if (!strcmp(a, "-device")) {
            const char *v = need_arg(argc, argv, &i);
            if (!strcmp(v, "help")) {
                device_list_print(stdout);
                return 0;
            }
            if (nr_devices == (int)ARRAY_SIZE(devices)) {
                fatal("too many -device options");
            }
            devices[nr_devices++] = v;
        } else if (!strcmp(a, "-d")) {
            const char *v = need_arg(argc, argv, &i);
            if (!strcmp(v, "help")) {
                log_print_help(stdout);
                return 0;
            }
            if (log_parse_mask(v) < 0) {
                fatal("unknown -d item in '%s' (-d help lists them)", v);
            }
        } else if (!strcmp(a, "-D")) {
            const char *v = need_arg(argc, argv, &i);
            int r = log_set_file(v);
            if (r < 0) {
                fatal("cannot open log file '%s': %s", v, strerror(-r));
            }
        } else {
            int r = xen_args_option(a, argc, argv, &i);
            if (r < 0) {
                return 1;
            }
            if (r == 0) {
                fatal("unknown option '%s' (see --help)", argv[i]);
            }
        }
    }

    if (!strcmp(machine_name, "help")) {
        machine_list_print(stdout);
        return 0;
    }
    const MachineClass *mc = machine_class_find(machine_name);
    if (!mc) {
        fatal("unknown machine '%s' (-M help lists them)", machine_name);
    }
    if (cpu_help) {
        printf("Available CPU models for %s:\n", mc->name);
        for (const char *const *p = mc->cpu_class->models; p && *p; p++) {
            printf("  %s\n", *p);
        }
        return 0;
    }
    if (opts.cpu_model) {
        /* MODEL[,options]: the options are the CPU class's to check, when it is created */
        size_t len = strcspn(opts.cpu_model, ",");
        bool ok = false;
        for (const char *const *p = mc->cpu_class->models; p && *p; p++) {
            ok |= strlen(*p) == len && !strncmp(*p, opts.cpu_model, len);
        }
        if (!ok) {
            fatal("unknown CPU model '%.*s' (-cpu help lists them)", (int)len, opts.cpu_model);
        }
        if (mc->cpu_class->check_model && mc->cpu_class->check_model(opts.cpu_model) < 0) {
            return 1;
        }
    }
    if (bios) {
        opts.bios = bios;
    }
    if (opts.nr_serial == 0) {
        opts.serial[opts.nr_serial++] = nographic ? "mon:stdio" : xen_args_nodefaults ? "null" : "stdio";
    }
    if (!accel_given && xen_args_default_accel(machine_name)) {
        accel_list = xen_args_default_accel(machine_name);
    }
    opts.accel = accel_list;

    char why[512];
    current_accel = accel_select(accel_list, why, sizeof(why));
    if (!current_accel) {
        fatal("no usable accelerator in '%s': %s", accel_list, why);
    }

    const DeviceClass *dev_classes[ARRAY_SIZE(devices)];
    const char *dev_props[ARRAY_SIZE(devices)];
    for (int i = 0; i < nr_devices; i++) {
        char *type = xstrdup(devices[i]);
        char *props = strchr(type, ',');
        if (props) {
            *props++ = '\0';
        }
        dev_classes[i] = device_class_find(type);
        if (!dev_classes[i]) {
            fatal("unknown device '%s' (-device help lists them)", type);
        }
        if (!dev_classes[i]->user_creatable) {
            fatal("device '%s' cannot be added with -device", type);
        }
        dev_props[i] = props;
        if (device_check_props(dev_classes[i], props) < 0) {
            return 1;
        }
    }

    if (lockstep) {
        if (accel_given) {
            error_report("--lockstep chooses the accelerators itself: leave out -accel");
            return 2;
        }
        return lockstep_run(argc, argv, lockstep, opts.smp);
    }

    main_loop_init();
    bql_lock();
    chr_quit_hook = quit_hook;
    Machine *m = machine_create(mc, &opts);
    if (!m) {
        return 1;
    }
    for (int i = 0; i < nr_devices; i++) {
        if (!device_create_class(m, dev_classes[i], NULL, dev_props[i])) {
            return 1;
        }
    }
    the_machine = m;
    if (create_monitor(m, monitor_spec) < 0) {
        return 1;
    }
    if (xen_args_start(m) < 0) {
        return 1;
    }
    main_loop_request_hook = request_hook;
    if (current_accel->init(m) < 0) {
        return 1;
    }
    machine_reset(m);
    accel_synchronize_post_reset(m);
    compare_child_started(m);
    if (lockstep_child ? lockstep_child_start(m, lockstep_child) < 0 : accel_start_vcpus(m) < 0) {
        return 1;
    }
    int status = main_loop_run();
    compare_child_finish(m, status);
    accel_stop_vcpus(m);
    bql_unlock();
    log_flush();
    chr_stdio_restore();
    fflush(stdout);
    return status;
}

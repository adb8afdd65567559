/* SPDX-License-Identifier: MIT */
/*
 * system/monitor.c — the human monitor: a few of QEMU's HMP commands on the stdio mux.
 *
 * Input arrives through the chardev mux (Ctrl-A c gives the monitor the keyboard; with
 * -monitor stdio and the serial elsewhere it has it all the time), is echoed and edited
 * on one line (backspace, Ctrl-U; escape sequences such as arrow keys are dropped), and
 * each line runs as a command on the main loop thread with the big lock held. Output goes
 * to the same chardev with "\r\n" line ends, as QEMU writes them.
 *
 * Commands that read CPU state pause the vCPUs, make the canonical state current
 * (accel_synchronize_state) and let them run again unless the machine was stopped.
 * `stop` also stops the virtual clock (the devices' timers), as QEMU does; the TSC follows
 * the host and keeps counting.
 *
 * Not implemented: QMP, history, completion, `info` items other than accel, cpus and
 * registers, memory dumps, cpu selection (`cpu N`), gdbserver, savevm/loadvm.
 */
#include "system/monitor.h"
#include "system/main-loop.h"
#include "accel/accel.h"
#include <ctype.h>
#include <stdarg.h>

#define MONITOR_LINE_MAX 512
#define MONITOR_PROMPT "(tandem) "

struct Monitor {
    Machine *m;
    Chardev *chr;
    char line[MONITOR_LINE_MAX];
    size_t len;
    bool overflow;       /* the line grew past MONITOR_LINE_MAX: refused at its end */
    bool greeted;        /* the banner was printed */
    bool focused;        /* the monitor has the input */
    bool after_cr;       /* the previous byte was '\r' (a following '\n' ends nothing) */
    int esc;             /* 0: plain; 1: after ESC; 2: inside ESC [ ... */
    bool stopped;        /* `stop` was given and no `cont` yet */
};

typedef struct MonitorCmd {
    const char *name, *alias, *args, *help;
    void (*run)(Monitor *mon, const char *arg);
} MonitorCmd;

static void mon_write(Monitor *mon, const char *s, size_t len)
{
    size_t start = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
            chr_write(mon->chr, (const uint8_t *)s + start, (int)(i - start));
            chr_write(mon->chr, (const uint8_t *)"\r\n", 2);
            start = i + 1;
        }
    }
    chr_write(mon->chr, (const uint8_t *)s + start, (int)(len - start));
}

static void mon_puts(Monitor *mon, const char *s)
{
    mon_write(mon, s, strlen(s));
}

static void mon_printf(Monitor *mon, const char *fmt, ...) PRINTF_FMT(2, 3);

static void mon_printf(Monitor *mon, const char *fmt, ...)
{
    char small[256], *s = small;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(small)) {
        s = xmalloc((size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (n > 0) {
        mon_write(mon, s, (size_t)n);
    }
    if (s != small) {
        free(s);
    }
}

/* Output that a printer writes to a FILE (dump_state, accel_print_stats). */
typedef struct MonBuf {
    char *data;
    size_t size;
    FILE *f;
} MonBuf;

static FILE *monbuf_open(MonBuf *b)
{
    b->data = NULL;
    b->size = 0;
    b->f = open_memstream(&b->data, &b->size);
    return b->f;
}

static void monbuf_flush(Monitor *mon, MonBuf *b)
{
    if (b->f) {
        fclose(b->f);
        mon_write(mon, b->data, b->size);
    }
    free(b->data);
}

/* ----------------------------------------------------------------------------------------
 * Pausing around reads of CPU state
 */

/* Every vCPU was already asked to stop (stop, a pending reset or shutdown). */
static bool vcpus_stopped(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        if (!m->cpus[i]->stop) {
            return false;
        }
    }
    return true;
}

/* Pause the vCPUs and make the canonical state current; returns whether they ran. */
static bool mon_pause(Monitor *mon)
{
    bool ran = !vcpus_stopped(mon->m);

    accel_pause_vcpus(mon->m);
    accel_synchronize_state(mon->m);
    return ran;
}

static void mon_unpause(Monitor *mon, bool ran)
{
    if (ran) {
        accel_resume_vcpus(mon->m);
    }
}

/* ----------------------------------------------------------------------------------------
 * Commands
 */

static void cmd_help(Monitor *mon, const char *arg);

static void stat_line(void *opaque, const char *group, const char *name, uint64_t value)
{
    void **ctx = opaque;
    FILE *f = ctx[0];

    if (!ctx[1] || strcmp(ctx[1], group)) {
        fprintf(f, "  %s:\n", group);
        ctx[1] = (void *)group;
    }
    fprintf(f, "    %-28s %" PRIu64 "\n", name, value);
}

static void info_accel(Monitor *mon)
{
    const AccelOps *used[8];
    int n = accel_used(mon->m, used, ARRAY_SIZE(used));
    MonBuf b;
    FILE *f = monbuf_open(&b);

    if (!f) {
        mon_puts(mon, "out of memory\n");
        return;
    }
    accel_print_stats(mon->m, f);
    if (accel_switch_count(mon->m)) {
        fprintf(f, "switches between accelerators: %u\n", accel_switch_count(mon->m));
    }
    for (int i = 1; i < n; i++) {
        void *ctx[2] = { f, NULL };
        fprintf(f, "earlier accelerator: %s (its counters, kept)\n", used[i]->name);
        if (used[i]->stats) {
            used[i]->stats(mon->m, stat_line, ctx);
        }
    }
    monbuf_flush(mon, &b);
}

static void info_cpus(Monitor *mon)
{
    Machine *m = mon->m;
    bool ran = mon_pause(mon);

    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cs = m->cpus[i];
        mon_printf(mon, "%c CPU #%d: pc=0x%016" PRIx64 "%s\n", i == 0 ? '*' : ' ', cs->index,
                   cs->cc->get_pc(cs), cs->halted ? " (halted)" : "");
    }
    mon_unpause(mon, ran);
}

static void info_registers(Monitor *mon)
{
    Machine *m = mon->m;
    bool ran = mon_pause(mon);

    for (int i = 0; i < m->ncpus; i++) {
        MonBuf b;
        FILE *f = monbuf_open(&b);
        if (!f) {
            mon_puts(mon, "out of memory\n");
            break;
        }
        fprintf(f, "CPU#%d\n", m->cpus[i]->index);
        m->cpus[i]->cc->dump_state(m->cpus[i], f);
        monbuf_flush(mon, &b);
    }
    mon_unpause(mon, ran);
}

static void cmd_info(Monitor *mon, const char *arg)
{
    if (!strcmp(arg, "accel")) {
        info_accel(mon);
    } else if (!strcmp(arg, "cpus")) {
        info_cpus(mon);
    } else if (!strcmp(arg, "registers")) {
        info_registers(mon);
    } else if (!*arg) {
        mon_puts(mon, "info accel      -- the accelerator, its host note and its counters\n"
                      "info cpus       -- the vCPUs and where they are\n"
                      "info registers  -- the registers of every vCPU\n");
    } else {
        mon_printf(mon, "info: unknown item '%s' (try 'info' for the list)\n", arg);
    }
}

static void cmd_stop(Monitor *mon, const char *arg)
{
    if (mon->stopped) {
        return;
    }
    accel_pause_vcpus(mon->m);
    clock_virtual_pause(true);
    mon->stopped = true;
}

static void cmd_cont(Monitor *mon, const char *arg)
{
    if (!mon->stopped) {
        return;
    }
    mon->stopped = false;
    clock_virtual_pause(false);
    accel_resume_vcpus(mon->m);
}

static void cmd_system_reset(Monitor *mon, const char *arg)
{
    Machine *m = mon->m;
    bool ran = !vcpus_stopped(m);

    accel_pause_vcpus(m);
    m->triple_fault_cpu = NULL;
    machine_reset(m);
    accel_synchronize_post_reset(m);
    if (ran) {
        accel_resume_vcpus(m);
    }
}

static void cmd_quit(Monitor *mon, const char *arg)
{
    machine_request_shutdown(mon->m, 0);
}

static void cmd_accel(Monitor *mon, const char *arg)
{
    char err[256];

    if (!*arg) {
        static const char *const names[] = { "tcg", "kvm", "xen" };
        char built[64] = "";
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
            if (accel_find(names[i])) {
                size_t n = strlen(built);
                snprintf(built + n, sizeof(built) - n, "%s%s", n ? ", " : "", names[i]);
            }
        }
        mon_printf(mon, "running on %s (built in: %s)\n", current_accel->name, built);
        return;
    }
    if (accel_switch(mon->m, arg, err, sizeof(err)) < 0) {
        mon_printf(mon, "accel: %s\n", err);
        return;
    }
    mon_printf(mon, "now running on %s\n", current_accel->name);
}

static const MonitorCmd mon_cmds[] = {
    { "accel", NULL, "[NAME]", "move the running machine to accelerator NAME (tcg, kvm)",
      cmd_accel },
    { "cont", "c", "", "resume emulation", cmd_cont },
    { "help", "?", "[cmd]", "show the help", cmd_help },
    { "info", NULL, "[accel|cpus|registers]", "show information about the machine",
      cmd_info },
    { "quit", "q", "", "quit tandem (exit status 0)", cmd_quit },
    { "stop", NULL, "", "stop emulation", cmd_stop },
    { "system_reset", NULL, "", "reset the machine", cmd_system_reset },
};

static const MonitorCmd *cmd_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(mon_cmds); i++) {
        if (!strcmp(mon_cmds[i].name, name) ||
            (mon_cmds[i].alias && !strcmp(mon_cmds[i].alias, name))) {
            return &mon_cmds[i];
        }
    }
    return NULL;
}

static void cmd_help(Monitor *mon, const char *arg)
{
    const MonitorCmd *only = *arg ? cmd_find(arg) : NULL;

    if (*arg && !only) {
        mon_printf(mon, "help: unknown command '%s'\n", arg);
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(mon_cmds); i++) {
        const MonitorCmd *c = &mon_cmds[i];
        char head[64];
        if (only && only != c) {
            continue;
        }
        snprintf(head, sizeof(head), "%s%s%s %s", c->name, c->alias ? "|" : "",
                 c->alias ? c->alias : "", c->args);
        mon_printf(mon, "%-36s -- %s\n", head, c->help);
    }
}

void monitor_command(Monitor *mon, const char *line)
{
    char buf[MONITOR_LINE_MAX];
    char *name, *arg, *end;
    const MonitorCmd *c;

    snprintf(buf, sizeof(buf), "%s", line);
    name = buf;
    while (isspace((unsigned char)*name)) {
        name++;
    }
    end = name + strlen(name);
    while (end > name && isspace((unsigned char)end[-1])) {
        *--end = '\0';
    }
    if (!*name) {
        return;
    }
    arg = name + strcspn(name, " \t");
    if (*arg) {
        *arg++ = '\0';
        while (isspace((unsigned char)*arg)) {
            arg++;
        }
    }
    c = cmd_find(name);
    if (!c) {
        mon_printf(mon, "unknown command: '%s' (try 'help')\n", name);
        return;
    }
    if (!c->args[0] && *arg) {
        mon_printf(mon, "%s: takes no argument (got '%s')\n", c->name, arg);
        return;
    }
    c->run(mon, arg);
}

/* ----------------------------------------------------------------------------------------
 * Line input from the mux
 */

static void mon_prompt(Monitor *mon)
{
    mon_puts(mon, MONITOR_PROMPT);
}

static void mon_end_line(Monitor *mon)
{
    mon_puts(mon, "\n");
    if (mon->overflow) {
        mon_printf(mon, "line too long (at most %d characters): ignored\n",
                   MONITOR_LINE_MAX - 1);
    } else {
        mon->line[mon->len] = '\0';
        monitor_command(mon, mon->line);
    }
    mon->len = 0;
    mon->overflow = false;
    if (!mon->m->shutdown_requested) {
        mon_prompt(mon);
    }
}

static void mon_input_byte(Monitor *mon, uint8_t ch)
{
    bool after_cr = mon->after_cr;

    mon->after_cr = false;
    if (mon->esc == 1) {
        mon->esc = (ch == '[' || ch == 'O') ? 2 : 0;
        return;
    }
    if (mon->esc == 2) {
        if (ch >= 0x40 && ch <= 0x7e) {
            mon->esc = 0;
        }
        return;
    }
    switch (ch) {
    case '\r':
        mon->after_cr = true;
        mon_end_line(mon);
        break;
    case '\n':
        if (!after_cr) {
            mon_end_line(mon);
        }
        break;
    case 0x1b:
        mon->esc = 1;
        break;
    case 0x7f:
    case '\b':
        if (mon->len) {
            mon->len--;
            mon_puts(mon, "\b \b");
        }
        break;
    case 0x15:    /* Ctrl-U: erase the line */
        while (mon->len) {
            mon->len--;
            mon_puts(mon, "\b \b");
        }
        break;
    default:
        if (ch < 0x20) {
            break;
        }
        if (mon->len < MONITOR_LINE_MAX - 1) {
            mon->line[mon->len++] = (char)ch;
        } else {
            mon->overflow = true;
        }
        chr_write(mon->chr, &ch, 1);
        break;
    }
}

static int mon_can_read(void *opaque)
{
    Monitor *mon = opaque;

    /* after `quit` the rest of the input is not for us */
    return mon->m->shutdown_requested ? 0 : MONITOR_LINE_MAX;
}

static void mon_read(void *opaque, const uint8_t *buf, int len)
{
    Monitor *mon = opaque;

    for (int i = 0; i < len && !mon->m->shutdown_requested; i++) {
        mon_input_byte(mon, buf[i]);
    }
}

static void mon_focus(void *opaque, bool focused)
{
    Monitor *mon = opaque;

    mon->focused = focused;
    if (!focused) {
        mon_puts(mon, "\n");    /* the guest's output starts on a line of its own */
        return;
    }
    if (!mon->greeted) {
        mon->greeted = true;
        mon_puts(mon, "\ntandem " TANDEM_VERSION " monitor - type 'help' for more information\n");
    } else {
        mon_puts(mon, "\n");
    }
    mon_prompt(mon);
    if (mon->len) {
        chr_write(mon->chr, (const uint8_t *)mon->line, (int)mon->len);
    }
}

Monitor *monitor_new(Machine *m, Chardev *c)
{
    Monitor *mon = xzalloc(sizeof(*mon));
    CharFront fe = { .opaque = mon, .can_read = mon_can_read, .read = mon_read,
                     .focus = mon_focus };

    mon->m = m;
    mon->chr = c;
    chr_mux_set_monitor(c, &fe);
    return mon;
}

void monitor_free(Monitor *mon)
{
    if (mon) {
        chr_mux_set_monitor(mon->chr, NULL);
        free(mon);
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * system/compare.c — `tandem --compare ACCEL,ACCEL ...`: one guest run under each
 * accelerator, compared side by side (see compare.h for the protocol between the parent
 * and its runs).
 *
 * The parent: option checks, one child per accelerator (re-executing /proc/self/exe, one
 * after the other so that their timings do not disturb each other), a per-run timeout,
 * the table and the verdict. The child: the stats file, written when the machine ends.
 *
 * Not done: runs in parallel, guest memory comparison, serial ports other than COM1,
 * keeping the runs' files (they live in a temporary directory removed at the end).
 */
#include "util/osdep.h"
#include "system/compare.h"
#include "accel/accel.h"
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#define COMPARE_MAX_RUNS 4
#define COMPARE_DEFAULT_TIMEOUT 60.0
#define STATS_MAGIC "tandem-stats\t1"

/* ---------------------------------------------------------------------------------------
 * The child: the stats file
 */

static const char *stats_path;
static FILE *stats_file;
static int64_t stats_start_ns;

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void compare_child_started(Machine *m)
{
    if (!stats_path) {
        return;
    }
    stats_file = fopen(stats_path, "w");
    if (!stats_file) {
        fatal("--stats-file %s: %s", stats_path, strerror(errno));
    }
    fprintf(stats_file, STATS_MAGIC "\naccel\t%s\nstarted\n", current_accel->name);
    fflush(stats_file);
    /* count what the guest does, not the board's firmware-like set-up at reset */
    as_reset_io_stats(&m->io_as);
    as_reset_io_stats(&m->sysmem_as);
    stats_start_ns = mono_ns();
}

static void write_stat(void *opaque, const char *group, const char *name, uint64_t value)
{
    fprintf(opaque, "stat\t%s\t%s\t%" PRIu64 "\n", group, name, value);
}

typedef struct IoStatCtx {
    FILE *f;
    const char *space;
} IoStatCtx;

static void write_io_stat(void *opaque, const char *name, hwaddr addr, uint64_t reads,
                          uint64_t writes)
{
    IoStatCtx *c = opaque;

    fprintf(c->f, "io\t%s\t%" PRIx64 "\t%s\t%" PRIu64 "\t%" PRIu64 "\n", c->space, addr,
            name, reads, writes);
}

void compare_child_finish(Machine *m, int status)
{
    FILE *f = stats_file;

    if (!f) {
        return;
    }
    int64_t run_ns = mono_ns() - stats_start_ns;
    accel_pause_vcpus(m);
    accel_synchronize_state(m);
    fprintf(f, "run_ns\t%" PRId64 "\nstatus\t%d\n", run_ns, status);
    if (current_accel->stats) {
        current_accel->stats(m, write_stat, f);
    }
    IoStatCtx io = { f, "io" }, mem = { f, "mem" };
    as_foreach_io_stat(&m->io_as, write_io_stat, &io);
    as_foreach_io_stat(&m->sysmem_as, write_io_stat, &mem);
    for (int i = 0; i < m->ncpus; i++) {
        CPUState *cs = m->cpus[i];
        CPURegValue regs[64];
        int n = cs->cc->arch_regs ? cs->cc->arch_regs(cs, regs, ARRAY_SIZE(regs)) : 0;
        for (int r = 0; r < n; r++) {
            fprintf(f, "reg\t%d\t%s\t%" PRIx64 "\n", i, regs[r].name, regs[r].value);
        }
    }
    fputs("end\n", f);
    if (fclose(f) != 0) {
        error_report("--stats-file %s: %s", stats_path, strerror(errno));
    }
    stats_file = NULL;
}

void compare_usage(FILE *f)
{
    fprintf(f,
"\n"
"Comparing accelerators:\n"
"  --compare A,B         run the guest of the other options once under each accelerator\n"
"                        (e.g. tcg,kvm; up to 4) and print wall time, counters, device\n"
"                        accesses, serial output, exit status and final registers side\n"
"                        by side; exits 0 when the runs agree (exit status, serial\n"
"                        output, registers), 1 when they differ, 2 on a usage error.\n"
"                        COM1 is captured (no -serial, -accel, -D), stdin is /dev/null\n"
"  --compare-timeout S   kill a run after S seconds (default 60)\n"
"  --stats-file FILE     used by --compare in its runs: write the accelerator, exit\n"
"                        status, counters and final registers to FILE at exit\n");
}

/* ---------------------------------------------------------------------------------------
 * The parent: small growable arrays and strings
 */

static void *grow(void *arr, int n, int *cap, size_t elsz)
{
    if (n < *cap) {
        return arr;
    }
    int ncap = *cap ? *cap * 2 : 16;
    void *p = xmalloc((size_t)ncap * elsz);
    if (n) {
        memcpy(p, arr, (size_t)n * elsz);
    }
    free(arr);
    *cap = ncap;
    return p;
}

static char *xasprintf(const char *fmt, ...) PRINTF_FMT(1, 2);
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Appends to buf (of size bytes, *used of them in use), truncating at its end. */
static void appendf(char *buf, size_t size, size_t *used, const char *fmt, ...)
    PRINTF_FMT(4, 5);
static void appendf(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    va_list ap;

    if (*used >= size) {
        return;
    }
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    *used = n < 0 ? size : MIN(size, *used + (size_t)n);
}

/* ---------------------------------------------------------------------------------------
 * The parent: one run
 */

typedef struct StatRow {
    char *group, *name;
    uint64_t value;
} StatRow;

typedef struct IoRow {
    char *label;            /* "io 0x3f8 serial" */
    uint64_t reads, writes;
} IoRow;

typedef struct RegRow {
    int cpu;
    char *name;
    uint64_t value;
} RegRow;

typedef struct Run {
    const char *accel;      /* as asked for */
    char label[24];         /* column heading: the name, numbered when repeated */
    char *serial_path, *err_path, *stats_path;
    /* how the process ended */
    bool timed_out;
    int term_signal;        /* killed by this signal (0: it exited) */
    int exit_code;
    double wall_s, cpu_s;
    long maxrss_kb;
    /* the stats file */
    bool started, finished;
    int status;
    int64_t run_ns;
    StatRow *stats;
    int nr_stats, cap_stats;
    IoRow *io;
    int nr_io, cap_io;
    RegRow *regs;
    int nr_regs, cap_regs;
    int ncpus;
    /* the serial output */
    char *serial;
    size_t serial_len;
} Run;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    *len = 0;
    if (!f) {
        return xstrdup("");
    }
    for (;;) {
        if (cap - n < 4096) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *p = xmalloc(ncap + 1);
            if (n) {
                memcpy(p, buf, n);
            }
            free(buf);
            buf = p;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (!got) {
            break;
        }
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Splits line at tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **field, int max)
{
    int n = 0;

    while (n < max) {
        field[n++] = line;
        line = strchr(line, '\t');
        if (!line) {
            break;
        }
        *line++ = '\0';
    }
    return n;
}

static void parse_stats(Run *r)
{
    size_t len;
    char *text = read_file(r->stats_path, &len), *save = NULL;
    bool magic = false;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[7];
        int n;

        if (!magic) {
            magic = !strcmp(line, STATS_MAGIC);
            if (!magic) {
                break;
            }
            continue;
        }
        n = split_tabs(line, f, ARRAY_SIZE(f));
        if (n == 1 && !strcmp(f[0], "started")) {
            r->started = true;
        } else if (n == 1 && !strcmp(f[0], "end")) {
            r->finished = true;
        } else if (n == 2 && !strcmp(f[0], "status")) {
            r->status = atoi(f[1]);
        } else if (n == 2 && !strcmp(f[0], "run_ns")) {
            r->run_ns = strtoll(f[1], NULL, 10);
        } else if (n == 4 && !strcmp(f[0], "stat")) {
            r->stats = grow(r->stats, r->nr_stats, &r->cap_stats, sizeof(*r->stats));
            r->stats[r->nr_stats++] = (StatRow){ xstrdup(f[1]), xstrdup(f[2]),
                                                 strtoull(f[3], NULL, 10) };
        } else if (n == 6 && !strcmp(f[0], "io")) {
            r->io = grow(r->io, r->nr_io, &r->cap_io, sizeof(*r->io));
            r->io[r->nr_io++] = (IoRow){
                xasprintf("%s 0x%s %s", f[1], f[2], f[3]),
                strtoull(f[4], NULL, 10), strtoull(f[5], NULL, 10) };
        } else if (n == 4 && !strcmp(f[0], "reg")) {
            int cpu = atoi(f[1]);
            r->regs = grow(r->regs, r->nr_regs, &r->cap_regs, sizeof(*r->regs));
            r->regs[r->nr_regs++] = (RegRow){ cpu, xstrdup(f[2]), strtoull(f[3], NULL, 16) };
            r->ncpus = MAX(r->ncpus, cpu + 1);
        }
    }
    free(text);
}

/* Waits for pid for at most timeout_s seconds (SIGCHLD is blocked in the caller); kills
 * it after that. Fills the outcome fields of r. */
static void wait_run(Run *r, pid_t pid, double timeout_s, int64_t t0)
{
    sigset_t chld;
    struct rusage ru;
    int ws = 0;
    pid_t got = 0;
    int64_t deadline = t0 + (int64_t)(timeout_s * 1e9);

    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        got = wait4(pid, &ws, WNOHANG, &ru);
        if (got == pid || (got < 0 && errno != EINTR)) {
            break;
        }
        int64_t left = deadline - mono_ns();
        if (left <= 0) {
            r->timed_out = true;
            kill(pid, SIGKILL);
            got = wait4(pid, &ws, 0, &ru);
            break;
        }
        struct timespec ts = { left / 1000000000, left % 1000000000 };
        sigtimedwait(&chld, NULL, &ts);
    }
    r->wall_s = (double)(mono_ns() - t0) / 1e9;
    if (got != pid) {
        r->exit_code = -1;
        return;
    }
    r->cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    r->maxrss_kb = ru.ru_maxrss;
    if (WIFSIGNALED(ws)) {
        r->term_signal = WTERMSIG(ws);
    } else {
        r->exit_code = WEXITSTATUS(ws);
    }
}

/* Runs argv (argv[0] is replaced by /proc/self/exe) with stdout to the serial file, stderr
 * to the error file and stdin from /dev/null. false when it could not be started. */
static bool start_run(Run *r, char **argv, double timeout_s)
{
    sigset_t chld, old;
    int in, out, err;
    pid_t pid;

    in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    out = open(r->serial_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    err = open(r->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in < 0 || out < 0 || err < 0) {
        error_report("--compare: cannot create the files of a run: %s", strerror(errno));
        return false;
    }
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    fflush(stdout);
    fflush(stderr);
    int64_t t0 = mono_ns();
    pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv("/proc/self/exe", argv);
        fprintf(stderr, "tandem: cannot run /proc/self/exe: %s\n", strerror(errno));
        _exit(127);
    }
    close(in);
    close(out);
    close(err);
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        error_report("--compare: cannot start a run: %s", strerror(errno));
        return false;
    }
    wait_run(r, pid, timeout_s, t0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return true;
}

/* ---------------------------------------------------------------------------------------
 * The parent: options
 */

/* Options of main() that take an argument (so that their argument is not taken for an
 * option: -append "-S" is fine). */
static const char *const opts_with_arg[] = {
    "-M", "-machine", "-cpu", "-m", "-smp", "-accel", "-kernel", "-append", "-initrd",
    "-bios", "-display", "-serial", "-device", "-d", "-D", "-monitor", "-qmp", "-gdb",
    "-chardev", "-stats-file", "-compare", "-compare-timeout", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++) {
        if (!strcmp(*list, s)) {
            return true;
        }
    }
    return false;
}

/* "-x" for "--x" (main() accepts both), without any "=value" */
static void opt_name(const char *arg, char *buf, size_t size)
{
    const char *a = (arg[0] == '-' && arg[1] == '-' && arg[2]) ? arg + 1 : arg;
    size_t n = strcspn(a, "=");

    snprintf(buf, size, "%.*s", (int)MIN(n, size - 1), a);
}

/* Why an option cannot be used with --compare, or NULL. */
static const char *refused(const char *opt, const char *val)
{
    if (!strcmp(opt, "-accel") || !strcmp(opt, "-enable-kvm")) {
        return "the accelerators are the ones --compare names";
    }
    if ((!strcmp(opt, "-M") || !strcmp(opt, "-machine")) && val && strstr(val, "accel=")) {
        return "the accelerators are the ones --compare names";
    }
    if (!strcmp(opt, "-serial") || !strcmp(opt, "-monitor") || !strcmp(opt, "-qmp") ||
        !strcmp(opt, "-chardev")) {
        return "--compare captures COM1 itself and runs without a terminal";
    }
    if (!strcmp(opt, "-gdb") || !strcmp(opt, "-s") || !strcmp(opt, "-S")) {
        return "the runs cannot wait for a debugger";
    }
    if (!strcmp(opt, "-D")) {
        return "both runs would write the same log file (-d logs go to each run's stderr)";
    }
    if (!strcmp(opt, "-lockstep")) {
        return "--lockstep is a comparison of its own";
    }
    if (!strcmp(opt, "-stats-file")) {
        return "--compare gives each run its own";
    }
    if (!strcmp(opt, "-compare")) {
        return "give --compare once";
    }
    if (!strcmp(opt, "-h") || !strcmp(opt, "-help") || !strcmp(opt, "-version") ||
        !strcmp(opt, "-daemonize")) {
        return "it does not run a guest";
    }
    if (val && !strcmp(val, "help")) {
        return "it lists choices instead of running a guest";
    }
    return NULL;
}

typedef struct CompareOpts {
    const char *accels[COMPARE_MAX_RUNS];
    int nr_accels;
    double timeout_s;
    char **user;            /* the options for the runs */
    int nr_user;
    const char *guest;      /* the -kernel or -bios file, for the heading */
} CompareOpts;

static bool parse_accel_list(CompareOpts *o, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    int n = 0;

    if (!*list || list[strlen(list) - 1] == ',' || list[0] == ',' || strstr(list, ",,")) {
        error_report("--compare %s: expected a comma-separated list of accelerators, "
                     "e.g. tcg,kvm", list);
        free(copy);
        return false;
    }
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const AccelOps *a = accel_find(tok);
        const char *why = NULL;

        if (n == COMPARE_MAX_RUNS) {
            error_report("--compare %s: at most %d accelerators", list, COMPARE_MAX_RUNS);
            free(copy);
            return false;
        }
        if (!a) {
            error_report("--compare %s: '%s' is %s", list, tok,
                         (!strcmp(tok, "kvm") || !strcmp(tok, "xen")) ?
                         "not built into this tandem" : "not an accelerator (try tcg or kvm)");
            free(copy);
            return false;
        }
        if (a->available && !a->available(&why)) {
            error_report("--compare %s: accelerator '%s' cannot run here: %s", list, tok,
                         why ? why : "unavailable");
            free(copy);
            return false;
        }
        o->accels[n++] = a->name;
    }
    free(copy);
    if (n < 2) {
        error_report("--compare %s: name two accelerators to compare, e.g. tcg,kvm", list);
        return false;
    }
    o->nr_accels = n;
    return true;
}

/* 0 when the options are usable, else 2 after one error line. */
static int parse_compare_opts(int argc, char **argv, CompareOpts *o)
{
    const char *list = NULL;

    o->timeout_s = COMPARE_DEFAULT_TIMEOUT;
    o->user = xmalloc((size_t)argc * sizeof(*o->user));
    for (int i = 1; i < argc; i++) {
        char opt[32];
        const char *eq = strchr(argv[i], '=');
        const char *val = NULL;
        bool is_opt = argv[i][0] == '-';

        opt_name(argv[i], opt, sizeof(opt));
        bool own = is_opt && (!strcmp(opt, "-compare") || !strcmp(opt, "-compare-timeout"));
        bool takes = is_opt && in_list(opts_with_arg, opt);
        if (own && eq) {
            val = eq + 1;       /* --compare=tcg,kvm */
            takes = false;
        } else if (takes) {
            if (i + 1 >= argc) {
                error_report("option %s needs an argument (see --help)", argv[i]);
                return 2;
            }
            val = argv[i + 1];
        }
        if (!strcmp(opt, "-compare") && is_opt && !list) {
            list = val;
        } else if (!strcmp(opt, "-compare-timeout") && is_opt) {
            char *end;
            errno = 0;
            o->timeout_s = strtod(val, &end);
            if (errno || end == val || *end || !(o->timeout_s > 0 && o->timeout_s <= 86400)) {
                error_report("--compare-timeout %s: expected a number of seconds "
                             "(more than 0, at most 86400)", val);
                return 2;
            }
        } else {
            const char *why = is_opt ? refused(opt, val) : NULL;
            if (why) {
                error_report("--compare: %s%s%s cannot be used: %s", argv[i],
                             takes ? " " : "", takes ? val : "", why);
                return 2;
            }
            if (!strcmp(opt, "-kernel") || !strcmp(opt, "-bios")) {
                o->guest = val;
            }
            o->user[o->nr_user++] = argv[i];
            if (takes) {
                o->user[o->nr_user++] = argv[i + 1];
            }
        }
        if (takes) {
            i++;
        }
    }
    if (!parse_accel_list(o, list)) {
        return 2;
    }
    if (!o->guest) {
        error_report("--compare needs a guest to run: -kernel FILE or -bios FILE, with the "
                     "machine options of a normal run");
        return 2;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * The parent: the table
 */

#define LABEL_W 36
#define COL_W 16

static int nr_cols;

/* One row: the label, a value per run, and "*" after the values when mark (a difference
 * that counts toward the verdict). */
static void print_row(const char *label, char *const *vals, bool mark)
{
    printf("  %-*s", LABEL_W, label);
    for (int i = 0; i < nr_cols; i++) {
        printf(" %*s", COL_W, vals[i]);
    }
    puts(mark ? "  *" : "");
}

static void free_vals(char **vals)
{
    for (int i = 0; i < nr_cols; i++) {
        free(vals[i]);
        vals[i] = NULL;
    }
}

static bool vals_differ(char *const *vals)
{
    for (int i = 1; i < nr_cols; i++) {
        if (strcmp(vals[i], vals[0])) {
            return true;
        }
    }
    return false;
}

static char *outcome_text(const Run *r)
{
    if (r->timed_out) {
        return xstrdup("timed out");
    }
    if (r->term_signal) {
        return xasprintf("signal %d", r->term_signal);
    }
    if (!r->finished) {
        return xasprintf("ended early (%d)", r->exit_code);
    }
    return xasprintf("%d", r->status);
}

static int count_lines(const char *s, size_t len)
{
    int n = 0;

    for (size_t i = 0; i < len; i++) {
        n += s[i] == '\n';
    }
    return n + (len && s[len - 1] != '\n');
}

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < len; i++) {
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ULL;
    }
    return h;
}

/* Line `n` (0-based) of text, without its newline and carriage returns, in buf. */
static const char *nth_line(const char *s, size_t len, int n, char *buf, size_t size)
{
    size_t i = 0, o = 0;

    for (int k = 0; k < n && i < len; i++) {
        k += s[i] == '\n';
    }
    if (i >= len) {
        return NULL;
    }
    for (; i < len && s[i] != '\n'; i++) {
        if (s[i] != '\r' && o + 1 < size) {
            buf[o++] = (s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\t' ? s[i] : '?';
        }
    }
    buf[o] = '\0';
    return buf;
}

static void print_run_section(Run *runs)
{
    char *v[COMPARE_MAX_RUNS] = { NULL };

    printf("run\n");
    for (int i = 0; i < nr_cols; i++) {
        v[i] = outcome_text(&runs[i]);
    }
    print_row("exit status", v, vals_differ(v));
    free_vals(v);
    for (int i = 0; i < nr_cols; i++) {
        v[i] = xasprintf("%.3f s", runs[i].wall_s);
    }
    print_row("wall time (whole process)", v, false);
    free_vals(v);
    for (int i = 0; i < nr_cols; i++) {
        v[i] = runs[i].finished ? xasprintf("%.3f s", runs[i].run_ns / 1e9) : xstrdup("-");
    }
    print_row("guest run time (start to exit)", v, false);
    free_vals(v);
    for (int i = 0; i < nr_cols; i++) {
        v[i] = xasprintf("%.3f s", runs[i].cpu_s);
    }
    print_row("host CPU time (user + system)", v, false);
    free_vals(v);
    for (int i = 0; i < nr_cols; i++) {
        v[i] = xasprintf("%.1f MiB", runs[i].maxrss_kb / 1024.0);
    }
    print_row("peak RSS", v, false);
    free_vals(v);
    for (int i = 0; i < nr_cols; i++) {
        size_t len;
        char *err = read_file(runs[i].err_path, &len);
        v[i] = xasprintf("%d", count_lines(err, len));
        free(err);
    }
    print_row("stderr (lines)", v, false);
    free_vals(v);
    for (int i = 0; i < nr_cols; i++) {
        v[i] = xasprintf("%zu", runs[i].serial_len);
    }
    print_row("serial output (bytes)", v, vals_differ(v));
    free_vals(v);
    for (int i = 0; i < nr_cols; i++) {
        v[i] = xasprintf("%d", count_lines(runs[i].serial, runs[i].serial_len));
    }
    print_row("serial output (lines)", v, vals_differ(v));
    free_vals(v);
    for (int i = 0; i < nr_cols; i++) {
        v[i] = xasprintf("%016" PRIx64, fnv1a(runs[i].serial, runs[i].serial_len));
    }
    print_row("serial output (FNV-1a hash)", v, vals_differ(v));
    free_vals(v);
}

static const StatRow *find_stat(const Run *r, const char *group, const char *name)
{
    for (int i = 0; i < r->nr_stats; i++) {
        if (!strcmp(r->stats[i].group, group) && !strcmp(r->stats[i].name, name)) {
            return &r->stats[i];
        }
    }
    return NULL;
}

static const IoRow *find_io(const Run *r, const char *label)
{
    for (int i = 0; i < r->nr_io; i++) {
        if (!strcmp(r->io[i].label, label)) {
            return &r->io[i];
        }
    }
    return NULL;
}

static const RegRow *find_reg(const Run *r, int cpu, const char *name)
{
    for (int i = 0; i < r->nr_regs; i++) {
        if (r->regs[i].cpu == cpu && !strcmp(r->regs[i].name, name)) {
            return &r->regs[i];
        }
    }
    return NULL;
}

/* Was (group, name) already printed from an earlier run's list? */
static bool stat_seen_before(Run *runs, int upto, const char *group, const char *name)
{
    for (int k = 0; k < upto; k++) {
        if (find_stat(&runs[k], group, name)) {
            return true;
        }
    }
    return false;
}

static void print_counters_section(Run *runs)
{
    char *v[COMPARE_MAX_RUNS] = { NULL };

    printf("accelerator counters (AccelOps.stats)\n");
    for (int i = 0; i < nr_cols; i++) {
        if (!runs[i].finished) {
            printf("  (none from the run under %s: it did not finish)\n", runs[i].label);
        }
    }
    for (int k = 0; k < nr_cols; k++) {
        for (int s = 0; s < runs[k].nr_stats; s++) {
            const StatRow *st = &runs[k].stats[s];
            char *label;

            if (stat_seen_before(runs, k, st->group, st->name)) {
                continue;
            }
            for (int i = 0; i < nr_cols; i++) {
                const StatRow *x = find_stat(&runs[i], st->group, st->name);
                v[i] = x ? xasprintf("%" PRIu64, x->value) : xstrdup("-");
            }
            label = xasprintf("%s: %s", st->group, st->name);
            print_row(label, v, false);
            free(label);
            free_vals(v);
        }
    }
}

static bool io_seen_before(Run *runs, int upto, const char *label)
{
    for (int k = 0; k < upto; k++) {
        if (find_io(&runs[k], label)) {
            return true;
        }
    }
    return false;
}

static void print_io_section(Run *runs)
{
    char *v[COMPARE_MAX_RUNS] = { NULL };
    int silent = 0;

    printf("device accesses (reads/writes, per I/O region)\n");
    for (int i = 0; i < nr_cols; i++) {
        if (!runs[i].finished) {
            printf("  (none from the run under %s: it did not finish)\n", runs[i].label);
        }
    }
    for (int k = 0; k < nr_cols; k++) {
        for (int s = 0; s < runs[k].nr_io; s++) {
            const char *label = runs[k].io[s].label;
            bool any = false;

            if (io_seen_before(runs, k, label)) {
                continue;
            }
            for (int i = 0; i < nr_cols; i++) {
                const IoRow *x = find_io(&runs[i], label);
                any |= x && (x->reads || x->writes);
            }
            if (!any) {
                silent++;
                continue;
            }
            for (int i = 0; i < nr_cols; i++) {
                const IoRow *x = find_io(&runs[i], label);
                v[i] = x ? xasprintf("%" PRIu64 "/%" PRIu64, x->reads, x->writes) :
                           xstrdup("-");
            }
            print_row(label, v, false);
            free_vals(v);
        }
    }
    if (silent) {
        printf("  (%d more I/O region%s, not accessed in any run)\n", silent,
               silent == 1 ? "" : "s");
    }
}

/* Prints the registers that differ; returns how many did, and lists up to a few of their
 * names in `what`. */
static int print_regs_section(Run *runs, char *what, size_t what_size)
{
    char *v[COMPARE_MAX_RUNS] = { NULL };
    int ndiff = 0, ncpus = 0, nregs = 0;
    size_t used = 0;

    for (int i = 0; i < nr_cols; i++) {
        ncpus = MAX(ncpus, runs[i].ncpus);
    }
    for (int i = 0; i < nr_cols; i++) {
        nregs = MAX(nregs, runs[i].nr_regs);
    }
    what[0] = '\0';
    for (int i = 0; i < nr_cols; i++) {
        if (!runs[i].finished) {
            printf("final state: not compared (the run under %s did not finish)\n",
                   runs[i].label);
            return 0;
        }
    }
    printf("final state (%d vCPU%s): registers that differ\n", ncpus, ncpus == 1 ? "" : "s");
    for (int k = 0; k < nr_cols; k++) {
        for (int s = 0; s < runs[k].nr_regs; s++) {
            const RegRow *rr = &runs[k].regs[s];
            bool seen = false;
            char *label;

            for (int p = 0; p < k && !seen; p++) {
                seen = find_reg(&runs[p], rr->cpu, rr->name) != NULL;
            }
            if (seen) {
                continue;
            }
            for (int i = 0; i < nr_cols; i++) {
                const RegRow *x = find_reg(&runs[i], rr->cpu, rr->name);
                v[i] = x ? xasprintf("0x%" PRIx64, x->value) : xstrdup("-");
            }
            if (vals_differ(v)) {
                label = xasprintf("cpu%d %s", rr->cpu, rr->name);
                print_row(label, v, true);
                appendf(what, what_size, &used, "%s%s", ndiff ? ", " : "", label);
                free(label);
                ndiff++;
            }
            free_vals(v);
        }
    }
    if (!ndiff) {
        printf("  none: the %d register%s of each vCPU are equal\n",
               ncpus ? nregs / ncpus : 0, nregs / MAX(ncpus, 1) == 1 ? "" : "s");
    }
    return ndiff;
}

/* First differing line of the serial outputs of runs 0 and i (0-based), or -1. */
static int first_diff_line(const Run *a, const Run *b)
{
    size_t n = MIN(a->serial_len, b->serial_len), i;
    int line = 0;

    if (a->serial_len == b->serial_len && !memcmp(a->serial, b->serial, n)) {
        return -1;
    }
    for (i = 0; i < n && a->serial[i] == b->serial[i]; i++) {
        line += a->serial[i] == '\n';
    }
    return line;
}

#define SERIAL_SHOW_ALL 24      /* outputs up to this many lines are shown whole */
#define SERIAL_CONTEXT 6        /* else: lines shown from the first difference */

static void print_serial_section(Run *runs, int diff_line)
{
    char buf[160];
    int lines = count_lines(runs[0].serial, runs[0].serial_len);

    if (diff_line < 0) {
        printf("serial output: the same in every run (%d line%s)%s\n", lines,
               lines == 1 ? "" : "s", lines ? (lines <= SERIAL_SHOW_ALL ? ":" : ", the last:") :
               "");
        int from = lines <= SERIAL_SHOW_ALL ? 0 : lines - 3;
        for (int l = from; l < lines; l++) {
            if (nth_line(runs[0].serial, runs[0].serial_len, l, buf, sizeof(buf))) {
                printf("  | %s\n", buf);
            }
        }
        return;
    }
    printf("serial output: differs from line %d:\n", diff_line + 1);
    for (int i = 0; i < nr_cols; i++) {
        int total = count_lines(runs[i].serial, runs[i].serial_len);
        bool all = total <= SERIAL_SHOW_ALL;
        int from = all ? 0 : diff_line, to = all ? total : diff_line + SERIAL_CONTEXT;

        printf("  %s (%d line%s%s):\n", runs[i].label, total, total == 1 ? "" : "s",
               all ? "" : ", from the first difference");
        for (int l = from; l < to; l++) {
            if (!nth_line(runs[i].serial, runs[i].serial_len, l, buf, sizeof(buf))) {
                break;
            }
            printf("  %c %4d | %s\n", l == diff_line ? '>' : ' ', l + 1, buf);
        }
    }
}

/* A run's stderr, when it has any: its last lines for a run that did not finish (what it
 * was doing when it was stopped), else its first lines (the reason a run that ended
 * differently gives first, e.g. an accelerator's error). */
static void print_stderr(const Run *r, int max_lines)
{
    size_t len;
    char *text = read_file(r->err_path, &len);
    int total = count_lines(text, len);
    int from = r->finished ? 0 : MAX(0, total - max_lines);
    int to = MIN(total, from + max_lines);
    char buf[400];

    if (total) {
        printf("stderr of the run under %s (%d line%s%s):\n", r->label, total,
               total == 1 ? "" : "s", total <= max_lines ? "" :
               r->finished ? ", the first" : ", the last");
        for (int l = from; l < to; l++) {
            if (nth_line(text, len, l, buf, sizeof(buf))) {
                printf("  | %s\n", buf);
            }
        }
    }
    free(text);
}

/* ---------------------------------------------------------------------------------------
 * The parent: the comparison
 */

static void free_run(Run *r)
{
    for (int i = 0; i < r->nr_stats; i++) {
        free(r->stats[i].group);
        free(r->stats[i].name);
    }
    for (int i = 0; i < r->nr_io; i++) {
        free(r->io[i].label);
    }
    for (int i = 0; i < r->nr_regs; i++) {
        free(r->regs[i].name);
    }
    free(r->stats);
    free(r->io);
    free(r->regs);
    free(r->serial);
    unlink(r->serial_path);
    unlink(r->err_path);
    unlink(r->stats_path);
    free(r->serial_path);
    free(r->err_path);
    free(r->stats_path);
}

/* The table and the verdict: 0 when the runs agree, else 1. */
static int report(const CompareOpts *o, Run *runs)
{
    char regs_what[256], what[768];
    char *heads[COMPARE_MAX_RUNS];
    int diff_line = -1, nreg_diff;
    bool status_diff = false, unfinished = false;
    size_t used = 0;

    printf("tandem --compare: %s\n\n", o->guest);
    for (int i = 0; i < nr_cols; i++) {
        heads[i] = runs[i].label;
    }
    print_row("", heads, false);
    print_run_section(runs);
    print_counters_section(runs);
    print_io_section(runs);
    nreg_diff = print_regs_section(runs, regs_what, sizeof(regs_what));
    for (int i = 1; i < nr_cols; i++) {
        int d = first_diff_line(&runs[0], &runs[i]);
        if (d >= 0 && (diff_line < 0 || d < diff_line)) {
            diff_line = d;
        }
    }
    putchar('\n');
    print_serial_section(runs, diff_line);
    for (int i = 0; i < nr_cols; i++) {
        unfinished |= !runs[i].finished;
        status_diff |= runs[i].finished && runs[0].finished && runs[i].status != runs[0].status;
    }
    bool agree = !unfinished && !status_diff && diff_line < 0 && !nreg_diff;
    for (int i = 0; i < nr_cols && !agree; i++) {
        print_stderr(&runs[i], 8);
    }
    putchar('\n');
    if (agree) {
        printf("verdict: the runs agree: same exit status (%d), serial output and final "
               "registers\n", runs[0].status);
        return 0;
    }
    what[0] = '\0';
    for (int i = 0; i < nr_cols; i++) {
        const Run *r = &runs[i];
        if (r->finished) {
            continue;
        }
        appendf(what, sizeof(what), &used, "%sthe run under %s ", used ? "; " : "", r->label);
        if (r->timed_out) {
            appendf(what, sizeof(what), &used, "timed out after %g s", o->timeout_s);
        } else if (r->term_signal) {
            appendf(what, sizeof(what), &used, "was killed by signal %d", r->term_signal);
        } else {
            appendf(what, sizeof(what), &used, "exited (%d) before its machine ended",
                    r->exit_code);
        }
    }
    if (status_diff) {
        appendf(what, sizeof(what), &used, "%sexit status", used ? "; " : "");
        for (int i = 0; i < nr_cols; i++) {
            appendf(what, sizeof(what), &used, "%s%d (%s)", i ? " vs " : " ", runs[i].status,
                    runs[i].label);
        }
    }
    if (diff_line >= 0) {
        appendf(what, sizeof(what), &used, "%sserial output (from line %d)", used ? "; " : "",
                diff_line + 1);
    }
    if (nreg_diff) {
        appendf(what, sizeof(what), &used, "%sfinal registers (%s)", used ? "; " : "",
                regs_what);
    }
    printf("verdict: the runs differ: %s\n", what);
    return 1;
}

static int compare_run_all(CompareOpts *o)
{
    Run runs[COMPARE_MAX_RUNS];
    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/tandem-compare.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char **argv = xmalloc((size_t)(o->nr_user + 8) * sizeof(*argv));
    int status = 0;

    if (!mkdtemp(dir)) {
        error_report("--compare: cannot create a temporary directory %s: %s", dir,
                     strerror(errno));
        free(dir);
        free(argv);
        return 2;
    }
    memset(runs, 0, sizeof(runs));
    nr_cols = o->nr_accels;
    signal(SIGCHLD, SIG_DFL);   /* an inherited SIG_IGN would reap the runs for us */
    for (int i = 0; i < o->nr_accels; i++) {
        Run *r = &runs[i];
        int n = 0, same = 0;

        for (int k = 0; k < o->nr_accels; k++) {
            same += !strcmp(o->accels[k], o->accels[i]);
        }
        r->accel = o->accels[i];
        snprintf(r->label, sizeof(r->label), same > 1 ? "%s#%d" : "%s", r->accel, i + 1);
        r->serial_path = xasprintf("%s/%d-%s.serial", dir, i, r->accel);
        r->err_path = xasprintf("%s/%d-%s.stderr", dir, i, r->accel);
        r->stats_path = xasprintf("%s/%d-%s.stats", dir, i, r->accel);
        argv[n++] = (char *)"tandem";
        for (int k = 0; k < o->nr_user; k++) {
            argv[n++] = o->user[k];
        }
        argv[n++] = (char *)"-accel";
        argv[n++] = (char *)r->accel;
        argv[n++] = (char *)"-serial";
        argv[n++] = (char *)"stdio";
        argv[n++] = (char *)"--stats-file";
        argv[n++] = r->stats_path;
        argv[n] = NULL;
        if (!start_run(r, argv, o->timeout_s)) {
            status = 2;
            break;
        }
        parse_stats(r);
        r->serial = read_file(r->serial_path, &r->serial_len);
        if (!r->started && !r->timed_out && !r->term_signal) {
            /* refused before its machine ran: bad options (or this accelerator cannot run
             * this machine); the run's own error line says which */
            size_t len;
            char *err = read_file(r->err_path, &len), buf[300];
            const char *line = nth_line(err, len, 0, buf, sizeof(buf));
            if (line && !strncmp(line, "tandem: ", 8)) {
                line += 8;
            }
            error_report("--compare: the run under %s did not start: %s", r->accel,
                         line && *line ? line : "no error message");
            free(err);
            status = 2;
            break;
        }
    }
    if (status == 0) {
        status = report(o, runs);
    }
    fflush(stdout);
    for (int i = 0; i < o->nr_accels; i++) {
        if (runs[i].serial_path) {
            free_run(&runs[i]);
        }
    }
    rmdir(dir);
    free(dir);
    free(argv);
    return status;
}

bool compare_main(int *argc, char **argv, int *status)
{
    bool compare = false, timeout = false;
    int out = 1;

    for (int i = 1; i < *argc; i++) {
        char opt[32];

        opt_name(argv[i], opt, sizeof(opt));
        if (argv[i][0] != '-') {
            continue;
        }
        compare |= !strcmp(opt, "-compare");
        timeout |= !strcmp(opt, "-compare-timeout");
        if (in_list(opts_with_arg, opt) && !strchr(argv[i], '=')) {
            i++;    /* its argument is no option */
        }
    }
    if (compare) {
        CompareOpts o = { .nr_accels = 0 };
        *status = parse_compare_opts(*argc, argv, &o);
        if (*status == 0) {
            *status = compare_run_all(&o);
        }
        free(o.user);
        return true;
    }
    if (timeout) {
        error_report("--compare-timeout is an option of --compare");
        *status = 2;
        return true;
    }
    /* a run of --compare: take --stats-file FILE out of the options */
    for (int i = 1; i < *argc; i++) {
        char opt[32];

        opt_name(argv[i], opt, sizeof(opt));
        if (argv[i][0] == '-' && !strcmp(opt, "-stats-file")) {
            if (i + 1 >= *argc) {
                error_report("option %s needs an argument (see --help)", argv[i]);
                *status = 2;
                return true;
            }
            stats_path = argv[++i];
            continue;
        }
        argv[out++] = argv[i];
        if (argv[i][0] == '-' && in_list(opts_with_arg, opt) && i + 1 < *argc) {
            argv[out++] = argv[++i];
        }
    }
    argv[out] = NULL;
    *argc = out;
    return false;
}

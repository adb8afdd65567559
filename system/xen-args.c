/* SPDX-License-Identifier: MIT */
/*
 * system/xen-args.c — the options libxl passes to a device model (QEMU's spelling, see
 * qemu-options.hx and libxl_dm.c's command line): parsed where tandem uses them
 * (-xen-domid, -chardev socket + -mon mode=control for QMP, -nodefaults, -name, -net none,
 * -vnc none), accepted and reported where it does not (-boot, -no-shutdown, -drive, ...).
 * Not supported: chardev back ends other than unix sockets, -mon mode=readline, -S.
 */
#include "util/osdep.h"
#include "system/xen-args.h"
#include "system/qmp.h"

int xen_domid = -1;
const char *xen_args_name;
bool xen_args_nodefaults;

#define MAX_CHARDEVS 8

typedef struct SocketChardev {
    char *id;
    char *path;
    bool monitor;   /* a -mon chardev=id,mode=control names it */
} SocketChardev;

static SocketChardev chardevs[MAX_CHARDEVS];
static int nr_chardevs;

static const char *need(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        error_report("option %s needs an argument (see --help)", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static bool is_on(const char *v)
{
    return !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true");
}

/* -chardev socket,id=ID,path=PATH,server=on,wait=off (also the old server,nowait) */
static int parse_chardev(const char *v)
{
    char *copy = xstrdup(v), *save = NULL;
    char *id = NULL, *path = NULL;
    bool server = false, wait = true;
    int ret = -1;
    char *tok = strtok_r(copy, ",", &save);

    if (!tok || strcmp(tok, "socket")) {
        error_report("-chardev %s: only 'socket' chardevs (for -mon) are supported", v);
        goto out;
    }
    while ((tok = strtok_r(NULL, ",", &save))) {
        if (!strncmp(tok, "id=", 3)) {
            id = tok + 3;
        } else if (!strncmp(tok, "path=", 5)) {
            path = tok + 5;
        } else if (!strcmp(tok, "server")) {
            server = true;
        } else if (!strncmp(tok, "server=", 7)) {
            server = is_on(tok + 7);
        } else if (!strcmp(tok, "nowait")) {
            wait = false;
        } else if (!strncmp(tok, "wait=", 5)) {
            wait = is_on(tok + 5);
        } else {
            error_report("-chardev %s: unknown socket property '%s' (known: id, path, server, wait)",
                         v, tok);
            goto out;
        }
    }
    if (!id || !*id || !path || !*path) {
        error_report("-chardev %s: a socket chardev needs id= and path=", v);
        goto out;
    }
    if (!server || wait) {
        error_report("-chardev %s: only listening sockets that do not wait (server=on,wait=off)"
                     " are supported", v);
        goto out;
    }
    for (int j = 0; j < nr_chardevs; j++) {
        if (!strcmp(chardevs[j].id, id)) {
            error_report("-chardev %s: duplicate chardev id '%s'", v, id);
            goto out;
        }
    }
    if (nr_chardevs == MAX_CHARDEVS) {
        error_report("-chardev %s: at most %d chardevs", v, MAX_CHARDEVS);
        goto out;
    }
    chardevs[nr_chardevs].id = xstrdup(id);
    chardevs[nr_chardevs].path = xstrdup(path);
    nr_chardevs++;
    ret = 0;
out:
    free(copy);
    return ret;
}

/* -mon chardev=ID,mode=control[,pretty=on|off] */
static int parse_mon(const char *v)
{
    char *copy = xstrdup(v), *save = NULL;
    const char *id = NULL, *mode = "readline";
    int ret = -1;

    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (!strncmp(tok, "chardev=", 8)) {
            id = tok + 8;
        } else if (!strncmp(tok, "mode=", 5)) {
            mode = tok + 5;
        } else if (!strncmp(tok, "pretty=", 7)) {
            /* replies are compact either way: valid JSON for any reader */
        } else {
            error_report("-mon %s: unknown property '%s' (known: chardev, mode, pretty)", v, tok);
            goto out;
        }
    }
    if (!id) {
        error_report("-mon %s: chardev= is missing", v);
        goto out;
    }
    if (strcmp(mode, "control")) {
        error_report("-mon %s: only mode=control (QMP) is supported; the human monitor is"
                     " -monitor stdio", v);
        goto out;
    }
    for (int j = 0; j < nr_chardevs; j++) {
        if (!strcmp(chardevs[j].id, id)) {
            chardevs[j].monitor = true;
            ret = 0;
            goto out;
        }
    }
    error_report("-mon %s: no -chardev with id '%s' before it", v, id);
out:
    free(copy);
    return ret;
}

static void ignored(const char *opt, const char *val, const char *why)
{
    error_report("warning: %s%s%s ignored: %s", opt, val ? " " : "", val ? val : "", why);
}

/* Options taking an argument that are accepted and ignored, with the reason. */
static const struct {
    const char *name, *why;
} ignored_with_arg[] = {
    { "-boot", "tandem boots what -kernel or -bios give, or the board's firmware" },
    { "-k", "no keyboard layouts (no display)" },
    { "-usbdevice", "no USB" },
    { "-rtc", "the RTC follows the host clock" },
    { "-global", "no global device properties" },
    { "-drive", "no block devices yet" },
    { "-sandbox", "no seccomp sandbox" },
    { "-runas", "tandem runs as the user that started it" },
    { "-trace", "no trace events (see -d)" },
    { "-audiodev", "no audio" },
    { "-incoming", "no migration" },
};

/* Options without an argument that are accepted and ignored, with the reason. */
static const struct {
    const char *name, *why;
} ignored_no_arg[] = {
    { "-no-shutdown", "a guest shutdown ends tandem (under Xen, Xen handles the domain's shutdown)" },
    { "-xen-attach", "tandem always attaches to the domain of -xen-domid" },
    { "-xen-domid-restrict", "no deprivileging" },
    { "-usb", "no USB" },
    { "-S", "the guest starts at once (QMP 'stop' stops it)" },
};

int xen_args_option(const char *a, int argc, char **argv, int *i)
{
    const char *v;

    if (!strcmp(a, "-xen-domid")) {
        char *end;
        long n;
        if (!(v = need(argc, argv, i))) {
            return -1;
        }
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < 0 || n >= 0x7ff0) {
            error_report("-xen-domid %s: expected a domain number (0 to 32751)", v);
            return -1;
        }
        xen_domid = (int)n;
        return 1;
    }
    if (!strcmp(a, "-chardev")) {
        return (v = need(argc, argv, i)) && parse_chardev(v) == 0 ? 1 : -1;
    }
    if (!strcmp(a, "-mon")) {
        return (v = need(argc, argv, i)) && parse_mon(v) == 0 ? 1 : -1;
    }
    if (!strcmp(a, "-nodefaults")) {
        xen_args_nodefaults = true;
        return 1;
    }
    if (!strcmp(a, "-no-user-config")) {
        return 1;   /* tandem reads no configuration files */
    }
    if (!strcmp(a, "-name")) {
        if (!(v = need(argc, argv, i))) {
            return -1;
        }
        /* NAME[,debug-threads=on|off]: the name is everything before "," ("guest=" too) */
        char *n = xstrdup(!strncmp(v, "guest=", 6) ? v + 6 : v);
        n[strcspn(n, ",")] = '\0';
        xen_args_name = n;
        return 1;
    }
    if (!strcmp(a, "-vnc") || !strcmp(a, "-net") || !strcmp(a, "-nic")) {
        if (!(v = need(argc, argv, i))) {
            return -1;
        }
        if (strcmp(v, "none")) {
            ignored(a, v, !strcmp(a, "-vnc") ? "no VNC server" : "no network devices yet");
        }
        return 1;
    }
    for (size_t j = 0; j < ARRAY_SIZE(ignored_with_arg); j++) {
        if (!strcmp(a, ignored_with_arg[j].name)) {
            if (!(v = need(argc, argv, i))) {
                return -1;
            }
            ignored(a, v, ignored_with_arg[j].why);
            return 1;
        }
    }
    for (size_t j = 0; j < ARRAY_SIZE(ignored_no_arg); j++) {
        if (!strcmp(a, ignored_no_arg[j].name)) {
            ignored(a, NULL, ignored_no_arg[j].why);
            return 1;
        }
    }
    return 0;
}

bool xen_args_machine_prop(const char *prop)
{
    static const char *const known[] = {
        "suppress-vmdesc", "max-ram-below-4g", "igd-passthru", "vmport", "usb", "dump-guest-core",
    };
    size_t len = strcspn(prop, "=");

    for (size_t j = 0; j < ARRAY_SIZE(known); j++) {
        if (strlen(known[j]) == len && !strncmp(known[j], prop, len)) {
            ignored("-machine", prop, "tandem's boards have no such property");
            return true;
        }
    }
    return false;
}

const char *xen_args_default_accel(const char *machine_name)
{
    return !strcmp(machine_name, "xenfv") ? "xen" : NULL;
}

int xen_args_start(Machine *m)
{
    for (int j = 0; j < nr_chardevs; j++) {
        char err[256];
        if (!chardevs[j].monitor) {
            ignored("-chardev id=", chardevs[j].id, "no -mon uses it");
            continue;
        }
        if (!qmp_server_new(m, chardevs[j].path, err, sizeof(err))) {
            error_report("-chardev id=%s: %s", chardevs[j].id, err);
            return -1;
        }
    }
    return 0;
}

void xen_args_usage(FILE *f)
{
    fprintf(f,
"\n"
"Xen device model (the options libxl passes; others it passes are accepted and ignored,\n"
"saying so on stderr):\n"
"  -accel xen            serve a Xen HVM domain's I/O (in dom0; the default with -M xenfv)\n"
"  -xen-domid N          the domain to serve\n"
"  -chardev socket,id=ID,path=PATH,server=on,wait=off  a listening unix socket ...\n"
"  -mon chardev=ID,mode=control  ... that serves QMP (a subset: qmp_capabilities,\n"
"                        query-chardev, query-status, stop, cont, quit)\n"
"  -nodefaults           no default serial port on the terminal\n"
"  -name NAME            the guest's name; -no-user-config, -vnc none, -net none: accepted\n");
}

/* SPDX-License-Identifier: MIT */
/*
 * system/qmp.c — a small QMP server on a unix socket (see system/qmp.h for the subset).
 * Requests are found in the byte stream by matching braces outside strings, so they may
 * arrive split or several in one read, with or without newlines between them. Only the
 * top level of a request is parsed: "execute" (a string) and "id" (any value, echoed as
 * its raw text); "arguments" is skipped. Not implemented: \u escapes in command names.
 */
#include "util/osdep.h"
#include "system/qmp.h"
#include "system/main-loop.h"
#include "accel/accel.h"
#include "system/xen-args.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>
#include <glib.h>

#define QMP_MAX_CLIENTS 4
#define QMP_MAX_REQUEST 65536

typedef struct QmpClient {
    QmpServer *server;
    int fd;
    unsigned watch;
    bool negotiated;
    char *buf;
    size_t len;
} QmpClient;

struct QmpServer {
    Machine *m;
    int fd;
    unsigned watch;
    char *path;
    bool stopped;
    QmpClient clients[QMP_MAX_CLIENTS];
};

static void client_close(QmpClient *c)
{
    if (c->fd < 0) {
        return;
    }
    main_loop_remove_fd(c->watch);
    close(c->fd);
    c->fd = -1;
    g_free(c->buf);
    c->buf = NULL;
    c->len = 0;
}

static void client_send(QmpClient *c, const char *s)
{
    size_t n = strlen(s), off = 0;

    while (off < n) {
        ssize_t w = send(c->fd, s + off, n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            client_close(c);
            return;
        }
        off += (size_t)w;
    }
}

/* A JSON string's contents with " and \ escaped. */
static void json_escape(char *out, size_t outlen, const char *s)
{
    size_t j = 0;

    for (; *s && j + 3 < outlen; s++) {
        if (*s == '"' || *s == '\\') {
            out[j++] = '\\';
        }
        out[j++] = (unsigned char)*s < 0x20 ? ' ' : *s;
    }
    out[j] = '\0';
}

/* Send {"return": RET[, "id": ID]} or {"error": {...}[, "id": ID]}. */
static void reply(QmpClient *c, const char *ret, const char *err_class, const char *desc,
                  const char *id, size_t idlen)
{
    char d[512];
    GString *s = g_string_new(NULL);

    if (err_class) {
        json_escape(d, sizeof(d), desc);
        g_string_append_printf(s, "{\"error\": {\"class\": \"%s\", \"desc\": \"%s\"}", err_class, d);
    } else {
        g_string_append_printf(s, "{\"return\": %s", ret);
    }
    if (id) {
        g_string_append(s, ", \"id\": ");
        g_string_append_len(s, id, (gssize)idlen);
    }
    g_string_append(s, "}\r\n");
    client_send(c, s->str);
    g_string_free(s, TRUE);
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
    }
    return p;
}

/* The end of the JSON string starting at p (on its opening quote), or NULL. */
static const char *string_end(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\') {
            p++;
        } else if (*p == '"') {
            return p + 1;
        }
    }
    return NULL;
}

/* The end of the JSON value starting at p, or NULL when it is malformed or cut short.
 * Containers are matched by their brackets; scalars run to the next delimiter. */
static const char *value_end(const char *p, const char *end)
{
    int depth = 0;

    if (p >= end) {
        return NULL;
    }
    if (*p == '"') {
        return string_end(p, end);
    }
    if (*p != '{' && *p != '[') {
        const char *q = p;
        while (q < end && !strchr(",}] \t\r\n", *q)) {
            q++;
        }
        return q > p ? q : NULL;
    }
    for (; p < end; p++) {
        if (*p == '"') {
            p = string_end(p, end);
            if (!p) {
                return NULL;
            }
            p--;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (--depth == 0) {
                return p + 1;
            }
        }
    }
    return NULL;
}

/* Split the top-level object [p, end) into "execute" and "id"; false when malformed. */
static bool parse_request(const char *p, const char *end, char *cmd, size_t cmdlen,
                          const char **id, size_t *idlen, bool *has_execute)
{
    *has_execute = false;
    *id = NULL;
    p = skip_ws(p, end);
    if (p >= end || *p != '{') {
        return false;
    }
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') {
        return true;
    }
    for (;;) {
        const char *kend, *vstart, *vend;
        if (p >= end || *p != '"' || !(kend = string_end(p, end))) {
            return false;
        }
        vstart = skip_ws(kend, end);
        if (vstart >= end || *vstart != ':') {
            return false;
        }
        vstart = skip_ws(vstart + 1, end);
        if (!(vend = value_end(vstart, end))) {
            return false;
        }
        size_t klen = (size_t)(kend - p) - 2;
        if (klen == 7 && !strncmp(p + 1, "execute", 7)) {
            size_t n = (size_t)(vend - vstart);
            if (*vstart != '"' || n - 2 >= cmdlen) {
                return false;
            }
            memcpy(cmd, vstart + 1, n - 2);
            cmd[n - 2] = '\0';
            *has_execute = true;
        } else if (klen == 2 && !strncmp(p + 1, "id", 2)) {
            *id = vstart;
            *idlen = (size_t)(vend - vstart);
        }
        p = skip_ws(vend, end);
        if (p < end && *p == '}') {
            return true;
        }
        if (p >= end || *p != ',') {
            return false;
        }
        p = skip_ws(p + 1, end);
    }
}

static void run_request(QmpClient *c, const char *p, const char *end)
{
    QmpServer *s = c->server;
    char cmd[64], ret[256], desc[160];
    const char *id;
    size_t idlen = 0;
    bool has_execute;

    if (!parse_request(p, end, cmd, sizeof(cmd), &id, &idlen, &has_execute)) {
        reply(c, NULL, "GenericError", "JSON parse error: expected one object", NULL, 0);
        return;
    }
    if (!has_execute) {
        reply(c, NULL, "GenericError", "QMP input lacks member 'execute'", id, idlen);
        return;
    }
    if (!strcmp(cmd, "qmp_capabilities")) {
        /* QEMU refuses a second negotiation; libxl never relies on that, so accept it */
        c->negotiated = true;
        reply(c, "{}", NULL, NULL, id, idlen);
        return;
    }
    if (!c->negotiated) {
        reply(c, NULL, "CommandNotFound",
              "Expecting capabilities negotiation with 'qmp_capabilities'", id, idlen);
        return;
    }
    if (!strcmp(cmd, "query-chardev")) {
        reply(c, "[]", NULL, NULL, id, idlen);
    } else if (!strcmp(cmd, "query-status")) {
        snprintf(ret, sizeof(ret), "{\"running\": %s, \"singlestep\": false, \"status\": \"%s\"}",
                 s->stopped ? "false" : "true", s->stopped ? "paused" : "running");
        reply(c, ret, NULL, NULL, id, idlen);
    } else if (!strcmp(cmd, "query-name")) {
        char n[128];
        json_escape(n, sizeof(n), xen_args_name ? xen_args_name : "");
        snprintf(ret, sizeof(ret), xen_args_name ? "{\"name\": \"%s\"}" : "{}", n);
        reply(c, ret, NULL, NULL, id, idlen);
    } else if (!strcmp(cmd, "stop")) {
        if (!s->stopped && s->m->ncpus) {
            accel_pause_vcpus(s->m);
            clock_virtual_pause(true);
        }
        s->stopped = true;
        reply(c, "{}", NULL, NULL, id, idlen);
    } else if (!strcmp(cmd, "cont")) {
        if (s->stopped && s->m->ncpus) {
            clock_virtual_pause(false);
            accel_resume_vcpus(s->m);
        }
        s->stopped = false;
        reply(c, "{}", NULL, NULL, id, idlen);
    } else if (!strcmp(cmd, "quit")) {
        reply(c, "{}", NULL, NULL, id, idlen);
        machine_request_shutdown(s->m, 0);
    } else {
        char e[80];
        json_escape(e, sizeof(e), cmd);
        snprintf(desc, sizeof(desc), "The command %s has not been found", e);
        reply(c, NULL, "CommandNotFound", desc, id, idlen);
    }
}

/* Run every complete request in the client's buffer and keep the rest. */
static void run_buffer(QmpClient *c)
{
    size_t start = 0;

    while (c->fd >= 0) {
        const char *b = c->buf, *p = skip_ws(b + start, b + c->len), *e;
        start = (size_t)(p - b);
        if (start == c->len) {
            break;
        }
        if (*p != '{') {
            /* junk between requests: report it once and drop it up to the next object */
            const char *q = memchr(p, '{', c->len - start);
            reply(c, NULL, "GenericError", "JSON parse error: expected an object", NULL, 0);
            start = q ? (size_t)(q - b) : c->len;
            continue;
        }
        if (!(e = value_end(p, b + c->len))) {
            break;   /* incomplete: wait for more */
        }
        run_request(c, p, e);
        start = (size_t)(e - b);
    }
    if (c->fd < 0) {
        return;
    }
    memmove(c->buf, c->buf + start, c->len - start);
    c->len -= start;
    if (c->len >= QMP_MAX_REQUEST) {
        reply(c, NULL, "GenericError", "request too long", NULL, 0);
        client_close(c);
    }
}

static void client_readable(void *opaque)
{
    QmpClient *c = opaque;
    char tmp[4096];
    ssize_t n = recv(c->fd, tmp, sizeof(tmp), 0);

    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        client_close(c);
        return;
    }
    c->buf = g_realloc(c->buf, c->len + (size_t)n + 1);
    memcpy(c->buf + c->len, tmp, (size_t)n);
    c->len += (size_t)n;
    c->buf[c->len] = '\0';
    run_buffer(c);
}

static void server_accept(void *opaque)
{
    QmpServer *s = opaque;
    int fd = accept(s->fd, NULL, NULL);

    if (fd < 0) {
        return;
    }
    for (int i = 0; i < QMP_MAX_CLIENTS; i++) {
        QmpClient *c = &s->clients[i];
        if (c->fd < 0) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            fcntl(fd, F_SETFD, FD_CLOEXEC);
            c->fd = fd;
            c->negotiated = false;
            c->watch = main_loop_add_fd(fd, client_readable, c);
            client_send(c, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, "
                           "\"major\": 7}, \"package\": \"tandem " TANDEM_VERSION "\"}, "
                           "\"capabilities\": []}}\r\n");
            return;
        }
    }
    close(fd);   /* too many connections: the peer sees the socket closed */
}

QmpServer *qmp_server_new(Machine *m, const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct stat st;
    QmpServer *s;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "socket path '%s' is too long", path);
        return NULL;
    }
    strcpy(sa.sun_path, path);
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
        snprintf(err, errlen, "cannot listen on unix socket '%s': %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return NULL;
    }
    s = xzalloc(sizeof(*s));
    s->m = m;
    s->fd = fd;
    s->path = xstrdup(path);
    for (int i = 0; i < QMP_MAX_CLIENTS; i++) {
        s->clients[i].fd = -1;
        s->clients[i].server = s;
    }
    s->watch = main_loop_add_fd(fd, server_accept, s);
    return s;
}

void qmp_server_free(QmpServer *s)
{
    if (!s) {
        return;
    }
    for (int i = 0; i < QMP_MAX_CLIENTS; i++) {
        client_close(&s->clients[i]);
    }
    main_loop_remove_fd(s->watch);
    close(s->fd);
    unlink(s->path);
    free(s->path);
    free(s);
}

bool qmp_server_stopped(const QmpServer *s)
{
    return s->stopped;
}

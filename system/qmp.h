/* SPDX-License-Identifier: MIT */
/*
 * system/qmp.h — a QMP server (QEMU Machine Protocol, docs/interop/qmp-spec.rst) on a
 * listening unix socket: the subset a Xen toolstack (libxl) uses of its device model.
 *
 * Each connection gets the greeting {"QMP": {...}}, must send qmp_capabilities first, and
 * may then run: qmp_capabilities, query-chardev (an empty list: tandem names no chardevs
 * there), query-status, query-name, stop, cont, quit. Every reply echoes the request's
 * "id" (any JSON value, copied as sent). Errors use QMP's format
 * {"error": {"class": "...", "desc": "..."}}: CommandNotFound for unknown commands,
 * GenericError for bad JSON or a request without "execute".
 * Not implemented: events (STOP, RESUME, SHUTDOWN), arguments of any command, out-of-band
 * execution, the rest of QEMU's command set. Runs on the main loop thread, big lock held.
 */
#ifndef SYSTEM_QMP_H
#define SYSTEM_QMP_H

#include "hw/core/machine.h"

typedef struct QmpServer QmpServer;

/* Listen on the unix socket at path (a stale socket file there is replaced) and serve QMP
 * for machine m from the main loop. NULL with one sentence in err when it cannot. */
QmpServer *qmp_server_new(Machine *m, const char *path, char *err, size_t errlen);
/* Close every connection and the socket (its file is removed). */
void qmp_server_free(QmpServer *s);
/* Whether a QMP "stop" has stopped the machine (and no "cont" has run it again). */
bool qmp_server_stopped(const QmpServer *s);

#endif

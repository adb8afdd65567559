/* SPDX-License-Identifier: MIT */
/*
 * hw/core/loader.h — images placed in guest memory at every machine reset (kernels,
 * modules, boot information, firmware), like the ROM contents of a real board.
 */
#ifndef HW_CORE_LOADER_H
#define HW_CORE_LOADER_H

#include "util/osdep.h"
#include "hw/core/machine.h"

/* Read a whole host file. NULL after error_report() naming the file and the reason. */
uint8_t *loader_read_file(const char *path, size_t *size, const char *what);
/* Keep a copy of data to write at guest-physical addr on every reset. */
void loader_add_blob(Machine *m, hwaddr addr, const void *data, size_t len, const char *name);
/* Zero-filled range written on every reset (bss). */
void loader_add_zero(Machine *m, hwaddr addr, size_t len, const char *name);
/* Write every blob into guest memory (called from the board's reset). */
void loader_reset(Machine *m);
/* Free every blob of m. */
void loader_free(Machine *m);

#endif

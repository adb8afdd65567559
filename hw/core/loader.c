/* SPDX-License-Identifier: MIT */
/*
 * hw/core/loader.c — reset-time images: a list of blobs per machine, copied into guest
 * memory through the system address space at every reset.
 */
#include "hw/core/loader.h"
#include <sys/stat.h>

typedef struct LoaderBlob {
    Machine *m;
    hwaddr addr;
    uint8_t *data;      /* NULL: zero fill */
    size_t len;
    char *name;
    struct LoaderBlob *next;
} LoaderBlob;

static LoaderBlob *blobs;

uint8_t *loader_read_file(const char *path, size_t *size, const char *what)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *buf;
    if (!f) {
        error_report("cannot open %s '%s': %s", what, path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        error_report("%s '%s' is not a regular file", what, path);
        fclose(f);
        return NULL;
    }
    buf = xmalloc(st.st_size ? st.st_size : 1);
    if (st.st_size && fread(buf, 1, st.st_size, f) != (size_t)st.st_size) {
        error_report("cannot read %s '%s': %s", what, path, strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = st.st_size;
    return buf;
}

static void loader_add(Machine *m, hwaddr addr, const void *data, size_t len, const char *name)
{
    LoaderBlob *b = xzalloc(sizeof(*b)), **pp = &blobs;
    b->m = m;
    b->addr = addr;
    b->len = len;
    b->name = xstrdup(name);
    if (data) {
        b->data = xmalloc(len);
        memcpy(b->data, data, len);
    }
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = b;
}

void loader_add_blob(Machine *m, hwaddr addr, const void *data, size_t len, const char *name)
{
    loader_add(m, addr, data, len, name);
}

void loader_add_zero(Machine *m, hwaddr addr, size_t len, const char *name)
{
    loader_add(m, addr, NULL, len, name);
}

void loader_reset(Machine *m)
{
    static const uint8_t zeros[4096];
    for (LoaderBlob *b = blobs; b; b = b->next) {
        if (b->m != m) {
            continue;
        }
        if (b->data) {
            as_write(&m->sysmem_as, b->addr, b->data, b->len);
        } else {
            for (size_t off = 0; off < b->len; off += sizeof(zeros)) {
                as_write(&m->sysmem_as, b->addr + off, zeros, MIN(sizeof(zeros), b->len - off));
            }
        }
    }
}

void loader_free(Machine *m)
{
    LoaderBlob **pp = &blobs;
    while (*pp) {
        LoaderBlob *b = *pp;
        if (b->m == m) {
            *pp = b->next;
            free(b->data);
            free(b->name);
            free(b);
        } else {
            pp = &b->next;
        }
    }
}

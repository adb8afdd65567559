/* SPDX-License-Identifier: MIT */
/*
 * accel/xen/xen-all.c — tandem as the device model of a Xen HVM domain (the role of
 * QEMU's xen accelerator). Xen runs the guest's vCPUs; the guest's port I/O, MMIO and PCI
 * configuration accesses that Xen does not emulate itself come to tandem as ioreqs
 * (xen/hvm/ioreq.h, xen/hvm/dm_op.h), which it serves with the same device models and
 * address spaces that tcg and kvm use.
 *
 * What it does: checks for dom0 (/dev/xen/privcmd), creates an ioreq server for the domain
 * of -xen-domid, maps its pages (xenforeignmemory_map_resource: the buffered ring, then one
 * ioreq slot per vCPU), claims the I/O ranges of the machine's flat views (a MemListener on
 * the port and memory address spaces: every I/O leaf, not RAM) and the functions of PCI
 * bus 0, enables the server, binds an event channel per vCPU and the buffered one, serves
 * requests on the main loop (PIO, MMIO copy, both with count/df and data_is_ptr, PCI config
 * turned into 0xcf8/0xcfc accesses, time offset, invalidate), drains the buffered ring, and
 * reports readiness in xenstore (/local/domain/0/device-model/DOMID/state = running).
 * Guest RAM (data_is_ptr, and the devices' DMA through the board's guest memory window,
 * xen_guest_memory_init) is reached through a cache of foreign mappings in 1 MiB buckets,
 * dropped on IOREQ_TYPE_INVALIDATE. Interrupts go out through xendevicemodel: ISA IRQ
 * levels, PCI INTx levels, PCI link routes (the PIIX3's route registers) and MSIs.
 * Statistics: the requests served are counted by kind and direction, with the interrupts
 * sent and the mappings made (AccelOps.stats); at
 * SIGHUP (how libxl stops its device model on xl destroy), SIGTERM, SIGINT or at the end
 * they go to stderr (libxl's qemu-dm-NAME.log) with the per-region device accesses, in the
 * table format of --compare, once; then the machine shuts down in order.
 *
 * Tested against a real Xen 4.17 by `make check-xen` (tests/xen): port I/O, MMIO of every
 * size, data in guest RAM (REP MOVS), PCI configuration (hvmloader), the buffered ring (the
 * time offset Xen sends when the guest sets its RTC), invalidate (a Linux guest), DMA into
 * the guest (fw_cfg, edu), ISA/INTx/MSI interrupts, the statistics. Not
 * implemented: vCPU hotplug, save/restore,
 * stubdomains, guest memory above 1 TiB.
 */
#include "util/osdep.h"
#include "accel/accel.h"
#include "accel/xen/xen.h"
#include "system/main-loop.h"
#include "system/xen-args.h"
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenforeignmemory.h>
#include <xenevtchn.h>
#include <xenstore.h>
#include <xen/hvm/ioreq.h>
#include <xen/hvm/dm_op.h>
#include <xen/memory.h>

#define XEN_PAGE 4096
#define MAPCACHE_BUCKET_PAGES 256     /* 1 MiB of guest memory per mapping */
#define MAPCACHE_BUCKETS 64

typedef struct XenMapEntry {
    uint64_t bucket;                  /* guest page number / MAPCACHE_BUCKET_PAGES */
    void *page;                       /* the bucket's first page; NULL: entry unused */
    uint8_t absent[MAPCACHE_BUCKET_PAGES / 8];   /* pages Xen could not map */
} XenMapEntry;

typedef struct XenState {
    Machine *m;
    int domid;
    xendevicemodel_handle *dmod;
    xenforeignmemory_handle *fmem;
    xenforeignmemory_resource_handle *res;
    xenevtchn_handle *xce;
    struct xs_handle *xs;
    ioservid_t id;
    void *pages;                      /* frame 0: buffered ring, frame 1: ioreq slots */
    buffered_iopage_t *buf_page;
    shared_iopage_t *shared;
    evtchn_port_t *vcpu_port;         /* local port of each vCPU's channel */
    evtchn_port_t buf_port;
    unsigned watch;
    MemListener io_listener, mem_listener;
    XenMapEntry map[MAPCACHE_BUCKETS];
    /* requests served, by kind; [0] reads, [1] writes */
    uint64_t n_pio[2], n_mmio[2], n_pci[2], n_ptr, n_timeoffset, n_invalidate, n_buffered,
             n_unknown;
    uint64_t n_maps, n_unmaps;        /* foreign-mapping cache: buckets mapped, unmapped */
    uint64_t n_msi, n_link_route;     /* interrupts sent other than ISA/INTx levels */
    uint64_t *n_vcpu;                 /* synchronous requests served, per vCPU */
    int64_t time_offset;
    int sig_pipe[2];                  /* SIGHUP/SIGTERM/SIGINT to the main loop */
    unsigned sig_watch;
    bool reported;
} XenState;

static XenState xs_state;

/* A real Xen host, unless TANDEM_XEN_PRIVCMD points elsewhere (tests). */
static bool xen_available(const char **why)
{
    static char reason[160];
    const char *path = getenv("TANDEM_XEN_PRIVCMD");
    int fd;

    path = path && *path ? path : "/dev/xen/privcmd";
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return true;
    }
    if (errno == ENOENT) {
        snprintf(reason, sizeof(reason), "no %s: tandem is not running in a Xen dom0", path);
    } else if (errno == EACCES || errno == EPERM) {
        snprintf(reason, sizeof(reason), "not permitted to open %s (the device model runs as root"
                 " in dom0)", path);
    } else {
        snprintf(reason, sizeof(reason), "cannot open %s: %s", path, strerror(errno));
    }
    *why = reason;
    return false;
}

/* ---- guest memory through foreign mappings ----
 * A cache of MAPCACHE_BUCKETS mappings of MAPCACHE_BUCKET_PAGES consecutive guest pages
 * each (1 MiB), direct-mapped by bucket number: a DMA or a REP string request walks through
 * a bucket with one privcmd call instead of one per page. Xen maps what it can of a bucket
 * and reports the other pages (holes, MMIO) one by one in err[]: those read as all ones and
 * drop writes. IOREQ_TYPE_INVALIDATE (the guest's memory map changed) drops every mapping. */

static XenMapEntry *map_bucket(XenState *s, uint64_t bucket)
{
    XenMapEntry *e = &s->map[bucket % MAPCACHE_BUCKETS];
    xen_pfn_t pfns[MAPCACHE_BUCKET_PAGES];
    int err[MAPCACHE_BUCKET_PAGES];

    if (e->page && e->bucket == bucket) {
        return e;
    }
    if (e->page) {
        xenforeignmemory_unmap(s->fmem, e->page, MAPCACHE_BUCKET_PAGES);
        e->page = NULL;
        s->n_unmaps++;
    }
    for (int i = 0; i < MAPCACHE_BUCKET_PAGES; i++) {
        pfns[i] = bucket * MAPCACHE_BUCKET_PAGES + i;
        err[i] = 0;
    }
    e->page = xenforeignmemory_map(s->fmem, s->domid, PROT_READ | PROT_WRITE,
                                   MAPCACHE_BUCKET_PAGES, pfns, err);
    if (!e->page) {
        error_report("xen: cannot map guest pages 0x%" PRIx64 "+0x%x of domain %d: %s",
                     bucket * MAPCACHE_BUCKET_PAGES, MAPCACHE_BUCKET_PAGES, s->domid,
                     strerror(errno));
        return NULL;
    }
    s->n_maps++;
    e->bucket = bucket;
    memset(e->absent, 0, sizeof(e->absent));
    for (int i = 0; i < MAPCACHE_BUCKET_PAGES; i++) {
        if (err[i]) {
            e->absent[i / 8] |= (uint8_t)(1u << (i % 8));
        }
    }
    return e;
}

/* The host address of guest page pfn, or NULL when the domain has no RAM there. */
static uint8_t *map_guest_page(XenState *s, uint64_t pfn)
{
    unsigned i = (unsigned)(pfn % MAPCACHE_BUCKET_PAGES);
    XenMapEntry *e = map_bucket(s, pfn / MAPCACHE_BUCKET_PAGES);

    if (!e || (e->absent[i / 8] & (1u << (i % 8)))) {
        return NULL;
    }
    return (uint8_t *)e->page + (size_t)i * XEN_PAGE;
}

static void mapcache_invalidate(XenState *s)
{
    for (int i = 0; i < MAPCACHE_BUCKETS; i++) {
        if (s->map[i].page) {
            xenforeignmemory_unmap(s->fmem, s->map[i].page, MAPCACHE_BUCKET_PAGES);
            s->map[i].page = NULL;
            s->n_unmaps++;
        }
    }
}

/* Copy len bytes between guest-physical gpa and buf (to the guest when to_guest). Bytes of
 * pages the domain lacks read as 0xff; writes to them are dropped. */
static void guest_copy(XenState *s, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
    uint8_t *b = buf;

    while (len) {
        size_t off = gpa & (XEN_PAGE - 1), n = MIN(len, XEN_PAGE - off);
        uint8_t *page = s->fmem ? map_guest_page(s, gpa / XEN_PAGE) : NULL;
        if (!page) {
            if (!to_guest) {
                memset(b, 0xff, n);
            }
        } else if (to_guest) {
            memcpy(page + off, b, n);
        } else {
            memcpy(b, page + off, n);
        }
        gpa += n;
        b += n;
        len -= n;
    }
}

/* The guest memory region's callbacks: device DMA (fw_cfg, edu, ...) through m->sysmem_as. */
static uint64_t guest_memory_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t v = 0;

    guest_copy(&xs_state, addr, &v, size, false);
    return v;
}

static void guest_memory_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    guest_copy(&xs_state, addr, &val, size, true);
}

static const MemRegionOps guest_memory_ops = {
    .read = guest_memory_read,
    .write = guest_memory_write,
    .valid_min = 1,
    .valid_max = 8,
    .unaligned = true,
};

void xen_guest_memory_init(MemRegion *mr, const char *name, uint64_t size)
{
    mr_init_io(mr, name, &guest_memory_ops, &xs_state, size);
}

/* ---- serving requests ---- */

static uint64_t dev_ld(XenState *s, AddressSpace *as, uint64_t addr, unsigned size)
{
    return cpu_io_ld(s->m->cpus[0], as, addr, size);
}

static void dev_st(XenState *s, AddressSpace *as, uint64_t addr, uint64_t val, unsigned size)
{
    cpu_io_st(s->m->cpus[0], as, addr, val, size);
}

/* PIO and MMIO: count repetitions, the address moving by size (backwards with df); with
 * data_is_ptr the data are in guest RAM at req->data, moving the same way. */
static void serve_rw(XenState *s, ioreq_t *req, AddressSpace *as)
{
    int64_t step = req->df ? -(int64_t)req->size : (int64_t)req->size;
    bool is_pio = req->type == IOREQ_TYPE_PIO;
    unsigned size = req->size;

    if (size == 0 || size > 8) {
        return;
    }
    if (!req->data_is_ptr) {
        if (req->dir == IOREQ_READ) {
            for (uint32_t i = 0; i < req->count; i++) {
                /* for MMIO with count > 1 the last read wins, as for a rep on one register */
                req->data = dev_ld(s, as, req->addr + (is_pio ? 0 : i * step), size);
            }
        } else {
            for (uint32_t i = 0; i < req->count; i++) {
                dev_st(s, as, req->addr + (is_pio ? 0 : i * step), req->data, size);
            }
        }
        return;
    }
    for (uint32_t i = 0; i < req->count; i++) {
        uint64_t dev = req->addr + (is_pio ? 0 : i * step);
        uint64_t mem = req->data + i * step, v = 0;
        if (req->dir == IOREQ_READ) {
            v = dev_ld(s, as, dev, size);
            guest_copy(s, mem, &v, size, true);
        } else {
            guest_copy(s, mem, &v, size, false);
            dev_st(s, as, dev, v, size);
        }
    }
}

/* PCI config: addr holds the SBDF in bits 32..63 and the register in 0..31; served by the
 * machine's host bridge through its configuration ports. */
static void serve_pci_config(XenState *s, ioreq_t *req)
{
    uint32_t sbdf = (uint32_t)(req->addr >> 32), reg = (uint32_t)req->addr;
    uint32_t cf8 = 0x80000000u | ((sbdf & 0xffff) << 8) | (reg & 0xfc);

    if (req->size == 0 || req->size > 4 || (sbdf >> 16) != 0) {
        if (req->dir == IOREQ_READ) {
            req->data = ~0ull;
        }
        return;
    }
    dev_st(s, &s->m->io_as, 0xcf8, cf8, 4);
    if (req->dir == IOREQ_READ) {
        req->data = dev_ld(s, &s->m->io_as, 0xcfc + (reg & 3), req->size);
    } else {
        dev_st(s, &s->m->io_as, 0xcfc + (reg & 3), req->data, req->size);
    }
}

static void serve(XenState *s, ioreq_t *req)
{
    int w = req->dir == IOREQ_WRITE;

    switch (req->type) {
    case IOREQ_TYPE_PIO:
        s->n_pio[w]++;
        s->n_ptr += req->data_is_ptr;
        serve_rw(s, req, &s->m->io_as);
        break;
    case IOREQ_TYPE_COPY:
        s->n_mmio[w]++;
        s->n_ptr += req->data_is_ptr;
        serve_rw(s, req, &s->m->sysmem_as);
        break;
    case IOREQ_TYPE_PCI_CONFIG:
        s->n_pci[w]++;
        serve_pci_config(s, req);
        break;
    case IOREQ_TYPE_TIMEOFFSET:
        /* the guest set Xen's RTC: as qemu-xen, nothing to apply here (the RTC is Xen's);
         * logged, so that a run shows it */
        s->n_timeoffset++;
        s->time_offset = (int64_t)req->data;
        fprintf(stderr, "tandem: xen: the guest set its RTC: time offset %" PRId64 " s\n",
                s->time_offset);
        break;
    case IOREQ_TYPE_INVALIDATE:
        s->n_invalidate++;
        mapcache_invalidate(s);
        break;
    default:
        s->n_unknown++;
        break;
    }
}

/* The buffered ring: writes Xen does not wait for (e.g. VGA), one or two slots each. */
static void drain_buffered(XenState *s)
{
    buffered_iopage_t *bp = s->buf_page;

    while (bp->read_pointer != bp->write_pointer) {
        uint32_t rp = bp->read_pointer;
        buf_ioreq_t *b;
        ioreq_t req = { 0 };
        int slots = 1;

        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        b = &bp->buf_ioreq[rp % IOREQ_BUFFER_SLOT_NUM];
        req.size = 1u << b->size;
        req.count = 1;
        req.addr = b->addr;
        req.data = b->data;
        req.type = b->type;
        req.dir = b->dir;
        if (req.size == 8) {
            req.data |= (uint64_t)bp->buf_ioreq[(rp + 1) % IOREQ_BUFFER_SLOT_NUM].data << 32;
            slots = 2;
        }
        s->n_buffered++;
        serve(s, &req);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        __atomic_fetch_add(&bp->read_pointer, slots, __ATOMIC_SEQ_CST);
    }
}

static void evtchn_readable(void *opaque)
{
    XenState *s = opaque;
    xenevtchn_port_or_error_t port = xenevtchn_pending(s->xce);

    if (port < 0) {
        return;
    }
    xenevtchn_unmask(s->xce, (evtchn_port_t)port);
    if ((evtchn_port_t)port == s->buf_port) {
        drain_buffered(s);
        return;
    }
    for (int i = 0; i < s->m->ncpus; i++) {
        ioreq_t *req = &s->shared->vcpu_ioreq[i];
        if (s->vcpu_port[i] != (evtchn_port_t)port) {
            continue;
        }
        drain_buffered(s);   /* buffered writes come before the synchronous request */
        if (req->state == STATE_IOREQ_READY) {
            s->n_vcpu[i]++;
            __atomic_thread_fence(__ATOMIC_ACQUIRE);   /* the request's fields after its state */
            req->state = STATE_IOREQ_INPROCESS;
            serve(s, req);
            __atomic_thread_fence(__ATOMIC_RELEASE);
            req->state = STATE_IORESP_READY;
            xenevtchn_notify(s->xce, s->vcpu_port[i]);
        }
    }
}

/* ---- claiming the machine's ranges ---- */

static void claim(XenState *s, const FlatRange *fr, int is_mmio, bool add)
{
    int r;

    if (fr->mr->type != MR_IO || fr->size == 0 || fr->mr->ops == &guest_memory_ops) {
        return;   /* RAM and ROM are the guest's own, in Xen */
    }
    if (add) {
        r = xendevicemodel_map_io_range_to_ioreq_server(s->dmod, s->domid, s->id, is_mmio,
                                                        fr->start, fr->start + fr->size - 1);
    } else {
        r = xendevicemodel_unmap_io_range_from_ioreq_server(s->dmod, s->domid, s->id, is_mmio,
                                                            fr->start, fr->start + fr->size - 1);
    }
    if (r < 0) {
        error_report("xen: cannot %s %s range 0x%" PRIx64 "+0x%" PRIx64 ": %s",
                     add ? "claim" : "release", is_mmio ? "MMIO" : "port", (uint64_t)fr->start,
                     fr->size, strerror(errno));
    }
}

static void io_add(MemListener *l, const FlatRange *fr)
{
    claim(l->opaque, fr, 0, true);
}

static void io_del(MemListener *l, const FlatRange *fr)
{
    claim(l->opaque, fr, 0, false);
}

static void mem_add(MemListener *l, const FlatRange *fr)
{
    claim(l->opaque, fr, 1, true);
}

static void mem_del(MemListener *l, const FlatRange *fr)
{
    claim(l->opaque, fr, 1, false);
}

/* ---- the accelerator ---- */

static int xen_fail(const char *what)
{
    error_report("xen: %s for domain %d: %s", what, xs_state.domid, strerror(errno));
    return -1;
}

static void catch_stop_signals(XenState *s);

static int xen_init(Machine *m)
{
    XenState *s = &xs_state;
    evtchn_port_t remote_buf;
    char path[96];
    int err;

    if (xen_domid < 0) {
        error_report("-accel xen needs -xen-domid N (the domain to serve)");
        return -1;
    }
    s->m = m;
    s->domid = xen_domid;
    s->dmod = xendevicemodel_open(NULL, 0);
    s->fmem = xenforeignmemory_open(NULL, 0);
    s->xce = xenevtchn_open(NULL, 0);
    if (!s->dmod || !s->fmem || !s->xce) {
        return xen_fail("cannot open the Xen device model, memory and event channel interfaces");
    }
    if (xendevicemodel_create_ioreq_server(s->dmod, s->domid, HVM_IOREQSRV_BUFIOREQ_ATOMIC,
                                           &s->id) < 0) {
        return xen_fail("cannot create an ioreq server");
    }
    s->res = xenforeignmemory_map_resource(s->fmem, s->domid, XENMEM_resource_ioreq_server,
                                           s->id, 0, 2, &s->pages, PROT_READ | PROT_WRITE, 0);
    if (!s->res) {
        return xen_fail("cannot map the ioreq server's pages");
    }
    s->buf_page = s->pages;
    s->shared = (shared_iopage_t *)((uint8_t *)s->pages + XEN_PAGE);
    if (xendevicemodel_get_ioreq_server_info(s->dmod, s->domid, s->id, NULL, NULL,
                                             &remote_buf) < 0) {
        return xen_fail("cannot read the ioreq server's event channel");
    }
    s->io_listener = (MemListener){ .region_add = io_add, .region_del = io_del, .opaque = s };
    s->mem_listener = (MemListener){ .region_add = mem_add, .region_del = mem_del, .opaque = s };
    as_add_listener(&m->io_as, &s->io_listener);
    as_add_listener(&m->sysmem_as, &s->mem_listener);
    for (int dev = 0; dev < 32; dev++) {
        for (int fn = 0; fn < 8; fn++) {
            if (xendevicemodel_map_pcidev_to_ioreq_server(s->dmod, s->domid, s->id, 0, 0, dev,
                                                          fn) < 0) {
                return xen_fail("cannot claim the PCI functions of bus 0");
            }
        }
    }
    if (xendevicemodel_set_ioreq_server_state(s->dmod, s->domid, s->id, 1) < 0) {
        return xen_fail("cannot enable the ioreq server");
    }
    s->vcpu_port = xzalloc(sizeof(*s->vcpu_port) * (size_t)m->ncpus);
    s->n_vcpu = xzalloc(sizeof(*s->n_vcpu) * (size_t)m->ncpus);
    for (int i = 0; i < m->ncpus; i++) {
        xenevtchn_port_or_error_t p =
            xenevtchn_bind_interdomain(s->xce, (uint32_t)s->domid, s->shared->vcpu_ioreq[i].vp_eport);
        if (p < 0) {
            return xen_fail("cannot bind a vCPU's event channel");
        }
        s->vcpu_port[i] = (evtchn_port_t)p;
    }
    xenevtchn_port_or_error_t bp = xenevtchn_bind_interdomain(s->xce, (uint32_t)s->domid, remote_buf);
    if (bp < 0) {
        return xen_fail("cannot bind the buffered ring's event channel");
    }
    s->buf_port = (evtchn_port_t)bp;
    s->watch = main_loop_add_fd(xenevtchn_fd(s->xce), evtchn_readable, s);
    catch_stop_signals(s);

    s->xs = xs_open(0);
    snprintf(path, sizeof(path), "/local/domain/0/device-model/%d/state", s->domid);
    err = !s->xs || !xs_write(s->xs, XBT_NULL, path, "running", strlen("running"));
    if (err) {
        return xen_fail("cannot write the device model's state to xenstore");
    }
    return 0;
}

/* Xen runs the vCPUs: tandem's vCPU threads only wait to be kicked (stop, quit). */
static pthread_mutex_t kick_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kick_cond = PTHREAD_COND_INITIALIZER;
static unsigned kick_gen;

static int xen_vcpu_init(CPUState *cs)
{
    return 0;
}

static VcpuExit xen_vcpu_run(CPUState *cs)
{
    pthread_mutex_lock(&kick_lock);
    unsigned gen = kick_gen;
    while (gen == kick_gen && !cs->stop && !cs->quit) {
        pthread_cond_wait(&kick_cond, &kick_lock);
    }
    pthread_mutex_unlock(&kick_lock);
    return VCPU_EXIT_KICK;
}

static void xen_vcpu_kick(CPUState *cs)
{
    pthread_mutex_lock(&kick_lock);
    kick_gen++;
    pthread_cond_broadcast(&kick_cond);
    pthread_mutex_unlock(&kick_lock);
}

static void xen_report(XenState *s, FILE *f, const char *why);

static void xen_fini(Machine *m)
{
    XenState *s = &xs_state;

    xen_report(s, stderr, "at exit");
    if (s->sig_watch) {
        main_loop_remove_fd(s->sig_watch);
    }
    if (s->watch) {
        main_loop_remove_fd(s->watch);
    }
    mapcache_invalidate(s);
    if (s->dmod) {
        xendevicemodel_destroy_ioreq_server(s->dmod, s->domid, s->id);
    }
    if (s->res) {
        xenforeignmemory_unmap_resource(s->fmem, s->res);
    }
    if (s->xs) {
        xs_close(s->xs);
    }
}

static void xen_stats(Machine *m, AccelStatFn *fn, void *opaque)
{
    XenState *s = &xs_state;

    fn(opaque, "ioreqs", "pio-read", s->n_pio[0]);
    fn(opaque, "ioreqs", "pio-write", s->n_pio[1]);
    fn(opaque, "ioreqs", "mmio-read", s->n_mmio[0]);
    fn(opaque, "ioreqs", "mmio-write", s->n_mmio[1]);
    fn(opaque, "ioreqs", "pci-config-read", s->n_pci[0]);
    fn(opaque, "ioreqs", "pci-config-write", s->n_pci[1]);
    fn(opaque, "ioreqs", "data-in-guest-ram", s->n_ptr);
    fn(opaque, "ioreqs", "buffered", s->n_buffered);
    fn(opaque, "ioreqs", "time-offset", s->n_timeoffset);
    fn(opaque, "ioreqs", "invalidate", s->n_invalidate);
    fn(opaque, "ioreqs", "unknown", s->n_unknown);
    for (int i = 0; s->n_vcpu && i < m->ncpus; i++) {
        char name[32];
        snprintf(name, sizeof(name), "from-vcpu%d", i);
        fn(opaque, "ioreqs", name, s->n_vcpu[i]);
    }
    fn(opaque, "interrupts", "msi", s->n_msi);
    fn(opaque, "interrupts", "pci-link-route", s->n_link_route);
    fn(opaque, "mapcache", "buckets-mapped", s->n_maps);
    fn(opaque, "mapcache", "buckets-unmapped", s->n_unmaps);
}

/* ---- the statistics report (stderr, which libxl keeps in qemu-dm-NAME.log) ---- */

#define REPORT_LABEL_W 36   /* the column widths of --compare's tables (system/compare.c) */
#define REPORT_COL_W 16

static void report_stat(void *opaque, const char *group, const char *name, uint64_t value)
{
    char label[64];

    snprintf(label, sizeof(label), "%s: %s", group, name);
    fprintf(opaque, "  %-*s %*" PRIu64 "\n", REPORT_LABEL_W, label, REPORT_COL_W, value);
}

typedef struct ReportIoCtx {
    FILE *f;
    const char *space;
    int silent;
} ReportIoCtx;

static void report_io(void *opaque, const char *name, hwaddr addr, uint64_t reads,
                      uint64_t writes)
{
    ReportIoCtx *c = opaque;
    char label[80], val[48];

    if (!reads && !writes) {
        c->silent++;
        return;
    }
    snprintf(label, sizeof(label), "%s 0x%" PRIx64 " %s", c->space, (uint64_t)addr, name);
    snprintf(val, sizeof(val), "%" PRIu64 "/%" PRIu64, reads, writes);
    fprintf(c->f, "  %-*s %*s\n", REPORT_LABEL_W, label, REPORT_COL_W, val);
}

/* The request counters and the per-region device accesses, in --compare's table format,
 * once per run (at a stop signal or at the end, whichever comes first). */
static void xen_report(XenState *s, FILE *f, const char *why)
{
    ReportIoCtx io = { f, "io", 0 }, mem = { f, "mem", 0 };

    if (s->reported || !s->m) {
        return;
    }
    s->reported = true;
    fprintf(f, "tandem: Xen device model statistics for domain %d (%s)\n", s->domid, why);
    fprintf(f, "  %-*s %*s\n", REPORT_LABEL_W, "", REPORT_COL_W, "xen");
    fprintf(f, "accelerator counters (AccelOps.stats)\n");
    xen_stats(s->m, report_stat, f);
    fprintf(f, "device accesses (reads/writes, per I/O region)\n");
    as_foreach_io_stat(&s->m->io_as, report_io, &io);
    as_foreach_io_stat(&s->m->sysmem_as, report_io, &mem);
    if (io.silent + mem.silent) {
        fprintf(f, "  (%d more I/O region%s, not accessed)\n", io.silent + mem.silent,
                io.silent + mem.silent == 1 ? "" : "s");
    }
    fflush(f);
}

/* libxl ends its device model with SIGHUP (xl destroy); SIGTERM and SIGINT are taken the
 * same way: the report, then an orderly shutdown. The handler only wakes the main loop. */
static void stop_signal(int sig)
{
    unsigned char b = (unsigned char)sig;
    int saved = errno;

    if (write(xs_state.sig_pipe[1], &b, 1) < 0) {
        /* the pipe is full: a stop is already pending */
    }
    errno = saved;
}

static void stop_signal_readable(void *opaque)
{
    XenState *s = opaque;
    unsigned char b = 0;
    char why[32];

    if (read(s->sig_pipe[0], &b, 1) != 1) {
        return;
    }
    snprintf(why, sizeof(why), "stopped by signal %s", b == SIGHUP ? "SIGHUP" :
             b == SIGTERM ? "SIGTERM" : "SIGINT");
    xen_report(s, stderr, why);
    machine_request_shutdown(s->m, 0);
}

static void catch_stop_signals(XenState *s)
{
    struct sigaction sa = { 0 };

    if (pipe(s->sig_pipe) < 0) {
        error_report("xen: no pipe for stop signals (%s): no statistics at SIGHUP",
                     strerror(errno));
        return;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(s->sig_pipe[i], F_SETFD, FD_CLOEXEC);
        fcntl(s->sig_pipe[i], F_SETFL, O_NONBLOCK);
    }
    s->sig_watch = main_loop_add_fd(s->sig_pipe[0], stop_signal_readable, s);
    sa.sa_handler = stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

static bool xen_can_switch(Machine *m, bool onto, const char **why)
{
    *why = "a Xen domain's vCPUs belong to Xen: they cannot move to or from another accelerator";
    return false;
}

void xen_set_isa_irq_level(int irq, int level)
{
    if (xs_state.dmod) {
        xendevicemodel_set_isa_irq_level(xs_state.dmod, xs_state.domid, (uint8_t)irq,
                                         level ? 1 : 0);
    }
}

void xen_set_pci_intx_level(int dev, int intx, int level)
{
    if (xs_state.dmod) {
        xendevicemodel_set_pci_intx_level(xs_state.dmod, xs_state.domid, 0, 0, (uint8_t)dev,
                                          (uint8_t)intx, level ? 1 : 0);
    }
}

void xen_inject_msi(uint64_t addr, uint32_t data)
{
    if (xs_state.dmod) {
        xs_state.n_msi++;
        if (xendevicemodel_inject_msi(xs_state.dmod, xs_state.domid, addr, data) < 0) {
            error_report("xen: cannot inject MSI 0x%" PRIx64 "/0x%x into domain %d: %s", addr,
                         data, xs_state.domid, strerror(errno));
        }
    }
}

void xen_set_pci_link_route(int link, int irq)
{
    if (xs_state.dmod) {
        xs_state.n_link_route++;
        if (xendevicemodel_set_pci_link_route(xs_state.dmod, xs_state.domid, (uint8_t)link,
                                              (uint8_t)irq) < 0) {
            error_report("xen: cannot route PCI link %d to IRQ %d in domain %d: %s", link, irq,
                         xs_state.domid, strerror(errno));
        }
    }
}

const AccelOps xen_accel_ops = {
    .name = "xen",
    .available = xen_available,
    .init = xen_init,
    .vcpu_init = xen_vcpu_init,
    .vcpu_run = xen_vcpu_run,
    .vcpu_kick = xen_vcpu_kick,
    .fini = xen_fini,
    .stats = xen_stats,
    .can_switch = xen_can_switch,
};

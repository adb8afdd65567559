/* SPDX-License-Identifier: MIT */
/*
 * hw/core/memory.c — the guest memory graph: regions, address spaces, flat views, listeners.
 *
 * Models: a tree of RAM, ROM, I/O, container and alias regions, flattened per address space
 * into a sorted array of non-overlapping ranges (priority decides overlaps, later-added wins
 * ties); I/O dispatch that splits accesses wider than the callbacks implement and widens
 * narrower ones; DMA-style accesses of any length; listeners told of view differences.
 *
 * Not modelled: per-access attributes (secure/user), endianness other than little-endian
 * devices, IOMMUs, dirty-page logging for migration, RCU (views are reference counted and
 * topology changes run under the big lock), 2^64-byte regions (a size is at most
 * UINT64_MAX bytes).
 */
#include "util/osdep.h"
#include "hw/core/memory.h"
#include <sys/mman.h>
#include <unistd.h>

/* Signed 128-bit arithmetic lets the flattener clip without overflow corner cases (an alias
 * can place its target's offset 0 below address 0, a region can end at 2^64). */
__extension__ typedef __int128 i128;

#define MR_MAX_DEPTH 64     /* deeper nesting means an alias cycle */

static unsigned mr_add_seq;
static int txn_depth;
static MemRegion **pending;
static int pending_nr, pending_cap;
static AddressSpace **as_list;
static int as_nr;
static MemCodeWriteFunc *code_write_notify;

/* ---------------------------------------------------------------------------------------
 * Little-endian helpers
 */

static inline uint64_t size_ones(unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static inline uint64_t ldn_le(const uint8_t *p, unsigned size)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (likely(size == 1 || size == 2 || size == 4 || size == 8)) {
        uint64_t v = 0;
        memcpy(&v, p, size);
        return v;
    }
#endif
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)p[i] << (i * 8);
    }
    return v;
}

static inline void stn_le(uint8_t *p, unsigned size, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (likely(size == 1 || size == 2 || size == 4 || size == 8)) {
        memcpy(p, &v, size);
        return;
    }
#endif
    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (i * 8);
    }
}

static inline bool is_pow2(unsigned x)
{
    return x && !(x & (x - 1));
}

static const char *mr_type_name(MemRegionType t)
{
    switch (t) {
    case MR_RAM:
        return "ram";
    case MR_ROM:
        return "rom";
    case MR_IO:
        return "i/o";
    case MR_CONTAINER:
        return "container";
    case MR_ALIAS:
        return "alias";
    }
    return "?";
}

/* ---------------------------------------------------------------------------------------
 * Regions
 */

static void mr_init_common(MemRegion *mr, const char *name, MemRegionType type, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->name = xstrdup(name ? name : "(anonymous)");
    mr->type = type;
    mr->size = size;
    mr->enabled = true;
}

static size_t host_map_len(uint64_t size)
{
    size_t hp = (size_t)sysconf(_SC_PAGESIZE);
    return (size + hp - 1) & ~(hp - 1);
}

static void mr_alloc_ram(MemRegion *mr)
{
    size_t hp = (size_t)sysconf(_SC_PAGESIZE);
    void *p;

    if (!mr->size) {
        return;
    }
    if (mr->size > SIZE_MAX - hp) {
        fatal("memory: %s: size 0x%" PRIx64 " is too large", mr->name, mr->size);
    }
    /* Anonymous private mappings are page aligned and zero filled; NORESERVE lets a large
     * guest RAM be backed lazily. */
    p = mmap(NULL, host_map_len(mr->size), PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        fatal("memory: cannot allocate %" PRIu64 " bytes for %s: %s", mr->size, mr->name,
              strerror(errno));
    }
    mr->ram = p;
    mr->code_pages = xzalloc((mr->size + TARGET_PAGE_SIZE - 1) >> TARGET_PAGE_BITS);
}

void mr_init_ram(MemRegion *mr, const char *name, uint64_t size)
{
    mr_init_common(mr, name, MR_RAM, size);
    mr_alloc_ram(mr);
}

void mr_init_rom(MemRegion *mr, const char *name, uint64_t size)
{
    mr_init_common(mr, name, MR_ROM, size);
    mr_alloc_ram(mr);
}

void mr_init_io(MemRegion *mr, const char *name, const MemRegionOps *ops, void *opaque,
                uint64_t size)
{
    assert(ops);
    mr_init_common(mr, name, MR_IO, size);
    mr->ops = ops;
    mr->opaque = opaque;
}

void mr_init_container(MemRegion *mr, const char *name, uint64_t size)
{
    mr_init_common(mr, name, MR_CONTAINER, size);
}

void mr_init_alias(MemRegion *mr, const char *name, MemRegion *orig, hwaddr offset,
                   uint64_t size)
{
    assert(orig);
    mr_init_common(mr, name, MR_ALIAS, size);
    mr->alias_of = orig;
    mr->alias_offset = offset;
}

void mr_destroy(MemRegion *mr)
{
    assert(!mr->parent);
    if (mr->ram) {
        munmap(mr->ram, host_map_len(mr->size));
        mr->ram = NULL;
    }
    free(mr->code_pages);
    mr->code_pages = NULL;
    for (int i = 0; i < mr->nr_children; i++) {
        mr->children[i]->parent = NULL;
    }
    free(mr->children);
    mr->children = NULL;
    mr->nr_children = 0;
    free((char *)mr->name);
    mr->name = NULL;
}

uint8_t *mr_ram_ptr(MemRegion *mr)
{
    hwaddr off = 0;
    for (int depth = 0; mr && depth < MR_MAX_DEPTH; depth++) {
        switch (mr->type) {
        case MR_RAM:
        case MR_ROM:
            return mr->ram ? mr->ram + off : NULL;
        case MR_ALIAS:
            off += mr->alias_offset;
            mr = mr->alias_of;
            break;
        default:
            return NULL;
        }
    }
    return NULL;
}

void mr_set_code_write_notify(MemCodeWriteFunc *fn)
{
    code_write_notify = fn;
}

/* ---------------------------------------------------------------------------------------
 * Topology and transactions
 */

static void mark_changed(MemRegion *mr)
{
    for (int i = 0; i < pending_nr; i++) {
        if (pending[i] == mr) {
            return;
        }
    }
    if (pending_nr == pending_cap) {
        pending_cap = pending_cap ? pending_cap * 2 : 8;
        pending = realloc(pending, pending_cap * sizeof(*pending));
        if (!pending) {
            fatal("out of memory");
        }
    }
    pending[pending_nr++] = mr;
}

static bool ranges_overlap(hwaddr a, uint64_t asz, hwaddr b, uint64_t bsz)
{
    if (!asz || !bsz) {
        return false;
    }
    return (i128)a < (i128)b + bsz && (i128)b < (i128)a + asz;
}

void mr_add_subregion(MemRegion *parent, hwaddr addr, MemRegion *child, int priority)
{
    int pos;

    assert(parent->type == MR_CONTAINER);
    assert(!child->parent);
    assert(child != parent);

    for (int i = 0; i < parent->nr_children; i++) {
        MemRegion *s = parent->children[i];
        if (s->priority == priority && s->enabled && child->enabled &&
            ranges_overlap(s->addr, s->size, addr, child->size)) {
            error_report("memory: %s [0x%" PRIx64 ", +0x%" PRIx64 ") overlaps %s [0x%" PRIx64
                         ", +0x%" PRIx64 ") in %s at equal priority %d; %s (added later) wins",
                         child->name, addr, child->size, s->name, s->addr, s->size,
                         parent->name, priority, child->name);
        }
    }

    mr_transaction_begin();
    child->parent = parent;
    child->addr = addr;
    child->priority = priority;
    child->add_seq = ++mr_add_seq;
    /* Highest priority first; among equals the newest first, so the flattener's
     * first-come-first-served rule gives "higher wins, later wins ties". */
    for (pos = 0; pos < parent->nr_children; pos++) {
        if (parent->children[pos]->priority <= priority) {
            break;
        }
    }
    parent->children = realloc(parent->children,
                               (parent->nr_children + 1) * sizeof(*parent->children));
    if (!parent->children) {
        fatal("out of memory");
    }
    memmove(&parent->children[pos + 1], &parent->children[pos],
            (parent->nr_children - pos) * sizeof(*parent->children));
    parent->children[pos] = child;
    parent->nr_children++;
    mark_changed(parent);
    mr_transaction_commit();
}

void mr_del_subregion(MemRegion *parent, MemRegion *child)
{
    int i;

    assert(child->parent == parent);
    for (i = 0; i < parent->nr_children; i++) {
        if (parent->children[i] == child) {
            break;
        }
    }
    assert(i < parent->nr_children);
    mr_transaction_begin();
    memmove(&parent->children[i], &parent->children[i + 1],
            (parent->nr_children - i - 1) * sizeof(*parent->children));
    parent->nr_children--;
    child->parent = NULL;
    mark_changed(parent);
    mr_transaction_commit();
}

void mr_set_enabled(MemRegion *mr, bool enabled)
{
    if (mr->enabled == enabled) {
        return;
    }
    mr_transaction_begin();
    mr->enabled = enabled;
    mark_changed(mr);
    mr_transaction_commit();
}

void mr_set_address(MemRegion *mr, hwaddr addr)
{
    if (mr->addr == addr) {
        return;
    }
    mr_transaction_begin();
    mr->addr = addr;
    mark_changed(mr);
    mr_transaction_commit();
}

void mr_set_readonly(MemRegion *mr, bool readonly)
{
    if (mr->readonly == readonly) {
        return;
    }
    mr_transaction_begin();
    mr->readonly = readonly;
    mark_changed(mr);
    mr_transaction_commit();
}

void mr_transaction_begin(void)
{
    txn_depth++;
}

/* Whether `mr` or anything it shows (children, alias targets) is in the changed list. */
static bool mr_reaches(const MemRegion *mr, MemRegion *const *list, int n, int depth)
{
    if (!mr || depth > MR_MAX_DEPTH) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (list[i] == mr) {
            return true;
        }
    }
    if (!mr->enabled) {
        return false;   /* a change below a disabled region is invisible */
    }
    if (mr->type == MR_ALIAS) {
        return mr_reaches(mr->alias_of, list, n, depth + 1);
    }
    for (int i = 0; i < mr->nr_children; i++) {
        if (mr_reaches(mr->children[i], list, n, depth + 1)) {
            return true;
        }
    }
    return false;
}

static void as_update(AddressSpace *as);

void mr_transaction_commit(void)
{
    assert(txn_depth > 0);
    if (--txn_depth > 0) {
        return;
    }
    /* Listeners may change the topology again; those changes are queued (depth is raised
     * while we rebuild) and handled by the next turn of the loop. */
    while (pending_nr) {
        MemRegion **list = pending;
        int n = pending_nr;

        pending = NULL;
        pending_nr = pending_cap = 0;
        txn_depth++;
        for (int i = 0; i < as_nr; i++) {
            if (mr_reaches(as_list[i]->root, list, n, 0)) {
                as_update(as_list[i]);
            }
        }
        txn_depth--;
        free(list);
    }
}

/* ---------------------------------------------------------------------------------------
 * Flattening
 */

typedef struct FlatBuilder {
    FlatRange *r;
    int nr, cap;
    bool depth_reported;
} FlatBuilder;

static inline uint64_t fr_last(const FlatRange *fr)
{
    return fr->start + (fr->size - 1);
}

/* Index of the first range that ends at or after addr (nr when none). */
static inline int ranges_lower_bound(const FlatRange *r, int nr, hwaddr addr)
{
    int lo = 0, hi = nr;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (fr_last(&r[mid]) < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void fb_insert_at(FlatBuilder *b, int i, hwaddr start, uint64_t size, MemRegion *mr,
                         hwaddr offset, bool ro)
{
    if (b->nr == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->r = realloc(b->r, b->cap * sizeof(*b->r));
        if (!b->r) {
            fatal("out of memory");
        }
    }
    memmove(&b->r[i + 1], &b->r[i], (b->nr - i) * sizeof(*b->r));
    b->r[i] = (FlatRange){ .start = start, .size = size, .mr = mr, .offset = offset,
                           .readonly = ro };
    b->nr++;
}

/* Fill the holes of [first, last] with mr (what is already there has higher precedence). */
static void fb_insert(FlatBuilder *b, hwaddr first, hwaddr last, MemRegion *mr, hwaddr offset,
                      bool ro)
{
    int i = ranges_lower_bound(b->r, b->nr, first);
    hwaddr pos = first;

    for (;;) {
        hwaddr gap_last;
        if (i < b->nr && b->r[i].start <= pos) {
            hwaddr rl = fr_last(&b->r[i]);
            if (rl >= last) {
                return;
            }
            pos = rl + 1;
            i++;
            continue;
        }
        gap_last = last;
        if (i < b->nr && b->r[i].start - 1 < gap_last) {
            gap_last = b->r[i].start - 1;
        }
        fb_insert_at(b, i, pos, gap_last - pos + 1, mr, offset + (pos - first), ro);
        i++;
        if (gap_last >= last) {
            return;
        }
        pos = gap_last + 1;
    }
}

/* Render mr, whose offset 0 sits at address `base`, clipped to [clip_first, clip_last]. */
static void fb_render(FlatBuilder *b, MemRegion *mr, i128 base, i128 clip_first,
                      i128 clip_last, bool ro, int depth)
{
    i128 first, last;

    if (!mr->enabled || !mr->size) {
        return;
    }
    if (depth > MR_MAX_DEPTH) {
        if (!b->depth_reported) {
            error_report("memory: regions nested deeper than %d at %s (alias cycle?)",
                         MR_MAX_DEPTH, mr->name);
            b->depth_reported = true;
        }
        return;
    }
    first = MAX(base, clip_first);
    last = MIN(base + (i128)mr->size - 1, clip_last);
    if (first > last) {
        return;
    }
    ro = ro || mr->readonly;

    switch (mr->type) {
    case MR_RAM:
    case MR_ROM:
    case MR_IO:
        fb_insert(b, (hwaddr)first, (hwaddr)last, mr, (hwaddr)(first - base),
                  mr->type == MR_ROM || (mr->type == MR_RAM && ro));
        break;
    case MR_CONTAINER:
        for (int i = 0; i < mr->nr_children; i++) {
            MemRegion *c = mr->children[i];
            fb_render(b, c, base + (i128)c->addr, first, last, ro, depth + 1);
        }
        break;
    case MR_ALIAS:
        fb_render(b, mr->alias_of, base - (i128)mr->alias_offset, first, last, ro, depth + 1);
        break;
    }
}

static FlatView *flatview_new(const FlatRange *r, int nr)
{
    FlatView *fv = xmalloc(sizeof(*fv) + nr * sizeof(FlatRange));
    fv->ref = 1;
    fv->nr = nr;
    fv->ranges = (FlatRange *)(fv + 1);
    if (nr) {
        memcpy(fv->ranges, r, nr * sizeof(FlatRange));
    }
    return fv;
}

static FlatView *generate_view(MemRegion *root)
{
    FlatBuilder b = { 0 };
    FlatView *fv;
    int out = 0;

    if (root) {
        fb_render(&b, root, 0, 0, (i128)UINT64_MAX, false, 0);
    }
    /* Merge neighbours that continue the same region: aliases cut by a higher-priority
     * region that was itself disabled, or pieces of one alias target. */
    for (int i = 0; i < b.nr; i++) {
        FlatRange *prev = out ? &b.r[out - 1] : NULL;
        const FlatRange *cur = &b.r[i];
        if (prev && prev->mr == cur->mr && prev->readonly == cur->readonly &&
            fr_last(prev) + 1 == cur->start && prev->offset + prev->size == cur->offset) {
            prev->size += cur->size;
        } else {
            b.r[out++] = *cur;
        }
    }
    fv = flatview_new(b.r, out);
    free(b.r);
    return fv;
}

static inline bool fr_equal(const FlatRange *a, const FlatRange *b)
{
    return a->start == b->start && a->size == b->size && a->mr == b->mr &&
           a->offset == b->offset && a->readonly == b->readonly;
}

static bool views_equal(const FlatView *a, const FlatView *b)
{
    if (a->nr != b->nr) {
        return false;
    }
    for (int i = 0; i < a->nr; i++) {
        if (!fr_equal(&a->ranges[i], &b->ranges[i])) {
            return false;
        }
    }
    return true;
}

/* Whether fr appears unchanged in v (v is sorted: at most one range starts where fr does). */
static bool view_has(const FlatView *v, const FlatRange *fr)
{
    int lo = 0, hi = v->nr;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (v->ranges[mid].start < fr->start) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < v->nr && fr_equal(&v->ranges[lo], fr);
}

static void notify_listeners(AddressSpace *as, const FlatView *old, const FlatView *nv)
{
    int n = as->nr_listeners;

    if (!n) {
        return;
    }
    for (int k = 0; k < n; k++) {
        if (as->listeners[k]->begin) {
            as->listeners[k]->begin(as->listeners[k]);
        }
    }
    /* Deletions first, so a consumer like KVM frees a slot before it is reused. */
    for (int i = 0; old && i < old->nr; i++) {
        if (!view_has(nv, &old->ranges[i])) {
            for (int k = 0; k < n; k++) {
                if (as->listeners[k]->region_del) {
                    as->listeners[k]->region_del(as->listeners[k], &old->ranges[i]);
                }
            }
        }
    }
    for (int i = 0; i < nv->nr; i++) {
        if (!old || !view_has(old, &nv->ranges[i])) {
            for (int k = 0; k < n; k++) {
                if (as->listeners[k]->region_add) {
                    as->listeners[k]->region_add(as->listeners[k], &nv->ranges[i]);
                }
            }
        }
    }
    for (int k = 0; k < n; k++) {
        if (as->listeners[k]->commit) {
            as->listeners[k]->commit(as->listeners[k]);
        }
    }
}

static void as_update(AddressSpace *as)
{
    FlatView *old = as->view;
    FlatView *nv = generate_view(as->root);

    if (old && views_equal(old, nv)) {
        flatview_unref(nv);
        return;
    }
    __atomic_store_n(&as->view, nv, __ATOMIC_RELEASE);
    notify_listeners(as, old, nv);
    if (old) {
        flatview_unref(old);
    }
}

/* ---------------------------------------------------------------------------------------
 * Address spaces and listeners
 */

void as_init(AddressSpace *as, MemRegion *root, const char *name)
{
    memset(as, 0, sizeof(*as));
    as->name = name ? name : "(anonymous)";
    as->root = root;
    as->view = generate_view(root);
    as_list = realloc(as_list, (as_nr + 1) * sizeof(*as_list));
    if (!as_list) {
        fatal("out of memory");
    }
    as_list[as_nr++] = as;
}

void as_destroy(AddressSpace *as)
{
    for (int i = 0; i < as_nr; i++) {
        if (as_list[i] == as) {
            memmove(&as_list[i], &as_list[i + 1], (as_nr - i - 1) * sizeof(*as_list));
            as_nr--;
            break;
        }
    }
    if (as->view) {
        flatview_unref(as->view);
        as->view = NULL;
    }
    free(as->listeners);
    as->listeners = NULL;
    as->nr_listeners = 0;
    as->root = NULL;
}

void as_add_listener(AddressSpace *as, MemListener *l)
{
    as->listeners = realloc(as->listeners, (as->nr_listeners + 1) * sizeof(*as->listeners));
    if (!as->listeners) {
        fatal("out of memory");
    }
    as->listeners[as->nr_listeners++] = l;
    if (l->begin) {
        l->begin(l);
    }
    for (int i = 0; as->view && l->region_add && i < as->view->nr; i++) {
        l->region_add(l, &as->view->ranges[i]);
    }
    if (l->commit) {
        l->commit(l);
    }
}

void as_del_listener(AddressSpace *as, MemListener *l)
{
    for (int i = 0; i < as->nr_listeners; i++) {
        if (as->listeners[i] == l) {
            memmove(&as->listeners[i], &as->listeners[i + 1],
                    (as->nr_listeners - i - 1) * sizeof(*as->listeners));
            as->nr_listeners--;
            return;
        }
    }
}

FlatView *as_get_view(AddressSpace *as)
{
    FlatView *fv = __atomic_load_n(&as->view, __ATOMIC_ACQUIRE);
    __atomic_fetch_add(&fv->ref, 1, __ATOMIC_RELAXED);
    return fv;
}

void flatview_unref(FlatView *fv)
{
    if (fv && __atomic_sub_fetch(&fv->ref, 1, __ATOMIC_ACQ_REL) == 0) {
        free(fv);   /* ranges live in the same allocation */
    }
}

static inline const FlatRange *fv_lookup(const FlatView *fv, hwaddr addr)
{
    const FlatRange *r = fv->ranges;
    int lo = 0, hi = fv->nr;

    /* Last range starting at or below addr. */
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (r[mid].start <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return NULL;
    }
    r += lo - 1;
    return addr - r->start < r->size ? r : NULL;
}

const FlatRange *as_lookup(AddressSpace *as, hwaddr addr)
{
    const FlatView *fv = __atomic_load_n(&as->view, __ATOMIC_ACQUIRE);
    return fv ? fv_lookup(fv, addr) : NULL;
}

/* ---------------------------------------------------------------------------------------
 * Dispatch
 */

static inline void ops_sizes(const MemRegionOps *ops, unsigned *vmin, unsigned *vmax,
                             unsigned *imin, unsigned *imax)
{
    unsigned vn = ops->valid_min ? ops->valid_min : 1;
    unsigned vx = ops->valid_max ? ops->valid_max : MAX(4u, vn);
    unsigned in = ops->impl_min ? ops->impl_min : vn;
    unsigned ix = ops->impl_max ? ops->impl_max : vx;

    *vmin = vn;
    *vmax = vx;
    *imin = in;
    *imax = MAX(ix, in);
}

static inline uint64_t io_call_read(MemRegion *mr, hwaddr off, unsigned size)
{
    if (!mr->ops->read) {
        return 0;
    }
    return mr->ops->read(mr->opaque, off, size) & size_ones(size);
}

static inline void io_call_write(MemRegion *mr, hwaddr off, uint64_t val, unsigned size)
{
    if (mr->ops->write) {
        mr->ops->write(mr->opaque, off, val & size_ones(size), size);
    }
}

/* One piece that is already aligned (or the region takes unaligned accesses). */
static uint64_t io_read_unit(MemRegion *mr, hwaddr off, unsigned size, unsigned imin,
                             unsigned imax)
{
    uint64_t v = 0;

    if (size > imax) {
        for (unsigned k = 0; k < size / imax; k++) {
            v |= io_call_read(mr, off + k * imax, imax) << (k * imax * 8);
        }
    } else if (size < imin) {
        hwaddr base = off & ~(hwaddr)(imin - 1);
        unsigned sh = off - base;
        if (sh + size > imin) {
            for (unsigned i = 0; i < size; i++) {
                v |= io_read_unit(mr, off + i, 1, imin, imax) << (i * 8);
            }
        } else {
            v = (io_call_read(mr, base, imin) >> (sh * 8)) & size_ones(size);
        }
    } else {
        v = io_call_read(mr, off, size);
    }
    return v;
}

static void io_write_unit(MemRegion *mr, hwaddr off, unsigned size, uint64_t val,
                          unsigned imin, unsigned imax)
{
    if (size > imax) {
        for (unsigned k = 0; k < size / imax; k++) {
            io_call_write(mr, off + k * imax, val >> (k * imax * 8), imax);
        }
    } else if (size < imin) {
        hwaddr base = off & ~(hwaddr)(imin - 1);
        unsigned sh = off - base;
        if (sh + size > imin) {
            for (unsigned i = 0; i < size; i++) {
                io_write_unit(mr, off + i, 1, val >> (i * 8), imin, imax);
            }
        } else {
            io_call_write(mr, base, (val & size_ones(size)) << (sh * 8), imin);
        }
    } else {
        io_call_write(mr, off, val, size);
    }
}

static MemTxResult io_refuse(MemRegion *mr, hwaddr off, unsigned size, bool is_write,
                             unsigned vmin, unsigned vmax)
{
    if (log_enabled(LOG_GUEST_ERROR)) {
        log_printf("memory: %u-byte %s at 0x%" PRIx64 " of %s refused (valid sizes %u..%u)\n",
                   size, is_write ? "write" : "read", off, mr->name, vmin, vmax);
    }
    return MEMTX_ERROR;
}

static MemTxResult io_read(MemRegion *mr, hwaddr off, unsigned size, uint64_t *val)
{
    const MemRegionOps *ops = mr->ops;
    unsigned vmin, vmax, imin, imax;

    ops_sizes(ops, &vmin, &vmax, &imin, &imax);
    if (unlikely(size < vmin || size > vmax || !is_pow2(size))) {
        *val = size_ones(size);
        return io_refuse(mr, off, size, false, vmin, vmax);
    }
    if (likely(size >= imin && size <= imax && (ops->unaligned || !(off & (size - 1))))) {
        *val = io_call_read(mr, off, size);
        return MEMTX_OK;
    }
    if (!ops->unaligned && (off & (size - 1))) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= io_read_unit(mr, off + i, 1, imin, imax) << (i * 8);
        }
        *val = v;
    } else {
        *val = io_read_unit(mr, off, size, imin, imax);
    }
    return MEMTX_OK;
}

static MemTxResult io_write(MemRegion *mr, hwaddr off, unsigned size, uint64_t val)
{
    const MemRegionOps *ops = mr->ops;
    unsigned vmin, vmax, imin, imax;

    ops_sizes(ops, &vmin, &vmax, &imin, &imax);
    if (unlikely(size < vmin || size > vmax || !is_pow2(size))) {
        return io_refuse(mr, off, size, true, vmin, vmax);
    }
    if (likely(size >= imin && size <= imax && (ops->unaligned || !(off & (size - 1))))) {
        io_call_write(mr, off, val, size);
        return MEMTX_OK;
    }
    if (!ops->unaligned && (off & (size - 1))) {
        for (unsigned i = 0; i < size; i++) {
            io_write_unit(mr, off + i, 1, val >> (i * 8), imin, imax);
        }
    } else {
        io_write_unit(mr, off, size, val, imin, imax);
    }
    return MEMTX_OK;
}

static void code_check(MemRegion *mr, hwaddr off, uint64_t len)
{
    uint64_t p0 = off >> TARGET_PAGE_BITS;
    uint64_t p1 = (off + len - 1) >> TARGET_PAGE_BITS;

    for (uint64_t p = p0; p <= p1; p++) {
        if (mr->code_pages[p]) {
            code_write_notify(mr, off, len);
            return;
        }
    }
}

static inline void ram_write(MemRegion *mr, hwaddr off, const void *src, uint64_t len)
{
    memcpy(mr->ram + off, src, len);
    if (unlikely(code_write_notify != NULL) && len) {
        code_check(mr, off, len);
    }
}

static inline bool ram_in_bounds(const MemRegion *mr, hwaddr off, unsigned size)
{
    return size >= 1 && size <= 8 && off < mr->size && mr->size - off >= size;
}

MemTxResult mr_dispatch_read(MemRegion *mr, hwaddr off, unsigned size, uint64_t *val)
{
    switch (mr->type) {
    case MR_IO:
        mr->stat_reads++;
        return io_read(mr, off, size, val);
    case MR_RAM:
    case MR_ROM:
        if (unlikely(!ram_in_bounds(mr, off, size))) {
            *val = size_ones(size);
            return MEMTX_ERROR;
        }
        *val = ldn_le(mr->ram + off, size);
        return MEMTX_OK;
    case MR_ALIAS:
        return mr_dispatch_read(mr->alias_of, off + mr->alias_offset, size, val);
    default:
        *val = size_ones(size);
        return MEMTX_UNASSIGNED;
    }
}

MemTxResult mr_dispatch_write(MemRegion *mr, hwaddr off, unsigned size, uint64_t val)
{
    switch (mr->type) {
    case MR_IO:
        mr->stat_writes++;
        return io_write(mr, off, size, val);
    case MR_RAM:
        if (unlikely(!ram_in_bounds(mr, off, size))) {
            return MEMTX_ERROR;
        }
        if (!mr->readonly) {
            uint8_t b[8];
            stn_le(b, size, val);
            ram_write(mr, off, b, size);
        }
        return MEMTX_OK;
    case MR_ROM:
        return ram_in_bounds(mr, off, size) ? MEMTX_OK : MEMTX_ERROR;
    case MR_ALIAS:
        if (mr->readonly) {
            return MEMTX_OK;
        }
        return mr_dispatch_write(mr->alias_of, off + mr->alias_offset, size, val);
    default:
        return MEMTX_UNASSIGNED;
    }
}

/* ---------------------------------------------------------------------------------------
 * Accesses through an address space
 */

static void unassigned_access(AddressSpace *as, hwaddr addr, uint8_t *buf, uint64_t len,
                              bool is_write)
{
    if (!is_write) {
        memset(buf, 0xff, len);
    }
    if (log_enabled(LOG_GUEST_ERROR)) {
        log_printf("memory: %s: unassigned %s of %" PRIu64 " byte%s at 0x%" PRIx64 "\n",
                   as->name, is_write ? "write" : "read", len, len == 1 ? "" : "s", addr);
    }
}

/* Largest naturally aligned power-of-two piece (or unaligned if the region allows it) that
 * fits len, 8 bytes and the region's valid_max. */
static unsigned io_piece_size(const MemRegion *mr, hwaddr off, uint64_t len)
{
    unsigned vmin, vmax, imin, imax, sz;

    ops_sizes(mr->ops, &vmin, &vmax, &imin, &imax);
    sz = 8;
    while (sz > 1 && (sz > len || sz > vmax)) {
        sz >>= 1;
    }
    if (!mr->ops->unaligned) {
        while (sz > 1 && (off & (sz - 1))) {
            sz >>= 1;
        }
    }
    return sz;
}

static MemTxResult io_rw_buf(MemRegion *mr, hwaddr off, uint8_t *p, uint64_t len,
                             bool is_write)
{
    MemTxResult res = MEMTX_OK;

    while (len) {
        unsigned sz = io_piece_size(mr, off, len);
        MemTxResult r;
        if (is_write) {
            r = io_write(mr, off, sz, ldn_le(p, sz));
        } else {
            uint64_t v;
            r = io_read(mr, off, sz, &v);
            stn_le(p, sz, v);
        }
        res = MAX(res, r);
        off += sz;
        p += sz;
        len -= sz;
    }
    return res;
}

MemTxResult as_rw(AddressSpace *as, hwaddr addr, void *buf, uint64_t len, bool is_write)
{
    FlatView *fv;
    uint8_t *p = buf;
    MemTxResult res = MEMTX_OK;

    if (!len) {
        return MEMTX_OK;
    }
    /* Hold the view: an I/O callback may change the topology under us. */
    fv = as_get_view(as);
    while (len) {
        int i = ranges_lower_bound(fv->ranges, fv->nr, addr);
        const FlatRange *fr = i < fv->nr ? &fv->ranges[i] : NULL;
        uint64_t chunk;

        if (!fr || fr->start > addr) {
            chunk = fr ? MIN(len, fr->start - addr) : len;
            unassigned_access(as, addr, p, chunk, is_write);
            res = MAX(res, MEMTX_UNASSIGNED);
        } else {
            uint64_t in = addr - fr->start;
            hwaddr off = fr->offset + in;
            MemRegion *mr = fr->mr;

            chunk = MIN(len, fr->size - in);
            if (mr->type == MR_IO) {
                MemTxResult r;
                if (is_write) {
                    mr->stat_writes++;
                } else {
                    mr->stat_reads++;
                }
                r = io_rw_buf(mr, off, p, chunk, is_write);
                res = MAX(res, r);
            } else if (!is_write) {
                memcpy(p, mr->ram + off, chunk);
            } else if (!fr->readonly) {
                ram_write(mr, off, p, chunk);
            }
        }
        p += chunk;
        addr += chunk;
        len -= chunk;
    }
    flatview_unref(fv);
    return res;
}

MemTxResult as_ld(AddressSpace *as, hwaddr addr, unsigned size, uint64_t *val)
{
    const FlatView *fv = __atomic_load_n(&as->view, __ATOMIC_ACQUIRE);
    const FlatRange *fr = fv_lookup(fv, addr);
    uint8_t buf[8];
    MemTxResult r;

    if (unlikely(size < 1 || size > 8)) {
        *val = ~0ULL;
        return MEMTX_ERROR;
    }
    if (likely(fr && size <= fr->size && addr - fr->start <= fr->size - size)) {
        return mr_dispatch_read(fr->mr, fr->offset + (addr - fr->start), size, val);
    }
    /* Unassigned, or straddling two ranges. */
    r = as_rw(as, addr, buf, size, false);
    *val = ldn_le(buf, size);
    return r;
}

MemTxResult as_st(AddressSpace *as, hwaddr addr, unsigned size, uint64_t val)
{
    const FlatView *fv = __atomic_load_n(&as->view, __ATOMIC_ACQUIRE);
    const FlatRange *fr = fv_lookup(fv, addr);
    uint8_t buf[8];

    if (unlikely(size < 1 || size > 8)) {
        return MEMTX_ERROR;
    }
    if (likely(fr && size <= fr->size && addr - fr->start <= fr->size - size)) {
        if (fr->readonly) {
            return MEMTX_OK;
        }
        return mr_dispatch_write(fr->mr, fr->offset + (addr - fr->start), size, val);
    }
    stn_le(buf, size, val);
    return as_rw(as, addr, buf, size, true);
}

void *as_map_ram(AddressSpace *as, hwaddr addr, uint64_t *len, bool is_write)
{
    const FlatView *fv = __atomic_load_n(&as->view, __ATOMIC_ACQUIRE);
    const FlatRange *fr = fv_lookup(fv, addr);
    const FlatRange *end;
    uint8_t *host, *next;
    uint64_t avail;

    if (!fr || fr->mr->type == MR_IO || (is_write && fr->readonly)) {
        *len = 0;
        return NULL;
    }
    host = fr->mr->ram + fr->offset + (addr - fr->start);
    avail = fr->size - (addr - fr->start);
    next = host + avail;
    /* Neighbouring ranges continue the mapping when their host memory follows on. */
    end = fv->ranges + fv->nr;
    for (const FlatRange *n = fr + 1; avail < *len && n < end; n++) {
        if (n->start != fr_last(n - 1) + 1 || n->mr->type == MR_IO ||
            (is_write && n->readonly) || n->mr->ram + n->offset != next) {
            break;
        }
        avail += n->size;
        next += n->size;
    }
    *len = MIN(*len, avail);
    if (is_write && unlikely(code_write_notify != NULL)) {
        /* Tell the TCG about each region piece that has translated code. */
        uint64_t done = 0;
        for (const FlatRange *n = fr; done < *len; n++) {
            uint64_t in = n == fr ? addr - fr->start : 0;
            uint64_t piece = MIN(*len - done, n->size - in);
            code_check(n->mr, n->offset + in, piece);
            done += piece;
        }
    }
    return host;
}

/* ---------------------------------------------------------------------------------------
 * Access counters
 */

typedef struct IoStatEntry {
    const MemRegion *mr;
    hwaddr addr;
} IoStatEntry;

typedef struct IoStatList {
    IoStatEntry *e;
    int nr, cap;
} IoStatList;

/* Aliases are followed only when `aliases` (the second pass), so that a region mapped both
 * directly and through an alias is listed at its own address. */
static void io_stat_collect(IoStatList *l, const MemRegion *mr, i128 base, int depth,
                            bool aliases)
{
    if (depth > MR_MAX_DEPTH) {
        return;
    }
    switch (mr->type) {
    case MR_IO:
        for (int i = 0; i < l->nr; i++) {
            if (l->e[i].mr == mr) {
                return;
            }
        }
        if (l->nr == l->cap) {
            IoStatEntry *grown = xmalloc((l->cap ? l->cap * 2 : 32) * sizeof(*grown));
            if (l->nr) {
                memcpy(grown, l->e, l->nr * sizeof(*grown));
            }
            free(l->e);
            l->e = grown;
            l->cap = l->cap ? l->cap * 2 : 32;
        }
        l->e[l->nr].mr = mr;
        l->e[l->nr].addr = (hwaddr)base;
        l->nr++;
        break;
    case MR_ALIAS:
        if (mr->alias_of && aliases) {
            io_stat_collect(l, mr->alias_of, base - (i128)mr->alias_offset, depth + 1, true);
        }
        break;
    case MR_CONTAINER:
        for (int i = 0; i < mr->nr_children; i++) {
            const MemRegion *c = mr->children[i];
            io_stat_collect(l, c, base + (i128)c->addr, depth + 1, aliases);
        }
        break;
    default:
        break;
    }
}

static int io_stat_cmp(const void *a, const void *b)
{
    const IoStatEntry *x = a, *y = b;

    if (x->addr != y->addr) {
        return x->addr < y->addr ? -1 : 1;
    }
    return strcmp(x->mr->name, y->mr->name);
}

void as_foreach_io_stat(AddressSpace *as, MemIoStatFunc *fn, void *opaque)
{
    IoStatList l = { 0 };

    if (as->root) {
        io_stat_collect(&l, as->root, 0, 0, false);
        io_stat_collect(&l, as->root, 0, 0, true);
    }
    if (l.nr) {
        qsort(l.e, l.nr, sizeof(*l.e), io_stat_cmp);
    }
    for (int i = 0; i < l.nr; i++) {
        const MemRegion *mr = l.e[i].mr;
        fn(opaque, mr->name, l.e[i].addr, mr->stat_reads, mr->stat_writes);
    }
    free(l.e);
}

void as_reset_io_stats(AddressSpace *as)
{
    IoStatList l = { 0 };

    if (as->root) {
        io_stat_collect(&l, as->root, 0, 0, true);
    }
    for (int i = 0; i < l.nr; i++) {
        MemRegion *mr = (MemRegion *)l.e[i].mr;
        mr->stat_reads = 0;
        mr->stat_writes = 0;
    }
    free(l.e);
}

/* ---------------------------------------------------------------------------------------
 * Dump
 */

static void dump_tree(FILE *f, const MemRegion *mr, i128 base, int depth)
{
    hwaddr start = (hwaddr)base;
    hwaddr last = mr->size ? (hwaddr)(base + (i128)mr->size - 1) : start;

    fprintf(f, "%*s%016" PRIx64 "-%016" PRIx64 " (prio %d, %s%s%s): %s", 2 + depth * 2, "",
            start, last, mr->priority, mr_type_name(mr->type), mr->readonly ? ", ro" : "",
            mr->enabled ? "" : ", disabled", mr->name);
    if (mr->type == MR_ALIAS && mr->alias_of) {
        fprintf(f, " @%s %016" PRIx64 "-%016" PRIx64, mr->alias_of->name, mr->alias_offset,
                mr->alias_offset + (mr->size ? mr->size - 1 : 0));
    }
    fputc('\n', f);
    if (depth >= MR_MAX_DEPTH) {
        return;
    }
    for (int i = 0; i < mr->nr_children; i++) {
        const MemRegion *c = mr->children[i];
        dump_tree(f, c, base + (i128)c->addr, depth + 1);
    }
}

void as_dump(AddressSpace *as, FILE *f)
{
    const FlatView *fv = as->view;

    fprintf(f, "address-space: %s\n", as->name);
    if (as->root) {
        dump_tree(f, as->root, 0, 0);
    }
    fprintf(f, "flat view of %s: %d range%s\n", as->name, fv ? fv->nr : 0,
            fv && fv->nr == 1 ? "" : "s");
    for (int i = 0; fv && i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        fprintf(f, "  %016" PRIx64 "-%016" PRIx64 " %-3s %s @%016" PRIx64 "%s\n", fr->start,
                fr_last(fr), mr_type_name(fr->mr->type), fr->mr->name, fr->offset,
                fr->readonly ? " ro" : "");
    }
}

/* SPDX-License-Identifier: MIT */
/*
 * hw/core/memory.h — the guest memory graph.
 *
 * A tree of regions (RAM, ROM, I/O callbacks, containers, aliases) is flattened into an
 * address space's FlatView: a sorted array of non-overlapping ranges, each naming the leaf
 * region and the offset inside it that the range starts at. Every consumer reads the same
 * flat view: the TCG softmmu (as_lookup), KVM memory slots (MemListener), DMA (as_rw,
 * as_map_ram). Overlapping subregions are resolved by priority (higher wins); overlaps of
 * equal priority are reported on stderr when they are made (the later one wins).
 *
 * Topology changes (add/del subregion, enable, move, readonly) rebuild the flat views of
 * every address space whose root contains the changed region, then tell the listeners.
 * Callers hold the big lock (system/cpus.h) for topology changes; readers take a reference
 * to the current view with as_get_view()/flatview_unref() or, on a vCPU thread that holds
 * no reference across a topology change, read as->view directly.
 */
#ifndef HW_CORE_MEMORY_H
#define HW_CORE_MEMORY_H

#include "util/osdep.h"

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ULL << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_UNASSIGNED = 1,   /* nothing mapped there: reads give all ones, writes are dropped */
    MEMTX_ERROR = 2,        /* an access size the region does not accept */
} MemTxResult;

/*
 * Callbacks of an I/O region. Values are little-endian numbers of `size` bytes.
 * valid_min/valid_max: the access sizes (1, 2, 4, 8) the guest may use; others are
 *   refused with MEMTX_ERROR (reads give all ones). 0/0 means 1..4.
 * impl_min/impl_max: the sizes the callbacks implement. The core splits a larger access
 *   into several of impl_max (little-endian order, ascending addresses) and widens a smaller
 *   one to impl_min: a read reads the aligned wider unit and extracts the bytes; a write
 *   writes the aligned wider unit with the value shifted into place and the other bytes 0.
 *   0/0 means the same as valid.
 * unaligned: accesses need not be naturally aligned (otherwise they are split into bytes).
 */
typedef struct MemRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t val, unsigned size);
    unsigned valid_min, valid_max;
    unsigned impl_min, impl_max;
    bool unaligned;
} MemRegionOps;

typedef enum MemRegionType {
    MR_RAM, MR_ROM, MR_IO, MR_CONTAINER, MR_ALIAS,
} MemRegionType;

typedef struct MemRegion MemRegion;
struct MemRegion {
    const char *name;
    MemRegionType type;
    uint64_t size;
    /* RAM/ROM: host memory (page aligned, zeroed). ROM ignores guest writes. */
    uint8_t *ram;
    /* RAM/ROM: one byte per target page, set by the TCG when it translates code there. */
    uint8_t *code_pages;
    /* I/O */
    const MemRegionOps *ops;
    void *opaque;
    /* alias: this region shows [alias_offset, alias_offset + size) of alias_of */
    MemRegion *alias_of;
    hwaddr alias_offset;
    /* position in the parent */
    MemRegion *parent;
    hwaddr addr;
    int priority;
    bool enabled;
    bool readonly;      /* RAM mapped read-only (writes dropped) */
    /* children (containers), highest priority first, then latest added first */
    MemRegion **children;
    int nr_children;
    unsigned add_seq;   /* order of addition, for equal priorities */
    /* I/O regions: guest accesses dispatched to the callbacks (one per access as the
     * guest or a DMA made it, before any split or widening; refused sizes included).
     * Plain increments: every dispatch runs under the big lock. */
    uint64_t stat_reads, stat_writes;
};

/* Region constructors. `mr` is caller-owned storage (usually inside a device's state). */
void mr_init_ram(MemRegion *mr, const char *name, uint64_t size);
void mr_init_rom(MemRegion *mr, const char *name, uint64_t size);
void mr_init_io(MemRegion *mr, const char *name, const MemRegionOps *ops, void *opaque,
                uint64_t size);
void mr_init_container(MemRegion *mr, const char *name, uint64_t size);
void mr_init_alias(MemRegion *mr, const char *name, MemRegion *orig, hwaddr offset,
                   uint64_t size);
/* Frees what mr_init_* allocated (RAM, children array); the region must be detached. */
void mr_destroy(MemRegion *mr);

/* Topology. All of these rebuild the affected flat views and notify listeners. */
void mr_add_subregion(MemRegion *parent, hwaddr addr, MemRegion *child, int priority);
void mr_del_subregion(MemRegion *parent, MemRegion *child);
void mr_set_enabled(MemRegion *mr, bool enabled);
void mr_set_address(MemRegion *mr, hwaddr addr);
void mr_set_readonly(MemRegion *mr, bool readonly);
/* Batch several topology changes into one rebuild. Nestable. */
void mr_transaction_begin(void);
void mr_transaction_commit(void);

/* Host pointer of a RAM/ROM region (or of the region an alias resolves to). NULL for I/O. */
uint8_t *mr_ram_ptr(MemRegion *mr);

/*
 * Code-write notifier: called after a write through this API (as_rw, as_st,
 * mr_dispatch_write) lands on RAM whose code_pages byte is set for any page it touches, and
 * from as_map_ram(is_write) for a mapped span containing such a page (before the DMA
 * happens). The TCG registers one to drop its translations there (and clears the bytes).
 * Stores the vCPU makes through its own TLB fast path are not seen here. NULL: none.
 */
typedef void MemCodeWriteFunc(MemRegion *mr, hwaddr offset, uint64_t len);
void mr_set_code_write_notify(MemCodeWriteFunc *fn);

/* One range of a flat view: [start, start + size) maps to `mr` (a RAM, ROM or I/O leaf) at
 * offset `offset`. readonly is set for ROM and read-only RAM. */
typedef struct FlatRange {
    hwaddr start;
    uint64_t size;
    MemRegion *mr;
    hwaddr offset;
    bool readonly;
} FlatRange;

typedef struct FlatView {
    int ref;
    int nr;
    FlatRange *ranges;   /* sorted by start, non-overlapping, holes are unassigned */
} FlatView;

typedef struct MemListener MemListener;
typedef struct AddressSpace {
    const char *name;
    MemRegion *root;
    FlatView *view;
    MemListener **listeners;
    int nr_listeners;
} AddressSpace;

/*
 * Listener: told of the difference between the old and the new flat view after each
 * rebuild: region_del for each range that went away or changed, region_add for each new or
 * changed one, then commit. Adding a listener replays region_add for the current view
 * (between begin and commit); removing one calls nothing. A rebuild that gives the same
 * view as before keeps the old view and tells nobody.
 */
struct MemListener {
    void (*begin)(MemListener *l);
    void (*region_add)(MemListener *l, const FlatRange *fr);
    void (*region_del)(MemListener *l, const FlatRange *fr);
    void (*commit)(MemListener *l);
    void *opaque;
};

void as_init(AddressSpace *as, MemRegion *root, const char *name);
void as_destroy(AddressSpace *as);
void as_add_listener(AddressSpace *as, MemListener *l);
void as_del_listener(AddressSpace *as, MemListener *l);

FlatView *as_get_view(AddressSpace *as);     /* takes a reference */
void flatview_unref(FlatView *fv);

/* The range containing addr in the current view, or NULL when unassigned. */
const FlatRange *as_lookup(AddressSpace *as, hwaddr addr);

/*
 * Access of any length at any address: split across ranges and into sizes the I/O regions
 * accept (naturally aligned power-of-two pieces up to 8 bytes). buf is guest byte order
 * (little-endian). Returns the worst result of the pieces.
 */
MemTxResult as_rw(AddressSpace *as, hwaddr addr, void *buf, uint64_t len, bool is_write);
static inline MemTxResult as_read(AddressSpace *as, hwaddr addr, void *buf, uint64_t len)
{
    return as_rw(as, addr, buf, len, false);
}
static inline MemTxResult as_write(AddressSpace *as, hwaddr addr, const void *buf, uint64_t len)
{
    return as_rw(as, addr, (void *)buf, len, true);
}
/* One access of size 1, 2, 4 or 8 as a number (the path of a CPU load/store to I/O). */
MemTxResult as_ld(AddressSpace *as, hwaddr addr, unsigned size, uint64_t *val);
MemTxResult as_st(AddressSpace *as, hwaddr addr, unsigned size, uint64_t val);
/* The same on a leaf region at an offset (used by the softmmu once it has a FlatRange). */
MemTxResult mr_dispatch_read(MemRegion *mr, hwaddr off, unsigned size, uint64_t *val);
MemTxResult mr_dispatch_write(MemRegion *mr, hwaddr off, unsigned size, uint64_t val);

/*
 * DMA: a host pointer to guest RAM at addr, contiguous for *len bytes (shortened to what is
 * contiguous RAM), or NULL when addr is not RAM (or is ROM and is_write).
 */
void *as_map_ram(AddressSpace *as, hwaddr addr, uint64_t *len, bool is_write);

/*
 * The access counters of every I/O region in as's region tree (containers and aliases
 * followed; each region once, disabled ones too), in ascending address order: its name,
 * the address in as where it starts (where it is mapped itself, else through an alias),
 * its reads and its writes. For the monitor and --compare's per-device table.
 */
typedef void MemIoStatFunc(void *opaque, const char *name, hwaddr addr, uint64_t reads,
                           uint64_t writes);
void as_foreach_io_stat(AddressSpace *as, MemIoStatFunc *fn, void *opaque);
/* Zero the access counters of every I/O region in as's region tree (the same regions). */
void as_reset_io_stats(AddressSpace *as);

/* Print the flat view ("info mtree"-like) for the monitor and tests. */
void as_dump(AddressSpace *as, FILE *f);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_memory.c — unit tests of the memory graph (hw/core/memory.c).
 *
 * Covers flattening (priorities, equal-priority overlaps, containers, aliases, merging),
 * topology changes (enable, move, readonly, delete, transactions), listeners, I/O dispatch
 * (split, widen, valid sizes, unaligned), unassigned and ROM accesses, as_rw across ranges,
 * as_map_ram, the code-write notifier, view reference counting, as_dump and the per-region
 * access counters (as_foreach_io_stat). Not covered:
 * concurrent readers (no threads here).
 */
#include "util/osdep.h"
#include "hw/core/memory.h"
#include <check.h>
#include <unistd.h>
#include "tests/unit/capture.h"

/* ---------------------------------------------------------------------------------------
 * Fixture: a 4 GiB root container, an address space over it, and a pool of regions that
 * teardown detaches and destroys.
 */

static MemRegion pool[32];
static int pool_nr;
static MemRegion *root;
static AddressSpace as;

static MemRegion *new_region(void)
{
    ck_assert_int_lt(pool_nr, (int)ARRAY_SIZE(pool));
    return &pool[pool_nr++];
}

static MemRegion *new_ram(const char *name, uint64_t size)
{
    MemRegion *mr = new_region();
    mr_init_ram(mr, name, size);
    return mr;
}

static MemRegion *new_rom(const char *name, uint64_t size)
{
    MemRegion *mr = new_region();
    mr_init_rom(mr, name, size);
    return mr;
}

static MemRegion *new_container(const char *name, uint64_t size)
{
    MemRegion *mr = new_region();
    mr_init_container(mr, name, size);
    return mr;
}

static MemRegion *new_alias(const char *name, MemRegion *orig, hwaddr off, uint64_t size)
{
    MemRegion *mr = new_region();
    mr_init_alias(mr, name, orig, off, size);
    return mr;
}

static void setup(void)
{
    pool_nr = 0;
    memset(pool, 0, sizeof(pool));
    root = new_container("root", 4 * GiB);
    as_init(&as, root, "test");
}

static void teardown(void)
{
    as_destroy(&as);
    for (int i = pool_nr - 1; i >= 0; i--) {
        if (pool[i].parent) {
            mr_del_subregion(pool[i].parent, &pool[i]);
        }
    }
    for (int i = 0; i < pool_nr; i++) {
        mr_destroy(&pool[i]);
    }
    pool_nr = 0;
}

/* ---------------------------------------------------------------------------------------
 * A recording device: 256 bytes of registers, every callback logged.
 */

typedef struct Call {
    bool write;
    hwaddr addr;
    unsigned size;
    uint64_t val;
} Call;

typedef struct Dev {
    uint8_t regs[256];
    Call calls[64];
    int n;
} Dev;

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    Dev *d = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)d->regs[(addr + i) & 0xff] << (i * 8);
    }
    ck_assert_int_lt(d->n, (int)ARRAY_SIZE(d->calls));
    d->calls[d->n++] = (Call){ false, addr, size, v };
    return v;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    Dev *d = opaque;
    for (unsigned i = 0; i < size; i++) {
        d->regs[(addr + i) & 0xff] = val >> (i * 8);
    }
    ck_assert_int_lt(d->n, (int)ARRAY_SIZE(d->calls));
    d->calls[d->n++] = (Call){ true, addr, size, val };
}

static MemRegion *new_io(const char *name, const MemRegionOps *ops, Dev *d, uint64_t size)
{
    MemRegion *mr = new_region();
    mr_init_io(mr, name, ops, d, size);
    return mr;
}

#define ck_call(d, i, w, a, s, v) do { \
    ck_assert_int_eq((d)->calls[i].write, (w)); \
    ck_assert_uint_eq((d)->calls[i].addr, (a)); \
    ck_assert_uint_eq((d)->calls[i].size, (s)); \
    ck_assert_uint_eq((d)->calls[i].val, (v)); \
} while (0)

static const MemRegionOps ops_1_4 = { .read = dev_read, .write = dev_write,
                                      .valid_min = 1, .valid_max = 4 };
static const MemRegionOps ops_bytes = { .read = dev_read, .write = dev_write,
                                        .valid_min = 1, .valid_max = 8,
                                        .impl_min = 1, .impl_max = 1 };
static const MemRegionOps ops_impl4 = { .read = dev_read, .write = dev_write,
                                        .valid_min = 1, .valid_max = 8,
                                        .impl_min = 4, .impl_max = 4 };
static const MemRegionOps ops_valid4 = { .read = dev_read, .write = dev_write,
                                         .valid_min = 4, .valid_max = 4 };
static const MemRegionOps ops_unaligned = { .read = dev_read, .write = dev_write,
                                            .valid_min = 1, .valid_max = 4,
                                            .unaligned = true };

/* ---------------------------------------------------------------------------------------
 * stderr capture (error_report) into a string.
 */

static const FlatRange *range(int i)
{
    ck_assert_int_lt(i, as.view->nr);
    return &as.view->ranges[i];
}

#define ck_range(i, s, sz, m, o) do { \
    const FlatRange *fr_ = range(i); \
    ck_assert_uint_eq(fr_->start, (s)); \
    ck_assert_uint_eq(fr_->size, (sz)); \
    ck_assert_ptr_eq(fr_->mr, (m)); \
    ck_assert_uint_eq(fr_->offset, (o)); \
} while (0)

/* ---------------------------------------------------------------------------------------
 * Regions and flattening
 */

START_TEST(test_ram_init)
{
    MemRegion *ram = new_ram("ram", 3 * TARGET_PAGE_SIZE + 1);
    MemRegion *al = new_alias("al", ram, 0x1234, 0x100);
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x10);

    ck_assert_ptr_nonnull(ram->ram);
    ck_assert_uint_eq((uintptr_t)ram->ram & (TARGET_PAGE_SIZE - 1), 0);
    for (uint64_t i = 0; i < ram->size; i++) {
        ck_assert_uint_eq(ram->ram[i], 0);
    }
    ck_assert_ptr_nonnull(ram->code_pages);
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(ram->code_pages[i], 0);
    }
    ck_assert_ptr_eq(mr_ram_ptr(ram), ram->ram);
    ck_assert_ptr_eq(mr_ram_ptr(al), ram->ram + 0x1234);
    ck_assert_ptr_null(mr_ram_ptr(io));
    ck_assert_ptr_null(mr_ram_ptr(root));
    ck_assert_str_eq(ram->name, "ram");
    ck_assert(ram->enabled);

    /* An empty root: no ranges at all. */
    ck_assert_int_eq(as.view->nr, 0);
    ck_assert_ptr_null(as_lookup(&as, 0));
}
END_TEST

START_TEST(test_priority_overlap)
{
    MemRegion *ram = new_ram("ram", 0x10000);
    Dev d = { 0 }, d2 = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x1000);
    MemRegion *low = new_io("low", &ops_1_4, &d2, 0x1000);
    const FlatRange *fr;

    mr_add_subregion(root, 0, ram, 0);
    mr_add_subregion(root, 0x2000, io, 1);
    mr_add_subregion(root, 0x8000, low, -1);    /* hidden under the RAM */

    ck_assert_int_eq(as.view->nr, 3);
    ck_range(0, 0x0, 0x2000, ram, 0x0);
    ck_range(1, 0x2000, 0x1000, io, 0x0);
    ck_range(2, 0x3000, 0xd000, ram, 0x3000);

    fr = as_lookup(&as, 0x1fff);
    ck_assert_ptr_eq(fr->mr, ram);
    fr = as_lookup(&as, 0x2000);
    ck_assert_ptr_eq(fr->mr, io);
    fr = as_lookup(&as, 0x2fff);
    ck_assert_ptr_eq(fr->mr, io);
    fr = as_lookup(&as, 0x3000);
    ck_assert_ptr_eq(fr->mr, ram);
    ck_assert_ptr_eq(as_lookup(&as, 0x8800)->mr, ram);
    ck_assert_ptr_null(as_lookup(&as, 0x10000));

    /* A higher-priority container is transparent where it has no children. */
    {
        MemRegion *c = new_container("c", 0x1000);
        Dev d3 = { 0 };
        MemRegion *inner = new_io("inner", &ops_1_4, &d3, 0x100);
        mr_add_subregion(c, 0x800, inner, 0);
        mr_add_subregion(root, 0x5000, c, 5);
        ck_assert_ptr_eq(as_lookup(&as, 0x5000)->mr, ram);
        ck_assert_ptr_eq(as_lookup(&as, 0x5800)->mr, inner);
        ck_assert_ptr_eq(as_lookup(&as, 0x5900)->mr, ram);
        ck_assert_uint_eq(as_lookup(&as, 0x5900)->offset, 0x5900);
    }
}
END_TEST

START_TEST(test_equal_priority_later_wins)
{
    Dev d1 = { 0 }, d2 = { 0 };
    MemRegion *a = new_io("dev-a", &ops_1_4, &d1, 0x1000);
    MemRegion *b = new_io("dev-b", &ops_1_4, &d2, 0x1000);
    MemRegion *c = new_ram("ram-c", 0x1000);
    Capture cap;
    char *out;

    capture_begin(&cap);
    mr_add_subregion(root, 0x1000, a, 0);
    out = capture_end(&cap);
    ck_assert_str_eq(out, "");

    capture_begin(&cap);
    mr_add_subregion(root, 0x1800, b, 0);
    out = capture_end(&cap);
    ck_assert_ptr_nonnull(strstr(out, "dev-a"));
    ck_assert_ptr_nonnull(strstr(out, "dev-b"));
    ck_assert_ptr_nonnull(strstr(out, "equal priority"));
    ck_assert_ptr_eq(strchr(out, '\n'), strrchr(out, '\n'));   /* one line */

    /* b was added later: it wins where they overlap. */
    ck_assert_int_eq(as.view->nr, 2);
    ck_range(0, 0x1000, 0x800, a, 0);
    ck_range(1, 0x1800, 0x1000, b, 0);
    ck_assert_uint_eq(as_st(&as, 0x1900, 1, 0x5a), MEMTX_OK);
    ck_assert_int_eq(d1.n, 0);
    ck_assert_int_eq(d2.n, 1);
    ck_call(&d2, 0, true, 0x100, 1, 0x5a);

    /* Reported once: later topology changes say nothing more. */
    capture_begin(&cap);
    mr_add_subregion(root, 0x8000, c, 0);
    mr_set_address(c, 0x9000);
    out = capture_end(&cap);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_containers_nested)
{
    MemRegion *c1 = new_container("c1", 0x10000);
    MemRegion *c2 = new_container("c2", 0x2000);
    MemRegion *ram = new_ram("ram", 0x4000);
    const FlatRange *fr;
    uint32_t v = 0xcafef00d;
    uint64_t x;

    mr_add_subregion(c2, 0x100, ram, 0);
    mr_add_subregion(c1, 0x1000, c2, 0);
    ck_assert_int_eq(as.view->nr, 0);           /* not under the root yet */
    mr_add_subregion(root, 0x10000, c1, 0);

    /* ram at 0x10000 + 0x1000 + 0x100, clipped by c2's end (0x13000). */
    ck_assert_int_eq(as.view->nr, 1);
    ck_range(0, 0x11100, 0x1f00, ram, 0);
    fr = as_lookup(&as, 0x12fff);
    ck_assert_ptr_eq(fr->mr, ram);
    ck_assert_ptr_null(as_lookup(&as, 0x13000));
    ck_assert_ptr_null(as_lookup(&as, 0x110ff));

    ck_assert_uint_eq(as_write(&as, 0x11104, &v, 4), MEMTX_OK);
    ck_assert_uint_eq(ram->ram[4], 0x0d);
    ck_assert_uint_eq(ram->ram[7], 0xca);
    ck_assert_uint_eq(as_ld(&as, 0x11104, 4, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0xcafef00d);

    /* Moving the middle container moves everything below it. */
    mr_set_address(c1, 0x40000);
    ck_range(0, 0x41100, 0x1f00, ram, 0);
    ck_assert_uint_eq(as_ld(&as, 0x41104, 4, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0xcafef00d);
}
END_TEST

START_TEST(test_alias_ram_middle)
{
    MemRegion *ram = new_ram("ram", 0x10000);
    MemRegion *win = new_alias("win", ram, 0x3000, 0x1000);
    const FlatRange *fr;
    uint64_t x, len;
    uint8_t *p;

    mr_add_subregion(root, 0x100000, win, 0);
    ck_assert_int_eq(as.view->nr, 1);
    ck_range(0, 0x100000, 0x1000, ram, 0x3000);

    ck_assert_uint_eq(as_st(&as, 0x100010, 4, 0x11223344), MEMTX_OK);
    ck_assert_uint_eq(ram->ram[0x3010], 0x44);
    ck_assert_uint_eq(ram->ram[0x3013], 0x11);
    ram->ram[0x3ffc] = 0x99;
    ck_assert_uint_eq(as_ld(&as, 0x100ffc, 1, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x99);
    fr = as_lookup(&as, 0x100fff);
    ck_assert_ptr_eq(fr->mr, ram);
    ck_assert_ptr_null(as_lookup(&as, 0x101000));

    len = 0x10000;
    p = as_map_ram(&as, 0x100800, &len, true);
    ck_assert_ptr_eq(p, ram->ram + 0x3800);
    ck_assert_uint_eq(len, 0x800);
}
END_TEST

START_TEST(test_alias_io)
{
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x100);
    MemRegion *al = new_alias("io-win", io, 0x40, 0x20);
    uint64_t x;

    mr_add_subregion(root, 0x5000, al, 0);
    ck_assert_int_eq(as.view->nr, 1);
    ck_range(0, 0x5000, 0x20, io, 0x40);

    ck_assert_uint_eq(as_st(&as, 0x5004, 4, 0xdeadbeef), MEMTX_OK);
    ck_assert_int_eq(d.n, 1);
    ck_call(&d, 0, true, 0x44, 4, 0xdeadbeef);
    ck_assert_uint_eq(as_ld(&as, 0x5006, 2, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0xdead);
    ck_call(&d, 1, false, 0x46, 2, 0xdead);

    /* Outside the window: unassigned, the device is not called. */
    ck_assert_uint_eq(as_ld(&as, 0x5020, 4, &x), MEMTX_UNASSIGNED);
    ck_assert_uint_eq(x, 0xffffffff);
    ck_assert_int_eq(d.n, 2);
}
END_TEST

START_TEST(test_alias_nested)
{
    MemRegion *ram = new_ram("ram", 0x10000);
    MemRegion *a = new_alias("a", ram, 0x1000, 0x2000);
    MemRegion *b = new_alias("b", a, 0x800, 0x400);
    MemRegion *c = new_container("c", 0x10000);
    MemRegion *ram2 = new_ram("ram2", 0x1000);
    MemRegion *ca = new_alias("c-alias", c, 0x2000, 0x4000);
    uint64_t x;

    mr_add_subregion(root, 0x9000, b, 0);
    ck_assert_int_eq(as.view->nr, 1);
    ck_range(0, 0x9000, 0x400, ram, 0x1800);
    ram->ram[0x1800] = 0xab;
    ck_assert_uint_eq(as_ld(&as, 0x9000, 1, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0xab);
    ck_assert_ptr_eq(mr_ram_ptr(b), ram->ram + 0x1800);

    /* An alias of a container follows changes inside the container. */
    mr_add_subregion(root, 0x40000, ca, 0);
    ck_assert_int_eq(as.view->nr, 1);
    mr_add_subregion(c, 0x3000, ram2, 0);
    ck_assert_int_eq(as.view->nr, 2);
    ck_range(1, 0x41000, 0x1000, ram2, 0);
    mr_set_address(ram2, 0x5800);                   /* half inside the window */
    ck_range(1, 0x43800, 0x800, ram2, 0);
}
END_TEST

START_TEST(test_merge_adjacent)
{
    MemRegion *ram = new_ram("ram", 0x4000);
    MemRegion *a1 = new_alias("a1", ram, 0x0, 0x1000);
    MemRegion *a2 = new_alias("a2", ram, 0x1000, 0x1000);
    MemRegion *a3 = new_alias("a3", ram, 0x3000, 0x1000);
    uint64_t len = 0x3000;
    uint8_t *p;

    mr_add_subregion(root, 0x20000, a1, 0);
    mr_add_subregion(root, 0x21000, a2, 0);
    mr_add_subregion(root, 0x22000, a3, 0);
    /* a1 and a2 continue each other: one range. a3 jumps in the host: another. */
    ck_assert_int_eq(as.view->nr, 2);
    ck_range(0, 0x20000, 0x2000, ram, 0);
    ck_range(1, 0x22000, 0x1000, ram, 0x3000);

    p = as_map_ram(&as, 0x20800, &len, false);
    ck_assert_ptr_eq(p, ram->ram + 0x800);
    ck_assert_uint_eq(len, 0x1800);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * I/O dispatch
 */

START_TEST(test_split_bytes)
{
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_bytes, &d, 0x100);
    uint64_t x;

    mr_add_subregion(root, 0x1000, io, 0);
    ck_assert_uint_eq(as_st(&as, 0x1010, 8, 0x0807060504030201ULL), MEMTX_OK);
    ck_assert_int_eq(d.n, 8);
    for (int i = 0; i < 8; i++) {
        ck_call(&d, i, true, 0x10 + i, 1, i + 1);
    }
    d.n = 0;
    ck_assert_uint_eq(as_ld(&as, 0x1010, 8, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x0807060504030201ULL);
    ck_assert_int_eq(d.n, 8);
    for (int i = 0; i < 8; i++) {
        ck_call(&d, i, false, 0x10 + i, 1, i + 1);
    }
    /* The same through mr_dispatch_* (the softmmu path). */
    d.n = 0;
    ck_assert_uint_eq(mr_dispatch_write(io, 0x20, 2, 0xbbaa), MEMTX_OK);
    ck_assert_int_eq(d.n, 2);
    ck_call(&d, 0, true, 0x20, 1, 0xaa);
    ck_call(&d, 1, true, 0x21, 1, 0xbb);
}
END_TEST

START_TEST(test_split_impl4)
{
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_impl4, &d, 0x100);
    uint64_t x;

    mr_add_subregion(root, 0x1000, io, 0);
    ck_assert_uint_eq(as_st(&as, 0x1008, 8, 0x1122334455667788ULL), MEMTX_OK);
    ck_assert_int_eq(d.n, 2);
    ck_call(&d, 0, true, 0x8, 4, 0x55667788);
    ck_call(&d, 1, true, 0xc, 4, 0x11223344);
    ck_assert_uint_eq(as_ld(&as, 0x1008, 8, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x1122334455667788ULL);
    ck_assert_int_eq(d.n, 4);
    ck_call(&d, 2, false, 0x8, 4, 0x55667788);
    ck_call(&d, 3, false, 0xc, 4, 0x11223344);
}
END_TEST

START_TEST(test_widen)
{
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_impl4, &d, 0x100);
    uint64_t x;

    mr_add_subregion(root, 0x1000, io, 0);
    d.regs[0] = 0x11;
    d.regs[1] = 0x22;
    d.regs[2] = 0x33;
    d.regs[3] = 0x44;

    /* 1-byte read of byte 2: one 4-byte read of the aligned unit, byte extracted. */
    ck_assert_uint_eq(as_ld(&as, 0x1002, 1, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x33);
    ck_assert_int_eq(d.n, 1);
    ck_call(&d, 0, false, 0x0, 4, 0x44332211);

    /* 2-byte read of bytes 2..3. */
    ck_assert_uint_eq(mr_dispatch_read(io, 0x2, 2, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x4433);
    ck_call(&d, 1, false, 0x0, 4, 0x44332211);

    /* 2-byte write at 2: the wider unit with the value shifted in, other bytes 0. */
    ck_assert_uint_eq(as_st(&as, 0x1006, 2, 0xbeef), MEMTX_OK);
    ck_assert_int_eq(d.n, 3);
    ck_call(&d, 2, true, 0x4, 4, 0xbeef0000);
    ck_assert_uint_eq(d.regs[4], 0);
    ck_assert_uint_eq(d.regs[6], 0xef);
    ck_assert_uint_eq(d.regs[7], 0xbe);

    /* 1-byte write at 1. */
    ck_assert_uint_eq(as_st(&as, 0x1001, 1, 0x5a), MEMTX_OK);
    ck_call(&d, 3, true, 0x0, 4, 0x5a00);
}
END_TEST

START_TEST(test_valid_refused)
{
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_valid4, &d, 0x100);
    uint64_t x;

    mr_add_subregion(root, 0x1000, io, 0);
    d.regs[0] = 0x12;

    ck_assert_uint_eq(as_ld(&as, 0x1000, 1, &x), MEMTX_ERROR);
    ck_assert_uint_eq(x, 0xff);
    ck_assert_uint_eq(as_ld(&as, 0x1000, 2, &x), MEMTX_ERROR);
    ck_assert_uint_eq(x, 0xffff);
    ck_assert_uint_eq(as_ld(&as, 0x1000, 8, &x), MEMTX_ERROR);
    ck_assert_uint_eq(x, ~0ULL);
    ck_assert_uint_eq(as_st(&as, 0x1000, 2, 0x1234), MEMTX_ERROR);
    ck_assert_uint_eq(mr_dispatch_write(io, 0, 1, 0x77), MEMTX_ERROR);
    ck_assert_int_eq(d.n, 0);
    ck_assert_uint_eq(d.regs[0], 0x12);

    ck_assert_uint_eq(as_ld(&as, 0x1000, 4, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x12);
    ck_assert_int_eq(d.n, 1);

    /* Default valid sizes (0/0) are 1..4. */
    {
        static const MemRegionOps dflt = { .read = dev_read, .write = dev_write };
        Dev d2 = { 0 };
        MemRegion *io2 = new_io("io2", &dflt, &d2, 0x10);
        mr_add_subregion(root, 0x2000, io2, 0);
        ck_assert_uint_eq(as_ld(&as, 0x2000, 1, &x), MEMTX_OK);
        ck_assert_uint_eq(as_ld(&as, 0x2000, 4, &x), MEMTX_OK);
        ck_assert_uint_eq(as_ld(&as, 0x2000, 8, &x), MEMTX_ERROR);
        ck_assert_int_eq(d2.n, 2);
        ck_call(&d2, 1, false, 0x0, 4, 0);
    }
}
END_TEST

START_TEST(test_unaligned)
{
    Dev d = { 0 }, du = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x100);
    MemRegion *iou = new_io("iou", &ops_unaligned, &du, 0x100);
    uint64_t x;

    mr_add_subregion(root, 0x1000, io, 0);
    mr_add_subregion(root, 0x2000, iou, 0);
    for (int i = 0; i < 8; i++) {
        d.regs[i] = 0xa0 + i;
        du.regs[i] = 0xa0 + i;
    }
    /* Not naturally aligned and the region does not take that: bytes. */
    ck_assert_uint_eq(as_ld(&as, 0x1001, 4, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0xa4a3a2a1);
    ck_assert_int_eq(d.n, 4);
    for (int i = 0; i < 4; i++) {
        ck_call(&d, i, false, 1 + i, 1, 0xa1 + i);
    }
    /* The unaligned region gets it whole. */
    ck_assert_uint_eq(as_ld(&as, 0x2001, 4, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0xa4a3a2a1);
    ck_assert_int_eq(du.n, 1);
    ck_call(&du, 0, false, 1, 4, 0xa4a3a2a1);
}
END_TEST

START_TEST(test_unassigned)
{
    MemRegion *ram = new_ram("ram", 0x1000);
    uint8_t buf[16];
    uint64_t x;
    char path[] = "/tmp/test_memory_logXXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    char text[1024];
    size_t n;

    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(log_set_file(path), 0);
    log_mask |= LOG_GUEST_ERROR;

    mr_add_subregion(root, 0, ram, 0);
    for (int i = 0; i < 0x1000; i++) {
        ram->ram[i] = i & 0xff;
    }
    ck_assert_uint_eq(as_ld(&as, 0x5000, 4, &x), MEMTX_UNASSIGNED);
    ck_assert_uint_eq(x, 0xffffffff);
    ck_assert_uint_eq(as_ld(&as, 0x5000, 8, &x), MEMTX_UNASSIGNED);
    ck_assert_uint_eq(x, ~0ULL);
    ck_assert_uint_eq(as_st(&as, 0x5000, 4, 0x1234), MEMTX_UNASSIGNED);

    /* Half RAM, half hole. */
    memset(buf, 0, sizeof(buf));
    ck_assert_uint_eq(as_read(&as, 0xff8, buf, 16), MEMTX_UNASSIGNED);
    for (int i = 0; i < 8; i++) {
        ck_assert_uint_eq(buf[i], 0xf8 + i);
        ck_assert_uint_eq(buf[8 + i], 0xff);
    }
    /* A write straddling the end: the RAM part lands, the rest is dropped. */
    memset(buf, 0x77, sizeof(buf));
    ck_assert_uint_eq(as_write(&as, 0xffc, buf, 8), MEMTX_UNASSIGNED);
    ck_assert_uint_eq(ram->ram[0xffc], 0x77);
    ck_assert_uint_eq(ram->ram[0xfff], 0x77);
    /* as_ld straddling RAM and a hole. */
    ck_assert_uint_eq(as_ld(&as, 0xffe, 4, &x), MEMTX_UNASSIGNED);
    ck_assert_uint_eq(x, 0xffff7777);

    log_flush();
    log_set_file(NULL);
    log_mask &= ~LOG_GUEST_ERROR;
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = 0;
    fclose(f);
    unlink(path);
    ck_assert_ptr_nonnull(strstr(text, "unassigned read of 4 bytes at 0x5000"));
    ck_assert_ptr_nonnull(strstr(text, "unassigned write of 4 bytes at 0x5000"));
    ck_assert_ptr_nonnull(strstr(text, "unassigned read of 8 bytes at 0x1000"));
}
END_TEST

START_TEST(test_rom)
{
    MemRegion *rom = new_rom("bios", 0x2000);
    uint8_t buf[4] = { 1, 2, 3, 4 };
    uint64_t x, len;

    mr_add_subregion(root, 0xe0000, rom, 0);
    rom->ram[0x10] = 0xea;          /* the board loads the image through the host pointer */
    ck_assert(as_lookup(&as, 0xe0000)->readonly);

    ck_assert_uint_eq(as_ld(&as, 0xe0010, 1, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0xea);
    ck_assert_uint_eq(as_st(&as, 0xe0010, 1, 0x90), MEMTX_OK);
    ck_assert_uint_eq(rom->ram[0x10], 0xea);
    ck_assert_uint_eq(as_write(&as, 0xe0010, buf, 4), MEMTX_OK);
    ck_assert_uint_eq(rom->ram[0x10], 0xea);
    ck_assert_uint_eq(rom->ram[0x11], 0);
    ck_assert_uint_eq(mr_dispatch_write(rom, 0x10, 4, 0x12345678), MEMTX_OK);
    ck_assert_uint_eq(rom->ram[0x10], 0xea);

    len = 0x100;
    ck_assert_ptr_null(as_map_ram(&as, 0xe0000, &len, true));
    len = 0x100;
    ck_assert_ptr_eq(as_map_ram(&as, 0xe0000, &len, false), rom->ram);
    ck_assert_uint_eq(len, 0x100);
}
END_TEST

START_TEST(test_readonly_ram)
{
    MemRegion *ram = new_ram("ram", 0x1000);
    MemRegion *ram2 = new_ram("ram2", 0x1000);
    MemRegion *ro_alias = new_alias("ro-alias", ram2, 0, 0x1000);
    uint8_t buf[2] = { 0xaa, 0xbb };
    uint64_t x, len;

    mr_add_subregion(root, 0x0, ram, 0);
    ck_assert(!as_lookup(&as, 0)->readonly);
    mr_set_readonly(ram, true);
    ck_assert(as_lookup(&as, 0)->readonly);
    ram->ram[0] = 0x42;
    ck_assert_uint_eq(as_st(&as, 0, 1, 0x99), MEMTX_OK);
    ck_assert_uint_eq(as_write(&as, 0, buf, 2), MEMTX_OK);
    ck_assert_uint_eq(ram->ram[0], 0x42);
    ck_assert_uint_eq(ram->ram[1], 0);
    ck_assert_uint_eq(as_ld(&as, 0, 1, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x42);
    len = 0x10;
    ck_assert_ptr_null(as_map_ram(&as, 0, &len, true));
    len = 0x10;
    ck_assert_ptr_eq(as_map_ram(&as, 0, &len, false), ram->ram);

    mr_set_readonly(ram, false);
    ck_assert(!as_lookup(&as, 0)->readonly);
    ck_assert_uint_eq(as_st(&as, 0, 1, 0x99), MEMTX_OK);
    ck_assert_uint_eq(ram->ram[0], 0x99);

    /* Read-only through an alias, writable through the region itself. */
    mr_set_readonly(ro_alias, true);
    mr_add_subregion(root, 0x10000, ro_alias, 0);
    mr_add_subregion(root, 0x20000, ram2, 0);
    ck_assert(as_lookup(&as, 0x10000)->readonly);
    ck_assert(!as_lookup(&as, 0x20000)->readonly);
    ck_assert_uint_eq(as_st(&as, 0x10000, 1, 0x11), MEMTX_OK);
    ck_assert_uint_eq(ram2->ram[0], 0);
    ck_assert_uint_eq(as_st(&as, 0x20000, 1, 0x22), MEMTX_OK);
    ck_assert_uint_eq(ram2->ram[0], 0x22);
    ck_assert_uint_eq(as_ld(&as, 0x10000, 1, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x22);
}
END_TEST

START_TEST(test_rw_ram_to_io)
{
    MemRegion *ram = new_ram("ram", 0x1000);
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x100);
    uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, in[8];

    mr_add_subregion(root, 0x0, ram, 0);
    mr_add_subregion(root, 0x1000, io, 0);
    ck_assert_uint_eq(as_write(&as, 0xffc, buf, 8), MEMTX_OK);
    ck_assert_uint_eq(ram->ram[0xffc], 1);
    ck_assert_uint_eq(ram->ram[0xfff], 4);
    ck_assert_int_eq(d.n, 1);
    ck_call(&d, 0, true, 0x0, 4, 0x08070605);

    memset(in, 0, sizeof(in));
    ck_assert_uint_eq(as_read(&as, 0xffc, in, 8), MEMTX_OK);
    ck_assert_mem_eq(in, buf, 8);
    ck_assert_int_eq(d.n, 2);
    ck_call(&d, 1, false, 0x0, 4, 0x08070605);

    /* An odd length into the device: naturally aligned pieces 4, 2, 1. */
    d.n = 0;
    ck_assert_uint_eq(as_write(&as, 0x1000, buf, 7), MEMTX_OK);
    ck_assert_int_eq(d.n, 3);
    ck_call(&d, 0, true, 0x0, 4, 0x04030201);
    ck_call(&d, 1, true, 0x4, 2, 0x0605);
    ck_call(&d, 2, true, 0x6, 1, 0x07);
    /* And a misaligned start: 1 at 1, 2 at 2, 4 at 4. */
    d.n = 0;
    ck_assert_uint_eq(as_write(&as, 0x1001, buf, 7), MEMTX_OK);
    ck_assert_int_eq(d.n, 3);
    ck_call(&d, 0, true, 0x1, 1, 0x01);
    ck_call(&d, 1, true, 0x2, 2, 0x0302);
    ck_call(&d, 2, true, 0x4, 4, 0x07060504);
}
END_TEST

START_TEST(test_ld_straddle)
{
    MemRegion *ram = new_ram("ram", 0x1000);
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x100);
    uint64_t x;

    mr_add_subregion(root, 0x0, ram, 0);
    mr_add_subregion(root, 0x1000, io, 0);
    ram->ram[0xffe] = 0x11;
    ram->ram[0xfff] = 0x22;
    d.regs[0] = 0x33;
    d.regs[1] = 0x44;
    ck_assert_uint_eq(as_ld(&as, 0xffe, 4, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x44332211);
    ck_assert_int_eq(d.n, 1);
    ck_call(&d, 0, false, 0x0, 2, 0x4433);
    ck_assert_uint_eq(as_st(&as, 0xffe, 4, 0xddccbbaa), MEMTX_OK);
    ck_assert_uint_eq(ram->ram[0xffe], 0xaa);
    ck_assert_uint_eq(ram->ram[0xfff], 0xbb);
    ck_call(&d, 1, true, 0x0, 2, 0xddcc);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Topology changes
 */

START_TEST(test_enable_disable)
{
    MemRegion *ram = new_ram("ram", 0x10000);
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x1000);
    uint64_t x;

    mr_add_subregion(root, 0, ram, 0);
    mr_add_subregion(root, 0x4000, io, 1);
    ck_assert_int_eq(as.view->nr, 3);

    mr_set_enabled(io, false);
    ck_assert_int_eq(as.view->nr, 1);       /* the two RAM pieces merge again */
    ck_range(0, 0, 0x10000, ram, 0);
    ram->ram[0x4000] = 0x5c;
    ck_assert_uint_eq(as_ld(&as, 0x4000, 1, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0x5c);
    ck_assert_int_eq(d.n, 0);

    mr_set_enabled(io, true);
    ck_assert_int_eq(as.view->nr, 3);
    ck_range(1, 0x4000, 0x1000, io, 0);
    ck_assert_uint_eq(as_ld(&as, 0x4000, 1, &x), MEMTX_OK);
    ck_assert_uint_eq(x, 0);
    ck_assert_int_eq(d.n, 1);

    /* Disabling a container hides its children. */
    mr_set_enabled(root, false);
    ck_assert_int_eq(as.view->nr, 0);
    mr_set_enabled(root, true);
    ck_assert_int_eq(as.view->nr, 3);
}
END_TEST

START_TEST(test_move)
{
    MemRegion *ram = new_ram("ram", 0x10000);
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x1000);

    mr_add_subregion(root, 0, ram, 0);
    mr_add_subregion(root, 0x2000, io, 1);
    ck_assert_ptr_eq(as_lookup(&as, 0x2000)->mr, io);
    mr_set_address(io, 0x8000);
    ck_assert_uint_eq(io->addr, 0x8000);
    ck_assert_ptr_eq(as_lookup(&as, 0x2000)->mr, ram);
    ck_assert_ptr_eq(as_lookup(&as, 0x8000)->mr, io);
    ck_assert_uint_eq(as_lookup(&as, 0x8fff)->start, 0x8000);
    ck_assert_uint_eq(as_lookup(&as, 0x8fff)->offset, 0);
    ck_assert_ptr_eq(as_lookup(&as, 0x9000)->mr, ram);
    ck_assert_int_eq(as.view->nr, 3);
    ck_range(0, 0, 0x8000, ram, 0);
    ck_range(2, 0x9000, 0x7000, ram, 0x9000);

    /* Beyond the RAM: three pieces of which the last is the device alone. */
    mr_set_address(io, 0xf800);
    ck_assert_int_eq(as.view->nr, 2);
    ck_range(0, 0, 0xf800, ram, 0);
    ck_range(1, 0xf800, 0x1000, io, 0);
}
END_TEST

START_TEST(test_del_subregion)
{
    MemRegion *ram = new_ram("ram", 0x10000);
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x1000);

    mr_add_subregion(root, 0, ram, 0);
    mr_add_subregion(root, 0x2000, io, 1);
    ck_assert_int_eq(root->nr_children, 2);
    ck_assert_ptr_eq(root->children[0], io);        /* highest priority first */
    mr_del_subregion(root, io);
    ck_assert_ptr_null(io->parent);
    ck_assert_int_eq(root->nr_children, 1);
    ck_assert_int_eq(as.view->nr, 1);
    ck_range(0, 0, 0x10000, ram, 0);
    mr_del_subregion(root, ram);
    ck_assert_int_eq(as.view->nr, 0);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Listeners
 */

typedef struct Ev {
    char kind;          /* 'b' begin, 'a' add, 'd' del, 'c' commit */
    FlatRange fr;
} Ev;

typedef struct Rec {
    MemListener l;
    Ev ev[64];
    int n;
} Rec;

static void rec_push(MemListener *l, char kind, const FlatRange *fr)
{
    Rec *r = container_of(l, Rec, l);
    ck_assert_int_lt(r->n, (int)ARRAY_SIZE(r->ev));
    r->ev[r->n].kind = kind;
    if (fr) {
        r->ev[r->n].fr = *fr;
    }
    r->n++;
}

static void rec_begin(MemListener *l)
{
    rec_push(l, 'b', NULL);
}

static void rec_add(MemListener *l, const FlatRange *fr)
{
    rec_push(l, 'a', fr);
}

static void rec_del(MemListener *l, const FlatRange *fr)
{
    rec_push(l, 'd', fr);
}

static void rec_commit(MemListener *l)
{
    rec_push(l, 'c', NULL);
}

static void rec_init(Rec *r)
{
    memset(r, 0, sizeof(*r));
    r->l = (MemListener){ .begin = rec_begin, .region_add = rec_add, .region_del = rec_del,
                          .commit = rec_commit };
}

#define ck_ev(r, i, k, s, sz, m, o) do { \
    ck_assert_int_eq((r)->ev[i].kind, (k)); \
    ck_assert_uint_eq((r)->ev[i].fr.start, (s)); \
    ck_assert_uint_eq((r)->ev[i].fr.size, (sz)); \
    ck_assert_ptr_eq((r)->ev[i].fr.mr, (m)); \
    ck_assert_uint_eq((r)->ev[i].fr.offset, (o)); \
} while (0)

START_TEST(test_listener)
{
    MemRegion *ram = new_ram("ram", 0x10000);
    MemRegion *rom = new_rom("rom", 0x1000);
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x1000);
    Rec r;

    mr_add_subregion(root, 0, ram, 0);
    mr_add_subregion(root, 0x2000, io, 1);
    mr_add_subregion(root, 0x100000, rom, 0);

    /* Replay of the current view. */
    rec_init(&r);
    as_add_listener(&as, &r.l);
    ck_assert_int_eq(r.n, 6);
    ck_assert_int_eq(r.ev[0].kind, 'b');
    ck_ev(&r, 1, 'a', 0x0, 0x2000, ram, 0);
    ck_ev(&r, 2, 'a', 0x2000, 0x1000, io, 0);
    ck_ev(&r, 3, 'a', 0x3000, 0xd000, ram, 0x3000);
    ck_ev(&r, 4, 'a', 0x100000, 0x1000, rom, 0);
    ck_assert(r.ev[4].fr.readonly);
    ck_assert_int_eq(r.ev[5].kind, 'c');

    /* Move the device: everything around it changes, the ROM does not. Deletions first. */
    r.n = 0;
    mr_set_address(io, 0x8000);
    ck_assert_int_eq(r.n, 8);
    ck_assert_int_eq(r.ev[0].kind, 'b');
    ck_ev(&r, 1, 'd', 0x0, 0x2000, ram, 0);
    ck_ev(&r, 2, 'd', 0x2000, 0x1000, io, 0);
    ck_ev(&r, 3, 'd', 0x3000, 0xd000, ram, 0x3000);
    ck_ev(&r, 4, 'a', 0x0, 0x8000, ram, 0);
    ck_ev(&r, 5, 'a', 0x8000, 0x1000, io, 0);
    ck_ev(&r, 6, 'a', 0x9000, 0x7000, ram, 0x9000);
    ck_assert_int_eq(r.ev[7].kind, 'c');

    /* Readonly is a change of the range: del then add. */
    r.n = 0;
    mr_set_readonly(ram, true);
    ck_assert_int_eq(r.n, 6);
    ck_ev(&r, 1, 'd', 0x0, 0x8000, ram, 0);
    ck_ev(&r, 2, 'd', 0x9000, 0x7000, ram, 0x9000);
    ck_ev(&r, 3, 'a', 0x0, 0x8000, ram, 0);
    ck_assert(r.ev[3].fr.readonly);
    ck_ev(&r, 4, 'a', 0x9000, 0x7000, ram, 0x9000);

    /* No visible change: nobody is told. */
    r.n = 0;
    {
        MemRegion *hidden = new_ram("hidden", 0x1000);
        mr_add_subregion(root, 0x4000, hidden, -5);
    }
    ck_assert_int_eq(r.n, 0);

    /* Removing the ROM: only its deletion. */
    mr_del_subregion(root, rom);
    ck_assert_int_eq(r.n, 3);
    ck_ev(&r, 1, 'd', 0x100000, 0x1000, rom, 0);

    /* After removal the listener hears nothing. */
    as_del_listener(&as, &r.l);
    r.n = 0;
    mr_set_address(io, 0x2000);
    ck_assert_int_eq(r.n, 0);
    ck_assert_int_eq(as.nr_listeners, 0);
}
END_TEST

START_TEST(test_transaction)
{
    MemRegion *ram = new_ram("ram", 0x10000);
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x1000);
    Rec r;
    FlatView *before;

    rec_init(&r);
    as_add_listener(&as, &r.l);
    r.n = 0;
    before = as.view;

    mr_transaction_begin();
    mr_add_subregion(root, 0, ram, 0);
    mr_transaction_begin();                         /* nested */
    mr_add_subregion(root, 0x2000, io, 1);
    mr_set_address(io, 0x4000);
    mr_transaction_commit();
    ck_assert_ptr_eq(as.view, before);              /* nothing rebuilt yet */
    ck_assert_int_eq(r.n, 0);
    ck_assert_ptr_null(as_lookup(&as, 0));
    mr_transaction_commit();

    ck_assert_int_eq(r.n, 5);
    ck_assert_int_eq(r.ev[0].kind, 'b');
    ck_ev(&r, 1, 'a', 0x0, 0x4000, ram, 0);
    ck_ev(&r, 2, 'a', 0x4000, 0x1000, io, 0);
    ck_ev(&r, 3, 'a', 0x5000, 0xb000, ram, 0x5000);
    ck_assert_int_eq(r.ev[4].kind, 'c');
}
END_TEST

START_TEST(test_multiple_as)
{
    MemRegion *root2 = new_container("root2", 0x10000);
    MemRegion *ram = new_ram("ram", 0x1000);
    MemRegion *ram2 = new_ram("ram2", 0x1000);
    MemRegion *view_of_root = new_alias("sys-window", root, 0x100000, 0x8000);
    AddressSpace as2;
    Rec r1, r2;

    as_init(&as2, root2, "second");
    rec_init(&r1);
    rec_init(&r2);
    as_add_listener(&as, &r1.l);
    as_add_listener(&as2, &r2.l);
    r1.n = r2.n = 0;

    /* A change under root2 only: as is not told. */
    mr_add_subregion(root2, 0x100, ram2, 0);
    ck_assert_int_eq(r1.n, 0);
    ck_assert_int_eq(r2.n, 3);
    ck_assert_int_eq(as2.view->nr, 1);

    /* as2 shows part of root through an alias: changes under root reach both. */
    mr_add_subregion(root2, 0x8000, view_of_root, 0);
    r1.n = r2.n = 0;
    mr_add_subregion(root, 0x101000, ram, 0);
    ck_assert_int_eq(r1.n, 3);
    ck_ev(&r1, 1, 'a', 0x101000, 0x1000, ram, 0);
    ck_assert_int_eq(r2.n, 3);
    ck_ev(&r2, 1, 'a', 0x9000, 0x1000, ram, 0);
    ck_assert_ptr_eq(as_lookup(&as2, 0x9000)->mr, ram);

    as_destroy(&as2);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Views, DMA, dump, code notifier
 */

START_TEST(test_view_refcount)
{
    MemRegion *ram = new_ram("ram", 0x1000);
    FlatView *held;

    mr_add_subregion(root, 0, ram, 0);
    held = as_get_view(&as);
    ck_assert_ptr_eq(held, as.view);
    ck_assert_int_eq(held->ref, 2);
    mr_set_address(ram, 0x4000);
    ck_assert_ptr_ne(held, as.view);
    ck_assert_int_eq(held->ref, 1);
    ck_assert_int_eq(as.view->ref, 1);
    /* The old view still reads as it was. */
    ck_assert_int_eq(held->nr, 1);
    ck_assert_uint_eq(held->ranges[0].start, 0);
    ck_assert_uint_eq(as.view->ranges[0].start, 0x4000);
    flatview_unref(held);
}
END_TEST

START_TEST(test_map_ram)
{
    MemRegion *ram = new_ram("ram", 0x4000);
    Dev d = { 0 };
    MemRegion *io = new_io("io", &ops_1_4, &d, 0x1000);
    MemRegion *a1 = new_alias("a1", ram, 0x2000, 0x1000);
    MemRegion *a2 = new_alias("a2", ram, 0x0, 0x1000);
    uint64_t len;
    uint8_t *p;

    mr_add_subregion(root, 0, ram, 0);
    mr_add_subregion(root, 0x4000, io, 0);
    mr_add_subregion(root, 0x10000, a1, 0);
    mr_add_subregion(root, 0x11000, a2, 0);

    len = 0x2000;
    p = as_map_ram(&as, 0x3000, &len, true);
    ck_assert_ptr_eq(p, ram->ram + 0x3000);
    ck_assert_uint_eq(len, 0x1000);                 /* stops at the device */

    len = 0x100;
    p = as_map_ram(&as, 0x100, &len, true);
    ck_assert_ptr_eq(p, ram->ram + 0x100);
    ck_assert_uint_eq(len, 0x100);                  /* not lengthened */

    len = 4;
    ck_assert_ptr_null(as_map_ram(&as, 0x4000, &len, false));
    ck_assert_uint_eq(len, 0);
    len = 4;
    ck_assert_ptr_null(as_map_ram(&as, 0x8000, &len, false));

    /* Adjacent in the guest but not in the host: not contiguous. */
    len = 0x2000;
    p = as_map_ram(&as, 0x10800, &len, false);
    ck_assert_ptr_eq(p, ram->ram + 0x2800);
    ck_assert_uint_eq(len, 0x800);

    /* Contiguous in both across two regions' ranges. */
    mr_set_address(a2, 0x20000);
    {
        MemRegion *a3 = new_alias("a3", ram, 0x3000, 0x1000);
        mr_add_subregion(root, 0x11000, a3, 0);
    }
    ck_assert_int_eq(as.view->nr, 4);               /* ram, io, a1+a3 merged, a2 */
    ck_range(2, 0x10000, 0x2000, ram, 0x2000);
    len = 0x2000;
    p = as_map_ram(&as, 0x10800, &len, false);
    ck_assert_ptr_eq(p, ram->ram + 0x2800);
    ck_assert_uint_eq(len, 0x1800);
}
END_TEST

START_TEST(test_as_dump)
{
    MemRegion *ram = new_ram("pc.ram", 0x10000);
    Dev d = { 0 };
    MemRegion *io = new_io("uart", &ops_1_4, &d, 0x8);
    MemRegion *al = new_alias("ram-hi", ram, 0x8000, 0x1000);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);

    mr_add_subregion(root, 0, ram, 0);
    mr_add_subregion(root, 0x3f8, io, 1);
    mr_add_subregion(root, 0x80000, al, 0);
    as_dump(&as, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "address-space: test"));
    ck_assert_ptr_nonnull(strstr(text, "container"));
    ck_assert_ptr_nonnull(strstr(text, "): uart"));
    ck_assert_ptr_nonnull(strstr(text, "@pc.ram 0000000000008000-0000000000008fff"));
    ck_assert_ptr_nonnull(strstr(text, "flat view of test: 4 ranges"));
    ck_assert_ptr_nonnull(strstr(text,
        "00000000000003f8-00000000000003ff i/o uart @0000000000000000"));
    ck_assert_ptr_nonnull(strstr(text,
        "0000000000080000-0000000000080fff ram pc.ram @0000000000008000"));
    free(text);
}
END_TEST

static int notify_n;
static MemRegion *notify_mr;
static hwaddr notify_off;
static uint64_t notify_len;

static void on_code_write(MemRegion *mr, hwaddr off, uint64_t len)
{
    notify_n++;
    notify_mr = mr;
    notify_off = off;
    notify_len = len;
}

START_TEST(test_code_notify)
{
    MemRegion *ram = new_ram("ram", 0x4000);
    uint8_t buf[16] = { 0 };
    uint64_t len;

    mr_add_subregion(root, 0x10000, ram, 0);
    mr_set_code_write_notify(on_code_write);
    ram->code_pages[1] = 1;
    notify_n = 0;

    ck_assert_uint_eq(as_st(&as, 0x10000, 4, 1), MEMTX_OK);
    ck_assert_int_eq(notify_n, 0);
    ck_assert_uint_eq(as_st(&as, 0x11008, 4, 1), MEMTX_OK);
    ck_assert_int_eq(notify_n, 1);
    ck_assert_ptr_eq(notify_mr, ram);
    ck_assert_uint_eq(notify_off, 0x1008);
    ck_assert_uint_eq(notify_len, 4);

    ck_assert_uint_eq(as_write(&as, 0x10ff8, buf, 16), MEMTX_OK);   /* crosses into page 1 */
    ck_assert_int_eq(notify_n, 2);
    ck_assert_uint_eq(notify_off, 0xff8);
    ck_assert_uint_eq(notify_len, 16);

    ck_assert_uint_eq(as_read(&as, 0x11000, buf, 16), MEMTX_OK);    /* reads never */
    ck_assert_int_eq(notify_n, 2);

    len = 0x3000;
    ck_assert_ptr_nonnull(as_map_ram(&as, 0x10000, &len, true));
    ck_assert_int_eq(notify_n, 3);
    len = 0x1000;
    ck_assert_ptr_nonnull(as_map_ram(&as, 0x12000, &len, true));
    ck_assert_int_eq(notify_n, 3);

    mr_set_code_write_notify(NULL);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Randomised: the flat view against a per-address walk of the tree, and a listener's
 * shadow copy (built only from add/del events) against the view, over many changes.
 */

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int cmp_precedence(const void *a, const void *b)
{
    const MemRegion *x = *(MemRegion *const *)a, *y = *(MemRegion *const *)b;
    if (x->priority != y->priority) {
        return x->priority > y->priority ? -1 : 1;
    }
    return x->add_seq > y->add_seq ? -1 : x->add_seq < y->add_seq;
}

/* Reference: resolve a region-relative address by walking the tree. */
static bool ref_resolve(MemRegion *mr, hwaddr a, MemRegion **leaf, hwaddr *off)
{
    if (!mr->enabled || a >= mr->size) {
        return false;
    }
    switch (mr->type) {
    case MR_RAM:
    case MR_ROM:
    case MR_IO:
        *leaf = mr;
        *off = a;
        return true;
    case MR_ALIAS:
        return ref_resolve(mr->alias_of, a + mr->alias_offset, leaf, off);
    case MR_CONTAINER: {
        /* Own precedence order (not the children array's): priority, then newest. */
        MemRegion *order[32];
        int n = mr->nr_children;
        ck_assert_int_le(n, (int)ARRAY_SIZE(order));
        memcpy(order, mr->children, n * sizeof(order[0]));
        qsort(order, n, sizeof(order[0]), cmp_precedence);
        for (int i = 0; i < n; i++) {
            MemRegion *c = order[i];
            if (a >= c->addr && ref_resolve(c, a - c->addr, leaf, off)) {
                return true;
            }
        }
        return false;
    }
    }
    return false;
}

typedef struct Shadow {
    MemListener l;
    FlatRange r[512];
    int n;
    int begins, commits;
} Shadow;

static void shadow_begin(MemListener *l)
{
    container_of(l, Shadow, l)->begins++;
}

static void shadow_commit(MemListener *l)
{
    container_of(l, Shadow, l)->commits++;
}

static void shadow_add(MemListener *l, const FlatRange *fr)
{
    Shadow *s = container_of(l, Shadow, l);
    ck_assert_int_lt(s->n, (int)ARRAY_SIZE(s->r));
    s->r[s->n++] = *fr;
}

static void shadow_del(MemListener *l, const FlatRange *fr)
{
    Shadow *s = container_of(l, Shadow, l);
    for (int i = 0; i < s->n; i++) {
        if (s->r[i].start == fr->start && s->r[i].size == fr->size && s->r[i].mr == fr->mr &&
            s->r[i].offset == fr->offset && s->r[i].readonly == fr->readonly) {
            s->r[i] = s->r[--s->n];
            return;
        }
    }
    ck_abort_msg("region_del of a range the listener was never given");
}

static int cmp_fr(const void *a, const void *b)
{
    const FlatRange *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void check_view(Shadow *sh)
{
    const FlatView *fv = as.view;

    /* Sorted, disjoint, merged. */
    for (int i = 1; i < fv->nr; i++) {
        const FlatRange *p = &fv->ranges[i - 1], *c = &fv->ranges[i];
        ck_assert_uint_lt(p->start + p->size - 1, c->start);
        ck_assert(!(p->mr == c->mr && p->start + p->size == c->start &&
                    p->offset + p->size == c->offset && p->readonly == c->readonly));
    }
    /* Every 0x40 bytes (regions are placed on 0x40 boundaries) against the tree walk. */
    for (hwaddr a = 0; a < 0x12000; a += 0x40) {
        MemRegion *leaf = NULL;
        hwaddr off = 0;
        bool hit = ref_resolve(root, a, &leaf, &off);
        const FlatRange *fr = as_lookup(&as, a + 0x3f);
        if (!hit) {
            ck_assert_msg(fr == NULL, "0x%" PRIx64 ": view has %s, tree has nothing", a,
                          fr ? fr->mr->name : "");
        } else {
            ck_assert_msg(fr != NULL, "0x%" PRIx64 ": view has nothing, tree has %s", a,
                          leaf->name);
            ck_assert_ptr_eq(fr->mr, leaf);
            ck_assert_uint_eq(fr->offset + (a + 0x3f - fr->start), off + 0x3f);
        }
    }
    /* The listener's shadow equals the view. */
    ck_assert_int_eq(sh->n, fv->nr);
    qsort(sh->r, sh->n, sizeof(sh->r[0]), cmp_fr);
    for (int i = 0; i < sh->n; i++) {
        ck_assert_uint_eq(sh->r[i].start, fv->ranges[i].start);
        ck_assert_uint_eq(sh->r[i].size, fv->ranges[i].size);
        ck_assert_ptr_eq(sh->r[i].mr, fv->ranges[i].mr);
        ck_assert_uint_eq(sh->r[i].offset, fv->ranges[i].offset);
    }
    ck_assert_int_eq(sh->begins, sh->commits);
}

START_TEST(test_random_vs_reference)
{
    static const char *names[] = { "l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8",
                                   "l9", "c0", "c1", "c2", "c3", "a0", "a1", "a2", "a3",
                                   "a4", "a5" };
    static Dev dev;
    MemRegion *lib = new_container("lib", 0x10000);
    MemRegion *leaves[10], *conts[4], *aliases[6], *movable[20];
    int nmov = 0;
    Shadow sh;
    Capture cap;

    rng_state = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
    capture_begin(&cap);        /* equal-priority reports are expected here */
    for (int i = 0; i < 10; i++) {
        uint64_t size = 0x40 * (1 + rng() % 64);
        leaves[i] = i % 3 == 2 ? new_io(names[i], &ops_1_4, &dev, size)
                               : new_ram(names[i], size);
        if (i < 4) {
            mr_add_subregion(lib, 0x40 * (rng() % 256), leaves[i], (int)(rng() % 3));
        } else {
            movable[nmov++] = leaves[i];
        }
    }
    for (int i = 0; i < 4; i++) {
        conts[i] = new_container(names[10 + i], 0x40 * (16 + rng() % 128));
        movable[nmov++] = conts[i];
    }
    for (int i = 0; i < 6; i++) {
        MemRegion *target = i < 2 ? lib : leaves[rng() % 4];
        uint64_t off = 0x40 * (rng() % (target->size / 0x40));
        aliases[i] = new_alias(names[14 + i], target, off, 0x40 * (1 + rng() % 64));
        movable[nmov++] = aliases[i];
    }
    /* Place everything: containers nest only into earlier ones (no cycles). */
    for (int i = 0; i < nmov; i++) {
        MemRegion *mr = movable[i];
        MemRegion *parent = root;
        int k = (int)(rng() % 5);
        if (k < 4 && conts[k] != mr && (mr->type != MR_CONTAINER || conts[k] < mr)) {
            parent = conts[k];
        }
        mr_add_subregion(parent, 0x40 * (rng() % 512), mr, (int)(rng() % 3) - 1);
    }
    memset(&sh, 0, sizeof(sh));
    sh.l = (MemListener){ .begin = shadow_begin, .region_add = shadow_add,
                          .region_del = shadow_del, .commit = shadow_commit };
    as_add_listener(&as, &sh.l);
    check_view(&sh);

    for (int step = 0; step < 300; step++) {
        MemRegion *mr = movable[rng() % nmov];
        bool txn = rng() % 4 == 0;
        if (txn) {
            mr_transaction_begin();
        }
        switch (rng() % 5) {
        case 0:
            mr_set_enabled(mr, !mr->enabled);
            break;
        case 1:
        case 2:
            mr_set_address(mr, 0x40 * (rng() % 512));
            break;
        case 3: {
            MemRegion *parent = mr->parent;
            int prio = (int)(rng() % 3) - 1;
            hwaddr addr = mr->addr;
            mr_del_subregion(parent, mr);
            mr_add_subregion(parent, addr, mr, prio);
            break;
        }
        case 4:
            if (mr->type == MR_RAM) {
                mr_set_readonly(mr, !mr->readonly);
            } else {
                mr_set_enabled(leaves[rng() % 4], rng() % 2);
            }
            break;
        }
        if (txn) {
            mr_set_address(movable[rng() % nmov], 0x40 * (rng() % 512));
            mr_transaction_commit();
        }
        check_view(&sh);
    }
    as_del_listener(&as, &sh.l);
    capture_end(&cap);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * Access counters
 */

typedef struct IoStatRow {
    const char *name;
    hwaddr addr;
    uint64_t reads, writes;
} IoStatRow;

typedef struct IoStatRows {
    IoStatRow row[8];
    int n;
} IoStatRows;

static void collect_io_stat(void *opaque, const char *name, hwaddr addr, uint64_t reads,
                            uint64_t writes)
{
    IoStatRows *r = opaque;
    ck_assert_int_lt(r->n, (int)ARRAY_SIZE(r->row));
    r->row[r->n++] = (IoStatRow){ name, addr, reads, writes };
}

/* One count per access the guest makes, whatever the core splits it into; RAM, ROM and
 * unassigned accesses are not counted; aliases count on the region they show; the
 * iterator lists each I/O region once, by address, disabled ones included; the reset
 * zeroes them. */
START_TEST(test_access_counters)
{
    static Dev da, db, dc;
    IoStatRows rows = { .n = 0 };
    MemRegion *a = new_io("dev-a", &ops_bytes, &da, 0x10);
    MemRegion *b = new_io("dev-b", &ops_valid4, &db, 0x10);
    MemRegion *c = new_io("dev-c", &ops_1_4, &dc, 0x10);
    MemRegion *ram = new_ram("ram", 0x1000);
    MemRegion *box = new_container("box", 0x1000);
    MemRegion *al = new_alias("dev-a-alias", a, 0, 0x10);
    uint64_t v;
    uint8_t buf[8] = { 0 };

    memset(&da, 0, sizeof(da));
    memset(&db, 0, sizeof(db));
    memset(&dc, 0, sizeof(dc));
    mr_add_subregion(root, 0, ram, 0);
    mr_add_subregion(root, 0x3000, box, 0);
    mr_add_subregion(box, 0x100, b, 0);
    mr_add_subregion(root, 0x2000, a, 0);
    mr_add_subregion(root, 0x5000, al, 0);
    mr_add_subregion(root, 0x6000, c, 0);
    mr_set_enabled(c, false);

    /* an 8-byte load split into 8 byte-wide callbacks is one access */
    ck_assert_int_eq(as_ld(&as, 0x2000, 8, &v), MEMTX_OK);
    ck_assert_int_eq(da.n, 8);
    ck_assert_uint_eq(a->stat_reads, 1);
    /* through the alias, and through as_rw (one access per region touched) */
    ck_assert_int_eq(as_st(&as, 0x5004, 2, 0x1234), MEMTX_OK);
    ck_assert_int_eq(as_write(&as, 0x2008, buf, 4), MEMTX_OK);
    ck_assert_int_eq(as_read(&as, 0x200c, buf, 2), MEMTX_OK);
    ck_assert_uint_eq(a->stat_reads, 2);
    ck_assert_uint_eq(a->stat_writes, 2);
    ck_assert_uint_eq(al->stat_reads + al->stat_writes, 0);
    /* a size the region refuses is still an access the guest made */
    ck_assert_int_eq(as_ld(&as, 0x3100, 1, &v), MEMTX_ERROR);
    ck_assert_int_eq(as_st(&as, 0x3104, 4, 7), MEMTX_OK);
    ck_assert_uint_eq(b->stat_reads, 1);
    ck_assert_uint_eq(b->stat_writes, 1);
    /* the leaf dispatch the softmmu uses */
    ck_assert_int_eq(mr_dispatch_write(b, 8, 4, 1), MEMTX_OK);
    ck_assert_uint_eq(b->stat_writes, 2);
    /* RAM and unassigned addresses (the disabled region's too) count nowhere */
    ck_assert_int_eq(as_st(&as, 0x10, 4, 1), MEMTX_OK);
    ck_assert_int_eq(as_ld(&as, 0x6000, 1, &v), MEMTX_UNASSIGNED);
    ck_assert_int_eq(as_write(&as, 0x7000, buf, 8), MEMTX_UNASSIGNED);
    ck_assert_uint_eq(c->stat_reads + c->stat_writes, 0);

    as_foreach_io_stat(&as, collect_io_stat, &rows);
    ck_assert_int_eq(rows.n, 3);
    ck_assert_str_eq(rows.row[0].name, "dev-a");
    ck_assert_uint_eq(rows.row[0].addr, 0x2000);
    ck_assert_uint_eq(rows.row[0].reads, 2);
    ck_assert_uint_eq(rows.row[0].writes, 2);
    ck_assert_str_eq(rows.row[1].name, "dev-b");
    ck_assert_uint_eq(rows.row[1].addr, 0x3100);
    ck_assert_uint_eq(rows.row[1].reads, 1);
    ck_assert_uint_eq(rows.row[1].writes, 2);
    ck_assert_str_eq(rows.row[2].name, "dev-c");
    ck_assert_uint_eq(rows.row[2].addr, 0x6000);
    ck_assert_uint_eq(rows.row[2].reads + rows.row[2].writes, 0);

    as_reset_io_stats(&as);
    ck_assert_uint_eq(a->stat_reads + a->stat_writes + b->stat_reads + b->stat_writes, 0);
    ck_assert_int_eq(as_st(&as, 0x5000, 1, 1), MEMTX_OK);
    ck_assert_uint_eq(a->stat_writes, 1);
}
END_TEST

static Suite *memory_suite(void)
{
    Suite *s = suite_create("memory");
    TCase *tc;

    tc = tcase_create("flatten");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ram_init);
    tcase_add_test(tc, test_priority_overlap);
    tcase_add_test(tc, test_equal_priority_later_wins);
    tcase_add_test(tc, test_containers_nested);
    tcase_add_test(tc, test_alias_ram_middle);
    tcase_add_test(tc, test_alias_io);
    tcase_add_test(tc, test_alias_nested);
    tcase_add_test(tc, test_merge_adjacent);
    suite_add_tcase(s, tc);

    tc = tcase_create("dispatch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_split_bytes);
    tcase_add_test(tc, test_split_impl4);
    tcase_add_test(tc, test_widen);
    tcase_add_test(tc, test_valid_refused);
    tcase_add_test(tc, test_unaligned);
    tcase_add_test(tc, test_unassigned);
    tcase_add_test(tc, test_rom);
    tcase_add_test(tc, test_readonly_ram);
    tcase_add_test(tc, test_rw_ram_to_io);
    tcase_add_test(tc, test_ld_straddle);
    tcase_add_test(tc, test_access_counters);
    suite_add_tcase(s, tc);

    tc = tcase_create("topology");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_enable_disable);
    tcase_add_test(tc, test_move);
    tcase_add_test(tc, test_del_subregion);
    tcase_add_test(tc, test_listener);
    tcase_add_test(tc, test_transaction);
    tcase_add_test(tc, test_multiple_as);
    suite_add_tcase(s, tc);

    tc = tcase_create("views");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_view_refcount);
    tcase_add_test(tc, test_map_ram);
    tcase_add_test(tc, test_as_dump);
    tcase_add_test(tc, test_code_notify);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_random_vs_reference, 0, 8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(memory_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

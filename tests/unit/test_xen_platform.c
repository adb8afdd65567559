/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_xen_platform.c — the Xen platform PCI device (hw/xen/xen_platform.c)
 * and the PIIX3's PIRQ route hook (hw/isa/piix3.c) that the xenfv board forwards to Xen,
 * on a small machine with the i440FX host bridge, the PIIX3 and the platform device at
 * 02.0, driven through configuration cycles and port I/O as a guest makes them.
 *
 * Covered: the header (IDs, subsystem, class, revision, pin), BAR sizing, BAR1 leaving no
 * I/O leaf in the flat view (the range stays Xen's), BAR0's flags, old-style unplug and log
 * bytes; the unplug protocol of ports 0x10-0x13 in the order Linux's
 * platform-pci-unplug.c and Xen's hvm-emulated-unplug document use it (magic, version,
 * product number, build number, magic again, unplug mask), the log port and its line
 * splitting, other access sizes, reset and save/load; the route hook told of every
 * change of an effective route (writes of one or several registers, reserved IRQs,
 * disabling, reset, load) and nothing else.
 */
#include "util/osdep.h"
#include "hw/core/machine.h"
#include "hw/pci/pci.h"
#include "hw/pci-host/i440fx.h"
#include "hw/isa/piix3.h"
#include "hw/xen/xen_platform.h"
#include "system/main-loop.h"
#include <check.h>

static Machine m;
static Device *host, *piix3, *platform;

static void setup(void)
{
    memset(&m, 0, sizeof(m));
    mr_init_container(&m.io, "io", 0x10000);
    mr_init_container(&m.sysmem, "system", UINT64_MAX);
    as_init(&m.io_as, &m.io, "I/O");
    as_init(&m.sysmem_as, &m.sysmem, "memory");
    host = device_create_class(&m, &i440fx_pcihost_class, "pcihost", NULL);
    piix3 = device_create_class(&m, &piix3_class, "piix3", NULL);
    platform = device_create_class(&m, &xen_platform_class, "xen-platform", "addr=02.0");
    ck_assert_ptr_nonnull(host);
    ck_assert_ptr_nonnull(piix3);
    ck_assert_ptr_nonnull(platform);
}

static void teardown(void)
{
    while (m.devices) {
        device_destroy(m.devices);
    }
    as_destroy(&m.io_as);
    as_destroy(&m.sysmem_as);
    mr_destroy(&m.io);
    mr_destroy(&m.sysmem);
}

static uint32_t in(uint16_t port, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m.io_as, port, size, &v), MEMTX_OK);
    return v;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
    ck_assert_int_eq(as_st(&m.io_as, port, size, v), MEMTX_OK);
}

static uint32_t cfg_read(int devfn, int reg, unsigned size)
{
    out(0xCF8, 4, I440FX_CONFIG_ENABLE | devfn << 8 | (reg & 0xFC));
    return in(0xCFC + (reg & 3), size);
}

static void cfg_write(int devfn, int reg, unsigned size, uint32_t v)
{
    out(0xCF8, 4, I440FX_CONFIG_ENABLE | devfn << 8 | (reg & 0xFC));
    out(0xCFC + (reg & 3), size, v);
}

static XenPlatformStatus status(void)
{
    XenPlatformStatus st;
    xen_platform_get_status(platform, &st);
    return st;
}

static void log_string(uint16_t port, const char *s)
{
    while (*s) {
        out(port, 1, (uint8_t)*s++);
    }
}

/* ---------------------------------------------------------------------------------------
 * The PCI function
 */

START_TEST(test_header_and_bars)
{
    const int d = XEN_PLATFORM_DEVFN;

    ck_assert_uint_eq(cfg_read(d, 0x00, 4), 0x00015853);
    ck_assert_uint_eq(cfg_read(d, 0x2C, 4), 0x00015853);
    ck_assert_uint_eq(cfg_read(d, 0x08, 4), 0xFF800001);      /* class ff80, revision 1 */
    ck_assert_uint_eq(cfg_read(d, 0x3D, 1), 1);               /* INTA# */
    ck_assert_uint_eq(cfg_read(d, 0x04, 2), 0);
    cfg_write(d, 0x10, 4, 0xFFFFFFFF);
    cfg_write(d, 0x14, 4, 0xFFFFFFFF);
    ck_assert_uint_eq(cfg_read(d, 0x10, 4), 0xFFFFFF01);      /* I/O, 256 bytes */
    ck_assert_uint_eq(cfg_read(d, 0x14, 4), 0xFF000008);      /* 16 MiB prefetchable */
    ck_assert_uint_eq(cfg_read(d, 0x18, 4), 0);

    /* where hvmloader puts them */
    cfg_write(d, 0x10, 4, 0xC000);
    cfg_write(d, 0x14, 4, 0xF0000000);
    cfg_write(d, 0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    ck_assert_uint_eq(pci_bar_address((PCIDevice *)platform, 1), 0xF0000000);
    /* BAR1 maps no I/O leaf: nothing there for a device model to claim */
    ck_assert_ptr_null(as_lookup(&m.sysmem_as, 0xF0000000));
    ck_assert_ptr_null(as_lookup(&m.sysmem_as, 0xF0FFFFFF));
    /* BAR0: the flags byte (shared with port 0x10), the old unplug byte, the log byte */
    out(0xC000, 1, 0xFF);
    ck_assert_uint_eq(in(0xC000, 1), 0x01);
    ck_assert_uint_eq(in(0x10, 1), 0x01);
    ck_assert_uint_eq(in(0xC001, 1), 0xFF);
    out(0xC004, 1, 2);                  /* only 1 is the SUSE/VMDP request */
    ck_assert_uint_eq(status().unplug_requests, 0);
    out(0xC004, 1, 1);
    ck_assert_uint_eq(status().unplug_requests, 1);
    ck_assert_uint_eq(status().unplug_mask, XEN_UNPLUG_ALL_IDE_DISKS | XEN_UNPLUG_ALL_NICS);
    log_string(0xC008, "from BAR0\n");
    ck_assert_uint_eq(status().log_lines, 1);
    ck_assert_str_eq(status().last_log, "from BAR0");
    ck_assert(platform->stat_writes > 0);
}
END_TEST

START_TEST(test_bad_address)
{
    /* 02.0 is taken: a second one must go elsewhere */
    ck_assert_ptr_null(device_create_class(&m, &xen_platform_class, "p2", "addr=02.0"));
    ck_assert_ptr_null(device_create_class(&m, &xen_platform_class, "p3", "addr=zz"));
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * The unplug protocol
 */

START_TEST(test_unplug_protocol)
{
    XenPlatformStatus st;

    /* 1, 2: magic, protocol version */
    ck_assert_uint_eq(in(0x10, 2), XEN_PLATFORM_MAGIC);
    ck_assert_uint_eq(in(0x12, 1), XEN_PLATFORM_PROTOCOL);
    /* 3, 4: product and build number (Linux: product 3) */
    out(0x12, 2, 3);
    out(0x10, 4, 0x00010203);
    /* 5: the magic again: not blacklisted */
    ck_assert_uint_eq(in(0x10, 2), XEN_PLATFORM_MAGIC);
    /* 6: the unplug mask, as Linux writes it for xen_emul_unplug=all */
    out(0x10, 2, XEN_UNPLUG_ALL_IDE_DISKS | XEN_UNPLUG_ALL_NICS);
    st = status();
    ck_assert_uint_eq(st.product, 3);
    ck_assert_uint_eq(st.build, 0x00010203);
    ck_assert_uint_eq(st.unplug_requests, 1);
    ck_assert_uint_eq(st.unplug_mask, 0x3);
    out(0x10, 2, XEN_UNPLUG_NVME_DISKS);
    ck_assert_uint_eq(status().unplug_mask, 0xB);
    ck_assert_uint_eq(status().unplug_requests, 2);

    /* the log port: a line at each newline, printable characters only */
    log_string(0x12, "hello\tfrom\x01 the guest\nsecond");
    ck_assert_uint_eq(status().log_lines, 1);
    ck_assert_str_eq(status().last_log, "hellofrom the guest");
    log_string(0x12, " line\n");
    ck_assert_uint_eq(status().log_lines, 2);
    ck_assert_str_eq(status().last_log, "second line");
    /* an overlong line goes out in pieces of XEN_PLATFORM_LOG_MAX */
    for (int i = 0; i < XEN_PLATFORM_LOG_MAX + 5; i++) {
        out(0x12, 1, 'a' + i % 26);
    }
    ck_assert_uint_eq(status().log_lines, 3);
    ck_assert_uint_eq(strlen(status().last_log), XEN_PLATFORM_LOG_MAX);
    out(0x12, 1, '\n');
    ck_assert_uint_eq(status().log_lines, 4);
    ck_assert_uint_eq(strlen(status().last_log), 5);

    /* the platform flags: bit 0 (ROM lock) only */
    out(0x10, 1, 0xFF);
    ck_assert_uint_eq(in(0x10, 1), 0x01);
    out(0x10, 1, 0x00);
    ck_assert_uint_eq(in(0x10, 1), 0x00);

    /* other sizes and offsets: all ones, no effect */
    ck_assert_uint_eq(in(0x10, 4), 0xFFFFFFFF);
    ck_assert_uint_eq(in(0x12, 2), 0xFFFF);
    ck_assert_uint_eq(in(0x11, 1), 0xFF);
    ck_assert_uint_eq(in(0x13, 1), 0xFF);
    out(0x11, 1, 0xFF);
    out(0x13, 1, 0xFF);
    st = status();
    ck_assert_uint_eq(st.unplug_requests, 2);
    ck_assert_uint_eq(st.product, 3);
    ck_assert_uint_eq(st.flags, 0);
    /* the ports end at 0x13 */
    uint64_t v = 0;
    ck_assert_int_eq(as_ld(&m.io_as, 0x14, 1, &v), MEMTX_UNASSIGNED);
}
END_TEST

START_TEST(test_reset_save_load)
{
    Device *d = platform;
    size_t n;
    uint8_t *buf;

    out(0x10, 1, 1);
    cfg_write(XEN_PLATFORM_DEVFN, 0x10, 4, 0xC100);
    n = d->cls->save(d, NULL, 0);
    buf = xmalloc(n);
    ck_assert_uint_eq(d->cls->save(d, buf, n), n);
    device_reset(d);
    ck_assert_uint_eq(in(0x10, 1), 0);
    ck_assert_uint_eq(cfg_read(XEN_PLATFORM_DEVFN, 0x10, 4), 0x1);
    ck_assert_int_eq(d->cls->load(d, buf, n - 1), -EINVAL);
    ck_assert_int_eq(d->cls->load(d, buf, n), 0);
    ck_assert_uint_eq(in(0x10, 1), 1);
    ck_assert_uint_eq(cfg_read(XEN_PLATFORM_DEVFN, 0x10, 4), 0xC101);
    free(buf);
}
END_TEST

/* ---------------------------------------------------------------------------------------
 * The PIIX3's route hook
 */

static int route_calls, route_pirq[16], route_irq[16];

static void route_hook(void *opaque, int pirq, int irq)
{
    ck_assert_ptr_eq(opaque, &m);
    if (route_calls < 16) {
        route_pirq[route_calls] = pirq;
        route_irq[route_calls] = irq;
    }
    route_calls++;
}

static void expect_route(int i, int pirq, int irq)
{
    ck_assert_int_eq(route_pirq[i], pirq);
    ck_assert_int_eq(route_irq[i], irq);
}

START_TEST(test_piix3_route_hook)
{
    route_calls = 0;
    piix3_set_route_hook(piix3, route_hook, &m);
    ck_assert_int_eq(route_calls, 0);           /* nothing routed yet: nothing to say */

    cfg_write(PIIX3_DEVFN, PIIX3_PIRQRC + 1, 1, 10);
    ck_assert_int_eq(route_calls, 1);
    expect_route(0, 1, 10);
    /* the same route again, a disabled one, a reserved IRQ: no change to tell */
    cfg_write(PIIX3_DEVFN, PIIX3_PIRQRC + 1, 1, 10);
    cfg_write(PIIX3_DEVFN, PIIX3_PIRQRC + 2, 1, 0x8B);
    cfg_write(PIIX3_DEVFN, PIIX3_PIRQRC + 3, 1, 13);
    ck_assert_int_eq(route_calls, 1);
    /* four at once, as hvmloader's dword write would */
    cfg_write(PIIX3_DEVFN, PIIX3_PIRQRC, 4, 0x0B0B0A05);
    ck_assert_int_eq(route_calls, 4);
    expect_route(1, 0, 5);
    expect_route(2, 2, 11);
    expect_route(3, 3, 11);
    /* disabling tells irq 0 */
    cfg_write(PIIX3_DEVFN, PIIX3_PIRQRC + 3, 1, 0x80 | 11);
    ck_assert_int_eq(route_calls, 5);
    expect_route(4, 3, 0);

    /* save, reset (everything back to "not routed"), load */
    size_t n = piix3->cls->save(piix3, NULL, 0);
    uint8_t *buf = xmalloc(n);
    piix3->cls->save(piix3, buf, n);
    device_reset(piix3);
    ck_assert_int_eq(route_calls, 8);
    expect_route(5, 0, 0);
    expect_route(6, 1, 0);
    expect_route(7, 2, 0);
    ck_assert_int_eq(piix3->cls->load(piix3, buf, n), 0);
    free(buf);
    ck_assert_int_eq(route_calls, 11);
    expect_route(8, 0, 5);
    expect_route(9, 1, 10);
    expect_route(10, 2, 11);

    /* removed: no more calls */
    piix3_set_route_hook(piix3, NULL, NULL);
    cfg_write(PIIX3_DEVFN, PIIX3_PIRQRC, 1, 3);
    ck_assert_int_eq(route_calls, 11);
    /* installed while routes are set: told at once */
    piix3_set_route_hook(piix3, route_hook, &m);
    ck_assert_int_eq(route_calls, 14);
    expect_route(11, 0, 3);
}
END_TEST

static Suite *xen_platform_suite(void)
{
    Suite *s = suite_create("xen_platform");
    TCase *tc = tcase_create("device");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_header_and_bars);
    tcase_add_test(tc, test_bad_address);
    tcase_add_test(tc, test_unplug_protocol);
    tcase_add_test(tc, test_reset_save_load);
    suite_add_tcase(s, tc);

    tc = tcase_create("piix3_routes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_piix3_route_hook);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;
    main_loop_init();
    sr = srunner_create(xen_platform_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

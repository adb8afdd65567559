/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/test_acpi.c — the ACPI tables of the `pc` board (hw/acpi/tables.c).
 *
 * Builds the blob for a guest-physical base as the board does (0xE0000) and reads it back
 * the way an OS does: the RSDP at offset 0, then the XSDT/RSDT, FADT, FACS, DSDT and MADT
 * through the addresses they hold. Checks every checksum, the FADT's PM blocks, SCI, reset
 * register and the agreement of its 32-bit and X_ fields, the MADT's entries for several
 * CPU counts, and the DSDT's AML: the \_S5 package, the PCI root bridge's EISA ID and
 * windows, the ISA devices, and package lengths that add up (the outer Scope ends exactly
 * at the end of the table). Also the error paths (too small, misaligned, bad config).
 * Not covered here: AML semantics (validated once with `iasl -d` while developing).
 */
#include "util/osdep.h"
#include "hw/acpi/tables.h"
#include <check.h>

#define BASE 0xE0000u
#define MAXSZ (128 * 1024)

static uint8_t blob[MAXSZ + 64];
static size_t blob_size;
static AcpiConfig cfg;

static uint16_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* The blob's bytes at a guest-physical address. */
static const uint8_t *at(uint64_t addr)
{
    ck_assert_uint_ge(addr, BASE);
    ck_assert_uint_lt(addr, BASE + blob_size);
    return blob + (addr - BASE);
}

static void build(void)
{
    memset(blob, 0xA5, sizeof(blob));
    blob_size = acpi_build(&cfg, blob, MAXSZ, BASE);
    ck_assert_uint_gt(blob_size, 0);
    ck_assert_uint_le(blob_size, MAXSZ);
    ck_assert_uint_eq(blob[blob_size], 0xA5);       /* nothing written past the end */
}

static void setup(void)
{
    acpi_config_pc(&cfg, 2, 128 * MiB);
    build();
}

/* A table at addr: its signature, a length within the blob, a zero checksum. */
static const uint8_t *table(uint64_t addr, const char *sig)
{
    const uint8_t *t = at(addr);
    uint32_t len = rd32(t + 4);
    ck_assert_msg(!memcmp(t, sig, 4), "expected %s at 0x%" PRIx64 ", found %.4s", sig, addr,
                  (const char *)t);
    ck_assert_uint_ge(len, 36);
    ck_assert_uint_le(addr - BASE + len, blob_size);
    ck_assert_msg(acpi_checksum(t, len) == 0, "%s checksum", sig);
    ck_assert(!memcmp(t + 10, "TANDEM", 6));
    return t;
}

static const uint8_t *rsdp(void)
{
    return blob + ACPI_RSDP_OFFSET;
}

static const uint8_t *xsdt(void)
{
    return table(rd64(rsdp() + 24), "XSDT");
}

/* The table the XSDT lists with signature sig. */
static const uint8_t *find(const char *sig)
{
    const uint8_t *x = xsdt();
    int n = (rd32(x + 4) - 36) / 8;
    for (int i = 0; i < n; i++) {
        const uint8_t *t = at(rd64(x + 36 + 8 * i));
        if (!memcmp(t, sig, 4)) {
            return table(rd64(x + 36 + 8 * i), sig);
        }
    }
    ck_abort_msg("%s not in the XSDT", sig);
    return NULL;
}

static const uint8_t *dsdt(uint32_t *len)
{
    const uint8_t *f = find("FACP");
    const uint8_t *d = table(rd64(f + 140), "DSDT");
    *len = rd32(d + 4);
    return d;
}

static bool contains(const uint8_t *p, size_t len, const void *needle, size_t n)
{
    for (size_t i = 0; i + n <= len; i++) {
        if (!memcmp(p + i, needle, n)) {
            return true;
        }
    }
    return false;
}

/* AML PkgLength at p: the value, and *n the bytes it takes. */
static uint32_t pkglen(const uint8_t *p, int *n)
{
    int extra = p[0] >> 6;
    uint32_t v;
    if (!extra) {
        *n = 1;
        return p[0] & 0x3F;
    }
    v = p[0] & 0x0F;
    for (int i = 0; i < extra; i++) {
        v |= (uint32_t)p[1 + i] << (4 + 8 * i);
    }
    *n = 1 + extra;
    return v;
}

/* ---------------------------------------------------------------------------------------
 */

START_TEST(test_rsdp)
{
    const uint8_t *r = rsdp();
    ck_assert(!memcmp(r, "RSD PTR ", 8));
    ck_assert_uint_eq(ACPI_RSDP_OFFSET % 16, 0);
    ck_assert_uint_eq(acpi_checksum(r, 20), 0);
    ck_assert_uint_eq(acpi_checksum(r, 36), 0);
    ck_assert_uint_eq(r[15], 2);                    /* revision */
    ck_assert_uint_eq(rd32(r + 20), 36);            /* length */
    ck_assert(!memcmp(r + 9, "TANDEM", 6));
    ck_assert_uint_ne(rd32(r + 16), 0);             /* RSDT */
    ck_assert_uint_ne(rd64(r + 24), 0);             /* XSDT */
    ck_assert_uint_lt(rd64(r + 24), BASE + blob_size);
}
END_TEST

START_TEST(test_every_checksum)
{
    const uint8_t *x = xsdt();
    const uint8_t *r = table(rd32(rsdp() + 16), "RSDT");
    const uint8_t *f, *facs;
    uint32_t len;

    /* XSDT: FADT and MADT; the RSDT lists the same tables */
    ck_assert_uint_eq(rd32(x + 4), 36 + 2 * 8);
    ck_assert_uint_eq(rd32(r + 4), 36 + 2 * 4);
    ck_assert_uint_eq(x[8], 1);
    for (int i = 0; i < 2; i++) {
        ck_assert_uint_eq(rd64(x + 36 + 8 * i), rd32(r + 36 + 4 * i));
    }
    ck_assert(!memcmp(at(rd64(x + 36)), "FACP", 4));
    ck_assert(!memcmp(at(rd64(x + 44)), "APIC", 4));
    f = find("FACP");
    find("APIC");
    dsdt(&len);
    /* the FACS has no checksum: signature, length 64, 64-byte aligned, version 2 */
    facs = at(rd64(f + 132));
    ck_assert(!memcmp(facs, "FACS", 4));
    ck_assert_uint_eq(rd32(facs + 4), 64);
    ck_assert_uint_eq(rd64(f + 132) % 64, 0);
    ck_assert_uint_eq(facs[32], 2);
}
END_TEST

/* A Generic Address Structure: I/O space, bit width, access size, address. */
static void check_gas(const uint8_t *g, uint8_t width, uint8_t access, uint64_t addr)
{
    ck_assert_uint_eq(g[0], 1);
    ck_assert_uint_eq(g[1], width);
    ck_assert_uint_eq(g[2], 0);
    ck_assert_uint_eq(g[3], access);
    ck_assert_uint_eq(rd64(g + 4), addr);
}

START_TEST(test_fadt)
{
    const uint8_t *f = find("FACP");
    uint32_t flags = rd32(f + 112);

    ck_assert_uint_eq(rd32(f + 4), 276);
    ck_assert_uint_eq(f[8], 6);                     /* revision */
    ck_assert_uint_eq(rd16(f + 46), 9);             /* SCI_INT */
    ck_assert_uint_eq(rd32(f + 48), 0);             /* SMI_CMD: ACPI enabled by hardware */
    ck_assert_uint_eq(f[52], 0);
    ck_assert_uint_eq(f[53], 0);
    ck_assert_uint_eq(rd32(f + 56), 0x600);         /* PM1a_EVT_BLK */
    ck_assert_uint_eq(rd32(f + 60), 0);
    ck_assert_uint_eq(rd32(f + 64), 0x604);         /* PM1a_CNT_BLK */
    ck_assert_uint_eq(rd32(f + 68), 0);
    ck_assert_uint_eq(rd32(f + 72), 0);
    ck_assert_uint_eq(rd32(f + 76), 0x608);         /* PM_TMR_BLK */
    ck_assert_uint_eq(rd32(f + 80), 0x620);         /* GPE0_BLK */
    ck_assert_uint_eq(rd32(f + 84), 0);
    ck_assert_uint_eq(f[88], 4);                    /* PM1_EVT_LEN */
    ck_assert_uint_eq(f[89], 2);                    /* PM1_CNT_LEN */
    ck_assert_uint_eq(f[90], 0);
    ck_assert_uint_eq(f[91], 4);                    /* PM_TMR_LEN */
    ck_assert_uint_eq(f[92], 4);                    /* GPE0_BLK_LEN */
    ck_assert_uint_eq(f[93], 0);
    ck_assert_uint_gt(rd16(f + 96), 100);           /* no C2 */
    ck_assert_uint_gt(rd16(f + 98), 1000);          /* no C3 */
    ck_assert_uint_eq(f[108], 0x32);                /* CENTURY */
    ck_assert_uint_eq(rd16(f + 109), 0x0003);       /* LEGACY_DEVICES | 8042 */
    ck_assert_uint_eq(flags & 1, 1);                /* WBINVD */
    ck_assert_uint_eq(flags & 4, 4);                /* PROC_C1 */
    ck_assert_uint_eq(flags & 0x20, 0x20);          /* SLP_BUTTON */
    ck_assert_uint_eq(flags & 0x100, 0);            /* TMR_VAL_EXT: 24-bit timer */
    ck_assert_uint_eq(flags & 0x400, 0x400);        /* RESET_REG_SUP */
    ck_assert_uint_eq(flags & (1u << 20), 0);       /* not hardware-reduced */
    check_gas(f + 116, 8, 1, 0xCF9);                /* RESET_REG */
    ck_assert_uint_eq(f[128], 0x06);                /* RESET_VALUE */
    /* the 32-bit and X_ fields agree */
    ck_assert_uint_eq(rd64(f + 132), rd32(f + 36)); /* X_FIRMWARE_CTRL */
    ck_assert_uint_eq(rd64(f + 140), rd32(f + 40)); /* X_DSDT */
    check_gas(f + 148, 4 * 8, 2, rd32(f + 56));     /* X_PM1a_EVT_BLK */
    check_gas(f + 172, 2 * 8, 2, rd32(f + 64));     /* X_PM1a_CNT_BLK */
    check_gas(f + 208, 4 * 8, 3, rd32(f + 76));     /* X_PM_TMR_BLK */
    check_gas(f + 220, 4 * 8, 1, rd32(f + 80));     /* X_GPE0_BLK */
    for (int off = 160; off < 208; off += 12) {     /* PM1b_EVT, PM1b_CNT, PM2_CNT */
        if (off != 172) {
            ck_assert_uint_eq(rd64(f + off + 4), 0);
            ck_assert_uint_eq(f[off + 1], 0);
        }
    }
    ck_assert_uint_eq(rd64(f + 232 + 4), 0);        /* X_GPE1_BLK */
    ck_assert_uint_eq(rd64(f + 244 + 4), 0);        /* SLEEP_CONTROL_REG */
    ck_assert_uint_eq(rd64(f + 256 + 4), 0);        /* SLEEP_STATUS_REG */
}
END_TEST

/* Walk the MADT: counts by type, and check every entry of the PC configuration. */
static void check_madt(int ncpus)
{
    const uint8_t *t = find("APIC");
    uint32_t len = rd32(t + 4);
    int count[8] = { 0 }, entries = 0, iso = 0;

    ck_assert_uint_eq(rd32(t + 36), 0xFEE00000);
    ck_assert_uint_eq(rd32(t + 40), 1);             /* PCAT_COMPAT */
    for (uint32_t off = 44; off < len; off += t[off + 1]) {
        const uint8_t *e = t + off;
        ck_assert_uint_ge(e[1], 2);
        ck_assert_uint_le(off + e[1], len);
        entries++;
        if (e[0] < 8) {
            count[e[0]]++;
        }
        switch (e[0]) {
        case 0:                                     /* Processor Local APIC */
            ck_assert_uint_eq(e[1], 8);
            ck_assert_uint_eq(e[2], count[0] - 1);  /* UID */
            ck_assert_uint_eq(e[3], count[0] - 1);  /* APIC ID */
            ck_assert_uint_eq(rd32(e + 4), 1);      /* enabled */
            break;
        case 1:                                     /* I/O APIC */
            ck_assert_uint_eq(e[1], 12);
            ck_assert_uint_eq(e[2], ncpus < 16 ? ncpus : 0);    /* a 4-bit ID */
            ck_assert_uint_eq(rd32(e + 4), 0xFEC00000);
            ck_assert_uint_eq(rd32(e + 8), 0);
            break;
        case 2:                                     /* Interrupt Source Override */
            ck_assert_uint_eq(e[1], 10);
            ck_assert_uint_eq(e[2], 0);
            if (iso++ == 0) {
                ck_assert_uint_eq(e[3], 0);
                ck_assert_uint_eq(rd32(e + 4), 2);
                ck_assert_uint_eq(rd16(e + 8), 0x0005);     /* edge, active high */
            } else {
                ck_assert_uint_eq(e[3], 9);
                ck_assert_uint_eq(rd32(e + 4), 9);
                ck_assert_uint_eq(rd16(e + 8), 0x000D);     /* level, active high */
            }
            break;
        case 4:                                     /* Local APIC NMI */
            ck_assert_uint_eq(e[1], 6);
            ck_assert_uint_eq(e[2], 0xFF);
            ck_assert_uint_eq(e[5], 1);             /* LINT1 */
            break;
        default:
            ck_abort_msg("unexpected MADT entry type %d", e[0]);
        }
    }
    ck_assert_int_eq(count[0], ncpus);
    ck_assert_int_eq(count[1], 1);
    ck_assert_int_eq(count[2], 2);
    ck_assert_int_eq(count[4], 1);
    ck_assert_int_eq(entries, ncpus + 1 + 2 + 1);
}

START_TEST(test_madt)
{
    static const int counts[] = { 1, 2, 4, 64 };
    for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
        acpi_config_pc(&cfg, counts[i], 128 * MiB);
        build();
        check_madt(counts[i]);
    }
}
END_TEST

START_TEST(test_dsdt)
{
    uint32_t len;
    const uint8_t *d = dsdt(&len);
    /* Name(\_S5_, Package(4) { 0, 0, 0, 0 }) */
    static const uint8_t s5[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04,
                                  0x00, 0x00, 0x00, 0x00 };
    /* Name(_HID, EISAID("PNP0A03")) */
    static const uint8_t pci_hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x0A, 0x03 };
    /* DWordMemory window 0x08000000-0xFEBFFFFF, producer, fixed, non-cacheable, RW */
    static const uint8_t hole[] = { 0x87, 23, 0, 0, 0x0C, 0x01, 0, 0, 0, 0,
                                    0x00, 0x00, 0x00, 0x08, 0xFF, 0xFF, 0xBF, 0xFE };
    /* WordIO 0x0D00-0xFFFF */
    static const uint8_t io_hi[] = { 0x88, 13, 0, 1, 0x0C, 0x03, 0, 0, 0x00, 0x0D, 0xFF, 0xFF };
    static const uint8_t com1[] = { 0x0C, 0x41, 0xD0, 0x05, 0x01 };    /* PNP0501 */
    static const uint8_t kbd[] = { 0x0C, 0x41, 0xD0, 0x03, 0x03 };     /* PNP0303 */
    static const uint8_t rtc[] = { 0x0C, 0x41, 0xD0, 0x0B, 0x00 };     /* PNP0B00 */
    int n;
    const uint8_t *p;

    ck_assert_uint_eq(d[8], 2);
    ck_assert(contains(d, len, s5, sizeof(s5)));
    ck_assert(contains(d, len, "_S5_", 4));
    ck_assert(contains(d, len, pci_hid, sizeof(pci_hid)));
    ck_assert(contains(d, len, hole, sizeof(hole)));
    ck_assert(contains(d, len, io_hi, sizeof(io_hi)));
    ck_assert(contains(d, len, "PCI0", 4));
    ck_assert(contains(d, len, "_PRT", 4));
    ck_assert(contains(d, len, "_CRS", 4));
    ck_assert(contains(d, len, "_BBN", 4));
    ck_assert(contains(d, len, com1, sizeof(com1)));
    ck_assert(contains(d, len, kbd, sizeof(kbd)));
    ck_assert(contains(d, len, rtc, sizeof(rtc)));
    ck_assert(contains(d, len, "ACPI0007", 9));

    /* after \_S5 comes Scope(\_SB_) and its package length reaches the table's end */
    p = d + 36 + sizeof(s5);
    ck_assert_uint_eq(p[0], 0x10);
    ck_assert_uint_eq(1 + pkglen(p + 1, &n), len - 36 - sizeof(s5));
    ck_assert(!memcmp(p + 1 + n, "\\_SB_", 5));
}
END_TEST

START_TEST(test_dsdt_prt_routing)
{
    uint32_t len;
    const uint8_t *d = dsdt(&len);
    /* Package(4) { 0x0003FFFF, Zero, Zero, 0x12 }: slot 3 INTA -> PIRQC -> GSI 18 */
    static const uint8_t s3a[] = { 0x12, 0x0B, 0x04, 0x0C, 0xFF, 0xFF, 0x03, 0x00,
                                   0x00, 0x00, 0x0A, 0x12 };
    /* slot 5 INTB -> PIRQB -> GSI 17 */
    static const uint8_t s5b[] = { 0x12, 0x0B, 0x04, 0x0C, 0xFF, 0xFF, 0x05, 0x00,
                                   0x01, 0x00, 0x0A, 0x11 };
    ck_assert(contains(d, len, s3a, sizeof(s3a)));
    ck_assert(contains(d, len, s5b, sizeof(s5b)));
}
END_TEST

START_TEST(test_config_variants)
{
    uint32_t len;
    const uint8_t *d, *f;
    static const uint8_t kbd[] = { 0x0C, 0x41, 0xD0, 0x03, 0x03 };
    static const uint8_t hole3g[] = { 0x00, 0x00, 0x00, 0xC0, 0xFF, 0xFF, 0xBF, 0xFE };
    /* a 1 MiB-rounded window for an odd RAM size */
    static const uint8_t hole_odd[] = { 0x00, 0x00, 0x10, 0x08, 0xFF, 0xFF, 0xBF, 0xFE };

    acpi_config_pc(&cfg, 8, 0xC0000000);
    cfg.i8042 = false;
    cfg.rtc = false;
    build();
    f = find("FACP");
    ck_assert_uint_eq(rd16(f + 109), 0x0001 | 0x0020);  /* legacy, CMOS RTC not present */
    ck_assert_uint_eq(f[108], 0);
    d = dsdt(&len);
    ck_assert(!contains(d, len, kbd, sizeof(kbd)));
    ck_assert(contains(d, len, hole3g, sizeof(hole3g)));
    check_madt(8);

    acpi_config_pc(&cfg, 1, 128 * MiB + 4096);
    build();
    d = dsdt(&len);
    ck_assert(contains(d, len, hole_odd, sizeof(hole_odd)));
}
END_TEST

START_TEST(test_errors)
{
    uint8_t small[256];
    ck_assert_uint_eq(acpi_build(&cfg, small, sizeof(small), BASE), 0);
    ck_assert_uint_eq(acpi_build(&cfg, blob, MAXSZ, BASE + 8), 0);
    ck_assert_uint_eq(acpi_build(&cfg, blob, MAXSZ, 0xFFFFFF00u), 0);
    cfg.ncpus = 0;
    ck_assert_uint_eq(acpi_build(&cfg, blob, MAXSZ, BASE), 0);
    cfg.ncpus = 300;
    ck_assert_uint_eq(acpi_build(&cfg, blob, MAXSZ, BASE), 0);
    cfg.ncpus = 2;
    cfg.lowmem_end = 0xFF000000u;
    ck_assert_uint_eq(acpi_build(&cfg, blob, MAXSZ, BASE), 0);
    /* the exact size fits */
    cfg.lowmem_end = 128 * MiB;
    ck_assert_uint_eq(acpi_build(&cfg, blob, blob_size, BASE), blob_size);
    ck_assert_uint_eq(acpi_build(&cfg, blob, blob_size - 1, BASE), 0);
}
END_TEST

START_TEST(test_base_relocation)
{
    /* the same tables at another base differ only in their pointers */
    static uint8_t other[MAXSZ];
    size_t n = acpi_build(&cfg, other, sizeof(other), 0x7F000000u);
    ck_assert_uint_eq(n, blob_size);
    ck_assert_uint_eq(rd64(other + 24) - 0x7F000000u, rd64(blob + 24) - BASE);
    ck_assert_uint_eq(acpi_checksum(other, 36), 0);
}
END_TEST

static Suite *acpi_suite(void)
{
    Suite *s = suite_create("acpi");
    TCase *tc = tcase_create("tables");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_rsdp);
    tcase_add_test(tc, test_every_checksum);
    tcase_add_test(tc, test_fadt);
    tcase_add_test(tc, test_madt);
    tcase_add_test(tc, test_dsdt);
    tcase_add_test(tc, test_dsdt_prt_routing);
    tcase_add_test(tc, test_config_variants);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_base_relocation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(acpi_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

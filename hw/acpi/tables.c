/* SPDX-License-Identifier: MIT */
/*
 * hw/acpi/tables.c — ACPI tables for the `pc` board: RSDP, RSDT, XSDT, FADT, FACS, MADT and
 * a DSDT whose AML is assembled here byte by byte.
 *
 * Follows the ACPI 6.0 specification: §5.2.5.3 RSDP, §5.2.6 table header, §5.2.7 RSDT,
 * §5.2.8 XSDT, §5.2.9 FADT (revision 6, 276 bytes; §5.2.9.3 IA-PC boot architecture flags),
 * §5.2.10 FACS, §5.2.12 MADT (§5.2.12.2 Processor Local APIC, .3 I/O APIC, .5 Interrupt
 * Source Override, .7 Local APIC NMI), §5.2.3.2 Generic Address Structure, §6.4 resource
 * descriptors, §19.2 (AML grammar: name strings, package lengths, data objects), §7.3.4
 * \_Sx packages, §6.2.13 _PRT. EISA IDs are compressed as §19.6.35 (EISAID) describes.
 *
 * Not built: SSDTs, HPET, MCFG (no PCIe), SRAT/SLIT (no NUMA), a 64-bit PCI window, x2APIC
 * entries (APIC IDs stay below 255), \_S1-\_S4 (only soft-off is offered), _PIC and PCI
 * interrupt link devices (the _PRT names IOAPIC GSIs, so the tables are for APIC mode; an
 * OS in PIC mode finds no links and keeps the interrupt line registers), _OSC, processor
 * power or performance objects, and the FACS global lock protocol (no firmware shares
 * anything with the OS).
 */
#include "hw/acpi/tables.h"
#include "hw/isa/piix3.h"

/* ---------------------------------------------------------------------------------------
 * A growable byte buffer, little-endian
 */

typedef struct Buf {
    uint8_t *data;
    size_t len, cap;
} Buf;

static void buf_reserve(Buf *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) {
            cap *= 2;
        }
        b->data = realloc(b->data, cap);
        if (!b->data) {
            fatal("out of memory");
        }
        b->cap = cap;
    }
}

static void put_bytes(Buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_le(Buf *b, uint64_t v, unsigned n)
{
    buf_reserve(b, n);
    for (unsigned i = 0; i < n; i++) {
        b->data[b->len++] = v >> (8 * i);
    }
}

static void put8(Buf *b, uint8_t v) { put_le(b, v, 1); }
static void put16(Buf *b, uint16_t v) { put_le(b, v, 2); }
static void put32(Buf *b, uint32_t v) { put_le(b, v, 4); }
static void put64(Buf *b, uint64_t v) { put_le(b, v, 8); }

/* A fixed-width text field, space padded (OEM IDs). */
static void put_text(Buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put8(b, *s ? *s++ : ' ');
    }
}

static void buf_free(Buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += p[i];
    }
    return sum;
}

/* ---------------------------------------------------------------------------------------
 * System description table header (§5.2.6)
 */

#define ACPI_OEM_ID        "TANDEM"
#define ACPI_OEM_TABLE_ID  "TANDEMPC"
#define ACPI_OEM_REVISION  1
#define ACPI_CREATOR_ID    "TNDM"
#define ACPI_CREATOR_REV   1
#define ACPI_HEADER_SIZE   36

static void table_begin(Buf *b, const char *sig, uint8_t revision)
{
    put_bytes(b, sig, 4);
    put32(b, 0);                    /* length: table_end */
    put8(b, revision);
    put8(b, 0);                     /* checksum: table_end */
    put_text(b, ACPI_OEM_ID, 6);
    put_text(b, ACPI_OEM_TABLE_ID, 8);
    put32(b, ACPI_OEM_REVISION);
    put_text(b, ACPI_CREATOR_ID, 4);
    put32(b, ACPI_CREATOR_REV);
}

static void table_end(Buf *b)
{
    b->data[4] = b->len;
    b->data[5] = b->len >> 8;
    b->data[6] = b->len >> 16;
    b->data[7] = b->len >> 24;
    b->data[9] = 0;
    b->data[9] = -acpi_checksum(b->data, b->len);
}

/* Generic Address Structure (§5.2.3.2) */
enum {
    GAS_SYSTEM_IO = 1,
    GAS_ACCESS_UNDEFINED = 0, GAS_ACCESS_BYTE = 1, GAS_ACCESS_WORD = 2, GAS_ACCESS_DWORD = 3,
};

static void put_gas(Buf *b, uint8_t space, uint8_t bit_width, uint8_t access, uint64_t addr)
{
    put8(b, space);
    put8(b, bit_width);
    put8(b, 0);                     /* bit offset */
    put8(b, access);
    put64(b, addr);
}

/* An I/O block as a GAS: empty when the block is absent, as the spec asks. */
static void put_gas_io(Buf *b, uint16_t port, uint8_t len, uint8_t access)
{
    if (!port || !len) {
        put_gas(b, 0, 0, 0, 0);
    } else {
        put_gas(b, GAS_SYSTEM_IO, len * 8, access, port);
    }
}

/* ---------------------------------------------------------------------------------------
 * AML (§19.2)
 */

enum {
    AML_ZERO = 0x00, AML_ONE = 0x01, AML_NAME = 0x08, AML_BYTE_PREFIX = 0x0A,
    AML_WORD_PREFIX = 0x0B, AML_DWORD_PREFIX = 0x0C, AML_STRING_PREFIX = 0x0D,
    AML_QWORD_PREFIX = 0x0E, AML_SCOPE = 0x10, AML_BUFFER = 0x11, AML_PACKAGE = 0x12,
    AML_EXT_PREFIX = 0x5B, AML_EXT_DEVICE = 0x82, AML_ROOT_CHAR = 0x5C,
    AML_DUAL_NAME_PREFIX = 0x2E, AML_MULTI_NAME_PREFIX = 0x2F,
};

/* A NameString: an optional leading '\', then 4-character segments separated by '.'
 * (shorter segments are padded with '_', as ASL does). */
static void aml_name(Buf *b, const char *path)
{
    const char *segs[8];
    int n = 0;

    if (*path == '\\') {
        put8(b, AML_ROOT_CHAR);
        path++;
    }
    while (*path && n < 8) {
        segs[n++] = path;
        while (*path && *path != '.') {
            path++;
        }
        if (*path == '.') {
            path++;
        }
    }
    if (n == 2) {
        put8(b, AML_DUAL_NAME_PREFIX);
    } else if (n > 2) {
        put8(b, AML_MULTI_NAME_PREFIX);
        put8(b, n);
    }
    for (int i = 0; i < n; i++) {
        const char *s = segs[i];
        for (int c = 0; c < 4; c++) {
            put8(b, (*s && *s != '.') ? *s++ : '_');
        }
    }
    if (n == 0) {
        put8(b, 0x00);              /* NullName */
    }
}

/* A package length covers itself and what follows: begin notes where the body starts,
 * end moves the body to make room for the shortest encoding (1-4 bytes). */
static size_t aml_pkg_begin(Buf *b)
{
    return b->len;
}

static void aml_pkg_end(Buf *b, size_t start)
{
    size_t body = b->len - start;
    size_t total;
    unsigned n;

    if (body + 1 < 0x40) {
        n = 1;
    } else if (body + 2 < 0x1000) {
        n = 2;
    } else if (body + 3 < 0x100000) {
        n = 3;
    } else {
        n = 4;
    }
    assert(body + n < 0x10000000);
    total = body + n;
    buf_reserve(b, n);
    memmove(b->data + start + n, b->data + start, body);
    if (n == 1) {
        b->data[start] = total;
    } else {
        b->data[start] = ((n - 1) << 6) | (total & 0x0F);
        for (unsigned i = 1; i < n; i++) {
            b->data[start + i] = total >> (4 + 8 * (i - 1));
        }
    }
    b->len += n;
}

/* The shortest integer encoding (ZeroOp, OneOp, Byte/Word/DWord/QWord constants). */
static void aml_int(Buf *b, uint64_t v)
{
    if (v == 0) {
        put8(b, AML_ZERO);
    } else if (v == 1) {
        put8(b, AML_ONE);
    } else if (v <= 0xFF) {
        put8(b, AML_BYTE_PREFIX);
        put8(b, v);
    } else if (v <= 0xFFFF) {
        put8(b, AML_WORD_PREFIX);
        put16(b, v);
    } else if (v <= 0xFFFFFFFF) {
        put8(b, AML_DWORD_PREFIX);
        put32(b, v);
    } else {
        put8(b, AML_QWORD_PREFIX);
        put64(b, v);
    }
}

static void aml_string(Buf *b, const char *s)
{
    put8(b, AML_STRING_PREFIX);
    put_bytes(b, s, strlen(s) + 1);
}

/* EISAID("PNP0A03"): three letters of 5 bits each and four hex digits, stored as a DWord
 * whose bytes are big-endian compressed ID (§19.6.35). Always a DWord, as ASL emits it. */
static uint32_t eisa_id(const char *id)
{
    uint32_t v;
    assert(strlen(id) == 7);
    v = ((uint32_t)(id[0] - 0x40) << 26) | ((uint32_t)(id[1] - 0x40) << 21) |
        ((uint32_t)(id[2] - 0x40) << 16) | (uint32_t)strtoul(id + 3, NULL, 16);
    /* the 32-bit value is stored most significant byte first */
    return ((v >> 24) & 0xFF) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

static void aml_eisaid(Buf *b, const char *id)
{
    put8(b, AML_DWORD_PREFIX);
    put32(b, eisa_id(id));
}

/* Name(path, <integer>) */
static void aml_name_int(Buf *b, const char *path, uint64_t v)
{
    put8(b, AML_NAME);
    aml_name(b, path);
    aml_int(b, v);
}

/* Scope(path) { ... } and Device(path) { ... }: begin returns the package start. */
static size_t aml_scope_begin(Buf *b, const char *path)
{
    size_t start;
    put8(b, AML_SCOPE);
    start = aml_pkg_begin(b);
    aml_name(b, path);
    return start;
}

static size_t aml_device_begin(Buf *b, const char *path)
{
    size_t start;
    put8(b, AML_EXT_PREFIX);
    put8(b, AML_EXT_DEVICE);
    start = aml_pkg_begin(b);
    aml_name(b, path);
    return start;
}

/* Name(path, Buffer() { resource descriptors, EndTag }) from the descriptors in res. */
static void aml_name_resources(Buf *b, const char *path, const Buf *res)
{
    size_t start;
    put8(b, AML_NAME);
    aml_name(b, path);
    put8(b, AML_BUFFER);
    start = aml_pkg_begin(b);
    aml_int(b, res->len + 2);
    put_bytes(b, res->data, res->len);
    put8(b, 0x79);                  /* End Tag (§6.4.2.9) */
    put8(b, 0x00);                  /* checksum 0: "treated as correct" */
    aml_pkg_end(b, start);
}

/* ---------------------------------------------------------------------------------------
 * Resource descriptors (§6.4)
 */

/* I/O port descriptor, 16-bit decode (§6.4.2.5) */
static void res_io(Buf *r, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    put8(r, 0x47);
    put8(r, 0x01);
    put16(r, min);
    put16(r, max);
    put8(r, align);
    put8(r, len);
}

/* IRQ descriptor without the flags byte: edge, active high, exclusive (§6.4.2.1) */
static void res_irq(Buf *r, int irq)
{
    put8(r, 0x22);
    put16(r, 1u << irq);
}

/* Address space descriptors (§6.4.3.5): a bridge window the host bridge produces, with
 * fixed minimum and maximum and positive decode. */
enum { RES_MEMORY = 0, RES_IO = 1, RES_BUS = 2 };
#define RES_GEN_PRODUCER_FIXED 0x0C     /* _MIF | _MAF, positive decode, producer */
#define RES_IO_ENTIRE_RANGE    0x03     /* _RNG: ISA and non-ISA ranges */
#define RES_MEM_RW             0x01
#define RES_MEM_CACHEABLE      0x02     /* _MEM = 1 */

static void res_word(Buf *r, uint8_t type, uint8_t type_flags, uint16_t min, uint16_t max)
{
    put8(r, 0x88);
    put16(r, 13);
    put8(r, type);
    put8(r, RES_GEN_PRODUCER_FIXED);
    put8(r, type_flags);
    put16(r, 0);                    /* granularity */
    put16(r, min);
    put16(r, max);
    put16(r, 0);                    /* translation offset */
    put16(r, max - min + 1);
}

static void res_dword_mem(Buf *r, uint8_t type_flags, uint32_t min, uint32_t max)
{
    put8(r, 0x87);
    put16(r, 23);
    put8(r, RES_MEMORY);
    put8(r, RES_GEN_PRODUCER_FIXED);
    put8(r, type_flags);
    put32(r, 0);                    /* granularity */
    put32(r, min);
    put32(r, max);
    put32(r, 0);                    /* translation offset */
    put32(r, max - min + 1);
}

/* ---------------------------------------------------------------------------------------
 * The DSDT
 */

/* Device(name) { Name(_HID, EISAID(hid)) [Name(_UID, uid)] Name(_CRS, res) } */
static void dsdt_isa_device(Buf *b, const char *name, const char *hid, int uid,
                            const Buf *res)
{
    size_t dev = aml_device_begin(b, name);
    put8(b, AML_NAME);
    aml_name(b, "_HID");
    aml_eisaid(b, hid);
    if (uid >= 0) {
        aml_name_int(b, "_UID", uid);
    }
    aml_name_resources(b, "_CRS", res);
    aml_pkg_end(b, dev);
}

static void dsdt_isa_bridge(Buf *b, const AcpiConfig *cfg)
{
    size_t isa = aml_device_begin(b, "ISA_");
    Buf r = { 0 };

    aml_name_int(b, "_ADR", (uint32_t)PCI_SLOT(PIIX3_DEVFN) << 16 | PCI_FUNC(PIIX3_DEVFN));
    if (cfg->com1) {
        res_io(&r, 0x3F8, 0x3F8, 1, 8);
        res_irq(&r, 4);
        dsdt_isa_device(b, "COM1", "PNP0501", 1, &r);
        r.len = 0;
    }
    if (cfg->i8042) {
        res_io(&r, 0x60, 0x60, 1, 1);
        res_io(&r, 0x64, 0x64, 1, 1);
        res_irq(&r, 1);
        dsdt_isa_device(b, "KBD_", "PNP0303", -1, &r);
        r.len = 0;
        res_irq(&r, 12);
        dsdt_isa_device(b, "MOU_", "PNP0F13", -1, &r);
        r.len = 0;
    }
    if (cfg->rtc) {
        res_io(&r, 0x70, 0x70, 1, 8);
        res_irq(&r, 8);
        dsdt_isa_device(b, "RTC_", "PNP0B00", -1, &r);
        r.len = 0;
    }
    buf_free(&r);
    aml_pkg_end(b, isa);
}

/* _PRT (§6.2.13): for every slot and pin, Package { 0xSSSSFFFF, pin, 0, GSI }: a source of
 * 0 means the last field is a global system interrupt (no link device). */
static void dsdt_prt(Buf *b)
{
    size_t pkg;
    put8(b, AML_NAME);
    aml_name(b, "_PRT");
    put8(b, AML_PACKAGE);
    pkg = aml_pkg_begin(b);
    put8(b, 32 * PCI_NUM_PINS);
    for (int slot = 0; slot < 32; slot++) {
        for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
            size_t e;
            put8(b, AML_PACKAGE);
            e = aml_pkg_begin(b);
            put8(b, 4);
            aml_int(b, (uint32_t)slot << 16 | 0xFFFF);
            aml_int(b, pin);
            aml_int(b, 0);
            aml_int(b, PIIX3_PIRQ_GSI_BASE + piix3_pirq_of(slot, pin));
            aml_pkg_end(b, e);
        }
    }
    aml_pkg_end(b, pkg);
}

static void dsdt_pci0(Buf *b, const AcpiConfig *cfg)
{
    size_t dev = aml_device_begin(b, "PCI0");
    uint64_t hole = (cfg->lowmem_end + MiB - 1) & ~(MiB - 1);
    Buf r = { 0 };

    put8(b, AML_NAME);
    aml_name(b, "_HID");
    aml_eisaid(b, "PNP0A03");
    aml_name_int(b, "_UID", 0);
    aml_name_int(b, "_BBN", 0);

    res_word(&r, RES_BUS, 0, 0x00, 0xFF);
    res_io(&r, 0xCF8, 0xCF8, 1, 8);              /* the config ports, consumed */
    res_word(&r, RES_IO, RES_IO_ENTIRE_RANGE, 0x0000, 0x0CF7);
    res_word(&r, RES_IO, RES_IO_ENTIRE_RANGE, 0x0D00, 0xFFFF);
    res_dword_mem(&r, RES_MEM_RW | RES_MEM_CACHEABLE, 0x000A0000, 0x000BFFFF);
    res_dword_mem(&r, RES_MEM_RW, hole, ACPI_PC_PCI_HOLE_END - 1);
    aml_name_resources(b, "_CRS", &r);
    buf_free(&r);

    dsdt_prt(b);
    dsdt_isa_bridge(b, cfg);
    aml_pkg_end(b, dev);
}

static void build_dsdt(Buf *b, const AcpiConfig *cfg)
{
    size_t pkg, sb;

    table_begin(b, "DSDT", 2);      /* revision 2: 64-bit integers */

    /* Name(\_S5, Package(4) { SLP_TYPa, SLP_TYPb, reserved, reserved }) (§7.3.4.5) */
    put8(b, AML_NAME);
    aml_name(b, "\\_S5_");
    put8(b, AML_PACKAGE);
    pkg = aml_pkg_begin(b);
    put8(b, 4);
    aml_int(b, cfg->s5_slp_typ);
    aml_int(b, cfg->s5_slp_typ);
    aml_int(b, 0);
    aml_int(b, 0);
    aml_pkg_end(b, pkg);

    sb = aml_scope_begin(b, "\\_SB_");
    /* processor devices (§8.4): _UID matches the MADT entries' ACPI Processor UID */
    for (int i = 0; i < cfg->ncpus; i++) {
        char name[16];
        size_t cpu;
        snprintf(name, sizeof(name), "C%03X", i);
        cpu = aml_device_begin(b, name);
        put8(b, AML_NAME);
        aml_name(b, "_HID");
        aml_string(b, "ACPI0007");
        aml_name_int(b, "_UID", i);
        aml_pkg_end(b, cpu);
    }
    dsdt_pci0(b, cfg);
    aml_pkg_end(b, sb);
    table_end(b);
}

/* ---------------------------------------------------------------------------------------
 * FACS, FADT, MADT, RSDT, XSDT, RSDP
 */

#define FACS_SIZE 64

static void build_facs(Buf *b)
{
    put_bytes(b, "FACS", 4);
    put32(b, FACS_SIZE);
    put32(b, 0);                    /* hardware signature */
    put32(b, 0);                    /* firmware waking vector */
    put32(b, 0);                    /* global lock */
    put32(b, 0);                    /* flags: no S4BIOS, no 64-bit wake */
    put64(b, 0);                    /* X firmware waking vector */
    put8(b, 2);                     /* version */
    put_le(b, 0, 3);
    put32(b, 0);                    /* OSPM flags */
    put_le(b, 0, 24);
    assert(b->len == FACS_SIZE);
}

/* FADT flags (§5.2.9, table 5-35) and IA-PC boot architecture flags (table 5-36) */
#define FADT_WBINVD         (1u << 0)
#define FADT_PROC_C1        (1u << 2)
#define FADT_SLP_BUTTON     (1u << 5)   /* no fixed-feature sleep button */
#define FADT_TMR_VAL_EXT    (1u << 8)
#define FADT_RESET_REG_SUP  (1u << 10)
#define BOOT_LEGACY_DEVICES (1u << 0)
#define BOOT_8042           (1u << 1)
#define BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)
#define FADT_SIZE 276

static void build_fadt(Buf *b, const AcpiConfig *cfg, uint64_t facs, uint64_t dsdt)
{
    uint16_t boot = BOOT_LEGACY_DEVICES;

    if (cfg->i8042) {
        boot |= BOOT_8042;
    }
    if (!cfg->rtc) {
        boot |= BOOT_CMOS_RTC_NOT_PRESENT;
    }
    table_begin(b, "FACP", 6);
    put32(b, facs);                                 /*  36 FIRMWARE_CTRL */
    put32(b, dsdt);                                 /*  40 DSDT */
    put8(b, 0);                                     /*  44 reserved */
    put8(b, 0);                                     /*  45 Preferred_PM_Profile: unspecified */
    put16(b, cfg->sci_irq);                         /*  46 SCI_INT */
    put32(b, 0);                                    /*  48 SMI_CMD: ACPI always enabled */
    put8(b, 0);                                     /*  52 ACPI_ENABLE */
    put8(b, 0);                                     /*  53 ACPI_DISABLE */
    put8(b, 0);                                     /*  54 S4BIOS_REQ */
    put8(b, 0);                                     /*  55 PSTATE_CNT */
    put32(b, cfg->pm1a_evt_blk);                    /*  56 PM1a_EVT_BLK */
    put32(b, 0);                                    /*  60 PM1b_EVT_BLK */
    put32(b, cfg->pm1a_cnt_blk);                    /*  64 PM1a_CNT_BLK */
    put32(b, 0);                                    /*  68 PM1b_CNT_BLK */
    put32(b, 0);                                    /*  72 PM2_CNT_BLK */
    put32(b, cfg->pm_tmr_blk);                      /*  76 PM_TMR_BLK */
    put32(b, cfg->gpe0_blk);                        /*  80 GPE0_BLK */
    put32(b, 0);                                    /*  84 GPE1_BLK */
    put8(b, ACPI_PC_PM1_EVT_LEN);                   /*  88 PM1_EVT_LEN */
    put8(b, ACPI_PC_PM1_CNT_LEN);                   /*  89 PM1_CNT_LEN */
    put8(b, 0);                                     /*  90 PM2_CNT_LEN */
    put8(b, ACPI_PC_PM_TMR_LEN);                    /*  91 PM_TMR_LEN */
    put8(b, cfg->gpe0_blk ? cfg->gpe0_blk_len : 0); /*  92 GPE0_BLK_LEN */
    put8(b, 0);                                     /*  93 GPE1_BLK_LEN */
    put8(b, 0);                                     /*  94 GPE1_BASE */
    put8(b, 0);                                     /*  95 CST_CNT */
    put16(b, 0x0FFF);                               /*  96 P_LVL2_LAT: > 100, no C2 */
    put16(b, 0x0FFF);                               /*  98 P_LVL3_LAT: > 1000, no C3 */
    put16(b, 0);                                    /* 100 FLUSH_SIZE */
    put16(b, 0);                                    /* 102 FLUSH_STRIDE */
    put8(b, 0);                                     /* 104 DUTY_OFFSET */
    put8(b, 0);                                     /* 105 DUTY_WIDTH */
    put8(b, 0);                                     /* 106 DAY_ALRM: not supported */
    put8(b, 0);                                     /* 107 MON_ALRM: not supported */
    put8(b, cfg->rtc ? cfg->rtc_century : 0);       /* 108 CENTURY */
    put16(b, boot);                                 /* 109 IAPC_BOOT_ARCH */
    put8(b, 0);                                     /* 111 reserved */
    put32(b, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON |
             (cfg->reset_port ? FADT_RESET_REG_SUP : 0));   /* 112 Flags */
    put_gas_io(b, cfg->reset_port, 1, GAS_ACCESS_BYTE);     /* 116 RESET_REG */
    put8(b, cfg->reset_value);                      /* 128 RESET_VALUE */
    put16(b, 0);                                    /* 129 ARM_BOOT_ARCH */
    put8(b, 0);                                     /* 131 FADT minor version (6.0) */
    put64(b, facs);                                 /* 132 X_FIRMWARE_CTRL */
    put64(b, dsdt);                                 /* 140 X_DSDT */
    put_gas_io(b, cfg->pm1a_evt_blk, ACPI_PC_PM1_EVT_LEN, GAS_ACCESS_WORD);  /* 148 */
    put_gas_io(b, 0, 0, 0);                         /* 160 X_PM1b_EVT_BLK */
    put_gas_io(b, cfg->pm1a_cnt_blk, ACPI_PC_PM1_CNT_LEN, GAS_ACCESS_WORD);  /* 172 */
    put_gas_io(b, 0, 0, 0);                         /* 184 X_PM1b_CNT_BLK */
    put_gas_io(b, 0, 0, 0);                         /* 196 X_PM2_CNT_BLK */
    put_gas_io(b, cfg->pm_tmr_blk, ACPI_PC_PM_TMR_LEN, GAS_ACCESS_DWORD);    /* 208 */
    put_gas_io(b, cfg->gpe0_blk, cfg->gpe0_blk_len, GAS_ACCESS_BYTE);        /* 220 */
    put_gas_io(b, 0, 0, 0);                         /* 232 X_GPE1_BLK */
    put_gas_io(b, 0, 0, 0);                         /* 244 SLEEP_CONTROL_REG */
    put_gas_io(b, 0, 0, 0);                         /* 256 SLEEP_STATUS_REG */
    put64(b, 0);                                    /* 268 hypervisor vendor identity */
    assert(b->len == FADT_SIZE);
    table_end(b);
}

/* MADT structure types (§5.2.12) and MPS INTI flags (table 5-50) */
enum { MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_ISO = 2, MADT_LAPIC_NMI = 4 };
#define MADT_PCAT_COMPAT    1u
#define MADT_LAPIC_ENABLED  1u
#define INTI_ACTIVE_HIGH    0x1
#define INTI_EDGE           (0x1 << 2)
#define INTI_LEVEL          (0x3 << 2)

static void madt_iso(Buf *b, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    put8(b, MADT_ISO);
    put8(b, 10);
    put8(b, 0);                     /* bus: ISA */
    put8(b, irq);
    put32(b, gsi);
    put16(b, flags);
}

static void build_madt(Buf *b, const AcpiConfig *cfg)
{
    table_begin(b, "APIC", 4);
    put32(b, cfg->lapic_addr);
    put32(b, MADT_PCAT_COMPAT);     /* the 8259s exist and must be masked in APIC mode */
    for (int i = 0; i < cfg->ncpus; i++) {
        put8(b, MADT_LAPIC);
        put8(b, 8);
        put8(b, i);                 /* ACPI Processor UID */
        put8(b, i);                 /* APIC ID */
        put32(b, MADT_LAPIC_ENABLED);
    }
    put8(b, MADT_IOAPIC);
    put8(b, 12);
    put8(b, cfg->ioapic_id);
    put8(b, 0);
    put32(b, cfg->ioapic_addr);
    put32(b, 0);                    /* GSI base */
    /* the PIT's IRQ 0 is wired to IOAPIC input 2 (input 0 carries the 8259's INTR) */
    madt_iso(b, 0, 2, INTI_ACTIVE_HIGH | INTI_EDGE);
    /* the SCI is level triggered and, on this board, active high */
    madt_iso(b, cfg->sci_irq, cfg->sci_irq, INTI_ACTIVE_HIGH | INTI_LEVEL);
    put8(b, MADT_LAPIC_NMI);
    put8(b, 6);
    put8(b, 0xFF);                  /* all processors */
    put16(b, 0);                    /* flags: conforming to the bus */
    put8(b, 1);                     /* LINT1 */
    table_end(b);
}

static void build_rsdt(Buf *b, const uint64_t *entries, int n)
{
    table_begin(b, "RSDT", 1);
    for (int i = 0; i < n; i++) {
        put32(b, entries[i]);
    }
    table_end(b);
}

static void build_xsdt(Buf *b, const uint64_t *entries, int n)
{
    table_begin(b, "XSDT", 1);
    for (int i = 0; i < n; i++) {
        put64(b, entries[i]);
    }
    table_end(b);
}

#define RSDP_SIZE 36

static void build_rsdp(Buf *b, uint64_t rsdt, uint64_t xsdt)
{
    put_bytes(b, "RSD PTR ", 8);
    put8(b, 0);                     /* checksum of the first 20 bytes */
    put_text(b, ACPI_OEM_ID, 6);
    put8(b, 2);                     /* revision: ACPI 2.0+ (XSDT) */
    put32(b, rsdt);
    put32(b, RSDP_SIZE);
    put64(b, xsdt);
    put8(b, 0);                     /* extended checksum */
    put_le(b, 0, 3);
    b->data[8] = -acpi_checksum(b->data, 20);
    b->data[32] = -acpi_checksum(b->data, RSDP_SIZE);
}

/* ---------------------------------------------------------------------------------------
 * The blob
 */

void acpi_config_pc(AcpiConfig *cfg, int ncpus, uint64_t lowmem_end)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->ncpus = ncpus;
    cfg->lowmem_end = lowmem_end;
    cfg->lapic_addr = ACPI_PC_LAPIC_ADDR;
    cfg->ioapic_addr = ACPI_PC_IOAPIC_ADDR;
    cfg->ioapic_id = acpi_pc_ioapic_id(ncpus);
    cfg->sci_irq = ACPI_PC_SCI_IRQ;
    cfg->pm1a_evt_blk = ACPI_PC_PM1A_EVT_BLK;
    cfg->pm1a_cnt_blk = ACPI_PC_PM1A_CNT_BLK;
    cfg->pm_tmr_blk = ACPI_PC_PM_TMR_BLK;
    cfg->gpe0_blk = ACPI_PC_GPE0_BLK;
    cfg->gpe0_blk_len = ACPI_PC_GPE0_BLK_LEN;
    cfg->reset_port = ACPI_PC_RESET_PORT;
    cfg->reset_value = ACPI_PC_RESET_VALUE;
    cfg->s5_slp_typ = ACPI_PC_SLP_TYP_S5;
    cfg->rtc_century = ACPI_PC_RTC_CENTURY;
    cfg->com1 = true;
    cfg->i8042 = true;
    cfg->rtc = true;
}

/* Append table t at the next multiple of align in out; its offset, or SIZE_MAX. */
static size_t blob_place(Buf *out, const Buf *t, size_t align)
{
    size_t off = (out->len + align - 1) & ~(align - 1);
    put_le(out, 0, off - out->len);
    put_bytes(out, t->data, t->len);
    return off;
}

size_t acpi_build(const AcpiConfig *cfg, uint8_t *buf, size_t max, hwaddr base)
{
    Buf out = { 0 }, t = { 0 };
    uint64_t facs, dsdt, fadt, madt, rsdt, xsdt, entries[2];
    size_t size = 0;

    if (cfg->ncpus < 1 || cfg->ncpus > ACPI_MAX_CPUS) {
        error_report("ACPI: %d CPUs cannot be described (1 to %d)", cfg->ncpus,
                     ACPI_MAX_CPUS);
        return 0;
    }
    if (cfg->lowmem_end >= ACPI_PC_PCI_HOLE_END) {
        error_report("ACPI: RAM below 4 GiB (0x%" PRIx64 ") leaves no PCI window",
                     cfg->lowmem_end);
        return 0;
    }
    if (base & 15) {
        error_report("ACPI: the tables' base 0x%" PRIx64 " is not 16-byte aligned", base);
        return 0;
    }

    /* the RSDP is written last, when the RSDT and XSDT addresses are known */
    put_le(&out, 0, RSDP_SIZE);

    build_facs(&t);
    facs = base + blob_place(&out, &t, 64);
    t.len = 0;
    build_dsdt(&t, cfg);
    dsdt = base + blob_place(&out, &t, 16);
    t.len = 0;
    build_fadt(&t, cfg, facs, dsdt);
    fadt = base + blob_place(&out, &t, 16);
    t.len = 0;
    build_madt(&t, cfg);
    madt = base + blob_place(&out, &t, 16);
    entries[0] = fadt;
    entries[1] = madt;
    t.len = 0;
    build_rsdt(&t, entries, 2);
    rsdt = base + blob_place(&out, &t, 16);
    t.len = 0;
    build_xsdt(&t, entries, 2);
    xsdt = base + blob_place(&out, &t, 16);
    t.len = 0;
    build_rsdp(&t, rsdt, xsdt);
    memcpy(out.data + ACPI_RSDP_OFFSET, t.data, RSDP_SIZE);

    if (out.len > max) {
        error_report("ACPI: the tables need %zu bytes, only %zu are available", out.len, max);
    } else if (base + out.len > 4 * GiB) {
        error_report("ACPI: the tables at 0x%" PRIx64 " would cross 4 GiB", base);
    } else {
        memcpy(buf, out.data, out.len);
        size = out.len;
    }
    buf_free(&t);
    buf_free(&out);
    return size;
}

/* SPDX-License-Identifier: MIT */
/*
 * hw/nvram/fw_cfg.c — QEMU's firmware configuration device on x86 I/O ports ("fw_cfg_io").
 *
 * Models the interface of QEMU's docs/specs/fw_cfg.rst: the selector (16-bit write at
 * iobase), the data port (8-bit reads at iobase + 1 with auto-increment; a byte read at
 * iobase reads data too, as on QEMU), the item table with the generic and arch-local key
 * spaces, the file directory (big-endian count, then {be32 size, be16 select, be16 reserved,
 * char name[56]} sorted by name) and the DMA interface at iobase + 4: a FWCfgDmaAccess
 * {be32 control, be32 length, be64 address} in guest memory with select, read (0 past the
 * end of the item) and skip; the control word is written back as 0 or ERROR.
 *
 * Not modelled: writable items (DMA writes and the legacy data-port write are refused or
 * ignored), the MMIO variant, read callbacks that build items lazily.
 */
#include "util/osdep.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/core/machine.h"

#define FW_CFG_GENERIC_ENTRIES (FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES)
#define FW_CFG_DIR_ENTRY_SIZE (4 + 2 + 2 + FW_CFG_MAX_FILE_PATH)

typedef struct FwCfgEntry {
    uint8_t *data;
    uint32_t len;
    bool present;
} FwCfgEntry;

typedef struct FwCfgState {
    Device parent;
    MemRegion io, dma_io;
    bool dma_enabled;
    FwCfgEntry generic[FW_CFG_GENERIC_ENTRIES];
    FwCfgEntry arch[FW_CFG_ARCH_ENTRIES];
    char file_names[FW_CFG_MAX_FILES][FW_CFG_MAX_FILE_PATH];
    int nr_files;
    /* guest-visible state */
    uint16_t cur_key;
    uint32_t cur_offset;
    uint64_t dma_addr;
} FwCfgState;

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, v >> 16);
    put_be16(p + 2, (uint16_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

static FwCfgEntry *fw_cfg_entry(FwCfgState *s, uint16_t key)
{
    unsigned idx = key & ~(FW_CFG_WRITE_CHANNEL | FW_CFG_ARCH_LOCAL);
    if (key & FW_CFG_ARCH_LOCAL) {
        return idx < FW_CFG_ARCH_ENTRIES ? &s->arch[idx] : NULL;
    }
    return idx < FW_CFG_GENERIC_ENTRIES ? &s->generic[idx] : NULL;
}

static void fw_cfg_set(FwCfgEntry *e, uint8_t *data, size_t len)
{
    free(e->data);
    e->data = data;
    e->len = (uint32_t)len;
    e->present = true;
}

int fw_cfg_add_bytes(Device *dev, uint16_t key, const void *data, size_t len)
{
    FwCfgState *s = (FwCfgState *)dev;
    FwCfgEntry *e = fw_cfg_entry(s, key);
    uint8_t *copy;
    if (!e || (key & FW_CFG_WRITE_CHANNEL) || len > UINT32_MAX) {
        error_report("fw_cfg: key 0x%04x is out of range", key);
        return -EINVAL;
    }
    copy = xmalloc(len);
    if (len) {
        memcpy(copy, data, len);
    }
    fw_cfg_set(e, copy, len);
    return 0;
}

int fw_cfg_add_string(Device *dev, uint16_t key, const char *str)
{
    return fw_cfg_add_bytes(dev, key, str, strlen(str) + 1);
}

int fw_cfg_add_i16(Device *dev, uint16_t key, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    return fw_cfg_add_bytes(dev, key, b, sizeof(b));
}

int fw_cfg_add_i32(Device *dev, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
    return fw_cfg_add_bytes(dev, key, b, sizeof(b));
}

int fw_cfg_add_i64(Device *dev, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
    return fw_cfg_add_bytes(dev, key, b, sizeof(b));
}

/* Rebuild FW_CFG_FILE_DIR: files sorted by name, keys as they were given. */
static void fw_cfg_rebuild_dir(FwCfgState *s)
{
    size_t len = 4 + (size_t)s->nr_files * FW_CFG_DIR_ENTRY_SIZE;
    uint8_t *dir = xzalloc(len);
    int order[FW_CFG_MAX_FILES];

    for (int i = 0; i < s->nr_files; i++) {      /* insertion sort: few files */
        int j = i;
        while (j > 0 && strcmp(s->file_names[order[j - 1]], s->file_names[i]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    put_be32(dir, (uint32_t)s->nr_files);
    for (int i = 0; i < s->nr_files; i++) {
        uint8_t *p = dir + 4 + (size_t)i * FW_CFG_DIR_ENTRY_SIZE;
        int f = order[i];
        put_be32(p, s->generic[FW_CFG_FILE_FIRST + f].len);
        put_be16(p + 4, (uint16_t)(FW_CFG_FILE_FIRST + f));
        /* p[6..7] reserved, zero */
        memcpy(p + 8, s->file_names[f], FW_CFG_MAX_FILE_PATH);
    }
    fw_cfg_set(&s->generic[FW_CFG_FILE_DIR], dir, len);
}

int fw_cfg_find_file(Device *dev, const char *name)
{
    FwCfgState *s = (FwCfgState *)dev;
    for (int i = 0; i < s->nr_files; i++) {
        if (!strcmp(s->file_names[i], name)) {
            return FW_CFG_FILE_FIRST + i;
        }
    }
    return -ENOENT;
}

int fw_cfg_add_file(Device *dev, const char *name, const void *data, size_t len)
{
    FwCfgState *s = (FwCfgState *)dev;
    size_t nlen = strlen(name);
    int key;

    if (!nlen || nlen >= FW_CFG_MAX_FILE_PATH) {
        error_report("fw_cfg: file name '%s' must have 1 to %d bytes", name,
                     FW_CFG_MAX_FILE_PATH - 1);
        return -EINVAL;
    }
    key = fw_cfg_find_file(dev, name);
    if (key < 0) {
        if (s->nr_files == FW_CFG_MAX_FILES) {
            error_report("fw_cfg: no room for file '%s' (%d files)", name, FW_CFG_MAX_FILES);
            return -ENOSPC;
        }
        key = FW_CFG_FILE_FIRST + s->nr_files;
        memset(s->file_names[s->nr_files], 0, FW_CFG_MAX_FILE_PATH);
        memcpy(s->file_names[s->nr_files], name, nlen);
        s->nr_files++;
    }
    if (fw_cfg_add_bytes(dev, (uint16_t)key, data, len) < 0) {
        return -EINVAL;
    }
    fw_cfg_rebuild_dir(s);
    return key;
}

/* ----------------------------------------------------------------------------------------
 * Guest interface
 */

static void fw_cfg_select(FwCfgState *s, uint16_t key)
{
    s->cur_key = key;
    s->cur_offset = 0;
}

/* Bytes of the selected item from the current offset (NULL/0 when none are left). */
static const uint8_t *fw_cfg_cur(FwCfgState *s, uint32_t *avail)
{
    FwCfgEntry *e = fw_cfg_entry(s, s->cur_key);
    if (!e || !e->present || s->cur_offset >= e->len) {
        *avail = 0;
        return NULL;
    }
    *avail = e->len - s->cur_offset;
    return e->data + s->cur_offset;
}

static uint8_t fw_cfg_read_byte(FwCfgState *s)
{
    uint32_t avail;
    const uint8_t *p = fw_cfg_cur(s, &avail);
    if (!p) {
        return 0;
    }
    s->cur_offset++;
    return *p;
}

static uint64_t fw_cfg_io_read(void *opaque, hwaddr addr, unsigned size)
{
    FwCfgState *s = opaque;
    s->parent.stat_reads++;
    if (size != 1) {
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("fw_cfg: %u-byte read of port +%u (the data port is 8-bit)\n", size,
                       (unsigned)addr);
        }
        return ~0ULL;
    }
    return fw_cfg_read_byte(s);
}

static void fw_cfg_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    FwCfgState *s = opaque;
    s->parent.stat_writes++;
    if (size == 2 && addr == 0) {
        fw_cfg_select(s, (uint16_t)val);
    } else if (log_enabled(LOG_GUEST_ERROR)) {
        log_printf("fw_cfg: %u-byte write 0x%" PRIx64 " to port +%u ignored\n", size, val,
                   (unsigned)addr);
    }
}

static const MemRegionOps fw_cfg_io_ops = {
    .read = fw_cfg_io_read,
    .write = fw_cfg_io_write,
    .valid_min = 1, .valid_max = 2,
    .impl_min = 1, .impl_max = 2,
};

/* Run the FWCfgDmaAccess at s->dma_addr. */
static void fw_cfg_dma_run(FwCfgState *s)
{
    static const uint8_t zeros[256];
    AddressSpace *as;
    uint64_t desc_addr = s->dma_addr, address;
    uint32_t control, length;
    uint8_t desc[16], status[4];
    bool error = false;

    s->dma_addr = 0;
    if (!s->parent.machine) {
        return;
    }
    as = &s->parent.machine->sysmem_as;
    if (as_read(as, desc_addr, desc, sizeof(desc)) != MEMTX_OK) {
        return;   /* nowhere to report the error */
    }
    control = get_be32(desc);
    length = get_be32(desc + 4);
    address = get_be64(desc + 8);

    if (control & FW_CFG_DMA_CTL_SELECT) {
        fw_cfg_select(s, (uint16_t)(control >> 16));
    }
    if (control & FW_CFG_DMA_CTL_READ) {
        control = FW_CFG_DMA_CTL_READ;
    } else if (control & FW_CFG_DMA_CTL_WRITE) {
        control = FW_CFG_DMA_CTL_WRITE;
    } else if (control & FW_CFG_DMA_CTL_SKIP) {
        control = FW_CFG_DMA_CTL_SKIP;
    } else {
        length = 0;
    }
    while (length && !error) {
        uint32_t avail, n;
        const uint8_t *p = fw_cfg_cur(s, &avail);
        if (control == FW_CFG_DMA_CTL_WRITE) {
            error = true;             /* no writable items */
            break;
        }
        if (!p) {
            /* past the end (or no item): reads give zeros */
            n = length;
            if (control == FW_CFG_DMA_CTL_READ) {
                for (uint32_t done = 0; done < n && !error;) {
                    uint32_t k = MIN(n - done, (uint32_t)sizeof(zeros));
                    error = as_write(as, address + done, zeros, k) != MEMTX_OK;
                    done += k;
                }
            }
        } else {
            n = MIN(length, avail);
            if (control == FW_CFG_DMA_CTL_READ) {
                error = as_write(as, address, p, n) != MEMTX_OK;
            }
            s->cur_offset += n;
        }
        address += n;
        length -= n;
    }
    put_be32(status, error ? FW_CFG_DMA_CTL_ERROR : 0);
    as_write(as, desc_addr, status, sizeof(status));
}

static uint64_t fw_cfg_dma_read(void *opaque, hwaddr addr, unsigned size)
{
    FwCfgState *s = opaque;
    uint64_t v = 0;
    s->parent.stat_reads++;
    /* the signature's bytes in memory order, as a little-endian number */
    for (unsigned i = 0; i < size && addr + i < 8; i++) {
        uint8_t b = (uint8_t)(FW_CFG_DMA_SIGNATURE >> (8 * (7 - (addr + i))));
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static void fw_cfg_dma_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    FwCfgState *s = opaque;
    s->parent.stat_writes++;
    /* the guest writes the address big-endian: the bus value is byte-swapped */
    if (size == 4 && addr == 0) {
        s->dma_addr = (uint64_t)__builtin_bswap32((uint32_t)val) << 32;
    } else if (size == 4 && addr == 4) {
        s->dma_addr |= __builtin_bswap32((uint32_t)val);
        fw_cfg_dma_run(s);
    } else if (size == 8 && addr == 0) {
        s->dma_addr = __builtin_bswap64(val);
        fw_cfg_dma_run(s);
    } else if (log_enabled(LOG_GUEST_ERROR)) {
        log_printf("fw_cfg: %u-byte DMA register write at +%u ignored\n", size,
                   (unsigned)addr);
    }
}

static const MemRegionOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read,
    .write = fw_cfg_dma_write,
    .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 8,
};

/* ----------------------------------------------------------------------------------------
 * Lifecycle
 */

static void fw_cfg_reset(Device *dev)
{
    FwCfgState *s = (FwCfgState *)dev;
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_addr = 0;
}

static int fw_cfg_realize(Device *dev)
{
    FwCfgState *s = (FwCfgState *)dev;
    static const uint8_t uuid[16];
    uint64_t iobase;
    const char *dma = device_prop_str(dev, "dma", "on");

    if (device_prop_u64(dev, "iobase", 0x510, &iobase) < 0) {
        return -EINVAL;
    }
    if (!strcmp(dma, "on") || !strcmp(dma, "1") || !strcmp(dma, "true")) {
        s->dma_enabled = true;
    } else if (!strcmp(dma, "off") || !strcmp(dma, "0") || !strcmp(dma, "false")) {
        s->dma_enabled = false;
    } else {
        error_report("fw_cfg_io: dma=%s: say on or off", dma);
        return -EINVAL;
    }
    if (iobase > 0x10000 - 12) {
        error_report("fw_cfg_io: iobase 0x%" PRIx64 " out of range", iobase);
        return -EINVAL;
    }
    fw_cfg_add_bytes(dev, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(dev, FW_CFG_ID, 1u | (s->dma_enabled ? 2u : 0u));
    fw_cfg_add_bytes(dev, FW_CFG_UUID, uuid, sizeof(uuid));
    fw_cfg_add_i16(dev, FW_CFG_NOGRAPHIC, 0);
    fw_cfg_add_i16(dev, FW_CFG_BOOT_MENU, 0);
    fw_cfg_rebuild_dir(s);
    if (dev->machine) {
        fw_cfg_add_i16(dev, FW_CFG_NB_CPUS, (uint16_t)dev->machine->opts.smp);
        fw_cfg_add_i16(dev, FW_CFG_MAX_CPUS, (uint16_t)dev->machine->opts.smp);
        fw_cfg_add_i64(dev, FW_CFG_RAM_SIZE, dev->machine->opts.ram_size);
    }

    mr_init_io(&s->io, dev->id, &fw_cfg_io_ops, s, 2);
    device_add_pio(dev, &s->io);
    if (s->dma_enabled) {
        mr_init_io(&s->dma_io, "fw_cfg-dma", &fw_cfg_dma_ops, s, 8);
        device_add_pio(dev, &s->dma_io);
    }
    if (dev->machine) {
        mr_add_subregion(&dev->machine->io, iobase, &s->io, 0);
        if (s->dma_enabled) {
            mr_add_subregion(&dev->machine->io, iobase + 4, &s->dma_io, 0);
        }
    }
    fw_cfg_reset(dev);
    return 0;
}

static void fw_cfg_unrealize(Device *dev)
{
    FwCfgState *s = (FwCfgState *)dev;
    MemRegion *regions[2] = { &s->io, &s->dma_io };
    for (int i = 0; i < 2; i++) {
        if (regions[i]->parent) {
            mr_del_subregion(regions[i]->parent, regions[i]);
        }
        if (regions[i]->name) {
            mr_destroy(regions[i]);
        }
    }
    for (int i = 0; i < FW_CFG_GENERIC_ENTRIES; i++) {
        free(s->generic[i].data);
    }
    for (int i = 0; i < FW_CFG_ARCH_ENTRIES; i++) {
        free(s->arch[i].data);
    }
}

static size_t fw_cfg_save(Device *dev, uint8_t *buf, size_t size)
{
    FwCfgState *s = (FwCfgState *)dev;
    if (buf && size >= 14) {
        put_be16(buf, s->cur_key);
        put_be32(buf + 2, s->cur_offset);
        put_be32(buf + 6, (uint32_t)(s->dma_addr >> 32));
        put_be32(buf + 10, (uint32_t)s->dma_addr);
    }
    return 14;
}

static int fw_cfg_load(Device *dev, const uint8_t *buf, size_t size)
{
    FwCfgState *s = (FwCfgState *)dev;
    if (size != 14) {
        return -EINVAL;
    }
    s->cur_key = (uint16_t)((buf[0] << 8) | buf[1]);
    s->cur_offset = get_be32(buf + 2);
    s->dma_addr = get_be64(buf + 6);
    return 0;
}

static void fw_cfg_info(Device *dev, FILE *f)
{
    FwCfgState *s = (FwCfgState *)dev;
    fprintf(f, "%s: selected 0x%04x offset %u, dma %s\n", dev->id, s->cur_key, s->cur_offset,
            s->dma_enabled ? "on" : "off");
    for (int i = 0; i < FW_CFG_FILE_FIRST; i++) {
        if (s->generic[i].present) {
            fprintf(f, "  0x%04x  %u bytes\n", i, s->generic[i].len);
        }
    }
    for (int i = 0; i < FW_CFG_ARCH_ENTRIES; i++) {
        if (s->arch[i].present) {
            fprintf(f, "  0x%04x  %u bytes\n", FW_CFG_ARCH_LOCAL + i, s->arch[i].len);
        }
    }
    for (int i = 0; i < s->nr_files; i++) {
        fprintf(f, "  0x%04x  %u bytes  %s\n", FW_CFG_FILE_FIRST + i,
                s->generic[FW_CFG_FILE_FIRST + i].len, s->file_names[i]);
    }
}

static const DeviceProp fw_cfg_props[] = {
    { "iobase", "selector port; data at +1, DMA at +4 (default 0x510)" },
    { "dma", "the DMA interface: on or off (default on)" },
    { NULL, NULL },
};

const DeviceClass fw_cfg_io_class = {
    .name = "fw_cfg_io",
    .desc = "QEMU firmware configuration interface (I/O ports)",
    .bus = "isa",
    .user_creatable = false,
    .state_size = sizeof(FwCfgState),
    .props = fw_cfg_props,
    .realize = fw_cfg_realize,
    .reset = fw_cfg_reset,
    .unrealize = fw_cfg_unrealize,
    .save = fw_cfg_save,
    .load = fw_cfg_load,
    .info = fw_cfg_info,
};

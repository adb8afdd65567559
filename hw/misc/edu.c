/* SPDX-License-Identifier: MIT */
/*
 * hw/misc/edu.c — "edu", QEMU's educational PCI device, written from its specification
 * (QEMU's docs/specs/edu.rst): identification, liveness check, factorial, the interrupt
 * status/raise/acknowledge registers with INTx or MSI, and the DMA engine between guest
 * memory and the device's 4 KiB buffer with an interrupt on completion. See edu.h for the
 * register map.
 *
 * Differences from QEMU's model, where the spec leaves the timing open: the factorial and
 * the DMA transfer are done at once, within the write that starts them (QEMU computes in a
 * thread and waits 100 ms of virtual time before a transfer), so the "computing" and
 * "start" bits read 0 afterwards and the completion interrupt comes before the guest's next
 * instruction. A transfer whose device side leaves the buffer (QEMU stops with an error),
 * or with bus mastering off, moves nothing (logged with -d guest_errors) but completes.
 * As in QEMU, the DMA registers are reached at their own offsets only (a 4-byte read gives
 * the low half, a 4-byte write sets the register to the 32-bit value; 0x84, 0x8C, ... are
 * unused offsets).
 * Not modelled: a computation or transfer in flight (there is none to snapshot).
 */
#include "hw/misc/edu.h"
#include "hw/pci/msi.h"
#include "hw/core/machine.h"

typedef struct EduState {
    PCIDevice pci;
    MemRegion mmio;
    uint64_t dma_mask;
    uint32_t liveness, factorial, status, irq_status;
    uint64_t dma_src, dma_dst, dma_count, dma_cmd;
    uint8_t buf[EDU_DMA_BUF_SIZE];
} EduState;

static const PCIDeviceInfo edu_info = {
    .vendor_id = EDU_VENDOR_ID,
    .device_id = EDU_DEVICE_ID,
    .subsystem_vendor_id = 0x1AF4,     /* QEMU's defaults for a device without its own */
    .subsystem_id = 0x1100,
    .class_code = 0x00FF00,            /* "other" */
    .revision = 0x10,
    .interrupt_pin = 1,
    .default_devfn = -1,
};

static EduState *edu_of(Device *dev)
{
    return container_of(dev, EduState, pci.parent);
}

static void edu_update_intx(EduState *s)
{
    pci_set_irq(&s->pci, s->irq_status != 0 && !msi_enabled(&s->pci));
}

static void edu_raise(EduState *s, uint32_t bits)
{
    s->irq_status |= bits;
    if (!s->irq_status) {
        return;
    }
    if (msi_enabled(&s->pci)) {
        msi_notify(&s->pci, 0);
    }
    edu_update_intx(s);
}

static void edu_ack(EduState *s, uint32_t bits)
{
    s->irq_status &= ~bits;
    edu_update_intx(s);
}

static uint64_t edu_dma_addr(EduState *s, uint64_t addr)
{
    uint64_t a = addr & s->dma_mask;
    if (a != addr && log_enabled(LOG_GUEST_ERROR)) {
        log_printf("edu: DMA address 0x%" PRIx64 " cut to 0x%" PRIx64 " by dma_mask\n", addr, a);
    }
    return a;
}

static void edu_dma(EduState *s)
{
    Machine *m = s->pci.parent.machine;
    bool to_ram = s->dma_cmd & EDU_DMA_TO_RAM;
    uint64_t dev = to_ram ? s->dma_src : s->dma_dst;
    uint64_t ram = edu_dma_addr(s, to_ram ? s->dma_dst : s->dma_src);
    uint64_t n = s->dma_count;
    bool master = pci_get_word(s->pci.config + PCI_COMMAND) & PCI_COMMAND_MASTER;

    if (dev < EDU_DMA_BUF_ADDR || n > EDU_DMA_BUF_SIZE ||
        dev - EDU_DMA_BUF_ADDR > EDU_DMA_BUF_SIZE - n) {
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("edu: DMA of %" PRIu64 " bytes at device address 0x%" PRIx64
                       " leaves the buffer (0x40000-0x40fff): nothing moved\n", n, dev);
        }
    } else if (!m || !master) {
        if (log_enabled(LOG_GUEST_ERROR)) {
            log_printf("edu: DMA with bus mastering off (COMMAND.MASTER): nothing moved\n");
        }
    } else if (to_ram) {
        as_write(&m->sysmem_as, ram, s->buf + (dev - EDU_DMA_BUF_ADDR), n);
    } else {
        as_read(&m->sysmem_as, ram, s->buf + (dev - EDU_DMA_BUF_ADDR), n);
    }
    s->dma_cmd &= ~(uint64_t)EDU_DMA_START;
    if (s->dma_cmd & EDU_DMA_IRQ) {
        edu_raise(s, EDU_IRQ_DMA);
    }
}

static uint32_t edu_factorial(uint32_t n)
{
    uint32_t r = 1;
    while (n > 1) {
        r *= n--;
    }
    return r;
}

static uint64_t edu_read(void *opaque, hwaddr addr, unsigned size)
{
    EduState *s = opaque;

    s->pci.parent.stat_reads++;
    if (addr < 0x80 && size != 4) {
        return ~0ull;
    }
    switch (addr) {
    case EDU_REG_ID:
        return EDU_ID_VALUE;
    case EDU_REG_LIVENESS:
        return s->liveness;
    case EDU_REG_FACTORIAL:
        return s->factorial;
    case EDU_REG_STATUS:
        return s->status;
    case EDU_REG_IRQ_STATUS:
        return s->irq_status;
    case EDU_REG_DMA_SRC:
        return s->dma_src;
    case EDU_REG_DMA_DST:
        return s->dma_dst;
    case EDU_REG_DMA_COUNT:
        return s->dma_count;
    case EDU_REG_DMA_CMD:
        return s->dma_cmd;
    default:
        return ~0ull;
    }
}

static void edu_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    EduState *s = opaque;
    uint32_t v32 = (uint32_t)val;

    s->pci.parent.stat_writes++;
    if (addr < 0x80 && size != 4) {
        return;
    }
    switch (addr) {
    case EDU_REG_LIVENESS:
        s->liveness = ~v32;
        break;
    case EDU_REG_FACTORIAL:
        if (!(s->status & EDU_STATUS_COMPUTING)) {
            s->factorial = edu_factorial(v32);
            if (s->status & EDU_STATUS_IRQFACT) {
                edu_raise(s, EDU_IRQ_FACT);
            }
        }
        break;
    case EDU_REG_STATUS:
        s->status = (s->status & ~EDU_STATUS_IRQFACT) | (v32 & EDU_STATUS_IRQFACT);
        break;
    case EDU_REG_IRQ_RAISE:
        edu_raise(s, v32);
        break;
    case EDU_REG_IRQ_ACK:
        edu_ack(s, v32);
        break;
    case EDU_REG_DMA_SRC:
        s->dma_src = val;
        break;
    case EDU_REG_DMA_DST:
        s->dma_dst = val;
        break;
    case EDU_REG_DMA_COUNT:
        s->dma_count = val;
        break;
    case EDU_REG_DMA_CMD:
        if (val & EDU_DMA_START) {
            s->dma_cmd = val;
            edu_dma(s);
        }
        break;
    default:
        break;
    }
}

static const MemRegionOps edu_mmio_ops = {
    .read = edu_read,
    .write = edu_write,
    .valid_min = 4, .valid_max = 8,
    .impl_min = 4, .impl_max = 8,
};

/* MSI Enable may change with any config write: INTx follows it. */
static void edu_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    pci_default_config_write(d, addr, val, len);
    edu_update_intx(edu_of(&d->parent));
}

static void edu_reset(Device *dev)
{
    EduState *s = edu_of(dev);

    pci_device_reset(&s->pci);
    s->liveness = s->factorial = s->status = s->irq_status = 0;
    s->dma_src = s->dma_dst = s->dma_count = s->dma_cmd = 0;
    memset(s->buf, 0, sizeof(s->buf));
    edu_update_intx(s);
}

static int edu_realize(Device *dev)
{
    EduState *s = edu_of(dev);

    if (device_prop_u64(dev, "dma_mask", EDU_DMA_MASK_DEFAULT, &s->dma_mask) < 0) {
        return -EINVAL;
    }
    s->pci.config_write = edu_config_write;
    if (pci_device_init(&s->pci, &edu_info) < 0) {
        return -EINVAL;
    }
    if (msi_init(&s->pci, 0, 1, true, false) < 0) {
        pci_device_exit(&s->pci);
        return -EINVAL;
    }
    mr_init_io(&s->mmio, "edu-mmio", &edu_mmio_ops, s, EDU_MMIO_SIZE);
    pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_MEM_TYPE_32, &s->mmio);
    edu_reset(dev);
    return 0;
}

static void edu_unrealize(Device *dev)
{
    EduState *s = edu_of(dev);

    pci_device_exit(&s->pci);
    if (s->mmio.name) {
        mr_destroy(&s->mmio);
    }
}

/* The PCI state, then the registers (little-endian) and the buffer. */
#define EDU_SAVE_REGS (4 * 4 + 4 * 8)

static size_t edu_save(Device *dev, uint8_t *buf, size_t size)
{
    EduState *s = edu_of(dev);
    size_t pci = pci_device_save(&s->pci, NULL, 0);
    size_t need = pci + EDU_SAVE_REGS + EDU_DMA_BUF_SIZE;
    uint32_t r32[4] = { s->liveness, s->factorial, s->status, s->irq_status };
    uint64_t r64[4] = { s->dma_src, s->dma_dst, s->dma_count, s->dma_cmd };

    if (buf && size >= need) {
        uint8_t *p = buf + pci;
        pci_device_save(&s->pci, buf, pci);
        for (int i = 0; i < 4; i++, p += 4) {
            pci_set_long(p, r32[i]);
        }
        for (int i = 0; i < 4; i++, p += 8) {
            pci_set_long(p, (uint32_t)r64[i]);
            pci_set_long(p + 4, (uint32_t)(r64[i] >> 32));
        }
        memcpy(p, s->buf, EDU_DMA_BUF_SIZE);
    }
    return need;
}

static int edu_load(Device *dev, const uint8_t *buf, size_t size)
{
    EduState *s = edu_of(dev);
    size_t pci = pci_device_save(&s->pci, NULL, 0);
    const uint8_t *p = buf + pci;
    uint32_t *r32[4] = { &s->liveness, &s->factorial, &s->status, &s->irq_status };
    uint64_t *r64[4] = { &s->dma_src, &s->dma_dst, &s->dma_count, &s->dma_cmd };
    int r;

    if (size != pci + EDU_SAVE_REGS + EDU_DMA_BUF_SIZE) {
        return -EINVAL;
    }
    r = pci_device_load(&s->pci, buf, pci);
    for (int i = 0; i < 4; i++, p += 4) {
        *r32[i] = pci_get_long(p);
    }
    for (int i = 0; i < 4; i++, p += 8) {
        *r64[i] = pci_get_long(p) | (uint64_t)pci_get_long(p + 4) << 32;
    }
    memcpy(s->buf, p, EDU_DMA_BUF_SIZE);
    edu_update_intx(s);
    return r;
}

static void edu_info_print(Device *dev, FILE *f)
{
    EduState *s = edu_of(dev);
    fprintf(f, "interrupt status 0x%x (%s), DMA 0x%" PRIx64 " -> 0x%" PRIx64 " count %" PRIu64
            " cmd 0x%" PRIx64 "\n", s->irq_status, msi_enabled(&s->pci) ? "MSI" : "INTx",
            s->dma_src, s->dma_dst, s->dma_count, s->dma_cmd);
}

static const DeviceProp edu_props[] = {
    PCI_DEVICE_PROPS,
    { "dma_mask", "the DMA address bits the device drives (default 0xfffffff)" },
    { NULL, NULL },
};

const DeviceClass edu_class = {
    .name = "edu",
    .desc = "QEMU's educational PCI device (1234:11e8): MMIO, INTx/MSI, DMA",
    .bus = "pci",
    .user_creatable = true,
    .state_size = sizeof(EduState),
    .props = edu_props,
    .realize = edu_realize,
    .reset = edu_reset,
    .unrealize = edu_unrealize,
    .save = edu_save,
    .load = edu_load,
    .info = edu_info_print,
};

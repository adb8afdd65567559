/* SPDX-License-Identifier: MIT */
/*
 * hw/pci/msi.c — the MSI capability (PCI Local Bus spec 3.0, §6.8.1 and §6.8.3.4).
 *
 * Models: Message Control with enable, multiple message capable/enable, 64-bit address
 * and per-vector masking capability; 32- and 64-bit Message Address; Message Data with the
 * vector number in its low bits; Mask Bits and Pending Bits (a masked vector's message
 * is held as pending and sent on unmasking); no message while COMMAND.MASTER is clear (a
 * message is a memory write the function masters); delivery through the machine (msi.h).
 *
 * Not modelled: MSI-X, extended message data. See msi.h for the API.
 */
#include "hw/pci/msi.h"
#include "hw/core/machine.h"

static uint16_t msi_flags(PCIDevice *d)
{
    return pci_get_word(d->config + d->msi_cap + PCI_MSI_FLAGS);
}

static bool msi_64bit(PCIDevice *d)
{
    return msi_flags(d) & PCI_MSI_FLAGS_64BIT;
}

static bool msi_maskbit(PCIDevice *d)
{
    return msi_flags(d) & PCI_MSI_FLAGS_MASKBIT;
}

static unsigned msi_data_off(PCIDevice *d)
{
    return d->msi_cap + (msi_64bit(d) ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
}

static unsigned msi_mask_off(PCIDevice *d)
{
    return d->msi_cap + (msi_64bit(d) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static unsigned msi_pending_off(PCIDevice *d)
{
    return d->msi_cap + (msi_64bit(d) ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32);
}

static uint8_t msi_size_of(bool is_64bit, bool per_vector_mask)
{
    if (per_vector_mask) {
        return is_64bit ? PCI_MSI_PENDING_64 + 4 : PCI_MSI_PENDING_32 + 4;
    }
    return is_64bit ? PCI_MSI_DATA_64 + 2 : PCI_MSI_DATA_32 + 2;
}

uint8_t msi_cap_size(PCIDevice *d)
{
    return d->msi_cap ? msi_size_of(msi_64bit(d), msi_maskbit(d)) : 0;
}

int msi_init(PCIDevice *d, uint8_t offset, unsigned nr_vectors, bool is_64bit,
             bool per_vector_mask)
{
    unsigned log2 = 0;
    uint16_t flags;
    int off;

    while ((1u << log2) < nr_vectors) {
        log2++;
    }
    if (nr_vectors == 0 || (1u << log2) != nr_vectors || nr_vectors > MSI_MAX_VECTORS) {
        error_report("device '%s': MSI needs 1, 2, 4, 8, 16 or 32 vectors, not %u",
                     d->parent.id ? d->parent.id : d->parent.cls->name, nr_vectors);
        return -EINVAL;
    }
    off = pci_add_capability(d, PCI_CAP_ID_MSI, offset, msi_size_of(is_64bit, per_vector_mask));
    if (off < 0) {
        return off;
    }
    d->msi_cap = off;
    flags = log2 << 1;
    if (is_64bit) {
        flags |= PCI_MSI_FLAGS_64BIT;
    }
    if (per_vector_mask) {
        flags |= PCI_MSI_FLAGS_MASKBIT;
    }
    pci_set_word(d->config + off + PCI_MSI_FLAGS, flags);
    pci_set_word(d->wmask + off + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
    pci_set_long(d->wmask + off + PCI_MSI_ADDRESS_LO, 0xFFFFFFFCu);
    if (is_64bit) {
        pci_set_long(d->wmask + off + PCI_MSI_ADDRESS_HI, 0xFFFFFFFFu);
    }
    pci_set_word(d->wmask + msi_data_off(d), 0xFFFF);
    if (per_vector_mask) {
        /* only the bits of the vectors a function requests are implemented */
        pci_set_long(d->wmask + msi_mask_off(d),
                     nr_vectors == 32 ? 0xFFFFFFFFu : (1u << nr_vectors) - 1);
    }
    return off;
}

void msi_reset(PCIDevice *d)
{
    uint8_t size;

    if (!d->msi_cap) {
        return;
    }
    size = msi_cap_size(d);
    pci_set_word(d->config + d->msi_cap + PCI_MSI_FLAGS,
                 msi_flags(d) & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE));
    memset(d->config + d->msi_cap + PCI_MSI_ADDRESS_LO, 0, size - PCI_MSI_ADDRESS_LO);
}

bool msi_enabled(PCIDevice *d)
{
    return d->msi_cap && (msi_flags(d) & PCI_MSI_FLAGS_ENABLE);
}

unsigned msi_nr_vectors_allocated(PCIDevice *d)
{
    if (!d->msi_cap) {
        return 0;
    }
    return 1u << ((msi_flags(d) & PCI_MSI_FLAGS_QSIZE) >> 4);
}

bool msi_is_masked(PCIDevice *d, unsigned vector)
{
    return d->msi_cap && msi_maskbit(d) && vector < MSI_MAX_VECTORS &&
           ((pci_get_long(d->config + msi_mask_off(d)) >> vector) & 1);
}

bool msi_is_pending(PCIDevice *d, unsigned vector)
{
    return d->msi_cap && msi_maskbit(d) && vector < MSI_MAX_VECTORS &&
           ((pci_get_long(d->config + msi_pending_off(d)) >> vector) & 1);
}

static void msi_set_pending(PCIDevice *d, unsigned vector, bool pending)
{
    uint32_t p = pci_get_long(d->config + msi_pending_off(d));
    p = pending ? p | (1u << vector) : p & ~(1u << vector);
    pci_set_long(d->config + msi_pending_off(d), p);
}

void msi_get_message(PCIDevice *d, unsigned vector, uint64_t *addr, uint32_t *data)
{
    unsigned nr = msi_nr_vectors_allocated(d);
    uint16_t base = pci_get_word(d->config + msi_data_off(d));

    *addr = pci_get_long(d->config + d->msi_cap + PCI_MSI_ADDRESS_LO);
    if (msi_64bit(d)) {
        *addr |= (uint64_t)pci_get_long(d->config + d->msi_cap + PCI_MSI_ADDRESS_HI) << 32;
    }
    *data = (base & ~(nr - 1)) | (vector & (nr - 1));
}

void msi_send_message(PCIDevice *d, uint64_t addr, uint32_t data)
{
    Machine *m = d->bus ? d->bus->machine : d->parent.machine;

    if (!m) {
        return;
    }
    if (m->accel_send_msi) {
        m->accel_send_msi(m, addr, data);
    } else {
        as_st(&m->sysmem_as, addr, 4, data);
    }
}

void msi_notify(PCIDevice *d, unsigned vector)
{
    uint64_t addr;
    uint32_t data;

    if (!msi_enabled(d) || vector >= msi_nr_vectors_allocated(d)) {
        return;
    }
    /* a message is a memory write that the function masters (§6.8.3.1) */
    if (!(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        return;
    }
    if (msi_is_masked(d, vector)) {
        msi_set_pending(d, vector, true);
        return;
    }
    msi_get_message(d, vector, &addr, &data);
    msi_send_message(d, addr, data);
}

void msi_config_written(PCIDevice *d, uint32_t addr, unsigned len)
{
    uint16_t flags = msi_flags(d);
    unsigned capable = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
    unsigned allocated = (flags & PCI_MSI_FLAGS_QSIZE) >> 4;
    unsigned nr;

    if (allocated > capable) {
        flags = (flags & ~PCI_MSI_FLAGS_QSIZE) | (capable << 4);
        pci_set_word(d->config + d->msi_cap + PCI_MSI_FLAGS, flags);
    }
    if (!msi_maskbit(d)) {
        return;
    }
    nr = msi_nr_vectors_allocated(d);
    for (unsigned v = nr; v < MSI_MAX_VECTORS; v++) {
        msi_set_pending(d, v, false);
    }
    if (!msi_enabled(d)) {
        return;
    }
    for (unsigned v = 0; v < nr; v++) {
        if (msi_is_pending(d, v) && !msi_is_masked(d, v)) {
            msi_set_pending(d, v, false);
            msi_notify(d, v);
        }
    }
}

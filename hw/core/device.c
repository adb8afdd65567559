/* SPDX-License-Identifier: MIT */
/*
 * hw/core/device.c — device instances: properties, realize, reset, regions and lines.
 * The by-name table lives in hw/device_list.c so that unit tests can create devices from
 * their class alone without linking every device.
 */
#include "hw/core/device.h"
#include "hw/core/machine.h"

static int device_parse_props(Device *dev, const char *props)
{
    char *copy, *save = NULL;
    if (!props || !*props) {
        return 0;
    }
    copy = xstrdup(props);
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        const DeviceProp *p;
        if (!eq) {
            error_report("device '%s': property '%s' needs a value (name=value)",
                         dev->cls->name, tok);
            free(copy);
            return -EINVAL;
        }
        *eq = '\0';
        for (p = dev->cls->props; p && p->name; p++) {
            if (!strcmp(p->name, tok)) {
                break;
            }
        }
        if (!p || !p->name) {
            error_report("device '%s' has no property '%s'", dev->cls->name, tok);
            free(copy);
            return -EINVAL;
        }
        if (dev->nr_props == DEVICE_MAX_PROPS) {
            error_report("device '%s': too many properties", dev->cls->name);
            free(copy);
            return -EINVAL;
        }
        dev->prop_names[dev->nr_props] = xstrdup(tok);
        dev->prop_values[dev->nr_props] = xstrdup(eq + 1);
        dev->nr_props++;
    }
    free(copy);
    return 0;
}

int device_check_props(const DeviceClass *cls, const char *props)
{
    Device probe = { .cls = cls };
    int r = device_parse_props(&probe, props);
    for (int i = 0; i < probe.nr_props; i++) {
        free(probe.prop_names[i]);
        free(probe.prop_values[i]);
    }
    return r;
}

Device *device_create_class(Machine *m, const DeviceClass *cls, const char *id,
                            const char *props)
{
    Device *dev;
    assert(cls->state_size >= sizeof(Device));
    dev = xzalloc(cls->state_size);
    dev->cls = cls;
    dev->machine = m;
    dev->id = xstrdup(id ? id : cls->name);
    if (device_parse_props(dev, props) < 0 || (cls->realize && cls->realize(dev) < 0)) {
        device_destroy(dev);
        return NULL;
    }
    if (m) {
        Device **pp = &m->devices;
        while (*pp) {
            pp = &(*pp)->next;
        }
        *pp = dev;
    }
    return dev;
}

void device_reset(Device *dev)
{
    if (dev->cls->reset) {
        dev->cls->reset(dev);
    }
}

void device_destroy(Device *dev)
{
    if (!dev) {
        return;
    }
    if (dev->machine) {
        for (Device **pp = &dev->machine->devices; *pp; pp = &(*pp)->next) {
            if (*pp == dev) {
                *pp = dev->next;
                break;
            }
        }
    }
    if (dev->cls->unrealize) {
        dev->cls->unrealize(dev);
    }
    for (int i = 0; i < dev->nr_props; i++) {
        free(dev->prop_names[i]);
        free(dev->prop_values[i]);
    }
    free(dev->irq_in);
    free(dev->id);
    free(dev);
}

const char *device_prop_str(Device *dev, const char *name, const char *def)
{
    for (int i = dev->nr_props - 1; i >= 0; i--) {
        if (!strcmp(dev->prop_names[i], name)) {
            return dev->prop_values[i];
        }
    }
    return def;
}

bool device_prop_set(Device *dev, const char *name)
{
    return device_prop_str(dev, name, NULL) != NULL;
}

int device_prop_u64(Device *dev, const char *name, uint64_t def, uint64_t *out)
{
    const char *s = device_prop_str(dev, name, NULL);
    char *end;
    unsigned long long v;
    if (!s) {
        *out = def;
        return 0;
    }
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || end == s) {
        goto bad;
    }
    switch (*end) {
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    default: break;
    }
    if (*end) {
        goto bad;
    }
    *out = v;
    return 0;
bad:
    error_report("device '%s': property %s=%s is not a number", dev->cls->name, name, s);
    return -EINVAL;
}

void device_add_mmio(Device *dev, MemRegion *mr)
{
    assert(dev->nr_mmio < DEVICE_MAX_REGIONS);
    dev->mmio[dev->nr_mmio++] = mr;
}

void device_add_pio(Device *dev, MemRegion *mr)
{
    assert(dev->nr_pio < DEVICE_MAX_REGIONS);
    dev->pio[dev->nr_pio++] = mr;
}

void device_init_irq_out(Device *dev, int count)
{
    assert(count <= DEVICE_MAX_IRQS);
    dev->nr_irq_out = count;
}

void device_init_irq_in(Device *dev, IrqHandler handler, int count)
{
    free(dev->irq_in);
    dev->irq_in = irq_alloc_lines(handler, dev, count);
    dev->nr_irq_in = count;
}

MemRegion *device_mmio(Device *dev, int n)
{
    return n < dev->nr_mmio ? dev->mmio[n] : NULL;
}

MemRegion *device_pio(Device *dev, int n)
{
    return n < dev->nr_pio ? dev->pio[n] : NULL;
}

IrqLine *device_irq_out(Device *dev, int n)
{
    assert(n < dev->nr_irq_out);
    return &dev->irq_out[n];
}

const IrqLine *device_irq_in(Device *dev, int n)
{
    assert(n < dev->nr_irq_in);
    return &dev->irq_in[n];
}

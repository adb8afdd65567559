# one device per file; each subfolder's C files go into libtandem.a
LIB_SRCS += $(wildcard hw/core/*.c hw/char/*.c hw/misc/*.c hw/intc/*.c hw/timer/*.c hw/nvram/*.c hw/x86/*.c hw/pci/*.c hw/pci-host/*.c hw/isa/*.c hw/acpi/*.c hw/rtc/*.c hw/input/*.c hw/xen/*.c hw/*.c)

LIB_SRCS += $(wildcard accel/*.c accel/tcg/*.c)
include accel/kvm/module.mk
include accel/xen/module.mk

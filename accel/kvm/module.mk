# SPDX-License-Identifier: MIT
# accel/kvm: the KVM accelerator, built when ./configure found <linux/kvm.h> (CONFIG_KVM).
ifeq ($(CONFIG_KVM),yes)
LIB_SRCS += accel/kvm/kvm-all.c accel/kvm/kvm_x86.c
endif

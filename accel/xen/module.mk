# SPDX-License-Identifier: MIT
# accel/xen: the Xen HVM device model accelerator, built when ./configure found libxen-dev
# (CONFIG_XEN); otherwise only the interrupt stubs.
ifeq ($(CONFIG_XEN),yes)
LIB_SRCS += accel/xen/xen-all.c
CFLAGS_ALL += $(XEN_CFLAGS)
LIBS_ALL += $(XEN_LIBS)
else
LIB_SRCS += accel/xen/xen-stub.c
endif

# SPDX-License-Identifier: MIT
# tandem: non-recursive build. Each folder lists its sources in a module.mk that appends to
#   LIB_SRCS    (C files of libtandem.a), MAIN_SRCS (the tandem binary's main),
#   UNIT_TESTS  (tests/unit/*.c, each linked with libtandem.a and check into build/tests/unit/NAME)
# Objects go to build/, mirroring the source tree, with -MMD dependencies.

BUILD ?= build
.DEFAULT_GOAL := all

.PHONY: all check check-unit check-guests check-integration check-linux clean distclean run guest

clean:
	rm -rf $(BUILD)/*/ $(BUILD)/tandem $(BUILD)/libtandem.a

distclean:
	rm -rf $(BUILD)

ifeq ($(wildcard $(BUILD)/config.mk),)
# A fresh clone: every goal but clean/distclean first installs the dependencies
# (scripts/install-deps.sh, which asks for root only when something is missing) and runs
# ./configure, then runs make again with the same goals.
BOOTSTRAP_GOALS := $(or $(MAKECMDGOALS),all)
ifneq ($(filter-out clean distclean,$(BOOTSTRAP_GOALS)),)
.PHONY: $(BOOTSTRAP_GOALS) bootstrap
$(filter-out clean distclean,$(BOOTSTRAP_GOALS)): bootstrap
	@:
bootstrap:
	@echo "$(BUILD)/config.mk is missing: installing the dependencies and configuring first"
	sh scripts/install-deps.sh
	./configure $(if $(filter-out build,$(BUILD)),--build=$(BUILD))
	$(MAKE) $(filter-out clean distclean,$(BOOTSTRAP_GOALS))
endif
else
include $(BUILD)/config.mk

WARN := -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers \
        -Wstrict-prototypes -Wmissing-prototypes -Wshadow=local -Wformat=2 -Wvla
ifeq ($(CONFIG_WERROR),yes)
WARN += -Werror
endif
OPT ?= -O2 -g
CFLAGS_ALL := -std=gnu11 $(OPT) $(WARN) -fno-strict-aliasing -pthread -I. -I$(BUILD) \
              $(GLIB_CFLAGS) $(CAPSTONE_CFLAGS) $(CFLAGS)
LIBS_ALL := $(GLIB_LIBS) $(CAPSTONE_LIBS) -lpthread -lm -lrt

LIB_SRCS :=
MAIN_SRCS :=
UNIT_TESTS :=
GUEST_DIRS :=

include util/module.mk hw/module.mk pc-bios/module.mk backends/module.mk system/module.mk accel/module.mk \
        cpu/module.mk tcg-lite/module.mk tests/module.mk

LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
MAIN_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(MAIN_SRCS))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_TESTS))

all: $(BUILD)/tandem $(BUILD)/libtandem.a

# keep intermediate objects (unit-test .o files) instead of deleting them after linking
.SECONDARY:

# V=1 shows the whole command lines
ifeq ($(V),1)
Q :=
else
Q := @
endif

$(BUILD)/%.o: %.c $(BUILD)/config.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libtandem.a: $(LIB_OBJS)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)ar rcs $@ $^

$(BUILD)/tandem: $(MAIN_OBJS) $(BUILD)/libtandem.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $(MAIN_OBJS) $(BUILD)/libtandem.a $(LIBS_ALL)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libtandem.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libtandem.a $(CHECK_LIBS) $(LIBS_ALL)

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(BUILD)/config.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -MMD -MP -c $< -o $@

check: check-unit check-guests check-integration check-linux

# Boots the default guest (Debian's kernel + busybox, built by `make guest`) and types at it.
check-linux: $(BUILD)/tandem guest
	sh tests/integration/linux-boot.sh $(BUILD)/tandem $(GUEST)

check-integration: $(BUILD)/tandem $(GUEST_X86_ELFS) $(GUEST_X86_EXTRA_ELFS)
	sh tests/integration/run.sh $(BUILD)/tandem $(BUILD)/tests/guests/x86

check-unit: $(UNIT_BINS)
	@sh tests/run-unit.sh $(UNIT_BINS)

# The default Linux guest: Debian's stock kernel and a busybox initramfs, from Debian's
# archive (scripts/build-guest.sh; cached in $(GUEST)). `make run` boots it on the serial
# console (Ctrl-A x quits). The kernel arguments: console=ttyS0, the only console;
# earlyprintk on the same port, so that the slow start under the interpreter is not silent
# until the serial driver is up; no_timer_check, because the IO-APIC timer check counts
# ticks in a calibrated busy loop that an emulated CPU can make miss.
GUEST := $(BUILD)/guest
RUN_MEM ?= 512
RUN_APPEND ?= console=ttyS0 earlyprintk=serial,ttyS0,115200 no_timer_check
RUN_OPTS ?=

guest:
	@command -v cpio >/dev/null 2>&1 || sh scripts/install-deps.sh
	sh scripts/build-guest.sh $(GUEST)

run: $(BUILD)/tandem guest
	$(BUILD)/tandem -M pc -m $(RUN_MEM) -nographic -kernel $(GUEST)/vmlinuz \
	    -initrd $(GUEST)/initramfs.cpio -append "$(RUN_APPEND)" $(RUN_OPTS)

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJS:.o=.d) $(UNIT_BINS:=.d)
endif

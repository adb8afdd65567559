# SPDX-License-Identifier: MIT
# tests/guests/x86: bare-metal Multiboot v1 test guests (ELF32), built with the system gcc
# (-m32, freestanding) and ld (elf_i386). Each guest prints PASS:/FAIL: lines on COM1 and
# exits through isa-debug-exit (0xf4): status 1 = all checks passed. See README.
#   make guests          builds $(GUEST_X86_ELFS)
#   make check-guests    runs them under $(BUILD)/tandem (tests/guests/run-x86.sh), then
#                        compares -accel kvm with -accel tcg (tests/guests/run-x86-kvm.sh;
#                        skipped with the reason where KVM cannot be used)
# The arith guest's expected values come from gen-arith-expect, a host program that runs
# the same instructions natively (x86-64 build hosts only).

# This file defines rules before the top Makefile's `all`: keep `all` the default goal.
GX_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

GX := tests/guests/x86
GX_OUT := $(BUILD)/tests/guests/x86
GUEST_CC ?= gcc
GUEST_LD ?= ld
HOST_CC_GEN ?= $(CC)

GUEST_X86_PROGS := hello modes arith exceptions paging string farcalls tasks segments fpu sse smp count \
                   hvsig debugregs edu edupoll
# Guests that are no pass/fail test but material for the integration tests (triplefault:
# ends in a triple fault from 64-bit mode).
GUEST_X86_EXTRA := triplefault

GUEST_CFLAGS := -m32 -std=gnu11 -O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
                -fno-asynchronous-unwind-tables -fno-unwind-tables -mgeneral-regs-only \
                -nostdlib -nostdinc -isystem $(shell $(GUEST_CC) -print-file-name=include) \
                -Wall -Wextra -Wno-unused-parameter -I$(GX)/lib -I$(GX_OUT)
GUEST_ASFLAGS := -m32 -I$(GX)/lib
GUEST_LDFLAGS := -m elf_i386 -nostdlib -z max-page-size=4096 --build-id=none \
                 $(shell $(GUEST_LD) --help 2>/dev/null | grep -q no-warn-rwx-segments && \
                         echo --no-warn-rwx-segments)

GX_LIB_C := $(wildcard $(GX)/lib/*.c)
GX_LIB_S := $(wildcard $(GX)/lib/*.S)
GX_LIB_OBJS := $(patsubst $(GX)/%.c,$(GX_OUT)/%.o,$(GX_LIB_C)) \
               $(patsubst $(GX)/%.S,$(GX_OUT)/%.o,$(GX_LIB_S))
# Each program: NAME.c plus any NAME_*.S beside it.
GX_PROG_C := $(foreach p,$(GUEST_X86_PROGS) $(GUEST_X86_EXTRA),$(GX)/$(p).c)
GX_PROG_S := $(foreach p,$(GUEST_X86_PROGS) $(GUEST_X86_EXTRA),$(wildcard $(GX)/$(p)_*.S))
GX_PROG_OBJS := $(patsubst $(GX)/%.c,$(GX_OUT)/%.o,$(GX_PROG_C)) \
                $(patsubst $(GX)/%.S,$(GX_OUT)/%.o,$(GX_PROG_S))

GUEST_X86_ELFS := $(foreach p,$(GUEST_X86_PROGS),$(GX_OUT)/$(p).elf)
GUEST_X86_EXTRA_ELFS := $(foreach p,$(GUEST_X86_EXTRA),$(GX_OUT)/$(p).elf)

$(patsubst $(GX)/%.c,$(GX_OUT)/%.o,$(GX_LIB_C) $(GX_PROG_C)): $(GX_OUT)/%.o: $(GX)/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(patsubst $(GX)/%.S,$(GX_OUT)/%.o,$(GX_LIB_S) $(GX_PROG_S)): $(GX_OUT)/%.o: $(GX)/%.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

$(GUEST_X86_ELFS) $(GUEST_X86_EXTRA_ELFS): $(GX_OUT)/%.elf: $(GX_OUT)/%.o $(GX_LIB_OBJS) $(GX)/lib/link.ld
	$(GUEST_LD) $(GUEST_LDFLAGS) -T $(GX)/lib/link.ld -o $@ $(filter %.o,$^)

# Programs with assembly parts link those too.
$(foreach p,$(GUEST_X86_PROGS) $(GUEST_X86_EXTRA),$(eval $(GX_OUT)/$(p).elf: \
    $(patsubst $(GX)/%.S,$(GX_OUT)/%.o,$(wildcard $(GX)/$(p)_*.S))))

# The arith oracle: a host program executing the same instructions natively.
$(GX_OUT)/gen-arith-expect: $(GX)/gen-arith-expect.c $(GX)/arith-ops.h
	@mkdir -p $(dir $@)
	$(HOST_CC_GEN) -std=gnu11 -O1 -Wall -I$(GX) -o $@ $<

$(GX_OUT)/arith-expect.h: $(GX_OUT)/gen-arith-expect
	$< > $@.tmp && mv $@.tmp $@

$(GX_OUT)/arith.o: $(GX_OUT)/arith-expect.h

# The sse oracle, the same way (needs SSE4.2 on the build host).
$(GX_OUT)/gen-sse-expect: $(GX)/gen-sse-expect.c $(GX)/sse-ops.h
	@mkdir -p $(dir $@)
	$(HOST_CC_GEN) -std=gnu11 -O1 -Wall -I$(GX) -o $@ $<

$(GX_OUT)/sse-expect.h: $(GX_OUT)/gen-sse-expect
	$< > $@.tmp && mv $@.tmp $@

$(GX_OUT)/sse.o: $(GX_OUT)/sse-expect.h

.PHONY: guests
guests: $(GUEST_X86_ELFS) $(GUEST_X86_EXTRA_ELFS)

check-guests: $(GUEST_X86_ELFS) $(GUEST_X86_EXTRA_ELFS) $(BUILD)/tandem
	sh tests/guests/run-x86.sh $(BUILD)/tandem $(GUEST_X86_ELFS)
	sh tests/guests/run-x86-kvm.sh $(BUILD)/tandem $(GUEST_X86_ELFS)

-include $(GX_LIB_OBJS:.o=.d) $(GX_PROG_OBJS:.o=.d)

.DEFAULT_GOAL := $(GX_SAVED_DEFAULT_GOAL)

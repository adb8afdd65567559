UNIT_TESTS += $(wildcard tests/unit/test_*.c)
include tests/guests/x86/module.mk

# check-xen: tandem against a real Xen (tests/xen/run.sh boots Debian's Xen under
# qemu-system-x86_64 TCG; the host image is built from Debian's archive into build/xen,
# which needs root). Not part of `make check` (it needs root and takes over 2 minutes);
# .ci/run runs it after `make check`. Skipped, with the reason, where the image cannot be
# built.
XEN_OUT := $(BUILD)/tests/xen
$(XEN_OUT)/tiny.o: tests/xen/tiny.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
$(XEN_OUT)/tiny.elf: $(XEN_OUT)/tiny.o $(GX_LIB_OBJS) $(GX)/lib/link.ld
	$(GUEST_LD) $(GUEST_LDFLAGS) -T $(GX)/lib/link.ld -o $@ $(filter %.o,$^)
-include $(XEN_OUT)/tiny.d

.PHONY: check-xen
# the Linux guest (linux-tandem) is the default guest: `guest` builds it into $(GUEST)
check-xen: $(BUILD)/tandem $(XEN_OUT)/tiny.elf guest
	@rc=0; sh tests/xen/run.sh $(BUILD)/tandem $(XEN_OUT)/tiny.elf $(BUILD)/xen $(GUEST) || rc=$$?; \
	if [ $$rc = 77 ]; then echo "check-xen: skipped"; exit 0; fi; exit $$rc

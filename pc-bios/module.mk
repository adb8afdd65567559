# SPDX-License-Identifier: MIT
# pc-bios: firmware that tandem's boards hand to the guest, built from our own sources with
# the system's GNU toolchain and embedded in the tandem binary.
#   linuxboot.S    the Linux boot option ROM (16-bit, PnP BEV; see its header), assembled
#                  with gcc -m32 (GNU as) and linked flat at 0 with linuxboot.ld into
#                  $(BUILD)/pc-bios/linuxboot.bin
#   linuxboot_rom.c  embeds that image (.incbin) and signs it (size, checksums) for fw_cfg
PCBIOS_CC ?= gcc
PCBIOS_LD ?= ld
PCBIOS_OUT := $(BUILD)/pc-bios

LIB_SRCS += pc-bios/linuxboot_rom.c

$(PCBIOS_OUT)/linuxboot.o: pc-bios/linuxboot.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(PCBIOS_CC) -m32 -c $< -o $@

$(PCBIOS_OUT)/linuxboot.bin: $(PCBIOS_OUT)/linuxboot.o pc-bios/linuxboot.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(PCBIOS_LD) -m elf_i386 -nostdlib --build-id=none -T pc-bios/linuxboot.ld -o $@ $<

# the embedding object needs the image; the path reaches .incbin through a macro
$(BUILD)/pc-bios/linuxboot_rom.o: pc-bios/linuxboot_rom.c $(PCBIOS_OUT)/linuxboot.bin \
                                  $(BUILD)/config.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -DLINUXBOOT_BIN='"$(PCBIOS_OUT)/linuxboot.bin"' -MMD -MP -c $< -o $@

#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad input must give one clear line on stderr and a non-zero exit, never a crash or a hang.
# Usage: bad-input.sh TANDEM
emu=${1:?usage: bad-input.sh TANDEM}
. "$(dirname "$0")/lib.sh"
printf 'this is not a kernel\n' > "$tmp/text"
head -c 4096 /dev/zero > "$tmp/zeros"
# an ELF64 executable that is not Multiboot: the emulator binary itself
cp "$emu" "$tmp/elf64"
# a bzImage-like file: "HdrS" at 0x202
head -c 1024 /dev/zero > "$tmp/bz"; printf 'HdrS' | dd of="$tmp/bz" bs=1 seek=514 conv=notrunc 2>/dev/null
# check NAME EXPECTED-REGEX ARGS...
check() {
    name=$1; want=$2; shift 2
    timeout 20 "$emu" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l < "$tmp/err")
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ] && [ "$lines" -eq 1 ] && grep -Eq "$want" "$tmp/err"; then
        pass=$((pass + 1)); echo "ok   $name: $(cat "$tmp/err")"
    else
        fail=$((fail + 1)); echo "FAIL $name: exit $rc, $lines line(s) on stderr:"; cat "$tmp/err"
    fi
}
check "missing kernel" "cannot open kernel '/nonexistent'" -M pc -nographic -kernel /nonexistent
check "text file as kernel" "is not a Multiboot kernel" -M pc -nographic -kernel "$tmp/text"
check "empty image" "is not a Multiboot kernel" -M pc -nographic -kernel "$tmp/zeros"
check "ELF without Multiboot" "is not a Multiboot kernel" -M pc -nographic -kernel "$tmp/elf64"
check "bzImage" "bzImage" -M pc -nographic -kernel "$tmp/bz"
check "directory as kernel" "is not a regular file" -M pc -nographic -kernel "$tmp"
check "-m 0" "at least 1 MiB" -m 0 -kernel "$tmp/text"
check "-m 1T" "more than this host has" -m 1T -kernel "$tmp/text"
check "-m junk" "invalid -m size" -m lots -kernel "$tmp/text"
check "unknown machine" "unknown machine 'nosuch'" -M nosuch
check "unknown device" "unknown device 'nosuch'" -device nosuch -kernel "$tmp/text"
check "bad device property" "has no property 'bogus'" -nographic -device isa-debug-exit,bogus=1 -kernel "$tmp/text"
check "unknown option" "unknown option '-frobnicate'" -frobnicate
check "missing argument" "needs an argument" -kernel
check "unknown cpu" "unknown CPU model 'pentium9'" -cpu pentium9 -kernel "$tmp/text"
check "unknown cpu feature" "unknown CPU feature or property 'frob'" -cpu qemu64,+frob \
    -kernel "$tmp/text"
check "bad cpu vendor" "vendor string must be 12 characters" -cpu max,vendor=Intel \
    -kernel "$tmp/text"
check "bad cpu feature value" "x2apic=yesplease: expected on or off" -cpu max,x2apic=yesplease \
    -kernel "$tmp/text"
check "unknown accelerator" "no usable accelerator|unknown accelerator" -accel warp -kernel "$tmp/text"
check "unknown -d item" "unknown -d item" -d nonsense
check "nothing to boot" "nothing to boot" -M pc -nographic
check "bad -smp" "invalid -smp" -smp zero -kernel "$tmp/text"
summary

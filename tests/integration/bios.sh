#!/bin/sh
# SPDX-License-Identifier: MIT
# -bios: a raw 64 KiB firmware image mapped below 4 GiB, run from the reset vector
# (F000:FFF0, real mode). The image prints "R" on COM1 and writes 0x21 to the debug-exit
# port: tandem must exit with status (0x21 << 1) | 1 = 67.
emu=${1:?usage: bios.sh TANDEM}
. "$(dirname "$0")/lib.sh"
head -c 65520 /dev/zero > "$tmp/bios.bin"
# mov al,'R'; mov dx,0x3f8; out dx,al; mov ax,0x21; mov dx,0xf4; out dx,ax; hlt
printf '\260\122\272\370\003\356\270\041\000\272\364\000\357\364\353\375' >> "$tmp/bios.bin"
out=$(timeout 20 "$emu" -M pc -nographic -bios "$tmp/bios.bin" -device isa-debug-exit,iobase=0xf4,iosize=0x4 </dev/null 2>"$tmp/err")
rc=$?
[ "$rc" -eq 67 ] && { pass=$((pass + 1)); echo "ok   exit status 67"; } || { fail=$((fail + 1)); echo "FAIL exit status $rc"; cat "$tmp/err"; }
[ "$out" = "R" ] && { pass=$((pass + 1)); echo "ok   serial output 'R'"; } || { fail=$((fail + 1)); echo "FAIL serial output '$out'"; }
head -c 1000 /dev/zero > "$tmp/odd.bin"
timeout 20 "$emu" -M pc -nographic -bios "$tmp/odd.bin" </dev/null >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] && grep -q "multiple of 4 KiB" "$tmp/err" && { pass=$((pass + 1)); echo "ok   odd-sized image refused"; } || { fail=$((fail + 1)); echo "FAIL odd-sized image: exit $rc"; }
summary

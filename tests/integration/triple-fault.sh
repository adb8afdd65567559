#!/bin/sh
# SPDX-License-Identifier: MIT
# A guest that triple-faults: with -no-reboot tandem prints the CPU state and the last
# instructions and exits non-zero; without it the PC resets (and here faults again).
# The guest is a Multiboot image with load addresses (no ELF) whose code is one INT3 with
# no IDT: #NP on the INT3 gate, then on #NP's gate (a #DF), then on #DF's: a triple fault.
emu=${1:?usage: triple-fault.sh TANDEM}
. "$(dirname "$0")/lib.sh"
img=$tmp/tf.bin
le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"; }
{
    le32 0x1BADB002; le32 0x00010000; le32 $(( (0x100000000 - 0x1BADB002 - 0x00010000) & 0xFFFFFFFF ))
    le32 0x100000; le32 0x100000; le32 0; le32 0; le32 0x100020
    printf '\314\353\376'     # int3; jmp .
} > "$img"

timeout 20 "$emu" -M pc -nographic -no-reboot -kernel "$img" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ] && ok "-no-reboot: exit status $rc" || bad "-no-reboot: exit status $rc"
grep -q "triple fault" "$tmp/err" && ok "names the triple fault" || bad "no 'triple fault' line"
grep -Eq "EIP=|RIP=" "$tmp/err" && ok "prints the CPU state" || bad "no CPU state"
grep -Eiq "int3" "$tmp/err" && ok "shows the last instructions (int3)" || bad "no last instructions"
[ "$rc" -ne 0 ] || cat "$tmp/err"

timeout 3 "$emu" -M pc -nographic -d int -D "$tmp/log" -kernel "$img" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
resets=$(grep -c "triple fault" "$tmp/log")
[ "$rc" -eq 124 ] && [ "$resets" -ge 2 ] && ok "without -no-reboot the PC resets ($resets triple faults in 3 s)" || bad "without -no-reboot: exit $rc, $resets triple faults"
summary

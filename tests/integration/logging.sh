#!/bin/sh
# SPDX-License-Identifier: MIT
# -d/-D logging: guest code disassembled (in_asm), tcg-lite IR (op), blocks run (exec),
# interrupts (int) and unimplemented instructions (unimp), written to the -D file.
emu=${1:?usage: logging.sh TANDEM GUEST_DIR}
guests=${2:?usage: logging.sh TANDEM GUEST_DIR}
. "$(dirname "$0")/lib.sh"
expect() { # NAME FILE REGEX
    if grep -Eq "$3" "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1: no /$3/ in the log"; fi
}
timeout 60 "$emu" -M pc -nographic -kernel "$guests/hello.elf" -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
    -d in_asm,op,exec,cpu -D "$tmp/log" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && { pass=$((pass + 1)); echo "ok   hello runs with logging (exit 1)"; } || { fail=$((fail + 1)); echo "FAIL hello exit $rc"; }
expect "in_asm: capstone disassembly" "$tmp/log" '^0x[0-9a-f]+: +fa +cli'
expect "op: IR of a block" "$tmp/log" 'insn_start'
expect "op: guest stores" "$tmp/log" 'guest_st'
expect "exec: blocks run" "$tmp/log" '^Trace 0: \['
expect "cpu: register dumps in the log" "$tmp/log" "^EIP=[0-9a-f]{8} EFL="
[ -s "$tmp/err" ] && { fail=$((fail + 1)); echo "FAIL the log leaked to stderr"; } || { pass=$((pass + 1)); echo "ok   nothing on stderr"; }

# A Multiboot image whose code is VMLAUNCH (VMX: not emulated, so #UD) with no IDT.
le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"; }
{
    le32 0x1BADB002; le32 0x00010000; le32 $(( (0x100000000 - 0x1BADB002 - 0x00010000) & 0xFFFFFFFF ))
    le32 0x100000; le32 0x100000; le32 0; le32 0; le32 0x100020
    printf '\017\001\302\353\376'     # vmlaunch; jmp .
} > "$tmp/ud.bin"
timeout 20 "$emu" -M pc -nographic -no-reboot -kernel "$tmp/ud.bin" -d int,unimp -D "$tmp/log2" </dev/null >/dev/null 2>&1
expect "unimp: names the opcode" "$tmp/log2" '(0x100020|100020).*(0f 01 c2|VMLAUNCH|vmlaunch)'
expect "int: #UD logged" "$tmp/log2" '(v=06|vector 0x6|vector 6|#UD)'
expect "int: triple fault logged" "$tmp/log2" 'triple fault'
summary

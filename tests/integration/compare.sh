#!/bin/sh
# SPDX-License-Identifier: MIT
# tandem --compare: one guest run under two accelerators, compared side by side.
#   tcg,tcg agrees on the hello and arith guests (exit 0) and prints the expected rows;
#   a guest printing its TSC differs (exit 1, naming the serial output and the register);
#   runs that hang are killed after --compare-timeout and reported (exit 1); a triple fault
#   with -no-reboot is an exit path that still reports the final state; --stats-file (what
#   each run writes) on its own; bad input gives one line and exit 2.
#   tcg,kvm (only with /dev/kvm and a tandem built with KVM; skipped with a message
#   otherwise) agrees on hello, string and arith (arith is skipped where KVM has no
#   VT-x/AMD-V and its in-kernel emulator cannot run it) and disagrees on hvsig, whose
#   serial output differs by design (tests/guests/x86/hvsig.kvmdiff).
# Usage: compare.sh TANDEM GUEST_DIR
emu=${1:?usage: compare.sh TANDEM GUEST_DIR}
guests=${2:?usage: compare.sh TANDEM GUEST_DIR}
. "$(dirname "$0")/lib.sh"
dbg="-device isa-debug-exit,iobase=0xf4,iosize=0x4"

# cmp NAME ARGS...: runs tandem --compare ARGS, status in $rc, table in $tmp/NAME.out
cmp() {
    name=$1; shift
    timeout 120 "$emu" "$@" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
}
has() { grep -q -- "$2" "$tmp/$1.out"; }
show() { sed 's/^/    | /' "$tmp/$1.out" "$tmp/$1.err" | head -60; }

# --- tcg against tcg ---------------------------------------------------------------------
cmp hello --compare tcg,tcg -M pc -kernel "$guests/hello.elf" $dbg
if [ "$rc" -eq 0 ] && has hello "verdict: the runs agree"; then
    ok "tcg,tcg on hello agrees (exit 0)"
else
    bad "tcg,tcg on hello: exit $rc"; show hello
fi
missing=""
for row in "exit status  *1  *1\$" "wall time" "tcg: blocks translated" "cpu0: blocks run" \
           "io 0x3f8 com1" "io 0xf4 isa-debug-exit  *0/1  *0/1" \
           "none: the 29 registers of each vCPU are equal" "| hello from the tandem x86 test guest"; do
    grep -q -- "$row" "$tmp/hello.out" || missing="$missing [$row]"
done
[ -z "$missing" ] && ok "the table has the expected rows" || { bad "rows missing:$missing"; show hello; }

cmp arith --compare tcg,tcg -kernel "$guests/arith.elf" $dbg
[ "$rc" -eq 0 ] && ok "tcg,tcg on arith agrees" || { bad "tcg,tcg on arith: exit $rc"; show arith; }

# a guest that never exits (no debug-exit device: it halts for ever)
cmp hang --compare tcg,tcg --compare-timeout 1 -kernel "$guests/hello.elf"
if [ "$rc" -eq 1 ] && has hang "timed out after 1 s"; then
    ok "a run that hangs is killed after --compare-timeout and reported (exit 1)"
else
    bad "hanging guest: exit $rc"; show hang
fi

# triple fault with -no-reboot: INT3 with no IDT (as triple-fault.sh builds it)
le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"; }
{
    le32 0x1BADB002; le32 0x00010000; le32 $(( (0x100000000 - 0x1BADB002 - 0x00010000) & 0xFFFFFFFF ))
    le32 0x100000; le32 0x100000; le32 0; le32 0; le32 0x100020
    printf '\314\353\376'     # int3; jmp .
} > "$tmp/tf.bin"
cmp tf --compare tcg,tcg -no-reboot -kernel "$tmp/tf.bin"
if [ "$rc" -eq 0 ] && has tf "exit status  *1  *1\$" && has tf "cpu0: exceptions  *3  *3"; then
    ok "a triple fault with -no-reboot ends both runs with their state (exit 1 each, 3 exceptions)"
else
    bad "triple fault: exit $rc"; show tf
fi

# runs that must differ: the guest prints the low 32 bits of its TSC (host time) as 8
# letters on COM1 and keeps them in ESI, then exits through the debug port
#   rdtsc; mov esi,eax; mov ebx,eax; mov ecx,8; mov dx,0x3f8
#   1: mov eax,ebx; and eax,15; add al,'A'; out dx,al; shr ebx,4; loop 1b
#   mov al,10; out dx,al; xor eax,eax; out 0xf4,al; jmp .
{
    le32 0x1BADB002; le32 0x00010000; le32 $(( (0x100000000 - 0x1BADB002 - 0x00010000) & 0xFFFFFFFF ))
    le32 0x100000; le32 0x100000; le32 0; le32 0; le32 0x100020
    printf '\017\061\211\306\211\303\271\010\000\000\000\146\272\370\003'
    printf '\211\330\203\340\017\004\101\356\301\353\004\342\363'
    printf '\260\012\356\061\300\346\364\353\376'
} > "$tmp/tsc.bin"
cmp tsc --compare tcg,tcg -kernel "$tmp/tsc.bin" $dbg
if [ "$rc" -eq 1 ] && has tsc "verdict: the runs differ: serial output (from line 1); final registers (cpu0 RSI)" &&
   has tsc "cpu0 RSI .*\*\$"; then
    ok "runs that differ (a TSC-dependent guest): exit 1 naming the serial output and RSI"
else
    bad "TSC-dependent guest: exit $rc"; show tsc
fi

# what each run writes, on its own
timeout 30 "$emu" -kernel "$guests/hello.elf" $dbg -serial null --stats-file "$tmp/stats" </dev/null
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^accel	tcg\$" "$tmp/stats" && grep -q "^status	1\$" "$tmp/stats" &&
   grep -q "^reg	0	RIP	" "$tmp/stats" && grep -q "^reg	0	EFER	" "$tmp/stats" &&
   grep -q "^io	io	3f8	com1	" "$tmp/stats" && grep -q "^end\$" "$tmp/stats"; then
    ok "--stats-file: accelerator, status, counters, device accesses and registers"
else
    bad "--stats-file (exit $rc)"; sed 's/^/    | /' "$tmp/stats" 2>/dev/null | head -20
fi

"$emu" --help | grep -q -- "--compare A,B" && "$emu" --help | grep -q -- "--stats-file FILE" &&
    ok "--help documents --compare and --stats-file" || bad "--help lacks --compare/--stats-file"

# --- bad input: one line on stderr, nothing on stdout, exit 2 ------------------------------
badcase "unknown accelerator" --compare foo,tcg -kernel "$guests/hello.elf" $dbg
badcase "one accelerator" --compare tcg -kernel "$guests/hello.elf" $dbg
badcase "no guest" --compare tcg,tcg
badcase "no list" -kernel "$guests/hello.elf" --compare
badcase "-serial with --compare" --compare tcg,tcg -kernel "$guests/hello.elf" -serial stdio
badcase "-accel with --compare" --compare tcg,tcg -accel tcg -kernel "$guests/hello.elf"
badcase "bad timeout" --compare tcg,tcg --compare-timeout -3 -kernel "$guests/hello.elf"
badcase "a run that cannot start" --compare tcg,tcg -kernel "$tmp/no-such-kernel"

# --- tcg against kvm ---------------------------------------------------------------------
kvm_skip=""
if [ ! -e /dev/kvm ]; then
    kvm_skip="/dev/kvm is absent"
else
    timeout 20 "$emu" --compare tcg,kvm -kernel "$guests/hello.elf" $dbg </dev/null \
        >"$tmp/probe.out" 2>"$tmp/probe.err"
    if grep -q "not built into this tandem" "$tmp/probe.err"; then
        kvm_skip="this tandem is built without KVM"
    elif grep -q "cannot run here" "$tmp/probe.err"; then
        kvm_skip="KVM cannot run here: $(sed 's/.*cannot run here: //' "$tmp/probe.err")"
    fi
fi
if [ -n "$kvm_skip" ]; then
    echo "skip tcg,kvm comparisons: $kvm_skip"
    skip=4
else
    for g in hello string arith; do
        cmp "kvm-$g" --compare tcg,kvm -kernel "$guests/$g.elf" $dbg
        if [ "$rc" -eq 0 ] && has "kvm-$g" "verdict: the runs agree"; then
            ok "tcg,kvm on $g agrees (exit 0)"
        elif [ "$g" = arith ] && [ "$rc" -eq 1 ] &&
             has "kvm-$g" "in-kernel emulator could not emulate an instruction"; then
            # KVM without VT-x/AMD-V (PVM) emulates every guest instruction in the kernel,
            # and its emulator lacks some of arith's (DAA, ...): a limit of the host
            echo "skip tcg,kvm on arith: this host's KVM cannot emulate all of its instructions ($(grep -m1 -o 'KVM on this host is [^:]*' "$tmp/kvm-$g.out"))"
            skip=$((skip + 1))
        else
            bad "tcg,kvm on $g: exit $rc"; show "kvm-$g"
        fi
    done
    cmp kvm-hvsig --compare tcg,kvm -kernel "$guests/hvsig.elf" $dbg
    if [ "$rc" -eq 1 ] && has kvm-hvsig "verdict: the runs differ: serial output" &&
       has kvm-hvsig "KVMKVMKVM"; then
        ok "tcg,kvm on hvsig differs in the serial output (exit 1)"
    else
        bad "tcg,kvm on hvsig: exit $rc"; show kvm-hvsig
    fi
fi

summary

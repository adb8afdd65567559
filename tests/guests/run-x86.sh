#!/bin/sh
# SPDX-License-Identifier: MIT
# run-x86.sh - runs the bare-metal x86 test guests under an emulator and judges them.
#
# usage: sh tests/guests/run-x86.sh EMU GUEST.elf...
#   EMU is tandem or any QEMU-compatible emulator, e.g. build/tandem or
#   qemu-system-x86_64 (it may carry options: "qemu-system-x86_64 -accel tcg").
# environment:
#   GUEST_EMU_OPTS   extra options appended to every run (e.g. "-accel tcg" or "-cpu max")
#   GUEST_TIMEOUT    seconds per guest (default 60)
#   GUEST_VERBOSE=1  print every guest's whole serial output
# A guest that needs more than the common options names them in tests/guests/x86/NAME.opts
# (one line, e.g. "-smp 2"), added to its command line for every emulator.
#
# Each guest runs as
#   EMU -M pc -display none -serial stdio -kernel ELF -device isa-debug-exit,iobase=0xf4,iosize=0x4
# (only standard QEMU options; -nographic is not used because QEMU then also puts the
# monitor on stdio and refuses "-serial stdio"). A guest passes when the emulator exits
# with status 1 (the guest wrote 0 to port 0xf4: (0 << 1) | 1), its serial output has
# at least one "PASS:" line and no "FAIL:" line. "XFAIL:" lines are checks that QEMU's TCG
# is known to get wrong: the guests print them instead of FAIL only when they detect QEMU
# TCG (CPUID hypervisor signature "TCGTCGTCGTCG"). The last line is "N passed, N failed".

if [ $# -lt 2 ]; then
    echo "usage: $0 EMU GUEST.elf..." >&2
    exit 2
fi
emu=$1
shift
optdir=$(dirname "$0")/x86
timeout_s=${GUEST_TIMEOUT:-60}
npass=0
nfail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-x86.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

for elf in "$@"; do
    name=$(basename "$elf" .elf)
    out="$tmp/$name.out"
    if [ ! -f "$elf" ]; then
        echo "FAIL $name: no such file: $elf"
        nfail=$((nfail + 1))
        continue
    fi
    guest_opts=""
    if [ -f "$optdir/$name.opts" ]; then
        guest_opts=$(cat "$optdir/$name.opts")
    fi
    # $emu, $guest_opts and $GUEST_EMU_OPTS are split into words on purpose. The
    # emulator's status goes through a file: a pipeline's status is its last command's.
    # shellcheck disable=SC2086
    {
        timeout -k 5 "$timeout_s" $emu -M pc -display none -serial stdio -kernel "$elf" \
            -device isa-debug-exit,iobase=0xf4,iosize=0x4 $guest_opts $GUEST_EMU_OPTS \
            </dev/null 2>"$tmp/$name.err"
        echo $? >"$tmp/status"
    } | tr -d '\r' >"$out"
    status=$(cat "$tmp/status" 2>/dev/null)
    rm -f "$tmp/status"
    nps=$(grep -c '^PASS:' "$out")
    nfl=$(grep -c '^FAIL:' "$out")
    nxf=$(grep -c '^XFAIL:' "$out")
    reason=""
    if [ "$status" = 124 ]; then
        reason="timed out after ${timeout_s}s"
    elif [ "$status" != 1 ]; then
        reason="exit status $status (expected 1)"
    fi
    if [ "$nfl" -gt 0 ]; then
        reason="${reason:+$reason, }$nfl FAIL line(s)"
    fi
    if [ "$nps" -eq 0 ]; then
        reason="${reason:+$reason, }no PASS line"
    fi
    if [ -z "$reason" ]; then
        if [ "$nxf" -gt 0 ]; then
            echo "PASS $name ($nps checks, $nxf known QEMU deviations tolerated)"
        else
            echo "PASS $name ($nps checks)"
        fi
        npass=$((npass + 1))
        [ "${GUEST_VERBOSE:-0}" = 1 ] && cat "$out"
    else
        echo "FAIL $name: $reason"
        nfail=$((nfail + 1))
        if [ "${GUEST_VERBOSE:-0}" = 1 ]; then
            cat "$out"
        else
            grep -E '^(PASS|FAIL|XFAIL|EXIT|DONE):' "$out" | sed 's/^/    /'
            if [ "$nps" -eq 0 ] && [ "$nfl" -eq 0 ]; then
                echo "    --- last output lines ---"
                tail -n 20 "$out" | sed 's/^/    /'
            fi
        fi
        if [ -s "$tmp/$name.err" ]; then
            echo "    --- emulator stderr ---"
            tail -n 20 "$tmp/$name.err" | sed 's/^/    /'
        fi
    fi
done

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]

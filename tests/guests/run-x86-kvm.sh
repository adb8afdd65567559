#!/bin/sh
# SPDX-License-Identifier: MIT
# run-x86-kvm.sh - runs the bare-metal x86 test guests under tandem's two accelerators and
# compares them: under -accel kvm a guest must end with the same exit status and print the
# same serial output as under -accel tcg, or it fails.
#
# usage: sh tests/guests/run-x86-kvm.sh TANDEM GUEST.elf...
# environment:
#   GUEST_TIMEOUT    seconds per run (default 60)
#   GUEST_VERBOSE=1  print the differences in full
#
# Each guest runs once under tcg and under kvm in both interrupt-controller modes: KVM's
# in-kernel irqchip (the default) and -machine kernel-irqchip=off (tandem's PIC, APIC and
# IOAPIC with KVM). Options in tests/guests/x86/NAME.opts are added as run-x86.sh does.
#
# When KVM cannot be used on this machine (no /dev/kvm, permission denied, not built in)
# the whole run is skipped with tandem's reason and succeeds.
#
# Host limits: tests/guests/x86/NAME.kvm lists what a kind of KVM host cannot run, one
# "KIND: reason" per line. KIND "pvm" is a PVM-based KVM (tandem notes it at start: no
# VT-x/AMD-V, guest instructions emulated in the kernel). On such a host a listed guest that
# differs is reported as SKIP with the reason and tandem's KVM error; one that matches is a
# PASS (and the line may go). On any other host the guest is compared strictly.

if [ $# -lt 2 ]; then
    echo "usage: $0 TANDEM GUEST.elf..." >&2
    exit 2
fi
emu=$1
shift
optdir=$(dirname "$0")/x86
timeout_s=${GUEST_TIMEOUT:-60}
npass=0
nfail=0
nskip=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-x86-kvm.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# run NAME ELF TAG ACCEL-OPTIONS...: serial output to $tmp/NAME.TAG.out, stderr to .err,
# the exit status to .rc
run() {
    name=$1 elf=$2 tag=$3
    shift 3
    guest_opts=""
    if [ -f "$optdir/$name.opts" ]; then
        guest_opts=$(cat "$optdir/$name.opts")
    fi
    # shellcheck disable=SC2086
    timeout -k 5 "$timeout_s" "$emu" -M pc -display none -serial stdio -kernel "$elf" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x4 $guest_opts "$@" \
        </dev/null >"$tmp/$name.$tag.raw" 2>"$tmp/$name.$tag.err"
    echo $? >"$tmp/$name.$tag.rc"
    tr -d '\r' <"$tmp/$name.$tag.raw" >"$tmp/$name.$tag.out"
}

# Is KVM usable here? Ask tandem itself with the first guest.
first=$1
run probe "$first" kvm -accel kvm
if grep -q "no usable accelerator" "$tmp/probe.kvm.err"; then
    echo "SKIP: KVM is not usable here: $(sed -n 's/.*no usable accelerator in .kvm.: //p' \
        "$tmp/probe.kvm.err" | head -n 1)"
    exit 0
fi
host=hw
if grep -q "PVM-based" "$tmp/probe.kvm.err"; then
    host=pvm
    echo "note: this host's KVM is PVM-based (guest instructions emulated in the kernel);" \
         "guests listed for it in NAME.kvm may be skipped"
fi

for elf in "$@"; do
    name=$(basename "$elf" .elf)
    if [ ! -f "$elf" ]; then
        echo "FAIL $name: no such file: $elf"
        nfail=$((nfail + 1))
        continue
    fi
    limit=""
    if [ -f "$optdir/$name.kvm" ]; then
        limit=$(sed -n "s/^$host: *//p" "$optdir/$name.kvm" | head -n 1)
    fi
    run "$name" "$elf" tcg -accel tcg
    for mode in on off; do
        tag=kvm-$mode
        run "$name" "$elf" "$tag" -accel kvm -machine kernel-irqchip=$mode
        what="$name (kvm, kernel-irqchip=$mode)"
        reason=""
        rt=$(cat "$tmp/$name.tcg.rc") rk=$(cat "$tmp/$name.$tag.rc")
        if [ "$rk" != "$rt" ]; then
            reason="exit status $rk under kvm, $rt under tcg"
        fi
        if ! cmp -s "$tmp/$name.tcg.out" "$tmp/$name.$tag.out"; then
            reason="${reason:+$reason, }serial output differs"
        fi
        if [ -z "$reason" ]; then
            echo "PASS $what: same status ($rk) and serial output as tcg" \
                 "($(wc -l <"$tmp/$name.$tag.out") lines)"
            npass=$((npass + 1))
        elif [ -n "$limit" ]; then
            echo "SKIP $what: this host's KVM ($host) cannot run it: $limit"
            grep -m 1 "KVM:" "$tmp/$name.$tag.err" | sed 's/^/    /'
            nskip=$((nskip + 1))
        else
            echo "FAIL $what: $reason"
            nfail=$((nfail + 1))
            if [ "${GUEST_VERBOSE:-0}" = 1 ]; then
                diff "$tmp/$name.tcg.out" "$tmp/$name.$tag.out"
            else
                diff "$tmp/$name.tcg.out" "$tmp/$name.$tag.out" | head -n 10 | sed 's/^/    /'
            fi
            if [ -s "$tmp/$name.$tag.err" ]; then
                echo "    --- tandem's stderr under kvm ---"
                grep -v "PVM-based" "$tmp/$name.$tag.err" | tail -n 12 | sed 's/^/    /'
            fi
        fi
    done
done

echo "$npass passed, $nfail failed, $nskip skipped (host limits)"
[ "$nfail" -eq 0 ]

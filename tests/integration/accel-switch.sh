#!/bin/sh
# SPDX-License-Identifier: MIT
# Moving a running guest between accelerators with the monitor's `accel NAME`: the count
# guest (tests/guests/x86/count.elf, a line every 15 million TSC ticks, 200 lines, then a
# checksum) starts under tcg, is moved onto kvm after line 40 and back onto tcg after
# line 100 by monitor commands timed by watching its serial output, and must finish as if
# nothing happened: status 1 (it wrote 0 to isa-debug-exit), every number exactly once and
# in order, the checksum recomputed here, its own checks (sums; the TSC never went back
# nor jumped) passed, and `info accel` said kvm in between.
# Run 1: -serial file:... -monitor stdio (monitor and guest output apart).
# Run 2: -nographic, the monitor reached through the mux with Ctrl-A c over a pipe.
# Run 3: what cannot be switched is refused in one line and the guest runs on: an unknown
#        accelerator; then kvm with the default in-kernel irqchip is taken (its PIC, IOAPIC
#        and local APICs take over tandem's models' state). (Run 1 also asks for the one
#        already running.)
# Run 4: the guest counts in long mode: a PVM-based KVM cannot load that state and must
#        refuse in one line; another KVM takes it (there and back).
# Run 5: the guest counts on timer interrupts (-append irq: the PIT through the 8259 and the
#        local APIC timer) with the default in-kernel irqchip, tcg -> kvm -> tcg: the
#        interrupt controllers move into KVM and back, the interrupts keep coming (the
#        guest checks both timers ticked all along) and it finishes as in run 1.
# On a PVM-based KVM (no VT-x/AMD-V: the kernel emulates the guest) the guest runs on the
# host's TSC, which KVM cannot offset there: moving onto kvm makes the guest's TSC leap
# forward once. The guest detects it; on such a host exactly that one leap, at the switch,
# is accepted and said so. Backward steps and any other leap fail everywhere.
# Skips (status 0, with the reason) when /dev/kvm is absent or kvm is not built in.
# Usage: accel-switch.sh TANDEM GUEST_DIR
emu=${1:?usage: accel-switch.sh TANDEM GUEST_DIR}
guests=${2:?usage: accel-switch.sh TANDEM GUEST_DIR}
elf=$guests/count.elf
. "$(dirname "$0")/lib.sh"
need_files "make guests builds it" "$elf" "$guests/hello.elf"
exitdev="isa-debug-exit,iobase=0xf4,iosize=0x4"

if [ ! -e /dev/kvm ]; then
    echo "SKIP accel-switch: /dev/kvm is absent on this host (no KVM to switch to)"
    exit 0
fi
timeout 60 "$emu" -M pc -accel kvm -display none -serial stdio -kernel "$guests/hello.elf" \
    -device "$exitdev" </dev/null >"$tmp/hello" 2>"$tmp/hello.err"
rc=$?
if grep -q "not built" "$tmp/hello.err"; then
    echo "SKIP accel-switch: $(head -n 1 "$tmp/hello.err")"
    exit 0
fi
if [ "$rc" -ne 1 ]; then
    if grep -qi "permission\|cannot open /dev/kvm" "$tmp/hello.err"; then
        echo "SKIP accel-switch: $(head -n 1 "$tmp/hello.err")"
        exit 0
    fi
    bad "the hello guest under -accel kvm: status $rc"; cat "$tmp/hello.err"
    echo "$pass passed, $fail failed"; exit 1
fi

# the guest's checksum, computed here the way count.c does
want=$(h=2166136261; i=1
    while [ $i -le 200 ]; do
        h=$(( ((h ^ i) * 16777619) & 0xffffffff ))
        x=$(( h | 1 )); r=0
        while [ $r -lt 64 ]; do
            x=$(( x ^ ((x << 13) & 0xffffffff) )); x=$(( x ^ (x >> 17) ))
            x=$(( x ^ ((x << 5) & 0xffffffff) )); r=$((r + 1))
        done
        h=$(( ((h ^ x) * 16777619) & 0xffffffff )); i=$((i + 1))
    done
    printf '%08x' $h)
seq 1 200 | sed 's/^/count /' > "$tmp/expect"

# the highest "count N" line of the guest's output FILE (complete lines only: a line being
# written, "count 6" of "count 60", must not be taken)
last_count() { [ -f "$1" ] && head -n "$(wc -l < "$1")" "$1" | tr -d '\r' | sed -n 's/^count \([0-9][0-9]*\)$/\1/p' | tail -n 1; }
# wait_count FILE N: until the guest printed line N (false when tandem ended or after 30 s)
wait_count() {
    n=0
    while [ "$n" -lt 300 ]; do
        c=$(last_count "$1"); [ "${c:-0}" -ge "$2" ] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1; n=$((n + 1))
    done
    return 1
}
# wait_text FILE PATTERN: until FILE has a line with PATTERN (10 s)
wait_text() {
    n=0
    while [ "$n" -lt 100 ]; do
        tr -d '\r' < "$1" | grep -q -- "$2" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1; n=$((n + 1))
    done
    return 1
}
# finish WHAT ORDER ERRFILE: wait for tandem to end; judge its status, its stderr (notes
# only) and the guest's output in $serial (ORDER=1: also every count line, when no monitor
# output shares the file). A switch onto kvm sets kvm_at to the line it was seen at.
finish() {
    n=0; while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
    if kill -0 "$pid" 2>/dev/null; then bad "$1: the guest did not finish within 60 s"; kill "$pid"; fi
    wait "$pid"; rc=$?; pid=
    exec 3>&-
    if grep -v '^tandem: note: ' "$3" | grep -q .; then bad "$1: tandem wrote to stderr"; cat "$3"; fi
    grep -q 'PVM-based' "$3" && pvm=1
    tr -d '\r' < "$serial" > "$tmp/clean"
    if [ "$2" = 1 ]; then
        if grep '^count ' "$tmp/clean" | cmp -s - "$tmp/expect"; then
            ok "$1: count 1..200, each exactly once and in order"
        else
            bad "$1: the count lines differ from 1..200:"; grep '^count ' "$tmp/clean" | diff "$tmp/expect" - | head -10
        fi
    fi
    got=$(sed -n 's/^checksum //p' "$tmp/clean")
    [ "$got" = "$want" ] && ok "$1: checksum $got" || bad "$1: checksum '$got', expected $want"
    fails=$(grep '^FAIL' "$tmp/clean")
    step=$(sed -n 's/^first bad TSC step after line \([0-9]*\): .*/\1/p' "$tmp/clean")
    if [ -z "$fails" ] && [ "$(grep -c '^PASS' "$tmp/clean")" -eq "${npass:-4}" ]; then
        [ "$rc" -eq 1 ] && ok "$1: the guest finished, its checks passed (sums, TSC without jumps)" || bad "$1: exit status $rc (expected 1)"
    elif [ -n "$pvm" ] && [ "$fails" = "FAIL: TSC steps over 2^34 ticks (got 0x1, expected 0x0)" ] &&
         [ "${step:-0}" -ge "${min_at:-40}" ] && [ "$step" -le "${kvm_at:-0}" ] && [ "$rc" -eq 3 ]; then
        ok "$1: the guest finished, its checks passed but one, known on this host: its KVM is PVM-based and runs guests on the host's own TSC, which it cannot offset, so the guest's TSC leapt forward to the host's when it moved onto kvm (after line $step)"
    else
        bad "$1: exit status $rc, the guest's own checks:"; grep '^PASS\|^FAIL\|^first bad' "$tmp/clean"
    fi
}
pvm=
# ---- run 1: -monitor stdio, serial to a file
pvm=; kvm_at=
serial=$tmp/serial1
mkfifo "$tmp/in1"
"$emu" -M pc -accel tcg -machine kernel-irqchip=off -display none -serial "file:$serial" \
    -monitor stdio -kernel "$elf" -device "$exitdev" <"$tmp/in1" >"$tmp/mon1" 2>"$tmp/err1" &
pid=$!
exec 3>"$tmp/in1"
if wait_count "$serial" 40; then
    printf 'accel tcg\n' >&3
    wait_text "$tmp/mon1" '^accel: already running on tcg$' && ok "accel tcg on tcg: 'already running on tcg'" || bad "accel tcg on tcg: no 'already running'"
    printf 'accel kvm\n' >&3
    if wait_text "$tmp/mon1" '^now running on kvm$'; then
        kvm_at=$(last_count "$serial")
        [ "$kvm_at" -lt 100 ] && ok "run 1: on kvm from line $kvm_at" || bad "run 1: the switch to kvm came late (line $kvm_at)"
    else
        bad "run 1: accel kvm failed: $(tr -d '\r' < "$tmp/mon1" | grep '^accel:')"
    fi
    printf 'info accel\n' >&3
    wait_text "$tmp/mon1" '^accelerator: kvm$' && ok "run 1: info accel says kvm" || bad "run 1: info accel did not say kvm"
    wait_text "$tmp/mon1" '^earlier accelerator: tcg' && ok "run 1: info accel keeps tcg's counters" || bad "run 1: no counters of tcg"
    if wait_count "$serial" 100; then
        printf 'accel tcg\n' >&3
        if wait_text "$tmp/mon1" '^now running on tcg$'; then
            at=$(last_count "$serial")
            [ "$at" -lt 200 ] && ok "run 1: back on tcg from line $at" || bad "run 1: the switch back came too late (line $at)"
        else
            bad "run 1: accel tcg failed: $(tr -d '\r' < "$tmp/mon1" | grep '^accel:')"
        fi
        printf 'info accel\n' >&3
    else
        bad "run 1: no line 100 on kvm"
    fi
else
    bad "run 1: no line 40 under tcg"
fi
finish "run 1 (tcg -> kvm -> tcg, -monitor stdio)" 1 "$tmp/err1"
tr -d '\r' < "$tmp/mon1" | grep -q "switches between accelerators: 2" && ok "run 1: 2 switches counted" || bad "run 1: info accel did not count 2 switches"

# ---- run 2: the mux (-nographic), Ctrl-A c over a pipe
serial=$tmp/out2
mkfifo "$tmp/in2"
"$emu" -M pc -accel tcg -machine kernel-irqchip=off -nographic -kernel "$elf" \
    -device "$exitdev" <"$tmp/in2" >"$serial" 2>"$tmp/err2" &
pid=$!
exec 3>"$tmp/in2"
if wait_count "$serial" 40; then
    printf '\001caccel kvm\n\001c' >&3
    if wait_text "$serial" 'now running on kvm'; then
        kvm_at=$(last_count "$serial")
        ok "run 2: Ctrl-A c, accel kvm, Ctrl-A c (at line $kvm_at)"
    else
        bad "run 2: accel kvm through the mux failed"
    fi
    if wait_count "$serial" 100; then
        printf '\001caccel tcg\ninfo accel\n\001c' >&3
        wait_text "$serial" 'now running on tcg' && ok "run 2: back on tcg through the mux" || bad "run 2: accel tcg through the mux failed"
    else
        bad "run 2: no line 100 on kvm"
    fi
else
    bad "run 2: no line 40 under tcg"
fi
# the monitor's output shares the terminal: the count lines are not judged
finish "run 2 (the mux)" 0 "$tmp/err2"

# ---- run 3: refusals, the guest runs on
kvm_at=
serial=$tmp/serial3
mkfifo "$tmp/in3"
"$emu" -M pc -accel tcg -display none -serial "file:$serial" -monitor stdio -kernel "$elf" \
    -device "$exitdev" <"$tmp/in3" >"$tmp/mon3" 2>"$tmp/err3" &
pid=$!
exec 3>"$tmp/in3"
if wait_count "$serial" 20; then
    printf 'accel warp\n' >&3
    wait_text "$tmp/mon3" "^accel: unknown accelerator 'warp'" && ok "accel warp: one line" || bad "accel warp: no clear refusal"
    printf 'accel kvm\n' >&3
    wait_text "$tmp/mon3" '^\(accel: cannot\|accel: kvm\|now running on kvm\)'
    line=$(tr -d '\r' < "$tmp/mon3" | grep '^\(accel: cannot\|accel: kvm\|now running on kvm\)' | head -n 1)
    case $line in
    "accel: "*) ok "kvm with the in-kernel irqchip refused: ${line#accel: }"
        printf 'info accel\n' >&3
        wait_text "$tmp/mon3" '^accelerator: tcg$' && ok "still on tcg after the refusal" || bad "not on tcg after the refusal" ;;
    "now running on kvm") kvm_at=$(last_count "$serial")
        ok "kvm with the in-kernel irqchip: accepted at line $kvm_at (KVM takes the interrupt controllers over)" ;;
    *) bad "accel kvm (in-kernel irqchip): no answer" ;;
    esac
else
    bad "run 3: no line 20"
fi
min_at=20
finish "run 3 (a refusal, then kvm with the in-kernel irqchip)" 1 "$tmp/err3"
min_at=40

# ---- run 4: a guest in long mode: refused by a PVM-based KVM (it cannot load such a
# state), moved there and back elsewhere
serial=$tmp/serial4
mkfifo "$tmp/in4"
"$emu" -M pc -accel tcg -machine kernel-irqchip=off -display none -serial "file:$serial" \
    -monitor stdio -kernel "$elf" -append long -device "$exitdev" <"$tmp/in4" >"$tmp/mon4" 2>"$tmp/err4" &
pid=$!
exec 3>"$tmp/in4"
kvm_at=
if wait_count "$serial" 20; then
    grep -q '^counting in long mode' "$serial" || bad "run 4: the guest is not in long mode"
    printf 'accel kvm\n' >&3
    wait_text "$tmp/mon4" '^\(accel: \|now running on kvm\)'
    line=$(tr -d '\r' < "$tmp/mon4" | grep '^\(accel: \|now running on kvm\)' | head -n 1)
    case $line in
    "accel: cannot move onto kvm: KVM on this host is PVM-based"*)
        ok "long mode onto this PVM-based KVM refused: ${line#accel: }" ;;
    "now running on kvm")
        if [ -n "$pvm" ]; then bad "run 4: a PVM-based KVM took a long-mode state"; fi
        kvm_at=$(last_count "$serial")
        ok "long mode onto kvm (not PVM-based): accepted at line $kvm_at"
        printf 'accel tcg\n' >&3
        wait_text "$tmp/mon4" '^now running on tcg$' && ok "run 4: back on tcg" || bad "run 4: accel tcg failed" ;;
    *) bad "run 4: accel kvm in long mode: '$line'" ;;
    esac
else
    bad "run 4: no line 20"
fi
finish "run 4 (long mode)" 1 "$tmp/err4"
# ---- run 5: timer interrupts with the in-kernel irqchip, tcg -> kvm -> tcg
serial=$tmp/serial5
mkfifo "$tmp/in5"
pvm=; kvm_at=
"$emu" -M pc -accel tcg -display none -serial "file:$serial" -monitor stdio -kernel "$elf" \
    -append irq -device "$exitdev" <"$tmp/in5" >"$tmp/mon5" 2>"$tmp/err5" &
pid=$!
exec 3>"$tmp/in5"
if wait_count "$serial" 40; then
    grep -q '^counting with timer interrupts' "$serial" || bad "run 5: the guest does not count on interrupts"
    printf 'accel kvm\n' >&3
    if wait_text "$tmp/mon5" '^now running on kvm$'; then
        kvm_at=$(last_count "$serial")
        ok "run 5: onto kvm with the in-kernel irqchip at line $kvm_at"
    else
        bad "run 5: accel kvm failed: $(tr -d '\r' < "$tmp/mon5" | grep '^accel:')"
    fi
    printf 'info accel\n' >&3
    wait_text "$tmp/mon5" '^accelerator: kvm$' && ok "run 5: info accel says kvm" || bad "run 5: info accel did not say kvm"
    if wait_count "$serial" 100; then
        printf 'accel tcg\n' >&3
        if wait_text "$tmp/mon5" '^now running on tcg$'; then
            ok "run 5: back on tcg from line $(last_count "$serial"), the interrupt controllers moved back"
        else
            bad "run 5: accel tcg failed: $(tr -d '\r' < "$tmp/mon5" | grep '^accel:')"
        fi
    else
        bad "run 5: no line 100 on kvm (the timer interrupts stopped?)"
    fi
else
    bad "run 5: no line 40 under tcg"
fi
npass=7
finish "run 5 (timer interrupts, in-kernel irqchip, tcg -> kvm -> tcg)" 1 "$tmp/err5"
npass=4
tr -d '\r' < "$serial" | grep '^timer interrupts:' | sed 's/^/     /'
summary

#!/bin/sh
# SPDX-License-Identifier: MIT
# The monitor as a user meets it on the terminal's mux (-nographic: serial and monitor on
# stdio), driven through a pipe: Ctrl-A c gives the monitor the input; `info accel`,
# `info registers`, `info cpus`, a bad command, `stop` (the guest's output stops) and
# `cont` (it goes on), `system_reset` while stopped (the guest starts counting again after
# `cont`), and `quit` ends tandem with status 0 as QEMU's does. Also: -monitor with a
# back end that does not exist is one error line and a non-zero exit.
# The guest is tests/guests/x86/count.elf (a line every 15 ms for about 3 s).
# Usage: monitor.sh TANDEM GUEST_DIR
emu=${1:?usage: monitor.sh TANDEM GUEST_DIR}
guests=${2:?usage: monitor.sh TANDEM GUEST_DIR}
elf=$guests/count.elf
. "$(dirname "$0")/lib.sh"
need_files "make guests builds it" "$elf"

# the output so far, without the '\r' of the terminal line ends, from line $mark on
since() { tr -d '\r' < "$tmp/out" | tail -n +"$mark"; }
# wait_for PATTERN [TENTHS]: until the output since $mark has a line matching PATTERN
wait_for() {
    n=0
    while [ "$n" -lt "${2:-100}" ]; do
        since | grep -q -- "$1" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1; n=$((n + 1))
    done
    return 1
}
# after CMD PATTERN [TENTHS]: the same, in what follows the echo of the command CMD
after() {
    n=0
    while [ "$n" -lt "${3:-100}" ]; do
        since | sed -n "/$1\$/,\$p" | tail -n +2 | grep -q -- "$2" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1; n=$((n + 1))
    done
    return 1
}
# the highest "count N" line so far
last_count() { tr -d '\r' < "$tmp/out" | sed -n 's/^count \([0-9][0-9]*\)$/\1/p' | sort -n | tail -n 1; }
# cmd COMMAND PATTERN WHAT: type COMMAND at the monitor, expect PATTERN after its echo
cmd() {
    mark=$(($(tr -d '\r' < "$tmp/out" | wc -l) + 1))
    printf '%s\n' "$1" >&3
    if after "$1" "$2"; then ok "$3"; else bad "$3: no '$2' after '$1'"; since | head -20; fi
}

mkfifo "$tmp/in"
"$emu" -M pc -nographic -kernel "$elf" -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
    <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/in"
mark=1
if wait_for '^count 10$' 300; then ok "the guest counts on the serial console"; else
    bad "no 'count 10' from the guest"; cat "$tmp/out" "$tmp/err"; echo "$pass passed, $fail failed"; exit 1
fi

mark=$(($(tr -d '\r' < "$tmp/out" | wc -l) + 1))
printf '\001c' >&3
wait_for "monitor - type 'help'" && ok "Ctrl-A c over a pipe: the monitor's banner" || bad "no monitor banner after Ctrl-A c"
cmd "info accel" "^accelerator: tcg$" "info accel names the accelerator"
since | grep -q "blocks translated" && ok "info accel shows the counters" || bad "info accel: no counters"
cmd "info registers" "^CR0=00000011" "info registers: CR0 of the protected-mode guest"
since | grep -q "^CS =0008" && ok "info registers: the guest's code segment" || bad "info registers: no CS line"
cmd "info cpus" "^\* CPU #0: pc=0x" "info cpus"
cmd "bogus" "^unknown command: 'bogus' (try 'help')$" "a bad command is one clear line"
cmd "help" "^system_reset" "help lists the commands"

cmd "stop" "^(tandem) $" "stop: a new prompt once the vCPUs paused"
sleep 0.3
before=$(last_count)
sleep 1
after=$(last_count)
[ "$before" = "$after" ] && ok "stopped: no guest output for 1 s (at count $after)" || bad "the guest ran on after stop ($before -> $after)"
cmd "cont" "(tandem) " "cont"
n=0; while [ "$n" -lt 50 ] && [ "$(last_count)" = "$after" ]; do sleep 0.1; n=$((n + 1)); done
[ "$(last_count)" != "$after" ] && ok "cont: the guest counts on ($(last_count))" || bad "the guest did not go on after cont"

cmd "stop" "^(tandem) $" "stop again"
cmd "system_reset" "^(tandem) $" "system_reset while stopped"
sleep 0.3
mark=$(($(tr -d '\r' < "$tmp/out" | wc -l) + 1))
printf 'cont\n' >&3
wait_for '^count 5$' 100 && ok "system_reset: the guest started over (count 5 again)" || { bad "no new count after system_reset"; since | head; }

printf 'quit\n' >&3
n=0; while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 "$pid" 2>/dev/null; then
    bad "quit did not end tandem"
else
    wait "$pid"; rc=$?
    [ "$rc" -eq 0 ] && ok "quit: exit status 0" || { bad "quit: exit status $rc"; cat "$tmp/err"; }
    grep -q '^checksum' "$tmp/out" && bad "the guest finished before quit (test too slow?)"
fi
pid=
exec 3>&-
[ -s "$tmp/err" ] && { bad "tandem wrote to stderr"; cat "$tmp/err"; }

# bad input: one line on stderr, non-zero exit
"$emu" -M pc -nographic -monitor tcp:1234 -kernel "$elf" </dev/null >"$tmp/out2" 2>"$tmp/err2"
rc=$?
if [ "$rc" -ne 0 ] && [ "$(wc -l < "$tmp/err2")" -eq 1 ] && grep -q "monitor" "$tmp/err2"; then
    ok "-monitor tcp:1234: $(cat "$tmp/err2")"
else
    bad "-monitor tcp:1234: status $rc, stderr: $(cat "$tmp/err2")"
fi
summary

#!/bin/sh
# SPDX-License-Identifier: MIT
# The pipe chardev back end (-serial pipe:PATH, backends/chardev.c) outside any Xen: a raw
# -bios image on the pc board waits for a byte on COM1 (polling the line status register),
# sends that byte + 1 back, and exits through isa-debug-exit with 0x21 (tandem: status 67).
#   FIFOs PATH.in and PATH.out: "A" written into PATH.in after tandem started must come
#     back as "B" on PATH.out (both directions, input arriving while the guest waits).
#   PATH alone (no PATH.in, no PATH.out), a regular file holding "A": read from its start,
#     then the reply written through the same descriptor: the file ends up "AB".
#   Bad input: pipe: without a path, a missing PATH, PATH.in without PATH.out: one line on
#     stderr and a non-zero exit.
# Usage: serial-pipe.sh TANDEM
set -u
emu=${1:?usage: serial-pipe.sh TANDEM}
. "$(dirname "$0")/lib.sh"
show_err=1

# mov dx,0x3fd; 1: in al,dx; test al,1; jz 1b; mov dx,0x3f8; in al,dx; inc al; out dx,al;
# mov al,0x21; mov dx,0xf4; out dx,al; 2: hlt; jmp 2b   (at F000:0000)
# and at the reset vector F000:FFF0: jmp F000:0000
{
    printf '\272\375\003\354\250\001\164\373\272\370\003\354\376\300\356'
    printf '\260\041\272\364\000\356\364\353\375'
    head -c $((65520 - 24)) /dev/zero
    printf '\352\000\000\000\360'
    head -c 11 /dev/zero
} > "$tmp/echo.bin"
args="-M pc -display none -bios $tmp/echo.bin -device isa-debug-exit,iobase=0xf4,iosize=0x4"

# FIFOs: the reply read by cat, the input written once tandem runs
mkfifo "$tmp/con.in" "$tmp/con.out"
cat "$tmp/con.out" > "$tmp/reply" &
catpid=$!
# shellcheck disable=SC2086
timeout 30 "$emu" $args -serial "pipe:$tmp/con" </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
if kill -0 "$pid" 2>/dev/null; then
    ok "pipe:PATH: tandem waits for input on PATH.in"
else
    bad "pipe:PATH: tandem ended before any input"
fi
printf A > "$tmp/con.in"
wait "$pid"
rc=$?
pid=
wait "$catpid"
[ "$rc" -eq 67 ] && ok "pipe:PATH: the guest got its byte and exited (status 67)" ||
    { bad "pipe:PATH: exit status $rc, not 67"; }
[ "$(cat "$tmp/reply")" = B ] && ok "pipe:PATH: PATH.out has the guest's reply 'B'" ||
    bad "pipe:PATH: PATH.out has '$(cat "$tmp/reply")', not 'B'"

# PATH itself for both directions
printf A > "$tmp/both"
# shellcheck disable=SC2086
timeout 30 "$emu" $args -serial "pipe:$tmp/both" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 67 ] && [ "$(cat "$tmp/both")" = AB ] &&
    ok "pipe:PATH without PATH.in/.out: read 'A' from PATH, wrote 'B' after it" ||
    { bad "pipe:PATH alone: exit $rc, the file has '$(cat "$tmp/both")', not 'AB'"; }

# bad input: one line, a non-zero exit, no run
badpipe() { # what spec want
    # shellcheck disable=SC2086
    timeout 20 "$emu" $args -serial "$2" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
       grep -q -- "$3" "$tmp/err"; then
        ok "$1: $(cat "$tmp/err")"
    else
        bad "$1: exit $rc, not one line saying '$3'"
    fi
}
badpipe "pipe: without a path" "pipe:" "needs a path"
badpipe "pipe: a missing PATH" "pipe:$tmp/nothing/here" "cannot open"
: > "$tmp/half.in"
badpipe "pipe: PATH.in without PATH.out" "pipe:$tmp/half" "half.out'"
summary

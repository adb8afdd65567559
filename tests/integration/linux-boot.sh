#!/bin/sh
# SPDX-License-Identifier: MIT
# Boots Debian's Linux kernel with the busybox initramfs (scripts/build-guest.sh) on the pc
# board under tandem, types commands at the shell through the serial console, reboots it,
# powers it off, and checks the exit status; then checks that a kernel panic with panic=-1
# and -no-reboot ends tandem (that boot with -smp 2).
# Usage: linux-boot.sh TANDEM GUEST_DIR (vmlinuz and initramfs.cpio in GUEST_DIR)
emu=${1:?usage: linux-boot.sh TANDEM GUEST_DIR}
guest=${2:?usage: linux-boot.sh TANDEM GUEST_DIR}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}
. "$(dirname "$0")/lib.sh"
need_files "make guest builds it" "$guest/vmlinuz" "$guest/initramfs.cpio"

# wait_for PATTERN SECONDS: until the serial log has PATTERN (counted from $mark lines on)
wait_for() {
    n=0
    while [ "$n" -lt "$2" ]; do
        tail -n +"$mark" "$tmp/out" | grep -q -- "$1" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 1; n=$((n + 1))
    done
    return 1
}
# run CMD EXPECTED: type CMD, wait for EXPECTED in what follows
run() {
    mark=$(($(wc -l < "$tmp/out") + 1))
    printf '%s\n' "$1" >&3
    if wait_for "$2" 60; then ok "'$1' -> $2"; else bad "'$1': no '$2' within 60 s"; tail -n +"$mark" "$tmp/out" | head -20; fi
}

mkfifo "$tmp/in"
"$emu" -M pc -m 512 -nographic -kernel "$guest/vmlinuz" -initrd "$guest/initramfs.cpio" \
    -append "console=ttyS0 no_timer_check" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/in"
start=$(date +%s); mark=1
if wait_for TANDEM-GUEST-READY "$BOOT_TIMEOUT"; then
    ok "reached the shell in $(($(date +%s) - start)) s"
else
    bad "no shell within $BOOT_TIMEOUT s"; tail -30 "$tmp/out"; cat "$tmp/err"
    echo "$pass passed, $fail failed"; exit 1
fi
sleep 1
run "uname -m" "^x86_64"
# sha256("tandem\n") computed independently: printf 'tandem\n' | sha256sum on the host
want=$(printf 'tandem\n' | sha256sum | cut -d' ' -f1)
run "echo tandem | sha256sum" "$want"
run "grep -c processor /proc/cpuinfo" "^1"
run "grep -m1 ^flags /proc/cpuinfo | grep -o ' sse2 '" "sse2"
run "cat /proc/cpuinfo | grep -c ' avx '" "^0"
run "reboot -f" "TANDEM-GUEST-READY"
sleep 1
run "echo again" "^again"
mark=$(($(wc -l < "$tmp/out") + 1))
printf 'poweroff -f\n' >&3
n=0; while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 60 ]; do sleep 1; n=$((n + 1)); done
if kill -0 "$pid" 2>/dev/null; then
    bad "poweroff -f did not end tandem"
else
    wait "$pid"; rc=$?
    [ "$rc" -eq 0 ] && ok "poweroff -f: tandem exited with status 0" || { bad "poweroff -f: exit status $rc"; cat "$tmp/err"; }
fi
pid=
exec 3>&-

# a kernel panic (no init) with panic=-1 reboots; -no-reboot turns that into exit. This boot
# has two CPUs: the kernel brings up the second one through INIT/SIPI and runs on both.
timeout "$BOOT_TIMEOUT" "$emu" -M pc -m 256 -smp 2 -nographic -no-reboot -kernel "$guest/vmlinuz" \
    -initrd "$guest/initramfs.cpio" -append "console=ttyS0 no_timer_check panic=-1 rdinit=/bin/false" \
    </dev/null >"$tmp/out2" 2>&1
rc=$?
grep -q "Brought up 1 node, 2 CPUs" "$tmp/out2" && ok "-smp 2: the kernel brought up 2 CPUs" || { bad "-smp 2: no 'Brought up 1 node, 2 CPUs'"; grep -i smp "$tmp/out2" | head; }
grep -q "Kernel panic" "$tmp/out2" && ok "panic=-1: the kernel panicked" || bad "no kernel panic"
[ "$rc" -eq 0 ] && ok "panic=-1 with -no-reboot: tandem exited with status 0" || { bad "panic=-1 with -no-reboot: exit status $rc"; tail -5 "$tmp/out2"; }
summary

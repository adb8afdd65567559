#!/bin/sh
# SPDX-License-Identifier: MIT
# Side-by-side benchmark of the default Linux guest (Debian's kernel + busybox, `make guest`)
# under tandem and under qemu-system-x86_64 (Debian's package, TCG JIT):
#   - time from start to the shell marker (QEMU's includes its BIOS, about 3 s),
#   - sha256sum of 64 MiB and gzip of 16 MiB inside the guest, timed from the host by
#     markers on the serial console (guest clocks under emulation are not to be trusted),
#   - peak RSS of the emulator process (/usr/bin/time),
# and prints the ratios tandem/QEMU. Usage: bench/linux-bench.sh [TANDEM] [GUEST_DIR]
# Environment: QEMU (default qemu-system-x86_64), MEM (MiB, default 512).
set -u
emu=${1:-build/tandem}
guest=${2:-build/guest}
qemu=${QEMU:-qemu-system-x86_64}
mem=${MEM:-512}
command -v "$qemu" >/dev/null 2>&1 || { echo "bench: $qemu not found (apt-get install qemu-system-x86)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
command -v bc >/dev/null 2>&1 || { echo "bench: bc not found (apt-get install bc)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
# wait_for PATTERN FROM_LINE TIMEOUT: prints the time the pattern appeared
wait_for() {
    end=$(( $(date +%s) + $3 ))
    while [ "$(date +%s)" -lt "$end" ]; do
        if tail -n +"$2" "$tmp/out" | grep -q -- "$1"; then now; return 0; fi
        sleep 0.05
    done
    return 1
}
lines() { wc -l < "$tmp/out"; }
# timed NAME COMMAND: runs COMMAND in the guest between markers, prints seconds
timed() {
    from=$(( $(lines) + 1 ))
    printf 'echo BENCH-BEGIN-%s; %s; echo BENCH-END-%s\n' "$1" "$2" "$1" >&3
    t0=$(wait_for "^BENCH-BEGIN-$1" "$from" 600) || return 1
    t1=$(wait_for "^BENCH-END-$1" "$from" 600) || return 1
    echo "$t1 - $t0" | bc
}

# run_one NAME CMD...: boots, measures, powers off; writes NAME.shell/.sha/.gzip/.rss
run_one() {
    name=$1; shift
    rm -f "$tmp/in"; mkfifo "$tmp/in"; : > "$tmp/out"
    t_start=$(now)
    /usr/bin/time -f %M -o "$tmp/$name.rss" "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/$name.err" &
    pid=$!
    exec 3>"$tmp/in"
    t_shell=$(wait_for TANDEM-GUEST-READY 1 600) || { echo "bench: $name did not reach the shell" >&2; tail "$tmp/out" >&2; kill $pid; return 1; }
    echo "$t_shell - $t_start" | bc > "$tmp/$name.shell"
    sleep 1
    printf 'head -c 16777216 /dev/urandom > /tmp/rnd; echo prepared\n' >&3
    wait_for '^prepared' 1 300 >/dev/null
    timed sha 'dd if=/dev/zero bs=1048576 count=64 2>/dev/null | sha256sum' > "$tmp/$name.sha"
    timed gzip 'gzip -c /tmp/rnd > /dev/null' > "$tmp/$name.gzip"
    printf 'poweroff -f\n' >&3
    exec 3>&-
    wait $pid
}

append="console=ttyS0 no_timer_check"
run_one tandem "$emu" -M pc -m "$mem" -nographic -kernel "$guest/vmlinuz" -initrd "$guest/initramfs.cpio" -append "$append" || exit 1
run_one qemu "$qemu" -accel tcg -M pc -m "$mem" -nographic -kernel "$guest/vmlinuz" -initrd "$guest/initramfs.cpio" -append "$append" || exit 1

printf '%-28s %12s %12s %10s\n' "measure" "tandem" "qemu (TCG)" "ratio"
row() {
    a=$(cat "$tmp/tandem.$1"); b=$(cat "$tmp/qemu.$1")
    printf '%-28s %12.2f %12.2f %9.2fx\n' "$2" "$a" "$b" "$(echo "$a / $b" | bc -l)"
}
row shell "time to shell (s)"
row sha "sha256sum 64 MiB (s)"
row gzip "gzip 16 MiB (s)"
a=$(cat "$tmp/tandem.rss"); b=$(cat "$tmp/qemu.rss")
printf '%-28s %12d %12d %9.2fx\n' "peak RSS (MiB, -m $mem)" $((a / 1024)) $((b / 1024)) "$(echo "$a / $b" | bc -l)"

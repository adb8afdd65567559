#!/bin/sh
# SPDX-License-Identifier: MIT
# Integration tests of the tandem binary: bad input, -d logging, triple faults, Ctrl-A,
# the monitor, moving a running guest between accelerators,
# -bios images, the Linux boot protocol loader.
# Usage: run.sh TANDEM GUEST_DIR
emu=${1:?usage: run.sh TANDEM GUEST_DIR}
guests=${2:?usage: run.sh TANDEM GUEST_DIR}
dir=$(dirname "$0")
fail=0
for t in "$dir"/bad-input.sh "$dir"/logging.sh "$dir"/triple-fault.sh "$dir"/bios.sh "$dir"/linux-boot-input.sh \
         "$dir"/monitor.sh "$dir"/accel-switch.sh; do
    [ -f "$t" ] || continue
    echo "== $(basename "$t")"
    sh "$t" "$emu" "$guests" || fail=1
done
exit $fail

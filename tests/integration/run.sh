#!/bin/sh
# SPDX-License-Identifier: MIT
# Integration tests of the tandem binary: bad input, -d logging, triple faults, Ctrl-A,
# -bios images, the pipe chardev (-serial pipe:), the Linux boot protocol loader, the KVM
# accelerator, --compare, --lockstep, the monitor, moving a running guest between
# accelerators, the Xen accelerator outside dom0 with libxl's device-model command line and
# QMP.
# Usage: run.sh TANDEM GUEST_DIR
emu=${1:?usage: run.sh TANDEM GUEST_DIR}
guests=${2:?usage: run.sh TANDEM GUEST_DIR}
dir=$(dirname "$0")
fail=0
for t in "$dir"/bad-input.sh "$dir"/logging.sh "$dir"/triple-fault.sh "$dir"/bios.sh "$dir"/serial-pipe.sh "$dir"/linux-boot-input.sh \
         "$dir"/kvm.sh "$dir"/compare.sh "$dir"/lockstep.sh "$dir"/monitor.sh "$dir"/accel-switch.sh "$dir"/xen.sh "$dir"/xenfv-kernel.sh; do
    [ -f "$t" ] || continue
    echo "== $(basename "$t")"
    sh "$t" "$emu" "$guests" || fail=1
done
exit $fail

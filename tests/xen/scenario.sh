#!/bin/sh
# SPDX-License-Identifier: MIT
# scenario.sh - runs inside the Xen test bed's dom0 as /scenario/run.sh (tests/xen/run.sh
# puts it there, with the guests' configurations and /scenario/guests, the list of them).
# For each guest: xl create, wait until its COM1 file shows the runtime's DONE line (or a
# timeout, or the domain is gone), xl destroy, then copy to dom0's console, line by line
# with a prefix the host greps for:
#   GUEST <name>: <a line of the guest's COM1>
#   XL <name>: <xl create's output>       DMLOG <name>: <the device model's log>
#   GUEST-RESULT <name> done|timeout|create-failed  <seconds>
# It judges nothing itself: run.sh does.
GUEST_TIMEOUT=${GUEST_TIMEOUT:-60}

up() { cut -d' ' -f1 /proc/uptime; }

for g in $(cat /scenario/guests); do
    ser=/tmp/$g.serial
    : > "$ser"
    echo "dom0: xl create $g at $(up) s"
    t0=$(cut -d. -f1 /proc/uptime)
    result=done
    if ! timeout 120 xl create "/scenario/$g.cfg" > "/tmp/$g.xl" 2>&1; then
        result=create-failed
    else
        i=0
        until grep -q "^DONE:" "$ser" 2>/dev/null; do
            if [ $i -ge $((GUEST_TIMEOUT * 5)) ]; then
                result=timeout
                break
            fi
            if ! xl domid "$g" >/dev/null 2>&1; then
                result=domain-gone
                break
            fi
            sleep 0.2
            i=$((i + 1))
        done
    fi
    t1=$(cut -d. -f1 /proc/uptime)
    xl destroy "$g" > /dev/null 2>&1
    sed "s/^/XL $g: /" "/tmp/$g.xl"
    tr -d '\r' < "$ser" | sed "s/^/GUEST $g: /"
    if [ "$result" != done ]; then
        for f in /var/log/xen/qemu-dm-"$g".log /var/log/xen/xl-"$g".log; do
            [ -f "$f" ] && tail -n 30 "$f" | sed "s/^/DMLOG $g: /"
        done
    fi
    echo "GUEST-RESULT $g $result $((t1 - t0)) s"
done

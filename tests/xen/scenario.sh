#!/bin/sh
# SPDX-License-Identifier: MIT
# scenario.sh - runs inside the Xen test bed's dom0 as /scenario/run.sh (tests/xen/run.sh
# puts it there, with the guests' configurations and /scenario/guests, the list of them).
# For each guest: xl create, wait until it is done (or a timeout, or the domain is gone),
# xl destroy, then copy to dom0's console, line by line with a prefix the host greps for:
#   GUEST <name>: <a line of the guest's COM1>
#   XEN <name>: <a line the guest wrote to Xen's debug port 0xe9 (hvmloader, SeaBIOS)>
#   XL <name>: <xl create's output>       DMLOG <name>: <the device model's log>
#   DMSTATS <name>: <a line of tandem's request statistics table, which it writes to its
#                   stderr (libxl: /var/log/xen/qemu-dm-NAME.log) when xl destroy stops it>
#   GUEST-READY <name> <seconds>           (guests with a .ready pattern, see below)
#   GUEST-RESULT <name> done|timeout|create-failed  <seconds>
# Done means: /scenario/<name>.wait, a shell command, succeeds when there is one; else the
# guest runtime's EXIT line is on COM1. It judges nothing itself: run.sh does.
# A guest waits GUEST_TIMEOUT seconds (60), or what /scenario/<name>.timeout says.
# A guest whose configuration says serial = "pipe:PATH" gets the FIFOs PATH.in and
# PATH.out made before xl create; PATH.out is copied to its COM1 log. When its COM1 shows
# the pattern in /scenario/<name>.ready, the line in /scenario/<name>.type is typed into
# PATH.in (again every 20 s until the guest is done, in case the first went unread).
GUEST_TIMEOUT=${GUEST_TIMEOUT:-60}

up() { cut -d' ' -f1 /proc/uptime; }

for g in $(cat /scenario/guests); do
    ser=/tmp/$g.serial
    : > "$ser"
    limit=$GUEST_TIMEOUT
    [ -f "/scenario/$g.timeout" ] && limit=$(cat "/scenario/$g.timeout")
    pipe=$(sed -n 's/^serial = "pipe:\(.*\)"$/\1/p' "/scenario/$g.cfg")
    catpid=""
    if [ -n "$pipe" ]; then
        rm -f "$pipe.in" "$pipe.out"
        mkfifo "$pipe.in" "$pipe.out"
        cat "$pipe.out" > "$ser" &
        catpid=$!
    fi
    ready=""
    [ -f "/scenario/$g.ready" ] && ready=$(cat "/scenario/$g.ready")
    typed=""
    echo "dom0: xl create $g at $(up) s"
    t0=$(cut -d. -f1 /proc/uptime)
    result=done
    if ! timeout 120 xl create "/scenario/$g.cfg" > "/tmp/$g.xl" 2>&1; then
        result=create-failed
    else
        wait="grep -q '^EXIT: ' $ser"
        [ -f "/scenario/$g.wait" ] && wait=$(cat "/scenario/$g.wait")
        until sh -c "$wait" >/dev/null 2>&1; do
            now=$(cut -d. -f1 /proc/uptime)
            if [ -n "$ready" ] && grep -q -- "$ready" "$ser" 2>/dev/null; then
                if [ -z "$typed" ]; then
                    echo "GUEST-READY $g $((now - t0)) s"
                fi
                if [ -n "$pipe" ] && [ -f "/scenario/$g.type" ] &&
                   { [ -z "$typed" ] || [ $((now - typed)) -ge 20 ]; }; then
                    timeout 10 sh -c 'cat "$1" > "$2"' sh "/scenario/$g.type" "$pipe.in"
                    echo "dom0: typed into $g's COM1: $(cat "/scenario/$g.type")"
                    typed=$now
                fi
            fi
            if [ $((now - t0)) -ge "$limit" ]; then
                result=timeout
                break
            fi
            # twice in a row: one xl query can fail while the domain's devices connect
            if ! xl domid "$g" >/dev/null 2>&1 && { sleep 0.5; ! xl domid "$g" >/dev/null 2>&1; }
            then
                result=domain-gone
                break
            fi
            sleep 0.2
        done
    fi
    t1=$(cut -d. -f1 /proc/uptime)
    sleep 0.2
    xl dmesg 2>/dev/null | sed -n "s/^.*(d[0-9][0-9]*) /XEN $g: /p" > "/tmp/$g.xen"
    xl dmesg -c > /dev/null 2>&1
    xl destroy "$g" > /dev/null 2>&1
    if [ -n "$catpid" ]; then
        # the copy ends when the device model closes PATH.out; a model that never opened it
        # leaves cat waiting in open()
        i=0
        while kill -0 "$catpid" 2>/dev/null && [ $i -lt 25 ]; do
            sleep 0.2
            i=$((i + 1))
        done
        kill "$catpid" 2>/dev/null
    fi
    dmlog=/var/log/xen/qemu-dm-$g.log
    if grep -q tandem-dm "/scenario/$g.cfg"; then
        # the table comes when the device model handles libxl's stop signal
        i=0
        until grep -q "device model statistics" "$dmlog" 2>/dev/null || [ $i -ge 25 ]; do
            sleep 0.2
            i=$((i + 1))
        done
        sed -n '/device model statistics/,$p' "$dmlog" 2>/dev/null | sed "s/^/DMSTATS $g: /"
        grep "time offset" "$dmlog" 2>/dev/null | sed "s/^/DMLOG $g: /"
    fi
    sed "s/^/XL $g: /" "/tmp/$g.xl"
    awk -v p="GUEST $g: " '{ sub(/\r$/, ""); print p $0 }' "$ser"
    cat "/tmp/$g.xen"
    if [ "$result" != done ]; then
        for f in /var/log/xen/qemu-dm-"$g".log /var/log/xen/xl-"$g".log; do
            [ -f "$f" ] && tail -n 30 "$f" | sed "s/^/DMLOG $g: /"
        done
    fi
    echo "GUEST-RESULT $g $result $((t1 - t0)) s"
done

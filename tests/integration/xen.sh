#!/bin/sh
# SPDX-License-Identifier: MIT
# The Xen accelerator as a user meets it outside dom0 (no real Xen here: tests/xen boots
# one): -accel xen refused with one line and a non-zero exit (the exact reason: no
# /dev/xen/privcmd, or that it cannot be opened; TANDEM_XEN_PRIVCMD points tandem at another
# path), -accel xen:tcg falling back with the reason on stderr, the command line libxl passes
# to a device model (accepted, ignored options reported one line each, bad values refused),
# and libxl's QMP exchange on the -chardev/-mon sockets of a running guest (python3 client;
# skipped, saying so, without python3).
# Usage: xen.sh TANDEM GUEST_DIR
emu=${1:?usage: xen.sh TANDEM GUEST_DIR}
guests=${2:?usage: xen.sh TANDEM GUEST_DIR}
. "$(dirname "$0")/lib.sh"
show_err=1
hello=$guests/hello.elf
exit_dev="-device isa-debug-exit,iobase=0xf4,iosize=0x4"
run() { timeout "$@" </dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?; }
one_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ]; }
guest_ok() { grep -q "DONE: 8 checks, 8 passed" "$tmp/out"; }

# ---- -accel xen outside dom0 ----
TANDEM_XEN_PRIVCMD=$tmp/privcmd run 20 "$emu" -M pc -display none -kernel "$hello" $exit_dev -accel xen
if grep -q "xen: not built into this tandem" "$tmp/err"; then
    built=no
    [ "$rc" -eq 1 ] && one_line && ok "-accel xen without libxen: '$(cat "$tmp/err")'" ||
        bad "-accel xen without libxen: exit $rc"
else
    built=yes
    [ "$rc" -eq 1 ] && one_line &&
        grep -qx "tandem: no usable accelerator in 'xen': xen: no $tmp/privcmd: tandem is not running in a Xen dom0" "$tmp/err" &&
        ok "-accel xen without a privcmd device: '$(cat "$tmp/err")'" || bad "-accel xen without a privcmd device: exit $rc"
    mkdir "$tmp/dir"
    TANDEM_XEN_PRIVCMD=$tmp/dir run 20 "$emu" -M pc -display none -kernel "$hello" $exit_dev -accel xen
    [ "$rc" -eq 1 ] && one_line && grep -q "xen: cannot open $tmp/dir: Is a directory" "$tmp/err" &&
        ok "-accel xen with an unusable privcmd: '$(cat "$tmp/err")'" || bad "-accel xen with an unusable privcmd: exit $rc"
    if [ ! -e /dev/xen/privcmd ]; then
        run 20 "$emu" -M pc -display none -kernel "$hello" $exit_dev -accel xen
        [ "$rc" -eq 1 ] && grep -q "no /dev/xen/privcmd: tandem is not running in a Xen dom0" "$tmp/err" &&
            ok "-accel xen on this host (no dom0)" || bad "-accel xen on this host: exit $rc"
    else
        skipped "-accel xen on this host: /dev/xen/privcmd exists (tests/xen covers real Xen)"
    fi
fi

# ---- the xenfv board ----
run 20 "$emu" -M help
grep -q "^  xenfv " "$tmp/out" && ok "-M help lists xenfv" || bad "-M help lists no xenfv"
run 20 "$emu" -M xenfv -accel tcg -display none
[ "$rc" -eq 1 ] && one_line && grep -q "the xenfv machine runs only under -accel xen" "$tmp/err" &&
    ok "-M xenfv under tcg refused: '$(cat "$tmp/err")'" || bad "-M xenfv under tcg: exit $rc"
if [ "$built" = yes ]; then
    TANDEM_XEN_PRIVCMD=$tmp/privcmd run 20 "$emu" -M xenfv -display none
    [ "$rc" -eq 1 ] && one_line && grep -q "no $tmp/privcmd: tandem is not running in a Xen dom0" "$tmp/err" &&
        ok "-M xenfv chooses xen: '$(cat "$tmp/err")'" || bad "-M xenfv chooses xen: exit $rc"
    # a privcmd stand-in that opens: the board is built, then the accelerator's start-up fails
    : >"$tmp/fake"
    TANDEM_XEN_PRIVCMD=$tmp/fake run 20 "$emu" -M xenfv -display none -nodefaults
    [ "$rc" -eq 1 ] && one_line && grep -qx "tandem: -accel xen needs -xen-domid N (the domain to serve)" "$tmp/err" &&
        ok "-M xenfv without -xen-domid: '$(cat "$tmp/err")'" || bad "-M xenfv without -xen-domid: exit $rc"
    TANDEM_XEN_PRIVCMD=$tmp/fake run 20 "$emu" -M xenfv -xen-domid 3 -display none -nodefaults
    [ "$rc" -eq 1 ] && grep -q "tandem: xen: cannot open the Xen device model, memory and event channel interfaces for domain 3" "$tmp/err" &&
        ok "-M xenfv -xen-domid 3 outside dom0: the board is built, the ioreq server cannot be" ||
        bad "-M xenfv -xen-domid 3 outside dom0: exit $rc"
fi

# ---- fallback ----
TANDEM_XEN_PRIVCMD=$tmp/privcmd run 30 "$emu" -M pc -display none -serial stdio -kernel "$hello" $exit_dev -accel xen:tcg
if [ "$built" = yes ]; then want="using accelerator 'tcg' (xen: no $tmp/privcmd: tandem is not running in a Xen dom0)"
else want="using accelerator 'tcg' (xen: not built into this tandem)"; fi
[ "$rc" -eq 1 ] && guest_ok && grep -qF "$want" "$tmp/err" && one_line &&
    ok "-accel xen:tcg falls back to tcg: '$(cat "$tmp/err")'" || bad "-accel xen:tcg: exit $rc"

# ---- libxl's command line (NOTES: what libxl passes), run under tcg ----
q1=$tmp/qmp-libxl-2 q2=$tmp/qmp-libxenstat-2
libxl_args="-xen-domid 2 -no-shutdown -chardev socket,id=libxl-cmd,path=$q1,server=on,wait=off
 -mon chardev=libxl-cmd,mode=control -chardev socket,id=libxenstat-cmd,path=$q2,server=on,wait=off
 -mon chardev=libxenstat-cmd,mode=control -nodefaults -no-user-config -name guest1 -vnc none
 -display none -serial stdio -boot order=cda -net none -machine pc,suppress-vmdesc=on -m 64"
# shellcheck disable=SC2086
run 30 "$emu" $libxl_args -accel tcg -kernel "$hello" $exit_dev
[ "$rc" -eq 1 ] && guest_ok && [ "$(wc -l <"$tmp/err")" -eq 3 ] &&
    grep -q "warning: -boot order=cda ignored" "$tmp/err" && grep -q "warning: -no-shutdown ignored" "$tmp/err" &&
    grep -q "warning: -machine suppress-vmdesc=on ignored" "$tmp/err" &&
    ok "libxl's device-model arguments: the guest runs, 3 ignored options reported" ||
    bad "libxl's device-model arguments: exit $rc"

# bad values: one line, exit 1
badarg() { # DESCRIPTION EXPECTED ARGS...
    d=$1 e=$2; shift 2
    run 20 "$emu" -display none -kernel "$hello" $exit_dev "$@"
    [ "$rc" -eq 1 ] && one_line && grep -qF -e "$e" "$tmp/err" && ok "$d: '$(cat "$tmp/err")'" || bad "$d: exit $rc"
}
badarg "-xen-domid abc" "-xen-domid abc: expected a domain number" -xen-domid abc
badarg "-xen-domid without a value" "option -xen-domid needs an argument" -xen-domid
badarg "-chardev file" "only 'socket' chardevs" -chardev file,id=x,path=/dev/null
badarg "-chardev that waits" "server=on,wait=off" -chardev socket,id=x,path=$tmp/s,server=on
badarg "-mon mode=readline" "only mode=control" -chardev socket,id=x,path=$tmp/s,server=on,wait=off -mon chardev=x
badarg "-mon of an unknown chardev" "no -chardev with id 'y'" -mon chardev=y,mode=control
badarg "-machine with an unknown property" "unknown property 'frobnicate=1'" -machine pc,frobnicate=1
badarg "a socket path that cannot be bound" "cannot listen on unix socket '$tmp/no/such/dir'" \
    -chardev socket,id=x,path=$tmp/no/such/dir,server=on,wait=off -mon chardev=x,mode=control

# ---- QMP as libxl drives it, on a running guest ----
if ! command -v python3 >/dev/null 2>&1; then
    skipped "QMP exchange: no python3 (tests/unit/test_qmp.c covers the protocol)"
else
    # shellcheck disable=SC2086
    "$emu" $libxl_args -accel tcg -kernel "$hello" </dev/null >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    cat >"$tmp/client.py" <<'PY'
import json, socket, sys, time
def connect(path):
    for _ in range(200):
        try:
            s = socket.socket(socket.AF_UNIX); s.connect(path); return s
        except OSError:
            time.sleep(0.05)
    sys.exit("cannot connect to " + path)
def lines(s):
    buf = b""
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield json.loads(line)
        d = s.recv(4096)
        if not d: return
        buf += d
def xchg(r, s, req, want):
    s.sendall((json.dumps(req) + "\r\n").encode())
    got = next(r)
    if got != want: sys.exit("%s: got %s, want %s" % (req, got, want))
for path in sys.argv[1:3]:
    s = connect(path); r = lines(s)
    g = next(r)
    assert "QMP" in g and g["QMP"]["capabilities"] == [], g
    xchg(r, s, {"execute": "cont", "id": 1}, {"error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}, "id": 1})
    xchg(r, s, {"execute": "qmp_capabilities", "id": 2}, {"return": {}, "id": 2})
    xchg(r, s, {"execute": "query-chardev", "id": 3}, {"return": [], "id": 3})
    xchg(r, s, {"execute": "qmp_capabilities", "id": {"n": [4, "x"]}}, {"return": {}, "id": {"n": [4, "x"]}})
    xchg(r, s, {"execute": "stop", "id": "a"}, {"return": {}, "id": "a"})
    xchg(r, s, {"execute": "query-status", "id": 5}, {"return": {"running": False, "singlestep": False, "status": "paused"}, "id": 5})
    xchg(r, s, {"execute": "cont", "id": 6}, {"return": {}, "id": 6})
    xchg(r, s, {"execute": "query-status"}, {"return": {"running": True, "singlestep": False, "status": "running"}})
    xchg(r, s, {"execute": "query-name", "id": 7}, {"return": {"name": "guest1"}, "id": 7})
    xchg(r, s, {"execute": "frob", "id": 8}, {"error": {"class": "CommandNotFound", "desc": "The command frob has not been found"}, "id": 8})
    xchg(r, s, {"id": 9}, {"error": {"class": "GenericError", "desc": "QMP input lacks member 'execute'"}, "id": 9})
    s.close()
s = connect(sys.argv[1]); r = lines(s); next(r)
xchg(r, s, {"execute": "qmp_capabilities"}, {"return": {}})
xchg(r, s, {"execute": "quit", "id": "q"}, {"return": {}, "id": "q"})
print("qmp ok")
PY
    timeout 30 python3 "$tmp/client.py" "$q1" "$q2" >"$tmp/py" 2>&1
    prc=$?
    timeout 10 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.1; done"
    wait "$pid"; rc=$?; pid=
    [ "$prc" -eq 0 ] && [ "$rc" -eq 0 ] && guest_ok && grep -qx "qmp ok" "$tmp/py" &&
        ok "QMP: libxl's exchange on both sockets, errors, id echo, stop/cont, quit (exit $rc)" ||
        { cat "$tmp/py" >>"$tmp/err"; bad "QMP exchange: client $prc, tandem exit $rc"; }
fi

summary "xen: "

# SPDX-License-Identifier: MIT
# tests/integration/lib.sh - what the integration scripts share. Each sources it first:
#     . "$(dirname "$0")/lib.sh"
# It gives:
#   $tmp               a fresh directory, removed at exit; at exit the process in $pid (when
#                      set) is killed and file descriptor 3 closed
#   pass, fail, skip   the counters, kept by ok TEXT, bad TEXT and skipped TEXT (one line
#                      each: "ok   ...", "FAIL ...", "skip ..."); with show_err=1, bad also
#                      shows the first lines of $tmp/err
#   need_files HINT FILE...   one FAIL line naming the first missing FILE (HINT: how to make
#                      it), the summary and exit 1
#   badcase TEXT ARGS...      bad input: tandem ($emu) run with ARGS must exit with status 2,
#                      one line on stderr and nothing on stdout
#   summary [PREFIX]   the summary line ("N passed, N failed[, N skipped]"); its status is the
#                      script's: 0 when nothing failed
# Nothing here runs tandem by itself, and nothing asserts: the scripts do.
tmp=$(mktemp -d)
pass=0; fail=0; skip=0
pid=
show_err=
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() {
    fail=$((fail + 1))
    echo "FAIL $1"
    if [ -n "$show_err" ] && [ -s "$tmp/err" ]; then sed 's/^/    /' "$tmp/err" | head -n 20; fi
}
skipped() { skip=$((skip + 1)); echo "skip $1"; }
lib_cleanup() {
    exec 3>&- 2>/dev/null
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap lib_cleanup EXIT

need_files() {
    hint=$1
    shift
    for f in "$@"; do
        [ -f "$f" ] || { echo "FAIL $f is missing ($hint)"; echo "0 passed, 1 failed"; exit 1; }
    done
}

badcase() {
    what=$1; shift
    timeout 20 "$emu" "$@" </dev/null >"$tmp/bad.out" 2>"$tmp/bad.err"
    rc=$?
    lines=$(wc -l <"$tmp/bad.err")
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/bad.out" ]; then
        ok "$what: $(cat "$tmp/bad.err")"
    else
        bad "$what: exit $rc, $lines stderr lines"; cat "$tmp/bad.err" "$tmp/bad.out" | head -5
    fi
}

summary() {
    if [ "$skip" -gt 0 ]; then
        echo "${1:-}$pass passed, $fail failed, $skip skipped"
    else
        echo "${1:-}$pass passed, $fail failed"
    fi
    [ "$fail" -eq 0 ]
}

#!/bin/sh
# Runs each unit-test binary (check suites); fails if any fails.
fail=0
for t in "$@"; do
    echo "== $t"
    CK_DEFAULT_TIMEOUT=60 "$t" || fail=1
done
exit $fail

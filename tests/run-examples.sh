#!/bin/sh
# Every spec/examples/*.rpc passes `rpcc --check` with no diagnostic at all, and its IR dump equals
# tests/golden/<example>/ir.dump (reviewed by hand: it shows every name each target prints).
# Usage: tests/run-examples.sh RPCC      (UPDATE=1 rewrites the dumps: review the diff before committing)
set -u
rpcc=$1
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
out=$(mktemp) err=$(mktemp) && trap 'rm -f "$out" "$err"' EXIT
for example in "$top"/spec/examples/*.rpc; do
    name=$(basename "$example" .rpc)
    expected="$top/tests/golden/$name/ir.dump"
    (cd "$top" && "$rpcc" --dump-ir "spec/examples/$name.rpc" >"$out" 2>"$err")
    status=$?
    if [ "${UPDATE:-}" = 1 ]; then mkdir -p "$(dirname "$expected")" && cp "$out" "$expected"; fi
    if [ $status != 0 ] || [ -s "$err" ]; then
        echo "FAIL $name: rpcc exited $status"; cat "$err"; failed=$((failed + 1))
    elif ! diff -u "$expected" "$out"; then
        echo "FAIL $name: IR differs from tests/golden/$name/ir.dump"; failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "examples: $passed passed, $failed failed"
[ "$failed" = 0 ]

#!/bin/sh
# The canonical contract text of each spec example, compared with its reviewed copy tests/contract/NAME.canonical
# (a change of the text changes every hash: it must be made on purpose, with a new format version when its rules
# change), and rpcc --contract-hash compared with coreutils' sha256sum of that text.
# Usage: tests/contract/run-canonical.sh RPCC        (UPDATE=1 writes the copies: review them before committing)
set -u
rpcc=$1
here=$(dirname "$0")
top=$here/../..
actual=$(mktemp) && trap 'rm -f "$actual"' EXIT
passed=0 failed=0
for example in tasks everything channels; do
    expected=$here/$example.canonical
    if ! "$rpcc" --contract-canonical "$top/spec/examples/$example.rpc" >"$actual"; then
        echo "FAIL $example: rpcc --contract-canonical failed"; failed=$((failed + 1)); continue
    fi
    [ "${UPDATE:-}" = 1 ] && cp "$actual" "$expected"
    hash=$("$rpcc" --contract-hash "$top/spec/examples/$example.rpc")
    want="sha256:$(sha256sum <"$actual" | cut -d' ' -f1)"
    if ! diff -u "$expected" "$actual"; then
        echo "FAIL $example: the canonical text differs from $expected"; failed=$((failed + 1))
    elif [ "$hash" != "$want" ]; then
        echo "FAIL $example: --contract-hash printed $hash, sha256sum of the text is $want"; failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "contract canonical texts: $passed passed, $failed failed"
[ "$failed" = 0 ]

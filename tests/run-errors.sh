#!/bin/sh
# The error corpus: every tests/errors/NAME.rpc is checked with `rpcc --check`, and its standard error must equal
# NAME.err byte for byte (caret lines included); the exit status must be 1, or the number in NAME.status.
# A NAME.json file, where present, is compared with the --diagnostics-format=json output.
# Usage: tests/run-errors.sh RPCC        (UPDATE=1 writes the expected files: review them before committing)
set -u
rpcc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
corpus=$(cd "$(dirname "$0")/errors" && pwd) || exit 2
# Each run works in a private copy of the corpus: the plain and sanitizer runs go side by side under make -j, and
# the file below must not come and go under the other run. The relative paths in the diagnostics stay the same.
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
cp -R "$corpus/." "$work/" && cd "$work" || exit 2
passed=0 failed=0
# A file too large to read (a sparse file: it takes no disk space), for import_unreadable.rpc.
truncate -s 5G inc/huge.rpc
actual="$work/.actual"
for input in *.rpc; do
    name=${input%.rpc}
    expected_status=1
    [ -f "$name.status" ] && expected_status=$(cat "$name.status")
    "$rpcc" --check --color=never "$input" 2>"$actual" >/dev/null
    status=$?
    # An exit status above 2 is a crash or a missing binary: never record that as the expectation.
    if [ "${UPDATE:-}" = 1 ] && [ "$status" -le 2 ]; then
        cp "$actual" "$name.err" && cp "$actual" "$corpus/$name.err"
        [ "$status" != 1 ] && echo "$status" > "$corpus/$name.status"
    fi
    ok=1
    if [ "$status" -gt 2 ]; then
        echo "FAIL $input: exit status $status (a crash, or no rpcc at $rpcc)"; ok=0
    elif [ "$status" != "$expected_status" ]; then
        echo "FAIL $input: exit status $status, expected $expected_status"; ok=0
    elif ! diff -u "$name.err" "$actual" >/dev/null 2>&1; then
        echo "FAIL $input: diagnostics differ from $name.err:"; diff -u "$name.err" "$actual" | head -40; ok=0
    fi
    if [ -f "$name.json" ]; then
        "$rpcc" --check --diagnostics-format=json "$input" 2>"$actual" >/dev/null
        if [ "${UPDATE:-}" = 1 ]; then cp "$actual" "$name.json" && cp "$actual" "$corpus/$name.json"; fi
        if ! diff -u "$name.json" "$actual" >/dev/null 2>&1; then
            echo "FAIL $input: JSON diagnostics differ from $name.json:"; diff -u "$name.json" "$actual" | head -20; ok=0
        fi
    fi
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "error corpus: $passed passed, $failed failed"
[ "$failed" = 0 ]

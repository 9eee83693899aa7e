#!/bin/sh
# The breaking-change corpus: each tests/breaking/NAME/ holds old.rpc and new.rpc (and any files they import), and
# `rpcc --breaking-against old.rpc new.rpc`, run in that directory, must print exactly NAME/expected on standard
# error, caret lines included, and exit with 1 (or the number in NAME/status). NAME/args, where present, holds more
# options (--breaking-direction, --breaking-exclude); NAME/expected.json, where present, is compared with the
# --diagnostics-format=json output.
# Usage: tests/run-breaking.sh RPCC        (UPDATE=1 writes the expected files: review them before committing)
set -u
rpcc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/breaking" || exit 2
passed=0 failed=0
actual=$(mktemp) && trap 'rm -f "$actual"' EXIT
for case in */; do
    name=${case%/}
    expected_status=1
    [ -f "$name/status" ] && expected_status=$(cat "$name/status")
    args=
    [ -f "$name/args" ] && args=$(cat "$name/args")
    # shellcheck disable=SC2086 # args holds several options
    (cd "$name" && "$rpcc" --color=never $args --breaking-against old.rpc new.rpc) 2>"$actual" >/dev/null
    status=$?
    # An exit status above 2 is a crash or a missing binary: never record that as the expectation.
    if [ "${UPDATE:-}" = 1 ] && [ "$status" -le 2 ]; then
        cp "$actual" "$name/expected"
        if [ "$status" != 1 ]; then echo "$status" > "$name/status"; else rm -f "$name/status"; fi
        expected_status=$status
    fi
    ok=1
    if [ "$status" -gt 2 ]; then
        echo "FAIL $name: exit status $status (a crash, or no rpcc at $rpcc)"; ok=0
    elif [ "$status" != "$expected_status" ]; then
        echo "FAIL $name: exit status $status, expected $expected_status"; ok=0
    elif ! diff -u "$name/expected" "$actual" >/dev/null 2>&1; then
        echo "FAIL $name: the report differs from $name/expected:"; diff -u "$name/expected" "$actual" | head -40; ok=0
    fi
    if [ -f "$name/expected.json" ]; then
        # shellcheck disable=SC2086
        (cd "$name" && "$rpcc" --diagnostics-format=json $args --breaking-against old.rpc new.rpc) 2>"$actual" >/dev/null
        if [ "${UPDATE:-}" = 1 ]; then cp "$actual" "$name/expected.json"; fi
        if ! diff -u "$name/expected.json" "$actual" >/dev/null 2>&1; then
            echo "FAIL $name: JSON diagnostics differ from $name/expected.json:"; diff -u "$name/expected.json" "$actual" | head -20; ok=0
        fi
    fi
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
# Usage errors exit 2 with a message; a file compared with itself is clean.
usage_case() { # NAME EXPECTED-STATUS EXPECTED-TEXT ARGS...
    label=$1 want_status=$2 want_text=$3
    shift 3
    (cd method_removed && "$rpcc" --color=never "$@") >/dev/null 2>"$actual"
    status=$?
    if [ -z "$want_text" ]; then text_ok=$([ ! -s "$actual" ] && echo 1); else text_ok=$(grep -qF -- "$want_text" "$actual" && echo 1); fi
    if [ "$status" != "$want_status" ] || [ "$text_ok" != 1 ]; then
        echo "FAIL usage $label: exit status $status (expected $want_status), output:"; cat "$actual"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
}
usage_case unknown-rule 2 "unknown rule 'nope' in --breaking-exclude" --breaking-exclude=method-removed,nope --breaking-against old.rpc new.rpc
usage_case bad-direction 2 "--breaking-direction takes both" --breaking-direction=up --breaking-against old.rpc new.rpc
usage_case with-output 2 "--breaking-against compares two files and writes nothing" -o out --breaking-against old.rpc new.rpc
usage_case missing-old 2 "cannot read 'missing.rpc'" --breaking-against missing.rpc new.rpc
usage_case same-file 0 "" --breaking-against old.rpc old.rpc
usage_case list-rules 0 "" --list-breaking-rules
echo "breaking-change corpus: $passed passed, $failed failed"
[ "$failed" = 0 ]

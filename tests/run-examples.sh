#!/bin/sh
# Every spec/examples/*.rpc passes `rpcc --check` with no diagnostic at all, its IR dump equals
# tests/golden/<example>/ir.dump (reviewed by hand: it shows every name each target prints), and the README.md
# rpcc writes at the root of the output directory equals tests/golden/<example>/README.md. (Each SDK's own files
# are compared by its suite: check-python-sdk, check-typescript, check-go.) Running the backends in threads
# (--jobs 3) writes the same files, and a backend's failure leaves the output directory untouched.
# Usage: tests/run-examples.sh RPCC      (UPDATE=1 rewrites the dumps: review the diff before committing)
set -u
rpcc=$1
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
out=$(mktemp) err=$(mktemp) sdk=$(mktemp -d) && trap 'rm -rf "$out" "$err" "$sdk"' EXIT
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
    elif ! (cd "$top" && "$rpcc" "spec/examples/$name.rpc" -o "$sdk/$name" 2>"$err"); then
        echo "FAIL $name: generation failed"; cat "$err"; failed=$((failed + 1))
    elif [ "${UPDATE:-}" = 1 ] && ! cp "$sdk/$name/README.md" "$top/tests/golden/$name/README.md"; then
        failed=$((failed + 1))
    elif ! diff -u "$top/tests/golden/$name/README.md" "$sdk/$name/README.md"; then
        echo "FAIL $name: README.md differs from tests/golden/$name/README.md"; failed=$((failed + 1))
    elif ! (cd "$top" && "$rpcc" "spec/examples/$name.rpc" -o "$sdk/$name.jobs" --jobs 3 2>"$err") ||
        ! diff -r "$sdk/$name" "$sdk/$name.jobs"; then
        echo "FAIL $name: --jobs 3 (a thread per backend) wrote other files than one backend after another"
        cat "$err"; failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
# A backend that cannot stage its files (go/ is a file here) fails the run, whether the backends run one after
# another or at the same time, and leaves the output directory as it was: the other languages' temporaries and
# directories are removed again.
for jobs in 1 3; do
    target="$sdk/blocked-$jobs"
    mkdir -p "$target" && echo keep >"$target/go"
    (cd "$top" && "$rpcc" spec/examples/tasks.rpc -o "$target" --jobs $jobs >"$out" 2>"$err")
    status=$?
    left=$(cd "$target" && find . | sort | tr '\n' ' ')
    if [ $status != 2 ] || ! grep -q "/go: Not a directory" "$err" || [ "$left" != ". ./go " ] || [ "$(cat "$target/go")" != keep ]; then
        echo "FAIL --jobs $jobs with go/ blocked: exit $status (want 2), left: $left"; cat "$err"; failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "examples: $passed passed, $failed failed"
[ "$failed" = 0 ]

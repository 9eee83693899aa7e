#!/bin/sh
# Every spec/examples/*.rpc passes `rpcc --check` with no diagnostic at all, its IR dump equals
# tests/golden/<example>/ir.dump (reviewed by hand: it shows every name each target prints), and the README.md
# rpcc writes at the root of the output directory equals tests/golden/<example>/README.md. (Each SDK's own files
# are compared by its suite: check-python-sdk, check-typescript, check-go.) Running in threads (--jobs 2: two
# workers for three backends; 3; auto) writes the same files as one stage after another (--jobs 1), a backend's
# failure leaves the output directory untouched, and an input error found while the contract hash is computed in
# a thread reports the same diagnostics and writes nothing.
# Usage: tests/run-examples.sh RPCC      (UPDATE=1 rewrites the dumps: review the diff before committing)
set -u
rpcc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
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
    elif ! (cd "$top" && "$rpcc" "spec/examples/$name.rpc" -o "$sdk/$name" --jobs 1 2>"$err"); then
        echo "FAIL $name: generation failed"; cat "$err"; failed=$((failed + 1))
    elif [ "${UPDATE:-}" = 1 ] && ! cp "$sdk/$name/README.md" "$top/tests/golden/$name/README.md"; then
        failed=$((failed + 1))
    elif ! diff -u "$top/tests/golden/$name/README.md" "$sdk/$name/README.md"; then
        echo "FAIL $name: README.md differs from tests/golden/$name/README.md"; failed=$((failed + 1))
    else
        for jobs in 2 3 auto; do
            rm -rf "$sdk/$name.jobs"
            if ! (cd "$top" && "$rpcc" "spec/examples/$name.rpc" -o "$sdk/$name.jobs" --jobs $jobs 2>"$err") ||
                ! diff -r "$sdk/$name" "$sdk/$name.jobs"; then
                echo "FAIL $name: --jobs $jobs (threads) wrote other files than --jobs 1 (one stage after another)"
                cat "$err"; failed=$((failed + 1)); continue 2
            fi
        done
        passed=$((passed + 1))
    fi
done
# Errors that the checks after check_types find, while another thread hashes the contract (-o needs the hash):
# the diagnostics are those of --check (tests/errors), and nothing is written.
for input in default_constraints model_infinite_recursion name_collision_types channel_overlap target_go_json_tag; do
    for jobs in 1 2; do
        (cd "$top/tests/errors" && "$rpcc" --color=never "$input.rpc" -o "$sdk/errors" --jobs $jobs >"$out" 2>"$err")
        status=$?
        if [ $status != 1 ] || ! diff -u "$top/tests/errors/$input.err" "$err" || [ -e "$sdk/errors" ]; then
            echo "FAIL $input.rpc -o with --jobs $jobs: exit $status (want 1), other diagnostics or files written"
            failed=$((failed + 1))
        else
            passed=$((passed + 1))
        fi
    done
done
# A backend that cannot stage its files (go/ is a file here) fails the run, whether the backends run one after
# another or at the same time, and leaves the output directory as it was: the other languages' temporaries and
# directories are removed again.
for jobs in 1 2 3; do
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

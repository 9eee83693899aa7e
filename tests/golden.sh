#!/bin/sh
# Golden trees of the SDK backends, one harness for every language: rpcc's LANG output for each input equals
# tests/golden/<input>/<LANG>/ byte for byte. The runtime file (rpc_client.py, rpc-client.ts, rpc_client.go) is the
# embedded template, copied: it is checked against its template (tests/runtime-copy.sh) rather than kept once per
# input. Inputs: spec/examples/*.rpc, then the language's own edge cases (tests/typescript/edge/*.rpc,
# tests/go/edge/*.rpc). Output is also deterministic: a second run into another directory, and a run over the
# existing output, give the same files.
#
#   tests/golden.sh RPCC LANG...            compare; writes only under build/golden/ (diff -ru on mismatch, exit 1)
#   tests/golden.sh --update RPCC LANG...   rewrite tests/golden/*/LANG from this rpcc, for review with `git diff`
#
# make check-golden [LANG=python|typescript|go] and make golden-update [LANG=...] call it (mk/golden.mk).
set -u
# diff's messages in one language; make passes LANG=<target language> on, which is no locale.
export LC_ALL=C

update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
if [ $# -lt 2 ]; then echo "usage: $0 [--update] RPCC LANG..." >&2; exit 2; fi
rpcc=$1
shift
case $rpcc in /*) ;; */*) rpcc=$PWD/$rpcc ;; esac
# Paths below are relative to the repository root, so that a checkout path with spaces does not split them.
cd "$(dirname "$0")/.."
out=build/golden
failed=0

runtime_file() {
    case $1 in
    python) echo rpc_client.py ;;
    typescript) echo rpc-client.ts ;;
    go) echo rpc_client.go ;;
    rust) echo src/rpc_client.rs ;;
    esac
}

# The other runtime files: copies of runtime-templates/<LANG>/<the same name>, checked like the base client.
telemetry_files() {
    case $1 in
    python) echo rpc_telemetry.py ;;
    typescript) echo rpc-telemetry.ts ;;
    go) echo otel ;; # the hook's module: a directory, built by make check-go-compile (its go.mod names the SDK's)
    esac
}

inputs() {
    ls spec/examples/*.rpc
    ls tests/"$1"/edge/*.rpc 2>/dev/null
}

fail() {
    echo "FAIL $*" >&2
    failed=$((failed + 1))
}

# generate INPUT LANG DIR: a fresh LANG package in DIR/LANG; fails with rpcc's message.
generate() {
    rm -rf "$3"
    "$rpcc" "$1" -o "$3" --lang "$2"
}

for lang in "$@"; do
    runtime=$(runtime_file "$lang")
    if [ -z "$runtime" ]; then echo "$0: unknown language '$lang' (python, typescript, go or rust)" >&2; exit 2; fi
    passed=0 before=$failed
    for input in $(inputs "$lang"); do
        name=$(basename "$input" .rpc)
        golden=tests/golden/$name/$lang
        first=$out/$lang/$name
        if ! generate "$input" "$lang" "$first"; then fail "$lang $name: rpcc failed on $input"; continue; fi
        if [ $update = 1 ]; then
            rm -rf "$golden"
            mkdir -p "$(dirname "$golden")"
            cp -R "$first/$lang" "$golden"
            rm -f "$golden/$runtime"
            for extra in $(telemetry_files "$lang"); do rm -rf "${golden:?}/$extra"; done
            echo "updated tests/golden/$name/$lang"
            continue
        fi
        if [ ! -d "$golden" ]; then
            fail "$lang $name: tests/golden/$name/$lang is missing (make golden-update LANG=$lang, then review)"
            continue
        fi
        excluded="-x $(basename "$runtime")"
        for extra in $(telemetry_files "$lang"); do excluded="$excluded -x $extra"; done
        # shellcheck disable=SC2086 # $excluded is a list of options; the names hold no spaces
        if ! diff -ru $excluded "$golden" "$first/$lang"; then
            fail "$lang $name: rpcc output differs from tests/golden/$name/$lang (make golden-update LANG=$lang, then review the diff)"
            continue
        fi
        if ! tests/runtime-copy.sh "$lang" "$first/$lang"; then fail "$lang $name: runtime file"; continue; fi
        copies_ok=1
        for extra in $(telemetry_files "$lang"); do
            [ -d "$first/$lang/$extra" ] && continue
            tests/runtime-copy.sh "$lang" "$first/$lang" "$extra" || copies_ok=0
        done
        if [ $copies_ok = 0 ]; then fail "$lang $name: runtime file"; continue; fi
        # Deterministic: the same files from a run into another directory, and from a run over the output.
        generate "$input" "$lang" "$first.again" >/dev/null 2>&1
        "$rpcc" "$input" -o "$first" --lang "$lang" >/dev/null 2>&1
        if ! diff -r "$first" "$first.again" >/dev/null; then
            fail "$lang $name: a second run of rpcc gives different output"
            continue
        fi
        rm -rf "$first.again"
        passed=$((passed + 1))
    done
    [ $update = 1 ] && continue
    # A golden tree without its input is left over from a removed or renamed input.
    for golden in tests/golden/*/"$lang"; do
        [ -d "$golden" ] || continue
        name=$(basename "$(dirname "$golden")")
        inputs "$lang" | grep -q "/$name\.rpc\$" || fail "$lang $name: tests/golden/$name/$lang has no input"
    done
    echo "golden $lang: $passed inputs match, $((failed - before)) failed"
done
[ $failed = 0 ]

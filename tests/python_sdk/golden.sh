#!/bin/sh
# Golden test of the Python backend: rpcc's python/ output for every spec example equals
# tests/golden/<example>/python/ byte for byte.
#   tests/python_sdk/golden.sh RPCC            compare (diff -ru on mismatch, exit 1)
#   tests/python_sdk/golden.sh RPCC --update   rewrite the golden files: review `git diff` before committing
set -eu
rpcc=$1
mode=${2:-check}
out=build/python-sdk/golden
passed=0
failed=0
for input in spec/examples/*.rpc; do
    name=$(basename "$input" .rpc)
    rm -rf "$out/$name"
    "$rpcc" "$input" -o "$out/$name" --lang python
    golden=tests/golden/$name/python
    if [ "$mode" = --update ]; then
        rm -rf "$golden"
        mkdir -p "$golden"
        cp -R "$out/$name/python/." "$golden/"
        echo "updated $golden"
    elif diff -ru "$golden" "$out/$name/python"; then
        passed=$((passed + 1))
    else
        echo "FAIL: $input: python output differs from $golden (make update-python-sdk-golden, then review)"
        failed=$((failed + 1))
    fi
done
[ "$mode" = --update ] && exit 0
echo "python golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

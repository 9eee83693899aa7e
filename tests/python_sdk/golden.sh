#!/bin/sh
# Golden test of the Python backend: rpcc's python/ output for every spec example equals
# tests/golden/<example>/python/ byte for byte, except rpc_client.py, the embedded runtime, which must be the
# template itself (tests/runtime-copy.sh) and is not kept once per example.
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
        rm -f "$golden/rpc_client.py"
        echo "updated $golden"
    elif diff -ru -x rpc_client.py "$golden" "$out/$name/python" && tests/runtime-copy.sh python "$out/$name/python"; then
        passed=$((passed + 1))
    else
        echo "FAIL: $input: python output differs from $golden (make update-python-sdk-golden, then review)"
        failed=$((failed + 1))
    fi
done
[ "$mode" = --update ] && exit 0
echo "python golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

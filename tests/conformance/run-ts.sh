#!/usr/bin/env bash
# TypeScript part of the conformance suite (mk/conformance.mk; run from the repository root):
#   tests/conformance/run-ts.sh vectors        the conformance vectors through driver.mjs
#   tests/conformance/run-ts.sh faults [ARGS]  build faults.test.ts; ARGS: node --test options (under faultstack.py)
set -euo pipefail
RPCC=${RPCC:-build/rpcc}
PYTHON=${PYTHON:-.venv/bin/python}
OUT=build/conformance/ts
NODE_MODULES=$PWD/tests/typescript/node_modules

build() {
    rm -rf "$OUT"
    mkdir -p "$OUT"
    "$RPCC" tests/conformance/conformance.rpc -o "$OUT/conformance" --lang typescript
    "$RPCC" tests/conformance/faults.rpc -o "$OUT/faults" --lang typescript
    for sdk in conformance faults; do
        ln -sfn "$NODE_MODULES" "$OUT/$sdk/typescript/node_modules"
        "$NODE_MODULES/.bin/tsc" -p "$OUT/$sdk/typescript/tsconfig.json"
    done
    cp tests/conformance/faults.test.ts "$OUT/"
    cat >"$OUT/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "lib": ["ES2022", "DOM"], "module": "NodeNext", "moduleResolution": "NodeNext",
    "types": ["node"], "strict": true, "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true,
    "verbatimModuleSyntax": true, "outDir": "dist", "rootDir": "."
  },
  "include": ["*.ts", "*/typescript/*.ts"]
}
JSON
    printf '{ "type": "module", "private": true }\n' >"$OUT/package.json"
    ln -sfn "$NODE_MODULES" "$OUT/node_modules"
    "$NODE_MODULES/.bin/tsc" -p "$OUT/tsconfig.json"
}

case ${1:-} in
vectors)
    build
    "$PYTHON" tests/conformance/check_vectors.py --lang typescript -- node tests/conformance/driver.mjs "$OUT/conformance/typescript"
    ;;
faults)
    shift
    [ -f "$OUT/dist/faults.test.js" ] || build
    # TEST_TIMEOUT: milliseconds a test may take (0: no limit, for `make soak`)
    timeout=${TEST_TIMEOUT:-300000}
    [ "$timeout" = 0 ] && timeout=86400000
    # --expose-gc: the memory soak collects garbage before it reads the RSS
    node --expose-gc --test --test-timeout="$timeout" "$@" "$OUT/dist/faults.test.js"
    ;;
build) build ;;
*)
    echo "usage: $0 vectors | build | faults [node --test options]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# The TypeScript backend's checks (mk/typescript.mk calls them; run from the repository root):
#
#   tests/typescript/run.sh compile             every generated package passes tsc (strict, exactOptionalPropertyTypes,
#                                               NodeNext ESM) and prettier, its dist/ loads in Node, bundles for
#                                               browsers without `ws`, and the type tests compile
#   tests/typescript/run.sh runtime             the base client's own tests (runtime-templates/typescript/tests)
#   tests/typescript/run.sh live                live tests and the README's example against Centrifugo + bridge
#
# (live also runs live/contract.live.ts against a second fixture whose bridge refuses other contracts.)
# Inputs: spec/examples/*.rpc and tests/typescript/edge/*.rpc. Output goes under build/typescript/. The golden files
# are compared by tests/golden.sh, the harness of every language (make check-golden LANG=typescript).
# Environment: RPCC (default build/rpcc), PYTHON (default .venv/bin/python, for the fixture and the exporter).
set -euo pipefail

RPCC=${RPCC:-build/rpcc}
PYTHON=${PYTHON:-.venv/bin/python}
TOOLS=tests/typescript
OUT=build/typescript
NODE_MODULES=$PWD/$TOOLS/node_modules
TSC=$NODE_MODULES/.bin/tsc

inputs() {
    ls spec/examples/*.rpc "$TOOLS"/edge/*.rpc
}

# generate INPUT DIR: a fresh TypeScript package in DIR/typescript.
generate() {
    rm -rf "$2"
    mkdir -p "$2"
    "$RPCC" "$1" -o "$2" --lang typescript
}

# A tsconfig for test code beside generated packages: as strict as the generated one, with Node's types.
write_test_tsconfig() {
    cat >"$1/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022", "DOM"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "noUncheckedIndexedAccess": true,
    "noImplicitOverride": true,
    "noImplicitReturns": true,
    "noFallthroughCasesInSwitch": true,
    "noPropertyAccessFromIndexSignature": true,
    "verbatimModuleSyntax": true,
    "isolatedModules": true,
    "outDir": "dist",
    "rootDir": "."
  },
  "include": ["*.ts", "*/typescript/*.ts"]
}
EOF
    printf '{ "type": "module", "private": true }\n' >"$1/package.json"
    ln -sfn "$NODE_MODULES" "$1/node_modules"
}

# prettier with the project's settings: generated and hand-written TypeScript must already be formatted.
prettier_check() {
    "$NODE_MODULES/.bin/prettier" --print-width 120 --tab-width 4 --log-level warn --check "$@"
}

cmd_compile() {
    local input name dir typecheck
    prettier_check runtime-templates/typescript/rpc-client.ts runtime-templates/typescript/rpc-telemetry.ts \
        runtime-templates/typescript/tests/*.ts \
        "$TOOLS"/live/*.ts "$TOOLS"/typecheck/*.ts
    for input in $(inputs); do
        name=$(basename "$input" .rpc)
        dir=$OUT/compile/$name
        generate "$input" "$dir"
        ln -sfn "$NODE_MODULES" "$dir/typescript/node_modules"
        # The package exactly as a user builds it: its own tsconfig.json, no skipLibCheck.
        "$TSC" -p "$dir/typescript/tsconfig.json"
        prettier_check "$dir"/typescript/*.ts
        # The compiled ESM loads in Node (import extensions resolve, centrifuge imports).
        (cd "$dir/typescript" && node --input-type=module -e '
            const sdk = await import("./dist/index.js");
            for (const name of ["APIClient", "CentrifugoRPCClient", "RPCError"]) {
                if (typeof sdk[name] !== "function") throw new Error(`index.js does not export ${name}`);
            }')
        # A browser bundle of the package builds and leaves `ws` out: the base client loads it only where there is
        # no global WebSocket, through a specifier bundlers do not follow.
        "$NODE_MODULES/.bin/esbuild" "$dir/typescript/dist/index.js" --bundle --platform=browser --format=esm \
            --log-level=warning --outfile="$dir/browser-bundle.js"
        if grep -q 'WebSocketServer\|require("ws")\|from "ws"\|ws does not work in the browser' "$dir/browser-bundle.js"; then
            echo "FAIL compile $name: the browser bundle includes the ws package" >&2
            return 1
        fi
        grep -q 'CentrifugoRPCClient = class' "$dir/browser-bundle.js"
        typecheck=$TOOLS/typecheck/$name.ts
        if [ -f "$typecheck" ]; then
            cp "$typecheck" "$dir/typecheck.ts"
            write_test_tsconfig "$dir"
            "$TSC" -p "$dir/tsconfig.json" --noEmit
        fi
        echo "ok compile $name"
    done
    # --ts-int bigint: the same checks, with int as bigint in the types and the schema.
    dir=$OUT/compile/everything-bigint
    rm -rf "$dir"
    mkdir -p "$dir"
    "$RPCC" spec/examples/everything.rpc -o "$dir" --lang typescript --ts-int bigint
    ln -sfn "$NODE_MODULES" "$dir/typescript/node_modules"
    "$TSC" -p "$dir/typescript/tsconfig.json"
    prettier_check "$dir"/typescript/*.ts
    grep -q '^    count: bigint;$' "$dir/typescript/types.ts"
    grep -q '^export const schema = new Schema("bigint");$' "$dir/typescript/schema.ts"
    echo "ok compile everything --ts-int bigint"
    # Channel parameters that are ints take a bigint there.
    dir=$OUT/compile/channels-bigint
    rm -rf "$dir"
    mkdir -p "$dir"
    "$RPCC" spec/examples/channels.rpc -o "$dir" --lang typescript --ts-int bigint
    ln -sfn "$NODE_MODULES" "$dir/typescript/node_modules"
    "$TSC" -p "$dir/typescript/tsconfig.json"
    prettier_check "$dir"/typescript/*.ts
    grep -q '^    subscribeChatRoom($' "$dir/typescript/client.ts"
    grep -q '^        params: { roomId: bigint },$' "$dir/typescript/client.ts"
    echo "ok compile channels --ts-int bigint"
}

cmd_runtime() {
    local dir=$OUT/runtime
    rm -rf "$dir"
    mkdir -p "$dir/tests"
    cp runtime-templates/typescript/rpc-client.ts "$dir/"
    cp runtime-templates/typescript/tests/*.ts "$dir/tests/"
    write_test_tsconfig "$dir"
    sed -i 's#"include": \[.*\]#"include": ["*.ts", "tests/*.ts"]#' "$dir/tsconfig.json"
    "$TSC" -p "$dir/tsconfig.json"
    node --test "$dir"/dist/tests/*.test.js
}

cmd_live() {
    local dir=$OUT/live app=$OUT/app
    rm -rf "$dir"
    mkdir -p "$dir"
    generate spec/examples/tasks.rpc "$dir/tasks"
    generate spec/examples/channels.rpc "$dir/channels"
    "$PYTHON" -m rpcc export debug_handlers -P python/examples -o "$dir/debug.rpc"
    generate "$dir/debug.rpc" "$dir/debug"
    # A client of a newer contract than the debug handlers': their file with one more method (contract.live.ts).
    cp "$dir/debug.rpc" "$dir/newer.rpc"
    printf '\nrpc debug.later(EchoParams) -> EchoResult;\n' >>"$dir/newer.rpc"
    generate "$dir/newer.rpc" "$dir/newer"
    mkdir -p "$dir/debug-bigint"
    "$RPCC" "$dir/debug.rpc" -o "$dir/debug-bigint" --lang typescript --ts-int bigint
    cp "$TOOLS"/live/*.ts "$dir/"
    write_test_tsconfig "$dir"
    "$TSC" -p "$dir/tsconfig.json"

    # The README's promise: install the generated package into an app and run the README's example as written.
    rm -rf "$app"
    mkdir -p "$app"
    generate spec/examples/tasks.rpc "$app/sdk"
    # The README's first ts block is the example; the one of its Telemetry section is compiled below.
    awk '/^```ts$/ { n++; if (n == 1) { inside = 1; next } } /^```$/ { inside = 0 } inside' \
        "$app/sdk/typescript/README.md" >"$app/readme-example.ts"
    grep -q 'new CentrifugoRPCClient(' "$app/readme-example.ts"
    {
        echo 'declare const process: { env: Record<string, string | undefined> };'
        echo 'const token = process.env["README_TOKEN"] ?? "";'
        sed -e 's#"ws://localhost:8000/connection/websocket"#process.env["CENTRIFUGO_URL"] ?? ""#' "$app/readme-example.ts"
    } >"$app/main.ts"
    cat >"$app/package.json" <<'EOF'
{
  "name": "readme-app",
  "private": true,
  "type": "module",
  "dependencies": { "tasks-client": "file:./sdk/typescript" }
}
EOF
    cp "$app/sdk/typescript/tsconfig.json" "$app/tsconfig.json"
    sed -i 's#"include": \[.*\]#"include": ["main.ts"]#' "$app/tsconfig.json"
    (cd "$app/sdk/typescript" && npm install --prefer-offline --no-audit --no-fund --loglevel=error)
    (cd "$app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error && "$TSC" -p tsconfig.json)
    # The README's lines that turn telemetry on compile against the installed package's ./telemetry entry.
    {
        echo 'import type { CentrifugoRPCClient } from "tasks-client";'
        echo 'declare const client: CentrifugoRPCClient;'
        awk '/^## Telemetry$/ { section = 1 } section && /^```ts$/ { inside = 1; next } inside && /^```$/ { exit }
             inside' "$app/sdk/typescript/README.md"
    } >"$app/telemetry.ts"
    grep -q 'setCallHook(client, openTelemetryHook())' "$app/telemetry.ts"
    (cd "$app" && "$TSC" -p tsconfig.json --noEmit && sed 's#"main.ts"#"telemetry.ts"#' tsconfig.json >tsconfig.telemetry.json &&
        "$TSC" -p tsconfig.telemetry.json --noEmit)

    # A CommonJS consumer compiled under `module: Node16` imports the ESM-only package as its README says.
    local cjs=$OUT/cjs-app
    rm -rf "$cjs"
    mkdir -p "$cjs"
    cat >"$cjs/package.json" <<'JSON'
{
  "name": "cjs-app",
  "private": true,
  "type": "commonjs",
  "dependencies": { "tasks-client": "file:../app/sdk/typescript" }
}
JSON
    cat >"$cjs/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "lib": ["ES2022", "DOM"], "module": "Node16", "moduleResolution": "Node16", "types": [],
    "strict": true, "exactOptionalPropertyTypes": true, "outDir": "dist", "rootDir": "."
  },
  "include": ["main.ts"]
}
JSON
    cat >"$cjs/main.ts" <<'TS'
declare const process: { env: Record<string, string | undefined> };
async function main(): Promise<void> {
    const sdk = await import("tasks-client");
    const client = new sdk.CentrifugoRPCClient(process.env["CENTRIFUGO_URL"] ?? "", process.env["README_TOKEN"] ?? "");
    await client.connect();
    const health = await new sdk.APIClient(client).systemHealth();
    client.close();
    console.log(`cjs health: ${health.status}`);
}
void main();
TS
    (cd "$cjs" && npm install --prefer-offline --no-audit --no-fund --loglevel=error && "$TSC" -p tsconfig.json)
    grep -q '"use strict"' "$cjs/dist/main.js" # compiled as CommonJS

    # --channels: the bridge also serves python/examples/channel_handlers.py (spec/examples/channels.rpc), and
    # Centrifugo has its namespaces; channels.test.ts publishes from Python through live/publish.py ($PYTHON).
    PYTHON=$(realpath -s "$PYTHON") "$PYTHON" -m tests.fixture run --channels -- bash -c '
        set -e
        node --test --test-timeout=120000 "$0"/dist/*.test.js
        export README_TOKEN=$('"$PYTHON"' -m tests.fixture token 123)
        out=$(cd "$1" && timeout 60 node dist/main.js)
        echo "README example printed: $out"
        case "$out" in *"title: '"'"'123'"'"'"*) ;; *) echo "README example did not print the task it created" >&2; exit 1 ;; esac
        cjs_out=$(cd "$2" && timeout 60 node dist/main.js)
        echo "CommonJS consumer printed: $cjs_out"
        [ "$cjs_out" = "cjs health: ok" ]
    ' "$dir" "$app" "$OUT/cjs-app"
    # Telemetry: a bridge that traces (the fixture's --telemetry), the SDK's OpenTelemetry hook on.
    "$PYTHON" -m tests.fixture run --telemetry -- node --test --test-timeout=120000 "$dir/dist/telemetry.live.js"

    # The contract check: a bridge that serves the debug handlers only and refuses other contracts, knowing
    # tasks.rpc's as an older one (spec/evolution.md).
    local older
    older=$("$RPCC" --contract-hash spec/examples/tasks.rpc)
    "$PYTHON" -m tests.fixture run --module debug_handlers --bridge-arg=--on-contract-mismatch \
        --bridge-arg=refuse --bridge-arg=--contract-older --bridge-arg="$older" -- \
        node --test --test-timeout=120000 "$dir/dist/contract.live.js"
}

case ${1:-} in
compile) cmd_compile ;;
runtime) cmd_runtime ;;
live) cmd_live ;;
*)
    echo "usage: $0 compile | runtime | live" >&2
    exit 2
    ;;
esac

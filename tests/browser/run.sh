#!/usr/bin/env bash
# examples/web in a real browser (mk/web.mk's check-browser calls this; run from the repository root):
#
#   1. generates examples/web/sdk from spec/examples/tasks.rpc and examples/web/sdk-channels from
#      spec/examples/channels.rpc with the rpcc under test;
#   2. treeshake.mjs: an app calling one method drops every enum's runtime code and takes no npm package beyond
#      centrifuge, in Vite and esbuild;
#   3. starts Centrifugo + the bridge (tests/fixture, with the typed channels of python/examples/channel_handlers.py)
#      with client.allowed_origins = [the page's origin], builds the
#      page for that Centrifugo (`npm run build`: tsc + vite build), and runs e2e.mjs: vite preview + Debian's
#      headless Chromium through playwright-core. Screenshots go to build/browser/.
#
# Environment: RPCC (default build/rpcc), PYTHON (default .venv/bin/python), CHROMIUM (default /usr/bin/chromium).
set -euo pipefail

RPCC=${RPCC:-build/rpcc}
PYTHON=${PYTHON:-.venv/bin/python}
WEB=examples/web

rm -rf "$WEB/sdk" "$WEB/sdk-channels" "$WEB/dist" build/browser
RPCC=$PWD/$RPCC npm --prefix "$WEB" run --silent generate
RPCC=$RPCC node tests/browser/treeshake.mjs | grep -v '^ok ' || { echo "FAIL tree-shaking test" >&2; exit 1; }

# The page's port is chosen first: Centrifugo must allow exactly its origin before the page exists.
PAGE_PORT=$("$PYTHON" -c 'from tests.fixture.stack import free_port; print(free_port())')
export PAGE_PORT ARTIFACT_DIR=$PWD/build/browser
# e2e.mjs publishes task events from Python (tests/typescript/live/publish.py) with this interpreter.
PYTHON=$(realpath -s "$PYTHON") "$PYTHON" -m tests.fixture run --channels --allowed-origin "http://127.0.0.1:$PAGE_PORT" -- bash -c '
    set -e
    VITE_CENTRIFUGO_URL=$CENTRIFUGO_URL npm --prefix examples/web run --silent build >/dev/null
    # exec: the fixture'"'"'s SIGTERM reaches timeout, which passes it on to node, which stops what it started.
    exec timeout 120 node tests/browser/e2e.mjs
'

# TypeScript SDK backend: golden files, strict compile checks of every generated package, the base client's own
# tests (fake Centrifugo), and live tests against a real Centrifugo + the bridge. Included by the top-level Makefile.
#
#   make check-typescript            everything below
#   make check-typescript-compile    prettier, and tsc (strict, exactOptionalPropertyTypes, NodeNext ESM) on every generated
#                                    package, its dist/ imports in Node, a browser bundle without `ws`, and the type
#                                    tests in tests/typescript/typecheck
#   make check-typescript-runtime    runtime-templates/typescript/tests (node --test, fake Centrifugo)
#   make check-typescript-live       every method over both transports + the README example, real Centrifugo
#   golden files (spec/examples/*.rpc and tests/typescript/edge/*.rpc): make check-golden LANG=typescript,
#   make golden-update LANG=typescript (mk/golden.mk); check-typescript runs the comparison
#
# The toolchain (typescript, centrifuge, ws, @types) is pinned in tests/typescript/package-lock.json and installed
# with `npm ci` into tests/typescript/node_modules; node and npm come from Debian when missing (mk/deps.mk).

TS_TOOLS := tests/typescript
TS_NODE_STAMP := $(TS_TOOLS)/node_modules/.rpcc-stamp
TS_RUN := RPCC=build/rpcc PYTHON=.venv/bin/python $(TS_TOOLS)/run.sh

$(TS_NODE_STAMP): $(TS_TOOLS)/package.json $(TS_TOOLS)/package-lock.json | $(call debian,node)
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || \
	    { echo "the TypeScript checks need Node.js 20 or later, found $$(node --version)" >&2; exit 1; }
	cd $(TS_TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: check-typescript check-typescript-compile check-typescript-runtime check-typescript-live

check-typescript-compile: build/rpcc $(TS_NODE_STAMP)
	$(TS_RUN) compile

check-typescript-runtime: $(TS_NODE_STAMP)
	$(TS_RUN) runtime

check-typescript-live: build/rpcc $(TS_NODE_STAMP) .venv/.stamp .cache/bin/centrifugo
	$(TS_RUN) live

check-typescript: build/rpcc check-typescript-compile check-typescript-runtime check-typescript-live
	$(GOLDEN) build/rpcc typescript

CHECKS += check-typescript

# The TypeScript SDK where its users run it (examples/web): a Vite page that calls the generated client, tested in
# Debian's headless Chromium, and its bundle sizes. Included by the top-level Makefile.
#
#   make check-browser   tree-shaking test, then examples/web built and clicked through over both transports in
#                        headless Chromium (playwright-core, /usr/bin/chromium) against Centrifugo + the bridge;
#                        screenshots in build/browser/
#   make bench-bundle    bench/bundle/RESULTS.md: minified and gzipped sizes of examples/web with and without the
#                        generated client, next to `centrifuge` alone
#
# npm packages are pinned in examples/web/package-lock.json (vite, typescript, centrifuge) and
# tests/browser/package-lock.json (playwright-core, esbuild). Chromium is Debian's package, installed when missing;
# never a browser that a test tool downloads.

WEB_DIR := examples/web
WEB_NODE_STAMP := $(WEB_DIR)/node_modules/.rpcc-stamp
BROWSER_NODE_STAMP := tests/browser/node_modules/.rpcc-stamp

.PHONY: check-browser bench-bundle web-node web-chromium

# Node.js 20+ (Debian's when missing) and Debian's chromium (mk/deps.mk).
web-node: | $(call debian,node)
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || \
	    { echo "examples/web needs Node.js 20 or later, found $$(node --version)" >&2; exit 1; }
web-chromium: | $(call debian,chromium)

$(WEB_NODE_STAMP): $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json | web-node
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BROWSER_NODE_STAMP): tests/browser/package.json tests/browser/package-lock.json | web-node
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

check-browser: build/rpcc web-chromium $(WEB_NODE_STAMP) $(BROWSER_NODE_STAMP) .venv/.stamp .cache/bin/centrifugo
	RPCC=build/rpcc PYTHON=.venv/bin/python tests/browser/run.sh

bench-bundle: build/rpcc $(WEB_NODE_STAMP) $(BROWSER_NODE_STAMP)
	RPCC=build/rpcc node bench/bundle/measure.mjs bench/bundle/RESULTS.md

CHECKS += check-browser

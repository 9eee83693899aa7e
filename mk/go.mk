# Go SDK: golden output, generated-code checks, the base client's protocol tests, live tests. Included by the
# top-level Makefile.
#
#   make check-go           everything below
#   make check-go-compile   gofmt -l (empty), go vet, go build of every generated module, offline; determinism
#   make check-go-runtime   runtime-templates/go: protocol client against an in-process fake, with -race
#   make check-go-tests     tests/go: JSON shape of the generated types (presence, unions, int64)
#   make check-go-staticcheck  staticcheck on the Go goldens, as code a user wrote (see the target)
#   make check-go-live      tests/go with -tags live: every example method over both transports, typed channels,
#                           and the trace context a hook sends continued by the bridge (the fixture with --channels
#                           --telemetry), against the real Centrifugo + bridge of tests/fixture, with -race
#   golden files (spec/examples/*.rpc and tests/go/edge/*.rpc): make check-golden LANG=go, make golden-update LANG=go
#   (mk/golden.mk); check-go runs the comparison

# go from PATH, else the official tarball's place, else Debian's (installed by go-deps).
GO_PATH      := PATH="$(PATH):/usr/local/go/bin"
GO_BIN       := env $(GO_PATH) go
GOFMT_BIN    := env $(GO_PATH) gofmt
# From python.mk (included after this file): the same values, needed here at parse time.
VENV           ?= .venv
VENV_PY        ?= $(VENV)/bin/python
CENTRIFUGO_BIN ?= .cache/bin/centrifugo
GO_OUT       := $(BUILD)/go
GO_EXAMPLES  := $(sort $(wildcard spec/examples/*.rpc))
GO_EDGE      := tests/go/edge/go_edge.rpc
GO_INPUTS    := $(GO_EXAMPLES) $(GO_EDGE) tests/python_sdk/cases/edge_channels.rpc
# Module downloads go to the normal module cache; everything after the first download runs with GOPROXY=off, which
# proves that a generated module builds offline from the cache.
GO_OFFLINE   := GOFLAGS=-mod=readonly GOPROXY=off GOTOOLCHAIN=local
GO_STAMP     := .cache/go-modules.stamp

# staticcheck 2026.1 (the first release that supports Go 1.26), built from its module into an ignored folder.
STATICCHECK_VERSION := v0.7.0
STATICCHECK_BIN     := .cache/gobin/staticcheck-$(STATICCHECK_VERSION)

.PHONY: check-go check-go-compile check-go-runtime check-go-tests check-go-live check-go-staticcheck go-deps
CHECKS += check-go

check-go: $(BUILD)/rpcc check-go-compile check-go-runtime check-go-tests check-go-staticcheck check-go-live
	$(GOLDEN) $(BUILD)/rpcc go

# Go itself: Debian's golang-go when there is no go at all (mk/deps.mk; a newer toolchain then comes from the module
# proxy through GOTOOLCHAIN=auto), and the pinned WebSocket modules (coder and nhooyr) in the module cache.
go-deps: $(GO_STAMP)
$(GO_STAMP): runtime-templates/go/go.mod runtime-templates/go/go.sum runtime-templates/go/nhooyr.sum \
             runtime-templates/go/otel/go.mod runtime-templates/go/otel/go.sum | $(call debian,go)
	cd runtime-templates/go && GOFLAGS=-mod=readonly $(GO_BIN) mod download
	@# The OpenTelemetry hook's own module (go.opentelemetry.io/otel v1.40.0, and its SDK for the tests).
	cd runtime-templates/go/otel && GOFLAGS=-mod=readonly $(GO_BIN) mod download
	mkdir -p $(GO_OUT) && cd $(GO_OUT) && $(GO_BIN) mod download \
	    $$(awk '{print $$1 "@" $$2; exit}' $(CURDIR)/runtime-templates/go/nhooyr.sum)
	@mkdir -p $(dir $@) && touch $@

# Every example and the edge cases, with both WebSocket modules: generated-marker line, gofmt, vet, build; the same
# for the OpenTelemetry hook's module (go/otel), and the SDK's own package imports no OpenTelemetry package.
check-go-compile: $(BUILD)/rpcc $(GO_STAMP)
	@set -e; n=0; for input in $(GO_INPUTS); do for ws in coder nhooyr; do \
	    stem=$$(basename $$input .rpc); out=$(GO_OUT)/compile/$$stem-$$ws; rm -rf $$out; \
	    $(BUILD)/rpcc $$input -o $$out --lang go --go-websocket=$$ws; \
	    for f in $$out/go/*.go $$out/go/go.mod $$out/go/otel/*.go $$out/go/otel/go.mod; do \
	        head -n1 $$f | grep -Eq '^// Code generated .* DO NOT EDIT\.$$' || { echo "$$f: no generated-code marker"; exit 1; }; \
	    done; \
	    unformatted=$$($(GOFMT_BIN) -l $$out/go 2>&1 || true); \
	    [ -z "$$unformatted" ] || { echo "gofmt -l: $$unformatted"; $(GOFMT_BIN) -d $$out/go; exit 1; }; \
	    (cd $$out/go && $(GO_OFFLINE) $(GO_BIN) vet ./... && $(GO_OFFLINE) $(GO_BIN) build ./...); \
	    (cd $$out/go/otel && $(GO_OFFLINE) $(GO_BIN) vet ./... && $(GO_OFFLINE) $(GO_BIN) build ./...); \
	    ! (cd $$out/go && $(GO_OFFLINE) $(GO_BIN) list -deps .) | grep opentelemetry || \
	        { echo "$$out/go: the SDK's package imports OpenTelemetry"; exit 1; }; \
	    n=$$((n+1)); \
	done; done; echo "check-go-compile: $$n generated modules are gofmt-clean, vet-clean and build offline"

$(STATICCHECK_BIN): | $(call debian,go)
	mkdir -p $(dir $@)/$(STATICCHECK_VERSION)
	GOBIN=$(CURDIR)/$(dir $@)/$(STATICCHECK_VERSION) GOFLAGS=-mod=mod $(GO_BIN) install \
	    honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(dir $@)/$(STATICCHECK_VERSION)/staticcheck $@ && rmdir $(dir $@)/$(STATICCHECK_VERSION)

# Every check of staticcheck (-checks all) on each Go golden, with its "Code generated" line removed: staticcheck
# skips its style checks in generated files, and users read these files as their own code (issue 15: doc comments
# that start with the declared name, ST1021). A golden whose package is named after a file with an underscore
# (wire_names, go_edge) leaves out ST1003, which wants no underscore in a package name (the package name follows the
# file's stem or --package-name); go_edge also tests a union's alternative type falling back to Scalar_Int, and
# leaves out SA5008 (its wire name "-", which encoding/json spells `json:"-,..."` and staticcheck reads as json/v2's
# syntax).
check-go-staticcheck: $(STATICCHECK_BIN) $(GO_STAMP)
	@set -e; n=0; for golden in tests/golden/*/go; do \
	    name=$$(basename $$(dirname $$golden)); out=$(GO_OUT)/staticcheck/$$name; rm -rf $$out; mkdir -p $$out; \
	    cp $$golden/* $$out/; \
	    cp runtime-templates/go/rpc_client.go $$out/rpc_client.go; \
	    package=$$(sed -n 3p $$golden/types.go | cut -d' ' -f2); \
	    sed -i "1s/^package rpcclient$$/package $$package/" $$out/rpc_client.go; \
	    for f in $$out/*.go $$out/go.mod; do sed -i '1{/^\/\/ Code generated .* DO NOT EDIT\.$$/d}' $$f; done; \
	    checks=all; case $$package in *_*) checks=all,-ST1003;; esac; \
	    [ $$name != go_edge ] || checks=all,-ST1003,-SA5008; \
	    (cd $$out && $(GO_OFFLINE) $(CURDIR)/$(STATICCHECK_BIN) -checks $$checks ./...); \
	    n=$$((n+1)); \
	done; echo "check-go-staticcheck: $$n Go goldens pass staticcheck $(STATICCHECK_VERSION)"

check-go-runtime: $(GO_STAMP)
	cd runtime-templates/go && test -z "$$($(GOFMT_BIN) -l .)" && $(GO_OFFLINE) $(GO_BIN) vet . && \
	    $(GO_OFFLINE) $(GO_BIN) test -race -count=1 .
	cd runtime-templates/go/otel && $(GO_OFFLINE) $(GO_BIN) vet . && $(GO_OFFLINE) $(GO_BIN) test -race -count=1 .

# The modules tests/go/go.mod replaces: the examples and edge cases under a test module path, and the SDK of the
# fixture's handlers (exported from python/examples, so that it always matches what the bridge serves).
GO_TEST_MODULES := $(GO_OUT)/tasks/go/go.mod $(GO_OUT)/edge/go/go.mod $(GO_OUT)/channels/go/go.mod
$(GO_OUT)/tasks/go/go.mod: $(BUILD)/rpcc spec/examples/tasks.rpc
	rm -rf $(GO_OUT)/tasks && $(BUILD)/rpcc spec/examples/tasks.rpc -o $(GO_OUT)/tasks --lang go --go-module example.com/tasks
$(GO_OUT)/channels/go/go.mod: $(BUILD)/rpcc spec/examples/channels.rpc
	rm -rf $(GO_OUT)/channels && $(BUILD)/rpcc spec/examples/channels.rpc -o $(GO_OUT)/channels --lang go \
	    --go-module example.com/channels
$(GO_OUT)/edge/go/go.mod: $(BUILD)/rpcc $(GO_EDGE)
	rm -rf $(GO_OUT)/edge && $(BUILD)/rpcc $(GO_EDGE) -o $(GO_OUT)/edge --lang go --go-module example.com/edge
$(GO_OUT)/live/go/go.mod: $(BUILD)/rpcc $(VENV)/.stamp $(wildcard python/examples/*.py)
	@mkdir -p $(GO_OUT)
	PYTHONPATH=python/examples $(VENV_PY) -m rpcc export tasks_handlers debug_handlers -o $(GO_OUT)/live.rpc
	rm -rf $(GO_OUT)/live && $(BUILD)/rpcc $(GO_OUT)/live.rpc -o $(GO_OUT)/live --lang go --go-module example.com/live \
	    --package-name live

check-go-tests: $(GO_TEST_MODULES) $(GO_OUT)/live/go/go.mod $(GO_STAMP)
	cd tests/go && test -z "$$($(GOFMT_BIN) -l .)" && $(GO_OFFLINE) $(GO_BIN) vet . && \
	    $(GO_OFFLINE) $(GO_BIN) vet -tags live . && $(GO_OFFLINE) $(GO_BIN) test -race -count=1 .

check-go-live: $(GO_TEST_MODULES) $(GO_OUT)/live/go/go.mod $(GO_STAMP) $(VENV)/.stamp $(CENTRIFUGO_BIN)
	CENTRIFUGO_BIN=$(CURDIR)/$(CENTRIFUGO_BIN) $(VENV_PY) -m tests.fixture run --channels --telemetry -- \
	    sh -c 'cd tests/go && $(GO_OFFLINE) $(GO_BIN) test -race -tags live -count=1 -run Live -v . \
	        >../../$(GO_OUT)/live-test.log 2>&1; status=$$?; grep -Ev "^=== (RUN|PAUSE|CONT)" ../../$(GO_OUT)/live-test.log; \
	        exit $$status'
	# The contract check: a bridge that refuses other contracts and knows tasks.rpc's as an older one.
	CENTRIFUGO_BIN=$(CURDIR)/$(CENTRIFUGO_BIN) RPCC_CONTRACT_REFUSING=1 $(VENV_PY) -m tests.fixture run \
	    --bridge-arg=--on-contract-mismatch --bridge-arg=refuse --bridge-arg=--contract-older \
	    --bridge-arg=$$($(BUILD)/rpcc --contract-hash spec/examples/tasks.rpc) -- \
	    sh -c 'cd tests/go && $(GO_OFFLINE) $(GO_BIN) test -race -tags live -count=1 -run ContractRefusal -v .'

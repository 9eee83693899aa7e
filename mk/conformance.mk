# One behaviour in three languages: conformance vectors and live fault tests of the generated Python, TypeScript
# and Go clients (tests/conformance/README.md). Included by the top-level Makefile.
#
#   make check-conformance              everything below
#   make check-conformance-vectors      tests/conformance/vectors.json through each generated SDK
#   make check-conformance-python       fault tests of the Python SDK, live, both transports
#   make check-conformance-typescript   fault tests of the TypeScript SDK, live, both transports
#   make check-conformance-go           fault tests of the Go SDK, live, both transports, -race
#   make check-conformance-two-nodes    two Centrifugo nodes sharing a Redis engine: every language's cluster tests
#   make soak                           100,000 sequential calls per language and transport, RSS growth bounded
#                                       (make check runs the same tests with RPCC_SOAK_CALLS=2000)
#
# This file is read before python.mk, typescript.mk and go.mk: their stamps are named by path here.

CONF_OUT      := build/conformance
CONF_PY       := .venv/bin/python
CONF_RUN      := $(CONF_PY) tests/conformance/faultstack.py run
CONF_GO       := GOFLAGS=-mod=readonly GOPROXY=off GOTOOLCHAIN=local env PATH="$(PATH):/usr/local/go/bin" go
CONF_PY_DEPS  := build/rpcc .venv/.stamp .venv/.sdk-stamp .cache/bin/centrifugo
CONF_TS_DEPS  := build/rpcc .venv/.stamp tests/typescript/node_modules/.rpcc-stamp .cache/bin/centrifugo
CONF_GO_DEPS  := build/rpcc .venv/.stamp .cache/go-modules.stamp .cache/bin/centrifugo
REDIS_STAMP   := $(call debian,redis)

.PHONY: check-conformance check-conformance-vectors check-conformance-python check-conformance-typescript \
        check-conformance-go check-conformance-two-nodes conformance-go-build soak
CHECKS += check-conformance

check-conformance: check-conformance-vectors check-conformance-python check-conformance-typescript \
                   check-conformance-go check-conformance-two-nodes

# The Go SDKs of conformance.rpc and faults.rpc, and the Go driver (tests/conformance/go replaces both modules).
conformance-go-build: build/rpcc .cache/go-modules.stamp
	rm -rf $(CONF_OUT)/go $(CONF_OUT)/faults-go
	build/rpcc tests/conformance/conformance.rpc -o $(CONF_OUT)/go --lang go --go-module example.com/conformance
	build/rpcc tests/conformance/faults.rpc -o $(CONF_OUT)/faults-go --lang go --go-module example.com/faults
	cd tests/conformance/go && test -z "$$(gofmt -l .)" && $(CONF_GO) vet . && $(CONF_GO) vet -tags live . && \
	    $(CONF_GO) build -o $(CURDIR)/$(CONF_OUT)/go-driver .

check-conformance-vectors: build/rpcc .venv/.sdk-stamp tests/typescript/node_modules/.rpcc-stamp conformance-go-build
	rm -rf $(CONF_OUT)/python && mkdir -p $(CONF_OUT)/python/site
	build/rpcc tests/conformance/conformance.rpc -o $(CONF_OUT)/python/gen --lang python
	cp -R $(CONF_OUT)/python/gen/python $(CONF_OUT)/python/site/conformance_client
	$(CONF_PY) -m ruff check --no-cache tests/conformance
	$(CONF_PY) tests/conformance/check_vectors.py --lang python -- \
	    $(CONF_PY) tests/conformance/driver.py $(CONF_OUT)/python/site conformance_client
	RPCC=build/rpcc PYTHON=$(CONF_PY) tests/conformance/run-ts.sh vectors
	$(CONF_PY) tests/conformance/check_vectors.py --lang go -- $(CONF_OUT)/go-driver

check-conformance-python: $(CONF_PY_DEPS)
	$(CONF_RUN) -- env RPCC=$(CURDIR)/build/rpcc PYTHONDONTWRITEBYTECODE=1 \
	    $(CONF_PY) -m pytest -q -p no:cacheprovider tests/conformance/test_faults.py

check-conformance-typescript: $(CONF_TS_DEPS)
	RPCC=build/rpcc PYTHON=$(CONF_PY) tests/conformance/run-ts.sh build
	$(CONF_RUN) -- tests/conformance/run-ts.sh faults --test-reporter=dot

check-conformance-go: $(CONF_GO_DEPS) conformance-go-build
	$(CONF_RUN) -- sh -c 'cd tests/conformance/go && $(CONF_GO) test -race -tags live -count=1 -v . \
	    >../../../$(CONF_OUT)/go-faults.log 2>&1; status=$$?; grep -Ev "^=== (RUN|PAUSE|CONT)" ../../../$(CONF_OUT)/go-faults.log; \
	    exit $$status'

# Client on node A, pub/sub replies published through node B's server API: they reach the client only through Redis.
check-conformance-two-nodes: $(REDIS_STAMP) $(CONF_PY_DEPS) $(CONF_TS_DEPS) $(CONF_GO_DEPS) conformance-go-build
	RPCC=build/rpcc PYTHON=$(CONF_PY) tests/conformance/run-ts.sh build
	$(CONF_RUN) --two-nodes -- sh -c 'set -e; \
	    RPCC=$(CURDIR)/build/rpcc PYTHONDONTWRITEBYTECODE=1 $(CONF_PY) -m pytest -q -p no:cacheprovider \
	        tests/conformance/test_faults.py -k cluster; \
	    tests/conformance/run-ts.sh faults --test-reporter=dot; \
	    cd tests/conformance/go && $(CONF_GO) test -race -tags live -count=1 -run TestCluster .'

# The memory soak alone, at full length (tens of minutes on two cores); the figures are printed per transport.
SOAK_CALLS ?= 100000
soak: $(CONF_PY_DEPS) $(CONF_TS_DEPS) $(CONF_GO_DEPS) conformance-go-build
	RPCC=build/rpcc PYTHON=$(CONF_PY) tests/conformance/run-ts.sh build
	$(CONF_RUN) -- env RPCC_SOAK_CALLS=$(SOAK_CALLS) sh -c 'set -e; \
	    RPCC=$(CURDIR)/build/rpcc PYTHONDONTWRITEBYTECODE=1 $(CONF_PY) -m pytest -q -s -p no:cacheprovider \
	        tests/conformance/test_faults.py -k sequential_calls; \
	    TEST_TIMEOUT=0 tests/conformance/run-ts.sh faults --test-name-pattern="sequential calls"; \
	    cd tests/conformance/go && $(CONF_GO) test -timeout 0 -tags live -count=1 -v -run TestSequentialCalls .'

# Benchmarks (not part of `make check`, which runs only the smoke test). Included by the top-level Makefile.
#
#   make bench               everything below, then bench/RESULTS.md and bench/plots/*.png from scratch
#   make bench-codegen       rpcc against protoc, flatc and thrift (and `cp -r`, the I/O floor) at N = 10 .. 10,000
#   make bench-profile       callgrind and massif of rpcc on the 10,000-method schema (build/bench/profile/)
#   make bench-runtime       generated typed calls against the raw SDKs, four languages, real Centrifugo
#   make bench-bridge        the bridge's calls/s at 100 in flight, 1 and 2 workers, both transports (figures go
#                            into bench/bridge/RESULTS.md by hand; BENCH_BRIDGE_WORKERS, BENCH_BRIDGE_CALLS)
#   make bench-channels      channel fan-out latency: 1,000 subscribers in one Go process, the generated typed
#                            subscription against centrifuge-go with encoding/json, real Centrifugo (figures go into
#                            bench/channels/RESULTS.md by hand; BENCH_CHANNEL_SUBSCRIBERS, BENCH_CHANNEL_PUBLICATIONS)
#   make bench-telemetry     what the telemetry hooks cost, off and on, in process (bench/telemetry/RESULTS.md)
#   make bench-report        bench/RESULTS.md and the plots from what the targets above left in build/bench/
#   make check-bench-smoke   (in make check) N=10 schemas in all four IDLs compile with every tool
#   make check-instructions  (in make check) rpcc's instruction count (callgrind) on the 100-method bench schema
#                            against bench/instructions-budget.json: fails when it grows by more than the tolerance
#   make instructions-budget write the measured count as the new budget (after a change that is worth its cost)
#
# Knobs: BENCH_RUNS (9 runs a tool at N <= 1,000), BENCH_BIG_RUNS (5 at 10,000), BENCH_SLOW (30 s: a tool whose
# warm-up takes longer runs once at that N and not at larger ones), BENCH_SIZES, BENCH_CALLS, BENCH_ROUNDS,
# BENCH_LANGS (bench/runtime/run.py).
#
# What they install when missing: Debian's protobuf-compiler, flatbuffers-compiler, thrift-compiler and valgrind
# (mk/deps.mk);
# protoc-gen-go from the Go module proxy (into .cache/bench/bin); ts-proto, centrifuge, ws and esbuild from npm
# (bench/package-lock.json, into bench/node_modules); matplotlib from PyPI (into the venv .cache/bench/venv).

BENCH_OUT        := build/bench
BENCH_SIZES      ?= 10,100,1000,10000
BENCH_TOOLS      := $(call debian,bench)
BENCH_NODE       := bench/node_modules/.rpcc-stamp
BENCH_VENV       := .cache/bench/venv/.stamp
PROTOC_GEN_GO    := .cache/bench/bin/protoc-gen-go
PROTOC_GEN_GO_VERSION := v1.36.12
BENCH_GO         := env PATH="$(PATH):/usr/local/go/bin" go
# The binary measured: a copy of build/rpcc taken once, so that a rebuild in the shared work tree during the runs
# does not change what is measured halfway.
BENCH_RPCC       := $(BENCH_OUT)/rpcc

$(BENCH_RPCC): build/rpcc
	@mkdir -p $(dir $@) && cp build/rpcc $@

.PHONY: bench bench-codegen bench-profile bench-runtime bench-bridge bench-batch bench-channels bench-report \
        check-bench-smoke bench-deps check-instructions instructions-budget

$(PROTOC_GEN_GO): | $(call debian,go)
	GOBIN=$(CURDIR)/.cache/bench/bin $(BENCH_GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

$(BENCH_NODE): bench/package.json bench/package-lock.json | $(call debian,node)
	cd bench && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BENCH_VENV): | $(call debian,python)
	python3 -m venv .cache/bench/venv
	.cache/bench/venv/bin/pip install --quiet --disable-pip-version-check 'matplotlib==3.11.2'
	touch $@

bench-deps: $(BENCH_TOOLS) $(PROTOC_GEN_GO) $(BENCH_NODE) $(BENCH_VENV)

# The smoke test: seconds, no timing asserted. Every tool must accept the N=10 schema and write files.
check-bench-smoke: build/rpcc $(BENCH_TOOLS) $(PROTOC_GEN_GO) $(BENCH_NODE)
	python3 bench/codegen/run.py --smoke --rpcc build/rpcc --out $(BENCH_OUT)/smoke
CHECKS += check-bench-smoke

# The speed regression test: an instruction count (deterministic, unlike a time) against the budget in the
# repository; seconds under valgrind. See bench/instructions.py.
check-instructions: build/rpcc $(BENCH_TOOLS)
	python3 bench/instructions.py check --rpcc build/rpcc
CHECKS += check-instructions

instructions-budget: build/rpcc $(BENCH_TOOLS)
	python3 bench/instructions.py update --rpcc build/rpcc

bench-codegen: $(BENCH_RPCC) bench-deps
	@echo "load before the codegen runs: $$(cat /proc/loadavg)"
	python3 bench/codegen/run.py --rpcc $(BENCH_RPCC) --out $(BENCH_OUT)/codegen --sizes $(BENCH_SIZES) --callgrind

bench-profile: $(BENCH_RPCC) $(BENCH_TOOLS)
	python3 bench/profile.py $(BENCH_RPCC) $(BENCH_OUT)/profile

bench-runtime: $(BENCH_RPCC) $(BENCH_NODE) .venv/.stamp .cache/bin/centrifugo .cache/go-modules.stamp .cache/rust-deps.stamp
	python3 bench/runtime/run.py build
	@echo "load before the runtime runs: $$(cat /proc/loadavg)"
	python3 bench/runtime/run.py run

BENCH_BRIDGE_WORKERS ?= 1,2
BENCH_BRIDGE_CALLS   ?= 4000
bench-bridge: $(BENCH_RPCC) $(BENCH_NODE) .venv/.stamp .cache/bin/centrifugo .cache/go-modules.stamp .cache/rust-deps.stamp
	python3 bench/runtime/run.py build
	@echo "load before the bridge runs: $$(cat /proc/loadavg)"
	$(VENV_PY) bench/bridge/run.py --workers $(BENCH_BRIDGE_WORKERS) --calls $(BENCH_BRIDGE_CALLS) --warmup 500 \
	    --label "$$(git rev-parse --short HEAD)"

# 100 small calls as one batch against 100 sequential and 100 concurrent calls, per language (bench/batch/RESULTS.md).
bench-batch: build/rpcc .venv/.stamp .cache/bin/centrifugo tests/typescript/node_modules/.rpcc-stamp
	python3 bench/batch/run.py build
	python3 bench/batch/run.py run
BENCH_CHANNEL_SUBSCRIBERS  ?= 1000
BENCH_CHANNEL_PUBLICATIONS ?= 200
bench-channels: build/rpcc .venv/.stamp .cache/bin/centrifugo .cache/go-modules.stamp
	rm -rf $(BENCH_OUT)/channels && mkdir -p $(BENCH_OUT)/channels
	build/rpcc spec/examples/channels.rpc -o $(BENCH_OUT)/channels/sdk --lang go --go-module example.com/channels
	cd bench/channels && GOFLAGS=-mod=readonly GOPROXY=off GOTOOLCHAIN=local $(BENCH_GO) build \
	    -o $(CURDIR)/$(BENCH_OUT)/channels/chanbench .
	@echo "load before the channel runs: $$(cat /proc/loadavg)"
	CENTRIFUGO_BIN=$(CURDIR)/.cache/bin/centrifugo $(VENV_PY) -m tests.fixture run --channels -- \
	    $(BENCH_OUT)/channels/chanbench -subscribers $(BENCH_CHANNEL_SUBSCRIBERS) \
	    -publications $(BENCH_CHANNEL_PUBLICATIONS) | tee $(BENCH_OUT)/channels/results.jsonl

bench-report: $(BENCH_VENV)
	.cache/bench/venv/bin/python bench/report.py

# Build everything first (so that compiling does not overlap the timed runs), then measure, then report. The
# browser bundle sizes come from mk/web.mk's bench-bundle when that target exists; its failure is reported, not fatal.
bench: build/rpcc bench-deps .venv/.stamp .cache/bin/centrifugo .cache/go-modules.stamp
	rm -rf $(BENCH_OUT) bench/plots
	$(MAKE) --no-print-directory $(BENCH_RPCC)
	$(MAKE) --no-print-directory bench-profile
	$(MAKE) --no-print-directory bench-codegen
	$(MAKE) --no-print-directory bench-runtime
	@if $(MAKE) -n bench-bundle >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory bench-bundle || echo "bench-bundle failed: bench/RESULTS.md shows the last bench/bundle/RESULTS.md"; \
	fi
	$(MAKE) --no-print-directory bench-report

# What the telemetry hooks cost, off and on (issue 18), in process: writes bench/telemetry/RESULTS.md. Not in make check.
.PHONY: bench-telemetry
bench-telemetry: .venv/.stamp .cache/go-modules.stamp tests/typescript/node_modules/.rpcc-stamp
	$(VENV_PY) bench/telemetry/run.py

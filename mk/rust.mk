# Rust SDK: golden output, generated-crate checks, live tests. Included by the top-level Makefile.
#
#   make check-rust           everything below, and the golden comparison (make check-golden LANG=rust)
#   make check-rust-compile   cargo fmt --check and cargo clippy --locked -D warnings (a full type check) of every
#                             generated crate (spec/examples/*.rpc, tests/rust/edge/*.rpc), offline; the crates share
#                             one target directory under .cache, so the dependencies compile once. Not cargo build:
#                             the live, conformance and faults crates are built (and linked into tests) by the targets
#                             below, and a build of the others would compile every dependency a second time for CI
#   make check-rust-conformance  tests/conformance/vectors.json through the generated types (the Rust driver)
#   make check-rust-readme    the generated README's example, pasted as a program: fmt, clippy, a live call
#   make check-rust-faults    tests/rust/tests/faults.rs: Centrifugo restarted mid-call, server disconnect codes
#   make check-rust-live      tests/rust against the real Centrifugo + bridge of tests/fixture, over both transports
#   make rust-deps            the one network step: cargo fetch of the pinned dependencies (runtime-templates/rust)
#
# Cargo runs offline after rust-deps (CARGO_NET_OFFLINE), which proves that a generated crate builds from its
# Cargo.lock and the local registry cache alone.

CARGO         ?= cargo
RUST_OUT      := $(BUILD)/rust
RUST_TARGET   := $(CURDIR)/.cache/cargo-target
RUST_STAMP    := .cache/rust-deps.stamp
RUST_CARGO    := CARGO_TARGET_DIR=$(RUST_TARGET) CARGO_NET_OFFLINE=true CARGO_TERM_COLOR=never $(CARGO)
RUST_INPUTS   := $(sort $(wildcard spec/examples/*.rpc)) $(sort $(wildcard tests/rust/edge/*.rpc))
# From python.mk (included after this file): the same values, needed here at parse time.
VENV           ?= .venv
VENV_PY        ?= $(VENV)/bin/python
CENTRIFUGO_BIN ?= .cache/bin/centrifugo

.PHONY: check-rust check-rust-compile check-rust-conformance check-rust-live check-rust-faults check-rust-readme rust-deps
CHECKS += check-rust

check-rust: $(BUILD)/rpcc check-rust-compile check-rust-conformance check-rust-live check-rust-faults check-rust-readme
	$(GOLDEN) $(BUILD)/rpcc rust

rust-deps: $(RUST_STAMP)
$(RUST_STAMP): runtime-templates/rust/Cargo.toml runtime-templates/rust/Cargo.lock tests/rust/Cargo.toml tests/rust/Cargo.lock
	cd runtime-templates/rust && CARGO_TARGET_DIR=$(RUST_TARGET) $(CARGO) fetch --locked
	cd tests/rust && CARGO_TARGET_DIR=$(RUST_TARGET) $(CARGO) fetch --locked
	@mkdir -p $(dir $@) && touch $@

check-rust-compile: $(BUILD)/rpcc $(RUST_STAMP)
	@set -e; n=0; for input in $(RUST_INPUTS); do \
	    stem=$$(basename $$input .rpc); out=$(RUST_OUT)/compile/$$stem; rm -rf $$out; \
	    $(BUILD)/rpcc $$input -o $$out --lang rust; \
	    for f in $$out/rust/src/*.rs; do \
	        head -n1 $$f | grep -Eq '^// Code generated .* DO NOT EDIT\.$$' || { echo "$$f: no generated-code marker"; exit 1; }; \
	    done; \
	    (cd $$out/rust && $(RUST_CARGO) fmt --check && $(RUST_CARGO) clippy --locked --quiet -- -D warnings); \
	    n=$$((n+1)); \
	done; echo "check-rust-compile: $$n generated crates are rustfmt-clean and clippy-clean, offline from their Cargo.lock"

# The SDK of the fixture's handlers (exported from python/examples, so that it always matches what the bridge serves);
# tests/rust/Cargo.toml depends on it by path.
$(RUST_OUT)/live/rust/Cargo.toml: $(BUILD)/rpcc $(VENV)/.stamp $(wildcard python/examples/*.py)
	@mkdir -p $(RUST_OUT)
	PYTHONPATH=python/examples $(VENV_PY) -m rpcc export tasks_handlers debug_handlers -o $(RUST_OUT)/live.rpc
	rm -rf $(RUST_OUT)/live && $(BUILD)/rpcc $(RUST_OUT)/live.rpc -o $(RUST_OUT)/live --lang rust --package-name live

# tests/conformance/conformance.rpc's crate, for the conformance driver (tests/rust/src/bin/conformance_driver.rs).
$(RUST_OUT)/conformance/rust/Cargo.toml: $(BUILD)/rpcc tests/conformance/conformance.rpc
	rm -rf $(RUST_OUT)/conformance && $(BUILD)/rpcc tests/conformance/conformance.rpc -o $(RUST_OUT)/conformance --lang rust

# tests/conformance/faults.rpc's crate, for the fault tests (tests/rust/tests/faults.rs).
$(RUST_OUT)/faults/rust/Cargo.toml: $(BUILD)/rpcc tests/conformance/faults.rpc
	rm -rf $(RUST_OUT)/faults && $(BUILD)/rpcc tests/conformance/faults.rpc -o $(RUST_OUT)/faults --lang rust --package-name faults

RUST_TEST_CRATES := $(RUST_OUT)/live/rust/Cargo.toml $(RUST_OUT)/conformance/rust/Cargo.toml \
                    $(RUST_OUT)/faults/rust/Cargo.toml
# tests/rust depends on these generated crates by path: `cargo fetch` there reads them, so they come first (on a
# fresh clone the fetch failed for want of build/rust/conformance/rust/Cargo.toml).
$(RUST_STAMP): | $(RUST_TEST_CRATES)

# tests/conformance/vectors.json through the generated Rust types, as the runtime decodes results and encodes params.
check-rust-conformance: $(RUST_TEST_CRATES) $(RUST_STAMP) $(VENV)/.stamp
	cd tests/rust && $(RUST_CARGO) build --locked --quiet --bin conformance_driver
	$(VENV_PY) tests/conformance/check_vectors.py --lang rust -- $(RUST_TARGET)/debug/conformance_driver

# The generated README's example, as a user pastes it into src/main.rs: rustfmt-clean, clippy-clean, and a live call
# through the fixture (which sets CENTRIFUGO_URL and CENTRIFUGO_TOKEN, the variables the example reads).
RUST_README := $(RUST_OUT)/readme-example
check-rust-readme: $(RUST_TEST_CRATES) $(RUST_STAMP) $(VENV)/.stamp $(CENTRIFUGO_BIN)
	rm -rf $(RUST_README) && mkdir -p $(RUST_README)/src
	awk '/^```rust$$/ { if (!seen) { seen = 1; on = 1; next } } /^```$$/ { if (on) exit } on' \
	    $(RUST_OUT)/live/rust/README.md > $(RUST_README)/src/main.rs
	printf '%s\n' '[package]' 'name = "readme_example"' 'version = "0.1.0"' 'edition = "2021"' 'publish = false' '' \
	    '[dependencies]' 'live_client = { path = "../live/rust" }' \
	    'tokio = { version = "=1.54.1", features = ["macros", "rt-multi-thread"] }' > $(RUST_README)/Cargo.toml
	cp tests/rust/Cargo.lock $(RUST_README)/Cargo.lock
	cd $(RUST_README) && $(RUST_CARGO) fmt --check && $(RUST_CARGO) clippy --quiet -- -D warnings
	CENTRIFUGO_BIN=$(CURDIR)/$(CENTRIFUGO_BIN) $(VENV_PY) -m tests.fixture run -- \
	    sh -c 'cd $(RUST_README) && $(RUST_CARGO) run --quiet'

check-rust-live: $(RUST_TEST_CRATES) $(RUST_STAMP) $(VENV)/.stamp $(CENTRIFUGO_BIN)
	cd tests/rust && $(RUST_CARGO) fmt --check && $(RUST_CARGO) clippy --locked --quiet --tests -- -D warnings
	CENTRIFUGO_BIN=$(CURDIR)/$(CENTRIFUGO_BIN) $(VENV_PY) -m tests.fixture run -- \
	    env RPCC_FIXTURE_PYTHON=$(CURDIR)/$(VENV_PY) RPCC_REPO_ROOT=$(CURDIR) \
	    sh -c 'cd tests/rust && $(RUST_CARGO) test --locked --quiet --test live --test types -- --test-threads=4'
	# The contract check: a bridge that refuses other contracts and knows faults.rpc's as an older one.
	CENTRIFUGO_BIN=$(CURDIR)/$(CENTRIFUGO_BIN) RPCC_CONTRACT_REFUSING=1 $(VENV_PY) -m tests.fixture run \
	    --bridge-arg=--on-contract-mismatch --bridge-arg=refuse --bridge-arg=--contract-older \
	    --bridge-arg=$$($(BUILD)/rpcc --contract-hash tests/conformance/faults.rpc) -- \
	    sh -c 'cd tests/rust && $(RUST_CARGO) test --locked --quiet --test contract'

# The fault cases, against faultstack.py's stack (Centrifugo restartable on the same port, the fault handlers); one
# test at a time, since a restart cuts every connection.
check-rust-faults: $(RUST_TEST_CRATES) $(RUST_STAMP) $(VENV)/.stamp $(CENTRIFUGO_BIN)
	cd tests/rust && $(RUST_CARGO) build --locked --quiet --tests
	CENTRIFUGO_BIN=$(CURDIR)/$(CENTRIFUGO_BIN) $(VENV_PY) tests/conformance/faultstack.py run -- \
	    env RPCC_FIXTURE_PYTHON=$(CURDIR)/$(VENV_PY) RPCC_REPO_ROOT=$(CURDIR) \
	    sh -c 'cd tests/rust && $(RUST_CARGO) test --locked --quiet --test faults -- --test-threads=1'

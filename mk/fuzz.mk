# Robustness beyond the error corpus: coverage-guided fuzzing and the checkers on valid programs. Included by the
# top-level Makefile.
#
#   make check-valid-programs   tests/differential/valid/*.rpc: hand-written valid programs (regressions of issue 22)
#                               that rpcc must accept, generate deterministically, and whose Python, TypeScript and Go
#                               SDKs must pass mypy --strict, ruff, import, tsc --strict, gofmt and go vet
#                               (tests/differential/check_sdks.py, one batch per checker)
#   make check-fuzz-smoke       each libFuzzer target for FUZZ_SMOKE_RUNS executions (at most FUZZ_SMOKE_SECONDS),
#                               seed $(FUZZ_SEED), from the seed corpus: fails on any crash, leak, sanitizer report,
#                               broken invariant or timeout (tests/fuzz/fuzz_target.c says which invariants)
#   make fuzz                   long runs: each target for FUZZ_SECONDS (default one hour), corpus kept in
#                               build/fuzz/corpus-TARGET across runs; crashes are written to build/fuzz/artifacts/
#   make check-differential     random valid programs (tests/differential/generate.py, fixed seed and count) through
#                               check_sdks.py (see the README's testing section)
#
# The targets are built with clang, AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer (Debian's clang and
# libclang-rt-dev, installed when missing by tools/debian-deps.sh's fuzz set).

VALID_PROGRAMS := $(sort $(wildcard tests/differential/valid/*.rpc))

FUZZ_CC          ?= clang
FUZZ_DIR         := $(BUILD)/fuzz
FUZZ_TARGETS     := fuzz_check fuzz_generate
FUZZ_BINS        := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
FUZZ_SEED        ?= 1
FUZZ_SMOKE_RUNS  ?= 10000
FUZZ_SMOKE_SECONDS ?= 60
FUZZ_SECONDS     ?= 3600
FUZZ_DEPS_STAMP  := $(call debian,fuzz)
# Sanitizer coverage for our code; the harness links libFuzzer's main.
# (clang finds warnings gcc does not in code whose warnings the gcc builds enforce: not fatal here.)
FUZZ_WARN        := $(WARN) -Wno-format-nonliteral -Wno-error
FUZZ_CFLAGS      := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LDFLAGS     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_OBJ         := $(call obj,$(FUZZ_DIR),$(LIB_SRC) $(GEN_SRC))
FUZZ_SEED_INPUTS := $(sort $(wildcard spec/examples/*.rpc tests/errors/*.rpc tests/errors/inc/*.rpc \
                      tests/differential/valid/*.rpc tests/typescript/edge/*.rpc \
                      tests/go/edge/*.rpc tests/python_sdk/cases/*.rpc))
# libFuzzer's options shared by the smoke and the long runs: the language's tokens, inputs up to 16 KiB, a slow
# input (10 s) or 2 GB of memory is a failure.
FUZZ_OPTIONS     := -dict=tests/fuzz/rpc.dict -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

.PHONY: check-valid-programs check-fuzz-smoke fuzz fuzz-build check-differential
CHECKS += check-valid-programs check-fuzz-smoke check-differential

check-valid-programs: $(BUILD)/rpcc .venv/.sdk-stamp tests/typescript/node_modules/.rpcc-stamp .cache/go-modules.stamp
	$(VENV_PY) tests/differential/check_sdks.py --expect-valid --rpcc $(BUILD)/rpcc --out $(BUILD)/valid-programs \
	    $(VALID_PROGRAMS)


$(FUZZ_DIR)/obj/$(GEN)/%.o: $(GEN)/%.c | $(FUZZ_DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASEFLAGS) $(FUZZ_WARN) $(GEN_RELAX) -Wno-unused-but-set-variable -Wno-unknown-warning-option $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_DIR)/obj/%.o: %.c | $(GEN)/parser.h $(FUZZ_DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASEFLAGS) $(FUZZ_WARN) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_DIR)/fuzz_check: tests/fuzz/fuzz_target.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(BASEFLAGS) $(FUZZ_WARN) $(FUZZ_CFLAGS) -DFUZZ_GENERATE=0 -o $@ $< $(FUZZ_OBJ) $(FUZZ_LDFLAGS)
$(FUZZ_DIR)/fuzz_generate: tests/fuzz/fuzz_target.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(BASEFLAGS) $(FUZZ_WARN) $(FUZZ_CFLAGS) -DFUZZ_GENERATE=1 -o $@ $< $(FUZZ_OBJ) $(FUZZ_LDFLAGS)
fuzz-build: $(FUZZ_BINS)

# The seed corpus: every .rpc the tests know, valid or not, in one directory (libFuzzer reads it, never writes it).
$(FUZZ_DIR)/seeds.stamp: $(FUZZ_SEED_INPUTS)
	rm -rf $(FUZZ_DIR)/seeds && mkdir -p $(FUZZ_DIR)/seeds
	@for f in $(FUZZ_SEED_INPUTS); do cp "$$f" "$(FUZZ_DIR)/seeds/$$(echo "$$f" | tr / _)"; done
	touch $@

# Each target from the seeds only (a fresh, empty corpus directory takes what it finds), fixed seed, bounded.
check-fuzz-smoke: $(FUZZ_BINS) $(FUZZ_DIR)/seeds.stamp
	@set -e; mkdir -p $(FUZZ_DIR)/artifacts; for t in $(FUZZ_TARGETS); do \
	    rm -rf $(FUZZ_DIR)/smoke-$$t && mkdir -p $(FUZZ_DIR)/smoke-$$t; \
	    echo "== $$t: $(FUZZ_SMOKE_RUNS) runs (at most $(FUZZ_SMOKE_SECONDS) s), seed $(FUZZ_SEED)"; \
	    $(FUZZ_DIR)/$$t $(FUZZ_OPTIONS) -seed=$(FUZZ_SEED) -runs=$(FUZZ_SMOKE_RUNS) \
	        -max_total_time=$(FUZZ_SMOKE_SECONDS) -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
	        $(FUZZ_DIR)/smoke-$$t $(FUZZ_DIR)/seeds >$(FUZZ_DIR)/smoke-$$t.log 2>&1 || \
	        { tail -60 $(FUZZ_DIR)/smoke-$$t.log; echo "check-fuzz-smoke: $$t failed (log: $(FUZZ_DIR)/smoke-$$t.log)"; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov: ' $(FUZZ_DIR)/smoke-$$t.log | tail -3; \
	done

fuzz: $(FUZZ_BINS) $(FUZZ_DIR)/seeds.stamp
	@set -e; mkdir -p $(FUZZ_DIR)/artifacts; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus-$$t; \
	    echo "== $$t for $(FUZZ_SECONDS) s (log: $(FUZZ_DIR)/fuzz-$$t.log)"; \
	    $(FUZZ_DIR)/$$t $(FUZZ_OPTIONS) -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
	        $(FUZZ_DIR)/corpus-$$t $(FUZZ_DIR)/seeds >$(FUZZ_DIR)/fuzz-$$t.log 2>&1 || \
	        { tail -60 $(FUZZ_DIR)/fuzz-$$t.log; echo "fuzz: $$t failed"; exit 1; }; \
	    grep -E '^stat::|cov: ' $(FUZZ_DIR)/fuzz-$$t.log | tail -6; \
	done

# Random valid programs through the checkers: DIFFERENTIAL_COUNT programs from DIFFERENTIAL_SEED (a fixed sample in
# make check; other seeds and larger counts by hand).
DIFFERENTIAL_SEED  ?= 1
DIFFERENTIAL_COUNT ?= 200
check-differential: $(BUILD)/rpcc .venv/.sdk-stamp tests/typescript/node_modules/.rpcc-stamp .cache/go-modules.stamp
	python3 tests/differential/generate.py --seed $(DIFFERENTIAL_SEED) --count $(DIFFERENTIAL_COUNT) \
	    --out $(BUILD)/differential-programs
	$(VENV_PY) tests/differential/check_sdks.py --rpcc $(BUILD)/rpcc --out $(BUILD)/differential \
	    --json $(BUILD)/differential-failures.json $(BUILD)/differential-programs/*.rpc

# Robustness beyond the error corpus. Included by the top-level Makefile.
#
#   make check-valid-programs   tests/differential/valid/*.rpc: hand-written valid programs (regressions of issue 22)
#                               that rpcc must accept, generate deterministically, and whose Python, TypeScript and Go
#                               SDKs must pass mypy --strict, ruff, import, tsc --strict, gofmt and go vet
#                               (tests/differential/check_sdks.py, one batch per checker)

VALID_PROGRAMS := $(sort $(wildcard tests/differential/valid/*.rpc))

.PHONY: check-valid-programs
CHECKS += check-valid-programs

check-valid-programs: $(BUILD)/rpcc .venv/.sdk-stamp tests/typescript/node_modules/.rpcc-stamp .cache/go-modules.stamp
	$(VENV_PY) tests/differential/check_sdks.py --expect-valid --rpcc $(BUILD)/rpcc --out $(BUILD)/valid-programs \
	    $(VALID_PROGRAMS)

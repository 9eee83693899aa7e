# Python side: venv, the Centrifugo test server, and the Python test suite. Included by the top-level Makefile.
#
#   make .venv/.stamp            venv with python/ (editable) and the test dependencies
#   make .cache/bin/centrifugo   Centrifugo built from its Go module (cached, not in git)
#   make check-python            pytest suite in tests/python (needs build/rpcc for the round-trip tests, and
#                                redis-server for the two-node test of typed channels)

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
CENTRIFUGO_VERSION := v6.9.1
CENTRIFUGO_BIN := .cache/bin/centrifugo
PY_TEST_DEPS := 'pytest>=8' 'centrifuge-python>=0.7,<0.8' 'mypy>=1.10'
# Telemetry (issue 18): the optional extras' packages at the versions the tests ran with, and OpenTelemetry's SDK,
# whose in-memory exporters the tests read.
PY_TELEMETRY_DEPS := 'opentelemetry-api==1.45.2' 'opentelemetry-sdk==1.45.2' 'prometheus_client==0.26.0'
PYTEST_ARGS ?=

$(VENV)/.stamp: python/pyproject.toml mk/python.mk | $(call debian,python)
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -e 'python[serve,django,metrics,otel]' $(PY_TEST_DEPS) \
	    $(PY_TELEMETRY_DEPS)
	@# setuptools may leave its build directory in the package (a non-editable build always does): not ours to keep.
	rm -rf python/build
	touch $@

$(CENTRIFUGO_BIN): | $(call debian,go)
	mkdir -p $(dir $@)
	GOBIN=$(CURDIR)/.cache/bin GOFLAGS=-mod=mod go install github.com/centrifugal/centrifugo/v6@$(CENTRIFUGO_VERSION)

.PHONY: venv centrifugo check-python
venv: $(VENV)/.stamp
centrifugo: $(CENTRIFUGO_BIN)

check-python: $(VENV)/.stamp $(CENTRIFUGO_BIN) build/rpcc $(call debian,redis)
	RPCC=$(CURDIR)/build/rpcc CENTRIFUGO_BIN=$(CURDIR)/$(CENTRIFUGO_BIN) $(VENV_PY) -m pytest tests/python $(PYTEST_ARGS)

CHECKS += check-python

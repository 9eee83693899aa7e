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
PYTEST_ARGS ?=

$(VENV)/.stamp: python/pyproject.toml mk/python.mk | $(call debian,python)
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -e 'python[serve,django]' $(PY_TEST_DEPS)
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

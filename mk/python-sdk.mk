# Python SDK backend: the runtime base client's own tests, the generated packages' static checks (mypy --strict,
# ruff, import) for every example and edge case, golden files, and live tests against a real Centrifugo.
#
#   make check-python-sdk            everything below
#   make check-python-sdk-static     generated packages pass mypy --strict, ruff check, import, serialization
#   make check-python-sdk-runtime    runtime-templates/python/tests (base client against a fake SDK)
#   make check-python-sdk-live       generated SDK over both transports against Centrifugo + the bridge, and its
#                                    typed channel subscriptions (test_channels_live.py)
#   golden files: make check-golden LANG=python, make golden-update LANG=python (mk/golden.mk); check-python-sdk
#   runs the comparison

PY_SDK_STAMP := .venv/.sdk-stamp
PY_SDK_OUT := build/python-sdk

$(PY_SDK_STAMP): .venv/.stamp mk/python-sdk.mk
	.venv/bin/python -m pip install --quiet --disable-pip-version-check 'mypy>=1.10' 'ruff>=0.5' 'hatchling>=1.18' \
	    'pydantic>=2.12,<3' 'typing-extensions>=4.12'
	touch $@

.PHONY: check-python-sdk check-python-sdk-static check-python-sdk-runtime check-python-sdk-live

check-python-sdk-static: build/rpcc $(PY_SDK_STAMP)
	cd tests/python_sdk && RPCC=$(CURDIR)/build/rpcc PY_SDK_OUT=$(CURDIR)/$(PY_SDK_OUT) PYTHONDONTWRITEBYTECODE=1 \
	    $(CURDIR)/.venv/bin/python -m pytest -q test_static.py test_models.py

# Caches go to build/: anything left under runtime-templates/ would be embedded into rpcc.
check-python-sdk-runtime: $(PY_SDK_STAMP)
	.venv/bin/python -m mypy --strict --cache-dir $(PY_SDK_OUT)/mypy-cache runtime-templates/python/rpc_client.py
	.venv/bin/python -m ruff check --no-cache runtime-templates/python tests/python_sdk
	PYTHONDONTWRITEBYTECODE=1 .venv/bin/python -m pytest -q -p no:cacheprovider runtime-templates/python/tests

check-python-sdk-live: build/rpcc $(PY_SDK_STAMP) .cache/bin/centrifugo
	cd tests/python_sdk && RPCC=$(CURDIR)/build/rpcc CENTRIFUGO_BIN=$(CURDIR)/.cache/bin/centrifugo \
	    PY_SDK_OUT=$(CURDIR)/$(PY_SDK_OUT) PYTHONDONTWRITEBYTECODE=1 $(CURDIR)/.venv/bin/python -m pytest -q test_live.py \
	        test_channels_live.py

check-python-sdk: build/rpcc check-python-sdk-runtime check-python-sdk-static check-python-sdk-live
	$(GOLDEN) build/rpcc python

CHECKS += check-python-sdk

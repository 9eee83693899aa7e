# The real-world corpus (issue 24): the models of pinned API SDKs (openai, anthropic) and of datamodel-code-generator
# output from the OpenAPI documents in tests/realworld/openapi/, exported by the Python exporter, compiled by rpcc
# in all three SDKs and checked by the strict checkers; then round-trip samples. Included by the top-level Makefile.
#
#   make check-realworld    corpus numbers (exported / refused by documented rule), SDK checks, round trips
#                           (tests/realworld/roundtrip.py: samples.json through each SDK vs the original models)
#
# Its own venv (.cache/realworld-venv: the packages of tests/realworld/requirements.txt beside python/), cached like
# the project's; the generated models are cached under build/realworld/generated/.

RW_VENV    := .cache/realworld-venv
RW_PY      := $(RW_VENV)/bin/python
RW_STAMP   := $(RW_VENV)/.stamp
RW_OUT     := $(BUILD)/realworld
RW_DOCS    := $(sort $(wildcard tests/realworld/openapi/*.json))
RW_MODELS  := $(patsubst tests/realworld/openapi/%.json,$(RW_OUT)/generated/%.py,$(RW_DOCS))

$(RW_STAMP): tests/realworld/requirements.txt python/pyproject.toml mk/realworld.mk | $(call debian,python)
	$(PYTHON) -m venv $(RW_VENV)
	$(RW_PY) -m pip install --quiet --disable-pip-version-check -e python -r tests/realworld/requirements.txt
	touch $@

$(RW_OUT)/generated/%.py: tests/realworld/openapi/%.json $(RW_STAMP)
	@mkdir -p $(dir $@)
	PYTHONWARNINGS=ignore $(RW_VENV)/bin/datamodel-codegen --input $< --input-file-type openapi \
	    --output-model-type pydantic_v2.BaseModel --disable-timestamp --output $@.tmp
	mv $@.tmp $@

.PHONY: check-realworld
CHECKS += check-realworld

check-realworld: $(BUILD)/rpcc $(RW_STAMP) $(RW_MODELS) .venv/.sdk-stamp tests/typescript/node_modules/.rpcc-stamp \
                 .cache/go-modules.stamp
	rm -rf $(RW_OUT)/rpc
	RPCC=$(CURDIR)/$(BUILD)/rpcc $(RW_PY) tests/realworld/corpus.py --out $(RW_OUT) --generated $(RW_OUT)/generated \
	    --rpcc $(BUILD)/rpcc --numbers $(RW_OUT)/numbers.json
	$(VENV_PY) tests/differential/check_sdks.py --expect-valid --rpcc $(BUILD)/rpcc --out $(RW_OUT)/sdks \
	    $(RW_OUT)/rpc/*.rpc
	PATH="$(PATH):/usr/local/go/bin" RPCC=$(CURDIR)/$(BUILD)/rpcc $(RW_PY) tests/realworld/roundtrip.py \
	    --out $(RW_OUT)/roundtrip --rpcc $(BUILD)/rpcc --sdk-python $(VENV_PY) --generated $(RW_OUT)/generated

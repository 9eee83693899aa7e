# Golden trees of the SDK backends, tests/golden/<input>/<language>/: one harness for every language
# (tests/golden.sh). Included by the top-level Makefile.
#
#   make check-golden [LANG=python|typescript|go|rust] rpcc's output == the golden trees, byte for byte, and
#                                                     deterministic; writes nothing under tests/ (default: all four)
#   make golden-update [LANG=python|typescript|go|rust] rewrite the golden trees from the current rpcc; review them
#                                                     with `git diff` before committing
#
# check-python-sdk, check-typescript and check-go run the same comparison for their language.

GOLDEN_ALL_LANGS := python typescript go rust
# LANG is taken from the command line only: from the environment it is the locale.
GOLDEN_LANGS := $(if $(filter command line,$(origin LANG)),$(LANG),$(GOLDEN_ALL_LANGS))
GOLDEN := tests/golden.sh

.PHONY: check-golden golden-update

check-golden: $(BUILD)/rpcc
	$(GOLDEN) $(BUILD)/rpcc $(GOLDEN_LANGS)

golden-update: $(BUILD)/rpcc
	$(GOLDEN) --update $(BUILD)/rpcc $(GOLDEN_LANGS)
	@echo "golden-update: review the changes with git diff tests/golden before committing"

# The printer's flush rule (backends/printer.h: a position kept across a line end is held with printer_hold): rpcc
# built to flush at every line end (-DPRINTER_FLUSH_SIZE=1, objects of its own under build/flush/) must still
# print the golden trees. A backend that compares or rewrites text the printer has already handed on fails here.
FLUSH_BUILD := $(BUILD)/flush
.PHONY: check-golden-flush $(FLUSH_BUILD)/rpcc
$(FLUSH_BUILD)/rpcc:
	$(MAKE) --no-print-directory BUILD=$(FLUSH_BUILD) CFLAGS="$(CFLAGS) -DPRINTER_FLUSH_SIZE=1" $@
check-golden-flush: $(FLUSH_BUILD)/rpcc
	$(GOLDEN) $(FLUSH_BUILD)/rpcc $(GOLDEN_LANGS)
CHECKS += check-golden-flush

# rpcc — build, test, install.
#   make demo     build rpcc and generate opensdk/ from the bundled example
#   make check    every test (installs what it needs)
#   make install  PREFIX=/usr/local

PREFIX     ?= /usr/local
# Go lives in /usr/local/go/bin on Debian's official tarball install; make sure the tests can find it.
export PATH := $(PATH):/usr/local/go/bin
CC         ?= cc
ifeq ($(origin CC),default)
CC         := gcc
endif
BUILD      := build
GEN        := $(BUILD)/gen
VERSION    := 0.1.0

WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
BASEFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -DRPCC_VERSION='"$(VERSION)"' -I. -I$(GEN) -MMD -MP
CFLAGS     ?= -O2 -g
SANFLAGS   := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Our own sources, one stage a file. The CLI's main lives in cli/main.c; everything else is a library that the
# unit tests link against too.
LIB_SRC    := $(sort $(wildcard support/*.c frontend/*.c ir/*.c backends/*.c))
GEN_SRC    := $(GEN)/lexer.c $(GEN)/parser.c $(GEN)/embedded.c
# Runtime templates embedded into the binary: every file under runtime-templates/ except tests and caches.
TEMPLATES  := $(sort $(shell find runtime-templates -type f -not -path '*/node_modules/*' -not -path '*/__pycache__/*' -not -path '*/test*' -not -name '*_test.go' -not -name '.*' -not -path '*/.*' 2>/dev/null))
MAIN_SRC   := cli/main.c
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))

obj = $(patsubst %.c,$(1)/obj/%.o,$(2))
LIB_OBJ        := $(call obj,$(BUILD),$(LIB_SRC) $(GEN_SRC))
LIB_OBJ_SAN    := $(call obj,$(BUILD)/san,$(LIB_SRC) $(GEN_SRC))
UNIT_BIN       := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
UNIT_BIN_SAN   := $(patsubst tests/unit/%.c,$(BUILD)/san/tests/%,$(UNIT_SRC))

.PHONY: all demo check check-unit check-unit-san check-errors check-errors-san check-robustness check-examples deps \
        install clean
all: $(BUILD)/rpcc

# --- dependencies -------------------------------------------------------------------------------------------
# Debian packages (re2c, lemon and cmocka here): mk/deps.mk, the one place that installs them.
include mk/deps.mk

# --- generated lexer and parser -----------------------------------------------------------------------------
# lemon leaves parser.h alone when its content would not change, so both outputs are touched afterwards: else
# parser.h stays older than parser.y and every later `make` runs lemon and recompiles the parser again. The
# template lemon reads (Debian's) is a prerequisite too, when present.
LEMON_TEMPLATE := /usr/share/lemon/lempar.c
$(GEN)/parser.c $(GEN)/parser.h &: grammar/parser.y $(wildcard $(LEMON_TEMPLATE)) | $(call debian,build)
	@mkdir -p $(GEN)
	cp grammar/parser.y $(GEN)/parser.y
	cd $(GEN) && lemon -q -s parser.y >/dev/null
	rm -f $(GEN)/parser.y
	touch $(GEN)/parser.c $(GEN)/parser.h

# --computed-gotos: the DFA's states dispatch through a label table (GCC's `&&label`), cheaper than a switch.
$(GEN)/lexer.c: grammar/lexer.re $(GEN)/parser.h | $(call debian,build)
	@mkdir -p $(GEN)
	re2c -W -Werror --computed-gotos --no-generation-date --no-version -o $@ $<

$(BUILD)/embed: tools/embed.c
	@mkdir -p $(BUILD)
	$(CC) -std=c11 $(WARN) -O2 -o $@ $<
$(GEN)/embedded.c: $(BUILD)/embed $(TEMPLATES)
	@mkdir -p $(GEN)
	$(BUILD)/embed $@ runtime-templates/ $(TEMPLATES)

# lemon's and re2c's output is not ours: relax the warnings that they trip, for those objects only.
GEN_RELAX := -Wno-unused-parameter -Wno-unused-variable -Wno-unused-but-set-variable -Wno-missing-prototypes \
             -Wno-implicit-fallthrough -Wno-sign-compare -Wno-format-nonliteral

# --- objects ------------------------------------------------------------------------------------------------
$(BUILD)/obj/$(GEN)/%.o: $(GEN)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN) $(GEN_RELAX) $(CFLAGS) -c $< -o $@
$(BUILD)/san/obj/$(GEN)/%.o: $(GEN)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN) $(GEN_RELAX) $(SANFLAGS) -c $< -o $@
$(BUILD)/obj/%.o: %.c | $(GEN)/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN) $(CFLAGS) -c $< -o $@
$(BUILD)/san/obj/%.o: %.c | $(GEN)/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN) $(SANFLAGS) -c $< -o $@

$(BUILD)/rpcc: $(LIB_OBJ) $(call obj,$(BUILD),$(MAIN_SRC))
	$(CC) $(CFLAGS) -o $@ $^
$(BUILD)/san/rpcc: $(LIB_OBJ_SAN) $(call obj,$(BUILD)/san,$(MAIN_SRC))
	$(CC) $(SANFLAGS) -o $@ $^

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lcmocka
$(BUILD)/san/tests/%: $(BUILD)/san/obj/tests/unit/%.o $(LIB_OBJ_SAN)
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $^ -lcmocka

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
# Keep the unit tests' objects: they are intermediates of pattern rules, which make would otherwise delete.
.SECONDARY:

# --- tests --------------------------------------------------------------------------------------------------
check-unit: $(UNIT_BIN)
	python3 tests/check-layers.py
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done
check-unit-san: $(UNIT_BIN_SAN)
	@set -e; for t in $(UNIT_BIN_SAN); do echo "== $$t (asan+ubsan)"; ASAN_OPTIONS=detect_leaks=1 $$t; done
check-errors: $(BUILD)/rpcc
	tests/run-errors.sh $(BUILD)/rpcc
	python3 tests/corpus-coverage.py
check-errors-san: $(BUILD)/san/rpcc
	ASAN_OPTIONS=detect_leaks=1 tests/run-errors.sh $(BUILD)/san/rpcc
check-robustness: $(BUILD)/rpcc $(BUILD)/san/rpcc
	tests/run-robustness.sh $(BUILD)/rpcc
	ASAN_OPTIONS=detect_leaks=1 tests/run-robustness.sh $(BUILD)/san/rpcc
# Every spec example is valid, and its IR (with every target name) matches the reviewed dump.
check-examples: $(BUILD)/rpcc
	tests/run-examples.sh $(BUILD)/rpcc

CHECKS := check-unit check-unit-san check-errors check-errors-san check-robustness check-examples
-include $(filter-out mk/deps.mk,$(wildcard mk/*.mk))
# make check must leave the tree clean: the untracked files before the run, read when make starts, against after.
UNTRACKED_BEFORE := $(BUILD)/untracked-before-check.txt
ifneq ($(filter check,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD) && git ls-files --others --exclude-standard 2>/dev/null | LC_ALL=C sort >$(UNTRACKED_BEFORE))
endif
check: $(CHECKS)
	tests/check-clean-tree.sh $(UNTRACKED_BEFORE)
	@echo "make check: all suites passed"

demo: $(BUILD)/rpcc
	$(BUILD)/rpcc spec/examples/tasks.rpc -o opensdk
	@echo "opensdk/ holds the Python, TypeScript and Go clients for spec/examples/tasks.rpc"

install: $(BUILD)/rpcc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/rpcc $(DESTDIR)$(PREFIX)/bin/rpcc
	install -m 644 doc/rpcc.1 $(DESTDIR)$(PREFIX)/share/man/man1/rpcc.1

clean:
	rm -rf $(BUILD)

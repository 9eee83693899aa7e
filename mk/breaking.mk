# The breaking-change check, rpcc --breaking-against (ir/compare.c, spec/evolution.md). Included by the top-level
# Makefile.
#
#   make check-breaking       tests/breaking/NAME/{old.rpc,new.rpc}: the exact report of each pair
#                             (tests/run-breaking.sh), and a case for every rule (tests/breaking-coverage.py)
#   make check-breaking-san   the same pairs through the AddressSanitizer and UndefinedBehaviorSanitizer build

.PHONY: check-breaking check-breaking-san
CHECKS += check-breaking check-breaking-san

check-breaking: $(BUILD)/rpcc
	tests/run-breaking.sh $(BUILD)/rpcc
	python3 tests/breaking-coverage.py
check-breaking-san: $(BUILD)/san/rpcc
	ASAN_OPTIONS=detect_leaks=1 tests/run-breaking.sh $(BUILD)/san/rpcc

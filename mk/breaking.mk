# Contract evolution (spec/evolution.md): the breaking-change check, rpcc --breaking-against (ir/compare.c), and the
# contract hash, rpcc --contract-hash (ir/contract.c). Included by the top-level Makefile.
#
#   make check-breaking        tests/breaking/NAME/{old.rpc,new.rpc}: the exact report of each pair
#                              (tests/run-breaking.sh), and a case for every rule (tests/breaking-coverage.py)
#   make check-breaking-san    the same pairs through the AddressSanitizer and UndefinedBehaviorSanitizer build, and
#                              the properties below on 40 programs (each compared with the next one too)
#   make check-contract-hash   CONTRACT_HASH_COUNT random valid programs (tests/differential/generate.py, seed
#                              CONTRACT_HASH_SEED): the hash stays through changes the wire does not see and
#                              changes with each wire change, and --breaking-against agrees
#                              (tests/contract/hash_properties.py); the canonical text of each spec example is
#                              its reviewed copy, and its hash is coreutils' sha256sum of it
#                              (tests/contract/run-canonical.sh)

CONTRACT_HASH_COUNT ?= 200
CONTRACT_HASH_SEED  ?= 1

.PHONY: check-breaking check-breaking-san check-contract-hash
CHECKS += check-breaking check-breaking-san check-contract-hash

check-breaking: $(BUILD)/rpcc
	tests/run-breaking.sh $(BUILD)/rpcc
	python3 tests/breaking-coverage.py
check-breaking-san: $(BUILD)/san/rpcc
	ASAN_OPTIONS=detect_leaks=1 tests/run-breaking.sh $(BUILD)/san/rpcc
	ASAN_OPTIONS=detect_leaks=1 python3 tests/contract/hash_properties.py --rpcc $(BUILD)/san/rpcc --seed 2 \
	    --count 40 --work $(BUILD)/contract-properties-san
check-contract-hash: $(BUILD)/rpcc
	tests/contract/run-canonical.sh $(BUILD)/rpcc
	python3 tests/contract/hash_properties.py --rpcc $(BUILD)/rpcc --seed $(CONTRACT_HASH_SEED) \
	    --count $(CONTRACT_HASH_COUNT) --work $(BUILD)/contract-properties

# Linear growth of the compiler, by instruction counts rather than times (tests/scaling.py): inputs of N and 4N
# declarations of shapes that once made a pass quadratic must cost at most 6 times the instructions. Included by
# the top-level Makefile; valgrind comes with the bench tools' Debian packages (mk/deps.mk).

.PHONY: check-scaling
CHECKS += check-scaling

check-scaling: build/rpcc $(call debian,bench)
	python3 tests/scaling.py build/rpcc

#!/usr/bin/env python3
"""Linear growth, proved without a clock: rpcc's instruction count (valgrind's callgrind) on inputs of size N and
4N of shapes that once made a pass quadratic. A linear pass executes about 4 times the instructions at 4N; a
quadratic one about 16 times. Each shape must stay under MAX_GROWTH.

    tests/scaling.py build/rpcc

The count is the same however busy the machine is, so this cannot flake the way a timed test does.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

SMALL, LARGE = 2000, 8000
MAX_GROWTH = 6.0  # 4x is linear, n log n stays well under this, 16x is quadratic


def alias_chain_backwards(n: int) -> str:
    """Each alias names the next one, defined after it (ir/order.c scanned the waiting ones once per placement)."""
    lines = [f"type A{i} = A{i + 1};" for i in range(n)]
    lines.append(f"type A{n} = int | null;")
    lines.append("model M { x: A0 = 1; }")
    return "\n".join(lines) + "\n"


def alias_chain_forwards(n: int) -> str:
    lines = ["type A0 = int | null;"] + [f"type A{i + 1} = A{i};" for i in range(n)]
    lines.append(f"model M {{ x: A{n} = 1; }}")
    return "\n".join(lines) + "\n"


def model_chain_backwards(n: int) -> str:
    """Each model requires the next (ir/check_recursion.c: buildability and the components)."""
    lines = [f"model M{i} {{ next: M{i + 1}; }}" for i in range(n)]
    lines.append(f"model M{n} {{ }}")
    lines.append("rpc chain.get(M0) -> M0;")
    return "\n".join(lines) + "\n"


def union_chain_backwards(n: int) -> str:
    """Unions of a model and the next union, defined after it."""
    lines = [f"model V{i} {{ v: int; }}" for i in range(n + 1)]
    lines += [f"union U{i} = V{i} | list<U{i + 1}>;" for i in range(n)]
    lines.append(f"union U{n} = V{n} | int;")
    lines.append("model M { u: U0 | null = null; }")
    return "\n".join(lines) + "\n"


SHAPES = [alias_chain_backwards, alias_chain_forwards, model_chain_backwards, union_chain_backwards]


def instructions(rpcc: str, text: str, work: Path) -> int:
    source = work / "input.rpc"
    source.write_text(text)
    out = work / "callgrind.out"
    proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", rpcc, "--check",
                           str(source)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"scaling: rpcc --check failed on {source}:\n{proc.stderr[-2000:]}")
    for line in out.read_text().splitlines():
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    sys.exit("scaling: no instruction total in callgrind's output")


def main() -> int:
    rpcc = sys.argv[1]
    failed = 0
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        for shape in SHAPES:
            small = instructions(rpcc, shape(SMALL), work)
            large = instructions(rpcc, shape(LARGE), work)
            growth = large / small
            verdict = "ok" if growth <= MAX_GROWTH else "FAIL"
            print(f"scaling {shape.__name__}: {small:,} instructions at {SMALL}, {large:,} at {LARGE}: "
                  f"{growth:.1f}x ({verdict}, at most {MAX_GROWTH}x)")
            failed += verdict == "FAIL"
    if failed:
        print(f"scaling: {failed} shape(s) grow faster than linear: a pass became quadratic")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

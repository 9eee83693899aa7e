#!/usr/bin/env python3
"""The instruction budget of rpcc: a speed regression test that cannot flake.

    instructions.py check  --rpcc build/rpcc [--budget bench/instructions-budget.json]
    instructions.py update --rpcc build/rpcc [--budget bench/instructions-budget.json]

Runs rpcc under valgrind's callgrind on one fixed schema (bench/codegen/gen_schemas.py at the budget's N, all three
languages, one invocation) and counts the instructions it executes: the same count however busy the machine is,
unlike a time. `check` fails when the count exceeds the budget by more than its tolerance, and says so when it has
fallen well below (lower the budget then, so that the gain is kept). `update` writes the measured count as the new
budget. The count depends on the compiler and C library too: the budget is that of Debian's gcc and glibc with the
Makefile's default CFLAGS (-O2 -g); a toolchain upgrade may need `make instructions-budget` and a look at why.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench/codegen"))
import gen_schemas  # noqa: E402

DEFAULT_BUDGET = REPO / "bench/instructions-budget.json"


def count(rpcc: str, n: int, work: Path) -> int:
    """Instructions of one run of rpcc on the N-method schema, into an empty directory."""
    schemas = gen_schemas.write(n, work / "schema")
    out = work / "out"
    if out.exists():
        shutil.rmtree(out)
    cg = work / "callgrind.out"
    proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={cg}", rpcc, str(schemas["rpc"]),
                           "-o", str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"instructions: rpcc under callgrind exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    for line in cg.read_text(errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    sys.exit(f"instructions: no totals in {cg}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("action", choices=["check", "update"])
    ap.add_argument("--rpcc", default=str(REPO / "build/rpcc"))
    ap.add_argument("--budget", default=str(DEFAULT_BUDGET))
    args = ap.parse_args()
    budget_path = Path(args.budget)
    budget = json.loads(budget_path.read_text())
    n, limit, tolerance = budget["methods"], budget["instructions"], budget["tolerance_percent"]
    with tempfile.TemporaryDirectory(prefix="rpcc-instructions-") as tmp:
        measured = count(args.rpcc, n, Path(tmp))
    change = (measured - limit) / limit * 100 if limit else float("inf")
    where = f"{measured:,} instructions for the {n}-method bench schema (budget {limit:,}, {change:+.1f}%)"
    if args.action == "update":
        budget["instructions"] = measured
        budget_path.write_text(json.dumps(budget, indent=2) + "\n")
        print(f"instructions: budget set to {measured:,} (was {limit:,}, {change:+.1f}%) in {budget_path}")
        return 0
    if change > tolerance:
        print(f"instructions: FAIL: rpcc executed {where}: more than {tolerance}% over its budget.\n"
              f"  A change made code generation slower. Profile it (valgrind --tool=callgrind, then callgrind_annotate;\n"
              f"  make bench-profile) and fix it; if the extra work is wanted, raise the budget with\n"
              f"  `make instructions-budget` and say why in the commit. (Built with other CFLAGS than -O2 -g, or\n"
              f"  another compiler, the count differs too.)", file=sys.stderr)
        return 1
    print(f"instructions: ok, {where}")
    if change < -tolerance:
        print(f"instructions: rpcc is more than {tolerance}% under its budget: keep the gain with "
              f"`make instructions-budget`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

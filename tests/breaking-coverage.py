#!/usr/bin/env python3
"""Every breaking-change rule (ir/compare.h's BREAKING_RULES) has a case in tests/breaking/ whose expected report
names it, and some case holds only safe changes (an empty report, exit status 0).

Exit status 1 lists the rules without a case."""
import pathlib
import re
import sys

top = pathlib.Path(__file__).resolve().parent.parent
header = (top / "ir" / "compare.h").read_text()
rules = re.findall(r'X\(\w+,\s*"([a-z-]+)"', header)
if not rules:
    sys.exit("breaking-coverage: no rules found in ir/compare.h")

reported = set()
safe_cases = []
for case in sorted(p for p in (top / "tests" / "breaking").iterdir() if p.is_dir()):
    expected = (case / "expected").read_text()
    reported.update(re.findall(r"\[([a-z-]+)\]$", expected, re.MULTILINE))
    status = (case / "status").read_text().strip() if (case / "status").exists() else "1"
    if expected == "" and status == "0":
        safe_cases.append(case.name)

missing = [rule for rule in rules if rule not in reported]
unknown = sorted(reported - set(rules))
for rule in missing:
    print("no case in tests/breaking/ for the rule", rule)
for rule in unknown:
    print("tests/breaking/ reports a rule ir/compare.h does not declare:", rule)
if not safe_cases:
    print("no case in tests/breaking/ with only safe changes (an empty expected report and status 0)")
print(f"breaking-rule coverage: {len(rules) - len(missing)} of {len(rules)} rules, safe cases: {', '.join(safe_cases)}")
sys.exit(1 if missing or unknown or not safe_cases else 0)

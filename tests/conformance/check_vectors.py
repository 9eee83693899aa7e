"""Runs one language's conformance driver over vectors.json and compares its answers with the vectors.

    python tests/conformance/check_vectors.py --lang python -- DRIVER-COMMAND...

The driver reads one JSON object a line on stdin, {"name", "type", "in"} (the JSON a server sends, as text with
its exact digits), decodes "in" into the generated type named "type" the way the generated client decodes a
result, encodes the value again the way the client encodes params, and prints one line a case:
{"name", "out": "<JSON text>"} or {"name", "error": "<message>"}.

A case with "channel" (a channel of conformance.rpc by its dotted name) instead of "type" is a publication: the
driver hands "in" to a typed subscription of that channel as a received publication's data, through the SDK's own
decoding of publications, and answers {"name", "out"} with the value the subscription delivered (encoded as
params are), or {"name", "reported": "<message>"} when the subscription gave it to its error hook instead (and
delivered nothing). For a publication, "error": true expects "reported"; an "error" answer (anything raised out
of the subscription) is always a failure.

Comparison: numbers by exact value (1 == 1.0, 2^53+1 != 2^53), objects without key order, strings exactly.
Prints every mismatch and the closing line "<lang>: N passed, N failed".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LANGS = ("python", "typescript", "go", "rust")


def exact(text: str) -> Any:
    """JSON with every number as an exact Decimal, so that 1 == 1.0 but 2**53 + 1 != 2**53."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal)


def expectation(case: dict[str, Any], lang: str) -> tuple[bool, Any]:
    """(error expected, expected out) for lang."""
    override = case.get("lang", {}).get(lang, {})
    error = override.get("error", case.get("error", False))
    out = override.get("out", case.get("out", case["in"]))
    return error, out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--lang", required=True, choices=LANGS)
    p.add_argument("--vectors", default=str(HERE / "vectors.json"))
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    cases = json.loads(Path(args.vectors).read_text(encoding="utf-8"))["cases"]
    names = [c["name"] for c in cases]
    assert len(set(names)) == len(names), "case names must be unique"
    for case in cases:
        unknown = set(case.get("lang", {})) - set(LANGS)
        assert not unknown, f"{case['name']}: unknown language {unknown}"

    for case in cases:
        assert ("type" in case) != ("channel" in case), f"{case['name']}: give either type or channel"

    def request(case: dict[str, Any]) -> str:
        kind = "channel" if "channel" in case else "type"
        return json.dumps({"name": case["name"], kind: case[kind], "in": json.dumps(case["in"])}) + "\n"

    stdin = "".join(request(c) for c in cases)
    proc = subprocess.run(command, input=stdin.encode("utf-8"), capture_output=True, timeout=300, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
        print(f"{args.lang}: the driver exited with {proc.returncode}")
        return 1
    answers = {}
    for line in proc.stdout.decode("utf-8", "surrogatepass").split("\n"):
        if line.strip():
            answer = json.loads(line)
            answers[answer["name"]] = answer

    passed = failed = 0
    for case in cases:
        want_error, want_out = expectation(case, args.lang)
        got = answers.get(case["name"])
        problem = None
        failure = "reported" if "channel" in case else "error"
        if got is None:
            problem = "no answer from the driver"
        elif failure == "reported" and "error" in got:
            problem = f"raised out of the subscription instead of going to the error hook: {got['error']}"
        elif want_error and failure not in got:
            problem = f"decoded, but must fail; sent back {got['out']}"
        elif not want_error and failure in got:
            problem = f"failed: {got[failure]}"
        elif not want_error and exact(got["out"]) != exact(json.dumps(want_out)):
            problem = f"sent back {got['out']}\n    expected {json.dumps(want_out)}"
        if problem:
            failed += 1
            what = case.get("type") or f"publication of {case['channel']}"
            print(f"FAIL {args.lang} {case['name']} ({what} {json.dumps(case['in'])}): {problem}")
        else:
            passed += 1
    print(f"{args.lang}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

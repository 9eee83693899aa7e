#!/usr/bin/env python3
"""Round-trip samples (issue 24): provider-shaped JSON payloads decoded by each generated SDK and sent back, compared
with what the original Pydantic model writes.

    roundtrip.py --out build/realworld/roundtrip [--rpcc build/rpcc] [--sdk-python .venv/bin/python]

Runs in the corpus venv (the provider SDKs installed). The classes named in samples.json are exported together
(naming="module" with unique_names) into one program, rpcc generates the Python, TypeScript and Go SDKs, and the
conformance drivers' protocol (tests/conformance/check_vectors.py) runs each case: the Python driver is
tests/conformance/driver.py itself; Go gets a driver with this program's type map; TypeScript's SDK has no run-time
decoder, so its answer is JSON.parse then JSON.stringify (node), as the conformance driver.mjs does.

Expected: the original model's `model_dump(mode="json", by_alias=True, exclude_unset=True)`. Differences that
the project documents are allowed and counted, never silently: DIFFERENCES below. Anything else fails.
Prints one line per case and language that differs, and "roundtrip: N passed, N failed".
"""

from __future__ import annotations

import argparse
import collections
import datetime
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

from rpcc.exporter import export_models, unique_names  # noqa: E402
from rpcc.exporter.walk import _qual  # noqa: E402

GO_ENV = {"GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOTOOLCHAIN": "local"}

# The differences between a generated SDK's answer and Pydantic's that the project documents, by language.
DIFFERENCES = {
    "go-null-default": "Go leaves out a `x: T | null = null` field that is null or absent, which Pydantic writes "
                       "as null: the same to the receiver (tests/conformance/README.md)",
    "timestamp-text": "a timestamp with the same instant and offset written differently (Pydantic writes six "
                      "fraction digits, Go as few as it needs, TypeScript the text received: "
                      "tests/conformance/README.md)",
}


def same_timestamp(want: Any, got: Any) -> bool:
    if not (isinstance(want, str) and isinstance(got, str) and "T" in want and "T" in got):
        return False
    try:
        a, b = datetime.datetime.fromisoformat(want), datetime.datetime.fromisoformat(got)
    except ValueError:
        return False
    return a == b and a.utcoffset() == b.utcoffset()


def exact(value: Any) -> Any:
    return json.loads(json.dumps(value), parse_float=Decimal, parse_int=Decimal)


def compare(want: Any, got: Any, lang: str, path: str, found: collections.Counter[str]) -> list[str]:
    """The undocumented differences between want and got; documented ones are counted in found."""
    if isinstance(want, dict) and isinstance(got, dict):
        problems = []
        for k in sorted(set(want) | set(got)):
            where = f"{path}.{k}"
            if k not in got:
                if lang == "go" and want[k] is None:
                    found["go-null-default"] += 1
                    continue
                problems.append(f"{where}: missing, expected {json.dumps(want[k], default=str)[:80]}")
            elif k not in want:
                problems.append(f"{where}: not expected, got {json.dumps(got[k], default=str)[:80]}")
            else:
                problems += compare(want[k], got[k], lang, where, found)
        return problems
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        out = []
        for i, (w, g) in enumerate(zip(want, got)):
            out += compare(w, g, lang, f"{path}[{i}]", found)
        return out
    if exact(want) == exact(got):
        return []
    if same_timestamp(want, got):
        found["timestamp-text"] += 1
        return []
    return [f"{path}: expected {json.dumps(want, default=str)[:80]}, "
                                                  f"got {json.dumps(got, default=str)[:80]}"]


# the paths (per case) of keys that no model declares, which every SDK must keep (@open): filled by undeclared_keys
_undeclared: dict[str, bool] = {}


def undeclared_keys(model: Any, value: Any, path: str) -> None:
    """Record the paths of the keys of ``value`` (a validated model instance) that its model does not declare."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        for k in (value.model_extra or {}):
            _undeclared[f"{path}.{k}"] = True
        for name, fi in type(value).model_fields.items():
            undeclared_keys(None, getattr(value, name), f"{path}.{fi.serialization_alias or fi.alias or name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            undeclared_keys(None, item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, item in value.items():
            undeclared_keys(None, item, f"{path}.{k}")


def go_driver(root: Path, package_dir: Path, go_names: dict[str, str]) -> Path:
    src = root / "go-driver"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    conformance = (REPO / "tests" / "conformance" / "go" / "driver.go").read_text()
    entries = "".join(f'\t"{n}": func() any {{ return new(sdk.{g}) }},\n' for n, g in sorted(go_names.items()))
    text = re.sub(r"var types = map\[string\]func\(\) any\{\n.*?\n\}\n",
                  lambda _: f"var types = map[string]func() any{{\n{entries}}}\n", conformance, flags=re.S)
    # The samples have no channels: the conformance driver's publication table is left empty.
    text = re.sub(r"var channels = map\[string\]func\(\) any\{\n.*?\n\}\n",
                  "var channels = map[string]func() any{}\n", text, flags=re.S)
    text = text.replace('conf "example.com/conformance"', 'sdk "example.com/rwsamples"').replace("conf.", "sdk.")
    (src / "main.go").write_text(text)
    (src / "go.mod").write_text("module rpcc.test/rwsamples\n\ngo 1.24\n\nrequire example.com/rwsamples v0.0.0\n\n"
                                "require github.com/coder/websocket v1.8.15 // indirect\n\n"
                                f"replace example.com/rwsamples => {package_dir}\n")
    shutil.copy(REPO / "tests" / "conformance" / "go" / "go.sum", src / "go.sum")
    binary = root / "go-driver.bin"
    res = subprocess.run(["go", "build", "-o", str(binary), "."], cwd=src, env={**os.environ, **GO_ENV},
                         capture_output=True, text=True, timeout=600, check=False)
    if res.returncode != 0:
        raise SystemExit(f"roundtrip: the Go driver does not build:\n{res.stderr}")
    return binary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(REPO / "build" / "realworld" / "roundtrip"))
    parser.add_argument("--rpcc", default=str(REPO / "build" / "rpcc"))
    parser.add_argument("--sdk-python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--generated", help="the datamodel-code-generator modules (oas_<stem> is <stem>.py there)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    root = Path(args.out).resolve()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    samples = json.loads((HERE / "samples.json").read_text())["cases"]

    if args.generated:
        for path in sorted(Path(args.generated).glob("*.py")):
            spec = importlib.util.spec_from_file_location(f"oas_{path.stem}", path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[f"oas_{path.stem}"] = module
            spec.loader.exec_module(module)
    classes: dict[str, Any] = {}
    for case in samples:
        module, _, name = case["class"].rpartition(".")
        classes[case["class"]] = getattr(importlib.import_module(module), name)
    ordered = [classes[k] for k in sorted(classes)]
    names = unique_names(ordered)
    program = root / "rw_samples.rpc"
    # one rpc per class, taking and returning it, as a handler would: the SDKs then encode params as they send them
    rpcs = "".join(f"\nrpc samples.m{i}({names[_qual(c)]}) -> {names[_qual(c)]};\n" for i, c in enumerate(ordered))
    program.write_text(export_models(ordered, naming="module", rename=names, check=False) + rpcs)
    gen = subprocess.run([args.rpcc, str(program), "-o", str(root / "sdk"), "--go-module", "example.com/rwsamples"],
                         capture_output=True, text=True, timeout=300, check=False)
    if gen.returncode != 0:
        print(f"roundtrip: rpcc refuses {program}:\n{gen.stderr}")
        return 1
    dump = subprocess.run([args.rpcc, "--dump-ir", str(program)], capture_output=True, text=True, check=True).stdout
    go_names = {m.group(1): m.group(2) for m in re.finditer(r"^(?:model|enum|union|type) (\w+) .*\| go (\w+)\]",
                                                             dump, re.M)}
    idl_name = {k: names[_qual(v)] for k, v in classes.items()}

    # what the original models write
    expected: dict[str, Any] = {}
    for case in samples:
        cls = classes[case["class"]]
        value = cls.model_validate(case["in"])
        undeclared_keys(None, value, case["name"])
        expected[case["name"]] = value.model_dump(mode="json", by_alias=True, exclude_unset=True)

    site = root / "site"
    site.mkdir()
    shutil.copytree(root / "sdk" / "python", site / "rw_samples_client")
    drivers = {
        "python": [args.sdk_python, str(REPO / "tests" / "conformance" / "driver.py"), str(site), "rw_samples_client"],
        "go": [str(go_driver(root, root / "sdk" / "go", go_names))],
        "typescript": ["node", "-e", "require('readline').createInterface({input: process.stdin}).on('line', l => "
                       "{ if (!l.trim()) return; const c = JSON.parse(l); "
                       "console.log(JSON.stringify({name: c.name, out: JSON.stringify(JSON.parse(c.in))})); });"],
    }
    stdin = "".join(json.dumps({"name": c["name"], "type": idl_name[c["class"]], "in": json.dumps(c["in"])}) + "\n"
                    for c in samples)
    passed = failed = 0
    documented: collections.Counter[str] = collections.Counter()
    for lang, command in drivers.items():
        proc = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=600, check=False)
        if proc.returncode != 0:
            print(f"FAIL {lang}: the driver exited with {proc.returncode}:\n{proc.stderr}")
            failed += len(samples)
            continue
        answers = {a["name"]: a for a in map(json.loads, filter(str.strip, proc.stdout.splitlines()))}
        for case in samples:
            answer = answers.get(case["name"], {"error": "no answer"})
            if "error" in answer:
                problems = [f"decoding failed: {answer['error']}"]
            else:
                found: collections.Counter[str] = collections.Counter()
                problems = compare(expected[case["name"]], json.loads(answer["out"]), lang, case["name"], found)
                documented.update({f"{lang} {k}": v for k, v in found.items()})
            if problems:
                failed += 1
                print(f"FAIL {lang} {case['name']}: " + "; ".join(problems[:5]))
            else:
                passed += 1
    for key, count in sorted(documented.items()):
        lang, kind = key.split(" ", 1)
        print(f"documented difference, {lang}: {DIFFERENCES[kind]}: {count}x")
    # the samples must carry keys no model declares: the SDKs keep them (@open), as Pydantic's extra="allow" does
    print(f"roundtrip: {len(_undeclared)} keys that no model declares, kept by every SDK")
    if not _undeclared:
        failed += 1
    print(f"roundtrip: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

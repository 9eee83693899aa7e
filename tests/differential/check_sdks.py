#!/usr/bin/env python3
"""Runs rpcc on many .rpc programs and every language's checkers over all the SDKs it generates, in batches.

    check_sdks.py [--rpcc build/rpcc] [--out DIR] [--python .venv/bin/python] [--node-modules DIR] FILE.rpc...

For each program:
  - `rpcc --check` and generation agree: check exit 0 <=> generation exit 0, check exit 1 <=> generation exit 1,
    and a failing generation writes nothing;
  - generation is deterministic: a second run into another directory gives the same bytes;
  - when accepted, the SDKs pass the checkers the project's suites use: Python `mypy --strict`, `ruff check` and
    an import with warnings as errors; TypeScript `tsc` with the generated tsconfig's strict options; Go `gofmt -l`
    and `go vet` (which type-checks), offline.
The checkers run once over all packages (one mypy, one tsc, one go vet over a go.work), so a few hundred programs
cost minutes. Each failure is attributed to its program by path. Prints one line per failing (program, check) and a
summary by check; exits 1 when anything failed. Program stems must be distinct, valid Go module paths and Python
identifiers (p0001, union_mixed, ...).
"""

from __future__ import annotations

import argparse
import collections
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GO_ENV = {"GOFLAGS": "-mod=readonly", "GOPROXY": "off", "GOTOOLCHAIN": "local"}


def run(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, check=False)


def same_tree(a: Path, b: Path) -> bool:
    comparison = filecmp.dircmp(a, b)
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, comparison.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(a / d, b / d) for d in comparison.common_dirs)


class Results:
    def __init__(self) -> None:
        self.failures: dict[str, dict[str, str]] = collections.defaultdict(dict)

    def fail(self, program: str, check: str, detail: str) -> None:
        previous = self.failures[program].get(check)
        self.failures[program][check] = (previous + "\n" + detail) if previous else detail


def attribute(output: str, root: Path, stems: set[str], results: Results, check: str) -> bool:
    """Splits a checker's output by the program each line names (gen/<stem>/ or site/<stem>_client/)."""
    pattern = re.compile(r"(?:gen/|site/|^)([A-Za-z0-9_]+?)(?:_client)?/")
    attributed = False
    current: str | None = None
    for line in output.splitlines():
        line = line.replace(str(root) + "/", "")
        for match in pattern.finditer(line):
            if match.group(1) in stems:
                current = match.group(1)
                break
        if current:
            results.fail(current, check, line)
            attributed = True
    return attributed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rpcc", default=str(REPO / "build" / "rpcc"))
    parser.add_argument("--out", default=str(REPO / "build" / "differential"))
    parser.add_argument("--python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--node-modules", default=str(REPO / "tests" / "typescript" / "node_modules"))
    parser.add_argument("--lang", default="python,typescript,go")
    parser.add_argument("--json", help="write the failures as JSON to this file")
    parser.add_argument("--expect-valid", action="store_true", help="a program rpcc refuses is a failure")
    parser.add_argument("programs", nargs="+")
    args = parser.parse_args()
    languages = set(args.lang.split(","))
    rpcc = str(Path(args.rpcc).resolve())
    root = Path(args.out).resolve()
    shutil.rmtree(root, ignore_errors=True)
    (root / "gen").mkdir(parents=True)
    results = Results()
    accepted: list[str] = []
    refused = 0
    stems: set[str] = set()

    for program in args.programs:
        source = Path(program).resolve()
        stem = source.stem
        if stem in stems:
            print(f"check_sdks.py: two programs named {stem}", file=sys.stderr)
            return 2
        stems.add(stem)
        checked = run([rpcc, "--check", str(source)], timeout=60)
        output = root / "gen" / stem
        generated = run([rpcc, str(source), "-o", str(output), "--lang", args.lang], timeout=60)
        if checked.returncode not in (0, 1, 2) or generated.returncode not in (0, 1, 2):
            results.fail(stem, "crash", f"--check exit {checked.returncode}, generation exit {generated.returncode}"
                                        f"\n{checked.stderr}{generated.stderr}")
            continue
        if checked.returncode != generated.returncode:
            results.fail(stem, "check-vs-generate",
                         f"--check exit {checked.returncode}, generation exit {generated.returncode}\n"
                         f"{generated.stderr.strip()}")
        if generated.returncode != 0:
            refused += 1
            if args.expect_valid:
                results.fail(stem, "refused", generated.stderr.strip())
            if output.exists():
                results.fail(stem, "failed-run-wrote", f"{output} exists after a failing run")
            continue
        again = root / "again" / stem
        run([rpcc, str(source), "-o", str(again), "--lang", args.lang], timeout=60)
        if not same_tree(output, again):
            results.fail(stem, "deterministic", "two runs differ")
        shutil.rmtree(again, ignore_errors=True)
        accepted.append(stem)

    if accepted and "python" in languages:
        check_python(args.python, root, accepted, results)
    if accepted and "typescript" in languages:
        check_typescript(Path(args.node_modules).resolve(), root, accepted, results)
    if accepted and "go" in languages:
        check_go(root, accepted, results)

    by_check: collections.Counter[str] = collections.Counter()
    for stem in sorted(results.failures):
        for check, detail in sorted(results.failures[stem].items()):
            by_check[check] += 1
            first = detail.strip().splitlines()[0] if detail.strip() else ""
            print(f"FAIL {stem}: {check}: {first[:300]}")
    if args.json:
        Path(args.json).write_text(json.dumps(results.failures, indent=1, sort_keys=True))
    print(f"check_sdks: {len(args.programs)} programs, {len(accepted)} accepted, {refused} refused; "
          f"{len(results.failures)} with failures" +
          "".join(f"; {check}: {count}" for check, count in sorted(by_check.items())))
    return 1 if results.failures else 0


def check_python(python: str, root: Path, accepted: list[str], results: Results) -> None:
    site = root / "site"
    site.mkdir()
    for stem in accepted:
        shutil.copytree(root / "gen" / stem / "python", site / f"{stem}_client")
    stems = set(accepted)
    # A syntax error stops mypy for every package: those that do not compile fail here and are left out of the rest.
    compiled = run([python, "-c", (
        "import json, pathlib, sys\n"
        "failed = {}\n"
        "for stem in sys.argv[2:]:\n"
        "    for path in sorted(pathlib.Path(sys.argv[1], stem + '_client').glob('*.py')):\n"
        "        try:\n"
        "            compile(path.read_text(encoding='utf-8'), str(path), 'exec')\n"
        "        except SyntaxError as error:\n"
        "            failed[stem] = f'{path.name}:{error.lineno}: {error.msg}'\n"
        "print(json.dumps(failed))\n"), str(site), *accepted])
    for stem, message in json.loads(compiled.stdout.strip().splitlines()[-1]).items():
        results.fail(stem, "python-syntax", message)
        stems.discard(stem)
    packages = [str(site / f"{stem}_client") for stem in accepted if stem in stems]
    if not packages:
        return
    mypy = run([python, "-m", "mypy", "--strict", "--python-version", "3.10", "--no-incremental",
                "--cache-dir", str(root / "mypy-cache"), *packages], env={"MYPYPATH": str(site)})
    if mypy.returncode != 0 and not attribute(mypy.stdout + mypy.stderr, root, stems, results, "python-mypy"):
        results.fail("(all)", "python-mypy", mypy.stdout + mypy.stderr)
    ruff = run([python, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", *packages], cwd=site)
    if ruff.returncode != 0 and not attribute(ruff.stdout + ruff.stderr, site.parent, stems, results,
                                              "python-ruff"):
        results.fail("(all)", "python-ruff", ruff.stdout + ruff.stderr)
    # One interpreter imports every package with warnings as errors (a subprocess each would cost minutes).
    script = (
        "import importlib, json, sys, traceback, warnings\n"
        "warnings.simplefilter('error')\n"
        "failed = {}\n"
        "for stem in sys.argv[1:]:\n"
        "    try:\n"
        "        p = importlib.import_module(stem + '_client')\n"
        "        assert issubclass(p.APIClient, p.CentrifugoRPCClient)\n"
        "        for name in p.__all__: getattr(p, name)\n"
        "    except BaseException:\n"
        "        failed[stem] = traceback.format_exc(limit=-3)\n"
        "print(json.dumps(failed))\n")
    imported = run([python, "-c", script, *sorted(stems)], env={"PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"})
    try:
        failed = json.loads(imported.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        results.fail("(all)", "python-import", imported.stdout + imported.stderr)
        return
    for stem, trace in failed.items():
        results.fail(stem, "python-import", trace.strip().splitlines()[-1] + "\n" + trace)


def check_typescript(node_modules: Path, root: Path, accepted: list[str], results: Results) -> None:
    tsc = node_modules / ".bin" / "tsc"
    options = json.loads("\n".join(
        line for line in (root / "gen" / accepted[0] / "typescript" / "tsconfig.json").read_text().splitlines()
        if not line.startswith("//")))["compilerOptions"]
    options.update({"noEmit": True, "rootDir": ".", "declaration": False, "declarationMap": False,
                    "sourceMap": False})
    options.pop("outDir", None)
    (root / "tsconfig.json").write_text(json.dumps(
        {"compilerOptions": options, "include": [f"gen/{stem}/typescript/*.ts" for stem in accepted]}, indent=1))
    link = root / "node_modules"
    if not link.exists():
        link.symlink_to(node_modules)
    compiled = run([str(tsc), "-p", str(root / "tsconfig.json"), "--pretty", "false"], cwd=root)
    if compiled.returncode != 0 and not attribute(compiled.stdout + compiled.stderr, root, set(accepted), results,
                                                  "typescript-tsc"):
        results.fail("(all)", "typescript-tsc", compiled.stdout + compiled.stderr)


def check_go(root: Path, accepted: list[str], results: Results) -> None:
    go_path = os.environ.get("PATH", "") + ":/usr/local/go/bin"
    env = {**GO_ENV, "PATH": go_path}
    stems = set(accepted)
    gofmt = run(["gofmt", "-l", *[f"gen/{stem}/go" for stem in accepted]], cwd=root, env=env)
    for line in (gofmt.stdout + gofmt.stderr).splitlines():
        attribute(line, root, stems, results, "go-gofmt")
    go_version = run(["go", "env", "GOVERSION"], env=env).stdout.strip().removeprefix("go")
    work = [f"go {'.'.join(go_version.split('.')[:2])}", ""] + [f"use ./gen/{stem}/go" for stem in accepted]
    (root / "go.work").write_text("\n".join(work) + "\n")
    modules = [run(["go", "list", "-m"], cwd=root / "gen" / stem / "go", env={**env, "GOWORK": "off"}).stdout.strip()
               for stem in accepted]
    vet = run(["go", "vet", *[f"{module}/..." for module in modules]], cwd=root, env={**env, "GOFLAGS": ""})
    if vet.returncode != 0:
        # go vet names packages by module path (# p0001) and files by relative path: map both to programs.
        text = vet.stdout + vet.stderr
        for module, stem in zip(modules, accepted):
            text = text.replace(f"# {module}\n", f"# gen/{stem}/go/\n")
        if not attribute(text, root, stems, results, "go-vet"):
            results.fail("(all)", "go-vet", text)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Batch bench: 100 small typed calls as one batch against 100 sequential and 100 concurrent calls, in Python,
TypeScript and Go, over both transports, against the real fixture (Centrifugo + the bridge, tests/fixture).

    run.py build    export the debug handlers, generate the SDKs with rpcc, compile the TypeScript driver (tsc from
                    tests/typescript's toolchain) and build the Go driver
    run.py run      start the fixture once, run the three drivers in it, write build/bench/batch/results.jsonl and
                    print the median milliseconds per 100 calls

Environment: BENCH_CALLS (100 calls a measurement), BENCH_ROUNDS (20 measurements per mode), BENCH_LANGS
(python,typescript,go). Not part of `make check`: `make bench-batch`.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build/bench/batch"
VENV_PY = REPO / ".venv/bin/python"
GO = shutil.which("go") or "/usr/local/go/bin/go"
TS_MODULES = REPO / "tests/typescript/node_modules"
TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022", "lib": ["ES2022", "DOM"], "module": "NodeNext", "moduleResolution": "NodeNext",
        "types": ["node"], "strict": True, "exactOptionalPropertyTypes": True, "noUncheckedIndexedAccess": True,
        "skipLibCheck": True, "outDir": "dist", "rootDir": ".",
    },
    "include": ["*.ts", "sdk/typescript/*.ts"],
}


def sh(cmd: list, **kw) -> None:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def build() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    sh([VENV_PY, "-m", "rpcc", "export", "debug_handlers", "-P", REPO / "python/examples", "-o", OUT / "live.rpc"])
    shutil.rmtree(OUT / "sdk", ignore_errors=True)
    sh([os.environ.get("RPCC", REPO / "build/rpcc"), OUT / "live.rpc", "-o", OUT / "sdk", "--package-name", "live",
        "--go-module", "example.com/live", "--lang", "python,typescript,go"])
    shutil.rmtree(OUT / "site", ignore_errors=True)
    shutil.copytree(OUT / "sdk/python", OUT / "site/live")
    ts = OUT / "ts"
    shutil.rmtree(ts, ignore_errors=True)
    ts.mkdir()
    shutil.copytree(OUT / "sdk/typescript", ts / "sdk/typescript")
    shutil.copy(REPO / "bench/batch/typescript/bench.ts", ts / "bench.ts")
    (ts / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2))
    (ts / "package.json").write_text('{"type": "module"}\n')
    (ts / "node_modules").symlink_to(TS_MODULES)
    sh([TS_MODULES / ".bin/tsc", "-p", ts])
    env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local")
    sh([GO, "build", "-o", OUT / "gobatch", "."], cwd=REPO / "bench/batch/go", env=env)


def run() -> None:
    calls = os.environ.get("BENCH_CALLS", "100")
    rounds = os.environ.get("BENCH_ROUNDS", "20")
    langs = os.environ.get("BENCH_LANGS", "python,typescript,go").split(",")
    common = f"--calls {calls} --rounds {rounds}"
    drivers = {
        "python": f"{VENV_PY} {REPO}/bench/batch/python/bench.py {OUT}/site {common}",
        "typescript": f"node {OUT}/ts/dist/bench.js {common}",
        "go": f"{OUT}/gobatch " + common.replace("--", "-"),
    }
    results = OUT / "results.jsonl"
    results.write_text("")
    script = " && ".join(f"{drivers[lang]} >> {results}" for lang in langs)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    env = dict(os.environ, CENTRIFUGO_BIN=str(REPO / ".cache/bin/centrifugo"), PYTHONDONTWRITEBYTECODE="1")
    sh([VENV_PY, "-m", "tests.fixture", "run", "--", "sh", "-c", script], cwd=REPO, env=env)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    rows: dict[tuple[str, str], dict[str, list[float]]] = {}
    for line in results.read_text().splitlines():
        m = json.loads(line)
        rows.setdefault((m["lang"], m["transport"]), {}).setdefault(m["mode"], []).append(m["ms"])
    print(f"\n{calls} calls of debug.echo, median of {rounds} rounds, ms (load {' '.join(load_before)} before, "
          f"{' '.join(load_after)} after)\n")
    print("| language | transport | sequential | concurrent | batch | batch vs sequential | batch vs concurrent |")
    print("|---|---|---|---|---|---|---|")
    for (lang, transport), modes in rows.items():
        med = {mode: statistics.median(values) for mode, values in modes.items()}
        print(f"| {lang} | {transport} | {med['sequential']:.1f} | {med['concurrent']:.1f} | {med['batch']:.1f} | "
              f"{med['sequential'] / med['batch']:.2f}x | {med['concurrent'] / med['batch']:.2f}x |")


if __name__ == "__main__":
    {"build": build, "run": run}[sys.argv[1]]()

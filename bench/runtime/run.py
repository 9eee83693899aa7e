#!/usr/bin/env python3
"""Runtime bench: generated typed calls against the raw Centrifugo SDKs, in Python, TypeScript, Go and Rust.

    run.py build    export the debug handlers (python/examples) to .rpc, generate the SDK with rpcc, install it for
                    Python, bundle the TypeScript driver with esbuild, build the Go driver and the Rust driver
                    (cargo, offline, in .cache/cargo-target: make rust-deps fetches the crates once)
    run.py run      start the real fixture (Centrifugo + bridge, tests/fixture) once and run the three drivers in
                    it, one after another; writes build/bench/runtime/results.jsonl

Environment: BENCH_CALLS (2000 calls a measurement), BENCH_WARMUP (200), BENCH_ROUNDS (3: generated and raw
alternate, and which goes first alternates too), BENCH_MAX_SECONDS (10, bound of one measurement),
BENCH_LANGS (python,typescript,go,rust).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build/bench/runtime"
VENV_PY = REPO / ".venv/bin/python"
GO = shutil.which("go") or "/usr/local/go/bin/go"
CARGO_TARGET = REPO / ".cache/cargo-target"


def sh(cmd: list[str], **kw) -> None:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def build() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    sh([VENV_PY, "-m", "rpcc", "export", "debug_handlers", "-P", REPO / "python/examples", "-o", OUT / "live.rpc"])
    shutil.rmtree(OUT / "sdk", ignore_errors=True)
    rpcc = os.environ.get("RPCC", str(REPO / "build/bench/rpcc"))  # the copy mk/bench.mk measures
    sh([rpcc, OUT / "live.rpc", "-o", OUT / "sdk", "--package-name", "live", "--go-module", "example.com/live",
        "--lang", "python,typescript,go,rust"])
    site = OUT / "site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(OUT / "sdk/python", site / "live")
    ts = OUT / "ts"
    ts.mkdir(exist_ok=True)
    link = ts / "node_modules"  # the bundle imports centrifuge and ws from bench/node_modules
    if not link.exists():
        link.symlink_to(REPO / "bench/node_modules")
    sh([REPO / "bench/node_modules/.bin/esbuild", REPO / "bench/runtime/typescript/bench.ts", "--bundle",
        "--platform=node", "--format=esm", "--target=node20", "--log-level=warning",
        "--external:centrifuge", "--external:ws", f"--alias:live-sdk={OUT / 'sdk/typescript/index.ts'}",
        f"--outfile={ts / 'bench.mjs'}"])
    env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local")
    sh([GO, "build", "-o", OUT / "gobench", "."], cwd=REPO / "bench/runtime/go", env=env)
    cargo_env = dict(os.environ, CARGO_TARGET_DIR=str(CARGO_TARGET), CARGO_NET_OFFLINE="true")
    sh(["cargo", "build", "--release", "--locked", "--quiet"], cwd=REPO / "bench/runtime/rust", env=cargo_env)


def run() -> None:
    calls = os.environ.get("BENCH_CALLS", "2000")
    warmup = os.environ.get("BENCH_WARMUP", "200")
    rounds = os.environ.get("BENCH_ROUNDS", "3")
    max_seconds = os.environ.get("BENCH_MAX_SECONDS", "10")
    langs = os.environ.get("BENCH_LANGS", "python,typescript,go,rust").split(",")
    common = f"--calls {calls} --warmup {warmup} --rounds {rounds} --max-seconds {max_seconds}"
    drivers = {
        "python": f"{VENV_PY} {REPO}/bench/runtime/python/bench.py {OUT}/site {common}",
        "typescript": f"node {OUT}/ts/bench.mjs {common}",
        "go": f"{OUT}/gobench " + common.replace("--", "-"),
        "rust": f"{CARGO_TARGET}/release/rustbench {common}",
    }
    results = OUT / "results.jsonl"
    script = " && ".join(f"{drivers[lang]} >> {results}" for lang in langs)
    results.write_text("")
    (OUT / "load.txt").write_text(Path("/proc/loadavg").read_text())
    env = dict(os.environ, CENTRIFUGO_BIN=str(REPO / ".cache/bin/centrifugo"), PYTHONDONTWRITEBYTECODE="1")
    sh([VENV_PY, "-m", "tests.fixture", "run", "--", "sh", "-c", script], cwd=REPO, env=env)
    with (OUT / "load.txt").open("a") as f:
        f.write(Path("/proc/loadavg").read_text())
    print(f"wrote {results}")


if __name__ == "__main__":
    {"build": build, "run": run}[sys.argv[1]]()

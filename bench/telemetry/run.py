#!/usr/bin/env python3
"""Telemetry bench (issue 18): what the hooks cost, with telemetry off and on, in process and without a network, so
that the figures are the hooks' and not Centrifugo's or the machine's load.

- Python client: CentrifugoRPCClient.call against an in-process stand-in for centrifuge-python that answers at once
  (the runtime tests' fake): no hook (the default), a no-op CallHook, and rpc_telemetry.OpenTelemetryHook with the
  OpenTelemetry SDK (spans recorded, none exported).
- Bridge: Bridge.rpc_proxy_json for debug.echo: no observer (the default), PrometheusMetrics, and PrometheusMetrics
  with OpenTelemetryTracing continuing a caller's trace (SDK, spans recorded, none exported).
- Go client: `go test -bench` of runtime-templates/go (BenchmarkHook*: the protocol client against its in-process
  fake server, loopback WebSocket), no hook and a no-op hook.
- TypeScript client: bench/telemetry/client.bench.ts (bundled with esbuild, run by Node.js): CentrifugoRPCClient.call
  against an in-process fake Centrifugo (loopback WebSocket), no hook, a no-op hook (setCallHook(client, {})) and
  openTelemetryHook() with the OpenTelemetry SDK; BENCH_TS_CALLS calls a round (default CALLS / 4: a call costs more
  there). Its figures are CPU time (client and fake server in one process), steadier than wall time on a shared
  machine.

Each figure is the best of ROUNDS rounds (BENCH_ROUNDS, default 5) of CALLS calls (BENCH_CALLS, default 20000), the
variants interleaved; writes bench/telemetry/RESULTS.md. Run with `make bench-telemetry` (not part of make check).
`bench/telemetry/run.py CELL...` (python, bridge, go, typescript) measures only those cells again and keeps the other
tables of RESULTS.md as they are; each table says when it was measured.
"""

from __future__ import annotations

import asyncio
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build/bench/telemetry"
CALLS = int(os.environ.get("BENCH_CALLS", "20000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def client_variants():
    """The Python client with each hook, against the fake centrifuge client of the runtime tests."""
    sys.dont_write_bytecode = True  # nothing may be left under runtime-templates/ (rpcc embeds that tree)
    sys.path[:0] = [str(REPO / "runtime-templates/python/tests"), str(REPO / "runtime-templates/python"), str(OUT)]
    OUT.mkdir(parents=True, exist_ok=True)
    package = OUT / "benchsdk"
    shutil.rmtree(package, ignore_errors=True)
    package.mkdir()
    for name in ("rpc_client.py", "rpc_telemetry.py"):
        shutil.copy(REPO / "runtime-templates/python" / name, package / name)
    (package / "__init__.py").write_text("")
    import centrifuge
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider

    from benchsdk import rpc_client, rpc_telemetry
    from test_rpc_client import FakeClient

    centrifuge.Client = FakeClient  # the runtime's module reads centrifuge.Client at connect
    rpc_client.centrifuge.Client = FakeClient
    return {
        "no hook (default)": lambda: None,
        "no-op CallHook": rpc_client.CallHook,
        "OpenTelemetryHook (SDK)": lambda: rpc_telemetry.OpenTelemetryHook(
            tracer_provider=TracerProvider(), meter_provider=MeterProvider()),
    }, rpc_client


async def time_client(rpc_client, make_hook) -> float:
    client = rpc_client.CentrifugoRPCClient("ws://bench", "token")
    await client.connect()
    client.hook = make_hook()
    params = {"value": {"id": 42, "name": "bench", "tags": ["a", "b"], "score": 0.5}}
    for _ in range(200):
        await client.call("debug.echo", params)
    start = time.perf_counter()
    for _ in range(CALLS):
        await client.call("debug.echo", params)
    elapsed = time.perf_counter() - start
    await client.close()
    return elapsed / CALLS


def bridge_variants():
    sys.path.insert(0, str(REPO / "python/examples"))
    import prometheus_client
    from opentelemetry.sdk.trace import TracerProvider

    from rpcc import Bridge, discover
    from rpcc.telemetry import CompositeObserver, OpenTelemetryTracing, PrometheusMetrics

    router = discover(["debug_handlers"])

    def prometheus():
        return PrometheusMetrics(prometheus_client.CollectorRegistry())

    return {
        "no observer (default)": lambda: Bridge(router),
        "PrometheusMetrics": lambda: Bridge(router, telemetry=prometheus()),
        "PrometheusMetrics + OpenTelemetryTracing (SDK)": lambda: Bridge(router, telemetry=CompositeObserver(
            [prometheus(), OpenTelemetryTracing(tracer_provider=TracerProvider())])),
    }


async def time_bridge(make_bridge) -> float:
    bridge = make_bridge()
    value = {"id": 42, "name": "bench", "tags": ["a", "b"], "score": 0.5}

    def body():
        return {"client": "c", "user": "u", "method": "debug.echo",
                "data": {"value": value, "$trace": {"traceparent": TRACEPARENT}}}
    for _ in range(200):
        await bridge.rpc_proxy_json(body())
    start = time.perf_counter()
    for _ in range(CALLS):
        await bridge.rpc_proxy_json(body())
    return (time.perf_counter() - start) / CALLS


def best(variants, timer) -> dict[str, float]:
    results: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(ROUNDS):
        order = list(variants.items())
        if round_ % 2:
            order.reverse()
        for name, variant in order:
            results[name].append(asyncio.run(timer(variant)))
    return {name: min(times) for name, times in results.items()}


def go_bench() -> dict[str, float]:
    go = shutil.which("go") or "/usr/local/go/bin/go"
    proc = subprocess.run([go, "test", "-run", "^$", "-bench", "^BenchmarkHook", "-count", str(ROUNDS),
                           "-benchtime", f"{CALLS}x", "."], cwd=REPO / "runtime-templates/go", capture_output=True,
                          text=True, check=True, env=dict(os.environ, GOFLAGS="-mod=readonly", GOTOOLCHAIN="local"))
    figures: dict[str, float] = {}
    for match in re.finditer(r"^(BenchmarkHook\w+)-?\d*\s+\d+\s+([\d.]+) ns/op", proc.stdout, re.M):
        name = {"BenchmarkHookNone": "no hook (default)", "BenchmarkHookNoop": "no-op CallHook"}[match[1]]
        figures[name] = min(figures.get(name, float("inf")), float(match[2]) / 1e9)
    return figures


def ts_bench() -> dict[str, float]:
    """The TypeScript client's cell: client.bench.ts bundled with esbuild, run by Node.js (tests/typescript's
    node_modules: ws, the OpenTelemetry SDK)."""
    import json

    out = OUT / "ts"
    out.mkdir(parents=True, exist_ok=True)
    modules = out / "node_modules"
    if not modules.exists():
        modules.symlink_to(REPO / "tests/typescript/node_modules")
    subprocess.run([str(REPO / "tests/typescript/node_modules/.bin/esbuild"), "bench/telemetry/client.bench.ts",
                    "--bundle", "--platform=node", "--format=esm", "--packages=external", "--log-level=warning",
                    f"--outfile={out / 'client.bench.mjs'}"], cwd=REPO, check=True)
    calls = os.environ.get("BENCH_TS_CALLS", str(max(CALLS // 4, 1)))
    proc = subprocess.run(["node", "client.bench.mjs"], cwd=out, capture_output=True, text=True, check=True,
                          env=dict(os.environ, BENCH_CALLS=calls, BENCH_ROUNDS=str(ROUNDS)))
    return {name: float(seconds) for name, seconds in json.loads(proc.stdout).items()}


def table(title: str, figures: dict[str, float], calls: int | str, runtime: str) -> list[str]:
    base = next(iter(figures.values()))
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    cores = os.cpu_count() or 1
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    lines = [f"### {title}", "",
             f"Measured at commit {commit} ({runtime}), {calls} calls a round, best of {ROUNDS} rounds; load average "
             f"{load} on {cores} cores when it ended" +
             (": loaded, so a difference of about 10% between the first two rows is within the noise." if
              load != "?" and float(load) >= cores / 2 else "."),
             "", "| variant | µs per call | calls/s | vs. default |", "|---|---:|---:|---:|"]
    for name, seconds in figures.items():
        lines.append(f"| {name} | {seconds * 1e6:.2f} | {1 / seconds:,.0f} | {(seconds / base - 1) * 100:+.1f}% |")
    return lines + [""]


def python_cell() -> list[str]:
    variants, rpc_client = client_variants()
    return table("Python client (CentrifugoRPCClient.call, rpc transport)",
                 best(variants, lambda make: time_client(rpc_client, make)), CALLS,
                 f"Python {platform.python_version()}")


def bridge_cell() -> list[str]:
    return table("Bridge (Bridge.rpc_proxy_json, debug.echo, the call carrying a trace context)",
                 best(bridge_variants(), time_bridge), CALLS, f"Python {platform.python_version()}")


def go_cell() -> list[str]:
    go = shutil.which("go") or "/usr/local/go/bin/go"
    version = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True).stdout.strip()
    return table("Go client (Client.Call, rpc transport, fake server)", go_bench(), CALLS, version)


def ts_cell() -> list[str]:
    calls = os.environ.get("BENCH_TS_CALLS", str(max(CALLS // 4, 1)))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return table("TypeScript client (CentrifugoRPCClient.call, rpc transport, fake server; CPU time of the process)",
                 ts_bench(), calls, f"Node.js {node}")


CELLS = {"python": python_cell, "bridge": bridge_cell, "go": go_cell, "typescript": ts_cell}
HEADER = [
    "# Telemetry hooks: what they cost",
    "",
    "Generated by `make bench-telemetry` (bench/telemetry/run.py; `run.py typescript` and the like measure one table",
    "again). In process, without a network, so that the figures are the hooks' own: the Python client against an",
    "instant stand-in for centrifuge-python, the bridge called directly, the Go and TypeScript clients against their",
    "in-process fake servers (loopback WebSocket). Variants interleaved. The cost of a hook is the difference to the",
    "default; with telemetry off the Python and Go clients run the same code as before issue 18 but for one `is None`",
    "or `nil` test per call, and the TypeScript client exactly the same code (`setCallHook` replaces a client's",
    "`call` only when a hook is set). The live figures of bench/RESULTS.md were not measured again.",
    "",
]


def main() -> None:
    wanted = sys.argv[1:] or list(CELLS)
    unknown = [name for name in wanted if name not in CELLS]
    if unknown:
        sys.exit(f"usage: run.py [{' | '.join(CELLS)}]...: unknown {', '.join(unknown)}")
    results = REPO / "bench/telemetry/RESULTS.md"
    # The tables of RESULTS.md, in CELLS' order: measured again when wanted, kept otherwise.
    kept = results.read_text().split("\n### ")[1:] if results.exists() else []
    lines = list(HEADER)
    for index, (name, cell) in enumerate(CELLS.items()):
        if name in wanted or index >= len(kept):
            lines += cell()
        else:
            lines += ("### " + kept[index].rstrip("\n") + "\n").split("\n")
    results.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

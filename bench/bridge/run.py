#!/usr/bin/env python3
"""Bridge throughput: calls per second at 100 calls in flight through the real stack (Centrifugo v6 + `python -m
rpcc serve`, tests/fixture), with 1 and 2 bridge worker processes, over both transports.

    bench/bridge/run.py [--workers 1,2] [--calls 6000] [--rounds 3] [--out build/bench/bridge/results.jsonl]

The client is the Go runtime driver (bench/runtime/go, built by `bench/runtime/run.py build`): the lightest of the
three, so that the client takes as little of the machine's CPU from the server side as possible. Each round runs the
generated typed call and the raw centrifuge-go call (they alternate), `debug.echo` as in bench/RESULTS.md's runtime
table. Prints one line per (workers, transport): the median calls/s over rounds and clients, min-max.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.fixture.stack import start_stack  # noqa: E402

GOBENCH = Path(os.environ.get("GOBENCH", REPO / "build/bench/runtime/gobench"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--calls", type=int, default=6000)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--max-seconds", type=float, default=20)
    ap.add_argument("--inflight", type=int, default=100)
    ap.add_argument("--out", default=str(REPO / "build/bench/bridge/results.jsonl"))
    ap.add_argument("--label", default="", help="stored with each row (e.g. the commit measured)")
    args = ap.parse_args()
    if not GOBENCH.is_file():
        print(f"{GOBENCH} is missing: run `python3 bench/runtime/run.py build` first", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    os.environ.setdefault("CENTRIFUGO_BIN", str(REPO / ".cache/bin/centrifugo"))
    for workers in (int(w) for w in args.workers.split(",")):
        # (no extra options with 1 worker: the same call starts the bridge of an older checkout, for a baseline)
        bridge_args = {"bridge_args": ["--workers", str(workers)]} if workers != 1 else {}
        with start_stack(("debug_handlers",), **bridge_args) as stack:
            env = {**os.environ, **stack.env()}
            load_before = Path("/proc/loadavg").read_text().split()[:3]
            res = subprocess.run([str(GOBENCH), "-calls", str(args.calls), "-warmup", str(args.warmup),
                                  "-rounds", str(args.rounds), "-max-seconds", str(args.max_seconds),
                                  "-inflight", str(args.inflight)], env=env, capture_output=True, text=True,
                                 check=True)
            load_after = Path("/proc/loadavg").read_text().split()[:3]
        for line in res.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                row["calls"] = len(row.pop("lat_us"))
                row.update(workers=workers, label=args.label, load_before=load_before, load_after=load_after)
                rows.append(row)
    with out.open("w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    print(f"{'workers':>7}  {'transport':<9} {'calls/s median (min-max)':<28} load before/after")
    for workers in sorted({r["workers"] for r in rows}):
        for transport in ("rpc", "pubsub"):
            cell = [r for r in rows if r["workers"] == workers and r["transport"] == transport]
            rates = sorted(r["calls"] / r["elapsed_s"] for r in cell)
            if rates:
                spread = f"{statistics.median(rates):>8,.0f} ({rates[0]:,.0f}-{rates[-1]:,.0f})"
                print(f"{workers:>7}  {transport:<9} {spread:<28} {' '.join(cell[0]['load_before'])} / "
                      f"{' '.join(cell[0]['load_after'])}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

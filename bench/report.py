#!/usr/bin/env python3
"""Writes bench/RESULTS.md and bench/plots/*.png from what `make bench` measured (build/bench/...).

    report.py [--no-plots]

Inputs: build/bench/codegen/results.json (bench/codegen/run.py), build/bench/runtime/results.jsonl
(bench/runtime/run.py), build/bench/profile/summary.md (bench/profile.sh), bench/bundle/RESULTS.md (make
bench-bundle, when present), and machine facts read now. Everything is regenerated from scratch.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "build/bench"
PLOTS = REPO / "bench/plots"
TOOL_ORDER = ["rpcc", "copy", "protoc", "protoc-py", "flatc", "thrift"]
# Issue 14's targets: all three languages in one invocation of the bench schema.
TARGETS = {1000: {"ms": 25, "mib": 16, "instructions": 150e6}, 10000: {"ms": 250, "mib": 64}}
TARGET_GROWTH = 10.5  # instructions from 1,000 to 10,000 methods
TARGET_COPY_FACTOR = 3  # rpcc's wall time over cp -r of its own output, at 1,000
TARGET_THRIFT_FACTOR = 15  # thrift's wall time over rpcc's, at 1,000, measured side by side


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()


def machine(codegen: dict | None) -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "frontend", "ir", "backends",
                                                 "cli", "grammar", "runtime-templates") else ""
    if codegen and codegen.get("commit"):
        changed = [line.strip() for line in codegen.get("dirty", []) if line.strip()]
        dirty = (f" with uncommitted changes in the shared work tree, which build/rpcc was built from: "
                 f"{', '.join(f'`{c}`' for c in changed)}" if changed else "")
        return [f"- commit `{codegen['commit']}`{dirty} (when the codegen runs started)",
                f"- machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, {mem_mib()} MiB RAM, {platform.platform()}"]
    return [
        f"- commit `{git('rev-parse', 'HEAD')}`{dirty}, {git('log', '-1', '--format=%cd', '--date=iso')}",
        f"- machine: {os.cpu_count()} CPUs (nproc), {cpu}, {int(mem) // 1024} MiB RAM, {platform.platform()}",
    ]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def mem_mib() -> int:
    return int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1]) // 1024


def ms(x: float) -> str:
    return f"{x * 1000:.0f}" if x >= 0.1 else f"{x * 1000:.1f}"


def spread(s: dict, scale=1.0, fmt=None) -> str:
    f = fmt or (lambda v: f"{v * scale:.0f}")
    return f"{f(s['median'])} ({f(s['min'])}–{f(s['max'])})"


def codegen_section(res: dict, plots: bool) -> list[str]:
    cells = res["cells"]
    by = {(c["n"], c["tool"]): c for c in cells}
    tools = [t for t in TOOL_ORDER if any(c["tool"] == t for c in cells)]
    out = ["## Code generation", "",
           f"Load average before the runs: `{res['load_before']}`; after: `{res.get('load_after', '?')}`.", "",
           "Wall time in ms: median (min–max) of the runs; peak RSS in MiB: median. "
           "`× rpcc` is the tool's median over rpcc's median at the same N (above 1: slower than rpcc). "
           "Every tool writes all its languages in one invocation, into an empty directory.", ""]
    out.append("| N | tool | runs | wall ms, median (min–max) | IQR ms | × rpcc | peak RSS MiB | files | output MB |")
    out.append("|---:|---|---:|---|---|---:|---:|---:|---:|")
    for n in res["sizes"]:
        base = by.get((n, "rpcc"))
        for t in tools:
            c = by.get((n, t))
            if c is None:
                continue
            if "skipped" in c:
                out.append(f"| {n:,} | {t} | 0 | {c['skipped']} | | | | | |")
                continue
            w = c["wall"]
            ratio = w["median"] / base["wall"]["median"] if base else float("nan")
            out.append(f"| {n:,} | {t} | {w['n']} | {ms(w['median'])} ({ms(w['min'])}–{ms(w['max'])}) | "
                       f"{ms(w['q1'])}–{ms(w['q3'])} | {ratio:.2f} | {c['rss_kib']['median'] / 1024:.1f} | "
                       f"{c['files']:,} | {c['bytes'] / 1e6:.1f} |")
    out += ["", "What each tool generates here (one invocation each):", ""]
    out += [f"- **{t}**: {res['tools'][t]['langs']}. `{res['tools'][t]['cmd']}`" for t in tools if t in res["tools"]]
    out += ["", "Versions: " + "; ".join(f"{k} `{v}`" for k, v in res.get("versions", {}).items()), ""]

    # Targets (issue 14).
    cg = res.get("callgrind", {})
    out += ["### Targets", "",
            "Issue 14's targets, each stated as met or missed with the figure (wall times and RSS are medians of the "
            "runs above; instructions from callgrind):", ""]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    for n, target in TARGETS.items():
        r = by.get((n, "rpcc"))
        if not r or "wall" not in r:
            out.append(f"- N={n:,}: not measured in this run.")
            continue
        wall, rss = r["wall"]["median"] * 1000, r["rss_kib"]["median"] / 1024
        out.append(f"- N={n:,}, wall ≤ {target['ms']} ms: **{wall:.1f} ms** — {verdict(wall <= target['ms'])}"
                   + ("" if wall <= target["ms"] else f" ({wall / target['ms']:.1f}× the target)") + ".")
        out.append(f"- N={n:,}, peak RSS ≤ {target['mib']} MiB: **{rss:.1f} MiB** — {verdict(rss <= target['mib'])}"
                   + ("" if rss <= target["mib"] else f" ({rss / target['mib']:.1f}× the target)") + ".")
        if "instructions" in target and str(n) in cg:
            count = cg[str(n)]
            out.append(f"- N={n:,}, ≤ {target['instructions'] / 1e6:.0f} million instructions: "
                       f"**{count / 1e6:.0f} million** — {verdict(count <= target['instructions'])}"
                       + ("" if count <= target["instructions"] else f" ({count / target['instructions']:.1f}× the "
                          "target)") + ".")
    if "1000" in cg and "10000" in cg:
        growth = cg["10000"] / cg["1000"]
        out.append(f"- instructions from N=1,000 to N=10,000 ≤ {TARGET_GROWTH}×: **{growth:.2f}×** — "
                   f"{verdict(growth <= TARGET_GROWTH)}.")
    r, cp, th = by.get((1000, "rpcc")), by.get((1000, "copy")), by.get((1000, "thrift"))
    if r and cp and "wall" in cp:
        f = r["wall"]["median"] / cp["wall"]["median"]
        out.append(f"- N=1,000, within {TARGET_COPY_FACTOR}× of `cp -r` of its own output "
                   f"({cp['wall']['median'] * 1000:.1f} ms): **{f:.1f}×** — {verdict(f <= TARGET_COPY_FACTOR)}.")
    if r and th and "wall" in th:
        f = th["wall"]["median"] / r["wall"]["median"]
        out.append(f"- N=1,000, ahead of thrift by ≥ {TARGET_THRIFT_FACTOR}× (same run, turn by turn): thrift "
                   f"{th['wall']['median'] * 1000:.0f} ms, **{f:.1f}×** — {verdict(f >= TARGET_THRIFT_FACTOR)}.")
    peers = res.get("callgrind_peers", {})
    for key, count in sorted(peers.items()):
        tool, n = key.split("@")
        mine = cg.get(n)
        if mine:
            out.append(f"- instructions at N={int(n):,}: {tool} {count / 1e6:,.0f} million, rpcc {mine / 1e6:,.0f} "
                       f"million: {tool} executes {count / mine:.1f}× as many.")
    for n in res["sizes"]:
        if (n, "rpcc") not in by or "wall" not in by[(n, "rpcc")]:
            continue
        slower = [t for t in tools if t not in ("rpcc", "copy") and (n, t) in by and "wall" in by[(n, t)]
                  and by[(n, t)]["wall"]["median"] < by[(n, "rpcc")]["wall"]["median"]]
        out.append(f"- N={n:,}: faster than every other compiler: "
                   + ("**yes**." if not slower else f"**no**, faster than rpcc: {', '.join(slower)}."))
    if cg:
        out += ["", "### Growth with N", "",
                "Instructions executed by rpcc (valgrind callgrind: the same count whatever the load) and wall time "
                "per method:", "", "| N | instructions | instructions per method | wall ms | µs per method |",
                "|---:|---:|---:|---:|---:|"]
        for n in res["sizes"]:
            if str(n) in cg and (n, "rpcc") in by:
                w = by[(n, "rpcc")]["wall"]["median"]
                out.append(f"| {n:,} | {cg[str(n)]:,} | {cg[str(n)] / n:,.0f} | {w * 1000:.1f} | {w / n * 1e6:.0f} |")
        ns = [n for n in res["sizes"] if str(n) in cg]
        if len(ns) >= 2:
            a, b = ns[-2], ns[-1]
            out += ["", f"From N={a:,} to N={b:,} ({b / a:.0f}× the methods) rpcc executes "
                    f"{cg[str(b)] / cg[str(a)]:.1f}× the instructions."]
    if plots:
        out += ["", "![wall time against N](plots/codegen_time.png)", "", "![peak RSS against N](plots/codegen_rss.png)"]
    return out + [""]


def pct(values: list[int], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def runtime_section(path: Path, plots: bool) -> list[str]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    groups: dict = defaultdict(list)
    for r in rows:
        groups[(r["lang"], r["transport"], r["inflight"], r["kind"])].append(r)
    load = (BUILD / "runtime/load.txt").read_text().split("\n") if (BUILD / "runtime/load.txt").exists() else []
    out = ["## Runtime: generated typed call against the raw SDK call", "",
           "Method `debug.echo` with `{\"value\": {\"id\": 42, \"name\": \"bench\", \"tags\": [\"a\", \"b\"], "
           "\"score\": 0.5}}`, against the real fixture (Centrifugo v6 + the Python bridge, tests/fixture) on "
           "loopback. *generated*: the rpcc SDK's typed method (Python: pydantic model in, model_validate out; "
           "TypeScript: typed call; Go: rpcc's own protocol client with encoding/json). *raw*: the SDK call for the "
           "same method (centrifuge-python `client.rpc`, centrifuge npm `rpc`, centrifuge-go `RPC` with "
           "encoding/json on both sides); over pub/sub the raw side subscribes to `user#<id>`, publishes "
           "`{method, params, correlation_id, reply_to}` and matches the reply, written minimally in each "
           "language (bench/runtime/*/).", "",
           "Each cell: rounds in which generated and raw alternate (and which goes first alternates), after a "
           "warm-up; latencies pooled over the rounds; calls/s is the median of the rounds (min–max). "
           "Overhead p50 = generated p50 / raw p50 − 1; overhead calls/s = raw calls/s / generated calls/s − 1 "
           "(both: positive means the generated call is slower). Compare an overhead with the spread of the p50 of "
           "each round: where the rounds of one client differ by more than the overhead, the overhead is noise. "
           f"Load before/after: `{load[0] if load else '?'}` / `{load[1] if len(load) > 1 else '?'}`.", "",
           "| language | transport | in flight | client | calls | p50 µs | p50 of each round µs | p99 µs | "
           "calls/s median (min–max) | overhead p50 | overhead calls/s |",
           "|---|---|---:|---|---:|---:|---|---:|---|---:|---:|"]
    summary = {}
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2], k[3] != "generated")):
        runs = groups[key]
        lat = [x for r in runs for x in r["lat_us"]]
        rates = sorted(len(r["lat_us"]) / r["elapsed_s"] for r in runs)
        summary[key] = (pct(lat, 50), pct(lat, 99), statistics.median(rates), rates[0], rates[-1], len(lat),
                        sorted(pct(r["lat_us"], 50) for r in runs))
    for key, (p50, p99, rate, lo, hi, count, round_p50) in summary.items():
        lang, transport, inflight, kind = key
        extra = ["", ""]
        if kind == "generated" and (lang, transport, inflight, "raw") in summary:
            raw = summary[(lang, transport, inflight, "raw")]
            extra = [f"{(p50 / raw[0] - 1) * 100:+.1f}%", f"{(raw[2] / rate - 1) * 100:+.1f}%"]
        rp = ", ".join(f"{x:,.0f}" for x in round_p50)
        out.append(f"| {lang} | {transport} | {inflight} | {kind} | {count:,} | {p50:,.0f} | {rp} | {p99:,.0f} | "
                   f"{rate:,.0f} ({lo:,.0f}–{hi:,.0f}) | {extra[0]} | {extra[1]} |")
    out += ["", "### Targets", ""]
    worst = []
    for (lang, transport, inflight, kind), s in summary.items():
        if kind == "generated" and (lang, transport, inflight, "raw") in summary:
            raw = summary[(lang, transport, inflight, "raw")]
            worst.append(((s[0] / raw[0] - 1) * 100, f"{lang}/{transport}/{inflight}"))
    if worst:
        worst.sort()
        over = [w for w in worst if w[0] > 5]
        out.append(f"- generated-call overhead within 5% of the raw SDK call (p50): "
                   + ("met in every cell." if not over else
                      f"**missed in {len(over)} of {len(worst)} cells**: "
                      + ", ".join(f"{name} {v:+.1f}%" for v, name in over) + "."))
    go = [(k, s) for k, s in summary.items() if k[0] == "go" and k[3] == "generated"]
    if go:
        verdict = []
        for (lang, transport, inflight, _), s in go:
            raw = summary.get((lang, transport, inflight, "raw"))
            if raw:
                verdict.append(f"{transport}/{inflight}: {s[2]:,.0f} vs {raw[2]:,.0f} calls/s, p50 {s[0]:,.0f} vs "
                               f"{raw[0]:,.0f} µs")
        slower = [(k, s) for k, s in go if (raw := summary.get((*k[:3], "raw"))) and s[2] < raw[2]]
        out.append("- Go runtime at least as fast as centrifuge-go (calls/s): "
                   + ("met in every cell" if not slower else f"**missed in {len(slower)} of {len(go)} cells**")
                   + ": " + "; ".join(verdict) + ".")
    if plots:
        out += ["", "![p50 latency, generated vs raw](plots/runtime_latency.png)"]
    return out + [""]


def make_plots(codegen: dict | None, runtime: Path | None) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    PLOTS.mkdir(parents=True, exist_ok=True)
    # Only the plots of what was measured this time are redrawn; the others stay with their kept sections.
    for old in PLOTS.glob("*.png"):
        if (codegen and old.name.startswith("codegen_")) or (runtime and old.name.startswith("runtime_")):
            old.unlink()
    if codegen:
        for metric, fname, label in (("wall", "codegen_time.png", "wall time, ms (median; bars: min–max)"),
                                     ("rss_kib", "codegen_rss.png", "peak RSS, MiB (median)")):
            fig, ax = plt.subplots(figsize=(9, 4.5))
            for t in TOOL_ORDER:
                cs = [c for c in codegen["cells"] if c["tool"] == t and metric in c]
                if not cs:
                    continue
                xs = [c["n"] for c in cs]
                scale = 1000 if metric == "wall" else 1 / 1024
                ys = [c[metric]["median"] * scale for c in cs]
                err = [[y - c[metric]["min"] * scale for y, c in zip(ys, cs)],
                       [c[metric]["max"] * scale - y for y, c in zip(ys, cs)]]
                ax.errorbar(xs, ys, yerr=err if metric == "wall" else None, marker="o", capsize=3, label=t)
            key = "ms" if metric == "wall" else "mib"
            unit = "ms" if metric == "wall" else "MiB"
            ax.plot(list(TARGETS), [t[key] for t in TARGETS.values()], color="grey", linestyle=":", marker="x",
                    label="targets: " + ", ".join(f"{t[key]} {unit} at {n:,}" for n, t in TARGETS.items()))
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("methods (N)")
            ax.set_ylabel(label)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # outside: no point hidden
            fig.tight_layout()
            fig.savefig(PLOTS / fname, dpi=110)
            plt.close(fig)
    if runtime:
        rows = [json.loads(line) for line in runtime.read_text().splitlines() if line.strip()]
        groups: dict = defaultdict(list)
        for r in rows:
            groups[(r["lang"], r["transport"], r["inflight"], r["kind"])].extend(r["lat_us"])
        cells = sorted({k[:3] for k in groups})
        fig, ax = plt.subplots(figsize=(10, 4.5))
        width = 0.4
        for i, kind in enumerate(("generated", "raw")):
            ys = [pct(groups.get((*c, kind), [0]), 50) / 1000 for c in cells]
            ax.bar([x + (i - 0.5) * width for x in range(len(cells))], ys, width, label=kind)
        ax.set_xticks(range(len(cells)))
        ax.set_xticklabels([f"{lang}\n{tr}\n{n} in flight" for lang, tr, n in cells], fontsize=7)
        ax.set_ylabel("p50 latency, ms")
        ax.set_yscale("log")
        ax.legend()
        ax.grid(True, axis="y", which="both", alpha=0.3)
        fig.tight_layout()
        fig.savefig(PLOTS / "runtime_latency.png", dpi=110)
        plt.close(fig)


def previous_section(prefix: str) -> list[str]:
    """The section of the current bench/RESULTS.md whose heading starts with `prefix`, marked as kept, or []."""
    path = REPO / "bench/RESULTS.md"
    lines = path.read_text().splitlines() if path.exists() else []
    start = next((i for i, line in enumerate(lines) if line.startswith(prefix)), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    body = [line for line in lines[start + 1:end] if not line.startswith("*Kept from the previous report")]
    while body and not body[0].strip():
        body.pop(0)
    return [lines[start], "", "*Kept from the previous report: not measured again by the run that wrote this file.*",
            "", *body]


def main() -> int:
    plots = "--no-plots" not in sys.argv
    codegen_path = BUILD / "codegen/results.json"
    runtime_path = BUILD / "runtime/results.jsonl"
    codegen = json.loads(codegen_path.read_text()) if codegen_path.exists() else None
    runtime = runtime_path if runtime_path.exists() and runtime_path.stat().st_size else None
    if plots:
        make_plots(codegen, runtime)
    out = ["# rpcc benchmarks", "",
           "Written by `make bench` (bench/report.py) from one run on one machine; re-running it regenerates this "
           "file and bench/plots/ from scratch. Times are wall-clock medians with their spread; the machine may be "
           "shared, so the instruction counts (callgrind) are the noise-free companion of the codegen times.", ""]
    out += machine(codegen) + [""]
    notes = REPO / "bench/NOTES.md"
    if notes.exists():
        out += [notes.read_text().strip(), ""]
    out += codegen_section(codegen, plots) if codegen else ["## Code generation", "", "(not run)", ""]
    profile = BUILD / "profile/summary.md"
    findings = REPO / "bench/FINDINGS.md"
    if findings.exists():
        out += [findings.read_text().strip(), ""]
    if profile.exists():
        out += [profile.read_text().strip(), ""]
    else:
        out += previous_section("## Profile of rpcc") or ["## Profile of rpcc", "", "(not run)", ""]
    if runtime:
        out += runtime_section(runtime, plots)
    else:
        out += previous_section("## Runtime") or ["## Runtime", "", "(not run)", ""]
    bridge = REPO / "bench/bridge/RESULTS.md"  # `make bench-bridge`: written by hand from its runs
    if bridge.exists():
        text = bridge.read_text().strip().splitlines()
        out += text[:1] if text and text[0].startswith("## ") else ["## Bridge throughput"]
        out += ["", "From bench/bridge/RESULTS.md (`make bench-bridge`), included as it was when this report was "
                "written:", ""]
        body = text[1:] if text and text[0].startswith("#") else text
        out += [line.replace("## ", "### ", 1) if line.startswith("## ") else line for line in body] + [""]
    bundle = REPO / "bench/bundle/RESULTS.md"
    out += ["## Browser bundle size", ""]
    if bundle.exists():
        text = bundle.read_text().strip().splitlines()
        if text and text[0].startswith("# "):
            text = text[1:]
        out += ["From bench/bundle/RESULTS.md (`make bench-bundle`, the browser example's own benchmark), "
                "included as it was when this report was written:", ""]
        out += [line.replace("## ", "### ", 1) if line.startswith("## ") else line for line in text]
    else:
        out += ["**Not available yet**: `make bench-bundle` (mk/web.mk) has not written bench/bundle/RESULTS.md."]
    (REPO / "bench/RESULTS.md").write_text("\n".join(out).rstrip() + "\n")
    print("wrote bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Times rpcc against protoc, flatc and thrift on the synthetic schemas of gen_schemas.py, in one run.

    run.py --rpcc build/rpcc --out build/bench/codegen [--sizes 10,100,1000,10000] [--runs 7] [--big-runs 5]
           [--callgrind] [--smoke]

Each run goes through measure.c, a small C parent (fork, exec, wait4): wall time and the command's peak RSS
(ru_maxrss of the child of a small process, not of a fork of this Python timer).
For every size N the four schemas are written, each tool runs once untimed (warm-up: page cache, dynamic loader),
then the tools take turns, run after run (rpcc, copy, protoc, flatc, thrift, rpcc, ...), so that a change of load
on the shared machine hits all of them alike. Each run writes into a fresh, empty directory (removed before the
clock starts). Wall time is measured around fork+exec+wait; peak RSS is ru_maxrss from wait4(), which covers the
process and the children it waited for (protoc's plugins), as the largest of them, not their sum.

`copy` is the I/O floor: `cp -r` of rpcc's own output tree for the same schema (the same files and bytes written,
with no compiling). With --callgrind, rpcc also runs under valgrind's callgrind at every size: instruction counts
are the same whatever the load, the noise-free secondary metric; at N=1,000 thrift (the fastest peer) is counted
too. --smoke: N=10 only, one run each, and it fails
unless every tool exits 0 and writes files (the `make check` smoke test).

Writes OUT/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_schemas  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def tool_path(name: str, extra: list[Path]) -> str | None:
    for d in extra:
        if (d / name).exists():
            return str(d / name)
    return shutil.which(name)


def commands(args: argparse.Namespace, schemas: dict[str, Path], out: Path, ref: Path) -> dict[str, dict]:
    """name -> {cmd, dirs (to create before the run), langs}."""
    extra = [REPO / ".cache/bench/bin", REPO / "bench/node_modules/.bin"]
    tools: dict[str, dict] = {
        "rpcc": {"cmd": [args.rpcc, str(schemas["rpc"]), "-o", str(out)], "dirs": [],
                 "langs": "python, typescript, go (types + typed client + runtime)"},
        "copy": {"cmd": ["cp", "-r", str(ref), str(out)], "dirs": [], "langs": "cp -r of rpcc's output (I/O floor)"},
    }
    protoc = tool_path("protoc", [])
    gen_go = tool_path("protoc-gen-go", extra)
    ts_proto = tool_path("protoc-gen-ts_proto", extra)
    if protoc:
        cmd = [protoc, f"-I{schemas['proto'].parent}", f"--python_out={out}/python"]
        langs = ["python (messages)"]
        dirs = [out / "python"]
        if gen_go:
            cmd += [f"--plugin=protoc-gen-go={gen_go}", f"--go_out={out}/go", "--go_opt=paths=source_relative"]
            langs.append("go (messages, protoc-gen-go)")
            dirs.append(out / "go")
        if ts_proto:
            cmd += [f"--plugin=protoc-gen-ts_proto={ts_proto}", f"--ts_proto_out={out}/ts",
                    "--ts_proto_opt=outputServices=generic-definitions"]
            langs.append("ts (messages + service definitions, ts-proto)")
            dirs.append(out / "ts")
        tools["protoc"] = {"cmd": cmd + [str(schemas["proto"])], "dirs": dirs, "langs": ", ".join(langs)}
        # protoc's own C++ generator alone: protoc itself without the plugins' cost.
        tools["protoc-py"] = {"cmd": [protoc, f"-I{schemas['proto'].parent}", f"--python_out={out}/python",
                                      str(schemas["proto"])], "dirs": [out / "python"],
                              "langs": "python only (protoc's built-in generator, no plugin)"}
    flatc = tool_path("flatc", [])
    if flatc:
        tools["flatc"] = {"cmd": [flatc, "--python", "--ts", "--go", "-o", str(out), str(schemas["fbs"])],
                          "dirs": [], "langs": "python, ts, go (tables; rpc_service parsed, no client stubs)"}
    thrift = tool_path("thrift", [])
    if thrift:
        tools["thrift"] = {"cmd": [thrift, "-o", str(out), "--gen", "py", "--gen", "go", "--gen", "js:ts",
                                   str(schemas["thrift"])], "dirs": [out],
                           "langs": "py, go, js + .d.ts (structs + service clients)"}
    return tools


MEASURE: list[str] = []


def build_measure(work: Path) -> None:
    """Compiles measure.c (a C parent for fork/exec/wait4: see its comment) into WORK/measure."""
    src, exe = Path(__file__).resolve().parent / "measure.c", work / "measure"
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-O2", "-o", str(exe), str(src)], check=True)
    MEASURE[:] = [str(exe)]


def run_once(cmd: list[str], out: Path, dirs: list[Path]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, exit status), out removed first and dirs created, both untimed."""
    if out.exists():
        shutil.rmtree(out)
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(MEASURE + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.decode(errors="replace")
    last = err.rstrip().splitlines()[-1] if err.strip() else ""
    if not last.startswith("measure: "):
        sys.stderr.write(f"{cmd[0]}: no measurement:\n{err[-2000:]}\n")
        return float("nan"), 0, proc.returncode or 1
    _, wall, rss, code = last.split()
    if int(code) != 0:
        sys.stderr.write(f"{cmd[0]} exited {code}:\n{err[-2000:]}\n")
    return float(wall), int(rss), int(code)


def tree_size(path: Path) -> tuple[int, int]:
    files = size = 0
    for root, _, names in os.walk(path):
        for n in names:
            files += 1
            size += os.path.getsize(os.path.join(root, n))
    return files, size


def summary(values: list[float]) -> dict:
    values = sorted(values)
    q = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else [values[0]] * 3
    return {"median": statistics.median(values), "min": values[0], "max": values[-1], "q1": q[0], "q3": q[2],
            "n": len(values), "all": values}


def callgrind(rpcc: str, schema: Path, out: Path, work: Path, tag: str, cmd: list[str] | None = None) -> int:
    """Instructions of rpcc on `schema` (or of `cmd`, another tool's command, which writes under `out`)."""
    cg = work / f"callgrind.{tag}.out"
    if out.exists():
        shutil.rmtree(out)
    if cmd:
        out.mkdir(parents=True)
    # thrift runs its generators in-process: the count is all of its work.
    subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=no", f"--callgrind-out-file={cg}",
                    *(cmd or [rpcc, str(schema), "-o", str(out)])],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for line in cg.read_text(errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {cg}")


def version(cmd: list[str]) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rpcc", default=str(REPO / "build/rpcc"))
    ap.add_argument("--out", default=str(REPO / "build/bench/codegen"))
    ap.add_argument("--sizes", default="10,100,1000,10000")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 9)))
    ap.add_argument("--big-runs", type=int, default=int(os.environ.get("BENCH_BIG_RUNS", 5)),
                    help="runs at N >= 10000")
    ap.add_argument("--slow", type=float, default=float(os.environ.get("BENCH_SLOW", 30)),
                    help="a tool whose warm-up run takes longer runs once at that size and not at larger ones")
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    if args.smoke:
        args.sizes, args.runs = "10", 1
    work = Path(args.out)
    work.mkdir(parents=True, exist_ok=True)
    build_measure(work)
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict = {"sizes": sizes, "tools": {}, "cells": [], "callgrind": {},
                     "load_before": Path("/proc/loadavg").read_text().strip(),
                     "commit": subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True,
                                              text=True).stdout.strip(),
                     "dirty": subprocess.run(["git", "status", "--porcelain", "--", "frontend", "ir", "backends",
                                              "cli", "grammar", "runtime-templates", "Makefile"], cwd=REPO,
                                             capture_output=True, text=True).stdout.split("\n")[:20]}
    failed = False
    skipped: dict[str, str] = {}
    for n in sizes:
        schemas = gen_schemas.write(n, work / f"schemas/{n}")
        ref = work / f"ref/{n}"
        if ref.exists():
            shutil.rmtree(ref)
        subprocess.run([args.rpcc, str(schemas["rpc"]), "-o", str(ref)], check=True)
        tools = commands(args, schemas, work / "out/TOOL", ref)
        runs = args.big_runs if n >= 10000 else args.runs
        for t in list(tools):
            if t in skipped:
                results["cells"].append({"n": n, "tool": t, "skipped": skipped[t]})
                del tools[t]
        samples: dict[str, dict[str, list]] = {t: {"wall": [], "rss": []} for t in tools}
        sizes_out: dict[str, tuple[int, int]] = {}
        for t, spec in tools.items():  # warm-up, and the size of what each tool writes
            out = work / f"out/{t}"
            cmd = [c.replace(str(work / "out/TOOL"), str(out)) for c in spec["cmd"]]
            dirs = [Path(str(d).replace(str(work / "out/TOOL"), str(out))) for d in spec["dirs"]]
            spec["cmd_real"], spec["dirs_real"] = cmd, dirs
            wall, rss, rc = run_once(cmd, out, dirs)
            sizes_out[t] = tree_size(out)
            if wall > args.slow and not args.smoke:
                # Too slow to repeat: this one run is the sample (n=1), and larger sizes are not run.
                spec["single"] = (wall, rss)
                skipped[t] = f"not run: {wall:.0f} s at N={n}"
                print(f"N={n}: {t} took {wall:.1f} s, one run only; skipped at larger N", flush=True)
            if rc != 0 or sizes_out[t][0] == 0:
                failed = True
                print(f"FAIL {t} at N={n}: exit {rc}, {sizes_out[t][0]} files", file=sys.stderr)
        if args.smoke:
            print("smoke: N=10 " + ", ".join(f"{t}: {f} files" for t, (f, _) in sizes_out.items()))
            continue
        for r in range(runs):
            for t, spec in tools.items():
                if "single" in spec:
                    if r == 0:
                        samples[t]["wall"].append(spec["single"][0])
                        samples[t]["rss"].append(spec["single"][1])
                    continue
                wall, rss, rc = run_once(spec["cmd_real"], work / f"out/{t}", spec["dirs_real"])
                failed |= rc != 0
                samples[t]["wall"].append(wall)
                samples[t]["rss"].append(rss)
            print(f"N={n} run {r + 1}/{runs}: " + ", ".join(f"{t} {s['wall'][-1] * 1000:.0f} ms"
                                                              for t, s in samples.items()), flush=True)
        for t, s in samples.items():
            results["cells"].append({"n": n, "tool": t, "wall": summary(s["wall"]), "rss_kib": summary(s["rss"]),
                                     "files": sizes_out[t][0], "bytes": sizes_out[t][1]})
        for t, spec in tools.items():
            results["tools"][t] = {"langs": spec["langs"], "cmd": " ".join(spec["cmd"]).replace(str(work), "$OUT")}
        if args.callgrind:
            results["callgrind"][str(n)] = callgrind(args.rpcc, schemas["rpc"], work / "out/cg", work, str(n))
            print(f"N={n}: rpcc {results['callgrind'][str(n)]:,} instructions (callgrind)", flush=True)
            # The fastest peer at the size issue 14 compares at: its instruction count beside rpcc's.
            if n == 1000 and "thrift" in tools:
                out = work / "out/cg-thrift"
                cmd = [c.replace(str(work / "out/TOOL"), str(out)) for c in tools["thrift"]["cmd"]]
                count = callgrind(args.rpcc, schemas["rpc"], out, work, f"thrift.{n}", cmd)
                results.setdefault("callgrind_peers", {})[f"thrift@{n}"] = count
                print(f"N={n}: thrift {count:,} instructions (callgrind)", flush=True)
        shutil.rmtree(work / "out", ignore_errors=True)
    if args.smoke:
        return 1 if failed else 0
    results["load_after"] = Path("/proc/loadavg").read_text().strip()
    results["versions"] = {
        "rpcc": version([args.rpcc, "--version"]),
        "protoc": version(["protoc", "--version"]),
        "protoc-gen-go": version([tool_path("protoc-gen-go", [REPO / ".cache/bench/bin"]) or "protoc-gen-go",
                                  "--version"]),
        "ts-proto": json.loads((REPO / "bench/node_modules/ts-proto/package.json").read_text())["version"]
        if (REPO / "bench/node_modules/ts-proto/package.json").exists() else "not installed",
        "flatc": version(["flatc", "--version"]),
        "thrift": version(["thrift", "--version"]),
        "node": version(["node", "--version"]),
        "python": platform.python_version(),
    }
    (work / "results.json").write_text(json.dumps(results, indent=1))
    print(f"wrote {work / 'results.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Where rpcc's time and memory go on the 10,000-method schema: callgrind (instructions, by stage and by function)
and massif (heap over time, the allocation sites at the peak). Writes OUT/summary.md for bench/RESULTS.md.

    profile.py RPCC OUT [N] [--reuse]   (N = 10000; bench/codegen/gen_schemas.py writes the schema; --reuse only
                                         summarizes the callgrind.out and massif.out already in OUT)

Instruction counts do not depend on the machine's load, so this part of the report is reproducible to the
instruction for the same binary and input. Raw outputs stay in OUT (callgrind.out, massif.out) for
callgrind_annotate, kcachegrind and ms_print.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "codegen"))
import gen_schemas  # noqa: E402

STAGES = [
    ("load_program", "read, lex, parse (frontend)"),
    ("ir_lower", "lower and resolve (ir)"),
    ("ir_check_lowered", "validate, name, analyses (ir)"),
    ("backends/python.c:emit", "Python backend"),
    ("backends/typescript.c:emit", "TypeScript backend"),
    ("backends/go.c:go_emit", "Go backend"),
    ("overview_emit", "README overviews"),
    ("output_tree_write", "compare with disk and write files"),
    ("arena_free", "free the arenas"),
    ("output_tree_free", "free the output tree"),
]
# rpcc's own allocation wrappers: massif charges their callers instead (an arena chunk goes to whoever opened it).
ALLOC_FNS = ["checked_malloc", "checked_realloc", "arena_alloc", "arena_strndup", "arena_strdup", "arena_printf",
             "strbuf_grow", "strbuf_append", "strbuf_puts", "strbuf_printf"]
LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*?)\s*(\[.*\])?$")


def annotate(cg: Path, inclusive: bool) -> list[tuple[int, float, str]]:
    text = subprocess.run(["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100",
                           str(cg)], capture_output=True, text=True, check=True).stdout
    rows, seen = [], set()
    repo = str(Path(__file__).resolve().parents[1]) + "/"
    for line in text.splitlines():
        m = LINE.match(line)
        if m and "PROGRAM TOTALS" not in line:
            # callgrind names a function once by its absolute path and once by its relative one: keep one.
            name = m.group(3).replace(repo, "")
            if name.startswith("???:0x") or name in seen:
                continue
            seen.add(name)
            rows.append((int(m.group(1).replace(",", "")), float(m.group(2)), name))
    return rows


def total(cg: Path) -> int:
    for line in cg.read_text(errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError("no totals")


def massif_peak(ms: Path) -> tuple[int, int, list[str]]:
    text = ms.read_text()
    snaps = text.split("snapshot=")[1:]
    best = None
    for s in snaps:
        heap = int(re.search(r"mem_heap_B=(\d+)", s).group(1))
        extra = int(re.search(r"mem_heap_extra_B=(\d+)", s).group(1))
        if "heap_tree=peak" in s:
            best = (heap, extra, s)
    # The detailed tree of the peak snapshot: top-level allocation sites, first two levels.
    sites = []
    for line in best[2].splitlines():
        m = re.match(r"^( *)n\d+: (\d+) (0x[0-9A-F]+: )?(.*)$", line)
        if m and 1 <= len(m.group(1)) <= 2:
            indent, size, _, where = m.groups()
            where = re.sub(r" \(in /[^)]*\)", "", where)
            sites.append(f"{'  ' * (len(indent) - 1)}- {int(size) / 2**20:.1f} MiB ({int(size) / best[0] * 100:.1f}%) "
                         f"{where[:140]}")
    groups = {"output buffers (printer_*, the files held until written)": 0, "source text (source.c)": 0,
              "AST (parser.y, still alive while the IR is built)": 0,
              "IR, names and symbol tables (lower, check_names, namer, strmap)": 0, "other": 0}
    for line in best[2].splitlines():
        m = re.match(r"^ n\d+: (\d+) (0x[0-9A-F]+: )?(.*)$", line)
        if not m:
            continue
        size, where = int(m.group(1)), m.group(3)
        if where.startswith("printer_"):
            groups["output buffers (printer_*, the files held until written)"] += size
        elif "parser.y" in where or "parser.c" in where:
            groups["AST (parser.y, still alive while the IR is built)"] += size
        elif "source.c" in where:
            groups["source text (source.c)"] += size
        elif re.match(r"(lower_|new_type|new_symbol|collect_|strmap_|ir_|claim|namer_|name_all)", where):
            groups["IR, names and symbol tables (lower, check_names, namer, strmap)"] += size
        else:
            groups["other"] += size
    summary = [f"- **{k}**: {v / 2**20:.1f} MiB ({v / best[0] * 100:.0f}%)" for k, v in groups.items() if v]
    return best[0], best[1], summary + ["", "In detail:", ""] + sites[:30]


def main() -> int:
    reuse = "--reuse" in sys.argv  # summarize the existing callgrind.out and massif.out again
    args = [a for a in sys.argv[1:] if a != "--reuse"]
    rpcc, out = args[0], Path(args[1])
    n = int(args[2]) if len(args) > 2 else 10000
    out.mkdir(parents=True, exist_ok=True)
    schema = gen_schemas.write(n, out / "schema")["rpc"]
    cg, ms = out / "callgrind.out", out / "massif.out"
    for tool, extra in () if reuse else (("callgrind", [f"--callgrind-out-file={cg}"]),
                        ("massif", [f"--massif-out-file={ms}", "--depth=8", "--threshold=0.5",
                                   *(f"--alloc-fn={fn}" for fn in ALLOC_FNS)])):
        shutil.rmtree(out / "gen", ignore_errors=True)
        print(f"valgrind --tool={tool} rpcc on N={n} (a few minutes)", flush=True)
        with (out / f"{tool}.log").open("w") as log:
            subprocess.run(["valgrind", f"--tool={tool}", *extra, rpcc, str(schema), "-o", str(out / "gen")],
                           check=True, stdout=log, stderr=log)
    shutil.rmtree(out / "gen", ignore_errors=True)

    all_ir = total(cg)
    inclusive = annotate(cg, True)
    exclusive = annotate(cg, False)
    lines = [f"## Profile of rpcc at N={n:,}", "",
             f"`make bench-profile` (bench/profile.py): valgrind callgrind and massif on the {n:,}-method schema, "
             "all three languages. Raw files: build/bench/profile/ (`callgrind_annotate`, `ms_print`).", "",
             f"### Instructions: {all_ir:,} in all", "", "By stage (inclusive):", "",
             "| stage | function | instructions | share |", "|---|---|---:|---:|"]
    for fn, what in STAGES:
        hit = next((r for r in inclusive if r[2] == fn or r[2].endswith(":" + fn)), None)
        if hit:
            lines.append(f"| {what} | `{hit[2]}` | {hit[0]:,} | {hit[0] / all_ir * 100:.1f}% |")
    lines += ["", "Top functions by their own instructions (exclusive):", "",
              "| function | instructions | share |", "|---|---:|---:|"]
    lines += [f"| `{name}` | {ir:,} | {ir / all_ir * 100:.1f}% |" for ir, _, name in exclusive[:20]]
    lines += ["", "Top functions including their callees (inclusive), below `main`:", "",
              "| function | instructions | share |", "|---|---:|---:|"]
    inc = [r for r in inclusive if not r[2].endswith((":main", ":(below main)", ":run"))
           and "libc-start" not in r[2] and "libc_start" not in r[2] and "'" not in r[2]]  # 'N: recursion
    lines += [f"| `{name}` | {ir:,} | {ir / all_ir * 100:.1f}% |" for ir, _, name in inc[:25]]
    heap, extra, sites = massif_peak(ms)
    lines += ["", f"### Memory: heap peak {heap / 2**20:.1f} MiB (+{extra / 2**20:.1f} MiB allocator overhead)", "",
              "Live at the peak (massif; rpcc's allocation wrappers are charged to their callers, an arena chunk to "
              "the caller that opened it, so arena figures are approximate):", ""] + sites
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

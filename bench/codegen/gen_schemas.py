#!/usr/bin/env python3
"""Synthetic schemas of N methods, written equivalently as .rpc, .proto, .fbs and .thrift.

    gen_schemas.py N OUTDIR      writes OUTDIR/bench.rpc, bench.proto, bench.fbs, bench.thrift

Every method i has the same realistic shape in all four languages:

    enum   Status<i>   three members (open, in_progress, done), documented
    model  Item<i>     id int, name string, score float, active bool, tags list<string>,
                       attrs map<string, string>, status Status<i>, note optional string          (documented)
    model  Params<i>   query string, limit int = 50, statuses list<Status<i>>, filter Item<i> optional,
                       labels map<string, int>, cursor optional string                           (documented)
    model  Result<i>   items list<Item<i>>, total int, counts map<string, int>, next_cursor optional string,
                       first Item<i> optional                                                     (documented)
    rpc    svc<g>.call<i>(Params<i>) -> Result<i>                                                 (documented)

Methods are grouped 100 to a service (g = i // 100). The mapping to the other IDLs (bench/codegen/README.md):
protobuf uses proto3 `optional` for absent fields, enums with a zero `..._UNSPECIFIED` member (proto3 requires one)
and prefixed member names (enum values share their package's scope); FlatBuffers has no maps, so a map is a vector
of key/value tables (`StrEntry`, `IntEntry`) and optional fields are its default (tables' fields are all optional);
Thrift maps everything one to one (`optional` fields, default values, typed maps). Output is deterministic.
"""

from __future__ import annotations

import sys
from pathlib import Path

GROUP = 100
MEMBERS = ("open", "in_progress", "done")


def rpc(n: int) -> str:
    out = ["// Synthetic benchmark schema (bench/codegen/gen_schemas.py).", ""]
    for i in range(n):
        out += [
            f"/// Lifecycle state of an item of method {i}.",
            f"enum Status{i}: string {{",
            *(f"    /// State {m}.\n    {m} = \"{m}\";" for m in MEMBERS),
            "}",
            "",
            f"/// One item returned by method {i}.",
            f"model Item{i} {{",
            "    /// Item ID, unique per server.",
            "    id: int;",
            "    /// Display name.",
            "    name: string;",
            "    score: float;",
            "    active: bool;",
            "    tags: list<string>;",
            "    attrs: map<string, string>;",
            f"    status: Status{i};",
            "    /// Free text, absent when empty.",
            "    note?: string;",
            "}",
            "",
            f"/// Parameters of method {i}.",
            f"model Params{i} {{",
            "    /// Search text.",
            "    query: string;",
            "    limit: int = 50;",
            f"    statuses: list<Status{i}>;",
            f"    filter?: Item{i};",
            "    labels: map<string, int>;",
            "    cursor?: string;",
            "}",
            "",
            f"/// Result of method {i}.",
            f"model Result{i} {{",
            f"    items: list<Item{i}>;",
            "    total: int;",
            "    counts: map<string, int>;",
            "    /// Cursor of the next page.",
            "    next_cursor?: string;",
            f"    first?: Item{i};",
            "}",
            "",
            f"/// Method {i}: search items.",
            f"rpc svc{i // GROUP}.call{i}(Params{i}) -> Result{i};",
            "",
        ]
    return "\n".join(out)


def proto(n: int) -> str:
    out = ['// Synthetic benchmark schema (bench/codegen/gen_schemas.py).', 'syntax = "proto3";', "",
           "package bench;", 'option go_package = "example.com/bench/pb";', ""]
    for i in range(n):
        out += [
            f"// Lifecycle state of an item of method {i}.",
            f"enum Status{i} {{",
            f"  STATUS{i}_UNSPECIFIED = 0;",
            *(f"  // State {m}.\n  STATUS{i}_{m.upper()} = {k + 1};" for k, m in enumerate(MEMBERS)),
            "}",
            "",
            f"// One item returned by method {i}.",
            f"message Item{i} {{",
            "  // Item ID, unique per server.",
            "  int64 id = 1;",
            "  // Display name.",
            "  string name = 2;",
            "  double score = 3;",
            "  bool active = 4;",
            "  repeated string tags = 5;",
            "  map<string, string> attrs = 6;",
            f"  Status{i} status = 7;",
            "  // Free text, absent when empty.",
            "  optional string note = 8;",
            "}",
            "",
            f"// Parameters of method {i}.",
            f"message Params{i} {{",
            "  // Search text.",
            "  string query = 1;",
            "  optional int64 limit = 2;",
            f"  repeated Status{i} statuses = 3;",
            f"  optional Item{i} filter = 4;",
            "  map<string, int64> labels = 5;",
            "  optional string cursor = 6;",
            "}",
            "",
            f"// Result of method {i}.",
            f"message Result{i} {{",
            f"  repeated Item{i} items = 1;",
            "  int64 total = 2;",
            "  map<string, int64> counts = 3;",
            "  // Cursor of the next page.",
            "  optional string next_cursor = 4;",
            f"  optional Item{i} first = 5;",
            "}",
            "",
        ]
    for g in range((n + GROUP - 1) // GROUP):
        out.append(f"service Svc{g} {{")
        for i in range(g * GROUP, min(n, (g + 1) * GROUP)):
            out += [f"  // Method {i}: search items.", f"  rpc Call{i}(Params{i}) returns (Result{i});"]
        out += ["}", ""]
    return "\n".join(out)


def fbs(n: int) -> str:
    out = ["// Synthetic benchmark schema (bench/codegen/gen_schemas.py).", "namespace bench;", "",
           "/// A map<string, string> entry (FlatBuffers has no maps).",
           "table StrEntry { key: string (key); value: string; }", "",
           "/// A map<string, int> entry.", "table IntEntry { key: string (key); value: long; }", ""]
    for i in range(n):
        out += [
            f"/// Lifecycle state of an item of method {i}.",
            f"enum Status{i}: byte {{",
            ",\n".join(f"  /// State {m}.\n  {m}" for m in MEMBERS),
            "}",
            "",
            f"/// One item returned by method {i}.",
            f"table Item{i} {{",
            "  /// Item ID, unique per server.",
            "  id: long;",
            "  /// Display name.",
            "  name: string (required);",
            "  score: double;",
            "  active: bool;",
            "  tags: [string];",
            "  attrs: [StrEntry];",
            f"  status: Status{i};",
            "  /// Free text, absent when empty.",
            "  note: string;",
            "}",
            "",
            f"/// Parameters of method {i}.",
            f"table Params{i} {{",
            "  /// Search text.",
            "  query: string (required);",
            "  limit: long = 50;",
            f"  statuses: [Status{i}];",
            f"  filter: Item{i};",
            "  labels: [IntEntry];",
            "  cursor: string;",
            "}",
            "",
            f"/// Result of method {i}.",
            f"table Result{i} {{",
            f"  items: [Item{i}];",
            "  total: long;",
            "  counts: [IntEntry];",
            "  /// Cursor of the next page.",
            "  next_cursor: string;",
            f"  first: Item{i};",
            "}",
            "",
        ]
    for g in range((n + GROUP - 1) // GROUP):
        out.append(f"rpc_service Svc{g} {{")
        for i in range(g * GROUP, min(n, (g + 1) * GROUP)):
            out += [f"  /// Method {i}: search items.", f"  Call{i}(Params{i}): Result{i};"]
        out += ["}", ""]
    return "\n".join(out)


def thrift(n: int) -> str:
    out = ["// Synthetic benchmark schema (bench/codegen/gen_schemas.py).", "namespace py bench",
           "namespace go bench", "namespace js bench", ""]
    for i in range(n):
        out += [
            f"/** Lifecycle state of an item of method {i}. */",
            f"enum Status{i} {{",
            *(f"  /** State {m}. */\n  {m.upper()} = {k + 1}," for k, m in enumerate(MEMBERS)),
            "}",
            "",
            f"/** One item returned by method {i}. */",
            f"struct Item{i} {{",
            "  /** Item ID, unique per server. */",
            "  1: required i64 id,",
            "  /** Display name. */",
            "  2: required string name,",
            "  3: required double score,",
            "  4: required bool active,",
            "  5: required list<string> tags,",
            "  6: required map<string, string> attrs,",
            f"  7: required Status{i} status,",
            "  /** Free text, absent when empty. */",
            "  8: optional string note,",
            "}",
            "",
            f"/** Parameters of method {i}. */",
            f"struct Params{i} {{",
            "  /** Search text. */",
            "  1: required string query,",
            "  2: optional i64 limit = 50,",
            f"  3: required list<Status{i}> statuses,",
            f"  4: optional Item{i} filter,",
            "  5: required map<string, i64> labels,",
            "  6: optional string cursor,",
            "}",
            "",
            f"/** Result of method {i}. */",
            f"struct Result{i} {{",
            f"  1: required list<Item{i}> items,",
            "  2: required i64 total,",
            "  3: required map<string, i64> counts,",
            "  /** Cursor of the next page. */",
            "  4: optional string next_cursor,",
            f"  5: optional Item{i} first,",
            "}",
            "",
        ]
    for g in range((n + GROUP - 1) // GROUP):
        out.append(f"service Svc{g} {{")
        for i in range(g * GROUP, min(n, (g + 1) * GROUP)):
            out += [f"  /** Method {i}: search items. */", f"  Result{i} call{i}(1: Params{i} params),"]
        out += ["}", ""]
    return "\n".join(out)


WRITERS = {"rpc": rpc, "proto": proto, "fbs": fbs, "thrift": thrift}


def write(n: int, outdir: Path) -> dict[str, Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for ext, writer in WRITERS.items():
        path = outdir / f"bench.{ext}"
        text = writer(n)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        paths[ext] = path
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    for p in write(int(sys.argv[1]), Path(sys.argv[2])).values():
        print(p)

#!/usr/bin/env python3
"""Property test of the contract hash (rpcc --contract-hash) and of the breaking-change check (rpcc
--breaking-against), spec/evolution.md, on random valid programs.

    hash_properties.py --rpcc build/rpcc --seed 1 --count 200 --work build/contract-properties

Programs come from tests/differential/generate.py. For every program rpcc accepts:
- the same hash after each change that leaves the wire as it is: comments and docs stripped, top-level
  declarations shuffled, fields of every model shuffled, the layout rewritten (tokens joined by random whitespace),
  one declaration renamed everywhere, and all of these at once;
- another hash after each change of the wire, on a model some method sends or receives: a method renamed, a
  field added, a field's wire name changed, a field made nullable, a required parameter field made optional.
Every tenth program's SDKs (Python, TypeScript, Go, Rust) embed the hash --contract-hash prints.
The breaking-change check agrees: it reports nothing for the first kind (a rename only as declaration-renamed or
declaration-removed, a code change), and the rule of each wire change (method-removed, field-added-required,
field-wire-name-changed, became-nullable, field-now-optional). It also compares each program with the next one,
which share nothing: any report, never a crash (run with the sanitizer build, this is a small fuzzer of ir/compare.c).
A transformed program that rpcc refuses (a rename that collides with a generated name) is counted, not failed.
Exit status 1 lists each program and transformation that broke a property."""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "differential"))
from generate import Program

TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<line_comment>//[^\n]*)|(?P<block_comment>/\*.*?\*/)|(?P<space>\s+)'
    r"|(?P<arrow>->)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<number>-?[0-9][0-9.eE+-]*)|(?P<punct>.)",
    re.DOTALL,
)


def tokenize(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "", m.group()) for m in TOKEN.finditer(text) if m.lastgroup != "space"]


def render(tokens: list[tuple[str, str]], rng: random.Random | None = None) -> str:
    """Tokens joined by whitespace (one space, or a random run); a line comment ends its line."""
    out: list[str] = []
    for kind, text in tokens:
        out.append(text)
        if kind == "line_comment":
            out.append("\n")
        else:
            out.append(rng.choice([" ", "\n", "  \n\t ", "\t"]) if rng else " ")
    return "".join(out)


def is_comment(kind: str) -> bool:
    return kind in ("line_comment", "block_comment")


def strip_comments(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [t for t in tokens if not is_comment(t[0])]


def top_level_items(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Imports and declarations, each with the comments before it."""
    items: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    depth = 0
    for token in tokens:
        current.append(token)
        if token[1] in "{(<[" and token[0] == "punct":
            depth += 1
        elif token[1] in "})>]" and token[0] == "punct":
            depth -= 1
            if depth == 0 and token[1] == "}" and not any(t[1] == "union" or t[1] == "type" for t in current[:2]):
                items.append(current)
                current = []
        elif token[1] == ";" and depth == 0:
            items.append(current)
            current = []
    if current:
        items.append(current)
    return items


def shuffle_declarations(tokens: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    items = top_level_items(tokens)
    rng.shuffle(items)
    return [t for item in items for t in item]


def shuffle_fields(tokens: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """The fields of every model in another order (each with the comments before it)."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        out.append(tokens[i])
        if tokens[i][1] == "model":
            # up to the body's "{", then fields ended by ";" at depth 1, up to the closing "}"
            i += 1
            while tokens[i][1] != "{":
                out.append(tokens[i])
                i += 1
            out.append(tokens[i])
            i += 1
            fields: list[list[tuple[str, str]]] = []
            current: list[tuple[str, str]] = []
            depth = 0
            while not (depth == 0 and tokens[i][1] == "}" and tokens[i][0] == "punct"):
                token = tokens[i]
                current.append(token)
                if token[0] == "punct" and token[1] in "{([<":
                    depth += 1
                elif token[0] == "punct" and token[1] in "})]>":
                    depth -= 1
                elif token[1] == ";" and depth == 0:
                    fields.append(current)
                    current = []
                i += 1
            rng.shuffle(fields)
            out += [t for field in fields for t in field] + current
            out.append(tokens[i])
        i += 1
    return out


def declared_names(tokens: list[tuple[str, str]]) -> list[str]:
    return [tokens[i + 1][1] for i in range(len(tokens) - 1)
            if tokens[i][1] in ("model", "enum", "union", "type") and tokens[i + 1][0] == "word"
            and (i == 0 or tokens[i - 1][1] in (";", "}") or is_comment(tokens[i - 1][0]))]


def rename(tokens: list[tuple[str, str]], old: str, new: str) -> list[tuple[str, str]]:
    """Renames the declaration `old` where it names a type: not a field, enum member, method or channel name segment,
    or annotation."""
    out: list[tuple[str, str]] = []
    in_enum = in_rpc_name = False
    depth = 0
    for i, (kind, text) in enumerate(tokens):
        previous = tokens[i - 1][1] if i else ""
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if text == "enum" and depth == 0:
            in_enum = True
        if text in ("rpc", "channel") and depth == 0:  # a method's or a channel's dotted name (not a type)
            in_rpc_name = True
        if text == "(" and in_rpc_name:
            in_rpc_name = False
        if kind == "punct" and text == "{":
            depth += 1
        if kind == "punct" and text == "}":
            depth -= 1
            if depth == 0:
                in_enum = False
        body_of_enum = in_enum and depth > 0
        declares = previous in ("model", "enum", "union", "type") and depth == 0
        if kind == "word" and text == old and (declares or (not body_of_enum and not in_rpc_name
                                                            and previous not in (".", "@") and following not in (":", "?"))):
            out.append((kind, new))
        else:
            out.append((kind, text))
    return out


def reachable_models(tokens: list[tuple[str, str]]) -> list[str]:
    names = []
    for i, (_, text) in enumerate(tokens):
        if text == "rpc":
            j = i + 1
            while tokens[j][1] != "(":
                j += 1
            if tokens[j + 1][1] != ")":
                names.append(tokens[j + 1][1])
            while tokens[j][1] != ")":
                j += 1
            if tokens[j + 1][0] == "arrow":  # an @oneway rpc has no result
                names.append(tokens[j + 2][1])
    return names


def params_models(tokens: list[tuple[str, str]]) -> set[str]:
    names = set()
    for i, (_, text) in enumerate(tokens):
        if text == "rpc":
            j = i + 1
            while tokens[j][1] != "(":
                j += 1
            if tokens[j + 1][1] != ")":
                names.add(tokens[j + 1][1])
    return names


def model_body(tokens: list[tuple[str, str]], name: str) -> int | None:
    """The index of the "{" that opens model `name`."""
    for i in range(len(tokens) - 1):
        if tokens[i][1] == "model" and tokens[i + 1][1] == name:
            j = i + 2
            while tokens[j][1] != "{":
                j += 1
            return j
    return None


def first_field(tokens: list[tuple[str, str]], brace: int) -> tuple[int, int] | None:
    """(name index, ";" index) of the first field of the model whose body opens at `brace`, if any."""
    i = brace + 1
    while is_comment(tokens[i][0]):
        i += 1
    if tokens[i][1] == "}":
        return None
    depth, j = 0, i
    while not (tokens[j][1] == ";" and depth == 0):
        if tokens[j][0] == "punct" and tokens[j][1] in "{([<":
            depth += 1
        elif tokens[j][0] == "punct" and tokens[j][1] in "})]>":
            depth -= 1
        j += 1
    return i, j


def wire_changes(tokens: list[tuple[str, str]], rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    changes: dict[str, list[tuple[str, str]]] = {}
    rpc_positions = [i for i, t in enumerate(tokens) if t[1] == "rpc" and t[0] == "word"]
    if not rpc_positions:
        return changes
    i = rng.choice(rpc_positions)
    changes["method renamed"] = tokens[: i + 2] + [("punct", "."), ("word", "zz")] + tokens[i + 2:]
    reachable = reachable_models(tokens)
    if not reachable:  # only one-way rpcs without params: no model crosses the wire
        return changes
    model = rng.choice(reachable)
    brace = model_body(tokens, model)
    if brace is None:
        return changes
    changes["field added"] = tokens[: brace + 1] + tokenize("zz_added: int;") + tokens[brace + 1:]
    field = first_field(tokens, brace)
    if field:
        name, end = field
        segment = [t[1] for t in tokens[name:end]]
        if "@" not in segment or "json" not in segment:
            changes["wire name changed"] = tokens[:end] + tokenize('@json("zz_wire")') + tokens[end:]
        # (`any | null` is `any`: it holds null already)
        if "|" not in segment and "=" not in segment and "@" not in segment and "any" not in segment:
            changes["made nullable"] = tokens[:end] + tokenize("| null") + tokens[end:]
        # (presence matters in requests only: servers write every result field, spec/evolution.md)
        if len(segment) > 1 and segment[1] == ":" and "=" not in segment and model in params_models(tokens):
            changes["made optional"] = tokens[: name + 1] + [("punct", "?")] + tokens[name + 1:]
    return changes


def contract_hash(rpcc: str, text: str) -> str | None:
    run = subprocess.run([rpcc, "--contract-hash", "--stdin-filename", "p.rpc"], input=text.encode(),
                         capture_output=True, check=False)
    stderr = run.stderr.decode()
    if run.returncode > 1 or "runtime error" in stderr or "Sanitizer" in stderr:
        raise SystemExit(f"rpcc --contract-hash crashed (status {run.returncode}):\n{stderr}\n{text}")
    return run.stdout.decode().strip() if run.returncode == 0 else None


EXPECTED_RULE = {
    "method renamed": "method-removed",
    "field added": "field-added-required",
    "wire name changed": "field-wire-name-changed",
    "made nullable": "became-nullable",
    "made optional": "field-now-optional",
}
CODE_RULES = {"declaration-renamed", "declaration-removed"}


SDK_CONSTANTS = {  # where each SDK embeds the contract hash (spec/evolution.md, "Where the hash is written")
    "python/client.py": re.compile(r'^CONTRACT_HASH = "(sha256:[0-9a-f]{64})"$', re.MULTILINE),
    "typescript/client.ts": re.compile(r'^export const CONTRACT_HASH = "(sha256:[0-9a-f]{64})";$', re.MULTILINE),
    "go/client.go": re.compile(r'^const ContractHash = "(sha256:[0-9a-f]{64})"$', re.MULTILINE),
    "rust/src/client.rs": re.compile(r'^pub const CONTRACT_HASH: &str =\n    "(sha256:[0-9a-f]{64})";$', re.MULTILINE),
}


def sdk_hashes(rpcc: str, text: str, out: Path) -> dict[str, str | None]:
    """The hash each generated SDK embeds, by file."""
    source = out.parent / "sdk.rpc"
    source.write_text(text, encoding="utf-8")
    subprocess.run([rpcc, str(source), "-o", str(out), "--lang", "python,typescript,go,rust"], check=True,
                   capture_output=True)
    found: dict[str, str | None] = {}
    for path, pattern in SDK_CONSTANTS.items():
        match = pattern.search((out / path).read_text(encoding="utf-8"))
        found[path] = match.group(1) if match else None
    return found


def breaking(rpcc: str, old_path: Path, new_text: str) -> tuple[int, set[str], str]:
    """Exit status, the rules reported, and standard error of --breaking-against OLD with NEW on standard input."""
    run = subprocess.run([rpcc, "--breaking-against", str(old_path), "--stdin-filename", "new.rpc", "--color=never"],
                         input=new_text.encode(), capture_output=True, check=False)
    stderr = run.stderr.decode()
    if run.returncode > 1 or "runtime error" in stderr or "Sanitizer" in stderr:
        raise SystemExit(f"rpcc --breaking-against crashed (status {run.returncode}):\n{stderr}\n--- new:\n{new_text}")
    return run.returncode, set(re.findall(r"\[([a-z-]+)\]$", stderr, re.MULTILINE)), stderr


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rpcc", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--work", required=True, help="a directory for the old files")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    breaking_checked = 0
    previous: Path | None = None
    failures: list[str] = []
    checked = refused = accepted = wire_checked = sdk_checked = 0
    refused_by_label: dict[str, int] = {}
    for index in range(args.count):
        text = Program(random.Random(f"{args.seed}/{index}")).build()
        original = contract_hash(args.rpcc, text)
        if original is None:
            continue
        accepted += 1
        old_path = work / f"p{index % 2}.rpc"
        old_path.write_text(text, encoding="utf-8")
        if previous is not None:
            breaking(args.rpcc, previous, text)  # unrelated programs: only that it does not crash
        previous = old_path
        if index % 10 == 0:  # every SDK embeds what --contract-hash prints (a sample: generation costs more)
            for path, embedded in sdk_hashes(args.rpcc, text, work / "sdk").items():
                if embedded != original:
                    failures.append(f"program {index} (seed {args.seed}): {path} embeds {embedded}, not {original}")
                else:
                    sdk_checked += 1
        rng = random.Random(f"contract/{args.seed}/{index}")
        tokens = tokenize(text)
        same: dict[str, list[tuple[str, str]]] = {
            "comments stripped": strip_comments(tokens),
            "declarations shuffled": shuffle_declarations(tokens, rng),
            "fields shuffled": shuffle_fields(tokens, rng),
        }
        names = declared_names(tokens)
        if names:
            same["declaration renamed"] = rename(tokens, rng.choice(names), "ZzRenamed")
        same["all at once"] = shuffle_fields(shuffle_declarations(strip_comments(same.get("declaration renamed", tokens)), rng), rng)
        for label, changed in same.items():
            new_text = render(changed, rng if label != "comments stripped" else None)
            result = contract_hash(args.rpcc, new_text)
            if result is None:
                refused += 1
                refused_by_label[label] = refused_by_label.get(label, 0) + 1
                continue
            if result != original:
                failures.append(f"program {index} (seed {args.seed}): {label}: the hash changed")
            else:
                checked += 1
            status, rules, stderr = breaking(args.rpcc, old_path, new_text)
            allowed = CODE_RULES if "renamed" in label or label == "all at once" else set()
            if not rules <= allowed or (status != 0 and not rules):
                failures.append(f"program {index} (seed {args.seed}): {label}: --breaking-against reported:\n{stderr}")
            else:
                breaking_checked += 1
        for label, changed in wire_changes(tokens, rng).items():
            new_text = render(changed)
            result = contract_hash(args.rpcc, new_text)
            if result is None:
                refused += 1
                refused_by_label[label] = refused_by_label.get(label, 0) + 1
                continue
            if result == original:
                failures.append(f"program {index} (seed {args.seed}): {label}: the hash stayed {original}")
            else:
                wire_checked += 1
            status, rules, stderr = breaking(args.rpcc, old_path, new_text)
            if status != 1 or EXPECTED_RULE[label] not in rules:
                failures.append(f"program {index} (seed {args.seed}): {label}: --breaking-against did not report "
                                f"{EXPECTED_RULE[label]} (status {status}):\n{stderr}")
            else:
                breaking_checked += 1
    for failure in failures:
        print("FAIL", failure)
    print(f"contract hash: {accepted} of {args.count} programs accepted; {checked} unchanged-wire variants kept the "
          f"hash, {wire_checked} wire changes changed it, {refused} variants refused by rpcc "
          f"({', '.join(f'{k}: {v}' for k, v in sorted(refused_by_label.items()))}); --breaking-against agreed "
          f"{breaking_checked} times; {sdk_checked} SDK files embed the printed hash; {len(failures)} failures")
    sys.exit(1 if failures or not checked or not wire_checked or not breaking_checked or not sdk_checked else 0)


if __name__ == "__main__":
    main()

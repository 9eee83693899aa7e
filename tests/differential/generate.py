#!/usr/bin/env python3
"""Writes random .rpc programs that follow spec/rpc-idl.md, for the differential check (check_sdks.py).

    generate.py --seed 1 --count 300 --out DIR      writes DIR/p0000.rpc ... (the same files for the same seed)

Each program declares enums (string and int), models with every presence form, unions (named, inline, tagged,
of literals, mixing literals and types), aliases, defaults of every scalar type, lists and maps, recursion through
`| null`, `?` and lists, annotations (@json, @range, @length, @pattern, @deprecated, @discriminator), docs with
hostile text, rpcs (some @oneway) and channels (string and int parameters, user-limited patterns, @history,
@publish, every @subscribe mode). Names are drawn partly from words that are keywords or built-ins in some target, and some
differ only in case or underscores: most programs are valid, some are refused (a collision), and both kinds are
useful: every program rpcc accepts must give SDKs that pass the checkers, and --check must agree with generation.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

# Words that are keywords, built-ins or generated names somewhere (Python, TypeScript, Go, pydantic, the clients).
HOSTILE_WORDS = [
    "type", "class", "def", "from", "import", "None", "True", "self", "cls", "async", "await", "match", "case",
    "str", "int", "list", "dict", "bytes", "date", "time", "datetime", "Decimal", "UUID", "Any", "Literal", "Field",
    "BaseModel", "Strict", "min", "max", "eval", "property", "super", "id", "json", "copy", "schema", "validate",
    "model_config", "model_dump", "function", "delete", "new", "this", "void", "readonly", "keyof", "infer",
    "unique", "as", "constructor", "toString", "valueOf", "prototype", "Object", "Promise", "Record", "Array",
    "func", "chan", "range", "go", "select", "interface", "string", "error", "nil", "len", "iota", "Marshal",
    "String", "Call", "Close", "Connect", "APIClient", "RPCError", "Transport", "Item", "Value", "Key", "Option1",
]
PLAIN_WORDS = [
    "task", "user", "status", "name", "title", "count", "items", "created", "owner", "tags", "score", "kind",
    "shape", "circle", "square", "note", "limit", "offset", "page", "result", "params", "node", "next", "parent",
    "http_server", "userID", "URLs", "api_key", "x", "y", "z",
]
DOC_TEXTS = [
    "Plain text.", "Quotes ' \" ''' \"\"\" and `backticks` ``code``.", "Backslash \\ and \\n and \\u0041.",
    "*/ /* // <!-- --> ${x} {{y}} %s %d", "Unicode: é ñ 中文 — “quotes” \u3000 \u00a0 trailing\u00a0",
    "Ünïcode heading", "   ", "TODO: fix\tthis", "Line one.\n\nLine three after a blank.", "# not a heading",
    "@param x the x", "</script><script>alert(1)</script>", "\u2028 line separator",
]
SCALARS = ["bool", "int", "float", "string", "bytes", "decimal", "uuid", "timestamp", "date", "time", "duration", "any"]
SCALAR_DEFAULTS = {
    "bool": ["true", "false"], "int": ["0", "1", "-7", "9007199254740993", "-9223372036854775808"],
    "float": ["0.5", "1e9", "-2.5E-3", "0"], "string": ['""', '"x"', '"é\\n\\"q\\""', '"\\u2028"'],
    "bytes": ['""', '"aGk="', '"AA=="'], "decimal": ['"12.50"', '"-1e3"', "3"],
    "uuid": ['"123e4567-e89b-12d3-a456-426614174000"'],
    "timestamp": ['"2026-01-02T03:04:05Z"', '"2024-02-29T23:59:59.123456+05:30"'],
    "date": ['"2024-02-29"', '"0001-01-01"'], "time": ['"12:30:00"', '"23:59:59.5"', '"00:00:00+01:00"'],
    "duration": ['"PT1H30M"', '"-P1DT2H3M4.5S"', '"P1W"'], "any": ["null", "1", '"s"', "[]", '{"k": [1, null]}'],
}


class Program:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.lines: list[str] = []
        self.models: list[str] = []
        self.enums: list[tuple[str, bool, list[str]]] = []  # name, int-based, member names
        self.aliases: list[str] = []
        self.unions: list[str] = []
        self.tagged_unions: list[str] = []  # unions of models: a channel may publish them

    def word(self) -> str:
        pool = HOSTILE_WORDS if self.rng.random() < 0.35 else PLAIN_WORDS
        return self.rng.choice(pool)

    def type_name(self) -> str:
        for _ in range(100):
            base = self.word()
            if base in SCALARS or base in ("list", "map", "type", "import", "model", "enum", "union", "rpc"):
                continue
            name = base[0].upper() + base[1:] if self.rng.random() < 0.7 else base
            if self.rng.random() < 0.3:
                name += self.rng.choice(["Params", "Result", "_v2", "X", "s"])
            if name.startswith("_") or name.lower() in {u.lower() for u in self.used}:
                continue
            self.used.add(name)
            return name
        name = f"T{len(self.used)}"
        self.used.add(name)
        return name

    def doc(self, indent: str) -> list[str]:
        if self.rng.random() > 0.3:
            return []
        return [f"{indent}///{'' if not text else ' '}{line}" for text in [self.rng.choice(DOC_TEXTS)]
                for line in text.split("\n")]

    def simple_type(self, depth: int = 0) -> str:
        roll = self.rng.random()
        if roll < 0.45 or depth > 2:
            return self.rng.choice(SCALARS)
        if roll < 0.6 and self.models:
            return self.rng.choice(self.models)
        if roll < 0.7 and self.enums:
            return self.rng.choice(self.enums)[0]
        if roll < 0.75 and self.aliases:
            return self.rng.choice(self.aliases)
        if roll < 0.8 and self.unions:
            return self.rng.choice(self.unions)
        if roll < 0.9:
            return f"list<{self.simple_type(depth + 1)}>"
        key = self.rng.choice(["string", "int", "uuid"] + [e[0] for e in self.enums])
        return f"map<{key}, {self.simple_type(depth + 1)}>"

    def field_type(self) -> str:
        roll = self.rng.random()
        if roll < 0.12:
            values = self.rng.sample(['"a"', '"b"', '"c d"', '"é"', '""'], self.rng.randint(1, 3))
            return " | ".join(values)
        if roll < 0.17:
            return self.rng.choice(['int | "x"', 'string | "auto"', '"x" | int', '1 | 2 | 3', 'true'])
        if roll < 0.27:
            alternatives: list[str] = []
            for _ in range(self.rng.randint(2, 3)):
                candidate = self.simple_type(1)
                if all(candidate.split("<")[0] != a.split("<")[0] for a in alternatives):
                    alternatives.append(candidate)
            if len(alternatives) >= 2:
                return " | ".join(alternatives)
        return self.simple_type()

    def default_for(self, type_text: str) -> str | None:
        if type_text in SCALAR_DEFAULTS:
            return self.rng.choice(SCALAR_DEFAULTS[type_text])
        if type_text.startswith("list<"):
            return "[]"
        if type_text.startswith("map<"):
            return "{}"
        if type_text.startswith('"'):
            return type_text.split(" | ")[0]
        for name, is_int, members in self.enums:
            if type_text == name:
                return f"{name}.{self.rng.choice(members)}"
        return None

    def add_enum(self) -> None:
        name = self.type_name()
        is_int = self.rng.random() < 0.3
        members: list[str] = []
        lines = self.doc("") + [f"enum {name}: {'int' if is_int else 'string'} {{"]
        for i in range(self.rng.randint(1, 4)):
            member = self.word()
            if member in members or member.lower() in {m.lower() for m in members}:
                continue
            members.append(member)
            lines += self.doc("    ")
            if is_int:
                lines.append(f"    {member} = {i * self.rng.choice([1, -1, 1000])};")
            else:
                lines.append(f"    {member}{'' if self.rng.random() < 0.5 else ' = ' + repr(member + str(i)).replace(chr(39), chr(34))};")
        lines.append("}")
        self.lines += lines + [""]
        self.enums.append((name, is_int, members))

    def add_model(self, name: str | None = None, tag: str | None = None) -> str:
        name = name or self.type_name()
        fields: list[str] = []
        lines = self.doc("") + [f"model {name}{' @deprecated' if self.rng.random() < 0.1 else ''} {{"]
        if tag:
            lines.append(f'    kind: "{tag}";')
            fields.append("kind")
        for _ in range(self.rng.randint(0, 5)):
            field = self.word()
            if field in fields or field.lower().replace("_", "") in {f.lower().replace("_", "") for f in fields}:
                continue
            fields.append(field)
            type_text = self.field_type()
            if self.rng.random() < 0.15:
                type_text = name if self.rng.random() < 0.5 else f"list<{name}>"  # recursion
            presence = self.rng.choice(["", "", "null", "opt", "optnull", "default", "default"])
            annotations = ""
            if self.rng.random() < 0.1:
                annotations += f' @json("{field}-{self.rng.randint(0, 9)}")'
            base = type_text
            if base == "int" and self.rng.random() < 0.3:
                annotations += " @range(ge: -5, le: 9007199254740993)"
            if base == "string" and self.rng.random() < 0.3:
                annotations += self.rng.choice([' @length(min: 0, max: 64)', ' @pattern("^[a-z]*$")'])
            if self.rng.random() < 0.05:
                annotations += ' @deprecated("use something else")'
            lines += self.doc("    ")
            if type_text == name and presence in ("", "default"):
                presence = "null"
            if presence == "null":
                lines.append(f"    {field}: {type_text} | null{annotations};")
            elif presence == "opt":
                lines.append(f"    {field}?: {type_text}{annotations};")
            elif presence == "optnull":
                lines.append(f"    {field}?: {type_text} | null{annotations};")
            elif presence == "default":
                value = self.default_for(type_text)
                if value is None or (" @range" in annotations and value.startswith("-9")):
                    lines.append(f"    {field}: {type_text} | null = null{annotations};")
                elif value == "null" and type_text != "any":
                    lines.append(f"    {field}: {type_text} | null = null{annotations};")
                else:
                    lines.append(f"    {field}: {type_text} = {value}{annotations};")
            else:
                lines.append(f"    {field}: {type_text}{annotations};")
        lines.append("}")
        self.lines += lines + [""]
        self.models.append(name)
        return name

    def add_union(self) -> None:
        name = self.type_name()
        if self.rng.random() < 0.4:
            members = [self.add_model(tag=f"t{i}") for i in range(self.rng.randint(2, 3))]
            self.lines.append(f'union {name} = {" | ".join(members)} @discriminator("kind");')
            self.tagged_unions.append(name)
        else:
            alternatives: list[str] = []
            for _ in range(self.rng.randint(2, 4)):
                candidate = self.simple_type(1)
                if candidate not in self.unions and all(candidate.split("<")[0] != a.split("<")[0] for a in alternatives):
                    alternatives.append(candidate)
            if len(alternatives) < 2:
                alternatives = ["int", "string"]
            self.lines.append(f"union {name} = {' | '.join(alternatives)};")
        self.lines.append("")
        self.unions.append(name)

    def add_alias(self) -> None:
        name = self.type_name()
        self.lines.append(f"type {name} = {self.field_type()};")
        self.lines.append("")
        self.aliases.append(name)

    def add_rpcs(self) -> None:
        seen: set[str] = set()
        for _ in range(self.rng.randint(0, 4)):
            method = ".".join(self.rng.choice(PLAIN_WORDS + HOSTILE_WORDS).lower() for _ in range(self.rng.randint(1, 3)))
            if method in seen or method.startswith("_") or not self.models:
                continue
            seen.add(method)
            params = self.rng.choice(self.models + ["()"]) if self.rng.random() < 0.8 else "()"
            params = params if params == "()" else f"({params})"
            self.lines += self.doc("")
            if self.rng.random() < 0.15:
                self.lines.append(f"rpc {method}{params} @oneway;")
            else:
                self.lines.append(f"rpc {method}{params} -> {self.rng.choice(self.models)};")

    def add_channels(self) -> None:
        """Channels: patterns with string and int parameters, user-limited ones, every @subscribe mode, history and
        client publications. Each channel gets a namespace of its own (or none), so that most programs agree on
        the options Centrifugo keeps per namespace; names and parameters come from the same hostile words."""
        publishable = self.models + [u for u in self.unions if u in self.tagged_unions]
        if not publishable or self.rng.random() < 0.5:
            return
        for index in range(self.rng.randint(1, 3)):
            name = ".".join(self.rng.choice(PLAIN_WORDS + HOSTILE_WORDS).lower() for _ in range(self.rng.randint(1, 2)))
            params: list[tuple[str, str]] = []
            for _ in range(self.rng.randint(0, 2)):
                word = self.word()
                if all(word != p for p, _ in params):
                    params.append((word, self.rng.choice(["string", "int"])))
            namespace = "" if index == 0 and self.rng.random() < 0.3 else f"{self.rng.choice(['ns', 'n_s', 'n-s.x'])}{index}:"
            pattern = namespace + "feed"
            user = None
            if params and params[-1][1] == "string" and self.rng.random() < 0.4:
                user = params[-1][0]
            for param, _ in params:
                pattern += f"#{{{param}}}" if param == user else f".{self.rng.choice(['a', 'at', '-'])}.{{{param}}}"
            annotations = ""
            if self.rng.random() < 0.4:
                annotations += f" @history(size: {self.rng.randint(1, 500)}, ttl: {self.rng.randint(1, 86400)})"
            if self.rng.random() < 0.3:
                annotations += " @publish"
            modes = ["guard", "any"] + (["user"] if user else [])
            if self.rng.random() < 0.6:
                annotations += f' @subscribe("{self.rng.choice(modes)}")'
            if self.rng.random() < 0.1:
                annotations += " @deprecated"
            param_list = ", ".join(f"{p}: {t}" for p, t in params)
            self.lines += self.doc("")
            self.lines.append(f'channel {name}({param_list}) "{pattern}" -> {self.rng.choice(publishable)}{annotations};')

    def build(self) -> str:
        for _ in range(self.rng.randint(0, 2)):
            self.add_enum()
        for _ in range(self.rng.randint(1, 4)):
            roll = self.rng.random()
            if roll < 0.6:
                self.add_model()
            elif roll < 0.8:
                self.add_union()
            else:
                self.add_alias()
        self.add_model()
        self.add_rpcs()
        self.add_channels()
        return "\n".join(self.lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("p*.rpc"):
        old.unlink()
    for index in range(args.count):
        rng = random.Random(f"{args.seed}/{index}")
        (out / f"p{index:04d}.rpc").write_text(Program(rng).build(), encoding="utf-8")


if __name__ == "__main__":
    main()

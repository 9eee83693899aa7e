"""The contract hash of exported declarations: the canonical text of spec/evolution.md ("Contract identity"), as
rpcc's ``ir/contract.c`` writes it for the same .rpc file, and its SHA-256.

The exporter's terms hold defaults and annotations as IDL text; the few forms the renderer writes are read back
here. tests/python/test_exporter_contract.py checks that this text's hash is what ``rpcc --contract-hash`` prints
for every exported golden file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from .idl import (
    NULL,
    ChannelDecl,
    Decls,
    EnumDecl,
    FieldDecl,
    IdlType,
    ListT,
    Lit,
    MapT,
    ModelDecl,
    Ref,
    RpcDecl,
    Scalar,
    TypeDecl,
    UnionT,
)

__all__ = ["FORMAT_VERSION", "contract_hash", "contract_text"]

FORMAT_VERSION = 1

# Where an inline union stands, which makes it one declaration: the owner (a model field, or a named type) and the
# steps from the owner's type to it.
_Key = tuple[object, ...]


def _json_string(s: str) -> str:
    """As rpcc's escape_json_string: quote and backslash escaped, newline as \\n, other controls and DEL as \\u00xx."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _number(value: float) -> str:
    """Numbers as numbers: an integral float as the integer, others in the shortest of %.15g, %.16g, %.17g."""
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return str(value)
    if -9007199254740992.0 < value < 9007199254740992.0 and value == int(value):
        return str(int(value))
    text = f"{value:.17g}"
    for precision in (15, 16):
        candidate = f"{value:.{precision}g}"
        if float(candidate) == value:
            text = candidate
            break
    return text


class _ValueReader:
    """Reads the IDL value text the renderer writes: null, true, false, numbers, strings, Enum.member, lists, maps."""

    TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|(-?[0-9][0-9.eE+-]*)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)|(.))')

    def __init__(self, text: str, decls: Decls) -> None:
        self.tokens = [m.groups() for m in self.TOKEN.finditer(text) if any(m.groups())]
        self.pos = 0
        self.decls = decls

    def next(self) -> tuple[str | None, ...]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def value(self) -> str:
        string, number, word, punct = self.next()
        if string is not None:
            return _json_string(json.loads(string))
        if number is not None:
            return _number(float(number) if any(c in number for c in ".eE") else int(number))
        if word is not None:
            if word in ("null", "true", "false"):
                return word
            enum_name, member = word.split(".", 1)
            d = self.decls.get(enum_name)
            assert isinstance(d, EnumDecl), word
            v = dict(d.members)[member]
            return _json_string(v) if isinstance(v, str) else str(v)
        if punct == "[":
            items: list[str] = []
            while self.tokens[self.pos][3] != "]":
                items.append(self.value())
                if self.tokens[self.pos][3] == ",":
                    self.pos += 1
            self.pos += 1
            return "[" + ", ".join(items) + "]"
        if punct == "{":
            entries: list[str] = []
            while self.tokens[self.pos][3] != "}":
                key = self.value()
                assert self.next()[3] == ":"
                entries.append(f"{key}: {self.value()}")
                if self.tokens[self.pos][3] == ",":
                    self.pos += 1
            self.pos += 1
            return "{" + ", ".join(sorted(entries)) + "}"
        raise ValueError(f"unexpected {punct!r} in a default")


def _annotation(annotations: Sequence[str], name: str) -> str | None:
    """The argument text of annotation ``@name(...)``, if given."""
    for a in annotations:
        if a.startswith(f"@{name}(") and a.endswith(")"):
            return a[len(name) + 2:-1]
    return None


def _arguments(text: str) -> list[tuple[str, str]]:
    return [(k.strip(), v.strip()) for k, v in (part.split(":", 1) for part in text.split(","))]


class _Canonical:
    def __init__(self, decls: Decls) -> None:
        self.decls = decls
        self.numbers: dict[_Key, int] = {}
        # number - 1 -> what to write: ("model", ModelDecl | None) | ("enum", EnumDecl) | ("union", alts, tag, key)
        self.numbered: list[tuple[object, ...]] = []

    def number(self, key: _Key, body: tuple[object, ...]) -> int:
        if key not in self.numbers:
            self.numbered.append(body)
            self.numbers[key] = len(self.numbered)
        return self.numbers[key]

    # -- types ----------------------------------------------------------------------------------------------------

    def resolve(self, t: IdlType, owner: _Key, path: tuple[object, ...]) -> tuple[IdlType, bool, _Key, tuple[object, ...]]:
        """``t`` through aliases and named unions' declarations, its ``| null`` noted, with where it now stands."""
        nullable = False
        for _ in range(100):
            if isinstance(t, UnionT) and NULL in t.alts:
                nullable = True
                rest = tuple(a for a in t.alts if a != NULL)
                t = rest[0] if len(rest) == 1 else UnionT(rest)
                continue
            if isinstance(t, Ref) and t.kind in ("alias", "union"):
                d = self.decls.get(t.name)
                assert isinstance(d, TypeDecl), t
                owner, path, t = ("type", t.name), (), d.type
                continue
            break
        return t, nullable, owner, path

    def type(self, t: IdlType, owner: _Key, path: tuple[object, ...], tag: str | None = None) -> str:
        t, nullable, owner, path = self.resolve(t, owner, path)
        if isinstance(t, Scalar) and t.name == "any":
            nullable = False  # `any` holds null either way
        text = self.bare_type(t, owner, path, tag)
        return f"nullable<{text}>" if nullable else text

    def bare_type(self, t: IdlType, owner: _Key, path: tuple[object, ...], tag: str | None) -> str:
        if isinstance(t, Scalar):
            return t.name
        if isinstance(t, ListT):
            return f"list<{self.type(t.item, owner, path + ('item',))}>"
        if isinstance(t, MapT):
            key = self.type(t.key, owner, path + ("key",))
            return f"map<{key}, {self.type(t.value, owner, path + ('value',))}>"
        if isinstance(t, Lit):
            return f"literal[{self.literal(t)}]"
        if isinstance(t, Ref):
            d = self.decls.get(t.name)
            if isinstance(d, ModelDecl):
                return f"#{self.number(('model', t.name), ('model', d))}"
            assert isinstance(d, EnumDecl), t
            return f"#{self.number(('enum', t.name), ('enum', d))}"
        assert isinstance(t, UnionT), t
        kinds = {type(a.value) for a in t.alts if isinstance(a, Lit)}
        if all(isinstance(a, Lit) for a in t.alts) and len(kinds) == 1:
            return "literal[" + ", ".join(sorted(self.literal(a) for a in t.alts if isinstance(a, Lit))) + "]"
        if tag is None and owner[0] == "type":
            d = self.decls.get(str(owner[1]))
            if isinstance(d, TypeDecl) and not path:
                argument = _annotation(d.annotations, "discriminator")
                tag = json.loads(argument) if argument else None
        return f"#{self.number(('union', owner, path), ('union', t.alts, tag, owner, path))}"

    @staticmethod
    def literal(t: Lit) -> str:
        if isinstance(t.value, bool):
            return "true" if t.value else "false"
        if isinstance(t.value, int):
            return str(t.value)
        return _json_string(t.value)

    # -- declarations ---------------------------------------------------------------------------------------------

    def field(self, model: ModelDecl, index: int, f: FieldDecl) -> str:
        wire = f.wire or f.name
        if f.default is not None:
            presence = "default " + _ValueReader(f.default, self.decls).value() + " "
        else:
            presence = "optional " if f.optional else "required "
        argument = _annotation(f.annotations, "discriminator")
        tag = json.loads(argument) if argument else None
        text = _json_string(wire) + ": " + presence + self.type(f.type, ("field", model.name, index), (), tag)
        bounds = _annotation(f.annotations, "range")
        if bounds:
            given = dict(_arguments(bounds))
            parts = [f"{k}: {_ValueReader(given[k], self.decls).value()}" for k in ("ge", "gt", "le", "lt") if k in given]
            text += " @range(" + ", ".join(parts) + ")"
        length = _annotation(f.annotations, "length")
        if length:
            given = dict(_arguments(length))
            parts = [f"min: {int(given['min'])}"] if int(given.get("min", "0")) > 0 else []
            if "max" in given:
                parts.append(f"max: {int(given['max'])}")
            if parts:
                text += " @length(" + ", ".join(parts) + ")"
        pattern = _annotation(f.annotations, "pattern")
        if pattern:
            text += f" @pattern({_json_string(json.loads(pattern))})"
        return text

    def model(self, d: ModelDecl | None) -> str:
        if d is None:
            return "model {}"
        fields = sorted(enumerate(d.fields), key=lambda item: item[1].wire or item[1].name)
        return "model {" + ", ".join(self.field(d, i, f) for i, f in fields) + "}"

    @staticmethod
    def enum(d: EnumDecl) -> str:
        values = sorted(_json_string(v) if isinstance(v, str) else str(v) for _, v in d.members)
        return f"enum {d.base} [" + ", ".join(values) + "]"

    def tag_wire_name(self, alts: Sequence[IdlType], tag: str) -> str:
        """The wire name of the tag field (the annotation may name the field or its wire name)."""
        for a in alts:
            d = self.decls.get(a.name) if isinstance(a, Ref) else None
            if isinstance(d, ModelDecl):
                for f in d.fields:
                    if tag in (f.name, f.wire):
                        return f.wire or f.name
        return tag

    def union(self, alts: Sequence[IdlType], tag: str | None, owner: _Key, path: tuple[object, ...]) -> str:
        steps = [(a, path + ("alt", i)) for i, a in enumerate(alts)]
        if tag is None:
            return "union [" + ", ".join(self.type(a, owner, p) for a, p in steps) + "]"
        wire = self.tag_wire_name(alts, tag)

        def tag_text(a: IdlType) -> str:
            d = self.decls.get(a.name) if isinstance(a, Ref) else None
            for f in d.fields if isinstance(d, ModelDecl) else []:
                if (f.wire or f.name) == wire:
                    return self.type(f.type, ("tag",), ())
            return ""

        steps.sort(key=lambda step: tag_text(step[0]))
        return f"union tag {_json_string(wire)} [" + ", ".join(self.type(a, owner, p) for a, p in steps) + "]"

    def text(self, rpcs: Sequence[RpcDecl], channels: Sequence[ChannelDecl] = ()) -> str:
        lines = [f"rpcc-contract {FORMAT_VERSION}"]
        for r in sorted(rpcs, key=lambda r: r.wire_method):
            params = self.number(("empty",), ("model", None)) if r.params is None else self.ref_number(r.params)
            if r.result is None:  # one-way: as ir/contract.c writes it
                lines.append(f"method {_json_string(r.wire_method)} #{params} oneway")
                continue
            result = self.ref_number(r.result)
            lines.append(f"method {_json_string(r.wire_method)} #{params} -> #{result}")
        # Channels: sorted by the pattern as the wire sees it (each placeholder as its parameter's type)
        wired = sorted(((_wire_pattern(c), c) for c in channels), key=lambda item: item[0].encode("utf-8"))
        for pattern, c in wired:
            line = f"channel {_json_string(pattern)} -> {self.type(c.publication, ('channel', c.name), ())}"
            history = _annotation(c.annotations, "history")
            if history:
                given = dict(_arguments(history))
                line += f" history(size: {int(given['size'])}, ttl: {int(given['ttl'])})"
            if "@publish" in c.annotations:
                line += " publish"
            subscribe = _annotation(c.annotations, "subscribe")
            assert subscribe is not None, c.name  # the exporter always writes it
            lines.append(f"{line} subscribe {_json_string(json.loads(subscribe))}")
        i = 0
        while i < len(self.numbered):  # writing one may number more
            body = self.numbered[i]
            if body[0] == "model":
                text = self.model(body[1])  # type: ignore[arg-type]
            elif body[0] == "enum":
                text = self.enum(body[1])  # type: ignore[arg-type]
            else:
                text = self.union(body[1], body[2], body[3], body[4])  # type: ignore[arg-type]
            lines.append(f"#{i + 1} {text}")
            i += 1
        return "\n".join(lines) + "\n"

    def ref_number(self, model_name: str) -> int:
        d = self.decls.get(model_name)
        assert isinstance(d, ModelDecl), model_name
        return self.number(("model", model_name), ("model", d))


def _wire_pattern(c: ChannelDecl) -> str:
    """A channel's pattern with each ``{param}`` written as its type: ``tasks:events#{string}``."""
    kinds = dict(c.params)
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + kinds[m.group(1)] + "}", c.pattern)


def contract_text(decls: Decls, rpcs: Sequence[RpcDecl], channels: Sequence[ChannelDecl] = ()) -> str:
    """The canonical text of the contract of ``decls``, ``rpcs`` and ``channels`` (spec/evolution.md)."""
    return _Canonical(decls).text(rpcs, channels)


def contract_hash(decls: Decls, rpcs: Sequence[RpcDecl], channels: Sequence[ChannelDecl] = ()) -> str:
    """``sha256:`` and the SHA-256 of :func:`contract_text`, as ``rpcc --contract-hash`` prints it."""
    return "sha256:" + hashlib.sha256(contract_text(decls, rpcs, channels).encode("utf-8")).hexdigest()

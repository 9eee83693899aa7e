"""The IDL's terms as the exporter builds them: type terms, declarations, and the questions asked of them.

Nothing here knows about Pydantic or about text: :mod:`.walk` builds these terms from models, :mod:`.render` prints
them, :mod:`.schema_check` compares them with Pydantic's JSON schema.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "DECLARATION_KEYWORDS", "IDENTIFIER", "KEYWORDS", "NULL", "PREDECLARED", "ChannelDecl", "Decl", "Decls", "EnumDecl", "FieldDecl", "IdlType", "ListT",
    "Lit", "MapT", "ModelDecl", "NullT", "Ref", "RpcDecl", "Scalar", "TypeDecl", "UnionT", "alternatives",
    "enum_names", "hoisted_union", "name_key", "resolve_alias", "strip_null", "union_of",
]

KEYWORDS = frozenset({"import", "model", "enum", "union", "type", "rpc", "null", "true", "false"})
# Not a declaration's name either (a field may be called so: fields keep their names)
DECLARATION_KEYWORDS = KEYWORDS | {"channel"}
PREDECLARED = frozenset(
    {"bool", "int", "float", "string", "bytes", "decimal", "uuid", "timestamp", "date", "time", "duration", "any",
     "list", "map"}
)
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

_WORD_RUN = re.compile(r"[A-Za-z0-9]+")


def _words(run: str) -> list[str]:
    """The words of a run of letters and digits, split as ir/namer.c splits them (userId, HTTPServer, URLs)."""
    out, start = [], 0
    for at in range(1, len(run)):
        prev, cur, nxt = run[at - 1], run[at], run[at + 1] if at + 1 < len(run) else ""
        if not cur.isupper():
            continue
        if prev.islower() or prev.isdigit():
            out.append(run[start:at])
            start = at
        elif prev.isupper() and nxt.islower() and not (nxt == "s" and not (run[at + 2:at + 3].islower())):
            out.append(run[start:at])
            start = at
    out.append(run[start:])
    return out


def name_key(name: str) -> tuple[str, ...]:
    """What a name is in every target language once case-converted: its words, lowercased.

    rpcc refuses two names of one scope that become the same identifier in some language (spec/rpc-idl.md,
    section 7): `user_id` and `userId` are both `UserID` in Go. Names with equal keys are such a pair.
    """
    return tuple(w.lower() for run in _WORD_RUN.findall(name) for w in _words(run))


# Guards against runaway recursion through aliases (the walk refuses alias cycles, so these are never reached by
# a valid declaration set).
_MAX_DEPTH = 40


# ----------------------------------------------------------------------------------------------------------------
# Type terms


@dataclass(frozen=True)
class Scalar:
    name: str


@dataclass(frozen=True)
class ListT:
    item: IdlType


@dataclass(frozen=True)
class MapT:
    key: IdlType
    value: IdlType


@dataclass(frozen=True)
class Ref:
    name: str
    kind: str  # "model" | "enum" | "union" | "alias"


@dataclass(frozen=True)
class Lit:
    value: str | int | bool


@dataclass(frozen=True)
class NullT:
    pass


@dataclass(frozen=True)
class UnionT:
    alts: tuple[IdlType, ...]


IdlType = Scalar | ListT | MapT | Ref | Lit | NullT | UnionT
NULL = NullT()


def union_of(alts: Sequence[IdlType]) -> IdlType:
    """The union of ``alts``: nested unions flattened, each alternative once, null last; one alternative alone."""
    flat: list[IdlType] = []
    for a in alts:
        for b in a.alts if isinstance(a, UnionT) else (a,):
            if b not in flat:
                flat.append(b)
    # null last, as the spec writes it (`T | null`)
    flat = [a for a in flat if a != NULL] + ([NULL] if NULL in flat else [])
    return flat[0] if len(flat) == 1 else UnionT(tuple(flat))


def strip_null(t: IdlType) -> tuple[IdlType, bool]:
    """``t`` without its ``| null``, and whether it had one."""
    if t == NULL:
        return t, True
    if isinstance(t, UnionT) and NULL in t.alts:
        rest = [a for a in t.alts if a != NULL]
        return (rest[0] if len(rest) == 1 else UnionT(tuple(rest))), True
    return t, False


# ----------------------------------------------------------------------------------------------------------------
# Declarations


@dataclass
class FieldDecl:
    name: str
    type: IdlType
    optional: bool = False  # `?`
    default: str | None = None  # the default as IDL text
    annotations: list[str] = field(default_factory=list)
    doc: str | None = None
    comments: list[str] = field(default_factory=list)
    wire: str = ""
    py_name: str = ""
    check_type: IdlType | None = None  # the type to cross-check when `| null` was added for a None default


@dataclass
class ModelDecl:
    name: str
    doc: str | None
    annotations: list[str]
    fields: list[FieldDecl] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # `//` lines above the declaration


@dataclass
class EnumDecl:
    name: str
    base: str
    members: list[tuple[str, str | int]]
    doc: str | None
    annotations: list[str]


@dataclass
class TypeDecl:  # `union X = ...;` or `type X = ...;`
    keyword: str
    name: str
    type: IdlType
    doc: str | None
    annotations: list[str]


@dataclass
class RpcDecl:
    method: str  # the dotted name the generated code is named from
    params: str | None
    result: str | None  # None: a one-way method (annotated @oneway)
    doc: str | None
    annotations: list[str]
    wire: str | None = None  # the Centrifugo method name when it is not `method` (written as @method("..."))

    @property
    def wire_method(self) -> str:
        return self.wire if self.wire is not None else self.method


@dataclass
class ChannelDecl:
    name: str  # the dotted name the generated code is named from
    params: list[tuple[str, str]]  # (name, IDL type: "string" or "int")
    pattern: str
    publication: IdlType
    doc: str | None
    annotations: list[str]


Decl = ModelDecl | EnumDecl | TypeDecl
# Declarations by name, in the order they were first reached; None while a name is claimed but not yet declared.
Decls = dict[str, Decl | None]


# ----------------------------------------------------------------------------------------------------------------
# Questions about a type, given the declarations its names refer to


def alternatives(decls: Decls, t: IdlType, depth: int = 0) -> list[IdlType]:
    """The alternatives of ``t`` with unions and aliases expanded."""
    if depth > _MAX_DEPTH:
        return [t]
    if isinstance(t, UnionT):
        out = []
        for a in t.alts:
            out.extend(alternatives(decls, a, depth + 1))
        return out
    if isinstance(t, Ref) and t.kind in ("union", "alias"):
        d = decls.get(t.name)
        if isinstance(d, TypeDecl):
            return alternatives(decls, d.type, depth + 1)
    return [t]


def enum_names(decls: Decls, t: IdlType, depth: int = 0) -> frozenset[str]:
    """Names of the enums a type mentions (a default is written `Enum.member` only where the type is that enum)."""
    if depth > _MAX_DEPTH:
        return frozenset()
    if isinstance(t, Ref):
        if t.kind == "enum":
            return frozenset({t.name})
        d = decls.get(t.name)
        if t.kind in ("alias", "union") and isinstance(d, TypeDecl):
            return enum_names(decls, d.type, depth + 1)
        return frozenset()
    if isinstance(t, ListT):
        return enum_names(decls, t.item, depth + 1)
    if isinstance(t, MapT):
        return enum_names(decls, t.key, depth + 1) | enum_names(decls, t.value, depth + 1)
    if isinstance(t, UnionT):
        out: frozenset[str] = frozenset()
        for a in t.alts:
            out |= enum_names(decls, a, depth + 1)
        return out
    return frozenset()


def hoisted_union(t: IdlType) -> bool:
    """Whether rpcc gives the inline union ``t`` (its ``| null`` dropped) a declaration of its own: any union but
    one of literals of one kind (spec/rpc-idl.md, Inline unions)."""
    base, _ = strip_null(t)
    if not isinstance(base, UnionT):
        return False
    if all(isinstance(a, Lit) for a in base.alts):
        kinds = {type(a.value) for a in base.alts if isinstance(a, Lit)}
        return len(kinds) > 1
    return True


def resolve_alias(decls: Decls, t: IdlType) -> IdlType:
    """The type an alias stands for (its ``| null`` dropped), through chains of aliases."""
    seen = 0
    while isinstance(t, Ref) and t.kind == "alias" and seen < 50:
        d = decls.get(t.name)
        if not isinstance(d, TypeDecl) or d.type is None:
            break
        t = strip_null(d.type)[0]
        seen += 1
    return t

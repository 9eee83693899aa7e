"""Exporter: registered handlers and their Pydantic v2 models -> the ``.rpc`` IDL (spec/rpc-idl.md).

The walk follows ``model_fields`` with typing introspection; every model's serialization-mode JSON schema is then
used as a cross-check (wire names, required set, and the shape of every field), so a custom serializer, a computed
field or a config that changes the wire format is caught instead of exported wrongly.

Output is deterministic: declarations in the order they are first reached (rpcs sorted by method name, each rpc's
params before its result, fields in definition order), rpcs last, sorted by method name.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import decimal
import enum
import inspect
import json
import math
import re
import typing
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

import annotated_types as at
import pydantic
import typing_extensions
from pydantic import BaseModel, RootModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, to_jsonable_python

from .router import Handler, MessageRouter
from .types import Base64Marker

__all__ = ["ExportError", "export", "export_handlers"]

KEYWORDS = frozenset({"import", "model", "enum", "union", "type", "rpc", "null", "true", "false"})
PREDECLARED = frozenset(
    {"bool", "int", "float", "string", "bytes", "decimal", "uuid", "timestamp", "date", "time", "duration", "any",
     "list", "map"}
)
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class ExportError(Exception):
    """The handlers cannot be exported; ``errors`` lists every problem found (each names model and field)."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class _Fail(Exception):
    """One problem inside the walk of one field; turned into an ExportError entry naming model and field."""


# ----------------------------------------------------------------------------------------------------------------
# IDL type terms


@dataclass(frozen=True)
class Scalar:
    name: str


@dataclass(frozen=True)
class ListT:
    item: "IdlType"


@dataclass(frozen=True)
class MapT:
    key: "IdlType"
    value: "IdlType"


@dataclass(frozen=True)
class Ref:
    name: str
    kind: str  # "model" | "enum" | "union" | "alias"


@dataclass(frozen=True)
class Lit:
    value: Union[str, int, bool]


@dataclass(frozen=True)
class NullT:
    pass


@dataclass(frozen=True)
class UnionT:
    alts: tuple


IdlType = Union[Scalar, ListT, MapT, Ref, Lit, NullT, UnionT]
NULL = NullT()


def _union(alts: Sequence[IdlType]) -> IdlType:
    flat: list[IdlType] = []
    for a in alts:
        for b in a.alts if isinstance(a, UnionT) else (a,):
            if b not in flat:
                flat.append(b)
    # null last, as the spec writes it (`T | null`)
    flat = [a for a in flat if a != NULL] + ([NULL] if NULL in flat else [])
    return flat[0] if len(flat) == 1 else UnionT(tuple(flat))


def _strip_null(t: IdlType) -> tuple[IdlType, bool]:
    if t == NULL:
        return t, True
    if isinstance(t, UnionT) and NULL in t.alts:
        rest = [a for a in t.alts if a != NULL]
        return (rest[0] if len(rest) == 1 else UnionT(tuple(rest))), True
    return t, False


def _render_value_str(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    return out.replace("\x7f", "\\u007f").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_type(t: IdlType) -> str:
    if isinstance(t, Scalar):
        return t.name
    if isinstance(t, ListT):
        return f"list<{render_type(t.item)}>"
    if isinstance(t, MapT):
        return f"map<{render_type(t.key)}, {render_type(t.value)}>"
    if isinstance(t, Ref):
        return t.name
    if isinstance(t, NullT):
        return "null"
    if isinstance(t, Lit):
        if isinstance(t.value, bool):
            return "true" if t.value else "false"
        if isinstance(t.value, int):
            return str(t.value)
        return _render_value_str(t.value)
    if isinstance(t, UnionT):
        return " | ".join(render_type(a) for a in t.alts)
    raise AssertionError(t)


# ----------------------------------------------------------------------------------------------------------------
# Declarations


@dataclass
class FieldDecl:
    name: str
    type: IdlType
    optional: bool = False  # `?`
    default: Optional[str] = None
    annotations: list[str] = field(default_factory=list)
    doc: Optional[str] = None
    comments: list[str] = field(default_factory=list)
    wire: str = ""
    py_name: str = ""
    check_type: Optional[IdlType] = None  # the type to cross-check when `| null` was added for a None default


@dataclass
class ModelDecl:
    name: str
    doc: Optional[str]
    annotations: list[str]
    fields: list[FieldDecl] = field(default_factory=list)


@dataclass
class EnumDecl:
    name: str
    base: str
    members: list[tuple[str, Union[str, int]]]
    doc: Optional[str]
    annotations: list[str]


@dataclass
class TypeDecl:  # `union X = ...;` or `type X = ...;`
    keyword: str
    name: str
    type: Optional[IdlType]
    doc: Optional[str]
    annotations: list[str]


@dataclass
class RpcDecl:
    method: str
    params: Optional[str]
    result: str
    doc: Optional[str]
    annotations: list[str]


# ----------------------------------------------------------------------------------------------------------------
# Helpers


def _clean_doc(doc: Optional[str]) -> Optional[str]:
    if not doc:
        return None
    text = inspect.cleandoc(doc).strip()
    return text or None


def _class_doc(cls: type) -> Optional[str]:
    doc = cls.__dict__.get("__doc__")
    origin = (getattr(cls, "__pydantic_generic_metadata__", None) or {}).get("origin")
    if doc is None and origin is not None:
        doc = origin.__dict__.get("__doc__")
    if doc in (None, "An enumeration.") or (isinstance(doc, str) and doc.startswith("Usage docs: https://docs.pydantic.dev")):
        return None
    return _clean_doc(doc)


def _deprecated_annotation(value: Any) -> Optional[str]:
    """`@deprecated` / `@deprecated("why")` from a Field(deprecated=...) or a @typing_extensions.deprecated object."""
    if value is None or value is False:
        return None
    if value is True:
        return "@deprecated"
    msg = getattr(value, "message", value)
    if isinstance(msg, str) and msg:
        return f"@deprecated({_render_value_str(msg)})"
    return "@deprecated"


def _num(v: Any, where: str) -> str:
    if isinstance(v, bool):
        raise _Fail(f"{where}: a boolean is not a number")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, decimal.Decimal):
        if not v.is_finite():
            raise _Fail(f"{where}: {v} is not a finite number")
        if v == v.to_integral_value() and v.as_tuple().exponent >= 0:
            return str(int(v))
        return _float_text(float(v), where) if str(v).lower().find("e") >= 0 else str(v)
    if isinstance(v, float):
        return _float_text(v, where)
    raise _Fail(f"{where}: {v!r} is not a number")


def _float_text(v: float, where: str) -> str:
    if not math.isfinite(v):
        raise _Fail(f"{where}: {v!r} cannot be written in the IDL (no NaN or infinities)")
    text = repr(v).replace("e+", "e")
    if "." not in text and "e" not in text:
        text += ".0"
    return text


def _pascal(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", name) if p)


def _model_name(cls: type) -> str:
    """IDL name of a model: its class name; a parametrized generic `Page[Task]` becomes `Page_Task`."""
    raw = cls.__name__
    name = re.sub(r"[^A-Za-z0-9_]+", "_", raw).strip("_")
    return name


def _is_model_class(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


_ALIAS_TYPES: tuple = tuple(
    t for t in (getattr(typing, "TypeAliasType", None), getattr(typing_extensions, "TypeAliasType", None)) if t
)

_LIST_ORIGINS = {list, typing.List, __import__("collections.abc").abc.Sequence, __import__("collections.abc").abc.MutableSequence}
_SET_ORIGINS = {set, frozenset, typing.Set, typing.FrozenSet, __import__("collections.abc").abc.Set,
                __import__("collections.abc").abc.MutableSet}
_MAP_ORIGINS = {dict, typing.Dict, __import__("collections.abc").abc.Mapping, __import__("collections.abc").abc.MutableMapping}

_SCALARS: list[tuple[type, str]] = [
    (bool, "bool"),
    (int, "int"),
    (float, "float"),
    (str, "string"),
    (decimal.Decimal, "decimal"),
    (uuid.UUID, "uuid"),
    (_dt.datetime, "timestamp"),  # before date: datetime is a date subclass
    (_dt.date, "date"),
    (_dt.time, "time"),
    (_dt.timedelta, "duration"),
]


@dataclass
class _Constraints:
    ge: Any = None
    gt: Any = None
    le: Any = None
    lt: Any = None
    min_len: Optional[int] = None
    max_len: Optional[int] = None
    pattern: Optional[str] = None
    server_only: list[str] = field(default_factory=list)
    discriminator: Any = None
    bytes_b64: bool = False

    def any_idl(self) -> bool:
        return any(v is not None for v in (self.ge, self.gt, self.le, self.lt, self.min_len, self.max_len, self.pattern))


_GENERAL_SERVER_ONLY = ("strict", "allow_inf_nan", "max_digits", "decimal_places", "union_mode",
                        "coerce_numbers_to_str", "fail_fast", "strip_whitespace", "to_upper", "to_lower")


def _collect_metadata(meta: Sequence[Any], c: _Constraints, *, nested: bool, where: str) -> None:
    """Fold Annotated/Field metadata into constraints. Raises for metadata that changes the wire format."""
    b64 = any(isinstance(m, Base64Marker) for m in meta)
    for m in meta:
        if b64 and isinstance(m, (pydantic.PlainSerializer, pydantic.WithJsonSchema)):
            continue
        if isinstance(m, at.GroupedMetadata) and not isinstance(m, FieldInfo):
            _collect_metadata(list(m), c, nested=nested, where=where)
            continue
        if isinstance(m, Base64Marker):
            c.bytes_b64 = True
            continue
        if type(m).__name__ == "EncodedBytes" or type(m).__name__ == "EncodedStr":
            encoder = getattr(m, "encoder", None)
            if encoder is getattr(pydantic.types, "Base64Encoder", None) and type(m).__name__ == "EncodedBytes":
                c.bytes_b64 = True
                continue
            raise _Fail(f"{where}: {type(m).__name__}({getattr(encoder, '__name__', encoder)}) is not the IDL's bytes "
                        "wire format (standard base64 with padding); use rpcc.Base64Bytes or pydantic.Base64Bytes")
        if isinstance(m, (pydantic.PlainSerializer, pydantic.WrapSerializer)):
            raise _Fail(f"{where}: a custom serializer ({type(m).__name__}) makes the wire type unknown to the exporter")
        if isinstance(m, pydantic.Discriminator):
            c.discriminator = m
            continue
        if isinstance(m, FieldInfo):
            _collect_metadata(m.metadata, c, nested=nested, where=where)
            if m.discriminator is not None:
                c.discriminator = m.discriminator
            continue
        bound = None
        if isinstance(m, at.Ge):
            bound = ("ge", m.ge)
        elif isinstance(m, at.Gt):
            bound = ("gt", m.gt)
        elif isinstance(m, at.Le):
            bound = ("le", m.le)
        elif isinstance(m, at.Lt):
            bound = ("lt", m.lt)
        if bound is not None:
            setattr(c, bound[0], bound[1])
            continue
        if isinstance(m, at.MinLen):
            c.min_len = m.min_length
            continue
        if isinstance(m, at.MaxLen):
            c.max_len = m.max_length
            continue
        if isinstance(m, at.MultipleOf):
            c.server_only.append(f"multiple_of={m.multiple_of!r}")
            continue
        if type(m).__name__ == "_PydanticGeneralMetadata":
            attrs = dict(m.__dict__)
            if attrs.get("pattern") is not None:
                pat = attrs.pop("pattern")
                c.pattern = pat if isinstance(pat, str) else pat.pattern
            for k in _GENERAL_SERVER_ONLY:
                if attrs.get(k) is not None:
                    c.server_only.append(f"{k}={attrs[k]!r}")
            continue
        if isinstance(m, pydantic.types.Strict):
            c.server_only.append("strict")
            continue
        # validators (AfterValidator, BeforeValidator, ...), json-schema hints and other markers do not change
        # the wire type: the JSON schema cross-check catches the ones that do.


# ----------------------------------------------------------------------------------------------------------------
# The walk


class _Exporter:
    def __init__(self) -> None:
        self.decls: dict[str, Any] = {}  # name -> decl, in first-reached order
        self.owner: dict[str, Any] = {}  # name -> python object it came from
        self.names: dict[int, str] = {}  # id(python object) -> name
        self.keep: list[Any] = []  # keeps objects alive so ids stay unique
        self.errors: list[str] = []
        self.pending: list[type] = []  # models whose fields are still to walk

    # -- names --------------------------------------------------------------------------------------------------
    def _claim(self, obj: Any, name: str, what: str) -> Optional[str]:
        """Reserve a declaration name for obj; returns the name, or None when already declared for obj."""
        if id(obj) in self.names:
            return None
        if not _IDENT.match(name) or name in KEYWORDS or name in PREDECLARED:
            raise _Fail(f"{what} {_qual(obj)}: its name {name!r} cannot be an IDL declaration name "
                        "(an identifier not starting with '_', not a keyword or built-in type name)")
        other = self.owner.get(name)
        if other is not None and other is not obj:
            raise _Fail(f"two types export under the name {name!r}: {_qual(other)} and {_qual(obj)}; rename one")
        self.names[id(obj)] = name
        self.owner[name] = obj
        self.keep.append(obj)
        self.decls[name] = None  # placeholder keeps first-reached order
        return name

    # -- models -------------------------------------------------------------------------------------------------
    def model_ref(self, cls: type, where: str) -> Ref:
        if issubclass(cls, RootModel):
            return self.root_model(cls, where)
        meta = getattr(cls, "__pydantic_generic_metadata__", None) or {}
        if meta.get("parameters"):
            raise _Fail(f"{where}: generic model {cls.__name__} is used without type arguments "
                        f"(parameters {', '.join(map(str, meta['parameters']))}); use e.g. {cls.__name__}[SomeModel]")
        if id(cls) in self.names:
            return Ref(self.names[id(cls)], "model")
        name = self._claim(cls, _model_name(cls), "model")
        assert name is not None
        self.pending.append(cls)
        self.walk_pending()
        return Ref(name, "model")

    def walk_pending(self) -> None:
        while self.pending:
            cls = self.pending.pop(0)
            self.walk_model(cls)

    def root_model(self, cls: type, where: str) -> Ref:
        if id(cls) in self.names:
            return Ref(self.names[id(cls)], "alias")
        name = self._claim(cls, _model_name(cls), "root model")
        assert name is not None
        fi = cls.model_fields["root"]
        c = _Constraints()
        _collect_metadata(fi.metadata, c, nested=True, where=f"root model {name}")
        if c.any_idl():
            raise _Fail(f"root model {name}: constraints on a root model cannot be expressed in the IDL")
        t = self.convert(fi.annotation, f"root model {name}", c)
        self.decls[name] = TypeDecl("type", name, t, _class_doc(cls), [])
        return Ref(name, "alias")

    def walk_model(self, cls: type) -> None:
        name = self.names[id(cls)]
        try:
            if not cls.__pydantic_complete__:
                cls.model_rebuild()
        except Exception as exc:
            self.errors.append(f"model {name} ({_qual(cls)}): cannot be completed: {exc}")
            self.decls[name] = ModelDecl(name, None, [])
            return
        annotations = []
        dep = _deprecated_annotation(getattr(cls, "__deprecated__", None))
        if dep:
            annotations.append(dep)
        decl = ModelDecl(name, _class_doc(cls), annotations)
        self.decls[name] = decl
        idl_names: dict[str, str] = {}
        for py_name, fi in cls.model_fields.items():
            where = f"model {name}, field {py_name}"
            try:
                fd = self.field(cls, name, py_name, fi, where)
            except _Fail as exc:
                self.errors.append(str(exc))
                continue
            if fd.name in idl_names:
                self.errors.append(f"{where}: its IDL name {fd.name!r} clashes with field {idl_names[fd.name]!r}")
                continue
            idl_names[fd.name] = py_name
            decl.fields.append(fd)
        self.cross_check(cls, decl)

    def field(self, cls: type, model: str, py_name: str, fi: FieldInfo, where: str) -> FieldDecl:
        idl_name = py_name if py_name not in KEYWORDS else py_name + "_"
        if not _IDENT.match(idl_name):
            raise _Fail(f"{where}: the name cannot be an IDL field name (identifiers may not start with '_')")
        wire = _wire_name(fi, py_name, where)
        if fi.exclude:
            raise _Fail(f"{where}: Field(exclude=True) leaves the field out of the output, which the IDL cannot express")
        c = _Constraints()
        _collect_metadata(fi.metadata, c, nested=False, where=where)
        if fi.discriminator is not None:
            c.discriminator = fi.discriminator
        t = self.convert(fi.annotation, where, c, top=True)
        fd = FieldDecl(idl_name, t, wire=wire, py_name=py_name, doc=_clean_doc(fi.description))
        if wire != idl_name:
            fd.annotations.append(f"@json({_render_value_str(wire)})")
        dep = _deprecated_annotation(fi.deprecated)
        if dep:
            fd.annotations.append(dep)
        self.constraint_annotations(fd, c, where)
        if c.discriminator is not None:
            fd.annotations.append(self.discriminator_annotation(t, c.discriminator, where))
        # presence and default
        if fi.is_required():
            pass
        elif fi.default_factory is not None:
            factory = fi.default_factory
            if factory in (list, set, frozenset, tuple):
                fd.default = "[]"
            elif factory is dict:
                fd.default = "{}"
            else:
                fd.optional = True
                fd.comments.append(f"default: computed by the server ({getattr(factory, '__qualname__', factory)!s})"
                                   .replace("\n", " "))
        else:
            value = fi.default
            if value is None:
                # `any` admits null already, but `any | null = null` says so in the type as well (rpcc asks for it)
                if NULL not in _idl_atoms(self, t, 0):
                    fd.type = _union([t, NULL])
                    fd.check_type = t
                fd.default = "null"
            else:
                try:
                    fd.default = self.value(value, where, _enum_names(t, self))
                except _NotExpressible as exc:
                    fd.optional = True
                    fd.comments.append(f"default: {exc} (filled in by the server)")
        return fd

    def constraint_annotations(self, fd: FieldDecl, c: _Constraints, where: str) -> None:
        base, _ = _strip_null(fd.type)
        base = self.resolve_alias(base)
        bounds = [(k, getattr(c, k)) for k in ("ge", "gt", "le", "lt") if getattr(c, k) is not None]
        if bounds:
            if base in (Scalar("int"), Scalar("float"), Scalar("decimal")):
                fd.annotations.append("@range(" + ", ".join(f"{k}: {_num(v, where)}" for k, v in bounds) + ")")
            else:
                fd.comments.append("server-side only: " + ", ".join(f"{k}={v!r}" for k, v in bounds))
        if c.min_len is not None or c.max_len is not None:
            lengthy = base in (Scalar("string"), Scalar("bytes")) or isinstance(base, (ListT, MapT))
            args = ([f"min: {c.min_len}"] if c.min_len is not None else []) + (
                [f"max: {c.max_len}"] if c.max_len is not None else [])
            if lengthy:
                fd.annotations.append("@length(" + ", ".join(args) + ")")
            else:
                fd.comments.append("server-side only: length " + ", ".join(args))
        if c.pattern is not None:
            if base == Scalar("string"):
                fd.annotations.append(f"@pattern({_render_value_str(c.pattern)})")
            else:
                fd.comments.append(f"server-side only: pattern {c.pattern!r}")
        if c.server_only:
            fd.comments.append("server-side only: " + ", ".join(c.server_only))

    def resolve_alias(self, t: IdlType) -> IdlType:
        seen = 0
        while isinstance(t, Ref) and t.kind == "alias" and seen < 50:
            d = self.decls.get(t.name)
            if not isinstance(d, TypeDecl) or d.type is None:
                break
            t = _strip_null(d.type)[0]
            seen += 1
        return t

    def discriminator_annotation(self, t: IdlType, disc: Any, where: str) -> str:
        if not isinstance(disc, str):
            raise _Fail(f"{where}: a callable Discriminator cannot be expressed in the IDL; "
                        "use Field(discriminator='field_name')")
        base, _ = _strip_null(t)
        alts = base.alts if isinstance(base, UnionT) else (base,)
        idl_field = None
        for a in alts:
            if not (isinstance(a, Ref) and a.kind == "model"):
                raise _Fail(f"{where}: discriminated union alternative {render_type(a)} is not a model")
            cls = self.owner[a.name]
            found = None
            for pn, fi in cls.model_fields.items():
                if pn == disc or fi.alias == disc:
                    found = pn if pn not in KEYWORDS else pn + "_"
                    ann = fi.annotation
                    if typing.get_origin(ann) is not typing.Literal or not all(isinstance(v, (str, enum.Enum)) for v in typing.get_args(ann)):
                        raise _Fail(f"{where}: discriminator field {disc!r} of {a.name} must be a string Literal")
            if found is None:
                raise _Fail(f"{where}: alternative {a.name} has no discriminator field {disc!r}")
            if idl_field not in (None, found):
                raise _Fail(f"{where}: the discriminator {disc!r} has different IDL names in the alternatives")
            idl_field = found
        return f"@discriminator({_render_value_str(idl_field or disc)})"

    # -- types --------------------------------------------------------------------------------------------------
    def convert(self, tp: Any, where: str, c: _Constraints, top: bool = False, depth: int = 0) -> IdlType:
        if depth > 60:
            raise _Fail(f"{where}: type nesting too deep")
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing_extensions.Annotated or origin is getattr(typing, "Annotated", None):
            inner, meta = args[0], list(tp.__metadata__)
            if top:
                _collect_metadata(meta, c, nested=False, where=where)
                return self.convert(inner, where, c, top=True, depth=depth + 1)
            sub = _Constraints()
            _collect_metadata(meta, sub, nested=True, where=where)
            if sub.any_idl():
                raise _Fail(f"{where}: constraints inside a container or union ({tp!r}) cannot be expressed in the "
                            "IDL; constrain the field itself or use a model")
            t = self.convert(inner, where, sub, top=False, depth=depth + 1)
            if sub.discriminator is not None:
                return self.named_discriminated_union(t, sub.discriminator, where)
            if sub.bytes_b64 and t != Scalar("bytes"):
                raise _Fail(f"{where}: a base64 marker on a non-bytes type")
            return t
        if tp is Any or tp is object:
            return Scalar("any")
        if tp is None or tp is type(None):
            return NULL
        if isinstance(tp, _ALIAS_TYPES):
            return self.alias(tp, where, depth)
        if isinstance(tp, typing.TypeVar):
            raise _Fail(f"{where}: type variable {tp} is not bound; parametrize the generic model")
        if isinstance(tp, typing.ForwardRef) or isinstance(tp, str):
            raise _Fail(f"{where}: unresolved forward reference {tp!r}; call model_rebuild()")
        if origin is typing.Literal:
            alts = []
            for v in args:
                if isinstance(v, enum.Enum):
                    v = v.value
                if v is None:
                    alts.append(NULL)
                elif isinstance(v, (bool, int, str)):
                    alts.append(Lit(v))
                else:
                    raise _Fail(f"{where}: Literal value {v!r} cannot be expressed (only str, int, bool, None)")
            return _union(alts)
        if origin is Union or (hasattr(__import__("types"), "UnionType") and origin is __import__("types").UnionType):
            alts = [self.convert(a, where, c if top else _Constraints(), top=top, depth=depth + 1) for a in args]
            return _union(alts)
        if origin in _LIST_ORIGINS or tp in (list, typing.List):
            item = self.convert(args[0], where, _Constraints(), depth=depth + 1) if args else Scalar("any")
            return ListT(item)
        if origin in _SET_ORIGINS or tp in (set, frozenset):
            item = self.convert(args[0], where, _Constraints(), depth=depth + 1) if args else Scalar("any")
            return ListT(item)
        if origin is tuple or tp is tuple:
            if not args or (len(args) == 2 and args[1] is Ellipsis):
                item = self.convert(args[0], where, _Constraints(), depth=depth + 1) if args else Scalar("any")
                return ListT(item)
            if args == ((),):
                raise _Fail(f"{where}: the empty tuple type cannot be expressed in the IDL")
            items = [self.convert(a, where, _Constraints(), depth=depth + 1) for a in args]
            if any(i != items[0] for i in items):
                raise _Fail(f"{where}: a tuple of different types ({tp!r}) cannot be expressed in the IDL "
                            "(it has no tuple type); use a model")
            if not top:
                raise _Fail(f"{where}: a fixed-length tuple ({tp!r}) inside a container cannot be expressed; "
                            "use list[...] or a model")
            c.min_len = c.max_len = len(items)
            return ListT(items[0])
        if origin in _MAP_ORIGINS or tp in (dict, typing.Dict):
            if not args:
                return MapT(Scalar("string"), Scalar("any"))
            key = self.convert(args[0], where, _Constraints(), depth=depth + 1)
            kbase = self.resolve_alias(key)
            if not (kbase in (Scalar("string"), Scalar("int"), Scalar("uuid")) or
                    (isinstance(kbase, Ref) and kbase.kind == "enum")):
                raise _Fail(f"{where}: map key type {render_type(key)} cannot be expressed "
                            "(keys are str, int, UUID or an Enum)")
            return MapT(key, self.convert(args[1], where, _Constraints(), depth=depth + 1))
        if origin is not None and _is_model_class(origin):
            return self.model_ref(tp, where)  # pragma: no cover - pydantic parametrizes into real classes
        if isinstance(tp, type):
            if issubclass(tp, enum.Enum):
                return self.enum_ref(tp, where)
            if _is_model_class(tp):
                if tp is BaseModel:
                    raise _Fail(f"{where}: BaseModel itself is not a type the IDL can express; use a concrete model")
                return self.model_ref(tp, where)
            if tp is bytes:
                if not c.bytes_b64:
                    raise _Fail(f"{where}: bytes has no base64 wire format here (Pydantic serializes plain bytes as "
                                "UTF-8 text, and ser_json_bytes='base64' as URL-safe base64, while the IDL's bytes is "
                                "standard base64); annotate it rpcc.Base64Bytes (or pydantic.Base64Bytes)")
                return Scalar("bytes")
            if getattr(pydantic, "AnyUrl", None) and _is_url_class(tp):
                return Scalar("string")
            for py, name in _SCALARS:
                if issubclass(tp, py):
                    if py in (int, str, float) and tp not in (int, str, float) and not _is_url_class(tp):
                        if issubclass(tp, enum.Enum):  # pragma: no cover - handled above
                            break
                    return Scalar(name)
            if dataclasses.is_dataclass(tp) or typing_extensions.is_typeddict(tp):
                raise _Fail(f"{where}: {tp.__name__} is a dataclass/TypedDict; the exporter only walks Pydantic models")
        supertype = getattr(tp, "__supertype__", None)  # NewType
        if supertype is not None:
            return self.convert(supertype, where, c, top=top, depth=depth + 1)
        raise _Fail(f"{where}: type {_type_repr(tp)} cannot be expressed in the IDL")

    def named_discriminated_union(self, t: IdlType, disc: Any, where: str) -> IdlType:
        base, nullable = _strip_null(t)
        if not isinstance(base, UnionT):
            raise _Fail(f"{where}: a discriminator on something that is not a union")
        name = "Or".join(a.name for a in base.alts if isinstance(a, Ref))
        ann = self.discriminator_annotation(base, disc, where)
        existing = self.decls.get(name)
        if existing is None:
            key = ("union", name, ann)
            self._claim(key, name, "union")
            self.decls[name] = TypeDecl("union", name, base, None, [ann])
        elif not (isinstance(existing, TypeDecl) and existing.type == base and existing.annotations == [ann]):
            raise _Fail(f"{where}: the discriminated union would be named {name!r}, which is taken")
        ref = Ref(name, "union")
        return _union([ref, NULL]) if nullable else ref

    def alias(self, tp: Any, where: str, depth: int) -> IdlType:
        if id(tp) in self.names:
            name = self.names[id(tp)]
            d = self.decls.get(name)
            kind = "union" if isinstance(d, TypeDecl) and d.keyword == "union" else "alias"
            if d is None:
                raise _Fail(f"{where}: type alias {name} refers to itself; the IDL allows recursion only "
                            "through models")
            return Ref(name, kind)
        name = tp.__name__
        self._claim(tp, name, "type alias")
        sub = _Constraints()
        value = tp.__value__
        t = self.convert(value, f"type alias {name}", sub, top=True, depth=depth + 1)
        if sub.any_idl():
            self.decls.pop(name, None)
            raise _Fail(f"type alias {name}: constraints on an alias cannot be expressed in the IDL")
        base, nullable = _strip_null(t)
        if isinstance(base, UnionT) and not nullable:
            anns = []
            if sub.discriminator is not None:
                anns.append(self.discriminator_annotation(base, sub.discriminator, f"type alias {name}"))
            self.decls[name] = TypeDecl("union", name, base, None, anns)
            return Ref(name, "union")
        if sub.discriminator is not None:
            raise _Fail(f"type alias {name}: a nullable discriminated union alias cannot be expressed; "
                        "alias the union and write `| None` where it is used")
        self.decls[name] = TypeDecl("type", name, t, None, [])
        return Ref(name, "alias")

    def enum_ref(self, cls: type, where: str) -> Ref:
        if id(cls) in self.names:
            return Ref(self.names[id(cls)], "enum")
        members = list(cls)  # canonical members, aliases skipped
        values = [m.value for m in members]
        if not members:
            raise _Fail(f"{where}: enum {cls.__name__} has no members")
        if all(isinstance(v, str) for v in values):
            base = "string"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            base = "int"
        else:
            raise _Fail(f"{where}: enum {cls.__name__} mixes value types or has values that are neither str nor "
                        "int; the IDL has string and int enums")
        name = self._claim(cls, cls.__name__, "enum")
        assert name is not None
        out = []
        for m in members:
            mname = m.name if m.name not in KEYWORDS else m.name + "_"
            if not _IDENT.match(mname):
                self.decls.pop(name, None)
                raise _Fail(f"{where}: enum {name} member {m.name!r} cannot be an IDL name")
            out.append((mname, m.value))
        anns = []
        dep = _deprecated_annotation(getattr(cls, "__deprecated__", None))
        if dep:
            anns.append(dep)
        self.decls[name] = EnumDecl(name, base, out, _class_doc(cls), anns)
        return Ref(name, "enum")

    # -- values -------------------------------------------------------------------------------------------------
    def value(self, v: Any, where: str, enums: frozenset = frozenset()) -> str:
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, enum.Enum):
            name = self.names.get(id(type(v)))
            if name is None or name not in enums:
                return self.value(v.value, where)
            d = self.decls[name]
            member = next(mn for (mn, mv), m in zip(d.members, list(type(v))) if m is v or m.value == v.value)
            return f"{name}.{member}"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return _float_text(v, where)
        if isinstance(v, str):
            return _render_value_str(v)
        if isinstance(v, (bytes, bytearray)):
            return _render_value_str(base64.b64encode(bytes(v)).decode("ascii"))
        if isinstance(v, (decimal.Decimal, uuid.UUID, _dt.date, _dt.time, _dt.timedelta)):
            return _render_value_str(to_jsonable_python(v))
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(self.value(x, where, enums) for x in v) + "]"
        if isinstance(v, (set, frozenset)):
            items = sorted((self.value(x, where, enums) for x in v))
            return "[" + ", ".join(items) + "]"
        if isinstance(v, dict):
            parts = []
            for k, x in v.items():
                if isinstance(k, enum.Enum):
                    k = k.value
                if isinstance(k, bool) or not isinstance(k, (str, int, uuid.UUID)):
                    raise _NotExpressible(f"a map key {k!r}")
                key = str(k) if isinstance(k, int) else _render_value_str(str(k))
                parts.append(f"{key}: {self.value(x, where, enums)}")
            return "{" + ", ".join(parts) + "}"
        if isinstance(v, BaseModel):
            raise _NotExpressible(f"an instance of {type(v).__name__}")
        raise _NotExpressible(f"{type(v).__name__} value {v!r}")

    # -- cross-check --------------------------------------------------------------------------------------------
    def cross_check(self, cls: type, decl: ModelDecl) -> None:
        where = f"model {decl.name}"
        try:
            schema = cls.model_json_schema(mode="serialization", by_alias=True)
        except Exception as exc:
            self.errors.append(f"{where}: Pydantic cannot produce its serialization JSON schema: {exc}")
            return
        defs = schema.get("$defs", {})
        if "$ref" in schema:
            schema = _resolve(schema, defs)
        props: dict = schema.get("properties", {})
        wires = {f.wire: f for f in decl.fields}
        extra = [p for p in props if p not in wires]
        walked = {f.wire for f in decl.fields}
        model_wires = {_safe_wire(fi, n) for n, fi in cls.model_fields.items()}
        for p in extra:
            if p in model_wires and p not in walked:
                continue  # the field already failed with its own message
            self.errors.append(f"{where}: the serialized output has a property {p!r} that is not a model field "
                               "(computed_field or custom model serializer); the IDL cannot express it")
        for w, f in wires.items():
            fwhere = f"{where}, field {f.py_name}"
            if w not in props:
                self.errors.append(f"{fwhere}: missing from the serialization JSON schema under {w!r} "
                                   "(custom serializer or exclusion?)")
                continue
            problem = _schema_mismatch(self, f.check_type or f.type, props[w], defs, 0)
            if problem:
                self.errors.append(f"{fwhere}: the exported type {render_type(f.type)} does not match Pydantic's "
                                   f"serialized form ({problem}); a serializer or config changes the wire format")
        required = set(schema.get("required", []))
        for w, f in wires.items():
            idl_required = f.default is None and not f.optional
            if idl_required != (w in required) and w in props:
                self.errors.append(f"{where}, field {f.py_name}: required-ness differs between model_fields and the "
                                   "serialization JSON schema")


class _NotExpressible(Exception):
    pass


def _enum_names(t: IdlType, ex: "_Exporter", depth: int = 0) -> frozenset:
    """Names of the enums a type mentions (a default is written `Enum.member` only where the type is that enum)."""
    if depth > 40:
        return frozenset()
    if isinstance(t, Ref):
        if t.kind == "enum":
            return frozenset({t.name})
        d = ex.decls.get(t.name)
        if t.kind in ("alias", "union") and isinstance(d, TypeDecl) and d.type is not None:
            return _enum_names(d.type, ex, depth + 1)
        return frozenset()
    if isinstance(t, ListT):
        return _enum_names(t.item, ex, depth + 1)
    if isinstance(t, MapT):
        return _enum_names(t.key, ex, depth + 1) | _enum_names(t.value, ex, depth + 1)
    if isinstance(t, UnionT):
        out: frozenset = frozenset()
        for a in t.alts:
            out |= _enum_names(a, ex, depth + 1)
        return out
    return frozenset()


def _qual(obj: Any) -> str:
    if isinstance(obj, tuple):
        return f"synthesized {obj[0]} {obj[1]}"
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', getattr(obj, '__name__', repr(obj)))}"


def _type_repr(tp: Any) -> str:
    if isinstance(tp, type):
        return f"{tp.__module__}.{tp.__qualname__}" if tp.__module__ != "builtins" else tp.__name__
    return repr(tp)


def _is_url_class(tp: type) -> bool:
    for n in ("AnyUrl", "AnyHttpUrl", "HttpUrl"):
        base = getattr(pydantic, n, None)
        if isinstance(base, type) and issubclass(tp, base):
            return True
    try:
        import pydantic_core

        return issubclass(tp, (pydantic_core.Url, pydantic_core.MultiHostUrl))
    except Exception:  # pragma: no cover
        return False


def _safe_wire(fi: FieldInfo, py_name: str) -> str:
    return fi.serialization_alias or fi.alias or py_name


def _wire_name(fi: FieldInfo, py_name: str, where: str) -> str:
    ser = fi.serialization_alias or fi.alias or py_name
    val = fi.validation_alias if fi.validation_alias is not None else (fi.alias or py_name)
    if not isinstance(val, str):
        raise _Fail(f"{where}: validation_alias {val!r} (AliasPath/AliasChoices) cannot be expressed; the IDL has "
                    "one wire name per field")
    if val != ser:
        raise _Fail(f"{where}: input name {val!r} and output name {ser!r} differ; the IDL has one wire name per field")
    return ser


# ---------------------------------------------------------------------------------------------------------------
# JSON-schema cross-check

_NOISE = {"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment",
          "discriminator", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
          "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems", "propertyNames",
          "minProperties", "maxProperties"}

_FORMATS = {"timestamp": "date-time", "date": "date", "time": "time", "duration": "duration", "uuid": "uuid",
            "bytes": "base64"}


def _resolve(s: dict, defs: dict, depth: int = 0) -> dict:
    while "$ref" in s and depth < 50:
        ref = s["$ref"]
        key = ref.rsplit("/", 1)[-1]
        extra = {k: v for k, v in s.items() if k != "$ref"}
        s = {**defs.get(key, {}), **{k: v for k, v in extra.items() if k not in _NOISE}}
        depth += 1
    return s


def _schema_atoms(s: dict, defs: dict, depth: int) -> list[dict]:
    """Flatten a schema into alternatives: anyOf/oneOf expanded, enum lists into consts, type lists split."""
    if depth > 40:
        return [s]
    if "$ref" in s:
        target = _resolve(s, defs)
        if "enum" in target or target.get("type") == "object" and "additionalProperties" not in target:
            return [{"$enum_or_model": target}]
        return _schema_atoms(target, defs, depth + 1)
    if "allOf" in s and len(s["allOf"]) == 1:
        return _schema_atoms({**{k: v for k, v in s.items() if k != "allOf"}, **s["allOf"][0]}, defs, depth + 1)
    for key in ("anyOf", "oneOf"):
        if key in s:
            out = []
            for a in s[key]:
                out.extend(_schema_atoms(a, defs, depth + 1))
            return out
    if "enum" in s:
        return [{"const": v} for v in s["enum"]]
    if isinstance(s.get("type"), list):
        return [{**s, "type": t} for t in s["type"]]
    return [{k: v for k, v in s.items() if k not in _NOISE}]


def _idl_atoms(ex: _Exporter, t: IdlType, depth: int) -> list[IdlType]:
    if depth > 40:
        return [t]
    if isinstance(t, UnionT):
        out = []
        for a in t.alts:
            out.extend(_idl_atoms(ex, a, depth + 1))
        return out
    if isinstance(t, Ref) and t.kind in ("union", "alias"):
        d = ex.decls.get(t.name)
        if isinstance(d, TypeDecl) and d.type is not None:
            return _idl_atoms(ex, d.type, depth + 1)
    return [t]


def _atom_matches(ex: _Exporter, t: IdlType, s: dict, defs: dict, depth: int) -> Optional[str]:
    if "$enum_or_model" in s:
        target = s["$enum_or_model"]
        if isinstance(t, Ref) and t.kind == "enum":
            d = ex.decls[t.name]
            vals = set(map(repr, (v for _, v in d.members)))
            return None if set(map(repr, target.get("enum", []))) == vals else f"enum {t.name} values differ"
        if isinstance(t, Ref) and t.kind == "model":
            return None if target.get("type") == "object" else f"{t.name} is not an object"
        if isinstance(t, Ref) and t.kind == "alias":
            return None  # root models: checked when walked
        return f"{render_type(t)} vs a referenced schema"
    if isinstance(t, NullT):
        return None if s.get("type") == "null" else "null"
    if isinstance(t, Lit):
        if "const" not in s:
            return f"literal {render_type(t)}"
        v = s["const"]
        return None if (v == t.value and type(v) is type(t.value)) else f"literal {render_type(t)} vs {v!r}"
    if isinstance(t, Scalar):
        n = t.name
        typ = s.get("type")
        fmt = s.get("format")
        if n == "any":
            return None if not typ and not fmt and "const" not in s else f"any vs {typ}"
        if n == "bool":
            return None if typ == "boolean" else f"bool vs {typ}"
        if n == "int":
            return None if typ == "integer" else f"int vs {typ}"
        if n == "float":
            return None if typ == "number" else f"float vs {typ}"
        if n == "decimal":
            return None if typ == "string" and fmt is None else f"decimal vs {typ}{'/' + fmt if fmt else ''}"
        if n == "string":
            return None if typ == "string" and fmt not in set(_FORMATS.values()) | {"base64url", "binary"} \
                else f"string vs {typ}{'/' + fmt if fmt else ''}"
        want = _FORMATS[n]
        return None if typ == "string" and fmt == want else f"{n} vs {typ}{'/' + fmt if fmt else ''}"
    if isinstance(t, ListT):
        if s.get("type") != "array":
            return f"list vs {s.get('type')}"
        items = s.get("items")
        if items is None and "prefixItems" in s:
            for pi in s["prefixItems"]:
                p = _schema_mismatch(ex, t.item, pi, defs, depth + 1)
                if p:
                    return p
            return None
        return _schema_mismatch(ex, t.item, items, defs, depth + 1) if items is not None else None
    if isinstance(t, MapT):
        if s.get("type") != "object":
            return f"map vs {s.get('type')}"
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            return _schema_mismatch(ex, t.value, ap, defs, depth + 1)
        return None
    if isinstance(t, Ref):
        return f"{t.name} vs an inline schema"
    return "unknown"


def _schema_mismatch(ex: _Exporter, t: IdlType, s: Any, defs: dict, depth: int) -> Optional[str]:
    if depth > 40 or not isinstance(s, dict):
        return None
    idl = _idl_atoms(ex, t, 0)
    sch = _schema_atoms(s, defs, 0)
    for a in idl:
        problems = [_atom_matches(ex, a, sa, defs, depth) for sa in sch]
        if all(p is not None for p in problems):
            return problems[0] if len(problems) == 1 else f"{render_type(a)} matches no serialized alternative"
    for sa in sch:
        if all(_atom_matches(ex, a, sa, defs, depth) is not None for a in idl):
            return f"serialized alternative {json.dumps(sa, sort_keys=True, default=str)[:120]} has no exported counterpart"
    return None


# ----------------------------------------------------------------------------------------------------------------
# Rendering


def _doc_lines(doc: Optional[str], indent: str) -> list[str]:
    if not doc:
        return []
    return [f"{indent}///" + (f" {line.rstrip()}" if line.strip() else "") for line in doc.splitlines()]


def _render(ex: _Exporter, rpcs: list[RpcDecl], header: list[str]) -> str:
    out: list[str] = list(header)
    blocks: list[list[str]] = []
    for name, d in ex.decls.items():
        b: list[str] = []
        if isinstance(d, ModelDecl):
            b += _doc_lines(d.doc, "")
            ann = "".join(" " + a for a in d.annotations)
            b.append(f"model {d.name}{ann} {{")
            for f in d.fields:
                b += _doc_lines(f.doc, "    ")
                b += [f"    // {c}" for c in f.comments]
                line = f"    {f.name}{'?' if f.optional else ''}: {render_type(f.type)}"
                if f.default is not None:
                    line += f" = {f.default}"
                line += "".join(" " + a for a in f.annotations) + ";"
                b.append(line)
            b.append("}")
        elif isinstance(d, EnumDecl):
            b += _doc_lines(d.doc, "")
            ann = "".join(" " + a for a in d.annotations)
            b.append(f"enum {d.name}: {d.base}{ann} {{")
            for mname, mval in d.members:
                val = _render_value_str(mval) if isinstance(mval, str) else str(mval)
                b.append(f"    {mname} = {val};")
            b.append("}")
        elif isinstance(d, TypeDecl):
            b += _doc_lines(d.doc, "")
            ann = "".join(" " + a for a in d.annotations)
            b.append(f"{d.keyword} {d.name} = {render_type(d.type)}{ann};")
        elif d is None:
            continue
        blocks.append(b)
    for r in rpcs:
        b = _doc_lines(r.doc, "")
        ann = "".join(" " + a for a in r.annotations)
        b.append(f"rpc {r.method}({r.params or ''}) -> {r.result}{ann};")
        blocks.append(b)
    for i, b in enumerate(blocks):
        if i or out:
            out.append("")
        out.extend(b)
    return "\n".join(out) + "\n"


def export_handlers(handlers: Sequence[Handler], *, header: Optional[Sequence[str]] = None) -> str:
    """Render the IDL for ``handlers``; raises :class:`ExportError` listing every problem."""
    ex = _Exporter()
    rpcs: list[RpcDecl] = []
    for h in sorted(handlers, key=lambda h: h.method):
        where = f"rpc {h.method} ({h.qualname})"
        segs = h.method.split(".")
        bad = [s for s in segs if s in KEYWORDS or not _IDENT.match(s)]
        if bad:
            ex.errors.append(f"{where}: method name segment {bad[0]!r} is an IDL keyword or not an identifier")
        names = []
        for role, model in (("params", h.params_model), ("result", h.result_model)):
            if model is None:
                names.append(None)
                continue
            if issubclass(model, RootModel):
                ex.errors.append(f"{where}: the {role} type {model.__name__} is a RootModel; params and results "
                                 "are JSON objects (models with fields)")
                names.append(model.__name__)
                continue
            try:
                names.append(ex.model_ref(model, f"{where}, {role}").name)
            except _Fail as exc:
                ex.errors.append(str(exc))
                names.append(model.__name__)
        anns = []
        if h.deprecated is not None:
            anns.append("@deprecated" if h.deprecated == "" else f"@deprecated({_render_value_str(h.deprecated)})")
        rpcs.append(RpcDecl(h.method, names[0], names[1], _clean_doc(h.doc), anns))
    if ex.errors:
        raise ExportError(ex.errors)
    return _render(ex, rpcs, list(header or []))


def export(router: MessageRouter, *, header: Optional[Sequence[str]] = None) -> str:
    """Render the IDL for every handler of ``router``."""
    return export_handlers(router.handlers(), header=header)

"""The model walk: from registered handlers' Pydantic models to IDL declarations (:mod:`.idl`).

Models are walked from ``model_fields`` with typing introspection, each one once, in the order first reached; every
walked model is then cross-checked with its JSON schema (:mod:`.schema_check`). A problem in one field is recorded
in ``errors`` with the model and field named, and the walk goes on, so that one export reports every problem.
"""

from __future__ import annotations

import base64
import collections.abc
import dataclasses
import datetime as _dt
import decimal
import enum
import re
import types
import typing
import uuid
from typing import Any

import pydantic
import typing_extensions
from pydantic import BaseModel, RootModel
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from .errors import NotExpressible, WalkError
from .idl import (IDENTIFIER, KEYWORDS, NULL, PREDECLARED, Decls, EnumDecl, FieldDecl, IdlType, ListT, Lit, MapT,
                  ModelDecl, Ref, Scalar, TypeDecl, UnionT, alternatives, enum_names, resolve_alias, strip_null,
                  union_of)
from .metadata import Constraints, class_doc, clean_doc, collect_metadata, wire_name
from .render import render_deprecated, render_float, render_number, render_string, render_type
from .schema_check import cross_check

__all__ = ["ModelWalk"]

_ALIAS_TYPES: tuple[type, ...] = tuple(
    t for t in (getattr(typing, "TypeAliasType", None), getattr(typing_extensions, "TypeAliasType", None)) if t
)

_LIST_ORIGINS = {list, typing.List, collections.abc.Sequence, collections.abc.MutableSequence}
_SET_ORIGINS = {set, frozenset, typing.Set, typing.FrozenSet, collections.abc.Set, collections.abc.MutableSet}
_MAP_ORIGINS = {dict, typing.Dict, collections.abc.Mapping, collections.abc.MutableMapping}

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


# The doc line of a field whose Python type holds a set (exported as a list).
SET_NOTE = "A set on the server: duplicate items are dropped, and the order of the items is not kept."


def model_name(cls: type) -> str:
    """IDL name of a model: its class name; a parametrized generic `Page[Task]` becomes `Page_Task`."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", cls.__name__).strip("_")


def _is_model_class(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


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


class ModelWalk:
    """Declarations reached from the models given to :meth:`model_ref`, and the problems found on the way."""

    def __init__(self) -> None:
        self.decls: Decls = {}  # name -> decl, in first-reached order
        self.owner: dict[str, Any] = {}  # name -> python object it came from
        self.names: dict[int, str] = {}  # id(python object) -> name
        self.keep: list[Any] = []  # keeps objects alive so ids stay unique
        self.errors: list[str] = []
        self.pending: list[type] = []  # models whose fields are still to walk
        # model name -> Python names of its fields that discriminate a union it is an alternative of
        self.discriminator_fields: dict[str, set[str]] = {}
        self.set_in_field = False  # the field being walked has a set or frozenset in its type

    # -- names --------------------------------------------------------------------------------------------------
    def _claim(self, obj: Any, name: str, what: str) -> str | None:
        """Reserve a declaration name for obj; returns the name, or None when already declared for obj."""
        if id(obj) in self.names:
            return None
        if not IDENTIFIER.match(name) or name in KEYWORDS or name in PREDECLARED:
            raise WalkError(f"{what} {_qual(obj)}: its name {name!r} cannot be an IDL declaration name "
                            "(an identifier not starting with '_', not a keyword or built-in type name)")
        other = self.owner.get(name)
        if other is not None and other is not obj:
            raise WalkError(f"two types export under the name {name!r}: {_qual(other)} and {_qual(obj)}; rename one")
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
            raise WalkError(f"{where}: generic model {cls.__name__} is used without type arguments "
                            f"(parameters {', '.join(map(str, meta['parameters']))}); use e.g. "
                            f"{cls.__name__}[SomeModel]")
        if id(cls) in self.names:
            return Ref(self.names[id(cls)], "model")
        name = self._claim(cls, model_name(cls), "model")
        assert name is not None
        self.pending.append(cls)
        self.walk_pending()
        return Ref(name, "model")

    def walk_pending(self) -> None:
        while self.pending:
            cls = self.pending.pop(0)
            self.walk_model(cls)

    def root_model(self, cls: type[RootModel[Any]], where: str) -> Ref:
        if id(cls) in self.names:
            return Ref(self.names[id(cls)], "alias")
        name = self._claim(cls, model_name(cls), "root model")
        assert name is not None
        fi = cls.model_fields["root"]
        c = Constraints()
        collect_metadata(fi.metadata, c, where=f"root model {name}")
        if c.any_idl():
            raise WalkError(f"root model {name}: constraints on a root model cannot be expressed in the IDL")
        t = self.convert(fi.annotation, f"root model {name}", c)
        self.decls[name] = TypeDecl("type", name, t, class_doc(cls), [])
        return Ref(name, "alias")

    def walk_model(self, cls: Any) -> None:
        name = self.names[id(cls)]
        try:
            if not cls.__pydantic_complete__:
                cls.model_rebuild()
        except Exception as exc:
            self.errors.append(f"model {name} ({_qual(cls)}): cannot be completed: {exc}")
            self.decls[name] = ModelDecl(name, None, [])
            return
        annotations = []
        dep = render_deprecated(getattr(cls, "__deprecated__", None))
        if dep:
            annotations.append(dep)
        decl = ModelDecl(name, class_doc(cls), annotations)
        self.decls[name] = decl
        idl_names: dict[str, str] = {}
        for py_name, fi in cls.model_fields.items():
            where = f"model {name}, field {py_name}"
            try:
                fd = self.field(py_name, fi, where)
            except WalkError as exc:
                self.errors.append(str(exc))
                continue
            if fd.name in idl_names:
                self.errors.append(f"{where}: its IDL name {fd.name!r} clashes with field {idl_names[fd.name]!r}")
                continue
            idl_names[fd.name] = py_name
            decl.fields.append(fd)
        self.errors += cross_check(cls, decl, self.decls)

    def field(self, py_name: str, fi: FieldInfo, where: str) -> FieldDecl:
        idl_name = py_name if py_name not in KEYWORDS else py_name + "_"
        if not IDENTIFIER.match(idl_name):
            raise WalkError(f"{where}: the name cannot be an IDL field name (identifiers may not start with '_')")
        wire = wire_name(fi, py_name, where)
        if fi.exclude:
            raise WalkError(f"{where}: Field(exclude=True) leaves the field out of the output, which the IDL cannot "
                            "express")
        c = Constraints()
        collect_metadata(fi.metadata, c, where=where)
        if fi.discriminator is not None:
            c.discriminator = fi.discriminator
        self.set_in_field = False
        t = self.convert(fi.annotation, where, c, top=True)
        doc = clean_doc(fi.description)
        if self.set_in_field:
            # The IDL has no set type: say in the field's docs what the server does with the list.
            doc = (doc + "\n\n" if doc else "") + SET_NOTE
        fd = FieldDecl(idl_name, t, wire=wire, py_name=py_name, doc=doc)
        if wire != idl_name:
            fd.annotations.append(f"@json({render_string(wire)})")
        dep = render_deprecated(fi.deprecated)
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
                if NULL not in alternatives(self.decls, t):
                    fd.type = union_of([t, NULL])
                    fd.check_type = t
                fd.default = "null"
            else:
                try:
                    fd.default = self.value(value, where, enum_names(self.decls, t))
                except NotExpressible as exc:
                    fd.optional = True
                    fd.comments.append(f"default: {exc} (filled in by the server)")
        return fd

    def constraint_annotations(self, fd: FieldDecl, c: Constraints, where: str) -> None:
        base, _ = strip_null(fd.type)
        base = resolve_alias(self.decls, base)
        bounds = [(k, getattr(c, k)) for k in ("ge", "gt", "le", "lt") if getattr(c, k) is not None]
        if bounds:
            if base in (Scalar("int"), Scalar("float"), Scalar("decimal")):
                fd.annotations.append("@range(" + ", ".join(f"{k}: {render_number(v, where)}" for k, v in bounds)
                                      + ")")
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
                fd.annotations.append(f"@pattern({render_string(c.pattern)})")
            else:
                fd.comments.append(f"server-side only: pattern {c.pattern!r}")
        if c.server_only:
            fd.comments.append("server-side only: " + ", ".join(c.server_only))

    def discriminator_annotation(self, t: IdlType, disc: Any, where: str) -> str:
        if not isinstance(disc, str):
            raise WalkError(f"{where}: a callable Discriminator cannot be expressed in the IDL; "
                            "use Field(discriminator='field_name')")
        base, _ = strip_null(t)
        alts = base.alts if isinstance(base, UnionT) else (base,)
        idl_field = None
        for a in alts:
            if not (isinstance(a, Ref) and a.kind == "model"):
                raise WalkError(f"{where}: discriminated union alternative {render_type(a)} is not a model")
            cls = self.owner[a.name]
            found = None
            for pn, fi in cls.model_fields.items():
                if pn == disc or fi.alias == disc:
                    found = pn if pn not in KEYWORDS else pn + "_"
                    ann = fi.annotation
                    if typing.get_origin(ann) is not typing.Literal or \
                            not all(isinstance(v, (str, enum.Enum)) for v in typing.get_args(ann)):
                        raise WalkError(f"{where}: discriminator field {disc!r} of {a.name} must be a string Literal")
                    self.discriminator_fields.setdefault(a.name, set()).add(pn)
            if found is None:
                raise WalkError(f"{where}: alternative {a.name} has no discriminator field {disc!r}")
            if idl_field not in (None, found):
                raise WalkError(f"{where}: the discriminator {disc!r} has different IDL names in the alternatives")
            idl_field = found
        return f"@discriminator({render_string(idl_field or disc)})"

    def require_discriminator_fields(self) -> None:
        """Make the discriminator field of every union alternative required, as the IDL wants it.

        Pydantic needs the tag in the input of a discriminated union, default or not, and always writes it, so the
        common ``kind: Literal["cat"] = "cat"`` is the required ``kind: "cat"``. A discriminator field whose
        default is anything else cannot be expressed. Runs after the walk: the JSON-schema cross-check compares
        with the fields as Pydantic declares them.
        """
        for name, py_names in self.discriminator_fields.items():
            decl = self.decls.get(name)
            if not isinstance(decl, ModelDecl):
                continue
            for fd in decl.fields:
                if fd.py_name not in py_names or (fd.default is None and not fd.optional):
                    continue
                if isinstance(fd.type, Lit) and fd.default == render_type(fd.type) and not fd.optional:
                    fd.default = None
                else:
                    shown = f" = {fd.default}" if fd.default is not None else " (optional)"
                    self.errors.append(f"model {name}, field {fd.py_name}: a union discriminator must be required; "
                                       f"give it one Literal value, with that value as its only default or none, "
                                       f"not {render_type(fd.type)}{shown}")

    # -- types --------------------------------------------------------------------------------------------------
    def convert(self, tp: Any, where: str, c: Constraints, top: bool = False, depth: int = 0) -> IdlType:
        if depth > 60:
            raise WalkError(f"{where}: type nesting too deep")
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing_extensions.Annotated or origin is typing.Annotated:
            inner, meta = args[0], list(tp.__metadata__)
            if top:
                collect_metadata(meta, c, where=where)
                return self.convert(inner, where, c, top=True, depth=depth + 1)
            sub = Constraints()
            collect_metadata(meta, sub, where=where)
            if sub.any_idl():
                raise WalkError(f"{where}: constraints inside a container or union ({tp!r}) cannot be expressed in "
                                "the IDL; constrain the field itself or use a model")
            t = self.convert(inner, where, sub, top=False, depth=depth + 1)
            if sub.discriminator is not None:
                return self.named_discriminated_union(t, sub.discriminator, where)
            if sub.bytes_b64 and t != Scalar("bytes"):
                raise WalkError(f"{where}: a base64 marker on a non-bytes type")
            return t
        if tp is Any or tp is object:
            return Scalar("any")
        if tp is None or tp is type(None):
            return NULL
        if isinstance(tp, _ALIAS_TYPES):
            return self.alias(tp, where, depth)
        if isinstance(tp, typing.TypeVar):
            raise WalkError(f"{where}: type variable {tp} is not bound; parametrize the generic model")
        if isinstance(tp, typing.ForwardRef) or isinstance(tp, str):
            raise WalkError(f"{where}: unresolved forward reference {tp!r}; call model_rebuild()")
        if origin is typing.Literal:
            alts: list[IdlType] = []
            for v in args:
                if isinstance(v, enum.Enum):
                    v = v.value
                if v is None:
                    alts.append(NULL)
                elif isinstance(v, (bool, int, str)):
                    alts.append(Lit(v))
                else:
                    raise WalkError(f"{where}: Literal value {v!r} cannot be expressed (only str, int, bool, None)")
            return union_of(alts)
        if origin is typing.Union or origin is types.UnionType:
            return union_of([self.convert(a, where, c if top else Constraints(), top=top, depth=depth + 1)
                             for a in args])
        if origin in _LIST_ORIGINS or tp in (list, typing.List):
            item = self.convert(args[0], where, Constraints(), depth=depth + 1) if args else Scalar("any")
            return ListT(item)
        if origin in _SET_ORIGINS or tp in (set, frozenset):
            self.set_in_field = True
            item = self.convert(args[0], where, Constraints(), depth=depth + 1) if args else Scalar("any")
            return ListT(item)
        if origin is tuple or tp is tuple:
            if not args or (len(args) == 2 and args[1] is Ellipsis):
                item = self.convert(args[0], where, Constraints(), depth=depth + 1) if args else Scalar("any")
                return ListT(item)
            if args == ((),):
                raise WalkError(f"{where}: the empty tuple type cannot be expressed in the IDL")
            items = [self.convert(a, where, Constraints(), depth=depth + 1) for a in args]
            if any(i != items[0] for i in items):
                raise WalkError(f"{where}: a tuple of different types ({tp!r}) cannot be expressed in the IDL "
                                "(it has no tuple type); use a model")
            if not top:
                raise WalkError(f"{where}: a fixed-length tuple ({tp!r}) inside a container cannot be expressed; "
                                "use list[...] or a model")
            c.min_len = c.max_len = len(items)
            return ListT(items[0])
        if origin in _MAP_ORIGINS or tp in (dict, typing.Dict):
            if not args:
                return MapT(Scalar("string"), Scalar("any"))
            key = self.convert(args[0], where, Constraints(), depth=depth + 1)
            kbase = resolve_alias(self.decls, key)
            if not (kbase in (Scalar("string"), Scalar("int"), Scalar("uuid")) or
                    (isinstance(kbase, Ref) and kbase.kind == "enum")):
                raise WalkError(f"{where}: map key type {render_type(key)} cannot be expressed "
                                "(keys are str, int, UUID or an Enum)")
            return MapT(key, self.convert(args[1], where, Constraints(), depth=depth + 1))
        if origin is not None and _is_model_class(origin):
            return self.model_ref(tp, where)  # pragma: no cover - pydantic parametrizes into real classes
        if isinstance(tp, type):
            if issubclass(tp, enum.Enum):
                return self.enum_ref(tp, where)
            if _is_model_class(tp):
                if tp is BaseModel:
                    raise WalkError(f"{where}: BaseModel itself is not a type the IDL can express; use a concrete "
                                    "model")
                return self.model_ref(tp, where)
            if tp is bytes:
                if not c.bytes_b64:
                    raise WalkError(f"{where}: bytes has no base64 wire format here (Pydantic serializes plain bytes "
                                    "as UTF-8 text, and ser_json_bytes='base64' as URL-safe base64, while the IDL's "
                                    "bytes is standard base64); annotate it rpcc.Base64Bytes (or "
                                    "pydantic.Base64Bytes)")
                return Scalar("bytes")
            if _is_url_class(tp):
                return Scalar("string")
            for py, name in _SCALARS:  # enums, the int and str subclasses among them, are handled above
                if issubclass(tp, py):
                    return Scalar(name)
            if dataclasses.is_dataclass(tp) or typing_extensions.is_typeddict(tp):
                raise WalkError(f"{where}: {tp.__name__} is a dataclass/TypedDict; the exporter only walks Pydantic "
                                "models")
        supertype = getattr(tp, "__supertype__", None)  # NewType
        if supertype is not None:
            return self.convert(supertype, where, c, top=top, depth=depth + 1)
        raise WalkError(f"{where}: type {_type_repr(tp)} cannot be expressed in the IDL")

    def named_discriminated_union(self, t: IdlType, disc: Any, where: str) -> IdlType:
        base, nullable = strip_null(t)
        if not isinstance(base, UnionT):
            raise WalkError(f"{where}: a discriminator on something that is not a union")
        name = "Or".join(a.name for a in base.alts if isinstance(a, Ref))
        ann = self.discriminator_annotation(base, disc, where)
        existing = self.decls.get(name)
        if existing is None:
            key = ("union", name, ann)
            self._claim(key, name, "union")
            self.decls[name] = TypeDecl("union", name, base, None, [ann])
        elif not (isinstance(existing, TypeDecl) and existing.type == base and existing.annotations == [ann]):
            raise WalkError(f"{where}: the discriminated union would be named {name!r}, which is taken")
        ref = Ref(name, "union")
        return union_of([ref, NULL]) if nullable else ref

    def alias(self, tp: Any, where: str, depth: int) -> IdlType:
        if id(tp) in self.names:
            name = self.names[id(tp)]
            d = self.decls.get(name)
            kind = "union" if isinstance(d, TypeDecl) and d.keyword == "union" else "alias"
            if d is None:
                raise WalkError(f"{where}: type alias {name} refers to itself; the IDL allows recursion only "
                                "through models")
            return Ref(name, kind)
        name = tp.__name__
        self._claim(tp, name, "type alias")
        sub = Constraints()
        value = tp.__value__
        t = self.convert(value, f"type alias {name}", sub, top=True, depth=depth + 1)
        if sub.any_idl():
            self.decls.pop(name, None)
            raise WalkError(f"type alias {name}: constraints on an alias cannot be expressed in the IDL")
        base, nullable = strip_null(t)
        if isinstance(base, UnionT) and not nullable:
            anns = []
            if sub.discriminator is not None:
                anns.append(self.discriminator_annotation(base, sub.discriminator, f"type alias {name}"))
            self.decls[name] = TypeDecl("union", name, base, None, anns)
            return Ref(name, "union")
        if sub.discriminator is not None:
            raise WalkError(f"type alias {name}: a nullable discriminated union alias cannot be expressed; "
                            "alias the union and write `| None` where it is used")
        self.decls[name] = TypeDecl("type", name, t, None, [])
        return Ref(name, "alias")

    def enum_ref(self, cls: type[enum.Enum], where: str) -> Ref:
        if id(cls) in self.names:
            return Ref(self.names[id(cls)], "enum")
        members = list(cls)  # canonical members, aliases skipped
        values = [m.value for m in members]
        if not members:
            raise WalkError(f"{where}: enum {cls.__name__} has no members")
        if all(isinstance(v, str) for v in values):
            base = "string"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            base = "int"
        else:
            raise WalkError(f"{where}: enum {cls.__name__} mixes value types or has values that are neither str nor "
                            "int; the IDL has string and int enums")
        name = self._claim(cls, cls.__name__, "enum")
        assert name is not None
        out = []
        for m in members:
            mname = m.name if m.name not in KEYWORDS else m.name + "_"
            if not IDENTIFIER.match(mname):
                self.decls.pop(name, None)
                raise WalkError(f"{where}: enum {name} member {m.name!r} cannot be an IDL name")
            out.append((mname, m.value))
        anns = []
        dep = render_deprecated(getattr(cls, "__deprecated__", None))
        if dep:
            anns.append(dep)
        self.decls[name] = EnumDecl(name, base, out, class_doc(cls), anns)
        return Ref(name, "enum")

    # -- values -------------------------------------------------------------------------------------------------
    def value(self, v: Any, where: str, enums: frozenset[str] = frozenset()) -> str:
        """A default value as IDL text; an enum member is written `Enum.member` where the type is that enum."""
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, enum.Enum):
            name = self.names.get(id(type(v)))
            if name is None or name not in enums:
                return self.value(v.value, where)
            d = self.decls[name]
            assert isinstance(d, EnumDecl)
            member = next(mn for (mn, mv), m in zip(d.members, list(type(v))) if m is v or m.value == v.value)
            return f"{name}.{member}"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return render_float(v, where)
        if isinstance(v, str):
            return render_string(v)
        if isinstance(v, (bytes, bytearray)):
            return render_string(base64.b64encode(bytes(v)).decode("ascii"))
        if isinstance(v, (decimal.Decimal, uuid.UUID, _dt.date, _dt.time, _dt.timedelta)):
            return render_string(to_jsonable_python(v))
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(self.value(x, where, enums) for x in v) + "]"
        if isinstance(v, (set, frozenset)):
            items = sorted(self.value(x, where, enums) for x in v)
            return "[" + ", ".join(items) + "]"
        if isinstance(v, dict):
            parts = []
            for k, x in v.items():
                if isinstance(k, enum.Enum):
                    k = k.value
                if isinstance(k, bool) or not isinstance(k, (str, int, uuid.UUID)):
                    raise NotExpressible(f"a map key {k!r}")
                key = str(k) if isinstance(k, int) else render_string(str(k))
                parts.append(f"{key}: {self.value(x, where, enums)}")
            return "{" + ", ".join(parts) + "}"
        if isinstance(v, BaseModel):
            raise NotExpressible(f"an instance of {type(v).__name__}")
        raise NotExpressible(f"{type(v).__name__} value {v!r}")

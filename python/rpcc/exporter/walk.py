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
import ipaddress
import re
import types
import typing
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic
import typing_extensions
from pydantic import BaseModel, RootModel
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from .errors import NotExpressible, WalkError
from .idl import (DECLARATION_KEYWORDS, IDENTIFIER, KEYWORDS, NULL, PREDECLARED, Decls, EnumDecl, FieldDecl, IdlType, ListT, Lit, MapT,
                  ModelDecl, Ref, Scalar, TypeDecl, UnionT, alternatives, enum_names, hoisted_union, name_key,
                  resolve_alias, strip_null, union_of)
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


def _special_types() -> list[tuple[type, str, str]]:
    """Pydantic's and the standard library's types whose wire form is a scalar of the IDL plus a rule the IDL
    cannot state: (class, IDL scalar, the rule as the field's documentation says it). Subclasses included."""
    table = [
        ("AwareDatetime", "timestamp", "a date-time with a timezone offset"),
        ("NaiveDatetime", "timestamp", "a date-time without a timezone offset"),
        ("PastDatetime", "timestamp", "a date-time in the past"),
        ("FutureDatetime", "timestamp", "a date-time in the future"),
        ("PastDate", "date", "a date in the past"),
        ("FutureDate", "date", "a date in the future"),
        ("EmailStr", "string", "an email address"),
        ("NameEmail", "string", "a name and an email address, `Fred Bloggs <fred@example.com>`"),
        ("IPvAnyAddress", "string", "an IPv4 or IPv6 address"),
        ("IPvAnyInterface", "string", "an IPv4 or IPv6 interface (address/prefix length)"),
        ("IPvAnyNetwork", "string", "an IPv4 or IPv6 network (address/prefix length)"),
    ]
    out: list[tuple[type, str, str]] = []
    for name, scalar, rule in table:
        cls = getattr(pydantic, name, None)
        if isinstance(cls, type):
            out.append((cls, scalar, f"{rule} ({name})"))
    for cls, rule in ((ipaddress.IPv4Address, "an IPv4 address"), (ipaddress.IPv6Address, "an IPv6 address"),
                      (ipaddress.IPv4Interface, "an IPv4 interface (address/prefix length)"),
                      (ipaddress.IPv6Interface, "an IPv6 interface (address/prefix length)"),
                      (ipaddress.IPv4Network, "an IPv4 network (address/prefix length)"),
                      (ipaddress.IPv6Network, "an IPv6 network (address/prefix length)")):
        out.append((cls, "string", rule))
    networks = getattr(pydantic, "networks", None)
    multi_host = getattr(networks, "_BaseMultiHostUrl", None)
    if isinstance(multi_host, type):  # PostgresDsn, MongoDsn, ...: URLs that may name several hosts
        out.append((multi_host, "string", "a URL that may name several hosts"))
    return out


_SPECIAL = _special_types()


# The doc line of a field whose Python type holds a set (exported as a list).
SET_NOTE = "A set on the server: duplicate items are dropped, and the order of the items is not kept."


NAMINGS = ("class", "module")


def model_name(cls: type) -> str:
    """IDL name of a model: its class name; a parametrized generic `Page[Task]` becomes `Page_Task`."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", cls.__name__).strip("_")


def _pascal(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", text) if w)


def module_qualified_name(obj: Any, name: str) -> str:
    """``name`` qualified by the last segment of the module that defines ``obj``, unless it already starts with it:
    `openai.types.chat.chat_completion.Choice` is `ChatCompletionChoice`, `...chat_completion.ChatCompletion` stays."""
    return _qualify(str(getattr(obj, "__module__", "") or "").rsplit(".", 1)[-1], name)


def _qualify(segment: str, name: str) -> str:
    """``name`` prefixed by the module segment in PascalCase, unless it already starts with it."""
    prefix = _pascal(segment)
    if not prefix or name_key(name)[:len(name_key(prefix))] == name_key(prefix):
        return name
    return prefix + name[:1].upper() + name[1:]


def _with_notes(doc: str | None, notes: list[str]) -> str | None:
    """``doc`` followed by the notes not already in it, a blank line between."""
    notes = [n for n in dict.fromkeys(notes) if not doc or n not in doc]
    if not notes:
        return doc
    return (doc + "\n\n" if doc else "") + "\n".join(notes)


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


def unique_names(classes: Sequence[type]) -> dict[str, str]:
    """A rename map that gives each of ``classes`` a distinct declaration name: its name under naming="module",
    qualified by more trailing segments of its module where that is not enough
    (`responses.function_tool.FunctionTool` -> `ResponsesFunctionTool` beside `beta.function_tool.FunctionTool` ->
    `BetaFunctionTool`). Keys are "module.QualName", as :func:`~rpcc.exporter.export_handlers` takes ``rename``."""
    def qualified(cls: type, depth: int) -> str:
        name = model_name(cls)
        for segment in reversed(str(getattr(cls, "__module__", "")).split(".")[-depth:]):
            name = _qualify(segment, name)
        return name

    depth = {_qual(cls): 1 for cls in classes}
    by_qual = {_qual(cls): cls for cls in classes}
    for _ in range(12):  # each round qualifies the names that still meet by one more segment
        names = {q: qualified(by_qual[q], d) for q, d in depth.items()}
        groups: dict[tuple[str, ...], list[str]] = {}
        for q, n in names.items():
            groups.setdefault(name_key(n), []).append(q)
        clashes = [g for g in groups.values() if len(g) > 1]
        if not clashes:
            break
        for group in clashes:
            for q in group:
                depth[q] += 1
    return names


class ModelWalk:
    """Declarations reached from the models given to :meth:`model_ref`, and the problems found on the way."""

    def __init__(self, *, naming: str = "class", rename: Mapping[Any, str] | None = None) -> None:
        if naming not in NAMINGS:
            raise ValueError(f"naming must be one of {', '.join(NAMINGS)}, not {naming!r}")
        self.naming = naming
        # class (or "module.QualName") -> the IDL name to give it
        self.rename = {(k if isinstance(k, str) else _qual(k)): v for k, v in (rename or {}).items()}
        self.decls: Decls = {}  # name -> decl, in first-reached order
        self.owner: dict[str, Any] = {}  # name -> python object it came from
        self.names: dict[int, str] = {}  # id(python object) -> name
        self.keep: list[Any] = []  # keeps objects alive so ids stay unique
        self.errors: list[str] = []
        self.pending: list[type] = []  # models whose fields are still to walk
        # model name -> Python names of its fields that discriminate a union it is an alternative of
        self.discriminator_fields: dict[str, set[str]] = {}
        self.set_in_field = False  # the field being walked has a set or frozenset in its type
        self.notes: list[str] = []  # rules of the field being walked that the IDL cannot state: its docs say them
        self.failed: set[str] = set()  # declarations whose walk failed: their uses add no errors of their own
        self.keys: dict[tuple[str, ...], str] = {}  # name_key -> declared name
        self.current: tuple[str, str] | None = None  # (model, field) being walked
        self.top_where = ""  # the handler and role the walk started from
        self.reached: dict[str, tuple[tuple[str, str] | None, str]] = {}  # name -> (model, field) or where

    def reached_by(self, name: str) -> str:
        """The field path by which the walk first reached declaration ``name``: `rpc a.b, result -> A.x -> B.y`."""
        steps: list[str] = []
        seen: set[str] = set()
        while name in self.reached and name not in seen:
            seen.add(name)
            via, where = self.reached[name]
            if via is None:
                steps.append(where)
                break
            steps.append(f"{via[0]}.{via[1]}")
            name = via[0]
        return " -> ".join(reversed(steps))

    def error(self, message: str, name: str | None = None) -> None:
        """Record a problem; one inside declaration ``name`` says how the walk reached it."""
        if name is not None:
            self.failed.add(name)
            path = self.reached_by(name)
            if path:
                message += f" [{name} reached by {path}]"
        self.errors.append(message)

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def inferred_discriminator(self, t: IdlType) -> str | None:
        """The wire name by which a union of models is tagged, when Pydantic is not told but the models say it.

        Every alternative a model with a field of that wire name whose type is one string Literal, required or
        with that value as its default (pydantic's usual ``type: Literal["a"] = "a"``), the values distinct: only
        one alternative can validate a value that has the tag, so decoding by the tag is what Pydantic's validation
        does (the SDKs of API providers tag their unions so, with a discriminator that Pydantic never sees). The
        first such field of the first alternative wins. A defaulted tag becomes required in the IDL
        (require_discriminator_fields), as the IDL's discriminated unions want it: Pydantic always writes it, and a
        value without it fits no alternative by its tag.
        """
        base, _ = strip_null(t)
        if not isinstance(base, UnionT) or len(base.alts) < 2:
            return None
        tags: list[dict[str, str]] = []
        for a in base.alts:
            if not (isinstance(a, Ref) and a.kind == "model"):
                return None
            cls = self.owner.get(a.name)
            if cls is None or not _is_model_class(cls):
                return None
            fields: dict[str, str] = {}
            for pn, fi in cls.model_fields.items():
                literal = typing.get_origin(fi.annotation) is typing.Literal
                values = [v.value if isinstance(v, enum.Enum) else v for v in typing.get_args(fi.annotation)] \
                    if literal else []
                default = fi.default.value if isinstance(fi.default, enum.Enum) else fi.default
                tag_default = not fi.is_required() and fi.default_factory is None and values == [default]
                if len(values) == 1 and isinstance(values[0], str) and (fi.is_required() or tag_default):
                    wire = fi.serialization_alias or fi.alias or pn
                    if wire == (fi.validation_alias if isinstance(fi.validation_alias, str) else fi.alias or pn):
                        fields[wire] = values[0]
            tags.append(fields)
        for wire in tags[0]:
            values = [f.get(wire) for f in tags]
            if all(v is not None for v in values) and len(set(values)) == len(values):
                return wire
        return None

    def idl_name(self, obj: Any, name: str) -> str:
        """The declaration name of a class or alias: the rename map's, else by the naming option."""
        mapped = self.rename.get(_qual(obj))
        if mapped is not None:
            return mapped
        return module_qualified_name(obj, name) if self.naming == "module" else name

    # -- names --------------------------------------------------------------------------------------------------
    def _claim(self, obj: Any, name: str, what: str) -> str | None:
        """Reserve a declaration name for obj; returns the name, or None when already declared for obj."""
        if id(obj) in self.names:
            return None
        if not IDENTIFIER.match(name) or name in DECLARATION_KEYWORDS or name in PREDECLARED:
            raise WalkError(f"{what} {_qual(obj)}: its name {name!r} cannot be an IDL declaration name "
                            "(an identifier not starting with '_', not a keyword or built-in type name)")
        other_name = self.keys.get(name_key(name))
        other = self.owner.get(other_name) if other_name is not None else None
        if other is not None and other is not obj:
            here = f"{self.reached_by(self.current[0])} -> {self.current[0]}.{self.current[1]}" if self.current \
                else self.top_where
            assert other_name is not None
            same = f"the name {name!r}" if other_name == name else f"names {other_name!r} and {name!r}, which " \
                "become the same identifier in Go"
            if self.naming == "module":
                hint = "map one of them to another name (rename={...}, or --rename MODULE.CLASS=NAME)"
            else:
                hint = ("qualify the names by module (naming='module', or --names module) or map one of them to "
                        "another name (rename={...}, or --rename MODULE.CLASS=NAME)")
            raise WalkError(f"two types export under {same}: {_qual(other)} (reached by {self.reached_by(other_name)}) "
                            f"and {_qual(obj)} (reached by {here}); {hint}")
        self.keys[name_key(name)] = name
        self.reached.setdefault(name, (self.current, self.top_where))
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
        if self.current is None:
            self.top_where = where
        name = self._claim(cls, self.idl_name(cls, model_name(cls)), "model")
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
        if self.current is None:
            self.top_where = where
        name = self._claim(cls, self.idl_name(cls, model_name(cls)), "root model")
        assert name is not None
        fi = cls.model_fields["root"]
        c = Constraints()
        outer_notes, self.notes = self.notes, []
        try:
            collect_metadata(fi.metadata, c, where=f"root model {name}")
            t = self.convert(fi.annotation, f"root model {name}", c, top=True)
        except WalkError as exc:
            self.error(str(exc), name)  # once: the fields that use it add nothing (self.failed)
            return Ref(name, "alias")
        finally:
            notes, self.notes = self.notes, outer_notes
        # The IDL bounds fields only: on an alias the constraints are documented and the server checks them.
        if c.any_idl() or c.server_only:
            notes.append(f"Checked by the server: {c.describe()}.")
        self.decls[name] = TypeDecl("type", name, t, _with_notes(class_doc(cls), notes), [])
        return Ref(name, "alias")

    def walk_model(self, cls: Any) -> None:
        outer = self.current
        try:
            self._walk_model(cls)
        finally:
            self.current = outer

    def _walk_model(self, cls: Any) -> None:
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
        if (getattr(cls, "model_config", None) or {}).get("extra") == "allow":
            annotations.append("@open")  # keeps keys it does not declare (spec/rpc-idl.md, Open models)
        self.decls[name] = decl
        idl_names: dict[str, str] = {}
        for py_name, fi in cls.model_fields.items():
            where = f"model {name}, field {py_name}"
            self.current = (name, py_name)
            try:
                fd = self.field(py_name, fi, where)
            except WalkError as exc:
                self.error(str(exc), name)
                continue
            if fd.name in idl_names:
                self.error(f"{where}: its IDL name {fd.name!r} clashes with field {idl_names[fd.name]!r}", name)
                continue
            idl_names[fd.name] = py_name
            decl.fields.append(fd)
        for problem in cross_check(cls, decl, self.decls, self.failed):
            self.error(problem, name)

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
        self.notes = []
        t = self.convert(fi.annotation, where, c, top=True)
        if c.discriminator is None:
            c.discriminator = self.inferred_discriminator(t)
        doc = clean_doc(fi.description)
        if self.set_in_field:
            # The IDL has no set type: say in the field's docs what the server does with the list.
            doc = (doc + "\n\n" if doc else "") + SET_NOTE
        doc = _with_notes(doc, self.notes)
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
        """`@discriminator("field")` for the union ``t`` tagged by ``disc`` (a field's Python name or wire name)."""
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
                if pn == disc or fi.alias == disc or fi.serialization_alias == disc:
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

    def name_inline_unions(self) -> None:
        """Declare an inline union under a free name where rpcc's name for it would be taken.

        rpcc declares every inline union of non-literals under a name made of where it stands (spec/rpc-idl.md,
        Inline unions): `Shape.fill` gives `ShapeFill`, plus `Item`, `Value`, `Option<n>` inside containers and
        unions. The SDKs of API providers name their nested classes the same way, so that name may be a class's:
        such a union is declared here, as `union <name>Union = ...;`, and the field refers to it. Runs after the
        walk, on the final declarations.
        """
        taken = dict(self.keys)
        for decl in list(self.decls.values()):
            if isinstance(decl, ModelDecl):
                for fd in decl.fields:
                    disc = [a for a in fd.annotations if a.startswith("@discriminator(")]
                    fd.type = self._hoist(fd.type, decl.name + _pascal(fd.name), taken, disc)
                    if disc and not hoisted_union(fd.type):
                        fd.annotations = [a for a in fd.annotations if a not in disc]  # now on the declared union
            elif isinstance(decl, TypeDecl) and decl.keyword == "type":
                base, nullable = strip_null(decl.type)
                if nullable and isinstance(base, UnionT):
                    taken.setdefault(name_key(decl.name + "Value"), decl.name + "Value")
                    base = UnionT(tuple(self._hoist(a, f"{decl.name}ValueOption{i + 1}", taken, [])
                                        for i, a in enumerate(base.alts)))
                    decl.type = union_of([base, NULL])
                else:
                    decl.type = self._hoist(decl.type, decl.name, taken, [])
            elif isinstance(decl, TypeDecl):
                decl.type = UnionT(tuple(self._hoist(a, f"{decl.name}Option{i + 1}", taken, [])
                                         for i, a in enumerate(decl.type.alts))) \
                    if isinstance(decl.type, UnionT) else decl.type

    def _hoist(self, t: IdlType, name: str, taken: dict[tuple[str, ...], str], anns: list[str]) -> IdlType:
        base, nullable = strip_null(t)
        if isinstance(base, ListT):
            out: IdlType = ListT(self._hoist(base.item, name + "Item", taken, []))
        elif isinstance(base, MapT):
            out = MapT(base.key, self._hoist(base.value, name + "Value", taken, []))
        elif isinstance(base, UnionT) and hoisted_union(base):
            base = UnionT(tuple(self._hoist(a, f"{name}Option{i + 1}", taken, []) for i, a in enumerate(base.alts)))
            if name_key(name) not in taken:
                taken[name_key(name)] = name
                out = base
            else:
                free, n = name + "Union", 2
                while name_key(free) in taken:
                    free, n = f"{name}Union{n}", n + 1
                taken[name_key(free)] = free
                self.decls[free] = TypeDecl("union", free, base, None, list(anns))
                out = Ref(free, "union")
        else:
            return t
        return union_of([out, NULL]) if nullable else out

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
            t = self.convert(inner, where, sub, top=False, depth=depth + 1)
            if sub.any_idl() or sub.server_only:
                # The IDL bounds a field's own value only: the server checks these, the docs say so.
                self._note(f"Checked by the server: {sub.describe()} on each {render_type(t)} inside the type.")
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
            u = union_of([self.convert(a, where, c if top else Constraints(), top=top, depth=depth + 1)
                          for a in args])
            if not top and c.discriminator is None:  # an explicit one is applied by the Annotated around it
                disc = self.inferred_discriminator(u)
                if disc is not None:
                    try:
                        return self.named_discriminated_union(u, disc, where)
                    except WalkError:
                        pass  # no free name: the union stays untagged, as Pydantic treats it
            return u
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
            for special, scalar, rule in _SPECIAL:
                if issubclass(tp, special):
                    self._note(f"Checked by the server: {rule}.")
                    return Scalar(scalar)
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
        name = self.idl_name(tp, tp.__name__)
        self._claim(tp, name, "type alias")
        sub = Constraints()
        value = tp.__value__
        try:
            t = self.convert(value, f"type alias {name}", sub, top=True, depth=depth + 1)
        except WalkError:
            self.failed.add(name)
            raise
        if sub.any_idl() or sub.server_only:
            # The IDL bounds fields only: on an alias the constraints are documented and the server checks them.
            self._note(f"Checked by the server: {sub.describe()} (type alias {name}).")
        if sub.discriminator is None:
            sub.discriminator = self.inferred_discriminator(t)
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
            raise WalkError(f"{where}: enum {_qual(cls)} has no members")
        if all(isinstance(v, str) for v in values):
            base = "string"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            base = "int"
        else:
            raise WalkError(f"{where}: enum {_qual(cls)} mixes value types or has values that are neither str nor "
                            "int; the IDL has string and int enums")
        name = self._claim(cls, self.idl_name(cls, cls.__name__), "enum")
        assert name is not None
        out = []
        taken: set[tuple[str, ...]] = set()
        for m in members:
            mname = m.name if m.name not in KEYWORDS else m.name + "_"
            if not IDENTIFIER.match(mname):
                self.decls.pop(name, None)
                self.failed.add(name)
                raise WalkError(f"{where}: enum {_qual(cls)} member {m.name!r} cannot be an IDL name")
            # Member names become UPPER_SNAKE (Python, TypeScript) and PascalCase (Go): two that meet there
            # (`number__1 = -1`, `number_1 = 1`) would be refused by rpcc, so the later one gets a free name.
            # The wire carries values, so only the generated constant's name changes.
            base_name, n = mname, 2
            while name_key(mname) in taken:
                mname, n = f"{base_name}_{n}", n + 1
            taken.add(name_key(mname))
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

"""The cross-check of a walked model against Pydantic's serialization-mode JSON schema.

The walk reads ``model_fields`` and type annotations; what Pydantic actually writes can differ (a custom
serializer, a computed field, a config that changes the wire format). Every walked model is therefore compared
with its JSON schema: the same wire names, the same required set, and a matching shape for every field.
"""

from __future__ import annotations

import json
from typing import Any

from .idl import (Decls, EnumDecl, IdlType, ListT, Lit, MapT, ModelDecl, NullT, Ref, Scalar, TypeDecl, UnionT,
                  alternatives)
from .metadata import serialized_name
from .render import render_type

__all__ = ["cross_check"]

# A JSON schema as Pydantic writes it.
Schema = dict[str, Any]

_MAX_DEPTH = 40

# Schema keys that say nothing about the shape of the value.
_NOISE = {"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment",
          "discriminator", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
          "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems", "propertyNames",
          "minProperties", "maxProperties"}

# The JSON schema "format" of each IDL scalar that is a string on the wire.
_FORMATS = {"timestamp": "date-time", "date": "date", "time": "time", "duration": "duration", "uuid": "uuid",
            "bytes": "base64"}


def _mentions(decls: Decls, t: IdlType, names: set[str], depth: int = 0) -> bool:
    """Whether ``t`` refers to one of ``names``, directly or through aliases and unions."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(t, Ref):
        if t.name in names:
            return True
        d = decls.get(t.name)
        return isinstance(d, TypeDecl) and _mentions(decls, d.type, names, depth + 1)
    if isinstance(t, ListT):
        return _mentions(decls, t.item, names, depth + 1)
    if isinstance(t, MapT):
        return _mentions(decls, t.key, names, depth + 1) or _mentions(decls, t.value, names, depth + 1)
    if isinstance(t, UnionT):
        return any(_mentions(decls, a, names, depth + 1) for a in t.alts)
    return False


def cross_check(cls: Any, decl: ModelDecl, decls: Decls, failed: set[str] | None = None) -> list[str]:
    """The differences between the walked ``decl`` of ``cls`` and Pydantic's serialized form, one message each.

    A field whose type refers to a declaration in ``failed`` is not compared: that declaration's own error says
    what is wrong, and its uses would only repeat it.
    """
    errors: list[str] = []
    where = f"model {decl.name}"
    try:
        schema = cls.model_json_schema(mode="serialization", by_alias=True)
    except Exception as exc:
        return [f"{where}: Pydantic cannot produce its serialization JSON schema: {exc}"]
    defs = schema.get("$defs", {})
    if "$ref" in schema:
        schema = _resolve(schema, defs)
    props: Schema = schema.get("properties", {})
    wires = {f.wire: f for f in decl.fields}
    extra = [p for p in props if p not in wires]
    walked = {f.wire for f in decl.fields}
    model_wires = {serialized_name(fi, n) for n, fi in cls.model_fields.items()}
    for p in extra:
        if p in model_wires and p not in walked:
            continue  # the field already failed with its own message
        errors.append(f"{where}: the serialized output has a property {p!r} that is not a model field "
                      "(computed_field or custom model serializer); the IDL cannot express it")
    for w, f in wires.items():
        fwhere = f"{where}, field {f.py_name}"
        if failed and _mentions(decls, f.type, failed):
            continue
        if w not in props:
            errors.append(f"{fwhere}: missing from the serialization JSON schema under {w!r} "
                          "(custom serializer or exclusion?)")
            continue
        problem = _mismatch(decls, f.check_type or f.type, props[w], defs, 0)
        if problem:
            errors.append(f"{fwhere}: the exported type {render_type(f.type)} does not match Pydantic's "
                          f"serialized form ({problem}); a serializer or config changes the wire format")
    required = set(schema.get("required", []))
    for w, f in wires.items():
        idl_required = f.default is None and not f.optional
        if idl_required != (w in required) and w in props:
            errors.append(f"{where}, field {f.py_name}: required-ness differs between model_fields and the "
                          "serialization JSON schema")
    return errors


def _resolve(s: Schema, defs: Schema, depth: int = 0) -> Schema:
    while "$ref" in s and depth < 50:
        ref = s["$ref"]
        key = ref.rsplit("/", 1)[-1]
        extra = {k: v for k, v in s.items() if k != "$ref"}
        s = {**defs.get(key, {}), **{k: v for k, v in extra.items() if k not in _NOISE}}
        depth += 1
    return s


def _schema_alternatives(s: Schema, defs: Schema, depth: int) -> list[Schema]:
    """Flatten a schema into alternatives: anyOf/oneOf expanded, enum lists into consts, type lists split."""
    if depth > _MAX_DEPTH:
        return [s]
    if "$ref" in s:
        target = _resolve(s, defs)
        # A model's schema has "properties" (with extra="allow" or "forbid" also "additionalProperties", which
        # says nothing about the declared fields); a RootModel of a dict has only "additionalProperties".
        if "enum" in target or target.get("type") == "object" and (
                "properties" in target or "additionalProperties" not in target):
            return [{"$enum_or_model": target}]
        return _schema_alternatives(target, defs, depth + 1)
    if "allOf" in s and len(s["allOf"]) == 1:
        return _schema_alternatives({**{k: v for k, v in s.items() if k != "allOf"}, **s["allOf"][0]}, defs,
                                    depth + 1)
    for key in ("anyOf", "oneOf"):
        if key in s:
            out = []
            for a in s[key]:
                out.extend(_schema_alternatives(a, defs, depth + 1))
            return out
    if "enum" in s:
        return [{"const": v} for v in s["enum"]]
    if isinstance(s.get("type"), list):
        return [{**s, "type": t} for t in s["type"]]
    return [{k: v for k, v in s.items() if k not in _NOISE}]


def _alternative_mismatch(decls: Decls, t: IdlType, s: Schema, defs: Schema, depth: int) -> str | None:
    """Why one IDL alternative does not match one schema alternative, or None when it does."""
    if "$enum_or_model" in s:
        target = s["$enum_or_model"]
        if isinstance(t, Ref) and t.kind == "enum":
            d = decls[t.name]
            assert isinstance(d, EnumDecl)
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
                p = _mismatch(decls, t.item, pi, defs, depth + 1)
                if p:
                    return p
            return None
        return _mismatch(decls, t.item, items, defs, depth + 1) if items is not None else None
    if isinstance(t, MapT):
        if s.get("type") != "object":
            return f"map vs {s.get('type')}"
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            return _mismatch(decls, t.value, ap, defs, depth + 1)
        return None
    if isinstance(t, Ref):
        return f"{t.name} vs an inline schema"
    return "unknown"


def _mismatch(decls: Decls, t: IdlType, s: Any, defs: Schema, depth: int) -> str | None:
    """Why the IDL type ``t`` does not match the schema ``s``, or None: each side's alternatives need a partner."""
    if depth > _MAX_DEPTH or not isinstance(s, dict):
        return None
    idl = alternatives(decls, t)
    sch = _schema_alternatives(s, defs, 0)
    for a in idl:
        problems = [_alternative_mismatch(decls, a, sa, defs, depth) for sa in sch]
        if all(p is not None for p in problems):
            return problems[0] if len(problems) == 1 else f"{render_type(a)} matches no serialized alternative"
    for sa in sch:
        if all(_alternative_mismatch(decls, a, sa, defs, depth) is not None for a in idl):
            return f"serialized alternative {json.dumps(sa, sort_keys=True, default=str)[:120]} has no exported counterpart"
    return None

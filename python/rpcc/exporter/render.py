"""IDL text: how the exporter writes strings, numbers, types, doc comments and the whole file."""

from __future__ import annotations

import decimal
import json
import math
from collections.abc import Sequence
from typing import Any

from .errors import WalkError
from .idl import ChannelDecl, Decls, EnumDecl, IdlType, ListT, Lit, MapT, ModelDecl, NullT, Ref, RpcDecl, Scalar, TypeDecl, UnionT

__all__ = ["render_deprecated", "render_file", "render_float", "render_number", "render_string", "render_type"]


def render_string(s: str) -> str:
    """A string literal: JSON's escapes, plus the code points JSON allows raw but the IDL's lexer does not."""
    out = json.dumps(s, ensure_ascii=False)
    return out.replace("\x7f", "\\u007f").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_float(v: float, where: str) -> str:
    if not math.isfinite(v):
        raise WalkError(f"{where}: {v!r} cannot be written in the IDL (no NaN or infinities)")
    text = repr(v).replace("e+", "e")
    if "." not in text and "e" not in text:
        text += ".0"
    return text


def render_number(v: Any, where: str) -> str:
    """A bound of ``@range``: an int, a float or a finite Decimal."""
    if isinstance(v, bool):
        raise WalkError(f"{where}: a boolean is not a number")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, decimal.Decimal):
        if not v.is_finite():
            raise WalkError(f"{where}: {v} is not a finite number")
        exponent = v.as_tuple().exponent
        if v == v.to_integral_value() and isinstance(exponent, int) and exponent >= 0:
            return str(int(v))
        return render_float(float(v), where) if str(v).lower().find("e") >= 0 else str(v)
    if isinstance(v, float):
        return render_float(v, where)
    raise WalkError(f"{where}: {v!r} is not a number")


def render_deprecated(value: Any) -> str | None:
    """`@deprecated` / `@deprecated("why")` from a Field(deprecated=...) or a @typing_extensions.deprecated object."""
    if value is None or value is False:
        return None
    if value is True:
        return "@deprecated"
    msg = getattr(value, "message", value)
    if isinstance(msg, str) and msg:
        return f"@deprecated({render_string(msg)})"
    return "@deprecated"


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
        return render_string(t.value)
    if isinstance(t, UnionT):
        return " | ".join(render_type(a) for a in t.alts)
    raise AssertionError(t)


def _doc_lines(doc: str | None, indent: str) -> list[str]:
    if not doc:
        return []
    return [f"{indent}///" + (f" {line.rstrip()}" if line.strip() else "") for line in doc.splitlines()]


def _annotations(annotations: Sequence[str]) -> str:
    return "".join(" " + a for a in annotations)


def _model_lines(d: ModelDecl) -> list[str]:
    lines = _doc_lines(d.doc, "") + [f"// {c}" for c in d.comments]
    lines.append(f"model {d.name}{_annotations(d.annotations)} {{")
    for f in d.fields:
        lines += _doc_lines(f.doc, "    ")
        lines += [f"    // {c}" for c in f.comments]
        line = f"    {f.name}{'?' if f.optional else ''}: {render_type(f.type)}"
        if f.default is not None:
            line += f" = {f.default}"
        lines.append(line + _annotations(f.annotations) + ";")
    lines.append("}")
    return lines


def _enum_lines(d: EnumDecl) -> list[str]:
    lines = _doc_lines(d.doc, "")
    lines.append(f"enum {d.name}: {d.base}{_annotations(d.annotations)} {{")
    for member, value in d.members:
        lines.append(f"    {member} = {render_string(value) if isinstance(value, str) else value};")
    lines.append("}")
    return lines


def _type_lines(d: TypeDecl) -> list[str]:
    return _doc_lines(d.doc, "") + [f"{d.keyword} {d.name} = {render_type(d.type)}{_annotations(d.annotations)};"]


def _rpc_lines(r: RpcDecl) -> list[str]:
    result = "" if r.result is None else f" -> {r.result}"
    return _doc_lines(r.doc, "") + [f"rpc {r.method}({r.params or ''}){result}{_annotations(r.annotations)};"]


def _channel_lines(c: ChannelDecl) -> list[str]:
    params = ", ".join(f"{name}: {kind}" for name, kind in c.params)
    line = (f"channel {c.name}({params}) {render_string(c.pattern)} -> {render_type(c.publication)}"
            f"{_annotations(c.annotations)};")
    return [*_doc_lines(c.doc, ""), line]


def render_file(decls: Decls, rpcs: Sequence[RpcDecl], header: Sequence[str],
                channels: Sequence[ChannelDecl] = ()) -> str:
    """The .rpc file: ``header`` lines, the declarations in their order, then the rpcs, then the channels, a blank
    line between."""
    blocks: list[list[str]] = []
    for d in decls.values():
        if isinstance(d, ModelDecl):
            blocks.append(_model_lines(d))
        elif isinstance(d, EnumDecl):
            blocks.append(_enum_lines(d))
        elif isinstance(d, TypeDecl):
            blocks.append(_type_lines(d))
    blocks += [_rpc_lines(r) for r in rpcs]
    blocks += [_channel_lines(c) for c in channels]
    out = list(header)
    for i, b in enumerate(blocks):
        if i or out:
            out.append("")
        out.extend(b)
    return "\n".join(out) + "\n"

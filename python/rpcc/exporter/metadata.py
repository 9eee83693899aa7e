"""What a Pydantic model or field says besides its type: constraints, wire names and docs.

Annotated/Field metadata is folded into :class:`Constraints`; metadata that changes the wire format (a custom
serializer, a non-standard bytes encoding) is refused here, by raising :class:`~.errors.WalkError`.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import annotated_types as at
import pydantic
from pydantic.fields import FieldInfo

from ..types import Base64Marker
from .errors import WalkError

__all__ = ["Constraints", "class_doc", "clean_doc", "collect_metadata", "serialized_name", "wire_name"]


@dataclass
class Constraints:
    ge: Any = None
    gt: Any = None
    le: Any = None
    lt: Any = None
    min_len: int | None = None
    max_len: int | None = None
    pattern: str | None = None
    server_only: list[str] = field(default_factory=list)  # checked by the server only: shown as comments
    discriminator: Any = None
    bytes_b64: bool = False

    def describe(self) -> str:
        """The constraints as the docs state them: `ge=0, le=1, max_length=3, strict`."""
        parts = [f"{k}={getattr(self, k)!r}" for k in ("ge", "gt", "le", "lt") if getattr(self, k) is not None]
        if self.min_len is not None:
            parts.append(f"min_length={self.min_len}")
        if self.max_len is not None:
            parts.append(f"max_length={self.max_len}")
        if self.pattern is not None:
            parts.append(f"pattern={self.pattern!r}")
        return ", ".join(parts + self.server_only)

    def any_idl(self) -> bool:
        """Whether any of them is an IDL annotation (@range, @length, @pattern)."""
        return any(v is not None for v in (self.ge, self.gt, self.le, self.lt, self.min_len, self.max_len, self.pattern))


# Keys of Pydantic's general metadata that only the server's validation sees.
_GENERAL_SERVER_ONLY = ("strict", "allow_inf_nan", "max_digits", "decimal_places", "union_mode",
                        "coerce_numbers_to_str", "fail_fast", "strip_whitespace", "to_upper", "to_lower")


def collect_metadata(meta: Sequence[Any], c: Constraints, *, where: str) -> None:
    """Fold Annotated/Field metadata into constraints. Raises for metadata that changes the wire format."""
    b64 = any(isinstance(m, Base64Marker) for m in meta)
    for m in meta:
        if b64 and isinstance(m, (pydantic.PlainSerializer, pydantic.WithJsonSchema)):
            continue
        if isinstance(m, at.GroupedMetadata) and not isinstance(m, FieldInfo):
            collect_metadata(list(m), c, where=where)
            continue
        if isinstance(m, Base64Marker):
            c.bytes_b64 = True
            continue
        if type(m).__name__ == "EncodedBytes" or type(m).__name__ == "EncodedStr":
            encoder = getattr(m, "encoder", None)
            if encoder is getattr(pydantic.types, "Base64Encoder", None) and type(m).__name__ == "EncodedBytes":
                c.bytes_b64 = True
                continue
            raise WalkError(f"{where}: {type(m).__name__}({getattr(encoder, '__name__', encoder)}) is not the IDL's "
                            "bytes wire format (standard base64 with padding); use rpcc.Base64Bytes or "
                            "pydantic.Base64Bytes")
        if isinstance(m, (pydantic.PlainSerializer, pydantic.WrapSerializer)):
            raise WalkError(f"{where}: a custom serializer ({type(m).__name__}) makes the wire type unknown to the "
                            "exporter")
        if isinstance(m, pydantic.Discriminator):
            c.discriminator = m
            continue
        if isinstance(m, FieldInfo):
            collect_metadata(m.metadata, c, where=where)
            if m.discriminator is not None:
                c.discriminator = m.discriminator
            continue
        if isinstance(m, at.Ge):
            c.ge = m.ge
            continue
        if isinstance(m, at.Gt):
            c.gt = m.gt
            continue
        if isinstance(m, at.Le):
            c.le = m.le
            continue
        if isinstance(m, at.Lt):
            c.lt = m.lt
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


def clean_doc(doc: str | None) -> str | None:
    if not doc:
        return None
    text = inspect.cleandoc(doc).strip()
    return text or None


def class_doc(cls: type) -> str | None:
    """The class's own docstring (a parametrized generic's from its origin), not one Python or Pydantic supply."""
    doc = cls.__dict__.get("__doc__")
    origin = (getattr(cls, "__pydantic_generic_metadata__", None) or {}).get("origin")
    if doc is None and origin is not None:
        doc = origin.__dict__.get("__doc__")
    if doc in (None, "An enumeration.") or (isinstance(doc, str) and doc.startswith("Usage docs: https://docs.pydantic.dev")):
        return None
    return clean_doc(doc)


def serialized_name(fi: FieldInfo, py_name: str) -> str:
    """The field's name in Pydantic's output."""
    return fi.serialization_alias or fi.alias or py_name


def wire_name(fi: FieldInfo, py_name: str, where: str) -> str:
    """The field's one wire name; refuses a field whose input and output names differ."""
    ser = serialized_name(fi, py_name)
    val = fi.validation_alias if fi.validation_alias is not None else (fi.alias or py_name)
    if not isinstance(val, str):
        raise WalkError(f"{where}: validation_alias {val!r} (AliasPath/AliasChoices) cannot be expressed; the IDL "
                        "has one wire name per field")
    if val != ser:
        raise WalkError(f"{where}: input name {val!r} and output name {ser!r} differ; the IDL has one wire name per "
                        "field")
    return ser

"""Wire-format helper types for handler models."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from typing_extensions import Annotated

__all__ = ["Base64Bytes", "Base64Marker"]


class Base64Marker:
    """Marks a ``bytes`` field whose JSON form is standard base64 with padding (RFC 4648 section 4)."""

    def __repr__(self) -> str:
        return "Base64Marker()"


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return base64.b64decode(value.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
            raise ValueError(f"invalid base64: {exc}") from None
    return value


def _encode(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


Base64Bytes = Annotated[
    bytes,
    Base64Marker(),
    BeforeValidator(_decode),
    PlainSerializer(_encode, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "base64"}),
]
"""``bytes`` in Python, standard base64 on the wire: what the IDL's ``bytes`` means.

Unlike ``pydantic.Base64Bytes`` it keeps raw bytes given from Python as they are (only strings are decoded).
"""

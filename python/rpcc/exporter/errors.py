"""The exporter's errors: :class:`ExportError` for callers, and the two signals the model walk raises inside."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ExportError", "NotExpressible", "WalkError"]


class ExportError(Exception):
    """The handlers cannot be exported; ``errors`` lists every problem found (each names model and field)."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class WalkError(Exception):
    """One problem inside the walk of one field; becomes an :class:`ExportError` entry naming model and field."""


class NotExpressible(Exception):
    """A default value the IDL cannot write; the field is exported optional, with a comment, instead."""

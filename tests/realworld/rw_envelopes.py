"""Models that hold the providers' union types (which are aliases, not classes) as a field, for the round-trip
samples (samples.json): the field is what a handler's result would carry."""

from __future__ import annotations

from anthropic.types import RawMessageStreamEvent
from pydantic import BaseModel


class AnthropicStreamEvent(BaseModel):
    event: RawMessageStreamEvent

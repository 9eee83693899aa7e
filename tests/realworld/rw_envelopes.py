"""Models that hold the providers' union types (which are aliases, not classes) as a field, for the round-trip
samples (samples.json): the field is what a handler's result would carry."""

from __future__ import annotations

from typing import Literal

from anthropic.types import RawMessageStreamEvent
from pydantic import BaseModel


class AnthropicStreamEvent(BaseModel):
    event: RawMessageStreamEvent


class DefaultTagText(BaseModel):
    """Pydantic's usual tagged form: the tag has its value as default (the exporter infers the discriminator)."""

    type: Literal["text"] = "text"
    text: str


class DefaultTagImage(BaseModel):
    type: Literal["image"] = "image"
    url: str
    alt: str = ""


class DefaultTagged(BaseModel):
    blocks: list[DefaultTagText | DefaultTagImage]
    first: DefaultTagText | DefaultTagImage

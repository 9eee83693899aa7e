"""Presence, nullability and defaults."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import Enum
from typing import Optional, Union

from pydantic import BaseModel, Field

from rpcc import Base64Bytes, websocket_rpc


class Color(str, Enum):
    red = "red"
    green = "green"


class Inner(BaseModel):
    n: int = 0


class Presence(BaseModel):
    required: str
    nullable: Optional[str]
    nullable_pipe: int | None
    nullable_default: Optional[str] = None
    implicit_null: int = None  # type: ignore[assignment]  # pydantic allows it: the wire may carry null
    limit: int = 10
    ratio: float = 0.5
    big: float = 1e20
    whole: float = 2.0
    name: str = 'it\'s "quoted" \\ \n tab\t é'
    flag: bool = True
    color: Color = Color.green
    colors: list[Color] = [Color.red, Color.green]
    tags: list[str] = []
    counts: dict[str, int] = {"a": 1}
    by_int: dict[int, str] = {1: "one"}
    unique: set[int] = {3, 1, 2}
    when: dt.datetime = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    day: dt.date = dt.date(2026, 1, 2)
    span: dt.timedelta = dt.timedelta(days=1, seconds=2)
    money: Decimal = Decimal("12.50")
    ident: uuid.UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")
    blob: Base64Bytes = b"\x00\xff"
    either: Union[int, str] = "x"
    from_factory_list: list[int] = Field(default_factory=list)
    from_factory_dict: dict[str, int] = Field(default_factory=dict)
    generated_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    inner: Inner = Inner()
    inner_nullable: Optional[Inner] = None


@websocket_rpc("presence.check")
async def check(conn, params: Presence) -> Presence:
    return params

"""Every scalar type."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from pydantic import AnyUrl, Base64Bytes, BaseModel

from rpcc import Base64Bytes as RpccBytes, websocket_rpc


class Scalars(BaseModel):
    """All scalars, required."""

    b: bool
    i: int
    f: float
    s: str
    raw: RpccBytes
    raw2: Base64Bytes
    d: Decimal
    u: uuid.UUID
    ts: dt.datetime
    day: dt.date
    clock: dt.time
    span: dt.timedelta
    anything: Any
    url: AnyUrl


@websocket_rpc("scalars.echo")
async def echo(conn, params: Scalars) -> Scalars:
    """Echo every scalar."""
    return params

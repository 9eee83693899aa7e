"""Test-only handlers: slow calls, crashes and caller echo, for the transport and error-path tests."""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from pydantic import BaseModel, Field

from rpcc import Connection, RPCError, websocket_rpc


class SleepParams(BaseModel):
    seconds: float = Field(ge=0, le=60, description="How long to sleep before answering.")


class SleepResult(BaseModel):
    slept: float


class EchoParams(BaseModel):
    value: Any = None


class EchoResult(BaseModel):
    """Who called and what they sent."""

    user_id: str
    client_id: str
    transport: str
    value: Any = None


class FailParams(BaseModel):
    code: int = Field(1400, ge=400, le=1999)
    message: str = "failed on purpose"
    crash: bool = Field(False, description="Raise an unexpected exception instead of an RPCError.")


class Empty(BaseModel):
    note: Optional[str] = None


@websocket_rpc("debug.sleep")
async def sleep(conn: Connection, params: SleepParams) -> SleepResult:
    """Sleep, then answer (client timeout tests)."""
    await asyncio.sleep(params.seconds)
    return SleepResult(slept=params.seconds)


@websocket_rpc("debug.echo")
async def echo(conn: Connection, params: EchoParams) -> EchoResult:
    """Echo the params with the caller's identity."""
    return EchoResult(user_id=conn.user_id, client_id=conn.client_id, transport=conn.transport, value=params.value)


@websocket_rpc("debug.fail")
async def fail(conn: Connection, params: FailParams) -> Empty:
    """Raise an RPCError with the given code, or crash (500, details only in the server log)."""
    if params.crash:
        raise RuntimeError("secret internal detail: database password is hunter2")
    raise RPCError(params.code, params.message)


class NotifyParams(BaseModel):
    key: str = Field(min_length=1, max_length=64, description="The counter to count on.")
    reject: bool = Field(False, description="Raise an RPCError (logged and counted by the bridge, never answered).")


class CountParams(BaseModel):
    key: str = Field(min_length=1, max_length=64)


class CountResult(BaseModel):
    count: int


# One-way calls handled, by key (per bridge process): what the burst tests count.
_notified: dict[str, int] = {}


@websocket_rpc("debug.notify")
async def notify(conn: Connection, params: NotifyParams) -> None:
    """Count one notification under `key` (one-way: nothing is answered, not even a refusal)."""
    if params.reject:
        raise RPCError(1403, "refused on purpose")
    _notified[params.key] = _notified.get(params.key, 0) + 1


@websocket_rpc("debug.notified")
async def notified(conn: Connection, params: CountParams) -> CountResult:
    """How many debug.notify calls with this key the server has handled."""
    return CountResult(count=_notified.get(params.key, 0))

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

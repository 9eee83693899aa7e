"""Test-only handlers for the fault tests of tests/conformance: a call that blocks until told (so a test knows it is
in flight before it restarts Centrifugo), a result that does not fit the client's declared result type, and a call
that takes a large request and answers small (message size limits)."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field

from rpcc import Connection, websocket_rpc

_started: set[str] = set()


class BlockParams(BaseModel):
    key: str = Field(max_length=128, description="Names the call for fault.started.")
    seconds: float = Field(ge=0, le=60)


class BlockResult(BaseModel):
    key: str


class StartedParams(BaseModel):
    key: str


class StartedResult(BaseModel):
    started: bool


class SizeParams(BaseModel):
    blob: str = ""


class SizeResult(BaseModel):
    length: int


class WrongShape(BaseModel):
    """What fault.wrong_shape answers; tests/conformance/faults.rpc declares `count: int` instead."""

    count: str = "many"


@websocket_rpc("fault.block")
async def block(conn: Connection, params: BlockParams) -> BlockResult:
    """Record that the call started, then sleep (the test restarts Centrifugo meanwhile)."""
    _started.add(params.key)
    await asyncio.sleep(params.seconds)
    return BlockResult(key=params.key)


@websocket_rpc("fault.started")
async def started(conn: Connection, params: StartedParams) -> StartedResult:
    """Whether fault.block with this key has started."""
    return StartedResult(started=params.key in _started)


@websocket_rpc("fault.wrong_shape")
async def wrong_shape(conn: Connection) -> WrongShape:
    """A result of another shape than the client expects."""
    return WrongShape()


@websocket_rpc("fault.size")
async def size(conn: Connection, params: SizeParams) -> SizeResult:
    """The length of ``blob``: a request as large as the test wants, with a small reply."""
    return SizeResult(length=len(params.blob))

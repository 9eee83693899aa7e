"""A handler that is not `async def`: mypy --strict must refuse it at the decorator (test_router_typing.py)."""

from __future__ import annotations

from pydantic import BaseModel

from rpcc import Connection, websocket_rpc


class Result(BaseModel):
    ok: bool


@websocket_rpc("typed.sync")
def not_async(conn: Connection) -> Result:
    return Result(ok=True)

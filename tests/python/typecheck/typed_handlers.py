"""Handlers as a user types them, checked by mypy --strict in test_router_typing.py: the decorators must give back
each handler's own type (each reveal_type below is compared with what mypy prints)."""

from __future__ import annotations

from pydantic import BaseModel

from rpcc import Connection, MessageRouter, websocket_rpc


class Params(BaseModel):
    task_id: int


class Result(BaseModel):
    title: str


router = MessageRouter()


@websocket_rpc("typed.get")
async def get_task(conn: Connection, params: Params) -> Result:
    return Result(title=str(params.task_id))


@router.websocket_rpc("typed.ping", deprecated="use typed.get")
async def ping(conn: Connection) -> Result:
    return Result(title="pong")


reveal_type(get_task)
reveal_type(ping)


async def caller(conn: Connection) -> str:
    result = await get_task(conn, Params(task_id=1))
    reveal_type(result)
    return result.title

"""Channels as a user types them, checked by mypy --strict in test_router_typing.py: a channel is typed by its
publication model, a guard keeps its own type, and publishing another model into it is a type error (line 36)."""

from __future__ import annotations

from pydantic import BaseModel

from rpcc import Connection, History, MessageRouter, channel


class Event(BaseModel):
    n: int


class Other(BaseModel):
    s: str


router = MessageRouter()
events = channel("typed.events", "typed:events#{user_id}", Event, params={"user_id": str},
                 history=History(size=10, ttl=60), router=router)
room = channel("typed.room", "typedroom:{room_id}", Event, params={"room_id": int}, router=router)


@room.guard
async def may_join(conn: Connection, room_id: int) -> bool:
    return room_id > 0


async def publish() -> None:
    published = await events.publish(Event(n=1), user_id="42")
    reveal_type(events)
    reveal_type(may_join)
    reveal_type(published.offset)
    events.publish_sync(Event(n=2), user_id="42")
    room.publish_sync(Other(s="x"), room_id=1)

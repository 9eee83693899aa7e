"""Typed channels, declared next to the handlers: the Python side of spec/examples/channels.rpc.

Export:  python -m rpcc export channel_handlers -P python/examples -o channels.rpc
Config:  python -m rpcc config channel_handlers -P python/examples -o centrifugo.json --env-file bridge.env
Serve:   python -m rpcc serve channel_handlers -P python/examples --env-file bridge.env

- ``tasks.events``: a user's task events (a union of two models, tagged by ``kind``), with history; only that user
  may subscribe (``#`` in the pattern).
- ``chat.room``: members publish messages; the guard lets everyone into rooms 1..999, nobody into rooms from 1000
  (private), and answers "no such room" (error 1404) for ids below 1. Messages whose author is not the publisher are
  refused by the publish guard.
- ``news.feed``: headlines for every connected client, with history.

Publish from application code: ``await task_events.publish(TaskCreated(task_id=1, title="x"), user_id="42")``.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from rpcc import Connection, History, RPCError, channel
from typing_extensions import TypeAliasType


class TaskStatus(str, Enum):
    """Lifecycle state of a task."""

    open = "open"
    in_progress = "in_progress"
    done = "done"


class TaskCreated(BaseModel):
    """A task was created."""

    kind: Literal["created"] = "created"
    task_id: int
    title: str


class TaskStatusChanged(BaseModel):
    """A task moved to another state."""

    kind: Literal["status_changed"] = "status_changed"
    task_id: int
    status: TaskStatus


# A TypeAliasType names the union in the exported IDL: `union TaskEvent = ... @discriminator("kind");`
TaskEvent = TypeAliasType("TaskEvent", Annotated[TaskCreated | TaskStatusChanged, Field(discriminator="kind")])


class ChatMessage(BaseModel):
    """A message in a chat room."""

    author: str
    text: str = Field(min_length=1, max_length=2000)
    sent_at: datetime


class NewsItem(BaseModel):
    """A headline."""

    id: int
    headline: str
    url: str | None = None


task_events = channel("tasks.events", "tasks:events#{user_id}", TaskEvent, params={"user_id": str},
                      history=History(size=300, ttl=600),
                      doc="Events about the tasks of one user; only that user may subscribe.")

chat_room = channel("chat.room", "chat:room.{room_id}", ChatMessage, params={"room_id": int}, client_publish=True,
                    subscribe="guard", doc="A chat room: members publish messages into it, and a guard decides who "
                    "may join.")

news_feed = channel("news.feed", "news:feed", NewsItem, subscribe="any", history=History(size=100, ttl=3600),
                    doc="Headlines for every connected client.")

PRIVATE_ROOMS_FROM = 1000


@chat_room.guard
async def may_join(conn: Connection, room_id: int) -> bool:
    if room_id < 1:
        raise RPCError(1404, f"no such room {room_id}")
    return room_id < PRIVATE_ROOMS_FROM


@chat_room.publish_guard
async def may_post(conn: Connection, message: ChatMessage, room_id: int) -> bool:
    return await may_join(conn, room_id) and message.author == conn.user_id


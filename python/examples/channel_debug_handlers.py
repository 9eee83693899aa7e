"""Test-only: `debug.publish` makes the server publish into one of its typed channels, through Channel.publish
(validated, then Centrifugo's server API), so that tests in any language can have Python publish while they
subscribe. Served by tests/fixture's stack with channels=True (`python -m tests.fixture run --channels`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from rpcc import (
    ChannelParamError,
    Connection,
    PublicationError,
    RPCError,
    default_router,
    websocket_rpc,
)


class PublishParams(BaseModel):
    channel: str = Field(description="The channel's dotted name, e.g. tasks.events.")
    params: dict[str, str | int] = Field(default_factory=dict, description="The channel's parameters.")
    publication: Any = Field(description="The publication, as its JSON.")


class PublishResult(BaseModel):
    channel: str
    offset: int | None = None
    epoch: str | None = None


@websocket_rpc("debug.publish")
async def publish(conn: Connection, params: PublishParams) -> PublishResult:
    """Validate a publication and publish it into a typed channel of this server (error 404: no such channel;
    400: the parameters or the publication are invalid)."""
    ch = default_router.get_channel(params.channel)
    if ch is None:
        raise RPCError(404, f"no channel {params.channel!r}")
    try:
        out = await ch.publish(params.publication, **params.params)
    except (ChannelParamError, PublicationError) as exc:
        raise RPCError(400, str(exc)) from None
    return PublishResult(channel=out.channel, offset=out.offset, epoch=out.epoch)

"""Typed channel subscriptions (ChannelSubscription) over the fake centrifuge-python client of test_rpc_client."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

import pytest
from centrifuge import PublicationContext, StreamPosition, SubscribedContext, UnsubscribedContext
from pydantic import BaseModel, TypeAdapter
from test_rpc_client import FakeClient, FakeSubscription, fake_centrifuge  # noqa: F401

from rpc_client import (
    CentrifugoRPCClient,
    ChannelParamError,
    ChannelSubscription,
    PublicationDecodeError,
    RecoveryFailedError,
    RPCConnectionError,
    SubscriptionRefusedError,
    _channel_param,
)
from rpc_client import StreamPosition as Position


class Created(BaseModel):
    kind: Literal["created"] = "created"
    n: int


class Deleted(BaseModel):
    kind: Literal["deleted"] = "deleted"
    n: int


Event = Created | Deleted
ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


@dataclass
class Publication:
    data: Any
    offset: int


async def subscribed(sub: FakeSubscription, *, offset: int = 0, was_recovering: bool = False,
                     recovered: bool = False) -> None:
    await sub.events.on_subscribed(SubscribedContext(
        channel=sub.channel, recoverable=True, positioned=True, stream_position=StreamPosition(offset, "e1"),
        was_recovering=was_recovering, recovered=recovered, data=None))


async def publish(sub: FakeSubscription, data: Any, offset: int = 0) -> None:
    await sub.events.on_publication(PublicationContext(pub=Publication(offset=offset, data=data)))


async def connected() -> tuple[CentrifugoRPCClient, FakeClient]:
    rpc = CentrifugoRPCClient("ws://x", "t")
    await rpc.connect()
    return rpc, FakeClient.instances[-1]


async def started(subscription: ChannelSubscription[Any], client: FakeClient, channel: str) -> FakeSubscription:
    """Subscribes, answering as the server would once the subscribe command went out."""
    task = asyncio.ensure_future(subscription.subscribe())
    await asyncio.sleep(0)
    fake = client.channel_subscriptions[channel]
    await subscribed(fake)
    await task
    return fake


async def test_iteration_yields_typed_publications_and_history_subscribes_recoverable() -> None:
    rpc, client = await connected()
    states: list[str] = []
    subscription = ChannelSubscription(rpc, "tasks:events#1", ADAPTER, history=True, on_state_change=states.append)
    fake = await started(subscription, client, "tasks:events#1")
    assert fake.options == {"positioned": True, "recoverable": True}
    assert subscription.state == "subscribed"
    await publish(fake, {"kind": "created", "n": 1}, 1)
    await publish(fake, {"kind": "deleted", "n": 2}, 2)
    got = [await subscription.__anext__(), await subscription.__anext__()]
    assert got == [Created(n=1), Deleted(n=2)]
    assert subscription.position == Position(2, "e1")
    await subscription.unsubscribe()
    assert fake.unsubscribed and "tasks:events#1" not in client.channel_subscriptions
    with pytest.raises(StopAsyncIteration):
        await subscription.__anext__()
    assert states == ["subscribed", "unsubscribed"]


async def test_a_channel_without_history_is_not_positioned() -> None:
    rpc, client = await connected()
    subscription = ChannelSubscription(rpc, "news:feed", ADAPTER, history=False)
    fake = await started(subscription, client, "news:feed")
    assert fake.options == {"positioned": False, "recoverable": False}


async def test_decode_error_goes_to_the_hook_and_the_subscription_goes_on() -> None:
    rpc, client = await connected()
    bad: list[Any] = []
    subscription = ChannelSubscription(rpc, "c:1", ADAPTER, history=False, on_error=bad.append)
    fake = await started(subscription, client, "c:1")
    await publish(fake, {"kind": "exploded", "n": 1}, 5)
    await publish(fake, {"kind": "created", "n": 2})
    assert await subscription.__anext__() == Created(n=2)
    assert len(bad) == 1 and isinstance(bad[0], PublicationDecodeError) and bad[0].data == {"kind": "exploded", "n": 1} and bad[0].offset == 5
    assert bad[0].channel == "c:1" and "bad publication" in str(bad[0])


async def test_refused_subscription_raises_a_typed_error() -> None:
    rpc, client = await connected()
    subscription = ChannelSubscription(rpc, "tasks:events#2", ADAPTER, history=True)
    task = asyncio.ensure_future(subscription.subscribe())
    await asyncio.sleep(0)
    fake = client.channel_subscriptions["tasks:events#2"]
    await fake.events.on_unsubscribed(UnsubscribedContext(code=103, reason="permission denied"))
    with pytest.raises(SubscriptionRefusedError) as caught:
        await task
    assert caught.value.code == 103 and caught.value.channel == "tasks:events#2"
    assert "tasks:events#2" not in client.channel_subscriptions
    assert subscription.state == "unsubscribed"


async def test_iteration_subscribes_and_raises_a_later_refusal() -> None:
    rpc, client = await connected()
    subscription = ChannelSubscription(rpc, "c:1", ADAPTER, history=False)

    async def server() -> None:
        while "c:1" not in client.channel_subscriptions:
            await asyncio.sleep(0)
        fake = client.channel_subscriptions["c:1"]
        await subscribed(fake)
        await publish(fake, {"kind": "created", "n": 1})
        await fake.events.on_unsubscribed(UnsubscribedContext(code=2000, reason="unsubscribed"))

    answer = asyncio.ensure_future(server())
    got = []
    with pytest.raises(SubscriptionRefusedError):
        async for event in subscription:
            got.append(event)
    await answer
    assert got == [Created(n=1)]


async def test_recovery_failure_is_told_before_the_next_publications() -> None:
    rpc, client = await connected()
    told: list[Any] = []
    subscription = ChannelSubscription(rpc, "h:1", ADAPTER, history=True, on_error=told.append,
                                       on_publication=told.append)
    fake = await started(subscription, client, "h:1")
    await publish(fake, {"n": 1}, 1)
    await fake.events.on_subscribing(None)
    assert subscription.state == "subscribing"
    await subscribed(fake, offset=40, was_recovering=True, recovered=False)
    await publish(fake, {"n": 41}, 41)
    assert told == [Created(n=1), RecoveryFailedError("h:1", Position(1, "e1"), Position(40, "e1")), Created(n=41)]
    # A recovery that worked is not reported.
    await fake.events.on_subscribing(None)
    await subscribed(fake, offset=41, was_recovering=True, recovered=True)
    assert len(told) == 3 and subscription.position == Position(41, "e1")


async def test_async_callbacks_and_a_callback_that_raises() -> None:
    rpc, client = await connected()
    seen: list[Event] = []
    errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: errors.append(context))

    async def handler(event: Event) -> None:
        if event.n == 1:
            raise ValueError("boom")
        seen.append(event)

    subscription = ChannelSubscription(rpc, "c:1", ADAPTER, history=False, on_publication=handler)
    fake = await started(subscription, client, "c:1")
    await publish(fake, {"n": 1})
    await publish(fake, {"n": 2})
    assert seen == [Created(n=2)]
    assert len(errors) == 1 and isinstance(errors[0]["exception"], ValueError)


async def test_closing_the_client_ends_the_iteration() -> None:
    rpc, client = await connected()
    subscription = ChannelSubscription(rpc, "c:1", ADAPTER, history=False)
    await started(subscription, client, "c:1")
    await rpc.close()
    with pytest.raises(RPCConnectionError):
        await subscription.__anext__()
    with pytest.raises(RPCConnectionError):
        await subscription.subscribe()


async def test_subscribe_without_a_connection() -> None:
    rpc = CentrifugoRPCClient("ws://x", "t")
    with pytest.raises(RPCConnectionError):
        await ChannelSubscription(rpc, "c:1", ADAPTER, history=False).subscribe()


async def test_publish_channel() -> None:
    rpc, client = await connected()
    await rpc._publish_channel("chat:room.1", {"n": 1})
    assert client.published == [("chat:room.1", {"n": 1})]


def test_channel_param() -> None:
    for good in ("42", "user-1", "a.b_c", "A~Z!"):
        assert _channel_param("tasks.events", "user_id", good) == good
    for bad in ("", "a:b", "a#b", "1,2", "{x}", "$x", "a*", "a&b", "a/b", "a b", "a\nb", "Ünïcode", "a\x7f"):
        with pytest.raises(ChannelParamError, match="tasks.events"):
            _channel_param("tasks.events", "user_id", bad)

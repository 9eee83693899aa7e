"""Typed channel subscriptions of the generated Python SDK (spec/examples/channels.rpc) against a real Centrifugo v6
and the bridge serving python/examples/channel_handlers.py (tests/fixture, channels=True). Publications come from
Centrifugo's server API, as the application's server publishes them, and from clients through the publish proxy."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
from conftest import OUT, REPO, generate

from tests.fixture.stack import Stack, start_stack


@pytest.fixture(scope="module")
def channel_stack() -> Iterator[Stack]:
    with start_stack(channels=True) as stack:
        yield stack


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    root = OUT / "channels-live"
    site = root / "site"
    site.mkdir(parents=True, exist_ok=True)
    generated = generate(REPO / "spec" / "examples" / "channels.rpc", root / "gen", site)
    import sys

    if str(site) not in sys.path:
        sys.path.insert(0, str(site))
    return importlib.import_module(generated.package)


def fresh_user() -> str:
    return "py-" + secrets.token_hex(6)


def publish(stack: Stack, channel: str, data: Any) -> None:
    answer = stack.api("publish", {"channel": channel, "data": data})
    assert "error" not in answer, answer


@contextlib.asynccontextmanager
async def connected(sdk: ModuleType, stack: Stack, user: str, url: str | None = None) -> AsyncIterator[Any]:
    async with sdk.APIClient(url or stack.centrifugo_url, stack.token(user), user, timeout=10) as api:
        yield api


async def until(condition: Any, what: str) -> None:
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"timed out waiting for {what}")


async def test_per_user_channel_with_a_union(sdk: ModuleType, channel_stack: Stack) -> None:
    user = fresh_user()
    async with connected(sdk, channel_stack, user) as api:
        subscription = api.subscribe_tasks_events(user_id=user)
        async with subscription:
            assert subscription.state == "subscribed" and subscription.channel == f"tasks:events#{user}"
            publish(channel_stack, subscription.channel, {"kind": "created", "task_id": 7, "title": "write tests"})
            publish(channel_stack, subscription.channel, {"kind": "status_changed", "task_id": 7, "status": "done"})
            first = await asyncio.wait_for(subscription.__anext__(), 20)
            second = await asyncio.wait_for(subscription.__anext__(), 20)
            assert first == sdk.TaskCreated(task_id=7, title="write tests")
            assert isinstance(second, sdk.TaskStatusChanged) and second.status == sdk.TaskStatus.DONE
            assert subscription.position is not None and subscription.position.offset >= 2
        assert subscription.state == "unsubscribed"


async def test_room_channel_publish_and_callbacks(sdk: ModuleType, channel_stack: Stack) -> None:
    reader, writer = fresh_user(), fresh_user()
    received: asyncio.Queue[Any] = asyncio.Queue()
    async with connected(sdk, channel_stack, reader) as reader_api, connected(sdk, channel_stack, writer) as writer_api:
        subscription = reader_api.subscribe_chat_room(room_id=42, on_publication=received.put_nowait)
        await subscription.subscribe()
        sent_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        await writer_api.publish_chat_room(sdk.ChatMessage(author=writer, text="hello", sent_at=sent_at), room_id=42)
        message = await asyncio.wait_for(received.get(), 20)
        assert message == sdk.ChatMessage(author=writer, text="hello", sent_at=sent_at)
        with pytest.raises(sdk.RPCError) as forged:
            await writer_api.publish_chat_room(sdk.ChatMessage(author=reader, text="forged", sent_at=sent_at),
                                               room_id=42)
        assert forged.value.code == 103
        await subscription.unsubscribe()


async def test_refused_subscriptions_are_typed(sdk: ModuleType, channel_stack: Stack) -> None:
    user = fresh_user()
    async with connected(sdk, channel_stack, user) as api:
        for subscription, code in ((api.subscribe_tasks_events(user_id="someone-else"), 103),
                                   (api.subscribe_chat_room(room_id=1000), 103),
                                   (api.subscribe_chat_room(room_id=0), 1404)):
            with pytest.raises(sdk.SubscriptionRefusedError) as refused:
                async for _ in subscription:
                    pass
            assert refused.value.code == code and refused.value.channel == subscription.channel
        with pytest.raises(sdk.ChannelParamError):
            api.subscribe_tasks_events(user_id="a#b")
        async with api.subscribe_news_feed() as feed:  # the connection goes on
            assert feed.state == "subscribed"


async def test_a_wrong_shape_goes_to_on_error(sdk: ModuleType, channel_stack: Stack) -> None:
    user = fresh_user()
    errors: list[Any] = []
    async with connected(sdk, channel_stack, user) as api, \
            api.subscribe_tasks_events(user_id=user, on_error=errors.append) as subscription:
        publish(channel_stack, subscription.channel, {"kind": "exploded", "task_id": 1})
        publish(channel_stack, subscription.channel, {"kind": "created", "task_id": "x", "title": "t"})
        publish(channel_stack, subscription.channel, {"kind": "created", "task_id": 3, "title": "fine"})
        assert await asyncio.wait_for(subscription.__anext__(), 20) == sdk.TaskCreated(task_id=3, title="fine")
        assert [type(e) for e in errors] == [sdk.PublicationDecodeError] * 2
        assert errors[0].data == {"kind": "exploded", "task_id": 1} and errors[0].offset > 0
        assert subscription.state == "subscribed"


class FlakyProxy:
    """Forwards TCP connections to Centrifugo; cut() breaks them all and refuses new ones until restore()."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.down = False
        self.connections = 0
        self.writers: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.close()
            return
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def cut(self) -> None:
        self.down = True
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    def restore(self) -> None:
        self.down = False

    async def close(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()


async def test_recovery_after_a_dropped_connection(sdk: ModuleType, channel_stack: Stack) -> None:
    """The connection breaks, 200 publications are sent while the client cannot reconnect, then it can: every
    publication arrives once, in order, and on_error is not told of a gap."""
    proxy = FlakyProxy(channel_stack.centrifugo_port)
    port = await proxy.start()
    url = channel_stack.centrifugo_url.replace(f":{channel_stack.centrifugo_port}/", f":{port}/")
    user = fresh_user()
    errors: list[Any] = []
    states: list[str] = []
    try:
        async with connected(sdk, channel_stack, user, url) as api:
            subscription = api.subscribe_tasks_events(user_id=user, on_error=errors.append)
            subscription.on_state_change = states.append
            async with subscription:
                publish(channel_stack, subscription.channel, {"kind": "created", "task_id": 0, "title": "before"})
                assert (await asyncio.wait_for(subscription.__anext__(), 20)).task_id == 0
                proxy.cut()
                await until(lambda: subscription.state == "subscribing", "the subscription to notice the cut")

                def publish_all() -> None:
                    for n in range(1, 201):
                        publish(channel_stack, subscription.channel, {"kind": "created", "task_id": n,
                                                                      "title": f"task {n}"})

                await asyncio.to_thread(publish_all)
                proxy.restore()
                got = [(await asyncio.wait_for(subscription.__anext__(), 60)).task_id for _ in range(200)]
                assert got == list(range(1, 201))
                publish(channel_stack, subscription.channel, {"kind": "created", "task_id": 201, "title": "after"})
                assert (await asyncio.wait_for(subscription.__anext__(), 20)).task_id == 201
            assert errors == []
            assert proxy.connections >= 2
            assert states == ["subscribing", "subscribed", "subscribing", "subscribed", "unsubscribed"]
    finally:
        await proxy.close()

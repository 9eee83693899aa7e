"""Typed channels through a real Centrifugo v6 and the real bridge (python/examples/channel_handlers.py), with the
official centrifuge-python SDK as a raw subscriber: publications from Python, the subscribe proxy's guard, user
channels, client publications through the publish proxy, and two Centrifugo nodes sharing a Redis engine."""
from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import channel_handlers as example
import pytest
from centrifuge import (
    Client,
    PublicationContext,
    ReplyError,
    SubscribedContext,
    SubscriptionEventHandler,
    UnsubscribedContext,
)
from rpcc import CentrifugoAPI, PublicationError

from tests.fixture import free_port, mint_token, start_stack
from tests.fixture.stack import EXAMPLES, StackError, _stop, centrifugo_binary

TIMEOUT = 15.0  # generous: nothing here asserts a duration
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def stack():
    with start_stack(channels=True) as running:
        yield running


class Events(SubscriptionEventHandler):
    """What a raw subscription saw; never awaits SDK calls inside callbacks."""

    def __init__(self) -> None:
        self.publications: asyncio.Queue = asyncio.Queue()
        self.outcome: asyncio.Future = asyncio.get_running_loop().create_future()
        self.subscribed: SubscribedContext | None = None
        self.subscriptions: asyncio.Queue = asyncio.Queue()  # every on_subscribed, resubscriptions included

    async def on_subscribed(self, ctx: SubscribedContext) -> None:
        self.subscribed = ctx
        self.subscriptions.put_nowait(ctx)
        if not self.outcome.done():
            self.outcome.set_result(None)

    async def on_unsubscribed(self, ctx: UnsubscribedContext) -> None:
        if not self.outcome.done():
            self.outcome.set_result((ctx.code, ctx.reason))

    async def on_publication(self, ctx: PublicationContext) -> None:
        self.publications.put_nowait(ctx.pub)

    async def next(self):
        return await asyncio.wait_for(self.publications.get(), TIMEOUT)


async def connect(url: str, token: str) -> Client:
    client = Client(url, token=token, timeout=TIMEOUT, name="rpcc-channel-tests")
    await client.connect()
    await client.ready(timeout=TIMEOUT)
    return client


async def subscribe(client: Client, channel: str, **options) -> tuple[Events, object]:
    """Subscribe and wait until Centrifugo answered: (events, None) when subscribed, else (events, (code, reason))."""
    events = Events()
    sub = client.new_subscription(channel, events=events, **options)
    await sub.subscribe()
    return events, await asyncio.wait_for(events.outcome, TIMEOUT)


def live(body):
    return asyncio.run(asyncio.wait_for(body(), 60))


def api_of(stack) -> CentrifugoAPI:
    return CentrifugoAPI(stack.api_url, stack.api_key)


# -- publications from Python ---------------------------------------------------------------------------------------

def test_typed_publications_from_python_reach_a_raw_subscriber(stack):
    user = f"u-{secrets.token_hex(4)}"
    sent = [example.TaskCreated(task_id=1, title="write the spec"),
            example.TaskStatusChanged(task_id=1, status=example.TaskStatus.done)]

    async def body():
        client = await connect(stack.centrifugo_url, stack.token(user))
        api = api_of(stack)
        try:
            events, refused = await subscribe(client, f"tasks:events#{user}")
            assert refused is None
            # @history: Centrifugo's namespace forces positioning and recovery, whatever the client asked for
            assert events.subscribed.positioned and events.subscribed.recoverable
            published = [await example.task_events.publish(ev, api=api, user_id=user) for ev in sent]
            received = [await events.next(), await events.next()]
        finally:
            await client.disconnect()
            await api.aclose()
        return published, received

    published, received = live(body)
    assert [p.data for p in received] == [{"kind": "created", "task_id": 1, "title": "write the spec"},
                                          {"kind": "status_changed", "task_id": 1, "status": "done"}]
    # what the SDKs decode: each publication validates as the union, as the right member
    assert [type(example.task_events.decode_json(json.dumps(p.data))) for p in received] == \
        [example.TaskCreated, example.TaskStatusChanged]
    assert [p.offset for p in received] == [p.offset for p in published] and published[0].epoch
    assert published[1].offset == published[0].offset + 1


def test_a_subscriber_away_during_200_publications_recovers_them_all_in_order(stack):
    """@history: the namespace's history and forced recovery, as `rpcc config` wrote them, give back every
    publication sent while the subscriber was disconnected, once each and in order."""
    user = f"u-{secrets.token_hex(4)}"

    async def body():
        client = await connect(stack.centrifugo_url, stack.token(user))
        api = api_of(stack)
        try:
            events, refused = await subscribe(client, f"tasks:events#{user}")
            assert refused is None
            events.subscriptions.get_nowait()
            await example.task_events.publish(example.TaskCreated(task_id=0, title="before"), api=api, user_id=user)
            first = await events.next()
            await client.disconnect()
            for n in range(1, 201):
                await example.task_events.publish(example.TaskCreated(task_id=n, title=f"t{n}"), api=api,
                                                  user_id=user)
            await client.connect()
            again = await asyncio.wait_for(events.subscriptions.get(), TIMEOUT)
            missed = [await events.next() for _ in range(200)]
            await example.task_events.publish(example.TaskCreated(task_id=201, title="after"), api=api,
                                              user_id=user)
            last = await events.next()
        finally:
            await client.disconnect()
            await api.aclose()
        return first, again, missed, last

    first, again, missed, last = live(body)
    assert again.was_recovering and again.recovered
    assert [p.data["task_id"] for p in missed] == list(range(1, 201))
    assert [p.offset for p in missed] == list(range(first.offset + 1, first.offset + 201))
    assert last.data["task_id"] == 201 and last.offset == first.offset + 201  # nothing twice, nothing after


def test_publish_sync_into_a_guarded_room(stack):
    message = example.ChatMessage(author="server", text="welcome", sent_at=NOW)

    async def body():
        client = await connect(stack.centrifugo_url, stack.token("room-member"))
        try:
            events, refused = await subscribe(client, "chat:room.7")
            assert refused is None
            # the sync form (a Django view's), from a thread so the loop keeps receiving
            out = await asyncio.to_thread(example.chat_room.publish_sync, message,
                                          api=CentrifugoAPI(stack.api_url, stack.api_key), room_id=7)
            return out, await events.next()
        finally:
            await client.disconnect()

    out, pub = live(body)
    assert out.channel == "chat:room.7" and out.offset is None  # no history in the chat namespace
    assert pub.data == {"author": "server", "text": "welcome", "sent_at": "2026-01-02T03:04:05Z"}


def test_debug_publish_lets_any_client_make_the_server_publish(stack):
    """debug.publish (python/examples/channel_debug_handlers.py): what tests in other languages use to have Python
    publish into a typed channel while they subscribe."""
    user = f"u-{secrets.token_hex(4)}"

    async def body():
        client = await connect(stack.centrifugo_url, stack.token(user))
        try:
            events, refused = await subscribe(client, f"tasks:events#{user}")
            assert refused is None
            reply = await client.rpc("debug.publish", {"channel": "tasks.events", "params": {"user_id": user},
                                                       "publication": {"kind": "created", "task_id": 5, "title": "t"}})
            errors = []
            for bad in ({"channel": "nope", "publication": {}},
                        {"channel": "tasks.events", "params": {"user_id": "a,b"}, "publication": {}},
                        {"channel": "tasks.events", "params": {"user_id": user}, "publication": {"kind": "x"}}):
                with pytest.raises(ReplyError) as err:
                    await client.rpc("debug.publish", bad)
                errors.append(err.value.code)
            return reply.data, await events.next(), errors
        finally:
            await client.disconnect()

    reply, pub, errors = live(body)
    assert reply["channel"] == f"tasks:events#{user}" and reply["offset"] == pub.offset
    assert pub.data == {"kind": "created", "task_id": 5, "title": "t"}
    assert errors == [404, 400, 400]


def test_an_invalid_publication_never_leaves(stack):
    user = f"u-{secrets.token_hex(4)}"
    api = CentrifugoAPI(stack.api_url, stack.api_key)
    with pytest.raises(PublicationError):
        example.task_events.publish_sync({"kind": "created", "task_id": "one", "title": "t"}, api=api, user_id=user)
    example.task_events.publish_sync({"kind": "created", "task_id": 1, "title": "t"}, api=api, user_id=user)
    history = stack.api("history", {"channel": f"tasks:events#{user}", "limit": 10})
    assert [p["data"]["task_id"] for p in history["result"]["publications"]] == [1]


# -- who may subscribe ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("channel, code, reason", [
    ("tasks:events#someone-else", 103, "permission denied"),  # another user's channel: Centrifugo refuses
    ("chat:room.1000", 103, "permission denied"),  # the guard says no
    ("chat:room.0", 1404, "no such room 0"),  # the guard's own RPCError reaches the client
    ("chat:room.007", 102, "unknown channel"),  # no declared channel has that name
])
def test_refused_subscriptions(stack, channel, code, reason):
    async def body():
        client = await connect(stack.centrifugo_url, stack.token("intruder"))
        try:
            events, refused = await subscribe(client, channel)
            return refused, events.subscribed
        finally:
            await client.disconnect()

    refused, subscribed = live(body)
    assert subscribed is None and refused == (code, reason)


def test_any_channel_takes_every_user(stack):
    async def body():
        client = await connect(stack.centrifugo_url, stack.token(f"reader-{secrets.token_hex(3)}"))
        try:
            events, refused = await subscribe(client, "news:feed")
            await example.news_feed.publish(example.NewsItem(id=1, headline="h"), api=api_of(stack))
            return refused, await events.next()
        finally:
            await client.disconnect()

    refused, pub = live(body)
    assert refused is None and pub.data == {"id": 1, "headline": "h", "url": None}


# -- client publications --------------------------------------------------------------------------------------------

def test_client_publications_are_checked_by_the_publish_proxy(stack):
    good = {"author": "alice", "text": "hi", "sent_at": "2026-01-02T03:04:05Z"}

    async def body():
        alice = await connect(stack.centrifugo_url, stack.token("alice"))
        bob = await connect(stack.centrifugo_url, stack.token("bob"))
        try:
            events, refused = await subscribe(bob, "chat:room.8")
            assert refused is None
            await alice.publish("chat:room.8", {**good, "smuggled": "<script>"})
            received = await events.next()
            errors = {}
            for name, (who, channel, data) in {
                "malformed": (alice, "chat:room.8", {**good, "text": ""}),
                "not a message": (alice, "chat:room.8", "hello"),
                "someone else's name": (bob, "chat:room.8", good),
                "private room": (alice, "chat:room.1000", good),
                "no @publish": (alice, "news:feed", {"id": 1, "headline": "fake"}),
            }.items():
                with pytest.raises(ReplyError) as err:
                    await who.publish(channel, data)
                errors[name] = (err.value.code, err.value.message)
            await alice.publish("chat:room.8", {**good, "text": "still here"})
            after = await events.next()
            return received, errors, after
        finally:
            await alice.disconnect()
            await bob.disconnect()

    received, errors, after = live(body)
    assert received.data == good  # re-serialized by the bridge: the extra key never reached bob
    assert errors["malformed"][0] == 400 and "text" in errors["malformed"][1]
    assert errors["not a message"][0] == 400
    assert errors["someone else's name"] == (103, "permission denied")
    assert errors["private room"] == (103, "permission denied")
    assert errors["no @publish"][0] == 103  # Centrifugo itself: the namespace takes no client publications
    assert after.data["text"] == "still here"  # the refused ones were not published in between


def test_subscribe_endpoint_needs_centrifugos_secret(stack):
    import urllib.error
    import urllib.request

    body = json.dumps({"client": "c", "user": "alice", "channel": "chat:room.7"}).encode()
    for headers in ({}, {"X-Rpcc-Proxy-Secret": "x" * 32}):
        req = urllib.request.Request(f"{stack.bridge_url}/centrifugo/subscribe", data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=10)
        assert err.value.code == 401
    req = urllib.request.Request(f"{stack.bridge_url}/centrifugo/subscribe", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "X-Rpcc-Proxy-Secret": stack.proxy_secret})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert json.loads(resp.read()) == {"result": {}}


# -- two Centrifugo nodes on Redis ----------------------------------------------------------------------------------

def _redis_server() -> str:
    path = shutil.which("redis-server")
    if not path:  # a failure, not a skip: make check-python installs it (mk/python.mk)
        pytest.fail("redis-server not found: install Debian's redis-server (`make check-python` does)", pytrace=False)
    return path


def _wait_redis(port: int, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StackError(f"redis-server exited with code {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.1)
    raise StackError("redis-server did not answer in time")


def _wait_health(url: str, proc: subprocess.Popen, deadline: float, workdir: Path) -> None:
    import urllib.error
    import urllib.request

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            logs = "".join(p.read_text(errors="replace")[-2000:] for p in workdir.glob("centrifugo-*.log"))
            raise StackError(f"centrifugo exited with code {proc.returncode}\n{logs}")
        with contextlib.suppress(urllib.error.URLError, OSError), urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status == 200:
                return
        time.sleep(0.1)
    raise StackError(f"{url} did not answer in time")


@contextlib.contextmanager
def two_nodes() -> Iterator[tuple[str, str, str, str]]:
    """Redis and two Centrifugo nodes with the Redis engine, configured by `python -m rpcc config channel_handlers`
    (checked with `centrifugo checkconfig --strict`). Yields (node A's API URL, node B's WebSocket URL, the API key,
    the token secret)."""
    workdir = Path(tempfile.mkdtemp(prefix="rpcc-channels-two-nodes-"))
    processes: list[subprocess.Popen] = []
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    port_a, port_b, redis_port = sorted(ports)
    try:
        with open(workdir / "redis.log", "wb") as log:
            processes.append(subprocess.Popen(
                [_redis_server(), "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly",
                 "no", "--dir", str(workdir)], stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                start_new_session=True))
        _wait_redis(redis_port, processes[0], time.monotonic() + 30)
        res = subprocess.run([sys.executable, "-m", "rpcc", "config", "channel_handlers", "-P", str(EXAMPLES),
                              "--port", str(port_a), "-o", str(workdir / "a.json"), "--env-file",
                              str(workdir / "bridge.env")], check=False, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        base = json.loads((workdir / "a.json").read_text())
        base["engine"] = {"type": "redis", "redis": {"address": f"127.0.0.1:{redis_port}"}}
        for name, port in (("a.json", port_a), ("b.json", port_b)):
            cfg = {**base, "http_server": {**base["http_server"], "port": port}}
            (workdir / name).write_text(json.dumps(cfg, indent=2))
            check = subprocess.run([str(centrifugo_binary()), "checkconfig", "--strict", "-c", str(workdir / name)],
                                   check=False, capture_output=True, text=True, timeout=60)
            assert check.returncode == 0, check.stdout + check.stderr
            with open(workdir / f"centrifugo-{name}.log", "wb") as log:
                processes.append(subprocess.Popen([str(centrifugo_binary()), "-c", str(workdir / name)], stdout=log,
                                                  stderr=subprocess.STDOUT, cwd=workdir, start_new_session=True))
        deadline = time.monotonic() + 60
        for proc, port in zip(processes[1:], (port_a, port_b)):
            _wait_health(f"http://127.0.0.1:{port}/health", proc, deadline, workdir)
        yield (f"http://127.0.0.1:{port_a}/api", f"ws://127.0.0.1:{port_b}/connection/websocket",
               base["http_api"]["key"], base["client"]["token"]["hmac_secret_key"])
    finally:
        for proc in reversed(processes):
            _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def test_a_publication_through_node_a_reaches_a_subscriber_on_node_b():
    user = "user-on-b"
    with two_nodes() as (api_a, ws_b, api_key, token_secret):
        async def body():
            client = await connect(ws_b, mint_token(token_secret, user))
            api = CentrifugoAPI(api_a, api_key)
            try:
                events, refused = await subscribe(client, f"tasks:events#{user}")
                assert refused is None and events.subscribed.recoverable
                published = await example.task_events.publish(example.TaskCreated(task_id=9, title="across"),
                                                              api=api, user_id=user)
                return published, await events.next()
            finally:
                await client.disconnect()
                await api.aclose()

        published, pub = live(body)
    assert pub.data == {"kind": "created", "task_id": 9, "title": "across"}
    assert pub.offset == published.offset  # one history stream, kept in Redis for both nodes

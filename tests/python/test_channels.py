"""Typed channels in process: declarations, channel names, publication validation, the bridge's subscribe proxy and
client-publication checks, the ASGI route's authentication, and the Centrifugo namespaces `rpcc config` writes."""
from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal

import channel_handlers as example
import pytest
from pydantic import BaseModel, Field
from rpcc import (
    Bridge,
    ChannelError,
    ChannelParamError,
    History,
    MessageRouter,
    PublicationError,
    RPCError,
    channel,
    discover,
)
from rpcc.asgi import BridgeApp
from rpcc.channels import namespace_options

from tests.fixture import centrifugo_binary

ROUTER = discover(["channel_handlers"])
SECRET = "test-proxy-secret-0123456789"
GOOD = [(b"x-rpcc-proxy-secret", SECRET.encode())]
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def run(coro):
    return asyncio.run(coro)


class Ev(BaseModel):
    n: int


# -- declarations -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, params, kwargs, message", [
    ("ab:{x}", {}, {}, "not a declared parameter"),
    ("ab:b", {"x": str}, {}, "does not appear"),
    ("ab:{x}.{x}", {"x": str}, {}, "used twice"),
    ("ab:{x}{y}", {"x": str, "y": str}, {}, "separated by literal text"),
    ("ab:{x", {"x": str}, {}, "unbalanced"),
    ("{x}:b", {"x": str}, {}, "namespace"),
    ("ab:{x}", {"x": float}, {}, "str or int"),
    ("ab:{x}", {"x": bool}, {}, "str or int"),
    ("ab:{api}", {"api": str}, {}, "reserved"),
    ("x:b", {}, {}, "not a valid Centrifugo namespace"),
    ("rpc:mine", {}, {}, "pub/sub transport"),
    ("user#{u}", {"u": str}, {}, "reply channels"),
    ("{x}#{u}", {"x": str, "u": str}, {}, "must be literal"),
    ("$ab:b", {}, {}, "private channel"),
    ("", {}, {}, "non-empty"),
    ("ab:b", {}, {"subscribe": "user"}, "needs a user-limited pattern"),
    ("ab:é", {}, {}, "not printable ASCII"),
    ("ab:b#", {}, {}, "ends with '#'"),
    ("ab:b", {}, {"subscribe": "anyone"}, "'user', 'guard' or 'any'"),
])
def test_bad_declarations_are_refused_where_declared(pattern, params, kwargs, message):
    with pytest.raises(ChannelError, match=message):
        channel("t.bad", pattern, Ev, params=params, router=MessageRouter(), **kwargs)


def test_bad_names_history_and_publication_types():
    for name in ("", "a..b", "1a", "a-b"):
        with pytest.raises(ChannelError, match="dot-separated identifiers"):
            channel(name, "ab:b", Ev, router=MessageRouter())
    with pytest.raises(ChannelError, match="History.size"):
        History(size=0, ttl=10)
    with pytest.raises(ChannelError, match="History.ttl"):
        History(size=1, ttl=True)  # type: ignore[arg-type]
    with pytest.raises(ChannelError, match="not a type Pydantic validates"):
        channel("t.x", "ab:b", object(), router=MessageRouter())


def test_defaults_follow_the_pattern():
    r = MessageRouter()
    assert channel("t.u", "tt:u#{u}", Ev, params={"u": str}, router=r).subscribe == "user"
    assert channel("t.g", "tg:g", Ev, router=r).subscribe == "guard"
    assert [c.name for c in r.channels()] == ["t.g", "t.u"]
    assert example.task_events.namespace == "tasks" and example.task_events.user_limited
    assert example.news_feed.namespace == "news" and not example.news_feed.user_limited


def test_duplicate_channel_names_are_refused():
    r = MessageRouter()
    channel("t.dup", "ta:b", Ev, router=r)
    with pytest.raises(Exception, match="duplicate channel 't.dup'"):
        r.register_channel(type(r.channels()[0])("t.dup", "ta:c", Ev, module="elsewhere"))


def test_guards_are_checked_when_registered():
    ch = channel("t.room", "tr:room.{room_id}", Ev, params={"room_id": int}, router=MessageRouter())

    with pytest.raises(ChannelError, match="async def"):
        @ch.guard
        def not_async(conn, room_id: int) -> bool:  # type: ignore[type-var]
            return True

    with pytest.raises(ChannelError, match=r"by name \(room_id\)"):
        @ch.guard
        async def wrong_name(conn, room: int) -> bool:
            return True

    with pytest.raises(ChannelError, match="annotated"):
        @ch.guard
        async def wrong_type(conn, room_id: str) -> bool:
            return True

    with pytest.raises(ChannelError, match="client_publish=True"):
        @ch.publish_guard
        async def no_publish(conn, ev: Ev, room_id: int) -> bool:
            return True


# -- channel names ------------------------------------------------------------------------------------------------

def test_channel_names_from_parameters():
    assert example.task_events.channel_name(user_id="42") == "tasks:events#42"
    assert example.chat_room.channel_name(room_id=7) == "chat:room.7"
    assert example.chat_room.channel_name(room_id=-7) == "chat:room.-7"
    assert example.news_feed.channel_name() == "news:feed"


@pytest.mark.parametrize("ch, params, message", [
    (example.task_events, {"user_id": "42,43"}, "','"),  # would let user 43 subscribe too
    (example.task_events, {"user_id": "a#b"}, "'#'"),
    (example.task_events, {"user_id": "a:b"}, "':'"),
    (example.task_events, {"user_id": "{x}"}, "'{'"),
    (example.task_events, {"user_id": "a\nb"}, "not printable ASCII"),
    (example.task_events, {"user_id": "zoë"}, "not printable ASCII"),  # Centrifugo refuses non-ASCII channels
    (example.task_events, {"user_id": "a b"}, "space"),  # refused by the SDKs too
    (example.task_events, {"user_id": "a*"}, "'\\*'"),
    (example.task_events, {"user_id": "a&b"}, "'&'"),
    (example.task_events, {"user_id": ""}, "empty"),
    (example.task_events, {"user_id": 42}, "is a str"),
    (example.task_events, {}, "missing"),
    (example.task_events, {"user_id": "1", "room": "2"}, "unknown"),
    (example.chat_room, {"room_id": "7"}, "is an int"),
    (example.chat_room, {"room_id": True}, "is an int"),
    (example.chat_room, {"room_id": 2**63}, "64-bit"),
    (example.task_events, {"user_id": "x" * 300}, "longer than 255"),
])
def test_unsafe_parameter_values_are_refused(ch, params, message):
    with pytest.raises(ChannelParamError, match=message):
        ch.channel_name(**params)


def test_channel_names_read_back_into_parameters():
    assert example.task_events.match("tasks:events#42") == [{"user_id": "42"}]
    assert example.task_events.match("tasks:events#42,43") == []
    assert example.task_events.match("tasks:events#") == []
    assert example.chat_room.match("chat:room.7") == [{"room_id": 7}]
    assert example.chat_room.match("chat:room.007") == []  # not the decimal the SDKs print: another channel
    assert example.chat_room.match("chat:room.+7") == []
    assert example.chat_room.match("chat:room.x") == []
    assert example.news_feed.match("news:feed") == [{}]
    two = channel("t.two", "tw:{a}.{b}", Ev, params={"a": str, "b": str}, router=MessageRouter())
    assert two.match("tw:x.y") == [{"a": "x", "b": "y"}]
    assert len(two.match("tw:x.y.z")) == 2  # ambiguous: the bridge refuses it


# -- publications -------------------------------------------------------------------------------------------------

def test_publications_are_validated_before_they_leave():
    ev = example.TaskStatusChanged(task_id=3, status=example.TaskStatus.done)
    assert example.task_events.encode(ev) == {"kind": "status_changed", "task_id": 3, "status": "done"}
    assert example.task_events.encode({"kind": "created", "task_id": 1, "title": "t"}) == \
        {"kind": "created", "task_id": 1, "title": "t"}
    with pytest.raises(PublicationError, match="invalid publication"):
        example.task_events.encode(example.NewsItem(id=1, headline="not a task event"))
    with pytest.raises(PublicationError, match="task_id"):
        example.task_events.encode({"kind": "created", "task_id": "x", "title": "t"})
    broken = example.ChatMessage(author="a", text="hi", sent_at=NOW)
    broken.text = ""  # mutated past its min_length after construction: the wire form no longer validates
    with pytest.raises(PublicationError, match="text"):
        example.chat_room.encode(broken)


class RecordingAPI:
    def __init__(self):
        self.published: list[tuple[str, object]] = []

    async def publish(self, channel, data):
        self.published.append((channel, data))
        return {"offset": 5, "epoch": "ep"}

    def publish_sync(self, channel, data):
        self.published.append((channel, data))
        return {}


def test_publish_and_publish_sync_go_through_the_api():
    api = RecordingAPI()
    out = run(example.task_events.publish(example.TaskCreated(task_id=1, title="a"), api=api, user_id="u1"))
    assert (out.channel, out.offset, out.epoch) == ("tasks:events#u1", 5, "ep")
    out = example.chat_room.publish_sync(example.ChatMessage(author="a", text="hi", sent_at=NOW), api=api, room_id=3)
    assert (out.channel, out.offset) == ("chat:room.3", None)
    assert api.published == [
        ("tasks:events#u1", {"kind": "created", "task_id": 1, "title": "a"}),
        ("chat:room.3", {"author": "a", "text": "hi", "sent_at": "2026-01-02T03:04:05Z"}),
    ]
    with pytest.raises(ChannelParamError):
        run(example.task_events.publish(example.TaskCreated(task_id=1, title="a"), api=api, user_id="a,b"))
    assert len(api.published) == 2  # nothing sent for a refused publication


def test_publish_without_an_api_says_how_to_configure_one(monkeypatch):
    from rpcc import channels

    monkeypatch.setattr(channels, "_default_api", None)
    monkeypatch.delenv("RPCC_CENTRIFUGO_API_URL", raising=False)
    with pytest.raises(ChannelError, match="RPCC_CENTRIFUGO_API_URL"):
        example.news_feed.publish_sync(example.NewsItem(id=1, headline="h"))
    monkeypatch.setenv("RPCC_CENTRIFUGO_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("RPCC_CENTRIFUGO_API_KEY", "k")
    assert channels.centrifugo_api().url == "http://127.0.0.1:9/api"


# -- the bridge: subscribe proxy ----------------------------------------------------------------------------------

def sub_body(channel_name, user="u1"):
    return {"client": "c1", "transport": "websocket", "protocol": "json", "encoding": "json", "user": user,
            "channel": channel_name}


def pub_body(channel_name, data, user="u1"):
    return {**sub_body(channel_name, user), "data": data}


@pytest.mark.parametrize("channel_name, user, code", [
    ("chat:room.7", "u1", None),  # the guard lets everyone into rooms below 1000
    ("chat:room.1000", "u1", 103),  # ... and nobody into private ones
    ("chat:room.0", "u1", 1404),  # the guard's own RPCError
    ("chat:room.007", "u1", 102),  # not a name the pattern builds
    ("chat:lobby", "u1", 102),
    ("tasks:events#u1", "u1", None),  # user channels: the user after '#' (Centrifugo checks it first anyway)
    ("tasks:events#u2", "u1", 103),
    ("news:feed", "u1", None),
    ("chat:room.7", "", 103),  # anonymous
])
def test_subscribe_proxy(channel_name, user, code):
    out = run(Bridge(ROUTER).subscribe_proxy(sub_body(channel_name, user)))
    if code is None:
        assert out == {"result": {}}
    else:
        assert out["error"]["code"] == code, out


def test_guard_crash_timeout_and_missing_guard(caplog):
    r = MessageRouter()
    crash = channel("t.crash", "tc:{n}", Ev, params={"n": int}, router=r)
    slow = channel("t.slow", "ts:{n}", Ev, params={"n": int}, router=r)
    channel("t.none", "tn:{n}", Ev, params={"n": int}, router=r)
    truthy = channel("t.truthy", "tt:{n}", Ev, params={"n": int}, router=r)

    @crash.guard
    async def boom(conn, n: int) -> bool:
        raise RuntimeError("hunter2")

    @slow.guard
    async def sleepy(conn, n: int) -> bool:
        await asyncio.sleep(30)
        return True

    @truthy.guard
    async def not_a_bool(conn, n: int) -> bool:
        return 1  # type: ignore[return-value]  # only True lets a user in

    from rpcc.bridge import Limits

    bridge = Bridge(r, limits=Limits(handler_timeout=0.05))
    with caplog.at_level(logging.INFO):
        out = [run(bridge.subscribe_proxy(sub_body(name))) for name in ("tc:1", "ts:1", "tn:1", "tt:1")]
    assert out[0]["error"] == {"code": 500, "message": "internal server error"}
    assert out[1]["error"]["code"] == 504 and out[1]["error"]["temporary"] is True
    assert out[2]["error"]["code"] == 103 and "has no guard" in caplog.text
    assert out[3]["error"]["code"] == 103
    assert "hunter2" not in json.dumps(out) and bridge.running == 0
    # the guard gets as long as Centrifugo's subscribe proxy waits (subscribe_timeout), not the handler timeout
    out = run(Bridge(r, limits=Limits(handler_timeout=30, subscribe_timeout=0.05)).subscribe_proxy(sub_body("ts:1")))
    assert out["error"]["code"] == 504 and "within 0.05s" in out["error"]["message"]


def test_ambiguous_channel_names_are_refused():
    r = MessageRouter()
    two = channel("t.two", "tw:{a}.{b}", Ev, params={"a": str, "b": str}, router=r)
    seen = []

    @two.guard
    async def record(conn, a: str, b: str) -> bool:
        seen.append((a, b))
        return True

    bridge = Bridge(r)
    assert run(bridge.subscribe_proxy(sub_body("tw:x.y"))) == {"result": {}}
    assert run(bridge.subscribe_proxy(sub_body("tw:x.y.z")))["error"]["code"] == 103
    assert seen == [("x", "y")]


# -- the bridge: client publications through the publish proxy ----------------------------------------------------

MESSAGE = {"author": "u1", "text": "hello", "sent_at": "2026-01-02T03:04:05Z"}


@pytest.mark.parametrize("channel_name, data, user, code", [
    ("chat:room.7", MESSAGE, "u1", None),
    ("chat:room.7", {**MESSAGE, "text": ""}, "u1", 400),  # malformed: fails the model's min_length
    ("chat:room.7", {"author": "u1"}, "u1", 400),
    ("chat:room.7", "just text", "u1", 400),
    ("chat:room.7", MESSAGE, "u2", 103),  # the publish guard: the author must be the publisher
    ("chat:room.1000", MESSAGE, "u1", 103),  # a room the guard refuses
    ("chat:room.0", MESSAGE, "u1", 1404),
    ("chat:elsewhere", MESSAGE, "u1", 102),
    ("tasks:events#u1", {"kind": "created", "task_id": 1, "title": "t"}, "u1", 103),  # no @publish
    ("news:feed", {"id": 1, "headline": "h"}, "u1", 103),
    ("chat:room.7", MESSAGE, "", 103),
])
def test_client_publications(channel_name, data, user, code):
    answer, job = run(Bridge(ROUTER).publish_proxy(pub_body(channel_name, data, user)))
    assert job is None
    if code is None:
        # published in the validated, re-serialized form: extra keys a client adds do not reach subscribers
        assert answer == {"result": {"data": MESSAGE}}
    else:
        assert answer["error"]["code"] == code, answer


def test_client_publications_are_re_serialized_and_binary_clients_get_b64():
    import base64

    answer, _ = run(Bridge(ROUTER).publish_proxy(pub_body("chat:room.7", {**MESSAGE, "smuggled": "x"})))
    assert answer == {"result": {"data": MESSAGE}}
    body = pub_body("chat:room.7", None)
    del body["data"]
    body["b64data"] = base64.b64encode(json.dumps(MESSAGE).encode()).decode()
    answer, _ = run(Bridge(ROUTER).publish_proxy(body))
    assert json.loads(base64.b64decode(answer["result"]["b64data"])) == MESSAGE


def test_pubsub_requests_still_reach_the_handlers_next_to_channels():
    router = discover(["channel_handlers", "debug_handlers"])
    answer, job = run(Bridge(router, api=RecordingAPI()).publish_proxy(
        pub_body("rpc:requests", {"method": "debug.echo", "params": {}, "correlation_id": "c"})))
    assert answer == {"result": {}} and job is not None
    run(job())


def test_a_guard_without_publish_guard_decides_client_publications_too():
    r = MessageRouter()
    ch = channel("t.room", "tp:room.{n}", Ev, params={"n": int}, client_publish=True, router=r)

    @ch.guard
    async def only_odd(conn, n: int) -> bool:
        if n < 0:
            raise RPCError(1403, "negative rooms are closed")
        return n % 2 == 1

    bridge = Bridge(r)
    assert run(bridge.channel_publish(pub_body("tp:room.1", {"n": 1}))) == {"result": {"data": {"n": 1}}}
    assert run(bridge.channel_publish(pub_body("tp:room.2", {"n": 1})))["error"]["code"] == 103
    assert run(bridge.channel_publish(pub_body("tp:room.-1", {"n": 1})))["error"]["code"] == 1403
    # refused before the data is looked at: an unauthorized user learns nothing about the publication type
    assert run(bridge.channel_publish(pub_body("tp:room.2", "garbage")))["error"]["code"] == 103


# -- the ASGI route -----------------------------------------------------------------------------------------------

async def asgi_call(app, path, body, headers):
    sent = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(msg):
        sent.append(msg)

    await app({"type": "http", "method": "POST", "path": path, "headers": list(headers),
               "client": ("127.0.0.1", 5555)}, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


class SpyRouterBridge(Bridge):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: list = []

    async def _ask_guard(self, ch, func, conn, args, params):
        self.asked.append((ch.name, conn.user_id))
        return await super()._ask_guard(ch, func, conn, args, params)


@pytest.mark.parametrize("headers", [[], [(b"x-rpcc-proxy-secret", b"wrong-secret-0123456789")], GOOD + GOOD])
def test_subscribe_route_needs_centrifugos_secret(headers, caplog):
    bridge = SpyRouterBridge(ROUTER)
    app = BridgeApp(bridge, secret=SECRET)
    with caplog.at_level(logging.WARNING):
        for path, body in (("/centrifugo/subscribe", sub_body("chat:room.7")),
                           ("/centrifugo/publish", pub_body("chat:room.7", MESSAGE))):
            assert run(asgi_call(app, path, json.dumps(body).encode(), headers)) == (401, {"error": "unauthorized"})
    assert bridge.asked == [] and "unauthenticated" in caplog.text


def test_subscribe_route_with_the_secret():
    bridge = SpyRouterBridge(ROUTER)
    app = BridgeApp(bridge, secret=SECRET)
    status, answer = run(asgi_call(app, "/centrifugo/subscribe", json.dumps(sub_body("chat:room.1000")).encode(),
                                   GOOD))
    assert status == 200 and answer["error"]["code"] == 103 and bridge.asked == [("chat.room", "u1")]


# -- Django -------------------------------------------------------------------------------------------------------

def test_django_subscribe_view():
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_settings")
    import django

    django.setup()
    from django.test import Client, override_settings
    from rpcc.contrib.django.bridge import reset_bridge

    secret = "django-test-proxy-secret-0123456789"  # django_settings.RPCC_PROXY_SECRET
    with override_settings(RPCC_HANDLER_MODULES=["channel_handlers"]):
        reset_bridge()
        try:
            client = Client(enforce_csrf_checks=True)

            def post(path, body, key=secret):
                headers = {"X-Rpcc-Proxy-Secret": key} if key else {}
                return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)

            assert post("/centrifugo/subscribe", sub_body("chat:room.7")).json() == {"result": {}}
            assert post("/centrifugo/subscribe", sub_body("chat:room.1000")).json()["error"]["code"] == 103
            assert post("/centrifugo/subscribe", sub_body("chat:room.7"), key=None).status_code == 401
            assert post("/centrifugo/publish", pub_body("chat:room.7", MESSAGE)).json() == {"result": {"data": MESSAGE}}
            assert post("/centrifugo/publish", pub_body("chat:room.7", {"text": 1})).json()["error"]["code"] == 400
        finally:
            reset_bridge()


# -- Centrifugo configuration -------------------------------------------------------------------------------------

def test_namespace_options():
    assert namespace_options(ROUTER.channels()) == {
        "chat": {"subscribe_proxy_enabled": True, "publish_proxy_enabled": True},
        "news": {"history_size": 100, "history_ttl": "3600s", "force_positioning": True, "force_recovery": True,
                 "allow_subscribe_for_client": True},
        "tasks": {"history_size": 300, "history_ttl": "600s", "force_positioning": True, "force_recovery": True,
                  "allow_user_limited_channels": True},
    }


def test_channels_sharing_a_namespace_must_agree():
    r = MessageRouter()
    channel("t.a", "shared:a", Ev, history=History(size=10, ttl=60), router=r)
    channel("t.b", "shared:b.{n}", Ev, params={"n": int}, router=r)
    with pytest.raises(ChannelError, match="t.a and t.b share namespace 'shared' but not their history"):
        namespace_options(r.channels())
    r = MessageRouter()
    channel("t.a", "nons.a", Ev, router=r)
    channel("t.b", "nons#{u}", Ev, params={"u": str}, subscribe="guard", router=r)
    with pytest.raises(ChannelError):
        namespace_options(r.channels())


def test_config_command_writes_namespaces_that_pass_strict_checkconfig(tmp_path):
    out, env = tmp_path / "config.json", tmp_path / "bridge.env"
    examples = str(Path(example.__file__).parent)
    res = subprocess.run([sys.executable, "-m", "rpcc", "config", "channel_handlers", "-P", examples, "--bridge-url",
                          "http://127.0.0.1:3999", "--subscribe-timeout", "2s", "-o", str(out), "--env-file", str(env)],
                         check=False, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    cfg = json.loads(out.read_text())
    namespaces = {n["name"]: n for n in cfg["channel"]["namespaces"]}
    assert set(namespaces) == {"rpc", "chat", "news", "tasks"}
    assert namespaces["tasks"]["history_size"] == 300 and namespaces["tasks"]["force_recovery"] is True
    assert namespaces["chat"]["subscribe_proxy_enabled"] and namespaces["chat"]["publish_proxy_enabled"]
    subscribe = cfg["channel"]["proxy"]["subscribe"]
    assert subscribe["endpoint"] == "http://127.0.0.1:3999/centrifugo/subscribe" and subscribe["timeout"] == "2s"
    # the subscribe proxy sends the same secret as the other proxies: the bridge refuses requests without it
    secret = cfg["rpc"]["proxy"]["http"]["static_headers"]["X-Rpcc-Proxy-Secret"]
    assert subscribe["http"]["static_headers"] == {"X-Rpcc-Proxy-Secret": secret}
    assert "RPCC_SUBSCRIBE_TIMEOUT=2\n" in env.read_text()  # the guards' time bound follows Centrifugo's
    check = subprocess.run([str(centrifugo_binary()), "checkconfig", "--strict", "-c", str(out)],
                           check=False, capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr


def test_config_command_reports_disagreeing_channels(tmp_path):
    mod = tmp_path / "clashing_channels.py"
    mod.write_text("from pydantic import BaseModel\nfrom rpcc import History, channel\n\n"
                   "class E(BaseModel):\n    n: int\n\n\n"
                   "a = channel('c.a', 'clash:a', E, history=History(size=1, ttl=1))\n"
                   "b = channel('c.b', 'clash:b', E)\n")
    res = subprocess.run([sys.executable, "-m", "rpcc", "config", "clashing_channels", "-P", str(tmp_path), "-o", "-"],
                         check=False, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "c.a and c.b share namespace 'clash'" in res.stderr


# -- typing -------------------------------------------------------------------------------------------------------

def test_publication_union_type_alias_is_accepted():
    class A(BaseModel):
        kind: Literal["a"] = "a"

    class B(BaseModel):
        kind: Literal["b"] = "b"

    ab = channel("t.ab", "tab:x", Annotated[A | B, Field(discriminator="kind")], router=MessageRouter())
    assert ab.encode(B()) == {"kind": "b"}


# -- the exporter -------------------------------------------------------------------------------------------------

def channel_blocks(dump: str) -> list[str]:
    """The channel entries of `rpcc --dump-ir` (each with its doc line and indented details)."""
    lines, out = dump.splitlines(), []
    for i, line in enumerate(lines):
        if line.startswith("channel "):
            block = [lines[i - 1]] if i and lines[i - 1].startswith("///") else []
            block.append(line)
            j = i + 1
            while j < len(lines) and lines[j].startswith("    "):
                block.append(lines[j])
                j += 1
            out.append("\n".join(block))
    return out


def test_exported_channels_are_the_ones_of_the_shared_example(tmp_path, rpcc):
    from rpcc.exporter import export_modules

    exported = tmp_path / "exported.rpc"
    exported.write_text(export_modules(["channel_handlers"]))  # checked by rpcc --check on the way

    def dump(path):
        res = subprocess.run([str(rpcc), "--dump-ir", str(path)], check=False, capture_output=True, text=True,
                             timeout=60)
        assert res.returncode == 0, res.stderr
        return channel_blocks(res.stdout)

    ours, shared = dump(exported), dump(Path(__file__).resolve().parents[2] / "spec" / "examples" / "channels.rpc")
    # the exporter sorts channels by name, as it sorts rpcs
    assert len(ours) == 3 and ours == sorted(shared, key=lambda block: block.split("\nchannel ", 1)[1])


def export_channels(*channels, check=True):
    from rpcc.exporter import export_handlers

    return export_handlers([], channels=list(channels), check=check)


def test_channel_declarations_as_exported():
    class Ping(BaseModel):
        n: int

    r = MessageRouter()
    text = export_channels(
        channel("t.plain", "plain", Ping, subscribe="any", router=r),
        channel("t.board", "boards:{board}.{n}", Ping, params={"board": str, "n": int}, deprecated="use t.plain",
                doc="A board.\n\nSecond paragraph.", router=r),
    )
    assert text.endswith(
        "/// A board.\n///\n/// Second paragraph.\n"
        'channel t.board(board: string, n: int) "boards:{board}.{n}" -> Ping @subscribe("guard") '
        '@deprecated("use t.plain");\n\n'
        'channel t.plain() "plain" -> Ping @subscribe("any");\n'), text


def test_union_publications_export_as_unions():
    class A(BaseModel):
        a: int

    class B(BaseModel):
        b: str

    class Tagged1(BaseModel):
        kind: Literal["one"]

    class Tagged2(BaseModel):
        kind: Literal["two"]

    r = MessageRouter()
    text = export_channels(channel("t.ab", "ab:x", A | B, router=r),
                           channel("t.tagged", "tagged:x", Tagged1 | Tagged2, router=r))
    assert 'channel t.ab() "ab:x" -> A | B @subscribe("guard");' in text  # inline: rpcc hoists it
    assert "union Tagged1OrTagged2 = Tagged1 | Tagged2 @discriminator(\"kind\");" in text
    assert '-> Tagged1OrTagged2 @subscribe("guard");' in text


@pytest.mark.parametrize("publication", [int, list[Ev], dict[str, Ev], Ev | None])
def test_publications_that_are_not_models_are_export_errors(publication):
    from rpcc import ExportError

    with pytest.raises(ExportError, match="publication type is a model or a union of models"):
        export_channels(channel("t.bad", "bad:x", publication, router=MessageRouter()))


def test_contract_hash_of_channels_is_rpccs(tmp_path, rpcc):
    """The exporter's contract text (python/rpcc/exporter/contract.py) writes the channel lines as ir/contract.c."""
    class A(BaseModel):
        a: int

    class B(BaseModel):
        b: str

    class One(BaseModel):
        kind: Literal["one"]
        n: int

    class Two(BaseModel):
        kind: Literal["two"]

    r = MessageRouter()
    channels = [
        channel("z.inline", "inline:{k}.{n}", A | B, params={"k": str, "n": int}, client_publish=True, router=r),
        channel("a.tagged", "tagged:x#{u}", One | Two, params={"u": str}, history=History(size=5, ttl=7), router=r),
        channel("m.plain", "plain.{id}", A, params={"id": int}, subscribe="any", deprecated="", router=r),
    ]
    from rpcc.exporter import export_handlers

    text = export_handlers([], channels=channels, with_contract_hash=True)
    path = tmp_path / "c.rpc"
    path.write_text(text)
    res = subprocess.run([str(rpcc), "--contract-hash", str(path)], check=False, capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    assert f"// Contract hash: {res.stdout.strip()}" in text


def test_django_settings_configure_the_api_channels_publish_through(monkeypatch):
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_settings")
    import django

    django.setup()
    from django.test import override_settings
    from rpcc import channels
    from rpcc.contrib.django.bridge import configure_channel_api

    monkeypatch.setattr(channels, "_default_api", None)
    with override_settings(RPCC_CENTRIFUGO_API_URL="http://127.0.0.1:8123/api", RPCC_CENTRIFUGO_API_KEY="k"):
        configure_channel_api()
    api = channels.centrifugo_api()
    # batch=False: sync views publish over their thread's connection, async code of several loops through threads
    assert api.url == "http://127.0.0.1:8123/api" and api.batch is False

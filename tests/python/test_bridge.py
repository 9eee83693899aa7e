"""The framework-agnostic bridge core and the ASGI app, in process (no network)."""
from __future__ import annotations

import asyncio
import json
import logging

import pytest

from rpcc import Bridge, RPCError, discover
from rpcc.asgi import BridgeApp
from rpcc.bridge import InsecureBridgeError, ProxyAuth

ROUTER = discover(["tasks_handlers", "debug_handlers"])
SECRET = "test-proxy-secret-0123456789"
GOOD = [(b"x-rpcc-proxy-secret", SECRET.encode())]


class FakeAPI:
    def __init__(self):
        self.published: list[tuple[str, dict]] = []
        self.event = asyncio.Event()

    async def publish(self, channel, data):
        self.published.append((channel, data))
        self.event.set()


def rpc_body(method, data, user="u1"):
    return {"client": "c1", "transport": "websocket", "protocol": "json", "encoding": "json", "user": user,
            "method": method, "data": data}


def pub_body(data, user="u1", channel="rpc:requests"):
    return {"client": "c1", "transport": "websocket", "protocol": "json", "encoding": "json", "user": user,
            "channel": channel, "data": data}


def run(coro):
    return asyncio.run(coro)


def test_rpc_success():
    out = run(Bridge(ROUTER).rpc_proxy(rpc_body("debug.echo", {"value": [1, "x"]})))
    assert out == {"result": {"data": {"user_id": "u1", "client_id": "c1", "transport": "rpc", "value": [1, "x"]}}}


def test_rpc_defaults_and_result_serialization():
    async def go():
        b = Bridge(ROUTER)
        created = await b.rpc_proxy(rpc_body("tasks.create", {"title": "write tests"}))
        stats = await b.rpc_proxy(rpc_body("tasks.get_stats", {"user_id": "u1"}))
        return created, stats

    created, stats = run(go())
    task = created["result"]["data"]
    assert task["title"] == "write tests" and task["status"] == "open" and task["priority"] == 2
    assert task["due"] is None and task["labels"] == []
    data = stats["result"]["data"]
    assert data["total"] >= 1 and set(data["by_status"]) == {"open", "in_progress", "done"}


def test_rpc_validation_error_is_400_with_message():
    out = run(Bridge(ROUTER).rpc_proxy(rpc_body("tasks.get_stats", {"user_id": "u", "limit": 1000})))
    assert out["error"]["code"] == 400
    assert "limit" in out["error"]["message"] and "100" in out["error"]["message"]
    out = run(Bridge(ROUTER).rpc_proxy(rpc_body("tasks.get_stats", [1, 2])))
    assert out["error"]["code"] == 400


def test_rpc_unknown_method_is_404():
    out = run(Bridge(ROUTER).rpc_proxy(rpc_body("nope.nothing", {})))
    assert out["error"]["code"] == 404 and "nope.nothing" in out["error"]["message"]


def test_rpc_typed_handler_error():
    out = run(Bridge(ROUTER).rpc_proxy(rpc_body("tasks.update", {"id": 999999})))
    assert out == {"error": {"code": 1404, "message": "task 999999 not found"}}


def test_rpc_crash_is_500_generic_and_logged(caplog):
    with caplog.at_level(logging.ERROR, logger="rpcc.bridge"):
        out = run(Bridge(ROUTER).rpc_proxy(rpc_body("debug.fail", {"crash": True})))
    assert out == {"error": {"code": 500, "message": "internal server error"}}
    assert "hunter2" in caplog.text  # the details go to the server log only


def test_rpc_no_params_handler_ignores_data():
    out = run(Bridge(ROUTER).rpc_proxy(rpc_body("system.health", None)))
    assert out["result"]["data"]["status"] == "ok"


def test_rpc_binary_encoding_roundtrip():
    import base64

    body = rpc_body("debug.echo", None)
    del body["data"]
    body["b64data"] = base64.b64encode(json.dumps({"value": 7}).encode()).decode()
    out = run(Bridge(ROUTER).rpc_proxy(body))
    assert json.loads(base64.b64decode(out["result"]["b64data"]))["value"] == 7


def test_rpc_error_code_range():
    with pytest.raises(ValueError):
        RPCError(100, "reserved")
    with pytest.raises(ValueError):
        RPCError(2000, "too big")
    assert RPCError(1999, "ok").code == 1999


def test_publish_success_replies_to_user_channel():
    async def go():
        api = FakeAPI()
        b = Bridge(ROUTER, api=api)
        answer = await b.handle_publish(pub_body({"method": "debug.echo", "params": {"value": 1},
                                                  "correlation_id": "c-1", "reply_to": "user#u1"}))
        await asyncio.wait_for(api.event.wait(), 10)
        return answer, api.published

    answer, published = run(go())
    assert answer == {"result": {}}
    assert published == [("user#u1", {"correlation_id": "c-1", "result": {
        "user_id": "u1", "client_id": "c1", "transport": "pubsub", "value": 1}})]


@pytest.mark.parametrize("data, code", [
    ({"method": "debug.echo", "params": {}, "correlation_id": "c", "reply_to": "user#someone-else"}, 403),
    ({"method": "debug.echo", "params": {}, "correlation_id": "c", "reply_to": "user#u1,u2"}, 403),
    ({"method": "debug.echo", "params": {}, "reply_to": "user#u1"}, 400),
    ({"method": "debug.echo", "params": {}, "correlation_id": "x" * 129}, 400),
    ({"params": {}, "correlation_id": "c"}, 400),
    ([1, 2], 400),
])
def test_publish_refusals(data, code):
    api = FakeAPI()
    answer, job = run(Bridge(ROUTER, api=api).publish_proxy(pub_body(data)))
    assert job is None and answer["error"]["code"] == code and not api.published


def test_publish_anonymous_refused():
    answer, job = run(Bridge(ROUTER, api=FakeAPI()).publish_proxy(pub_body({"method": "m", "correlation_id": "c"},
                                                                            user="")))
    assert job is None and answer["error"]["code"] == 403


def test_publish_without_api_is_503():
    answer, job = run(Bridge(ROUTER).publish_proxy(pub_body({"method": "debug.echo", "correlation_id": "c"})))
    assert job is None and answer["error"]["code"] == 503


@pytest.mark.parametrize("data, error_code", [
    ({"method": "nope.x", "params": {}, "correlation_id": "c"}, 404),
    ({"method": "tasks.get_stats", "params": {}, "correlation_id": "c"}, 400),
    ({"method": "debug.fail", "params": {"code": 1777, "message": "m"}, "correlation_id": "c"}, 1777),
    ({"method": "debug.fail", "params": {"crash": True}, "correlation_id": "c"}, 500),
])
def test_publish_handler_errors_go_to_the_reply(data, error_code):
    async def go():
        api = FakeAPI()
        b = Bridge(ROUTER, api=api, ack_after_reply=True)
        answer = await b.handle_publish(pub_body(data))
        return answer, api.published

    answer, published = run(go())
    assert answer == {"result": {}}
    (channel, reply), = published
    assert channel == "user#u1" and reply["correlation_id"] == "c" and reply["error"]["code"] == error_code
    assert "hunter2" not in json.dumps(reply)


# -- ASGI app -----------------------------------------------------------------------------------------------------

async def asgi_call(app, method, path, body=b"", headers=GOOD):
    sent = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(msg):
        sent.append(msg)

    await app({"type": "http", "method": method, "path": path, "headers": list(headers),
               "client": ("127.0.0.1", 5555)}, receive, send)
    status = sent[0]["status"]
    return status, json.loads(sent[1]["body"])


def test_asgi_routes():
    app = BridgeApp(Bridge(ROUTER), secret=SECRET)

    async def go():
        return [
            await asgi_call(app, "GET", "/health"),
            await asgi_call(app, "POST", "/centrifugo/rpc", json.dumps(rpc_body("debug.echo", {})).encode()),
            await asgi_call(app, "POST", "/centrifugo/rpc", b"not json"),
            await asgi_call(app, "GET", "/centrifugo/rpc"),
            await asgi_call(app, "POST", "/elsewhere", b"{}"),
            await asgi_call(app, "POST", "/centrifugo/publish", json.dumps(pub_body({"method": "m"})).encode()),
        ]

    health, rpc, bad, wrong_method, missing, publish = run(go())
    assert health[0] == 200 and "tasks.get_stats" in health[1]["methods"]
    assert rpc[0] == 200 and rpc[1]["result"]["data"]["user_id"] == "u1"
    assert bad[0] == 400 and wrong_method[0] == 405 and missing[0] == 404
    assert publish[0] == 200 and publish[1]["error"]["code"] == 400


# -- authentication: only Centrifugo (which sends the secret header) may call the proxy endpoints -------------------

class SpyBridge(Bridge):
    """Records every handler the bridge would run."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ran: list = []

    async def call(self, method, params, conn):
        self.ran.append((method, conn.user_id))
        return await super().call(method, params, conn)


FORGED_HEADERS = {
    "no header": [],
    "empty header": [(b"x-rpcc-proxy-secret", b"")],
    "wrong secret": [(b"x-rpcc-proxy-secret", b"test-proxy-secret-0123456780")],
    "secret prefix": [(b"x-rpcc-proxy-secret", SECRET[:-1].encode())],
    "secret plus suffix": [(b"x-rpcc-proxy-secret", SECRET.encode() + b"x")],
    "secret twice": GOOD + GOOD,
    "other header": [(b"authorization", b"Bearer " + SECRET.encode())],
}
VICTIM_RPC = rpc_body("tasks.create", {"title": "forged"}, user="victim-42")
VICTIM_PUB = pub_body({"method": "tasks.create", "params": {"title": "forged"}, "correlation_id": "c",
                       "reply_to": "user#victim-42"}, user="victim-42")


@pytest.mark.parametrize("forged", FORGED_HEADERS)
@pytest.mark.parametrize("path, body", [("/centrifugo/rpc", VICTIM_RPC), ("/centrifugo/publish", VICTIM_PUB)])
def test_asgi_forged_requests_are_401_and_run_nothing(forged, path, body, caplog):
    api = FakeAPI()
    bridge = SpyBridge(ROUTER, api=api, ack_after_reply=True)
    app = BridgeApp(bridge, secret=SECRET)
    with caplog.at_level(logging.DEBUG):
        status, answer = run(asgi_call(app, "POST", path, json.dumps(body).encode(), headers=FORGED_HEADERS[forged]))
    assert (status, answer) == (401, {"error": "unauthorized"})
    assert bridge.ran == [] and api.published == []
    assert SECRET not in caplog.text and SECRET not in json.dumps(answer)
    assert "unauthenticated" in caplog.text  # refused requests are logged (without the secret)


def test_asgi_every_proxy_route_is_authenticated():
    """A new proxy endpoint (e.g. the subscribe proxy) is one more entry in proxy_routes and gets the same check."""
    app = BridgeApp(SpyBridge(ROUTER), secret=SECRET)
    ran = []

    async def subscribe_proxy(body):
        ran.append(body)
        return {"result": {}}

    app.proxy_routes["/centrifugo/subscribe"] = subscribe_proxy
    status, _ = run(asgi_call(app, "POST", "/centrifugo/subscribe", b"{}", headers=[]))
    assert status == 401 and ran == []
    status, _ = run(asgi_call(app, "POST", "/centrifugo/subscribe", b"{}"))
    assert status == 200 and ran == [{}]


def test_asgi_right_secret_with_another_users_reply_to_is_refused():
    api = FakeAPI()
    bridge = SpyBridge(ROUTER, api=api, ack_after_reply=True)
    app = BridgeApp(bridge, secret=SECRET)
    body = pub_body({"method": "debug.echo", "params": {}, "correlation_id": "c", "reply_to": "user#victim-42"},
                    user="attacker")
    status, answer = run(asgi_call(app, "POST", "/centrifugo/publish", json.dumps(body).encode()))
    assert status == 200 and answer["error"]["code"] == 403
    assert bridge.ran == [] and api.published == []


def test_asgi_refuses_to_start_without_a_secret(caplog):
    with pytest.raises(InsecureBridgeError) as exc:
        BridgeApp(Bridge(ROUTER))
    assert "RPCC_PROXY_SECRET" in str(exc.value) and "--insecure-no-auth" in str(exc.value)
    with pytest.raises(InsecureBridgeError, match="too short"):
        BridgeApp(Bridge(ROUTER), secret="short")
    with caplog.at_level(logging.WARNING, logger="rpcc.asgi"):
        app = BridgeApp(Bridge(ROUTER), insecure_no_auth=True)
    assert "authentication is OFF" in caplog.text  # warned on start
    status, answer = run(asgi_call(app, "POST", "/centrifugo/rpc", json.dumps(rpc_body("debug.echo", {})).encode(),
                                   headers=[]))
    assert status == 200 and answer["result"]["data"]["user_id"] == "u1"


def test_proxy_auth_never_shows_the_secret():
    auth = ProxyAuth(SECRET)
    assert SECRET not in repr(auth) and SECRET not in str(auth.__dict__.keys())
    assert auth.check(SECRET) and auth.check(SECRET.encode()) and not auth.check(None) and not auth.check("")
    assert not auth.check("é" * 10)  # a non-ASCII header value is compared as bytes, never raises


# -- limits: body size, concurrency, handler time, reply size ------------------------------------------------------

from pydantic import BaseModel  # noqa: E402

from rpcc import MessageRouter  # noqa: E402
from rpcc.bridge import Limits  # noqa: E402


class GateParams(BaseModel):
    key: str


class GateResult(BaseModel):
    key: str


class Gates:
    """A router whose gate.wait handler blocks until the test opens its gate (no sleeps, no timing)."""

    def __init__(self):
        self.router = MessageRouter()
        self.started: dict[str, asyncio.Event] = {}
        self.open: dict[str, asyncio.Event] = {}
        self.cancelled: list[str] = []
        self.router.include(ROUTER)

        @self.router.websocket_rpc("gate.wait")
        async def wait(conn, params: GateParams) -> GateResult:
            self.started.setdefault(params.key, asyncio.Event()).set()
            try:
                await self.open.setdefault(params.key, asyncio.Event()).wait()
            except asyncio.CancelledError:
                self.cancelled.append(params.key)
                raise
            return GateResult(key=params.key)

    async def until_started(self, key):
        await asyncio.wait_for(self.started.setdefault(key, asyncio.Event()).wait(), 30)

    def release(self, key):
        self.open.setdefault(key, asyncio.Event()).set()


def test_flood_beyond_the_concurrency_bound_is_refused_temporary_not_queued():
    async def go():
        gates = Gates()
        api = FakeAPI()
        bridge = Bridge(gates.router, api=api, limits=Limits(max_concurrency=2))
        first = asyncio.ensure_future(bridge.rpc_proxy(rpc_body("gate.wait", {"key": "a"})))
        answer, job = await bridge.publish_proxy(pub_body({"method": "gate.wait", "params": {"key": "b"},
                                                           "correlation_id": "b"}))
        assert answer == {"result": {}}
        second = asyncio.ensure_future(job())
        await gates.until_started("a")
        await gates.until_started("b")
        assert bridge.running == 2
        flood = [await bridge.rpc_proxy(rpc_body("debug.echo", {})) for _ in range(50)]
        refused_pub, no_job = await bridge.publish_proxy(pub_body({"method": "debug.echo", "correlation_id": "x"}))
        gates.release("a")
        gates.release("b")
        done = await first
        await second
        after = await bridge.rpc_proxy(rpc_body("debug.echo", {"value": 1}))
        return bridge, flood, refused_pub, no_job, done, after, api

    bridge, flood, refused_pub, no_job, done, after, api = run(go())
    busy = {"code": 429, "message": "server busy: 2 calls are running, retry later", "temporary": True}
    assert flood == [{"error": busy}] * 50
    assert refused_pub == {"error": busy} and no_job is None
    assert bridge.stats["busy"] == 51 and bridge.running == 0
    assert done == {"result": {"data": {"key": "a"}}} and after["result"]["data"]["value"] == 1
    assert api.published == [("user#u1", {"correlation_id": "b", "result": {"key": "b"}})]


def test_slow_handler_past_the_timeout_is_cancelled_and_counted(caplog):
    async def go():
        gates = Gates()
        api = FakeAPI()
        bridge = Bridge(gates.router, api=api, limits=Limits(handler_timeout=0.05))
        rpc_answer = await bridge.rpc_proxy(rpc_body("gate.wait", {"key": "never"}))
        await bridge.handle_publish(pub_body({"method": "gate.wait", "params": {"key": "never2"},
                                              "correlation_id": "p"}))
        await asyncio.wait_for(api.event.wait(), 30)
        await asyncio.sleep(0)  # let the cancellations run
        return bridge, gates, rpc_answer, api.published

    with caplog.at_level(logging.WARNING, logger="rpcc.bridge"):
        bridge, gates, rpc_answer, published = run(go())
    assert rpc_answer == {"error": {"code": 504, "message": "gate.wait did not finish within 0.05s",
                                    "temporary": True}}
    assert published == [("user#u1", {"correlation_id": "p", "error": {
        "code": 504, "message": "gate.wait did not finish within 0.05s", "temporary": True}})]
    assert sorted(gates.cancelled) == ["never", "never2"]  # cancelled, not left running
    assert bridge.stats["timed_out"] == 2 and bridge.running == 0
    assert caplog.text.count("still running after 0.05s: cancelled") == 2


def test_ack_after_reply_bounds_the_handler_by_the_publish_timeout():
    async def go():
        gates = Gates()
        api = FakeAPI()
        bridge = Bridge(gates.router, api=api, ack_after_reply=True,
                        limits=Limits(handler_timeout=60, publish_timeout=0.05))
        answer = await bridge.handle_publish(pub_body({"method": "gate.wait", "params": {"key": "k"},
                                                       "correlation_id": "p"}))
        return answer, api.published

    answer, published = run(go())
    assert answer == {"result": {}} and published[0][1]["error"]["code"] == 504


def test_oversize_reply_is_refused_with_a_clear_error():
    limits = Limits(max_reply=1000)
    small = run(Bridge(ROUTER, limits=limits).rpc_proxy(rpc_body("debug.echo", {"value": "x" * 800})))
    bridge = Bridge(ROUTER, limits=limits)
    big = run(bridge.rpc_proxy(rpc_body("debug.echo", {"value": "é" * 600})))  # 1,200 bytes in UTF-8
    assert small["result"]["data"]["value"] == "x" * 800
    assert big["error"]["code"] == 413 and "more than the 1000" in big["error"]["message"]
    assert bridge.stats["reply_too_large"] == 1
    assert Limits.for_message_size(65536).max_reply == 65536 - 512


class Receiver:
    """An ASGI receive that hands out ``chunks`` and counts what was taken."""

    def __init__(self, chunks):
        self.chunks = list(chunks)
        self.taken = 0

    async def __call__(self):
        if not self.chunks:
            return {"type": "http.disconnect"}
        self.taken += 1
        body = self.chunks.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(self.chunks)}


async def asgi_raw(app, path, headers, receive):
    sent = []

    async def send(msg):
        sent.append(msg)

    await app({"type": "http", "method": "POST", "path": path, "headers": headers, "client": ("127.0.0.1", 1)},
              receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.mark.parametrize("path", ["/centrifugo/rpc", "/centrifugo/publish"])
def test_asgi_oversize_body_is_413_before_it_is_read_whole(path):
    bridge = SpyBridge(ROUTER, api=FakeAPI(), limits=Limits(max_body=1000))
    app = BridgeApp(bridge, secret=SECRET)
    declared = Receiver([b"{" + b" " * 5000 + b"}"])
    status, answer = run(asgi_raw(app, path, GOOD + [(b"content-length", b"5002")], declared))
    assert (status, answer) == (413, {"error": "request body larger than 1000 bytes"}) and declared.taken == 0
    streamed = Receiver([b" " * 400] * 100)  # no Content-Length (chunked): counted while it arrives
    status, _ = run(asgi_raw(app, path, GOOD, streamed))
    assert status == 413 and streamed.taken == 3
    fits = Receiver([json.dumps(rpc_body("debug.echo", {"value": "v"})).encode()])
    status, _ = run(asgi_raw(app, "/centrifugo/rpc", GOOD, fits))
    assert status == 200 and bridge.ran == [("debug.echo", "u1")]


@pytest.mark.parametrize("body, status", [(b"{not json", 400), (b"[1, 2]", 400), (b"\xff\xfe", 400), (b"", 400)])
def test_asgi_malformed_bodies_are_400(body, status):
    bridge = SpyBridge(ROUTER)
    app = BridgeApp(bridge, secret=SECRET)
    assert run(asgi_raw(app, "/centrifugo/rpc", GOOD, Receiver([body])))[0] == status and bridge.ran == []


def test_limits_from_the_environment():
    from rpcc.asgi import limits_from_env

    limits = limits_from_env({"RPCC_MAX_MESSAGE_SIZE": "10000", "RPCC_MAX_CONCURRENCY": "7",
                              "RPCC_HANDLER_TIMEOUT": "2.5"})
    assert limits == Limits(max_body=40000, max_concurrency=7, handler_timeout=2.5, max_reply=10000 - 512)
    with pytest.raises(ValueError, match="RPCC_MAX_BODY"):
        limits_from_env({"RPCC_MAX_BODY": "lots"})
    with pytest.raises(ValueError, match="max_concurrency"):
        limits_from_env({"RPCC_MAX_CONCURRENCY": "0"})


# -- the pub/sub reply publisher: one kept-alive connection, batches ----------------------------------------------

from rpcc.bridge import CentrifugoAPI, CentrifugoAPIError  # noqa: E402


class FakeCentrifugoAPI:
    """A loopback HTTP/1.1 server answering /api/batch like Centrifugo; counts connections and requests."""

    def __init__(self, *, close_after=None, fail_channel=None):
        self.connections = 0
        self.requests: list[list] = []
        self.close_after = close_after  # close each connection after this many requests
        self.fail_channel = fail_channel

    async def start(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/api"

    async def handle(self, reader, writer):
        self.connections += 1
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                assert b"X-API-Key: key" in head and head.startswith(b"POST /api/batch ")
                commands = json.loads(await reader.readexactly(length))["commands"]
                self.requests.append(commands)
                replies = [{"error": {"code": 102, "message": "unknown channel"}}
                           if c["publish"]["channel"] == self.fail_channel else {"publish": {}} for c in commands]
                body = json.dumps({"replies": replies}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))
                await writer.drain()
                served += 1
                if self.close_after and served >= self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


def test_publisher_batches_replies_over_one_kept_alive_connection():
    async def go():
        fake = FakeCentrifugoAPI(fail_channel="user#nobody")
        api = CentrifugoAPI(await fake.start(), "key")
        results = await asyncio.gather(*[api.publish(f"user#{i}", {"n": i}) for i in range(300)])
        with pytest.raises(CentrifugoAPIError, match="102"):
            await api.publish("user#nobody", {})
        more = [await api.publish("user#x", {"n": i}) for i in range(5)]
        await api.aclose()
        return fake, results, more

    fake, results, more = run(go())
    sent = [c["publish"] for batch in fake.requests for c in batch]
    assert sent[:300] == [{"channel": f"user#{i}", "data": {"n": i}} for i in range(300)]
    assert len(results) == 300 and more == [{}] * 5
    assert fake.connections == 1  # kept alive throughout
    assert len(fake.requests) < 300 and max(len(b) for b in fake.requests) <= 256  # batched, bounded


def test_publisher_reconnects_when_centrifugo_closed_the_connection():
    async def go():
        fake = FakeCentrifugoAPI(close_after=1)
        api = CentrifugoAPI(await fake.start(), "key")
        for i in range(4):
            await api.publish("user#a", {"n": i})
            await asyncio.sleep(0.01)  # let the server close its side
        await api.aclose()
        return fake

    fake = run(go())
    assert len(fake.requests) == 4 and fake.connections == 4


def test_publisher_fails_every_waiting_reply_when_centrifugo_is_down():
    from tests.fixture import free_port

    async def go():
        api = CentrifugoAPI(f"http://127.0.0.1:{free_port()}/api", "key", timeout=5)
        return await asyncio.gather(*[api.publish("user#a", {}) for _ in range(3)], return_exceptions=True)

    errors = run(go())
    assert all(isinstance(e, CentrifugoAPIError) for e in errors)


# -- serve --workers ------------------------------------------------------------------------------------------------

def test_workers_listening_socket_is_tcp_so_answers_are_not_delayed(monkeypatch):
    """uvicorn's own worker socket has proto 0, so asyncio set no TCP_NODELAY on its connections and every answer
    on a kept-alive connection waited ~40 ms for a delayed ACK (22 calls/s at 100 in flight with 2 workers)."""
    import socket
    import types

    import uvicorn

    from rpcc import cli

    captured = {}

    class FakeMultiprocess:
        def __init__(self, config, sockets, target=None):
            captured.update(config=config, sockets=sockets)

        def run(self):
            pass

    monkeypatch.setattr("uvicorn.supervisors.Multiprocess", FakeMultiprocess)
    cli._run_workers(types.SimpleNamespace(Config=uvicorn.Config, Server=uvicorn.Server), 3,
                     {"host": "127.0.0.1", "port": 0})
    (sock,) = captured["sockets"]
    try:
        assert (sock.family, sock.type, sock.proto) == (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        assert sock.get_inheritable() and captured["config"].workers == 3 and captured["config"].factory
    finally:
        sock.close()

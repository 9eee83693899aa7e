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

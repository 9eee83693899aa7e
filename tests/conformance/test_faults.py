"""Fault behaviour of the generated Python SDK, live against Centrifugo + the bridge, over both transports.

Run under tests/conformance/faultstack.py (make check-conformance-python): it sets the fixture's variables and
RPCC_CONTROL_URL (restart Centrifugo). With RPCC_TWO_NODES=1 only the `cluster` tests run (make check-conformance-two-nodes).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from tests.fixture.stack import mint_token

TRANSPORTS = ["rpc", "pubsub"]
ENV = os.environ


@pytest.fixture(scope="session")
def sdk() -> ModuleType:
    out = REPO / "build" / "conformance" / "faults-py"
    shutil.rmtree(out, ignore_errors=True)
    rpcc = os.environ.get("RPCC") or str(REPO / "build" / "rpcc")
    subprocess.run([rpcc, str(REPO / "tests" / "conformance" / "faults.rpc"), "-o", str(out / "gen"), "--lang",
                    "python"], check=True, timeout=60)
    shutil.copytree(out / "gen" / "python", out / "site" / "faults_client")
    sys.path.insert(0, str(out / "site"))
    return importlib.import_module("faults_client")


def new_user(label: str) -> str:
    return f"py-{label}-{uuid.uuid4().hex[:12]}"


def token(user: str, ttl: int = 3600) -> str:
    return mint_token(ENV["CENTRIFUGO_TOKEN_SECRET"], user, ttl=ttl)


def client(sdk: ModuleType, transport: str, user: str, **options: Any) -> Any:
    options.setdefault("timeout", 15)
    return sdk.APIClient(ENV["CENTRIFUGO_URL"], token(user), user, transport=transport, **options)


def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=90) as resp:
        return json.loads(resp.read() or b"{}")


def server_publish(channel: str, data: Any) -> None:
    answer = post(f"{ENV['CENTRIFUGO_API_URL']}/publish", {"channel": channel, "data": data},
                  {"X-API-Key": ENV["CENTRIFUGO_API_KEY"]})
    assert "error" not in answer, answer


def control(path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """faultstack.py's control endpoint: /restart (with {"config": overrides}), /proxy, /proxy/freeze."""
    answer = post(f"{ENV['RPCC_CONTROL_URL']}{path}", body or {})
    assert "error" not in answer, answer
    return answer


def server_api(method: str, body: dict[str, Any]) -> None:
    answer = post(f"{ENV['CENTRIFUGO_API_URL']}/{method}", body, {"X-API-Key": ENV["CENTRIFUGO_API_KEY"]})
    assert "error" not in answer, answer


def block_started(key: str) -> bool:
    """Asks the bridge directly (as Centrifugo's RPC proxy would) whether fault.block(key) has started."""
    answer = post(f"{ENV['RPCC_BRIDGE_URL']}/centrifugo/rpc",
                  {"client": "test", "transport": "websocket", "protocol": "json", "encoding": "json",
                   "user": "test", "method": "fault.started", "data": {"key": key}},
                  {"X-Rpcc-Proxy-Secret": ENV["RPCC_PROXY_SECRET"]})
    return bool(answer["result"]["data"]["started"])


async def wait_for(condition: Callable[[], Awaitable[bool] | bool], what: str, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        result = condition()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


two_nodes_only = pytest.mark.skipif(ENV.get("RPCC_TWO_NODES") == "1", reason="single-node test")


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_cluster_echo_and_concurrency(sdk: ModuleType, transport: str) -> None:
    """1,000 concurrent calls from one client each get their own result (two nodes: replies cross Redis)."""
    user = new_user("many")
    async with client(sdk, transport, user, timeout=60) as api:
        results = await asyncio.gather(*(api.debug_echo(sdk.EchoParams(value=n)) for n in range(1000)))
        assert [r.value for r in results] == list(range(1000))
        assert all(r.user_id == user and r.transport == transport for r in results)
        assert api._router.pending == {}


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_timeout_is_typed_and_late_reply_ignored(sdk: ModuleType, transport: str) -> None:
    async with client(sdk, transport, new_user("timeout")) as api:
        with pytest.raises(sdk.RPCTimeoutError) as info:
            await api.debug_sleep(sdk.SleepParams(seconds=1.0), timeout=0.3)
        assert info.value.code == 1 and isinstance(info.value, sdk.RPCError)
        assert api._router.pending == {}
        # This one ends after the first one's late reply came (and was dropped): it gets its own result.
        slept = await api.debug_sleep(sdk.SleepParams(seconds=1.2), timeout=30)
        assert slept.slept == 1.2
        assert api._router.pending == {}


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_per_call_timeout_is_honoured_both_ways(sdk: ModuleType, transport: str) -> None:
    """A per-call timeout counts for that call whether it is longer or shorter than the client's (issue 15)."""
    async with client(sdk, transport, new_user("percall"), timeout=2) as api:
        slept = await api.debug_sleep(sdk.SleepParams(seconds=3.0), timeout=30)  # longer than the client's 2 s
        assert slept.slept == 3.0
        with pytest.raises(sdk.RPCTimeoutError):
            await api.debug_sleep(sdk.SleepParams(seconds=1.0), timeout=0.3)
        assert api._router.pending == {}


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_centrifugo_restart(sdk: ModuleType, transport: str) -> None:
    async with client(sdk, transport, new_user("restart"), timeout=30) as api:
        key = uuid.uuid4().hex
        call = asyncio.ensure_future(api.fault_block(sdk.BlockParams(key=key, seconds=20)))
        await wait_for(lambda: asyncio.to_thread(block_started, key), "fault.block to start")
        assert await asyncio.to_thread(post, f"{ENV['RPCC_CONTROL_URL']}/restart", {}) == {"restarted": True}
        with pytest.raises(sdk.RPCConnectionError):
            await call
        assert api._router.pending == {}
        # No user action: the client reconnects (with backoff) and, for pubsub, subscribes again.
        echo = await api.debug_echo(sdk.EchoParams(value="after restart"))
        assert echo.value == "after restart"


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_token_refresh_through_the_getter(sdk: ModuleType, transport: str) -> None:
    user = new_user("refresh")
    issued: list[int] = []

    async def get_token() -> str:
        issued.append(1)
        return token(user, ttl=3)  # Centrifugo asks for a new one after 3 s

    api = sdk.APIClient(ENV["CENTRIFUGO_URL"], "", user, transport=transport, get_token=get_token, timeout=15)
    async with api:
        first = await api.debug_echo(sdk.EchoParams(value=0))

        async def refreshed() -> bool:
            return len(issued) >= 3 and (await api.debug_echo(sdk.EchoParams(value=1))).value == 1

        await wait_for(refreshed, "two token refreshes")
        last = await api.debug_echo(sdk.EchoParams(value=2))
        assert last.value == 2 and last.client_id == first.client_id  # refreshed, not reconnected


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_cancellation_releases_the_call(sdk: ModuleType, transport: str) -> None:
    async with client(sdk, transport, new_user("cancel")) as api:
        key = uuid.uuid4().hex
        call = asyncio.ensure_future(api.fault_block(sdk.BlockParams(key=key, seconds=1)))
        await wait_for(lambda: asyncio.to_thread(block_started, key), "fault.block to start")
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert api._router.pending == {}
        assert (await api.debug_echo(sdk.EchoParams(value="next"))).value == "next"
        # the cancelled call's reply comes later and is dropped; centrifuge-python frees its command slot then
        await wait_for(lambda: not api._client._inflight_commands, "the SDK to free the cancelled command")


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_result_of_the_wrong_shape_is_a_typed_error(sdk: ModuleType, transport: str) -> None:
    async with client(sdk, transport, new_user("shape")) as api:
        with pytest.raises(sdk.RPCReplyError) as info:
            await api.fault_wrong_shape()
        assert isinstance(info.value, sdk.RPCError) and info.value.code == 13 and "count" in info.value.message
        assert (await api.debug_echo(sdk.EchoParams(value=1))).value == 1


@two_nodes_only
async def test_junk_on_the_reply_channel_is_ignored(sdk: ModuleType) -> None:
    user = new_user("junk")
    junk: list[Any] = ["text", 42, None, [1, 2], {}, {"correlation_id": 7, "result": {}},
                       {"correlation_id": "0" * 32, "result": {"slept": 1}},
                       {"correlation_id": "not-ours", "error": {"code": 1400, "message": "x"}},
                       {"correlation_id": "x", "error": "not an object"}]
    async with client(sdk, "pubsub", user) as api:
        call = asyncio.ensure_future(api.debug_sleep(sdk.SleepParams(seconds=0.5)))
        await wait_for(lambda: bool(api._router.pending), "the call to be registered")
        for item in junk:
            await asyncio.to_thread(server_publish, f"user#{user}", item)
        assert (await call).slept == 0.5
        assert (await api.debug_echo(sdk.EchoParams(value="still fine"))).value == "still fine"


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_replies_for_another_client_of_the_same_user(sdk: ModuleType, transport: str) -> None:
    """Two clients of one user share user#<id>: each takes only its own replies; another user's channel is refused."""
    user = new_user("twins")
    async with client(sdk, transport, user) as a, client(sdk, transport, user) as b:
        results = await asyncio.gather(*(c.debug_echo(sdk.EchoParams(value=[name, n]))
                                         for n in range(100) for name, c in (("a", a), ("b", b))))
        assert [r.value for r in results] == [[name, n] for n in range(100) for name in ("a", "b")]
        assert len({r.client_id for r in results[0::2]}) == 1 and results[0].client_id != results[1].client_id
    if transport == "pubsub":  # subscribing to someone else's reply channel is refused by Centrifugo
        other = sdk.APIClient(ENV["CENTRIFUGO_URL"], token(user), "somebody-else", transport="pubsub", timeout=10)
        with pytest.raises(sdk.RPCConnectionError):
            await other.connect()


# --- message size, server disconnects, half-open connections, slow handlers, memory -----------------------------

LIMIT = 65536  # Centrifugo's default websocket.message_size_limit, which the project's config keeps
SOAK_CALLS = int(ENV.get("RPCC_SOAK_CALLS", "2000"))  # sequential calls per transport; `make soak`: 100,000
SOAK_RSS_BOUND_KIB = 32 * 1024  # RSS growth allowed over the measured calls (after a warm-up fifth)


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


async def start_block(api: Any, sdk: ModuleType, seconds: float) -> asyncio.Future[Any]:
    """A fault.block call, once the bridge runs it."""
    key = uuid.uuid4().hex
    call = asyncio.ensure_future(api.fault_block(sdk.BlockParams(key=key, seconds=seconds)))
    await wait_for(lambda: asyncio.to_thread(block_started, key), "fault.block to start")
    return call


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_oversize_request_is_refused_before_sending(sdk: ModuleType, transport: str) -> None:
    """Over Centrifugo's limit: a typed error, nothing sent, the call in flight and the connection unharmed; a
    request counted at exactly the limit goes through."""
    too_large = sdk.RPCRequestTooLargeError  # the package exports it
    async with client(sdk, transport, new_user("oversize")) as api:
        before = await api.debug_echo(sdk.EchoParams(value=0))
        blocked = await start_block(api, sdk, 1)
        with pytest.raises(too_large) as info:
            await api.fault_size(sdk.SizeParams(blob="x" * 70_000))
        assert isinstance(info.value, sdk.RPCError) and info.value.code == 15 and info.value.limit == LIMIT
        assert (await blocked).key  # the call in flight got its answer
        fits = 70_000 - (info.value.size - LIMIT)  # one byte a character
        assert (await api.fault_size(sdk.SizeParams(blob="x" * fits))).length == fits
        with pytest.raises(too_large):
            await api.fault_size(sdk.SizeParams(blob="x" * (fits + 1)))
        after = await api.debug_echo(sdk.EchoParams(value=1))
        assert after.client_id == before.client_id  # the same connection throughout
        assert api._router.pending == {}


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_oversize_message_closes_the_connection_and_the_client_comes_back(sdk: ModuleType,
                                                                                transport: str) -> None:
    """With the client's limit set above the server's, Centrifugo closes the connection (1009): every call on it
    fails as a disconnect, and the client reconnects by itself."""
    async with client(sdk, transport, new_user("toobig"), timeout=30, max_message_size=1 << 20) as api:
        before = await api.debug_echo(sdk.EchoParams(value=0))
        blocked = await start_block(api, sdk, 20)
        with pytest.raises(sdk.RPCConnectionError):
            await api.fault_size(sdk.SizeParams(blob="x" * 70_000))
        with pytest.raises(sdk.RPCConnectionError):
            await blocked
        after = await api.debug_echo(sdk.EchoParams(value=1))
        assert after.value == 1 and after.client_id != before.client_id


@two_nodes_only
@pytest.mark.parametrize("code", [3499, 4000, 3500, 4500])
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_server_disconnect_codes(sdk: ModuleType, transport: str, code: int) -> None:
    """Centrifugo's server API disconnects the user with a close code: 3000..3499 and 4000..4499 mean come back,
    3500..3999 and 4500..4999 stay away (calls fail at once until connect() is called again)."""
    user = new_user(f"close{code}")
    async with client(sdk, transport, user, timeout=30) as api:
        before = await api.debug_echo(sdk.EchoParams(value=0))
        blocked = await start_block(api, sdk, 20)
        await asyncio.to_thread(server_api, "disconnect", {"user": user, "disconnect": {"code": code, "reason": "t"}})
        with pytest.raises(sdk.RPCConnectionError):
            await blocked
        if code % 1000 >= 500:
            # RPCTimeoutError (not an RPCConnectionError) would mean the call waited for a connection in vain
            with pytest.raises(sdk.RPCConnectionError):
                await api.debug_echo(sdk.EchoParams(value=1))
            await api.connect()
        after = await api.debug_echo(sdk.EchoParams(value=2))
        assert after.value == 2 and after.client_id != before.client_id


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_half_open_connection_is_replaced(sdk: ModuleType, transport: str) -> None:
    """A connection that goes silent without closing (a proxy stops forwarding): the client notices the missing
    pings within ping interval + max_server_ping_delay, fails the call in flight and connects again."""
    await asyncio.to_thread(control, "/restart", {"config": {"client": {"ping_interval": "2s", "pong_timeout": "1s"}}})
    try:
        proxy = await asyncio.to_thread(control, "/proxy")
        user = new_user("halfopen")
        async with sdk.APIClient(proxy["url"], token(user), user, transport=transport, timeout=60,
                                 max_server_ping_delay=2) as api:
            before = await api.debug_echo(sdk.EchoParams(value=0))
            assert (await asyncio.to_thread(control, "/proxy/freeze", {"id": proxy["id"]}))["frozen"] == 1
            started = time.monotonic()
            with pytest.raises(sdk.RPCConnectionError):
                await api.debug_echo(sdk.EchoParams(value=1))
            noticed = time.monotonic() - started
            after = await api.debug_echo(sdk.EchoParams(value=2))
            print(f"half-open {transport}: noticed after {noticed:.1f} s, "
                  f"working again after {time.monotonic() - started:.1f} s")
            assert after.client_id != before.client_id
    finally:
        await asyncio.to_thread(control, "/restart", {})


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_handler_slower_than_the_proxy_timeout(sdk: ModuleType, transport: str) -> None:
    """rpc: Centrifugo gives up on the RPC proxy and answers error 100 (temporary). pubsub: the publish proxy is
    answered at once and the reply published later, so only the client's timeout applies. The connection stays."""
    await asyncio.to_thread(control, "/restart", {"config": {"rpc": {"proxy": {"timeout": "1s"}},
                                                             "channel": {"proxy": {"publish": {"timeout": "1s"}}}}})
    try:
        async with client(sdk, transport, new_user("slow"), timeout=30) as api:
            before = await api.debug_echo(sdk.EchoParams(value=0))
            if transport == "rpc":
                with pytest.raises(sdk.RPCError) as info:
                    await api.debug_sleep(sdk.SleepParams(seconds=2.5))
                assert type(info.value) is sdk.RPCError and info.value.code == 100 and info.value.temporary
            else:
                assert (await api.debug_sleep(sdk.SleepParams(seconds=2.5))).slept == 2.5
            after = await api.debug_echo(sdk.EchoParams(value=1))
            assert after.client_id == before.client_id
    finally:
        await asyncio.to_thread(control, "/restart", {})


@two_nodes_only
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_sequential_calls_keep_memory_flat(sdk: ModuleType, transport: str) -> None:
    """RPCC_SOAK_CALLS sequential calls: RSS grows by less than a generous bound after a warm-up fifth."""
    async with client(sdk, transport, new_user("soak")) as api:
        warm_up = SOAK_CALLS // 5
        for n in range(warm_up):
            assert (await api.debug_echo(sdk.EchoParams(value=n))).value == n
        gc.collect()
        start = rss_kib()
        for n in range(warm_up, SOAK_CALLS):
            assert (await api.debug_echo(sdk.EchoParams(value=n))).value == n
        gc.collect()
        growth = rss_kib() - start
        print(f"soak {transport}: {SOAK_CALLS} calls, RSS {start} KiB after {warm_up}, "
              f"{growth:+d} KiB over the next {SOAK_CALLS - warm_up}")
        assert growth < SOAK_RSS_BOUND_KIB
        assert api._router.pending == {} and not api._client._inflight_commands

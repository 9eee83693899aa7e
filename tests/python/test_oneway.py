"""One-way methods (@oneway) on the Python side: the decorator, the exporter, and the bridge, which runs them and
answers nothing useful, logging and counting their failures (in process, no network)."""
from __future__ import annotations

import asyncio
import logging

import pytest
from pydantic import BaseModel

from rpcc import Bridge, Connection, MessageRouter, discover
from rpcc.bridge import Limits
from rpcc.exporter import export_handlers
from rpcc.router import RegistrationError

ROUTER = discover(["tasks_handlers", "debug_handlers"])


class FakeAPI:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict]] = []

    async def publish(self, channel, data):
        self.published.append((channel, data))


def rpc_body(method, data, user="u1"):
    return {"client": "c1", "transport": "websocket", "protocol": "json", "encoding": "json", "user": user,
            "method": method, "data": data}


def pub_body(data, user="u1"):
    return {"client": "c1", "transport": "websocket", "protocol": "json", "encoding": "json", "user": user,
            "channel": "rpc:requests", "data": data}


class Event(BaseModel):
    name: str


def test_a_handler_returning_none_is_oneway_and_exported_so():
    router = MessageRouter()

    @router.websocket_rpc("events.track")
    async def track(conn: Connection, params: Event) -> None:
        """Track an event."""

    @router.websocket_rpc("events.flush", oneway=True)
    async def flush(conn: Connection) -> None: ...

    assert router.get("events.track").oneway and router.get("events.track").result_model is None
    text = export_handlers(router.handlers(), check=False)
    assert "rpc events.flush() @oneway;" in text
    assert "/// Track an event.\nrpc events.track(Event) @oneway;" in text


def test_oneway_flag_must_agree_with_the_annotation():
    router = MessageRouter()
    with pytest.raises(RegistrationError, match="one-way method returns None"):
        @router.websocket_rpc("a.b", oneway=True)
        async def answers(conn: Connection) -> Event: ...
    with pytest.raises(RegistrationError, match="returns None"):
        @router.websocket_rpc("a.c", oneway=False)
        async def silent(conn: Connection) -> None: ...


def test_rpc_proxy_runs_a_oneway_call_and_answers_an_empty_result():
    async def go():
        bridge = Bridge(ROUTER)
        answer = await bridge.rpc_proxy(rpc_body("debug.notify", {"key": "rpc-unit"}))
        count = await bridge.rpc_proxy(rpc_body("debug.notified", {"key": "rpc-unit"}))
        return bridge, answer, count

    bridge, answer, count = asyncio.run(go())
    assert answer == {"result": {}}
    assert count == {"result": {"data": {"count": 1}}}
    assert bridge.stats["oneway"] == 1 and bridge.stats["oneway_failed"] == 0


@pytest.mark.parametrize("data", [{"key": "x", "reject": True}, {"key": ""}, {"nokey": 1}, None])
def test_a_failing_oneway_call_is_logged_and_counted_never_answered(data, caplog):
    bridge = Bridge(ROUTER)
    with caplog.at_level(logging.WARNING, logger="rpcc.bridge"):
        answer = asyncio.run(bridge.rpc_proxy(rpc_body("debug.notify", data)))
    assert answer == {"result": {}}
    assert bridge.stats == {**bridge.stats, "oneway": 0, "oneway_failed": 1}
    assert "one-way call debug.notify" in caplog.text and "not answered" in caplog.text


def test_publish_proxy_runs_a_oneway_request_without_correlation_id_and_publishes_nothing(caplog):
    async def go():
        api = FakeAPI()
        bridge = Bridge(ROUTER, api=api)
        ok = await bridge.handle_publish(pub_body({"method": "debug.notify", "params": {"key": "pub-unit"}}))
        bad = await bridge.handle_publish(pub_body({"method": "debug.notify", "params": {"key": "x", "reject": True}}))
        await bridge.drain(5)
        return api, bridge, ok, bad

    with caplog.at_level(logging.WARNING, logger="rpcc.bridge"):
        api, bridge, ok, bad = asyncio.run(go())
    assert ok == {"result": {}} and bad == {"result": {}}
    assert api.published == []
    assert bridge.stats["oneway"] == 1 and bridge.stats["oneway_failed"] == 1
    assert "refused on purpose" in caplog.text


def test_publish_proxy_oneway_needs_no_server_api():
    async def go():
        bridge = Bridge(ROUTER)  # no api: replies could not be published, one-way calls have none
        answer = await bridge.handle_publish(pub_body({"method": "debug.notify", "params": {"key": "no-api"}}))
        await bridge.drain(5)
        return bridge, answer

    bridge, answer = asyncio.run(go())
    assert answer == {"result": {}} and bridge.stats["oneway"] == 1


def test_a_oneway_flood_beyond_the_concurrency_bound_is_counted_not_answered():
    router = MessageRouter()
    gate = asyncio.Event

    async def go():
        release = gate()

        @router.websocket_rpc("slow.note")
        async def note(conn: Connection) -> None:
            await release.wait()

        bridge = Bridge(router, limits=Limits(max_concurrency=2))
        calls = [asyncio.ensure_future(bridge.rpc_proxy(rpc_body("slow.note", {}))) for _ in range(5)]
        for _ in range(20):
            await asyncio.sleep(0)
        release.set()
        answers = await asyncio.gather(*calls)
        return bridge, answers

    bridge, answers = asyncio.run(go())
    assert answers == [{"result": {}}] * 5
    assert bridge.stats["oneway"] == 2 and bridge.stats["oneway_failed"] == 3 and bridge.stats["busy"] == 3

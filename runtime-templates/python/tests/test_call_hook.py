"""CallHook around every call of the base client, against the fake centrifuge.Client of test_rpc_client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from test_rpc_client import FakeClient, answer_with, fake_centrifuge  # noqa: F401  (autouse fixture)

from rpc_client import (
    TRACE_FIELD,
    CallHook,
    CallInfo,
    CentrifugoRPCClient,
    RPCConnectionError,
    RPCError,
    RPCRequestTooLargeError,
    RPCTimeoutError,
)

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Recorder(CallHook):
    def __init__(self, trace: dict[str, str] | None = None) -> None:
        self.started: list[tuple[str, str]] = []
        self.finished: list[CallInfo] = []
        self.trace = trace

    def call_started(self, call: CallInfo) -> None:
        self.started.append((call.method, call.transport))
        call.state = "mine"
        if self.trace:
            call.trace_context.update(self.trace)

    def call_finished(self, call: CallInfo) -> None:
        assert call.state == "mine"
        self.finished.append(call)


async def test_without_a_hook_nothing_is_added_to_the_call() -> None:
    async with CentrifugoRPCClient("ws://x", "t") as client:
        assert client.hook is None
        await client.call("tasks.get", {"id": 1})
        assert FakeClient.instances[0].rpcs == [("tasks.get", {"id": 1})]


async def test_rpc_call_is_observed_with_sizes_and_carries_the_trace() -> None:
    async with CentrifugoRPCClient("ws://x", "t") as client:
        hook = Recorder({"traceparent": TRACEPARENT})
        client.hook = hook
        fake = FakeClient.instances[0]
        fake.rpc_answer = lambda method, data: {"total": 100}
        assert await client.call("tasks.get_stats", {"user_id": "7"}) == {"total": 100}
        assert fake.rpcs == [("tasks.get_stats", {"user_id": "7", TRACE_FIELD: {"traceparent": TRACEPARENT}})]
        assert hook.started == [("tasks.get_stats", "rpc")]
        (call,) = hook.finished
        assert call.error is None and call.error_kind == "" and call.duration > 0
        sent = {"id": 2**32 - 1, "rpc": {"method": "tasks.get_stats", "data": fake.rpcs[0][1]}}
        assert call.request_size == len(json.dumps(sent).encode())
        assert call.response_size == len(b'{"total":100}')


async def test_pubsub_call_carries_the_trace_in_the_envelope() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        hook = Recorder({"traceparent": TRACEPARENT, "tracestate": "k=v"})
        client.hook = hook
        fake = FakeClient.instances[0]
        fake.responder = answer_with(result={"ok": True})(fake)
        assert await client.call("m", {"a": 1}) == {"ok": True}
        ((_channel, request),) = fake.published
        assert request["trace"] == {"traceparent": TRACEPARENT, "tracestate": "k=v"}
        assert request["params"] == {"a": 1}  # the params are untouched over pub/sub
        assert hook.finished[0].transport == "pubsub" and hook.finished[0].response_size == len(b'{"ok":true}')


async def test_a_hook_that_sets_no_trace_adds_no_field() -> None:
    async with CentrifugoRPCClient("ws://x", "t") as client:
        client.hook = Recorder()
        await client.call("m", {"a": 1})
        assert FakeClient.instances[0].rpcs == [("m", {"a": 1})]


@pytest.mark.parametrize(("make_error", "kind", "error_type"), [
    (lambda: RPCError(1404, "not found"), "application", RPCError),
    (lambda: RPCError(103, "permission denied"), "server", RPCError),
    (lambda: asyncio.Event().wait(), "timeout", RPCTimeoutError),
])
async def test_failures_are_observed_with_their_kind(make_error: Any, kind: str, error_type: type) -> None:
    async with CentrifugoRPCClient("ws://x", "t", timeout=0.05) as client:
        hook = Recorder()
        client.hook = hook
        fake = FakeClient.instances[0]

        def answer(method: str, data: Any) -> Any:
            made = make_error()
            if isinstance(made, BaseException):
                raise made
            return made
        fake.rpc_answer = answer
        with pytest.raises(error_type):
            await client.call("m")
        (call,) = hook.finished
        assert call.error_kind == kind and isinstance(call.error, error_type) and call.response_size == 0


async def test_refusals_before_sending_are_observed() -> None:
    client = CentrifugoRPCClient("ws://x", "t", max_message_size=100)
    hook = Recorder()
    client.hook = hook
    with pytest.raises(RPCConnectionError):
        await client.call("m")  # not connected
    await client.connect()
    with pytest.raises(RPCRequestTooLargeError):
        await client.call("m", {"blob": "x" * 200})
    await client.close()
    assert [(c.error_kind, c.request_size > 100) for c in hook.finished] == [("disconnected", False),
                                                                            ("request_too_large", True)]


async def test_cancellation_is_observed() -> None:
    async with CentrifugoRPCClient("ws://x", "t") as client:
        hook = Recorder()
        client.hook = hook
        FakeClient.instances[0].rpc_answer = lambda method, data: asyncio.Event().wait()
        task = asyncio.ensure_future(client.call("m"))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert hook.finished[0].error_kind == "cancelled"

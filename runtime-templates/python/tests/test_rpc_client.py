"""CentrifugoRPCClient against a fake centrifuge.Client: transports, correlation, timeouts, errors, cleanup."""

from __future__ import annotations

import asyncio
import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import centrifuge
import pytest

import rpc_client
from rpc_client import (
    CentrifugoRPCClient,
    RPCConnectionError,
    RPCContractMismatchError,
    RPCContractOlderError,
    RPCError,
    RPCReplyError,
    RPCRequestTooLargeError,
    RPCTimeoutError,
)


@dataclass
class Pub:
    data: Any


@dataclass
class Ctx:
    pub: Any = None
    reason: str = ""
    code: int = 0


class FakeSubscription:
    def __init__(self, client: FakeClient, channel: str, events: Any) -> None:
        self.client, self.channel, self.events = client, channel, events
        self.subscribed = False
        self.unsubscribed = False
        self.options: dict[str, Any] = {}

    async def unsubscribe(self) -> None:
        self.unsubscribed = True

    async def subscribe(self) -> None:
        self.subscribed = True

    async def ready(self, timeout: float | None = None) -> None:
        if self.client.subscribe_error:
            raise self.client.subscribe_error

    async def push(self, data: Any) -> None:
        await self.events.on_publication(Ctx(pub=Pub(data)))


class FakeClient:
    """Records what the base client asks of centrifuge-python; `responder` answers publications."""

    instances: ClassVar[list[FakeClient]] = []

    def __init__(self, url: str, *, token: str, get_token: Any, events: Any, timeout: float, name: str,
                 max_server_ping_delay: float) -> None:
        self.url, self.token, self.get_token, self.events, self.timeout = url, token, get_token, events, timeout
        self.max_server_ping_delay = max_server_ping_delay
        self.state = centrifuge.ClientState.DISCONNECTED
        self.loop = asyncio.get_running_loop()  # the real client must be built inside a running loop
        self.published: list[tuple[str, Any]] = []
        self.rpcs: list[tuple[str, Any]] = []
        self.rpc_timeouts: list[float | None] = []
        self.subscription: FakeSubscription | None = None
        self.channel_subscriptions: dict[str, FakeSubscription] = {}
        self.connected = False
        self.disconnects = 0
        self.ready_error: BaseException | None = None
        self.subscribe_error: BaseException | None = None
        self.rpc_answer: Callable[[str, Any], Any] = lambda method, data: {"echo": data}
        self.responder: Callable[[dict[str, Any]], Any] | None = None
        FakeClient.instances.append(self)

    async def connect(self) -> None:
        self.connected = True
        self.state = centrifuge.ClientState.CONNECTED
        await self.events.on_connecting(Ctx(reason="connect called"))

    async def ready(self, timeout: float | None = None) -> None:
        if self.ready_error:
            raise self.ready_error

    async def disconnect(self) -> None:
        self.connected = False
        self.state = centrifuge.ClientState.DISCONNECTED
        self.disconnects += 1

    def new_subscription(self, channel: str, events: Any, **options: Any) -> FakeSubscription:
        self.subscription = FakeSubscription(self, channel, events)
        self.subscription.options = options
        self.channel_subscriptions[channel] = self.subscription
        return self.subscription

    def remove_subscription(self, sub: FakeSubscription) -> None:
        self.channel_subscriptions.pop(sub.channel, None)

    async def rpc(self, method: str, data: Any, timeout: float | None = None) -> Any:
        self.rpcs.append((method, data))
        self.rpc_timeouts.append(timeout)
        answer = self.rpc_answer(method, data)
        if asyncio.iscoroutine(answer):
            answer = await answer
        return Pub(answer)

    async def publish(self, channel: str, data: Any, timeout: float | None = None) -> None:
        self.published.append((channel, data))
        if self.responder:
            self.responder(data)

    # The internals batch() and send() use, as centrifuge-python 0.7 has them: one message per _send_commands.
    frames: list[list[dict[str, Any]]]
    futures: dict[int, asyncio.Future[Any]]
    next_id = 0

    def _next_command_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _register_future(self, cmd_id: int, timeout: float) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = self.loop.create_future()
        self.__dict__.setdefault("futures", {})[cmd_id] = future
        return future

    async def _send_commands(self, commands: list[dict[str, Any]]) -> None:
        self.__dict__.setdefault("frames", []).append(commands)
        for command in commands:
            future = self.__dict__.get("futures", {}).pop(command["id"], None)
            if future is None:
                continue  # no waiter: the SDK drops the reply
            if "rpc" in command:
                data = command["rpc"]["data"]
                if data.get("fail"):
                    future.set_result({"id": command["id"], "error": {"code": 1400, "message": "no"}})
                else:
                    future.set_result({"id": command["id"], "rpc": {"data": {"echo": data}}})
            else:
                future.set_result({"id": command["id"], "publish": {}})
                if self.responder:
                    self.responder(command["publish"]["data"])

    @staticmethod
    def _check_reply_error(reply: dict[str, Any]) -> None:
        if "error" in reply:
            raise centrifuge.ReplyError(reply["error"]["code"], reply["error"]["message"], False)

    @staticmethod
    def _decode_data(data: Any) -> Any:
        return data


@pytest.fixture(autouse=True)
def fake_centrifuge(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeClient.instances = []
    monkeypatch.setattr(rpc_client.centrifuge, "Client", FakeClient)


def reply_later(client: FakeClient, message: dict[str, Any], delay: float = 0.0) -> None:
    """Delivers a publication on the personal channel from the event loop, as the read loop would."""
    assert client.subscription is not None
    sub = client.subscription
    client.loop.call_later(delay, lambda: asyncio.ensure_future(sub.push(message)))


def answer_with(result: Any = None, error: Any = None) -> Callable[[FakeClient], Callable[[dict[str, Any]], Any]]:
    def make(client: FakeClient) -> Callable[[dict[str, Any]], Any]:
        def respond(request: dict[str, Any]) -> None:
            reply: dict[str, Any] = {"correlation_id": request["correlation_id"]}
            if error is not None:
                reply["error"] = error
            else:
                reply["result"] = result
            reply_later(client, reply)
        return respond
    return make


# --- construction -----------------------------------------------------------------------------------------------


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="user_id"):
        CentrifugoRPCClient("ws://x", "t", transport="pubsub")
    with pytest.raises(ValueError, match="transport"):
        CentrifugoRPCClient("ws://x", "t", "u", transport="grpc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        CentrifugoRPCClient("ws://x", "t", "u", timeout=0)


@pytest.mark.parametrize("error", [
    RPCError(1404, "task 9 not found", temporary=True),
    RPCTimeoutError("tasks.get: no answer within 2 s"),
    RPCConnectionError("connection lost"),
    RPCReplyError("tasks.get: bad result: total: not an int"),
    RPCRequestTooLargeError("tasks.create", 70000, 65536),
    RPCContractOlderError(426, "the client's contract sha256:0 is older than the server's sha256:1"),
], ids=lambda error: type(error).__name__)
def test_every_error_survives_pickling(error: RPCError) -> None:
    """multiprocessing and task queues pickle exceptions: each class comes back as itself, with its attributes."""
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and back.__dict__ == error.__dict__ and back.args == error.args
    assert str(back) == str(error) and repr(back) == repr(error)


def test_the_default_timeout_is_ten_seconds() -> None:
    assert CentrifugoRPCClient("ws://x", "t")._timeout == 10


async def test_a_per_call_timeout_is_honoured_both_ways() -> None:
    """Longer than the client's (the answer comes after the client's default has passed) and shorter."""
    async with CentrifugoRPCClient("ws://x", "t", timeout=0.01) as client:
        fake = FakeClient.instances[0]
        release = asyncio.Event()

        async def late() -> Any:
            await release.wait()
            return {"ok": True}
        fake.rpc_answer = lambda method, data: late()
        call = asyncio.ensure_future(client.call("slow", timeout=30))
        await asyncio.sleep(0.05)  # five times the client's timeout
        assert not call.done()
        release.set()
        assert await call == {"ok": True}
        assert fake.rpc_timeouts == [30]
    async with CentrifugoRPCClient("ws://x", "t", timeout=30) as client:
        fake = FakeClient.instances[-1]
        fake.rpc_answer = lambda method, data: asyncio.Event().wait()
        with pytest.raises(RPCTimeoutError, match="within 0.01 s"):
            await client.call("slow", timeout=0.01)
        assert fake.rpc_timeouts == [0.01]


def test_client_is_built_in_connect_not_in_init() -> None:
    CentrifugoRPCClient("ws://x", "t", "u")  # no running loop here: must not build centrifuge.Client
    assert FakeClient.instances == []


# --- rpc transport ----------------------------------------------------------------------------------------------


async def test_rpc_transport_sends_method_and_params() -> None:
    async with CentrifugoRPCClient("ws://x", "tok", "u", timeout=3) as client:
        fake = FakeClient.instances[0]
        assert (fake.url, fake.token, fake.timeout) == ("ws://x", "tok", 3)
        assert await client.call("a.b", {"x": 1}) == {"echo": {"x": 1}}
        assert await client.call("a.c") == {"echo": {}}
        assert fake.rpcs == [("a.b", {"x": 1}), ("a.c", {})]
        assert fake.subscription is None
    assert fake.disconnects == 1


async def test_rpc_reply_error_keeps_code_and_message() -> None:
    async with CentrifugoRPCClient("ws://x", "t") as client:
        def fail(method: str, data: Any) -> Any:
            raise centrifuge.ReplyError(1404, "task 9 not found", False)
        FakeClient.instances[0].rpc_answer = fail
        with pytest.raises(RPCError) as info:
            await client.call("tasks.update", {"id": 9})
    assert type(info.value) is RPCError
    assert (info.value.code, info.value.message, info.value.temporary) == (1404, "task 9 not found", False)
    assert str(info.value) == "RPC error 1404: task 9 not found"


async def test_rpc_timeout_and_disconnect_are_told_apart() -> None:
    async with CentrifugoRPCClient("ws://x", "t") as client:
        fake = FakeClient.instances[0]

        async def slow() -> Any:
            await asyncio.sleep(30)
        fake.rpc_answer = lambda method, data: slow()
        with pytest.raises(RPCTimeoutError) as timeout_info:
            await client.call("slow", timeout=0.05)
        assert timeout_info.value.code == rpc_client.TIMEOUT_CODE

        def sdk_timeout(method: str, data: Any) -> Any:
            raise centrifuge.OperationTimeoutError()
        fake.rpc_answer = sdk_timeout
        with pytest.raises(RPCTimeoutError):
            await client.call("x")

        def lost(method: str, data: Any) -> Any:
            raise centrifuge.ClientDisconnectedError("command 3 canceled due to disconnect")
        fake.rpc_answer = lost
        with pytest.raises(RPCConnectionError) as lost_info:
            await client.call("x")
        assert lost_info.value.code == rpc_client.DISCONNECTED_CODE
        assert not isinstance(lost_info.value, RPCTimeoutError)


async def test_unrelated_exceptions_are_not_disguised() -> None:
    async with CentrifugoRPCClient("ws://x", "t") as client:
        def boom(method: str, data: Any) -> Any:
            raise KeyError("bug")
        FakeClient.instances[0].rpc_answer = boom
        with pytest.raises(KeyError):
            await client.call("x")


async def test_call_without_connection() -> None:
    client = CentrifugoRPCClient("ws://x", "t")
    with pytest.raises(RPCConnectionError, match="not connected"):
        await client.call("x")
    await client.connect()
    await client.close()
    await client.close()  # twice is harmless
    with pytest.raises(RPCConnectionError):
        await client.call("x")


async def test_failed_connect_raises_and_cleans_up() -> None:
    client = CentrifugoRPCClient("ws://x", "bad-token")
    original = FakeClient.ready

    async def unauthorized(self: FakeClient, timeout: float | None = None) -> None:
        raise centrifuge.ClientDisconnectedError("client disconnected")
    FakeClient.ready = unauthorized  # type: ignore[method-assign]
    try:
        with pytest.raises(RPCConnectionError, match="cannot connect"):
            await client.connect()
    finally:
        FakeClient.ready = original  # type: ignore[method-assign]
    assert FakeClient.instances[0].disconnects == 1
    with pytest.raises(RPCConnectionError):
        await client.call("x")


# --- pubsub transport -------------------------------------------------------------------------------------------


async def test_pubsub_publishes_request_and_matches_reply() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[0]
        assert fake.subscription is not None and fake.subscription.channel == "user#42"
        fake.responder = answer_with(result={"total": 3})(fake)
        assert await client.call("tasks.get_stats", {"user_id": "42"}) == {"total": 3}
        channel, request = fake.published[0]
        assert channel == "rpc:requests"
        assert request["method"] == "tasks.get_stats" and request["params"] == {"user_id": "42"}
        assert request["reply_to"] == "user#42"
        assert set(request) == {"method", "params", "correlation_id", "reply_to"}
        assert rpc_client._ReplyRouter.__name__ and client._router.pending == {}


async def test_pubsub_custom_request_channel() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub", request_channel="rpc:other") as client:
        fake = FakeClient.instances[0]
        fake.responder = answer_with(result=1)(fake)
        assert await client.call("m") == 1
        assert fake.published[0][0] == "rpc:other"


async def test_pubsub_correlation_ids_are_random_and_unique() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[0]
        fake.responder = answer_with(result=None)(fake)
        for _ in range(50):
            await client.call("m")
        ids = [request["correlation_id"] for _, request in fake.published]
        assert len(set(ids)) == 50
        assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


async def test_pubsub_error_reply() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[0]
        fake.responder = answer_with(error={"code": 1409, "message": "already done"})(fake)
        with pytest.raises(RPCError) as info:
            await client.call("tasks.update")
        assert (info.value.code, info.value.message) == (1409, "already done")
        assert client._router.pending == {}


async def test_pubsub_concurrent_calls_get_their_own_replies() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[0]

        def respond(request: dict[str, Any]) -> None:
            # answer in reverse order of arrival: later requests are answered first
            delay = 0.05 - 0.005 * len(fake.published)
            reply = {"correlation_id": request["correlation_id"], "result": request["params"]["n"]}
            reply_later(fake, reply, max(delay, 0))
        fake.responder = respond
        results = await asyncio.gather(*(client.call("m", {"n": n}) for n in range(8)))
        assert results == list(range(8))


async def test_pubsub_ignores_foreign_and_malformed_publications() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[0]

        def respond(request: dict[str, Any]) -> None:
            for noise in ("text", None, {"no": "id"}, {"correlation_id": 5}, {"correlation_id": "other", "result": 1}):
                reply_later(fake, noise)  # type: ignore[arg-type]
            reply_later(fake, {"correlation_id": request["correlation_id"], "result": "mine"}, 0.01)
        fake.responder = respond
        assert await client.call("m") == "mine"


async def test_pubsub_timeout_cleans_up_and_late_reply_is_dropped() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[0]
        with pytest.raises(RPCTimeoutError, match="no answer within"):
            await client.call("m", timeout=0.05)
        assert client._router.pending == {}
        late = {"correlation_id": fake.published[0][1]["correlation_id"], "result": 1}
        assert fake.subscription is not None
        await fake.subscription.push(late)  # no pending call: ignored, no error
        fake.responder = answer_with(result=2)(fake)
        assert await client.call("m") == 2


async def test_pubsub_connection_loss_fails_waiting_calls() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[0]
        call = asyncio.ensure_future(client.call("m", timeout=5))
        await asyncio.sleep(0.01)
        await fake.events.on_connecting(Ctx(code=2, reason="transport closed"))
        with pytest.raises(RPCConnectionError, match="transport closed"):
            await call
        assert client._router.pending == {}


async def test_pubsub_unsubscribe_fails_waiting_calls() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[0]
        call = asyncio.ensure_future(client.call("m", timeout=5))
        await asyncio.sleep(0.01)
        assert fake.subscription is not None
        await fake.subscription.events.on_unsubscribed(Ctx(reason="permission denied"))
        with pytest.raises(RPCConnectionError, match="unsubscribed"):
            await call


async def test_close_fails_waiting_calls() -> None:
    client = CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub")
    await client.connect()
    call = asyncio.ensure_future(client.call("m", timeout=5))
    await asyncio.sleep(0.01)
    await client.close()
    with pytest.raises(RPCConnectionError, match="closed"):
        await call


async def test_disconnect_is_close() -> None:
    """The replaced generator's snippets end with ``await rpc.disconnect()``."""
    client = CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub")
    await client.connect()
    call = asyncio.ensure_future(client.call("m", timeout=5))
    await asyncio.sleep(0.01)
    await client.disconnect()
    with pytest.raises(RPCConnectionError, match="closed"):
        await call


async def test_publish_refused_by_server() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        original = FakeClient.publish

        async def refuse(self: FakeClient, channel: str, data: Any, timeout: float | None = None) -> None:
            raise centrifuge.ReplyError(103, "permission denied", False)
        FakeClient.publish = refuse  # type: ignore[method-assign]
        try:
            with pytest.raises(RPCError) as info:
                await client.call("m")
        finally:
            FakeClient.publish = original  # type: ignore[method-assign]
        assert info.value.code == 103 and client._router.pending == {}


async def test_pubsub_subscribe_failure_is_a_connect_failure() -> None:
    client = CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub")
    original = FakeSubscription.ready

    async def denied(self: FakeSubscription, timeout: float | None = None) -> None:
        raise centrifuge.ReplyError(103, "permission denied", False)
    FakeSubscription.ready = denied  # type: ignore[method-assign]
    try:
        with pytest.raises(RPCConnectionError, match="permission denied"):
            await client.connect()
    finally:
        FakeSubscription.ready = original  # type: ignore[method-assign]


async def test_cancelling_a_call_cleans_up() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        call = asyncio.ensure_future(client.call("m", timeout=5))
        await asyncio.sleep(0.01)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert client._router.pending == {}


# --- message size and server disconnects -----------------------------------------------------------------------


def expected_frame(command: dict[str, Any]) -> int:
    """The frame centrifuge-python would send for ``command``, with the widest uint32 id (computed here)."""
    return len(json.dumps({"id": 4294967295, **command}, ensure_ascii=True).encode())


def test_message_size_limit_defaults_to_centrifugos_and_is_checked() -> None:
    assert rpc_client.DEFAULT_MAX_MESSAGE_SIZE == 65536
    assert CentrifugoRPCClient("ws://x", "t")._max_message_size == 65536
    with pytest.raises(ValueError, match="max_message_size"):
        CentrifugoRPCClient("ws://x", "t", max_message_size=0)
    with pytest.raises(ValueError, match="max_server_ping_delay"):
        CentrifugoRPCClient("ws://x", "t", max_server_ping_delay=0)


async def test_max_server_ping_delay_reaches_the_sdk() -> None:
    async with CentrifugoRPCClient("ws://x", "t", max_server_ping_delay=2.5):
        assert FakeClient.instances[0].max_server_ping_delay == 2.5


@pytest.mark.parametrize("transport", ["rpc", "pubsub"])
async def test_oversize_request_is_refused_before_sending(transport: str) -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport=transport,  # type: ignore[arg-type]
                                   max_message_size=1000) as client:
        fake = FakeClient.instances[0]
        fake.responder = answer_with(result="small")(fake)
        other = asyncio.ensure_future(client.call("m", {"n": 1}))
        with pytest.raises(RPCRequestTooLargeError) as info:
            await client.call("big", {"text": "\u00e9" * 600})
        error = info.value
        assert isinstance(error, RPCError) and error.code == rpc_client.REQUEST_TOO_LARGE_CODE == 15
        assert error.limit == 1000 and error.size > 1000 and "1000 bytes" in error.message
        assert await other in ({"echo": {"n": 1}}, "small")
        sent = [method for method, _ in fake.rpcs] + [request["method"] for _, request in fake.published]
        assert sent == ["m"] and client._router.pending == {}
        assert len(FakeClient.instances) == 1 and fake.disconnects == 0


async def test_the_size_is_the_whole_frame_and_exactly_the_limit_passes() -> None:
    params = {"text": "\u00e9\u20ac\U0001d11ex" * 40, "list": [1, "\u2028", None]}
    rpc_size = expected_frame({"rpc": {"method": "echo", "data": params}})
    async with CentrifugoRPCClient("ws://x", "t", max_message_size=rpc_size) as client:
        assert await client.call("echo", params) == {"echo": params}
    async with CentrifugoRPCClient("ws://x", "t", max_message_size=rpc_size - 1) as client:
        with pytest.raises(RPCRequestTooLargeError) as info:
            await client.call("echo", params)
        assert info.value.size == rpc_size
    request = {"method": "echo", "params": params, "correlation_id": "0" * 32, "reply_to": "user#42"}
    pubsub_size = expected_frame({"publish": {"channel": "rpc:requests", "data": request}})
    for limit, fits in ((pubsub_size, True), (pubsub_size - 1, False)):
        async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub", max_message_size=limit) as client:
            fake = FakeClient.instances[-1]
            fake.responder = answer_with(result=1)(fake)
            if fits:
                assert await client.call("echo", params) == 1
            else:
                with pytest.raises(RPCRequestTooLargeError):
                    await client.call("echo", params)


async def test_connect_again_after_the_server_closed_for_good() -> None:
    client = CentrifugoRPCClient("ws://x", "t")
    await client.connect()
    first = FakeClient.instances[0]
    await client.connect()  # connected: nothing to do
    assert len(FakeClient.instances) == 1
    first.state = centrifuge.ClientState.DISCONNECTED  # as after close code 4500
    await client.connect()
    assert len(FakeClient.instances) == 2 and first.disconnects == 1
    assert await client.call("x") == {"echo": {}}
    await client.close()


# --- batches and one-way calls ----------------------------------------------------------------------------------


async def test_batch_sends_every_call_in_one_message_and_fails_only_the_failing_entry() -> None:
    async with CentrifugoRPCClient("ws://x", "t") as rpc:
        first, failed, third = await rpc.batch(rpc.call("a", {"n": 1}), rpc.call("b", {"fail": True}),
                                               rpc.call("c", {"n": 3}))
        fake = FakeClient.instances[0]
        assert [[c["rpc"]["method"] for c in frame] for frame in fake.frames] == [["a", "b", "c"]]
        assert first == {"echo": {"n": 1}} and third == {"echo": {"n": 3}}
        assert isinstance(failed, RPCError) and failed.code == 1400
        assert fake.rpcs == []  # nothing went through the one-call path


async def test_batch_over_the_limits_sends_nothing() -> None:
    async with CentrifugoRPCClient("ws://x", "t", max_message_size=300) as rpc:
        with pytest.raises(RPCRequestTooLargeError, match="max_batch=2"):
            await rpc.batch(rpc.call("a"), rpc.call("b"), rpc.call("c"), max_batch=2)
        with pytest.raises(RPCRequestTooLargeError, match="message size limit of 300"):
            await rpc.batch(*(rpc.call("a", {"x": "y" * 40}) for _ in range(5)))
        assert FakeClient.instances[0].__dict__.get("frames") is None


async def test_batch_over_pubsub_publishes_in_one_message_and_matches_replies() -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as rpc:
        fake = FakeClient.instances[0]
        fake.responder = lambda request: reply_later(fake, {"correlation_id": request["correlation_id"],
                                                            "result": request["params"]})
        got = await rpc.batch(rpc.call("a", {"n": 1}), rpc.call("b", {"n": 2}))
        assert got == ({"n": 1}, {"n": 2})
        assert len(fake.frames) == 1 and [c["publish"]["data"]["method"] for c in fake.frames[0]] == ["a", "b"]


@pytest.mark.parametrize("transport", ["rpc", "pubsub"])
async def test_send_writes_one_command_and_waits_for_nothing(transport: str) -> None:
    async with CentrifugoRPCClient("ws://x", "t", "42", transport=transport) as rpc:  # type: ignore[arg-type]
        assert await rpc.send("events.track", {"n": 1}) is None
        fake = FakeClient.instances[0]
        assert len(fake.frames) == 1 and len(fake.frames[0]) == 1
        command = fake.frames[0][0]
        if transport == "rpc":
            assert command["rpc"] == {"method": "events.track", "data": {"n": 1}}
        else:
            assert command["publish"]["data"] == {"method": "events.track", "params": {"n": 1}}
        assert not fake.__dict__.get("futures")  # no waiter registered: the reply is dropped


# --- the contract hash -------------------------------------------------------------------------------------------


class _Typed(CentrifugoRPCClient):
    contract_hash = "sha256:01"


async def test_the_contract_hash_travels_with_every_call_over_both_transports() -> None:
    async with CentrifugoRPCClient("ws://x", "t") as plain:
        assert await plain.call("a.b", {"x": 1}) == {"echo": {"x": 1}}  # none set: none sent
    async with _Typed("ws://x", "t") as client:
        params = {"x": 1}
        assert await client.call("a.b", params) == {"echo": {"x": 1, "$contract": "sha256:01"}}
        assert await client.call("a.c") == {"echo": {"$contract": "sha256:01"}}
        assert params == {"x": 1}  # the caller's params are not changed
    async with _Typed("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[-1]
        fake.responder = answer_with(result={})(fake)
        await client.call("a.b", {"x": 1})
        request = fake.published[0][1]
        assert request["params"] == {"x": 1} and request["contract"] == "sha256:01"


@pytest.mark.parametrize(("code", "kind"), [(426, RPCContractOlderError), (412, RPCContractMismatchError),
                                            (400, RPCError)])
async def test_contract_refusals_have_their_classes(code: int, kind: type[RPCError]) -> None:
    async with CentrifugoRPCClient("ws://x", "t") as client:
        def refuse(method: str, data: Any) -> Any:
            raise centrifuge.ReplyError(code, "refused", False)
        FakeClient.instances[0].rpc_answer = refuse
        with pytest.raises(RPCError) as info:
            await client.call("m")
    assert type(info.value) is kind and info.value.code == code
    async with CentrifugoRPCClient("ws://x", "t", "42", transport="pubsub") as client:
        fake = FakeClient.instances[-1]
        fake.responder = answer_with(error={"code": code, "message": "refused"})(fake)
        with pytest.raises(RPCError) as info:
            await client.call("m")
    assert type(info.value) is kind

"""Base client of the generated SDK: JSON calls to Centrifugo RPC handlers over one WebSocket connection.

Two transports carry the same calls:

* ``"rpc"`` (default): Centrifugo's client ``rpc`` command, forwarded by Centrifugo to the backend's RPC proxy.
* ``"pubsub"``: the client subscribes to its personal channel ``user#<user_id>``, publishes
  ``{"method", "params", "correlation_id", "reply_to"}`` to the request channel and waits for the reply with the
  same ``correlation_id`` on its personal channel.

Every failure of a call is an :class:`RPCError` carrying ``code`` and ``message``. Errors answered by the server
(application codes 400..1999, Centrifugo's own codes below 400) are plain :class:`RPCError`; a call that got no
answer in time is an :class:`RPCTimeoutError`, a call that could not be made or lost its connection an
:class:`RPCConnectionError`, a request larger than the server accepts an :class:`RPCRequestTooLargeError`, a call
the server refused because the client was generated from another version of its contract an
:class:`RPCContractMismatchError` (:class:`RPCContractOlderError` when the server knows that version as an older one).

The connection comes back by itself after a network failure or a server disconnect that allows it (close codes
3000..3499 and 4000..4499, a message the server found too big); after one that does not (3500..3999 and
4500..4999, a refused token) calls fail at once with RPCConnectionError until :meth:`CentrifugoRPCClient.connect`
is called again.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

import centrifuge  # type: ignore[import-untyped, unused-ignore]
from pydantic import BaseModel, TypeAdapter, ValidationError

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

__all__ = [
    "DEFAULT_MAX_BATCH",
    "DEFAULT_MAX_MESSAGE_SIZE",
    "DEFAULT_REQUEST_CHANNEL",
    "TRACE_FIELD",
    "CallHook",
    "CallInfo",
    "CentrifugoRPCClient",
    "ChannelParamError",
    "ChannelSubscription",
    "PublicationDecodeError",
    "RPCConnectionError",
    "RPCContractMismatchError",
    "RPCContractOlderError",
    "RPCError",
    "RPCReplyError",
    "RPCRequestTooLargeError",
    "RPCTimeoutError",
    "RecoveryFailedError",
    "StreamPosition",
    "SubscriptionRefusedError",
    "SubscriptionState",
    "Transport",
    "error_kind",
]

Transport = Literal["rpc", "pubsub"]
"""How calls travel: Centrifugo's ``rpc`` command, or publications correlated by id."""

DEFAULT_REQUEST_CHANNEL = "rpc:requests"
"""The channel the ``pubsub`` transport publishes requests to."""

TIMEOUT_CODE = 1
"""``RPCError.code`` of a call that got no answer in time (a client-side code, as centrifuge-js uses)."""

DISCONNECTED_CODE = 3
"""``RPCError.code`` of a call made without a connection, or whose connection was lost (client-side)."""

BAD_REPLY_CODE = 13
"""``RPCError.code`` of a call whose result does not fit the result type (client-side)."""

REQUEST_TOO_LARGE_CODE = 15
"""``RPCError.code`` of a call refused because its request exceeds the message size limit (client-side)."""

CONTRACT_MISMATCH_CODE = 412
"""``RPCError.code`` the rpcc bridge refuses a call with when the client's contract hash differs from its own."""

CONTRACT_OLDER_CODE = 426
"""``RPCError.code`` the rpcc bridge refuses a call with when the client's contract is older than its own."""

CONTRACT_FIELD = "$contract"
"""The member of an ``rpc`` call's params that carries the client's contract hash (the bridge takes it out)."""

DEFAULT_MAX_MESSAGE_SIZE = 65536
"""Centrifugo's default ``websocket.message_size_limit``: the largest WebSocket message it reads from a client."""

DEFAULT_MAX_BATCH = 100
"""The most calls :meth:`CentrifugoRPCClient.batch` sends in one message unless told otherwise."""

_MAX_COMMAND_ID = 2**32 - 1
"""Command ids are uint32: the widest id a command can carry, so that a counted size never falls short."""

_Model = TypeVar("_Model", bound=BaseModel)
_T1 = TypeVar("_T1")
_T2 = TypeVar("_T2")
_T3 = TypeVar("_T3")
_T4 = TypeVar("_T4")


class RPCError(Exception):
    """A call failed: the server answered an error, or (subclasses) the call timed out or lost its connection.

    ``code`` is the error code: 400..1999 for application errors raised by a handler, below 400 for Centrifugo's
    own errors (for example 103 permission denied, 108 not available) and for the client-side errors of the
    subclasses. ``temporary`` is true when Centrifugo marked the error as worth a retry.
    """

    def __init__(self, code: int, message: str, *, temporary: bool = False) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.temporary = temporary

    def __str__(self) -> str:
        return f"RPC error {self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickling (multiprocessing, task queues) rebuilds an exception as cls(*args); the subclasses take other
        # arguments than (code, message), so every RPCError is rebuilt from its attributes instead.
        return _restore_error, (type(self), self.args, self.__dict__.copy())


def _restore_error(cls: type[RPCError], args: tuple[Any, ...], state: dict[str, Any]) -> RPCError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class RPCTimeoutError(RPCError):
    """A call got no answer within its timeout (the server may still have run it)."""

    def __init__(self, message: str = "timed out waiting for the answer") -> None:
        super().__init__(TIMEOUT_CODE, message, temporary=True)


class RPCConnectionError(RPCError):
    """A call could not be sent, or its connection was lost before the answer came (the server may have run it)."""

    def __init__(self, message: str = "not connected") -> None:
        super().__init__(DISCONNECTED_CODE, message, temporary=True)


class RPCRequestTooLargeError(RPCError):
    """A call refused before sending: its request is larger than the server reads (``max_message_size``).

    Nothing was sent; the connection and the other calls are not affected. ``size`` is the request's command frame
    in bytes, ``limit`` the client's ``max_message_size``.
    """

    def __init__(self, method: str, size: int, limit: int) -> None:
        super().__init__(
            REQUEST_TOO_LARGE_CODE,
            f"{method}: the request is {size} bytes, more than the server's message size limit of {limit} bytes",
        )
        self.size = size
        self.limit = limit


class RPCContractMismatchError(RPCError):
    """The server refused the call: the client was generated from another version of the server's contract (its
    contract hash differs), and the server is configured to refuse such calls. Regenerate the client from the
    server's current file; ``rpcc --breaking-against`` tells what changed. The message names both hashes."""


class RPCContractOlderError(RPCContractMismatchError):
    """The server refused the call: the client's contract is older than the server's (the server lists the client's
    contract hash among its earlier ones, or the client sent none). Update the client."""


class RPCReplyError(RPCError):
    """The server answered, but its result does not fit the declared result type (the call did run)."""

    def __init__(self, message: str = "the result does not fit the result type") -> None:
        super().__init__(BAD_REPLY_CODE, message)


TRACE_FIELD = "$trace"
"""The field of a call's data that carries its W3C trace context over the ``rpc`` transport (the RPC proxy passes
only ``data`` through): ``{"traceparent": ..., "tracestate": ...}``, sent only when a hook filled
``CallInfo.trace_context``. The rpcc bridge removes it before validating the params. Over ``pubsub`` the same object
is the request envelope's ``trace`` field."""


class CallInfo:
    """One call as a :class:`CallHook` sees it.

    Set before ``call_started``: ``method``, ``transport``. A hook may fill ``trace_context`` (W3C ``traceparent``
    and ``tracestate``), which then travels with the request, and keep its own per-call state in ``state``.
    Set before ``call_finished``: ``request_size`` (bytes of the request's WebSocket message, counted with the widest
    command id; 0 when the call failed before it was built), ``response_size`` (bytes of the result's JSON, 0 on error), ``duration`` (seconds),
    ``error`` (None on success, else the exception the call raises) and ``error_kind``: one of ``"timeout"``,
    ``"disconnected"``, ``"request_too_large"``, ``"application"`` (a handler's code, 400..1999), ``"server"``
    (Centrifugo's own codes, below 400), ``"cancelled"``, ``"other"``.
    """

    __slots__ = (
        "duration",
        "error",
        "error_kind",
        "method",
        "request_size",
        "response_size",
        "state",
        "trace_context",
        "transport",
    )

    def __init__(self, method: str, transport: Transport) -> None:
        self.method = method
        self.transport: Transport = transport
        self.trace_context: dict[str, str] = {}
        self.state: Any = None
        self.request_size = 0
        self.response_size = 0
        self.duration = 0.0
        self.error: BaseException | None = None
        self.error_kind = ""


class CallHook:
    """Called around every call of a client whose ``hook`` is set (``client.hook = MyHook()``); a client without
    one pays a single ``is None`` test per call. Override either method; both run on the caller's task, so a hook may
    use context variables (OpenTelemetry's current span). An exception in a hook propagates to the caller.
    ``rpc_telemetry.OpenTelemetryHook`` is the ready OpenTelemetry instrumentation.
    """

    def call_started(self, call: CallInfo) -> None:
        """Before the request is built: fill ``call.trace_context`` to propagate a trace."""

    def call_finished(self, call: CallInfo) -> None:
        """After the call returned or raised: sizes, duration and outcome are set."""


def error_kind(error: BaseException) -> str:
    """The ``CallInfo.error_kind`` of an exception a call raised."""
    if isinstance(error, RPCTimeoutError):
        return "timeout"
    if isinstance(error, RPCConnectionError):
        return "disconnected"
    if isinstance(error, RPCRequestTooLargeError):
        return "request_too_large"
    if isinstance(error, RPCError):
        return "application" if 400 <= error.code <= 1999 else "server"
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"
    return "other"


_CLOSE_WAIT = 2.0
"""Seconds close() waits for the SDK to close the socket."""


def _new_correlation_id() -> str:
    """128 bits from the operating system's cryptographic random source."""
    return secrets.token_hex(16)


class _ReplyRouter:
    """Matches replies arriving on the personal channel to the calls waiting for them."""

    def __init__(self) -> None:
        self.pending: dict[str, asyncio.Future[Any]] = {}

    def deliver(self, data: object) -> None:
        if not isinstance(data, Mapping):
            return
        correlation_id = data.get("correlation_id")
        if not isinstance(correlation_id, str):
            return
        future = self.pending.get(correlation_id)
        if future is None or future.done():
            return  # a late reply of a call that timed out, or someone else's
        error = data.get("error")
        if error is not None:
            future.set_exception(_error_from_reply(error))
        else:
            future.set_result(data.get("result"))

    def fail_all(self, message: str) -> None:
        for future in self.pending.values():
            if not future.done():
                future.set_exception(RPCConnectionError(message))


async def _awaited(call: Awaitable[Any]) -> Any:
    return await call


def _settle(target: asyncio.Future[Any]) -> Callable[[asyncio.Future[Any]], None]:
    """A done-callback passing an SDK future's outcome on to ``target``."""

    def settle(source: asyncio.Future[Any]) -> None:
        if target.done():
            return
        if source.cancelled():
            target.set_exception(RPCConnectionError("the call was cancelled"))
        elif source.exception() is not None:
            target.set_exception(source.exception())  # type: ignore[arg-type]
        else:
            target.set_result(source.result())

    return settle


def _frame_size(command: Mapping[str, Any]) -> int:
    """The bytes of the WebSocket message centrifuge-python sends for ``command`` (one command a message, encoded
    with ``json.dumps``), counted with the widest command id."""
    return len(json.dumps({"id": _MAX_COMMAND_ID, **command}).encode())


def _server_error(code: int, message: str, *, temporary: bool = False) -> RPCError:
    """The RPCError for an error the server answered: the contract refusals have classes of their own."""
    if code == CONTRACT_OLDER_CODE:
        return RPCContractOlderError(code, message, temporary=temporary)
    if code == CONTRACT_MISMATCH_CODE:
        return RPCContractMismatchError(code, message, temporary=temporary)
    return RPCError(code, message, temporary=temporary)


def _error_from_reply(error: object) -> RPCError:
    if isinstance(error, Mapping):
        code = error.get("code")
        message = error.get("message")
        return _server_error(
            code if isinstance(code, int) and not isinstance(code, bool) else 0,
            message if isinstance(message, str) else "",
        )
    return RPCError(0, "malformed error reply")


def _translate(exc: BaseException) -> RPCError | None:
    """The RPCError for an exception of centrifuge-python, or None for an unrelated one."""
    if isinstance(exc, centrifuge.ReplyError):
        return _server_error(int(exc.code), str(exc.message), temporary=bool(exc.temporary))
    if isinstance(exc, centrifuge.OperationTimeoutError):
        return RPCTimeoutError()
    if isinstance(exc, centrifuge.ClientDisconnectedError):
        return RPCConnectionError(str(exc) or "client disconnected")
    if isinstance(exc, centrifuge.CentrifugeError):
        return RPCConnectionError(str(exc) or type(exc).__name__)
    return None


class _BatchEntry:
    """One call of a batch: its command (without id), and the future its task waits on for the raw reply."""

    def __init__(self, command: dict[str, Any], timeout: float) -> None:
        self.command = command
        self.timeout = timeout
        self.reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()


class _BatchCollector:
    """Collects the commands of the calls a batch's tasks make, to send them in one WebSocket message."""

    def __init__(self, tasks: set[asyncio.Task[Any]]) -> None:
        self.tasks = tasks
        self.entries: list[_BatchEntry] = []
        self.waiting: set[asyncio.Task[Any]] = set()
        self.open = True

    def add(self, command: dict[str, Any], timeout: float) -> _BatchEntry | None:
        """The entry of a call made by one of the batch's tasks while the batch collects; None otherwise."""
        task = asyncio.current_task()
        if not self.open or task is None or task not in self.tasks:
            return None
        entry = _BatchEntry(command, timeout)
        self.entries.append(entry)
        self.waiting.add(task)
        return entry


class _ClientEvents(centrifuge.ClientEventHandler):  # type: ignore[misc, unused-ignore]
    """Fails the waiting pubsub calls when the connection goes; never awaits SDK calls (it runs on the read loop)."""

    def __init__(self, router: _ReplyRouter) -> None:
        self._router = router

    async def on_connecting(self, ctx: Any) -> None:
        self._router.fail_all(f"connection lost: {ctx.reason}")

    async def on_disconnected(self, ctx: Any) -> None:
        self._router.fail_all(f"disconnected: {ctx.reason}")


class _SubscriptionEvents(centrifuge.SubscriptionEventHandler):  # type: ignore[misc, unused-ignore]
    """Routes publications on the personal channel to the waiting calls."""

    def __init__(self, router: _ReplyRouter) -> None:
        self._router = router

    async def on_publication(self, ctx: Any) -> None:
        self._router.deliver(ctx.pub.data)

    async def on_subscribing(self, ctx: Any) -> None:
        self._router.fail_all(f"reply channel lost: {ctx.reason}")

    async def on_unsubscribed(self, ctx: Any) -> None:
        self._router.fail_all(f"reply channel unsubscribed: {ctx.reason}")


class CentrifugoRPCClient:
    """One connection to Centrifugo that makes RPC calls.

    ``url`` is the WebSocket endpoint (``ws://host:8000/connection/websocket``), ``token`` a connection JWT
    whose ``sub`` is ``user_id``. ``get_token`` (optional) returns a fresh token when Centrifugo asks for one
    (expiry) or when ``token`` is empty. ``transport`` chooses ``"rpc"`` or ``"pubsub"`` (which needs
    ``user_id``); ``timeout`` is the default per-call timeout in seconds. ``max_message_size`` is the largest
    WebSocket message the server reads, Centrifugo's ``websocket.message_size_limit`` (default 65536 bytes): a call
    whose request frame (params, method and envelope, as sent) is larger fails with RPCRequestTooLargeError before
    it is sent, since Centrifugo would close the connection and fail every call on it. ``max_server_ping_delay``
    is how many seconds past the server's ping interval a silent connection is taken for dead and replaced.
    Use it as an async context manager, or call :meth:`connect` and :meth:`close`.
    """

    contract_hash: str | None = None
    """The contract hash sent with every call (the generated APIClient sets its file's; spec/evolution.md): over
    ``rpc`` as the ``"$contract"`` member of the params, over ``pubsub`` as the request's ``"contract"``."""

    def __init__(
        self,
        url: str,
        token: str = "",
        user_id: str = "",
        *,
        transport: Transport = "rpc",
        timeout: float = 10.0,
        get_token: Callable[[], Awaitable[str]] | None = None,
        request_channel: str = DEFAULT_REQUEST_CHANNEL,
        name: str = "rpcc-python",
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        max_server_ping_delay: float = 10.0,
    ) -> None:
        if transport not in ("rpc", "pubsub"):
            msg = f"transport must be 'rpc' or 'pubsub', not {transport!r}"
            raise ValueError(msg)
        if transport == "pubsub" and not user_id:
            msg = "the pubsub transport needs user_id (replies arrive on user#<user_id>)"
            raise ValueError(msg)
        if timeout <= 0:
            msg = "timeout must be positive"
            raise ValueError(msg)
        if max_message_size <= 0:
            msg = "max_message_size must be positive"
            raise ValueError(msg)
        if max_server_ping_delay <= 0:
            msg = "max_server_ping_delay must be positive"
            raise ValueError(msg)
        self._url = url
        self._token = token
        self._user_id = user_id
        self._transport: Transport = transport
        self._timeout = timeout
        self._get_token = get_token
        self._request_channel = request_channel
        self._name = name
        self._max_message_size = max_message_size
        self._max_server_ping_delay = max_server_ping_delay
        self._router = _ReplyRouter()
        self._client: Any = None
        self._subscription: Any = None
        self._collector: _BatchCollector | None = None
        self._batch_lock = asyncio.Lock()
        self._channel_subscriptions: set[ChannelSubscription[Any]] = set()
        self.hook: CallHook | None = None
        """Called around every call when set (:class:`CallHook`); None (the default) costs nothing."""

    async def connect(self) -> None:
        """Connect (and, for ``pubsub``, subscribe to the reply channel); raises RPCConnectionError on failure.

        The client reconnects by itself after a connection loss; calls made meanwhile wait for it up to their
        timeout. After the server closed the connection for good (close codes 3500..3999 and 4500..4999), calling
        connect() again opens a new connection.
        """
        if self._client is not None:
            if self._client.state != centrifuge.ClientState.DISCONNECTED:
                return
            await self._teardown()  # the server closed it for good: start afresh
        # centrifuge.Client binds to the running event loop: build it here, never in __init__.
        client = centrifuge.Client(
            self._url,
            token=self._token,
            get_token=self._get_token,
            events=_ClientEvents(self._router),
            timeout=self._timeout,
            name=self._name,
            max_server_ping_delay=self._max_server_ping_delay,
        )
        self._client = client
        try:
            await client.connect()
            await client.ready(timeout=self._timeout)
            if self._transport == "pubsub":
                channel = f"user#{self._user_id}"
                self._subscription = client.new_subscription(channel, events=_SubscriptionEvents(self._router))
                await self._subscription.subscribe()
                await self._subscription.ready(timeout=self._timeout)
        except BaseException as exc:
            await self._teardown()
            error = _translate(exc)
            if error is None:
                raise
            raise RPCConnectionError(f"cannot connect to {self._url}: {error.message}") from exc

    async def close(self) -> None:
        """Disconnect; calls still waiting fail with RPCConnectionError. Closing twice is harmless."""
        await self._teardown()

    async def disconnect(self) -> None:
        """The same as :meth:`close`, under the name centrifuge-python and the replaced generator use."""
        await self._teardown()

    async def _teardown(self) -> None:
        client, self._client, self._subscription = self._client, None, None
        self._router.fail_all("client closed")
        for subscription in list(self._channel_subscriptions):
            subscription._end(RPCConnectionError("client closed"))
        if client is not None:
            await client.disconnect()
            # centrifuge-python closes the socket in background tasks; let them finish (bounded) so that closing
            # the client, then the event loop, leaves no socket open.
            background = set(getattr(client, "_background_tasks", ()))
            if background:
                await asyncio.wait(background, timeout=_CLOSE_WAIT)

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def call(self, method: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        """Calls ``method`` with JSON ``params`` (``{}`` when None) and returns the JSON result.

        Raises RPCError with the server's code and message, RPCTimeoutError after ``timeout`` seconds (default:
        the client's), RPCConnectionError when not connected or when the connection was lost during the call, and
        RPCRequestTooLargeError (without sending anything) when the request exceeds ``max_message_size``.
        """
        hook = self.hook
        if hook is None:
            return await self._call(method, params, timeout, None)
        return await self._observed_call(hook, method, params, timeout)

    async def _observed_call(
        self, hook: CallHook, method: str, params: Mapping[str, Any] | None, timeout: float | None
    ) -> Any:
        """``call`` with the hook around it."""
        info = CallInfo(method, self._transport)
        hook.call_started(info)
        start = time.perf_counter()
        try:
            result = await self._call(method, params, timeout, info)
        except BaseException as exc:
            info.duration = time.perf_counter() - start
            info.error = exc
            info.error_kind = error_kind(exc)
            hook.call_finished(info)
            raise
        info.duration = time.perf_counter() - start
        info.response_size = len(json.dumps(result, separators=(",", ":")).encode())
        hook.call_finished(info)
        return result

    async def _call(
        self, method: str, params: Mapping[str, Any] | None, timeout: float | None, info: CallInfo | None
    ) -> Any:
        client = self._client
        if client is None:
            msg = "not connected: call connect() first or use the client as an async context manager"
            raise RPCConnectionError(msg)
        limit = self._timeout if timeout is None else timeout
        data = dict(params) if params is not None else {}
        request: dict[str, Any] = {}
        contract = self.contract_hash
        if self._transport == "rpc":
            if info is not None and info.trace_context:
                data[TRACE_FIELD] = info.trace_context
            if contract is not None:
                data[CONTRACT_FIELD] = contract
            size = _frame_size({"rpc": {"method": method, "data": data}})
        else:
            request = {
                "method": method,
                "params": data,
                "correlation_id": _new_correlation_id(),
                "reply_to": f"user#{self._user_id}",
            }
            if info is not None and info.trace_context:
                request["trace"] = info.trace_context
            if contract is not None:
                request["contract"] = contract
            size = _frame_size({"publish": {"channel": self._request_channel, "data": request}})
        if info is not None:
            info.request_size = size
        # Centrifugo closes the connection on a message over its limit, failing every call on it: refuse this one.
        if size > self._max_message_size:
            raise RPCRequestTooLargeError(method, size, self._max_message_size)
        collector = self._collector
        entry = None
        if collector is not None:
            if self._transport == "rpc":
                entry = collector.add({"rpc": {"method": method, "data": data}}, limit)
            else:
                entry = collector.add({"publish": {"channel": self._request_channel, "data": request}}, limit)
        try:
            if entry is not None:
                return await asyncio.wait_for(self._batched(client, entry, request), limit)
            if self._transport == "rpc":
                return await asyncio.wait_for(self._rpc(client, method, data, limit), limit)
            return await asyncio.wait_for(self._publish(client, request, limit), limit)
        except asyncio.TimeoutError:
            msg = f"{method}: no answer within {limit:g} s"
            raise RPCTimeoutError(msg) from None
        except RPCError:
            raise
        except Exception as exc:
            error = _translate(exc)
            if error is None:
                raise
            raise error from exc

    async def send(self, method: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None) -> None:
        """Sends a one-way call of ``method`` with JSON ``params``: returns once the command is written to the
        connection, and never waits for the server.

        Over ``"rpc"`` it is Centrifugo's ``rpc`` command, whose reply (always sent by Centrifugo) is discarded; over
        ``"pubsub"`` a publication ``{"method", "params"}`` without ``correlation_id``, to which no reply comes. The
        server's refusals never reach the caller. Raises RPCConnectionError when not connected within ``timeout``
        seconds (default: the client's), RPCRequestTooLargeError (without sending anything) when the request exceeds
        ``max_message_size``.
        """
        client = self._client
        if client is None:
            msg = "not connected: call connect() first or use the client as an async context manager"
            raise RPCConnectionError(msg)
        limit = self._timeout if timeout is None else timeout
        data = dict(params) if params is not None else {}
        if self._transport == "rpc":
            command: dict[str, Any] = {"rpc": {"method": method, "data": data}}
        else:
            command = {"publish": {"channel": self._request_channel, "data": {"method": method, "params": data}}}
        size = _frame_size(command)
        if size > self._max_message_size:
            raise RPCRequestTooLargeError(method, size, self._max_message_size)
        try:
            await asyncio.wait_for(self._ready(client, limit), limit)
        except asyncio.TimeoutError:
            msg = f"{method}: not connected within {limit:g} s"
            raise RPCConnectionError(msg) from None
        # centrifuge-python has no public call that sends without waiting for the reply: its rpc() and publish()
        # await it. The command goes out through the SDK's own sender with an id of its sequence and no waiter
        # registered, so the reply, when it comes, is dropped by the SDK like any reply nobody waits for.
        command["id"] = client._next_command_id()
        await client._send_commands([command])

    @overload
    async def batch(self, call1: Awaitable[_T1], /, *, max_batch: int = ...) -> tuple[_T1 | RPCError]: ...
    @overload
    async def batch(
        self, call1: Awaitable[_T1], call2: Awaitable[_T2], /, *, max_batch: int = ...
    ) -> tuple[_T1 | RPCError, _T2 | RPCError]: ...
    @overload
    async def batch(
        self, call1: Awaitable[_T1], call2: Awaitable[_T2], call3: Awaitable[_T3], /, *, max_batch: int = ...
    ) -> tuple[_T1 | RPCError, _T2 | RPCError, _T3 | RPCError]: ...
    @overload
    async def batch(
        self,
        call1: Awaitable[_T1],
        call2: Awaitable[_T2],
        call3: Awaitable[_T3],
        call4: Awaitable[_T4],
        /,
        *,
        max_batch: int = ...,
    ) -> tuple[_T1 | RPCError, _T2 | RPCError, _T3 | RPCError, _T4 | RPCError]: ...
    @overload
    async def batch(self, *calls: Awaitable[_T1], max_batch: int = ...) -> tuple[_T1 | RPCError, ...]: ...

    async def batch(self, *calls: Awaitable[Any], max_batch: int = DEFAULT_MAX_BATCH) -> tuple[Any, ...]:
        """Sends several calls in one WebSocket message and returns each one's typed result or its RPCError.

        Pass the typed methods' calls without awaiting them::

            task, page = await api.batch(api.tasks_get(TaskGetParams(id=1)), api.tasks_list(TaskListParams()))

        Each entry is the method's result, or the RPCError that call alone failed with (one failing call fails
        only its own entry; each keeps its own timeout). Nothing is atomic: the server runs the calls one by one
        or concurrently, as it would separate calls. Raises RPCRequestTooLargeError, sending nothing, when the
        batch has more than ``max_batch`` calls or its message would exceed ``max_message_size``.
        """
        if self._client is None:
            msg = "not connected: call connect() first or use the client as an async context manager"
            raise RPCConnectionError(msg)
        async with self._batch_lock:
            loop = asyncio.get_running_loop()
            tasks = [loop.create_task(_awaited(call)) for call in calls]
            collector = _BatchCollector(set(tasks))
            self._collector = collector
            try:
                # Each typed call reaches call() at its first step; a few turns of the loop let every task get there
                # (or finish early: a request too large, an encoding error). The bound keeps a foreign awaitable
                # that waits on something else from holding the batch.
                for _ in range(100):
                    await asyncio.sleep(0)
                    if all(task.done() or task in collector.waiting for task in tasks):
                        break
            finally:
                collector.open = False
                self._collector = None
            try:
                await self._send_batch(collector.entries, max_batch)
            except BaseException:
                await asyncio.gather(*tasks, return_exceptions=True)  # each failed with the refusal: collected
                raise
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, RPCError):
                raise outcome
        return tuple(outcomes)

    async def _send_batch(self, entries: list[_BatchEntry], max_batch: int) -> None:
        """Sends the collected commands in one message; refuses them all (sending nothing) over the limits."""
        if not entries:
            return
        size = sum(_frame_size(entry.command) for entry in entries) + len(entries) - 1
        refusal: RPCError | None = None
        if len(entries) > max_batch:
            refusal = RPCRequestTooLargeError(f"batch of {len(entries)} calls", len(entries), max_batch)
            refusal.message = f"batch: {len(entries)} calls, more than max_batch={max_batch}; nothing was sent"
        elif size > self._max_message_size:
            refusal = RPCRequestTooLargeError(f"batch of {len(entries)} calls", size, self._max_message_size)
        client = self._client
        if refusal is None and client is None:
            refusal = RPCConnectionError("client closed")
        if refusal is None:
            try:
                await client.ready(timeout=max(entry.timeout for entry in entries))
            except Exception as exc:
                if _translate(exc) is None:
                    raise
                refusal = RPCConnectionError(f"not connected: {exc}")
        if refusal is not None:
            for entry in entries:
                if not entry.reply.done():
                    entry.reply.set_exception(refusal)
            raise refusal
        # centrifuge-python's own sender writes a list of commands as one message (its JSON codec joins them with
        # newlines, which Centrifugo reads as separate commands); each reply settles its SDK future as usual.
        commands = []
        for entry in entries:
            command = {"id": client._next_command_id(), **entry.command}
            sdk_future = client._register_future(command["id"], entry.timeout)
            sdk_future.add_done_callback(_settle(entry.reply))
            commands.append(command)
        await client._send_commands(commands)

    async def _batched(self, client: Any, entry: _BatchEntry, request: dict[str, Any]) -> Any:
        """The rest of a call collected by a batch: its reply, then (pubsub) the reply on the personal channel."""
        future: asyncio.Future[Any] | None = None
        if request:  # pubsub: registered before the batch is sent, as a reply may come before the ack
            future = asyncio.get_running_loop().create_future()
            self._router.pending[request["correlation_id"]] = future
        try:
            reply = await entry.reply
            client._check_reply_error(reply)
            if future is None:
                return client._decode_data(reply["rpc"].get("data"))
            return await future
        finally:
            if future is not None:
                del self._router.pending[request["correlation_id"]]
                if not future.done():
                    future.cancel()

    @staticmethod
    def _decode(model: type[_Model], data: Any, method: str = "") -> _Model:
        """The result ``data`` as ``model``; RPCReplyError (not pydantic's ValidationError) when it does not fit."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors()
            where = ".".join(str(part) for part in errors[0]["loc"]) if errors else ""
            reason = errors[0]["msg"] if errors else "invalid"
            msg = f"{method}: bad result: {where or 'result'}: {reason}"
            raise RPCReplyError(msg) from exc

    async def _ready(self, client: Any, limit: float) -> None:
        try:
            await client.ready(timeout=limit)
        except Exception as exc:
            if _translate(exc) is None:
                raise
            msg = f"not connected: {exc}"
            raise RPCConnectionError(msg) from exc

    async def _rpc(self, client: Any, method: str, data: dict[str, Any], limit: float) -> Any:
        await self._ready(client, limit)
        reply = await client.rpc(method, data, timeout=limit)
        return reply.data

    async def _publish(self, client: Any, request: dict[str, Any], limit: float) -> Any:
        await self._ready(client, limit)
        correlation_id: str = request["correlation_id"]
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._router.pending[correlation_id] = future
        try:
            await client.publish(self._request_channel, request, timeout=limit)
            return await future
        finally:
            del self._router.pending[correlation_id]
            if not future.done():
                future.cancel()

    async def _publish_channel(self, channel: str, data: Any, *, timeout: float | None = None) -> None:
        """Publishes JSON ``data`` into ``channel`` (the generated ``publish_<channel>`` methods): the server takes
        it only in a channel that lets clients publish, after checking it. Raises RPCError as :meth:`call` does
        (103 permission denied when the channel or its guard refuses it)."""
        client = self._client
        if client is None:
            msg = "not connected: call connect() first or use the client as an async context manager"
            raise RPCConnectionError(msg)
        limit = self._timeout if timeout is None else timeout
        size = _frame_size({"publish": {"channel": channel, "data": data}})
        if size > self._max_message_size:
            raise RPCRequestTooLargeError(f"publish {channel}", size, self._max_message_size)
        try:
            await self._ready(client, limit)
            await asyncio.wait_for(client.publish(channel, data, timeout=limit), limit)
        except asyncio.TimeoutError:
            msg = f"publish {channel}: no answer within {limit:g} s"
            raise RPCTimeoutError(msg) from None
        except RPCError:
            raise
        except Exception as exc:
            error = _translate(exc)
            if error is None:
                raise
            raise error from exc


# --- channel subscriptions ---------------------------------------------------------------------------------------

SubscriptionState = Literal["unsubscribed", "subscribing", "subscribed"]
"""Where a subscription is: subscribing (also again after a lost connection), subscribed, or unsubscribed (ended)."""

_P = TypeVar("_P")
_Hook = Callable[[_P], "Awaitable[None] | None"]

_CHANNEL_PARAM_FORBIDDEN = frozenset(":#,{}$*&/")


class ChannelParamError(ValueError):
    """A channel parameter that would change the channel's meaning (empty, or holding one of ``: # , { } $ * & /``)
    or that Centrifugo refuses in a channel name (a space, a control character, anything but ASCII): nothing was
    sent."""


def _channel_param(channel: str, name: str, value: str) -> str:
    """``value`` when it can stand for the string parameter ``name`` of ``channel`` in a channel name."""
    if not value:
        msg = f"{channel}: {name} is empty"
        raise ChannelParamError(msg)
    for char in value:
        if char in _CHANNEL_PARAM_FORBIDDEN or char <= " " or char >= "\x7f":  # Centrifugo's names are ASCII
            msg = f"{channel}: {name} {value!r} holds {char!r}, which would change the channel's meaning"
            raise ChannelParamError(msg)
    return value


@dataclass(frozen=True)
class StreamPosition:
    """A place in a channel's history stream: a publication's offset and the stream's epoch."""

    offset: int
    epoch: str


RECOVERY_FAILED_CODE = 112
"""``RPCError.code`` of a RecoveryFailedError: Centrifugo's code for a position it cannot recover from."""


class RecoveryFailedError(RPCError):
    """Told to ``on_error``: a subscription to a channel with history subscribed again after a lost connection and
    the server could not give it every publication it missed (the history was shorter than the gap, or expired, or
    the stream was lost). Publications after ``since`` (the last one received; None: none yet) were lost up to
    ``position`` (the stream's position after the resubscription); the ones that follow are delivered. Reload the
    state the channel's publications update."""

    def __init__(self, channel: str, since: StreamPosition | None, position: StreamPosition | None) -> None:
        super().__init__(RECOVERY_FAILED_CODE, f"{channel}: could not recover the publications missed since {since}")
        self.channel = channel
        self.since = since
        self.position = position

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, RecoveryFailedError) and (self.channel, self.since, self.position)
                == (other.channel, other.since, other.position))

    __hash__ = RPCError.__hash__


class SubscriptionRefusedError(RPCError):
    """The server refused the subscription (``code`` 103: permission denied, 102: unknown channel, ...), or
    unsubscribed it for good (codes 2000..2499)."""

    def __init__(self, channel: str, code: int, reason: str) -> None:
        super().__init__(code, f"subscribe {channel}: {reason}")
        self.channel = channel


class PublicationDecodeError(RPCReplyError):
    """Told to ``on_decode_error``: a publication whose data does not fit the channel's publication type (someone
    published another shape). The subscription goes on."""

    def __init__(self, channel: str, data: Any, offset: int, error: ValidationError) -> None:
        errors = error.errors()
        where = ".".join(str(part) for part in errors[0]["loc"]) if errors else ""
        reason = errors[0]["msg"] if errors else "invalid"
        super().__init__(f"{channel}: bad publication: {where or 'publication'}: {reason}")
        self.channel = channel
        self.data = data
        self.offset = offset
        self.error = error


class _End:
    """Queued last: the subscription ended, with ``error`` (None: unsubscribed by the app)."""

    def __init__(self, error: RPCError | None) -> None:
        self.error = error


class ChannelSubscription(Generic[_P]):
    """A typed subscription to one channel, made by a generated ``subscribe_<channel>`` method.

    Iterate it (``async for ev in api.subscribe_tasks_events(user_id="42"):``; the first iteration subscribes), or
    give ``on_publication`` and call :meth:`subscribe` (then publications go to the callback, not the iterator). It
    subscribes again by itself after a lost connection; in a channel with history it recovers the publications it
    missed (``on_error`` is given a RecoveryFailedError when it cannot). A publication that does not decode goes to
    ``on_error`` as a PublicationDecodeError and the subscription goes on. A refused subscription raises SubscriptionRefusedError from
    :meth:`subscribe` (or the iteration). End it with :meth:`unsubscribe` or ``async with``; closing the client
    ends it with RPCConnectionError. ``state`` is the current state; ``on_state_change`` (settable) is told of every
    change. Callbacks may be plain or async functions; an exception in one is reported to the event loop's
    exception handler and the subscription goes on.
    """

    def __init__(
        self,
        rpc: CentrifugoRPCClient,
        channel: str,
        adapter: TypeAdapter[_P],
        *,
        history: bool,
        on_publication: _Hook[_P] | None = None,
        on_error: _Hook[PublicationDecodeError | RecoveryFailedError] | None = None,
        on_state_change: _Hook[SubscriptionState] | None = None,
    ) -> None:
        self.channel = channel
        self._rpc = rpc
        self._adapter = adapter
        self._history = history
        self._on_publication = on_publication
        self._on_error = on_error
        self.on_state_change = on_state_change
        self._state: SubscriptionState = "unsubscribed"
        self._position: StreamPosition | None = None
        self._queue: asyncio.Queue[_P | _End] = asyncio.Queue()
        self._subscription: Any = None
        self._first: asyncio.Future[None] | None = None
        self._ended: _End | None = None

    @property
    def state(self) -> SubscriptionState:
        """The current state."""
        return self._state

    @property
    def position(self) -> StreamPosition | None:
        """The position of the last publication received in a channel with history, else None."""
        return self._position

    async def subscribe(self, *, timeout: float | None = None) -> None:
        """Subscribes and returns once the server accepted; raises SubscriptionRefusedError when it refused,
        RPCTimeoutError after ``timeout`` seconds (default: the client's), RPCConnectionError without a connection.
        Does nothing when already subscribed or subscribing."""
        if self._ended is not None:
            msg = f"the subscription to {self.channel} ended; make a new one"
            raise RPCConnectionError(msg)
        if self._subscription is not None:
            return
        client = self._rpc._client
        if client is None:
            msg = "not connected: call connect() first or use the client as an async context manager"
            raise RPCConnectionError(msg)
        limit = self._rpc._timeout if timeout is None else timeout
        self._first = asyncio.get_running_loop().create_future()
        try:
            self._subscription = client.new_subscription(
                self.channel,
                events=_TypedSubscriptionEvents(self),
                positioned=self._history,
                recoverable=self._history,
            )
        except Exception as exc:
            error = _translate(exc)
            raise error or RPCError(0, str(exc)) from exc
        self._rpc._channel_subscriptions.add(self)
        try:
            await self._subscription.subscribe()
            await asyncio.wait_for(asyncio.shield(self._first), limit)
        except asyncio.TimeoutError:
            await self.unsubscribe()
            msg = f"subscribe {self.channel}: no answer within {limit:g} s"
            raise RPCTimeoutError(msg) from None
        except RPCError:
            await self._remove()
            raise

    async def unsubscribe(self) -> None:
        """Ends the subscription (telling the server); the iteration stops. Calling it again does nothing."""
        subscription, active = self._subscription, self._ended is None
        if subscription is not None and active:
            await subscription.unsubscribe()
        if self._ended is None:
            self._end(None)
            await self._call(self.on_state_change, "unsubscribed")
        await self._remove()

    async def _remove(self) -> None:
        subscription, self._subscription = self._subscription, None
        self._rpc._channel_subscriptions.discard(self)
        client = self._rpc._client
        if subscription is not None and client is not None:
            client.remove_subscription(subscription)

    def _end(self, error: RPCError | None) -> None:
        if self._ended is not None:
            return
        self._ended = _End(error)
        self._state = "unsubscribed"
        if self._first is not None and not self._first.done():
            if error is not None:
                self._first.set_exception(error)
            else:
                self._first.set_exception(RPCConnectionError(f"subscribe {self.channel}: unsubscribed"))
        self._queue.put_nowait(self._ended)

    def __aiter__(self) -> ChannelSubscription[_P]:
        return self

    async def __anext__(self) -> _P:
        if self._subscription is None and self._ended is None:
            await self.subscribe()
        item = await self._queue.get()
        if isinstance(item, _End):
            self._queue.put_nowait(item)  # every later iteration ends too
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item

    async def __aenter__(self) -> ChannelSubscription[_P]:
        await self.subscribe()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.unsubscribe()

    async def _call(self, hook: _Hook[Any] | None, argument: Any) -> None:
        if hook is None:
            return
        try:
            result = hook(argument)
            if result is not None:
                await result
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001  # the app's callback: report it and go on (raising would stop the connection)
            asyncio.get_running_loop().call_exception_handler(
                {"message": f"exception in a callback of the subscription to {self.channel}", "exception": exc},
            )

    async def _set_state(self, state: SubscriptionState) -> None:
        if self._ended is not None or state == self._state:
            return
        self._state = state
        await self._call(self.on_state_change, state)

    async def _publication(self, data: Any, offset: int) -> None:
        if self._ended is not None:
            return
        try:
            value = self._adapter.validate_python(data)
        except ValidationError as exc:
            await self._call(self._on_error, PublicationDecodeError(self.channel, data, offset, exc))
            return
        finally:
            if offset > 0 and self._position is not None:
                self._position = StreamPosition(offset, self._position.epoch)
        if self._on_publication is not None:
            await self._call(self._on_publication, value)
        else:
            self._queue.put_nowait(value)

    async def _subscribed(self, ctx: Any) -> None:
        position = ctx.stream_position
        if ctx.was_recovering and not ctx.recovered:
            now = StreamPosition(int(position.offset), str(position.epoch)) if position is not None else None
            await self._call(self._on_error, RecoveryFailedError(self.channel, self._position, now))
        if self._history and position is not None and not (ctx.was_recovering and ctx.recovered):
            # A first subscription, or a failed recovery: the stream goes on from the server's position (a recovery
            # that worked moves it with the recovered publications).
            self._position = StreamPosition(int(position.offset), str(position.epoch))
        await self._set_state("subscribed")
        if self._first is not None and not self._first.done():
            self._first.set_result(None)

    async def _unsubscribed(self, code: int, reason: str) -> None:
        # Codes below 100 are the SDK's own (0: unsubscribe() called, 2: client closed).
        error: RPCError | None = None
        if code >= 100:
            error = SubscriptionRefusedError(self.channel, code, reason)
        elif code != 0:
            error = RPCConnectionError(f"subscription to {self.channel} ended: {reason}")
        if self._ended is None:
            self._end(error)
            await self._call(self.on_state_change, "unsubscribed")


class _TypedSubscriptionEvents(centrifuge.SubscriptionEventHandler):  # type: ignore[misc, unused-ignore]
    """Hands centrifuge-python's subscription events to a ChannelSubscription."""

    def __init__(self, subscription: ChannelSubscription[Any]) -> None:
        self._subscription = subscription

    async def on_subscribing(self, ctx: Any) -> None:
        await self._subscription._set_state("subscribing")

    async def on_subscribed(self, ctx: Any) -> None:
        await self._subscription._subscribed(ctx)

    async def on_unsubscribed(self, ctx: Any) -> None:
        await self._subscription._unsubscribed(int(ctx.code), str(ctx.reason))

    async def on_publication(self, ctx: Any) -> None:
        await self._subscription._publication(ctx.pub.data, int(ctx.pub.offset or 0))

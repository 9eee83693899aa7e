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
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import centrifuge  # type: ignore[import-untyped, unused-ignore]
from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "DEFAULT_REQUEST_CHANNEL",
    "CentrifugoRPCClient",
    "RPCConnectionError",
    "RPCContractMismatchError",
    "RPCContractOlderError",
    "RPCError",
    "RPCReplyError",
    "RPCRequestTooLargeError",
    "RPCTimeoutError",
    "Transport",
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

_MAX_COMMAND_ID = 2**32 - 1
"""Command ids are uint32: the widest id a command can carry, so that a counted size never falls short."""

_Model = TypeVar("_Model", bound=BaseModel)


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
        client = self._client
        if client is None:
            msg = "not connected: call connect() first or use the client as an async context manager"
            raise RPCConnectionError(msg)
        limit = self._timeout if timeout is None else timeout
        data = dict(params) if params is not None else {}
        request: dict[str, Any] = {}
        contract = self.contract_hash
        if self._transport == "rpc":
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
            if contract is not None:
                request["contract"] = contract
            size = _frame_size({"publish": {"channel": self._request_channel, "data": request}})
        # Centrifugo closes the connection on a message over its limit, failing every call on it: refuse this one.
        if size > self._max_message_size:
            raise RPCRequestTooLargeError(method, size, self._max_message_size)
        try:
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

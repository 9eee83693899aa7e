"""Server bridge: the framework-agnostic core behind Centrifugo's RPC proxy and publish proxy.

``Bridge.call`` validates params with the handler's model, calls the handler and serializes the result.
``Bridge.rpc_proxy`` and ``Bridge.publish_proxy`` turn Centrifugo proxy requests into answers; the ASGI app
(:mod:`rpcc.asgi`) and the Django views (:mod:`rpcc.contrib.django`) are thin shells around them.

Error codes (all in Centrifugo's application range 400..1999):

- 400 invalid params (the message is Pydantic's validation message), or a malformed pub/sub request
- 403 pub/sub: ``reply_to`` is not ``user#<authenticated user>``, or the connection is anonymous
- 404 unknown method
- 412 the client's contract hash differs from the bridge's, and :class:`ContractPolicy` refuses such calls
- 426 the client's contract is older than the bridge's (or it sent no hash), and the policy refuses such calls
- 413 the reply is larger than the clients' message size limit (``Limits.max_reply``)
- 429 temporary: the bridge already runs ``Limits.max_concurrency`` handlers; the client may retry
- 500 any other exception in a handler (generic message; details only in the server log)
- 503 pub/sub: the bridge has no Centrifugo server API configured, so it cannot reply
- 504 temporary: the handler was still running after ``Limits.handler_timeout`` and was cancelled
- a handler's own :class:`RPCError` code (400..1999)

Typed channels (:mod:`rpcc.channels`) answer with Centrifugo's own codes where Centrifugo would: 102 unknown channel
(no declared channel has that name), 103 permission denied (the guard said no, another user's channel, a channel
without client publications); 400 a client publication that does not validate; a guard's own :class:`RPCError`.
One-way methods (``@oneway``, a handler returning None) are validated and run like any other, and answered with
nothing useful: over the RPC proxy the answer is always ``{"result":{}}``, over the publish proxy no reply is
published. A one-way call that fails (any of the errors above) is logged and counted in ``Bridge.stats``
(``oneway_failed``; ``oneway`` counts those that ran to the end), never answered.

Only Centrifugo may call the proxy endpoints: :class:`ProxyAuth` checks the shared secret Centrifugo sends in the
``X-Rpcc-Proxy-Secret`` header (its ``*.proxy.http.static_headers``); the HTTP shells answer 401 and run nothing
without it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import http.client
import json
import logging
import re
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

from pydantic import BaseModel, ValidationError

from .channels import Channel, PublicationError, format_errors
from .router import Connection, Handler, MessageRouter
from .telemetry import TRACE_FIELD, UNKNOWN_METHOD, BridgeObserver, ServerCall, extract_trace

__all__ = [
    "Bridge",
    "CentrifugoAPI",
    "CentrifugoAPIError",
    "ContractPolicy",
    "InsecureBridgeError",
    "Limits",
    "Outcome",
    "PROXY_SECRET_HEADER",
    "ProxyAuth",
    "RPCError",
    "CODE_BAD_REQUEST",
    "CODE_PERMISSION_DENIED",
    "CODE_UNKNOWN_CHANNEL",
    "CODE_FORBIDDEN",
    "CODE_NOT_FOUND",
    "CODE_INTERNAL",
    "CODE_UNAVAILABLE",
    "CODE_BUSY",
    "CODE_TIMEOUT",
    "CODE_TOO_LARGE",
    "CODE_CONTRACT_MISMATCH",
    "CODE_CONTRACT_OLDER",
    "CONTRACT_FIELD",
]

log = logging.getLogger("rpcc.bridge")

CODE_UNKNOWN_CHANNEL = 102  # Centrifugo's own codes, for the channel proxies
CODE_PERMISSION_DENIED = 103
CODE_BAD_REQUEST = 400
CODE_FORBIDDEN = 403
CODE_NOT_FOUND = 404
CODE_TOO_LARGE = 413
CODE_BUSY = 429
CODE_INTERNAL = 500
CODE_UNAVAILABLE = 503
CODE_TIMEOUT = 504
CODE_CONTRACT_MISMATCH = 412
CODE_CONTRACT_OLDER = 426
# Where a client sends its contract hash: over the RPC proxy, this member of the params object (taken out before
# validation); over pub/sub, the request's "contract".
CONTRACT_FIELD = "$contract"
CONTRACT_ACTIONS = ("accept", "log", "refuse")
MAX_CONTRACT_TEXT = 100  # a longer "hash" is shown cut in messages
MAX_LOGGED_CONTRACTS = 64  # distinct client hashes logged once each ("log"); later ones are only counted
_HASH_TEXT = re.compile(r"sha256:[0-9a-f]{64}")
# Room left in the clients' message size limit for what Centrifugo wraps around a reply (the reply frame or the
# publication push with its channel name).
ENVELOPE_ROOM = 512
INTERNAL_MESSAGE = "internal server error"
MAX_CORRELATION_ID = 128
MAX_MESSAGE = 2000


PROXY_SECRET_HEADER = "X-Rpcc-Proxy-Secret"
MIN_SECRET_LENGTH = 16


class InsecureBridgeError(RuntimeError):
    """The bridge was asked to serve proxy endpoints without a secret and without the explicit development flag."""


class ProxyAuth:
    """Proof that a proxy request comes from Centrifugo: the shared secret in the ``X-Rpcc-Proxy-Secret`` header.

    Centrifugo sends it with every proxy request (``rpc.proxy.http.static_headers``,
    ``channel.proxy.publish.http.static_headers``; ``python -m rpcc config`` writes both). ``check`` compares in
    constant time. Without a secret the constructor raises :class:`InsecureBridgeError`, unless
    ``insecure_no_auth=True`` says on purpose that every request is accepted (development only; a warning is logged
    whenever a server starts so, through the logging system, whose last-resort handler prints it to stderr when the
    application configured none). The secret never appears in a log line, an exception or an answer.
    """

    header = PROXY_SECRET_HEADER

    def __init__(self, secret: str | None, *, insecure_no_auth: bool = False) -> None:
        if secret:
            if len(secret) < MIN_SECRET_LENGTH:
                raise InsecureBridgeError(f"the proxy secret is too short (at least {MIN_SECRET_LENGTH} characters; "
                                          "`python -m rpcc config` generates one)")
            self._secret: bytes | None = secret.encode("utf-8")
        elif insecure_no_auth:
            self._secret = None
        else:
            raise InsecureBridgeError(
                "no proxy secret: set RPCC_PROXY_SECRET (Django: settings.RPCC_PROXY_SECRET) to the value of "
                f"{PROXY_SECRET_HEADER} in Centrifugo's proxy static_headers (`python -m rpcc config` writes both), "
                "or pass --insecure-no-auth (Django: RPCC_INSECURE_NO_AUTH = True) to accept unauthenticated "
                "requests during development")
        self.insecure = self._secret is None

    def check(self, presented: str | bytes | None) -> bool:
        """True when ``presented`` (the header's value, None when absent) is the secret, or auth is off."""
        if self._secret is None:
            return True
        if presented is None:
            return False
        if isinstance(presented, str):
            presented = presented.encode("utf-8", "surrogateescape")
        return hmac.compare_digest(presented, self._secret)

    def warn_if_insecure(self, logger: logging.Logger | None = None) -> None:
        """Log (and warn) that the proxy endpoints accept anyone: called by every server on start."""
        if self.insecure:
            message = ("rpcc bridge: proxy authentication is OFF (insecure_no_auth): anyone who can reach this server "
                       "can call every handler as any user; development only")
            (logger or log).warning(message)

    def __repr__(self) -> str:  # never the secret
        return "ProxyAuth(insecure)" if self.insecure else "ProxyAuth(secret=***)"


class RPCError(Exception):
    """An error a handler raises on purpose; its code and message reach the client.

    ``raise RPCError(409, "task already closed")``, or subclass with a class-level code::

        class TaskNotFound(RPCError):
            code = 404

        raise TaskNotFound("task 7 not found")

    The code must be in 400..1999 (Centrifugo reserves 0..399).
    """

    code: int = 400

    def __init__(self, *args: Any) -> None:
        if len(args) == 2:
            code, message = args
        elif len(args) == 1:
            code, message = type(self).code, args[0]
        else:
            raise TypeError("RPCError(code, message) or RPCError(message) with a class-level code")
        if not isinstance(code, int) or isinstance(code, bool) or not 400 <= code <= 1999:
            raise ValueError(f"RPCError code must be an int in 400..1999 (0..399 are Centrifugo's), got {code!r}")
        self.code = code
        self.message = str(message)
        super().__init__(code, self.message)

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


_UNSET: Any = object()


class Outcome:
    """The result of one call: ``data`` on success, ``code``/``message`` (and ``temporary``) on error.

    ``text`` is the JSON text of ``data`` when the bridge serialized it: answers embed it as it is, and ``data``
    parses it only when asked."""

    __slots__ = ("_data", "text", "code", "message", "temporary")

    def __init__(self, data: Any = _UNSET, code: int | None = None, message: str | None = None,
                 temporary: bool = False, *, text: str | None = None) -> None:
        self._data = None if data is _UNSET and text is None else data
        self.text = text
        self.code = code
        self.message = message
        self.temporary = temporary  # Centrifugo's flag: the same call may succeed later

    @property
    def data(self) -> Any:
        if self._data is _UNSET:
            self._data = json.loads(self.text) if self.text is not None else None
        return self._data

    @property
    def ok(self) -> bool:
        return self.code is None

    @classmethod
    def error(cls, code: int, message: str, *, temporary: bool = False) -> "Outcome":
        return cls(code=code, message=message[:MAX_MESSAGE], temporary=temporary)

    def error_json(self) -> dict:
        if self.temporary:
            return {"code": self.code, "message": self.message, "temporary": True}
        return {"code": self.code, "message": self.message}

    def __repr__(self) -> str:
        if self.ok:
            return f"Outcome(data={self.data!r})"
        return f"Outcome(code={self.code!r}, message={self.message!r}, temporary={self.temporary!r})"


@dataclass(frozen=True)
class Limits:
    """What bounds the bridge under load (per process; see python/README.md, "Deploying the bridge").

    - ``max_body``: bytes of one proxy request body; a larger one gets HTTP 413 before it is read whole (the
      Content-Length is checked first, then the bytes are counted as they arrive).
    - ``max_concurrency``: handlers running at once; one more call is refused at once with error 429 marked
      ``temporary`` (the client may retry) instead of waiting in a queue.
    - ``handler_timeout``: seconds a handler may run, which should be Centrifugo's ``rpc.proxy.timeout``: a handler
      still running then is cancelled, counted (``Bridge.stats["timed_out"]``) and logged; its caller gets 504
      ``temporary`` (over RPC Centrifugo has usually answered the client with error 100 by then; when the two
      timers are equal, whichever fires first answers).
    - ``publish_timeout``: with ``ack_after_reply`` the handler and the reply's publish must fit in Centrifugo's
      ``channel.proxy.publish.timeout``: the handler gets this much (less when ``handler_timeout`` is lower).
    - ``max_reply``: bytes of a reply's JSON; a larger one is refused with error 413 (clients refuse messages over
      the message size limit, and a connection that receives one is dropped), ``ENVELOPE_ROOM`` bytes under the
      limit for Centrifugo's wrapping.
    - ``subscribe_timeout``: a typed channel's guard must answer within Centrifugo's
      ``channel.proxy.subscribe.timeout`` (a guard asked about a client publication, within ``publish_timeout``):
      past it (or ``handler_timeout`` when lower) it is cancelled and the answer is 504 ``temporary``.
    """

    max_body: int = 256 * 1024
    max_concurrency: int = 256
    handler_timeout: float = 10.0
    publish_timeout: float = 3.0
    max_reply: int = 65536 - ENVELOPE_ROOM
    subscribe_timeout: float = 3.0

    def __post_init__(self) -> None:
        for name in ("max_body", "max_concurrency", "max_reply"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")
        for name in ("handler_timeout", "publish_timeout", "subscribe_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be above 0 seconds")

    @classmethod
    def for_message_size(cls, message_size_limit: int, **kw: Any) -> "Limits":
        """Limits matching Centrifugo's ``websocket.message_size_limit``: replies under it, request bodies (the
        client's message, maybe base64, plus Centrifugo's fields) under four times it."""
        kw.setdefault("max_reply", max(1, message_size_limit - ENVELOPE_ROOM))
        kw.setdefault("max_body", 4 * message_size_limit)
        return cls(**kw)


@dataclass(frozen=True)
class ContractPolicy:
    """What the bridge does with a call whose client contract hash is not its own (spec/evolution.md, "Comparing
    hashes at run time").

    The generated SDKs send the hash of the .rpc file they were generated from with every call; the bridge
    computes its own from the handlers it serves (:func:`rpcc.exporter.handlers_contract_hash`, what ``python -m
    rpcc export`` writes in the file's header). Every call is counted in ``Bridge.stats``: ``contract_match``,
    ``contract_mismatch`` (``contract_older`` as well when the hash is in ``older``), ``contract_missing``.

    - ``on_mismatch``: ``"accept"`` (count it; the default), ``"log"`` (count it, and log a warning the first time
      each hash is seen), or ``"refuse"``: error 426 when the hash is in ``older``, else 412; the SDKs raise
      their contract errors for these codes.
    - ``on_missing``: the same for a call without a hash (an SDK generated before hashes were sent, a client
      written by hand, a custom proxy); refused, it is error 426: such a client predates the server's contract.
      Default ``"accept"``, so that deploying a bridge with a policy never cuts off the clients already in use.
    - ``older``: hashes of earlier versions of the server's contract (``rpcc --contract-hash`` of the file at a
      past release): a mismatch with one is "older" (426), any other "differs" (412).
    - ``compatible``: hashes treated as the server's own (versions ``rpcc --breaking-against`` found safe for
      old clients), counted as ``contract_compatible``.
    """

    on_mismatch: str = "accept"
    on_missing: str = "accept"
    older: frozenset[str] = frozenset()
    compatible: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("on_mismatch", "on_missing"):
            if getattr(self, name) not in CONTRACT_ACTIONS:
                raise ValueError(f"ContractPolicy.{name} must be one of {', '.join(CONTRACT_ACTIONS)}, "
                                 f"not {getattr(self, name)!r}")
        object.__setattr__(self, "older", frozenset(self.older))
        object.__setattr__(self, "compatible", frozenset(self.compatible))


class _Slots:
    """A counter of running handlers, shared by asyncio tasks and threads (Django); never waits."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.used = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            if self.used >= self.size:
                return False
            self.used += 1
            return True

    def release(self) -> None:
        with self._lock:
            self.used -= 1


def format_validation_error(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors(include_url=False, include_input=False, include_context=False):
        loc = ".".join(str(x) for x in e.get("loc", ())) or "params"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return "invalid params: " + "; ".join(parts)


class CentrifugoAPIError(Exception):
    pass


class CentrifugoAPI:
    """Minimal client of Centrifugo's server HTTP API (stdlib only).

    ``url`` is the API base, e.g. ``http://127.0.0.1:8000/api`` (a URL with an empty path gets ``/api``).

    ``await publish(channel, data)`` (the pub/sub replies) keeps one HTTP/1.1 connection to Centrifugo open and sends
    the replies that wait while a request is in flight together, as one ``/api/batch`` request: under load a reply
    costs a fraction of a request instead of a connection, a thread and a request each. With ``batch=False`` (or
    when called from another event loop than the first one, as Django's per-job loops are) it publishes through
    ``publish_sync`` in a thread, over a keep-alive connection per thread.
    """

    def __init__(self, url: str, api_key: str, *, timeout: float = 10.0, batch: bool = True,
                 max_batch: int = 256) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"Centrifugo API URL must be http(s)://..., got {url!r}")
        if parts.path in ("", "/"):
            url = url.rstrip("/") + "/api"
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.batch = batch
        self.max_batch = max_batch
        split = urllib.parse.urlsplit(self.url)
        self._tls = split.scheme == "https"
        self._host = split.hostname or "127.0.0.1"
        self._port = split.port or (443 if self._tls else 80)
        self._path = split.path
        self._local = threading.local()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: list[tuple[str, Any, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None
        self._stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.batches = 0  # batch requests sent (with ``published`` below: the mean batch size)
        self.published = 0

    # -- synchronous: one keep-alive connection per thread ---------------------------------------------------
    def _sync_connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self._tls else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def call_sync(self, method: str, params: Mapping[str, Any]) -> Any:
        body = json.dumps(params, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-API-Key": self.api_key}
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile fails once: reconnect
            conn = self._sync_connection()
            try:
                conn.request("POST", f"{self._path}/{method}", body=body, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                break
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise CentrifugoAPIError(f"Centrifugo API {method}: {exc}") from exc
        if resp.status != 200:
            raise CentrifugoAPIError(f"Centrifugo API {method}: HTTP {resp.status}")
        return _api_result(method, raw)

    def publish_sync(self, channel: str, data: Any) -> Any:
        return self.call_sync("publish", {"channel": channel, "data": data})

    # -- asynchronous: batched over one connection -----------------------------------------------------------
    async def publish(self, channel: str, data: Any) -> Any:
        loop = asyncio.get_running_loop()
        if self._loop is None and self.batch:
            self._loop = loop
        if loop is not self._loop:
            return await asyncio.to_thread(self.publish_sync, channel, data)
        future: asyncio.Future = loop.create_future()
        self._queue.append((channel, data, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        """Send what is queued, one batch at a time; replies queued meanwhile go in the next batch."""
        while self._queue:
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
            commands = [{"publish": {"channel": channel, "data": data}} for channel, data, _ in batch]
            try:
                answer = await asyncio.wait_for(self._post("batch", {"commands": commands}), self.timeout)
                replies = answer.get("replies") if isinstance(answer, dict) else None
                if not isinstance(replies, list) or len(replies) != len(batch):
                    raise CentrifugoAPIError("Centrifugo API batch: the answer does not match the request")
            except Exception as exc:  # every reply of the batch fails the same way
                await self._close_stream()
                error = exc if isinstance(exc, CentrifugoAPIError) else CentrifugoAPIError(
                    f"Centrifugo API batch: {type(exc).__name__}: {exc}")
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            self.batches += 1
            self.published += len(batch)
            for (_, _, future), reply in zip(batch, replies):
                if future.done():
                    continue
                err = reply.get("error") if isinstance(reply, dict) else None
                if err:
                    future.set_exception(CentrifugoAPIError(
                        f"Centrifugo API publish: error {err.get('code')}: {err.get('message')}"))
                else:
                    future.set_result(reply.get("publish") if isinstance(reply, dict) else None)

    async def _post(self, method: str, params: Any) -> Any:
        body = json.dumps(params, separators=(",", ":")).encode()
        head = (f"POST {self._path}/{method} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\n"
                f"Content-Type: application/json\r\nX-API-Key: {self.api_key}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile fails once: reconnect
            reused = self._stream is not None
            if self._stream is None:
                self._stream = await asyncio.open_connection(self._host, self._port, ssl=True if self._tls else None)
            reader, writer = self._stream
            try:
                writer.write(head + body)
                await writer.drain()
                status, raw, keep = await _read_response(reader)
                break
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                await self._close_stream()
                if attempt == 2 or not reused:
                    raise CentrifugoAPIError(f"Centrifugo API {method}: {type(exc).__name__}: {exc}") from exc
        if not keep:
            await self._close_stream()
        if status != 200:
            raise CentrifugoAPIError(f"Centrifugo API {method}: HTTP {status}")
        return _api_result(method, raw)

    async def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream[1].close()
            with contextlib.suppress(Exception):
                await stream[1].wait_closed()

    async def aclose(self) -> None:
        """Close the kept-alive connection (server shutdown)."""
        if self._flusher is not None and not self._flusher.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._flusher), self.timeout)
        await self._close_stream()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """One HTTP/1.1 response: (status, body, whether the connection stays open). Content-Length or chunked."""
    status_line = await reader.readuntil(b"\r\n")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP response: {status_line[:40]!r}")
    status = int(parts[1])
    length, chunked, keep = None, False, parts[0] == b"HTTP/1.1"
    while True:
        line = await reader.readuntil(b"\r\n")
        if line == b"\r\n":
            break
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value:
            chunked = True
        elif name == b"connection":
            keep = value != b"close"
    if chunked:
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        return status, b"".join(chunks), keep
    if length is None:  # body until the connection closes
        return status, await reader.read(), False
    return status, await reader.readexactly(length), keep


def _api_result(method: str, raw: bytes) -> Any:
    try:
        answer = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise CentrifugoAPIError(f"Centrifugo API {method}: answer is not JSON") from exc
    if isinstance(answer, dict) and answer.get("error"):
        err = answer["error"]
        raise CentrifugoAPIError(f"Centrifugo API {method}: error {err.get('code')}: {err.get('message')}")
    if method == "batch":
        return answer
    return answer.get("result") if isinstance(answer, dict) else answer


Job = Callable[[], Awaitable[None]]


def _proxy_data(body: Mapping[str, Any]) -> tuple[Any, bool]:
    """The payload of a proxy request: ``data`` (JSON encoding) or ``b64data`` (protobuf clients)."""
    if body.get("b64data"):
        raw = base64.b64decode(body["b64data"], validate=True)
        return json.loads(raw), True
    return body.get("data"), False


def _take_trace(params: Any) -> tuple[Any, Any]:
    """A pub/sub request's params without their ``$trace`` member (the caller's trace context, not a param: the
    TypeScript SDK sends it there, the other SDKs in the request's ``trace``), and that member (None without one)."""
    if not isinstance(params, dict) or TRACE_FIELD not in params:
        return params, None
    params = dict(params)
    return params, params.pop(TRACE_FIELD)


def _channel_namespace(channel_name: str) -> str | None:
    """Centrifugo's namespace of a channel name: the text before the first ':', None without one."""
    return channel_name.split(":", 1)[0] if ":" in channel_name else None


class Bridge:
    """Dispatches Centrifugo proxy requests to the handlers of a :class:`MessageRouter`.

    ``api``: the Centrifugo server API used to publish pub/sub replies (without it the publish proxy refuses
    requests with 503). ``ack_after_reply``: when False (the default) the publish proxy answers Centrifugo at once
    and runs the handler afterwards; when True it answers only after the reply was published.
    """

    def __init__(
        self,
        router: MessageRouter,
        *,
        api: CentrifugoAPI | None = None,
        ack_after_reply: bool = False,
        limits: Limits | None = None,
        logger: logging.Logger | None = None,
        telemetry: BridgeObserver | None = None,
        contract: ContractPolicy | None = None,
        contract_hash: str | None = None,
    ) -> None:
        self.router = router
        self.telemetry = telemetry  # rpcc.telemetry: called around every call when set
        self.api = api
        self.ack_after_reply = ack_after_reply
        self.limits = limits or Limits()
        self.log = logger or log
        self._tasks: set[asyncio.Task] = set()
        self._slots = _Slots(self.limits.max_concurrency)
        # Counters (read them, e.g. on /health): calls refused because max_concurrency handlers were running,
        # handlers cancelled after the timeout, replies refused as too large.
        # One-way calls: run to the end (oneway), refused or failed (oneway_failed; logged, never answered).
        self.stats: dict[str, int] = {"busy": 0, "timed_out": 0, "reply_too_large": 0, "oneway": 0,
                                      "oneway_failed": 0}
        # The contract: the policy for clients of another contract, and the hash of the handlers served (computed
        # here unless given; None when the handlers use what the IDL cannot express: nothing is compared then).
        self.contract = contract or ContractPolicy()
        self.contract_hash = contract_hash if contract_hash is not None else self._own_contract_hash()
        self.stats.update(contract_match=0, contract_compatible=0, contract_mismatch=0, contract_older=0,
                          contract_missing=0)
        self._logged_contracts: set[str | None] = set()

    def _own_contract_hash(self) -> str | None:
        from .exporter import ExportError, handlers_contract_hash

        try:
            return handlers_contract_hash(self.router.handlers(), self.router.channels())
        except ExportError as exc:
            if self.contract.on_mismatch != "accept" or self.contract.on_missing != "accept":
                raise ValueError(f"the contract hash of the handlers cannot be computed, so clients' hashes cannot "
                                 f"be compared: {exc}") from exc
            self.log.warning("the contract hash of the handlers cannot be computed (%s): clients' hashes are not "
                             "compared", exc)
            return None

    def check_contract(self, client: Any, conn: Connection) -> Outcome | None:
        """Compare a client's contract hash (None: it sent none) with the bridge's; count it; the error to answer
        when the policy refuses the call, else None."""
        own = self.contract_hash
        if own is None:
            return None
        if client is None:
            self.stats["contract_missing"] += 1
            action = self.contract.on_missing
            if action == "accept":
                return None
            message = f"the client sent no contract hash (an SDK older than the server's contract {own})"
            return self._contract_refusal(action, None, conn, CODE_CONTRACT_OLDER, message)
        if client == own:
            self.stats["contract_match"] += 1
            return None
        if isinstance(client, str) and client in self.contract.compatible:
            self.stats["contract_compatible"] += 1
            return None
        self.stats["contract_mismatch"] += 1
        # What the client sent is shown as it is when it looks like a hash, else quoted and cut (logs stay one line).
        if isinstance(client, str):
            shown = client if _HASH_TEXT.fullmatch(client) else repr(client[:MAX_CONTRACT_TEXT])
        else:
            shown = f"<{type(client).__name__}>"
        if isinstance(client, str) and client in self.contract.older:
            self.stats["contract_older"] += 1
            message = f"the client's contract {shown} is older than the server's {own}: update the client"
            code = CODE_CONTRACT_OLDER
        else:
            message = (f"the client's contract {shown} differs from the server's {own}: generate the client from "
                       "the server's current .rpc file")
            code = CODE_CONTRACT_MISMATCH
        action = self.contract.on_mismatch
        if action == "accept":
            return None
        return self._contract_refusal(action, shown, conn, code, message)

    def _contract_refusal(self, action: str, shown: str | None, conn: Connection, code: int,
                          message: str) -> Outcome | None:
        if action == "log":
            if shown not in self._logged_contracts and len(self._logged_contracts) < MAX_LOGGED_CONTRACTS:
                self._logged_contracts.add(shown)
                self.log.warning("%s (user=%r client=%r transport=%s; logged once per hash)", message,
                                 conn.user_id, conn.client_id, conn.transport)
            return None
        return Outcome.error(code, message)

    @property
    def running(self) -> int:
        """Handlers running now (bounded by ``limits.max_concurrency``)."""
        return self._slots.used

    def _busy(self) -> Outcome:
        self.stats["busy"] += 1
        return Outcome.error(CODE_BUSY, f"server busy: {self.limits.max_concurrency} calls are running, retry later",
                             temporary=True)

    # -- the core --------------------------------------------------------------------------------------------
    async def call(self, method: Any, params: Any, conn: Connection, *, timeout: float | None = None) -> Outcome:
        """Validate ``params`` for ``method``, run its handler (cancelled after ``timeout`` seconds, by default
        ``limits.handler_timeout``), serialize the result."""
        handler = self.router.get(method) if isinstance(method, str) else None
        if handler is None:
            shown = method if isinstance(method, str) else type(method).__name__
            return Outcome.error(CODE_NOT_FOUND, f"unknown method {shown[:200]!r}")
        args: tuple = (conn,)
        if handler.params_model is not None:
            try:
                raw = json.dumps({} if params is None else params)
                args = (conn, handler.params_model.model_validate_json(raw))
            except ValidationError as exc:
                if self.telemetry is not None:
                    self.telemetry.validation_failed(handler.method, conn.transport)
                return Outcome.error(CODE_BAD_REQUEST, format_validation_error(exc))
            except (TypeError, ValueError) as exc:  # not JSON-serializable input: cannot happen from a proxy
                return Outcome.error(CODE_BAD_REQUEST, f"invalid params: {type(exc).__name__}")
        limit = self.limits.handler_timeout if timeout is None else timeout
        # The handler runs in the caller's task; a timer cancels that task at the limit (what asyncio.timeout does
        # on 3.11, without a task per call).
        task = asyncio.current_task()
        assert task is not None, "Bridge.call runs in an asyncio task"
        fired = False

        def expire() -> None:
            nonlocal fired
            fired = True
            task.cancel()

        timer = asyncio.get_running_loop().call_later(limit, expire)
        try:
            result = await handler.func(*args)
        except RPCError as exc:
            return Outcome.error(exc.code, exc.message)
        except asyncio.CancelledError:
            if not fired:  # our caller gave up (the HTTP request went away): so does the handler
                raise
            if hasattr(task, "uncancel"):
                task.uncancel()
            return self._timed_out(handler, conn, limit)
        except Exception:
            self.log.exception("handler %s (%s) failed; user=%r client=%r transport=%s", handler.method,
                               handler.qualname, conn.user_id, conn.client_id, conn.transport)
            return Outcome.error(CODE_INTERNAL, INTERNAL_MESSAGE)
        finally:
            timer.cancel()
        if fired:  # the handler swallowed the cancellation and returned: still too late
            if hasattr(task, "uncancel"):
                task.uncancel()
            return self._timed_out(handler, conn, limit)
        if handler.oneway:  # nothing to serialize: the caller answers nothing useful
            return Outcome(text="{}")
        try:
            text = self.serialize_json(handler, result)
        except Exception:
            self.log.exception("handler %s (%s) returned a value that does not serialize as %s", handler.method,
                               handler.qualname, handler.result_model.__name__)
            return Outcome.error(CODE_INTERNAL, INTERNAL_MESSAGE)
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
        if size > self.limits.max_reply:
            self.stats["reply_too_large"] += 1
            self.log.warning("handler %s (%s) returned %d bytes, more than the %d a reply may have: refused",
                             handler.method, handler.qualname, size, self.limits.max_reply)
            return Outcome.error(CODE_TOO_LARGE, f"the reply of {handler.method} is {size} bytes, more than the "
                                                 f"{self.limits.max_reply} a message may carry")
        return Outcome(text=text)

    # -- telemetry (only with an observer) ---------------------------------------------------------------------
    def _observe(self, method: Any, transport: str, trace: dict[str, str] | None) -> ServerCall:
        known = isinstance(method, str) and self.router.get(method) is not None
        call = ServerCall(method if known else UNKNOWN_METHOD, transport, trace)
        assert self.telemetry is not None
        self.telemetry.call_started(call)
        return call

    def _observed(self, call: ServerCall, out: Outcome) -> None:
        call.finish(out.code, out.message)
        assert self.telemetry is not None
        self.telemetry.call_finished(call)

    def _timed_out(self, handler: Handler, conn: Connection, limit: float) -> Outcome:
        self.stats["timed_out"] += 1
        self.log.warning("handler %s (%s) still running after %gs: cancelled; user=%r client=%r transport=%s",
                         handler.method, handler.qualname, limit, conn.user_id, conn.client_id, conn.transport)
        return Outcome.error(CODE_TIMEOUT, f"{handler.method} did not finish within {limit:g}s", temporary=True)

    @staticmethod
    def serialize(handler: Handler, result: Any) -> Any:
        return json.loads(Bridge.serialize_json(handler, result))

    @staticmethod
    def serialize_json(handler: Handler, result: Any) -> str:
        """The result as the JSON text of the handler's result model."""
        model = handler.result_model
        if type(result) is not model:
            if isinstance(result, BaseModel):
                result = model.model_validate(result.model_dump(mode="python", by_alias=False), from_attributes=True)
            else:
                result = model.model_validate(result, from_attributes=True)
        return result.model_dump_json(by_alias=True)

    # -- RPC proxy -------------------------------------------------------------------------------------------
    async def rpc_proxy(self, body: Mapping[str, Any]) -> dict:
        """Answer one Centrifugo RPC proxy request (``{"client","user","method","data",...}``)."""
        return json.loads(await self.rpc_proxy_json(body))

    async def rpc_proxy_json(self, body: Mapping[str, Any]) -> bytes:
        """:meth:`rpc_proxy`'s answer as JSON bytes, with the result's JSON text embedded as it is."""
        try:
            data, binary = _proxy_data(body)
        except (ValueError, binascii.Error):
            return _dump({"error": {"code": CODE_BAD_REQUEST, "message": "request data is not JSON"}})
        contract = None
        if isinstance(data, dict) and CONTRACT_FIELD in data:
            data = dict(data)
            contract = data.pop(CONTRACT_FIELD)
        conn = Connection(
            user_id=str(body.get("user") or ""),
            client_id=str(body.get("client") or ""),
            transport="rpc",
            meta=body.get("meta"),
            contract=contract if isinstance(contract, str) else None,
        )
        trace = None
        if isinstance(data, dict) and TRACE_FIELD in data:  # the caller's trace context, not a param
            trace = extract_trace(data.pop(TRACE_FIELD))
        method = body.get("method")
        observed = None if self.telemetry is None else self._observe(method, "rpc", trace)
        refusal = self.check_contract(contract, conn)
        if refusal is not None:
            if observed is not None:
                self._observed(observed, refusal)
            return _dump({"error": refusal.error_json()})
        handler = self.router.get(method) if isinstance(method, str) else None
        if handler is not None and handler.oneway:
            oneway_out = await self.run_oneway(handler, data, conn)
            if observed is not None:
                self._observed(observed, oneway_out)
            return b'{"result":{}}'  # Centrifugo always replies to an rpc command; the SDKs discard this one
        if not self._slots.try_acquire():
            out = self._busy()
        else:
            try:
                out = await self.call(method, data, conn)
            finally:
                self._slots.release()
        if observed is not None:
            self._observed(observed, out)
        if not out.ok:
            return _dump({"error": out.error_json()})
        text = out.text if out.text is not None else json.dumps(out.data)
        if binary:
            return _dump({"result": {"b64data": base64.b64encode(text.encode()).decode()}})
        return b'{"result":{"data":' + text.encode() + b"}}"

    # -- typed channels: subscribe proxy, client publications ------------------------------------------------
    def handles_channel(self, channel_name: str) -> bool:
        """Whether ``channel_name`` is in a namespace of a declared channel (Centrifugo's reading: the text before
        the first ':', none without one): the publish proxy checks such publications as channel publications."""
        namespace = _channel_namespace(channel_name)
        return any(ch.namespace == namespace for ch in self.router.channels())

    def resolve_channel(self, channel_name: Any) -> tuple[Channel[Any], dict[str, Any]] | Outcome:
        """The declared channel that ``channel_name`` is and its parameter values, or the error to answer: 102 when
        no pattern matches, 103 when it reads in more than one way (a guard must not decide for another reading)."""
        if not isinstance(channel_name, str) or not channel_name:
            return Outcome.error(CODE_UNKNOWN_CHANNEL, "unknown channel")
        found: list[tuple[Channel[Any], dict[str, Any]]] = []
        namespace = _channel_namespace(channel_name)
        for ch in self.router.channels():
            if ch.namespace != namespace:  # a pattern's namespace is literal: only its own can match
                continue
            found += [(ch, values) for values in ch.match(channel_name)]
            if len(found) > 1:
                self.log.warning("refused ambiguous channel %r: it reads as %s and %s", channel_name,
                                 found[0][0].name, found[1][0].name)
                return Outcome.error(CODE_PERMISSION_DENIED, "permission denied: ambiguous channel name")
        if not found:
            return Outcome.error(CODE_UNKNOWN_CHANNEL, "unknown channel")
        return found[0]

    async def _ask_guard(self, ch: Channel[Any], func: Callable[..., Awaitable[bool]], conn: Connection,
                         args: tuple[Any, ...], params: Mapping[str, Any]) -> Outcome | None:
        """None when the guard lets the user in (it returned True), else the error to answer. It gets as long as
        Centrifugo waits for the proxy that asks (and no longer than a handler)."""
        if not self._slots.try_acquire():
            return self._busy()
        proxy_timeout = self.limits.publish_timeout if conn.transport == "publish" else self.limits.subscribe_timeout
        limit = min(self.limits.handler_timeout, proxy_timeout)
        try:
            allowed = await asyncio.wait_for(func(conn, *args, **params), limit)
        except RPCError as exc:
            return Outcome.error(exc.code, exc.message)
        except asyncio.TimeoutError:
            self.stats["timed_out"] += 1
            self.log.warning("guard of channel %s still running after %gs: cancelled; user=%r", ch.name, limit,
                             conn.user_id)
            return Outcome.error(CODE_TIMEOUT, f"the guard of {ch.name} did not finish within {limit:g}s",
                                 temporary=True)
        except Exception:
            self.log.exception("guard of channel %s failed; user=%r client=%r", ch.name, conn.user_id,
                               conn.client_id)
            return Outcome.error(CODE_INTERNAL, INTERNAL_MESSAGE)
        finally:
            self._slots.release()
        if allowed is True:
            return None
        return Outcome.error(CODE_PERMISSION_DENIED, "permission denied")

    async def _authorize(self, ch: Channel[Any], channel_name: str, conn: Connection, params: Mapping[str, Any],
                         publication: Any = _UNSET) -> Outcome | None:
        """Who may subscribe (and, for ``conn.transport == "publish"``, publish): the publish guard (given the
        ``publication``), the channel's guard, or for "user" channels the users after '#', or anyone for "any"
        channels."""
        publishing = conn.transport == "publish"
        if publishing and ch.publish_guard_func is not None and publication is not _UNSET:
            return await self._ask_guard(ch, ch.publish_guard_func, conn, (publication,), params)
        if ch.subscribe_guard_func is not None:
            return await self._ask_guard(ch, ch.subscribe_guard_func, conn, (), params)
        if ch.subscribe == "any":
            return None
        if ch.subscribe == "user" and conn.user_id in ch.users(channel_name):
            return None
        if ch.subscribe == "guard":
            self.log.warning("channel %s has no guard: refused %s by user %r", ch.name,
                             "a publication" if publishing else "a subscription", conn.user_id)
        return Outcome.error(CODE_PERMISSION_DENIED, "permission denied")

    async def subscribe_proxy(self, body: Mapping[str, Any]) -> dict:
        """Answer one Centrifugo subscribe proxy request (``{"client","user","channel",...}``): ``{"result": {}}``
        lets the client subscribe, ``{"error": {...}}`` refuses (103 permission denied, 102 unknown channel)."""
        name = body.get("channel")
        resolved = self.resolve_channel(name)
        if isinstance(resolved, Outcome):
            return {"error": resolved.error_json()}
        ch, params = resolved
        user = str(body.get("user") or "")
        if not user:
            return _refuse(CODE_PERMISSION_DENIED, "permission denied")
        conn = Connection(user_id=user, client_id=str(body.get("client") or ""), transport="subscribe",
                          meta=body.get("meta"))
        refused = await self._authorize(ch, str(name), conn, params)
        if refused is not None:
            return {"error": refused.error_json()}
        return {"result": {}}

    async def channel_publish(self, body: Mapping[str, Any]) -> dict:
        """Answer a publish proxy request into a typed channel: refused unless the channel takes client
        publications, the user may publish (guard) and the data validates as the publication type; accepted
        publications go out in their validated, re-serialized form (``result.data``)."""
        name = body.get("channel")
        resolved = self.resolve_channel(name)
        if isinstance(resolved, Outcome):
            return {"error": resolved.error_json()}
        ch, params = resolved
        user = str(body.get("user") or "")
        if not user or not ch.client_publish:
            self.log.info("refused a client publication into %r (channel %s) by user %r", name, ch.name, user)
            return _refuse(CODE_PERMISSION_DENIED, "permission denied")
        conn = Connection(user_id=user, client_id=str(body.get("client") or ""), transport="publish",
                          meta=body.get("meta"))
        if ch.publish_guard_func is None:  # authorized before the data is looked at
            refused = await self._authorize(ch, str(name), conn, params)
            if refused is not None:
                return {"error": refused.error_json()}
        try:
            data, binary = _proxy_data(body)
        except (ValueError, binascii.Error):
            return _refuse(CODE_BAD_REQUEST, "publication data is not JSON")
        try:
            value = ch.decode_json(json.dumps(data))
            canonical = ch.encode(value)
        except ValidationError as exc:
            return _refuse(CODE_BAD_REQUEST, format_errors(exc)[:MAX_MESSAGE])
        except PublicationError as exc:
            return _refuse(CODE_BAD_REQUEST, str(exc)[:MAX_MESSAGE])
        if ch.publish_guard_func is not None:
            refused = await self._authorize(ch, str(name), conn, params, value)
            if refused is not None:
                return {"error": refused.error_json()}
        text = json.dumps(canonical, separators=(",", ":"), ensure_ascii=False)
        if binary:
            return {"result": {"b64data": base64.b64encode(text.encode()).decode()}}
        return {"result": {"data": canonical}}
    # -- one-way methods -------------------------------------------------------------------------------------
    async def run_oneway(self, handler: Handler, params: Any, conn: Connection, *, timeout: float | None = None,
                         slot_taken: bool = False) -> Outcome:
        """Run a one-way call: validated and run as any call, its failure logged and counted, never answered (the
        outcome is returned for telemetry only). ``slot_taken``: the caller already holds one of the
        ``max_concurrency`` slots, which this gives back."""
        if not slot_taken and not self._slots.try_acquire():
            self._busy()
            out = Outcome.error(CODE_BUSY, "server busy")
        else:
            try:
                out = await self.call(handler.method, params, conn, timeout=timeout)
            finally:
                self._slots.release()
        if out.ok:
            self.stats["oneway"] += 1
            return out
        self.stats["oneway_failed"] += 1
        self.log.warning("one-way call %s (%s) failed, not answered: error %s: %s; user=%r client=%r transport=%s",
                         handler.method, handler.qualname, out.code, out.message, conn.user_id, conn.client_id,
                         conn.transport)
        return out

    # -- publish proxy (pub/sub transport) -------------------------------------------------------------------
    async def publish_proxy(self, body: Mapping[str, Any]) -> tuple[dict, Job | None]:
        """Check one publish-proxy request; returns Centrifugo's answer and the job that runs the handler and
        publishes the reply (None when refused). The caller answers first and runs the job afterwards (see
        :meth:`handle_publish`). A publication into the namespace of a typed channel is checked by
        :meth:`channel_publish` instead (no job)."""
        channel_name = body.get("channel")
        if isinstance(channel_name, str) and self.handles_channel(channel_name):
            return await self.channel_publish(body), None
        user = str(body.get("user") or "")
        if not user:
            return _refuse(CODE_FORBIDDEN, "the pub/sub transport needs an authenticated user"), None
        try:
            data, _ = _proxy_data(body)
        except (ValueError, binascii.Error):
            return _refuse(CODE_BAD_REQUEST, "request data is not JSON"), None
        if not isinstance(data, dict):
            return _refuse(CODE_BAD_REQUEST, "a request is a JSON object {method, params, correlation_id, reply_to}"), None
        handler = self.router.get(data["method"]) if isinstance(data.get("method"), str) else None
        if handler is not None and handler.oneway:
            return self._publish_oneway(handler, data, user, body)
        cid = data.get("correlation_id")
        if not isinstance(cid, str) or not cid or len(cid) > MAX_CORRELATION_ID:
            return _refuse(CODE_BAD_REQUEST, f"correlation_id must be a non-empty string of at most "
                                             f"{MAX_CORRELATION_ID} characters"), None
        method = data.get("method")
        if not isinstance(method, str) or not method:
            return _refuse(CODE_BAD_REQUEST, "method must be a non-empty string"), None
        reply_channel = f"user#{user}"
        reply_to = data.get("reply_to")
        if reply_to is not None and reply_to != reply_channel:
            if self.telemetry is not None:
                self.telemetry.spoof_refused("reply_to", "pubsub")
            self.log.warning("refused pub/sub request with reply_to=%r from user %r (client %r)", reply_to, user,
                             body.get("client"))
            return _refuse(CODE_FORBIDDEN, "reply_to must be your own channel user#<your user id>"), None
        if self.api is None:
            return _refuse(CODE_UNAVAILABLE, "the pub/sub transport is not configured on this server"), None
        contract = data.get("contract")
        conn = Connection(user_id=user, client_id=str(body.get("client") or ""), transport="pubsub",
                          meta=body.get("meta"), contract=contract if isinstance(contract, str) else None)
        # A refusal fails the client's publish with the code (as a reply_to of another user does): no reply is sent.
        refusal = self.check_contract(contract, conn)
        if refusal is not None:
            return {"error": refusal.error_json()}, None
        params, carried = _take_trace(data.get("params"))
        api = self.api
        # The slot is taken now, so that a flood is refused (the client's publish fails with 429 temporary) rather
        # than acked and queued; the job gives it back. The caller must run the job it gets.
        trace = None
        if self.telemetry is not None:
            trace = extract_trace(carried if carried is not None else data.get("trace"))
        if not self._slots.try_acquire():
            busy = self._busy()
            if self.telemetry is not None:
                self._observed(self._observe(method, "pubsub", trace), busy)
            return {"error": busy.error_json()}, None
        timeout = self.limits.handler_timeout
        if self.ack_after_reply:
            timeout = min(timeout, self.limits.publish_timeout)

        async def job() -> None:
            observed = None if self.telemetry is None else self._observe(method, "pubsub", trace)
            try:
                out = await self.call(method, params, conn, timeout=timeout)
            except BaseException:  # cancelled (shutdown): the observation still ends
                if observed is not None:
                    self._observed(observed, Outcome.error(CODE_INTERNAL, INTERNAL_MESSAGE))
                raise
            finally:
                self._slots.release()
            reply: dict = {"correlation_id": cid}
            if out.ok:
                reply["result"] = out.data
            else:
                reply["error"] = out.error_json()
            try:
                await api.publish(reply_channel, reply)
            except Exception:
                self.log.exception("cannot publish the reply of %s (correlation_id %r) to %s", method, cid,
                                   reply_channel)
            finally:
                if observed is not None:
                    self._observed(observed, out)

        return {"result": {}}, job

    def _publish_oneway(self, handler: Handler, data: dict, user: str, body: Mapping[str, Any]
                        ) -> tuple[dict, Job | None]:
        """A one-way request ``{method, params}`` (a ``correlation_id`` or ``reply_to`` is ignored: nothing is
        published). Acked at once; the job runs the handler. Refused only when busy, which the client never reads."""
        conn = Connection(user_id=user, client_id=str(body.get("client") or ""), transport="pubsub",
                          meta=body.get("meta"))
        if not self._slots.try_acquire():
            self.stats["oneway_failed"] += 1
            self.log.warning("one-way call %s refused, not answered: %d calls are running; user=%r", handler.method,
                             self.limits.max_concurrency, user)
            return {"error": self._busy().error_json()}, None
        params, _ = _take_trace(data.get("params"))
        timeout = self.limits.handler_timeout
        if self.ack_after_reply:
            timeout = min(timeout, self.limits.publish_timeout)

        async def job() -> None:
            await self.run_oneway(handler, params, conn, timeout=timeout, slot_taken=True)

        return {"result": {}}, job

    async def handle_publish(self, body: Mapping[str, Any]) -> dict:
        """Publish proxy for asyncio servers: answers at once and runs the job on the loop (or waits for it when
        ``ack_after_reply``)."""
        answer, job = await self.publish_proxy(body)
        if job is not None:
            if self.ack_after_reply:
                await job()
            else:
                task = asyncio.get_running_loop().create_task(job())
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        return answer

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the pub/sub jobs still running (server shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


def _dump(answer: Any) -> bytes:
    return json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode()


def _refuse(code: int, message: str) -> dict:
    return {"error": {"code": code, "message": message}}

"""Server bridge: the framework-agnostic core behind Centrifugo's RPC proxy and publish proxy.

``Bridge.call`` validates params with the handler's model, calls the handler and serializes the result.
``Bridge.rpc_proxy`` and ``Bridge.publish_proxy`` turn Centrifugo proxy requests into answers; the ASGI app
(:mod:`rpcc.asgi`) and the Django views (:mod:`rpcc.contrib.django`) are thin shells around them.

Error codes (all in Centrifugo's application range 400..1999):

- 400 invalid params (the message is Pydantic's validation message), or a malformed pub/sub request
- 403 pub/sub: ``reply_to`` is not ``user#<authenticated user>``, or the connection is anonymous
- 404 unknown method
- 413 the reply is larger than the clients' message size limit (``Limits.max_reply``)
- 429 temporary: the bridge already runs ``Limits.max_concurrency`` handlers; the client may retry
- 500 any other exception in a handler (generic message; details only in the server log)
- 503 pub/sub: the bridge has no Centrifugo server API configured, so it cannot reply
- 504 temporary: the handler was still running after ``Limits.handler_timeout`` and was cancelled
- a handler's own :class:`RPCError` code (400..1999)

Only Centrifugo may call the proxy endpoints: :class:`ProxyAuth` checks the shared secret Centrifugo sends in the
``X-Rpcc-Proxy-Secret`` header (its ``*.proxy.http.static_headers``); the HTTP shells answer 401 and run nothing
without it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping, Optional

from pydantic import BaseModel, ValidationError

from .router import Connection, Handler, MessageRouter

__all__ = [
    "Bridge",
    "CentrifugoAPI",
    "CentrifugoAPIError",
    "InsecureBridgeError",
    "Limits",
    "Outcome",
    "PROXY_SECRET_HEADER",
    "ProxyAuth",
    "RPCError",
    "CODE_BAD_REQUEST",
    "CODE_FORBIDDEN",
    "CODE_NOT_FOUND",
    "CODE_INTERNAL",
    "CODE_UNAVAILABLE",
    "CODE_BUSY",
    "CODE_TIMEOUT",
    "CODE_TOO_LARGE",
]

log = logging.getLogger("rpcc.bridge")

CODE_BAD_REQUEST = 400
CODE_FORBIDDEN = 403
CODE_NOT_FOUND = 404
CODE_TOO_LARGE = 413
CODE_BUSY = 429
CODE_INTERNAL = 500
CODE_UNAVAILABLE = 503
CODE_TIMEOUT = 504
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

    def __init__(self, secret: Optional[str], *, insecure_no_auth: bool = False) -> None:
        if secret:
            if len(secret) < MIN_SECRET_LENGTH:
                raise InsecureBridgeError(f"the proxy secret is too short (at least {MIN_SECRET_LENGTH} characters; "
                                          "`python -m rpcc config` generates one)")
            self._secret: Optional[bytes] = secret.encode("utf-8")
        elif insecure_no_auth:
            self._secret = None
        else:
            raise InsecureBridgeError(
                "no proxy secret: set RPCC_PROXY_SECRET (Django: settings.RPCC_PROXY_SECRET) to the value of "
                f"{PROXY_SECRET_HEADER} in Centrifugo's proxy static_headers (`python -m rpcc config` writes both), "
                "or pass --insecure-no-auth (Django: RPCC_INSECURE_NO_AUTH = True) to accept unauthenticated "
                "requests during development")
        self.insecure = self._secret is None

    def check(self, presented: Optional[str | bytes]) -> bool:
        """True when ``presented`` (the header's value, None when absent) is the secret, or auth is off."""
        if self._secret is None:
            return True
        if presented is None:
            return False
        if isinstance(presented, str):
            presented = presented.encode("utf-8", "surrogateescape")
        return hmac.compare_digest(presented, self._secret)

    def warn_if_insecure(self, logger: Optional[logging.Logger] = None) -> None:
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


@dataclass(frozen=True)
class Outcome:
    """The result of one call: ``data`` on success, ``code``/``message`` on error."""

    data: Any = None
    code: Optional[int] = None
    message: Optional[str] = None
    temporary: bool = False  # Centrifugo's flag: the same call may succeed later

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


@dataclass(frozen=True)
class Limits:
    """What bounds the bridge under load (per process; see python/README.md, "Deploying the bridge").

    - ``max_body``: bytes of one proxy request body; a larger one gets HTTP 413 before it is read whole (the
      Content-Length is checked first, then the bytes are counted as they arrive).
    - ``max_concurrency``: handlers running at once; one more call is refused at once with error 429 marked
      ``temporary`` (the client may retry) instead of waiting in a queue.
    - ``handler_timeout``: seconds a handler may run, which should be Centrifugo's ``rpc.proxy.timeout``: a handler
      still running then is cancelled, counted (``Bridge.stats["timed_out"]``) and logged; its caller gets 504
      ``temporary`` (over RPC Centrifugo has already answered the client with error 100).
    - ``publish_timeout``: with ``ack_after_reply`` the handler and the reply's publish must fit in Centrifugo's
      ``channel.proxy.publish.timeout``: the handler gets this much (less when ``handler_timeout`` is lower).
    - ``max_reply``: bytes of a reply's JSON; a larger one is refused with error 413 (clients refuse messages over
      the message size limit, and a connection that receives one is dropped), ``ENVELOPE_ROOM`` bytes under the
      limit for Centrifugo's wrapping.
    """

    max_body: int = 256 * 1024
    max_concurrency: int = 256
    handler_timeout: float = 10.0
    publish_timeout: float = 3.0
    max_reply: int = 65536 - ENVELOPE_ROOM

    def __post_init__(self) -> None:
        for name in ("max_body", "max_concurrency", "max_reply"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")
        for name in ("handler_timeout", "publish_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be above 0 seconds")

    @classmethod
    def for_message_size(cls, message_size_limit: int, **kw: Any) -> "Limits":
        """Limits matching Centrifugo's ``websocket.message_size_limit``: replies under it, request bodies (the
        client's message, maybe base64, plus Centrifugo's fields) under four times it."""
        kw.setdefault("max_reply", max(1, message_size_limit - ENVELOPE_ROOM))
        kw.setdefault("max_body", 4 * message_size_limit)
        return cls(**kw)


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
    """

    def __init__(self, url: str, api_key: str, *, timeout: float = 10.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"Centrifugo API URL must be http(s)://..., got {url!r}")
        if parts.path in ("", "/"):
            url = url.rstrip("/") + "/api"
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def call_sync(self, method: str, params: Mapping[str, Any]) -> Any:
        body = json.dumps(params, separators=(",", ":")).encode()
        req = urllib.request.Request(
            f"{self.url}/{method}",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-API-Key": self.api_key},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - URL is configuration
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise CentrifugoAPIError(f"Centrifugo API {method}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise CentrifugoAPIError(f"Centrifugo API {method}: {exc}") from exc
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise CentrifugoAPIError(f"Centrifugo API {method}: answer is not JSON") from exc
        if isinstance(answer, dict) and answer.get("error"):
            err = answer["error"]
            raise CentrifugoAPIError(f"Centrifugo API {method}: error {err.get('code')}: {err.get('message')}")
        return answer.get("result") if isinstance(answer, dict) else answer

    def publish_sync(self, channel: str, data: Any) -> Any:
        return self.call_sync("publish", {"channel": channel, "data": data})

    async def publish(self, channel: str, data: Any) -> Any:
        return await asyncio.to_thread(self.publish_sync, channel, data)


Job = Callable[[], Awaitable[None]]


def _proxy_data(body: Mapping[str, Any]) -> tuple[Any, bool]:
    """The payload of a proxy request: ``data`` (JSON encoding) or ``b64data`` (protobuf clients)."""
    if body.get("b64data"):
        raw = base64.b64decode(body["b64data"], validate=True)
        return json.loads(raw), True
    return body.get("data"), False


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
        api: Optional[CentrifugoAPI] = None,
        ack_after_reply: bool = False,
        limits: Optional[Limits] = None,
        logger: Optional[logging.Logger] = None,
    ) -> None:
        self.router = router
        self.api = api
        self.ack_after_reply = ack_after_reply
        self.limits = limits or Limits()
        self.log = logger or log
        self._tasks: set[asyncio.Task] = set()
        self._slots = _Slots(self.limits.max_concurrency)
        # Counters (read them, e.g. on /health): calls refused because max_concurrency handlers were running,
        # handlers cancelled after the timeout, replies refused as too large.
        self.stats: dict[str, int] = {"busy": 0, "timed_out": 0, "reply_too_large": 0}

    @property
    def running(self) -> int:
        """Handlers running now (bounded by ``limits.max_concurrency``)."""
        return self._slots.used

    def _busy(self) -> Outcome:
        self.stats["busy"] += 1
        return Outcome.error(CODE_BUSY, f"server busy: {self.limits.max_concurrency} calls are running, retry later",
                             temporary=True)

    # -- the core --------------------------------------------------------------------------------------------
    async def call(self, method: Any, params: Any, conn: Connection, *, timeout: Optional[float] = None) -> Outcome:
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
                return Outcome.error(CODE_BAD_REQUEST, format_validation_error(exc))
            except (TypeError, ValueError) as exc:  # not JSON-serializable input: cannot happen from a proxy
                return Outcome.error(CODE_BAD_REQUEST, f"invalid params: {type(exc).__name__}")
        limit = self.limits.handler_timeout if timeout is None else timeout
        task = asyncio.ensure_future(handler.func(*args))
        try:
            done, _ = await asyncio.wait((task,), timeout=limit)
        except asyncio.CancelledError:  # our caller gave up (the HTTP request went away): so does the handler
            task.cancel()
            raise
        if not done:
            task.cancel()
            task.add_done_callback(_consume)
            self.stats["timed_out"] += 1
            self.log.warning("handler %s (%s) still running after %gs: cancelled; user=%r client=%r transport=%s",
                             handler.method, handler.qualname, limit, conn.user_id, conn.client_id, conn.transport)
            return Outcome.error(CODE_TIMEOUT, f"{handler.method} did not finish within {limit:g}s",
                                 temporary=True)
        try:
            result = task.result()
        except RPCError as exc:
            return Outcome.error(exc.code, exc.message)
        except Exception:
            self.log.exception("handler %s (%s) failed; user=%r client=%r transport=%s", handler.method,
                               handler.qualname, conn.user_id, conn.client_id, conn.transport)
            return Outcome.error(CODE_INTERNAL, INTERNAL_MESSAGE)
        except asyncio.CancelledError:  # the handler cancelled itself
            self.log.error("handler %s (%s) was cancelled", handler.method, handler.qualname)
            return Outcome.error(CODE_INTERNAL, INTERNAL_MESSAGE)
        try:
            data, size = self.serialize_sized(handler, result)
        except Exception:
            self.log.exception("handler %s (%s) returned a value that does not serialize as %s", handler.method,
                               handler.qualname, handler.result_model.__name__)
            return Outcome.error(CODE_INTERNAL, INTERNAL_MESSAGE)
        if size > self.limits.max_reply:
            self.stats["reply_too_large"] += 1
            self.log.warning("handler %s (%s) returned %d bytes, more than the %d a reply may have: refused",
                             handler.method, handler.qualname, size, self.limits.max_reply)
            return Outcome.error(CODE_TOO_LARGE, f"the reply of {handler.method} is {size} bytes, more than the "
                                                 f"{self.limits.max_reply} a message may carry")
        return Outcome(data=data)

    @staticmethod
    def serialize(handler: Handler, result: Any) -> Any:
        return Bridge.serialize_sized(handler, result)[0]

    @staticmethod
    def serialize_sized(handler: Handler, result: Any) -> tuple[Any, int]:
        """The result as JSON data, and the size of its JSON text in bytes."""
        model = handler.result_model
        if type(result) is not model:
            if isinstance(result, BaseModel):
                result = model.model_validate(result.model_dump(mode="python", by_alias=False), from_attributes=True)
            else:
                result = model.model_validate(result, from_attributes=True)
        text = result.model_dump_json(by_alias=True)
        return json.loads(text), len(text.encode("utf-8")) if not text.isascii() else len(text)

    # -- RPC proxy -------------------------------------------------------------------------------------------
    async def rpc_proxy(self, body: Mapping[str, Any]) -> dict:
        """Answer one Centrifugo RPC proxy request (``{"client","user","method","data",...}``)."""
        try:
            data, binary = _proxy_data(body)
        except (ValueError, binascii.Error):
            return {"error": {"code": CODE_BAD_REQUEST, "message": "request data is not JSON"}}
        conn = Connection(
            user_id=str(body.get("user") or ""),
            client_id=str(body.get("client") or ""),
            transport="rpc",
            meta=body.get("meta"),
        )
        if not self._slots.try_acquire():
            return {"error": self._busy().error_json()}
        try:
            out = await self.call(body.get("method"), data, conn)
        finally:
            self._slots.release()
        if not out.ok:
            return {"error": out.error_json()}
        if binary:
            return {"result": {"b64data": base64.b64encode(json.dumps(out.data).encode()).decode()}}
        return {"result": {"data": out.data}}

    # -- publish proxy (pub/sub transport) -------------------------------------------------------------------
    async def publish_proxy(self, body: Mapping[str, Any]) -> tuple[dict, Optional[Job]]:
        """Check one publish-proxy request; returns Centrifugo's answer and the job that runs the handler and
        publishes the reply (None when refused). The caller answers first and runs the job afterwards (see
        :meth:`handle_publish`)."""
        user = str(body.get("user") or "")
        if not user:
            return _refuse(CODE_FORBIDDEN, "the pub/sub transport needs an authenticated user"), None
        try:
            data, _ = _proxy_data(body)
        except (ValueError, binascii.Error):
            return _refuse(CODE_BAD_REQUEST, "request data is not JSON"), None
        if not isinstance(data, dict):
            return _refuse(CODE_BAD_REQUEST, "a request is a JSON object {method, params, correlation_id, reply_to}"), None
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
            self.log.warning("refused pub/sub request with reply_to=%r from user %r (client %r)", reply_to, user,
                             body.get("client"))
            return _refuse(CODE_FORBIDDEN, "reply_to must be your own channel user#<your user id>"), None
        if self.api is None:
            return _refuse(CODE_UNAVAILABLE, "the pub/sub transport is not configured on this server"), None
        conn = Connection(user_id=user, client_id=str(body.get("client") or ""), transport="pubsub",
                          meta=body.get("meta"))
        params = data.get("params")
        api = self.api
        # The slot is taken now, so that a flood is refused (the client's publish fails with 429 temporary) rather
        # than acked and queued; the job gives it back. The caller must run the job it gets.
        if not self._slots.try_acquire():
            return {"error": self._busy().error_json()}, None
        timeout = self.limits.handler_timeout
        if self.ack_after_reply:
            timeout = min(timeout, self.limits.publish_timeout)

        async def job() -> None:
            try:
                out = await self.call(method, params, conn, timeout=timeout)
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

    async def drain(self, timeout: Optional[float] = None) -> None:
        """Wait for the pub/sub jobs still running (server shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


def _consume(task: "asyncio.Future[Any]") -> None:
    """Retrieve the outcome of a cancelled handler task so that asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()


def _refuse(code: int, message: str) -> dict:
    return {"error": {"code": code, "message": message}}

"""A dependency-free ASGI application serving the bridge endpoints.

Routes: ``POST /centrifugo/rpc`` (RPC proxy), ``POST /centrifugo/publish`` (publish proxy), ``POST
/centrifugo/subscribe`` (subscribe proxy of typed channels), ``GET /health``.
Every proxy route needs Centrifugo's shared secret (:class:`rpcc.bridge.ProxyAuth`): without it the answer is 401
and nothing runs.

``create_app()`` builds the app from ``RPCC_*`` environment variables (what ``python -m rpcc serve`` passes to
its worker processes); see :func:`create_app`.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Awaitable, Callable, Mapping, MutableMapping

from .bridge import Bridge, CentrifugoAPI, ContractPolicy, Limits, ProxyAuth

__all__ = ["BridgeApp", "contract_policy_from_env", "create_app", "limits_from_env"]

log = logging.getLogger("rpcc.asgi")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
# A proxy endpoint: the request's JSON object in, the answer out (a JSON-able dict, or JSON bytes as they are).
ProxyHandler = Callable[[Mapping[str, Any]], Awaitable[Any]]

_SECRET_HEADER = ProxyAuth.header.lower().encode("latin-1")


class BridgeApp:
    """The ASGI app. ``secret``: the value Centrifugo sends in ``X-Rpcc-Proxy-Secret``; without one the
    constructor raises :class:`rpcc.bridge.InsecureBridgeError`, unless ``insecure_no_auth=True`` (development
    only: then every start logs a warning)."""

    def __init__(
        self,
        bridge: Bridge,
        *,
        secret: str | None = None,
        insecure_no_auth: bool = False,
        rpc_path: str = "/centrifugo/rpc",
        publish_path: str = "/centrifugo/publish",
        subscribe_path: str = "/centrifugo/subscribe",
        health_path: str = "/health",
        metrics_path: str | None = None,
    ) -> None:
        self.bridge = bridge
        self.auth = ProxyAuth(secret, insecure_no_auth=insecure_no_auth)
        self.auth.warn_if_insecure(log)
        self.rpc_path = rpc_path
        self.publish_path = publish_path
        self.subscribe_path = subscribe_path
        self.health_path = health_path
        self.metrics_path = metrics_path  # Prometheus exposition of rpcc.telemetry.PrometheusMetrics, when set
        # Every proxy endpoint goes through the same authentication and body checks in _proxy: a new one is one
        # more entry here.
        self.proxy_routes: dict[str, ProxyHandler] = {
            rpc_path: bridge.rpc_proxy_json,
            publish_path: bridge.handle_publish,
            subscribe_path: bridge.subscribe_proxy,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if path == self.health_path:
            if method not in ("GET", "HEAD"):
                await _json(send, 405, {"error": "method not allowed"})
                return
            await _json(send, 200, {"status": "ok", "methods": [h.method for h in self.bridge.router.handlers()],
                                    "channels": [ch.name for ch in self.bridge.router.channels()],
                                    "pid": os.getpid(), "running": self.bridge.running, "stats": self.bridge.stats})
            return
        if path == self.metrics_path:
            from .telemetry import prometheus_exposition

            body, content_type = prometheus_exposition()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", content_type.encode()),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        handler = self.proxy_routes.get(path)
        if handler is None:
            await _json(send, 404, {"error": "not found"})
            return
        await self._proxy(scope, receive, send, handler)

    async def _proxy(self, scope: Scope, receive: Receive, send: Send, handler: ProxyHandler) -> None:
        # Authentication comes first: a request without the secret learns nothing else and its body is not read.
        if not self.auth.check(_secret_header(scope)):
            log.warning("refused an unauthenticated request to %s from %s", scope.get("path"), _peer(scope))
            if self.bridge.telemetry is not None:
                transport = "pubsub" if scope.get("path") == self.publish_path else "rpc"
                self.bridge.telemetry.spoof_refused("proxy_secret", transport)
            await _json(send, 401, {"error": "unauthorized"})
            return
        if scope.get("method") != "POST":
            await _json(send, 405, {"error": "method not allowed"})
            return
        max_body = self.bridge.limits.max_body
        if _content_length(scope) > max_body:  # refused before a byte of the body is read
            await _json(send, 413, {"error": f"request body larger than {max_body} bytes"})
            return
        body = await _read_body(receive, max_body)
        if body is None:
            await _json(send, 413, {"error": f"request body larger than {max_body} bytes"})
            return
        try:
            request = json.loads(body)
        except ValueError:
            await _json(send, 400, {"error": "body is not JSON"})
            return
        if not isinstance(request, dict):
            await _json(send, 400, {"error": "body is not a JSON object"})
            return
        await _json(send, 200, await handler(request))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.bridge.drain(timeout=10)
                if self.bridge.api is not None:
                    await self.bridge.api.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _secret_header(scope: Scope) -> bytes | None:
    """The value of X-Rpcc-Proxy-Secret; None when absent or sent more than once (ambiguous)."""
    found: bytes | None = None
    for name, value in scope.get("headers") or ():
        if name.lower() == _SECRET_HEADER:
            if found is not None:
                return None
            found = value
    return found


def _peer(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "?"


def _content_length(scope: Scope) -> int:
    """The declared body size (0 when absent; an unreadable value counts as too large)."""
    for name, value in scope.get("headers") or ():
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 1 << 62
    return 0


async def _read_body(receive: Receive, max_body: int) -> bytes | None:
    """The body, or None as soon as more than ``max_body`` bytes arrived (chunked requests have no length)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _json(send: Send, status: int, payload: Any) -> None:
    if isinstance(payload, bytes):
        body = payload
    else:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


def _env_flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def create_app(env: Mapping[str, str] | None = None) -> BridgeApp:
    """The bridge app from environment variables (``python -m rpcc serve`` sets them for its workers):

    - ``RPCC_HANDLER_MODULES`` (comma-separated, required), ``RPCC_MODULE_PATH`` (``os.pathsep``-separated dirs
      prepended to ``sys.path``)
    - ``RPCC_PROXY_SECRET``, or ``RPCC_INSECURE_NO_AUTH=1`` (development only)
    - ``RPCC_CENTRIFUGO_API_URL`` and ``RPCC_CENTRIFUGO_API_KEY`` (pub/sub replies, and what ``Channel.publish``
      publishes through), ``RPCC_ACK_AFTER_REPLY=1``
    - the limits (:func:`limits_from_env`) and the contract policy (:func:`contract_policy_from_env`)
    - telemetry (:mod:`rpcc.telemetry`): ``RPCC_METRICS=1`` (Prometheus metrics), ``RPCC_METRICS_PATH`` (serve them
      on this path of the app), ``RPCC_OTEL_TRACING=propagated|always`` (OpenTelemetry server spans)

    Use it as an app factory: ``uvicorn --factory rpcc.asgi:create_app``.
    """
    from .discovery import discover

    env = os.environ if env is None else env
    modules = [m for m in env.get("RPCC_HANDLER_MODULES", "").split(",") if m.strip()]
    if not modules:
        raise RuntimeError("RPCC_HANDLER_MODULES is empty: name the handler modules (comma-separated)")
    path = [p for p in env.get("RPCC_MODULE_PATH", "").split(os.pathsep) if p]
    router = discover([m.strip() for m in modules], path=path)
    api_url, api_key = env.get("RPCC_CENTRIFUGO_API_URL"), env.get("RPCC_CENTRIFUGO_API_KEY")
    api = CentrifugoAPI(api_url, api_key) if api_url and api_key else None
    if api is not None:
        from .channels import set_centrifugo_api

        set_centrifugo_api(api)  # handlers publish into typed channels over the bridge's connection
    metrics_path = env.get("RPCC_METRICS_PATH") or None
    telemetry = None
    if metrics_path or _env_flag(env, "RPCC_METRICS") or env.get("RPCC_OTEL_TRACING"):
        from .telemetry import observer_from_settings

        telemetry = observer_from_settings(metrics=bool(metrics_path) or _env_flag(env, "RPCC_METRICS"),
                                           otel=env.get("RPCC_OTEL_TRACING") or None)
    bridge = Bridge(router, api=api, ack_after_reply=_env_flag(env, "RPCC_ACK_AFTER_REPLY"),
                    limits=limits_from_env(env), telemetry=telemetry, contract=contract_policy_from_env(env))
    return BridgeApp(bridge, secret=env.get("RPCC_PROXY_SECRET") or None,
                     insecure_no_auth=_env_flag(env, "RPCC_INSECURE_NO_AUTH"), metrics_path=metrics_path)


LIMIT_VARIABLES = {
    "RPCC_MAX_BODY": ("max_body", int),
    "RPCC_MAX_CONCURRENCY": ("max_concurrency", int),
    "RPCC_HANDLER_TIMEOUT": ("handler_timeout", float),
    "RPCC_PUBLISH_TIMEOUT": ("publish_timeout", float),
    "RPCC_SUBSCRIBE_TIMEOUT": ("subscribe_timeout", float),
    "RPCC_MAX_REPLY": ("max_reply", int),
}


def limits_from_env(env: Mapping[str, str]) -> Limits:
    """:class:`rpcc.bridge.Limits` from ``RPCC_MAX_MESSAGE_SIZE`` (Centrifugo's ``websocket.message_size_limit``,
    which sets the reply and body bounds) and ``RPCC_MAX_BODY``, ``RPCC_MAX_CONCURRENCY``, ``RPCC_HANDLER_TIMEOUT``,
    ``RPCC_PUBLISH_TIMEOUT``, ``RPCC_SUBSCRIBE_TIMEOUT`` (seconds), ``RPCC_MAX_REPLY``; unset ones keep their
    defaults."""
    kw: dict[str, Any] = {}
    for variable, (name, kind) in LIMIT_VARIABLES.items():
        raw = env.get(variable, "").strip()
        if raw:
            try:
                kw[name] = kind(raw)
            except ValueError:
                raise ValueError(f"{variable}={raw!r} is not a number") from None
    raw = env.get("RPCC_MAX_MESSAGE_SIZE", "").strip()
    if raw:
        try:
            size = int(raw)
        except ValueError:
            raise ValueError(f"RPCC_MAX_MESSAGE_SIZE={raw!r} is not a number of bytes") from None
        return Limits.for_message_size(size, **kw)
    return Limits(**kw)


def contract_policy_from_env(env: Mapping[str, str]) -> ContractPolicy:
    """:class:`rpcc.bridge.ContractPolicy` from ``RPCC_CONTRACT_MISMATCH`` and ``RPCC_CONTRACT_MISSING``
    (``accept``, ``log`` or ``refuse``; default ``accept``), ``RPCC_CONTRACT_OLDER`` and
    ``RPCC_CONTRACT_COMPATIBLE`` (comma-separated hashes)."""

    def hashes(name: str) -> frozenset[str]:
        return frozenset(h.strip() for h in env.get(name, "").split(",") if h.strip())

    return ContractPolicy(on_mismatch=env.get("RPCC_CONTRACT_MISMATCH", "").strip() or "accept",
                          on_missing=env.get("RPCC_CONTRACT_MISSING", "").strip() or "accept",
                          older=hashes("RPCC_CONTRACT_OLDER"), compatible=hashes("RPCC_CONTRACT_COMPATIBLE"))

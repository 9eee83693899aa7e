"""A dependency-free ASGI application serving the bridge endpoints.

Routes: ``POST /centrifugo/rpc`` (RPC proxy), ``POST /centrifugo/publish`` (publish proxy), ``GET /health``.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, MutableMapping

from .bridge import Bridge

__all__ = ["BridgeApp", "MAX_BODY"]

log = logging.getLogger("rpcc.asgi")
MAX_BODY = 8 * 1024 * 1024

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class BridgeApp:
    def __init__(
        self,
        bridge: Bridge,
        *,
        rpc_path: str = "/centrifugo/rpc",
        publish_path: str = "/centrifugo/publish",
        health_path: str = "/health",
    ) -> None:
        self.bridge = bridge
        self.rpc_path = rpc_path
        self.publish_path = publish_path
        self.health_path = health_path

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
            await _json(send, 200, {"status": "ok", "methods": [h.method for h in self.bridge.router.handlers()]})
            return
        if path not in (self.rpc_path, self.publish_path):
            await _json(send, 404, {"error": "not found"})
            return
        if method != "POST":
            await _json(send, 405, {"error": "method not allowed"})
            return
        body = await _read_body(receive)
        if body is None:
            await _json(send, 413, {"error": "request too large"})
            return
        try:
            request = json.loads(body)
        except ValueError:
            await _json(send, 400, {"error": "body is not JSON"})
            return
        if not isinstance(request, dict):
            await _json(send, 400, {"error": "body is not a JSON object"})
            return
        if path == self.rpc_path:
            answer = await self.bridge.rpc_proxy(request)
        else:
            answer = await self.bridge.handle_publish(request)
        await _json(send, 200, answer)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.bridge.drain(timeout=10)
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _json(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})

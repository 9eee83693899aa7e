"""Centrifugo proxy endpoints as Django views (sync views: they work under WSGI and ASGI)."""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .bridge import get_auth, get_bridge

log = logging.getLogger("rpcc.django")

# pub/sub jobs run here after the publish proxy was answered (fast ack); each runs its own event loop. The queue is
# bounded: a job holds one of the bridge's max_concurrency slots from before the ack.
_jobs = ThreadPoolExecutor(max_workers=8, thread_name_prefix="rpcc-pubsub")


def _unauthorized(request: HttpRequest) -> HttpResponse | None:
    """401 unless the request carries Centrifugo's secret header; checked before the body is read."""
    auth = get_auth()
    if auth.check(request.headers.get(auth.header)):
        return None
    log.warning("refused an unauthenticated request to %s from %s", request.path, request.META.get("REMOTE_ADDR"))
    return JsonResponse({"error": "unauthorized"}, status=401)


class _TooLarge(Exception):
    pass


def _body(request: HttpRequest, max_body: int):
    """The JSON object of the body; None when it is not one; _TooLarge past ``max_body`` bytes (refused on the
    declared Content-Length before reading, else while reading: at most max_body + 1 bytes are read)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _TooLarge from None
    if declared > max_body:
        raise _TooLarge
    raw = request.read(max_body + 1)
    if len(raw) > max_body:
        raise _TooLarge
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _parse(request: HttpRequest, max_body: int):
    """(body, None) or (None, the error response)."""
    try:
        body = _body(request, max_body)
    except _TooLarge:
        return None, JsonResponse({"error": f"request body larger than {max_body} bytes"}, status=413)
    if body is None:
        return None, JsonResponse({"error": "body is not a JSON object"}, status=400)
    return body, None


@csrf_exempt
@require_POST
def rpc_proxy(request: HttpRequest) -> HttpResponse:
    if (refused := _unauthorized(request)) is not None:
        return refused
    bridge = get_bridge()
    body, refused = _parse(request, bridge.limits.max_body)
    if refused is not None:
        return refused
    return HttpResponse(async_to_sync(bridge.rpc_proxy_json)(body), content_type="application/json")


def _run_job(job) -> None:
    try:
        asyncio.run(job())
    except Exception:  # pragma: no cover - the job logs its own failures
        log.exception("pub/sub job failed")


@csrf_exempt
@require_POST
def publish_proxy(request: HttpRequest) -> HttpResponse:
    if (refused := _unauthorized(request)) is not None:
        return refused
    bridge = get_bridge()
    body, refused = _parse(request, bridge.limits.max_body)
    if refused is not None:
        return refused
    answer, job = async_to_sync(bridge.publish_proxy)(body)
    if job is not None:
        if bridge.ack_after_reply:
            _run_job(job)
        else:
            _jobs.submit(_run_job, job)
    return JsonResponse(answer)


@csrf_exempt
@require_POST
def subscribe_proxy(request: HttpRequest) -> HttpResponse:
    """Centrifugo's subscribe proxy for typed channels: the channel's guard decides."""
    if (refused := _unauthorized(request)) is not None:
        return refused
    bridge = get_bridge()
    body, refused = _parse(request, bridge.limits.max_body)
    if refused is not None:
        return refused
    return JsonResponse(async_to_sync(bridge.subscribe_proxy)(body))

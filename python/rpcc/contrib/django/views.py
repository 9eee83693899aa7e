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

# pub/sub jobs run here after the publish proxy was answered (fast ack); each runs its own event loop
_jobs = ThreadPoolExecutor(max_workers=8, thread_name_prefix="rpcc-pubsub")


def _unauthorized(request: HttpRequest) -> HttpResponse | None:
    """401 unless the request carries Centrifugo's secret header; checked before the body is read."""
    auth = get_auth()
    if auth.check(request.headers.get(auth.header)):
        return None
    log.warning("refused an unauthenticated request to %s from %s", request.path, request.META.get("REMOTE_ADDR"))
    return JsonResponse({"error": "unauthorized"}, status=401)


def _body(request: HttpRequest):
    try:
        data = json.loads(request.body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@csrf_exempt
@require_POST
def rpc_proxy(request: HttpRequest) -> HttpResponse:
    if (refused := _unauthorized(request)) is not None:
        return refused
    body = _body(request)
    if body is None:
        return JsonResponse({"error": "body is not a JSON object"}, status=400)
    return JsonResponse(async_to_sync(get_bridge().rpc_proxy)(body))


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
    body = _body(request)
    if body is None:
        return JsonResponse({"error": "body is not a JSON object"}, status=400)
    bridge = get_bridge()
    answer, job = async_to_sync(bridge.publish_proxy)(body)
    if job is not None:
        if bridge.ack_after_reply:
            _run_job(job)
        else:
            _jobs.submit(_run_job, job)
    return JsonResponse(answer)

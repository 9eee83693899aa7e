"""Bridge telemetry (rpcc.telemetry), in process: the $trace field, the observers' counts and spans, and that nothing
is imported unless asked for; `serve --metrics-port` as a process."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import prometheus_client
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel, ConfigDict

from rpcc import Bridge, MessageRouter, discover
from rpcc.asgi import BridgeApp
from rpcc.telemetry import CompositeObserver, OpenTelemetryTracing, PrometheusMetrics

from tests.fixture.stack import EXAMPLES, free_port

ROUTER = discover(["tasks_handlers", "debug_handlers"])
REPO = Path(__file__).resolve().parents[2]
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def rpc_body(method, data, user="u1"):
    return {"client": "c1", "transport": "websocket", "protocol": "json", "encoding": "json", "user": user,
            "method": method, "data": data}


def call(bridge: Bridge, method, data) -> dict:
    return json.loads(asyncio.run(bridge.rpc_proxy_json(rpc_body(method, data))))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int


class Out(BaseModel):
    n: int


def strict_router() -> MessageRouter:
    router = MessageRouter()

    @router.websocket_rpc("strict.echo")
    async def echo(conn, params: Strict) -> Out:
        return Out(n=params.n)

    return router


def test_the_trace_field_is_removed_before_validation_without_telemetry():
    """A client with its OpenTelemetry hook on calls a bridge with telemetry off, whose model forbids extra fields."""
    bridge = Bridge(strict_router())
    answer = call(bridge, "strict.echo", {"n": 1, "$trace": {"traceparent": TRACEPARENT}})
    assert answer == {"result": {"data": {"n": 1}}}
    assert call(bridge, "strict.echo", {"n": 1, "other": 2})["error"]["code"] == 400  # the control: extra is refused


def test_nothing_is_imported_without_telemetry():
    code = ("import sys, rpcc, rpcc.bridge, rpcc.asgi, rpcc.telemetry, rpcc.cli; "
            "rpcc.asgi.create_app({'RPCC_HANDLER_MODULES': 'tasks_handlers', 'RPCC_MODULE_PATH': sys.argv[1], "
            "'RPCC_INSECURE_NO_AUTH': '1'}); "
            "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('prometheus', 'opentelemetry'))}))")
    for env, expected in (({}, "[]"), ({"RPCC_METRICS": "1", "RPCC_OTEL_TRACING": "propagated"},
                                       "['opentelemetry', 'prometheus_client']")):
        full = code.replace("'RPCC_INSECURE_NO_AUTH': '1'", ", ".join(
            [f"'{k}': '{v}'" for k, v in {"RPCC_INSECURE_NO_AUTH": "1", **env}.items()]))
        proc = subprocess.run([sys.executable, "-c", full, str(EXAMPLES)], capture_output=True, text=True,
                              timeout=60, cwd=REPO)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().splitlines()[-1] == expected


def sample(registry, name, **labels) -> float:
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def test_prometheus_counts_calls_statuses_validation_and_busy():
    registry = prometheus_client.CollectorRegistry()
    bridge = Bridge(ROUTER, telemetry=PrometheusMetrics(registry))
    for n in range(3):
        assert "result" in call(bridge, "debug.echo", {"value": n})
    assert call(bridge, "debug.sleep", {"seconds": -1})["error"]["code"] == 400
    assert call(bridge, "no.such.method", {})["error"]["code"] == 404
    assert call(bridge, "debug.fail", {"code": 1777})["error"]["code"] == 1777
    bridge._slots.used = bridge._slots.size  # every slot taken: the next call is refused as busy
    assert call(bridge, "debug.echo", {})["error"]["code"] == 429
    bridge._slots.used = 0
    calls = "rpcc_bridge_calls_total"
    assert sample(registry, calls, method="debug.echo", transport="rpc", status="ok") == 3
    assert sample(registry, calls, method="debug.echo", transport="rpc", status="429") == 1
    assert sample(registry, calls, method="debug.sleep", transport="rpc", status="400") == 1
    assert sample(registry, calls, method="unknown", transport="rpc", status="404") == 1
    assert sample(registry, calls, method="debug.fail", transport="rpc", status="1777") == 1
    assert sample(registry, "rpcc_bridge_validation_failures_total", method="debug.sleep", transport="rpc") == 1
    assert sample(registry, "rpcc_bridge_call_duration_seconds_count", method="debug.echo", transport="rpc") == 4
    assert sample(registry, "rpcc_bridge_calls_in_flight", transport="rpc") == 0


def test_spoof_refusals_are_counted():
    registry = prometheus_client.CollectorRegistry()
    bridge = Bridge(ROUTER, telemetry=PrometheusMetrics(registry))
    answer, job = asyncio.run(bridge.publish_proxy({"user": "u1", "client": "c", "channel": "rpc:requests", "data": {
        "method": "debug.echo", "params": {}, "correlation_id": "x", "reply_to": "user#u2"}}))
    assert answer["error"]["code"] == 403 and job is None
    app = BridgeApp(bridge, secret="s" * 20)
    sent: list = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}
    asyncio.run(app({"type": "http", "path": "/centrifugo/rpc", "method": "POST", "headers": []}, receive, send))
    assert sent[0]["status"] == 401
    assert sample(registry, "rpcc_bridge_spoof_refusals_total", reason="reply_to", transport="pubsub") == 1
    assert sample(registry, "rpcc_bridge_spoof_refusals_total", reason="proxy_secret", transport="rpc") == 1


def traced_bridge(always: bool = False):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing = OpenTelemetryTracing(always=always, tracer_provider=provider)
    registry = prometheus_client.CollectorRegistry()
    return Bridge(ROUTER, telemetry=CompositeObserver([PrometheusMetrics(registry), tracing])), exporter, registry


def test_a_call_with_a_trace_context_continues_it():
    bridge, exporter, registry = traced_bridge()
    call(bridge, "debug.fail", {"code": 1409, "message": "no", "$trace": {"traceparent": TRACEPARENT}})
    (span,) = exporter.get_finished_spans()
    assert span.kind is trace.SpanKind.SERVER and span.name == "debug.fail"
    assert format(span.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert span.parent is not None and format(span.parent.span_id, "016x") == "b7ad6b7169203331"
    assert dict(span.attributes) == {"rpc.system.name": "centrifugo", "rpc.system": "centrifugo",
                                     "rpc.method": "debug.fail", "rpcc.transport": "rpc",
                                     "rpc.response.status_code": "1409", "error.type": "1409"}
    assert span.status.status_code is trace.StatusCode.ERROR and span.status.description == "no"
    # the composite fed both observers
    assert sample(registry, "rpcc_bridge_calls_total", method="debug.fail", transport="rpc", status="1409") == 1


def test_no_trace_context_starts_nothing_unless_always():
    bridge, exporter, _ = traced_bridge()
    call(bridge, "debug.echo", {})
    call(bridge, "debug.echo", {"$trace": {"traceparent": "garbage"}})
    assert exporter.get_finished_spans() == ()
    bridge, exporter, _ = traced_bridge(always=True)
    call(bridge, "debug.echo", {})
    (span,) = exporter.get_finished_spans()
    assert span.parent is None and span.name == "debug.echo"


class Replies:
    """A stand-in for the Centrifugo server API: the pub/sub replies the bridge publishes."""

    def __init__(self) -> None:
        self.published: list = []

    async def publish(self, channel, data):
        self.published.append(data)


def publish(bridge: Bridge, method, params, **envelope) -> None:
    """One pub/sub request through the publish proxy, its job run to the end."""
    async def scenario():
        answer, job = await bridge.publish_proxy({"user": "u1", "client": "c", "channel": "rpc:requests", "data": {
            "method": method, "params": params, "correlation_id": "x", "reply_to": "user#u1", **envelope}})
        assert answer == {"result": {}} and job is not None
        await job()
    asyncio.run(scenario())


def test_a_pubsub_trace_field_of_the_params_is_removed_before_validation():
    """The TypeScript SDK sends its trace context as the params' $trace over pub/sub too; a bridge with telemetry off
    and a model that forbids extra fields still takes the call."""
    replies = Replies()
    bridge = Bridge(strict_router(), api=replies)
    publish(bridge, "strict.echo", {"n": 1, "$trace": {"traceparent": TRACEPARENT}})
    publish(bridge, "strict.echo", {"n": 1, "other": 2})  # the control: an extra field is refused
    assert replies.published[0] == {"correlation_id": "x", "result": {"n": 1}}
    assert replies.published[1]["error"]["code"] == 400


def test_a_pubsub_call_continues_the_trace_of_its_params_or_of_its_envelope():
    """Over pub/sub the trace context is the params' $trace (TypeScript) or the request's trace (Python, Go)."""
    for envelope, params in (({}, {"$trace": {"traceparent": TRACEPARENT}}),
                             ({"trace": {"traceparent": TRACEPARENT}}, {})):
        bridge, exporter, _ = traced_bridge()
        bridge.api = Replies()
        publish(bridge, "debug.echo", {"value": 1, **params}, **envelope)
        (reply,) = bridge.api.published
        assert reply["result"]["value"] == 1
        (span,) = exporter.get_finished_spans()
        assert span.name == "debug.echo" and span.attributes["rpcc.transport"] == "pubsub"
        assert format(span.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
        assert span.parent is not None and format(span.parent.span_id, "016x") == "b7ad6b7169203331"


def test_serve_metrics_port_exposes_the_counts(tmp_path):
    """`python -m rpcc serve --metrics-port`: the exposition on its own port counts the calls the bridge served."""
    port, metrics_port = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rpcc", "serve", "debug_handlers", "-P", str(EXAMPLES), "--port",
                             str(port), "--metrics-port", str(metrics_port), "--insecure-no-auth"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the bridge did not start"
                time.sleep(0.1)
        for n in range(2):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/centrifugo/rpc",
                                             data=json.dumps(rpc_body("debug.echo", {"value": n})).encode(),
                                             headers={"Content-Type": "application/json"})
            assert b'"result"' in urllib.request.urlopen(request, timeout=10).read()
        text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
        assert 'rpcc_bridge_calls_total{method="debug.echo",status="ok",transport="rpc"} 2.0' in text
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("value", ["sometimes"])
def test_a_bad_tracing_mode_is_refused(value):
    from rpcc.telemetry import observer_from_settings

    with pytest.raises(ValueError, match="propagated"):
        observer_from_settings(metrics=False, otel=value)


def test_a_cancelled_pubsub_job_leaves_nothing_in_flight():
    """A pub/sub job cancelled mid-handler (server shutdown) still ends its observation."""
    registry = prometheus_client.CollectorRegistry()

    class API:
        async def publish(self, channel, data):
            pass

    bridge = Bridge(ROUTER, api=API(), telemetry=PrometheusMetrics(registry))

    async def scenario():
        answer, job = await bridge.publish_proxy({"user": "u1", "client": "c", "channel": "rpc:requests", "data": {
            "method": "debug.sleep", "params": {"seconds": 30}, "correlation_id": "x", "reply_to": "user#u1"}})
        assert answer == {"result": {}}
        task = asyncio.get_running_loop().create_task(job())
        await asyncio.sleep(0.05)
        assert sample(registry, "rpcc_bridge_calls_in_flight", transport="pubsub") == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    asyncio.run(scenario())
    assert sample(registry, "rpcc_bridge_calls_in_flight", transport="pubsub") == 0
    assert sample(registry, "rpcc_bridge_calls_total", method="debug.sleep", transport="pubsub", status="500") == 1

"""Telemetry, live (issue 18): the generated Python SDK with its OpenTelemetry hook against a real Centrifugo and a
bridge serving OpenTelemetry spans (`--otel-tracing propagated`, the SDK's in-memory exporter installed by
tests/telemetry/telemetry_handlers.py) and Prometheus metrics (`--metrics-path /metrics`).

Proves, over both transports: one trace holds the client span, the bridge's server span and the handler's span,
with the expected attributes; an application error and a timeout are recorded with their kind; the client's
histograms count what was called; the Prometheus endpoint shows exactly the calls, validation failures and spoof
refusals made.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import centrifuge  # type: ignore[import-untyped]
import pytest
from conftest import OUT, REPO, generate
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from tests.fixture.stack import (
    DEFAULT_MODULES,
    EXAMPLES,
    TELEMETRY_BRIDGE_ARGS,
    TELEMETRY_DIR,
    TELEMETRY_MODULE,
    Stack,
    start_stack,
)

TRANSPORTS = ["rpc", "pubsub"]
USER = "user-1"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with start_stack((*DEFAULT_MODULES, TELEMETRY_MODULE), module_path=(str(EXAMPLES), str(TELEMETRY_DIR)),
                     bridge_args=TELEMETRY_BRIDGE_ARGS) as running:
        yield running


@pytest.fixture(scope="module")
def sdk() -> dict[str, ModuleType]:
    root = OUT / "telemetry"
    site = root / "site"
    site.mkdir(parents=True, exist_ok=True)
    debug_rpc = root / "debug.rpc"
    proc = subprocess.run([sys.executable, "-m", "rpcc", "export", "debug_handlers", "-P", str(EXAMPLES), "-o",
                           str(debug_rpc)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    generated = [generate(REPO / "spec" / "examples" / "tasks.rpc", root / "gen", site),
                 generate(debug_rpc, root / "gen", site)]
    sys.path.insert(0, str(site))
    modules = {g.source.stem: importlib.import_module(g.package) for g in generated}
    modules["debug_telemetry"] = importlib.import_module("debug_client.rpc_telemetry")
    modules["tasks_telemetry"] = importlib.import_module("tasks_client.rpc_telemetry")
    return modules


class Telemetry:
    """The client side's OpenTelemetry SDK: in-memory span exporter and metric reader."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.metrics = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.metrics])

    def hook(self, module: ModuleType) -> Any:
        return module.OpenTelemetryHook(tracer_provider=self.tracer_provider, meter_provider=self.meter_provider)

    def client_spans(self) -> list[ReadableSpan]:
        return [s for s in self.spans.get_finished_spans() if s.kind is trace.SpanKind.CLIENT]

    def histogram_counts(self, name: str) -> dict[tuple[tuple[str, Any], ...], int]:
        """Data point count of histogram ``name`` by its attributes (sorted items)."""
        counts: dict[tuple[tuple[str, Any], ...], int] = {}
        data = self.metrics.get_metrics_data()
        assert data is not None
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        for point in metric.data.data_points:
                            counts[tuple(sorted((point.attributes or {}).items()))] = point.count
        return counts


def post_bridge(stack: Stack, method: str, data: dict[str, Any], *, secret: bool = True) -> tuple[int, Any]:
    """An RPC proxy request straight to the bridge, as Centrifugo sends it."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Rpcc-Proxy-Secret"] = stack.proxy_secret
    body = json.dumps({"client": "test", "transport": "websocket", "protocol": "json", "encoding": "json",
                       "user": USER, "method": method, "data": data}).encode()
    request = urllib.request.Request(f"{stack.bridge_url}/centrifugo/rpc", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def bridge_spans(stack: Stack) -> list[dict[str, Any]]:
    """The spans the bridge process finished (telemetry.spans reads its in-memory exporter)."""
    status, answer = post_bridge(stack, "telemetry.spans", {})
    assert status == 200, answer
    spans: list[dict[str, Any]] = answer["result"]["data"]["spans"]
    return spans


async def wait_for(check: Any, what: str) -> Any:
    """Polls ``check()`` until it returns a truthy value. Pub/sub spans and counts end after the reply's publish,
    which may come a moment after the client got the reply; the deadline only bounds a failure, no time is asserted."""
    deadline = time.monotonic() + 15
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for {what}"
            return value
        await asyncio.sleep(0.05)


def client(sdk_module: ModuleType, stack: Stack, transport: str, **options: Any) -> Any:
    return sdk_module.APIClient(stack.centrifugo_url, stack.token(USER), USER, transport=transport, **options)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_one_trace_from_the_client_through_the_bridge_to_the_handler(
        sdk: dict[str, ModuleType], stack: Stack, transport: str) -> None:
    telemetry = Telemetry()
    tasks = sdk["tasks"]
    async with client(tasks, stack, transport) as api:
        api.hook = telemetry.hook(sdk["tasks_telemetry"])
        with telemetry.tracer_provider.get_tracer("test").start_as_current_span("test root") as root:
            assert await api.call("telemetry.traced", {"value": 41}) == {"value": 42}
            stats = await api.tasks_get_stats(tasks.TaskStatsParams(user_id=USER))  # a typed method, hooked too
            assert stats.total >= 0
    spans = {s.name: s for s in telemetry.client_spans()}
    assert set(spans) == {"telemetry.traced", "tasks.get_stats"}
    call = spans["telemetry.traced"]
    assert call.parent is not None and call.parent.span_id == root.get_span_context().span_id
    trace_id = format(call.context.trace_id, "032x")
    attributes = dict(call.attributes or {})
    assert attributes["rpc.system.name"] == "centrifugo" and attributes["rpc.system"] == "centrifugo"
    assert attributes["rpc.method"] == "telemetry.traced" and attributes["rpcc.transport"] == transport
    assert attributes["rpcc.request.size"] > 0 and attributes["rpcc.response.size"] == len(b'{"value":42}')
    assert "error.type" not in attributes and call.status.is_ok

    def server_spans() -> list[dict[str, Any]]:
        return [s for s in bridge_spans(stack) if s["trace_id"] == trace_id]
    in_trace = await wait_for(lambda: len(server_spans()) == 3 and server_spans(), "the bridge's spans of the trace")
    by_name = {(s["name"], s["kind"]): s for s in in_trace}
    server = by_name[("telemetry.traced", "SERVER")]
    assert server["parent_span_id"] == format(call.context.span_id, "016x")
    assert server["attributes"] == {"rpc.system.name": "centrifugo", "rpc.system": "centrifugo",
                                    "rpc.method": "telemetry.traced", "rpcc.transport": transport}
    assert server["status"] == "UNSET"
    handler = by_name[("handler work", "INTERNAL")]
    assert handler["parent_span_id"] == server["span_id"]
    stats_server = by_name[("tasks.get_stats", "SERVER")]
    assert stats_server["parent_span_id"] == format(spans["tasks.get_stats"].context.span_id, "016x")


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_an_error_and_a_timeout_are_recorded_with_their_kind(
        sdk: dict[str, ModuleType], stack: Stack, transport: str) -> None:
    telemetry = Telemetry()
    debug = sdk["debug"]
    async with client(debug, stack, transport) as api:
        api.hook = telemetry.hook(sdk["debug_telemetry"])
        with pytest.raises(debug.RPCError) as failed:
            await api.debug_fail(debug.FailParams(code=1777, message="on purpose"))
        assert failed.value.code == 1777
        with pytest.raises(debug.RPCTimeoutError):
            await api.debug_sleep(debug.SleepParams(seconds=2), timeout=0.3)
    spans = {s.name: s for s in telemetry.client_spans()}
    fail, sleep = spans["debug.fail"], spans["debug.sleep"]
    assert not fail.status.is_ok and fail.status.description == "on purpose"
    assert dict(fail.attributes or {})["error.type"] == "application"
    assert dict(fail.attributes or {})["rpc.response.status_code"] == "1777"
    assert not sleep.status.is_ok
    assert dict(sleep.attributes or {})["error.type"] == "timeout"
    assert dict(sleep.attributes or {})["rpc.response.status_code"] == "1"  # RPCTimeoutError's client-side code
    trace_id = format(fail.context.trace_id, "032x")
    server = (await wait_for(lambda: [s for s in bridge_spans(stack) if s["trace_id"] == trace_id], "the server span"))[0]
    assert server["status"] == "ERROR" and server["attributes"]["rpc.response.status_code"] == "1777"
    assert server["attributes"]["error.type"] == "1777"


async def test_histograms_count_what_was_called(sdk: dict[str, ModuleType], stack: Stack) -> None:
    telemetry = Telemetry()
    debug = sdk["debug"]
    for transport, echoes in (("rpc", 3), ("pubsub", 2)):
        async with client(debug, stack, transport) as api:
            api.hook = telemetry.hook(sdk["debug_telemetry"])
            for n in range(echoes):
                await api.debug_echo(debug.EchoParams(value=n))
            with pytest.raises(debug.RPCError):
                await api.debug_fail(debug.FailParams())
    base = {"rpc.system.name": "centrifugo"}

    def key(method: str, transport: str, error: str | None = None) -> tuple[tuple[str, Any], ...]:
        attributes = {**base, "rpc.method": method, "rpcc.transport": transport}
        if error:
            attributes["error.type"] = error
        return tuple(sorted(attributes.items()))
    expected = {key("debug.echo", "rpc"): 3, key("debug.fail", "rpc", "application"): 1,
                key("debug.echo", "pubsub"): 2, key("debug.fail", "pubsub", "application"): 1}
    assert telemetry.histogram_counts("rpc.client.call.duration") == expected
    assert telemetry.histogram_counts("rpc.client.request.size") == expected
    assert telemetry.histogram_counts("rpc.client.response.size") == {k: v for k, v in expected.items()
                                                                       if "error.type" not in dict(k)}


def scrape(stack: Stack) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"{stack.bridge_url}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def delta(before: dict[Any, float], after: dict[Any, float]) -> dict[Any, float]:
    """The samples that changed, by how much (counters only grow)."""
    return {key: value - before.get(key, 0.0) for key, value in after.items() if value != before.get(key, 0.0)}


async def test_prometheus_shows_exactly_the_calls_made(sdk: dict[str, ModuleType], stack: Stack) -> None:
    debug = sdk["debug"]

    def idle() -> bool:  # the sleeper of an earlier test may still run: start from a bridge with nothing in flight
        samples = scrape(stack)
        return all(samples[("rpcc_bridge_calls_in_flight", (("transport", t),))] == 0 for t in TRANSPORTS)
    await wait_for(idle, "no call in flight")
    before = scrape(stack)
    for transport, echoes in (("rpc", 4), ("pubsub", 3)):
        async with client(debug, stack, transport) as api:  # no hook: the bridge counts calls of any client
            await asyncio.gather(*(api.debug_echo(debug.EchoParams(value=n)) for n in range(echoes)))
            with pytest.raises(debug.RPCError) as refused:
                await api.call("debug.sleep", {"seconds": -1})  # the params do not validate: 400
            assert refused.value.code == 400
    # Spoofs: a request without Centrifugo's secret, a pub/sub request for another user's reply channel.
    assert post_bridge(stack, "debug.echo", {}, secret=False)[0] == 401
    async with client(debug, stack, "pubsub") as api:
        with pytest.raises(centrifuge.ReplyError) as spoofed:  # the raw SDK's publish: the envelope is forged
            await api._client.publish("rpc:requests", {"method": "debug.echo", "params": {}, "correlation_id": "x1",
                                                       "reply_to": "user#someone-else"})
        assert spoofed.value.code == 403

    def rpc_calls(method: str, transport: str, status: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        return ("rpcc_bridge_calls_total", (("method", method), ("status", status), ("transport", transport)))
    expected = {
        rpc_calls("debug.echo", "rpc", "ok"): 4.0,
        rpc_calls("debug.echo", "pubsub", "ok"): 3.0,
        rpc_calls("debug.sleep", "rpc", "400"): 1.0,
        rpc_calls("debug.sleep", "pubsub", "400"): 1.0,
        ("rpcc_bridge_call_duration_seconds_count", (("method", "debug.echo"), ("transport", "rpc"))): 4.0,
        ("rpcc_bridge_call_duration_seconds_count", (("method", "debug.echo"), ("transport", "pubsub"))): 3.0,
        ("rpcc_bridge_call_duration_seconds_count", (("method", "debug.sleep"), ("transport", "rpc"))): 1.0,
        ("rpcc_bridge_call_duration_seconds_count", (("method", "debug.sleep"), ("transport", "pubsub"))): 1.0,
        ("rpcc_bridge_validation_failures_total", (("method", "debug.sleep"), ("transport", "rpc"))): 1.0,
        ("rpcc_bridge_validation_failures_total", (("method", "debug.sleep"), ("transport", "pubsub"))): 1.0,
        ("rpcc_bridge_spoof_refusals_total", (("reason", "proxy_secret"), ("transport", "rpc"))): 1.0,
        ("rpcc_bridge_spoof_refusals_total", (("reason", "reply_to"), ("transport", "pubsub"))): 1.0,
    }

    def counted() -> dict[Any, float]:
        # only what the test compares: counts and totals (the duration sums and buckets vary)
        changed = delta(before, scrape(stack))
        return {k: v for k, v in changed.items()
                if k[0].startswith("rpcc_bridge_") and not k[0].endswith(("_sum", "_bucket", "_created"))}
    deadline = time.monotonic() + 15  # pub/sub calls are counted after the reply's publish: poll, then compare
    while counted() != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert counted() == expected
    after = scrape(stack)
    assert after[("rpcc_bridge_calls_in_flight", (("transport", "rpc"),))] == 0
    assert after[("rpcc_bridge_calls_in_flight", (("transport", "pubsub"),))] == 0

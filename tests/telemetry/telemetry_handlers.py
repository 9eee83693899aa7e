"""Handlers of the telemetry tests. Imported by the bridge (`python -m rpcc serve ... telemetry_handlers
--otel-tracing propagated`), this module installs OpenTelemetry's SDK with its in-memory exporter as the bridge
process's tracer provider, so that the tests of every SDK can read the bridge's spans back:

- ``telemetry.spans`` returns the spans the bridge process finished (and forgets them with ``clear: true``);
- ``telemetry.traced`` runs a handler that makes a span of its own (the handler level of a trace).
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel
from rpcc import Connection, websocket_rpc

EXPORTER = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
trace.set_tracer_provider(_provider)
_tracer = trace.get_tracer("telemetry_handlers")


class SpansParams(BaseModel):
    clear: bool = False


class SpanRecord(BaseModel):
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_span_id: str | None
    status: str
    attributes: dict[str, Any]


class SpansResult(BaseModel):
    spans: list[SpanRecord]


class TracedParams(BaseModel):
    value: int = 0


class TracedResult(BaseModel):
    value: int


@websocket_rpc("telemetry.spans")
async def spans(conn: Connection, params: SpansParams) -> SpansResult:
    records = []
    for span in EXPORTER.get_finished_spans():
        context = span.get_span_context()
        assert context is not None
        records.append(SpanRecord(
            name=span.name, kind=span.kind.name, trace_id=format(context.trace_id, "032x"),
            span_id=format(context.span_id, "016x"),
            parent_span_id=format(span.parent.span_id, "016x") if span.parent is not None else None,
            status=span.status.status_code.name, attributes=dict(span.attributes or {})))
    if params.clear:
        EXPORTER.clear()
    return SpansResult(spans=records)


@websocket_rpc("telemetry.traced")
async def traced(conn: Connection, params: TracedParams) -> TracedResult:
    with _tracer.start_as_current_span("handler work"):
        return TracedResult(value=params.value + 1)

"""OpenTelemetry instrumentation of the generated client: a :class:`CallHook` that traces and measures every call.

This module is the only one of the package that imports OpenTelemetry (``pip install opentelemetry-api``, or the
package's ``otel`` extra); an application that never imports it loads none of it. Turn it on with::

    from tasks_client.rpc_telemetry import OpenTelemetryHook
    api.hook = OpenTelemetryHook()

Each call becomes a CLIENT span named after the method, a child of the span current when the call was made, whose
W3C trace context travels with the request (``rpc_client.TRACE_FIELD`` of the call data over ``rpc``, the
envelope's ``trace`` over ``pubsub``), so that the rpcc bridge continues the same trace. Attributes, following
OpenTelemetry's RPC semantic conventions:

- ``rpc.system.name`` and ``rpc.system``: ``"centrifugo"``; ``rpc.method``: the method, e.g. ``"tasks.get_stats"``
- ``rpcc.transport``: ``"rpc"`` or ``"pubsub"``; ``rpcc.request.size``, ``rpcc.response.size``: bytes
- on failure: ``error.type`` (``CallInfo.error_kind``: ``timeout``, ``disconnected``, ``request_too_large``,
  ``application``, ``server``, ``cancelled``, ``other``), ``rpc.response.status_code`` (the error code, as a
  string) and the span status ERROR with the error's message

Metrics: ``rpc.client.call.duration`` (histogram, seconds) with ``rpc.system.name``, ``rpc.method``,
``rpcc.transport`` and, on failure, ``error.type``; ``rpc.client.request.size`` and ``rpc.client.response.size``
(histograms, bytes).
"""

from __future__ import annotations

from opentelemetry import metrics, propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from .rpc_client import CallHook, CallInfo, RPCError

__all__ = ["INSTRUMENTATION_NAME", "OpenTelemetryHook"]

INSTRUMENTATION_NAME = "rpcc.client"
"""The tracer's and meter's name (the instrumentation scope)."""

_SYSTEM = "centrifugo"


class OpenTelemetryHook(CallHook):
    """Traces and measures every call; ``tracer_provider`` and ``meter_provider`` default to the global ones."""

    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._tracer = trace.get_tracer(INSTRUMENTATION_NAME, tracer_provider=tracer_provider)
        meter = metrics.get_meter(INSTRUMENTATION_NAME, meter_provider=meter_provider)
        self._duration = meter.create_histogram(
            "rpc.client.call.duration", unit="s", description="Duration of the calls made by the client"
        )
        self._request_size = meter.create_histogram(
            "rpc.client.request.size", unit="By", description="Bytes of the requests sent"
        )
        self._response_size = meter.create_histogram(
            "rpc.client.response.size", unit="By", description="Bytes of the results received"
        )

    def call_started(self, call: CallInfo) -> None:
        span = self._tracer.start_span(
            call.method,
            kind=SpanKind.CLIENT,
            attributes={
                "rpc.system.name": _SYSTEM,
                "rpc.system": _SYSTEM,
                "rpc.method": call.method,
                "rpcc.transport": call.transport,
            },
        )
        call.state = span
        propagate.inject(call.trace_context, context=trace.set_span_in_context(span))

    def call_finished(self, call: CallInfo) -> None:
        span = call.state
        if not isinstance(span, trace.Span):
            return
        attributes: dict[str, str] = {
            "rpc.system.name": _SYSTEM,
            "rpc.method": call.method,
            "rpcc.transport": call.transport,
        }
        span.set_attribute("rpcc.request.size", call.request_size)
        if call.error is None:
            span.set_attribute("rpcc.response.size", call.response_size)
            self._response_size.record(call.response_size, attributes)
        else:
            attributes["error.type"] = call.error_kind
            span.set_attribute("error.type", call.error_kind)
            if isinstance(call.error, RPCError):
                span.set_attribute("rpc.response.status_code", str(call.error.code))
                span.set_status(Status(StatusCode.ERROR, call.error.message))
            else:
                span.set_status(Status(StatusCode.ERROR, type(call.error).__name__))
        if call.request_size:
            self._request_size.record(call.request_size, attributes)
        self._duration.record(call.duration, attributes)
        span.end()

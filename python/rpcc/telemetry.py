"""Telemetry of the bridge: an observer interface called around every call, Prometheus metrics and OpenTelemetry
server spans built on it.

Nothing here imports prometheus_client or OpenTelemetry until an observer that needs it is made:
:class:`PrometheusMetrics` (``pip install 'rpcc[metrics]'``) and :class:`OpenTelemetryTracing`
(``pip install 'rpcc[otel]'``). A bridge without an observer (``Bridge(telemetry=None)``, the default) pays one
``is None`` test per call.

Trace context: a generated client with its OpenTelemetry hook on sends the W3C trace context of its call span
(``{"traceparent": ..., "tracestate": ...}``) in the call data's ``$trace`` field over the RPC proxy (Centrifugo passes
only ``data`` through per call) and in the request envelope's ``trace`` field over pub/sub. The bridge removes
``$trace`` from the params before validating them, and :class:`OpenTelemetryTracing` continues the trace with a
SERVER span around the handler.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Mapping

__all__ = [
    "TRACE_FIELD",
    "BridgeObserver",
    "CompositeObserver",
    "OpenTelemetryTracing",
    "PrometheusMetrics",
    "ServerCall",
    "extract_trace",
]

TRACE_FIELD = "$trace"
"""The field of an RPC proxy call's data that carries the caller's W3C trace context."""

UNKNOWN_METHOD = "unknown"
"""The ``method`` label of a call to a method the router does not have (bounded label values)."""

SPOOF_REASONS = ("proxy_secret", "reply_to")
"""Why a request was refused as not what it claims: no or a wrong ``X-Rpcc-Proxy-Secret`` (not from Centrifugo),
or a pub/sub ``reply_to`` other than the caller's own channel."""


def extract_trace(value: Any) -> dict[str, str] | None:
    """The W3C carrier of a ``$trace``/``trace`` field: its string entries, or None when it is not an object."""
    if not isinstance(value, Mapping):
        return None
    return {key: item for key, item in value.items() if isinstance(key, str) and isinstance(item, str)}


class ServerCall:
    """One call as an observer sees it: ``method`` (the wire method, or ``"unknown"`` when no handler has it),
    ``transport`` (``"rpc"`` or ``"pubsub"``), ``trace`` (the caller's W3C carrier, or None); set before
    ``call_finished``: ``status`` (``"ok"`` or the error code as a string), ``code`` (None on success),
    ``message`` and ``duration`` (seconds: validation, handler and serialization; over pub/sub also the reply's
    publish). ``state`` is the observer's own."""

    __slots__ = ("code", "duration", "message", "method", "start", "state", "status", "trace", "transport")

    def __init__(self, method: str, transport: str, trace: dict[str, str] | None) -> None:
        self.method = method
        self.transport = transport
        self.trace = trace
        self.status = "ok"
        self.code: int | None = None
        self.message = ""
        self.duration = 0.0
        self.start = time.perf_counter()
        self.state: Any = None

    def finish(self, code: int | None, message: str | None) -> None:
        self.duration = time.perf_counter() - self.start
        self.code = code
        self.status = "ok" if code is None else str(code)
        self.message = message or ""


class BridgeObserver:
    """Override what you need. ``call_started`` and ``call_finished`` run in the task that runs the handler (so
    context variables set in one are seen by the handler and by the other); the others count refusals."""

    def call_started(self, call: ServerCall) -> None:
        """Before the params are validated."""

    def call_finished(self, call: ServerCall) -> None:
        """After the answer is known (and, over pub/sub, published)."""

    def validation_failed(self, method: str, transport: str) -> None:
        """The params did not validate (the call then finishes with 400)."""

    def spoof_refused(self, reason: str, transport: str) -> None:
        """A request refused as not what it claims (``SPOOF_REASONS``)."""


class CompositeObserver(BridgeObserver):
    """Several observers as one (each keeps its own ``state``)."""

    def __init__(self, observers: Iterable[BridgeObserver]) -> None:
        self.observers = tuple(observers)

    def call_started(self, call: ServerCall) -> None:
        states = []
        for observer in self.observers:
            call.state = None
            observer.call_started(call)
            states.append(call.state)
        call.state = states

    def call_finished(self, call: ServerCall) -> None:
        states = call.state
        for observer, state in reversed(list(zip(self.observers, states))):
            call.state = state
            observer.call_finished(call)
        call.state = states

    def validation_failed(self, method: str, transport: str) -> None:
        for observer in self.observers:
            observer.validation_failed(method, transport)

    def spoof_refused(self, reason: str, transport: str) -> None:
        for observer in self.observers:
            observer.spoof_refused(reason, transport)


DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class PrometheusMetrics(BridgeObserver):
    """Prometheus metrics of the bridge (prometheus_client), registered in ``registry`` (default: the global one):

    - ``rpcc_bridge_calls_total{method,transport,status}``: calls finished; ``status`` is ``ok`` or the error code
    - ``rpcc_bridge_call_duration_seconds{method,transport}``: histogram of their durations
    - ``rpcc_bridge_calls_in_flight{transport}``: calls running now
    - ``rpcc_bridge_validation_failures_total{method,transport}``: params refused by validation (status 400)
    - ``rpcc_bridge_spoof_refusals_total{reason,transport}``: requests without Centrifugo's secret
      (``proxy_secret``) or with another user's reply channel (``reply_to``)
    """

    def __init__(self, registry: Any = None, *, prefix: str = "rpcc_bridge") -> None:
        import prometheus_client

        kw: dict[str, Any] = {} if registry is None else {"registry": registry}
        self.calls = prometheus_client.Counter(f"{prefix}_calls", "Calls finished, by method, transport and status",
                                               ("method", "transport", "status"), **kw)
        self.duration = prometheus_client.Histogram(f"{prefix}_call_duration_seconds",
                                                    "Duration of the calls, by method and transport",
                                                    ("method", "transport"), buckets=DURATION_BUCKETS, **kw)
        # livesum: with several worker processes (prometheus_client's multiprocess mode) the live workers' sum
        self.in_flight = prometheus_client.Gauge(f"{prefix}_calls_in_flight", "Calls running now, by transport",
                                                 ("transport",), multiprocess_mode="livesum", **kw)
        self.validation_failures = prometheus_client.Counter(f"{prefix}_validation_failures",
                                                             "Calls whose params did not validate",
                                                             ("method", "transport"), **kw)
        self.spoof_refusals = prometheus_client.Counter(f"{prefix}_spoof_refusals",
                                                        "Requests refused as not from Centrifugo or for another "
                                                        "user's reply channel", ("reason", "transport"), **kw)
        for transport in ("rpc", "pubsub"):  # present (at 0) before the first call
            self.in_flight.labels(transport)
        for reason, transport in (("proxy_secret", "rpc"), ("proxy_secret", "pubsub"), ("reply_to", "pubsub")):
            self.spoof_refusals.labels(reason, transport)

    def call_started(self, call: ServerCall) -> None:
        self.in_flight.labels(call.transport).inc()

    def call_finished(self, call: ServerCall) -> None:
        self.in_flight.labels(call.transport).dec()
        self.calls.labels(call.method, call.transport, call.status).inc()
        self.duration.labels(call.method, call.transport).observe(call.duration)

    def validation_failed(self, method: str, transport: str) -> None:
        self.validation_failures.labels(method, transport).inc()

    def spoof_refused(self, reason: str, transport: str) -> None:
        self.spoof_refusals.labels(reason, transport).inc()


class OpenTelemetryTracing(BridgeObserver):
    """OpenTelemetry SERVER spans (and an ``rpc.server.call.duration`` histogram) of the bridge's calls.

    A call that carries a trace context continues that trace; one without starts a new trace only when
    ``always=True`` (by default a client that sends none starts nothing server-side). The span is current while the
    handler runs, so spans the handler makes are its children. Attributes: ``rpc.system.name`` and ``rpc.system``
    (``centrifugo``), ``rpc.method``, ``rpcc.transport``, and on error ``rpc.response.status_code`` (the code),
    ``error.type`` (the code as well, as the semantic conventions say for a status code) and the status ERROR.
    ``tracer_provider`` and ``meter_provider`` default to the global ones.
    """

    def __init__(self, *, always: bool = False, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        from opentelemetry import context, metrics, propagate, trace

        self._context = context
        self._propagate = propagate
        self._trace = trace
        self._kind = trace.SpanKind.SERVER
        self.always = always
        self._tracer = trace.get_tracer("rpcc.bridge", tracer_provider=tracer_provider)
        meter = metrics.get_meter("rpcc.bridge", meter_provider=meter_provider)
        self._duration = meter.create_histogram("rpc.server.call.duration", unit="s",
                                                description="Duration of the calls the bridge served")

    def call_started(self, call: ServerCall) -> None:
        if call.trace is None and not self.always:
            return
        parent = self._propagate.extract(call.trace or {})
        if call.trace is not None and not self._trace.get_current_span(parent).get_span_context().is_valid:
            if not self.always:
                return  # a malformed traceparent: nothing to continue
        span = self._tracer.start_span(call.method, context=parent, kind=self._kind, attributes={
            "rpc.system.name": "centrifugo", "rpc.system": "centrifugo", "rpc.method": call.method,
            "rpcc.transport": call.transport})
        token = self._context.attach(self._trace.set_span_in_context(span, parent))
        call.state = (span, token)

    def call_finished(self, call: ServerCall) -> None:
        attributes = {"rpc.system.name": "centrifugo", "rpc.method": call.method, "rpcc.transport": call.transport}
        if call.code is not None:
            attributes["error.type"] = call.status
        self._duration.record(call.duration, attributes)
        if call.state is None:
            return
        span, token = call.state
        if call.code is not None:
            span.set_attribute("rpc.response.status_code", call.status)
            span.set_attribute("error.type", call.status)
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, call.message))
        span.end()
        self._context.detach(token)


def metrics_registry() -> Any:
    """The registry to expose: the global one, or, when ``PROMETHEUS_MULTIPROC_DIR`` is set (several worker
    processes), one that sums the workers' files."""
    import os

    import prometheus_client
    from prometheus_client import multiprocess

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return prometheus_client.REGISTRY
    registry = prometheus_client.CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def prometheus_exposition() -> tuple[bytes, str]:
    """The Prometheus text exposition of :func:`metrics_registry` and its content type."""
    import prometheus_client

    return prometheus_client.generate_latest(metrics_registry()), prometheus_client.CONTENT_TYPE_LATEST


def start_metrics_server(port: int, host: str = "127.0.0.1") -> None:
    """Serve the Prometheus exposition on ``host:port`` (any path) from a background thread."""
    import prometheus_client

    prometheus_client.start_http_server(port, addr=host, registry=metrics_registry())


def observer_from_settings(*, metrics: bool, otel: str | None, registry: Any = None) -> BridgeObserver | None:
    """The observer ``python -m rpcc serve`` and the Django app build: Prometheus metrics when ``metrics``, and
    OpenTelemetry spans when ``otel`` is ``"propagated"`` (continue the callers' traces) or ``"always"``."""
    observers: list[BridgeObserver] = []
    if metrics:
        observers.append(PrometheusMetrics(registry))
    if otel:
        if otel not in ("propagated", "always"):
            raise ValueError(f"OpenTelemetry tracing must be 'propagated' or 'always', not {otel!r}")
        observers.append(OpenTelemetryTracing(always=otel == "always"))
    if not observers:
        return None
    return observers[0] if len(observers) == 1 else CompositeObserver(observers)

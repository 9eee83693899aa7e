/**
 * OpenTelemetry instrumentation of the generated client: a call hook that traces and measures every call.
 *
 * This file is the package's `./telemetry` entry and the only one that imports `@opentelemetry/api` (an optional
 * peer dependency): an app that never imports it bundles none of it. Turn it on with
 *
 * ```ts
 * import { setCallHook } from "tasks-client";
 * import { openTelemetryHook } from "tasks-client/telemetry";
 * setCallHook(client, openTelemetryHook());
 * ```
 *
 * Each call becomes a CLIENT span named after the method, a child of the active span, whose W3C trace context
 * travels with the request (as the params' `TRACE_FIELD`, `$trace`, over either transport), so that the rpcc bridge
 * continues the same trace. Attributes, after OpenTelemetry's RPC semantic conventions:
 * `rpc.system.name` and `rpc.system` (`"centrifugo"`), `rpc.method`, `rpcc.transport`, `rpcc.request.size` and
 * `rpcc.response.size` (bytes); on failure `error.type` (`CallInfo.errorKind`), `rpc.response.status_code` (the
 * error code, for an `RPCError`) and the status ERROR. Metrics: `rpc.client.call.duration` (seconds),
 * `rpc.client.request.size` and `rpc.client.response.size` (bytes), histograms by `rpc.method`, `rpcc.transport`
 * and `error.type`.
 */
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, MeterProvider, Span, TextMapPropagator, TracerProvider } from "@opentelemetry/api";
import { RPCError } from "./rpc-client.js";
import type { CallHook, CallInfo } from "./rpc-client.js";

/** The tracer's and meter's name (the instrumentation scope). */
export const INSTRUMENTATION_NAME = "rpcc.client";

/** Options of {@link openTelemetryHook}; each defaults to the globally registered one. */
export interface OpenTelemetryHookOptions {
    tracerProvider?: TracerProvider;
    meterProvider?: MeterProvider;
    /**
     * Writes the trace context into the request. Default: the global propagator, and W3C `traceparent` /
     * `tracestate` when that wrote none (the API's default propagator writes nothing).
     */
    propagator?: TextMapPropagator;
}

const SYSTEM = "centrifugo";

/** A hook that traces and measures every call: `setCallHook(client, openTelemetryHook())`. */
export function openTelemetryHook(options: OpenTelemetryHookOptions = {}): CallHook {
    const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME);
    const duration = meter.createHistogram("rpc.client.call.duration", {
        unit: "s",
        description: "Duration of the calls made by the client",
    });
    const requestSize = meter.createHistogram("rpc.client.request.size", {
        unit: "By",
        description: "Bytes of the requests sent",
    });
    const responseSize = meter.createHistogram("rpc.client.response.size", {
        unit: "By",
        description: "Bytes of the results received",
    });
    const propagator = options.propagator;
    return {
        callStarted(call: CallInfo): void {
            const span = tracer.startSpan(call.method, {
                kind: SpanKind.CLIENT,
                attributes: {
                    "rpc.system.name": SYSTEM,
                    "rpc.system": SYSTEM,
                    "rpc.method": call.method,
                    "rpcc.transport": call.transport,
                },
            });
            call.state = span;
            const spanContext = trace.setSpan(context.active(), span);
            if (propagator !== undefined) propagator.inject(spanContext, call.traceContext, defaultSetter);
            else propagation.inject(spanContext, call.traceContext);
            if (call.traceContext["traceparent"] === undefined) writeTraceparent(span, call.traceContext);
        },
        callFinished(call: CallInfo): void {
            const span = call.state as Span | undefined;
            if (span === undefined) return;
            const attributes: Attributes = {
                "rpc.system.name": SYSTEM,
                "rpc.method": call.method,
                "rpcc.transport": call.transport,
            };
            span.setAttribute("rpcc.request.size", call.requestSize);
            if (call.error === undefined) {
                span.setAttribute("rpcc.response.size", call.responseSize);
                responseSize.record(call.responseSize, attributes);
            } else {
                attributes["error.type"] = call.errorKind;
                span.setAttribute("error.type", call.errorKind);
                const error = call.error;
                if (error instanceof RPCError) span.setAttribute("rpc.response.status_code", String(error.code));
                span.setStatus({
                    code: SpanStatusCode.ERROR,
                    message: error instanceof Error ? error.message : String(error),
                });
            }
            if (call.requestSize > 0) requestSize.record(call.requestSize, attributes);
            duration.record(call.duration / 1000, attributes);
            span.end();
        },
    };
}

const defaultSetter = {
    set(carrier: Record<string, string>, key: string, value: string): void {
        carrier[key] = value;
    },
};

/** W3C trace context of `span` (version 00), for when no propagator wrote one. */
function writeTraceparent(span: Span, carrier: Record<string, string>): void {
    const spanContext = span.spanContext();
    if (!trace.isSpanContextValid(spanContext)) return;
    const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
    carrier["traceparent"] = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
    const state = spanContext.traceState?.serialize();
    if (state) carrier["tracestate"] = state;
}

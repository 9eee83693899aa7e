// Package otel is the OpenTelemetry instrumentation of the generated Go SDK: a CallHook that traces and measures
// every call. It is a module of its own, so that the SDK's module requires no OpenTelemetry module: an app that
// does not import this one builds none of it. Turn it on with
//
//	client.Hook = otel.NewHook()
//
// Each call becomes a CLIENT span named after the method, a child of the span in the call's context, whose W3C
// trace context travels with the request (the call data's "$trace" field over rpc, the envelope's "trace" over
// pubsub), so that the rpcc bridge continues the same trace. Attributes, after OpenTelemetry's RPC semantic
// conventions: rpc.system.name and rpc.system ("centrifugo"), rpc.method, rpcc.transport, rpcc.request.size and
// rpcc.response.size (bytes); on failure error.type (the SDK's ErrorKind), rpc.response.status_code (an
// *RPCError's code) and the status Error. Metrics: rpc.client.call.duration (seconds), rpc.client.request.size and
// rpc.client.response.size (bytes), histograms by rpc.method, rpcc.transport and error.type.
package otel

import (
	"context"
	"errors"
	"strconv"

	rpcclient "rpcclient"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// InstrumentationName is the tracer's and meter's name (the instrumentation scope).
const InstrumentationName = "rpcc.client"

// Option changes a Hook made by NewHook.
type Option func(*options)

type options struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	propagator     propagation.TextMapPropagator
}

// WithTracerProvider sets the tracer provider (default: the global one).
func WithTracerProvider(provider trace.TracerProvider) Option {
	return func(o *options) { o.tracerProvider = provider }
}

// WithMeterProvider sets the meter provider (default: the global one).
func WithMeterProvider(provider metric.MeterProvider) Option {
	return func(o *options) { o.meterProvider = provider }
}

// WithPropagator sets what writes the trace context into the request (default: W3C trace context).
func WithPropagator(propagator propagation.TextMapPropagator) Option {
	return func(o *options) { o.propagator = propagator }
}

// Hook is the OpenTelemetry CallHook; make it with NewHook.
type Hook struct {
	tracer       trace.Tracer
	propagator   propagation.TextMapPropagator
	duration     metric.Float64Histogram
	requestSize  metric.Int64Histogram
	responseSize metric.Int64Histogram
}

// NewHook returns a hook that traces and measures every call: client.Hook = otel.NewHook().
func NewHook(opts ...Option) *Hook {
	o := options{tracerProvider: otel.GetTracerProvider(), meterProvider: otel.GetMeterProvider(),
		propagator: propagation.TraceContext{}}
	for _, opt := range opts {
		opt(&o)
	}
	meter := o.meterProvider.Meter(InstrumentationName)
	h := &Hook{tracer: o.tracerProvider.Tracer(InstrumentationName), propagator: o.propagator}
	// Instrument errors leave no-op instruments, as the OpenTelemetry API does.
	h.duration, _ = meter.Float64Histogram("rpc.client.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of the calls made by the client"))
	h.requestSize, _ = meter.Int64Histogram("rpc.client.request.size", metric.WithUnit("By"),
		metric.WithDescription("Bytes of the requests sent"))
	h.responseSize, _ = meter.Int64Histogram("rpc.client.response.size", metric.WithUnit("By"),
		metric.WithDescription("Bytes of the results received"))
	return h
}

// CallStarted starts the call's span and writes its trace context into the request.
func (h *Hook) CallStarted(ctx context.Context, call *rpcclient.CallInfo) context.Context {
	ctx, _ = h.tracer.Start(ctx, call.Method, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("rpc.system.name", "centrifugo"),
		attribute.String("rpc.system", "centrifugo"),
		attribute.String("rpc.method", call.Method),
		attribute.String("rpcc.transport", string(call.Transport)),
	))
	if call.TraceContext == nil {
		call.TraceContext = map[string]string{}
	}
	h.propagator.Inject(ctx, propagation.MapCarrier(call.TraceContext))
	return ctx
}

// CallFinished records the outcome and ends the span.
func (h *Hook) CallFinished(ctx context.Context, call *rpcclient.CallInfo) {
	span := trace.SpanFromContext(ctx)
	attributes := []attribute.KeyValue{
		attribute.String("rpc.system.name", "centrifugo"),
		attribute.String("rpc.method", call.Method),
		attribute.String("rpcc.transport", string(call.Transport)),
	}
	span.SetAttributes(attribute.Int("rpcc.request.size", call.RequestSize))
	if call.Err == nil {
		span.SetAttributes(attribute.Int("rpcc.response.size", call.ResponseSize))
		h.responseSize.Record(ctx, int64(call.ResponseSize), metric.WithAttributes(attributes...))
	} else {
		attributes = append(attributes, attribute.String("error.type", call.ErrorKind))
		span.SetAttributes(attribute.String("error.type", call.ErrorKind))
		var rpcErr *rpcclient.RPCError
		if errors.As(call.Err, &rpcErr) {
			span.SetAttributes(attribute.String("rpc.response.status_code", strconv.Itoa(rpcErr.Code)))
			span.SetStatus(codes.Error, rpcErr.Message)
		} else {
			span.SetStatus(codes.Error, call.Err.Error())
		}
	}
	if call.RequestSize > 0 {
		h.requestSize.Record(ctx, int64(call.RequestSize), metric.WithAttributes(attributes...))
	}
	h.duration.Record(ctx, call.Duration.Seconds(), metric.WithAttributes(attributes...))
	span.End()
}

package otel

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	rpcclient "rpcclient"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

type recorded struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	hook   *Hook
	tracer trace.Tracer
}

func newRecorded() *recorded {
	spans := tracetest.NewSpanRecorder()
	tracerProvider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	meterProvider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	return &recorded{spans: spans, reader: reader, tracer: tracerProvider.Tracer("test"),
		hook: NewHook(WithTracerProvider(tracerProvider), WithMeterProvider(meterProvider))}
}

// call runs one call through the hook as Client.Call does.
func (r *recorded) call(ctx context.Context, method string, err error) *rpcclient.CallInfo {
	info := &rpcclient.CallInfo{Method: method, Transport: rpcclient.TransportPubSub}
	ctx = r.hook.CallStarted(ctx, info)
	info.RequestSize, info.Duration, info.Err, info.ErrorKind = 120, 3*time.Millisecond, err, rpcclient.ErrorKind(err)
	if err == nil {
		info.ResponseSize = 12
	}
	r.hook.CallFinished(ctx, info)
	return info
}

func attributes(kvs []attribute.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		out[string(kv.Key)] = kv.Value.Emit()
	}
	return out
}

func TestSpanIsAChildOfTheCallersAndPropagated(t *testing.T) {
	r := newRecorded()
	ctx, root := r.tracer.Start(context.Background(), "root")
	info := r.call(ctx, "tasks.get_stats", nil)
	root.End()
	spans := r.spans.Ended()
	call := spans[0]
	if call.Name() != "tasks.get_stats" || call.SpanKind() != trace.SpanKindClient {
		t.Fatalf("bad span %s %v", call.Name(), call.SpanKind())
	}
	if call.Parent().SpanID() != root.SpanContext().SpanID() {
		t.Fatal("the call span is not the root's child")
	}
	want := fmt.Sprintf("00-%s-%s-01", call.SpanContext().TraceID(), call.SpanContext().SpanID())
	if info.TraceContext["traceparent"] != want {
		t.Fatalf("traceparent %q, want %q", info.TraceContext["traceparent"], want)
	}
	got := attributes(call.Attributes())
	for key, value := range map[string]string{"rpc.system.name": "centrifugo", "rpc.system": "centrifugo",
		"rpc.method": "tasks.get_stats", "rpcc.transport": "pubsub", "rpcc.request.size": "120",
		"rpcc.response.size": "12"} {
		if got[key] != value {
			t.Errorf("%s = %q, want %q", key, got[key], value)
		}
	}
	if _, ok := got["error.type"]; ok || call.Status().Code != codes.Unset {
		t.Fatalf("a successful call has an error: %v %v", got, call.Status())
	}
}

func TestErrorsAndTimeoutsAreRecordedWithTheirKind(t *testing.T) {
	r := newRecorded()
	r.call(context.Background(), "debug.fail", fmt.Errorf("x: %w", &rpcclient.RPCError{Code: 1777, Message: "on purpose"}))
	r.call(context.Background(), "debug.sleep", fmt.Errorf("x: %w", context.DeadlineExceeded))
	spans := r.spans.Ended()
	fail, sleep := attributes(spans[0].Attributes()), attributes(spans[1].Attributes())
	if fail["error.type"] != "application" || fail["rpc.response.status_code"] != "1777" ||
		spans[0].Status() != (sdktrace.Status{Code: codes.Error, Description: "on purpose"}) {
		t.Fatalf("bad error span %v %v", fail, spans[0].Status())
	}
	if sleep["error.type"] != "timeout" || spans[1].Status().Code != codes.Error ||
		!strings.Contains(spans[1].Status().Description, "deadline") {
		t.Fatalf("bad timeout span %v %v", sleep, spans[1].Status())
	}
}

func TestHistogramsCountTheCalls(t *testing.T) {
	r := newRecorded()
	for i := 0; i < 3; i++ {
		r.call(context.Background(), "debug.echo", nil)
	}
	r.call(context.Background(), "debug.fail", &rpcclient.RPCError{Code: 1400})
	var data metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &data); err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, scope := range data.ScopeMetrics {
		for _, m := range scope.Metrics {
			switch h := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range h.DataPoints {
					method, _ := p.Attributes.Value("rpc.method")
					kind, _ := p.Attributes.Value("error.type")
					counts[m.Name+" "+method.AsString()+" "+kind.AsString()] = p.Count
				}
			case metricdata.Histogram[int64]:
				for _, p := range h.DataPoints {
					method, _ := p.Attributes.Value("rpc.method")
					kind, _ := p.Attributes.Value("error.type")
					counts[m.Name+" "+method.AsString()+" "+kind.AsString()] = p.Count
				}
			}
		}
	}
	want := map[string]uint64{
		"rpc.client.call.duration debug.echo ":            3,
		"rpc.client.call.duration debug.fail application": 1,
		"rpc.client.request.size debug.echo ":             3,
		"rpc.client.request.size debug.fail application":  1,
		"rpc.client.response.size debug.echo ":            3,
	}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("histogram counts %v, want %v", counts, want)
	}
}

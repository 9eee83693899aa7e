//go:build live

package gotests

// Telemetry, live (issue 18): the SDK's OpenTelemetry hook (otel/, with the OpenTelemetry SDK's span recorder) over
// both transports: the client span, the bridge's server span and the handler's span are one trace. The bridge keeps
// its spans in OpenTelemetry's in-memory exporter (make check-go-live runs the fixture with --telemetry) and
// telemetry.spans reads them back.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	tasks "example.com/tasks"
	rpcotel "example.com/tasks/otel"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// recordingHook is the OpenTelemetry hook that also keeps the CallInfo of every call.
type recordingHook struct {
	*rpcotel.Hook
	finished []tasks.CallInfo
}

func (h *recordingHook) CallFinished(ctx context.Context, call *tasks.CallInfo) {
	h.finished = append(h.finished, *call)
	h.Hook.CallFinished(ctx, call)
}

func spanAttributes(span sdktrace.ReadOnlySpan) map[string]string {
	out := map[string]string{}
	for _, kv := range span.Attributes() {
		out[string(kv.Key)] = kv.Value.Emit()
	}
	return out
}

type bridgeSpan struct {
	Name         string         `json:"name"`
	Kind         string         `json:"kind"`
	TraceID      string         `json:"trace_id"`
	SpanID       string         `json:"span_id"`
	ParentSpanID *string        `json:"parent_span_id"`
	Attributes   map[string]any `json:"attributes"`
}

// bridgeSpans returns the bridge's finished spans of trace traceID, waiting until it holds want of them (over
// pubsub the server span ends after the reply's publish, a moment after the client got the reply).
func bridgeSpans(t *testing.T, traceID string, want int) []bridgeSpan {
	body, _ := json.Marshal(map[string]any{"client": "test", "user": "go-telemetry", "method": "telemetry.spans",
		"data": map[string]any{}})
	deadline := time.Now().Add(15 * time.Second)
	for {
		request, _ := http.NewRequest("POST", env(t, "RPCC_BRIDGE_URL")+"/centrifugo/rpc", bytes.NewReader(body))
		request.Header.Set("Content-Type", "application/json")
		request.Header.Set("X-Rpcc-Proxy-Secret", env(t, "RPCC_PROXY_SECRET"))
		response, err := http.DefaultClient.Do(request)
		if err != nil {
			t.Fatal(err)
		}
		var answer struct {
			Result struct {
				Data struct {
					Spans []bridgeSpan `json:"spans"`
				} `json:"data"`
			} `json:"result"`
		}
		err = json.NewDecoder(response.Body).Decode(&answer)
		response.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var found []bridgeSpan
		for _, span := range answer.Result.Data.Spans {
			if span.TraceID == traceID {
				found = append(found, span)
			}
		}
		if len(found) >= want || time.Now().After(deadline) {
			return found
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLiveTelemetryTheBridgeContinuesTheTrace(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := freshUser(t)
			client := newClient(t, transport, user)
			defer client.Close()
			recorder := tracetest.NewSpanRecorder()
			provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
			hook := &recordingHook{Hook: rpcotel.NewHook(rpcotel.WithTracerProvider(provider))}
			client.Hook = hook
			rootCtx, root := provider.Tracer("test").Start(ctx(t), "test root")
			var result struct{ Value int }
			if err := client.Call(rootCtx, "telemetry.traced", map[string]int{"value": 41}, &result); err != nil ||
				result.Value != 42 {
				t.Fatalf("telemetry.traced: %+v %v", result, err)
			}
			root.End()
			shortCtx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := client.Call(shortCtx, "debug.sleep", map[string]float64{"seconds": 2}, nil)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("want a timeout, got %v", err)
			}
			ok, late := hook.finished[0], hook.finished[1]
			if ok.Err != nil || ok.RequestSize == 0 || ok.ResponseSize != len(`{"value":42}`) ||
				ok.Transport != tasks.Transport(transport) || late.ErrorKind != "timeout" {
				t.Fatalf("bad call records: %+v %+v", ok, late)
			}
			ended := recorder.Ended()
			var callSpan sdktrace.ReadOnlySpan
			for _, span := range ended {
				if span.Name() == "telemetry.traced" && span.SpanKind() == trace.SpanKindClient {
					callSpan = span
				}
			}
			if callSpan == nil || callSpan.Parent().SpanID() != root.SpanContext().SpanID() {
				t.Fatalf("no client span under the root: %v", ended)
			}
			if got := spanAttributes(callSpan); got["rpc.system.name"] != "centrifugo" || got["rpc.method"] != "telemetry.traced" ||
				got["rpcc.transport"] != transport || got["rpcc.response.size"] != "12" {
				t.Fatalf("bad client span attributes %v", got)
			}
			for _, span := range ended {
				if span.Name() == "debug.sleep" && spanAttributes(span)["error.type"] != "timeout" {
					t.Fatalf("the timeout's span: %v", spanAttributes(span))
				}
			}
			traceID := callSpan.SpanContext().TraceID().String()
			spans := bridgeSpans(t, traceID, 2)
			var server, handler *bridgeSpan
			for i := range spans {
				switch {
				case spans[i].Name == "telemetry.traced" && spans[i].Kind == "SERVER":
					server = &spans[i]
				case spans[i].Name == "handler work":
					handler = &spans[i]
				}
			}
			if server == nil || handler == nil {
				t.Fatalf("want the server and handler spans of trace %s, got %+v", traceID, spans)
			}
			if server.ParentSpanID == nil || *server.ParentSpanID != callSpan.SpanContext().SpanID().String() ||
				server.Attributes["rpc.method"] != "telemetry.traced" || server.Attributes["rpcc.transport"] != transport {
				t.Fatalf("bad server span %+v", *server)
			}
			if handler.ParentSpanID == nil || *handler.ParentSpanID != server.SpanID {
				t.Fatalf("the handler span is not the server span's child: %+v", *handler)
			}
		})
	}
}

//go:build live

package gotests

// Telemetry, live (issue 18): a Client.Hook that writes a W3C trace context (as an OpenTelemetry hook would) gets
// the bridge to continue that trace over both transports: the bridge's server span has the caller's trace id and
// span as parent, and the handler's span is its child. The bridge keeps its spans in OpenTelemetry's in-memory
// exporter (make check-go-live runs the fixture with --telemetry) and telemetry.spans reads them back.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	tasks "example.com/tasks"
)

// traceHook sends the trace context of a span it makes up, and records what it saw.
type traceHook struct {
	traceID, spanID string
	finished        []tasks.CallInfo
}

func (h *traceHook) CallStarted(ctx context.Context, call *tasks.CallInfo) context.Context {
	call.TraceContext = map[string]string{"traceparent": "00-" + h.traceID + "-" + h.spanID + "-01"}
	return ctx
}

func (h *traceHook) CallFinished(ctx context.Context, call *tasks.CallInfo) {
	h.finished = append(h.finished, *call)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
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
			hook := &traceHook{traceID: randomHex(16), spanID: randomHex(8)}
			client.Hook = hook
			var result struct{ Value int }
			if err := client.Call(ctx(t), "telemetry.traced", map[string]int{"value": 41}, &result); err != nil ||
				result.Value != 42 {
				t.Fatalf("telemetry.traced: %+v %v", result, err)
			}
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
			spans := bridgeSpans(t, hook.traceID, 2)
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
				t.Fatalf("want the server and handler spans of trace %s, got %+v", hook.traceID, spans)
			}
			if server.ParentSpanID == nil || *server.ParentSpanID != hook.spanID ||
				server.Attributes["rpc.method"] != "telemetry.traced" || server.Attributes["rpcc.transport"] != transport {
				t.Fatalf("bad server span %+v", *server)
			}
			if handler.ParentSpanID == nil || *handler.ParentSpanID != server.SpanID {
				t.Fatalf("the handler span is not the server span's child: %+v", *handler)
			}
		})
	}
}

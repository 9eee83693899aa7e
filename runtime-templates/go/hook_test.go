package rpcclient

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

const testTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

type hookKey struct{}

// recordingHook records every call and sends a trace context when trace is set.
type recordingHook struct {
	trace    map[string]string
	started  []string
	finished []CallInfo
}

func (h *recordingHook) CallStarted(ctx context.Context, call *CallInfo) context.Context {
	h.started = append(h.started, call.Method+"/"+string(call.Transport))
	for k, v := range h.trace {
		if call.TraceContext == nil {
			call.TraceContext = map[string]string{}
		}
		call.TraceContext[k] = v
	}
	return context.WithValue(ctx, hookKey{}, call.Method)
}

func (h *recordingHook) CallFinished(ctx context.Context, call *CallInfo) {
	if ctx.Value(hookKey{}) != call.Method {
		panic("CallFinished did not get the context CallStarted returned")
	}
	h.finished = append(h.finished, *call)
}

func TestWithoutAHookNothingIsAdded(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	var out map[string]any
	if err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", echoData{N: 1}, &out); err != nil {
		t.Fatal(err)
	}
	if _, ok := out[TraceField]; ok || len(out) != 1 {
		t.Fatalf("want the params alone, got %v", out)
	}
}

func TestHookSeesRPCCallsAndSendsTheTrace(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	hook := &recordingHook{trace: map[string]string{"traceparent": testTraceparent}}
	c.Hook = hook
	defer c.Close()
	ctx := contextWithTimeout(t, 10*time.Second)
	for _, params := range []any{echoData{N: 5}, nil} {
		var out map[string]json.RawMessage
		if err := c.Call(ctx, "echo", params, &out); err != nil {
			t.Fatal(err)
		}
		var trace map[string]string
		if err := json.Unmarshal(out[TraceField], &trace); err != nil || trace["traceparent"] != testTraceparent {
			t.Fatalf("the echoed data has no trace context: %s", out[TraceField])
		}
	}
	err := c.Call(ctx, "fail", nil, nil)
	if len(hook.finished) != 3 || hook.started[0] != "echo/rpc" {
		t.Fatalf("want 3 observed calls, got %v", hook.started)
	}
	ok := hook.finished[0]
	sent := f.recorded()[1]
	if ok.Err != nil || ok.ErrorKind != "" || ok.Duration <= 0 || ok.ResponseSize == 0 {
		t.Fatalf("bad success record %+v", ok)
	}
	if frame, _ := json.Marshal(sent); ok.RequestSize != len(frame) {
		t.Fatalf("request size %d, the command sent is %d bytes", ok.RequestSize, len(frame))
	}
	failed := hook.finished[2]
	if failed.Err != err || failed.ErrorKind != "application" || failed.ResponseSize != 0 {
		t.Fatalf("bad failure record %+v", failed)
	}
}

func TestHookSendsTheTraceInThePubSubEnvelope(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("42"))
	c.Transport = TransportPubSub
	hook := &recordingHook{trace: map[string]string{"traceparent": testTraceparent, "tracestate": "k=v"}}
	c.Hook = hook
	defer c.Close()
	var out echoData
	if err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", echoData{N: 3}, &out); err != nil || out.N != 3 {
		t.Fatalf("echo: %v %+v", err, out)
	}
	commands := f.recorded()
	var publish struct {
		Data struct {
			Params map[string]any
			Trace  map[string]string
		}
	}
	if err := json.Unmarshal(commands[len(commands)-1]["publish"], &publish); err != nil {
		t.Fatal(err)
	}
	if publish.Data.Trace["traceparent"] != testTraceparent || publish.Data.Trace["tracestate"] != "k=v" {
		t.Fatalf("no trace in the envelope: %+v", publish.Data)
	}
	if _, ok := publish.Data.Params[TraceField]; ok {
		t.Fatalf("the params carry the trace over pubsub: %v", publish.Data.Params)
	}
	if hook.finished[0].Transport != TransportPubSub || hook.finished[0].ResponseSize == 0 {
		t.Fatalf("bad record %+v", hook.finished[0])
	}
}

func TestErrorKinds(t *testing.T) {
	for _, c := range []struct {
		err  error
		kind string
	}{
		{nil, ""},
		{context.DeadlineExceeded, "timeout"},
		{context.Canceled, "cancelled"},
		{&RequestTooLargeError{Size: 2, Limit: 1}, "request_too_large"},
		{errors.Join(ErrDisconnected), "disconnected"},
		{ErrBadReply, "bad_reply"},
		{&RPCError{Code: 1404}, "application"},
		{&RPCError{Code: 103}, "server"},
		{errors.New("x"), "other"},
	} {
		if got := ErrorKind(c.err); got != c.kind {
			t.Errorf("ErrorKind(%v) = %q, want %q", c.err, got, c.kind)
		}
	}
}

func TestHookSeesATimeout(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	hook := &recordingHook{}
	c.Hook = hook
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := c.Call(ctx, "slow", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a timeout, got %v", err)
	}
	if hook.finished[0].ErrorKind != "timeout" {
		t.Fatalf("want kind timeout, got %+v", hook.finished[0])
	}
}

type noopHook struct{}

func (noopHook) CallStarted(ctx context.Context, call *CallInfo) context.Context { return ctx }
func (noopHook) CallFinished(ctx context.Context, call *CallInfo)                {}

func benchmarkHook(b *testing.B, hook CallHook) {
	f := newFakeServer(&testing.T{}, nil)
	defer f.server.Close()
	c := NewClient(f.url(), testToken("7"))
	c.Hook = hook
	defer c.Close()
	ctx := context.Background()
	params := echoData{N: 42}
	if err := c.Call(ctx, "echo", params, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Call(ctx, "echo", params, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHookNone and BenchmarkHookNoop: the cost of a hook (bench/telemetry/run.py).
func BenchmarkHookNone(b *testing.B) { benchmarkHook(b, nil) }
func BenchmarkHookNoop(b *testing.B) { benchmarkHook(b, noopHook{}) }

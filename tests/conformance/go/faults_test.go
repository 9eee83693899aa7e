//go:build live

package main

// Fault behaviour of the generated Go SDK, live against Centrifugo + the bridge over both transports. Run through
// tests/conformance/faultstack.py (make check-conformance-go), which sets the fixture's variables and
// RPCC_CONTROL_URL; with RPCC_TWO_NODES=1 only TestCluster runs.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	faults "example.com/faults"
)

var transports = []string{"rpc", "pubsub"}

func env(t *testing.T, name string) string {
	t.Helper()
	value := os.Getenv(name)
	if value == "" {
		t.Fatalf("%s is not set: run under tests/conformance/faultstack.py", name)
	}
	return value
}

func mintToken(t *testing.T, user string, ttl time.Duration) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{"sub": user, "exp": time.Now().Add(ttl).Unix()})
	unsigned := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(claims)
	mac := hmac.New(sha256.New, []byte(env(t, "CENTRIFUGO_TOKEN_SECRET")))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc(mac.Sum(nil))
}

func newUser(label string) string {
	var b [6]byte
	rand.Read(b[:])
	return "go-" + label + "-" + hex.EncodeToString(b[:])
}

func newClient(t *testing.T, transport, user string) (*faults.Client, *faults.APIClient) {
	c := faults.NewClient(env(t, "CENTRIFUGO_URL"), mintToken(t, user, time.Hour))
	c.Transport = transport
	c.Timeout = 30 * time.Second
	t.Cleanup(func() { c.Close() })
	return c, faults.NewAPIClient(c)
}

func post(t *testing.T, url string, body any, header map[string]string) map[string]any {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 90 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return answer
}

// blockStarted asks the bridge directly (as Centrifugo's RPC proxy would) whether fault.block(key) has started.
func blockStarted(t *testing.T, key string) bool {
	answer := post(t, env(t, "RPCC_BRIDGE_URL")+"/centrifugo/rpc", map[string]any{"client": "test", "transport": "websocket",
		"protocol": "json", "encoding": "json", "user": "test", "method": "fault.started", "data": map[string]any{"key": key}},
		map[string]string{"X-Rpcc-Proxy-Secret": env(t, "RPCC_PROXY_SECRET")})
	result, _ := answer["result"].(map[string]any)
	data, _ := result["data"].(map[string]any)
	return data["started"] == true
}

func waitFor(t *testing.T, what string, condition func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !condition() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func singleNode(t *testing.T) {
	if os.Getenv("RPCC_TWO_NODES") == "1" {
		t.Skip("single-node test")
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return c
}

// TestCluster: 1,000 concurrent calls from one client each get their own result (with two nodes, pub/sub replies
// travel through Redis from the other node).
func TestCluster(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := newUser("many")
			c, api := newClient(t, transport, user)
			var wg sync.WaitGroup
			errs := make(chan error, 1000)
			for n := 0; n < 1000; n++ {
				wg.Add(1)
				go func(n int) {
					defer wg.Done()
					echo, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: n})
					if err != nil {
						errs <- err
						return
					}
					if got := fmt.Sprint(echo.Value); got != fmt.Sprint(n) || echo.UserID != user || echo.Transport != transport {
						errs <- fmt.Errorf("call %d got %+v", n, echo)
					}
				}(n)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if p := c.Pending(); p != 0 {
				t.Fatalf("%d calls pending", p)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			c, api := newClient(t, transport, newUser("timeout"))
			short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := api.DebugSleep(short, faults.SleepParams{Seconds: 1.0})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("want context.DeadlineExceeded, got %v", err)
			}
			if p := c.Pending(); p != 0 {
				t.Fatalf("%d calls pending after the timeout", p)
			}
			// ends after the first call's late reply came and was dropped
			slept, err := api.DebugSleep(ctx(t), faults.SleepParams{Seconds: 1.2})
			if err != nil || slept.Slept != 1.2 {
				t.Fatalf("next call: %v %+v", err, slept)
			}
		})
	}
}

func TestCentrifugoRestart(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			c, api := newClient(t, transport, newUser("restart"))
			key := newUser("key")
			done := make(chan error, 1)
			go func() {
				_, err := api.FaultBlock(ctx(t), faults.BlockParams{Key: key, Seconds: 20})
				done <- err
			}()
			waitFor(t, "fault.block to start", func() bool { return blockStarted(t, key) })
			if answer := post(t, env(t, "RPCC_CONTROL_URL")+"/restart", map[string]any{}, nil); answer["restarted"] != true {
				t.Fatalf("restart: %v", answer)
			}
			if err := <-done; !errors.Is(err, faults.ErrDisconnected) {
				t.Fatalf("want ErrDisconnected, got %v", err)
			}
			if p := c.Pending(); p != 0 {
				t.Fatalf("%d calls pending", p)
			}
			echo, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: "after restart"})
			if err != nil || echo.Value != "after restart" {
				t.Fatalf("call after the restart: %v %+v", err, echo)
			}
		})
	}
}

func TestTokenRefresh(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := newUser("refresh")
			var issued atomic.Int32
			c := faults.NewClient(env(t, "CENTRIFUGO_URL"), "")
			c.Transport = transport
			c.GetToken = func(context.Context) (string, error) {
				issued.Add(1)
				return mintToken(t, user, 3*time.Second), nil
			}
			t.Cleanup(func() { c.Close() })
			api := faults.NewAPIClient(c)
			first, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: 0})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "two token refreshes", func() bool {
				_, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: 1})
				if err != nil {
					t.Fatal(err)
				}
				return issued.Load() >= 3
			})
			last, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: 2})
			if err != nil || last.ClientID != first.ClientID {
				t.Fatalf("after refreshes: %v %+v (first client %s)", err, last, first.ClientID)
			}
		})
	}
}

func TestCancellation(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			c, api := newClient(t, transport, newUser("cancel"))
			key := newUser("key")
			callCtx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := api.FaultBlock(callCtx, faults.BlockParams{Key: key, Seconds: 1})
				done <- err
			}()
			waitFor(t, "fault.block to start", func() bool { return blockStarted(t, key) })
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("want context.Canceled, got %v", err)
			}
			if p := c.Pending(); p != 0 {
				t.Fatalf("%d calls pending after cancellation", p)
			}
			if echo, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: "next"}); err != nil || echo.Value != "next" {
				t.Fatalf("next call: %v %+v", err, echo)
			}
		})
	}
}

func TestWrongShapeIsBadReply(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			_, api := newClient(t, transport, newUser("shape"))
			_, err := api.FaultWrongShape(ctx(t))
			var rpcErr *faults.RPCError
			if !errors.Is(err, faults.ErrBadReply) || errors.As(err, &rpcErr) {
				t.Fatalf("want ErrBadReply, got %v", err)
			}
			if _, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: 1}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestJunkOnTheReplyChannelIsIgnored(t *testing.T) {
	singleNode(t)
	user := newUser("junk")
	c, api := newClient(t, "pubsub", user)
	done := make(chan error, 1)
	go func() {
		slept, err := api.DebugSleep(ctx(t), faults.SleepParams{Seconds: 0.5})
		if err == nil && slept.Slept != 0.5 {
			err = fmt.Errorf("got %+v", slept)
		}
		done <- err
	}()
	waitFor(t, "the call to be registered", func() bool { return c.Pending() > 0 })
	junk := []any{"text", 42, nil, []int{1, 2}, map[string]any{}, map[string]any{"correlation_id": 7, "result": map[string]any{}},
		map[string]any{"correlation_id": "00000000000000000000000000000000", "result": map[string]any{"slept": 1}},
		map[string]any{"correlation_id": "not-ours", "error": map[string]any{"code": 1400, "message": "x"}},
		map[string]any{"correlation_id": "x", "error": "not an object"}}
	for _, item := range junk {
		answer := post(t, env(t, "CENTRIFUGO_API_URL")+"/publish", map[string]any{"channel": "user#" + user, "data": item},
			map[string]string{"X-API-Key": env(t, "CENTRIFUGO_API_KEY")})
		if answer["error"] != nil {
			t.Fatalf("publish: %v", answer)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if echo, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: "still fine"}); err != nil || echo.Value != "still fine" {
		t.Fatalf("%v %+v", err, echo)
	}
}

func TestTwoClientsOfOneUser(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := newUser("twins")
			_, a := newClient(t, transport, user)
			_, b := newClient(t, transport, user)
			var wg sync.WaitGroup
			errs := make(chan error, 200)
			for n := 0; n < 100; n++ {
				for name, api := range map[string]*faults.APIClient{"a": a, "b": b} {
					wg.Add(1)
					go func(name string, api *faults.APIClient, n int) {
						defer wg.Done()
						want := fmt.Sprint(name, n)
						echo, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: want})
						if err == nil && echo.Value != want {
							err = fmt.Errorf("%s got %v", want, echo.Value)
						}
						if err != nil {
							errs <- err
						}
					}(name, api, n)
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		})
	}
}

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
	"runtime"
	"strconv"
	"strings"
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
	c.Transport = faults.Transport(transport)
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

// A per-call deadline is honoured both ways (issue 15): longer than Client.Timeout, the call waits for it; without
// one, Client.Timeout bounds the call.
func TestPerCallDeadlineOverridesTheClientTimeout(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			c, api := newClient(t, transport, newUser("deadline"))
			c.Timeout = 300 * time.Millisecond
			long, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			slept, err := api.DebugSleep(long, faults.SleepParams{Seconds: 1.0})
			if err != nil || slept.Slept != 1.0 {
				t.Fatalf("a 20 s context deadline with a 300 ms client timeout: %v %+v", err, slept)
			}
			_, err = api.DebugSleep(context.Background(), faults.SleepParams{Seconds: 1.0})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("no context deadline: want the client's timeout (context.DeadlineExceeded), got %v", err)
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
			c.Transport = faults.Transport(transport)
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

// --- message size, server disconnects, half-open connections, slow handlers, memory ---------------------------

const limit = 65536 // Centrifugo's default websocket.message_size_limit, which the project's config keeps

// control calls faultstack.py's control endpoint: /restart (with {"config": overrides}), /proxy, /proxy/freeze.
func control(t *testing.T, path string, body map[string]any) map[string]any {
	t.Helper()
	answer := post(t, env(t, "RPCC_CONTROL_URL")+path, body, nil)
	if answer["error"] != nil {
		t.Fatalf("%s: %v", path, answer)
	}
	return answer
}

func serverAPI(t *testing.T, method string, body map[string]any) {
	t.Helper()
	answer := post(t, env(t, "CENTRIFUGO_API_URL")+"/"+method, body, map[string]string{"X-API-Key": env(t, "CENTRIFUGO_API_KEY")})
	if answer["error"] != nil {
		t.Fatalf("%s: %v", method, answer)
	}
}

// withConfig restarts Centrifugo with config overrides for the test, and with its original config after it.
func withConfig(t *testing.T, overrides map[string]any) {
	control(t, "/restart", map[string]any{"config": overrides})
	t.Cleanup(func() { control(t, "/restart", map[string]any{}) })
}

// startBlock starts fault.block and returns once the bridge runs it; the channel gets the call's error.
func startBlock(t *testing.T, api *faults.APIClient, seconds float64) <-chan error {
	key := newUser("key")
	done := make(chan error, 1)
	go func() {
		_, err := api.FaultBlock(ctx(t), faults.BlockParams{Key: key, Seconds: seconds})
		done <- err
	}()
	waitFor(t, "fault.block to start", func() bool { return blockStarted(t, key) })
	return done
}

func echo(t *testing.T, api *faults.APIClient, value any) *faults.EchoResult {
	t.Helper()
	result, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: value})
	if err != nil {
		t.Fatalf("echo %v: %v", value, err)
	}
	return result
}

func TestOversizeRequestIsRefusedBeforeSending(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			c, api := newClient(t, transport, newUser("oversize"))
			before := echo(t, api, 0)
			blocked := startBlock(t, api, 1)
			_, err := api.FaultSize(ctx(t), faults.SizeParams{Blob: strings.Repeat("x", 70000)})
			var tooLarge *faults.RequestTooLargeError
			if !errors.Is(err, faults.ErrRequestTooLarge) || !errors.As(err, &tooLarge) || tooLarge.Limit != limit {
				t.Fatalf("want ErrRequestTooLarge with limit %d, got %v", limit, err)
			}
			if err := <-blocked; err != nil {
				t.Fatalf("the call in flight: %v", err)
			}
			// Go counts the message it would send, id included: a request of exactly the limit goes through.
			fits := 70000 - (tooLarge.Size - limit)
			size, err := api.FaultSize(ctx(t), faults.SizeParams{Blob: strings.Repeat("x", fits)})
			if err != nil || size.Length != int64(fits) {
				t.Fatalf("a request of %d bytes: %v %+v", limit, err, size)
			}
			if _, err := api.FaultSize(ctx(t), faults.SizeParams{Blob: strings.Repeat("x", fits+1)}); !errors.Is(err, faults.ErrRequestTooLarge) {
				t.Fatalf("one byte over: %v", err)
			}
			if after := echo(t, api, 1); after.ClientID != before.ClientID {
				t.Fatal("the connection changed")
			}
			if p := c.Pending(); p != 0 {
				t.Fatalf("%d calls pending", p)
			}
		})
	}
}

func TestOversizeMessageClosesTheConnectionAndTheClientComesBack(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			c, api := newClient(t, transport, newUser("toobig"))
			c.MaxMessageSize = 1 << 20 // above the server's limit: Centrifugo closes the connection (1009)
			before := echo(t, api, 0)
			blocked := startBlock(t, api, 20)
			if _, err := api.FaultSize(ctx(t), faults.SizeParams{Blob: strings.Repeat("x", 70000)}); !errors.Is(err, faults.ErrDisconnected) {
				t.Fatalf("the oversize call: want ErrDisconnected, got %v", err)
			}
			if err := <-blocked; !errors.Is(err, faults.ErrDisconnected) {
				t.Fatalf("the call in flight: want ErrDisconnected, got %v", err)
			}
			if after := echo(t, api, 1); after.ClientID == before.ClientID {
				t.Fatal("want a new connection")
			}
		})
	}
}

// TestSlowCallDoesNotHoldTheOthers: a call made while a slow one runs on the same connection is answered first
// (Centrifugo's client.concurrency; with one command at a time the echo would wait for fault.block to end).
func TestSlowCallDoesNotHoldTheOthers(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			_, api := newClient(t, transport, newUser("slow"))
			blocked := startBlock(t, api, 20)
			before := echo(t, api, 0)
			select {
			case err := <-blocked:
				t.Fatalf("fault.block ended before the echo made after it was answered: %v", err)
			default:
			}
			if after := echo(t, api, 1); after.ClientID != before.ClientID {
				t.Fatal("want the same connection")
			}
		})
	}
}

func TestServerDisconnectCodes(t *testing.T) {
	singleNode(t)
	for _, transport := range transports {
		for _, code := range []int{3499, 4000, 3500, 4500} {
			t.Run(fmt.Sprint(transport, "/", code), func(t *testing.T) {
				user := newUser(fmt.Sprint("close", code))
				_, api := newClient(t, transport, user)
				before := echo(t, api, 0)
				blocked := startBlock(t, api, 20)
				serverAPI(t, "disconnect", map[string]any{"user": user, "disconnect": map[string]any{"code": code, "reason": "t"}})
				if err := <-blocked; !errors.Is(err, faults.ErrDisconnected) {
					t.Fatalf("the call in flight: want ErrDisconnected, got %v", err)
				}
				if code%1000 >= 500 {
					// stays away: later calls fail at once (context.DeadlineExceeded would mean a wait in vain)
					_, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: 1})
					if !errors.Is(err, faults.ErrDisconnected) || !strings.Contains(err.Error(), fmt.Sprint(code)) {
						t.Fatalf("after %d: want ErrDisconnected with the code, got %v", code, err)
					}
					return
				}
				if after := echo(t, api, 2); after.ClientID == before.ClientID {
					t.Fatal("want a new connection")
				}
			})
		}
	}
}

func TestHalfOpenConnectionIsReplaced(t *testing.T) {
	singleNode(t)
	withConfig(t, map[string]any{"client": map[string]any{"ping_interval": "2s", "pong_timeout": "1s"}})
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			proxy := control(t, "/proxy", map[string]any{})
			user := newUser("halfopen")
			c := faults.NewClient(proxy["url"].(string), mintToken(t, user, time.Hour))
			c.Transport = faults.Transport(transport)
			c.Timeout = 60 * time.Second
			c.MaxPingDelay = 2 * time.Second
			t.Cleanup(func() { c.Close() })
			api := faults.NewAPIClient(c)
			before := echo(t, api, 0)
			if frozen := control(t, "/proxy/freeze", map[string]any{"id": proxy["id"]}); frozen["frozen"] != 1.0 {
				t.Fatalf("freeze: %v", frozen)
			}
			started := time.Now()
			if _, err := api.DebugEcho(ctx(t), faults.EchoParams{Value: 1}); !errors.Is(err, faults.ErrDisconnected) {
				t.Fatalf("the call on the silent connection: want ErrDisconnected, got %v", err)
			}
			noticed := time.Since(started)
			after := echo(t, api, 2)
			t.Logf("half-open %s: noticed after %.1f s, working again after %.1f s", transport, noticed.Seconds(),
				time.Since(started).Seconds())
			if after.ClientID == before.ClientID {
				t.Fatal("want a new connection")
			}
		})
	}
}

func TestHandlerSlowerThanTheProxyTimeout(t *testing.T) {
	singleNode(t)
	withConfig(t, map[string]any{"rpc": map[string]any{"proxy": map[string]any{"timeout": "1s"}},
		"channel": map[string]any{"proxy": map[string]any{"publish": map[string]any{"timeout": "1s"}}}})
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			_, api := newClient(t, transport, newUser("slow"))
			before := echo(t, api, 0)
			slept, err := api.DebugSleep(ctx(t), faults.SleepParams{Seconds: 2.5})
			var rpcErr *faults.RPCError
			if transport == "rpc" {
				// Centrifugo gives up on the RPC proxy: error 100, temporary
				if !errors.As(err, &rpcErr) || rpcErr.Code != 100 || !rpcErr.Temporary {
					t.Fatalf("want RPCError 100 (temporary), got %v", err)
				}
			} else if err != nil || slept.Slept != 2.5 {
				// the publish proxy is answered at once; the reply is published when the handler is done
				t.Fatalf("pubsub: %v %+v", err, slept)
			}
			if after := echo(t, api, 1); after.ClientID != before.ClientID {
				t.Fatal("the connection changed")
			}
		})
	}
}

// soakCalls is the number of sequential calls per transport: RPCC_SOAK_CALLS (`make soak`: 100,000), default 2,000.
func soakCalls(t *testing.T) int {
	if value := os.Getenv("RPCC_SOAK_CALLS"); value != "" {
		n, err := strconv.Atoi(value)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return 2000
}

func rssKiB(t *testing.T) int {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == "VmRSS:" {
			n, _ := strconv.Atoi(fields[1])
			return n
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

func TestSequentialCallsKeepMemoryFlat(t *testing.T) {
	singleNode(t)
	boundKiB := 32 * 1024 // RSS growth allowed over the measured calls (after a warm-up fifth)
	if raceDetector {
		boundKiB = 256 * 1024 // make check's -race: +23 MiB over 1,600 calls is the race detector's, not the client's
	}
	calls := soakCalls(t)
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			c, api := newClient(t, transport, newUser("soak"))
			warmUp := calls / 5
			call := func(n int) {
				// a context per call, released at once (ctx(t) keeps each one until the test ends)
				callCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				result, err := api.DebugEcho(callCtx, faults.EchoParams{Value: n})
				if err != nil || fmt.Sprint(result.Value) != fmt.Sprint(n) {
					t.Fatalf("call %d: %v %+v", n, err, result)
				}
			}
			for n := 0; n < warmUp; n++ {
				call(n)
			}
			runtime.GC()
			start := rssKiB(t)
			for n := warmUp; n < calls; n++ {
				call(n)
			}
			runtime.GC()
			growth := rssKiB(t) - start
			t.Logf("soak %s: %d calls, RSS %d KiB after %d, %+d KiB over the next %d", transport, calls, start, warmUp,
				growth, calls-warmUp)
			if growth >= boundKiB {
				t.Fatalf("RSS grew by %d KiB", growth)
			}
			if p := c.Pending(); p != 0 {
				t.Fatalf("%d calls pending", p)
			}
		})
	}
}

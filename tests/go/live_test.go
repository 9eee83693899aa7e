//go:build live

package gotests

// Live tests: the generated SDKs against a real Centrifugo and the Python bridge (tests/fixture). Run through
// `make check-go-live`, which starts the stack and sets the CENTRIFUGO_* variables.

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
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	live "example.com/live"
	tasks "example.com/tasks"
)

var transports = []string{"rpc", "pubsub"}

func env(t *testing.T, name string) string {
	t.Helper()
	value := os.Getenv(name)
	if value == "" {
		t.Fatalf("%s is not set: run the live tests through tests/fixture (make check-go-live)", name)
	}
	return value
}

// mintToken signs an HS256 connection token for user, valid for ttl.
func mintToken(t *testing.T, user string, ttl time.Duration) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{"sub": user, "exp": time.Now().Add(ttl).Unix()})
	unsigned := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(claims)
	mac := hmac.New(sha256.New, []byte(env(t, "CENTRIFUGO_TOKEN_SECRET")))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc(mac.Sum(nil))
}

// freshUser returns a user id no other test uses (the example handlers keep tasks per user).
func freshUser(t *testing.T) string {
	var b [6]byte
	rand.Read(b[:])
	return "go-" + hex.EncodeToString(b[:])
}

func newClient(t *testing.T, transport, user string) *tasks.Client {
	c := tasks.NewClient(env(t, "CENTRIFUGO_URL"), mintToken(t, user, time.Hour))
	c.Transport = tasks.Transport(transport)
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// The README's five lines, literally.
func TestLiveReadmeExample(t *testing.T) {
	token := env(t, "CENTRIFUGO_TOKEN")
	api := tasks.NewAPIClient(tasks.NewClient(env(t, "CENTRIFUGO_URL"), token))
	defer api.Close()
	result, err := api.TasksGetStats(ctx(t), tasks.TaskStatsParams{UserID: "123"})
	if err != nil || result == nil {
		t.Fatal(err)
	}
}

// The old generator's documented calls in the form the README maps them to: a constructor from URL, token and user,
// Connect, then a call with a UserID field (issue 17).
func TestLiveOldGeneratorCalls(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := freshUser(t)
			api := tasks.NewAPIClient(&tasks.Client{URL: env(t, "CENTRIFUGO_URL"), Token: mintToken(t, user, time.Hour),
				UserID: user, Transport: tasks.Transport(transport)})
			defer api.Close()
			if err := api.Connect(ctx(t)); err != nil {
				t.Fatal(err)
			}
			result, err := api.TasksGetStats(ctx(t), tasks.TaskStatsParams{UserID: user})
			if err != nil || result == nil {
				t.Fatalf("tasks.get_stats: %+v %v", result, err)
			}
		})
	}
}

func TestLiveEveryExampleMethod(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := freshUser(t)
			api := tasks.NewAPIClient(newClient(t, transport, user))
			defer api.Close()
			c := ctx(t)

			health, err := api.SystemHealth(c)
			if err != nil || health.Status != "ok" || health.Time.IsZero() {
				t.Fatalf("system.health: %+v %v", health, err)
			}

			// Defaults left to the server: priority (2), labels ([]), due (null).
			first, err := api.TasksCreate(c, tasks.TaskCreateParams{Title: "first"})
			if err != nil {
				t.Fatalf("tasks.create: %v", err)
			}
			if first.Title != "first" || first.Status != tasks.TaskStatusOpen ||
				first.Priority != tasks.PriorityNormal || first.Labels == nil || len(first.Labels) != 0 ||
				first.Due != nil || first.CreatedAt.IsZero() {
				t.Fatalf("tasks.create defaults: %+v", first)
			}
			due := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
			second, err := api.TasksCreate(c, tasks.TaskCreateParams{
				Title: "second", Priority: tasks.Ptr(tasks.PriorityHigh), Labels: []string{"a", "b"}, Due: &due,
			})
			if err != nil || second.Priority != tasks.PriorityHigh || len(second.Labels) != 2 || !second.Due.Equal(due) {
				t.Fatalf("tasks.create: %+v %v", second, err)
			}

			list, err := api.TasksList(c, tasks.TaskListParams{})
			if err != nil || list.Total != 2 || len(list.Items) != 2 {
				t.Fatalf("tasks.list: %+v %v", list, err)
			}
			page, err := api.TasksList(c, tasks.TaskListParams{Limit: tasks.Ptr(int64(1)), Offset: 1})
			if err != nil || len(page.Items) != 1 || page.Total != 2 {
				t.Fatalf("tasks.list page: %+v %v", page, err)
			}

			done, err := api.TasksUpdate(c, tasks.TaskUpdateParams{ID: first.ID, Status: tasks.Ptr(tasks.TaskStatusDone)})
			if err != nil || done.Status != tasks.TaskStatusDone || done.Title != "first" {
				t.Fatalf("tasks.update: %+v %v", done, err)
			}
			open, err := api.TasksList(c, tasks.TaskListParams{Status: tasks.Ptr(tasks.TaskStatusOpen)})
			if err != nil || open.Total != 1 || open.Items[0].ID != second.ID {
				t.Fatalf("tasks.list status=open: %+v %v", open, err)
			}

			stats, err := api.TasksGetStats(c, tasks.TaskStatsParams{UserID: user})
			if err != nil || stats.Total != 2 || stats.ByStatus[tasks.TaskStatusDone] != 1 {
				t.Fatalf("tasks.get_stats: %+v %v", stats, err)
			}
			since := time.Now().Add(-time.Hour)
			stats, err = api.TasksGetStats(c, tasks.TaskStatsParams{
				UserID: user, Limit: tasks.Ptr(int64(5)), Since: &since, Statuses: []tasks.TaskStatus{tasks.TaskStatusOpen},
			})
			if err != nil || stats == nil {
				t.Fatalf("tasks.get_stats with every field: %+v %v", stats, err)
			}

			// Application errors reach the caller as *RPCError with the handler's code.
			var rpcErr *tasks.RPCError
			_, err = api.TasksUpdate(c, tasks.TaskUpdateParams{ID: first.ID, Title: tasks.Ptr("again")})
			if !errors.As(err, &rpcErr) || rpcErr.Code != 1409 {
				t.Fatalf("update of a done task: want 1409, got %v", err)
			}
			_, err = api.TasksUpdate(c, tasks.TaskUpdateParams{ID: 987654321})
			if !errors.As(err, &rpcErr) || rpcErr.Code != 1404 {
				t.Fatalf("update of an unknown task: want 1404, got %v", err)
			}
			_, err = api.TasksCreate(c, tasks.TaskCreateParams{Title: ""})
			if !errors.As(err, &rpcErr) || rpcErr.Code != 400 || errors.Is(err, tasks.ErrDisconnected) {
				t.Fatalf("invalid params: want 400, got %v", err)
			}
			_, err = api.TasksGetStats(c, tasks.TaskStatsParams{UserID: user, Limit: tasks.Ptr(int64(0))})
			if !errors.As(err, &rpcErr) || rpcErr.Code != 400 {
				t.Fatalf("limit out of range: want 400, got %v", err)
			}
		})
	}
}

func newDebug(t *testing.T, transport, user string) *live.APIClient {
	c := live.NewClient(env(t, "CENTRIFUGO_URL"), mintToken(t, user, time.Hour))
	c.Transport = live.Transport(transport)
	api := live.NewAPIClient(c)
	t.Cleanup(func() { api.Close() })
	return api
}

func TestLiveIdentityAndErrors(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := freshUser(t)
			api := newDebug(t, transport, user)
			c := ctx(t)
			echo, err := api.DebugEcho(c, live.EchoParams{Value: map[string]any{"big": 1.5, "s": "ü"}})
			if err != nil || echo.UserID != user || echo.Transport != transport || echo.ClientID == "" {
				t.Fatalf("debug.echo: %+v %v", echo, err)
			}
			if value, ok := echo.Value.(map[string]any); !ok || value["s"] != "ü" {
				t.Fatalf("debug.echo value: %#v", echo.Value)
			}
			var rpcErr *live.RPCError
			_, err = api.DebugFail(c, live.FailParams{Code: live.Ptr(int64(1777)), Message: live.Ptr("nope")})
			if !errors.As(err, &rpcErr) || rpcErr.Code != 1777 || rpcErr.Message != "nope" {
				t.Fatalf("debug.fail: %v", err)
			}
			_, err = api.DebugFail(c, live.FailParams{Crash: true})
			if !errors.As(err, &rpcErr) || rpcErr.Code != 500 || rpcErr.Message != "internal server error" {
				t.Fatalf("debug.fail crash: %v", err)
			}
			err = api.Call(c, "no.such_method", nil, nil)
			if !errors.As(err, &rpcErr) || rpcErr.Code != 404 {
				t.Fatalf("unknown method: want 404, got %v", err)
			}
		})
	}
}

func TestLiveDeadlineFromContext(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			api := newDebug(t, transport, freshUser(t))
			short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := api.DebugSleep(short, live.SleepParams{Seconds: 3})
			var rpcErr *live.RPCError
			if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, live.ErrDisconnected) || errors.As(err, &rpcErr) {
				t.Fatalf("want a deadline error, got %v", err)
			}
			// The connection survives the timeout.
			slept, err := api.DebugSleep(ctx(t), live.SleepParams{Seconds: 0.05})
			if err != nil || slept.Slept != 0.05 {
				t.Fatalf("debug.sleep: %+v %v", slept, err)
			}
		})
	}
}

func TestLiveConcurrentCalls(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := freshUser(t)
			api := tasks.NewAPIClient(newClient(t, transport, user))
			defer api.Close()
			c := ctx(t)
			var wg sync.WaitGroup
			var created atomic.Int64
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 5 {
						if _, err := api.TasksCreate(c, tasks.TaskCreateParams{Title: fmt.Sprintf("t%d-%d", g, i)}); err != nil {
							t.Errorf("create: %v", err)
							return
						}
						created.Add(1)
						if _, err := api.SystemHealth(c); err != nil {
							t.Errorf("health: %v", err)
							return
						}
					}
				}()
			}
			wg.Wait()
			list, err := api.TasksList(c, tasks.TaskListParams{Limit: tasks.Ptr(int64(500))})
			if err != nil || list.Total != created.Load() || created.Load() != 40 {
				t.Fatalf("want 40 tasks, got %+v %v", list, err)
			}
		})
	}
}

// serverDisconnect asks Centrifugo's server API to disconnect every connection of user with code.
func serverDisconnect(t *testing.T, user string, code int) {
	body, _ := json.Marshal(map[string]any{"user": user, "disconnect": map[string]any{"code": code, "reason": "test"}})
	request, _ := http.NewRequest("POST", env(t, "CENTRIFUGO_API_URL")+"/disconnect", bytes.NewReader(body))
	request.Header.Set("X-API-Key", env(t, "CENTRIFUGO_API_KEY"))
	request.Header.Set("Content-Type", "application/json")
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	var answer map[string]json.RawMessage
	json.NewDecoder(response.Body).Decode(&answer)
	if response.StatusCode != 200 || answer["error"] != nil {
		t.Fatalf("disconnect: %d %s", response.StatusCode, answer["error"])
	}
}

// clientID is the Centrifugo client id of the connection the call went over (debug.echo reports it), or "" when
// the call failed with ErrDisconnected: the close frame arrives asynchronously, so a call just after a server-side
// disconnect may either fail or go over a new connection.
func clientID(t *testing.T, api *live.APIClient) string {
	echo, err := api.DebugEcho(ctx(t), live.EchoParams{})
	if errors.Is(err, live.ErrDisconnected) {
		return ""
	}
	if err != nil {
		t.Fatalf("debug.echo: %v", err)
	}
	return echo.ClientID
}

func TestLiveReconnectOrStopOnCloseCodes(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := freshUser(t)
			api := newDebug(t, transport, user)
			first := clientID(t, api)
			if first == "" {
				t.Fatal("no connection")
			}
			// 4000..4499: the client reconnects (on the next call).
			serverDisconnect(t, user, 4100)
			deadline := time.Now().Add(20 * time.Second)
			for id := clientID(t, api); id == "" || id == first; id = clientID(t, api) {
				if time.Now().After(deadline) {
					t.Fatal("the client did not come back on a new connection after code 4100")
				}
				time.Sleep(20 * time.Millisecond)
			}
			// 4500..4999: the client stops for good.
			serverDisconnect(t, user, 4501)
			for clientID(t, api) != "" {
				if time.Now().After(deadline) {
					t.Fatal("the server's disconnect with code 4501 never reached the client")
				}
				time.Sleep(20 * time.Millisecond)
			}
			for range 3 {
				_, err := api.DebugEcho(ctx(t), live.EchoParams{})
				if !errors.Is(err, live.ErrDisconnected) || !strings.Contains(err.Error(), "4501") {
					t.Fatalf("the client must stay stopped after code 4501: %v", err)
				}
			}
		})
	}
}

func TestLiveTokenRefresh(t *testing.T) {
	user := freshUser(t)
	var calls atomic.Int32
	c := tasks.NewClient(env(t, "CENTRIFUGO_URL"), "")
	c.GetToken = func(context.Context) (string, error) {
		calls.Add(1)
		return mintToken(t, user, 2*time.Second), nil
	}
	api := tasks.NewAPIClient(c)
	defer api.Close()
	if _, err := api.SystemHealth(ctx(t)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for calls.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if calls.Load() < 3 {
		t.Fatalf("GetToken was called %d times; the client should refresh before each expiry", calls.Load())
	}
	if _, err := api.SystemHealth(ctx(t)); err != nil {
		t.Fatalf("after refreshes: %v", err)
	}
}

func TestLivePubSubCannotAnswerAnotherUser(t *testing.T) {
	// A client may only subscribe to its own user channel.
	c := &tasks.Client{URL: env(t, "CENTRIFUGO_URL"), Token: mintToken(t, freshUser(t), time.Hour), Transport: "pubsub", UserID: "someone-else"}
	defer c.Close()
	var rpcErr *tasks.RPCError
	if err := c.Connect(ctx(t)); !errors.As(err, &rpcErr) || rpcErr.Code != 103 {
		t.Fatalf("want 103 permission denied, got %v", err)
	}
}

// bridgeStats reads the bridge's counters (GET /health), where failed one-way calls are counted.
func bridgeStats(t *testing.T) map[string]int {
	t.Helper()
	response, err := http.Get(env(t, "RPCC_BRIDGE_URL") + "/health")
	if err != nil {
		t.Fatalf("bridge health: %v", err)
	}
	defer response.Body.Close()
	var body struct {
		Stats map[string]int `json:"stats"`
	}
	if err := json.NewDecoder(response.Body).Decode(&body); err != nil {
		t.Fatalf("bridge health: %v", err)
	}
	return body.Stats
}

// One-way methods: a refused call gives the client nothing, a burst is all handled (counted on the server).
func TestLiveOneWay(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			api := newDebug(t, transport, freshUser(t))
			c := ctx(t)
			key := "go-burst-" + transport + "-" + freshUser(t)
			failedBefore := bridgeStats(t)["oneway_failed"]
			if err := api.DebugNotify(c, live.NotifyParams{Key: key, Reject: true}); err != nil {
				t.Fatalf("a refused one-way call returned an error: %v", err)
			}
			const burst = 200
			var wg sync.WaitGroup
			for range burst {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := api.DebugNotify(c, live.NotifyParams{Key: key}); err != nil {
						t.Errorf("notify: %v", err)
					}
				}()
			}
			wg.Wait()
			// One-way calls finish after they return: ask until the count is reached (a bound, not a timing test).
			count := int64(-1)
			for round := 0; round < 200 && count < burst; round++ {
				result, err := api.DebugNotified(c, live.CountParams{Key: key})
				if err != nil {
					t.Fatalf("notified: %v", err)
				}
				if count = result.Count; count < burst {
					time.Sleep(50 * time.Millisecond)
				}
			}
			if count != burst {
				t.Fatalf("the server handled %d of %d one-way calls", count, burst)
			}
			if got := bridgeStats(t)["oneway_failed"]; got < failedBefore+1 {
				t.Fatalf("oneway_failed = %d, want at least %d", got, failedBefore+1)
			}
			small := live.NewClient(env(t, "CENTRIFUGO_URL"), mintToken(t, freshUser(t), time.Hour))
			small.Transport = live.Transport(transport)
			small.MaxMessageSize = 100
			defer small.Close()
			err := live.NewAPIClient(small).DebugNotify(c, live.NotifyParams{Key: strings.Repeat("k", 64)})
			if !errors.Is(err, live.ErrRequestTooLarge) {
				t.Fatalf("a one-way call over MaxMessageSize: %v, want ErrRequestTooLarge", err)
			}
		})
	}
}

// A batch: every typed call in one message, each with its own result or error; refused whole over its limits.
func TestLiveBatch(t *testing.T) {
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			api := newDebug(t, transport, freshUser(t))
			b := live.NewBatch(ctx(t))
			var echo *live.EchoResult
			var echoErr, failErr error
			var slept *live.SleepResult
			var sleepErr error
			b.Go(func(ctx context.Context) { echo, echoErr = api.DebugEcho(ctx, live.EchoParams{Value: "first"}) })
			b.Go(func(ctx context.Context) {
				_, failErr = api.DebugFail(ctx, live.FailParams{Code: live.Ptr(int64(1409)), Message: live.Ptr("only this one")})
			})
			b.Go(func(ctx context.Context) { slept, sleepErr = api.DebugSleep(ctx, live.SleepParams{Seconds: 0}) })
			if err := b.Wait(); err != nil {
				t.Fatalf("batch: %v", err)
			}
			if echoErr != nil || echo.Value != "first" || echo.Transport != transport {
				t.Fatalf("echo: %+v, %v", echo, echoErr)
			}
			var rpcErr *live.RPCError
			if !errors.As(failErr, &rpcErr) || rpcErr.Code != 1409 || rpcErr.Message != "only this one" {
				t.Fatalf("fail: %v", failErr)
			}
			if sleepErr != nil || slept.Slept != 0 {
				t.Fatalf("sleep: %+v, %v", slept, sleepErr)
			}

			many := live.NewBatch(ctx(t))
			values := make([]any, 100)
			errs := make([]error, 100)
			for i := range 100 {
				many.Go(func(ctx context.Context) {
					var result *live.EchoResult
					if result, errs[i] = api.DebugEcho(ctx, live.EchoParams{Value: float64(i)}); errs[i] == nil {
						values[i] = result.Value
					}
				})
			}
			if err := many.Wait(); err != nil {
				t.Fatalf("batch of 100: %v", err)
			}
			for i := range 100 {
				if errs[i] != nil || fmt.Sprint(values[i]) != fmt.Sprint(i) {
					t.Fatalf("entry %d: %v, %v", i, values[i], errs[i])
				}
			}

			tooMany := live.NewBatch(ctx(t))
			var tooManyErr atomic.Value
			for range 101 {
				tooMany.Go(func(ctx context.Context) {
					if _, err := api.DebugEcho(ctx, live.EchoParams{}); err != nil {
						tooManyErr.Store(err)
					}
				})
			}
			if err := tooMany.Wait(); !errors.Is(err, live.ErrBatchTooLarge) {
				t.Fatalf("101 calls: %v, want ErrBatchTooLarge", err)
			}
			if err, _ := tooManyErr.Load().(error); !errors.Is(err, live.ErrBatchTooLarge) {
				t.Fatalf("a call of a refused batch: %v", err)
			}
			big := live.NewBatch(ctx(t))
			for range 70 {
				big.Go(func(ctx context.Context) { api.DebugEcho(ctx, live.EchoParams{Value: strings.Repeat("x", 1000)}) })
			}
			if err := big.Wait(); !errors.Is(err, live.ErrBatchTooLarge) {
				t.Fatalf("70 KB batch: %v, want ErrBatchTooLarge", err)
			}
			if echo, err := api.DebugEcho(ctx(t), live.EchoParams{Value: "after"}); err != nil || echo.Value != "after" {
				t.Fatalf("after the refused batches: %+v, %v", echo, err)
			}
		})
	}
}

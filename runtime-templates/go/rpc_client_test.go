package rpcclient

// Tests of the protocol client against an in-process fake Centrifugo that speaks the JSON client protocol.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fakeServer is a scriptable Centrifugo. Methods of the rpc command:
//
//	echo         replies with the data
//	fail         replies with error 400 "bad things"
//	slow         never replies
//	close:<code> closes the connection with that code
type fakeServer struct {
	t          *testing.T
	server     *httptest.Server
	ping       int    // seconds announced in the connect reply
	sendPing   bool   // send a ping right after the connect reply
	batch      bool   // send the replies of a frame's commands as one newline-separated frame
	ttl        int64  // > 0: the connect reply says the token expires after ttl seconds
	validToken string // when set, other tokens get error 109 (token expired)

	connections atomic.Int32
	mu          sync.Mutex
	commands    []map[string]json.RawMessage
	frames      []int // the size of every message the client sent
	pongs       int
	refreshes   []string

	// Channels (see subscription_test.go): "secret:..." is refused, "hist:..." keeps history (epoch "e1", at most
	// historyLimit publications when > 0), "user#..." only for its user; publish sends to the subscribers.
	historyLimit int
	refuse       atomic.Bool // refuse WebSocket connections (503) while set
	history      map[string][]string
	historyBase  map[string]int // offset of the first publication kept, minus one
	subscribers  map[string]map[*fakeConn]bool
	live         map[*fakeConn]bool
}

// fakeConn is one connection of the fake server.
type fakeConn struct {
	ws    *websocket.Conn
	write func(messages ...string) error
}

func newFakeServer(t *testing.T, configure func(*fakeServer)) *fakeServer {
	f := &fakeServer{t: t}
	if configure != nil {
		configure(f)
	}
	f.server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.server.Close)
	return f
}

func (f *fakeServer) url() string {
	return "ws" + strings.TrimPrefix(f.server.URL, "http") + "/connection/websocket"
}

func (f *fakeServer) recorded() []map[string]json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]json.RawMessage(nil), f.commands...)
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	if f.refuse.Load() {
		http.Error(w, "not now", http.StatusServiceUnavailable)
		return
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	f.connections.Add(1)
	ctx := r.Context()
	var writeMu sync.Mutex
	write := func(messages ...string) error {
		writeMu.Lock()
		defer writeMu.Unlock()
		return ws.Write(ctx, websocket.MessageText, []byte(strings.Join(messages, "\n")))
	}
	self := &fakeConn{ws: ws, write: write}
	f.mu.Lock()
	if f.live == nil {
		f.live = map[*fakeConn]bool{}
	}
	f.live[self] = true
	f.mu.Unlock()
	defer f.dropConn(self)
	user := ""
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.frames = append(f.frames, len(data))
		f.mu.Unlock()
		var replies []string
		for _, line := range strings.Split(string(data), "\n") {
			var command map[string]json.RawMessage
			if err := json.Unmarshal([]byte(line), &command); err != nil {
				f.t.Errorf("fake: bad frame %q: %v", line, err)
				return
			}
			f.mu.Lock()
			f.commands = append(f.commands, command)
			if len(command) == 0 {
				f.pongs++
			}
			f.mu.Unlock()
			if len(command) == 0 {
				continue
			}
			id := string(command["id"])
			switch {
			case command["connect"] != nil:
				var body struct{ Token string }
				json.Unmarshal(command["connect"], &body)
				if f.validToken != "" && body.Token != f.validToken {
					replies = append(replies, `{"id":`+id+`,"error":{"code":109,"message":"token expired"}}`)
					continue
				}
				user = tokenSubject(body.Token)
				expires := ""
				if f.ttl > 0 {
					expires = fmt.Sprintf(`,"expires":true,"ttl":%d`, f.ttl)
				}
				replies = append(replies, fmt.Sprintf(`{"id":%s,"connect":{"client":"c1","version":"6.9.1","ping":%d,"pong":true%s}}`, id, f.ping, expires))
				if f.sendPing {
					replies = append(replies, `{}`)
				}
			case command["refresh"] != nil:
				var body struct{ Token string }
				json.Unmarshal(command["refresh"], &body)
				f.mu.Lock()
				f.refreshes = append(f.refreshes, body.Token)
				f.mu.Unlock()
				replies = append(replies, `{"id":`+id+`,"refresh":{"expires":true,"ttl":3600}}`)
			case command["subscribe"] != nil:
				var body struct{ Channel string }
				json.Unmarshal(command["subscribe"], &body)
				if strings.HasPrefix(body.Channel, "user#") && body.Channel != "user#"+user ||
					strings.HasPrefix(body.Channel, "secret:") {
					replies = append(replies, `{"id":`+id+`,"error":{"code":103,"message":"permission denied"}}`)
					continue
				}
				if strings.HasPrefix(body.Channel, "user#") {
					replies = append(replies, `{"id":`+id+`,"subscribe":{}}`)
					continue
				}
				if err := f.subscribe(self, id, command["subscribe"]); err != nil {
					return
				}
			case command["unsubscribe"] != nil:
				var body struct{ Channel string }
				json.Unmarshal(command["unsubscribe"], &body)
				f.mu.Lock()
				delete(f.subscribers[body.Channel], self)
				f.mu.Unlock()
				replies = append(replies, `{"id":`+id+`,"unsubscribe":{}}`)
			case command["publish"] != nil:
				var body struct {
					Channel string
					Data    struct {
						Method        string          `json:"method"`
						Params        json.RawMessage `json:"params"`
						CorrelationID string          `json:"correlation_id"`
						ReplyTo       string          `json:"reply_to"`
					}
				}
				json.Unmarshal(command["publish"], &body)
				if strings.HasPrefix(body.Channel, "room:") {
					var raw struct{ Data json.RawMessage }
					json.Unmarshal(command["publish"], &raw)
					f.publish(body.Channel, string(raw.Data))
					replies = append(replies, `{"id":`+id+`,"publish":{}}`)
					continue
				}
				if body.Channel != "rpc:requests" || body.Data.ReplyTo != "user#"+user {
					replies = append(replies, `{"id":`+id+`,"error":{"code":103,"message":"permission denied"}}`)
					continue
				}
				var answer string
				switch body.Data.Method {
				case "echo":
					answer = fmt.Sprintf(`{"correlation_id":%q,"result":%s}`, body.Data.CorrelationID, body.Data.Params)
				case "nodata": // a reply without a result member
					answer = fmt.Sprintf(`{"correlation_id":%q}`, body.Data.CorrelationID)
				case "slow":
				default:
					answer = fmt.Sprintf(`{"correlation_id":%q,"error":{"code":404,"message":"no such method"}}`, body.Data.CorrelationID)
				}
				// The reply push may come before the publish reply: the client must cope.
				if answer != "" {
					replies = append(replies, fmt.Sprintf(`{"push":{"channel":"user#%s","pub":{"data":%s,"info":{"user":%q}}}}`, user, answer, user))
				}
				replies = append(replies, `{"id":`+id+`,"publish":{}}`)
			case command["rpc"] != nil:
				var body struct {
					Method string
					Data   json.RawMessage
				}
				json.Unmarshal(command["rpc"], &body)
				switch {
				case body.Method == "echo":
					replies = append(replies, `{"id":`+id+`,"rpc":{"data":`+string(body.Data)+`}}`)
				case body.Method == "nodata": // an rpc reply without data
					replies = append(replies, `{"id":`+id+`,"rpc":{}}`)
				case body.Method == "fail":
					replies = append(replies, `{"id":`+id+`,"error":{"code":400,"message":"bad things"}}`)
				case body.Method == "slow":
				case strings.HasPrefix(body.Method, "close:"):
					var code int
					fmt.Sscanf(body.Method, "close:%d", &code)
					ws.Close(websocket.StatusCode(code), "bye")
					return
				default:
					replies = append(replies, `{"id":`+id+`,"error":{"code":104,"message":"method not found"}}`)
				}
			}
		}
		if len(replies) == 0 {
			continue
		}
		if f.batch {
			err = write(replies...)
		} else {
			for _, reply := range replies {
				if err = write(reply); err != nil {
					break
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// testToken builds an (unsigned) JWT for user sub: the fake server does not verify signatures.
func testToken(sub string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"`+sub+`"}`)) + ".c2ln"
}

type echoData struct {
	N int64  `json:"n"`
	S string `json:"s,omitempty"`
}

func contextWithTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestConnectSendsTokenFirstAndNumbersCommands(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 10*time.Second)
	for i := int64(1); i <= 3; i++ {
		var out echoData
		if err := c.Call(ctx, "echo", echoData{N: i, S: "x"}, &out); err != nil {
			t.Fatal(err)
		}
		if out.N != i || out.S != "x" {
			t.Fatalf("echo %d: got %+v", i, out)
		}
	}
	commands := f.recorded()
	if len(commands) != 4 {
		t.Fatalf("want connect + 3 rpc commands, got %d", len(commands))
	}
	var connect struct{ Token, Name string }
	if err := json.Unmarshal(commands[0]["connect"], &connect); err != nil || connect.Token != testToken("7") || connect.Name != "rpcc-go" {
		t.Fatalf("first command must be connect with the token, got %v (%v)", commands[0], err)
	}
	last := int64(0)
	for _, command := range commands {
		var id int64
		if err := json.Unmarshal(command["id"], &id); err != nil || id <= last {
			t.Fatalf("command ids must increase from 1: %d after %d", id, last)
		}
		last = id
	}
	var rpc struct {
		Method string
		Data   echoData
	}
	json.Unmarshal(commands[1]["rpc"], &rpc)
	if rpc.Method != "echo" || rpc.Data.N != 1 {
		t.Fatalf("rpc command: %s", commands[1]["rpc"])
	}
}

func TestNilParamsSendEmptyObject(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	var out map[string]any
	if err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", nil, &out); err != nil {
		t.Fatal(err)
	}
	if out == nil || len(out) != 0 {
		t.Fatalf("want {}, got %v", out)
	}
}

func TestErrorReplyIsRPCError(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 10*time.Second)
	err := c.Call(ctx, "fail", nil, nil)
	var rpcErr *RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Code != 400 || rpcErr.Message != "bad things" {
		t.Fatalf("want *RPCError 400, got %v", err)
	}
	if errors.Is(err, ErrDisconnected) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a server error is neither a disconnect nor a timeout: %v", err)
	}
	err = c.Call(ctx, "nope", nil, nil)
	if !errors.As(err, &rpcErr) || rpcErr.Code != 104 {
		t.Fatalf("want 104, got %v", err)
	}
	// The connection survives error replies.
	if err := c.Call(ctx, "echo", echoData{N: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if n := f.connections.Load(); n != 1 {
		t.Fatalf("want 1 connection, got %d", n)
	}
}

func TestBatchedFramesAreSplit(t *testing.T) {
	f := newFakeServer(t, func(f *fakeServer) { f.batch = true; f.sendPing = true })
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 10*time.Second)
	// The connect reply and a ping arrive in one frame; the pong must still be sent.
	if err := c.Call(ctx, "echo", echoData{N: 1}, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out echoData
			if err := c.Call(ctx, "echo", echoData{N: int64(i)}, &out); err != nil || out.N != int64(i) {
				t.Errorf("call %d: %v %+v", i, err, out)
			}
		}()
	}
	wg.Wait()
	waitFor(t, func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.pongs == 1 })
}

func TestPingIsAnswered(t *testing.T) {
	f := newFakeServer(t, func(f *fakeServer) { f.sendPing = true })
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	if err := c.Connect(contextWithTimeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.pongs == 1 })
}

func TestDeadConnectionIsDetected(t *testing.T) {
	// The server announces pings every second but never sends one.
	f := newFakeServer(t, func(f *fakeServer) { f.ping = 1 })
	c := NewClient(f.url(), testToken("7"))
	c.MaxPingDelay = 100 * time.Millisecond
	defer c.Close()
	err := c.Call(contextWithTimeout(t, 60*time.Second), "slow", nil, nil)
	if !errors.Is(err, ErrDisconnected) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want ErrDisconnected, got %v", err)
	}
	if !strings.Contains(err.Error(), "ping") {
		t.Fatalf("the error should say why: %v", err)
	}
}

func TestDeadlineFromContext(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := c.Call(ctx, "slow", nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrDisconnected) {
		t.Fatalf("want a deadline error, got %v", err)
	}
	var rpcErr *RPCError
	if errors.As(err, &rpcErr) {
		t.Fatalf("a timeout is not an RPCError: %v", err)
	}
	// The connection is still good.
	if err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", echoData{N: 2}, nil); err != nil {
		t.Fatal(err)
	}
	if n := f.connections.Load(); n != 1 {
		t.Fatalf("a timeout must not drop the connection: %d connections", n)
	}
}

func TestClientTimeoutAppliesWithoutDeadline(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	c.Timeout = 100 * time.Millisecond
	defer c.Close()
	if err := c.Call(context.Background(), "slow", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline error, got %v", err)
	}
}

func TestReconnectAfterReconnectCloseCode(t *testing.T) {
	// 1009: Centrifugo closes with it on a message over its size limit; the connection is gone, the server is fine.
	for _, code := range []int{1009, 3000, 3499, 4000, 4499} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			f := newFakeServer(t, nil)
			c := NewClient(f.url(), testToken("7"))
			defer c.Close()
			ctx := contextWithTimeout(t, 10*time.Second)
			err := c.Call(ctx, fmt.Sprintf("close:%d", code), nil, nil)
			if !errors.Is(err, ErrDisconnected) || !strings.Contains(err.Error(), fmt.Sprint(code)) {
				t.Fatalf("want ErrDisconnected with the code, got %v", err)
			}
			if err := c.Call(ctx, "echo", echoData{N: 1}, nil); err != nil {
				t.Fatalf("the client must reconnect: %v", err)
			}
			if n := f.connections.Load(); n != 2 {
				t.Fatalf("want 2 connections, got %d", n)
			}
		})
	}
}

func TestStopAfterTerminalCloseCode(t *testing.T) {
	for _, code := range []int{3500, 3999, 4500, 4999} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			f := newFakeServer(t, nil)
			c := NewClient(f.url(), testToken("7"))
			defer c.Close()
			ctx := contextWithTimeout(t, 10*time.Second)
			if err := c.Call(ctx, fmt.Sprintf("close:%d", code), nil, nil); !errors.Is(err, ErrDisconnected) {
				t.Fatalf("want ErrDisconnected, got %v", err)
			}
			err := c.Call(ctx, "echo", echoData{N: 1}, nil)
			if !errors.Is(err, ErrDisconnected) || !strings.Contains(err.Error(), "not to reconnect") {
				t.Fatalf("want the stop error, got %v", err)
			}
			if n := f.connections.Load(); n != 1 {
				t.Fatalf("the client must not reconnect: %d connections", n)
			}
		})
	}
}

func TestCloseFailsPendingAndLaterCalls(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	ctx := contextWithTimeout(t, 10*time.Second)
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	result := make(chan error, 1)
	go func() { result <- c.Call(ctx, "slow", nil, nil) }()
	waitFor(t, func() bool { return len(f.recorded()) == 2 })
	c.Close()
	if err := <-result; !errors.Is(err, ErrDisconnected) {
		t.Fatalf("pending call: want ErrDisconnected, got %v", err)
	}
	if err := c.Call(ctx, "echo", nil, nil); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("call after Close: want ErrDisconnected, got %v", err)
	}
}

func TestDialFailureIsDisconnect(t *testing.T) {
	f := newFakeServer(t, nil)
	url := f.url()
	f.server.Close()
	c := NewClient(url, testToken("7"))
	if err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", nil, nil); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("want ErrDisconnected, got %v", err)
	}
}

func TestPubSubTransport(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("42"))
	c.Transport = "pubsub"
	defer c.Close()
	ctx := contextWithTimeout(t, 10*time.Second)
	for i := int64(1); i <= 3; i++ {
		var out echoData
		if err := c.Call(ctx, "echo", echoData{N: i}, &out); err != nil || out.N != i {
			t.Fatalf("echo %d: %v %+v", i, err, out)
		}
	}
	err := c.Call(ctx, "missing", nil, nil)
	var rpcErr *RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Code != 404 {
		t.Fatalf("want *RPCError 404, got %v", err)
	}
	commands := f.recorded()
	var subscribe struct{ Channel string }
	json.Unmarshal(commands[1]["subscribe"], &subscribe)
	if subscribe.Channel != "user#42" {
		t.Fatalf("want a subscription to user#42 after connect, got %v", commands[1])
	}
	seen := map[string]bool{}
	hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, command := range commands[2:] {
		var publish struct {
			Channel string
			Data    map[string]json.RawMessage
		}
		if err := json.Unmarshal(command["publish"], &publish); err != nil {
			t.Fatalf("want publish commands, got %v", command)
		}
		var id, replyTo string
		json.Unmarshal(publish.Data["correlation_id"], &id)
		json.Unmarshal(publish.Data["reply_to"], &replyTo)
		if publish.Channel != "rpc:requests" || replyTo != "user#42" || !hexID.MatchString(id) || seen[id] {
			t.Fatalf("bad request: channel %q reply_to %q correlation id %q", publish.Channel, replyTo, id)
		}
		seen[id] = true
	}
}

func TestPubSubExplicitUserAndTimeout(t *testing.T) {
	f := newFakeServer(t, nil)
	c := &Client{URL: f.url(), Token: testToken("5"), Transport: "pubsub", UserID: "6"}
	defer c.Close()
	// The fake refuses the subscription to another user's channel.
	err := c.Connect(contextWithTimeout(t, 10*time.Second))
	var rpcErr *RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Code != 103 {
		t.Fatalf("want 103, got %v", err)
	}
	c2 := &Client{URL: f.url(), Token: testToken("5"), Transport: "pubsub"}
	defer c2.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := c2.Call(ctx, "slow", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline error, got %v", err)
	}
}

func TestUnknownTransportIsAnError(t *testing.T) {
	f := newFakeServer(t, nil)
	c := &Client{URL: f.url(), Token: testToken("5"), Transport: "grpc"}
	if err := c.Connect(contextWithTimeout(t, 10*time.Second)); err == nil || !strings.Contains(err.Error(), "transport") {
		t.Fatalf("want a transport error, got %v", err)
	}
}

func TestExpiredTokenIsReplacedFromGetToken(t *testing.T) {
	good := testToken("9")
	f := newFakeServer(t, func(f *fakeServer) { f.validToken = good })
	var calls atomic.Int32
	c := &Client{URL: f.url(), Token: testToken("old"), GetToken: func(context.Context) (string, error) {
		calls.Add(1)
		return good, nil
	}}
	defer c.Close()
	if err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", nil, nil); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Fatalf("GetToken calls: %d", calls.Load())
	}
	// Without GetToken the 109 error reaches the caller.
	c2 := NewClient(f.url(), testToken("old"))
	err := c2.Call(contextWithTimeout(t, 10*time.Second), "echo", nil, nil)
	var rpcErr *RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Code != 109 {
		t.Fatalf("want 109, got %v", err)
	}
}

func TestTokenIsRefreshedBeforeExpiry(t *testing.T) {
	f := newFakeServer(t, func(f *fakeServer) { f.ttl = 1 })
	c := &Client{URL: f.url(), GetToken: func(context.Context) (string, error) { return testToken("3"), nil }}
	defer c.Close()
	if err := c.Connect(contextWithTimeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { f.mu.Lock(); defer f.mu.Unlock(); return len(f.refreshes) == 1 })
	if err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentCallsOverBothTransports(t *testing.T) {
	f := newFakeServer(t, nil)
	for _, transport := range []Transport{TransportRPC, TransportPubSub} {
		c := &Client{URL: f.url(), Token: testToken("11"), Transport: transport}
		ctx := contextWithTimeout(t, 30*time.Second)
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 25 {
					n := int64(g*1000 + i)
					var out echoData
					if err := c.Call(ctx, "echo", echoData{N: n}, &out); err != nil || out.N != n {
						t.Errorf("%s call %d: %v %+v", transport, n, err, out)
						return
					}
				}
			}()
		}
		wg.Wait()
		c.Close()
	}
	if n := f.connections.Load(); n != 2 {
		t.Fatalf("concurrent first calls must share one dial per client: %d connections", n)
	}
}

func TestTokenSubject(t *testing.T) {
	if got := tokenSubject(testToken("abc")); got != "abc" {
		t.Fatalf("got %q", got)
	}
	for _, bad := range []string{"", "a.b", "a.!!!.c", "a." + base64.RawURLEncoding.EncodeToString([]byte("[]")) + ".c"} {
		if got := tokenSubject(bad); got != "" {
			t.Fatalf("%q: got %q", bad, got)
		}
	}
}

func waitFor(t *testing.T, condition func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !condition() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 20s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestResultThatDoesNotFitIsBadReply(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	var out echoData
	err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", map[string]any{"n": "not a number"}, &out)
	var rpcErr *RPCError
	if !errors.Is(err, ErrBadReply) || errors.Is(err, ErrDisconnected) || errors.As(err, &rpcErr) {
		t.Fatalf("want an error wrapping ErrBadReply only, got %v", err)
	}
	// the connection is still usable
	if err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", echoData{N: 1}, &out); err != nil || out.N != 1 {
		t.Fatalf("call after a bad reply: %v %+v", err, out)
	}
}

// Results are models (spec/rpc-idl.md, section 5: never nullable), so a null or absent result is a reply that
// does not fit, as the Python (RPCReplyError) and TypeScript (RPCReplyError) SDKs say; encoding/json alone would
// leave the zero value and no error. Targets that hold null (any, a pointer, json.RawMessage) still receive it.
func TestNullResultIsBadReply(t *testing.T) {
	for _, transport := range []Transport{TransportRPC, TransportPubSub} {
		f := newFakeServer(t, nil)
		c := NewClient(f.url(), testToken("7"))
		c.Transport = transport
		defer c.Close()
		ctx := contextWithTimeout(t, 10*time.Second)
		for _, call := range []struct{ method, params string }{{"echo", `null`}, {"nodata", `{}`}} {
			out := echoData{N: 5}
			err := c.Call(ctx, call.method, json.RawMessage(call.params), &out)
			var rpcErr *RPCError
			if !errors.Is(err, ErrBadReply) || errors.As(err, &rpcErr) {
				t.Fatalf("%s %s(%s): want an error wrapping ErrBadReply, got %v (%+v)", transport, call.method,
					call.params, err, out)
			}
		}
		var anything any = "set"
		if err := c.Call(ctx, "echo", json.RawMessage(`null`), &anything); err != nil || anything != nil {
			t.Fatalf("%s: null into *any: %v %v", transport, err, anything)
		}
		pointer := &echoData{N: 5}
		if err := c.Call(ctx, "echo", json.RawMessage(`null`), &pointer); err != nil || pointer != nil {
			t.Fatalf("%s: null into **T: %v %v", transport, err, pointer)
		}
		var raw json.RawMessage
		if err := c.Call(ctx, "echo", json.RawMessage(`null`), &raw); err != nil || string(raw) != "null" {
			t.Fatalf("%s: null into *json.RawMessage: %v %s", transport, err, raw)
		}
		// a result nobody reads is not checked
		if err := c.Call(ctx, "echo", json.RawMessage(`null`), nil); err != nil {
			t.Fatalf("%s: null discarded: %v", transport, err)
		}
	}
}

func TestAnyNumbersStayExact(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	var out struct {
		Value any `json:"value"`
	}
	if err := c.Call(contextWithTimeout(t, 10*time.Second), "echo", json.RawMessage(`{"value":[9007199254740993,0.1]}`), &out); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(out)
	if string(again) != `{"value":[9007199254740993,0.1]}` {
		t.Fatalf("any value re-encoded as %s", again)
	}
}

func TestPendingCountsWaitingCalls(t *testing.T) {
	for _, transport := range []Transport{TransportRPC, TransportPubSub} {
		f := newFakeServer(t, nil)
		c := NewClient(f.url(), testToken("7"))
		c.Transport = transport
		defer c.Close()
		if err := c.Connect(contextWithTimeout(t, 10*time.Second)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Call(ctx, "slow", nil, nil) }()
		for c.Pending() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: want context.Canceled, got %v", transport, err)
		}
		if n := c.Pending(); n != 0 {
			t.Fatalf("%s: %d calls still pending after cancellation", transport, n)
		}
	}
}

// A struct as the generated code declares `x?: T | null` and `x: T | null = v` fields.
type nullableFields struct {
	N     Nullable[int64]          `json:"n,omitzero"`
	S     Nullable[string]         `json:"s,omitzero"`
	L     Nullable[[]int64]        `json:"l,omitzero"`
	M     Nullable[map[string]any] `json:"m,omitzero"`
	Other int64                    `json:"other"`
}

func TestNullableEncodesAbsentNullAndValue(t *testing.T) {
	cases := []struct {
		value nullableFields
		want  string
	}{
		{nullableFields{}, `{"other":0}`},
		{nullableFields{N: Null[int64](), S: Null[string](), L: Null[[]int64](), M: Null[map[string]any]()},
			`{"n":null,"s":null,"l":null,"m":null,"other":0}`},
		{nullableFields{N: Some(int64(0)), S: Some(""), L: Some([]int64{1}), M: Some(map[string]any{"a": 1})},
			`{"n":0,"s":"","l":[1],"m":{"a":1},"other":0}`},
		// A set value is never null: nil slices and maps are sent empty.
		{nullableFields{L: Some([]int64(nil)), M: Some(map[string]any(nil))}, `{"l":[],"m":{},"other":0}`},
		// Null alone means null; Set alone with the zero Value is that value.
		{nullableFields{N: Nullable[int64]{Null: true}, S: Nullable[string]{Set: true}}, `{"n":null,"s":"","other":0}`},
	}
	for _, c := range cases {
		data, err := json.Marshal(c.value)
		if err != nil || string(data) != c.want {
			t.Errorf("%+v: got %s %v, want %s", c.value, data, err, c.want)
		}
	}
	if data, err := json.Marshal(Some([]byte(nil))); err != nil || string(data) != `""` {
		t.Errorf("nil bytes: got %s %v", data, err)
	}
	if data, err := json.Marshal(Nullable[int64]{}); err != nil || string(data) != `null` {
		t.Errorf("absent outside a struct: got %s %v", data, err)
	}
}

func TestNullableDecodesAbsentNullAndValue(t *testing.T) {
	var v nullableFields
	v.N = Some(int64(5)) // decoding into a used value: a missing field is left as it was, as encoding/json does
	if err := json.Unmarshal([]byte(`{"s":null,"l":[1,2],"m":{"big":9007199254740993},"other":1}`), &v); err != nil {
		t.Fatal(err)
	}
	if n, ok := v.N.Get(); !ok || n != 5 {
		t.Errorf("n: %+v", v.N)
	}
	if !v.S.Null || !v.S.Set || v.S.IsZero() {
		t.Errorf("s must be null: %+v", v.S)
	}
	if l, ok := v.L.Get(); !ok || len(l) != 2 || l[1] != 2 {
		t.Errorf("l: %+v", v.L)
	}
	if m, ok := v.M.Get(); !ok || m["big"] != json.Number("9007199254740993") {
		t.Errorf("m: numbers in any must stay exact: %#v", v.M)
	}
	var fresh nullableFields
	if err := json.Unmarshal([]byte(`{"other":1}`), &fresh); err != nil || !fresh.N.IsZero() || !fresh.S.IsZero() {
		t.Errorf("missing fields must stay absent: %+v %v", fresh, err)
	}
	if err := json.Unmarshal([]byte(`{"n":"x"}`), &fresh); err == nil {
		t.Error("a value of the wrong type must fail")
	}
	// A value decoded after a null is a value again.
	if err := json.Unmarshal([]byte(`{"s":"x"}`), &v); err != nil || v.S.Null || v.S.Value != "x" {
		t.Errorf("s: %+v %v", v.S, err)
	}
}

func TestNullableRoundTrip(t *testing.T) {
	for _, text := range []string{
		`{"other":0}`,
		`{"n":null,"other":0}`,
		`{"n":0,"s":"","other":0}`,
		`{"n":-9223372036854775808,"s":null,"l":[],"m":{},"other":0}`,
		`{"l":null,"m":{"x":null,"y":[1.5]},"other":0}`,
	} {
		var v nullableFields
		if err := decodeResult([]byte(text), &v); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		data, err := json.Marshal(v)
		if err != nil || string(data) != text {
			t.Errorf("%s: sent back %s %v", text, data, err)
		}
	}
}

func TestOversizeRequestIsRefusedBeforeSending(t *testing.T) {
	for _, transport := range []Transport{TransportRPC, TransportPubSub} {
		t.Run(string(transport), func(t *testing.T) {
			f := newFakeServer(t, nil)
			c := NewClient(f.url(), testToken("7"))
			c.Transport = transport
			c.MaxMessageSize = 1000
			defer c.Close()
			ctx := contextWithTimeout(t, 10*time.Second)
			if err := c.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			sent := len(f.recorded())
			inFlight := make(chan error, 1)
			go func() {
				var out echoData
				err := c.Call(ctx, "echo", echoData{N: 1}, &out)
				if err == nil && out.N != 1 {
					err = fmt.Errorf("got %+v", out)
				}
				inFlight <- err
			}()
			err := c.Call(ctx, "echo", echoData{N: 2, S: strings.Repeat("x", 1000)}, nil)
			var rpcErr *RPCError
			if !errors.Is(err, ErrRequestTooLarge) || errors.Is(err, ErrDisconnected) || errors.As(err, &rpcErr) {
				t.Fatalf("want ErrRequestTooLarge, got %v", err)
			}
			if !strings.Contains(err.Error(), "limit of 1000 bytes") {
				t.Fatalf("the error must say the limit: %v", err)
			}
			if err := <-inFlight; err != nil {
				t.Fatalf("the call in flight: %v", err)
			}
			for _, command := range f.recorded()[sent:] {
				if strings.Contains(string(command["rpc"])+string(command["publish"]), "xxxx") {
					t.Fatalf("the oversize request was sent: %v", command)
				}
			}
			if err := c.Call(ctx, "echo", echoData{N: 3}, nil); err != nil {
				t.Fatal(err)
			}
			if n := f.connections.Load(); n != 1 {
				t.Fatalf("the connection must stay: %d connections", n)
			}
		})
	}
}

func TestMessageSizeIsTheSentMessage(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	c.MaxMessageSize = -1 // no limit: learn the size of the message first
	defer c.Close()
	ctx := contextWithTimeout(t, 10*time.Second)
	params := echoData{N: 5, S: strings.Repeat("é€𝄞<&>", 40)}
	if err := c.Call(ctx, "echo", params, nil); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	size := f.frames[len(f.frames)-1]
	f.mu.Unlock()
	// The next ids have as many digits: the same request is the same number of bytes.
	c.MaxMessageSize = size
	if err := c.Call(ctx, "echo", params, nil); err != nil {
		t.Fatalf("a request of exactly the limit must go: %v", err)
	}
	c.MaxMessageSize = size - 1
	err := c.Call(ctx, "echo", params, nil)
	if !errors.Is(err, ErrRequestTooLarge) || !strings.Contains(err.Error(), fmt.Sprintf("is %d bytes", size)) {
		t.Fatalf("one byte over: want ErrRequestTooLarge for %d bytes, got %v", size, err)
	}
	var tooLarge *RequestTooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Size != size || tooLarge.Limit != size-1 {
		t.Fatalf("want a *RequestTooLargeError with the sizes, got %#v", tooLarge)
	}
	if c.maxMessageSize() != size-1 || (&Client{}).maxMessageSize() != 65536 {
		t.Fatal("the default limit must be Centrifugo's 65536 bytes")
	}
}

// The default per-call timeout is 10s, as in the Python and TypeScript SDKs; a context deadline, shorter or
// longer, takes its place (issue 15).
func TestCallDeadlines(t *testing.T) {
	c := &Client{}
	ctx, cancel := c.callContext(context.Background())
	defer cancel()
	deadline, ok := ctx.Deadline()
	if left := time.Until(deadline); !ok || left > 10*time.Second || left < 9*time.Second {
		t.Fatalf("default deadline: %v %v", left, ok)
	}
	for _, want := range []time.Duration{time.Second, time.Minute} {
		own, cancelOwn := context.WithTimeout(context.Background(), want)
		ctx, cancel := c.callContext(own)
		deadline, _ := ctx.Deadline()
		ownDeadline, _ := own.Deadline()
		if !deadline.Equal(ownDeadline) {
			t.Errorf("a %v context deadline became %v", want, time.Until(deadline))
		}
		cancel()
		cancelOwn()
	}
	c.Timeout = -1
	if _, ok := func() (time.Time, bool) {
		ctx, cancel := c.callContext(context.Background())
		defer cancel()
		return ctx.Deadline()
	}(); ok {
		t.Error("a negative Timeout sets no deadline")
	}
}

// Errors name the package (rpcc writes the generated package's name), as Go's own packages do.
func TestErrorsNameThePackage(t *testing.T) {
	c := &Client{URL: "ws://127.0.0.1:1/connection/websocket", Token: "x"}
	c.Close()
	err := c.Call(context.Background(), "m", nil, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "rpcclient: m: ") || !errors.Is(err, ErrDisconnected) {
		t.Fatalf("got %v", err)
	}
	var d Duration
	if err := json.Unmarshal([]byte(`"1 hour"`), &d); err == nil || !strings.HasPrefix(err.Error(), "rpcclient: ") {
		t.Fatalf("got %v", err)
	}
}

func TestBatchSendsItsCallsInOneMessage(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 10*time.Second)
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	b := NewBatch(ctx)
	results := make([]map[string]any, 3)
	errs := make([]error, 3)
	for i, method := range []string{"echo", "fail", "echo"} {
		b.Go(func(ctx context.Context) { errs[i] = c.Call(ctx, method, map[string]any{"n": i}, &results[i]) })
	}
	if err := b.Wait(); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	frames := len(f.frames)
	f.mu.Unlock()
	if frames != 2 { // connect, then the batch
		t.Fatalf("the client sent %d messages, want 2 (connect, one batch)", frames)
	}
	var rpcErr *RPCError
	if errs[0] != nil || errs[2] != nil || !errors.As(errs[1], &rpcErr) {
		t.Fatalf("errors: %v", errs)
	}
	if fmt.Sprint(results[0]["n"]) != "0" || fmt.Sprint(results[2]["n"]) != "2" {
		t.Fatalf("results: %v", results)
	}
	over := NewBatch(ctx)
	over.MaxCalls = 2
	for range 3 {
		over.Go(func(ctx context.Context) { c.Call(ctx, "echo", nil, nil) })
	}
	if err := over.Wait(); !errors.Is(err, ErrBatchTooLarge) {
		t.Fatalf("3 calls over MaxCalls 2: %v", err)
	}
	f.mu.Lock()
	frames = len(f.frames)
	f.mu.Unlock()
	if frames != 2 {
		t.Fatalf("a refused batch sent something: %d messages", frames)
	}
}

func TestSendWaitsForNoReply(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 10*time.Second)
	if err := c.Send(ctx, "echo", map[string]any{"n": 1}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(f.recorded()) == 2 })
	if c.Pending() != 0 {
		t.Fatalf("a one-way call left %d waiters", c.Pending())
	}
	if rpc := string(f.recorded()[1]["rpc"]); rpc != `{"data":{"n":1},"method":"echo"}` {
		t.Fatalf("sent %s", rpc)
	}
}

func TestContractHashIsSentOverBothTransports(t *testing.T) {
	const hash = "sha256:0123"
	f := newFakeServer(t, nil)
	rpc := NewClient(f.url(), testToken("7"))
	rpc.ContractHash = hash
	defer rpc.Close()
	pubsub := NewClient(f.url(), testToken("7"))
	pubsub.Transport = TransportPubSub
	pubsub.ContractHash = hash
	defer pubsub.Close()
	ctx := contextWithTimeout(t, 10*time.Second)
	for _, c := range []*Client{rpc, pubsub} {
		var out map[string]any
		if err := c.Call(ctx, "echo", echoData{N: 5}, &out); err != nil {
			t.Fatal(err)
		}
		// The echo is the params the server received: over rpc the hash is a member of them.
		if c == rpc && (out["$contract"] != hash || fmt.Sprint(out["n"]) != "5") {
			t.Fatalf("rpc params: %v", out)
		}
		if c == pubsub && (out["$contract"] != nil || fmt.Sprint(out["n"]) != "5") {
			t.Fatalf("pubsub params: %v", out)
		}
		out = nil
		if err := c.Call(ctx, "echo", nil, &out); err != nil {
			t.Fatal(err)
		}
		if c == rpc && (len(out) != 1 || out["$contract"] != hash) {
			t.Fatalf("rpc params without fields: %v", out)
		}
	}
	contracts := 0
	for _, command := range f.recorded() {
		var publish struct{ Data map[string]json.RawMessage }
		if json.Unmarshal(command["publish"], &publish) == nil && publish.Data != nil {
			if string(publish.Data["contract"]) != `"`+hash+`"` {
				t.Fatalf("a pubsub request without the hash: %s", command["publish"])
			}
			contracts++
		}
	}
	if contracts != 2 {
		t.Fatalf("want 2 pubsub requests, got %d", contracts)
	}
}

func TestContractRefusalsMatchTheirSentinels(t *testing.T) {
	older := fmt.Errorf("call: %w", &RPCError{Code: 426, Message: "older"})
	differs := fmt.Errorf("call: %w", &RPCError{Code: 412, Message: "differs"})
	other := fmt.Errorf("call: %w", &RPCError{Code: 400, Message: "bad"})
	if !errors.Is(older, ErrContractOlder) || !errors.Is(older, ErrContractMismatch) {
		t.Fatal("426 is ErrContractOlder and ErrContractMismatch")
	}
	if errors.Is(differs, ErrContractOlder) || !errors.Is(differs, ErrContractMismatch) {
		t.Fatal("412 is ErrContractMismatch only")
	}
	if errors.Is(other, ErrContractMismatch) || errors.Is(other, ErrContractOlder) || errors.Is(older, ErrDisconnected) {
		t.Fatal("other codes are no contract refusal")
	}
}

//go:build live

package gotests

// Live tests of typed channel subscriptions: the SDK generated from spec/examples/channels.rpc against a real
// Centrifugo and the bridge serving python/examples/channel_handlers.py (tests/fixture run --channels).
// Publications come from Centrifugo's server API (/api/publish), as the application's server publishes them.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	channels "example.com/channels"
)

// serverPublish publishes data into channel through Centrifugo's server API.
func serverPublish(t *testing.T, channel string, data any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"channel": channel, "data": data})
	request, _ := http.NewRequest("POST", env(t, "CENTRIFUGO_API_URL")+"/publish", bytes.NewReader(body))
	request.Header.Set("X-API-Key", env(t, "CENTRIFUGO_API_KEY"))
	request.Header.Set("Content-Type", "application/json")
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	answer, _ := io.ReadAll(response.Body)
	if response.StatusCode != 200 || bytes.Contains(answer, []byte(`"error"`)) {
		t.Fatalf("publish %s: %d %s", channel, response.StatusCode, answer)
	}
}

func channelsClient(t *testing.T, user, endpoint string) *channels.APIClient {
	api := channels.NewAPIClient(channels.NewClient(endpoint, mintToken(t, user, time.Hour)))
	t.Cleanup(func() { api.Close() })
	return api
}

func next[T any](t *testing.T, sub *channels.ChannelSubscription[T]) T {
	t.Helper()
	select {
	case value, ok := <-sub.Publications():
		if !ok {
			t.Fatalf("the subscription ended: %v", sub.Err())
		}
		return value
	case <-time.After(20 * time.Second):
		t.Fatalf("no publication on %s in 20 s (state %v)", sub.Channel(), sub.State())
	}
	var zero T
	return zero
}

func waitState[T any](t *testing.T, sub *channels.ChannelSubscription[T], state channels.ChannelState) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for sub.State() != state {
		if time.Now().After(deadline) {
			t.Fatalf("%s: state %v, want %v", sub.Channel(), sub.State(), state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A per-user channel whose publications are a tagged union: each arrives as its own alternative.
func TestLiveChannelPerUserUnion(t *testing.T) {
	user := freshUser(t)
	api := channelsClient(t, user, env(t, "CENTRIFUGO_URL"))
	sub, err := api.SubscribeTasksEvents(ctx(t), user)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if sub.State() != channels.ChannelSubscribed || sub.Channel() != "tasks:events#"+user {
		t.Fatalf("state %v, channel %s", sub.State(), sub.Channel())
	}
	serverPublish(t, sub.Channel(), map[string]any{"kind": "created", "task_id": 7, "title": "write tests"})
	serverPublish(t, sub.Channel(), map[string]any{"kind": "status_changed", "task_id": 7, "status": "done"})
	created, ok := next(t, sub).Value.(*channels.TaskCreated)
	if !ok || created.TaskID != 7 || created.Title != "write tests" {
		t.Fatalf("want *TaskCreated, got %#v", created)
	}
	changed, ok := next(t, sub).Value.(*channels.TaskStatusChanged)
	if !ok || changed.TaskID != 7 || changed.Status != channels.TaskStatusDone {
		t.Fatalf("want *TaskStatusChanged, got %#v", changed)
	}
	if position, ok := sub.Position(); !ok || position.Offset == 0 || position.Epoch == "" {
		t.Fatalf("a channel with history has a position: %+v %v", position, ok)
	}
}

// A room channel: one member publishes through the publish proxy (checked by the bridge), another receives it.
func TestLiveChannelRoomPublishAndReceive(t *testing.T) {
	reader, writer := freshUser(t), freshUser(t)
	readerAPI := channelsClient(t, reader, env(t, "CENTRIFUGO_URL"))
	writerAPI := channelsClient(t, writer, env(t, "CENTRIFUGO_URL"))
	sub, err := readerAPI.SubscribeChatRoom(ctx(t), 42)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	sent := channels.ChatMessage{Author: writer, Text: "hello", SentAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := writerAPI.PublishChatRoom(ctx(t), 42, sent); err != nil {
		t.Fatal(err)
	}
	got := next(t, sub)
	if got.Author != writer || got.Text != "hello" || !got.SentAt.Equal(sent.SentAt) {
		t.Fatalf("got %+v", got)
	}
	// The publish guard refuses a message in someone else's name, and the bridge one that does not validate.
	err = writerAPI.PublishChatRoom(ctx(t), 42, channels.ChatMessage{Author: reader, Text: "forged", SentAt: sent.SentAt})
	var rpcErr *channels.RPCError
	if !errors.As(err, &rpcErr) || rpcErr.Code != 103 {
		t.Fatalf("a forged author: want error 103, got %v", err)
	}
	err = writerAPI.PublishChatRoom(ctx(t), 42, channels.ChatMessage{Author: writer, Text: "", SentAt: sent.SentAt})
	if !errors.As(err, &rpcErr) || rpcErr.Code != 400 {
		t.Fatalf("an empty text: want error 400, got %v", err)
	}
}

// The subscriber's connection is broken, 200 publications are sent while it cannot reconnect, then it can: it
// receives every one, in order, none twice, and is not told of a gap.
func TestLiveChannelRecoveryAfterReconnect(t *testing.T) {
	proxy := newFlakyProxy(t, env(t, "CENTRIFUGO_URL"))
	user := freshUser(t)
	api := channelsClient(t, user, proxy.url)
	var mu sync.Mutex
	var gaps []*channels.RecoveryFailedError
	var states []channels.ChannelState
	sub, err := api.SubscribeTasksEvents(ctx(t), user,
		channels.OnRecoveryFailed(func(e *channels.RecoveryFailedError) { mu.Lock(); gaps = append(gaps, e); mu.Unlock() }),
		channels.OnStateChange(func(s channels.ChannelState) { mu.Lock(); states = append(states, s); mu.Unlock() }))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	serverPublish(t, sub.Channel(), map[string]any{"kind": "created", "task_id": 0, "title": "before"})
	if got := next(t, sub).Value.(*channels.TaskCreated); got.TaskID != 0 {
		t.Fatalf("got %+v", got)
	}

	proxy.cut()
	waitState(t, sub, channels.ChannelSubscribing)
	for n := 1; n <= 200; n++ {
		serverPublish(t, sub.Channel(), map[string]any{"kind": "created", "task_id": n, "title": fmt.Sprint("task ", n)})
	}
	proxy.restore()
	for n := int64(1); n <= 200; n++ {
		created, ok := next(t, sub).Value.(*channels.TaskCreated)
		if !ok || created.TaskID != n {
			t.Fatalf("publication %d: got %#v", n, created)
		}
	}
	// None twice: the next publication is the one published next.
	serverPublish(t, sub.Channel(), map[string]any{"kind": "created", "task_id": 201, "title": "after"})
	if got := next(t, sub).Value.(*channels.TaskCreated); got.TaskID != 201 {
		t.Fatalf("want 201 next, got %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(gaps) != 0 {
		t.Fatalf("nothing was lost, yet: %v", gaps[0])
	}
	if proxy.connections() < 2 {
		t.Fatalf("the client must have connected again (%d connections)", proxy.connections())
	}
	if fmt.Sprint(states) != fmt.Sprint([]channels.ChannelState{channels.ChannelSubscribing, channels.ChannelSubscribed,
		channels.ChannelSubscribing, channels.ChannelSubscribed}) {
		t.Fatalf("states %v", states)
	}
}

// Another user's channel, and a room its guard refuses, are refused with a typed error; the connection goes on.
func TestLiveChannelRefusedSubscriptions(t *testing.T) {
	user := freshUser(t)
	api := channelsClient(t, user, env(t, "CENTRIFUGO_URL"))
	for _, attempt := range []struct {
		name      string
		subscribe func() error
		code      int
	}{
		{"other user's channel", func() error { _, err := api.SubscribeTasksEvents(ctx(t), "someone-else"); return err }, 103},
		{"private room", func() error { _, err := api.SubscribeChatRoom(ctx(t), 1000); return err }, 103},
		{"no such room", func() error { _, err := api.SubscribeChatRoom(ctx(t), 0); return err }, 1404},
	} {
		err := attempt.subscribe()
		var refused *channels.SubscribeError
		if !errors.Is(err, channels.ErrSubscriptionRefused) || !errors.As(err, &refused) || refused.Err.Code != attempt.code {
			t.Fatalf("%s: want a SubscribeError with code %d, got %v", attempt.name, attempt.code, err)
		}
	}
	_, err := api.SubscribeTasksEvents(ctx(t), "a#b")
	if !errors.Is(err, channels.ErrBadChannelParam) {
		t.Fatalf("a user id with '#': want ErrBadChannelParam, got %v", err)
	}
	sub, err := api.SubscribeNewsFeed(ctx(t))
	if err != nil {
		t.Fatalf("the connection goes on after refusals: %v", err)
	}
	sub.Unsubscribe()
}

// A publication of the wrong shape (sent through the server API, which no proxy checks) goes to the hook; the
// subscription goes on.
func TestLiveChannelWrongShapeGoesToTheHook(t *testing.T) {
	user := freshUser(t)
	api := channelsClient(t, user, env(t, "CENTRIFUGO_URL"))
	bad := make(chan *channels.PublicationDecodeError, 4)
	sub, err := api.SubscribeTasksEvents(ctx(t), user,
		channels.OnDecodeError(func(e *channels.PublicationDecodeError) { bad <- e }))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	serverPublish(t, sub.Channel(), map[string]any{"kind": "exploded", "task_id": 1})
	serverPublish(t, sub.Channel(), map[string]any{"kind": "created", "task_id": "not a number", "title": "x"})
	serverPublish(t, sub.Channel(), map[string]any{"kind": "created", "task_id": 3, "title": "fine"})
	if got, ok := next(t, sub).Value.(*channels.TaskCreated); !ok || got.TaskID != 3 {
		t.Fatalf("got %#v", got)
	}
	for range 2 {
		select {
		case e := <-bad:
			if e.Channel != sub.Channel() || !errors.Is(e, channels.ErrBadReply) || e.Offset == 0 {
				t.Fatalf("decode error %+v", e)
			}
		default:
			t.Fatal("both wrong publications must have gone to the hook before the next one was delivered")
		}
	}
	if sub.State() != channels.ChannelSubscribed {
		t.Fatalf("state %v", sub.State())
	}
}

// flakyProxy forwards TCP connections to Centrifugo; cut breaks them all and refuses new ones until restore.
type flakyProxy struct {
	url      string
	target   string
	listener net.Listener
	mu       sync.Mutex
	down     bool
	open     map[net.Conn]bool
	count    int
}

func newFlakyProxy(t *testing.T, centrifugoURL string) *flakyProxy {
	parsed, err := url.Parse(centrifugoURL)
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &flakyProxy{target: parsed.Host, listener: listener, open: map[net.Conn]bool{}}
	p.url = strings.Replace(centrifugoURL, parsed.Host, listener.Addr().String(), 1)
	t.Cleanup(func() { listener.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *flakyProxy) serve() {
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			client.Close()
			continue
		}
		p.count++
		p.mu.Unlock()
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.open[client], p.open[server] = true, true
		p.mu.Unlock()
		go func() { io.Copy(server, client); server.Close(); client.Close() }()
		go func() { io.Copy(client, server); server.Close(); client.Close() }()
	}
}

func (p *flakyProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for conn := range p.open {
		conn.Close()
	}
	p.open = map[net.Conn]bool{}
}

func (p *flakyProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

func (p *flakyProxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count
}

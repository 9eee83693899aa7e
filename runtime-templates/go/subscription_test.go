package rpcclient

// Tests of channel subscriptions against the fake server of rpc_client_test.go.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// subscribe answers a subscribe command of conn on a channel the fake accepts and adds conn to its subscribers.
func (f *fakeServer) subscribe(conn *fakeConn, id string, raw json.RawMessage) error {
	var body struct {
		Channel     string `json:"channel"`
		Recover     bool   `json:"recover"`
		Offset      int    `json:"offset"`
		Epoch       string `json:"epoch"`
		Recoverable bool   `json:"recoverable"`
	}
	json.Unmarshal(raw, &body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subscribers == nil {
		f.subscribers, f.history, f.historyBase = map[string]map[*fakeConn]bool{}, map[string][]string{}, map[string]int{}
	}
	if f.subscribers[body.Channel] == nil {
		f.subscribers[body.Channel] = map[*fakeConn]bool{}
	}
	f.subscribers[body.Channel][conn] = true
	result := `{}`
	if strings.HasPrefix(body.Channel, "hist:") && body.Recoverable {
		kept, base := f.history[body.Channel], f.historyBase[body.Channel]
		top := base + len(kept)
		var pubs []string
		recovered := false
		if body.Recover && body.Epoch == "e1" && body.Offset >= base {
			recovered = true
			for i := body.Offset - base; i < len(kept); i++ {
				pubs = append(pubs, fmt.Sprintf(`{"data":%s,"offset":%d}`, kept[i], base+i+1))
			}
		}
		result = fmt.Sprintf(`{"recoverable":true,"positioned":true,"epoch":"e1","offset":%d,"recovered":%t,"was_recovering":%t,"publications":[%s]}`,
			top, recovered, body.Recover, strings.Join(pubs, ","))
	}
	return conn.write(`{"id":` + id + `,"subscribe":` + result + `}`)
}

// publish sends data to the channel's subscribers (and keeps it in a "hist:" channel's history).
func (f *fakeServer) publish(channel, data string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subscribers == nil {
		f.subscribers, f.history, f.historyBase = map[string]map[*fakeConn]bool{}, map[string][]string{}, map[string]int{}
	}
	offset := ""
	if strings.HasPrefix(channel, "hist:") {
		f.history[channel] = append(f.history[channel], data)
		if f.historyLimit > 0 && len(f.history[channel]) > f.historyLimit {
			f.history[channel] = f.history[channel][1:]
			f.historyBase[channel]++
		}
		offset = fmt.Sprintf(`,"offset":%d`, f.historyBase[channel]+len(f.history[channel]))
	}
	for conn := range f.subscribers[channel] {
		conn.write(`{"push":{"channel":"` + channel + `","pub":{"data":` + data + offset + `}}}`)
	}
}

// unsubscribePush tells the channel's subscribers that the server unsubscribed them with code.
func (f *fakeServer) unsubscribePush(channel string, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for conn := range f.subscribers[channel] {
		conn.write(fmt.Sprintf(`{"push":{"channel":%q,"unsubscribe":{"code":%d,"reason":"test"}}}`, channel, code))
	}
	delete(f.subscribers, channel)
}

func (f *fakeServer) subscriberCount(channel string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subscribers[channel])
}

func (f *fakeServer) dropConn(conn *fakeConn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.live, conn)
	for _, subscribers := range f.subscribers {
		delete(subscribers, conn)
	}
}

// dropAll breaks every connection (as a network failure would: no close frame).
func (f *fakeServer) dropAll() {
	f.mu.Lock()
	conns := make([]*fakeConn, 0, len(f.live))
	for conn := range f.live {
		conns = append(conns, conn)
	}
	f.mu.Unlock()
	for _, conn := range conns {
		conn.ws.CloseNow()
		f.dropConn(conn)
	}
}

func receive[T any](t *testing.T, sub *ChannelSubscription[T]) T {
	t.Helper()
	select {
	case value, ok := <-sub.Publications():
		if !ok {
			t.Fatalf("the subscription ended: %v", sub.Err())
		}
		return value
	case <-time.After(20 * time.Second):
		t.Fatal("no publication in 20s")
	}
	var zero T
	return zero
}

func TestSubscribeReceivesTypedPublicationsInOrder(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	sub, err := SubscribeChannel[echoData](ctx, c, "news:feed", false)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if sub.State() != ChannelSubscribed || sub.Channel() != "news:feed" {
		t.Fatalf("state %v, channel %q", sub.State(), sub.Channel())
	}
	for i := 1; i <= 3; i++ {
		f.publish("news:feed", fmt.Sprintf(`{"n":%d,"s":"x"}`, i))
	}
	for i := int64(1); i <= 3; i++ {
		if got := receive(t, sub); got.N != i || got.S != "x" {
			t.Fatalf("publication %d: got %+v", i, got)
		}
	}
	if _, ok := sub.Position(); ok {
		t.Fatal("a channel without history has no position")
	}
	commands := f.recorded()
	var subscribe map[string]any
	for _, command := range commands {
		if command["subscribe"] != nil {
			json.Unmarshal(command["subscribe"], &subscribe)
		}
	}
	if len(subscribe) != 1 || subscribe["channel"] != "news:feed" {
		t.Fatalf("a channel without history subscribes with its name only: %v", subscribe)
	}
}

func TestRefusedSubscriptionIsATypedError(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	sub, err := SubscribeChannel[echoData](ctx, c, "secret:plans", false)
	if sub != nil || !errors.Is(err, ErrSubscriptionRefused) {
		t.Fatalf("want ErrSubscriptionRefused, got %v", err)
	}
	var refused *SubscribeError
	var rpcErr *RPCError
	if !errors.As(err, &refused) || refused.Channel != "secret:plans" || !errors.As(err, &rpcErr) || rpcErr.Code != 103 {
		t.Fatalf("want a *SubscribeError with code 103, got %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "rpcclient: subscribe secret:plans: subscription refused: rpc error 103") {
		t.Fatalf("message: %v", err)
	}
	// The connection and the calls on it are fine.
	if err := c.Call(ctx, "echo", echoData{N: 1}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeErrorGoesToTheHookAndTheSubscriptionGoesOn(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	var mu sync.Mutex
	var bad []*PublicationDecodeError
	sub, err := SubscribeChannel[echoData](ctx, c, "news:feed", false, OnDecodeError(func(e *PublicationDecodeError) {
		mu.Lock()
		bad = append(bad, e)
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	f.publish("news:feed", `{"n":"not a number"}`)
	f.publish("news:feed", `{"n":2}`)
	if got := receive(t, sub); got.N != 2 {
		t.Fatalf("got %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) != 1 || string(bad[0].Data) != `{"n":"not a number"}` || !errors.Is(bad[0], ErrBadReply) ||
		bad[0].Channel != "news:feed" {
		t.Fatalf("want one decode error, got %v", bad)
	}
}

// A null publication would decode as the zero value without an error: it goes to the hook, not to the receiver.
func TestNullPublicationGoesToTheDecodeHook(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	var mu sync.Mutex
	var bad []*PublicationDecodeError
	sub, err := SubscribeChannel[echoData](ctx, c, "news:feed", false, OnDecodeError(func(e *PublicationDecodeError) {
		mu.Lock()
		bad = append(bad, e)
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	f.publish("news:feed", `null`)
	f.publish("news:feed", `{"n":2}`)
	if got := receive(t, sub); got.N != 2 {
		t.Fatalf("got %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) != 1 || string(bad[0].Data) != `null` || !errors.Is(bad[0], ErrBadReply) {
		t.Fatalf("want one decode error, got %v", bad)
	}
}

// The connection breaks, publications are sent while the client cannot connect, it reconnects: it gets every
// publication once, in order, and the subscribe command asked to recover from the last offset it had.
func TestRecoveryAfterReconnectDeliversEveryPublicationOnce(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 30*time.Second)
	var mu sync.Mutex
	var states []ChannelState
	gaps := 0
	sub, err := SubscribeChannel[echoData](ctx, c, "hist:tasks", true,
		OnStateChange(func(s ChannelState) { mu.Lock(); states = append(states, s); mu.Unlock() }),
		OnRecoveryFailed(func(*RecoveryFailedError) { gaps++ }))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		f.publish("hist:tasks", fmt.Sprintf(`{"n":%d}`, i))
	}
	for i := int64(1); i <= 2; i++ {
		if got := receive(t, sub); got.N != i {
			t.Fatalf("want %d, got %+v", i, got)
		}
	}
	f.refuse.Store(true)
	f.dropAll()
	waitFor(t, func() bool { return sub.State() == ChannelSubscribing })
	for i := 3; i <= 200; i++ {
		f.publish("hist:tasks", fmt.Sprintf(`{"n":%d}`, i))
	}
	f.refuse.Store(false)
	for i := int64(3); i <= 200; i++ {
		if got := receive(t, sub); got.N != i {
			t.Fatalf("want %d, got %+v", i, got)
		}
	}
	f.publish("hist:tasks", `{"n":201}`)
	if got := receive(t, sub); got.N != 201 {
		t.Fatalf("want 201, got %+v", got)
	}
	if position, ok := sub.Position(); !ok || position != (StreamPosition{Offset: 201, Epoch: "e1"}) {
		t.Fatalf("position %+v %v", position, ok)
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-sub.Publications(); ok {
		t.Fatal("a publication after the last one (none was sent twice)")
	}
	var last map[string]any
	for _, command := range f.recorded() {
		if command["subscribe"] != nil {
			json.Unmarshal(command["subscribe"], &last)
		}
	}
	if last["recover"] != true || last["offset"] != float64(2) || last["epoch"] != "e1" || last["positioned"] != true {
		t.Fatalf("the resubscription must recover from offset 2: %v", last)
	}
	mu.Lock()
	defer mu.Unlock()
	if gaps != 0 {
		t.Fatal("nothing was lost")
	}
	want := []ChannelState{ChannelSubscribing, ChannelSubscribed, ChannelSubscribing}
	if len(states) < 4 || fmt.Sprint(states[:3]) != fmt.Sprint(want) || states[len(states)-1] != ChannelUnsubscribed ||
		states[len(states)-2] != ChannelSubscribed {
		t.Fatalf("states %v", states)
	}
}

func TestRecoveryFailureIsReportedBeforeTheNextPublications(t *testing.T) {
	f := newFakeServer(t, func(f *fakeServer) { f.historyLimit = 5 })
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 30*time.Second)
	gaps := make(chan *RecoveryFailedError, 4)
	sub, err := SubscribeChannel[echoData](ctx, c, "hist:tasks", true, OnRecoveryFailed(func(e *RecoveryFailedError) { gaps <- e }))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	f.publish("hist:tasks", `{"n":1}`)
	receive(t, sub)
	f.refuse.Store(true)
	f.dropAll()
	waitFor(t, func() bool { return sub.State() == ChannelSubscribing })
	for i := 2; i <= 20; i++ {
		f.publish("hist:tasks", fmt.Sprintf(`{"n":%d}`, i))
	}
	f.refuse.Store(false)
	waitFor(t, func() bool { return sub.State() == ChannelSubscribed })
	f.publish("hist:tasks", `{"n":21}`)
	if got := receive(t, sub); got.N != 21 {
		t.Fatalf("want 21, got %+v", got)
	}
	select {
	case gap := <-gaps:
		if gap.Since != (StreamPosition{Offset: 1, Epoch: "e1"}) || gap.Position.Offset != 20 || gap.Channel != "hist:tasks" {
			t.Fatalf("gap %+v", gap)
		}
	default:
		t.Fatal("the hook must have been told before publication 21 was delivered")
	}
}

func TestSinceStartsFromAPosition(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	for i := 1; i <= 5; i++ {
		f.publish("hist:a", fmt.Sprintf(`{"n":%d}`, i))
	}
	sub, err := SubscribeChannel[echoData](ctx, c, "hist:a", true, Since(StreamPosition{Offset: 3, Epoch: "e1"}))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	for i := int64(4); i <= 5; i++ {
		if got := receive(t, sub); got.N != i {
			t.Fatalf("want %d, got %+v", i, got)
		}
	}
}

func TestUnsubscribeTellsTheServerAndClosesTheChannel(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	sub, err := SubscribeChannel[echoData](ctx, c, "news:feed", false)
	if err != nil {
		t.Fatal(err)
	}
	f.publish("news:feed", `{"n":1}`) // never received: dropped by Unsubscribe
	if err := sub.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	for range sub.All() {
	}
	if sub.State() != ChannelUnsubscribed || sub.Err() != nil || f.subscriberCount("news:feed") != 0 {
		t.Fatalf("state %v, err %v, %d subscribers", sub.State(), sub.Err(), f.subscriberCount("news:feed"))
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Fatal("a second Unsubscribe does nothing")
	}
	// The same channel can be subscribed again.
	again, err := SubscribeChannel[echoData](ctx, c, "news:feed", false)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Unsubscribe()
	f.publish("news:feed", `{"n":2}`)
	if got := receive(t, again); got.N != 2 {
		t.Fatalf("got %+v", got)
	}
}

func TestContextEndsTheSubscription(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := SubscribeChannel[echoData](ctx, c, "news:feed", false)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	for range sub.Publications() {
	}
	if !errors.Is(sub.Err(), context.Canceled) || sub.State() != ChannelUnsubscribed {
		t.Fatalf("err %v, state %v", sub.Err(), sub.State())
	}
	waitFor(t, func() bool { return f.subscriberCount("news:feed") == 0 })
}

func TestServerUnsubscribe(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	sub, err := SubscribeChannel[echoData](ctx, c, "news:feed", false)
	if err != nil {
		t.Fatal(err)
	}
	// 2500 and above: subscribe again.
	f.unsubscribePush("news:feed", 2500)
	waitFor(t, func() bool { return f.subscriberCount("news:feed") == 1 })
	f.publish("news:feed", `{"n":1}`)
	if got := receive(t, sub); got.N != 1 {
		t.Fatalf("got %+v", got)
	}
	// Below 2500: for good.
	f.unsubscribePush("news:feed", 2000)
	for range sub.Publications() {
	}
	if !errors.Is(sub.Err(), ErrSubscriptionRefused) || !strings.Contains(sub.Err().Error(), "code 2000") {
		t.Fatalf("err %v", sub.Err())
	}
}

func TestClosingTheClientEndsSubscriptions(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	ctx := contextWithTimeout(t, 20*time.Second)
	sub, err := SubscribeChannel[echoData](ctx, c, "news:feed", false)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	for range sub.Publications() {
	}
	if !errors.Is(sub.Err(), ErrDisconnected) {
		t.Fatalf("err %v", sub.Err())
	}
	if _, err := SubscribeChannel[echoData](ctx, c, "news:feed", false); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("subscribe on a closed client: %v", err)
	}
}

func TestTwoSubscriptionsToOneChannelAreRefused(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	sub, err := SubscribeChannel[echoData](ctx, c, "news:feed", false)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if _, err := SubscribeChannel[echoData](ctx, c, "news:feed", false); err == nil || !strings.Contains(err.Error(), "already") {
		t.Fatalf("want an error, got %v", err)
	}
	f.publish("news:feed", `{"n":1}`)
	if got := receive(t, sub); got.N != 1 {
		t.Fatalf("the first subscription goes on: %+v", got)
	}
}

// Many subscriptions, publications and calls at once, with connections breaking: run with -race.
func TestConcurrentSubscriptionsCallsAndReconnects(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 60*time.Second)
	const subscriptions, publications = 8, 50
	var wg sync.WaitGroup
	subs := make([]*ChannelSubscription[echoData], subscriptions)
	for i := range subs {
		sub, err := SubscribeChannel[echoData](ctx, c, fmt.Sprintf("hist:%d", i), true)
		if err != nil {
			t.Fatal(err)
		}
		subs[i] = sub
	}
	for i, sub := range subs {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for n := 1; n <= publications; n++ {
				f.publish(fmt.Sprintf("hist:%d", i), fmt.Sprintf(`{"n":%d}`, n))
				if n%20 == 0 && i == 0 {
					f.dropAll()
				}
			}
		}()
		go func() {
			defer wg.Done()
			for want := int64(1); want <= publications; want++ {
				got := receive(t, sub)
				if got.N != want {
					t.Errorf("subscription %d: want %d, got %d", i, want, got.N)
					return
				}
				_ = sub.State()
				_, _ = sub.Position()
			}
		}()
	}
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := c.Call(ctx, "echo", echoData{N: 1}, nil); err == nil || !errors.Is(err, ErrDisconnected) {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, sub := range subs {
		if err := sub.Unsubscribe(); err != nil {
			t.Error(err)
		}
	}
}

func TestChannelParam(t *testing.T) {
	for _, good := range []string{"42", "user-1", "a.b_c", "A~Z!"} {
		if got, err := ChannelParam("tasks.events", "user_id", good); err != nil || got != good {
			t.Errorf("%q: %v", good, err)
		}
	}
	for _, bad := range []string{"", "a:b", "a#b", "1,2", "{x}", "$x", "a*", "a&b", "a/b", "a b", "a\nb", "Ünïcode", "a\x7f"} {
		_, err := ChannelParam("tasks.events", "user_id", bad)
		if !errors.Is(err, ErrBadChannelParam) || !strings.Contains(err.Error(), "tasks.events") {
			t.Errorf("%q: want ErrBadChannelParam, got %v", bad, err)
		}
	}
}

func TestPublish(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	sub, err := SubscribeChannel[echoData](ctx, c, "room:1", false)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := c.Publish(ctx, "room:1", echoData{N: 5, S: "hi"}); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, sub); got != (echoData{N: 5, S: "hi"}) {
		t.Fatalf("got %+v", got)
	}
	if err := c.Publish(ctx, "secret:x", echoData{}); err == nil {
		t.Fatal("want an error")
	}
}

// Over the pubsub transport the client also subscribes to its reply channel: both go on side by side.
func TestSubscriptionBesideThePubSubTransport(t *testing.T) {
	f := newFakeServer(t, nil)
	c := NewClient(f.url(), testToken("7"))
	c.Transport = TransportPubSub
	defer c.Close()
	ctx := contextWithTimeout(t, 20*time.Second)
	sub, err := SubscribeChannel[echoData](ctx, c, "news:feed", false)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	var got echoData
	if err := c.Call(ctx, "echo", echoData{N: 9}, &got); err != nil || got.N != 9 {
		t.Fatalf("call: %+v %v", got, err)
	}
	f.publish("news:feed", `{"n":3}`)
	if value := receive(t, sub); value.N != 3 {
		t.Fatalf("got %+v", value)
	}
}

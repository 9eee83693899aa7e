// Channel fan-out bench, Go: N subscribers in one process, each on its own connection to the same channel
// (news.feed of spec/examples/channels.rpc, positioned and recoverable), receive P publications that the bench
// publishes through Centrifugo's server API. Two sides, in alternating rounds:
//
//   - typed: the generated api.SubscribeNewsFeed (rpcc's protocol client), receiving channels.NewsItem values
//     from Publications();
//   - raw:   centrifuge-go subscriptions with the same options, decoding each publication's data into the same
//     channels.NewsItem with encoding/json in OnPublication, as a user of the raw SDK must;
//   - raw-no-decode: the same centrifuge-go subscriptions that do not decode the data at all (the publish time is
//     found by the publication's offset, which the publish request returned): the protocol without decoding.
//
// A publication carries its publish time (UnixNano in `id`); a subscriber's latency is the time from just before
// the publish request to the moment it holds the decoded value. The decoding cost alone is measured too: the
// publication's JSON decoded into NewsItem in a loop.
//
//	chanbench -subscribers 1000 -publications 200 -interval 20ms -rounds 2
//
// Run under tests/fixture with --channels (make bench-channels). Prints one JSON object per measurement.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	channels "example.com/channels"
	"github.com/centrifugal/centrifuge-go"
)

const channel = "news:feed"

func token(secret, user string) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{"sub": user, "exp": time.Now().Add(time.Hour).Unix()})
	unsigned := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc(mac.Sum(nil))
}

func must(name string) string {
	value := os.Getenv(name)
	if value == "" {
		fmt.Fprintf(os.Stderr, "%s is not set: run under tests/fixture (make bench-channels)\n", name)
		os.Exit(2)
	}
	return value
}

// publisher publishes through the server API, and keeps each publication's publish time by its offset.
type publisher struct {
	url, key string
	client   *http.Client
	mu       sync.Mutex
	sent     map[uint64]time.Time
	next     uint64 // the offset the next publication gets (the bench is the channel's only publisher); 0: unknown
}

func (p *publisher) publish(n int) error {
	at := time.Now()
	item := channels.NewsItem{ID: at.UnixNano(), Headline: fmt.Sprintf("headline %d: something happened", n)}
	body, _ := json.Marshal(map[string]any{"channel": channel, "data": item})
	request, _ := http.NewRequest("POST", p.url+"/publish", bytes.NewReader(body))
	request.Header.Set("X-API-Key", p.key)
	// Recorded before the request: the subscribers may get the publication before the publish request returns.
	p.mu.Lock()
	if p.next != 0 {
		p.sent[p.next] = at
	}
	p.mu.Unlock()
	response, err := p.client.Do(request)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	var answer struct {
		Result struct {
			Offset uint64 `json:"offset"`
		} `json:"result"`
	}
	if response.StatusCode != 200 || json.NewDecoder(response.Body).Decode(&answer) != nil {
		return fmt.Errorf("publish: HTTP %d", response.StatusCode)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next != 0 && answer.Result.Offset != p.next {
		return fmt.Errorf("publish: offset %d, expected %d: another publisher on %s?", answer.Result.Offset, p.next,
			channel)
	}
	p.next = answer.Result.Offset + 1
	return nil
}

func (p *publisher) sentAt(offset uint64) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.sent[offset]
	return at, ok
}

// recorder keeps each subscriber's latencies (one slice each: no lock on the receive path).
type recorder struct {
	latencies [][]time.Duration
	received  atomic.Int64
}

func newRecorder(subscribers, publications int) *recorder {
	r := &recorder{latencies: make([][]time.Duration, subscribers)}
	for i := range r.latencies {
		r.latencies[i] = make([]time.Duration, 0, publications)
	}
	return r
}

func (r *recorder) record(subscriber int, item channels.NewsItem, recording bool) {
	r.recordSince(subscriber, time.Unix(0, item.ID), recording)
}

func (r *recorder) recordSince(subscriber int, sent time.Time, recording bool) {
	if recording {
		r.latencies[subscriber] = append(r.latencies[subscriber], time.Since(sent))
	}
	r.received.Add(1)
}

type side interface {
	start(subscribers int, rec *recorder, recording *atomic.Bool) error
	stop()
}

type typedSide struct {
	url, secret string
	apis        []*channels.APIClient
	subs        []*channels.ChannelSubscription[channels.NewsItem]
	wg          sync.WaitGroup
}

func (s *typedSide) start(subscribers int, rec *recorder, recording *atomic.Bool) error {
	ctx := context.Background()
	for i := range subscribers {
		api := channels.NewAPIClient(channels.NewClient(s.url, token(s.secret, fmt.Sprint("bench-typed-", i))))
		sub, err := api.SubscribeNewsFeed(ctx)
		if err != nil {
			return fmt.Errorf("typed subscriber %d: %w", i, err)
		}
		s.apis, s.subs = append(s.apis, api), append(s.subs, sub)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for item := range sub.Publications() {
				rec.record(i, item, recording.Load())
			}
		}()
	}
	return nil
}

func (s *typedSide) stop() {
	for i, sub := range s.subs {
		sub.Unsubscribe()
		s.apis[i].Close()
	}
	s.wg.Wait()
}

type rawSide struct {
	url, secret string
	decode      bool
	pub         *publisher
	clients     []*centrifuge.Client
}

func (s *rawSide) start(subscribers int, rec *recorder, recording *atomic.Bool) error {
	for i := range subscribers {
		client := centrifuge.NewJsonClient(s.url, centrifuge.Config{Token: token(s.secret, fmt.Sprint("bench-raw-", i))})
		if err := client.Connect(); err != nil {
			return err
		}
		sub, err := client.NewSubscription(channel, centrifuge.SubscriptionConfig{Positioned: true, Recoverable: true})
		if err != nil {
			return err
		}
		subscribed := make(chan error, 1)
		sub.OnSubscribed(func(centrifuge.SubscribedEvent) { subscribed <- nil })
		sub.OnError(func(e centrifuge.SubscriptionErrorEvent) {
			select {
			case subscribed <- e.Error:
			default:
			}
		})
		sub.OnPublication(func(e centrifuge.PublicationEvent) {
			if !s.decode {
				if sent, ok := s.pub.sentAt(e.Offset); ok {
					rec.recordSince(i, sent, recording.Load())
				} else {
					rec.received.Add(1) // the first warm-up publication, published before the offsets were known
				}
				return
			}
			var item channels.NewsItem
			if json.Unmarshal(e.Data, &item) == nil {
				rec.record(i, item, recording.Load())
			}
		})
		if err := sub.Subscribe(); err != nil {
			return err
		}
		select {
		case err := <-subscribed:
			if err != nil {
				return fmt.Errorf("raw subscriber %d: %w", i, err)
			}
		case <-time.After(30 * time.Second):
			return fmt.Errorf("raw subscriber %d: not subscribed in 30 s", i)
		}
		s.clients = append(s.clients, client)
	}
	return nil
}

func (s *rawSide) stop() {
	for _, client := range s.clients {
		client.Close()
	}
}

type result struct {
	Side         string  `json:"side"`
	Round        int     `json:"round"`
	Subscribers  int     `json:"subscribers"`
	Publications int     `json:"publications"`
	Samples      int     `json:"samples"`
	Missing      int     `json:"missing"`
	P50Ms        float64 `json:"p50_ms"`
	P90Ms        float64 `json:"p90_ms"`
	P99Ms        float64 `json:"p99_ms"`
	MaxMs        float64 `json:"max_ms"`
}

func measure(name string, s side, round, subscribers, publications, warmup int, interval time.Duration,
	pub *publisher) (result, error) {
	rec := newRecorder(subscribers, publications)
	var recording atomic.Bool
	if err := s.start(subscribers, rec, &recording); err != nil {
		return result{}, err
	}
	defer s.stop()
	runtime.GC()
	for n := range warmup {
		if err := pub.publish(-n); err != nil {
			return result{}, err
		}
		time.Sleep(interval)
	}
	// Every warm-up publication delivered before the timed ones.
	deadline := time.Now().Add(30 * time.Second)
	for rec.received.Load() < int64(warmup*subscribers) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	recording.Store(true)
	for n := range publications {
		if err := pub.publish(n); err != nil {
			return result{}, err
		}
		time.Sleep(interval)
	}
	want := int64((warmup + publications) * subscribers)
	deadline = time.Now().Add(30 * time.Second)
	for rec.received.Load() < want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var all []time.Duration
	for _, latencies := range rec.latencies {
		all = append(all, latencies...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	at := func(q float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(q*float64(len(all))))]) / 1e6
	}
	return result{Side: name, Round: round, Subscribers: subscribers, Publications: publications,
		Samples: len(all), Missing: publications*subscribers - len(all),
		P50Ms: at(0.50), P90Ms: at(0.90), P99Ms: at(0.99), MaxMs: at(1)}, nil
}

// decodeCost is the time to decode one publication's JSON into NewsItem (both sides do it once per subscriber).
func decodeCost() float64 {
	data, _ := json.Marshal(channels.NewsItem{ID: time.Now().UnixNano(), Headline: "headline 1: something happened"})
	const n = 200000
	start := time.Now()
	for range n {
		var item channels.NewsItem
		if json.Unmarshal(data, &item) != nil {
			panic("decode")
		}
	}
	return float64(time.Since(start).Nanoseconds()) / n
}

func main() {
	subscribers := flag.Int("subscribers", 1000, "subscribers (one connection each) per side")
	publications := flag.Int("publications", 200, "timed publications per round")
	warmup := flag.Int("warmup", 20, "untimed publications first")
	interval := flag.Duration("interval", 20*time.Millisecond, "pause between publications")
	rounds := flag.Int("rounds", 2, "rounds (the sides alternate which goes first)")
	flag.Parse()
	url, secret := must("CENTRIFUGO_URL"), must("CENTRIFUGO_TOKEN_SECRET")
	pub := &publisher{url: must("CENTRIFUGO_API_URL"), key: must("CENTRIFUGO_API_KEY"), client: &http.Client{},
		sent: map[uint64]time.Time{}}
	out := json.NewEncoder(os.Stdout)
	out.Encode(map[string]any{"decode_ns_per_publication": decodeCost(), "gomaxprocs": runtime.GOMAXPROCS(0),
		"cpus": runtime.NumCPU()})
	for round := range *rounds {
		sides := []struct {
			name string
			make func() side
		}{
			{"typed", func() side { return &typedSide{url: url, secret: secret} }},
			{"raw-centrifuge-go", func() side { return &rawSide{url: url, secret: secret, decode: true} }},
			{"raw-no-decode", func() side { return &rawSide{url: url, secret: secret, pub: pub} }},
		}
		if round%2 == 1 {
			slices.Reverse(sides)
		}
		for _, s := range sides {
			r, err := measure(s.name, s.make(), round, *subscribers, *publications, *warmup, *interval, pub)
			if err != nil {
				fmt.Fprintln(os.Stderr, s.name+":", err)
				os.Exit(1)
			}
			out.Encode(r)
		}
	}
}

// Runtime bench, Go: the generated typed call api.DebugEcho(ctx, live.EchoParams{...}) (rpcc's own protocol client)
// against the raw SDK call (centrifuge-go Client.RPC; for pub/sub a minimal subscribe/publish/correlate written
// here), over both transports, with 1 and 100 calls in flight. bench/runtime/run.py builds and runs it under
// tests/fixture. The raw side encodes params and decodes the result with encoding/json, as a user of the raw SDK
// must (the generated client does the same inside).
//
//	gobench -calls 2000 -warmup 200 -rounds 3 -max-seconds 10
//
// Prints one JSON object per measurement (see bench/runtime/python/bench.py for the fields).
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	live "example.com/live"
	"github.com/centrifugal/centrifuge-go"
)

var value = map[string]any{"id": 42.0, "name": "bench", "tags": []any{"a", "b"}, "score": 0.5}

type echoParams struct {
	Value any `json:"value"`
}

type echoResult struct {
	UserID    string `json:"user_id"`
	ClientID  string `json:"client_id"`
	Transport string `json:"transport"`
	Value     any    `json:"value"`
}

var valueJSON, _ = json.Marshal(value)

// sameJSON: the echo came back intact (the generated client decodes numbers in `any` as json.Number).
func sameJSON(v any) bool {
	got, err := json.Marshal(v)
	return err == nil && string(got) == string(valueJSON)
}

func token(user string) string {
	enc := base64.RawURLEncoding.EncodeToString
	claims, _ := json.Marshal(map[string]any{"sub": user, "exp": time.Now().Add(time.Hour).Unix()})
	unsigned := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(claims)
	mac := hmac.New(sha256.New, []byte(os.Getenv("CENTRIFUGO_TOKEN_SECRET")))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc(mac.Sum(nil))
}

// rawClient is what a user of centrifuge-go writes: RPC, or publish + correlate on the personal channel.
type rawClient struct {
	c       *centrifuge.Client
	user    string
	mu      sync.Mutex
	pending map[string]chan []byte
}

type reply struct {
	CorrelationID string          `json:"correlation_id"`
	Result        json.RawMessage `json:"result"`
	Error         json.RawMessage `json:"error"`
}

func newRaw(url, user string, pubsub bool) (*rawClient, error) {
	r := &rawClient{user: user, pending: map[string]chan []byte{}}
	r.c = centrifuge.NewJsonClient(url, centrifuge.Config{Token: token(user)})
	connected := make(chan struct{}, 1)
	r.c.OnConnected(func(centrifuge.ConnectedEvent) {
		select {
		case connected <- struct{}{}:
		default:
		}
	})
	if err := r.c.Connect(); err != nil {
		return nil, err
	}
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		return nil, fmt.Errorf("centrifuge-go: no connection")
	}
	if pubsub {
		sub, err := r.c.NewSubscription("user#" + user)
		if err != nil {
			return nil, err
		}
		subscribed := make(chan struct{}, 1)
		sub.OnSubscribed(func(centrifuge.SubscribedEvent) { subscribed <- struct{}{} })
		sub.OnPublication(func(e centrifuge.PublicationEvent) {
			var rep reply
			if json.Unmarshal(e.Data, &rep) != nil {
				return
			}
			r.mu.Lock()
			ch := r.pending[rep.CorrelationID]
			delete(r.pending, rep.CorrelationID)
			r.mu.Unlock()
			if ch != nil {
				ch <- e.Data
			}
		})
		if err := sub.Subscribe(); err != nil {
			return nil, err
		}
		select {
		case <-subscribed:
		case <-time.After(10 * time.Second):
			return nil, fmt.Errorf("centrifuge-go: not subscribed")
		}
	}
	return r, nil
}

func (r *rawClient) rpc(ctx context.Context, method string, params, result any) error {
	data, err := json.Marshal(params)
	if err != nil {
		return err
	}
	res, err := r.c.RPC(ctx, method, data)
	if err != nil {
		return err
	}
	return json.Unmarshal(res.Data, result)
}

func (r *rawClient) publish(ctx context.Context, method string, params, result any) error {
	var id [16]byte
	rand.Read(id[:])
	cid := hex.EncodeToString(id[:])
	data, err := json.Marshal(map[string]any{"method": method, "params": params, "correlation_id": cid,
		"reply_to": "user#" + r.user})
	if err != nil {
		return err
	}
	ch := make(chan []byte, 1)
	r.mu.Lock()
	r.pending[cid] = ch
	r.mu.Unlock()
	if _, err := r.c.Publish(ctx, "rpc:requests", data); err != nil {
		return err
	}
	select {
	case raw := <-ch:
		var rep reply
		if err := json.Unmarshal(raw, &rep); err != nil {
			return err
		}
		if len(rep.Error) > 0 && string(rep.Error) != "null" {
			return fmt.Errorf("rpc error %s", rep.Error)
		}
		return json.Unmarshal(rep.Result, result)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func measure(call func() error, count, inflight int, maxSeconds float64) (float64, []int64) {
	var issued atomic.Int64
	lat := make([][]int64, inflight)
	started := time.Now()
	deadline := started.Add(time.Duration(maxSeconds * float64(time.Second)))
	var wg sync.WaitGroup
	for w := 0; w < inflight; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for issued.Add(1) <= int64(count) && time.Now().Before(deadline) {
				t0 := time.Now()
				if err := call(); err != nil {
					fmt.Fprintln(os.Stderr, "call failed:", err)
					os.Exit(1)
				}
				lat[w] = append(lat[w], time.Since(t0).Microseconds())
			}
		}(w)
	}
	wg.Wait()
	var all []int64
	for _, l := range lat {
		all = append(all, l...)
	}
	return time.Since(started).Seconds(), all
}

func main() {
	calls := flag.Int("calls", 2000, "calls per measurement")
	warmup := flag.Int("warmup", 200, "warm-up calls")
	rounds := flag.Int("rounds", 3, "rounds (generated and raw alternate)")
	maxSeconds := flag.Float64("max-seconds", 10, "time bound per measurement")
	inflightList := flag.String("inflight", "1,100", "calls in flight")
	flag.Parse()
	url := os.Getenv("CENTRIFUGO_URL")
	ctx := context.Background()
	for _, transport := range []string{"rpc", "pubsub"} {
		genUser, rawUser := "go-gen-"+transport, "go-raw-"+transport
		c := live.NewClient(url, token(genUser))
		c.Transport = live.Transport(transport)
		api := live.NewAPIClient(c)
		if err := api.Connect(ctx); err != nil {
			panic(err)
		}
		raw, err := newRaw(url, rawUser, transport == "pubsub")
		if err != nil {
			panic(err)
		}
		fns := map[string]func() error{
			"generated": func() error {
				res, err := api.DebugEcho(ctx, live.EchoParams{Value: value})
				if err == nil && !sameJSON(res.Value) {
					err = fmt.Errorf("echo mismatch: %v", res.Value)
				}
				return err
			},
			"raw": func() error {
				var res echoResult
				var err error
				if transport == "rpc" {
					err = raw.rpc(ctx, "debug.echo", echoParams{Value: value}, &res)
				} else {
					err = raw.publish(ctx, "debug.echo", echoParams{Value: value}, &res)
				}
				if err == nil && !sameJSON(res.Value) {
					err = fmt.Errorf("echo mismatch: %v", res.Value)
				}
				return err
			},
		}
		for _, s := range strings.Split(*inflightList, ",") {
			inflight, _ := strconv.Atoi(s)
			measure(fns["generated"], *warmup, inflight, *maxSeconds)
			measure(fns["raw"], *warmup, inflight, *maxSeconds)
			for round := 0; round < *rounds; round++ {
				order := []string{"generated", "raw"}
				if round%2 == 1 {
					order = []string{"raw", "generated"}
				}
				for _, kind := range order {
					elapsed, lat := measure(fns[kind], *calls, inflight, *maxSeconds)
					line, _ := json.Marshal(map[string]any{"lang": "go", "transport": transport, "inflight": inflight,
						"kind": kind, "round": round, "elapsed_s": elapsed, "lat_us": lat})
					fmt.Println(string(line))
				}
			}
		}
		api.Close()
		raw.c.Close()
	}
}

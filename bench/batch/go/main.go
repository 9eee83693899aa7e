// Batch bench, Go: 100 small typed calls (debug.echo) as one batch, one after another, and all at once
// (goroutines), over both transports. Run under tests/fixture (bench/batch/run.py does).
//
//	gobatch -calls 100 -rounds 20
//
// Prints one JSON object per measurement: lang, transport, mode (batch | sequential | concurrent), round, ms.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	live "example.com/live"
)

func main() {
	calls := flag.Int("calls", 100, "calls per measurement")
	rounds := flag.Int("rounds", 20, "measurements per mode and transport")
	flag.Parse()
	ctx := context.Background()
	for _, transport := range []string{"rpc", "pubsub"} {
		client := live.NewClient(os.Getenv("CENTRIFUGO_URL"), os.Getenv("CENTRIFUGO_TOKEN"))
		client.Transport = live.Transport(transport)
		client.Timeout = 30 * time.Second
		api := live.NewAPIClient(client)
		if err := api.Connect(ctx); err != nil {
			fail(err)
		}
		call := func(ctx context.Context, i int) {
			if _, err := api.DebugEcho(ctx, live.EchoParams{Value: i}); err != nil {
				fail(err)
			}
		}
		modes := map[string]func(){
			"sequential": func() {
				for i := range *calls {
					call(ctx, i)
				}
			},
			"concurrent": func() {
				var wg sync.WaitGroup
				for i := range *calls {
					wg.Add(1)
					go func() { defer wg.Done(); call(ctx, i) }()
				}
				wg.Wait()
			},
			"batch": func() {
				b := live.NewBatch(ctx)
				b.MaxCalls = *calls
				for i := range *calls {
					b.Go(func(ctx context.Context) { call(ctx, i) })
				}
				if err := b.Wait(); err != nil {
					fail(err)
				}
			},
		}
		names := []string{"sequential", "concurrent", "batch"}
		for _, name := range names { // warm-up
			modes[name]()
		}
		for round := range *rounds {
			// The order of the modes rotates each round, so that none always runs first.
			for k := range names {
				name := names[(round+k)%len(names)]
				start := time.Now()
				modes[name]()
				line, _ := json.Marshal(map[string]any{"lang": "go", "transport": transport, "mode": name,
					"round": round, "calls": *calls, "ms": float64(time.Since(start).Microseconds()) / 1000})
				fmt.Println(string(line))
			}
		}
		api.Close()
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gobatch:", err)
	os.Exit(1)
}

//go:build live

package gotests

// The contract check live (spec/evolution.md, "Comparing hashes at run time"): `make check-go-live` runs
// TestContractRefusal under a second fixture whose bridge serves the example handlers with
// --on-contract-mismatch refuse and the hash of tasks.rpc as an older one (--contract-older). The live SDK is
// exported from those handlers (the bridge's own contract), tasks is spec/examples/tasks.rpc (an older one), edge is
// another API altogether.

import (
	"errors"
	"strings"
	"testing"
	"time"

	edge "example.com/edge"
	live "example.com/live"
	tasks "example.com/tasks"
)

func TestContractRefusal(t *testing.T) {
	if env(t, "RPCC_CONTRACT_REFUSING") != "1" {
		t.Fatal("run through make check-go-live, which starts a refusing bridge for this test")
	}
	for _, transport := range transports {
		t.Run(transport, func(t *testing.T) {
			user := freshUser(t)
			url, token := env(t, "CENTRIFUGO_URL"), mintToken(t, user, time.Hour)
			before := bridgeStats(t)

			own := live.NewAPIClient(&live.Client{URL: url, Token: token, Transport: live.Transport(transport)})
			defer own.Close()
			echo, err := own.DebugEcho(ctx(t), live.EchoParams{Value: "x"})
			if err != nil || echo.Value != "x" {
				t.Fatalf("the bridge's own contract: %+v %v", echo, err)
			}

			old := tasks.NewAPIClient(&tasks.Client{URL: url, Token: token, Transport: tasks.Transport(transport)})
			defer old.Close()
			_, err = old.SystemHealth(ctx(t))
			var rpcErr *tasks.RPCError
			if !errors.Is(err, tasks.ErrContractOlder) || !errors.Is(err, tasks.ErrContractMismatch) ||
				!errors.As(err, &rpcErr) || rpcErr.Code != 426 ||
				!strings.Contains(rpcErr.Message, tasks.ContractHash+" is older than the server's "+live.ContractHash) {
				t.Fatalf("want the older-contract refusal, got %v", err)
			}

			other := edge.NewAPIClient(&edge.Client{URL: url, Token: token, Transport: edge.Transport(transport)})
			defer other.Close()
			err = other.Call(ctx(t), "debug.echo", map[string]any{"value": 1}, nil)
			if !errors.Is(err, edge.ErrContractMismatch) || errors.Is(err, edge.ErrContractOlder) {
				t.Fatalf("want the other-contract refusal, got %v", err)
			}

			// The base client alone sends no hash (as an SDK older than hashes): accepted by the default rule.
			raw := &live.Client{URL: url, Token: token, Transport: live.Transport(transport)}
			defer raw.Close()
			var out map[string]any
			if err := raw.Call(ctx(t), "debug.echo", map[string]any{"value": 2}, &out); err != nil {
				t.Fatal(err)
			}

			after := bridgeStats(t)
			for name, added := range map[string]int{"contract_match": 1, "contract_older": 1, "contract_mismatch": 2,
				"contract_missing": 1} {
				if after[name] != before[name]+added {
					t.Errorf("%s: %d, want %d", name, after[name], before[name]+added)
				}
			}
		})
	}
}

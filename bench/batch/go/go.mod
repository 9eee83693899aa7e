module rpcc.bench/batch

go 1.25.0

require example.com/live v0.0.0

require github.com/coder/websocket v1.8.15 // indirect

// The SDK rpcc generates from python/examples' debug handlers, written by bench/batch/run.py.
replace example.com/live => ../../../build/bench/batch/sdk/go

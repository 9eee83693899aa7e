module rpcc.test/conformance

go 1.24

require (
	example.com/conformance v0.0.0
	example.com/faults v0.0.0
)

require github.com/coder/websocket v1.8.15 // indirect

// The SDKs generated from ../conformance.rpc and ../faults.rpc, written by mk/conformance.mk.
replace (
	example.com/conformance => ../../../build/conformance/go/go
	example.com/faults => ../../../build/conformance/faults-go/go
)

// Package gotests checks the Go SDKs that rpcc generates: the JSON shape of the edge-case module (edge_test.go)
// and, with the build tag "live", every example method against a real Centrifugo and the Python bridge
// (live_test.go, run by `make check-go-live` through tests/fixture).
package gotests

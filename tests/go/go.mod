module rpcc.test/gotests

go 1.24.0

require (
	example.com/channels v0.0.0
	example.com/edge v0.0.0
	example.com/live v0.0.0
	example.com/tasks v0.0.0
	example.com/tasks/otel v0.0.0
	go.opentelemetry.io/otel/sdk v1.40.0
	go.opentelemetry.io/otel/trace v1.40.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/coder/websocket v1.8.15 // indirect
	github.com/go-logr/logr v1.4.3 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel v1.40.0 // indirect
	go.opentelemetry.io/otel/metric v1.40.0 // indirect
	golang.org/x/sys v0.40.0 // indirect
)

// The generated modules, written by mk/go.mk under build/go/.
replace (
	example.com/channels => ../../build/go/channels/go
	example.com/edge => ../../build/go/edge/go
	example.com/live => ../../build/go/live/go
	example.com/tasks => ../../build/go/tasks/go
	example.com/tasks/otel => ../../build/go/tasks/go/otel
)

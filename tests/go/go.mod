module rpcc.test/gotests

go 1.24

require (
	example.com/channels v0.0.0
	example.com/edge v0.0.0
	example.com/live v0.0.0
	example.com/tasks v0.0.0
)

require github.com/coder/websocket v1.8.15 // indirect

// The generated modules, written by mk/go.mk under build/go/.
replace (
	example.com/channels => ../../build/go/channels/go
	example.com/edge => ../../build/go/edge/go
	example.com/live => ../../build/go/live/go
	example.com/tasks => ../../build/go/tasks/go
)

package gotests

// The Go README's mapping of the calls documented by the generator rpcc replaces (issue 17): the "here" forms it
// prints are the ones this file compiles, and they build what the old calls meant.

import (
	"os"
	"strings"
	"testing"

	tasks "example.com/tasks"
)

func readTasksReadme(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../build/go/tasks/go/README.md")
	if err != nil {
		t.Fatalf("the generated README (make check-go-tests writes it): %v", err)
	}
	return string(data)
}

func TestReadmeMapsTheOldGeneratorCalls(t *testing.T) {
	// The new forms, as the README prints them (its package alias is tasks); the old ones did not compile.
	api := tasks.NewAPIClient(&tasks.Client{URL: "ws://...", Token: "token", UserID: "user-123"})
	params := tasks.TaskStatsParams{UserID: "123"}
	if api == nil || params.UserID != "123" {
		t.Fatal("the mapped forms build nothing")
	}
	readme := readTasksReadme(t)
	for _, row := range []string{
		"| `api := tasks.NewAPIClient(\"ws://...\", \"token\", \"user-123\")` | " +
			"`api := tasks.NewAPIClient(&tasks.Client{URL: \"ws://...\", Token: \"token\", UserID: \"user-123\"})` |",
		"| `api.Connect(ctx)` | `err := api.Connect(ctx)`",
		"`...Params{UserId: \"123\"}` | `...Params{UserID: \"123\"}`",
	} {
		if !strings.Contains(readme, row) {
			t.Errorf("the README does not map an old call; want the row\n%s", row)
		}
	}
}

func TestReadmeDocumentsBothWebSocketModules(t *testing.T) {
	readme := readTasksReadme(t)
	for _, text := range []string{"This SDK imports `github.com/coder/websocket`", "`--go-websocket`",
		"`coder` (the default), `github.com/coder/websocket`", "`nhooyr`, `nhooyr.io/websocket`"} {
		if !strings.Contains(readme, text) {
			t.Errorf("the README's WebSocket section lacks %q", text)
		}
	}
}

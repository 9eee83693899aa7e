// The old system's Go usage snippet, with each call written as the generated Go README's table "Coming from
// django-cfg's Centrifugo client generator" maps it; only the URL and the token come from the environment.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	client "api"
)

func main() {
	ctx := context.Background()
	url := os.Getenv("CENTRIFUGO_URL") // the docs: "ws://localhost:8000/connection/websocket"
	token := os.Getenv("SAMPLE_TOKEN") // the docs: "token"

	// old: api := client.NewAPIClient("ws://...", "token", "user-123")
	api := client.NewAPIClient(&client.Client{URL: url, Token: token, UserID: "user-123"})
	defer api.Close()
	if err := api.Connect(ctx); err != nil {
		log.Fatal(err)
	}
	// old: client.TaskStatsParams{UserId: "123"}
	stats, err := api.TasksGetStats(ctx, client.TaskStatsParams{UserID: "123"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("go stats: total=%d completed=%d caller=%s\n", stats.Total, stats.Completed, stats.Caller)
	profile, err := api.UserProfileGet(ctx, client.ProfileParams{UserID: "123"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("go profile: %s\n", profile.Name)
}

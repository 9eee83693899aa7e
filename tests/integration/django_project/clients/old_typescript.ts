// The old system's TypeScript usage snippet, as its documentation writes it; only the URL and the token come from
// the environment (the test's Centrifugo). The generated package is installed as a dependency, "api-client".
import { APIClient, CentrifugoRPCClient } from "api-client";

declare const process: { env: Record<string, string | undefined> };
const url = process.env["CENTRIFUGO_URL"] ?? ""; // the docs: "ws://localhost:8000/connection/websocket"
const token = process.env["SAMPLE_TOKEN"] ?? ""; // the docs: "your-jwt-token"

const client = new CentrifugoRPCClient(url, token, "user-123");
await client.connect();
const api = new APIClient(client);
const stats = await api.tasksGetStats({ user_id: "123", limit: 10 });
console.log(`typescript stats: total=${stats.total} completed=${stats.completed} caller=${stats.caller}`);
const profile = await api.userProfileGet({ user_id: "123" });
console.log(`typescript profile: ${profile.name}`);
client.disconnect();

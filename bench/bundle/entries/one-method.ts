// A minimal app with the generated client that calls one method: what tree-shaking leaves of tasks-client.
import { APIClient, CentrifugoRPCClient } from "tasks-client";

const client = new CentrifugoRPCClient(
    "ws://127.0.0.1:8000/connection/websocket",
    async () => (await (await fetch("/dev/centrifugo-token")).json()).token,
    "dev-user",
);
await client.connect();
console.log(await new APIClient(client).tasksGetStats({ user_id: "dev-user" }));

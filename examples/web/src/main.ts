import { APIClient, CentrifugoRPCClient, RPCError, TaskStatus } from "tasks-client";
import type { Task, TaskStatsResult } from "tasks-client";
// The typed channels of spec/examples/channels.rpc, generated as a second client (one .rpc file gives one client).
import * as channels from "channels-client";

// Public configuration: where Centrifugo listens. The page's origin must be in its client.allowed_origins.
const CENTRIFUGO_URL = import.meta.env.VITE_CENTRIFUGO_URL ?? "ws://127.0.0.1:8000/connection/websocket";
// Where the page gets a connection token. In a real app this is your backend: it authenticates the user (session
// cookie) and answers {user, token} signed with Centrifugo's HMAC secret. Here it is dev-token.ts (development only).
const TOKEN_ENDPOINT = "/dev/centrifugo-token";

type Transport = "rpc" | "pubsub";

interface Session {
    user: string;
    token: string;
}

async function fetchSession(): Promise<Session> {
    const response = await fetch(TOKEN_ENDPOINT, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
    return (await response.json()) as Session;
}

const $ = <E extends HTMLElement>(id: string): E => document.getElementById(id) as E;
const transportSelect = $<HTMLSelectElement>("transport");
const status = $<HTMLOutputElement>("status");
const result = $<HTMLDivElement>("result");

function setStatus(state: "idle" | "connecting" | "connected" | "error", text: string): void {
    status.dataset["state"] = state;
    status.textContent = text;
}

// One connection, opened on the first call and reopened when the transport changes.
let current: { transport: Transport; user: string; client: CentrifugoRPCClient; api: APIClient } | null = null;

async function connection(): Promise<{ user: string; api: APIClient }> {
    const transport = transportSelect.value as Transport;
    if (current !== null && current.transport === transport) return current;
    current?.client.close();
    current = null;
    setStatus("connecting", `connecting (${transport})…`);
    const session = await fetchSession();
    // The token function runs again whenever Centrifugo asks for a fresh token.
    const client = new CentrifugoRPCClient(CENTRIFUGO_URL, async () => (await fetchSession()).token, session.user, {
        transport,
        timeout: 5000,
    });
    try {
        await client.connect();
    } catch (error) {
        setStatus("error", "connection failed");
        throw error;
    }
    current = { transport, user: session.user, client, api: new APIClient(client) };
    setStatus("connected", `connected as ${session.user} over ${transport}`);
    return current;
}

function show(kind: "stats" | "task" | "error", caption: string, transport: string, ...content: Node[]): void {
    const heading = document.createElement("p");
    heading.className = "muted";
    heading.textContent = `${caption}, via ${transport}`;
    const box = document.createElement("div");
    box.className = `card ${kind}`;
    box.dataset["kind"] = kind;
    box.dataset["transport"] = transport;
    box.append(heading, ...content);
    result.replaceChildren(box);
}

function table(rows: [string, string][]): HTMLTableElement {
    const element = document.createElement("table");
    for (const [name, value] of rows) {
        const row = element.insertRow();
        const th = document.createElement("th");
        th.textContent = name;
        row.append(th);
        const td = row.insertCell();
        td.textContent = value;
        td.dataset["field"] = name;
    }
    return element;
}

function showStats(stats: TaskStatsResult, transport: string): void {
    // by_status is Partial<Record<TaskStatus, number>>: every status the server may send, typed.
    const rows: [string, string][] = [["total", String(stats.total)]];
    for (const value of Object.values(TaskStatus)) rows.push([value, String(stats.by_status[value] ?? 0)]);
    rows.push(["avg_cycle", stats.avg_cycle ?? "none done yet"]);
    show("stats", "TaskStatsResult from tasks.get_stats", transport, table(rows));
}

function showTask(task: Task, method: string, transport: string): void {
    show(
        "task",
        `Task from ${method}`,
        transport,
        table([
            ["id", String(task.id)],
            ["title", task.title],
            ["status", task.status],
            ["created_at", task.created_at],
        ]),
    );
}

function showError(error: unknown, method: string, transport: string): void {
    if (error instanceof RPCError) {
        // kind: "server" (code and message from the server), "timeout", "disconnected" or "client".
        const line = document.createElement("p");
        line.textContent = `RPCError ${error.code} (${error.kind}): ${error.message}`;
        line.dataset["code"] = String(error.code);
        show("error", `RPCError from ${method}`, transport, line);
    } else {
        const line = document.createElement("p");
        line.textContent = `Error: ${error instanceof Error ? error.message : String(error)}`;
        show("error", `Error from ${method}`, transport, line);
    }
}

/** Runs one call with the buttons disabled, and shows its result or its error. */
async function run(
    method: string,
    call: (api: APIClient, user: string, transport: string) => Promise<void>,
): Promise<void> {
    const transport = transportSelect.value;
    const buttons = document.querySelectorAll("button");
    buttons.forEach((button) => (button.disabled = true));
    try {
        const { api, user } = await connection();
        await call(api, user, transport);
    } catch (error) {
        showError(error, method, transport);
    } finally {
        buttons.forEach((button) => (button.disabled = false));
    }
}

$<HTMLFormElement>("create-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const title = $<HTMLInputElement>("title").value;
    void run("tasks.create", async (api, _user, transport) =>
        showTask(await api.tasksCreate({ title }), "tasks.create", transport),
    );
});

$("get-stats").addEventListener("click", () => {
    void run("tasks.get_stats", async (api, user, transport) =>
        showStats(await api.tasksGetStats({ user_id: user }), transport),
    );
});

$("update-missing").addEventListener("click", () => {
    // No task has this id: the server answers error 1404, which arrives as a typed RPCError.
    void run("tasks.update", async (api, _user, transport) =>
        showTask(await api.tasksUpdate({ id: 999_999_999, status: TaskStatus.DONE }), "tasks.update", transport),
    );
});

transportSelect.addEventListener("change", () => setStatus("idle", "not connected (connects on the next call)"));

// Live task events: the typed subscription to this user's channel tasks:events#<user>. The backend publishes into it
// (`await task_events.publish(TaskCreated(...), user_id=...)` in Python); each publication arrives as a TaskEvent,
// checked against the API, and the ones missed while the connection was down arrive after it comes back.
const eventsList = $<HTMLUListElement>("events");
const eventsState = $<HTMLOutputElement>("events-state");

function addEvent(kind: string, text: string): void {
    const item = document.createElement("li");
    item.dataset["kind"] = kind;
    item.textContent = text;
    eventsList.append(item);
}

function describeEvent(event: channels.TaskEvent): string {
    // TaskEvent is a union tagged by `kind`: each branch has its own fields, typed.
    switch (event.kind) {
        case "created":
            return `task ${event.task_id} created: ${event.title}`;
        case "status_changed":
            return `task ${event.task_id} is now ${event.status}`;
    }
}

async function watchTaskEvents(): Promise<void> {
    const session = await fetchSession();
    const client = new channels.CentrifugoRPCClient(CENTRIFUGO_URL, async () => (await fetchSession()).token, {
        timeout: 5000,
    });
    // Subscribed before connect(): the subscription starts once the connection is up.
    const events = new channels.APIClient(client).subscribeTasksEvents(
        { userId: session.user },
        {
            onStateChange: (state) => {
                eventsState.dataset["state"] = state;
                eventsState.textContent = state;
            },
            // A publication that does not fit the API is reported here, and the subscription goes on.
            onError: (error) => {
                const skipped = error instanceof channels.RPCPublicationError ? "not a TaskEvent, skipped: " : "";
                addEvent("error", `${skipped}${error.message}`);
            },
            onRecoveryFailed: () => addEvent("gap", "some events were lost while offline: reload the tasks"),
        },
    );
    await client.connect();
    for await (const event of events) addEvent(event.kind, describeEvent(event));
}

void watchTaskEvents().catch((error: unknown) => {
    eventsState.dataset["state"] = "error";
    eventsState.textContent = error instanceof Error ? error.message : String(error);
});
document.body.dataset["ready"] = "true";

// Compile-time tests of the SDK generated from spec/examples/tasks.rpc: each `@ts-expect-error` line must fail to
// compile (tsc reports an unused directive otherwise), each other line must compile. Checked by `run.sh compile`.
import {
    APIClient,
    CentrifugoRPCClient,
    Priority,
    RPCError,
    RPCReplyError,
    TaskStatus,
    isPriority,
    isTaskStatus,
} from "./typescript/index.js";
import type {
    CentrifugoRPCClientOptions,
    HealthResult,
    Task,
    TaskCreateParams,
    TaskList,
    TaskStatsParams,
    TaskStatsResult,
    TaskUpdateParams,
} from "./typescript/index.js";

export async function calls(api: APIClient): Promise<void> {
    const stats: TaskStatsResult = await api.tasksGetStats({ user_id: "123" });
    const page: TaskList = await api.tasksList();
    const health: HealthResult = await api.systemHealth();
    const task: Task = await api.tasksCreate({ title: "t" });
    await api.tasksUpdate({ id: task.id, status: TaskStatus.DONE });
    // @ts-expect-error user_id is required
    await api.tasksGetStats({});
    // @ts-expect-error user_id is a string
    await api.tasksGetStats({ user_id: 123 });
    // @ts-expect-error system.health takes no parameters (its one argument is the CallOptions)
    await api.systemHealth({ user_id: "1" });
    await api.systemHealth({ timeout: 500, signal: new AbortController().signal });
    await api.tasksList({}, { timeout: 500 });
    // @ts-expect-error no such method
    await api.tasksDelete({ id: 1 });
    void [stats, page, health];
}

// Fields with a default may be omitted when sending...
export const minimal: TaskStatsParams = { user_id: "1" };
export const full: TaskStatsParams = { user_id: "1", limit: 5, since: null, statuses: [TaskStatus.OPEN, "done"] };
// ...but are never null unless the IDL says so, and never explicitly undefined (exactOptionalPropertyTypes).
// @ts-expect-error limit is not nullable
export const nullLimit: TaskStatsParams = { user_id: "1", limit: null };
// @ts-expect-error an absent field is left out, not set to undefined
export const undefinedLimit: TaskStatsParams = { user_id: "1", limit: undefined };
// @ts-expect-error unknown property
export const extra: TaskStatsParams = { user_id: "1", page: 2 };
// @ts-expect-error not a TaskStatus
export const badStatus: TaskStatsParams = { user_id: "1", statuses: ["closed"] };
export const create: TaskCreateParams = { title: "x", priority: Priority.HIGH, due: "2026-01-02T03:04:05Z" };
// @ts-expect-error 4 is not a Priority
export const badPriority: TaskCreateParams = { title: "x", priority: 4 };
// Present-and-null versus absent, for an update.
export const clear: TaskUpdateParams = { id: 1, title: null };

// In received models, defaulted fields are always present; `?` fields and `| null` fields are not.
export function received(task: Task, stats: TaskStatsResult): void {
    const labels: string[] = task.labels;
    const priority: Priority = task.priority;
    // @ts-expect-error due may be null
    const due: string = task.due;
    // @ts-expect-error avg_cycle may be null
    const cycle: string = stats.avg_cycle;
    // A map keyed by an enum need not hold every key.
    // @ts-expect-error by_status.open may be absent
    const open: number = stats.by_status.open;
    const maybeOpen: number | undefined = stats.by_status[TaskStatus.OPEN];
    void [labels, priority, due, cycle, open, maybeOpen];
}

// Enums: a union of values and a const object naming them.
export const status: TaskStatus = TaskStatus.IN_PROGRESS;
export const statusLiteral: TaskStatus = "in_progress";
// @ts-expect-error not a member
export const badStatusLiteral: TaskStatus = "closed";
export const priorities: readonly Priority[] = [Priority.LOW, Priority.NORMAL, Priority.HIGH];

// The base client's surface.
export const options: CentrifugoRPCClientOptions = {
    transport: "pubsub",
    timeout: 5000,
    requestChannel: "rpc:requests",
};
// @ts-expect-error no such transport
export const badOptions: CentrifugoRPCClientOptions = { transport: "http" };
export const client = new CentrifugoRPCClient(
    "ws://localhost:8000/connection/websocket",
    async () => "token",
    "123",
    options,
);
export function describeError(error: unknown): string {
    if (error instanceof RPCError) {
        const kind: "server" | "timeout" | "disconnected" | "client" | "reply" = error.kind;
        return `${kind} ${error.code} ${error.message} ${error.temporary}`;
    }
    return "other";
}

// Open enums: a received value may be one this SDK does not know; the guard tells the known ones apart, and a
// received value can be sent back unchanged.
export function statusName(task: Task): string {
    if (isTaskStatus(task.status)) {
        const known: "open" | "in_progress" | "done" = task.status;
        return known;
    }
    return `unknown ${String(task.status)}`;
}
export function knownOnly(task: Task): "open" | "in_progress" | "done" {
    // @ts-expect-error a received status may be a value this SDK does not know
    return task.status;
}
export function priorityLevel(task: Task): number {
    return isPriority(task.priority) ? task.priority : 0;
}
export async function resend(api: APIClient, task: Task): Promise<void> {
    await api.tasksUpdate({ id: task.id, status: task.status, priority: task.priority });
}
export function replyPath(error: unknown): string | null {
    return error instanceof RPCReplyError ? error.path : null;
}

// The rpc transport needs no user id; the client is AsyncDisposable; an RPCError has a cause.
export const rpcClient = new CentrifugoRPCClient("ws://localhost:8000/connection/websocket", "token");
export const rpcClientWithOptions = new CentrifugoRPCClient("ws://localhost:8000/connection/websocket", "token", {
    timeout: 1000,
});
export async function scoped(): Promise<unknown> {
    await using scopedClient = new CentrifugoRPCClient("ws://localhost:8000/connection/websocket", "token");
    await scopedClient.connect();
    return new RPCError(1, "x").cause;
}

// A map keyed by int is keyed by strings, as Object.entries yields them.
export function totals(stats: TaskStatsResult): [string, number][] {
    return Object.entries(stats.by_status).map(([status, count]) => [status, count ?? 0]);
}

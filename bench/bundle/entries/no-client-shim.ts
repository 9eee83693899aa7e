// examples/web WITHOUT the generated client: the few names its page imports from "tasks-client", written by hand
// over `centrifuge` (rpc transport only, no pub/sub, no typed error kinds beyond the basics). measure.mjs aliases
// "tasks-client" to this file to size the page as if the app called centrifuge itself.
import { Centrifuge } from "centrifuge";

export type TaskStatus = "open" | "in_progress" | "done";
export const TaskStatus = { OPEN: "open", IN_PROGRESS: "in_progress", DONE: "done" } as const;
export interface Task {
    id: number;
    title: string;
    status: TaskStatus;
    created_at: string;
}
export interface TaskStatsResult {
    total: number;
    by_status: Partial<Record<TaskStatus, number>>;
    avg_cycle: string | null;
}

export class RPCError extends Error {
    constructor(
        readonly code: number,
        message: string,
        readonly kind: string = "server",
    ) {
        super(message);
    }
}

export class CentrifugoRPCClient {
    readonly centrifuge: Centrifuge;
    constructor(url: string, token: () => Promise<string>, _userId: string, options: { timeout?: number } = {}) {
        this.centrifuge = new Centrifuge(url, { getToken: token, timeout: options.timeout ?? 10_000 });
    }
    async connect(): Promise<void> {
        this.centrifuge.connect();
        await this.centrifuge.ready();
    }
    close(): void {
        this.centrifuge.disconnect();
    }
}

export class APIClient {
    constructor(private readonly client: CentrifugoRPCClient) {}
    async #call<T>(method: string, params: object): Promise<T> {
        try {
            return (await this.client.centrifuge.rpc(method, params)).data as T;
        } catch (error) {
            const { code, message } = error as { code: number; message: string };
            throw new RPCError(code, message);
        }
    }
    tasksCreate(params: { title: string }): Promise<Task> {
        return this.#call("tasks.create", params);
    }
    tasksGetStats(params: { user_id: string }): Promise<TaskStatsResult> {
        return this.#call("tasks.get_stats", params);
    }
    tasksUpdate(params: { id: number; status?: TaskStatus }): Promise<Task> {
        return this.#call("tasks.update", params);
    }
}

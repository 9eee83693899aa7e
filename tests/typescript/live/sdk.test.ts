// Live tests of generated TypeScript SDKs against a real Centrifugo and the rpcc bridge (tests/fixture).
// `tasks` is generated from spec/examples/tasks.rpc, `debug` from the exported test-only handlers
// (debug.sleep/echo/fail). Every method is called over both transports; results and errors are checked against
// the generated types at compile time (this file is compiled with tsc --strict) and by value at run time.
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";

import * as debugBigint from "./debug-bigint/typescript/index.js";
import * as debug from "./debug/typescript/index.js";
import * as tasks from "./tasks/typescript/index.js";

function env(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run under \`python -m tests.fixture run\``);
    return value;
}

const URL = env("CENTRIFUGO_URL");
const SECRET = env("CENTRIFUGO_TOKEN_SECRET");
const API_URL = env("CENTRIFUGO_API_URL");
const API_KEY = env("CENTRIFUGO_API_KEY");

function base64url(data: string | Buffer): string {
    return Buffer.from(data).toString("base64url");
}

/** An HS256 connection token for `user`, as the fixture's `token` command makes them. */
function mintToken(user: string, ttlSeconds = 3600): string {
    const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = base64url(JSON.stringify({ sub: user, exp: Math.floor(Date.now() / 1000) + ttlSeconds }));
    const signature = createHmac("sha256", SECRET).update(`${header}.${payload}`).digest("base64url");
    return `${header}.${payload}.${signature}`;
}

/** A fresh user: the example handlers keep state per user. */
function newUser(label: string): string {
    return `ts-${label}-${randomUUID()}`;
}

async function serverApi(method: string, body: object): Promise<unknown> {
    const response = await fetch(`${API_URL}/${method}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-API-Key": API_KEY },
        body: JSON.stringify(body),
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { error?: unknown };
    assert.equal(answer.error, undefined, `server API ${method} failed: ${JSON.stringify(answer)}`);
    return answer;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Awaits a promise that must reject with the SDK's RPCError, and returns the error. */
async function rejection<E extends Error>(
    promise: Promise<unknown>,
    errorClass: new (...args: never[]) => E,
): Promise<E> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${String(error)}`);
        return error;
    }
    assert.fail("the call resolved; it should have rejected");
}

for (const transport of ["rpc", "pubsub"] as const) {
    describe(`tasks.rpc over ${transport}`, () => {
        const user = newUser(transport);
        const client = new tasks.CentrifugoRPCClient(URL, mintToken(user), user, { transport, timeout: 8000 });
        const api = new tasks.APIClient(client);
        let first: tasks.Task;
        let second: tasks.Task;

        before(async () => {
            await client.connect();
            assert.equal(client.connected, true);
        });
        after(() => client.close());

        test("system.health takes no parameters", async () => {
            const health: tasks.HealthResult = await api.systemHealth();
            assert.equal(health.status, "ok");
            assert.ok(!Number.isNaN(Date.parse(health.time)), health.time);
        });

        test("tasks.create fills in the defaults the client left out", async () => {
            first = await api.tasksCreate({ title: "write the TypeScript backend" });
            assert.equal(typeof first.id, "number");
            assert.equal(first.title, "write the TypeScript backend");
            assert.equal(first.status, tasks.TaskStatus.OPEN);
            // Defaulted fields are required in a received model: no `?? ` needed.
            const priority: tasks.Priority = first.priority;
            const labels: string[] = first.labels;
            assert.equal(priority, tasks.Priority.NORMAL);
            assert.deepEqual(labels, []);
            assert.equal(first.due, null);
            assert.ok(!Number.isNaN(Date.parse(first.created_at)));
        });

        test("tasks.create sends every field", async () => {
            second = await api.tasksCreate({
                title: 'ünïcödé ✓ \u2028 "quotes"',
                priority: tasks.Priority.HIGH,
                labels: ["a", "b"],
                due: "2030-01-02T03:04:05Z",
            });
            assert.equal(second.title, 'ünïcödé ✓ \u2028 "quotes"');
            assert.equal(second.priority, tasks.Priority.HIGH);
            assert.deepEqual(second.labels, ["a", "b"]);
            assert.ok(second.due !== null);
            assert.equal(Date.parse(second.due), Date.parse("2030-01-02T03:04:05Z"));
        });

        test("tasks.list without parameters, and filtered", async () => {
            const page: tasks.TaskList = await api.tasksList();
            assert.equal(page.total, 2);
            assert.deepEqual(
                page.items.map((task) => task.id),
                [second.id, first.id],
            );
            const one = await api.tasksList({ status: tasks.TaskStatus.OPEN, limit: 1 });
            assert.equal(one.items.length, 1);
            assert.equal(one.total, 2);
        });

        test("tasks.update changes only the fields sent", async () => {
            const done = await api.tasksUpdate({ id: first.id, status: tasks.TaskStatus.DONE });
            assert.equal(done.status, tasks.TaskStatus.DONE);
            assert.equal(done.title, first.title);
            const renamed = await api.tasksUpdate({ id: second.id, title: "renamed", priority: null });
            assert.equal(renamed.title, "renamed");
            assert.equal(renamed.priority, tasks.Priority.HIGH);
        });

        test("tasks.update answers typed application errors", async () => {
            const closed = await rejection(api.tasksUpdate({ id: first.id, title: "again" }), tasks.RPCError);
            assert.equal(closed.code, 1409);
            assert.equal(closed.kind, "server");
            assert.match(closed.message, /already done/);
            const missing = await rejection(api.tasksUpdate({ id: 987654321 }), tasks.RPCError);
            assert.equal(missing.code, 1404);
            assert.equal(missing.kind, "server");
            assert.equal(missing.isTimeout || missing.isDisconnect, false);
        });

        test("tasks.get_stats", async () => {
            const stats: tasks.TaskStatsResult = await api.tasksGetStats({ user_id: user });
            assert.equal(stats.total, 2);
            assert.equal(stats.by_status[tasks.TaskStatus.DONE], 1);
            assert.equal(stats.by_status.open, 1);
            assert.ok(stats.avg_cycle !== null && stats.avg_cycle.startsWith("P"), String(stats.avg_cycle));
            const none = await api.tasksGetStats({ user_id: user, statuses: [tasks.TaskStatus.IN_PROGRESS] });
            assert.equal(none.total, 0);
            assert.equal(none.avg_cycle, null);
        });

        test("invalid parameters are a server error, not a crash", async () => {
            const error = await rejection(api.tasksCreate({ title: "" }), tasks.RPCError);
            assert.equal(error.code, 400);
            assert.equal(error.kind, "server");
        });
    });

    describe(`errors, timeouts and disconnects over ${transport}`, () => {
        const user = newUser(`debug-${transport}`);
        const client = new debug.CentrifugoRPCClient(URL, mintToken(user), user, { transport, timeout: 8000 });
        const api = new debug.APIClient(client);

        before(() => client.connect());
        after(() => client.close());

        test("debug.echo round-trips any JSON and names the caller", async () => {
            const value = { nested: [1, "two", null, { three: true }], text: "ünï \u2028 ${x} */" };
            const echo: debug.EchoResult = await api.debugEcho({ value });
            assert.deepEqual(echo.value, value);
            assert.equal(echo.user_id, user);
            assert.equal(echo.transport, transport);
        });

        test("debug.fail: the error's code and message reach the caller", async () => {
            const error = await rejection(api.debugFail({ code: 1477, message: "nope" }), debug.RPCError);
            assert.equal(error.code, 1477);
            assert.equal(error.message, "nope");
            assert.equal(error.kind, "server");
            assert.equal(error.name, "RPCError");
        });

        test("debug.fail with a crash hides the exception text", async () => {
            const error = await rejection(api.debugFail({ crash: true }), debug.RPCError);
            assert.equal(error.code, 500);
            assert.equal(error.kind, "server");
            assert.doesNotMatch(error.message, /hunter2|secret/);
        });

        test("concurrent calls each get their own answer", async () => {
            const values = Array.from({ length: 25 }, (_, index) => `value-${index}`);
            const answers = await Promise.all(values.map((value) => api.debugEcho({ value })));
            assert.deepEqual(
                answers.map((answer) => answer.value),
                values,
            );
        });

        test("two clients of one user do not take each other's replies", async () => {
            const other = new debug.CentrifugoRPCClient(URL, mintToken(user), user, { transport, timeout: 8000 });
            await other.connect();
            try {
                const mine = Array.from({ length: 10 }, (_, index) => api.debugEcho({ value: `mine-${index}` }));
                const otherApi = new debug.APIClient(other);
                const theirs = Array.from({ length: 10 }, (_, index) =>
                    otherApi.debugEcho({ value: `theirs-${index}` }),
                );
                const [a, b] = await Promise.all([Promise.all(mine), Promise.all(theirs)]);
                assert.deepEqual(
                    a.map((answer) => answer.value),
                    Array.from({ length: 10 }, (_, index) => `mine-${index}`),
                );
                assert.deepEqual(
                    b.map((answer) => answer.value),
                    Array.from({ length: 10 }, (_, index) => `theirs-${index}`),
                );
            } finally {
                other.close();
            }
        });

        test("a slow call times out with kind 'timeout', and the client stays usable", async () => {
            const quick = new debug.CentrifugoRPCClient(URL, mintToken(user), user, { transport, timeout: 1000 });
            await quick.connect();
            try {
                const quickApi = new debug.APIClient(quick);
                const error = await rejection(quickApi.debugSleep({ seconds: 2.5 }), debug.RPCError);
                assert.equal(error.kind, "timeout");
                assert.equal(error.isTimeout, true);
                // Let the late reply arrive (pubsub): it must be ignored, not settle a later call.
                await sleep(2000);
                const echo = await quickApi.debugEcho({ value: "after timeout" });
                assert.equal(echo.value, "after timeout");
                const slept = await quickApi.debugSleep({ seconds: 0.1 });
                assert.equal(slept.slept, 0.1);
            } finally {
                quick.close();
            }
        });

        test("a per-call timeout is honoured both ways: longer and shorter than the client's", async () => {
            const quick = new debug.CentrifugoRPCClient(URL, mintToken(user), user, { transport, timeout: 500 });
            await quick.connect();
            try {
                const quickApi = new debug.APIClient(quick);
                // Three times the client's timeout: centrifuge-js alone would fail the rpc command at 500 ms.
                const slept = await quickApi.debugSleep({ seconds: 1.5 }, { timeout: 8000 });
                assert.equal(slept.slept, 1.5);
                const error = await rejection(
                    api.debugSleep({ seconds: 2.5 }, { timeout: 300 }), // the client's is 8000 ms
                    debug.RPCError,
                );
                assert.equal(error.kind, "timeout");
            } finally {
                quick.close();
            }
        });

        test("close() fails the calls in flight with kind 'disconnected'", async () => {
            const closing = new debug.CentrifugoRPCClient(URL, mintToken(user), user, { transport, timeout: 8000 });
            await closing.connect();
            const call = new debug.APIClient(closing).debugSleep({ seconds: 3 });
            await sleep(300);
            closing.close();
            const error = await rejection(call, debug.RPCError);
            assert.equal(error.kind, "disconnected");
            assert.equal(error.isDisconnect, true);
            assert.equal(error.code, 4); // client closed
            const after = await rejection(new debug.APIClient(closing).debugEcho({ value: 1 }), debug.RPCError);
            assert.equal(after.kind, "disconnected");
            assert.equal(closing.connected, false);
        });

        test("a server-side disconnect fails the call in flight, then the client reconnects by itself", async () => {
            const victimUser = newUser(`reconnect-${transport}`);
            const victim = new debug.CentrifugoRPCClient(URL, mintToken(victimUser), victimUser, {
                transport,
                timeout: 8000,
                centrifuge: { minReconnectDelay: 100, maxReconnectDelay: 500 },
            });
            await victim.connect();
            try {
                const victimApi = new debug.APIClient(victim);
                const call = victimApi.debugSleep({ seconds: 3 });
                await sleep(300);
                // 3000..3499: Centrifugo tells the client to reconnect.
                await serverApi("disconnect", {
                    user: victimUser,
                    disconnect: { code: 3001, reason: "test reconnect" },
                });
                const error = await rejection(call, debug.RPCError);
                assert.deepEqual([error.kind, error.code], ["disconnected", 11]);
                let echo: debug.EchoResult | null = null;
                for (let attempt = 0; attempt < 50 && echo === null; attempt++) {
                    try {
                        echo = await victimApi.debugEcho({ value: "back" });
                    } catch (retry) {
                        assert.ok(retry instanceof debug.RPCError && retry.kind !== "server", String(retry));
                        await sleep(200);
                    }
                }
                assert.ok(echo !== null, "the client did not come back");
                assert.equal(echo.value, "back");
            } finally {
                victim.close();
            }
        });
    });
}

describe("int64 extremes, live, with --ts-int bigint", () => {
    for (const transport of ["rpc", "pubsub"] as const) {
        test(`2^63 - 1 and -2^63 go to the server and come back with every digit over ${transport}`, async () => {
            const user = newUser(`bigint-${transport}`);
            const client = new debugBigint.CentrifugoRPCClient(URL, mintToken(user), user, {
                transport,
                timeout: 8000,
            });
            await client.connect();
            try {
                const api = new debugBigint.APIClient(client);
                const extremes = [9223372036854775807n, -9223372036854775808n, 9007199254740993n];
                const echo = await api.debugEcho({ value: { extremes, nested: [{ max: extremes[0] }] } });
                assert.deepEqual(echo.value, { extremes, nested: [{ max: 9223372036854775807n }] });
            } finally {
                client.close();
            }
            // The default SDK sends a bigint's digits too; in an `unknown` result it gives the nearest number.
            const numbers = new debug.CentrifugoRPCClient(URL, mintToken(user), user, { transport, timeout: 8000 });
            await numbers.connect();
            try {
                const rounded = await new debug.APIClient(numbers).debugEcho({ value: 9007199254740993n });
                assert.equal(rounded.value, 9007199254740992);
            } finally {
                numbers.close();
            }
        });
    }
});

describe("connecting", () => {
    test("a refused token rejects connect() with kind 'disconnected'", async () => {
        const user = newUser("badtoken");
        const client = new tasks.CentrifugoRPCClient(URL, `${mintToken(user)}x`, user, { timeout: 5000 });
        const error = await rejection(client.connect(), tasks.RPCError);
        assert.equal(error.kind, "disconnected");
        assert.equal(error.code, 3500); // Centrifugo: invalid token
        assert.equal(client.connected, false);
        const call = await rejection(new tasks.APIClient(client).systemHealth(), tasks.RPCError);
        assert.equal(call.kind, "disconnected");
    });

    test("an unreachable server rejects connect() with a connection error, not at the timeout", async () => {
        const user = newUser("unreachable");
        // A loopback port that was free a moment ago: nothing listens there.
        const port = await new Promise<number>((resolve) => {
            const probe = createServer();
            probe.listen(0, "127.0.0.1", () => {
                const address = probe.address();
                probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
            });
        });
        const client = new tasks.CentrifugoRPCClient(`ws://127.0.0.1:${port}/connection/websocket`, mintToken(user), {
            timeout: 600_000,
        });
        const error = await rejection(client.connect(), tasks.RPCError);
        assert.deepEqual([error.kind, error.code], ["disconnected", 2]);
        assert.equal(client.connected, false);
    });

    test("a token function is called for the token", async () => {
        const user = newUser("gettoken");
        let calls = 0;
        const client = new tasks.CentrifugoRPCClient(
            URL,
            async () => {
                calls++;
                return mintToken(user);
            },
            user,
            { transport: "pubsub" },
        );
        await client.connect();
        try {
            const health = await new tasks.APIClient(client).systemHealth();
            assert.equal(health.status, "ok");
            assert.equal(calls, 1);
        } finally {
            client.close();
        }
    });

    test("pubsub refuses a reply channel of another user", async () => {
        // The token is for `owner`, the client claims `intruder`: subscribing to user#intruder is refused.
        const owner = newUser("owner");
        const client = new tasks.CentrifugoRPCClient(URL, mintToken(owner), newUser("intruder"), {
            transport: "pubsub",
            timeout: 5000,
        });
        const error = await rejection(client.connect(), tasks.RPCError);
        assert.notEqual(error.kind, "timeout");
        assert.equal(client.connected, false);
    });

    test("connect() and close() are idempotent", async () => {
        const user = newUser("idempotent");
        const client = new tasks.CentrifugoRPCClient(URL, mintToken(user), user);
        await client.connect();
        await client.connect();
        assert.equal((await new tasks.APIClient(client).systemHealth()).status, "ok");
        client.close();
        client.close();
        await client.connect();
        assert.equal((await new tasks.APIClient(client).systemHealth()).status, "ok");
        client.close();
    });
});

/** The bridge's counters (GET /health), where one-way calls that failed are counted. */
async function bridgeStats(): Promise<Record<string, number>> {
    const response = await fetch(`${env("RPCC_BRIDGE_URL")}/health`);
    const body = (await response.json()) as { stats: Record<string, number> };
    return body.stats;
}

for (const transport of ["rpc", "pubsub"] as const) {
    describe(`one-way methods over ${transport}`, () => {
        const user = newUser(`oneway-${transport}`);
        const client = new debug.CentrifugoRPCClient(URL, mintToken(user), user, { transport, timeout: 8000 });
        const api = new debug.APIClient(client);

        before(() => client.connect());
        after(() => client.close());

        test("a refused call gives the client nothing; a burst is all handled, counted on the server", async () => {
            const key = `ts-burst-${transport}-${randomUUID()}`;
            const failedBefore = (await bridgeStats())["oneway_failed"] ?? 0;
            const refused: void = await api.debugNotify({ key, reject: true });
            assert.equal(refused, undefined);
            const burst = 200;
            await Promise.all(Array.from({ length: burst }, () => api.debugNotify({ key })));
            // One-way calls finish after they resolve: ask until the count is reached (a bound, not a timing test).
            let count = -1;
            for (let round = 0; round < 200 && count < burst; round++) {
                count = (await api.debugNotified({ key })).count;
                if (count < burst) await sleep(50);
            }
            assert.equal(count, burst);
            assert.equal((await api.debugEcho({ value: "after" })).value, "after");
            assert.ok(((await bridgeStats())["oneway_failed"] ?? 0) >= failedBefore + 1);
        });

        test("a one-way request over maxMessageSize is refused before sending", async () => {
            const small = new debug.CentrifugoRPCClient(URL, mintToken(user), user, { transport, maxMessageSize: 100 });
            await small.connect();
            try {
                await rejection(
                    new debug.APIClient(small).debugNotify({ key: "k".repeat(64) }),
                    debug.RPCRequestTooLargeError,
                );
            } finally {
                small.close();
            }
        });
    });
}

for (const transport of ["rpc", "pubsub"] as const) {
    describe(`batches over ${transport}`, () => {
        const user = newUser(`batch-${transport}`);
        const client = new debug.CentrifugoRPCClient(URL, mintToken(user), user, { transport, timeout: 8000 });
        const api = new debug.APIClient(client);

        before(() => client.connect());
        after(() => client.close());

        test("each entry is its call's typed result or its own error", async () => {
            const [echo, failed, slept] = await client.batch(() => [
                api.debugEcho({ value: "first" }),
                api.debugFail({ code: 1409, message: "only this one" }),
                api.debugSleep({ seconds: 0 }),
            ]);
            assert.ok(!(echo instanceof debug.RPCError) && echo.value === "first" && echo.transport === transport);
            assert.ok(failed instanceof debug.RPCError && failed.code === 1409 && failed.message === "only this one");
            assert.ok(!(slept instanceof debug.RPCError) && slept.slept === 0);
            const many = await client.batch(() => Array.from({ length: 100 }, (_, i) => api.debugEcho({ value: i })));
            assert.deepEqual(
                many.map((entry) => (entry instanceof debug.RPCError ? entry : entry.value)),
                Array.from({ length: 100 }, (_, i) => i),
            );
        });

        test("over maxBatch or maxMessageSize nothing is sent and every call fails", async () => {
            await rejection(
                client.batch(() => Array.from({ length: 101 }, (_, i) => api.debugEcho({ value: i }))),
                debug.RPCRequestTooLargeError,
            );
            await rejection(
                client.batch(() => Array.from({ length: 70 }, () => api.debugEcho({ value: "x".repeat(1000) }))),
                debug.RPCRequestTooLargeError,
            );
            assert.equal((await api.debugEcho({ value: "after" })).value, "after");
        });
    });
}

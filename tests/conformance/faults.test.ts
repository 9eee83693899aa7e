// Fault behaviour of the generated TypeScript SDK, live against Centrifugo + the bridge over both transports.
// Run under tests/conformance/faultstack.py (make check-conformance-typescript), which sets the fixture's variables
// and RPCC_CONTROL_URL; with RPCC_TWO_NODES=1 only the "cluster" tests run.
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { describe, test } from "node:test";

import * as faults from "./faults/typescript/index.js";
import { RPCRequestTooLargeError } from "./faults/typescript/index.js";

function env(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run under tests/conformance/faultstack.py`);
    return value;
}

const TWO_NODES = process.env["RPCC_TWO_NODES"] === "1";

function mintToken(user: string, ttlSeconds = 3600): string {
    const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
    const claims = { sub: user, exp: Math.floor(Date.now() / 1000) + ttlSeconds };
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    const signature = createHmac("sha256", env("CENTRIFUGO_TOKEN_SECRET"))
        .update(`${header}.${payload}`)
        .digest("base64url");
    return `${header}.${payload}.${signature}`;
}

function newUser(label: string): string {
    return `ts-${label}-${randomUUID()}`;
}

async function post(url: string, body: object, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, unknown>;
}

/** Asks the bridge directly (as Centrifugo's RPC proxy would) whether fault.block(key) has started. */
async function blockStarted(key: string): Promise<boolean> {
    const answer = await post(`${env("RPCC_BRIDGE_URL")}/centrifugo/rpc`, {
        client: "test",
        transport: "websocket",
        protocol: "json",
        encoding: "json",
        user: "test",
        method: "fault.started",
        data: { key },
    }, { "X-Rpcc-Proxy-Secret": env("RPCC_PROXY_SECRET") });
    return (answer["result"] as { data: { started: boolean } }).data.started;
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
    const end = Date.now() + 60_000;
    while (!(await condition())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

async function connected(
    transport: "rpc" | "pubsub",
    user: string,
    token: string | (() => Promise<string>) = mintToken(user),
    timeout = 30_000,
    options: faults.CentrifugoRPCClientOptions = {},
    url = env("CENTRIFUGO_URL"),
): Promise<{ client: faults.CentrifugoRPCClient; api: faults.APIClient }> {
    const client = new faults.CentrifugoRPCClient(url, token, user, { transport, timeout, ...options });
    await client.connect();
    return { client, api: new faults.APIClient(client) };
}

/** faultstack.py's control endpoint: /restart (with {config: overrides}), /proxy, /proxy/freeze. */
async function control(path: string, body: object = {}): Promise<Record<string, unknown>> {
    const answer = await post(`${env("RPCC_CONTROL_URL")}${path}`, body);
    assert.equal(answer["error"], undefined);
    return answer;
}

async function serverApi(method: string, body: object): Promise<void> {
    const answer = await post(`${env("CENTRIFUGO_API_URL")}/${method}`, body, {
        "X-API-Key": env("CENTRIFUGO_API_KEY"),
    });
    assert.equal(answer["error"], undefined);
}

/**
 * Starts fault.block and resolves once the bridge runs it, with `outcome`: the call's result or rejection (in an
 * object: an async function returning the promise itself would wait for it).
 */
async function startBlock(api: faults.APIClient, seconds: number): Promise<{ outcome: Promise<unknown> }> {
    const key = randomUUID();
    const outcome = api.faultBlock({ key, seconds }).then(
        (result) => result,
        (error: unknown) => error,
    );
    await waitFor("fault.block to start", () => blockStarted(key));
    return { outcome };
}

function isDisconnect(error: unknown): boolean {
    return error instanceof faults.RPCError && error.kind === "disconnected";
}

const LIMIT = 65536; // Centrifugo's default websocket.message_size_limit, which the project's config keeps
const SOAK_CALLS = Number(process.env["RPCC_SOAK_CALLS"] ?? "2000"); // per transport; `make soak`: 100,000
const SOAK_RSS_BOUND = 64 * 1024 * 1024; // RSS growth allowed over the measured calls (after a warm-up fifth)

async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
        await promise;
    } catch (error) {
        return error;
    }
    assert.fail("the call resolved; it should have rejected");
}

for (const transport of ["rpc", "pubsub"] as const) {
    describe(`cluster over ${transport}`, () => {
        test("1,000 concurrent calls from one client each get their own result", async () => {
            const user = newUser("many");
            const { client, api } = await connected(transport, user, mintToken(user), 60_000);
            try {
                const results = await Promise.all(Array.from({ length: 1000 }, (_, n) => api.debugEcho({ value: n })));
                assert.deepEqual(
                    results.map((r) => r.value),
                    Array.from({ length: 1000 }, (_, n) => n),
                );
                assert.ok(results.every((r) => r.user_id === user && r.transport === transport));
                assert.equal(client.pendingCalls, 0);
            } finally {
                client.close();
            }
        });
    });

    describe(`faults over ${transport}`, { skip: TWO_NODES }, () => {
        test("a timeout is typed, releases the call, and its late reply is ignored", async () => {
            const { client, api } = await connected(transport, newUser("timeout"));
            try {
                const error = await rejection(api.debugSleep({ seconds: 1.0 }, { timeout: 300 }));
                assert.ok(
                    error instanceof faults.RPCError && error.kind === "timeout" && error.isTimeout,
                    String(error),
                );
                assert.equal(client.pendingCalls, 0);
                // ends after the first call's late reply came and was dropped
                assert.equal((await api.debugSleep({ seconds: 1.2 })).slept, 1.2);
                assert.equal(client.pendingCalls, 0);
            } finally {
                client.close();
            }
        });

        test("a per-call timeout longer than the client's is honoured", async () => {
            const user = newUser("long-timeout");
            const { client, api } = await connected(transport, user, mintToken(user), 300);
            try {
                // four client timeouts: the call's own timeout, not the client's, decides
                assert.equal((await api.debugSleep({ seconds: 1.2 }, { timeout: 10_000 })).slept, 1.2);
                const error = await rejection(api.debugSleep({ seconds: 1.2 }));
                assert.ok(error instanceof faults.RPCError && error.kind === "timeout", String(error));
            } finally {
                client.close();
            }
        });

        test("Centrifugo restarted: the call in flight fails as a disconnect, the client comes back", async () => {
            const { client, api } = await connected(transport, newUser("restart"));
            try {
                const key = randomUUID();
                const call = api.faultBlock({ key, seconds: 20 });
                const failed = rejection(call);
                await waitFor("fault.block to start", () => blockStarted(key));
                assert.deepEqual(await post(`${env("RPCC_CONTROL_URL")}/restart`, {}), { restarted: true });
                const error = await failed;
                assert.ok(error instanceof faults.RPCError && error.kind === "disconnected", String(error));
                assert.equal(client.pendingCalls, 0);
                // No user action: centrifuge-js reconnects with backoff, and the reply channel is subscribed again.
                assert.equal((await api.debugEcho({ value: "after restart" })).value, "after restart");
            } finally {
                client.close();
            }
        });

        test("tokens are refreshed through the token function", async () => {
            const user = newUser("refresh");
            let issued = 0;
            const getToken = async (): Promise<string> => {
                issued += 1;
                return mintToken(user, 3); // Centrifugo asks for a new one after 3 s
            };
            const { client, api } = await connected(transport, user, getToken);
            try {
                const first = await api.debugEcho({ value: 0 });
                await waitFor("two token refreshes", async () => {
                    assert.equal((await api.debugEcho({ value: 1 })).value, 1);
                    return issued >= 3;
                });
                const last = await api.debugEcho({ value: 2 });
                assert.equal(last.client_id, first.client_id); // refreshed, not reconnected
            } finally {
                client.close();
            }
        });

        test("an AbortSignal cancels the call and releases it", async () => {
            const { client, api } = await connected(transport, newUser("cancel"));
            try {
                const key = randomUUID();
                const controller = new AbortController();
                const failed = rejection(api.faultBlock({ key, seconds: 1 }, { signal: controller.signal }));
                await waitFor("fault.block to start", () => blockStarted(key));
                controller.abort();
                const error = await failed;
                assert.ok(error instanceof Error && error.name === "AbortError", String(error));
                assert.equal(client.pendingCalls, 0);
                assert.equal((await api.debugEcho({ value: "next" })).value, "next");
                // an already aborted signal rejects at once
                await rejection(api.debugEcho({ value: 1 }, { signal: AbortSignal.abort() }));
                assert.equal(client.pendingCalls, 0);
            } finally {
                client.close();
            }
        });

        test("a result of the wrong shape is refused with RPCReplyError; the client stays usable", async () => {
            const { client, api } = await connected(transport, newUser("shape"));
            try {
                const error = await api.faultWrongShape().then(
                    () => assert.fail('a result with count: "many" for count: int was accepted'),
                    (rejected: unknown) => rejected,
                );
                assert.ok(error instanceof faults.RPCReplyError, String(error));
                assert.deepEqual([error.kind, error.code, error.path], ["reply", 16, "$.count"]);
                assert.equal((await api.debugEcho({ value: 1 })).value, 1);
            } finally {
                client.close();
            }
        });

        test("two clients of one user each take only their own replies", async () => {
            const user = newUser("twins");
            const a = await connected(transport, user);
            const b = await connected(transport, user);
            try {
                const calls = [];
                for (let n = 0; n < 100; n++) {
                    calls.push(a.api.debugEcho({ value: ["a", n] }), b.api.debugEcho({ value: ["b", n] }));
                }
                const results = await Promise.all(calls);
                results.forEach((r, i) => assert.deepEqual(r.value, [i % 2 === 0 ? "a" : "b", Math.floor(i / 2)]));
            } finally {
                a.client.close();
                b.client.close();
            }
        });
    });
}

describe("pubsub reply channel", { skip: TWO_NODES }, () => {
    test("junk, unknown correlation ids and malformed replies are ignored", async () => {
        const user = newUser("junk");
        const { client, api } = await connected("pubsub", user);
        try {
            const call = api.debugSleep({ seconds: 0.5 });
            await waitFor("the call to be registered", () => client.pendingCalls > 0);
            const junk = [
                "text",
                42,
                null,
                [1, 2],
                {},
                { correlation_id: 7, result: {} },
                { correlation_id: "0".repeat(32), result: { slept: 1 } },
                { correlation_id: "not-ours", error: { code: 1400, message: "x" } },
                { correlation_id: "x", error: "not an object" },
            ];
            for (const data of junk) {
                const answer = await post(
                    `${env("CENTRIFUGO_API_URL")}/publish`,
                    { channel: `user#${user}`, data },
                    { "X-API-Key": env("CENTRIFUGO_API_KEY") },
                );
                assert.equal(answer["error"], undefined);
            }
            assert.equal((await call).slept, 0.5);
            assert.equal((await api.debugEcho({ value: "still fine" })).value, "still fine");
        } finally {
            client.close();
        }
    });
});

for (const transport of ["rpc", "pubsub"] as const) {
    describe(`connection faults over ${transport}`, { skip: TWO_NODES }, () => {
        test("an oversize request is refused before sending; the call in flight and the connection stay", async () => {
            const { client, api } = await connected(transport, newUser("oversize"));
            try {
                const before = await api.debugEcho({ value: 0 });
                const blocked = await startBlock(api, 1);
                const error = await rejection(api.faultSize({ blob: "x".repeat(70_000) }));
                assert.ok(error instanceof RPCRequestTooLargeError, String(error));
                assert.deepEqual([error.kind, error.code, error.limit], ["client", 15, LIMIT]);
                assert.ok(!((await blocked.outcome) instanceof Error), "the call in flight failed");
                const fits = 70_000 - (error.size - LIMIT); // one byte a character
                assert.equal((await api.faultSize({ blob: "x".repeat(fits) })).length, fits);
                await rejection(api.faultSize({ blob: "x".repeat(fits + 1) }));
                assert.equal((await api.debugEcho({ value: 1 })).client_id, before.client_id);
                assert.equal(client.pendingCalls, 0);
            } finally {
                client.close();
            }
        });

        test("a message over the server's limit closes the connection (1009); the client comes back", async () => {
            const { client, api } = await connected(transport, newUser("toobig"), undefined, 30_000, {
                maxMessageSize: 1 << 20,
            });
            try {
                const before = await api.debugEcho({ value: 0 });
                const blocked = await startBlock(api, 20);
                const error = await rejection(api.faultSize({ blob: "x".repeat(70_000) }));
                assert.ok(isDisconnect(error), String(error));
                assert.ok(isDisconnect(await blocked.outcome), "the call in flight must fail as a disconnect");
                // before the fix: centrifuge-js stayed disconnected and this call failed as a timeout
                const after = await api.debugEcho({ value: 1 });
                assert.notEqual(after.client_id, before.client_id);
                assert.equal(client.connected, true);
            } finally {
                client.close();
            }
        });

        for (const code of [3499, 4000, 3500, 4500]) {
            const stays = code % 1000 >= 500;
            test(`the server disconnects with ${code}: ${stays ? "calls fail at once until connect()" : "the client comes back"}`, async () => {
                const user = newUser(`close${code}`);
                const { client, api } = await connected(transport, user);
                try {
                    const before = await api.debugEcho({ value: 0 });
                    const blocked = await startBlock(api, 20);
                    await serverApi("disconnect", { user, disconnect: { code, reason: "t" } });
                    assert.ok(isDisconnect(await blocked.outcome), "the call in flight must fail as a disconnect");
                    if (stays) {
                        // kind "timeout" would mean that the call waited for a connection that is not coming
                        const next = await rejection(api.debugEcho({ value: 1 }));
                        assert.ok(next instanceof faults.RPCError, String(next));
                        assert.deepEqual([next.kind, next.code], ["disconnected", code]);
                        assert.equal(client.connected, false);
                        await client.connect();
                    }
                    const after = await api.debugEcho({ value: 2 });
                    assert.notEqual(after.client_id, before.client_id);
                } finally {
                    client.close();
                }
            });
        }

        test("a half-open connection is noticed by its missing pings and replaced", async () => {
            await control("/restart", { config: { client: { ping_interval: "2s", pong_timeout: "1s" } } });
            try {
                const proxy = await control("/proxy");
                const user = newUser("halfopen");
                const { client, api } = await connected(
                    transport,
                    user,
                    undefined,
                    60_000,
                    { centrifuge: { maxServerPingDelay: 2000 } },
                    String(proxy["url"]),
                );
                try {
                    const before = await api.debugEcho({ value: 0 });
                    assert.equal((await control("/proxy/freeze", { id: proxy["id"] }))["frozen"], 1);
                    const started = Date.now();
                    const error = await rejection(api.debugEcho({ value: 1 }));
                    const noticed = (Date.now() - started) / 1000;
                    assert.ok(isDisconnect(error), String(error));
                    const after = await api.debugEcho({ value: 2 });
                    console.log(
                        `half-open ${transport}: noticed after ${noticed.toFixed(1)} s, ` +
                            `working again after ${((Date.now() - started) / 1000).toFixed(1)} s`,
                    );
                    assert.notEqual(after.client_id, before.client_id);
                } finally {
                    client.close();
                }
            } finally {
                await control("/restart", {});
            }
        });

        test("a handler slower than the proxy timeout: rpc fails with 100 (temporary), pubsub waits", async () => {
            await control("/restart", {
                config: { rpc: { proxy: { timeout: "1s" } }, channel: { proxy: { publish: { timeout: "1s" } } } },
            });
            try {
                const { client, api } = await connected(transport, newUser("slow"));
                try {
                    const before = await api.debugEcho({ value: 0 });
                    if (transport === "rpc") {
                        const error = await rejection(api.debugSleep({ seconds: 2.5 }));
                        assert.ok(error instanceof faults.RPCError, String(error));
                        assert.deepEqual([error.kind, error.code, error.temporary], ["server", 100, true]);
                    } else {
                        assert.equal((await api.debugSleep({ seconds: 2.5 })).slept, 2.5);
                    }
                    assert.equal((await api.debugEcho({ value: 1 })).client_id, before.client_id);
                } finally {
                    client.close();
                }
            } finally {
                await control("/restart", {});
            }
        });

        test("sequential calls keep memory flat", async () => {
            const { client, api } = await connected(transport, newUser("soak"));
            const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
            try {
                const warmUp = Math.floor(SOAK_CALLS / 5);
                for (let n = 0; n < warmUp; n++) assert.equal((await api.debugEcho({ value: n })).value, n);
                gc();
                const start = process.memoryUsage().rss;
                for (let n = warmUp; n < SOAK_CALLS; n++) assert.equal((await api.debugEcho({ value: n })).value, n);
                gc();
                const growth = process.memoryUsage().rss - start;
                console.log(
                    `soak ${transport}: ${SOAK_CALLS} calls, RSS ${Math.round(start / 1024)} KiB after ${warmUp}, ` +
                        `${Math.round(growth / 1024)} KiB over the next ${SOAK_CALLS - warmUp}`,
                );
                assert.ok(growth < SOAK_RSS_BOUND, `RSS grew by ${growth} bytes`);
                assert.equal(client.pendingCalls, 0);
            } finally {
                client.close();
            }
        });
    });
}

// The base client's own tests, against a fake Centrifugo (a `ws` server speaking the JSON client protocol) so
// that every branch is reachable and nothing depends on timing but generous timeouts. The real server is in
// tests/typescript/live. Run by `tests/typescript/run.sh runtime` (compiled with the same strict options).
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { afterEach, describe, test } from "node:test";

import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";

import {
    CentrifugoRPCClient,
    DEFAULT_MAX_MESSAGE_SIZE,
    RPCContractError,
    RPCError,
    RPCReplyError,
    RPCRequestTooLargeError,
    Schema,
    TRACE_FIELD,
    parseJson,
    setCallHook,
    stringifyJson,
} from "../rpc-client.js";
import type { CallInfo } from "../rpc-client.js";

type Json = Record<string, unknown>;

interface Fake {
    url: string;
    /** Every command the client sent, in order (connect, subscribe, publish, rpc). */
    commands: Json[];
    /** The same commands as the client wrote them (JSON text). */
    texts: string[];
    /** The size in bytes of every WebSocket message the client sent, in order. */
    frames: number[];
    /** How many connections the client opened. */
    connections: number;
    /** Sends a publication to the client's subscription on `channel`. */
    push(channel: string, data: unknown): void;
    /** Sends a frame (a reply or a push) to every client connection. */
    send(frame: Json): void;
    /** Sends a frame written as JSON text (for integers JSON.stringify cannot write). */
    sendText(text: string): void;
    /** Closes every client connection with a WebSocket close code. */
    drop(code: number, reason: string): void;
    close(): Promise<void>;
}

type Answer = { reply?: Json; error?: { code: number; message: string; temporary?: boolean } } | "ignore";

/**
 * A fake Centrifugo. `answer` decides each command's reply (default: success); after answering a publish the
 * fake calls `onPublish` with its data, so a test can play the backend and push the reply.
 */
async function fakeCentrifugo(
    answer: (command: Json) => Answer | undefined = () => undefined,
    onPublish: (fake: Fake, data: Json) => void = () => {},
): Promise<Fake> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const address = server.address();
    assert.ok(typeof address === "object" && address !== null);
    const sockets = new Set<WebSocket>();
    const fake: Fake = {
        url: `ws://127.0.0.1:${address.port}/connection/websocket`,
        commands: [],
        texts: [],
        frames: [],
        connections: 0,
        push(channel, data) {
            for (const socket of sockets) socket.send(JSON.stringify({ push: { channel, pub: { data } } }));
        },
        send(frame) {
            for (const socket of sockets) socket.send(JSON.stringify(frame));
        },
        sendText(text) {
            for (const socket of sockets) socket.send(text);
        },
        drop(code, reason) {
            for (const socket of sockets) socket.close(code, reason);
        },
        close() {
            for (const socket of sockets) socket.terminate();
            return new Promise((resolve) => server.close(() => resolve()));
        },
    };
    server.on("connection", (socket) => {
        sockets.add(socket);
        fake.connections += 1;
        socket.on("close", () => sockets.delete(socket));
        socket.on("message", (raw: Buffer) => {
            fake.frames.push(raw.length);
            // One frame may carry several commands separated by newlines.
            for (const line of String(raw).split("\n")) {
                if (line.trim() === "") continue;
                const command = JSON.parse(line) as Json;
                if (Object.keys(command).length === 0) continue; // pong
                fake.commands.push(command);
                fake.texts.push(line);
                const decided = answer(command);
                if (decided === "ignore") continue;
                const id = command["id"];
                if (decided?.error) {
                    socket.send(JSON.stringify({ id, error: decided.error }));
                    continue;
                }
                let reply: Json;
                if ("connect" in command)
                    reply = { connect: { client: "fake-client", version: "0.0.0", ping: 25, pong: true } };
                else if ("subscribe" in command) reply = { subscribe: {} };
                else if ("publish" in command) reply = { publish: {} };
                else if ("rpc" in command) reply = { rpc: { data: { echo: (command["rpc"] as Json)["data"] } } };
                else reply = {};
                socket.send(JSON.stringify({ id, ...(decided?.reply ?? reply) }));
                if ("publish" in command) {
                    const publish = command["publish"] as Json;
                    onPublish(fake, publish["data"] as Json);
                }
            }
        });
    });
    return fake;
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function rejection(promise: Promise<unknown>): Promise<RPCError> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof RPCError, `expected RPCError, got ${String(error)}`);
        return error;
    }
    assert.fail("resolved; expected a rejection");
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
});

async function connected(fake: Fake, transport: "rpc" | "pubsub", timeout = 5000): Promise<CentrifugoRPCClient> {
    const client = new CentrifugoRPCClient(fake.url, "token", "u1", { transport, timeout });
    cleanups.push(() => client.close());
    await client.connect();
    return client;
}

async function fake(...args: Parameters<typeof fakeCentrifugo>): Promise<Fake> {
    const server = await fakeCentrifugo(...args);
    cleanups.push(() => server.close());
    return server;
}

describe("RPCError", () => {
    test("is an Error with code, kind and temporary", () => {
        const error = new RPCError(1404, "not found");
        assert.ok(error instanceof Error);
        assert.equal(error.name, "RPCError");
        assert.equal(error.message, "not found");
        assert.equal(error.code, 1404);
        assert.equal(error.kind, "server");
        assert.equal(error.temporary, false);
        assert.equal(error.isTimeout, false);
        assert.equal(error.isDisconnect, false);
        assert.equal(new RPCError(1, "t", "timeout").isTimeout, true);
        assert.equal(new RPCError(3, "d", "disconnected").isDisconnect, true);
        assert.equal(new RPCError(100, "busy", "server", true).temporary, true);
    });
});

describe("without a connection", () => {
    test("the constructor refuses a timeout that is not a positive number", () => {
        for (const timeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
            assert.throws(
                () => new CentrifugoRPCClient("ws://127.0.0.1:1/", "t", "u", { timeout }),
                (error: unknown) => error instanceof RPCError && error.kind === "client",
            );
        }
    });

    test("a call before connect() fails with kind 'disconnected'", async () => {
        const client = new CentrifugoRPCClient("ws://127.0.0.1:1/", "t", "u");
        const error = await rejection(client.call("x", {}));
        assert.equal(error.kind, "disconnected");
        assert.equal(error.code, 3);
        assert.equal(client.connected, false);
    });

    test("connect() to a closed port fails, leaves the client closed, and stops reconnecting", async () => {
        const port = await new Promise<number>((resolve) => {
            const probe = createServer();
            probe.listen(0, "127.0.0.1", () => {
                const address = probe.address();
                probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
            });
        });
        // A timeout far beyond the test's: connect() must fail because nothing listens, not because time ran out.
        const client = new CentrifugoRPCClient(`ws://127.0.0.1:${port}/connection/websocket`, "t", {
            timeout: 600_000,
        });
        const error = await rejection(client.connect());
        assert.deepEqual([error.kind, error.code], ["disconnected", 2]);
        assert.match(error.message, /cannot reach ws:\/\/127\.0\.0\.1:/);
        assert.ok(error.cause !== undefined, "the transport error is the cause");
        assert.equal(client.connected, false);
        assert.equal((await rejection(client.call("x", {}))).kind, "disconnected");
        // The test runner would hang here if the client kept reconnecting in the background.
    });

    test("the rpc transport needs no user id; the pubsub transport refuses to start without one", async () => {
        const server = await fake();
        const client = new CentrifugoRPCClient(server.url, "token", { timeout: 5000 });
        cleanups.push(() => client.close());
        assert.deepEqual([client.userId, client.replyChannel, client.transport], [undefined, undefined, "rpc"]);
        await client.connect();
        assert.deepEqual(await client.call("x", { a: 1 }), { echo: { a: 1 } });
        assert.throws(
            () => new CentrifugoRPCClient(server.url, "token", { transport: "pubsub" }),
            (error: unknown) => error instanceof RPCError && error.kind === "client" && /user id/.test(error.message),
        );
    });

    test("await using closes the client when the block is left", async () => {
        const server = await fake();
        let escaped: CentrifugoRPCClient | null = null;
        {
            await using client = new CentrifugoRPCClient(server.url, "token", "u1", { timeout: 5000 });
            await client.connect();
            escaped = client;
            assert.equal(client.connected, true);
        }
        assert.equal(escaped.connected, false);
        assert.equal((await rejection(escaped.call("x", {}))).kind, "disconnected");
    });

    test("the rpc transport publishes nothing and subscribes to nothing", async () => {
        const server = await fake();
        const client = await connected(server, "rpc");
        assert.equal(client.connected, true);
        assert.deepEqual(
            server.commands.map((command) => Object.keys(command).filter((key) => key !== "id")[0]),
            ["connect"],
        );
        const connect = server.commands[0]?.["connect"] as Json;
        assert.equal(connect["token"], "token");
    });
});

describe("rpc transport", () => {
    test("call() sends the rpc command and resolves with its data", async () => {
        const server = await fake();
        const client = await connected(server, "rpc");
        const result = await client.call<{ echo: unknown }>("tasks.get_stats", { user_id: "u1", limit: 3 });
        assert.deepEqual(result, { echo: { user_id: "u1", limit: 3 } });
        const rpc = server.commands.find((command) => "rpc" in command)?.["rpc"] as Json;
        assert.equal(rpc["method"], "tasks.get_stats");
    });

    test("an error reply becomes RPCError(kind 'server') with code, message and temporary", async () => {
        const server = await fake((command) =>
            "rpc" in command ? { error: { code: 1409, message: "already done" } } : undefined,
        );
        const client = await connected(server, "rpc");
        const error = await rejection(client.call("tasks.update", {}));
        assert.deepEqual(
            [error.kind, error.code, error.message, error.temporary],
            ["server", 1409, "already done", false],
        );
        const busy = await fake((command) =>
            "rpc" in command ? { error: { code: 100, message: "internal server error", temporary: true } } : undefined,
        );
        const temporary = await rejection((await connected(busy, "rpc")).call("x", {}));
        assert.equal(temporary.temporary, true);
        // The error centrifuge-js reported is kept as the standard cause.
        assert.deepEqual(temporary.cause, { code: 100, message: "internal server error", temporary: true });
    });

    test("no reply in time is kind 'timeout'", async () => {
        const server = await fake((command) => ("rpc" in command ? "ignore" : undefined));
        const client = await connected(server, "rpc", 800);
        const error = await rejection(client.call("debug.sleep", {}));
        assert.equal(error.kind, "timeout");
        assert.equal(error.code, 1);
    });

    test("a dropped connection fails the call in flight with kind 'disconnected'", async () => {
        const server = await fake((command) => ("rpc" in command ? "ignore" : undefined));
        const client = await connected(server, "rpc");
        const call = client.call("debug.sleep", {});
        await new Promise((resolve) => setTimeout(resolve, 200));
        server.drop(3001, "test");
        const error = await rejection(call);
        assert.deepEqual([error.kind, error.code], ["disconnected", 11]);
    });
});

describe("setCallHook", () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    /** A hook that writes `traceparent` and keeps a copy of every finished call. */
    function recorder(seen: CallInfo[]) {
        return {
            callStarted(call: CallInfo) {
                call.traceContext["traceparent"] = traceparent;
            },
            callFinished(call: CallInfo) {
                seen.push({ ...call });
            },
        };
    }

    /** A fake whose backend echoes the params over either transport, and fails method "debug.fail" with 1777. */
    function echoing(): Promise<Fake> {
        return fake(
            (command) =>
                "rpc" in command && (command["rpc"] as Json)["method"] === "debug.fail"
                    ? { error: { code: 1777, message: "on purpose" } }
                    : undefined,
            (server, request) => {
                const reply =
                    request["method"] === "debug.fail"
                        ? { correlation_id: request["correlation_id"], error: { code: 1777, message: "on purpose" } }
                        : { correlation_id: request["correlation_id"], result: { echo: request["params"] } };
                setTimeout(() => server.push("user#u1", reply), 0);
            },
        );
    }

    for (const transport of ["rpc", "pubsub"] as const) {
        test(`${transport}: the hook sees each call (sizes, outcome, error kind) and its trace context is sent`, async () => {
            const server = await echoing();
            const client = await connected(server, transport);
            client.contractHash = "c0ffee";
            const seen: CallInfo[] = [];
            setCallHook(client, recorder(seen));
            // The trace context travels as the params' TRACE_FIELD over either transport.
            const echoed = { echo: { value: "é", [TRACE_FIELD]: { traceparent } } };
            const result = await client.call("debug.echo", { value: "é" });
            if (transport === "rpc") assert.deepEqual(result, { echo: { ...echoed.echo, $contract: "c0ffee" } });
            else assert.deepEqual(result, echoed);
            await rejection(client.call("debug.fail", {}));
            const [echo, fail] = seen;
            assert.ok(echo && fail);
            assert.deepEqual(
                [echo.method, echo.transport, echo.error, echo.errorKind],
                ["debug.echo", transport, undefined, ""],
            );
            // The request's frame as the server received it, its command id counted at the widest (10 digits).
            const text = server.texts.find((line) => line.includes('"debug.echo"')) ?? "";
            const command = JSON.parse(text) as Json;
            const frame = Buffer.byteLength(text) - String(command["id"]).length + 10;
            assert.equal(echo.requestSize, frame);
            assert.equal(echo.responseSize, Buffer.byteLength(JSON.stringify(result)));
            assert.ok(echo.duration >= 0);
            assert.deepEqual([fail.method, fail.errorKind, fail.responseSize], ["debug.fail", "application", 0]);
            assert.ok(fail.error instanceof RPCError && fail.requestSize > 0);
            // Without a hook again: nothing observed, no trace context sent.
            setCallHook(client, undefined);
            const plain = (await client.call<Json>("debug.echo", { value: 2 }))["echo"] as Json;
            assert.equal(plain["value"], 2);
            assert.equal(TRACE_FIELD in plain, false);
            assert.equal(seen.length, 2);
        });
    }

    test("a call that fails before it is built has no request size; one over the limit has its size", async () => {
        const seen: CallInfo[] = [];
        const idle = new CentrifugoRPCClient("ws://127.0.0.1:1/", "t", "u");
        setCallHook(idle, recorder(seen));
        await rejection(idle.call("x", {}));
        const server = await echoing();
        const client = new CentrifugoRPCClient(server.url, "token", "u1", { maxMessageSize: 200 });
        cleanups.push(() => client.close());
        await client.connect();
        setCallHook(client, recorder(seen));
        const tooLarge = await rejection(client.call("debug.echo", { value: "x".repeat(300) }));
        assert.ok(tooLarge instanceof RPCRequestTooLargeError);
        const [before, over] = seen;
        assert.ok(before && over);
        assert.deepEqual([before.errorKind, before.requestSize], ["disconnected", 0]);
        assert.deepEqual([over.errorKind, over.requestSize], ["request_too_large", tooLarge.size]);
    });

    test("a second hook replaces the first; hooked calls still join a batch; a result is checked", async () => {
        const server = await echoing();
        const client = await connected(server, "rpc");
        const first: CallInfo[] = [];
        const second: CallInfo[] = [];
        setCallHook(client, recorder(first));
        setCallHook(client, recorder(second));
        const before = server.frames.length;
        const results = await client.batch(() => [client.call<Json>("a", { n: 1 }), client.call<Json>("b", {})]);
        assert.equal(server.frames.length, before + 1);
        assert.equal(((results[0] as Json)["echo"] as Json)["n"], 1);
        assert.deepEqual([first.length, second.map((call) => call.method)], [0, ["a", "b"]]);
        // A typed call's result is checked after the hook measured it: a result that does not fit is a bad_reply.
        const schema = new Schema("number");
        schema.field("Numbers", "max", "int", "required");
        const error = await rejection(client.call("debug.echo", {}, {}, schema.result("Numbers")));
        assert.ok(error instanceof RPCReplyError);
        assert.deepEqual(
            [second[2]?.errorKind, second[2]?.responseSize],
            ["bad_reply", JSON.stringify({ echo: { [TRACE_FIELD]: { traceparent } } }).length],
        );
    });
});

test("rpc transport: close() fails the call in flight with code 4", async () => {
    const server = await fake((command) => ("rpc" in command ? "ignore" : undefined));
    const client = await connected(server, "rpc");
    const call = client.call("debug.sleep", {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.close();
    const error = await rejection(call);
    assert.deepEqual([error.kind, error.code], ["disconnected", 4]);
});

test("disconnect() is close() under the replaced generator's name", async () => {
    const server = await fake((command) => ("rpc" in command ? "ignore" : undefined));
    const client = await connected(server, "rpc");
    const call = client.call("debug.sleep", {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.disconnect();
    const error = await rejection(call);
    assert.deepEqual([error.kind, error.code], ["disconnected", 4]);
});

describe("pubsub transport", () => {
    /** Plays the backend: answers each request with `reply(request)` on the request's reply channel. */
    function backend(reply: (request: Json) => Json | null) {
        return (server: Fake, data: Json) => {
            const answer = reply(data);
            if (answer !== null) setTimeout(() => server.push(String(data["reply_to"]), answer), 10);
        };
    }

    test("subscribes to user#<userId>, publishes the request, resolves with the matching result", async () => {
        const server = await fake(
            undefined,
            backend((request) => ({ correlation_id: request["correlation_id"], result: { ok: request["params"] } })),
        );
        const client = await connected(server, "pubsub");
        assert.equal(client.replyChannel, "user#u1");
        const result = await client.call("tasks.create", { title: "t" });
        assert.deepEqual(result, { ok: { title: "t" } });
        const subscribe = server.commands.find((command) => "subscribe" in command)?.["subscribe"] as Json;
        assert.equal(subscribe["channel"], "user#u1");
        const publish = server.commands.find((command) => "publish" in command)?.["publish"] as Json;
        assert.equal(publish["channel"], "rpc:requests");
        const request = publish["data"] as Json;
        assert.equal(request["method"], "tasks.create");
        assert.deepEqual(request["params"], { title: "t" });
        assert.equal(request["reply_to"], "user#u1");
        assert.match(String(request["correlation_id"]), UUID_V4);
    });

    test("correlation ids are distinct, and replies settle their own calls whatever their order", async () => {
        const requests: Json[] = [];
        const server = await fake(undefined, (_server, data) => requests.push(data));
        const client = await connected(server, "pubsub");
        const calls = [0, 1, 2, 3, 4].map((index) => client.call("debug.echo", { index }));
        while (requests.length < 5) await new Promise((resolve) => setTimeout(resolve, 10));
        assert.equal(new Set(requests.map((request) => request["correlation_id"])).size, 5);
        // Unrelated and malformed publications on the channel are ignored.
        server.push("user#u1", { correlation_id: "someone-else", result: 1 });
        server.push("user#u1", "not an object");
        server.push("user#u1", { correlation_id: 42 });
        for (const request of [...requests].reverse()) {
            server.push("user#u1", { correlation_id: request["correlation_id"], result: request["params"] });
        }
        assert.deepEqual(
            await Promise.all(calls),
            [0, 1, 2, 3, 4].map((index) => ({ index })),
        );
    });

    test("an error reply becomes RPCError(kind 'server')", async () => {
        const server = await fake(
            undefined,
            backend((request) => ({
                correlation_id: request["correlation_id"],
                error: { code: 1404, message: "task 7 not found" },
            })),
        );
        const error = await rejection((await connected(server, "pubsub")).call("tasks.update", { id: 7 }));
        assert.deepEqual([error.kind, error.code, error.message], ["server", 1404, "task 7 not found"]);
    });

    test("a reply with neither result nor error is a server error, not a hang", async () => {
        const server = await fake(
            undefined,
            backend((request) => ({ correlation_id: request["correlation_id"] })),
        );
        const error = await rejection((await connected(server, "pubsub")).call("x", {}));
        assert.equal(error.kind, "server");
        assert.match(error.message, /malformed/);
    });

    test("a null result is a result", async () => {
        const server = await fake(
            undefined,
            backend((request) => ({ correlation_id: request["correlation_id"], result: null })),
        );
        assert.equal(await (await connected(server, "pubsub")).call("x", {}), null);
    });

    test("a refused publish fails at once with the server's code", async () => {
        const server = await fake((command) =>
            "publish" in command ? { error: { code: 103, message: "permission denied" } } : undefined,
        );
        const error = await rejection((await connected(server, "pubsub")).call("x", {}));
        assert.deepEqual([error.kind, error.code], ["server", 103]);
    });

    test("no reply in time is kind 'timeout'; the late reply is ignored and the client stays usable", async () => {
        const requests: Json[] = [];
        const server = await fake(undefined, (_server, data) => requests.push(data));
        const client = await connected(server, "pubsub", 600);
        const error = await rejection(client.call("debug.sleep", {}));
        assert.equal(error.kind, "timeout");
        const late = requests[0];
        assert.ok(late !== undefined);
        server.push("user#u1", { correlation_id: late["correlation_id"], result: "late" });
        const next = client.call("debug.echo", {});
        while (requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
        server.push("user#u1", { correlation_id: requests[1]?.["correlation_id"], result: "next" });
        assert.equal(await next, "next");
    });

    test("a dropped connection fails pending calls with kind 'disconnected'", async () => {
        const server = await fake();
        const client = await connected(server, "pubsub");
        const call = client.call("debug.sleep", {});
        await new Promise((resolve) => setTimeout(resolve, 200));
        server.drop(3001, "test");
        const error = await rejection(call);
        assert.deepEqual([error.kind, error.code], ["disconnected", 11]);
    });

    test("close() fails pending calls with kind 'disconnected'", async () => {
        const server = await fake();
        const client = await connected(server, "pubsub");
        const call = client.call("debug.sleep", {});
        await new Promise((resolve) => setTimeout(resolve, 100));
        client.close();
        const error = await rejection(call);
        assert.deepEqual([error.kind, error.code], ["disconnected", 4]);
    });

    test("a refused connection rejects connect() with the server's disconnect code", async () => {
        const server = await fake((command) => ("connect" in command ? "ignore" : undefined));
        const client = new CentrifugoRPCClient(server.url, "token", "u1", { transport: "pubsub", timeout: 3000 });
        const connecting = client.connect();
        while (server.commands.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        server.drop(3500, "invalid token");
        const error = await rejection(connecting);
        assert.deepEqual([error.kind, error.code], ["disconnected", 3500]);
        assert.equal(client.connected, false);
    });

    test("a refused subscription rejects connect()", async () => {
        const server = await fake((command) =>
            "subscribe" in command ? { error: { code: 103, message: "permission denied" } } : undefined,
        );
        const client = new CentrifugoRPCClient(server.url, "token", "u1", { transport: "pubsub", timeout: 3000 });
        const error = await rejection(client.connect());
        assert.equal(error.code, 103);
        assert.equal(client.connected, false);
    });
});

/** Resolves once `condition` holds (checked every 10 ms; the test runner's timeout bounds the wait). */
async function until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

for (const transport of ["rpc", "pubsub"] as const) {
    /** A fake that answers every call with its params, except method "slow", which it never answers. */
    async function echoing(): Promise<Fake> {
        return fake(
            (command) => {
                if (!("rpc" in command)) return undefined;
                const rpc = command["rpc"] as Json;
                return rpc["method"] === "slow" ? "ignore" : { reply: { rpc: { data: rpc["data"] } } };
            },
            (server, data) => {
                if (data["method"] === "slow") return;
                server.push(String(data["reply_to"]), {
                    correlation_id: data["correlation_id"],
                    result: data["params"],
                });
            },
        );
    }

    async function client(server: Fake, options: { maxMessageSize?: number; timeout?: number } = {}) {
        const made = new CentrifugoRPCClient(server.url, "token", "u1", { transport, timeout: 5000, ...options });
        cleanups.push(() => made.close());
        await made.connect();
        return made;
    }

    /** The bytes of the frame a call sends, computed here independently of the client (widest id, UTF-8). */
    function expectedFrame(method: string, params: object): number {
        const id = 4294967295;
        const command =
            transport === "rpc"
                ? { id, rpc: { method, data: params } }
                : {
                      id,
                      publish: {
                          channel: "rpc:requests",
                          data: { method, params, correlation_id: "0".repeat(36), reply_to: "user#u1" },
                      },
                  };
        return Buffer.byteLength(JSON.stringify(command), "utf8");
    }

    describe(`${transport} transport: message size`, () => {
        test("the limit defaults to Centrifugo's 65536 bytes and must be positive", async () => {
            assert.equal(DEFAULT_MAX_MESSAGE_SIZE, 65536);
            assert.equal(new CentrifugoRPCClient("ws://127.0.0.1:1/", "t", "u").maxMessageSize, 65536);
            for (const maxMessageSize of [0, -1, Number.NaN]) {
                assert.throws(
                    () => new CentrifugoRPCClient("ws://127.0.0.1:1/", "t", "u", { maxMessageSize }),
                    (error: unknown) => error instanceof RPCError && error.kind === "client",
                );
            }
        });

        test("a request over the limit is refused before sending; the call in flight and the connection stay", async () => {
            const server = await echoing();
            const made = await client(server, { maxMessageSize: 1000 });
            const inFlight = made.call("echo", { n: 1 });
            const error = await rejection(made.call("big", { text: "x".repeat(1000) }));
            assert.ok(error instanceof RPCRequestTooLargeError, String(error));
            assert.deepEqual([error.kind, error.code, error.limit], ["client", 15, 1000]);
            assert.equal(error.size, expectedFrame("big", { text: "x".repeat(1000) }));
            assert.deepEqual(await inFlight, { n: 1 });
            assert.deepEqual(await made.call("echo", { n: 2 }), { n: 2 });
            assert.equal(server.connections, 1);
            assert.equal(made.pendingCalls, 0);
            const sent = server.commands.map((command) => JSON.stringify(command));
            assert.ok(!sent.some((text) => text.includes('"big"')), "the oversize request was sent");
        });

        test("the size counts UTF-8 bytes of the whole frame: exactly the limit is sent, one byte more is not", async () => {
            const params = { text: "é€𝄞x".repeat(50), list: [1, "\u2028", null] };
            const size = expectedFrame("echo", params);
            const server = await echoing();
            const exact = await client(server, { maxMessageSize: size });
            assert.deepEqual(await exact.call("echo", params), params);
            // what the client really sent fits the size it counted
            const sentFrame = server.frames[server.frames.length - 1] ?? Infinity;
            assert.ok(sentFrame <= size, `sent ${sentFrame} bytes, counted ${size}`);
            const under = await client(server, { maxMessageSize: size - 1 });
            const error = await rejection(under.call("echo", params));
            assert.ok(error instanceof RPCRequestTooLargeError && error.size === size, String(error));
        });
    });

    describe(`${transport} transport: per-call timeouts`, () => {
        /** A fake whose answers to method "held" wait until the test sends them (`release`). */
        async function holding(): Promise<{ server: Fake; release: () => void }> {
            const held: Json[] = [];
            const server = await fake(
                (command) => {
                    if (!("rpc" in command)) return undefined;
                    const rpc = command["rpc"] as Json;
                    if (rpc["method"] !== "held") return { reply: { rpc: { data: rpc["data"] } } };
                    held.push({ id: command["id"], rpc: { data: rpc["data"] } });
                    return "ignore";
                },
                (_server, data) => {
                    const reply = { correlation_id: data["correlation_id"], result: data["params"] };
                    if (data["method"] === "held")
                        held.push({ push: { channel: data["reply_to"], pub: { data: reply } } });
                    else _server.push(String(data["reply_to"]), reply);
                },
            );
            const release = (): void => {
                for (const frame of held.splice(0)) server.send(frame);
            };
            return { server, release };
        }

        test("a per-call timeout longer than the client's is honoured", async () => {
            const { server, release } = await holding();
            const made = await client(server, { timeout: 200 });
            const call = made.call("held", { n: 1 }, { timeout: 60_000 });
            // Three client timeouts: centrifuge-js would have failed the rpc command by now at its own timeout.
            await new Promise((resolve) => setTimeout(resolve, 600));
            await until(() => server.commands.length >= (transport === "rpc" ? 2 : 3));
            release();
            assert.deepEqual(await call, { n: 1 });
            // Later calls keep the client's timeout.
            const short = await rejection(made.call("held", { n: 2 }));
            assert.equal(short.kind, "timeout");
        });

        test("a per-call timeout shorter than the client's is honoured", async () => {
            const server = await echoing();
            const made = await client(server, { timeout: 600_000 });
            const error = await rejection(made.call("slow", {}, { timeout: 100 }));
            assert.deepEqual([error.kind, error.code], ["timeout", 1]);
            assert.equal(made.pendingCalls, 0);
        });
    });

    describe(`${transport} transport: the server closes the connection`, () => {
        test("close code 1009 (message too big): the call in flight fails, the client connects again", async () => {
            const server = await echoing();
            const made = await client(server);
            const inFlight = rejection(made.call("slow", {}));
            await until(() => server.commands.length >= (transport === "rpc" ? 2 : 3));
            server.drop(1009, "");
            const error = await inFlight;
            assert.equal(error.kind, "disconnected");
            // centrifuge-js stops after 1009; this call would wait for its timeout without a reconnect
            assert.deepEqual(await made.call("echo", { after: 1009 }), { after: 1009 });
            assert.equal(made.connected, true);
            assert.equal(server.connections, 2);
        });

        for (const code of [3005, 4000, 4499]) {
            test(`close code ${code} (reconnect): the client comes back by itself`, async () => {
                const server = await echoing();
                const made = await client(server);
                const inFlight = rejection(made.call("slow", {}));
                await until(() => server.commands.length >= (transport === "rpc" ? 2 : 3));
                server.drop(code, "come back");
                assert.equal((await inFlight).kind, "disconnected");
                assert.deepEqual(await made.call("echo", { after: code }), { after: code });
                assert.equal(server.connections, 2);
            });
        }

        for (const code of [3500, 4500, 4999]) {
            test(`close code ${code} (stay away): calls fail at once as 'disconnected' until connect()`, async () => {
                const server = await echoing();
                const made = await client(server);
                const inFlight = rejection(made.call("slow", {}));
                await until(() => server.commands.length >= (transport === "rpc" ? 2 : 3));
                server.drop(code, "go away");
                assert.equal((await inFlight).kind, "disconnected");
                assert.equal(made.connected, false);
                // kind "timeout" would mean that the call waited for a connection that is not coming
                const next = await rejection(made.call("echo", {}));
                assert.deepEqual([next.kind, next.code], ["disconnected", code]);
                assert.equal(server.connections, 1);
                await made.connect();
                assert.deepEqual(await made.call("echo", { after: code }), { after: code });
                assert.equal(server.connections, 2);
            });
        }
    });
}

describe("JSON that keeps every digit", () => {
    test("parseJson reads integers beyond 2^53 - 1 as bigint, everything else as JSON.parse does", () => {
        const text =
            '{"max": 9223372036854775807, "min": -9223372036854775808, "safe": 9007199254740991, ' +
            '"float": 1.5e3, "text": "12345678901234567890", "list": [9007199254740993, null, true], "__proto__": 1}';
        const value = parseJson(text) as Record<string, unknown>;
        assert.equal(value["max"], 9223372036854775807n);
        assert.equal(value["min"], -9223372036854775808n);
        assert.equal(value["safe"], 9007199254740991);
        assert.equal(value["float"], 1500);
        assert.equal(value["text"], "12345678901234567890");
        assert.deepEqual(value["list"], [9007199254740993n, null, true]);
        assert.ok(Object.hasOwn(value, "__proto__") && Object.getPrototypeOf(value) === Object.prototype);
        assert.deepEqual(parseJson('{"a": [1, "x"]}'), { a: [1, "x"] });
        assert.throws(() => parseJson('{"a": 12345678901234567890,}'), SyntaxError);
    });

    test("stringifyJson writes a bigint as its digits, and strings that look like its marker as strings", () => {
        const text = stringifyJson({ max: 9223372036854775807n, min: -9223372036854775808n, s: 'rpcc-bigint-x:"1"' });
        assert.equal(text, '{"max":9223372036854775807,"min":-9223372036854775808,"s":"rpcc-bigint-x:\\"1\\""}');
        assert.equal(stringifyJson({ a: 1 }), JSON.stringify({ a: 1 }));
    });
});

describe("results: the schema's check", () => {
    function schemaOf(ints: "number" | "bigint"): Schema {
        const schema = new Schema(ints);
        schema.field("Item", "id", "int", "required");
        schema.field("Item", "name", "null(string)", "required");
        schema.field("Item", "tags", "list(string)", "defaulted");
        schema.field("Item", "color", "enum(string)", "optional");
        schema.field("Item", "note", "string", "optional");
        schema.field("Item", "shape", "union(model(Circle), model(Square))", "optional");
        schema.field("Item", "extra", "any", "optional");
        schema.field("Circle", "kind", 'literal(["circle"])', "required");
        schema.field("Circle", "r", "float", "required");
        schema.field("Square", "kind", 'literal(["square"])', "required");
        schema.field("Square", "side", "float", "required");
        return schema;
    }

    test("bigint: every integer of an int field becomes a bigint, exactly", () => {
        const item = schemaOf("bigint").check("Item", parseJson('{"id": 9223372036854775807, "name": null}'));
        assert.deepEqual(item, { id: 9223372036854775807n, name: null });
        const small = schemaOf("bigint").check("Item", parseJson('{"id": 7, "name": "x", "extra": 9007199254740993}'));
        assert.deepEqual(small, { id: 7n, name: "x", extra: 9007199254740993n });
    });

    test("number: an int beyond 2^53 - 1 is refused, not rounded", () => {
        const schema = schemaOf("number");
        assert.deepEqual(schema.check("Item", parseJson('{"id": 9007199254740991, "name": "x"}')), {
            id: 9007199254740991,
            name: "x",
        });
        assert.throws(
            () => schema.check("Item", parseJson('{"id": 9007199254740993, "name": "x"}')),
            (error: unknown) =>
                error instanceof RPCReplyError && error.kind === "reply" && error.code === 16 && error.path === "$.id",
        );
        // in `any`, as JSON.parse would
        assert.deepEqual(schema.check("Item", parseJson('{"id": 1, "name": "x", "extra": [9007199254740993]}')), {
            id: 1,
            name: "x",
            extra: [9007199254740992],
        });
    });

    test("a missing required field, a wrong JSON type, a wrong union tag are refused with their path", () => {
        const schema = schemaOf("number");
        const refused = (text: string): string => {
            try {
                schema.check("Item", parseJson(text));
            } catch (error) {
                assert.ok(error instanceof RPCReplyError, String(error));
                return error.path;
            }
            return assert.fail(`accepted ${text}`);
        };
        assert.equal(refused('{"name": "x"}'), "$.id");
        assert.equal(refused('{"id": 1.5, "name": "x"}'), "$.id");
        assert.equal(refused('{"id": 1, "name": 2}'), "$.name");
        assert.equal(refused('{"id": 1, "name": "x", "tags": ["a", 1]}'), "$.tags[1]");
        assert.equal(refused('{"id": 1, "name": "x", "shape": {"kind": "hexagon"}}'), "$.shape.kind");
        assert.equal(refused("[]"), "$");
    });

    test("open enums, unknown fields, absent defaults and a null for x?: T", () => {
        const schema = schemaOf("number");
        const text =
            '{"id": 1, "name": "x", "color": "purple", "new_field": {"a": 1}, "note": null, "shape": {"kind": "square", "side": 2}}';
        assert.deepEqual(schema.check("Item", parseJson(text)), {
            id: 1,
            name: "x",
            color: "purple",
            new_field: { a: 1 },
            shape: { kind: "square", side: 2 },
        });
    });

    for (const transport of ["rpc", "pubsub"] as const) {
        test(`${transport}: a call keeps int64 extremes both ways and refuses a result of the wrong shape`, async () => {
            // The fake answers with the request's params, copied as the client wrote them: every digit stays.
            const server = await fake(
                (command) => {
                    if (!("rpc" in command)) return undefined;
                    return "ignore";
                },
                () => {},
            );
            const client = new CentrifugoRPCClient(server.url, "token", "u1", { transport, timeout: 5000 });
            cleanups.push(() => client.close());
            await client.connect();
            const schema = new Schema("bigint");
            schema.field("Numbers", "max", "int", "required");
            schema.field("Numbers", "min", "int", "required");
            const params = { max: 9223372036854775807n, min: -9223372036854775808n };
            const call = client.call("echo", params, {}, schema.result("Numbers"));
            await until(() => server.texts.some((text) => text.includes('"echo"')));
            const sent = server.texts.find((text) => text.includes('"echo"')) ?? "";
            assert.match(sent, /"max":9223372036854775807,"min":-9223372036854775808/);
            const data = '{"max":9223372036854775807,"min":-9223372036854775808}';
            const command = server.commands.find((command) => JSON.stringify(command).includes('"echo"')) ?? {};
            if (transport === "rpc") {
                server.sendText(`{"id":${String(command["id"])},"rpc":{"data":${data}}}`);
            } else {
                const request = (command["publish"] as Json)["data"] as Json;
                const reply = `{"correlation_id":"${String(request["correlation_id"])}","result":${data}}`;
                server.sendText(`{"push":{"channel":"user#u1","pub":{"data":${reply}}}}`);
            }
            assert.deepEqual(await call, params);

            const wrong = client.call("echo", {}, {}, schema.result("Numbers"));
            await until(() => server.texts.filter((text) => text.includes('"echo"')).length >= 2);
            const second = server.commands.filter((command) => JSON.stringify(command).includes('"echo"'))[1] ?? {};
            if (transport === "rpc") {
                server.sendText(`{"id":${String(second["id"])},"rpc":{"data":{"max":"many"}}}`);
            } else {
                const request = (second["publish"] as Json)["data"] as Json;
                const reply = `{"correlation_id":"${String(request["correlation_id"])}","result":{"max":"many"}}`;
                server.sendText(`{"push":{"channel":"user#u1","pub":{"data":${reply}}}}`);
            }
            const error = await rejection(wrong);
            assert.ok(error instanceof RPCReplyError, String(error));
            assert.deepEqual([error.kind, error.code, error.path], ["reply", 16, "$.max"]);
            assert.equal(client.connected, true);
        });
    }
});

describe("batches and one-way calls", () => {
    for (const transport of ["rpc", "pubsub"] as const) {
        test(`a batch over ${transport} is one WebSocket message, each entry its own result or error`, async () => {
            const server = await fake(
                (command) => {
                    const rpc = command["rpc"] as Json | undefined;
                    if (rpc?.["method"] === "fail") return { error: { code: 1409, message: "no" } };
                    return undefined;
                },
                (backend, data) => {
                    const reply =
                        data["method"] === "fail"
                            ? { correlation_id: data["correlation_id"], error: { code: 1409, message: "no" } }
                            : { correlation_id: data["correlation_id"], result: { echo: data["params"] } };
                    setTimeout(() => backend.push("user#u1", reply), 0);
                },
            );
            const client = await connected(server, transport);
            const before = server.frames.length;
            const [first, failed, third] = await client.batch(() => [
                client.call<Json>("echo", { n: 1 }),
                client.call<Json>("fail", {}),
                client.call<Json>("echo", { n: 3 }),
            ]);
            assert.equal(server.frames.length, before + 1);
            assert.deepEqual(first, { echo: { n: 1 } });
            assert.ok(failed instanceof RPCError && failed.code === 1409);
            assert.deepEqual(third, { echo: { n: 3 } });
        });

        test(`send over ${transport} writes one command and resolves without a reply`, async () => {
            const server = await fake((command) => ("rpc" in command || "publish" in command ? "ignore" : undefined));
            const client = await connected(server, transport);
            const before = server.commands.length;
            await client.send("events.track", { n: 1 });
            while (server.commands.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
            const command = server.commands[server.commands.length - 1] ?? {};
            if (transport === "rpc") assert.deepEqual(command["rpc"], { method: "events.track", data: { n: 1 } });
            else assert.deepEqual((command["publish"] as Json)["data"], { method: "events.track", params: { n: 1 } });
        });
    }

    test("a batch over maxBatch sends nothing and fails every call", async () => {
        const server = await fake();
        const client = await connected(server, "rpc");
        const before = server.frames.length;
        const calls: Promise<unknown>[] = [];
        const error = await rejection(
            client.batch(
                () => {
                    for (let i = 0; i < 3; i++) calls.push(client.call("echo", { i }));
                    return calls;
                },
                { maxBatch: 2 },
            ),
        );
        assert.match(error.message, /maxBatch=2/);
        for (const call of calls) assert.equal((await rejection(call)).message, error.message);
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(server.frames.length, before);
    });
});

describe("contract hash", () => {
    test("is sent with every call over both transports, and only when set", async () => {
        const requests: Json[] = [];
        const server = await fake(undefined, (fakeServer, data) => {
            requests.push(data);
            fakeServer.push(String(data["reply_to"]), { correlation_id: data["correlation_id"], result: {} });
        });
        const rpc = await connected(server, "rpc");
        assert.deepEqual(await rpc.call("a", { x: 1 }), { echo: { x: 1 } });
        rpc.contractHash = "sha256:01";
        assert.deepEqual(await rpc.call("a", { x: 1 }), { echo: { x: 1, $contract: "sha256:01" } });
        assert.deepEqual(await rpc.call("a", {}), { echo: { $contract: "sha256:01" } });
        const pubsub = await connected(server, "pubsub");
        await pubsub.call("b", { y: 2 });
        pubsub.contractHash = "sha256:02";
        await pubsub.call("b", { y: 2 });
        assert.deepEqual(
            requests.map((request) => [request["params"], request["contract"]]),
            [
                [{ y: 2 }, undefined],
                [{ y: 2 }, "sha256:02"],
            ],
        );
        assert.ok(!server.texts.some((text) => text.includes('"contract":null')));
    });

    test("the bridge's refusals are RPCContractErrors, older (426) or not (412), over both transports", async () => {
        const rpcServer = await fake((command) => {
            const rpc = command["rpc"] as Json | undefined;
            if (rpc === undefined) return undefined;
            const code = rpc["method"] === "old" ? 426 : rpc["method"] === "other" ? 412 : 400;
            return { error: { code, message: `refused ${code}` } };
        });
        const rpc = await connected(rpcServer, "rpc");
        const older = await rejection(rpc.call("old", {}));
        assert.ok(older instanceof RPCContractError && older.older);
        assert.deepEqual([older.kind, older.code, older.message], ["server", 426, "refused 426"]);
        const differs = await rejection(rpc.call("other", {}));
        assert.ok(differs instanceof RPCContractError && !differs.older && differs.code === 412);
        assert.ok(!((await rejection(rpc.call("plain", {}))) instanceof RPCContractError));
        // Over pub/sub the bridge refuses the publish itself.
        const pubsubServer = await fake((command) =>
            "publish" in command ? { error: { code: 426, message: "older" } } : undefined,
        );
        const refused = await rejection((await connected(pubsubServer, "pubsub")).call("x", {}));
        assert.ok(refused instanceof RPCContractError && refused.older);
    });
});

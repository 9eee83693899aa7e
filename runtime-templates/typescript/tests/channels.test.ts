// Typed channel subscriptions of the base client (ChannelSubscription, subscribe, publish, channelString,
// channelInt), against a fake Centrifugo that answers subscribe commands as the test says and pushes publications.
// The real server is in tests/typescript/live/channels.test.ts. Run by `tests/typescript/run.sh runtime`.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";

import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";

import {
    CentrifugoRPCClient,
    ChannelSubscription,
    RPCError,
    RPCPublicationError,
    RPCSubscriptionError,
    Schema,
    channelInt,
    channelString,
    subscribeChannel,
} from "../rpc-client.js";
import type { SubscriptionState } from "../rpc-client.js";

type Json = Record<string, unknown>;

interface Fake {
    url: string;
    commands: Json[];
    connections: number;
    /** Sends a publication on `channel` to every connection. */
    push(channel: string, data: unknown, offset?: number): void;
    /** Sends a server unsubscribe of `channel` with a code. */
    unsubscribe(channel: string, code: number, reason: string): void;
    /** Closes every connection with a WebSocket close code. */
    drop(code: number, reason: string): void;
    /** Resolves with the next command for which `match` is true (or the first one already received). */
    command(match: (command: Json) => boolean): Promise<Json>;
    close(): Promise<void>;
}

type Answer = { reply?: Json; error?: { code: number; message: string; temporary?: boolean } };

async function fakeCentrifugo(answer: (command: Json) => Answer | undefined = () => undefined): Promise<Fake> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const address = server.address();
    assert.ok(typeof address === "object" && address !== null);
    const sockets = new Set<WebSocket>();
    const watchers: { match: (command: Json) => boolean; resolve: (command: Json) => void }[] = [];
    const fake: Fake = {
        url: `ws://127.0.0.1:${address.port}/connection/websocket`,
        commands: [],
        connections: 0,
        push(channel, data, offset) {
            const pub: Json = { data };
            if (offset !== undefined) pub["offset"] = offset;
            for (const socket of sockets) socket.send(JSON.stringify({ push: { channel, pub } }));
        },
        unsubscribe(channel, code, reason) {
            for (const socket of sockets)
                socket.send(JSON.stringify({ push: { channel, unsubscribe: { code, reason } } }));
        },
        drop(code, reason) {
            for (const socket of sockets) socket.close(code, reason);
        },
        command(match) {
            const found = fake.commands.find(match);
            if (found !== undefined) return Promise.resolve(found);
            return new Promise((resolve) => watchers.push({ match, resolve }));
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
            for (const line of String(raw).split("\n")) {
                if (line.trim() === "") continue;
                const command = JSON.parse(line) as Json;
                if (Object.keys(command).length === 0) continue; // pong
                const id = command["id"];
                const decided = answer(command);
                if (decided?.error) {
                    socket.send(JSON.stringify({ id, error: decided.error }));
                } else {
                    let reply: Json = {};
                    if ("connect" in command) {
                        reply = { connect: { client: "fake-client", version: "0.0.0", ping: 25, pong: true } };
                    } else if ("subscribe" in command) reply = { subscribe: {} };
                    else if ("publish" in command) reply = { publish: {} };
                    else if ("unsubscribe" in command) reply = { unsubscribe: {} };
                    socket.send(JSON.stringify({ id, ...(decided?.reply ?? reply) }));
                }
                // Recorded after the reply: a test that waits for a command sees its effect too.
                fake.commands.push(command);
                for (const watcher of [...watchers]) {
                    if (!watcher.match(command)) continue;
                    watchers.splice(watchers.indexOf(watcher), 1);
                    watcher.resolve(command);
                }
            }
        });
    });
    return fake;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
});

async function fake(...args: Parameters<typeof fakeCentrifugo>): Promise<Fake> {
    const server = await fakeCentrifugo(...args);
    cleanups.push(() => server.close());
    return server;
}

function client(server: Fake): CentrifugoRPCClient {
    const made = new CentrifugoRPCClient(server.url, "token", {
        timeout: 5000,
        centrifuge: { minReconnectDelay: 10, maxReconnectDelay: 50 },
    });
    cleanups.push(() => made.close());
    return made;
}

/** The schema of the tests: a tagged union of two models, as schema.ts declares a channel's publication type. */
function schema(ints: "number" | "bigint" = "number"): Schema {
    const made = new Schema(ints);
    made.field("Created", "kind", 'literal(["created"])', "required");
    made.field("Created", "id", "int", "required");
    made.field("Done", "kind", 'literal(["done"])', "required");
    made.field("Done", "id", "int", "required");
    made.field("Done", "note", "string", "optional");
    made.channel("tasks.events", "union(model(Created), model(Done))");
    return made;
}

type Event = { kind: "created"; id: number } | { kind: "done"; id: number; note?: string };

function subscribeCommand(channel: string): (command: Json) => boolean {
    return (command) => "subscribe" in command && (command["subscribe"] as Json)["channel"] === channel;
}

/** Resolves when `subscription` reaches `state`. */
function reaches<T>(subscription: ChannelSubscription<T>, state: SubscriptionState): Promise<void> {
    if (subscription.state === state) return Promise.resolve();
    return new Promise((resolve) => {
        const stop = subscription.onStateChange((now) => {
            if (now !== state) return;
            stop();
            resolve();
        });
    });
}

/** The next `count` errors reported by `subscription`. */
function errors<T>(subscription: ChannelSubscription<T>, count: number): Promise<RPCError[]> {
    const seen: RPCError[] = [];
    return new Promise((resolve) => {
        const stop = subscription.onError((error) => {
            seen.push(error);
            if (seen.length < count) return;
            stop();
            resolve(seen);
        });
    });
}

describe("channel parameters", () => {
    test("channelString passes a plain value and refuses what changes the channel's meaning", () => {
        assert.equal(channelString("user-42_a.b~!", "userId"), "user-42_a.b~!");
        for (const bad of ["", "a:b", "a#b", "a,b", "$a", "a*", "a&b", "a/b", "{a}", "a b", "é", "a\n"]) {
            assert.throws(
                () => channelString(bad, "userId"),
                (error: unknown) =>
                    error instanceof RPCError &&
                    error.kind === "client" &&
                    error.code === 18 &&
                    /userId/.test(error.message),
                JSON.stringify(bad),
            );
        }
    });

    test("channelInt prints an integer in decimal and refuses anything else", () => {
        assert.equal(channelInt(42, "roomId"), "42");
        assert.equal(channelInt(-7, "roomId"), "-7");
        assert.equal(channelInt(12345678901234567890n, "roomId"), "12345678901234567890");
        for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
            assert.throws(
                () => channelInt(bad, "roomId"),
                (error: unknown) => error instanceof RPCError && error.code === 18,
            );
        }
    });
});

describe("typed subscriptions", () => {
    test("publications arrive typed and in order; one that does not fit is reported and the rest go on", async () => {
        const server = await fake();
        const rpc = client(server);
        await rpc.connect();
        const received: Event[] = [];
        const subscription = subscribeChannel<Event>(rpc, "tasks:events#u1", schema().publication("tasks.events"), {
            onPublication: (event) => received.push(event),
        });
        const iterator = subscription[Symbol.asyncIterator]();
        await subscription.ready();
        assert.equal(subscription.state, "subscribed");
        const command = (await server.command(subscribeCommand("tasks:events#u1")))["subscribe"] as Json;
        assert.equal(command["recoverable"], undefined, "not recoverable without history");
        const reported = errors(subscription, 2);
        server.push("tasks:events#u1", { kind: "created", id: 1 });
        server.push("tasks:events#u1", { kind: "done", id: "2" });
        server.push("tasks:events#u1", { kind: "moved", id: 3 });
        server.push("tasks:events#u1", { kind: "done", id: 4, note: "ok" });
        assert.deepEqual(await iterator.next(), { value: { kind: "created", id: 1 }, done: false });
        assert.deepEqual(await iterator.next(), { value: { kind: "done", id: 4, note: "ok" }, done: false });
        assert.deepEqual(received, [
            { kind: "created", id: 1 },
            { kind: "done", id: 4, note: "ok" },
        ]);
        const [wrongType, unknownKind] = await reported;
        assert.ok(wrongType instanceof RPCPublicationError);
        assert.deepEqual(
            [wrongType.kind, wrongType.code, wrongType.channel, wrongType.path, wrongType.data],
            // A union reports what the first alternative found (here: its tag).
            ["reply", 17, "tasks:events#u1", "$.kind", { kind: "done", id: "2" }],
        );
        assert.match(wrongType.message, /a publication does not fit the API at \$\.kind: expected "created"/);
        assert.ok(unknownKind instanceof RPCPublicationError);
        assert.equal(unknownKind.path, "$.kind");
        assert.equal(subscription.state, "subscribed");
    });

    test("publications are kept while there is no handler or iterator: before the first loop, between two", async () => {
        const server = await fake();
        const rpc = client(server);
        await rpc.connect();
        const subscription = subscribeChannel<Event>(rpc, "tasks:events#u1", schema().publication("tasks.events"));
        await subscription.ready();
        for (let id = 1; id <= 3; id++) server.push("tasks:events#u1", { kind: "created", id });
        // The fake sends in order: the "done" after the three arrives after them.
        server.push("tasks:events#u1", { kind: "done", id: 4 });
        const loop = async (): Promise<number[]> => {
            const ids: number[] = [];
            for await (const event of subscription) {
                ids.push(event.id);
                if (event.kind === "done") break;
            }
            return ids;
        };
        assert.deepEqual(await loop(), [1, 2, 3, 4]);
        assert.equal(subscription.state, "subscribed", "leaving the loop stops the iterator, not the subscription");
        // Received while no loop runs: a publication that does not fit, sent after them, is reported at once, so
        // when it is, these two have arrived (and were kept).
        const reported = errors(subscription, 1);
        server.push("tasks:events#u1", { kind: "created", id: 5 });
        server.push("tasks:events#u1", { kind: "done", id: 6 });
        server.push("tasks:events#u1", { kind: "created" });
        await reported;
        assert.deepEqual(await loop(), [5, 6]);
    });

    test("integers follow the schema: bigint beyond 2^53 with --ts-int bigint, refused with number", async () => {
        const server = await fake();
        const rpc = client(server);
        await rpc.connect();
        const big = subscribeChannel<{ kind: "created"; id: bigint }>(
            rpc,
            "a:big",
            schema("bigint").publication("tasks.events"),
        );
        const small = subscribeChannel<Event>(rpc, "a:small", schema().publication("tasks.events"));
        await Promise.all([big.ready(), small.ready()]);
        const reported = errors(small, 1);
        for (const channel of ["a:big", "a:small"]) {
            server.push(channel, { kind: "created", id: 7 });
        }
        const first = await big[Symbol.asyncIterator]().next();
        assert.deepEqual(first.value, { kind: "created", id: 7n });
        assert.deepEqual((await small[Symbol.asyncIterator]().next()).value, { kind: "created", id: 7 });
        server.push("a:small", { kind: "created", id: 1.5 });
        const [error] = await reported;
        assert.ok(error instanceof RPCPublicationError);
        assert.equal(error.path, "$.id");
    });

    test("a refused subscription ends with RPCSubscriptionError: ready rejects, iterators throw, state unsubscribed", async () => {
        const server = await fake((command) =>
            "subscribe" in command ? { error: { code: 103, message: "permission denied" } } : undefined,
        );
        const rpc = client(server);
        await rpc.connect();
        const states: SubscriptionState[] = [];
        const reported: RPCError[] = [];
        const subscription = subscribeChannel<Event>(rpc, "tasks:events#u2", schema().publication("tasks.events"), {
            onStateChange: (state) => states.push(state),
            onError: (error) => reported.push(error),
        });
        const iterator = subscription[Symbol.asyncIterator]();
        const refusal = await subscription.ready().then(
            () => assert.fail("subscribed"),
            (error: unknown) => error,
        );
        assert.ok(refusal instanceof RPCSubscriptionError);
        assert.deepEqual([refusal.kind, refusal.code, refusal.channel], ["server", 103, "tasks:events#u2"]);
        assert.match(refusal.message, /subscribe to tasks:events#u2: permission denied/);
        await assert.rejects(iterator.next(), (error: unknown) => error === refusal);
        assert.deepEqual(await iterator.next(), { value: undefined, done: true });
        assert.deepEqual(states, ["unsubscribed"]);
        assert.deepEqual(reported, [refusal]);
        assert.equal(subscription.error, refusal);
        // The channel is free again: a new subscription may try.
        assert.ok(
            subscribeChannel(rpc, "tasks:events#u2", schema().publication("tasks.events")) instanceof
                ChannelSubscription,
        );
    });

    test("a server unsubscribe ends the subscription with its code", async () => {
        const server = await fake();
        const rpc = client(server);
        await rpc.connect();
        const subscription = subscribeChannel<Event>(rpc, "news:feed", schema().publication("tasks.events"));
        await subscription.ready();
        const iterator = subscription[Symbol.asyncIterator]();
        server.unsubscribe("news:feed", 2000, "server unsubscribe");
        await assert.rejects(
            iterator.next(),
            (error: unknown) => error instanceof RPCSubscriptionError && error.code === 2000,
        );
        assert.equal(subscription.state, "unsubscribed");
    });

    test("unsubscribe() and an aborted signal end it: the unsubscribe command is sent, iterators end", async () => {
        const server = await fake();
        const rpc = client(server);
        await rpc.connect();
        const controller = new AbortController();
        const aborted = subscribeChannel<Event>(rpc, "a:one", schema().publication("tasks.events"), {
            signal: controller.signal,
        });
        const plain = subscribeChannel<Event>(rpc, "a:two", schema().publication("tasks.events"));
        await Promise.all([aborted.ready(), plain.ready()]);
        const abortedIterator = aborted[Symbol.asyncIterator]();
        const pending = abortedIterator.next();
        controller.abort();
        assert.deepEqual(await pending, { value: undefined, done: true });
        plain.unsubscribe();
        plain.unsubscribe();
        assert.deepEqual(await plain[Symbol.asyncIterator]().next(), { value: undefined, done: true });
        for (const channel of ["a:one", "a:two"]) {
            await server.command(
                (command) => "unsubscribe" in command && (command["unsubscribe"] as Json)["channel"] === channel,
            );
        }
        assert.deepEqual([aborted.state, plain.state, aborted.error], ["unsubscribed", "unsubscribed", null]);
        await assert.rejects(plain.ready(), (error: unknown) => error instanceof RPCError && error.code === 7);
        // A signal aborted before subscribing: nothing is sent.
        const never = subscribeChannel<Event>(rpc, "a:three", schema().publication("tasks.events"), {
            signal: AbortSignal.abort(),
        });
        assert.equal(never.state, "unsubscribed");
    });

    test("a second subscription to one channel is refused until the first ends", async () => {
        const server = await fake();
        const rpc = client(server);
        await rpc.connect();
        const first = subscribeChannel<Event>(rpc, "a:one", schema().publication("tasks.events"));
        assert.throws(
            () => subscribeChannel<Event>(rpc, "a:one", schema().publication("tasks.events")),
            (error: unknown) => error instanceof RPCError && error.code === 18 && error.kind === "client",
        );
        first.unsubscribe();
        const second = subscribeChannel<Event>(rpc, "a:one", schema().publication("tasks.events"));
        await second.ready();
    });

    test("a subscription made before connect() subscribes once connected; close() ends it quietly", async () => {
        const server = await fake();
        const rpc = client(server);
        const subscription = subscribeChannel<Event>(rpc, "a:early", schema().publication("tasks.events"));
        assert.equal(subscription.state, "subscribing");
        const iterator = subscription[Symbol.asyncIterator]();
        await rpc.connect();
        await subscription.ready();
        server.push("a:early", { kind: "created", id: 1 });
        assert.deepEqual((await iterator.next()).value, { kind: "created", id: 1 });
        rpc.close();
        assert.equal(subscription.state, "unsubscribed");
        assert.deepEqual(await iterator.next(), { value: undefined, done: true });
    });

    test("a handler that throws is reported (code 19) and neither the subscription nor the client stops", async () => {
        const server = await fake();
        const rpc = client(server);
        await rpc.connect();
        const subscription = subscribeChannel<Event>(rpc, "a:one", schema().publication("tasks.events"), {
            onPublication: (event) => {
                if (event.id === 1) throw new Error("handler bug");
            },
        });
        await subscription.ready();
        const reported = errors(subscription, 1);
        const iterator = subscription[Symbol.asyncIterator]();
        server.push("a:one", { kind: "created", id: 1 });
        server.push("a:one", { kind: "created", id: 2 });
        const [error] = await reported;
        assert.deepEqual([error?.kind, error?.code], ["client", 19]);
        assert.match(error?.message ?? "", /handler bug/);
        assert.deepEqual((await iterator.next()).value, { kind: "created", id: 1 });
        assert.deepEqual((await iterator.next()).value, { kind: "created", id: 2 });
        assert.equal(rpc.connected, true);
    });
});

describe("recovery", () => {
    test("a channel with history subscribes positioned and recoverable, and resumes from the last offset", async () => {
        let subscribes = 0;
        const server = await fake((command) => {
            if (!("subscribe" in command)) return undefined;
            subscribes += 1;
            if (subscribes === 1) {
                return { reply: { subscribe: { recoverable: true, positioned: true, epoch: "e1", offset: 0 } } };
            }
            // The resubscription: Centrifugo sends what was missed with the reply.
            return {
                reply: {
                    subscribe: {
                        recoverable: true,
                        positioned: true,
                        epoch: "e1",
                        offset: 3,
                        was_recovering: true,
                        recovered: true,
                        publications: [{ data: { kind: "created", id: 3 }, offset: 3 }],
                    },
                },
            };
        });
        const rpc = client(server);
        await rpc.connect();
        let failures = 0;
        const subscription = subscribeChannel<Event>(
            rpc,
            "tasks:events#u1",
            schema().publication("tasks.events"),
            {
                onRecoveryFailed: () => failures++,
            },
            true,
        );
        const iterator = subscription[Symbol.asyncIterator]();
        await subscription.ready();
        const first = (await server.command(subscribeCommand("tasks:events#u1")))["subscribe"] as Json;
        assert.deepEqual([first["positioned"], first["recoverable"], first["recover"]], [true, true, undefined]);
        server.push("tasks:events#u1", { kind: "created", id: 1 }, 1);
        server.push("tasks:events#u1", { kind: "created", id: 2 }, 2);
        assert.deepEqual((await iterator.next()).value, { kind: "created", id: 1 });
        assert.deepEqual((await iterator.next()).value, { kind: "created", id: 2 });
        const resubscribed = reaches(subscription, "subscribing").then(() => reaches(subscription, "subscribed"));
        server.drop(3001, "shutdown");
        await resubscribed;
        const again = server.commands.filter(subscribeCommand("tasks:events#u1"))[1]?.["subscribe"] as Json;
        assert.deepEqual([again["recover"], again["epoch"], again["offset"]], [true, "e1", 2]);
        assert.deepEqual((await iterator.next()).value, { kind: "created", id: 3 });
        assert.equal(failures, 0);
    });

    test("a resubscription that could not recover is told to onRecoveryFailed before newer publications", async () => {
        let subscribes = 0;
        const server = await fake((command) => {
            if (!("subscribe" in command)) return undefined;
            subscribes += 1;
            const position = { recoverable: true, positioned: true, epoch: subscribes === 1 ? "e1" : "e2", offset: 0 };
            if (subscribes === 1) return { reply: { subscribe: position } };
            return { reply: { subscribe: { ...position, was_recovering: true, recovered: false } } };
        });
        const rpc = client(server);
        await rpc.connect();
        const seen: string[] = [];
        const subscription = subscribeChannel<Event>(
            rpc,
            "tasks:events#u1",
            schema().publication("tasks.events"),
            {
                onRecoveryFailed: () => seen.push("recovery failed"),
                onPublication: (event) => seen.push(`${event.kind} ${event.id}`),
            },
            true,
        );
        await subscription.ready();
        server.push("tasks:events#u1", { kind: "created", id: 1 }, 1);
        await server.command((command) => "subscribe" in command); // the first subscribe was answered
        const resubscribed = reaches(subscription, "subscribing").then(() => reaches(subscription, "subscribed"));
        server.drop(3001, "shutdown");
        await resubscribed;
        server.push("tasks:events#u1", { kind: "created", id: 9 }, 1);
        await new Promise<void>((resolve) => {
            const stop = subscription.onPublication(() => {
                stop();
                resolve();
            });
        });
        assert.deepEqual(seen, ["created 1", "recovery failed", "created 9"]);
    });
});

describe("publish", () => {
    test("publish() sends the publish command; a refusal rejects with the server's error", async () => {
        const server = await fake((command) => {
            const publish = command["publish"] as Json | undefined;
            if (publish !== undefined && publish["channel"] === "chat:room.2") {
                return { error: { code: 103, message: "permission denied" } };
            }
            return undefined;
        });
        const rpc = client(server);
        await assert.rejects(
            rpc.publish("chat:room.1", {}),
            (error: unknown) => error instanceof RPCError && error.kind === "disconnected",
        );
        await rpc.connect();
        await rpc.publish("chat:room.1", { kind: "said", text: "hi", at: 12345678901234567890n });
        const sent = (await server.command((command) => "publish" in command))["publish"] as Json;
        assert.equal(sent["channel"], "chat:room.1");
        const refused = await rpc.publish("chat:room.2", { kind: "said" }).then(
            () => assert.fail("published"),
            (error: unknown) => error,
        );
        assert.ok(refused instanceof RPCError);
        assert.deepEqual([refused.kind, refused.code, refused.message], ["server", 103, "permission denied"]);
        const aborted = new AbortController();
        aborted.abort(new Error("stop"));
        await assert.rejects(rpc.publish("chat:room.1", {}, { signal: aborted.signal }), /stop/);
        await assert.rejects(
            rpc.publish("chat:room.1", { text: "x".repeat(70_000) }),
            (error: unknown) => error instanceof RPCError && error.code === 15,
        );
    });
});

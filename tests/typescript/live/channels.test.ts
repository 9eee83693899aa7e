// Live tests of the typed channels of the TypeScript SDK generated from spec/examples/channels.rpc, against a real
// Centrifugo and the rpcc bridge serving python/examples/channel_handlers.py (`python -m tests.fixture run
// --channels`): publications sent from Python (publish.py, the channel objects' publish_sync) arrive typed; a lost
// connection recovers every publication it missed, in order, once; refusals are typed errors; a publication of the
// wrong shape (sent around the Python checks, through Centrifugo's server API) is reported and the subscription goes
// on. Nothing here waits for a fixed time: every wait is for an event, under the test runner's timeout.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { Socket, createServer } from "node:net";
import type { Server } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, describe, test } from "node:test";

import * as channels from "./channels/typescript/index.js";
import type { ChannelSubscription, SubscriptionState, TaskEvent } from "./channels/typescript/index.js";

function env(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run under \`python -m tests.fixture run --channels\``);
    return value;
}

const URL_ = env("CENTRIFUGO_URL");
const SECRET = env("CENTRIFUGO_TOKEN_SECRET");
const API_URL = env("CENTRIFUGO_API_URL");
const API_KEY = env("CENTRIFUGO_API_KEY");
const PYTHON = env("PYTHON");
// publish.py sits in tests/typescript/live of the repository; this file runs from build/typescript/live/dist.
const PUBLISH = fileURLToPath(new URL("../../../../tests/typescript/live/publish.py", import.meta.url));

function mintToken(user: string): string {
    const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600 })).toString(
        "base64url",
    );
    const signature = createHmac("sha256", SECRET).update(`${header}.${payload}`).digest("base64url");
    return `${header}.${payload}.${signature}`;
}

function newUser(label: string): string {
    return `ts-${label}-${randomUUID()}`;
}

const clients: channels.CentrifugoRPCClient[] = [];
after(() => {
    for (const client of clients) client.close();
});

/** A connected client of `user` (through `url` when given: the cuttable proxy). */
async function connect(
    user: string,
    url = URL_,
): Promise<{ client: channels.CentrifugoRPCClient; api: channels.APIClient }> {
    const client = new channels.CentrifugoRPCClient(url, mintToken(user), user, {
        timeout: 8000,
        centrifuge: { minReconnectDelay: 50, maxReconnectDelay: 200 },
    });
    clients.push(client);
    await client.connect();
    return { client, api: new channels.APIClient(client) };
}

/** Publishes from Python, as the application does (validated by the channel's Pydantic model). Returns offsets. */
async function publishFromPython(channel: string, params: object, publications: unknown[]): Promise<string[]> {
    const { stdout } = await promisify(execFile)(
        PYTHON,
        [PUBLISH, channel, JSON.stringify(params), JSON.stringify(publications)],
        { env: process.env, maxBuffer: 1 << 20 },
    );
    return stdout.split("\n").filter((line) => line !== "");
}

/** Publishes raw JSON through Centrifugo's server API, around every check of the Python side. */
async function publishRaw(channel: string, data: unknown): Promise<void> {
    const response = await fetch(`${API_URL}/publish`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-API-Key": API_KEY },
        body: JSON.stringify({ channel, data }),
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { error?: unknown };
    assert.equal(answer.error, undefined, JSON.stringify(answer));
}

/** The next `count` publications of `subscription`, through its async iterator. */
async function take<T>(subscription: ChannelSubscription<T>, count: number): Promise<T[]> {
    const received: T[] = [];
    if (count === 0) return received;
    for await (const publication of subscription) {
        received.push(publication);
        if (received.length === count) break;
    }
    return received;
}

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

/**
 * A TCP proxy to Centrifugo that the test can cut: `cut()` drops every connection through it and refuses new ones
 * until `restore()`; the client sees a lost connection and reconnects with backoff.
 */
async function cuttableProxy(target: URL): Promise<{ url: string; cut(): void; restore(): void; close(): void }> {
    const sockets = new Set<Socket>();
    let down = false;
    const server: Server = createServer((incoming) => {
        if (down) {
            incoming.destroy();
            return;
        }
        const outgoing = new Socket();
        outgoing.connect(Number(target.port), target.hostname);
        for (const socket of [incoming, outgoing]) {
            sockets.add(socket);
            socket.on("close", () => sockets.delete(socket));
            socket.on("error", () => socket.destroy());
        }
        incoming.pipe(outgoing).pipe(incoming);
        incoming.on("close", () => outgoing.destroy());
        outgoing.on("close", () => incoming.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    assert.ok(typeof address === "object" && address !== null);
    return {
        url: `ws://127.0.0.1:${address.port}${target.pathname}`,
        cut() {
            down = true;
            for (const socket of sockets) socket.destroy();
        },
        restore() {
            down = false;
        },
        close() {
            down = true;
            for (const socket of sockets) socket.destroy();
            server.close();
        },
    };
}

describe("typed channels, live", () => {
    test("a per-user channel: publications from Python arrive typed (a tagged union), in order", async () => {
        const user = newUser("events");
        const { api } = await connect(user);
        const events = api.subscribeTasksEvents({ userId: user });
        await events.ready();
        assert.equal(events.state, "subscribed");
        const offsets = await publishFromPython("task_events", { user_id: user }, [
            { kind: "created", task_id: 1, title: "write tests" },
            { kind: "status_changed", task_id: 1, status: "done" },
        ]);
        const received = await take(events, 2);
        assert.deepEqual(received, [
            { kind: "created", task_id: 1, title: "write tests" },
            { kind: "status_changed", task_id: 1, status: "done" },
        ]);
        const [first, second] = received;
        // Narrowed by the tag at compile time: a status change has a status, a creation a title.
        assert.ok(first?.kind === "created" && first.title === "write tests");
        assert.ok(second?.kind === "status_changed" && second.status === channels.TaskStatus.DONE);
        assert.equal(offsets.length, 2, "the channel keeps history: Centrifugo gave offsets");
        events.unsubscribe();
        assert.equal(events.state, "unsubscribed");
    });

    test("a room channel with a guard: Python and client publications arrive typed; the guard's refusals are typed", async () => {
        const alice = newUser("alice");
        const bob = newUser("bob");
        const a = await connect(alice);
        const b = await connect(bob);
        const room = b.api.subscribeChatRoom({ roomId: 5 });
        await room.ready();
        await publishFromPython("chat_room", { room_id: 5 }, [
            { author: "system", text: "welcome", sent_at: "2026-01-01T00:00:00Z" },
        ]);
        await a.api.publishChatRoom({ roomId: 5 }, { author: alice, text: "hi bob", sent_at: "2026-01-01T00:00:01Z" });
        const received = await take(room, 2);
        assert.deepEqual(
            received.map((message) => [message.author, message.text]),
            [
                ["system", "welcome"],
                [alice, "hi bob"],
            ],
        );
        // The publish guard: the author must be the publisher.
        const forged = await a.api
            .publishChatRoom({ roomId: 5 }, { author: bob, text: "forged", sent_at: "2026-01-01T00:00:02Z" })
            .then(
                () => assert.fail("published"),
                (error: unknown) => error,
            );
        assert.ok(forged instanceof channels.RPCError);
        assert.deepEqual([forged.kind, forged.code], ["server", 103]);
        // The subscribe guard: rooms from 1000 are private (103), ids below 1 do not exist (the guard's 1404).
        for (const [roomId, code] of [
            [1000, 103],
            [0, 1404],
        ] as const) {
            const refused = a.api.subscribeChatRoom({ roomId });
            const error = await refused.ready().then(
                () => assert.fail(`subscribed to room ${roomId}`),
                (thrown: unknown) => thrown,
            );
            assert.ok(error instanceof channels.RPCSubscriptionError, String(error));
            assert.deepEqual([error.code, error.channel, refused.state], [code, `chat:room.${roomId}`, "unsubscribed"]);
        }
        room.unsubscribe();
    });

    test("another user's channel is refused with a typed error; iterating it throws that error", async () => {
        const mallory = newUser("mallory");
        const victim = newUser("victim");
        const { api } = await connect(mallory);
        const errors: channels.RPCError[] = [];
        const events = api.subscribeTasksEvents({ userId: victim }, { onError: (error) => errors.push(error) });
        const thrown = await take(events, 1).then(
            () => assert.fail("received a publication of another user's channel"),
            (error: unknown) => error,
        );
        assert.ok(thrown instanceof channels.RPCSubscriptionError);
        assert.deepEqual([thrown.kind, thrown.code, thrown.channel], ["server", 103, `tasks:events#${victim}`]);
        assert.deepEqual(errors, [thrown]);
        assert.equal(events.error, thrown);
        // A parameter that would name another channel never leaves the client.
        assert.throws(
            () => api.subscribeTasksEvents({ userId: `${mallory},${victim}` }),
            (error: unknown) => error instanceof channels.RPCError && error.kind === "client" && error.code === 18,
        );
    });

    test("a publication of the wrong shape is reported to onError and the subscription goes on", async () => {
        const user = newUser("shape");
        const { api } = await connect(user);
        const reported: channels.RPCError[] = [];
        const events = api.subscribeTasksEvents({ userId: user }, { onError: (error) => reported.push(error) });
        await events.ready();
        const channel = `tasks:events#${user}`;
        await publishRaw(channel, { kind: "created", task_id: "not a number", title: "bad" });
        await publishRaw(channel, { kind: "archived", task_id: 2 });
        await publishFromPython("task_events", { user_id: user }, [{ kind: "created", task_id: 3, title: "good" }]);
        const [event] = await take(events, 1);
        assert.deepEqual(event, { kind: "created", task_id: 3, title: "good" });
        assert.equal(reported.length, 2);
        for (const error of reported) {
            assert.ok(error instanceof channels.RPCPublicationError);
            assert.deepEqual([error.kind, error.code, error.channel], ["reply", 17, channel]);
            assert.ok(error.offset !== undefined, "a publication of a channel with history has its offset");
        }
        assert.deepEqual(
            reported.map((error) => (error as channels.RPCPublicationError).data),
            [
                { kind: "created", task_id: "not a number", title: "bad" },
                { kind: "archived", task_id: 2 },
            ],
        );
        assert.equal(events.state, "subscribed");
        events.unsubscribe();
    });

    test("recovery: the connection drops, 200 publications are sent, it comes back: all of them, in order, once", async () => {
        const user = newUser("recovery");
        const proxy = await cuttableProxy(new URL(URL_));
        try {
            const { api } = await connect(user, proxy.url);
            let recoveryFailed = 0;
            const states: SubscriptionState[] = [];
            const events: ChannelSubscription<TaskEvent> = api.subscribeTasksEvents(
                { userId: user },
                { onRecoveryFailed: () => recoveryFailed++, onStateChange: (state) => states.push(state) },
            );
            await events.ready();
            await publishFromPython("task_events", { user_id: user }, [
                { kind: "created", task_id: 0, title: "before" },
            ]);
            assert.deepEqual(await take(events, 1), [{ kind: "created", task_id: 0, title: "before" }]);

            const lost = reaches(events, "subscribing");
            proxy.cut();
            await lost; // the client saw the connection go
            const sent = Array.from({ length: 200 }, (_, i) => ({
                kind: "created",
                task_id: i + 1,
                title: `t${i + 1}`,
            }));
            const offsets = await publishFromPython("task_events", { user_id: user }, sent);
            assert.equal(offsets.length, 200);
            assert.equal(events.state, "subscribing", "nothing can arrive while the connection is cut");
            const back = reaches(events, "subscribed");
            proxy.restore();
            await back;
            await publishFromPython("task_events", { user_id: user }, [
                { kind: "created", task_id: 201, title: "after" },
            ]);

            const received = await take(events, 201);
            const ids = received.map((event) => event.task_id);
            assert.deepEqual(
                ids,
                Array.from({ length: 201 }, (_, i) => i + 1),
            );
            assert.equal(recoveryFailed, 0);
            assert.deepEqual(states, ["subscribed", "subscribing", "subscribed"]);
            events.unsubscribe();
        } finally {
            proxy.close();
        }
    });

    test("a channel for every connected client, with history: typed, and recoverable", async () => {
        const { api } = await connect(newUser("news"));
        const feed = api.subscribeNewsFeed();
        await feed.ready();
        await publishFromPython("news_feed", {}, [{ id: 1, headline: "typed channels", url: null }]);
        const [item] = await take(feed, 1);
        assert.deepEqual(item, { id: 1, headline: "typed channels", url: null });
        feed.unsubscribe();
    });
});

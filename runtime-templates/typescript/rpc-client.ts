/**
 * The base client of rpcc's TypeScript SDKs: one connection to Centrifugo over the `centrifuge` SDK, and one
 * `call()` that the generated `APIClient` methods go through, over either of two transports:
 *
 * - `"rpc"` (default): Centrifugo's client RPC command, which Centrifugo proxies to the backend. One round trip;
 *   the user is the one Centrifugo authenticated.
 * - `"pubsub"`: the client subscribes to its personal channel `user#<userId>`, publishes
 *   `{method, params, correlation_id, reply_to}` to the request channel (default `rpc:requests`), and matches the
 *   replies `{correlation_id, result}` / `{correlation_id, error: {code, message}}` that arrive on its channel.
 *
 * Every failure is an {@link RPCError}; its `kind` tells server errors, timeouts and disconnects apart.
 * Works in browsers and on Node.js 20+ (where the optional `ws` package supplies the WebSocket).
 *
 * The connection comes back by itself after a network failure or a server disconnect that allows it (close codes
 * 3000..3499 and 4000..4499, a message the server found too big); after one that does not (3500..3999 and
 * 4500..4999, a refused token) calls fail at once with kind `"disconnected"` until `connect()` is called again.
 */
/// <reference lib="esnext.disposable" preserve="true" />
import { Centrifuge } from "centrifuge";
import type { Options as CentrifugeOptions, Subscription } from "centrifuge";

/** Options of {@link CentrifugoRPCClient}; every one has a default. */
export interface CentrifugoRPCClientOptions {
    /**
     * How calls reach the server: `"rpc"` (default) uses Centrifugo's RPC command; `"pubsub"` publishes to
     * `requestChannel` and waits for the reply on `user#<userId>`.
     */
    transport?: "rpc" | "pubsub";
    /** Milliseconds that `connect()` and each call may take before failing with a timeout. Default 10000. */
    timeout?: number;
    /** The channel requests are published to with the `"pubsub"` transport. Default `"rpc:requests"`. */
    requestChannel?: string;
    /**
     * The WebSocket constructor. Default: `globalThis.WebSocket`, or the `ws` package where there is none
     * (Node.js 20).
     */
    websocket?: unknown;
    /**
     * The largest WebSocket message, in bytes, that the server reads from a client: Centrifugo's
     * `websocket.message_size_limit`, 65536 unless its configuration says otherwise. A call whose request would not
     * fit is refused before it is sent, with an {@link RPCRequestTooLargeError}: Centrifugo would close the
     * connection and fail every call on it. The size counted is that of the whole command frame (method name,
     * envelope and, for `"pubsub"`, channel and correlation id), in UTF-8. `Infinity` turns the check off.
     * Default 65536.
     */
    maxMessageSize?: number;
    /**
     * Further options for the underlying `Centrifuge` client (reconnect delays, debug, name, `maxServerPingDelay`:
     * how long after the expected server ping a silent connection is taken for dead, ...).
     */
    centrifuge?: Partial<CentrifugeOptions>;
}

/** Options of one call. */
export interface CallOptions {
    /**
     * Cancels the call: it rejects at once with `signal.reason` (an `AbortError` unless you abort with another
     * reason), as `fetch` does, and its reply is ignored if it still comes. The server may have run the call.
     */
    signal?: AbortSignal;
    /** Milliseconds this call may take before it fails with a timeout. Default: the client's `timeout`. */
    timeout?: number;
}

/**
 * The one error type of the SDK. For `kind === "server"`, `code` and `message` are what the server sent
 * (application errors use codes 400..1999, Centrifugo's own 100..399). Otherwise `code` is a centrifuge-js client
 * error code: 1 timeout; 3 not connected; 4 closed by `close()`; 11 connection lost; 15 a request over the message
 * size limit (an {@link RPCRequestTooLargeError}); or, when the server refused or closed the connection, its
 * disconnect code (3000..4999, such as 3500 for an invalid token).
 */
export class RPCError extends Error {
    /** The error code (see the class description). */
    readonly code: number;
    /**
     * What went wrong: `"server"`: Centrifugo or the backend answered with an error; `"timeout"`: no answer in
     * time (the server may still have run the call); `"disconnected"`: the connection was closed or lost before
     * an answer, or the client is not connected; `"client"`: a local failure (configuration, token callback).
     */
    readonly kind: "server" | "timeout" | "disconnected" | "client";
    /** True when the server marked the error as temporary: the same call may succeed later. */
    readonly temporary: boolean;

    /**
     * @param options - `cause`: the error this one reports (a centrifuge-js error object, a thrown exception),
     *   kept as the standard `Error.cause` for logs and debugging
     */
    constructor(
        code: number,
        message: string,
        kind: "server" | "timeout" | "disconnected" | "client" = "server",
        temporary = false,
        options: { cause?: unknown } = {},
    ) {
        super(message, options);
        this.name = "RPCError";
        this.code = code;
        this.kind = kind;
        this.temporary = temporary;
    }

    /** True for a call that got no answer in time. */
    get isTimeout(): boolean {
        return this.kind === "timeout";
    }

    /** True for a call that failed because the connection was closed, lost, or never opened. */
    get isDisconnect(): boolean {
        return this.kind === "disconnected";
    }
}

// centrifuge-js client error codes (its `errorCodes`) that mean the connection is gone.
const CODE_TIMEOUT = 1;
const CODE_TRANSPORT_CLOSED = 2;
const CODE_CLIENT_DISCONNECTED = 3;
const CODE_CLIENT_CLOSED = 4;
const CODE_CONNECTION_CLOSED = 11;
const CODE_BAD_CONFIGURATION = 12;
// Ours, above centrifuge-js's codes (1..14): a request over the message size limit, refused before sending.
const CODE_REQUEST_TOO_LARGE = 15;
// centrifuge-js's `disconnectedCodes` for closes it does not retry although the server did not forbid it: a
// protocol error, and close code 1009 (a message the server found too big).
const DISCONNECTED_BAD_PROTOCOL = 2;
const DISCONNECTED_MESSAGE_SIZE_LIMIT = 3;
// centrifuge-js's `connectingCodes.connectCalled`: connecting because connect() was called.
const CONNECTING_CONNECT_CALLED = 0;
// Command ids are uint32: the widest id a command frame can carry, for a size that never underestimates.
const MAX_COMMAND_ID = 4294967295;
// Milliseconds centrifuge-js's own command timeout is given beyond a call's, so that the call's timer fires first.
const COMMAND_TIMEOUT_GRACE = 1000;
// Milliseconds before such a reconnect, doubling up to the maximum while connecting fails.
const MIN_RECONNECT_DELAY = 100;
const MAX_RECONNECT_DELAY = 10_000;
// transportClosed 2, clientDisconnected 3, clientClosed 4, transportWriteError 10, connectionClosed 11.
const DISCONNECT_CODES: ReadonlySet<number> = new Set([
    CODE_TRANSPORT_CLOSED,
    CODE_CLIENT_DISCONNECTED,
    CODE_CLIENT_CLOSED,
    10,
    CODE_CONNECTION_CLOSED,
]);

/**
 * A call refused by the client because its request is larger than the server accepts (`maxMessageSize`); nothing
 * was sent, and the connection and other calls are not affected. `kind` is `"client"`, `code` is 15.
 */
export class RPCRequestTooLargeError extends RPCError {
    /** The size of the request's command frame, in bytes (UTF-8). */
    readonly size: number;
    /** The client's `maxMessageSize`. */
    readonly limit: number;

    constructor(method: string, size: number, limit: number) {
        super(
            CODE_REQUEST_TOO_LARGE,
            `${method}: the request is ${size} bytes, more than the server's message size limit of ${limit} bytes`,
            "client",
        );
        this.name = "RPCRequestTooLargeError";
        this.size = size;
        this.limit = limit;
    }
}

/** Centrifugo's default `websocket.message_size_limit`: the largest WebSocket message it reads from a client. */
export const DEFAULT_MAX_MESSAGE_SIZE = 65536;

/** Turns whatever a centrifuge-js promise rejected with (`{code, message, temporary}`) into an RPCError. */
function toRPCError(error: unknown, context: string): RPCError {
    if (error instanceof RPCError) return error;
    if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "number") {
        const message = "message" in error && typeof error.message === "string" ? error.message : "error";
        const temporary = "temporary" in error && error.temporary === true;
        const cause = { cause: error };
        if (error.code === CODE_TIMEOUT)
            return new RPCError(error.code, `${context}: timeout`, "timeout", false, cause);
        if (DISCONNECT_CODES.has(error.code)) {
            return new RPCError(error.code, `${context}: ${message}`, "disconnected", false, cause);
        }
        if (error.code >= 100) return new RPCError(error.code, message, "server", temporary, cause);
        return new RPCError(error.code, `${context}: ${message}`, "client", false, cause);
    }
    const text = error instanceof Error ? error.message : String(error);
    return new RPCError(0, `${context}: ${text}`, "client", false, { cause: error });
}

/**
 * Whether the client should connect again after centrifuge-js stopped with this `disconnected` code: the close
 * codes the server uses for "come back" (3000..3499, 4000..4499; "stay away" is 3500..3999 and 4500..4999), and
 * centrifuge-js's own stops that the server did not ask for. Never after `disconnect()` (0) or a refused token (1).
 */
function mayReconnect(code: number): boolean {
    if (code === DISCONNECTED_BAD_PROTOCOL || code === DISCONNECTED_MESSAGE_SIZE_LIMIT) return true;
    return (code >= 3000 && code < 3500) || (code >= 4000 && code < 4500);
}

/** The number of bytes of `text` in UTF-8 (a surrogate pair is 4 bytes; JSON text has no lone surrogates). */
function utf8Length(text: string): number {
    let length = text.length;
    for (let i = 0; i < text.length; i++) {
        const unit = text.charCodeAt(i);
        if (unit >= 0x800) length += unit >= 0xd800 && unit <= 0xdfff ? 1 : 2;
        else if (unit >= 0x80) length += 1;
    }
    return length;
}

/**
 * The size in bytes of the WebSocket message centrifuge-js sends for `command` (`JSON.stringify` of
 * `{id, ...command}`, one command a frame: this client never batches), counted with the widest id.
 */
function frameSize(command: object, method: string): number {
    let text: string;
    try {
        text = JSON.stringify({ id: MAX_COMMAND_ID, ...command });
    } catch (error) {
        throw new RPCError(0, `${method}: cannot encode the request: ${String(error)}`, "client");
    }
    return utf8Length(text);
}

/** A random RFC 4122 version 4 UUID from the platform's cryptographic generator. */
function newCorrelationId(): string {
    const cryptoApi = (globalThis as { crypto?: Crypto }).crypto;
    if (cryptoApi === undefined) {
        throw new RPCError(CODE_BAD_CONFIGURATION, "no crypto API: cannot make correlation ids", "client");
    }
    if (typeof cryptoApi.randomUUID === "function") return cryptoApi.randomUUID();
    // Browsers offer randomUUID only in secure contexts; getRandomValues is everywhere.
    const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The WebSocket constructor to use: the one given, the platform's, or the `ws` package's (Node.js 20). `ws` is
 * loaded only when there is no global WebSocket, through a specifier bundlers leave alone, so browser bundles
 * never include it.
 */
async function resolveWebSocket(given: unknown): Promise<unknown> {
    if (given !== undefined) return given;
    const platform = (globalThis as { WebSocket?: unknown }).WebSocket;
    if (platform !== undefined) return platform;
    const specifier = "ws";
    try {
        const module = (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as {
            WebSocket?: unknown;
            default?: unknown;
        };
        const constructor = module.WebSocket ?? module.default;
        if (constructor !== undefined) return constructor;
    } catch {
        // reported below
    }
    throw new RPCError(
        CODE_BAD_CONFIGURATION,
        "no WebSocket implementation: install the `ws` package or pass options.websocket",
        "client",
    );
}

interface PendingCall {
    resolve: (result: unknown) => void;
    reject: (error: unknown) => void;
    timer: ReturnType<typeof setTimeout>;
    release: () => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A connection to Centrifugo that typed SDK methods call through.
 *
 * ```ts
 * await using client = new CentrifugoRPCClient("ws://localhost:8000/connection/websocket", token);
 * await client.connect();
 * const api = new APIClient(client);
 * ```
 *
 * The `"pubsub"` transport also needs the user id: `new CentrifugoRPCClient(url, token, "123", { transport: "pubsub" })`.
 */
export class CentrifugoRPCClient implements AsyncDisposable {
    /** The Centrifugo WebSocket endpoint, `ws://host:8000/connection/websocket`. */
    readonly url: string;
    /** The user the token belongs to, when given; the `"pubsub"` transport receives replies on `user#<userId>`. */
    readonly userId: string | undefined;
    /** The transport calls use. */
    readonly transport: "rpc" | "pubsub";
    /** Milliseconds that `connect()` and each call may take. */
    readonly timeout: number;
    /** The channel `"pubsub"` requests are published to. */
    readonly requestChannel: string;
    /** The channel `"pubsub"` replies arrive on: `user#<userId>` (undefined without a user id). */
    readonly replyChannel: string | undefined;
    /** The largest request, in bytes, that calls may send (see `CentrifugoRPCClientOptions.maxMessageSize`). */
    readonly maxMessageSize: number;

    readonly #token: string | (() => Promise<string>);
    readonly #websocket: unknown;
    readonly #centrifugeOptions: Partial<CentrifugeOptions>;
    #centrifuge: Centrifuge | null = null;
    #subscription: Subscription | null = null;
    readonly #pending = new Map<string, PendingCall>();
    // Set when the server closed the connection and asked the client not to come back: calls fail with it at once.
    #stopped: RPCError | null = null;
    // A reconnect after a close that centrifuge-js does not retry by itself, and the delay before the next one.
    #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
    #reconnectDelay = MIN_RECONNECT_DELAY;

    /**
     * @param url - the Centrifugo WebSocket endpoint, `ws://host:8000/connection/websocket`
     * @param token - a connection JWT, or a function that fetches a fresh one (called when one is needed)
     * @param options - transport, timeout and connection options (the `"pubsub"` transport needs a user id:
     *   use the other signature)
     */
    constructor(url: string, token: string | (() => Promise<string>), options?: CentrifugoRPCClientOptions);
    /**
     * @param url - the Centrifugo WebSocket endpoint, `ws://host:8000/connection/websocket`
     * @param token - a connection JWT, or a function that fetches a fresh one (called when one is needed)
     * @param userId - the user the token belongs to (its `sub` claim): the `"pubsub"` transport receives its
     *   replies on `user#<userId>`; the `"rpc"` transport does not use it
     * @param options - transport, timeout and connection options
     */
    constructor(
        url: string,
        token: string | (() => Promise<string>),
        userId: string,
        options?: CentrifugoRPCClientOptions,
    );
    constructor(
        url: string,
        token: string | (() => Promise<string>),
        userIdOrOptions?: string | CentrifugoRPCClientOptions,
        maybeOptions: CentrifugoRPCClientOptions = {},
    ) {
        const userId = typeof userIdOrOptions === "string" ? userIdOrOptions : undefined;
        const options = typeof userIdOrOptions === "object" ? userIdOrOptions : maybeOptions;
        const timeout = options.timeout ?? 10_000;
        if (!(timeout > 0) || !Number.isFinite(timeout)) {
            throw new RPCError(CODE_BAD_CONFIGURATION, `timeout must be a positive number, not ${timeout}`, "client");
        }
        this.url = url;
        this.#token = token;
        this.userId = userId;
        this.transport = options.transport ?? "rpc";
        this.timeout = timeout;
        this.requestChannel = options.requestChannel ?? "rpc:requests";
        this.replyChannel = userId === undefined ? undefined : `user#${userId}`;
        if (this.transport === "pubsub" && userId === undefined) {
            throw new RPCError(
                CODE_BAD_CONFIGURATION,
                'the "pubsub" transport needs the user id: new CentrifugoRPCClient(url, token, userId, options)',
                "client",
            );
        }
        const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
        if (!(maxMessageSize > 0)) {
            throw new RPCError(
                CODE_BAD_CONFIGURATION,
                `maxMessageSize must be a positive number, not ${maxMessageSize}`,
                "client",
            );
        }
        this.maxMessageSize = maxMessageSize;
        this.#websocket = options.websocket;
        this.#centrifugeOptions = options.centrifuge ?? {};
    }

    /** The number of calls waiting for their answer (a call that settled, however, is no longer counted). */
    get pendingCalls(): number {
        return this.#pending.size;
    }

    /** True while the connection is up (it reconnects by itself after a network failure). */
    get connected(): boolean {
        return this.#centrifuge !== null && this.#centrifuge.state === "connected";
    }

    /**
     * Opens the connection (and, for `"pubsub"`, subscribes to the reply channel). Resolves once calls can be
     * made; rejects with an RPCError (and leaves the client closed) when that does not happen within `timeout`
     * or the server refuses the connection. After a network failure the connection is re-established
     * automatically; calls in flight then fail with `kind === "disconnected"`. After the server closed the
     * connection for good (close codes 3500..3999 and 4500..4999), `connect()` connects again.
     */
    async connect(): Promise<void> {
        if (this.#centrifuge !== null) {
            if (this.#centrifuge.state === "disconnected") this.#reconnect(this.#centrifuge, 0);
            await this.#whenReady(this.#centrifuge, this.#subscription);
            return;
        }
        const websocket = await resolveWebSocket(this.#websocket);
        const token = this.#token;
        const centrifuge = new Centrifuge(this.url, {
            ...this.#centrifugeOptions,
            ...(typeof token === "string" ? { token } : { getToken: () => token() }),
            websocket,
            timeout: this.timeout,
        });
        // Why connecting failed, when the server said (a refused token, a refused subscription).
        const refusal: { error: RPCError | null } = { error: null };
        // Whether connect() succeeded: only from then on does the client reconnect after centrifuge-js gave up.
        const established = { value: false };
        centrifuge.on("disconnected", (context) => {
            // Codes from 3000 are the server's disconnect codes; below, centrifuge-js's own reasons.
            const code = context.code >= 3000 ? context.code : CODE_CLIENT_DISCONNECTED;
            const error = new RPCError(code, `disconnected: ${context.reason}`, "disconnected");
            refusal.error = error;
            this.#failPending(error);
            if (this.#centrifuge !== centrifuge || !established.value) return; // connect() reports it
            // centrifuge-js stays disconnected now: connect again unless the server said not to.
            if (mayReconnect(context.code)) this.#reconnect(centrifuge, this.#reconnectDelay);
            else this.#stopped = error;
        });
        centrifuge.on("connected", () => {
            this.#reconnectDelay = MIN_RECONNECT_DELAY;
        });
        centrifuge.on("connecting", (context) => {
            // The transport went away: a reply sent while it is down is lost, so nothing in flight can finish.
            // Not so for a connect() of a disconnected client: the calls made meanwhile were never sent.
            if (context.code === CONNECTING_CONNECT_CALLED) return;
            this.#failPending(
                new RPCError(CODE_CONNECTION_CLOSED, `connection lost: ${context.reason}`, "disconnected"),
            );
        });
        // A transport that closed before it opened (nothing listens there, the handshake was refused): connect()
        // fails at once with a connection error instead of at its timeout while centrifuge-js retries.
        let unreachable: (error: RPCError) => void = () => {};
        const failed = new Promise<never>((_resolve, reject) => {
            unreachable = reject;
        });
        centrifuge.on("error", (context) => {
            if (established.value || context.type !== "transport") return;
            unreachable(
                new RPCError(
                    CODE_TRANSPORT_CLOSED,
                    `connect: cannot reach ${this.url}: ${context.error.message}`,
                    "disconnected",
                    false,
                    { cause: context.error },
                ),
            );
        });
        let subscription: Subscription | null = null;
        const replyChannel = this.replyChannel;
        if (this.transport === "pubsub" && replyChannel !== undefined) {
            subscription = centrifuge.newSubscription(replyChannel);
            subscription.on("publication", (context) => this.#onReply(context.data));
            subscription.on("subscribing", (context) => {
                this.#failPending(
                    new RPCError(CODE_CONNECTION_CLOSED, `reply channel lost: ${context.reason}`, "disconnected"),
                );
            });
            subscription.on("unsubscribed", (context) => {
                // Codes from 100 are the server's refusal (103 permission denied); below, the client's own.
                if (context.code >= 100) refusal.error = new RPCError(context.code, context.reason, "server");
                this.#failPending(
                    new RPCError(CODE_CONNECTION_CLOSED, `reply channel closed: ${context.reason}`, "disconnected"),
                );
            });
            subscription.on("error", (context) => {
                refusal.error = toRPCError(context.error, `subscribe to ${replyChannel}`);
            });
            subscription.subscribe();
        }
        this.#centrifuge = centrifuge;
        this.#subscription = subscription;
        centrifuge.connect();
        try {
            await Promise.race([this.#whenReady(centrifuge, subscription), failed]);
        } catch (error) {
            this.#shutdown(centrifuge, subscription);
            throw refusal.error ?? toRPCError(error, "connect");
        }
        established.value = true;
    }

    /** Closes the connection. Calls still waiting fail with `kind === "disconnected"`. Safe to call twice. */
    close(): void {
        const centrifuge = this.#centrifuge;
        if (centrifuge === null) return;
        this.#shutdown(centrifuge, this.#subscription);
    }

    /** The same as {@link close}, under the name centrifuge-js and the replaced generator use. */
    disconnect(): void {
        this.close();
    }

    /** {@link close}, for `await using client = new CentrifugoRPCClient(...)`: closed when the block is left. */
    async [Symbol.asyncDispose](): Promise<void> {
        this.close();
    }

    /**
     * Calls `method` with `params` and resolves with the server's result (not validated at run time: the typed
     * `APIClient` methods give it its type). Rejects with an {@link RPCError}, or with `options.signal`'s reason
     * when that signal aborts the call.
     */
    async call<Result>(method: string, params: object, options: CallOptions = {}): Promise<Result> {
        const centrifuge = this.#centrifuge;
        if (centrifuge === null) {
            throw new RPCError(
                CODE_CLIENT_DISCONNECTED,
                `${method}: not connected (call connect() first)`,
                "disconnected",
            );
        }
        const stopped = this.#stopped;
        if (stopped !== null) {
            throw new RPCError(stopped.code, `${method}: ${stopped.message} (call connect() again)`, "disconnected");
        }
        const timeout = options.timeout ?? this.timeout;
        if (!(timeout > 0) || !Number.isFinite(timeout)) {
            throw new RPCError(CODE_BAD_CONFIGURATION, `timeout must be a positive number, not ${timeout}`, "client");
        }
        const signal = options.signal;
        signal?.throwIfAborted();
        const subscription = this.#subscription;
        const correlationId = newCorrelationId();
        const request = { method, params, correlation_id: correlationId, reply_to: this.replyChannel };
        // Centrifugo closes the connection on a message over its limit, failing every call on it: refuse this one.
        const size =
            subscription === null
                ? frameSize({ rpc: { method, data: params } }, method)
                : frameSize({ publish: { channel: this.requestChannel, data: request } }, method);
        if (size > this.maxMessageSize) throw new RPCRequestTooLargeError(method, size, this.maxMessageSize);
        return new Promise<Result>((resolve, reject) => {
            const timer = setTimeout(() => {
                this.#take(correlationId)?.reject(
                    new RPCError(CODE_TIMEOUT, `${method}: no answer within ${timeout} ms`, "timeout"),
                );
            }, timeout);
            const onAbort = (): void => this.#take(correlationId)?.reject(signal?.reason);
            signal?.addEventListener("abort", onAbort, { once: true });
            const release = (): void => signal?.removeEventListener("abort", onAbort);
            // Registered before sending: a pubsub reply may arrive before the publish acknowledgement.
            this.#pending.set(correlationId, { resolve: resolve as (result: unknown) => void, reject, timer, release });
            if (subscription === null) {
                this.#command(centrifuge, timeout, () => centrifuge.rpc(method, params)).then(
                    (reply) => this.#take(correlationId)?.resolve(reply.data),
                    (error: unknown) => this.#take(correlationId)?.reject(toRPCError(error, method)),
                );
            } else {
                subscription
                    .ready(timeout)
                    .then(() =>
                        this.#command(centrifuge, timeout, () => centrifuge.publish(this.requestChannel, request)),
                    )
                    .catch((error: unknown) => this.#take(correlationId)?.reject(toRPCError(error, method)));
            }
        });
    }

    /**
     * Sends a centrifuge-js command that may take up to `timeout` ms. centrifuge-js fails every command at its own
     * `timeout` option, read when it registers the command (in the microtasks after `send()` starts, once
     * connected): left alone, that would cap a longer per-call timeout at the client's. So it is raised past
     * `timeout` for those microtasks and set back in the next task; the call's own timer enforces `timeout`.
     */
    async #command<T>(centrifuge: Centrifuge, timeout: number, send: () => Promise<T>): Promise<T> {
        if (centrifuge.state !== "connected") {
            // Reconnecting (by centrifuge-js or by this client after a close it does not retry): wait for it here,
            // where the wait is this call's, not centrifuge-js's.
            await new Promise<void>((resolve, reject) => {
                const onConnected = (): void => {
                    clearTimeout(timer);
                    resolve();
                };
                const timer = setTimeout(() => {
                    centrifuge.off("connected", onConnected);
                    reject({ code: CODE_TIMEOUT, message: "timeout" });
                }, timeout);
                centrifuge.once("connected", onConnected);
            });
        }
        const config = (centrifuge as unknown as { _config?: { timeout?: unknown } })._config;
        const needed = timeout + COMMAND_TIMEOUT_GRACE;
        if (config !== undefined && typeof config.timeout === "number" && config.timeout < needed) {
            config.timeout = needed;
            setTimeout(() => {
                config.timeout = this.timeout;
            }, 0);
        }
        return send();
    }

    async #whenReady(centrifuge: Centrifuge, subscription: Subscription | null): Promise<void> {
        await centrifuge.ready(this.timeout);
        if (subscription !== null) await subscription.ready(this.timeout);
    }

    /**
     * Connects `centrifuge` again, now or after `delay` ms (centrifuge-js then subscribes to the reply channel
     * again). Calls made meanwhile wait for the connection up to their timeout.
     */
    #reconnect(centrifuge: Centrifuge, delay: number): void {
        this.#stopped = null;
        if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
        this.#reconnectTimer = null;
        if (delay === 0) {
            centrifuge.connect();
            return;
        }
        this.#reconnectDelay = Math.min(delay * 2, MAX_RECONNECT_DELAY);
        this.#reconnectTimer = setTimeout(() => {
            this.#reconnectTimer = null;
            if (this.#centrifuge === centrifuge && centrifuge.state === "disconnected") centrifuge.connect();
        }, delay);
    }

    #shutdown(centrifuge: Centrifuge, subscription: Subscription | null): void {
        this.#centrifuge = null;
        this.#subscription = null;
        this.#stopped = null;
        if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
        this.#reconnectTimer = null;
        this.#failPending(new RPCError(CODE_CLIENT_CLOSED, "client closed", "disconnected"));
        if (subscription !== null) {
            subscription.removeAllListeners();
            subscription.unsubscribe();
            centrifuge.removeSubscription(subscription);
        }
        centrifuge.removeAllListeners();
        centrifuge.disconnect();
    }

    /** Removes a pending call and stops its timer; undefined if it already finished. */
    #take(correlationId: string): PendingCall | undefined {
        const pending = this.#pending.get(correlationId);
        if (pending === undefined) return undefined;
        this.#pending.delete(correlationId);
        clearTimeout(pending.timer);
        pending.release();
        return pending;
    }

    #failPending(error: RPCError): void {
        for (const correlationId of [...this.#pending.keys()]) this.#take(correlationId)?.reject(error);
    }

    /** A publication on the reply channel. Replies to other clients of the same user are not ours: ignored. */
    #onReply(data: unknown): void {
        if (!isRecord(data) || typeof data["correlation_id"] !== "string") return;
        const pending = this.#take(data["correlation_id"]);
        if (pending === undefined) return;
        const error = data["error"];
        if (isRecord(error)) {
            const code = typeof error["code"] === "number" ? error["code"] : 0;
            const message = typeof error["message"] === "string" ? error["message"] : "malformed error reply";
            pending.reject(new RPCError(code, message, "server"));
        } else if ("result" in data) {
            pending.resolve(data["result"]);
        } else {
            pending.reject(new RPCError(0, "malformed reply: neither result nor error", "server"));
        }
    }
}

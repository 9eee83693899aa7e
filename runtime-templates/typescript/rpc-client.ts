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
 * Every failure is an {@link RPCError}; its `kind` tells server errors, timeouts, disconnects and results that do
 * not fit the API apart. The connection's JSON codec keeps every digit of an integer (see {@link parseJson}), and
 * the typed methods check each result against the generated schema ({@link Schema}).
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
 * size limit (an {@link RPCRequestTooLargeError}); 16 a result and 17 a channel publication that do not fit the API;
 * 18 a channel parameter refused; 19 a publication handler that threw; or, when the server refused or closed the
 * connection, its disconnect code (3000..4999, such as 3500 for an invalid token).
 */
export class RPCError extends Error {
    /** The error code (see the class description). */
    readonly code: number;
    /**
     * What went wrong: `"server"`: Centrifugo or the backend answered with an error; `"timeout"`: no answer in
     * time (the server may still have run the call); `"disconnected"`: the connection was closed or lost before
     * an answer, or the client is not connected; `"client"`: a local failure (configuration, token callback);
     * `"reply"`: the server answered with a result that does not have the declared shape (an
     * {@link RPCReplyError}), or sent a channel publication that does not (an {@link RPCPublicationError}, code 17:
     * reported, and the subscription goes on).
     */
    readonly kind: "server" | "timeout" | "disconnected" | "client" | "reply";
    /** True when the server marked the error as temporary: the same call may succeed later. */
    readonly temporary: boolean;

    /**
     * @param options - `cause`: the error this one reports (a centrifuge-js error object, a thrown exception),
     *   kept as the standard `Error.cause` for logs and debugging
     */
    constructor(
        code: number,
        message: string,
        kind: "server" | "timeout" | "disconnected" | "client" | "reply" = "server",
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
// Ours, above centrifuge-js's codes (1..14): a request over the message size limit, refused before sending; a
// result that does not have the declared shape.
const CODE_REQUEST_TOO_LARGE = 15;
const CODE_BAD_REPLY = 16;
// Also ours: a channel publication that does not have the declared shape; a channel parameter refused (or a second
// subscription to one channel); a publication handler that threw.
const CODE_BAD_PUBLICATION = 17;
const CODE_BAD_CHANNEL = 18;
const CODE_HANDLER_FAILED = 19;
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

/**
 * A result that does not have the shape the API declares (see {@link Schema} for what is checked): a missing
 * field, a JSON type that does not fit, an integer that JavaScript cannot hold exactly. `kind` is `"reply"`,
 * `code` is 16. The server did run the call.
 */
export class RPCReplyError extends RPCError {
    /** Where in the result, as `$.field[index].field`. */
    readonly path: string;

    constructor(method: string, path: string, problem: string) {
        super(CODE_BAD_REPLY, `${method}: the result does not fit the API at ${path}: ${problem}`, "reply");
        this.name = "RPCReplyError";
        this.path = path;
    }
}

// The codes the rpcc bridge refuses a call with when the client's contract hash differs from its own (412), or
// names a contract older than its own (426): spec/evolution.md, "Comparing hashes at run time".
const CODE_CONTRACT_MISMATCH = 412;
const CODE_CONTRACT_OLDER = 426;
// The member of an `rpc` call's params that carries the client's contract hash (the bridge takes it out).
const CONTRACT_FIELD = "$contract";

/**
 * The server refused the call because the client was generated from another version of its contract (the
 * contract hashes differ) and it is configured to refuse such calls: regenerate the client from the server's
 * current file (`rpcc --breaking-against` tells what changed). `older` is true (code 426) when the client's
 * contract is older than the server's, false (code 412) when it only differs. `kind` is `"server"`.
 */
export class RPCContractError extends RPCError {
    /** True when the server knows the client's contract as an older one of its own (or the client sent none). */
    readonly older: boolean;

    constructor(code: number, message: string, options: { cause?: unknown } = {}) {
        super(code, message, "server", false, options);
        this.name = "RPCContractError";
        this.older = code === CODE_CONTRACT_OLDER;
    }
}

/** The RPCError of an error the server answered: the contract refusals are {@link RPCContractError}s. */
function serverError(code: number, message: string, temporary: boolean, options: { cause?: unknown } = {}): RPCError {
    if (code === CODE_CONTRACT_MISMATCH || code === CODE_CONTRACT_OLDER)
        return new RPCContractError(code, message, options);
    return new RPCError(code, message, "server", temporary, options);
}

declare const unknownEnumValue: unique symbol;

/**
 * A value of an enum that this SDK does not know: the server's API gained a member after the SDK was generated.
 * Enums are open: such a value in a result is kept as received (a string or number, as on the wire), can be sent
 * back unchanged, and only a received value has this type, so a literal typo does not compile. The generated
 * `is<Enum>(value)` guard tells a known value from an unknown one.
 */
export type UnknownEnumValue<T extends string | number> = T & { readonly [unknownEnumValue]: true };

/** Centrifugo's default `websocket.message_size_limit`: the largest WebSocket message it reads from a client. */
export const DEFAULT_MAX_MESSAGE_SIZE = 65536;

/** The most calls {@link CentrifugoRPCClient.batch} sends in one message unless told otherwise. */
export const DEFAULT_MAX_BATCH = 100;

/** Each entry of a batch: the call's result, or the {@link RPCError} that call alone failed with. */
export type BatchResults<T extends readonly unknown[]> = { -readonly [K in keyof T]: Awaited<T[K]> | RPCError };

// The call hooks (issue 18), up to "End of the call hooks". The client knows nothing of them: setCallHook replaces a
// client's `call` with one that runs the hook around the original, so an app that sets no hook bundles none of this
// (tests/browser/treeshake.mjs cuts the block out and checks that such an app's bundle does not grow by a byte).

/**
 * The member of a call's params that carries its W3C trace context, `{traceparent, tracestate}`, added only when a
 * hook filled `CallInfo.traceContext`: over `"rpc"` a field of the call data (the RPC proxy passes only `data`
 * through), over `"pubsub"` a field of the request's `params`. The rpcc bridge removes it before validating them.
 */
export const TRACE_FIELD = "$trace";

/**
 * One call as a {@link CallHook} sees it. Set before `callStarted`: `method`, `transport`; a hook may fill
 * `traceContext` (W3C `traceparent`, `tracestate`), which then travels with the request, and keep its own state in
 * `state`. Set before `callFinished`: `requestSize` (bytes of the request's command frame, 0 when the call failed
 * before it was built), `responseSize` (bytes of the result's JSON, 0 when none came), `duration` (milliseconds),
 * `error` (undefined on success) and `errorKind`: `"timeout"`, `"disconnected"`, `"request_too_large"`,
 * `"application"` (a handler's code, 400..1999), `"server"` (Centrifugo's own codes), `"bad_reply"` (a result
 * that does not fit the API), `"client"`, `"cancelled"` (the signal aborted it) or `"other"`.
 */
export interface CallInfo {
    readonly method: string;
    readonly transport: "rpc" | "pubsub";
    traceContext: Record<string, string>;
    state: unknown;
    requestSize: number;
    responseSize: number;
    duration: number;
    error: unknown;
    errorKind: string;
}

/**
 * Called around every call of a client given to {@link setCallHook}. An exception thrown by a hook rejects the
 * call. `openTelemetryHook()` of `rpc-telemetry.ts` (the package's `./telemetry` entry) is the ready OpenTelemetry
 * instrumentation.
 */
export interface CallHook {
    /** Before the request is built: fill `call.traceContext` to propagate a trace. */
    callStarted?(call: CallInfo): void;
    /** After the call resolved or rejected: sizes, duration and outcome are set. */
    callFinished?(call: CallInfo): void;
}

/** The `CallInfo.errorKind` of what a call rejected with. */
export function errorKind(error: unknown): string {
    if (error instanceof RPCRequestTooLargeError) return "request_too_large";
    if (error instanceof RPCError) {
        if (error.kind === "server") return error.code >= 400 && error.code <= 1999 ? "application" : "server";
        return error.kind === "reply" ? "bad_reply" : error.kind;
    }
    if (error instanceof Error && error.name === "AbortError") return "cancelled";
    return "other";
}

// The clients' own `call` methods, kept by setCallHook when it first replaces one.
const unhookedCalls = new WeakMap<CentrifugoRPCClient, CentrifugoRPCClient["call"]>();

/**
 * Calls `hook` around every call of `client` (its `call`, so every typed method of an `APIClient` built on it);
 * `undefined` removes the hook, and a second hook replaces the first. One-way `send()` calls and publications are
 * not hooked. `openTelemetryHook()` of the `./telemetry` entry is the ready OpenTelemetry hook:
 *
 * ```ts
 * setCallHook(client, openTelemetryHook());
 * ```
 */
export function setCallHook(client: CentrifugoRPCClient, hook: CallHook | undefined): void {
    let unhooked = unhookedCalls.get(client);
    if (unhooked === undefined) {
        unhooked = client.call;
        unhookedCalls.set(client, unhooked);
    }
    const run = unhooked;
    client.call =
        hook === undefined
            ? run
            : <Result>(method: string, params: object, options: CallOptions = {}, check?: ResultCheck) =>
                  hookedCall<Result>(client, run, hook, method, params, options, check);
}

/**
 * One call of `client` through its own `call` (`run`) with `hook` around it. `run` starts at once (not after an
 * await), so that a call made inside `batch()` joins the batch.
 */
function hookedCall<Result>(
    client: CentrifugoRPCClient,
    run: CentrifugoRPCClient["call"],
    hook: CallHook,
    method: string,
    params: object,
    options: CallOptions,
    check: ResultCheck | undefined,
): Promise<Result> {
    const info: CallInfo = {
        method,
        transport: client.transport,
        traceContext: {},
        state: undefined,
        requestSize: 0,
        responseSize: 0,
        duration: 0,
        error: undefined,
        errorKind: "",
    };
    try {
        hook.callStarted?.(info);
    } catch (error) {
        return Promise.reject(error);
    }
    const start = performance.now();
    const sent = Object.keys(info.traceContext).length > 0 ? { ...params, [TRACE_FIELD]: info.traceContext } : params;
    const pending = client.pendingCalls;
    // Unchecked: the result's size is that of the JSON received; observe() checks it.
    const outcome = run.call(client, method, sent, options);
    // The client registers a call in this same turn once its request is built and fits: it is being sent.
    if (client.pendingCalls > pending) info.requestSize = requestSize(client, method, sent);
    return observe(hook, info, start, method, outcome, check);
}

/** The rest of {@link hookedCall}: the outcome, its check, and the hook's `callFinished`. */
async function observe<Result>(
    hook: CallHook,
    info: CallInfo,
    start: number,
    method: string,
    outcome: Promise<unknown>,
    check: ResultCheck | undefined,
): Promise<Result> {
    try {
        const received = await outcome;
        info.responseSize = utf8Length(stringifyJson(received));
        const result = check === undefined ? received : checkedResult(method, check, received);
        info.duration = performance.now() - start;
        hook.callFinished?.(info);
        return result as Result;
    } catch (error) {
        info.duration = performance.now() - start;
        if (info.requestSize === 0 && error instanceof RPCRequestTooLargeError) info.requestSize = error.size;
        info.error = error;
        info.errorKind = errorKind(error);
        hook.callFinished?.(info);
        throw error;
    }
}

/** `result` checked against the API as the client checks it, or the {@link RPCReplyError} it does not fit with. */
function checkedResult(method: string, check: ResultCheck, result: unknown): unknown {
    try {
        return conform(check.schema, check.shape as Shape, result, "$");
    } catch (error) {
        if (!(error instanceof Mismatch)) throw error;
        throw new RPCReplyError(method, error.path, error.problem);
    }
}

// The length of the client's correlation ids (RFC 4122 UUIDs).
const CORRELATION_ID_SIZED = "00000000-0000-0000-0000-000000000000";

/**
 * The size of the command frame `client.call` sends for `params`, its command id counted at the widest: the frame is
 * built as `call` builds it (tests/rpc-client.test.ts compares the two over both transports).
 */
function requestSize(client: CentrifugoRPCClient, method: string, params: object): number {
    const contract = client.contractHash;
    if (client.transport === "rpc") {
        const data = contract === undefined ? params : { ...params, [CONTRACT_FIELD]: contract };
        return frameSize({ rpc: { method, data } }, method);
    }
    const request = {
        method,
        params,
        correlation_id: CORRELATION_ID_SIZED,
        reply_to: client.replyChannel,
        contract,
    };
    return frameSize({ publish: { channel: client.requestChannel, data: request } }, method);
}

// End of the call hooks.

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
        if (error.code >= 100) return serverError(error.code, message, temporary, cause);
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
        text = stringifyJson({ id: MAX_COMMAND_ID, ...command });
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

// ---------------------------------------------------------------------------------------------------------------
// JSON that keeps every digit. JSON.parse rounds an integer beyond 2^53 to the nearest double and JSON.stringify
// refuses a bigint; the connection's codec uses these instead, for every frame it reads and writes.

// A JSON string, or a run of 16 or more digits outside strings: the only way to an integer JSON.parse would round.
const SIXTEEN_DIGITS = /\d{16}/;
const STRING_OR_LONG_DIGITS = /"(?:[^"\\]|\\.)*"|\d{16,}/g;
const JSON_NUMBER_OR_WORD = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null/y;
const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Sets an own property, also one named `__proto__` (which an assignment would take for the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
    if (key === "__proto__") {
        Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    } else {
        target[key] = value;
    }
}

/** Reads JSON text as JSON.parse does, except that an integer JavaScript cannot hold exactly becomes a bigint. */
class LosslessJsonReader {
    readonly #text: string;
    #at = 0;

    constructor(text: string) {
        this.#text = text;
    }

    document(): unknown {
        const value = this.#value();
        this.#space();
        if (this.#at !== this.#text.length) this.#fail();
        return value;
    }

    #space(): void {
        const text = this.#text;
        while (this.#at < text.length) {
            const unit = text.charCodeAt(this.#at);
            if (unit !== 0x20 && unit !== 0x0a && unit !== 0x0d && unit !== 0x09) break;
            this.#at++;
        }
    }

    #fail(): never {
        throw new SyntaxError(`JSON: unexpected input at position ${this.#at}`);
    }

    #expect(char: string): void {
        this.#space();
        if (this.#text[this.#at] !== char) this.#fail();
        this.#at++;
    }

    #string(): string {
        this.#space();
        JSON_STRING.lastIndex = this.#at;
        const match = JSON_STRING.exec(this.#text);
        if (match === null) this.#fail();
        this.#at = JSON_STRING.lastIndex;
        return JSON.parse(match[0]) as string;
    }

    #value(): unknown {
        this.#space();
        const text = this.#text;
        const char = text[this.#at];
        if (char === "{") {
            this.#at++;
            const object: Record<string, unknown> = {};
            this.#space();
            if (text[this.#at] === "}") {
                this.#at++;
                return object;
            }
            for (;;) {
                const key = this.#string();
                this.#expect(":");
                setOwn(object, key, this.#value());
                this.#space();
                if (text[this.#at] === ",") {
                    this.#at++;
                    continue;
                }
                this.#expect("}");
                return object;
            }
        }
        if (char === "[") {
            this.#at++;
            const array: unknown[] = [];
            this.#space();
            if (text[this.#at] === "]") {
                this.#at++;
                return array;
            }
            for (;;) {
                array.push(this.#value());
                this.#space();
                if (text[this.#at] === ",") {
                    this.#at++;
                    continue;
                }
                this.#expect("]");
                return array;
            }
        }
        if (char === '"') return this.#string();
        JSON_NUMBER_OR_WORD.lastIndex = this.#at;
        const match = JSON_NUMBER_OR_WORD.exec(text);
        if (match === null) this.#fail();
        this.#at = JSON_NUMBER_OR_WORD.lastIndex;
        const token = match[0];
        if (token === "true") return true;
        if (token === "false") return false;
        if (token === "null") return null;
        const number = Number(token);
        // An integer (no fraction, no exponent) that a double cannot hold exactly keeps every digit.
        if (match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(number)) return BigInt(token);
        return number;
    }
}

/**
 * JSON.parse, except that an integer beyond 2^53 - 1 (in magnitude) becomes a `bigint` with every digit. Text with
 * no run of 16 digits outside its strings goes to JSON.parse itself.
 */
export function parseJson(text: string): unknown {
    if (!SIXTEEN_DIGITS.test(text)) return JSON.parse(text); // the common case: nothing JSON.parse could round
    let long = false;
    for (const match of text.matchAll(STRING_OR_LONG_DIGITS)) {
        if (match[0][0] !== '"') {
            long = true;
            break;
        }
    }
    return long ? new LosslessJsonReader(text).document() : JSON.parse(text);
}

/** JSON.stringify, except that a `bigint` is written as its digits (JSON.stringify refuses it). */
export function stringifyJson(value: unknown): string {
    try {
        const plain = JSON.stringify(value) as string | undefined; // the common case: no bigint
        if (plain !== undefined) return plain;
    } catch (error) {
        if (!(error instanceof TypeError)) throw error; // a bigint (or a cycle, which throws again below)
    }
    let marker: string | null = null;
    const text = JSON.stringify(value, (_key, item: unknown) => {
        if (typeof item !== "bigint") return item;
        // A string no caller's value holds: a random token, then the digits; the quotes are removed below.
        marker ??= `rpcc-bigint-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}:`;
        return `${marker}${item.toString()}`;
    }) as string | undefined;
    if (text === undefined) throw new TypeError("JSON: the value has no JSON form");
    if (marker === null) return text;
    return text.split(`"${marker}`).reduce((joined, part) => joined + part.replace('"', ""));
}

/**
 * The centrifuge-js client with a JSON codec that keeps every digit ({@link parseJson}, {@link stringifyJson}).
 * centrifuge-js declares its codec `protected` for such subclasses; its other methods (deltas) are kept.
 */
class LosslessCentrifuge extends Centrifuge {
    constructor(endpoint: string, options: Partial<CentrifugeOptions>) {
        super(endpoint, options);
        const base = this._codec as { name?: () => string } | undefined;
        if (base === undefined || typeof base.name !== "function" || base.name() !== "json") return;
        this._codec = Object.assign(Object.create(base) as object, {
            encodeCommands: (commands: unknown[]): string =>
                commands.map((command) => stringifyJson(command)).join("\n"),
            decodeReplies: (data: string): unknown[] =>
                data
                    .split("\n")
                    .filter((line) => line.trim() !== "")
                    .map((line) => parseJson(line)),
        });
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Results: the cheap check of their shape, and the conversion of integers (the generated schema.ts describes them).

/**
 * The shape of a value in a result: a scalar kind, or a list, map (string keys), nullable, literal, enum, model (by
 * name in the {@link Schema}) or union (the first alternative that fits).
 */
type Shape =
    | "bool"
    | "int"
    | "float"
    | "string"
    | "any"
    | { readonly list: Shape }
    | { readonly map: Shape }
    | { readonly nullable: Shape }
    | { readonly literal: readonly unknown[] }
    | { readonly enum: "string" | "number" }
    | { readonly model: string }
    | { readonly union: readonly Shape[] };

const SHAPE_TOKEN = /\s*(?:([A-Za-z_$][\w$]*)(\()?|(\))|(,)|(\[(?:[^"\]]|"(?:[^"\\]|\\.)*")*\]))/y;

/** Reads a shape written as in schema.ts: `int`, `list(string)`, `null(model(Task))`, `literal(["a", 1])`, ... */
function parseShape(text: string): Shape {
    let at = 0;
    const fail = (): never => {
        throw new Error(`bad shape at ${at}: ${text}`);
    };
    const next = (): RegExpExecArray => {
        SHAPE_TOKEN.lastIndex = at;
        const match = SHAPE_TOKEN.exec(text) ?? fail();
        at = SHAPE_TOKEN.lastIndex;
        return match;
    };
    const close = (): void => {
        if (next()[3] === undefined) fail();
    };
    const shape = (): Shape => {
        const [, word, open] = next();
        if (word === undefined) return fail();
        if (open === undefined) {
            if (word === "bool" || word === "int" || word === "float" || word === "string" || word === "any")
                return word;
            return fail();
        }
        let result: Shape;
        if (word === "list") result = { list: shape() };
        else if (word === "map") result = { map: shape() };
        else if (word === "null") result = { nullable: shape() };
        else if (word === "model" || word === "enum") {
            const name = next()[1] ?? fail();
            if (word === "model") result = { model: name };
            else if (name === "string" || name === "number") result = { enum: name };
            else return fail();
        } else if (word === "literal") {
            result = { literal: JSON.parse(next()[5] ?? fail()) as unknown[] };
        } else if (word === "union") {
            const alternatives = [shape()];
            for (;;) {
                SHAPE_TOKEN.lastIndex = at;
                if (SHAPE_TOKEN.exec(text)?.[4] === undefined) break;
                at = SHAPE_TOKEN.lastIndex;
                alternatives.push(shape());
            }
            result = { union: alternatives };
        } else return fail();
        close();
        return result;
    };
    const parsed = shape();
    if (text.slice(at).trim() !== "") fail();
    return parsed;
}

/** How a field of a model may be missing from a result (see {@link Schema.field}). */
type Presence = "required" | "optional" | "defaulted";

/**
 * What the typed methods check of a result, generated from the API (schema.ts). Checked: every field the API
 * requires is present; each value has the JSON type of its declaration (string, number, integer, boolean, array,
 * object, null only where allowed); literals and union tags have a declared value. Trusted, not checked: that a
 * field with a default is present (the rpcc bridge always sends it); string formats (timestamps, UUIDs, base64,
 * decimals); ranges, lengths and patterns; enum values (open: a value this SDK does not know is kept); map keys.
 * Fields the API does not declare are kept as sent.
 */
export class Schema {
    /** How `int` values are represented: `"number"` (exact up to 2^53 - 1; beyond, the result is refused) or `"bigint"`. */
    readonly ints: "number" | "bigint";
    readonly #models = new Map<string, Map<string, readonly [Shape, Presence]>>();
    readonly #channels = new Map<string, Shape>();

    constructor(ints: "number" | "bigint") {
        this.ints = ints;
    }

    /** Declares a model (with no fields yet). */
    model(name: string): void {
        if (!this.#models.has(name)) this.#models.set(name, new Map());
    }

    /**
     * Declares a field of a model: its wire name, shape, and presence: `"required"`, `"optional"` (`x?: T`: may be
     * absent; a null where the type has none is read as absent, as the Python and Go SDKs do) or `"defaulted"`
     * (trusted to be present).
     */
    field(model: string, name: string, shape: string, presence: Presence): void {
        this.model(model);
        this.#models.get(model)?.set(name, [parseShape(shape), presence]);
    }

    /** The fields of a model, by wire name. */
    fields(model: string): ReadonlyMap<string, readonly [Shape, Presence]> {
        return this.#models.get(model) ?? new Map();
    }

    /**
     * Checks `value` (as {@link parseJson} read it) as a result of the model `name`, converting its integers in
     * place, and returns it; throws an {@link RPCReplyError} when it does not fit.
     */
    check(name: string, value: unknown): unknown {
        try {
            return conform(this, { model: name }, value, "$");
        } catch (error) {
            if (error instanceof Mismatch) throw new RPCReplyError(name, error.path, error.problem);
            throw error;
        }
    }

    /** What a typed method passes to {@link CentrifugoRPCClient.call}: its result is the model `name`. */
    result(name: string): ResultCheck {
        return { schema: this, shape: { model: name } };
    }

    /** Declares the type of a channel's publications (the channel by its dotted name in the API), as a shape. */
    channel(name: string, shape: string): void {
        this.#channels.set(name, parseShape(shape));
    }

    /**
     * What a typed subscription passes to {@link subscribeChannel}: each publication of the channel
     * `name` is checked as a result is.
     */
    publication(name: string): ResultCheck {
        const shape = this.#channels.get(name);
        if (shape === undefined) throw new Error(`schema: no channel ${name}`);
        return { schema: this, shape };
    }
}

/** A value that does not fit its shape: where, and what was expected. */
class Mismatch {
    constructor(
        readonly path: string,
        readonly problem: string,
    ) {}
}

function jsonType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "bigint") return "an integer";
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** In a `number` schema, an `any` value holds numbers only: a bigint from the codec becomes the nearest double. */
function roundBigInts(value: unknown): unknown {
    if (typeof value === "bigint") return Number(value);
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) value[i] = roundBigInts(value[i]);
    } else if (isRecord(value)) {
        for (const key of Object.keys(value)) {
            const item = value[key];
            if (typeof item === "object" || typeof item === "bigint") setOwn(value, key, roundBigInts(item));
        }
    }
    return value;
}

/**
 * Checks `value` against `shape` and returns it with its integers in the schema's representation. Objects and
 * arrays are the ones the codec just parsed: converted in place.
 */
function conform(schema: Schema, shape: Shape, value: unknown, path: string): unknown {
    if (typeof shape === "string") {
        switch (shape) {
            case "any":
                return schema.ints === "number" ? roundBigInts(value) : value;
            case "bool":
                if (typeof value === "boolean") return value;
                throw new Mismatch(path, `expected a boolean, got ${jsonType(value)}`);
            case "string":
                if (typeof value === "string") return value;
                throw new Mismatch(path, `expected a string, got ${jsonType(value)}`);
            case "float":
                if (typeof value === "number") return value;
                if (typeof value === "bigint") return Number(value);
                throw new Mismatch(path, `expected a number, got ${jsonType(value)}`);
            case "int":
                if (typeof value === "bigint") {
                    if (schema.ints === "bigint") return value;
                    throw new Mismatch(
                        path,
                        `the integer ${value} is beyond 2^53 - 1: a number cannot hold it exactly (an SDK generated with --ts-int bigint can)`,
                    );
                }
                if (typeof value === "number" && Number.isSafeInteger(value)) {
                    return schema.ints === "bigint" ? BigInt(value) : value;
                }
                throw new Mismatch(
                    path,
                    `expected an integer, got ${typeof value === "number" ? value : jsonType(value)}`,
                );
        }
    }
    if ("nullable" in shape) return value === null ? null : conform(schema, shape.nullable, value, path);
    if ("list" in shape) {
        if (!Array.isArray(value)) throw new Mismatch(path, `expected an array, got ${jsonType(value)}`);
        for (let i = 0; i < value.length; i++) value[i] = conform(schema, shape.list, value[i], `${path}[${i}]`);
        return value;
    }
    if ("map" in shape) {
        if (!isRecord(value)) throw new Mismatch(path, `expected an object, got ${jsonType(value)}`);
        for (const key of Object.keys(value)) {
            const item = value[key];
            const converted = conform(schema, shape.map, item, `${path}[${JSON.stringify(key)}]`);
            if (converted !== item) setOwn(value, key, converted);
        }
        return value;
    }
    if ("literal" in shape) {
        if (shape.literal.some((literal) => literal === value)) return value;
        throw new Mismatch(path, `expected ${shape.literal.map((literal) => JSON.stringify(literal)).join(" or ")}`);
    }
    if ("enum" in shape) {
        if (shape.enum === "number" ? Number.isSafeInteger(value) : typeof value === "string") return value;
        throw new Mismatch(
            path,
            `expected ${shape.enum === "number" ? "an integer" : "a string"}, got ${jsonType(value)}`,
        );
    }
    if ("model" in shape) {
        if (!isRecord(value)) throw new Mismatch(path, `expected an object, got ${jsonType(value)}`);
        for (const [name, [fieldShape, presence]] of schema.fields(shape.model)) {
            const fieldPath = `${path}.${name}`;
            if (!Object.hasOwn(value, name)) {
                if (presence === "required") throw new Mismatch(fieldPath, "missing");
                continue;
            }
            const item = value[name];
            if (
                item === null &&
                presence === "optional" &&
                !(typeof fieldShape === "object" && "nullable" in fieldShape)
            ) {
                delete value[name]; // `x?: T` holds no null: read as absent
                continue;
            }
            const converted = conform(schema, fieldShape, item, fieldPath);
            if (converted !== item) setOwn(value, name, converted);
        }
        return value;
    }
    let first: Mismatch | null = null;
    for (const alternative of shape.union) {
        try {
            return conform(schema, alternative, value, path);
        } catch (error) {
            if (!(error instanceof Mismatch)) throw error;
            first ??= error;
        }
    }
    throw first ?? new Mismatch(path, "no alternative fits");
}

/** What a typed method asks of its result: the schema, and the result's shape in it ({@link Schema.result}). */
export interface ResultCheck {
    readonly schema: Schema;
    readonly shape: unknown;
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

// ---------------------------------------------------------------------------------------------------------------
// Typed channel subscriptions: the generated `subscribe<Channel>` methods return a ChannelSubscription.

/** The state of a {@link ChannelSubscription}: it subscribes, resubscribes after a reconnect, and ends. */
export type SubscriptionState = "subscribing" | "subscribed" | "unsubscribed";

/** What comes with each publication besides its data. */
export interface PublicationInfo {
    /** The channel it was published in. */
    readonly channel: string;
    /** Its position in the channel's history, for channels with history (else `undefined`). */
    readonly offset: number | undefined;
}

/** Options of a typed subscription (the generated `subscribe<Channel>` methods); every one may be left out. */
export interface SubscribeOptions<T> {
    /** Called with each publication, in order (the same as {@link ChannelSubscription.onPublication}). */
    onPublication?: (publication: T, info: PublicationInfo) => void;
    /** Called with each error of the subscription (see {@link ChannelSubscription.onError}). */
    onError?: (error: RPCError) => void;
    /** Called when the state changes (see {@link ChannelSubscription.onStateChange}). */
    onStateChange?: (state: SubscriptionState) => void;
    /** Called when a resubscription could not recover what was missed (see {@link ChannelSubscription.onRecoveryFailed}). */
    onRecoveryFailed?: () => void;
    /** Unsubscribes when it aborts (async iterators over the subscription then end). */
    signal?: AbortSignal;
}

/**
 * A subscription to a channel was refused or ended by the server: `code` and `message` are Centrifugo's (103
 * permission denied: another user's channel, or the channel's guard said no; 102 unknown channel: no such
 * namespace in Centrifugo's configuration; 2000 unsubscribed by the server). `kind` is `"server"`. The
 * subscription is over (state `"unsubscribed"`).
 */
export class RPCSubscriptionError extends RPCError {
    /** The channel, as subscribed to. */
    readonly channel: string;

    constructor(channel: string, code: number, message: string) {
        super(code, `subscribe to ${channel}: ${message}`, "server");
        this.name = "RPCSubscriptionError";
        this.channel = channel;
    }
}

/**
 * A publication that does not have the shape the API declares for its channel (checked as results are, see
 * {@link Schema}). `kind` is `"reply"`, `code` is 17. It is reported to the subscription's error handlers and
 * not delivered; the subscription goes on.
 */
export class RPCPublicationError extends RPCError {
    /** The channel it was published in. */
    readonly channel: string;
    /** Where in the publication, as `$.field[index].field`. */
    readonly path: string;
    /** The publication as received (integers possibly converted up to the place that did not fit). */
    readonly data: unknown;
    /** Its position in the channel's history, for channels with history (else `undefined`). */
    readonly offset: number | undefined;

    constructor(channel: string, path: string, problem: string, data: unknown, offset: number | undefined) {
        super(CODE_BAD_PUBLICATION, `${channel}: a publication does not fit the API at ${path}: ${problem}`, "reply");
        this.name = "RPCPublicationError";
        this.channel = channel;
        this.path = path;
        this.data = data;
        this.offset = offset;
    }
}

/** Characters a string channel parameter may not hold: Centrifugo's reserved ones and what is not printable ASCII. */
const CHANNEL_PARAMETER_REFUSED = /[^\x21-\x7e]|[:#,$*&/{}]/;

/**
 * A string parameter of a channel name, as given, or an {@link RPCError} (kind `"client"`, code 18) when it is
 * empty or holds a character that could change what the channel name means to Centrifugo: `:` (namespace), `#`
 * and `,` (user-limited channels), `$`, `*`, `&`, `/` (reserved), `{`, `}`, spaces and anything outside
 * printable ASCII. The generated `subscribe<Channel>` methods call it.
 */
export function channelString(value: string, name: string): string {
    if (typeof value !== "string" || value === "" || CHANNEL_PARAMETER_REFUSED.test(value)) {
        throw new RPCError(
            CODE_BAD_CHANNEL,
            `channel parameter ${name}: ${JSON.stringify(value) ?? String(value)} is not allowed in a channel name ` +
                "(empty, or it holds one of : # , $ * & / { }, a space, or a character outside printable ASCII)",
            "client",
        );
    }
    return value;
}

/**
 * An integer parameter of a channel name in decimal, or an {@link RPCError} (kind `"client"`, code 18) when it is
 * not an integer (a fraction, NaN, beyond 2^53 - 1). The generated `subscribe<Channel>` methods call it.
 */
export function channelInt(value: number | bigint, name: string): string {
    if (typeof value === "bigint" || Number.isSafeInteger(value)) return value.toString();
    throw new RPCError(CODE_BAD_CHANNEL, `channel parameter ${name}: ${String(value)} is not an integer`, "client");
}

/** What the base client holds of each typed subscription, to connect it to a new connection or end it. */
interface ChannelLink {
    /** Subscribes through `centrifuge` (a new connection). */
    attach(centrifuge: Centrifuge): void;
    /** Forgets the connection (its connect() failed): back to waiting for the next one. */
    detach(): void;
    /** Ends the subscription (the client was closed). */
    close(): void;
}

/** How a typed subscription registers with its base client. */
interface ChannelHost {
    /** Registers `link` under its channel; returns the connection to subscribe through, null before connect(). */
    adopt(link: ChannelLink): Centrifuge | null;
    /** Unregisters `link` (it ended). */
    release(link: ChannelLink): void;
}

/** Each client's maker of channel hosts: throws when the client already has a subscription to the channel. */
const channelHosts = new WeakMap<object, (channel: string) => ChannelHost>();

/**
 * Subscribes `client` to `channel` and returns the typed subscription (see {@link ChannelSubscription}); the
 * generated `subscribe<Channel>` methods call it with the channel's name, its publication type in the schema
 * ({@link Schema.publication}) and, for channels with history, `recoverable`. Before `connect()` the subscription
 * waits for the connection. Throws an {@link RPCError} (kind `"client"`, code 18) when the client already has a
 * subscription to `channel` that has not ended.
 */
export function subscribeChannel<T>(
    client: CentrifugoRPCClient,
    channel: string,
    check: ResultCheck,
    options: SubscribeOptions<T> = {},
    recoverable = false,
): ChannelSubscription<T> {
    const host = channelHosts.get(client);
    if (host === undefined) throw new RPCError(CODE_BAD_CONFIGURATION, "not a CentrifugoRPCClient", "client");
    return new ChannelSubscription<T>(channel, check, options, recoverable, host(channel));
}

/** One async iterator's queue of publications. */
class PublicationQueue<T> implements AsyncIterableIterator<T> {
    #items: T[] = [];
    #head = 0;
    #waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
    // Set when the subscription ended: the error to throw once the queue is drained, or null to end quietly.
    #ended: { error: RPCError | null } | null = null;
    readonly #leave: (queue: PublicationQueue<T>) => void;

    constructor(leave: (queue: PublicationQueue<T>) => void) {
        this.#leave = leave;
    }

    push(item: T): void {
        if (this.#ended !== null) return;
        const waiting = this.#waiting;
        if (waiting !== null) {
            this.#waiting = null;
            waiting.resolve({ value: item, done: false });
        } else {
            this.#items.push(item);
        }
    }

    end(error: RPCError | null): void {
        if (this.#ended !== null) return;
        this.#ended = { error };
        const waiting = this.#waiting;
        if (waiting === null) return;
        this.#waiting = null;
        this.next().then(waiting.resolve, waiting.reject);
    }

    next(): Promise<IteratorResult<T>> {
        if (this.#head < this.#items.length) {
            const value = this.#items[this.#head++] as T;
            if (this.#head === this.#items.length) {
                this.#items = [];
                this.#head = 0;
            }
            return Promise.resolve({ value, done: false });
        }
        const ended = this.#ended;
        if (ended === null) {
            return new Promise((resolve, reject) => {
                this.#waiting = { resolve, reject };
            });
        }
        const error = ended.error;
        if (error !== null) {
            ended.error = null; // thrown once, then the iterator is done
            return Promise.reject(error);
        }
        return Promise.resolve({ value: undefined, done: true });
    }

    return(): Promise<IteratorResult<T>> {
        this.#items = [];
        this.#head = 0;
        this.#ended = { error: null };
        this.#leave(this);
        const waiting = this.#waiting;
        this.#waiting = null;
        waiting?.resolve({ value: undefined, done: true });
        return Promise.resolve({ value: undefined, done: true });
    }

    [Symbol.asyncIterator](): AsyncIterableIterator<T> {
        return this;
    }
}

/**
 * A typed subscription to one channel, from a generated `subscribe<Channel>` method: it subscribes at once (after
 * `connect()` when the client is not connected yet), resubscribes by itself after a reconnect, and delivers each
 * publication checked against the API's schema (see {@link Schema}) as `T`, in order.
 *
 * ```ts
 * const events = api.subscribeTasksEvents({ userId: "42" });
 * events.onError((error) => console.warn(error.message));
 * for await (const event of events) console.log(event);
 * ```
 *
 * - Publications go to the {@link onPublication} handlers and to every async iterator over the subscription.
 *   Those that arrive while there is neither (before the first `for await`, between two loops) are kept for the
 *   next one: none is lost while the subscription lasts.
 * - A publication that does not fit the API is not delivered: it goes to the {@link onError} handlers as an
 *   {@link RPCPublicationError}, and the subscription goes on.
 * - A refusal by the server (another user's channel, a guard that says no) ends the subscription with an
 *   {@link RPCSubscriptionError}: {@link ready} rejects with it, iterators throw it, {@link onError} handlers get it.
 * - Channels with history (`@history`) are positioned and recoverable: after a reconnect Centrifugo sends what was
 *   missed, in order and once. When it cannot (the history expired or was lost), the {@link onRecoveryFailed}
 *   handlers are told before any newer publication is delivered: reload what the channel describes.
 * - {@link unsubscribe}, an aborted `signal`, or closing the client end it: iterators end after what they hold.
 */
export class ChannelSubscription<T> implements AsyncIterable<T>, AsyncDisposable {
    /** The channel name, as subscribed to (`tasks:events#42`). */
    readonly channel: string;
    readonly #check: ResultCheck;
    readonly #recoverable: boolean;
    readonly #host: ChannelHost;
    readonly #link: ChannelLink;
    #state: SubscriptionState = "subscribing";
    #error: RPCError | null = null;
    #centrifuge: Centrifuge | null = null;
    #subscription: Subscription | null = null;
    readonly #publicationHandlers = new Set<(publication: T, info: PublicationInfo) => void>();
    readonly #errorHandlers = new Set<(error: RPCError) => void>();
    readonly #stateHandlers = new Set<(state: SubscriptionState) => void>();
    readonly #recoveryHandlers = new Set<() => void>();
    readonly #queues = new Set<PublicationQueue<T>>();
    // Publications received while there was no handler and no iterator, in order, for the next one.
    #backlog: [T, PublicationInfo][] = [];
    #flushScheduled = false;
    readonly #readyWaiters = new Set<{ resolve: () => void; reject: (error: unknown) => void }>();
    readonly #signal: AbortSignal | undefined;
    readonly #onAbort = (): void => this.unsubscribe();

    /**
     * Not called directly: the generated `subscribe<Channel>` methods call {@link subscribeChannel}.
     * @param recoverable - positioned and recoverable (channels with history)
     */
    constructor(
        channel: string,
        check: ResultCheck,
        options: SubscribeOptions<T>,
        recoverable: boolean,
        host: ChannelHost,
    ) {
        this.channel = channel;
        this.#check = check;
        this.#recoverable = recoverable;
        this.#host = host;
        this.#link = {
            attach: (centrifuge) => this.#attach(centrifuge),
            detach: () => this.#detach(),
            close: () => this.#finish(null),
        };
        if (options.onPublication !== undefined) this.onPublication(options.onPublication);
        if (options.onError !== undefined) this.onError(options.onError);
        if (options.onStateChange !== undefined) this.onStateChange(options.onStateChange);
        if (options.onRecoveryFailed !== undefined) this.onRecoveryFailed(options.onRecoveryFailed);
        const signal = options.signal;
        this.#signal = signal;
        if (signal?.aborted === true) {
            this.#state = "unsubscribed";
            return;
        }
        signal?.addEventListener("abort", this.#onAbort, { once: true });
        const centrifuge = host.adopt(this.#link);
        if (centrifuge !== null) this.#attach(centrifuge);
    }

    /** `"subscribing"` (also while resubscribing after a reconnect), `"subscribed"` or `"unsubscribed"` (over). */
    get state(): SubscriptionState {
        return this.#state;
    }

    /** Why the subscription ended, when the server ended it (an {@link RPCSubscriptionError}); else null. */
    get error(): RPCError | null {
        return this.#error;
    }

    /**
     * Calls `handler` with each publication, in order, with its channel and offset. Returns a function that
     * removes the handler. An exception it throws goes to the {@link onError} handlers (code 19).
     */
    onPublication(handler: (publication: T, info: PublicationInfo) => void): () => void {
        this.#publicationHandlers.add(handler);
        this.#consumerAdded();
        return () => this.#publicationHandlers.delete(handler);
    }

    /**
     * Calls `handler` with each error of the subscription: an {@link RPCPublicationError} for a publication that
     * does not fit the API (not delivered; the subscription goes on); a temporary failure to subscribe that is
     * retried by itself (`temporary` or a `kind` other than `"server"`); an exception of a publication handler
     * (kind `"client"`, code 19); the {@link RPCSubscriptionError} that ends the subscription. Without any handler,
     * the errors that do not end the subscription are written to `console.warn`. Returns a function that removes
     * the handler.
     */
    onError(handler: (error: RPCError) => void): () => void {
        this.#errorHandlers.add(handler);
        return () => this.#errorHandlers.delete(handler);
    }

    /** Calls `handler` with the new state at each change. Returns a function that removes the handler. */
    onStateChange(handler: (state: SubscriptionState) => void): () => void {
        this.#stateHandlers.add(handler);
        return () => this.#stateHandlers.delete(handler);
    }

    /**
     * Calls `handler` when, after a reconnect, Centrifugo could not send the publications that were missed (the
     * channel's history no longer holds them): some were lost, and what the channel describes should be reloaded.
     * Called before any newer publication is delivered. Only channels with history recover. Returns a function that
     * removes the handler.
     */
    onRecoveryFailed(handler: () => void): () => void {
        this.#recoveryHandlers.add(handler);
        return () => this.#recoveryHandlers.delete(handler);
    }

    /**
     * Resolves when the subscription is subscribed (at once if it is); rejects with the {@link RPCSubscriptionError}
     * when the server refused it, with an {@link RPCError} (code 7) when it was unsubscribed, or with a timeout
     * after `timeout` ms when given.
     */
    ready(timeout?: number): Promise<void> {
        if (this.#state === "subscribed") return Promise.resolve();
        if (this.#state === "unsubscribed") return Promise.reject(this.#endError());
        return new Promise<void>((resolve, reject) => {
            let timer: ReturnType<typeof setTimeout> | undefined;
            const waiter = {
                resolve: () => {
                    clearTimeout(timer);
                    resolve();
                },
                reject: (error: unknown) => {
                    clearTimeout(timer);
                    reject(error);
                },
            };
            if (timeout !== undefined) {
                timer = setTimeout(() => {
                    this.#readyWaiters.delete(waiter);
                    reject(
                        new RPCError(
                            CODE_TIMEOUT,
                            `subscribe to ${this.channel}: not subscribed within ${timeout} ms`,
                            "timeout",
                        ),
                    );
                }, timeout);
            }
            this.#readyWaiters.add(waiter);
        });
    }

    /** Ends the subscription: no more publications; iterators end after what they hold. Safe to call twice. */
    unsubscribe(): void {
        this.#finish(null);
    }

    /** {@link unsubscribe}, for `await using events = api.subscribe...(...)`. */
    async [Symbol.asyncDispose](): Promise<void> {
        this.unsubscribe();
    }

    /**
     * An async iterator over the publications from now on (and those kept while there was no handler or iterator).
     * It ends when the subscription ends, and throws the {@link RPCSubscriptionError} when the server ended it.
     * Leaving a `for await` loop stops this iterator, not the subscription.
     */
    [Symbol.asyncIterator](): AsyncIterableIterator<T> {
        const queue = new PublicationQueue<T>((left) => this.#queues.delete(left));
        if (this.#state === "unsubscribed") {
            queue.end(this.#error);
            return queue;
        }
        this.#queues.add(queue);
        this.#consumerAdded();
        return queue;
    }

    #attach(centrifuge: Centrifuge): void {
        if (this.#state === "unsubscribed" || this.#centrifuge === centrifuge) return;
        this.#detach();
        this.#centrifuge = centrifuge;
        const subscription = centrifuge.newSubscription(
            this.channel,
            this.#recoverable ? { positioned: true, recoverable: true } : {},
        );
        this.#subscription = subscription;
        // centrifuge-js stops the whole client when a handler throws: nothing below lets an exception out.
        subscription.on("publication", (context) => this.#receive(context.data, context.offset));
        subscription.on("subscribing", () => this.#setState("subscribing"));
        subscription.on("subscribed", (context) => {
            // Recovered publications are delivered after this event: the failure is told before newer ones.
            if (context.wasRecovering && !context.recovered) {
                for (const handler of [...this.#recoveryHandlers]) this.#guard(handler);
            }
            this.#setState("subscribed");
        });
        subscription.on("unsubscribed", (context) => {
            if (this.#subscription !== subscription) return;
            // Codes from 100 are the server's (103 permission denied, 2000 unsubscribed by the server); below, the
            // client's own (an unsubscribe() of ours, a subscription token it could not get).
            if (context.code >= 100) this.#finish(new RPCSubscriptionError(this.channel, context.code, context.reason));
            else this.#finish(new RPCError(context.code, `subscribe to ${this.channel}: ${context.reason}`, "client"));
        });
        subscription.on("error", (context) => {
            this.#report(toRPCError(context.error, `subscribe to ${this.channel}`));
        });
        subscription.subscribe();
    }

    #detach(): void {
        const subscription = this.#subscription;
        const centrifuge = this.#centrifuge;
        this.#subscription = null;
        this.#centrifuge = null;
        if (subscription !== null && centrifuge !== null) {
            subscription.removeAllListeners();
            centrifuge.removeSubscription(subscription);
        }
        if (this.#state === "subscribed") this.#setState("subscribing");
    }

    #finish(error: RPCError | null): void {
        if (this.#state === "unsubscribed") return;
        this.#detach();
        this.#host.release(this.#link);
        this.#signal?.removeEventListener("abort", this.#onAbort);
        this.#error = error instanceof RPCSubscriptionError ? error : null;
        this.#setState("unsubscribed");
        if (error !== null) this.#report(error, true);
        const ended = this.#endError();
        for (const waiter of this.#readyWaiters) waiter.reject(ended);
        this.#readyWaiters.clear();
        // Publications still waiting for a consumer go to the iterators that exist.
        this.#flush();
        for (const queue of this.#queues) queue.end(error);
        this.#queues.clear();
    }

    #endError(): RPCError {
        return this.#error ?? new RPCError(7, `subscribe to ${this.channel}: unsubscribed`, "client");
    }

    #setState(state: SubscriptionState): void {
        if (this.#state === state) return;
        this.#state = state;
        if (state === "subscribed") {
            for (const waiter of this.#readyWaiters) waiter.resolve();
            this.#readyWaiters.clear();
        }
        for (const handler of [...this.#stateHandlers]) this.#guard(() => handler(state));
    }

    /** A publication as the codec read it: checked against the schema, then delivered or reported. */
    #receive(data: unknown, offset: number | undefined): void {
        let publication: T;
        try {
            publication = conform(this.#check.schema, this.#check.shape as Shape, data, "$") as T;
        } catch (error) {
            const mismatch = error instanceof Mismatch ? error : new Mismatch("$", String(error));
            this.#report(new RPCPublicationError(this.channel, mismatch.path, mismatch.problem, data, offset));
            return;
        }
        const info: PublicationInfo = { channel: this.channel, offset };
        // Kept while nobody takes them, and behind the ones kept before (a flush may be due in a microtask).
        if (this.#backlog.length > 0 || (this.#publicationHandlers.size === 0 && this.#queues.size === 0)) {
            this.#backlog.push([publication, info]);
            return;
        }
        this.#deliver(publication, info);
    }

    #deliver(publication: T, info: PublicationInfo): void {
        for (const handler of [...this.#publicationHandlers]) this.#guard(() => handler(publication, info));
        for (const queue of this.#queues) queue.push(publication);
    }

    /** A new handler or iterator takes the publications kept so far, in the next microtask. */
    #consumerAdded(): void {
        if (this.#backlog.length === 0 || this.#flushScheduled) return;
        this.#flushScheduled = true;
        queueMicrotask(() => {
            this.#flushScheduled = false;
            this.#flush();
        });
    }

    #flush(): void {
        if (this.#publicationHandlers.size === 0 && this.#queues.size === 0) return; // kept for the next consumer
        const backlog = this.#backlog;
        this.#backlog = [];
        for (const [publication, info] of backlog) this.#deliver(publication, info);
    }

    /** Runs a user handler; what it throws goes to the error handlers (code 19). */
    #guard(handler: () => void): void {
        try {
            handler();
        } catch (error) {
            this.#report(
                new RPCError(
                    CODE_HANDLER_FAILED,
                    `${this.channel}: a handler threw: ${String(error)}`,
                    "client",
                    false,
                    {
                        cause: error,
                    },
                ),
            );
        }
    }

    /** Tells the error handlers; `ending`: the error that ended the subscription (not written when unhandled). */
    #report(error: RPCError, ending = false): void {
        if (this.#errorHandlers.size === 0) {
            if (!ending) console.warn(`rpcc: ${error.message}`);
            return;
        }
        for (const handler of [...this.#errorHandlers]) {
            try {
                handler(error);
            } catch (thrown) {
                console.warn(`rpcc: an error handler of ${this.channel} threw: ${String(thrown)}`);
            }
        }
    }
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
    /**
     * The contract hash sent with every call (the generated `APIClient` sets its file's; spec/evolution.md): over
     * `"rpc"` as the `"$contract"` member of the params, over `"pubsub"` as the request's `contract`.
     */
    contractHash: string | undefined = undefined;

    readonly #token: string | (() => Promise<string>);
    readonly #websocket: unknown;
    readonly #centrifugeOptions: Partial<CentrifugeOptions>;
    #centrifuge: Centrifuge | null = null;
    #subscription: Subscription | null = null;
    readonly #pending = new Map<string, PendingCall>();
    // The typed subscriptions, by channel: subscribed through each new connection until they end.
    readonly #channels = new Map<string, ChannelLink>();
    /** While a batch collects: the correlation ids of the calls made, to fail them if the batch is refused. */
    #batchIds: string[] | null = null;
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
        // How subscribeChannel registers a typed subscription with this client (kept out of the class, so that a
        // bundle without channels drops ChannelSubscription).
        channelHosts.set(this, (channel) => {
            if (this.#channels.has(channel) || (this.transport === "pubsub" && channel === this.replyChannel)) {
                throw new RPCError(
                    CODE_BAD_CHANNEL,
                    `subscribe to ${channel}: this client is already subscribed to the channel (unsubscribe first)`,
                    "client",
                );
            }
            return {
                adopt: (link) => {
                    this.#channels.set(channel, link);
                    return this.#centrifuge;
                },
                release: (link) => {
                    if (this.#channels.get(channel) === link) this.#channels.delete(channel);
                },
            };
        });
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
     * made; rejects with an RPCError (and leaves the client closed) when that does not happen within `timeout`,
     * the server refuses the connection, or nothing listens at `url` (at once: kind `"disconnected"`, code 2). After a network failure the connection is re-established
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
        const centrifuge = new LosslessCentrifuge(this.url, {
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
        for (const link of [...this.#channels.values()]) link.attach(centrifuge);
        centrifuge.connect();
        try {
            await Promise.race([this.#whenReady(centrifuge, subscription), failed]);
        } catch (error) {
            // The typed subscriptions wait for the next connect().
            this.#shutdown(centrifuge, subscription, false);
            throw refusal.error ?? toRPCError(error, "connect");
        }
        established.value = true;
    }

    /**
     * Closes the connection. Calls still waiting fail with `kind === "disconnected"`; typed subscriptions end
     * (their iterators end quietly). Safe to call twice.
     */
    close(): void {
        const centrifuge = this.#centrifuge;
        if (centrifuge === null) {
            for (const link of [...this.#channels.values()]) link.close();
            return;
        }
        this.#shutdown(centrifuge, this.#subscription, true);
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
     * Calls `method` with `params` and resolves with the server's result. The typed `APIClient` methods pass
     * `check`: the result is then checked against the API's schema and its integers converted (see {@link Schema});
     * one that does not fit rejects with an {@link RPCReplyError}. Without `check` the result is what the server
     * sent, an integer beyond 2^53 - 1 as a `bigint`. Rejects with an {@link RPCError}, or with `options.signal`'s
     * reason when that signal aborts the call.
     */
    async call<Result>(
        method: string,
        params: object,
        options: CallOptions = {},
        check?: ResultCheck,
    ): Promise<Result> {
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
        this.#batchIds?.push(correlationId);
        const contract = this.contractHash;
        const data = contract === undefined ? params : { ...params, [CONTRACT_FIELD]: contract };
        const request = { method, params, correlation_id: correlationId, reply_to: this.replyChannel, contract };
        // Centrifugo closes the connection on a message over its limit, failing every call on it: refuse this one.
        const size =
            subscription === null
                ? frameSize({ rpc: { method, data } }, method)
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
            const accept = (result: unknown): void => {
                if (check === undefined) {
                    resolve(result as Result);
                    return;
                }
                try {
                    resolve(conform(check.schema, check.shape as Shape, result, "$") as Result);
                } catch (error) {
                    if (!(error instanceof Mismatch)) throw error;
                    reject(new RPCReplyError(method, error.path, error.problem));
                }
            };
            this.#pending.set(correlationId, { resolve: accept, reject, timer, release });
            if (subscription === null) {
                this.#command(centrifuge, timeout, () => centrifuge.rpc(method, data)).then(
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
     * Publishes `data` into `channel` (Centrifugo's publish command; the generated `publish<Channel>` methods call
     * it for channels that accept client publications). Resolves when Centrifugo accepted it; rejects with an
     * {@link RPCError}: kind `"server"` when it was refused (103 permission denied: the channel's guard or the
     * backend's check of the publication said no), a timeout, a disconnect, or the `signal`'s reason.
     */
    async publish(channel: string, data: unknown, options: CallOptions = {}): Promise<void> {
        const context = `publish to ${channel}`;
        const centrifuge = this.#centrifuge;
        if (centrifuge === null) {
            throw new RPCError(
                CODE_CLIENT_DISCONNECTED,
                `${context}: not connected (call connect() first)`,
                "disconnected",
            );
        }
        const stopped = this.#stopped;
        if (stopped !== null) {
            throw new RPCError(stopped.code, `${context}: ${stopped.message} (call connect() again)`, "disconnected");
        }
        const timeout = options.timeout ?? this.timeout;
        if (!(timeout > 0) || !Number.isFinite(timeout)) {
            throw new RPCError(CODE_BAD_CONFIGURATION, `timeout must be a positive number, not ${timeout}`, "client");
        }
        const signal = options.signal;
        signal?.throwIfAborted();
        const size = frameSize({ publish: { channel, data } }, context);
        if (size > this.maxMessageSize) throw new RPCRequestTooLargeError(context, size, this.maxMessageSize);
        return new Promise<void>((resolve, reject) => {
            let settled = false;
            const settle = (done: () => void): void => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                signal?.removeEventListener("abort", onAbort);
                done();
            };
            const timer = setTimeout(() => {
                settle(() =>
                    reject(new RPCError(CODE_TIMEOUT, `${context}: no answer within ${timeout} ms`, "timeout")),
                );
            }, timeout);
            const onAbort = (): void => settle(() => reject(signal?.reason));
            signal?.addEventListener("abort", onAbort, { once: true });
            this.#command(centrifuge, timeout, () => centrifuge.publish(channel, data)).then(
                () => settle(resolve),
                (error: unknown) => settle(() => reject(toRPCError(error, context))),
            );
        });
    }

    /**
     * Sends the calls `build` starts in one WebSocket message, and resolves with each one's typed result or its
     * {@link RPCError} (one failing call fails only its own entry; each keeps its own options):
     *
     * ```ts
     * const [task, page] = await client.batch(() => [api.tasksGet({ id: 1 }), api.tasksList({})]);
     * ```
     *
     * Uses centrifuge-js's batching (`startBatching`/`stopBatching`). Nothing is atomic: the server runs the calls
     * as it would separate ones. Rejects with an {@link RPCRequestTooLargeError}, sending nothing (every call of
     * the batch fails with it too), when the batch has more than `maxBatch` calls or its message would exceed
     * `maxMessageSize`.
     */
    async batch<T extends readonly unknown[]>(
        build: () => readonly [...T],
        options: { maxBatch?: number } = {},
    ): Promise<BatchResults<T>> {
        const centrifuge = this.#centrifuge;
        if (centrifuge === null) {
            throw new RPCError(CODE_CLIENT_DISCONNECTED, "batch: not connected (call connect() first)", "disconnected");
        }
        if (this.#batchIds !== null) {
            throw new RPCError(CODE_BAD_CONFIGURATION, "batch: another batch of this client is collecting", "client");
        }
        const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
        try {
            // Connected (and subscribed) first, so that every call queues its command at once.
            await this.#whenReady(centrifuge, this.#subscription);
        } catch (error) {
            throw toRPCError(error, "batch");
        }
        const ids: string[] = [];
        this.#batchIds = ids;
        centrifuge.startBatching();
        let calls: readonly [...T];
        try {
            calls = build();
        } finally {
            this.#batchIds = null;
        }
        const outcomes = Promise.allSettled(calls);
        // centrifuge-js queues each command a few microtasks after its call starts: one task later all are queued.
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        const internals = centrifuge as unknown as {
            _commands?: { id?: number }[];
            _callbacks?: Record<number, { timeout: ReturnType<typeof setTimeout> | null }>;
            _batching?: boolean;
        };
        const queued = internals._commands ?? [];
        let size = queued.length - 1;
        for (const command of queued) size += utf8Length(stringifyJson(command));
        let refusal: RPCError | null = null;
        if (queued.length > maxBatch) {
            refusal = new RPCRequestTooLargeError(`batch of ${queued.length} calls`, queued.length, maxBatch);
            refusal.message = `batch: ${queued.length} calls, more than maxBatch=${maxBatch}; nothing was sent`;
        } else if (size > this.maxMessageSize) {
            refusal = new RPCRequestTooLargeError(`batch of ${queued.length} calls`, size, this.maxMessageSize);
        }
        if (refusal !== null) {
            // Unsent: drop the queued commands and their centrifuge-js callbacks, fail the calls.
            for (const command of queued) {
                const callback = command.id === undefined ? undefined : internals._callbacks?.[command.id];
                if (callback !== undefined && command.id !== undefined) {
                    if (callback.timeout !== null) clearTimeout(callback.timeout);
                    delete internals._callbacks?.[command.id];
                }
            }
            internals._commands = [];
            internals._batching = false;
            for (const id of ids) this.#take(id)?.reject(refusal);
            await outcomes;
            throw refusal;
        }
        centrifuge.stopBatching();
        const settled = await outcomes;
        return settled.map((outcome) => {
            if (outcome.status === "fulfilled") return outcome.value;
            if (outcome.reason instanceof RPCError) return outcome.reason;
            throw outcome.reason;
        }) as unknown as BatchResults<T>;
    }

    /**
     * Sends a one-way call of `method` with `params`: resolves once the command is handed to centrifuge-js on a
     * connected client (it writes it to the socket in the same turn), and never waits for the server. Over the `rpc`
     * transport it is Centrifugo's `rpc` command, whose reply (Centrifugo always sends one) is discarded; over
     * `pubsub` a publication `{method, params}` without `correlation_id`, to which no reply comes. The server's
     * refusals never reach the caller. Rejects with an {@link RPCError} when not connected within the timeout, or
     * with an {@link RPCRequestTooLargeError} (nothing sent) when the request exceeds `maxMessageSize`.
     */
    async send(method: string, params: object, options: CallOptions = {}): Promise<void> {
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
        options.signal?.throwIfAborted();
        const pubsub = this.#subscription !== null;
        const request = { method, params };
        const size = pubsub
            ? frameSize({ publish: { channel: this.requestChannel, data: request } }, method)
            : frameSize({ rpc: { method, data: params } }, method);
        if (size > this.maxMessageSize) throw new RPCRequestTooLargeError(method, size, this.maxMessageSize);
        try {
            await centrifuge.ready(timeout);
        } catch (error) {
            throw toRPCError(error, method);
        }
        options.signal?.throwIfAborted();
        // Connected: centrifuge-js registers and writes the command in the microtasks that follow. Its reply (or
        // its timeout, or a disconnect) settles a promise nobody reads: caught so it is not an unhandled rejection.
        const sent = pubsub ? centrifuge.publish(this.requestChannel, request) : centrifuge.rpc(method, params);
        sent.catch(() => undefined);
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

    /** Drops the connection; `closing`: close() ends the typed subscriptions, a failed connect() keeps them. */
    #shutdown(centrifuge: Centrifuge, subscription: Subscription | null, closing: boolean): void {
        for (const link of [...this.#channels.values()]) {
            if (closing) link.close();
            else link.detach();
        }
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
            pending.reject(serverError(code, message, false));
        } else if ("result" in data) {
            pending.resolve(data["result"]);
        } else {
            pending.reject(new RPCError(0, "malformed reply: neither result nor error", "server"));
        }
    }
}

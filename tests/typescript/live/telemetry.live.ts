// Telemetry, live (issue 18): the generated TypeScript SDK with its OpenTelemetry hook against a real Centrifugo and
// a bridge that traces (`python -m tests.fixture run --telemetry`: OpenTelemetry's in-memory exporter in the bridge
// process, read back with `telemetry.spans`). Over both transports: the client span, the bridge's server span and
// the handler's span are one trace with the expected attributes; an application error and a timeout are recorded
// with their kind; the duration histogram counts what was called.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";

import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

import { openTelemetryHook as debugHook } from "./debug/typescript/rpc-telemetry.js";
import * as debug from "./debug/typescript/index.js";
import { openTelemetryHook } from "./tasks/typescript/rpc-telemetry.js";
import * as tasks from "./tasks/typescript/index.js";

function env(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run under \`python -m tests.fixture run --telemetry\``);
    return value;
}

const URL = env("CENTRIFUGO_URL");
const SECRET = env("CENTRIFUGO_TOKEN_SECRET");
const BRIDGE = env("RPCC_BRIDGE_URL");
const PROXY_SECRET = env("RPCC_PROXY_SECRET");
const USER = "ts-telemetry";
const TRANSPORTS = ["rpc", "pubsub"] as const;

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

function token(user: string): string {
    const b64 = (text: string): string => Buffer.from(text).toString("base64url");
    const header = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = b64(JSON.stringify({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600 }));
    return `${header}.${payload}.${createHmac("sha256", SECRET).update(`${header}.${payload}`).digest("base64url")}`;
}

/** A reader that exports nothing: the test collects from it. */
class TestReader extends MetricReader {
    protected override async onForceFlush(): Promise<void> {}
    protected override async onShutdown(): Promise<void> {}
}

class Telemetry {
    readonly spans = new InMemorySpanExporter();
    readonly tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.spans)] });
    readonly reader = new TestReader();
    readonly meterProvider = new MeterProvider({ readers: [this.reader] });

    clientSpans(): Map<string, ReadableSpan> {
        const spans = this.spans.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
        return new Map(spans.map((span) => [span.name, span]));
    }

    /** Data point counts of histogram `name`, keyed by its attributes as sorted JSON. */
    async histogramCounts(name: string): Promise<Map<string, number>> {
        const counts = new Map<string, number>();
        const { resourceMetrics } = await this.reader.collect();
        for (const scope of resourceMetrics.scopeMetrics) {
            for (const metric of scope.metrics) {
                if (metric.descriptor.name !== name) continue;
                for (const point of metric.dataPoints) {
                    const value = point.value as { count: number };
                    counts.set(sortedJson(point.attributes), value.count);
                }
            }
        }
        return counts;
    }
}

function sortedJson(attributes: Record<string, unknown>): string {
    return JSON.stringify(Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b))));
}

interface BridgeSpan {
    name: string;
    kind: string;
    trace_id: string;
    span_id: string;
    parent_span_id: string | null;
    status: string;
    attributes: Record<string, unknown>;
}

/** The spans the bridge process finished, as telemetry.spans reads them from its in-memory exporter. */
async function bridgeSpans(): Promise<BridgeSpan[]> {
    const response = await fetch(`${BRIDGE}/centrifugo/rpc`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Rpcc-Proxy-Secret": PROXY_SECRET },
        body: JSON.stringify({ client: "test", user: USER, method: "telemetry.spans", data: {} }),
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { result: { data: { spans: BridgeSpan[] } } };
    return answer.result.data.spans;
}

/** Polls until the bridge holds `count` spans of `traceId`: over pubsub the server span ends after the reply's
 * publish, a moment after the client got the reply. The deadline only bounds a failure. */
async function spansOfTrace(traceId: string, count: number): Promise<BridgeSpan[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
        const found = (await bridgeSpans()).filter((span) => span.trace_id === traceId);
        if (found.length >= count || Date.now() > deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

async function connected(transport: "rpc" | "pubsub"): Promise<tasks.CentrifugoRPCClient> {
    const client = new tasks.CentrifugoRPCClient(URL, token(USER), USER, { transport });
    await client.connect();
    return client;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
        await promise;
    } catch (error) {
        return error;
    }
    assert.fail("the call did not reject");
}

for (const transport of TRANSPORTS) {
    describe(`telemetry over ${transport}`, () => {
        test("one trace from the client through the bridge to the handler", async () => {
            const telemetry = new Telemetry();
            const client = await connected(transport);
            tasks.setCallHook(client, openTelemetryHook(telemetry));
            const api = new tasks.APIClient(client);
            const tracer = telemetry.tracerProvider.getTracer("test");
            const root = tracer.startSpan("test root");
            await context.with(trace.setSpan(context.active(), root), async () => {
                assert.deepEqual(await client.call("telemetry.traced", { value: 41 }), { value: 42 });
                assert.ok((await api.tasksGetStats({ user_id: USER })).total >= 0); // typed methods are hooked too
            });
            root.end();
            client.close();
            const spans = telemetry.clientSpans();
            assert.deepEqual([...spans.keys()].sort(), ["tasks.get_stats", "telemetry.traced"]);
            const call = spans.get("telemetry.traced")!;
            assert.equal(call.parentSpanContext?.spanId, root.spanContext().spanId);
            assert.equal(call.attributes["rpc.system.name"], "centrifugo");
            assert.equal(call.attributes["rpc.system"], "centrifugo");
            assert.equal(call.attributes["rpc.method"], "telemetry.traced");
            assert.equal(call.attributes["rpcc.transport"], transport);
            assert.ok((call.attributes["rpcc.request.size"] as number) > 0);
            assert.equal(call.attributes["rpcc.response.size"], '{"value":42}'.length);
            assert.equal(call.attributes["error.type"], undefined);
            assert.equal(call.status.code, SpanStatusCode.UNSET);

            const inTrace = await spansOfTrace(call.spanContext().traceId, 3);
            const byName = new Map(inTrace.map((span) => [`${span.name}/${span.kind}`, span]));
            const server = byName.get("telemetry.traced/SERVER");
            assert.ok(server, `no server span in ${JSON.stringify(inTrace)}`);
            assert.equal(server.parent_span_id, call.spanContext().spanId);
            assert.deepEqual(server.attributes, {
                "rpc.system.name": "centrifugo",
                "rpc.system": "centrifugo",
                "rpc.method": "telemetry.traced",
                "rpcc.transport": transport,
            });
            assert.equal(byName.get("handler work/INTERNAL")?.parent_span_id, server.span_id);
            // Both calls ran under the root span: one trace, each call with its server span.
            const statsServer = byName.get("tasks.get_stats/SERVER");
            assert.equal(statsServer?.parent_span_id, spans.get("tasks.get_stats")!.spanContext().spanId);
        });

        test("an error and a timeout are recorded with their kind", async () => {
            const telemetry = new Telemetry();
            const client = new debug.CentrifugoRPCClient(URL, token(USER), USER, { transport });
            await client.connect();
            debug.setCallHook(client, debugHook(telemetry));
            const api = new debug.APIClient(client);
            const failed = await rejection(api.debugFail({ code: 1777, message: "on purpose" }));
            assert.ok(failed instanceof debug.RPCError && failed.code === 1777);
            const late = await rejection(api.debugSleep({ seconds: 2 }, { timeout: 300 }));
            assert.ok(late instanceof debug.RPCError && late.kind === "timeout");
            client.close();
            const spans = telemetry.clientSpans();
            const fail = spans.get("debug.fail")!;
            assert.equal(fail.status.code, SpanStatusCode.ERROR);
            assert.equal(fail.status.message, "on purpose");
            assert.equal(fail.attributes["error.type"], "application");
            assert.equal(fail.attributes["rpc.response.status_code"], "1777");
            const sleep = spans.get("debug.sleep")!;
            assert.equal(sleep.status.code, SpanStatusCode.ERROR);
            assert.equal(sleep.attributes["error.type"], "timeout");
            const server = (await spansOfTrace(fail.spanContext().traceId, 1))[0];
            assert.equal(server?.status, "ERROR");
            assert.equal(server?.attributes["rpc.response.status_code"], "1777");
        });

        test("the duration histogram counts what was called", async () => {
            const telemetry = new Telemetry();
            const client = new debug.CentrifugoRPCClient(URL, token(USER), USER, { transport });
            await client.connect();
            debug.setCallHook(client, debugHook(telemetry));
            const api = new debug.APIClient(client);
            for (let n = 0; n < 3; n++) await api.debugEcho({ value: n });
            await rejection(api.debugFail({}));
            client.close();
            const base = { "rpc.system.name": "centrifugo", "rpcc.transport": transport };
            const echo = sortedJson({ ...base, "rpc.method": "debug.echo" });
            const fail = sortedJson({ ...base, "rpc.method": "debug.fail", "error.type": "application" });
            const expected = new Map([
                [echo, 3],
                [fail, 1],
            ]);
            assert.deepEqual(await telemetry.histogramCounts("rpc.client.call.duration"), expected);
            assert.deepEqual(await telemetry.histogramCounts("rpc.client.request.size"), expected);
            assert.deepEqual(await telemetry.histogramCounts("rpc.client.response.size"), new Map([[echo, 3]]));
        });
    });
}

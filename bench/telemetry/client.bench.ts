// The TypeScript cell of the telemetry bench (bench/telemetry/run.py builds and runs it): CentrifugoRPCClient.call
// over the rpc transport against an in-process fake Centrifugo (a `ws` server on loopback that answers every rpc
// command at once, as the runtime tests' fake does), with no hook (the default: the client's own `call`), a no-op
// hook (`setCallHook(client, {})`) and `openTelemetryHook()` with the OpenTelemetry SDK (spans recorded, none
// exported).
// Prints one JSON object: variant -> seconds per call, the best of ROUNDS rounds of CALLS calls, variants interleaved.
// The seconds are CPU time of this process (client and fake server, user + system), not wall time: on a machine
// whose cores other jobs share, the wall time mostly measures the wait for a core.
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";

import { CentrifugoRPCClient, setCallHook } from "../../runtime-templates/typescript/rpc-client.js";
import type { CallHook } from "../../runtime-templates/typescript/rpc-client.js";
import { openTelemetryHook } from "../../runtime-templates/typescript/rpc-telemetry.js";

const CALLS = Number(process.env["BENCH_CALLS"] ?? "20000");
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? "5");

const variants: Record<string, () => CallHook | undefined> = {
    "no hook (default)": () => undefined,
    "no-op hook (setCallHook(client, {}))": () => ({}),
    "openTelemetryHook() (SDK)": () =>
        openTelemetryHook({ tracerProvider: new BasicTracerProvider(), meterProvider: new MeterProvider() }),
};

async function fakeCentrifugo(): Promise<{ url: string; close(): void }> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const address = server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    server.on("connection", (socket: WebSocket) => {
        socket.on("message", (raw: Buffer) => {
            for (const line of String(raw).split("\n")) {
                if (line.trim() === "") continue;
                const command = JSON.parse(line) as Record<string, unknown>;
                if (Object.keys(command).length === 0) continue; // pong
                const id = command["id"];
                if ("connect" in command)
                    socket.send(
                        JSON.stringify({ id, connect: { client: "bench", version: "0.0.0", ping: 25, pong: true } }),
                    );
                else if ("rpc" in command)
                    socket.send(
                        JSON.stringify({ id, rpc: { data: (command["rpc"] as Record<string, unknown>)["data"] } }),
                    );
                else socket.send(JSON.stringify({ id }));
            }
        });
    });
    return {
        url: `ws://127.0.0.1:${address.port}/connection/websocket`,
        close() {
            for (const socket of server.clients) socket.terminate();
            server.close();
        },
    };
}

async function timeCalls(url: string, makeHook: () => CallHook | undefined): Promise<number> {
    const client = new CentrifugoRPCClient(url, "token", "bench");
    await client.connect();
    const hook = makeHook();
    if (hook !== undefined) setCallHook(client, hook);
    const params = { value: { id: 42, name: "bench", tags: ["a", "b"], score: 0.5 } };
    for (let n = 0; n < 200; n++) await client.call("debug.echo", params);
    const start = process.cpuUsage();
    for (let n = 0; n < CALLS; n++) await client.call("debug.echo", params);
    const used = process.cpuUsage(start);
    const elapsed = (used.user + used.system) / 1e6;
    client.close();
    return elapsed / CALLS;
}

const fake = await fakeCentrifugo();
const results: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
    const order = Object.entries(variants);
    if (round % 2) order.reverse();
    for (const [name, makeHook] of order) results[name]!.push(await timeCalls(fake.url, makeHook));
}
fake.close();
console.log(
    JSON.stringify(Object.fromEntries(Object.entries(results).map(([name, times]) => [name, Math.min(...times)]))),
);

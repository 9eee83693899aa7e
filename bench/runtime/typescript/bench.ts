// Runtime bench, TypeScript: the generated typed call `api.debugEcho({ value })` against the raw SDK call
// (centrifuge on npm, `centrifuge.rpc("debug.echo", {...})`; for pub/sub a minimal subscribe/publish/correlate
// written here), over both transports, with 1 and 100 calls in flight. bench/runtime/run.py bundles it with
// esbuild (the generated SDK comes in through the `live-sdk` alias) and runs it under tests/fixture.
//
//   node bench.mjs --calls 2000 --warmup 200 --rounds 3 --max-seconds 10
//
// Prints one JSON object per measurement (see bench/runtime/python/bench.py for the fields).
import { createHmac, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";

import { Centrifuge } from "centrifuge";
import WebSocket from "ws";

import * as live from "live-sdk";

const VALUE = { id: 42, name: "bench", tags: ["a", "b"], score: 0.5 };

function arg(name: string, fallback: number | string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : String(fallback);
}

function token(user: string): string {
    const enc = (s: string | Buffer) => Buffer.from(s).toString("base64url");
    const unsigned = `${enc('{"alg":"HS256","typ":"JWT"}')}.${enc(JSON.stringify({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600 }))}`;
    return `${unsigned}.${createHmac("sha256", process.env.CENTRIFUGO_TOKEN_SECRET!).update(unsigned).digest("base64url")}`;
}

/** The least a user writes to call over pub/sub with the raw SDK: own channel, publish, match the reply. */
class RawPubSub {
    private pending = new Map<string, (data: any) => void>();
    constructor(private client: Centrifuge, private user: string) {}
    async start(): Promise<void> {
        const sub = this.client.newSubscription(`user#${this.user}`);
        sub.on("publication", (ctx) => {
            const resolve = this.pending.get(ctx.data?.correlation_id);
            if (resolve) {
                this.pending.delete(ctx.data.correlation_id);
                resolve(ctx.data);
            }
        });
        sub.subscribe();
        await sub.ready(10000);
    }
    async call(method: string, params: unknown): Promise<any> {
        const id = randomBytes(16).toString("hex");
        const reply = new Promise<any>((resolve) => this.pending.set(id, resolve));
        await this.client.publish("rpc:requests", { method, params, correlation_id: id, reply_to: `user#${this.user}` });
        const data = await reply;
        if (data.error != null) throw new Error(JSON.stringify(data.error));
        return data.result;
    }
}

async function measure(call: () => Promise<unknown>, count: number, inflight: number, maxSeconds: number) {
    const lat: number[] = [];
    const started = performance.now();
    const deadline = started + maxSeconds * 1000;
    let issued = 0;
    const worker = async () => {
        while (issued < count && performance.now() < deadline) {
            issued++;
            const t0 = performance.now();
            await call();
            lat.push(Math.round((performance.now() - t0) * 1000));
        }
    };
    await Promise.all(Array.from({ length: inflight }, worker));
    return { elapsed: (performance.now() - started) / 1000, lat };
}

function same(a: unknown): void {
    if (JSON.stringify(a) !== JSON.stringify(VALUE)) throw new Error(`echo mismatch: ${JSON.stringify(a)}`);
}

async function main(): Promise<void> {
    const url = process.env.CENTRIFUGO_URL!;
    const calls = Number(arg("calls", 2000)), warmup = Number(arg("warmup", 200));
    const rounds = Number(arg("rounds", 3)), maxSeconds = Number(arg("max-seconds", 10));
    const inflights = arg("inflight", "1,100").split(",").map(Number);
    for (const transport of ["rpc", "pubsub"] as const) {
        const genUser = `ts-gen-${transport}`, rawUser = `ts-raw-${transport}`;
        const client = new live.CentrifugoRPCClient(url, token(genUser), genUser, { transport, timeout: 30000, websocket: WebSocket });
        const api = new live.APIClient(client);
        await client.connect();
        const raw = new Centrifuge(url, { token: token(rawUser), websocket: WebSocket, timeout: 30000 });
        raw.connect();
        await raw.ready(10000);
        const pubsub = new RawPubSub(raw, rawUser);
        if (transport === "pubsub") await pubsub.start();
        const fns: Record<string, () => Promise<unknown>> = {
            generated: async () => same((await api.debugEcho({ value: VALUE })).value),
            raw: async () =>
                same(transport === "rpc"
                    ? ((await raw.rpc("debug.echo", { value: VALUE })).data as any).value
                    : (await pubsub.call("debug.echo", { value: VALUE })).value),
        };
        for (const inflight of inflights) {
            for (const fn of Object.values(fns)) await measure(fn, warmup, inflight, maxSeconds);
            for (let round = 0; round < rounds; round++) {
                for (const kind of round % 2 === 0 ? ["generated", "raw"] : ["raw", "generated"]) {
                    const { elapsed, lat } = await measure(fns[kind]!, calls, inflight, maxSeconds);
                    console.log(JSON.stringify({ lang: "typescript", transport, inflight, kind, round, elapsed_s: elapsed, lat_us: lat }));
                }
            }
        }
        client.close();
        raw.disconnect();
    }
}

main().then(() => process.exit(0), (error) => {
    console.error(error);
    process.exit(1);
});

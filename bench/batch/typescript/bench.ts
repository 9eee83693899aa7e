// Batch bench, TypeScript: 100 small typed calls (debug.echo) as one batch, one after another, and all at once
// (Promise.all), over both transports. Run under tests/fixture (bench/batch/run.py does).
//
//     node bench.js --calls 100 --rounds 20
//
// Prints one JSON object per measurement: lang, transport, mode (batch | sequential | concurrent), round, ms.
import WebSocket from "ws";

import * as live from "./sdk/typescript/index.js";

function flag(name: string, fallback: number): number {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

function env(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run under tests/fixture`);
    return value;
}

const calls = flag("calls", 100);
const rounds = flag("rounds", 20);

for (const transport of ["rpc", "pubsub"] as const) {
    const client = new live.CentrifugoRPCClient(env("CENTRIFUGO_URL"), env("CENTRIFUGO_TOKEN"), env("CENTRIFUGO_USER"), {
        transport,
        timeout: 30000,
        websocket: WebSocket,
    });
    await client.connect();
    const api = new live.APIClient(client);
    const call = (i: number): Promise<live.EchoResult> => api.debugEcho({ value: i });
    const modes: Record<string, () => Promise<void>> = {
        sequential: async () => {
            for (let i = 0; i < calls; i++) await call(i);
        },
        concurrent: async () => {
            await Promise.all(Array.from({ length: calls }, (_, i) => call(i)));
        },
        batch: async () => {
            const results = await client.batch(() => Array.from({ length: calls }, (_, i) => call(i)), {
                maxBatch: calls,
            });
            if (results.some((entry) => entry instanceof live.RPCError)) throw new Error("a batch entry failed");
        },
    };
    const names = Object.keys(modes);
    for (const name of names) await modes[name]!(); // warm-up
    for (let round = 0; round < rounds; round++) {
        // The order of the modes rotates each round, so that none always runs first.
        for (let k = 0; k < names.length; k++) {
            const name = names[(round + k) % names.length]!;
            const start = performance.now();
            await modes[name]!();
            const ms = Math.round((performance.now() - start) * 1000) / 1000;
            console.log(JSON.stringify({ lang: "typescript", transport, mode: name, round, calls, ms }));
        }
    }
    client.close();
}

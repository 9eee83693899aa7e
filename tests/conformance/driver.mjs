// Conformance driver of the generated TypeScript SDK (protocol: check_vectors.py).
//
//     node driver.mjs SDK_DIR      SDK_DIR: the compiled package rpcc generated from conformance.rpc
//
// The TypeScript SDK has no run-time decoder: a result is what centrifuge-js's JSON codec parsed (JSON.parse of the
// frame) and params are what it serializes (JSON.stringify). The types of types.ts hold at compile time only, so
// values that do not fit them pass through unchanged (the vectors record it).
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import path from "node:path";

const sdk = await import(pathToFileURL(path.join(process.argv[2], "dist", "index.js")).href);
if (typeof sdk.CentrifugoRPCClient !== "function") throw new Error("the SDK does not export CentrifugoRPCClient");

for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === "") continue;
    const input = JSON.parse(line);
    const answer = { name: input.name };
    try {
        const decoded = JSON.parse(input.in); // centrifuge-js: the reply frame's data
        answer.out = JSON.stringify(decoded); // centrifuge-js: the command's data
    } catch (error) {
        answer.error = String(error);
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
}

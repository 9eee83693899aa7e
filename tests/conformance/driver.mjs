// Conformance driver of the generated TypeScript SDK (protocol: check_vectors.py).
//
//     node driver.mjs SDK_DIR      SDK_DIR: the compiled package rpcc generated from conformance.rpc
//
// A vector's `in` goes the way a result does: parseJson (the connection's codec: JSON.parse, except that an integer
// beyond 2^53 - 1 keeps every digit, as a bigint), then the generated schema's check of the vector's type (what the
// typed methods do: JSON types, required fields, integers in the SDK's representation; a mismatch is an
// RPCReplyError). `out` is what the codec sends back: stringifyJson.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import path from "node:path";

const dist = path.join(process.argv[2], "dist");
const sdk = await import(pathToFileURL(path.join(dist, "index.js")).href);
const { schema } = await import(pathToFileURL(path.join(dist, "schema.js")).href);
for (const name of ["parseJson", "stringifyJson", "RPCReplyError"]) {
    if (typeof sdk[name] !== "function") throw new Error(`the SDK does not export ${name}`);
}

for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === "") continue;
    const input = JSON.parse(line);
    const answer = { name: input.name };
    try {
        const decoded = schema.check(input.type, sdk.parseJson(input.in)); // a result of the typed method
        answer.out = sdk.stringifyJson(decoded); // the command's data
    } catch (error) {
        answer.error = String(error);
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
}

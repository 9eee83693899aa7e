// Conformance driver of the generated TypeScript SDK (protocol: check_vectors.py).
//
//     node driver.mjs SDK_DIR      SDK_DIR: the compiled package rpcc generated from conformance.rpc
//
// A vector's `in` goes the way a result does: parseJson (the connection's codec: JSON.parse, except that an integer
// beyond 2^53 - 1 keeps every digit, as a bigint), then the generated schema's check of the vector's type (what the
// typed methods do: JSON types, required fields, integers in the SDK's representation; a mismatch is an
// RPCReplyError). `out` is what the codec sends back: stringifyJson.
//
// A publication case goes to a ChannelSubscription made as the generated subscribe methods make it (the channel's
// check from schema.publication), attached to a stand-in for the centrifuge-js client: the driver fires the
// subscription's "publication" event with the parsed data, as centrifuge-js does, and answers what reached the
// onPublication handler, or the RPCPublicationError its onError handler was told.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import path from "node:path";

const dist = path.join(process.argv[2], "dist");
const sdk = await import(pathToFileURL(path.join(dist, "index.js")).href);
const { schema } = await import(pathToFileURL(path.join(dist, "schema.js")).href);
for (const name of ["parseJson", "stringifyJson", "RPCReplyError", "ChannelSubscription", "RPCPublicationError"]) {
    if (typeof sdk[name] !== "function") throw new Error(`the SDK does not export ${name}`);
}

/** What a subscription to `channel` does with a publication whose data is `data` (the codec's parse). */
function publication(channel, data) {
    const delivered = [];
    const reported = [];
    const events = new Map();
    const centrifuge = {
        newSubscription: () => ({
            on: (event, handler) => events.set(event, handler),
            subscribe: () => {},
            removeAllListeners: () => events.clear(),
        }),
        removeSubscription: () => {},
    };
    const host = { adopt: () => centrifuge, release: () => {} };
    const options = { onPublication: (value) => delivered.push(value), onError: (error) => reported.push(error) };
    new sdk.ChannelSubscription(channel, schema.publication(channel), options, false, host);
    events.get("publication")({ channel, data, offset: 1 });
    if (reported.length === 1 && delivered.length === 0 && reported[0] instanceof sdk.RPCPublicationError) {
        return { reported: String(reported[0]) };
    }
    if (delivered.length === 1 && reported.length === 0) return { out: sdk.stringifyJson(delivered[0]) };
    return { error: `delivered ${delivered.length}, reported ${reported.map(String)}` };
}

for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === "") continue;
    const input = JSON.parse(line);
    const answer = { name: input.name };
    try {
        if (input.channel !== undefined) {
            Object.assign(answer, publication(input.channel, sdk.parseJson(input.in)));
            process.stdout.write(JSON.stringify(answer) + "\n");
            continue;
        }
        const decoded = schema.check(input.type, sdk.parseJson(input.in)); // a result of the typed method
        answer.out = sdk.stringifyJson(decoded); // the command's data
    } catch (error) {
        answer.error = String(error);
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
}

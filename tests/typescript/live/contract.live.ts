// The contract check live (spec/evolution.md, "Comparing hashes at run time"), run by tests/typescript/run.sh live
// under a second fixture whose bridge serves the debug handlers only, with --on-contract-mismatch refuse and
// tasks.rpc's hash given as an older one (--contract-older). `newer` is the debug handlers' file with one more
// method: a client of a newer contract.
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { describe, test } from "node:test";

import * as debug from "./debug/typescript/index.js";
import * as newer from "./newer/typescript/index.js";
import * as tasks from "./tasks/typescript/index.js";

function env(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run under \`python -m tests.fixture run\``);
    return value;
}

const URL = env("CENTRIFUGO_URL");
const SECRET = env("CENTRIFUGO_TOKEN_SECRET");
const BRIDGE_URL = env("RPCC_BRIDGE_URL");

function mintToken(user: string): string {
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url");
    const body = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
    return `${body}.${createHmac("sha256", SECRET).update(body).digest("base64url")}`;
}

async function stats(): Promise<Record<string, number>> {
    const response = await fetch(`${BRIDGE_URL}/health`);
    return ((await response.json()) as { stats: Record<string, number> }).stats;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
        await promise;
    } catch (error) {
        return error;
    }
    assert.fail("the call resolved; it should have rejected");
}

for (const transport of ["rpc", "pubsub"] as const) {
    describe(`a refusing bridge over ${transport}`, () => {
        test("passes its own contract, refuses an older one (426) and another one (412), accepts none", async () => {
            const user = `ts-contract-${randomUUID()}`;
            const options = { transport, timeout: 8000 };
            const before = await stats();

            const own = new debug.CentrifugoRPCClient(URL, mintToken(user), user, options);
            await own.connect();
            try {
                const echo = await new debug.APIClient(own).debugEcho({ value: [1, "x"] });
                assert.deepEqual(echo.value, [1, "x"]);
                assert.equal((await stats())["contract_match"], (before["contract_match"] ?? 0) + 1);
            } finally {
                own.close();
            }

            // A base client no APIClient wraps sends no hash (as an SDK older than hashes): accepted by the default
            // rule. (Wrapping one sets its contractHash, so that calls by name send it too.)
            const raw = new debug.CentrifugoRPCClient(URL, mintToken(user), user, options);
            await raw.connect();
            try {
                assert.equal(raw.contractHash, undefined);
                assert.equal((await raw.call<{ value: unknown }>("debug.echo", { value: 2 })).value, 2);
            } finally {
                raw.close();
            }

            const old = new tasks.CentrifugoRPCClient(URL, mintToken(user), user, options);
            await old.connect();
            try {
                const error = await rejection(new tasks.APIClient(old).systemHealth());
                assert.ok(error instanceof tasks.RPCContractError, `expected RPCContractError, got ${String(error)}`);
                assert.deepEqual([error.kind, error.code, error.older], ["server", 426, true]);
                assert.match(
                    error.message,
                    new RegExp(`contract ${tasks.CONTRACT_HASH} is older than the server's ${debug.CONTRACT_HASH}`),
                );
            } finally {
                old.close();
            }

            const next = new newer.CentrifugoRPCClient(URL, mintToken(user), user, options);
            await next.connect();
            try {
                const error = await rejection(new newer.APIClient(next).debugEcho({ value: 1 }));
                assert.ok(error instanceof newer.RPCContractError, `expected RPCContractError, got ${String(error)}`);
                assert.deepEqual([error.code, error.older], [412, false]);
                assert.match(error.message, new RegExp(`contract ${newer.CONTRACT_HASH} differs from the server's`));
            } finally {
                next.close();
            }

            const after = await stats();
            assert.equal(after["contract_missing"], (before["contract_missing"] ?? 0) + 1);
            assert.equal(after["contract_older"], (before["contract_older"] ?? 0) + 1);
            assert.equal(after["contract_mismatch"], (before["contract_mismatch"] ?? 0) + 2);
        });
    });
}

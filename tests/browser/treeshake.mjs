// Tree-shaking and dependencies of the generated TypeScript client, in the two bundlers front ends use most
// (Vite/Rolldown, as in examples/web, and esbuild). For every spec/examples/*.rpc and tests/typescript/edge/*.rpc:
//
//   - an app that calls one method keeps none of the const objects of the API's enums (their runtime code), while
//     an app that keeps the whole package holds every one of them (the control that the marker works);
//   - that app takes no npm package beyond what `centrifuge` alone brings, and never `ws`;
//   - the generated package.json depends on `centrifuge` only (`ws` is optional, for Node.js 20);
//   - telemetry costs an app nothing unless it imports the `./telemetry` entry: the one-method app holds none of
//     rpc-telemetry.ts and no @opentelemetry package, while an app that calls
//     `setCallHook(client, openTelemetryHook())` holds both (the control); nor does it hold the call hooks of
//     rpc-client.ts (setCallHook: the CallInfo, the timing, the sizes, errorKind), which only an app that sets a hook
//     holds (the control again). The baseline: the same app against a copy of the SDK whose rpc-client.ts has the
//     block of the call hooks cut out (and index.ts their exports), i.e. the client as it was before telemetry; the
//     client outside that block may not mention hooks, and the app's bundle may not grow by more than HOOK_BUDGET
//     (zero: the core client knows nothing of hooks, setCallHook wraps its `call`).
//
// Each is checked with the generated package.json and again without its "sideEffects": false.
// Run by tests/browser/run.sh after `npm ci` in examples/web and tests/browser; RPCC is the rpcc binary.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { bundle, packagesOf, REPO, WEB } from "../../bench/bundle/lib.mjs";

const RPCC = resolve(process.env.RPCC ?? "build/rpcc");
const OUT = resolve(REPO, "build/browser/treeshake");
const inputs = [
    ...readdirSync(join(REPO, "spec/examples")).map((name) => join(REPO, "spec/examples", name)),
    ...readdirSync(join(REPO, "tests/typescript/edge")).map((name) => join(REPO, "tests/typescript/edge", name)),
].filter((path) => path.endsWith(".rpc"));

// rpc-telemetry.ts's histogram name: in a bundle only if the telemetry entry is.
const TELEMETRY_MARK = "rpc.client.call.duration";
// The call hooks' (rpc-client.ts) calls of a CallHook: property names, which minifiers keep. With errorKind's
// "bad_reply", only in a bundle that sets a hook.
const HOOK_MARKS = ["callStarted", "callFinished", "bad_reply"];
// What the call hooks may add to the one-method app of tasks.rpc (bytes, in each bundler), against the same client
// without them: nothing. (It was 307 B minified / 165 B gzipped with a `hook` field tested in every call and the
// trace context and sizes handed over by the core; 940 / 389 with the whole hook machinery in the core:
// bench/telemetry/BUNDLE.md.)
const HOOK_BUDGET = { min: 0, gzip: 0 };
// The block of rpc-client.ts that holds the call hooks, and index.ts's exports of them.
const HOOK_BLOCK = /\n\/\/ The call hooks \(issue 18\)[^]*?\n\/\/ End of the call hooks\.\n/;
const HOOK_EXPORTS = /\nexport (?:type )?\{ (?:TRACE_FIELD|CallHook)\b[^\n]*/g;
// What the client outside that block may not name: it calls no hook and hands one nothing.
const HOOK_WORDS = /hook|CallInfo|TRACE_FIELD|\$trace/i;

/** `source` without `pattern`, which must match (a change that breaks the cut fails the test: update it). */
function cut(source, pattern, file) {
    if (source.search(pattern) < 0) throw new Error(`treeshake.mjs: ${file} no longer matches ${pattern}`);
    return source.replace(pattern, "");
}
// @opentelemetry/api for the telemetry app's bundle, from tests/browser's own pinned packages.
const OTEL_ALIAS = {
    "@opentelemetry/api": join(REPO, "tests/browser/node_modules/@opentelemetry/api/build/esm/index.js"),
};

let failures = 0;
function check(condition, what, detail = "") {
    if (condition) console.log(`ok ${what}`);
    else {
        failures++;
        console.error(`FAIL ${what}${detail ? `: ${detail}` : ""}`);
    }
}

/** The enum const objects of a generated types.ts: [{ name, keys }]. */
function enumObjects(types) {
    const found = [];
    for (const match of types.matchAll(/^export const (\w+) = \{\n([\s\S]*?)^\} as const;/gm)) {
        const keys = [...match[2].matchAll(/^ {4}(?:"([^"]+)"|(\w+)):/gm)].map((key) => key[1] ?? key[2]);
        found.push({ name: match[1], keys });
    }
    return found;
}

/** True when the minified code holds an object literal property `key` (quoted or not). */
function hasKey(code, key) {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`[{,]\\s*(?:${escaped}|"${escaped}"|'${escaped}')\\s*:`).test(code);
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
symlinkSync(join(WEB, "node_modules"), join(OUT, "node_modules"));
writeFileSync(join(OUT, "centrifuge-only.ts"), readFileSync(join(REPO, "bench/bundle/entries/centrifuge-only.ts")));
const baseline = {};
for (const bundler of ["vite", "esbuild"]) {
    baseline[bundler] = packagesOf((await bundle(bundler, join(OUT, "centrifuge-only.ts"))).modules);
}
console.log(`centrifuge alone brings: ${baseline.vite.join(", ")}`);

for (const input of inputs) {
    const name = basename(input, ".rpc");
    const dir = join(OUT, name);
    execFileSync(RPCC, [input, "-o", join(dir, "sdk"), "--lang", "typescript"]);
    const sdk = join(dir, "sdk/typescript");
    const pkg = JSON.parse(readFileSync(join(sdk, "package.json"), "utf8"));
    check(
        JSON.stringify(Object.keys(pkg.dependencies ?? {})) === '["centrifuge"]' &&
            JSON.stringify(Object.keys(pkg.optionalDependencies ?? {})) === '["ws"]' &&
            pkg.sideEffects === false,
        `${name}: package.json depends on centrifuge only (ws optional) and says "sideEffects": false`,
        JSON.stringify([pkg.dependencies, pkg.optionalDependencies]),
    );
    const enums = enumObjects(readFileSync(join(sdk, "types.ts"), "utf8"));
    const method = /^ {4}async (\w+)\(/m.exec(readFileSync(join(sdk, "client.ts"), "utf8"))?.[1];
    const wire = new RegExp(`async ${method}\\([^]*?call<[^>]*>\\("([^"]+)"`).exec(
        readFileSync(join(sdk, "client.ts"), "utf8"),
    )?.[1];
    writeFileSync(
        join(dir, "one.ts"),
        `import { APIClient, CentrifugoRPCClient } from "./sdk/typescript/index.js";\n` +
            `const client = new CentrifugoRPCClient("ws://127.0.0.1:8000/connection/websocket", "token", "user");\n` +
            `await client.connect();\n` +
            `console.log(await new APIClient(client).${method}({} as never));\n`,
    );
    writeFileSync(join(dir, "whole.ts"), `import * as sdk from "./sdk/typescript/index.js";\nconsole.log(sdk);\n`);
    writeFileSync(
        join(dir, "telemetry.ts"),
        `import { APIClient, CentrifugoRPCClient, setCallHook } from "./sdk/typescript/index.js";\n` +
            `import { openTelemetryHook } from "./sdk/typescript/rpc-telemetry.js";\n` +
            `const client = new CentrifugoRPCClient("ws://127.0.0.1:8000/connection/websocket", "token", "user");\n` +
            `setCallHook(client, openTelemetryHook());\n` +
            `await client.connect();\n` +
            `console.log(await new APIClient(client).${method}({} as never));\n`,
    );
    // Twice: as generated, and without the package's "sideEffects": false, so that the code is seen to be pure by
    // itself (bundlers ignore the hint in some set-ups, e.g. when the sources are copied into an app).
    for (const hint of [true, false]) {
        if (!hint) {
            delete pkg.sideEffects;
            writeFileSync(join(sdk, "package.json"), JSON.stringify(pkg, null, 2));
        }
        for (const bundler of ["vite", "esbuild"]) {
            const label = `${name} (${bundler}${hint ? "" : ", no sideEffects hint"})`;
            const one = await bundle(bundler, join(dir, "one.ts"));
            const whole = await bundle(bundler, join(dir, "whole.ts"));
            check(one.code.includes(wire), `${label}: the one-method app calls ${wire}`);
            check(/class\b/.test(one.code) && one.code.includes("rpc:requests"), `${label}: it holds the base client`);
            for (const { name: enumName, keys } of enums) {
                check(
                    keys.every((key) => hasKey(whole.code, key)),
                    `${label}: the whole package holds const ${enumName}`,
                );
                const kept = keys.filter((key) => hasKey(one.code, key));
                check(
                    kept.length === 0,
                    `${label}: the one-method app drops const ${enumName}`,
                    `kept ${kept.join(", ")}`,
                );
            }
            const packages = packagesOf(one.modules);
            const extra = packages.filter((p) => !baseline[bundler].includes(p));
            check(
                extra.length === 0,
                `${label}: no npm package beyond centrifuge's own (${packages.join(", ")})`,
                `extra ${extra.join(", ")}`,
            );
            check(!/WebSocketServer|ws does not work in the browser/.test(one.code), `${label}: no ws in the bundle`);
            const traced = await bundle(bundler, join(dir, "telemetry.ts"), { alias: OTEL_ALIAS });
            check(
                !one.code.includes(TELEMETRY_MARK) && !packages.some((p) => p.startsWith("@opentelemetry/")),
                `${label}: the one-method app holds no telemetry code and no @opentelemetry package`,
            );
            check(
                traced.code.includes(TELEMETRY_MARK) && packagesOf(traced.modules).includes("@opentelemetry/api"),
                `${label}: an app that turns telemetry on holds rpc-telemetry.ts and @opentelemetry/api (control)`,
            );
            const hookCode = HOOK_MARKS.filter((mark) => one.code.includes(mark));
            check(
                hookCode.length === 0,
                `${label}: the one-method app holds no hook code (setCallHook, errorKind)`,
                `kept ${hookCode.join(", ")}`,
            );
            check(
                HOOK_MARKS.every((mark) => traced.code.includes(mark)),
                `${label}: an app that sets a hook holds the hook code (control)`,
            );
            if (hint)
                console.log(
                    `   ${label}: one method ${one.gzip} B gzipped, whole package ${whole.gzip} B gzipped, ` +
                        `with telemetry on ${traced.gzip} B gzipped`,
                );
        }
    }
}
// The call hooks in the one-method app of tasks.rpc: the same app against a copy of its SDK without them.
{
    const dir = join(OUT, "tasks");
    const bare = join(OUT, "tasks-without-hooks");
    execFileSync(RPCC, [join(REPO, "spec/examples/tasks.rpc"), "-o", join(bare, "sdk"), "--lang", "typescript"]);
    const client = join(bare, "sdk/typescript/rpc-client.ts");
    const withoutHooks = cut(readFileSync(client, "utf8"), HOOK_BLOCK, "rpc-client.ts");
    writeFileSync(client, withoutHooks);
    const index = join(bare, "sdk/typescript/index.ts");
    writeFileSync(index, cut(readFileSync(index, "utf8"), HOOK_EXPORTS, "index.ts"));
    const named = HOOK_WORDS.exec(withoutHooks);
    check(
        named === null,
        "rpc-client.ts outside the block of the call hooks knows nothing of hooks",
        `it names ${named?.[0]} at offset ${named?.index}`,
    );
    writeFileSync(join(bare, "one.ts"), readFileSync(join(dir, "one.ts")));
    for (const bundler of ["vite", "esbuild"]) {
        const hooked = await bundle(bundler, join(dir, "one.ts"));
        const without = await bundle(bundler, join(bare, "one.ts"));
        const grown = { min: hooked.min - without.min, gzip: hooked.gzip - without.gzip };
        check(
            grown.min <= HOOK_BUDGET.min && grown.gzip <= HOOK_BUDGET.gzip,
            `tasks (${bundler}): the call hooks add ${grown.min} B minified, ${grown.gzip} B gzipped ` +
                `to the one-method app (budget ${HOOK_BUDGET.min} / ${HOOK_BUDGET.gzip})`,
        );
        const signed = (bytes) => (bytes < 0 ? `${bytes}` : `+${bytes}`);
        console.log(
            `   tasks (${bundler}): call hooks ${signed(grown.min)} B minified, ${signed(grown.gzip)} B gzipped ` +
                `(${hooked.min} / ${hooked.gzip} B against ${without.min} / ${without.gzip} B without them)`,
        );
    }
}
console.log(failures === 0 ? "tree-shaking test passed" : `${failures} tree-shaking check(s) failed`);
process.exit(failures === 0 ? 0 : 1);

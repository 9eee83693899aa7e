// End-to-end test of examples/web in Debian's headless Chromium (playwright-core; never a downloaded browser).
// Run by tests/browser/run.sh inside `python -m tests.fixture run --allowed-origin http://127.0.0.1:$PAGE_PORT`,
// after `npm run build` of examples/web with VITE_CENTRIFUGO_URL=$CENTRIFUGO_URL. It serves the production build
// with `vite preview` (and the development token endpoint) on $PAGE_PORT, clicks through tasks.create,
// tasks.get_stats and a failing tasks.update over both transports, checks what the page shows and what went over
// the WebSocket, shows live task events that Python publishes into the user's channel (typed, and a wrongly shaped
// one reported without ending the subscription), checks that Centrifugo refuses every other origin, and keeps
// screenshots in $ARTIFACT_DIR.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const env = process.env;
for (const name of [
    "PAGE_PORT",
    "CENTRIFUGO_URL",
    "CENTRIFUGO_HTTP_URL",
    "CENTRIFUGO_TOKEN_SECRET",
    "CENTRIFUGO_API_URL",
    "CENTRIFUGO_API_KEY",
    "PYTHON",
]) {
    if (!env[name]) throw new Error(`${name} is not set (run me through tests/browser/run.sh)`);
}
const WEB = resolve("examples/web");
const ARTIFACTS = resolve(env.ARTIFACT_DIR ?? "build/browser");
const CHROMIUM = env.CHROMIUM ?? "/usr/bin/chromium";
const ORIGIN = `http://127.0.0.1:${env.PAGE_PORT}`;
const OTHER_ORIGIN = `http://localhost:${env.PAGE_PORT}`; // same server, another origin
const USER = `browser-${process.pid}-${Date.now()}`;
const TIMEOUT = 15_000;

let failures = 0;
function check(condition, what, detail = "") {
    if (condition) {
        console.log(`ok ${what}`);
    } else {
        failures++;
        console.error(`FAIL ${what}${detail ? `: ${detail}` : ""}`);
    }
}

const cleanups = [];
async function cleanup() {
    while (cleanups.length > 0) {
        try {
            await cleanups.pop()();
        } catch (error) {
            console.error(`cleanup: ${error}`);
        }
    }
}
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) {
    process.on(signal, () => void cleanup().finally(() => process.exit(1)));
}

function filesUnder(dir) {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/** GET url; resolves with {status, body}, or null when nothing listens yet. */
function get(url) {
    return new Promise((done) => {
        const req = request(url, (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => done({ status: res.statusCode, body }));
        });
        req.on("error", () => done(null));
        req.end();
    });
}

/** The HTTP status Centrifugo answers to a WebSocket handshake that carries `origin`. */
function handshakeStatus(origin) {
    return new Promise((done, fail) => {
        const req = request(`${env.CENTRIFUGO_HTTP_URL}/connection/websocket`, {
            headers: {
                Connection: "Upgrade",
                Upgrade: "websocket",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                Origin: origin,
            },
        });
        req.on("upgrade", (res, socket) => {
            socket.destroy();
            done(res.statusCode);
        });
        req.on("response", (res) => {
            res.resume();
            done(res.statusCode);
        });
        req.on("error", fail);
        req.end();
    });
}

/** Publishes task events into `user`'s channel from Python, as the backend does (validated by the Pydantic models). */
function publishTaskEvents(user, events) {
    execFileSync(
        env.PYTHON,
        ["tests/typescript/live/publish.py", "task_events", JSON.stringify({ user_id: user }), JSON.stringify(events)],
        { env, stdio: ["ignore", "ignore", "inherit"] },
    );
}

/** Publishes raw JSON through Centrifugo's server API, around the Python side's checks. */
async function publishRaw(channel, data) {
    const response = await fetch(`${env.CENTRIFUGO_API_URL}/publish`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-API-Key": env.CENTRIFUGO_API_KEY },
        body: JSON.stringify({ channel, data }),
    });
    const answer = await response.json();
    if (response.status !== 200 || answer.error) throw new Error(`publish: ${JSON.stringify(answer)}`);
}

/** Serves the production build with `vite preview`; resolves once the token endpoint answers. */
async function startPreview() {
    const vite = join(WEB, "node_modules", "vite", "bin", "vite.js");
    const child = spawn(
        process.execPath,
        [vite, "preview", "--host", "127.0.0.1", "--port", env.PAGE_PORT, "--strictPort"],
        {
            cwd: WEB,
            env: { ...env, RPCC_DEV_TOKENS: "1", DEV_USER: USER },
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    let log = "";
    child.stdout.on("data", (chunk) => (log += chunk));
    child.stderr.on("data", (chunk) => (log += chunk));
    const exited = new Promise((done) => child.on("exit", (code) => done(code)));
    cleanups.push(async () => {
        if (child.exitCode === null) {
            process.kill(-child.pid, "SIGTERM");
            const stopped = await Promise.race([exited, new Promise((done) => setTimeout(done, 5000, "late"))]);
            if (stopped === "late") process.kill(-child.pid, "SIGKILL");
        }
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`vite preview exited with ${child.exitCode}:\n${log}`);
        const answer = await get(`${ORIGIN}/dev/centrifugo-token`);
        if (answer?.status === 200) return answer.body;
        if (Date.now() > deadline) throw new Error(`vite preview did not answer on ${ORIGIN}:\n${log}`);
        await new Promise((done) => setTimeout(done, 50)); // polling a condition, not waiting a fixed time
    }
}

async function main() {
    // 1. The secret stays on the server: not in the built page, not in what the token endpoint answers.
    const dist = join(WEB, "dist");
    const built = filesUnder(dist).map((path) => readFileSync(path, "utf8"));
    check(!built.some((text) => text.includes(env.CENTRIFUGO_TOKEN_SECRET)), "the HMAC secret is not in dist/");
    check(
        built.some((text) => text.includes(env.CENTRIFUGO_URL)),
        "dist/ was built for this Centrifugo URL",
    );
    const tokenAnswer = await startPreview();
    const session = JSON.parse(tokenAnswer);
    check(
        session.user === USER && session.token.split(".").length === 3,
        "the dev token endpoint answers {user, token}",
    );
    check(!tokenAnswer.includes(env.CENTRIFUGO_TOKEN_SECRET), "the token endpoint does not leak the secret");

    // 2. Centrifugo's allowed_origins holds exactly the page's origin.
    check((await handshakeStatus(ORIGIN)) === 101, `Centrifugo accepts a handshake from ${ORIGIN}`);
    for (const origin of [OTHER_ORIGIN, "http://127.0.0.1:1", "https://evil.example"]) {
        const status = await handshakeStatus(origin);
        check(status === 403, `Centrifugo refuses a handshake from ${origin}`, `status ${status}`);
    }

    // 3. The browser.
    mkdirSync(ARTIFACTS, { recursive: true });
    const profile = mkdtempSync(join(tmpdir(), "rpcc-chromium-"));
    cleanups.push(() => rmSync(profile, { recursive: true, force: true, maxRetries: 5 }));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        chromiumSandbox: false,
        viewport: { width: 900, height: 860 },
        args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    });
    cleanups.push(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(TIMEOUT);
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    const frames = []; // every WebSocket frame the page sent
    page.on("websocket", (ws) => ws.on("framesent", (frame) => frames.push(String(frame.payload))));

    await page.goto(`${ORIGIN}/`);
    await page.waitForSelector("body[data-ready=true]");
    check((await page.title()).includes("Tasks"), "the page loads");

    // Live task events: the page subscribes to tasks:events#<user> on load; what Python publishes shows up typed.
    await page.waitForSelector('#events-state[data-state="subscribed"]');
    check((await page.textContent("#events-state")) === "subscribed", "events: the page subscribed to its channel");
    publishTaskEvents(USER, [
        { kind: "created", task_id: 7, title: "Ship typed channels" },
        { kind: "status_changed", task_id: 7, status: "done" },
    ]);
    await publishRaw(`tasks:events#${USER}`, { kind: "created", task_id: "seven" });
    publishTaskEvents(USER, [{ kind: "created", task_id: 8, title: "After the bad one" }]);
    await page.waitForFunction(() => document.querySelectorAll("#events li").length >= 4);
    const events = await page.$$eval("#events li", (items) =>
        items.map((item) => ({ kind: item.dataset.kind, text: item.textContent })),
    );
    check(
        JSON.stringify(events.map((event) => event.kind)) ===
            JSON.stringify(["created", "status_changed", "error", "created"]),
        "events: each event arrives in order, the bad one as an error",
        JSON.stringify(events),
    );
    check(events[0]?.text === "task 7 created: Ship typed channels", "events: a creation reads well", events[0]?.text);
    check(events[1]?.text === "task 7 is now done", "events: a status change reads well", events[1]?.text);
    check(
        events[2]?.text.startsWith(`not a TaskEvent, skipped: tasks:events#${USER}: a publication does not fit`) ??
            false,
        "events: a publication that is not a TaskEvent is reported",
        events[2]?.text,
    );
    check(
        (await page.textContent("#events-state")) === "subscribed",
        "events: the subscription goes on after the bad publication",
    );
    await page.screenshot({ path: join(ARTIFACTS, "examples-web-events.png"), fullPage: true });
    const eventFrames = frames.splice(0);
    check(
        eventFrames.some((f) => f.includes(`"subscribe":{"channel":"tasks:events#${USER}"`)),
        "events: subscribed to tasks:events#<user>",
        eventFrames.join("\n").slice(0, 400),
    );

    /** Clicks a button and returns what the result card then shows. */
    async function click(selector) {
        const previous = await page.$("#result .card");
        await page.click(selector);
        await page.waitForFunction((old) => {
            const card = document.querySelector("#result .card");
            return card !== null && card !== old;
        }, previous);
        return page.$eval("#result .card", (card) => ({
            kind: card.dataset.kind,
            transport: card.dataset.transport,
            text: card.innerText,
            code: card.querySelector("[data-code]")?.dataset.code,
            fields: Object.fromEntries(
                [...card.querySelectorAll("td[data-field]")].map((td) => [td.dataset.field, td.textContent]),
            ),
        }));
    }

    // Over Centrifugo's RPC command.
    let shown = await click("#get-stats");
    check(shown.kind === "stats" && shown.transport === "rpc", "rpc: tasks.get_stats shows stats", shown.text);
    check(shown.fields.total === "0" && shown.fields.open === "0", "rpc: a new user has no tasks", shown.text);
    check(
        shown.text.startsWith("TaskStatsResult from tasks.get_stats, via rpc"),
        "rpc: the result names its type",
        shown.text,
    );
    check((await page.textContent("#status")) === `connected as ${USER} over rpc`, "rpc: the status names the user");
    shown = await click("#create");
    check(shown.kind === "task" && shown.fields.status === "open", "rpc: tasks.create shows the task", shown.text);
    check(shown.fields.title === "Write the release notes", "rpc: the task has the title typed in", shown.text);
    shown = await click("#get-stats");
    check(shown.fields.total === "1" && shown.fields.open === "1", "rpc: tasks.get_stats counts it", shown.text);
    check(shown.fields.avg_cycle === "none done yet", "rpc: avg_cycle null is shown as such", shown.text);
    await page.screenshot({ path: join(ARTIFACTS, "examples-web-stats.png"), fullPage: true });
    shown = await click("#update-missing");
    check(
        shown.kind === "error" && shown.code === "1404",
        "rpc: tasks.update on a missing task is RPCError 1404",
        shown.text,
    );
    check(
        shown.text.includes("RPCError 1404 (server): task 999999999 not found"),
        "rpc: the error reads well",
        shown.text,
    );
    const rpcFrames = frames.splice(0);
    check(
        rpcFrames.some((f) => f.includes('"rpc":{"method":"tasks.get_stats"')),
        "rpc: sent an rpc command",
    );
    check(!rpcFrames.some((f) => f.includes('"publish"')), "rpc: published nothing");

    // Over pub/sub: the page reconnects when the transport changes.
    await page.selectOption("#transport", "pubsub");
    shown = await click("#get-stats");
    check(shown.kind === "stats" && shown.transport === "pubsub", "pubsub: tasks.get_stats shows stats", shown.text);
    check(shown.fields.total === "1", "pubsub: same user, same count", shown.text);
    check((await page.textContent("#status")) === `connected as ${USER} over pubsub`, "pubsub: the status says so");
    shown = await click("#update-missing");
    check(
        shown.kind === "error" && shown.code === "1404" && shown.transport === "pubsub",
        "pubsub: tasks.update on a missing task is RPCError 1404",
        shown.text,
    );
    await page.screenshot({ path: join(ARTIFACTS, "examples-web.png"), fullPage: true });
    const pubsubFrames = frames.splice(0);
    check(
        pubsubFrames.some((f) => f.includes(`"subscribe":{"channel":"user#${USER}"`)),
        "pubsub: subscribed to user#id",
    );
    check(
        pubsubFrames.some((f) => f.includes('"publish":{"channel":"rpc:requests"') && f.includes("tasks.get_stats")),
        "pubsub: published the request to rpc:requests",
    );
    check(!pubsubFrames.some((f) => f.includes('"rpc":{')), "pubsub: sent no rpc command");

    // The same page from another origin: the browser's own WebSocket is refused there, accepted here.
    const openFrom = (target) =>
        target.evaluate(
            (url) =>
                new Promise((done) => {
                    const ws = new WebSocket(url);
                    ws.onopen = () => (ws.close(), done("open"));
                    ws.onclose = () => done("refused");
                }),
            env.CENTRIFUGO_URL,
        );
    check((await openFrom(page)) === "open", `the browser connects from ${ORIGIN}`);
    const other = await context.newPage();
    await other.goto(`${OTHER_ORIGIN}/`);
    check((await openFrom(other)) === "refused", `the browser is refused from ${OTHER_ORIGIN}`);
    check(pageErrors.length === 0, "no uncaught errors in the page", pageErrors.join("; "));
}

try {
    await main();
} catch (error) {
    failures++;
    console.error(`FAIL ${error?.stack ?? error}`);
} finally {
    await cleanup();
}
console.log(
    failures === 0 ? `browser test passed; screenshots in ${ARTIFACTS}` : `${failures} browser check(s) failed`,
);
process.exit(failures === 0 ? 0 : 1);

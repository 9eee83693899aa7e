/**
 * DEVELOPMENT ONLY: a connection-token endpoint for `vite` and `vite preview`, so the page can connect to a local
 * Centrifugo without a backend. It hands a token for one fixed user to anyone who asks: a real application mints
 * tokens in its own backend, for the user who is logged in (see README.md).
 *
 * Off unless the server is started with RPCC_DEV_TOKENS=1 and CENTRIFUGO_TOKEN_SECRET (Centrifugo's
 * client.token.hmac_secret_key). The secret stays in this Node.js process: it is not a VITE_ variable, so Vite
 * never puts it into the page.
 */
import { createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Plugin } from "vite";

export const TOKEN_PATH = "/dev/centrifugo-token";

const base64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url");

/** An HS256 Centrifugo connection JWT; `sub` is the user id. */
export function mintToken(secret: string, user: string, ttlSeconds: number): string {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = base64url(JSON.stringify({ sub: user, iat: now, exp: now + ttlSeconds }));
    const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
    return `${header}.${payload}.${signature}`;
}

export function devTokenEndpoint(env: NodeJS.ProcessEnv = process.env): Plugin {
    const secret = env["CENTRIFUGO_TOKEN_SECRET"];
    const enabled = env["RPCC_DEV_TOKENS"] === "1" && secret !== undefined && secret !== "";
    const user = env["DEV_USER"] || "dev-user";
    const handle = (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
        if (!enabled || secret === undefined || request.method !== "GET") return next();
        response.setHeader("Content-Type", "application/json");
        response.setHeader("Cache-Control", "no-store");
        response.end(JSON.stringify({ user, token: mintToken(secret, user, 600) }));
    };
    const install = (server: { middlewares: { use(path: string, fn: typeof handle): void } }): void => {
        server.middlewares.use(TOKEN_PATH, handle);
        if (!enabled) {
            console.warn(
                `[dev-token] ${TOKEN_PATH} is off: set RPCC_DEV_TOKENS=1 and CENTRIFUGO_TOKEN_SECRET to mint ` +
                    "development tokens (never in production)",
            );
        }
    };
    return {
        name: "rpcc-dev-token-endpoint",
        apply: "serve",
        configureServer: install,
        configurePreviewServer: install,
    };
}

import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { devTokenEndpoint } from "./dev-token.ts";

export default defineConfig({
    resolve: {
        // The clients that `npm run generate` writes into sdk/typescript and sdk-channels/typescript, imported by
        // their package names.
        alias: {
            "tasks-client": fileURLToPath(new URL("./sdk/typescript/index.ts", import.meta.url)),
            "channels-client": fileURLToPath(new URL("./sdk-channels/typescript/index.ts", import.meta.url)),
        },
    },
    // The page's origin, http://127.0.0.1:5173, must be in Centrifugo's client.allowed_origins.
    server: { host: "127.0.0.1", port: 5173, strictPort: true },
    preview: { host: "127.0.0.1", port: 5173, strictPort: true },
    plugins: [devTokenEndpoint()],
});

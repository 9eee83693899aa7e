// Shared by bench/bundle/measure.mjs (bundle sizes) and tests/browser/treeshake.mjs (tree-shaking proof): builds
// one entry point into a minified production bundle, in memory, with Vite (Rolldown: what examples/web uses) or
// esbuild, and reports its code, sizes and the modules it holds. Vite comes from examples/web/node_modules, esbuild
// from tests/browser/node_modules (run `npm ci` in both first; mk/web.mk does).
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const WEB = resolve(REPO, "examples/web");

const fromWeb = createRequire(resolve(WEB, "package.json"));
const fromTests = createRequire(resolve(REPO, "tests/browser/package.json"));

/** The sizes reported for a bundle: minified bytes, and gzip -9 of them. */
export function sizes(code) {
    const bytes = Buffer.from(code);
    return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/**
 * Bundles `entry` (a file path) for browsers, minified, nothing written.
 * options.alias: package name -> file; options.configFile: a Vite config to start from (its aliases lose to
 * options.alias); options.define: compile-time constants.
 * Returns { code, min, gzip, modules } where modules are the absolute paths of the source files in the bundle.
 */
export async function bundle(bundler, entry, options = {}) {
    const alias = options.alias ?? {};
    if (bundler === "vite") {
        const vite = await import(pathToFileURL(fromWeb.resolve("vite")).href);
        const result = await vite.build({
            root: options.configFile ? dirname(options.configFile) : dirname(entry),
            configFile: options.configFile ?? false,
            logLevel: "silent",
            mode: "production",
            define: options.define ?? {},
            resolve: { alias },
            build: { write: false, minify: true, rollupOptions: { input: entry } },
        });
        const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
        const chunks = outputs.filter((item) => item.type === "chunk");
        const code = chunks.map((chunk) => chunk.code).join("\n");
        const modules = chunks.flatMap((chunk) => chunk.moduleIds ?? Object.keys(chunk.modules));
        return { code, ...sizes(code), modules: modules.filter((id) => !id.startsWith("\0")) };
    }
    if (bundler === "esbuild") {
        const esbuild = fromTests("esbuild");
        const result = await esbuild.build({
            entryPoints: [entry],
            bundle: true,
            minify: true,
            format: "esm",
            platform: "browser",
            target: "es2022",
            write: false,
            metafile: true,
            logLevel: "silent",
            define: options.define ?? {},
            alias,
        });
        const code = result.outputFiles.map((file) => file.text).join("\n");
        const modules = Object.keys(result.metafile.inputs).map((path) => resolve(path));
        return { code, ...sizes(code), modules };
    }
    throw new Error(`unknown bundler ${bundler}`);
}

/** The npm packages a bundle's modules come from ("centrifuge", "events", ...), sorted. */
export function packagesOf(modules) {
    const names = new Set();
    for (const id of modules) {
        const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id);
        if (match) names.add(match[1]);
    }
    return [...names].sort();
}

// Vite builds the client into dist/ (hashed files under dist/assets/), which tern serves at /.
// The SDK is compiled from its sources, so `npm run dev` and `npm run watch` pick up SDK edits
// without a separate build step.

import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const sdk = fileURLToPath(new URL("../sdk/src/index.ts", import.meta.url));
// Where `npm run dev` forwards the API and the WebSocket: a tern you started yourself.
const tern = process.env.TERN_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  base: "/",
  resolve: {
    alias: { "@tern/sdk": sdk },
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    // tern's CSP forbids inline scripts and styles: never inline assets as data: URLs in CSS
    // that would need them, and keep the module preload polyfill out of index.html.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      "/api": tern,
      "/ws": { target: tern, ws: true },
      "/healthz": tern,
    },
  },
});

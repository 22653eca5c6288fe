// Builds the UI into dist/, which web/embed.go embeds in the hawker binary.
// `npm run dev` proxies the API, media and realtime routes to a local
// `hawker serve` on :8080.
import { defineConfig } from "vite";

const backend = "http://localhost:8080";

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      "/api": backend,
      "/media": backend,
      "/whep": backend,
      "/whip": backend,
      "/connection": { target: backend, ws: true },
    },
  },
});

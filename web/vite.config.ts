// Builds the UI into dist/, which web/embed.go embeds in the hawker binary.
// `npm run dev` proxies the API, media and realtime routes to a local
// `hawker serve` on :8080.
//
// Two builds: the app (index.html, hashed files in dist/assets/), then the
// embeddable player at the stable URL dist/embed.js (src/embed/), which
// other sites load by that name. It is a second build, not a second input
// of the first, so that it shares no chunks with the app: a module script
// from another origin fetches every chunk with CORS. Its only chunks are
// what it loads on demand (centrifuge for the chat, hls.js for the LL-HLS
// fallback), in dist/assets/embed/, which web/embed.go serves with CORS.
import { build, defineConfig, type Plugin } from "vite";

const backend = "http://localhost:8080";

function embedBuild(): Plugin {
  return {
    name: "hawker-embed",
    apply: "build",
    async closeBundle() {
      await build({
        configFile: false,
        publicDir: false,
        logLevel: "warn",
        build: {
          outDir: "dist",
          emptyOutDir: false,
          target: "es2022",
          sourcemap: false,
          minify: true,
          reportCompressedSize: true,
          lib: { entry: "src/embed/index.ts", formats: ["es"], fileName: () => "embed.js" },
          // Library mode keeps whitespace in ES output; this is a page
          // script, so minify it in full.
          rolldownOptions: { output: { minify: true, chunkFileNames: "assets/embed/[name]-[hash].js" } },
        },
      });
    },
  };
}

export default defineConfig({
  plugins: [embedBuild()],
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

// Bundles the extension client and the language server, one file each, `vscode` external.
import { build } from "esbuild";

const watch = process.argv.includes("--watch");
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: true,
  minify: !watch && process.env.THUNDER_NO_MINIFY !== "1",
  logLevel: "warning",
  // ssh2 loads its optional native helpers in try/catch and falls back to pure JS.
  external: ["vscode", "*.node", "cpu-features"],
};

await Promise.all([
  build({ ...common, entryPoints: ["extension/main.ts"], outfile: "dist/extension.js" }),
  build({
    ...common,
    entryPoints: ["language-server/main.ts"],
    outfile: "dist/server.js",
    banner: { js: "#!/usr/bin/env node" },
  }),
]);

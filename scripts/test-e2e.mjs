// Real-VS-Code tests: builds and packages the extension (with this Node), installs code-server and
// Node 24 into test/e2e/.tools if needed, then runs test/e2e/*.e2e.test.ts under Node 24, one file
// at a time (each starts its own code-server + Chromium, about 1 GiB together).
// Usage: node scripts/test-e2e.mjs [--no-build] [part of a test file name]...
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const e2eDir = join(root, "test", "e2e");

function run(command, args, label) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`[test:e2e] ${label} failed (exit code ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  console.log(`[test:e2e] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const args = process.argv.slice(2);
// --no-build: test the bundles already in dist/ (e.g. while another part of the tree does not build).
if (!args.includes("--no-build")) run(process.execPath, ["scripts/build.mjs"], "build");
run(process.execPath, ["scripts/package.mjs"], "package");
run(process.execPath, [join(e2eDir, "setup.mjs")], "setup");

const { nodeBinary } = await import("../test/e2e/setup.mjs");
const filter = args.filter((arg) => !arg.startsWith("--"));
const files = readdirSync(e2eDir)
  .filter((name) => name.endsWith(".e2e.test.ts"))
  .filter((name) => filter.length === 0 || filter.some((part) => name.includes(part)))
  .sort()
  .map((name) => join("test", "e2e", name));
if (files.length === 0) {
  console.error("[test:e2e] no test/e2e/*.e2e.test.ts files matched");
  process.exit(1);
}
// Screenshots of an earlier run would pass for failures of this one.
rmSync(join(e2eDir, ".screenshots"), { recursive: true, force: true });
run(
  nodeBinary,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=1", ...files],
  "real VS Code tests",
);

// Packages the extension into dist/thunder-vscode.vsix with vsce (bundled by esbuild, so
// --no-dependencies) and prints what went in and how big it is. Run `npm run build` first.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "dist", "thunder-vscode.vsix");

for (const bundle of ["dist/extension.js", "dist/server.js"]) {
  if (!existsSync(join(root, bundle))) {
    console.error(`${bundle} is missing: run "npm run build" first.`);
    process.exit(1);
  }
}
// vsce does not create the output folder.
mkdirSync(dirname(output), { recursive: true });
const vsce = join(root, "node_modules", "@vscode", "vsce", "vsce");
const result = spawnSync(process.execPath, [vsce, "package", "--no-dependencies", "-o", output], {
  cwd: root,
  stdio: "inherit",
});
if (result.status !== 0) {
  console.error(`vsce package failed (exit code ${result.status ?? result.signal}).`);
  process.exit(result.status ?? 1);
}
const kib = statSync(output).size / 1024;
console.log(`${relative(root, output)}: ${kib.toFixed(1)} KiB`);

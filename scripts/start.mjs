// `npm start`: builds and packages the extension, installs it into code-server (set up like the
// real-VS-Code tests, see test/e2e/setup.mjs) and opens a copy of examples/workspace in it on
// 127.0.0.1, with the stand-in thunder (test/stand-in) as the thunder program and a sample
// backends.yml in a private config folder, so every command works offline. Runs until Ctrl-C.
// Usage: npm start [-- --port 8080] [--no-build]
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const portIndex = args.indexOf("--port");
const port = Number(portIndex >= 0 ? args[portIndex + 1] : (process.env.PORT ?? 8080));
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`[start] not a port: ${args[portIndex + 1] ?? process.env.PORT}`);
  process.exit(2);
}

function step(label, command, commandArgs, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    console.error(`[start] ${label} failed (exit code ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  console.log(`[start] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (!args.includes("--no-build")) step("build", process.execPath, ["scripts/build.mjs"]);
step("package", process.execPath, ["scripts/package.mjs"]);
step("code-server setup", process.execPath, [join(root, "test", "e2e", "setup.mjs")]);
const { nodeBinary, codeServerEntry } = await import("../test/e2e/setup.mjs");

const runDir = mkdtempSync(join(tmpdir(), "thunder-start-"));
const userDataDir = join(runDir, "user-data");
const extensionsDir = join(runDir, "extensions");
const workspace = join(runDir, "workspace");
const configHome = join(runDir, "config");
const standIn = join(root, "test", "stand-in", "thunder");
// A copy, so builds and runs do not write into the repository.
cpSync(join(root, "examples", "workspace"), workspace, { recursive: true });
mkdirSync(join(configHome, "thunder"), { recursive: true });
writeFileSync(
  join(configHome, "thunder", "backends.yml"),
  `# Where thunder runs experiments. Edit with the Backends view: comments like this one stay.
local:
  backend: cli
  config:
    n_workers: 1
gpu_short:        # a Slurm backend (needs sbatch on PATH to actually submit)
  backend: slurm
  config:
    ram: 16G
    cpu: 4
    time: 2h
meta:
  default: local
`,
);
mkdirSync(join(userDataDir, "User"), { recursive: true });
writeFileSync(
  join(userDataDir, "User", "settings.json"),
  JSON.stringify(
    {
      // The server re-reads a login shell's environment (which resets PATH), so name the stand-in here.
      "thunder.executable": standIn,
      "workbench.startupEditor": "none",
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
    },
    null,
    2,
  ),
);

const env = {
  ...process.env,
  EXTENSIONS_GALLERY: "{}",
  PATH: `${dirname(standIn)}:${process.env.PATH ?? ""}`,
  XDG_CONFIG_HOME: configHome,
  THUNDER_STANDIN_TRAIN_SECONDS: process.env.THUNDER_STANDIN_TRAIN_SECONDS ?? "3",
};
const dirs = ["--user-data-dir", userDataDir, "--extensions-dir", extensionsDir];
step(
  "install the .vsix",
  nodeBinary,
  [codeServerEntry, ...dirs, "--install-extension", join(root, "dist", "thunder-vscode.vsix")],
  { env },
);

const configFile = join(runDir, "code-server.yaml");
writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
// detached: code-server leads its own process group, stopped whole on Ctrl-C.
const codeServer = spawn(
  nodeBinary,
  [
    codeServerEntry,
    "--config",
    configFile,
    "--auth",
    "none",
    "--bind-addr",
    `127.0.0.1:${port}`,
    ...dirs,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-getting-started-override",
    // The workspace is our own fresh copy of the examples: trusted, so every command is available.
    "--disable-workspace-trust",
    workspace,
  ],
  { env, detached: true, stdio: ["ignore", "inherit", "inherit"] },
);

const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
for (let attempt = 0; attempt < 300; attempt++) {
  if (codeServer.exitCode !== null) {
    console.error(`[start] code-server exited with code ${codeServer.exitCode}`);
    process.exit(1);
  }
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    // Not listening yet.
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log(`\n[start] Thunder in VS Code: ${url}`);
console.log(
  `[start] workspace copy: ${workspace}; backends.yml: ${join(configHome, "thunder", "backends.yml")}`,
);
console.log("[start] Ctrl-C stops code-server and removes the copy.\n");

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  try {
    process.kill(-codeServer.pid, "SIGTERM");
  } catch {
    // Already gone.
  }
  setTimeout(() => {
    try {
      process.kill(-codeServer.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    rmSync(runDir, { recursive: true, force: true });
    process.exit(0);
  }, 2000);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
codeServer.on("exit", (code) => {
  if (!stopping) {
    console.error(`[start] code-server exited with code ${code}`);
    rmSync(runDir, { recursive: true, force: true });
    process.exit(code ?? 1);
  }
});

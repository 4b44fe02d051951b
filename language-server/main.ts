/**
 * `thunder-language-server`: the lazycon/thunder language server as a standalone program.
 * `--stdio` (default), `--node-ipc` or `--socket=PORT` pick the transport.
 */
import { setFlagsFromString } from "node:v8";
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { version } from "../package.json";
import { serverName, startLanguageServer } from "./server/server";
import { createLanguageService } from "./service";

const usage = `Usage: ${serverName} [--stdio | --node-ipc | --socket=PORT]

Language server (LSP) for thunder's lazycon .config files.
  --stdio        talk LSP over standard input/output (the default)
  --node-ipc     talk over Node's IPC channel (when started by a Node client)
  --socket=PORT  connect to a client listening on 127.0.0.1:PORT
  --version      print the version and exit
  --help         print this help and exit

Settings (workspace/configuration section "thunder", or initializationOptions):
  thunder.configShortcuts  { "name": "/folder" }: \`from name.sub import *\` reads /folder/sub.config
  thunder.pythonPath       python whose sys.path is searched for parent configs (default python3)
`;

// A parse tree survives young-generation collections whole, and V8 answers that by growing the
// young generation (to 2 x 16 MB), which then stays resident. Keeping it at its initial size saves
// about 30 MB on a 10k-line config at the same CPU time (npm run bench). Server process only.
setFlagsFromString("--semi-space-growth-factor=1");

const args = process.argv.slice(2);
if (args.includes("--version") || args.includes("-v")) {
  process.stdout.write(`${version}\n`);
  process.exit(0);
}
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(usage);
  process.exit(0);
}
const known = (arg: string) =>
  ["--stdio", "--node-ipc"].includes(arg) ||
  /^--(socket|pipe|clientProcessId)(=.*)?$/.test(arg) ||
  /^\d+$/.test(arg);
const unknown = args.filter((arg) => !known(arg));
if (unknown.length > 0) {
  process.stderr.write(`${serverName}: unknown argument ${unknown.join(" ")}\n\n${usage}`);
  process.exit(2);
}

const otherTransport = args.some((arg) => /^--(node-ipc|socket|pipe)/.test(arg));
// vscode-languageserver reads --node-ipc/--socket itself; stdio is passed explicitly so it is also the default.
const connection = otherTransport
  ? createConnection(ProposedFeatures.all)
  : createConnection(ProposedFeatures.all, process.stdin, process.stdout);

// Anything written to stdout would corrupt the protocol stream: route console output to the log.
console.log = (...parts: unknown[]) => connection.console.log(parts.map(String).join(" "));
console.info = console.log;
console.warn = (...parts: unknown[]) => connection.console.warn(parts.map(String).join(" "));
console.error = (...parts: unknown[]) => connection.console.error(parts.map(String).join(" "));

process.on("uncaughtException", (error) => {
  connection.console.error(`uncaught: ${error.stack ?? error.message}`);
});
process.on("unhandledRejection", (reason) => {
  connection.console.error(`unhandled rejection: ${String(reason)}`);
});

startLanguageServer(connection, { createService: createLanguageService, version });

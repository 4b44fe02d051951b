// Runs the cluster tests against a real munge + Slurm + OpenSSH: `cluster.sh run` starts the
// cluster, holds a lock against other users of it (the benchmark), and stops it again whatever
// happens. Needs root and the Debian packages named in cluster.sh.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "../..");

// cluster.sh stops the cluster on INT/TERM itself; here we only wait for it to finish.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => undefined);

const started = Date.now();
const result = spawnSync(
  "bash",
  [join(here, "cluster.sh"), "run", process.execPath, join(repo, "scripts/test.mjs"), "test/cluster"],
  { stdio: "inherit", cwd: repo },
);
console.error(`[cluster] start + tests + stop: ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(result.status ?? 1);

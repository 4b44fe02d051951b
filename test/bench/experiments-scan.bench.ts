/**
 * Benchmark of the experiment scanner: 10,000 experiment folders (10% with three folds, 20% with
 * checkpoints) in a temp folder; prints the full scan time (target <= 1 s) and the time to apply
 * 100 watcher events. Run: node --import tsx test/bench/experiments-scan.bench.ts
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { ExperimentIndex, type FileEvent } from "../../extension/experiments/experiment-index";

const EXPERIMENTS = 10_000;
const PER_GROUP = 100;

async function createTree(root: string): Promise<string[]> {
  const folders: string[] = [];
  const writes: (() => Promise<void>)[] = [];
  for (let index = 0; index < EXPERIMENTS; index += 1) {
    const folder = path.join(root, `group_${Math.floor(index / PER_GROUP)}`, `exp_${index}`);
    folders.push(folder);
    writes.push(async () => {
      await fs.mkdir(folder, { recursive: true });
      await fs.writeFile(path.join(folder, "experiment.config"), "lr = 0.1\n");
      if (index % 10 === 0) {
        await fs.writeFile(
          path.join(folder, "nodes.json"),
          JSON.stringify([{ name: "0" }, { name: "1" }, { name: "2" }]),
        );
        for (let fold = 0; fold < 3; fold += 1) {
          const foldFolder = path.join(folder, `fold_${fold}`);
          await fs.mkdir(path.join(foldFolder, "checkpoints"), { recursive: true });
          await fs.writeFile(path.join(foldFolder, "experiment.config"), "lr = 0.1\n");
          if (fold < 2) await fs.writeFile(path.join(foldFolder, "checkpoints", "last.ckpt"), "");
        }
      } else if (index % 5 === 1) {
        await fs.mkdir(path.join(folder, "checkpoints"), { recursive: true });
        await fs.writeFile(path.join(folder, "checkpoints", "last.ckpt"), "");
        await fs.writeFile(path.join(folder, "checkpoints", "epoch=3-step=400.ckpt"), "");
      }
    });
  }
  for (let start = 0; start < writes.length; start += 200) {
    await Promise.all(writes.slice(start, start + 200).map((write) => write()));
  }
  return folders;
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "thunder-scan-bench-"));
  try {
    const createStart = performance.now();
    const folders = await createTree(root);
    console.log(`created ${EXPERIMENTS} experiments in ${(performance.now() - createStart).toFixed(0)} ms`);

    const index = new ExperimentIndex({ roots: [root] });
    const timings: number[] = [];
    const cpuTimings: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const scanStart = performance.now();
      const cpuStart = process.cpuUsage();
      await index.rescanAll();
      const cpu = process.cpuUsage(cpuStart);
      timings.push(performance.now() - scanStart);
      cpuTimings.push((cpu.user + cpu.system) / 1000);
    }
    if (index.size !== EXPERIMENTS)
      throw new Error(`found ${index.size} experiments, expected ${EXPERIMENTS}`);
    const withCheckpoints = index.list().filter((experiment) => experiment.newestCheckpoint).length;
    const best = Math.min(...timings);
    console.log(
      `full scan of ${EXPERIMENTS} experiments (${withCheckpoints} with checkpoints): best ${best.toFixed(0)} ms ` +
        `(target <= 1000 ms); all runs ${timings.map((t) => t.toFixed(0)).join(", ")} ms; ` +
        `CPU time per scan ${cpuTimings.map((t) => t.toFixed(0)).join(", ")} ms; load average ${os.loadavg()[0].toFixed(1)}`,
    );

    // 100 events: new checkpoints, new experiments, deleted experiments.
    const events: FileEvent[] = [];
    for (let n = 0; n < 40; n += 1) {
      const checkpoint = path.join(folders[n * 10 + 3], "checkpoints", "new.ckpt");
      await fs.mkdir(path.dirname(checkpoint), { recursive: true });
      await fs.writeFile(checkpoint, "");
      events.push({ type: "created", path: checkpoint });
    }
    for (let n = 0; n < 30; n += 1) {
      const config = path.join(root, "new_group", `new_${n}`, "experiment.config");
      await fs.mkdir(path.dirname(config), { recursive: true });
      await fs.writeFile(config, "");
      events.push({ type: "created", path: config });
    }
    for (let n = 0; n < 30; n += 1) {
      const folder = folders[EXPERIMENTS - 1 - n * 3];
      await fs.rm(folder, { recursive: true });
      events.push({ type: "deleted", path: folder });
    }
    const eventsStart = performance.now();
    const change = await index.applyEvents(events);
    const eventsTime = performance.now() - eventsStart;
    console.log(
      `applied ${events.length} watcher events in ${eventsTime.toFixed(1)} ms ` +
        `(+${change.added.length} ~${change.updated.length} -${change.removed.length})`,
    );
    if (change.added.length !== 30 || change.updated.length !== 40 || change.removed.length !== 30) {
      throw new Error("the events were not applied as expected");
    }
  } finally {
    if (!process.env.KEEP_BENCH_TREE) await fs.rm(root, { recursive: true, force: true });
    else console.log(root);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

/** What `sbatch` prints: the job id on success, and why it refused a job otherwise. */

/** The job ids in `Submitted batch job N` lines (thunder passes sbatch's output through). */
export function parseSubmittedJobIds(output: string): string[] {
  return [...output.matchAll(/^Submitted batch job (\d+)\b/gm)].map((match) => match[1]);
}

/** `sbatch --parsable` prints `ID` or `ID;cluster`. */
export function parseParsableSubmission(
  output: string,
): { jobId: string; cluster: string | undefined } | undefined {
  for (const line of output.split("\n")) {
    const match = /^\s*(\d+)(?:;(\S+))?\s*$/.exec(line);
    if (match) return { jobId: match[1], cluster: match[2] };
  }
  return undefined;
}

export type SbatchRejectionKind =
  | "gres"
  | "memory"
  | "partition"
  | "time"
  | "cpus"
  | "account"
  | "qos"
  | "job-limit"
  | "other";

export interface SbatchRejection {
  kind: SbatchRejectionKind;
  /** What to tell the user: what was wrong and which backend option to change. */
  message: string;
  /** sbatch's own `error:` lines, for the details/log. */
  details: string[];
}

const RULES: { kind: SbatchRejectionKind; pattern: RegExp; message: string }[] = [
  {
    kind: "gres",
    pattern: /Invalid generic resource \(gres\) specification|Invalid GRES|gres.*not available/i,
    message:
      "The cluster has no such GPUs/generic resources in this partition. Lower or remove the backend's " +
      "`gpu` option, or choose a partition that has GPUs.",
  },
  {
    kind: "memory",
    pattern: /Memory specification can not be satisfied|Invalid memory|mem.*exceeds/i,
    message:
      "No node can provide the requested memory. Lower the backend's `ram` option (e.g. `ram: 16G`) " +
      "or choose a partition with bigger nodes.",
  },
  {
    kind: "partition",
    pattern: /invalid partition|Invalid partition name|partition.*not (?:available|valid)/i,
    message:
      "The partition does not exist or you may not use it. Check the backend's `partition` option " +
      "(`sinfo -s` lists the partitions).",
  },
  {
    kind: "time",
    pattern: /time limit|Invalid (?:--)?time|timelimit/i,
    message:
      "The time limit is invalid or exceeds the partition's maximum. Change the backend's `time` option " +
      "(e.g. `time: 1-00:00:00`), or choose a partition with a longer limit.",
  },
  {
    kind: "cpus",
    pattern: /More processors requested than permitted|CPU count|cpus-per-task/i,
    message: "No node has that many CPUs. Lower the backend's `cpu` option.",
  },
  {
    kind: "account",
    pattern: /Invalid account|account.*(?:not valid|invalid)/i,
    message: "Slurm rejected the account. Ask your cluster administrators which account to use.",
  },
  {
    kind: "qos",
    pattern: /Invalid qos|QOSMax|qos/i,
    message:
      "The job exceeds a QOS limit of the cluster. Request fewer resources or ask your administrators.",
  },
  {
    kind: "job-limit",
    pattern: /AssocMaxSubmitJobLimit|MaxSubmitJobs|job limit|Job violates accounting\/QOS policy/i,
    message: "You have reached the number of jobs you may submit. Wait for some to finish or cancel some.",
  },
];

/** The `error:` lines of sbatch output (thunder may print other things around them). */
function errorLines(output: string): string[] {
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /\berror:/i.test(line))
    .map((line) => line.replace(/^sbatch:\s*error:\s*/i, ""));
}

/** Classifies a refused submission; undefined when the output shows no sbatch error. */
export function classifySbatchRejection(output: string): SbatchRejection | undefined {
  const details = errorLines(output);
  if (details.length === 0) return undefined;
  // sbatch prints the specific line first and a generic "Batch job submission failed" after it.
  for (const line of details) {
    const rule = RULES.find((candidate) => candidate.pattern.test(line));
    if (rule) return { kind: rule.kind, message: rule.message, details };
  }
  const last = details[details.length - 1];
  return { kind: "other", message: `Slurm refused the job: ${last}`, details };
}

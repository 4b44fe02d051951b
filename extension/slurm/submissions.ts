/**
 * The extension's record of what it submitted, so the Slurm view can tell our jobs from others and
 * link a job back to its experiment. Plain data: the VS Code layer stores `toJSON()` and reads it back.
 */

export interface Submission {
  /** The experiment folder on the cluster, as passed to `thunder run`. */
  experiment: string;
  cluster: string;
  backend: string;
  /** The Slurm job id (for an experiment with folds, the array job id). */
  jobId: string;
  /** ISO-8601 time of submission. */
  submittedAt: string;
  /**
   * The nodes (folds) picked with `--names`, when only some were run. Absent: every node. Array task
   * i runs the i-th of these sorted by name, so the folds' rows need it. Older records lack it.
   */
  names?: string[];
}

export interface StoredSubmissions {
  version: 1;
  submissions: Submission[];
}

/** How many submissions are kept; the oldest go first. */
export const MAX_SUBMISSIONS = 1000;

function isSubmission(value: unknown): value is Submission {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.experiment === "string" &&
    typeof record.cluster === "string" &&
    typeof record.backend === "string" &&
    typeof record.jobId === "string" &&
    /^\d+$/.test(record.jobId) &&
    typeof record.submittedAt === "string" &&
    !Number.isNaN(Date.parse(record.submittedAt))
  );
}

function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((name) => typeof name === "string");
}

export class SubmissionLog {
  private readonly items: Submission[];

  constructor(submissions: readonly Submission[] = []) {
    this.items = submissions.slice(-MAX_SUBMISSIONS);
  }

  get all(): readonly Submission[] {
    return this.items;
  }

  add(
    submission: Omit<Submission, "submittedAt" | "names"> & {
      submittedAt?: string | Date;
      names?: readonly string[];
    },
  ): Submission {
    if (!/^\d+$/.test(submission.jobId)) throw new Error(`"${submission.jobId}" is not a Slurm job id.`);
    const at = submission.submittedAt ?? new Date();
    const record: Submission = {
      experiment: submission.experiment,
      cluster: submission.cluster,
      backend: submission.backend,
      jobId: submission.jobId,
      submittedAt: at instanceof Date ? at.toISOString() : at,
    };
    if (submission.names !== undefined && submission.names.length > 0) record.names = [...submission.names];
    // Resubmitting can never reuse a live id, but a reset Slurm can: the newer record replaces the older.
    const existing = this.items.findIndex(
      (item) => item.cluster === record.cluster && item.jobId === record.jobId,
    );
    if (existing >= 0) this.items.splice(existing, 1);
    this.items.push(record);
    if (this.items.length > MAX_SUBMISSIONS) this.items.splice(0, this.items.length - MAX_SUBMISSIONS);
    return record;
  }

  find(cluster: string, jobId: string): Submission | undefined {
    return this.items.find((item) => item.cluster === cluster && item.jobId === jobId);
  }

  forCluster(cluster: string): Submission[] {
    return this.items.filter((item) => item.cluster === cluster);
  }

  forExperiment(experiment: string): Submission[] {
    return this.items.filter((item) => item.experiment === experiment);
  }

  /** Is this queue entry (a job or an array task, by its array job id) one we submitted? */
  isOurs(cluster: string, job: { jobId: string; arrayJobId?: string }): boolean {
    return this.find(cluster, job.arrayJobId ?? job.jobId) !== undefined;
  }

  remove(cluster: string, jobId: string): boolean {
    const index = this.items.findIndex((item) => item.cluster === cluster && item.jobId === jobId);
    if (index < 0) return false;
    this.items.splice(index, 1);
    return true;
  }

  toJSON(): StoredSubmissions {
    return {
      version: 1,
      submissions: this.items.map((item) => (item.names ? { ...item, names: [...item.names] } : { ...item })),
    };
  }

  /**
   * Reads stored data back. Damaged entries are skipped and reported, never fatal: the user keeps
   * every record that is still readable.
   */
  static fromJSON(data: unknown): { log: SubmissionLog; problems: string[] } {
    if (data === undefined || data === null) return { log: new SubmissionLog(), problems: [] };
    const problems: string[] = [];
    const list = (data as Partial<StoredSubmissions>).submissions;
    if (typeof data !== "object" || !Array.isArray(list)) {
      return {
        log: new SubmissionLog(),
        problems: ["The stored Slurm submissions are unreadable and were ignored."],
      };
    }
    const valid: Submission[] = [];
    list.forEach((entry, index) => {
      if (!isSubmission(entry)) {
        problems.push(`Stored submission #${index + 1} is incomplete and was skipped.`);
        return;
      }
      const { names, ...required } = entry;
      if (names === undefined) valid.push(required);
      else if (isNameList(names)) valid.push({ ...required, names: [...names] });
      else {
        // The job is still ours; only which folds it ran is lost.
        problems.push(`Stored submission #${index + 1} has an unreadable list of folds, which was dropped.`);
        valid.push(required);
      }
    });
    return { log: new SubmissionLog(valid), problems };
  }
}

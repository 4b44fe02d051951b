/** `scancel` for whole jobs (`123`) and single array tasks (`120_3`); ids are checked, never shell. */

const JOB_ID = /^\d+(?:_\d+)?$/;

export function scancelArgs(jobIds: readonly string[]): string[] {
  if (jobIds.length === 0) throw new Error("No job to cancel.");
  for (const id of jobIds) {
    if (!JOB_ID.test(id)) throw new Error(`"${id}" is not a Slurm job id (like 123 or 123_4).`);
  }
  return ["scancel", ...jobIds];
}

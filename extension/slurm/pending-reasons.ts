/** Plain-language explanations of why a job waits (squeue's reason column). */

const EXPLANATIONS: Record<string, string> = {
  Priority: "Waiting for its turn: other jobs have higher priority.",
  Resources: "Waiting for the requested CPUs, memory or GPUs to become free.",
  PartitionConfig:
    "It asks for more than the partition allows (CPUs, memory, GPUs or time), so it will never start. " +
    "Cancel it and lower the backend's cpu/ram/gpu/time options.",
  JobArrayTaskLimit: "Waiting because the array may only run a limited number of tasks at once (`limit`).",
  Dependency: "Waiting for another job it depends on.",
  DependencyNeverSatisfied: "The job it depends on failed, so it will never start. Cancel it.",
  BeginTime: "Waiting for its requested start time.",
  ReqNodeNotAvail: "A requested node is down, drained or reserved.",
  PartitionDown: "The partition is down.",
  PartitionTimeLimit: "The time limit exceeds the partition's maximum, so it will never start. Lower `time`.",
  PartitionNodeLimit: "It asks for more nodes than the partition allows.",
  QOSMaxJobsPerUserLimit: "You already run as many jobs as your QOS allows.",
  QOSMaxGRESPerUser: "You already use as many GPUs as your QOS allows.",
  AssocGrpGRES: "Your group already uses as many GPUs as it may.",
  AssocMaxJobsLimit: "You already run as many jobs as your account allows.",
  JobHeldUser: "Held by you (`scontrol release` resumes it).",
  JobHeldAdmin: "Held by an administrator.",
  launch_failed_requeued_held: "Launching failed and the job was held. Ask your administrators.",
  BadConstraints: "Its constraints cannot be satisfied by any node.",
};

/** An explanation for a pending reason, or undefined when there is nothing to explain. */
export function explainPendingReason(reason: string | undefined): string | undefined {
  if (reason === undefined || reason === "None") return undefined;
  // squeue may add details after a comma, e.g. "ReqNodeNotAvail,_UnavailableNodes:n1".
  const key = reason.split(/[,(]/)[0];
  return EXPLANATIONS[key];
}

/** Reasons that mean the job will not start without the user doing something. */
export function isStuckReason(reason: string | undefined): boolean {
  const key = reason?.split(/[,(]/)[0];
  return (
    key === "PartitionConfig" ||
    key === "DependencyNeverSatisfied" ||
    key === "PartitionTimeLimit" ||
    key === "BadConstraints"
  );
}

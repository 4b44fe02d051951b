import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { explainPendingReason, isStuckReason } from "../../../extension/slurm/pending-reasons";
import { isAccountingDisabled, parseSacct, sacctArgs } from "../../../extension/slurm/sacct";
import {
  interpretScontrolShowJob,
  parseKeyValues,
  parseScontrolShowJob,
  scontrolShowJobArgs,
} from "../../../extension/slurm/scontrol";

/** Two records of an array job as `scontrol show job 4` printed them on Slurm 22.05. */
const ARRAY_JOB = `JobId=4 ArrayJobId=4 ArrayTaskId=3 ArrayTaskThrottle=1 JobName=exp-a
   UserId=thunderci(1001) GroupId=thunderci(1001) MCS_label=N/A
   Priority=4294901756 Nice=0 Account=(null) QOS=(null)
   JobState=COMPLETED Reason=None Dependency=(null)
   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0
   RunTime=00:00:03 TimeLimit=UNLIMITED TimeMin=N/A
   SubmitTime=2026-11-25T13:14:45 EligibleTime=2026-11-25T13:14:53
   StartTime=2026-11-25T13:14:53 EndTime=2026-11-25T13:14:56 Deadline=N/A
   Partition=debug AllocNode:Sid=localhost:10674
   NodeList=vm
   NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:*
   TRES=cpu=1,mem=256M,node=1,billing=1
   Command=/home/thunderci/my script.sh --name=a b
   WorkDir=/home/thunderci/work dir
   StdErr=/home/thunderci/.cache/thunder/slurm/logs/exp-a-2026-nov25-13-14-44.o4.3
   StdIn=/dev/null
   StdOut=/home/thunderci/.cache/thunder/slurm/logs/exp-a-2026-nov25-13-14-44.o4.3
   Power=
   

JobId=4 ArrayJobId=4 ArrayTaskId=5-6%1 ArrayTaskThrottle=1 JobName=exp-a
   JobState=CANCELLED Reason=JobArrayTaskLimit Dependency=(null)
   

JobId=7 ArrayJobId=4 ArrayTaskId=2 ArrayTaskThrottle=1 JobName=exp-a
   JobState=FAILED Reason=NonZeroExitCode Dependency=(null)
   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=1:0
   RunTime=00:00:01 TimeLimit=01:00:00 TimeMin=N/A
   Partition=debug AllocNode:Sid=localhost:10674
   NodeList=vm
   Power=
   
`;

describe("scontrol show job", () => {
  test("key=value pairs, including keys with : and / and values with =", () => {
    const fields = parseKeyValues(
      "   Partition=debug AllocNode:Sid=localhost:1 CPUs/Task=2 TRES=cpu=1,mem=256M\n",
    );
    assert.deepEqual(fields, {
      Partition: "debug",
      "AllocNode:Sid": "localhost:1",
      "CPUs/Task": "2",
      TRES: "cpu=1,mem=256M",
    });
  });

  test("one record per array task, whole-line values keep their spaces", () => {
    const jobs = parseScontrolShowJob(ARRAY_JOB);
    assert.equal(jobs.length, 3);
    const [third, unsplit, second] = jobs;
    assert.equal(unsplit.arrayTaskId, "5-6%1");
    assert.deepEqual(unsplit.arrayTaskIds, ["5", "6"]);
    assert.equal(unsplit.state, "CANCELLED");
    assert.deepEqual(third.arrayTaskIds, ["3"]);
    assert.equal(third.jobId, "4");
    assert.equal(third.arrayJobId, "4");
    assert.equal(third.arrayTaskId, "3");
    assert.equal(third.name, "exp-a");
    assert.equal(third.state, "COMPLETED");
    assert.equal(third.reason, undefined);
    assert.equal(third.exitCode, "0:0");
    assert.equal(third.timeLimit, "UNLIMITED");
    assert.equal(third.startTime, "2026-11-25T13:14:53");
    assert.equal(third.nodeList, "vm");
    assert.equal(third.workDir, "/home/thunderci/work dir");
    assert.equal(third.fields.Command, "/home/thunderci/my script.sh --name=a b");
    assert.equal(third.stdOut, "/home/thunderci/.cache/thunder/slurm/logs/exp-a-2026-nov25-13-14-44.o4.3");
    assert.equal(third.fields.Power, "");
    assert.equal(second.jobId, "7");
    assert.equal(second.state, "FAILED");
    assert.equal(second.reason, "NonZeroExitCode");
    assert.equal(second.exitCode, "1:0");
  });

  test("purged jobs and unknown array tasks are not-found, not errors", () => {
    assert.deepEqual(
      interpretScontrolShowJob({
        stdout: "",
        stderr: "slurm_load_jobs error: Invalid job id specified\n",
        exitCode: 1,
      }),
      { status: "not-found" },
    );
    assert.deepEqual(interpretScontrolShowJob({ stdout: "Job 3_2 not found\n", stderr: "", exitCode: 1 }), {
      status: "not-found",
    });
  });

  test("found jobs, and other failures are errors", () => {
    const found = interpretScontrolShowJob({ stdout: ARRAY_JOB, stderr: "", exitCode: 0 });
    assert.equal(found.status, "found");
    assert.equal(found.status === "found" && found.jobs.length, 3);
    assert.throws(
      () =>
        interpretScontrolShowJob({
          stdout: "",
          stderr: "slurm_load_jobs error: Unable to contact slurm controller\n",
          exitCode: 1,
        }),
      /Unable to contact slurm controller/,
    );
  });

  test("arguments", () => {
    assert.deepEqual(scontrolShowJobArgs("12_3"), ["scontrol", "show", "job", "12_3"]);
  });
});

describe("sacct", () => {
  test("detects clusters without accounting", () => {
    assert.ok(isAccountingDisabled("Slurm accounting storage is disabled\n"));
    assert.ok(!isAccountingDisabled("12|COMPLETED|0:0|00:00:03\n"));
  });

  test("parses --parsable2 records", () => {
    assert.deepEqual(parseSacct("12|COMPLETED|0:0|00:00:03\n13|CANCELLED by 1001|0:15|00:01:00\n"), [
      { jobId: "12", state: "COMPLETED", exitCode: "0:0", elapsed: "00:00:03" },
      { jobId: "13", state: "CANCELLED", exitCode: "0:15", elapsed: "00:01:00" },
    ]);
    assert.ok(sacctArgs("12").includes("--parsable2"));
  });
});

describe("pending reasons", () => {
  test("explained, details after a comma ignored", () => {
    assert.match(explainPendingReason("PartitionConfig")!, /will never start/);
    assert.match(explainPendingReason("ReqNodeNotAvail,_UnavailableNodes:n1")!, /down, drained/);
    assert.equal(explainPendingReason("None"), undefined);
    assert.equal(explainPendingReason(undefined), undefined);
    assert.equal(explainPendingReason("SomethingNew"), undefined);
  });

  test("stuck reasons need the user", () => {
    assert.ok(isStuckReason("PartitionConfig"));
    assert.ok(!isStuckReason("Priority"));
    assert.ok(!isStuckReason(undefined));
  });
});

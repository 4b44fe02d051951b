import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  parseSweepCommand,
  type SweepCommandProblem,
  type SweepReference,
} from "../../../extension/sweeps/sweep-command";

function accepted(text: string): SweepReference {
  const result = parseSweepCommand(text);
  assert.ok(
    result.ok,
    `expected ${JSON.stringify(text)} to be accepted, got: ${result.ok ? "" : result.message}`,
  );
  return result.sweep;
}

function refused(text: string, problem: SweepCommandProblem): string {
  const result = parseSweepCommand(text);
  assert.ok(!result.ok, `expected ${JSON.stringify(text)} to be refused, got ${JSON.stringify(result)}`);
  assert.equal(result.problem, problem, `${JSON.stringify(text)}: ${result.message}`);
  assert.ok(result.message.length > 20, "the message explains the refusal");
  return result.message;
}

describe("parseSweepCommand accepts what users paste", () => {
  test("W&B's own agent command with entity, project and id", () => {
    assert.deepEqual(accepted("wandb agent my-team/img.cls_v2/abc123xy"), {
      entity: "my-team",
      project: "img.cls_v2",
      sweepId: "abc123xy",
      path: "my-team/img.cls_v2/abc123xy",
    });
  });

  test("project/id and a bare path", () => {
    assert.deepEqual(accepted("wandb agent proj/k9z"), { project: "proj", sweepId: "k9z", path: "proj/k9z" });
    assert.deepEqual(accepted("ent/proj/k9z"), {
      entity: "ent",
      project: "proj",
      sweepId: "k9z",
      path: "ent/proj/k9z",
    });
    assert.equal(accepted("proj/k9z").path, "proj/k9z");
  });

  test("shell noise around the command", () => {
    for (const text of [
      "$ wandb agent e/p/abc1",
      "% wandb agent e/p/abc1",
      "> wandb agent e/p/abc1",
      "   wandb agent e/p/abc1   \n\n",
      "\r\nwandb agent e/p/abc1\r\n",
      "thunder wandb agent e/p/abc1",
      "$ thunder wandb agent e/p/abc1\n",
      "wandb agent 'e/p/abc1'",
      'wandb agent "e/p/abc1"',
      "wandb  agent\te/p/abc1",
      "wandb agent \\\n  e/p/abc1",
      "wandb agent \u201Ce/p/abc1\u201D",
      "\uFEFFwandb\u00A0agent e/p/abc1",
      "wandb: Run sweep agent with: wandb agent e/p/abc1",
      "https://wandb.ai/e/p/sweeps/abc1",
      "https://wandb.ai/e/p/sweeps/abc1/?workspace=user-e",
    ]) {
      assert.equal(accepted(text).path, "e/p/abc1", JSON.stringify(text));
    }
  });

  test("--count is kept, in both spellings and anywhere among the arguments", () => {
    assert.equal(accepted("wandb agent --count 5 e/p/abc1").count, 5);
    assert.equal(accepted("wandb agent e/p/abc1 --count=12").count, 12);
    assert.equal(accepted("wandb agent e/p/abc1").count, undefined);
    assert.equal(accepted("--count 3 e/p/abc1").count, 3);
  });

  test("--project/--entity complete a short path", () => {
    assert.deepEqual(accepted("wandb agent -p proj -e team abc1"), {
      entity: "team",
      project: "proj",
      sweepId: "abc1",
      path: "team/proj/abc1",
    });
    assert.equal(accepted("wandb agent --project=proj abc1").path, "proj/abc1");
    assert.equal(accepted("wandb agent --project p e/p/abc1").path, "e/p/abc1");
  });
});

describe("parseSweepCommand refuses everything else, saying why", () => {
  test("empty text", () => {
    refused("", "empty");
    refused("  \n\r\n\t ", "empty");
  });

  test("several commands", () => {
    refused("wandb agent e/p/a1\nwandb agent e/p/a2", "several-commands");
    refused("wandb agent e/p/a1; rm -rf ~", "several-commands");
    refused("cd /tmp\nwandb agent e/p/a1", "several-commands");
  });

  test("chaining, pipes and background jobs", () => {
    refused("wandb agent e/p/a1 && echo hi", "shell-operator");
    refused("wandb agent e/p/a1 || true", "shell-operator");
    refused("wandb agent e/p/a1 | tee log", "shell-operator");
    refused("wandb agent e/p/a1 &", "shell-operator");
  });

  test("command substitution and variables", () => {
    refused("wandb agent `cat sweep`", "command-substitution");
    refused("wandb agent $(cat sweep)", "command-substitution");
    refused("wandb agent 'e/p/$(id)'", "command-substitution");
    refused("wandb agent $SWEEP", "variable");
    refused("wandb agent e/p/\u0024{ID}", "variable");
  });

  test("redirections, escapes and control characters", () => {
    refused("wandb agent e/p/a1 > log.txt", "redirection");
    refused("wandb agent e/p/a1 < /dev/null", "redirection");
    refused("wandb agent e\\/p/a1", "escape");
    refused("wandb agent e/p/a1\u0007", "escape");
  });

  test("unbalanced quotes", () => {
    const message = refused("wandb agent 'e/p/a1", "unbalanced-quote");
    assert.match(message, /'/);
    refused('wandb agent "e/p/a1', "unbalanced-quote");
  });

  test("other commands", () => {
    refused("wandb sweep sweep.yaml", "not-wandb-agent");
    refused("wandb", "not-wandb-agent");
    refused("thunder run exp", "not-wandb-agent");
    refused("thunder", "not-wandb-agent");
  });

  test("options wandb agent has that make no sense here, and options without values", () => {
    assert.match(refused("wandb agent --forward-signals e/p/a1", "unknown-option"), /--forward-signals/);
    refused("wandb agent e/p/a1 --count", "missing-value");
    refused("wandb agent --project= a1", "missing-value");
  });

  test("bad counts", () => {
    for (const count of ["0", "-1", "1.5", "ten", "01", "10000001"]) {
      refused(`wandb agent --count ${count} e/p/a1`, "bad-count");
    }
  });

  test("no sweep, or more than one argument", () => {
    refused("wandb agent", "missing-sweep");
    refused("wandb agent --count 2", "missing-sweep");
    refused("--count 2", "missing-sweep");
    assert.match(refused("wandb agent e/p/a1 configs/x.config", "extra-argument"), /configs\/x\.config/);
    refused("e/p/a1 e/p/a2", "extra-argument");
    refused("thunder wandb agent e/p/a1 exp.config runs", "extra-argument");
  });

  test("malformed paths", () => {
    refused("wandb agent a/b/c/d", "too-many-parts");
    refused("https://wandb.ai/e/p/runs/abc1", "too-many-parts");
    refused("wandb agent e//a1", "empty-part");
    refused("wandb agent e/p/", "empty-part");
    refused("wandb agent ''", "empty-part");
    refused("wandb agent a1", "missing-project");
  });

  test("invalid characters in the parts", () => {
    assert.match(refused("wandb agent 'my team/p/a1'", "invalid-entity"), /" "/);
    refused("wandb agent ../p/a1", "invalid-entity");
    refused("wandb agent e/pr*j/a1", "invalid-project");
    refused("wandb agent e/proj\u00e9/a1", "invalid-project");
    refused("wandb agent e/../a1", "invalid-project");
    refused(`wandb agent e/${"p".repeat(129)}/a1`, "invalid-project");
    assert.match(refused("wandb agent e/p/ABC1", "invalid-sweep-id"), /lowercase/);
    refused("wandb agent e/p/a-1", "invalid-sweep-id");
    refused("wandb agent e/p/a_1", "invalid-sweep-id");
    refused(`wandb agent e/p/${"a".repeat(65)}`, "invalid-sweep-id");
    refused("wandb agent -p 'bad name' a1", "invalid-project");
  });

  test("a path and an option that disagree", () => {
    refused("wandb agent --project other e/p/a1", "conflict");
    refused("wandb agent -e other e/p/a1", "conflict");
  });

  test("messages do not echo control characters or huge input", () => {
    const message = refused(`wandb agent e/p/${"Z".repeat(5000)}`, "invalid-sweep-id");
    assert.ok(message.length < 300);
  });
});

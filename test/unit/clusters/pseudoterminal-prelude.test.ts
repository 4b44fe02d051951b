import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SshPseudoterminal } from "../../../extension/slurm-terminal/ssh-pseudoterminal";

/** A terminal whose connection fails the way a refused SSH connection does. */
function refusedTerminal(prelude?: string) {
  const pty = new SshPseudoterminal({
    clusterName: "hpc",
    openShell: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:2222")),
    cwd: "/r/exps/e1",
    prelude,
  });
  let output = "";
  let closedWith: number | undefined | null = null;
  pty.onDidWrite((text) => {
    output += text;
  });
  pty.onDidClose((code) => {
    closedWith = code;
  });
  return { pty, output: () => output, closedWith: () => closedWith };
}

describe("what a Slurm terminal shows before its shell", () => {
  test("the prelude and text shown before VS Code opens the terminal come first, in order", async () => {
    const terminal = refusedTerminal("$ thunder run e1\r\nSubmitted batch job 7\r\n");
    terminal.pty.showText("more\r\n");
    assert.equal(terminal.output(), "", "VS Code drops writes before open(): nothing is written yet");
    terminal.pty.open({ columns: 80, rows: 24 });
    assert.ok(
      terminal
        .output()
        .startsWith('$ thunder run e1\r\nSubmitted batch job 7\r\nmore\r\nConnecting to cluster "hpc"…'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(terminal.output(), /ECONNREFUSED/);
    assert.equal(terminal.closedWith(), 1, "a shell that cannot start closes the terminal");
  });

  test("text shown after opening appears at once", () => {
    const terminal = refusedTerminal();
    terminal.pty.open(undefined);
    const before = terminal.output();
    terminal.pty.showText("Submitted batch job 8\r\n");
    assert.equal(terminal.output(), `${before}Submitted batch job 8\r\n`);
  });
});

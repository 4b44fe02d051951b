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
    terminal.pty.open({ columns: 100, rows: 30 });
    const before = terminal.output();
    terminal.pty.showText("Submitted batch job 8\r\n");
    assert.equal(terminal.output(), `${before}Submitted batch job 8\r\n`);
  });

  test("opened without a size, nothing is written until the size is known", () => {
    const terminal = refusedTerminal("$ thunder run e1\r\n");
    terminal.pty.open(undefined);
    terminal.pty.showText("Submitted batch job 9\r\n");
    assert.equal(terminal.output(), "", "text written at a guessed width is re-wrapped badly");
    terminal.pty.setDimensions({ columns: 120, rows: 30 });
    assert.ok(
      terminal
        .output()
        .startsWith('$ thunder run e1\r\nSubmitted batch job 9\r\nConnecting to cluster "hpc"…'),
      terminal.output(),
    );
  });

  test("without a size from VS Code, the shell waits for the first one (or starts at 80x24)", async () => {
    const sizes: { cols: number; rows: number }[] = [];
    const make = () =>
      new SshPseudoterminal({
        clusterName: "hpc",
        openShell: (size) => {
          sizes.push(size);
          return Promise.reject(new Error("not needed"));
        },
      });
    const sized = make();
    sized.open(undefined);
    assert.deepEqual(sizes, [], "no shell at a guessed size");
    sized.setDimensions({ columns: 132, rows: 40 });
    assert.deepEqual(sizes, [{ cols: 132, rows: 40 }]);
    sized.setDimensions({ columns: 100, rows: 30 });
    assert.equal(sizes.length, 1, "later sizes resize, they do not open another shell");

    const never = make();
    never.open(undefined);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.deepEqual(sizes.at(-1), { cols: 80, rows: 24 });
    assert.equal(sizes.length, 2);

    const closedEarly = make();
    closedEarly.open(undefined);
    closedEarly.close();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(sizes.length, 2, "a terminal closed while waiting opens no shell");
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  clusterSshTarget,
  readClusterSettings,
  resolveFolderMappings,
  toRemotePath,
} from "../../../extension/clusters/cluster-settings";

const env = { homeDir: "/home/me", localUser: "me", agentSocket: "/tmp/agent.sock" };

describe("readClusterSettings", () => {
  test("a full entry is read with its defaults filled in", () => {
    const { clusters, problems } = readClusterSettings([
      {
        name: "hpc",
        host: "hpc-login",
        user: "ana",
        port: 2222,
        identityFile: "~/.ssh/id_hpc",
        proxyJump: "gate",
        folders: { project: "~/project" },
        setup: ["module load cuda", "  ", "conda activate ml"],
        thunderCommand: "/opt/thunder/bin/thunder",
      },
      { name: "small", host: "small.example.org" },
    ]);
    assert.deepEqual(problems, []);
    assert.equal(clusters.length, 2);
    assert.deepEqual(clusters[0], {
      name: "hpc",
      host: "hpc-login",
      user: "ana",
      port: 2222,
      identityFile: "~/.ssh/id_hpc",
      proxyJump: "gate",
      folders: { project: "~/project" },
      setup: ["module load cuda", "conda activate ml"],
      thunderCommand: ["/opt/thunder/bin/thunder"],
    });
    assert.deepEqual(clusters[1].thunderCommand, ["thunder"]);
    assert.deepEqual(clusters[1].setup, []);
  });

  test("bad entries are skipped and bad fields ignored, each with a message naming the cluster", () => {
    const { clusters, problems } = readClusterSettings([
      "hpc",
      { host: "x" },
      { name: "a", host: "two words" },
      { name: "b", host: "b.org", port: 70000, setup: ["ok", "two\nlines"], user: "has space" },
      { name: "b", host: "again.org" },
      { name: "c", host: "c.org", thunderCommand: [] },
    ]);
    assert.deepEqual(
      clusters.map((cluster) => cluster.name),
      ["b", "c"],
    );
    assert.equal(clusters[0].port, undefined);
    assert.deepEqual(clusters[0].setup, []);
    assert.equal(clusters[0].user, undefined);
    assert.deepEqual(clusters[1].thunderCommand, ["thunder"]);
    assert.equal(problems.length, 8, problems.join("\n"));
    assert.ok(problems.some((problem) => problem.includes('Cluster "b": "port"')));
    assert.ok(problems.some((problem) => problem.includes('Cluster "b" is defined twice')));
    assert.ok(problems.some((problem) => problem.includes('Cluster "c": "thunderCommand"')));
  });

  test("a value that is not a list is reported, not thrown", () => {
    assert.deepEqual(readClusterSettings({ name: "x" }).clusters, []);
    assert.equal(readClusterSettings({ name: "x" }).problems.length, 1);
    assert.deepEqual(readClusterSettings(undefined), { clusters: [], problems: [] });
  });
});

describe("clusterSshTarget", () => {
  const sshConfig =
    "User everyone\n\nHost hpc\n  HostName login.hpc.org\n  User ana\n  Port 2200\n  IdentityFile ~/.ssh/id_hpc\n";

  test("an alias resolves through ~/.ssh/config; the cluster name is the setting's", () => {
    const [cluster] = readClusterSettings([{ name: "My HPC", host: "hpc" }]).clusters;
    const target = clusterSshTarget(cluster, sshConfig, env);
    assert.equal(target.clusterName, "My HPC");
    assert.equal(target.host, "login.hpc.org");
    assert.equal(target.username, "everyone", "lines before the first Host apply first, as in ssh");
    assert.equal(target.port, 2200);
    assert.deepEqual(target.identityFiles, ["/home/me/.ssh/id_hpc"]);
  });

  test("explicit settings win over the config; the config's other lines still apply", () => {
    const [cluster] = readClusterSettings([
      {
        name: "hpc",
        host: "hpc",
        user: "bob",
        port: 22,
        identityFile: "~/.ssh/id_bob",
        proxyJump: "gate.org:2022",
      },
    ]).clusters;
    const target = clusterSshTarget(cluster, sshConfig, env);
    assert.equal(target.host, "login.hpc.org");
    assert.equal(target.username, "bob");
    assert.equal(target.port, 22);
    assert.deepEqual(target.identityFiles, ["/home/me/.ssh/id_bob", "/home/me/.ssh/id_hpc"]);
    assert.equal(target.jump?.host, "gate.org");
    assert.equal(target.jump?.port, 2022);
  });

  test("a plain host name without any config", () => {
    const [cluster] = readClusterSettings([
      { name: "local", host: "127.0.0.1", port: 2222, user: "ci" },
    ]).clusters;
    const target = clusterSshTarget(cluster, "", env);
    assert.deepEqual([target.host, target.port, target.username], ["127.0.0.1", 2222, "ci"]);
  });
});

describe("toRemotePath", () => {
  const mappings = [
    { local: "/home/me/project", remote: "~/project" },
    { local: "/home/me/project/data", remote: "/scratch/me/data/" },
    { local: "/", remote: "/mnt/laptop" },
  ];

  test("the longest containing local folder decides", () => {
    assert.equal(toRemotePath("/home/me/project/exp/a b", mappings), "~/project/exp/a b");
    assert.equal(toRemotePath("/home/me/project/data/x", mappings), "/scratch/me/data/x");
    assert.equal(toRemotePath("/home/me/project", mappings), "~/project");
    assert.equal(toRemotePath("/home/me/project/", mappings), "~/project");
    assert.equal(toRemotePath("/etc/x", mappings), "/mnt/laptop/etc/x");
  });

  test("a sibling with the same prefix is not inside; unmapped paths and .. give undefined", () => {
    const only = [{ local: "/home/me/project", remote: "~/p" }];
    assert.equal(toRemotePath("/home/me/project2/x", only), undefined);
    assert.equal(toRemotePath("/tmp", only), undefined);
    assert.equal(toRemotePath("/home/me/project/../secret", only), undefined);
  });

  test("Windows paths become / paths", () => {
    assert.equal(
      toRemotePath("C:\\work\\proj\\exp\\e1", [{ local: "C:\\work\\proj", remote: "/home/u/proj" }]),
      "/home/u/proj/exp/e1",
    );
  });
});

describe("resolveFolderMappings", () => {
  test("workspace folder names become their paths; other relative keys are reported", () => {
    const [cluster] = readClusterSettings([
      { name: "hpc", host: "h", folders: { project: "~/p", "/abs/data": "/d", "rel/x": "/x" } },
    ]).clusters;
    const { mappings, problems } = resolveFolderMappings(cluster, [
      { name: "project", path: "/home/me/project" },
    ]);
    assert.deepEqual(mappings, [
      { local: "/home/me/project", remote: "~/p" },
      { local: "/abs/data", remote: "/d" },
    ]);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /"rel\/x"/);
  });
});

/**
 * VS Code side of the clusters: reads `thunder.clusters`, keeps one SshConnection per cluster,
 * answers the connection's questions with dialogs (host keys, passphrases, passwords, 2FA) and keeps
 * secrets in SecretStorage only when the user asks to remember them. Shows the state in the status bar.
 */
import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { ThunderContext } from "../context";
import { type CommandRunner, LOCAL_CLUSTER, LocalRunner } from "../jobs/command-runner";
import {
  type ConnectionState,
  type KeyboardInteractiveRequest,
  SshConnection,
  type SshPrompts,
  type UnknownHostKeyQuestion,
} from "../ssh/connection";
import {
  type ClusterSettings,
  clusterSshTarget,
  type FolderMapping,
  readClusterSettings,
  resolveFolderMappings,
} from "./cluster-settings";
import { type ClusterStatus, presentClusterStatus } from "./cluster-status";

export const clusterStatusCommand = "thunder.clusters.manage";

interface ManagedCluster {
  settings: ClusterSettings;
  connection: SshConnection | undefined;
  status: ClusterStatus;
  /** Secrets typed during the current connection attempt, offered for remembering once it works. */
  typedSecrets: { key: string; value: string; what: string }[];
  /** Stored secrets already tried in this attempt (a wrong one must not be offered again). */
  triedStored: Set<string>;
}

export class ClusterManager implements vscode.Disposable {
  private clusters = new Map<string, ManagedCluster>();
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with a cluster name when its connection state changes, undefined when the list changed. */
  readonly onDidChange = this.changed.event;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private reportedProblems = "";
  private readonly localRunner = new LocalRunner();

  constructor(private readonly ctx: ThunderContext) {
    this.statusItem = vscode.window.createStatusBarItem("clusters", vscode.StatusBarAlignment.Left, 40);
    this.statusItem.name = "Thunder Clusters";
    this.statusItem.command = clusterStatusCommand;
    this.disposables.push(
      this.statusItem,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("thunder.clusters") || event.affectsConfiguration("thunder.ssh")) {
          void this.reload();
        }
      }),
    );
    this.reload();
  }

  /** Re-reads the setting; clusters whose entry changed are disconnected and rebuilt. */
  reload(): void {
    const raw = vscode.workspace.getConfiguration("thunder").get<unknown>("clusters", []);
    const { clusters, problems } = readClusterSettings(raw);
    const text = problems.join("\n");
    if (text !== "" && text !== this.reportedProblems) {
      for (const problem of problems) this.ctx.log.warn(problem);
      void vscode.window.showWarningMessage(
        `Thunder: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more, see the log)` : ""}`,
      );
    }
    this.reportedProblems = text;
    const next = new Map<string, ManagedCluster>();
    for (const settings of clusters) {
      const existing = this.clusters.get(settings.name);
      if (existing && JSON.stringify(existing.settings) === JSON.stringify(settings)) {
        next.set(settings.name, existing);
        continue;
      }
      void existing?.connection?.close();
      next.set(settings.name, {
        settings,
        connection: undefined,
        status: { name: settings.name, state: "idle" },
        typedSecrets: [],
        triedStored: new Set(),
      });
    }
    for (const [name, old] of this.clusters) if (!next.has(name)) void old.connection?.close();
    this.clusters = next;
    this.updateStatusItem();
    this.changed.fire(undefined);
  }

  get names(): string[] {
    return [...this.clusters.keys()];
  }

  settings(name: string): ClusterSettings | undefined {
    return this.clusters.get(name)?.settings;
  }

  state(name: string): ConnectionState {
    return this.clusters.get(name)?.status.state ?? "idle";
  }

  status(name: string): ClusterStatus | undefined {
    return this.clusters.get(name)?.status;
  }

  /** The cluster's folder mappings with workspace folder names resolved. */
  mappings(name: string): FolderMapping[] {
    const settings = this.settings(name);
    if (!settings) return [];
    const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => ({
      name: folder.name,
      path: folder.uri.fsPath,
    }));
    const { mappings, problems } = resolveFolderMappings(settings, folders);
    for (const problem of problems) this.ctx.log.warn(problem);
    return mappings;
  }

  /** Where Slurm commands for this cluster run. */
  runner(name: string): CommandRunner {
    if (name === LOCAL_CLUSTER) return this.localRunner;
    const cluster = this.clusters.get(name);
    if (!cluster) throw new Error(`There is no cluster "${name}" in the thunder.clusters setting.`);
    const connection = this.connectionOf(cluster);
    return { clusterName: name, exec: (args, options) => connection.exec(args, options) };
  }

  /** The shared connection of a cluster (created on first use; connects lazily). */
  connection(name: string): SshConnection {
    const cluster = this.clusters.get(name);
    if (!cluster) throw new Error(`There is no cluster "${name}" in the thunder.clusters setting.`);
    return this.connectionOf(cluster);
  }

  async connect(name: string): Promise<void> {
    await this.connection(name).connect();
  }

  async disconnect(name: string): Promise<void> {
    const cluster = this.clusters.get(name);
    if (!cluster?.connection) return;
    const connection = cluster.connection;
    cluster.connection = undefined;
    await connection.close();
    cluster.status = { name, state: "idle" };
    this.ctx.log.info(`Disconnected from cluster "${name}".`);
    this.updateStatusItem();
    this.changed.fire(name);
  }

  private connectionOf(cluster: ManagedCluster): SshConnection {
    if (cluster.connection) return cluster.connection;
    const home = os.homedir();
    const sshSettings = vscode.workspace.getConfiguration("thunder.ssh");
    const configFile = expandTilde(sshSettings.get<string>("configFile", "") || "~/.ssh/config", home);
    const knownHosts = expandTilde(
      sshSettings.get<string>("knownHostsFile", "") || "~/.ssh/known_hosts",
      home,
    );
    let configText = "";
    try {
      configText = readFileSync(configFile, "utf8");
    } catch {
      // No ~/.ssh/config: the settings alone describe the cluster.
    }
    const target = clusterSshTarget(cluster.settings, configText, {
      homeDir: home,
      localUser: os.userInfo().username,
      agentSocket: process.env.SSH_AUTH_SOCK || undefined,
      readFile: (file) => {
        try {
          return readFileSync(file, "utf8");
        } catch {
          return undefined;
        }
      },
    });
    const connection = new SshConnection({
      target,
      prompts: this.promptsFor(cluster),
      knownHostsPath: knownHosts,
      connectTimeoutMs: 20_000,
    });
    const name = cluster.settings.name;
    connection.on("state", (event) => {
      if (cluster.connection !== connection) return;
      cluster.status = {
        name,
        state: event.state,
        error: event.error?.message,
        retryInMs: event.retryInMs,
      };
      if (event.state === "connecting") cluster.triedStored.clear();
      if (event.state === "connected") {
        this.ctx.log.info(
          `Connected to cluster "${name}" (${target.username}@${target.host}:${target.port}).`,
        );
        void this.offerToRemember(cluster);
      } else if (event.error) {
        this.ctx.log.warn(`Cluster "${name}": ${event.error.message}`);
        cluster.typedSecrets = [];
        if (event.error.kind === "authentication") {
          // A remembered secret that did not get us in is wrong now: forget it, ask next time.
          for (const key of cluster.triedStored) void this.ctx.extensionContext.secrets.delete(key);
        }
      }
      this.updateStatusItem();
      this.changed.fire(name);
    });
    cluster.connection = connection;
    this.ctx.log.info(
      `Cluster "${name}": ${target.username}@${target.host}:${target.port}` +
        `${target.jump ? ` via ${target.jump.host}` : ""}, known hosts ${knownHosts}.`,
    );
    return connection;
  }

  private secretKey(cluster: ManagedCluster, what: string): string {
    return `thunder.cluster/${cluster.settings.name}/${what}`;
  }

  /** A stored secret, once per connection attempt (a stored one that failed is not offered again). */
  private async storedSecret(cluster: ManagedCluster, key: string): Promise<string | undefined> {
    if (cluster.triedStored.has(key)) {
      // It was tried and the server asked again: it is wrong, forget it.
      await this.ctx.extensionContext.secrets.delete(key);
      return undefined;
    }
    cluster.triedStored.add(key);
    return this.ctx.extensionContext.secrets.get(key);
  }

  private promptsFor(cluster: ManagedCluster): SshPrompts {
    const name = cluster.settings.name;
    return {
      confirmUnknownHostKey: async (question: UnknownHostKeyQuestion) => {
        const accept = "Accept and Connect";
        const choice = await vscode.window.showWarningMessage(
          `The host key of cluster "${name}" is not known yet.`,
          {
            modal: true,
            detail:
              `${question.host}:${question.port} presents this ${question.keyType} key:\n\n` +
              `${question.fingerprint}\n\nAccept it only if it matches the fingerprint your cluster ` +
              `administrators publish. It will be added to your known_hosts file.`,
          },
          accept,
        );
        this.ctx.log.info(
          `Host key ${question.fingerprint} of cluster "${name}" was ${choice === accept ? "accepted" : "rejected"}.`,
        );
        return choice === accept ? "accept" : "reject";
      },
      passphrase: async (keyPath: string, attempt: number) => {
        const key = this.secretKey(cluster, `passphrase:${keyPath}`);
        // On a second attempt the stored passphrase was wrong; storedSecret then forgets it.
        const stored = await this.storedSecret(cluster, key);
        if (stored !== undefined) return stored;
        const value = await vscode.window.showInputBox({
          title: `Cluster "${name}": passphrase for ${path.basename(keyPath)}`,
          prompt: `${keyPath}${attempt > 1 ? " (the passphrase was wrong; try again)" : ""}`,
          password: true,
          ignoreFocusOut: true,
        });
        if (value !== undefined)
          cluster.typedSecrets.push({ key, value, what: `the passphrase of ${keyPath}` });
        return value;
      },
      password: async (target) => {
        const key = this.secretKey(cluster, `password:${target.username}`);
        const stored = await this.storedSecret(cluster, key);
        if (stored !== undefined) return stored;
        const value = await vscode.window.showInputBox({
          title: `Cluster "${name}": password for ${target.username}@${target.host}`,
          password: true,
          ignoreFocusOut: true,
        });
        if (value !== undefined) cluster.typedSecrets.push({ key, value, what: "the password" });
        return value;
      },
      keyboardInteractive: async (request: KeyboardInteractiveRequest) => {
        // One-time codes change every time: these answers are never stored.
        const answers: string[] = [];
        for (const question of request.prompts) {
          const value = await vscode.window.showInputBox({
            title: `Cluster "${name}": ${request.name || "login"}`,
            prompt: [request.instructions, question.prompt].filter(Boolean).join(" — "),
            password: !question.echo,
            ignoreFocusOut: true,
          });
          if (value === undefined) return undefined;
          answers.push(value);
        }
        return answers;
      },
    };
  }

  /** Secrets are stored only when the user says so, after they worked. */
  private async offerToRemember(cluster: ManagedCluster): Promise<void> {
    // The last value typed for each secret is the one that worked.
    const secrets = new Map(cluster.typedSecrets.map((secret) => [secret.key, secret]));
    cluster.typedSecrets = [];
    for (const secret of secrets.values()) {
      const choice = await vscode.window.showInformationMessage(
        `Remember ${secret.what} for cluster "${cluster.settings.name}" in VS Code's secret storage?`,
        "Remember",
        "Not Now",
      );
      if (choice === "Remember") await this.ctx.extensionContext.secrets.store(secret.key, secret.value);
    }
  }

  private updateStatusItem(): void {
    const presentation = presentClusterStatus([...this.clusters.values()].map((cluster) => cluster.status));
    this.statusItem.text = presentation.text;
    this.statusItem.tooltip = presentation.tooltip;
    this.statusItem.backgroundColor = presentation.isError
      ? new vscode.ThemeColor("statusBarItem.errorBackground")
      : undefined;
    if (presentation.visible) this.statusItem.show();
    else this.statusItem.hide();
  }

  dispose(): void {
    for (const cluster of this.clusters.values()) void cluster.connection?.close();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function expandTilde(file: string, home: string): string {
  if (file === "~") return home;
  return file.startsWith("~/") ? path.join(home, file.slice(2)) : file;
}

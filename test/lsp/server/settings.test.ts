// Settings reach the service: shortcuts (pulled per folder, pushed, or in initializationOptions)
// and the selected Python's sys.path.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { defaultCapabilities, makeWorkspace, startServer } from "../harness";

const hasErrors = (diagnostics: Diagnostic[]) => diagnostics.some((diagnostic) => diagnostic.severity === 1);

test("a shortcut added in the settings resolves the parent after didChangeConfiguration", async () => {
  const shared = makeWorkspace({ "models/base.config": "lr = 0.1\n" });
  const workspace = makeWorkspace({ "exp.config": "from shared.models.base import *\n\nscaled = lr * 2\n" });
  const client = await startServer({
    workspace: workspace.root,
    settings: { thunder: { configShortcuts: {} } },
  });
  try {
    const uri = client.open(workspace.uri("exp.config"), workspace.read("exp.config"));
    await client.waitForDiagnostics(uri, hasErrors);

    client.settings = { thunder: { configShortcuts: { shared: shared.root } } };
    client.notifySettingsChanged();
    assert.equal(hasErrors(await client.waitForDiagnostics(uri, (each) => !hasErrors(each))), false);

    client.settings = { thunder: { configShortcuts: {} } };
    client.notifySettingsChanged();
    await client.waitForDiagnostics(uri, hasErrors);
  } finally {
    await client.shutdown();
    workspace.cleanup();
    shared.cleanup();
  }
});

test("a relative shortcut folder is resolved against its workspace folder", async () => {
  const workspace = makeWorkspace({
    "vendor/common/base.config": "lr = 0.1\n",
    "exp.config": "from common.base import *\n\nscaled = lr * 2\n",
  });
  const client = await startServer({
    workspace: workspace.root,
    settings: { thunder: { configShortcuts: { common: "vendor/common" } } },
  });
  try {
    const uri = client.open(workspace.uri("exp.config"), workspace.read("exp.config"));
    await client.waitForDiagnostics(uri, (each) => !hasErrors(each));
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});

test("editors without workspace/configuration use initializationOptions and pushed settings", async () => {
  const shared = makeWorkspace({ "base.config": "lr = 0.1\n" });
  const workspace = makeWorkspace({ "exp.config": "from shared.base import *\n\nscaled = lr * 2\n" });
  const client = await startServer({
    workspace: workspace.root,
    capabilities: { ...defaultCapabilities, workspace: {} },
    initializationOptions: { thunder: { configShortcuts: { shared: shared.root } } },
  });
  try {
    const uri = client.open(workspace.uri("exp.config"), workspace.read("exp.config"));
    await client.waitForDiagnostics(uri, (each) => !hasErrors(each));
    await client.connection.sendNotification("workspace/didChangeConfiguration", {
      settings: { thunder: { configShortcuts: {} } },
    });
    await client.waitForDiagnostics(uri, hasErrors);
  } finally {
    await client.shutdown();
    workspace.cleanup();
    shared.cleanup();
  }
});

test("parents on the selected Python's sys.path are found", async () => {
  const site = makeWorkspace({ "mypkg/configs/base.config": "lr = 0.1\n" });
  const workspace = makeWorkspace({ "exp.config": "from mypkg.configs.base import *\n\nscaled = lr * 2\n" });
  // PYTHONPATH puts the folder on python3's sys.path; the server asks python3 for it.
  const client = await startServer({
    workspace: workspace.root,
    settings: { thunder: { pythonPath: "python3" } },
    env: { PYTHONPATH: site.root },
  });
  try {
    const uri = client.open(workspace.uri("exp.config"), workspace.read("exp.config"));
    await client.waitForDiagnostics(uri, (each) => !hasErrors(each), 8000);
  } finally {
    await client.shutdown();
    workspace.cleanup();
    site.cleanup();
  }
});

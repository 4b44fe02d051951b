/**
 * Entry point VS Code loads from `extensionTestsPath`: runs the registered tests and rejects when
 * any failed (VS Code turns that into a non-zero exit code for the runner).
 */
import { runRegisteredTests } from "./framework";
import "./language.suite";
import "./navigation.suite";
import "./views.suite";
import "./run.suite";
import "./sweeps.suite";

export async function run(): Promise<void> {
  const { failed } = await runRegisteredTests();
  if (failed > 0) throw new Error(`${failed} extension-host test(s) failed`);
}

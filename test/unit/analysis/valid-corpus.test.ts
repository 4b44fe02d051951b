import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { createLanguageService } from "../../../language-server/service";
import { DiskHost, FIXTURES } from "./helpers";

const configs = path.join(FIXTURES, "valid", "configs");
const files = [
  "common/base.config",
  "experiments/child.config",
  "experiments/features.config",
  "experiments/datamodule.config",
];

for (const relative of files) {
  test(`valid config ${relative} has no diagnostics at all`, () => {
    const service = createLanguageService(new DiskHost(), {
      workspaceFolders: [configs],
      sysPath: [configs],
    });
    const uri = pathToFileURL(path.join(configs, relative)).href;
    const diagnostics = service.diagnostics(uri);
    assert.deepEqual(
      diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`),
      [],
    );
  });
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ExperimentExistsError,
  ExperimentMissingError,
  MissingBackendError,
  MissingNamesError,
  parsePythonStringSet,
  recognizeThunderError,
} from "../../../extension/thunder-cli/thunder-errors";

describe("thunder errors", () => {
  it("recognises an existing experiment folder, keeping the path exactly", () => {
    const output =
      'Cannot create an experiment in the folder "/data/my  exps/run 1", it already exists. If you want to overwrite it, use --overwrite / -o flag.\n';
    const error = recognizeThunderError(output);
    assert.ok(error instanceof ExperimentExistsError);
    assert.equal(error.experiment, "/data/my  exps/run 1");
    assert.equal(error.kind, "experiment-exists");
    assert.match(error.userMessage, /already exists.*overwrite/);
  });

  it("recognises missing names and parses the Python set", () => {
    const error = recognizeThunderError(
      "Traceback ...\nValueError: The names {'c', \"it's\"} are missing from the config\n",
    );
    assert.ok(error instanceof MissingNamesError);
    assert.deepEqual(error.names, ["c", "it's"]);
    assert.match(error.userMessage, /"c", "it's"/);
  });

  it("recognises a missing experiment folder and a missing --backend inside rich boxes", () => {
    const missing = recognizeThunderError(
      "\u001b[31m╭─ Error ───────────────╮\n│ Trying to run experiment from folder /x/exp, but it │\n│ does not exist. │\n╰──────╯\u001b[0m",
    );
    assert.ok(missing instanceof ExperimentMissingError);
    assert.equal(missing.experiment, "/x/exp");
    const backend = recognizeThunderError(
      "Usage: thunder run [OPTIONS] EXP\n╭─ Error ─╮\n│ Missing option '--backend'. │\n╰─────────╯",
    );
    assert.ok(backend instanceof MissingBackendError);
  });

  it("returns undefined for other output", () => {
    assert.equal(recognizeThunderError("Epoch 1: 100%|██████| loss=0.1"), undefined);
    assert.equal(recognizeThunderError(""), undefined);
  });

  it("parses Python string sets with escapes", () => {
    assert.deepEqual(parsePythonStringSet("{'a\\'b', 'x\\\\y', 'n\\nl'}"), ["a'b", "x\\y", "n\nl"]);
  });
});

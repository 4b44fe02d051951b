import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPathMatcher, globToRegExp } from "../../../extension/experiments/glob";

describe("exclude globs", () => {
  it("translates *, **, ?, braces and classes", () => {
    assert.ok(globToRegExp("runs/*").test("runs/a"));
    assert.ok(!globToRegExp("runs/*").test("runs/a/b"));
    assert.ok(globToRegExp("runs/**").test("runs/a/b"));
    assert.ok(globToRegExp("**/tmp").test("tmp"));
    assert.ok(globToRegExp("**/tmp").test("a/b/tmp"));
    assert.ok(globToRegExp("exp_?").test("exp_1"));
    assert.ok(!globToRegExp("exp_?").test("exp_10"));
    assert.ok(globToRegExp("{old,archive}_*").test("archive_2024"));
    assert.ok(globToRegExp("fold_[0-2]").test("fold_1"));
    assert.ok(!globToRegExp("fold_[!0-2]").test("fold_1"));
    assert.ok(globToRegExp("a.b+c(d)").test("a.b+c(d)"));
    assert.ok(!globToRegExp("a.b").test("axb"));
  });

  it("matches slash-free patterns against any segment and others against the whole path", () => {
    const matcher = createPathMatcher(["wandb", "archive/**", " ", "./old/"]);
    assert.ok(matcher("wandb"));
    assert.ok(matcher("group/wandb"));
    assert.ok(matcher("archive/x/y"));
    assert.ok(matcher("old"));
    assert.ok(!matcher("group/archive"));
    assert.ok(!matcher("group/exp"));
    assert.ok(!createPathMatcher([])("anything"));
  });
});

/** Parent configs: resolution like lazycon, inheritance, problems across files, caching. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { codes, messageOf, ROOT, summary, uriOf, workspace } from "./helpers";

describe("resolving parents", () => {
  test("same folder, one level up per extra dot, and nested folders", () => {
    const { service } = workspace({
      "configs/common/base.config": "lr = 1\n",
      "configs/exp/mid.config": "from ..common.base import *\nbatch = 2\n",
      "configs/exp/child.config": "from .mid import *\nx = lr * batch\n",
    });
    assert.deepEqual(service.diagnostics(uriOf("configs/exp/child.config")), []);
  });

  test("shortcuts first, then sys.path", () => {
    const files = {
      "shared/base.config": "lr = 1\n",
      "site/pkg/base.config": "other = 1\n",
      "exp/a.config": "from short.base import *\nx = lr\n",
      "exp/b.config": "from pkg.base import *\ny = other\n",
    };
    const { service } = workspace(files, {
      shortcuts: { short: path.join(ROOT, "shared") },
      sysPath: [path.join(ROOT, "nothing-here"), path.join(ROOT, "site")],
    });
    assert.deepEqual(service.diagnostics(uriOf("exp/a.config")), []);
    assert.deepEqual(service.diagnostics(uriOf("exp/b.config")), []);

    const withoutSettings = workspace(files).service;
    assert.deepEqual(codes(withoutSettings.diagnostics(uriOf("exp/a.config"))), [
      "parent-not-found",
      "undefined-name",
    ]);
  });

  test("a missing shortcut target names the path", () => {
    const { service } = workspace(
      { "exp/a.config": "from short.nope import *\n" },
      { shortcuts: { short: path.join(ROOT, "shared") } },
    );
    const [diagnostic] = service.diagnostics(uriOf("exp/a.config"));
    assert.equal(diagnostic.code, "parent-not-found");
    assert.ok(messageOf(diagnostic).includes(path.join(ROOT, "shared", "nope.config")));
  });

  test("a parent that is a folder gets a clear error at the import line", () => {
    const { service } = workspace({ "a.config": "from .folder import *\n", "folder.config/inside.txt": "" });
    const diagnostics = service.diagnostics(uriOf("a.config"));
    assert.deepEqual(summary(diagnostics), ["0:0-0:21 parent-unreadable"]);
    assert.match(messageOf(diagnostics[0]), /is a folder/);
  });

  test("cyclic parent imports do not hang", () => {
    const { service } = workspace({
      "a.config": "from .b import *\nx = y\n",
      "b.config": "from .a import *\ny = 1\n",
    });
    assert.deepEqual(service.diagnostics(uriOf("a.config")), []);
    assert.deepEqual(service.diagnostics(uriOf("b.config")), []);
  });
});

describe("inheritance", () => {
  test("the later parent wins and the child overrides", () => {
    const { service } = workspace({
      "p1.config": "a = 1\nb = 1\n",
      "p2.config": "b = 2\nc = 2\n",
      "child.config": "from .p1 import *\nfrom .p2 import *\nc = 3\n",
    });
    const entries = service.configEntries(uriOf("child.config")).entries;
    const origin = Object.fromEntries(
      entries.map((e) => [e.name, `${path.basename(e.definedIn)}:${e.value}`]),
    );
    assert.deepEqual(origin, { a: "p1.config:1", b: "p2.config:2", c: "child.config:3" });
  });

  test("a problem in a parent shows on the parent and at the child's import line", () => {
    const { service } = workspace({
      "base.config": "x = undefined_thing\n",
      "child.config": "from .base import *\ny = x\n",
    });
    assert.deepEqual(summary(service.diagnostics(uriOf("base.config"))), ["0:4-0:19 undefined-name"]);
    const [diagnostic, ...rest] = service.diagnostics(uriOf("child.config"));
    assert.deepEqual(rest, []);
    assert.equal(diagnostic.code, "parent-has-errors");
    assert.equal(diagnostic.range.start.line, 0);
    assert.match(messageOf(diagnostic), /^Parent config "base\.config" has errors: thunder build will fail/);
    assert.equal(
      messageOf(diagnostic),
      'Parent config "base.config" has errors: thunder build will fail (line 1: Undefined name "undefined_thing")',
    );
    assert.deepEqual(diagnostic.relatedInformation, [
      {
        location: {
          uri: uriOf("base.config"),
          range: { start: { line: 0, character: 4 }, end: { line: 0, character: 19 } },
        },
        message: 'Undefined name "undefined_thing": thunder build will fail (lazycon: Undefined names found)',
      },
    ]);
  });

  test("a grandparent's syntax error reaches the grandchild", () => {
    const { service } = workspace({
      "a.config": "x = (\n",
      "b.config": "from .a import *\n",
      "c.config": "from .b import *\n",
    });
    const [diagnostic] = service.diagnostics(uriOf("c.config"));
    assert.equal(diagnostic.code, "parent-has-errors");
    assert.match(messageOf(diagnostic), /a\.config line 1/);
  });

  test("a parent's name that only the child defines is fine in the child (lazycon checks the merged scope)", () => {
    const { service } = workspace({
      "template.config": "model = make(width)\n",
      "child.config": "from .template import *\nwidth = 3\nmake = dict\n",
    });
    assert.deepEqual(codes(service.diagnostics(uriOf("template.config"))), [
      "undefined-name",
      "undefined-name",
    ]);
    assert.deepEqual(service.diagnostics(uriOf("child.config")), []);
  });

  test("an overridden parent entry is not analysed", () => {
    const { service } = workspace({
      "base.config": "lr = missing * 2\n",
      "child.config": "from .base import *\nlr = 1\n",
    });
    assert.deepEqual(service.diagnostics(uriOf("child.config")), []);
  });

  test("cycles across a parent and a child", () => {
    const { service } = workspace({
      "base.config": "a = b\nb = 1\n",
      "child.config": "from .base import *\nb = a\n",
    });
    assert.deepEqual(summary(service.diagnostics(uriOf("child.config"))), ["1:4-1:5 cyclic-dependency"]);
  });
});

describe("changes", () => {
  test("files are cached until fileChanged, then re-read", () => {
    const { service, host } = workspace({
      "base.config": "lr = 1\n",
      "child.config": "from .base import *\nx = lr\n",
    });
    const child = uriOf("child.config");
    service.openDocument(child, "from .base import *\nx = lr\n", 1);
    assert.deepEqual(service.diagnostics(child), []);
    const reads = host.reads;
    service.diagnostics(child);
    assert.equal(host.reads, reads, "a second request reads nothing from disk");

    host.write("base.config", "rate = 1\n");
    assert.deepEqual(service.diagnostics(child), [], "still the cached parent");
    service.fileChanged(uriOf("base.config"));
    assert.deepEqual(codes(service.diagnostics(child)), ["undefined-name"]);
  });

  test("an open parent's unsaved text is what the child sees", () => {
    const { service } = workspace({
      "base.config": "lr = 1\n",
      "child.config": "from .base import *\nx = lr\n",
    });
    const base = uriOf("base.config");
    service.openDocument(base, "lr = 1\n", 1);
    service.changeDocument(
      base,
      [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 2 } }, text: "rate" }],
      2,
    );
    assert.deepEqual(codes(service.diagnostics(uriOf("child.config"))), ["undefined-name"]);
  });

  test("affectedDocuments lists open children and grandchildren of a changed parent", () => {
    const { service, host } = workspace({
      "base.config": "lr = 1\n",
      "mid.config": "from .base import *\n",
      "leaf.config": "from .mid import *\nx = lr\n",
      "other.config": "y = 1\n",
    });
    for (const name of ["mid.config", "leaf.config", "other.config"]) {
      service.openDocument(uriOf(name), host.readFile(path.join(ROOT, name))!, 1);
    }
    assert.deepEqual(
      service.affectedDocuments(uriOf("base.config")).sort(),
      [uriOf("leaf.config"), uriOf("mid.config")].sort(),
    );
    assert.deepEqual(service.affectedDocuments(uriOf("other.config")), [uriOf("other.config")]);
  });

  test("a parent that appears later is picked up", () => {
    const { service, host } = workspace({ "child.config": "from .base import *\nx = lr\n" });
    const child = uriOf("child.config");
    service.openDocument(child, "from .base import *\nx = lr\n", 1);
    assert.deepEqual(codes(service.diagnostics(child)), ["parent-not-found", "undefined-name"]);
    host.write("base.config", "lr = 1\n");
    service.fileChanged(uriOf("base.config"));
    assert.deepEqual(service.affectedDocuments(uriOf("base.config")), [child]);
    assert.deepEqual(service.diagnostics(child), []);
  });

  test("a child created later joins the family once the watcher reports it", () => {
    const { service, host } = workspace({
      "base.config": "lr = 1\n",
      "a.config": "from .base import *\nx = lr\n",
    });
    const base = uriOf("base.config");
    const position = { line: 0, character: 0 };
    assert.equal(service.references(base, position, true).length, 2);
    host.write("sub/b.config", "from ..base import *\ny = lr\n");
    assert.equal(service.references(base, position, true).length, 2, "not known before the watcher says so");
    service.fileChanged(uriOf("sub/b.config"));
    assert.equal(service.references(base, position, true).length, 3);
    host.remove("sub/b.config");
    service.fileChanged(uriOf("sub/b.config"));
    assert.equal(service.references(base, position, true).length, 2);
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  looksLikeXml,
  XmlConfigSwitcher,
  XmlDocumentFilter,
} from "../../../extension/xml-config/looks-like-xml";

describe("looksLikeXml", () => {
  test("XML declarations, comments and root elements look like XML", () => {
    assert.equal(looksLikeXml('<?xml version="1.0" encoding="utf-8"?>\n<configuration/>'), true);
    assert.equal(looksLikeXml("<!-- web.config -->\n<configuration>"), true);
    assert.equal(looksLikeXml("<configuration>\n</configuration>"), true);
  });

  test("leading whitespace and a byte-order mark are skipped", () => {
    assert.equal(looksLikeXml("\n\n   \t<configuration/>"), true);
    assert.equal(looksLikeXml("\uFEFF<?xml version='1.0'?>"), true);
    assert.equal(looksLikeXml("\uFEFF\r\n  <a/>"), true);
  });

  test("lazycon configs do not look like XML", () => {
    assert.equal(looksLikeXml("from .base import *\nlr = 1e-3\n"), false);
    assert.equal(looksLikeXml("# <not xml> in a comment\nx = 1"), false);
    assert.equal(looksLikeXml("x = 1 < 2"), false);
    assert.equal(looksLikeXml("   lr = 0.1  # indented, still not XML"), false);
  });

  test("empty and blank files are lazycon", () => {
    assert.equal(looksLikeXml(""), false);
    assert.equal(looksLikeXml(" \n\t\n"), false);
  });
});

describe("XmlConfigSwitcher", () => {
  test("switches an XML-looking lazycon document once, then respects the user's choice", () => {
    const switcher = new XmlConfigSwitcher();
    const uri = "file:///ws/web.config";
    assert.equal(switcher.shouldSwitch(uri, "lazycon", "<?xml version='1.0'?>"), true);
    // VS Code reopens the document as xml: nothing to do.
    assert.equal(switcher.shouldSwitch(uri, "xml", "<?xml version='1.0'?>"), false);
    // The user picked lazycon again by hand: leave it.
    assert.equal(switcher.shouldSwitch(uri, "lazycon", "<?xml version='1.0'?>"), false);
  });

  test("leaves lazycon configs and other languages alone", () => {
    const switcher = new XmlConfigSwitcher();
    assert.equal(switcher.shouldSwitch("file:///ws/a.config", "lazycon", "x = 1"), false);
    assert.equal(switcher.shouldSwitch("file:///ws/b.xml", "xml", "<a/>"), false);
    // A later XML-looking file is still switched.
    assert.equal(switcher.shouldSwitch("file:///ws/c.config", "lazycon", "<a/>"), true);
  });
});

describe("XmlDocumentFilter", () => {
  test("hides an XML document from open to close, and only it", () => {
    const filter = new XmlDocumentFilter();
    assert.equal(filter.hideOnOpen("file:///ws/web.config", "<configuration/>"), true);
    assert.equal(filter.hideOnOpen("file:///ws/a.config", "x = 1"), false);
    assert.equal(filter.isHidden("file:///ws/web.config"), true);
    assert.equal(filter.isHidden("file:///ws/a.config"), false);
    assert.equal(filter.releaseOnClose("file:///ws/a.config"), false);
    assert.equal(filter.releaseOnClose("file:///ws/web.config"), true);
    // Closed: the next open decides afresh.
    assert.equal(filter.isHidden("file:///ws/web.config"), false);
    assert.equal(filter.releaseOnClose("file:///ws/web.config"), false);
  });
});

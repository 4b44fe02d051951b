/**
 * VS Code's XML support also claims `*.config` (e.g. ASP.NET `web.config`). Such files start with
 * `<` (an XML declaration, a comment or the root element); a lazycon config never can, because `<`
 * cannot begin a Python statement.
 */

const byteOrderMark = "\uFEFF";

/** True when the first character that is not whitespace (or a byte-order mark) is `<`. */
export function looksLikeXml(text: string): boolean {
  for (const char of text) {
    if (char === byteOrderMark || /\s/.test(char)) continue;
    return char === "<";
  }
  return false;
}

/**
 * Decides whether a document that VS Code opened as lazycon should be handed to XML. Each file is
 * switched at most once per session, so a user who picks "lazycon" again by hand keeps that choice.
 */
export class XmlConfigSwitcher {
  private readonly alreadySwitched = new Set<string>();

  shouldSwitch(uri: string, languageId: string, text: string): boolean {
    if (languageId !== "lazycon" || this.alreadySwitched.has(uri) || !looksLikeXml(text)) return false;
    this.alreadySwitched.add(uri);
    return true;
  }
}

/**
 * Keeps XML-looking documents away from the language server: VS Code reports them as lazycon
 * until the switch to `xml` is done, and the server would only flood them with syntax errors.
 */
export class XmlDocumentFilter {
  private readonly hidden = new Set<string>();

  /** A document opened: true if the server must not hear about it (now or on later changes). */
  hideOnOpen(uri: string, text: string): boolean {
    if (!looksLikeXml(text)) return false;
    this.hidden.add(uri);
    return true;
  }

  isHidden(uri: string): boolean {
    return this.hidden.has(uri);
  }

  /** A document closed: true if it was hidden, so the server never saw it open. */
  releaseOnClose(uri: string): boolean {
    return this.hidden.delete(uri);
  }
}

/*
 * Serialize the live page into the HTML the backend prunes and the model reads.
 *
 * Why not `outerHTML`: it shows the page's source attributes, not what the person sees — typed
 * values, ticked boxes, chosen options, hidden elements, shadow DOM and iframe contents are all
 * wrong or missing. This walks the rendered (flat) tree instead and gives every element a numeric
 * `node` id that maps back to the live element through a registry kept here (WeakMap/WeakRef), so
 * the page's own DOM is never modified.
 *
 * Standalone on purpose: no chrome.* APIs, so a benchmark harness can inject this file into any
 * page and call `ScribeSerializer.serialize()` / `ScribeSerializer.elementFor(id)`.
 */
(() => {
  if (globalThis.ScribeSerializer) return; // injected twice: keep the first registry

  const DEFAULT_MAX_CHARS = 1_500_000;
  const MAX_ATTR_CHARS = 300;
  const SKIP_TAGS = new Set(["script", "style", "noscript", "template", "link", "meta", "base", "head"]);
  const VOID_TAGS = new Set(["area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"]);
  const OPAQUE_TAGS = new Set(["svg", "math", "canvas", "video", "audio", "object"]); // children are noise
  const LIVE_ATTRS = new Set(["value", "checked", "selected", "node", "sa-visible", "sa-click", "style"]);
  /** Never marked clickable: clicking the document itself is no step. */
  const UNMARKED_TAGS = new Set(["html", "body"]);
  const TEXT_INPUTS = new Set(["text", "search", "email", "url", "tel", "number", "date", "time",
    "datetime-local", "month", "week", "color", "range", ""]);
  const SENSITIVE_AUTOCOMPLETE = /^(cc-|current-password|new-password|one-time-code)/;
  const SENSITIVE_NAME = /pass(word|wd|code)|secret|\bcvv\b|\bcvc\b|\bssn\b|\bpin\b|card.?number|iban/i;

  let nextId = 1;
  const idByElement = new WeakMap();
  const elementById = new Map();
  /** Elements the extension itself adds (highlight overlay): never serialized or observed. */
  const ignored = new WeakSet();

  function nodeIdFor(el) {
    let id = idByElement.get(el);
    if (id === undefined) {
      id = String(nextId++);
      idByElement.set(el, id);
      elementById.set(id, new WeakRef(el));
    }
    return id;
  }

  /** The live element behind a `node` id, or null if it was removed from the page. */
  function elementFor(id) {
    const el = elementById.get(String(id))?.deref();
    if (!el) {
      elementById.delete(String(id));
      return null;
    }
    return el.isConnected ? el : null;
  }

  /** Password fields and fields the page marks as sensitive: their values never leave the page. */
  function isSensitive(el) {
    if (!el || el.nodeType !== 1) return false;
    const tag = el.localName;
    const field = tag === "input" || tag === "textarea" || tag === "select";
    // Checked per element while serializing: the cheap tests go first, `closest` last.
    if (field && tag === "input" && (el.type || "").toLowerCase() === "password") return true;
    if (el.closest("[data-sensitive]:not([data-sensitive='false'])")) return true;
    if (!field) return false;
    const ac = (el.getAttribute("autocomplete") || "").toLowerCase().trim().split(/\s+/).pop();
    if (SENSITIVE_AUTOCOMPLETE.test(ac)) return true;
    return SENSITIVE_NAME.test(`${el.name || ""} ${el.id || ""}`);
  }

  /** A region the page marks sensitive is written as an empty element: no text leaves it. */
  function marksSensitive(el) {
    const v = el.getAttribute("data-sensitive");
    return v !== null && v !== "false";
  }

  function escapeText(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function escapeAttr(s) {
    if (s.length > MAX_ATTR_CHARS) s = s.slice(0, MAX_ATTR_CHARS) + "…";
    return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }

  /** "skip" (no box: display:none and friends), "hidden" (present but not visible) or "shown". */
  function visibility(el, style) {
    if (style.display === "none") return "skip";
    if (style.display === "contents") return "shown";
    const rects = el.getClientRects();
    if (rects.length === 0) return "skip";
    if (style.visibility === "hidden" || style.visibility === "collapse" || Number(style.opacity) === 0) {
      return "hidden";
    }
    const r = el.getBoundingClientRect();
    if (r.width < 1 && r.height < 1 && style.overflow !== "visible") return "hidden";
    return "shown";
  }

  /**
   * Elements whose tag already makes them something to act on (the pruner's INTERACTIVE_TAGS in
   * backend/dom/rules.py): they and everything inside them get no clickable mark.
   */
  function isNativeControl(el) {
    switch (el.localName) {
      case "a":
      case "area":
        return el.hasAttribute("href");
      case "label":
        return el.hasAttribute("for");
      case "video":
      case "audio":
        return el.hasAttribute("controls");
      case "button":
      case "input":
      case "select":
      case "textarea":
      case "summary":
      case "option":
        return true;
      default:
        return false;
    }
  }

  /**
   * True for an element a person can click although its tag does not say so (cards, menu items,
   * tabs and rows built from divs and spans). Listeners added with addEventListener cannot be seen
   * from a script, so the page's own sign of them is used: a pointer cursor that starts here (the
   * cursor is inherited, so the parent having it already says nothing new), plus an onclick
   * handler and a place in the tab order. The handler is seen as an attribute (never written
   * itself) or, when this script shares the page's world, as a property: a content script's
   * isolated world sees page-set handler properties as null.
   * ARIA widget roles and contenteditable need no mark: their attributes are written and say it.
   */
  function isClickable(el, style, parentCursor) {
    if (style.cursor === "pointer" && parentCursor !== "pointer") return true;
    if (typeof el.onclick === "function" || el.hasAttribute("onclick")) return true;
    return el.hasAttribute("tabindex") && el.tabIndex >= 0;
  }

  /** The attributes to write: the page's own, then the live form state and our marks, then our id. */
  function attributes(el, hidden, clickable, id) {
    const parts = [];
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (LIVE_ATTRS.has(name) || name.startsWith("on") || !/^[a-z_:][-a-z0-9_:.]*$/.test(name)) continue;
      parts.push(attr.value === "" ? name : `${name}="${escapeAttr(attr.value)}"`);
    }
    const tag = el.localName;
    if (tag === "input") {
      const sensitive = isSensitive(el);
      const type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (el.checked) parts.push("checked");
      } else if (!sensitive && (TEXT_INPUTS.has(type) || type === "submit" || type === "button" || type === "reset")) {
        if (el.value) parts.push(`value="${escapeAttr(el.value)}"`);
      }
    } else if (tag === "option" && el.selected && !isSensitive(el.closest("select"))) {
      parts.push("selected");
    }
    if (clickable) parts.push("sa-click");
    if (hidden) parts.push('sa-visible="0"');
    parts.push(`node="${id}"`);
    return parts.length ? " " + parts.join(" ") : "";
  }

  /** Children in the rendered (flat) tree: shadow root content with slots filled, else DOM children. */
  function renderedChildren(el) {
    if (el.localName === "slot") {
      const assigned = el.assignedNodes({ flatten: true });
      return assigned.length ? assigned : el.childNodes;
    }
    if (el.shadowRoot) return el.shadowRoot.childNodes;
    if (el.localName === "iframe" || el.localName === "frame") {
      let doc = null;
      try {
        doc = el.contentDocument; // null (or throws) for cross-origin frames: left out
      } catch (e) {
        if (!(e instanceof DOMException)) throw e;
      }
      return doc?.body ? [doc.body] : [];
    }
    return el.childNodes;
  }

  /**
   * Serialize the page. Options: `root` (default document.documentElement), `maxChars` (size cap;
   * elements after the cap are left out and `truncated` is set).
   * Returns {html, url, title, nodes, truncated, ids} — `ids` is the Set of node ids written.
   */
  function serialize(options = {}) {
    const root = options.root || document.documentElement;
    const maxChars = options.maxChars || DEFAULT_MAX_CHARS;
    const out = [];
    const ids = new Set();
    let size = 0;
    let truncated = false;

    const emit = (s) => {
      out.push(s);
      size += s.length;
    };

    // `cursor`: the parent's computed cursor; `inControl`: inside a native control (no marks there).
    const walk = (node, insideSelect, insideHidden, cursor, inControl) => {
      if (size >= maxChars) {
        truncated = true;
        return;
      }
      if (node.nodeType === Node.TEXT_NODE) {
        let text = node.data.replace(/\s+/g, " ");
        if (!text.trim()) return;
        if (text.length > maxChars - size) {
          text = text.slice(0, maxChars - size); // one huge text node must not defeat the cap
          truncated = true;
        }
        emit(escapeText(text));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || ignored.has(node)) return;
      const el = node;
      const tag = el.localName;
      if (SKIP_TAGS.has(tag)) {
        if (tag === "head") {
          const title = el.ownerDocument.title;
          if (title) emit(`<title>${escapeText(title)}</title>`);
        }
        return;
      }
      let hidden = false;
      let clickable = false;
      let ownCursor = cursor;
      const native = inControl || isNativeControl(el);
      // Options of a closed <select> have no boxes but are real choices: keep them.
      if (!insideSelect) {
        const style = el.ownerDocument.defaultView.getComputedStyle(el);
        const vis = visibility(el, style);
        if (vis === "skip") return;
        hidden = vis === "hidden" && !insideHidden;
        clickable = !native && !UNMARKED_TAGS.has(tag) && isClickable(el, style, cursor);
        ownCursor = style.cursor;
      }
      const id = nodeIdFor(el);
      ids.add(id);
      emit(`<${tag}${attributes(el, hidden, clickable, id)}>`);
      if (VOID_TAGS.has(tag)) return;
      if (tag === "textarea") {
        if (!isSensitive(el)) emit(escapeText(el.value));
      } else if (!OPAQUE_TAGS.has(tag) && !marksSensitive(el)) {
        const inSelect = insideSelect || tag === "select" || tag === "datalist";
        for (const child of renderedChildren(el)) walk(child, inSelect, insideHidden || hidden, ownCursor, native);
      }
      emit(`</${tag}>`);
    };

    walk(root, false, false, "auto", false);
    const doc = root.ownerDocument || document;
    return {
      html: out.join(""),
      url: doc.location ? doc.location.href : "",
      title: doc.title || "",
      nodes: ids.size,
      truncated,
      ids,
    };
  }

  function cssEscape(s) {
    return globalThis.CSS && CSS.escape ? CSS.escape(s) : s.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);
  }

  function unique(doc, selector) {
    try {
      return doc.querySelectorAll(selector).length === 1;
    } catch (e) {
      if (e instanceof DOMException) return false;
      throw e;
    }
  }

  /**
   * A CSS selector that finds `el` again on a later visit of the page: a unique id or test/name
   * attribute if there is one, else a :nth-of-type path from the nearest uniquely identified
   * ancestor. Within shadow roots or frames it is relative to that root.
   */
  function selectorFor(el) {
    const scope = el.getRootNode();
    const doc = scope.querySelectorAll ? scope : el.ownerDocument;
    const own = (e) => {
      const tag = e.localName;
      if (e.id && !/^\d|[\s]/.test(e.id) && unique(doc, `#${cssEscape(e.id)}`)) return `#${cssEscape(e.id)}`;
      for (const attr of ["data-testid", "data-test", "data-qa", "name", "aria-label", "placeholder"]) {
        const v = e.getAttribute(attr);
        if (v && v.length <= 80) {
          const sel = `${tag}[${attr}="${v.replace(/["\\]/g, "\\$&")}"]`;
          if (unique(doc, sel)) return sel;
        }
      }
      return null;
    };
    const parts = [];
    let cur = el;
    while (cur && cur.nodeType === Node.ELEMENT_NODE) {
      const mine = own(cur);
      if (mine) {
        parts.unshift(mine);
        break;
      }
      const parent = cur.parentElement;
      let part = cur.localName;
      if (parent) {
        const same = Array.from(parent.children).filter((c) => c.localName === cur.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(cur) + 1})`;
      }
      parts.unshift(part);
      if (cur.localName === "html") break;
      cur = parent;
    }
    return parts.join(" > ");
  }

  globalThis.ScribeSerializer = Object.freeze({
    serialize,
    elementFor,
    nodeIdFor,
    isSensitive,
    selectorFor,
    ignore: (el) => ignored.add(el),
    isIgnored: (el) => ignored.has(el),
  });
})();

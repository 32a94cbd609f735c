/*
 * Watch what the person does: trusted clicks, typed text (on change/blur, not per keystroke) and
 * key presses, each described in words ("Type 'ACME' into Customer").
 *
 * In record mode every action carries the page snapshot from *before* it: clicks use the snapshot
 * taken at pointerdown, typing the one taken when the field got focus, keys the one at keydown.
 * Listeners are capture-phase on the window so they run before the page's own handlers. Synthetic
 * (untrusted) events are ignored: "Do it" reports its own actions.
 */
(() => {
  if (globalThis.ScribeRecorder) return;
  const S = globalThis.ScribeSerializer;
  const { Action, KEY_NAMES, SENSITIVE_PLACEHOLDER } = globalThis.ScribeMessages;

  const CLICKABLE = "a, button, input, select, textarea, label, summary, option, [role=button], [role=link], " +
    "[role=tab], [role=menuitem], [role=checkbox], [role=radio], [role=option], [role=switch], [onclick], [tabindex]";
  const NAME_MAX = 40;
  /** Keys recorded anywhere; the other KEY_NAMES only outside text fields (there they are editing). */
  const ALWAYS_KEYS = new Set(["Enter", "Tab", "Escape"]);

  const clean = (s) => (s || "").replace(/\s+/g, " ").trim();
  const clip = (s) => (s.length > NAME_MAX ? s.slice(0, NAME_MAX - 1) + "…" : s);

  function isTextField(el) {
    if (!el) return false;
    if (el.isContentEditable || el.localName === "textarea") return true;
    if (el.localName !== "input") return false;
    return !["checkbox", "radio", "submit", "button", "reset", "image", "file", "range", "color"].includes(el.type);
  }

  /** What a person would call the element: its label, visible text or hint. */
  function nameOf(el) {
    const byId = (ids) => ids.split(/\s+/).map((id) => el.ownerDocument.getElementById(id)?.textContent || "").join(" ");
    const candidates = [
      el.getAttribute("aria-label"),
      el.getAttribute("aria-labelledby") && byId(el.getAttribute("aria-labelledby")),
      el.labels && el.labels[0] && el.labels[0].textContent,
      isTextField(el) || el.localName === "select" ? el.getAttribute("placeholder") : el.innerText,
      el.localName === "input" && ["submit", "button", "reset"].includes(el.type) ? el.value : "",
      el.getAttribute("title"),
      el.getAttribute("alt"),
      el.querySelector?.("img[alt]")?.getAttribute("alt"),
      el.getAttribute("placeholder"),
      el.getAttribute("name"),
    ];
    for (const c of candidates) {
      const text = clean(c);
      if (text) return clip(text);
    }
    return el.localName;
  }

  function describe(el, kind, text) {
    const name = nameOf(el);
    if (kind === Action.CLICK) return `Click '${name}'`;
    if (kind === Action.KEY) return `Press ${text === " " ? "Space" : text}${isTextField(el) ? ` in '${name}'` : ""}`;
    if (S.isSensitive(el)) return `Type a hidden value into '${name}'`;
    if (el.localName === "select") return `Select '${clip(clean(text))}' in '${name}'`;
    return `Type '${clip(text)}' into '${name}'`;
  }

  /** The element the event was really for: inside shadow DOM, and the interactive ancestor. */
  function targetOf(event) {
    const raw = event.composedPath()[0];
    const el = raw && raw.nodeType === Node.ELEMENT_NODE ? raw : raw?.parentElement;
    if (!el || S.isIgnored(el)) return null;
    return el.closest(CLICKABLE) || el;
  }

  function valueOf(el) {
    if (el.isContentEditable) return el.innerText;
    if (el.localName === "select") return el.selectedOptions[0]?.textContent.trim() ?? el.value;
    return el.value;
  }

  let listening = null; // {withSnapshots, onAction, pendingClick, field}

  function snapshot() {
    if (!listening.withSnapshots) return null;
    return S.serialize();
  }

  function emit(el, kind, text, snap) {
    const sensitive = kind === Action.TYPE && S.isSensitive(el);
    const action = { kind, text: kind === Action.CLICK ? null : sensitive ? SENSITIVE_PLACEHOLDER : text };
    const node = S.nodeIdFor(el);
    const record = {
      url: location.href,
      action,
      target: { node, selector: S.selectorFor(el) },
      description: describe(el, kind, text),
    };
    if (snap) {
      record.html = snap.html;
      record.url = snap.url;
      if (!snap.ids.has(node)) record.target.node = null; // not rendered or past the size cap
    }
    listening.onAction(record);
  }

  /** Emit the typing in the focused field if its value changed since focus (or since last emit). */
  function flushTyping(el) {
    const field = listening.field;
    if (!field || field.el !== el) return;
    const value = valueOf(el);
    if (value === field.value) return;
    emit(el, Action.TYPE, value, field.snap);
    field.value = value;
    field.snap = snapshot();
  }

  const handlers = {
    pointerdown(e) {
      if (!e.isTrusted) return;
      const el = targetOf(e);
      if (el) listening.pendingClick = { el, snap: snapshot() };
    },
    click(e) {
      if (!e.isTrusted) return;
      const el = targetOf(e);
      const pending = listening.pendingClick;
      listening.pendingClick = null;
      if (!el || isTextField(el) || el.localName === "select" || el.localName === "option") return;
      // A click on a <label> makes the browser click its control as well: one step, not two.
      if (pending?.el?.localName === "label" && pending.el.control === el && pending.done) return;
      const snap = pending && (pending.el === el || pending.el.contains(el) || el.contains(pending.el)) ? pending.snap : snapshot();
      emit(el, Action.CLICK, null, snap);
      if (el.localName === "label") listening.pendingClick = { el, done: true };
    },
    focusin(e) {
      // Untrusted focus (a page script calling el.focus()) still marks the state before typing.
      const raw = e.composedPath()[0];
      if (!raw || !(isTextField(raw) || raw.localName === "select")) return;
      if (listening.field?.el === raw) return;
      listening.field = { el: raw, value: valueOf(raw), snap: snapshot() };
    },
    change(e) {
      if (!e.isTrusted) return;
      const el = e.composedPath()[0];
      if (el && (isTextField(el) || el.localName === "select")) flushTyping(el);
    },
    focusout(e) {
      const el = e.composedPath()[0];
      if (el?.isContentEditable) flushTyping(el); // contenteditable has no change event
    },
    keydown(e) {
      if (!e.isTrusted || e.isComposing || !KEY_NAMES.includes(e.key) || e.key === " ") return;
      const raw = e.composedPath()[0];
      const el = raw?.nodeType === Node.ELEMENT_NODE ? raw : document.activeElement;
      if (!el || S.isIgnored(el)) return;
      const editing = isTextField(el) || el.localName === "select";
      if (!ALWAYS_KEYS.has(e.key) && editing) return;
      // Enter on a button or link produces a click, which is recorded instead.
      if (e.key === "Enter" && (el.localName === "button" || el.localName === "a")) return;
      flushTyping(el); // the text typed before Enter/Tab is its own, earlier step
      emit(el, Action.KEY, e.key, snapshot());
    },
  };

  /** Start watching. `withSnapshots`: attach the before-snapshot (record mode). */
  function start({ withSnapshots, onAction }) {
    stop();
    listening = { withSnapshots, onAction, pendingClick: null, field: null };
    for (const [type, fn] of Object.entries(handlers)) window.addEventListener(type, fn, true);
    const active = document.activeElement;
    if (active && (isTextField(active) || active.localName === "select")) {
      listening.field = { el: active, value: valueOf(active), snap: snapshot() };
    }
  }

  function stop() {
    if (!listening) return;
    for (const [type, fn] of Object.entries(handlers)) window.removeEventListener(type, fn, true);
    listening = null;
  }

  globalThis.ScribeRecorder = Object.freeze({ start, stop, describe });
})();

/*
 * "Do it": perform a step on the live element with the events a person's input would produce.
 *
 * Pages listen to different events (React to `input` through the native value setter, others to
 * key events or `change`), so typing goes character by character with keydown / beforeinput /
 * input / keyup and ends with `change`. Synthetic key events have no default action, so the
 * defaults that matter for steps (Enter submits or activates, Tab moves focus) are done here.
 */
(() => {
  if (globalThis.ScribeActions) return;

  const mouseInit = (el) => {
    const r = el.getBoundingClientRect();
    return { bubbles: true, cancelable: true, composed: true, view: el.ownerDocument.defaultView,
      clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, button: 0 };
  };

  /**
   * What a person's click at the centre of `el` lands on: the innermost element there when it is
   * `el` or inside it (a tab `<li>` whose `<a>` holds the handler, a button's icon), else `el`
   * itself (something covers it, or it is off screen). Events then bubble through `el` as a real
   * click's do, and the page's handlers on the inner element run too.
   */
  function landingPoint(el, init) {
    const root = el.getRootNode();
    const hit = typeof root.elementFromPoint === "function" ? root.elementFromPoint(init.clientX, init.clientY) : null;
    return hit && el.contains(hit) ? hit : el;
  }

  function click(el) {
    el.scrollIntoView({ block: "center", inline: "nearest", behavior: "instant" });
    const win = el.ownerDocument.defaultView;
    const init = mouseInit(el);
    const at = landingPoint(el, init);
    at.dispatchEvent(new win.PointerEvent("pointerdown", { ...init, pointerType: "mouse", isPrimary: true, buttons: 1 }));
    at.dispatchEvent(new win.MouseEvent("mousedown", { ...init, buttons: 1 }));
    if (typeof el.focus === "function") el.focus({ preventScroll: true });
    at.dispatchEvent(new win.PointerEvent("pointerup", { ...init, pointerType: "mouse", isPrimary: true }));
    at.dispatchEvent(new win.MouseEvent("mouseup", init));
    at.click(); // runs the activation behaviour (links, submit buttons, checkboxes) with a click event
  }

  /** Set a form control's value through the prototype setter, so framework value trackers notice. */
  function setNativeValue(el, value) {
    const proto = Object.getPrototypeOf(el);
    const setter = Object.getOwnPropertyDescriptor(proto, "value")?.set;
    if (setter) setter.call(el, value);
    else el.value = value;
  }

  function keyEvent(el, type, key) {
    const win = el.ownerDocument.defaultView;
    const code = key.length === 1 ? (/[a-z]/i.test(key) ? `Key${key.toUpperCase()}` : /\d/.test(key) ? `Digit${key}` : "") : key;
    return el.dispatchEvent(new win.KeyboardEvent(type, { key, code, bubbles: true, cancelable: true, composed: true }));
  }

  function chooseOption(select, text) {
    const wanted = text.trim().toLowerCase();
    const option = Array.from(select.options).find(
      (o) => o.value.toLowerCase() === wanted || o.textContent.trim().toLowerCase() === wanted,
    ) || Array.from(select.options).find((o) => o.textContent.trim().toLowerCase().includes(wanted));
    if (!option) return { ok: false, reason: `no option '${text}' in this list` };
    select.value = option.value;
    select.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
    select.dispatchEvent(new Event("change", { bubbles: true }));
    return { ok: true };
  }

  function type(el, text) {
    el.scrollIntoView({ block: "center", inline: "nearest", behavior: "instant" });
    el.focus({ preventScroll: true });
    if (el.localName === "select") return chooseOption(el, text);
    const win = el.ownerDocument.defaultView;
    if (el.isContentEditable) {
      const doc = el.ownerDocument;
      doc.getSelection().selectAllChildren(el);
      for (const ch of text) {
        keyEvent(el, "keydown", ch);
        doc.execCommand("insertText", false, ch); // fires beforeinput/input like real typing
        keyEvent(el, "keyup", ch);
      }
      return { ok: true };
    }
    if (!("value" in el) || el.localName === "button") return { ok: false, reason: "this element does not take text" };
    setNativeValue(el, "");
    el.dispatchEvent(new win.InputEvent("input", { bubbles: true, composed: true, inputType: "deleteContentBackward" }));
    let value = "";
    for (const ch of text) {
      if (!keyEvent(el, "keydown", ch)) continue; // the page cancelled this key, like a real keypress
      el.dispatchEvent(new win.InputEvent("beforeinput", { bubbles: true, cancelable: true, composed: true, inputType: "insertText", data: ch }));
      value += ch;
      setNativeValue(el, value);
      el.dispatchEvent(new win.InputEvent("input", { bubbles: true, composed: true, inputType: "insertText", data: ch }));
      keyEvent(el, "keyup", ch);
    }
    el.dispatchEvent(new Event("change", { bubbles: true }));
    return { ok: true };
  }

  const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1']), [contenteditable='true']";

  function moveFocus(from, backwards) {
    const all = Array.from(from.ownerDocument.querySelectorAll(FOCUSABLE)).filter(
      (e) => !e.disabled && e.getClientRects().length > 0,
    );
    const i = all.indexOf(from);
    const next = all[(i + (backwards ? -1 : 1) + all.length) % all.length];
    next?.focus();
  }

  function press(el, key) {
    if (typeof el.focus === "function") el.focus({ preventScroll: true });
    const proceed = keyEvent(el, "keydown", key);
    if (key === "Enter" && proceed) keyEvent(el, "keypress", key);
    keyEvent(el, "keyup", key);
    if (!proceed) return { ok: true };
    if (key === "Enter") {
      if (el.localName === "input" && el.form) {
        el.dispatchEvent(new Event("change", { bubbles: true }));
        el.form.requestSubmit();
      } else if (el.localName === "a" || el.localName === "button" || el.getAttribute("role") === "button") {
        el.click();
      }
    } else if (key === " " && (el.localName === "button" || el.type === "checkbox" || el.type === "radio")) {
      el.click();
    } else if (key === "Tab") {
      moveFocus(el, false);
    }
    return { ok: true };
  }

  /** Perform `action` ("click" | "type" | "key") on `el`; `text` is the typed text or key name. */
  function perform(el, action, text) {
    if (!el || !el.isConnected) return { ok: false, reason: "the element is no longer on the page" };
    if (action === "click") {
      click(el);
      return { ok: true };
    }
    if (action === "type") return type(el, text ?? "");
    if (action === "key") return press(el, text || "Enter");
    return { ok: false, reason: `unknown action '${action}'` };
  }

  globalThis.ScribeActions = Object.freeze({ perform });
})();

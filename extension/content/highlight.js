/*
 * Outline the suggested element and label it ("2. Click 'New invoice'").
 *
 * The overlay lives in a shadow root on its own host element so page CSS cannot restyle it; the
 * root is open (the label is no secret) so tests and assistive tools can read what is shown. The
 * serializer and the change observer ignore the host. It
 * follows the element while the page scrolls or reflows (one rAF loop, only while shown).
 */
(() => {
  if (globalThis.ScribeHighlight) return;
  const { ignore } = globalThis.ScribeSerializer;

  const STYLE = `
    :host { all: initial; }
    .box { position: fixed; pointer-events: none; z-index: 2147483647; box-sizing: border-box;
           border: 3px solid #2563eb; border-radius: 6px; background: rgba(37, 99, 235, 0.08);
           box-shadow: 0 0 0 4px rgba(37, 99, 235, 0.25); transition: all 120ms ease-out; }
    .label { position: fixed; pointer-events: none; z-index: 2147483647; max-width: 360px;
             font: 600 13px/1.3 system-ui, sans-serif; color: #fff; background: #1d4ed8;
             padding: 4px 8px; border-radius: 6px; box-shadow: 0 2px 6px rgba(0,0,0,.3);
             white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .unsure { border-color: #d97706; box-shadow: 0 0 0 4px rgba(217, 119, 6, 0.25); }
    .label.unsure { background: #b45309; }
  `;

  let current = null; // {el, host, box, label, frame}

  /** Position of `el` in the top window's viewport (adds the offsets of same-origin frames). */
  function viewportRect(el) {
    const r = el.getBoundingClientRect();
    let x = r.left;
    let y = r.top;
    let win = el.ownerDocument.defaultView;
    while (win && win !== window.top && win.frameElement) {
      const fr = win.frameElement.getBoundingClientRect();
      x += fr.left + win.frameElement.clientLeft;
      y += fr.top + win.frameElement.clientTop;
      win = win.parent;
    }
    return { left: x, top: y, width: r.width, height: r.height };
  }

  function place() {
    if (!current) return;
    if (!current.el.isConnected) {
      clear();
      return;
    }
    const r = viewportRect(current.el);
    const pad = 4;
    Object.assign(current.box.style, {
      left: `${r.left - pad}px`, top: `${r.top - pad}px`,
      width: `${r.width + 2 * pad}px`, height: `${r.height + 2 * pad}px`,
    });
    const above = r.top - pad - 28;
    Object.assign(current.label.style, {
      left: `${Math.max(4, r.left - pad)}px`,
      top: `${above >= 4 ? above : r.top + r.height + pad + 4}px`,
    });
    current.frame = requestAnimationFrame(place);
  }

  function inViewport(el) {
    const r = viewportRect(el);
    return r.top >= 0 && r.left >= 0 && r.top + r.height <= window.innerHeight && r.left + r.width <= window.innerWidth;
  }

  /** Show the outline and label on `el`; `unsure` uses the warning colour (low confidence). */
  function show(el, labelText, unsure = false) {
    clear();
    const host = document.createElement("scribeagent-highlight");
    ignore(host);
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    const box = document.createElement("div");
    box.className = unsure ? "box unsure" : "box";
    const label = document.createElement("div");
    label.className = unsure ? "label unsure" : "label";
    label.textContent = labelText;
    root.append(style, box, label);
    document.documentElement.appendChild(host);
    if (!inViewport(el)) el.scrollIntoView({ block: "center", inline: "nearest", behavior: "instant" });
    current = { el, host, box, label, frame: 0 };
    place();
  }

  function clear() {
    if (!current) return;
    cancelAnimationFrame(current.frame);
    current.host.remove();
    current = null;
  }

  globalThis.ScribeHighlight = Object.freeze({
    show,
    clear,
    /** The element currently outlined, if any (the change observer watches it). */
    target: () => current?.el ?? null,
    /** Text of the label, so tests and the panel can check what the person sees. */
    labelText: () => current?.label.textContent ?? null,
  });
})();

/*
 * The page side of the extension: answers the side panel over one port and reports the page.
 *
 * Passive until a side panel connects: it then serializes, highlights, performs, and (in assist
 * or record mode) watches the person and the DOM. When the panel goes away the port closes and
 * everything visible is removed, so nothing stays outlined on a page nobody is assisting.
 */
(() => {
  if (globalThis.ScribeContentMain) return;
  globalThis.ScribeContentMain = true;
  const { Msg, PORT_NAME } = globalThis.ScribeMessages;
  const S = globalThis.ScribeSerializer;
  const H = globalThis.ScribeHighlight;

  const SETTLE_QUIET_MS = 400;
  const SETTLE_MAX_MS = 3000;
  const CHANGE_DEBOUNCE_MS = 800;
  /** Elements added/removed within one debounce window that count as "the page changed". */
  const SIGNIFICANT_ELEMENTS = 5;

  let port = null;
  let mode = "idle";
  let lastMutation = performance.now();
  let changeWeight = 0;
  let changeTimer = 0;

  function post(message) {
    if (port) port.postMessage(message);
  }

  function weigh(nodes) {
    let w = 0;
    for (const n of nodes) {
      if (n.nodeType !== Node.ELEMENT_NODE || S.isIgnored(n)) continue;
      w += 1 + Math.min(n.getElementsByTagName("*").length, SIGNIFICANT_ELEMENTS);
    }
    return w;
  }

  const observer = new MutationObserver((records) => {
    let weight = 0;
    for (const r of records) {
      if (r.type === "childList") weight += weigh(r.addedNodes) + weigh(r.removedNodes);
    }
    if (weight === 0 && !records.some((r) => r.type === "characterData")) return;
    lastMutation = performance.now();
    if (mode !== "assist" || weight === 0) return;
    changeWeight += weight;
    const target = H.target();
    const lostTarget = target === null ? false : !target.isConnected;
    clearTimeout(changeTimer);
    changeTimer = setTimeout(() => {
      if (changeWeight >= SIGNIFICANT_ELEMENTS || lostTarget) post({ type: Msg.PAGE_CHANGED, reason: "dom" });
      changeWeight = 0;
    }, CHANGE_DEBOUNCE_MS);
  });

  /** Resolve when the DOM has been quiet for a moment and the document has loaded (or on timeout). */
  function settled() {
    const start = performance.now();
    return new Promise((resolve) => {
      const check = () => {
        const now = performance.now();
        const quiet = now - lastMutation >= SETTLE_QUIET_MS && document.readyState === "complete";
        if (quiet || now - start >= SETTLE_MAX_MS) resolve();
        else setTimeout(check, 100);
      };
      check();
    });
  }

  function setMode(next) {
    mode = next;
    globalThis.ScribeRecorder.stop();
    if (mode === "idle") {
      observer.disconnect();
      H.clear();
      return;
    }
    observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
    if (mode === "record") {
      H.clear();
      globalThis.ScribeRecorder.start({ withSnapshots: true, onAction: (step) => post({ type: Msg.RECORDED_STEP, step }) });
    } else {
      globalThis.ScribeRecorder.start({
        withSnapshots: false,
        onAction: (step) => post({
          type: Msg.USER_ACTION, node: step.target.node, action: step.action.kind, text: step.action.text,
          description: step.description, url: step.url,
        }),
      });
    }
  }

  async function handle(msg) {
    switch (msg.type) {
      case Msg.SET_MODE:
        setMode(msg.mode);
        return { ok: true };
      case Msg.SERIALIZE: {
        if (msg.settle) await settled();
        const { html, url, title, nodes, truncated } = S.serialize();
        return { ok: true, html, url, title, nodes, truncated };
      }
      case Msg.HIGHLIGHT: {
        const el = S.elementFor(msg.node);
        if (!el) return { ok: false, reason: "the suggested element is not on the page any more" };
        H.show(el, msg.label, Boolean(msg.unsure));
        return { ok: true };
      }
      case Msg.CLEAR:
        H.clear();
        return { ok: true };
      case Msg.PERFORM: {
        H.clear();
        return globalThis.ScribeActions.perform(S.elementFor(msg.node), msg.action, msg.text);
      }
      default:
        return { ok: false, reason: `unknown request '${msg.type}'` };
    }
  }

  chrome.runtime.onConnect.addListener((p) => {
    if (p.name !== PORT_NAME) return;
    if (port) port.disconnect(); // a newer panel took over this page
    port = p;
    p.onMessage.addListener(async (msg) => {
      let result;
      try {
        result = await handle(msg);
      } catch (err) {
        // Report the failure to the panel (which shows it) instead of leaving its request hanging.
        result = { ok: false, reason: String(err && err.message ? err.message : err) };
      }
      if (port === p && msg.reqId !== undefined) p.postMessage({ reqId: msg.reqId, result });
    });
    p.onDisconnect.addListener(() => {
      if (port !== p) return;
      port = null;
      setMode("idle");
    });
  });

  // Tell an open side panel that this page is ready; with no panel open nobody is listening.
  chrome.runtime.sendMessage({ type: Msg.PAGE_READY, url: location.href }).catch((err) => {
    if (!/Receiving end does not exist/.test(String(err?.message))) throw err;
  });
})();

/*
 * The little of chrome.* the content scripts use, so they run unchanged outside the extension.
 *
 * main.js waits on chrome.runtime.onConnect for the side panel's port and announces a fresh page
 * with chrome.runtime.sendMessage. Here the harness plays the side panel:
 * `ScribeHarness.request(kind, fields)` posts that message on the port with a `reqId`, as the
 * panel does, and resolves with the content script's reply. What else the content script posts
 * (page-changed, user-action) is dropped: the harness asks for every observation itself, after
 * each step, as the panel does after "Do it". Injected first, into the same isolated world.
 */
(() => {
  if (globalThis.ScribeHarness) return;

  const connectListeners = [];
  globalThis.chrome = {
    runtime: {
      onConnect: { addListener: (fn) => connectListeners.push(fn) },
      sendMessage: () => Promise.resolve(), // no panel is listening for page-ready
    },
  };

  const pending = new Map();
  const toPage = [];
  let port = null;
  let nextReqId = 1;

  function connect(name) {
    port = {
      name,
      postMessage(msg) {
        const resolve = msg && msg.reqId !== undefined ? pending.get(msg.reqId) : undefined;
        if (!resolve) return; // an event the panel would react to by observing again
        pending.delete(msg.reqId);
        resolve(msg.result);
      },
      onMessage: { addListener: (fn) => toPage.push(fn) },
      onDisconnect: { addListener: () => {} }, // the harness never disconnects mid-episode
      disconnect() {},
    };
    for (const fn of connectListeners) fn(port);
  }

  /**
   * Send the panel request `kind` (a key of ScribeMessages.Msg: "SERIALIZE", "PERFORM", …) with
   * `fields` to the content script; resolves with its result.
   */
  function request(kind, fields) {
    const { Msg, PORT_NAME } = globalThis.ScribeMessages;
    if (!(kind in Msg)) return Promise.reject(new Error(`no panel message ${kind}`));
    if (!port) connect(PORT_NAME);
    const reqId = nextReqId++;
    return new Promise((resolve) => {
      pending.set(reqId, resolve);
      for (const fn of toPage) fn({ ...fields, type: Msg[kind], reqId });
    });
  }

  globalThis.ScribeHarness = Object.freeze({ request });
})();

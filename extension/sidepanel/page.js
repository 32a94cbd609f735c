/*
 * The side panel's line to the content script of one tab: a port with request/response by id.
 *
 * Pages open before the extension was installed have no content script; it is injected on first
 * use. Browser pages (chrome://, the Web Store) and the PDF viewer refuse injection: that becomes a
 * `PageUnavailable` the panel shows as a plain sentence instead of an error.
 */
const { Msg, PORT_NAME, CONTENT_FILES } = globalThis.ScribeMessages;

const REQUEST_TIMEOUT_MS = 20000;

export class PageUnavailable extends Error {}
/** The port closed before the answer came (the page navigated or was closed). */
export class PageGone extends Error {}

export class PageLink {
  /** `onEvent(message)` receives what the page reports (user actions, recorded steps, changes). */
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.tabId = null;
    this.mode = "idle";
    this.port = null;
    this.nextReq = 1;
    this.pending = new Map();
    this.connecting = null;
  }

  /** Follow `tabId` in `mode` ("assist" | "record"), re-sent after every reconnect; true when the page agreed. */
  async attach(tabId, mode) {
    if (this.tabId !== tabId) this.detach();
    this.tabId = tabId;
    this.mode = mode;
    const answer = await this.request(Msg.SET_MODE, { mode });
    return Boolean(answer?.ok);
  }

  /** True while a port to `tabId` is open or opening (its page has not navigated away). */
  isLinked(tabId) {
    return this.tabId === tabId && (this.port !== null || this.connecting !== null);
  }

  detach() {
    if (this.port) this.port.disconnect();
    this.dropPort(new PageGone("detached"));
    this.tabId = null;
    this.mode = "idle";
  }

  dropPort(reason) {
    this.port = null;
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(reason);
    }
    this.pending.clear();
  }

  /** The open port; concurrent callers share one connection attempt. */
  ensurePort() {
    if (this.port) return Promise.resolve(this.port);
    if (!this.connecting) {
      this.connecting = this.openPort().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  /** Open the port, injecting the content script first if the page has none. */
  async openPort() {
    if (this.tabId === null) throw new PageUnavailable("No page selected.");
    const tab = await chrome.tabs.get(this.tabId);
    if (!/^https?:/.test(tab.url || "")) {
      throw new PageUnavailable("ScribeAgent works on web pages (http/https), not on browser pages or files.");
    }
    let port = await this.tryConnect();
    if (!port) {
      try {
        await chrome.scripting.executeScript({ target: { tabId: this.tabId }, files: CONTENT_FILES });
      } catch (err) {
        throw new PageUnavailable(`ScribeAgent cannot read this page (${err.message}). PDFs and browser pages are off limits.`);
      }
      port = await this.tryConnect();
      if (!port) throw new PageGone("the page did not answer");
    }
    this.port = port;
    port.onMessage.addListener((msg) => this.receive(msg));
    port.onDisconnect.addListener(() => {
      if (this.port === port) this.dropPort(new PageGone("the page closed or navigated"));
    });
    port.postMessage({ type: Msg.SET_MODE, mode: this.mode });
    return port;
  }

  /** Connect and wait a moment to see whether anybody is listening on the other end. */
  tryConnect() {
    const port = chrome.tabs.connect(this.tabId, { name: PORT_NAME });
    return new Promise((resolve) => {
      const onDisconnect = () => {
        void chrome.runtime.lastError; // reading it marks it handled: no content script there (yet)
        resolve(null);
      };
      port.onDisconnect.addListener(onDisconnect);
      const reqId = `probe-${this.nextReq++}`;
      port.onMessage.addListener(function probe(msg) {
        if (msg.reqId !== reqId) return;
        port.onMessage.removeListener(probe);
        port.onDisconnect.removeListener(onDisconnect);
        resolve(port);
      });
      port.postMessage({ type: Msg.SET_MODE, mode: "idle", reqId });
    });
  }

  receive(msg) {
    if (msg.reqId !== undefined) {
      const p = this.pending.get(msg.reqId);
      if (!p) return;
      this.pending.delete(msg.reqId);
      clearTimeout(p.timer);
      p.resolve(msg.result);
      return;
    }
    this.onEvent(msg);
  }

  /** Send a request to the page and resolve with its answer (rejects with PageGone/PageUnavailable). */
  async request(type, payload = {}) {
    const port = await this.ensurePort();
    const reqId = this.nextReq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        reject(new PageGone(`the page did not answer '${type}'`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(reqId, { resolve, reject, timer });
      port.postMessage({ type, reqId, ...payload });
    });
  }
}

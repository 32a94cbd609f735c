/*
 * The connection to the local backend (docs/protocol.md): health check, the WebSocket that
 * streams suggestions, and saving workflows over HTTP.
 *
 * Owned by the side panel, whose origin is chrome-extension://<id> — the origin the backend allows.
 * Only one observe is in flight at a time: a newer request cancels the older one and is sent once
 * the older one has finished, so every frame received belongs to exactly one known request and a
 * stale answer can never be taken for a fresh one.
 */
const { Frame, ErrorText, PROTOCOL_VERSION, Close } = globalThis.ScribeMessages;

export const DEFAULT_BACKEND_URL = "http://127.0.0.1:8765";
const HEALTH_TIMEOUT_MS = 3000;
const MODEL_POLL_MS = 1000;
const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

/** WebSocket close codes the backend uses for refusals that retrying cannot fix. */
const CLOSE_REASONS = {
  [Close.UNAUTHORIZED]: ErrorText.unauthorized,
  [Close.FORBIDDEN_ORIGIN]: ErrorText.forbidden_origin,
  [Close.BAD_HOST]: ErrorText.bad_host,
};

export class Backend {
  /**
   * `onStatus({state: "connecting"|"connected"|"failed", text, code})` is called on every change;
   * `code` names a failure the person must fix in Settings ("unpaired", "unauthorized"), else null.
   */
  constructor(onStatus) {
    this.onStatus = onStatus;
    this.url = DEFAULT_BACKEND_URL;
    this.token = "";
    this.ws = null;
    this.model = null;
    this.label = null; // what is answering, in words (the ready frame's `label`)
    this.retry = 0;
    this.retryTimer = 0;
    this.inflight = null; // {message, handlers, id}
    this.queued = null;
    this.lastFinishedId = 0;
    this.generation = 0; // bumps on every (re)configure so old sockets' events are ignored
  }

  get connected() {
    return this.ws !== null && this.model !== null;
  }

  configure(url, token) {
    this.url = (url || DEFAULT_BACKEND_URL).replace(/\/+$/, "");
    this.token = (token || "").trim();
    this.retry = 0;
    this.connect();
  }

  status(state, text, code = null) {
    this.onStatus({ state, text, code });
  }

  scheduleRetry() {
    clearTimeout(this.retryTimer);
    const delay = RETRY_MS[Math.min(this.retry++, RETRY_MS.length - 1)];
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  async connect() {
    clearTimeout(this.retryTimer);
    const gen = ++this.generation;
    this.closeSocket();
    if (!this.token) {
      this.status("failed", "Not paired: run “scribeagent token” and paste the token in Settings.", "unpaired");
      return;
    }
    this.status("connecting", `Connecting to ${this.url}…`);
    let health;
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
      health = await res.json();
    } catch (err) {
      if (gen !== this.generation) return;
      this.status("failed", `Backend not running at ${this.url}: start it with “scribeagent serve”.`);
      this.scheduleRetry();
      return;
    }
    if (gen !== this.generation) return;
    if (health.protocol !== PROTOCOL_VERSION) {
      this.status("failed", `Wrong version: the backend speaks protocol ${health.protocol}, ` +
        `this extension speaks ${PROTOCOL_VERSION}. Update the older one.`);
      return;
    }
    const ws = new WebSocket(`${this.url.replace(/^http/, "ws")}/v1/stream`);
    this.ws = ws;
    this.lastFinishedId = 0; // ids count per connection
    ws.onopen = () => ws.send(JSON.stringify({ type: Frame.HELLO, token: this.token }));
    ws.onmessage = (ev) => {
      if (gen === this.generation) this.receive(JSON.parse(ev.data));
    };
    ws.onclose = (ev) => {
      if (gen !== this.generation) return;
      this.ws = null;
      this.model = null;
      this.failInflight("disconnected", "The connection to the backend was lost.");
      const fatal = CLOSE_REASONS[ev.code];
      if (fatal) {
        this.status("failed", fatal, ev.code === Close.UNAUTHORIZED ? "unauthorized" : "refused");
        return;
      }
      this.status("failed", `Disconnected from ${this.url}; reconnecting…`);
      this.scheduleRetry();
    };
  }

  setModel(name, label) {
    this.model = name || "unknown";
    this.label = label || this.model;
    this.status("connected", `Connected · ${this.label}`);
  }

  /** The socket is open but the model still loads (first start converts it): poll /health. */
  async waitForModel(gen) {
    this.status("connecting", "Connected; the model is still loading…");
    while (gen === this.generation && this.ws) {
      await new Promise((r) => setTimeout(r, MODEL_POLL_MS));
      let health;
      try {
        health = await (await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })).json();
      } catch (err) {
        continue; // a slow answer while loading; the socket's close handler reports real outages
      }
      if (gen !== this.generation) return;
      if (health.error) {
        this.status("failed", `The model failed to load: ${health.error}`);
        return;
      }
      if (health.ready) {
        this.setModel(health.model, health.label);
        return;
      }
    }
  }

  closeSocket() {
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close();
    }
    this.ws = null;
    this.model = null;
    this.failInflight("disconnected", "The connection to the backend was reset.");
  }

  failInflight(code, message) {
    const pending = [this.inflight, this.queued].filter(Boolean);
    this.inflight = null;
    this.queued = null;
    for (const req of pending) req.handlers.onError?.({ code, message });
  }

  receive(frame) {
    if (frame.type === Frame.READY) {
      this.retry = 0;
      if (frame.ready === false) this.waitForModel(this.generation);
      else this.setModel(frame.model, frame.label);
      return;
    }
    if (frame.type === Frame.ERROR && frame.session === undefined && !this.inflight) {
      const text = ErrorText[frame.code] || frame.message;
      this.status("failed", text);
      return;
    }
    if (typeof frame.id === "number" && frame.id <= this.lastFinishedId) return; // stale
    const req = this.inflight;
    if (!req) return;
    if (typeof frame.id === "number") req.id = frame.id;
    switch (frame.type) {
      case Frame.TOKEN:
        req.handlers.onToken?.(frame.text);
        return;
      case Frame.RESTART:
        req.handlers.onRestart?.();
        return;
      case Frame.PROGRESS:
        req.handlers.onProgress?.(frame.done, frame.total);
        return;
      case Frame.STEP:
        this.finish(req);
        req.handlers.onStep?.(frame);
        return;
      case Frame.ERROR:
        this.finish(req);
        req.handlers.onError?.({ code: frame.code, message: ErrorText[frame.code] || frame.message, detail: frame.message });
        return;
      case Frame.CANCELLED:
        this.finish(req);
        req.handlers.onCancelled?.();
        return;
      default:
    }
  }

  finish(req) {
    if (typeof req.id === "number") this.lastFinishedId = Math.max(this.lastFinishedId, req.id);
    this.inflight = null;
    const next = this.queued;
    this.queued = null;
    if (next) this.send(next);
  }

  send(req) {
    if (!this.connected) {
      req.handlers.onError?.({ code: "disconnected", message: "Not connected to the backend." });
      return;
    }
    this.inflight = req;
    this.ws.send(JSON.stringify(req.message));
  }

  /**
   * Ask for the next step. `handlers`: onToken(text), onRestart() (the tokens so far are withdrawn),
   * onProgress(done, total) (prompt tokens read), onStep(frame), onError({code, message, detail}), onCancelled().
   */
  observe(fields, handlers) {
    const req = { message: { type: Frame.OBSERVE, ...fields }, handlers, id: undefined };
    if (this.queued) this.queued.handlers.onCancelled?.();
    if (this.inflight) {
      this.queued = req;
      this.ws.send(JSON.stringify({ type: Frame.CANCEL, session: this.inflight.message.session }));
      return;
    }
    this.send(req);
  }

  /** Cancel whatever is pending (the page changed under it). */
  cancel() {
    if (this.queued) {
      this.queued.handlers.onCancelled?.();
      this.queued = null;
    }
    if (this.inflight && this.ws) {
      this.ws.send(JSON.stringify({ type: Frame.CANCEL, session: this.inflight.message.session }));
    }
  }

  /**
   * An authenticated HTTP call; resolves to the JSON body or rejects with the backend's own
   * message. `unreachable` is what to say when the backend cannot be reached at all.
   */
  async request(path, { method = "GET", body, unreachable }) {
    let res;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(unreachable || `Backend not reachable at ${this.url}.`);
    }
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(answer.message || ErrorText[answer.code] || `The backend answered HTTP ${res.status}.`);
    return answer;
  }

  /** POST a workflow; resolves to its id or rejects with the backend's message. */
  async saveWorkflow(workflow) {
    const answer = await this.request("/v1/workflows", {
      method: "POST", body: workflow,
      unreachable: `Backend not reachable at ${this.url}; the recording is kept, try again.`,
    });
    return answer.id;
  }

  /** The models the backend can serve: {current, models: [{id, label, trained, …}], skipped, folder}. */
  listModels() {
    return this.request("/v1/models", {});
  }

  /** Serve another model; resolves once it answers (the status line then names it). */
  async selectModel(id) {
    const answer = await this.request("/v1/models/select", { method: "POST", body: { id } });
    this.setModel(answer.model, answer.label);
    return answer;
  }
}

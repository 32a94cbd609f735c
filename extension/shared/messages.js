/*
 * Names shared by every context of the extension (classic script, so content scripts and pages can
 * both load it). Backend spellings mirror backend/constants.py; tests/test_extension_static.py
 * checks they agree, so a rename on either side fails a test instead of silently breaking frames.
 */
(() => {
  if (globalThis.ScribeMessages) return;

  /** WebSocket frame types (backend.constants.MessageType). */
  const Frame = Object.freeze({
    HELLO: "hello", OBSERVE: "observe", CANCEL: "cancel",
    READY: "ready", TOKEN: "token", RESTART: "restart", PROGRESS: "progress", STEP: "step", ERROR: "error", CANCELLED: "cancelled",
  });

  /** Error codes (backend.constants.ErrorCode) and what the person should read for each. */
  const ErrorText = Object.freeze({
    bad_message: "The backend did not understand the request.",
    too_large: "This page is too large to send to the backend.",
    unauthorized: "Wrong pairing token: the backend refused it. Run “scribeagent token” and paste what it prints in Settings.",
    forbidden_origin: "The backend does not allow this extension's id (see SCRIBEAGENT_EXTENSION_IDS).",
    bad_host: "The backend refused the address; use 127.0.0.1 or localhost.",
    not_ready: "The model is still loading…",
    busy: "The model is busy with other tabs; ask again in a moment.",
    no_candidates: "Nothing on this page to act on.",
    bad_page: "This page could not be read.",
    too_long: "This page is too long for the model's context: lower the page budget or raise --n-ctx.",
    model_error: "The model failed to answer.",
    grammar_error: "The model could not be constrained to this page's elements.",
    bad_answer: "The model's answer could not be read.",
    not_found: "No such workflow.",
    conflict: "A different workflow with this id is already saved.",
    store_error: "The workflow store could not be written.",
  });

  /** Action kinds (backend.constants.ActionKind). */
  const Action = Object.freeze({ CLICK: "click", TYPE: "type", KEY: "key" });

  /** Keys a `key` step may press (backend.constants.KEY_NAMES). */
  const KEY_NAMES = Object.freeze([
    "Enter", "Tab", "Escape", "Backspace", "Delete", "ArrowUp", "ArrowDown", "ArrowLeft",
    "ArrowRight", "Home", "End", "PageUp", "PageDown", " ",
  ]);

  /** Messages between the side panel, the service worker and content scripts. */
  const Msg = Object.freeze({
    // content -> panel (runtime message): a fresh page (load or reinjection) wants its mode
    PAGE_READY: "page-ready",
    // panel -> content (over the port)
    SET_MODE: "set-mode", // {mode: "idle"|"assist"|"record"}
    SERIALIZE: "serialize", // {settle?: boolean} -> {html, url, title, nodes, truncated}
    HIGHLIGHT: "highlight", // {node, label} -> {ok, reason?}
    CLEAR: "clear-highlight",
    PERFORM: "perform", // {node, action, text} -> {ok, reason?}
    // content -> panel (over the port)
    USER_ACTION: "user-action", // {node, action, text, description, url}
    PAGE_CHANGED: "page-changed", // {reason}
    RECORDED_STEP: "recorded-step", // {step}
    // service worker -> panel
    COMMAND: "command", // {command: "do-it"|"skip-step"}
  });

  /** The WebSocket protocol this extension speaks (backend.constants.PROTOCOL_VERSION). */
  const PROTOCOL_VERSION = 1;

  /** WebSocket close codes of the backend's refusals (backend.serve.security.CLOSE_*). */
  const Close = Object.freeze({ UNAUTHORIZED: 4401, FORBIDDEN_ORIGIN: 4403, BAD_HOST: 4421, TOO_LARGE: 1009 });

  /** Version of the workflow files a recording is saved as (backend.workflows.model.WORKFLOW_VERSION). */
  const WORKFLOW_VERSION = 1;

  /** The content scripts, in load order: the manifest's list, injected again into open tabs. */
  const CONTENT_FILES = Object.freeze([
    "shared/messages.js", "content/serialize.js", "content/highlight.js", "content/actions.js",
    "content/recorder.js", "content/main.js",
  ]);

  const PORT_NAME = "scribeagent-panel";

  /** Replaces the value of password and sensitive fields everywhere (actions and snapshots). */
  const SENSITIVE_PLACEHOLDER = "[redacted]";

  globalThis.ScribeMessages = Object.freeze({
    Frame, ErrorText, Action, KEY_NAMES, Msg, PORT_NAME, SENSITIVE_PLACEHOLDER, PROTOCOL_VERSION, Close,
    WORKFLOW_VERSION, CONTENT_FILES,
  });
})();

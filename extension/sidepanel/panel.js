/*
 * The side panel: the person's view. It owns the backend connection, follows one tab per task,
 * and keeps the task (objective + steps done) and any recording in chrome.storage so closing and
 * reopening the panel loses nothing.
 *
 * A suggestion belongs to one page state: every navigation, route change or significant DOM change
 * bumps `epoch`, and an answer computed for an older epoch (or another URL) is dropped, never shown.
 */
import { Backend, DEFAULT_BACKEND_URL } from "./backend.js";
import { PageGone, PageLink, PageUnavailable } from "./page.js";
import { extraDescription, stepTitle } from "./step-text.js";

const { Msg, WORKFLOW_VERSION } = globalThis.ScribeMessages;

/** Below this confidence the step is shown as "not sure" (and the autopilot stops). */
const UNSURE_BELOW = 0.5;
const SETTLE_DELAY_MS = 300;
const NAV_DELAY_MS = 600;
/** How long the autopilot shows a step before doing it, so the person can follow (and stop it). */
const AUTOPILOT_DELAY_MS = 800;
/** Steps the autopilot does in a row before it hands back to the person. */
const AUTOPILOT_MAX_STEPS = 20;

const $ = (id) => document.getElementById(id);

// ---- persisted state -----------------------------------------------------------------------

/**
 * Assist task: {objective, tabId, done, history: [{description, title, action, text, node, by}]} or
 * null. `done`: the person ended it; its steps stay listed and nothing more is asked for.
 */
let task = null;
/** Recording: {id, objective, tabId, steps: [workflow steps]} or null. */
let recording = null;

async function saveTask() {
  await chrome.storage.session.set({ task });
}

async function saveRecording() {
  await chrome.storage.local.set({ recording });
}

// ---- connection status ---------------------------------------------------------------------

/** The backend's last status ({state, text, code}), so a task started while disconnected can say why. */
let backendStatus = { state: "connecting", text: "", code: null };

const backend = new Backend((status) => {
  backendStatus = status;
  $("status").className = `status ${status.state}`;
  $("status-text").textContent = status.text;
  if (status.state === "connected") {
    $("settings").open = false; // Settings stays open until what was saved there works
    if (task && !task.done && !current && !inflightEpoch) scheduleSuggest(0);
  } else if (status.code === "unauthorized" || status.code === "unpaired") {
    $("settings").open = true;
    if (task && !task.done) {
      renderStep({ state: "none" });
      notice(status.text, "error");
    }
  }
});

async function loadSettings() {
  const { token = "", backendUrl = DEFAULT_BACKEND_URL } = await chrome.storage.local.get(["token", "backendUrl"]);
  $("token").value = token;
  $("backend-url").value = backendUrl;
  if (!token) $("settings").open = true;
  backend.configure(backendUrl, token);
}

$("save-settings").addEventListener("click", async () => {
  const token = $("token").value.trim();
  const backendUrl = $("backend-url").value.trim() || DEFAULT_BACKEND_URL;
  await chrome.storage.local.set({ token, backendUrl });
  backend.configure(backendUrl, token); // Settings closes once this connects (see the status callback)
});

// ---- which tab ----------------------------------------------------------------------------

/**
 * The page to help with: the active tab of this window when the panel is a real side panel;
 * when the panel is opened in its own tab or popup, the most recently used web page.
 */
async function targetTab() {
  const win = await chrome.windows.getCurrent();
  if (win.type === "normal") {
    const [tab] = await chrome.tabs.query({ active: true, windowId: win.id });
    if (tab && !tab.url?.startsWith(chrome.runtime.getURL(""))) return tab;
  }
  const tabs = await chrome.tabs.query({ url: ["http://*/*", "https://*/*"], windowType: "normal" });
  tabs.sort((a, b) => (b.active - a.active) || ((b.lastAccessed || 0) - (a.lastAccessed || 0)));
  return tabs[0] || null;
}

/** The tab, or null if it was closed meanwhile. */
async function getTab(tabId) {
  try {
    return await chrome.tabs.get(tabId);
  } catch (err) {
    if (/No tab with id/.test(err.message)) return null;
    throw err;
  }
}

async function showPage() {
  const tabId = recording?.tabId ?? task?.tabId;
  const tab = tabId !== undefined ? await getTab(tabId) : await targetTab();
  $("page").textContent = tab ? `On: ${tab.title || tab.url}` : "No web page open.";
}

/** A line under the page title: "warn" (something to know), "error" (something failed) or "ok". */
function notice(text, kind = "warn") {
  $("notice").hidden = !text;
  $("notice").textContent = text || "";
  $("notice").className = kind === "warn" ? "notice" : `notice ${kind}`;
}

// ---- page link ---------------------------------------------------------------------------

const link = new PageLink((msg) => {
  if (msg.type === Msg.USER_ACTION) onUserAction(msg);
  else if (msg.type === Msg.PAGE_CHANGED) onPageChanged();
  else if (msg.type === Msg.RECORDED_STEP) onRecordedStep(msg.step);
});

/** Run a page operation; a page that is gone or off limits becomes a notice, not an exception. */
async function onPage(operation) {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof PageUnavailable) {
      notice(err.message);
      return null;
    }
    if (err instanceof PageGone) return null;
    throw err;
  }
}

const pageRequest = (type, payload) => onPage(() => link.request(type, payload));

// ---- assist: suggestions -----------------------------------------------------------------

let epoch = 0;
let inflightEpoch = 0; // epoch of the request being answered, 0 when none
let current = null; // {epoch, step, url, number, title, confirmed}
let suggestTimer = 0;
let streamed = "";
let thinking = null; // {started, timer, done, total} while a request is being answered
let autopilotTimer = 0;

function renderHistory() {
  const list = $("history");
  list.replaceChildren();
  for (const h of task?.history || []) {
    const li = document.createElement("li");
    li.textContent = h.title || h.description;
    if (h.by === "skipped") li.className = "skipped";
    const by = document.createElement("span");
    by.className = "by";
    by.textContent = { you: "(you)", skipped: "(skipped)", auto: "(autopilot)" }[h.by] || "";
    li.append(by);
    list.append(li);
  }
  renderTaskState();
}

/** The task buttons and the "task done" line follow the task's state. */
function renderTaskState() {
  const open = Boolean(task) && !task.done;
  $("ask-again").disabled = !open;
  $("task-done").disabled = !open;
  $("task-state").hidden = !task?.done;
  $("task-state").textContent = task?.done ? `Task done \u00b7 ${task.history.length} step(s)` : "";
}

function renderStep({ state, title = "", said = "", detail = "", confidence = null, confirm = null }) {
  const card = $("step");
  card.hidden = state === "none";
  const number = (task?.history.length || 0) + 1;
  $("step-number").textContent = `Step ${number}`;
  $("step-title").textContent = title;
  $("step-desc").textContent = said;
  $("step-detail").textContent = detail;
  const conf = $("step-confidence");
  if (typeof confidence === "number") {
    const low = confidence < UNSURE_BELOW;
    conf.textContent = low ? `not sure (${Math.round(confidence * 100)}%)` : `${Math.round(confidence * 100)}% sure`;
    conf.className = low ? "confidence low" : "confidence";
    card.classList.toggle("unsure", low);
  } else {
    conf.textContent = "";
    card.classList.remove("unsure");
  }
  $("step-confirm").hidden = !confirm;
  $("step-confirm").textContent = confirm || "";
  $("confirm").hidden = !confirm;
  card.classList.toggle("pending", state === "pending");
  $("do-it").disabled = state !== "ready" || Boolean(confirm);
  $("skip").disabled = state !== "ready";
  $("stop").hidden = !(state === "pending" && inflightEpoch) && !autopilotOn();
  if (state !== "pending") stopThinking();
}

/** "Thinking… 2.4 s · read 512 of 1,900 prompt tokens", ticking while the model works. */
function startThinking() {
  stopThinking();
  thinking = { started: performance.now(), done: 0, total: 0, timer: 0 };
  const tick = () => {
    if (!thinking) return;
    const seconds = ((performance.now() - thinking.started) / 1000).toFixed(1);
    const read = thinking.total && thinking.done < thinking.total
      ? ` \u00b7 reading the page: ${thinking.done.toLocaleString()} of ${thinking.total.toLocaleString()} tokens`
      : thinking.total ? " \u00b7 writing the step" : "";
    $("step-progress").hidden = false;
    $("step-progress").textContent = `Thinking\u2026 ${seconds} s${read}`;
  };
  tick();
  thinking.timer = setInterval(tick, 100);
}

function stopThinking() {
  if (thinking) clearInterval(thinking.timer);
  thinking = null;
  $("step-progress").hidden = true;
}

/** Throw away the shown/pending suggestion: the page it was for is gone. */
function invalidate() {
  epoch += 1;
  current = null;
  clearTimeout(autopilotTimer);
  if (inflightEpoch) backend.cancel();
  inflightEpoch = 0;
}

/** Coalesce the many "ask again" triggers (load, route change, DOM change, action) into one. */
function scheduleSuggest(delay = SETTLE_DELAY_MS) {
  if (!task || task.done) return;
  clearTimeout(suggestTimer);
  suggestTimer = setTimeout(() => suggest(), delay);
}

function descriptionSoFar(text) {
  const m = /Description:[ \t]*([^\n]*)/.exec(text);
  return m ? m[1] : "";
}

const autopilotOn = () => $("autopilot").checked;

function stopAutopilot(why) {
  clearTimeout(autopilotTimer);
  if (!autopilotOn()) return;
  $("autopilot").checked = false;
  chrome.storage.local.set({ autopilot: false });
  if (why) notice(`Autopilot stopped: ${why}`);
}

async function suggest() {
  if (!task || task.done) return;
  invalidate();
  const mine = epoch;
  notice("");
  if (!backend.connected) {
    renderStep({ state: "none" });
    notice(`Not connected to the backend: ${backendStatus.text || "connecting\u2026"}`, "error");
    return;
  }
  renderStep({ state: "pending", title: "Reading the page\u2026" });
  if (!(await onPage(() => link.attach(task.tabId, "assist")))) {
    renderStep({ state: "none" });
    return;
  }
  const page = await pageRequest(Msg.SERIALIZE, { settle: true });
  if (mine !== epoch) return;
  if (!page?.ok) {
    renderStep({ state: "none" });
    return;
  }
  streamed = "";
  inflightEpoch = mine;
  renderStep({ state: "pending", title: "Thinking\u2026" });
  startThinking();
  backend.observe(
    { session: `tab-${task.tabId}`, objective: task.objective, url: page.url, html: page.html,
      history: task.history.map(({ description, action, text }) => ({ description, action, text })) },
    {
      onToken: (text) => {
        if (mine !== epoch) return;
        streamed += text;
        $("step-desc").textContent = descriptionSoFar(streamed);
      },
      onProgress: (done, total) => {
        if (mine === epoch && thinking) Object.assign(thinking, { done, total });
      },
      onStep: (frame) => {
        if (mine === epoch) showSuggestion(frame, page.url, mine);
      },
      onError: ({ message, detail }) => {
        if (mine !== epoch) return;
        inflightEpoch = 0;
        renderStep({ state: "none" });
        notice(detail && detail !== message ? `${message} (${detail})` : message, "error");
        stopAutopilot();
      },
      onCancelled: () => {
        if (mine === epoch) inflightEpoch = 0;
      },
    },
  );
}

async function showSuggestion(frame, url, mine) {
  inflightEpoch = 0;
  const tab = await getTab(task.tabId);
  if (mine !== epoch || !tab || tab.url !== url) return; // the page moved on while we waited
  const number = task.history.length + 1;
  const unsure = typeof frame.confidence === "number" && frame.confidence < UNSURE_BELOW;
  const title = stepTitle(frame);
  const shown = await pageRequest(Msg.HIGHLIGHT, { node: frame.node, label: `${number}. ${title}`, unsure });
  if (mine !== epoch) return;
  current = { epoch: mine, step: frame, url, number, title, confirmed: !frame.confirm };
  const seconds = frame.timings?.total_ms ? ` \u00b7 answered in ${(frame.timings.total_ms / 1000).toFixed(1)} s` : "";
  renderStep({
    state: "ready", title, said: extraDescription(frame, title), confidence: frame.confidence,
    confirm: frame.confirm, detail: `${frame.target_kind || "element"} \u00b7 node ${frame.node}${seconds}`,
  });
  if (shown && !shown.ok) notice(shown.reason);
  if (!autopilotOn()) return;
  const last = task.history[task.history.length - 1];
  const ran = task.history.slice(-AUTOPILOT_MAX_STEPS).filter((h) => h.by === "auto").length;
  if (frame.confirm) stopAutopilot("this step needs your check.");
  else if (unsure) stopAutopilot("the model is not sure of this step.");
  else if (last && last.node === frame.node && last.action === frame.action && last.text === frame.text) {
    stopAutopilot("it suggests the step just done again; the task may be finished.");
  } else if (ran >= AUTOPILOT_MAX_STEPS) stopAutopilot(`${AUTOPILOT_MAX_STEPS} steps in a row; check the page.`);
  else autopilotTimer = setTimeout(() => { if (current?.epoch === mine) doIt("auto"); }, AUTOPILOT_DELAY_MS);
}

function confirmStep() {
  if (!current || current.confirmed) return;
  current.confirmed = true;
  $("confirm").hidden = true;
  $("step-confirm").textContent = "Checked: you allowed this step.";
  $("do-it").disabled = false;
  $("do-it").focus();
}

function addHistory(entry) {
  task.history.push(entry);
  saveTask();
  renderHistory();
}

async function doIt(by = "agent") {
  if (!current || task?.done) return;
  if (!current.confirmed) {
    notice("This step needs your check first: read it, then \u201cI checked it: allow\u201d.");
    return;
  }
  const { step, title } = current;
  invalidate();
  renderStep({ state: "pending", title: `Doing: ${title}` });
  let result;
  try {
    result = await link.request(Msg.PERFORM, { node: step.node, action: step.action, text: step.text });
  } catch (err) {
    if (!(err instanceof PageGone)) throw err;
    result = { ok: true }; // the action navigated away before the page could answer
  }
  if (!result?.ok) {
    notice(result?.reason || "Could not do that step.");
    stopAutopilot();
    scheduleSuggest();
    return;
  }
  addHistory({ description: step.description, title, action: step.action, text: step.text, node: step.node, by });
  scheduleSuggest();
}

function skip() {
  if (!current) return;
  const { step, title } = current;
  invalidate();
  pageRequest(Msg.CLEAR);
  addHistory({ description: step.description, title, action: step.action, text: step.text, node: step.node, by: "skipped" });
  scheduleSuggest(0);
}

/** Stop thinking (and the autopilot); the task stays, "Ask again" resumes it. */
function stop() {
  const wasThinking = Boolean(inflightEpoch);
  stopAutopilot();
  invalidate();
  clearTimeout(suggestTimer);
  pageRequest(Msg.CLEAR);
  renderStep({ state: "none" });
  notice(wasThinking ? "Stopped. \u201cAsk again\u201d picks the task up where it is." : "Autopilot stopped.");
}

function onUserAction(msg) {
  if (!task || task.done) return;
  const matches = current && current.step.node === msg.node && current.step.action === msg.action;
  const description = matches ? current.step.description : msg.description;
  const title = matches ? current.title : msg.description;
  invalidate();
  addHistory({ description, title, action: msg.action, text: msg.text, node: msg.node, by: "you" });
  renderStep({ state: "pending", title: "Waiting for the page to settle\u2026" });
  scheduleSuggest();
}

function onPageChanged() {
  if (!task || task.done) return;
  invalidate();
  scheduleSuggest(0);
}

async function startTask(objective) {
  const tab = await targetTab();
  if (!tab) {
    notice("Open a web page first.");
    return;
  }
  if (recording) {
    notice("A recording is running: stop and save it (or discard it) first.");
    return;
  }
  invalidate();
  if (task) await pageRequest(Msg.CLEAR);
  task = { objective, tabId: tab.id, history: [], done: false };
  await saveTask();
  renderHistory();
  showPage();
  scheduleSuggest(0);
}

/** The person says the task is finished: no more suggestions; the steps stay listed. */
async function finishTask() {
  if (!task || task.done) return;
  stopAutopilot();
  invalidate();
  clearTimeout(suggestTimer);
  await pageRequest(Msg.CLEAR);
  task.done = true;
  await saveTask();
  renderStep({ state: "none" });
  renderHistory();
  notice("");
  link.detach();
}

async function newTask() {
  stopAutopilot();
  invalidate();
  clearTimeout(suggestTimer);
  if (task) await pageRequest(Msg.CLEAR);
  task = null;
  await saveTask();
  if (!recording) link.detach(); // a running recording keeps its page link
  $("objective").value = "";
  renderStep({ state: "none" });
  renderHistory();
  notice("");
  showPage();
  $("objective").focus();
}

$("task-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const objective = $("objective").value.trim();
  if (objective) startTask(objective);
});
$("objective").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) {
    ev.preventDefault();
    $("task-form").requestSubmit();
  }
});
$("ask-again").addEventListener("click", () => scheduleSuggest(0));
$("task-done").addEventListener("click", finishTask);
$("new-task").addEventListener("click", newTask);
$("do-it").addEventListener("click", () => doIt());
$("skip").addEventListener("click", skip);
$("stop").addEventListener("click", stop);
$("confirm").addEventListener("click", confirmStep);
$("autopilot").addEventListener("change", () => {
  chrome.storage.local.set({ autopilot: autopilotOn() });
  if (autopilotOn() && current && current.confirmed && !inflightEpoch) doIt("auto");
});

document.addEventListener("keydown", (ev) => {
  if (ev.target.closest("input, textarea") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === "d" || ev.key === "D") doIt();
  else if (ev.key === "s" || ev.key === "S") skip();
});

// ---- record mode ---------------------------------------------------------------------------

function renderRecording() {
  const active = recording !== null;
  $("record-start").disabled = active;
  $("record-stop").disabled = !active || recording.steps.length === 0;
  $("record-discard").disabled = !active;
  $("record-objective").disabled = active;
  if (active) $("record-objective").value = recording.objective;
  $("record-state").hidden = !active;
  $("record-state").textContent = active ? `Recording · ${recording.steps.length} step(s)` : "";
  const list = $("record-steps");
  list.replaceChildren();
  for (const step of recording?.steps || []) {
    const li = document.createElement("li");
    li.textContent = step.description;
    list.append(li);
  }
}

function onRecordedStep(step) {
  if (!recording) return;
  recording.steps.push(step);
  saveRecording();
  renderRecording();
}

async function startRecording() {
  const objective = $("record-objective").value.trim();
  if (!objective) {
    notice("Say what task you are about to demonstrate first.");
    $("record-objective").focus();
    return;
  }
  const tab = await targetTab();
  if (!tab) {
    notice("Open a web page first.");
    return;
  }
  if (task) await newTask();
  recording = { id: crypto.randomUUID(), objective, tabId: tab.id, steps: [] };
  await saveRecording();
  renderRecording();
  notice("");
  await onPage(() => link.attach(tab.id, "record"));
  showPage();
}

async function stopAndSave() {
  if (!recording || recording.steps.length === 0) return;
  const first = recording.steps[0];
  const workflow = {
    version: WORKFLOW_VERSION,
    id: recording.id,
    objective: recording.objective,
    site: new URL(first.url).hostname,
    steps: recording.steps.map(({ url, html, action, target, description }) => ({ url, html, action, target, description })),
  };
  $("record-stop").disabled = true;
  try {
    const id = await backend.saveWorkflow(workflow);
    notice(`Saved workflow ${id} (${workflow.steps.length} steps).`, "ok");
    recording = null;
    await saveRecording();
    link.detach();
  } catch (err) {
    notice(err.message, "error");
  }
  renderRecording();
}

async function discardRecording() {
  recording = null;
  await saveRecording();
  link.detach();
  renderRecording();
  notice("Recording discarded.");
}

$("record-start").addEventListener("click", startRecording);
$("record-stop").addEventListener("click", stopAndSave);
$("record-discard").addEventListener("click", discardRecording);

function setView(view) {
  $("mode-assist").setAttribute("aria-selected", String(view === "assist"));
  $("mode-record").setAttribute("aria-selected", String(view === "record"));
  $("assist").hidden = view !== "assist";
  $("record").hidden = view !== "record";
}
$("mode-assist").addEventListener("click", () => setView("assist"));
$("mode-record").addEventListener("click", () => setView("record"));

// ---- browser events ----------------------------------------------------------------------

chrome.runtime.onMessage.addListener((msg, sender) => {
  if (msg.type === Msg.COMMAND) {
    if (msg.command === "do-it") doIt();
    else if (msg.command === "skip-step") skip();
    return;
  }
  if (msg.type !== Msg.PAGE_READY || !sender.tab) return;
  const tabId = sender.tab.id;
  if (recording?.tabId === tabId) {
    onPage(() => link.attach(tabId, "record"));
  } else if (task?.tabId === tabId && !link.isLinked(tabId)) {
    // A new document in the task's tab (an injection by us into a linked page is not one).
    scheduleSuggest(NAV_DELAY_MS);
  }
  if (!task && !recording) showPage();
});

chrome.tabs.onUpdated.addListener((tabId, change) => {
  if (tabId !== task?.tabId && tabId !== recording?.tabId) {
    if (!task && !recording && change.title) showPage();
    return;
  }
  if (change.title) showPage();
  if (tabId !== task?.tabId || task.done) return;
  if (change.url) {
    invalidate(); // a route change: whatever was shown belongs to the previous page
    renderStep({ state: "pending", title: "The page changed…" });
    scheduleSuggest(NAV_DELAY_MS);
  } else if (change.status === "complete") {
    scheduleSuggest(NAV_DELAY_MS);
  }
});

chrome.tabs.onActivated.addListener(() => {
  if (!task && !recording) showPage();
});

chrome.tabs.onRemoved.addListener((tabId) => {
  if (task?.tabId === tabId) {
    newTask();
    notice("The task's tab was closed.");
  }
});

// ---- start -------------------------------------------------------------------------------

async function init() {
  const [{ task: savedTask = null }, { recording: savedRecording = null, autopilot = false }] = await Promise.all([
    chrome.storage.session.get("task"), chrome.storage.local.get(["recording", "autopilot"]),
  ]);
  task = savedTask;
  $("autopilot").checked = autopilot;
  recording = savedRecording;
  if (task) $("objective").value = task.objective;
  renderHistory();
  renderStep({ state: "none" });
  renderRecording();
  if (recording) {
    setView("record");
    onPage(() => link.attach(recording.tabId, "record"));
  }
  showPage();
  await loadSettings();
}

init();

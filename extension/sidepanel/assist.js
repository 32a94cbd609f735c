/*
 * Assist mode: a task's suggestions. Each page state has an `epoch`: every navigation, route
 * change or significant DOM change bumps it, and an answer computed for an older epoch (or another
 * URL) is dropped, never shown. The step is rendered from its action and target (`step-text.js`),
 * a risky one waits for the person's check, and the opt-in autopilot does the steps one by one.
 */
import { $, backend, backendStatus, link, notice, onBackendStatus, onPage, onPageMessage, pageRequest, saveTask, showPage,
  state, targetTab, getTab } from "./context.js";
import { PageGone } from "./page.js";
import { extraDescription, stepTitle } from "./step-text.js";

const { Msg } = globalThis.ScribeMessages;

/** Below this confidence the step is shown as "not sure" (and the autopilot stops). */
const UNSURE_BELOW = 0.5;
const SETTLE_DELAY_MS = 300;
export const NAV_DELAY_MS = 600;
/** How long the autopilot shows a step before doing it, so the person can follow (and stop it). */
const AUTOPILOT_DELAY_MS = 800;
/** Steps the autopilot does in a row before it hands back to the person. */
const AUTOPILOT_MAX_STEPS = 20;

let epoch = 0;
let inflightEpoch = 0; // epoch of the request being answered, 0 when none
let current = null; // {epoch, step, url, number, title, confirmed}
let suggestTimer = 0;
let streamed = "";
let thinking = null; // {started, timer, done, total} while a request is being answered
let autopilotTimer = 0;

export function renderHistory() {
  const list = $("history");
  list.replaceChildren();
  for (const h of state.task?.history || []) {
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

/** The state.task buttons and the "task done" line follow the task's state. */
function renderTaskState() {
  const open = Boolean(state.task) && !state.task.done;
  $("ask-again").disabled = !open;
  $("task-done").disabled = !open;
  $("task-state").hidden = !state.task?.done;
  $("task-state").textContent = state.task?.done ? `Task done \u00b7 ${state.task.history.length} step(s)` : "";
}

export function renderStep({ state: view, title = "", said = "", detail = "", confidence = null, confirm = null }) {
  const card = $("step");
  card.hidden = view === "none";
  const number = (state.task?.history.length || 0) + 1;
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
  card.classList.toggle("pending", view === "pending");
  $("do-it").disabled = view !== "ready" || Boolean(confirm);
  $("skip").disabled = view !== "ready";
  $("stop").hidden = !(view === "pending" && inflightEpoch) && !autopilotOn();
  if (view !== "pending") stopThinking();
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
export function invalidate() {
  epoch += 1;
  current = null;
  clearTimeout(autopilotTimer);
  if (inflightEpoch) backend.cancel();
  inflightEpoch = 0;
}

/** Coalesce the many "ask again" triggers (load, route change, DOM change, action) into one. */
export function scheduleSuggest(delay = SETTLE_DELAY_MS) {
  if (!state.task || state.task.done) return;
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
  if (!state.task || state.task.done) return;
  invalidate();
  const mine = epoch;
  notice("");
  if (!backend.connected) {
    renderStep({ state: "none" });
    notice(`Not connected to the backend: ${backendStatus.text || "connecting\u2026"}`, "error");
    return;
  }
  renderStep({ state: "pending", title: "Reading the page\u2026" });
  if (!(await onPage(() => link.attach(state.task.tabId, "assist")))) {
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
    { session: `tab-${state.task.tabId}`, objective: state.task.objective, url: page.url, html: page.html,
      history: state.task.history.map(({ description, action, text }) => ({ description, action, text })) },
    {
      onToken: (text) => {
        if (mine !== epoch) return;
        streamed += text;
        $("step-desc").textContent = descriptionSoFar(streamed);
      },
      onRestart: () => {
        if (mine !== epoch) return;
        streamed = "";
        $("step-desc").textContent = "";
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
  const tab = await getTab(state.task.tabId);
  if (mine !== epoch || !tab || tab.url !== url) return; // the page moved on while we waited
  const number = state.task.history.length + 1;
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
  const last = state.task.history[state.task.history.length - 1];
  const ran = state.task.history.slice(-AUTOPILOT_MAX_STEPS).filter((h) => h.by === "auto").length;
  if (frame.confirm) stopAutopilot("this step needs your check.");
  else if (unsure) stopAutopilot("the model is not sure of this step.");
  else if (last && last.node === frame.node && last.action === frame.action && last.text === frame.text) {
    stopAutopilot("it suggests the step just done again; the state.task may be finished.");
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

/** How the history remembers a step: what was done to which element, as the backend words it. */
const remembered = (step) => step.history_description || step.description;

function addHistory(entry) {
  state.task.history.push(entry);
  saveTask();
  renderHistory();
}

export async function doIt(by = "agent") {
  if (!current || state.task?.done) return;
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
  addHistory({ description: remembered(step), title, action: step.action, text: step.text, node: step.node, by });
  scheduleSuggest();
}

export function skip() {
  if (!current) return;
  const { step, title } = current;
  invalidate();
  pageRequest(Msg.CLEAR);
  addHistory({ description: remembered(step), title, action: step.action, text: step.text, node: step.node, by: "skipped" });
  scheduleSuggest(0);
}

/** Stop thinking (and the autopilot); the state.task stays, "Ask again" resumes it. */
function stop() {
  const wasThinking = Boolean(inflightEpoch);
  stopAutopilot();
  invalidate();
  clearTimeout(suggestTimer);
  pageRequest(Msg.CLEAR);
  renderStep({ state: "none" });
  notice(wasThinking ? "Stopped. \u201cAsk again\u201d picks the state.task up where it is." : "Autopilot stopped.");
}

export function onUserAction(msg) {
  if (!state.task || state.task.done) return;
  const matches = current && current.step.node === msg.node && current.step.action === msg.action;
  const description = matches ? remembered(current.step) : msg.description;
  const title = matches ? current.title : msg.description;
  invalidate();
  addHistory({ description, title, action: msg.action, text: msg.text, node: msg.node, by: "you" });
  renderStep({ state: "pending", title: "Waiting for the page to settle\u2026" });
  scheduleSuggest();
}

export function onPageChanged() {
  if (!state.task || state.task.done) return;
  invalidate();
  scheduleSuggest(0);
}

export async function startTask(objective) {
  const tab = await targetTab();
  if (!tab) {
    notice("Open a web page first.");
    return;
  }
  if (state.recording) {
    notice("A state.recording is running: stop and save it (or discard it) first.");
    return;
  }
  invalidate();
  if (state.task) await pageRequest(Msg.CLEAR);
  state.task = { objective, tabId: tab.id, history: [], done: false };
  await saveTask();
  renderHistory();
  showPage();
  scheduleSuggest(0);
}

/** The person says the state.task is finished: no more suggestions; the steps stay listed. */
export async function finishTask() {
  if (!state.task || state.task.done) return;
  stopAutopilot();
  invalidate();
  clearTimeout(suggestTimer);
  await pageRequest(Msg.CLEAR);
  state.task.done = true;
  await saveTask();
  renderStep({ state: "none" });
  renderHistory();
  notice("");
  link.detach();
}

export async function newTask() {
  stopAutopilot();
  invalidate();
  clearTimeout(suggestTimer);
  if (state.task) await pageRequest(Msg.CLEAR);
  state.task = null;
  await saveTask();
  if (!state.recording) link.detach(); // a running state.recording keeps its page link
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


onBackendStatus((status) => {
  if (!state.task || state.task.done) return;
  if (status.state === "connected") {
    if (!current && !inflightEpoch) scheduleSuggest(0);
  } else if (status.code === "unauthorized" || status.code === "unpaired") {
    renderStep({ state: "none" });
    notice(status.text, "error");
  }
});

onPageMessage((msg) => {
  if (msg.type === Msg.USER_ACTION) onUserAction(msg);
  else if (msg.type === Msg.PAGE_CHANGED) onPageChanged();
});

/*
 * The side panel: the person's view. It owns the backend connection (`context.js`), follows one
 * tab per task, and keeps the task and any recording in chrome.storage, so closing and reopening
 * the panel loses nothing. This file wires Settings, the two views and the browser's events to
 * assist mode (`assist.js`) and record mode (`record.js`).
 */
import { DEFAULT_BACKEND_URL } from "./backend.js";
import { $, backend, link, notice, onPage, showPage, state } from "./context.js";
import { NAV_DELAY_MS, doIt, invalidate, newTask, renderHistory, renderStep, scheduleSuggest, skip } from "./assist.js";
import { renderRecording } from "./record.js";
import "./models.js";

const { Msg } = globalThis.ScribeMessages;

// ---- settings ----------------------------------------------------------------------------

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
  backend.configure(backendUrl, token); // Settings closes once this connects (see context.js)
});

// ---- views ---------------------------------------------------------------------------------

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
  if (state.recording?.tabId === tabId) {
    onPage(() => link.attach(tabId, "record"));
  } else if (state.task?.tabId === tabId && !link.isLinked(tabId)) {
    // A new document in the task's tab (an injection by us into a linked page is not one).
    scheduleSuggest(NAV_DELAY_MS);
  }
  if (!state.task && !state.recording) showPage();
});

chrome.tabs.onUpdated.addListener((tabId, change) => {
  if (tabId !== state.task?.tabId && tabId !== state.recording?.tabId) {
    if (!state.task && !state.recording && change.title) showPage();
    return;
  }
  if (change.title) showPage();
  if (tabId !== state.task?.tabId || state.task.done) return;
  if (change.url) {
    invalidate(); // a route change: whatever was shown belongs to the previous page
    renderStep({ state: "pending", title: "The page changed…" });
    scheduleSuggest(NAV_DELAY_MS);
  } else if (change.status === "complete") {
    scheduleSuggest(NAV_DELAY_MS);
  }
});

chrome.tabs.onActivated.addListener(() => {
  if (!state.task && !state.recording) showPage();
});

chrome.tabs.onRemoved.addListener((tabId) => {
  if (state.task?.tabId === tabId) {
    newTask();
    notice("The task's tab was closed.");
  }
});

// ---- start -------------------------------------------------------------------------------

async function init() {
  const [{ task: savedTask = null }, { recording: savedRecording = null, autopilot = false }] = await Promise.all([
    chrome.storage.session.get("task"), chrome.storage.local.get(["recording", "autopilot"]),
  ]);
  state.task = savedTask;
  $("autopilot").checked = autopilot;
  state.recording = savedRecording;
  if (state.task) $("objective").value = state.task.objective;
  renderHistory();
  renderStep({ state: "none" });
  renderRecording();
  if (state.recording) {
    setView("record");
    onPage(() => link.attach(state.recording.tabId, "record"));
  }
  showPage();
  await loadSettings();
}

init();

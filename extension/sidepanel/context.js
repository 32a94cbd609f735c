/*
 * What every part of the side panel shares: the persisted task and recording, the backend
 * connection, the line to the page, and the small helpers (elements, notices, which tab).
 * Assist (`assist.js`) and record (`record.js`) mode listen here; `panel.js` wires the events.
 */
import { Backend } from "./backend.js";
import { PageGone, PageLink, PageUnavailable } from "./page.js";

export const $ = (id) => document.getElementById(id);

/**
 * `task` — assist: {objective, tabId, done, history: [{description, title, action, text, node, by}]}
 * or null; `done`: the person ended it, its steps stay listed and nothing more is asked for.
 * `recording` — {id, objective, tabId, steps: [workflow steps]} or null.
 * Both survive closing the panel (chrome.storage).
 */
export const state = { task: null, recording: null };

export async function saveTask() {
  await chrome.storage.session.set({ task: state.task });
}

export async function saveRecording() {
  await chrome.storage.local.set({ recording: state.recording });
}

// ---- connection status ---------------------------------------------------------------------

const statusListeners = [];
/** The backend's last status ({state, text, code}), so a task started while disconnected can say why. */
export let backendStatus = { state: "connecting", text: "", code: null };

export const backend = new Backend((status) => {
  backendStatus = status;
  $("status").className = `status ${status.state}`;
  $("status-text").textContent = status.text;
  if (status.state === "connected") $("settings").open = false; // stays open until what was saved works
  else if (status.code === "unauthorized" || status.code === "unpaired") $("settings").open = true;
  for (const listener of statusListeners) listener(status);
});

/** Hear every status change of the backend connection. */
export const onBackendStatus = (listener) => statusListeners.push(listener);

// ---- which tab ----------------------------------------------------------------------------

/**
 * The page to help with: the active tab of this window when the panel is a real side panel;
 * when the panel is opened in its own tab or popup, the most recently used web page.
 */
export async function targetTab() {
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
export async function getTab(tabId) {
  try {
    return await chrome.tabs.get(tabId);
  } catch (err) {
    if (/No tab with id/.test(err.message)) return null;
    throw err;
  }
}

export async function showPage() {
  const tabId = state.recording?.tabId ?? state.task?.tabId;
  const tab = tabId !== undefined ? await getTab(tabId) : await targetTab();
  $("page").textContent = tab ? `On: ${tab.title || tab.url}` : "No web page open.";
}

/** A line under the page title: "warn" (something to know), "error" (something failed) or "ok". */
export function notice(text, kind = "warn") {
  $("notice").hidden = !text;
  $("notice").textContent = text || "";
  $("notice").className = kind === "warn" ? "notice" : `notice ${kind}`;
}

// ---- page link ---------------------------------------------------------------------------

const pageListeners = [];
export const link = new PageLink((msg) => {
  for (const listener of pageListeners) listener(msg);
});

/** Hear every event the linked page sends (user actions, page changes, recorded steps). */
export const onPageMessage = (listener) => pageListeners.push(listener);

/** Run a page operation; a page that is gone or off limits becomes a notice, not an exception. */
export async function onPage(operation) {
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

export const pageRequest = (type, payload) => onPage(() => link.request(type, payload));

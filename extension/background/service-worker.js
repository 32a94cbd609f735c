/*
 * Service worker: routing only. It opens the side panel from the toolbar button and forwards
 * keyboard commands to the panel. It holds no state — Chrome stops it after ~30 s idle — and no
 * socket: the side panel owns the backend connection and chrome.storage holds what must persist.
 */
import "../shared/messages.js";

const { Msg } = globalThis.ScribeMessages;

chrome.runtime.onInstalled.addListener(() => {
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true });
});

chrome.commands.onCommand.addListener((command) => {
  // The panel is the only listener; if it is closed there is nothing to do or skip.
  chrome.runtime.sendMessage({ type: Msg.COMMAND, command }).catch((err) => {
    if (!/Receiving end does not exist/.test(String(err?.message))) throw err;
  });
});

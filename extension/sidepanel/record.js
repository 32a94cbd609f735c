/*
 * Record mode: a demonstration captured step by step (the content script's recorder) and saved
 * to the backend as a workflow, the training data of a fine-tune.
 */
import { $, backend, link, notice, onPage, onPageMessage, saveRecording, showPage, state, targetTab } from "./context.js";
import { newTask } from "./assist.js";

const { Msg, WORKFLOW_VERSION } = globalThis.ScribeMessages;

export function renderRecording() {
  const active = state.recording !== null;
  $("record-start").disabled = active;
  $("record-stop").disabled = !active || state.recording.steps.length === 0;
  $("record-discard").disabled = !active;
  $("record-objective").disabled = active;
  if (active) $("record-objective").value = state.recording.objective;
  $("record-state").hidden = !active;
  $("record-state").textContent = active ? `Recording · ${state.recording.steps.length} step(s)` : "";
  const list = $("record-steps");
  list.replaceChildren();
  for (const step of state.recording?.steps || []) {
    const li = document.createElement("li");
    li.textContent = step.description;
    list.append(li);
  }
}

export function onRecordedStep(step) {
  if (!state.recording) return;
  state.recording.steps.push(step);
  saveRecording();
  renderRecording();
}

async function startRecording() {
  const objective = $("record-objective").value.trim();
  if (!objective) {
    notice("Say what state.task you are about to demonstrate first.");
    $("record-objective").focus();
    return;
  }
  const tab = await targetTab();
  if (!tab) {
    notice("Open a web page first.");
    return;
  }
  if (state.task) await newTask();
  state.recording = { id: crypto.randomUUID(), objective, tabId: tab.id, steps: [] };
  await saveRecording();
  renderRecording();
  notice("");
  await onPage(() => link.attach(tab.id, "record"));
  showPage();
}

async function stopAndSave() {
  if (!state.recording || state.recording.steps.length === 0) return;
  const first = state.recording.steps[0];
  const workflow = {
    version: WORKFLOW_VERSION,
    id: state.recording.id,
    objective: state.recording.objective,
    site: new URL(first.url).hostname,
    steps: state.recording.steps.map(({ url, html, action, target, description }) => ({ url, html, action, target, description })),
  };
  $("record-stop").disabled = true;
  try {
    const id = await backend.saveWorkflow(workflow);
    notice(`Saved workflow ${id} (${workflow.steps.length} steps).`, "ok");
    state.recording = null;
    await saveRecording();
    link.detach();
  } catch (err) {
    notice(err.message, "error");
  }
  renderRecording();
}

async function discardRecording() {
  state.recording = null;
  await saveRecording();
  link.detach();
  renderRecording();
  notice("Recording discarded.");
}

$("record-start").addEventListener("click", startRecording);
$("record-stop").addEventListener("click", stopAndSave);
$("record-discard").addEventListener("click", discardRecording);



onPageMessage((msg) => {
  if (msg.type === Msg.RECORDED_STEP) onRecordedStep(msg.step);
});

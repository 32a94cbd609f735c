/*
 * Settings' model picker: which of the backend's models answers (GET /v1/models), and a switch
 * to another (POST /v1/models/select). The list is read whenever the connection comes up, so a
 * model dropped into the backend's models folder shows up on the next connect or Settings open.
 * While a switch loads, the current model keeps answering; a failed switch says why and keeps
 * Settings open (the status line only changes once the new model answers).
 */
import { $, backend, onBackendStatus } from "./context.js";

const picker = $("model-choice");
const note = $("model-note");

function say(text, kind = "") {
  note.hidden = !text;
  note.textContent = text || "";
  note.className = `hint ${kind}`.trim();
}

/** Fill the picker from the backend; one model (or a scripted server) leaves nothing to pick. */
export async function refreshModels() {
  let listing;
  try {
    listing = await backend.listModels();
  } catch (err) {
    picker.disabled = true;
    say(`Cannot list the models: ${err.message}`, "error");
    return;
  }
  picker.replaceChildren(...listing.models.map((model) => {
    const option = new Option(model.label, model.id, false, model.id === listing.current);
    option.title = [model.model, model.lora].filter(Boolean).join(" + ") || "the embedded model";
    return option;
  }));
  picker.disabled = listing.models.length < 2 || Boolean(listing.switching);
  const skipped = listing.skipped.map((s) => `${s.file}: ${s.why}`);
  say(listing.switching ? `Loading ${listing.switching}…`
    : skipped.length ? `Not offered from ${listing.folder}: ${skipped.join("; ")}` : "");
}

picker.addEventListener("change", async () => {
  const choice = picker.selectedOptions[0];
  picker.disabled = true;
  say(`Loading ${choice.textContent}… the current model answers meanwhile.`);
  try {
    await backend.selectModel(choice.value);
    say("");
  } catch (err) {
    say(`Could not switch: ${err.message}`, "error");
  }
  await refreshModels();
});

$("settings").addEventListener("toggle", () => {
  if ($("settings").open && backend.connected) refreshModels();
});

onBackendStatus((status) => {
  if (status.state === "connected") refreshModels();
  else picker.disabled = true;
});

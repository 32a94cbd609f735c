/*
 * How a step reads to a person. The card and the on-page label say what will happen, from the
 * step's action and its target as the page names it ("Click link 'Archive'", "Type 'jazz' into
 * 'Search'", "Press Enter in 'Search'"), never the model's raw words or HTML; the model's own
 * description is shown beneath only when it says something the title does not.
 */
const { Action } = globalThis.ScribeMessages;

const MAX_NAME = 60;

function quoted(text) {
  const clean = String(text ?? "").replace(/\s+/g, " ").trim();
  return `'${clean.length > MAX_NAME ? `${clean.slice(0, MAX_NAME - 1)}…` : clean}'`;
}

/** The one-line title of a `step` frame. */
export function stepTitle(frame) {
  const name = (frame.target_name || "").trim();
  const kind = frame.target_kind && frame.target_kind !== "element" ? frame.target_kind : "";
  const where = name ? quoted(name) : `the highlighted ${kind || "element"}`;
  if (frame.action === Action.TYPE) {
    if (kind === "list") return `Choose ${quoted(frame.text)} in ${where}`;
    return `Type ${quoted(frame.text)} into ${where}`;
  }
  if (frame.action === Action.KEY) return `Press ${frame.text === " " ? "Space" : frame.text} in ${where}`;
  return name ? `Click ${kind ? `${kind} ` : ""}${where}` : `Click ${where}`;
}

const words = (text) => new Set((String(text).toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).filter((w) => w.length > 1));

/** The model's description when it adds words the title lacks ("1." or a copy of the title do not). */
export function extraDescription(frame, title) {
  const own = words(frame.description || "");
  const shown = words(title);
  const added = [...own].filter((w) => !shown.has(w) && !["the", "on", "in", "into", "button", "link", "field"].includes(w));
  return added.length >= 1 && own.size >= 2 ? frame.description : "";
}

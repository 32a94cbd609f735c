"""The one prompt/answer format, shared by serving and training.

Training imports `build_messages` and `render_answer` to make examples; the server imports the same
functions to make prompts and `parse_answer` to read the model. Nothing else in the code base may
spell these layouts, so a model is always served exactly the text it was trained on.

Layout (ScribeAgent's, plus an explicit `Text:` line so typed text is recovered without guessing):

    system:    Help achieve the objective by generating the next step.
    user:      Objective: <objective>
               URL: <url>
               Observation: <pruned html>
               Step-by-step guide:
               <previous steps, each rendered like an answer without Node/Target>
    assistant: <N>.
               Description: <one line>
               Action: mouse_click_action | keyboard_sequence_action | keyboard_key_action
               Text: <JSON string>            (only for keyboard_* actions)
               Node: <node id>
               Target: <opening tag of the node>

Previous steps omit `Node`/`Target` because their ids belong to older pages and would only cost
tokens and mislead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Union

from backend.constants import ACTION_BY_MODEL_NAME, MODEL_ACTION_NAMES, ActionKind

SYSTEM_PROMPT = "Help achieve the objective by generating the next step."

#: The answer's field labels. The grammar and the pipeline build on these names, never on literals.
DESCRIPTION = "Description: "
ACTION = "Action: "
TEXT = "Text: "
NODE = "Node: "
TARGET = "Target: "

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Step:
    """One step of a workflow: what the model answers, and what history is made of.

    `node`/`target` are None only for history entries that lost them (older pages); `text` is the
    typed text for `type`, the key name for `key`, and None for `click`.
    """

    description: str
    action: ActionKind
    node: str | None = None
    text: str | None = None
    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form used by the protocol and the workflow files."""
        d = asdict(self)
        d["action"] = self.action.value
        return d

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Step":
        """Build from the protocol/workflow dict form; raises ValueError on a bad action."""
        return cls(
            description=str(data.get("description") or ""),
            action=ActionKind(data.get("action", "click")),
            node=None if data.get("node") is None else str(data["node"]),
            text=None if data.get("text") is None else str(data["text"]),
            target=data.get("target"),
        )


@dataclass(frozen=True)
class ParseFailure:
    """Why a model answer could not be read. Returned, never raised: model output is untrusted."""

    reason: str
    text: str


ParseResult = Union[Step, ParseFailure]
HistoryItem = Union[Step, Mapping[str, Any], str]


def one_line(text: str) -> str:
    """Collapse whitespace so a field can never break the line-based layout."""
    return _WS.sub(" ", text).strip()


def _step_lines(step: Step, number: int) -> list[str]:
    lines = [f"{number}.", DESCRIPTION + one_line(step.description)]
    lines.append(ACTION + MODEL_ACTION_NAMES[step.action])
    if step.action is not ActionKind.CLICK:
        lines.append(TEXT + json.dumps(step.text or "", ensure_ascii=False))
    return lines


def _as_step(item: HistoryItem) -> Step:
    if isinstance(item, Step):
        return item
    if isinstance(item, str):
        return Step(description=item, action=ActionKind.CLICK)
    return Step.from_mapping(item)


def done_description(action: ActionKind, text: str | None, target_name: str, *, choice: bool = False) -> str | None:
    """A done step as the step-by-step guide should remember it: what was done to which element,
    in the phrasing of the training workflows ("Type 'MVE' into 'Password'", "Click 'Submit'").

    The model's own description can summarise the objective instead ("Enter 'MVE' into both
    fields"), and a history that says so tells the next step a field is filled that is not. None
    when the target has no name: then the model's words are all there is. `choice`: a native
    select, whose typed text is an option to pick.
    """
    name = one_line(target_name)
    if not name:
        return None
    if action is ActionKind.CLICK:
        return f"Click '{name}'"
    value = one_line(text or "")
    if action is ActionKind.KEY:
        return f"Press {'Space' if text == ' ' else value} in '{name}'"
    return f"Select '{value}' in '{name}'" if choice else f"Type '{value}' into '{name}'"


def render_history(history: Iterable[HistoryItem]) -> str:
    """Previous steps, numbered from 1, each without Node/Target (see module docstring)."""
    blocks = ["\n".join(_step_lines(_as_step(item), i)) for i, item in enumerate(history, start=1)]
    return "\n".join(blocks)


def build_user_prompt(
    objective: str, url: str, observation: str, history: Sequence[HistoryItem] = ()
) -> str:
    """The user turn: objective, URL, pruned page and the step-by-step guide so far."""
    return (
        f"Objective: {one_line(objective)}\n"
        f"URL: {one_line(url)}\n"
        f"Observation: {observation}\n"
        f"Step-by-step guide:\n{render_history(history)}"
    )


def build_messages(
    objective: str, url: str, observation: str, history: Sequence[HistoryItem] = ()
) -> list[dict[str, str]]:
    """Chat messages (system + user) to which the model answers with the next step."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": build_user_prompt(objective, url, observation, history)},
    ]


def answer_prefix(number: int) -> str:
    """The first line of answer `number`; the grammar forces it, training renders it."""
    return f"{number}.\n"


def render_answer(step: Step, number: int) -> str:
    """The assistant turn for `step` as step `number` (1-based) of its workflow."""
    if step.node is None or step.target is None:
        raise ValueError("an answer needs the target's node id and opening tag")
    lines = _step_lines(step, number)
    lines.append(NODE + step.node)
    lines.append(TARGET + one_line(step.target))
    return "\n".join(lines)


_FIELD = re.compile(
    "^(" + "|".join(re.escape(label.rstrip(": ")) for label in (DESCRIPTION, ACTION, TEXT, NODE, TARGET)) + r"):[ \t]?(.*)$"
)


def parse_answer(text: str) -> ParseResult:
    """Read a model answer into a Step, or say why not. Never raises.

    Tolerates a missing number line, extra blank lines and trailing junk after `Target`; insists
    on Description, a known Action, Node, Target, and a valid JSON `Text` for keyboard actions.
    """
    return _parse(text, whole=True)


def parse_head(text: str) -> ParseResult:
    """Read an answer written up to its `Node:` label: a Step without node and target, or why not.

    The pipeline reads what the model wrote so far to bind it to the element it names before the
    node id is chosen (see `backend.binding`).
    """
    return _parse(text, whole=False)


def _parse(text: str, *, whole: bool) -> ParseResult:
    if not isinstance(text, str):
        return ParseFailure("answer is not text", repr(text))
    fields: dict[str, str] = {}
    for raw in text.splitlines():
        m = _FIELD.match(raw.strip())
        if m and m.group(1) not in fields:
            fields[m.group(1)] = m.group(2).strip()
    for name in ("Description", "Action", "Node", "Target") if whole else ("Description", "Action"):
        if not fields.get(name):
            return ParseFailure(f"missing {name} line", text)
    action = ACTION_BY_MODEL_NAME.get(fields["Action"])
    if action is None:
        return ParseFailure(f"unknown action {fields['Action']!r}", text)
    typed: str | None = None
    if action is not ActionKind.CLICK:
        raw_text = fields.get("Text")
        if raw_text is None:
            return ParseFailure("keyboard action without a Text line", text)
        try:
            value = json.loads(raw_text)
        except ValueError:
            return ParseFailure(f"Text is not a JSON string: {raw_text!r}", text)
        if not isinstance(value, str):
            return ParseFailure(f"Text is not a JSON string: {raw_text!r}", text)
        typed = value
    if not whole:
        return Step(description=fields["Description"], action=action, text=typed)
    node = fields["Node"]
    if not node.isdigit():
        return ParseFailure(f"Node is not a number: {node!r}", text)
    return Step(
        description=fields["Description"],
        action=action,
        node=node,
        text=typed,
        target=fields["Target"],
    )

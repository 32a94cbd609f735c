"""`head_forced`: what the head grammar dictates between the model's choices.

The engine evaluates that text without asking the model, so it must never claim a choice the
model has: for every prefix of every answer, the forced text must continue *every* answer that
shares the prefix, and it must be all the grammar dictates at the points the engine relies on.
"""

from __future__ import annotations

import pytest

from backend.constants import KEY_NAMES, ActionKind
from backend.format import NODE, Step, render_answer
from backend.model.grammar import head_forced

ALL = (ActionKind.CLICK, ActionKind.TYPE, ActionKind.KEY)
NO_TYPE = (ActionKind.CLICK, ActionKind.KEY)


def heads(typable: bool) -> list[str]:
    """The head (answer after its number line, through `Node:`) of varied answers."""
    steps = [Step("Click 'Sports'", ActionKind.CLICK, "4", None, "<a>"),
             Step("Click 'Sports news'", ActionKind.CLICK, "5", None, "<a>"),
             Step("Press Enter in 'Search'", ActionKind.KEY, "2", "Enter", "<input>"),
             Step("Press Escape", ActionKind.KEY, "2", "Escape", "<input>"),
             Step("Hit Tab", ActionKind.KEY, "2", "Tab", "<input>")]
    if typable:
        steps += [Step("Type 'jazz' into 'Search'", ActionKind.TYPE, "2", "jazz", "<input>"),
                  Step('Type "a \\"quoted\\" word"', ActionKind.TYPE, "2", 'a "quoted" word', "<input>"),
                  Step("Type nothing", ActionKind.TYPE, "2", "", "<input>"),
                  Step("Type 'Zürich'", ActionKind.TYPE, "2", "Zürich", "<input>")]
    steps += [Step("Press " + k, ActionKind.KEY, "2", k, "<input>") for k in KEY_NAMES]
    out = []
    for step in steps:
        answer = render_answer(step, 1).split("\n", 1)[1]
        out.append(answer[: answer.index(NODE.rstrip()) + len(NODE.rstrip())])
    return out


@pytest.mark.parametrize("typable", [True, False])
def test_forced_text_continues_every_answer_that_shares_the_prefix(typable: bool) -> None:
    answers = heads(typable)
    forced_somewhere = 0
    for answer in answers:
        for end in range(len(answer) + 1):
            written = answer[:end]
            forced = head_forced(written, actions=ALL if typable else NO_TYPE)
            for other in answers:
                if other.startswith(written):
                    assert other.startswith(written + forced), (written, forced, other)
            assert not forced.endswith(" ")
            forced_somewhere += bool(forced)
    assert forced_somewhere > len(answers)


def test_the_labels_and_the_rest_of_an_action_name_are_forced() -> None:
    assert head_forced("", actions=ALL) == "Description:"
    assert head_forced("Descr", actions=ALL) == "iption:"
    assert head_forced("Description: Click 'Sp", actions=ALL) == ""  # the model's own words
    assert head_forced("Description: Click 'Sports'\n", actions=ALL) == "Action:"
    assert head_forced("Description: x\nAction:", actions=ALL) == ""  # which action: the model's choice
    assert head_forced("Description: x\nAction: mouse", actions=ALL) == "_click_action\nNode:"
    assert head_forced("Description: x\nAction: keyboard", actions=ALL) == "_"
    assert head_forced("Description: x\nAction: keyboard", actions=NO_TYPE) == "_key_action\nText:"
    assert head_forced("Description: x\nAction: keyboard_sequence", actions=ALL) == "_action\nText:"
    assert head_forced('Description: x\nAction: keyboard_sequence_action\nText: "ab', actions=ALL) == ""
    assert head_forced('Description: x\nAction: keyboard_sequence_action\nText: "a\\"', actions=ALL) == ""
    assert head_forced('Description: x\nAction: keyboard_sequence_action\nText: "ab"', actions=ALL) == "\nNode:"
    assert head_forced('Description: x\nAction: keyboard_key_action\nText:', actions=ALL) == ' "'
    assert head_forced('Description: x\nAction: keyboard_key_action\nText: "Ent', actions=ALL) == 'er"\nNode:'
    assert head_forced("Description: x\nAction: mouse_click_action\nNode:", actions=ALL) == ""  # complete


def test_a_fill_head_forces_the_whole_action_line() -> None:
    typing = (ActionKind.TYPE,)
    assert head_forced("Description: Fill 'Name' with 'ada'\n", actions=typing) == "Action: keyboard_sequence_action\nText:"
    assert head_forced("Description: Fill 'Name' with 'ada'\nAction: keyboard_sequence_action\nText: \"ada\"",
                       actions=typing) == "\nNode:"

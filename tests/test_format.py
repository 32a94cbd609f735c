"""The one prompt/answer format: round trips, a parser that never throws, grammars that parse."""

from __future__ import annotations

import random
import string

import pytest

from backend.constants import KEY_NAMES, ActionKind
from backend.format import (
    SYSTEM_PROMPT,
    ParseFailure,
    Step,
    build_messages,
    parse_answer,
    render_answer,
    render_history,
)
from backend.model.grammar import build_grammar, takes_text

STEPS = [
    Step("Click 'New invoice'", ActionKind.CLICK, "12", None, '<button node="12">'),
    Step('Type "ACME, Inc." into Customer', ActionKind.TYPE, "7", 'ACME, "Inc."\nline 2 \\ é',
         '<input node="7" name="customer">'),
    Step("Press Enter to search", ActionKind.KEY, "3", "Enter", '<input node="3" type="search">'),
]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.action.value)
def test_answer_round_trip_recovers_every_field(step: Step) -> None:
    text = render_answer(step, 4)
    assert text.startswith("4.\nDescription: ")
    assert parse_answer(text) == step


def test_prompt_layout_is_scribeagents() -> None:
    history = [STEPS[0], {"description": "Type ACME", "action": "type", "text": "ACME"}, "Open the menu"]
    messages = build_messages("Create an invoice", "https://app.example/x", "<body node=\"1\"></body>", history)
    assert messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = messages[1]["content"]
    assert user.startswith("Objective: Create an invoice\nURL: https://app.example/x\nObservation: <body")
    assert user.endswith(render_history(history))
    assert "Step-by-step guide:\n1.\nDescription: Click 'New invoice'\nAction: mouse_click_action\n2." in user
    assert 'Text: "ACME"' in user and "3.\nDescription: Open the menu" in user
    assert "Node:" not in user  # previous steps carry no ids of older pages


def test_parser_reports_instead_of_raising() -> None:
    rng = random.Random(7)
    alphabet = string.printable + "é€\x00"
    good = render_answer(STEPS[1], 1)
    samples = ["", "garbage", good[: len(good) // 2], good.replace("keyboard_sequence_action", "fly"),
               good.replace('Text: "', "Text: "), good.replace("Node: 7", "Node: seven")]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200))) for _ in range(300)]
    samples += [good[:i] + rng.choice(alphabet) + good[i + 1:] for i in range(len(good))]
    for text in samples:
        result = parse_answer(text)
        assert isinstance(result, (Step, ParseFailure))
    assert isinstance(parse_answer(None), ParseFailure)  # type: ignore[arg-type]
    assert "missing Node" in parse_answer(good.replace("Node: 7", "")).reason


def test_grammar_offers_typing_only_on_text_fields_and_every_key() -> None:
    targets = {"5": '<a node="5" href="/x">', "9": '<input node="9" type="text">', "11": '<input node="11" type="checkbox">'}
    grammar = build_grammar(targets)
    assert 'textnode ::= "9\\n"' in grammar
    assert 'node ::= "5\\n" | "9\\n" | "11\\n"' in grammar
    for key in KEY_NAMES:
        assert f'"\\"{key}\\""' in grammar
    assert takes_text('<textarea node="1">') and takes_text('<div node="2" contenteditable="true">')
    assert takes_text('<select node="5" name="size">')  # an option is chosen by typing its text
    assert not takes_text('<input node="3" type="submit">') and not takes_text('<a node="4">')
    no_text = build_grammar({"5": '<a node="5">'})
    assert "keyboard_sequence_action" not in no_text
    with pytest.raises(ValueError):
        build_grammar({})


def test_grammar_compiles_in_llama_cpp() -> None:
    from llama_cpp import LlamaGrammar

    grammar = build_grammar({str(i): f'<a node="{i}" title="q\\"uote">' for i in range(1, 300)})
    assert LlamaGrammar.from_string(grammar, verbose=False) is not None


def test_a_done_step_is_remembered_by_what_was_done_not_what_the_model_said() -> None:
    from backend.format import done_description

    assert done_description(ActionKind.TYPE, "MVE", "Password") == "Type 'MVE' into 'Password'"
    assert done_description(ActionKind.TYPE, "Lisbon", " Pick-up\n city ", choice=True) == "Select 'Lisbon' in 'Pick-up city'"
    assert done_description(ActionKind.CLICK, None, "Submit") == "Click 'Submit'"
    assert done_description(ActionKind.KEY, "Enter", "Search") == "Press Enter in 'Search'"
    assert done_description(ActionKind.KEY, " ", "Accept") == "Press Space in 'Accept'"
    assert done_description(ActionKind.CLICK, None, "  ") is None  # nothing to name: the model's words stay

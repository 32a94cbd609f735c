"""Binding a written step to the candidates it names, and the two-part answer grammar."""

from __future__ import annotations


import pytest

from backend.binding import bound_nodes, named_phrases, normalized
from backend.format import parse_head
from backend.model.grammar import head_grammar, node_grammar
from backend.pipeline import Suggester
from tests.two_part_engine import TwoPartEngine, WordCounter

NAMES = {"1": "Sports", "2": "Sports news", "3": "Weather", "4": "Search", "5": "E-mail address"}


def test_quoted_names_are_found_in_any_quote_style() -> None:
    assert named_phrases("Click 'Sports'") == ["sports"]
    assert named_phrases('Click the "Weather" link') == ["weather"]
    assert named_phrases("Open “Sports news”") == ["sports news"]
    assert named_phrases("Don't click anything") == []  # an apostrophe is not a quote


def test_the_typed_text_is_not_an_element_name() -> None:
    assert named_phrases("Type 'jazz' into 'Search'", typed="jazz") == ["search"]


def test_exact_names_win_over_names_that_contain_the_phrase() -> None:
    assert bound_nodes("Click 'Sports'", None, NAMES, list(NAMES)) == ["1"]
    assert bound_nodes("Click 'sports NEWS!'", None, NAMES, list(NAMES)) == ["2"]


def test_whole_words_bind_when_nothing_is_exact() -> None:
    assert bound_nodes("Type 'a@b.c' into 'E-mail'", "a@b.c", NAMES, ["4", "5"]) == ["5"]
    assert bound_nodes("Click 'Spo'", None, NAMES, list(NAMES)) == list(NAMES)  # a prefix of a word is no match


def test_no_name_or_an_unknown_name_leaves_the_choice_to_the_model() -> None:
    assert bound_nodes("Click the first link", None, NAMES, list(NAMES)) == list(NAMES)
    assert bound_nodes("Click 'Archive'", None, NAMES, ["3", "4"]) == ["3", "4"]


def test_a_description_without_quotes_binds_the_longest_name_it_spells_out() -> None:
    tabs = {"7": "Tab #1", "8": "Tab #2", "9": "Tab #3", "10": "Tab"}
    assert bound_nodes("Click on Tab #3", None, tabs, list(tabs)) == ["9"]
    assert bound_nodes("Open the sports news section", None, NAMES, list(NAMES)) == ["2"]  # not 'Sports'
    assert bound_nodes("Enter weather into the search box", "weather", NAMES, ["3", "4"]) == ["4"]  # typed text skipped
    assert bound_nodes("Click on it", None, {"1": "on", "2": "it"}, ["1", "2"]) == ["1", "2"]  # too short to count


def test_only_allowed_nodes_are_returned() -> None:
    assert bound_nodes("Click 'Sports'", None, NAMES, ["3", "4"]) == ["3", "4"]


def test_normalized_folds_case_punctuation_and_space() -> None:
    assert normalized("  Sign-in  →  NOW ") == "sign in now"


def test_head_grammar_stops_at_the_node_label_and_node_grammar_continues() -> None:
    targets = {"4": '<input node="4">', "9": '<a node="9">'}
    head = head_grammar(targets)
    assert "node ::=" not in head and '\\nNode:"' in head
    assert node_grammar(["4", "9"]) == 'root ::= " " ("4\\n" | "9\\n")\n'
    with pytest.raises(ValueError):
        node_grammar([])


def test_parse_head_reads_what_comes_before_the_node() -> None:
    step = parse_head('1.\nDescription: Type \'x\' into \'Search\'\nAction: keyboard_sequence_action\nText: "x"\nNode:')
    assert step.text == "x" and step.node is None and step.description == "Type 'x' into 'Search'"
    assert parse_head("Description: x\n").reason == "missing Action line"


PAGE = '<a href="/s" node="1">Sports</a><a href="/w" node="2">Weather</a><a href="/n" node="3">Sports news</a>'


@pytest.mark.parametrize("bind, chosen", [(True, "3"), (False, "1")])
def test_the_pipeline_chooses_the_node_among_the_named_candidates(bind: bool, chosen: str) -> None:
    engine = TwoPartEngine("Description: Click 'Sports news'\nAction: mouse_click_action\nNode:")
    result = Suggester(engine, WordCounter(), budget=0, bind=bind).suggest(objective="sports news", url="u", html=PAGE)
    assert result.step.node == chosen
    assert result.confidence == pytest.approx(0.5)  # the node's digits and newline, not the label's space
    assert engine.grammars[1] == (node_grammar(["3"]) if bind else node_grammar(["1", "2", "3"]))
    assert result.answer.endswith(f"Node: {chosen}\nTarget: {result.page.targets[chosen]}")


def test_a_click_that_quotes_an_option_of_a_native_select_chooses_it() -> None:
    from backend.binding import as_choice
    from backend.constants import ActionKind
    from backend.dom import prune
    from backend.format import Step

    page = prune("<label for=o>Country</label><select id=o><option>Kenya</option><option>Japan</option></select>"
                 "<button>Save</button>", budget=0)
    select, button = (n for n in page.candidates if page.targets[n].startswith(("<select", "<button")))
    assert page.options == {select: ["Kenya", "Japan"]}

    def click(description: str, node: str) -> Step:
        return Step(description, ActionKind.CLICK, node, None, page.targets[node])

    chosen = as_choice(click("Click 'japan'", select), page.options)
    assert (chosen.action, chosen.text, chosen.node) == (ActionKind.TYPE, "Japan", select)
    for unchanged in (click("Click 'Country'", select),  # names the list, not an option
                      click("Click 'Japan'", button),  # not a select
                      Step("Type 'Japan'", ActionKind.TYPE, select, "Japan", page.targets[select])):
        assert as_choice(unchanged, page.options) == unchanged

"""Binding a written step to the candidates it names, and the two-part answer grammar."""

from __future__ import annotations


import pytest

from backend.binding import bound_nodes, named_phrases, names_missing, normalized, objective_named
from backend.format import parse_head
from backend.model.grammar import head_grammar, named_head_grammar, node_grammar, quotable_names
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


def test_a_description_misses_the_page_only_when_it_quotes_a_name_no_candidate_has() -> None:
    assert names_missing("Click 'Confirm booking'", None, NAMES, list(NAMES))
    assert names_missing("Type 'a@b.c' into 'Nl-email'", "a@b.c", NAMES, ["4", "5"])
    assert not names_missing("Click 'Sports'", None, NAMES, list(NAMES))
    assert not names_missing("Click 'weather'", None, NAMES, list(NAMES))
    assert not names_missing("Click the close icon", None, NAMES, list(NAMES))  # quotes nothing: an unnamed icon
    assert not names_missing("Type 'jazz'", "jazz", NAMES, ["4"])  # only the typed text is quoted
    assert names_missing("Click 'Sports'", None, NAMES, ["3", "4"])  # not among those allowed


SLOTS = {"1": "17 November 2026", "2": "18 November 2026", "3": "2:30 PM", "4": "5:30 PM", "5": "30",
         "6": "Massage (60 min)", "7": "Newsletter", "8": "Ember Labs home"}
BOOKING = 'Schedule Massage (60 min) at Ember Labs for "Ana", on Nov 18, "5:30 PM", and press Confirm booking'


def test_the_objective_names_the_closest_spelling_of_each_thing_it_asks_for() -> None:
    # "Nov" abbreviates "November"; the day asked for beats its month's other days, 5:30 beats 2:30,
    # and the "30" of "5:30" is no day 30; the site's logo is not asked for ("home" is not said);
    # each comes with where the objective first speaks of it
    assert objective_named(SLOTS, BOOKING, " ") == {"6": 1, "2": 10, "4": 12}
    done = " click massage 60 min click 18 november 2026 "
    assert objective_named(SLOTS, BOOKING, done) == {"4": 12}  # what the history did is not asked again
    assert objective_named(SLOTS, "Subscribe me", " ") == {}


def test_a_named_head_quotes_only_the_names_it_is_given() -> None:
    from llama_cpp import LlamaGrammar

    targets = {"1": '<button node="1">', "2": '<input type="email" node="2">', "3": '<a href="/" node="3">'}
    names = {"1": "5:30 PM", "2": "Email", "3": "It's here"}
    grammar = named_head_grammar(targets, names)
    assert LlamaGrammar.from_string(grammar, verbose=False) is not None
    assert 'cname ::= "5:30 PM" | "Email"\n' in grammar  # a name with a quote mark cannot be quoted
    assert 'tname ::= "Email"\n' in grammar and "keyboard_sequence_action" in grammar
    clicks_only = named_head_grammar(targets, {"1": "5:30 PM"})
    assert "tname" not in clicks_only and "keyboard_sequence_action" not in clicks_only
    assert quotable_names({"1": "  two\n lines "}, targets) == ["two lines"]
    with pytest.raises(ValueError, match="no candidate"):
        named_head_grammar(targets, {"3": "It's here"})


SLOT_PAGE = ('<a href="/t1" node="1">2:30 PM</a><a href="/t2" node="2">5:30 PM</a>'
             '<input type="email" aria-label="Newsletter" node="3"><button node="4">Subscribe</button>')


def _retrying_engine() -> TwoPartEngine:
    """Names a button of the next screen first; asked again, quotes the first name it may."""
    def head(grammar: str) -> str:
        if "cname ::= " not in grammar:
            return "Description: Click 'Confirm booking'\nAction: mouse_click_action\nNode:"
        first = grammar.split('cname ::= "', 1)[1].split('"', 1)[0]
        return f"Description: Click '{first}'\nAction: mouse_click_action\nNode:"
    return TwoPartEngine(head)


def test_the_pipeline_asks_again_among_the_pages_names_when_the_answer_names_none() -> None:
    engine, restarts = _retrying_engine(), []
    result = Suggester(engine, WordCounter(), budget=0).suggest(
        objective="Book Nov 18, email 'ana@x.pt', at 5:30 PM, then press Confirm booking", url="u", html=SLOT_PAGE,
        on_restart=lambda: restarts.append(1))
    assert 'cname ::= "5:30 PM"\n' in engine.grammars[2]  # what the objective asks for, not "2:30 PM"
    assert result.target_name == "5:30 PM" and result.step.description == "Click '5:30 PM'"
    assert len(engine.grammars) == 4 and restarts == [1]  # the link is not held for the email: it sends nothing
    engine = _retrying_engine()
    either = Suggester(engine, WordCounter(), budget=0).suggest(objective="At 5:30 PM, or 2:30 PM", url="u",
                                                                html=SLOT_PAGE)
    assert either.target_name == "5:30 PM" and 'cname ::= "5:30 PM"\n' in engine.grammars[2]  # asked first
    engine = _retrying_engine()
    free = Suggester(engine, WordCounter(), budget=0).suggest(objective="Book a slot", url="u", html=SLOT_PAGE)
    assert 'cname ::= "2:30 PM" | "5:30 PM" | "Newsletter" | "Subscribe"\n' in engine.grammars[2]  # nothing asked
    assert free.target_name == "2:30 PM"
    unbound = Suggester(_retrying_engine(), WordCounter(), budget=0, bind=False).suggest(
        objective="Book 5:30 PM", url="u", html=SLOT_PAGE)
    assert unbound.step.description == "Click 'Confirm booking'"  # binding off: the model's answer stands


def test_typing_into_a_field_it_calls_by_another_name_is_not_asked_again_when_a_field_is_unnamed() -> None:
    typed = ('Description: Type "Livia" into the "Text" field\nAction: keyboard_sequence_action\n'
             'Text: "Livia"\nNode:')
    engine = TwoPartEngine(typed)
    result = Suggester(engine, WordCounter(), budget=0).suggest(
        objective='Enter "Livia" into the text field and press Submit.', url="u",
        html='<input type="text"><button>Submit</button>')
    assert result.step.text == "Livia" and len(engine.grammars) == 2  # the unnamed field may be the "Text" one
    named = TwoPartEngine(typed.replace("Livia", "ana@x.pt"))
    Suggester(named, WordCounter(), budget=0).suggest(
        objective="Book 5:30 PM, email ana@x.pt", url="u", html=SLOT_PAGE)
    assert "cname ::= " in named.grammars[2]  # every field is named, none "Text": asked again

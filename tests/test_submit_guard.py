"""A click that would send a form before the objective's values are in it, and the retry as typing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from backend.constants import ActionKind
from backend.dom import prune
from backend.model.grammar import TYPING_VERBS, head_grammar, node_grammar, text_nodes
from backend.pipeline import Suggester
from tests.two_part_engine import TwoPartEngine, WordCounter
from backend.submit_guard import empty_text_fields, objective_values, premature_click, unticked_boxes

FORM = ('<a href="/jobs/7">Data Analyst (Lisbon)</a>'
        '<label for=n>Full name</label><input id=n{name}>'
        '<label for=e>Email</label><input id=e type=email{email}>'
        '<label for=p>Password</label><input id=p type=password>'
        '<label for=l>Newsletter</label><input id=l>'
        '<div role=button>Send application</div><button type=submit>Save draft</button>')
OBJECTIVE = "Apply to Data Analyst (Lisbon) as Ana Lima, email ana.lima@mail.pt, then press Send application"


def early(objective: str, clicked: str, *, history: tuple[str, ...] = (), name: str = "", email: str = "") -> bool:
    """Whether clicking the candidate called `clicked` on FORM (fields pre-filled as given) is premature."""
    page = prune(FORM.format(name=f' value="{name}"' if name else "", email=f' value="{email}"' if email else ""),
                 budget=0)
    node = next(n for n, v in page.names.items() if v == clicked)
    empty = empty_text_fields(page.targets, page.names, page.values, text_nodes(page.targets))
    return premature_click(objective=objective, history=history, page_html=page.html, name=clicked,
                           opening_tag=page.targets[node], empty_fields=empty)


def test_values_are_what_the_objective_quotes_or_spells_as_data() -> None:
    assert objective_values("Send 'hi there' to bo@x.io, amount 12.50 and press OK") == ["hi there", "bo x io", "12 50"]
    assert objective_values("open the settings") == []


def test_the_final_button_is_held_while_a_value_before_it_is_missing() -> None:
    assert early(OBJECTIVE, "Send application")
    assert early(OBJECTIVE, "Send application", name="Ana Lima")  # the email is still missing


def test_the_final_button_is_free_once_the_values_are_on_the_page_or_in_the_history() -> None:
    assert not early(OBJECTIVE, "Send application", name="Ana Lima", email="ana.lima@mail.pt")
    history = ("Type 'Ana Lima' into 'Full name'", "Type 'ana.lima@mail.pt' into 'Email'")
    assert not early(OBJECTIVE, "Send application", history=history)  # a page that does not show live values


def test_an_element_the_objective_names_before_its_values_is_never_held() -> None:
    assert not early(OBJECTIVE, "Data Analyst (Lisbon)")  # the link that opens the form comes first


def test_a_link_the_objective_names_after_a_missing_value_is_not_held() -> None:
    # a link sends no form: "Data Analyst (Lisbon)" leads to the screen the email is typed on,
    # while the empty email field here may belong to another form (a newsletter's)
    assert not early("Apply as Ana Lima with ana.lima@mail.pt to Data Analyst (Lisbon)", "Data Analyst (Lisbon)")
    assert early("Apply as Ana Lima with ana.lima@mail.pt, then press Send application", "Send application")
    # a field here the objective speaks of is still filled first
    assert early("Apply with your email ana.lima@mail.pt to Data Analyst (Lisbon)", "Data Analyst (Lisbon)")


def test_an_unnamed_sending_control_is_held_only_for_a_field_the_objective_asks_for() -> None:
    # "Save draft" is a submit button the objective does not name: a missing value is no evidence
    # (it could open the form), but an empty field the objective speaks of ("email") is.
    assert early("Apply as Ana Lima with your email ana.lima@mail.pt", "Save draft", name="Ana Lima")
    assert not early("Apply as Ana Lima with ana.lima@mail.pt", "Save draft", name="Ana Lima")


def test_no_empty_field_means_nothing_to_type_first() -> None:
    page = prune('<button type=submit>Send</button>', budget=0)
    assert empty_text_fields(page.targets, page.names, page.values, text_nodes(page.targets)) == {}
    assert not premature_click(objective="send 'hi' and press Send", history=(), page_html=page.html, name="Send",
                               opening_tag=page.targets[page.candidates[0]], empty_fields={})


def test_selects_never_count_as_empty_and_a_password_field_only_until_the_history_typed_into_it() -> None:
    page = prune(FORM.format(name="", email="") + "<select><option>A</option></select>", budget=0)
    empty = empty_text_fields(page.targets, page.names, page.values, text_nodes(page.targets))
    assert sorted(empty.values()) == ["Email", "Full name", "Newsletter", "Password"]
    typed = empty_text_fields(page.targets, page.names, page.values, text_nodes(page.targets),
                              ["Type 'x1' into 'Password'", {"description": "Type 'ana' into 'Email'",
                                                              "action": "type", "text": "ana"}])
    assert sorted(typed.values()) == ["Email", "Full name", "Newsletter"]  # a live value would show in Email


def test_live_values_are_read_from_inputs_textareas_and_editable_elements() -> None:
    page = prune('<input value="ada"><textarea>hello there</textarea><div contenteditable>note</div>'
                 '<textarea></textarea><a href="/x">x</a>', budget=0)
    assert sorted(page.values.values()) == ["", "ada", "hello there", "note"]


BOXES = ('<label><input type=checkbox{consent}> I consent to the processing of my data</label>'
         '<label><input type=checkbox> Notify me of replies</label>'
         '<label><input type=checkbox> Subscribe to the newsletter</label>'
         '<label><input type=checkbox disabled> I accept the terms of the beta</label>'
         '<div role=checkbox aria-checked="{terms}">I agree to the Terms of Service</div>'
         '<button type=submit>Post topic</button><a href="/help">Help center</a>')


def due_boxes(objective: str, clicked: str, *, consent: str = "", terms: str = "false",
              history: tuple[str, ...] = ()) -> list[str]:
    page = prune(BOXES.format(consent=consent, terms=terms), budget=0)
    node = next(n for n, v in page.names.items() if v == clicked)
    return sorted(unticked_boxes(objective=objective, history=history, name=clicked, opening_tag=page.targets[node],
                                 targets=page.targets, names=page.names).values())


def test_a_box_the_objective_asks_for_or_the_form_needs_is_ticked_before_the_final_control() -> None:
    post = "Post Hello in Off-topic and get notified of replies, then press Post topic"
    assert due_boxes(post, "Post topic") == ["I agree to the Terms of Service", "I consent to the processing of my data",
                                             "Notify me of replies"]
    assert due_boxes(post, "Post topic", consent=" checked", terms="true") == ["Notify me of replies"]
    assert due_boxes(post, "Post topic", history=("Click 'Notify me of replies'",), consent=" checked",
                     terms="true") == []
    assert due_boxes("Post Hello, then press Post topic", "Post topic", consent=" checked", terms="true") == []
    assert due_boxes(post, "Help center") == []  # not the final control: nothing is due before it


def test_a_radio_button_the_objective_names_is_chosen_before_the_final_control() -> None:
    page = prune('<label><input type=radio name=o> nOdZMN</label><label><input type=radio name=o> leE</label>'
                 '<label><input type=radio name=o checked> Consent</label><button>Submit</button>', budget=0)
    submit = next(n for n, v in page.names.items() if v == "Submit")

    def due(objective: str, history: tuple[str, ...] = ()) -> list[str]:
        return sorted(unticked_boxes(objective=objective, history=history, name="Submit",
                                     opening_tag=page.targets[submit], targets=page.targets, names=page.names).values())

    assert due("Select nOdZMN and click Submit.") == ["nOdZMN"]
    assert due("Select leE and click Submit.") == ["leE"]  # a short label counts whole
    assert due("Select leE and click Submit.", history=("Click 'leE'",)) == []
    assert due("Click Submit.") == []  # a radio named "Consent" is no checkbox of terms


def _form_engine() -> TwoPartEngine:
    """Clicks the form's final button first; asked again under a typing grammar, types the email."""
    return TwoPartEngine(lambda grammar: (
        "Description: Click 'Send application'\nAction: mouse_click_action\nNode:" if "mouse_click_action" in grammar
        else "Description: Type 'ana.lima@mail.pt' into 'Email'\nAction: keyboard_sequence_action\n"
             'Text: "ana.lima@mail.pt"\nNode:'))


def test_the_pipeline_ticks_a_box_still_due_instead_of_the_final_click() -> None:
    engine = TwoPartEngine("Description: Click 'Post topic'\nAction: mouse_click_action\nNode:")
    page_html = BOXES.format(consent=" checked", terms="true")
    result = Suggester(engine, WordCounter(), budget=0).suggest(
        objective="Post Hello and get notified of replies, then press Post topic", url="u", html=page_html)
    page = result.page
    assert page.names[result.step.node or ""] == "Notify me of replies"
    assert result.step.description == "Click 'Notify me of replies'"  # not the model's "Click 'Post topic'"
    assert engine.grammars[2] == head_grammar(page.targets, (ActionKind.CLICK,))
    box = next(n for n, v in page.names.items() if v == "Notify me of replies" and "checkbox" in page.targets[n])
    assert engine.grammars[3] == node_grammar([box])


@pytest.mark.parametrize("hold", [True, False])
def test_the_pipeline_asks_for_typing_instead_of_a_premature_click(hold: bool) -> None:
    engine = _form_engine()
    streamed: list[str] = []
    restarts: list[int] = []
    suggester = Suggester(engine, WordCounter(), budget=0, hold_submit=hold)
    html = FORM.format(name=' value="Ana Lima"', email="")
    result = suggester.suggest(objective=OBJECTIVE, url="u", html=html, on_token=streamed.append,
                               on_restart=lambda: restarts.append(len(streamed)))
    page = result.page
    if not hold:
        assert result.step.action is ActionKind.CLICK and page.names[result.step.node or ""] == "Send application"
        assert restarts == [] and len(engine.grammars) == 2
        return
    assert result.step.action is ActionKind.TYPE and result.step.text == "ana.lima@mail.pt"
    assert page.names[result.step.node or ""] == "Email"
    assert result.confidence == pytest.approx(0.5)
    retry = engine.grammars[2]
    assert retry == head_grammar(page.targets, (ActionKind.TYPE,))
    assert "mouse_click_action" not in retry and all(f'"{verb} "' in retry for verb in TYPING_VERBS)
    email = next(n for n in page.values if page.names[n] == "Email")  # the input, not its <label>
    assert engine.grammars[3] == node_grammar([email])  # bound among the empty fields only
    assert len(restarts) == 1
    assert "".join(streamed[restarts[0]:]) == result.answer  # after the restart, the stream is the answer
    assert "Click 'Send application'" in "".join(streamed[:restarts[0]])


def test_a_typing_head_compiles_in_llama_cpp_and_needs_a_text_field() -> None:
    from llama_cpp import LlamaGrammar

    page = prune(FORM.format(name="", email=""), budget=0)
    assert LlamaGrammar.from_string(head_grammar(page.targets, (ActionKind.TYPE,)), verbose=False) is not None
    with pytest.raises(ValueError, match="offers none"):
        head_grammar({"1": '<a node="1">'}, (ActionKind.TYPE,))


@pytest.mark.slow  # loads the real model's vocabulary
def test_a_typing_head_accepts_typing_steps_only(model_cache: Path) -> None:
    from backend.model.engine import load_engine
    from backend.model.grammar_sampler import GreedyGrammarSampler

    engine = load_engine(n_ctx=512, n_threads=1, cache_dir=model_cache)
    llm = engine._llm  # noqa: SLF001  (the vocabulary the served grammar runs against)

    def accepts(grammar: str, text: str) -> bool:
        sampler = GreedyGrammarSampler(llm._model.vocab, llm.n_vocab(), grammar)  # noqa: SLF001
        try:
            for char in text:  # one token per character: every byte is in the vocabulary
                token = llm.tokenize(char.encode(), add_bos=False, special=False)
                assert len(token) == 1, char
                if not sampler.allows(token[0]):
                    return False
                sampler.accept(token[0])
            return True
        finally:
            sampler.close()

    page = prune(FORM.format(name="", email=""), budget=0)
    typing = head_grammar(page.targets, (ActionKind.TYPE,))
    typed = "Description: {} 'ana@x.pt' into 'Email'\nAction: keyboard_sequence_action\nText: \"ana@x.pt\"\nNode:"
    clicked = "Description: Type 'ana' and click 'Send application'\nAction: mouse_click_action\nNode:"
    try:
        assert all(accepts(typing, typed.format(verb)) for verb in TYPING_VERBS)
        assert accepts(head_grammar(page.targets), clicked)  # the usual head offers the click…
        assert not accepts(typing, clicked)  # …the typing head does not
        assert not accepts(typing, typed.format("Click"))  # nor a description that reads as one
    finally:
        engine.close()


def test_the_server_job_streams_a_restart_frame_before_the_typing_answer(tmp_path: Path) -> None:
    from backend.config import Settings
    from backend.serve.runtime import Runtime

    suggester = Suggester(_form_engine(), WordCounter(), budget=0)
    prepared = suggester.prepare(objective=OBJECTIVE, url="u", html=FORM.format(name=' value="Ana Lima"', email=""))
    frames: list[dict] = []
    runtime = Runtime(Settings(config_dir=tmp_path))
    runtime.job("tab-1", suggester, prepared, frames.append).run(threading.Event())
    kinds = [f["type"] for f in frames]
    assert kinds.count("restart") == 1 and kinds[-1] == "step"
    after = "".join(f["text"] for f in frames[kinds.index("restart"):] if f["type"] == "token")
    assert after.startswith("1.\nDescription: Type 'ana.lima@mail.pt' into 'Email'")
    assert frames[-1]["action"] == "type" and frames[-1]["text"] == "ana.lima@mail.pt"

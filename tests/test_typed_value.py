"""A `type` step's text bound to its field: data kinds (autofill's reading) and labelled values."""

from __future__ import annotations

import pytest

from backend.constants import ActionKind
from backend.dom import PrunedPage, prune
from backend.format import Step
from backend.pipeline import Suggester
from backend.typed_value import AMOUNT, EMAIL, IBAN, PHONE, URL, bound_text, field_kind, kind_values, labelled_value
from tests.two_part_engine import TwoPartEngine, WordCounter

APPLICATION = ("Send an application with name Emeka Okafor, email liam9@gmail.com and phone +351 912 345 678, "
               "LinkedIn linkedin.com/in/ines-bauer")
TRANSFER = "Send 120.00 from Savings ••4767 to Kavya Bauer (IBAN IE29 5319 4080 6444 44) with reference Gym fees and hit Confirm"


def form(*fields: str) -> PrunedPage:
    """A page with one labelled field per `label` or `label=type` or `label:value` given."""
    html = ""
    for i, spec in enumerate(fields):
        label, _, value = spec.partition(":")
        label, _, kind = label.partition("=")
        html += (f'<label for=f{i}>{label}</label><input id=f{i}'
                 + (f" type={kind}" if kind else "") + (f' value="{value}"' if value else "") + ">")
    return prune(html + "<button>Go</button>", budget=0)


def typing(text: str, field: str = "Email", page: PrunedPage | None = None) -> tuple[Step, PrunedPage]:
    page = page or form(field)
    node = next(n for n in page.values if page.names[n] == field)
    return Step(f"Type '{text}' into '{field}'", ActionKind.TYPE, node, text, page.targets[node]), page


def bound(typed: tuple[Step, PrunedPage], objective: str, history: tuple[str, ...] = ()) -> Step:
    step, page = typed
    return bound_text(step, objective=objective, page=page, history=history)


@pytest.mark.parametrize("tag,name,kind", [
    ('<input type="email">', "To", EMAIL), ('<input type="tel">', "Contact", PHONE), ("<input>", "Phone number", PHONE),
    ("<input>", "E-mail", EMAIL), ("<input>", "LinkedIn profile", URL), ("<input>", "IBAN", IBAN),
    ("<input>", "Amount", AMOUNT), ("<input>", "Full name", None), ('<input type="text">', "Comment", None),
])
def test_a_field_asks_for_a_data_kind_by_its_type_or_its_label(tag: str, name: str, kind: object) -> None:
    assert field_kind(tag, name) is kind


def test_values_of_each_kind_are_read_without_taking_one_kind_for_another() -> None:
    assert kind_values(APPLICATION, EMAIL) == ["liam9@gmail.com"]
    assert kind_values(APPLICATION, PHONE) == ["+351 912 345 678"]
    assert kind_values(APPLICATION, URL) == ["linkedin.com/in/ines-bauer"]  # not gmail.com out of the email
    assert kind_values(TRANSFER, IBAN) == ["IE29 5319 4080 6444 44"]
    assert kind_values(TRANSFER, PHONE) == []  # the IBAN's digits are no phone number, ••4767 is too short
    assert kind_values(TRANSFER, AMOUNT) == ["120.00"]
    assert kind_values("Meet at 9:00 AM on Nov 10", PHONE) == []


def test_a_labelled_value_is_quoted_or_a_few_words_closed_by_a_delimiter() -> None:
    assert labelled_value(TRANSFER, "Reference") == "Gym fees"
    assert labelled_value(APPLICATION, "Full name") == "Emeka Okafor"
    assert labelled_value('Enter the username "kathy" and the password "x1 y" into the fields', "Password") == "x1 y"
    assert labelled_value("Subject: Lunch plans", "Subject") == "Lunch plans"
    message = "Post it with the message: Hi, the file is attached. Thanks!, then press Post"
    assert labelled_value(message, "Your message") == "Hi, the file is attached. Thanks!"
    assert labelled_value("with the message: See you there! and get notified", "Message") == "See you there!"
    assert labelled_value("Search the docs for printing", "Search") is None  # a filler word names no value
    assert labelled_value("Post a comment about our long and winding product roadmap", "Comment") is None
    assert labelled_value("Rename the file", "Name") is None  # whole words only


def test_the_field_gets_the_value_of_its_kind_in_the_objectives_spelling() -> None:
    assert bound(typing("LN-19"), APPLICATION).text == "liam9@gmail.com"
    fixed = bound(typing("Muller@proton.me", "Phone"), APPLICATION)
    assert fixed.text == "+351 912 345 678" and fixed.description == "Type '+351 912 345 678' into 'Phone'"
    assert bound(typing("Liam9@Gmail.com"), APPLICATION).text == "liam9@gmail.com"
    assert bound(typing("48", "Reference"), TRANSFER).text == "Gym fees"
    cut = "with the message: Could we move it? Thanks! and press Post"
    assert bound(typing("Could we move it?", "Message"), cut).text == "Could we move it? Thanks!"
    longer = typing("Lunch and a walk", "Subject")  # the model read past where the rule stops
    assert bound(longer, "subject: Lunch and a walk") == longer[0]


def test_a_free_text_field_takes_the_sentence_its_label_opens() -> None:
    share = "shre Liam's post with the comment Following up on the call, here is the summary., then press Share"
    assert labelled_value(share, "Add a comment", free_text=True) == "Following up on the call, here is the summary."
    assert labelled_value(share, "Add a comment") is None  # a one-line field takes a name, not a sentence
    ending = "share it via Copy link with the comment Hi, the details are attached. Let me know."
    assert labelled_value(ending, "Comment", free_text=True) == "Hi, the details are attached. Let me know."
    roadmap = "Post a comment about our long and winding product roadmap"
    assert labelled_value(roadmap, "Comment", free_text=True) is None  # lower case: words about it, not its text
    box = prune('<textarea placeholder="Add a comment"></textarea><button>Share</button>', budget=0)
    node = next(iter(box.values))
    step = Step("Type 'Liam' into 'Add a comment'", ActionKind.TYPE, node, "Liam", box.targets[node])
    assert bound_text(step, objective=share, page=box, history=()).text == "Following up on the call, here is the summary."


def test_a_labelled_value_is_the_fields_own_in_the_objectives_spelling() -> None:
    both = 'Enter the password "JiOTA" into both text fields and press submit.'
    page = form("Password=password", "Verify password=password")
    typed = bound(typing("i", "Verify password", page), both, history=("Type 'JiOTA' into 'Password'",))
    assert typed.text == "JiOTA"  # typed into Password already, and still this field's value
    login = 'Enter the username "tora" and the password "VELhN" into the text fields and press login.'
    assert bound(typing("velhN", "Password", form("Password=password")), login).text == "VELhN"


def test_a_value_already_typed_is_not_typed_again() -> None:
    two = "Invite ana@x.io and bo@y.org"
    assert bound(typing("ana"), two).text == "ana@x.io"
    assert bound(typing("ana"), two, history=("Type 'ana@x.io' into 'Email'",)).text == "bo@y.org"
    page = form("Email", "Other=email:ana@x.io")
    assert bound(typing("ana", page=page), two).text == "bo@y.org"


def test_an_earlier_empty_field_with_a_value_is_filled_first() -> None:
    page = form("Recipient name", "Amount", "Reference")
    later = typing("Gym fees", "Reference", page)
    first = bound(later, TRANSFER)
    assert page.names[first.node or ""] == "Amount" and first.text == "120.00"
    assert first.description == "Type '120.00' into 'Amount'" and first.target == page.targets[first.node or ""]
    filled = form("Recipient name", "Amount:120.00", "Reference")
    assert bound(typing("Gym fees", "Reference", filled), TRANSFER).text == "Gym fees"  # Amount is done


def test_a_click_into_a_field_the_objective_gives_a_value_for_types_it() -> None:
    page = form("Full name", "Email=email", "Notes")
    field = next(n for n in page.values if page.names[n] == "Email")
    click = Step("Click 'Send an application'", ActionKind.CLICK, field, None, page.targets[field])
    typed = bound((click, page), APPLICATION)
    assert (typed.action, typed.node, typed.text) == (ActionKind.TYPE, field, "liam9@gmail.com")
    assert typed.description == "Type 'liam9@gmail.com' into 'Email'"
    notes = next(n for n in page.values if page.names[n] == "Notes")
    focus = Step("Click 'Notes'", ActionKind.CLICK, notes, None, page.targets[notes])
    assert bound((focus, page), APPLICATION) == focus  # no value for it: focusing is the step
    filled = form("Email=email:liam9@gmail.com")
    node = next(iter(filled.values))
    again = Step("Click 'Email'", ActionKind.CLICK, node, None, filled.targets[node])
    assert bound((again, filled), APPLICATION) == again  # already typed


def test_the_models_text_stands_when_nothing_speaks_for_another() -> None:
    step = typing("Great post!", "Add a comment")
    assert bound(step, "Reply to Ana's post saying Great post!") == step[0]
    page = prune('<label for=e>Email</label><input id=e><select aria-label=Plan><option>a@b.co</option></select>',
                 budget=0)
    for node, tag in page.targets.items():
        if node not in page.values:  # a click into the Email field types (see above)
            click = Step("Click it", ActionKind.CLICK, node, None, tag)
            assert bound((click, page), APPLICATION) == click
    select = next(n for n in page.options)
    choose = Step("Choose 'a@b.co'", ActionKind.TYPE, select, "x", page.targets[select])
    assert bound((choose, page), APPLICATION) == choose


@pytest.mark.parametrize("bind", [True, False])
def test_the_pipeline_types_the_bound_value_only_when_binding_is_on(bind: bool) -> None:
    head = "Description: Type 'LN-19' into 'Email'\nAction: keyboard_sequence_action\nText: \"LN-19\"\nNode:"
    suggester = Suggester(TwoPartEngine(head), WordCounter(), budget=0, bind=bind, hold_submit=False)
    html = '<label for=e>Email</label><input id=e type=email><button>Apply</button>'
    step = suggester.suggest(objective=APPLICATION, url="u", html=html).step
    assert step.action is ActionKind.TYPE
    assert step.text == ("liam9@gmail.com" if bind else "LN-19")

"""A click that would send a form before the values the objective names are in it.

The commonest mistake of a small model on a form (measured on the held-out synthetic families:
41% of its wrong steps) is jumping to the end: the objective says "… with email 'ada@x.io' and
press Submit", the model copies the part it can act on at once and clicks Submit while the email
field is still empty. Whether that is premature is mostly readable from the page and the
history, without any knowledge of the site:

- the clicked element is the objective's final action: its name is what the objective says last
  (the part after the values), or it reads as sending a form (`type=submit`, "Continue", "Send"…);
- something the objective asks for before that point is still missing: a value it quotes or
  spells as data (digits, an @) appears neither on the page (live values included) nor in the
  history, or an empty text field is labelled with a word the objective uses there;
- and there is an empty text field to type into.

Then the pipeline asks the model for a `type` step instead (`backend.pipeline`). A password's
value is never serialized, so for a password field the history says whether it is filled. Once
the fields are filled, an unchecked checkbox or radio button the objective speaks of before that
control, or a checkbox the form needs (consent to its terms), is ticked first (`unticked_boxes`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

from backend.binding import named_phrases, normalized, without_quotes
from backend.format import HistoryItem, render_history

#: First words of a control that sends what was entered, as they read on buttons.
SENDING_VERBS = frozenset({
    "submit", "continue", "next", "send", "post", "save", "confirm", "apply", "book", "done", "finish",
    "publish", "create", "register", "reply", "search", "place", "pay", "checkout", "sign", "log", "go",
})
#: Words too common in labels and objectives to tie a field to the objective.
FILLER_WORDS = frozenset({"your", "the", "and", "with", "for", "from", "this", "that", "enter", "type", "optional"})
#: Words of a checkbox a form will not send without (the terms, consent to processing data).
_CONSENT = frozenset({"consent", "terms", "conditions"})
#: A box already ticked, or one that cannot be (a disabled decoy).
_SETTLED = re.compile(r'\s(?:checked|disabled)(?:[\s=>/]|$)|aria-(?:checked|disabled)="true"')
#: The opening tag of a link to another address: it leads somewhere, it sends no form (a link
#: with role=button, or to "#" or "javascript:", is a button in a link's clothes).
_LINK = re.compile(r"""<a\s(?![^>]*\brole\s*=\s*["']?button)[^>]*\bhref\s*=\s*(?!["']?(?:#|javascript:))""",
                   re.IGNORECASE)
#: Tokens that are data to type rather than words: anything holding a digit or an '@'.
_DATA = re.compile(r"[^\s,;()]*[\d@][^\s,;()]*")


def objective_values(objective: str) -> list[str]:
    """What the objective gives to type, normalized: quoted text and data-like tokens."""
    values = named_phrases(objective)
    values += [normalized(token) for token in _DATA.findall(without_quotes(objective))]
    return [v for v in values if len(v) >= 2]


def premature_click(
    *, objective: str, history: Iterable[HistoryItem], page_html: str, name: str, opening_tag: str,
    empty_fields: Mapping[str, str],
) -> bool:
    """True when clicking the element called `name` (`opening_tag`) ends the task too early.

    `empty_fields`: the page's empty text fields, node id -> accessible name (see `empty_text_fields`).
    """
    if not empty_fields:
        return False
    part = _asked_before(objective, name, opening_tag)
    if part is None:
        return False
    before, named = part
    done = done_text(history)
    seen = f" {normalized(page_html)} {done}"
    # A value still missing is evidence only against the control the objective names after it: an
    # unnamed "Apply now" may well be what opens the form those values go into. And only against a
    # control that sends: a link the objective names ("… on Nov 18, 5:30 PM") leads to the screen
    # the values are typed on, while a field here that takes them may belong to another form.
    missing = [v for v in objective_values(objective) if f" {v} " in before and f" {v} " not in seen]
    if named and missing and not _LINK.match(opening_tag):
        return True
    for field_name in empty_fields.values():
        label = normalized(field_name)
        if f" {label} " in done:
            continue  # the history typed into it: the page may just not show it (yet)
        if any(len(w) >= 3 and w not in FILLER_WORDS and f" {w} " in before for w in label.split()):
            return True
    return False


def _asked_before(objective: str, name: str, opening_tag: str) -> tuple[str, bool] | None:
    """(what the objective asks for before the control called `name`, whether it names that
    control), or None when the control is not the objective's final one: neither named by it
    nor reading as sending a form."""
    goal = f" {normalized(objective)} "
    target = normalized(name)
    at = goal.rfind(f" {target} ") if len(target) >= 3 else -1
    if at >= 0:
        return goal[:at], True
    words = target.split()
    if 'type="submit"' not in opening_tag.lower() and not (words and words[0] in SENDING_VERBS):
        return None
    return goal, False  # a sending control the objective does not name: everything comes before it


def unticked_boxes(*, objective: str, history: Iterable[HistoryItem], name: str, opening_tag: str,
                   targets: Mapping[str, str], names: Mapping[str, str]) -> dict[str, str]:
    """The unchecked checkboxes and radio buttons to tick before clicking the final control `name`
    (node id -> name): those the objective speaks of before it ("… and get notified of replies,
    then Post", "Select nOdZMN and click Submit") and the checkboxes a form needs ticked to send at
    all (consent to terms or to processing data)."""
    part = _asked_before(objective, name, opening_tag)
    if part is None:
        return {}
    before = part[0]
    done = done_text(history)
    due = {}
    for node, tag in targets.items():
        low = tag.lower()
        box = 'type="checkbox"' in low or 'role="checkbox"' in low
        if not (box or 'type="radio"' in low or 'role="radio"' in low) or _SETTLED.search(low):
            continue
        label = normalized(names.get(node, ""))
        if not label or f" {label} " in done:
            continue
        words = set(label.split())
        if (f" {label} " in before or (box and words & _CONSENT)
                or any(len(w) >= 4 and w not in FILLER_WORDS and f" {w} " in before for w in words)):
            due[node] = names.get(node, "")
    return due


def done_text(history: Iterable[HistoryItem], values: Iterable[str] = ()) -> str:
    """The history (and live `values`), normalized and space-padded: what " <phrase> " is
    looked up in to tell whether something was done already."""
    return f" {normalized(render_history(history))} {' '.join(normalized(v) for v in values)} "


def empty_text_fields(targets: Mapping[str, str], names: Mapping[str, str], values: Mapping[str, str],
                      typable: Collection[str], history: Iterable[HistoryItem] = ()) -> dict[str, str]:
    """The `typable` candidates nothing has been typed into (node id -> name), selects excluded
    (a select always shows a choice). A password's value is never serialized, so a password
    field counts as empty unless the history typed into a field of its name."""
    typed_into = {phrase for item in history for phrase in named_phrases(render_history([item]))}
    empty = {}
    for node in typable:
        tag = targets.get(node, "").lower()
        if tag.startswith("<select") or values.get(node):
            continue
        if 'type="password"' in tag and normalized(names.get(node, "")) in typed_into:
            continue
        empty[node] = names.get(node, "")
    return empty

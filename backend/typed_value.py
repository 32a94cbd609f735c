"""Bind a `type` step's text to the field it goes into, the way a browser's autofill would.

The small model finds the right field far more often than the right text for it: on the held-out
synthetic families the node of a typing step was right 22 times in 28 but the text only 9 — it
types the post's author into the comment box, "LN-19" into Email, the amount into Reference. What
belongs in a field is often readable without the model, as autofill reads it:

- the field is of a data kind (email, phone, web address, IBAN, amount) by its `type` attribute or
  its label, and the objective holds values of that shape: the first one not typed yet is the value;
- or the objective puts the value right after the field's label: "email 'ada@x.io'",
  "with reference Gym fees and …", "the username "kathy" and …".

An earlier empty field that has such a value is filled first: the model likes to jump to the field
it can fill at once (the reference before the amount), a person fills a form top to bottom. The
model's text stands when it is such a value already (with the objective's spelling), or when
nothing on the page or in the objective speaks for another one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from backend.binding import normalized
from backend.constants import ActionKind
from backend.dom import PrunedPage
from backend.format import HistoryItem, Step, done_description
from backend.model.grammar import takes_sentences, takes_text, text_nodes
from backend.submit_guard import FILLER_WORDS, done_text, empty_text_fields


@dataclass(frozen=True)
class DataKind:
    """A kind of value a form field holds: how the field says so, and how the value looks."""

    name: str
    input_types: frozenset[str]
    label_words: frozenset[str]
    pattern: re.Pattern[str]
    min_digits: int = 0


EMAIL = DataKind("email", frozenset({"email"}), frozenset({"email", "mail"}),
                 re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"))
IBAN = DataKind("iban", frozenset(), frozenset({"iban"}),
                re.compile(r"(?<!\w)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?!\w)"))
URL = DataKind("url", frozenset({"url"}), frozenset({"website", "url", "linkedin", "homepage", "link", "site", "portfolio"}),
               re.compile(r"(?<![\w@.])(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[\w./%#?=&-]*)?",
                          re.IGNORECASE))
PHONE = DataKind("phone", frozenset({"tel"}), frozenset({"phone", "mobile", "telephone", "tel", "cell"}),
                 re.compile(r"(?<![\w.+])\+?\d[\d ().-]{5,}\d(?![\w.])"), min_digits=7)
AMOUNT = DataKind("amount", frozenset(), frozenset({"amount", "price", "total", "sum"}),
                  re.compile(r"(?<![\w.,])\d[\d,]*\.\d{2}(?![\w.])"))
#: In the order values are taken out of the objective: an email holds a web address, an IBAN digits.
KINDS: tuple[DataKind, ...] = (EMAIL, IBAN, URL, PHONE, AMOUNT)

_TYPE_ATTR = re.compile(r'\btype="([^"]*)"', re.IGNORECASE)
#: What may stand between a label and its value ("email: x", "name is x", "reference of x").
_LINK = re.compile(r"\s*(?::|=|\bis\b|\bof\b|\bas\b)?\s*", re.IGNORECASE)
_CLOSING = {"'": "'", '"': '"', "‘": "’", "“": "”"}
#: Where an unquoted value after a label ends.
_VALUE_END = re.compile(r"\s*(?:[,;()]|\band\b|\bthen\b|\bwith\b|$)", re.IGNORECASE)
#: Where a value opened by a colon ends: a sentence may hold commas, not a new clause.
_TEXT_END = re.compile(r"\s*(?:,\s*then\b|;|\band\b|$)", re.IGNORECASE)
#: Label words too common to find a field by (they name no particular value).
_FILLER = FILLER_WORDS | {"add", "new", "field", "here", "search"}
_MAX_UNQUOTED_WORDS = 4


def field_kind(opening_tag: str, name: str) -> DataKind | None:
    """The data kind a field asks for, by its `type` attribute first, then its label's words."""
    found = _TYPE_ATTR.search(opening_tag)
    input_type = found.group(1).lower() if found else ""
    words = set(normalized(name).split())
    for kind in KINDS:
        if input_type in kind.input_types:
            return kind
    for kind in KINDS:
        if words & kind.label_words:
            return kind
    return None


def kind_values(objective: str, kind: DataKind) -> list[str]:
    """The objective's values of `kind`, in order; the shapes taken out before it are skipped
    (the web address inside an email, the digits inside an IBAN)."""
    rest = objective
    for other in KINDS:
        if other is kind:
            break
        rest = other.pattern.sub(" ", rest)
    values = [m.group(0).strip() for m in kind.pattern.finditer(rest)]
    return [v for v in values if sum(c.isdigit() for c in v) >= kind.min_digits]


def labelled_value(objective: str, name: str, *, free_text: bool = False) -> str | None:
    """The value the objective puts right after a word of the field's label, or None: a quoted
    one ("password 'x'"); after a colon, the text up to the next clause ("message: Hi, see the file
    attached. and …"); a few unquoted words "is"/"of" opens ("name is Ada Li"); or a capitalised or
    numeric few that a comma, "and", "then" or "with" closes ("reference Gym fees and …").

    `free_text`: the field takes sentences (a textarea, an editable area), so a capitalised value
    runs to the end of its clause as after a colon: "with the comment Following up on the call,
    here is the summary., then press Share" comments the whole sentence, commas and all."""
    for word in normalized(name).split():
        if len(word) < 3 or word in _FILLER:
            continue
        for hit in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", objective, re.IGNORECASE):
            link = _LINK.match(objective, hit.end())  # every part optional: it always matches
            joiner = link.group(0).strip() if link else ""
            rest = objective[link.end():] if link else ""
            if rest[:1] in _CLOSING:
                quoted = rest[1:].split(_CLOSING[rest[0]], 1)
                if len(quoted) == 2 and quoted[0].strip():
                    return quoted[0]
                continue
            sentence = joiner in (":", "=") or (free_text and rest[:1].isupper())
            end = (_TEXT_END if sentence else _VALUE_END).search(rest)
            value = rest[:end.start()].strip() if end else ""
            if sentence and value:
                return value  # "message: Hi, see the file attached." — a sentence may follow a colon
            # Unlinked, only a delimited name-like value: "reference Gym fees and …", not
            # "a comment about our roadmap and …".
            closed = bool(end and end.group(0).strip()) and (value[:1].isupper() or value[:1].isdigit())
            if value and len(value.split()) <= _MAX_UNQUOTED_WORDS and (joiner or closed):
                return value
    return None


def field_value(objective: str, name: str, opening_tag: str, done: str, typed: str = "") -> str | None:
    """The value the objective gives the field `name` (`opening_tag`), or None: by its data kind
    first (`done`: the normalized history and live values; a value there went into another
    field), then by its label (that value is this field's, even if another got it too: "the
    password 'x' into both fields"). `typed`: the model's normalized text, kept when it is one."""
    kind = field_kind(opening_tag, name)
    if kind is not None:
        options = [v for v in kind_values(objective, kind) if f" {normalized(v)} " not in done]
        if options:
            return next((v for v in options if normalized(v) == typed), options[0])
    return labelled_value(objective, name, free_text=takes_sentences(opening_tag))


def bound_text(step: Step, *, objective: str, page: PrunedPage, history: Sequence[HistoryItem]) -> Step:
    """`step` typing what the page and the objective say it should, where they say it: the first
    empty field (in page order) the objective gives a value for comes before any later one, as a
    person fills a form top to bottom. A click into an empty text field the objective gives a value
    for means typing it there (the model writes "Click 'Full name'" as the first step of a form);
    anything else but typing into a text field is unchanged."""
    tag = page.targets.get(step.node or "", "")
    name = page.names.get(step.node or "", "")
    done = done_text(history, page.values.values())
    if step.action is ActionKind.CLICK and takes_text(tag) and not page.values.get(step.node or ""):
        value = field_value(objective, name, tag, done)
        said = done_description(ActionKind.TYPE, value, name) if value else None
        return replace(step, action=ActionKind.TYPE, text=value, description=said) if said else step
    if step.action is not ActionKind.TYPE or tag.lower().startswith("<select"):
        return step
    typed = normalized(step.text or "")
    for node in empty_text_fields(page.targets, page.names, page.values, text_nodes(page.targets), history):
        if node == step.node:
            break
        earlier = field_value(objective, page.names.get(node, ""), page.targets[node], done)
        if earlier:
            said = done_description(ActionKind.TYPE, earlier, page.names.get(node, ""))
            return replace(step, node=node, target=page.targets[node], text=earlier, description=said or step.description)
    value = field_value(objective, name, tag, done, typed)
    if not value:
        return step
    if field_kind(tag, name) is None and normalized(value) != typed and f" {normalized(value)} " in f" {typed} ":
        return step  # the model's text holds the labelled value and goes on ("message: …")
    return _with_text(step, value)


def _with_text(step: Step, text: str) -> Step:
    """`step` typing `text`; its description follows when it quoted the old text."""
    old = step.text or ""
    description = step.description.replace(old, text, 1) if old and old in step.description else step.description
    return replace(step, text=text, description=description)

"""Bind a written step to the element it names: which candidates may the `Node:` line point at.

A small model writes "Click 'Sports'" easily (it copies the objective) but often puts the wrong
number after `Node:`: choosing the id that belongs to 'Sports' among dozens is the hard part for
135M parameters. SeeAct grounds a written action by the elements' attributes; we do the same with
the pruner's accessible names. When the description names an element that some candidates are
called exactly (or nearly), the node is chosen among those only, by the model's own probabilities;
when it names nothing recognisable, the model chooses among all candidates as before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from backend.constants import ActionKind
from backend.format import Step

#: Text in quotes: 'x', "x", ‘x’, “x”. An apostrophe inside a word ("don't") is not a quote.
_QUOTED = re.compile(r"(?<!\w)'(.+?)'(?!\w)|\"(.+?)\"|‘(.+?)’|“(.+?)”")
_NON_WORD = re.compile(r"[^\w]+")

#: Match strengths; only EXACT and WORDS narrow the choice (a shared word or two is no binding).
EXACT, WORDS, NONE = 2, 1, 0


def normalized(text: str) -> str:
    """Case, punctuation and spacing folded away: "Sign in →" and "sign in" are one name."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def named_phrases(description: str, typed: str | None = None) -> list[str]:
    """The element names a description quotes, without the text to be typed or key pressed."""
    skip = normalized(typed) if typed else None
    phrases = []
    for groups in _QUOTED.findall(description):
        phrase = normalized(next(g for g in groups if g))
        if phrase and phrase != skip:
            phrases.append(phrase)
    return phrases


def without_quotes(text: str) -> str:
    """`text` with every quoted phrase (as `named_phrases` reads them) blanked out."""
    return _QUOTED.sub(" ", text)


def unquoted_names(description: str, typed: str | None, names: Mapping[str, str], allowed: Sequence[str]) -> list[str]:
    """The candidates' names a description without quotes spells out ("Click on Tab #3" names
    'Tab #3'): the longest names found in it as whole words, so 'Tab #3' wins over a 'Tab' and
    'Save changes' over 'Save'. Names shorter than 3 characters and the typed text never count."""
    text = f" {normalized(description)} "
    skip = normalized(typed) if typed else None
    found = {name for name in (normalized(names.get(node, "")) for node in allowed)
             if len(name) >= 3 and name != skip and f" {name} " in text}
    longest = max(map(len, found), default=0)
    return [name for name in found if len(name) == longest]


def match(phrase: str, name: str) -> int:
    """How strongly a normalized `name` answers to a normalized `phrase`."""
    if not name:
        return NONE
    if name == phrase:
        return EXACT
    shorter, longer = sorted((phrase, name), key=len)
    if len(shorter) >= 3 and f" {shorter} " in f" {longer} ":
        return WORDS
    return NONE


def bound_nodes(description: str, typed: str | None, names: Mapping[str, str], allowed: Sequence[str]) -> list[str]:
    """The `allowed` nodes the description names best, or all of `allowed` when it names none.

    The phrases are what it quotes or, when it quotes nothing, the candidates' names it spells out.
    Exact names beat names that contain (or are contained in) the phrase as whole words; order is
    kept, so the model's choice among equals is unchanged.
    """
    phrases = named_phrases(description, typed) or unquoted_names(description, typed, names, allowed)
    if not phrases:
        return list(allowed)
    strength = {node: max(match(p, normalized(names.get(node, ""))) for p in phrases) for node in allowed}
    best = max(strength.values(), default=NONE)
    if best == NONE:
        return list(allowed)
    return [node for node in allowed if strength[node] == best]


def as_choice(step: Step, options: Mapping[str, Sequence[str]]) -> Step:
    """A click on a native `<select>` that quotes one of its options, as choosing that option.

    Clicking a native select cannot pick anything: its options open in a popup the browser draws
    outside the page, which synthetic events never reach. The model writes "Click 'Kathy'" on the
    list that holds Kathy; what it means — and what the extension can do — is choosing Kathy there
    (a `type` step on a select, which the extension performs by option text).
    """
    choices = options.get(step.node or "")
    if step.action is not ActionKind.CLICK or not choices:
        return step
    by_name = {normalized(o): o for o in choices}
    for phrase in named_phrases(step.description):
        if phrase in by_name:
            return replace(step, action=ActionKind.TYPE, text=by_name[phrase])
    return step

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

    Exact names beat names that contain (or are contained in) the phrase as whole words; order is
    kept, so the model's choice among equals is unchanged.
    """
    phrases = named_phrases(description, typed)
    if not phrases:
        return list(allowed)
    strength = {node: max(match(p, normalized(names.get(node, ""))) for p in phrases) for node in allowed}
    best = max(strength.values(), default=NONE)
    if best == NONE:
        return list(allowed)
    return [node for node in allowed if strength[node] == best]

"""Bind a written step to the element it names: which candidates may the `Node:` line point at.

A small model writes "Click 'Sports'" easily (it copies the objective) but often puts the wrong
number after `Node:`: choosing the id that belongs to 'Sports' among dozens is the hard part for
135M parameters. SeeAct grounds a written action by the elements' attributes; we do the same with
the pruner's accessible names. When the description names an element that some candidates are
called exactly (or nearly), the node is chosen among those only, by the model's own probabilities;
when it names nothing recognisable, the model chooses among all candidates as before.

When it quotes a name no candidate has (`names_missing`: a button of the next screen, the
objective itself), the pipeline asks again with only the page's names to quote, narrowed to what
the objective asks for first (`objective_named`): the model's knowledge of the page is in its
probabilities over names it can see, not in the name it made up.
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


def names_missing(description: str, typed: str | None, names: Mapping[str, str], allowed: Sequence[str]) -> bool:
    """True when the description quotes an element and none of the `allowed` candidates answers
    to any phrase it quotes: the model wrote about something this page does not have (a button
    of the next screen, the objective itself). A description that quotes nothing is not missing
    anything — it may describe an unnamed icon."""
    phrases = named_phrases(description, typed)
    return bool(phrases) and all(match(p, normalized(names.get(node, ""))) == NONE
                                 for p in phrases for node in allowed)


#: Share of a name's words the objective must use for the name to count as one it speaks of.
MENTIONED_SHARE = 2 / 3


def objective_named(names: Mapping[str, str], objective: str, done: str) -> dict[str, int]:
    """The candidates whose names the objective speaks of most and the history (`done`: its
    normalized text, space-padded) has not acted on yet, each with where the objective first
    speaks of it (a word index); {} when it speaks of none.

    A name counts by the share of its words the objective uses, a word also matching its
    abbreviation or extension of at least 3 letters ("Nov" and "November"): objectives say
    "on Nov 18, 5:30 PM" where the page's buttons read "18 November 2026" and "5:30 PM". A name
    counts when the objective uses every word of it but numbers (a year on a date, a count on a
    tab) and at least `MENTIONED_SHARE` of all: the objective that books "at Ember Labs" does not
    speak of its logo, "Ember Labs home". Of two names that share a word the one with the higher
    share wins: "2:30 PM" loses to "5:30 PM", a date of the same month to the day asked for.
    """
    said = _words(objective)
    words: dict[str, set[str]] = {}
    share: dict[str, float] = {}
    where: dict[str, int] = {}
    for node, name in names.items():
        spelled = _words(name)
        if not spelled or f" {normalized(name)} " in done:
            continue
        at = [min((i for i, o in enumerate(said) if _same_word(w, o)), default=-1) for w in spelled]
        used = sum(i >= 0 for i in at) / len(spelled)
        if used >= MENTIONED_SHARE and all(i >= 0 for w, i in zip(spelled, at) if not w.isdigit()):
            words[node], share[node], where[node] = set(spelled), used, min(i for i in at if i >= 0)
    return {node: where[node] for node in share
            if not any(share[other] > share[node] and words[other] & words[node] for other in share)}


#: A word as `objective_named` compares them: times, amounts and addresses stay whole ("5:30", "62.40").
_WORD = re.compile(r"\w+(?:[:.'’@]\w+)*")


def _words(text: str) -> list[str]:
    """The words of `text`, case folded, a time or an amount one word: the "30" of a "5:30 PM"
    the objective asks for is not the day "30" of a calendar."""
    return _WORD.findall(text.casefold())


def _same_word(word: str, said: str) -> bool:
    """One word of a name answers to one word of the objective: equal, or one abbreviates the
    other by at least 3 letters."""
    if word == said:
        return True
    shorter, longer = sorted((word, said), key=len)
    return len(shorter) >= 3 and longer.startswith(shorter)


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

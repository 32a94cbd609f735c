"""Lexical overlap between an element and what the person is doing (objective + previous steps).

Used only when the interactive elements alone overflow the budget: the elements that share words
with the objective survive. Deliberately simple (no model): it runs on every page in the request
path, and "Search flights" → the element named "Search" is the case it must get right.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from backend.format import HistoryItem

_WORD = re.compile(r"[^\W_]{2,}")
#: Words that appear in every objective and would match everything.
_STOPWORDS = frozenset(
    "the and for with from into onto that this then than your you our are was were will can "
    "click type press enter select choose open go to on in of at by an or a is it be as".split()
)
_STEM = 5  # compare word prefixes, so "search" matches "searching" and "searches"
_HISTORY_WEIGHT = 0.5  # previous steps hint at the area of the page, the objective at the goal


def words(text: str) -> set[str]:
    """Lower-cased word stems of `text`, without stop words."""
    return {w[:_STEM] for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


def _history_text(item: HistoryItem) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        return " ".join(str(item.get(k) or "") for k in ("description", "text", "target"))
    return " ".join(str(v or "") for v in (item.description, item.text, item.target))


def query_weights(objective: str | None, history: Iterable[HistoryItem] | None) -> dict[str, float]:
    """Stem -> weight for everything the person told us; objective words outweigh history words."""
    weights: dict[str, float] = {}
    for item in history or ():
        for w in words(_history_text(item)):
            weights[w] = _HISTORY_WEIGHT
    for w in words(objective or ""):
        weights[w] = 1.0
    return weights


def score(description: str, weights: Mapping[str, float]) -> float:
    """How much of the query an element's text (name, attributes) covers."""
    if not weights:
        return 0.0
    return sum(weights.get(w, 0.0) for w in words(description))


def scorer(weights: Mapping[str, float]) -> Callable[[str], float]:
    """`score` against fixed weights, for many descriptions (every candidate of a page).

    Most candidates share no word with the query; one search for the query's stems anywhere in
    the text recognises them, so only the others are split into words. Exact: a word that scores
    contains one of the stems. (Searching only at word starts would need a look-behind at every
    position, which makes the search ~30% slower than the words it saves.)
    """
    if not weights:
        return lambda _text: 0.0
    stems = re.compile("|".join(sorted(map(re.escape, weights))))

    def score_of(description: str) -> float:
        text = description.lower()
        return score(text, weights) if stems.search(text) else 0.0

    return score_of

"""The page budget, chosen per page: small when the objective names an element of the page.

Every prompt token costs prefill time (~2 ms each on a 2-core laptop), and the pruner's relevance
ranking keeps the elements that share words with the objective first. When the objective names
a candidate outright ("Click 'Entire Work'", "sign in as ada@…" → "Sign in"), that candidate and
its lexical neighbours survive a small budget, and the small page is also easier for a small
model to choose from. When it names nothing on the page ("create an invoice for ACME" → "New"),
lexical ranking cannot tell the target from the rest, and the page is served at the full budget.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend.dom.page import PrunedPage, prune
from backend.dom.relevance import words
from backend.format import HistoryItem
from backend.model.tokens import TokenCounter

#: Page budget when the objective names a candidate; chosen from the accuracy-vs-budget curve in
#: docs/eval/budget (the served model is as accurate at 500 tokens as at 2000 on such pages).
SMALL_BUDGET = 500


def names_a_candidate(page: PrunedPage, objective: str) -> bool:
    """True when every word of some kept candidate's name occurs in the objective."""
    asked = words(objective)
    if not asked:
        return False
    for name in page.names.values():
        own = words(name)
        if own and own <= asked:
            return True
    return False


def prune_adaptive(html: str | bytes, *, objective: str, history: Sequence[HistoryItem] = (), budget: int,
                   small_budget: int = SMALL_BUDGET, counter: TokenCounter | None = None) -> PrunedPage:
    """The page at `small_budget` when everything fits there or the objective names one of the
    candidates kept there, else at `budget`. `small_budget` 0 (or not below `budget`): always `budget`.

    Pruning costs milliseconds and each page token ~2 ms of prefill, so the second prune of a page
    that needs the full budget is cheap next to the tokens the first one saves on the others.
    """
    if 0 < small_budget and (budget == 0 or small_budget < budget):
        small = prune(html, budget=small_budget, objective=objective, history=history, counter=counter)
        if small.dropped == 0 or names_a_candidate(small, objective):
            return small
    return prune(html, budget=budget, objective=objective, history=history, counter=counter)

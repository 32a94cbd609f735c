"""HTML pruning: a raw page in, the compact page the model reads out (ScribeAgent's recipe + a budget).

Public, stable API (serving, training and benchmarks call it in-process):

    from backend.dom import prune, PrunedPage, DEFAULT_BUDGET
    page = prune(html, budget=None, objective=None, history=None, keep=(), counter=None)
    page.html, page.candidates, page.tokens, page.dropped, page.targets, page.names

Every element of `page.html` carries `node="<id>"`: ids the caller wrote are kept (the extension's
serializer numbers rendered elements), others are assigned in document order, so the same HTML
always gets the same ids. The rules (what is dropped, unwrapped, kept, what counts as
interactive) are tables in `rules.py`; the passes are in `clean.py`; fitting to the token budget
is `budget.py`. Visible interactive elements are never removed by the rules; only the budget may
leave some out, and then `page.dropped` says how many.
"""

from backend.dom.page import DEFAULT_BUDGET, PrunedPage, prune

__all__ = ["DEFAULT_BUDGET", "PrunedPage", "prune"]

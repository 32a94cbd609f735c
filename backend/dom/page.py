"""`prune()`: the one entry point from raw page to what the model reads (see `backend.dom`)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from lxml import etree

from backend.dom.budget import candidates_overflow, fit, select
from backend.dom.clean import prune_candidates, prune_structure, scan, text_of, visible_text
from backend.dom.labels import control_labels
from backend.dom.parse import parse
from backend.dom.relevance import query_weights
from backend.dom.render import opening_tags, serialize
from backend.format import HistoryItem
from backend.model.tokens import TokenCounter, default_counter

#: Tokens of the served model's tokenizer a pruned page may take by default: leaves room in a 4K
#: context for the objective, history and answer, and prefills in well under a second on a CPU.
DEFAULT_BUDGET = 2000


@dataclass(frozen=True)
class PrunedPage:
    """A page as the model sees it.

    `candidates` are the node ids of the interactive elements kept (document order); `targets`
    and `names` describe each of them (opening tag exactly as printed in `html`, short name);
    `dropped` counts interactive elements the budget left out; `tokens` is exact. `options` lists
    the option texts of each kept native `<select>` (what choosing in it can pick), `values` the
    live text of each kept input, textarea and editable element ('' when nothing is typed there).
    """

    html: str
    candidates: list[str] = field(default_factory=list)
    tokens: int = 0
    dropped: int = 0
    targets: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def prune(
    html: str | bytes,
    *,
    budget: int | None = None,
    objective: str | None = None,
    history: Sequence[HistoryItem] | None = None,
    keep: Collection[str] = (),
    counter: TokenCounter | None = None,
) -> PrunedPage:
    """Prune `html` for the model; see the package docstring for the rules and the budget.

    budget None -> DEFAULT_BUDGET; 0 -> no budget. `keep`: node ids that survive any budget.
    Raises PageError only for input that is not a page at all (wrong type, refused by libxml2).
    """
    if budget is None:
        budget = DEFAULT_BUDGET
    if budget < 0:
        raise ValueError(f"budget must be >= 0 (0 = no budget), got {budget}")
    with _collector_paused():
        return _prune(html, budget, objective, history, keep, counter)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a page is pruned.

    Pruning makes tens of thousands of short-lived lxml proxies and strings, none in a reference
    cycle; counting them towards collections ran the collector ~60 times per pass over the saved
    pages, ~6% of the time, for nothing. Whoever turned it off first turns it back on, so
    concurrent prunes and a program that disabled it itself are left as they were.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _prune(
    html: str | bytes,
    budget: int,
    objective: str | None,
    history: Sequence[HistoryItem] | None,
    keep: Collection[str],
    counter: TokenCounter | None,
) -> PrunedPage:
    root = parse(html)
    if root is None:
        return PrunedPage(html="")
    counter = counter or default_counter()
    keep_ids = {str(k) for k in keep}
    found = scan(root, keep_ids)
    labels = control_labels(root, found.candidates)  # before any pass cuts or removes a <label>
    choices = {el: [visible_text(o) for o in el.iter("option")] for el in found.candidates if el.tag == "select"}
    typed = {el: value for el in found.candidates if (value := _live_value(el)) is not None}
    named: dict[etree._Element, str] = {}  # names read before the budget steps cut the texts
    printed: dict[etree._Element, str] = {}  # opening tags, when the flat print made them
    weights = query_weights(objective, history)
    if not budget:
        kept = prune_structure(found)
        text = serialize(root)
        tokens, dropped = counter.count(text), 0
    else:
        if candidates_overflow(found, budget):
            # Most real pages: the candidates alone overflow, so only they are printed and the
            # structure around them is never pruned (see budget.select).
            prune_candidates(found)
            fitted = select(found, budget=budget, counter=counter, keep=keep_ids, weights=weights)
        else:
            prune_structure(found)
            named = {el: text_of(el, None, found.visible(el), label=labels.get(el)) for el in found.candidates}
            fitted = fit(found, budget=budget, counter=counter, keep=keep_ids, weights=weights)
        text, tokens, kept, dropped = fitted.html, fitted.tokens, fitted.candidates, fitted.dropped
        printed = fitted.targets
    names = {
        found.id_of(el): named[el] if el in named else text_of(el, found.attrs(el), found.visible(el), label=labels.get(el))
        for el in kept
    }
    ids = list(names)  # a buggy serializer may repeat ids: one entry each
    options = {found.id_of(el): [o for o in choices[el] if o] for el in kept if el in choices}
    values = {found.id_of(el): typed[el] for el in kept if el in typed}
    if printed:
        targets: dict[str, str] = {}
        for el in kept:
            targets.setdefault(found.id_of(el), printed[el])
    else:
        targets = opening_tags(text, ids)
    return PrunedPage(
        html=text,
        candidates=ids,
        tokens=tokens,
        dropped=dropped,
        targets=targets,
        names=names,
        options=options,
        values=values,
    )


def _live_value(el: etree._Element) -> str | None:
    """The text typed into `el` as the extension serializes it (an input's `value`, a textarea's or
    an editable element's text), or None for an element that holds no typed text."""
    if el.tag == "input":
        return el.get("value", "")
    if el.tag == "textarea" or el.get("contenteditable", "false").lower() in ("", "true", "plaintext-only"):
        return visible_text(el)
    return None

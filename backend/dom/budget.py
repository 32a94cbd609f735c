"""Fit a pruned page into a token budget, giving up the least useful text first.

Order of sacrifice (each step only when the previous one did not fit):
  1-2. shorten long texts and attribute values;
  3.   collapse static (non-interactive) subtrees to a short text;
  4.   drop static subtrees except headings;
  5.   drop all static content and the layout around the interactive elements, and
       keep only the interactive elements most related to the objective and previous steps
       (plus `keep`) that fit, and report how many were left out.
When the interactive elements alone are estimated to overflow, steps 1-4 are skipped. A text is
only counted when it could possibly fit (MAX_CHARS_PER_TOKEN); the count that decides is always
exact, so the budget is met unless `keep` alone exceeds it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from lxml import etree

from backend.dom import rules
from backend.dom.attrs import cut, cut_value
from backend.dom.clean import NODE, remove, text_of
from backend.dom.relevance import score
from backend.dom.render import serialize
from backend.tokens import TokenCounter

#: No page of pruned HTML averages more characters per token than this (SmolLM2's tokenizer does
#: ~2.6-3.5 on pruned pages; digits are single tokens). Longer texts are over budget uncounted.
MAX_CHARS_PER_TOKEN = 6.0
#: Typical characters per token of flattened candidates (tags, node ids, short names): an estimate
#: that only decides whether to skip straight to choosing candidates, never whether a page fits.
FLAT_CHARS_PER_TOKEN = 2.6
#: Text and attribute lengths of a flattened candidate: enough to name it ("Sign in", "/cart").
FLAT_TEXT = 16
FLAT_ATTR = 24


@dataclass
class Fitted:
    """The outcome of fitting: the text, its exact token count, and the candidates kept."""

    html: str
    tokens: int
    candidates: list[etree._Element]
    dropped: int


def _shorten(root: etree._Element, text_limit: int, attr_limit: int, *, drop_words: bool = False) -> None:
    """Cut every text and attribute value to the limits; optionally drop id/class too.

    XPath picks only the long strings inside libxml2, so short ones cost nothing.
    """
    if drop_words:
        etree.strip_attributes(root, "id", "class")
    for text in root.xpath(f"//text()[string-length() > {int(text_limit)}]"):
        parent = text.getparent()
        if text.is_tail:
            parent.tail = cut(text, text_limit)
        else:
            parent.text = cut(text, text_limit)
    for value in root.xpath(f"//@*[string-length() > {int(attr_limit)}]"):
        if value.attrname != NODE:
            value.getparent().set(value.attrname, cut_value(value.attrname, value, attr_limit))


def _live(candidates: Sequence[etree._Element]) -> set[etree._Element]:
    """Candidates and all their ancestors: the elements that lead to something actionable."""
    live: set[etree._Element] = set()
    for el in candidates:
        node: etree._Element | None = el
        while node is not None and node not in live:
            live.add(node)
            node = node.getparent()
    return live


def _static_roots(root: etree._Element, live: set[etree._Element]) -> list[etree._Element]:
    """Maximal subtrees without any candidate: children of live elements that are not live."""
    return [child for el in live for child in el if isinstance(child.tag, str) and child not in live]


def _collapse_static(root: etree._Element, candidates: Sequence[etree._Element], limit: int) -> None:
    """Each static subtree becomes its own element holding a short text (structure removed)."""
    for el in _static_roots(root, _live(candidates)):
        text = cut("".join(el.itertext()), limit)
        for child in list(el):
            el.remove(child)
        el.text = text


def _drop_static(root: etree._Element, candidates: Sequence[etree._Element], limit: int) -> None:
    """Remove static subtrees, except headings, which orient the model for a few tokens."""
    for el in _static_roots(root, _live(candidates)):
        if el.tag in rules.HEADING_TAGS:
            text = cut("".join(el.itertext()), limit)
            for child in list(el):
                el.remove(child)
            el.text = text
        else:
            remove(el, " ")


def _description(el: etree._Element) -> str:
    """What relevance is scored on: the element's name and its word-bearing attributes."""
    parts = [text_of(el)]
    parts.extend(v for k, v in el.attrib.items() if k != NODE)
    return " ".join(parts)


class _Counter:
    """Exact counts when a text could fit, an over-budget verdict (no tokenizing) otherwise."""

    def __init__(self, counter: TokenCounter, budget: int) -> None:
        self.counter = counter
        self.budget = budget

    def fits(self, html: str) -> tuple[bool, int | None]:
        if len(html) > self.budget * MAX_CHARS_PER_TOKEN:
            return False, None
        n = self.counter.count(html)
        return n <= self.budget, n


def _cost(el: etree._Element) -> float:
    """Roughly what a candidate costs once flattened (tag, attributes, 16 chars of text)."""
    chars = 2 * len(el.tag) + 5 + min(len(el.text or ""), FLAT_TEXT)
    for name, value in el.items():
        chars += len(name) + min(len(value), FLAT_ATTR) + 4
    return chars / FLAT_CHARS_PER_TOKEN


def fit(
    root: etree._Element,
    candidates: list[etree._Element],
    *,
    budget: int,
    counter: TokenCounter,
    keep: Collection[str] = (),
    weights: dict[str, float] | None = None,
) -> Fitted:
    """Shrink `root` in place until its text fits `budget` tokens (see module docstring)."""
    check = _Counter(counter, budget)
    costs = [_cost(el) for el in candidates]
    if sum(costs) > budget:  # the interactive elements alone overflow: gentler steps are moot
        return _select(root, candidates, costs, check, keep, weights or {})
    # Text plus a minimal `<x node="1"></x>` per element: a lower bound on the printed length,
    # computed inside libxml2, so big pages skip printing a page that cannot fit.
    least = root.xpath("string-length(normalize-space(.)) + 14 * count(//*)")
    if least <= budget * MAX_CHARS_PER_TOKEN:
        html = serialize(root)
        ok, n = check.fits(html)
        if ok:
            assert n is not None
            return Fitted(html, n, candidates, 0)
    steps: tuple[Callable[[], None], ...] = (
        lambda: _shorten(root, 120, 60),
        lambda: _shorten(root, 48, 40),
        lambda: _collapse_static(root, candidates, 32) or _shorten(root, 32, 32, drop_words=True),
        lambda: _drop_static(root, candidates, 24) or _shorten(root, 24, 24),
    )
    for step in steps:
        step()
        html = serialize(root)
        ok, n = check.fits(html)
        if ok:
            assert n is not None
            return Fitted(html, n, candidates, 0)
    return _select(root, candidates, costs, check, keep, weights or {})


def _select(
    root: etree._Element,
    candidates: list[etree._Element],
    costs: list[float],
    check: _Counter,
    keep: Collection[str],
    weights: dict[str, float],
) -> Fitted:
    """Only candidates remain, flattened; the most relevant ones (and `keep`) that fit stay."""
    keep_set = set(keep)
    if weights:
        relevance = [-score(_description(el), weights) for el in candidates]
    else:
        relevance = [0.0] * len(candidates)
    order = sorted(
        range(len(candidates)),
        key=lambda i: (candidates[i].get(NODE) not in keep_set, relevance[i], i),
    )
    must = sum(1 for el in candidates if el.get(NODE) in keep_set)
    budget = check.budget
    chosen = 0
    spent = 0.0
    for i in order:
        spent += costs[i]
        if spent > budget and chosen >= must:
            break
        chosen += 1
    while True:
        kept = {candidates[i] for i in order[:chosen]}
        html = _render_flat(root, candidates, kept)
        ok, n = check.fits(html)
        if ok or chosen <= must:
            break
        over = (n / budget) if n else (len(html) / (budget * MAX_CHARS_PER_TOKEN))
        chosen = max(must, min(chosen - 1, int(chosen / over) - 1))
    if n is None:
        n = check.counter.count(html)
    kept_list = [el for el in candidates if el in kept]
    return Fitted(html, n, kept_list, len(candidates) - len(kept_list))


def _render_flat(root: etree._Element, candidates: list[etree._Element], kept: set[etree._Element]) -> str:
    """The page as its kept candidates only, in document order (the tree itself is not changed).

    A kept candidate nested in another kept one (an <input> inside a <label>) stays nested; all
    other content is reduced to a short text and attribute values are cut.
    """
    work = etree.Element(root.tag, {NODE: root.get(NODE, "")})
    copies: dict[etree._Element, etree._Element] = {}
    for el in candidates:
        if el not in kept:
            continue
        holder = work
        for anc in el.iterancestors():
            if anc in copies:
                holder = copies[anc]
                break
        attrs = {k: (v if k == NODE else cut_value(k, v, FLAT_ATTR)) for k, v in el.items()}
        copy = etree.SubElement(holder, el.tag, attrs)
        copy.text = cut("".join(el.itertext()), FLAT_TEXT) if len(el) else cut(el.text or "", FLAT_TEXT)
        copy.tail = " "
        copies[el] = copy
    return serialize(work)

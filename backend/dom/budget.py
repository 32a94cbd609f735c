"""Fit a pruned page into a token budget, giving up the least useful text first.

Order of sacrifice (each step only when the previous one did not fit):
  1-2. shorten long texts and attribute values;
  3.   collapse static (non-interactive) subtrees to a short text;
  4.   drop static subtrees except headings;
  5.   drop all static content and the layout around the interactive elements;
  6.   keep only the interactive elements most related to the objective and previous steps
       (plus `keep`), and report how many were left out.
Exact counts cost ~1 µs per character in llama.cpp's tokenizer, so a step is only counted when
its text could possibly fit; otherwise the next step runs straight away.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from copy import deepcopy
from dataclasses import dataclass

from lxml import etree

from backend.dom import rules
from backend.dom.attrs import cut
from backend.dom.clean import NODE, remove, text_of, unwrap
from backend.dom.relevance import score
from backend.dom.render import serialize
from backend.tokens import TokenCounter

#: No page of pruned HTML averages more characters per token than this (SmolLM2's tokenizer does
#: ~2.6-3.5 on pruned pages; digits are single tokens). Longer texts are over budget uncounted.
MAX_CHARS_PER_TOKEN = 6.0


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
            value.getparent().set(value.attrname, cut(value, attr_limit))


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


def _flatten(root: etree._Element, candidates: Sequence[etree._Element], limit: int) -> None:
    """Only the candidates remain: static content removed, layout ancestors unwrapped.

    Inside a candidate, nested content is reduced to its text (a long <select> keeps the start of
    its options as text), except nested candidates, which stay elements.
    """
    wanted = set(candidates)
    live = _live(candidates)
    for el in _static_roots(root, live):
        remove(el, " ")
    for el in list(root.iter(etree.Element)):
        if el is not root and el not in wanted:
            unwrap(el, " ")
    for el in root.iter(etree.Element):
        if el.text and len(el.text) > limit:
            el.text = cut(el.text, limit)
        if el.tail:
            el.tail = " " if el.getparent() is root else cut(el.tail, limit)
    if root.text:
        root.text = " "


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
    steps: tuple[Callable[[], None], ...] = (
        lambda: _shorten(root, 120, 60),
        lambda: _shorten(root, 48, 40),
        lambda: _collapse_static(root, candidates, 32) or _shorten(root, 32, 32, drop_words=True),
        lambda: _drop_static(root, candidates, 24) or _shorten(root, 24, 24),
        lambda: _flatten(root, candidates, 16) or _shorten(root, 16, 24),
    )
    html = serialize(root)
    ok, n = check.fits(html)
    for step in steps:
        if ok:
            break
        step()
        html = serialize(root)
        ok, n = check.fits(html)
    if ok:
        assert n is not None
        return Fitted(html, n, candidates, 0)
    return _select(root, candidates, html, n, check, keep, weights or {})


def _select(
    root: etree._Element,
    candidates: list[etree._Element],
    html: str,
    n: int | None,
    check: _Counter,
    keep: Collection[str],
    weights: dict[str, float],
) -> Fitted:
    """Keep the most relevant candidates (and `keep`) that fit; the others leave the page."""
    keep_set = set(keep)
    order = sorted(
        range(len(candidates)),
        key=lambda i: (candidates[i].get(NODE) not in keep_set, -score(_description(candidates[i]), weights), i),
    )
    must = sum(1 for el in candidates if el.get(NODE) in keep_set)
    budget = check.budget
    # Characters per token of this page: measured if the flattened page was counted, else typical.
    ratio = len(html) / n if n else 2.8
    costs = [len(etree.tostring(el, encoding="unicode", method="html", with_tail=False)) for el in candidates]
    chosen = 0
    spent = 0.0
    for i in order:
        spent += costs[i] / ratio + 1
        if spent > budget * 0.95 and chosen >= must:
            break
        chosen += 1
    while True:
        kept_ids = set(order[:chosen])
        html = _render_subset(root, candidates, kept_ids)
        ok, n = check.fits(html)
        if ok or chosen <= must:
            break
        over = (n / budget) if n else (len(html) / (budget * ratio))
        chosen = max(must, min(chosen - 1, int(chosen / over) - 1))
    kept = [el for i, el in enumerate(candidates) if i in kept_ids]
    if n is None:
        n = check.counter.count(html)
    return Fitted(html, n, kept, len(candidates) - len(kept))


def _render_subset(root: etree._Element, candidates: list[etree._Element], kept: set[int]) -> str:
    """The flattened page with only the candidates at positions `kept` (the tree is not changed)."""
    work = etree.Element(root.tag, {NODE: root.get(NODE, "")})
    wanted = {candidates[i] for i in kept}
    for el in candidates:
        if el not in wanted:
            continue
        parent = el.getparent()
        while parent is not None and parent not in wanted:
            parent = parent.getparent()
        if parent is not None:  # nested inside a kept candidate: comes along with it
            continue
        copy = deepcopy(el)
        _strip_unwanted(copy, {c.get(NODE) for c in wanted})
        copy.tail = " "
        work.append(copy)
    return serialize(work)


def _strip_unwanted(el: etree._Element, wanted_ids: set[str | None]) -> None:
    """Inside a kept candidate, nested candidates that were not chosen lose their tag.

    After flattening, every element nested in a candidate is itself a candidate.
    """
    for sub in list(el.iter(etree.Element)):
        if sub is not el and sub.get(NODE) not in wanted_ids:
            unwrap(sub, " ")

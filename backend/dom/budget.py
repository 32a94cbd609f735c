"""Fit a pruned page into a token budget, giving up the least useful text first.

Order of sacrifice (each step only when the previous one did not fit):
  1-2. shorten long texts and attribute values;
  3.   collapse static (non-interactive) subtrees to a short text;
  4.   drop static subtrees except headings;
  5.   drop all static content and the layout around the interactive elements, and
       keep only the interactive elements most related to the objective and previous steps
       (plus `keep`) that fit, and report how many were left out.
When the interactive elements alone are estimated to overflow (most real pages), steps 1-4 are
skipped and so is the structural pass before them: `select` prints the candidates of a page that
was only scanned. Steps 1-4 are also skipped when the candidates with the layout around them
(what step 4 keeps) are estimated to overflow. Step 5 prints each candidate as it was before
steps 1-4 cut its text, whichever way it is reached. A text is only counted when it could
possibly fit (MAX_CHARS_PER_TOKEN and the page's own characters per token); the count that
decides is always exact, so the budget is met unless `keep` alone exceeds it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from lxml import etree

from backend.dom import rules
from backend.dom.attrs import cut, cut_value
from backend.dom.clean import NODE_ATTR, Scan, remove, text_of, visible_text
from backend.dom.relevance import scorer
from backend.dom.render import element_html, opening_tag, serialize
from backend.model.tokens import TokenCounter

#: No page of pruned HTML averages more characters per token than this (SmolLM2's tokenizer does
#: ~2.6-3.5 on pruned pages; digits are single tokens). Longer texts are over budget uncounted.
MAX_CHARS_PER_TOKEN = 6.0
#: Typical characters per token of flattened candidates (tags, node ids, short names; the median over
#: the saved real pages): an estimate that decides whether to skip straight to choosing candidates
#: and how many to try first, never whether a page fits (that count is exact).
FLAT_CHARS_PER_TOKEN = 2.35
#: How far over the budget a try, estimated from the page's own characters per token, must be to
#: be judged over without an exact count (see _Counter).
PAGE_RATIO_SLACK = 1.15
#: Fewest tokens an element printed around the candidates costs (`<div node="123"></div>` is 11).
LAYOUT_TOKENS = 10
#: Text and attribute lengths of a flattened candidate: enough to name it ("Sign in", "/cart").
FLAT_TEXT = 16
FLAT_ATTR = 24


@dataclass
class Fitted:
    """The outcome of fitting: the text, its exact token count, and the candidates kept (with
    their opening tags as printed, when the printer knows them without reading the text back)."""

    html: str
    tokens: int
    candidates: list[etree._Element]
    dropped: int
    targets: dict[etree._Element, str] = field(default_factory=dict)


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
        if value.attrname != NODE_ATTR:
            value.getparent().set(value.attrname, cut_value(value.attrname, value, attr_limit))


def _live(root: etree._Element, candidates: Sequence[etree._Element]) -> set[etree._Element]:
    """The root, the candidates and all their ancestors: what leads to something actionable
    (with no candidate at all, everything under the root is static)."""
    live: set[etree._Element] = {root}
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
    for el in _static_roots(root, _live(root, candidates)):
        text = cut(visible_text(el), limit)
        for child in list(el):
            el.remove(child)
        el.text = text


def _drop_static(root: etree._Element, candidates: Sequence[etree._Element], limit: int) -> None:
    """Remove static subtrees, except headings, which orient the model for a few tokens."""
    for el in _static_roots(root, _live(root, candidates)):
        if el.tag in rules.HEADING_TAGS:
            text = cut(visible_text(el), limit)
            for child in list(el):
                el.remove(child)
            el.text = text
        else:
            remove(el, " ")


def _description(scan: Scan, el: etree._Element) -> str:
    """What relevance is scored on: the element's name and its salient attributes' values.

    Read raw, whether or not the element has been made ready (a page with an objective scores
    every candidate, so cleaning them all would cost more than the words it removes); a URL
    counts up to its query string, which is where tracking noise starts. A name that is the
    aria-label adds no word to the attributes, so the text is read only without one.
    """
    parts = [] if el.get("aria-label") else [text_of(el, None, scan.visible(el))]
    for name, value in el.items():
        if name in _DESCRIBING:
            parts.append(value.partition("?")[0] if name in rules.URL_ATTRS else value)
    return " ".join(parts)


_DESCRIBING = rules.SALIENT_ATTRS - {NODE_ATTR}


class _Counter:
    """Exact counts when a text could fit, an over-budget verdict (no tokenizing) otherwise.

    A text longer than MAX_CHARS_PER_TOKEN per token of budget cannot fit. After the first exact
    count the page's own characters per token are known, and a try estimated at more than
    PAGE_RATIO_SLACK times the budget is judged over without counting: the tries only get
    shorter, and cutting text leaves relatively more markup, so the ratio only falls.
    """

    def __init__(self, counter: TokenCounter, budget: int) -> None:
        self.counter = counter
        self.budget = budget
        self.ratio: float | None = None  # characters per token of this page's last exact count

    def fits(self, html: str) -> tuple[bool, int | None]:
        """(fits, tokens): tokens exact when it fits, else exact or an estimate (or None)."""
        if len(html) > self.budget * MAX_CHARS_PER_TOKEN:
            return False, None
        if self.ratio and len(html) / self.ratio > self.budget * PAGE_RATIO_SLACK:
            return False, round(len(html) / self.ratio)
        n = self.counter.count(html)
        if n:
            self.ratio = len(html) / n
        return n <= self.budget, n


def _cost(scan: Scan, el: etree._Element) -> float:
    """Roughly what candidate `el` costs once flattened (tag, attributes, 16 chars of text);
    remembers the estimate for the page's next question."""
    cost = scan.costs.get(el)
    if cost is None:
        chars = 2 * len(el.tag) + 5 + min(len(el.text or ""), FLAT_TEXT)
        for name, value in scan.attrs(el).items():
            chars += len(name) + min(len(value), FLAT_ATTR) + 4
        cost = scan.costs[el] = chars / FLAT_CHARS_PER_TOKEN
    return cost


def candidates_overflow(scan: Scan, budget: int) -> bool:
    """True when the candidates alone, flattened, are estimated to exceed `budget`.

    Stops adding at the first element past the budget, so a page of thousands of links costs a
    few hundred estimates (and cleans only those candidates' attributes).
    """
    spent = 0.0
    for el in scan.candidates:
        spent += _cost(scan, el)
        if spent > budget:
            return True
    return False


def fit(
    scan: Scan,
    *,
    budget: int,
    counter: TokenCounter,
    keep: Collection[str] = (),
    weights: dict[str, float] | None = None,
) -> Fitted:
    """Shrink a fully pruned page (`prune_structure`) in place until it fits `budget` (see module
    docstring). For candidates that `candidates_overflow` already, call `select` directly.
    """
    root, candidates = scan.root, scan.candidates
    check = _Counter(counter, budget)
    # Text plus a minimal `<x node="1"></x>` per element: a lower bound on the printed length,
    # computed inside libxml2, so big pages skip printing a page that cannot fit.
    least = root.xpath("string-length(normalize-space(.)) + 14 * count(//*)")
    if least <= budget * MAX_CHARS_PER_TOKEN:
        html = serialize(root)
        ok, n = check.fits(html)
        if ok:
            assert n is not None
            return Fitted(html, n, candidates, 0)
    if _least_layout(scan) > budget * PAGE_RATIO_SLACK:  # not even step 4 would fit
        return select(scan, budget=budget, counter=counter, keep=keep, weights=weights)
    steps: tuple[Callable[[], None], ...] = (
        lambda: _shorten(root, 120, 60),
        lambda: _shorten(root, 48, 40),
        lambda: _collapse_static(root, candidates, 32) or _shorten(root, 32, 32, drop_words=True),
        lambda: _drop_static(root, candidates, 24) or _shorten(root, 24, 24),
    )
    # The steps cut the candidates' texts and attributes in the tree; if they all fail, the
    # candidates are printed as they were before the first one.
    flat = {el: _flat(scan, el) for el in candidates}
    for step in steps:
        step()
        html = serialize(root)
        ok, n = check.fits(html)
        if ok:
            assert n is not None
            return Fitted(html, n, candidates, 0)
    return select(scan, budget=budget, counter=counter, keep=keep, weights=weights, flat=flat)


def _least_layout(scan: Scan) -> float:
    """Estimated tokens of step 4's page: the candidates (as flattened), plus LAYOUT_TOKENS for
    each element around them and each heading that step keeps.

    On the saved pages this is within 15% of the exact count (PAGE_RATIO_SLACK), so a page
    estimated further over the budget goes straight to `select` instead of trying four
    printings that cannot fit.
    """
    live = _live(scan.root, scan.candidates)
    headings = sum(1 for el in _static_roots(scan.root, live) if el.tag in rules.HEADING_TAGS)
    around = len(live) - len(scan.candidates) - 1  # the root is not printed
    return sum(_cost(scan, el) for el in scan.candidates) + LAYOUT_TOKENS * (around + headings)


def select(
    scan: Scan,
    *,
    budget: int,
    counter: TokenCounter,
    keep: Collection[str] = (),
    weights: dict[str, float] | None = None,
    flat: dict[etree._Element, _Flat] | None = None,
) -> Fitted:
    """Only candidates remain, flattened; the most relevant ones (and `keep`) that fit stay.

    Reads only the candidates (their attributes, text and nesting), never the rest of the tree,
    so it also serves pages whose structure was never pruned (`prune_candidates`); the
    candidates' attributes come from `Scan.attrs`, the tree's are not rewritten.
    """
    candidates = scan.candidates
    check = _Counter(counter, budget)
    keep_set = set(keep)
    first = {i for i, el in enumerate(candidates) if scan.id_of(el) in keep_set} if keep_set else set()
    must = len(first)
    order = list(range(len(candidates)))
    if weights:
        score = scorer(weights)
        relevance = [-score(_description(scan, el)) for el in candidates]
        order.sort(key=lambda i: (i not in first, relevance[i]))  # stable: ties in document order
    elif first:
        order.sort(key=lambda i: i not in first)
    chosen = 0
    spent = 0.0
    for i in order:  # costs only as far as the estimate reaches: a prefix of `order`
        spent += _cost(scan, candidates[i])
        if spent > budget and chosen >= must:
            break
        chosen += 1
    flat = {} if flat is None else flat
    while True:
        kept = sorted(order[:chosen])
        html = _render_flat(scan, kept, flat)
        ok, n = check.fits(html)
        if ok or chosen <= must:
            break
        over = (n / budget) if n else (len(html) / (budget * MAX_CHARS_PER_TOKEN))
        chosen = max(must, min(chosen - 1, int(chosen / over) - 1))
    if not ok:  # `keep` alone overflows: report its exact size
        n = counter.count(html)
    assert n is not None
    kept_list = [candidates[i] for i in kept]
    targets = {el: " ".join(flat[el].opening.split()) for el in kept_list}  # as the page is collapsed
    return Fitted(html, n, kept_list, len(candidates) - len(kept_list), targets)


def _render_flat(scan: Scan, kept: list[int], flat: dict[etree._Element, _Flat]) -> str:
    """The page as the candidates at `kept` (ascending indexes) only; the tree is not changed.

    A kept candidate nested in another kept one (an <input> inside a <label>) stays nested; all
    other content is reduced to a short text and attribute values are cut. Printed element by
    element (`element_html`, what libxml2 would print for the same elements), and `flat`
    memoizes each candidate's printed form and the candidates inside it between the tries of
    `select`.
    """
    candidates = scan.candidates
    forms: list[_Flat] = []
    for i in kept:
        el = candidates[i]
        form = flat.get(el)
        if form is None:
            form = flat[el] = _flat(scan, el)
        forms.append(form)
    by_el = dict(zip((candidates[i] for i in kept), forms))
    holder: dict[etree._Element, etree._Element] = {}
    for el, form in by_el.items():  # document order: a deeper holder comes later and wins
        for inner in form.inner:
            if inner in by_el:
                holder[inner] = el
    nested: dict[etree._Element, list[etree._Element]] = {}
    top: list[etree._Element] = []
    for el in by_el:
        outer = holder.get(el)
        (top if outer is None else nested.setdefault(outer, [])).append(el)
    return " ".join(_printed(top, by_el, nested).split())


def _flat(scan: Scan, el: etree._Element) -> _Flat:
    """Candidate `el` flattened: attributes cut to FLAT_ATTR, its visible text to FLAT_TEXT."""
    attrs = {k: (v if k == NODE_ATTR else cut_value(k, v, FLAT_ATTR)) for k, v in scan.attrs(el).items()}
    text = cut(scan.visible(el), FLAT_TEXT)
    opening = opening_tag(el.tag, attrs)
    return _Flat(el.tag, attrs, text, opening, element_html(el.tag, attrs, text, opening=opening), scan.inner(el))


def _printed(
    els: list[etree._Element], by_el: dict[etree._Element, _Flat], nested: dict[etree._Element, list[etree._Element]]
) -> str:
    """`els` printed one after the other, each with the kept candidates nested in it."""
    parts = []
    for el in els:
        form = by_el[el]
        inner = nested.get(el)
        if inner is None:
            parts.append(form.html)
        else:
            parts.append(element_html(form.tag, form.attrs, form.text, _printed(inner, by_el, nested), form.opening))
        parts.append(" ")
    return "".join(parts)


@dataclass
class _Flat:
    """A candidate as `_render_flat` prints it: alone (`html`), and the parts to print it again
    around nested candidates; `inner` lists the candidates inside it (document order)."""

    tag: str
    attrs: dict[str, str]
    text: str
    opening: str
    html: str
    inner: list[etree._Element]

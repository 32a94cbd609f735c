"""The pruning passes before any budget: which elements are candidates, ids, removals, unwrapping.

Two passes, so that the common case pays for only the first one:

- `scan` (document order; the subtrees it drops are skipped) finds what is dropped with its
  subtree (never-rendered tags, hidden elements), the <svg> icons, and the visible interactive
  candidates, whose attributes are cleaned only once they are printed (`Scan.attrs`). On most real
  pages the candidates alone overflow the token budget, and then the page is printed as its
  candidates only (`budget.select`): the structure around them is never looked at.
- `prune_structure` (children before parents) applies the remaining rules to the whole tree when
  it will be printed: empty elements and wrappers are only *marked* (renamed), and one
  `strip_elements` plus one `strip_tags` inside libxml2 apply all the marks at the end. Content
  and child counts flow upwards through a set and a dict, so a parent's decision already sees its
  children as they will be after the strip (a chain of wrappers collapses in the single pass).

Ids: the caller's numeric `node` ids are kept (the extension's serializer numbers every rendered
element). An element without one gets its index in document order of the original tree, or — on
a page that already has some ids — that index plus one more than the largest id, so ids never
collide. The same HTML therefore always gets the same ids, whatever the budget and whichever
pass prints it.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

from backend.dom import rules
from backend.dom.attrs import clean_attributes, cleaned_attributes, cut, write_attributes

NODE_ATTR = "node"  # the attribute that carries an element's id (format.NODE is the answer's label)
_DROP = "sa-drop"  # temporary tag names carrying the pass's decisions to the strips
_UNWRAP = "sa-unwrap"


@dataclass
class Scan:
    """What `scan` found; the passes after it read this instead of looking at elements again.

    `candidates` are in document order; their attributes are cleaned and ids given by `attrs`
    (written into the tree by `ready`) only for the ones that get printed. `fresh` maps each
    candidate without an id of its own to its document index. `offset` is what ids of elements
    without one are counted from.
    """

    root: etree._Element
    elements: list[etree._Element]
    candidates: list[etree._Element]
    fresh: dict[etree._Element, int]
    dropped: list[etree._Element]
    svgs: list[etree._Element]
    offset: int
    kept_only: set[etree._Element]  # candidates only because of `keep`: no interactive markers
    skipped: list[tuple[int, int]]  # [start, end) index ranges of the subtrees the scan skipped
    cleaned: set[etree._Element] = field(default_factory=set)  # candidates whose `attrs` are in the tree
    attrs_memo: dict[etree._Element, dict[str, str]] = field(default_factory=dict)  # of `_cleaned`
    texts_memo: dict[etree._Element, str] = field(default_factory=dict)  # of `visible`
    settled: set[etree._Element] = field(default_factory=set)  # candidates `_settle` has seen to
    nested: dict[etree._Element, list[etree._Element]] = field(default_factory=dict)  # of `inner`
    stripped: bool = False  # the drops are applied to the whole tree (`prune_structure`)
    costs: dict[etree._Element, float] = field(default_factory=dict)  # budget's estimates, as made

    def attrs(self, el: etree._Element) -> dict[str, str]:
        """Candidate `el`'s attributes as printed: cleaned, with its id. Until `ready` writes them
        into the tree they are only computed (and memoized), so a candidate that is only estimated
        or printed flat costs no lxml writes; after, the tree's are read (the budget may have cut
        them further)."""
        if el in self.cleaned:
            return dict(el.items())
        return self._cleaned(el)

    def ready(self, el: etree._Element) -> None:
        """Writes `attrs(el)` into candidate `el`, for printing the tree (done once per element)."""
        if el not in self.cleaned:
            write_attributes(el, self._cleaned(el))
            self.cleaned.add(el)

    def _cleaned(self, el: etree._Element) -> dict[str, str]:
        attrs = self.attrs_memo.get(el)
        if attrs is None:
            attrs = self.attrs_memo[el] = cleaned_attributes(el.items(), el not in self.kept_only)
            index = self.fresh.get(el)
            if index is not None:
                attrs[NODE_ATTR] = str(self.offset + index)
        return attrs

    def visible(self, el: etree._Element) -> str:
        """`visible_text` of candidate `el`, read once: by the flat print, relevance and names
        alike, and kept from before any budget step cuts the tree, so a candidate printed flat is
        always shown and named by its whole text."""
        text = self.texts_memo.get(el)
        if text is None:
            self._settle(el)
            text = self.texts_memo[el] = visible_text(el)
        return text

    def inner(self, el: etree._Element) -> list[etree._Element]:
        """The candidates inside candidate `el`, in document order."""
        self._settle(el)
        return self.nested.get(el, [])

    def _settle(self, el: etree._Element) -> None:
        """Applies the drops inside candidate `el` (a page printed flat never strips the whole
        tree: only what is inside a candidate can be read) and notes the candidates in it."""
        if el in self.settled:
            return
        self.settled.add(el)
        if not len(el):
            return
        marked = False
        for inside in el.iterdescendants(etree.Element):
            if inside in self.candidate_set:
                self.nested.setdefault(el, []).append(inside)
            elif self.stripped:
                continue
            elif inside in self.drop_set:
                _drop_mark(inside)
                marked = True
            elif inside in self.svg_set:
                _svg_label(inside)
                marked = True
        if marked:
            etree.strip_elements(el, _DROP, with_tail=False)

    @functools.cached_property
    def drop_set(self) -> frozenset[etree._Element]:
        return frozenset(self.dropped)

    @functools.cached_property
    def svg_set(self) -> frozenset[etree._Element]:
        return frozenset(self.svgs)

    @functools.cached_property
    def candidate_set(self) -> frozenset[etree._Element]:
        """`candidates` as a set (for membership tests; built on first use)."""
        return frozenset(self.candidates)

    def id_of(self, el: etree._Element) -> str:
        """The id candidate `el` has or will have once `ready`."""
        index = self.fresh.get(el)
        return el.get(NODE_ATTR, "") if index is None else str(self.offset + index)


def remove(el: etree._Element, sep: str = "") -> None:
    """Remove `el` and its subtree, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = sep + (el.tail or "")
    if tail:
        prev = el.getprevious()
        if prev is None:
            parent.text = (parent.text or "") + tail
        else:
            prev.tail = (prev.tail or "") + tail
    parent.remove(el)


def _hides(el: etree._Element, tag: str, keys: list[str]) -> bool:
    for key in keys:
        rule = rules.HIDDEN_ATTRS.get(key)
        if rule is not None and rule(tag, el.get(key) or ""):
            return True
    return False


#: Tag -> what the scan does with it before reading any attribute: drop it with its subtree, note
#: an icon, or the tag's interactivity rule. Tags not listed (most of them) need their attributes.
_DROPPED = object()
_ICON = object()
_KINDS: dict[str, object] = {**{tag: _DROPPED for tag in rules.DROP_TAGS}, "svg": _ICON, **rules.INTERACTIVE_TAGS}


def scan(root: etree._Element, keep: Collection[str] = ()) -> Scan:
    """One pass in document order: drops, icons and the visible candidates (see module docstring).

    Candidates are the visible interactive elements plus the elements whose id is in `keep`
    (for an element without an id: the id it will get). The subtree of a dropped element or an
    icon is skipped, not looked at: nothing in it is visible.
    """
    keep = frozenset(keep)
    elements = list(root.iter(etree.Element))
    kinds = _KINDS
    is_interactive = rules.is_interactive
    interactive_keys = rules.INTERACTIVE_KEYS
    hidden_keys = rules.HIDDEN_KEYS
    never_hidden = rules.NEVER_HIDDEN_TAGS
    telling_keys = hidden_keys | interactive_keys | {NODE_ATTR}  # without one, only the tag can matter
    candidates: list[etree._Element] = []
    fresh: dict[etree._Element, int] = {}
    dropped: list[etree._Element] = []
    svgs: list[etree._Element] = []
    skipped: list[tuple[int, int]] = []  # [start, end) index ranges of the skipped subtrees
    kept_only: set[etree._Element] = set()  # candidates only because of `keep`
    root_id = root.get(NODE_ATTR)
    top = int(root_id) if root_id is not None and root_id.isdigit() else -1
    resume = 0
    for index, el in enumerate(elements[1:], 1):  # the root is printed without its tags
        if index < resume:
            continue
        tag = el.tag
        kind = kinds.get(tag)
        if kind is _DROPPED:
            dropped.append(el)
            resume = _skip(elements, el, index, skipped)
            continue
        keys = el.keys()
        if not keys:
            if kind is _ICON:
                svgs.append(el)
                resume = _skip(elements, el, index, skipped)
            elif kind is not None and (kind.attr is None or kind.absent):  # type: ignore[attr-defined]
                candidates.append(el)
                fresh[el] = index
            continue
        if kind is None and telling_keys.isdisjoint(keys):  # most elements: nothing to decide
            continue
        if not hidden_keys.isdisjoint(keys) and tag not in never_hidden and _hides(el, tag, keys):
            dropped.append(el)
            resume = _skip(elements, el, index, skipped)
            continue
        node = el.get(NODE_ATTR) if NODE_ATTR in keys else None
        if node is not None and node.isdigit():
            top = max(top, int(node))
        else:
            node = None
        if kind is _ICON:
            svgs.append(el)
            kind = None
            resume = _skip(elements, el, index, skipped)
        if (kind is not None and kind.allows(keys, el.get)) or (  # type: ignore[attr-defined]
            not interactive_keys.isdisjoint(keys) and is_interactive(tag, el.attrib)
        ):
            candidates.append(el)
        elif node is not None and node in keep:
            candidates.append(el)
            kept_only.add(el)
        else:
            continue
        if node is None:
            fresh[el] = index
    offset = 0 if top < 0 else top + 1
    if keep:
        _add_kept(elements, keep, offset, candidates, fresh, kept_only, set(dropped), skipped)
    return Scan(root, elements, candidates, fresh, dropped, svgs, offset, kept_only, skipped)


def _skip(elements: list[etree._Element], el: etree._Element, index: int, skipped: list[tuple[int, int]]) -> int:
    """Where the scan resumes after `el` (at `index`): past its subtree, noted in `skipped`."""
    if not len(el):
        return index + 1
    resume = _after(elements, el, index)
    skipped.append((index + 1, resume))
    return resume


def _after(elements: list[etree._Element], el: etree._Element, index: int) -> int:
    """Index (in `elements`, document order) of the first element after `el`'s subtree."""
    node: etree._Element | None = el
    while node is not None:
        nxt = node.getnext()
        while nxt is not None and not isinstance(nxt.tag, str):  # a comment or PI, if any
            nxt = nxt.getnext()
        if nxt is not None:
            return elements.index(nxt, index + 1)
        node = node.getparent()
    return len(elements)


def _add_kept(
    elements: list[etree._Element],
    keep: frozenset[str],
    offset: int,
    candidates: list[etree._Element],
    fresh: dict[etree._Element, int],
    kept_only: set[etree._Element],
    dropped: set[etree._Element],
    skipped: list[tuple[int, int]],
) -> None:
    """Adds the elements without an id that `keep` names by the id they will get."""
    chosen = set(candidates)
    added = False
    for node in keep:
        index = int(node) - offset if node.isdigit() else -1
        if not 0 < index < len(elements) or any(a <= index < b for a, b in skipped):
            continue
        el = elements[index]
        own = el.get(NODE_ATTR)
        if (own is not None and own.isdigit()) or el in chosen or el in dropped:
            continue
        candidates.append(el)
        fresh[el] = index
        kept_only.add(el)
        chosen.add(el)
        added = True
    if added:
        order = {el: i for i, el in enumerate(elements)}
        candidates.sort(key=order.__getitem__)


def _svg_label(svg: etree._Element) -> None:
    """An <svg> keeps no internals; its <title>, if any, becomes its name (an icon's only label)."""
    if svg.get("aria-label") is None and svg.get("title") is None:
        title = svg.find(".//title")
        if title is not None:
            label = "".join(title.itertext())
            if label.strip():
                svg.set("aria-label", cut(label, rules.MAX_TEXT_ATTR))
    for child in svg:
        child.tag = _DROP
    svg.text = None


def _number(el: etree._Element, index: int, offset: int) -> None:
    el.set(NODE_ATTR, str(offset + index))


def _mark(s: Scan) -> None:
    """Marks the dropped subtrees for the strip (the text after each stays, a space apart) and
    reduces each remaining icon to its name."""
    for el in s.dropped:
        _drop_mark(el)
    for svg in s.svgs:
        _svg_label(svg)


def _drop_mark(el: etree._Element) -> None:
    """Marks `el` for the strip, which removes it with its subtree; the text after it stays, a
    space apart."""
    el.tag = _DROP
    el.tail = " " + (el.tail or "")


def prune_candidates(s: Scan) -> None:
    """Only what printing the candidates alone needs: the root's id (the candidates get theirs
    from `Scan.attrs`, and the drops inside them are applied by `Scan.visible`/`Scan.inner`)."""
    root_id = s.root.get(NODE_ATTR)
    if root_id is None or not root_id.isdigit():
        _number(s.root, 0, s.offset)


def prune_structure(s: Scan) -> list[etree._Element]:
    """Apply every pruning rule to the whole tree in place; returns the candidates kept."""
    for el in s.candidates:
        s.ready(el)
    _mark(s)
    _decide(s)
    etree.strip_elements(s.root, _DROP, with_tail=False)
    etree.strip_tags(s.root, _UNWRAP)
    s.stripped = True
    return s.candidates


def _decide(s: Scan) -> None:
    """The structural pass (see module docstring): marks, ids and attribute cleaning."""
    inline = rules.INLINE_TAGS
    treatment = rules.TAG_TREATMENT
    unwrap_always = rules.Treatment.UNWRAP
    text_attrs = rules.TEXT_ATTRS
    strong_attrs = rules.STRONG_ATTRS
    elements, offset = s.elements, s.offset
    chosen = set(s.candidates)
    content: set[etree._Element] = set()  # elements with something to read or act on inside
    texty: set[etree._Element] = set()  # elements with their own text (incl. from unwrapped kids)
    kids: dict[etree._Element, int] = {}  # element children each will have after the strip
    for index in _unskipped_backwards(len(elements), s.skipped):
        el = elements[index]
        parent = el.getparent()
        tail = el.tail
        if tail and not tail.isspace():
            content.add(parent)  # the text after an element belongs to its parent, whatever
            texty.add(parent)  # becomes of the element itself
        tag = el.tag
        if tag == _DROP:  # dropped with its subtree, or an icon's internals (see _mark)
            continue
        if el in chosen:  # made ready by prune_structure
            content.add(parent)
            kids[parent] = kids.get(parent, 0) + 1
            continue
        keys = el.keys()
        node = el.get(NODE_ATTR) if NODE_ATTR in keys else None
        if node is not None and not node.isdigit():
            node = None
        plain = len(keys) == (node is not None)  # no attributes besides the id
        if tag == "svg":  # its internals are gone; only its own name can make it worth keeping
            content.discard(el)
            texty.discard(el)
            plain = False
        # Attributes are cleaned only on elements that stay: drops and unwraps lose them anyway.
        text = el.text
        own = (bool(text) and not text.isspace()) or el in texty
        if not (
            own
            or el in content
            or (not plain and not text_attrs.isdisjoint(keys) and any(el.get(a) for a in text_attrs))
        ):
            el.tag = _DROP  # nothing to read or act on
            if tag not in inline:
                el.tail = " " + (tail or "")
            continue
        content.add(parent)
        how = treatment.get(tag)
        n = kids.get(el, 0)
        if (
            how is not None
            and (how is unwrap_always or n == 0 or (n == 1 and not own))
            and (plain or strong_attrs.isdisjoint(keys) or not any(k in strong_attrs and el.get(k) for k in keys))
        ):
            el.tag = _UNWRAP
            if tag not in inline:  # a block box never glues the words around it together
                el.text = " " + (text or "")
                el.tail = " " + (tail or "")
            kids[parent] = kids.get(parent, 0) + n
            if own:
                texty.add(parent)
            continue
        if not plain:
            clean_attributes(el, False)
        kids[parent] = kids.get(parent, 0) + 1
        if node is None:
            _number(el, index, offset)
    root = s.root
    if len(root.attrib):
        clean_attributes(root, False)
    root_id = root.get(NODE_ATTR)
    if root_id is None or not root_id.isdigit():
        _number(root, 0, offset)


def _unskipped_backwards(n: int, skipped: list[tuple[int, int]]) -> Iterator[int]:
    """Indexes n-1 … 1 without the subtrees the scan skipped (dropped with their root, or an
    icon's internals): the strip removes them whatever is decided inside."""
    end = n
    for start, stop in reversed(skipped):
        yield from range(end - 1, stop - 1, -1)
        end = start
    yield from range(end - 1, 0, -1)


def visible_text(el: etree._Element) -> str:
    """The words of `el` as they read on screen: a block element never glues words together."""
    inline = rules.INLINE_TAGS
    if not len(el):
        return " ".join((el.text or "").split())
    parts: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if event == "start":
            if node is not el and node.tag not in inline:
                parts.append(" ")
            if node.text:
                parts.append(node.text)
        elif node is not el:
            if node.tag not in inline:
                parts.append(" ")
            if node.tail:
                parts.append(node.tail)
    return " ".join("".join(parts).split())


#: Input types whose `value` is the label on the control.
_VALUE_NAMED = frozenset({"submit", "button", "reset", "image"})


def text_of(
    el: etree._Element,
    attrs: Mapping[str, str] | None = None,
    text: str | None = None,
    limit: int = rules.MAX_TEXT_ATTR,
    label: str | None = None,
) -> str:
    """A short accessible name: aria-label, then the `label` other elements give it (see
    `backend.dom.labels`), then visible text, then title/alt/placeholder/value (from `attrs` and
    `text` when given instead of read from the element)."""
    get = el.get if attrs is None else attrs.get
    label = get("aria-label") or label
    if label:
        return cut(label, limit)
    if text is None:
        text = visible_text(el)
    if text:
        return cut(text, limit)
    # A text field's value is what was typed into it, not its name; a button input's value is.
    typed = el.tag in ("input", "textarea") and (get("type") or "text").lower() not in _VALUE_NAMED
    for name in ("title", "alt", "placeholder", "value", "name"):
        value = get(name)
        if value and not (typed and name == "value"):
            return cut(value, limit)
    for img in el.iter("img", "svg"):
        value = img.get("alt") or img.get("aria-label")
        if value:
            return cut(value, limit)
    return ""

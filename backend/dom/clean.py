"""The structural pruning pass (no budget): ids, removals, attribute cleaning, unwrapping.

One Python pass over the original tree, children before parents, touches each element once:
hidden or never-rendered elements, empty ones and wrappers are only *marked* (renamed), and one
`strip_elements` plus one `strip_tags` inside libxml2 apply all the marks at the end. Content and
child counts flow upwards through a set and a dict, so a parent's decision already sees its
children as they will be after the strip (a chain of wrappers collapses in the single pass).
Node ids are written only on elements that survive.
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from backend.dom import rules
from backend.dom.attrs import clean_attributes, cut

NODE = "node"
_DROP = "sa-drop"  # temporary tag names carrying the pass's decisions to the strips
_UNWRAP = "sa-unwrap"


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


def _is_hidden(el: etree._Element, tag: str, keys: list[str]) -> bool:
    if tag in rules.NEVER_HIDDEN_TAGS or rules.HIDDEN_KEYS.isdisjoint(keys):
        return False
    hidden_rules = rules.HIDDEN_ATTRS
    return any(k in hidden_rules and hidden_rules[k](tag, el.get(k) or "") for k in keys)


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


def prune_structure(root: etree._Element, keep: Collection[str] = ()) -> list[etree._Element]:
    """Apply every pruning rule in place; returns the candidates in document order.

    Candidates are the visible interactive elements plus the elements whose id is in `keep` (on a
    page without ids, the id an element will get: its document index). Ids the caller wrote (the extension's serializer numbers every rendered element) are kept;
    an element without one gets its index in document order of the original tree, or — on a page
    that already has some ids — the next numbers after the largest, so ids never collide. The
    same HTML therefore always gets the same ids, whatever the budget.
    """
    keep = frozenset(keep)
    elements = list(root.iter(etree.Element))
    candidates, unnumbered, top = _decide(elements, keep)
    if unnumbered:
        if top < 0:  # a page without ids: document order of the original tree
            for index, el in unnumbered:
                el.set(NODE, str(index))
        else:
            for i, (_, el) in enumerate(reversed(unnumbered), start=top + 1):
                el.set(NODE, str(i))
    # A candidate under a hidden or never-rendered ancestor goes away with it.
    visible = [el for el in candidates if not any(a.tag == _DROP for a in el.iterancestors())]
    etree.strip_elements(root, _DROP, with_tail=False)
    etree.strip_tags(root, _UNWRAP)
    return visible


def _decide(
    elements: list[etree._Element], keep: frozenset[str]
) -> tuple[list[etree._Element], list[tuple[int, etree._Element]], int]:
    """The pass (see module docstring). Returns candidates (document order), the kept elements
    without an id with their document index (reverse order), and the largest existing id."""
    inline = rules.INLINE_TAGS
    treatment = rules.TAG_TREATMENT
    unwrap_always = rules.Treatment.UNWRAP
    text_attrs = rules.TEXT_ATTRS
    drop_tags = rules.DROP_TAGS
    tag_rules = rules.INTERACTIVE_TAGS
    is_interactive = rules.is_interactive
    strong_attrs = rules.STRONG_ATTRS
    content: set[etree._Element] = set()  # elements with something to read or act on inside
    texty: set[etree._Element] = set()  # elements with their own text (incl. from unwrapped kids)
    kids: dict[etree._Element, int] = {}  # element children each will have after the strip
    candidates: list[etree._Element] = []
    unnumbered: list[tuple[int, etree._Element]] = []
    top = -1
    for index in range(len(elements) - 1, -1, -1):
        el = elements[index]
        tag = el.tag
        parent = el.getparent()
        tail = el.tail
        if parent is not None and tail and not tail.isspace():
            content.add(parent)  # the text after an element belongs to its parent, whatever
            texty.add(parent)  # becomes of the element itself
        keys = el.keys()
        if tag in drop_tags or _is_hidden(el, tag, keys):
            el.tag = _DROP
            el.tail = " " + (tail or "")
            continue
        node = el.get(NODE)
        if node is not None and node.isdigit():
            top = max(top, int(node))
        else:
            node = None
        attrib = el.attrib
        plain = len(keys) == (node is not None)  # no attributes besides the id
        if plain:
            rule = tag_rules.get(tag)
            interactive = rule is not None and rule(attrib)
        else:
            interactive = is_interactive(tag, attrib)
        if tag == "svg":  # its internals go; only its own name can make it worth keeping
            _svg_label(el)
            content.discard(el)
            texty.discard(el)
            plain = False
        if parent is None or interactive or (node if node is not None else str(index)) in keep:
            if not plain:
                clean_attributes(attrib, interactive)
            if node is None:
                unnumbered.append((index, el))
            if parent is not None:  # the root is printed without its tags, but keeps an id
                candidates.append(el)
                content.add(parent)
                kids[parent] = kids.get(parent, 0) + 1
            continue
        # Attributes are cleaned only on elements that stay: drops and unwraps lose them anyway.
        text = el.text
        own = (bool(text) and not text.isspace()) or el in texty
        if not (own or el in content or (not plain and any(attrib.get(a) for a in text_attrs))):
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
            and (plain or not any(k in strong_attrs and attrib.get(k) for k in keys))
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
            clean_attributes(attrib, False)
        kids[parent] = kids.get(parent, 0) + 1
        if node is None:
            unnumbered.append((index, el))
    candidates.reverse()
    return candidates, unnumbered, top


def text_of(el: etree._Element, limit: int = rules.MAX_TEXT_ATTR) -> str:
    """A short accessible name: aria-label, then visible text, then title/alt/placeholder/value."""
    label = el.get("aria-label")
    if label:
        return cut(label, limit)
    text = " ".join("".join(el.itertext()).split())
    if text:
        return cut(text, limit)
    for name in ("title", "alt", "placeholder", "value", "name"):
        value = el.get(name)
        if value:
            return cut(value, limit)
    for img in el.iter("img", "svg"):
        value = img.get("alt") or img.get("aria-label")
        if value:
            return cut(value, limit)
    return ""

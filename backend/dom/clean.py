"""The structural pruning passes (no budget): ids, removals, attribute cleaning, unwrapping.

Bulk removals run inside libxml2 (`strip_elements`, one XPath for every hidden rule); the only
Python loop visits the elements that survive them, once, children before parents, so a chain of
wrappers collapses in that single pass.
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from backend.dom import rules
from backend.dom.attrs import clean_attributes, cut

NODE = "node"


def assign_ids(root: etree._Element) -> None:
    """Give every element without a numeric `node` id one, in document order of the original tree.

    Ids the caller wrote (the extension's serializer numbers every rendered element) are kept;
    new ids start after the largest existing one so they can never collide. For a page without
    ids this numbers elements 0, 1, 2… in document order: the same HTML always gets the same ids.
    """
    existing = [int(v) for v in root.xpath("//@node") if v.isdigit()]
    if existing and len(existing) == sum(1 for _ in root.iter(etree.Element)):
        return
    next_id = max(existing, default=-1) + 1
    for el in root.iter(etree.Element):
        value = el.get(NODE)
        if value is None or not value.isdigit():
            el.set(NODE, str(next_id))
            next_id += 1


def remove(el: etree._Element, sep: str = "") -> None:
    """Remove `el` and its subtree, keeping the text that follows it (its tail)."""
    unwrap(el, sep, keep_content=False)


def unwrap(el: etree._Element, sep: str = "", *, keep_content: bool = True) -> None:
    """Replace `el` by its content (text and children) in its parent; its tail stays in place.

    `sep` goes around the content so that removing a block box cannot glue two words together.
    """
    parent = el.getparent()
    if parent is None:
        return
    prev = el.getprevious()
    lead = sep + (el.text or "") if keep_content else sep
    if keep_content:
        for child in list(el):
            el.addprevious(child)
    last = el.getprevious()
    tail = el.tail
    if last is prev:  # nothing was moved: the lead joins the tail
        lead += sep + (tail or "") if tail else ""
        tail = None
    if lead:
        if prev is None:
            parent.text = (parent.text or "") + lead
        else:
            prev.tail = (prev.tail or "") + lead
    if tail or (sep and last is not prev):
        last.tail = (last.tail or "") + sep + (tail or "")
    parent.remove(el)


def _hidden_elements(root: etree._Element) -> list[etree._Element]:
    # One XPath over the whole tree for every hidden rule; <html>/<body> are exempt because
    # anti-flicker snippets hide the whole body until a script shows it again.
    found = root.xpath(rules.HIDDEN_XPATH)
    return [el for el in found if el.tag not in ("html", "body")]


def _flatten_svg(root: etree._Element) -> None:
    """An <svg> keeps no internals; its <title>, if any, becomes its name (an icon's only label)."""
    for svg in list(root.iter("svg")):
        if len(svg) == 0:
            continue
        if svg.get("aria-label") is None and svg.get("title") is None:
            title = svg.find(".//title")
            if title is not None:
                label = "".join(title.itertext()).strip()
                if label:
                    svg.set("aria-label", label)
        for child in list(svg):
            svg.remove(child)
        svg.text = None


def prune_structure(root: etree._Element, keep: Collection[str] = ()) -> list[etree._Element]:
    """Apply every pruning rule in place; returns the interactive elements (and `keep` ids) kept.

    Interactive elements are recognised before their attributes are cleaned, since handlers like
    onclick are among the attributes removed.
    """
    etree.strip_elements(root, *rules.DROP_TAGS, with_tail=False)
    for el in _hidden_elements(root):
        if el.getparent() is not None:
            remove(el, " ")
    _flatten_svg(root)

    inline = rules.INLINE_TAGS
    treatment = rules.TAG_TREATMENT
    unwrap_always = rules.Treatment.UNWRAP
    unwrap_single = rules.Treatment.UNWRAP_SINGLE
    text_attrs = rules.TEXT_ATTRS
    keep = frozenset(keep)
    candidates: list[etree._Element] = []
    elements = [el for el in root.iter(etree.Element)]
    for el in reversed(elements):
        attrib = el.attrib
        tag = el.tag
        interactive = rules.is_interactive(tag, attrib)
        strong = clean_attributes(attrib, interactive)
        if interactive or attrib.get(NODE) in keep:
            candidates.append(el)
            continue
        has_text = bool(el.text) and not el.text.isspace()
        if len(el) == 0 and not has_text:
            if not any(a in attrib for a in text_attrs):  # nothing to read or act on
                remove(el, "" if tag in inline else " ")
            continue
        how = treatment.get(tag)
        if how is None or strong:
            continue
        if how is unwrap_always or len(el) == 0 or (len(el) == 1 and not has_text):
            unwrap(el, "" if tag in inline else " ")
    candidates.reverse()
    return candidates


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

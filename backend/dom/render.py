"""Tree -> the exact text the model sees, and the opening tags read back from that text.

Targets are read from the printed page rather than rebuilt from attributes, so `Target:` lines in
training and the tags in the prompt can never differ by a quote or an escape.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

_ATTR = re.compile(r"""\s+([^\s=/>]+)(?:="([^"]*)"|='([^']*)')?""")


def serialize(root: etree._Element) -> str:
    """The content of the root element as HTML on one line (whitespace runs become one space)."""
    text = etree.tostring(root, encoding="unicode", method="html")
    start = text.find(">") + 1  # attribute values never contain a raw ">" (libxml2 escapes it)
    end = text.rfind("</")
    inner = text[start:end] if end >= start else ""
    return " ".join(inner.split())


def opening_tags(html: str, ids: Sequence[str]) -> dict[str, str]:
    """Node id -> its opening tag exactly as printed in `html`, for `ids` in document order.

    libxml2 escapes "<" and ">" inside attribute values and text, and prints one space before
    each attribute. So ` node="N"` is inside a tag when the nearest "<" before it has no ">" in
    between (otherwise it is text), and the tag is the span from that "<" to the next ">". It is
    that tag's own id unless it sits inside another attribute's value, which libxml2 then quotes
    with "'" (a value holding '"'): only such tags are parsed to tell. The search moves forward
    with the ids, so a whole page costs one scan.
    """
    found: dict[str, str] = {}
    cursor = 0
    for node in ids:
        tag = _find_tag(html, node, cursor) or _find_tag(html, node, 0)
        if tag is not None:
            found[node] = tag[0]
            cursor = tag[1]
    return found


def _find_tag(html: str, node: str, start: int) -> tuple[str, int] | None:
    needle = f' node="{node}"'
    pos = html.find(needle, start)
    while pos >= 0:
        begin = html.rfind("<", 0, pos)
        if begin >= 0 and html.find(">", begin, pos) < 0:
            end = html.find(">", pos)
            if end >= 0:
                tag = html[begin : end + 1]
                if "'" not in tag or any(m.group(1) == "node" and m.group(2) == node for m in _ATTR.finditer(tag)):
                    return tag, end
        pos = html.find(needle, pos + 1)
    return None

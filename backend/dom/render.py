"""Tree -> the exact text the model sees, and the opening tags read back from that text.

Targets are read from the printed page rather than rebuilt from attributes, so `Target:` lines in
training and the tags in the prompt can never differ by a quote or an escape.
"""

from __future__ import annotations

import re

from lxml import etree

_TAG = re.compile(r"""<[A-Za-z][^\s/>]*(?:\s+[^\s=/>]+(?:="[^"]*"|='[^']*')?)*\s*/?>""")
_ATTR = re.compile(r"""\s+([^\s=/>]+)(?:="([^"]*)"|='([^']*)')?""")


def serialize(root: etree._Element) -> str:
    """The content of the root element as HTML on one line (whitespace runs become one space)."""
    text = etree.tostring(root, encoding="unicode", method="html")
    start = text.find(">") + 1  # attribute values never contain a raw ">" (libxml2 escapes it)
    end = text.rfind("</")
    inner = text[start:end] if end >= start else ""
    return " ".join(inner.split())


def opening_tags(html: str, ids: set[str]) -> dict[str, str]:
    """Node id -> its opening tag exactly as printed in `html`, for the ids asked for."""
    found: dict[str, str] = {}
    for match in _TAG.finditer(html):
        tag = match.group(0)
        if 'node="' not in tag:
            continue
        for attr in _ATTR.finditer(tag, tag.find(" ") if " " in tag else len(tag)):
            if attr.group(1) == "node":
                node = attr.group(2) if attr.group(2) is not None else attr.group(3)
                if node in ids and node not in found:
                    found[node] = tag
                break
    return found

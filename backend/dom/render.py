"""Tree or elements -> the exact text the model sees, and the opening tags in that text.

Targets are the very substrings of the printed page — read back from it (a page printed by
libxml2) or kept from printing it (a page printed element by element) — never rebuilt from
attributes, so `Target:` lines in training and the tags in the prompt can never differ by a quote
or an escape.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping, Sequence

from lxml import etree

_ATTR = re.compile(r"""\s+([^\s=/>]+)(?:="([^"]*)"|='([^']*)')?""")


def serialize(root: etree._Element) -> str:
    """The content of the root element as HTML on one line (whitespace runs become one space)."""
    text = etree.tostring(root, encoding="unicode", method="html")
    start = text.find(">") + 1  # attribute values never contain a raw ">" (libxml2 escapes it)
    end = text.rfind("</")
    inner = text[start:end] if end >= start else ""
    return " ".join(inner.split())


def element_html(tag: str, attrs: Mapping[str, str], text: str, inner: str = "", opening: str | None = None) -> str:
    """`<tag attrs>text` + `inner` + `</tag>` as libxml2's HTML serializer prints such an element
    (`opening`: its `opening_tag`, if already printed).

    Lets a page printed element by element (the flattened candidates, re-printed at every try of
    the budget) skip building a tree just to serialize it. The serializer's quirks — void and
    raw-text elements, minimized boolean attributes, URL attributes percent-encoded — are asked of
    libxml2 itself once per tag and attribute name (`_tag_form`, `_attr_form`), and tests compare
    the result with libxml2's on every candidate of the saved pages.
    """
    if opening is None:
        opening = opening_tag(tag, attrs)
    form = _tag_form(tag)
    if form == _VOID:
        return opening
    return f"{opening}{text if form == _RAW else _escaped(text)}{inner}</{tag}>"


def opening_tag(tag: str, attrs: Mapping[str, str]) -> str:
    """`<tag attrs>` as libxml2's HTML serializer prints it (see `element_html`)."""
    parts = ["<", tag]
    for name, value in attrs.items():
        form = _attr_form(tag, name)
        if form == _BOOLEAN:
            parts.append(" " + name)
            continue
        if form == _URI:
            value = _uri_escaped(value)
        parts.append(f" {name}={_quoted(value)}")
    parts.append(">")
    return "".join(parts)


_VOID, _RAW, _ESCAPED = "void", "raw", "escaped"
_BOOLEAN, _URI, _PLAIN = "boolean", "uri", "plain"
_URI_KEEP = re.compile(r"[!-~\r]*")  # printable ASCII and CR stay; the rest is percent-encoded
_PROBE_TEXT = "x<&"
_PROBE_VALUE = " \u00e9"


def _probe(tag: str, attrs: dict[str, str], text: str | None = None) -> str:
    try:
        el = etree.Element(tag, attrs)
    except ValueError:
        # A name lxml will not build but libxml2's HTML parser keeps ("a0:nav" on XHTML pages
        # saved with prefixes): parse one, as the page itself was parsed.
        el = _parsed_element(tag, attrs)
    el.text = text
    return etree.tostring(el, encoding="unicode", method="html")


def _parsed_element(tag: str, attrs: dict[str, str]) -> etree._Element:
    markup = "".join(f' {name}="{html.escape(value)}"' for name, value in attrs.items())
    body = etree.fromstring(f"<html><body><{tag}{markup}></{tag}></body></html>", etree.HTMLParser()).find("body")
    el = body[0] if body is not None and len(body) else None
    if el is None or el.tag != tag:
        raise ValueError(f"cannot print an element named {tag!r}")
    return el


@functools.lru_cache(maxsize=1024)
def _tag_form(tag: str) -> str:
    """Void (no content printed), raw text (printed unescaped) or escaped, as libxml2 has it."""
    printed = _probe(tag, {}, _PROBE_TEXT)
    if _PROBE_TEXT in printed:
        return _RAW
    return _ESCAPED if _escaped(_PROBE_TEXT) in printed else _VOID


@functools.lru_cache(maxsize=4096)
def _attr_form(tag: str, name: str) -> str:
    """Boolean (printed as its bare name), URI (percent-encoded) or plain, as libxml2 has it."""
    printed = _probe(tag, {name: _PROBE_VALUE})
    if f" {name}=" not in printed:
        return _BOOLEAN
    return _URI if "%C3%A9" in printed else _PLAIN


def _escaped(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or "\r" in text:  # four scans beat one regex call
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


def _quoted(value: str) -> str:
    """A quoted, escaped attribute value: single quotes when that spares escaping a '"'."""
    value = _escaped(value)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def _uri_escaped(value: str) -> str:
    """A URL attribute's value: leading spaces, tabs and newlines dropped, and characters other
    than printable ASCII (and CR, escaped as an entity instead) percent-encoded as UTF-8."""
    value = value.lstrip(" \t\n")
    if value.isascii() and value.isprintable() and " " not in value:  # the common case, no regex
        return value
    return "".join(c if _URI_KEEP.fullmatch(c) else "".join(f"%{b:02X}" for b in c.encode()) for c in value)


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

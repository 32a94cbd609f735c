"""Attribute cleaning: keep what the model reads, cut what only costs tokens (hashes, blobs, tracking).

Runs once per surviving element, so the common cases (short href, no class) return early.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from lxml import etree

from backend.dom import rules

_BOOLEAN = frozenset({"checked", "selected", "disabled"})
_ELLIPSIS = "…"
_URL_SAFE = "/%:@!$&'()*+,;=-._~"
_PARTIAL_ESCAPE = re.compile(r"%[0-9A-Fa-f]?$")
#: A long URL that needs no parsing: lower-case http(s) or scheme-relative host (group 1), or a
#: path, in characters that percent-encoding keeps, without query or fragment.
_PLAIN_URL = re.compile(r"((?:https?:)?//[A-Za-z0-9.:-]+)?(/[A-Za-z0-9/%:@!$&'()*+,;=._~-]*)?")


def cut(text: str, limit: int) -> str:
    """`text` with whitespace collapsed, cut to `limit` characters (an ellipsis marks the cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + _ELLIPSIS


def cut_value(name: str, value: str, limit: int) -> str:
    """An attribute value cut to `limit`; URLs are cut plainly (an ellipsis would be %-escaped)."""
    if len(value) <= limit:
        return value
    if name in rules.URL_ATTRS:
        return _cut_escaped(value, limit)
    return cut(value, limit)


def shorten_url(url: str) -> str:
    """A readable URL of at most MAX_URL characters as printed: no tracking parameters, no long
    query strings, no inline data or scripts.

    Keeps scheme, host and the start of the path, which is what tells links apart for a reader.
    Non-ASCII is percent-encoded first, because libxml2 prints URL attributes that way.
    """
    url = url.strip()
    if len(url) <= rules.MAX_URL and "?" not in url and url.isascii() and not url.startswith(("data:", "javascript:")):
        return url
    plain = _PLAIN_URL.fullmatch(url)
    if plain and len(plain.group(1) or "") <= rules.MAX_URL - 16:  # what the general case gives
        return _cut_escaped(url, rules.MAX_URL)
    head = url[:11].lower()
    if head.startswith("javascript:"):
        return "javascript:"
    if head.startswith("data:"):
        return "data:"
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a broken IPv6 host; still worth a shortened look
        return _cut_escaped(quote(url, safe=_URL_SAFE), rules.MAX_URL)
    prefix = f"{parts.scheme}://" if parts.scheme and parts.netloc else (f"{parts.scheme}:" if parts.scheme else "")
    if parts.netloc:
        prefix = (prefix or "//") + quote(parts.netloc.rpartition("@")[2], safe=_URL_SAFE)
    path = quote(parts.path, safe=_URL_SAFE)
    query = ""
    if parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not rules.TRACKING_PARAMS.match(k)]
        query = urlencode(kept)
        if len(query) > rules.MAX_URL_QUERY:
            query = ""
    fragment = quote(parts.fragment, safe=_URL_SAFE) if len(parts.fragment) <= 24 else ""
    tail = (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    room = rules.MAX_URL - len(prefix) - len(tail)
    if len(path) > room:
        path, tail = _cut_escaped(path, max(room, 16)), ""
    return _cut_escaped(prefix + path + tail, rules.MAX_URL)


def _cut_escaped(text: str, limit: int) -> str:
    """`text` cut to `limit` characters without leaving half a %XX escape at the end."""
    return _PARTIAL_ESCAPE.sub("", text[:limit]) if len(text) > limit else text


@functools.lru_cache(maxsize=65536)
def clean_value(name: str, value: str) -> str | None:
    """The value to keep for a salient attribute, or None to drop the attribute.

    Memoized: pages repeat the same class lists and URLs hundreds of times.
    """
    if name in rules.URL_ATTRS:
        return shorten_url(value) or None
    if name == "class":
        words = [t for t in value.split() if rules.wordlike(t)]
        return " ".join(words[: rules.MAX_CLASS_TOKENS]) or None
    if name == "id":
        value = value.strip()
        return value if rules.wordlike(value) else None
    if name in _BOOLEAN:
        return value
    if name in rules.TEXT_ATTRS:
        value = cut(value, rules.MAX_TEXT_ATTR)
    else:
        value = cut(value, rules.MAX_WORD_ATTR)
    if not value or rules.NOISY_VALUE.match(value):
        return None
    return value


def cleaned_attributes(items: list[tuple[str, str]], interactive: bool) -> dict[str, str]:
    """Salient attributes of `items` (an element's, in order) with cleaned values, and the
    markers of a candidate as empty values; the `node` id as it is."""
    out: dict[str, str] = {}
    for name, value in items:
        if name == "node":
            out[name] = value
        elif name not in rules.SALIENT_ATTRS:
            if interactive and name in rules.MARKER_ATTRS:
                out[name] = ""
        else:
            new = clean_value(name, value)
            if new is not None:
                out[name] = new
    return out


def clean_attributes(el: etree._Element, interactive: bool) -> None:
    """`cleaned_attributes` written back into `el`."""
    write_attributes(el, cleaned_attributes(el.items(), interactive))


def write_attributes(el: etree._Element, attrs: dict[str, str]) -> None:
    """Makes `attrs` the attributes of `el`, in their order (untouched when nothing changes).

    An element with a marker is always rewritten: a marker parsed without a value
    (`<span sa-click>`) would print bare, one rewritten prints `sa-click=""`, and the model should
    see one spelling (the one the flat print of candidates uses).
    """
    if list(attrs.items()) != el.items() or not rules.MARKER_ATTRS.isdisjoint(attrs):
        attrib = el.attrib
        attrib.clear()
        attrib.update(attrs)

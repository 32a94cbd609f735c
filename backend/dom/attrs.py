"""Attribute cleaning: keep what the model reads, cut what only costs tokens (hashes, blobs, tracking).

Runs once per surviving element, so the common cases (short href, no class) return early.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from backend.dom import rules

_BOOLEAN = frozenset({"checked", "selected", "disabled"})
_ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    """`text` with whitespace collapsed, cut to `limit` characters (an ellipsis marks the cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + _ELLIPSIS


def shorten_url(url: str) -> str:
    """A readable URL: no tracking parameters, no long query strings, no inline data or scripts.

    Keeps scheme, host and the start of the path, which is what tells links apart for a reader.
    """
    url = url.strip()
    if len(url) <= rules.MAX_URL_PATH and "?" not in url and not url.startswith(("data:", "javascript:")):
        return url
    head = url[:11].lower()
    if head.startswith("javascript:"):
        return "javascript:"
    if head.startswith("data:"):
        return "data:"
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a broken IPv6 host; still worth a shortened look
        return cut(url, rules.MAX_URL_PATH)
    netloc = parts.netloc.rpartition("@")[2]
    path = parts.path
    if len(path) > rules.MAX_URL_PATH:
        path = path[: rules.MAX_URL_PATH] + _ELLIPSIS
    query = ""
    if parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not rules.TRACKING_PARAMS.match(k)]
        query = urlencode(kept)
        if len(query) > rules.MAX_URL_QUERY:
            query = ""
    fragment = parts.fragment if len(parts.fragment) <= 24 else ""
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


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


def clean_attributes(attrib: "etree._Attrib", interactive: bool) -> bool:  # noqa: F821
    """Filter `attrib` in place; returns True when a strong attribute (a name, a role…) remains."""
    strong = False
    for name in attrib.keys():
        if name == "node":
            continue
        if name not in rules.SALIENT_ATTRS:
            if interactive and name in rules.MARKER_ATTRS:
                attrib[name] = ""
            else:
                del attrib[name]
            continue
        value = attrib[name]
        new = clean_value(name, value)
        if new is None:
            del attrib[name]
            continue
        if new != value:
            attrib[name] = new
        if name in rules.STRONG_ATTRS:
            strong = True
    return strong

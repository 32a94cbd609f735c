"""Bytes or text in, an lxml tree out: decoding that never fails and a parser that forgives.

Decoding is done here rather than by libxml2 so that a page gives the same tree (and therefore the
same node ids) whether the caller passes the browser's text or the raw bytes of a saved file.
"""

from __future__ import annotations

import codecs
import re
import threading

from lxml import etree

from backend.errors import PageError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode(data: bytes) -> str:
    """Text of an HTML byte string: BOM, then a <meta charset>, then UTF-8, then cp1252.

    The last step cannot fail (undecodable bytes become U+FFFD), so odd encodings degrade
    to a few replacement characters instead of an error.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    match = _META_CHARSET.search(data, 0, 4096)
    if match:
        try:
            return data.decode(match.group(1).decode("ascii").lower(), errors="replace")
        except LookupError:  # an unknown charset name: fall through to the guesses
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _parser() -> etree.HTMLParser:
    # Comments and processing instructions are dropped by libxml2 itself (no Python per node);
    # huge_tree lifts libxml2's depth/size limits that real pages exceed.
    return etree.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, recover=True, huge_tree=True, default_doctype=False
    )


_LOCAL = threading.local()  # lxml parser objects must not be shared between threads
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def parse(html: str | bytes) -> etree._Element | None:
    """The root <html> element, or None for a page with nothing in it (empty, only comments).

    Raises PageError only for input that is not a page at all (wrong type) or that libxml2 refuses.
    """
    if isinstance(html, (bytes, bytearray, memoryview)):
        html = decode(bytes(html))
    elif not isinstance(html, str):
        raise PageError(f"a page must be text or bytes, not {type(html).__name__}")
    if not html.strip():
        return None
    # libxml2 stops at NUL and rejects other C0 controls in some positions; they never render.
    if _CONTROL.search(html):
        html = _CONTROL.sub(" ", html)
    # lxml refuses text that declares a byte encoding; the text is already decoded.
    html = _XML_DECLARATION.sub("", html, count=1)
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = _parser()
    try:
        return etree.fromstring(html, parser)
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"the page could not be parsed as HTML: {exc}") from exc

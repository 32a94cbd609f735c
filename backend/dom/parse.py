"""Bytes or text in, an lxml tree out: decoding that never fails and a parser that forgives.

Decoding is decided here rather than by libxml2 so that a page gives the same tree (and therefore
the same node ids) whether the caller passes the browser's text or the raw bytes of a saved file.
libxml2 is always handed UTF-8 bytes with the encoding stated: that parses ~20% faster than a
Python str, and a UTF-8 file (most of the web) goes in without being decoded and encoded again.
Nor is it validated in Python first: libxml2 reports invalid UTF-8 (the same sequences Python
rejects) while it parses, and only then is the page decoded as `decode` says and parsed again.
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


def _declared(data: bytes) -> tuple[str | None, int]:
    """The encoding a BOM or a <meta charset> states (None: none or unknown), and where text starts."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    match = _META_CHARSET.search(data, 0, 4096)
    if match:
        try:
            return codecs.lookup(match.group(1).decode("ascii")).name, 0
        except LookupError:  # an unknown charset name: fall through to the guesses
            pass
    return None, 0


def decode(data: bytes) -> str:
    """Text of an HTML byte string: BOM, then a <meta charset>, then UTF-8, then cp1252.

    The last step cannot fail (undecodable bytes become U+FFFD), so odd encodings degrade
    to a few replacement characters instead of an error.
    """
    encoding, start = _declared(data)
    if encoding is not None:
        return data[start:].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _parser() -> etree.HTMLParser:
    # Comments and processing instructions are dropped by libxml2 itself (no Python per node);
    # huge_tree lifts libxml2's depth/size limits that real pages exceed; the stated encoding
    # overrides any <meta charset> (the bytes are UTF-8 whatever the page says).
    return etree.HTMLParser(
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        recover=True,
        huge_tree=True,
        default_doctype=False,
        encoding="utf-8",
        collect_ids=False,  # no ID hash table: nothing looks elements up by id (~8% of the parse)
    )


_LOCAL = threading.local()  # lxml parser objects must not be shared between threads
# C0 controls never render, and lxml refuses them in any text or attribute value the passes write
# back into the tree. (UTF-8 never uses these bytes inside a multi-byte character.)
_CONTROLS = bytes((*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)))
_CONTROL_BYTES = tuple(bytes([c]) for c in _CONTROLS)  # one memchr-speed search each
_CONTROL_TO_SPACE = bytes.maketrans(_CONTROLS, b" " * len(_CONTROLS))
# U+FFFE and U+FFFF: libxml2's HTML parser keeps them, but they are not XML characters either, so
# lxml refuses a text that contains one when a pass writes it back. They never render: U+FFFD.
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())
_REPLACEMENT = "\ufffd".encode()
# A numeric character reference (`&#6;`, `&#x1B`) brings the same characters back at parse time.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def _harmless_ref(match: re.Match[bytes]) -> bytes:
    """A reference to a character XML cannot hold becomes U+FFFD; every other one is kept."""
    hex_digits, digits = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(digits)
    if code in (0x9, 0xA, 0xD) or (0x20 <= code < 0xD800) or (0xE000 <= code < 0xFFFE) or (0x10000 <= code <= 0x10FFFF):
        return match.group(0)
    return _REPLACEMENT


def parse(html: str | bytes) -> etree._Element | None:
    """The root <html> element, or None for a page with nothing in it (empty, only comments).

    Raises PageError only for input that is not a page at all (wrong type) or that libxml2 refuses.
    """
    unchecked = False  # bytes that may not be UTF-8 after all
    if isinstance(html, (bytes, bytearray, memoryview)):
        data = bytes(html)
        if not data.isascii():
            encoding, start = _declared(data)
            if encoding in (None, "utf-8"):
                data, unchecked = data[start:], True
            else:
                data = decode(data).encode("utf-8")
    elif isinstance(html, str):
        data = html.encode("utf-8", errors="replace")  # a lone surrogate from JSON becomes "?"
    else:
        raise PageError(f"a page must be text or bytes, not {type(html).__name__}")
    root = _parse_utf8(data)
    if unchecked and any(e.type == _INVALID_UTF8 for e in _LOCAL.parser.error_log):
        root = _parse_utf8(decode(bytes(html)).encode("utf-8"))
    return root


_INVALID_UTF8 = etree.ErrorTypes.ERR_INVALID_ENCODING


def _parse_utf8(data: bytes) -> etree._Element | None:
    if not data or data.isspace():
        return None
    if any(c in data for c in _CONTROL_BYTES):
        data = data.translate(_CONTROL_TO_SPACE)
    for noncharacter in _NONCHARACTERS:
        if noncharacter in data:
            data = data.replace(noncharacter, _REPLACEMENT)
    if b"&#" in data:
        data = _CHAR_REF.sub(_harmless_ref, data)
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = _parser()
    try:
        return etree.fromstring(data, parser)
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"the page could not be parsed as HTML: {exc}") from exc

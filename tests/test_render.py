"""`element_html` must print exactly what libxml2's HTML serializer prints for the same element.

The flattened page is printed element by element in Python; the structural path prints through
libxml2. Both reach the model, and training reads targets back from the printed text, so the two
printers must agree byte for byte: on random values full of quotes, entities, CR, tabs and
non-ASCII, and on every candidate of the saved real pages.
"""

from __future__ import annotations

import random

import pytest
from lxml import etree

from backend.dom.clean import scan
from backend.dom.parse import parse
from backend.dom.render import element_html
from tests.conftest import SHARED_PAGES

PAGES = SHARED_PAGES
ALPHABET = [chr(c) for c in (9, 10, 13, *range(32, 127))] + ["\x7f", "\x85", "\xa0", "é", "\u2028", "中", "😀"]
TAGS = ["a", "area", "input", "button", "select", "textarea", "summary", "label", "img", "div", "span", "form",
        "xmp", "video", "my-widget"]
NAMES = ["href", "src", "action", "name", "title", "value", "aria-label", "class", "id", "node", "checked", "disabled",
         "selected", "multiple", "controls", "onclick", "for", "type", "cite", "role"]


def libxml2_html(tag: str, attrs: dict[str, str], text: str, inner: str = "") -> str:
    """What libxml2 prints for the element inside a wrapper (children given as HTML)."""
    wrapper = etree.Element("div")
    el = etree.SubElement(wrapper, tag, attrs)
    el.text = text
    if inner:
        for child in etree.fromstring(f"<div>{inner}</div>", etree.HTMLParser()).find(".//div"):
            el.append(child)
    printed = etree.tostring(wrapper, encoding="unicode", method="html")
    return printed[len("<div>") : -len("</div>")]


def test_random_values_print_as_libxml2_prints_them() -> None:
    rng = random.Random(11)

    def junk() -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 10)))

    for _ in range(20000):
        tag = rng.choice(TAGS)
        attrs = {name: junk() for name in rng.sample(NAMES, rng.randint(0, 5))}
        text = junk()
        assert element_html(tag, attrs, text) == libxml2_html(tag, attrs, text), (tag, attrs, text)


def test_nested_elements_print_inside_their_parent() -> None:
    inner = element_html("input", {"type": "checkbox", "checked": ""}, "") + " "
    label = {"for": "x"}
    assert element_html("label", label, "Remember me", inner) == libxml2_html("label", label, "Remember me", inner)


def test_every_candidate_of_the_saved_pages_prints_as_libxml2_prints_it() -> None:
    if not PAGES.is_dir():
        pytest.skip(f"real pages not found at {PAGES}")
    checked = 0
    for path in sorted(PAGES.glob("*.html")):
        root = parse(path.read_bytes())
        if root is None:
            continue
        found = scan(root)
        for el in found.candidates:
            attrs = found.attrs(el)
            text = "".join(el.itertext())[:40]
            assert element_html(el.tag, attrs, text) == libxml2_html(el.tag, attrs, text), (path.name, attrs)
            checked += 1
    assert checked > 5000


def test_prefixed_tag_names_print_as_libxml2_prints_them() -> None:
    """Saved XHTML pages carry names like `a0:a` that lxml cannot build; found on ehow-2 via the serializer."""
    root = etree.fromstring('<html><body><a0:a href="/x é" node="5" hidden="">go &lt;</a0:a></body></html>', etree.HTMLParser())
    el = root.find("body")[0]
    expected = etree.tostring(el, encoding="unicode", method="html", with_tail=False)
    assert element_html(el.tag, dict(el.attrib), el.text) == expected

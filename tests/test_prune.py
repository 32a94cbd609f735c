"""HTML pruning: the rules one by one on small pages, then the whole saved real-page corpus.

Expected interactive elements come from the oracle in `bench/bench_prune.py`, written apart from
`backend/dom/rules.py` (plain Python predicates over an lxml tree).
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from lxml import etree

from backend.dom import DEFAULT_BUDGET, PrunedPage, prune
from backend.dom.render import opening_tags
from backend.errors import PageError
from backend.model.tokens import LlamaVocab, default_counter
from bench.bench_prune import expected_candidates, number_elements
from tests.conftest import SHARED_PAGES

PAGES = SHARED_PAGES
ALLOWED_ATTRS = {
    "node", "role", "aria-label", "title", "alt", "name", "placeholder", "type", "value", "href", "for",
    "id", "class", "checked", "selected", "disabled", "aria-expanded", "aria-checked", "aria-selected",
    "onclick", "contenteditable", "sa-click",
}
_ATTR_NAMES = re.compile(r"""<[A-Za-z][^\s/>]*((?:\s+[^\s=/>]+(?:="[^"]*"|='[^']*')?)*)\s*/?>""")
_ONE_ATTR = re.compile(r"""\s+([^\s=/>]+)(?:="([^"]*)"|='([^']*)')?""")


@pytest.fixture(scope="module")
def counter() -> LlamaVocab:
    return default_counter()


def attributes(html: str) -> list[tuple[str, str]]:
    """(name, value) of every attribute printed in `html`."""
    out = []
    for tag in _ATTR_NAMES.finditer(html):
        for attr in _ONE_ATTR.finditer(tag.group(1)):
            out.append((attr.group(1), attr.group(2) if attr.group(2) is not None else (attr.group(3) or "")))
    return out


def tree(html: str) -> etree._Element:
    return etree.fromstring(f"<div>{html}</div>", etree.HTMLParser())


def by_node(html: str) -> dict[str, etree._Element]:
    return {el.get("node"): el for el in tree(html).iter() if el.get("node") is not None}


def free(html: str | bytes, **kw) -> PrunedPage:
    return prune(html, budget=0, **kw)


# ---- rules, one by one ---------------------------------------------------------------------


def test_every_element_has_a_node_id_assigned_in_document_order() -> None:
    page = free("<html><body><div><p>Hi <a href='/a'>A</a></p><button>B</button></div></body></html>")
    elements = list(tree(page.html).iter())[3:]  # skip the test's own html/body/div wrappers
    assert elements and all(el.get("node", "").isdigit() for el in elements)
    assert page.candidates == ["4", "5"]  # html 0, body 1, div 2, p 3, a 4, button 5
    assert free(page.html).html == page.html  # pruning a pruned page keeps its ids


def test_existing_ids_are_kept_and_new_ids_do_not_collide() -> None:
    html = '<div node="70"><a href="/x" node="71">X</a><button>new</button><a href="/y" node="9">Y</a></div>'
    page = free(html)
    assert "71" in page.candidates and "9" in page.candidates
    new = [c for c in page.candidates if c not in ("71", "9")]
    assert len(new) == 1 and int(new[0]) > 71


def test_code_metadata_and_comments_are_dropped() -> None:
    html = (
        "<html><head><title>T</title><meta charset=utf-8><link rel=stylesheet href=a.css>"
        "<style>.a{color:red}</style></head><body><script>var secret=1</script>"
        "<noscript><a href='/nojs'>No JS</a></noscript><template><button>T</button></template>"
        "<!-- a comment --><p>Visible text</p><iframe src='/f'></iframe></body></html>"
    )
    page = free(html)
    for gone in ("secret", "color:red", "No JS", "<button", "comment", "stylesheet", "<meta", "<iframe"):
        assert gone not in page.html
    assert "Visible text" in page.html
    assert page.candidates == []


@pytest.mark.parametrize(
    "hidden",
    [
        '<div hidden><button id="decoy">Decoy</button></div>',
        '<input type="HIDDEN" name="csrf" value="x">',
        '<div aria-hidden="true"><a href="/decoy">Decoy</a></div>',
        '<div sa-visible="0"><button>Decoy</button></div>',
        '<div style="color:red; DISPLAY : none"><button>Decoy</button></div>',
        '<span style="visibility:hidden !important"><a href="/decoy">Decoy</a></span>',
    ],
)
def test_hidden_decoys_are_removed(hidden: str) -> None:
    page = free(f"<body><button>Real</button>{hidden}after</body>")
    assert len(page.candidates) == 1
    assert page.names[page.candidates[0]] == "Real"
    assert "Decoy" not in page.html and "csrf" not in page.html
    assert "after" in page.html  # text following a hidden element is not lost


def test_a_hidden_body_does_not_hide_the_page() -> None:
    page = free('<html><body style="display:none"><a href="/x">X</a></body></html>')
    assert len(page.candidates) == 1


def test_wrappers_are_unwrapped_and_inline_formatting_merged() -> None:
    page = free('<div><div class="outer"><div><a href="/a">Go <b>now</b></a></div></div></div><p>Hi <span>there</span></p>')
    assert re.fullmatch(r'<a href="/a" node="\d+">Go now</a> <p node="\d+">Hi there</p>', page.html), page.html


def test_block_boxes_never_glue_words_together() -> None:
    page = free("<p>one<br>two</p><section><div>three</div><div>four</div></section>")
    text = " ".join(tree(page.html).itertext())
    assert text.split() == ["one", "two", "three", "four"]


def test_labelled_wrappers_and_content_attributes_survive() -> None:
    page = free('<div aria-label="Main menu"><ul><li>x</li></ul></div><img src="/a.png" alt="Logo"><img src="/spacer.gif">')
    assert 'aria-label="Main menu"' in page.html
    assert 'alt="Logo"' in page.html and "spacer" not in page.html and "src=" not in page.html


def test_empty_non_interactive_elements_are_dropped_but_empty_controls_are_not() -> None:
    page = free("<ul><li></li><li> </li></ul><div><span></span></div><a name='top'></a><input><a href='/x'></a>")
    assert "<li" not in page.html and "<span" not in page.html
    assert len(page.candidates) == 2


def test_only_salient_attributes_are_kept_and_noisy_values_cut() -> None:
    html = (
        '<a href="https://shop.example.com/cart?utm_source=news&utm_medium=mail&fbclid=abc123&item=42"'
        ' class="btn-primary css-1x9f2k sc-bdVaJa nav-link extra-word" id="a8F3kq9Zx0Lm2Qw7"'
        ' style="color:red" data-track="xyz" onclick="track(1)" target="_blank" title="  Open\n the   cart ">Cart</a>'
        '<a href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk">img</a>'
        '<a href="javascript:void(0)">js</a>'
        '<a href="/search?q=very+long+query+string+that+goes+on&amp;session=abcdefabcdefabcdefabcdef">s</a>'
        '<input name="token" value="eyJhbGciOiJIUzI1NiJ9eyJzdWIiOiIxMjM0NTY3ODkwIn0">'
    )
    page = free(html)
    attrs = attributes(page.html)
    assert {name for name, _ in attrs} <= ALLOWED_ATTRS
    values = dict(attributes(page.targets[page.candidates[0]]))
    assert values["href"] == "https://shop.example.com/cart?item=42"
    assert values["class"] == "btn-primary nav-link extra-word"
    assert values["title"] == "Open the cart"
    assert values["onclick"] == ""
    assert "id" not in values and "style" not in page.html and "data-" not in page.html
    hrefs = [v for n, v in attrs if n == "href"]
    assert hrefs[1:] == ["data:", "javascript:", "/search"]
    assert "eyJhbGci" not in page.html
    assert all(len(v) <= 80 for _, v in attrs)


@pytest.mark.parametrize(
    "element",
    [
        '<a href="/x">x</a>',
        "<button>x</button>",
        '<input type="text">',
        '<input type="checkbox" checked>',
        "<select><option>a</option><option selected>b</option></select>",
        "<textarea>t</textarea>",
        "<details><summary>More</summary>hidden-ish</details>",
        '<label for="q">Query</label>',
        '<div role="button">x</div>',
        '<span role="Link">x</span>',
        '<li role="menuitem">x</li>',
        '<div role="tab">x</div>',
        '<div role="switch">x</div>',
        '<div role="combobox">x</div>',
        '<div onclick="go()">x</div>',
        '<div contenteditable="true">x</div>',
        '<span class="alink" sa-click>x</span>',
        '<area href="/r" alt="Region">',
        '<svg role="button" aria-label="Close"><path d="M0 0"/></svg>',
    ],
)
def test_each_kind_of_interactive_element_is_a_candidate(element: str) -> None:
    page = free(f"<body><p>filler</p>{element}</body>")
    assert len(page.candidates) == 1, page.html
    node = page.candidates[0]
    assert page.targets[node] in page.html and f'node="{node}"' in page.targets[node]


def test_markers_are_spelled_alike_whichever_way_the_page_is_printed() -> None:
    """The serializer writes a bare `sa-click`; whether a candidate is printed by libxml2 as it
    was parsed, rewritten, or flat, the model always reads `sa-click=""`."""
    html = '<p>intro</p><span sa-click node="1">a</span><span class="tab" sa-click node="2">b</span>' \
           '<div onclick node="3">c</div>'
    for page in (free(html), prune(html, budget=1), prune(html, budget=10_000)):
        for node in page.candidates:
            assert '=""' in page.targets[node] and page.targets[node] in page.html, page.html


def test_non_interactive_lookalikes_are_not_candidates() -> None:
    page = free('<a name="x">anchor</a><div role="presentation">p</div><div contenteditable="false">c</div>'
                '<label>plain</label><video src="/v.mp4"></video>')
    assert page.candidates == []


def test_svg_keeps_no_internals_and_takes_its_title_as_name() -> None:
    page = free('<button><svg viewBox="0 0 1 1"><title>Search</title><path d="M0 0L1 1"/></svg></button>'
                '<svg><circle r="1"/></svg>')
    assert "<path" not in page.html and "<circle" not in page.html and "viewBox" not in page.html
    assert page.html.count("<svg") == 1 and 'aria-label="Search"' in page.html
    assert page.names[page.candidates[0]] == "Search"


def test_names_and_targets_describe_candidates() -> None:
    page = free('<a href="/a" aria-label="Home page">🏠</a><input placeholder="Email address">'
                f'<button>{"very long label " * 20}</button>')
    names = [page.names[c] for c in page.candidates]
    assert names[0] == "Home page" and names[1] == "Email address"
    assert len(names[2]) <= 80 and names[2].startswith("very long label")
    for node, tag in page.targets.items():
        assert tag.startswith("<") and tag.endswith(">") and f'node="{node}"' in tag and tag in page.html


LABELLED_FORM = """<form>
  <label><input type="checkbox" name="t"> Pepperoni</label>
  <label for="mail">Email</label><div><input id="mail" placeholder="you@example.com"></div>
  <p><label class="bold">Username</label><input type="text" id="username"></p>
  <p><label>Orphan</label><label>Second</label><input id="second"></p>
  <span id="cap">Search the docs</span><input aria-labelledby="cap">
  <input aria-label="Own name" id="own"><label for="own">Ignored</label>
  <label for="go">Not this</label><input type="submit" id="go" value="Send">
  <input type="radio" name="r">
</form>"""


def test_form_controls_are_named_by_their_labels() -> None:
    page = free(LABELLED_FORM)
    named = {page.targets[c].split(" node=")[0]: page.names[c] for c in page.candidates}
    assert named == {
        '<input type="checkbox" name="t"': "Pepperoni",  # the label around it
        '<label for="mail"': "Email", '<input id="mail" placeholder="you@example.com"': "Email",  # for=
        '<input type="text" id="username"': "Username",  # an orphan label just before it
        '<input id="second"': "Second",  # the nearer of two orphans
        "<input": "Search the docs",  # aria-labelledby
        '<input aria-label="Own name" id="own"': "Own name", '<label for="own"': "Ignored",  # aria-label wins
        '<label for="go"': "Not this", '<input type="submit" value="Send"': "Send",  # named by its value
        '<input type="radio" name="r"': "r",  # no label: the old fallbacks
    }
    # Printed flat (the candidates alone overflow the budget), the controls keep their labels' names.
    flat = prune(LABELLED_FORM + _menu(400), budget=300, objective="pepperoni email username second search own")
    assert flat.dropped > 0
    for node in ("4", "7", "10", "14", "16", "17"):
        assert flat.names[node] == page.names[node], node


def test_targets_ignore_a_node_attribute_quoted_inside_another_value() -> None:
    # html 0, body 1, button 2, p 3, button 4: the paragraph between them spells the second's id
    page = free("""<button>A</button><p title='see node="4" below'>x</p><button>B</button>""")
    assert page.candidates == ["2", "4"] and "see node=" in page.html
    assert page.targets == {"2": '<button node="2">', "4": '<button node="4">'}


def test_names_never_glue_the_words_of_block_children() -> None:
    card = "<a href='/story'><div>Politics</div><div>Senate passes the bill</div></a>"
    for page in (free(card), prune(card + _menu(400), budget=300)):
        assert page.names[page.candidates[0]] == "Politics Senate passes the bill"


def test_ids_do_not_depend_on_the_budget() -> None:
    html = "<html><body><h1>Shop</h1>" + _menu(400) + "</body></html>"
    full = free(html)
    for budget in (150, 600, DEFAULT_BUDGET):
        page = prune(html, budget=budget)  # the candidates alone overflow: printed flat
        assert page.dropped > 0
        for node in page.candidates:
            assert full.names[node] == page.names[node]


def test_a_page_without_candidates_keeps_its_headings_under_a_budget() -> None:
    article = "<h1>Quantum computing explained</h1>" + "<p>" + "A long paragraph of prose text. " * 60 + "</p>"
    page = prune(article * 12, budget=300)
    assert page.candidates == [] and 0 < page.tokens <= 300
    assert "Quantum computing" in page.html


def test_same_html_gives_the_same_page() -> None:
    html = (PAGES / "wikipedia.html").read_bytes() if PAGES.is_dir() else b"<a href='/x'>x</a>" * 50
    assert prune(html) == prune(html)


# ---- robustness ---------------------------------------------------------------------------


@pytest.mark.parametrize("html", ["", "   \n ", "<!-- only a comment -->", b"", "<html></html>", "just text"])
def test_empty_pages_have_no_candidates(html: str | bytes) -> None:
    page = prune(html)
    assert page.candidates == [] and page.dropped == 0
    assert page.tokens == default_counter().count(page.html)


def test_malformed_and_oddly_encoded_input_never_crashes() -> None:
    samples: list[str | bytes] = [
        "<div><a href='/x'>unclosed <b>bold <button>b</div></p></span>",
        "<<<>>><a href=x>a</a><a href=\"unterminated>y",
        '<?xml version="1.0" encoding="utf-8"?><html><body><a href="/x">x</a></body></html>',
        "<a href='/x'>nul\x00byte\x01</a>",
        "<p>café</p><a href='/x'>Caf\xe9</a>".encode("cp1252"),
        '<meta charset="iso-8859-2"><a href="/x">\xb1</a>'.encode("latin-1"),
        "\ufeff<a href='/x'>bom</a>".encode("utf-16"),
        b"garbage\x80\x81\xff\x00<a href='/x'>x</a>",  # not UTF-8: read as cp1252
        '<meta charset="no-such-charset"><a href="/x">x</a>'.encode(),
        "<table><tr><td><form><input></td></tr></form></table>",
        "<a href='http://[::1'>broken ipv6</a>",
    ]
    for html in samples:
        page = prune(html)
        assert page.candidates, html
        assert page.tokens <= DEFAULT_BUDGET


def test_bytes_that_are_not_utf8_read_the_same_as_their_decoded_text() -> None:
    """libxml2 validates the UTF-8 while it parses; a page it flags is decoded (cp1252 here) and
    parsed again, so bytes and the text `decode` makes of them give the same page."""
    from backend.dom.parse import decode

    for raw in (
        "<p>café</p><a href='/x' title='Ça'>Caf\xe9</a>".encode("cp1252"),
        "<a href='/é'>ok é</a>".encode() + b"<a href='/y'>\xc3 broken</a>",
        "<a href='/x'>\U0001f600 astral and \ufffe</a>".encode(),
    ):
        assert prune(raw) == prune(decode(raw))


def test_the_collector_is_left_as_it_was() -> None:
    import gc

    page = "<a href='/x'>x</a>"
    assert gc.isenabled()
    prune(page)
    assert gc.isenabled()
    gc.disable()
    try:
        prune(page)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_deep_and_huge_pages() -> None:
    deep = "<div>" * 1500 + "<a href='/deep'>deep</a>" + "</div>" * 1500
    assert len(free(deep).candidates) == 1
    free("<div>" * 5000 + "x")  # beyond libxml2's depth limit: no crash (content may be lost)
    huge = "<ul>" + "".join(f"<li><a href='/item/{i}' class='item-link'>Item number {i}</a></li>" for i in range(20000)) + "</ul>"
    page = prune(huge)
    assert page.tokens <= DEFAULT_BUDGET and page.dropped > 19000 and len(page.candidates) + page.dropped == 20000


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(PageError):
        prune(12345)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        prune("<a href='/x'>x</a>", budget=-1)


# ---- budget ---------------------------------------------------------------------------------


def _menu(n: int) -> str:
    items = "".join(f'<li><a href="/product/{i}">Product item {i} details</a></li>' for i in range(n))
    return f"<nav><ul>{items}</ul></nav><form><input name='q' placeholder='Search flights'><button>Book hotel</button></form>"


def test_budget_is_met_and_exact(counter: LlamaVocab) -> None:
    for budget in (100, 400, 1000, DEFAULT_BUDGET):
        page = prune(_menu(400), budget=budget, counter=counter)
        assert page.tokens <= budget
        assert page.tokens == counter.count(page.html)
        assert page.dropped > 0
        assert len(page.candidates) + page.dropped == 402
        assert set(page.candidates) == set(by_node(page.html)) & set(page.candidates)


def test_small_pages_are_untouched_by_the_budget() -> None:
    html = _menu(3)
    assert prune(html).html == free(html).html


def test_text_is_shortened_before_any_interactive_element_is_dropped() -> None:
    essay = "<p>" + "A long paragraph about nothing in particular. " * 400 + "</p>"
    page = prune(essay + _menu(5))
    assert page.dropped == 0 and len(page.candidates) == 7 and page.tokens <= DEFAULT_BUDGET
    assert "A long paragraph" in page.html  # shortened, not removed


def test_when_not_even_the_layout_fits_candidates_are_printed_whole() -> None:
    """A page whose candidates fit alone but not with the layout around them is printed flat,
    every candidate named by its own text (the structural steps that cannot fit would have cut
    the texts inside the links)."""
    rows = "".join(
        f"<section><div><h4>Group {i}</h4><p>{'filler words ' * 30}</p>"
        f"<div><a href='/g/{i}'><p>Open group {i}</p><p>details</p></a></div></div></section>"
        for i in range(40)
    )
    page = prune(f"<main>{rows}</main>", budget=1500)
    assert page.dropped == 0 and len(page.candidates) == 40
    assert page.html.startswith("<a ") and "<h4" not in page.html and "<section" not in page.html
    assert all(name.startswith("Open group") for name in page.names.values())
    assert all(f">Open group {i} d" in page.html for i in range(40))


def test_objective_picks_the_related_element_when_candidates_overflow() -> None:
    page = prune(_menu(400), budget=300, objective="Book a hotel room in Paris")
    assert any(page.names[c] == "Book hotel" for c in page.candidates)
    page = prune(_menu(400), budget=300, objective="Show product 377 details")
    assert any(page.names[c] == "Product item 377 details" for c in page.candidates)
    history = [{"description": "Type 'Paris' into Search flights", "action": "type", "text": "Paris"}]
    page = prune(_menu(400), budget=300, objective="Continue", history=history)
    assert any(page.names[c] == "Search flights" for c in page.candidates)


def test_long_plain_urls_are_cut_as_the_general_path_cuts_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from backend.dom import attrs

    urls = ["https://example.com/" + "a" * 100, "//cdn.x.org/p/" + "b" * 90, "/path/" + "%20" * 40,
            "https://medium.com/@someone/" + "a-long-title-" * 8, "https://" + "h" * 70 + ".com/" + "z" * 30,
            "https://h.com/" + "q" * 76 + "%2F", "HTTPS://H.COM/" + "y" * 90, "https://user@h.com/" + "x" * 90]
    fast = [attrs.shorten_url(u) for u in urls]
    monkeypatch.setattr(attrs, "_PLAIN_URL", re.compile(r"(?!)(x)?"))  # never matches: always parse
    assert fast == [attrs.shorten_url(u) for u in urls]
    assert all(len(u) <= 80 for u in fast)


def test_the_fast_scorer_scores_exactly_like_score() -> None:
    import random

    from backend.dom.relevance import query_weights, score, scorer

    weights = query_weights("Search the site for the latest news and sign in", [{"description": "Type Paris", "text": "x"}])
    fast = scorer(weights)
    parts = ["Search", "searching now", "News", "newsletter", "Sign-in", "sign_in", "latest-news", "LATEST", "x",
             "Paris!", "parisian", "İstanbul news", "in on to", "Site map", "sites", "", "12 news2"]
    rng = random.Random(5)
    for _ in range(3000):
        text = " ".join(rng.choice(parts) for _ in range(rng.randint(0, 5)))
        assert fast(text) == score(text, weights), text
    assert scorer({})("Search") == 0.0


def test_keep_makes_any_element_a_candidate_even_on_a_raw_page() -> None:
    html = "<html><body><p>Intro</p><div><span>Total: 42</span></div>" + _menu(200) + "</body></html>"
    assert "<span" not in free(html).html  # a plain wrapper: unwrapped without keep
    total = "4"  # html 0, body 1, p 2, div 3, span 4: document order of the original tree
    page = prune(html, budget=60, keep=(total,))
    assert by_node(page.html)[total].tag == "span"
    assert total in page.candidates and "Total: 42" in page.html and page.tokens <= 60
    assert page.names[total] == "Total: 42"


def test_keep_survives_tiny_budgets() -> None:
    full = free(_menu(400))
    target = full.candidates[250]
    for budget in (1, 30, 200):
        page = prune(_menu(400), budget=budget, keep=(target,))
        assert target in page.candidates and target in page.targets
        assert page.targets[target] in page.html
    page = prune(_menu(400), budget=1, keep=(target,))
    assert page.candidates == [target]


# ---- the real-page corpus -----------------------------------------------------------------


@pytest.fixture(scope="module")
def pages() -> list[tuple[str, str]]:
    if not PAGES.is_dir():
        pytest.skip(f"real pages not found at {PAGES} (shared/pages beside the repository)")
    from backend.dom.parse import decode

    files = sorted(PAGES.glob("*.html"))
    assert files, f"no .html files in {PAGES}"
    return [(f.name, decode(f.read_bytes())) for f in files]


def test_real_pages_keep_every_visible_interactive_element(pages, counter: LlamaVocab) -> None:
    for name, html in pages:
        numbered = number_elements(html)
        expected = expected_candidates(numbered)
        page = prune(numbered, budget=0, counter=counter)
        assert set(page.candidates) == set(expected), name
        assert page.candidates == sorted(page.candidates, key=int), name  # document order
        # every id printed is an id of the input, on an element of the same tag
        source = {el.get("node"): el.tag for el in etree.fromstring(numbered, etree.HTMLParser()).iter()
                  if isinstance(el.tag, str)}
        for node, el in by_node(page.html).items():
            assert source.get(node) == el.tag, (name, node)


def test_real_pages_raw_ids_follow_document_order(pages) -> None:
    for name, html in pages[:20]:
        assert prune(html, budget=0).candidates == prune(number_elements(html), budget=0).candidates, name


def test_real_pages_fit_the_default_budget(pages, counter: LlamaVocab) -> None:
    for name, html in pages:
        page = prune(html, counter=counter)
        assert page.tokens <= DEFAULT_BUDGET, name
        assert page.tokens == counter.count(page.html), name
        for node in page.candidates:
            assert page.targets[node] in page.html, (name, node)
        # Targets kept from printing flat are what reading them back from the text finds.
        assert page.targets == opening_tags(page.html, page.candidates), name


def test_real_pages_carry_only_clean_attributes(pages) -> None:
    for name, html in pages:
        page = prune(html, budget=0)
        for attr, value in attributes(page.html):
            assert attr in ALLOWED_ATTRS, (name, attr)
            assert len(html_lib.unescape(value)) <= 80, (name, attr, value)
            assert not value.startswith("data:") or value == "data:", (name, value)
            assert not re.search(r"utm_|fbclid|gclid", value), (name, value)


def test_real_pages_keep_survives_tiny_budget(pages) -> None:
    name, html = max(pages, key=lambda p: len(p[1]))
    full = prune(html, budget=0)
    target = full.candidates[len(full.candidates) * 2 // 3]
    page = prune(html, budget=50, keep=(target,))
    assert target in page.candidates and page.tokens <= 50, name


def test_real_pages_objective_finds_its_element(pages) -> None:
    """On the page whose links overflow the budget most, an element the budget left out without
    an objective is kept once the objective names it."""
    name, html = max(pages, key=lambda p: prune(p[1]).dropped)
    plain = prune(html)
    full = prune(html, budget=0)
    left_out = [c for c in full.candidates if c not in plain.candidates and len(full.names[c].split()) >= 3]
    assert plain.dropped > 0 and left_out, name
    node = left_out[len(left_out) // 2]
    page = prune(html, objective=f"open {full.names[node]}")
    assert node in page.candidates and page.tokens <= DEFAULT_BUDGET, (name, full.names[node])

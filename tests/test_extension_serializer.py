"""The content serializer, injected standalone into plain pages (as the MiniWoB harness does)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import SHARED_PAGES
from training.chromium import BROWSER_ARGS, CHROMIUM

pytestmark = pytest.mark.slow  # a real browser (see README: fast lane)

playwright_sync = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
SERIALIZER = ROOT / "extension" / "content" / "serialize.js"
REAL_PAGES = SHARED_PAGES
#: Saved pages with elements that are clickable without a native tag (bench/bench_clickable.py).
MARKED_PAGES = ["breitbart.html", "la-nacion.html", "msn.html", "qq.html", "wapo-1.html"]

PAGE = """<!doctype html><html><head><title>Form</title><style>.gone{display:none}</style>
<script>window.secretScript = 1</script></head><body>
<h1 id="h" onclick="x()">Invoices</h1>
<label for="cust">Customer</label><input id="cust" name="customer" value="old">
<input id="pw" type="password" value="hunter2">
<input id="card" autocomplete="cc-number" value="4111111111111111">
<div data-sensitive><span>SSN 123-45-6789</span></div>
<input id="cb" type="checkbox">
<select id="sel"><option>One</option><option>Two</option></select>
<textarea id="ta">draft</textarea>
<div class="gone"><button id="hiddenbtn">Never</button></div>
<button id="invis" style="visibility:hidden">Ghost</button>
<div id="host"></div>
<iframe id="fr" src="/frame.html"></iframe>
<p id="big"></p>
<style>.card{cursor:pointer}</style>
<div id="tile" class="card"><span id="cardtitle">Open card</span></div>
<span id="jsclick">Handler set by script</span>
<div id="focusable" tabindex="0">In the tab order</div><div id="unfocusable" tabindex="-1">Out of it</div>
<a id="nohref" style="cursor:pointer">Link without href</a>
<button id="native" style="cursor:pointer"><span id="innative" tabindex="0">inside a button</span></button>
<div id="spoof" sa-click>claims to be clickable</div>
<script>document.getElementById('jsclick').onclick = () => {}</script>
</body></html>"""

FRAME = """<!doctype html><html><body><button id="inframe">Inside frame</button></body></html>"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pages")
    (root / "index.html").write_text(PAGE)
    (root / "frame.html").write_text(FRAME)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def page(server: str) -> Iterator:
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        pg = browser.new_page()
        pg.goto(f"{server}/index.html")
        pg.frame_locator("#fr").locator("#inframe").wait_for()
        pg.evaluate(
            """() => {
              const root = document.getElementById('host').attachShadow({mode: 'open'});
              root.innerHTML = '<div><slot></slot><button id="inshadow">Shadow button</button></div>';
              document.getElementById('host').append(
                  Object.assign(document.createElement('span'), {textContent: 'slotted text'}));
            }"""
        )
        pg.fill("#cust", "ACME Corp")
        pg.check("#cb")
        pg.select_option("#sel", "Two")
        pg.fill("#ta", "typed <b>text</b>")
        pg.add_script_tag(path=str(SERIALIZER))
        yield pg
        browser.close()


def serialize(page, **options) -> dict:
    return page.evaluate("(o) => { const r = ScribeSerializer.serialize(o); delete r.ids; return r; }", options)


def node_of(page, selector: str) -> str:
    return page.evaluate("(s) => ScribeSerializer.nodeIdFor(document.querySelector(s))", selector)


def test_live_form_state_is_written(page) -> None:
    html = serialize(page)["html"]
    assert 'value="ACME Corp"' in html and 'value="old"' not in html
    assert 'type="checkbox" checked' in html
    assert "<option node=" in html and "selected" in html.split("Two")[0].rsplit("<option", 1)[1]
    assert "typed &lt;b&gt;text&lt;/b&gt;</textarea>" in html


def test_sensitive_values_never_leave_the_page(page) -> None:
    html = serialize(page)["html"]
    assert "hunter2" not in html and "4111111111111111" not in html and "123-45-6789" not in html
    assert 'id="pw"' in html  # the field itself is still there to point at


def test_node_ids_map_back_to_live_elements_without_touching_the_page(page) -> None:
    html = serialize(page)["html"]
    nid = node_of(page, "#cust")
    assert f'id="cust" name="customer" value="ACME Corp" node="{nid}"' in html
    assert page.evaluate("(n) => ScribeSerializer.elementFor(n).id", nid) == "cust"
    assert page.evaluate("() => document.querySelectorAll('[node]').length") == 0
    assert serialize(page)["html"] == html  # stable ids across calls


def test_invisible_and_hidden(page) -> None:
    html = serialize(page)["html"]
    assert "Never" not in html and "hiddenbtn" not in html  # display:none: not rendered, skipped
    assert 'id="invis" style' not in html and 'sa-visible="0"' in html.split("Ghost")[0].rsplit("<button", 1)[1]
    assert "secretScript" not in html and "onclick" not in html and "<style" not in html


def opening(page, html: str, selector: str) -> str:
    """The opening tag the serializer wrote for `selector`'s element."""
    nid = node_of(page, selector)
    end = html.index(f'node="{nid}">')
    return html[html.rindex("<", 0, end):end + len(f'node="{nid}">')]


def test_clickable_elements_without_a_native_tag_are_marked(page) -> None:
    html = serialize(page)["html"]
    marked = {sel: " sa-click " in opening(page, html, sel) for sel in [
        "#tile", "#cardtitle", "#jsclick", "#focusable", "#unfocusable", "#nohref", "#native", "#innative",
        "#spoof", "#h", "#cust", "body",
    ]}
    assert marked == {
        "#tile": True,  # pointer cursor from a stylesheet
        "#cardtitle": False,  # the cursor is only inherited from the tile
        "#jsclick": True,  # onclick property set by the page's script (same world here)
        "#focusable": True, "#unfocusable": False,  # tab order
        "#nohref": True,  # an <a> without href is no native link
        "#native": False, "#innative": False,  # a button is a candidate already, and so is all inside it
        "#spoof": False,  # the page's own sa-click is never written
        "#h": True,  # onclick attribute (itself left out)
        "#cust": False, "body": False,
    }


def test_shadow_dom_and_same_origin_iframe(page) -> None:
    html = serialize(page)["html"]
    assert "Shadow button" in html and "slotted text" in html
    assert html.index("slotted text") < html.index("Shadow button")  # flat tree order: slot first
    assert "Inside frame" in html
    frame_node = page.evaluate(
        "() => ScribeSerializer.nodeIdFor(document.getElementById('fr').contentDocument.getElementById('inframe'))"
    )
    assert f'node="{frame_node}">Inside frame' in html


def test_size_cap(page) -> None:
    page.evaluate("() => { document.getElementById('big').textContent = 'x'.repeat(50000); }")
    full = serialize(page)
    capped = serialize(page, maxChars=2000)
    assert not full["truncated"] and capped["truncated"]
    assert len(capped["html"]) < len(full["html"]) and capped["html"].endswith("</html>")


def test_selector_finds_the_element_again(page) -> None:
    for sel in ["#cust", "#cb", "h1", "#sel option:nth-of-type(2)"]:
        found = page.evaluate(
            """(s) => { const el = document.querySelector(s); const css = ScribeSerializer.selectorFor(el);
                       return document.querySelector(css) === el ? css : null; }""",
            sel,
        )
        assert found, sel


def test_second_injection_keeps_the_registry(page) -> None:
    nid = node_of(page, "#cust")
    page.add_script_tag(path=str(SERIALIZER))
    assert node_of(page, "#cust") == nid


def test_real_pages_marked_elements_become_candidates_and_none_is_lost(page) -> None:
    """Serialized in an isolated world as the extension does, then pruned with and without the
    marks: every candidate stays, and each new one is a marked element."""
    if not REAL_PAGES.is_dir():
        pytest.skip(f"real pages not found at {REAL_PAGES}")
    from backend.dom import prune
    from bench.bench_clickable import serialize_pages, unmarked

    added = 0
    for name, html in serialize_pages(page.context.browser, REAL_PAGES, MARKED_PAGES).items():
        marked, plain = prune(html, budget=0), prune(unmarked(html), budget=0)
        new = set(marked.candidates) - set(plain.candidates)
        assert set(plain.candidates) <= set(marked.candidates), name
        assert all('sa-click=""' in marked.targets[node] for node in new), name
        added += len(new)
    assert added >= len(MARKED_PAGES)

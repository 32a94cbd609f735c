""""Do it" clicks where a person would: the content script's actions, injected standalone into a page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from training.chromium import BROWSER_ARGS, CHROMIUM

pytestmark = pytest.mark.slow  # a real browser (see README: fast lane)

playwright_sync = pytest.importorskip("playwright.sync_api")

ACTIONS = Path(__file__).resolve().parent.parent / "extension" / "content" / "actions.js"

PAGE = """<!doctype html><html><body>
<ul><li id="tab" role="tab" style="display:inline-block;padding:2px"><a id="tablink" href="#t2">Tab 2</a></li></ul>
<button id="save"><span id="icon">&#x1F4BE; Save</span></button>
<div style="position:relative"><button id="under">Covered</button>
  <div id="overlay" style="position:absolute;inset:0;background:#fff8"></div></div>
<script>
  window.clicks = [];
  document.getElementById('tablink').addEventListener('click', (e) => { e.preventDefault(); clicks.push('tablink'); });
  document.getElementById('save').addEventListener('click', (e) => clicks.push('save via ' + e.target.id));
  document.getElementById('under').addEventListener('click', () => clicks.push('under'));
  document.getElementById('overlay').addEventListener('click', () => clicks.push('overlay'));
</script></body></html>"""


@pytest.fixture(scope="module")
def page() -> Iterator:
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        pg = browser.new_page()
        pg.set_content(PAGE)
        pg.add_script_tag(path=str(ACTIONS))
        yield pg
        browser.close()


def clicked(page, selector: str) -> list[str]:
    page.evaluate("() => { window.clicks = []; }")
    result = page.evaluate("(s) => ScribeActions.perform(document.querySelector(s), 'click', null)", selector)
    assert result["ok"], result
    return page.evaluate("() => window.clicks")


def test_a_click_lands_on_what_is_at_the_elements_centre(page) -> None:
    # A tab whose handler sits on the link inside it: the model points at the <li role=tab>.
    assert clicked(page, "#tab") == ["tablink"]
    # A button with an icon: the button's handler runs, the event comes from where the click landed.
    assert clicked(page, "#save") == ["save via icon"]


def test_a_covered_element_is_clicked_itself_not_what_covers_it(page) -> None:
    assert clicked(page, "#under") == ["under"]

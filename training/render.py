"""Pages as the product sees them: render training pages in Chromium and serialize them with the
extension's own `extension/content/serialize.js` (`scribeagent data render`).

A served page is never raw HTML: the extension walks the rendered DOM and writes live values,
ticked boxes, `sa-visible="0"` for hidden-but-present elements, `sa-click` for elements that are
clickable without being controls, and its own `node` ids. A model trained on pages our generator
or a website wrote would read a different dialect from the one it is served. So every page of a
workflow file (synthetic, grounding, imported) goes through the same serializer in headless
Chromium, and each step's target is re-pointed at the id the serializer gave the same element.
The page's scripts are off and the network is closed: a page renders from its own markup alone,
and the serializer runs through the DevTools protocol, which page settings do not block.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from backend.errors import DataError
from backend.workflows.model import Workflow
from training.chromium import BROWSER_ARGS, CHROMIUM

SERIALIZER = Path(__file__).resolve().parents[1] / "extension" / "content" / "serialize.js"
VIEWPORT = {"width": 1280, "height": 900}

#: Serialize the page; return the serialized html and, for each original `node` id, the new one.
_SERIALIZE = """(originals) => {
  const out = ScribeSerializer.serialize();
  const ids = {};
  for (const node of originals) {
    const el = document.querySelector(`[node="${node}"]`);
    ids[node] = el && out.ids.has(ScribeSerializer.nodeIdFor(el)) ? ScribeSerializer.nodeIdFor(el) : null;
  }
  return {html: out.html, ids, truncated: out.truncated};
}"""


class PageRenderer:
    """One headless Chromium page that turns HTML into the extension's serialization."""

    def __init__(self, page: Any) -> None:
        self._page = page
        self._script = SERIALIZER.read_text(encoding="utf-8")

    def serialize(self, html: str, nodes: Iterable[str] = ()) -> tuple[str, dict[str, str | None]]:
        """(serialized html, original node id -> serializer's id or None if not rendered)."""
        self._page.goto("about:blank")  # a new window: node ids start at 1, as on a fresh page load
        self._page.set_content(html, wait_until="domcontentloaded")
        self._page.evaluate(self._script)
        result = self._page.evaluate(_SERIALIZE, list(nodes))
        if result["truncated"]:
            raise DataError("page is larger than the serializer's cap")
        return result["html"], result["ids"]


@contextmanager
def renderer(executable: str = CHROMIUM) -> Iterator[PageRenderer]:
    """A `PageRenderer` over a fresh headless Chromium, closed on exit."""
    from playwright.sync_api import sync_playwright

    if not Path(executable).exists():
        raise DataError(f"Chromium not found at {executable} (make test installs Debian's chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=BROWSER_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False, offline=True)
            context.route("**/*", lambda route: route.abort())  # images, styles, frames: nothing loads
            yield PageRenderer(context.new_page())
        finally:
            browser.close()


def render_workflow(wf: Workflow, pages: PageRenderer) -> Workflow:
    """`wf` with every step's page serialized as the extension would and its target re-pointed.

    Raises DataError when a step's target is not rendered (hidden by the page's own CSS): such a
    step could never be suggested on the live page.
    """
    data = wf.model_dump(mode="json")
    for i, step in enumerate(data["steps"]):
        node = step["target"].get("node")
        html, ids = pages.serialize(step["html"], [node] if node else [])
        step["html"] = html
        if node:
            if not ids.get(node):
                raise DataError(f"{wf.id} step {i + 1}: target node {node} is not rendered")
            step["target"]["node"] = ids[node]
    return Workflow.model_validate(data)


def render_workflows(workflows: Iterable[Workflow], pages: PageRenderer) -> Iterator[Workflow]:
    """Render each workflow; one that cannot be rendered is reported on stderr and skipped."""
    for wf in workflows:
        try:
            yield render_workflow(wf, pages)
        except DataError as exc:
            print(f"skipped: {exc}", file=sys.stderr)


def render_pages(src: Path, out: Path, pages: PageRenderer) -> int:
    """Serialize every saved `*.html` page of `src` into `out` (same names); returns how many."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(src.glob("*.html")):
        html, _ = pages.serialize(path.read_text(encoding="utf-8", errors="replace"))
        (out / path.name).write_text(f"<!DOCTYPE html>\n{html}", encoding="utf-8")
        count += 1
    return count

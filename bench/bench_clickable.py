"""What the serializer's clickable marks (`sa-click`) cost and bring on the saved real pages.

Each page of `../shared/pages` is opened in headless Chromium (served on 127.0.0.1; every other
request is refused, so only the page's own inline styles and scripts apply) and serialized by
`extension/content/serialize.js` in an isolated world, as the extension does. The same
serialization with the marks taken out is the baseline: pruned both ways, the table shows how many
more candidates the marks make and how many more tokens the page takes, without a budget and at
the default budget. Prints a table and writes `bench/results/clickable.json`.

    python bench/bench_clickable.py [--pages DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import percentile, print_table, write_json  # noqa: E402

PAGES = ROOT.parent / "shared" / "pages"
SERIALIZER = ROOT / "extension" / "content" / "serialize.js"
#: The mark as the serializer writes it: always right before sa-visible or the node id.
MARK = re.compile(r' sa-click(?= (?:sa-visible="0" )?node=")')


def unmarked(html: str) -> str:
    """The serialization without clickable marks (the serializer before it had them)."""
    return MARK.sub("", html)


def serialize_pages(browser: Any, folder: Path, names: list[str]) -> dict[str, str]:
    """Page name -> its serialization by the extension's serializer in an isolated world, each
    page opened in Playwright `browser` with only requests to our own server let through."""
    from training.miniwob.browser import ContentWorld
    from training.miniwob.server import serve

    out: dict[str, str] = {}
    source = SERIALIZER.read_text(encoding="utf-8")
    with serve(folder) as base:
        context = browser.new_context()
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                      else route.abort())
        for name in names:
            page = context.new_page()
            page.goto(f"{base}/{name}", wait_until="load", timeout=60_000)
            out[name] = ContentWorld(page, [source]).evaluate("ScribeSerializer.serialize().html")
            page.close()
        context.close()
    return out


def measure(name: str, html: str, counter: Any) -> dict[str, Any]:
    """One page's row: marks written, candidates and tokens without and with them."""
    from backend.dom import prune

    plain = unmarked(html)
    full_with, full_without = prune(html, budget=0, counter=counter), prune(plain, budget=0, counter=counter)
    cut_with, cut_without = prune(html, counter=counter), prune(plain, counter=counter)
    return {
        "page": name,
        "marks": len(MARK.findall(html)),
        "candidates": len(full_without.candidates),
        "extra_candidates": len(full_with.candidates) - len(full_without.candidates),
        "tokens": full_without.tokens,
        "extra_tokens": full_with.tokens - full_without.tokens,
        "budget_tokens": cut_without.tokens,
        "budget_extra_tokens": cut_with.tokens - cut_without.tokens,
        "budget_dropped": cut_without.dropped,
        "budget_extra_dropped": cut_with.dropped - cut_without.dropped,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES, help="folder of .html pages")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from backend.model.tokens import default_counter
    from training.chromium import BROWSER_ARGS, CHROMIUM

    names = sorted(p.name for p in args.pages.glob("*.html"))
    if not names:
        print(f"no pages in {args.pages}", file=sys.stderr)
        return 1
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        pages = serialize_pages(browser, args.pages, names)
        browser.close()
    counter = default_counter()
    rows = [measure(name, html, counter) for name, html in pages.items()]
    keys = [k for k in rows[0] if k != "page"]
    totals = {"page": f"all {len(rows)}", **{k: sum(r[k] for r in rows) for k in keys}}
    marked = [r for r in rows if r["marks"]]
    summary = {
        "pages": len(rows),
        "pages_with_marks": len(marked),
        "totals": totals,
        "extra_candidates_share": round(totals["extra_candidates"] / max(1, totals["candidates"]), 4),
        "extra_tokens_share": round(totals["extra_tokens"] / max(1, totals["tokens"]), 4),
        "median_extra_candidates_marked_pages": percentile([r["extra_candidates"] for r in marked], 50),
        "median_extra_tokens_marked_pages": percentile([r["extra_tokens"] for r in marked], 50),
    }
    print_table([*rows, totals], title="Clickable marks on the saved pages (no budget, then the default budget)")
    for key, value in summary.items():
        if key != "totals":
            print(f"{key}: {value}")
    print(f"wrote {write_json('clickable', {'summary': summary, 'pages': rows})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

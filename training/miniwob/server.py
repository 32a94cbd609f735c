"""The task pages of the installed `miniwob` package, served on the loopback interface.

The package's own `miniwob` module registers gymnasium environments when imported; only its
`html/` folder is needed here, so it is located without importing the package.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path

from backend.errors import ScribeAgentError

#: The tasks the bench is developed against (issue 10); every other task judges generalisation.
DEV_TASKS: tuple[str, ...] = (
    "click-button", "click-link", "click-option", "click-dialog", "click-checkboxes", "enter-text",
    "enter-password", "focus-text", "login-user", "click-tab", "navigate-tree", "use-autocomplete",
    "choose-list", "search-engine",
)


def html_dir() -> Path:
    """The `html/` folder of the installed `miniwob` package (core/, common/, miniwob/*.html)."""
    spec = importlib.util.find_spec("miniwob")
    if spec is None or not spec.submodule_search_locations:
        raise ScribeAgentError("the `miniwob` package is not installed: pip install miniwob (or make bench-miniwob)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "html"
    if not (folder / "core" / "core.js").is_file():
        raise ScribeAgentError(f"{folder} has no core/core.js: the `miniwob` package looks incomplete")
    return folder


def task_names(folder: Path) -> list[str]:
    """Every task the package ships, by name (the page's file name without `.html`)."""
    return sorted(p.stem for p in (folder / "miniwob").glob("*.html"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Requests are not logged: a bench loads hundreds of pages."""


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="miniwob-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def task_url(base: str, task: str) -> str:
    """Where task `task` is served under `base`."""
    return f"{base}/miniwob/{task}.html"

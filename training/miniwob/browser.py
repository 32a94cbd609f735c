"""Headless Chromium with the extension's content scripts in each MiniWoB page.

The scripts the manifest lists are injected unchanged, in the manifest's order, into an isolated
world (CDP `Page.createIsolatedWorld`: the world a content script runs in, sharing the page's DOM
but not its JavaScript), after `standin.js`, which gives them the one chrome.runtime port they
talk to. The harness then sends the side panel's own requests over that port — set-mode,
serialize (settled), perform — so the page is read and acted on exactly as in the product.

MiniWoB's own JavaScript API starts each episode (seed, time limit, `core.startEpisodeReal`) and
reports the reward, in the page's main world, as the package's Selenium environment does.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.errors import ScribeAgentError
from training.chromium import BROWSER_ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
STANDIN = Path(__file__).with_name("standin.js")
#: Time for a task page to load and define MiniWoB's `core` (two busy cores: generous).
LOAD_TIMEOUT_MS = 30_000
#: The name of the isolated world, as DevTools lists it.
WORLD = "ScribeAgent content scripts"


class EpisodeError(Exception):
    """What ends one episode as a failure: `reason` is counted in the results, never fatal to a run."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


#: Reasons an episode can end with an EpisodeError.
LOAD_FAILED = "load_failed"  # the task page did not load or has no MiniWoB core
BROWSER_ERROR = "browser_error"  # Chromium crashed or a call to it failed
SCRIPT_ERROR = "script_error"  # a content script or the harness threw in the page


@dataclass(frozen=True)
class Reward:
    """MiniWoB's verdict so far: `done` once the task ended the episode; `raw` is the reward
    without the time penalty (success is raw > 0)."""

    done: bool
    raw: float
    reason: str | None


def content_scripts(extension: Path = EXTENSION) -> list[Path]:
    """The content scripts in the order the manifest injects them."""
    manifest = json.loads((extension / "manifest.json").read_text(encoding="utf-8"))
    return [extension / name for entry in manifest["content_scripts"] for name in entry["js"]]


@contextlib.contextmanager
def _translated(reason: str = BROWSER_ERROR) -> Iterator[None]:
    """Playwright failures (a crash, a closed page, a timeout) as the EpisodeError they cause."""
    from playwright.sync_api import Error

    try:
        yield
    except Error as exc:
        raise EpisodeError(reason, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc


class ContentWorld:
    """An isolated world of a page's main frame — where a content script runs: the page's DOM,
    not its JavaScript — with `sources` evaluated in it, in order."""

    def __init__(self, page: Any, sources: list[str]) -> None:
        with _translated():
            self._cdp = page.context.new_cdp_session(page)
            frame = self._cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
            world = self._cdp.send("Page.createIsolatedWorld", {"frameId": frame, "worldName": WORLD})
        self._context_id = world["executionContextId"]
        for source in sources:
            self.evaluate(source)

    def evaluate(self, expression: str) -> Any:
        """`expression`'s value in this world (promises awaited, the value returned as JSON)."""
        with _translated():
            result = self._cdp.send("Runtime.evaluate", {
                "expression": expression, "contextId": self._context_id, "awaitPromise": True, "returnByValue": True,
            })
        details = result.get("exceptionDetails")
        if details:
            thrown = details.get("exception", {}).get("description") or details.get("text", "")
            raise EpisodeError(SCRIPT_ERROR, thrown.splitlines()[0] if thrown else "a content script threw")
        return result["result"].get("value")


def extension_sources() -> list[str]:
    """The chrome.runtime stand-in, then the manifest's content scripts, as injected."""
    return [STANDIN.read_text(encoding="utf-8")] + [p.read_text(encoding="utf-8") for p in content_scripts()]


class TaskPage:
    """One episode's page: MiniWoB in the main world, the content scripts in an isolated one."""

    def __init__(self, context: Any, page: Any, sources: list[str]) -> None:
        self._context = context
        self._page = page
        self._sources = sources
        self._world: ContentWorld | None = None

    def load(self, url: str) -> None:
        """Open the task and wait for MiniWoB's core (its sync screen is up once it has run)."""
        with _translated(LOAD_FAILED):
            response = self._page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
            if response is None or not response.ok:
                status = response.status if response is not None else "no response"
                raise EpisodeError(LOAD_FAILED, f"{url}: HTTP {status}")
            self._page.wait_for_function(
                "() => typeof core === 'object' && typeof genProblem === 'function' && core.cover_div !== null",
                timeout=LOAD_TIMEOUT_MS,
            )

    def start(self, seed: str, time_limit_ms: int) -> str:
        """Start an episode with MiniWoB's API, seeded like its own environment, then inject the
        content scripts; returns the utterance. The reward display is hidden so nothing the model
        reads leaks the score."""
        with _translated(LOAD_FAILED):
            self._page.evaluate(
                """([seed, limit]) => {
                  Math.seedrandom(seed);
                  core.EPISODE_MAX_TIME = limit;
                  core.startEpisodeReal();
                  core.hideDisplay();
                }""",
                [seed, time_limit_ms],
            )
            self._page.wait_for_function("() => WOB_TASK_READY === true", timeout=LOAD_TIMEOUT_MS)
            utterance = self._page.evaluate("() => core.getUtterance()")
        self._world = ContentWorld(self._page, self._sources)
        return utterance["utterance"] if isinstance(utterance, dict) else str(utterance)

    def request(self, kind: str, **fields: Any) -> dict[str, Any]:
        """The side panel's request `kind` (a key of `Msg` in extension/shared/messages.js, e.g.
        "SERIALIZE") with `fields`, answered by the content script."""
        if self._world is None:
            raise EpisodeError(SCRIPT_ERROR, f"{kind} before the episode started")
        reply = self._world.evaluate(f"ScribeHarness.request({json.dumps(kind)}, {json.dumps(fields)})")
        if not isinstance(reply, dict):
            raise EpisodeError(SCRIPT_ERROR, f"the content script answered {reply!r} to {kind}")
        return reply

    def reward(self) -> Reward:
        with _translated():
            state = self._page.evaluate(
                "() => ({done: WOB_DONE_GLOBAL, raw: WOB_RAW_REWARD_GLOBAL, reason: WOB_REWARD_REASON})"
            )
        return Reward(bool(state["done"]), float(state["raw"] or 0.0), state["reason"])

    def wait_done(self, timeout_ms: int) -> None:
        """Until MiniWoB ends the episode, or `timeout_ms` has passed."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        with _translated(), contextlib.suppress(PlaywrightTimeout):
            self._page.wait_for_function("() => WOB_DONE_GLOBAL === true", timeout=timeout_ms)

    def close(self) -> None:
        from playwright.sync_api import Error

        with contextlib.suppress(Error):  # a crashed page or browser has nothing left to close
            self._context.close()


class Browser:
    """Chromium for a whole run, relaunched when it dies; one fresh context per episode, so no
    episode sees anything an earlier one left behind."""

    def __init__(self, executable: str | Path = CHROMIUM) -> None:
        if not Path(executable).exists():
            raise ScribeAgentError(f"no Chromium at {executable} (make bench-miniwob installs Debian's)")
        self.executable = str(executable)
        self._sources = extension_sources()
        self._playwright: Any = None
        self._browser: Any = None

    def __enter__(self) -> "Browser":
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        return self

    def __exit__(self, *exc: object) -> None:
        from playwright.sync_api import Error

        if self._browser is not None:
            with contextlib.suppress(Error):  # already gone if it crashed
                self._browser.close()
        self._playwright.stop()

    def page(self) -> TaskPage:
        """A new page in a new context, on a browser that is running (relaunched if it died)."""
        if self._browser is None or not self._browser.is_connected():
            with _translated():
                self._browser = self._playwright.chromium.launch(
                    executable_path=self.executable, headless=True, args=BROWSER_ARGS
                )
        with _translated():
            context = self._browser.new_context()
            try:
                page = context.new_page()
            except BaseException:
                context.close()
                raise
        return TaskPage(context, page, self._sources)

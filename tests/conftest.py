"""What every test module shares: where the saved real pages are, the converted default model, and
the two test lanes.

`pytest` runs everything (CI does). `pytest -m "not slow"` is the fast lane for day-to-day work
(about 30 s): every module that loads a real model, a browser or torch is marked `slow`; a module
that forgets the mark shows up in the fast lane's time, not as a missing test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: ../shared/pages beside the checkout: real saved pages (also in CI); tests skip without them.
SHARED_PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"


@pytest.fixture(scope="session")
def shared_pages() -> Path:
    """The real saved pages, or a skip where this checkout has none beside it."""
    if not SHARED_PAGES.is_dir():
        pytest.skip(f"{SHARED_PAGES} is absent (shared/ lives beside the checkout)")
    return SHARED_PAGES


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache holding the embedded model converted to F16, once per test run, for every test
    that serves it (the conversion takes seconds; the person's real cache is never touched)."""
    pytest.importorskip("llama_cpp")
    from backend.model.default_model import served_default_model

    cache = tmp_path_factory.mktemp("model-cache")
    served_default_model(cache)
    return cache

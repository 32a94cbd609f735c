"""Token counting with the served model's tokenizer (vocabulary only, real llama.cpp)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.errors import ModelFileError
from backend.tokens import LlamaVocab, TokenCounter, default_counter

PAGES = Path(__file__).parents[2] / "shared" / "pages"


@pytest.fixture(scope="module")
def counter() -> LlamaVocab:
    return default_counter()


def test_default_counter_is_cached_and_a_token_counter(counter: LlamaVocab) -> None:
    assert default_counter() is counter
    assert isinstance(counter, TokenCounter)


def test_counts_match_llama_cpp_tokenize(counter: LlamaVocab) -> None:
    samples = [
        "",
        "Hello world",
        '<a href="/signin?next=%2F" node="12345">Sign in</a>',
        "  spaces   and\ttabs\n\nnew lines  ",
        "numbers 1234567 and ²½ and 3.14",
        "don't won't it's I'LL",
        "Ünïcödé café naïve 東京 مرحبا",
        "emoji 🙂 and astral 𝔘",
        "<|im_start|>user",
    ]
    for text in samples:
        assert counter.count(text) == len(counter.tokenize(text)), text
    assert counter.count("") == 0
    assert counter.count("<|im_start|>") > 1  # special tokens are plain text inside a page


def test_piecewise_counts_are_exact_on_real_pages(counter: LlamaVocab) -> None:
    """The memoized per-pre-token sum must equal one llama.cpp call on real, messy HTML."""
    if not PAGES.is_dir():
        pytest.skip(f"real pages not found at {PAGES}")
    files = sorted(PAGES.glob("*.html"))
    assert files
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")[:20000]
        assert counter.count(text) == len(counter.tokenize(text)), path.name


def test_missing_or_corrupt_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not found"):
        LlamaVocab(tmp_path / "absent.gguf")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf file at all, just bytes")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        LlamaVocab(bad)

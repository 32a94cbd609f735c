"""Token counting with the served model's tokenizer (vocabulary only, real llama.cpp)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.errors import ModelFileError
from backend.model.tokens import LlamaVocab, TokenCounter, default_counter
from tests.conftest import SHARED_PAGES

PAGES = SHARED_PAGES


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


def test_memo_counts_are_exact_on_printed_pages(counter: LlamaVocab) -> None:
    """Printed pages and word salads summed from the pre-token memo must equal one llama.cpp
    call, the first time (pre-tokens learnt) and again (remembered)."""
    import random

    from backend.dom import prune

    rng = random.Random(7)
    words = ["Hello", "12", "3rd", "'s", "don't", "<a", 'node="5"', "ñandú", "東京", "x'", "…", "--", "a1b2", "'", "0",
             "𝔘nicode", "🙂!", "²½"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(16, 60))) for _ in range(300)]
    if PAGES.is_dir():
        texts += [prune(path.read_bytes(), budget=0).html[:30000] for path in sorted(PAGES.glob("*.html"))[:12]]
    for text in texts:
        for _ in range(2):
            assert counter.count(text) == len(counter.tokenize(text)), text[:120]


def test_missing_or_corrupt_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not found"):
        LlamaVocab(tmp_path / "absent.gguf")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf file at all, just bytes")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        LlamaVocab(bad)

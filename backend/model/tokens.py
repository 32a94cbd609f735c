"""Token counting in the served model's own tokenizer, so a page budget means what the model sees.

Only the vocabulary of a GGUF is loaded (no weights), which takes a fraction of a second and a few
MB, so pruning can count exactly without waiting for the engine.

llama.cpp tokenizes at ~1 MB/s with ~45 µs per call (its pre-tokenizer regexes are compiled per
call), which would dominate pruning. For BPE vocabularies with the GPT-2 style pre-tokenizer
(SmolLM2's "smollm"), counts are therefore summed over pre-tokens: BPE never merges across a
pre-token boundary, so the sum is exact, and each distinct pre-token (" the", "=\"", "7") is
tokenized by llama.cpp once and then remembered. (Whole words are not memoized as well: that
makes re-counting a page cheaper but its first count twice as expensive, and most pages are
counted once.)
"""

from __future__ import annotations

import functools
import os
import re
import threading
import unicodedata
from typing import Protocol, runtime_checkable

from backend.errors import ModelFileError
from backend.model.model_files import bundled_model_path, check_gguf


@runtime_checkable
class TokenCounter(Protocol):
    """Anything that says how many tokens a text costs (pruning budgets are counted with it)."""

    def count(self, text: str) -> int: ...


#: Pre-tokenizers (GGUF `tokenizer.ggml.pre`) that `_pretokenizer` reproduces: every digit alone,
#: then GPT-2's regex on the rest. Others fall back to tokenizing whole texts.
_PIECEWISE_PRE = frozenset({"smollm"})
#: Distinct pre-tokens remembered before the memo starts over (a few MB).
_MEMO_LIMIT = 200_000
_SEPARATOR = "0"
_DIGIT = re.compile(r"\d")


@functools.lru_cache(maxsize=1)
def _pretokenizer() -> re.Pattern[str]:
    """llama.cpp's "smollm" pre-tokenization as one Python regex over the Basic Multilingual Plane.

    Digits are split one by one first, so GPT-2's `\\s+(?!\\S)` must treat a following digit as the
    end of the text. `\\p{L}`/`\\p{N}` are spelled as code-point classes built from unicodedata.
    (Classes over all of Unicode would make the regex ~6x slower; astral text is rare and is
    tokenized whole instead.) Words, most of the pre-tokens, are tried first; alternatives that
    can match at the same place keep GPT-2's order (a contraction before the punctuation it starts
    with, " word" before bare whitespace), so the pieces are the same, found ~25% faster.
    """
    letters: list[str] = []
    numbers: list[str] = []
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))[0]
        if cat == "L":
            letters.append(chr(cp))
        elif cat == "N":
            numbers.append(chr(cp))
    L = _char_class(letters)
    N = _char_class(numbers)
    return re.compile(
        rf" ?[{L}]+|[{N}]|'(?:s|t|re|ve|m|ll|d)| ?[^\s{L}{N}]+|\s+(?![^\s{N}])|\s+"
    )


def _char_class(chars: list[str]) -> str:
    """A compact regex class body (ranges) for a sorted list of characters."""
    out: list[str] = []
    start = prev = ord(chars[0])
    for c in chars[1:] + [chr(0x10FFFF)]:
        cp = ord(c)
        if cp == prev + 1:
            prev = cp
            continue
        out.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        start = prev = cp
    return "".join(out)


def _astral(text: str) -> bool:
    """True when `text` has a character beyond the BMP (two UTF-16 units: cheaper than max())."""
    return not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


class LlamaVocab:
    """Counts tokens with the tokenizer stored in a GGUF file, via llama.cpp, without the weights.

    Counts exclude BOS and treat special-token spellings in page text as plain text, exactly how
    page text is tokenized inside a prompt.
    """

    def __init__(self, model_path: str | os.PathLike[str]) -> None:
        from llama_cpp import Llama  # heavy import: only when a counter is really built

        path = check_gguf(model_path)
        try:
            self._llama = Llama(model_path=str(path), vocab_only=True, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ModelFileError(f"cannot load the tokenizer of {path}: {exc}") from exc
        self.path = path
        # llama.cpp's tokenizer and the memo are shared state: one caller at a time (reentrant,
        # because counting tokenizes the pieces it has not seen yet).
        self._lock = threading.RLock()
        pre = self._llama.metadata.get("tokenizer.ggml.pre", "")
        self._pieces = _pretokenizer() if pre in _PIECEWISE_PRE else None
        self._memo: dict[str, int] = {}  # pre-token -> tokens
        self._separator: list[int] | None = None

    def tokenize(self, text: str) -> list[int]:
        """Token ids of `text` as it would appear inside a prompt (no BOS, no special tokens)."""
        data = text.encode("utf-8", errors="replace")
        with self._lock:
            return self._llama.tokenize(data, add_bos=False, special=False)

    def count(self, text: str) -> int:
        """Exact number of tokens of `text` (see the module docstring for how it stays fast)."""
        if not text:
            return 0
        if self._pieces is None or _astral(text):  # no class tables beyond the BMP
            return len(self.tokenize(text))
        pieces = self._pieces.findall(text)
        memo = self._memo
        with self._lock:
            try:
                return sum(map(memo.__getitem__, pieces))
            except KeyError:  # pre-tokens not seen yet
                self._learn(pieces)
                return sum(map(memo.__getitem__, pieces))

    def _learn(self, pieces: list[str]) -> None:
        """Adds the pieces the memo lacks, counted in one call; a memo past _MEMO_LIMIT starts over."""
        memo = self._memo
        missing = set(pieces).difference(memo)
        if len(memo) + len(missing) > _MEMO_LIMIT:
            memo.clear()
            missing = set(pieces)
        memo.update(self._count_pieces(sorted(missing)))

    def _count_pieces(self, pieces: list[str]) -> dict[str, int]:
        """Token counts of many pre-tokens in one llama.cpp call.

        The pieces are joined with "0": llama.cpp splits every digit off before anything else, so
        each piece is tokenized exactly as on its own and the "0" tokens mark where pieces end.
        Pieces holding a digit are single digits (counted alone); if the marks do not line up
        (they always should), each piece is counted alone.
        """
        counts = {p: len(self.tokenize(p)) for p in pieces if _DIGIT.search(p)}
        batch = [p for p in pieces if p not in counts]
        if not batch:
            return counts
        if self._separator is None:
            self._separator = self.tokenize(_SEPARATOR)
        ids = self.tokenize(_SEPARATOR.join(batch))
        sep = self._separator
        if len(sep) == 1:
            runs: list[int] = []
            run = 0
            for token in ids:
                if token == sep[0]:
                    runs.append(run)
                    run = 0
                else:
                    run += 1
            runs.append(run)
            if len(runs) == len(batch):
                counts.update(zip(batch, runs))
                return counts
        counts.update((p, len(self.tokenize(p))) for p in batch)
        return counts


@functools.lru_cache(maxsize=1)
def default_counter() -> LlamaVocab:
    """The tokenizer of the embedded default model (cached: built once per process)."""
    return LlamaVocab(bundled_model_path())

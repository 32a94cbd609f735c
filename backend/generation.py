"""Types shared by the pipeline and the engines: a prepared request, its tokens, its timings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Optional

from backend.dom import PrunedPage
from backend.format import HistoryItem


@dataclass(frozen=True)
class ModelRequest:
    """Everything about one suggestion that does not need the model: what engines consume.

    The llama.cpp engine reads `prompt` and `grammar`; the scripted engine reads `objective`,
    `url` and `page`. `grammar` covers the answer through its `Node:` label; the pipeline then
    chooses the node under a grammar of its own (see `backend.binding`). `forced`, given the text
    generated so far, returns what the grammar dictates next (`backend.model.grammar.head_forced`):
    the engine may evaluate it as one batch instead of decoding it token by token. `history` is
    the steps already done, as the prompt shows them (the pipeline checks a click against it).
    """

    objective: str
    url: str
    page: PrunedPage
    number: int
    prompt: str
    grammar: str
    forced: Optional[Callable[[str], str]] = None
    history: Sequence[HistoryItem] = ()


@dataclass(frozen=True)
class Token:
    """One generated token: its text (may be empty mid-UTF-8) and its probability under the model."""

    text: str
    prob: float


@dataclass
class Timings:
    """What a request cost; sent to the extension and printed by the benchmarks."""

    prompt_tokens: int = 0
    cached_tokens: int = 0
    prefill_ms: float = 0.0
    ttft_ms: float = 0.0
    total_ms: float = 0.0
    generated_tokens: int = 0
    #: Of `generated_tokens`, those the grammar dictated, evaluated in batches (not decoded one by one).
    forced_tokens: int = 0
    tokens_per_s: float = 0.0

    def extend(self, later: "Timings") -> None:
        """Add a continuation's cost (the node chosen after the description) to this answer's."""
        decode_s = (self.generated_tokens / self.tokens_per_s if self.tokens_per_s else 0.0) + (
            later.generated_tokens / later.tokens_per_s if later.tokens_per_s else 0.0)
        self.generated_tokens += later.generated_tokens
        self.forced_tokens += later.forced_tokens
        self.total_ms += later.total_ms
        self.tokens_per_s = self.generated_tokens / decode_s if decode_s > 0 else 0.0

    def as_dict(self) -> dict[str, float]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


class Cancelled(Exception):
    """The request was cancelled (client gone, or a newer observation of the same session)."""

"""A fake engine for the pipeline's two-part decoding: a head it writes, then the first node allowed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Optional

from backend.format import NODE
from backend.generation import ModelRequest, Timings, Token


class TwoPartEngine:
    """Writes `head(grammar)` (or a fixed head), then the first node the node grammar allows at
    probability 0.5; records every grammar it was given."""

    def __init__(self, head: str | Callable[[str], str]) -> None:
        self.head = head if callable(head) else (lambda grammar: head)
        self.grammars: list[str] = []

    def render(self, messages: object, answer_prefix: str = "") -> str:
        return "prompt\n" + answer_prefix

    def stream(self, request: ModelRequest, *, max_tokens: int, cancel: threading.Event, timings: Timings,
               progress: Optional[Callable[[int, int], None]] = None) -> Iterator[Token]:
        self.grammars.append(request.grammar)
        if request.grammar.startswith('root ::= " "'):
            first = request.grammar.split('("', 1)[1].split("\\n", 1)[0]
            assert request.prompt.endswith(NODE.rstrip())  # continues the written head
            yield from (Token(" ", 0.9), Token(first, 0.5), Token("\n", 1.0))
        else:
            yield Token(self.head(request.grammar), 1.0)


class WordCounter:
    """Counts page tokens as words: budgets in tests without a tokenizer."""

    def count(self, text: str) -> int:
        return len(text.split())

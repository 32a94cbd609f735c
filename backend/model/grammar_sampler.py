"""Greedy decoding under a GBNF grammar that tests the model's favourite token first.

llama.cpp's grammar sampler checks every vocabulary entry against the grammar at every step,
which on a small model costs as much as the forward pass. Greedy decoding only needs to know
whether the arg-max token is allowed, and it usually is (the model follows the format); only when
it is not is the whole vocabulary filtered. The chosen token is the same either way.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

from backend.errors import GrammarError


class GreedyGrammarSampler:
    """One grammar state for one answer; `choose` then `accept` each token; `close` when done."""

    def __init__(self, vocab: Any, n_vocab: int, grammar: str) -> None:
        import llama_cpp

        self._llama = llama_cpp
        self._sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode("utf-8"), b"root")
        if not self._sampler:
            raise GrammarError("llama.cpp rejected the grammar")
        self._n_vocab = n_vocab
        self._one = (llama_cpp.llama_token_data * 1)()
        self._all = (llama_cpp.llama_token_data * n_vocab)()
        layout = np.dtype({"names": ["id", "logit", "p"], "formats": [np.intc, np.float32, np.float32],
                           "offsets": [llama_cpp.llama_token_data.id.offset, llama_cpp.llama_token_data.logit.offset,
                                       llama_cpp.llama_token_data.p.offset],
                           "itemsize": ctypes.sizeof(llama_cpp.llama_token_data)})
        self._all_view = np.frombuffer(self._all, dtype=layout)

    def _apply(self, data: ctypes.Array, size: int) -> None:
        llama = self._llama
        array = llama.llama_token_data_array(
            data=ctypes.cast(data, ctypes.POINTER(llama.llama_token_data)), size=size, selected=-1, sorted=False
        )
        llama.llama_sampler_apply(self._sampler, ctypes.byref(array))

    def allows(self, token: int) -> bool:
        """True if the grammar accepts `token` next (one entry checked, nothing advanced)."""
        self._one[0].id = token
        self._one[0].logit = 0.0
        self._apply(self._one, 1)
        return bool(np.isfinite(self._one[0].logit))

    def choose(self, logits: np.ndarray) -> int:
        """The highest-logit token the grammar allows next."""
        token = int(np.argmax(logits))
        self._one[0].id = token
        self._one[0].logit = float(logits[token])
        self._apply(self._one, 1)
        if np.isfinite(self._one[0].logit):
            return token
        self._all_view["id"] = np.arange(self._n_vocab, dtype=np.intc)
        self._all_view["logit"] = logits
        self._apply(self._all, self._n_vocab)
        best = int(np.argmax(self._all_view["logit"]))
        if not np.isfinite(self._all_view["logit"][best]):
            raise GrammarError("the grammar allows no token here")
        return int(self._all_view["id"][best])

    def accept(self, token: int) -> None:
        """Advance the grammar past `token` (which `choose` returned)."""
        self._llama.llama_sampler_accept(self._sampler, token)

    def close(self) -> None:
        if self._sampler:
            self._llama.llama_sampler_free(self._sampler)
            self._sampler = None

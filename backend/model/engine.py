"""The llama.cpp engine: load a GGUF (+ LoRA), render the chat template, stream grammar-bound tokens.

One `LlamaEngine` holds one model and one KV cache and is driven by one thread at a time (the
server's inference worker). Consecutive prompts that share a prefix (same objective and page,
one more history step) reuse the cached prefix. Prefill runs in chunks so a cancel takes effect
within one batch, decoding checks it before every token.
"""

from __future__ import annotations

import codecs
import ctypes
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np

from backend.constants import GGUF_KEY_ADAPTER, GGUF_KEY_BASE_MODEL, GGUF_KEY_FORMAT_VERSION, GGUF_KEY_TRAINING_DATA
from backend.errors import ContextOverflow, ModelFileError
from backend.generation import Cancelled, ModelRequest, Timings, Token
from backend.model.grammar_sampler import GreedyGrammarSampler
from backend.model.model_files import check_gguf

if TYPE_CHECKING:
    from llama_cpp import Llama

log = logging.getLogger(__name__)

#: Prompt tokens evaluated between two cancel checks (also llama.cpp's batch size).
PREFILL_CHUNK = 256


@dataclass
class EngineInfo:
    """What `/health` reports about the served model."""

    name: str
    quantization: str
    n_ctx: int
    path: str
    lora: Optional[str] = None
    #: `lora` is merged into the weights at `path` (`backend.model.merged_adapter`), not applied at run time.
    lora_merged: bool = False
    metadata: dict[str, str] = field(default_factory=dict)


def ftype_name(file_type: int) -> str:
    """llama.cpp's name for a `general.file_type` value, read from llama_cpp's own constants."""
    import llama_cpp

    for attr in dir(llama_cpp):
        if attr.startswith("LLAMA_FTYPE_") and getattr(llama_cpp, attr) == file_type:
            return attr.removeprefix("LLAMA_FTYPE_").removeprefix("MOSTLY_").removeprefix("ALL_")
    return f"type {file_type}"


class LlamaEngine:
    """A GGUF model served by llama.cpp. Not thread-safe: one caller at a time."""

    def __init__(
        self,
        model_path: str | Path,
        *,
        lora_path: str | Path | None = None,
        lora_scale: float = 1.0,
        n_ctx: int,
        n_threads: int | None = None,
        gpu_layers: int = 0,
    ) -> None:
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        path = check_gguf(model_path)
        lora = check_gguf(lora_path, what="LoRA adapter") if lora_path else None
        try:
            self._llm: Llama = Llama(
                model_path=str(path),
                lora_path=str(lora) if lora else None,
                lora_scale=lora_scale,
                n_ctx=n_ctx,
                n_batch=PREFILL_CHUNK,
                n_ubatch=PREFILL_CHUNK,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                n_gpu_layers=gpu_layers,
                flash_attn=True,  # ~20% faster prefill of a 1K-token page on the CPU (bench_latency)
                # Read into memory, not mapped: a model file deleted, replaced or truncated under a
                # running server (an upgrade, a full disk, a cleanup) cannot take it down with SIGBUS.
                use_mmap=False,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelFileError(f"llama.cpp could not load {path}{f' with adapter {lora}' if lora else ''}: {exc}") from exc
        meta = dict(self._llm.metadata)
        template = meta.get("tokenizer.chat_template")
        if not template:
            raise ModelFileError(f"{path} has no chat template (tokenizer.chat_template); export it with one")
        eos_id = self._llm.token_eos()
        self._eos_id = eos_id
        bos_id = self._llm.token_bos()
        self._eos_text = self._piece(eos_id) if eos_id >= 0 else ""
        self._bos_text = self._piece(bos_id) if bos_id >= 0 else ""
        self._formatter = Jinja2ChatFormatter(template=template, eos_token=self._eos_text, bos_token=self._bos_text)
        self._vocab = self._llm._model.vocab
        #: The text of the last prompt plus what was generated after it, and its token ids: a
        #: prompt that continues it exactly (the node after the description, see
        #: `backend.pipeline`) reuses these ids instead of re-tokenizing, so writing an answer in
        #: two parts gives the tokens one pass would.
        self._written: tuple[str, list[int]] = ("", [])
        #: Evaluate the text the grammar dictates in batches (see `stream`); off, every answer token
        #: is decoded one by one, as llama.cpp's own generation does (parity tests and benchmarks).
        self.fast_forward = True
        self.info = EngineInfo(
            name=meta.get("general.name") or path.stem,
            quantization=ftype_name(int(meta.get("general.file_type", -1))),
            n_ctx=self._llm.n_ctx(),
            path=str(path),
            lora=str(lora) if lora else None,
            metadata={k: v for k, v in meta.items()
                      if k in (GGUF_KEY_FORMAT_VERSION, GGUF_KEY_BASE_MODEL, GGUF_KEY_ADAPTER, GGUF_KEY_TRAINING_DATA)},
        )

    # --- tokens -------------------------------------------------------------------------------
    def _piece(self, token: int) -> str:
        return self._llm.detokenize([token], special=True).decode("utf-8", errors="replace")

    def count(self, text: str) -> int:
        """Length of `text` in this model's tokens (the pruner's budget unit)."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def render(self, messages: Sequence[dict[str, str]], answer_prefix: str = "") -> str:
        """The chat template applied to `messages`, opened for the assistant, plus `answer_prefix`."""
        rendered = self._formatter(messages=list(messages)).prompt
        return rendered + answer_prefix

    def tokenize_prompt(self, prompt: str) -> list[int]:
        """Prompt tokens; BOS is added only when the model wants it and the template did not."""
        add_bos = not (self._bos_text and prompt.startswith(self._bos_text))
        return self._llm.tokenize(prompt.encode("utf-8"), add_bos=add_bos, special=True)

    # --- generation -----------------------------------------------------------------------------
    def _prefill(self, tokens: list[int], cancel: threading.Event,
                 progress: Optional[Callable[[int, int], None]] = None) -> int:
        """Evaluate all prompt tokens, reusing the cached prefix; returns how many were reused.
        `progress(done, total)` hears after the reuse and after each chunk."""
        llm = self._llm
        cached = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens], tokens):
            if a != b:
                break
            cached += 1
        # Re-decode at least the last prompt token: its logits are what the first sample reads.
        cached = min(cached, len(tokens) - 1)
        llm.n_tokens = cached
        if progress:
            progress(cached, len(tokens))
        for start in range(cached, len(tokens), PREFILL_CHUNK):
            if cancel.is_set():
                raise Cancelled()
            llm.eval(tokens[start : start + PREFILL_CHUNK])
            if progress:
                progress(min(start + PREFILL_CHUNK, len(tokens)), len(tokens))
        return cached

    def _last_logits(self) -> np.ndarray:
        import llama_cpp

        ptr = llama_cpp.llama_get_logits_ith(self._llm.ctx, -1)
        n_vocab = self._llm.n_vocab()
        return np.ctypeslib.as_array(ctypes.cast(ptr, ctypes.POINTER(ctypes.c_float)), shape=(n_vocab,))

    def stream(
        self,
        request: ModelRequest,
        *,
        max_tokens: int,
        cancel: threading.Event,
        timings: Timings,
        progress: Optional[Callable[[int, int], None]] = None,
    ) -> Iterator[Token]:
        """Greedy, grammar-constrained tokens for the request's prompt; fills `timings` as it goes.

        Each chosen token's probability is taken from the model's full distribution *before* the
        grammar masks it, so a low value means the model itself would rather have said something
        else. Text the grammar dictates (`request.forced`) is not decoded token by token: its
        tokens join the next batch, carry probability 1.0, and the answer ends, undecoded, the
        moment its grammar is complete. The answer is the one token-by-token decoding writes
        (`fast_forward = False` does that; `tests/test_pipeline.py` compares both).
        """
        import llama_cpp

        start = time.perf_counter()
        text, ids = self._written
        tokens = list(ids) if ids and request.prompt == text else self.tokenize_prompt(request.prompt)
        if len(tokens) + max_tokens > self.info.n_ctx:
            raise ContextOverflow(
                f"prompt is {len(tokens)} tokens; with {max_tokens} to generate it exceeds the "
                f"context of {self.info.n_ctx} (lower the page budget or raise --n-ctx)"
            )
        timings.prompt_tokens = len(tokens)
        sampler = GreedyGrammarSampler(self._vocab, self._llm.n_vocab(), request.grammar)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        answer: list[str] = []
        self._written = ("", [])
        forced_count = 0
        gen_start = start

        def emit(token: int) -> str:
            piece = decoder.decode(self._llm.detokenize([token], special=False))
            tokens.append(token)
            answer.append(piece)
            return piece

        try:
            # What the grammar dictates before the model's first choice is prefilled with the prompt.
            lead = self._forced(request, "", tokens, sampler, max_tokens)
            prompt_len = len(tokens)
            tokens.extend(lead)
            # progress counts the prompt (as `prompt_tokens` does), not the dictated text after it
            report = (lambda done, _total: progress(min(done, prompt_len), prompt_len)) if progress else None
            timings.cached_tokens = min(self._prefill(tokens, cancel, report), prompt_len)
            del tokens[prompt_len:]
            timings.prefill_ms = (time.perf_counter() - start) * 1000
            gen_start = time.perf_counter()
            for token in lead:
                forced_count += 1
                yield Token(emit(token), 1.0)
            chosen = 0
            while len(answer) < max_tokens and not self._complete(sampler):
                logits = self._last_logits()
                token = sampler.choose(logits)
                if llama_cpp.llama_vocab_is_eog(self._vocab, token):
                    break
                sampler.accept(token)
                top = float(logits.max())
                prob = math.exp(float(logits[token]) - top - math.log(float(np.exp(logits - top).sum())))
                chosen += 1
                if chosen == 1:
                    timings.ttft_ms = (time.perf_counter() - start) * 1000
                batch_start = len(tokens)
                yield Token(emit(token), prob)
                for forced in self._forced(request, "".join(answer), tokens, sampler, max_tokens - len(answer)):
                    forced_count += 1
                    yield Token(emit(forced), 1.0)
                if len(answer) >= max_tokens or self._complete(sampler):
                    break  # complete: what is left unevaluated, the next prompt that continues it evaluates
                if cancel.is_set():
                    raise Cancelled()
                self._llm.eval(tokens[batch_start:])
            self._written = (request.prompt + "".join(answer), tokens)
        finally:
            sampler.close()
            timings.generated_tokens = len(answer)
            timings.forced_tokens = forced_count
            elapsed = time.perf_counter() - gen_start
            timings.tokens_per_s = len(answer) / elapsed if elapsed > 0 else 0.0
            timings.total_ms = (time.perf_counter() - start) * 1000

    def _complete(self, sampler: GreedyGrammarSampler) -> bool:
        """True once the grammar may end: every grammar here then must (`backend.model.grammar`)."""
        return self._eos_id >= 0 and sampler.allows(self._eos_id)

    def _forced(self, request: ModelRequest, written: str, tokens: list[int], sampler: GreedyGrammarSampler,
                room: int) -> list[int]:
        """The tokens of what the grammar dictates after `written`, accepted by `sampler`; [] when
        fast-forwarding is off, nothing is dictated, or the dictated text would not tokenize as
        it does in one pass over the whole answer (then the model decodes it as usual)."""
        if not (self.fast_forward and request.forced):
            return []
        text = request.forced(written)
        if not text:
            return []
        llm = self._llm
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        tail = tokens[-2:]
        tail_text = llm.detokenize(tail, special=False)
        before = llm.tokenize(tail_text, add_bos=False, special=False)
        if before != tail or llm.tokenize(tail_text + text.encode("utf-8"), add_bos=False, special=False) != tail + ids:
            return []
        accepted: list[int] = []
        for token in ids[:room]:
            if not sampler.allows(token):
                break
            sampler.accept(token)
            accepted.append(token)
        return accepted

    def reset(self) -> None:
        """Forget the KV cache, so the next request prefills from nothing (benchmarks measure the
        first request on a page this way)."""
        self._llm.reset()
        self._written = ("", [])

    def close(self) -> None:
        """Free the model now rather than at garbage collection (tests load several)."""
        self._llm.close()


def load_engine(
    model_path: str | Path | None = None,
    *,
    lora: str | Path | None = None,
    lora_scale: float = 1.0,
    merge: bool = True,
    model_format: str = "f16",
    n_ctx: int | None = None,
    n_threads: int | None = None,
    gpu_layers: int = 0,
    cache_dir: str | Path | None = None,
) -> LlamaEngine:
    """Load `model_path`, or the embedded default (converted once to F16 in `cache_dir`); `n_ctx`
    None is the serve default (`Settings.n_ctx`).

    A `lora` on the embedded base is merged into a cached copy of it when `merge` (faster, and
    verified to answer as the adapter applied at run time, `backend.model.merged_adapter`); the
    embedded model (merged or not) is then loaded in `model_format` (the server passes
    `Settings.model_format`, "auto": Q8_0 on a llama.cpp build with AMX kernels, F16 elsewhere;
    `backend.model.served_format`). When a merge or a conversion cannot be made, the run-time
    adapter / the F16 is served instead and the log says why.
    """
    from backend.config import default
    from backend.model.default_model import cache_root, is_served_default, served_default_model
    from backend.model.served_format import quantized_copy, served_format

    path = Path(model_path) if model_path else served_default_model(cache_dir)
    n_ctx = n_ctx if n_ctx is not None else int(default("n_ctx"))  # type: ignore[call-overload]
    embedded, merged = is_served_default(path, cache_dir), False
    if lora and merge and embedded:
        from backend.model.merged_adapter import merged_model

        try:
            path, merged = merged_model(path, check_gguf(lora, what="LoRA adapter"), cache_root(cache_dir), lora_scale), True
        except ModelFileError as exc:
            log.warning("applying %s at run time: %s", lora, exc)
    if embedded:
        try:
            path = quantized_copy(path, served_format(model_format))
        except ModelFileError as exc:
            log.warning("serving %s as F16: %s", path.name, exc)
    engine = LlamaEngine(path, lora_path=None if merged else lora, lora_scale=lora_scale, n_ctx=n_ctx,
                         n_threads=n_threads, gpu_layers=gpu_layers)
    if merged:
        engine.info.lora, engine.info.lora_merged = str(lora), True
    return engine

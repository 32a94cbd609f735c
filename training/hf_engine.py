"""A transformers model behind the pipeline's engine interface, for evaluating HF checkpoints.

`backend.pipeline.Suggester` takes any engine with `count`, `render` and `stream`; this one lets a
base directory (+ a peft adapter) go through exactly the pruning, prompt and parsing the server
uses, before anything is exported to GGUF. Generation is greedy; unlike llama.cpp there is no
grammar, so an invalid node or a malformed answer counts against the model, as it should.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Optional

from backend.errors import ModelFileError
from backend.generation import Cancelled, ModelRequest, Timings, Token


class HFEngine:
    """Greedy generation with a transformers causal LM (optionally with a peft adapter)."""

    def __init__(self, model_path: str | Path, *, adapter: str | Path | None = None, threads: int | None = None) -> None:
        import torch

        from training.train import load_base

        if threads:
            torch.set_num_threads(threads)
        model, self.tokenizer = load_base(str(model_path))
        if adapter:
            from peft import PeftModel

            if not Path(adapter).is_dir():
                raise ModelFileError(f"adapter directory not found: {adapter}")
            model = PeftModel.from_pretrained(model, str(adapter))
        self.model = model.eval()
        self.name = f"{Path(model_path).name}" + (f"+{Path(adapter).name}" if adapter else "")

    def count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"]) if text else 0

    def render(self, messages: Sequence[dict[str, str]], answer_prefix: str = "") -> str:
        prompt = self.tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, tokenize=False)
        return prompt + answer_prefix

    def stream(self, request: ModelRequest, *, max_tokens: int, cancel: threading.Event, timings: Timings,
               progress: Optional[Callable[[int, int], None]] = None) -> Iterator[Token]:
        """Token by token with a KV cache; each token's probability is its softmax under the model."""
        import torch

        start = time.perf_counter()
        ids = torch.tensor([self.tokenizer(request.prompt, add_special_tokens=False)["input_ids"]])
        timings.prompt_tokens = ids.shape[1]
        eos = {self.tokenizer.eos_token_id, *(self._end_ids())}
        past: Any = None
        produced = 0
        generated: list[int] = []
        shown = ""
        with torch.no_grad():
            step_input = ids
            while produced < max_tokens:
                if cancel.is_set():
                    raise Cancelled()
                out = self.model(input_ids=step_input, past_key_values=past, use_cache=True)
                past = out.past_key_values
                probs = torch.softmax(out.logits[0, -1].float(), dim=-1)
                token = int(probs.argmax())
                if produced == 0:
                    timings.prefill_ms = timings.ttft_ms = (time.perf_counter() - start) * 1000
                    if progress:
                        progress(timings.prompt_tokens, timings.prompt_tokens)
                if token in eos:
                    break
                produced += 1
                generated.append(token)
                text = self.tokenizer.decode(generated)
                if text.endswith("\ufffd"):  # mid-UTF-8: the next token completes the character
                    piece = ""
                else:
                    piece, shown = text[len(shown):], text
                yield Token(piece, float(probs[token]))
                step_input = torch.tensor([[token]])
        timings.generated_tokens = produced
        timings.total_ms = (time.perf_counter() - start) * 1000
        gen_s = (timings.total_ms - timings.prefill_ms) / 1000
        timings.tokens_per_s = produced / gen_s if gen_s > 0 else 0.0

    def _end_ids(self) -> list[int]:
        """End-of-turn tokens of chat templates ("<|im_end|>" etc.) also end the answer."""
        ids = []
        for text in ("<|im_end|>", "<|eot_id|>", "<|end|>"):
            tid = self.tokenizer.convert_tokens_to_ids(text)
            if isinstance(tid, int) and tid != self.tokenizer.unk_token_id:
                ids.append(tid)
        return ids

    def close(self) -> None:
        self.model = None

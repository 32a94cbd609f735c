"""Settings in, a ready `Suggester` out: the one place that turns serve settings into a model.

The server, `scribeagent suggest` and the MiniWoB++ harness all serve what `scribeagent serve`
would serve; loading it in one function keeps them from drifting apart (a flag honoured by one
and forgotten by another is a benchmark that measures something nobody runs).
"""

from __future__ import annotations

from typing import Any

from backend.config import Settings
from backend.model.engine import load_engine
from backend.pipeline import Suggester
from backend.model.scripted_engine import ScriptedEngine
from backend.model.tokens import LlamaVocab, TokenCounter, default_counter


def load_suggester(settings: Settings) -> Suggester:
    """The scripted engine or the llama.cpp model (with the LoRA `Settings.served_lora` picks), its
    token counter and the page budgets of `settings`. Raises `ScribeAgentError` for a missing or
    broken model file."""
    if settings.scripted:
        engine: Any = ScriptedEngine.from_file(settings.scripted)
        counter: TokenCounter = default_counter()
    else:
        engine = load_engine(settings.model, lora=settings.served_lora(), lora_scale=settings.lora_scale,
                             merge=settings.merge_adapter, model_format=settings.model_format,
                             n_ctx=settings.n_ctx, n_threads=settings.threads, gpu_layers=settings.gpu_layers,
                             cache_dir=settings.cache_dir)
        counter = LlamaVocab(engine.info.path)
    return Suggester(engine, counter, budget=settings.budget, small_budget=settings.small_budget,
                     max_new_tokens=settings.max_new_tokens)

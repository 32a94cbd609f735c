"""Fold a LoRA adapter into its base and save a plain HF directory for the GGUF converter.

Merging happens in float32 so the only rounding left is the converter's single cast to F16; the
reference the parity check compares against is the same float32 base with the adapter unmerged.
"""

from __future__ import annotations

from pathlib import Path

from backend.errors import ModelFileError
from quantize.adapter import Adapter, check_tokenizer
from quantize.base_model import BaseModel, load_hf_model, save_clean_hf_dir


def load_with_adapter(base: BaseModel, adapter: Adapter | None, *, merge: bool) -> tuple[object, object]:
    """(model, tokenizer): the float32 base with `adapter` applied (merged, or as a peft wrapper)."""
    from peft import PeftModel

    model, tokenizer = load_hf_model(base)
    if adapter is None:
        return model, tokenizer
    check_tokenizer(adapter, tokenizer)
    try:
        wrapped = PeftModel.from_pretrained(model, adapter.path)
    except (RuntimeError, ValueError, KeyError) as exc:
        # size mismatches and unknown target modules surface here; say which files disagree
        raise ModelFileError(f"adapter {adapter.path} does not fit base {base.path}: {exc}") from exc
    wrapped.eval()
    # merge_and_unload mutates the base in place: the unmerged wrapper is unusable afterwards.
    return (wrapped.merge_and_unload() if merge else wrapped), tokenizer


def merged_hf_dir(base: BaseModel, adapter: Adapter | None, work_dir: Path) -> Path:
    """An HF directory holding base (+ merged adapter); the base itself when nothing must change."""
    if adapter is None and not base.is_gguf:
        return base.path
    model, tokenizer = load_with_adapter(base, adapter, merge=True)
    return save_clean_hf_dir(model, tokenizer, work_dir / "merged")

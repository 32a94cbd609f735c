"""A peft LoRA adapter directory: found, read and judged before any export uses it.

Two exports consume adapters with different needs. Merging (`peft.merge_and_unload`) is exact for
every LoRA variant peft implements. A GGUF adapter is applied by llama.cpp as `W x + s * B A x`
with `s = alpha / r` for every tensor, so only plain LoRA survives the trip; rsLoRA's
`alpha / sqrt(r)`, DoRA's magnitude vector, per-module alphas, trained biases or fully trained
modules would be silently dropped or mis-scaled — `require_plain_lora` refuses them by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.errors import ModelFileError

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")

#: adapter_config.json settings llama.cpp's LoRA loader cannot reproduce: (key, is-set test, why).
_GGUF_UNSUPPORTED: tuple[tuple[str, Any, str], ...] = (
    ("use_rslora", bool, "rsLoRA scales by alpha/sqrt(r); llama.cpp scales by alpha/r"),
    ("use_dora", bool, "DoRA's magnitude vector has no GGUF adapter form"),
    ("alpha_pattern", bool, "llama.cpp has one alpha per adapter, not one per module"),
    ("modules_to_save", bool, "fully trained modules are not low-rank deltas"),
    ("trainable_token_indices", bool, "trained token rows are not low-rank deltas"),
    ("lora_bias", bool, "trained LoRA biases are not part of llama.cpp's LoRA"),
    ("fan_in_fan_out", bool, "transposed (Conv1D) layouts are not supported"),
    ("target_parameters", bool, "LoRA on raw parameters is not supported"),
    ("use_qalora", bool, "QA-LoRA pools inputs; llama.cpp does not"),
    ("alora_invocation_tokens", bool, "activated LoRA is not supported by this exporter"),
    ("layer_replication", bool, "replicated layers do not exist in the base GGUF"),
)


@dataclass(frozen=True)
class Adapter:
    """A peft adapter directory and its parsed config."""

    path: Path
    config: dict[str, Any]

    @property
    def rank(self) -> int:
        return int(self.config["r"])

    @property
    def alpha(self) -> float:
        return float(self.config["lora_alpha"])

    @property
    def weights_file(self) -> Path:
        return self.path / ADAPTER_WEIGHTS


def read_adapter(path: str | Path) -> Adapter:
    """Check that `path` is a saved peft LoRA adapter (config + safetensors weights)."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError(f"adapter not found: {p}")
    config_file = p / ADAPTER_CONFIG
    if not p.is_dir() or not config_file.is_file():
        raise ModelFileError(f"{p} is not a peft adapter directory (no {ADAPTER_CONFIG})")
    if not (p / ADAPTER_WEIGHTS).is_file():
        raise ModelFileError(f"adapter {p} has no {ADAPTER_WEIGHTS}; save it with peft's save_pretrained")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ModelFileError(f"{config_file} is not valid JSON: {exc}") from exc
    _check_weights_readable(p / ADAPTER_WEIGHTS)
    peft_type = config.get("peft_type")
    if peft_type != "LORA":
        raise ModelFileError(f"adapter {p} is of type {peft_type!r}; only LoRA adapters can be exported")
    return Adapter(path=p, config=config)


def _check_weights_readable(weights: Path) -> None:
    """Open the safetensors header (cheap): a truncated copy fails here, not mid-export."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(weights), framework="pt") as fh:
            fh.keys()
    except (SafetensorError, OSError) as exc:
        raise ModelFileError(f"adapter weights {weights} are unreadable (truncated or corrupt?): {exc}") from exc


def require_plain_lora(adapter: Adapter) -> None:
    """Refuse LoRA variants a GGUF adapter would silently change (see module docstring)."""
    for key, is_set, why in _GGUF_UNSUPPORTED:
        if is_set(adapter.config.get(key)):
            raise ModelFileError(
                f"adapter {adapter.path} uses {key}: {why}. Export a merged model instead "
                "(`scribeagent export`), which applies every LoRA variant exactly"
            )
    if adapter.config.get("bias", "none") != "none":
        raise ModelFileError(f"adapter {adapter.path} trains biases (bias={adapter.config['bias']!r}); "
                             "llama.cpp LoRA adapters carry no biases. Export a merged model instead")


def check_tokenizer(adapter: Adapter, base_tokenizer: Any) -> None:
    """If the adapter directory carries a tokenizer, it must be the base's: an adapter trained on
    other token ids would produce garbage through the base's vocabulary without any error."""
    if not any((adapter.path / name).is_file() for name in _TOKENIZER_FILES):
        return
    from transformers import AutoTokenizer

    theirs = AutoTokenizer.from_pretrained(adapter.path)
    ours_vocab, their_vocab = base_tokenizer.get_vocab(), theirs.get_vocab()
    if ours_vocab != their_vocab:
        differing = len(set(ours_vocab.items()) ^ set(their_vocab.items()))
        raise ModelFileError(
            f"adapter {adapter.path} was trained with a different tokenizer than the base "
            f"({len(their_vocab)} vs {len(ours_vocab)} tokens, {differing} entries differ); "
            "export it with the base it was trained on"
        )
    if (theirs.chat_template or None) != (base_tokenizer.chat_template or None):
        raise ModelFileError(
            f"adapter {adapter.path} was trained with a different chat template than the base; "
            "export it with the base it was trained on"
        )

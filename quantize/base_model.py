"""The base model of an export: an HF directory or a GGUF file, checked before anything loads it.

A base may be a GGUF because the embedded SmolLM2 ships only as one. transformers can load a GGUF
(`gguf_file=`, dequantized to float) but refuses to `save_pretrained` such a model, and the GGUF
converter needs an HF directory, so `save_clean_hf_dir` rebuilds the model from a clean config and
copies the weights over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.errors import ModelFileError

#: HF architecture → llama.cpp architecture, for the bases whose export parity is proven by tests.
#: Other architectures may convert fine, but an export we have not measured is refused rather than
#: shipped on faith.
SUPPORTED_ARCHITECTURES: dict[str, str] = {
    # SmolLM2 (the embedded default), Llama 2/3: the converter permutes q/k rows for rotary layout.
    "LlamaForCausalLM": "llama",
    # Qwen2 / Qwen2.5: q/k/v biases, no permutation.
    "Qwen2ForCausalLM": "qwen2",
}
_HF_BY_GGUF = {v: k for k, v in SUPPORTED_ARCHITECTURES.items()}


@dataclass(frozen=True)
class BaseModel:
    """A resolved base: where it is, what it is, and the shapes LoRA export needs."""

    path: Path
    is_gguf: bool
    architecture: str  # HF name, a key of SUPPORTED_ARCHITECTURES
    n_layer: int
    n_head: int
    n_kv_head: int

    @property
    def gguf_architecture(self) -> str:
        return SUPPORTED_ARCHITECTURES[self.architecture]


def _unsupported(arch: str, where: Path) -> ModelFileError:
    names = ", ".join(sorted(SUPPORTED_ARCHITECTURES))
    return ModelFileError(f"architecture {arch!r} of {where} is not supported for export (supported: {names})")


def _gguf_field(metadata: dict[str, Any], key: str, path: Path) -> Any:
    if key not in metadata:
        raise ModelFileError(f"GGUF file {path} lacks metadata {key}; is it a language model?")
    return metadata[key]


def _resolve_gguf(path: Path) -> BaseModel:
    from quantize.gguf_meta import read_header

    meta = read_header(path).metadata
    arch = _gguf_field(meta, "general.architecture", path)
    if arch not in _HF_BY_GGUF:
        raise _unsupported(arch, path)
    n_head = int(_gguf_field(meta, f"{arch}.attention.head_count", path))
    return BaseModel(
        path=path,
        is_gguf=True,
        architecture=_HF_BY_GGUF[arch],
        n_layer=int(_gguf_field(meta, f"{arch}.block_count", path)),
        n_head=n_head,
        n_kv_head=int(meta.get(f"{arch}.attention.head_count_kv", n_head)),
    )


def _resolve_hf_dir(path: Path) -> BaseModel:
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelFileError(f"base model directory {path} has no config.json; is it a Hugging Face model?")
    config = json.loads(config_file.read_text(encoding="utf-8"))
    archs = config.get("architectures") or [config.get("model_type", "unknown")]
    if archs[0] not in SUPPORTED_ARCHITECTURES:
        raise _unsupported(archs[0], path)
    n_head = int(config["num_attention_heads"])
    return BaseModel(
        path=path,
        is_gguf=False,
        architecture=archs[0],
        n_layer=int(config["num_hidden_layers"]),
        n_head=n_head,
        n_kv_head=int(config.get("num_key_value_heads") or n_head),
    )


def resolve_base(path: str | Path) -> BaseModel:
    """Check that `path` is a supported HF directory or GGUF file; cheap (reads metadata only)."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError(f"base model not found: {p}")
    return _resolve_hf_dir(p) if p.is_dir() else _resolve_gguf(p)


def load_hf_model(base: BaseModel, dtype: Any = None) -> tuple[Any, Any]:
    """(model, tokenizer) in `dtype` (float32 by default), in eval mode: the one loader that
    training, export, merge and the parity bench share. A GGUF base is dequantized by transformers
    and rebuilt as a plain model from a clean config (see module docstring): transformers still
    marks a dequantized GGUF as quantized, and the Trainer and `save_pretrained` refuse that."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    dtype = dtype or torch.float32
    try:
        if not base.is_gguf:
            model = AutoModelForCausalLM.from_pretrained(base.path, dtype=dtype)
            return model.eval(), AutoTokenizer.from_pretrained(base.path)
        folder, name = base.path.parent, base.path.name
        loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=dtype)
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"cannot load base model {base.path}: {exc}") from exc
    config_dict = loaded.config.to_dict()
    for key in ("quantization_config", "_name_or_path", "_model_name_or_path", "transformers_version"):
        config_dict.pop(key, None)
    config_dict["architectures"] = [base.architecture]
    config = AutoConfig.for_model(**config_dict)
    model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    return model.eval(), tokenizer


def save_clean_hf_dir(model: Any, tokenizer: Any, out_dir: Path) -> Path:
    """Save `model` + `tokenizer` as an HF directory the GGUF converter can read."""
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir

"""GGUF LoRA adapter → peft adapter directory: the inverse of `adapter_gguf`, so training can go on.

The shipped model is a GGUF adapter under `models/`; the peft directory it was exported from lives
in an ignored `runs/` folder that a later session (or a fresh clone) does not have. Compute only
accumulates across sessions if the committed file itself can be warm-started from, so this module
turns it back into what `PeftModel.from_pretrained` reads: plain LoRA (llama.cpp's only kind), one
alpha, the rank read off the tensors, q/k `lora_b` rows un-permuted back to the HF layout. Module
names come from the base's own architecture (built on the meta device, no weights loaded) mapped
through gguf's name map, the same map export uses, so `export(import(x)) == x` tensor for tensor.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from backend.constants import GGUF_KEY_TRAINING_DATA, TRAINING_SUMMARY_FILE
from backend.errors import ModelFileError
from quantize.adapter import ADAPTER_WEIGHTS
from quantize.adapter_gguf import permutation
from quantize.base_model import BaseModel

_PEFT_PREFIX = "base_model.model."


def unpermute(weights: Any, n_head: int, n_kv_head: int) -> Any:
    """Undo the converter's rotary row permutation (`LlamaModel.permute`) of a q/k matrix: its
    rows are grouped by `n_kv_head` heads when that differs from `n_head` (k), else by `n_head` (q)."""
    heads = n_kv_head
    return weights.reshape(heads, weights.shape[0] // heads // 2, 2, *weights.shape[1:]).swapaxes(1, 2).reshape(
        weights.shape)


def _module_names(base: BaseModel) -> dict[str, str]:
    """GGUF tensor stem (`blk.0.attn_q`) → HF module name, for every linear layer of the base."""
    import gguf
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    if base.is_gguf:
        config = AutoConfig.from_pretrained(base.path.parent, gguf_file=base.path.name)
    else:
        config = AutoConfig.from_pretrained(base.path)
    with torch.device("meta"):
        skeleton = AutoModelForCausalLM.from_config(config)
    arch = next(a for a, name in gguf.MODEL_ARCH_NAMES.items() if name == base.gguf_architecture)
    name_map = gguf.get_tensor_name_map(arch, base.n_layer)
    names: dict[str, str] = {}
    for module, layer in skeleton.named_modules():
        if isinstance(layer, torch.nn.Linear):
            target = name_map.get_name(module + ".weight", try_suffixes=(".weight",))
            if target is not None:
                names[target.removesuffix(".weight")] = module
    return names


def _read(path: Path) -> tuple[float, str, dict[str, dict[str, Any]]]:
    """(alpha, training-data summary, stem → {"a": array, "b": array}) of a GGUF LoRA adapter."""
    import gguf
    import numpy as np

    try:
        reader = gguf.GGUFReader(path)
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"cannot read GGUF adapter {path}: {exc}") from exc

    def text(key: str) -> str | None:
        f = reader.fields.get(key)
        return None if f is None else bytes(f.parts[-1]).decode("utf-8")

    if text(gguf.Keys.General.TYPE) != gguf.GGUFType.ADAPTER or text(gguf.Keys.Adapter.TYPE) != "lora":
        raise ModelFileError(f"{path} is not a GGUF LoRA adapter (general.type/adapter.type)")
    alpha_field = reader.fields.get(gguf.Keys.Adapter.LORA_ALPHA)
    if alpha_field is None:
        raise ModelFileError(f"GGUF adapter {path} has no {gguf.Keys.Adapter.LORA_ALPHA}")
    pairs: dict[str, dict[str, Any]] = {}
    for tensor in reader.tensors:
        stem, dot, side = tensor.name.rpartition(".lora_")
        if not dot or side not in ("a", "b"):
            raise ModelFileError(f"GGUF adapter {path} holds {tensor.name!r}, which is not a LoRA A/B matrix")
        if tensor.tensor_type not in (gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16):
            raise ModelFileError(f"GGUF adapter {path}: {tensor.name} is {tensor.tensor_type.name}; only F32/F16 import")
        pairs.setdefault(stem.removesuffix(".weight"), {})[side] = np.array(tensor.data, dtype=np.float32)
    incomplete = sorted(s for s, ab in pairs.items() if len(ab) != 2)
    if incomplete or not pairs:
        raise ModelFileError(f"GGUF adapter {path} lacks A or B for {', '.join(incomplete) or 'every tensor'}")
    return float(alpha_field.parts[-1][0]), text(GGUF_KEY_TRAINING_DATA) or "", pairs


def import_adapter_gguf(base: BaseModel, gguf_path: Path, out: Path, *, lora_dropout: float = 0.05) -> Path:
    """Write the peft adapter directory `out` holding the GGUF adapter's weights. It appears
    complete or not at all (written beside, then renamed); an existing `out` is refused."""
    import torch
    from peft import LoraConfig
    from safetensors.torch import save_file

    if out.exists():
        raise ModelFileError(f"{out} exists; give a new directory for the imported adapter")
    alpha, summary, pairs = _read(gguf_path)
    names = _module_names(base)
    unknown = sorted(set(pairs) - set(names))
    if unknown:
        raise ModelFileError(f"GGUF adapter {gguf_path} does not fit base {base.path}: no module for {', '.join(unknown[:5])}")
    ranks = {ab["a"].shape[0] for ab in pairs.values()}
    if len(ranks) != 1:
        raise ModelFileError(f"GGUF adapter {gguf_path} mixes ranks {sorted(ranks)}; peft needs one")
    permuted = permutation(base) is not None
    tensors: dict[str, Any] = {}
    for stem, ab in pairs.items():
        module = names[stem]
        b = ab["b"]
        if permuted and module.endswith("q_proj"):
            b = unpermute(b, base.n_head, base.n_head)
        elif permuted and module.endswith("k_proj"):
            b = unpermute(b, base.n_head, base.n_kv_head)
        tensors[f"{_PEFT_PREFIX}{module}.lora_A.weight"] = torch.from_numpy(ab["a"]).contiguous()
        tensors[f"{_PEFT_PREFIX}{module}.lora_B.weight"] = torch.from_numpy(b.copy()).contiguous()
    config = LoraConfig(r=ranks.pop(), lora_alpha=alpha, lora_dropout=lora_dropout, task_type="CAUSAL_LM",
                        target_modules=sorted(names[s] for s in pairs), base_model_name_or_path=str(base.path))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    try:
        config.save_pretrained(str(tmp))
        save_file(tensors, str(tmp / ADAPTER_WEIGHTS))
        (tmp / TRAINING_SUMMARY_FILE).write_text(json.dumps({"training_data": summary}) + "\n", encoding="utf-8")
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out

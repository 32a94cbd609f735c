"""peft LoRA adapter → GGUF LoRA adapter that llama.cpp applies over any quantization of the base.

llama.cpp computes `W x + scale * alpha / r * B (A x)` for every tensor that has `<name>.lora_a`
(shape r × in) and `<name>.lora_b` (out × r), which is peft's plain LoRA. Tensor names come from
gguf's own name map, and the q/k rows of `lora_b` get the permutation the converter applies to the
q/k weights of Llama-family models (rotary layout), by calling the converter's function: otherwise
`P W + B A` would be served instead of `P (W + B A)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backend.errors import ModelFileError
from backend.model.model_files import atomic_write
from quantize.adapter import Adapter, require_plain_lora
from quantize.base_model import BaseModel
from quantize.gguf_export import converter_model_class
from quantize.provenance import Provenance

_PEFT_PREFIX = "base_model.model."


def permutation(base: BaseModel) -> Any:
    """The converter's q/k row permutation for this architecture, or None if it has none."""
    from conversion.llama import LlamaModel

    model_class = converter_model_class(base.architecture)
    if issubclass(model_class, LlamaModel) and model_class.undo_permute:
        return LlamaModel.permute
    return None


def _lora_pairs(adapter: Adapter) -> dict[str, dict[str, Any]]:
    """HF module name → {"A": tensor, "B": tensor}, from peft's saved key names."""
    from safetensors.torch import load_file

    pairs: dict[str, dict[str, Any]] = {}
    for key, tensor in load_file(adapter.weights_file).items():
        module, _, part = key.removeprefix(_PEFT_PREFIX).rpartition(".lora_")
        side = part.split(".", 1)[0]
        if not module or side not in ("A", "B"):
            raise ModelFileError(f"adapter {adapter.path} holds {key!r}, which is not a LoRA A/B matrix")
        pairs.setdefault(module, {})[side] = tensor
    incomplete = [m for m, ab in pairs.items() if len(ab) != 2]
    if incomplete:
        raise ModelFileError(f"adapter {adapter.path} lacks A or B for {', '.join(sorted(incomplete))}")
    if not pairs:
        raise ModelFileError(f"adapter {adapter.path} holds no LoRA weights")
    return pairs


def _base_shapes(base: BaseModel, name_map: Any) -> dict[str, tuple[int, int]]:
    """GGUF tensor name → (out, in) of the base's 2-D weights, read from file headers only."""
    if base.is_gguf:
        from quantize.gguf_meta import read_header

        dims = read_header(base.path).tensors
        return {name: (int(d[1]), int(d[0])) for name, d in dims.items() if len(d) == 2}
    from safetensors import safe_open

    shapes: dict[str, tuple[int, int]] = {}
    for file in sorted(base.path.glob("*.safetensors")):
        with safe_open(str(file), framework="pt") as fh:
            for key in fh.keys():
                shape = fh.get_slice(key).get_shape()
                target = name_map.get_name(key, try_suffixes=(".weight",))
                if len(shape) == 2 and target is not None:
                    shapes[target] = (int(shape[0]), int(shape[1]))
    return shapes


def lora_tensors(base: BaseModel, adapter: Adapter) -> list[tuple[str, Any]]:
    """(GGUF name, float32 array) for every lora_a / lora_b tensor, checked against the base."""
    import gguf
    import torch

    arch = next(a for a, name in gguf.MODEL_ARCH_NAMES.items() if name == base.gguf_architecture)
    name_map = gguf.get_tensor_name_map(arch, base.n_layer)
    permute = permutation(base)
    shapes = _base_shapes(base, name_map)
    out: list[tuple[str, Any]] = []
    for module, ab in sorted(_lora_pairs(adapter).items()):
        target = name_map.get_name(module + ".weight", try_suffixes=(".weight",))
        if target is None:
            raise ModelFileError(f"adapter targets {module}, which has no llama.cpp tensor in {base.gguf_architecture}")
        a, b = ab["A"].to(torch.float32), ab["B"].to(torch.float32)
        if permute is not None and module.endswith("q_proj"):
            b = permute(b, base.n_head, base.n_head)
        elif permute is not None and module.endswith("k_proj"):
            b = permute(b, base.n_head, base.n_kv_head)
        if shapes.get(target) != (b.shape[0], a.shape[1]):
            raise ModelFileError(
                f"adapter {adapter.path} does not fit base {base.path}: {module} is "
                f"{b.shape[0]}x{a.shape[1]} in the adapter but {shapes.get(target)} in the base"
            )
        out.append((f"{target}.lora_a", a.contiguous().numpy()))
        out.append((f"{target}.lora_b", b.contiguous().numpy()))
    return out


def write_adapter_gguf(base: BaseModel, adapter: Adapter, out: Path, provenance: Provenance) -> Path:
    """Write the GGUF LoRA adapter atomically to `out`."""
    import gguf

    require_plain_lora(adapter)
    tensors = lora_tensors(base, adapter)
    with atomic_write(out) as tmp:
        writer = gguf.GGUFWriter(tmp, base.gguf_architecture)
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, adapter.alpha)
        provenance.write_to(writer)
        for name, array in tensors:
            writer.add_tensor(name, array)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file(progress=True)
        writer.close()
    return out

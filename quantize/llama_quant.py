"""F16 GGUF → quantized GGUF with llama.cpp's own quantizer (through llama-cpp-python).

Using the quantizer that ships with the runtime guarantees the served file uses the block layouts
and per-tensor type choices (e.g. Q4_K_M's Q6_K for some tensors) that llama.cpp expects.
"""

from __future__ import annotations

from pathlib import Path

from backend.errors import ModelFileError
from backend.model.llama_quantizer import llama_quantize

#: Quant names accepted by `--quant` → llama.cpp `LLAMA_FTYPE_*` constant name (None: no quantization).
QUANT_TYPES: dict[str, str | None] = {
    "F16": None,  # the converter's output as is; exact up to F16 rounding
    "Q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",  # near-lossless, half of F16
    "Q5_K_M": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "Q4_K_M": "LLAMA_FTYPE_MOSTLY_Q4_K_M",  # the usual size/quality trade-off
    "Q4_0": "LLAMA_FTYPE_MOSTLY_Q4_0",  # smallest and fastest, clearly lossy
}


def normalize_quant(name: str) -> str:
    """Canonical quant name, or a clear error listing the choices."""
    key = name.strip().upper()
    if key not in QUANT_TYPES:
        raise ModelFileError(f"unknown quantization {name!r}; choose one of {', '.join(QUANT_TYPES)}")
    return key


def quantize_gguf(src: Path, dst: Path, quant: str, *, threads: int | None = None) -> Path:
    """Quantize `src` (F16 GGUF) into `dst` as `quant`; llama.cpp copies all metadata across."""
    ftype_name = QUANT_TYPES[normalize_quant(quant)]
    if ftype_name is None:
        raise ValueError("F16 needs no quantization step")
    return llama_quantize(src, dst, ftype_name, threads=threads)

"""llama.cpp's own quantizer, called through llama-cpp-python: the one writer of converted GGUFs.

Every format change we make — the embedded Q4_1 to the F16 we serve, F16 to the Q8_0 served
where AMX runs it faster, an export's Q4_K_M — goes through the quantizer of the runtime that
will load the file, so the block layouts and per-tensor type choices are the ones it expects.
"""

from __future__ import annotations

import ctypes
import logging
import os
from pathlib import Path

from backend.errors import ModelFileError


def llama_quantize(source: Path, target: Path, ftype: str, *, threads: int | None = None,
                   allow_requantize: bool = False) -> Path:
    """Write `source` into `target` as `ftype` (a `LLAMA_FTYPE_*` name, e.g. "LLAMA_FTYPE_MOSTLY_Q8_0");
    `allow_requantize` lets an already quantized source be read (the embedded Q4_1)."""
    import llama_cpp

    # llama.cpp logs every tensor it converts; its Python binding routes that through this logger.
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, ftype)
    params.allow_requantize = allow_requantize
    params.nthread = threads or os.cpu_count() or 1
    status = llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), ctypes.byref(params))
    if status != 0:
        raise ModelFileError(f"llama.cpp could not write {source.name} as {ftype.removeprefix('LLAMA_FTYPE_')} "
                             f"(status {status})")
    return target

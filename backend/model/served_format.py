"""The format the embedded model is served in: F16, or Q8_0 where llama.cpp's AMX kernels run it faster.

Measured with `python bench/bench_formats.py --threads 2 --tokens 1000` (2 threads, 1000 page
tokens, Intel Xeon with AMX-INT8, 2026-12-02): the AMX build prefills Q8_0 at 505 tok/s against
F16's 275, and decodes 47 against 27 tok/s. Without AMX, Q8_0 is no faster than F16 (249 vs 262
tok/s on the AVX-512 build; likewise on AMD's x86-64-v3 build), so there the format stays F16:
the weights exactly. Q8_0 rounds each weight to 8 bits with a scale per 32; what that does to the
answers is measured against F16 with `scribeagent eval` on the held-out sets (models/README.md).

Only the files this package makes (the F16 copy of the embedded base, its merge with the shipped
adapter) are converted: a `--model` is served as given. The Q8_0 copy is made once per source by
llama.cpp's quantizer, written atomically, keyed by the source's size and mtime, and served only
after it begins a probe task's answer as its F16 source does; anything else raises `ModelFileError`, and
`backend.model.engine.load_engine` then serves the F16 and logs why.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from backend.errors import ModelFileError
from backend.model.llama_quantizer import llama_quantize
from backend.model.model_files import atomic_write, file_signature

#: `Settings.model_format` choices; "auto" picks by the llama.cpp build (`served_format`).
MODEL_FORMATS = ("auto", "f16", "q8_0")
_FTYPES = {"Q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0"}
#: Greedy tokens the copy must write as its source does. A broken conversion or kernel changes the
#: first tokens; 8-bit rounding may flip a near-tie later on (the bare base's babble after the
#: probe's answer diverged at its ~12th token), which says nothing about the answers we serve.
_PROBE_TOKENS = 8
_LOCK = threading.Lock()


@cache
def build_has_amx() -> bool:
    """Whether the loaded llama.cpp was built with its AMX-INT8 kernels (the Makefile's `amx` level)."""
    import llama_cpp

    return "AMX_INT8 = 1" in llama_cpp.llama_print_system_info().decode(errors="replace")


def served_format(setting: str) -> str:
    """"F16" or "Q8_0" for a `Settings.model_format` value."""
    if setting not in MODEL_FORMATS:
        raise ModelFileError(f"unknown model format {setting!r}; choose one of {', '.join(MODEL_FORMATS)}")
    if setting == "auto":
        return "Q8_0" if build_has_amx() else "F16"
    return setting.upper()


def quantized_copy(source: Path, fmt: str) -> Path:
    """`source` (an F16 file in our cache) as `fmt`, beside it; made and verified on first use."""
    if fmt == "F16":
        return source
    target = source.with_name(f"{source.stem}.{fmt}.gguf")
    stamp = target.with_suffix(".source")
    signature = file_signature(source)
    with _LOCK:
        if target.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == signature:
            return target
        try:
            with atomic_write(target) as tmp:
                llama_quantize(source, tmp, _FTYPES[fmt])
                verify_same_answer(source, tmp)
            stamp.write_text(signature, encoding="utf-8")
        except OSError as exc:
            raise ModelFileError(f"cannot write the {fmt} copy of {source.name} to {target.parent} "
                                 f"({exc.strerror or exc})") from exc
    return target


def verify_same_answer(source: Path, converted: Path) -> None:
    """The converted file must begin the probe task's answer exactly as its source does."""
    from backend.model.merged_adapter import probe_answer

    expected, got = probe_answer(source, None, 1.0, _PROBE_TOKENS), probe_answer(converted, None, 1.0, _PROBE_TOKENS)
    if expected != got:
        raise ModelFileError(f"the {converted.name} copy changed the model's answer to a probe task "
                             f"({got!r} instead of {expected!r})")

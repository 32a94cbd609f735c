"""A LoRA adapter merged into a cached copy of the F16 embedded base: the same model, fewer operations.

Applied at run time, a LoRA adds two small matrix products to every adapted projection (210 in
the shipped adapter) for every token, which costs the prefill ~10% (`bench/bench_adapter.py`).
Merging `W + scale * alpha / r * B @ A` once into a copy of the base removes that cost. The copy is
the base file byte for byte except the adapted tensors' data, so its metadata, vocabulary and
chat template are the base's; it is written atomically, keyed by both files' size and mtime, and
used only after it wrote the same greedy answer as the adapter applied at run time on a probe
task. Anything else (a quantized base, a failed check, a full disk) raises `ModelFileError`, and
the engine then applies the adapter at run time instead (`backend.model.engine.load_engine`).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import BinaryIO

import numpy as np

from backend.errors import ModelFileError
from backend.format import answer_prefix, build_messages
from backend.model.model_files import (TensorInfo, atomic_write, file_signature, read_gguf_metadata,
                                       read_gguf_tensors)

#: ggml type ids of the tensors a merge reads and writes.
_NUMPY_TYPES = {0: np.float32, 1: np.float16}
_LORA_A, _LORA_B = ".lora_a", ".lora_b"
_LOCK = threading.Lock()
#: A task-shaped probe: merged and run-time answers must agree on it token for token.
_PROBE_PAGE = ('<form node="1"><label node="2">Email</label><input node="3" name="email">'
               '<button node="4">Subscribe</button></form><a node="5" href="/about">About us</a>')
_PROBE_TOKENS = 24


def merged_model(base: Path, adapter: Path, cache_dir: Path, scale: float = 1.0) -> Path:
    """The cached merge of `adapter` into `base` at `scale`, made and verified on first use."""
    target = cache_dir / "models" / f"{base.stem}+{adapter.stem}.gguf"
    stamp = target.with_suffix(".source")
    signature = f"{file_signature(base)} {file_signature(adapter)} scale={scale!r}"
    with _LOCK:
        if target.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == signature:
            return target
        try:
            with atomic_write(target) as tmp:
                shutil.copyfile(base, tmp)
                merge_into(tmp, base, adapter, scale)
                verify_merge(tmp, base, adapter, scale)
            stamp.write_text(signature, encoding="utf-8")
        except OSError as exc:
            raise ModelFileError(f"cannot write the merged model to {target.parent} ({exc.strerror or exc})") from exc
    return target


def merge_into(copy: Path, base: Path, adapter: Path, scale: float) -> int:
    """Overwrite, in `copy` (a byte copy of `base`), every tensor `adapter` adapts with its
    merged value; returns how many. Rounds the result to the base tensor's own type."""
    alpha = read_gguf_metadata(adapter).get("adapter.lora.alpha")
    weights, lora = read_gguf_tensors(base), read_gguf_tensors(adapter)
    pairs = sorted(name[: -len(_LORA_A)] for name in lora if name.endswith(_LORA_A))
    if not pairs:
        raise ModelFileError(f"{adapter} holds no LoRA tensors")
    with copy.open("r+b") as out, base.open("rb") as base_fh, adapter.open("rb") as lora_fh:
        for name in pairs:
            a, b = _read(lora_fh, lora, name + _LORA_A, adapter), _read(lora_fh, lora, name + _LORA_B, adapter)
            w = _read(base_fh, weights, name, base)
            rank = a.shape[0]
            if b.shape[1] != rank or w.shape != (b.shape[0], a.shape[1]):
                raise ModelFileError(f"{adapter}: {name} is {b.shape} x {a.shape}, the base tensor {w.shape}")
            factor = scale * (float(alpha) / rank if isinstance(alpha, (int, float)) and alpha else 1.0)
            merged = (w.astype(np.float32) + factor * (b.astype(np.float32) @ a.astype(np.float32))).astype(w.dtype)
            out.seek(weights[name].offset)
            out.write(merged.tobytes())
    return len(pairs)


def _read(fh: BinaryIO, tensors: dict[str, TensorInfo], name: str, path: Path) -> np.ndarray:
    """A float tensor as numpy, rows = its ggml ne1 (ggml lists the fastest dimension first)."""
    info = tensors.get(name)
    if info is None:
        raise ModelFileError(f"{path} has no tensor {name}")
    dtype = _NUMPY_TYPES.get(info.type)
    if dtype is None or len(info.dims) != 2:
        raise ModelFileError(f"{path}: {name} is not a 2-D F16/F32 tensor (ggml type {info.type}); "
                             "only a float base can be merged")
    count = info.dims[0] * info.dims[1]
    fh.seek(info.offset)
    data = np.frombuffer(fh.read(count * np.dtype(dtype).itemsize), dtype=dtype)
    if data.size != count:
        raise ModelFileError(f"{path} ends inside tensor {name}; is it truncated?")
    return data.reshape(info.dims[1], info.dims[0])


def verify_merge(merged: Path, base: Path, adapter: Path, scale: float) -> None:
    """The merged file must answer the probe task exactly as the base with the adapter at run time."""
    run_time, merged_answer = probe_answer(base, adapter, scale), probe_answer(merged, None, 1.0)
    if run_time != merged_answer:
        raise ModelFileError(f"merging {adapter.name} into {base.name} changed the model's answer to a probe task "
                             f"({merged_answer!r} instead of {run_time!r})")


def probe_answer(model: Path, lora: Path | None, scale: float, tokens: int = _PROBE_TOKENS) -> str:
    """The greedy first tokens of the probe task's answer, prompted as the server prompts."""
    from backend.model.engine import LlamaEngine

    engine = LlamaEngine(model, lora_path=lora, lora_scale=scale, n_ctx=1024, n_threads=None)
    try:
        messages = build_messages("Subscribe with jane@example.org", "https://news.example/", _PROBE_PAGE, [])
        llm = engine._llm
        out: list[int] = []
        for token in llm.generate(engine.tokenize_prompt(engine.render(messages, answer_prefix(1))), temp=0.0,
                                  repeat_penalty=1.0):
            if token == llm.token_eos() or len(out) == tokens:
                break
            out.append(token)
        return llm.detokenize(out).decode("utf-8", errors="replace")
    finally:
        engine.close()

"""The embedded default model, served as F16: converted once from the bundled Q4_1, atomically, verified.

Why F16: on 2 CPU threads the shipped Q4_1 prefills ~300 tok/s, the same weights as F16 ~700
tok/s. Q4_1 values are `d * q + m` with F16 scales, so F16 holds them almost exactly; requantizing
to Q4_0 would be faster still but changes the model (double quantization). The conversion is
llama.cpp's own quantizer asked for F16 with requantization allowed.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from backend.errors import ModelFileError
from backend.model.llama_quantizer import llama_quantize
from backend.model.model_files import atomic_write, bundled_model_path, check_gguf

_SERVED_FILE = "SmolLM2-135M-Instruct.F16.gguf"
#: The shipped fine-tune of the embedded base: a GGUF LoRA and its card's facts (models/README.md).
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
ADAPTER_FILE = "scribeagent-smol.lora.gguf"
CARD_FILE = "scribeagent-smol.json"
_LOCK = threading.Lock()
#: A prompt whose greedy next tokens must agree between the bundled and the converted model.
_PROBE = "The capital of France is"


@dataclass(frozen=True)
class ShippedAdapter:
    """The default fine-tune: where it is and which card version describes it (for `/health`)."""

    path: Path
    name: str
    version: str

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "path": str(self.path)}


def shipped_adapter(models_dir: Path = MODELS_DIR) -> ShippedAdapter | None:
    """The adapter served by default on the embedded base, or None when this checkout has none."""
    path, card = models_dir / ADAPTER_FILE, models_dir / CARD_FILE
    if not path.is_file():
        return None
    try:
        facts = json.loads(card.read_text(encoding="utf-8"))
        return ShippedAdapter(path, str(facts["name"]), str(facts["version"]))
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFileError(f"the shipped adapter's card {card} is missing or unreadable: {exc}") from exc


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache dir converted and merged models live under (`<cache>/models`)."""
    return Path(cache_dir) if cache_dir else Path(user_cache_dir("scribeagent"))


def is_served_default(path: Path, cache_dir: str | os.PathLike[str] | None = None) -> bool:
    """True if `path` is the F16 copy of the embedded base that `served_default_model` makes."""
    return path.resolve() == (cache_root(cache_dir) / "models" / _SERVED_FILE).resolve()


def served_default_model(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Path of the F16 default model, converting it on first use."""
    source = bundled_model_path()
    target = cache_root(cache_dir) / "models" / _SERVED_FILE
    stamp = target.with_suffix(".source")
    signature = f"{source.stat().st_size}:{int(source.stat().st_mtime)}"
    with _LOCK:
        if target.exists() and stamp.exists() and stamp.read_text() == signature:
            return check_gguf(target)
        try:
            _convert(source, target)
            stamp.write_text(signature)
        except OSError as exc:  # a read-only or full cache: the partial copy is already gone
            raise ModelFileError(
                f"cannot write the F16 copy of the default model to {target.parent} ({exc.strerror or exc}); "
                "free some disk space or point SCRIBEAGENT_CACHE_DIR at a writable folder") from exc
    return target


def _convert(source: Path, target: Path) -> None:
    _remove_stale_parts(target)
    with atomic_write(target) as tmp:
        llama_quantize(source, tmp, "LLAMA_FTYPE_MOSTLY_F16", allow_requantize=True)
        _verify(source, tmp)


def _remove_stale_parts(target: Path, older_than_s: float = 600) -> None:
    """Drop temp files of conversions that died (a crash cannot run their cleanup)."""
    now = time.time()
    for part in target.parent.glob(f".{target.name}.*.part"):
        if now - part.stat().st_mtime > older_than_s:
            part.unlink(missing_ok=True)


def _greedy(path: Path, n: int = 4) -> list[int]:
    from llama_cpp import Llama

    llm = Llama(model_path=str(path), n_ctx=64, verbose=False)
    try:
        tokens = llm.tokenize(_PROBE.encode())
        out = []
        for tok in llm.generate(tokens, temp=0.0):
            out.append(tok)
            if len(out) == n:
                break
        return out
    finally:
        llm.close()


def _verify(source: Path, converted: Path) -> None:
    """The converted file must load and continue a probe prompt exactly like the original."""
    check_gguf(converted)
    if _greedy(source) != _greedy(converted):
        raise ModelFileError(f"the F16 conversion of {source} does not reproduce the original's output")

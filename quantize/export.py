"""`scribeagent export`: base (+ LoRA) → merged → F16 GGUF → quantized GGUF, written atomically.

Every input is checked before the first heavy step, so a typo fails in a second rather than after
a minute of merging. Intermediates live in a temporary directory and the result is renamed into
place only when complete: an interrupted export never leaves a file the server would try to load.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from backend.errors import ModelFileError
from backend.model.model_files import atomic_write
from quantize.adapter import read_adapter
from quantize.base_model import resolve_base
from quantize.gguf_export import convert_to_f16, converter_model_class
from quantize.llama_quant import normalize_quant, quantize_gguf
from quantize.merge import merged_hf_dir
from quantize.provenance import make_provenance

Progress = Callable[[str], None]


def print_progress(message: str) -> None:
    """Default progress sink: one line per stage on stderr (stdout stays for results)."""
    print(f"scribeagent: {message}", file=sys.stderr, flush=True)


def check_output_path(out: Path) -> Path:
    """`out` must be a file path we may replace (never a directory)."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise ModelFileError(f"output {out} is a directory; give a file name such as model.gguf")
    return out


def export_model(
    base_path: str | Path,
    adapter_path: str | Path | None,
    out: str | Path,
    quant: str = "F16",
    *,
    training_data: str | None = None,
    progress: Progress = print_progress,
) -> Path:
    """Export base (+ adapter merged) as a `quant` GGUF at `out`; returns `out`."""
    quant = normalize_quant(quant)
    out = check_output_path(Path(out))
    base = resolve_base(base_path)
    adapter = read_adapter(adapter_path) if adapter_path is not None else None
    converter_model_class(base.architecture)  # fails now, not after the merge, if it cannot convert
    provenance = make_provenance(base.path, adapter.path if adapter else None, training_data)

    with tempfile.TemporaryDirectory(prefix="scribeagent-export-") as work_name:
        work = Path(work_name)
        progress(f"[1/3] loading {base.path.name}" + (f" and merging {adapter.path.name}" if adapter else ""))
        hf_dir = merged_hf_dir(base, adapter, work)
        with atomic_write(out) as final_tmp:
            progress("[2/3] converting to F16 GGUF with llama.cpp's converter")
            if quant == "F16":
                convert_to_f16(hf_dir, base.architecture, final_tmp, provenance)
            else:
                f16 = convert_to_f16(hf_dir, base.architecture, work / "model.f16.gguf", provenance)
                progress(f"[3/3] quantizing to {quant} with llama.cpp")
                quantize_gguf(f16, final_tmp, quant)
    progress(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MiB, {quant})")
    return out

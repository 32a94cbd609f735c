"""What an exported GGUF says about where it came from (read back by `/health`).

A served model should be able to answer "which base, which fine-tune, trained on what, for which
prompt format?" without anyone keeping notes. The keys are `backend.constants.GGUF_KEY_*`; this
module only decides their values.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.constants import (
    FORMAT_VERSION,
    GGUF_KEY_ADAPTER,
    GGUF_KEY_BASE_MODEL,
    GGUF_KEY_FORMAT_VERSION,
    GGUF_KEY_TRAINING_DATA,
    TRAINING_SUMMARY_FILE,
)


@dataclass(frozen=True)
class Provenance:
    """Values of the scribeagent GGUF keys for one export."""

    base_model: str
    adapter: str = ""
    training_data: str = ""
    format_version: int = FORMAT_VERSION

    def write_to(self, writer: Any) -> None:
        """Add the keys to a `gguf.GGUFWriter` (before its KV data is written)."""
        writer.add_uint32(GGUF_KEY_FORMAT_VERSION, self.format_version)
        writer.add_string(GGUF_KEY_BASE_MODEL, self.base_model)
        writer.add_string(GGUF_KEY_ADAPTER, self.adapter)
        writer.add_string(GGUF_KEY_TRAINING_DATA, self.training_data)


def adapter_id(adapter_dir: Path) -> str:
    """`<dir name>@sha256:<12 hex>` of the adapter weights, so two fine-tunes saved under the same
    directory name are still told apart."""
    digest = hashlib.sha256()
    for weights in sorted(adapter_dir.glob("adapter_model.*")):
        with weights.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return f"{adapter_dir.resolve().name}@sha256:{digest.hexdigest()[:12]}"


def training_summary(adapter_dir: Path | None, explicit: str | None) -> str:
    """The explicit summary if given, else the one `scribeagent train` left beside the adapter."""
    if explicit:
        return explicit
    if adapter_dir is None:
        return ""
    summary_file = adapter_dir / TRAINING_SUMMARY_FILE
    if not summary_file.is_file():
        return ""
    data = json.loads(summary_file.read_text(encoding="utf-8"))
    value = data.get("training_data", "") if isinstance(data, dict) else ""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def make_provenance(base: Path, adapter_dir: Path | None, training_data: str | None) -> Provenance:
    """Provenance for exporting `base` (+ `adapter_dir`)."""
    return Provenance(
        base_model=base.resolve().name,
        adapter=adapter_id(adapter_dir) if adapter_dir is not None else "",
        training_data=training_summary(adapter_dir, training_data),
    )

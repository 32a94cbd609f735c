"""The loaded model and what serves it: loading in the background, the label the panel shows, and
the one job that runs a suggestion on the single inference worker.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional

from backend.config import Settings
from backend.constants import ErrorCode, MessageType
from backend.model.default_model import shipped_adapter
from backend.model.engine import EngineInfo
from backend.errors import ScribeAgentError
from backend.generation import Cancelled, ModelRequest
from backend.pipeline import Suggester
from backend.serve.security import ApiError, error_body
from backend.serve.suggester_loader import load_suggester
from backend.model.tokens import TokenCounter
from backend.serve.worker import InferenceWorker, Job

log = logging.getLogger("scribeagent.server")


def _fingerprint(path: str) -> Optional[tuple[int, int]]:
    """(size, mtime in ns) of a file, or None when it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


@dataclass
class Runtime:
    """The loaded model and what serves it; filled in by the loader thread."""

    settings: Settings
    worker: InferenceWorker = field(default_factory=InferenceWorker)
    suggester: Optional[Suggester] = None
    counter: Optional[TokenCounter] = None
    info: Optional[EngineInfo] = None
    #: The fine-tune served, for `/health`: the shipped card's name and version, the file of a
    #: `--lora`, or None for a bare model (not trained for this task).
    adapter: Optional[dict[str, Optional[str]]] = None
    error: Optional[str] = None
    _files: dict[str, Optional[tuple[int, int]]] = field(default_factory=dict)  # path -> fingerprint at load
    loaded: threading.Event = field(default_factory=threading.Event)

    def load(self) -> None:
        """Load the engine named by the settings; any failure is kept and reported, not raised."""
        s = self.settings
        try:
            suggester = load_suggester(s)
            if not s.scripted:
                lora = s.served_lora()
                shipped = shipped_adapter()
                if shipped and lora == shipped.path:
                    self.adapter = shipped.describe()
                elif lora:
                    self.adapter = {"name": lora.stem, "version": None, "path": str(lora)}
            self.counter = suggester.counter
            self.info = suggester.engine.info
            self._files = {p: _fingerprint(p) for p in (self.info.path, self.info.lora) if p}
            self.suggester = suggester
        except ScribeAgentError as exc:
            self.error = str(exc)
            log.error("model failed to load: %s", exc)
        finally:
            self.loaded.set()

    def warnings(self) -> list[str]:
        """What `/health` should admit although the server still answers: a model or adapter
        file deleted or changed since it was loaded (the copy in memory serves; a restart would
        load the new file, or fail)."""
        return [f"{path} was deleted or changed since it was loaded; the server answers from the copy in memory "
                "and a restart will load what is there now" for path, seen in self._files.items()
                if _fingerprint(path) != seen]

    @property
    def label(self) -> Optional[str]:
        """What the panel says is answering: the shipped fine-tune and its version, another
        adapter on its base, or a bare model named as one not trained for this task."""
        info = self.info
        if info is None:
            return None
        if self.settings.scripted:
            return f"scripted answers ({info.name.removeprefix('scripted:')})"
        if self.adapter and self.adapter.get("version"):
            return f"{self.adapter['name']} {self.adapter['version']}"
        if self.adapter:
            return f"{info.name} + {self.adapter['name']}"
        return f"{info.name} (base model, not trained for this task)"

    def ready_suggester(self) -> Suggester:
        if self.suggester is None:
            raise ApiError(ErrorCode.NOT_READY, self.error or "the model is still loading; try again shortly")
        return self.suggester

    def job(self, session: str, suggester: Suggester, prepared: ModelRequest, emit: Callable[[dict[str, Any]], None],
            *, stream: bool = True) -> Job:
        """The one way a suggestion runs on the inference worker, for HTTP and WebSocket alike.

        `emit` (called from the worker thread) hears `token` and `progress` frames when `stream`,
        then exactly one terminal frame: `step`, `error` (any `ScribeAgentError`, with its code) or
        `cancelled` (superseded, the client gone, or the server stopping).
        """
        def on_token(text: str) -> None:
            emit({"type": MessageType.TOKEN.value, "text": text})

        def on_progress(done: int, total: int) -> None:
            emit({"type": MessageType.PROGRESS.value, "done": done, "total": total})

        def run(cancel: threading.Event) -> None:
            try:
                suggestion = suggester.run(prepared, cancel=cancel, on_token=on_token if stream else None,
                                           on_progress=on_progress if stream else None)
                emit({"type": MessageType.STEP.value, **suggestion.to_message()})
            except Cancelled:
                emit({"type": MessageType.CANCELLED.value})
            except ScribeAgentError as exc:
                emit(error_body(exc.code, str(exc)))

        return Job(session=session, run=run, on_cancelled=lambda: emit({"type": MessageType.CANCELLED.value}))


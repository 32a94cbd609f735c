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
from backend.model.engine import EngineInfo
from backend.errors import ScribeAgentError
from backend.generation import Cancelled, ModelRequest
from backend.pipeline import Suggester
from backend.serve.model_choices import Choices, ModelChoice, list_choices, started_choice
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


@dataclass(frozen=True)
class Served:
    """One loaded model: what answers, which choice it is, and its files as they were at load."""

    suggester: Suggester
    choice: ModelChoice
    files: dict[str, Optional[tuple[int, int]]]  # path -> fingerprint at load


@dataclass
class Runtime:
    """The served model, replaced as a whole when the person picks another (`switch`)."""

    settings: Settings
    worker: InferenceWorker = field(default_factory=InferenceWorker)
    served: Optional[Served] = None
    error: Optional[str] = None
    #: The choice being loaded by `switch`, while the previous model keeps answering.
    switching: Optional[ModelChoice] = None
    loaded: threading.Event = field(default_factory=threading.Event)
    _switch_lock: threading.Lock = field(default_factory=threading.Lock)

    def load(self) -> None:
        """Load what the settings name; any failure is kept and reported, not raised."""
        try:
            self.served = self._load(started_choice(self.settings), self.settings)
        except ScribeAgentError as exc:
            self.error = str(exc)
            log.error("model failed to load: %s", exc)
        finally:
            self.loaded.set()

    def _load(self, choice: ModelChoice, settings: Settings) -> Served:
        suggester = load_suggester(settings)
        info = suggester.engine.info
        return Served(suggester, choice, {p: _fingerprint(p) for p in (info.path, info.lora) if p})

    def choices(self) -> Choices:
        """What the person can switch to; nothing when the shipped card cannot be read (the load
        error `/health` already reports says why, and `/health` itself must keep answering)."""
        try:
            return list_choices(self.settings)
        except ScribeAgentError as exc:
            log.warning("cannot list the models: %s", exc)
            return Choices([], [])

    @property
    def current(self) -> Optional[str]:
        """The id of the choice answering now."""
        return self.served.choice.id if self.served else None

    def switch(self, choice_id: str) -> ModelChoice:
        """Serve another choice: load it while the current model keeps answering, then swap.

        Blocking (call it off the event loop). Jobs already queued finish on the model they were
        prepared with; the old model is freed when the last of them lets go of it. A choice that
        fails to load leaves the current model serving and raises its error.
        """
        if self.settings.scripted:
            raise ApiError(ErrorCode.CONFLICT, "this server runs the scripted engine; restart it without --scripted")
        if not self.loaded.is_set():
            raise ApiError(ErrorCode.NOT_READY, "the model is still loading; try again shortly")
        choice = self.choices().find(choice_id)
        if choice is None:
            raise ApiError(ErrorCode.NOT_FOUND, f"no model {choice_id!r} here; GET /v1/models lists them")
        if not self._switch_lock.acquire(blocking=False):
            raise ApiError(ErrorCode.CONFLICT, f"already switching to {self.switching.label if self.switching else 'a model'}")
        try:
            if self.served and self.served.choice.id == choice.id and not self.error:
                return choice
            self.switching = choice
            log.info("switching to %s", choice.label)
            served = self._load(choice, choice.settings(self.settings))
            self.served, self.error = served, None
            return choice
        finally:
            self.switching = None
            self._switch_lock.release()

    @property
    def suggester(self) -> Optional[Suggester]:
        return self.served.suggester if self.served else None

    @property
    def info(self) -> Optional[EngineInfo]:
        return self.served.suggester.engine.info if self.served else None

    @property
    def counter(self) -> Optional[TokenCounter]:
        return self.served.suggester.counter if self.served else None

    @property
    def adapter(self) -> Optional[dict[str, Optional[str]]]:
        """The fine-tune served, for `/health`: the shipped card's name and version, the file of
        an adapter, or None for a bare model."""
        return self.served.choice.adapter if self.served else None

    def warnings(self) -> list[str]:
        """What `/health` should admit although the server still answers: a model or adapter
        file deleted or changed since it was loaded (the copy in memory serves; a restart would
        load the new file, or fail)."""
        files = self.served.files if self.served else {}
        return [f"{path} was deleted or changed since it was loaded; the server answers from the copy in memory "
                "and a restart will load what is there now" for path, seen in files.items()
                if _fingerprint(path) != seen]

    @property
    def label(self) -> Optional[str]:
        """What the panel says is answering: the shipped fine-tune and its version, another
        model or adapter by name, or a bare model named as one not trained for this task."""
        return self.served.choice.label if self.served else None

    def ready_suggester(self) -> Suggester:
        if self.suggester is None:
            raise ApiError(ErrorCode.NOT_READY, self.error or "the model is still loading; try again shortly")
        return self.suggester

    def job(self, session: str, suggester: Suggester, prepared: ModelRequest, emit: Callable[[dict[str, Any]], None],
            *, stream: bool = True) -> Job:
        """The one way a suggestion runs on the inference worker, for HTTP and WebSocket alike.

        `emit` (called from the worker thread) hears `token`, `restart` and `progress` frames when `stream`,
        then exactly one terminal frame: `step`, `error` (any `ScribeAgentError`, with its code) or
        `cancelled` (superseded, the client gone, or the server stopping).
        """
        def on_token(text: str) -> None:
            emit({"type": MessageType.TOKEN.value, "text": text})

        def on_progress(done: int, total: int) -> None:
            emit({"type": MessageType.PROGRESS.value, "done": done, "total": total})

        def on_restart() -> None:
            emit({"type": MessageType.RESTART.value})

        def run(cancel: threading.Event) -> None:
            try:
                suggestion = suggester.run(prepared, cancel=cancel, on_token=on_token if stream else None,
                                           on_progress=on_progress if stream else None,
                                           on_restart=on_restart if stream else None)
                emit({"type": MessageType.STEP.value, **suggestion.to_message()})
            except Cancelled:
                emit({"type": MessageType.CANCELLED.value})
            except ScribeAgentError as exc:
                emit(error_body(exc.code, str(exc)))

        return Job(session=session, run=run, on_cancelled=lambda: emit({"type": MessageType.CANCELLED.value}))


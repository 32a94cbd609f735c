"""One inference thread for one model, shared fairly by many tabs.

A model and its KV cache serve one request at a time. Requests are keyed by session (a tab):
a newer request of a session replaces its queued one and cancels its running one (the latest
observation wins), and sessions are served in the order their current request arrived, so one
busy tab that keeps re-asking goes to the back of the line instead of starving the others.

A flood of one session coalesces by that rule; a flood of many sessions (a script opening
thousands) is refused past `max_queued` waiting sessions with a `busy` error, so the queue and
the pages it holds never grow without bound.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from backend.constants import ErrorCode
from backend.errors import ScribeAgentError

log = logging.getLogger(__name__)

#: Sessions that may wait for the model at once (each holds a pruned page and its prompt).
MAX_QUEUED = 64


class Busy(ScribeAgentError):
    """Too many sessions are waiting for the model; the newest is refused, not queued."""

    code = ErrorCode.BUSY


@dataclass
class Job:
    """A unit of model work; `run` is called on the worker thread with the job's cancel event."""

    session: str
    run: Callable[[threading.Event], None]
    on_cancelled: Callable[[], None]
    cancel: threading.Event = field(default_factory=threading.Event)
    started: bool = False


class InferenceWorker:
    """Runs jobs one at a time on a daemon thread; see the module docstring for the policy."""

    def __init__(self, max_queued: int = MAX_QUEUED) -> None:
        self.max_queued = max_queued
        self._cond = threading.Condition()
        self._queue: OrderedDict[str, Job] = OrderedDict()
        self._running: Job | None = None
        self._closed = False
        #: Finished jobs by outcome, for `/health` (ops and tests can see that cancels happen).
        self.completed = 0
        self.cancelled = 0
        self._thread = threading.Thread(target=self._loop, name="scribeagent-inference", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        """Queue `job`, superseding whatever its session had queued or running. Raises `Busy` when
        `max_queued` other sessions are already waiting (the job is not queued)."""
        with self._cond:
            if job.session not in self._queue and len(self._queue) >= self.max_queued:
                raise Busy(f"{len(self._queue)} tabs are already waiting for the model; try again in a moment")
            old = self._queue.pop(job.session, None)
            if old is not None:
                old.on_cancelled()
            if self._running is not None and self._running.session == job.session:
                self._running.cancel.set()
            self._queue[job.session] = job
            self._cond.notify()

    def cancel(self, session: str) -> None:
        """Cancel the session's queued and running work (a no-op if it has none)."""
        with self._cond:
            old = self._queue.pop(session, None)
            if old is not None:
                old.on_cancelled()
            if self._running is not None and self._running.session == session:
                self._running.cancel.set()

    def cancel_job(self, job: Job) -> None:
        """Cancel one job only if it is still the current one (a client went away)."""
        with self._cond:
            if self._queue.get(job.session) is job:
                del self._queue[job.session]
                job.on_cancelled()
            job.cancel.set()

    def stats(self) -> dict[str, int | bool]:
        with self._cond:
            return {"running": self._running is not None, "queued": len(self._queue),
                    "completed": self.completed, "cancelled": self.cancelled}

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for job in self._queue.values():
                job.on_cancelled()
            self._queue.clear()
            if self._running is not None:
                self._running.cancel.set()
            self._cond.notify()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                _, job = self._queue.popitem(last=False)
                job.started = True
                self._running = job
            try:
                job.run(job.cancel)
            except Exception:  # a job must report its own errors; this only keeps the worker alive
                log.exception("inference job for session %s failed", job.session)
            finally:
                with self._cond:
                    self._running = None
                    if job.cancel.is_set():
                        self.cancelled += 1
                    else:
                        self.completed += 1

"""The inference worker: latest observation wins within a session, sessions take turns."""

from __future__ import annotations

import threading
import time

import pytest

from backend.serve.worker import Busy, InferenceWorker, Job


def test_latest_wins_and_sessions_take_turns() -> None:
    worker = InferenceWorker()
    gate = threading.Event()
    order: list[str] = []
    cancelled: list[str] = []
    done = threading.Event()

    def job(session: str, name: str, block: bool = False, last: bool = False) -> Job:
        def run(cancel: threading.Event) -> None:
            if block:
                gate.wait(5)
                if cancel.is_set():
                    cancelled.append(name)
                    return
            order.append(name)
            if last:
                done.set()
        return Job(session=session, run=run, on_cancelled=lambda: cancelled.append(name))

    try:
        worker.submit(job("a", "a1", block=True))  # running, then superseded by a2
        deadline = time.monotonic() + 5
        while not worker.stats()["running"]:
            assert time.monotonic() < deadline, "the first job never started"
            time.sleep(0.001)
        worker.submit(job("b", "b1"))
        worker.submit(job("a", "a2"))
        worker.submit(job("c", "c1"))
        worker.submit(job("b", "b2", last=True))  # replaces b1 (queued) and goes behind a2, c1
        gate.set()
        assert done.wait(5)
        assert order == ["a2", "c1", "b2"]
        assert sorted(cancelled) == ["a1", "b1"]
        stats = worker.stats()
        assert stats["cancelled"] == 1 and stats["completed"] == 3
    finally:
        worker.close()


def test_a_flood_of_sessions_is_refused_past_the_cap_and_one_session_coalesces() -> None:
    worker = InferenceWorker(max_queued=3)
    gate = threading.Event()
    ran: list[str] = []
    cancelled: list[str] = []

    def job(session: str, name: str) -> Job:
        def run(cancel: threading.Event) -> None:
            gate.wait(5)
            ran.append(name)
        return Job(session=session, run=run, on_cancelled=lambda: cancelled.append(name))

    try:
        worker.submit(job("s0", "running"))
        deadline = time.monotonic() + 5
        while not worker.stats()["running"]:
            assert time.monotonic() < deadline, "the first job never started"
            time.sleep(0.001)
        for i in range(1, 4):
            worker.submit(job(f"s{i}", f"q{i}"))
        with pytest.raises(Busy) as refused:
            worker.submit(job("s4", "over"))
        assert refused.value.code.value == "busy"
        for i in range(100):  # a waiting session may always replace its own request
            worker.submit(job("s1", f"again{i}"))
        assert worker.stats()["queued"] == 3
        gate.set()
        deadline = time.monotonic() + 5
        while len(ran) < 4:
            assert time.monotonic() < deadline, ran
            time.sleep(0.001)
        assert ran[0] == "running" and "again99" in ran and "over" not in ran
        assert len(cancelled) == 100  # q1 and again0..98, each told
    finally:
        worker.close()

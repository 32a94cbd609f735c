"""Workflow saves survive kill -9 (a small `bench/bench_crash.py`): nothing acknowledged is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_crash import run

pytestmark = pytest.mark.slow  # restarts a real server process


def test_acknowledged_saves_survive_sigkill(tmp_path: Path) -> None:
    result = run(kills=5, seed=3, home=tmp_path)
    assert result["acknowledged"] > 5  # the kills really happened mid-stream of saves
    assert result["missing_after_restart"] == 0
    assert result["integrity_check"] == "ok" and result["sample_read_back_whole"]
    assert result["stored"] >= result["acknowledged"]  # a save in flight may land without its answer

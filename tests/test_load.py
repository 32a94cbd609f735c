"""The server under a small version of `bench/bench_load.py`'s load: every observation ends in
exactly one terminal frame of its own session, floods coalesce or are refused, nothing leaks."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest

from bench.bench_load import RULES, run
from tests.server_process import running_server, write_rules

pytestmark = pytest.mark.slow  # a real server process and real pages (see README: fast lane)


def test_tabs_cancels_vanishing_clients_and_floods(tmp_path: Path, shared_pages: Path) -> None:
    rules = write_rules(tmp_path / "rules.json", RULES, token_delay_ms=2)
    with running_server(tmp_path / "srv", "--scripted", str(rules)) as srv:
        result = asyncio.run(run(argparse.Namespace(tabs=4, observations=8, seed=1), srv.ws_url, srv.token, srv.proc.pid))
    assert result["problems"] == []
    assert result["observations"] >= 4 * 8 and result["outcomes"].get("step", 0) > 0
    one, many = result["floods"]
    assert one["problems"] == 0 and one["step"] == 1 and one["cancelled"] == 999  # coalesced: the latest wins
    assert many["error_codes"].get("busy", 0) > 0 and set(many["error_codes"]) == {"busy"}  # refused, not queued
    assert many["step"] + many["error"] == 200
    assert result["after"]["fds"] <= result["before"]["fds"] + 2  # no leaked sockets or files

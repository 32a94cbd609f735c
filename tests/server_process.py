"""Start the real backend (`scribeagent serve`) as a subprocess on a free loopback port, for tests.

The one server helper of the suite (the server, pipeline and browser tests all use it): its token,
data and model cache live in the test's own directories, never in the person's real ones.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import httpx

from backend.extension_id import EXTENSION_ID

ORIGIN = f"chrome-extension://{EXTENSION_ID}"


@dataclass
class ServerProcess:
    port: int
    token: str
    proc: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/stream"

    def health(self) -> dict:
        return httpx.get(f"{self.url}/health", timeout=10).json()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`scribeagent *args` against this server's config and data dirs (workflows, token)."""
        return subprocess.run([sys.executable, "-m", "backend.cli", *args], env=self.env, capture_output=True,
                              text=True, timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(home: Path, cache_dir: Optional[Path] = None) -> dict[str, str]:
    """Environment that keeps the server's token, data and model cache inside `home`."""
    env = dict(os.environ)
    env["SCRIBEAGENT_CONFIG_DIR"] = str(home / "config")
    env["SCRIBEAGENT_DATA_DIR"] = str(home / "data")
    env["SCRIBEAGENT_CACHE_DIR"] = str(cache_dir or home / "cache")
    return env


@contextmanager
def running_server(home: Path, *args: str, cache_dir: Optional[Path] = None, ready_timeout: float = 120,
                   env: Optional[dict[str, str]] = None) -> Iterator[ServerProcess]:
    """`scribeagent serve *args` until the model is ready; killed on exit. Its log is in home/server.log."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / "server.log"
    env = env or server_env(home, cache_dir)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--port", str(port), "--log-level", "warning", *args],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()}")
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                if health["ready"] or health["error"]:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after {ready_timeout}s:\n{log.read_text()}")
            time.sleep(0.2)
        token = (home / "config" / "token").read_text().strip()
        yield ServerProcess(port, token, proc, log, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def write_rules(path: Path, rules: list[dict], token_delay_ms: float = 10) -> Path:
    path.write_text(json.dumps({"token_delay_ms": token_delay_ms, "rules": rules}))
    return path

"""The guard's decisions one by one (the refusals over real sockets are in tests/test_server.py)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from backend.serve import security
from backend.serve.security import host_allowed, load_or_create_token, origin_allowed

OURS = frozenset({"chrome-extension://abcdefghijklmnopabcdefghijklmnop"})


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "LOCALHOST:8765", "[::1]:8765", "localhost"])
def test_loopback_hosts_are_allowed_in_any_case(host: str) -> None:
    assert host_allowed(host)


@pytest.mark.parametrize("host", [
    None, "", "localhost.:8765",  # a trailing dot is another DNS name (rebinding), not loopback
    "evil.example:8765", "127.0.0.1.evil.example", "localhost.evil.example:8765", "[::2]:8765", "0.0.0.0:8765",
])
def test_other_hosts_are_refused(host: str | None) -> None:
    assert not host_allowed(host)


@pytest.mark.parametrize("origin", ["null", "https://example.org", "chrome-extension://otherextensionidotherextensio",
                                    "CHROME-EXTENSION://abcdefghijklmnopabcdefghijklmnop", ""])
def test_only_our_extension_origin_or_none_passes(origin: str) -> None:
    assert not origin_allowed(origin, OURS)
    assert origin_allowed(None, OURS) and origin_allowed(next(iter(OURS)), OURS)


def test_a_new_token_never_begins_with_a_dash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    drawn = iter(["-" + "a" * 42, "-" + "b" * 42, "c" * 43])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(drawn))
    assert load_or_create_token(tmp_path) == "c" * 43
    assert (tmp_path / security.TOKEN_FILE).stat().st_mode & 0o777 == 0o600


def test_real_tokens_are_long_and_dash_free() -> None:
    tokens = [security.new_token() for _ in range(2000)]
    assert all(len(t) >= 43 and not t.startswith("-") for t in tokens) and len(set(tokens)) == len(tokens)


def test_every_error_code_has_one_http_status() -> None:
    from backend.constants import ErrorCode
    from backend.errors import HTTP_STATUS

    assert set(HTTP_STATUS) == set(ErrorCode)
    assert all(400 <= status < 600 for status in HTTP_STATUS.values())


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_serve_refuses_to_listen_beyond_this_machine(host: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {"SCRIBEAGENT_CONFIG_DIR": str(tmp_path / "config"), "SCRIBEAGENT_DATA_DIR": str(tmp_path / "data"),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "backend.cli", "serve", "--host", host, "--scripted", "x.json"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2 and "refusing to bind" in done.stderr, done.stderr

"""The real server on loopback: streaming with the real default model, cancel, security refusals."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.server_process import ORIGIN, ServerProcess, running_server, server_env, write_rules

pytestmark = pytest.mark.slow  # loads a real model, a browser or torch (see README: fast lane)

LOGIN_PAGE = """<html><head><title>Sign in</title><script>var x=1;</script></head><body>
<nav><a href="/">Home</a> <a href="/pricing">Pricing</a> <a href="/help">Help</a></nav>
<main><h1>Sign in to Acme</h1>
<form><label for="email">Email</label><input id="email" name="email" type="email" placeholder="you@example.com">
<label for="pw">Password</label><input id="pw" name="password" type="password">
<button type="submit">Sign in</button></form>
<a href="/forgot">Forgot password?</a></main></body></html>"""

CAP = 300_000


def big_page(n: int = 400) -> str:
    rows = "".join(f'<tr><td>Invoice {i} for customer number {i * 7}</td><td><a href="/inv/{i}">Open invoice {i}</a></td>'
                   f'<td><button>Archive {i}</button></td></tr>' for i in range(n))
    return f"<html><body><h1>Invoices</h1><table>{rows}</table></body></html>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Iterator[ServerProcess]:
    home = tmp_path_factory.mktemp("server")
    env = server_env(home, model_cache)
    env["SCRIBEAGENT_MAX_MESSAGE_BYTES"] = str(CAP)
    with running_server(home, "--threads", "2", env=env) as srv:
        yield srv


@contextmanager
def open_stream(server: ServerProcess, token: str | None = None) -> Iterator[ClientConnection]:
    """A socket from our extension's origin that has sent its hello."""
    with connect(server.ws_url, origin=ORIGIN, open_timeout=10, max_size=None) as ws:
        ws.send(json.dumps({"type": "hello", "token": token if token is not None else server.token}))
        yield ws


def recv(ws: ClientConnection, timeout: float = 120) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def auth(server: ServerProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}", "Origin": ORIGIN}


def test_health_reports_the_served_model(server: ServerProcess) -> None:
    health = server.health()
    assert health["ready"] and health["ok"]
    assert "135M" in health["model"] or "smollm2" in health["model"].lower()
    from backend.model.served_format import served_format

    # the embedded Q4_1 is served converted to F16 (default_model), as Q8_0 where llama.cpp has AMX (served_format)
    assert health["quantization"] == served_format("auto")
    assert health["n_ctx"] >= 2048


def test_stream_yields_tokens_then_a_step_on_an_existing_node(server: ServerProcess) -> None:
    pruned = httpx.post(f"{server.url}/v1/prune", json={"html": LOGIN_PAGE}, headers=auth(server), timeout=30).json()
    with open_stream(server) as ws:
        ready = recv(ws)
        assert ready["type"] == "ready" and ready["protocol"] == 1
        # The panel names what answers: the shipped fine-tune by its card, not the GGUF's internal name.
        assert ready["label"].startswith("ScribeAgent-Smol 20") and ready["adapter"]["name"] == "ScribeAgent-Smol"
        ws.send(json.dumps({"type": "observe", "session": "tab-1", "objective": "Sign in with my email",
                            "url": "https://acme.example/login", "html": LOGIN_PAGE, "history": []}))
        texts, progress = [], []
        while True:
            frame = recv(ws)
            if frame["type"] == "progress":
                progress.append((frame["done"], frame["total"]))
                continue
            if frame["type"] != "token":
                break
            assert frame["session"] == "tab-1"
            texts.append(frame["text"])
    assert frame["type"] == "step", frame
    # Prefill progress arrives before the answer, never goes backwards and ends at the whole prompt.
    assert progress and [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert progress[-1][0] == progress[-1][1] == frame["timings"]["prompt_tokens"]
    # What the panel renders the step from: the target's accessible name and kind, never raw HTML.
    assert frame["target_name"] == pruned["names"][frame["node"]]
    assert frame["target_kind"] in ("button", "link", "field", "checkbox", "element")
    assert frame["confirm"] is None  # signing in deletes, pays or sends nothing
    assert len(texts) > 3, "the answer must arrive token by token"
    assert frame["node"] in pruned["candidates"]
    assert f'node="{frame["node"]}"' in frame["target"]
    assert frame["action"] in ("click", "type", "key")
    assert 0.0 <= frame["confidence"] <= 1.0
    streamed = "".join(texts)
    assert streamed.startswith("1.\nDescription: ") and streamed.endswith(frame["target"])
    timings = frame["timings"]
    assert timings["prompt_tokens"] > 50 and timings["ttft_ms"] > 0 and timings["generated_tokens"] > 0


def test_http_suggest_needs_the_token_and_answers_a_step(server: ServerProcess) -> None:
    body = {"objective": "Open the pricing page", "url": "https://acme.example/login", "html": LOGIN_PAGE}
    refused = httpx.post(f"{server.url}/v1/suggest", json=body, headers={"Origin": ORIGIN}, timeout=30)
    assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
    answer = httpx.post(f"{server.url}/v1/suggest", json=body, headers=auth(server), timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.json()["type"] == "step" and answer.json()["node"].isdigit()


def test_disconnect_mid_stream_cancels_the_generation(server: ServerProcess) -> None:
    before = server.health()["jobs"]
    with open_stream(server) as ws:
        recv(ws)
        ws.send(json.dumps({"type": "observe", "session": "tab-2", "objective": "Archive invoice 250",
                            "url": "https://acme.example/invoices", "html": big_page()}))
        time.sleep(0.3)  # the big page is still in prefill or early decoding
    deadline = time.monotonic() + 30
    while True:
        jobs = server.health()["jobs"]
        if not jobs["running"] and jobs["cancelled"] + jobs["completed"] > before["cancelled"] + before["completed"]:
            break
        assert time.monotonic() < deadline, jobs
        time.sleep(0.05)
    assert jobs["cancelled"] == before["cancelled"] + 1
    assert jobs["completed"] == before["completed"]


def test_a_page_longer_than_the_context_is_a_clear_error_on_both_paths(server: ServerProcess) -> None:
    links = "".join(f'<a href="/p/{i}">Product number {i} with a long name</a>' for i in range(3000))
    body = {"objective": "Open product 7", "url": "https://acme.example/", "html": f"<main>{links}</main>", "budget": 0}
    res = httpx.post(f"{server.url}/v1/suggest", json=body, headers=auth(server), timeout=120)
    assert res.status_code == 413 and res.json()["code"] == "too_long", res.text
    assert "context" in res.json()["message"]
    with open_stream(server) as ws:
        recv(ws)
        ws.send(json.dumps({"type": "observe", "session": "long", **body}))
        frame = recv(ws)
        while frame["type"] in ("token", "progress"):
            frame = recv(ws)
        assert frame["type"] == "error" and frame["code"] == "too_long" and frame["session"] == "long"
    assert server.health()["ready"]


def test_refusals_leave_the_server_serving(server: ServerProcess) -> None:
    # A web page's origin: refused before the socket opens.
    with pytest.raises(InvalidStatus):
        with connect(server.ws_url, origin="https://evil.example", open_timeout=10):
            pass
    # DNS rebinding: a foreign Host header.
    rebinding = httpx.get(f"{server.url}/health", headers={"Host": "evil.example:8765"}, timeout=10)
    assert rebinding.status_code == 421 and rebinding.json()["code"] == "bad_host"
    # Wrong token: an error frame, then the socket closes.
    with open_stream(server, token="not-the-token") as ws:
        assert recv(ws)["code"] == "unauthorized"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    # No hello at all: the first frame is something else.
    with connect(server.ws_url, origin=ORIGIN, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "observe", "session": "s", "objective": "x", "html": "<a href=/>x</a>"}))
        assert recv(ws)["code"] == "unauthorized"
    # Oversized HTTP body and WebSocket message.
    huge = {"html": "<p>" + "x" * (CAP + 10) + "</p>"}
    too_big = httpx.post(f"{server.url}/v1/prune", json=huge, headers=auth(server), timeout=30)
    assert too_big.status_code == 413 and too_big.json()["code"] == "too_large"
    with open_stream(server) as ws:
        recv(ws)
        ws.send(json.dumps({"type": "observe", "session": "s", "objective": "x", **huge}))
        assert recv(ws)["code"] == "too_large"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    # A malformed frame after hello is answered and the socket stays usable.
    with open_stream(server) as ws:
        recv(ws)
        ws.send("{not json")
        assert recv(ws)["code"] == "bad_message"
        ws.send(json.dumps({"type": "observe", "session": "s", "objective": "Sign in", "html": LOGIN_PAGE}))
        frame = recv(ws)
        while frame["type"] in ("token", "progress"):
            frame = recv(ws)
        assert frame["type"] == "step"
    assert server.health()["ready"]


def test_a_newer_observation_of_the_session_wins(tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules.json", [
        {"objective": "sign in", "step": {"description": "Click 'Sign in'", "action": "click", "find": "Sign in"}},
        {"step": {"description": "Type the email", "action": "type", "text": "me@acme.example", "find": "email"}},
    ], token_delay_ms=100)
    with running_server(tmp_path / "home", "--scripted", str(rules)) as srv, open_stream(srv) as ws:
        recv(ws)
        page = {"url": "https://acme.example/login", "html": LOGIN_PAGE}
        ws.send(json.dumps({"type": "observe", "session": "t", "objective": "Sign in please", **page}))
        ws.send(json.dumps({"type": "observe", "session": "t", "objective": "Enter my email", **page}))
        ws.send(json.dumps({"type": "observe", "session": "other", "objective": "sign in", **page}))
        outcomes: dict[tuple[str, int], dict] = {}
        while len(outcomes) < 3:
            frame = recv(ws, timeout=30)
            if frame["type"] not in ("token", "progress"):
                outcomes[(frame["session"], frame["id"])] = frame
    assert outcomes[("t", 1)]["type"] == "cancelled"
    second = outcomes[("t", 2)]
    assert second["type"] == "step" and second["action"] == "type" and second["text"] == "me@acme.example"
    assert 'type="email"' in second["target"]
    assert outcomes[("other", 3)]["type"] == "step" and outcomes[("other", 3)]["action"] == "click"


def test_serve_refuses_a_missing_or_corrupt_model(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 8)
    for path, message in ((tmp_path / "absent.gguf", "not found"), (bad, "GGUF")):
        result = subprocess.run([sys.executable, "-m", "backend.cli", "serve", "--model", str(path)],
                                env=server_env(tmp_path), capture_output=True, text=True, timeout=60)
        assert result.returncode == 2
        assert message in result.stderr and "Traceback" not in result.stderr


def test_a_model_file_truncated_under_the_running_server(tmp_path: Path, model_cache: Path) -> None:
    import shutil

    from backend.model.default_model import served_default_model

    copy = tmp_path / "model.gguf"
    shutil.copyfile(served_default_model(model_cache), copy)
    with running_server(tmp_path / "home", "--model", str(copy), "--threads", "2") as srv:
        assert srv.health()["warnings"] == []
        with copy.open("r+b") as fh:
            fh.truncate(1024)  # a full disk or a botched upgrade, while the model is being served
        health = srv.health()
        assert health["ready"] and health["ok"]  # it still answers, from the copy in memory…
        assert len(health["warnings"]) == 1 and str(copy) in health["warnings"][0]  # …and says so
        with open_stream(srv) as ws:
            recv(ws)
            ws.send(json.dumps({"type": "observe", "session": "s", "objective": "Sign in", "html": LOGIN_PAGE}))
            frame = recv(ws)
            while frame["type"] in ("token", "progress"):
                frame = recv(ws)
            assert frame["type"] == "step", frame
        assert srv.proc.poll() is None


def test_the_refusals_the_threat_model_names(tmp_path: Path) -> None:
    """docs/security.md: what a page the person visits (or a slow client) can try, and what it gets."""
    import socket
    import threading
    import time

    rules = write_rules(tmp_path / "rules.json", [{"step": {"description": "Click 'Sign in'", "action": "click",
                                                            "find": "Sign in"}}], token_delay_ms=1)
    with running_server(tmp_path / "home", "--scripted", str(rules)) as srv:
        body = {"objective": "Sign in", "url": "https://acme.example/login", "html": LOGIN_PAGE}
        # Another origin after a successful hello from ours: each connection is checked on its own.
        with open_stream(srv) as ours:
            assert recv(ours)["type"] == "ready"
            for origin in ("https://evil.example", "null"):
                with pytest.raises(InvalidStatus):
                    with connect(srv.ws_url, origin=origin, open_timeout=10):
                        pass
        for origin in ("null", "https://evil.example"):
            res = httpx.post(f"{srv.url}/v1/suggest", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {srv.token}", "Origin": origin})
            assert res.status_code == 403 and res.json()["code"] == "forbidden_origin"
        # A token in the URL is not a token (URLs end up in logs and histories).
        res = httpx.post(f"{srv.url}/v1/suggest?token={srv.token}", json=body, headers={"Origin": ORIGIN}, timeout=10)
        assert res.status_code == 401
        # Host: a trailing dot is another DNS name (rebinding); case does not matter.
        for host, status in (("localhost.", 421), ("LOCALHOST", 200), (f"127.0.0.1.:{srv.port}", 421)):
            assert httpx.get(f"{srv.url}/health", headers={"Host": host}, timeout=10).status_code == status, host
        # A slow-loris client (a byte every 0.2 s) holds its own connection only, never the worker.
        loris = socket.create_connection(("127.0.0.1", srv.port))
        stop = threading.Event()

        def drip() -> None:
            request = b"POST /v1/suggest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n" + b"{" * 1000
            for byte in request:
                if stop.is_set():
                    return
                try:
                    loris.send(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        try:
            time.sleep(1.0)
            started = time.monotonic()
            res = httpx.post(f"{srv.url}/v1/suggest", json=body, headers=auth(srv), timeout=30)
            assert res.status_code == 200 and res.json()["type"] == "step"
            assert time.monotonic() - started < 5, "a slow client held up the suggestion"
        finally:
            stop.set()
            loris.close()
        # A socket that never says hello is closed after the hello timeout, and the server serves on.
        with connect(srv.ws_url, origin=ORIGIN, open_timeout=10) as silent:
            frame = json.loads(silent.recv(timeout=30))
            assert frame["code"] == "unauthorized"
        assert srv.health()["ready"]

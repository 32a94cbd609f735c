"""The local server is a security boundary: every web page the user visits can try to reach it.

Defences, each for a different attacker:
- bind 127.0.0.1 (other machines) — enforced by `scribeagent serve`;
- Host must be a loopback name (DNS rebinding: attacker.com resolving to 127.0.0.1);
- Origin must be our extension's, or absent (web pages always send one on WebSockets and POSTs;
  curl and the CLI send none);
- a per-install secret token on every channel (other local software, other browser profiles);
- a size cap on every message (memory exhaustion).
Host, Origin and size are checked in an ASGI middleware so no route can forget them; the token
is a dependency (HTTP) or the `hello` frame (WebSocket), since browsers cannot set WebSocket headers.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Awaitable, Callable, MutableMapping, Optional

from fastapi import Request

from backend.constants import ErrorCode
from backend.errors import HTTP_STATUS, ScribeAgentError

TOKEN_FILE = "token"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})

# WebSocket close codes (4000-4999 are the application's): mirror the HTTP status.
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_BAD_HOST = 4421
CLOSE_TOO_LARGE = 1009

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ApiError(ScribeAgentError):
    """A refusal at the HTTP edge (token, size, readiness, workflow routes); rendered like every
    `ScribeAgentError`, as `{"type":"error","code","message"}` with the status `HTTP_STATUS` gives."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def load_or_create_token(config_dir: Path) -> str:
    """The per-install token, created on first run (mode 0600, never overwritten)."""
    path = config_dir / TOKEN_FILE
    config_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        token = path.read_text(encoding="utf-8").strip()
        if len(token) < 32:
            raise ScribeAgentError(f"the token file {path} is empty or damaged; delete it to make a new one "
                                   "(then pair the extension again)") from None
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return token
    token = new_token()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    return token


def new_token() -> str:
    """256 random bits as URL-safe text that never begins with `-`, so `--token $(scribeagent
    token)` and the like are never read as an option. (Tokens made before keep working.)"""
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token


def token_matches(given: Optional[str], expected: str) -> bool:
    """Constant-time comparison, so the token cannot be guessed byte by byte from timings."""
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


def host_allowed(host_header: Optional[str]) -> bool:
    """True if the Host header names this machine's loopback (any port)."""
    if not host_header:
        return False
    host = host_header.strip().lower()
    if host.startswith("["):
        name = host[: host.find("]") + 1]
    else:
        name = host.split(":", 1)[0]
    return name in LOOPBACK_NAMES


def origin_allowed(origin: Optional[str], allowed: Iterable[str]) -> bool:
    """Absent (non-browser client) or exactly one of the allowed extension origins."""
    return origin is None or origin in allowed


def _header(scope: Scope, name: bytes) -> Optional[str]:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def error_body(code: ErrorCode, message: str) -> dict[str, str]:
    return {"type": "error", "code": code.value, "message": message}


class GuardMiddleware:
    """Refuses, before any route runs, requests with a foreign Host or Origin or an oversized body."""

    def __init__(self, app: ASGIApp, *, allowed_origins: frozenset[str], max_bytes: int) -> None:
        self.app = app
        self.allowed_origins = allowed_origins
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            close_code, code, message = refusal
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": close_code, "reason": message[:120]})
            else:
                await _send_json(send, HTTP_STATUS[code], error_body(code, message))
            return
        if scope["type"] == "http":
            length = _header(scope, b"content-length")
            if length is not None and length.isdigit() and int(length) > self.max_bytes:
                await _send_json(send, HTTP_STATUS[ErrorCode.TOO_LARGE], error_body(ErrorCode.TOO_LARGE, self._too_large()))
                return
            receive = self._capped(receive, send)
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> Optional[tuple[int, ErrorCode, str]]:
        if not host_allowed(_header(scope, b"host")):
            return CLOSE_BAD_HOST, ErrorCode.BAD_HOST, "Host must be 127.0.0.1, localhost or [::1]"
        origin = _header(scope, b"origin")
        if not origin_allowed(origin, self.allowed_origins):
            return CLOSE_FORBIDDEN_ORIGIN, ErrorCode.FORBIDDEN_ORIGIN, f"origin {origin} is not an allowed extension"
        return None

    def _too_large(self) -> str:
        return f"message larger than the limit of {self.max_bytes} bytes"

    def _capped(self, receive: Receive, send: Send) -> Receive:
        """Count body bytes of chunked uploads that announced no Content-Length."""
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise ApiError(ErrorCode.TOO_LARGE, self._too_large())
            return message

        return wrapped


async def _send_json(send: Send, status: int, body: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def require_token(request: Request) -> None:
    """FastAPI dependency: `Authorization: Bearer <token>` must carry the per-install token."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token_matches(value.strip(), request.app.state.token):
        raise ApiError(ErrorCode.UNAUTHORIZED, "missing or wrong token: run 'scribeagent token' and pair again")

"""FastAPI app: the lifespan, the guard, error rendering and `WS /v1/stream`; the HTTP routes live
in `backend.serve.http_routes` and `backend.workflows.routes`, the model in `backend.serve.runtime`.

The model loads in the lifespan on a background thread, so `/health` can say "loading" while a
first start converts the default model; requests made before it is ready get `not_ready`.
Security checks are middleware and dependencies (`backend.serve.security`); route bodies stay linear.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Optional

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from backend import __version__
from backend.config import Settings
from backend.constants import FORMAT_VERSION, PROTOCOL_VERSION, ErrorCode, MessageType
from backend.errors import HTTP_STATUS, ScribeAgentError
from backend.serve.http_routes import router as http_router
from backend.serve.protocol import Cancel, Hello, Observe, client_message
from backend.serve.runtime import Runtime
from backend.serve.security import (
    CLOSE_TOO_LARGE,
    CLOSE_UNAUTHORIZED,
    GuardMiddleware,
    error_body,
    load_or_create_token,
    token_matches,
)
from backend.serve.worker import Job
from backend.workflows.routes import router as workflow_router
from backend.workflows.store import WorkflowStore, default_store_path

log = logging.getLogger("scribeagent.server")

#: Seconds a new WebSocket has to send its `hello`.
HELLO_TIMEOUT_S = 10.0


def create_app(settings: Settings) -> FastAPI:
    """The app for `settings`; the model starts loading when the app starts (lifespan)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.token = load_or_create_token(settings.config_dir)
        app.state.workflows = WorkflowStore(default_store_path(settings.data_dir))
        runtime = Runtime(settings)
        app.state.runtime = runtime
        threading.Thread(target=runtime.load, name="scribeagent-load", daemon=True).start()
        try:
            yield
        finally:
            runtime.worker.close()
            app.state.workflows.close()

    app = FastAPI(title="ScribeAgent backend", version=__version__, lifespan=lifespan)
    app.add_middleware(GuardMiddleware, allowed_origins=settings.allowed_origins, max_bytes=settings.max_message_bytes)
    app.include_router(workflow_router)

    @app.exception_handler(ScribeAgentError)
    async def _domain_error(request: Request, exc: ScribeAgentError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=HTTP_STATUS.get(exc.code, 400))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(ErrorCode.BAD_MESSAGE, _describe(exc.errors())), status_code=422)

    app.include_router(http_router)

    @app.websocket("/v1/stream")
    async def stream(ws: WebSocket) -> None:
        await ws.accept()
        await StreamConnection(ws, settings).serve()

    return app


def _describe(errors: Any) -> str:
    """One readable line from pydantic's error list."""
    parts = []
    for err in list(errors)[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where or 'message'}: {err.get('msg')}")
    return "; ".join(parts) or "invalid message"


class StreamConnection:
    """One extension connection: authenticate, then stream suggestions per session (tab)."""

    def __init__(self, ws: WebSocket, settings: Settings) -> None:
        self.ws = ws
        self.settings = settings
        self.runtime: Runtime = ws.app.state.runtime
        self.outbox: asyncio.Queue[Optional[dict[str, Any]]] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        self.ids = itertools.count(1)
        self.latest: dict[str, int] = {}
        self.jobs: dict[str, Job] = {}
        self.prefix = f"ws{id(self)}:"

    def push(self, frame: dict[str, Any]) -> None:
        """Thread-safe: queue a frame for the sender task."""
        self.loop.call_soon_threadsafe(self.outbox.put_nowait, frame)

    async def serve(self) -> None:
        if not await self._authenticate():
            return
        sender = asyncio.create_task(self._send_loop())
        try:
            while True:
                raw = await self._receive()
                if raw is None:
                    break
                await self._handle(raw)
        except WebSocketDisconnect:
            pass
        finally:
            for job in self.jobs.values():
                self.runtime.worker.cancel_job(job)
            self.outbox.put_nowait(None)
            await sender

    async def _authenticate(self) -> bool:
        try:
            raw = await asyncio.wait_for(self.ws.receive_text(), HELLO_TIMEOUT_S)
            hello = client_message.validate_json(raw)
        except (asyncio.TimeoutError, ValidationError, WebSocketDisconnect):
            hello = None
        if not isinstance(hello, Hello) or not token_matches(hello.token, self.ws.app.state.token):
            await self._refuse(ErrorCode.UNAUTHORIZED, "send {\"type\":\"hello\",\"token\":…} first, with the token "
                               "that 'scribeagent token' prints", CLOSE_UNAUTHORIZED)
            return False
        info = self.runtime.info
        await self.ws.send_json({"type": MessageType.READY.value, "model": info.name if info else None,
                                 "label": self.runtime.label, "adapter": self.runtime.adapter,
                                 "ready": self.runtime.suggester is not None, "protocol": PROTOCOL_VERSION,
                                 "format": FORMAT_VERSION, "version": __version__})
        return True

    async def _refuse(self, code: ErrorCode, message: str, close_code: int) -> None:
        try:
            await self.ws.send_json(error_body(code, message))
            await self.ws.close(close_code)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client is already gone; nothing left to tell it

    async def _receive(self) -> Optional[str]:
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            return None
        raw = message.get("text")
        if raw is None:
            raw = (message.get("bytes") or b"").decode("utf-8", errors="replace")
        return raw

    async def _send_loop(self) -> None:
        while True:
            frame = await self.outbox.get()
            if frame is None:
                return
            try:
                await self.ws.send_text(json.dumps(frame))
            except (WebSocketDisconnect, RuntimeError):
                return  # closed: the receive loop will notice and cancel the jobs

    async def _handle(self, raw: str) -> None:
        if len(raw.encode("utf-8")) > self.settings.max_message_bytes:
            await self.ws.send_json(error_body(ErrorCode.TOO_LARGE, f"message larger than the limit of "
                                               f"{self.settings.max_message_bytes} bytes"))
            await self.ws.close(CLOSE_TOO_LARGE)
            raise WebSocketDisconnect(CLOSE_TOO_LARGE)
        try:
            message = client_message.validate_json(raw)
        except ValidationError as exc:
            self.push(error_body(ErrorCode.BAD_MESSAGE, _describe(exc.errors())))
            return
        if isinstance(message, Cancel):
            self.latest[message.session] = next(self.ids)
            self.runtime.worker.cancel(self.prefix + message.session)
        elif isinstance(message, Observe):
            await self._observe(message)
        else:
            self.push(error_body(ErrorCode.BAD_MESSAGE, "already authenticated"))

    async def _observe(self, msg: Observe) -> None:
        rid = next(self.ids)
        self.latest[msg.session] = rid
        base = {"session": msg.session, "id": rid}
        self.runtime.worker.cancel(self.prefix + msg.session)
        try:
            suggester = self.runtime.ready_suggester()
            prepared = await run_in_threadpool(
                suggester.prepare, objective=msg.objective, url=msg.url, html=msg.html,
                history=msg.history_items(), budget=msg.budget,
            )
        except ScribeAgentError as exc:
            self.push({**error_body(exc.code, str(exc)), **base})
            return
        if self.latest.get(msg.session) != rid:  # a newer observation arrived while pruning
            self.push({"type": MessageType.CANCELLED.value, **base})
            return
        job = self.runtime.job(self.prefix + msg.session, suggester, prepared,
                               lambda frame: self.push({**frame, **base}))
        try:
            self.runtime.worker.submit(job)
        except ScribeAgentError as exc:  # busy: too many sessions wait already
            self.push({**error_body(exc.code, str(exc)), **base})
            return
        self.jobs[msg.session] = job

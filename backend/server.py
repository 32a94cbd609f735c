"""FastAPI app: `/health`, `POST /v1/prune`, `POST /v1/suggest`, `WS /v1/stream`, `/v1/workflows`.

The model loads in the lifespan on a background thread, so `/health` can say "loading" while a
first start converts the default model; requests made before it is ready get `not_ready`.
Security checks are middleware and dependencies (`backend.security`); route bodies stay linear.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Optional

from fastapi import Depends, FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from backend import __version__
from backend.config import Settings
from backend.constants import FORMAT_VERSION, PROTOCOL_VERSION, ErrorCode, MessageType
from backend.dom import prune
from backend.default_model import shipped_adapter
from backend.engine import EngineInfo
from backend.errors import ScribeAgentError
from backend.generation import Cancelled, Request as GenRequest
from backend.pipeline import Suggester, Suggestion
from backend.protocol import Cancel, Hello, Observe, PageInput, PruneInput, client_message
from backend.security import (
    CLOSE_TOO_LARGE,
    CLOSE_UNAUTHORIZED,
    ApiError,
    GuardMiddleware,
    error_body,
    load_or_create_token,
    require_token,
    token_matches,
)
from backend.suggester_loader import load_suggester
from backend.tokens import TokenCounter
from backend.worker import InferenceWorker, Job
from backend.workflow_routes import router as workflow_router
from backend.workflow_store import WorkflowStore, default_store_path

log = logging.getLogger("scribeagent.server")

#: Seconds a new WebSocket has to send its `hello`.
HELLO_TIMEOUT_S = 10.0

_STATUS = {
    ErrorCode.BAD_MESSAGE: 422, ErrorCode.TOO_LARGE: 413, ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN_ORIGIN: 403, ErrorCode.BAD_HOST: 421, ErrorCode.NOT_READY: 503,
    ErrorCode.NO_CANDIDATES: 422, ErrorCode.BAD_PAGE: 422, ErrorCode.MODEL_ERROR: 500,
    ErrorCode.BAD_ANSWER: 502,
}


@dataclass
class Runtime:
    """The loaded model and what serves it; filled in by the loader thread."""

    settings: Settings
    worker: InferenceWorker = field(default_factory=InferenceWorker)
    suggester: Optional[Suggester] = None
    counter: Optional[TokenCounter] = None
    info: Optional[EngineInfo] = None
    #: The fine-tune served, for `/health`: the shipped card's name and version, the file of a
    #: `--lora`, or None for a bare model (not trained for this task).
    adapter: Optional[dict[str, Optional[str]]] = None
    error: Optional[str] = None
    loaded: threading.Event = field(default_factory=threading.Event)

    def load(self) -> None:
        """Load the engine named by the settings; any failure is kept and reported, not raised."""
        s = self.settings
        try:
            suggester = load_suggester(s)
            if not s.scripted:
                lora = s.served_lora()
                shipped = shipped_adapter()
                if shipped and lora == shipped.path:
                    self.adapter = shipped.describe()
                elif lora:
                    self.adapter = {"name": lora.stem, "version": None, "path": str(lora)}
            self.counter = suggester.counter
            self.info = suggester.engine.info
            self.suggester = suggester
        except ScribeAgentError as exc:
            self.error = str(exc)
            log.error("model failed to load: %s", exc)
        finally:
            self.loaded.set()

    @property
    def label(self) -> Optional[str]:
        """What the panel says is answering: the shipped fine-tune and its version, another
        adapter on its base, or a bare model named as one not trained for this task."""
        info = self.info
        if info is None:
            return None
        if self.settings.scripted:
            return f"scripted answers ({info.name.removeprefix('scripted:')})"
        if self.adapter and self.adapter.get("version"):
            return f"{self.adapter['name']} {self.adapter['version']}"
        if self.adapter:
            return f"{info.name} + {self.adapter['name']}"
        return f"{info.name} (base model, not trained for this task)"

    def ready_suggester(self) -> Suggester:
        if self.suggester is None:
            raise ApiError(503, ErrorCode.NOT_READY, self.error or "the model is still loading; try again shortly")
        return self.suggester


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
        status = exc.status if isinstance(exc, ApiError) else _STATUS.get(exc.code, 400)
        return JSONResponse(error_body(exc.code, str(exc)), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(ErrorCode.BAD_MESSAGE, _describe(exc.errors())), status_code=422)

    @app.get("/health")
    async def health(request: Request) -> dict[str, Any]:
        runtime: Runtime = request.app.state.runtime
        info = runtime.info
        return {
            "ok": runtime.error is None,
            "ready": runtime.suggester is not None,
            "error": runtime.error,
            "model": info.name if info else None,
            "quantization": info.quantization if info else None,
            "n_ctx": info.n_ctx if info else None,
            "lora": info.lora if info else None,
            "adapter": runtime.adapter,
            "label": runtime.label,
            "metadata": info.metadata if info else {},
            "protocol": PROTOCOL_VERSION,
            "format": FORMAT_VERSION,
            "version": __version__,
            "jobs": runtime.worker.stats(),
        }

    @app.post("/v1/prune", dependencies=[Depends(require_token)])
    async def prune_page(body: PruneInput, request: Request) -> dict[str, Any]:
        runtime: Runtime = request.app.state.runtime
        counter = runtime.counter or default_counter()
        page = await run_in_threadpool(
            prune, body.html, budget=body.budget, objective=body.objective,
            history=[h if isinstance(h, str) else h.model_dump() for h in body.history], counter=counter,
        )
        return {"html": page.html, "candidates": page.candidates, "names": page.names, "tokens": page.tokens,
                "dropped": page.dropped}

    @app.post("/v1/suggest", dependencies=[Depends(require_token)])
    async def suggest(body: PageInput, request: Request) -> dict[str, Any]:
        runtime: Runtime = request.app.state.runtime
        suggester = runtime.ready_suggester()
        prepared = await run_in_threadpool(
            suggester.prepare, objective=body.objective, url=body.url, html=body.html,
            history=body.history_items(), budget=body.budget,
        )
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Suggestion] = loop.create_future()

        def settle(result: Any, error: Optional[BaseException]) -> None:
            if done.done():
                return
            if error is not None:
                done.set_exception(error)
            else:
                done.set_result(result)

        def run(cancel: threading.Event) -> None:
            try:
                result = suggester.run(prepared, cancel=cancel)
                loop.call_soon_threadsafe(settle, result, None)
            except (Cancelled, ScribeAgentError, ValueError) as exc:
                loop.call_soon_threadsafe(settle, None, exc)

        def cancelled() -> None:
            loop.call_soon_threadsafe(settle, None, Cancelled())

        job = Job(session=f"http:{id(done)}", run=run, on_cancelled=cancelled)
        runtime.worker.submit(job)
        try:
            suggestion = await done
        except Cancelled:
            raise ApiError(503, ErrorCode.MODEL_ERROR, "the request was cancelled because the server is stopping")
        except ValueError as exc:
            raise ApiError(422, ErrorCode.BAD_PAGE, str(exc))
        finally:
            runtime.worker.cancel_job(job)
        return {"type": MessageType.STEP.value, **suggestion.to_message()}

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
                               "that `scribeagent token` prints", CLOSE_UNAUTHORIZED)
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
        job = Job(session=self.prefix + msg.session, run=self._runner(suggester, prepared, base),
                  on_cancelled=lambda: self.push({"type": MessageType.CANCELLED.value, **base}))
        self.jobs[msg.session] = job
        self.runtime.worker.submit(job)

    def _runner(self, suggester: Suggester, prepared: GenRequest, base: dict[str, Any]) -> Callable[[threading.Event], None]:
        def on_token(text: str) -> None:
            self.push({"type": MessageType.TOKEN.value, **base, "text": text})

        def on_progress(done: int, total: int) -> None:
            self.push({"type": MessageType.PROGRESS.value, **base, "done": done, "total": total})

        def run(cancel: threading.Event) -> None:
            try:
                suggestion = suggester.run(prepared, cancel=cancel, on_token=on_token, on_progress=on_progress)
                self.push({"type": MessageType.STEP.value, **base, **suggestion.to_message()})
            except Cancelled:
                self.push({"type": MessageType.CANCELLED.value, **base})
            except ScribeAgentError as exc:
                self.push({**error_body(exc.code, str(exc)), **base})
            except ValueError as exc:  # prompt longer than the context
                self.push({**error_body(ErrorCode.BAD_PAGE, str(exc)), **base})

        return run

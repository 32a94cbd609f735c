"""HTTP routes besides the workflows: `/health`, `POST /v1/prune`, `POST /v1/suggest`, and the
model picker's `GET /v1/models` and `POST /v1/models/select`.

`/health` needs no token and says nothing private (the panel reads it before pairing); the others
need the token. `/v1/suggest` runs the same worker job as the WebSocket (`Runtime.job`), so the
two paths share one cancel and error path.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from backend import __version__
from backend.constants import FORMAT_VERSION, PROTOCOL_VERSION, ErrorCode, MessageType
from backend.dom import prune
from backend.serve.protocol import PageInput, PruneInput, SelectModel
from backend.serve.runtime import Runtime
from backend.serve.security import ApiError, require_token
from backend.model.tokens import default_counter

router = APIRouter()

_TERMINAL = frozenset({MessageType.STEP.value, MessageType.ERROR.value, MessageType.CANCELLED.value})


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    runtime: Runtime = request.app.state.runtime
    info = runtime.info
    choices = await run_in_threadpool(runtime.choices)  # reads the models folder: off the event loop
    return {
        "ok": runtime.error is None,
        "ready": runtime.suggester is not None,
        "error": runtime.error,
        "model": info.name if info else None,
        "quantization": info.quantization if info else None,
        "n_ctx": info.n_ctx if info else None,
        "lora": info.lora if info else None,
        "lora_merged": info.lora_merged if info else False,
        "adapter": runtime.adapter,
        "label": runtime.label,
        "metadata": info.metadata if info else {},
        "protocol": PROTOCOL_VERSION,
        "format": FORMAT_VERSION,
        "version": __version__,
        "jobs": runtime.worker.stats(),
        "warnings": runtime.warnings(),
        "models": [c.public(runtime.current or "") for c in choices.available],
        "switching": runtime.switching.label if runtime.switching else None,
    }


@router.get("/v1/models", dependencies=[Depends(require_token)])
async def models(request: Request) -> dict[str, Any]:
    """What Settings can switch to: each choice with its files, and the models-folder files that
    cannot be served (with why), so a file a person dropped there never just goes missing."""
    runtime: Runtime = request.app.state.runtime
    choices = await run_in_threadpool(runtime.choices)
    return {"current": runtime.current, "switching": runtime.switching.label if runtime.switching else None,
            "folder": str(runtime.settings.models_folder),
            "models": [c.detailed(runtime.current or "") for c in choices.available],
            "skipped": [{"file": s.file, "why": s.why} for s in choices.skipped]}


@router.post("/v1/models/select", dependencies=[Depends(require_token)])
async def select_model(body: SelectModel, request: Request) -> dict[str, Any]:
    """Serve another model; answers once it is loaded (the old one answers meanwhile)."""
    runtime: Runtime = request.app.state.runtime
    choice = await run_in_threadpool(runtime.switch, body.id)
    info = runtime.info
    return {"current": choice.id, "label": runtime.label, "model": info.name if info else None,
            "adapter": runtime.adapter}


@router.post("/v1/prune", dependencies=[Depends(require_token)])
async def prune_page(body: PruneInput, request: Request) -> dict[str, Any]:
    runtime: Runtime = request.app.state.runtime
    counter = runtime.counter or default_counter()
    page = await run_in_threadpool(
        prune, body.html, budget=body.budget, objective=body.objective,
        history=[h if isinstance(h, str) else h.model_dump() for h in body.history], counter=counter,
    )
    return {"html": page.html, "candidates": page.candidates, "names": page.names, "tokens": page.tokens,
            "dropped": page.dropped}


@router.post("/v1/suggest", dependencies=[Depends(require_token)])
async def suggest(body: PageInput, request: Request) -> dict[str, Any]:
    runtime: Runtime = request.app.state.runtime
    suggester = runtime.ready_suggester()
    prepared = await run_in_threadpool(
        suggester.prepare, objective=body.objective, url=body.url, html=body.html,
        history=body.history_items(), budget=body.budget,
    )
    loop = asyncio.get_running_loop()
    done: asyncio.Future[dict[str, Any]] = loop.create_future()

    def settle(frame: dict[str, Any]) -> None:
        if not done.done():
            done.set_result(frame)

    def emit(frame: dict[str, Any]) -> None:
        if frame["type"] in _TERMINAL:
            loop.call_soon_threadsafe(settle, frame)

    job = runtime.job(f"http:{id(done)}", suggester, prepared, emit, stream=False)
    runtime.worker.submit(job)  # Busy renders as 429
    try:
        frame = await done
    finally:
        runtime.worker.cancel_job(job)  # the client left: the worker drops the job
    if frame["type"] == MessageType.ERROR.value:
        raise ApiError(ErrorCode(frame["code"]), frame["message"])
    if frame["type"] == MessageType.CANCELLED.value:
        raise ApiError(ErrorCode.NOT_READY, "the request was cancelled because the server is stopping")
    return frame

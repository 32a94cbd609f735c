"""HTTP routes besides the workflows: `/health`, `POST /v1/prune`, `POST /v1/suggest`.

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
from backend.serve.protocol import PageInput, PruneInput
from backend.serve.runtime import Runtime
from backend.serve.security import ApiError, require_token
from backend.model.tokens import default_counter

router = APIRouter()

_TERMINAL = frozenset({MessageType.STEP.value, MessageType.ERROR.value, MessageType.CANCELLED.value})


@router.get("/health")
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
        "warnings": runtime.warnings(),
    }


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

"""HTTP routes for recorded workflows: the extension saves recordings, tools list and fetch them.

Every route requires the pairing token (recordings contain page snapshots of the person's work).
Errors are `ApiError`s, rendered by the server's one error handler. The store is the one the
server's lifespan put on `app.state.workflows`; SQLite calls run in the thread pool because a
durable commit waits for fsync.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from backend.constants import ErrorCode
from backend.errors import DataError
from backend.serve.security import ApiError, require_token
from backend.workflows.model import Workflow
from backend.workflows.store import WorkflowConflict, WorkflowStore

router = APIRouter(prefix="/v1/workflows", dependencies=[Depends(require_token)], tags=["workflows"])


def _store(request: Request) -> WorkflowStore:
    return request.app.state.workflows


@router.post("")
async def add_workflow(request: Request) -> Any:
    body = await request.body()
    try:
        workflow = Workflow.model_validate_json(body)
    except ValidationError as exc:
        raise ApiError(ErrorCode.BAD_MESSAGE, f"not a valid workflow: {exc}") from exc
    try:
        workflow_id = await run_in_threadpool(_store(request).add, workflow)
    except WorkflowConflict as exc:
        raise ApiError(ErrorCode.CONFLICT, str(exc)) from exc
    except DataError as exc:
        raise ApiError(ErrorCode.STORE_ERROR, str(exc)) from exc
    return {"id": workflow_id}


@router.get("")
async def list_workflows(request: Request) -> Any:
    return await run_in_threadpool(_store(request).list)


@router.get("/{workflow_id}")
async def get_workflow(workflow_id: str, request: Request) -> Any:
    workflow = await run_in_threadpool(_store(request).get, workflow_id)
    if workflow is None:
        raise ApiError(ErrorCode.NOT_FOUND, f"no workflow with id {workflow_id!r}")
    return workflow.model_dump(mode="json")


@router.delete("/{workflow_id}")
async def delete_workflow(workflow_id: str, request: Request) -> Any:
    if not await run_in_threadpool(_store(request).delete, workflow_id):
        raise ApiError(ErrorCode.NOT_FOUND, f"no workflow with id {workflow_id!r}")
    return {"deleted": workflow_id}

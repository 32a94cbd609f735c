"""`/v1/workflows` through the real app: token required, validation, add/list/get/delete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from backend.config import Settings
from backend.serve.server import create_app
from backend.workflows.model import Workflow
from backend.workflows.store import DB_FILENAME, WorkflowStore
from test_workflow_store import make_workflow


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    rules = tmp_path / "rules.json"
    rules.write_text("[]")
    settings = Settings(config_dir=tmp_path / "config", data_dir=tmp_path / "data", scripted=rules)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as c:
        c.headers["Authorization"] = f"Bearer {c.app.state.token}"
        yield c


def test_every_route_needs_the_token(client: TestClient) -> None:
    body = make_workflow().model_dump(mode="json")
    for method, url, kwargs in [("POST", "/v1/workflows", {"json": body}), ("GET", "/v1/workflows", {}),
                                ("GET", "/v1/workflows/w1", {}), ("DELETE", "/v1/workflows/w1", {})]:
        for auth in ("", "Bearer wrong"):
            res = client.request(method, url, headers={"Authorization": auth}, **kwargs)
            assert res.status_code == 401, (method, url, auth)
            assert res.json()["code"] == "unauthorized"


def test_add_list_get_delete(client: TestClient, tmp_path: Path) -> None:
    wf = make_workflow("rec-1")
    res = client.post("/v1/workflows", content=wf.model_dump_json())
    assert res.status_code == 200 and res.json() == {"id": "rec-1"}
    [summary] = client.get("/v1/workflows").json()
    assert summary["id"] == "rec-1" and summary["steps"] == 2 and summary["created"]
    assert Workflow.model_validate(client.get("/v1/workflows/rec-1").json()) == wf
    assert client.delete("/v1/workflows/rec-1").status_code == 200
    for gone in (client.get("/v1/workflows/rec-1"), client.delete("/v1/workflows/rec-1")):
        assert gone.status_code == 404 and gone.json()["code"] == "not_found"


def test_saved_workflow_is_in_the_data_dir_store(client: TestClient, tmp_path: Path) -> None:
    client.post("/v1/workflows", content=make_workflow("rec-2").model_dump_json())
    with WorkflowStore(tmp_path / "data" / DB_FILENAME) as store:
        assert store.get("rec-2") == make_workflow("rec-2")


def test_invalid_workflows_are_refused_with_a_reason(client: TestClient) -> None:
    bad_node = make_workflow().model_dump(mode="json")
    bad_node["steps"][0]["target"]["node"] = "999"
    res = client.post("/v1/workflows", json=bad_node)
    assert res.status_code == 422 and res.json()["code"] == "bad_message"
    assert "does not occur" in res.json()["message"]
    assert client.post("/v1/workflows", content=b"{not json").status_code == 422
    assert client.get("/v1/workflows").json() == []


def test_conflicting_id_is_409_and_keeps_the_first(client: TestClient) -> None:
    client.post("/v1/workflows", content=make_workflow("same").model_dump_json())
    res = client.post("/v1/workflows", content=make_workflow("same", "other").model_dump_json())
    assert res.status_code == 409 and res.json()["code"] == "conflict"
    assert client.get("/v1/workflows/same").json()["objective"] == "Create an invoice for ACME"
    again = client.post("/v1/workflows", content=json.dumps(make_workflow("same").model_dump(mode="json")))
    assert again.status_code == 200  # an identical retry is fine

"""WorkflowStore and `scribeagent workflows`: durable, idempotent, exports valid training lines."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backend.cli import main as cli_main
from backend.errors import DataError
from backend.workflows.model import Workflow
from backend.workflows.store import DB_FILENAME, WorkflowConflict, WorkflowStore

ROOT = Path(__file__).resolve().parent.parent


def make_workflow(wid: str = "w1", objective: str = "Create an invoice for ACME") -> Workflow:
    return Workflow.model_validate(
        {
            "id": wid,
            "objective": objective,
            "site": "example.test",
            "steps": [
                {
                    "url": "http://example.test/",
                    "html": '<html node="1"><body node="2"><button node="3">New invoice</button></body></html>',
                    "action": {"kind": "click", "text": None},
                    "target": {"node": "3", "selector": "button"},
                    "description": "Click 'New invoice'",
                },
                {
                    "url": "http://example.test/new",
                    "html": '<html node="1"><body node="2"><input node="7" name="customer"></body></html>',
                    "action": {"kind": "type", "text": "ACME"},
                    "target": {"node": "7", "selector": "input[name=\"customer\"]"},
                    "description": "Type 'ACME' into Customer",
                },
            ],
        }
    )


def test_add_list_get_delete(tmp_path: Path) -> None:
    with WorkflowStore(tmp_path / DB_FILENAME) as store:
        assert store.add(make_workflow("a")) == "a"
        assert store.add(make_workflow("b", "Other task")) == "b"
        rows = store.list()
        assert [r["id"] for r in rows] == ["a", "b"]
        assert rows[1]["objective"] == "Other task" and rows[0]["steps"] == 2 and rows[0]["site"] == "example.test"
        assert store.get("a") == make_workflow("a")
        assert store.get("missing") is None
        assert store.delete("a") is True
        assert store.delete("a") is False
        assert [r["id"] for r in store.list()] == ["b"]


def test_same_workflow_twice_is_one_row_but_different_content_conflicts(tmp_path: Path) -> None:
    with WorkflowStore(tmp_path / DB_FILENAME) as store:
        store.add(make_workflow("a"))
        store.add(make_workflow("a"))
        assert len(store.list()) == 1
        with pytest.raises(WorkflowConflict):
            store.add(make_workflow("a", "changed objective"))
        assert store.get("a").objective == "Create an invoice for ACME"


def test_export_is_jsonl_of_valid_workflows(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with WorkflowStore(tmp_path / DB_FILENAME) as store:
        store.add(make_workflow("a"))
        store.add(make_workflow("b"))
        with out.open("w") as fh:
            assert store.export(fh) == 2
    lines = out.read_text().splitlines()
    assert [Workflow.model_validate_json(line) for line in lines] == [make_workflow("a"), make_workflow("b")]


def test_corrupt_row_fails_loudly(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    with WorkflowStore(path) as store:
        store.add(make_workflow("a"))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE workflows SET record = '{\"id\": \"a\"}'")
    with WorkflowStore(path) as store, pytest.raises(DataError, match="invalid"):
        store.get("a")


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DataError, match="not usable"):
        WorkflowStore(path)


def test_killed_writer_loses_nothing(tmp_path: Path) -> None:
    """A process killed with SIGKILL right after `add` returned: the workflow is still there."""
    path = tmp_path / DB_FILENAME
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_workflow_store import make_workflow
        from backend.workflows.store import WorkflowStore
        store = WorkflowStore({str(path)!r})
        for i in range(5):
            store.add(make_workflow(f"w{{i}}"))
        print("added", flush=True)
        os.kill(os.getpid(), 9)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert proc.stdout.strip() == "added"
    with WorkflowStore(path) as store:
        assert [r["id"] for r in store.list()] == [f"w{i}" for i in range(5)]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reader_sees_writes_of_an_open_writer(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    with WorkflowStore(path) as writer, WorkflowStore(path) as reader:
        writer.add(make_workflow("a"))
        assert [r["id"] for r in reader.list()] == ["a"]


def test_cli_list_export_delete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("SCRIBEAGENT_DATA_DIR", str(tmp_path / "data"))
    with WorkflowStore(tmp_path / "data" / DB_FILENAME) as store:
        store.add(make_workflow("a"))
        store.add(make_workflow("b", "Second"))
    assert cli_main(["workflows", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["a", "b"]
    assert "Second" in listed[1]

    out = tmp_path / "export" / "wf.jsonl"
    out.parent.mkdir()
    assert cli_main(["workflows", "export", str(out)]) == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "b"]
    assert os.listdir(out.parent) == ["wf.jsonl"]  # no temp file left behind

    assert cli_main(["workflows", "delete", "a"]) == 0
    assert cli_main(["workflows", "delete", "a"]) == 2
    assert "no workflow with id 'a'" in capsys.readouterr().err
    assert cli_main(["workflows", "export", "-"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["b"]

"""Workflow JSONL reading: valid rows come through, bad rows are reported as file:line and skipped."""

from __future__ import annotations

import json

import pytest

from backend.errors import DataError
from backend.workflows.model import Workflow
from training.readers import ReadReport, read_workflows, write_workflows
from training.schema import SCHEMA_PATH, render_schema

PAGE = '<html><body><button node="7">Go</button><input node="8"></body></html>'


def _wf(i: int) -> dict:
    return {
        "id": f"w{i}",
        "objective": "Search for cats",
        "site": "example.com",
        "steps": [
            {"url": "https://example.com", "html": PAGE, "action": {"kind": "type", "text": "cats"},
             "target": {"node": "8"}, "description": "Type 'cats' into the search box"},
            {"url": "https://example.com", "html": PAGE, "action": {"kind": "click"},
             "target": {"node": "7", "selector": "button"}, "description": "Click 'Go'"},
        ],
    }


def test_bad_rows_are_reported_with_file_and_line_and_skipped(tmp_path):
    bad_node = _wf(3)
    bad_node["steps"][0]["target"]["node"] = "99"
    no_text = _wf(4)
    no_text["steps"][0]["action"] = {"kind": "type"}
    lines = [json.dumps(_wf(1)), "{not json", "", json.dumps(bad_node), json.dumps(no_text), json.dumps(_wf(2))]
    path = tmp_path / "w.jsonl"
    path.write_text("\n".join(lines) + "\n")

    report = ReadReport()
    ids = [wf.id for wf in read_workflows(path, report)]

    assert ids == ["w1", "w2"]
    assert report.rows == 5
    assert [p.split(": ")[0] for p in report.problems] == [f"{path}:2", f"{path}:4", f"{path}:5"]
    assert "not JSON" in report.problems[0]
    assert "'99'" in report.problems[1]
    assert "needs text" in report.problems[2]


def test_write_then_read_round_trips(tmp_path):
    wfs = [Workflow.model_validate(_wf(i)) for i in range(3)]
    path = tmp_path / "out" / "w.jsonl"
    assert write_workflows(path, wfs) == 3
    assert list(read_workflows(path)) == wfs


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        list(read_workflows(tmp_path / "nope.jsonl"))


def test_committed_schema_is_the_generated_one():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema()


def test_schema_accepts_a_valid_row_and_rejects_a_bad_one():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validate(_wf(1), schema)
    bad = _wf(1)
    bad["steps"][0]["action"]["kind"] = "hover"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_failed_write_leaves_no_file(tmp_path):
    def broken():
        yield Workflow.model_validate(_wf(1))
        raise DataError("source died")

    path = tmp_path / "w.jsonl"
    with pytest.raises(DataError):
        write_workflows(path, broken())
    assert list(tmp_path.iterdir()) == []

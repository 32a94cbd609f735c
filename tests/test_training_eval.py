"""`scribeagent eval`: the floor on a hand-computed case, the HF path, and the served GGUF path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backend.workflows.model import Workflow
from training.evaluate import evaluate, first_candidate_predictor, run_eval
from training.readers import write_workflows
from training.synth.families import BY_NAME
from training.synth.generate import synth_workflow
from tests.test_training import build_tiny_llama, smol_tokenizer_dir  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow  # loads a real model, a browser or torch (see README: fast lane)

REPO = Path(__file__).resolve().parents[1]
PAGE = '<html><body><button node="3">Search</button><input node="4" placeholder="City"></body></html>'


def _hand_workflows() -> list[Workflow]:
    step = lambda kind, text, node, desc: {"url": "https://x.test/", "html": PAGE, "description": desc,  # noqa: E731
                                           "action": {"kind": kind, "text": text}, "target": {"node": node}}
    return [
        # first candidate is node 3: step 1 right (click 3), step 2 wrong element and op "CLICK" vs "TYPE paris"
        Workflow.model_validate({"id": "a", "objective": "Find Paris", "steps": [
            step("click", None, "3", "Click 'Search'"), step("type", "paris", "4", "Type 'paris' into 'City'")]}),
        # one step, right: task success
        Workflow.model_validate({"id": "b", "objective": "Search", "steps": [step("click", None, "3", "Click 'Search'")]}),
    ]


def test_first_candidate_floor_by_hand():
    m, rows = evaluate(first_candidate_predictor(budget=0), _hand_workflows())
    assert [(r["task"], r["step"], r["element_ok"], r["step_ok"]) for r in rows] == [
        ("a", 0, True, True), ("a", 1, False, False), ("b", 0, True, True)]
    # the row shows what was said instead of the gold step
    assert rows[1]["gold"]["text"] == "paris" and rows[1]["predicted"]["node"] == "3"
    assert rows[1]["predicted"]["action"] == "click" and rows[1]["error"] is None
    assert m["element_accuracy"] == pytest.approx((0.5 + 1) / 2)
    assert m["operation_f1"] == pytest.approx((0.5 + 1) / 2)
    assert m["step_success_rate"] == pytest.approx((0.5 + 1) / 2)
    assert m["task_success_rate"] == pytest.approx(0.5)
    assert m["errors"] == {}


def test_eval_hf_model_writes_report(smol_tokenizer_dir, tmp_path):  # noqa: F811
    model = build_tiny_llama(smol_tokenizer_dir, tmp_path / "model")
    src = tmp_path / "held.jsonl"
    wf = synth_workflow(1, 0, BY_NAME["sign_in"])
    write_workflows(src, [wf])
    report = run_eval([str(src)], tmp_path / "out", model=str(model), budget=300, threads=1)
    systems = report["systems"]
    assert list(systems)[0] == "first candidate" and len(systems) == 2
    tuned = systems[list(systems)[1]]
    assert tuned["steps"] == report["steps"] == len(wf.steps)
    # a random model answers garbage: every step is scored (as a failure) and the reason counted
    assert sum(tuned["errors"].values()) + round(tuned["element_accuracy"] * tuned["steps"]) <= tuned["steps"]
    for name in ("report.json", "report.png", "report.html"):
        assert (tmp_path / "out" / name).stat().st_size > 200
    rows = [json.loads(line) for line in (tmp_path / "out" / "steps.jsonl").read_text().splitlines()]
    assert [r["system"] for r in rows] == [list(systems)[1]] * len(wf.steps) + ["first candidate"] * len(wf.steps)
    assert all((r["predicted"] is None) == (r["error"] is not None) for r in rows)
    assert json.loads((tmp_path / "out" / "report.json").read_text())["systems"].keys() == systems.keys()
    assert "first candidate" in (tmp_path / "out" / "report.html").read_text()


def test_eval_gguf_base_through_the_served_engine(tmp_path):
    from backend.model.model_files import bundled_model_path

    src = tmp_path / "held.jsonl"
    write_workflows(src, [synth_workflow(2, 0, BY_NAME["newsletter"])])
    done = subprocess.run([sys.executable, "-m", "backend.cli", "eval", str(src), "--out", str(tmp_path / "out"),
                           "--base", str(bundled_model_path()), "--budget", "400", "--threads", "2",
                           "--compare-binding", "--compare-guard"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    base = next(v for k, v in report["systems"].items() if k.startswith("base"))
    # under the grammar every answer parses and names a node of the page: no errors
    assert base["errors"] == {} and base["steps"] == report["steps"]
    unbound = next(v for k, v in report["systems"].items() if k.endswith(", unbound"))
    assert unbound["errors"] == {} and unbound["steps"] == report["steps"]
    unguarded = next(v for k, v in report["systems"].items() if k.endswith(", without submit guard"))
    assert unguarded["errors"] == {} and unguarded["steps"] == report["steps"]

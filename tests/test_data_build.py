"""`data build`: workflows → examples in the shared format, fitted to the context, drops counted."""

from __future__ import annotations

import json

from backend.format import Step, parse_answer
from backend.model.tokens import default_counter
from backend.workflows.model import Workflow
from training.examples import BuildConfig, build_dataset, step_examples
from training.readers import write_workflows
from training.synth.families import BY_NAME
from training.synth.generate import synth_workflow


def _workflows():
    return [synth_workflow(9, i, BY_NAME[n]) for i, n in enumerate(["shop_checkout", "sign_up", "crm_edit", "search_results"])]


def test_build_fits_context_keeps_targets_and_accumulates_history(tmp_path):
    from datasets import load_from_disk

    wfs = _workflows()
    src = tmp_path / "w.jsonl"
    write_workflows(src, wfs)
    (tmp_path / "w.jsonl").open("a").write("{broken\n")
    stats = build_dataset([str(src)], tmp_path / "ds", BuildConfig(max_tokens=900, num_proc=2))
    ds = load_from_disk(str(tmp_path / "ds"))
    total = sum(len(w.steps) for w in wfs)
    assert stats["workflows"] == len(wfs) and stats["steps"] == total
    assert stats["examples"] + stats["dropped"] == total and stats["examples"] == len(ds) > 0
    assert json.loads((tmp_path / "ds" / "build_stats.json").read_text())["examples"] == len(ds)
    counter = default_counter()
    by_id = {w.id: w for w in wfs}
    for row in ds:
        wf = by_id[row["workflow_id"]]
        step = wf.steps[row["step"] - 1]
        answer = parse_answer(row["answer"])
        assert isinstance(answer, Step)
        assert answer.node == step.target.node == row["node"] and row["node"] in row["candidates"]
        assert (answer.action, answer.text, answer.description) == (step.action.kind, step.action.text, step.description)
        assert f'node="{row["node"]}"' in answer.target
        user = row["messages"][1]["content"]
        assert user.startswith(f"Objective: {wf.objective}\nURL: {step.url}\nObservation: ")
        # previous steps, in order, and none of the later ones
        guide = user.split("Step-by-step guide:\n", 1)[1]
        for k, prev in enumerate(wf.steps[: row["step"] - 1], start=1):
            assert f"{k}.\nDescription: {prev.description}" in guide
        assert f"{row['step']}.\n" not in guide
        assert counter.count(user) + counter.count(row["answer"]) <= 900


def test_target_that_cannot_be_kept_is_dropped_and_counted(tmp_path):
    wf = _workflows()[0]
    counter = default_counter()
    rows = list(step_examples(wf, BuildConfig(max_tokens=120), counter))  # no room for any page
    assert len(rows) == len(wf.steps)
    assert {r["drop"] for r in rows} == {"no_room"}
    hidden = Workflow.model_validate({"id": "h", "objective": "Press go", "steps": [
        {"url": "https://x.test/", "description": "Click 'Go'", "action": {"kind": "click"}, "target": {"node": "5"},
         "html": '<html><body><div hidden><button node="5">Go</button></div><button node="6">Other</button></body></html>'}]})
    (row,) = step_examples(hidden, BuildConfig(max_tokens=4096), counter)
    assert row["drop"] == "target_pruned" and row["answer"] == ""

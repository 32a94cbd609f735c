"""Importers: samples written in Mind2Web's and ScribeAgent's layouts come back as our workflows."""

from __future__ import annotations

import csv
import json
import re

from backend.constants import MODEL_ACTION_NAMES, ActionKind
from training.importers import import_file
from training.readers import ReadReport, write_workflows
from training.synth.generate import synth_workflow
from training.synth.families import BY_NAME


def _synthetic(n: int = 3):
    return [synth_workflow(5, i, BY_NAME[name]) for i, name in enumerate(["sign_in", "crm_edit", "search_results"][:n])]


def _to_mind2web(wf) -> dict:
    """Write a workflow the way Mind2Web releases tasks (backend_node_id instead of node)."""
    actions, reprs = [], []
    for k, step in enumerate(wf.steps):
        html = re.sub(r'\bnode="', 'backend_node_id="', step.html)
        op = {ActionKind.CLICK: "CLICK", ActionKind.TYPE: "TYPE", ActionKind.KEY: "TYPE"}[step.action.kind]
        actions.append({
            "action_uid": f"{wf.id}-{k}",
            "raw_html": html,
            "cleaned_html": html,
            "operation": {"op": op, "original_op": op, "value": step.action.text or ""},
            "pos_candidates": [{"tag": "button", "attributes": json.dumps({"backend_node_id": step.target.node}),
                                "backend_node_id": step.target.node, "is_original_target": True}],
            "neg_candidates": [],
        })
        reprs.append(f"[button]  Thing {k} -> {op}" + (f": {step.action.text}" if step.action.text else ""))
    return {"annotation_id": wf.id, "website": wf.site, "domain": "Test", "subdomain": "Test",
            "confirmed_task": wf.objective, "action_reprs": reprs, "actions": actions}


def test_mind2web_round_trip(tmp_path):
    wfs = [w for w in _synthetic() if all(s.action.kind is not ActionKind.KEY for s in w.steps)]
    tasks = [_to_mind2web(w) for w in wfs]
    broken = _to_mind2web(wfs[0])
    broken["actions"][0]["pos_candidates"][0]["backend_node_id"] = "999999"
    path = tmp_path / "train_0.json"
    path.write_text(json.dumps([tasks[0], broken, *tasks[1:]]))

    report = ReadReport()
    got = list(import_file(path, "mind2web", report))

    assert len(got) == len(wfs) and report.rows == len(wfs) + 1
    assert len(report.problems) == 1 and "task 1" in report.problems[0] and "999999" in report.problems[0]
    for orig, imp in zip(wfs, got):
        assert (imp.id, imp.objective, imp.site) == (orig.id, orig.objective, orig.site)
        assert [s.target.node for s in imp.steps] == [s.target.node for s in orig.steps]
        assert [(s.action.kind, s.action.text) for s in imp.steps] == [(s.action.kind, s.action.text) for s in orig.steps]
        assert "backend_node_id" not in imp.steps[0].html
        assert imp.steps[0].description.startswith(("Click 'Thing 0'", "Type '"))


def test_mind2web_select_becomes_type(tmp_path):
    html = '<html><body><select backend_node_id="12"><option>Economy</option></select></body></html>'
    task = {"annotation_id": "a1", "website": "united", "confirmed_task": "Fly economy",
            "action_reprs": ["[combobox]  Cabin -> SELECT: Economy"],
            "actions": [{"cleaned_html": html, "operation": {"op": "SELECT", "value": "Economy"},
                         "pos_candidates": [{"backend_node_id": "12"}]}]}
    path = tmp_path / "t.json"
    path.write_text(json.dumps([task]))
    (wf,) = import_file(path, "mind2web", ReadReport())
    step = wf.steps[0]
    assert (step.action.kind, step.action.text, step.target.node) == (ActionKind.TYPE, "Economy", "12")
    assert step.description == "Select 'Economy' in 'Cabin'"


def _write_csv(path, wfs, *, strip_nodes=False):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["workflow_id", "Objective", "action_kind", "action_description", "url", "cssselector", "dom"])
        for wf in wfs:
            for step in wf.steps:
                html = step.html
                selector = f'[node="{step.target.node}"]'
                if strip_nodes:
                    html = re.sub(r' node="\d+"', "", html)
                    selector = "#go"
                desc = step.description if step.action.kind is ActionKind.CLICK else f"Enter '{step.action.text}' here"
                w.writerow([wf.id, wf.objective, MODEL_ACTION_NAMES[step.action.kind], desc, step.url, selector, html])


def test_scribeagent_csv_round_trip(tmp_path):
    wfs = _synthetic()
    path = tmp_path / "s.csv"
    _write_csv(path, wfs)
    report = ReadReport()
    got = list(import_file(path, "scribeagent-csv", report))
    assert report.problems == []
    assert [w.id for w in got] == [w.id for w in wfs]
    for orig, imp in zip(wfs, got):
        assert imp.objective == orig.objective and imp.site == orig.site
        assert [s.target.node for s in imp.steps] == [s.target.node for s in orig.steps]
        assert [(s.action.kind, s.action.text) for s in imp.steps] == [(s.action.kind, s.action.text) for s in orig.steps]
        assert [s.url for s in imp.steps] == [s.url for s in orig.steps]
    # and our own recorder format survives a write/read of the imported data
    out = tmp_path / "w.jsonl"
    write_workflows(out, got)
    assert list(import_file(out, "recorder", ReadReport())) == got


def test_csv_without_node_ids_gets_document_order_ids_and_bad_selector_is_reported(tmp_path):
    path = tmp_path / "s.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["workflow_id", "Objective", "action_kind", "action_description", "url", "cssselector", "dom"])
        w.writerow(["a", "Press go", "mouse_click_action", "Click 'Go'", "https://x.test/", "#go",
                    '<html><body><p>hi</p><button id="go">Go</button></body></html>'])
        w.writerow(["b", "Nothing", "click", "Click it", "https://x.test/", "#missing", "<html><body></body></html>"])
    report = ReadReport()
    (wf,) = import_file(path, "scribeagent-csv", report)
    assert wf.steps[0].target.node == "4"  # html, body, p, button
    assert len(report.problems) == 1 and f"{path}:3" in report.problems[0] and "#missing" in report.problems[0]

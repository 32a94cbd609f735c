"""Synthetic workflows: deterministic, every target exists and is visible, realistic variety."""

from __future__ import annotations

import json
import re
from collections import Counter

from lxml import html as lhtml

from backend.cli import main as cli_main
from training.readers import ReadReport, read_workflows
from training.synth.families import FAMILIES, HELD_OUT
from training.synth.generate import MAX_STEPS, MIN_STEPS, synthesize

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")


def _visible_and_enabled(page: str, node: str) -> tuple[bool, str]:
    """Independent check on the final HTML: the element exists, nothing hides it, it is enabled."""
    root = lhtml.document_fromstring(page)
    found = root.xpath(f'//*[@node="{node}"]')
    if len(found) != 1:
        return False, f"{len(found)} elements with node {node}"
    target = found[0]
    if target.get("disabled") is not None or target.get("type") == "hidden":
        return False, "disabled or hidden input"
    for el in [target, *target.iterancestors()]:
        if el.get("hidden") is not None or el.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(el.get("style", "")):
            return False, f"hidden by <{el.tag}>"
        if el.tag in ("head", "script", "style", "template"):
            return False, f"inside <{el.tag}>"
    return True, ""


def test_at_least_15_families_and_a_held_out_split():
    names = {f.name for f in FAMILIES}
    assert len(names) >= 15
    assert HELD_OUT < names and 0 < len(HELD_OUT) < len(names) // 2


def test_every_target_exists_is_visible_and_steps_are_in_range():
    wfs = list(synthesize(2 * len(FAMILIES), seed=3))
    assert {w.family for w in wfs} == {f.name for f in FAMILIES}
    for wf in wfs:
        assert MIN_STEPS <= len(wf.steps) <= MAX_STEPS, (wf.family, len(wf.steps))
        for step in wf.steps:
            ok, why = _visible_and_enabled(step.html, step.target.node)
            assert ok, (wf.id, step.description, why)
            if step.action.text is not None and step.action.kind.value == "type":
                assert step.action.text in wf.objective, (wf.objective, step.action.text)


def test_pages_carry_decoys_chrome_and_varied_styles():
    wfs = list(synthesize(3 * len(FAMILIES), seed=11))
    pages = [s.html for w in wfs for s in w.steps]
    joined = "\n".join(pages)
    assert ' hidden node=' in joined or 'aria-hidden="true"' in joined or "display:none" in joined
    assert " disabled " in joined
    assert 'aria-label="Cookie consent"' in joined and "<footer" in joined and "<nav" in joined
    assert re.search(r"__\w+--primary", joined)  # BEM
    assert re.search(r"css-[a-z0-9]{6} sc-", joined)  # hashed
    assert "px-" in joined  # utility
    objectives = Counter(w.objective.split(" ")[0] for w in wfs)
    assert len(objectives) >= 8  # varied phrasing


def test_same_seed_same_workflows_other_seed_differs():
    a = [w.model_dump() for w in synthesize(12, seed=42)]
    b = [w.model_dump() for w in synthesize(12, seed=42)]
    c = [w.model_dump() for w in synthesize(12, seed=43)]
    assert a == b
    assert a != c


def test_cli_writes_train_and_heldout_with_disjoint_families(tmp_path):
    assert cli_main(["data", "synth", "--out", str(tmp_path), "--workflows", "30", "--seed", "1"]) == 0
    report = ReadReport()
    train = list(read_workflows(tmp_path / "train.jsonl", report))
    held = list(read_workflows(tmp_path / "heldout.jsonl", report))
    assert report.problems == []
    assert len(train) + len(held) == 30 and len(held) == 6
    assert {w.family for w in held} <= HELD_OUT
    assert not {w.family for w in train} & HELD_OUT
    summary = json.loads((tmp_path / "synth.json").read_text())
    assert summary["train"] == len(train)

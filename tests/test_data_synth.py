"""Synthetic workflows: deterministic, every target exists and is visible, realistic variety."""

from __future__ import annotations

import json
import re
from collections import Counter

from lxml import html as lhtml

from backend.cli import main as cli_main
from backend.dom import prune
from backend.model.grammar import MAX_DESCRIPTION_CHARS, MAX_TYPED_CHARS, takes_text
from training.readers import ReadReport, read_workflows
from training.synth.families import FAMILIES, HELD_OUT
from training.synth.generate import MAX_STEPS, MIN_STEPS, synthesize
from training.synth.widgets import Field, Items

#: Every workflow of every family, twice (one call, shared by the tests that read them).
_WORKFLOWS = list(synthesize(2 * len(FAMILIES), seed=3))
_QUOTED = re.compile(r"(?<!\w)'(.+?)'(?!\w)|\"(.+?)\"")  # an apostrophe inside a word is no quote

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
    assert {w.family for w in _WORKFLOWS} == {f.name for f in FAMILIES}
    for wf in _WORKFLOWS:
        assert MIN_STEPS <= len(wf.steps) <= MAX_STEPS, (wf.family, len(wf.steps))
        for step in wf.steps:
            ok, why = _visible_and_enabled(step.html, step.target.node)
            assert ok, (wf.id, step.description, why)
            text = step.action.text
            if text is not None and step.action.kind.value == "type" and not re.fullmatch(r"\d{4}-\d\d-\d\d", text):
                assert text in wf.objective, (wf.objective, text)  # dates are typed as <input type=date> holds them


def test_every_target_is_a_candidate_of_the_pruned_page_and_typing_takes_text():
    for wf in _WORKFLOWS:
        for step in wf.steps:
            page = prune(step.html, budget=0)
            node = step.target.node
            assert node in page.candidates, (wf.id, step.description)
            if step.action.kind.value == "type":
                tag = page.targets[node]
                assert takes_text(tag), (wf.id, tag)


def _names(page: str, node: str) -> set[str]:
    """What the target is called on the pruned page (what the model reads): aria-label, text,
    value, placeholder, its labels."""
    root = lhtml.document_fromstring(prune(page, budget=0).html)
    target = root.xpath(f'//*[@node="{node}"]')[0]
    names = {target.get(a, "") for a in ("aria-label", "value", "placeholder", "title")}
    names.add(" ".join(target.text_content().split()))
    if target.get("id"):
        names |= {" ".join(lab.text_content().split()) for lab in root.xpath(f'//label[@for="{target.get("id")}"]')}
    for up in target.iterancestors("label"):
        own = target.text_content()
        names.add(" ".join((up.text_content().replace(own, " ") if own else up.text_content()).split()))
    for sibling in (target.getprevious(), target.getnext()):  # a caption or label beside the control
        if sibling is not None:
            names.add(" ".join(sibling.text_content().split()))
    return {n for n in names if n}


def test_descriptions_quote_the_targets_exact_name():
    for wf in _WORKFLOWS:
        for step in wf.steps:
            assert len(step.description) <= MAX_DESCRIPTION_CHARS, step.description
            assert step.action.text is None or len(step.action.text) <= MAX_TYPED_CHARS
            quoted = [a or b for a, b in _QUOTED.findall(step.description)]
            names = _names(step.html, step.target.node)
            assert any(q in names for q in quoted), (wf.id, step.description, names)


def test_new_widget_kinds_are_trained_on_and_held_out_families_use_them():
    def kinds(names: set[str]) -> set[str]:
        out = set()
        for fam in FAMILIES:
            if fam.name in names:
                for screen in fam.screens:
                    for w, _ in screen.flat:
                        out.add(type(w).__name__ + ":" + str(getattr(w, "style", getattr(w, "kind", ""))))
                        if isinstance(w, Field) and w.suggest:
                            out.add("autocomplete")
                        if isinstance(w, Items) and w.paged:
                            out.add("pagination")
        return out

    train = kinds({f.name for f in FAMILIES} - HELD_OUT)
    held = kinds(set(HELD_OUT))
    for kind in ("Choice:checkbox", "Choice:radio", "Choice:listbox", "Choice:chips", "Choice:cards", "Choice:scroll",
                 "Reveal:tab", "Reveal:menu", "Reveal:dialog", "Reveal:calendar", "Reveal:accordion", "Spinner:",
                 "Items:mail", "Items:feed", "Items:menu", "autocomplete", "pagination", "Field:select", "Field:date"):
        assert kind in train, kind
    assert held <= train  # held out: new layouts and flows of widgets seen in training
    assert {"Reveal:menu", "Reveal:calendar", "autocomplete", "Items:feed"} <= held


def test_objectives_are_written_the_way_people_write_them():
    objectives = [w.objective for w in synthesize(6 * len(FAMILIES), seed=5)]
    assert sum(o == o.lower() or o[0].islower() for o in objectives) > len(objectives) // 10
    assert any("'" in o for o in objectives) and any('"' in o for o in objectives)
    assert sum("'" not in o and '"' not in o for o in objectives) > len(objectives) // 5


def test_clickable_divs_and_spans_carry_the_serializer_mark():
    joined = "\n".join(s.html for w in _WORKFLOWS for s in w.steps)
    assert re.search(r"<(span|div) sa-click", joined)
    assert "[sa-click]{cursor:pointer}" in joined
    marked = [s for w in _WORKFLOWS for s in w.steps if re.search(rf'sa-click[^>]*node="{s.target.node}"', s.html)]
    assert marked  # some steps click an element that only the mark makes interactive


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


def test_synth_can_drill_some_families_and_refuses_unknown_ones(tmp_path, capsys):
    import json

    from backend.cli import main

    assert main(["data", "synth", "--out", str(tmp_path / "d"), "--workflows", "6", "--heldout-fraction", "0",
                 "--families", "password_change,quick_poll"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "d" / "train.jsonl").read_text().splitlines()]
    assert len(rows) == 6 and {r["family"] for r in rows} == {"password_change", "quick_poll"}
    assert main(["data", "synth", "--out", str(tmp_path / "e"), "--families", "calendar_booking"]) == 2  # held out
    assert "not training families: calendar_booking" in capsys.readouterr().err

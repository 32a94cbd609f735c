"""`scribeagent data render`: training pages serialized by the extension's serializer in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.dom import prune
from backend.errors import DataError
from backend.workflows.model import Workflow
from training.chromium import CHROMIUM

pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")]

PAGE = ('<html><body><main><p node="1">Pick a plan</p>'
        '<div node="5" style="cursor:pointer">Pro plan</div>'
        '<button node="7" style="display:none">Hidden plan</button>'
        '<input node="9" name="seats" value="3"></main></body></html>')


def _workflow(target: str) -> Workflow:
    return Workflow.model_validate({"id": "wf-1", "objective": "Choose the Pro plan", "steps": [
        {"url": "https://shop.example/plans", "html": PAGE, "description": "Click 'Pro plan'",
         "action": {"kind": "click", "text": None}, "target": {"node": target}}]})


@pytest.fixture(scope="module")
def pages():
    from training.render import renderer

    with renderer() as r:
        yield r


def test_a_step_is_serialized_as_the_extension_would_and_its_target_repointed(pages) -> None:
    from training.render import render_workflow

    step = render_workflow(_workflow("5"), pages).steps[0]
    page = prune(step.html, budget=0)
    node = step.target.node
    assert node in page.candidates and page.names[node] == "Pro plan"
    assert 'sa-click=""' in page.targets[node]  # clickable by its own pointer cursor
    assert "Hidden plan" not in step.html  # display:none is not on the page a person sees
    assert 'value="3"' in step.html and "style=" not in step.html


def test_node_ids_start_afresh_for_every_page(pages) -> None:
    first, _ = pages.serialize(PAGE)
    second, _ = pages.serialize(PAGE)
    assert first == second and 'node="1"' in first


def test_a_target_the_page_hides_is_refused_and_skipped(pages) -> None:
    from training.render import render_workflow, render_workflows

    with pytest.raises(DataError, match="not rendered"):
        render_workflow(_workflow("7"), pages)
    assert [w.id for w in render_workflows([_workflow("7"), _workflow("5")], pages)] == ["wf-1"]


def test_saved_pages_are_serialized_into_a_folder(pages, tmp_path: Path) -> None:
    from training.render import render_pages

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.html").write_text(PAGE)
    assert render_pages(src, tmp_path / "out", pages) == 1
    assert (tmp_path / "out" / "a.html").read_text().startswith("<!DOCTYPE html>\n<html")

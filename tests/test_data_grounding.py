"""Grounding workflows over real saved pages: named, unique, present targets; deterministic."""

from __future__ import annotations

import shutil

import pytest

from backend.dom import prune
from training.grounding import element_role, grounding_workflows
from tests.conftest import SHARED_PAGES

PAGES = SHARED_PAGES


@pytest.fixture(scope="module")
def few_pages(tmp_path_factory):
    if not PAGES.is_dir():
        pytest.skip("../shared/pages is not present")
    out = tmp_path_factory.mktemp("pages")
    for name in sorted(p.name for p in PAGES.glob("*.html"))[:6]:
        shutil.copy(PAGES / name, out / name)
    return out


def test_grounding_targets_are_named_candidates(few_pages):
    wfs = list(grounding_workflows(few_pages, per_page=5, seed=1))
    assert len(wfs) >= 10
    for wf in wfs:
        (step,) = wf.steps
        page = prune(step.html, budget=0)
        node = step.target.node
        assert node in page.candidates
        name = " ".join(page.names[node].split())
        assert f"'{name}'" in wf.objective and name in step.description
        assert [" ".join(page.names.get(n, "").split()) for n in page.candidates].count(name) == 1  # unambiguous
        assert element_role(page.targets[node]) is not None


def test_grounding_is_deterministic(few_pages):
    a = [w.model_dump() for w in grounding_workflows(few_pages, per_page=3, seed=2)]
    b = [w.model_dump() for w in grounding_workflows(few_pages, per_page=3, seed=2)]
    assert a == b


@pytest.mark.parametrize("tag,role", [
    ('<a href="/x" node="1">', "link"), ('<button node="2">', "button"), ('<div role="button" node="3">', "button"),
    ('<input type="submit" node="4">', "button"), ('<input type="checkbox" node="5">', "check"),
    ('<input type="search" node="6">', "type"), ('<textarea node="7">', "type"), ('<input node="8">', "type"),
    ('<select node="9">', None), ('<p node="10">', None),
])
def test_element_role(tag, role):
    assert element_role(tag) == role


def test_the_held_out_split_is_fixed_and_disjoint(few_pages):
    from training.grounding import page_split

    names = sorted(p.name for p in PAGES.glob("*.html"))
    held = {n for n in names if page_split(n) == "heldout"}
    assert 0 < len(held) < len(names) / 2  # a quarter, give or take
    assert page_split("cnet.html") == "heldout" and page_split("wikipedia.html") == "train"  # by name, for ever
    pages_of = lambda split: {w.id.split("-", 1)[1].rsplit("-", 1)[0] + ".html"  # noqa: E731
                              for w in grounding_workflows(few_pages, split=split)}
    assert pages_of("train") and not pages_of("train") & held
    assert pages_of("all") == pages_of("train") | (pages_of("all") & held)


def test_a_page_with_its_own_node_ids_is_kept_whole(tmp_path):
    page = tmp_path / "served.html"
    page.write_text('<html node="1"><body node="2"><nav node="3"><a href="/news" node="4">World news</a>'
                    '<a href="/sport" node="5">Sport pages</a></nav><p node="6">Read more</p></body></html>')
    (wf, _) = grounding_workflows(tmp_path, per_page=2)
    assert wf.steps[0].html == page.read_text()  # pruned again by `data build`, exactly as served

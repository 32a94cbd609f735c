"""Hostile pages never crash or hang the pruner and grammar builder, and the budget always holds
(`bench/bench_hostile.py` runs 10,000 of them and fits the time and memory curves)."""

from __future__ import annotations

import pytest

from bench.hostile_pages import SCALED, check, page


@pytest.mark.parametrize("block", range(5))
def test_seeded_hostile_pages_are_pruned_or_refused_cleanly(block: int) -> None:
    for seed in range(block * 100, (block + 1) * 100):
        check(page(seed), 300 if seed % 2 else 2000)  # raises on any broken promise


@pytest.mark.parametrize(("kind", "size"), [("deep", 100_000), ("fat attribute", 10_000_000), ("wide", 50_000),
                                            ("soup", 30_000)])
def test_large_hostile_shapes_keep_the_budget(kind: str, size: int) -> None:
    check(SCALED[kind](size), 2000)  # raises on any broken promise


def test_noncharacters_and_controls_are_made_harmless_where_the_page_enters() -> None:
    # U+FFFE/U+FFFF and C0 controls parse, but lxml refuses them when a budget step writes text back.
    text = "".join(f"<p>paragraph {i} says \ufffe\uffff\x00\x07 {'word ' * 40}</p>" for i in range(30))
    html = f"<main>{text}<button>Save \ufffe</button><a href='/x'>link</a></main>"
    for budget in (100, 300):
        assert check(html, budget)["candidates"] == 2


def test_character_references_to_controls_are_harmless() -> None:
    # `&#6;` parses to U+0006, which lxml refuses when a budget step writes the text back (seed 3040).
    text = "".join(f"<p>item {i} &#6; &#x1B; &#0; &#xD800; &#x110000; &#65;{'word ' * 30}</p>" for i in range(30))
    html = f"<main>{text}<button>Save</button><a href='/x'>link &#7;</a></main>"
    for budget in (100, 300):
        assert check(html, budget)["candidates"] == 2

"""The adaptive page budget: small when the objective names a candidate, the full budget otherwise."""

from __future__ import annotations

from backend.dom import DEFAULT_BUDGET, prune
from backend.dom.adaptive import SMALL_BUDGET, names_a_candidate, prune_adaptive
from backend.pipeline import Suggester
from backend.model.tokens import default_counter

COUNTER = default_counter()
# 300 product links overflow any budget; the form at the end has the only two named controls.
PAGE = ("<nav><ul>" + "".join(f'<li><a href="/p/{i}">Product item {i} details</a></li>' for i in range(300))
        + "</ul></nav><form><input name='q' placeholder='Search flights'><button>Book hotel</button></form>")


def test_an_objective_that_names_a_candidate_gets_the_small_budget() -> None:
    page = prune_adaptive(PAGE, objective="Book hotel for two nights in Lyon", budget=DEFAULT_BUDGET, counter=COUNTER)
    assert page.tokens <= SMALL_BUDGET < prune(PAGE, budget=DEFAULT_BUDGET, counter=COUNTER).tokens
    assert "Book hotel" in page.names.values()


def test_an_objective_that_names_nothing_gets_the_full_budget() -> None:
    page = prune_adaptive(PAGE, objective="create an invoice for ACME", budget=DEFAULT_BUDGET, counter=COUNTER)
    assert SMALL_BUDGET < page.tokens <= DEFAULT_BUDGET
    assert page == prune(PAGE, budget=DEFAULT_BUDGET, objective="create an invoice for ACME", counter=COUNTER)


def test_a_page_that_fits_the_small_budget_is_served_whole() -> None:
    small = "<form><input name='q' placeholder='Search'><button>Go</button></form>"
    page = prune_adaptive(small, objective="nothing on this page", budget=DEFAULT_BUDGET, counter=COUNTER)
    assert page.dropped == 0 and len(page.candidates) == 2


def test_the_small_budget_can_be_turned_off_and_never_exceeds_the_full_one() -> None:
    named = "Book hotel for two nights"
    for small_budget, budget in ((0, DEFAULT_BUDGET), (SMALL_BUDGET, 300), (SMALL_BUDGET, SMALL_BUDGET)):
        page = prune_adaptive(PAGE, objective=named, budget=budget, small_budget=small_budget, counter=COUNTER)
        assert page == prune(PAGE, budget=budget, objective=named, counter=COUNTER), (small_budget, budget)


def test_only_whole_names_anchor() -> None:
    page = prune("<button>Book hotel</button><a href='/x'>Hotel deals</a><button>Go</button>", budget=0)
    assert names_a_candidate(page, "book the hotel")  # every word of "Book hotel"
    assert not names_a_candidate(page, "find hotels")  # "Hotel deals" is only half named
    assert not names_a_candidate(page, "go")  # stop words name nothing
    assert not names_a_candidate(page, "")


def test_the_suggester_prunes_adaptively_unless_told_a_budget() -> None:
    suggester = Suggester(engine=None, counter=COUNTER)  # type: ignore[arg-type]  # pruning needs no engine
    objective = "Book hotel for two nights"
    assert suggester.prune(PAGE, objective=objective).tokens <= SMALL_BUDGET
    assert suggester.prune(PAGE, objective=objective, budget=1500).tokens > SMALL_BUDGET

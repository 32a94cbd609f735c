"""The real default model through the real pipeline: grammar-bound answers name existing nodes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.binding import as_choice
from backend.constants import ActionKind
from backend.model.engine import LlamaEngine, load_engine
from backend.errors import PageError
from backend.format import parse_answer
from backend.pipeline import Suggester
from backend.model.tokens import LlamaVocab
from tests.server_process import server_env
from tests.conftest import SHARED_PAGES

pytestmark = pytest.mark.slow  # loads a real model, a browser or torch (see README: fast lane)

PAGES = SHARED_PAGES


@pytest.fixture(scope="module")
def engine(model_cache: Path) -> Iterator[LlamaEngine]:
    eng = load_engine(n_ctx=4096, n_threads=2, cache_dir=model_cache)
    yield eng
    eng.close()


def real_pages(n: int) -> list[Path]:
    if not PAGES.is_dir():
        pytest.skip(f"{PAGES} is absent (shared/ lives beside the checkout)")
    return sorted(PAGES.glob("*.html"))[:: max(1, len(list(PAGES.glob("*.html"))) // n)][:n]


def test_default_model_is_served_as_f16(engine: LlamaEngine) -> None:
    assert engine.info.quantization == "F16"
    assert Path(engine.info.path).name.endswith(".F16.gguf")


@pytest.mark.parametrize("page", real_pages(4), ids=lambda p: p.stem)
def test_answers_on_real_pages_point_at_candidates(engine: LlamaEngine, page: Path) -> None:
    suggester = Suggester(engine, LlamaVocab(engine.info.path), budget=1200)
    streamed: list[str] = []
    result = suggester.suggest(objective="Open the main navigation link to the home page",
                               url=f"https://{page.stem}.example/", html=page.read_bytes(), on_token=streamed.append)
    assert result.step.node in result.page.candidates
    assert result.step.target == result.page.targets[result.step.node]
    if result.step.action is ActionKind.TYPE:
        from backend.model.grammar import takes_text
        assert takes_text(result.step.target)
    written = parse_answer("".join(streamed))
    assert written == parse_answer(result.answer)  # the stream is exactly the model's answer…
    assert result.step == as_choice(written, result.page.options)  # …and the step is it, bound to the page
    assert 0 < result.confidence <= 1
    assert result.timings.prompt_tokens <= 1200 + 400


def test_unchanged_page_reuses_the_kv_cache(engine: LlamaEngine) -> None:
    suggester = Suggester(engine, LlamaVocab(engine.info.path), budget=800)
    html = real_pages(1)[0].read_bytes()
    request = suggester.prepare(objective="Search the site", url="https://x.example/", html=html)
    first = suggester.run(request)
    second = suggester.run(request)
    assert second.timings.cached_tokens >= first.timings.prompt_tokens - 1
    assert second.step == first.step  # greedy: same page, same answer
    assert second.timings.prefill_ms < first.timings.prefill_ms


def test_cli_token_prune_and_suggest(tmp_path: Path, model_cache: Path) -> None:
    env = server_env(tmp_path, model_cache)
    run = lambda *a: subprocess.run([sys.executable, "-m", "backend.cli", *a], env=env, capture_output=True,  # noqa: E731
                                    text=True, timeout=300)
    first, second = run("token"), run("token")
    assert first.returncode == 0 and first.stdout == second.stdout and len(first.stdout.strip()) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "config" / "token").st_mode) == 0o600
    page = tmp_path / "page.html"
    page.write_text('<form><input name="q" placeholder="Search"><button>Go</button></form><a href="/a">About</a>')
    pruned = run("prune", str(page), "--json")
    assert pruned.returncode == 0, pruned.stderr
    candidates = json.loads(pruned.stdout)["candidates"]
    assert len(candidates) == 3
    answer = run("suggest", "--objective", "Search for shoes", "--html", str(page), "--json", "--threads", "2")
    assert answer.returncode == 0, answer.stderr
    step = json.loads(answer.stdout)
    assert step["node"] in candidates and step["action"] in ("click", "type", "key")
    missing = run("prune", str(tmp_path / "nope.html"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_grammar_first_sampling_equals_llama_cpps_full_grammar_filter(engine: LlamaEngine,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Our greedy sampler checks the arg-max first; it must choose exactly what filtering all does.

    Without binding, writing the answer in two parts (head, then node) is the same greedy answer
    as one pass under the whole grammar. Token by token: the untuned base spells the labels in
    fragments ("D", "es", "cript"…) that fast-forwarding would not feed it (see the next test)."""
    import llama_cpp
    from llama_cpp import LlamaGrammar

    from backend.model.grammar import build_grammar

    suggester = Suggester(engine, LlamaVocab(engine.info.path), budget=400, bind=False)
    compared = 0
    monkeypatch.setattr(engine, "fast_forward", False)
    for page in real_pages(6):
        try:
            request = suggester.prepare(objective="Type my city into the search box", url="https://x.example/",
                                        html=page.read_bytes())
        except PageError:  # a page with nothing to act on
            continue
        ours = suggester.run(request).answer.split("\nTarget: ")[0].split("\n", 1)[1] + "\n"
        llm = engine._llm
        llm.reset()
        reference = []
        grammar = LlamaGrammar.from_string(build_grammar(request.page.targets), verbose=False)
        for token in llm.generate(engine.tokenize_prompt(request.prompt), temp=0.0, repeat_penalty=1.0, grammar=grammar):
            if llama_cpp.llama_vocab_is_eog(llm._model.vocab, token):
                break
            reference.append(token)
        assert llm.detokenize(reference).decode() == ours
        compared += 1
    assert compared >= 3


def test_fast_forwarded_answers_are_the_token_by_token_answers(model_cache: Path) -> None:
    """The text the grammar dictates is evaluated in batches, not decoded token by token: for the
    fine-tune, which writes the labels in the tokens it was trained on, the same answers (a batch
    sums in another order than single steps, so a near-tie may flip: at most one of the cases
    here), with half the answer tokens never decoded one by one."""
    from backend.model.default_model import shipped_adapter

    shipped = shipped_adapter()
    assert shipped is not None
    engine = load_engine(lora=shipped.path, n_threads=2, cache_dir=model_cache)
    try:
        suggester = Suggester(engine, LlamaVocab(engine.info.path), budget=500, small_budget=0)
        compared = same = 0
        for page in real_pages(8):
            for objective in ("Click 'About'", "Type 'hello' into the search box"):
                answers, forced = [], []
                for fast in (True, False):
                    engine.fast_forward = fast
                    engine.reset()
                    try:
                        result = suggester.suggest(objective=objective, url="https://x.example/", html=page.read_bytes())
                    except PageError:
                        break
                    answers.append(result.answer)
                    forced.append(result.timings.forced_tokens)
                if len(answers) < 2:
                    continue
                compared += 1
                same += answers[0] == answers[1]
                assert forced[1] == 0 and forced[0] >= 10, (page.name, forced)
        assert compared >= 10 and same >= compared - 1, (same, compared)
    finally:
        engine.close()

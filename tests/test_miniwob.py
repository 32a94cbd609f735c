"""`scribeagent bench miniwob` on real MiniWoB++ episodes in headless Chromium.

A scripted agent that reads the utterance must earn MiniWoB's reward through the product's own
path (serialize.js → prune → actions.js); the random floor plays one task deterministically; a
page that fails to load, an agent error and a browser crash each end one episode, not the run.
The model agent is the backend's `Suggester`, tested with the real model in test_pipeline.py; here
a fake suggester checks what it is asked.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("playwright.sync_api")

from backend.constants import ActionKind, ErrorCode  # noqa: E402
from backend.dom import prune  # noqa: E402
from backend.errors import PageError  # noqa: E402
from backend.format import Step  # noqa: E402
from backend.model.grammar import takes_text  # noqa: E402
from training.miniwob.agents import Decision, ModelAgent, ModelError, Observation, RandomAgent  # noqa: E402
from training.chromium import CHROMIUM  # noqa: E402
from training.miniwob.browser import BROWSER_ERROR, LOAD_FAILED, Browser  # noqa: E402
from training.miniwob.report import table, write_report  # noqa: E402
from training.miniwob.run import DONE, MAX_STEPS, run_bench, run_episode, summarize  # noqa: E402
from training.miniwob.server import html_dir, serve  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed"),
    pytest.mark.skipif(importlib.util.find_spec("miniwob") is None, reason="the miniwob package is not installed"),
]


class ScriptedAgent:
    """Test-only: does what the utterance says on the tasks it reads ("Click on the "X" button",
    "Click on the link "X"", "Enter "X" into the text field and press Submit") from the pruned
    page alone, like a person who reads the page; it never looks at the task's code."""

    label = "scripted"

    def __init__(self) -> None:
        self.observations: list[Observation] = []

    def begin(self, episode: str) -> None:
        self.observations.clear()

    def decide(self, observation: Observation) -> Decision:
        self.observations.append(observation)
        page = prune(observation.html, objective=observation.objective, history=observation.history)
        quoted = re.findall(r'"([^"]+)"', observation.objective)
        typed = any(step["action"] == ActionKind.TYPE.value for step in observation.history)
        fields = [n for n in page.candidates if takes_text(page.targets[n])]
        if observation.objective.startswith("Enter") and fields and not typed:
            node = fields[0]
            return Decision(Step(f"Type {quoted[0]}", ActionKind.TYPE, node, quoted[0], page.targets[node]))
        wanted = "Submit" if typed else quoted[0]
        node = next(n for n in page.candidates if page.names[n] == wanted)
        return Decision(Step(f"Click {wanted}", ActionKind.CLICK, node, None, page.targets[node]))


class FailingAgent:
    """Raises what the pipeline raises on a page without candidates."""

    label = "failing"

    def begin(self, episode: str) -> None:
        pass

    def decide(self, observation: Observation) -> Decision:
        raise PageError("nothing to act on", ErrorCode.NO_CANDIDATES)


class CrashingAgent(ScriptedAgent):
    """Kills the Chromium browser process (a child of this test's Playwright driver) mid-step."""

    label = "crashing"

    def decide(self, observation: Observation) -> Decision:
        psutil = pytest.importorskip("psutil")
        decision = super().decide(observation)
        for proc in psutil.Process().children(recursive=True):
            try:
                cmdline = proc.cmdline()
            except psutil.Error:  # gone, or a zombie of an earlier crash
                continue
            if cmdline and cmdline[0] == CHROMIUM and not any(a.startswith("--type=") for a in cmdline):
                proc.kill()
                proc.wait(10)
        return decision


@pytest.fixture(scope="module")
def bench() -> Iterator[tuple[Browser, str]]:
    with serve(html_dir()) as base, Browser() as browser:
        yield browser, base


@pytest.mark.parametrize("task", ["click-button", "enter-text", "click-link"])  # click-link: spans, sa-click
def test_the_scripted_agent_earns_the_reward(bench, task: str) -> None:
    browser, base = bench
    agent = ScriptedAgent()
    episode = run_episode(browser, base, task, 0, 0, agent, max_steps=4)
    assert episode.end == DONE and episode.success and episode.raw_reward > 0, episode
    expected = ["type", "click"] if task == "enter-text" else ["click"]
    assert [s.action for s in episode.steps] == expected and all(s.ok for s in episode.steps)
    first = agent.observations[0]
    assert first.objective == episode.utterance and first.url.endswith(f"/miniwob/{task}.html")
    # MiniWoB's reward and timer display never reaches the model.
    for observation in agent.observations:
        assert not re.search(r"reward|Time left|Episodes done", observation.html, re.IGNORECASE)
    if task == "enter-text":  # history as the side panel sends it
        assert agent.observations[1].history == ({"description": episode.steps[0].description, "action": "type",
                                                  "text": episode.steps[0].text},)


def test_the_random_floor_is_deterministic_for_a_seed(bench) -> None:
    browser, base = bench
    played = [run_episode(browser, base, "click-checkboxes", 0, 7, RandomAgent(7), max_steps=3) for _ in range(2)]
    assert [s.node for s in played[0].steps] == [s.node for s in played[1].steps]
    assert played[0].utterance == played[1].utterance and played[0].end == played[1].end
    assert played[0].end in (DONE, MAX_STEPS) and 1 <= len(played[0].steps) <= 3
    assert all(s.action == "click" and s.details["candidates"] > 0 for s in played[0].steps)


def test_failures_end_their_episode_and_are_counted(bench, tmp_path: Path) -> None:
    browser, base = bench
    played = run_bench(browser, base, ["no-such-task", "click-button"], 1, 0, ScriptedAgent(), max_steps=2)
    played += run_bench(browser, base, ["click-button"], 1, 0, FailingAgent(), max_steps=2)
    played += [run_episode(browser, base, "click-button", 0, 0, CrashingAgent(), max_steps=2),
               run_episode(browser, base, "click-button", 0, 0, ScriptedAgent(), max_steps=2)]  # relaunched
    assert [e.end for e in played] == [LOAD_FAILED, DONE, ErrorCode.NO_CANDIDATES.value, BROWSER_ERROR, DONE]
    assert [e.success for e in played] == [False, True, False, False, True]
    summary = summarize(played, label="mixed", seed=0)
    assert summary["episodes"] == 5 and summary["success_rate"] == 0.4
    assert summary["tasks"]["click-button"]["errors"] == {BROWSER_ERROR: 1, ErrorCode.NO_CANDIDATES.value: 1}
    assert summary["tasks"]["no-such-task"]["errors"] == {LOAD_FAILED: 1}
    json.dumps(summary)  # the --json object
    text = table(summary, summarize(played[1:2], label="random", seed=0))
    assert "click-button" in text and "no_candidates 1" in text and "random rate" in text
    paths = write_report(tmp_path, summary, played)
    assert [p.name for p in paths] == ["summary.json", "episodes.jsonl", "success.png"]
    assert len(paths[1].read_text().splitlines()) == 5 and paths[2].stat().st_size > 0


def test_the_model_agent_asks_the_pipeline_what_the_panel_would() -> None:
    asked = {}

    class Suggester:
        def suggest(self, **kwargs):
            asked.update(kwargs)
            if kwargs["html"] == "too long":
                raise ValueError("prompt exceeds the context")
            step = Step("Click Submit", ActionKind.CLICK, "9", None, '<button node="9">')
            timings = SimpleNamespace(prompt_tokens=100, generated_tokens=20, total_ms=123.45)
            return SimpleNamespace(step=step, confidence=0.5, page=SimpleNamespace(candidates=["8", "9"]),
                                   timings=timings, history_description="Click 'Submit'")

    agent = ModelAgent(Suggester(), "fake")
    history = ({"description": "Type Ana", "action": "type", "text": "Ana"},)
    decision = agent.decide(Observation("Enter it", "http://x/", "<button>", history))
    assert asked == {"objective": "Enter it", "url": "http://x/", "html": "<button>", "history": list(history)}
    assert decision.step.node == "9" and decision.details["candidates"] == 2
    assert decision.history_description == "Click 'Submit'"  # what the history will remember, as in the panel
    with pytest.raises(ModelError) as err:
        agent.decide(Observation("Enter it", "http://x/", "too long"))
    assert err.value.code is ErrorCode.MODEL_ERROR


def test_the_command_refuses_unknown_tasks_before_starting_anything(capsys: pytest.CaptureFixture[str]) -> None:
    from backend.cli import main

    assert main(["bench", "miniwob", "--agent", "random", "--tasks", "click-button,no-such-task"]) == 2
    assert "unknown MiniWoB task(s): no-such-task" in capsys.readouterr().err

"""Episodes: serialize → agent → perform until MiniWoB ends the episode or the steps run out.

Each episode has its own browser context and page, loaded fresh and seeded, so it plays the same
whatever ran before it; an episode that cannot be played (the page fails to load, the agent
raises an error, the browser crashes) ends as a failure with its reason, and the run goes on.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from backend.errors import ScribeAgentError
from training.miniwob.agents import Agent, Observation
from training.miniwob.browser import Browser, EpisodeError, TaskPage
from training.miniwob.server import task_url

#: MiniWoB's own limit is 10 s; correctness is measured here, latency separately, so an
#: episode only ends by the task, the step limit or an error.
EPISODE_TIME_LIMIT_MS = 3_600_000
#: How long a task may take to react to the last step before the episode counts as unfinished.
LAST_STEP_WAIT_MS = 1_000
#: How an episode ended when no error ended it.
DONE, MAX_STEPS = "done", "max_steps"
#: The content script could not serialize the page (an error reason, like browser.LOAD_FAILED).
SERIALIZE_FAILED = "serialize_failed"


@dataclass
class StepRecord:
    """One step as performed: the agent's answer, whether the page accepted it, what it cost."""

    number: int
    description: str
    action: str
    node: str | None
    text: str | None
    target: str | None
    ok: bool
    seconds: float
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Episode:
    """One played episode. `end` is DONE (the task ended it), MAX_STEPS, or an error reason."""

    task: str
    index: int
    seed: str
    utterance: str
    success: bool
    raw_reward: float
    end: str
    message: str = ""
    steps: list[StepRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def episode_seed(seed: int, index: int) -> str:
    """The `Math.seedrandom` seed of episode `index` of a run with `seed`: the same in every task."""
    return f"{seed}-{index}"


def run_episode(browser: Browser, base: str, task: str, index: int, seed: int, agent: Agent,
                max_steps: int) -> Episode:
    """Play one episode; never raises for what goes wrong in the page, the browser or the agent."""
    episode = Episode(task, index, episode_seed(seed, index), "", False, 0.0, MAX_STEPS)
    agent.begin(f"{task}/{episode.seed}")
    page: TaskPage | None = None
    try:
        page = browser.page()
        page.load(task_url(base, task))
        episode.utterance = page.start(episode.seed, EPISODE_TIME_LIMIT_MS)
        _play(page, agent, episode, max_steps)
    except EpisodeError as exc:
        episode.end, episode.message = exc.reason, str(exc)
    except ScribeAgentError as exc:
        episode.end, episode.message = exc.code.value, str(exc)
    finally:
        if page is not None:
            page.close()
    return episode


def _play(page: TaskPage, agent: Agent, episode: Episode, max_steps: int) -> None:
    """The side panel's loop: attach in assist mode, then observe → suggest → do it, step by step."""
    page.request("SET_MODE", mode="assist")
    history: list[dict[str, Any]] = []
    for number in range(1, max_steps + 1):
        started = time.perf_counter()
        observed = page.request("SERIALIZE", settle=True)
        if page.reward().done:  # the page reacted late to the previous step
            break
        if not observed.get("ok"):
            raise EpisodeError(SERIALIZE_FAILED, str(observed.get("reason")))
        decision = agent.decide(Observation(episode.utterance, observed["url"], observed["html"], tuple(history)))
        step = decision.step
        result = page.request("PERFORM", node=step.node, action=step.action.value, text=step.text)
        episode.steps.append(StepRecord(
            number, step.description, step.action.value, step.node, step.text, step.target, bool(result.get("ok")),
            round(time.perf_counter() - started, 3), result.get("reason"), decision.details,
        ))
        if result.get("ok"):  # the panel adds only steps it did to the history
            history.append({"description": decision.history_description or step.description,
                            "action": step.action.value, "text": step.text})
        if page.reward().done:
            break
    else:
        page.wait_done(LAST_STEP_WAIT_MS)
    reward = page.reward()
    if reward.done:
        episode.end = DONE
        episode.raw_reward = reward.raw
        episode.success = reward.raw > 0
        episode.message = reward.reason or ""


def run_bench(browser: Browser, base: str, tasks: Sequence[str], episodes: int, seed: int, agent: Agent,
              max_steps: int, progress: Callable[[Episode], None] = lambda e: None) -> list[Episode]:
    """Every episode of every task, task by task, in a fixed order."""
    played = []
    for task in tasks:
        for index in range(episodes):
            episode = run_episode(browser, base, task, index, seed, agent, max_steps)
            progress(episode)
            played.append(episode)
    return played


def _quantile(values: list[float], q: float) -> float | None:
    """The `q` quantile (inclusive method), or None without values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def summarize(played: Iterable[Episode], *, label: str, seed: int) -> dict[str, Any]:
    """The results object `--json` prints: overall and per-task rates, steps, step times, errors."""
    by_task: dict[str, list[Episode]] = {}
    for episode in played:
        by_task.setdefault(episode.task, []).append(episode)
    tasks = {}
    for task, group in by_task.items():
        seconds = [s.seconds for e in group for s in e.steps]
        ends = Counter(e.end for e in group if e.end not in (DONE, MAX_STEPS))
        tasks[task] = {
            "success_rate": round(sum(e.success for e in group) / len(group), 4),
            "episodes": len(group),
            "successes": sum(e.success for e in group),
            "mean_steps": round(statistics.fmean(len(e.steps) for e in group), 2),
            "step_s_p50": _round(_quantile(seconds, 0.5)),
            "step_s_p90": _round(_quantile(seconds, 0.9)),
            "errors": dict(sorted(ends.items())),
            "max_steps": sum(e.end == MAX_STEPS for e in group),
        }
    total = sum(t["episodes"] for t in tasks.values())
    wins = sum(t["successes"] for t in tasks.values())
    return {
        "success_rate": round(wins / total, 4) if total else 0.0,
        "episodes": total,
        "tasks": tasks,
        "model": label,
        "seed": seed,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
